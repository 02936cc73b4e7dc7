# SPDX-License-Identifier: MIT
"""One hardware PWM channel of the Nano through the kernel's PWM class
(sysfs), and the periods its timers make.

    pin      timer  periods at 16 MHz (an 8 MHz board doubles each)
    D5  D6   0      1.024, 4.096, 16.384 ms
    D3  D11  2      16, 128, 512 us, 1.024, 2.048, 4.096, 16.384 ms
    D9  D10  1      any, 250 ns .. 4.19 s, in steps of 62.5 ns or more

Like the driver, a period is the longest the timer makes that is not
longer than the one asked for. Two pins of a timer share its period: the
driver refuses (EBUSY) a period for one while the other runs another.
"""
import errno
import os
import time

from .nano import PWM_TIMER

# ns at 16 MHz
FIXED = {0: (1024000, 4096000, 16384000),
         2: (16000, 128000, 512000, 1024000, 2048000, 4096000, 16384000)}
T1_MIN, T1_MAX = 250, 4194304000


class PwmError(Exception):
    """A period the timer cannot make, or one its sibling does not share."""


def period_ns(pin, want_ns, mhz):
    """The period the timer of pin makes for a request of want_ns."""
    k = 16 // mhz
    t = PWM_TIMER[pin]
    if t == 1:
        if not T1_MIN * k <= want_ns <= T1_MAX * k:
            raise PwmError("%s: %s is outside timer1's %g Hz .. %g MHz" % (
                pin, hz(want_ns), 1e9 / (T1_MAX * k), 1e3 / (T1_MIN * k)))
        return int(want_ns)
    fit = [p * k for p in FIXED[t] if p * k <= want_ns]
    if not fit:
        raise PwmError("%s: %s is faster than timer%d makes (at most %s)" % (
            pin, hz(want_ns), t, hz(FIXED[t][0] * k)))
    return fit[-1]


def hz(ns):
    return "%.4g Hz" % (1e9 / ns)


def choices(pin, mhz):
    """What the timer of pin makes, for messages."""
    t = PWM_TIMER[pin]
    if t == 1:
        return "any frequency from 0.24 Hz to 4 MHz"
    return "only " + ", ".join("%.4g" % (1e9 / (p * 16 // mhz))
                               for p in reversed(FIXED[t])) + " Hz"


class Pwm:
    """The PWM class's channel for pin (channels are Arduino pin numbers)
    of the PWM chip in chip (a sysfs directory)."""

    def __init__(self, chip, pin):
        self.chip = chip
        self.pin = pin
        self.channel = int(pin[1:])
        self.dir = os.path.join(chip, "pwm%d" % self.channel)
        self.exported = False

    def _write(self, attr, value):
        with open(os.path.join(self.dir, attr), "w") as f:
            f.write(str(value))

    def read(self, attr):
        with open(os.path.join(self.dir, attr)) as f:
            return f.read().strip()

    def open(self):
        """Export the channel (unless it is already)."""
        if not os.path.isdir(self.dir):
            with open(os.path.join(self.chip, "export"), "w") as f:
                f.write(str(self.channel))
            self.exported = True
        # udev may still be setting the attributes up
        for _ in range(100):
            if os.access(os.path.join(self.dir, "enable"), os.W_OK):
                break
            time.sleep(0.01)

    def set(self, period, duty):
        """Run at period ns with duty ns high. EBUSY (the sibling pin runs
        another period) raises OSError."""
        old = int(self.read("period"))
        if period != old:
            # a new period below the old duty is refused: the duty first
            if int(self.read("duty_cycle")) > period:
                self._write("duty_cycle", 0)
            self._write("period", period)
        self._write("duty_cycle", duty)
        if self.read("enable") != "1":
            self._write("enable", 1)

    def duty(self, duty):
        self._write("duty_cycle", duty)

    def close(self):
        """Off (the pin low), and unexported if it was exported here."""
        try:
            self._write("enable", 0)
        except OSError:
            pass
        if self.exported:
            try:
                with open(os.path.join(self.chip, "unexport"), "w") as f:
                    f.write(str(self.channel))
            except OSError as e:
                if e.errno != errno.EINVAL:
                    raise
            self.exported = False
