// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi bus access: PEC-protected frames (kernel/arduipi-regs.h has the
 * format), retried on corruption, as a regmap with a register cache; and
 * writes of cached registers that fail without changing what the kernel
 * reports.
 *
 * regmap writes its cache before the bus. When the bus write fails it
 * keeps the new values (several registers) or drops the register and the
 * next one from the cache (one register, _regmap_raw_write_impl()):
 * either way the cache is no longer the configuration the kernel reports,
 * and the write-back after an MCU restart (core.c) would write values
 * nobody set or miss some. So every write of a cached register goes
 * through arduipi_write() or arduipi_update_bits(). Their bus errors are
 * handed to them past regmap, which then drops nothing; on an error they
 * write the old values back, which puts them into the cache again and,
 * when the bus lets it, into the Nano. If that fails too, the Nano may
 * hold either value: the device is "behind", and the core's poll writes
 * the whole cache back once the bus works.
 */
#include <linux/bits.h>
#include <linux/crc-ccitt.h>
#include <linux/i2c.h>
#include <linux/regmap.h>
#include <linux/sched.h>

#include "arduipi.h"

#define ARDUIPI_TRIES		3	/* per transaction, on PEC or bus error */

static u8 arduipi_pec(u8 crc, u8 byte)
{
	return i2c_smbus_pec(crc, &byte, 1);
}

/*
 * S a|W  ae reg n  Sr a|R  d0 .. dn-1 pec [tail]  P; buf holds n + 1 +
 * tail bytes (the tail is not checked here)
 */
static int arduipi_read_frame(struct i2c_client *c, u8 reg, u8 *buf, u8 n,
			      u8 tail)
{
	u8 cmd[3] = { ARDUIPI_CMD_PEC_READ, reg, n };
	struct i2c_msg msgs[] = {
		{ .addr = c->addr, .len = sizeof(cmd), .buf = cmd },
		{ .addr = c->addr, .flags = I2C_M_RD, .len = n + 1 + tail,
		  .buf = buf },
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
		return -EPROTO;	/* the status itself is unreliable */
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
	case ARDUIPI_ERR_BUSY:		/* the ADC stream runs */
	case ARDUIPI_ERR_TRIPPED:	/* the failsafe acted, not yet taken */
		return -EBUSY;
	case ARDUIPI_ERR_LOW_SUPPLY:	/* no EEPROM write at this AVcc */
		return -ERANGE;
	default:
		return -EIO;
	}
}

static bool arduipi_retry(int ret)
{
	return ret == -EBADMSG || ret == -EPROTO || ret == -ENXIO ||
	       ret == -EREMOTEIO || ret == -EIO || ret == -EAGAIN;
}

/*
 * Write-1-to-clear (STATUS, GPIO_IRQ_STATUS) is not idempotent: a second
 * try after a first that landed would clear an edge or a trip latched in
 * between. It is tried again only when nothing can have landed: the Nano
 * said the frame came corrupted (EBADMSG), or nobody took the address
 * (ENXIO). Otherwise a bit still set is seen again: reported twice, not
 * lost. (The ADC FIFO's pop names a scan number: idempotent.)
 */
static bool arduipi_w1c(u8 reg)
{
	return reg == ARDUIPI_REG_STATUS ||
	       (reg >= ARDUIPI_REG_GPIO_IRQ_STATUS &&
		reg <= ARDUIPI_REG_GPIO_IRQ_STATUS + 2);
}

static bool arduipi_retry_write(u8 reg, int ret)
{
	if (arduipi_w1c(reg))
		return ret == -EBADMSG || ret == -ENXIO;
	return arduipi_retry(ret);
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

/*
 * What a FIFO read's PEC can miss in 240 bytes (several bits, a bit slip),
 * kernel/arduipi-regs.h: the samples' 6 always-zero bits, and the tail of
 * protocol 1.3, the CRC-16 of d0 .. pec. buf holds n + 1 + tail bytes.
 */
static int arduipi_fifo_check(const u8 *buf, u8 n, u8 tail)
{
	u8 i;

	for (i = 1; i < n; i += 2)
		if (buf[i] & ~(ARDUIPI_ADC_SAMPLE_MASK >> 8))
			return -EBADMSG;
	if (tail &&
	    crc_ccitt(0xffff, buf, n + 1) != (buf[n + 1] | buf[n + 2] << 8))
		return -EBADMSG;
	return 0;
}

/* A PEC read, retried; buf holds n + 1 + tail bytes. */
static int arduipi_read_tries(struct arduipi *ap, u8 reg, u8 *buf, u8 n,
			      u8 tail)
{
	int i, ret;

	for (i = 1; ; i++) {
		ret = arduipi_read_frame(ap->client, reg, buf, n, tail);
		if (!ret && reg == ARDUIPI_REG_ADC_FIFO)
			ret = arduipi_fifo_check(buf, n, tail);
		if (!ret)
			return 0;
		if (i == ARDUIPI_TRIES || !arduipi_retry(ret))
			return arduipi_failed(ap, "reading", reg, i, ret);
	}
}

/* A PEC read, retried; buf holds n + 1 bytes. */
int arduipi_read_block(struct arduipi *ap, u8 reg, u8 *buf, u8 n)
{
	return arduipi_read_tries(ap, reg, buf, n, 0);
}

/*
 * n bytes of the ADC FIFO (whole scans), retried; buf holds n + 1 +
 * ARDUIPI_ADC_FIFO_TAIL bytes. Firmware older than 1.3 sends no tail.
 */
int arduipi_read_fifo(struct arduipi *ap, u8 *buf, u8 n)
{
	return arduipi_read_tries(ap, ARDUIPI_REG_ADC_FIFO, buf, n,
				  ap->proto_minor >= 3 ? ARDUIPI_ADC_FIFO_TAIL : 0);
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

static int arduipi_write_regs(struct arduipi *ap, const u8 *buf, size_t count)
{
	u8 status = ARDUIPI_OK;
	int i, ret;

	for (i = 1; ; i++) {
		ret = arduipi_write_frame(ap->client, buf[0], buf + 1, count - 1,
					  &status);
		if (!ret)
			ret = arduipi_status_errno(status);
		if (i == ARDUIPI_TRIES || !arduipi_retry_write(buf[0], ret))
			break;
	}
	if (ret == -EINVAL)
		dev_err_ratelimited(ap->dev, "register 0x%02x refused the value (error %u)\n",
				    buf[0], status);
	else if (ret == -EBUSY && status == ARDUIPI_ERR_TRIPPED)
		dev_err_ratelimited(ap->dev, "register 0x%02x: the failsafe has just tripped, outputs cannot change until the driver has taken the trip (within a quarter of its timeout)\n",
				    buf[0]);
	else if (ret == -EBUSY)
		dev_err_ratelimited(ap->dev, "register 0x%02x cannot change while the ADC stream runs\n",
				    buf[0]);
	else if (ret == -ERANGE)	/* a low supply: the caller says what */
		return ret;
	else if (ret)
		return arduipi_failed(ap, "writing", buf[0], i, ret);
	return ret;
}

static int arduipi_regmap_write(void *context, const void *data, size_t count)
{
	struct arduipi *ap = context;
	int ret;

	if (READ_ONCE(ap->writer) == current && ap->undo_skip_bus) {
		ap->write_err = -ETIMEDOUT;
		return 0;
	}
	ret = arduipi_write_regs(ap, data, count);

	/*
	 * A write of arduipi_write(): the error goes to it, and regmap sees
	 * none, so that it keeps the cache as written (see the top).
	 */
	if (READ_ONCE(ap->writer) == current) {
		ap->write_err = ap->write_err ?: ret;	/* the first */
		return 0;
	}
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
	regmap_reg_range(ARDUIPI_REG_GPIO_IRQ_RISE, ARDUIPI_REG_EDGE_FIRST),
	regmap_reg_range(ARDUIPI_REG_FS_TIMEOUT, ARDUIPI_REG_ADC_WATERMARK),
	regmap_reg_range(ARDUIPI_REG_BOOT_DIR, ARDUIPI_REG_EDGE_SEQ),
	regmap_reg_range(ARDUIPI_REG_EDGE_FIFO, ARDUIPI_REG_ADC_REF),
	regmap_reg_range(ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_WDT),
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
	regmap_reg_range(ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_EDGE_SEQ),
	regmap_reg_range(ARDUIPI_REG_ADC_REF, ARDUIPI_REG_ADC_REF),
	regmap_reg_range(ARDUIPI_REG_PWM_BASE, ARDUIPI_REG_WDT),
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
	regmap_reg_range(ARDUIPI_REG_GPIO_IRQ_STATUS, ARDUIPI_REG_EDGE_FIRST),
	/* the stream is restarted by adc.c after an MCU restart */
	regmap_reg_range(ARDUIPI_REG_ADC_SCAN, ARDUIPI_REG_ADC_WATERMARK),
	regmap_reg_range(ARDUIPI_REG_FS_TRIP, ARDUIPI_REG_FS_TRIP),
	/* probe, and the poll while the Nano refuses it (failsafe.c) */
	regmap_reg_range(ARDUIPI_REG_BOOT_DIR, ARDUIPI_REG_BOOT_SAVE),
	/*
	 * the edge FIFO: the Nano's, consumed by the INT thread; EDGE_CTRL
	 * written by gpio.c alone (a change empties the FIFO)
	 */
	regmap_reg_range(ARDUIPI_REG_EDGE_CTRL, ARDUIPI_REG_EDGE_SEQ),
	regmap_reg_range(ARDUIPI_REG_EDGE_FIFO, ARDUIPI_REG_ADC_BANDGAP + 1),
	/* the watchdog core runs it; a write is a ping */
	regmap_reg_range(ARDUIPI_REG_WDT, ARDUIPI_REG_WDT),
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

struct regmap *arduipi_regmap_init(struct arduipi *ap)
{
	return devm_regmap_init(ap->dev, &arduipi_regmap_bus, ap,
				&arduipi_regmap_config);
}

/* ---- writes that fail without changing what the kernel reports ----------- */

/* The Nano read the frame and refused it: it changed nothing. */
static bool arduipi_refused(int ret)
{
	return ret == -EINVAL || ret == -EBUSY;
}

/* One bulk write with cfg_lock held; its bus error from the bus callback. */
static int arduipi_write_cached(struct arduipi *ap, unsigned int reg,
				const u8 *val, size_t n)
{
	int ret;

	ap->write_err = 0;
	WRITE_ONCE(ap->writer, current);
	ret = regmap_bulk_write(ap->regmap, reg, val, n);
	WRITE_ONCE(ap->writer, NULL);
	return ret ?: ap->write_err;
}

/* With cfg_lock held; old holds the cached values of the n registers. */
static int arduipi_write_locked(struct arduipi *ap, unsigned int reg,
				const u8 *val, const u8 *old, size_t n)
{
	int ret, undo;

	ret = arduipi_write_cached(ap, reg, val, n);
	if (!ret)
		return 0;
	/*
	 * The cache gets old back in any case, the Nano if the bus lets it:
	 * not after a timeout (the bus is stuck: the undo would only wait as
	 * long again). A write the Nano refused changed nothing there.
	 */
	ap->undo_skip_bus = ret == -ETIMEDOUT;
	undo = arduipi_write_cached(ap, reg, old, n);
	ap->undo_skip_bus = false;
	if (undo && !arduipi_refused(ret)) {
		WRITE_ONCE(ap->behind, true);
		dev_warn_ratelimited(ap->dev,
				     "registers 0x%02x-0x%02zx may hold values the kernel does not report: written back once the bus works\n",
				     reg, reg + n - 1);
	}
	return ret;
}

/*
 * Write n cached registers in one frame. On an error nothing the kernel
 * reports has changed: the caller gets the error, the cache the old values.
 */
int arduipi_write(struct arduipi *ap, unsigned int reg, const void *val,
		  size_t n)
{
	u8 old[ARDUIPI_PEC_MAX_LEN];
	int ret;

	if (WARN_ON(n > sizeof(old)))
		return -EINVAL;
	mutex_lock(&ap->cfg_lock);
	ret = regmap_bulk_read(ap->regmap, reg, old, n);
	if (!ret)
		ret = arduipi_write_locked(ap, reg, val, old, n);
	mutex_unlock(&ap->cfg_lock);
	return ret;
}

/* regmap_update_bits() of one cached register, as arduipi_write(). */
int arduipi_update_bits(struct arduipi *ap, unsigned int reg, u8 mask, u8 val)
{
	unsigned int cur;
	u8 old, new;
	int ret;

	mutex_lock(&ap->cfg_lock);
	ret = regmap_read(ap->regmap, reg, &cur);
	if (!ret) {
		old = cur;
		new = (old & ~mask) | (val & mask);
		if (new != old)
			ret = arduipi_write_locked(ap, reg, &new, &old, 1);
	}
	mutex_unlock(&ap->cfg_lock);
	return ret;
}

/*
 * Cached registers the Nano changed on its own (a failsafe trip): the
 * cache takes what the Nano holds now, first..last, in one read.
 */
int arduipi_reread(struct arduipi *ap, unsigned int first, unsigned int last)
{
	u8 buf[ARDUIPI_PEC_MAX_LEN];
	int ret;

	if (WARN_ON(last < first || last - first >= sizeof(buf)))
		return -EINVAL;
	mutex_lock(&ap->cfg_lock);
	ret = regcache_drop_region(ap->regmap, first, last);
	if (!ret)
		ret = regmap_bulk_read(ap->regmap, first, buf, last - first + 1);
	mutex_unlock(&ap->cfg_lock);
	return ret;
}
