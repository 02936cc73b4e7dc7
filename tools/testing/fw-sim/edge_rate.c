// SPDX-License-Identifier: MIT
/*
 * The edge FIFO's sustained rate, in simulated time: the real firmware in
 * nanosim (lockstep), a square wave on D2 (both edges enabled, EDGE_CTRL
 * set), and a host that drains the FIFO the way the kernel driver does:
 * INT asserted -> one status read (IRQ_STATUS .. EDGE_FIRST, 8 bytes),
 * a read of the other events (EDGE_FIFO + 1 ..), one consume (EDGE_SEQ),
 * and, when EDGE_COUNT says so, EDGE_LOST read and acknowledged. The host
 * looks at INT every 50 us. For each bus clock, rates go up until edges
 * are lost; every run checks that the events and the edges counted lost
 * are every edge the line made, and that the events alternate rising,
 * falling where none was lost.
 *
 *   edge_rate NANOSIM FIRMWARE.elf
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim_host.h"
#include "../../../kernel/arduipi-regs.h"
#include "../../../firmware/crc.h"

#define RUN_MS		200
#define A		ARDUIPI_DEFAULT_ADDR



/* PEC read of n bytes at reg into d; 0 if it came whole. */
static int pec_read(uint8_t reg, int n, uint8_t *d)
{
	uint8_t f[3] = { ARDUIPI_CMD_PEC_READ, reg, n }, aw = A << 1, ar = aw | 1;
	char req[32];
	int i;

	snprintf(req, sizeof(req), "xfer 2a wae%02x%02x r%d", reg, n, n + 1);
	cmd(req, NULL);
	for (i = 0; i <= n; i++)
		sscanf(R + 3 + 2 * i, "%2hhx", &d[i]);
	return crc8_buf(d, n, crc8_buf(&ar, 1, crc8_buf(f, 3, crc8_buf(&aw, 1, 0)))) != d[n];
}

static void pec_write(uint8_t reg, uint8_t v)
{
	uint8_t f[5] = { ARDUIPI_CMD_PEC_WRITE, reg, 1, v }, aw = A << 1;
	char req[40];

	f[4] = crc8_buf(f, 4, crc8_buf(&aw, 1, 0));
	snprintf(req, sizeof(req), "xfer 2a wa9%02x01%02x%02x r2", reg, v, f[4]);
	cmd(req, NULL);
}

struct result {
	unsigned long edges, events, lost, xfers;
	int in_order;
};

/* The FIFO on and emptied (EDGE_CTRL 0, 1: a change empties it); where
 * its counts start. */
static void start(uint8_t *seq, uint8_t *lost_seen)
{
	uint8_t d[2];

	cmd("xfer 2a w9b00", NULL);
	cmd("xfer 2a w9b01", NULL);
	cmd("wait 1", NULL);
	if (pec_read(ARDUIPI_REG_EDGE_SEQ, 1, d) == 0)
		*seq = d[0];
	if (pec_read(ARDUIPI_REG_EDGE_LOST, 1, d) == 0)
		*lost_seen = d[0];
}

/* EDGE_LOST moved on: what is new since *seen, then acknowledged. */
static void take_lost(struct result *res, uint8_t *seen)
{
	uint8_t l[2];

	if (!pec_read(ARDUIPI_REG_EDGE_LOST, 1, l)) {
		res->lost += (uint8_t)(l[0] - *seen);
		*seen = l[0];
		pec_write(ARDUIPI_REG_EDGE_LOST, l[0]);
	}
}

static struct result run(unsigned int rate)
{
	struct result res = { .in_order = 1 };
	unsigned long long c0, edges0, x0;
	unsigned int per_ns = 2000000000u / rate;	/* a whole period */
	uint8_t d[ARDUIPI_EDGE_DEPTH + 1], seq = 0, lost_seen = 0, want = 1;
	unsigned int n, i;
	char req[64];

	start(&seq, &lost_seen);
	edges0 = sim_num("count D2", NULL);
	x0 = sim_num("stats", "xfers");
	c0 = sim_num("time", NULL);
	snprintf(req, sizeof(req), "pulse D2 %.3f %u %.3f", per_ns / 2000.0,
		 rate * RUN_MS / 2000, per_ns / 1000.0);
	cmd(req, NULL);
	for (;;) {
		int busy = sim_num("time", NULL) - c0 < (RUN_MS + 5) * 16000ULL;

		cmd("wait 0.05", NULL);
		cmd("int", NULL);
		if (R[3] != '0') {	/* INT released */
			if (!busy)
				break;
			continue;
		}
		if (pec_read(ARDUIPI_REG_GPIO_IRQ_STATUS, 8, d))
			continue;
		n = d[6] & ~ARDUIPI_EDGE_COUNT_LOST;
		if (d[6] & ARDUIPI_EDGE_COUNT_LOST)
			take_lost(&res, &lost_seen);
		if (!n)
			continue;
		d[0] = d[7];
		if (n > 1 && pec_read(ARDUIPI_REG_EDGE_FIFO + 1, n - 1, d + 1))
			continue;
		seq += n;
		pec_write(ARDUIPI_REG_EDGE_SEQ, seq);
		for (i = 0; i < n; i++) {
			int rising = !!(d[i] & ARDUIPI_EDGE_RISING);

			if ((d[i] & ARDUIPI_EDGE_LINE) != 2 || rising != want)
				res.in_order = 0;
			want = !rising;
		}
		res.events += n;
	}
	res.edges = sim_num("count D2", NULL) - edges0;
	res.xfers = sim_num("stats", "xfers") - x0;
	return res;
}

/*
 * 300 pulses of width_us, 1511 us apart (at every phase of the bus's and
 * the ADC's work), the ADC stream running at its own rate and the host
 * reading the status back to back (the bus always busy): the edges of
 * pulses that end before the pin-change interrupt reads the port are
 * counted lost, two (or four) a pulse.
 */
static struct result pulses(double width_us)
{
	struct result res = { .in_order = 1 };
	unsigned long long edges0, c0;
	uint8_t d[ARDUIPI_EDGE_DEPTH + 1], seq = 0, lost_seen = 0;
	char req[64];
	unsigned int n;

	cmd("xfer 2a w8901010001", NULL);	/* A0, every conversion, on */
	start(&seq, &lost_seen);
	edges0 = sim_num("count D2", NULL);
	c0 = sim_num("time", NULL);
	snprintf(req, sizeof(req), "pulse D2 %.3f 300 1511", width_us);
	cmd(req, NULL);
	while (sim_num("time", NULL) - c0 < 460 * 16000ULL) {
		if (pec_read(ARDUIPI_REG_GPIO_IRQ_STATUS, 8, d))
			continue;
		n = d[6] & ~ARDUIPI_EDGE_COUNT_LOST;
		if (d[6] & ARDUIPI_EDGE_COUNT_LOST)
			take_lost(&res, &lost_seen);
		if (n) {
			seq += n;
			pec_write(ARDUIPI_REG_EDGE_SEQ, seq);
			res.events += n;
		}
	}
	cmd("xfer 2a w8c00", NULL);
	res.edges = sim_num("count D2", NULL) - edges0;
	return res;
}

int main(int argc, char **argv)
{
	static const unsigned int clocks[] = { 100000, 400000 };
	static const unsigned int rates[] = { 1000, 2000, 3000, 4000, 5000, 6000,
					      8000, 10000, 12000, 16000, 20000 };
	/* the rates each clock must carry without loss (Documentation) */
	static const unsigned int floor[] = { 2000, 8000 };
	const char *extra[] = { argv[2], NULL };
	unsigned int c, i, t = 0;
	int fails = 0;

	prog = "edge_rate";
	if (argc != 3) {
		fprintf(stderr, "usage: edge_rate NANOSIM FIRMWARE.elf\n");
		return 2;
	}
	printf("TAP version 13\n1..%zu\n", 2 * sizeof(clocks) / sizeof(clocks[0]) + 2);
	for (c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		unsigned int best = 0, exact = 1;
		char clk[16];

		S = sim_spawn(argv[1], extra);
		if (!S)
			return 2;
		snprintf(clk, sizeof(clk), "%u", clocks[c]);
		cmd("clock %s", clk);
		cmd("drive D2 0", NULL);
		cmd("xfer 2a w5f0c", NULL);		/* INT on D12 */
		cmd("xfer 2a w72040000", NULL);		/* D2: both edges */
		cmd("xfer 2a w75040000", NULL);
		for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
			struct result r = run(rates[i]);

			printf("# %u kHz bus, %u edges/s: %lu edges, %lu events, %lu counted lost, %s, %.1f transactions per 16 events\n",
			       clocks[c] / 1000, rates[i], r.edges, r.events,
			       r.lost, r.in_order ? "in order" : "out of order",
			       r.events ? 16.0 * r.xfers / r.events : 0);
			if (r.events + r.lost != r.edges)
				exact = 0;
			if (r.lost || !r.in_order)
				break;
			best = rates[i];
		}
		sim_close(S);
		t++;
		printf("%s %u - %u kHz bus: events and edges counted lost are every edge, at every rate\n",
		       exact ? "ok" : "not ok", t, clocks[c] / 1000);
		fails += !exact;
		t++;
		printf("%s %u - %u kHz bus: %u edges/s without loss, in order (%u wanted)\n",
		       best >= floor[c] ? "ok" : "not ok", t, clocks[c] / 1000,
		       best, floor[c]);
		fails += best < floor[c];
	}
	/* pulses as short as the pin-change interrupt's wait allows: the
	 * TWI interrupt keeps interrupts off for its first 60 cycles or so */
	S = sim_spawn(argv[1], extra);
	if (!S)
		return 2;
	cmd("clock 100000", NULL);
	cmd("drive D2 0", NULL);
	cmd("adc A0 2.5", NULL);
	cmd("xfer 2a w5f0c", NULL);
	cmd("xfer 2a w72040000", NULL);
	cmd("xfer 2a w75040000", NULL);
	{
		static const double widths[] = { 2, 3, 4, 5, 6 };
		unsigned int whole = 0;

		for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
			struct result r = pulses(widths[i]);

			printf("# %.0f us pulses, the bus busy and the ADC stream running: %lu edges, %lu events, %lu counted lost\n",
			       widths[i], r.edges, r.events, r.lost);
			if (r.events + r.lost < r.edges || r.events > r.edges)
				fails++;
			if (widths[i] == 6)
				whole = r.events == r.edges && !r.lost;
		}
		t++;
		printf("%s %u - 6 us pulses: every edge, the bus busy and the ADC stream running; shorter ones an event or counted lost\n",
		       whole && !fails ? "ok" : "not ok", t);
		fails += !whole;
	}
	/* a flood no host drains: a 50 kHz square wave for 50 ms */
	{
		unsigned long long stretch;
		int ok;

		cmd("stats reset", NULL);
		cmd("pulse D2 10 2500 20", NULL);
		cmd("wait 25", NULL);
		cmd("xfer 2a we0 r1", NULL);	/* in the flood */
		cmd("wait 30", NULL);
		stretch = sim_num("stats", "stretch_max_ns");
		cmd("xfer 2a we0 r1", NULL);	/* after it */
		ok = !strcmp(R, "ok 55") && !sim_num("stats", "wdt") &&
		     !sim_num("stats", "crashes");
		printf("# 100 000 edges/s for 50 ms: SCL stretched up to %llu us, no watchdog reset, answering after it: %s\n",
		       stretch / 1000, ok ? "yes" : "no");
		t++;
		printf("%s %u - a 100 000 edges/s flood stretches the bus but the Nano rides it out\n",
		       ok ? "ok" : "not ok", t);
		fails += !ok;
	}
	sim_close(S);
	return !!fails;
}
