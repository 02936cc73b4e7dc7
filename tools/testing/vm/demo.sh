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

echo
echo "== The Nano's INT line on the Pi's GPIO 4 =="
chip=$(twin_gpiochip)
run i2cset -y 1 0x2a 0x5f 0x0c " # INT output on D12"
run i2cset -y 1 0x2a 0x02 0xd2 " # D2: input with pull-up"
run i2cset -y 1 0x2a 0x75 0x04 " # interrupt on D2's falling edge"
run gpioget "$chip" 4 "           # INT at rest: 1 (released)"
(usleep 500000; simctl drive D2 0 >/dev/null) &
nano "a button on D2 will be pressed in half a second"
run gpiomon --num-events=1 --falling-edge "$chip" 4
run i2cget -y 1 0x2a 0x78 "      # which line: bit 2 = D2"
run i2cset -y 1 0x2a 0x78 0x04 " # acknowledge"
run gpioget "$chip" 4

echo
echo "The kernel driver (gpiochip, IIO ADC, PWM chip) comes with the next"
echo "issues; this demo grows with them. 'make shell' opens a shell here."
