// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the Nano's 20 lines, wiring between them, the host INT wire,
 * PWM observation from pin edges, and the VCD trace.
 *
 * nanosim owns the PORTx/DDRx/PINx slots: simavr 1.6 lets a PORT write
 * override an external level and drives OC pins even when DDR=0. Every
 * change goes through board_update(), which computes all levels and raises
 * simavr's pin irqs only on a real change, so PCINT and INT0/1 keep working.
 *
 * Level of a line: its own drive if DDR=1 (PORT bit, or the timer's OC
 * value when a COM mode is active); else the strongest drive on its net
 * (outputs and host drives are strong, wired-AND on contention); else 1 if
 * a pull-up is on the net (AVR pull-up, the host's INT pull-up, the I2C
 * pull-ups on A4/A5); else 0 (floating).
 */
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_io.h>
#include <simavr/sim_irq.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_timer.h>
#include <simavr/sim_vcd_file.h>
#include "nanosim.h"

enum { PB, PC, PD };
struct port { uint16_t pin, ddr, port; char name; };
static struct port ports[3] = {
	{ 0x23, 0x24, 0x25, 'B' }, { 0x26, 0x27, 0x28, 'C' }, { 0x29, 0x2a, 0x2b, 'D' },
};

struct oc { char timer; int comp, line; uint16_t tccra, tccrb; int shift; };
static struct oc ocs[6] = {
	{ '0', 0, 6, 0x44, 0x45, 6 }, { '0', 1, 5, 0x44, 0x45, 4 },	/* OC0A OC0B */
	{ '1', 0, 9, 0x80, 0x81, 6 }, { '1', 1, 10, 0x80, 0x81, 4 },	/* OC1A OC1B */
	{ '2', 0, 11, 0xb0, 0xb1, 6 }, { '2', 1, 3, 0xb0, 0xb1, 4 },	/* OC2A OC2B */
};

struct chain { uint16_t addr; avr_io_write_t fn; void *param; };
static struct chain chains[] = {
	{ .addr = 0x44 }, { .addr = 0x45 }, { .addr = 0x80 },
	{ .addr = 0x81 }, { .addr = 0xb0 }, { .addr = 0xb1 },
};

#define EDGES 16
static struct {
	int8_t ext;		/* host drive, -1 = released */
	uint32_t wires;		/* lines wired to this one */
	uint8_t oc, level, contended;
	avr_irq_t *irq;
	uint64_t et[EDGES];	/* last edges, newest at [n-1 % EDGES] */
	uint8_t ev[EDGES];
	unsigned n;
} L[NLINES];
static int intline = 12, int_level = -1, int_high;

static avr_vcd_t vcd;
static avr_irq_t *vcd_irq;
static int vcd_on;
static avr_cycle_timer_t vcd_fn;
enum { VCD_INT = NLINES, VCD_TWINT, VCD_N };

static int line_port(int i)
{
	return i < 8 ? PD : i < 14 ? PB : PC;
}

static int line_bit(int i)
{
	return i < 8 ? i : i < 14 ? i - 8 : i - 14;
}

int line_parse(const char *s)
{
	char *end;
	long n;

	if (toupper(*s) == 'D' || toupper(*s) == 'A') {
		n = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end || n < 0 || n > (toupper(*s) == 'D' ? 13 : 5))
			return -1;
		return toupper(*s) == 'A' ? n + LINE_A0 : n;
	}
	n = strtol(s, &end, 10);
	return (end != s && !*end && n >= 0 && n < NLINES) ? n : -1;
}

const char *line_name(int i)
{
	static const char *names[NLINES] = {
		"D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9",
		"D10", "D11", "D12", "D13", "A0", "A1", "A2", "A3", "A4", "A5",
	};
	return i >= 0 && i < NLINES ? names[i] : "?";
}

static int reg_bit(int i, int which)
{
	const struct port *p = &ports[line_port(i)];
	uint16_t r = which == 0 ? p->ddr : p->port;

	return (avr->data[r] >> line_bit(i)) & 1;
}

/* Is a timer's COM mode driving this OC line? */
static int oc_active(const struct oc *o)
{
	uint8_t a = avr->data[o->tccra], b = avr->data[o->tccrb];
	int com = (a >> o->shift) & 3, wgm, pwm;

	if (com != 1)
		return com != 0;
	if (o->timer == '1') {
		wgm = (a & 3) | ((b >> 1) & 0xc);
		pwm = wgm != 0 && wgm != 4 && wgm != 12;
		return !pwm || (o->comp == 0 && (wgm == 9 || wgm == 11 || wgm >= 14));
	}
	wgm = (a & 3) | ((b >> 1) & 4);
	pwm = wgm & 1;
	return !pwm || (o->comp == 0 && (wgm & 4));
}

static void push_edge(int i, uint8_t v)
{
	L[i].et[L[i].n % EDGES] = avr->cycle;
	L[i].ev[L[i].n % EDGES] = v;
	L[i].n++;
}

/* everything the levels depend on, besides host changes (board_dirty) */
static uint8_t inputs(uint8_t *sig)
{
	static const uint16_t regs[12] = {
		0x24, 0x25, 0x27, 0x28, 0x2a, 0x2b, 0x44, 0x45, 0x80, 0x81, 0xb0, 0xb1,
	};
	for (int i = 0; i < 12; i++)
		sig[i] = avr->data[regs[i]];
	sig[12] = 0;
	for (int k = 0; k < 6; k++)
		sig[12] |= L[ocs[k].line].oc << k;
	return 13;
}

static int board_dirty = 1;

void board_update(void)
{
	uint8_t out[NLINES], drv[NLINES], lvl[NLINES];
	int oc_line[NLINES] = { 0 };
	uint32_t seen = 0;
	static uint8_t last[16];
	uint8_t sig[16];
	uint8_t n = inputs(sig);

	if (!board_dirty && !memcmp(sig, last, n))
		return;		/* the common case: a write that changes nothing */
	memcpy(last, sig, n);
	board_dirty = 0;

	for (int k = 0; k < 6; k++)
		oc_line[ocs[k].line] = oc_active(&ocs[k]);
	for (int i = 0; i < NLINES; i++) {
		out[i] = reg_bit(i, 0);
		drv[i] = oc_line[i] ? L[i].oc : reg_bit(i, 1);
	}
	for (int i = 0; i < NLINES; i++) {
		uint32_t net = 1u << i, grow;
		int n0 = 0, n1 = 0, weak = 0, strong;

		if (seen & net)
			continue;
		do {		/* the net: everything wired to i */
			grow = net;
			for (int j = 0; j < NLINES; j++)
				if (net & (1u << j))
					grow |= L[j].wires;
		} while (grow != net && (net = grow));
		seen |= net;
		for (int j = 0; j < NLINES; j++) {
			if (!(net & (1u << j)))
				continue;
			if (L[j].ext >= 0)
				L[j].ext ? n1++ : n0++;
			if (out[j])
				drv[j] ? n1++ : n0++;
			weak |= (!out[j] && reg_bit(j, 1)) || j == intline ||
				j == LINE_A4 || j == LINE_A5;
		}
		strong = n0 + n1 ? !n0 : -1;	/* wired AND */
		if (n0 && n1 && !L[i].contended)
			st.contentions++;
		for (int j = 0; j < NLINES; j++) {
			if (!(net & (1u << j)))
				continue;
			lvl[j] = out[j] ? drv[j] : strong >= 0 ? strong : weak;
			L[j].contended = n0 && n1;
		}
	}
	for (int i = 0; i < NLINES; i++) {
		if (lvl[i] == L[i].level)
			continue;
		L[i].level = lvl[i];
		push_edge(i, lvl[i]);
		avr_raise_irq(L[i].irq, lvl[i]);
		if (vcd_on)
			avr_raise_irq(vcd_irq + i, lvl[i]);
	}
	/* driven high, or pulled up by the AVR towards 5 V */
	if ((out[intline] && drv[intline]) ||
	    (!out[intline] && reg_bit(intline, 1))) {
		if (!int_high)
			st.int_high_violations++;
		int_high = 1;
	} else {
		int_high = 0;
	}
	if (L[intline].level != int_level) {
		int_level = L[intline].level;
		if (vcd_on)
			avr_raise_irq(vcd_irq + VCD_INT, int_level);
		event_line("! int %d %llu", int_level, (unsigned long long)avr->cycle);
	}
}

/* ---- register slots --------------------------------------------------------- */

static uint8_t pin_read(avr_t *a, avr_io_addr_t addr, void *param)
{
	struct port *p = param;
	uint8_t v = 0;

	(void)a;
	(void)addr;
	for (int i = 0; i < NLINES; i++)
		if (&ports[line_port(i)] == p && L[i].level)
			v |= 1 << line_bit(i);
	return v;
}

static void port_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	struct port *p = param;

	if (addr == p->pin)	/* writing 1 to PINx toggles PORTx */
		a->data[p->port] ^= insn_bitmask(addr, v);
	else
		a->data[addr] = v;
	if (p == &ports[PC] && ((a->data[p->ddr] | a->data[p->port]) & 0x30))
		st.bus_pin_violations++;	/* PC4/PC5 are the I2C bus */
	board_update();
}

static void chain_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	struct chain *c = param;

	if (c->fn)
		c->fn(a, addr, v, c->param);
	else
		a->data[addr] = v;
	board_update();
}

static void oc_notify(struct avr_irq_t *irq, uint32_t v, void *param)
{
	struct oc *o = param;

	(void)irq;
	if (v & AVR_IOPORT_OUTPUT)	/* simavr's toggle mode */
		L[o->line].oc ^= 1;
	else
		L[o->line].oc = v & 1;
	board_update();
}

static avr_irq_t *oc_irq(const struct oc *o)
{
	return avr_io_getirq(avr, AVR_IOCTL_TIMER_GETIRQ(o->timer),
			     TIMER_IRQ_OUT_COMP + o->comp);
}

int board_peek(uint16_t addr, uint8_t *v)
{
	for (int p = 0; p < 3; p++)
		if (addr == ports[p].pin) {
			*v = pin_read(avr, addr, &ports[p]);
			return 1;
		}
	return 0;
}

/* ---- host side ----------------------------------------------------------------- */

int board_level(int i) { return L[i].level; }
int board_dir(int i) { return reg_bit(i, 0); }
int board_pull(int i) { return !reg_bit(i, 0) && reg_bit(i, 1); }
int board_intline(void) { return intline; }


int board_wire(int a, int b, int on)
{
	board_dirty = 1;
	if (a == b)
		return -1;
	if (on) {
		L[a].wires |= 1u << b;
		L[b].wires |= 1u << a;
	} else {
		L[a].wires &= ~(1u << b);
		L[b].wires &= ~(1u << a);
	}
	board_update();
	return 0;
}

void board_set_intline(int i)
{
	board_dirty = 1;
	intline = i;
	int_high = 0;
	board_update();
}

uint64_t board_last_edge(int i)
{
	return L[i].n ? L[i].et[(L[i].n - 1) % EDGES] : 0;
}

unsigned board_edge_count(int i)
{
	return L[i].n;
}

/*
 * Pulse trains, the host's digital source: a driven line goes to the other
 * level for width cycles, count times, one pulse every period cycles, in
 * simulated time (a simctl loop reaches 10-20 edges a second). Like an
 * outside generator it goes on through an MCU reset (board_reset arms it
 * again: simavr's reset drops every cycle timer); the host driving the
 * line (board_drive) ends it.
 */
static struct train {
	int line, idle, left, high;
	uint64_t width, period, due;	/* due: the next edge's cycle */
} trains[NLINES];

static void line_drive(int i, int v)
{
	board_dirty = 1;
	L[i].ext = v;
	board_update();
}

static avr_cycle_count_t train_tick(avr_t *a, avr_cycle_count_t when, void *p)
{
	struct train *t = p;

	(void)a;
	t->high = !t->high;
	line_drive(t->line, t->high ? !t->idle : t->idle);
	if (!t->high && --t->left <= 0)
		return 0;
	t->due = when + (t->high ? t->width : t->period - t->width);
	return t->due;
}

static void train_stop(struct train *t)
{
	avr_cycle_timer_cancel(avr, train_tick, t);
	t->left = t->high = 0;
}

/* The host drives the line: a pulse train on it ends. */
void board_drive(int i, int v)
{
	train_stop(&trains[i]);
	line_drive(i, v);
}

int board_pulses(int i, uint64_t width, unsigned count, uint64_t period)
{
	struct train *t = &trains[i];

	if (L[i].ext < 0)
		return -1;
	if (!width || !count || period <= width)
		return -2;
	if (t->left && t->high)		/* a train under way: back to idle */
		line_drive(i, t->idle);
	train_stop(t);
	*t = (struct train){ .line = i, .idle = L[i].ext, .left = count,
			     .width = width, .period = period,
			     .due = avr->cycle + 1 };
	avr_cycle_timer_register(avr, 1, train_tick, t);
	return 0;
}

static void trains_rearm(void)
{
	for (int i = 0; i < NLINES; i++)
		if (trains[i].left)
			avr_cycle_timer_register(avr, trains[i].due > avr->cycle ?
						 trains[i].due - avr->cycle : 1,
						 train_tick, &trains[i]);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define PWM_CYCLES	7	/* at most, for a median */

/*
 * Period and high time of the last complete cycle (rise, fall, rise), or
 * "steady" when the line has not moved for two periods (50 ms if no
 * period is known). With a window (ms > 0): steady if the line has not
 * moved for that long, else the median period and high time of the
 * complete cycles that began within it (up to PWM_CYCLES): a level held before the
 * window is never taken for a cycle, and an edge seen late (an interrupt
 * entry, up to 9 cycles) does not make the answer.
 */
int board_pwm(int i, double window_ms, char *buf, size_t len)
{
	unsigned n = L[i].n, m = 0;
	uint64_t now = avr->cycle, last = n ? L[i].et[(n - 1) % EDGES] : 0;
	uint64_t quiet = ms2cyc(window_ms > 0 ? window_ms : 50);
	uint64_t per[PWM_CYCLES], hi[PWM_CYCLES];

	if (n >= 3) {
		unsigned k = L[i].ev[(n - 1) % EDGES] ? n - 1 : n - 2;	/* last rise */

		/* edges alternate, so k - 2 is a rise too */
		for (; k >= 2 && n - (k - 2) <= EDGES && m < PWM_CYCLES; k -= 2) {
			uint64_t r1 = L[i].et[(k - 2) % EDGES], f = L[i].et[(k - 1) % EDGES];
			uint64_t r2 = L[i].et[k % EDGES];

			if (window_ms > 0 ? now - r1 >= quiet || now - last >= quiet :
			    now - last > 2 * (r2 - r1)) {
				if (window_ms <= 0 && !m)
					quiet = 2 * (r2 - r1);
				break;
			}
			per[m] = r2 - r1;
			hi[m++] = f - r1;
			if (window_ms <= 0)
				break;	/* the last cycle alone */
		}
	}
	if (m) {
		qsort(per, m, sizeof(per[0]), cmp_u64);
		qsort(hi, m, sizeof(hi[0]), cmp_u64);
		snprintf(buf, len, "ok %llu %llu", (unsigned long long)cyc2ns(per[m / 2]),
			 (unsigned long long)cyc2ns(hi[m / 2]));
		return 0;
	}
	if (!n || now - last >= quiet) {
		snprintf(buf, len, "ok steady %d", L[i].level);
		return 0;
	}
	snprintf(buf, len, "err %s not settled: no complete cycle yet", line_name(i));
	return -1;
}

/* ---- VCD ------------------------------------------------------------------------- */

int vcd_open(const char *file)
{
	static const char *names[VCD_N];
	static char buf[VCD_N][16];

	for (int i = 0; i < VCD_N; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s", i < NLINES ? line_name(i) :
			 i == VCD_INT ? "INT" : "TWINT");
		names[i] = buf[i];
	}
	avr_vcd_init(avr, file, &vcd, 100000);
	vcd_irq = avr_alloc_irq(&avr->irq_pool, 0, VCD_N, names);
	for (int i = 0; i < VCD_N; i++)
		avr_vcd_add_signal(&vcd, vcd_irq + i, 1, names[i]);
	if (avr_vcd_start(&vcd) != 0)
		return -1;
	/* remember simavr's private flush timer, to re-arm it after resets */
	for (avr_cycle_timer_slot_p t = avr->cycle_timers.timer; t; t = t->next)
		if (t->param == &vcd)
			vcd_fn = t->timer;
	vcd_on = 1;
	for (int i = 0; i < NLINES; i++)
		avr_raise_irq(vcd_irq + i, L[i].level);
	avr_raise_irq(vcd_irq + VCD_INT, L[intline].level);
	avr_raise_irq(vcd_irq + VCD_TWINT, 0);
	return 0;
}

void vcd_rearm(void)
{
	if (vcd_on && vcd_fn)
		avr_cycle_timer_register(avr, vcd.period, vcd_fn, &vcd);
}

void vcd_twint(int v)
{
	if (vcd_on)
		avr_raise_irq(vcd_irq + VCD_TWINT, v);
}

void vcd_close(void)
{
	if (vcd_on)
		avr_vcd_close(&vcd);
	vcd_on = 0;
}

/* ---- setup and reset ------------------------------------------------------------ */

void board_reset(void)
{
	board_dirty = 1;
	for (int k = 0; k < 6; k++) {
		/* simavr's timer reset wires OC outputs to the pins again */
		avr_unconnect_irq(oc_irq(&ocs[k]), L[ocs[k].line].irq);
		L[ocs[k].line].oc = 0;
	}
	int_high = 0;
	board_update();
	trains_rearm();
}

void board_setup(int int_line)
{
	intline = int_line;
	for (int i = 0; i < NLINES; i++) {
		L[i].ext = -1;
		L[i].irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(ports[line_port(i)].name),
					 line_bit(i));
	}
	for (int p = 0; p < 3; p++) {
		io_set_read(ports[p].pin, pin_read, &ports[p]);
		io_set_write(ports[p].pin, port_write, &ports[p]);
		io_set_write(ports[p].ddr, port_write, &ports[p]);
		io_set_write(ports[p].port, port_write, &ports[p]);
	}
	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		chains[c].fn = avr->io[AVR_DATA_TO_IO(chains[c].addr)].w.c;
		chains[c].param = avr->io[AVR_DATA_TO_IO(chains[c].addr)].w.param;
		io_set_write(chains[c].addr, chain_write, &chains[c]);
	}
	for (int k = 0; k < 6; k++)
		avr_irq_register_notify(oc_irq(&ocs[k]), oc_notify, &ocs[k]);
	board_reset();
}
