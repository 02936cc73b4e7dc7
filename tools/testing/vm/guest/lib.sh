# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# TAP helpers for scripts run in the twin guest (. /usr/share/twin/lib.sh).
# Output in kselftest style: "ok N - what" / "not ok N - what", the plan
# at the end; details of a failure as "#" lines.

t_n=0
t_failed=0

# libgpiod: v1's tools (Raspberry Pi OS bookworm) on PATH, v2's (trixie) in
# $v2. v1's tools need the kernel's uAPI v1 (CONFIG_GPIO_CDEV_V1), which
# Debian's 7.x kernels leave out: GPIO_V1 is 1 where the kernel has it. The
# suites act on lines with v2's tools, which every kernel line serves, and
# test v1's where the kernel has uAPI v1 (gpio_v1).
v2=/opt/gpiod2/bin
GPIO_V1=
gpioinfo gpiochip0 >/dev/null 2>&1 && GPIO_V1=1
# ... and what the kernel's configuration says (run-guest)
TWIN_GPIO_V1=$(sed -n "s/^TWIN_GPIO_V1='\(.*\)'$/\1/p" /etc/twin.conf 2>/dev/null)

t_ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $*"
}

t_fail() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $*"
}

# t_eq WHAT EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		echo "#   expected '$2', got '$3'"
		t_fail "$1"
	fi
}

# t_near WHAT EXPECTED ACTUAL TOLERANCE (integers)
t_near() {
	if [ -n "$3" ] && [ "$3" -ge $(($2 - $4)) ] 2>/dev/null &&
	   [ "$3" -le $(($2 + $4)) ]; then
		t_ok "$1"
	else
		echo "#   expected $2 +- $4, got '$3'"
		t_fail "$1"
	fi
}

# t_run WHAT CMD...: passes when CMD succeeds; its output shows on failure
t_run() {
	_what=$1
	shift
	if _out=$("$@" 2>&1); then
		t_ok "$_what"
	else
		printf '%s\n' "$_out" | sed 's/^/#   /'
		t_fail "$_what"
	fi
}

# t_fails_with WHAT MESSAGE CMD...: CMD must fail and print MESSAGE
t_fails_with() {
	_what=$1
	_msg=$2
	shift 2
	if _out=$("$@" 2>&1); then
		echo "#   succeeded: $_out"
		t_fail "$_what"
	elif printf '%s\n' "$_out" | grep -q "$_msg"; then
		t_ok "$_what"
	else
		printf '%s\n' "$_out" | sed 's/^/#   /'
		echo "#   expected: $_msg"
		t_fail "$_what"
	fi
}

# gpio_v1 WHAT: true where the kernel serves libgpiod v1's tools; else one
# test that they fail there as a v1 user sees it ("Invalid argument"), and
# false: "if gpio_v1 'the v1 tests'; then ...; fi".
gpio_v1() {
	if [ "$GPIO_V1" != "$TWIN_GPIO_V1" ]; then
		t_fail "$1: libgpiod v1 works: '$GPIO_V1', the kernel's CONFIG_GPIO_CDEV_V1: '$TWIN_GPIO_V1'"
		return 1
	fi
	[ -n "$GPIO_V1" ] && return 0
	t_fails_with "$1: libgpiod v1 fails on a kernel without uAPI v1" "Invalid argument" \
		gpioinfo gpiochip0
	return 1
}

# run-guest --master: the Pi's I2C controller the bus master behaves as
TWIN_MASTER=$(sed -n "s/^TWIN_MASTER='\(.*\)'$/\1/p" /etc/twin.conf 2>/dev/null)

t_done() {
	# On a Pi 1-4's controller model (run-guest --master bcm2711), no
	# transaction of the whole run may have been corrupted: every stretch
	# there can cost a bit (Documentation/simulator.rst).
	if [ -n "$TWIN_MASTER" ] && [ "$TWIN_MASTER" != ideal ]; then
		_m=$(simctl bus master)
		t_eq "the $TWIN_MASTER master corrupted no transaction ($_m)" 0 \
			"$(echo "$_m" | sed -n 's/.* corrupt=\([0-9]*\).*/\1/p')"
	fi
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}

# Simulated time passes with wall-clock time (realtime mode): give the
# firmware's main loop a moment to act on a command.
settle() {
	usleep 20000
}

# The addresses i2cdetect finds on a bus, space-separated.
i2c_scan() {
	i2cdetect -y "$1" | sed 1d | cut -c5- | tr ' ' '\n' | grep -v -e '^--$' -e '^$' |
		tr '\n' ' ' | sed 's/ $//'
}

# Wait up to $1 seconds for the background job $2 to end; its exit status.
# A job that had to be killed leaves what the next person needs to know
# as comments: the simulator's INT level, the interrupts the guest took,
# the kernel's last words.
wait_for() {
	_i=0
	while kill -0 "$2" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt $(($1 * 20)) ]; then
			kill "$2"
			wait "$2"
			echo "#   wait_for: killed after $1 s; simctl int: $(simctl int 2>&1)"
			grep -e twin-gpio -e 1-00 /proc/interrupts | sed 's/^/#   /'
			dmesg | tail -n 5 | sed 's/^/#   /'
			return 124
		fi
		usleep 50000
	done
	wait "$2"
}

# The GPIO chip of the twin's Pi-like GPIO controller (gpiochipN).
twin_gpiochip() {
	gpiodetect | sed -n 's/^\(gpiochip[0-9]*\) \[twin-gpio\].*/\1/p'
}

# The GPIO chip of the ArduiPi at I2C address $1 on bus 1 (gpiochipN).
nano_gpiochip() {
	gpiodetect | sed -n "s/^\(gpiochip[0-9]*\) \[1-00$1\].*/\1/p"
}

# The IIO device of the ArduiPi at address $1 (hex, 2a), as a sysfs path.
nano_iio() {
	for _d in /sys/bus/iio/devices/iio:device*; do
		case $(readlink -f "$_d") in
		*/1-00$1/iio:device*) echo "$_d"; return 0 ;;
		esac
	done
	return 1
}

# A float computation: fcalc 'EXPR' (awk syntax).
fcalc() {
	awk "BEGIN { printf \"%.6f\n\", $1 }"
}

# IIO values in their units, as integers: iio_mv DEV N (in_voltageN raw *
# scale, mV); iio_mc DEV (in_temp (raw + offset) * scale, m°C).
iio_mv() {
	awk "BEGIN { printf \"%d\n\", $(cat "$1/in_voltage$2_raw") * $(cat "$1/in_voltage_scale") }"
}
iio_mc() {
	awk "BEGIN { printf \"%d\n\", ($(cat "$1/in_temp_raw") + $(cat "$1/in_temp_offset")) * $(cat "$1/in_temp_scale") }"
}

# Bus transactions the Nano NANO has seen since the last "stats reset".
nano_xfers() {
	simctl -n "${1:-2a}" stats | tr ' ' '\n' | sed -n 's/^xfers=//p'
}

# Wait up to a second for the ArduiPi at address $1 to have its gpiochip.
wait_gpiochip() {
	for _i in $(seq 50); do
		[ -n "$(nano_gpiochip "$1")" ] && return 0
		usleep 20000
	done
	return 1
}

# wait_iio NANO: until the Nano's IIO device is there (5 s at most).
wait_iio() {
	for _i in $(seq 50); do
		nano_iio "$1" >/dev/null && return 0
		usleep 100000
	done
	return 1
}

# The kernel log from here on: log_mark, then log_since prints what came
# after (by timestamp: line numbers shift once the ring buffer is full).
log_mark() {
	_log_mark=$(dmesg | tail -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
}
log_since() {
	dmesg | awk -v t="${_log_mark:-0}" '{ s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); if (s + 0 > t + 0) print }'
}
log_has() {
	log_since | grep -q "$1"
}

# Reset the MCU (simctl reset $1: wdt, bor, por) and wait up to $2
# seconds (6) for the driver to say it noticed: "MCU restarted (...)",
# logged once the configuration is written back (or why it is not). A
# fixed pause loses that race when the machine is busy. 1 if it never came.
mcu_reset() {
	log_mark
	simctl reset "$1" >/dev/null
	_i=0
	while [ "$_i" -lt $((${2:-6} * 10)) ]; do
		log_since | grep -q "MCU restarted (" && return 0
		usleep 100000
		_i=$((_i + 1))
	done
	return 1
}

# Reload the ArduiPi driver with module parameters.
reload_driver() {
	rmmod arduipi 2>/dev/null
	modprobe arduipi "$@"
	wait_gpiochip 2a
}

# Wait up to 5 s until gpiomon holds lines OFFSET... of CHIP: on a slow
# guest its requests (and the interrupt setup behind them) take a while.
monitored() {
	_chip=$1
	shift
	for _i in $(seq 100); do
		_all=1
		for _l in "$@"; do
			$v2/gpioinfo -c "$_chip" | grep -q "^[[:space:]]*line *$_l:.*\"gpiomon\"" || _all=
		done
		[ -n "$_all" ] && break
		usleep 50000
	done
	[ -n "$_all" ] || return 1
	# An ArduiPi's lines show as requested before the driver has armed
	# their edges in the Nano (the request's last step, a bus write):
	# wait for the Nano's IRQ_RISE or IRQ_FALL bit of each line.
	_addr=$(gpiodetect | sed -n "s/^$_chip \[1-00\([0-9a-f]*\)\].*/\1/p")
	[ -n "$_addr" ] || return 0
	for _l in "$@"; do
		for _i in $(seq 100); do
			_r=$(i2cget -f -y 1 "0x$_addr" "$(printf 0x%02x $((0x72 + _l / 8)))") || _r=0
			_f=$(i2cget -f -y 1 "0x$_addr" "$(printf 0x%02x $((0x75 + _l / 8)))") || _f=0
			[ $(((_r | _f) >> (_l % 8) & 1)) -eq 0 ] || break
			usleep 20000
		done
	done
}

# The PWM chip of the ArduiPi at address $1 (hex, 2a), as a sysfs path.
nano_pwm() {
	ls -d /sys/bus/i2c/devices/1-00"$1"/pwm/pwmchip* 2>/dev/null | head -n1
}

# pwm_measure LINE [NANO]: what the simulator measures on a Nano line,
# "PERIOD_NS HIGH_NS" or "steady LEVEL", in the last 60 ms (three periods
# of the slowest in the tests), once the old setting is gone.
pwm_measure() {
	usleep 100000
	for _i in $(seq 40); do
		_m=$(simctl -n "${2:-2a}" pwm "$1" 60 2>&1) && { echo "$_m"; return 0; }
		usleep 50000
	done
	echo "$_m"
	return 1
}

# pwm_set CHIP PIN PERIOD DUTY [POLARITY]: export, configure, enable
# through sysfs (duty 0 first, so no step has duty > period).
pwm_set() {
	_p=$1/pwm$2
	[ -d "$_p" ] || echo "$2" >"$1/export" || return 1
	echo 0 >"$_p/duty_cycle" && echo "$3" >"$_p/period" &&
		echo "$4" >"$_p/duty_cycle" && echo "${5:-normal}" >"$_p/polarity" &&
		echo 1 >"$_p/enable"
}

# pwm_state CHIP PIN: "PERIOD DUTY POLARITY ENABLE" as sysfs shows them.
pwm_state() {
	echo "$(cat "$1/pwm$2/period") $(cat "$1/pwm$2/duty_cycle")" \
		"$(cat "$1/pwm$2/polarity") $(cat "$1/pwm$2/enable")"
}

# t_pwm WHAT LINE PERIOD HIGH [TOLERANCE]: what the simulator measures on
# the line is PERIOD/HIGH ns, +- TOLERANCE (450 ns: less than one 500 ns
# tick of timer1 at /8, more than the simulator's edge latency; edges can be a few
# cycles late, Documentation/simulator.rst); t_pwm WHAT LINE LEVEL steady.
# On the Nano $PWM_NANO (default 2a).
t_pwm() {
	_m=$(pwm_measure "$2" "${PWM_NANO:-2a}")
	_tol=${5:-450}
	if [ "$4" = steady ]; then
		[ "$_m" = "steady $3" ] || dmesg | tail -n 4 | sed 's/^/#   /'
		t_eq "$1" "steady $3" "$_m"
	elif [ "${_m% *}" -ge $(($3 - _tol)) ] 2>/dev/null &&
	     [ "${_m% *}" -le $(($3 + _tol)) ] &&
	     [ "${_m#* }" -ge $(($4 - _tol)) ] && [ "${_m#* }" -le $(($4 + _tol)) ]; then
		t_ok "$1"
	else
		echo "#   expected period $3 high $4 (+- $_tol ns), measured '$_m'"
		dmesg | tail -n 4 | sed 's/^/#   /'
		t_fail "$1"
	fi
}

# edge_field ANSWER PREFIX: from a nanosim "edges" answer (now=NS end=NS
# LINE=LEVEL@NS ...), what follows PREFIX in its field: "end=" gives the
# last transaction's end, "D7=0@" D7's last edge if it is low now.
edge_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2//p"
}
