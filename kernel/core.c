// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi: an Arduino Nano (ATmega328P) running the ArduiPi firmware, on
 * I2C, as a GPIO controller (gpio.c), an ADC (adc.c) and a PWM controller
 * (pwm.c), with a host-loss failsafe (failsafe.c).
 *
 * The core: a regmap over the firmware's register bank in which every
 * access is a PEC-protected frame (kernel/arduipi-regs.h has the format),
 * the identity and protocol check, and restart tracking: the firmware
 * counts its boots and flags a restart, and the driver then writes the
 * register cache back, so a watchdog or brown-out reset of the Nano loses
 * nothing the user configured. The same poll feeds the failsafe and
 * undoes a trip once the host is back.
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/devm-helpers.h>
#include <linux/i2c.h>
#include <linux/interrupt.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/property.h>
#include <linux/regmap.h>

#include "arduipi.h"

#define ARDUIPI_TRIES		3	/* per transaction, on PEC or bus error */
#define ARDUIPI_DEFAULT_INT_LINE	12	/* D12 */
/* After failed status reads in the INT thread: 20 ms, doubling to 1 s. */
#define ARDUIPI_IRQ_RETRY_MS	20
#define ARDUIPI_IRQ_RETRY_MAX_MS	1000

static unsigned int restart_poll_ms = 1000;
module_param(restart_poll_ms, uint, 0444);
MODULE_PARM_DESC(restart_poll_ms,
		 "How often to check the Nano for a restart, in ms (0: never)");

/* ---- PEC-framed register access ------------------------------------------ */

static u8 arduipi_pec(u8 crc, u8 byte)
{
	return i2c_smbus_pec(crc, &byte, 1);
}

/* S a|W  ae reg n  Sr a|R  d0 .. dn-1 pec  P; buf holds n + 1 bytes */
static int arduipi_read_frame(struct i2c_client *c, u8 reg, u8 *buf, u8 n)
{
	u8 cmd[3] = { ARDUIPI_CMD_PEC_READ, reg, n };
	struct i2c_msg msgs[] = {
		{ .addr = c->addr, .len = sizeof(cmd), .buf = cmd },
		{ .addr = c->addr, .flags = I2C_M_RD, .len = n + 1, .buf = buf },
	};
	u8 pec;
	int ret;

	ret = i2c_transfer(c->adapter, msgs, ARRAY_SIZE(msgs));
	if (ret != ARRAY_SIZE(msgs))
		return ret < 0 ? ret : -EIO;
	pec = arduipi_pec(0, c->addr << 1);
	pec = i2c_smbus_pec(pec, cmd, sizeof(cmd));
	pec = arduipi_pec(pec, c->addr << 1 | 1);
	pec = i2c_smbus_pec(pec, buf, n);
	return pec == buf[n] ? 0 : -EBADMSG;
}

/* S a|W  a9 reg n d0 .. dn-1 pec  Sr a|R  status pec2  P */
static int arduipi_write_frame(struct i2c_client *c, u8 reg, const u8 *val,
			       u8 n, u8 *status)
{
	u8 frame[ARDUIPI_PEC_MAX_LEN + 4], reply[2];
	struct i2c_msg msgs[] = {
		{ .addr = c->addr, .len = n + 4, .buf = frame },
		{ .addr = c->addr, .flags = I2C_M_RD, .len = 2, .buf = reply },
	};
	u8 pec;
	int ret;

	frame[0] = ARDUIPI_CMD_PEC_WRITE;
	frame[1] = reg;
	frame[2] = n;
	memcpy(&frame[3], val, n);
	pec = arduipi_pec(0, c->addr << 1);
	frame[n + 3] = i2c_smbus_pec(pec, frame, n + 3);

	ret = i2c_transfer(c->adapter, msgs, ARRAY_SIZE(msgs));
	if (ret != ARRAY_SIZE(msgs))
		return ret < 0 ? ret : -EIO;
	pec = i2c_smbus_pec(pec, frame, n + 4);
	pec = arduipi_pec(pec, c->addr << 1 | 1);
	if (arduipi_pec(pec, reply[0]) != reply[1])
		return -EBADMSG;	/* the status itself is unreliable */
	*status = reply[0];
	return 0;
}

static int arduipi_status_errno(u8 status)
{
	switch (status) {
	case ARDUIPI_OK:
		return 0;
	case ARDUIPI_ERR_PEC:
	case ARDUIPI_ERR_BUS:
		return -EBADMSG;	/* corrupted on the way: retry */
	case ARDUIPI_ERR_BAD_PIN:
	case ARDUIPI_ERR_BAD_VALUE:
	case ARDUIPI_ERR_RESERVED_PIN:
	case ARDUIPI_ERR_NOT_PWM:
	case ARDUIPI_ERR_BAD_KEY:
		return -EINVAL;
	case ARDUIPI_ERR_BUSY:
		return -EBUSY;		/* the ADC stream runs */
	default:
		return -EIO;
	}
}

static bool arduipi_retry(int ret)
{
	return ret == -EBADMSG || ret == -ENXIO || ret == -EREMOTEIO ||
	       ret == -EIO || ret == -EAGAIN;
}

/*
 * What a transaction that failed after "tries" tries returns: a timeout
 * (the bus is stuck, not tried again) and ENXIO (no device) as they are,
 * the errors that were retried as EIO.
 */
static int arduipi_failed(struct arduipi *ap, const char *what, u8 reg,
			  int tries, int ret)
{
	dev_err_ratelimited(ap->dev, "%s register 0x%02x failed %d time%s (%pe)\n",
			    what, reg, tries, tries > 1 ? "s" : "", ERR_PTR(ret));
	return ret != -ENXIO && arduipi_retry(ret) ? -EIO : ret;
}

/* A PEC read, retried; buf holds n + 1 bytes. */
int arduipi_read_block(struct arduipi *ap, u8 reg, u8 *buf, u8 n)
{
	int i, ret;

	for (i = 1; ; i++) {
		ret = arduipi_read_frame(ap->client, reg, buf, n);
		if (!ret)
			return 0;
		if (i == ARDUIPI_TRIES || !arduipi_retry(ret))
			return arduipi_failed(ap, "reading", reg, i, ret);
	}
}

static int arduipi_regmap_read(void *context, const void *reg_buf,
			       size_t reg_size, void *val, size_t val_size)
{
	u8 buf[ARDUIPI_PEC_MAX_LEN + 1];
	int ret;

	ret = arduipi_read_block(context, *(const u8 *)reg_buf, buf, val_size);
	if (!ret)
		memcpy(val, buf, val_size);
	return ret;
}

static int arduipi_regmap_write(void *context, const void *data, size_t count)
{
	struct arduipi *ap = context;
	const u8 *buf = data;
	u8 status = ARDUIPI_OK;
	int i, ret;

	for (i = 1; ; i++) {
		ret = arduipi_write_frame(ap->client, buf[0], buf + 1, count - 1,
					  &status);
		if (!ret)
			ret = arduipi_status_errno(status);
		if (i == ARDUIPI_TRIES || !arduipi_retry(ret))
			break;
	}
	if (ret == -EINVAL)
		dev_err_ratelimited(ap->dev, "register 0x%02x refused the value (error %u)\n",
				    buf[0], status);
	else if (ret == -EBUSY)
		dev_err_ratelimited(ap->dev, "register 0x%02x cannot change while the ADC stream runs\n",
				    buf[0]);
	else if (ret)
		return arduipi_failed(ap, "writing", buf[0], i, ret);
	return ret;
}

static const struct regmap_bus arduipi_regmap_bus = {
	.read = arduipi_regmap_read,
	.write = arduipi_regmap_write,
	.max_raw_read = ARDUIPI_PEC_MAX_LEN,
	.max_raw_write = ARDUIPI_PEC_MAX_LEN,
};

static const struct regmap_range arduipi_rd_ranges[] = {
	regmap_reg_range(ARDUIPI_REG_ID0, ARDUIPI_REG_ADDR_NEW),
	regmap_reg_range(ARDUIPI_REG_INT_PIN, ARDUIPI_REG_GPIO_PULLUP + 2),
	regmap_reg_range(ARDUIPI_REG_GPIO_IRQ_RISE, ARDUIPI_REG_ADC_FIFO_SEQ + 1),
	regmap_reg_range(ARDUIPI_REG_FS_TIMEOUT, ARDUIPI_REG_ADC_WATERMARK),
	regmap_reg_range(ARDUIPI_REG_ADC_RESULT, ARDUIPI_REG_LAST),
};

static const struct regmap_access_table arduipi_rd_table = {
	.yes_ranges = arduipi_rd_ranges,
	.n_yes_ranges = ARRAY_SIZE(arduipi_rd_ranges),
};

static const struct regmap_range arduipi_wr_ranges[] = {
	regmap_reg_range(ARDUIPI_REG_STATUS, ARDUIPI_REG_PEC_ERR_COUNT),
	regmap_reg_range(ARDUIPI_REG_ADDR_NEW, ARDUIPI_REG_GPIO_OUT + 2),
	regmap_reg_range(ARDUIPI_REG_GPIO_PULLUP, ARDUIPI_REG_GPIO_IRQ_STATUS + 2),
	regmap_reg_range(ARDUIPI_REG_ADC_FIFO_SEQ, ARDUIPI_REG_ADC_FIFO_SEQ + 1),
	regmap_reg_range(ARDUIPI_REG_FS_TIMEOUT, ARDUIPI_REG_FS_PWM),
	regmap_reg_range(ARDUIPI_REG_ADC_SCAN, ARDUIPI_REG_ADC_WATERMARK),
	regmap_reg_range(ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_FS_TRIP),
	regmap_reg_range(ARDUIPI_REG_ADC_REF, ARDUIPI_REG_LAST),
};

static const struct regmap_access_table arduipi_wr_table = {
	.yes_ranges = arduipi_wr_ranges,
	.n_yes_ranges = ARRAY_SIZE(arduipi_wr_ranges),
};

/* Not cached: what the device changes, and what is not configuration. */
static const struct regmap_range arduipi_volatile_ranges[] = {
	regmap_reg_range(ARDUIPI_REG_ID0, ARDUIPI_REG_ADDR_COMMIT),
	regmap_reg_range(ARDUIPI_REG_GPIO_IN, ARDUIPI_REG_GPIO_IN + 2),
	regmap_reg_range(ARDUIPI_REG_GPIO_SET, ARDUIPI_REG_GPIO_CLR + 2),
	regmap_reg_range(ARDUIPI_REG_GPIO_IRQ_STATUS, ARDUIPI_REG_ADC_FIFO_SEQ + 1),
	/* the stream is restarted by adc.c after an MCU restart */
	regmap_reg_range(ARDUIPI_REG_ADC_SCAN, ARDUIPI_REG_ADC_WATERMARK),
	regmap_reg_range(ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_FS_TRIP),
	regmap_reg_range(ARDUIPI_REG_ADC_RESULT, ARDUIPI_REG_ADC_BANDGAP + 1),
};

static const struct regmap_access_table arduipi_volatile_table = {
	.yes_ranges = arduipi_volatile_ranges,
	.n_yes_ranges = ARRAY_SIZE(arduipi_volatile_ranges),
};

static const struct regmap_config arduipi_regmap_config = {
	.reg_bits = 8,
	.val_bits = 8,
	.max_register = ARDUIPI_REG_LAST,
	.rd_table = &arduipi_rd_table,
	.wr_table = &arduipi_wr_table,
	.volatile_table = &arduipi_volatile_table,
	.cache_type = REGCACHE_RBTREE,
};

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
 * status bit that asked for it. The PWM registers go last, in one frame:
 * the firmware checks each frame's duties against its periods.
 */
static int arduipi_restore(struct arduipi *ap, u8 status_bit)
{
	int ret;

	regcache_mark_dirty(ap->regmap);
	ret = regcache_sync_region(ap->regmap, ARDUIPI_REG_FIRST,
				   ARDUIPI_REG_PWM_BASE - 1);
	if (!ret)
		ret = regcache_sync_region(ap->regmap, ARDUIPI_REG_T1_TOP + 2,
					   ARDUIPI_REG_LAST);
	if (!ret)
		ret = arduipi_pwm_restore(ap);
	if (!ret)
		ret = regmap_write(ap->regmap, ARDUIPI_REG_STATUS, status_bit);
	return ret;
}

static void arduipi_restarted(struct arduipi *ap, u8 boot_count)
{
	unsigned int cause = 0;
	int ret;

	regmap_read(ap->regmap, ARDUIPI_REG_RESET_CAUSE, &cause);
	ret = arduipi_restore(ap, ARDUIPI_STATUS_RESTARTED);
	if (ret) {
		dev_err(ap->dev, "MCU restarted (%s), restoring its configuration failed: %pe\n",
			arduipi_reset_cause(cause), ERR_PTR(ret));
		return;
	}
	ap->boot_count = boot_count;
	dev_warn(ap->dev, "MCU restarted (%s, boot %u): configuration restored\n",
		 arduipi_reset_cause(cause), boot_count);
	arduipi_adc_restarted(ap);
}

static void arduipi_tripped(struct arduipi *ap)
{
	int ret = arduipi_restore(ap, ARDUIPI_STATUS_FS_TRIPPED);

	if (ret)
		dev_err(ap->dev, "failsafe tripped, restoring the configuration failed: %pe\n",
			ERR_PTR(ret));
	else
		dev_warn(ap->dev, "failsafe tripped: no word from the host for %u ms, the Nano went to its safe state; configuration restored\n",
			 ap->fs_timeout_ms);
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
	queue_delayed_work(system_highpri_wq, &ap->health,
			   msecs_to_jiffies(arduipi_poll_ms(ap)));
}

static void arduipi_health(struct work_struct *work)
{
	struct arduipi *ap = container_of(to_delayed_work(work), struct arduipi,
					  health);
	u8 b[2];	/* BOOT_COUNT, STATUS */

	if (!regmap_bulk_read(ap->regmap, ARDUIPI_REG_BOOT_COUNT, b, sizeof(b))) {
		if (b[1] & ARDUIPI_STATUS_RESTARTED || b[0] != ap->boot_count)
			arduipi_restarted(ap, b[0]);
		else if (b[1] & ARDUIPI_STATUS_FS_TRIPPED)
			arduipi_tripped(ap);
	}
	arduipi_poll_next(ap);
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
	ap->proto_minor = id[3];
	ap->caps = id[4];
	ap->mhz = id[5] == 8 ? 8 : 16;
	ap->boot_count = id[7];
	dev_info(dev, "ArduiPi firmware, protocol %u.%u, %u MHz, last reset: %s\n",
		 id[2], id[3], id[5], arduipi_reset_cause(id[6]));
	/*
	 * From here on a set RESTARTED means a restart under the driver, and
	 * a set FS_TRIPPED a trip under it (not the last unbind's).
	 */
	return regmap_write(ap->regmap, ARDUIPI_REG_STATUS,
			    ARDUIPI_STATUS_RESTARTED | ARDUIPI_STATUS_FS_TRIPPED);
}

/*
 * The INT line: GPIO edges (gpio.c) and the ADC FIFO's watermark (adc.c),
 * found with one read of IRQ_STATUS and the FIFO state.
 */
static irqreturn_t arduipi_irq_thread(int irq, void *data)
{
	struct arduipi *ap = data;
	unsigned int gen = arduipi_adc_gen(ap);
	u8 b[6];	/* IRQ_STATUS[3], ADC_FIFO_COUNT, ADC_FIFO_SEQ[2] */
	u32 pending;
	bool handled;

	/*
	 * INT is ours alone and level-low: a status read that failed (and
	 * was retried) leaves it asserted, and the interrupt comes again.
	 * That is not a spurious interrupt: IRQ_NONE would have the
	 * spurious-IRQ detector disable the line for good on a long
	 * outage. A growing pause keeps a dead bus from spinning the thread.
	 */
	if (regmap_bulk_read(ap->regmap, ARDUIPI_REG_GPIO_IRQ_STATUS, b, sizeof(b))) {
		ap->irq_retry_ms = clamp_t(unsigned int, ap->irq_retry_ms * 2,
					   ARDUIPI_IRQ_RETRY_MS, ARDUIPI_IRQ_RETRY_MAX_MS);
		msleep(ap->irq_retry_ms);
		return IRQ_HANDLED;
	}
	ap->irq_retry_ms = 0;
	handled = arduipi_adc_drain(ap, b[3], b[4] | b[5] << 8, gen);
	pending = (b[0] | b[1] << 8 | b[2] << 16) & GENMASK(ARDUIPI_NGPIO - 1, 0);
	if (pending)
		arduipi_gpio_irq(ap, pending);
	return handled || pending ? IRQ_HANDLED : IRQ_NONE;
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

	ap->regmap = devm_regmap_init(dev, &arduipi_regmap_bus, ap,
				      &arduipi_regmap_config);
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
	ret = regmap_write(ap->regmap, ARDUIPI_REG_INT_PIN, ap->int_line);
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
	ret = arduipi_irq_request(ap);
	if (ret)
		return ret;

	ret = devm_delayed_work_autocancel(dev, &ap->health, arduipi_health);
	if (ret)
		return ret;
	if (arduipi_poll_ms(ap))
		arduipi_poll_next(ap);
	return 0;
}

/*
 * The Pi goes down: the failsafe state now, not after the timeout; and no
 * capture outlives it, so the next boot finds INT quiet.
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
	arduipi_adc_stop(ap);
	if (ap->fs_timeout_ms && arduipi_failsafe_trip(ap))
		dev_err(ap->dev, "cannot put the failsafe state in force at shutdown\n");
}

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
