#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest: the overlay applied twice (failsafe_ms=1000, and
# addr=0x2b int_pin=17 failsafe_ms=1000 failsafe_restore), two Nanos, the
# ArduiPi driver loaded.
. /usr/share/twin/lib.sh

a=$(nano_gpiochip 2a)
b=$(nano_gpiochip 2b)
t_run "two chips: 1-002a and 1-002b" test -n "$a" -a -n "$b" -a "$a" != "$b"
$v2/gpioset -t 0 -c "$a" 13=1
$v2/gpioset -t 0 -c "$b" 13=0
settle
t_eq "gpioset on each drives its own Nano" "1 out 0/0 out 0" \
	"$(simctl -n 2a pin D13)/$(simctl -n 2b pin D13)"
$v2/gpioget -b disabled -c "$a" 2 >/dev/null
$v2/gpioget -b disabled -c "$b" 2 >/dev/null
$v2/gpiomon -e rising -n 1 -c "$b" D2 >/tmp/ev 2>&1 &
mon=$!
monitored "$b" 2
simctl -n 2a drive D2 1
usleep 300000
simctl -n 2b drive D2 1
wait_for 15 $mon
t_eq "an edge on 0x2b's D2 reaches its chip through GPIO 17" 0 $?
t_eq "0x2a (no events requested) kept its INT released" 1 "$(simctl -n 2a int)"
# 0x2b runs firmware of protocol 1.4 (twin-tests.sh): its edges are
# latched in IRQ_STATUS, one bit per line, not stored in the edge FIFO
t_run "0x2b: protocol 1.4, no edge FIFO (no edges_lost)" sh -c \
	'dmesg | grep -q "arduipi 1-002b: ArduiPi firmware, protocol 1.4" &&
	 test -e /sys/bus/i2c/devices/1-002a/edges_lost &&
	 ! test -e /sys/bus/i2c/devices/1-002b/edges_lost'
$v2/gpiomon -F '%E' -c "$b" D2 >/tmp/ev 2>&1 &
mon=$!
monitored "$b" 2
for l in 0 1 0 1; do
	simctl -n 2b drive D2 $l >/dev/null
	usleep 300000
done
usleep 500000
kill $mon; wait $mon
# (each event's direction is the level the handler reads: a guest held
# back past the next edge reads that one's)
t_eq "... four edges 300 ms apart: four events" 4 "$(grep -c . /tmp/ev)"
t_eq "... and its IRQ_STATUS was taken (0x2b's INT released)" 1 "$(simctl -n 2b int)"

# ---- the failsafe (1 s) on both: latched on 0x2a, failsafe_restore on 0x2b --
pa=$(nano_pwm 2a)
pb=$(nano_pwm 2b)
pwm_set "$pa" 9 1024000 512000
pwm_set "$pb" 9 1024000 512000
trips() {
	echo "$(cat /sys/bus/i2c/devices/1-002a/failsafe_trips)" \
		"$(cat /sys/bus/i2c/devices/1-002b/failsafe_trips)"
}
t_eq "failsafe_trips: 0 and 0" "0 0" "$(trips)"
simctl bus pause 2000 >/dev/null
for i in $(seq 40); do [ "$(trips)" = "1 1" ] && break; usleep 100000; done
t_eq "the Pi hung for 2 s: both tripped, failsafe_trips 1 and 1" "1 1" "$(trips)"
usleep 300000
t_pwm "0x2a (latched): D9 stays off" D9 0 steady
t_eq "... the PWM class says so" 0 "$(cat "$pa/pwm9/enable")"
PWM_NANO=2b t_pwm "0x2b (failsafe_restore): D9 runs again" D9 1024000 512000
t_eq "... enabled in the PWM class" 1 "$(cat "$pb/pwm9/enable")"
t_run "... the log says the configuration was restored" \
	sh -c "dmesg | grep -q '1-002b: failsafe tripped: no word from the host for 1000 ms, the Nano went to its safe state; configuration restored'"

# ---- the watchdog with nowayout=1: 'V' does not stop it; its trip latches,
# failsafe_restore or not (the host is there, its program is gone) --------
echo 9 >"$pa/unexport"
echo 9 >"$pb/unexport"
reload_driver nowayout=1
wait_gpiochip 2b
t_eq "nowayout=1: the driver reloaded with it" "Y 0" \
	"$(cat /sys/module/arduipi/parameters/nowayout) $(cat /sys/bus/i2c/devices/1-002b/failsafe_trips)"
pb=$(nano_pwm 2b)
pwm_set "$pb" 9 1024000 512000
wd=$(ls -d /sys/bus/i2c/devices/1-002b/watchdog/watchdog* | head -n1)
printf V >"/dev/${wd##*/}"
t_eq "nowayout=1: 0x2b's watchdog still runs after a magic close" active "$(cat "$wd/state")"
for i in $(seq 40); do
	[ "$(cat /sys/bus/i2c/devices/1-002b/failsafe_trips)" = 1 ] && break
	usleep 100000
done
t_eq "... so it trips 1 s later" 1 "$(cat /sys/bus/i2c/devices/1-002b/failsafe_trips)"
usleep 300000
PWM_NANO=2b t_pwm "... and D9 stays off, failsafe_restore notwithstanding" D9 0 steady
t_eq "... the PWM class says so" 0 "$(cat "$pb/pwm9/enable")"
t_done
