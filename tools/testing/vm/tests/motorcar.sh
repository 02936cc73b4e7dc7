#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest with the ArduiPi driver, failsafe_ms=250 (6.18 arm64) or 500 and the
# overlays examples/car/arduipi-car.dts and tests/motorcar.dtso: the
# motor car of examples/car/car.sh and car.py (copied to /twin), exactly as
# a user runs them, checked on the simulated Nano's pins; the failsafe when the
# Pi hangs (the guest paused) or the cable is pulled (the bus muted), on
# unbind and at shutdown; the pwm-leds consumer.
#   D6/D9: ENA/ENB (PWM), D7 D8 / D10 D11: IN1 IN2 / IN3 IN4
. /usr/share/twin/lib.sh

# the commands of Documentation/car.rst run as shown there, from /twin
mkdir -p /twin/examples/car
cp /twin/car.sh /twin/car.py /twin/examples/car/
cd /twin
car=/twin/car.sh
# The host-loss timeout, from the overlay's failsafe_ms in the device tree:
# 250 ms on 6.18 arm64, 500 elsewhere (slower emulation: twin-tests.sh);
# the boot runs alone.
TIMEOUT=$(($(hexdump -v -e '4/1 "%02x"' \
	"/proc/device-tree$(cat /proc/device-tree/aliases/i2c1)/arduipi@2a/arduipi,failsafe-timeout-ms" |
	sed 's/^/0x/')))
led=/sys/class/leds/nano:green:d3
modprobe leds_pwm
for i in $(seq 50); do [ -d "$led" ] && break; usleep 20000; done

# The four direction pins, as the simulator sees them.
dirs() {
	p=$(simctl pins)
	echo "$(echo "$p" | cut -c8)$(echo "$p" | cut -c9)$(echo "$p" | cut -c11)$(echo "$p" | cut -c12)"
}

trips() {
	dmesg | grep -c "failsafe tripped: no word from the host for $TIMEOUT ms"
}

# libgpiod v1 and its Python bindings (python3) where the kernel serves
# uAPI v1 (lib.sh); else car.rst's commands run with v2's tools and
# bindings in their place, as a user of such a kernel must.
tools1="libgpiod v1" bind1="python3-libgpiod 1.6"
if ! gpio_v1 "the car with libgpiod v1"; then
	PATH=$v2:$PATH
	python3() { PYTHONPATH=/opt/gpiod2/python python3.13 "$@"; }
	tools1="libgpiod v2, no uAPI v1" bind1="python3-libgpiod 2.x, no uAPI v1"
fi

t_run "1 the failsafe is armed, latched" \
	sh -c "dmesg | grep -q 'failsafe: PWM off and lines to their safe levels after $TIMEOUT ms without the host, until a program sets them again'"

# What a program sees of a trip: poll() on failsafe_trips wakes (sysfs_notify)
# and a change uevent of the Nano's device carries the count. fswait starts
# listening, says "ready", and prints both (or "None") within 20 s.
fs=/sys/bus/i2c/devices/1-002a/failsafe_trips
cat >/tmp/fswait.py <<'EOF2'
import select, socket, sys, time
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)  # KOBJECT_UEVENT
nl.bind((0, 1))
f = open(sys.argv[1])
f.read()
p = select.poll()
p.register(f, select.POLLPRI | select.POLLERR)
p.register(nl, select.POLLIN)
print("ready", flush=True)
polled = uevent = None
end = time.time() + 20
while (polled is None or uevent is None) and time.time() < end:
    for fd, ev in p.poll(1000):
        if fd == f.fileno():
            f.seek(0)
            polled = f.read().strip()
            p.unregister(f)
        else:
            m = nl.recv(8192).split(b"\0")
            if m[0].startswith(b"change@") and m[0].endswith(b"/1-002a"):
                uevent = " ".join(x.decode() for x in m[1:] if x.startswith(b"ARDUIPI_"))
print("poll", polled)
print("uevent", uevent)
EOF2
fswait_start() {
	python3 /tmp/fswait.py "$fs" >/tmp/fswait 2>&1 &
	fswait=$!
	for i in $(seq 100); do grep -q ready /tmp/fswait && break; usleep 50000; done
}

# ---- the car, with the v1 tools (bookworm) and the v2 tools (trixie) -------
# 60 %: D6 (timer0 /64, 4 us ticks) 153 ticks, D9 (timer1 /8) 1228 ticks
t_run "2 car.sh forward 60 ($tools1)" examples/car/car.sh forward 60
t_eq "3 forward: IN1 IN2 IN3 IN4 = 1 0 1 0" 1010 "$(dirs)"
t_pwm "4 forward: ENA (D6) 977 Hz at 60 %" D6 1024000 612000
t_pwm "5 forward: ENB (D9) 977 Hz at 60 %" D9 1024000 614000
t_run "6 car.sh backward 40 (libgpiod v2)" env PATH="/opt/gpiod2/bin:$PATH" sh "$car" backward 40
t_eq "7 backward: IN1 IN2 IN3 IN4 = 0 1 0 1" 0101 "$(dirs)"
t_pwm "8 backward: ENA at 40 %" D6 1024000 408000
t_pwm "9 backward: ENB at 40 %" D9 1024000 409500
t_run "10 car.sh stop" examples/car/car.sh stop
t_eq "11 stop: all direction pins low" 0000 "$(dirs)"
t_pwm "12 stop: ENA steady low" D6 0 steady
t_pwm "13 stop: ENB steady low" D9 0 steady
t_fails_with "14 car.sh forward 150: refused" "not a percentage" sh "$car" forward 150
t_fails_with "15 car.sh sideways: usage" "usage" sh "$car" sideways

# ---- the same from Python: gpiod v1 bindings (bookworm), v2 (trixie) ------
# 70 %: D6 179 ticks of 4 us, D9 1433 of 0.5 us; 30 %: 76 and 614
t_run "15.1 car.py forward 70 ($bind1)" python3 examples/car/car.py forward 70
t_eq "15.2 forward: 1 0 1 0" 1010 "$(dirs)"
t_pwm "15.3 forward: ENA at 70 %" D6 1024000 716000
t_pwm "15.4 forward: ENB at 70 %" D9 1024000 716500
t_run "15.5 car.py backward 30 (python3-libgpiod 2.x)" \
	env PYTHONPATH=/opt/gpiod2/python python3.13 /twin/car.py backward 30
t_eq "15.6 backward: 0 1 0 1" 0101 "$(dirs)"
t_pwm "15.7 backward: ENA at 30 %" D6 1024000 304000
t_pwm "15.8 backward: ENB at 30 %" D9 1024000 307000
t_run "15.9 car.py stop" python3 examples/car/car.py stop
t_run "15.9.1 car.py backward 30 ($bind1)" python3 examples/car/car.py backward 30
t_eq "15.9.2 ... backward" 0101 "$(dirs)"
t_run "15.9.3 car.sh backward 40 ($tools1)" examples/car/car.sh backward 40
t_eq "15.9.4 ... backward" 0101 "$(dirs)"
python3 examples/car/car.py stop
t_eq "15.10 stop: 0 0 0 0" 0000 "$(dirs)"
t_pwm "15.11 stop: ENB steady low" D9 0 steady
t_fails_with "15.12 car.py forward fast: refused" "car.py: speed 'fast' is not a percentage" \
	python3 /twin/car.py forward fast

# ---- car.rst's "inside": one gpioset, the PWM class -------------------------
t_eq "15.13 the Nano is gpiochip2, its PWM chip pwmchip0" "gpiochip2 pwmchip0" \
	"$(nano_gpiochip 2a) $(basename "$(nano_pwm 2a)")"
if [ -n "$GPIO_V1" ]; then
	gpioset gpiochip2 7=1 8=0 10=1 11=0
else
	gpioset -t 0 -c gpiochip2 7=1 8=0 10=1 11=0
fi
t_eq "15.14 gpioset gpiochip2 7=1 8=0 10=1 11=0 ($tools1): forward" 1010 "$(dirs)"
echo 6 > /sys/class/pwm/pwmchip0/export 2>/dev/null
echo 1024000 > /sys/class/pwm/pwmchip0/pwm6/period
echo 614400 > /sys/class/pwm/pwmchip0/pwm6/duty_cycle
echo 1 > /sys/class/pwm/pwmchip0/pwm6/enable
t_pwm "15.15 ENA through the PWM class: 60 %" D6 1024000 612000
examples/car/car.sh stop

# ---- a live Pi never trips it ------------------------------------------------
examples/car/car.sh forward 60
sleep 3
t_eq "16 3 s of normal running: no trip" 0 "$(trips)"
t_pwm "17 ... ENB still at 60 %" D9 1024000 614000

# ---- the Pi hangs: the guest stops for a second ------------------------------
t_eq "17.1 failsafe_trips: 0" 0 "$(cat $fs)"
fswait_start
e=$(simctl bus pause 1000 2a edges D6 D7 D8 D9 D10 D11)
echo "# while paused: $e"
lvl() { edge_field "$e" "$1=" | cut -c1; }
end=$(edge_field "$e" end=)
d7=$(edge_field "$e" D7=0@)
t_eq "18 Pi hung: D6 D7 D8 D9 D10 D11 all low" 000000 \
	"$(lvl D6)$(lvl D7)$(lvl D8)$(lvl D9)$(lvl D10)$(lvl D11)"
late=$(awk "BEGIN { printf \"%d\", ($d7 - $end) / 1000 }" 2>/dev/null)
echo "# safe state $late us after the Pi's last transaction (timeout $TIMEOUT ms)"
t_run "19 ... in force $TIMEOUT ms after the last word, not before, at most 2 timer0 ticks + 1 ms late" \
	test -n "$late" -a "${late:-0}" -ge $((TIMEOUT * 1000)) -a "${late:-0}" -le $((TIMEOUT * 1000 + 3048))
for i in $(seq 40); do [ "$(trips)" -ge 1 ] && break; usleep 100000; done
t_eq "20 the Pi back: the driver logs the trip" 1 "$(trips)"
wait_for 25 $fswait
t_eq "20.1 ... poll() on failsafe_trips wakes with 1, a change uevent says so" \
	"poll 1/uevent ARDUIPI_FAILSAFE_TRIPS=1" "$(tr '\n' / </tmp/fswait | sed 's/^ready\///; s/\/$//')"
usleep 500000
t_eq "21 ... the directions stay low (latched)" 0000 "$(dirs)"
t_pwm "22 ... and ENB stays off" D9 0 steady
pwm=$(nano_pwm 2a)
t_eq "22.1 ... the PWM class says ENA and ENB are off" "0 0" \
	"$(cat "$pwm/pwm6/enable") $(cat "$pwm/pwm9/enable")"
t_eq "22.2 ... the GPIO lines read back low" '"7"=inactive "8"=inactive "10"=inactive "11"=inactive' \
	"$($v2/gpioget -a -c "$(nano_gpiochip 2a)" 7 8 10 11)"
t_run "22.3 a program drives again: car.sh forward 60" examples/car/car.sh forward 60
t_eq "22.4 ... forward" 1010 "$(dirs)"
t_pwm "22.5 ... ENB at 60 %" D9 1024000 614000

# ---- the cable is pulled for 1.5 s -------------------------------------------
simctl bus mute 1500 >/dev/null
usleep 700000
t_eq "23 cable pulled: the Nano stopped the motors" "000000" \
	"$(simctl pins | cut -c7-12)"
for i in $(seq 60); do [ "$(trips)" -ge 2 ] && break; usleep 100000; done
t_eq "24 the cable back: the trip is logged, failsafe_trips 2" "2 2" "$(trips) $(cat $fs)"
usleep 500000
t_eq "25 ... and the car stays stopped" "0000 0 0" \
	"$(dirs) $(cat "$pwm/pwm6/enable") $(cat "$pwm/pwm9/enable")"

# ---- the Nano resets while the car runs: a trip as well ----------------------
# (a brown-out from a stalled motor must not restart it): the failsafe's
# outputs stay safe, the rest (D13, not a failsafe line) comes back.
examples/car/car.sh forward 60
$v2/gpioset -t 0 -c "$(nano_gpiochip 2a)" 13=1
for cause in wdt bor; do
	n=$(cat $fs)
	simctl reset $cause >/dev/null
	for i in $(seq 40); do [ "$(cat $fs)" -gt "$n" ] && break; usleep 100000; done
	t_eq "25.1 reset ($cause) while driving: counted as a trip" $((n + 1)) "$(cat $fs)"
	t_eq "25.2 ($cause) ... D13 written back high, the car stopped and off in the PWM class" \
		"1 out 0 0000 0 0" \
		"$(simctl pin D13) $(dirs) $(cat "$pwm/pwm6/enable") $(cat "$pwm/pwm9/enable")"
	t_pwm "25.3 ($cause) ... ENB off" D9 0 steady
	examples/car/car.sh forward 60
done
t_run "25.4 ... the log says what stays safe" \
	sh -c "dmesg | grep -q 'with the failsafe armed: configuration restored, the failsafe.s outputs stay safe until a program sets them again'"
t_eq "25.5 the car drives again after its program says so" 1010 "$(dirs)"
examples/car/car.sh stop

# ---- the program holds the Nano's watchdog (car.py/car.sh SECONDS) ---------
wd=$(ls -d /sys/bus/i2c/devices/1-002a/watchdog/watchdog* 2>/dev/null | head -n1)
wdev=/dev/${wd##*/}
wdctl "$wdev" | sed 's/^/# /'
t_eq "25.6 wdctl: the Nano's watchdog, 1 s" "ArduiPi Nano failsafe/1 second" \
	"$(wdctl "$wdev" | sed -n 's/^Identity: *\(.*\) \[version.*/\1/p; s/^Timeout: *//p' | tr '\n' / | sed 's/\/$//')"
t_eq "25.7 ... not running while no program has it open" inactive "$(cat "$wd/state")"
n=$(cat $fs)
python3 examples/car/car.py forward 60 30 &
job=$!
for i in $(seq 100); do
	[ "$(dirs) $(cat "$wd/state")" = "1010 active" ] && break
	usleep 50000
done
t_eq "25.8 car.py forward 60 30: driving, holding the watchdog" "1010 active" \
	"$(dirs) $(cat "$wd/state")"
usleep 1500000
t_eq "25.9 ... its pings keep the car going past the timeout" "1010 $n" "$(dirs) $(cat $fs)"
# python itself, not a shell around it (python3 may be a function here)
for d in /proc/[0-9]*; do
	case $(readlink "$d/exe" 2>/dev/null) in
	*python*) tr '\0' ' ' <"$d/cmdline" | grep -q "car.py forward 60 30" && car=${d#/proc/} ;;
	esac
done
t0=$(simctl time | cut -d' ' -f2)
kill -9 $car
for i in $(seq 60); do [ "$(dirs)" = 0000 ] && break; usleep 50000; done
e=$(simctl edges D7 D9)
echo "# killed at $t0 ns: $e"
d9=$(edge_field "$e" D9=0@)
late=$(( (${d9:-0} - t0) / 1000000 ))
# 1 s after the kernel's ping at the program's file's release (after the
# kill: never sooner), plus how long the kill and the release take
t_run "25.10 car.py killed (SIGKILL): ENB off ${late} ms later (timeout 1 s)" \
	test -n "$d9" -a "$late" -ge 1000 -a "$late" -le 1500
t_eq "25.11 ... the car stopped" 0000 "$(dirs)"
wait $job 2>/dev/null
for i in $(seq 40); do [ "$(cat $fs)" -gt "$n" ] && break; usleep 100000; done
t_eq "25.12 ... counted as a trip, latched: off in the PWM class" "$((n + 1)) 0 0" \
	"$(cat $fs) $(cat "$pwm/pwm6/enable") $(cat "$pwm/pwm9/enable")"
t_run "25.13 ... the log names the watchdog" \
	sh -c "dmesg | grep -q 'watchdog: the program that opened it stopped pinging, the Nano went to its safe state'"
n=$(cat $fs)
t_run "25.14 car.sh forward 40 2: drives 2 s holding the watchdog, stops, closes it" \
	examples/car/car.sh forward 40 2
t_eq "25.15 ... magic close: the watchdog stopped, the car too" "inactive 0000" \
	"$(cat "$wd/state") $(dirs)"
usleep 1500000
t_eq "25.16 ... and no trip after its timeout" "$n" "$(cat $fs)"
printf V >"$wdev"
t_eq "25.17 ... a program that opens it and leaves with 'V' stops it again" inactive "$(cat "$wd/state")"
# The ioctls a watchdog daemon uses: timeout 2 s, keepalives 1.2 s apart.
cat >/tmp/wdioc.py <<'EOF2'
import fcntl, os, struct, subprocess, sys, time
GETSTATUS, KEEPALIVE, SETTIMEOUT, GETTIMEOUT = 0x80045701, 0x80045705, 0xc0045706, 0x80045707
def ioc(fd, req, v=0):
    return struct.unpack("i", fcntl.ioctl(fd, req, struct.pack("i", v)))[0]
fd = os.open(sys.argv[1], os.O_WRONLY)
print("set", ioc(fd, SETTIMEOUT, 2), "get", ioc(fd, GETTIMEOUT))
print("nano", subprocess.run(["i2cget", "-f", "-y", "1", "0x2a", "0xdf"],
                             capture_output=True, text=True).stdout.strip())
for i in range(3):
    time.sleep(1.2)
    ioc(fd, KEEPALIVE)
print("status", ioc(fd, GETSTATUS) >= 0)
os.write(fd, b"V")
os.close(fd)
EOF2
n=$(cat $fs)
t_eq "25.18 WDIOC_SETTIMEOUT 2, GETTIMEOUT; the Nano counts 2 s; KEEPALIVE; GETSTATUS" \
	"set 2 get 2/nano 0x02/status True" "$(python3 /tmp/wdioc.py "$wdev" 2>&1 | tr '\n' / | sed 's/\/$//')"
t_eq "25.19 ... 3.6 s of keepalives 1.2 s apart: no trip; closed with 'V'" "$n inactive 2" \
	"$(cat $fs) $(cat "$wd/state") $(cat "$wd/timeout")"

# ---- an in-kernel consumer: pwm-leds on D3 ------------------------------------
t_run "26 pwm-leds has its LED on D3" test -w "$led/brightness"
echo 128 >"$led/brightness"
# 2048000 ns * 128 / 255, in timer2 /128 ticks of 8 us: 128 ticks
t_pwm "27 brightness 128: D3 at 1024 us of 2048 us" D3 2048000 1024000
echo 255 >"$led/brightness"
t_pwm "28 brightness 255: D3 steady high" D3 1 steady
echo 0 >"$led/brightness"
t_pwm "29 brightness 0: D3 steady low" D3 0 steady
t_fails_with "30 D3 belongs to the LED: no gpioset" "busy" \
	$v2/gpioset -t 0 -c "$(nano_gpiochip 2a)" 3=1
# motorcar.dtso's gpio-keys buttons name D3 and D5 as interrupts, without a
# GPIO request: D3 is refused as well, D5 is free and then no PWM channel.
# gpio-keys is a module on arm64 and built in on armhf (armmp), where its
# devices gave up waiting for the Nano at boot: bind them now.
keys=/sys/bus/platform/drivers/gpio-keys
modprobe gpio_keys
for k in keys-d3 keys-d5; do
	[ -e "$keys/$k" ] || echo "$k" >"$keys/bind" 2>/dev/null
done
t_run "30.1 ... nor an interrupt (gpio-keys), the log says why" \
	sh -c "dmesg | grep -q 'D3 is in use as PWM: release it before using it as an interrupt'"
t_eq "30.2 ... that gpio-keys did not bind; the one on D5 did" "no yes" \
	"$(test -e $keys/keys-d3 && echo yes || echo no) $(test -e $keys/keys-d5 && echo yes || echo no)"
t_fails_with "30.3 D5, a button's interrupt: no PWM export, EBUSY" "busy" \
	sh -c "echo 5 >$(nano_pwm 2a)/export"
t_run "30.4 ... the log says why" \
	sh -c "dmesg | grep -q 'D5 is in use as an interrupt: release it before using it as PWM'"
# The D5 button may wake the system (wakeup-source): gpio-keys makes its
# interrupt a wake source at suspend, which the Nano's irqchip must accept.
# Suspend to idle, the devices stage only (pm_test), for 1 s: the driver
# stops polling, so the failsafe (250 or 500 ms) trips, and at resume the driver
# asks the Nano at once and writes the configuration back.
# Where the twin does not come back from this suspend, it is not tried:
# Debian's 6.12 hangs in device suspend once motorcar.dtso's devices that
# use the Nano exist (without them it resumes, driver and all); 7.x even
# without the overlay (run-guest -k newest --no-overlay and the same two
# writes to /sys/power). Not understood yet: 6.18 is where it runs.
case $(uname -r) in
6.12.* | 7.*)
	for t in "30.5 suspend" "30.6 ... no wake-up refused" "30.6.1 ... INT a wake-up interrupt while the Pi slept" "30.7 ... the trip taken at resume" \
		"30.8 a controller that cannot wake: the suspend refused" "30.9 ... the log says why"; do
		t_ok "$t # SKIP this kernel line does not resume from suspend to idle in the twin"
	done
	;;
*)
	log_mark
	echo devices >/sys/power/pm_test
	echo 1 >/sys/module/suspend/parameters/pm_test_delay
	t_run "30.5 suspend with a wake-up button on D5: devices suspended and resumed" \
		sh -c 'echo freeze >/sys/power/state'
	echo none >/sys/power/pm_test
	usleep 300000
	t_eq "30.6 ... no wake-up refused" 0 "$(log_since | grep -c 'failed to configure IRQ')"
	# gpio-keys arms D5 at its suspend, which comes after the driver's (INT:
	# the Pi's GPIO 4, run-guest's default)
	t_eq "30.6.1 ... INT armed as a wake-up interrupt of the Pi's GPIO controller while the Pi slept, disarmed after" \
		"1 1" "$(log_since | grep -c "GPIO 4: wake-up armed") $(log_since | grep -c "GPIO 4: wake-up disarmed")"
	t_eq "30.7 ... the trip while the Pi slept taken at resume" 1 \
		"$(log_since | grep -c 'failsafe tripped: no word from the host')"
	# A Pi 1-4's GPIO controller has no wake interrupts: the wake-up is
	# refused, as for a button on the Pi's own GPIO, and so is the suspend
	echo N >/sys/module/twin_link/parameters/wake_capable
	log_mark
	echo devices >/sys/power/pm_test
	t_fails_with "30.8 a GPIO controller that cannot wake (a Pi 1-4's): the suspend refused" \
		"Invalid argument" sh -c 'echo freeze >/sys/power/state'
	echo none >/sys/power/pm_test
	echo Y >/sys/module/twin_link/parameters/wake_capable
	t_eq "30.9 ... the log says why" 1 \
		"$(log_since | grep -c "line D5 cannot wake the system: INT's interrupt controller refuses (-22); a Pi 1-4's GPIO cannot wake it")"
	;;
esac

# ---- unbinding: the safe state on purpose, at once ---------------------------
echo 128 >"$led/brightness"
examples/car/car.sh forward 60
rmmod leds_pwm
rmmod gpio_keys 2>/dev/null || for k in keys-d3 keys-d5; do
	[ -e "$keys/$k" ] && echo "$k" >"$keys/unbind"
done
echo 6 >"$(nano_pwm 2a)/unexport"
echo 9 >"$(nano_pwm 2a)/unexport"
n=$(trips)
t_run "31 rmmod arduipi" rmmod arduipi
e=$(simctl edges D7 D9)
echo "# after rmmod: $e"
end=$(edge_field "$e" end=)
d7=$(edge_field "$e" D7=0@)
t_run "32 ... D7 went low within 20 ms of the driver's last words, not by timeout" \
	test -n "$d7" -a $(((${d7:-0} - ${end:-0}) / 1000000)) -lt 20
t_eq "33 ... the motors are stopped" "000000" "$(simctl pins | cut -c7-12)"
t_eq "34 ... and the timeout disarmed" 0x0000 "$(i2cget -y 1 0x2a 0x80 w)"
usleep 500000
i2cset -y 1 0x2a 0x59 0x00	# ERROR: the last refusal, if any, is older
t_eq "35 ... so i2c-tools can drive D7 without a trip" "0x00" \
	"$(i2cset -y 1 0x2a 0x07 0x01 && usleep 400000 && i2cget -y 1 0x2a 0x59)"

# ---- the Nano alone after any reset: its boot state -------------------------
t_eq "35.1 the driver stored the boot state once: the failsafe's lines low" 1 \
	"$(dmesg | grep -c "boot state stored in the Nano's EEPROM: the failsafe's lines at their safe levels, every other line an input")"
t_eq "35.2 ... arduipi boot shows it" "D6=low D7=low D8=low D9=low D10=low D11=low" \
	"$(arduipi boot)"
i2cset -y 1 0x2a 0x07 0x00
settle
for cause in por ext bor wdt; do
	t0=$(simctl time | cut -d' ' -f2)
	simctl reset $cause >/dev/null
	p=$(for l in D6 D7 D8 D9 D10 D11; do simctl pin $l; done | tr '\n' /)
	e=$(simctl edges D6 D7 D8 D9 D10 D11)
	late=$(echo "$e" | tr ' ' '\n' | sed -n 's/^D[0-9]*=[01]@//p' |
		awk -v t="$t0" '$1 > t { n++ } END { print n + 0 }')
	t_eq "35.3 $cause reset, no driver: ENA IN1 IN2 ENB IN3 IN4 low outputs, no edge since" \
		"0 out 0/0 out 0/0 out 0/0 out 0/0 out 0/0 out 0/ 0" "$p $late"
done

# ---- shutdown: twin-tests.sh checks the pins after the guest powered off ----
modprobe arduipi
wait_gpiochip 2a
examples/car/car.sh forward 60
t_eq "36 loaded again: the car runs" 1010 "$(dirs)"
t_eq "36.0 ... the boot state not written again (EEPROM wear)" 1 \
	"$(dmesg | grep -c "boot state stored in the Nano's EEPROM")"
usleep 300000
t_eq "36.1 ... and the unbind's own trip is not logged as a trip" "$n" "$(trips)"
dmesg | grep 'failsafe tripped' | sed 's/^/# /'	# when, for a failure's reader
t_run "37 ask twinbus for the pins after power-off" simctl bus atexit 2a edges D7 D9
t_done
