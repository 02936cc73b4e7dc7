/* SPDX-License-Identifier: MIT */
/*
 * The edge FIFO (protocol 1.5): the pin-change interrupt's work and the
 * main loop store events (events_put(), events_lost()), the protocol
 * engine reads and consumes them (events_count(), events_peek(),
 * events_pop_to()). Portable C, like stream.c: the host tests run it too.
 */
#ifndef ARDUIPI_EVENTS_H
#define ARDUIPI_EVENTS_H

#include <stdint.h>
#include "../kernel/arduipi-regs.h"

extern volatile uint8_t ev_w, ev_r;	/* events stored, and consumed */
extern uint8_t ev_lost_ack;		/* EDGE_LOST as the host wrote it */

/* Empty the FIFO (the events numbered on), EDGE_LOST seen as it is. */
void events_reset(void);
/* Producer: an event (ARDUIPI_EDGE_VALID | ...), or a count of lost. */
void events_put(uint8_t ev);
void events_lost(uint8_t n);
/* Consumer: EDGE_COUNT; event k from the oldest (0 past the stored). */
uint8_t events_count(void);
uint8_t events_peek(uint8_t k);
/* Consume the events before seq; an error code if seq is past them. */
uint8_t events_pop_to(uint8_t seq);

#endif /* ARDUIPI_EVENTS_H */
