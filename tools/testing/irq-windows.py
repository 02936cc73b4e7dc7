#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every interrupts-off window of the firmware, from its disassembly.

    irq-windows.py FIRMWARE.elf

From each cli outside the assembly vectors, every path (into calls and
back, both ways of every branch and skip) to the sei or SREG write that
ends it: the cycles with interrupts off, as nanosim's irq_off_max counts
them (the cli itself not, the instruction after the end yes: a waiting
interrupt is taken only after it). nanosim measures the windows its tests
reach; this finds all of them, however the compiler laid the code out
(link-time optimisation inlines across files and may move work into a
window).

Each window is named by the function its cli is in, as the disassembly
has it (after inlining). The TWI fast path's budget leaves 12 cycles for
any window (Documentation/firmware.rst); the windows that may be longer
are listed below with their bound and the reason a TWI event cannot meet
them. Prints one line per window and a verdict; exits 1 if a window is
over its bound, on a path that loops, returns or jumps indirectly with
interrupts off, or if the disassembly holds no window at all.
"""
import re
import subprocess
import sys

BUDGET = 12

# windows that may be longer: a window that calls one of these, or whose
# cli is in one of these: (bound, why a TWI event does not meet it)
LONGER = {
    'tx_release': (80, 'sends a held transmit: no TWI event can come while '
                       'it holds SCL, nor within a byte of its release'),
    'twi_timeout': (120, 'the slave-side timeout: no bus event for 35 ms, '
                         'the TWI unit is turned off and on'),
    'early_init': (40, 'at reset, before interrupts are ever on'),
}
# assembly vectors (firmware-checks.sh and nanosim check them) and the
# C runtime's end, which never turns interrupts on again
SKIP = {'__vector_24', '__vector_21', '__vector_3', '__vector_4',
        '__vector_5', '_exit', '__stop_program'}

ONE = set('''add adc sub subi sbc sbci and andi or ori eor com neg sbr cbr
inc dec tst clr ser cp cpc cpi mov movw ldi in out lsl lsr rol ror asr swap
bst bld sec clc sen cln sez clz sei cli ses cls sev clv set clt seh clh nop
sleep wdr bset bclr'''.split())
TWO = set('''lds sts ld ldd st std push pop rjmp ijmp mul muls mulsu fmul
fmuls fmulsu sbi cbi adiw sbiw'''.split())
SKIPS = {'cpse', 'sbrc', 'sbrs', 'sbic', 'sbis'}


def cycles(mn):
    if mn in TWO:
        return 2
    if mn in ONE or mn in SKIPS or mn.startswith('br'):
        return 1
    if mn in ('lpm', 'elpm', 'rcall', 'icall', 'jmp'):
        return 3
    if mn in ('call', 'ret', 'reti'):
        return 4
    raise ValueError('no cycle count for ' + mn)


def target(ops):
    m = re.search(r';\s*0x([0-9a-f]+)', ops) or re.match(r'0x([0-9a-f]+)', ops)
    return int(m.group(1), 16) if m else None


def ends(mn, ops):
    return mn == 'sei' or (mn == 'out' and ops.startswith('0x3f'))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: irq-windows.py FIRMWARE.elf\n')
        return 2
    elf = sys.argv[1]
    dis = subprocess.run(['avr-objdump', '-d', elf], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    ins = {}        # address: (mnemonic, operands, words, function)
    func = None
    for line in dis.splitlines():
        m = re.match(r'^([0-9a-f]+) <(.*)>:', line)
        if m:
            func = m.group(2)
            continue
        m = re.match(r'^\s+([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(\S+)\s*(.*)$',
                     line)
        if m:
            ins[int(m.group(1), 16)] = (m.group(3), m.group(4),
                                        len(m.group(2).split()) // 2, func)

    def explore(start):
        """(cycles, kind) of every path from start to the window's end,
        and the functions they call"""
        out, called, stack = [], set(), [(start, 0, frozenset(), ())]
        while stack:
            a, c, seen, rets = stack.pop()
            if a not in ins:
                out.append((c, 'leaves the code at 0x%x' % a))
                continue
            if a in seen:
                out.append((c, 'loops at 0x%x' % a))
                continue
            mn, ops, words, _ = ins[a]
            seen = seen | {a}
            nxt = a + 2 * words
            if ends(mn, ops):
                after = ins.get(nxt, ('ret',))[0]
                # the instruction after: the longest way through it
                extra = (3 if after in SKIPS else 2 if after.startswith('br')
                         else cycles(after))
                out.append((c + 1 + extra, 'end'))
            elif mn == 'ret' and rets:
                stack.append((rets[-1], c + 4, seen, rets[:-1]))
            elif mn in ('ret', 'reti', 'icall', 'ijmp'):
                out.append((c + cycles(mn), mn + ' with interrupts off'))
            elif mn in ('call', 'rcall'):
                called.add(ins.get(target(ops), (0, 0, 0, '?'))[3])
                stack.append((target(ops), c + cycles(mn), seen, rets + (nxt,)))
            elif mn in ('rjmp', 'jmp'):
                stack.append((target(ops), c + cycles(mn), seen, rets))
            elif mn.startswith('br'):
                stack.append((nxt, c + 1, seen, rets))
                stack.append((target(ops), c + 2, seen, rets))
            elif mn in SKIPS:
                stack.append((nxt, c + 1, seen, rets))
                skipped = ins.get(nxt, (None, None, 1))[2]
                stack.append((nxt + 2 * skipped, c + 1 + skipped, seen, rets))
            else:
                stack.append((nxt, c + cycles(mn), seen, rets))
        return out, called

    clis = [a for a in sorted(ins) if ins[a][0] == 'cli' and ins[a][3] not in SKIP]
    bad = 0
    for a in clis:
        paths, called = explore(a + 2)
        worst = max(c for c, _ in paths)
        odd = sorted({k for _, k in paths if k != 'end'})
        func = ins[a][3].split('.')[0]      # less gcc's .lto_priv.N, .part.N
        called = {f.split('.')[0] for f in called}
        bound, why = BUDGET, ''
        for name in sorted(LONGER):
            if name == func or name in called or name + '_queued' in called:
                bound, why = LONGER[name]
        ok = worst <= bound and not odd
        bad += not ok
        print('%s 0x%04x in %s: %d cycles, bound %d%s%s' % (
            'ok  ' if ok else 'OVER', a, func, worst, bound,
            ' (' + why + ')' if why else '', '; ' + ', '.join(odd) if odd else ''))
    if not clis:
        print('no interrupts-off window found: is this the firmware?')
        return 1
    print('%d windows, %d over their bound' % (len(clis), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
