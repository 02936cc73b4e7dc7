# SPDX-License-Identifier: MIT
"""A gpiozero pin factory for the Nano's pins, through the kernel driver.

    from gpiozero import LED
    from arduipi import ArduiPiFactory
    nano = ArduiPiFactory()
    led = LED("D13", pin_factory=nano)

or GPIOZERO_PIN_FACTORY=arduipi for a whole program. Pins are named as
the board is labelled ("D13", "A0"); integers are Arduino pin numbers
(13 is D13, 14 is A0). Works with gpiozero 1.6 and 2.0.

- Digital in and out, the pull-up, edge callbacks: the GPIO chip, through
  the gpiod bindings (lines.py). The AVR has no pull-down: a pull-down
  asked for (gpiozero's default for InputDevice) leaves the pin floating,
  with a warning. Bounce is filtered here: an edge is reported once the
  pin has been quiet for bounce, as the level it settled at.
- PWM (PWMLED, Motor, Servo...): the six hardware channels through the
  PWM class (pwm.py): D9 and D10 (timer1) make any frequency in whole
  ticks, the others a few fixed ones; a period is rounded as the driver
  rounds it (the longest not longer than the one asked for);
  pin.frequency then reports the one in force and the state is the
  fraction of that period. A frequency off by more than 5 % warns,
  except gpiozero's default of 100 Hz (LEDs and motors, which do not
  care). Two pins of a timer share its period: a clash is PinPWMError.
- Analog inputs: arduipi.AnalogInput (analog.py).
- watchdog=SECONDS holds the Nano's failsafe watchdog while the factory
  is open (the failsafe must be armed): a program that dies or is killed
  stops being the Nano's host, and the Nano puts its failsafe state in
  force (the motor car stops) within the watchdog's timeout.
- Closing: a pin's device closed leaves an output driven at its level
  (the Nano holds it, as it holds a GPIO line a program released) and a
  PWM channel off (low); gpiozero's factories for the Pi make every pin
  an input instead, but a floating input is no safe state for a motor
  driver's inputs. At exit the factory closes the devices on its pins,
  then itself (and the watchdog: no trip), as gpiozero does for its
  default factory; SIGTERM, unless the program handles it, exits so that
  this happens (sysfs PWM exports outlive a program).
"""
import atexit
import errno
import os
import select
import signal
import sys
import threading
import time
import warnings
from collections import namedtuple
from types import MethodType
from weakref import WeakMethod, ref

from gpiozero import (BadPinFactory, PinFixedPull, PinInvalidBounce,
                      PinInvalidEdges, PinInvalidFunction, PinInvalidPin,
                      PinInvalidPull, PinInvalidState, PinPWMError,
                      PinPWMFixedValue, PinPWMUnsupported, PinSetInput,
                      PinWarning)
from gpiozero.pins import Factory, Pin

from . import lines, pwm
from .nano import DIGITAL, I2C_PINS, PWM_TIMER, Nano, NanoError, pin_name

PinInfo = namedtuple("PinInfo", "number name names pull row col interfaces")
DEFAULT_HZ = 100  # gpiozero's PWMOutputDevice default


def _canon(spec):
    try:
        return pin_name(spec)
    except ValueError as e:
        raise PinInvalidPin(str(e)) from None


def _terminate(signum, frame):
    sys.exit(128 + signum)


def _locked(method):
    def locked(self, *args):
        with self._lock:
            return method(self, *args)
    return locked


def _close_at_exit(factory_ref):
    """The devices on a factory's pins, then the factory: gpiozero's exit
    handler does this for Device.pin_factory only, and after ours (atexit
    runs the last registered first): its threads (sources, blinks) are
    stopped first, as it would. A program ended by an uncaught exception
    leaves the watchdog without the magic close: the failsafe trips, as
    when a program is killed."""
    f = factory_ref()
    if f is None:
        return
    crashed = (getattr(sys, "last_exc", None) or
               getattr(sys, "last_value", None)) is not None
    try:
        from gpiozero.threads import _threads_shutdown
        _threads_shutdown()
    except Exception:
        pass
    for dev in f._devices():
        try:
            dev.close()
        except Exception:  # closing the rest matters more
            pass
    try:
        f.close(trip=crashed)
    except Exception:
        pass


class ArduiPiFactory(Factory):
    """The pins of the Nano at address (default 0x2a, or the only one the
    driver has) on bus; watchdog=SECONDS holds its failsafe watchdog."""

    def __init__(self, address=None, bus=None, watchdog=None):
        super().__init__()
        try:
            self.nano = Nano(address, bus)
        except NanoError as e:
            raise BadPinFactory("arduipi: %s" % e) from None
        self._pins = {}
        self._dog = None
        if watchdog is not None:
            self._hold_watchdog(watchdog)
        atexit.register(_close_at_exit, ref(self))
        # kill and systemd's stop send SIGTERM, which Python's default
        # ends the program with at once: its PWM channels stay exported in
        # sysfs, running. Unless the program handles it, exit as sys.exit
        # does, so that the exit handlers run.
        if (threading.current_thread() is threading.main_thread() and
                signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
            signal.signal(signal.SIGTERM, _terminate)

    # ---- reservations by the board's names (both gpiozero versions) ----
    # In the base class's _reservations, which gpiozero's exit handler
    # reads: the board's name -> [weakref to a device]
    def reserve_pins(self, requester, *names):
        with self._res_lock:
            for name in map(_canon, names):
                for r in self._reservations[name]:
                    other = r()
                    if other is not None and requester._conflicts_with(other):
                        from gpiozero import GPIOPinInUse
                        raise GPIOPinInUse("pin %s is already in use by %r" %
                                           (name, other))
                self._reservations[name].append(ref(requester))

    def release_pins(self, reserver, *names):
        with self._res_lock:
            for name in map(_canon, names):
                self._reservations[name] = [
                    r for r in self._reservations[name]
                    if r() not in (reserver, None)]

    def release_all(self, reserver):
        self.release_pins(reserver, *list(self._reservations))

    def _devices(self):
        with self._res_lock:
            return {d for refs in self._reservations.values() for r in refs
                    for d in (r(),) if d is not None}

    def pin(self, spec):
        name = _canon(spec)
        if name in I2C_PINS:
            raise PinInvalidPin(
                "%s is the Nano's I2C %s, wired to the Pi: it cannot be a "
                "GPIO" % (name, I2C_PINS[name]))
        if name not in DIGITAL:
            raise PinInvalidPin(
                "%s is an analog input only: use arduipi.AnalogInput(%r)" %
                (name, name))
        if name not in self._pins:
            self._pins[name] = NanoPin(self, name)
        return self._pins[name]

    def close(self, trip=False):
        """Every pin closed, then the watchdog: with the magic close (it
        stops with us), unless trip (the failsafe then acts)."""
        first = None
        try:
            for p in list(self._pins.values()):
                try:
                    p.close()
                except Exception as e:  # the others, the watchdog first
                    first = first or e
            self._pins.clear()
        finally:
            if self._dog is not None:
                self._dog_stop.set()
                self._dog_thread.join()
                if not trip:
                    os.write(self._dog, b"V")
                os.close(self._dog)
                self._dog = None
        if first is not None:
            raise first

    def ticks(self):
        return time.monotonic()

    def ticks_diff(self, later, earlier):
        return later - earlier

    def _get_board_info(self):
        return None

    def __repr__(self):
        return "<ArduiPiFactory %s>" % self.nano.name

    # ---- the failsafe's watchdog --------------------------------------
    def _hold_watchdog(self, seconds):
        try:
            path = self.nano.watchdog
        except NanoError as e:
            raise BadPinFactory("arduipi: %s" % e) from None
        import fcntl
        import struct
        self._dog = os.open(path, os.O_WRONLY)
        WDIOC_SETTIMEOUT = 0xc0045706
        try:
            fcntl.ioctl(self._dog, WDIOC_SETTIMEOUT,
                        struct.pack("i", max(1, int(round(seconds)))))
        except OSError as e:
            os.write(self._dog, b"V")
            os.close(self._dog)
            self._dog = None
            raise BadPinFactory("arduipi: watchdog timeout %s s: %s" %
                                (seconds, os.strerror(e.errno))) from None
        os.write(self._dog, b".")
        self._dog_stop = threading.Event()
        every = max(0.1, seconds / 4)

        def ping():
            while not self._dog_stop.wait(every):
                os.write(self._dog, b".")
        self._dog_thread = threading.Thread(target=ping, daemon=True,
                                            name="arduipi-watchdog")
        self._dog_thread.start()


class NanoPin(Pin):
    """One of the Nano's digital pins (gpiozero's Pin interface)."""

    def __init__(self, factory, name):
        super().__init__()
        self._factory = factory
        self._name = name
        self._number = DIGITAL.index(name)
        self._info = PinInfo(self._number, name, frozenset(
            {name, self._number, str(self._number)}), "", 0, 0,
            {"gpio": name, "pwm": name} if name in PWM_TIMER else
            {"gpio": name})
        self._line = lines.Line(factory.nano.gpiochip, self._number,
                                "gpiozero")
        self._function = "input"
        self._pull = "floating"
        self._edges = "both"
        self._bounce = None
        self._value = 0
        self._pwm = None        # the PWM channel while frequency is set
        self._freq = None       # (asked Hz, period ns in force)
        self._duty = 0.0
        self._when_changed = None
        self._wc_lock = threading.RLock()
        # the line and the PWM channel: a source thread's writes against
        # a close or a frequency change (the line is released meanwhile)
        self._lock = threading.RLock()
        self._thread = None
        self._stop = None
        self._closed = False
        self._closing = False
        self._had_pwm = False
        self._parked = None     # an input's callback while it is an output
        # as the line is: an output the Nano holds (a program before this
        # one) keeps its level until a device says otherwise
        self._request(as_is=True)
        if self._line.is_output():
            self._function = "output"
            self._value = self._line.get()

    def __repr__(self):
        return self._name

    @property
    def number(self):
        return self._number

    @property
    def factory(self):
        return self._factory

    def _get_info(self):
        return self._info

    def _request(self, retry=True, as_is=False):
        try:
            self._line.request(
                as_is=as_is,
                output=self._function == "output", value=self._value,
                pull_up=self._pull == "up",
                # with bounce both: the level it settles at is reported
                edges=(("both" if self._bounce else self._edges)
                       if self._when_changed else None))
        except OSError as e:
            if e.errno == errno.EBUSY and retry and self._pwm_left():
                return self._request(False, as_is)
            raise PinInvalidPin(self._why(e)) from None

    def _pwm_left(self):
        """The pin's PWM channel exported in sysfs holds the line (the
        driver keeps a pin PWM or GPIO): exports outlive the programs that
        made them. An idle one (disabled: a program killed, and the
        failsafe's trip) is unexported; True if it was."""
        if self._name not in PWM_TIMER:
            return False
        ch = pwm.Pwm(self._factory.nano.pwmchip, self._name)
        if not os.path.isdir(ch.dir):
            return False
        if ch.read("enable") == "1":
            raise PinInvalidPin(
                "%s runs PWM for another program (%s is exported and "
                "enabled): stop it, or echo %d >%s/unexport" %
                (self, ch.dir, ch.channel, ch.chip))
        ch.exported = True
        ch.close()
        return True

    def _why(self, e):
        if e.errno in (errno.ENXIO, errno.ENODEV) and self._when_changed:
            return "%s: edge events need the Nano's INT line to the Pi, " \
                "and the overlay has none (noints)" % self._name
        if e.errno in (errno.EBUSY, errno.EINVAL):
            try:
                user = self._line.user()
            except OSError:
                user = None
            if user == "":
                # gpiolib shows the lines outside the valid mask as used
                return "%s is not offered by the driver: it is the " \
                    "Nano's INT line to the Pi" % self._name
            if user:
                return "%s is in use by %r (a PWM channel, a kernel " \
                    "driver or another program)" % (self._name, user)
        return "%s: %s" % (self._name, os.strerror(e.errno))

    def close(self):
        """Released: an output stays driven at its level, an input an
        input; a PWM channel is switched off (its pin low) and given
        back."""
        if self._closed or self._closing:
            return
        self._closing = True
        try:
            self.when_changed = None
            with self._lock:
                if self._pwm is not None:
                    self._pwm.close()
                    self._pwm = self._freq = None
                    self._value = 0
                    self._request()
                elif self._had_pwm and self._function == "output":
                    # low, whatever a source thread wrote as PWM stopped
                    # (gpiozero stops PWM before the device's source)
                    self._line.set(0)
        finally:
            with self._lock:
                self._line.release()
            self._factory._pins.pop(self._name, None)
            self._closed = True
            self._closing = False

    # ---- function, state, pull -----------------------------------------
    def _get_function(self):
        return self._function

    def _set_function(self, value):
        if value not in ("input", "output"):
            raise PinInvalidFunction(
                'invalid function "%s" for pin %s: input or output' %
                (value, self._name))
        self._park()  # first: it joins the edge thread
        with self._lock:
            if self._pwm is not None:
                self.frequency = None
            if value != self._function:
                self._function = value
                if value == "output":
                    self._value = 0
                self._request()
        if value == "input":
            self._unpark()

    def output_with_state(self, state):
        self._park()
        with self._lock:
            if self._pwm is not None:
                self.frequency = None
            self._function = "output"
            self._value = 1 if state else 0
            self._request()

    def _park(self):
        """Edges off; an input's callback kept for when it is an input
        again (gpiozero's LightSensor switches its pin back and forth)."""
        if self._when_changed is not None:
            self._parked = self._when_changed
            self.when_changed = None

    def _unpark(self):
        wc, self._parked = self._parked, None
        cb = None if wc is None else wc()
        if cb is not None and self._when_changed is None:
            self.when_changed = cb

    @_locked
    def _get_state(self):
        if self._pwm is not None:
            return self._duty
        return self._line.get()

    @_locked
    def _set_state(self, value):
        if self._pwm is not None:
            if not 0 <= value <= 1:
                raise PinInvalidState(
                    'invalid state "%s" for pin %s: 0..1' % (value, self))
            self._duty = float(value)
            self._pwm.duty(int(round(value * self._freq[1])))
        elif self._function == "input":
            raise PinSetInput("cannot set the state of input pin %s" % self)
        else:
            self._value = 1 if value else 0
            self._line.set(self._value)

    def _get_pull(self):
        return self._pull

    def _set_pull(self, value):
        if self._function != "input":
            raise PinFixedPull("cannot set the pull of output pin %s" % self)
        if value not in ("up", "down", "floating"):
            raise PinInvalidPull('invalid pull "%s" for pin %s' %
                                 (value, self))
        if value == "down":
            warnings.warn(PinWarning(
                "%s: the Nano has no pull-down resistors, the pin floats: "
                "a sensor must drive it, or fit 10k to GND" % self))
        if value != self._pull:
            f = self.when_changed
            self.when_changed = None
            with self._lock:
                self._pull = value
                self._request()
            self.when_changed = f

    # ---- PWM --------------------------------------------------------------
    def _get_frequency(self):
        return None if self._freq is None else 1e9 / self._freq[1]

    @_locked
    def _set_frequency(self, value):
        if value is None or value == 0:
            if self._pwm is not None:
                self._pwm.close()
                self._pwm = self._freq = None
                self._value = 0
                self._request()
            return
        if self._name not in PWM_TIMER:
            raise PinPWMUnsupported(
                "%s has no hardware PWM: use D3, D5, D6, D9, D10 or D11" %
                self)
        if self._function != "output":
            raise PinPWMFixedValue("cannot start PWM on input pin %s" % self)
        mhz = self._factory.nano.mhz
        try:
            period = pwm.period_ns(self._name, 1e9 / value, mhz)
        except pwm.PwmError as e:
            raise PinPWMError(str(e)) from None
        if (abs(period * value / 1e9 - 1) > 0.05 and value != DEFAULT_HZ):
            warnings.warn(PinWarning(
                "%s runs at %s, not %g Hz: timer%d makes %s (D9 and D10 "
                "make any frequency)" % (self, pwm.hz(period), value,
                                         PWM_TIMER[self._name],
                                         pwm.choices(self._name, mhz))))
        if self._pwm is None:
            self._line.release()
            ch = pwm.Pwm(self._factory.nano.pwmchip, self._name)
            try:
                ch.open()
            except OSError as e:
                self._request()
                raise PinPWMError("%s: cannot have its PWM channel: %s" %
                                  (self, os.strerror(e.errno))) from None
            self._pwm = ch
            self._duty = 0.0
        try:
            self._pwm.set(period, int(round(self._duty * period)))
        except OSError as e:
            msg = self._clash(period) if e.errno == errno.EBUSY else \
                "%s: %s" % (self, os.strerror(e.errno))
            if self._freq is None:  # not started: the pin as it was
                self._pwm.close()
                self._pwm = None
                self._request()
            raise PinPWMError(msg) from None
        self._freq = (value, period)
        self._had_pwm = True

    def _clash(self, period):
        # the other pin of this pin's timer
        sib = next(p for p, t in PWM_TIMER.items()
                   if t == PWM_TIMER[self._name] and p != self._name)
        other = self._factory._pins.get(sib)
        now = ""
        if other is not None and other._freq is not None:
            now = " at %s" % pwm.hz(other._freq[1])
        return ("%s: timer%d's pins %s and %s share one period, and %s runs "
                "another%s: give both the same frequency, or use another "
                "timer's pins (%s wanted %s)" %
                (self, PWM_TIMER[self._name],
                 *sorted((self._name, sib), key=lambda n: int(n[1:])),
                 sib, now, self, pwm.hz(period)))

    # ---- edges ------------------------------------------------------------
    def _get_bounce(self):
        return self._bounce

    def _set_bounce(self, value):
        if value is not None and value < 0:
            raise PinInvalidBounce("bounce must be 0 or greater")
        f = self.when_changed  # the edges asked for depend on it
        self.when_changed = None
        self._bounce = value or None
        self.when_changed = f

    def _get_edges(self):
        return self._edges

    def _set_edges(self, value):
        if value not in ("both", "rising", "falling"):
            raise PinInvalidEdges('invalid edges "%s" for pin %s' %
                                  (value, self))
        f = self.when_changed
        self.when_changed = None
        self._edges = value
        self.when_changed = f

    def _get_when_changed(self):
        wc = self._when_changed  # once: another thread may clear it
        return None if wc is None else wc()

    def _set_when_changed(self, value):
        with self._wc_lock:
            was = self._when_changed is not None
            if value is None:
                self._when_changed = None
                t = self._events_off() if was else None
            else:
                if not was and self._function != "input":
                    raise PinSetInput(
                        "edges need an input: %s is an output" % self)
                self._when_changed = (WeakMethod(value)
                                      if isinstance(value, MethodType)
                                      else ref(value))
                t = None
                if not was:
                    try:
                        self._events_on()
                    except BaseException:
                        self._when_changed = None
                        raise
        if t is None:
            return
        # outside _wc_lock (a callback may be waiting on it); the line is
        # requested again without edges once the thread let go of it (a
        # request while it polls the old one is EBUSY), or at once from
        # the thread itself (a callback that clears it: not polling)
        if t is not threading.current_thread():
            t.join(10)
        with self._lock:
            if (not self._closing and self._thread is None and
                    self._when_changed is None):
                self._request()

    def _events_on(self):
        self._request()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(self._stop,), daemon=True,
            name="arduipi-%s" % self._name)
        self._thread.start()

    def _events_off(self):
        """Tell the edge thread to stop; the thread, for the caller to
        join."""
        t, self._thread = self._thread, None
        if self._stop is not None:
            self._stop.set()
            self._stop = None
        return t

    def _watch(self, stop):
        """The edge thread. With bounce, an edge is reported once the line
        has been quiet for bounce, as the level it settled at (if that
        differs from the last one reported), with the last edge's time."""
        p = select.poll()
        p.register(self._line.fileno(), select.POLLIN)
        reported = self._line.get()
        pending = None
        while not stop.is_set():
            if p.poll(20):
                if stop.is_set():  # the request may be gone
                    return
                evs = self._line.events()
                if not self._bounce:
                    for rising, ts in evs:
                        self._fire(stop, ts / 1e9, 1 if rising else 0)
                elif evs:
                    pending = evs[-1][1] / 1e9
            elif (pending is not None and
                  time.monotonic() - pending >= self._bounce):
                level = self._line.get()
                if level != reported and self._edges in (
                        "both", ("falling", "rising")[level]):
                    self._fire(stop, pending, level)
                reported = level
                pending = None

    def _fire(self, stop, ticks, level):
        cb = self._get_when_changed()
        if cb is None or stop.is_set():
            return
        try:
            cb(ticks, level)
        except Exception:
            # a program's callback that fails: said as threads say it,
            # and the next edge still comes
            threading.excepthook(threading.ExceptHookArgs(
                (*sys.exc_info(), threading.current_thread())))
