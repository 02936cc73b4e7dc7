// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the request commands. One request line gets one response line:
 * "ok ...", "err <message>", or for xfer also "nack ...", "timeout",
 * "buserr". Hex for addresses and bytes (0x optional), decimal for counts
 * and times. See Documentation/simulator.rst for the full reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "nanosim.h"

#define MAXTOK 40
#define REPLY(...) do { out_line(__VA_ARGS__); return; } while (0)

static enum { P_NONE, P_XFER, P_WAIT } pend;
static uint64_t wait_until;
static struct faults armed = FAULTS_INIT;
static struct xact x;

static int hexval(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	*v = strtoul(s, &end, 16);
	return (*end || *v > max) ? -1 : 0;
}

static int decval(const char *s, long min, long max, long *v)
{
	char *end;

	*v = strtol(s, &end, 10);
	return (end == s || *end || *v < min || *v > max) ? -1 : 0;
}

static int dblval(const char *s, double min, double max, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return (end == s || *end || !(*v >= min && *v <= max)) ? -1 : 0;
}

static int hexbytes(const char *s, uint8_t *buf, int max)
{
	int n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s[0]; s += 2) {
		char b[3] = { s[0], s[1], 0 };

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || n == max)
			return -1;
		buf[n++] = strtoul(b, NULL, 16);
	}
	return n;
}

/* ---- xfer ------------------------------------------------------------------- */

static void cmd_xfer(int argc, char **argv)
{
	unsigned long a;
	int wire = 0, nack_ok = 0, vanish_ok = 0;

	memset(&x, 0, sizeof(x));
	x.f = armed;
	armed = FAULTS_NONE;	/* used up, even on error */
	if (argc < 3 || hexval(argv[1], 0x7f, &a))
		REPLY("err usage: xfer ADDR w<hex>|r<count>...");
	if (argc - 2 > XF_MAXMSG)
		REPLY("err at most %d messages", XF_MAXMSG);
	x.addr = a;
	x.nmsg = argc - 2;
	for (int i = 0; i < x.nmsg; i++) {
		struct msg *m = &x.m[i];
		const char *s = argv[i + 2];
		long n;

		if (tolower((unsigned char)s[0]) == 'w') {
			m->len = hexbytes(s + 1, m->buf, XF_MAXLEN);
			if (m->len < 0)
				REPLY("err bad write message '%s'", s);
			m->quick = m->len == 0;	/* SMBus quick write */
		} else if (tolower((unsigned char)s[0]) == 'r' &&
			   !decval(s + 1, 0, XF_MAXLEN, &n)) {
			m->rd = 1;
			m->len = n ? n : 1;	/* SMBus quick read: 1 byte, NACKed */
			m->quick = n == 0;
		} else {
			REPLY("err bad message '%s'", s);
		}
		/* wire index of the address byte is 'wire'; then the data bytes */
		if (x.f.nack_n >= wire && x.f.nack_n <= wire + (m->rd ? 0 : m->len))
			nack_ok = 1;
		if (m->rd && x.f.vanish_n > wire && x.f.vanish_n <= wire + m->len)
			vanish_ok = 1;
		wire += 1 + m->len;
	}
	if (x.f.nack_n >= 0 && !nack_ok)
		REPLY("err fault nack %d: not a byte the master writes", x.f.nack_n);
	if (x.f.vanish_n >= 0 && !vanish_ok)
		REPLY("err fault vanish %d: not a byte the master reads", x.f.vanish_n);
	if (x.f.slip_n >= wire)
		REPLY("err fault slip %d: the transfer has %d bytes", x.f.slip_n, wire);
	xfer_submit(&x);
	pend = P_XFER;
}

/* ---- fault injection -------------------------------------------------------------- */

static void cmd_fault(int argc, char **argv)
{
	long n, b;
	double ms = 0;

	if (argc >= 4 && !strcmp(argv[1], "flip") && !decval(argv[2], 0, 1 << 20, &n) &&
	    !decval(argv[3], 0, 7, &b)) {
		int i;

		for (i = 0; i < armed.nflip && armed.flip_n[i] != n; i++)
			;
		if (i == FLIPS_MAX)
			REPLY("err fault flip: %d bytes at most", FLIPS_MAX);
		armed.flip_n[i] = n;
		armed.flip_mask[i] ^= 1 << b;
		if (i == armed.nflip)
			armed.nflip++;
	} else if (argc >= 3 && !strcmp(argv[1], "slip") && !decval(argv[2], 0, 1 << 20, &n)) {
		armed.slip_n = n;
	} else if (argc >= 3 && !strcmp(argv[1], "nack") && !decval(argv[2], 0, 1 << 20, &n)) {
		armed.nack_n = n;
	} else if (argc >= 3 && !strcmp(argv[1], "buserr") && !decval(argv[2], 0, 1 << 20, &n)) {
		armed.buserr_n = n;
	} else if (argc >= 3 && !strcmp(argv[1], "vanish") && !decval(argv[2], 0, 1 << 20, &n)) {
		armed.vanish_n = n;
	} else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "stall") &&
		   !dblval(argv[2], 0, 1e6, &ms) &&
		   (argc == 3 || !decval(argv[3], 0, 1 << 20, &n))) {
		armed.stall_ms = ms;
		armed.stall_n = argc == 4 ? n : -1;
	} else if (argc >= 2 && !strcmp(argv[1], "mute") &&
		   (argc == 2 || !dblval(argv[2], 0, 1e9, &ms))) {
		out_line("ok");
		server_mute(ms);
		return;
	} else if (argc == 2 && !strcmp(argv[1], "hang")) {
		mcu_stall(UINT64_MAX);	/* until a reset (its watchdog) */
	} else if (argc == 2 && !strcmp(argv[1], "clear")) {
		armed = FAULTS_NONE;
		server_mute(-1);
		mcu_stall(0);
	} else {
		REPLY("err usage: fault flip N BIT | slip N | nack N | buserr N | vanish N | stall MS [N] | hang | mute [MS] | clear");
	}
	out_line("ok");
}

/* ---- board ------------------------------------------------------------------------ */

static int need_line(const char *s, int *line)
{
	*line = line_parse(s);
	if (*line < 0)
		out_line("err bad line '%s' (D0..D13, A0..A5, 0..19)", s);
	return *line < 0;
}

static void cmd_board(int argc, char **argv)
{
	const char *c = argv[0];
	int l1, l2;

	if (argc < 2)
		REPLY("err usage: %s LINE...", c);
	if (need_line(argv[1], &l1))
		return;
	if (!strcmp(c, "wire") || !strcmp(c, "unwire")) {
		if (argc < 3)
			REPLY("err usage: %s L1 L2", c);
		if (need_line(argv[2], &l2))
			return;
		if (board_wire(l1, l2, c[0] == 'w'))
			REPLY("err cannot wire a line to itself");
	} else if (!strcmp(c, "drive")) {
		if (argc < 3 || (strcmp(argv[2], "0") && strcmp(argv[2], "1") &&
				 strcasecmp(argv[2], "z")))
			REPLY("err usage: drive LINE 0|1|z");
		board_drive(l1, tolower((unsigned char)argv[2][0]) == 'z' ? -1 : argv[2][0] - '0');
	} else if (!strcmp(c, "pulse")) {
		double w = 0, per = 0;
		long n = 1;

		if (argc < 3 || dblval(argv[2], 0.0625, 1e6, &w) ||
		    (argc > 3 && decval(argv[3], 1, 10000000, &n)) ||
		    (argc > 4 && dblval(argv[4], 0.125, 1e7, &per)))
			REPLY("err usage: pulse LINE WIDTH_US [COUNT [PERIOD_US]]");
		if (argc <= 4)
			per = 2 * w;
		switch (board_pulses(l1, ms2cyc(w / 1000), n, ms2cyc(per / 1000))) {
		case -1:
			REPLY("err pulse: drive the line first (drive LINE 0|1)");
		case -2:
			REPLY("err pulse: the width and the gap between pulses must each be a CPU cycle or more");
		}
	} else if (!strcmp(c, "count")) {
		REPLY("ok %u", board_edge_count(l1));
	} else if (!strcmp(c, "intline")) {
		board_set_intline(l1);
	} else if (!strcmp(c, "pin")) {
		REPLY("ok %d %s %d", board_level(l1), board_dir(l1) ? "out" : "in",
				board_pull(l1));
	} else if (!strcmp(c, "pwm")) {
		char buf[96];
		double win = 0;

		if (argc > 2 && dblval(argv[2], 1, 10000, &win))
			REPLY("err usage: pwm LINE [WINDOW_MS]");
		board_pwm(l1, win, buf, sizeof(buf));
		out_line("%s", buf);
		return;
	}
	out_line("ok");
}

static void cmd_analog(int argc, char **argv)
{
	const char *c = argv[0];
	double v;
	long ch;

	if (!strcmp(c, "adc")) {
		const char *a = argc > 1 ? argv[1] : "";

		if (toupper((unsigned char)a[0]) == 'A')
			a++;
		double lo, hi, ms;

		if (argc == 6 && !decval(a, 0, NADC - 1, &ch) &&
		    !dblval(argv[3], -1, 10, &lo) && !dblval(argv[4], -1, 10, &hi) &&
		    !dblval(argv[5], 0.001, 1e6, &ms) &&
		    !adc_set_wave(ch, argv[2], lo, hi, ms / 1000))
			REPLY("ok");
		if (argc != 3 || decval(a, 0, NADC - 1, &ch) || dblval(argv[2], -1, 10, &v))
			REPLY("err usage: adc CH(0-7|A0-A7) VOLTS | adc CH saw|sine VMIN VMAX PERIOD_MS");
		adc_set_input(ch, v);
	} else if (argc != 2 || dblval(argv[1], -60, 200, &v)) {
		REPLY("err usage: %s VALUE", c);
	} else if (!strcmp(c, "temp")) {
		adc_set_temp(v);
	} else if (v < 0 || v > 6) {
		REPLY("err %s out of range", c);
	} else if (!strcmp(c, "avcc")) {
		adc_set_avcc(v);
	} else {
		adc_set_aref(v);
	}
	out_line("ok");
}

/*
 * "edges LINE...": ok now=NS end=NS LINE=LEVEL@NS ...: the simulated time,
 * the end of the last transaction, and each line's level and last edge
 * ("-": none yet). Tells when the firmware acted while the host was silent.
 */
static void cmd_edges(int argc, char **argv)
{
	char buf[512];
	int n, l;

	if (argc < 2)
		REPLY("err usage: edges LINE...");
	n = snprintf(buf, sizeof(buf), "ok now=%llu end=%llu",
		     (unsigned long long)cyc2ns(avr->cycle),
		     (unsigned long long)cyc2ns(twi_last_end));
	for (int i = 1; i < argc && n < (int)sizeof(buf) - 40; i++) {
		uint64_t t;

		if (need_line(argv[i], &l))
			return;
		t = board_last_edge(l);
		n += snprintf(buf + n, sizeof(buf) - n, " %s=%d@", line_name(l),
			      board_level(l));
		n += t ? snprintf(buf + n, sizeof(buf) - n, "%llu",
				  (unsigned long long)cyc2ns(t)) :
			 snprintf(buf + n, sizeof(buf) - n, "-");
	}
	out_line("%s", buf);
}

/* ---- misc --------------------------------------------------------------------------- */

static void cmd_stats(int argc, char **argv)
{
	char hist[128], by[32 * 16] = "-";
	int n = 0, m = 0;

	if (argc > 1 && !strcmp(argv[1], "reset")) {
		stats_clear();
		REPLY("ok");
	}
	for (int i = 0; i < HOLD_BUCKETS; i++)
		n += snprintf(hist + n, sizeof(hist) - n, "%s%llu", i ? "/" : "",
			      (unsigned long long)st.hold_hist[i]);
	/* the worst hold of each TWSR status seen: "a8:1111,b8:512" */
	for (int s = 0; s < 32; s++)
		if (st.hold_max_by[s])
			m += snprintf(by + m, sizeof(by) - m, "%s%02x:%llu", m ? "," : "",
				      s << 3, (unsigned long long)st.hold_max_by[s]);
	out_line("ok xfers=%llu bytes=%llu busy_ns=%llu nacks=%llu timeouts=%llu buserrs=%llu "
		 "hold_max=%llu hold_max_status=%02x hold_count=%llu hold_hist=%s "
		 "hold_stalled=%llu hold_max_cycle=%llu stretch_count=%llu stretch_max_ns=%llu "
		 "int_high_violations=%llu bus_pin_violations=%llu contentions=%llu "
		 "resets=%llu por=%llu ext=%llu bor=%llu wdt=%llu crashes=%llu "
		 "rt_overruns=%llu rt_lag_max_us=%llu cycles=%llu hold_by_status=%s "
		 "early=%llu runts=%llu missed=%llu corrupt=%llu "
		 "irq_off_max=%llu irq_off_pc=%04x stack_max=%u",
		 (unsigned long long)st.xfers, (unsigned long long)st.bytes,
		 (unsigned long long)cyc2ns(st.busy),
		 (unsigned long long)st.nacks, (unsigned long long)st.timeouts,
		 (unsigned long long)st.buserrs, (unsigned long long)st.hold_max,
		 st.hold_max_status, (unsigned long long)st.hold_count, hist,
		 (unsigned long long)st.hold_stalled, (unsigned long long)st.hold_max_cycle,
		 (unsigned long long)st.stretch_count,
		 (unsigned long long)cyc2ns(st.stretch_max),
		 (unsigned long long)st.int_high_violations,
		 (unsigned long long)st.bus_pin_violations,
		 (unsigned long long)st.contentions, (unsigned long long)st.resets,
		 (unsigned long long)st.rst_por, (unsigned long long)st.rst_ext,
		 (unsigned long long)st.rst_bor, (unsigned long long)st.rst_wdt,
		 (unsigned long long)st.crashes, (unsigned long long)st.rt_overruns,
		 (unsigned long long)cyc2ns(st.rt_lag_max) / 1000,
		 (unsigned long long)avr->cycle, by,
		 (unsigned long long)st.m.early, (unsigned long long)st.m.runts,
		 (unsigned long long)st.m.missed, (unsigned long long)st.m.corrupt,
		 (unsigned long long)st.irq_off_max, st.irq_off_pc, st.stack_max);
}

/* master [NAME]: what the master model did since the start; or choose it */
static void cmd_master(int argc, char **argv)
{
	const struct master_stats *m = &mst_total;

	if (argc == 2) {
		if (twi_set_master(argv[1]))
			REPLY("err usage: master [ideal|bcm2835|bcm2711|rp1]");
		REPLY("ok");
	}
	if (argc != 1)
		REPLY("err usage: master [ideal|bcm2835|bcm2711|rp1]");
	out_line("ok %s xfers=%llu stretched=%llu early=%llu runts=%llu missed=%llu "
		 "corrupt=%llu high_min_ns=%llu timeout_ms=%g", twi_master(),
		 (unsigned long long)m->xfers, (unsigned long long)m->stretched,
		 (unsigned long long)m->early, (unsigned long long)m->runts,
		 (unsigned long long)m->missed, (unsigned long long)m->corrupt,
		 (unsigned long long)cyc2ns(m->high_min), twi_timeout());
}

static void cmd_mem(int argc, char **argv)
{
	unsigned long a, v;
	long n = 1;
	char buf[2 * 1024 + 1];
	uint8_t ee[1024];

	if (argc < 2 || hexval(argv[1], 0xffff, &a) ||
	    (argc > 2 && strcmp(argv[0], "poke") && decval(argv[2], 1, 1024, &n)))
		REPLY("err usage: peek ADDR [COUNT] | poke ADDR VAL | eeprom ADDR [COUNT]");
	if (!strcmp(argv[0], "poke")) {
		if (argc != 3 || hexval(argv[2], 0xff, &v) || a > avr->ramend)
			REPLY("err usage: poke ADDR VAL");
		mcu_poke(a, v);
		REPLY("ok");
	}
	if (!strcmp(argv[0], "eeprom")) {
		if (ee_read(a, n, ee))
			REPLY("err eeprom range");
	} else if (a + n > avr->ramend + 1u) {
		REPLY("err data-space range is 0..%x", avr->ramend);
	}
	for (long i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", argv[0][0] == 'e' ? ee[i] : mcu_peek(a + i));
	out_line("ok %s", buf);
}

static void cmd_reset(int argc, char **argv)
{
	static const char *kinds[] = { "", "por", "ext", "bor", "wdt" };

	for (int k = RST_POR; argc == 2 && k <= RST_WDT; k++)
		if (!strcmp(argv[1], kinds[k])) {
			mcu_reset(k);
			REPLY("ok");
		}
	out_line("err usage: reset por|ext|bor|wdt");
}

static void cmd_set(int argc, char **argv)
{
	double v;

	if (!strcmp(argv[0], "wait")) {
		if (argc != 2 || dblval(argv[1], 0, 1e7, &v))
			REPLY("err usage: wait MS");
		wait_until = avr->cycle + ms2cyc(v);
		pend = P_WAIT;
	} else if (!strcmp(argv[0], "clock")) {
		if (argc != 2 || dblval(argv[1], 0, 1e7, &v) || twi_set_clock((uint32_t)v))
			REPLY("err usage: clock HZ (1000..1000000, <= F_CPU/16)");
		out_line("ok");
	} else {
		if (argc != 2 || dblval(argv[1], 0.01, 1e6, &v))
			REPLY("err usage: xfer-timeout MS");
		twi_set_timeout(v);
		out_line("ok");
	}
}

void proto_line(char *line)
{
	char *argv[MAXTOK], *save = NULL;
	int argc = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && argc < MAXTOK;
	     t = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = t;
	if (!argc || argv[0][0] == '#')
		return;		/* blank lines and comments get no answer */

	const char *c = argv[0];

	if (!strcmp(c, "xfer"))
		cmd_xfer(argc, argv);
	else if (!strcmp(c, "fault"))
		cmd_fault(argc, argv);
	else if (!strcmp(c, "wire") || !strcmp(c, "unwire") || !strcmp(c, "drive") ||
		 !strcmp(c, "intline") || !strcmp(c, "pin") || !strcmp(c, "pwm") ||
		 !strcmp(c, "pulse") || !strcmp(c, "count"))
		cmd_board(argc, argv);
	else if (!strcmp(c, "adc") || !strcmp(c, "avcc") || !strcmp(c, "aref") ||
		 !strcmp(c, "temp"))
		cmd_analog(argc, argv);
	else if (!strcmp(c, "wait") || !strcmp(c, "clock") || !strcmp(c, "xfer-timeout"))
		cmd_set(argc, argv);
	else if (!strcmp(c, "pins")) {
		char p[NLINES + 1];

		for (int i = 0; i < NLINES; i++)
			p[i] = '0' + board_level(i);
		p[NLINES] = 0;
		out_line("ok %s", p);
	} else if (!strcmp(c, "edges")) {
		cmd_edges(argc, argv);
	} else if (!strcmp(c, "int"))
		out_line("ok %d", board_level(board_intline()));
	else if (!strcmp(c, "events") && argc == 2 &&
		 (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		server_events(argv[1][1] == 'n');
		out_line("ok");
	} else if (!strcmp(c, "slowdown")) {
		long n = opt_slowdown;

		if (argc > 2 || (argc == 2 && decval(argv[1], 1, 100, &n)))
			REPLY("err usage: slowdown [N] (1..100)");
		if (n != opt_slowdown && server_slowdown(n))
			REPLY("err slowdown needs --realtime");
		out_line("ok %d", opt_slowdown);
	} else if (!strcmp(c, "crystal")) {
		long ppm = opt_crystal_ppm;

		if (argc > 2 || (argc == 2 && decval(argv[1], -50000, 50000, &ppm)))
			REPLY("err usage: crystal [PPM] (-50000..50000)");
		if (ppm != opt_crystal_ppm && server_crystal(ppm))
			REPLY("err crystal needs --realtime");
		out_line("ok %ld", opt_crystal_ppm);
	} else if (!strcmp(c, "time"))
		out_line("ok %llu %llu", (unsigned long long)avr->cycle,
			 (unsigned long long)cyc2ns(avr->cycle));
	else if (!strcmp(c, "reset"))
		cmd_reset(argc, argv);
	else if (!strcmp(c, "stats"))
		cmd_stats(argc, argv);
	else if (!strcmp(c, "master"))
		cmd_master(argc, argv);
	else if (!strcmp(c, "peek") || !strcmp(c, "poke") || !strcmp(c, "eeprom"))
		cmd_mem(argc, argv);
	else if (!strcmp(c, "info"))
		out_line("%s", server_info());
	else if (!strcmp(c, "help"))
		out_line("ok commands: xfer clock xfer-timeout adc avcc aref temp wire unwire "
			 "drive pulse count intline pin pins pwm edges int events wait slowdown crystal time reset fault "
			 "stats master peek poke eeprom info help quit");
	else if (!strcmp(c, "quit")) {
		out_line("ok bye");
		quit_requested = 1;
	} else
		out_line("err unknown command '%s' (try help)", c);
}

int proto_busy(void)
{
	return pend != P_NONE;
}

int proto_done(void)
{
	return pend == P_XFER ? xfer_done() : pend == P_WAIT ? avr->cycle >= wait_until : 1;
}

uint64_t proto_target(void)
{
	return pend == P_WAIT ? wait_until : UINT64_MAX;
}

/* Answer the pending request once it has completed. */
void proto_poll(void)
{
	if (pend == P_NONE || !proto_done())
		return;
	if (pend == P_XFER)
		out_line("%s", xfer_result());
	else
		out_line("ok");
	pend = P_NONE;
}
