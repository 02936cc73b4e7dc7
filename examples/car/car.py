#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The motor car of car.sh, from Python.

Directions with the gpiod bindings (python3-libgpiod: the libgpiod v1 API
on Raspberry Pi OS bookworm, the v2 API on trixie; both work), speed with
the kernel's PWM class in sysfs. Wiring as in car.sh:

    L298N  ENA IN1 IN2  ENB IN3 IN4
    Nano   D6  D7  D8   D9  D10 D11

    car.py forward [SPEED [SECONDS]]    SPEED in percent, default 60
    car.py backward [SPEED [SECONDS]]
    car.py stop

With SECONDS the car drives that long and stops, and the program holds the
Nano's watchdog meanwhile (the overlay's failsafe_ms must be set): should
it die or hang, the Nano stops the car within the watchdog's timeout.

ARDUIPI_ADDR selects another Nano (default 2a). Run as root.
"""
import glob
import os
import re
import sys
import time

import gpiod

DEV = "/sys/bus/i2c/devices/1-00" + os.environ.get("ARDUIPI_ADDR", "2a")
PERIOD = 1024000  # ns: 977 Hz, what both timers (D6, D9) can make
ENA, ENB = 6, 9
IN1, IN2, IN3, IN4 = 7, 8, 10, 11


def die(msg, code=1):
    print("car.py: " + msg, file=sys.stderr)
    sys.exit(code)


def find(pattern, what):
    found = sorted(glob.glob(DEV + pattern))
    if not found:
        die("no ArduiPi %s under %s: is the driver loaded?" % (what, DEV))
    return found[0]


def write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def speed(channel, percent):
    """One motor's speed on its enable pin, a PWM channel."""
    chip = find("/pwm/pwmchip*", "PWM chip")
    pwm = "%s/pwm%d" % (chip, channel)
    if not os.path.isdir(pwm):
        write(chip + "/export", channel)
    write(pwm + "/period", PERIOD)
    write(pwm + "/duty_cycle", PERIOD * percent // 100)
    write(pwm + "/enable", 1)


def direction(levels):
    """The direction pins, {offset: 0 or 1}; they keep their levels."""
    path = "/dev/" + os.path.basename(find("/gpiochip*", "GPIO chip"))
    if hasattr(gpiod, "request_lines"):  # libgpiod v2
        from gpiod.line import Direction, Value

        settings = gpiod.LineSettings(direction=Direction.OUTPUT)
        with gpiod.request_lines(
            path,
            consumer="car.py",
            config={tuple(levels): settings},
            output_values={o: Value(v) for o, v in levels.items()},
        ):
            pass
    else:  # libgpiod v1
        chip = gpiod.Chip(path)
        lines = chip.get_lines(list(levels))
        lines.request(consumer="car.py", type=gpiod.LINE_REQ_DIR_OUT,
                      default_vals=list(levels.values()))
        lines.release()
        chip.close()


def stop():
    speed(ENA, 0)
    speed(ENB, 0)
    direction({IN1: 0, IN2: 0, IN3: 0, IN4: 0})


def watchdog():
    """The Nano's watchdog, open: opened before the motors start."""
    wd = "/dev/" + os.path.basename(find("/watchdog/watchdog*",
                                         "watchdog (set failsafe_ms)"))
    dog = os.fdopen(os.open(wd, os.O_WRONLY), "wb", buffering=0)
    dog.write(b".")  # its count starts now, whatever an earlier holder did
    return dog


def hold(dog, seconds):
    """Drive for seconds holding the watchdog, then stop and close it."""
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            dog.write(b".")  # a ping: the timeout starts again
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    stop()
    dog.write(b"V")  # the magic close: it stops with us
    dog.close()


def main(argv):
    if len(argv) < 2 or argv[1] not in ("forward", "backward", "stop"):
        die("usage: car.py forward|backward [SPEED [SECONDS]] | stop", 2)
    pct = argv[2] if len(argv) > 2 else "60"
    if not re.fullmatch("0|[1-9][0-9]*", pct) or int(pct) > 100:
        die("speed '%s' is not a percentage 0..100" % pct)
    secs = argv[3] if len(argv) > 3 else None
    if secs is not None and not re.fullmatch("0|[1-9][0-9]*", secs):
        die("'%s' is not a number of seconds" % secs)
    if argv[1] == "stop":
        stop()
        return
    dog = watchdog() if secs is not None else None
    # never switch an H-bridge's direction under power
    speed(ENA, 0)
    speed(ENB, 0)
    fwd = 1 if argv[1] == "forward" else 0
    direction({IN1: fwd, IN2: 1 - fwd, IN3: fwd, IN4: 1 - fwd})
    speed(ENA, int(pct))
    speed(ENB, int(pct))
    if dog:
        hold(dog, int(secs))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except OSError as e:
        die(str(e))
