// SPDX-License-Identifier: MIT
/*
 * ArduiPi protocol engine.
 *
 * A write frame is collected byte by byte and committed at STOP (or at the
 * repeated START of a write-then-read), all or nothing: every byte is
 * checked before anything is changed, so bad input only ever sets
 * REG_ERROR. Reads are served from a cursor that the commit sets up and
 * every transaction end rewinds; the next byte to send is always prepared
 * one event ahead (proto_tx). What a register accepts and how a write
 * lands is bank.c's; the specification's pin and port commands are
 * spec.c's.
 */
#include "config.h"
#include "proto.h"
#include "pins.h"
#include "crc.h"
#include "flash.h"
#include "stream.h"
#include "events.h"
#include "bank.h"
#include "spec.h"

volatile uint8_t proto_req;
volatile uint8_t proto_addr;
volatile uint8_t proto_ee_refuse;
volatile uint8_t proto_gen;
volatile uint8_t proto_frames;
volatile uint8_t proto_tx, proto_tx2;
uint8_t proto_staged;

static uint8_t ping = ARDUIPI_PING_DEFAULT;
static uint8_t addr_w;		/* own address byte, R/W bit clear */

/* The write frame being received. */
static uint8_t frame[PROTO_FRAME_MAX];
static uint8_t flen;		/* bytes stored */
static uint8_t fover;		/* a byte was refused or did not fit */
static uint8_t fcrc;		/* PEC so far (PEC frames only) */
static uint8_t fclass, fmax;	/* command class, most bytes allowed */
static uint8_t fpec;		/* 1: one byte more is the SMBus PEC */
static uint8_t in_write;

enum rd_kind {
	RD_NONE,	/* nothing written since reset: ERR_NO_CMD */
	RD_FAILED,	/* last command was refused: 0xff, error already set */
	RD_PIN = SPEC_PIN, RD_PINMODE = SPEC_PINMODE, RD_PORT = SPEC_PORT,
	RD_DDR = SPEC_DDR, RD_PORTPIN = SPEC_PORTPIN, RD_PING,
	RD_BANK,	/* registers rd.arg .. rd_end - 1 */
	RD_WORD,	/* registers rd.arg, rd.arg + 1, then SMBus PEC */
	RD_PEC,		/* rd.n registers from rd.arg, then PEC */
	RD_PEC_FIFO,	/* rd.n bytes of the ADC FIFO, PEC, CRC-16 */
	RD_PEC_BAD,	/* refused PEC read: bytes that never match a PEC */
	RD_STATUS,	/* PEC write result rd.arg (rd.n = 1), then PEC */
};
/* proto_refresh() takes RD_PIN .. RD_PING as a range */
_Static_assert(RD_FAILED + 1 == SPEC_PIN && RD_PORTPIN + 1 == RD_PING,
	       "spec.h's read kinds follow RD_FAILED, RD_PING follows them");

/* Read cursor: what to send (set by a commit) ... */
static struct spec_reply rd;	/* rd.kind, rd.arg, rd.n */
static uint8_t rd_end, rd_crc0;
/* ... and how far it got (rewound at every transaction end). */
static uint8_t rd_idx, rd_crc, rd_latch;
static uint8_t rd_prev;		/* the byte prepared before (prepare()) */
static uint16_t rd_crc16;	/* RD_PEC_FIFO: up to the byte before that */
static void rewind(void);

/* Error to report once the prepared / in-flight byte is really sent (a
 * staged status reply has none: neither of its two bytes is an error). */
static uint8_t err_next, err_flight;

static void proto_error(uint8_t code)
{
	REG(ARDUIPI_REG_ERROR) = code;
	if (REG(ARDUIPI_REG_ERR_COUNT) != 0xff)
		REG(ARDUIPI_REG_ERR_COUNT)++;
	if (code == ARDUIPI_ERR_PEC) {
		REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_PEC_ERROR;
		if (REG(ARDUIPI_REG_PEC_ERR_COUNT) != 0xff)
			REG(ARDUIPI_REG_PEC_ERR_COUNT)++;
	}
}

void proto_set_addr(uint8_t addr)
{
	addr_w = addr << 1;
	REG(ARDUIPI_REG_ADDR) = addr;
}

/* The registers that start other than 0: (register, value), a table
 * rather than a store each. */
static const uint8_t reg_init[][2] FLASH = {
	{ ARDUIPI_REG_ID0, ARDUIPI_FW_ID & 0xff },
	{ ARDUIPI_REG_ID1, ARDUIPI_FW_ID >> 8 },
	{ ARDUIPI_REG_PROTO_MAJOR, ARDUIPI_FW_PROTO_MAJOR },
	{ ARDUIPI_REG_PROTO_MINOR, ARDUIPI_FW_PROTO_MINOR },
	{ ARDUIPI_REG_CAPS, ARDUIPI_CAP_GPIO | ARDUIPI_CAP_ADC |
	  ARDUIPI_CAP_PWM | ARDUIPI_CAP_IRQ | ARDUIPI_CAP_PEC |
	  ARDUIPI_CAP_FAILSAFE | ARDUIPI_CAP_TEMP | ARDUIPI_CAP_ADDR },
	{ ARDUIPI_REG_CLOCK_MHZ, F_CPU / 1000000UL },
	{ ARDUIPI_REG_STATUS, ARDUIPI_STATUS_RESTARTED },
	{ ARDUIPI_REG_INT_PIN, ARDUIPI_INT_PIN_NONE },
	{ ARDUIPI_REG_T0_CLK, 3 },		/* /64: 976 Hz at 16 MHz */
	{ ARDUIPI_REG_T2_CLK, 4 },		/* /64: 976 Hz */
	{ ARDUIPI_REG_T1_CLK, 2 },		/* /8 ... */
	{ ARDUIPI_REG_T1_TOP, (F_CPU / 8000 - 1) & 0xff },	/* ... 1 kHz */
	{ ARDUIPI_REG_T1_TOP + 1, (F_CPU / 8000 - 1) >> 8 },
	{ ARDUIPI_REG_ADC_AVCC_MV, 5000 & 0xff },
	{ ARDUIPI_REG_ADC_AVCC_MV + 1, 5000 >> 8 },
};

void proto_init(uint8_t addr, uint8_t reset_cause, uint8_t boot_count)
{
	uint8_t i;

	for (i = 0; i < NREGS; i++)
		regs[i] = 0;
	for (i = 0; i < sizeof(reg_init) / sizeof(reg_init[0]); i++)
		REG(FLASH_READ(&reg_init[i][0])) = FLASH_READ(&reg_init[i][1]);
	REG(ARDUIPI_REG_RESET_CAUSE) = reset_cause;
	REG(ARDUIPI_REG_BOOT_COUNT) = boot_count;
	REG(ARDUIPI_REG_ADDR_NEW) = addr;
	proto_set_addr(addr);
	ping = ARDUIPI_PING_DEFAULT;
	rd.kind = RD_NONE;
	in_write = 0;
	rd_crc0 = 0;
	rewind();
}

/* ---- Reading ------------------------------------------------------------ */

/*
 * A byte of a 16-bit value v at even register r: reading the low byte
 * latches the high byte, which the same read returns next.
 */
static uint8_t read16(uint8_t r, uint8_t idx, uint16_t v)
{
	if (!(r & 1)) {
		rd_latch = v >> 8;
		return v;
	}
	return idx ? rd_latch : v >> 8;
}

/* idx: position in the current read. */
static uint8_t reg_read(uint8_t r, uint8_t idx)
{
	if (r >= ARDUIPI_REG_ADC_RESULT && r <= ARDUIPI_REG_ADC_BANDGAP + 1)
		return read16(r, idx, REG16(r & ~1));
	if (r == ARDUIPI_REG_ADC_FIFO_COUNT)
		return stream_count;
	if (r == ARDUIPI_REG_ADC_FIFO_SEQ || r == ARDUIPI_REG_ADC_FIFO_SEQ + 1)
		return read16(r, idx, stream_seq());
	if (r == ARDUIPI_REG_ADC_FIFO)
		return stream_peek(0);
	if (r == ARDUIPI_REG_EDGE_COUNT)
		return events_count();
	if (r == ARDUIPI_REG_EDGE_SEQ)
		return ev_r;
	if (r == ARDUIPI_REG_EDGE_FIRST)
		return events_peek(0);
	if (r >= ARDUIPI_REG_EDGE_FIFO && r < ARDUIPI_REG_ADC_RESULT)
		return events_peek(r - ARDUIPI_REG_EDGE_FIFO);
	if (r >= ARDUIPI_REG_GPIO_IN && r < ARDUIPI_REG_GPIO_IN + 3)
		return pins_in(r - ARDUIPI_REG_GPIO_IN);
	if (r == ARDUIPI_REG_STATUS)
		return REG(r) |
		       (REG(ARDUIPI_REG_ERROR) ? ARDUIPI_STATUS_ERROR : 0) |
		       (int_asserted ? ARDUIPI_STATUS_INT : 0);
	return REG(r);
}

/* A byte that is not data: the complement of the running PEC, so that a
 * PEC-checking host never accepts it, wherever it expects the PEC. */
static uint8_t filler(void)
{
	uint8_t b = ~rd_crc;

	rd_crc = crc8_byte(rd_crc, b);
	return b;
}

/*
 * The FIFO read's CRC-16 (of the bytes from d[0] to the PEC) lags a byte
 * behind: the first byte goes out before any of it is worked out, so
 * that the time between a FIFO read's command and its first byte is what
 * any read's is.
 */
static void fifo_crc16(uint8_t i)
{
	rd_crc16 = crc16_byte(i == 1 ? CRC16_INIT : rd_crc16, rd_prev);
}

static uint8_t read_byte(uint8_t *err)
{
	uint8_t b = 0xff, i = rd_idx, single = 1, k;

	*err = 0;
	switch (rd.kind) {
	case RD_NONE:
		*err = ARDUIPI_ERR_NO_CMD;
		/* fall through */
	case RD_FAILED:
	case RD_PEC_BAD:
		b = filler();
		single = 0;
		break;
	case RD_PIN:
		b = pin_level(rd.arg);
		break;
	case RD_PINMODE:
		b = spec_pin_mode(rd.arg);
		break;
	case RD_PORT:
		b = port_in(rd.arg);
		break;
	case RD_DDR:
		b = port_ddr(rd.arg);
		break;
	case RD_PORTPIN:
		b = (port_in(rd.arg) >> rd.n) & 1;
		break;
	case RD_PING:
		b = ping;
		break;
	case RD_BANK:
		single = 0;
		if ((uint8_t)(rd.arg + i) < rd_end && rd.arg + i <= 0xff)
			b = reg_read(rd.arg + i, i);
		else
			*err = ARDUIPI_ERR_OVERRUN;
		break;
	case RD_WORD:
		single = 2;
		b = reg_read(rd.arg + (i & 1), i);
		break;
	case RD_PEC:
	case RD_PEC_FIFO:
	case RD_STATUS:
		single = 0;
		k = i - rd.n;
		/* the byte before into the PEC now, a byte behind: a read's
		 * first byte is ready that much sooner after its command,
		 * and that time is short on the 8 MHz build
		 * (Documentation/firmware.rst, "The TWI interrupt") */
		if (i)
			rd_crc = crc8_byte(rd_crc, rd_prev);
		if (rd.kind == RD_PEC_FIFO && i && i <= (uint8_t)(rd.n + 1))
			fifo_crc16(i);
		if (i < rd.n) {
			b = rd.kind == RD_PEC ? reg_read(rd.arg + i, i) :
			    rd.kind == RD_PEC_FIFO ? stream_peek(i) : rd.arg;
		} else if (!k) {
			b = rd_crc;
		} else if (rd.kind == RD_PEC_FIFO && k <= ARDUIPI_ADC_FIFO_TAIL) {
			/* the CRC-16 (since 1.3) */
			b = k == 1 ? rd_crc16 : rd_crc16 >> 8;
		} else {
			*err = ARDUIPI_ERR_OVERRUN;
			b = ~rd_crc;	/* filler(), its PEC a byte behind */
		}
		break;
	}
	/* the specification's replies (one byte, or an analog word), then
	 * their SMBus PEC: what i2cget's "bp" and "wp" read */
	if (single && i == single) {
		b = rd_crc;
	} else if (single && i > single) {
		b = 0xff;
		*err = ARDUIPI_ERR_OVERRUN;
	}
	if (single)
		rd_crc = crc8_byte(rd_crc, b);
	if (rd_idx != 0xff)
		rd_idx++;
	return b;
}

static void prepare(void)
{
	proto_tx = rd_prev = read_byte(&err_next);
}

static void rewind(void)
{
	rd_crc = crc8_byte(rd_crc0, addr_w | 1);
	proto_staged = rd.kind == RD_STATUS;
	if (proto_staged) {
		/* a PEC write's status and its PEC, as read_byte() makes
		 * them, both at once: the TWI layer sends the second without
		 * waiting for the worker, which stores the write meanwhile
		 * (the PEC goes into the running PEC a byte behind, as there) */
		proto_tx = rd.arg;
		rd_crc = crc8_byte(rd_crc, rd.arg);
		proto_tx2 = rd_crc;
		rd_prev = rd_crc;
		rd_idx = 2;
		err_next = 0;
		return;
	}
	rd_idx = 0;
	prepare();
}

static void sent(void)
{
	if (err_flight)
		proto_error(err_flight);
	err_flight = 0;
}

/*
 * A read that no write of its own transaction set up (a bare read) is
 * answered from the cursor the last transaction left, prepared at its
 * end. The main loop has the first byte prepared again while the bus is
 * quiet (twi.c), so that such a read gets data as of then, not as of the
 * last write: proto_refresh() works it out beside the cursor in force (the
 * worker held off) and returns it in *b; once the TWI layer has put *b in
 * proto_tx (if no read has taken the old one meanwhile),
 * proto_refresh_take() brings the rest of the cursor along. Replies
 * whose value cannot change (ping, a status, filler) are left alone, and
 * so are the FIFO's (its CRC-16 would have to come along too; only a PEC
 * read asks for it, a write and a read) and a cursor a read has moved.
 * Returns whether there is one to take.
 */
static uint8_t fresh_err, fresh_crc, fresh_latch;

uint8_t proto_refresh(uint8_t *b)
{
	uint8_t crc = rd_crc, latch = rd_latch;

	if (rd_idx != 1 || rd.kind < RD_PIN || rd.kind == RD_PING ||
	    rd.kind >= RD_PEC_FIFO)
		return 0;
	rd_idx = 0;
	rd_crc = crc8_byte(rd_crc0, addr_w | 1);
	*b = read_byte(&fresh_err);
	fresh_crc = rd_crc;
	fresh_latch = rd_latch;
	rd_crc = crc;		/* rd_idx is 1 again */
	rd_latch = latch;
	return 1;
}

void proto_refresh_take(void)
{
	err_next = fresh_err;
	rd_crc = fresh_crc;
	rd_latch = fresh_latch;
	/* a PEC read's next byte adds this one to its PEC: twi.c has just
	 * put it in proto_tx, which nothing moves for these replies */
	rd_prev = proto_tx;
}

void proto_read_start(void)
{
	err_flight = err_next;
	if (proto_staged) {
		proto_staged = 0;
		proto_tx = proto_tx2;
		err_next = 0;
		proto_tx_early();
		return;
	}
	prepare();
}

void proto_read_next(void)
{
	sent();
	err_flight = err_next;
	prepare();
}

void proto_read_done(void)
{
	sent();
	proto_req |= REQ_FED;
	rewind();
}

static uint8_t commit_pec_write(void)
{
	uint8_t n = frame[2];

	if (fcrc)
		return ARDUIPI_ERR_PEC;
	if (flen < 5 || !n || n > ARDUIPI_PEC_MAX_LEN)
		return flen < 5 ? ARDUIPI_ERR_SHORT : ARDUIPI_ERR_BAD_VALUE;
	if (flen != n + 4)
		return flen < n + 4 ? ARDUIPI_ERR_SHORT : ARDUIPI_ERR_LONG;
	return bank_commit(frame[1], frame + 3, n, 1);
}

static uint8_t commit_pec_read(void)
{
	uint8_t n = frame[2], r = frame[1];
	uint16_t last;

	if (flen != 3)
		return flen < 3 ? ARDUIPI_ERR_SHORT : ARDUIPI_ERR_LONG;
	if (r == ARDUIPI_REG_ADC_FIFO && n && n <= ARDUIPI_ADC_FIFO_READ_MAX) {
		rd.kind = RD_PEC_FIFO;
		rd.n = n;
		return ARDUIPI_OK;
	}
	if (!n || n > ARDUIPI_PEC_MAX_LEN)
		return ARDUIPI_ERR_BAD_VALUE;
	/* every register of the bank: within one of its two parts (one test
	 * each, not one per register: a status read may wait for this) */
	last = r + n - 1;
	if (!(r >= ARDUIPI_REG_FIRST && last <= ARDUIPI_REG_LOW_LAST) &&
	    !(r >= ARDUIPI_REG_HIGH_FIRST && last <= ARDUIPI_REG_LAST))
		return ARDUIPI_ERR_BAD_REG;
	rd.kind = RD_PEC;
	rd.arg = r;
	rd.n = n;
	return ARDUIPI_OK;
}

/* Command classes, fixed by a frame's first byte. */
enum fclass { F_UNKNOWN, F_PIN, F_PORT, F_ANALOG, F_PING, F_BANK, F_PECW,
	      F_PECR };

/* Most bytes a frame of each class takes (PIN and PECW refine it). */
static const uint8_t class_max[] FLASH = {
	[F_UNKNOWN] = 1, [F_PIN] = 2, [F_PORT] = 2, [F_ANALOG] = 1,
	[F_PING] = 2, [F_BANK] = 1 + ARDUIPI_PEC_MAX_LEN,
	[F_PECW] = PROTO_FRAME_MAX, [F_PECR] = 3,
};

static uint8_t classify(uint8_t cmd)
{
	uint8_t port;

	if (cmd <= ARDUIPI_CMD_PIN_LAST)
		return F_PIN;
	if (cmd == ARDUIPI_CMD_PEC_WRITE)
		return F_PECW;
	if (cmd == ARDUIPI_CMD_PEC_READ)
		return F_PECR;
	if (cmd >= ARDUIPI_CMD_ANALOG_FIRST && cmd <= ARDUIPI_CMD_ANALOG_LAST)
		return F_ANALOG;
	if (cmd == ARDUIPI_CMD_PING)
		return F_PING;
	/* 0xa0..0xaf as a command: the specification's (above) or none; the
	 * bank's EDGE_FIFO there is read with PEC reads */
	if (is_bank(cmd) && (cmd & 0xf0) != ARDUIPI_REG_EDGE_FIFO)
		return F_BANK;
	return spec_port_cmd(cmd, &port) ? F_PORT : F_UNKNOWN;
}

/* Apply the frame; sets up the read cursor; returns the error code. */
static uint8_t commit_frame(void)
{
	uint8_t cmd = frame[0], err;

	if (fover && fclass != F_UNKNOWN && fclass != F_PECW) {
		if (fclass == F_PECR)
			rd.kind = RD_PEC_BAD;
		return ARDUIPI_ERR_LONG;
	}
	if (fpec && flen == fmax + 1) {
		/* one byte more than the command takes: its SMBus PEC (what
		 * i2cset's "bp" and "wp" send), which must complete the CRC */
		if (fcrc)
			return ARDUIPI_ERR_PEC;
		flen--;
	}
	switch (fclass) {
	case F_PIN:
		return spec_commit_pin(frame, flen, &rd);
	case F_PORT:
		return spec_commit_port(frame, flen, &rd);
	case F_ANALOG:
		rd.kind = RD_WORD;
		rd.arg = ARDUIPI_REG_ADC_RESULT + 2 * (cmd & 7);
		return ARDUIPI_OK;
	case F_PING:
		rd.kind = RD_PING;
		if (flen == 2)
			ping = frame[1];
		return ARDUIPI_OK;
	case F_BANK:
		rd.kind = RD_BANK;
		rd.arg = cmd;
		rd_end = cmd <= ARDUIPI_REG_LOW_LAST ? ARDUIPI_REG_LOW_LAST + 1 :
			 ARDUIPI_REG_LAST + 1;
		return flen == 1 ? ARDUIPI_OK :
		       bank_commit(cmd, frame + 1, flen - 1, 0);
	case F_PECW:
		err = fover ? ARDUIPI_ERR_LONG : commit_pec_write();
		rd.kind = RD_STATUS;
		rd.arg = err;
		rd.n = 1;
		return err;
	case F_PECR:
		err = commit_pec_read();
		if (err)
			rd.kind = RD_PEC_BAD;
		return err;
	default:
		return ARDUIPI_ERR_UNKNOWN_CMD;
	}
}

static void commit(void)
{
	uint8_t err;

	rd.kind = RD_FAILED;
	rd_crc0 = fcrc;
	err = commit_frame();
	if (err) {
		proto_error(err);
		if (rd.kind != RD_STATUS && rd.kind != RD_PEC_BAD)
			rd.kind = RD_FAILED;
	}
}

void proto_write_start(void)
{
	in_write = 1;
	flen = 0;
	fover = 0;
	bank_frame_start();
	fcrc = crc8_byte(0, addr_w);
}

/*
 * ACK policy: every byte a frame can take is acknowledged (for the
 * specification's commands one more: their SMBus PEC), and the first byte
 * beyond is refused: the hardware decides a byte's ACK before the byte
 * arrives, so TWEA is cleared on the last byte the frame can take, and
 * data after an unknown command is refused from its first byte. The
 * master sees an error at once; nothing is applied. A frame that ends
 * there is still committed: the STOP or repeated START after it is
 * reported with TWEA clear as after any byte (TWEA decides only the next
 * byte's ACK), and the fast path sets TWEA again as it releases that
 * event, before an address byte can follow.
 */
uint8_t proto_write_byte(uint8_t b)
{
	if (flen >= PROTO_FRAME_MAX) {
		fover = 1;
		return 0;
	}
	frame[flen++] = b;
	if (flen == 1) {
		fclass = classify(b);
		fmax = FLASH_READ(&class_max[fclass]);
		fpec = fclass >= F_PIN && fclass <= F_PING;
	} else if (flen == 2 && fclass == F_PIN && b == ARDUIPI_PIN_PWM) {
		fmax = 3;
	} else if (flen == 3 && fclass == F_PECW) {
		fmax = b && b <= ARDUIPI_PEC_MAX_LEN ? b + 4 : 3;
	}
	fcrc = crc8_byte(fcrc, b);	/* every frame: see RD_FAILED */
	if (flen > fmax + fpec) {
		fover = 1;
		return 0;
	}
	/* register bytes are checked as they come (bank.c) */
	if (fclass == F_BANK && flen >= 2)
		bank_check_byte(frame[0], frame + 1, flen - 2);
	else if (fclass == F_PECW && flen >= 4 && flen <= fmax - 1)
		bank_check_byte(frame[1], frame + 3, flen - 4);
	if (fclass == F_PECW && flen == fmax - 1 && flen >= 4)
		bank_precheck();	/* the last data byte */
	/* the last byte the frame can take: the next one is refused */
	return flen < fmax + fpec;
}

/* 0x88: the TWI is no longer addressed, no STOP event will follow. */
void proto_write_nacked(void)
{
	fover = 1;
	proto_end();
}

static void apply_hw(void)
{
	if (bank_apply == APPLY_PWM)
		pwm_apply();
	else if (bank_apply == APPLY_PINS)
		pins_apply();
	bank_apply = 0;
}

/*
 * The reply byte is prepared as early as it can be: a PEC write's status
 * does not depend on the pins, so it goes out while the pins and timers
 * are still being updated; any other reply may read the pins, so the
 * update comes first.
 */
void proto_end(void)
{
	proto_req |= REQ_FED;
	if (in_write && flen)
		commit();
	in_write = 0;
	if (rd.kind != RD_STATUS && bank_apply)
		apply_hw();
	rewind();
	if (bank_store_pending() || bank_apply) {
		proto_tx_early();
		bank_store();
		apply_hw();
	}
	proto_frames++;
}

void proto_bus_error(void)
{
	in_write = 0;
	REG(ARDUIPI_REG_STATUS) |= ARDUIPI_STATUS_BUS_ERROR;
	proto_error(ARDUIPI_ERR_BUS);
	rewind();
}
