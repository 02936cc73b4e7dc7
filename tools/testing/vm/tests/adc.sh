#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest with the ArduiPi driver loaded (Nano at 0x2a, overlay
# defaults): the IIO ADC through sysfs, against the simulator's voltages.
. /usr/share/twin/lib.sh

# The firmware measures AVcc and the temperature every 500 ms.
slow_settle() { usleep 1200000; }

iio=$(nano_iio 2a)
t_run "1 an IIO device for the Nano" test -n "$iio"
t_eq "2 it is named arduipi" arduipi "$(cat "$iio/name")"
labels=
for c in 0 1 2 3 6 7 9; do
	labels="$labels $(cat "$iio/in_voltage${c}_label")"
done
t_eq "3 channel labels" " A0 A1 A2 A3 A6 A7 AVcc" "$labels"
t_eq "4 the temperature sensor's label" temp "$(cat "$iio/in_temp_label")"
t_run "5 A4/A5 (the I2C bus) are not offered" \
	sh -c "! ls $iio | grep -q 'in_voltage[45]_'"

# ---- each input against the simulated voltage ------------------------------
volts="0 0.8 1.6 2.4 0 0 4.1 5.0"
i=0
for v in $volts; do
	[ $i = 4 ] || [ $i = 5 ] || simctl adc "A$i" "$v" >/dev/null
	i=$((i + 1))
done
slow_settle
avcc=$(cat "$iio/in_voltage9_input")
t_near "6 AVcc as measured by the firmware: 5000 mV" 5000 "$avcc" 25
scale=$(cat "$iio/in_voltage_scale")
t_eq "7 the scale is AVcc / 1024" "$(fcalc "$avcc / 1024")" "$(fcalc "$scale")"
i=0
for v in $volts; do
	if [ $i != 4 ] && [ $i != 5 ]; then
		want=$(awk "BEGIN { r = int($v / 5.0 * 1024 + 0.5); print (r > 1023 ? 1023 : r) }")
		t_near "8.$i A$i at $v V: raw within 1 LSB" "$want" "$(cat "$iio/in_voltage${i}_raw")" 1
	fi
	i=$((i + 1))
done
t_near "9 raw * scale = 1600 mV (+- 1 LSB and AVcc's measurement)" 1600 "$(iio_mv "$iio" 2)" 8

# ---- a sagging supply changes the scale -------------------------------------
simctl avcc 4.7 >/dev/null
simctl adc A0 2.5 >/dev/null
slow_settle
avcc=$(cat "$iio/in_voltage9_input")
t_near "10 AVcc sags to 4700 mV: measured" 4700 "$avcc" 25
scale=$(cat "$iio/in_voltage_scale")
t_eq "11 ... and the scale follows it" "$(fcalc "$avcc / 1024")" "$(fcalc "$scale")"
t_near "12 A0 at 2.5 V, AVcc 4.7 V: raw" 545 "$(cat "$iio/in_voltage0_raw")" 1
t_near "13 ... still reads 2500 mV" 2500 "$(iio_mv "$iio" 0)" 10

# ---- temperature: (raw + offset) * scale ------------------------------------
for t in 40 -10; do
	simctl temp "$t" >/dev/null
	slow_settle
	t_near "14 sensor at $t C: within one LSB (1.07 C)" $((t * 1000)) "$(iio_mc "$iio")" 1100
done

# ---- bad input ----------------------------------------------------------------
before=$(cat "$iio/in_voltage0_raw")
for a in in_voltage0_raw in_voltage_scale in_temp_offset in_voltage9_input in_voltage0_label; do
	t_fails_with "15 $a is read-only" "denied\|Invalid\|not permitted" \
		sh -c "echo 1 >$iio/$a"
done
t_eq "16 ... and nothing changed" "$before" "$(cat "$iio/in_voltage0_raw")"

# ---- an MCU restart keeps the readings right ---------------------------------
mcu_reset wdt
t_near "17 after a watchdog reset: A0 still reads 2.5 V" 545 "$(cat "$iio/in_voltage0_raw")" 1
t_run "18 no oops" sh -c '! dmesg | grep -qE "Oops|BUG|WARNING|Call trace"'

t_done
