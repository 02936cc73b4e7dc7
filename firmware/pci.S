/* SPDX-License-Identifier: MIT */
/*
 * Pin-change interrupts (the edge FIFO, edge.c). A vector reads its port
 * at its second instruction, so that both edges of a pulse longer than
 * that are seen. Then, interrupts still off and no flag touched: every
 * pin-change interrupt off (PCICR = 0: a change meanwhile is flagged in
 * PCIFR and taken once they are on again, after this one's edges are
 * stored: edges stay in order), TWI_PCI set (a TWI event meanwhile has
 * only its fast path, SCL released at once, as in the ADC interrupt:
 * twi.h), interrupts on: 13 cycles from the vector table's jump to the
 * instruction after sei. The rest, edge_capture(), with them on. The
 * interrupted r24 waits in GPIOR1 and the port's value in GPIOR2
 * (one-cycle stores that need no other register); nothing else uses them,
 * and no other pin-change interrupt comes before they are taken.
 */
#include <avr/io.h>
#include "config.h"
#include "twi.h"

#if ARDUIPI_EDGE_PCINT

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
	/*
	 * The registers back with interrupts on (no pin-change interrupt
	 * till PCICR is set, and TWI_PCI keeps the worker from starting);
	 * then, interrupts off for 13 cycles to reti (16 with an event
	 * queued and a worker running, 19 with the ADC's work or to the sei
	 * of the worker's run here): the pin-change
	 * interrupts on (one flagged meanwhile comes after reti, not nested
	 * in this one), TWI_PCI off. An event queued meanwhile, no worker
	 * running (nor the ADC's work, which gives it back itself): the
	 * worker runs here, interrupts on, as twi.S would have run it; a
	 * pin-change interrupt meanwhile nests in it and finds it taken.
	 */
2:	pop	r24			/* SREG as interrupted, I set ... */
	andi	r24, 0x7f		/* ... restored with I clear: reti */
	out	_SFR_IO_ADDR(GPIOR2), r24	/* sets it, nothing nests here */
	pop	r24
	pop	r25
	out	_SFR_IO_ADDR(GPIOR1), r24	/* r24 the scratch */
	in	r24, _SFR_IO_ADDR(GPIOR2)
	out	_SFR_IO_ADDR(SREG), r24	/* interrupts off from here */
	ldi	r24, 7
	sts	PCICR, r24
	cbi	FLAGS, TWI_PCI
	sbic	FLAGS, TWI_PEND
	rjmp	3f
	in	r24, _SFR_IO_ADDR(GPIOR1)
	reti
3:	sbic	FLAGS, TWI_BUSY
	rjmp	4f
	sbic	FLAGS, TWI_ADC
	rjmp	4f
	sbi	FLAGS, TWI_BUSY
	in	r24, _SFR_IO_ADDR(GPIOR1)
	sei
	push	r25
	push	r24
	in	r25, _SFR_IO_ADDR(SREG)
	push	r25
	push	r30
	push	r31
	push_for_c
	call	twi_resume_worker	/* returns with interrupts on */
	pop_after_c
	pop	r31
	pop	r30
	cli				/* as protected as the first pass */
	ldi	r24, 0			/* (GPIOR1/2 hold this one's SREG */
	sts	PCICR, r24		/* and r24 at 2: from here on) */
	sbi	FLAGS, TWI_PCI
	sei
	rjmp	2b
4:	in	r24, _SFR_IO_ADDR(GPIOR1)
	reti
#endif
