// SPDX-License-Identifier: MIT
/*
 * Unit tests of the firmware's protocol engine on the host (no simulator):
 * every command family, the register bank, PEC framing and bad input.
 * Prints TAP; exit status is the number of failed tests (capped).
 */
#include <stdio.h>
#include <string.h>
#include "host.h"
#include "../tap.h"


#define W(...) do {							\
	const uint8_t _w[] = { __VA_ARGS__ };				\
	host_write(_w, sizeof(_w));					\
} while (0)

static uint8_t rd1(uint8_t cmd)
{
	uint8_t r;

	host_xfer(&cmd, 1, &r, 1);
	return r;
}

static uint16_t rdw(uint8_t cmd)
{
	uint8_t r[2];

	host_xfer(&cmd, 1, r, 2);
	return r[0] | r[1] << 8;
}

static uint8_t err(void)
{
	return REG(ARDUIPI_REG_ERROR);
}

static void clear_err(void)
{
	W(ARDUIPI_REG_ERROR, 0);
}

/* Snapshot of everything a bad command must leave alone. */
struct snap {
	uint8_t regs[NREGS];
	uint8_t io[6];
	uint8_t ping;
};

static void snap(struct snap *s)
{
	memcpy(s->regs, regs, NREGS);
	s->io[0] = DDRB; s->io[1] = PORTB; s->io[2] = DDRC;
	s->io[3] = PORTC; s->io[4] = DDRD; s->io[5] = PORTD;
	s->ping = rd1(ARDUIPI_CMD_PING);
}

static int same(const struct snap *a)
{
	struct snap b;

	/* error bookkeeping is the one thing bad input changes */
	snap(&b);
	for (int r = ARDUIPI_REG_STATUS; r <= ARDUIPI_REG_PEC_ERR_COUNT; r++)
		b.regs[r - ARDUIPI_REG_FIRST] = a->regs[r - ARDUIPI_REG_FIRST];
	return !memcmp(a, &b, sizeof(b));
}

/* Bad input: an error code, nothing else changes, ping still answers. */
static void expect_refused(const uint8_t *w, int n, uint8_t code)
{
	struct snap s;

	clear_err();
	snap(&s);
	host_write(w, n);
	EQ(err(), code);
	CHECK(same(&s));
	EQ(rd1(ARDUIPI_CMD_PING), s.ping);
}
#define REFUSED(code, ...) do {						\
	const uint8_t _w[] = { __VA_ARGS__ };				\
	expect_refused(_w, sizeof(_w), code);				\
} while (0)

/* ---- tests ---------------------------------------------------------- */

static void t_ping(void)
{
	EQ(rd1(ARDUIPI_CMD_PING), ARDUIPI_PING_DEFAULT);
	W(0xe0, 0xaa);
	EQ(rd1(0xe0), 0xaa);
	EQ(err(), 0);
}

static void t_no_command_after_boot(void)
{
	uint8_t r;

	host_read(&r, 1);
	EQ(err(), ARDUIPI_ERR_NO_CMD);
	/* not data: a PEC-checking host can never accept it */
	EQ(r, (uint8_t)~crc8_byte(0, HOST_ADDR << 1 | 1));
}

static void t_digital_pin(void)
{
	W(0x0d, 0x01);			/* D13 high: PB5 */
	EQ(DDRB & 0x20, 0x20);
	EQ(PORTB & 0x20, 0x20);
	EQ(rd1(0x0d), 1);
	W(0x0d, 0x00);
	EQ(PORTB & 0x20, 0);
	EQ(rd1(0x0d), 0);
	W(0x08, 0x01);			/* spec example: pin 8 high (PB0) */
	EQ(PORTB & 0x01, 1);
	W(0x0e, 0x01);			/* D14 = A0 = PC0 */
	EQ(DDRC & 0x01, 1);
	EQ(PORTC & 0x01, 1);
	W(0x11, 0x01);			/* D17 = A3 = PC3 */
	EQ(PORTC & 0x08, 0x08);
	EQ(DDRC & 0x30, 0);		/* never the bus pins */
	EQ(PORTC & 0x30, 0);
	EQ(err(), 0);
}

static void t_pin_mode(void)
{
	uint8_t w[2] = { 0x03, 0xdd }, r;

	W(0x04, 0xd2);			/* spec example: D4 input pull-up */
	EQ(DDRD & 0x10, 0);
	EQ(PORTD & 0x10, 0x10);
	EQ(rd1(0x04), 1);		/* pull-up, nothing drives it */
	w[0] = 0x04;
	host_xfer(w, 2, &r, 1);
	EQ(r, ARDUIPI_MODE_INPUT_PULLUP);
	W(0x04, 0xd1);
	host_xfer(w, 2, &r, 1);
	EQ(r, ARDUIPI_MODE_OUTPUT);
	W(0x04, 0xd0);
	host_xfer(w, 2, &r, 1);
	EQ(r, ARDUIPI_MODE_INPUT);
	EQ(PORTD & 0x10, 0);
	host_drive(1 << 4, 1 << 4);
	EQ(rd1(0x04), 1);
	host_drive(1 << 4, 0);
	EQ(rd1(0x04), 0);
}

static void t_bus_pins_refused(void)
{
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x12, 0x01);	/* A4 output */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x13, 0xd2);	/* A5 pull-up */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x13, 0xd1);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x1c, 0x30);	/* port C bit 4/5 */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x2c, 0x10);	/* DDR C bit 4 */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x3c, 0x41);	/* port pin C4 */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x3c, 0x50);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_GPIO_DIR + 2, 0x04);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_GPIO_PULLUP + 2, 0x08);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_GPIO_SET + 2, 0x0c);
	/* reading them is harmless, and reads 0: not GPIO lines */
	clear_err();
	EQ(rd1(0x12), 0);
	EQ(rd1(0x13), 0);
	EQ(rd1(ARDUIPI_REG_GPIO_IN + 2) & 0x0c, 0);
	EQ(err(), 0);
}

static void t_bad_input(void)
{
	REFUSED(ARDUIPI_ERR_BAD_VALUE, 0x05, 0xd7);	/* mode 7 */
	REFUSED(ARDUIPI_ERR_BAD_VALUE, 0x05, 0x02);	/* level 2 */
	REFUSED(ARDUIPI_ERR_SHORT, 0x09, 0xee);		/* PWM, no duty */
	REFUSED(ARDUIPI_ERR_NOT_PWM, 0x04, 0xee, 0x80);	/* D4 has no timer */
	/* one byte more is the SMBus PEC (here a wrong one), two too long */
	REFUSED(ARDUIPI_ERR_PEC, 0x05, 0x01, 0x00);
	REFUSED(ARDUIPI_ERR_LONG, 0x05, 0x01, 0x00, 0x00);
	REFUSED(ARDUIPI_ERR_PEC, 0xe0, 0x01, 0x02);
	REFUSED(ARDUIPI_ERR_LONG, 0xe0, 0x01, 0x02, 0x03);
	REFUSED(ARDUIPI_ERR_PEC, 0xa0, 0x00);
	REFUSED(ARDUIPI_ERR_LONG, 0xa0, 0x00, 0x00);
	REFUSED(ARDUIPI_ERR_SHORT, 0x3d);		/* port pin, no data */
	REFUSED(ARDUIPI_ERR_BAD_VALUE, 0x3d, 0x42);
	REFUSED(ARDUIPI_ERR_BAD_PIN, 0x4b, 0x07);	/* PB7 */
	REFUSED(ARDUIPI_ERR_UNKNOWN_CMD, 0xff);		/* "pin 0xff" */
	REFUSED(ARDUIPI_ERR_UNKNOWN_CMD, 0x14, 0x01);	/* pin 20 */
	REFUSED(ARDUIPI_ERR_UNKNOWN_CMD, 0xf0, 0x12);
	REFUSED(ARDUIPI_ERR_READ_ONLY, ARDUIPI_REG_ID0, 0x00);
	REFUSED(ARDUIPI_ERR_READ_ONLY, ARDUIPI_REG_GPIO_IN, 0xff);
	REFUSED(ARDUIPI_ERR_READ_ONLY, ARDUIPI_REG_ADC_RESULT, 0x01);
	REFUSED(ARDUIPI_ERR_READ_ONLY, 0x7b, 0x01);
	REFUSED(ARDUIPI_ERR_BAD_REG, 0x9d, 0x01, 0x02);	/* into the hole */
	REFUSED(ARDUIPI_ERR_READ_ONLY, 0x7e, 0x01);	/* EDGE_COUNT */
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_FS_TRIP, 0x02);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_T0_CLK, 1);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_T2_CLK, 0);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_ADC_REF, 2);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_PWM_CTRL(0), 4);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_ADDR_NEW, 0x78);
}

static void t_unknown_command_nacks_data(void)
{
	const uint8_t w[] = { 0xf0, 0x12 };

	EQ(host_write(w, 2), -1);	/* the data byte is refused */
	EQ(err(), ARDUIPI_ERR_UNKNOWN_CMD);
}

static void t_all_or_nothing(void)
{
	/* the third byte is bad: the first two must not land either */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_GPIO_DIR, 0xff, 0xff,
		0x0f);
	REFUSED(ARDUIPI_ERR_BAD_PIN, ARDUIPI_REG_GPIO_DIR, 0xff, 0xff, 0x10);
	/* OUT bank 1 and 2, then IN bank 0, which is read-only */
	REFUSED(ARDUIPI_ERR_READ_ONLY, ARDUIPI_REG_GPIO_OUT + 1, 0x01, 0x00,
		0x00);
}

static void t_ports(void)
{
	uint8_t w[2] = { 0x4d, 0x04 }, r;

	W(0x2d, 0xf0);			/* spec: DDR D = 0xf0 */
	EQ(DDRD, 0xf0);
	EQ(rd1(0x2d), 0xf0);
	W(0x1d, 0x41);			/* spec: port D = 0x41 */
	EQ(PORTD, 0x41);		/* PD6 output high, PD0 pull-up */
	EQ(rd1(0x1d), 0x41);
	W(0x3d, 0x41);			/* port pin PD4 = 1 */
	EQ(PORTD & 0x10, 0x10);
	host_xfer(w, 2, &r, 1);		/* get port pin PD4 */
	EQ(r, 1);
	W(0x3d, 0x40);
	host_xfer(w, 2, &r, 1);
	EQ(r, 0);
	W(0x2b, 0x21);			/* DDR B */
	W(0x1b, 0xa5);			/* spec: port B = 0xa5; PB7 is the crystal */
	EQ(PORTB, 0x25);
	EQ(DDRB, 0x21);
	EQ(rd1(0x1c) & 0x30, 0);	/* PC4/PC5: the bus, not GPIO */
	EQ(err(), 0);
}

/* Every port command on every port: spec.c takes a port command's kind
 * and port from its byte. Lines 0..3 of each port are free. */
static void t_port_commands_all(void)
{
	static const uint8_t lo[3] = { 0x0b, 0x0c, 0x0d };
	volatile uint8_t *ddr[3] = { &DDRB, &DDRC, &DDRD };
	volatile uint8_t *port[3] = { &PORTB, &PORTC, &PORTD };
	uint8_t p, bit, r, w[2];

	for (p = 0; p < 3; p++) {
		W(0x20 | lo[p], 0x0f);			/* DDR: outputs */
		EQ(*ddr[p] & 0x0f, 0x0f);
		EQ(rd1(0x20 | lo[p]) & 0x0f, 0x0f);
		W(0x10 | lo[p], 0x05);			/* PORT */
		EQ(*port[p] & 0x0f, 0x05);
		EQ(rd1(0x10 | lo[p]) & 0x0f, 0x05);
		for (bit = 0; bit < 4; bit++) {
			w[0] = 0x40 | lo[p];		/* get port pin */
			w[1] = bit;
			W(0x30 | lo[p], bit << 4 | 1);	/* set port pin */
			host_xfer(w, 2, &r, 1);
			EQ(r, 1);
			W(0x30 | lo[p], bit << 4);
			host_xfer(w, 2, &r, 1);
			EQ(r, 0);
		}
		W(0x20 | lo[p], 0x00);
		EQ(*ddr[p] & 0x0f, 0);
	}
	EQ(err(), 0);
}

static void t_analog(void)
{
	REG(ARDUIPI_REG_ADC_RESULT + 10) = 0x34;	/* A5 = 0x234 */
	REG(ARDUIPI_REG_ADC_RESULT + 11) = 0x02;
	EQ(rdw(0xa5), 0x234);		/* spec: i2cget 0xa5 w */
	REG(ARDUIPI_REG_ADC_RESULT + 14) = 0xff;	/* A7 = 1023 */
	REG(ARDUIPI_REG_ADC_RESULT + 15) = 0x03;
	EQ(rdw(0xa7), 1023);
	EQ(err(), 0);
}

static void t_adc_latch(void)
{
	uint8_t r[2], c = 0xa0;

	REG(ARDUIPI_REG_ADC_RESULT) = 0xff;
	REG(ARDUIPI_REG_ADC_RESULT + 1) = 0x00;
	host_write(&c, 1);
	/* low byte goes out, then the main loop stores 0x100 */
	r[0] = proto_tx;
	proto_read_start();
	REG(ARDUIPI_REG_ADC_RESULT) = 0x00;
	REG(ARDUIPI_REG_ADC_RESULT + 1) = 0x01;
	r[1] = proto_tx;
	proto_read_next();
	proto_read_done();
	/* the word is the old one, not 0x1ff */
	EQ(r[0] | r[1] << 8, 0x0ff);
}

static void t_over_read(void)
{
	uint8_t c = 0xe0, r[3];

	clear_err();
	host_xfer(&c, 1, r, 3);
	EQ(r[0], ARDUIPI_PING_DEFAULT);
	/* its SMBus PEC: over the address bytes, the command and the reply */
	EQ(r[1], crc8_byte(crc8_byte(crc8_byte(crc8_byte(0, HOST_ADDR << 1), c),
				     HOST_ADDR << 1 | 1), r[0]));
	EQ(r[2], 0xff);
	EQ(err(), ARDUIPI_ERR_OVERRUN);
}

static void t_quick_write_is_harmless(void)
{
	clear_err();
	host_write(NULL, 0);		/* i2cdetect's probe */
	EQ(err(), 0);
	EQ(rd1(0xe0), ARDUIPI_PING_DEFAULT);
}

static void t_pwm_legacy(void)
{
	W(0x09, 0xee, 0x80);		/* D9: timer1 channel A, 50 % */
	EQ(TCCR1A & 0xc0, 0x80);	/* COM1A = 2 */
	EQ(ICR1, 1999);
	EQ(OCR1A, 999);			/* 128/256 of 2000 ticks */
	EQ(DDRB & 0x02, 0x02);
	W(0x06, 0xee, 0x00);		/* D6: duty 0 = steady low */
	EQ(TCCR0A & 0xc0, 0);
	EQ(PORTD & 0x40, 0);
	EQ(DDRD & 0x40, 0x40);
	W(0x06, 0xee, 0xff);		/* 100 % = steady high, no COM */
	EQ(TCCR0A & 0xc0, 0);
	EQ(PORTD & 0x40, 0x40);
	W(0x03, 0xee, 0x40);		/* D3: timer2 B, 64/256 */
	EQ(TCCR2A & 0x30, 0x20);
	EQ(OCR2B, 63);
	W(0x09, 0x00);			/* digital write stops PWM */
	EQ(TCCR1A & 0xc0, 0);
	EQ(PORTB & 0x02, 0);
	EQ(err(), 0);
}

/*
 * A smaller timer1 TOP while the counter runs just below it: the counter
 * moves 3 ticks at every access of TCNT1/ICR1. Checked before the new TOP
 * is in ICR1, it can pass the new TOP in between and run on to 0xffff
 * (4.1 ms with the pins stuck at /1); written first, it cannot.
 */
static void t_timer1_top_race(void)
{
	W(ARDUIPI_REG_T1_TOP, 450 & 0xff, 450 >> 8);
	EQ(host_icr1, 450);
	for (uint16_t c = 380; c <= 400; c++) {
		W(ARDUIPI_REG_T1_TOP, 450 & 0xff, 450 >> 8);
		host_tcnt1 = c;
		host_t1_step = 3;
		W(ARDUIPI_REG_T1_TOP, 400 & 0xff, 400 >> 8);
		host_t1_step = 0;
		EQ(host_icr1, 400);
		if (host_tcnt1 > host_icr1)
			printf("#   counter at %u before: %u, past TOP 400\n", c,
			       host_tcnt1);
		CHECK(host_tcnt1 <= host_icr1);
	}
	EQ(err(), 0);
}

static void t_pwm_bank(void)
{
	const uint8_t c = ARDUIPI_REG_PWM_CTRL(3);

	/* servo: 50 Hz = 40000 ticks at /8, 1.5 ms = 3000 ticks, inverted */
	W(ARDUIPI_REG_T1_TOP, 39999 & 0xff, 39999 >> 8);
	W(ARDUIPI_REG_PWM_DUTY(3), 3000 & 0xff, 3000 >> 8,
	  ARDUIPI_PWM_ENABLE | ARDUIPI_PWM_INVERT);
	EQ(ICR1, 39999);
	EQ(OCR1A, 2999);
	EQ(TCCR1A & 0xc0, 0xc0);
	EQ(rd1(c), ARDUIPI_PWM_ENABLE | ARDUIPI_PWM_INVERT);
	/* a duty beyond the period is refused, so is a period below it */
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_PWM_DUTY(3),
		40001 & 0xff, 40001 >> 8);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_T1_TOP, 1000 & 0xff,
		1000 >> 8);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_PWM_DUTY(0), 0x01, 0x01);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_T1_TOP, 2, 0);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_T1_TOP, 0xff, 0xff);
	W(ARDUIPI_REG_T1_TOP, 0xfe, 0xff);	/* 65534: the longest period */
	W(0x09, 0xee, 0x80);
	EQ(OCR1A, 32767 - 1);
}

static void t_bank_identity(void)
{
	uint8_t c = ARDUIPI_REG_ID0, r[8];

	host_xfer(&c, 1, r, 8);
	EQ(r[0], 'A');
	EQ(r[1], 'P');
	EQ(r[2], ARDUIPI_PROTO_MAJOR);
	EQ(r[3], ARDUIPI_PROTO_MINOR);
	EQ(r[4], 0xff);			/* all capabilities */
	EQ(r[5], 16);
	EQ(r[6], 1);			/* host_boot: power-on */
	EQ(r[7], 1);
	EQ(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_RESTARTED,
	   ARDUIPI_STATUS_RESTARTED);
	W(ARDUIPI_REG_STATUS, ARDUIPI_STATUS_RESTARTED);
	EQ(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_RESTARTED, 0);
	EQ(rd1(ARDUIPI_REG_ADDR), HOST_ADDR);
}

static void t_bank_gpio(void)
{
	uint8_t c = ARDUIPI_REG_GPIO_DIR, r[3];

	W(ARDUIPI_REG_GPIO_DIR, 0x80, 0x21, 0x01);	/* D7, D8, D13, A2 */
	W(ARDUIPI_REG_GPIO_SET, 0x80, 0x20, 0x01);
	EQ(PORTD, 0x80);
	EQ(PORTB, 0x20);
	EQ(PORTC, 0x04);
	W(ARDUIPI_REG_GPIO_CLR, 0x80, 0x00, 0x00);
	EQ(PORTD, 0x00);
	host_xfer(&c, 1, r, 3);
	EQ(r[0], 0x80);
	EQ(r[1], 0x21);
	EQ(r[2], 0x01);
	EQ(rd1(ARDUIPI_REG_GPIO_IN + 1) & 0x20, 0x20);
	/* set/clear registers read as 0 */
	EQ(rd1(ARDUIPI_REG_GPIO_SET), 0);
	/* IRQ status is write-1-to-clear */
	REG(ARDUIPI_REG_GPIO_IRQ_STATUS) = 0x0c;
	W(ARDUIPI_REG_GPIO_IRQ_STATUS, 0x04);
	EQ(rd1(ARDUIPI_REG_GPIO_IRQ_STATUS), 0x08);
	EQ(err(), 0);
}

static void t_int_line_reserved(void)
{
	W(ARDUIPI_REG_INT_PIN, 12);
	EQ(err(), 0);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 12, 1);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_GPIO_DIR + 1, 0x10);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 0x1b, 0x10);
	/* released, never driven high */
	EQ(DDRB & 0x10, 0);
	EQ(PORTB & 0x10, 0);
	int_set(1);
	EQ(DDRB & 0x10, 0x10);
	EQ(PORTB & 0x10, 0);
	int_set(0);
	EQ(DDRB & 0x10, 0);
	/* an INT line never carries PWM */
	W(ARDUIPI_REG_INT_PIN, 9);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_PWM_CTRL(3), 1);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, 9, 0xee, 0x10);
	W(ARDUIPI_REG_INT_PIN, ARDUIPI_INT_PIN_NONE);
	W(ARDUIPI_REG_PWM_CTRL(3), 1);
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_INT_PIN, 9);
}

/*
 * A PEC write as a host driver sends it; corrupt: index of a byte flipped
 * on the wire (0 = none). Returns whether the status reply's PEC matches
 * the host's view of the transaction.
 */
static int pec_write(uint8_t reg, const uint8_t *d, uint8_t n, uint8_t *status,
		     int corrupt)
{
	uint8_t f[40], wire[40], r[2], aw = HOST_ADDR << 1, ar = aw | 1, crc;

	f[0] = ARDUIPI_CMD_PEC_WRITE;
	f[1] = reg;
	f[2] = n;
	memcpy(f + 3, d, n);
	f[3 + n] = crc8_buf(f, 3 + n, crc8_buf(&aw, 1, 0));
	memcpy(wire, f, 4 + n);
	if (corrupt)
		wire[corrupt] ^= 0x10;
	host_xfer(wire, 4 + n, r, 2);
	*status = r[0];
	crc = crc8_buf(f, 4 + n, crc8_buf(&aw, 1, 0));	/* 0 */
	crc = crc8_buf(&ar, 1, crc);
	return crc8_buf(r, 1, crc) == r[1];
}

static int pec_read(uint8_t reg, uint8_t n, uint8_t *d)
{
	uint8_t f[3] = { ARDUIPI_CMD_PEC_READ, reg, n }, r[256], crc;
	uint8_t aw = HOST_ADDR << 1, ar = aw | 1;

	host_xfer(f, 3, r, n + 1);
	crc = crc8_buf(&aw, 1, 0);
	crc = crc8_buf(f, 3, crc);
	crc = crc8_buf(&ar, 1, crc);
	crc = crc8_buf(r, n, crc);
	memcpy(d, r, n);
	return crc == r[n];
}

/*
 * A FIFO read as since 1.3: d[0..n-1], the PEC, the CRC-16 of those
 * (little-endian), and one byte more (an over-read: filler, which never
 * completes the PEC).
 */
static int fifo_read(uint8_t n, uint8_t *d)
{
	uint8_t f[3] = { ARDUIPI_CMD_PEC_READ, ARDUIPI_REG_ADC_FIFO, n };
	uint8_t aw = HOST_ADDR << 1, ar = aw | 1, r[256], crc;
	uint16_t c = CRC16_INIT;
	int i;

	host_xfer(f, 3, r, n + 4);
	crc = crc8_buf(&aw, 1, 0);
	crc = crc8_buf(f, 3, crc);
	crc = crc8_buf(&ar, 1, crc);
	crc = crc8_buf(r, n, crc);
	for (i = 0; i <= n; i++)
		c = crc16_byte(c, r[i]);
	memcpy(d, r, n);
	return crc == r[n] && r[n + 1] == (c & 0xff) && r[n + 2] == c >> 8 &&
	       crc8_buf(r + n, 4, crc) != 0;
}

/* SMBus PEC: CRC-8's check value for "123456789", and every (crc, byte)
 * against the bit-at-a-time definition */
static void t_crc8(void)
{
	const char *s = "123456789";
	uint8_t c = 0;
	int bad = 0;

	while (*s)
		c = crc8_byte(c, (uint8_t)*s++);
	EQ(c, 0xf4);
	for (int crc = 0; crc < 256; crc++) {
		for (int byte = 0; byte < 256; byte++) {
			uint8_t r = crc ^ byte;

			for (int i = 0; i < 8; i++)
				r = r & 0x80 ? (uint8_t)(r << 1) ^ 0x07 : r << 1;
			bad += crc8_byte(crc, byte) != r;
		}
	}
	EQ(bad, 0);
}

/* CRC-16/MCRF4XX's check value: what the kernel's crc_ccitt(0xffff, ..)
 * gives for "123456789" */
static void t_crc16(void)
{
	const char *s = "123456789";
	uint16_t c = CRC16_INIT;

	while (*s)
		c = crc16_byte(c, (uint8_t)*s++);
	EQ(c, 0x6f91);
}

static void t_pec(void)
{
	uint8_t d[3] = { 0x20, 0x00, 0x00 }, st, r[8];
	struct snap s;

	CHECK(pec_write(ARDUIPI_REG_GPIO_DIR + 1, d, 1, &st, 0));
	EQ(st, 0);
	EQ(DDRB & 0x20, 0x20);
	CHECK(pec_read(ARDUIPI_REG_ID0, 4, r));
	EQ(r[0], 'A');
	EQ(r[3], ARDUIPI_PROTO_MINOR);

	/* a corrupted byte anywhere: nothing applied, reported */
	for (int at = 1; at < 5; at++) {
		d[0] = 0x01;
		clear_err();
		W(ARDUIPI_REG_PEC_ERR_COUNT, 0);
		snap(&s);
		/* the host sees the reply's PEC fail too, and retries */
		CHECK(!pec_write(ARDUIPI_REG_GPIO_OUT + 1, d, 1, &st, at));
		EQ(st, ARDUIPI_ERR_PEC);
		EQ(err(), ARDUIPI_ERR_PEC);
		EQ(REG(ARDUIPI_REG_PEC_ERR_COUNT), 1);
		CHECK(same(&s));
	}
	/* a refused PEC read never passes the host's PEC check */
	CHECK(!pec_read(ARDUIPI_REG_LOW_LAST + 1, 4, r));	/* the hole */
	CHECK(!pec_read(ARDUIPI_REG_ID0, 0, r));
	/* the PEC byte is never data: a one-bit flip of a PEC command
	 * byte lands on a command that writes nothing */
	for (int bit = 0; bit < 8; bit++) {
		const uint8_t cmds[2] = { ARDUIPI_CMD_PEC_WRITE,
					  ARDUIPI_CMD_PEC_READ };

		for (int i = 0; i < 2; i++) {
			uint8_t f[5] = { cmds[i] ^ (1 << bit),
					 ARDUIPI_REG_GPIO_DIR, 1, 0xff, 0x5a };

			snap(&s);
			host_write(f, 5);
			CHECK(same(&s));
		}
	}
}

/* The ADC stream's FIFO as the driver uses it (samples put by hand). */
static void t_stream(void)
{
	uint8_t d[240], st;
	int ok, i;

	/* bad configurations: nothing starts */
	REFUSED(ARDUIPI_ERR_RESERVED_PIN, ARDUIPI_REG_ADC_SCAN, 0x10);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_ADC_SCAN, 0x00, 1, 0, 1);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_ADC_SCAN, 0x07, 2, 0, 1);
	REFUSED(ARDUIPI_ERR_BAD_VALUE, ARDUIPI_REG_ADC_STREAM, 2);
	REFUSED(ARDUIPI_ERR_READ_ONLY, ARDUIPI_REG_ADC_FIFO, 0);

	/* A0 and A3, a scan every 4 conversions, INT from 2 scans */
	clear_err();
	W(ARDUIPI_REG_ADC_SCAN, 0x09, 4, 0, 1, 2);
	EQ(err(), 0);
	EQ(REG(ARDUIPI_REG_ADC_STREAM), 1);
	REFUSED(ARDUIPI_ERR_BUSY, ARDUIPI_REG_ADC_SCAN, 0x01);
	REFUSED(ARDUIPI_ERR_BUSY, ARDUIPI_REG_ADC_DIV, 8, 0);
	REFUSED(ARDUIPI_ERR_BUSY, ARDUIPI_REG_ADC_REF, 1);
	clear_err();
	W(ARDUIPI_REG_ADC_SCAN, 0x09, 4, 0, 1, 3);	/* same values: fine */
	EQ(err(), 0);

	/* nothing is stored till the main loop has the conversions start
	 * over at A0 (a sample of the stream before could begin a scan) */
	stream_put(7, 7);
	stream_put(8, 8);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	CHECK(stream_restarting());
	host_stream_poll();
	CHECK(!stream_restarting());
	for (i = 0; i < 10; i++)		/* 5 scans */
		stream_put(i, 0x80 | i);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 5);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 0);
	ok = fifo_read(8, d);
	CHECK(ok);
	EQ(d[0], 0);
	EQ(d[1], 0x80);
	EQ(d[6], 3);
	EQ(d[7], 0x83);
	/* the byte after the CRC-16: no data, an over-read */
	EQ(err(), ARDUIPI_ERR_OVERRUN);
	/* a reader of 1.2 stops after the PEC: the same bytes, a good PEC */
	ok = pec_read(ARDUIPI_REG_ADC_FIFO, 8, d);	/* a peek: the same */
	CHECK(ok);
	EQ(d[6], 3);
	/* consume 2 scans; the repeated write changes nothing */
	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 2, 0 }, 2, &st, 0));
	EQ(st, 0);
	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 2, 0 }, 2, &st, 0));
	EQ(st, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 3);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 2);
	CHECK(fifo_read(2, d));
	EQ(d[0], 4);
	/* past the stored scans: refused; half a sequence number too */
	pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 9, 0 }, 2, &st, 0);
	EQ(st, ARDUIPI_ERR_BAD_VALUE);
	pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 3 }, 1, &st, 0);
	EQ(st, ARDUIPI_ERR_BAD_VALUE);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 3);
	/* bytes past the stored scans read 0xff, under a good PEC */
	CHECK(fifo_read(20, d));
	EQ(d[11], 0x89);
	EQ(d[12], 0xff);
	/* the longest read */
	CHECK(fifo_read(ARDUIPI_ADC_FIFO_READ_MAX, d));

	/* overflow: 512 / 4 = 128 scans fit; the rest are dropped until the
	 * FIFO was emptied, and the scan numbers show the gap */
	for (i = 0; i < 2 * 200; i++)
		stream_put(i, i >> 8);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 128);
	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 130, 0 }, 2, &st, 0));
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	stream_put(1, 2);
	stream_put(3, 4);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 1);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 205);	/* 5 + 200: 72 lost */
	CHECK(fifo_read(4, d));
	EQ(d[0], 1);
	EQ(d[3], 4);

	/* stop, start: empty, numbered from 0; a start the main loop saw
	 * begin before a reset came (read the generation, then reset again)
	 * leaves the stream waiting for another start */
	W(ARDUIPI_REG_ADC_STREAM, 0);
	W(ARDUIPI_REG_ADC_STREAM, 1);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 0);
	i = stream_gen();
	W(ARDUIPI_REG_ADC_STREAM, 0);
	W(ARDUIPI_REG_ADC_STREAM, 1);
	stream_start(4, i);
	CHECK(stream_restarting());
	stream_put(1, 2);
	stream_put(3, 4);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	host_stream_poll();
	stream_put(1, 2);
	stream_put(3, 4);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 1);
}

#if ARDUIPI_ADC_RING
/*
 * With ARDUIPI_ADC_RING (the 8 MHz build) the TWI worker may interrupt a
 * store into the FIFO anywhere (firmware/stream.c's PREEMPT_POINTs run
 * it here). A start (the FIFO emptied) at each point of a scan's stores
 * leaves nothing of that scan once the main loop starts the
 * conversions over: the new stream's scans from 0, in place. A pop that
 * empties a full FIFO between a scan's look at the count and its
 * dropping flag costs that one scan, not the stream: the next is stored.
 */
static int preempt_at;
static void (*preempt_do)(void);

static void preempt_hook(int n)
{
	if (n != preempt_at)
		return;
	preempt_at = 0;
	preempt_do();
}

static void consumer_start(void)
{
	W(ARDUIPI_REG_ADC_STREAM, 0);
	W(ARDUIPI_REG_ADC_STREAM, 1);
}

static void consumer_pop_all(void)
{
	uint16_t seq = rdw(ARDUIPI_REG_ADC_FIFO_SEQ) +
		       rd1(ARDUIPI_REG_ADC_FIFO_COUNT);
	uint8_t st;

	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ,
			(uint8_t[]){ seq & 0xff, seq >> 8 }, 2, &st, 0));
	EQ(st, 0);
}


/*
 * The ADC interrupt's ring overran (adc.c): the conversions stop in the
 * middle of a scan and start over at its first input. The scan in
 * progress is dropped, the scan numbers jump by one (marking the gap in
 * time, whatever its length);
 * scans stored before stay, and the ones after them are dropped until
 * the FIFO has been emptied, so that what it holds stays consecutive.
 */
static void t_stream_lost(void)
{
	uint8_t d[8], st;
	int i;

	W(ARDUIPI_REG_ADC_STREAM, 0);
	W(ARDUIPI_REG_ADC_SCAN, 0x03, 2, 0, 1, 1);	/* A0, A1 */
	host_stream_poll();
	for (i = 0; i < 4; i++)				/* scans 0 and 1 */
		stream_put(i, 0);
	stream_put(0x30, 0);				/* half of scan 2 */
	stream_lost();
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 2);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 0);
	for (i = 0; i < 4; i++)			/* scans 3, 4: dropped */
		stream_put(0x40 + i, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 2);
	CHECK(fifo_read(8, d));
	EQ(d[0], 0);
	EQ(d[6], 3);
	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 2, 0 }, 2, &st, 0));
	EQ(st, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 5);	/* 2 lost, 3 and 4 dropped */
	stream_put(0x50, 0);				/* scan 5, stored */
	stream_put(0x51, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 1);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 5);
	CHECK(fifo_read(4, d));
	EQ(d[0], 0x50);
	EQ(d[2], 0x51);
	/* empty: the jump shows at once, nothing is dropped after it */
	CHECK(pec_write(ARDUIPI_REG_ADC_FIFO_SEQ, (uint8_t[]){ 6, 0 }, 2, &st, 0));
	EQ(st, 0);
	stream_lost();				/* between scans: 6 lost */
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 7);
	stream_put(0x60, 0);
	stream_put(0x61, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 1);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 7);
}
static void t_stream_preempt(void)
{
	uint8_t d[8];
	int p, i;

	host_preempt_fn = preempt_hook;
	for (p = 1; p <= 3; p++) {
		W(ARDUIPI_REG_ADC_STREAM, 0);
		W(ARDUIPI_REG_ADC_SCAN, 0x03, 2, 0, 1, 1);	/* A0, A1 */
		host_stream_poll();
		for (i = 0; i < 6; i++)				/* 3 scans */
			stream_put(i, 0);
		preempt_at = p;			/* 1, 2: the scan's first */
		preempt_do = consumer_start;	/* store; 3: its last */
		stream_put(0x10, 1);
		stream_put(0x11, 1);
		EQ(preempt_at, 0);		/* it came */
		EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
		stream_put(0x12, 1);		/* not stored while restarting */
		EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
		host_stream_poll();
		stream_put(0x20, 2);
		stream_put(0x21, 2);
		stream_put(0x22, 2);
		stream_put(0x23, 2);
		EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 2);
		EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 0);
		CHECK(fifo_read(8, d));
		EQ(d[0], 0x20);
		EQ(d[2], 0x21);
		EQ(d[6], 0x23);
	}

	/* full (512 / 4 = 128 scans), and one dropped */
	W(ARDUIPI_REG_ADC_STREAM, 0);
	W(ARDUIPI_REG_ADC_STREAM, 1);
	host_stream_poll();
	for (i = 0; i < 2 * 129; i++)
		stream_put(i, 0);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 128);
	preempt_at = 2;
	preempt_do = consumer_pop_all;
	stream_put(0x30, 3);		/* decided full, then emptied */
	EQ(preempt_at, 0);
	stream_put(0x31, 3);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 0);
	stream_put(0x40, 3);		/* empty: dropping ends */
	stream_put(0x41, 3);
	EQ(rd1(ARDUIPI_REG_ADC_FIFO_COUNT), 1);
	EQ(rdw(ARDUIPI_REG_ADC_FIFO_SEQ), 130);	/* 128, 129 lost */
	CHECK(fifo_read(4, d));
	EQ(d[0], 0x40);
	EQ(d[2], 0x41);
	host_preempt_fn = NULL;
}
#endif

static void t_pec_status_flags(void)
{
	uint8_t d = 0x01, st;

	pec_write(ARDUIPI_REG_GPIO_DIR, &d, 1, &st, 3);
	CHECK(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_PEC_ERROR);
	W(ARDUIPI_REG_STATUS, ARDUIPI_STATUS_PEC_ERROR);
	CHECK(!(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_PEC_ERROR));
	/* an error in the data is reported through the status reply */
	d = 0x04;
	CHECK(pec_write(ARDUIPI_REG_GPIO_DIR + 2, &d, 1, &st, 0));
	EQ(st, ARDUIPI_ERR_RESERVED_PIN);
}

static void t_address_change(void)
{
	REFUSED(ARDUIPI_ERR_BAD_KEY, ARDUIPI_REG_ADDR_NEW, 0x2b, 0x2b);
	proto_req = 0;
	clear_err();
	W(ARDUIPI_REG_ADDR_NEW, 0x2b, (uint8_t)~0x2b);
	EQ(err(), 0);
	CHECK(proto_req & REQ_ADDR);
	EQ(rd1(ARDUIPI_REG_ADDR_NEW), 0x2b);
	EQ(rd1(ARDUIPI_REG_ADDR), HOST_ADDR);	/* switched by main loop */
}

/* FS_TRIP asks the main loop for the failsafe state; it stores nothing. */
static void t_failsafe_trip(void)
{
	proto_req = 0;
	W(ARDUIPI_REG_FS_TRIP, 0);
	EQ(proto_req & REQ_TRIP, 0);
	W(ARDUIPI_REG_FS_TRIP, 1);
	EQ(err(), 0);
	CHECK(proto_req & REQ_TRIP);
	EQ(rd1(ARDUIPI_REG_FS_TRIP), 0);
}

static void t_bus_error_recovers(void)
{
	host_bus_error();
	EQ(err(), ARDUIPI_ERR_BUS);
	CHECK(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_BUS_ERROR);
	EQ(rd1(0xe0), ARDUIPI_PING_DEFAULT);
}

static void t_errors_counted(void)
{
	W(ARDUIPI_REG_ERR_COUNT, 0);
	W(0xff);
	W(0xff);
	EQ(REG(ARDUIPI_REG_ERR_COUNT), 2);
	EQ(rd1(ARDUIPI_REG_ERROR), ARDUIPI_ERR_UNKNOWN_CMD);
	/* the read of REG_ERROR did not replace it */
	EQ(rd1(ARDUIPI_REG_ERROR), ARDUIPI_ERR_UNKNOWN_CMD);
	CHECK(rd1(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_ERROR);
	W(ARDUIPI_REG_ERROR, 0);
	EQ(err(), 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define T(f) { #f, f }
	T(t_ping), T(t_no_command_after_boot), T(t_digital_pin),
	T(t_pin_mode), T(t_bus_pins_refused), T(t_bad_input),
	T(t_unknown_command_nacks_data), T(t_all_or_nothing), T(t_ports),
	T(t_port_commands_all), T(t_analog), T(t_adc_latch), T(t_over_read),
	T(t_quick_write_is_harmless), T(t_pwm_legacy), T(t_timer1_top_race), T(t_pwm_bank),
	T(t_bank_identity), T(t_bank_gpio), T(t_int_line_reserved), T(t_crc8), T(t_crc16), T(t_pec),
	T(t_pec_status_flags),
	T(t_stream),
#if ARDUIPI_ADC_RING
	T(t_stream_lost), T(t_stream_preempt),
#endif
	T(t_address_change), T(t_failsafe_trip),
	T(t_bus_error_recovers),
	T(t_errors_counted),
};

int main(void)
{
	int n = sizeof(tests) / sizeof(tests[0]), fails = 0;

	printf("TAP version 13\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		failed_checks = 0;
		host_boot();
		tests[i].fn();
		printf("%s %d %s\n", failed_checks ? "not ok" : "ok", i + 1,
		       tests[i].name);
		fails += !!failed_checks;
	}
	return fails > 100 ? 100 : fails;
}
