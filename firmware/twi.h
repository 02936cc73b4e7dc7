/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_TWI_H
#define ARDUIPI_TWI_H

/* Shared by twi.S and twi.c. */
#define TWCR_IDLE	(_BV(TWEA) | _BV(TWEN) | _BV(TWIE))
#define TWCR_RELEASE	(_BV(TWINT) | TWCR_IDLE)	/* SCL released */
#define TWCR_HOLD	(_BV(TWEA) | _BV(TWEN))	/* TWINT kept, masked */
#define TWI_QMASK	15		/* event queue: 16 (status, byte) */

/*
 * The flags the fast path tests and sets, in GPIOR0: one-cycle bit tests
 * and atomic bit sets/clears (sbis, sbi, cbi) that need no register, so
 * the fast path reaches the release of SCL sooner and the worker's final
 * check with interrupts off is a few cycles.
 */
#define TWI_TXR		0	/* proto_tx is current: send it */
#define TWI_TXR2	1	/* ... and proto_tx2 is the byte after it */
#define TWI_BUSY	2	/* a worker runs, or yielded (TWI_RESUME) */
#define TWI_PEND	3	/* an event queued or a transmit held since
				 * the worker last looked */
#define TWI_RESUME	4	/* the worker yielded: main resumes it */
#define TWI_ADC		5	/* the ADC interrupt's work runs (or the
				 * stream's start: adc.c) */
#define TWI_PCI		6	/* a pin-change interrupt's work runs */
#define TWI_KEEP	7	/* adc_catch_up() runs (ARDUIPI_ADC_RING) */

#ifdef __ASSEMBLER__
/*
 * Around a call into C from a vector (twi.S, adc.S): the registers a C
 * function may change (avr-gcc), but for r24, r25, r30 and r31, which the
 * vectors save on entry as they need them; r1 cleared for C.
 */
.macro	push_for_c
	push	r0
	push	r1
	push	r18
	push	r19
	push	r20
	push	r21
	push	r22
	push	r23
	push	r26
	push	r27
	clr	r1
.endm
.macro	pop_after_c
	pop	r27
	pop	r26
	pop	r23
	pop	r22
	pop	r21
	pop	r20
	pop	r19
	pop	r18
	pop	r1
	pop	r0
.endm
#else
#include <stdint.h>

void twi_init(uint8_t addr);
void twi_worker(void);
void twi_resume_worker(void);
void twi_refresh(void);
void twi_give_back(void);
void twi_timeout(uint8_t mark);
uint8_t twi_bus_mark(void);
/* Interrupts on, then a one-cycle instruction: a waiting TWI interrupt is
 * taken after it, not after whatever four-cycle instruction comes next
 * (a return, a call). For the short critical sections around the worker. */
#define sei_now()	__asm__ __volatile__("sei\n\tnop" ::: "memory")
#define twi_flag(f)		(GPIOR0 & _BV(f))
#define twi_flag_set(f)		(GPIOR0 |= _BV(f))	/* sbi: atomic */
#define twi_flag_clr(f)		(GPIOR0 &= ~_BV(f))	/* cbi: atomic */
#endif

#endif
