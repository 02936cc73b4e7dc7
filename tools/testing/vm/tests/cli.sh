#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest (overlay on, driver not loaded at first): the arduipi
# tool (tools/arduipi) against the real firmware: every example of the
# ArduiPi specification in its own syntax, the friendlier commands, and
# bad command lines; then the kernel driver owning the address.
. /usr/share/twin/lib.sh

rmmod arduipi 2>/dev/null	# loaded at boot: the raw path comes first

# t_cli WHAT STATUS STDOUT STDERR-REGEX CMD...: exit status, stdout exactly,
# stderr matching (empty regex: stderr empty)
t_cli() {
	_what=$1 _st=$2 _out=$3 _err=$4
	shift 4
	"$@" >/tmp/cli.out 2>/tmp/cli.err
	_rc=$?
	_got=$(cat /tmp/cli.out)
	if [ "$_rc" = "$_st" ] && [ "$_got" = "$_out" ] &&
	   { if [ -z "$_err" ]; then [ ! -s /tmp/cli.err ]; else grep -q -- "$_err" /tmp/cli.err; fi; }; then
		t_ok "$_what"
	else
		echo "#   $*: exit $_rc (want $_st), stdout '$_got' (want '$_out')"
		sed 's/^/#   stderr: /' /tmp/cli.err
		[ -z "$_err" ] || echo "#   want stderr matching '$_err'"
		t_fail "$_what"
	fi
}

# ---- the specification's examples, its own syntax ---------------------------
t_cli "1 spec: arduipi -g -d 0xe0 (ping)" 0 0x55 "" arduipi -g -d 0xe0
t_cli "2 spec: arduipi -s -d 0xe0aa (set ping)" 0 "" "" arduipi -s -d 0xe0aa
t_cli "2.1 ... ping answers 0xaa" 0 0xaa "" arduipi -g -d 0xe0
arduipi -s -d 0xe055
simctl drive A2 1 >/dev/null
settle
t_cli "3 spec: arduipi -g -d 0x1c (port C, A2 driven high)" 0 0x04 "" arduipi -g -d 0x1c
t_cli "3.1 ... as i2cget reads it" 0 "$(i2cget -y 1 0x2a 0x1c)" "" arduipi -g -d 0x1c
t_cli "4 spec: arduipi -s -d 0x1ba5 (port B)" 0 "" "" arduipi -s -d 0x1ba5
t_eq "4.1 ... D8, D10, D13 inputs pulled up (AVR semantics)" "1 in 1 1 in 1 1 in 1" \
	"$(simctl pin D8) $(simctl pin D10) $(simctl pin D13)"
t_cli "5 spec: arduipi -g -d 0x2b (DDR B)" 0 0x00 "" arduipi -g -d 0x2b
t_cli "6 spec: arduipi -s -d 0x2df0 (DDR D: D4..D7 outputs)" 0 "" "" arduipi -s -d 0x2df0
t_eq "6.1 ... D7 is an output" out "$(simctl pin D7 | cut -d' ' -f2)"
t_cli "7 spec: arduipi -g -d 0x1c02 (port pin C2)" 0 0x01 "" arduipi -g -d 0x1c02
t_cli "8 spec: arduipi -s -d 0x1d41 (port D = 0x41)" 0 "" "" arduipi -s -d 0x1d41
t_eq "8.1 ... D6 high, D7 low" "1 out 0 0 out 0" "$(simctl pin D6) $(simctl pin D7)"
t_cli "8.2 one port bit: arduipi -s -d 0x3d71 (PD7 = 1)" 0 "" "" arduipi -s -d 0x3d71
t_eq "8.3 ... D7 high" "1 out 0" "$(simctl pin D7)"
t_cli "9 spec: arduipi -g -d 0x05 (D5)" 0 "$(i2cget -y 1 0x2a 0x05)" "" arduipi -g -d 0x05
t_cli "10 spec: arduipi -s -d 0x0801 (D8 high)" 0 "" "" arduipi -s -d 0x0801
t_eq "10.1 ... D8 a high output" "1 out 0" "$(simctl pin D8)"
t_cli "11 spec: arduipi -g -d 0x03dd (mode of D3: input)" 0 0x00 "" arduipi -g -d 0x03dd
t_cli "12 spec: arduipi -s -d 0x04d2 (D4 input, pull-up)" 0 "" "" arduipi -s -d 0x04d2
t_eq "12.1 ... D4 pulled up" "1 in 1" "$(simctl pin D4)"
simctl adc A5 2.5 >/dev/null
settle
t_cli "13 spec: arduipi -G -d 0xa5 (A5 at 2.5 V)" 0 0x0200 "" arduipi -G -d 0xa5
t_cli "13.1 ... as i2cget reads the word" 0 "$(i2cget -y 1 0x2a 0xa5 w)" "" arduipi -G -d 0xa5
t_cli "14 PWM: arduipi -s -d 0x09ee80 (D9 at 50 %)" 0 "" "" arduipi -s -d 0x09ee80
t_pwm "14.1 ... D9 runs 1 kHz at 50 %" D9 1000000 500000

# ---- friendlier commands --------------------------------------------------------
arduipi info >/tmp/info
t_eq "15 info: the running firmware" "firmware: ArduiPi, protocol 1.5" "$(sed -n 1p /tmp/info)"
# (the driver, loaded at boot, made D12 the INT line)
t_run "16 info: clock, address, INT line" sh -c \
	"grep -qx 'clock: 16 MHz' /tmp/info && grep -qx 'address: 0x2a' /tmp/info && grep -qx 'INT line: D12' /tmp/info"
t_run "17 info: capabilities and the last reset" sh -c \
	"grep -qx 'capabilities: gpio adc pwm irq pec failsafe temp addr' /tmp/info && grep -qx 'last reset: power-on' /tmp/info"
t_cli "18 ping" 0 0x55 "" arduipi ping
# the rig: simctl from parallel jobs take turns (the virtio port has one
# opener at a time; they failed with EBUSY)
for i in 1 2 3 4 5 6 7 8; do simctl pin D13 >/tmp/sc.$i 2>&1 & done
wait
t_eq "18.1 eight simctl at once: every one answered" 8 "$(cat /tmp/sc.? | grep -c '^[01] ')"

t_cli "19 set D13 1" 0 "" "" arduipi set D13 1
t_eq "19.1 ... D13 high" "1 out 0" "$(simctl pin D13)"
simctl drive A3 1 >/dev/null
settle
t_cli "20 get A3 (driven high)" 0 1 "" arduipi get A3
t_cli "21 mode D4" 0 pullup "" arduipi mode D4
t_cli "22 mode D11 output" 0 "" "" arduipi mode D11 output
t_cli "22.1 ... mode D11" 0 output "" arduipi mode D11
t_cli "22.2 the INT line (D12) is the firmware's: refused" 1 "" \
	"refused 0x0c 0xd1: pin reserved" arduipi mode D12 output
simctl adc A0 1.25 >/dev/null
settle
t_cli "23 analog A0 at 1.25 V" 0 256 "" arduipi analog A0
t_cli "24 pwm D3 64" 0 "" "" arduipi pwm D3 64
t_pwm "24.1 ... D3 at 25 % of timer2's 1.024 ms" D3 1024000 256000
t_cli "24.2 boot: nothing stored, every pin an input" 0 input "" arduipi boot
t_cli "24.3 boot D6=low D9=low D2=pullup D13=high" 0 "" "" \
	arduipi boot D6=low D9=low D2=pullup D13=high
t_cli "24.4 ... boot shows it" 0 "D2=pullup D6=low D9=low D13=high" "" arduipi boot
simctl reset por >/dev/null
t_eq "24.5 ... a power-on reset: the pins in it, before anyone says anything" \
	"1 in 1/0 out 0/0 out 0/1 out 0/0 in 0" \
	"$(simctl pin D2)/$(simctl pin D6)/$(simctl pin D9)/$(simctl pin D13)/$(simctl pin D7)"
arduipi boot D2=input D13=low
t_cli "24.6 boot D2=input D13=low: those change, the others keep theirs" 0 \
	"D6=low D9=low D13=low" "" arduipi boot
t_cli "24.7 a mode that does not exist" 2 "" "^arduipi: D6='sideways': input, pullup, low or high$" \
	arduipi boot D6=sideways
t_cli "24.8 A4 is the bus: refused" 1 "" "pin reserved" arduipi boot A4=low
t_cli "24.9 boot clear" 0 "" "" arduipi boot clear
t_cli "24.10 ... every pin an input" 0 input "" arduipi boot
simctl avcc 3.9 >/dev/null
simctl wait 20 >/dev/null
t_cli "24.11 a supply of 3.9 V: no EEPROM write, the reason" 1 "" \
	"supply is too low for an EEPROM write" arduipi boot D13=high
t_cli "24.12 ... nothing stored" 0 input "" arduipi boot
simctl avcc 5 >/dev/null
simctl wait 20 >/dev/null

# ---- refusals and bad command lines: a message, a status, nothing done ---
t_cli "25 a command the firmware refuses: status 1, its reason" 1 "" \
	"^arduipi: the Nano refused 0x14 0x01: no such command (error 1)$" arduipi -s -d 0x1401
t_cli "26 PWM on D4: refused" 1 "" "no PWM on this pin" arduipi pwm D4 10
t_cli "27 A4 is the bus: refused" 1 "" "pin reserved" arduipi set A4 1
t_cli "28 -d with a bad hex digit" 2 "" "^arduipi: -d '0xzz': 'z' is not a hex digit$" \
	arduipi -g -d 0xzz
t_cli "29 -d with an odd number of digits" 2 "" "odd number of hex digits" arduipi -s -d 0xe0a
t_cli "30 an unknown option" 2 "" "try 'arduipi --help'" arduipi -x
t_cli "31 -g without -d" 2 "" "^arduipi: -g needs -d HEX" arduipi -g
t_cli "32 -g and -s together" 2 "" "one of -g, -G, -s" arduipi -g -s -d 0xe0
t_cli "33 a bus that does not exist" 1 "" "^arduipi: no /dev/i2c-7: enable I2C" arduipi -b 7 ping
t_cli "34 no device at the address" 1 "" "^arduipi: no answer from 0x2b on i2c-1" \
	arduipi -a 0x2b ping
t_cli "35 an address out of range" 2 "" "-a '0x80': not a number 8..119" arduipi -a 0x80 ping
t_cli "36 a pin that does not exist" 2 "" "'D14' is not a pin D0..D13 or A0..A5" arduipi get D14
t_cli "37 a level that is not 0 or 1" 2 "" "level '2'" arduipi set D13 2
t_cli "38 an unknown command" 2 "" "^usage: arduipi" arduipi fly
t_cli "39 no arguments: usage" 2 "" "^usage: arduipi" arduipi
arduipi --help >/tmp/help
t_run "40 --help on stdout, status 0" grep -q "^usage: arduipi" /tmp/help
t_eq "41 nothing was changed by the refusals: D13 still high, ping 0x55" "1 out 0 0x55" \
	"$(simctl pin D13) $(arduipi ping)"

# ---- arduipi-flash: its dry run and its checks (flashing is physical) -------
t_cli "41.1 arduipi-flash -n: the reset pulse with the v1 tools, then avrdude" 0 \
	"gpioset --mode=time --usec=10000 gpiochip0 23=0
gpioget gpiochip0 23
avrdude -p m328p -c arduino -P /dev/serial0 -b 115200 -U flash:w:/usr/share/arduipi/arduipi.hex:i" "" \
	arduipi-flash -n -r 23 /usr/share/arduipi/arduipi.hex
t_cli "41.2 ... with the v2 tools" 0 \
	"gpioset -t 10ms,0 -c gpiochip0 17=0
gpioget -c gpiochip0 17
avrdude -p m328p -c arduino -P /dev/ttyAMA0 -b 57600 -U flash:w:/usr/share/arduipi/arduipi.hex:i" "" \
	env PATH="/opt/gpiod2/bin:$PATH" arduipi-flash -n -r 17 -p /dev/ttyAMA0 -b 57600
t_cli "41.3 ... a baud rate no bootloader uses" 2 "" "^arduipi-flash: -b '9600'" \
	arduipi-flash -n -b 9600
t_cli "41.4 ... a missing image" 2 "" "^arduipi-flash: no file /nonexistent.hex" \
	arduipi-flash -n /nonexistent.hex
t_cli "41.5 ... no serial port" 1 "" "^arduipi-flash: no serial port /dev/ttyNONE" \
	arduipi-flash -p /dev/ttyNONE

# ---- arduipi pinout through raw I2C ---------------------------------------------
# row PIN: the pinout's row of a pin on the board's left (A0..A7, D13) or
# right side, from /tmp/cli.out, spaces squeezed
row() { grep -E "(^| )$1\|o|\|$1 " /tmp/cli.out | tr -s ' '; }
arduipi set D13 1
arduipi mode D2 pullup
arduipi pwm D9 64
simctl adc A0 2.5 >/dev/null
arduipi pinout >/tmp/cli.out 2>/tmp/cli.err
t_eq "41.11 arduipi pinout, no driver: exit 0, nothing on stderr" "0 " "$? $(cat /tmp/cli.err)"
t_eq "41.12 ... says how it read them" "Nano at 0x2a on i2c-1, 16 MHz, through raw I2C, no driver bound" \
	"$(head -n 1 /tmp/cli.out)"
t_eq "41.13 ... D13 an output at 1 (the board's left, top)" " out 1 D13|o o|D12 in 1" "$(row D13)"
# (timer1's period is the one the driver left, loaded at boot)
t_eq "41.14 ... A0 at 2.5 V, D9's PWM at 64/255" \
	" analog 2.50 V A0|o o|D9 PWM 25%" "$(row A0 | sed 's/ [0-9.]* Hz$//')"
t_eq "41.15 ... D2 pulled up, A7 analog only" " analog 0.00 V A7|o o|D2 in pull-up 1" "$(row A7)"
t_eq "41.16 ... A4 and A5 the I2C bus" " I2C SDA A4|o o|D5 in 0  I2C SCL A5|o o|D4 in 0" \
	"$(row A4) $(row A5)"
t_eq "41.17 ... piped: no colour codes" 0 "$(grep -c "$(printf '\033')" /tmp/cli.out)"
arduipi pwm D9 0
arduipi set D13 0

# ---- the kernel driver owns the address ----------------------------------------
# (bound on a supply too low for the EEPROM: the boot state it would store,
# every line an input, is refused; it says so and works all the same)
arduipi boot D13=high
simctl avcc 3.9 >/dev/null
simctl wait 20 >/dev/null
log_mark
modprobe arduipi
wait_gpiochip 2a
t_eq "41.6 driver bound on a 3.9 V supply: the boot state not stored, the reason" 1 \
	"$(log_since | grep -c "boot state not stored: the Nano's supply is too low for an EEPROM write")"
t_run "41.7 ... and its GPIO chip is there" test -n "$(nano_gpiochip 2a)"
t_cli "41.8 ... the stored boot state is unchanged" 0 "D13=high" "" arduipi -f boot
simctl avcc 5 >/dev/null
for i in $(seq 50); do
	log_since | grep -q "boot state stored in the Nano's EEPROM" && break
	usleep 100000
done
t_eq "41.9 the supply back: the poll stores it, said once" "1 1" \
	"$(log_since | grep -c "boot state stored in the Nano's EEPROM") $(log_since | grep -c 'boot state not stored')"
t_cli "41.10 ... every pin an input" 0 input "" arduipi -f boot
t_cli "42 driver bound: refused, naming it" 1 "" \
	"^arduipi: 0x2a on i2c-1 is in use by the kernel driver arduipi: .* or -f" arduipi ping
t_cli "43 ... -f talks to it anyway" 0 0x55 "" arduipi -f ping

# ---- arduipi pinout through the driver --------------------------------------------
chip=$(nano_gpiochip 2a)
$v2/gpioset -c "$chip" D13=1 &
held=$!
pwm=$(nano_pwm 2a)
pwm_set "$pwm" 9 1000000 250000
usleep 300000
arduipi pinout >/tmp/cli.out 2>/tmp/cli.err
t_eq "44 arduipi pinout, the driver bound: through it, exit 0" \
	"0 Nano at 0x2a on i2c-1, 16 MHz, through the arduipi driver" "$? $(head -n 1 /tmp/cli.out)"
t_eq "44.1 ... D13 held by gpioset at 1 (gpiolib's debugfs), D12 the INT line" \
	" [gpioset] out 1 D13|o o|D12 INT to the Pi [arduipi]" "$(row D13)"
t_eq "44.2 ... D9's PWM exported in sysfs: 25 % at 1 kHz (the PWM core's debugfs)" \
	" analog 2.50 V A0|o o|D9 PWM 25% 1000 Hz [sysfs]" "$(row A0)"
t_eq "44.3 ... the I2C lines, which the driver does not offer" " [kernel] I2C SDA A4|o o|D5 in 0" "$(row A4)"
umount /sys/kernel/debug
arduipi pinout >/tmp/cli.out 2>/tmp/cli.err
t_eq "44.4 ... without debugfs: D9 from sysfs, D13's level unknown" \
	"0  [gpioset] out ? D13|o o|D12 INT to the Pi [arduipi]  analog 2.50 V A0|o o|D9 PWM 25% 1000 Hz [sysfs]" \
	"$? $(row D13) $(row A0)"
mount -t debugfs none /sys/kernel/debug
kill $held
wait $held 2>/dev/null
echo 0 >"$pwm/pwm9/enable"
echo 9 >"$pwm/unexport"
t_done
