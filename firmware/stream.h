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

/*
 * The protocol engine (a stream started): empty the FIFO, scan numbers
 * from 0; nothing is stored till the main loop has the conversions start
 * over at the scan's first input and calls stream_start() with the
 * stream_gen() it read before it looked at the configuration.
 */
void stream_reset(void);
uint8_t stream_restarting(void);
uint8_t stream_gen(void);
/* The main loop, conversions stopped: scans of scan_bytes bytes from the
 * next sample on, unless reset again since gen. */
void stream_start(uint8_t scan_bytes, uint8_t gen);
/* Producer: the next sample of the scan being converted. */
void stream_put(uint8_t lo, uint8_t hi);
/* Producer: the conversions stopped; the scan they were in is lost, and
 * the scan numbers jump by one. */
void stream_lost(void);
/* Consumer: byte i from the oldest scan (0xff past the stored scans). */
uint8_t stream_peek(uint8_t i);
/* Number of the oldest stored scan. */
uint16_t stream_seq(void);
/* Consume every scan before seq; error code if seq is past the stored. */
uint8_t stream_pop_to(uint16_t seq);

#endif /* ARDUIPI_STREAM_H */
