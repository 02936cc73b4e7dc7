#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest: the I2C bus and the INT line from the Pi's side, with
# Debian's own i2c-tools and gpiod; the firmware answers on the simulated
# Nano. Run by twin-tests.sh with the overlay's defaults.
. /usr/share/twin/lib.sh

fresh() {
	simctl reset por >/dev/null
	for l in A0 A2 A3 D2 D5; do simctl drive $l z >/dev/null; done
	settle
}

# ---- the bus ---------------------------------------------------------------
t_eq "i2cdetect -y 1 finds the Nano at 0x2a, nothing else" "2a" "$(i2c_scan 1)"

# ---- the ArduiPi specification's examples through the guest's i2c-dev ----
fresh
t_eq "spec 1: i2cget -y 1 0x2a 0xe0 (ping)" 0x55 "$(i2cget -y 1 0x2a 0xe0)"

i2cset -y 1 0x2a 0xe0 0xaa
t_eq "spec 2: i2cset -y 1 0x2a 0xe0 0xaa" 0xaa "$(i2cget -y 1 0x2a 0xe0)"

fresh
simctl drive A0 1; simctl drive A3 1; settle
t_eq "spec 3: i2cget -y 1 0x2a 0x1c (port C)" 0x09 "$(i2cget -y 1 0x2a 0x1c)"

fresh
i2cset -y 1 0x2a 0x1b 0xa5; settle
t_eq "spec 4: i2cset -y 1 0x2a 0x1b 0xa5: D8 pulled up, D9 not" "1 in 1/0 in 0" \
	"$(simctl pin D8)/$(simctl pin D9)"

fresh
i2cset -y 1 0x2a 0x2b 0x21
t_eq "spec 5: i2cget -y 1 0x2a 0x2b (DDR B)" 0x21 "$(i2cget -y 1 0x2a 0x2b)"

fresh
i2cset -y 1 0x2a 0x2d 0xf0; settle
t_eq "spec 6: i2cset -y 1 0x2a 0x2d 0xf0: D4 output, D3 input" "out in" \
	"$(simctl pin D4 | cut -d' ' -f2) $(simctl pin D3 | cut -d' ' -f2)"

fresh
simctl drive A2 1; settle
t_eq "spec 7: port pin C2 (i2ctransfer -y 1 w2@0x2a 0x4c 0x02 r1)" 0x01 \
	"$(i2ctransfer -y 1 w2@0x2a 0x4c 0x02 r1)"

fresh
i2cset -y 1 0x2a 0x2d 0x10; i2cset -y 1 0x2a 0x3d 0x41; settle
t_eq "spec 8: i2cset -y 1 0x2a 0x3d 0x41 sets PD4" "1 out 0" "$(simctl pin D4)"

fresh
simctl drive D5 1; settle
t_eq "spec 9: i2cget -y 1 0x2a 0x05 (D5 high)" 0x01 "$(i2cget -y 1 0x2a 0x05)"

fresh
i2cset -y 1 0x2a 0x08 0x01; settle
t_eq "spec 10: i2cset -y 1 0x2a 0x08 0x01 (D8 high)" "1 out 0" "$(simctl pin D8)"

fresh
i2cset -y 1 0x2a 0x03 0xd1
t_eq "spec 11: mode of D3 (i2ctransfer -y 1 w2@0x2a 0x03 0xdd r1)" 0x01 \
	"$(i2ctransfer -y 1 w2@0x2a 0x03 0xdd r1)"

fresh
i2cset -y 1 0x2a 0x04 0xd2; settle
t_eq "spec 12: i2cset -y 1 0x2a 0x04 0xd2 (D4 input, pull-up)" "1 in 1" "$(simctl pin D4)"

fresh
simctl adc 5 3.3; simctl wait 20
t_near "spec 13: i2cget -y 1 0x2a 0xa5 w (A5 at 3.3 V of 5 V)" 676 \
	"$(($(i2cget -y 1 0x2a 0xa5 w)))" 1

fresh
i2cset -y 1 0x2a 0x09 0xee 0x80 i; simctl wait 5
pwm=$(simctl pwm D9)
t_near "spec 14: PWM on D9, period (ns)" 1000000 "${pwm% *}" 250
t_near "spec 14: PWM on D9, high time (ns)" 500000 "${pwm#* }" 250

# ---- combined messages ---------------------------------------------------
fresh
t_eq "write-then-read with repeated START (i2ctransfer w1 r1)" 0x55 \
	"$(i2ctransfer -y 1 w1@0x2a 0xe0 r1@0x2a)"
t_eq "PEC read of ID0/ID1: 'A' 'P'" "0x41 0x50" \
	"$(i2ctransfer -y 1 w3@0x2a 0xae 0x50 0x02 r3 | cut -d' ' -f1,2)"
t_eq "SMBus read word (i2cget ... w) is a combined transfer" 0x5041 \
	"$(i2cget -y 1 0x2a 0x50 w)"

# ---- SMBus conventions: PEC, fresh bare reads, surplus bytes refused -------
# i2c-tools computes and checks the PEC itself ("p"): what the firmware
# sends and expects is what a Pi's i2c-dev user gets (protocol.rst, SMBus).
fresh
t_eq "i2cget -y 1 0x2a 0xe0 bp: the ping, PEC checked" 0x55 "$(i2cget -y 1 0x2a 0xe0 bp)"
i2cset -y 1 0x2a 0xe0 0x66 bp
t_eq "i2cset -y 1 0x2a 0xe0 0x66 bp: applied" 0x66 "$(i2cget -y 1 0x2a 0xe0)"
i2cset -y 1 0x2a 0x0d 0x01 bp; settle
t_eq "i2cset -y 1 0x2a 0x0d 0x01 bp: D13 high" "1 out 0" "$(simctl pin D13)"
simctl adc 0 2.5; simctl wait 20
t_near "i2cget -y 1 0x2a 0xa0 wp: A0 at 2.5 V, PEC checked" 512 \
	"$(($(i2cget -y 1 0x2a 0xa0 wp)))" 1
i2cset -y 1 0x2a 0x59 0x00		# ERROR cleared
i2ctransfer -y 1 w3@0x2a 0xe0 0x77 0x00
t_eq "a trailing byte that is not the PEC: refused (ERR_PEC)" "0x09 0x66" \
	"$(i2cget -y 1 0x2a 0x59) $(i2cget -y 1 0x2a 0xe0)"
t_fails_with "a byte after the PEC: refused at once (NACK)" "Remote I/O error" \
	i2ctransfer -y 1 w4@0x2a 0xe0 0x77 0x00 0x00
t_eq "... nothing applied" 0x66 "$(i2cget -y 1 0x2a 0xe0)"
t_fails_with "a bank write one register too long: refused at its 34th byte" \
	"Remote I/O error" i2ctransfer -y 1 w34@0x2a 0x82 0x00=
fresh
i2cset -y 1 0x2a 0x05			# select D5: a short write
simctl drive D5 1; simctl wait 3 >/dev/null
t_eq "a bare read (i2cget -y 1 0x2a) after D5 rose: as the read finds it" 0x01 \
	"$(i2cget -y 1 0x2a)"
simctl drive D5 0; simctl wait 3 >/dev/null
t_eq "... and after it fell" 0x00 "$(i2cget -y 1 0x2a)"

# ---- errors as a real adapter reports them -------------------------------
t_fails_with "address NACK gives ENXIO" "No such device or address" \
	i2ctransfer -y 1 w1@0x33 0xe0
simctl fault nack 1 >/dev/null
t_fails_with "data NACK gives EREMOTEIO" "Remote I/O error" \
	i2ctransfer -y 1 w2@0x2a 0xe0 0x11
simctl fault buserr 1 >/dev/null
t_fails_with "bus error gives EIO" "Input/output error" \
	i2ctransfer -y 1 w1@0x2a 0xe0 r1
simctl fault stall 60 >/dev/null
t_fails_with "a Nano holding SCL past the 25 ms timeout gives ETIMEDOUT" \
	"Connection timed out" i2ctransfer -y 1 w1@0x2a 0xe0 r1
simctl wait 100 >/dev/null
t_eq "the bus works again after the errors" 0x55 "$(i2cget -y 1 0x2a 0xe0)"

# ---- the INT line is a real interrupt on the Pi's GPIO 4 ------------------
chip=$(twin_gpiochip)
irqs() { awk '/twin-gpio/ { s += $2 } END { print s + 0 }' /proc/interrupts; }
fresh
# INT on D12 (INT_PIN); D2 input with pull-up, falling edge (IRQ_FALL bank 0)
i2cset -y 1 0x2a 0x5f 0x0c
i2cset -y 1 0x2a 0x02 0xd2
i2cset -y 1 0x2a 0x75 0x04
settle
t_eq "INT is high (released) at rest" "1" "$($v2/gpioget --numeric -c "$chip" 4)"
$v2/gpiomon -F %E --num-events=2 -c "$chip" 4 >/tmp/ev 2>&1 &
mon=$!
monitored "$chip" 4
simctl drive D2 0
# (up to 15 s for it, then 300 ms for a second one that must not come)
i=0
while [ "$(irqs)" -lt 1 ] && [ $i -lt 150 ]; do usleep 100000; i=$((i + 1)); done
usleep 300000
t_near "the guest took one interrupt when D2 fell" 1 "$(irqs)" 0
i2cset -y 1 0x2a 0x78 0x04	# IRQ_STATUS: write 1 to clear
wait_for 15 $mon
t_eq "gpiomon (libgpiod v2) ends after two events" 0 $?
t_eq "... INT fell, then rose when the status was cleared" "falling rising" \
	"$(tr '\n' ' ' </tmp/ev | sed 's/ $//')"

# (D2 high for 20 ms of the Nano's time, not the guest's: a loaded host
# can hold the simulator back while the guest sleeps)
$v2/gpiomon --num-events=1 --edges=falling -c "$chip" 4 >/tmp/ev2 2>&1 &
mon=$!
monitored "$chip" 4
simctl drive D2 1; simctl wait 20 >/dev/null; simctl drive D2 0
wait_for 15 $mon
t_eq "gpiomon (libgpiod v2) sees INT fall on the next D2 edge" 0 $?
t_eq "gpioget (libgpiod v2) reads INT held low" "\"4\"=inactive" \
	"$($v2/gpioget -c "$chip" 4)"
i2cset -y 1 0x2a 0x78 0x04
settle
t_eq "gpioget (libgpiod v2) reads INT released again" "\"4\"=active" \
	"$($v2/gpioget -c "$chip" 4)"
if gpio_v1 "gpiomon, gpioget (v1) on the Pi's GPIO"; then
	t_eq "gpioget (libgpiod v1) reads INT released" 1 "$(gpioget "$chip" 4)"
	gpiomon --num-events=1 --falling-edge "$chip" 4 >/tmp/ev 2>&1 &
	mon=$!
	monitored "$chip" 4
	simctl drive D2 1; simctl wait 20 >/dev/null; simctl drive D2 0
	wait_for 15 $mon
	t_eq "gpiomon (libgpiod v1) sees INT fall on the next D2 edge" 0 $?
	i2cset -y 1 0x2a 0x78 0x04
	settle
fi

# ---- a silent host and a dead simulator: errors, never a hung guest ------
simctl bus mute 3000 >/dev/null
start=$(date +%s)
t_fails_with "a silent bus link gives ETIMEDOUT" "Connection timed out" \
	i2ctransfer -y 1 w1@0x2a 0xe0 r1
t_near "... within the adapter timeout (s)" 2 $(($(date +%s) - start)) 1
sleep 2
t_eq "the bus works again when the link answers" 0x55 "$(i2cget -y 1 0x2a 0xe0)"

simctl bus kill 2a >/dev/null
start=$(date +%s)
t_fails_with "a killed simulator gives ETIMEDOUT" "Connection timed out" \
	i2ctransfer -y 1 w1@0x2a 0xe0 r1
t_near "... at once (s)" 0 $(($(date +%s) - start)) 1
t_eq "the guest is alive: i2cdetect still scans" "" "$(i2c_scan 1 2>/dev/null | tr -d '\n' | grep -v UU || true)"

t_done
