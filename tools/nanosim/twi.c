// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the ATmega328P TWI unit in slave mode, and the I2C bus master
 * (the client's side) that drives it, timed in CPU cycles.
 *
 * simavr 1.6's avr_twi slave is unusable, so its TWCR/TWDR/TWSR slots are
 * taken over and the TWI interrupt (vector 24) is raised by hand, with level
 * semantics: it is pending whenever TWINT and TWIE are both set.
 *
 * One byte on the bus, from the first SCL rise r (T = one SCL period):
 *   r + 7.5 T  falling edge of the 8th clock: the receiver decides ACK/NACK
 *              (the slave from TWEA as it stands now)
 *   r + 8.5 T  falling edge of the 9th clock: TWINT is set, SCL held low
 *   + T/2      the master wants SCL high again; it waits (clock stretching)
 *              while TWEN and TWINT are set, then starts the next bit,
 *              repeated START or STOP.
 *
 * The master is one of the Pi's I2C controllers (--master): "ideal" and
 * "rp1" (the Pi 5's DesignWare) wait for a stretch and restart their clock
 * from the release. "bcm2835"/"bcm2711" (Pi 1-4) keep every edge on a
 * fixed grid of half periods H = T/2 from the master's own rise g:
 *   - SDA is sampled at T/4 after the rise, whether SCL went high or not;
 *   - at each grid point after g the master checks SCL: held low, the
 *     cycle is put off by H (rise, sample, fall all move); high, SCL is
 *     pulled low there. The high phase is then the time from the release
 *     to the next grid point, down to a few ns (a runt clock);
 *   - a high phase shorter than RUNT_CYCLES of the AVR's clock is not seen
 *     by the slave: its bits come one clock late (a bit slip);
 *   - a repeated START or STOP made while the slave holds SCL is not seen.
 * The consequences of a slip are followed to the end of the byte and the
 * next condition (see Documentation/simulator.rst, Limitations).
 */
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <math.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_interrupts.h>
#include <simavr/sim_irq.h>
#include "nanosim.h"

#define TWSR		0xb9
#define TWAR		0xba
#define TWDR		0xbb
#define TWCR		0xbc
#define TWAMR		0xbd
#define PRR		0x64
#define PRTWI		0x80
#define TWINT		0x80
#define TWEA		0x40
#define TWSTA		0x20
#define TWSTO		0x10
#define TWWC		0x08
#define TWEN		0x04
#define TWIE		0x01
#define TWI_VECTOR	24

enum { SL_IDLE, SL_SR, SL_ST };
enum { M_IDEAL, M_BCM2835, M_BCM2711, M_RP1 };
/* The AVR's TWI samples SCL with its CPU clock (after a 50 ns spike
 * filter): a high phase shorter than two cycles can pass unseen. */
#define RUNT_CYCLES	2
enum { PH_IDLE, PH_START, PH_RISE, PH_ACK, PH_END, PH_SR_RISE, PH_SR,
       PH_STOP_RISE, PH_STOP, PH_BUSERR };

/* the TWI unit as the firmware sees it */
static struct {
	uint8_t cr, dr, ps, status;
	int mode;
	uint64_t set_at;
	avr_int_vector_t *vec;
} tw;

/* the bus master */
static struct {
	int ph, waiting, client, abort, stalled;
	uint64_t due, wait_from, r, last_stop, started;
	struct xact x;
	int mi, bi, wi;		/* message, byte (-1 = address), wire index */
	uint8_t sview, mview;	/* the byte as the slave / master sees it */
	int sack, mack, twea8;	/* 1 = released (NACK) */
	char res[64];
	/* the master model (bcm2835/bcm2711) */
	int late;		/* this cycle's SDA sample came while SCL was held */
	int runt;		/* the slave missed this byte's first clock */
	int slip;		/* ... and so this byte is a bit behind */
	int cond_missed;	/* the coming RS/STOP is made while SCL is held */
	int nostart;		/* the slave saw no START: the address is data to it */
	int slip_ack;		/* the slave ACKs a slipped byte: SDA held low */
	int slip_cond;		/* a slipped read byte: the next condition falls
				 * in the slave's ACK bit (a bus error to it) */
	uint8_t slip_byte;
	int stretched, corrupt;	/* this transaction's */
} e;

struct master_stats mst_total;
#define MCOUNT(f)	(st.m.f++, mst_total.f++)
#define MLOW(f, v)	do {						\
	if (!st.m.f || (v) < st.m.f)					\
		st.m.f = (v);						\
	if (!mst_total.f || (v) < mst_total.f)				\
		mst_total.f = (v);					\
} while (0)
static int master = M_IDEAL;
static const struct {
	const char *name;
	double timeout_ms;	/* how long it lets a slave stretch */
} masters[] = {
	/* SMBus tTIMEOUT */
	[M_IDEAL] = { "ideal", 25 },
	/* the Raspberry Pi kernel's i2c_bcm2835.clk_tout_ms */
	[M_BCM2835] = { "bcm2835", 35 },
	[M_BCM2711] = { "bcm2711", 35 },
	/* i2c-designware: the adapter's transfer timeout (1 s) */
	[M_RP1] = { "rp1", 1000 },
};

static int bcm(void)
{
	return master == M_BCM2835 || master == M_BCM2711;
}

static struct xact queued;
static int have_queued;
static uint64_t queued_deadline;
static char result[XF_MAXMSG * (2 * XF_MAXLEN + 2) + 16];
static int result_ready = 1;

static uint32_t scl_hz = 100000;
static double per;			/* SCL period in cycles */
static uint64_t t_hd, t_susta, t_susto, t_buf;
static double timeout_ms = 25;

static void eng_phase(uint64_t t);

static uint64_t cyc(double periods)
{
	return (uint64_t)llround(periods * per);
}

static int twi_on(void)
{
	return (tw.cr & TWEN) && !(avr->data[PRR] & PRTWI);
}

static int scl_held(void)
{
	return twi_on() && (tw.cr & TWINT);
}

/* ---- interrupt and hold-time bookkeeping ---------------------------------- */

static void irq_update(void)
{
	/* simavr queues a raised vector only if its enable bit (TWIE, in
	 * data[]) is set at that moment: store TWCR first */
	avr->data[TWCR] = tw.cr;
	if ((tw.cr & TWINT) && (tw.cr & TWIE)) {
		if (!tw.vec->pending)
			avr_raise_interrupt(avr, tw.vec);
	} else if (tw.vec->pending) {
		avr_clear_interrupt(avr, tw.vec);
	}
}

/* Servicing drops "pending"; TWINT still set means it fires again. */
static void vec_notify(struct avr_irq_t *irq, uint32_t v, void *p)
{
	(void)irq;
	(void)p;
	if (!v)
		irq_update();
}

/* Bus time of the event being handled: cycle timers fire at the end of
 * an instruction, up to a few cycles after the event they stand for. */
static uint64_t bus_t;

static void twint_set(uint8_t status)
{
	tw.status = status;
	tw.cr |= TWINT;
	tw.set_at = bus_t && bus_t <= avr->cycle ? bus_t : avr->cycle;
	vcd_twint(1);
	irq_update();
	if (e.ph != PH_IDLE && e.client && e.x.f.stall_ms > 0 && !e.stalled &&
	    (e.x.f.stall_n < 0 || (e.x.f.stall_n == e.wi && e.ph == PH_END))) {
		e.stalled = 1;
		mcu_stall(ms2cyc(e.x.f.stall_ms));
	}
}

/*
 * The firmware holds a TWI event with the interrupt masked (a transmit
 * waiting for its byte, or a full queue): no TWI interrupt can come until
 * it releases that event, and then not within a byte (mcu.c counts no
 * interrupts-off window that begins so).
 */
int twi_held_masked(void)
{
	return (tw.cr & TWINT) && !(tw.cr & TWIE);
}

static void hold_record(void)
{
	uint64_t h = avr->cycle - tw.set_at;
	static const uint64_t lim[HOLD_BUCKETS - 1] = { 32, 64, 128, 256, 1024 };
	int b = 0;

	if (mcu_stalled_since(tw.set_at)) {
		st.hold_stalled++;
		return;
	}
	while (b < HOLD_BUCKETS - 1 && h > lim[b])
		b++;
	st.hold_hist[b]++;
	st.hold_count++;
	if (h > st.hold_max_by[tw.status >> 3])
		st.hold_max_by[tw.status >> 3] = h;
	if (h > st.hold_max || st.hold_count == 1) {
		st.hold_max = h;
		st.hold_max_status = tw.status;
		st.hold_max_cycle = tw.set_at;
	}
}

static void eng_kick(void);

/* ---- registers ------------------------------------------------------------ */

static uint8_t twcr_read(avr_t *a, avr_io_addr_t addr, void *p)
{
	(void)a;
	(void)addr;
	(void)p;
	return tw.cr;
}

static void twcr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	uint8_t old = tw.cr;
	uint8_t cr = (v & (TWEA | TWSTA | TWSTO | TWEN | TWIE)) | (old & (TWINT | TWWC));
	int kick = 0;

	(void)a;
	(void)addr;
	(void)p;
	if ((v & TWINT) && (old & TWINT)) {
		hold_record();
		cr &= ~TWINT;
		vcd_twint(0);
		kick = 1;
	}
	if (cr & TWSTO) {	/* slave mode: recover, release the lines */
		tw.mode = SL_IDLE;
		cr &= ~TWSTO;
		kick = 1;
	}
	if (!(cr & TWEN)) {	/* TWI off: transmissions terminated */
		tw.mode = SL_IDLE;
		e.slip_ack = e.slip_cond = 0;
		kick = 1;
	}
	tw.cr = cr;
	irq_update();
	if (kick)
		eng_kick();
}

static uint8_t twdr_read(avr_t *a, avr_io_addr_t addr, void *p)
{
	(void)a;
	(void)addr;
	(void)p;
	return tw.dr;
}

static void twdr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	(void)p;
	if (tw.cr & TWINT) {
		tw.dr = v;
		tw.cr &= ~TWWC;
	} else {
		tw.cr |= TWWC;	/* write collision: TWDR unchanged */
	}
	a->data[addr] = tw.dr;
	a->data[TWCR] = tw.cr;
}

static uint8_t twsr_value(void)
{
	return ((tw.cr & TWINT) ? tw.status : 0xf8) | tw.ps;
}

static uint8_t twsr_read(avr_t *a, avr_io_addr_t addr, void *p)
{
	(void)a;
	(void)addr;
	(void)p;
	return twsr_value();
}

static void twsr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	(void)p;
	tw.ps = v & 3;
	a->data[addr] = twsr_value();
}

int twi_peek(uint16_t addr, uint8_t *v)
{
	switch (addr) {
	case TWCR: *v = tw.cr; return 1;
	case TWDR: *v = tw.dr; return 1;
	case TWSR: *v = twsr_value(); return 1;
	}
	return 0;
}

static int addr_match(uint8_t a7)
{
	uint8_t mine = avr->data[TWAR] >> 1, mask = avr->data[TWAMR] >> 1;

	return a7 != 0 && ((a7 ^ mine) & ~mask & 0x7f) == 0;	/* no general call */
}

/* ---- the bus master -------------------------------------------------------- */

static avr_cycle_count_t eng_tick(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)a;
	(void)p;
	eng_phase(when);
	return 0;
}

static void eng_at(uint64_t t, int ph)
{
	e.ph = ph;
	e.due = t;
	at(t, eng_tick, NULL);
}

static void eng_kick(void)
{
	if (e.ph != PH_IDLE && e.waiting)
		at(avr->cycle, eng_tick, NULL);
}

static void deliver(const char *s)
{
	snprintf(result, sizeof(result), "%s", s);
	result_ready = 1;
	e.client = 0;
}

static void deliver_ok(void)
{
	char *p = result + sprintf(result, "ok");

	for (int i = 0; i < e.x.nmsg; i++) {
		const struct msg *m = &e.x.m[i];

		if (!m->rd)
			continue;
		*p++ = ' ';
		if (m->quick)
			*p++ = '-';
		for (int j = 0; !m->quick && j < m->len; j++)
			p += sprintf(p, "%02x", m->buf[j]);
	}
	*p = 0;
	result_ready = 1;
	e.client = 0;
}

static avr_cycle_count_t tmo_tick(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)a;
	(void)when;
	(void)p;
	if (!e.waiting)
		return 0;
	if (e.client) {
		st.timeouts++;
		deliver("timeout");
	}
	e.abort = 1;	/* STOP as soon as SCL is released */
	return 0;
}

static avr_cycle_count_t queued_tmo(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)a;
	(void)when;
	(void)p;
	if (have_queued) {
		have_queued = 0;
		st.timeouts++;
		deliver("timeout");
	}
	return 0;
}

static void begin(void)
{
	uint64_t t = e.last_stop + t_buf;

	e.client = 1;
	e.abort = e.stalled = e.waiting = 0;
	e.mi = e.wi = 0;
	e.bi = -1;
	e.res[0] = 0;
	e.late = e.runt = e.slip = e.cond_missed = e.nostart = 0;
	e.stretched = e.corrupt = 0;
	eng_at(t > avr->cycle ? t : avr->cycle, PH_START);
}

uint64_t twi_last_end;

static void finish(void)
{
	st.busy += e.last_stop - e.started;
	e.ph = PH_IDLE;
	MCOUNT(xfers);
	if (e.stretched)
		MCOUNT(stretched);
	if (e.corrupt)
		MCOUNT(corrupt);
	twi_last_end = avr->cycle;
	if (e.client) {
		if (e.res[0])
			deliver(e.res);
		else
			deliver_ok();
	}
	if (have_queued) {
		have_queued = 0;
		avr_cycle_timer_cancel(avr, queued_tmo, NULL);
		e.x = queued;
		begin();
	}
}

void xfer_submit(const struct xact *x)
{
	result_ready = 0;
	st.xfers++;
	if (e.ph == PH_IDLE) {
		e.x = *x;
		begin();
	} else {		/* bus still owned by an abandoned transfer */
		queued = *x;
		have_queued = 1;
		queued_deadline = avr->cycle + ms2cyc(timeout_ms);
		at(queued_deadline, queued_tmo, NULL);
	}
}

int xfer_done(void)
{
	return result_ready;
}

const char *xfer_result(void)
{
	return result_ready ? result : NULL;
}

/* Would the slave act on a START or STOP now? (not when idle) */
static int slave_listens(void)
{
	return twi_on() && (tw.mode != SL_IDLE || e.slip_cond);
}

/* START, repeated START or STOP as the slave sees it */
static void slave_condition(void)
{
	e.nostart = 0;
	if (e.slip_cond) {	/* inside the ACK bit of a slipped byte */
		e.slip_cond = 0;
		if (twi_on()) {
			tw.mode = SL_IDLE;
			twint_set(0x00);
		}
		return;
	}
	if (twi_on() && tw.mode != SL_IDLE) {
		tw.mode = SL_IDLE;
		twint_set(0xa0);
	}
}

static int master_writes(void)
{
	return e.bi < 0 || !e.x.m[e.mi].rd;
}

/*
 * A slave transmitter whose master stopped clocking (fault vanish) keeps
 * driving the bit it had put on SDA: a 0 there holds the bus, no START
 * can be made, until the slave's TWI lets go (TWEN cleared).
 */
static int sda_held(void)
{
	return twi_on() && tw.mode == SL_ST && !(tw.dr & 0x80);
}

static void byte_rise(uint64_t t)
{
	const struct msg *m = &e.x.m[e.mi];
	uint8_t md, sd, wire;
	int i;

	if (e.wi == e.x.f.vanish_n) {	/* the master is gone: no STOP */
		snprintf(e.res, sizeof(e.res), "vanished");
		e.last_stop = t;
		finish();
		return;
	}
	if (e.wi == e.x.f.buserr_n) {
		eng_at(t + cyc(4), PH_BUSERR);
		return;
	}
	md = e.bi < 0 ? (e.x.addr << 1) | m->rd : m->rd ? 0xff : m->buf[e.bi];
	sd = (twi_on() && tw.mode == SL_ST) ? tw.dr : 0xff;
	wire = md & sd;		/* open drain: wired AND */
	e.sview = e.mview = wire;
	if (e.wi == e.x.f.slip_n)	/* fault slip: as if a runt clock */
		e.runt = 1;
	e.slip = e.runt;
	if (e.late && !master_writes()) {	/* SDA as the hold left it */
		MCOUNT(early);
		if (!(sd & 0x80))
			e.corrupt = 1;
	}
	if (e.slip) {
		MCOUNT(runts);
		e.corrupt = 1;
		/* the slave transmitter shifts a clock late: bit 7 twice */
		if (!master_writes())
			e.mview = (e.late ? 0x80 : wire & 0x80) | sd >> 1;
	} else if (e.late && !master_writes()) {
		e.mview |= 0x80;
	}
	e.late = e.runt = 0;
	for (i = 0; i < e.x.f.nflip; i++) {
		if (e.wi != e.x.f.flip_n[i])
			continue;
		if (master_writes())
			e.sview ^= e.x.f.flip_mask[i];
		else
			e.mview ^= e.x.f.flip_mask[i];	/* a flip twice: none */
	}
	e.r = t;
	eng_at(t + cyc(7.5), PH_ACK);
}

static void byte_ack(void)
{
	const struct msg *m = &e.x.m[e.mi];

	e.twea8 = !!(tw.cr & TWEA);
	e.sack = 1;
	if (e.slip && master_writes()) {
		/*
		 * The slave has 7 bits and takes the master's ACK slot (SDA
		 * released) for its 8th: the master sees a NACK. A receiver
		 * then ACKs in what is its 9th clock, across the master's
		 * STOP. A slipped address byte is no one's here.
		 */
		if (twi_on() && tw.mode == SL_SR && (e.bi >= 0 || e.nostart)) {
			e.slip_byte = (uint8_t)(e.sview << 1 | 1);
			if (tw.cr & TWEA)
				e.slip_ack = 1;
			else
				e.slip_cond = 1;
		}
		e.mack = 1;
		eng_at(e.r + cyc(8.5), PH_END);
		return;
	}
	if (twi_on()) {
		if (e.bi < 0 && !e.nostart) {
			if ((tw.cr & TWEA) && addr_match(e.sview >> 1))
				e.sack = 0;
		} else if (tw.mode == SL_SR) {
			tw.dr = e.sview;
			avr->data[TWDR] = tw.dr;
			e.sack = !(tw.cr & TWEA);
		}
	}
	e.mack = 1;
	if (e.bi >= 0 && m->rd)
		e.mack = e.bi == m->len - 1;	/* NACK the last byte */
	eng_at(e.r + cyc(8.5), PH_END);
}

static void byte_end(uint64_t t)
{
	struct msg *m = &e.x.m[e.mi];
	int ackw = e.sack & e.mack;

	if (twi_on() && !(e.slip && master_writes())) {
		if (e.bi < 0 && !e.nostart) {
			if (!e.sack) {
				tw.mode = (e.sview & 1) ? SL_ST : SL_SR;
				twint_set(tw.mode == SL_ST ? 0xa8 : 0x60);
			}
		} else if (tw.mode == SL_SR) {
			if (e.sack)
				tw.mode = SL_IDLE;
			twint_set(e.sack ? 0x88 : 0x80);
		} else if (tw.mode == SL_ST && e.slip) {
			/* its ACK slot is the master's next clock: a released
			 * SDA (NACK) in a read, else a condition */
			if (e.mack) {
				e.slip_cond = 1;
			} else {
				tw.mode = SL_IDLE;
				twint_set(0xc0);
			}
		} else if (tw.mode == SL_ST) {
			if (ackw || !e.twea8)
				tw.mode = SL_IDLE;
			twint_set(ackw ? 0xc0 : !e.twea8 ? 0xc8 : 0xb8);
		}
	}
	st.bytes++;
	if (master_writes()) {
		if (ackw || e.wi == e.x.f.nack_n) {
			if (e.bi < 0)
				snprintf(e.res, sizeof(e.res), "nack addr %d", e.mi);
			else
				snprintf(e.res, sizeof(e.res), "nack data %d %d", e.mi, e.bi);
			st.nacks++;
			e.wi++;
			eng_at(t + cyc(0.5), PH_STOP_RISE);
			return;
		}
	} else {
		m->buf[e.bi] = e.mview;
	}
	e.wi++;
	if (++e.bi < m->len) {
		eng_at(t + cyc(0.5), PH_RISE);
		return;
	}
	e.bi = -1;
	eng_at(t + cyc(0.5), ++e.mi < e.x.nmsg ? PH_SR_RISE : PH_STOP_RISE);
}

/*
 * bcm2835/bcm2711: the slave released SCL at t, after the master's rise
 * g. The master's checks come every H after g; the first after t ends the
 * high phase. Notes what the slave and the master saw; returns the rise
 * of the cycle that ends there (the byte's time base).
 */
static uint64_t bcm_release(uint64_t g, uint64_t t, int stop)
{
	double h = per / 2;
	uint64_t k = (uint64_t)((double)(t - g) / h) + 1;
	uint64_t c = g + (uint64_t)llround((double)k * h);

	if (c <= t)
		c = g + (uint64_t)llround((double)++k * h);
	if (e.ph == PH_RISE)	/* a clock pulse (a condition's is not) */
		MLOW(high_min, c - t);
	/* a STOP's SDA rise is at g + H/2, without checks */
	if (stop)
		e.late = t > g + (uint64_t)llround(h / 2);
	else
		e.late = t > c - (uint64_t)llround(h / 2);
	e.runt = c - t < RUNT_CYCLES;
	return c - (uint64_t)llround(h);
}

static void eng_phase(uint64_t t)
{
	uint64_t r;

	bus_t = t;
	switch (e.ph) {
	case PH_START:
		if (sda_held()) {	/* no START on a held SDA */
			if (e.abort) {	/* the timeout answered */
				e.started = e.last_stop = t;
				finish();
			} else {
				if (!e.waiting) {
					e.waiting = 1;
					e.wait_from = t;
					at(t + ms2cyc(timeout_ms), tmo_tick, NULL);
				}
				eng_at(t + cyc(1), PH_START);
			}
			return;
		}
		if (e.waiting) {
			e.waiting = 0;
			avr_cycle_timer_cancel(avr, tmo_tick, NULL);
		}
		e.started = t;
		if (e.slip_ack) {
			/*
			 * SDA is low already (the slave's ACK of a slipped
			 * byte): no START. SCL falling ends the slave's ACK
			 * bit; it takes the address for data.
			 */
			e.slip_ack = 0;
			e.nostart = e.corrupt = 1;
			MCOUNT(missed);
			if (twi_on() && tw.mode == SL_SR) {
				tw.dr = e.slip_byte;
				avr->data[TWDR] = tw.dr;
				twint_set(0x80);
			}
		} else {
			slave_condition();
		}
		eng_at(t + t_hd + cyc(0.5), PH_RISE);
		break;
	case PH_RISE:
	case PH_SR_RISE:
	case PH_STOP_RISE:
		if (scl_held()) {	/* clock stretching */
			if (!e.waiting) {
				e.waiting = 1;
				e.wait_from = t;
				at(t + ms2cyc(timeout_ms), tmo_tick, NULL);
			}
			return;
		}
		r = t;
		if (e.waiting) {
			uint64_t s = t - e.wait_from;

			e.waiting = 0;
			e.stretched = 1;
			st.stretch_count++;
			if (s > st.stretch_max)
				st.stretch_max = s;
			avr_cycle_timer_cancel(avr, tmo_tick, NULL);
			if (bcm() && !e.abort)
				r = bcm_release(e.wait_from, t, e.ph == PH_STOP_RISE);
		}
		if (e.abort || e.ph == PH_STOP_RISE) {
			e.cond_missed = e.late && slave_listens();
			eng_at(t + t_susto, PH_STOP);
		} else if (e.ph == PH_SR_RISE) {
			e.cond_missed = e.late && slave_listens();
			eng_at(t + t_susta, PH_SR);
		} else {
			byte_rise(r);
		}
		e.late = e.runt = 0;
		break;
	case PH_ACK:
		byte_ack();
		break;
	case PH_END:
		byte_end(t);
		break;
	case PH_SR:
		if (e.cond_missed) {	/* SDA fell while SCL was low */
			MCOUNT(missed);
			e.cond_missed = 0;
			e.nostart = e.corrupt = 1;
		} else if (!e.slip_ack) {
			slave_condition();
		}
		eng_at(t + t_hd + cyc(0.5), PH_RISE);
		break;
	case PH_STOP:
		if (e.cond_missed) {	/* SDA rose while SCL was low */
			MCOUNT(missed);
			e.cond_missed = 0;
			e.corrupt = 1;
		} else if (e.slip_ack) {	/* SDA cannot rise */
			MCOUNT(missed);
		} else {
			slave_condition();
		}
		e.last_stop = t;
		finish();
		break;
	case PH_BUSERR:		/* misplaced START/STOP: the bus is released */
		if (twi_on()) {
			tw.mode = SL_IDLE;
			twint_set(0x00);
		}
		st.buserrs++;
		snprintf(e.res, sizeof(e.res), "buserr");
		e.last_stop = t;
		finish();
		break;
	}
}

/* ---- configuration, reset, setup ------------------------------------------- */

static void timing(void)
{
	/* tHD;STA, tSU;STA, tSU;STO, tBUF in ns: Sm, Fm, Fm+ minimums */
	static const double tt[3][4] = {
		{ 4000, 4700, 4000, 4700 },
		{ 600, 600, 600, 1300 },
		{ 260, 260, 260, 500 },
	};
	const double *t = tt[scl_hz <= 100000 ? 0 : scl_hz <= 400000 ? 1 : 2];
	double cns = avr->frequency / 1e9;

	per = (double)avr->frequency / scl_hz;
	t_hd = llround(t[0] * cns);
	t_susta = llround(t[1] * cns);
	t_susto = llround(t[2] * cns);
	t_buf = llround(t[3] * cns);
}

int twi_set_clock(uint32_t hz)
{
	if (hz < 1000 || hz > 1000000 || hz > avr->frequency / 16)
		return -1;
	scl_hz = hz;
	timing();
	return 0;
}

uint32_t twi_clock(void)
{
	return scl_hz;
}

int twi_set_master(const char *name)
{
	for (int i = 0; i < (int)(sizeof(masters) / sizeof(masters[0])); i++) {
		if (!strcmp(name, masters[i].name)) {
			master = i;
			timeout_ms = masters[i].timeout_ms;
			return 0;
		}
	}
	return -1;
}

const char *twi_master(void)
{
	return masters[master].name;
}

void twi_set_timeout(double ms)
{
	timeout_ms = ms;
}

double twi_timeout(void)
{
	return timeout_ms;
}

void twi_reset(void)
{
	tw.cr = 0;
	tw.dr = 0xff;
	tw.ps = 0;
	tw.status = 0xf8;
	tw.mode = SL_IDLE;
	avr->data[TWCR] = 0;
	avr->data[TWDR] = 0xff;
	avr->data[TWSR] = 0xf8;
	avr->data[TWAR] = 0xfe;
	avr->data[TWAMR] = 0;
	/* a reset lets go of SDA: no slipped byte's ACK or bit left */
	e.slip_ack = e.slip_cond = e.nostart = e.cond_missed = 0;
	vcd_twint(0);
	/* avr_reset() dropped every cycle timer: re-arm ours */
	if (e.ph != PH_IDLE) {
		if (e.waiting) {
			at(e.wait_from + ms2cyc(timeout_ms), tmo_tick, NULL);
			eng_kick();
		} else {
			at(e.due, eng_tick, NULL);
		}
	}
	if (have_queued)
		at(queued_deadline, queued_tmo, NULL);
}

void twi_setup(void)
{
	tw.vec = mcu_vector(TWI_VECTOR);
	avr_irq_register_notify(tw.vec->irq + AVR_INT_IRQ_PENDING, vec_notify, NULL);
	io_set_read(TWCR, twcr_read, NULL);
	io_set_write(TWCR, twcr_write, NULL);
	io_set_read(TWDR, twdr_read, NULL);
	io_set_write(TWDR, twdr_write, NULL);
	io_set_read(TWSR, twsr_read, NULL);
	io_set_write(TWSR, twsr_write, NULL);
	timing();
	twi_reset();
}
