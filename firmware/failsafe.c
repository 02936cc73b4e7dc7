// SPDX-License-Identifier: MIT
/*
 * The host-loss failsafe and the application watchdog: the safe state
 * forced into the register image, then applied to pins and timers.
 */
#include <avr/interrupt.h>
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "clock.h"
#include "failsafe.h"

/* Host-loss failsafe: force the safe state once per silence. */
static uint32_t fed_us;
static uint8_t fs_live;

/*
 * Pins and timers from the register image, with interrupts on so that the
 * TWI is never held up. Should the TWI worker apply a frame meanwhile,
 * this pass may have written an older state after it: the next main loop
 * pass applies again, until one ran undisturbed. One apply per pass, so a
 * steady stream of pin commands cannot keep the loop from feeding the
 * hardware watchdog.
 */
static uint8_t apply_due;

void apply_poll(void)
{
	uint8_t gen = hw_gen;

	if (!apply_due)
		return;
	pwm_apply();
	apply_due = (uint8_t)(hw_gen - gen) != 1;
}

/*
 * Edit the register image one byte at a time with interrupts off (a few
 * cycles each); the main loop applies it (apply_poll) right after.
 */
static void failsafe_trip(void)
{
	uint8_t b, ch;

	/* first: from now on the host's GPIO/PWM writes are refused (proto.c) */
	cli();
	REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_FS_TRIPPED;
	proto_gen++;	/* with it: a write checked before is checked again */
	sei();
	for (b = 0; b < 3; b++) {
		uint8_t m = REG(ARDUIPI_REG_FS_MASK + b);
		uint8_t lvl = REG(ARDUIPI_REG_FS_LEVEL + b) & m;
		uint8_t keep = ~m;
		uint8_t *dir = &REG(ARDUIPI_REG_GPIO_DIR + b);
		uint8_t *out = &REG(ARDUIPI_REG_GPIO_OUT + b);

		/* each read-modify-write on its own, a few cycles each, with
		 * an instruction in between for a waiting interrupt (no frame
		 * can change these in between: it sees the trip); addresses
		 * and mask in registers before (the empty asm), as clock.c */
		__asm__ __volatile__("" : "+r"(dir), "+r"(out), "+r"(keep));
		cli();
		*dir |= m;
		sei();
		__asm__ __volatile__("nop");
		cli();
		*out = (*out & keep) | lvl;
		sei();
	}
	for (ch = 0; ch < ARDUIPI_NPWM; ch++) {
		uint8_t *ctrl = &REG(ARDUIPI_REG_PWM_CTRL(ch));

		if (!(REG(ARDUIPI_REG_FS_PWM) & BIT(ch)))
			continue;
		__asm__ __volatile__("" : "+r"(ctrl));
		cli();
		*ctrl &= ~ARDUIPI_PWM_ENABLE;
		sei();
	}
	proto_gen++;	/* and once more: a check made during these edits */
	apply_due = 1;		/* apply_poll(), later in this pass */
}

/*
 * The application watchdog (REG_WDT, seconds): a host program's own sign
 * of life, a write of that register. Runs from each write, once, on the
 * value that write stored: a write the TWI committed after this pass took
 * its requests waits for the next pass, value and all.
 */
static uint32_t wdt_us;
static uint8_t wdt_s;

void failsafe_poll(uint8_t req)
{
	uint16_t timeout = reg16_get(ARDUIPI_REG_FS_TIMEOUT);

	if (req & REQ_FED) {
		stamp(&fed_us);
		fs_live = 1;
	}
	if (req & REQ_WDT) {
		stamp(&wdt_us);
		wdt_s = REG(ARDUIPI_REG_WDT);	/* one byte: atomic */
	}
	if (req & REQ_TRIP) {		/* the host leaves on purpose */
		failsafe_trip();
	} else if (timeout && fs_live && passed(&fed_us, timeout)) {
		fs_live = 0;
		failsafe_trip();
	} else if (wdt_s && passed(&wdt_us, wdt_s * 1000UL)) {
		wdt_s = 0;
		cli();
		REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_WDT_TRIPPED;
		sei();
		failsafe_trip();
	}
}
