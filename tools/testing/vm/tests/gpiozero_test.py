# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
"""gpiozero on the Nano's pins, through the arduipi pin factory, against
the simulator's pins (gpiozero.sh runs it with gpiozero 1.6 on Python
3.11, 2.0 on 3.13, and a part with 1.6 on 3.13). Prints "ok - WHAT" /
"not ok - WHAT" and "# detail" lines; gpiozero.sh numbers them."""
import io
import os
import subprocess
import sys
import time
import warnings

import gpiozero
from gpiozero import (LED, AngularServo, Button, Device, DigitalInputDevice,
                      Motor, PWMLED, Robot, Servo)

from arduipi import AnalogInput, lines

failed = 0
# GZ_TEST=smoke: the factory by name, LED, Button, PWMLED, analog input
SMOKE = os.environ.get("GZ_TEST") == "smoke"


def check(what, ok, detail=""):
    global failed
    if not ok:
        failed += 1
        if detail:
            print("#   " + str(detail))
    print("%s - %s" % ("ok" if ok else "not ok", what), flush=True)


def sim(*args):
    r = subprocess.run(["simctl"] + list(args), capture_output=True,
                       text=True)
    return r.stdout.strip()


def pwm(pin):
    """(period_ns, high_ns) or ("steady", level) in the last 60 ms."""
    for _ in range(40):
        m = sim("pwm", pin, "60").split()
        if len(m) == 2:
            return (m[0], int(m[1])) if m[0] == "steady" else \
                (int(m[0]), int(m[1]))
        time.sleep(0.05)
    return None


def settled(pin, ok):
    """pwm(pin) once ok(it) holds, or after 2 s: a new setting shows up
    within a period plus the 60 ms window."""
    end = time.monotonic() + 2
    m = pwm(pin)
    while not ok(m) and time.monotonic() < end:
        time.sleep(0.05)
        m = pwm(pin)
    return m


def near(m, period, high, tol=600):
    return (m is not None and m[0] != "steady" and
            abs(m[0] - period) <= tol and abs(m[1] - high) <= tol)


def is_pwm(pin, period, high, tol=600):
    """(True, what was measured) once pin runs period/high ns (+- tol),
    (False, ...) if it does not within 2 s"""
    m = settled(pin, lambda m: near(m, period, high, tol))
    return near(m, period, high, tol), m


def is_steady(pin, level):
    m = settled(pin, lambda m: m == ("steady", level))
    return m == ("steady", level), m


def both(a, b):
    return a[0] and b[0], (a[1], b[1])


def raises(exc, fn, text):
    try:
        fn()
    except exc as e:
        return text in str(e), "%s: %s" % (type(e).__name__, e)
    except Exception as e:  # the wrong kind
        return False, "%s: %s" % (type(e).__name__, e)
    return False, "no exception"


def wait(cond, secs=3):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


try:
    from importlib.metadata import version
    gz = version("gpiozero")
except Exception:  # Python 3.11 has it; 1.6's egg-info may not say
    gz = "?"
have = "python %s, gpiozero %s, libgpiod bindings %s" % (
    ".".join(sys.version.split()[0].split(".")[:2]), gz,
    "v2" if lines.V2 else "v1")
print("# " + have)
# GZ_EXPECT: what gpiozero.sh meant to run ("python 3.13, gpiozero 1.6")
want = os.environ.get("GZ_EXPECT", "")
check("the run is %s" % want, have.startswith(want) and want != "", have)

# 1 the factory by name, as GPIOZERO_PIN_FACTORY=arduipi chooses it
led = LED("D13")
check("GPIOZERO_PIN_FACTORY=arduipi: the factory is arduipi's",
      type(Device.pin_factory).__name__ == "ArduiPiFactory",
      repr(Device.pin_factory))
nano = Device.pin_factory

# 2 LED
led.on()
check("LED('D13').on(): D13 high, an output", sim("pin", "D13") == "1 out 0",
      sim("pin", "D13"))
check("... led.is_lit", led.is_lit is True)
led.off()
check("LED off: D13 low", sim("pin", "D13") == "0 out 0", sim("pin", "D13"))
led.on()
led.close()
check("LED closed while lit: D13 stays a high output (the Nano holds it)",
      sim("pin", "D13") == "1 out 0", sim("pin", "D13"))
led = LED(13)
check("LED(13), Arduino's number: off", sim("pin", "D13") == "0 out 0",
      sim("pin", "D13"))
led.on()
check("... on: D13 high", sim("pin", "D13") == "1 out 0")
led.close()

# 3 Button: pull-up, callbacks on driven edges
sim("drive", "D2", "z")
btn = Button("D2")
check("Button('D2'): an input with the Nano's pull-up", sim("pin", "D2") ==
      "1 in 1", sim("pin", "D2"))
check("... not pressed", btn.is_pressed is False)
events = []
btn.when_pressed = lambda: events.append("pressed")
btn.when_released = lambda: events.append("released")
sim("drive", "D2", "0")
check("a press (D2 driven low): when_pressed runs",
      wait(lambda: events == ["pressed"]), events)
check("... is_pressed", btn.is_pressed is True)
sim("drive", "D2", "1")
check("the release: when_released runs",
      wait(lambda: events == ["pressed", "released"]), events)
sim("drive", "D2", "z")
btn.close()

# 5 PWMLED: timer1 at gpiozero's 100 Hz exactly, timer0 at its nearest
pl = PWMLED("D9")
pl.value = 0.5
check("PWMLED('D9').value = 0.5: 10 ms period, 5 ms high",
      *is_pwm("D9", 10000000, 5000000))
pl.close()
check("... closed: D9 low", *is_steady("D9", 0))
pl = PWMLED("D5")
pl.value = 0.25
check("PWMLED('D5') at 100 Hz: timer0's 4.096 ms, a quarter high",
      *is_pwm("D5", 4096000, 1024000, 4100))
check("... pin.frequency says so (244.1 Hz)",
      abs(pl.pin.frequency - 244.140625) < 0.01, pl.pin.frequency)
pl.close()

# 10 analog input, and a source chain
sim("adc", "A0", "2.5")
pot = AnalogInput("A0")
# (a reading is the Nano's latest conversion: the one before the new
# voltage may still be the latest)
check("AnalogInput('A0') at 2.5 V: value 0.5",
      wait(lambda: abs(pot.value - 0.5) < 0.01, 2), pot.value)
check("... voltage 2.5 V", abs(pot.voltage - 2.5) < 0.02, pot.voltage)
pl = PWMLED("D9")
pl.source = pot
time.sleep(0.5)
check("PWMLED('D9').source = the pot: half of 10 ms",
      *is_pwm("D9", 10000000, 5000000, 60000))
sim("adc", "A0", "1.25")
check("... a quarter at 1.25 V",
      *is_pwm("D9", 10000000, 2500000, 60000))
pl.source = None
pl.close()
pot.close()

if SMOKE:
    nano.close()
    print("# the end")
    sys.exit(1 if failed else 0)

# 3.1 a callback that fails: said on stderr, and the next edge still comes
btn = Button("D2")
btn.when_pressed = lambda: 1 / 0
err, sys.stderr = sys.stderr, io.StringIO()
sim("drive", "D2", "0")
wait(lambda: "ZeroDivisionError" in sys.stderr.getvalue())
said, sys.stderr = sys.stderr.getvalue(), err
check("a callback that raises: its traceback on stderr",
      "ZeroDivisionError" in said, said[-300:])
sim("drive", "D2", "1")
time.sleep(0.5)
events = []
btn.when_pressed = lambda: events.append("pressed")


def press(what):
    """A press of D2 (driven low) runs the callback once; released."""
    events.clear()
    sim("drive", "D2", "0")
    check(what, wait(lambda: events == ["pressed"]), events)
    sim("drive", "D2", "1")
    time.sleep(0.5)


press("... the next press still runs the next callback")

# 3.2 the pin changed under a callback: edges come on
btn.pin.pull = "floating"
btn.pin.pull = "up"
press("the pull changed twice under a callback: a press still comes")
btn.pin.function = "output"
btn.pin.function = "input"
btn.pin.pull = "up"
press("an output and back (as LightSensor does): the callback is back")
sim("drive", "D2", "z")
btn.close()

# 3.3 a line another program holds: its name in the error
chip = Device.pin_factory.nano.gpiochip
holder = subprocess.Popen(["/opt/gpiod2/bin/gpioset", "-c", chip, "D4=1"])
time.sleep(1)
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("D4"), "'gpioset'")
check("LED('D4') while gpioset holds D4: PinInvalidPin naming gpioset", ok,
      why)
holder.terminate()
holder.wait()

# 4 no pull-down on an AVR: a warning, the pin floats
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    din = DigitalInputDevice("D4")
check("DigitalInputDevice('D4') (pull_up=False): a warning, no pull-down",
      any("no pull-down" in str(x.message) for x in w),
      [str(x.message) for x in w])
check("... D4 an input without pull-up", sim("pin", "D4") == "0 in 0",
      sim("pin", "D4"))
din.close()

# 6 servos on timer1
sv = Servo("D9")
sv.mid()
check("Servo('D9').mid(): 20 ms period, 1.5 ms high",
      *is_pwm("D9", 20000000, 1500000))
sv.min()
check("... min(): 1 ms", *is_pwm("D9", 20000000, 1000000))
sv.max()
check("... max(): 2 ms", *is_pwm("D9", 20000000, 2000000))
asv = AngularServo("D10", min_angle=-90, max_angle=90)
asv.angle = 45
check("AngularServo('D10').angle = 45 beside it: 1.75 ms",
      *is_pwm("D10", 20000000, 1750000))

# 7 the timer pair: a clash of periods is an error that names the sibling
ok, why = raises(gpiozero.GPIOPinInUse, lambda: PWMLED("D10"), "D10")
check("PWMLED('D10') while AngularServo has D10: GPIOPinInUse", ok, why)
asv.close()
ok, why = raises(gpiozero.PinPWMError, lambda: PWMLED("D10"), "D9")
check("PWMLED('D10') at 100 Hz while D9 runs 50 Hz: PinPWMError naming D9",
      ok, why)
check("... D9's servo runs on", *is_pwm("D9", 20000000, 2000000))
led = LED("D10")
led.on()
check("... and D10 is still a GPIO: LED('D10') lights",
      sim("pin", "D10") == "1 out 0", sim("pin", "D10"))
led.close()
sv.close()

# 8 errors
ok, why = raises(gpiozero.PinPWMUnsupported, lambda: PWMLED("D2"),
                 "D3, D5, D6, D9, D10 or D11")
check("PWMLED('D2'): no hardware PWM there, the pins that have it", ok, why)
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("A4"), "I2C SDA")
check("LED('A4'): the I2C bus to the Pi", ok, why)
ok, why = raises(gpiozero.PinInvalidPin, lambda: AnalogInput("A5"), "I2C SCL")
check("AnalogInput('A5'): the I2C bus to the Pi", ok, why)
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("D14"), "no pin")
check("LED('D14'): no such pin", ok, why)
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("A6"),
                 "analog input only")
check("LED('A6'): analog only", ok, why)
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("D12"), "INT line")
check("LED('D12'): the Nano's INT line to the Pi", ok, why)
led = LED("D13")
ok, why = raises(gpiozero.GPIOPinInUse, lambda: Button(13), "D13")
check("Button(13) while LED('D13') has it: in use", ok, why)
led.close()

# 9 Motor on PWM, Robot's directions
m = Motor("D5", "D6")
m.forward(0.5)
check("Motor('D5', 'D6').forward(0.5): D5 half of 4.096 ms, D6 low",
      *both(is_pwm("D5", 4096000, 2048000, 4100), is_steady("D6", 0)))
m.backward(0.25)
check("... backward(0.25): D6 a quarter, D5 low",
      *both(is_pwm("D6", 4096000, 1024000, 4100), is_steady("D5", 0)))
m.close()
# (tuples of pins: what both gpiozero 1.6 and 2.0 take)
r = Robot(left=("D5", "D6"), right=("D9", "D10"))


def levels():
    return " ".join(str(m[1]) if m and m[0] == "steady" else "pwm"
                    for m in map(pwm, ("D5", "D6", "D9", "D10")))


for act, want in (("forward", "1 0 1 0"), ("backward", "0 1 0 1"),
                  ("left", "0 1 1 0"), ("right", "1 0 0 1"),
                  ("stop", "0 0 0 0")):
    getattr(r, act)()
    check("Robot(left=(D5, D6), right=(D9, D10)).%s(): %s" % (act, want),
          wait(lambda: levels() == want, 2), levels())
r.forward(0.5)
check("... forward(0.5): D5 and D9 at half their timers' periods",
      *both(is_pwm("D5", 4096000, 2048000, 4100),
            is_pwm("D9", 10000000, 5000000)))
r.close()

# 11 a contact that bounces: one press with bounce_time
sim("drive", "D3", "z")
btn = Button("D3", bounce_time=0.3)
presses = []
btn.when_pressed = lambda: presses.append(1)
sim("drive", "D3", "1")
# five 2 ms pulses low, 4 ms apart: a press that bounces, held low after
sim("pulse", "D3", "2000", "5", "4000")
time.sleep(0.05)
sim("drive", "D3", "0")
time.sleep(1.5)
check("Button('D3', bounce_time=0.3): a bouncing press is one press",
      len(presses) == 1, presses)
sim("drive", "D3", "z")
btn.close()

# 12 a PWM channel another program runs in sysfs: a clear refusal
pwmchip = nano.nano.pwmchip
with open(pwmchip + "/export", "w") as f:
    f.write("11")
for attr, v in (("period", 1024000), ("duty_cycle", 512000), ("enable", 1)):
    with open("%s/pwm11/%s" % (pwmchip, attr), "w") as f:
        f.write(str(v))
ok, why = raises(gpiozero.PinInvalidPin, lambda: LED("D11"),
                 "runs PWM for another program")
check("LED('D11') while another program runs D11's PWM in sysfs: refused,"
      " with how to free it", ok and "unexport" in why, why)
check("... D11's PWM untouched", *is_pwm("D11", 1024000, 512000))
with open("%s/pwm11/enable" % pwmchip, "w") as f:
    f.write("0")
led = LED("D11")
led.on()
check("... once it is idle (a program that died): taken, LED('D11') lights",
      sim("pin", "D11") == "1 out 0" and
      not os.path.isdir(pwmchip + "/pwm11"), sim("pin", "D11"))
led.close()

# 13 beside another factory: the program's default (a Pi's pins; gpiozero's
# mock factory here) and the Nano's by pin_factory=
from gpiozero.pins.mock import MockFactory  # noqa: E402
Device.pin_factory = MockFactory()
pi_led = LED(17)
nano_led = LED("D13", pin_factory=nano)
pi_led.on()
nano_led.on()
check("LED(17) on the program's factory and LED('D13', pin_factory=nano): "
      "both lit", pi_led.pin.state == 1 and sim("pin", "D13") == "1 out 0",
      (pi_led.pin.state, sim("pin", "D13")))
nano_led.close()
pi_led.close()

nano.close()
print("# the end")
sys.exit(1 if failed else 0)
