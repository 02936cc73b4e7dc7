/* SPDX-License-Identifier: MIT */
/*
 * The arduipi tool's bus (bus.c): i2c-dev at the Nano's address.
 * Messages: "arduipi: ..." on stderr; exit status 1 when the bus or the
 * Nano failed or refused, 2 for a bad command line.
 */
#ifndef ARDUIPI_TOOL_BUS_H
#define ARDUIPI_TOOL_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "../../kernel/arduipi-regs.h"

#define MAX_BYTES	32

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* -b, -a, -f: the bus (-1 until known), the address, I2C_SLAVE_FORCE */
extern int bus, addr, force;
/* the firmware's error codes, in words */
extern const char *const errors[ARDUIPI_ERR_LOW_SUPPLY + 1];

void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...);
/* the bus of a device-tree node at addr, or the Pi's header bus */
int find_bus(void);
/* the kernel driver bound at bus/addr, "of a device" when none */
const char *owner(char *buf, size_t len);
void bus_open(void);
/* write w, then (repeated START) read rn bytes into r: 0 or -errno */
int xfer(const uint8_t *w, int wn, uint8_t *r, int rn);
void __attribute__((noreturn)) bus_failed(int err);
void xfer_or_die(const uint8_t *w, int wn, uint8_t *r, int rn);
/* a command, refused by the firmware or not (its error register) */
void command(const uint8_t *w, int wn, uint8_t *r, int rn);

#endif
