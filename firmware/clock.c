// SPDX-License-Identifier: MIT
/*
 * Time for the main loop, from timer0's overflow flag (no interrupt), and
 * the 16-bit registers it shares with the TWI worker.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include "config.h"
#include "proto.h"
#include "clock.h"

uint32_t now_us;	/* wraps after 71 minutes */
uint16_t tick_us;	/* one timer0 overflow */

/* *t is now. */
void stamp(uint32_t *t)
{
	*t = now_us;
}

/* At least ms have passed since *since: now_us moves a tick at a time. */
uint8_t passed(const uint32_t *since, uint32_t ms)
{
	return now_us - *since >= ms * 1000UL + tick_us;
}

/* Timer0 runs the D5/D6 PWM and keeps time: one overflow per 256 ticks,
 * TICK_64 us at /64, 4 and 16 times that at /256 and /1024 (the only
 * others the T0_CLK register takes). */
#define TICK_64		(256UL * 64 * 1000 / (F_CPU / 1000))
void time_poll(void)
{
	uint8_t cs = TCCR0B & 7;
	uint16_t t = TICK_64;

	if (!(TIFR0 & _BV(TOV0)))
		return;
	TIFR0 = _BV(TOV0);
	if (cs == 4)
		t = 4 * TICK_64;	/* /256 */
	if (cs == 5)
		t = 16 * TICK_64;	/* /1024 */
	tick_us = t;
	now_us += tick_us;
}

/*
 * The two bytes with interrupts off for the two stores or loads only: the
 * address is worked out before (the empty asm makes the compiler have it
 * in a register by then), so the TWI fast path waits 5 cycles at most.
 */
void reg16_set(uint8_t r, uint16_t v)
{
	uint8_t *p = &REG(r);

	__asm__ __volatile__("" : "+r"(p));
	cli();
	p[0] = v;
	p[1] = v >> 8;
	sei();
}

uint16_t reg16_get(uint8_t r)
{
	uint8_t *p = &REG(r), lo, hi;

	__asm__ __volatile__("" : "+r"(p));
	cli();
	lo = p[0];
	hi = p[1];
	sei();
	return lo | (uint16_t)hi << 8;
}
