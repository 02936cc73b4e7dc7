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


/* Shared with twi.S; written there with interrupts off. The flags are
 * in GPIOR0 (twi.h). */
uint8_t twi_ev[2 * (TWI_QMASK + 1)];	/* (status, byte) pairs */
volatile uint8_t twi_ev_w, twi_ev_r;
volatile uint8_t twi_tx_wait;		/* status of a held transmit event */

void twi_init(uint8_t addr)
{
	/* the fast path's release value, in r4 for good (twi.S) */
	__asm__ __volatile__("mov r4, %0" : : "r"((uint8_t)TWCR_RELEASE));
	GPIOR0 = _BV(TWI_TXR);		/* proto_tx reflects every event */
	TWAR = addr << 1;
	TWSR = 0;
	TWCR = TWCR_IDLE;
}

/* proto_tx is current (and proto_tx2 after it, for a status reply).
 * Interrupts off, no event queued or held. */
static inline __attribute__((always_inline)) void tx_ready(uint8_t bits)
{
	GPIOR0 |= bits;		/* in, or, out: 3 cycles */
}

/* The bits tx_ready() sets, worked out before interrupts go off. */
static inline __attribute__((always_inline)) uint8_t tx_bits(void)
{
	return proto_staged ? _BV(TWI_TXR) | _BV(TWI_TXR2) : _BV(TWI_TXR);
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
			 * event in the queue (or TWI_PEND, a held one) means
			 * the frame is over */
			uint8_t r = twi_ev_r;

			cli();
			if (r == twi_ev_w && !twi_flag(TWI_PEND))
				TWCR = _BV(TWEN) | _BV(TWIE);
			sei_now();
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
	case 0x00:		/* bus error: twi.S recovered the unit */
		proto_bus_error();
		break;
	default:
		break;
	}
}

/*
 * The bus as the fast path last saw it: 0 while no transaction addresses
 * the Nano, else a number that changes with every bus event (the queue's
 * write index + 1). Costs the fast path and the worker nothing, and
 * turns no interrupt off.
 */
uint8_t twi_bus_mark(void)
{
	uint8_t w = twi_ev_w;	/* the entry before it is complete and stays */
	uint8_t status = twi_ev[2 * ((w - 1) & TWI_QMASK)];

	return status == 0x60 || status == 0x80 || status == 0xa8 ||
	       status == 0xb8 ? w + 1 : 0;
}

/*
 * The main loop's slave-side timeout (SMBus): addressed and no event for
 * ARDUIPI_TWI_TIMEOUT_MS, the master is gone mid-transaction; a slave
 * transmitter would hold SDA low for good on a 0 bit. The unit off and on
 * again lets go of both lines; the protocol engine takes it as the bus
 * error it is (as if twi.S had recovered the unit). Nothing, if the bus
 * moved since the main loop saw mark (a master back at the deadline): a
 * look at the queue's write index the mark was made at, 6 cycles with
 * interrupts off (16 events in between would bring it back where it was,
 * as they would for twi_poll()'s own look: a master that busy is no
 * master gone, and 35 ms without an event came first). Out of line: the
 * window that turns the unit off and on is the long one that
 * irq-windows.py knows by this name (no TWI event can meet it: none came
 * for 35 ms, and the unit is off during it).
 */
void __attribute__((noinline)) twi_timeout(uint8_t mark)
{
	uint8_t w = mark - 1;	/* twi_bus_mark(): the write index + 1 */

	__asm__ __volatile__("" : "+r"(w));
	cli();
	if (twi_ev_w != w) {	/* an event since: the mark moved */
		sei_now();
		return;
	}
	TWCR = _BV(TWINT);	/* off, and no event left pending */
	twi_tx_wait = 0;
	if (((w + 1) & TWI_QMASK) != twi_ev_r) {
		twi_ev[2 * w] = 0x00;
		twi_ev_w = w = (w + 1) & TWI_QMASK;
		twi_flag_clr(TWI_TXR2);
		twi_flag_clr(TWI_TXR);
	}
	/* on again; masked while the queue is full (the worker unmasks) */
	TWCR = ((w + 1) & TWI_QMASK) != twi_ev_r ? TWCR_IDLE : TWCR_HOLD;
	/* the main loop runs the worker next pass, as after it yielded
	 * (a worker that yielded is resumed the same way) */
	twi_flag_set(TWI_BUSY);
	twi_flag_set(TWI_RESUME);
	sei();
}

/*
 * Send proto_tx for the transmit event that the fast path held, release
 * SCL, and return that event's status. Interrupts off.
 */
static uint8_t tx_release(void)
{
	uint8_t status = twi_tx_wait;

	twi_tx_wait = 0;
	TWDR = proto_tx;
	TWCR = TWCR_RELEASE;
	if (proto_staged) {		/* as twi.S does: the next is known */
		proto_tx = proto_tx2;
		twi_flag_set(TWI_TXR);
	}
	return status;
}

/* A held transmit goes out and joins the queue; interrupts off. */
static void __attribute__((noinline)) tx_release_queued(void)
{
	twi_ev[2 * twi_ev_w] = tx_release();
	twi_ev_w = (twi_ev_w + 1) & TWI_QMASK;
}

/*
 * The protocol engine has prepared proto_tx before finishing the event:
 * if no later event is queued, the byte is current, so a held transmit
 * can go out now (its event joins the queue) or the next one may.
 */

void proto_tx_early(void)
{
	uint8_t bits = tx_bits(), r = twi_ev_r;	/* read before */

	/*
	 * A transmit held now goes out and joins the queue, if nothing is
	 * queued after the event being worked on. Else proto_tx is current
	 * unless an event came since the worker's last look (TWI_PEND: one
	 * queued, or a transmit held since the test above). Interrupts are
	 * off for 11 cycles (a one-cycle instruction after the sei, for a
	 * waiting interrupt, rather than the return's four); a held one's
	 * release takes longer, but no TWI event can come while it holds
	 * SCL, nor within a byte of its release.
	 */
	if (twi_tx_wait) {
		/* held before the worker's last look (its TWI_PEND is gone):
		 * set by the fast path, cleared only by the worker */
		cli();
		if (r == twi_ev_w)
			tx_release_queued();
		sei();
		return;
	}
	cli();
	if (r == twi_ev_w && !twi_flag(TWI_PEND))
		tx_ready(bits);	/* else held since (or queued): later */
	sei_now();
}

/*
 * Called by twi.S with interrupts on, TWI_BUSY set; returns with them on
 * once the queue was found empty (twi.S checks TWI_PEND again with them
 * off and lets go of TWI_BUSY), or after a yield (TWI_RESUME set). The
 * entry at twi_ev_r is complete once twi_ev_w has moved past it, so
 * taking it needs no lock; unmasking a full queue and deciding that it is
 * empty do.
 */
void twi_worker(void)
{
	uint8_t status, data, r = twi_ev_r, n = 0, staged;

	for (;;) {
		twi_flag_clr(TWI_PEND);		/* looking now */
		if (r != twi_ev_w) {
			if (++n > TWI_QMASK) {
				/* A queue's worth done and more waiting: the
				 * bus is faster than the worker. Let the main
				 * loop run a pass (it resumes the worker;
				 * TWI_BUSY stays set, and the full queue holds
				 * SCL meanwhile). */
				twi_flag_set(TWI_RESUME);
				return;
			}
			status = twi_ev[2 * r];
			data = twi_ev[2 * r + 1];
			r = (r + 1) & TWI_QMASK;
			twi_ev_r = r;	/* one byte: the fast path sees it whole */
			/* a slot is free again: take events again if the
			 * fast path masked them (a full queue), unless a
			 * transmit is held (its release unmasks); only then
			 * with interrupts off */
			/* (masked, nothing can come to change that or to hold
			 * a transmit before the unmask) */
			if (!(TWCR & _BV(TWIE)) && !twi_tx_wait) {
				uint8_t t;

				cli();
				t = TWCR;
				TWCR = (t & ~_BV(TWINT)) | _BV(TWIE);
				sei();
			}
			twi_event(status, data);
			continue;
		}
		if (twi_tx_wait) {
			/* the held byte is ready now: send it, release SCL
			 * (set by the fast path, cleared only here) */
			cli();
			status = tx_release();
			sei();
			twi_event(status, 0);
			continue;
		}
		/* nothing since the look above (TWI_PEND: an event queued or
		 * a transmit held): proto_tx is current; 6 cycles with
		 * interrupts off */
		staged = tx_bits();
		cli();
		if (!twi_flag(TWI_PEND)) {
			tx_ready(staged);
			sei();
			return;
		}
		sei();
	}
}

/*
 * The ADC interrupt's work ends (adc.S set TWI_ADC, which kept the fast
 * path from becoming the worker meanwhile): work on what it queued, as
 * the worker's own ending would, unless a worker runs or a pin-change
 * interrupt's work does (it interrupted, and gives the worker back at its
 * end: pci.S). Interrupts on.
 */
void twi_give_back(void)
{
	cli();
	twi_flag_clr(TWI_ADC);
	if ((GPIOR0 & (_BV(TWI_BUSY) | _BV(TWI_PCI))) || !twi_flag(TWI_PEND)) {
		sei_now();
		return;
	}
	twi_flag_set(TWI_BUSY);
	sei_now();
	twi_resume_worker();
}

/*
 * The main loop, the bus quiet (nothing addressing the Nano, nothing
 * queued; this includes the moment between a write's repeated START and
 * the read's address byte, when a fresher reply is as right): a bare
 * read's first byte prepared again as of now
 * (proto_refresh()), the worker held off meanwhile. A read that comes
 * during that takes the byte in force, as the fast path found it (no
 * stretch), and the new one is dropped. Interrupts are off only to claim
 * the worker and to put the new byte in place, a few cycles each; the
 * rest of the cursor follows with them on, since only the worker uses it.
 * Out of line: inlined into main(), its first window held a register
 * spilled to the stack (15 cycles).
 */
void __attribute__((noinline)) twi_refresh(void)
{
	uint8_t w = twi_ev_w, b, took;

	if (twi_bus_mark())
		return;
	cli();
	if ((GPIOR0 & (_BV(TWI_BUSY) | _BV(TWI_PEND))) || twi_ev_w != w) {
		sei();		/* a worker, or an event since the look */
		return;
	}
	twi_flag_set(TWI_BUSY);
	sei_now();
	if (proto_refresh(&b)) {
		cli();
		took = twi_flag(TWI_TXR);	/* no event since: unsent */
		if (took)
			proto_tx = b;
		sei();
		if (took)
			proto_refresh_take();
	}
	twi_resume_worker();	/* works on what came meanwhile, lets go */
}

/*
 * Run the worker as twi.S does, TWI_BUSY held by the caller: the main
 * loop after a yield or a refresh, the ADC interrupt after its work.
 */
void twi_resume_worker(void)
{
	for (;;) {
		twi_flag_clr(TWI_RESUME);
		twi_worker();
		if (twi_flag(TWI_RESUME))
			return;		/* it yielded again: next pass */
		cli();
		if (!twi_flag(TWI_PEND)) {
			twi_flag_clr(TWI_BUSY);
			sei();
			return;
		}
		sei();
	}
}
