#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest with the ArduiPi driver and tests/adc-dt.dtso: Nano 0x2a
# with vref-supply (4.5 V), a -3 C temperature calibration and an iio-hwmon
# consumer of A1, temp and AVcc; Nano 0x2b on the internal 1.1 V reference.
. /usr/share/twin/lib.sh

# No udev in the guest: load what the device tree asks for by hand. The
# Nano at 0x2a waits (probe deferral) for its regulator.
modprobe fixed	# regulator-fixed
modprobe ntc_thermistor
# On 6.1, run-guest builds iio-hwmon from linux-source-6.1: Debian's
# kernel does not (CONFIG_SENSORS_IIO_HWMON).
modprobe iio-hwmon
wait_iio 2a
a=$(nano_iio 2a)
b=$(nano_iio 2b)
t_run "1 both Nanos have an IIO device" test -n "$a" -a -n "$b"

# ---- vref-supply -------------------------------------------------------------
t_eq "2 vref-supply 4.5 V: scale 4500/1024" "$(fcalc "4500 / 1024")" \
	"$(fcalc "$(cat "$a/in_voltage_scale")")"
simctl -n 2a avcc 4.5 >/dev/null
simctl -n 2a adc A1 1.5 >/dev/null
usleep 50000
t_near "3 A1 at 1.5 V on a 4.5 V AVcc: raw" 341 "$(cat "$a/in_voltage1_raw")" 1

# ---- temperature calibration -----------------------------------------------
simctl -n 2a temp 30 >/dev/null
simctl -n 2b temp 30 >/dev/null
usleep 1200000
t_near "4 uncalibrated: 30 C" 30000 "$(iio_mc "$b")" 1100
t_near "5 calibrated -3 C: 27 C" 27000 "$(iio_mc "$a")" 1100

# ---- the internal 1.1 V reference --------------------------------------------
t_eq "6 internal reference: scale 1100/1024" "$(fcalc "1100 / 1024")" \
	"$(fcalc "$(cat "$b/in_voltage_scale")")"
simctl -n 2b adc A0 0.5 >/dev/null
usleep 50000
t_near "7 A0 at 0.5 V against 1.1 V: raw" 465 "$(cat "$b/in_voltage0_raw")" 1
simctl -n 2b reset wdt >/dev/null
# the restart poll (1 s) notices it; a loaded host can delay the guest
for i in $(seq 60); do
	dmesg | grep -q "arduipi 1-002b: MCU restarted (watchdog" && break
	usleep 100000
done
t_run "8 the watchdog reset is noticed" \
	sh -c 'dmesg | grep -q "arduipi 1-002b: MCU restarted (watchdog"'
t_near "9 ... and the reference restored: A0 still 465" 465 "$(cat "$b/in_voltage0_raw")" 1

# ---- in-kernel consumers ---------------------------------------------------------
hwmon_named() {
	for h in /sys/class/hwmon/hwmon*; do
		case $(cat "$h/name") in $1) echo "$h"; return ;; esac
	done
}
# The NTC divider: 47 k to 4.5 V over the NTC: 2.25 V at 25 C (47 k);
# 1.166 V at 50 C (the driver's table: 16433 ohm).
ntc=$(hwmon_named ncp15wb473)
t_run "10 ntc_thermistor made a hwmon device on A2" test -n "$ntc"
simctl -n 2a adc A2 2.25 >/dev/null
usleep 50000
t_near "11 A2 at 2.25 V: the thermistor reads 25 C" 25000 "$(cat "$ntc/temp1_input")" 500
simctl -n 2a adc A2 1.166 >/dev/null
usleep 50000
t_near "12 A2 at 1.166 V: 50 C" 50000 "$(cat "$ntc/temp1_input")" 700
hw=$(hwmon_named "*hwmon*")
t_run "13 iio-hwmon made a hwmon device" test -n "$hw"
t_near "13 hwmon in1_input is A1: 1500 mV" 1500 "$(cat "$hw/in1_input")" 10
t_near "13 hwmon temp1_input: 27 C calibrated" 27000 "$(cat "$hw/temp1_input")" 1100
t_near "13 hwmon in2_input is AVcc: 4500 mV" 4500 "$(cat "$hw/in2_input")" 25
# ---- no INT line: raw reads work, and there is no buffer to enable --------------
t_eq "14 0x2b has no interrupts: no buffer, no scan elements" "" \
	"$(ls -d "$b/buffer" "$b/buffer0" "$b/scan_elements" 2>/dev/null)"
t_run "15 ... raw reads work" test -n "$(cat "$b/in_voltage0_raw")"
# ---- no INT line: a line an earlier user made INT is a GPIO line again -------------
rmmod arduipi
i2cset -y 1 0x2b 0x5f 12		# INT_PIN: D12, as a driver with INT left it
modprobe arduipi
wait_gpiochip 2b
t_run "16 0x2b without interrupts: D12, INT before, sets as a GPIO line" \
	$v2/gpioset -t 0 -c "$(nano_gpiochip 2b)" 12=1
t_eq "16.1 ... D12 high" "1 out 0" "$(simctl -n 2b pin D12)"
t_run "17 no oops" sh -c '! dmesg | grep -qE "Oops|BUG|WARNING|Call trace"'

t_done
