#!/bin/bash
# SPDX-License-Identifier: MIT
# make demo: the real firmware in the simulated Nano answers the ArduiPi
# specification's i2cget/i2cset examples. Each command is shown as a user
# types it on the Pi; the I2C transaction it makes is sent to the
# simulator, and the answer is printed the way i2c-tools print it.
# Usage: demo.sh NANOSIM FIRMWARE.elf
set -eu

sim=$1
fw=$2

coproc SIM { "$sim" --stdio --clock 100000 "$fw"; }
read -r ready <&"${SIM[0]}"

req() {
	echo "$1" >&"${SIM[1]}"
	read -r resp <&"${SIM[0]}"
}

# $1: the command as typed on the Pi; $2: its transaction ("w.. r.."),
# $3: how i2c-tools print the answer: get, word, none
run() {
	printf '\n  pi$ %s\n' "$1"
	req "xfer 2a $2"
	case "$resp" in
	ok) ;;
	"ok "*)
		hex=${resp#ok }
		if [ "$3" = word ]; then
			printf '  0x%s%s\n' "${hex:2:2}" "${hex:0:2}"
		else
			printf '  0x%s\n' "${hex:0:2}"
		fi ;;
	"nack data"*)
		set -- $resp
		printf '  Error: Write failed (the Nano refused byte %d)\n' $(($4 + 1)) ;;
	*)	printf '  Error: %s\n' "$resp" ;;
	esac
}

board() {
	req "wait 0.5"
	req "pin $1"
	set -- "$1" $resp
	printf '  [simulated Nano: %s is %s, level %s]\n' "$1" \
		"$([ "$4" = out ] && echo "an output" || echo "an input")" "$3"
}

cat <<EOF
arduipi demo: the ArduiPi firmware, built for the ATmega328P, running in a
simulated Arduino Nano at I2C address 0x2a (100 kHz bus).

Below, each example of the ArduiPi specification is shown as you would type
it on a Raspberry Pi, followed by the answer of the firmware. The simulator
carries the very bytes i2cget/i2cset put on the wire; on a real Pi the same
commands go through /dev/i2c-1.
($ready)
EOF

echo
echo "== Is it there? Ping (command 0xe0) =="
run "i2cget -y 1 0x2a 0xe0" "we0 r1" get
run "i2cset -y 1 0x2a 0xe0 0xaa" "we0aa" none
run "i2cget -y 1 0x2a 0xe0" "we0 r1" get

echo
echo "== Digital pins (commands 0x00-0x13: D0-D13, then A0-A5) =="
run "i2cset -y 1 0x2a 0x08 0x01        # D8 high" "w0801" none
board D8
run "i2cset -y 1 0x2a 0x04 0xd2        # D4 input with pull-up" "w04d2" none
board D4
run "i2cget -y 1 0x2a 0x04             # read D4" "w04 r1" get
run "i2ctransfer -y 1 w2@0x2a 0x03 0xdd r1   # mode of D3 (0 = input)" "w03dd r1" get

echo
echo "== Whole ports (AVR names: 0x1b-0x1d port B-D, 0x2b-0x2d direction) =="
run "i2cset -y 1 0x2a 0x2d 0xf0        # D4-D7 outputs" "w2df0" none
run "i2cset -y 1 0x2a 0x1d 0x41        # port D = 0x41" "w1d41" none
board D6
run "i2cget -y 1 0x2a 0x2d" "w2d r1" get
run "i2cset -y 1 0x2a 0x3d 0x41        # one bit: port D pin 4 = 1" "w3d41" none
board D4
run "i2ctransfer -y 1 w2@0x2a 0x4d 0x04 r1   # read port D pin 4" "w4d04 r1" get

echo
echo "== Analog input A0 at 2.5 V (command 0xa0, a 10-bit word) =="
req "adc 0 2.5"
req "wait 5"
run "i2cget -y 1 0x2a 0xa0 w" "wa0 r2" word

echo
echo "== PWM: D9 at 50 % (0x09 0xee duty) =="
run "i2cset -y 1 0x2a 0x09 0xee 0x80 i" "w09ee80" none
req "wait 5"
req "pwm D9"
set -- $resp
printf '  [simulated Nano: D9 period %s us, high for %s us]\n' \
	$(($2 / 1000)) $(($3 / 1000))

echo
echo "== Bad input is refused and reported (error register 0x59) =="
run "i2cset -y 1 0x2a 0x12 0x01        # A4 is SDA: refused" "w1201" none
run "i2cget -y 1 0x2a 0x59             # 4 = reserved pin" "w59 r1" get
run "i2cset -y 1 0x2a 0xf0 0x12        # unknown command: data NACKed" "wf012" none

echo
echo "== The motor car of the first user: forward, then stop =="
echo "  (L298N: ENA on D6, IN1/IN2 on D7/D8; ENB on D9, IN3/IN4 on D11/D10)"
run "i2cset -y 1 0x2a 0x07 0x01" "w0701" none
run "i2cset -y 1 0x2a 0x08 0x00" "w0800" none
run "i2cset -y 1 0x2a 0x0b 0x01" "w0b01" none
run "i2cset -y 1 0x2a 0x0a 0x00" "w0a00" none
run "i2cset -y 1 0x2a 0x06 0xee 0xff i   # ENA full speed" "w06eeff" none
run "i2cset -y 1 0x2a 0x09 0xee 0xff i   # ENB full speed" "w09eeff" none
req "wait 1"
req "pins"
p=${resp#ok }
printf '  [simulated Nano: D6=%s D7=%s D8=%s D9=%s D10=%s D11=%s: both motors forward]\n' \
	"${p:6:1}" "${p:7:1}" "${p:8:1}" "${p:9:1}" "${p:10:1}" "${p:11:1}"
run "i2cset -y 1 0x2a 0x06 0xee 0x00 i   # stop" "w06ee00" none
run "i2cset -y 1 0x2a 0x09 0xee 0x00 i" "w09ee00" none
req "wait 1"
req "pins"
p=${resp#ok }
printf '  [simulated Nano: D6=%s D9=%s: stopped]\n' "${p:6:1}" "${p:9:1}"

req "stats"
hold=$(echo "$resp" | sed -n 's/.*hold_max=\([0-9]*\).*/\1/p')
stretch=$(echo "$resp" | sed -n 's/.*stretch_count=\([0-9]*\).*/\1/p')
cat <<EOF

Longest time the firmware held the I2C clock after a byte in this session:
$hold CPU cycles ($((hold * 1000 / 16)) ns), clock stretches seen by the master: $stretch.
See Documentation/protocol.rst for every command and README.md for the Pi.
EOF
echo quit >&"${SIM[1]}"
wait
