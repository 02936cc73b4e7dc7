# SPDX-License-Identifier: MIT
"""The Nano's analog inputs as gpiozero devices, through the IIO ADC.

    from gpiozero import PWMLED
    from arduipi import AnalogInput
    pot = AnalogInput("A0")
    led = PWMLED("D9", pin_factory=pot.pin_factory)
    led.source = pot          # the potentiometer dims the LED

value is 0..1 (the 10-bit reading over 1023), voltage the reading in
volts (the driver's scale: its reference, 5 V or the one the device tree
names), raw_value the reading itself; as a gpiozero Device it serves
source/values chains.
"""
import os

from gpiozero import Device, DeviceClosed, PinInvalidPin

from .nano import ANALOG, I2C_PINS, pin_name


class AnalogInput(Device):
    """An analog input, "A0".."A7" (A4, A5 are the I2C bus); an integer is
    a channel, 0..7 (or Arduino's 14..19 for A0..A5). pin_factory: an
    ArduiPiFactory, by default the program's if it is one, else one for
    the only Nano (or ARDUIPI_ADDR's)."""

    def __init__(self, pin=None, *, pin_factory=None):
        self._raw = None
        if pin is None:
            raise PinInvalidPin("no analog input given: A0..A7")
        if isinstance(pin, int) and not isinstance(pin, bool) and \
                0 <= pin < 8:
            pin = "A%d" % pin
        try:
            name = pin_name(pin)
        except ValueError as e:
            raise PinInvalidPin(str(e)) from None
        if name not in ANALOG:
            raise PinInvalidPin("%s is not an analog input: A0..A7" % name)
        if name in I2C_PINS:
            raise PinInvalidPin(
                "%s is the Nano's I2C %s, wired to the Pi: it cannot be "
                "read" % (name, I2C_PINS[name]))
        if pin_factory is None:
            from .factory import ArduiPiFactory
            if isinstance(Device.pin_factory, ArduiPiFactory):
                pin_factory = Device.pin_factory
            else:
                pin_factory = _default()
        super().__init__(pin_factory=pin_factory)
        self._name = name
        # A0..A3 are digital lines too: one device at a time
        pin_factory.reserve_pins(self, name)
        iio = pin_factory.nano.iio
        self._raw = os.path.join(iio, "in_voltage%s_raw" % name[1:])
        with open(os.path.join(iio, "in_voltage_scale")) as f:
            self._scale = float(f.read())  # mV per count

    def close(self):
        if self._raw is not None:
            self.pin_factory.release_pins(self, self._name)
        self._raw = None
        super().close()

    @property
    def closed(self):
        return self._raw is None

    @property
    def pin(self):
        return self._name

    @property
    def raw_value(self):
        """The reading, 0..1023."""
        if self._raw is None:
            raise DeviceClosed("%s is closed" % self._name)
        with open(self._raw) as f:
            return int(f.read())

    @property
    def value(self):
        """The reading, 0..1 (0 V .. the reference)."""
        return self.raw_value / 1023

    @property
    def voltage(self):
        """The reading in volts."""
        return self.raw_value * self._scale / 1000

    @property
    def max_voltage(self):
        """The reference: what a value of 1 is, in volts."""
        return 1023 * self._scale / 1000

    def __repr__(self):
        if self._raw is None:
            return "<arduipi.AnalogInput object closed>"
        return "<arduipi.AnalogInput object on pin %s, value=%.3f>" % (
            self._name, self.value)


_factory = None


def _default():
    global _factory
    if _factory is None:
        from .factory import ArduiPiFactory
        _factory = ArduiPiFactory()
    return _factory
