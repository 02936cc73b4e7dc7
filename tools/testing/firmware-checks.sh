#!/bin/sh
# SPDX-License-Identifier: MIT
# Build checks of the firmware (TAP): both clock variants build with
# -Werror inside the flash/RAM budget, and the TWI vector releases SCL
# within its first instructions, with no other interrupt to delay it.
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

# Instructions from the vector's entry up to the store that clears TWINT
# (sts 0x00BC = TWCR), and their cycles.
dis=$(avr-objdump -d "$fw/build/arduipi.elf" | awk '/<__vector_24>:/{on=1; next} on && /^$/{exit} on')
upto=$(echo "$dis" | awk '{print} /sts\t0x00BC/{exit}')
ninsn=$(echo "$upto" | grep -c '^ *[0-9a-f]*:')
cyc=$(echo "$upto" | awk '/\tpush\t|\tsts\t|\tlds\t/{c+=2; next} /\tin\t|\tldi\t|\tout\t/{c+=1} END{print c}')
echo "# TWI vector: SCL released by instruction $ninsn, $cyc cycles after entry"
t $([ "$ninsn" -gt 0 ] && [ "$ninsn" -le 12 ] && echo "$upto" | grep -q 'sts.0x00BC'; echo $?) \
	"TWI vector releases SCL within 12 instructions ($ninsn, $cyc cycles)"
# The TWI interrupt must be the only one: nothing can delay its release.
used=$(avr-objdump -d "$fw/build/arduipi.elf" | awk '/<__vectors>:/{on=1; next} on && !/jmp/{exit} on' | grep -vc '__bad_interrupt')
echo "# interrupt vectors in use: $used (reset and TWI expected)"
t $([ "$used" -eq 2 ]; echo $?) "TWI is the only interrupt the firmware enables"
