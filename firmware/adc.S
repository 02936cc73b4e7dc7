/* SPDX-License-Identifier: MIT */
/*
 * ADC interrupt (the stream). Its work, adc_stream_isr(), takes about
 * 150 cycles: with interrupts off it delayed the TWI interrupt by as
 * much, past the Pi's SCL low time at 100 kHz (Documentation/adc.rst).
 * So it runs with interrupts on, from the 8th instruction, and with the
 * TWI worker held off (twi_busy set): a TWI event meanwhile has only its
 * fast path, SCL released at once and the event queued, and nothing reads
 * the FIFO while a sample goes in. If the worker was free, the work gives
 * it back at its end and works on what was queued (twi_give_back()); an
 * ADC interrupt nested in that finds the worker taken and only adds its
 * sample. The work itself is not re-entered: that would take this vector
 * coming a whole conversion (104 us) late, which no interrupts-off
 * section comes near, and which would lose the sample anyway (the data
 * register is overwritten).
 */
#include <avr/io.h>
#include "twi.h"

	.section .text.adc_vect, "ax", @progbits
	.global	ADC_vect
ADC_vect:
	push	r24
	in	r24, _SFR_IO_ADDR(SREG)
	push	r24
	push	r25
	lds	r24, twi_busy		/* the argument: busy as it was */
	ldi	r25, 1
	sts	twi_busy, r25
	sei
	push	r30
	push	r31
	push_for_c
	call	adc_stream_isr
	pop_after_c
	pop	r31
	pop	r30
	pop	r25
	pop	r24
	out	_SFR_IO_ADDR(SREG), r24	/* I clear: no interrupt before reti */
	pop	r24
	reti
