// SPDX-License-Identifier: MIT
/*
 * SMBus PEC: CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial value 0,
 * no final XOR.
 *
 * The ADC FIFO's reads end with a CRC-16 too (kernel/arduipi-regs.h):
 * CRC-16/MCRF4XX, the CCITT polynomial x^16 + x^12 + x^5 + 1 taken LSB
 * first (0x8408), initial value 0xffff, no final XOR: the kernel's
 * crc_ccitt() and avr-libc's _crc_ccitt_update(), no table.
 */
#include "crc.h"

#ifdef __AVR__
#include <util/crc16.h>
#endif

/*
 * A byte at a time without a table: x = crc ^ byte times x^8 is, modulo
 * the polynomial, x * (x^2 + x + 1) = x ^ x << 1 ^ x << 2, whose bits 8
 * and 9 (x's bits 7 and 6) reduce again: x^8 to 0x07, x^9 to 0x0e. So bit
 * 7 adds 0x07 ^ 0x0e = 0x09 (from << 1 and << 2), bit 6 adds 0x07 (from
 * << 2). About 15 cycles on the AVR, 7 more than the 256-byte table's
 * lookup it replaced, for 204 bytes of flash (a nibble table, 12 more,
 * once made the 8 MHz build stretch SCL in a write-then-read at 100 kHz;
 * this does not: fw-sim's full_load and twint_hold measure it).
 */
uint8_t crc8_byte(uint8_t crc, uint8_t byte)
{
	uint8_t x = crc ^ byte, r = x ^ (uint8_t)(x << 1) ^ (uint8_t)(x << 2);

	if (x & 0x80)
		r ^= 0x09;
	if (x & 0x40)
		r ^= 0x07;
	return r;
}

/* The CRC of n bytes, continuing crc (the host-side tests use it). */
uint8_t crc8_buf(const uint8_t *b, int n, uint8_t crc)
{
	while (n-- > 0)
		crc = crc8_byte(crc, *b++);
	return crc;
}

uint16_t crc16_byte(uint16_t crc, uint8_t byte)
{
#ifdef __AVR__
	return _crc_ccitt_update(crc, byte);
#else
	/* avr-libc's reference C for the same */
	byte ^= crc & 0xff;
	byte ^= byte << 4;
	return ((uint16_t)byte << 8 | crc >> 8) ^ (uint8_t)(byte >> 4) ^
	       ((uint16_t)byte << 3);
#endif
}
