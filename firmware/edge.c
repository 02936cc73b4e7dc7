// SPDX-License-Identifier: MIT
/*
 * Edges into the FIFO (protocol 1.5, EDGE_CTRL set): the pin-change
 * interrupts catch the enabled lines that are not debounced (pci.S, then
 * edge_capture() here); the main loop sets which (edge_poll()), and
 * stores a debounced line's edge once it has settled (main.c). Ports
 * here, as the hardware has them: 0 = B (D8..D13), 1 = C (A0..A3),
 * 2 = D (D0..D7), each with its pin-change interrupt, PCINT0..2.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include "config.h"
#include "proto.h"
#include "events.h"
#include "edge.h"

#define PCMSK(p)	((&PCMSK0)[p])	/* PCMSK0..2: consecutive */
#define PIN(p)		((&PINB)[3 * (p)])	/* PINB, PINC, PIND */

/* The port's value as last stored, and the edges wanted of its lines. */
static uint8_t cap_last[3], cap_rise[3], cap_fall[3];
static uint8_t cap_skip[3];	/* PCMSK changed by edge_poll() */

static const uint8_t line0[3] = { 8, ARDUIPI_LINE_A0, 0 };

/*
 * The pin-change interrupt's work (pci.S: its port and the value read at
 * its start; interrupts on, PCICR 0): an event for each line of PCMSK
 * that changed, in line order. None changed: a pulse came and went before
 * the port was read, two edges lost (unless edge_poll() had just changed
 * PCMSK: a change flagged before). pci.S then turns the pin-change
 * interrupts on again and gives the TWI worker back.
 */
void edge_capture(uint8_t port, uint8_t v)
{
	uint8_t chg = (v ^ cap_last[port]) & PCMSK(port);
	uint8_t want = (v & cap_rise[port]) | (~v & cap_fall[port]);
	uint8_t line = line0[port] | ARDUIPI_EDGE_VALID;

	cap_last[port] = v;
	if (!chg && !cap_skip[port])
		events_lost(2);
	cap_skip[port] = 0;
	for (; chg; chg >>= 1, v >>= 1, want >>= 1, line++)
		if (chg & want & 1)
			events_put(line | (v & 1 ? ARDUIPI_EDGE_RISING : 0));
}

/* Bits of the three line-bank registers from r, as port p has them. */
static uint8_t port_lines(uint8_t r, uint8_t p)
{
	uint8_t b1 = REG(r + 1);

	if (p == 2)
		return REG(r);
	if (p == 0)
		return b1 & 0x3f;
	return (b1 >> 6) | (uint8_t)(REG(r + 2) << 2);
}

/*
 * The main loop: the lines the pin-change interrupts catch, PCMSK: those
 * with an edge enabled, unless debounced (main.c polls those), with
 * EDGE_CTRL set; none in a build without them (ARDUIPI_EDGE_PCINT 0:
 * main.c polls every line). A line new to PCMSK counts from its level now. The
 * pin-change interrupts are off meanwhile (PCICR 0: a change is flagged
 * and taken after), not all of them: no longer than 12 cycles with
 * interrupts off, for the TWI interrupt (Documentation/firmware.rst).
 */
void edge_poll(void)
{
	uint8_t p, on = REG(ARDUIPI_REG_EDGE_CTRL);
	uint8_t ms = REG(ARDUIPI_REG_DEBOUNCE_MS);

	if (!ARDUIPI_EDGE_PCINT)
		return;

	/* a change flagged before a PCMSK change was taken by now */
	cap_skip[0] = cap_skip[1] = cap_skip[2] = 0;
	for (p = 0; p < 3; p++) {
		uint8_t rise = port_lines(ARDUIPI_REG_GPIO_IRQ_RISE, p);
		uint8_t fall = port_lines(ARDUIPI_REG_GPIO_IRQ_FALL, p);
		uint8_t m = (rise | fall) &
			    ~(ms ? port_lines(ARDUIPI_REG_GPIO_DEBOUNCE, p) : 0);
		uint8_t old = PCMSK(p);

		if (!on)
			m = 0;
		if (m == old && rise == cap_rise[p] && fall == cap_fall[p])
			continue;
		PCICR = 0;
		cap_rise[p] = rise;
		cap_fall[p] = fall;
		cap_last[p] = (cap_last[p] & old) | (PIN(p) & ~old);
		PCMSK(p) = m;
		cap_skip[p] = 1;
		PCICR = 7;
	}
}

/* The main loop: a debounced line's edge once settled, or any polled
 * line's (PCICR 0 meanwhile: the pin-change interrupts store too). */
void edge_put(uint8_t line, uint8_t rising)
{
	if (ARDUIPI_EDGE_PCINT)
		PCICR = 0;
	events_put(ARDUIPI_EDGE_VALID | line | (rising ? ARDUIPI_EDGE_RISING : 0));
	if (ARDUIPI_EDGE_PCINT)
		PCICR = 7;
}
