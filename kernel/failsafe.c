// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi failsafe: what the Nano does when the Pi stops talking.
 *
 * The device tree gives a host-loss timeout and the lines' safe levels:
 *
 *   arduipi,failsafe-timeout-ms = <250>;
 *   arduipi,failsafe-low = <7 8 10 11>;
 *   arduipi,failsafe-high = <13>;
 *
 * The firmware then counts every transaction as a sign of life. After
 * the timeout without one (a hung kernel, a pulled cable) it switches every
 * PWM channel off, which leaves each PWM pin at its inactive level
 * (pwm.c), and drives the listed lines low or high. The core's poll
 * (core.c) talks often enough to keep it quiet.
 *
 * A trip latches: once the Pi is back, the driver takes what the Nano
 * forced as the configuration (the register cache is read again, the PWM
 * core's state of a channel in use says disabled), counts the trip in
 * sysfs (failsafe_trips, which poll() and a change uevent announce) and
 * in the log, and leaves the outputs safe until a program sets them
 * again. An MCU restart while the failsafe is armed counts as a trip: the
 * rest of the configuration is written back, the failsafe's lines and the
 * PWM channels stay safe. With arduipi,failsafe-restore the driver writes
 * the whole configuration back instead, after a host-loss trip as after a
 * restart.
 * A watchdog trip (watchdog.c) always latches. Unbinding the driver or
 * shutting the Pi down puts the safe state in force at once, on purpose,
 * and is not counted. The safe state is also
 * the Nano's boot state (protocol 1.2, kept in its EEPROM): what its lines
 * are from the first microseconds after any reset, before the driver has
 * said anything.
 */
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "arduipi.h"

/* A DT list of Nano lines as a bit mask; lines wired elsewhere refused. */
static int arduipi_failsafe_lines(struct arduipi *ap, const char *prop, u32 *mask)
{
	u32 lines[ARDUIPI_NGPIO];
	int n, i, ret;

	*mask = 0;
	n = device_property_count_u32(ap->dev, prop);
	if (n <= 0)
		return 0;
	if (n > ARDUIPI_NGPIO)
		return dev_err_probe(ap->dev, -EINVAL, "%s: more than %u lines\n",
				     prop, ARDUIPI_NGPIO);
	ret = device_property_read_u32_array(ap->dev, prop, lines, n);
	if (ret)
		return dev_err_probe(ap->dev, ret, "%s: cannot read it\n", prop);
	for (i = 0; i < n; i++) {
		if (lines[i] >= ARDUIPI_LINE_SDA || lines[i] == ap->int_line)
			return dev_err_probe(ap->dev, -EINVAL,
					     "%s: line %u is not a usable Nano line (0-17, not the INT line)\n",
					     prop, lines[i]);
		*mask |= BIT(lines[i]);
	}
	return 0;
}

/* The safe state now, as on a timeout. */
int arduipi_failsafe_trip(struct arduipi *ap)
{
	int ret = regmap_write(ap->regmap, ARDUIPI_REG_FS_TRIP, 1);

	/*
	 * regmap takes a register it cannot read for a cached one, whatever
	 * the volatile table says: no write-back may trip it again.
	 */
	regcache_drop_region(ap->regmap, ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_FS_TRIP);
	return ret;
}

/*
 * The kernel's view after a trip: what the Nano forced. Under the locks of
 * the registers' read-modify-writes (pwm.c, gpio.c).
 */
static int arduipi_failsafe_reread(struct arduipi *ap)
{
	int ret;

	mutex_lock(&ap->pwm_lock);
	mutex_lock(&ap->out_lock);
	ret = arduipi_reread(ap, ARDUIPI_REG_GPIO_DIR,
			     ARDUIPI_REG_GPIO_OUT + ARDUIPI_GPIO_BANKS - 1);
	if (!ret)
		ret = arduipi_reread(ap, ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_T1_TOP + 1);
	mutex_unlock(&ap->out_lock);
	mutex_unlock(&ap->pwm_lock);
	return ret;
}

/*
 * After an MCU restart, before the configuration is written back: the
 * safe state into the cache and the Nano (which has just started in its
 * boot state), so that the write-back keeps it. Straight through regmap,
 * with no undo: after a failed write the cache holds the safe values and
 * the Nano is asked again at the next poll, never given the old ones.
 */
int arduipi_failsafe_force(struct arduipi *ap)
{
	u8 dir[ARDUIPI_GPIO_BANKS], out[ARDUIPI_GPIO_BANKS];
	u8 pwm[ARDUIPI_PWM_NREGS];
	unsigned int ch, b;
	int ret;

	mutex_lock(&ap->pwm_lock);
	mutex_lock(&ap->out_lock);
	mutex_lock(&ap->cfg_lock);
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_GPIO_DIR, dir, sizeof(dir));
	if (!ret)
		ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_GPIO_OUT, out, sizeof(out));
	if (!ret)
		ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_PWM_BASE, pwm, sizeof(pwm));
	if (ret)
		goto out;
	for (b = 0; b < ARDUIPI_GPIO_BANKS; b++) {
		out[b] = (out[b] & ~(ap->fs_lines >> 8 * b)) | ap->fs_high >> 8 * b;
		dir[b] |= ap->fs_lines >> 8 * b;
	}
	/* the level first, as gpio.c does */
	ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_GPIO_OUT, out, sizeof(out));
	if (!ret)
		ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_GPIO_DIR, dir, sizeof(dir));
	/* the PWM image whole: a failed write keeps all of it cached */
	for (ch = 0; ch < ARDUIPI_NPWM; ch++)
		pwm[ARDUIPI_REG_PWM_CTRL(ch) - ARDUIPI_REG_PWM_BASE] &= ~ARDUIPI_PWM_ENABLE;
	if (!ret)
		ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_PWM_BASE, pwm, sizeof(pwm));
out:
	mutex_unlock(&ap->cfg_lock);
	mutex_unlock(&ap->out_lock);
	mutex_unlock(&ap->pwm_lock);
	return ret;
}

/* Count a trip; tell poll() on failsafe_trips and udev. */
void arduipi_failsafe_count(struct arduipi *ap)
{
	char trips[32];
	char *env[2] = { trips, NULL };

	WRITE_ONCE(ap->fs_trips, ap->fs_trips + 1);
	snprintf(trips, sizeof(trips), "ARDUIPI_FAILSAFE_TRIPS=%u", ap->fs_trips);
	sysfs_notify(&ap->dev->kobj, NULL, "failsafe_trips");
	kobject_uevent_env(&ap->dev->kobj, KOBJ_CHANGE, env);
}

/* The host has seen the trip: the Nano takes GPIO and PWM writes again. */
int arduipi_failsafe_ack(struct arduipi *ap)
{
	return regmap_write(ap->regmap, ARDUIPI_REG_STATUS,
			    ARDUIPI_STATUS_FS_TRIPPED | ARDUIPI_STATUS_WDT_TRIPPED);
}

/*
 * The Nano tripped (FS_TRIPPED in status) and the host is back: latch.
 * While FS_TRIPPED is set the Nano refuses GPIO and PWM writes, so the
 * re-read sees what it forced, however many reads it takes; then the bit
 * is cleared. 0 once the trip is taken; else the next poll goes on
 * (fs_latching: re-read done; a clear that landed without an answer
 * shows as the bit gone).
 */
int arduipi_failsafe_latch(struct arduipi *ap, u8 status)
{
	int ret;

	if (status & ARDUIPI_STATUS_FS_TRIPPED) {
		/* again each time: writes are refused while the bit is set */
		ret = arduipi_failsafe_reread(ap);
		if (ret)
			return ret;
		ap->fs_latching = true;
		ret = arduipi_failsafe_ack(ap);
		if (ret)
			return ret;
	}
	ap->fs_latching = false;
	/* what a reader woken by the count sees agrees with the pins */
	arduipi_pwm_sync_state(ap);
	arduipi_failsafe_count(ap);
	return 0;
}

static ssize_t failsafe_trips_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct arduipi *ap = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(ap->fs_trips));
}
static DEVICE_ATTR_RO(failsafe_trips);

static struct attribute *arduipi_failsafe_attrs[] = {
	&dev_attr_failsafe_trips.attr,
	NULL
};

/* Only where the failsafe is armed (groups are added after probe). */
static umode_t arduipi_failsafe_visible(struct kobject *kobj,
					struct attribute *attr, int n)
{
	struct arduipi *ap = dev_get_drvdata(kobj_to_dev(kobj));

	return ap && ap->fs_timeout_ms ? attr->mode : 0;
}

const struct attribute_group arduipi_failsafe_group = {
	.attrs = arduipi_failsafe_attrs,
	.is_visible = arduipi_failsafe_visible,
};

/*
 * The Nano's boot state (protocol 1.2), in force from the first
 * microseconds after any reset: the failsafe's lines at their safe levels,
 * every other line an input. Stored in its EEPROM only when it differs.
 * The Nano refuses EEPROM writes on a supply it measures too low: then
 * the poll tries again (arduipi_boot_state_retry) until it is stored.
 */
static int arduipi_boot_state(struct arduipi *ap, u32 low, u32 high)
{
	u8 want[2 * ARDUIPI_GPIO_BANKS + 1], have[2 * ARDUIPI_GPIO_BANKS];
	unsigned int b;
	int ret;

	if (ap->proto_minor < 2)
		return 0;
	for (b = 0; b < ARDUIPI_GPIO_BANKS; b++) {
		want[b] = (low | high) >> 8 * b;
		want[ARDUIPI_GPIO_BANKS + b] = high >> 8 * b;
	}
	want[2 * ARDUIPI_GPIO_BANKS] = 1;	/* BOOT_SAVE */
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_BOOT_DIR, have, sizeof(have));
	if (ret)	/* a retry's bus error: the next poll tries again */
		return ap->boot_pending ? ret :
		       dev_err_probe(ap->dev, ret, "cannot read the boot state\n");
	if (!memcmp(have, want, sizeof(have))) {	/* stored (a retry's lost answer) */
		ap->boot_pending = false;
		return 0;
	}
	ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_BOOT_DIR, want, sizeof(want));
	if (ret == -ERANGE || ret == -EBUSY) {
		static const char *const why[] = {
			"the Nano's supply is too low for an EEPROM write (AVcc: in_voltage9_input)",
			"the ADC stream runs, the Nano's supply is not measured meanwhile",
		};

		if (!ap->boot_pending)
			dev_warn(ap->dev, "boot state not stored: %s; tried again at each poll, until then a Nano reset brings the one stored before\n",
				 why[ret == -EBUSY]);
		ap->boot_pending = true;
		return 0;
	}
	if (ret)
		return ap->boot_pending ? ret :
		       dev_err_probe(ap->dev, ret, "cannot store the boot state\n");
	ap->boot_pending = false;
	dev_info(ap->dev, "boot state stored in the Nano's EEPROM: %severy other line an input\n",
		 low | high ? "the failsafe's lines at their safe levels, " : "");
	return 0;
}

/*
 * From the poll: the boot state the Nano refused, once more; not while an
 * ADC stream runs (it would be refused again, and logged).
 */
void arduipi_boot_state_retry(struct arduipi *ap)
{
	unsigned int stream;

	if (regmap_read(ap->regmap, ARDUIPI_REG_ADC_STREAM, &stream) || stream)
		return;
	arduipi_boot_state(ap, ap->fs_lines & ~ap->fs_high, ap->fs_high);
}

/* No timeout: the Nano keeps its outputs whatever the host does. */
static int arduipi_failsafe_disarm(struct arduipi *ap)
{
	u8 off[2] = { };

	return arduipi_write(ap, ARDUIPI_REG_FS_TIMEOUT, off, sizeof(off));
}

static void arduipi_failsafe_leave(void *data)
{
	struct arduipi *ap = data;

	if (arduipi_failsafe_trip(ap) || arduipi_failsafe_disarm(ap))
		dev_err(ap->dev, "cannot put the failsafe state in force: the Nano keeps its outputs\n");
	/* nor its application watchdog, left running by nowayout */
	if (ap->proto_minor >= 2 && regmap_write(ap->regmap, ARDUIPI_REG_WDT, 0))
		dev_err(ap->dev, "cannot stop the application watchdog\n");
}

#define ARDUIPI_FS_MIN_MS	50

int arduipi_failsafe_probe(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	u32 ms = 0, low, high;
	u8 regs[9];	/* FS_TIMEOUT[2] FS_MASK[3] FS_LEVEL[3] FS_PWM */
	int ret;

	device_property_read_u32(dev, "arduipi,failsafe-timeout-ms", &ms);
	if (!ms) {
		/* None wanted: not even one an earlier host armed and left. */
		ret = ap->caps & ARDUIPI_CAP_FAILSAFE ? arduipi_failsafe_disarm(ap) : 0;
		if (ret)
			return dev_err_probe(dev, ret, "cannot disarm the failsafe\n");
		return arduipi_boot_state(ap, 0, 0);
	}
	if (ms > U16_MAX)
		return dev_err_probe(dev, -EINVAL,
				     "arduipi,failsafe-timeout-ms: %u ms is more than 65535\n", ms);
	/* The poll feeds it every quarter: a few jiffies and a transaction. */
	if (ms < ARDUIPI_FS_MIN_MS)
		return dev_err_probe(dev, -EINVAL,
				     "arduipi,failsafe-timeout-ms: %u ms is less than %u, too short for the driver to keep the Nano fed\n",
				     ms, ARDUIPI_FS_MIN_MS);
	if (!(ap->caps & ARDUIPI_CAP_FAILSAFE) || ap->proto_minor < 1)
		return dev_err_probe(dev, -ENODEV,
				     "this firmware (protocol 1.%u) cannot be told to act at once: flash the firmware that comes with this driver\n",
				     ap->proto_minor);
	ret = arduipi_failsafe_lines(ap, "arduipi,failsafe-low", &low);
	if (!ret)
		ret = arduipi_failsafe_lines(ap, "arduipi,failsafe-high", &high);
	if (ret)
		return ret;
	if (low & high)
		return dev_err_probe(dev, -EINVAL,
				     "a line is both in arduipi,failsafe-low and -high\n");

	ret = arduipi_boot_state(ap, low, high);
	if (ret)
		return ret;

	regs[0] = ms & 0xff;
	regs[1] = ms >> 8;
	regs[2] = low | high;
	regs[3] = (low | high) >> 8;
	regs[4] = (low | high) >> 16;
	regs[5] = high;
	regs[6] = high >> 8;
	regs[7] = high >> 16;
	regs[8] = GENMASK(ARDUIPI_NPWM - 1, 0);
	ret = arduipi_write(ap, ARDUIPI_REG_FS_TIMEOUT, regs, sizeof(regs));
	if (ret)
		return dev_err_probe(dev, ret, "cannot arm the failsafe\n");
	ap->fs_timeout_ms = ms;
	ap->fs_lines = low | high;
	ap->fs_high = high;
	ap->fs_restore = device_property_read_bool(dev, "arduipi,failsafe-restore");
	dev_info(dev, "failsafe: PWM off%s after %u ms without the host, %s\n",
		 low | high ? " and lines to their safe levels" : "", ms,
		 ap->fs_restore ? "undone when it is back" : "until a program sets them again");
	/* Before the chips: their users are gone when it runs. */
	return devm_add_action_or_reset(dev, arduipi_failsafe_leave, ap);
}
