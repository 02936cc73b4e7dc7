/* SPDX-License-Identifier: MIT */
/*
 * A few stores with interrupts off, in portable C (stream.c, events.c):
 * SREG saved and restored on the AVR, nothing on the host, whose tests
 * have no interrupts.
 */
#ifndef ARDUIPI_LOCK_H
#define ARDUIPI_LOCK_H

#ifdef __AVR__
#include <avr/io.h>
#include <avr/interrupt.h>
#define LOCK()		uint8_t sreg_ = SREG; cli()
#define UNLOCK()	__asm__ __volatile__("" ::: "memory"); SREG = sreg_
#else
#define LOCK()		do { } while (0)
#define UNLOCK()	do { } while (0)
#endif

#endif /* ARDUIPI_LOCK_H */
