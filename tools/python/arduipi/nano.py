# SPDX-License-Identifier: MIT
"""Where the kernel put one Nano's devices, and the names of its pins.

The arduipi driver, bound to the I2C device BUS-00ADDR, gives it a GPIO
chip (lines in Arduino order: D0..D13, A0..A5), a PWM chip (channels
numbered by Arduino pin), an IIO ADC (in_voltageN_raw for AN) and, with
the failsafe armed, a watchdog. All of them are found below
/sys/bus/i2c/devices/BUS-00ADDR.
"""
import errno
import glob
import os

SYSFS = "/sys/bus/i2c/devices"
DRIVER = "/sys/bus/i2c/drivers/arduipi"

#: D0..D13 are 0..13, A0..A5 are 14..19 (Arduino's own numbers)
DIGITAL = ["D%d" % n for n in range(14)] + ["A%d" % n for n in range(6)]
#: the lines that are the I2C bus to the Pi
I2C_PINS = {"A4": "SDA", "A5": "SCL"}
#: the PWM pins and their timers (two pins share a timer's period)
PWM_TIMER = {"D5": 0, "D6": 0, "D9": 1, "D10": 1, "D3": 2, "D11": 2}
#: the analog inputs, A6 and A7 analog only
ANALOG = ["A%d" % n for n in range(8)]


class NanoError(Exception):
    """No Nano, or not the one asked for."""


def pin_name(spec):
    """The board's label for a pin: 13, "13", "d13", "D13" are "D13";
    14..19 are A0..A5 as in Arduino's own numbers; "a6" is "A6". Raises
    ValueError for anything else."""
    if isinstance(spec, bool):
        raise ValueError("%r is not a pin" % (spec,))
    if isinstance(spec, int):
        if 0 <= spec < len(DIGITAL):
            return DIGITAL[spec]
        raise ValueError(
            "there is no pin %d on a Nano: D0..D13 are 0..13, A0..A5 14..19"
            % spec)
    s = str(spec).strip().upper()
    if s.isdigit():
        return pin_name(int(s))
    if s[:1] in ("D", "A") and s[1:].isdigit():
        n = int(s[1:])
        if (s[0] == "D" and n < 14) or (s[0] == "A" and n < 8):
            return s[0] + str(n)
    raise ValueError(
        "there is no pin %r on a Nano: D0..D13, A0..A7 (or 0..19)" % (spec,))


def _read(path):
    with open(path) as f:
        return f.read().strip()


class Nano:
    """One Nano bound to the arduipi driver.

    address: its I2C address (default: ARDUIPI_ADDR in the environment,
    else the only Nano the driver has, else 0x2a); bus: its I2C bus
    number (default: any)."""

    def __init__(self, address=None, bus=None):
        if address is None and os.environ.get("ARDUIPI_ADDR"):
            address = int(os.environ["ARDUIPI_ADDR"], 16)
        found = sorted(os.path.basename(p)
                       for p in glob.glob(DRIVER + "/*-00[0-9a-f][0-9a-f]"))
        want = [d for d in found
                if (address is None or d.endswith("-%04x" % address)) and
                (bus is None or d.startswith("%d-" % bus))]
        if address is None and len(want) > 1:
            want = [d for d in want if d.endswith("-002a")] or want
        if not want:
            where = "at all" if address is None else "at 0x%02x" % address
            raise NanoError(
                "no Nano bound to the arduipi driver %s (%s): is the overlay "
                "loaded (dtoverlay=arduipi) and the Nano powered?" %
                (where, ", ".join(found) or "the driver has none"))
        if len(want) > 1:
            raise NanoError("several Nanos (%s): say which with address=" %
                            ", ".join(want))
        self.name = want[0]
        self.dir = os.path.join(SYSFS, self.name)
        self.bus = int(self.name.split("-")[0])
        self.address = int(self.name.split("-")[1], 16)

    def _one(self, pattern, what, hint):
        found = sorted(glob.glob(os.path.join(self.dir, pattern)))
        if not found:
            raise NanoError("%s has no %s%s" % (self.name, what, hint))
        return found[0]

    @property
    def gpiochip(self):
        """/dev/gpiochipN"""
        return "/dev/" + os.path.basename(
            self._one("gpiochip*", "GPIO chip", ""))

    @property
    def pwmchip(self):
        """/sys/.../pwm/pwmchipN"""
        return self._one("pwm/pwmchip*", "PWM chip", "")

    @property
    def iio(self):
        """/sys/.../iio:deviceN"""
        return self._one("iio:device*", "ADC", "")

    @property
    def watchdog(self):
        """/dev/watchdogN"""
        return "/dev/" + os.path.basename(self._one(
            "watchdog/watchdog*", "watchdog",
            ": arm the failsafe (the overlay's failsafe_ms)"))

    @property
    def mhz(self):
        """The Nano's clock, 16 or 8 MHz."""
        try:
            return int(_read(os.path.join(self.dir, "mcu_clock_mhz")))
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
            return 16  # a driver before the attribute: the usual board
