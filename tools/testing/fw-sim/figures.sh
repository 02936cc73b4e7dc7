#!/bin/sh
# SPDX-License-Identifier: MIT
# Print, in one run, the firmware figures the documents quote that move
# with the code's layout and that the named tests measure (sizes, SCL
# holds and their histograms, interrupts-off windows, the Pi controller
# model's corruptions, boot time, the edge flood's stretch, capture
# rates, the long reads' checks), each with the file that quotes it, for
# re-measuring them after a firmware change:
#   make -C firmware && make -C firmware F_CPU=8000000 &&
#   make -C firmware F_CPU=8000000 BUILD=build-test-overrun \
#     EXTRA_CFLAGS=-DARDUIPI_TEST_KEEP_DELAY=250 &&
#   make -C tools/nanosim && make -C tools/testing/fw-sim &&
#   tools/testing/fw-sim/figures.sh
# Everything is simulated in lockstep: the same firmware gives the same
# figures on any machine.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
sim=$top/tools/nanosim/nanosim
fw=$top/tools/testing/fw-sim
elf16=$top/firmware/build/arduipi.elf
elf8=$top/firmware/build-8mhz/arduipi.elf
elfov=$top/firmware/build-test-overrun/arduipi.elf
for f in "$sim" "$fw/test_fw_sim" "$fw/stream_rate" "$fw/edge_rate" "$elf16" "$elf8" "$elfov"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "figures.sh: $f missing (build it first)" >&2; exit 1; }
done

# a run that fails still has its figures printed; the exit status says so
failed=
fail() {
	echo "figures.sh: $1 failed" >&2
	failed="$failed, $1"
}

# test MHZ ELF NAME: the test's own summary lines ("# ...") and the
# per-path holds of its stats lines
test_lines() {
	out=$(NANOSIM_MHZ=$1 "$fw/test_fw_sim" "$sim" "$2" "$3") ||
		fail "test_fw_sim $3 ($1 MHz)"
	printf '%s\n' "$out" | sed -n 's/^# //p' |
		grep -v 'interrupts off at most 12 cycles\|^ *stall ' |
		sed 's/xfers=.*hold_max=\([0-9]*\) hold_max_status=\([0-9a-f]*\).*hold_hist=\([^ ]*\).*stretch_count=\([0-9]*\).*hold_by_status=\([^ ]*\).*corrupt=\([0-9]*\).*/hold max \1 (\2), histogram \3, \4 stretches, by status \5, \6 corrupted/' |
		sed "s/^/  $1 MHz: /"
}

echo "firmware.rst, Size (make -C firmware size):"
for mhz in 16 8; do
	out=$(make -s -C "$top/firmware" F_CPU=${mhz}000000 size) ||
		fail "make size ($mhz MHz)"
	printf '  %s MHz: %s\n' $mhz "$out"
done

echo "firmware.rst, the TWINT hold table and 'By path' (twint_hold):"
test_lines 16 "$elf16" twint_hold
test_lines 8 "$elf8" twint_hold
echo "firmware.rst, the Pi 4 controller table; simulator.rst, 'Measured by' (pi_masters):"
test_lines 16 "$elf16" pi_masters
test_lines 8 "$elf8" pi_masters
echo "firmware.rst, 'Everything at once' (full_load):"
test_lines 16 "$elf16" full_load
test_lines 8 "$elf8" full_load
echo "firmware.rst, the ADC ring's overruns (adc_overrun, the slow-store test build):"
out=$(NANOSIM_MHZ=8 NANOSIM_OVERRUN=1 "$fw/test_fw_sim" "$sim" "$elfov" adc_overrun) ||
	fail "test_fw_sim adc_overrun"
printf '%s\n' "$out" | sed -n 's/^# /  8 MHz: /p'
echo "firmware.rst, Integrity of long reads (fifo_integrity):"
test_lines 16 "$elf16" fifo_integrity
test_lines 8 "$elf8" fifo_integrity
echo "firmware.rst, protocol.rst, pwm.rst: the boot state in force (boot_state):"
test_lines 16 "$elf16" boot_state
test_lines 8 "$elf8" boot_state
echo "protocol.rst, user-guide.rst: edges (edge_rate, 16 MHz):"
out=$("$fw/edge_rate" "$sim" "$elf16") || fail edge_rate
printf '%s\n' "$out" | sed -n 's/^# /  /p'
echo "adc.rst, Measured and Limitations (stream_rate, 16 MHz):"
out=$("$fw/stream_rate" "$sim" "$elf16") || fail stream_rate
printf '%s\n' "$out" | sed -n 's/^# /  /p'

# firmware.rst: reads on the 8 MHz build with capture at any rate
echo "firmware.rst, capture with ADC_DIV 1024 on the 8 MHz build (a nanosim session):"
out=$({
	echo "xfer 2a w89010004"
	echo "xfer 2a w8c01"
	echo "master bcm2711"
	echo "stats reset"
	i=0
	while [ $i -lt 40 ]; do
		echo "xfer 2a we0 r1"
		echo "xfer 2a w00 r2"
		i=$((i + 1))
	done
	echo "stats"
	echo "quit"
} | "$sim" --stdio --mhz 8 "$elf8") || fail "the nanosim session"
printf '%s\n' "$out" | grep 'stretch_count=' |
	sed 's/.*stretch_count=\([0-9]*\).*corrupt=\([0-9]*\).*/  8 MHz: \1 stretches, \2 of 80 transactions corrupted/'
[ -z "$failed" ] || { echo "figures.sh: failed: ${failed#, }" >&2; exit 1; }
