/* SPDX-License-Identifier: MIT */
/*
 * The firmware's protocol engine on the host: AVR registers as variables,
 * pin levels computed like the chip does, and the TWI slave's event
 * sequence for whole I2C transactions (what twi.c feeds proto.c).
 */
#ifndef HOST_H
#define HOST_H

#include <stdint.h>
#include <avr/io.h>
#include "../../../firmware/proto.h"
#include "../../../firmware/pins.h"
#include "../../../firmware/crc.h"
#include "../../../firmware/stream.h"

#define HOST_ADDR	0x2a

/* Reset the engine as a fresh boot does; external levels default low. */
void host_boot(void);
/* The main loop's stream_poll(): a stream started (the FIFO reset) has its
 * conversions start over, scans of the inputs SCAN selects. */
void host_stream_poll(void);
/* Lines driven from outside (bank order, 20 bits) when they are inputs. */
void host_drive(uint32_t mask, uint32_t level);

/*
 * I2C transactions as a master sees them. Return the number of bytes the
 * slave acknowledged in the write part (-1 if it refused a byte).
 */
int host_write(const uint8_t *w, int wn);
int host_read(uint8_t *r, int rn);
int host_xfer(const uint8_t *w, int wn, uint8_t *r, int rn);
/* A bus error in the middle of a write frame. */
void host_bus_error(void);

#endif
