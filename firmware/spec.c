// SPDX-License-Identifier: MIT
/*
 * The ArduiPi specification's pin and port commands, byte for byte as the
 * specification has them, on the register bank's state: a pin or port
 * write changes GPIO_DIR, GPIO_OUT, GPIO_PULLUP (and a pin write PWM) in
 * the bank and applies them at once; a read selects what the reply
 * reads. Each command's checks, its length included, are here; proto.c
 * frames them (the most bytes a frame takes, the SMBus PEC) and sends
 * their replies.
 */
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "spec.h"

/* A port command 0x1b..0x4d: its kind 1..4 (high nibble) and port (low
 * nibble 0xb..0xd: B, C, D) */
#define PORT_KIND(c)	((uint8_t)(c) >> 4)
#define PORT_OF(c)	(((c) & 0x0f) - 0x0b)

uint8_t spec_port_cmd(uint8_t c, uint8_t *port)
{
	uint8_t lo = c & 0x0f, hi = PORT_KIND(c);

	if (hi < 1 || hi > 4 || lo < 0x0b || lo > 0x0d)
		return 0;
	*port = PORT_OF(c);
	return hi;
}

/* What pinMode() set: output, input, input with pull-up. */
uint8_t spec_pin_mode(uint8_t line)
{
	uint8_t b = line >> 3, m = 1 << (line & 7), ch = pwm_channel(line);

	if ((REG(ARDUIPI_REG_GPIO_DIR + b) & m) ||
	    (ch != NO_CHANNEL &&
	     (REG(ARDUIPI_REG_PWM_CTRL(ch)) & ARDUIPI_PWM_ENABLE)))
		return ARDUIPI_MODE_OUTPUT;
	return REG(ARDUIPI_REG_GPIO_PULLUP + b) & m ?
	       ARDUIPI_MODE_INPUT_PULLUP : ARDUIPI_MODE_INPUT;
}

/* A legacy single-line change: refuse A4/A5 and the INT line. */
static uint8_t line_check(uint8_t line)
{
	if (line >= ARDUIPI_LINE_SDA)
		return ARDUIPI_ERR_RESERVED_PIN;
	if (line == REG(ARDUIPI_REG_INT_PIN))
		return ARDUIPI_ERR_RESERVED_PIN;
	return ARDUIPI_OK;
}

/*
 * Bits m of line bank b to v (v within m): ddr, their direction; else
 * AVR semantics, the output latch of an output line and the pull-up of
 * an input line. One copy for the pin and the port commands.
 */
static void __attribute__((noinline))
bank_put(uint8_t b, uint8_t m, uint8_t v, uint8_t ddr)
{
	uint8_t *r = &REG(ARDUIPI_REG_GPIO_DIR + b), dir = *r;

	if (ddr) {
		*r = (dir & ~m) | v;
		return;
	}
	r[ARDUIPI_REG_GPIO_OUT - ARDUIPI_REG_GPIO_DIR] =
		(r[ARDUIPI_REG_GPIO_OUT - ARDUIPI_REG_GPIO_DIR] & ~(m & dir)) |
		(v & dir);
	r[ARDUIPI_REG_GPIO_PULLUP - ARDUIPI_REG_GPIO_DIR] =
		(r[ARDUIPI_REG_GPIO_PULLUP - ARDUIPI_REG_GPIO_DIR] & ~(m & ~dir)) |
		(v & ~dir);
}

/*
 * The direction, then the output latch (an output) or the pull-up (an
 * input) as val says. Arduino-style: a digital write or pinMode on a PWM
 * pin stops its PWM.
 */
static void line_set(uint8_t line, uint8_t dir, uint8_t val)
{
	uint8_t b = line >> 3, m = 1 << (line & 7), ch = pwm_channel(line);

	bank_put(b, m, dir ? m : 0, 1);
	bank_put(b, m, val ? m : 0, 0);
	if (ch != NO_CHANNEL &&
	    (REG(ARDUIPI_REG_PWM_CTRL(ch)) & ARDUIPI_PWM_ENABLE)) {
		REG(ARDUIPI_REG_PWM_CTRL(ch)) &= ~ARDUIPI_PWM_ENABLE;
		pwm_apply();
	} else {
		pins_apply();
	}
}

uint8_t spec_commit_pin(const uint8_t *frame, uint8_t flen,
			struct spec_reply *r)
{
	uint8_t line = frame[0], v = frame[1], err, ch;
	uint16_t full, duty;

	r->kind = SPEC_PIN;
	r->arg = line;
	if (flen == 1)
		return ARDUIPI_OK;
	if (flen > (v == ARDUIPI_PIN_PWM ? 3 : 2))
		return ARDUIPI_ERR_LONG;
	err = line_check(line);
	if (flen == 2 && v == ARDUIPI_PIN_GET_MODE) {
		r->kind = SPEC_PINMODE;
		return ARDUIPI_OK;
	}
	if (flen == 2 && v <= ARDUIPI_PIN_HIGH) {
		if (!err)
			line_set(line, 1, v);
		return err;
	}
	if (flen == 2 && (v & 0xf0) == ARDUIPI_PIN_SET_MODE &&
	    (v & 0x0f) <= ARDUIPI_MODE_INPUT_PULLUP) {
		v &= 0x0f;
		if (!err)
			line_set(line, v == ARDUIPI_MODE_OUTPUT,
				 v == ARDUIPI_MODE_INPUT_PULLUP);
		return err;
	}
	if (v != ARDUIPI_PIN_PWM)
		return ARDUIPI_ERR_BAD_VALUE;
	if (flen != 3)
		return flen < 3 ? ARDUIPI_ERR_SHORT : ARDUIPI_ERR_LONG;
	ch = pwm_channel(line);
	if (ch == NO_CHANNEL)
		return ARDUIPI_ERR_NOT_PWM;
	if (err)
		return err;
	/* 0..255 as analogWrite(): 0 is off, 255 is 100 %, else v/256. */
	full = pwm_full(ch, REG16(ARDUIPI_REG_T1_TOP));
	duty = frame[2] == 0xff ? full : (uint32_t)frame[2] * full >> 8;
	REG(ARDUIPI_REG_PWM_DUTY(ch)) = duty;
	REG(ARDUIPI_REG_PWM_DUTY(ch) + 1) = duty >> 8;
	REG(ARDUIPI_REG_PWM_CTRL(ch)) = ARDUIPI_PWM_ENABLE;
	pwm_apply();
	return ARDUIPI_OK;
}

/*
 * AVR semantics for a port write: a bit drives the output of an output
 * line and the pull-up of an input line. ddr: the value is a direction.
 */
static uint8_t port_write(uint8_t port, uint8_t val, uint8_t mask, uint8_t ddr)
{
	uint8_t v[3], m[3], i, line = REG(ARDUIPI_REG_INT_PIN);
	uint8_t b = line >> 3, bit = 1 << (line & 7);

	/* PB6/PB7 run the crystal: like the chip, ignore them. PC4/PC5 are
	 * the I2C bus: a 1 there would be a 5 V pull-up, so refuse it. */
	if (port == PORT_B)
		val &= port_valid[PORT_B];
	if (val & mask & ~port_valid[port])
		return ARDUIPI_ERR_RESERVED_PIN;
	port_to_banks(port, val & mask, v);
	port_to_banks(port, mask & port_valid[port], m);
	if (line < ARDUIPI_NGPIO) {
		if (v[b] & bit)
			return ARDUIPI_ERR_RESERVED_PIN;
		m[b] &= ~bit;
	}
	for (i = 0; i < ARDUIPI_GPIO_BANKS; i++)
		bank_put(i, m[i], v[i], ddr);
	pins_apply();
	return ARDUIPI_OK;
}

uint8_t spec_commit_port(const uint8_t *frame, uint8_t flen,
			 struct spec_reply *r)
{
	/* a port command (spec_port_cmd() said so) */
	uint8_t kind = PORT_KIND(frame[0]), port = PORT_OF(frame[0]);
	uint8_t v = frame[1], bit = v >> 4;

	r->arg = port;
	r->kind = kind == 2 ? SPEC_DDR : SPEC_PORT;
	if (flen > 2)
		return ARDUIPI_ERR_LONG;
	if (flen == 1)
		return kind <= 2 ? ARDUIPI_OK : ARDUIPI_ERR_SHORT;
	switch (kind) {
	case 1:
	case 2:
		return port_write(port, v, 0xff, kind == 2);
	case 3:		/* set port pin: [cmd, bit << 4 | level] */
		if ((v & 0x0f) > 1)
			return ARDUIPI_ERR_BAD_VALUE;
		if (port == PORT_C && (bit == 4 || bit == 5))
			return ARDUIPI_ERR_RESERVED_PIN;
		if (bit > 7 || !(port_valid[port] & BIT(bit)))
			return ARDUIPI_ERR_BAD_PIN;
		return port_write(port, (v & 1) << bit, BIT(bit), 0);
	default:	/* get port pin: [cmd, bit] + read */
		if (v > 7 || (port == PORT_B && v > 5) || (port == PORT_C && v > 5))
			return ARDUIPI_ERR_BAD_PIN;
		r->kind = SPEC_PORTPIN;
		r->n = v;
		return ARDUIPI_OK;
	}
}
