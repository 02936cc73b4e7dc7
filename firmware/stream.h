/* SPDX-License-Identifier: MIT */
/*
 * ADC stream FIFO: the ADC interrupt stores samples (stream_put), the
 * protocol engine reads and consumes whole scans (stream_peek,
 * stream_pop_to). Portable C, like proto.c: the host tests run it too.
 */
#ifndef ARDUIPI_STREAM_H
#define ARDUIPI_STREAM_H

#include <stdint.h>
#include "../kernel/arduipi-regs.h"

extern volatile uint8_t stream_count;	/* whole scans stored */
/* The FIFO overflowed: scans are dropped until the host has emptied it. */
extern volatile uint8_t stream_dropping;

/* Empty the FIFO, scan numbers from 0, scans of scan_bytes bytes. */
void stream_reset(uint8_t scan_bytes);
/* Producer: the next sample of the scan being converted. */
void stream_put(uint8_t lo, uint8_t hi);
/* Consumer: byte i from the oldest scan (0xff past the stored scans). */
uint8_t stream_peek(uint8_t i);
/* Number of the oldest stored scan. */
uint16_t stream_seq(void);
/* Consume every scan before seq; error code if seq is past the stored. */
uint8_t stream_pop_to(uint16_t seq);

#endif /* ARDUIPI_STREAM_H */
