#!/bin/sh
# SPDX-License-Identifier: MIT
# The motor car this project started from: a Raspberry Pi, an Arduino
# Nano running the ArduiPi firmware, and an L298N dual H-bridge.
#
#   L298N  Nano  what
#   ENA    D6    left motor: speed (PWM)
#   IN1    D7    left motor: direction
#   IN2    D8
#   ENB    D9    right motor: speed (PWM)
#   IN3    D10   right motor: direction
#   IN4    D11
#
#   car.sh forward [SPEED [SECONDS]]    SPEED in percent, default 60
#   car.sh backward [SPEED [SECONDS]]
#   car.sh stop
#
# With SECONDS the car drives that long and stops, and the script holds
# the Nano's watchdog meanwhile (the overlay's failsafe_ms must be set):
# should the script die or hang, the Nano stops the car within the
# watchdog's timeout (1 s unless changed). Without, the car drives until
# told otherwise, and only a silent Pi trips the failsafe.
#
# Directions with gpioset (libgpiod v1 as on Raspberry Pi OS bookworm, or
# v2), speed with the kernel's PWM class in sysfs; the arduipi driver and
# overlay must be installed (Documentation/car.rst). ARDUIPI_ADDR selects
# another Nano (default 2a). Run as root.
set -eu

dev=/sys/bus/i2c/devices/1-00${ARDUIPI_ADDR:-2a}
period=1024000		# ns: 977 Hz, what both timers (D6, D9) can make

die() {
	echo "car.sh: $*" >&2
	exit 1
}

gpio=$(ls -d "$dev"/gpiochip* 2>/dev/null | head -n1) ||
	die "no ArduiPi at $dev: is the driver loaded (dmesg | grep arduipi)?"
[ -n "$gpio" ] || die "no ArduiPi GPIO chip under $dev: is the driver loaded?"
gpio=$(basename "$gpio")
pwm=$(ls -d "$dev"/pwm/pwmchip* 2>/dev/null | head -n1)
[ -n "$pwm" ] || die "no ArduiPi PWM chip under $dev"

# One motor's speed in percent on its enable pin (a PWM channel).
speed() {
	[ -d "$pwm/pwm$1" ] || echo "$1" >"$pwm/export"
	echo "$period" >"$pwm/pwm$1/period"
	echo $((period * $2 / 100)) >"$pwm/pwm$1/duty_cycle"
	echo 1 >"$pwm/pwm$1/enable"
}

# The four direction pins IN1 IN2 IN3 IN4.
direction() {
	if gpioset --version 2>&1 | grep -q ' v1\.'; then
		gpioset "$gpio" 7="$1" 8="$2" 10="$3" 11="$4"
	else
		gpioset -t0 -c "$gpio" 7="$1" 8="$2" 10="$3" 11="$4"
	fi
}

# The Nano's watchdog open on fd 3 (before the motors start: a program
# that cannot hold it must not drive).
watchdog_open() {
	wd=$(ls -d "$dev"/watchdog/watchdog* 2>/dev/null | head -n1)
	[ -n "$wd" ] || die "no watchdog under $dev: set the overlay's failsafe_ms"
	wd=/dev/$(basename "$wd")
	[ -c "$wd" ] || die "no device $wd"
	command exec 3>"$wd" || die "cannot open $wd (another program holds it?)"
	printf . >&3	# its count starts now, whatever an earlier holder did
}

# Drive for $1 seconds holding the watchdog: a ping every 200 ms; then
# stop, and close it with the magic 'V' so that it stops too.
hold() {
	# Ctrl-C or kill: stop the car and the watchdog, as at the end
	trap 'speed 6 0; speed 9 0; direction 0 0 0 0; printf V >&3; exit 130' INT TERM
	i=$(($1 * 5))
	while [ "$i" -gt 0 ]; do
		printf . >&3
		sleep 0.2 3>&-
		i=$((i - 1))
	done
	speed 6 0
	speed 9 0
	direction 0 0 0 0
	printf V >&3
	exec 3>&-
}

pct=${2:-60}
case $pct in
'' | *[!0-9]* | 0?*) die "speed '$pct' is not a percentage 0..100" ;;
esac
[ "$pct" -le 100 ] || die "speed '$pct' is not a percentage 0..100"
secs=${3:-}
case $secs in
*[!0-9]* | 0?*) die "'$secs' is not a number of seconds" ;;
esac

case ${1:-} in
forward | backward)
	[ -z "$secs" ] || watchdog_open
	# never switch an H-bridge's direction under power
	speed 6 0
	speed 9 0
	if [ "$1" = forward ]; then
		direction 1 0 1 0
	else
		direction 0 1 0 1
	fi
	speed 6 "$pct"
	speed 9 "$pct"
	[ -z "$secs" ] || hold "$secs"
	;;
stop)
	speed 6 0
	speed 9 0
	direction 0 0 0 0
	;;
*)
	echo "usage: car.sh forward|backward [SPEED [SECONDS]] | stop" >&2
	exit 2
	;;
esac
