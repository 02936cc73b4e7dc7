/* SPDX-License-Identifier: GPL-2.0-only */
/* ArduiPi capture timestamps on the host's clock (adc-clock.c). */
#ifndef ARDUIPI_ADC_CLOCK_H
#define ARDUIPI_ADC_CLOCK_H

#include <linux/types.h>

struct arduipi_clock {
	s64 ts_a;		/* host time of scan k_a */
	u64 k_a;
	u64 lo, hi;		/* the Nano's period may be, 1/256 ns */
	u64 period;		/* ... as measured */
	u64 slope;		/* ... as used from k_a on */
	s64 steer;		/* ... for this many scans, then period */
	s64 lag;		/* from a scan's timestamp till it is stored, ns */
	unsigned int per_drain;	/* the FIFO's watermark: scans a drain, about */
	unsigned int cap;	/* scans the FIFO holds */
	unsigned int left;	/* ... after the last drain, UINT_MAX: unknown */
	bool full;		/* it dropped scans, until emptied */
	unsigned int refs;	/* sightings the period is measured from */
	struct {
		s64 h;		/* host time */
		u64 k;		/* scan */
	} ref[2];
};

void arduipi_clock_start(struct arduipi_clock *c, s64 t0, u64 period_ns,
			 u64 lag_ns, unsigned int watermark, unsigned int cap);
s64 arduipi_clock_ts(const struct arduipi_clock *c, u64 k);
s64 arduipi_clock_periods(const struct arduipi_clock *c, u64 k, s64 t);
void arduipi_clock_sighting(struct arduipi_clock *c, u64 next, u64 newest,
			    unsigned int count, s64 h0, s64 h1);
void arduipi_clock_drained(struct arduipi_clock *c, unsigned int left);

#endif /* ARDUIPI_ADC_CLOCK_H */
