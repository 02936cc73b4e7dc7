#!/bin/sh
# SPDX-License-Identifier: MIT
# Build checks of the firmware (TAP): both clock variants build with
# -Werror inside the flash/RAM budget, and the TWI vector releases SCL
# within its first instructions, with no other interrupt to delay it (the
# 8 MHz build's ADC vector counted in cycles); the sizes
# Documentation/firmware.rst quotes are the builds'.
# Hold times in cycles are measured in the simulator (fw-sim).
set -u
here=$(dirname "$0")
fw=$here/../../firmware
n=0
t() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi; }

echo "TAP version 13"
echo "1..10"
sizes=
for f in 16000000 8000000; do
	out=$(make -s -C "$fw" F_CPU=$f 2>&1)
	rc=$?
	echo "$out" | grep -E 'firmware|error|warning' | sed 's/^/# /'
	# flash and static RAM, as the firmware's Makefile reports them
	sizes="$sizes $(echo "$out" | sed -n 's/.*: flash \([0-9]*\) of .*static RAM \([0-9]*\) of.*/\1 \2/p')"
	t $rc "firmware builds at $f Hz, -Wall -Wextra -Werror, within budget"
done

# The fast path (fast-path.py): the cycles from a TWI event to the store
# that releases SCL, on every status's path, with the interrupt's entry:
# the vector in its slot, only its own registers (r2 to r4) and no flag
# before the release. And the interrupt slots in use: TWI (24, its code
# running on over 25), ADC (21, its jump in 22), the pin changes (3 to 5)
# where the build has the edge FIFO's interrupts; every other slot leads
# back to the reset. Nothing else may delay the TWI release: the ADC
# vector (vectors.S, adc.S) and the pin-change vectors (pci.S) turn
# interrupts back on within a few instructions; the ADC's work only
# moves a sample into the FIFO (stream_put(), short and call-free) and
# gives the TWI worker back (which may run the worker, with interrupts
# on). With link-time optimisation stream_put() and twi_give_back() are
# inlined into the work: then it is counted whole, and twi_give_back's
# run of the worker is a jump to twi_resume_worker.
"$here/deps.sh" python3 >&2 || exit 1
fp_ok=0
for elf in build/arduipi.elf build-8mhz/arduipi.elf; do
	out=$(/usr/bin/python3 "$here/fast-path.py" "$fw/$elf") || fp_ok=1
	echo "$out" | grep -E 'worst|BAD|ADC' | sed "s|^|# $elf: |"
	fast=$(echo "$out" | sed -n 's/^worst \([0-9]*\) cycles.*/\1/p')
	entry=$(echo "$out" | sed -n 's/^ADC vector: a TWI event waits \([0-9]*\) cycles.*/\1/p')
	slots=$(echo "$out" | sed -n 's/^interrupt slots in use: //p')
	echo "# $elf: interrupt slots in use: $slots"
	case $elf:$slots in
	build/*:"3 4 5 21 22 24 25" | build-8mhz/*:"21 22 24 25") ;;
	*) fp_ok=1 ;;
	esac
done
t $fp_ok "both builds: the TWI vector, in its slot, releases SCL within 18 cycles of any event (entry included) with only its own registers, which no other code touches; the ADC vector's slot turns interrupts on first (7 cycles); only the TWI, ADC and pin-change interrupts are in use"
body() {
	avr-objdump -d "$fw/build/arduipi.elf" | awk "/<$1>:/{on=1; next} on && /^\$/{exit} on"
}
vec=$(body __vector_21)
sei_at=$(printf '%s\n' "$vec" | grep -nE '\ssei' | head -n 1 | cut -d: -f1)
# TWI_ADC set (sbi GPIOR0, 5) before interrupts go on, or a TWI event
# could start the worker inside the work
flag_at=$(printf '%s\n' "$vec" | grep -nE '\ssbi\s0x1e, 5' | head -n 1 | cut -d: -f1)
work=$(body adc_stream_isr)
put=$(body stream_put)
n_work=$(printf '%s\n' "$work" | grep -c .)
n_put=$(printf '%s\n' "$put" | grep -c .)
# calls and tail jumps to another function (<name>, not <name+0x..>)
calls=$(printf '%s\n' "$work" | grep -E '\s(call|rcall|icall|jmp|rjmp|ijmp)\s' |
	grep -vE '<[a-z_0-9.]+\+0x' | grep -vcE '<(stream_put|twi_give_back|twi_resume_worker)>')
calls=$((calls + $(printf '%s\n' "$put" | grep -E '\s(call|rcall|icall|jmp|rjmp|ijmp)\s' |
	grep -vE '<[a-z_0-9.]+\+0x' | grep -c .)))
# (sei, then sbi: the instruction after a sei runs before any interrupt,
# so the flag is set before one can come, as with sbi first)
echo "# ADC vector: TWI_ADC set at instruction ${flag_at:-?}, interrupts on at ${sei_at:-?}; its work $n_work instructions + stream_put $n_put (0: inlined), other calls: $calls"
t $([ -n "$sei_at" ] && [ -n "$flag_at" ] && [ $((sei_at + flag_at)) = 3 ] && [ $((n_work + n_put)) -le 180 ] && [ "$calls" -eq 0 ]; echo $?) \
	"the ADC vector's first two instructions turn interrupts on and hold the TWI worker off (TWI_ADC); its work with stream_put is at most 180 instructions and calls nothing but stream_put and the worker (twi_give_back)"
# The 8 MHz build's ADC vector (ARDUIPI_ADC_RING): interrupts on, then
# TWI_ADC set (GPIOR0 bit 5), a straight run to its clear (no call, jump
# or branch but the full ring's, which a skip passes while the slot is
# free: the sample into the ring, the multiplexer from it), and
# while a worker runs (GPIOR0 bit 2 set, bit 4 clear: the skips taken)
# the return: at most 53 cycles with the interrupt's entry and the jump
# from its slot to the rest (7), all a read's worker waits for it
# (firmware.rst).
vec8=$(avr-objdump -d "$fw/build-8mhz/arduipi.elf" | awk '/<__vector_21>:/{on=1; next} on && /\tjmp\t/{exit} on'
	avr-objdump -d "$fw/build-8mhz/arduipi.elf" | awk '/<adc_vect_rest>:/{on=1; next} on && /^$/{exit} on')
ring=$(printf '%s\n' "$vec8" | awk -F'\t' '
	{ op = $3; arg = $4 }
	NR == 1 { ok = op == "sei" }
	NR == 2 { ok = ok && op == "sbi" && arg ~ /^0x1e, 5/ }
	skip { skip = 0; next }
	{ c = 2 }
	op ~ /^(ldi|in|out|sei|cli|mov|nop)$/ { c = 1 }
	op == "reti" { c = 4 }
	op ~ /^(sbis|sbic|sbrs|sbrc)$/ { c = 2; skip = 1 }
	!cleared && op ~ /^(call|rcall|jmp|rjmp|ijmp|icall|br)/ { ok = 0 }
	op == "cbi" && arg ~ /^0x1e, 5/ { cleared = 1 }
	{ cycles += c }
	op == "reti" { print (ok && cleared) ? cycles + 7 : 0; exit }')
echo "# 8 MHz ADC vector: ${ring:-?} cycles while a worker runs (0: not the ring's form)"
t $([ "${ring:-0}" -gt 0 ] && [ "$ring" -le 53 ]; echo $?) \
	"the 8 MHz build's ADC vector keeps its sample in a straight run, interrupts on first, and holds a running worker at most 53 cycles"
# The pin-change vectors (pci.S): the port read at the 2nd instruction,
# interrupts on by the 7th; their work (edge_capture) calls only the
# FIFO's store (the vector itself gives the TWI worker back).
pci_ok=0
for v in 3 4 5; do
	vec=$(body __vector_$v)
	in_at=$(printf '%s\n' "$vec" | grep -nE '\sin\s' | head -n 1 | cut -d: -f1)
	sei_at=$(printf '%s\n' "$vec" | grep -nE '\ssei' | head -n 1 | cut -d: -f1)
	echo "# pin-change vector $v: port read at instruction ${in_at:-?}, interrupts on at ${sei_at:-?}"
	[ "${in_at:-0}" = 2 ] && [ -n "$sei_at" ] && [ "$sei_at" -le 7 ] || pci_ok=1
done
work=$(body edge_capture)
calls=$(printf '%s\n' "$work" | grep -E '\s(call|rcall|icall|jmp|rjmp|ijmp)\s' |
	grep -vE '<[a-z_0-9.]+\+0x' | grep -vcE '<(events_put|events_lost)>')
echo "# edge_capture: $(printf '%s\n' "$work" | grep -c .) instructions, other calls: $calls"
t $([ "$pci_ok" = 0 ] && [ "$calls" -eq 0 ]; echo $?) \
	"the pin-change vectors read their port at the 2nd instruction and turn interrupts on by the 7th; their work calls only the FIFO's store"
# Every interrupts-off window, statically (nanosim measures those its
# tests reach): at most 12 cycles, or a named longer one's bound.
for elf in build/arduipi.elf build-8mhz/arduipi.elf; do
	out=$(/usr/bin/python3 "$here/irq-windows.py" "$fw/$elf")
	rc=$?
	echo "$out" | grep -v '^ok  .*bound 12$' | sed 's/^/# /'
	t $rc "$elf: every interrupts-off window at most 12 cycles, or within a longer one's bound (irq-windows.py)"
	win=$(echo "$out" | sed -n 's/^[A-Z]*[a-z]* .*: \([0-9]*\) cycles, bound 12$/\1/p' | sort -n | tail -n 1)
done
# The 8 MHz build's budget at 100 kHz (the last ELF above): the longest
# window a TWI event can meet, then the ADC vector's entry (it goes
# first), then the fast path, within the master's 5 us low time (40
# cycles): no stretch, whatever coincides (firmware.rst).
sum=$((${win:-99} + ${entry:-99} + ${fast:-99}))
echo "# 8 MHz: window ${win:-?} + ADC entry ${entry:-?} + fast path ${fast:-?} = $sum of 40 cycles"
t $([ "$sum" -le 40 ]; echo $?) "8 MHz build: the longest interrupts-off window, the ADC vector's entry and the TWI fast path add up to at most the 40-cycle SCL low time at 100 kHz"
# The sizes firmware.rst quotes are the builds' (reported above).
# shellcheck disable=SC2086 # four numbers
set -- $sizes
doc=$(tr -s ' \n' '  ' <"$here/../../Documentation/firmware.rst")
echo "# sizes: ${1:-?}/${2:-?} bytes at 16 MHz, ${3:-?}/${4:-?} at 8 MHz"
t $([ $# = 4 ] &&
	printf '%s' "$doc" | grep -qF "**$1 bytes of flash**" &&
	printf '%s' "$doc" | grep -qF "**$2 bytes of static RAM**" &&
	printf '%s' "$doc" | grep -qF "is $3 and $4."; echo $?) \
	"Documentation/firmware.rst quotes the flash and RAM sizes of both builds"
