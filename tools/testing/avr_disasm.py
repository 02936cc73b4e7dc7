# SPDX-License-Identifier: MIT
"""The firmware's disassembly and the ATmega328P's instruction timing,
for the checks that read the ELF (irq-windows.py, fast-path.py)."""
import re
import subprocess

ONE = set('''add adc sub subi sbc sbci and andi or ori eor com neg sbr cbr
inc dec tst clr ser cp cpc cpi mov movw ldi in out lsl lsr rol ror asr swap
bst bld sec clc sen cln sez clz sei cli ses cls sev clv set clt seh clh nop
sleep wdr bset bclr'''.split())
TWO = set('''lds sts ld ldd st std push pop rjmp ijmp mul muls mulsu fmul
fmuls fmulsu sbi cbi adiw sbiw'''.split())
SKIPS = {'cpse', 'sbrc', 'sbrs', 'sbic', 'sbis'}
SREG, TWCR, EECR = '0x3f', '0x00BC', '0x1f'


def disassemble(elf):
    """address: (mnemonic, operands without objdump's comment, words,
    the function it is in), runs of zero words (nop) shown (-z)"""
    dis = subprocess.run(['avr-objdump', '-d', '-z', elf],
                         stdout=subprocess.PIPE, universal_newlines=True,
                         check=True).stdout
    ins, func = {}, None
    for line in dis.splitlines():
        m = re.match(r'^([0-9a-f]+) <(.*)>:', line)
        if m:
            func = m.group(2)
            continue
        m = re.match(r'^\s+([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(\S+)'
                     r'\s*(.*)$', line)
        if m:
            ins[int(m.group(1), 16)] = (m.group(3),
                                        m.group(4).split(';')[0].strip(),
                                        len(m.group(2).split()) // 2, func)
    return ins


def symbols(elf):
    """every symbol's address (avr-nm: several names at one address)"""
    out = subprocess.run(['avr-nm', elf], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    return {f[2]: int(f[0], 16) for f in
            (line.split() for line in out.splitlines()) if len(f) == 3}


def cycles(mn, ops=''):
    """an instruction's cycles (a skip's or branch's not taken)"""
    if mn == 'sbi' and ops.replace(' ', '') in (EECR + ',1', EECR + ',0'):
        return 2 + (2 if ops.endswith('1') else 4)  # the EEPROM halts the CPU
    if mn in TWO:
        return 2
    if mn in ONE or mn in SKIPS or mn.startswith('br'):
        return 1
    if mn in ('lpm', 'elpm', 'rcall', 'icall', 'jmp'):
        return 3
    if mn in ('call', 'ret', 'reti'):
        return 4
    raise ValueError('no cycle count for ' + mn)


def target(ops, a, words):
    """a branch's or call's destination: objdump gives .+N (relative to
    the next instruction) or an absolute 0xN"""
    m = re.match(r'\.([+-]\d+)', ops)
    if m:
        return a + 2 * words + int(m.group(1))
    m = re.match(r'0x([0-9a-f]+)', ops)
    return int(m.group(1), 16) if m else None
