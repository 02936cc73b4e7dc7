/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_FAILSAFE_H
#define ARDUIPI_FAILSAFE_H

#include <stdint.h>

void failsafe_poll(uint8_t req);
void apply_poll(void);

#endif
