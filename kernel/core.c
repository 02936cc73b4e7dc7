// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi: an Arduino Nano (ATmega328P) running the ArduiPi firmware, on
 * I2C, as a GPIO controller (gpio.c), an ADC (adc.c) and a PWM controller
 * (pwm.c), with a host-loss failsafe (failsafe.c) that is also a watchdog
 * device for the program driving the outputs (watchdog.c).
 *
 * The core: the identity and protocol check, and restart tracking over
 * the register cache of bus.c: the firmware counts its boots and flags a
 * restart, and the driver then writes the cache back, so a watchdog or
 * brown-out reset of the Nano loses nothing the user configured (but the
 * failsafe's outputs, when it is armed: failsafe.c). Firmware
 * with another identity (a Nano reflashed while bound) gets nothing. The
 * same poll feeds the failsafe, takes a trip once the host is back
 * (failsafe.c), and writes the cache back after a write that failed with
 * its undo (bus.c).
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/devm-helpers.h>
#include <linux/i2c.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/pm.h>
#include <linux/property.h>
#include <linux/regmap.h>

#include "arduipi.h"

#define ARDUIPI_DEFAULT_INT_LINE	12	/* D12 */
/* After failed status reads in the INT thread: 20 ms, doubling to 1 s. */
/* After a failed write-back: 1 s, doubling to a minute (regmap logs too). */
#define ARDUIPI_RESTORE_RETRY_MS	1000U
#define ARDUIPI_RESTORE_RETRY_MAX_MS	60000U

static unsigned int restart_poll_ms = 1000;
module_param(restart_poll_ms, uint, 0444);
MODULE_PARM_DESC(restart_poll_ms,
		 "How often to check the Nano for a restart, in ms (0: never, and a failed write's write-back waits for a resume)");

/* ---- identity and restarts ----------------------------------------------- */

static const char *arduipi_reset_cause(u8 cause)
{
	if (cause & ARDUIPI_RESET_WATCHDOG)
		return "watchdog";
	if (cause & ARDUIPI_RESET_BROWNOUT)
		return "brown-out";
	if (cause & ARDUIPI_RESET_EXTERNAL)
		return "reset pin";
	if (cause & ARDUIPI_RESET_POWERON)
		return "power-on";
	return "unknown";
}

/*
 * Write the configuration back from the cache, then acknowledge the
 * status bit that asked for it (none: 0). The PWM registers go last, in
 * one frame: the firmware checks each frame's duties against its periods.
 * A write that fails from here on marks the device behind again.
 */
static int arduipi_restore(struct arduipi *ap, u8 status_bit)
{
	int ret;

	WRITE_ONCE(ap->behind, false);
	regcache_mark_dirty(ap->regmap);
	ret = regcache_sync_region(ap->regmap, ARDUIPI_REG_FIRST,
				   ARDUIPI_REG_PWM_BASE - 1);
	if (!ret)
		ret = arduipi_pwm_restore(ap);
	if (!ret && status_bit)
		ret = regmap_write(ap->regmap, ARDUIPI_REG_STATUS, status_bit);
	if (!ret) {
		ap->restore_ms = 0;
		/* a level held through a restart latched no edge */
		arduipi_gpio_levels_again(ap);
		return 0;
	}
	/* Tried again at the next poll after 1 s, 2 s, ... a minute. */
	WRITE_ONCE(ap->behind, true);
	ap->restore_ms = clamp(ap->restore_ms * 2, ARDUIPI_RESTORE_RETRY_MS,
			       ARDUIPI_RESTORE_RETRY_MAX_MS);
	ap->restore_at = jiffies + msecs_to_jiffies(ap->restore_ms);
	return ret;
}

/*
 * The identity a reflash can change: ID0 ID1 PROTO_MAJOR PROTO_MINOR
 * CAPS CLOCK_MHZ (ARDUIPI_ID_LEN). The cache was made for the firmware
 * identified at probe.
 */
static void arduipi_restarted(struct arduipi *ap, u8 boot_count, u8 status)
{
	u8 id[ARDUIPI_ID_LEN + 1];	/* ..., RESET_CAUSE */
	const char *cause;
	bool latch;
	int ret;

	if (regmap_bulk_read(ap->regmap, ARDUIPI_REG_ID0, id, sizeof(id)))
		return;		/* logged; the next poll asks again */
	cause = arduipi_reset_cause(id[ARDUIPI_ID_LEN]);
	if (memcmp(id, ap->id, ARDUIPI_ID_LEN)) {
		/* Said once per restart: the poll sees RESTARTED till a rebind. */
		if (!ap->foreign || boot_count != ap->boot_count)
			dev_err(ap->dev, "MCU restarted (%s) with other firmware (identity %02x %02x, protocol %u.%u, capabilities 0x%02x, %u MHz; bound to %u.%u, 0x%02x, %u MHz): its configuration is not written back; unbind and bind the driver\n",
				cause, id[0], id[1], id[2], id[3], id[4], id[5],
				ap->id[2], ap->id[3], ap->id[4], ap->id[5]);
		ap->foreign = true;
		ap->boot_count = boot_count;
		return;
	}
	ap->foreign = false;
	/*
	 * A restart with the failsafe armed is a trip (failsafe.c). One that
	 * tripped since (a write-back that failed, retried later) takes it
	 * too: the Nano refuses GPIO and PWM writes until it is cleared.
	 */
	latch = ap->fs_timeout_ms &&
		(!ap->fs_restore || status & ARDUIPI_STATUS_WDT_TRIPPED);
	ret = 0;
	if (status & ARDUIPI_STATUS_FS_TRIPPED)
		ret = arduipi_failsafe_ack(ap);
	ap->fs_latching = false;
	if (status & ARDUIPI_STATUS_WDT_TRIPPED)
		arduipi_wdt_fired(ap);
	if (!ret && latch)
		ret = arduipi_failsafe_force(ap);
	if (!ret)
		ret = arduipi_gpio_edges_restarted(ap);
	if (!ret)
		ret = arduipi_restore(ap, ARDUIPI_STATUS_RESTARTED);
	if (ret) {
		dev_err_ratelimited(ap->dev, "MCU restarted (%s), restoring its configuration failed: %pe\n",
				    cause, ERR_PTR(ret));
		return;
	}
	ap->boot_count = boot_count;
	arduipi_wdt_restarted(ap);
	if (latch) {
		dev_warn(ap->dev, "MCU restarted (%s, boot %u) with the failsafe armed: configuration restored, the failsafe's outputs stay safe until a program sets them again\n",
			 cause, boot_count);
		arduipi_pwm_sync_state(ap);
		arduipi_failsafe_count(ap);
	} else {
		dev_warn(ap->dev, "MCU restarted (%s, boot %u): configuration restored\n",
			 cause, boot_count);
	}
	arduipi_adc_restarted(ap);
}

/*
 * The failsafe acted: the host was silent (FS_TRIPPED), or the program
 * with the watchdog open was (WDT_TRIPPED as well, watchdog.c). The
 * latter always latches: the host is here, its program is gone. Only the
 * write-back of arduipi,failsafe-restore waits out a failed write-back's
 * pause (may_restore).
 */
static void arduipi_tripped(struct arduipi *ap, u8 status, bool may_restore)
{
	int ret;

	if (!ap->fs_latching)
		ap->fs_wdt = status & ARDUIPI_STATUS_WDT_TRIPPED;
	if (ap->fs_timeout_ms && (!ap->fs_restore || ap->fs_wdt || ap->fs_latching)) {
		ret = arduipi_failsafe_latch(ap, status);
		if (ret) {
			dev_err_ratelimited(ap->dev, "failsafe tripped, taking the safe state failed: %pe\n",
					    ERR_PTR(ret));
		} else if (ap->fs_wdt) {
			arduipi_wdt_fired(ap);
			dev_warn(ap->dev, "watchdog: the program that opened it stopped pinging, the Nano went to its safe state; it stays until a program sets the outputs again\n");
		} else {
			dev_warn(ap->dev, "failsafe tripped: no word from the host for %u ms, the Nano went to its safe state; it stays until a program sets the outputs again\n",
				 ap->fs_timeout_ms);
		}
		return;
	}
	/*
	 * The Nano takes GPIO and PWM writes again once the bit is clear, at
	 * once, also while a failed write-back waits (may_restore): that
	 * catches up later (behind), as does a clear answered by no reply.
	 */
	ret = arduipi_failsafe_ack(ap);
	if (!ret && ap->fs_timeout_ms)
		arduipi_failsafe_count(ap);
	if (ret || !may_restore) {
		WRITE_ONCE(ap->behind, true);
		return;
	}
	ret = arduipi_restore(ap, 0);
	if (ret) {
		dev_err_ratelimited(ap->dev, "failsafe tripped, restoring the configuration failed: %pe\n",
				    ERR_PTR(ret));
		return;
	}
	if (ap->fs_timeout_ms)
		dev_warn(ap->dev, "failsafe tripped: no word from the host for %u ms, the Nano went to its safe state; configuration restored\n",
			 ap->fs_timeout_ms);
	else
		dev_warn(ap->dev, "failsafe tripped (armed by another host): configuration restored\n");
}

/* A write and its undo failed (bus.c): the Nano may differ from the cache. */
static void arduipi_catch_up(struct arduipi *ap)
{
	if (!arduipi_restore(ap, 0))
		dev_info(ap->dev, "the bus works again: configuration written back, the Nano has what the kernel reports\n");
}

/* How often to poll: for restarts, and a quarter of the failsafe timeout. */
static unsigned int arduipi_poll_ms(struct arduipi *ap)
{
	unsigned int ms = restart_poll_ms, feed = max(ap->fs_timeout_ms / 4, 1);

	return ap->fs_timeout_ms && (!ms || ms > feed) ? feed : ms;
}

/* High priority: a busy system must not starve the failsafe's feed. */
static void arduipi_poll_next(struct arduipi *ap)
{
	unsigned int ms = arduipi_poll_ms(ap);

	if (ms)
		queue_delayed_work(system_highpri_wq, &ap->health,
				   msecs_to_jiffies(ms));
}

static void arduipi_health(struct work_struct *work)
{
	struct arduipi *ap = container_of(to_delayed_work(work), struct arduipi,
					  health);
	u8 b[2];	/* BOOT_COUNT, STATUS */
	bool may_restore;

	/*
	 * The read feeds the failsafe: every poll, also while a write-back
	 * that failed waits. Foreign firmware leaves RESTARTED set: its
	 * identity is asked each poll.
	 */
	if (!regmap_bulk_read(ap->regmap, ARDUIPI_REG_BOOT_COUNT, b, sizeof(b))) {
		may_restore = !ap->restore_ms || time_after_eq(jiffies, ap->restore_at);
		if (b[1] & ARDUIPI_STATUS_RESTARTED || b[0] != ap->boot_count) {
			if (may_restore)
				arduipi_restarted(ap, b[0], b[1]);
		} else if (b[1] & ARDUIPI_STATUS_FS_TRIPPED || ap->fs_latching) {
			arduipi_tripped(ap, b[1], may_restore);
		} else if (READ_ONCE(ap->behind) && may_restore) {
			arduipi_catch_up(ap);
		} else if (ap->boot_pending) {
			arduipi_boot_state_retry(ap);
		}
	}
	arduipi_poll_next(ap);
}

/*
 * At probe: RESTARTED and the trips are the last binding's. A clear whose
 * answer was lost (-EIO) is not tried again blindly (W1C, bus.c): the bits
 * are read back and cleared again if they are still there; a restart
 * seen by the first poll would now be taken for a trip.
 */
static int arduipi_status_clear(struct arduipi *ap)
{
	const u8 bits = ARDUIPI_STATUS_RESTARTED | ARDUIPI_STATUS_FS_TRIPPED |
			ARDUIPI_STATUS_WDT_TRIPPED;
	unsigned int status;
	int i, ret;

	for (i = 0; i < 3; i++) {
		ret = regmap_write(ap->regmap, ARDUIPI_REG_STATUS, bits);
		if (ret != -EIO)
			return ret;
		ret = regmap_read(ap->regmap, ARDUIPI_REG_STATUS, &status);
		if (ret)
			return ret;
		if (!(status & bits))
			return 0;
	}
	return -EIO;
}

static int arduipi_identify(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	u8 id[8];	/* ID0 ID1 MAJOR MINOR CAPS CLOCK_MHZ RESET_CAUSE BOOT_COUNT */
	int ret;

	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_ID0, id, sizeof(id));
	if (ret == -ENXIO)
		return dev_err_probe(dev, ret,
				     "no device answers at 0x%02x: check the wiring, the Nano's power and the overlay's addr= parameter\n",
				     ap->client->addr);
	if (ret)
		return dev_err_probe(dev, -ENODEV,
				     "the device at 0x%02x does not speak the ArduiPi protocol (%pe): is the ArduiPi firmware flashed?\n",
				     ap->client->addr, ERR_PTR(ret));
	if (id[0] != ARDUIPI_ID0_VALUE || id[1] != ARDUIPI_ID1_VALUE)
		return dev_err_probe(dev, -ENODEV,
				     "the device at 0x%02x is not ArduiPi firmware (identity %02x %02x): is another chip at this address?\n",
				     ap->client->addr, id[0], id[1]);
	if (id[2] != ARDUIPI_PROTO_MAJOR)
		return dev_err_probe(dev, -ENODEV,
				     "firmware protocol %u.%u, this driver speaks %u.x: flash the firmware that comes with this driver\n",
				     id[2], id[3], ARDUIPI_PROTO_MAJOR);
	memcpy(ap->id, id, ARDUIPI_ID_LEN);
	ap->proto_minor = id[3];
	ap->caps = id[4];
	ap->mhz = id[5] == 8 ? 8 : 16;
	ap->boot_count = id[7];
	dev_info(dev, "ArduiPi firmware, protocol %u.%u, %u MHz, last reset: %s\n",
		 id[2], id[3], id[5], arduipi_reset_cause(id[6]));
	/*
	 * No application watchdog an earlier host left running (protocol
	 * 1.2); from here on a set RESTARTED means a restart under the
	 * driver, and a set FS_TRIPPED a trip under it (not the last
	 * unbind's).
	 */
	if (ap->proto_minor >= 2) {
		ret = regmap_write(ap->regmap, ARDUIPI_REG_WDT, 0);
		if (ret)
			return dev_err_probe(dev, ret, "cannot stop the application watchdog\n");
	}
	return arduipi_status_clear(ap);
}

/*
 * The INT line: GPIO edges (gpio.c) and the ADC FIFO's watermark (adc.c),
 * found with one read of IRQ_STATUS and the FIFO state.
 */
static irqreturn_t arduipi_irq_thread(int irq, void *data)
{
	struct arduipi *ap = data;
	s64 before;
	unsigned int gen = arduipi_adc_gen(ap, &before);
	/* IRQ_STATUS[3], ADC_FIFO_COUNT, ADC_FIFO_SEQ[2], EDGE_COUNT, EDGE_FIRST */
	u8 b[8];
	u32 pending;
	unsigned int egen = READ_ONCE(ap->edge_gen);
	bool handled, edges = false;

	/*
	 * INT is ours alone and level-low: a status read that failed (and
	 * was retried) leaves it asserted, and the interrupt comes again.
	 * That is not a spurious interrupt: IRQ_NONE would have the
	 * spurious-IRQ detector disable the line for good on a long
	 * outage. A growing pause keeps a dead bus from spinning the thread.
	 */
	if (regmap_bulk_read(ap->regmap, ARDUIPI_REG_GPIO_IRQ_STATUS, b,
			     ap->edge_fifo ? 8 : 6)) {
		ap->irq_retry_ms = arduipi_irq_backoff(ap->irq_retry_ms);
		msleep(ap->irq_retry_ms);
		return IRQ_HANDLED;
	}
	ap->irq_retry_ms = 0;
	handled = arduipi_adc_drain(ap, b[3], b[4] | b[5] << 8, gen, before);
	pending = (b[0] | b[1] << 8 | b[2] << 16) & GENMASK(ARDUIPI_NGPIO - 1, 0);
	/* (edges latched before an MCU restart's write-back of EDGE_CTRL) */
	if (pending)
		arduipi_gpio_irq(ap, pending);
	if (ap->edge_fifo && b[6])
		edges = arduipi_gpio_edges(ap, b[6], b[7], egen);
	return handled || pending || edges ? IRQ_HANDLED : IRQ_NONE;
}

/* Last in probe, so that it is released first: its users exist till then. */
static int arduipi_irq_request(struct arduipi *ap)
{
	int ret;

	if (ap->client->irq <= 0)
		return 0;
	ret = devm_request_threaded_irq(ap->dev, ap->client->irq, NULL,
					arduipi_irq_thread, IRQF_ONESHOT,
					dev_name(ap->dev), ap);
	if (ret)
		return dev_err_probe(ap->dev, ret, "cannot request the INT interrupt %d\n",
				     ap->client->irq);
	return 0;
}

/* The Nano line wired to the Pi as INT (arduipi,int-line, D12), if any. */
static int arduipi_int_line(struct arduipi *ap)
{
	u32 line = ARDUIPI_DEFAULT_INT_LINE;

	ap->int_line = ARDUIPI_INT_PIN_NONE;
	if (ap->client->irq <= 0)
		return 0;
	device_property_read_u32(ap->dev, "arduipi,int-line", &line);
	if (line >= ARDUIPI_LINE_SDA)
		return dev_err_probe(ap->dev, -EINVAL,
				     "arduipi,int-line %u is not a usable Nano line\n",
				     line);
	ap->int_line = line;
	return 0;
}

static int arduipi_probe(struct i2c_client *client)
{
	struct device *dev = &client->dev;
	struct arduipi *ap;
	int ret;

	ap = devm_kzalloc(dev, sizeof(*ap), GFP_KERNEL);
	if (!ap)
		return -ENOMEM;
	ap->dev = dev;
	ap->client = client;
	i2c_set_clientdata(client, ap);
	/* Every access is a write and a read joined by a repeated START. */
	if (!i2c_check_functionality(client->adapter, I2C_FUNC_I2C))
		return dev_err_probe(dev, -EOPNOTSUPP,
				     "the I2C adapter %s does SMBus only: ArduiPi frames need plain I2C transfers with repeated START (the Pi's i2c-arm bus has them)\n",
				     dev_name(&client->adapter->dev));

	mutex_init(&ap->cfg_lock);
	ap->regmap = arduipi_regmap_init(ap);
	if (IS_ERR(ap->regmap))
		return dev_err_probe(dev, PTR_ERR(ap->regmap), "regmap\n");

	ret = arduipi_identify(ap);
	if (ret)
		return ret;
	ret = arduipi_int_line(ap);
	if (ret)
		return ret;
	/*
	 * The INT line (or none, which frees a line an earlier user made
	 * INT) before anything names lines: the firmware refuses the INT
	 * line in every other register, and resets its GPIO bits.
	 */
	ret = arduipi_write(ap, ARDUIPI_REG_INT_PIN, &ap->int_line, 1);
	if (ret)
		return dev_err_probe(dev, ret, "cannot set up the INT line\n");
	mutex_init(&ap->pin_lock);

	ret = arduipi_failsafe_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_gpio_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_adc_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_pwm_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_wdt_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_irq_request(ap);
	if (ret)
		return ret;

	ret = devm_delayed_work_autocancel(dev, &ap->health, arduipi_health);
	if (ret)
		return ret;
	arduipi_poll_next(ap);
	return 0;
}

/*
 * System sleep: no poll on a suspended bus, so an armed failsafe trips
 * while the Pi sleeps (it is a silent host). At resume the Nano is asked
 * at once: a trip meanwhile is taken (failsafe.c: it latches unless
 * arduipi,failsafe-restore), a restart gets the configuration back.
 */
static int arduipi_suspend(struct device *dev)
{
	struct arduipi *ap = dev_get_drvdata(dev);

	cancel_delayed_work_sync(&ap->health);
	arduipi_gpio_levels(ap, false);
	return 0;
}

static int arduipi_resume(struct device *dev)
{
	struct arduipi *ap = dev_get_drvdata(dev);

	/*
	 * Now, not from the workqueue: a trip while the Pi slept is taken
	 * before the PWM consumers resume (they resume after their
	 * supplier), so that those that apply their state again at resume
	 * reach the Nano. The check queues the next poll.
	 */
	arduipi_health(&ap->health.work);
	arduipi_gpio_levels(ap, true);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(arduipi_pm, arduipi_suspend, arduipi_resume);

/*
 * The Pi goes down: the failsafe state now, not after the timeout; no
 * capture outlives it, so the next boot finds INT quiet; and the edge
 * FIFO is off, so that whatever driver binds next takes the edges since
 * (from IRQ_STATUS, which every driver's probe clears first).
 */
static void arduipi_shutdown(struct i2c_client *client)
{
	struct arduipi *ap = i2c_get_clientdata(client);

	if (!ap)
		return;
	/* Without this hook the I2C core would do this much. */
	if (client->irq > 0)
		disable_irq(client->irq);
	cancel_delayed_work_sync(&ap->health);
	arduipi_gpio_levels(ap, false);
	arduipi_adc_stop(ap);
	if (ap->fs_timeout_ms && arduipi_failsafe_trip(ap))
		dev_err(ap->dev, "cannot put the failsafe state in force at shutdown\n");
	arduipi_gpio_edges_stop(ap);
}

/* The Nano's clock: what its timers' periods are multiples of. */
static ssize_t mcu_clock_mhz_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct arduipi *ap = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", ap->mhz);
}
static DEVICE_ATTR_RO(mcu_clock_mhz);

static struct attribute *arduipi_core_attrs[] = {
	&dev_attr_mcu_clock_mhz.attr,
	NULL
};

static const struct attribute_group arduipi_core_group = {
	.attrs = arduipi_core_attrs,
};

static const struct attribute_group *arduipi_groups[] = {
	&arduipi_core_group,
	&arduipi_failsafe_group,
	&arduipi_gpio_group,
	NULL
};

static const struct of_device_id arduipi_of_match[] = {
	{ .compatible = "arduipi,nano" },
	{ }
};
MODULE_DEVICE_TABLE(of, arduipi_of_match);

static const struct i2c_device_id arduipi_id[] = {
	{ "nano" },
	{ }
};
MODULE_DEVICE_TABLE(i2c, arduipi_id);

static struct i2c_driver arduipi_driver = {
	.driver = {
		.name = "arduipi",
		.of_match_table = arduipi_of_match,
		.pm = pm_sleep_ptr(&arduipi_pm),
		.dev_groups = arduipi_groups,
	},
#ifdef ARDUIPI_I2C_PROBE_NEW
	.probe_new = arduipi_probe,
#else
	.probe = arduipi_probe,
#endif
	.shutdown = arduipi_shutdown,
	.id_table = arduipi_id,
};
module_i2c_driver(arduipi_driver);

MODULE_DESCRIPTION("ArduiPi: Arduino Nano I/O firmware on I2C");
MODULE_LICENSE("GPL");
