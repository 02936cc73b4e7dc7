/* SPDX-License-Identifier: MIT */
/*
 * TWI interrupt. The AVR holds SCL low from TWINT until the handler clears
 * it, and the Raspberry Pi's I2C controller mishandles clock stretching,
 * so this handler releases SCL before anything else and leaves the
 * protocol to a worker that can itself be interrupted:
 *
 *  fast path (interrupts off): read TWSR and TWDR; for a byte the master
 *    reads, copy the byte prepared one event ahead (proto_tx) into TWDR;
 *    release SCL; queue (status, byte) for the worker.
 *  worker (twi_worker(), interrupts on): takes the queue in order and runs
 *    the protocol engine. A later TWI event interrupts it, runs only the
 *    fast path and leaves its event in the queue.
 *
 * A byte to transmit is sent only if it is known current (twi_tx_ready:
 * no event is queued or being worked on). Otherwise the fast path leaves
 * SCL held, masks the interrupt and lets the worker release the bus once
 * the byte is prepared: a late answer stretches the clock, a stale one is
 * never sent.
 */
#include <avr/io.h>
#include "twi.h"

	.section .text.twi_vect, "ax", @progbits
	.global	TWI_vect
TWI_vect:
	push	r24
	in	r24, _SFR_IO_ADDR(SREG)
	push	r24
	push	r25
	push	r30
	push	r31
	lds	r24, TWSR
	lds	r25, TWDR		/* byte received (if receiving) */
	cpi	r24, 0xa8		/* own SLA+R: first byte to send */
	breq	1f
	cpi	r24, 0xb8		/* byte sent, ACK: next byte to send */
	breq	1f
	ldi	r30, TWCR_RELEASE
	tst	r24			/* 0x00: bus error, recover (TWSTO) */
	brne	3f
	ldi	r30, TWCR_RELEASE | _BV(TWSTO)
3:	sts	TWCR, r30		/* SCL released (receiving) */
	rjmp	queue
1:	lds	r30, twi_tx_ready
	tst	r30
	breq	hold
	lds	r30, proto_tx
	sts	TWDR, r30
	ldi	r30, TWCR_RELEASE
	sts	TWCR, r30		/* SCL released (sending) */

	/* twi_ev[twi_ev_w++] = (status, byte). The queue never overflows:
	 * when this fills it, the interrupt is masked and the next event
	 * waits in the TWI unit, SCL held, until the worker frees a slot. */
queue:	lds	r30, twi_ev_w
	lsl	r30
	clr	r31
	subi	r30, lo8(-(twi_ev))
	sbci	r31, hi8(-(twi_ev))
	st	Z+, r24
	st	Z, r25
	lds	r30, twi_ev_w
	inc	r30
	andi	r30, TWI_QMASK
	sts	twi_ev_w, r30
	clr	r31
	sts	twi_tx_ready, r31	/* proto_tx is stale until worked on */
	inc	r30			/* one slot stays free: full is */
	andi	r30, TWI_QMASK		/* w + 1 == r */
	lds	r31, twi_ev_r
	cp	r30, r31
	brne	work
	ldi	r30, TWCR_HOLD		/* full: mask, TWINT untouched */
	sts	TWCR, r30
	rjmp	work

hold:	ldi	r30, TWCR_HOLD		/* keep TWINT (SCL low), mask it */
	sts	TWCR, r30
	sts	twi_tx_wait, r24

	/* Become the worker, unless this interrupted it. From here on a
	 * nested fast path touches only what it saves itself. */
work:	lds	r30, twi_busy
	tst	r30
	brne	2f
	ldi	r30, 1
	sts	twi_busy, r30
again:	sei
	push_for_c
	call	twi_worker		/* queue empty (or a yield), interrupts on */
	pop_after_c
	/* Still the worker while the registers come back, interrupts on: an
	 * event now is only queued (twi_busy), never held for this. Then,
	 * interrupts off: go round again for one that came, or let go. */
	cli
	lds	r30, twi_resume		/* it yielded: the main loop goes on */
	tst	r30
	brne	2f
	lds	r30, twi_ev_r
	lds	r31, twi_ev_w
	cp	r30, r31
	brne	again
	lds	r30, twi_tx_wait	/* a transmit held meanwhile */
	tst	r30
	brne	again
	clr	r30			/* twi_tx_ready: set by the worker */
	sts	twi_busy, r30
2:	pop	r31
	pop	r30
	pop	r25
	pop	r24
	out	_SFR_IO_ADDR(SREG), r24
	pop	r24
	reti
