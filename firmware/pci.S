/* SPDX-License-Identifier: MIT */
/*
 * Pin-change interrupts (the edge FIFO, edge.c). A vector reads its port
 * at its second instruction, so that both edges of a pulse longer than
 * that are seen. Then, interrupts still off and no flag touched: every
 * pin-change interrupt off (PCICR = 0: a change meanwhile is flagged in
 * PCIFR and taken once they are on again, after this one's edges are
 * stored: edges stay in order), TWI_PCI set (a TWI event meanwhile has
 * only its fast path, SCL released at once, as in the ADC interrupt:
 * twi.h), interrupts on. Thirteen cycles from the vector's first
 * instruction to the one after sei; the rest, edge_capture(), with them
 * on. The interrupted r24 waits in GPIOR1 and the port's value in GPIOR2
 * (one-cycle stores that need no other register); nothing else uses them,
 * and no other pin-change interrupt comes before they are taken.
 */
#include <avr/io.h>
#include "twi.h"

#define FLAGS	_SFR_IO_ADDR(GPIOR0)

.macro	pci_vect name, pin, port
	.section .text.\name, "ax", @progbits
	.global	\name
\name:
	out	_SFR_IO_ADDR(GPIOR1), r24
	in	r24, _SFR_IO_ADDR(\pin)
	out	_SFR_IO_ADDR(GPIOR2), r24
	ldi	r24, 0
	sts	PCICR, r24
	sbi	FLAGS, TWI_PCI
	sei
	ldi	r24, \port
	jmp	pci_common
.endm

	pci_vect PCINT0_vect, PINB, 0
	pci_vect PCINT1_vect, PINC, 1
	pci_vect PCINT2_vect, PIND, 2

	.section .text.pci_common, "ax", @progbits
pci_common:
	push	r25
	in	r25, _SFR_IO_ADDR(GPIOR1)	/* the interrupted r24 */
	push	r25
	in	r25, _SFR_IO_ADDR(SREG)	/* as interrupted, I set: no */
	push	r25			/* instruction since changed a flag */
	push	r30
	push	r31
	push_for_c
	in	r22, _SFR_IO_ADDR(GPIOR2)
	call	edge_capture		/* (port, value), interrupts on */
	pop_after_c
	pop	r31
	pop	r30
	pop	r25
	out	_SFR_IO_ADDR(SREG), r25
	pop	r24
	pop	r25
	reti
