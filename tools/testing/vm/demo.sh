#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# make demo: a user session on the Pi, in the digital twin. Every command
# below really runs in a Debian arm64 kernel with Debian's i2c-tools and
# gpiod, on /dev/i2c-1; the ArduiPi firmware answers from a simulated Nano.
# "[Nano: ...]" lines are read from the simulator: what a multimeter on the
# Nano's pins would show.
. /usr/share/twin/lib.sh

run() {
	printf '\n  pi$ %s\n' "$*"
	sh -c "$*" 2>&1 | sed 's/^/  /'
}
nano() {
	settle
	printf '  [Nano: %s]\n' "$*"
}
pin() {
	settle
	set -- "$1" $(simctl pin "$1")
	printf '  [Nano: %s is %s, level %s]\n' "$1" \
		"$([ "$3" = out ] && echo "an output" || echo "an input")" "$2"
}

rmmod arduipi 2>/dev/null	# loaded at boot: the raw part comes first

cat <<EOT
arduipi demo: a Raspberry-Pi-like arm64 machine running Debian's kernel
$(uname -r), with an Arduino Nano on its I2C bus (/dev/i2c-1, address 0x2a).
The Nano runs the real ArduiPi firmware in a simulator; the kernel, the
tools and the I2C traffic are the real thing.
EOT

echo
echo "== Is the Nano on the bus? =="
run i2cdetect -y 1

echo
echo "== The ArduiPi specification's examples =="
run i2cget -y 1 0x2a 0xe0 "      # ping: 0x55"
run i2cset -y 1 0x2a 0x08 0x01 " # D8 high"
pin D8
run i2cset -y 1 0x2a 0x04 0xd2 " # D4: input with pull-up"
pin D4
simctl drive D5 1 >/dev/null
nano "someone connects D5 to 5 V"
run i2cget -y 1 0x2a 0x05 "      # read D5"
run i2ctransfer -y 1 w2@0x2a 0x03 0xdd r1 "   # mode of D3 (0 = input)"
simctl adc A0 2.5 >/dev/null
nano "A0 at 2.5 V"
run i2cget -y 1 0x2a 0xa0 w "    # analog A0: 10 bits, 0x200 is half of 5 V"
run i2cset -y 1 0x2a 0x09 0xee 0x80 i "   # PWM on D9 at 50 %"
simctl wait 5 >/dev/null
set -- $(simctl pwm D9)
nano "D9 runs a PWM of period $(($1 / 1000)) us, high for $(($2 / 1000)) us"

simctl reset por >/dev/null
simctl drive D2 z >/dev/null

echo
echo "== The kernel driver: the Nano as a GPIO chip =="
echo "(on a Pi: make && sudo make install, dtoverlay=arduipi in config.txt, reboot)"
run modprobe arduipi
run "dmesg | grep arduipi"
chip=$(nano_gpiochip 2a)
run gpiodetect
run "gpioinfo $chip | head -n 4"
run gpioset "$chip" 13=1 "                # D13 (the LED) on, libgpiod v1"
pin D13
run /opt/gpiod2/bin/gpioset -t 0 -c "$chip" D13=0 "   # off, libgpiod v2, by name"
pin D13
run gpioget -B pull-up "$chip" 2 "         # D2 with the Nano's pull-up"
(usleep 700000; simctl drive D2 0 >/dev/null) &
nano "a button on D2 will be pressed"
run gpiomon --num-events=1 --falling-edge "$chip" 2

echo
echo "== The analog inputs: an IIO device =="
iio=$(nano_iio 2a)
simctl adc A0 1.5 >/dev/null
simctl adc A1 saw 0 5 20 >/dev/null
nano "A0 at 1.5 V; a 50 Hz sawtooth 0..5 V on A1"
run "cd $iio && grep . name in_voltage0_label in_voltage0_raw in_voltage_scale"
run "cd $iio && awk \"BEGIN { print \$(cat in_voltage0_raw) * \$(cat in_voltage_scale) }\"   # raw * scale: mV"
run "grep . $iio/in_voltage9_input $iio/in_temp_raw"
echo
echo "  A short capture of A1 at 961.5 Hz with the kernel's iio_generic_buffer"
echo "  (one line per scan: millivolts, timestamp in ns):"
echo 1 >"$iio/scan_elements/in_voltage1_en"
echo 1 >"$iio/scan_elements/in_timestamp_en"
echo 961.538461 >"$iio/sampling_frequency"
run "iio_generic_buffer -g -N ${iio##*iio:device} -c 2 2>/dev/null | grep -E '^[0-9]' | head -n 8"
run "cat $iio/lost_scans"

echo
echo "== PWM: the motor car (examples/car/car.sh, Documentation/car.rst) =="
echo "(an L298N: ENA D6, IN1 D7, IN2 D8 | ENB D9, IN3 D10, IN4 D11;"
echo " dtoverlay=arduipi,failsafe_ms=250 and dtoverlay=arduipi-car)"
# What the simulator measures on ENA/ENB, as "high of period (duty)".
duty() {
	set -- $(pwm_measure "$1")
	if [ "$1" = steady ]; then
		echo "steady $([ "$2" = 1 ] && echo high || echo low)"
	else
		awk "BEGIN { printf \"%.1f us of %.1f us (%.1f %%)\", $2 / 1000, $1 / 1000, $2 * 100 / $1 }"
	fi
}
car_pins() {
	p=$(simctl pins)
	printf '  [Nano: IN1 IN2 IN3 IN4 = %s %s %s %s; ENA %s; ENB %s]\n' \
		"$(echo "$p" | cut -c8)" "$(echo "$p" | cut -c9)" \
		"$(echo "$p" | cut -c11)" "$(echo "$p" | cut -c12)" \
		"$(duty D6)" "$(duty D9)"
}
run "sh /twin/car.sh forward 60"
car_pins
run "sh /twin/car.sh backward 40"
car_pins
run "sh /twin/car.sh stop"
car_pins
run "sh /twin/car.sh forward 60"
echo
echo "  The Pi hangs for a second (QEMU stops the guest; the Nano runs on):"
e=$(simctl bus pause 1000 2a edges D6 D7 D9)
end=$(edge_field "$e" end=)
d7=$(edge_field "$e" D7=0@)
if [ -n "$d7" ]; then
	printf '  [Nano: %s ms after the Pi'"'"'s last word, ENA, ENB and IN1..IN4 went low]\n' \
		"$(awk "BEGIN { printf \"%.1f\", ($d7 - $end) / 1e6 }")"
else
	printf '  [Nano: %s]\n' "$e"
fi
usleep 1500000
run "dmesg | grep 'failsafe'"
echo "  The Pi is back; the trip latches: the car stays stopped until a program drives it."
car_pins
run "cat /sys/bus/i2c/devices/1-002a/failsafe_trips /sys/class/pwm/pwmchip0/pwm9/enable"
run "sh /twin/car.sh forward 60"
car_pins
echo
echo "  The program that drives the car holds the Nano's watchdog (car.sh SPEED"
echo "  SECONDS) and is killed, as a crashed program would be:"
printf '\n  pi$ sh /twin/car.sh forward 60 30 &\n'
sh /twin/car.sh forward 60 30 &
job=$!
sleep 2
car_pins
printf '\n  pi$ kill -9 %s\n' "$job"
t0=$(simctl time | cut -d' ' -f2)
kill -9 "$job"
for i in $(seq 50); do
	[ "$(cat /sys/bus/i2c/devices/1-002a/failsafe_trips)" -ge 2 ] && break
	usleep 100000
done
d9=$(edge_field "$(simctl edges D9)" D9=0@)
if [ -n "$d9" ]; then
	printf '  [Nano: ENB off %s ms after the kill (the watchdog'"'"'s timeout: 1 s)]\n' \
		"$(awk "BEGIN { printf \"%d\", ($d9 - $t0) / 1e6 }")"
fi
run "dmesg | grep 'watchdog:'; cat /sys/bus/i2c/devices/1-002a/failsafe_trips"
car_pins
echo
echo "'make shell' opens a shell here."
