// SPDX-License-Identifier: MIT
/*
 * The ADC, from the main loop: the inputs, temperature and AVcc round
 * robin into the registers, or the stream (the ADC interrupt) into the
 * FIFO. AVcc measured decides whether the EEPROM may be written.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include <util/delay_basic.h>
#include "config.h"
#include "proto.h"
#include "stream.h"
#include "clock.h"
#include "adc.h"
#include "twi.h"
#include "lock.h"

/*
 * ADC: A0..A7 plus the channel that shares the selected reference
 * (bandgap against AVcc -> AVcc in mV, or the temperature sensor against
 * 1.1 V), round robin; that extra channel is converted twice and the
 * first result dropped, as the datasheet asks after switching to it.
 * Every ARDUIPI_SLOW_ADC_MS the channel needing the other reference is
 * measured; results are kept only once the reference has been stable for
 * ARDUIPI_REF_SETTLE_MS, and A0..A7 only if taken with the reference the
 * host selects now.
 */
#define MUX_TEMP	8
#define MUX_BANDGAP	14
#define REFS_AVCC	_BV(REFS0)
#define REFS_1V1	(_BV(REFS1) | _BV(REFS0))
#define SCAN_LEN	(ARDUIPI_NADC + 2)

static uint8_t adc_admux = 0xff;	/* conversion in flight */
static uint8_t adc_scan;		/* next scan position */
static uint8_t adc_stable;		/* reference settled at start */
static uint8_t adc_keep;		/* not the first of a pair */
static uint32_t adc_ref_us, adc_slow_us, avcc_us;
static uint8_t st_on;		/* the stream owns the ADC */

/* A new verdict on EEPROM writes; checks made before no longer hold
 * (proto_gen moves after the verdict: a check in between sees the new one
 * and is made again all the same). */
static void ee_refuse(uint8_t why)
{
	if (why != proto_ee_refuse) {
		proto_ee_refuse = why;
		proto_gen++;
	}
}

static void adc_store(uint8_t admux, uint16_t v, uint8_t user)
{
	uint8_t mux = admux & 0x0f;

	if ((admux & REFS_1V1) != user)
		stamp(&adc_slow_us);	/* the slow channel is done */
	else if (mux < ARDUIPI_NADC)
		reg16_set(ARDUIPI_REG_ADC_RESULT + 2 * mux, v);
	if (mux == MUX_TEMP) {
		reg16_set(ARDUIPI_REG_ADC_TEMP, v);
	} else if (mux == MUX_BANDGAP && v) {
		/* 1100 mV * 1024 / v, in 16-bit divisions: 1126400 = 32 *
		 * 35200, and 32 * (35200 % v) < 32 * 1024 */
		uint16_t q = 35200U / v, mv = 32 * q + 32 * (35200U - q * v) / v;

		reg16_set(ARDUIPI_REG_ADC_BANDGAP, v);
		reg16_set(ARDUIPI_REG_ADC_AVCC_MV, mv);
		/* no EEPROM write below the clock's supply range (config.h) */
		stamp(&avcc_us);
		ee_refuse(mv < ARDUIPI_EE_MIN_MV ? ARDUIPI_ERR_LOW_SUPPLY : 0);
	}
}

void adc_poll(void)
{
	uint8_t user = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
	uint8_t other = user == REFS_AVCC ? REFS_1V1 : REFS_AVCC;
	uint8_t next;

	if (st_on || (ADCSRA & _BV(ADSC)))
		return;
	if (adc_admux != 0xff && adc_stable && adc_keep)
		adc_store(adc_admux, ADC, user);

	adc_keep = 1;
	if (passed(&adc_slow_us, ARDUIPI_SLOW_ADC_MS)) {
		next = other | (other == REFS_1V1 ? MUX_TEMP : MUX_BANDGAP);
	} else if (adc_scan < ARDUIPI_NADC) {
		next = user | adc_scan++;
	} else {
		next = user | (user == REFS_1V1 ? MUX_TEMP : MUX_BANDGAP);
		adc_keep = adc_scan++ != ARDUIPI_NADC;	/* drop the first */
		if (adc_scan == SCAN_LEN)
			adc_scan = 0;
	}
	if ((next ^ ADMUX) & (_BV(REFS1) | _BV(REFS0)))
		stamp(&adc_ref_us);
	adc_stable = passed(&adc_ref_us, ARDUIPI_REF_SETTLE_MS);
	ADMUX = next;
	adc_admux = next;
	ADCSRA = _BV(ADEN) | _BV(ADSC) | ARDUIPI_ADPS;
}

/*
 * ADC stream: the ADC runs free (a conversion every 13 ADC clocks, 104 us)
 * and each interrupt moves the finished result into the FIFO. The
 * conversion after it has already started with the multiplexer as it was,
 * so the handler sets it for the one after that: position p + 2 of the
 * scan period. adc.S runs the interrupt with interrupts on; see there and
 * config.h (ARDUIPI_ADC_RING) for where the store runs.
 */
static uint8_t st_mux[ARDUIPI_NADC], st_nch;	/* REFS | input */
static uint16_t st_div, st_pos;			/* st_pos: the next sample's */

/* The position after p in a scan period of div conversions, and the
 * multiplexer value for position p of nch inputs (the first beyond). */
static inline uint16_t pos_next(uint16_t p, uint16_t div)
{
	return p + 1 == div ? 0 : p + 1;
}

static inline uint8_t mux_at(uint16_t p, uint8_t nch)
{
	return st_mux[p < nch ? p : 0];
}

#if ARDUIPI_ADC_RING
/*
 * The ring: the interrupt (adc.S) puts each sample into the slot GPIOR1
 * points at, sets ADMUX from that slot's mux and moves on to the next.
 * adc_catch_up() stores the samples in order and gives each slot the
 * multiplexer value its next use needs, RING conversions on: it has to
 * keep up within RING conversions (1.25 ms). It runs with
 * interrupts on and no worker running: from the ADC interrupt when no
 * worker runs (adc.S) and from the main loop (adc_keep_up(), three times
 * a pass), never at a TWI worker's end (an event during its stores would
 * nest a worker above the ended one's frame, and one such after another
 * piled them up: 415 bytes of stack in fw-sim's full_load); the worker
 * may interrupt it, so the FIFO takes its consumer in the middle of a
 * store (stream.c). At 100 kHz the worker runs at most about 3800 cycles
 * at a time (a PEC write of the whole PWM image), under 5 conversions
 * (fw-sim's full_load asserts how full the ring gets). Should the
 * interrupt still come round to a sample not yet stored (an overrun: none
 * at 100 kHz in fw-sim's full_load, some at 400 kHz, where the worker is
 * behind the bus; fw-sim's adc_overrun makes them with a test build), the
 * multiplexer values it would set next are stale: the conversions stop
 * there and start over at the scan's first input in the main loop
 * (stream_poll()), the scan in progress lost and the scan numbers jumping
 * by one (stream_lost()).
 */
#define RING	ARDUIPI_ADC_RING_SLOTS	/* adc.S's too */
#define FREE	0x80		/* in hi: no sample (ADCH has 2 bits) */

struct slot {
	uint8_t lo, hi;
	uint8_t mux;		/* ADMUX two conversions after this one */
	uint8_t next;		/* the next slot's address, low byte */
};				/* adc.S knows this layout */

/* In adc.S's .data, all free, within one page (the Makefile checks). */
extern volatile struct slot adc_ring[RING];
#define SLOT_AT(low)	\
	((volatile struct slot *)(((uintptr_t)adc_ring & 0xff00) | (low)))

volatile uint8_t adc_lapped;	/* adc.S: the ring was full */
uint8_t adc_laps;		/* how many times, up to 255 (tests peek it) */
uint8_t adc_high;		/* the most samples seen waiting: 4 * (n - 1) */
extern uint8_t adc_take;	/* adc.S: the next slot to store (low byte) */
static uint16_t st_ahead;	/* the position the next slot is set for */
static uint8_t st_halt;		/* HALT_OVERRUN, HALT_RESUME */
#define HALT_OVERRUN	1	/* stopped: the slots are stale */
#define HALT_RESUME	2	/* start again as configured */


/* Conversions stopped, the first at position 0 started: the interrupt's
 * slots are set for positions 2 on. */
static void ring_start(void)
{
	volatile struct slot *s = adc_ring;
	uint16_t p = pos_next(pos_next(0, st_div), st_div);

	do {
		s->hi = FREE;
		s->mux = mux_at(p, st_nch);
		p = pos_next(p, st_div);
	} while (++s != adc_ring + RING);
	st_ahead = p;
	adc_take = (uint8_t)(uintptr_t)adc_ring;
	GPIOR1 = (uint8_t)(uintptr_t)adc_ring;	/* the interrupt's slot */
	adc_lapped = 0;
}

/*
 * The samples the interrupt kept while a worker ran, and an overrun no
 * store has seen (the conversions stopped: no interrupt will look again):
 * stored from the main loop, at the bottom, where a TWI event meanwhile
 * becomes the worker above this store alone. Several times a pass: the
 * main loop runs only between the worker's runs.
 */
void adc_keep_up(void)
{
	if (st_on &&
	    (!(SLOT_AT(adc_take)->hi & FREE) || (adc_lapped && !st_halt)))
		adc_catch_up();
}

void __attribute__((noinline)) adc_catch_up(void)
{
	volatile struct slot *s;
	uint16_t ahead, pos, div;
	uint8_t lo, hi, nch, n;

	/* Once at a time, and never above a worker or a pin-change
	 * interrupt's work: it would hold them up. */
	if ((GPIOR0 & (_BV(TWI_KEEP) | _BV(TWI_PCI))) ||
	    (GPIOR0 & (_BV(TWI_BUSY) | _BV(TWI_RESUME))) == _BV(TWI_BUSY))
		return;
	twi_flag_set(TWI_KEEP);
	__asm__ __volatile__("" ::: "memory");
	if (st_halt) {		/* (looked at once this one is the store: a
				 * store that came between would have halted) */
		twi_flag_clr(TWI_KEEP);
		return;
	}
	/* Nothing else changes these while this runs (stream_poll() only
	 * while it does not: it sets TWI_KEEP first): in registers. */
	s = SLOT_AT(adc_take);
	ahead = st_ahead;
	pos = st_pos;
	div = st_div;
	nch = st_nch;
	while (!((hi = s->hi) & FREE)) {
		/* the ring's fill, for the tests: 4 for each slot after this
		 * one up to the interrupt's (all of them when they meet) */
		n = GPIOR1 - (uint8_t)(uintptr_t)s - 4;
		if (n >= 4 * RING)	/* the interrupt's lower down */
			n += 4 * RING;
		if (n > adc_high)
			adc_high = n;
		lo = s->lo;
		s->mux = mux_at(ahead, nch);
		ahead = pos_next(ahead, div);
		s->hi = FREE;
		s = SLOT_AT(s->next);
		if (pos < nch)
			stream_put(lo, hi);
		pos = pos_next(pos, div);
#ifdef ARDUIPI_TEST_KEEP_DELAY
		_delay_loop_2(ARDUIPI_TEST_KEEP_DELAY);	/* 4 cycles each */
#endif
	}
	adc_take = (uint8_t)(uintptr_t)s;
	st_ahead = ahead;
	st_pos = pos;
	if (adc_lapped) {	/* stored what it kept */
		st_halt = HALT_OVERRUN;
		if (adc_laps != 0xff)
			adc_laps++;
		stream_lost();
	}
	__asm__ __volatile__("" ::: "memory");	/* all of it before */
	twi_flag_clr(TWI_KEEP);
}
#else
/* The interrupt's work (adc.S), TWI_ADC set: the worker cannot come. */
void adc_stream_isr(void)
{
	uint8_t lo = ADCL, hi = ADCH;	/* in this order: ADCL locks ADCH */
	uint16_t p = st_pos, p2 = p + 2;

	if (p < st_nch)
		stream_put(lo, hi);
	if (p2 >= st_div) {
		p2 -= st_div;
		if (p2 >= st_div)
			p2 -= st_div;
	}
	ADMUX = mux_at(p2, st_nch);
	st_pos = pos_next(p, st_div);
	twi_give_back();	/* work on what came meanwhile */
}
#endif

/*
 * Start and stop the stream as the register asks. A start (the worker
 * emptied the FIFO: bank.c, stream_reset()) while it still runs, stopped
 * and started again within one pass, stops it first: the FIFO's scans
 * begin at the scan's first input, and take the configuration written
 * with the start.
 */
void stream_poll(void)
{
	uint8_t want = REG(ARDUIPI_REG_ADC_STREAM), scan, refs, i, g;

	/* the stream owns the ADC: AVcc goes unmeasured, EEPROM writes wait
	 * (a supply measured low stays that until measured again) */
	if (st_on && proto_ee_refuse != ARDUIPI_ERR_LOW_SUPPLY &&
	    passed(&avcc_us, 2 * ARDUIPI_SLOW_ADC_MS))
		ee_refuse(ARDUIPI_ERR_BUSY);
#if ARDUIPI_ADC_RING
	adc_keep_up();
	if (st_halt == HALT_OVERRUN) {	/* stopped: start again, as before */
		st_halt = HALT_RESUME;
		st_on = 0;
		adc_admux = 0xff;
	}
#endif
	if (st_on && (!want || stream_restarting())) {
		ADCSRA = _BV(ADEN) | ARDUIPI_ADPS;	/* the last one finishes */
		adc_admux = 0xff;
		st_on = 0;
		return;
	}
	if (!want || st_on || (ADCSRA & _BV(ADSC)))
		return;		/* starting: let a conversion finish first */
#if ARDUIPI_ADC_RING
	/* samples left from before are not stored meanwhile (nor after) */
	twi_flag_set(TWI_KEEP);
	__asm__ __volatile__("" ::: "memory");
	if (st_halt != HALT_RESUME || stream_restarting())
#endif
	{
		g = stream_gen();	/* before the configuration is read */
		__asm__ __volatile__("" ::: "memory");
		scan = REG(ARDUIPI_REG_ADC_SCAN);
		refs = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
		for (i = 0, st_nch = 0; i < ARDUIPI_NADC; i++)
			if (scan & BIT(i))
				st_mux[st_nch++] = refs | i;
		st_div = REG16(ARDUIPI_REG_ADC_DIV);
		stream_start(2 * st_nch, g);
	}
	st_pos = 0;
#if ARDUIPI_ADC_RING
	st_halt = 0;
	ring_start();
	__asm__ __volatile__("" ::: "memory");	/* all of it before */
	twi_flag_clr(TWI_KEEP);
#endif
	/*
	 * The multiplexer may change one ADC clock after the start, and must
	 * for position 1 before the first conversion ends (12 ADC clocks
	 * later): the worker, which may run for thousands of cycles, is held
	 * off meanwhile (TWI_ADC, as in the ADC interrupt), a TWI event has
	 * its fast path only.
	 */
	twi_flag_set(TWI_ADC);
	ADMUX = st_mux[0];
	ADCSRB = 0;		/* free running */
	ADCSRA = _BV(ADEN) | _BV(ADSC) | _BV(ADATE) | _BV(ADIF) | _BV(ADIE) |
		 ARDUIPI_ADPS;
	_delay_loop_1((1 << ARDUIPI_ADPS) / 3 + 1);
	ADMUX = st_mux[st_nch > 1 ? 1 : 0];	/* position 1 (div >= nch) */
	twi_give_back();	/* what came meanwhile */
	st_on = 1;
}
