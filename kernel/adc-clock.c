// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi capture timestamps on the host's clock.
 *
 * The Nano converts on its own clock, a ceramic resonator on most boards:
 * off by up to 0.5 %, which is 18 s an hour. Scan k of a capture is given
 * the host time ts(k) of a line through an anchor, ts(k) = ts_a + (k - k_a)
 * * slope, that follows what the host sees:
 *
 * - Each time the INT thread reads the FIFO state, the newest scan stored
 *   was converted within one period before the FIFO count was read; the
 *   read takes place between two host times h0 and h1. So that scan
 *   happened at (h0 + h1) / 2 - period / 2, give or take half a period and
 *   half the read. Reads longer than ARDUIPI_CLK_READ_MAX_NS (retries, a
 *   stalled bus) are not used.
 * - The Nano's period is (h - h_ref) / (k - k_ref) between such sightings
 *   34 to 68 s apart (two references, the older one dropped as the newer
 *   one ages): the errors of both sightings shrink with the baseline, and
 *   a drift with temperature is followed. It is used once the baseline
 *   holds ARDUIPI_CLK_MIN_SCANS scans and a second, and it is kept within
 *   ARDUIPI_CLK_PPM_MAX of the nominal period (what a resonator can be
 *   off by; a clock further off is not followed).
 * - The phase: the line's error at the newest scan is taken out over the
 *   next ARDUIPI_CLK_SETTLE drains by the slope, never by a step: the
 *   slope stays within 1/64 of the period, timestamps are continuous and
 *   increase by 0.95 to 1.05 periods a scan.
 *
 * Only the scans not pushed yet take a new slope: the anchor moves to the
 * next scan to push at each sighting. All arithmetic is in 64 bits, the
 * period in 1/256 ns (32-bit hosts: div64 helpers).
 *
 * Limitations: timestamps are as good as the sightings: within about half
 * a period plus half a FIFO read of the conversion once the period is
 * known (Documentation/adc.rst gives the measured figures); a clock off by
 * more than ARDUIPI_CLK_PPM_MAX drifts by the difference.
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

void arduipi_clock_start(struct arduipi_clock *c, s64 t0, u64 period_ns,
			 unsigned int per_drain)
{
	*c = (struct arduipi_clock) {
		.ts_a = t0,
		.nominal = period_ns << ARDUIPI_CLK_Q,
		.period = period_ns << ARDUIPI_CLK_Q,
		.slope = period_ns << ARDUIPI_CLK_Q,
		.per_drain = max(per_drain, 1U),
	};
}

s64 arduipi_clock_ts(const struct arduipi_clock *c, u64 k)
{
	s64 dk = k - c->k_a;

	/* |dk| is at most a FIFO of scans plus lost ones: no overflow */
	return c->ts_a + (dk * (s64)c->slope >> ARDUIPI_CLK_Q);
}

/* The period between two sightings, if the baseline is long enough. */
static bool arduipi_clock_period(struct arduipi_clock *c, s64 h, u64 k,
				 unsigned int r)
{
	u64 dk = k - c->ref_k[r], lo, hi, p;
	s64 dh = h - c->ref_h[r];

	if (dk < ARDUIPI_CLK_MIN_SCANS || dh < NSEC_PER_SEC)
		return false;
	p = div64_u64((u64)dh << ARDUIPI_CLK_Q, dk);
	lo = c->nominal - div_u64(c->nominal * ARDUIPI_CLK_PPM_MAX, 1000000);
	hi = c->nominal + div_u64(c->nominal * ARDUIPI_CLK_PPM_MAX, 1000000);
	c->period = clamp(p, lo, hi);
	return true;
}

/*
 * A sighting: scans up to number newest were stored when the FIFO state
 * was read between host times h0 and h1; next is the next scan to push.
 */
void arduipi_clock_sighting(struct arduipi_clock *c, u64 next, u64 newest,
			    s64 h0, s64 h1)
{
	s64 h, err, corr, max;

	if (h1 - h0 > ARDUIPI_CLK_READ_MAX_NS || h1 < h0)
		return;
	h = h0 + (h1 - h0) / 2 - (s64)(c->period >> (ARDUIPI_CLK_Q + 1));

	/* the period, from the older reference; the newer one ages */
	if (!c->refs) {
		c->ref_h[0] = h;
		c->ref_k[0] = newest;
		c->refs = 1;
	} else {
		arduipi_clock_period(c, h, newest, 0);
		if (c->refs == 1 && h - c->ref_h[0] >= ARDUIPI_CLK_BASELINE_NS) {
			c->ref_h[1] = h;
			c->ref_k[1] = newest;
			c->refs = 2;
		} else if (c->refs == 2 &&
			   h - c->ref_h[1] >= ARDUIPI_CLK_BASELINE_NS) {
			c->ref_h[0] = c->ref_h[1];
			c->ref_k[0] = c->ref_k[1];
			c->ref_h[1] = h;
			c->ref_k[1] = newest;
		}
	}

	/* the anchor to the next scan to push, on the line as it was */
	c->ts_a = arduipi_clock_ts(c, next);
	c->k_a = next;

	/* the phase error at the newest scan, out over the next drains */
	err = h - arduipi_clock_ts(c, newest);
	corr = div_s64(err << ARDUIPI_CLK_Q,
		       (s64)c->per_drain * ARDUIPI_CLK_SETTLE);
	max = c->period >> 6;
	c->slope = c->period + clamp(corr, -max, max);
}
