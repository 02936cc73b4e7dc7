#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# gpiozero on the Nano (tools/python: the arduipi pin factory and analog
# inputs) against the simulator's pins, as Raspberry Pi OS users have it:
# gpiozero 1.6 with Python 3.11 and the libgpiod v1 bindings (bookworm),
# gpiozero 2.0 with Python 3.13 and the v2 bindings (trixie and later).
# And Debian trixie's: gpiozero 1.6 with Python 3.13 and the v2 bindings.
# Run with run-guest --driver --python --file gpiozero_test.py.
. /usr/share/twin/lib.sh

# py WHAT PYTHON...: gpiozero_test.py's checks, numbered here
py() {
	_what=$1
	shift
	GPIOZERO_PIN_FACTORY=arduipi "$@" /twin/gpiozero_test.py >/tmp/py.out 2>/tmp/py.err
	_rc=$?
	while IFS= read -r _l; do
		case $_l in
		"ok - "*) t_ok "$_what: ${_l#ok - }" ;;
		"not ok - "*) t_fail "$_what: ${_l#not ok - }" ;;
		*) echo "$_l" ;;
		esac
	done </tmp/py.out
	if grep -q "^# the end$" /tmp/py.out; then
		t_ok "$_what: ran to its end"
	else
		sed 's/^/#   /' /tmp/py.err | tail -n 20
		t_fail "$_what: gpiozero_test.py stopped with status $_rc"
	fi
}

if gpio_v1 "gpiozero 1.6 (Python 3.11, libgpiod v1 bindings)"; then
	py "gpiozero 1.6, Python 3.11" \
		env GZ_EXPECT="python 3.11, gpiozero 1.6.2, libgpiod bindings v1" python3
fi
py "gpiozero 2.0" env GZ_EXPECT="python 3.13, gpiozero 2.0.1, libgpiod bindings v2" \
	PYTHONPATH=/opt/gpiozero2/python:/opt/gpiod2/python python3.13
# Debian trixie: gpiozero 1.6 on Python 3.13 with the v2 bindings, a part
# (the two runs above cover the factory's code on each API)
py "gpiozero 1.6, Python 3.13" env GZ_TEST=smoke \
	GZ_EXPECT="python 3.13, gpiozero 1.6.2, libgpiod bindings v2" \
	PYTHONPATH=/opt/gpiod2/python:/opt/pkgres-trixie/python python3.13

# ---- the examples, as users run them (gpiozero 2.0, Python 3.13) -------------
export PYTHONPATH=/opt/gpiozero2/python:/opt/gpiod2/python
pin() { simctl pin "$1" | cut -d' ' -f1; }
# until_true SECS 'CONDITION': poll it every 50 ms, at most SECS
until_true() {
	_end=$(($(date +%s) + $1))
	until eval "$2"; do
		[ "$(date +%s)" -le "$_end" ] || return 1
		usleep 50000
	done
}
dirs() { echo "$(pin D7)$(pin D8)$(pin D10)$(pin D11)"; }
# duty of a PWM pin in percent, or its steady level as "steady L"
duty() {
	_m=$(pwm_measure "$1")
	case $_m in
	"steady "[01]) echo "$_m" ;;
	[1-9]*" "[0-9]*) echo $(((${_m#* } * 200 / ${_m% *} + 1) / 2)) ;;
	*) echo "'$_m'" ;;
	esac
}

# 1 robot.py, its keys from a pipe
fs=/sys/bus/i2c/devices/1-002a/failsafe_trips
rm -f /tmp/keys
mkfifo /tmp/keys
# robot_forward: robot.py started ($robot), its keys on fd 3, once ready
# (its speed on ENA) driving forward
robot_forward() {
	python3.13 /twin/robot.py </tmp/keys >/tmp/robot.out 2>&1 &
	robot=$!
	exec 3>/tmp/keys
	until_true 10 '[ "$(duty D6)" = 60 ]'
	printf w >&3
	until_true 3 '[ "$(dirs)" = 1010 ]'
}
robot_forward
t_eq "40 robot.py, key w: forward (IN1..IN4 1010), ENA and ENB at 60 %" "1010 60 60" \
	"$(dirs) $(duty D6) $(duty D9)"
for k in "s 0101 backward" "a 0110 left" "d 1001 right" "' ' 0000 stop"; do
	eval "set -- $k"
	printf '%s' "$1" >&3
	until_true 3 "[ \"\$(dirs)\" = $2 ]"
	t_eq "41 ... key '$1': $3 ($2)" "$2" "$(dirs)"
done
printf w >&3
until_true 3 '[ "$(dirs)" = 1010 ]'
n=$(cat $fs)
t0=$(simctl time | cut -d' ' -f2)
kill -9 $robot
until_true 4 '[ "$(dirs)" = 0000 ]'
e=$(simctl edges D7 D9)
d9=$(edge_field "$e" D9=0@)
late=$(((${d9:-0} - t0) / 1000000))
t_eq "42 robot.py killed (SIGKILL) while driving: the Nano stops the car (its watchdog, 1 s)" \
	"steady 0 steady 0 0000" "$(duty D6) $(duty D9) $(dirs)"
# (the kernel pings once more as it releases the dead program's file; up
# to a second more for a guest that shares the host's CPU with another)
t_run "43 ... ENB off a second after the kill, the watchdog's timeout (${late} ms)" \
	test -n "$d9" -a "$late" -ge 1000 -a "$late" -le 2000
until_true 3 "[ \$(cat $fs) -gt $n ]"
t_eq "44 ... one failsafe trip" $((n + 1)) "$(cat $fs)"
exec 3>&-
wait $robot 2>/dev/null

# robot.py's Q: the car stops, the watchdog with it (no trip after)
robot_forward
printf q >&3
until_true 5 '! kill -0 $robot 2>/dev/null'
t_eq "44.1 robot.py, keys w then q: it ends, the car stopped (ENA, ENB off)" \
	"0000 steady 0 steady 0" "$(dirs) $(duty D6) $(duty D9)"
n=$(cat $fs)
usleep 1500000
t_eq "44.2 ... the watchdog closed with it: no trip after its second" "$n" "$(cat $fs)"
exec 3>&-
wait $robot 2>/dev/null
sed 's/^/#   /' /tmp/robot.out

# 2 classroom.py: the button toggles D13, the knob dims D9
simctl drive D2 z >/dev/null
simctl adc A0 1.25 >/dev/null
python3.13 /twin/classroom.py >/tmp/class.out 2>&1 &
lesson=$!
# ready: the lamp follows the knob (its last line before pause())
until_true 20 '[ "$(duty D9)" = 25 ]'
t_eq "45 classroom.py: D13 off, D2 pulled up" "0 out 0 1 in 1" "$(simctl pin D13) $(simctl pin D2)"
simctl drive D2 0 >/dev/null
until_true 3 '[ "$(pin D13)" = 1 ]'
t_eq "46 ... a press: the LED on" 1 "$(pin D13)"
simctl drive D2 1 >/dev/null
usleep 200000
simctl drive D2 0 >/dev/null
until_true 3 '[ "$(pin D13)" = 0 ]'
t_eq "47 ... another: off" 0 "$(pin D13)"
simctl drive D2 z >/dev/null
t_eq "48 ... the knob at 1.25 V: the lamp (D9) at a quarter" 25 "$(duty D9)"
simctl adc A0 3.75 >/dev/null
until_true 3 '[ "$(duty D9)" -ge 74 ] 2>/dev/null'
t_near "49 ... at 3.75 V: three quarters" 75 "$(duty D9)" 1
t_run "50 ... classroom.py still runs" kill -0 $lesson
kill $lesson
wait $lesson 2>/dev/null
sed 's/^/#   /' /tmp/class.out
pwmdir=$(nano_pwm 2a)
t_eq "50.1 ... ended by SIGTERM (kill): its exit handlers ran, D9's PWM channel given back" \
	"pwmchip no pwm9 steady 0" \
	"$([ -d "$pwmdir" ] && echo pwmchip) $([ -d "$pwmdir/pwm9" ] && echo pwm9 || echo no pwm9) $(duty D9)"
python3.13 /twin/classroom.py >/tmp/class.out 2>&1 &
lesson=$!
until_true 20 '[ "$(duty D9)" -ge 74 ] 2>/dev/null'
t_near "50.2 ... started again: the lamp follows the knob (3.75 V)" 75 "$(duty D9)" 1
kill $lesson
wait $lesson 2>/dev/null
sed 's/^/#   /' /tmp/class.out

# 3 arduipi pinout on a terminal (Python's pty): in colour, unless NO_COLOR
python3 -c 'import pty; pty.spawn(["arduipi", "pinout"])' >/tmp/tty.out 2>&1
esc=$(printf '\033')
t_run "51 arduipi pinout on a terminal: in colour" grep -q "$esc\[3" /tmp/tty.out
NO_COLOR=1 python3 -c 'import pty; pty.spawn(["arduipi", "pinout"])' >/tmp/tty.out 2>&1
t_eq "52 ... with NO_COLOR: none, the picture all the same" "0 1" \
	"$(grep -c "$esc" /tmp/tty.out) $(grep -c 'D13|o' /tmp/tty.out)"
t_done
