/* SPDX-License-Identifier: MIT */
/*
 * The register bank (bank.c): checks and stores of register writes, for
 * proto.c. Portable C, like proto.c.
 */
#ifndef ARDUIPI_BANK_H
#define ARDUIPI_BANK_H

#include <stdint.h>

/* Hardware update a stored write still owes (proto.c's apply_hw()). */
#define APPLY_PINS	1
#define APPLY_PWM	2
extern uint8_t bank_apply;

/* A register of the bank (not a hole, not a command code). */
uint8_t is_bank(uint8_t r);

/* A write frame starts: nothing checked, nothing to store. */
void bank_frame_start(void);
/*
 * Data byte i of a write to registers from reg, the bytes at d[0..i]:
 * checked now, while the next one is on the wire.
 */
void bank_check_byte(uint8_t reg, const uint8_t *d, uint8_t i);
/* The frame's last data byte came (a PEC write): the long checks across
 * registers, on values only frames change. */
void bank_precheck(void);
/*
 * The n bytes to reg at d, every one passed to bank_check_byte(): the
 * remaining checks; stored at once, or with later by bank_store(). An
 * ADC_FIFO_SEQ write pops the FIFO instead. Returns the error code.
 */
uint8_t bank_commit(uint8_t reg, const uint8_t *d, uint8_t n, uint8_t later);
uint8_t bank_store_pending(void);
void bank_store(void);

#endif /* ARDUIPI_BANK_H */
