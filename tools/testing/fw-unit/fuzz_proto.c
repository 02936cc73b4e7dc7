// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: random sequences of I2C transactions (writes, write +
 * repeated START + read, bare reads, bus errors, outside pin levels) fed
 * to the protocol engine. After every transaction the invariants that
 * protect the hardware must hold; at the end the device must still answer.
 *
 *   make fuzz_proto && ./fuzz_proto -max_total_time=600 corpus/
 */
#include <stdlib.h>
#include "host.h"

static void invariants(void)
{
	uint8_t line = REG(ARDUIPI_REG_INT_PIN);

	/* the I2C pins are never driven or pulled up (5 V on a 3.3 V bus) */
	if ((DDRC | PORTC) & 0x30)
		abort();
	/* the crystal pins are never touched */
	if ((DDRB | PORTB) & 0xc0)
		abort();
	/* the INT line is open drain: its output latch is never high */
	if (line < ARDUIPI_NGPIO) {
		uint8_t port = line < 8 ? PORTD : line < 14 ? PORTB : PORTC;
		uint8_t bit = line < 8 ? line : line < 14 ? line - 8 : line - 14;

		if (port & (1 << bit))
			abort();
	} else if (line != ARDUIPI_INT_PIN_NONE) {
		abort();
	}
	if (REG(ARDUIPI_REG_ERROR) > ARDUIPI_ERR_LOW_SUPPLY)
		abort();
	/* a started stream stores nothing till its conversions start over */
	if (stream_restarting() && stream_count)
		abort();
	if (REG(ARDUIPI_REG_ID0) != ARDUIPI_ID0_VALUE)
		abort();
}

/*
 * A write transaction run once at a point of a store into the FIFO: the
 * TWI worker interrupting the ADC's store (ARDUIPI_ADC_RING).
 */
static const uint8_t *pre_w;
static int pre_at, pre_n;

static void preempt(int at)
{
	if (at != pre_at)
		return;
	pre_at = 0;
	host_write(pre_w, pre_n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t r[48], c = ARDUIPI_REG_ID0;
	size_t i = 0;

	host_boot();
	host_preempt_fn = preempt;
	while (i < size) {
		uint8_t op = data[i++], n = op >> 3;

		if (n > size - i)
			n = size - i;
		switch (op & 7) {
		case 0:
		case 1:
			host_write(data + i, n);
			i += n;
			break;
		case 2:
		case 3:
			host_xfer(data + i, n, r, (op & 1) ? 2 : 1 + n % 40);
			i += n;
			break;
		case 4:
			host_read(r, 1 + n);
			break;
		case 5:
			host_bus_error();
			break;
		case 6:
			/* the ADC interrupt stores samples meanwhile,
			 * once the main loop has started the stream over
			 * (or before: nothing may be stored then) */
			if (i & 1)	/* not tied to n */
				host_stream_poll();
			if (i < size) {	/* and a transaction within */
				pre_at = 1 + data[i] % 4;	/* 4: none */
				pre_n = data[i++] >> 5;
				if ((size_t)pre_n > size - i)
					pre_n = size - i;
				pre_w = data + i;
				i += pre_n;
			}
			while (n--)
				stream_put(n, op);
			pre_at = 0;
			break;
		default:
			if (i + 3 <= size) {
				host_drive(data[i] | data[i + 1] << 8 |
					   (uint32_t)data[i + 2] << 16,
					   data[i + 1] ^ (uint32_t)op << 12);
				i += 3;
			}
			break;
		}
		invariants();
	}
	/* still answering */
	host_xfer(&c, 1, r, 2);
	if (r[0] != ARDUIPI_ID0_VALUE || r[1] != ARDUIPI_ID1_VALUE)
		abort();
	return 0;
}
