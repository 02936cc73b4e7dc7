/* SPDX-License-Identifier: MIT */
/*
 * The interrupt vector table and the start-up code, in place of
 * avr-libc's (the firmware links with -nostartfiles): so that the two
 * vectors a TWI event may have to wait for begin in their slots, not at a
 * jump from there (3 cycles each).
 *
 *  ADC (slot 21): interrupts on, then TWI_ADC set (the instruction after
 *    sei runs before any interrupt), then a jump to the rest (adc.S).
 *    A TWI event that comes with a conversion's end waits 7 cycles for
 *    it (the entry's 4, sei, sbi), no more.
 *  EE_READY, ANALOG_COMP (22, 23): never enabled; the ADC vector's jump
 *    is in the first.
 *  TWI (24): twi.S's fast path, in .vectors right after this table, runs
 *    on over SPM_READY's slot (25, never enabled) and past the table's
 *    end. The Makefile checks that it lands at slot 24.
 *
 * Every other slot jumps to the reset's; the pin-change ones go to pci.S
 * where the build has the edge FIFO's interrupts. The start-up is avr-
 * libc's (zero register, SREG; .data and .bss from libgcc's .init4) less
 * the stack pointer (below) and exit(): main() never returns.
 */
#include <avr/io.h>
#include "config.h"
#include "twi.h"

#define FLAGS	_SFR_IO_ADDR(GPIOR0)

	.section .vectors, "ax", @progbits
	.global	__vectors
__vectors:
	jmp	__init			/* 0: reset */
	jmp	__vectors		/* 1, 2: INT0, INT1 */
	jmp	__vectors
#if ARDUIPI_EDGE_PCINT
	jmp	PCINT0_vect		/* 3 to 5: pin changes (pci.S) */
	jmp	PCINT1_vect
	jmp	PCINT2_vect
#else
	jmp	__vectors
	jmp	__vectors
	jmp	__vectors
#endif
	.rept	21 - 6			/* 6 to 20: never enabled */
	jmp	__vectors
	.endr
	.global	ADC_vect
ADC_vect:				/* 21 */
	sei
	sbi	FLAGS, TWI_ADC		/* before an interrupt can come */
	jmp	adc_vect_rest		/* 22 (EE_READY's slot) */
	jmp	__vectors		/* 23: ANALOG_COMP */
	/* 24: TWI_vect, twi.S */

	.section .init0, "ax", @progbits
	.global	__init
__init:
	/* The stack pointer is RAMEND after a reset (the ATmega328P's reset
	 * value), or 2 bytes below it after Optiboot, which starts this from
	 * its own first call: not set again (8 bytes of flash). */
	.section .init2, "ax", @progbits
	clr	r1
	out	_SFR_IO_ADDR(SREG), r1
	.section .init9, "ax", @progbits
	jmp	main
