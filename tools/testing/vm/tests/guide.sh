#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The commands of Documentation/user-guide.rst and README.md, exactly as
# they stand there, in the twin (overlay on, the driver loaded by this
# script where the guide loads it; --python for examples/raw.py, copied to
# /twin/examples/raw.py by the boot). doc-commands.sh checks that every
# command of those documents is in a test.
. /usr/share/twin/lib.sh

rmmod arduipi 2>/dev/null	# loaded at boot: the raw path comes first

# run WHAT CMD: a documented command line, through sh, must succeed
doc() {
	_what=$1
	shift
	if sh -c "$*" >/tmp/doc.out 2>&1; then
		t_ok "$_what"
	else
		sed 's/^/#   /' /tmp/doc.out
		t_fail "$_what"
	fi
}

# ---- the raw path -----------------------------------------------------------
doc "1 arduipi info" "arduipi info"
t_eq "2 ... names the running firmware" "firmware: ArduiPi, protocol 1.5" "$(sed -n 1p /tmp/doc.out)"
doc "3 i2cdetect -y 1" "i2cdetect -y 1"
t_run "4 ... 2a is in the table" grep -q ' 2a ' /tmp/doc.out
doc "5 i2cget -y 1 0x2a 0xe0" "i2cget -y 1 0x2a 0xe0"
t_eq "6 ... 0x55" 0x55 "$(cat /tmp/doc.out)"
doc "7 i2cset -y 1 0x2a 0x07 0x01" "i2cset -y 1 0x2a 0x07 0x01"
doc "8 i2cset -y 1 0x2a 0x08 0x00" "i2cset -y 1 0x2a 0x08 0x00"
doc "9 i2cset -y 1 0x2a 0x06 0xee 0x99 i" "i2cset -y 1 0x2a 0x06 0xee 0x99 i"
t_eq "10 left motor forward: IN1 high, IN2 low" "1 out 0 0 out 0" "$(simctl pin D7) $(simctl pin D8)"
# 153/256 of timer0's 1.024 ms: 153 ticks of 4 us
t_pwm "11 ... ENA (D6) at 153/255" D6 1024000 612000
doc "12 i2cset -y 1 0x2a 0x06 0xee 0x00 i" "i2cset -y 1 0x2a 0x06 0xee 0x00 i"
t_pwm "13 ... stopped" D6 0 steady
simctl adc A0 2.5 >/dev/null
mkdir -p /twin/examples
cp /twin/raw.py /twin/examples/
cd /twin
doc "14 python3 examples/raw.py (smbus2)" "python3 examples/raw.py"
t_eq "15 ... its output" "ping: 0x55 A0: 512" "$(tr '\n' ' ' </tmp/doc.out | sed 's/ $//')"
t_eq "16 ... both motors forward" "1 out 0 0 out 0 1 out 0 0 out 0" \
	"$(simctl pin D7) $(simctl pin D8) $(simctl pin D10) $(simctl pin D11)"
t_pwm "17 ... ENB (D9) from the i2c_rdwr transaction, 153/256 of 1 ms" D9 1000000 597500

# ---- README's "Talk to it" ---------------------------------------------------
doc "18 README: i2cset -y 1 0x2a 0x0d 0x01" "i2cset -y 1 0x2a 0x0d 0x01"
t_eq "19 ... D13 (the LED) on" "1 out 0" "$(simctl pin D13)"
doc "20 README: i2cget -y 1 0x2a 0xa0 w" "i2cget -y 1 0x2a 0xa0 w"
t_eq "21 ... A0 at 2.5 V" 0x0200 "$(cat /tmp/doc.out)"
doc "22 README: i2cset -y 1 0x2a 0x09 0xee 0x80 i" "i2cset -y 1 0x2a 0x09 0xee 0x80 i"
t_pwm "23 ... D9 at 50 %" D9 1000000 500000
doc "24 README: the smbus2 snippet" "python3 /twin/readme-smbus2.py"
t_eq "25 ... D7 high, D8 low" "1 out 0 0 out 0" "$(simctl pin D7) $(simctl pin D8)"
t_pwm "26 ... D6 full speed" D6 1 steady

# ---- with the driver ----------------------------------------------------------
modprobe arduipi
wait_gpiochip 2a
doc "27 dmesg | grep arduipi" "dmesg | grep arduipi"
t_run "28 ... the probe line" grep -q "arduipi 1-002a: ArduiPi firmware, protocol 1.5, 16 MHz, last reset: power-on" /tmp/doc.out
doc "29 gpiodetect" "gpiodetect"
t_run "30 ... the Nano is gpiochip2 [1-002a] (20 lines)" grep -qx "gpiochip2 \[1-002a\] (20 lines)" /tmp/doc.out
# README's libgpiod v1 commands, where the kernel serves uAPI v1 (lib.sh)
if gpio_v1 "README's gpioset, gpioget, gpiomon (libgpiod v1)"; then
	doc "31 gpioset gpiochip2 13=1" "gpioset gpiochip2 13=1"
	t_eq "32 ... D13 high" "1 out 0" "$(simctl pin D13)"
	simctl drive D2 1 >/dev/null
	settle
	doc "33 gpioget gpiochip2 2" "gpioget gpiochip2 2"
	t_eq "34 ... 1" 1 "$(cat /tmp/doc.out)"
	(usleep 700000; simctl drive D2 0 >/dev/null) &
	doc "35 gpiomon --num-events=1 --falling-edge gpiochip2 2" \
		"gpiomon --num-events=1 --falling-edge gpiochip2 2"
	t_run "36 ... the edge" grep -q "FALLING EDGE offset: 2" /tmp/doc.out
	wait
else
	$v2/gpioset -t 0 -c gpiochip2 D13=1
fi
doc "37 v2: gpioset -c gpiochip2 D13=0 (stopped after 1 s)" \
	"timeout -s INT 1 /opt/gpiod2/bin/gpioset -c gpiochip2 D13=0; true"
t_eq "38 ... D13 low" "0 out 0" "$(simctl pin D13)"
simctl adc A0 1.0 >/dev/null
settle
doc "39 cat .../in_voltage0_raw" "cat /sys/bus/iio/devices/iio:device0/in_voltage0_raw"
t_near "40 ... A0 at 1.0 V: 205" 205 "$(cat /tmp/doc.out)" 1
doc "41 cat .../in_voltage_scale" "cat /sys/bus/iio/devices/iio:device0/in_voltage_scale"
doc "42 echo 9 > /sys/class/pwm/pwmchip0/export" "echo 9 > /sys/class/pwm/pwmchip0/export"
doc "43 echo 20000000 > .../period" "echo 20000000 > /sys/class/pwm/pwmchip0/pwm9/period"
doc "44 echo 1500000 > .../duty_cycle" "echo 1500000 > /sys/class/pwm/pwmchip0/pwm9/duty_cycle"
doc "45 echo 1 > .../enable" "echo 1 > /sys/class/pwm/pwmchip0/pwm9/enable"
t_pwm "46 ... D9 a 1.5 ms servo pulse at 50 Hz" D9 20000000 1500000

# ---- Documentation/adc.rst: a buffered capture, as it stands there ----------
simctl adc A0 2.5 >/dev/null
(
cd /sys/bus/iio/devices/iio:device0
echo 1 > scan_elements/in_voltage0_en
echo 1 > scan_elements/in_timestamp_en
echo 961.538461 > sampling_frequency
iio_generic_buffer -g -N 0 -c 10
) >/tmp/cap 2>&1
# -c 10: ten reads of the buffer, each of the scans it holds
t_run "47 adc.rst: iio_generic_buffer -g -N 0 -c 10 prints scans (10 or more)" \
	test "$(grep -cE '^[0-9.]+ [0-9]+ *$' /tmp/cap)" -ge 10
t_eq "48 ... every one A0 at 2.5 V (2500 mV +- 10)" "" \
	"$(awk '/^[0-9.]+ [0-9]+ *$/ && ($1 < 2490 || $1 > 2510) { print; exit }' /tmp/cap)"
t_done
