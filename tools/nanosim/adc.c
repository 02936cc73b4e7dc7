// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the ATmega328P ADC.
 *
 * simavr 1.6's ADC computes the result when ADCL is read (not at the end of
 * the conversion), scales by 1023 with truncation, cannot clear ADIF by
 * writing 1 and only knows the reference voltages from the ELF. This model
 * replaces ADCL/ADCH/ADCSRA/ADCSRB:
 *
 *   ADC = round(Vin / Vref * 1024), clamped to 0..1023
 *   channels 0-7: A0..A7 (A0..A5 read their own level if set as outputs);
 *   an input is a voltage or a waveform of simulated time (saw: VMIN at
 *   t = 0 rising to VMAX over each period; sine: between VMIN and VMAX,
 *   at VMIN + VMAX / 2 rising at t = 0);
 *   8: temperature sensor 314 mV at 25 C, 1 mV/C; 14: 1.1 V bandgap; 15: 0 V
 *   REFS 00: AREF pin, 01: AVcc, 11 (and 10): internal 1.1 V
 *   a conversion takes 13 ADC clocks (25 for the first after ADEN), one ADC
 *   clock = 2^ADPS CPU clocks (ADPS=0: 2); MUX and REFS are latched when a
 *   conversion starts; free running (ADATE, ADTS=0) restarts at once.
 *   Reading ADCL locks the data register until ADCH is read.
 */
#include <math.h>
#include <string.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_interrupts.h>
#include "nanosim.h"

#define ADCL		0x78
#define ADCH		0x79
#define ADCSRA		0x7a
#define ADCSRB		0x7b
#define ADMUX		0x7c
#define PRR		0x64
#define PRADC		0x01
#define ADEN		0x80
#define ADSC		0x40
#define ADATE		0x20
#define ADIF		0x10
#define ADIE		0x08
#define ADLAR		0x20
#define ADC_VECTOR	21

enum { W_DC, W_SAW, W_SINE };

static struct {
	double vin[NADC], avcc, aref, temp;
	struct { int kind; double lo, hi, period; } wave[NADC];
	int busy, first, locked;
	uint16_t res, sample;
	avr_int_vector_t *vec;
} adc = { .avcc = 5.0, .aref = 5.0, .temp = 25.0 };

static double input(int mux)
{
	if (mux < NADC) {
		int line = LINE_A0 + mux;

		double t, ph;

		if (mux < 6 && board_dir(line))	/* a digital output */
			return board_level(line) ? adc.avcc : 0;
		if (adc.wave[mux].kind == W_DC)
			return adc.vin[mux];
		t = (double)avr->cycle / avr->frequency;
		ph = fmod(t, adc.wave[mux].period) / adc.wave[mux].period;
		if (adc.wave[mux].kind == W_SINE)
			ph = (1 + sin(2 * M_PI * ph)) / 2;
		return adc.wave[mux].lo + (adc.wave[mux].hi - adc.wave[mux].lo) * ph;
	}
	if (mux == 8)
		return 0.314 + (adc.temp - 25.0) * 0.001;
	if (mux == 14)
		return 1.1;
	return 0;
}

static uint16_t convert(uint8_t admux)
{
	int refs = admux >> 6;
	double vref = refs == 0 ? adc.aref : refs == 1 ? adc.avcc : 1.1;
	double r = vref > 0 ? floor(input(admux & 0x0f) / vref * 1024 + 0.5) : 1023;

	return r < 0 ? 0 : r > 1023 ? 1023 : (uint16_t)r;
}

static void start(avr_cycle_count_t from);

static avr_cycle_count_t done(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)p;
	adc.busy = 0;
	if (!adc.locked)
		adc.res = adc.sample;
	avr_raise_interrupt(a, adc.vec);	/* sets ADIF */
	if ((a->data[ADCSRA] & (ADEN | ADATE)) == (ADEN | ADATE) &&
	    !(a->data[ADCSRB] & 7))
		start(when);	/* free running: 13 clocks after the last end */
	else
		a->data[ADCSRA] &= ~ADSC;
	return 0;
}

/* A conversion that started at cycle from (now, or the last one's end:
 * timer callbacks run at instruction boundaries, a few cycles late). */
static void start(avr_cycle_count_t from)
{
	uint8_t ps = avr->data[ADCSRA] & 7;
	unsigned clocks = adc.first ? 25 : 13;
	avr_cycle_count_t len;

	adc.first = 0;
	adc.busy = 1;
	adc.sample = convert(avr->data[ADMUX]);
	avr->data[ADCSRA] |= ADSC;
	len = clocks * (ps ? 1u << ps : 2u);
	avr_cycle_timer_register(avr, from + len > avr->cycle ?
				 from + len - avr->cycle : 1, done, NULL);
}

static void adcsra_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	uint8_t old = a->data[addr];
	uint8_t nv = (v & ~(ADIF | ADSC)) | (old & ADIF);

	(void)p;
	if (v & ADIF)		/* write 1 to clear */
		nv &= ~ADIF;
	if (adc.busy)
		nv |= ADSC;
	if (!(old & ADEN) && (nv & ADEN))
		adc.first = 1;
	a->data[addr] = nv;
	if ((v & ADIF) && adc.vec->pending)
		avr_clear_interrupt(a, adc.vec);
	if (!(nv & ADEN)) {
		avr_cycle_timer_cancel(a, done, NULL);
		adc.busy = 0;
		a->data[addr] &= ~ADSC;
	} else if ((v & ADSC) && !adc.busy && !(a->data[PRR] & PRADC)) {
		start(a->cycle);
	}
	if ((a->data[addr] & (ADIF | ADIE)) == (ADIF | ADIE) && !adc.vec->pending)
		avr_raise_interrupt(a, adc.vec);
}

static uint16_t present(void)
{
	return (avr->data[ADMUX] & ADLAR) ? adc.res << 6 : adc.res;
}

static uint8_t adcl_read(avr_t *a, avr_io_addr_t addr, void *p)
{
	(void)a;
	(void)addr;
	(void)p;
	adc.locked = 1;
	return present() & 0xff;
}

static uint8_t adch_read(avr_t *a, avr_io_addr_t addr, void *p)
{
	(void)a;
	(void)addr;
	(void)p;
	adc.locked = 0;
	return present() >> 8;
}

int adc_peek(uint16_t addr, uint8_t *v)
{
	if (addr == ADCL || addr == ADCH) {
		*v = addr == ADCL ? present() & 0xff : present() >> 8;
		return 1;
	}
	return 0;
}

void adc_set_input(int ch, double volts)
{
	adc.vin[ch] = volts;
	adc.wave[ch].kind = W_DC;
}

int adc_set_wave(int ch, const char *kind, double lo, double hi, double period_s)
{
	int k = !strcmp(kind, "saw") ? W_SAW : !strcmp(kind, "sine") ? W_SINE : -1;

	if (k < 0 || period_s <= 0)
		return -1;
	adc.wave[ch].kind = k;
	adc.wave[ch].lo = lo;
	adc.wave[ch].hi = hi;
	adc.wave[ch].period = period_s;
	return 0;
}
void adc_set_avcc(double volts) { adc.avcc = volts; }
void adc_set_aref(double volts) { adc.aref = volts; }
void adc_set_temp(double celsius) { adc.temp = celsius; }

void adc_reset(void)
{
	adc.busy = adc.first = adc.locked = 0;
	adc.res = 0;
}

void adc_setup(void)
{
	adc.vec = mcu_vector(ADC_VECTOR);
	io_set_write(ADCSRA, adcsra_write, NULL);
	io_set_write(ADCSRB, NULL, NULL);
	io_set_read(ADCL, adcl_read, NULL);
	io_set_read(ADCH, adch_read, NULL);
	adc_reset();
}
