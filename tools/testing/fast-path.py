#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The TWI vector's fast path, from its disassembly: the cycles from a
TWI event to the store that releases SCL (sts TWCR), for every status a
slave sees, as the AVR runs them.

    fast-path.py FIRMWARE.elf

Counts the interrupt's entry (4 cycles: the vector sits in its slot,
vectors.S), then follows the code as the status's bits and TWI_TXR
(GPIOR0 bit 0, set: the byte to send is known) decide its skips and
jumps, and after the release both ways of every other flag's test, up
to the save of SREG. Before the release it may only read and test r2,
r3 and r4 (the registers no C code uses: the firmware's Makefile), after
it only those and registers it pushed, and it changes no flag before
SREG is saved; nowhere in the vector is r4 written. Also checks that
the vector is in slot 24 and
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
register before saving it or a flag before saving SREG, tests another
register than the status, releases SCL with another value or before
TWDR is read or written, or loops.
"""
import re
import sys

from avr_disasm import SREG, TWCR, disassemble, symbols, target
from avr_disasm import cycles as timing

BUDGET = 18
STATUSES = (0x60, 0x70, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb8, 0xc0,
            0xc8, 0x00)
OWN = {'r2', 'r3', 'r4'}
FLAGS = '0x1e'          # GPIOR0
TXR = 0                 # twi.h: TWI_TXR


FLAG_FREE = {'lds', 'sts', 'sbrs', 'sbrc', 'sbis', 'sbic', 'cbi', 'sbi',
             'rjmp', 'push', 'pop', 'ldi', 'in', 'nop'}
TWDR, TWINT = '0x00BB', 0x80
RELEASE = 0xc5  # twi.h: TWCR_RELEASE, TWINT | TWEA | TWEN | TWIE
SENDS = (0xa8, 0xb8)


WRITES = {'lds', 'ldi', 'pop', 'in', 'mov'}  # their first operand


def walk(code, start, status, txr=1):
    """Follows one status's paths (TWI_TXR as given; both ways of every
    other flag's test) from the vector to the instruction that saves SREG.
    Returns the cycles to the release (None: SCL held on purpose, a send
    whose byte is not known) or an error string. Up to SREG's save no
    instruction may change a flag; up to the release only r2 to r4 are
    used, and after it (or on the bus error's path, 0x00, which needs
    TWSTO) only registers pushed first; r4 is only read, and only r2 (the
    status) is tested. The release writes r4 (0x00: a value with TWSTO);
    a receive reads TWDR before it, a send writes TWDR before it; a held
    send writes TWCR without TWINT and never releases. With several paths
    (after the release) every one must reach the save, with one outcome."""
    results = set()
    # (address, cycles, released, pushed, values, read_dr, wrote_dr,
    #  held, seen)
    todo = [(start, 4, None, (), (), False, False, False, frozenset())]
    while todo:
        a, cycles, released, pushed, value, read_dr, wrote_dr, held, \
            seen = todo.pop()
        value = dict(value)
        while True:
            if a in seen or a not in code:
                return 'loops or leaves the code at 0x%x' % a
            seen = seen | {a}
            mn, ops, words, _ = code[a]
            args = [x.strip() for x in ops.split(',')]
            nxt = a + 2 * words
            if mn not in FLAG_FREE:
                return '%s %s at 0x%x: not allowed before SREG is saved' \
                    % (mn, ops, a)
            regs = [x for x in args if re.fullmatch(r'r\d+', x)]
            for r in regs:
                if r not in OWN and r not in pushed and \
                        not (mn == 'push' and r == args[0]):
                    return 'uses %s at 0x%x before saving it' % (r, a)
            if mn in WRITES and args[0] == 'r4':
                return 'writes r4 at 0x%x (TWCR_RELEASE for good)' % a
            if mn == 'in':
                if args[1] != SREG:
                    return 'in %s at 0x%x' % (ops, a)
                if held:
                    results.add(None)
                elif released is None:
                    return 'SREG saved at 0x%x before any release' % a
                else:
                    results.add(released)
                break
            step = timing(mn, ops)
            other = None    # the other way of a test, to follow later
            if mn == 'push':
                pushed = pushed + (args[0],)
            elif mn == 'pop':
                if not pushed or pushed[-1] != args[0]:
                    return 'pops %s at 0x%x, not the last pushed' % (ops, a)
                pushed = pushed[:-1]
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
                elif status in SENDS and not txr and not held:
                    held = True
                else:
                    return 'writes TWCR from %s at 0x%x' % (args[1], a)
            elif mn in ('sbrs', 'sbrc', 'sbis', 'sbic'):
                if mn in ('sbrs', 'sbrc'):
                    if args[0] != 'r2':
                        return 'tests %s at 0x%x, not the status' % (ops, a)
                    bit = status >> int(args[1]) & 1
                elif args[0] != FLAGS:
                    return 'tests I/O %s at 0x%x' % (ops, a)
                elif int(args[1]) == TXR:
                    bit = txr
                elif released is None and not held:
                    return 'tests %s before the release' % ops
                else:   # another flag, after the release: both ways
                    bit, other = 0, 1
                for b in (other,) if other is not None else ():
                    skip = b if mn.endswith('s') else not b
                    n = nxt + 2 * code[nxt][2] if skip else nxt
                    todo.append((n, cycles, released, pushed,
                                 tuple(value.items()), read_dr, wrote_dr,
                                 held, seen))
                skip = bit if mn.endswith('s') else not bit
                if skip:
                    step += code[nxt][2]
                    nxt += 2 * code[nxt][2]
            elif mn == 'rjmp':
                nxt = target(ops, a, words)
            if released is None:
                cycles += step
            a = nxt
    if len(results) != 1:
        return 'paths end differently: %s' % sorted(map(str, results))
    return results.pop()


def reachable(code, start):
    """the vector's own instructions: every one its code can run, calls
    not followed (it ends at reti)"""
    seen, todo = set(), [start]
    while todo:
        a = todo.pop()
        if a in seen or a not in code:
            continue
        seen.add(a)
        mn, ops, words, _ = code[a]
        nxt = a + 2 * words
        if mn in ('reti', 'ret', 'ijmp'):
            continue
        if mn in ('rjmp', 'jmp'):
            todo.append(target(ops, a, words))
            continue
        if mn.startswith('br'):
            todo.append(target(ops.split(',')[-1].strip(), a, words))
        if mn in ('sbrs', 'sbrc', 'sbis', 'sbic', 'cpse') and nxt in code:
            todo.append(nxt + 2 * code[nxt][2])
        todo.append(nxt)
    return seen


def others(code, syms, vector, data):
    """instructions outside the TWI vector and the flash's constants
    (from the vector's end to the C runtime's start: gcc's switch tables,
    the tables in flash) that name r2, r3 or r4"""
    early = syms.get('early_init', -1)
    early_end = min([a for a in syms.values() if a > early] + [early + 1])
    found, r4_moves, prev = [], 0, ('', '', 1)
    for a in sorted(code):
        before, prev = prev, code[a]
        if a in vector or data[0] <= a < data[1]:
            continue
        mn, ops = code[a][:2]
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
    code, syms = disassemble(sys.argv[1]), symbols(sys.argv[1])
    bad = []
    twi, adc = syms.get('__vector_24'), syms.get('__vector_21')
    if twi != 24 * 4:
        bad.append('the TWI vector is not in its slot (24): %s' % twi)
    first = [code.get(adc + 2 * i, ('', ''))[:2] for i in (0, 1)] \
        if adc == 21 * 4 else []
    if first != [('sei', ''), ('sbi', FLAGS + ', 5')]:
        bad.append('the ADC vector does not begin in its slot with sei, '
                   'sbi TWI_ADC: %s' % first)
    else:
        print('ADC vector: a TWI event waits 7 cycles for its entry')
    # the interrupt slots that do not go back to the reset (slot 0)
    used = []
    for slot in range(1, 26):
        mn, ops, words, _ = code.get(4 * slot, ('', '', 1, None))
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
        # in the vector, r4 is only ever stored to TWCR
        vector = reachable(code, twi)
        end = max(vector) + 2 * code[max(vector)][2]
        data = (end, syms.get('__ctors_start', end))
        for x in sorted(vector):
            mn, ops = code[x][:2]
            if re.search(r'\br4\b', ops) and not (
                    mn == 'sts' and ops.split(',')[0].strip() == TWCR):
                bad.append('the TWI vector uses r4 at 0x%x: %s %s'
                           % (x, mn, ops))
        found, moves = others(code, syms, vector, data)
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
