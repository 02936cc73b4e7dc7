#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest with the ArduiPi driver and tests/levels.dtso:
# level-triggered interrupts (gpio.c) through gpio-keys buttons that are
# interrupts only. gpio-keys reports such a key down at its interrupt and
# up debounce-interval (400 ms: a guest can be starved of the CPU for
# 100 ms beside another) after the last one: a level interrupt comes again
# and again while its level holds, so the key stays down as long; an edge
# would let it go after 400 ms.
. /usr/share/twin/lib.sh

wait_gpiochip 2a
keys=/sys/bus/platform/drivers/gpio-keys
simctl drive D2 1 >/dev/null	# D2's level is low: not there
simctl drive D4 0 >/dev/null	# D4's is high
settle
log_mark
modprobe gpio_keys
modprobe evdev
for k in keys-levels keys-both-levels; do
	[ -e "$keys/$k" ] || echo "$k" >"$keys/bind" 2>/dev/null
done
t_run "1 gpio-keys bound with level interrupts on D2 (low) and D4 (high)" \
	test -e "$keys/keys-levels"
# /proc/interrupts: "IRQ: COUNT CHIP HWIRQ TYPE NAME" (one CPU)
irq_count() { awk -v n="$1" '$NF == n { print $2 }' /proc/interrupts; }
irq_type() { awk -v n="$1" '$NF == n { print $(NF - 1) }' /proc/interrupts; }
t_eq "2 D2 and D4 are level interrupts" "Level Level" \
	"$(irq_type lvl-d2) $(irq_type lvl-d4)"
t_run "3 both levels at once: refused, the log says what can be" \
	sh -c "dmesg | grep -q 'line D7: interrupt type 0xc: one edge, both edges, or one level'"

# The key events: struct input_event, 24 bytes on arm64; type EV_KEY (1),
# the code, the value (1 down, 0 up) in its last 8 bytes.
for e in /sys/class/input/event*; do
	[ "$(cat "$e/device/name")" = keys-levels ] && ev=${e##*/}
done
cat "/dev/input/${ev:-none}" >/tmp/ev &
evpid=$!
# key CODE VALUE: how many such events came so far
key() {
	hexdump -v -e '24/1 "%02x" "\n"' /tmp/ev |
		grep -c "0100$(printf %02x "$1")00$(printf %02x "$2")000000\$"
}

c0=$(irq_count lvl-d2)
usleep 500000
t_eq "4 D2 high: no interrupt" "$c0" "$(irq_count lvl-d2)"

simctl drive D2 0 >/dev/null
usleep 1500000
c1=$(irq_count lvl-d2)
t_eq "5 D2 held low 1.5 s: KEY_A down, not up again (an edge's would be after 400 ms)" "1 0" \
	"$(key 30 1) $(key 30 0)"
echo "# D2 held low 1.5 s: $((c1 - c0)) interrupts"
# (an edge is one interrupt; passes take two bus transactions each, a few
# ms, but on a loaded host the twin's guest runs tens of them a second)
t_run "6 ... its interrupt came again and again ($((c1 - c0)))" test $((c1 - c0)) -ge 3
simctl drive D2 1 >/dev/null
usleep 800000
c2=$(irq_count lvl-d2)
t_eq "7 D2 high again: KEY_A up" "1 1" "$(key 30 1) $(key 30 0)"
usleep 500000
t_eq "8 ... and no interrupt since" "$c2" "$(irq_count lvl-d2)"

# level high
c0=$(irq_count lvl-d4)
simctl drive D4 1 >/dev/null
usleep 1500000
c1=$(irq_count lvl-d4)
t_eq "9 D4 held high 1.5 s: KEY_B down, not up again" "1 0" "$(key 48 1) $(key 48 0)"
echo "# D4 held high 1.5 s: $((c1 - c0)) interrupts"
t_run "10 ... its interrupt came again and again ($((c1 - c0)))" test $((c1 - c0)) -ge 3
simctl drive D4 0 >/dev/null
usleep 800000
c2=$(irq_count lvl-d4)
t_eq "11 D4 low again: KEY_B up" "1 1" "$(key 48 1) $(key 48 0)"
usleep 500000
t_eq "12 ... and no interrupt since" "$c2" "$(irq_count lvl-d4)"

# A level already there when the interrupt is unmasked comes with no edge.
kill "$evpid" 2>/dev/null
echo keys-levels >"$keys/unbind"
simctl drive D2 0 >/dev/null
settle
c0=$(irq_count lvl-d2)
c0=${c0:-0}
echo keys-levels >"$keys/bind"
usleep 500000
c1=$(irq_count lvl-d2)
t_run "13 D2 low before gpio-keys requests it: its interrupt comes ($c0 -> $c1)" \
	test "${c1:-0}" -gt "$c0"
simctl drive D2 1 >/dev/null
usleep 300000
c2=$(irq_count lvl-d2)
usleep 500000
t_eq "14 ... and stops with the level" "$c2" "$(irq_count lvl-d2)"

# A consumer that disables its interrupt (gpio-keys' disabled_keys, with
# linux,can-disable): no handler runs, no pass is made, while the level
# holds; at enable_irq() the level is found again.
simctl drive D2 0 >/dev/null
usleep 300000
echo 30 >/sys/devices/platform/keys-levels/disabled_keys
usleep 300000
c1=$(irq_count lvl-d2)
x1=$(nano_xfers 2a)
usleep 500000
t_eq "15 D2 held low, its interrupt disabled: not handled" "$c1" "$(irq_count lvl-d2)"
# (the driver's restart poll reads the Nano once a second: one at most)
x2=$(nano_xfers 2a)
t_run "16 ... nor a pass made: at most the restart poll's transaction ($x1 -> $x2)" \
	test $((x2 - x1)) -le 1
echo >/sys/devices/platform/keys-levels/disabled_keys
usleep 500000
c2=$(irq_count lvl-d2)
t_run "17 ... enabled again: it comes again ($c1 -> $c2)" test "$c2" -gt "$c1"
simctl drive D2 1 >/dev/null

# Released: the lines are free for an edge request again.
echo keys-levels >"$keys/unbind"
chip=$(nano_gpiochip 2a)
$v2/gpiomon -c "$chip" -e falling -n 1 2 >/tmp/mon 2>&1 &
p=$!
monitored "$chip" 2
simctl drive D2 0 >/dev/null
wait_for 5 "$p"
t_run "18 after gpio-keys, D2 takes edge events (gpiomon)" grep -q falling /tmp/mon
simctl drive D2 z >/dev/null
simctl drive D4 z >/dev/null
t_done
