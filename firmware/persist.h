/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_PERSIST_H
#define ARDUIPI_PERSIST_H

#include <stdint.h>

void boot_early(void);		/* .init3: the boot state to the ports */
uint8_t addr_load(void);
void boot_state_image(void);	/* main(): the registers say what it did */
void addr_poll(uint8_t req);
void boot_poll(uint8_t req);

#endif
