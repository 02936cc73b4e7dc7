// SPDX-License-Identifier: MIT
/*
 * Pins and timers. All PWM runs in fast-PWM mode: timer0 (D5, D6) and
 * timer2 (D3, D11) count 0..255, timer1 (D9, D10) counts 0..ICR1 (mode 14),
 * so a channel's period is (TOP + 1) * prescaler / F_CPU and its duty is
 * given in timer ticks, 0..TOP + 1. Duty 0 and TOP + 1 disconnect the
 * compare output and hold a steady level through PORTx, which avoids the
 * one-tick spike fast PWM gives at OCR = 0.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include "pins.h"
#include "proto.h"
#include "flash.h"

const uint8_t port_valid[3] = { 0x3f, 0x0f, 0xff };

volatile uint8_t int_asserted;
volatile uint8_t hw_gen;
static volatile uint8_t *int_ddr;
static uint8_t int_mask;

/* Lines owned by an enabled PWM channel, and their steady level. */
static uint8_t pwm_own[3], pwm_level[3];	/* bank 2 has no PWM line */

uint8_t pwm_channel(uint8_t line)
{
	static const uint8_t channel[14] FLASH = {
		NO_CHANNEL, NO_CHANNEL, NO_CHANNEL, 0, NO_CHANNEL, 1, 2,
		NO_CHANNEL, NO_CHANNEL, 3, 4, 5, NO_CHANNEL, NO_CHANNEL,
	};

	return line < 14 ? FLASH_READ(&channel[line]) : NO_CHANNEL;
}


void port_to_banks(uint8_t port, uint8_t val, uint8_t bank[3])
{
	bank[0] = bank[1] = bank[2] = 0;
	if (port == PORT_D) {
		bank[0] = val;
	} else if (port == PORT_B) {
		bank[1] = val & 0x3f;
	} else {
		bank[1] = val << 6;
		bank[2] = val >> 2;
	}
}

uint8_t pins_in(uint8_t bank)
{
	if (bank == 0)
		return PIND;
	if (bank == 1)
		return (PINB & 0x3f) | (uint8_t)(PINC << 6);
	/* not A4/A5: read during a transaction, they only show the bus
	 * (SCL low, SDA some bit) */
	return (PINC >> 2) & ARDUIPI_GPIO_VALID2;
}

uint8_t pin_level(uint8_t line)
{
	return (pins_in(line >> 3) >> (line & 7)) & 1;
}

uint8_t port_in(uint8_t port)
{
	if (port == PORT_B)
		return PINB & port_valid[PORT_B];
	if (port == PORT_C)
		return PINC & port_valid[PORT_C];	/* not A4/A5, as above */
	return PIND;
}

uint8_t port_ddr(uint8_t port)
{
	if (port == PORT_B)
		return DDRB & port_valid[PORT_B];
	if (port == PORT_C)
		return DDRC & port_valid[PORT_C];
	return DDRD;
}

/* Direction and output/pull-up bits of one bank of eight lines. */
#define BANK_DDR(b)	(REG(ARDUIPI_REG_GPIO_DIR + (b)) | pwm_own[b])
#define BANK_PORT(b)	((((REG(ARDUIPI_REG_GPIO_OUT + (b)) &		\
			    REG(ARDUIPI_REG_GPIO_DIR + (b))) |		\
			   (REG(ARDUIPI_REG_GPIO_PULLUP + (b)) &	\
			    ~REG(ARDUIPI_REG_GPIO_DIR + (b)))) &	\
			  ~pwm_own[b]) | pwm_level[b])

/*
 * Recompute every DDRx/PORTx bit of the 18 usable lines from the register
 * image: direction, output latch or pull-up, PWM ownership, INT line.
 * PC4/PC5 (SDA/SCL) are always written 0: no pull-up towards 5 V, ever.
 */
void pins_apply(void)
{
	uint8_t line = REG(ARDUIPI_REG_INT_PIN), m = 0, b = 0xff;
	uint8_t d0 = BANK_DDR(0), p0 = BANK_PORT(0);
	uint8_t d1 = BANK_DDR(1), p1 = BANK_PORT(1);
	uint8_t d2 = BANK_DDR(2) & ARDUIPI_GPIO_VALID2;
	uint8_t p2 = BANK_PORT(2) & ARDUIPI_GPIO_VALID2;

	int_ddr = 0;
	if (line < ARDUIPI_NGPIO) {
		b = line >> 3;
		m = 1 << (line & 7);
		int_mask = line < 14 ? m : 1 << (line - 14);
		int_ddr = line < 8 ? &DDRD : line < 14 ? &DDRB : &DDRC;
	}
	/* INT line: output latch low, driven only while asserted */
	if (b == 0) {
		p0 &= ~m;
		d0 = int_asserted ? d0 | m : d0 & ~m;
	} else if (b == 1) {
		p1 &= ~m;
		d1 = int_asserted ? d1 | m : d1 & ~m;
	} else if (b == 2) {
		p2 &= ~m;
		d2 = int_asserted ? d2 | m : d2 & ~m;
	}
	PORTD = p0;
	DDRD = d0;
	PORTB = p1 & 0x3f;
	DDRB = d1 & 0x3f;
	PORTC = (p1 >> 6) | (uint8_t)(p2 << 2);
	DDRC = (d1 >> 6) | (uint8_t)(d2 << 2);
	hw_gen++;
}

/*
 * The stored boot state straight to the ports, in bank order, before the
 * C runtime has even cleared RAM (persist.c). PC4/PC5 (the bus) never.
 */
void pins_boot(const uint8_t dir[3], const uint8_t lvl[3])
{
	PORTD = lvl[0];
	DDRD = dir[0];
	PORTB = lvl[1] & 0x3f;
	DDRB = dir[1] & 0x3f;
	PORTC = ((lvl[1] >> 6) | (uint8_t)(lvl[2] << 2)) & 0x0f;
	DDRC = ((dir[1] >> 6) | (uint8_t)(dir[2] << 2)) & 0x0f;
}

/*
 * The main loop's. The line's port and bit are worked out with interrupts
 * on, and they are off only for the DDR's read-modify-write and a check
 * that no pins_apply() ran since (a TWI worker moving the INT line: then
 * again, on its new port), so the TWI fast path waits 9 cycles at most.
 * int_asserted goes first: a pins_apply() in between drives the line as
 * it says, and the write here is then the same.
 */
void int_set(uint8_t asserted)
{
	volatile uint8_t *ddr;
	uint8_t set, keep, gen, sreg = SREG;

	int_asserted = asserted;	/* one byte: atomic */
	for (;;) {
		/* a frame that moved the INT line since cleared this */
		if (int_asserted != asserted)
			return;
		gen = hw_gen;
		ddr = int_ddr;
		if (!ddr)
			return;
		set = asserted ? int_mask : 0;
		keep = asserted ? 0xff : ~int_mask;
		__asm__ __volatile__("" : "+r"(ddr), "+r"(set), "+r"(keep), "+r"(gen));
		cli();
		if (hw_gen == gen) {
			*ddr = (*ddr & keep) | set;
			SREG = sreg;
			/* a one-cycle instruction before the return's four,
			 * for a waiting interrupt */
			__asm__ __volatile__("nop");
			return;
		}
		SREG = sreg;
	}
}

/*
 * The six channels' hardware: the line's bit in its bank (channels 0-2
 * drive bank 0 lines, 3-5 bank 1 lines), the timer, and the compare
 * output mode of non-inverting PWM (COMxy1; inverting sets COMxy0, the bit
 * below, too).
 */
static const uint8_t pwm_hw[ARDUIPI_NPWM][3] FLASH = {
	{ BIT(3), 2, 2 << 4 },	/* D3: OC2B */
	{ BIT(5), 0, 2 << 4 },	/* D5: OC0B */
	{ BIT(6), 0, 2 << 6 },	/* D6: OC0A */
	{ BIT(1), 1, 2 << 6 },	/* D9: OC1A */
	{ BIT(2), 1, 2 << 4 },	/* D10: OC1B */
	{ BIT(3), 2, 2 << 6 },	/* D11: OC2A */
};

/* Channel ch's compare register (timer0's and timer2's take the low byte);
 * out of line, so that pwm_apply()'s loop stays one loop. Timer1's go
 * through its TEMP register, which a pwm_apply() of the TWI worker's
 * would share if it came in between: interrupts off for the two stores. */
static void __attribute__((noinline)) pwm_ocr(uint8_t ch, uint16_t v)
{
	uint8_t sreg = SREG;

	switch (ch) {
	case 0:
		OCR2B = v;
		break;
	case 1:
		OCR0B = v;
		break;
	case 2:
		OCR0A = v;
		break;
	case 3:
		cli();
		OCR1A = v;
		SREG = sreg;
		break;
	case 4:
		cli();
		OCR1B = v;
		SREG = sreg;
		break;
	default:
		OCR2A = v;
		break;
	}
}

/*
 * Per channel: ownership and steady level of its line, compare output
 * mode and compare value.
 */
void pwm_apply(void)
{
	uint16_t top1 = REG16(ARDUIPI_REG_T1_TOP);
	uint16_t own = 0, lvl = 0;	/* bank 0 in the low byte, 1 high */
	uint8_t com0 = 0, com1 = 0, com2 = 0, ch, sreg = SREG;
	uint16_t icr;

	cli();
	icr = ICR1;		/* through TEMP, as the stores below */
	SREG = sreg;
	if (icr != top1) {
		/*
		 * ICR1 is not double-buffered: a counter already past the new
		 * TOP would run on to 0xffff (a 65536-tick period, the pins
		 * stuck). New TOP first, then the check: a counter that
		 * reaches the new TOP meanwhile wraps by itself, and one
		 * already past it stays past it until it is reset here. Each
		 * 16-bit access (through TEMP) with interrupts off on its own,
		 * an instruction between them for a waiting interrupt. Before
		 * timer1's compare values, as they are checked against it.
		 */
		uint16_t t;

		cli();
		ICR1 = top1;
		SREG = sreg;
		__asm__ __volatile__("nop");
		cli();
		t = TCNT1;
		SREG = sreg;
		if (t > top1) {
			cli();
			TCNT1 = 0;
			SREG = sreg;
		}
	}
	for (ch = 0; ch < ARDUIPI_NPWM; ch++) {
		uint8_t c = REG(ARDUIPI_REG_PWM_CTRL(ch));
		uint8_t inv = c & ARDUIPI_PWM_INVERT, m, t;
		uint16_t d = REG16(ARDUIPI_REG_PWM_DUTY(ch));
		uint16_t bit = FLASH_READ(&pwm_hw[ch][0]);

		if (!(c & ARDUIPI_PWM_ENABLE))
			continue;
		if (ch >= 3)
			bit <<= 8;
		own |= bit;
		if (d >= pwm_full(ch, top1)) {		/* 100 %: steady */
			if (!inv)
				lvl |= bit;
			continue;
		}
		if (inv)
			lvl |= bit;
		if (!d)					/* 0 %: steady */
			continue;
		pwm_ocr(ch, d - 1);
		m = FLASH_READ(&pwm_hw[ch][2]);
		if (inv)
			m |= m >> 1;
		t = FLASH_READ(&pwm_hw[ch][1]);
		if (t == 0)
			com0 |= m;
		else if (t == 1)
			com1 |= m;
		else
			com2 |= m;
	}

	pwm_own[0] = own;
	pwm_own[1] = own >> 8;
	pwm_level[0] = lvl;
	pwm_level[1] = lvl >> 8;
	TCCR0A = com0 | _BV(WGM01) | _BV(WGM00);
	TCCR0B = REG(ARDUIPI_REG_T0_CLK);
	TCCR1A = com1 | _BV(WGM11);
	TCCR1B = _BV(WGM13) | _BV(WGM12) | REG(ARDUIPI_REG_T1_CLK);
	TCCR2A = com2 | _BV(WGM21) | _BV(WGM20);
	TCCR2B = REG(ARDUIPI_REG_T2_CLK);
	pins_apply();
}
