// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi application watchdog: the failsafe (failsafe.c) as a watchdog
 * device, for the program that drives the outputs.
 *
 * The host-loss timeout notices a dead kernel or a dead bus; the kernel's
 * own poll keeps it fed, so a program that dies with the motors running
 * never trips it. This device makes the program's pings a sign of life of
 * their own: while it runs, the firmware's WDT register counts down from
 * the timeout (whole seconds), every ping writes it again, and when it
 * runs out the Nano puts the failsafe state in force. That trip latches
 * always (core.c): the program that set the outputs is gone.
 *
 * While no program has /dev/watchdogN open it does not run, and only the
 * host-loss timeout applies, as before. A program that opens it and closes
 * it after writing 'V' stops it (unless nowayout); one that dies or hangs
 * leaves it running into a trip. It exists where the device tree arms the
 * failsafe, and needs protocol 1.2.
 *
 * Limitations:
 * - Whole seconds, 1 to 255 (the register is one byte).
 * - The count runs in the Nano on its own clock (a resonator, within
 *   0.5 %), in steps of timer0's tick (1 ms at 16 MHz with timer0 at /64).
 * - No pretimeout: the Nano cannot interrupt the host before it acts.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/regmap.h>
#include <linux/watchdog.h>

#include "arduipi.h"
#include "compat.h"

#define ARDUIPI_WDT_DEFAULT_S	1
#define ARDUIPI_WDT_MAX_S	255

static bool nowayout = WATCHDOG_NOWAYOUT;
module_param(nowayout, bool, 0444);
MODULE_PARM_DESC(nowayout, "The watchdog cannot be stopped once started (default="
		 __MODULE_STRING(WATCHDOG_NOWAYOUT) ")");

/*
 * The Nano's count and whether it runs (wdt_armed), together: an MCU
 * restart (arduipi_wdt_restarted) starts it again only if it ran.
 */
static int arduipi_wdt_write(struct watchdog_device *wdd, unsigned int s)
{
	struct arduipi *ap = watchdog_get_drvdata(wdd);
	int ret;

	mutex_lock(&ap->wdt_lock);
	ret = regmap_write(ap->regmap, ARDUIPI_REG_WDT, s);
	if (!ret)
		ap->wdt_armed = s;
	mutex_unlock(&ap->wdt_lock);
	return ret;
}

/* Start and ping alike: the count starts again from the timeout. */
static int arduipi_wdt_ping(struct watchdog_device *wdd)
{
	return arduipi_wdt_write(wdd, wdd->timeout);
}

static int arduipi_wdt_stop(struct watchdog_device *wdd)
{
	return arduipi_wdt_write(wdd, 0);
}

/* The core pings an active watchdog next: that writes the new timeout. */
static int arduipi_wdt_set_timeout(struct watchdog_device *wdd,
				   unsigned int timeout)
{
	wdd->timeout = timeout;
	return 0;
}

static const struct watchdog_info arduipi_wdt_info = {
	.options = WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE,
	.identity = "ArduiPi Nano failsafe",
};

static const struct watchdog_ops arduipi_wdt_ops = {
	.owner = THIS_MODULE,
	.start = arduipi_wdt_ping,
	.stop = arduipi_wdt_stop,
	.ping = arduipi_wdt_ping,
	.set_timeout = arduipi_wdt_set_timeout,
};

/*
 * The Nano restarted: its WDT register is 0 again. A watchdog a program
 * holds counts again from now (the restart itself is a trip, core.c).
 */
void arduipi_wdt_restarted(struct arduipi *ap)
{
	int ret = 0;

	if (!ap->wdd)
		return;
	mutex_lock(&ap->wdt_lock);
	if (ap->wdt_armed)
		ret = regmap_write(ap->regmap, ARDUIPI_REG_WDT, ap->wdd->timeout);
	mutex_unlock(&ap->wdt_lock);
	if (ret)
		dev_err(ap->dev, "cannot restart the application watchdog after the MCU restart: the program's pings start it again\n");
}

/* Its trip was taken (core.c): the count ran out, it runs no more. */
void arduipi_wdt_fired(struct arduipi *ap)
{
	if (!ap->wdd)
		return;
	mutex_lock(&ap->wdt_lock);
	ap->wdt_armed = false;
	mutex_unlock(&ap->wdt_lock);
}

int arduipi_wdt_probe(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	struct watchdog_device *wdd;
	int ret;

	if (ap->proto_minor < 2) {
		if (ap->fs_timeout_ms)
			dev_info(dev, "this firmware (protocol 1.%u) has no application watchdog: flash the firmware that comes with this driver\n",
				 ap->proto_minor);
		return 0;
	}
	/* (one an earlier host left running is stopped: core.c) */
	if (!ap->fs_timeout_ms)
		return 0;
	ret = devm_mutex_init(dev, &ap->wdt_lock);
	if (ret)
		return ret;
	wdd = devm_kzalloc(dev, sizeof(*wdd), GFP_KERNEL);
	if (!wdd)
		return -ENOMEM;
	wdd->info = &arduipi_wdt_info;
	wdd->ops = &arduipi_wdt_ops;
	wdd->parent = dev;
	wdd->min_timeout = 1;
	wdd->max_timeout = ARDUIPI_WDT_MAX_S;
	wdd->timeout = ARDUIPI_WDT_DEFAULT_S;
	watchdog_init_timeout(wdd, 0, dev);	/* timeout-sec */
	watchdog_set_nowayout(wdd, nowayout);
	watchdog_stop_on_unregister(wdd);
	watchdog_set_drvdata(wdd, ap);
	ret = devm_watchdog_register_device(dev, wdd);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the watchdog\n");
	ap->wdd = wdd;
	return 0;
}
