# SPDX-License-Identifier: MIT
"""One hardware PWM channel of the Nano through the kernel's PWM class
(sysfs), and the periods its timers make.

    pin      timer  periods at 16 MHz (an 8 MHz board doubles each)
    D5  D6   0      1.024, 4.096, 16.384 ms
    D3  D11  2      16, 128, 512 us, 1.024, 2.048, 4.096, 16.384 ms
    D9  D10  1      250 ns .. 4.19424 s, in whole ticks of 62.5 ns (/1),
                    500 ns (/8), 4 us (/64), 16 us (/256) or 64 us (/1024)

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
T1_PRESC = (1, 8, 64, 256, 1024)
T1_TOP_MIN, T1_TOP_MAX = 3, 65534
MAX_NS = 10 * 10**9  # the driver's cap, beyond any timer


class PwmError(Exception):
    """A period the timer cannot make, or one its sibling does not share."""


def period_ns(pin, want_ns, mhz):
    """The period the timer of pin makes for a request of want_ns, in ns
    rounded up (the driver's get_state rule: written back, it asks for
    the same timer setting). As the driver's arduipi_tcfg_for(): timer1
    the finest prescaler whose 16-bit counter reaches it, in whole ticks,
    the longest it makes if none does; timers 0 and 2 their longest fixed
    period not longer."""
    want_ns = min(want_ns, MAX_NS)
    t = PWM_TIMER[pin]
    if t == 1:
        for presc in T1_PRESC:
            ticks = int(want_ns * mhz // (presc * 1000))
            if ticks <= T1_TOP_MAX + 1:
                break
        else:
            ticks = T1_TOP_MAX + 1
        if ticks < T1_TOP_MIN + 1:
            raise PwmError("%s: %s is faster than timer1 makes (at most %s)"
                           % (pin, hz(want_ns),
                              hz((T1_TOP_MIN + 1) * 1000 / mhz)))
        return -(-ticks * presc * 1000 // mhz)
    k = 16 // mhz
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
        return "any frequency from %.2g Hz to %g MHz" % (
            1e3 * mhz / ((T1_TOP_MAX + 1) * 1024 * 1000) * 1e6,
            mhz / (T1_TOP_MIN + 1))
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
        another period) raises OSError, the channel as it was. No step has
        a duty longer than its period (the kernel refuses that): a shorter
        period after the new duty, a longer one before it."""
        old = int(self.read("period"))
        if period < old:
            was = self.read("duty_cycle")
            self._write("duty_cycle", duty)
            try:
                self._write("period", period)
            except OSError:
                self._write("duty_cycle", was)
                raise
        elif period > old:
            self._write("period", period)
            self._write("duty_cycle", duty)
        else:
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
