#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The arduipi Python package's parts that need no Nano: pin names and
the PWM timers' periods on both clock builds (the twin's gpiozero suite
tests the rest against the simulator). TAP."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "python"))
from arduipi.nano import pin_name  # noqa: E402
from arduipi.pwm import PwmError, choices, period_ns  # noqa: E402

n = failed = 0


def check(what, got, want):
    global n, failed
    n += 1
    if got == want:
        print("ok %d - %s" % (n, what))
    else:
        failed += 1
        print("#   expected %r, got %r" % (want, got))
        print("not ok %d - %s" % (n, what))


def error(fn, *args):
    try:
        fn(*args)
    except (ValueError, PwmError) as e:
        return str(e)
    return None


for spec, want in ((13, "D13"), ("13", "D13"), ("d13", "D13"), (" D0 ", "D0"),
                   (14, "A0"), (19, "A5"), ("a7", "A7"), ("A4", "A4")):
    check("pin_name(%r) is %s" % (spec, want), pin_name(spec), want)
for bad in (20, -1, "D14", "A8", "GPIO17", True, "", "D"):
    check("pin_name(%r): ValueError" % (bad,),
          error(pin_name, bad) is not None, True)
check("... saying what there is", "D0..D13, A0..A7" in error(pin_name, "D14"),
      True)

# the driver's rounding (kernel/pwm.c, arduipi_tcfg_for): the longest
# period the timer makes, not longer, in ns rounded up
for pin, want_ns, mhz, got in (
        ("D5", 10000000, 16, 4096000), ("D6", 1024000, 16, 1024000),
        ("D5", 1023999, 16, None), ("D5", 10000000, 8, 8192000),
        ("D3", 20000000, 16, 16384000), ("D11", 100000, 16, 16000),
        ("D11", 100000, 8, 32000), ("D3", 15999, 16, None),
        ("D9", 20000000, 16, 20000000), ("D10", 250, 16, 250),
        ("D9", 249, 16, None),
        # whole ticks: 1.5 MHz is 10 ticks of 62.5 ns, 1.6 MHz
        ("D9", 666, 16, 625), ("D10", 687.5, 16, 688), ("D10", 688, 16, 688),
        # the longest: TOP 65534 at /1024, also for anything longer
        ("D9", 4194240000, 16, 4194240000), ("D9", 5 * 10**9, 16, 4194240000),
        ("D9", 500, 8, 500), ("D9", 20000000, 8, 20000000),
        ("D9", 10**10, 8, 8388480000)):
    what = "period_ns(%s, %d ns, %d MHz)" % (pin, want_ns, mhz)
    if got is None:
        check(what + ": PwmError", error(period_ns, pin, want_ns, mhz)
              is not None, True)
    else:
        check(what + " = %d" % got, period_ns(pin, want_ns, mhz), got)
check("timer0's frequencies for messages", choices("D5", 16),
      "only 61.04, 244.1, 976.6 Hz")
check("... at 8 MHz, half", choices("D6", 8), "only 30.52, 122.1, 488.3 Hz")
print("1..%d" % n)
sys.exit(1 if failed else 0)
