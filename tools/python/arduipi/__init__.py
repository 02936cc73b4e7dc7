# SPDX-License-Identifier: MIT
"""The Arduino Nano with the ArduiPi firmware, from Python.

- ArduiPiFactory: a gpiozero pin factory for the Nano's pins ("D13",
  "A0"), by device (pin_factory=) or for the program
  (GPIOZERO_PIN_FACTORY=arduipi).
- AnalogInput: an analog input as a gpiozero device (value 0..1, voltage).
- Nano: where the kernel put a Nano's GPIO chip, PWM chip and ADC.

Everything goes through the arduipi kernel driver (the overlay must have
instantiated it).
"""
from .nano import Nano, NanoError, pin_name

__version__ = "1.2"
__all__ = ["ArduiPiFactory", "AnalogInput", "Nano", "NanoError", "pin_name"]


def __getattr__(name):
    # gpiozero only when its parts are used
    if name == "ArduiPiFactory":
        from .factory import ArduiPiFactory
        return ArduiPiFactory
    if name == "AnalogInput":
        from .analog import AnalogInput
        return AnalogInput
    raise AttributeError(name)
