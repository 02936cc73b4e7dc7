// SPDX-License-Identifier: MIT
/*
 * ADC stream FIFO (see stream.h and kernel/arduipi-regs.h).
 *
 * A ring of ARDUIPI_ADC_FIFO_BYTES holding whole scans. The producer (the
 * ADC interrupt) moves tail-side state only and publishes a scan by
 * advancing head, then stream_count; the consumer (the TWI worker, which
 * the ADC interrupt may interrupt) changes the tail side with interrupts
 * off for a few cycles. When the FIFO is full the producer drops whole
 * scans until the consumer has emptied it: the stored scans then stay
 * consecutive, and the dropped ones show as a jump of stream_seq().
 */
#include "stream.h"

#include "lock.h"

#define MASK		(ARDUIPI_ADC_FIFO_BYTES - 1)
#if ARDUIPI_ADC_FIFO_BYTES & MASK
#error "ARDUIPI_ADC_FIFO_BYTES must be a power of two"
#endif

static uint8_t fifo[ARDUIPI_ADC_FIFO_BYTES];
volatile uint8_t stream_count;
static uint16_t tail, head;		/* byte positions */
static uint16_t seq_oldest;		/* valid while stream_count != 0 */
static uint16_t seq_next;		/* the scan being converted */
static uint8_t scan_bytes = 2, cap = 255;
volatile uint8_t stream_dropping;	/* full: drop until emptied */
static uint8_t store, widx;		/* producer: this scan */
static uint16_t wpos;

/*
 * A reset waits for the conversions to start over at the scan's first
 * input (the main loop's stream_start()): till then the producer stores
 * nothing, so that no scan of the stream before (whose conversions may
 * still run, at any input: stopped and started again within a pass of the
 * main loop) begins the new one. An ADC interrupt that comes during the
 * reset finds restarting set too and leaves everything alone.
 */
static volatile uint8_t restarting, gen;

void stream_reset(void)
{
	restarting = 1;
	gen++;
	__asm__ __volatile__("" ::: "memory");	/* the stores after it */
	stream_count = 0;
	tail = head = 0;
	seq_oldest = seq_next = 0;
	stream_dropping = widx = 0;
}

uint8_t stream_restarting(void)
{
	return restarting;
}

uint8_t stream_gen(void)
{
	return gen;
}

void stream_start(uint8_t bytes, uint8_t g)
{
	/* unsigned: no signed division in the firmware */
	uint16_t c = (uint16_t)ARDUIPI_ADC_FIFO_BYTES / bytes;

	scan_bytes = bytes;
	cap = c > 255 ? 255 : c;
	{
		LOCK();
		if (g == gen)	/* else reset again since: restarted again */
			restarting = 0;
		UNLOCK();
	}
}

void stream_put(uint8_t lo, uint8_t hi)
{
	if (restarting)
		return;
	if (!widx) {
		store = !stream_dropping && stream_count < cap;
		stream_dropping = !store;
		wpos = head;
	}
	if (store) {
		fifo[wpos] = lo;
		fifo[(wpos + 1) & MASK] = hi;
		wpos = (wpos + 2) & MASK;
	}
	widx += 2;
	if (widx < scan_bytes)
		return;
	widx = 0;
	if (store) {
		if (!stream_count)
			seq_oldest = seq_next;
		head = wpos;
		stream_count++;
	}
	seq_next++;
}

uint8_t stream_peek(uint8_t i)
{
	if (i >= (uint16_t)stream_count * scan_bytes)
		return 0xff;
	return fifo[(tail + i) & MASK];
}

/* The producer moves seq_next, and sets seq_oldest only while no scan is
 * stored: only the two bytes of seq_next and the count are read with
 * interrupts off. */
uint16_t stream_seq(void)
{
	uint16_t s;
	uint8_t n;

	{
		LOCK();
		s = seq_next;
		n = stream_count;
		UNLOCK();
	}
	return n ? seq_oldest : s;
}

/*
 * The producer only adds scans, and sets seq_oldest only while none is
 * stored; tail is the consumer's. So what is stored is read with
 * interrupts off for a few cycles, the new tail worked out with them on,
 * and only the count's decrement is locked again.
 */
uint8_t stream_pop_to(uint16_t seq)
{
	uint8_t n, last;
	uint16_t k, oldest;

	LOCK();
	n = stream_count;
	oldest = n ? seq_oldest : seq_next;
	UNLOCK();
	k = seq - oldest;
	if ((int16_t)k <= 0)
		return ARDUIPI_OK;	/* already consumed: a repeated write */
	if (k > n)
		return ARDUIPI_ERR_BAD_VALUE;
	tail = (tail + k * scan_bytes) & MASK;
	seq_oldest = oldest + k;	/* count > 0 still: the producer keeps off */
	{
		LOCK();
		last = !(stream_count -= k);
		if (last)
			stream_dropping = 0;
		UNLOCK();
	}
	return ARDUIPI_OK;
}
