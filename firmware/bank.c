// SPDX-License-Identifier: MIT
/*
 * The register bank: what each register accepts, the checks across
 * registers, and how a write lands. A write frame's register bytes are
 * checked as they arrive (bank_check_byte()), its checks across registers
 * on its last data byte when its length is known (bank_precheck()), the
 * rest at the commit (bank_commit()); it is stored (bank_store()) at once,
 * or for a PEC write after its status has gone out. Called by proto.c
 * only.
 */
#include "config.h"
#include "proto.h"
#include "bank.h"
#include "pins.h"
#include "flash.h"
#include "stream.h"
#include "events.h"

uint8_t regs[NREGS];
uint8_t bank_apply;

/*
 * The frame being received and committed (frame_val() looks into it): the
 * first refusal of its register bytes in c_err; c_store: checked, to be
 * stored; c_early: bank_precheck() done, its results c_e1 (the FIFO pop's
 * shape), c_e2 (duties against periods) and c_res (all checks, as of
 * proto_gen c_gen).
 */
static uint8_t c_reg, c_n, c_last, c_err, c_store;
static uint8_t c_early, c_e1, c_e2, c_res, c_gen;
static const uint8_t *c_data;

uint8_t is_bank(uint8_t r)
{
	return (r >= ARDUIPI_REG_FIRST && r <= ARDUIPI_REG_LOW_LAST) ||
	       (r >= ARDUIPI_REG_HIGH_FIRST && r <= ARDUIPI_REG_LAST);
}

/* ---- Checks ---------------------------------------------------------------- */

/* Value a register will have once the frame being committed is applied. */
static uint8_t frame_val(uint8_t r)
{
	if (r >= c_reg && r - c_reg < c_n)
		return c_data[r - c_reg];
	return REG(r);
}

static uint16_t frame_val16(uint8_t r)
{
	return frame_val(r) | (uint16_t)frame_val(r + 1) << 8;
}

/* Whether the frame being committed writes any of first..last. */
static inline __attribute__((always_inline)) uint8_t
frame_covers(uint8_t first, uint8_t last)
{
	return c_reg <= last && c_last >= first;
}

/* Bits of a line bank that may be set: A4/A5, nonexistent lines and the
 * INT line are refused. */
static uint8_t line_bits_check(uint8_t bank, uint8_t v, uint8_t int_line)
{
	if (bank == 2 && (v & 0xf0))
		return ARDUIPI_ERR_BAD_PIN;
	if (bank == 2 && (v & 0x0c))
		return ARDUIPI_ERR_RESERVED_PIN;
	if (int_line < ARDUIPI_NGPIO && (int_line >> 3) == bank &&
	    (v & (1 << (int_line & 7))))
		return ARDUIPI_ERR_RESERVED_PIN;
	return ARDUIPI_OK;
}

/*
 * What a register accepts (low nibble) and how a write lands (high
 * nibble); one byte per register of the bank.
 */
enum rtype {
	R_BAD,		/* a hole in the bank */
	R_RO,		/* read-only */
	R_ANY,		/* any value; W1C, clear-on-write or checked per frame */
	R_LINES0,	/* line bits of bank 0, 1, 2 */
	R_LINES1,
	R_LINES2,
	R_ADDR,		/* a 7-bit address */
	R_INT_PIN,	/* a line below A4, or none */
	R_FS_PWM,	/* PWM channel bits */
	R_ADC_REF,
	R_PWM_CTRL,
	R_T0_CLK,	/* 3..5: timer0 keeps time, no faster than /64 */
	R_T2_CLK,	/* 1..7 */
	R_T1_CLK,	/* 1..5 */
	R_ADC_SCAN,	/* inputs A0..A7 but A4/A5 */
	R_BOOL,		/* 0 or 1 */
};

enum stype {
	S_PLAIN = 0x00,		/* stored as written */
	S_SET = 0x10,		/* OUT |= v */
	S_CLR = 0x20,		/* OUT &= ~v */
	S_W1C = 0x30,		/* write 1 to clear */
	S_ZERO = 0x40,		/* any write clears */
	S_COMMIT = 0x50,	/* address change request */
	S_INT = 0x60,		/* INT line moves */
	S_STATUS = 0x70,	/* W1C of the W1C bits only */
	S_STREAM = 0x80,	/* ADC stream on/off */
	S_NONE = 0x90,		/* applied by commit_bank() */
	S_TRIP = 0xa0,		/* 1: failsafe now; never stored */
	S_WDT = 0xb0,		/* stored; the count starts again */
	S_BOOT = 0xc0,		/* 1: save the boot state; reads 1 till done */
	S_EDGE = 0xd0,		/* stored; a change empties the edge FIFO */
	S_LOST = 0xe0,		/* the host has seen EDGE_LOST at this */
};

#define RT(first, last, t)	[(first) - ARDUIPI_REG_FIRST ... \
				 (last) - ARDUIPI_REG_FIRST] = (t)
#define PWM_RT(c)	RT(ARDUIPI_REG_PWM_DUTY(c), ARDUIPI_REG_PWM_DUTY(c) + 1, \
			   R_ANY), RT(ARDUIPI_REG_PWM_CTRL(c),		\
				      ARDUIPI_REG_PWM_CTRL(c), R_PWM_CTRL)
#define LINES_RT(r, s)	RT(r, r, R_LINES0 | (s)),			\
			RT((r) + 1, (r) + 1, R_LINES1 | (s)),		\
			RT((r) + 2, (r) + 2, R_LINES2 | (s))

static const uint8_t rtype[NREGS] FLASH = {
	RT(ARDUIPI_REG_ID0, ARDUIPI_REG_BOOT_COUNT, R_RO),
	RT(ARDUIPI_REG_STATUS, ARDUIPI_REG_STATUS, R_ANY | S_STATUS),
	RT(ARDUIPI_REG_ERROR, ARDUIPI_REG_PEC_ERR_COUNT, R_ANY | S_ZERO),
	RT(ARDUIPI_REG_ADDR, ARDUIPI_REG_ADDR, R_RO),
	RT(ARDUIPI_REG_ADDR_NEW, ARDUIPI_REG_ADDR_NEW, R_ADDR),
	RT(ARDUIPI_REG_ADDR_COMMIT, ARDUIPI_REG_ADDR_COMMIT, R_ANY | S_COMMIT),
	RT(ARDUIPI_REG_INT_PIN, ARDUIPI_REG_INT_PIN, R_INT_PIN | S_INT),
	LINES_RT(ARDUIPI_REG_GPIO_DIR, S_PLAIN),
	LINES_RT(ARDUIPI_REG_GPIO_OUT, S_PLAIN),
	RT(ARDUIPI_REG_GPIO_IN, ARDUIPI_REG_GPIO_IN + 2, R_RO),
	LINES_RT(ARDUIPI_REG_GPIO_PULLUP, S_PLAIN),
	LINES_RT(ARDUIPI_REG_GPIO_SET, S_SET),
	LINES_RT(ARDUIPI_REG_GPIO_CLR, S_CLR),
	LINES_RT(ARDUIPI_REG_GPIO_IRQ_RISE, S_PLAIN),
	LINES_RT(ARDUIPI_REG_GPIO_IRQ_FALL, S_PLAIN),
	RT(ARDUIPI_REG_GPIO_IRQ_STATUS, ARDUIPI_REG_GPIO_IRQ_STATUS + 2,
	   R_ANY | S_W1C),
	RT(ARDUIPI_REG_ADC_FIFO_COUNT, ARDUIPI_REG_ADC_FIFO_COUNT, R_RO),
	RT(ARDUIPI_REG_ADC_FIFO_SEQ, ARDUIPI_REG_ADC_FIFO_SEQ + 1, R_ANY | S_NONE),
	RT(ARDUIPI_REG_EDGE_COUNT, ARDUIPI_REG_EDGE_FIRST, R_RO),
	RT(ARDUIPI_REG_FS_TIMEOUT, ARDUIPI_REG_FS_TIMEOUT + 1, R_ANY),
	LINES_RT(ARDUIPI_REG_FS_MASK, S_PLAIN),
	LINES_RT(ARDUIPI_REG_FS_LEVEL, S_PLAIN),
	RT(ARDUIPI_REG_FS_PWM, ARDUIPI_REG_FS_PWM, R_FS_PWM),
	RT(ARDUIPI_REG_ADC_SCAN, ARDUIPI_REG_ADC_SCAN, R_ADC_SCAN),
	RT(ARDUIPI_REG_ADC_DIV, ARDUIPI_REG_ADC_DIV + 1, R_ANY),
	RT(ARDUIPI_REG_ADC_STREAM, ARDUIPI_REG_ADC_STREAM, R_BOOL | S_STREAM),
	RT(ARDUIPI_REG_ADC_WATERMARK, ARDUIPI_REG_ADC_WATERMARK, R_ANY),
	RT(ARDUIPI_REG_ADC_FIFO, ARDUIPI_REG_ADC_FIFO, R_RO),
	RT(ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_FS_TRIP, R_BOOL | S_TRIP),
	LINES_RT(ARDUIPI_REG_BOOT_DIR, S_PLAIN),
	LINES_RT(ARDUIPI_REG_BOOT_LEVEL, S_PLAIN),
	RT(ARDUIPI_REG_BOOT_SAVE, ARDUIPI_REG_BOOT_SAVE, R_BOOL | S_BOOT),
	LINES_RT(ARDUIPI_REG_GPIO_DEBOUNCE, S_PLAIN),
	RT(ARDUIPI_REG_DEBOUNCE_MS, ARDUIPI_REG_DEBOUNCE_MS, R_ANY),
	RT(ARDUIPI_REG_EDGE_CTRL, ARDUIPI_REG_EDGE_CTRL, R_BOOL | S_EDGE),
	RT(ARDUIPI_REG_EDGE_LOST, ARDUIPI_REG_EDGE_LOST, R_ANY | S_LOST),
	RT(ARDUIPI_REG_EDGE_SEQ, ARDUIPI_REG_EDGE_SEQ, R_ANY | S_NONE),
	RT(ARDUIPI_REG_EDGE_FIFO, ARDUIPI_REG_EDGE_FIFO + ARDUIPI_EDGE_DEPTH - 1,
	   R_RO),
	RT(ARDUIPI_REG_ADC_RESULT, ARDUIPI_REG_ADC_BANDGAP + 1, R_RO),
	RT(ARDUIPI_REG_ADC_REF, ARDUIPI_REG_ADC_REF, R_ADC_REF),
	PWM_RT(0), PWM_RT(1), PWM_RT(2), PWM_RT(3), PWM_RT(4), PWM_RT(5),
	RT(ARDUIPI_REG_T0_CLK, ARDUIPI_REG_T0_CLK, R_T0_CLK),
	RT(ARDUIPI_REG_T2_CLK, ARDUIPI_REG_T2_CLK, R_T2_CLK),
	RT(ARDUIPI_REG_T1_CLK, ARDUIPI_REG_T1_CLK, R_T1_CLK),
	RT(ARDUIPI_REG_T1_TOP, ARDUIPI_REG_T1_TOP + 1, R_ANY),
	RT(ARDUIPI_REG_WDT, ARDUIPI_REG_WDT, R_ANY | S_WDT),
};

static uint8_t reg_check(uint8_t r, uint8_t v)
{
	uint8_t t = is_bank(r) ? FLASH_READ(&rtype[r - ARDUIPI_REG_FIRST]) & 0x0f :
		    R_BAD;

	switch (t) {
	case R_RO:
		return ARDUIPI_ERR_READ_ONLY;
	case R_ANY:
		return ARDUIPI_OK;
	case R_LINES0:
	case R_LINES1:
	case R_LINES2:
		return line_bits_check(t - R_LINES0, v,
				       frame_val(ARDUIPI_REG_INT_PIN));
	case R_ADDR:
		return v >= ARDUIPI_ADDR_MIN && v <= ARDUIPI_ADDR_MAX ?
		       ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	case R_INT_PIN:
		return v < ARDUIPI_LINE_SDA || v == ARDUIPI_INT_PIN_NONE ?
		       ARDUIPI_OK : ARDUIPI_ERR_BAD_PIN;
	case R_FS_PWM:
		return v < BIT(ARDUIPI_NPWM) ? ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	case R_ADC_REF:
		return v <= ARDUIPI_ADC_REF_1V1 ? ARDUIPI_OK :
		       ARDUIPI_ERR_BAD_VALUE;
	case R_PWM_CTRL:
		return v & ~(ARDUIPI_PWM_ENABLE | ARDUIPI_PWM_INVERT) ?
		       ARDUIPI_ERR_BAD_VALUE : ARDUIPI_OK;
	case R_T0_CLK:
		return v >= 3 && v <= 5 ? ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	case R_T2_CLK:
		return v >= 1 && v <= 7 ? ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	case R_T1_CLK:
		return v >= 1 && v <= 5 ? ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	case R_ADC_SCAN:
		return v & 0x30 ? ARDUIPI_ERR_RESERVED_PIN : ARDUIPI_OK;
	case R_BOOL:
		return v <= 1 ? ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
	default:
		return ARDUIPI_ERR_BAD_REG;
	}
}

static uint8_t bits(uint8_t v)
{
	uint8_t n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* The ADC stream: its configuration is fixed while it runs. */
static uint8_t stream_check(void)
{
	uint8_t on = frame_val(ARDUIPI_REG_ADC_STREAM), n;

	if (REG(ARDUIPI_REG_ADC_STREAM) && on &&
	    (frame_val(ARDUIPI_REG_ADC_SCAN) != REG(ARDUIPI_REG_ADC_SCAN) ||
	     frame_val16(ARDUIPI_REG_ADC_DIV) != REG16(ARDUIPI_REG_ADC_DIV) ||
	     frame_val(ARDUIPI_REG_ADC_REF) != REG(ARDUIPI_REG_ADC_REF)))
		return ARDUIPI_ERR_BUSY;
	n = bits(frame_val(ARDUIPI_REG_ADC_SCAN));
	if (on && (!n || frame_val16(ARDUIPI_REG_ADC_DIV) < n))
		return ARDUIPI_ERR_BAD_VALUE;
	return ARDUIPI_OK;
}

/* Out of the common path: a frame that would change what a trip forced. */
static uint8_t __attribute__((noinline)) tripped_check(void)
{
	return frame_covers(ARDUIPI_REG_GPIO_DIR, ARDUIPI_REG_GPIO_CLR + 2) ||
	       frame_covers(ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_T1_TOP + 1) ?
	       ARDUIPI_ERR_TRIPPED : ARDUIPI_OK;
}

/*
 * An EEPROM write: an address commit, a boot state save, or the INT line
 * moved onto a line of the boot state (line_release() saves it again).
 */
static uint8_t __attribute__((noinline)) ee_check(void)
{
	uint8_t line = frame_val(ARDUIPI_REG_INT_PIN), b = line >> 3;

	return frame_covers(ARDUIPI_REG_ADDR_COMMIT, ARDUIPI_REG_ADDR_COMMIT) ||
	       (frame_covers(ARDUIPI_REG_BOOT_SAVE, ARDUIPI_REG_BOOT_SAVE) &&
		frame_val(ARDUIPI_REG_BOOT_SAVE)) ||
	       (frame_covers(ARDUIPI_REG_INT_PIN, ARDUIPI_REG_INT_PIN) &&
		line < ARDUIPI_NGPIO &&
		((frame_val(ARDUIPI_REG_BOOT_DIR + b) |
		  frame_val(ARDUIPI_REG_BOOT_LEVEL + b)) & (1 << (line & 7))));
}

/*
 * Checks that involve several registers, on the values after the frame,
 * in two parts. The long ones look only at the frame and at registers
 * that only frames change (duties, periods: a failsafe trip only turns
 * channels off), so a PEC write runs them on its last data byte, while its
 * PEC byte is on the wire (bank_precheck()).
 *
 * Every duty against its period, on the PWM image as the frame leaves it:
 * pwm_img, the bank's PWM registers copied at the frame's first byte that
 * writes one, each such byte put in as it arrives (bank_check_byte()).
 * On the last byte that leaves six loads and compares (about 100
 * cycles); looking each register up in the frame there took 1000 for the
 * PWM image, more than the PEC byte and the repeated START before the
 * status read leave on an 8 MHz board. A stored duty always fits its
 * period (each write was checked, and a trip only turns channels off), so
 * checking all six is checking those the frame writes or whose period it
 * changes.
 */
#define PWM_REGS	(ARDUIPI_REG_T1_TOP + 2 - ARDUIPI_REG_PWM_BASE)
#define PWM_AT(r)	(pwm_img[(r) - ARDUIPI_REG_PWM_BASE] | \
			 (uint16_t)pwm_img[(r) + 1 - ARDUIPI_REG_PWM_BASE] << 8)
static uint8_t pwm_img[PWM_REGS], pwm_img_on;

static void pwm_img_put(uint8_t r, uint8_t v)
{
	uint8_t i = r - ARDUIPI_REG_PWM_BASE;

	if (i >= PWM_REGS)
		return;
	if (!pwm_img_on) {
		pwm_img_on = 1;
		for (uint8_t j = 0; j < PWM_REGS; j++)
			pwm_img[j] = REG(ARDUIPI_REG_PWM_BASE + j);
	}
	pwm_img[i] = v;
}

static uint8_t pwm_check(void)
{
	uint16_t top;

	if (!pwm_img_on)
		return ARDUIPI_OK;	/* no PWM register written */
	top = PWM_AT(ARDUIPI_REG_T1_TOP);
	if (top < ARDUIPI_T1_TOP_MIN || top > ARDUIPI_T1_TOP_MAX)
		return ARDUIPI_ERR_BAD_VALUE;
	/* unrolled: each a compare with a constant address and period */
#define FITS(ch)	(PWM_AT(ARDUIPI_REG_PWM_DUTY(ch)) <= pwm_full(ch, top))
	_Static_assert(ARDUIPI_NPWM == 6, "six channels");
	return FITS(0) && FITS(1) && FITS(2) && FITS(3) && FITS(4) && FITS(5) ?
	       ARDUIPI_OK : ARDUIPI_ERR_BAD_VALUE;
#undef FITS
}

/* ... and the short ones, and those on state the main loop changes (in
 * the order of the checks as one pass made them). */
static uint8_t frame_check(void)
{
	uint8_t err, ch, int_line;

	if (c_e1)
		return c_e1;
	if (frame_covers(ARDUIPI_REG_ADC_SCAN, ARDUIPI_REG_ADC_STREAM) ||
	    frame_covers(ARDUIPI_REG_ADC_REF, ARDUIPI_REG_ADC_REF)) {
		err = stream_check();
		if (err)
			return err;
	}
	if (c_e2)
		return c_e2;
	/* The INT line never carries PWM: it must never be driven high. */
	if (frame_covers(ARDUIPI_REG_INT_PIN, ARDUIPI_REG_INT_PIN) ||
	    frame_covers(ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_PWM_CTRL(5))) {
		int_line = frame_val(ARDUIPI_REG_INT_PIN);
		ch = int_line < ARDUIPI_NGPIO ? pwm_channel(int_line) :
		     NO_CHANNEL;
		if (ch != NO_CHANNEL &&
		    (frame_val(ARDUIPI_REG_PWM_CTRL(ch)) & ARDUIPI_PWM_ENABLE))
			return ARDUIPI_ERR_RESERVED_PIN;
	}
	if (frame_covers(ARDUIPI_REG_ADDR_COMMIT, ARDUIPI_REG_ADDR_COMMIT) &&
	    (uint8_t)(frame_val(ARDUIPI_REG_ADDR_COMMIT) ^
		      frame_val(ARDUIPI_REG_ADDR_NEW)) != 0xff)
		return ARDUIPI_ERR_BAD_KEY;
	/* no EEPROM write on a supply measured low (or not measured while the
	 * ADC stream runs): behind a one-byte test, a status read may be
	 * waiting for this (the TWINT hold) */
	if (proto_ee_refuse && ee_check())
		return proto_ee_refuse;
	/*
	 * After a failsafe trip the outputs stay as it left them until the
	 * host has seen it (cleared STATUS.FS_TRIPPED): a write made from an
	 * older picture of them would undo it.
	 */
	if (REG(ARDUIPI_REG_STATUS) & ARDUIPI_STATUS_FS_TRIPPED)
		return tripped_check();
	return ARDUIPI_OK;
}

/*
 * All of them, once the frame's last data byte is in: the result holds at
 * the commit unless the main loop changed what they look at meanwhile
 * (proto_gen: a failsafe trip, the supply's verdict), which is checked
 * again then. So a PEC write's commit is a compare, and its status is
 * ready within the repeated START even on an 8 MHz board.
 */
void bank_precheck(void)
{
	if (c_err)
		return;		/* refused already */
	c_gen = proto_gen;
	/* consuming FIFO scans: both bytes, nothing else; edges: the one */
	c_e1 = (frame_covers(ARDUIPI_REG_ADC_FIFO_SEQ, ARDUIPI_REG_ADC_FIFO_SEQ + 1) &&
		(c_reg != ARDUIPI_REG_ADC_FIFO_SEQ || c_n != 2)) ||
	       (frame_covers(ARDUIPI_REG_EDGE_SEQ, ARDUIPI_REG_EDGE_SEQ) && c_n != 1) ?
	       ARDUIPI_ERR_BAD_VALUE : ARDUIPI_OK;
	c_e2 = pwm_check();
	c_res = frame_check();
	c_early = 1;
}

/* ---- Storing --------------------------------------------------------------- */

static void line_release(uint8_t line)
{
	uint8_t b = line >> 3, m = ~(1 << (line & 7)), r;

	for (r = ARDUIPI_REG_GPIO_DIR; r < ARDUIPI_REG_GPIO_IRQ_STATUS + 3; r += 3)
		REG(r + b) &= m;
	REG(ARDUIPI_REG_FS_MASK + b) &= m;
	REG(ARDUIPI_REG_GPIO_DEBOUNCE + b) &= m;
	/* the INT line never in the boot state: stored again without it */
	if ((REG(ARDUIPI_REG_BOOT_DIR + b) | REG(ARDUIPI_REG_BOOT_LEVEL + b)) & ~m) {
		REG(ARDUIPI_REG_BOOT_DIR + b) &= m;
		REG(ARDUIPI_REG_BOOT_LEVEL + b) &= m;
		REG(ARDUIPI_REG_BOOT_SAVE) = 1;
		proto_req |= REQ_BOOT;
	}
}

static void reg_store(uint8_t r, uint8_t v)
{
	uint8_t *reg = &REG(r);

	switch (FLASH_READ(&rtype[r - ARDUIPI_REG_FIRST]) & 0xf0) {
	case S_PLAIN:
		*reg = v;
		break;
	case S_SET:
		reg[ARDUIPI_REG_GPIO_OUT - ARDUIPI_REG_GPIO_SET] |= v;
		break;
	case S_CLR:
		reg[ARDUIPI_REG_GPIO_OUT - ARDUIPI_REG_GPIO_CLR] &= ~v;
		break;
	case S_W1C:
		*reg &= ~v;
		break;
	case S_STATUS:
		*reg &= ~(v & ARDUIPI_STATUS_W1C);
		break;
	case S_ZERO:
		*reg = 0;
		break;
	case S_COMMIT:		/* ADDR_NEW is already stored: frames are
				 * stored in register order */
		proto_addr = REG(ARDUIPI_REG_ADDR_NEW);
		proto_req |= REQ_ADDR;
		break;
	case S_STREAM:
		if (v && !*reg)		/* the main loop starts it over */
			stream_reset();
		*reg = v;
		break;
	case S_NONE:
		break;
	case S_TRIP:
		if (v)
			proto_req |= REQ_TRIP;
		break;
	case S_WDT:
		*reg = v;
		proto_req |= REQ_WDT;
		break;
	case S_BOOT:
		if (v) {
			*reg = 1;
			proto_req |= REQ_BOOT;
		}
		break;
	case S_EDGE:		/* a change: the FIFO emptied (a restore's */
		if (v != *reg)	/* write of what is there changes nothing) */
			events_reset();
		*reg = v;
		break;
	case S_LOST:
		ev_lost_ack = v;
		break;
	case S_INT:
		int_asserted = 0;
		*reg = v;
		if (v < ARDUIPI_NGPIO)
			line_release(v);
		break;
	}
}

/* The INT line's value for a line bank's check: frames come in register
 * order, so a frame that moves it has done so by its first line bank. */
_Static_assert(ARDUIPI_REG_INT_PIN < ARDUIPI_REG_GPIO_DIR &&
	       ARDUIPI_REG_GPIO_DIR < ARDUIPI_REG_FS_MASK &&
	       ARDUIPI_REG_FS_MASK < ARDUIPI_REG_BOOT_DIR,
	       "INT_PIN before every line bank");

void bank_frame_start(void)
{
	c_n = 0;
	pwm_img_on = 0;
	c_store = 0;
	c_early = 0;
}

void bank_check_byte(uint8_t reg, const uint8_t *d, uint8_t i)
{
	if (!i) {
		c_reg = reg;
		c_data = d;
		c_err = ARDUIPI_OK;
		c_early = 0;
		pwm_img_on = 0;
	}
	c_n = i + 1;
	c_last = reg + i;
	pwm_img_put(c_last, d[i]);
	if (!c_err)
		c_err = reg_check(reg + i, d[i]);
}

uint8_t bank_store_pending(void)
{
	return c_store;
}

void bank_store(void)
{
	uint8_t i;

	if (!c_store)
		return;
	for (i = 0; i < c_n; i++)
		reg_store(c_reg + i, c_data[i]);
	if (frame_covers(ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_T1_TOP + 1))
		bank_apply = APPLY_PWM;	/* also applies the pins */
	else if (frame_covers(ARDUIPI_REG_INT_PIN, ARDUIPI_REG_GPIO_CLR + 2))
		bank_apply = APPLY_PINS;
	c_n = 0;
	c_store = 0;
}

uint8_t bank_commit(uint8_t reg, const uint8_t *d, uint8_t n, uint8_t later)
{
	uint8_t err;

	if (c_n != n || c_reg != reg || c_data != d)
		return ARDUIPI_ERR_BAD_VALUE;	/* cannot happen: frames are checked whole */
	if (c_err)
		return c_err;
	if (!c_early)
		bank_precheck();
	else if (c_gen != proto_gen)
		c_res = frame_check();
	err = c_res;
	if (err)
		return err;
	if (reg == ARDUIPI_REG_ADC_FIFO_SEQ) {
		c_n = 0;
		return stream_pop_to(d[0] | (uint16_t)d[1] << 8);
	}
	if (reg == ARDUIPI_REG_EDGE_SEQ) {
		c_n = 0;
		return events_pop_to(d[0]);
	}
	c_store = 1;
	if (!later)
		bank_store();
	return ARDUIPI_OK;
}
