// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the simavr core, the run loop, resets and the EEPROM.
 *
 * simavr 1.6 fixes made here:
 *  - run loop: interrupt entry costs 4 cycles (8 when waking from sleep),
 *    one instruction (not two) runs after SEI/RETI before a pending
 *    interrupt, and "sleep with interrupts off" sleeps instead of ending.
 *  - resets: MCUSR gets the right cause and keeps older flags (except after
 *    power-on), power-on fills SRAM with garbage, a set WDRF forces the
 *    watchdog on, host cycle timers are re-armed.
 *  - W1C flag registers (TIFRn, PCIFR, EIFR): writing 1 clears only that
 *    flag, and SBI/CBI act on one bit as on the ATmega328P.
 *  - EEPROM: EEPE stays set for the 3.4 ms write time.
 *  - PCICR: a pin-change interrupt turned on with its PCIFR flag set is
 *    taken (simavr raises one only at the change).
 *  - An interrupt raised while I is clear is taken once an OUT to SREG
 *    sets I, not only after the next SEI or RETI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_core.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_io.h>
#include <simavr/sim_time.h>
#include <simavr/avr_eeprom.h>
#include <simavr/avr_extint.h>
#include "nanosim.h"

#define MCUSR		0x54
#define WDTCSR		0x60
#define EECR		0x3f
#define EERE		0x01
#define EEPE		0x02
#define EEMPE		0x04
#define WDE		0x08
#define PORF		0x01
#define EXTRF		0x02
#define BORF		0x04
#define WDRF		0x08
#define EE_WRITE_US	3400

avr_t *avr;
struct stats st;

static int log_level;
static unsigned ram_seed, por_count;
static enum rst_kind rst_pending;
static uint8_t mcusr;			/* MCUSR as the firmware left it */
static uint64_t stall_until, stall_start;
static int crashed_seen;
static avr_io_write_t ee_orig;
static void *ee_orig_param;
static int ee_busy;

void stats_clear(void)
{
	memset(&st, 0, sizeof(st));
}

static void logger(avr_t *a, const int level, const char *fmt, va_list ap)
{
	(void)a;
	if (level <= log_level)
		vfprintf(stderr, fmt, ap);
}

/* ---- small helpers ------------------------------------------------------- */

uint64_t ms2cyc(double ms)
{
	if (ms <= 0)
		return 0;
	return (uint64_t)(ms * avr->frequency / 1000.0 + 0.5);
}

uint64_t cyc2ns(uint64_t c)
{
	return (uint64_t)(((unsigned __int128)c * 1000000000u +
			   avr->frequency / 2) / avr->frequency);
}

void at(uint64_t when, avr_cycle_timer_t fn, void *param)
{
	avr_cycle_timer_register(avr, when > avr->cycle ? when - avr->cycle : 0,
				 fn, param);
}

void io_set_write(uint16_t addr, avr_io_write_t fn, void *param)
{
	avr->io[AVR_DATA_TO_IO(addr)].w.c = fn;
	avr->io[AVR_DATA_TO_IO(addr)].w.param = param;
}

void io_set_read(uint16_t addr, avr_io_read_t fn, void *param)
{
	avr->io[AVR_DATA_TO_IO(addr)].r.c = fn;
	avr->io[AVR_DATA_TO_IO(addr)].r.param = param;
}

/*
 * simavr runs SBI/CBI as read-modify-write. On the ATmega328P they touch a
 * single bit, which matters for PINx (toggle) and W1C flag registers.
 * Returns the bits the instruction really writes as ones.
 */
uint8_t insn_bitmask(uint16_t addr, uint8_t v)
{
	uint16_t op = avr->flash[avr->pc] | (avr->flash[avr->pc + 1] << 8);

	if ((op & 0xfd00) != 0x9800 || ((op >> 3) & 0x1f) + 0x20 != addr)
		return v;
	return (op & 0x0200) ? (1 << (op & 7)) : 0;	/* SBI : CBI */
}

avr_int_vector_t *mcu_vector(int num)
{
	for (int i = 0; i < avr->interrupts.vector_count; i++)
		if (avr->interrupts.vector[i]->vector == num)
			return avr->interrupts.vector[i];
	return NULL;
}

/* ---- W1C interrupt flag registers ----------------------------------------- */

struct w1c {
	uint16_t addr;
	int8_t vec[8];		/* vector number of each flag bit, 0 = none */
};
static struct w1c w1c_regs[] = {
	{ 0x35, { 16, 14, 15 } },		/* TIFR0: TOV0 OCF0A OCF0B */
	{ 0x36, { 13, 11, 12, 0, 0, 10 } },	/* TIFR1: TOV1 OCF1A OCF1B - - ICF1 */
	{ 0x37, { 9, 7, 8 } },			/* TIFR2 */
	{ 0x3b, { 3, 4, 5 } },			/* PCIFR */
	{ 0x3c, { 1, 2 } },			/* EIFR */
};

static void w1c_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	struct w1c *r = param;

	v = insn_bitmask(addr, v);
	for (int b = 0; b < 8; b++) {
		if (!(v & (1 << b)) || !(a->data[addr] & (1 << b)))
			continue;
		a->data[addr] &= ~(1 << b);
		avr_int_vector_t *vec = r->vec[b] ? mcu_vector(r->vec[b]) : NULL;
		if (vec && vec->pending)
			avr_clear_interrupt(a, vec);
	}
}

#define PCICR		0x68
#define PCIFR		0x3b

static void pcicr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *param)
{
	uint8_t on = v & ~a->data[addr];

	(void)param;
	a->data[addr] = v;
	for (int b = 0; b < 3; b++) {
		avr_int_vector_t *vec = mcu_vector(3 + b);

		if ((on & (1 << b)) && (a->data[PCIFR] & (1 << b)) &&
		    vec && !vec->pending)
			avr_raise_interrupt(a, vec);
	}
}

/* ---- MCUSR and EEPROM -------------------------------------------------------- */

static void mcusr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	(void)p;
	mcusr &= v;		/* writing 0 clears a flag, 1 cannot set one */
	a->data[addr] = mcusr;
}

static avr_cycle_count_t ee_done(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)p;
	(void)when;
	ee_busy = 0;
	a->data[EECR] &= ~EEPE;
	return 0;
}

static void eecr_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	uint8_t mpe = a->data[EECR] & EEMPE;

	(void)p;
	if (ee_busy) {		/* strobes are ignored during a write */
		a->data[addr] = (v & ~(EERE | EEPE)) | EEPE;
		return;
	}
	ee_orig(a, addr, v, ee_orig_param);
	if (mpe && (v & EEPE)) {
		ee_busy = 1;
		a->data[EECR] |= EEPE;
		avr_cycle_timer_register_usec(a, EE_WRITE_US, ee_done, NULL);
	}
}

static uint8_t *ee_mem(void)
{
	avr_eeprom_desc_t d = { .ee = NULL, .offset = 0, .size = 0 };

	avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d);
	return d.ee;
}

int ee_read(unsigned addr, unsigned n, uint8_t *buf)
{
	uint8_t *m = ee_mem();

	if (!m || addr + n > avr->e2end + 1u)
		return -1;
	memcpy(buf, m + addr, n);
	return 0;
}

int ee_load(const char *file)
{
	uint8_t *m = ee_mem();
	FILE *f = fopen(file, "rb");

	if (!f)
		return -1;	/* a missing file starts blank */
	if (m)
		(void)!fread(m, 1, avr->e2end + 1, f);
	fclose(f);
	return 0;
}

int ee_save(const char *file)
{
	uint8_t *m = ee_mem();
	FILE *f = fopen(file, "wb");
	int ok;

	if (!f || !m) {
		if (f)
			fclose(f);
		return -1;
	}
	ok = fwrite(m, 1, avr->e2end + 1, f) == avr->e2end + 1u;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- resets --------------------------------------------------------------- */

static void ram_garbage(void)
{
	uint32_t x = ram_seed * 2654435761u + ++por_count;

	for (unsigned i = 0; i <= avr->ramend; i++) {
		if (i >= 32 && i <= avr->ioend)
			continue;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		avr->data[i] = x >> 24;
	}
}

/*
 * Optiboot's handover to the firmware (optiboot.c of each version): it
 * reads MCUSR and clears it; an external reset runs the bootloader, which
 * ends by its own watchdog reset (its wait for an upload, not modelled),
 * so the firmware starts after a watchdog reset. 6.x passes the flags it
 * read in r2 (since 4.6); 4.4 passes nothing, r2 holds what it left there
 * (0x5a here). The version word sits in the last flash word.
 */
enum bootloader opt_bootloader;

static void optiboot_handover(enum rst_kind kind)
{
	uint8_t flags = kind == RST_EXT ? WDRF : mcusr;
	uint16_t v = opt_bootloader == BL_OPTIBOOT6 ? 0x0602 : 0x0404;

	avr->flash[avr->flashend - 1] = v & 0xff;
	avr->flash[avr->flashend] = v >> 8;
	avr->data[2] = opt_bootloader == BL_OPTIBOOT6 ? flags : 0x5a;
	mcusr = 0;
	avr->data[MCUSR] = 0;
}

/* Runs at the end of every avr_reset(), after all simavr modules. */
static void on_reset(avr_io_t *io)
{
	enum rst_kind kind = rst_pending ? rst_pending : RST_WDT;
	static const uint8_t flag[] = { 0, PORF, EXTRF, BORF, WDRF };

	(void)io;
	if (kind == RST_POR)
		mcusr = PORF;
	else
		mcusr |= flag[kind] | avr->data[MCUSR];
	avr->data[MCUSR] = mcusr;
	st.resets++;
	st.rst_por += kind == RST_POR;
	st.rst_ext += kind == RST_EXT;
	st.rst_bor += kind == RST_BOR;
	st.rst_wdt += kind == RST_WDT;
	stall_until = 0;
	crashed_seen = 0;
	ee_busy = 0;
	if (kind == RST_POR)
		ram_garbage();
	if (opt_bootloader != BL_NONE)	/* it runs first */
		optiboot_handover(kind);
	/* WDRF overrides WDE: a reset with WDRF still set starts the WDT */
	if ((mcusr & WDRF) && !(avr->data[WDTCSR] & WDE))
		avr->io[AVR_DATA_TO_IO(WDTCSR)].w.c(avr, WDTCSR, WDE,
					avr->io[AVR_DATA_TO_IO(WDTCSR)].w.param);
	/*
	 * INT0 and INT1 (D2, D3) in their reset mode, a low level: simavr
	 * raises them again and again while the pin is low ("strict" level
	 * triggering), enabled or not, which has every transaction take up
	 * to 40 times as long in realtime mode while D3 is held low (D2:
	 * half as long again). The firmware never enables them, and the
	 * silicon sets no flag for a level: only the edge into it now.
	 */
	avr_extint_set_strict_lvl_trig(avr, 0, 0);
	avr_extint_set_strict_lvl_trig(avr, 1, 0);
	twi_reset();
	adc_reset();
	board_reset();
	vcd_rearm();
}

static avr_io_t reset_io = { .kind = "nanosim", .reset = on_reset };

void mcu_reset(enum rst_kind kind)
{
	rst_pending = kind;
	avr_reset(avr);
	rst_pending = RST_NONE;
}

/* ---- run loop ------------------------------------------------------------- */

/*
 * Interrupts-off windows (stats irq_off_max, irq_off_pc): from the
 * instruction that turned I off (cli, a write of SREG) or an interrupt's
 * entry, to the instruction after the one that turned it on again, and on
 * through another vector's entry taken there (it goes before the TWI's):
 * what can hold the TWI interrupt off. Not counted: a window that an entry of the TWI
 * vector began (the fast path itself), and one that began while the TWI
 * unit held an event with its interrupt masked (twi_held_masked()).
 */
#define TWI_VECTOR_NUM	24
static struct {
	int on, skip, ending;
	uint64_t from;
	uint16_t pc;
} ioff;

static void ioff_start(uint64_t at_cycle, uint16_t pc, int skip)
{
	ioff.ending = 0;
	ioff.on = 1;
	ioff.from = at_cycle;
	ioff.pc = pc;
	ioff.skip = skip;
}

static void ioff_end(uint64_t at_cycle)
{
	ioff.on = ioff.ending = 0;
	if (!ioff.skip && at_cycle - ioff.from > st.irq_off_max) {
		st.irq_off_max = at_cycle - ioff.from;
		st.irq_off_pc = ioff.pc;
	}
}

static void run_one(avr_t *a)
{
	avr_flashaddr_t new_pc = a->pc, pc0 = a->pc;
	int was_sleeping = a->state == cpu_Sleeping;

	if (a->state == cpu_Running)
		new_pc = avr_run_one(a);
	{
		unsigned int sp = a->data[0x5d] | a->data[0x5e] << 8;

		if (sp >= 0x100 && sp <= 0x8ff && 0x8ff - sp > st.stack_max)
			st.stack_max = 0x8ff - sp;
	}
	/* I on again ends a window one instruction later, when an interrupt
	 * can be taken: a cli right after a sei continues it */
	uint64_t end_at = 0;

	if (ioff.ending && a->sreg[S_I])
		end_at = a->cycle;	/* unless an entry comes now (below) */
	else if (ioff.ending)
		ioff.ending = 0;
	else if (!a->sreg[S_I] && !ioff.on)
		ioff_start(a->cycle, pc0, twi_held_masked());
	else if (a->sreg[S_I] && ioff.on)
		ioff.ending = 1;
	avr_cycle_count_t sleep = avr_cycle_timer_process(a);
	a->pc = new_pc;
	/* I set by an OUT to SREG (a C function's SREG restore): simavr looks
	 * for pending interrupts only at SEI, RETI and a new raise, and left
	 * one raised with I clear waiting until then */
	if (a->sreg[S_I] && !a->interrupt_state && avr_has_pending_interrupts(a))
		a->interrupt_state = 1;
	if (a->state == cpu_Sleeping)
		a->cycle += 1 + sleep;	/* I=0: stays asleep until an irq */
	if ((a->state == cpu_Running || a->state == cpu_Sleeping) &&
	    a->interrupt_state) {
		int8_t before = a->interrupt_state;
		uint8_t depth = a->interrupts.running_ptr;
		uint64_t entry = a->cycle;

		avr_service_interrupts(a);
		/* one instruction after SEI/RETI, not two */
		if (before == -1 && a->interrupt_state > 0)
			avr_service_interrupts(a);
		if (a->interrupts.running_ptr > depth) {
			int twi = a->interrupts.running[
				a->interrupts.running_ptr - 1]->vector ==
				TWI_VECTOR_NUM;

			a->cycle += was_sleeping ? 8 : 4;
			if (!twi && ioff.on) {
				/* another vector first (the ADC's has the
				 * higher priority): the TWI one still waits */
				ioff.ending = 0;
			} else {
				if (ioff.on)	/* I came and went */
					ioff_end(entry);
				ioff_start(entry, a->pc, twi);
			}
			end_at = 0;
		}
	}
	if (end_at)
		ioff_end(end_at);
}

static avr_cycle_count_t sentinel(avr_t *a, avr_cycle_count_t when, void *p)
{
	(void)a;
	(void)when;
	(void)p;
	return 0;
}

/* Advance without executing: stalled or crashed CPU. Peripherals keep going. */
static void idle_advance(uint64_t limit)
{
	uint64_t next = limit;
	avr_cycle_timer_slot_p t = avr->cycle_timers.timer;

	if (stall_until > avr->cycle && stall_until < next)
		next = stall_until;
	if (t && t->when < next)
		next = t->when;
	if (next > avr->cycle)
		avr->cycle = next;
	avr_cycle_timer_process(avr);
	if (avr->run != run_one)	/* the WDT queued a reset */
		avr->run(avr);
}

void mcu_run_until(uint64_t target, int (*done)(void))
{
	uint64_t resets = st.resets;

	if (target != UINT64_MAX)
		at(target, sentinel, NULL);
	while (avr->cycle < target && !(done && done()) && !quit_requested) {
		if (avr->cycle < stall_until || avr->state == cpu_Crashed ||
		    avr->state == cpu_Done || avr->state == cpu_Stopped) {
			if (avr->state == cpu_Crashed && !crashed_seen) {
				crashed_seen = 1;
				st.crashes++;
				fprintf(stderr, "nanosim: MCU crashed at pc 0x%04x\n",
					avr->pc);
			}
			idle_advance(target);
		} else {
			avr_run(avr);
		}
		if (st.resets != resets) {
			resets = st.resets;
			if (target != UINT64_MAX)
				at(target, sentinel, NULL);
		}
	}
}

/* Freeze the CPU (not the peripherals) for @cycles; UINT64_MAX: until reset. */
void mcu_stall(uint64_t cycles)
{
	stall_start = avr->cycle;
	stall_until = cycles > UINT64_MAX - avr->cycle ? UINT64_MAX : avr->cycle + cycles;
}

/* Did a stall overlap the time since @cycle? */
int mcu_stalled_since(uint64_t cycle)
{
	return stall_until > cycle && stall_start <= avr->cycle;
}

/* ---- host access ----------------------------------------------------------- */

uint8_t mcu_peek(uint16_t addr)
{
	uint8_t v;

	if (addr > avr->ramend)
		return 0;
	if (board_peek(addr, &v) || twi_peek(addr, &v) || adc_peek(addr, &v))
		return v;
	if (addr == 0x5f) {	/* SREG lives split in avr->sreg[] */
		v = 0;
		for (int i = 0; i < 8; i++)
			v |= avr->sreg[i] ? (1 << i) : 0;
		return v;
	}
	return avr->data[addr];
}

void mcu_poke(uint16_t addr, uint8_t v)
{
	if (addr > avr->ramend)
		return;
	if (addr >= 32 && addr < 32 + MAX_IOs && avr->io[AVR_DATA_TO_IO(addr)].w.c)
		avr->io[AVR_DATA_TO_IO(addr)].w.c(avr, addr, v,
					avr->io[AVR_DATA_TO_IO(addr)].w.param);
	else
		avr->data[addr] = v;
}

/* ---- setup ------------------------------------------------------------------ */

int mcu_setup(const char *elf, uint32_t f_cpu, unsigned seed, int verbose)
{
	elf_firmware_t fw;
	avr_io_t **tail;

	log_level = verbose ? LOG_TRACE : LOG_ERROR;
	avr_global_logger_set(logger);
	memset(&fw, 0, sizeof(fw));
	if (elf_read_firmware(elf, &fw) != 0) {
		fprintf(stderr, "nanosim: cannot read firmware %s\n", elf);
		return -1;
	}
	if (fw.mmcu[0] && strcmp(fw.mmcu, "atmega328p") && strcmp(fw.mmcu, "atmega328"))
		fprintf(stderr, "nanosim: firmware is for %s, running it as atmega328p\n",
			fw.mmcu);
	avr = avr_make_mcu_by_name("atmega328p");
	if (!avr || avr_init(avr) != 0)
		return -1;
	avr_load_firmware(avr, &fw);
	avr->frequency = f_cpu;
	avr->log = verbose ? LOG_TRACE : LOG_ERROR;
	avr->run = run_one;
	ram_seed = seed;

	/* our reset hook must run after every simavr module's reset */
	reset_io.avr = avr;
	for (tail = &avr->io_port; *tail; tail = &(*tail)->next)
		;
	*tail = &reset_io;

	for (size_t i = 0; i < sizeof(w1c_regs) / sizeof(w1c_regs[0]); i++)
		io_set_write(w1c_regs[i].addr, w1c_write, &w1c_regs[i]);
	io_set_write(MCUSR, mcusr_write, NULL);
	io_set_write(PCICR, pcicr_write, NULL);
	ee_orig = avr->io[AVR_DATA_TO_IO(EECR)].w.c;
	ee_orig_param = avr->io[AVR_DATA_TO_IO(EECR)].w.param;
	io_set_write(EECR, eecr_write, NULL);
	return 0;
}
