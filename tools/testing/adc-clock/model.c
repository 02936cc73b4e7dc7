// SPDX-License-Identifier: MIT
/*
 * The driver's capture timestamps (kernel/adc-clock.c) against a model of
 * the Nano: scans every div conversions of 104 us on a clock ppm fast, a
 * FIFO whose watermark-th scan pulls INT, an INT thread that reads the
 * FIFO state 0.2..1 times lat later (a read of 0.4..1 ms) and pushes all
 * it holds, as kernel/adc.c does. Each case prints TAP: the timestamps of
 * the second half of the run within bound of the conversions, steps of
 * 0.96..1.04 nominal periods, the period measured within 50 ppm.
 *
 *   model            all cases
 *   model DIV NCH PPM SECONDS LAT_MS   one run, its figures
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "adc-clock.h"
#include "../tap.h"

#define CONV_NS 104000.0

struct result {
	long scans;
	double max_err_ms;	/* second half */
	double min_step, max_step;
	double period_ppm;
};

static void run(int div, int nch, double ppm, double secs, double lat_ms,
		struct result *r)
{
	double f = 1 + ppm * 1e-6, p0 = div * CONV_NS, p = p0 / f, conv = CONV_NS / f;
	int wm = 9615 / 50 / div;
	double t0 = 1e9, now = t0, last = 0;
	u64 next = 0;
	struct arduipi_clock c;

	if (wm < 1)
		wm = 1;
	if (wm > 120 / nch)
		wm = 120 / nch;
	/* as arduipi_adc_start(): t0 + half a conversion, lag to the store */
	arduipi_clock_start(&c, (s64)(t0 + CONV_NS / 2), (u64)p0,
			    (nch - 1) * (u64)CONV_NS + (u64)CONV_NS / 2, wm);
	*r = (struct result){ .min_step = 1e9 };
	srand(1);
	while (now < t0 + secs * 1e9) {
		/* the watermark-th unread scan pulls INT when it is stored */
		u64 k = next + wm - 1;
		double stored = t0 + k * p + nch * conv;
		double h0 = stored + lat_ms * 1e6 * (0.2 + 0.8 * rand() / (double)RAND_MAX);
		double h1 = h0 + 400000 + 600000.0 * rand() / RAND_MAX;
		/* the count is taken during the read */
		double sample = h0 + (h1 - h0) * rand() / (double)RAND_MAX;
		u64 newest = (u64)((sample - t0 - nch * conv) / p);

		arduipi_clock_sighting(&c, next, newest, (s64)h0, (s64)h1,
				       newest - next + 1 == (u64)wm);
		for (; next <= newest; next++) {
			double truth = t0 + conv / 2 + next * p;
			double ts = arduipi_clock_ts(&c, next);

			if (truth > t0 + secs * 1e9 / 2 &&
			    fabs(ts - truth) / 1e6 > r->max_err_ms)
				r->max_err_ms = fabs(ts - truth) / 1e6;
			if (next) {
				r->min_step = fmin(r->min_step, (ts - last) / p0);
				r->max_step = fmax(r->max_step, (ts - last) / p0);
			}
			last = ts;
			r->scans++;
		}
		now = h1;
	}
	r->period_ppm = (c.period / 256.0 / p - 1) * 1e6;
}

int main(int argc, char **argv)
{
	static const struct {
		int div, nch;
		double ppm, secs, lat_ms, bound_ms;
	} cases[] = {
		/* 961.5 Hz, resonators off both ways, 1 and 10 ms latency */
		{ 10, 1, 5000, 120, 1, 0.7 },
		{ 10, 1, -5000, 120, 1, 0.7 },
		{ 10, 1, 0, 120, 10, 1.5 },
		{ 10, 6, 5000, 120, 2, 1.0 },
		/* the ADC's own rate */
		{ 1, 1, -5000, 60, 3, 0.5 },
		/* 50 Hz: a scan a drain; from here the INT window decides */
		{ 192, 1, 5000, 300, 1, 1.0 },
		{ 192, 1, -5000, 300, 1, 5.0 },
		/* 1 Hz and the slowest, 0.15 Hz */
		{ 9615, 1, 5000, 1800, 1, 5.0 },
		{ 9615, 1, -5000, 1800, 1, 5.0 },
		{ 65535, 1, -5000, 7200, 1, 5.0 },
		/* 3 % off, beyond the 2 % measured: 1/64 of steering keeps up */
		{ 2, 1, 30000, 120, 1, 10.0 },
	};
	struct result r;
	unsigned int i;

	if (argc == 6) {
		run(atoi(argv[1]), atoi(argv[2]), atof(argv[3]), atof(argv[4]),
		    atof(argv[5]), &r);
		printf("%ld scans; second half within %.3f ms; steps %.4f..%.4f; period %.1f ppm\n",
		       r.scans, r.max_err_ms, r.min_step, r.max_step, r.period_ppm);
		return 0;
	}
	printf("1..%zu\n", sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = failed_checks;

		run(cases[i].div, cases[i].nch, cases[i].ppm, cases[i].secs,
		    cases[i].lat_ms, &r);
		printf("# %ld scans; second half within %.3f ms; steps %.4f..%.4f; period %.1f ppm\n",
		       r.scans, r.max_err_ms, r.min_step, r.max_step, r.period_ppm);
		CHECK(r.max_err_ms <= cases[i].bound_ms);
		CHECK(r.min_step >= 0.96 && r.max_step <= 1.04);
		if (fabs(cases[i].ppm) <= 20000)
			CHECK(fabs(r.period_ppm) <= 50);
		printf("%s %u - %.2f Hz, %d input(s), clock %+.0f ppm, %.0f s, INT latency up to %.0f ms: timestamps within %.1f ms\n",
		       failed_checks == before ? "ok" : "not ok", i + 1,
		       9615.384615 / cases[i].div, cases[i].nch, cases[i].ppm,
		       cases[i].secs, cases[i].lat_ms, cases[i].bound_ms);
	}
	return failed_checks ? 1 : 0;
}
