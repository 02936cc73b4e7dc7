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

static uint8_t st_on;		/* the stream owns the ADC */

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
 * scan period. adc.S runs this with interrupts on and the TWI worker held
 * off (TWI_ADC), so that a TWI event meanwhile only has its fast path
 * (SCL released at once) and nothing reads the FIFO while a sample goes
 * in; at the end the worker gets what was queued meanwhile.
 */
static uint8_t st_mux[ARDUIPI_NADC], st_nch;	/* REFS | input */
static uint16_t st_div, st_pos;

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
	ADMUX = st_mux[p2 < st_nch ? p2 : 0];
	st_pos = p + 1 == st_div ? 0 : p + 1;
	twi_give_back();	/* work on what came meanwhile */
}

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
	if (st_on && (!want || stream_restarting())) {
		ADCSRA = _BV(ADEN) | ARDUIPI_ADPS;	/* the last one finishes */
		adc_admux = 0xff;
		st_on = 0;
		return;
	}
	if (!want || st_on || (ADCSRA & _BV(ADSC)))
		return;		/* starting: let a conversion finish first */
	g = stream_gen();	/* before the configuration is read */
	__asm__ __volatile__("" ::: "memory");
	scan = REG(ARDUIPI_REG_ADC_SCAN);
	refs = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
	for (i = 0, st_nch = 0; i < ARDUIPI_NADC; i++)
		if (scan & BIT(i))
			st_mux[st_nch++] = refs | i;
	st_div = REG16(ARDUIPI_REG_ADC_DIV);
	st_pos = 0;
	stream_start(2 * st_nch, g);
	ADMUX = st_mux[0];
	ADCSRB = 0;		/* free running */
	ADCSRA = _BV(ADEN) | _BV(ADSC) | _BV(ADATE) | _BV(ADIF) | _BV(ADIE) |
		 ARDUIPI_ADPS;
	/* The multiplexer may change one ADC clock after the start. */
	_delay_loop_1((1 << ARDUIPI_ADPS) / 3 + 1);
	ADMUX = st_mux[st_nch > 1 ? 1 : 0];	/* position 1 (div >= nch) */
	st_on = 1;
}
