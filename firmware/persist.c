// SPDX-License-Identifier: MIT
/*
 * What the EEPROM keeps: the I2C address and the boot state, each written
 * one byte per main loop pass (never a wait), in an order that leaves the
 * old one in force if the power goes during the write.
 */
#include <avr/io.h>
#include <avr/interrupt.h>
#include <avr/eeprom.h>
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "crc.h"
#include "clock.h"
#include "persist.h"

#define ADDR_SWITCH_MS	10	/* lets the commit's status reply go out */

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
/* noinline: called from the naked early_init(), which has no frame */
void __attribute__((noinline)) boot_early(void)
{
	uint8_t b[BOOT_LEN];

	if (boot_load(b))
		pins_boot(b + BOOT_DIR, b + BOOT_LVL);
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

uint8_t addr_load(void)
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
void boot_state_image(void)
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
void boot_poll(uint8_t req)
{
	uint8_t i;

	if (req) {
		/* a snapshot with interrupts on: taken again if a frame
		 * landed meanwhile (proto_frames moved; frames are much
		 * slower than this copy, and each try is bounded) */
		uint8_t n, tries = 8;

		do {
			n = proto_frames;
			/* regs is not volatile: read it again each time */
			__asm__ __volatile__("" ::: "memory");
			for (i = 0; i < 2 * ARDUIPI_GPIO_BANKS; i++)
				boot_buf[BOOT_DIR + i] = REG(ARDUIPI_REG_BOOT_DIR + i);
			boot_buf[BOOT_INT] = REG(ARDUIPI_REG_INT_PIN);
			__asm__ __volatile__("" ::: "memory");
		} while (n != proto_frames && --tries);
		if (n != proto_frames) {	/* frames kept coming: next pass */
			cli();
			proto_req |= REQ_BOOT;
			sei();
			return;
		}
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

void addr_poll(uint8_t req)
{
	uint8_t to = ee_slot == SLOT_A ? SLOT_A + 1 : SLOT_A;

	if (req) {
		addr_next = proto_addr;
		stamp(&addr_us);
		ee_buf[0] = 0;
		ee_buf[1] = ee_seq + 1;
		ee_buf[2] = addr_next;
		ee_buf[3] = ~addr_next;
		/* the stored address again: nothing to write, unless it is in
		 * the old slots (then it moves to the new ones) */
		ee_pos = addr_next == ee_addr && ee_slot >= SLOT_A ? EE_STEPS : 0;
	}
	if (ee_pos < EE_STEPS && ee_may_write()) {
		/* the slot's bytes in the order 2, 0, 1, 2 */
		eeprom_update_byte(EE_SLOT(to) + (ee_pos ? ee_pos - 1 : 2),
				   ee_buf[ee_pos]);
		if (++ee_pos == EE_STEPS) {	/* the new slot is in force */
			ee_slot = to;
			ee_seq = ee_buf[1];
			ee_addr = ee_buf[2];
		}
	}
	if (addr_next && passed(&addr_us, ADDR_SWITCH_MS)) {
		uint8_t a = addr_next, w = a << 1;

		/* worked out before: the window is the stores */
		__asm__ __volatile__("" : "+r"(a), "+r"(w));
		cli();
		TWAR = w;
		proto_set_addr(a);
		sei();
		addr_next = 0;
	}
}
