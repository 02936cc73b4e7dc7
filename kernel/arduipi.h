/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ArduiPi: an Arduino Nano running the ArduiPi firmware on I2C.
 * Internal interface between the core (core.c) and the function parts.
 */
#ifndef ARDUIPI_H
#define ARDUIPI_H

#include <linux/gpio/driver.h>
#include <linux/mutex.h>
#include <linux/pwm.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "arduipi-regs.h"

struct arduipi_adc;
struct i2c_client;
struct regmap;

struct arduipi {
	struct device *dev;
	struct i2c_client *client;
	struct regmap *regmap;
	u8 caps;
	u8 proto_minor;
	u8 mhz;			/* the Nano's clock */
	u8 boot_count;
	u8 int_line;		/* Nano line wired as INT, or ARDUIPI_INT_PIN_NONE */
	unsigned int irq_retry_ms;	/* the INT thread's pause after a failed read */
	struct delayed_work health;	/* restarts, failsafe trips; feeds it */

	/* failsafe.c: host-loss timeout in ms, 0 = not armed */
	u16 fs_timeout_ms;

	/* Guards the lines' owners: GPIO (gpio.c) or PWM (pwm.c). */
	struct mutex pin_lock;
	u32 gpio_owned;
	u32 pwm_owned;

	/* gpio.c */
	struct gpio_chip gc;
	struct fwnode_handle *names;
	/* Guards read-modify-write of the OUT bank across set/set_multiple. */
	struct mutex out_lock;
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

	/* adc.c */
	struct arduipi_adc *adc;

	/* pwm.c: pwm_lock guards the PWM registers' read-modify-write. */
	struct mutex pwm_lock;
#ifndef ARDUIPI_HAVE_PWMCHIP_ALLOC
	struct pwm_chip pwm_chip;
#endif
};

int arduipi_gpio_probe(struct arduipi *ap);
int arduipi_line_output(struct arduipi *ap, unsigned int line, bool value);
void arduipi_gpio_irq(struct arduipi *ap, u32 pending);
int arduipi_read_block(struct arduipi *ap, u8 reg, u8 *buf, u8 n);
int arduipi_adc_probe(struct arduipi *ap);
unsigned int arduipi_adc_gen(struct arduipi *ap);
bool arduipi_adc_drain(struct arduipi *ap, unsigned int count, u16 seq,
		       unsigned int gen);
void arduipi_adc_restarted(struct arduipi *ap);
void arduipi_adc_stop(struct arduipi *ap);
int arduipi_pwm_probe(struct arduipi *ap);
int arduipi_pwm_restore(struct arduipi *ap);
int arduipi_failsafe_probe(struct arduipi *ap);
int arduipi_failsafe_trip(struct arduipi *ap);

#endif /* ARDUIPI_H */
