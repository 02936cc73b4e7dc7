/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_TWI_H
#define ARDUIPI_TWI_H

#include <stdint.h>

void twi_init(uint8_t addr);
void twi_worker(void);
void twi_timeout(uint8_t mark);
uint8_t twi_bus_mark(void);
extern volatile uint8_t twi_resume;

#endif
