/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * nanosim: an Arduino Nano (ATmega328P) board simulator built on simavr 1.6.
 *
 * The real firmware ELF runs on simavr's core. nanosim replaces the parts of
 * simavr 1.6 that are missing or wrong for this board (TWI slave, ADC, pin
 * levels, W1C flag registers, EEPROM busy time, reset causes) and serves I2C
 * transactions and board controls over a line-based text protocol.
 * See Documentation/simulator.rst.
 */
#ifndef NANOSIM_H
#define NANOSIM_H

#include <stdint.h>
#include <stddef.h>
#include <signal.h>
#include <simavr/sim_avr.h>

#define NLINES		20	/* D0..D13, A0..A5 */
#define LINE_A0		14
#define LINE_A4		18
#define LINE_A5		19
#define NADC		8

extern avr_t *avr;

/* ---- statistics (stats command) ---------------------------------------- */
#define HOLD_BUCKETS	6	/* <=32, <=64, <=128, <=256, <=1024, >1024 */
/* what the master model (--master) did to the transactions */
struct master_stats {
	uint64_t xfers;		/* transactions that ended */
	uint64_t stretched;	/* ... in which the slave held SCL */
	uint64_t early;		/* bits the master sampled while SCL was held */
	uint64_t runts;		/* clocks too short for the slave: bit slips */
	uint64_t missed;	/* repeated STARTs and STOPs the slave did not see */
	uint64_t corrupt;	/* transactions changed by any of these */
	uint64_t high_min;	/* shortest high phase after a stretch, cycles */
};
struct stats {
	uint64_t xfers, bytes, nacks, timeouts, buserrs;
	uint64_t busy;		/* cycles from START to STOP, all transactions */
	uint64_t hold_count, hold_max, hold_max_cycle, hold_stalled;
	uint64_t hold_hist[HOLD_BUCKETS];
	uint8_t hold_max_status;
	uint64_t hold_max_by[32];	/* worst hold per TWSR status >> 3 */
	uint64_t stretch_count, stretch_max;
	uint64_t int_high_violations, bus_pin_violations, contentions;
	uint64_t resets, rst_por, rst_ext, rst_bor, rst_wdt, crashes;
	uint64_t rt_overruns;
	uint64_t rt_lag_max;	/* cycles the Nano's time was behind the wall's */
	/* the longest time the CPU ran with interrupts off, but for the TWI
	 * vector's own (the fast path), and the address where it began: what
	 * can delay the TWI interrupt */
	uint64_t irq_off_max;
	uint16_t irq_off_pc;
	/* the deepest the stack went: bytes below the top of RAM (0x8ff) */
	uint16_t stack_max;
	struct master_stats m;
};
extern struct stats st;
extern struct master_stats mst_total;	/* since start: "stats reset" keeps it */
void stats_clear(void);

/* ---- mcu.c: simavr core, run loop, resets, EEPROM ----------------------- */
enum rst_kind { RST_NONE, RST_POR, RST_EXT, RST_BOR, RST_WDT };

int twi_held_masked(void);
int mcu_setup(const char *elf, uint32_t f_cpu, unsigned seed, int verbose);
void mcu_run_until(uint64_t target, int (*done)(void));
void mcu_reset(enum rst_kind kind);
void mcu_stall(uint64_t cycles);
int mcu_stalled_since(uint64_t cycle);
uint8_t mcu_peek(uint16_t addr);
void mcu_poke(uint16_t addr, uint8_t v);
uint64_t ms2cyc(double ms);
uint64_t cyc2ns(uint64_t cycles);
void at(uint64_t when, avr_cycle_timer_t fn, void *param);
void io_set_write(uint16_t addr, avr_io_write_t fn, void *param);
void io_set_read(uint16_t addr, avr_io_read_t fn, void *param);
uint8_t insn_bitmask(uint16_t addr, uint8_t v);
avr_int_vector_t *mcu_vector(int num);
int ee_load(const char *file);
int ee_save(const char *file);
int ee_read(unsigned addr, unsigned n, uint8_t *buf);

/* ---- twi.c: TWI slave unit and I2C bus master ---------------------------- */
extern uint64_t twi_last_end;	/* cycle the last transaction ended */
#define XF_MAXMSG	16
#define XF_MAXLEN	256
struct msg {
	int rd;			/* 1 = read */
	int len;		/* bytes; a zero-length read is clocked as 1 */
	int quick;		/* zero-length message (SMBus quick) */
	uint8_t buf[XF_MAXLEN];
};
#define FLIPS_MAX	64
struct faults {
	int nflip;		/* bytes with bits to flip */
	int flip_n[FLIPS_MAX];
	uint8_t flip_mask[FLIPS_MAX];
	int nack_n;
	int buserr_n;
	double stall_ms;	/* 0 = none */
	int vanish_n;		/* the master stops before this read byte */
	int stall_n;		/* the stall begins at this byte's TWINT; -1 = the first */
	int slip_n;		/* the slave misses this byte's first clock */
};
#define FAULTS_INIT	{ .nack_n = -1, .buserr_n = -1, .vanish_n = -1,	\
			  .stall_n = -1, .slip_n = -1 }
#define FAULTS_NONE	((struct faults)FAULTS_INIT)
struct xact {
	uint8_t addr;
	int nmsg;
	struct msg m[XF_MAXMSG];
	struct faults f;
};

void twi_setup(void);
void twi_reset(void);
int twi_set_clock(uint32_t hz);
uint32_t twi_clock(void);
void twi_set_timeout(double ms);
double twi_timeout(void);
/* the Pi's I2C controller the master behaves as: ideal, bcm2835, bcm2711,
 * rp1; sets the stretch timeout to that controller's. -1: unknown name */
int twi_set_master(const char *name);
const char *twi_master(void);
void xfer_submit(const struct xact *x);
const char *xfer_result(void);	/* NULL until the submitted xfer ended */
int xfer_done(void);
int twi_peek(uint16_t addr, uint8_t *v);

/* ---- board.c: pins, wiring, INT wire, PWM observation, VCD -------------- */
int line_parse(const char *s);
const char *line_name(int line);
void board_setup(int int_line);
void board_reset(void);
void board_update(void);
int board_level(int line);
int board_dir(int line);
int board_pull(int line);
void board_drive(int line, int v);	/* -1 = release */
int board_wire(int a, int b, int on);
void board_set_intline(int line);
int board_intline(void);
int board_pwm(int line, double window_ms, char *out, size_t len);
/* Cycle of the line's last edge; 0 if it never moved. */
uint64_t board_last_edge(int line);
unsigned board_edge_count(int line);
/* count pulses of width cycles, one every period, on a driven line */
int board_pulses(int line, uint64_t width, unsigned count, uint64_t period);
int board_peek(uint16_t addr, uint8_t *v);
int vcd_open(const char *file);
void vcd_close(void);
void vcd_rearm(void);
void vcd_twint(int v);

/* ---- timers.c ------------------------------------------------------------ */
void timers_setup(void);

/* ---- adc.c --------------------------------------------------------------- */
void adc_setup(void);
void adc_reset(void);
void adc_set_input(int ch, double volts);
int adc_set_wave(int ch, const char *kind, double lo, double hi, double period_s);
void adc_set_avcc(double volts);
void adc_set_aref(double volts);
void adc_set_temp(double celsius);
int adc_peek(uint16_t addr, uint8_t *v);

/* ---- server.c / proto.c -------------------------------------------------- */
void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void proto_line(char *line);
int proto_busy(void);
int proto_done(void);
uint64_t proto_target(void);
void proto_poll(void);
void server_mute(double ms);	/* > 0: for ms wall time, 0: until cleared, < 0: off */
void server_events(int on);
int server_slowdown(int n);		/* realtime only: -1 otherwise */
int server_crystal(long ppm);		/* realtime only: -1 otherwise */
const char *server_info(void);
int server_stdio(void);
int server_socket(const char *path);
void server_ready(const char *firmware);
void server_run(void);

extern int opt_realtime;
/* the bootloader in front of the firmware: none, or Optiboot's handover */
enum bootloader { BL_NONE, BL_OPTIBOOT44, BL_OPTIBOOT6 };
extern enum bootloader opt_bootloader;
extern int opt_slowdown;	/* realtime: wall seconds per simulated second */
extern long opt_crystal_ppm;	/* realtime: the clock this many ppm fast (< 0: slow) */
extern volatile sig_atomic_t quit_requested;

#endif /* NANOSIM_H */
