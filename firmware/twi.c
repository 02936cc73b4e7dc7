// SPDX-License-Identifier: MIT
/*
 * TWI slave: the worker half of the interrupt (see twi.S). Runs with
 * interrupts enabled, one instance at a time, and feeds the queued events
 * to the protocol engine in order.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include "proto.h"
#include "twi.h"

#define TWCR_IDLE	(_BV(TWEA) | _BV(TWEN) | _BV(TWIE))
#define TWCR_RELEASE	(_BV(TWINT) | TWCR_IDLE)
#define QMASK		15

/* Shared with twi.S; written there with interrupts off. */
uint8_t twi_ev[2 * (QMASK + 1)];	/* (status, byte) pairs */
volatile uint8_t twi_ev_w, twi_ev_r, twi_ev_lost;
volatile uint8_t twi_tx_ready = 1;	/* proto_tx reflects every event */
volatile uint8_t twi_tx_wait;		/* status of a held transmit event */
volatile uint8_t twi_busy;		/* the worker is running */

void twi_init(uint8_t addr)
{
	TWAR = addr << 1;
	TWSR = 0;
	TWCR = TWCR_IDLE;
}

static void twi_event(uint8_t status, uint8_t data)
{
	switch (status) {	/* TWPS is 0: no prescaler bits */
	case 0x60:		/* own SLA+W */
		proto_write_start();
		break;
	case 0x80:		/* data received, ACK returned */
		if (!proto_write_byte(data)) {
			/* NACK the next byte, if it is still to come: a later
			 * event in the queue means the frame is over */
			cli();
			if (twi_ev_r == twi_ev_w && !twi_tx_wait)
				TWCR = _BV(TWEN) | _BV(TWIE);
			sei();
		}
		break;
	case 0x88:		/* data received, NACK returned */
		proto_write_nacked();
		break;
	case 0xa0:		/* STOP or repeated START */
		proto_end();
		break;
	case 0xa8:		/* own SLA+R, first byte on its way */
		proto_read_start();
		break;
	case 0xb8:		/* byte sent, ACK: more wanted */
		proto_read_next();
		break;
	case 0xc0:		/* byte sent, NACK: read over */
	case 0xc8:
		proto_read_done();
		break;
	case 0x00:		/* bus error: reset the unit, keep answering */
		cli();
		twi_tx_wait = 0;
		TWCR = 0;
		TWCR = TWCR_IDLE;
		sei();
		proto_bus_error();
		break;
	default:
		break;
	}
}

/*
 * The protocol engine has prepared proto_tx before finishing the event:
 * if no later event is queued, the byte is current, so a held transmit
 * can go out now (its event joins the queue) or the next one may.
 */
void proto_tx_early(void)
{
	cli();
	if (twi_ev_r == twi_ev_w) {
		if (twi_tx_wait) {
			TWDR = proto_tx;
			TWCR = TWCR_RELEASE;
			twi_ev[2 * twi_ev_w] = twi_tx_wait;
			twi_ev_w = (twi_ev_w + 1) & QMASK;
			twi_tx_wait = 0;
		} else {
			twi_tx_ready = 1;
		}
	}
	sei();
}

/*
 * Called by twi.S with interrupts on; returns with them off. The entry at
 * twi_ev_r is complete once twi_ev_w has moved past it, so taking it needs
 * no lock; only deciding that the queue is empty does.
 */
void twi_worker(void)
{
	uint8_t status, data, r = twi_ev_r;

	for (;;) {
		if (r != twi_ev_w) {
			status = twi_ev[2 * r];
			data = twi_ev[2 * r + 1];
			r = (r + 1) & QMASK;
			twi_ev_r = r;
			twi_event(status, data);
			continue;
		}
		cli();
		if (twi_ev_lost) {	/* more than QMASK events behind:
					 * drop the frame as a bus error */
			twi_ev_lost = 0;
			twi_ev_r = r = twi_ev_w;
			sei();
			twi_event(0x00, 0);
		} else if (r != twi_ev_w) {
			sei();		/* one more came in meanwhile */
		} else if (twi_tx_wait) {
			/* the held byte is ready now: send it, release SCL */
			status = twi_tx_wait;
			twi_tx_wait = 0;
			TWDR = proto_tx;
			TWCR = TWCR_RELEASE;
			sei();
			twi_event(status, 0);
		} else {
			twi_tx_ready = 1;
			twi_busy = 0;
			return;
		}
	}
}
