/* SPDX-License-Identifier: MIT */
/*
 * Protocol engine: turns the byte stream of the TWI slave into register
 * state and back. Portable C (no AVR registers are touched here), so the
 * same file runs in the host unit tests and under the fuzzer.
 *
 * Calling contract (see twi.c): every function is called by the TWI
 * worker (from the TWI interrupt after it has released SCL, from the ADC
 * interrupt's end or from the main loop after a yield, never two at a
 * time: TWI_BUSY), and proto_refresh()/proto_refresh_take() by the main
 * loop holding TWI_BUSY.
 */
#ifndef ARDUIPI_PROTO_H
#define ARDUIPI_PROTO_H

#include <stdint.h>
#include "../kernel/arduipi-regs.h"

#define PROTO_FRAME_MAX		(4 + ARDUIPI_PEC_MAX_LEN)
#define NREGS			(ARDUIPI_REG_LAST - ARDUIPI_REG_FIRST + 1)
#define REG(r)			regs[(r) - ARDUIPI_REG_FIRST]
#define REG16(r)		(REG(r) | (uint16_t)REG((r) + 1) << 8)

/*
 * Register bank image; 16-bit values little-endian. Not volatile: the
 * handler owns it, and the main loop touches it only between cli()/sei()
 * pairs, which are compiler memory barriers, in every pass.
 */
extern uint8_t regs[NREGS];

/* Requests to the main loop (bits of proto_req), set by the handler. */
#define REQ_FED			0x01	/* a transaction addressed us */
#define REQ_ADDR		0x02	/* persist proto_addr as address */
#define REQ_TRIP		0x04	/* put the failsafe state in force */
#define REQ_WDT			0x08	/* WDT written: the count starts */
#define REQ_BOOT		0x10	/* store the boot state in EEPROM */
extern volatile uint8_t proto_req;
extern volatile uint8_t proto_addr;	/* the committed new address */
extern volatile uint8_t proto_ee_refuse;	/* adc.c: 0 or why no EEPROM write */
/*
 * Moved on by the main loop as it changes state a write's checks look at
 * (a failsafe trip: with STATUS.FS_TRIPPED and again after its edits;
 * proto_ee_refuse: after the new verdict): a check made while it had the
 * value it has at the commit still holds (bank.c).
 */
extern volatile uint8_t proto_gen;
/* Moves on with every frame the worker has committed and stored: the main
 * loop's copies of several registers check it (persist.c). */
extern volatile uint8_t proto_frames;

/*
 * The byte the TWI unit transmits if the master reads next. It is always
 * prepared one event ahead, so the handler only copies it into TWDR.
 */
extern volatile uint8_t proto_tx;
/*
 * A PEC write's status reply is known whole at the commit: proto_tx2 is
 * its second byte and proto_staged says so, for the TWI layer to send it
 * after proto_tx without waiting for the worker (busy storing the write).
 * proto_read_start() moves it up (if the TWI layer has not already).
 */
extern volatile uint8_t proto_tx2;
extern uint8_t proto_staged;

/* The register image at boot; pwm_apply() then puts it on the pins. */
void proto_init(uint8_t addr, uint8_t reset_cause, uint8_t boot_count);

/* 0x60, own SLA+W: a write frame starts. */
void proto_write_start(void);
/* 0x80, data byte received; returns 1 if one more byte may follow. */
uint8_t proto_write_byte(uint8_t b);
/* 0x88, a data byte arrived that was not acknowledged. */
void proto_write_nacked(void);
/* 0xa0, STOP or repeated START: commit the frame, rewind the reader. */
void proto_end(void);
/* 0xa8, own SLA+R: proto_tx is on its way out; prepare the next. */
void proto_read_start(void);
/* 0xb8, a byte went out and the master wants more. */
void proto_read_next(void);
/* 0xc0/0xc8, the master ended the read. */
void proto_read_done(void);
/* A bare read's first byte prepared again as *b (see proto.c), the
 * worker held off; the rest of its cursor, once *b is proto_tx. */
uint8_t proto_refresh(uint8_t *b);
void proto_refresh_take(void);
/* 0x00, bus error: frame discarded, error recorded. */
void proto_bus_error(void);
/* Provided by the TWI layer: proto_tx is final before the event is done. */
void proto_tx_early(void);
/* The address changed (main loop, after persisting it). */
void proto_set_addr(uint8_t addr);


#endif /* ARDUIPI_PROTO_H */
