// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi capture timestamps on the host's clock.
 *
 * The Nano converts on its own clock, a ceramic resonator on most boards:
 * off by up to 0.5 %, which is 18 s an hour. Scan k of a capture is given
 * the host time ts(k) of a line through an anchor, ts(k) = ts_a + (k - k_a)
 * * slope, which starts at the capture's start with the nominal period and
 * follows what the host sees:
 *
 * - Each time the INT thread reads the FIFO state between host times h0
 *   and h1, newest is the newest scan stored: it was stored before h1,
 *   and the one after it was not stored before h0. A scan is stored lag
 *   after its timestamp (its conversions), so ts(newest) lies in
 *   [h0 - period - lag, h1 - lag]: a sighting. When the FIFO held just
 *   the watermark, newest pulled INT: stored at most ARDUIPI_CLK_INT_NS
 *   before h0 (what makes slow rates, a period longer than that, exact).
 * - The period: from the middles of sightings 34 to 68 s apart (fresh
 *   ones only when a period is longer than ARDUIPI_CLK_INT_NS; two
 *   references, each ARDUIPI_CLK_MIN_SCANS scans at least; the older one
 *   dropped as the newer one ages; until then from the first one, once a
 *   second and ARDUIPI_CLK_MIN_SCANS scans lie between), so that the
 *   sightings' errors shrink with the baseline
 *   and a drift with temperature is followed. Reads longer than
 *   ARDUIPI_CLK_READ_MAX_NS (retries, a stalled bus) do not count. It is
 *   kept within ARDUIPI_CLK_PPM_MAX of the nominal period.
 * - The phase: when ts(newest) is outside its sighting's window, a
 *   quarter of the distance a drain (ARDUIPI_CLK_SETTLE) is taken out by
 *   the slope, never by a step: the slope stays within 1/64 of the
 *   period, timestamps are continuous and increase by 0.96 to 1.04
 *   nominal periods a scan. Within the window the slope is the period;
 *   ARDUIPI_CLK_SETTLE drains' worth of scans after the sighting, too
 *   (a bus outage: no sightings).
 *
 * Only the scans not pushed yet take a new slope: the anchor moves to the
 * next scan to push at each sighting. All arithmetic is in 64 bits, the
 * period in 1/256 ns (32-bit hosts: div64 helpers).
 *
 * Limitations: a timestamp is within its sighting's window, about a period
 * plus the FIFO read wide, or ARDUIPI_CLK_INT_NS when fresh: an interrupt
 * latency above that makes timestamps late by the difference
 * (Documentation/adc.rst gives measured figures);
 * a clock off by more than ARDUIPI_CLK_PPM_MAX is followed only by the
 * phase's steering, 1/64 more.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>

#include "adc-clock.h"

#define ARDUIPI_CLK_Q		8		/* period in 1/256 ns */
#define ARDUIPI_CLK_READ_MAX_NS	(5 * NSEC_PER_MSEC)
#define ARDUIPI_CLK_MIN_SCANS	64
#define ARDUIPI_CLK_PPM_MAX	20000		/* 2 % */
#define ARDUIPI_CLK_BASELINE_NS	(34LL * NSEC_PER_SEC)
#define ARDUIPI_CLK_SETTLE	4
#define ARDUIPI_CLK_INT_NS	(5 * NSEC_PER_MSEC)	/* INT to the thread's read */

void arduipi_clock_start(struct arduipi_clock *c, s64 t0, u64 period_ns,
			 u64 lag_ns, unsigned int watermark, unsigned int cap)
{
	u64 tol = div_u64((period_ns << ARDUIPI_CLK_Q) * ARDUIPI_CLK_PPM_MAX,
			  1000000);

	*c = (struct arduipi_clock) {
		.ts_a = t0,
		.lo = (period_ns << ARDUIPI_CLK_Q) - tol,
		.hi = (period_ns << ARDUIPI_CLK_Q) + tol,
		.period = period_ns << ARDUIPI_CLK_Q,
		.slope = period_ns << ARDUIPI_CLK_Q,
		.lag = lag_ns,
		.per_drain = max(watermark, 1U),
		.cap = cap,
	};
}

s64 arduipi_clock_ts(const struct arduipi_clock *c, u64 k)
{
	s64 dk = k - c->k_a, n = min_t(s64, dk, c->steer);

	/*
	 * The steering's slope for the scans it is meant for, the period
	 * after them (no sighting for a while: a bus outage). |dk| is the
	 * scans between two sightings: at the slowest rate and the longest
	 * period, a year of them before this overflows.
	 */
	return c->ts_a + (n * (s64)c->slope >> ARDUIPI_CLK_Q) +
	       ((dk - n) * (s64)c->period >> ARDUIPI_CLK_Q);
}

/* Periods from scan k's timestamp to host time t. */
s64 arduipi_clock_periods(const struct arduipi_clock *c, u64 k, s64 t)
{
	return div_s64(t - arduipi_clock_ts(c, k), c->period >> ARDUIPI_CLK_Q);
}

/*
 * The period from a sighting's middle h of scan k: against the oldest
 * reference, if the baseline is long enough; the newest reference ages
 * into the oldest.
 */
static void arduipi_clock_measure(struct arduipi_clock *c, s64 h, u64 k)
{
	unsigned int r = c->refs - 1;	/* the newest */
	u64 dk = k - c->ref[0].k;
	s64 dh = h - c->ref[0].h;

	if (c->refs && dk >= ARDUIPI_CLK_MIN_SCANS && dh >= NSEC_PER_SEC)
		c->period = clamp(div64_u64((u64)dh << ARDUIPI_CLK_Q, dk),
				  c->lo, c->hi);
	if (c->refs && (h - c->ref[r].h < ARDUIPI_CLK_BASELINE_NS ||
			k - c->ref[r].k < ARDUIPI_CLK_MIN_SCANS))
		return;
	if (c->refs == 2)
		c->ref[0] = c->ref[1];
	else
		c->refs++;
	c->ref[c->refs - 1].h = h;
	c->ref[c->refs - 1].k = k;
}

/*
 * A sighting: count scans, up to number newest, were stored when the FIFO
 * state was read between host times h0 and h1; next is the next scan to
 * push. Not one while the FIFO drops scans (full once, until a drain
 * empties it): its newest scan is old then. Fresh: the FIFO held just
 * the watermark after a drain left less, so newest is the scan whose
 * storing pulled INT, within ARDUIPI_CLK_INT_NS of h0.
 */
void arduipi_clock_sighting(struct arduipi_clock *c, u64 next, u64 newest,
			    unsigned int count, s64 h0, s64 h1)
{
	s64 lo, hi, ts, err, corr, max;
	bool fresh;

	/* the anchor to the next scan to push, on the line as it was */
	c->ts_a = arduipi_clock_ts(c, next);
	c->k_a = next;
	c->slope = c->period;
	c->steer = 0;
	if (count >= c->cap)
		c->full = true;
	if (c->full || h1 < h0)
		return;

	hi = h1 - c->lag;
	lo = h0 - c->lag - (s64)(c->period >> ARDUIPI_CLK_Q);
	fresh = count == c->per_drain && c->left < c->per_drain;
	if (fresh)
		lo = max(lo, h0 - c->lag - ARDUIPI_CLK_INT_NS);
	/*
	 * The period from sightings of one kind: their middles' errors
	 * cancel. A period longer than the INT window makes most of them
	 * fresh: only those then.
	 */
	if (h1 - h0 <= ARDUIPI_CLK_READ_MAX_NS &&
	    (fresh || c->period <= (u64)ARDUIPI_CLK_INT_NS << ARDUIPI_CLK_Q))
		arduipi_clock_measure(c, lo + (hi - lo) / 2, newest);

	/* outside the window, a quarter of the way back a drain */
	ts = arduipi_clock_ts(c, newest);
	err = ts > hi ? hi - ts : ts < lo ? lo - ts : 0;
	corr = div_s64(err * (1LL << ARDUIPI_CLK_Q),
		       (s64)c->per_drain * ARDUIPI_CLK_SETTLE);
	max = c->period >> 6;
	c->slope = c->period + clamp(corr, -max, max);
	c->steer = (s64)c->per_drain * ARDUIPI_CLK_SETTLE;
}

/* After a drain: the scans it left in the FIFO, UINT_MAX if unknown. */
void arduipi_clock_drained(struct arduipi_clock *c, unsigned int left)
{
	c->left = left;
	if (!left)
		c->full = false;
}
