/* SPDX-License-Identifier: MIT */
/*
 * TWI interrupt. The AVR holds SCL low from TWINT until the handler clears
 * it, and the Raspberry Pi's I2C controller mishandles clock stretching,
 * so this handler releases SCL before anything else and leaves the
 * protocol to a worker that can itself be interrupted:
 *
 *  fast path (interrupts off): read TWSR (and TWDR); for a byte the master
 *    reads, copy the byte prepared ahead (proto_tx) into TWDR; release
 *    SCL; queue (status, byte) for the worker. Its flags live in GPIOR0
 *    (twi.h): bit tests and sets that need no register.
 *  worker (twi_worker(), interrupts on): takes the queue in order and runs
 *    the protocol engine. A later TWI event interrupts it, runs only the
 *    fast path and leaves its event in the queue.
 *
 * A byte to transmit is sent only if it is known current (TWI_TXR: no
 * event is queued or being worked on). Otherwise the fast path leaves SCL
 * held, masks the interrupt and lets the worker release the bus once the
 * byte is prepared: a late answer stretches the clock, a stale one is
 * never sent. When the byte after it is known too (TWI_TXR2, a PEC
 * write's status reply), the fast path moves it up and sends it next
 * without the worker.
 */
#include <avr/io.h>
#include "twi.h"

#define FLAGS	_SFR_IO_ADDR(GPIOR0)

	/*
	 * In .vectors, after vectors.S's table: this is the TWI vector's slot
	 * (24), and runs on over SPM_READY's (never enabled). Up to the
	 * release of SCL it touches only r2, r3 (the status, the byte) and r4
	 * (TWCR_RELEASE), which the C code never uses (-ffixed-r2, r3, r4:
	 * the Makefile), and no flag: no register to save first. From a
	 * TWI event, interrupts on, to the store that releases SCL, with the
	 * interrupt's entry (4): 18 cycles sending, 16 to 17 receiving
	 * (tools/testing/fast-path.py counts them).
	 */
	.section .vectors, "ax", @progbits
	.global	TWI_vect
TWI_vect:
	lds	r2, TWSR
	sbrs	r2, 3			/* 0x88 0x98 0xa8 0xb8 0xc8 ... */
	rjmp	.Lrx
	sbrs	r2, 5			/* ... and of them 0xa8 0xb8: send */
	rjmp	.Lnack
	sbis	FLAGS, TWI_TXR
	rjmp	.Lhold
	lds	r3, proto_tx
	sts	TWDR, r3
	sts	TWCR, r4		/* SCL released (sending) */
	sbis	FLAGS, TWI_TXR2
	rjmp	.Lstale
	lds	r3, proto_tx2		/* the next byte is known too (the */
	sts	proto_tx, r3		/* queued one's byte: not looked at) */
	cbi	FLAGS, TWI_TXR2
	rjmp	.Lsave

.Lnack:	lds	r3, TWDR		/* 0x88 0x98 0xc8: a last byte */
	rjmp	.Lrel
.Lrx:	lds	r3, TWDR		/* byte received (if receiving) */
	sbrc	r2, 7
	rjmp	.Lrel			/* 0x80 0x90 0xa0 0xc0 */
	sbrs	r2, 6			/* 0x60 0x70 */
	rjmp	.Lbus			/* 0x00: bus error */
.Lrel:	sts	TWCR, r4		/* SCL released (receiving) */
.Lrel2:	cbi	FLAGS, TWI_TXR2
.Lstale:	cbi	FLAGS, TWI_TXR		/* proto_tx is stale until worked on */
.Lsave:	push	r30
	in	r30, _SFR_IO_ADDR(SREG)
	push	r30
	push	r31

	/* twi_ev[twi_ev_w++] = (status, byte). The queue never overflows:
	 * when this fills it, the interrupt is masked and the next event
	 * waits in the TWI unit, SCL held, until the worker frees a slot. */
	lds	r30, twi_ev_w
	lsl	r30
	clr	r31
	subi	r30, lo8(-(twi_ev))
	sbci	r31, hi8(-(twi_ev))
	st	Z+, r2
	st	Z, r3
	lds	r30, twi_ev_w
	inc	r30
	andi	r30, TWI_QMASK
	sts	twi_ev_w, r30
	sbi	FLAGS, TWI_PEND
	inc	r30			/* one slot stays free: full is */
	andi	r30, TWI_QMASK		/* w + 1 == r */
	lds	r31, twi_ev_r
	cp	r30, r31
	brne	.Lwork
	ldi	r30, TWCR_HOLD		/* full: mask, TWINT untouched */
	sts	TWCR, r30
	rjmp	.Lwork

.Lhold:	push	r30
	ldi	r30, TWCR_HOLD		/* keep TWINT (SCL low), mask it */
	sts	TWCR, r30
	sts	twi_tx_wait, r2
	in	r30, _SFR_IO_ADDR(SREG)
	push	r30
	push	r31
	sbi	FLAGS, TWI_PEND
	rjmp	.Lwork

.Lbus:	push	r30			/* recover the unit; rare: slower */
	ldi	r30, TWCR_RELEASE | _BV(TWSTO)
	sts	TWCR, r30
	pop	r30
	rjmp	.Lrel2

	/* Become the worker, unless a worker runs (this interrupted it, or
	 * it yielded) or the ADC or a pin-change interrupt's work does (it
	 * gives the worker back at its end). From here on a nested fast path
	 * touches only what it saves itself (r2, r3 too). */
.Lwork:	sbic	FLAGS, TWI_BUSY
	rjmp	.Lout
	sbic	FLAGS, TWI_ADC
	rjmp	.Lout
	sbic	FLAGS, TWI_PCI
	rjmp	.Lout
	sbi	FLAGS, TWI_BUSY
	push	r24
	push	r25
.Lagain:	sei
	push_for_c
	call	twi_worker		/* queue empty (or a yield), interrupts on */
	pop_after_c
	sbic	FLAGS, TWI_RESUME	/* it yielded: the main loop resumes it */
	rjmp	.Lyield
	/*
	 * Still the worker while the registers come back, interrupts on: an
	 * event now is only queued (TWI_BUSY), never held for this. Then,
	 * interrupts off for 6 cycles: go round again for an event that came
	 * after the worker's last look (TWI_PEND), or let go, restoring SREG
	 * with interrupts on. An event in the last three instructions finds
	 * the worker free and becomes the worker itself, nested: 2 bytes of
	 * this frame stay below it.
	 */
	pop	r25
	pop	r24
	pop	r31
	pop	r30			/* SREG as interrupted (I clear) ... */
	ori	r30, 0x80		/* ... restored with interrupts on */
	cli
	sbic	FLAGS, TWI_PEND
	rjmp	1f
	cbi	FLAGS, TWI_BUSY
	out	_SFR_IO_ADDR(SREG), r30
	pop	r30
	reti
1:	sei				/* still the worker: an event now */
	push	r30			/* is only queued */
	push	r31
	push	r24
	push	r25
	rjmp	.Lagain

	/* the worker yielded, TWI_BUSY kept: interrupts on again at once
	 * (an event now is only queued) */
.Lyield:
	pop	r25
	pop	r24
	/* the fast path's own end: interrupts off since its entry, on again
	 * for its last pop */
.Lout:	pop	r31
	pop	r30
	ori	r30, 0x80		/* interrupts on for the rest: the */
	out	_SFR_IO_ADDR(SREG), r30	/* event is queued, SCL released */
	pop	r30
	reti
