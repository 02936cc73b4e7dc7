/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_TWI_H
#define ARDUIPI_TWI_H

/* Shared by twi.S and twi.c. */
#define TWCR_IDLE	(_BV(TWEA) | _BV(TWEN) | _BV(TWIE))
#define TWCR_RELEASE	(_BV(TWINT) | TWCR_IDLE)	/* SCL released */
#define TWCR_HOLD	(_BV(TWEA) | _BV(TWEN))	/* TWINT kept, masked */
#define TWI_QMASK	15		/* event queue: 16 (status, byte) */

#ifndef __ASSEMBLER__
#include <stdint.h>

void twi_init(uint8_t addr);
void twi_worker(void);
void twi_resume_worker(void);
void twi_give_back(void);
void twi_timeout(uint8_t mark);
uint8_t twi_bus_mark(void);
extern volatile uint8_t twi_resume;
#endif

#endif
