// SPDX-License-Identifier: MIT
/*
 * ArduiPi firmware: an ATmega328P as a register-style I2C device.
 *
 * Interrupts: TWI (twi.S, twi.c, proto.c), while the ADC stream runs ADC
 * (adc.S, adc.c: one sample into the FIFO) and, on the 16 MHz build, pin
 * changes (pci.S, edge.c). The main loop never waits:
 * it resumes a TWI worker that yielded, feeds the watchdog, keeps time
 * (clock.c), starts and stops the stream and samples the ADC otherwise
 * (adc.c), latches pin edges for the INT line, debounced or not (below),
 * runs the host-loss
 * failsafe and the application watchdog (failsafe.c), persists a new I2C
 * address and the boot state (persist.c; the pins' state after any reset,
 * applied in .init3), lets go of a bus a master left (below), and keeps a
 * bare read's reply fresh (twi_refresh(), once per timer0 tick).
 * State shared with the TWI worker is touched with interrupts off for a
 * few cycles at a time.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include <avr/wdt.h>
#include <avr/pgmspace.h>
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "twi.h"
#include "stream.h"
#include "clock.h"
#include "adc.h"
#include "failsafe.h"
#include "persist.h"
#include "edge.h"
#include "events.h"

#define BOOT_MAGIC	0x41504254UL	/* "APBT": RAM survived the reset */

/* Survive every reset except power-on. */
static uint8_t mcusr_saved __attribute__((section(".noinit")));
static uint32_t boot_magic __attribute__((section(".noinit")));
static uint8_t boot_count __attribute__((section(".noinit")));

/*
 * The reset cause a bootloader passes in r2, or 0 (unknown). Optiboot
 * 4.6 to 6.x clear MCUSR and pass it there; 7 and later leave MCUSR as it
 * was; 4.4 (the Arduino IDE's "new bootloader" for the Nano) passes
 * nothing, and r2 holds what it happened to leave: so r2 counts only
 * where the version word Optiboot keeps at the end of flash says 4.6 to
 * 7.x (lock bits that hide the boot section read as no version).
 */
#define OPTIBOOT_VERSION	((const uint16_t *)(FLASHEND - 1))

static uint8_t __attribute__((noinline)) boot_cause_r2(uint8_t r2)
{
	uint16_t v = pgm_read_word(OPTIBOOT_VERSION);

	return v >= 0x0406 && v < 0x0800 ? r2 & 0x0f : 0;
}

/* Before .data/.bss init: save and clear the reset cause, stop a watchdog
 * left running by a watchdog reset (it would fire in 15 ms), and put the
 * lines in their boot state: the first thing after any reset. */
void early_init(void) __attribute__((naked, used, section(".init3")));
void early_init(void)
{
	uint8_t r2, m;

	__asm__ __volatile__("mov %0, r2" : "=r"(r2));	/* first: not moved */
	m = MCUSR;
	mcusr_saved = m ? m : boot_cause_r2(r2);
	MCUSR = 0;
	wdt_disable();
	boot_early();
}

/*
 * Debounce (GPIO_DEBOUNCE, DEBOUNCE_MS): a debounced line's change counts
 * once its new level has been seen at every pass for DEBOUNCE_MS; one
 * that goes back sooner never counted. Time in the 1.024 ms steps of
 * now_us >> 10 (16 bits: 67 s before they wrap); db_since: the step a
 * pending change was first seen at. now_us moves a timer0 tick at a time
 * (1 to 32 steps), so a tick is added (as passed() does): the level has
 * held for DEBOUNCE_MS at least, and at most two ticks more.
 */
static uint8_t db_pend[3];
static uint16_t db_since[ARDUIPI_NGPIO];

static uint8_t __attribute__((noinline))
debounce(uint8_t b, uint8_t chg, uint8_t db, uint8_t ms)
{
	uint16_t steps = (((uint16_t)ms * 125 + 127) >> 7) + (tick_us >> 10);
	uint16_t now = now_us >> 10, *since = &db_since[8 * b];
	uint8_t pend = db_pend[b] & chg;	/* back at its level: not pending */
	uint8_t settled = 0, bit;

	for (bit = 1; bit && bit <= db; bit <<= 1, since++) {
		if (!(chg & db & bit))
			continue;
		if (!(pend & bit)) {
			pend |= bit;
			*since = now;
		} else if ((uint16_t)(now - *since) >= steps) {
			settled |= bit;
			pend &= ~bit;
		}
	}
	db_pend[b] = pend;
	return (chg & ~db) | settled;
}

/*
 * Latch enabled edges into IRQ_STATUS; or, with EDGE_CTRL set, store
 * those of debounced lines in the edge FIFO (the pin-change interrupts
 * store the others: edge.c), or every line's in a build without them.
 * INT is asserted while any latched edge or stored event is pending.
 * Out of line: inlined into main(), it wants the registers twi.S keeps
 * for itself (r2 to r4: the Makefile), and costs 56 bytes more.
 */
static void __attribute__((noinline)) irq_poll(void)
{
	static uint8_t last[3];
	uint8_t b, pending = 0, ms = REG(ARDUIPI_REG_DEBOUNCE_MS);
	uint8_t fifo = REG(ARDUIPI_REG_EDGE_CTRL), bit, line;

	edge_poll();
	for (b = 0; b < 3; b++) {
		uint8_t cur = pins_in(b), chg = cur ^ last[b], ev;
		uint8_t db = ms ? REG(ARDUIPI_REG_GPIO_DEBOUNCE + b) : 0;

		if (db)
			chg = debounce(b, chg, db, ms);
		else
			db_pend[b] = 0;
		ev = (chg & cur & REG(ARDUIPI_REG_GPIO_IRQ_RISE + b)) |
		     (chg & ~cur & REG(ARDUIPI_REG_GPIO_IRQ_FALL + b));
		last[b] ^= chg;
		if (fifo) {
			if (ARDUIPI_EDGE_PCINT)
				ev &= db;	/* the others: edge.c */
			for (bit = 1, line = 8 * b; ev; bit <<= 1, line++) {
				if (ev & bit)
					edge_put(line, cur & bit);
				ev &= ~bit;
			}
		} else if (ev) {
			cli();
			REG(ARDUIPI_REG_GPIO_IRQ_STATUS + b) |= ev;
			sei();
		}
		pending |= REG(ARDUIPI_REG_GPIO_IRQ_STATUS + b);
	}
	if (ev_w != ev_r || REG(ARDUIPI_REG_EDGE_LOST) != ev_lost_ack)
		pending = 1;
	/* the FIFO: at the watermark, and while overflowed until emptied */
	if (REG(ARDUIPI_REG_ADC_WATERMARK) &&
	    (stream_count >= REG(ARDUIPI_REG_ADC_WATERMARK) || stream_dropping))
		pending = 1;
	if (!!pending != int_asserted)
		int_set(!!pending);
}

/*
 * Safety net: TWEA is cleared to refuse the first byte beyond what a frame
 * can take (the last byte of a complete frame, or an unknown command's)
 * and set again by the next TWI event. Should none come, re-arm after 2 ms so the
 * device can never stay deaf to its address. And the slave-side timeout:
 * addressed, no event for ARDUIPI_TWI_TIMEOUT_MS (twi_timeout).
 */
static void twi_poll(void)
{
	static uint32_t off_us, ev_us;
	static uint8_t off, seen;
	uint8_t mark = twi_bus_mark();

	if (mark != seen) {
		seen = mark;
		stamp(&ev_us);
	} else if (mark && passed(&ev_us, ARDUIPI_TWI_TIMEOUT_MS)) {
		twi_timeout(mark);
		stamp(&ev_us);
	}

	if (TWCR & _BV(TWEA)) {
		off = 0;
	} else if (!off) {
		off = 1;
		stamp(&off_us);
	} else if (passed(&off_us, 2)) {
		cli();
		if (!(TWCR & _BV(TWEA)))
			TWCR = TWCR_IDLE;
		sei();
		off = 0;
	}
}

int main(void)
{
	uint8_t cause = mcusr_saved, addr, req;
	uint32_t fresh_us = 0;

	if ((cause & _BV(PORF)) || boot_magic != BOOT_MAGIC) {
		boot_magic = BOOT_MAGIC;
		boot_count = 0;
	}
	boot_count++;

	addr = addr_load();
	proto_init(addr, cause & 0x0f, boot_count);
	boot_state_image();
	pwm_apply();		/* timers, and the pins as they already are */
	twi_init(addr);
	wdt_enable(ARDUIPI_WDTO);
	sei();

	for (;;) {
		if (twi_flag(TWI_RESUME))	/* the TWI worker yielded to us */
			twi_resume_worker();
		wdt_reset();
		time_poll();
		cli();
		req = proto_req;
		proto_req = 0;
		sei();
		stream_poll();
		adc_poll();
		irq_poll();
#if ARDUIPI_ADC_RING
		adc_keep_up();	/* (stream_poll() looks too) */
#endif
		failsafe_poll(req);
		apply_poll();
		addr_poll(req & REQ_ADDR);
		boot_poll(req & REQ_BOOT);
		twi_poll();
#if ARDUIPI_ADC_RING
		adc_keep_up();
#endif
		if (now_us != fresh_us) {	/* once per timer0 tick */
			fresh_us = now_us;
			twi_refresh();
		}
	}
}
