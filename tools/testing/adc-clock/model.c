// SPDX-License-Identifier: MIT
/*
 * The driver's capture timestamps (kernel/adc-clock.c) against a model of
 * the Nano and of the driver's drain (kernel/adc.c): a scan every div
 * conversions of 104 us on a clock ppm fast, stored nch conversions after
 * it began into a FIFO of cap scans that, once full, drops scans until it
 * is emptied (firmware/stream.c); INT while it holds the watermark or
 * drops (firmware/main.c). The INT thread reads the FIFO state 0.2..1
 * times lat after INT (now and then stalled for stall_ms), the count
 * taken during a read of 0.4..1 ms, then pushes whole bursts of up to 240
 * bytes (each 25 us a byte), leaving a partial one for the next INT unless
 * it is all there is. Each case prints TAP: the timestamps of the second
 * half of the run within bound of their conversions, steps of 0.96..1.04
 * nominal periods a scan, the period measured within 50 ppm.
 *
 *   model                                       all cases
 *   model DIV NCH PPM SECONDS LAT_MS [STALL_MS]  one run, its figures
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "adc-clock.h"
#include "../tap.h"

#define CONV_NS		104000.0
#define READ_MAX	240	/* ARDUIPI_ADC_FIFO_READ_MAX */
#define FIFO_BYTES	512	/* ARDUIPI_ADC_FIFO_BYTES */

struct result {
	long scans, lost;
	double max_err_ms;	/* second half */
	double min_step, max_step;
	double period_ppm;
};

static double rnd(void)
{
	return rand() / (double)RAND_MAX;
}

/* The Nano's FIFO: scans [oldest, oldest + count) stored, made[] the next. */
struct fifo {
	double p, first, stored_after;	/* scan k is stored at first + k * p */
	unsigned int cap, count;
	u64 oldest, made;
	int dropping;
};

/* Store (or drop) every scan made by host time t. */
static void fifo_run(struct fifo *f, double t)
{
	for (; f->first + f->made * f->p <= t; f->made++) {
		if (f->dropping || f->count >= f->cap) {
			f->dropping = 1;
			continue;
		}
		if (!f->count)
			f->oldest = f->made;
		f->count++;
	}
}

/* When INT is next pulled, from host time t on. */
static double fifo_int(struct fifo *f, unsigned int wm, double t)
{
	fifo_run(f, t);
	if (f->count >= wm || f->dropping)
		return t;
	return f->first + (f->made + wm - f->count - 1) * f->p;
}

static void run(int div, int nch, double ppm, double secs, double lat_ms,
		double stall_ms, struct result *r)
{
	double fq = 1 + ppm * 1e-6, p0 = div * CONV_NS, p = p0 / fq, conv = CONV_NS / fq;
	unsigned int per = READ_MAX / (2 * nch), cap = FIFO_BYTES / (2 * nch);
	unsigned int wm = 9615 / 50 / div, ints = 0;
	double t0 = 1e9, now = t0, last = 0;
	u64 next = 0, lastk = 0;
	struct arduipi_clock c;
	struct fifo f;

	if (cap > 255)
		cap = 255;
	wm = wm < 1 ? 1 : wm > cap / 2 ? cap / 2 : wm > per ? per : wm;
	f = (struct fifo){ .p = p, .first = t0 + nch * conv, .cap = cap };
	/* as arduipi_adc_start(): t0 + half a conversion, lag to the store */
	arduipi_clock_start(&c, (s64)(t0 + CONV_NS / 2), (u64)p0,
			    (nch - 1) * (u64)CONV_NS + (u64)CONV_NS / 2, wm, cap);
	*r = (struct result){ .min_step = 1e9 };
	srand(1);
	while (now < t0 + secs * 1e9) {
		double h0, h1, sample;
		unsigned int count, n;
		u64 newest;
		int first;

		h0 = fifo_int(&f, wm, now) + lat_ms * 1e6 * (0.2 + 0.8 * rnd());
		if (stall_ms && ++ints % 97 == 0)
			h0 += stall_ms * 1e6;
		h1 = h0 + 400000 + 600000 * rnd();
		sample = h0 + (h1 - h0) * rnd();
		fifo_run(&f, sample);
		count = f.count;
		if (!count) {
			now = h1;
			continue;
		}
		if (f.oldest > next) {		/* dropped: the jump */
			r->lost += f.oldest - next;
			next = f.oldest;
		}
		newest = f.oldest + count - 1;
		arduipi_clock_sighting(&c, next, newest, count, (s64)h0, (s64)h1);
		now = h1;
		for (first = 1; count; first = 0) {
			n = count < per ? count : per;
			if (n < per && !first)
				break;
			now += n * 2 * nch * 25000.0;
			for (unsigned int i = 0; i < n; i++, next++) {
				double truth = t0 + conv / 2 + next * p;
				double ts = arduipi_clock_ts(&c, next);

				if (truth > t0 + secs * 1e9 / 2 &&
				    fabs(ts - truth) / 1e6 > r->max_err_ms)
					r->max_err_ms = fabs(ts - truth) / 1e6;
				if (r->scans) {
					double st = (ts - last) / p0 / (next - lastk);

					r->min_step = fmin(r->min_step, st);
					r->max_step = fmax(r->max_step, st);
				}
				last = ts;
				lastk = next;
				r->scans++;
			}
			fifo_run(&f, now);	/* the pop */
			f.count -= n;
			f.oldest += n;
			if (!f.count)
				f.dropping = 0;
			count -= n;
		}
		arduipi_clock_drained(&c, count);
		now += 100000;
	}
	r->period_ppm = (c.period / 256.0 / p - 1) * 1e6;
}

int main(int argc, char **argv)
{
	static const struct {
		int div, nch;
		double ppm, secs, lat_ms, stall_ms, bound_ms;
	} cases[] = {
		/* 961.5 Hz, resonators off both ways, 1 and 10 ms latency */
		{ 10, 1, 5000, 120, 1, 0, 0.30 },
		{ 10, 1, -5000, 120, 1, 0, 0.30 },
		{ 10, 1, 0, 120, 10, 0, 0.25 },
		{ 10, 6, 5000, 120, 2, 0, 0.40 },
		/* ... with the thread stalled 300 ms now and then: the FIFO overflows */
		{ 10, 1, -5000, 120, 1, 300, 0.35 },
		/* the ADC's own rate, with and without 50 ms stalls */
		{ 1, 1, -5000, 60, 3, 0, 0.15 },
		{ 1, 1, 5000, 60, 1, 50, 0.15 },
		/* 50 Hz: a scan a drain; from here the INT window decides */
		{ 192, 1, 5000, 300, 1, 0, 0.70 },
		{ 192, 1, -5000, 300, 1, 0, 5.00 },
		{ 192, 1, -5000, 300, 1, 6000, 5.00 },
		/* 1 Hz and the slowest, 0.15 Hz */
		{ 9615, 1, 5000, 1800, 1, 0, 1.50 },
		{ 9615, 1, -5000, 1800, 1, 0, 5.00 },
		{ 65535, 1, -5000, 7200, 1, 0, 5.00 },
		/* 3 % off, beyond the 2 % measured: 1/64 of steering keeps up */
		{ 2, 1, 30000, 120, 1, 0, 2.70 },
	};
	struct result r;
	unsigned int i;

	if (argc == 6 || argc == 7) {
		run(atoi(argv[1]), atoi(argv[2]), atof(argv[3]), atof(argv[4]),
		    atof(argv[5]), argc == 7 ? atof(argv[6]) : 0, &r);
		printf("%ld scans, %ld lost; second half within %.3f ms; steps %.4f..%.4f; period %.1f ppm\n",
		       r.scans, r.lost, r.max_err_ms, r.min_step, r.max_step, r.period_ppm);
		return 0;
	}
	printf("1..%zu\n", sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = failed_checks;

		run(cases[i].div, cases[i].nch, cases[i].ppm, cases[i].secs,
		    cases[i].lat_ms, cases[i].stall_ms, &r);
		printf("# %ld scans, %ld lost; second half within %.3f ms; steps %.4f..%.4f; period %.1f ppm\n",
		       r.scans, r.lost, r.max_err_ms, r.min_step, r.max_step, r.period_ppm);
		CHECK(r.max_err_ms <= cases[i].bound_ms);
		CHECK(r.min_step >= 0.96 && r.max_step <= 1.04);
		if (fabs(cases[i].ppm) <= 20000)
			CHECK(fabs(r.period_ppm) <= 50);
		CHECK(!cases[i].stall_ms || r.lost);
		printf("%s %u - %.2f Hz, %d input(s), clock %+.0f ppm, %.0f s, INT latency up to %.0f ms, stalls of %.0f ms: timestamps within %.2f ms\n",
		       failed_checks == before ? "ok" : "not ok", i + 1,
		       9615.384615 / cases[i].div, cases[i].nch, cases[i].ppm,
		       cases[i].secs, cases[i].lat_ms, cases[i].stall_ms,
		       cases[i].bound_ms);
	}
	return failed_checks ? 1 : 0;
}
