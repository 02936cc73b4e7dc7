// SPDX-License-Identifier: MIT
/*
 * ArduiPi firmware: an ATmega328P as a register-style I2C device.
 *
 * The TWI interrupt (twi.S, twi.c, proto.c) is the only interrupt. The main
 * loop below never waits: it keeps time from timer0's overflow flag,
 * samples the ADC, latches pin edges for the INT line, runs the host-loss
 * failsafe and persists a new I2C address, then feeds the watchdog.
 * Shared multi-byte state is touched with interrupts off for a few cycles.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include <avr/wdt.h>
#include <avr/eeprom.h>
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "twi.h"

/* EEPROM: magic, address, ~address. */
#define EE_MAGIC	0xa5
#define BOOT_MAGIC	0x5a
#define ADDR_SWITCH_MS	10	/* lets the commit's status reply go out */

/* Survive every reset except power-on. */
static uint8_t mcusr_saved __attribute__((section(".noinit")));
static uint8_t boot_magic __attribute__((section(".noinit")));
static uint8_t boot_count __attribute__((section(".noinit")));

/* Before .data/.bss init: save and clear the reset cause, and stop a
 * watchdog left running by a watchdog reset (it would fire in 15 ms). */
void early_init(void) __attribute__((naked, used, section(".init3")));
void early_init(void)
{
	mcusr_saved = MCUSR;
	MCUSR = 0;
	wdt_disable();
}

static uint32_t now_ms;
static uint16_t now_us;

/* Timer0 runs the D5/D6 PWM and keeps time: one overflow per 256 ticks. */
static void time_poll(void)
{
	static const uint16_t tick_us[3] = {
		256UL * 64 * 1000 / (F_CPU / 1000),
		256UL * 256 * 1000 / (F_CPU / 1000),
		256UL * 1024 * 1000 / (F_CPU / 1000),
	};
	uint8_t cs = TCCR0B & 7;

	if (!(TIFR0 & _BV(TOV0)))
		return;
	TIFR0 = _BV(TOV0);
	now_us += tick_us[cs >= 3 && cs <= 5 ? cs - 3 : 0];
	while (now_us >= 1000) {
		now_us -= 1000;
		now_ms++;
	}
}

static void reg16_set(uint8_t r, uint16_t v)
{
	cli();
	REG(r) = v;
	REG(r + 1) = v >> 8;
	sei();
}

static uint16_t reg16_get(uint8_t r)
{
	uint16_t v;

	cli();
	v = REG16(r);
	sei();
	return v;
}

/*
 * ADC: A0..A7 plus the channel that shares the selected reference
 * (bandgap against AVcc -> AVcc in mV, or the temperature sensor against
 * 1.1 V), round robin. Every ARDUIPI_SLOW_ADC_MS the channel needing the
 * other reference is measured; results are kept only once the reference
 * has been stable for ARDUIPI_REF_SETTLE_MS.
 */
#define MUX_TEMP	8
#define MUX_BANDGAP	14
#define REFS_AVCC	_BV(REFS0)
#define REFS_1V1	(_BV(REFS1) | _BV(REFS0))

static uint8_t adc_admux = 0xff;	/* conversion in flight */
static uint8_t adc_scan;		/* next scan position, 0..8 */
static uint8_t adc_stable;		/* reference settled at start */
static uint32_t adc_ref_ms, adc_slow_ms;

static void adc_store(uint8_t admux, uint16_t v, uint8_t user)
{
	uint8_t mux = admux & 0x0f;

	if ((admux & REFS_1V1) != user)
		adc_slow_ms = now_ms;	/* the slow channel is done */
	if (mux < ARDUIPI_NADC) {
		reg16_set(ARDUIPI_REG_ADC_RESULT + 2 * mux, v);
	} else if (mux == MUX_TEMP) {
		reg16_set(ARDUIPI_REG_ADC_TEMP, v);
	} else if (v) {
		reg16_set(ARDUIPI_REG_ADC_BANDGAP, v);
		reg16_set(ARDUIPI_REG_ADC_AVCC_MV, 1100UL * 1024 / v);
	}
}

static void adc_poll(void)
{
	uint8_t user = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
	uint8_t other = user == REFS_AVCC ? REFS_1V1 : REFS_AVCC;
	uint8_t next;

	if (ADCSRA & _BV(ADSC))
		return;
	if (adc_admux != 0xff && adc_stable)
		adc_store(adc_admux, ADC, user);

	if (now_ms - adc_slow_ms >= ARDUIPI_SLOW_ADC_MS)
		next = other | (other == REFS_1V1 ? MUX_TEMP : MUX_BANDGAP);
	else if (adc_scan < ARDUIPI_NADC)
		next = user | adc_scan++;
	else {
		next = user | (user == REFS_1V1 ? MUX_TEMP : MUX_BANDGAP);
		adc_scan = 0;
	}
	if ((next ^ ADMUX) & (_BV(REFS1) | _BV(REFS0)))
		adc_ref_ms = now_ms;
	adc_stable = now_ms - adc_ref_ms >= ARDUIPI_REF_SETTLE_MS;
	ADMUX = next;
	adc_admux = next;
	ADCSRA = _BV(ADEN) | _BV(ADSC) | ARDUIPI_ADPS;
}

/* Latch enabled edges; INT is asserted while any latched edge is pending. */
static void irq_poll(void)
{
	static uint8_t last[3];
	uint8_t b, pending = 0;

	for (b = 0; b < 3; b++) {
		uint8_t cur = pins_in(b), chg = cur ^ last[b];
		uint8_t ev = (chg & cur & REG(ARDUIPI_REG_GPIO_IRQ_RISE + b)) |
			     (chg & ~cur & REG(ARDUIPI_REG_GPIO_IRQ_FALL + b));

		last[b] = cur;
		if (ev) {
			cli();
			REG(ARDUIPI_REG_GPIO_IRQ_STATUS + b) |= ev;
			sei();
		}
		pending |= REG(ARDUIPI_REG_GPIO_IRQ_STATUS + b);
	}
	if (!!pending != int_asserted)
		int_set(!!pending);
}

/* Host-loss failsafe: force the safe state once per silence. */
static uint32_t fed_ms;
static uint8_t fs_live;

static void failsafe_trip(void)
{
	uint8_t b, ch;

	cli();
	for (b = 0; b < 3; b++) {
		uint8_t m = REG(ARDUIPI_REG_FS_MASK + b);

		REG(ARDUIPI_REG_GPIO_DIR + b) |= m;
		REG(ARDUIPI_REG_GPIO_OUT + b) =
			(REG(ARDUIPI_REG_GPIO_OUT + b) & ~m) |
			(REG(ARDUIPI_REG_FS_LEVEL + b) & m);
	}
	for (ch = 0; ch < ARDUIPI_NPWM; ch++)
		if (REG(ARDUIPI_REG_FS_PWM) & BIT(ch))
			REG(ARDUIPI_REG_PWM_CTRL(ch)) &= ~ARDUIPI_PWM_ENABLE;
	REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_FS_TRIPPED;
	pwm_apply();
	sei();
}

static void failsafe_poll(uint8_t fed)
{
	uint16_t timeout = reg16_get(ARDUIPI_REG_FS_TIMEOUT);

	if (fed) {
		fed_ms = now_ms;
		fs_live = 1;
	}
	if (timeout && fs_live && now_ms - fed_ms >= timeout) {
		fs_live = 0;
		failsafe_trip();
	}
}

/* I2C address: EEPROM first, else the build default. */
static uint8_t addr_load(void)
{
	uint8_t a = eeprom_read_byte((uint8_t *)1);
	uint8_t inv = eeprom_read_byte((uint8_t *)2);

	if (eeprom_read_byte((uint8_t *)0) == EE_MAGIC &&
	    (uint8_t)(a ^ inv) == 0xff &&
	    a >= ARDUIPI_ADDR_MIN && a <= ARDUIPI_ADDR_MAX)
		return a;
	return ARDUIPI_ADDR;
}

static uint8_t ee_buf[3], ee_pos = sizeof(ee_buf), addr_next;
static uint32_t addr_ms;

static void addr_poll(uint8_t req)
{
	if (req) {
		addr_next = REG(ARDUIPI_REG_ADDR_NEW);
		addr_ms = now_ms;
		ee_buf[0] = EE_MAGIC;
		ee_buf[1] = addr_next;
		ee_buf[2] = ~addr_next;
		ee_pos = 0;
	}
	/* One byte per pass, only when the EEPROM is idle: never waits. */
	if (ee_pos < sizeof(ee_buf) && eeprom_is_ready()) {
		eeprom_update_byte((uint8_t *)(uint16_t)ee_pos, ee_buf[ee_pos]);
		ee_pos++;
	}
	if (addr_next && now_ms - addr_ms >= ADDR_SWITCH_MS) {
		cli();
		TWAR = addr_next << 1;
		proto_set_addr(addr_next);
		sei();
		addr_next = 0;
	}
}

/*
 * Safety net: TWEA is cleared to refuse the rest of a bad frame and set
 * again by the next TWI event. Should none come, re-arm after 2 ms so the
 * device can never stay deaf to its address.
 */
static void twi_poll(void)
{
	static uint32_t off_ms;
	static uint8_t off;

	if (TWCR & _BV(TWEA)) {
		off = 0;
	} else if (!off) {
		off = 1;
		off_ms = now_ms;
	} else if (now_ms - off_ms >= 2) {
		cli();
		if (!(TWCR & _BV(TWEA)))
			TWCR = _BV(TWEA) | _BV(TWEN) | _BV(TWIE);
		sei();
		off = 0;
	}
}

int main(void)
{
	uint8_t cause = mcusr_saved, addr, req;

	if ((cause & _BV(PORF)) || boot_magic != BOOT_MAGIC) {
		boot_magic = BOOT_MAGIC;
		boot_count = 0;
	}
	boot_count++;

	addr = addr_load();
	proto_init(addr, cause & 0x0f, boot_count);
	twi_init(addr);
	wdt_enable(ARDUIPI_WDTO);
	sei();

	for (;;) {
		wdt_reset();
		time_poll();
		cli();
		req = proto_req;
		proto_req = 0;
		sei();
		adc_poll();
		irq_poll();
		failsafe_poll(req & REQ_FED);
		addr_poll(req & REQ_ADDR);
		twi_poll();
	}
}
