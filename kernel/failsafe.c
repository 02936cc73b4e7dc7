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
 * (core.c) talks often enough to keep it quiet, notices a trip once the Pi
 * is back and writes the configuration back, so that the hardware again
 * runs what the kernel reports. Unbinding the driver or shutting the Pi
 * down puts the safe state in force at once, on purpose.
 */
#include <linux/bits.h>
#include <linux/property.h>
#include <linux/regmap.h>

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
		return ret ? dev_err_probe(dev, ret, "cannot disarm the failsafe\n") : 0;
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
	dev_info(dev, "failsafe: PWM off%s after %u ms without the host\n",
		 low | high ? " and lines to their safe levels" : "", ms);
	/* Before the chips: their users are gone when it runs. */
	return devm_add_action_or_reset(dev, arduipi_failsafe_leave, ap);
}
