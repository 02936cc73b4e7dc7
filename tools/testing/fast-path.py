#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The TWI vector's fast path, from its disassembly: the cycles from a
TWI event to the store that releases SCL (sts TWCR), for every status a
slave sees, as the AVR runs them.

    fast-path.py FIRMWARE.elf

Counts the interrupt's entry (4 cycles: the vector sits in its slot,
vectors.S), then follows the code as the status's bits and TWI_TXR
(GPIOR0 bit 0, set: the byte to send is known) decide its skips and
jumps. Before the release it may only read and test r2, r3 and r4 (the
registers no C code uses: the firmware's Makefile) and change no flag
(SREG is not saved yet). Also checks that the vector is in slot 24 and
that the ADC vector's slot (21) turns interrupts on and sets TWI_ADC
first, so that a TWI event waits at most 7 cycles for it, and lists
the interrupt slots that do not lead back to the reset. And that nothing
else in the program touches r2, r3 or r4 (the compiled code, and the
library routines linked in, which -ffixed does not reach), but for
early_init()'s read of r2 (the reset cause Optiboot passes, before
interrupts are on) and one move into r4 (twi_init(): the release value).

Prints one line per status and exits 1 if any path (but the bus error's,
0x00, which recovers the unit and may be slower) takes more than
BUDGET cycles, or if any path (the held send's too) touches another
register before saving it or a flag before saving SREG, releases SCL
with another value or before TWDR is read or written, or loops.
"""
import re
import subprocess
import sys

BUDGET = 18
STATUSES = (0x60, 0x70, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb8, 0xc0,
            0xc8, 0x00)
OWN = {'r2', 'r3', 'r4'}
TWCR = '0x00BC'
FLAGS = '0x1e'          # GPIOR0
TXR = 0                 # twi.h: TWI_TXR


def disassemble(elf):
    out = subprocess.run(['avr-objdump', '-d', elf], capture_output=True,
                         text=True, check=True).stdout
    code, syms = {}, {}
    for line in out.splitlines():
        m = re.match(r'^([0-9a-f]+) <([^>]+)>:$', line)
        if m:
            syms[m.group(2)] = int(m.group(1), 16)
            continue
        m = re.match(r'^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(\S+)\s*([^;]*)', line)
        if m:
            words = len(m.group(2).split()) // 2
            code[int(m.group(1), 16)] = (m.group(3), m.group(4).strip(),
                                         words)
    return code, syms


def target(ops, a, words):
    m = re.match(r'\.([+-]\d+)', ops)
    return a + 2 * words + int(m.group(1))


FLAG_FREE = {'lds', 'sts', 'sbrs', 'sbrc', 'sbis', 'sbic', 'cbi', 'sbi',
             'rjmp', 'push', 'pop', 'ldi', 'in', 'nop'}
TWDR, SREG, TWINT = '0x00BB', '0x3f', 0x80
RELEASE = 0xc5  # twi.h: TWCR_RELEASE, TWINT | TWEA | TWEN | TWIE
SENDS = (0xa8, 0xb8)


def walk(code, start, status, txr=1):
    """Follows one status's path (TWI_TXR as given) from the vector to
    the instruction that saves SREG. Returns the cycles to the release
    (None: SCL held on purpose, a send whose byte is not known) or an
    error string. Up to SREG's save no instruction may change a flag;
    up to the release only r2 to r4 are used, and after it (or on the
    bus error's path, 0x00, which needs TWSTO) only registers pushed
    first. The release writes r4 (0x00: a value with TWSTO); a receive
    reads TWDR before it, a send writes TWDR before it; a held send
    writes TWCR without TWINT and never releases."""
    a, cycles, seen = start, 4, set()
    released, pushed, value = None, [], {}
    read_dr = wrote_dr = held = False
    while True:
        if a in seen or a not in code:
            return 'loops or leaves the code at 0x%x' % a
        seen.add(a)
        mn, ops, words = code[a]
        args = [x.strip() for x in ops.split(',')]
        nxt = a + 2 * words
        if mn not in FLAG_FREE:
            return '%s %s at 0x%x before SREG is saved' % (mn, ops, a)
        regs = [x for x in args if re.fullmatch(r'r\d+', x)]
        for r in regs:
            if r not in OWN and r not in pushed and \
                    not (mn == 'push' and r == args[0]):
                return 'uses %s at 0x%x before saving it' % (r, a)
        if mn == 'in':
            if args[1] != SREG:
                return 'in %s at 0x%x' % (ops, a)
            if held:
                return None
            if released is None:
                return 'SREG saved at 0x%x before any release' % a
            return released
        step = {'lds': 2, 'sts': 2, 'push': 2, 'pop': 2, 'cbi': 2, 'sbi': 2,
                'rjmp': 2, 'ldi': 1}.get(mn, 1)
        if mn == 'push':
            pushed.append(args[0])
        elif mn == 'pop':
            if not pushed or pushed[-1] != args[0]:
                return 'pops %s at 0x%x, not the last pushed' % (ops, a)
            pushed.pop()
        elif mn == 'ldi':
            value[args[0]] = int(args[1], 0)
        elif mn == 'lds':
            value.pop(args[0], None)
            if args[1] == TWDR:
                read_dr = True
        elif mn == 'sts' and args[0] == TWDR:
            wrote_dr = True
        elif mn == 'sts' and args[0] == TWCR and released is None:
            if args[1] == 'r4':
                if status in SENDS and not wrote_dr:
                    return 'releases a send before writing TWDR'
                if status not in SENDS and not read_dr:
                    return 'releases before reading TWDR'
                if not status:
                    return 'bus error released without TWSTO'
                released = cycles + 2
            elif value.get(args[1], 0) & TWINT:
                if status or not value[args[1]] & 0x10:  # TWSTO
                    return 'writes TWCR from %s at 0x%x' % (args[1], a)
                released = cycles + 2
            elif status in SENDS and not txr:
                held = True
            else:
                return 'writes TWCR from %s at 0x%x' % (args[1], a)
        elif mn in ('sbrs', 'sbrc', 'sbis', 'sbic'):
            if mn in ('sbrs', 'sbrc'):
                bit = status >> int(args[1]) & 1
            else:
                if args[0] != FLAGS:
                    return 'tests I/O %s at 0x%x' % (ops, a)
                bit = txr if int(args[1]) == TXR else None
                if bit is None:  # another flag: only after the release
                    if released is None and not held:
                        return 'tests %s before the release' % ops
                    bit = 0
            skip = bit if mn.endswith('s') else not bit
            if skip:
                step += code[nxt][2]
                nxt += 2 * code[nxt][2]
        elif mn == 'rjmp':
            nxt = target(ops, a, words)
        if released is None:
            cycles += step
        a = nxt


def flash_objects(elf):
    """address ranges of the constant tables in flash (not code)"""
    out = subprocess.run(['avr-readelf', '-sW', elf], capture_output=True,
                         text=True, check=True).stdout
    ranges = []
    for line in out.splitlines():
        f = line.split()
        if len(f) > 7 and f[3] == 'OBJECT' and int(f[2]) > 0 and \
                int(f[1], 16) < 0x800000:
            ranges.append((int(f[1], 16), int(f[1], 16) + int(f[2])))
    return ranges


def others(code, syms, elf, twi):
    """instructions outside the TWI vector that name r2, r3 or r4"""
    data = flash_objects(elf)
    end = min([a for a in syms.values() if a > twi] + [max(code) + 2])
    early = syms.get('early_init', -1)
    early_end = min([a for a in syms.values() if a > early] + [early + 1])
    found, r4_moves, prev = [], 0, ('', '', 1)
    for a in sorted(code):
        before, prev = prev, code[a]
        if twi <= a < end or any(lo <= a < hi for lo, hi in data):
            continue
        mn, ops, _ = code[a]
        regs = re.findall(r'\br(\d+)\b', ops)
        pairs = [int(r) + 1 for r in regs] if mn in ('movw',) else []
        if not {2, 3, 4} & ({int(r) for r in regs} | set(pairs)):
            continue
        if early <= a < early_end and mn == 'mov' and ops.endswith('r2'):
            continue
        if mn == 'mov' and ops.startswith('r4,') and not r4_moves:
            src = ops.split(',')[1].strip()
            if before[0] == 'ldi' and before[1].replace(' ', '') == \
                    '%s,0x%02X' % (src, RELEASE):
                r4_moves += 1
                continue
        found.append('0x%x %s %s' % (a, mn, ops))
    return found, r4_moves


def main():
    code, syms = disassemble(sys.argv[1])
    bad = []
    twi, adc = syms.get('__vector_24'), syms.get('__vector_21')
    if twi != 24 * 4:
        bad.append('the TWI vector is not in its slot (24): %s' % twi)
    first = [code.get(adc + 2 * i, ('', '', 1))[:2] for i in (0, 1)] \
        if adc == 21 * 4 else []
    if first != [('sei', ''), ('sbi', FLAGS + ', 5')]:
        bad.append('the ADC vector does not begin in its slot with sei, '
                   'sbi TWI_ADC: %s' % first)
    else:
        print('ADC vector: a TWI event waits 7 cycles for its entry')
    # the interrupt slots that do not go back to the reset (slot 0)
    used = []
    for slot in range(1, 26):
        mn, ops, words = code.get(4 * slot, ('', '', 1))
        if not (mn in ('jmp', 'rjmp') and (ops == '0x0' or
                (mn == 'rjmp' and target(ops, 4 * slot, words) == 0))):
            used.append(str(slot))
    print('interrupt slots in use: ' + ' '.join(used))
    worst = 0
    for s in SENDS if twi is not None else ():
        r = walk(code, twi, s, txr=0)
        if r is not None:
            bad.append('status 0x%02x, the byte not known: %s'
                       % (s, r if isinstance(r, str) else 'released'))
    for s in STATUSES if twi is not None else ():
        r = walk(code, twi, s)
        if isinstance(r, str):
            bad.append('status 0x%02x: %s' % (s, r))
            continue
        print('status 0x%02x: SCL released %d cycles after the event' % (s, r))
        if s:
            worst = max(worst, r)
            if r > BUDGET:
                bad.append('status 0x%02x: %d cycles, over %d'
                           % (s, r, BUDGET))
    print('worst %d cycles (budget %d)' % (worst, BUDGET))
    if twi is not None:
        found, moves = others(code, syms, sys.argv[1], twi)
        print('r2, r3, r4 elsewhere: %d instructions, %d move into r4'
              % (len(found), moves))
        bad += ['r2 to r4 used outside the TWI vector: ' + f for f in found]
        if moves != 1:
            bad.append('r4 is never given TWCR_RELEASE (twi_init: ldi, '
                       'then mov r4)')
    for b in bad:
        print('BAD ' + b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
