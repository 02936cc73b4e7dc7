// SPDX-License-Identifier: MIT
/*
 * ArduiPi firmware: an ATmega328P as a register-style I2C device.
 *
 * Two interrupts: TWI (twi.S, twi.c, proto.c) and, while the ADC stream
 * runs, ADC (below: one sample into the FIFO). The main loop never waits:
 * it resumes a TWI worker that yielded, feeds the watchdog, keeps time
 * from timer0's overflow flag, starts and stops the stream, samples the
 * ADC otherwise, latches pin edges for the INT line, runs the host-loss
 * failsafe and the application watchdog, and persists a new I2C address
 * and the boot state (the pins' state after any reset, applied in .init3).
 * State shared with the TWI worker is touched with interrupts off for a
 * few cycles at a time.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include <avr/wdt.h>
#include <avr/eeprom.h>
#include <avr/pgmspace.h>
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "twi.h"
#include "stream.h"
#include "crc8.h"
#include <util/delay_basic.h>

#define BOOT_MAGIC	0x41504254UL	/* "APBT": RAM survived the reset */
#define ADDR_SWITCH_MS	10	/* lets the commit's status reply go out */

/* Survive every reset except power-on. */
static uint8_t mcusr_saved __attribute__((section(".noinit")));
static uint32_t boot_magic __attribute__((section(".noinit")));
static uint8_t boot_count __attribute__((section(".noinit")));

/*
 * Boot state in EEPROM after the address slots: a marker, BOOT_DIR[3],
 * BOOT_LEVEL[3], the INT line when it was saved (never driven at boot),
 * and a CRC-8 of those seven (initial value 0x5a). A save clears the
 * marker first and sets it last, so a save cut short leaves no record;
 * without one every line is an input, as before there was a boot state.
 */
#define EE_BOOT		((uint8_t *)16)
#define BOOT_MARK	0xa5
#define BOOT_DIR	1		/* offsets in the record */
#define BOOT_LVL	4
#define BOOT_INT	7
#define BOOT_CRC	8
#define BOOT_LEN	9
#define BOOT_CRC0	0x5a

/* The stored record, if valid, in b[BOOT_LEN], its INT line masked out. */
static uint8_t boot_load(uint8_t *b)
{
	uint8_t line, m;

	eeprom_read_block(b, EE_BOOT, BOOT_LEN);
	if (b[0] != BOOT_MARK ||
	    crc8_buf(b + BOOT_DIR, BOOT_CRC - BOOT_DIR, BOOT_CRC0) != b[BOOT_CRC])
		return 0;
	line = b[BOOT_INT];
	if (line < ARDUIPI_NGPIO) {
		m = ~(1 << (line & 7));
		b[BOOT_DIR + (line >> 3)] &= m;
		b[BOOT_LVL + (line >> 3)] &= m;
	}
	return 1;
}

/* The lines in their boot state, straight from EEPROM. */
static void __attribute__((noinline)) boot_early(void)
{
	uint8_t b[BOOT_LEN];

	if (boot_load(b))
		pins_boot(b + BOOT_DIR, b + BOOT_LVL);
}

/*
 * The reset cause a bootloader passes in r2, or 0 (unknown). Optiboot
 * 4.6 to 7 clear MCUSR and pass it there; Optiboot 8 leaves MCUSR as it
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

static uint32_t now_us;		/* wraps after 71 minutes */
static uint16_t tick_us;	/* one timer0 overflow */

/* At least ms have passed since since: now_us moves a tick at a time. */
static uint8_t passed(uint32_t since, uint32_t ms)
{
	return now_us - since >= ms * 1000UL + tick_us;
}

/* Timer0 runs the D5/D6 PWM and keeps time: one overflow per 256 ticks. */
static void time_poll(void)
{
	static const uint16_t tick[3] = {
		256UL * 64 * 1000 / (F_CPU / 1000),
		256UL * 256 * 1000 / (F_CPU / 1000),
		256UL * 1024 * 1000 / (F_CPU / 1000),
	};
	uint8_t cs = TCCR0B & 7;

	if (!(TIFR0 & _BV(TOV0)))
		return;
	TIFR0 = _BV(TOV0);
	tick_us = tick[cs >= 3 && cs <= 5 ? cs - 3 : 0];
	now_us += tick_us;
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

static void adc_store(uint8_t admux, uint16_t v, uint8_t user)
{
	uint8_t mux = admux & 0x0f;

	if ((admux & REFS_1V1) != user)
		adc_slow_us = now_us;	/* the slow channel is done */
	else if (mux < ARDUIPI_NADC)
		reg16_set(ARDUIPI_REG_ADC_RESULT + 2 * mux, v);
	if (mux == MUX_TEMP) {
		reg16_set(ARDUIPI_REG_ADC_TEMP, v);
	} else if (mux == MUX_BANDGAP && v) {
		uint16_t mv = 1100UL * 1024 / v;

		reg16_set(ARDUIPI_REG_ADC_BANDGAP, v);
		reg16_set(ARDUIPI_REG_ADC_AVCC_MV, mv);
		/* no EEPROM write below the clock's supply range (config.h) */
		avcc_us = now_us;
		proto_ee_refuse = mv < ARDUIPI_EE_MIN_MV ? ARDUIPI_ERR_LOW_SUPPLY : 0;
	}
}

static uint8_t st_on;		/* the stream owns the ADC */

static void adc_poll(void)
{
	uint8_t user = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
	uint8_t other = user == REFS_AVCC ? REFS_1V1 : REFS_AVCC;
	uint8_t next;

	if (st_on || (ADCSRA & _BV(ADSC)))
		return;
	if (adc_admux != 0xff && adc_stable && adc_keep)
		adc_store(adc_admux, ADC, user);

	adc_keep = 1;
	if (passed(adc_slow_us, ARDUIPI_SLOW_ADC_MS)) {
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
		adc_ref_us = now_us;
	adc_stable = passed(adc_ref_us, ARDUIPI_REF_SETTLE_MS);
	ADMUX = next;
	adc_admux = next;
	ADCSRA = _BV(ADEN) | _BV(ADSC) | ARDUIPI_ADPS;
}

/*
 * ADC stream: the ADC runs free (a conversion every 13 ADC clocks, 104 us)
 * and each interrupt moves the finished result into the FIFO. The
 * conversion after it has already started with the multiplexer as it was,
 * so the handler sets it for the one after that: position p + 2 of the
 * scan period. It runs with interrupts off, so the TWI worker (which the
 * main loop cannot outrun at 400 kHz) never delays it; in exchange it
 * delays the TWI interrupt by its own length, a few microseconds
 * (Documentation/adc.rst has the measured clock stretch).
 */
static uint8_t st_mux[ARDUIPI_NADC], st_nch;	/* REFS | input */
static uint16_t st_div, st_pos;

ISR(ADC_vect)
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
}

/* Start and stop the stream as the register asks (proto.c resets the FIFO). */
static void stream_poll(void)
{
	uint8_t want = REG(ARDUIPI_REG_ADC_STREAM), scan, refs, i;

	/* the stream owns the ADC: AVcc goes unmeasured, EEPROM writes wait
	 * (a supply measured low stays that until measured again) */
	if (st_on && proto_ee_refuse != ARDUIPI_ERR_LOW_SUPPLY &&
	    passed(avcc_us, 2 * ARDUIPI_SLOW_ADC_MS))
		proto_ee_refuse = ARDUIPI_ERR_BUSY;
	if (want == st_on || (want && (ADCSRA & _BV(ADSC))))
		return;		/* starting: let a conversion finish first */
	if (!want) {
		ADCSRA = _BV(ADEN) | ARDUIPI_ADPS;	/* the last one finishes */
		adc_admux = 0xff;
		st_on = 0;
		return;
	}
	scan = REG(ARDUIPI_REG_ADC_SCAN);
	refs = REG(ARDUIPI_REG_ADC_REF) ? REFS_1V1 : REFS_AVCC;
	for (i = 0, st_nch = 0; i < ARDUIPI_NADC; i++)
		if (scan & BIT(i))
			st_mux[st_nch++] = refs | i;
	st_div = REG16(ARDUIPI_REG_ADC_DIV);
	st_pos = 0;
	ADMUX = st_mux[0];
	ADCSRB = 0;		/* free running */
	ADCSRA = _BV(ADEN) | _BV(ADSC) | _BV(ADATE) | _BV(ADIF) | _BV(ADIE) |
		 ARDUIPI_ADPS;
	/* The multiplexer may change one ADC clock after the start. */
	_delay_loop_1((1 << ARDUIPI_ADPS) / 3 + 1);
	ADMUX = st_mux[st_nch > 1 ? 1 : 0];	/* position 1 (div >= nch) */
	st_on = 1;
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
	/* the FIFO: at the watermark, and while overflowed until emptied */
	if (REG(ARDUIPI_REG_ADC_WATERMARK) &&
	    (stream_count >= REG(ARDUIPI_REG_ADC_WATERMARK) || stream_dropping))
		pending = 1;
	if (!!pending != int_asserted)
		int_set(!!pending);
}

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

static void apply_poll(void)
{
	uint8_t gen = hw_gen;

	if (!apply_due)
		return;
	pwm_apply();
	apply_due = (uint8_t)(hw_gen - gen) != 1;
}

/*
 * Edit the register image one byte at a time with interrupts off (a few
 * cycles each), then apply it (apply_poll).
 */
static void failsafe_trip(void)
{
	uint8_t b, ch;

	/* first: from now on the host's GPIO/PWM writes are refused (proto.c) */
	cli();
	REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_FS_TRIPPED;
	sei();
	for (b = 0; b < 3; b++) {
		uint8_t m = REG(ARDUIPI_REG_FS_MASK + b);
		uint8_t lvl = REG(ARDUIPI_REG_FS_LEVEL + b) & m;
		uint8_t *dir = &REG(ARDUIPI_REG_GPIO_DIR + b);
		uint8_t *out = &REG(ARDUIPI_REG_GPIO_OUT + b);

		cli();		/* each read-modify-write on its own */
		*dir |= m;
		*out = (*out & ~m) | lvl;
		sei();
	}
	for (ch = 0; ch < ARDUIPI_NPWM; ch++) {
		if (!(REG(ARDUIPI_REG_FS_PWM) & BIT(ch)))
			continue;
		cli();
		REG(ARDUIPI_REG_PWM_CTRL(ch)) &= ~ARDUIPI_PWM_ENABLE;
		sei();
	}
	apply_due = 1;
	apply_poll();
}

/*
 * The application watchdog (REG_WDT, seconds): a host program's own sign
 * of life, a write of that register. Runs from each write, once, on the
 * value that write stored: a write the TWI committed after this pass took
 * its requests waits for the next pass, value and all.
 */
static uint32_t wdt_us;
static uint8_t wdt_s;

static void failsafe_poll(uint8_t req)
{
	uint16_t timeout = reg16_get(ARDUIPI_REG_FS_TIMEOUT);

	if (req & REQ_FED) {
		fed_us = now_us;
		fs_live = 1;
	}
	if (req & REQ_WDT) {
		wdt_us = now_us;
		wdt_s = REG(ARDUIPI_REG_WDT);	/* one byte: atomic */
	}
	if (req & REQ_TRIP) {		/* the host leaves on purpose */
		failsafe_trip();
	} else if (timeout && fs_live && passed(fed_us, timeout)) {
		fs_live = 0;
		failsafe_trip();
	} else if (wdt_s && passed(wdt_us, wdt_s * 1000UL)) {
		wdt_s = 0;
		cli();
		REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_WDT_TRIPPED;
		sei();
		failsafe_trip();
	}
}

/*
 * I2C address in EEPROM: two slots of [sequence, address, ~address] at
 * bytes 8 and 12; the valid slot with the newer sequence wins. Not at
 * byte 0, the one a write cut short by a brown-out is known to corrupt:
 * firmware before protocol 1.2 kept the slots at bytes 0 and 4, read when
 * neither new slot is valid.
 */
#define EE_SLOT(s)	((uint8_t *)(uint16_t)(4 * (s)))
#define SLOT_A		2		/* slots 2 and 3; the old ones 0 and 1 */

static uint8_t ee_slot, ee_seq, ee_addr;	/* slot in force, its sequence
						 * and address (0: none) */

static uint8_t slot_addr(uint8_t s)
{
	uint8_t a = eeprom_read_byte(EE_SLOT(s) + 1);
	uint8_t inv = eeprom_read_byte(EE_SLOT(s) + 2);

	return (uint8_t)(a ^ inv) == 0xff && a >= ARDUIPI_ADDR_MIN &&
	       a <= ARDUIPI_ADDR_MAX ? a : 0;
}

/* The address in force in the slot pair from s, or 0. */
static uint8_t addr_pair(uint8_t s)
{
	uint8_t a0 = slot_addr(s), a1 = slot_addr(s + 1);
	uint8_t s0 = eeprom_read_byte(EE_SLOT(s));
	uint8_t s1 = eeprom_read_byte(EE_SLOT(s + 1));

	if (a1 && (!a0 || (int8_t)(s1 - s0) > 0)) {
		s++;
		s0 = s1;
		a0 = a1;
	}
	ee_slot = s;
	ee_seq = s0;
	return ee_addr = a0;
}

static uint8_t addr_load(void)
{
	uint8_t a = addr_pair(SLOT_A);

	if (!a)
		a = addr_pair(0);
	return a ? a : ARDUIPI_ADDR;
}

/*
 * The next byte of a save may go to the EEPROM: it is idle, and the supply
 * is not measured low (a save under way waits for it: both writers order
 * their bytes so that a save cut short leaves the old state in force).
 */
static uint8_t ee_may_write(void)
{
	return eeprom_is_ready() && proto_ee_refuse != ARDUIPI_ERR_LOW_SUPPLY;
}

static uint8_t boot_buf[BOOT_LEN], boot_pos = BOOT_LEN + 1;

/* The register image says what early_init() did (no pins written). */
static void boot_state_image(void)
{
	uint8_t b, dir, lvl;

	if (!boot_load(boot_buf))
		return;
	for (b = 0; b < ARDUIPI_GPIO_BANKS; b++) {
		dir = boot_buf[BOOT_DIR + b];
		lvl = boot_buf[BOOT_LVL + b];
		REG(ARDUIPI_REG_BOOT_DIR + b) = dir;
		REG(ARDUIPI_REG_BOOT_LEVEL + b) = lvl;
		REG(ARDUIPI_REG_GPIO_DIR + b) = dir;
		REG(ARDUIPI_REG_GPIO_OUT + b) = lvl & dir;
		REG(ARDUIPI_REG_GPIO_PULLUP + b) = lvl & ~dir;
	}
}

/*
 * BOOT_SAVE: one byte per pass when the EEPROM is idle: the marker
 * cleared, the record, the marker set (step BOOT_LEN).
 */
static void boot_poll(uint8_t req)
{
	uint8_t i;

	if (req) {
		cli();
		for (i = 0; i < 2 * ARDUIPI_GPIO_BANKS; i++)
			boot_buf[BOOT_DIR + i] = REG(ARDUIPI_REG_BOOT_DIR + i);
		boot_buf[BOOT_INT] = REG(ARDUIPI_REG_INT_PIN);
		sei();
		boot_buf[0] = 0;
		boot_buf[BOOT_CRC] = crc8_buf(boot_buf + BOOT_DIR, BOOT_CRC - BOOT_DIR,
					      BOOT_CRC0);
		boot_pos = 0;
	}
	if (boot_pos <= BOOT_LEN && ee_may_write()) {
		if (boot_pos < BOOT_LEN)
			eeprom_update_byte(EE_BOOT + boot_pos, boot_buf[boot_pos]);
		else
			eeprom_update_byte(EE_BOOT, BOOT_MARK);
		if (++boot_pos > BOOT_LEN) {
			cli();		/* not while another save waits */
			if (!(proto_req & REQ_BOOT))
				REG(ARDUIPI_REG_BOOT_SAVE) = 0;
			sei();
		}
	}
}

/*
 * A new address goes into the slot not in force: its ~address byte
 * cleared first (the slot is invalid from then on), the sequence, the
 * address, and ~address last, so a power cut at any point leaves the old
 * address in force. A commit while one is being written starts it again
 * in the same slot; a commit of the stored address writes nothing (and
 * stops one being written: that slot stays invalid). One byte per pass,
 * only when the EEPROM is idle (and the supply not low): never waits.
 */
#define EE_STEPS	4

static uint8_t ee_buf[EE_STEPS], ee_pos = EE_STEPS, addr_next;
static uint32_t addr_us;

static void addr_poll(uint8_t req)
{
	static const uint8_t order[EE_STEPS] = { 2, 0, 1, 2 };
	uint8_t to = ee_slot == SLOT_A ? SLOT_A + 1 : SLOT_A;

	if (req) {
		addr_next = proto_addr;
		addr_us = now_us;
		ee_buf[0] = 0;
		ee_buf[1] = ee_seq + 1;
		ee_buf[2] = addr_next;
		ee_buf[3] = ~addr_next;
		/* the stored address again: nothing to write, unless it is in
		 * the old slots (then it moves to the new ones) */
		ee_pos = addr_next == ee_addr && ee_slot >= SLOT_A ? EE_STEPS : 0;
	}
	if (ee_pos < EE_STEPS && ee_may_write()) {
		eeprom_update_byte(EE_SLOT(to) + order[ee_pos], ee_buf[ee_pos]);
		if (++ee_pos == EE_STEPS) {	/* the new slot is in force */
			ee_slot = to;
			ee_seq = ee_buf[1];
			ee_addr = ee_buf[2];
		}
	}
	if (addr_next && passed(addr_us, ADDR_SWITCH_MS)) {
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
 * device can never stay deaf to its address. And the slave-side timeout:
 * addressed, no event for ARDUIPI_TWI_TIMEOUT_MS (twi_timeout).
 */
static void twi_poll(void)
{
	static uint32_t off_us, ev_us;
	static uint8_t off, seen;
	uint8_t mark = twi_bus_mark();

	if (!mark || mark != seen) {
		seen = mark;
		ev_us = now_us;
	} else if (passed(ev_us, ARDUIPI_TWI_TIMEOUT_MS)) {
		twi_timeout(mark);
		ev_us = now_us;
	}

	if (TWCR & _BV(TWEA)) {
		off = 0;
	} else if (!off) {
		off = 1;
		off_us = now_us;
	} else if (passed(off_us, 2)) {
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
	boot_state_image();
	pwm_apply();		/* timers, and the pins as they already are */
	twi_init(addr);
	wdt_enable(ARDUIPI_WDTO);
	sei();

	for (;;) {
		if (twi_resume) {	/* the TWI worker yielded to us */
			twi_resume = 0;
			twi_worker();
			sei();
		}
		wdt_reset();
		time_poll();
		cli();
		req = proto_req;
		proto_req = 0;
		sei();
		stream_poll();
		adc_poll();
		irq_poll();
		failsafe_poll(req);
		apply_poll();
		addr_poll(req & REQ_ADDR);
		boot_poll(req & REQ_BOOT);
		twi_poll();
	}
}
