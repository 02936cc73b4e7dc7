/* SPDX-License-Identifier: GPL-2.0-only */
/* ArduiPi capture timestamps on the host's clock (adc-clock.c). */
#ifndef ARDUIPI_ADC_CLOCK_H
#define ARDUIPI_ADC_CLOCK_H

#include <linux/types.h>

struct arduipi_clock {
	s64 ts_a;		/* host time of scan k_a */
	u64 k_a;
	u64 nominal;		/* the Nano's period as configured, 1/256 ns */
	u64 period;		/* ... as measured */
	u64 slope;		/* ... as used from k_a on */
	s64 steer;		/* ... for this many scans, then period */
	s64 lag;		/* from a scan's timestamp till it is stored, ns */
	unsigned int per_drain;	/* scans a drain, about */
	unsigned int refs;	/* sightings the period is measured from */
	s64 ref_h[2];
	u64 ref_k[2];
};

void arduipi_clock_start(struct arduipi_clock *c, s64 t0, u64 period_ns,
			 u64 lag_ns, unsigned int per_drain);
s64 arduipi_clock_ts(const struct arduipi_clock *c, u64 k);
void arduipi_clock_sighting(struct arduipi_clock *c, u64 next, u64 newest,
			    s64 h0, s64 h1, bool fresh);

#endif /* ARDUIPI_ADC_CLOCK_H */
