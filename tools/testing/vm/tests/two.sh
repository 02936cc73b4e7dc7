#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest: the overlay applied twice (defaults, and addr=0x2b
# int_pin=17), two Nanos, the ArduiPi driver loaded.
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
t_done
