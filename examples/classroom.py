#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A first lesson on the Nano with gpiozero: the button on D2 switches the
LED on D13 on and off, and the potentiometer on A0 dims the LED on D9.

Wiring: LED + 220R from D13 to GND; a push button from D2 to GND (the
Nano's pull-up holds D2 high); LED + 220R from D9 to GND; a 10k
potentiometer between 5V and GND, its wiper on A0."""
from signal import pause

from gpiozero import LED, PWMLED, Button
from arduipi import AnalogInput, ArduiPiFactory

nano = ArduiPiFactory()
led = LED("D13", pin_factory=nano)
button = Button("D2", pin_factory=nano)
lamp = PWMLED("D9", pin_factory=nano)
knob = AnalogInput("A0", pin_factory=nano)

button.when_pressed = led.toggle
lamp.source = knob
pause()
