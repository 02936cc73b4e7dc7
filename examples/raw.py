#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The raw path: ArduiPi commands from Python with smbus2, no kernel driver.

The answer to "how do I send data to my Arduino from the Pi": a command
byte and its data, to address 0x2a on bus 1. Here the motor car's two
motors go forward at 60 % (Documentation/car.rst has the wiring) and A0 is
read. Run it with the arduipi driver unloaded (it owns the address).
"""
from smbus2 import SMBus, i2c_msg

ADDR = 0x2A        # the Nano
PWM = 0xEE         # [pin, 0xee, duty 0..255]: analogWrite()

with SMBus(1) as bus:
    print("ping: 0x%02x" % bus.read_byte_data(ADDR, 0xE0))

    # left motor: IN1 (D7) high, IN2 (D8) low, ENA (D6) at 153/255
    bus.write_byte_data(ADDR, 0x07, 1)
    bus.write_byte_data(ADDR, 0x08, 0)
    bus.write_i2c_block_data(ADDR, 0x06, [PWM, 153])

    # right motor, the same three commands in one bus transaction: the
    # firmware acts on each write at the repeated START that follows it
    bus.i2c_rdwr(i2c_msg.write(ADDR, [0x0A, 1]),      # IN3 (D10) high
                 i2c_msg.write(ADDR, [0x0B, 0]),      # IN4 (D11) low
                 i2c_msg.write(ADDR, [0x09, PWM, 153]))  # ENB (D9)

    # an analog input: command 0xa0 + n, a little-endian word, 0..1023
    print("A0: %d" % bus.read_word_data(ADDR, 0xA0))
