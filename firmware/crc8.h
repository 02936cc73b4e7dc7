/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_CRC8_H
#define ARDUIPI_CRC8_H

#include <stdint.h>

#include "flash.h"

uint8_t crc8_byte(uint8_t crc, uint8_t byte);
uint8_t crc8_buf(const uint8_t *b, int n, uint8_t crc);

#endif
