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
 *   channels 0-7: A0..A7 (A0..A5 read their own level if set as outputs),
 *   8: temperature sensor 314 mV at 25 C, 1 mV/C; 14: 1.1 V bandgap; 15: 0 V
 *   REFS 00: AREF pin, 01: AVcc, 11 (and 10): internal 1.1 V
 *   a conversion takes 13 ADC clocks (25 for the first after ADEN), one ADC
 *   clock = 2^ADPS CPU clocks (ADPS=0: 2); MUX and REFS are latched when a
 *   conversion starts; free running (ADATE, ADTS=0) restarts at once.
 *   Reading ADCL locks the data register until ADCH is read.
 */
#include <math.h>
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

static struct {
	double vin[NADC], avcc, aref, temp;
	int busy, first, locked;
	uint16_t res, sample;
	avr_int_vector_t *vec;
} adc = { .avcc = 5.0, .aref = 5.0, .temp = 25.0 };

static double input(int mux)
{
	if (mux < NADC) {
		int line = LINE_A0 + mux;

		if (mux < 6 && board_dir(line))	/* a digital output */
			return board_level(line) ? adc.avcc : 0;
		return adc.vin[mux];
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

static void start(void);

static avr_cycle_count_t done(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)when;
	(void)p;
	adc.busy = 0;
	if (!adc.locked)
		adc.res = adc.sample;
	avr_raise_interrupt(a, adc.vec);	/* sets ADIF */
	if ((a->data[ADCSRA] & (ADEN | ADATE)) == (ADEN | ADATE) &&
	    !(a->data[ADCSRB] & 7))
		start();			/* free running */
	else
		a->data[ADCSRA] &= ~ADSC;
	return 0;
}

static void start(void)
{
	uint8_t ps = avr->data[ADCSRA] & 7;
	unsigned clocks = adc.first ? 25 : 13;

	adc.first = 0;
	adc.busy = 1;
	adc.sample = convert(avr->data[ADMUX]);
	avr->data[ADCSRA] |= ADSC;
	avr_cycle_timer_register(avr, clocks * (ps ? 1u << ps : 2u), done, NULL);
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
		start();
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

void adc_set_input(int ch, double volts) { adc.vin[ch] = volts; }
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
