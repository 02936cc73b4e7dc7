// SPDX-License-Identifier: MIT
#include <string.h>
#include "host.h"

uint8_t DDRB, PORTB, DDRC, PORTC, DDRD, PORTD;
uint8_t TCCR0A, TCCR0B, OCR0A, OCR0B, TCCR1A, TCCR1B;
uint16_t OCR1A, OCR1B;
uint16_t host_icr1, host_tcnt1, host_t1_step;

uint16_t *host_t1(uint16_t *reg)
{
	uint16_t before = host_tcnt1;

	host_tcnt1 += host_t1_step;
	if (before <= host_icr1 && host_tcnt1 > host_icr1)
		host_tcnt1 -= host_icr1 + 1;	/* TOP reached: from 0 again */
	return reg;
}
uint8_t TCCR2A, TCCR2B, OCR2A, OCR2B, SREG;
int host_irq_off;

/* The TWI layer's hook; the host harness sends proto_tx when asked. */
void proto_tx_early(void)
{
}

static uint32_t drive_mask, drive_level;

static uint8_t port_level(uint8_t ddr, uint8_t port, uint8_t ext_m, uint8_t ext_v)
{
	/* output: latch; input: outside drive, else pull-up, else low */
	return (ddr & port) | (~ddr & ext_m & ext_v) | (~ddr & ~ext_m & port);
}

uint8_t host_pin(int port)
{
	uint8_t m[3], v[3];

	for (int i = 0; i < 3; i++) {
		m[i] = drive_mask >> (8 * i);
		v[i] = drive_level >> (8 * i);
	}
	if (port == 0)
		return port_level(DDRB, PORTB, m[1] & 0x3f, v[1]);
	if (port == 1)		/* A4/A5: the I2C bus idles high */
		return port_level(DDRC, PORTC,
				  (m[1] >> 6) | (uint8_t)(m[2] << 2) | 0x30,
				  (v[1] >> 6) | (uint8_t)(v[2] << 2) | 0x30);
	return port_level(DDRD, PORTD, m[0], v[0]);
}

void host_drive(uint32_t mask, uint32_t level)
{
	drive_mask = mask;
	drive_level = level;
}

void host_boot(void)
{
	DDRB = PORTB = DDRC = PORTC = DDRD = PORTD = 0;
	drive_mask = drive_level = 0;
	proto_init(HOST_ADDR, 1, 1);
	pwm_apply();
	stream_reset();		/* the firmware's .bss starts so */
	stream_start(2, stream_gen());
}

void (*host_preempt_fn)(int n);

void host_preempt(int n)
{
	void (*fn)(int) = host_preempt_fn;

	if (fn)
		fn(n);
}

void host_stream_poll(void)
{
	uint8_t g = stream_gen(), scan, n = 0;	/* before the configuration */

	if (!REG(ARDUIPI_REG_ADC_STREAM) || !stream_restarting())
		return;
	for (scan = REG(ARDUIPI_REG_ADC_SCAN); scan; scan &= scan - 1)
		n++;
	stream_start(2 * n, g);
}

/* What twi.c does per status code, minus the hardware. */
static int write_part(const uint8_t *w, int wn)
{
	int i, ack = 1;

	proto_write_start();
	for (i = 0; i < wn; i++) {
		if (!ack) {
			proto_write_nacked();	/* 0x88: slave leaves */
			return -1;
		}
		ack = proto_write_byte(w[i]);
	}
	proto_end();			/* 0xa0 */
	return wn;
}

static void read_part(uint8_t *r, int rn)
{
	for (int i = 0; i < rn; i++) {
		r[i] = proto_tx;	/* twi.S copies it into TWDR */
		if (i == 0)
			proto_read_start();	/* 0xa8 */
		else
			proto_read_next();	/* 0xb8 */
	}
	proto_read_done();		/* 0xc0: master NACKed the last */
}

int host_write(const uint8_t *w, int wn)
{
	return write_part(w, wn);
}

int host_read(uint8_t *r, int rn)
{
	read_part(r, rn);
	return 0;
}

int host_xfer(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	int ret = write_part(w, wn);

	if (ret < 0)
		return ret;
	read_part(r, rn);
	return ret;
}

void host_bus_error(void)
{
	proto_write_start();
	proto_write_byte(0x60);
	proto_bus_error();
}
