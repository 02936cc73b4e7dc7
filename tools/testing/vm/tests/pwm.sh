#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest with the ArduiPi driver loaded (Nano at 0x2a, 16 MHz):
# the PWM chip through sysfs, against the period and high time the
# simulator measures on the pins (edges in simulated time).
. /usr/share/twin/lib.sh

chip=$(ls -d /sys/bus/i2c/devices/1-002a/pwm/pwmchip*)
gc=$(nano_gpiochip 2a)

# t_errno WHAT ERRNO-TEXT FILE VALUE: the sysfs write fails with it
t_errno() {
	t_fails_with "$1" "$2" sh -c "echo $4 >$3"
}

t_run "1 a PWM chip for the Nano" test -d "$chip"
t_eq "2 twelve channels, numbered by Arduino pin" 12 "$(cat "$chip/npwm")"
t_errno "3 D4 has no timer output: EINVAL" "Invalid argument" "$chip/export" 4
t_run "4 ... and the log says which pins have one" \
	sh -c "dmesg | grep -q 'D4 has no PWM: the PWM pins are D3, D5, D6, D9, D10 and D11'"
echo 9 > $chip/export
t_eq "5 D9 before use: what the firmware runs (timer1 at 1 kHz, off)" \
	"1000000 0 normal 0" "$(pwm_state "$chip" 9)"

# ---- every channel: requested vs measured ----------------------------------
# Documentation/pwm.rst, as it stands there
echo 20000000 > $chip/pwm9/period
echo 1500000 > $chip/pwm9/duty_cycle
echo 1 > $chip/pwm9/enable
t_pwm "6 D9 (timer1) 50 Hz, 1.5 ms: a servo pulse" D9 20000000 1500000
pwm_set "$chip" 10 20000000 500000
t_pwm "7 D10, timer1's other channel, same period: 0.5 ms" D10 20000000 500000
t_pwm "8 ... D9 unchanged" D9 20000000 1500000
pwm_set "$chip" 5 5000000 1000000
t_pwm "9 D5 (timer0) 5 ms rounds down to 4.096 ms, 1 ms to 62 ticks" D5 4096000 992000
pwm_set "$chip" 6 4096000 1024000 inversed
t_pwm "10 D6 (timer0) inversed: high for period - duty" D6 4096000 3072000
pwm_set "$chip" 3 600000 128000
t_pwm "11 D3 (timer2) 600 us rounds down to 512 us" D3 512000 128000
pwm_set "$chip" 11 512000 100000 inversed
t_pwm "12 D11 (timer2) inversed" D11 512000 412000
echo 0 >"$chip/pwm10/enable"
pwm_set "$chip" 9 1234567 617283
t_pwm "13 D9 at 1234567 ns: timer1 /1, 19753 ticks of 62.5 ns" D9 1234563 617250 513
# The firmware checks both of timer1's duties against a new period, the
# disabled channel's too: the driver shortens that one.
echo 0 >"$chip/pwm9/enable"
pwm_set "$chip" 10 20000000 15000000
t_pwm "13.1 D10 alone at 20 ms, 15 ms high" D10 20000000 15000000
echo 0 >"$chip/pwm10/enable"
echo 1 >"$chip/pwm9/enable"
t_pwm "13.2 D9 back at 1234567 ns, shorter than disabled D10's old 15 ms" D9 1234563 617250 513

# ---- get_state: a fresh request reads back what the hardware runs ----------
for p in 9 5 6 3 11; do
	echo "$p" >"$chip/unexport"
	echo "$p" >"$chip/export"
done
t_eq "14 D9 read back, rounded up (apply of it changes nothing)" \
	"1234563 617250 normal 1" "$(pwm_state "$chip" 9)"
t_eq "15 D5 read back" "4096000 992000 normal 1" "$(pwm_state "$chip" 5)"
t_eq "16 D6 read back" "4096000 1024000 inversed 1" "$(pwm_state "$chip" 6)"
t_eq "17 D3 read back" "512000 128000 normal 1" "$(pwm_state "$chip" 3)"
t_eq "18 D11 read back" "512000 100000 inversed 1" "$(pwm_state "$chip" 11)"
echo "$(cat "$chip/pwm9/period")" >"$chip/pwm9/period"
echo "$(cat "$chip/pwm9/duty_cycle")" >"$chip/pwm9/duty_cycle"
t_pwm "19 writing back what was read changes nothing" D9 1234563 617250 513

# ---- steady levels: duty 0, 100 %, disabled --------------------------------
echo 0 >"$chip/pwm3/duty_cycle"
t_pwm "20 D3 duty 0: steady low, no spike" D3 0 steady
echo 512000 >"$chip/pwm3/duty_cycle"
t_pwm "21 D3 duty 100 %: steady high" D3 1 steady
echo 0 >"$chip/pwm11/duty_cycle"
t_pwm "22 D11 inversed, duty 0: steady high" D11 1 steady
echo 0 >"$chip/pwm11/enable"
t_pwm "23 D11 inversed, disabled: its inactive level, high" D11 1 steady
echo 0 >"$chip/pwm3/enable"
t_pwm "24 D3 disabled: its inactive level, low" D3 0 steady
t_eq "25 ... driven, not floating" "0 out 0" "$(simctl pin D3)"

# ---- bad requests: an errno, no change on the pins --------------------------
pwm_set "$chip" 3 512000 256000
t_pwm "26 D3 at 50 % before the bad requests" D3 512000 256000
t_errno "27 period 0: EINVAL" "Invalid argument" "$chip/pwm3/period" 0
t_errno "28 duty > period: EINVAL" "Invalid argument" "$chip/pwm3/duty_cycle" 600000
echo 0 >"$chip/pwm11/duty_cycle"
# A disabled state's period means nothing (the PWM core): it is taken, and
# enabling it is refused.
t_run "29 D11 (disabled) at 10 us, below timer2's 16 us: taken while disabled" \
	sh -c "echo 10000 >$chip/pwm11/period"
t_errno "29.1 ... enabling it: EINVAL" "Invalid argument" "$chip/pwm11/enable" 1
t_run "30 ... the log says the shortest period" \
	sh -c "dmesg | grep -q 'D11: a period of 10000 ns is shorter than timer2 can make (16000 ns)'"
t_pwm "30.1 ... D11 stays off, at its inactive level (inversed: high)" D11 1 steady
echo 0 >"$chip/pwm5/duty_cycle"
t_errno "31 D5 to 16 ms while D6 runs timer0 at 4 ms: EBUSY" \
	"Device or resource busy" "$chip/pwm5/period" 16384000
t_run "32 ... the log names the sibling and its period" \
	sh -c "dmesg | grep -q 'D5: D6 runs timer0 at a period of 4096000 ns: disable it or use that period'"
t_errno "33 D9 at 100 ns: EINVAL" "Invalid argument" "$chip/pwm9/period" 100
t_pwm "34 D3 unchanged" D3 512000 256000
t_pwm "35 D6 unchanged" D6 4096000 3072000
t_pwm "36 D9 unchanged" D9 1234563 617250 513
echo 8000000 >"$chip/pwm5/period"
t_pwm "37 a period that rounds to the sibling's is fine (8 ms -> 4.096 ms)" D6 4096000 3072000

# ---- a pin is PWM or GPIO, not both ------------------------------------------
t_fails_with "38 gpioset on D9 (PWM): EBUSY" "busy" $v2/gpioset -t 0 -c "$gc" 9=1
t_run "39 ... the log says why" \
	sh -c "dmesg | grep -q 'D9 is in use as PWM: release it before using it as a GPIO line'"
echo 10 >"$chip/unexport"
$v2/gpioset -t 0 -c "$gc" 10=1
t_eq "40 D10, timer1's other pin, as a GPIO while D9 runs: high" \
	"1 out 0" "$(simctl pin D10)"
t_pwm "41 ... D9 runs on" D9 1234563 617250 513
echo 11 >"$chip/unexport"
$v2/gpioset -c "$gc" 11=1 &
held=$!
usleep 300000
t_errno "42 export of D11 while gpioset holds it: EBUSY" "Device or resource busy" \
	"$chip/export" 11
t_run "43 ... the log says why" \
	sh -c "dmesg | grep -q 'D11 is in use as a GPIO line: release it before using it as PWM'"
kill "$held"
wait "$held"
t_run "44 released, D11 can be PWM" sh -c "echo 11 >$chip/export"

# ---- an MCU restart while running: the configuration comes back ------------
simctl reset wdt >/dev/null
# until the driver says it is done (its poll: 1 s; then some 20 frames),
# 5 s at most
for i in $(seq 50); do
	dmesg | grep -q 'MCU restarted (watchdog, boot 2): configuration restored' && break
	usleep 100000
done
usleep 100000
t_pwm "45 watchdog reset: D9 restored" D9 1234563 617250 513
t_pwm "46 ... D3 restored" D3 512000 256000
t_pwm "47 ... D6 restored" D6 4096000 3072000
t_eq "48 ... and D10's GPIO level" "1 out 0" "$(simctl pin D10)"
t_run "49 the log says so" sh -c "dmesg | grep -q 'MCU restarted (watchdog, boot 2): configuration restored'"

# ---- unexport leaves it running; the module can go --------------------------
for p in 3 5 6 9 11; do echo "$p" >"$chip/unexport"; done
t_run "50 rmmod with every channel released" rmmod arduipi
t_pwm "51 ... D9 as it was left (no failsafe configured)" D9 1234563 617250 513
t_done
