/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ArduiPi: an Arduino Nano running the ArduiPi firmware on I2C.
 * Internal interface between the core (core.c) and the function parts.
 */
#ifndef ARDUIPI_H
#define ARDUIPI_H

#include <linux/gpio/driver.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pwm.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "arduipi-regs.h"

/* ID0 ID1 PROTO_MAJOR PROTO_MINOR CAPS CLOCK_MHZ: what a reflash changes */
#define ARDUIPI_ID_LEN	6
/* The PWM registers, PWM_BASE .. T1_TOP + 1 (pwm.c, failsafe.c) */
#define ARDUIPI_PWM_NREGS	(ARDUIPI_REG_T1_TOP + 2 - ARDUIPI_REG_PWM_BASE)

struct arduipi_adc;
struct i2c_client;
struct regmap;
struct task_struct;
struct watchdog_device;

struct arduipi {
	struct device *dev;
	struct i2c_client *client;
	struct regmap *regmap;
	u8 id[ARDUIPI_ID_LEN];	/* ID0..CLOCK_MHZ at probe */
	u8 caps;
	u8 proto_minor;
	u8 mhz;			/* the Nano's clock */
	u8 boot_count;
	bool foreign;		/* restarted with another identity */
	u8 int_line;		/* Nano line wired as INT, or ARDUIPI_INT_PIN_NONE */
	unsigned int irq_retry_ms;	/* the INT thread's pause after a failed read */
	struct delayed_work health;	/* restarts, failsafe trips; feeds it */

	/*
	 * bus.c: cfg_lock serializes writes of cached registers with their
	 * undo; behind: an undo failed, the poll writes the cache back.
	 */
	struct mutex cfg_lock;
	struct task_struct *writer;	/* in arduipi_write(): its bus error */
	int write_err;
	bool undo_skip_bus;	/* the undo after a timeout: cache only */
	bool behind;
	unsigned int restore_ms;	/* core.c: pause after a failed write-back */
	unsigned long restore_at;

	/* failsafe.c: host-loss timeout in ms, 0 = not armed */
	u16 fs_timeout_ms;
	u32 fs_lines;		/* the lines it forces, */
	u32 fs_high;		/* those of them it drives high */
	bool fs_restore;	/* arduipi,failsafe-restore: trips undone */
	bool fs_latching;	/* a trip re-read, its STATUS not yet cleared */
	bool fs_wdt;		/* ... and it was the watchdog's */
	unsigned int fs_trips;	/* since probe (sysfs failsafe_trips) */
	bool boot_pending;	/* the boot state refused (supply): retry */
	struct watchdog_device *wdd;	/* watchdog.c, or NULL */
	struct mutex wdt_lock;		/* the Nano's WDT and wdt_armed */
	bool wdt_armed;

	/* Guards the lines' owners: GPIO (gpio.c) or PWM (pwm.c). */
	struct mutex pin_lock;
	u32 gpio_owned;
	u32 pwm_owned;

	/* gpio.c */
	struct gpio_chip gc;
	struct fwnode_handle *names;
	/* Guards read-modify-write of the OUT bank across set/set_multiple. */
	struct mutex out_lock;
	struct mutex db_lock;	/* GPIO_DEBOUNCE and DEBOUNCE_MS together */
	/*
	 * Guards the interrupt configuration below between irq_bus_lock and
	 * irq_bus_sync_unlock; the device has what the last sync wrote.
	 */
	struct mutex irq_lock;
	u32 irq_unmasked;
	u32 irq_rise;
	u32 irq_fall;
	u32 irq_hw_rise;
	u32 irq_hw_fall;
	/*
	 * Level-triggered lines (the Nano latches the edge into the level);
	 * irq_level_on, those unmasked as of the last sync, irq_level_live
	 * those also enabled (irq_lock). The level work looks at the lines in
	 * irq_level_check now, at those in irq_level_again (held after their
	 * handlers, or a failed read) from irq_level_due on; irq_level_lock
	 * guards these and irq_level_stop (suspend, shutdown, unbind), and
	 * irq_nest_lock serializes the work's nested handlers with the INT
	 * thread's.
	 */
	u32 irq_level_low;
	u32 irq_level_high;
	u32 irq_level_on;
	u32 irq_level_live;
	spinlock_t irq_level_lock;	/* the check masks, due and stop */
	u32 irq_level_check;
	u32 irq_level_again;
	unsigned long irq_level_due;
	bool irq_level_stop;
	unsigned int irq_level_retry_ms;
	struct delayed_work irq_level_work;
	struct mutex irq_nest_lock;	/* one handler pass at a time */
	/*
	 * The edge FIFO (protocol 1.5, with INT). edge_lock guards edge_seq,
	 * the number of the next event to take as the Nano counts them,
	 * edge_lost_seen (EDGE_LOST as last read), edge_gen (one more at
	 * every start of the FIFO: probe, MCU restart) and a consume whose
	 * answer was lost (edge_doubt events, kept till EDGE_SEQ says whether
	 * it landed); edges_lost counts
	 * those the Nano reported lost since probe (sysfs). While an event's
	 * handlers run (irq_nest_lock), ev_task's reads of line ev_line
	 * return its level ev_level: the character device asks for the level
	 * of a both-edges event.
	 */
	bool edge_fifo;
	struct mutex edge_lock;	/* edge_seq .. edge_doubt_ev */
	u8 edge_seq;
	u8 edge_lost_seen;
	unsigned int edge_gen;
	unsigned int edge_retry_ms;	/* pause after a failed read */
	u8 edge_doubt;		/* events a consume of unknown fate took */
	u8 edge_doubt_ev[ARDUIPI_EDGE_DEPTH];
	unsigned int edges_lost;
	struct task_struct *ev_task;
	u8 ev_line;
	u8 ev_level;

	/* adc.c */
	struct arduipi_adc *adc;

	/* pwm.c: pwm_lock guards the PWM registers' read-modify-write. */
	struct mutex pwm_lock;
	struct pwm_chip *pwm;
#ifndef ARDUIPI_HAVE_PWMCHIP_ALLOC
	struct pwm_chip pwm_chip;
#endif
};

struct regmap *arduipi_regmap_init(struct arduipi *ap);
int arduipi_read_block(struct arduipi *ap, u8 reg, u8 *buf, u8 n);
int arduipi_read_fifo(struct arduipi *ap, u8 *buf, u8 n);
int arduipi_write(struct arduipi *ap, unsigned int reg, const void *val,
		  size_t n);
int arduipi_update_bits(struct arduipi *ap, unsigned int reg, u8 mask, u8 val);
int arduipi_reread(struct arduipi *ap, unsigned int first, unsigned int last);
/*
 * A failed read in the INT thread or the level work: tried again after a
 * pause that doubles from 20 ms to a second (a dead bus spins nothing).
 */
static inline unsigned int arduipi_irq_backoff(unsigned int ms)
{
	return clamp(ms * 2, 20U, 1000U);
}

int arduipi_gpio_probe(struct arduipi *ap);
int arduipi_line_output(struct arduipi *ap, unsigned int line, bool value);
void arduipi_gpio_irq(struct arduipi *ap, u32 pending);
bool arduipi_gpio_edges(struct arduipi *ap, u8 count, u8 first,
			unsigned int gen);
int arduipi_gpio_edges_restarted(struct arduipi *ap);
void arduipi_gpio_edges_stop(struct arduipi *ap);
extern const struct attribute_group arduipi_gpio_group;
void arduipi_gpio_levels(struct arduipi *ap, bool on);
void arduipi_gpio_levels_again(struct arduipi *ap);
int arduipi_adc_probe(struct arduipi *ap);
unsigned int arduipi_adc_gen(struct arduipi *ap, s64 *now);
bool arduipi_adc_drain(struct arduipi *ap, unsigned int count, u16 seq,
		       unsigned int gen, s64 before);
void arduipi_adc_restarted(struct arduipi *ap);
void arduipi_adc_stop(struct arduipi *ap);
int arduipi_pwm_probe(struct arduipi *ap);
int arduipi_pwm_restore(struct arduipi *ap);
void arduipi_pwm_sync_state(struct arduipi *ap);
int arduipi_failsafe_probe(struct arduipi *ap);
void arduipi_boot_state_retry(struct arduipi *ap);
int arduipi_failsafe_trip(struct arduipi *ap);
int arduipi_failsafe_force(struct arduipi *ap);
int arduipi_failsafe_ack(struct arduipi *ap);
int arduipi_failsafe_latch(struct arduipi *ap, u8 status);
void arduipi_failsafe_count(struct arduipi *ap);
extern const struct attribute_group arduipi_failsafe_group;
#if IS_ENABLED(CONFIG_WATCHDOG_CORE)
int arduipi_wdt_probe(struct arduipi *ap);
void arduipi_wdt_restarted(struct arduipi *ap);
void arduipi_wdt_fired(struct arduipi *ap);
#else
static inline int arduipi_wdt_probe(struct arduipi *ap) { return 0; }
static inline void arduipi_wdt_restarted(struct arduipi *ap) { }
static inline void arduipi_wdt_fired(struct arduipi *ap) { }
#endif

#endif /* ARDUIPI_H */
