// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: fixes to simavr 1.6's timer 1.
 *
 *  - Mode 14 (fast PWM, TOP = ICR1) is declared as the generic "pwm" kind
 *    in the m328 core. In that kind a write to OCR1A/OCR1B never recomputes
 *    the compare time, so a duty change while the timer runs is lost (the
 *    output keeps the old compare point). simavr has the right descriptor,
 *    AVR_TIMER_WGM_ICFASTPWM; put it in the mode table.
 *  - simavr does not watch ICR1: a new TOP written while the timer runs
 *    (mode 12 or 14) is ignored until the next reconfiguration. After an
 *    ICR1L write, make simavr reconfigure (phase preserved) by rewriting
 *    OCR1AL with a different and then the same value.
 *  - simavr has no TEMP register: OCR1xH is stored at once, and the OCR1xL
 *    write (which acts) compares the whole value before and after it, so
 *    a change of the high byte alone was never seen and the pin kept the
 *    old duty. Rewrite OCR1xL the same way when its high byte changed.
 */
#include <string.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_io.h>
#include <simavr/avr_timer.h>
#include "nanosim.h"

#define ICR1L	0x86
#define OCR1AL	0x88
#define OCR1BL	0x8a

static avr_timer_t *t1;
static avr_io_write_t ocr1a_fn;
static void *ocr1a_param;

/* OCR1AL/OCR1BL's own handlers, and whether the high byte moved since */
static struct ocr {
	avr_io_write_t fn, hfn;		/* hfn: simavr's OCR1xH handler, if any */
	void *param, *hparam;
	uint8_t high_moved;
} ocr[2];

static void ocr1h_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	struct ocr *o = p;

	if (a->data[addr] != v)
		o->high_moved = 1;
	if (o->hfn)
		o->hfn(a, addr, v, o->hparam);
	else
		a->data[addr] = v;
}

static void ocr1l_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	struct ocr *o = p;

	if (o->high_moved)
		o->fn(a, addr, v ^ 1, o->param);
	o->high_moved = 0;
	o->fn(a, addr, v, o->param);
}

static void icr1l_write(avr_t *a, avr_io_addr_t addr, uint8_t v, void *p)
{
	uint8_t lo = a->data[OCR1AL];

	(void)p;
	a->data[addr] = v;
	if (t1 && t1->mode.top == avr_timer_wgm_reg_icr && t1->cs_div_value && ocr1a_fn) {
		ocr1a_fn(a, OCR1AL, lo ^ 1, ocr1a_param);
		ocr1a_fn(a, OCR1AL, lo, ocr1a_param);
	}
}

void timers_setup(void)
{
	for (avr_io_t *io = avr->io_port; io; io = io->next)
		if (!strcmp(io->kind, "timer") && ((avr_timer_t *)io)->name == '1')
			t1 = (avr_timer_t *)io;
	if (!t1)
		return;
	t1->wgm_op[14] = (avr_timer_wgm_t)AVR_TIMER_WGM_ICFASTPWM();
	ocr1a_fn = avr->io[AVR_DATA_TO_IO(OCR1AL)].w.c;
	ocr1a_param = avr->io[AVR_DATA_TO_IO(OCR1AL)].w.param;
	io_set_write(ICR1L, icr1l_write, NULL);
	for (int i = 0; i < 2; i++) {
		avr_io_addr_t lo = i ? OCR1BL : OCR1AL;

		ocr[i].fn = avr->io[AVR_DATA_TO_IO(lo)].w.c;
		ocr[i].param = avr->io[AVR_DATA_TO_IO(lo)].w.param;
		ocr[i].hfn = avr->io[AVR_DATA_TO_IO(lo + 1)].w.c;
		ocr[i].hparam = avr->io[AVR_DATA_TO_IO(lo + 1)].w.param;
		if (!ocr[i].fn)
			continue;
		io_set_write(lo, ocr1l_write, &ocr[i]);
		io_set_write(lo + 1, ocr1h_write, &ocr[i]);
	}
}
