// SPDX-License-Identifier: MIT
/*
 * ADC stream FIFO (see stream.h and kernel/arduipi-regs.h).
 *
 * A ring of ARDUIPI_ADC_FIFO_BYTES holding whole scans. The producer (the
 * ADC interrupt's store, adc.c) moves tail-side state only and publishes a
 * scan by advancing head, then stream_count; the consumer (the TWI
 * worker) changes the tail side with interrupts off for a few cycles.
 * When the FIFO is full the producer drops whole scans until the consumer
 * has emptied it: the stored scans then stay consecutive, and the dropped
 * ones show as a jump of stream_seq().
 *
 * With ARDUIPI_ADC_RING (config.h) the consumer may also interrupt the
 * producer, anywhere: so the producer changes what the consumer reads
 * (stream_count, seq_next) with interrupts off, the count only while no
 * reset came (restarting; stream_start() puts right what else a store
 * that a reset interrupted changed), and a scan's store decision taken
 * before a pop emptied the FIFO holds for that scan only.
 */
#include "stream.h"

#include "config.h"
#include "lock.h"

/*
 * The consumer interrupts the producer only with ARDUIPI_ADC_RING; the
 * host's tests run it at these points of a store (tools/testing/fw-unit).
 */
#ifndef PREEMPT_POINT
#define PREEMPT_POINT(n)	do { } while (0)
#endif
#if ARDUIPI_ADC_RING
#define RING_LOCK()	LOCK()
#define RING_UNLOCK()	UNLOCK()
#define RESET_SINCE()	restarting	/* a reset came during the store */
#else
#define RING_LOCK()	do { } while (0)
#define RING_UNLOCK()	do { } while (0)
#define RESET_SINCE()	0
#endif

#define MASK		(ARDUIPI_ADC_FIFO_BYTES - 1)
#if ARDUIPI_ADC_FIFO_BYTES & MASK
#error "ARDUIPI_ADC_FIFO_BYTES must be a power of two"
#endif

static uint8_t fifo[ARDUIPI_ADC_FIFO_BYTES];
volatile uint8_t stream_count;
static uint16_t tail;			/* byte position */
static uint8_t *head = fifo;		/* where the next scan goes */
static uint16_t seq_oldest;		/* valid while stream_count != 0 */
static uint16_t seq_next;		/* the scan being converted */
static uint8_t scan_bytes = 2, cap = 255;
volatile uint8_t stream_dropping;	/* full: drop until emptied */
static uint8_t store, widx;		/* producer: this scan */
static uint8_t *wpos;

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
	tail = 0;
	head = fifo;
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
#if ARDUIPI_ADC_RING
	/* what a store that the reset interrupted left: the FIFO is empty */
	head = fifo;
	widx = 0;
	{
		LOCK();
		seq_next = 0;
		UNLOCK();
	}
#endif
	{
		LOCK();
		if (g == gen)	/* else reset again since: restarted again */
			restarting = 0;
		UNLOCK();
	}
}

/* The producer's next scan number, whole for the consumer's look, and
 * not once a reset came (its number starts over). */
static inline void seq_next_set(uint16_t next)
{
	RING_LOCK();
	if (!RESET_SINCE())
		seq_next = next;
	RING_UNLOCK();
}

void stream_put(uint8_t lo, uint8_t hi)
{
	uint8_t n, st, i, *w;
	uint16_t next;

	if (restarting)
		return;
	PREEMPT_POINT(1);
	/* the producer's own state in registers, stored once */
	i = widx;
	if (!i) {
		/* dropping ends once the FIFO is empty: the consumer clears
		 * it, and so does this (a pop may come between its look and
		 * the flag's store) */
		n = stream_count;
		st = (!stream_dropping || (ARDUIPI_ADC_RING && !n)) && n < cap;
		PREEMPT_POINT(2);
		if (st) {
			stream_dropping = 0;
		} else {
			/* not while a pop emptied it meanwhile */
			RING_LOCK();
			stream_dropping = !ARDUIPI_ADC_RING || stream_count;
			RING_UNLOCK();
		}
		store = st;
		w = head;
	} else {
		st = store;
		w = wpos;
	}
	if (st) {
		/* a scan's bytes are even, so are the positions: a sample
		 * never straddles the end */
		w[0] = lo;
		w[1] = hi;
		w += 2;
		if (w == fifo + ARDUIPI_ADC_FIFO_BYTES)
			w = fifo;
	}
	wpos = w;
	i += 2;
	if (i < scan_bytes) {
		widx = i;
		return;
	}
	widx = 0;
	next = seq_next + 1;
	PREEMPT_POINT(3);
	if (st) {
		/* (the consumer reads seq_oldest only while stream_count is
		 * not 0, and moves it only then) */
		if (!stream_count)
			seq_oldest = next - 1;
		head = w;
		{
			RING_LOCK();
			if (!RESET_SINCE())
				stream_count++;
			RING_UNLOCK();
		}
	}
	seq_next_set(next);
}

/*
 * The conversions stopped (adc.c: the ADC interrupt's ring overran,
 * ARDUIPI_ADC_RING) and start over at a scan's first input: the scan in
 * progress is dropped, and the scan numbers jump by one, which marks the
 * gap in time (not its length); scans already stored stay consecutive, as
 * when the FIFO is full, by dropping the ones after them until the FIFO
 * has been emptied (a pop that empties it meanwhile ends that:
 * stream_put() looks).
 */
void stream_lost(void)
{
	uint16_t next = seq_next + 1;

	__asm__ __volatile__("" : "+r"(next));	/* worked out before */
	widx = 0;
	{
		LOCK();		/* not once a pop emptied it */
		if (stream_count)
			stream_dropping = 1;
		UNLOCK();
	}
	seq_next_set(next);	/* (only the ring's builds call this) */
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
