/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_CLOCK_H
#define ARDUIPI_CLOCK_H

#include <stdint.h>

extern uint32_t now_us;		/* main loop time, wraps after 71 minutes */
extern uint16_t tick_us;	/* its step: one timer0 overflow */
/* Time stamps are kept in memory and handled through pointers: a copy or
 * a load of four bytes inline is a call's size several times over. */
void stamp(uint32_t *t);
uint8_t passed(const uint32_t *since, uint32_t ms);
void time_poll(void);
/* 16-bit registers the TWI worker reads: written and read whole */
void reg16_set(uint8_t r, uint16_t v);
uint16_t reg16_get(uint8_t r);

#endif
