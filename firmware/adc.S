/* SPDX-License-Identifier: MIT */
/*
 * ADC interrupt (the stream). Interrupts go on at its first instruction
 * and TWI_ADC (twi.h) is set at its second, before any interrupt can
 * come, both in the vector's slot (vectors.S), which then jumps here: a
 * TWI event meanwhile has only its fast path, SCL released at once and
 * the event queued, and the worker waits for the end of TWI_ADC, which
 * gives it what was queued unless a worker runs already.
 *
 * ARDUIPI_ADC_RING 0 (16 MHz): the whole work, adc_stream_isr(), about
 * 150 cycles (about 210 with the vector's), runs inside TWI_ADC and
 * gives the worker back at its end: nothing reads the FIFO while a
 * sample goes in, and an ADC interrupt nested in the worker it gives
 * back finds the worker taken and only adds its sample. The work itself
 * is not re-entered: that would take this vector coming a whole
 * conversion (104 us) late, which no interrupts-off section comes near,
 * and which would lose the sample anyway (the data register is
 * overwritten).
 *
 * ARDUIPI_ADC_RING 1 (8 MHz): inside TWI_ADC only the sample goes into
 * its slot of the ring (adc.c; the slot's address in GPIOR1) and the
 * multiplexer is set from the slot, where it was worked out ahead. No
 * flag changes, so SREG needs no saving: 53 cycles from the interrupt's
 * entry to the return while a worker runs (firmware-checks counts them),
 * all that worker waits. A slot whose sample is not stored yet means the
 * ring is full: the conversions stop (.Llap).
 * Otherwise an event queued meanwhile gets a worker at once, and then
 * adc_catch_up() stores the samples, TWI_ADC clear: a TWI event then
 * becomes the worker, nested, and the store waits for it. The registers
 * those calls need are saved before either (the same frame for both).
 */
#include <avr/io.h>
#include "config.h"
#include "twi.h"

#define FLAGS	_SFR_IO_ADDR(GPIOR0)
#define ADC_SLOT	_SFR_IO_ADDR(GPIOR1)	/* adc.c: the interrupt's slot */

	/* after the vector's sei, sbi TWI_ADC and jump (vectors.S) */
	.section .text.adc_vect, "ax", @progbits
	.global	adc_vect_rest
adc_vect_rest:
#if ARDUIPI_ADC_RING
	push	r30
	push	r31
	push	r24
	in	r30, ADC_SLOT		/* struct slot (adc.c), in one page */
	ldi	r31, hi8(adc_ring)
	ldd	r24, Z+1		/* its sample stored? */
	sbrs	r24, 7
	rjmp	.Llap
	lds	r24, ADCL		/* in this order: ADCL locks ADCH */
	st	Z+, r24			/* lo */
	lds	r24, ADCH
	st	Z+, r24			/* hi, bit 7 clear: a sample */
	ld	r24, Z+			/* mux */
	sts	ADMUX, r24
	ld	r24, Z			/* next */
	out	ADC_SLOT, r24
.Lkept:	cbi	FLAGS, TWI_ADC
	sbis	FLAGS, TWI_BUSY
	rjmp	1f
	sbic	FLAGS, TWI_RESUME	/* a worker yielded: none runs */
	rjmp	1f
.Lret:	pop	r24			/* a worker runs: it goes on */
	pop	r31
	pop	r30
	reti
	/* The ring is full: its samples stay, this one is lost, and the
	 * conversions stop (no interrupt; the main loop starts them over)
	 * rather than go on with the slot's multiplexer value, which is
	 * stale. */
.Llap:	ldi	r24, _BV(ADEN) | ARDUIPI_ADPS
	sts	ADCSRA, r24
	sts	adc_lapped, r24
	rjmp	.Lkept
	/* No worker runs: an event queued meanwhile gets one at once (as
	 * twi_give_back() would, sooner), then the samples are stored,
	 * unless a store runs below this (it, or the main loop, takes this
	 * sample). */
1:	sbis	FLAGS, TWI_KEEP		/* a store runs below (or main's) */
	rjmp	5f
	sbis	FLAGS, TWI_PEND		/* and no event waits: nothing to do */
	rjmp	.Lret			/* (an event from now gets a worker) */
5:	push	r25
	in	r24, _SFR_IO_ADDR(SREG)	/* no flag changed since the entry */
	push	r24
	push_for_c
	cli
	sbis	FLAGS, TWI_PEND
	rjmp	2f
	sbic	FLAGS, TWI_BUSY		/* (it yielded: the main loop's) */
	rjmp	2f
	sbic	FLAGS, TWI_PCI		/* (that work gives it back) */
	rjmp	2f
	sei				/* the instruction after sei runs */
	sbi	FLAGS, TWI_BUSY		/* before an interrupt can come */
	call	twi_resume_worker
	rjmp	3f
2:	sei
	sbic	FLAGS, TWI_KEEP
	rjmp	4f
3:	call	adc_catch_up
4:	pop_after_c
	pop	r24
	out	_SFR_IO_ADDR(SREG), r24
	pop	r25
	pop	r24
	pop	r31
	pop	r30
	reti

	/*
	 * The ring (adc.c, struct slot: lo, hi, mux, next; config.h has how
	 * many), all free, in .data near its start (0x100): it must lie in
	 * one 256-byte page, whose high byte is loaded above (the firmware's
	 * Makefile checks, and fails the build otherwise).
	 */
#define FREE	0x80
	.section .data
	.global	adc_ring
adc_ring:
	.set	.Lnext, 1
	.rept	ARDUIPI_ADC_RING_SLOTS
	.byte	0, FREE, 0, lo8(adc_ring + 4 * (.Lnext % ARDUIPI_ADC_RING_SLOTS))
	.set	.Lnext, .Lnext + 1
	.endr
	.size	adc_ring, . - adc_ring
	/* the store's next slot (adc.c), the ring's first until a start */
	.global	adc_take
adc_take:
	.byte	lo8(adc_ring)
#else
	push	r24
	in	r24, _SFR_IO_ADDR(SREG)	/* as interrupted, I set: sei leaves */
	push	r24			/* the other flags as they were */
	push	r25
	push	r30
	push	r31
	push_for_c
	call	adc_stream_isr		/* gives the worker back at its end */
	pop_after_c
	pop	r31
	pop	r30
	pop	r25
	pop	r24
	out	_SFR_IO_ADDR(SREG), r24
	pop	r24
	reti
#endif
