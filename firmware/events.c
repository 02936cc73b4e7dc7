// SPDX-License-Identifier: MIT
/*
 * The edge FIFO (see events.h and kernel/arduipi-regs.h): one byte per
 * event, kept in the bank's EDGE_FIFO registers, whose reads events_peek()
 * answers instead. ev_w and ev_r count events (mod 256): ev_r is EDGE_SEQ,
 * ev_w - ev_r the events stored. The producers (the pin-change interrupt's
 * work, and the main loop with interrupts off) move ev_w; the consumer
 * (the TWI worker) moves ev_r; each is one byte, so the other side sees it
 * whole. Portable C, like stream.c: the host tests run it too.
 */
#include "events.h"
#include "proto.h"

#include "lock.h"

#define RING		(&REG(ARDUIPI_REG_EDGE_FIFO))
#define MASK		(ARDUIPI_EDGE_DEPTH - 1)
#if ARDUIPI_EDGE_DEPTH & MASK
#error "ARDUIPI_EDGE_DEPTH must be a power of two"
#endif

volatile uint8_t ev_w, ev_r;
uint8_t ev_lost_ack;	/* EDGE_LOST as the host last wrote it */

/*
 * The TWI worker (EDGE_CTRL changed): the FIFO emptied from the consumer's
 * side, EDGE_SEQ on to the newest and EDGE_LOST taken as seen. A producer
 * interrupted halfway (the main loop's edge_put(), a pin-change
 * interrupt's work) finishes storing an edge that came before: it stays
 * in, as the newest. Nothing a producer owns is touched.
 */
void events_reset(void)
{
	LOCK();
	ev_r = ev_w;
	ev_lost_ack = REG(ARDUIPI_REG_EDGE_LOST);
	UNLOCK();
}

/* EDGE_LOST counts on (mod 256): the host takes the difference. */
void events_lost(uint8_t n)
{
	REG(ARDUIPI_REG_EDGE_LOST) += n;
}

void events_put(uint8_t ev)
{
	uint8_t w = ev_w;

	if ((uint8_t)(w - ev_r) >= ARDUIPI_EDGE_DEPTH) {
		events_lost(1);
		return;
	}
	RING[w & MASK] = ev;
	ev_w = w + 1;		/* after the event: the consumer sees it whole */
}

uint8_t events_count(void)
{
	return (uint8_t)(ev_w - ev_r) |
	       (REG(ARDUIPI_REG_EDGE_LOST) != ev_lost_ack ?
		ARDUIPI_EDGE_COUNT_LOST : 0);
}

uint8_t events_peek(uint8_t k)
{
	uint8_t r = ev_r;

	return k < (uint8_t)(ev_w - r) ? RING[(r + k) & MASK] : 0;
}

uint8_t events_pop_to(uint8_t seq)
{
	uint8_t r = ev_r;

	if ((uint8_t)(seq - r) > (uint8_t)(ev_w - r))
		return ARDUIPI_ERR_BAD_VALUE;
	ev_r = seq;
	return ARDUIPI_OK;
}
