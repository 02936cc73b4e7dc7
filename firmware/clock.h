/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_CLOCK_H
#define ARDUIPI_CLOCK_H

#include <stdint.h>

extern uint32_t now_us;		/* main loop time, wraps after 71 minutes */
uint8_t passed(uint32_t since, uint32_t ms);
void time_poll(void);
/* 16-bit registers the TWI worker reads: written and read whole */
void reg16_set(uint8_t r, uint16_t v);
uint16_t reg16_get(uint8_t r);

#endif
