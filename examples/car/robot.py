#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The motor car of car.sh with gpiozero: W forward, S backward, A and D
turn, space stops, Q quits (keys from the keyboard, or from stdin).
Wiring as in car.sh: L298N ENA IN1 IN2 ENB IN3 IN4 on D6 D7 D8 D9 D10 D11.
The program holds the Nano's watchdog (overlay: failsafe_ms): should it
die, the Nano stops the car within a second."""
import sys
import termios
import tty

from gpiozero import Motor, PWMOutputDevice
from arduipi import ArduiPiFactory

nano = ArduiPiFactory(watchdog=1)
left = Motor(forward="D7", backward="D8", pwm=False, pin_factory=nano)
right = Motor(forward="D10", backward="D11", pwm=False, pin_factory=nano)
ena = PWMOutputDevice("D6", initial_value=0.6, pin_factory=nano)  # speed
enb = PWMOutputDevice("D9", initial_value=0.6, pin_factory=nano)
moves = {"w": "forward forward", "s": "backward backward",
         "a": "backward forward", "d": "forward backward", " ": "stop stop"}

if sys.stdin.isatty():  # one key at a time, no Enter
    saved = termios.tcgetattr(sys.stdin)
    tty.setcbreak(sys.stdin)
try:
    while (key := sys.stdin.read(1).lower()) not in ("q", ""):
        if key in moves:
            l, r = moves[key].split()
            getattr(left, l)()
            getattr(right, r)()
finally:
    if sys.stdin.isatty():
        termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
    left.stop()
    right.stop()
    nano.close()  # the enables off, the watchdog closed
