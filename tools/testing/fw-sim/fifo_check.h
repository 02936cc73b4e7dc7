/* SPDX-License-Identifier: MIT */
/*
 * The host's checks of a PEC read of ADC_FIFO, as kernel/bus.c makes them
 * (protocol 1.3): the PEC, the CRC-16 of d[0] .. pec and the samples'
 * always-zero bits. For the tests in this directory (crc.c linked in).
 */
#ifndef FW_SIM_FIFO_CHECK_H
#define FW_SIM_FIFO_CHECK_H

#include <stdint.h>
#include "../../../kernel/arduipi-regs.h"
#include "../../../firmware/crc.h"

struct fifo_verdict {
	int pec, crc16, zero;	/* 1: that check failed */
};

/* r: n data bytes, the PEC and the CRC-16 of a read from address addr;
 * returns whether any check failed */
static inline int fifo_checks(const uint8_t *r, int n, uint8_t addr,
			      struct fifo_verdict *v)
{
	uint8_t aw = addr << 1, ar = aw | 1;
	uint8_t f[3] = { ARDUIPI_CMD_PEC_READ, ARDUIPI_REG_ADC_FIFO, n };
	uint16_t c = CRC16_INIT;
	int i;

	v->pec = crc8_buf(r, n, crc8_buf(&ar, 1, crc8_buf(f, 3,
			  crc8_buf(&aw, 1, 0)))) != r[n];
	for (i = 0; i <= n; i++)
		c = crc16_byte(c, r[i]);
	v->crc16 = r[n + 1] != (c & 0xff) || r[n + 2] != c >> 8;
	v->zero = 0;
	for (i = 1; i < n; i += 2)
		v->zero |= (r[i] << 8 & ~ARDUIPI_ADC_SAMPLE_MASK) != 0;
	return v->pec || v->crc16 || v->zero;
}

#endif /* FW_SIM_FIFO_CHECK_H */
