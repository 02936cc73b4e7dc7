#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every interrupts-off window a cli begins in the firmware, from its
disassembly.

    irq-windows.py FIRMWARE.elf

From each cli outside the TWI and pin-change vectors (the ADC vector's
too: its start of a worker), every path (into calls and
back, both ways of every branch and skip) to the sei, or the write of an
SREG saved before the cli, that ends it: the cycles with interrupts off,
as nanosim's irq_off_max counts them (the cli itself not, the instruction
after the end yes: a waiting interrupt is taken only after it; a cli right
there continues the window). An SREG saved inside the window and written
back keeps interrupts off, as does a called function's own lock. The CPU
halts 2 cycles after an EEPROM write is started, 4 after a read.

nanosim measures the windows its tests reach; this finds all those a cli
outside those vectors begins, however the compiler laid the code
out (link-time optimisation inlines across files and may move work into
a window). Not here: the vectors' own windows (their entries, twi.S's
look before it lets the worker go, the pin-change vectors' end in pci.S
from an SREG write to reti), which firmware-checks.sh's instruction
counts and nanosim's tests check. An SREG write ends a window unless
its register got SREG inside it (directly or by a copy) or is gcc's zero
register; a value made otherwise with I clear would be taken for an end.

The 8 MHz build's budget leaves 12 cycles for any window: 40 at 100 kHz
less the ADC vector's entry (7) and the TWI fast path (18), with a cycle
or three to spare (Documentation/firmware.rst; firmware-checks.sh adds
them up). A path may be longer only where no TWI
event can meet it; those are named below, with their bound. Prints one
line per window and a verdict; exits 1 if a path is over its bound,
loops, returns or jumps indirectly with interrupts off, or leaves the
code, or if the disassembly holds no window at all.
"""
import sys

from avr_disasm import SKIPS, SREG, TWCR, cycles, disassemble, target

BUDGET = 12
# paths that may be longer: (bound, why no TWI event meets them)
HELD = (80, 'sends a held transmit (tx_release): no TWI event can come while '
            'it holds SCL, nor within a byte of its release')
TIMEOUT = (120, 'turns the TWI unit off and on (twi_timeout): no bus event '
                'for 35 ms, and none while the unit is off')
RESET = (40, 'at reset (early_init), before interrupts are ever on')
# assembly vectors (firmware-checks.sh, fast-path.py and nanosim check
# them); the ADC vector's rest (adc_vect_rest: its worker start's window,
# a cli to a sei like C's) is checked here
SKIP = {'__vector_24', '__vector_21', '__vector_3',
        '__vector_4', '__vector_5'}

def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: irq-windows.py FIRMWARE.elf\n')
        return 2
    ins = disassemble(sys.argv[1])

    def explore(start, home):
        """(cycles, bound, what) of every path from start (after a cli in
        function home) to the window's end"""
        out = []
        # address, cycles, (address, return stack) seen, return stack,
        # registers holding an SREG saved inside, bound of the path
        stack = [(start, 0, frozenset(), (), frozenset(),
                  RESET if home == 'early_init' else (BUDGET, ''))]
        while stack:
            a, c, seen, rets, saved, bound = stack.pop()
            if a not in ins:
                out.append((c, bound, 'leaves the code at 0x%x' % a))
                continue
            if (a, rets) in seen:
                out.append((c, bound, 'loops at 0x%x' % a))
                continue
            mn, ops, words, _ = ins[a]
            seen = seen | {(a, rets)}
            nxt = a + 2 * words
            reg = ops.split(',')[0].strip()
            src = ops.split(',')[-1].strip()
            if mn == 'in' and src == SREG:
                saved = saved | {reg}
            elif mn in ('mov', 'movw'):     # a copy is as saved as its source
                dst = {reg} if mn == 'mov' else {reg, 'r%d' % (int(reg[1:]) + 1)}
                saved = saved | dst if src in saved else saved - dst
            elif mn in ('in', 'ldi', 'lds', 'pop') and reg in saved:
                saved = saved - {reg}
            if mn == 'sts' and reg == TWCR and home == 'twi_timeout':
                bound = max(bound, TIMEOUT)
            # an SREG write ends it unless the value was saved inside (I
            # clear) or is gcc's zero register
            if mn == 'sei' or (mn == 'out' and reg == SREG and
                               src not in saved | {'r1'}):
                after = ins.get(nxt, ('ret', '', 1, None))
                if after[0] == 'cli':   # no interrupt between: one window
                    stack.append((nxt + 2, c + 2, seen, rets, saved, bound))
                    continue
                # the instruction after: the longest way through it
                skipped = ins.get(nxt + 2 * after[2], (0, 0, 1))[2]
                extra = (1 + skipped if after[0] in SKIPS
                         else 2 if after[0].startswith('br')
                         else cycles(after[0], after[1]))
                out.append((c + 1 + extra, bound, 'end'))
            elif mn == 'ret' and rets:
                stack.append((rets[-1], c + 4, seen, rets[:-1], saved, bound))
            elif mn in ('ret', 'reti', 'icall', 'ijmp'):
                out.append((c + cycles(mn), bound, mn + ' with interrupts off'))
            elif mn == 'rcall' and target(ops, a, words) == nxt:  # room on the stack
                stack.append((nxt, c + 3, seen, rets, saved, bound))
            elif mn in ('call', 'rcall') and len(rets) >= 16:
                out.append((c, bound, 'calls 16 deep (recursion?)'))
            elif mn in ('call', 'rcall'):
                t = target(ops, a, words)
                callee = ins.get(t, (0, 0, 0, ''))[3].split('.')[0]
                b = max(bound, HELD) if callee.startswith('tx_release') else bound
                stack.append((t, c + cycles(mn), seen, rets + (nxt,), saved, b))
            elif mn in ('rjmp', 'jmp'):
                stack.append((target(ops, a, words), c + cycles(mn), seen, rets, saved,
                              bound))
            elif mn.startswith('br'):
                stack.append((nxt, c + 1, seen, rets, saved, bound))
                stack.append((target(ops, a, words), c + 2, seen, rets, saved, bound))
            elif mn in SKIPS:
                stack.append((nxt, c + 1, seen, rets, saved, bound))
                skipped = ins.get(nxt, (None, None, 1))[2]
                stack.append((nxt + 2 * skipped, c + 1 + skipped, seen, rets,
                              saved, bound))
            else:
                stack.append((nxt, c + cycles(mn, ops), seen, rets, saved,
                              bound))
        return out

    clis = [a for a in sorted(ins) if ins[a][0] == 'cli' and ins[a][3] not in SKIP]
    bad = 0
    for a in clis:
        home = ins[a][3].split('.')[0]      # less gcc's .lto_priv.N, .part.N
        paths = explore(a + 2, home)
        over = [p for p in paths if p[0] > p[1][0] or p[2] != 'end']
        bad += bool(over)
        c, (bound, why), what = over[0] if over else max(paths)
        print('%s 0x%04x in %s: %d cycles, bound %d%s%s' % (
            'OVER' if over else 'ok  ', a, home, c, bound,
            ' (' + why + ')' if why else '',
            '; ' + what if what != 'end' else ''))
    if not clis:
        print('no interrupts-off window found: is this the firmware?')
        return 1
    print('%d windows, %d over their bound' % (len(clis), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
