/* SPDX-License-Identifier: MIT */
/*
 * ADC interrupt (the stream). Its work, adc_stream_isr(), takes about
 * 150 cycles: with interrupts off it delayed the TWI interrupt by as
 * much, past the Pi's SCL low time at 100 kHz (Documentation/adc.rst).
 * So it turns interrupts on at its second instruction, after TWI_ADC
 * (twi.h) is set: a TWI event meanwhile has only its fast path, SCL
 * released at once and the event queued, and nothing reads the FIFO
 * while a sample goes in. At its end the work gives the worker back
 * (twi_give_back()), which works on what was queued unless a worker runs;
 * an ADC interrupt nested in that finds the worker taken and only adds
 * its sample. The work itself is not re-entered: that would take this
 * vector coming a whole conversion (104 us) late, which no interrupts-off
 * section comes near, and which would lose the sample anyway (the data
 * register is overwritten).
 */
#include <avr/io.h>
#include "twi.h"

	.section .text.adc_vect, "ax", @progbits
	.global	ADC_vect
ADC_vect:
	sbi	_SFR_IO_ADDR(GPIOR0), TWI_ADC
	sei
	push	r24
	in	r24, _SFR_IO_ADDR(SREG)	/* as interrupted, I set: sei leaves */
	push	r24			/* the other flags as they were */
	push	r25
	push	r30
	push	r31
	push_for_c
	call	adc_stream_isr
	pop_after_c
	pop	r31
	pop	r30
	pop	r25
	pop	r24
	out	_SFR_IO_ADDR(SREG), r24
	pop	r24
	reti
