#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest, booted by twin-tests.sh with
#   dtoverlay=arduipi,addr=0x2b,int_pin=17 and dtparam=i2c_arm_baudrate=400000
# and two Nanos on the bus: 0x2b (INT to GPIO 17) and 0x2a (INT not wired,
# the 8 MHz build, A0 at 2.5 V from run-guest --sim).
. /usr/share/twin/lib.sh

dt=/proc/device-tree
cells() { hexdump -v -e '4/1 "%02x" " "' "$1" 2>/dev/null | sed 's/ $//'; }

t_eq "i2cdetect -y 1 finds both Nanos" "2a 2b" "$(i2c_scan 1)"

bus=$dt$(cat $dt/aliases/i2c1)
node=$bus/arduipi@2b
t_run "addr=0x2b: the overlay's node is arduipi@2b" test -d "$node"
t_eq "addr=0x2b: reg" 0000002b "$(cells "$node/reg")"
t_eq "int_pin=17: interrupts = <17 IRQ_TYPE_LEVEL_LOW>" "00000011 00000008" \
	"$(cells "$node/interrupts")"
gpio=$(ls -d $dt/pl011@9000000/twin/gpio)
t_eq "interrupt-parent is the Pi's gpio controller" "$(cells "$gpio/phandle")" \
	"$(cells "$node/interrupt-parent")"
t_eq "int_pin=17: the pin node pulls GPIO 17 up" "00000011 00000002" \
	"$(cells "$gpio/arduipi_pins@2b/brcm,pins") $(cells "$gpio/arduipi_pins@2b/brcm,pull")"
t_eq "i2c_arm_baudrate=400000: the bus runs at 400 kHz" "scl=400000" \
	"$(simctl -n 2b info | grep -o 'scl=[0-9]*')"

i2cset -y 1 0x2b 0xe0 0x11
t_eq "the Nanos are separate devices: 0x2b's ping value" 0x11 "$(i2cget -y 1 0x2b 0xe0)"
t_eq "... and 0x2a's is untouched" 0x55 "$(i2cget -y 1 0x2a 0xe0)"

t_eq "run-guest --mhz 8: Nano 0x2a runs the 8 MHz build" "mhz=8" \
	"$(simctl -n 2a info | grep -o 'mhz=[0-9]*')"
t_near "run-guest --sim 'adc A0 2.5': A0 reads half scale" 512 \
	"$(($(i2cget -y 1 0x2a 0xa0 w)))" 1

chip=$(twin_gpiochip)
i2cset -y 1 0x2b 0x5f 0x0c	# INT on D12
i2cset -y 1 0x2b 0x02 0xd2	# D2 input, pull-up
i2cset -y 1 0x2b 0x75 0x04	# falling edge of D2
settle
$v2/gpiomon --num-events=1 --edges=falling -c "$chip" 17 >/tmp/ev 2>&1 &
mon=$!
monitored "$chip" 17
simctl -n 2b drive D2 0
wait_for 15 $mon
rc=$?
if [ "$rc" = 124 ]; then
	# Seen on the newest line only, under load: no event in 15 s. A
	# second edge, with the monitor certainly running, tells a lost
	# first edge (a rig race, reported here) from an INT that does
	# not reach GPIO 17 (a failure).
	echo "#   no event on the first edge: a second one"
	simctl -n 2b drive D2 1 >/dev/null; simctl -n 2b wait 20 >/dev/null
	i2cset -y 1 0x2b 0x78 0x04
	$v2/gpiomon --num-events=1 --edges=falling -c "$chip" 17 >/tmp/ev 2>&1 &
	mon=$!
	monitored "$chip" 17
	usleep 500000
	simctl -n 2b drive D2 0
	wait_for 15 $mon
	rc=$?
fi
t_eq "Nano 0x2b's INT reaches the guest on GPIO 17" 0 $rc
t_eq "GPIO 4 is not involved" 1 "$($v2/gpioget --numeric -c "$chip" 4)"

t_done
