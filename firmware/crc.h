/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_CRC_H
#define ARDUIPI_CRC_H

#include <stdint.h>

uint8_t crc8_byte(uint8_t crc, uint8_t byte);
uint8_t crc8_buf(const uint8_t *b, int n, uint8_t crc);
#define CRC16_INIT	0xffff
uint16_t crc16_byte(uint16_t crc, uint8_t byte);

#endif
