#!/bin/sh
# SPDX-License-Identifier: MIT
# Build checks of the firmware (TAP): both clock variants build with
# -Werror inside the flash/RAM budget, and the TWI vector releases SCL
# within its first instructions, with no other interrupt to delay it.
# Hold times in cycles are measured in the simulator (fw-sim).
set -u
fw=$(dirname "$0")/../../firmware
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi; }

echo "TAP version 13"
echo "1..4"
for f in 16000000 8000000; do
	out=$(make -s -C "$fw" F_CPU=$f 2>&1)
	rc=$?
	echo "$out" | grep -E 'firmware|error|warning' | sed 's/^/# /'
	t $rc "firmware builds at $f Hz, -Wall -Wextra -Werror, within budget"
done

# The fast path: instructions from the vector's entry to each store that
# releases SCL (sts 0x00BC = TWCR): the receive path, then the send path.
dis=$(avr-objdump -d "$fw/build/arduipi.elf" | awk '/<__vector_24>:/{on=1; next} on && /^$/{exit} on')
rel=$(echo "$dis" | grep -n 'sts.0x00BC' | head -2 | cut -d: -f1 | tr '\n' ' ')
set -- $rel
echo "# TWI vector: SCL released at instruction ${1:-?} (receiving) and ${2:-?} (sending)"
t $([ -n "${2:-}" ] && [ "$1" -le 18 ] && [ "$2" -le 26 ]; echo $?) \
	"TWI vector releases SCL within its first 18 (receive) / 26 (send) instructions"
# The TWI interrupt must be the only one: nothing can delay its release.
used=$(avr-objdump -d "$fw/build/arduipi.elf" | awk '/<__vectors>:/{on=1; next} on && /\tnop/{next} on && !/jmp/{exit} on' | grep -vc '__bad_interrupt')
echo "# interrupt vectors in use: $used (reset and TWI expected)"
t $([ "$used" -eq 2 ]; echo $?) "TWI is the only interrupt the firmware enables"
