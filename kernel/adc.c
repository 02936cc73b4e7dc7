// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi ADC: the ATmega328P's 10-bit ADC as an IIO device.
 *
 * Channels (the io-channels cell is the number in brackets):
 *   in_voltageN_raw      A0..A3, A6, A7 [N]; A4/A5 are the I2C bus
 *   in_voltage_scale     mV per LSB: the reference / 1024
 *   in_temp_raw          the on-chip temperature sensor [8], with
 *   in_temp_offset/scale   T (m°C) = (raw + offset) * scale
 *   in_voltage9_input    AVcc in mV [9], measured against the 1.1 V bandgap
 * Every channel has a label (A0 .. A7, temp, AVcc).
 *
 * The firmware converts every input in turn, about once a millisecond, and
 * keeps the latest results in registers: a raw read is one bus
 * transaction and returns a result at most about 1 ms old. Temperature and
 * AVcc need the other reference and are measured every 500 ms.
 *
 * Reference for A0..A7, from the device tree:
 *   arduipi,internal-vref  the internal 1.1 V bandgap (small signals);
 *   vref-supply            AVcc, with the regulator's voltage as scale;
 *   neither                AVcc, with the firmware's measurement of it as
 *                          scale, so readings stay in real millivolts when
 *                          a USB supply sags.
 *
 * Buffered capture (kfifo, no trigger: the device has its own clock). The
 * firmware converts the scanned inputs one after another, a conversion
 * every 104 us (F_CONV = 9615.38 Hz), a scan every sampling period; whole
 * scans go into a 512-byte FIFO and the INT line is pulled once a
 * watermark of scans (about 20 ms worth) is stored. The interrupt thread
 * reads the FIFO state together with the GPIO edges, then per burst of up
 * to 240 bytes one PEC read and one write that consumes what was read. A
 * burst read ends with a CRC-16, and the samples' always-zero bits are
 * checked too (bus.c): a read that fails is read again.
 * Timestamps come from the scan numbers, on the host's clock: scan k of a
 * capture is on a line through the host times at which the FIFO state was
 * read, with the period the Nano's clock really has (adc-clock.c).
 * A full FIFO drops whole scans and counts them; the driver sees the jump
 * in scan numbers, logs it, keeps the timestamps right and adds it to
 * lost_scans. An MCU restart during capture restarts the stream and logs
 * what happened.
 *
 * sampling_frequency: F_CONV / n for n = 1 .. 65535 (9615.38 Hz down to
 * 0.15 Hz); other values round to the nearest. A scan of k inputs needs
 * n >= k: at most F_CONV / k.
 *
 * Limitations: the bandgap is 1.0..1.2 V (datasheet), so the internal
 * reference and the AVcc measurement are only as exact as the chip's own
 * bandgap; the temperature sensor is typically off by up to 10 °C
 * unless calibrated with arduipi,temp-offset-millicelsius.
 */
#include <linux/i2c.h>
#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/regulator/consumer.h>

#include "adc-clock.h"
#include "arduipi.h"
#include "compat.h"

#define ARDUIPI_ADC_TEMP	8	/* io-channels cell of the sensor */
#define ARDUIPI_ADC_SUPPLY	9	/* ... of AVcc */
#define ARDUIPI_BANDGAP_MV	1100
/* Datasheet: 314 mV at 25 °C, 1 mV/°C: T = V - 289 °C. */
#define ARDUIPI_TEMP_ZERO_MC	289000
#define ARDUIPI_F_CONV_UHZ	(1000000000000000ULL / ARDUIPI_ADC_CONV_NS)
#define ARDUIPI_ADC_NSCAN	6	/* A0..A3, A6, A7 */

static const char *const arduipi_adc_labels[] = {
	"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "temp", "AVcc",
};

#define ARDUIPI_ADC_CHAN(n, si) {					\
	.type = IIO_VOLTAGE,						\
	.indexed = 1,							\
	.channel = (n),							\
	.info_mask_separate = BIT(IIO_CHAN_INFO_RAW),			\
	.info_mask_shared_by_type = BIT(IIO_CHAN_INFO_SCALE),		\
	.info_mask_shared_by_all = BIT(IIO_CHAN_INFO_SAMP_FREQ),	\
	.info_mask_shared_by_all_available = BIT(IIO_CHAN_INFO_SAMP_FREQ), \
	.scan_index = (si),						\
	.scan_type = {							\
		.sign = 'u',						\
		.realbits = 10,						\
		.storagebits = 16,					\
		.endianness = IIO_LE,					\
	},								\
}

static const struct iio_chan_spec arduipi_adc_channels[] = {
	ARDUIPI_ADC_CHAN(0, 0),
	ARDUIPI_ADC_CHAN(1, 1),
	ARDUIPI_ADC_CHAN(2, 2),
	ARDUIPI_ADC_CHAN(3, 3),
	ARDUIPI_ADC_CHAN(6, 4),
	ARDUIPI_ADC_CHAN(7, 5),
	{
		.type = IIO_TEMP,
		.channel = ARDUIPI_ADC_TEMP,
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |
			BIT(IIO_CHAN_INFO_OFFSET) | BIT(IIO_CHAN_INFO_SCALE),
		.scan_index = -1,
	},
	{
		.type = IIO_VOLTAGE,
		.indexed = 1,
		.channel = ARDUIPI_ADC_SUPPLY,
		.info_mask_separate = BIT(IIO_CHAN_INFO_PROCESSED),
		.scan_index = -1,
	},
	IIO_CHAN_SOFT_TIMESTAMP(ARDUIPI_ADC_NSCAN),
};

/*
 * F_CONV / n for n = 65535 .. 1 as an IIO range, IIO_VAL_INT_PLUS_MICRO
 * pairs: [min step max]. The steps between F_CONV / n are not even, and
 * writes take any value in the range to the nearest F_CONV / n: the step
 * is the attribute's resolution.
 */
static const int arduipi_adc_freq_avail[] = {
	0, 146721,	/* F_CONV / 65535 */
	0, 1,
	9615, 384615,	/* F_CONV / 1 */
};

/* One scan as pushed: the enabled inputs, packed, then the timestamp. */
struct arduipi_adc_scan {
	__le16 data[ARDUIPI_ADC_NSCAN];

	/* where iio_push_to_buffers_with_timestamp() puts it, at most */
	s64 timestamp __aligned(8);
};

struct arduipi_adc {
	struct arduipi *ap;
	struct iio_dev *indio_dev;
	int vref_mv;		/* 0: AVcc as measured by the firmware */
	int temp_offset;	/* IIO offset, micro-LSB */
	/*
	 * Guards the capture state below: buffer enable and disable, the
	 * interrupt thread draining the FIFO, restart recovery and
	 * sampling_frequency.
	 */
	struct mutex lock;
	u16 div;		/* conversions per scan */
	bool running;
	unsigned int gen;	/* captures started: the INT thread's FIFO state is of this one */
	u8 scan;		/* inputs in the capture, bit n = An */
	u8 scan_bytes;
	u16 seq;		/* next scan number the FIFO will show */
	u64 scans;		/* scans since the start, the lost ones included */
	struct arduipi_clock clock;
	u64 lost;
	u8 buf[ARDUIPI_ADC_FIFO_READ_MAX + 1 + ARDUIPI_ADC_FIFO_TAIL];
	struct arduipi_adc_scan out;
};

static int arduipi_adc_read16(struct arduipi *ap, unsigned int reg, int *val)
{
	__le16 v;
	int ret;

	/* One bulk read: the low byte latches the high byte. */
	ret = regmap_bulk_read(ap->regmap, reg, &v, sizeof(v));
	if (ret)
		return ret;
	*val = le16_to_cpu(v);
	return 0;
}

static int arduipi_adc_read_raw(struct iio_dev *indio_dev,
				struct iio_chan_spec const *chan,
				int *val, int *val2, long mask)
{
	struct arduipi_adc *adc = iio_priv(indio_dev);
	struct arduipi *ap = adc->ap;
	u64 uhz;
	u32 rem;
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_RAW:
	case IIO_CHAN_INFO_PROCESSED:
		/* The firmware only converts the captured inputs meanwhile. */
		if (!iio_device_claim_direct(indio_dev))
			return -EBUSY;
		if (chan->type == IIO_TEMP)
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_TEMP, val);
		else if (chan->channel == ARDUIPI_ADC_SUPPLY)
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_AVCC_MV, val);
		else
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_RESULT +
						 2 * chan->channel, val);
		iio_device_release_direct(indio_dev);
		return ret ? ret : IIO_VAL_INT;
	case IIO_CHAN_INFO_SAMP_FREQ:
		mutex_lock(&adc->lock);
		uhz = div_u64(ARDUIPI_F_CONV_UHZ, adc->div);
		mutex_unlock(&adc->lock);
		*val = div_u64_rem(uhz, 1000000, &rem);
		*val2 = rem;
		return IIO_VAL_INT_PLUS_MICRO;
	case IIO_CHAN_INFO_SCALE:
		if (chan->type == IIO_TEMP) {
			*val = ARDUIPI_BANDGAP_MV * 1000;
			*val2 = 1024;
			return IIO_VAL_FRACTIONAL;
		}
		*val = adc->vref_mv;
		if (!*val) {
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_AVCC_MV, val);
			if (ret)
				return ret;
		}
		*val2 = 10;
		return IIO_VAL_FRACTIONAL_LOG2;
	case IIO_CHAN_INFO_OFFSET:
		*val = div_s64_rem(adc->temp_offset, 1000000, val2);
		return IIO_VAL_INT_PLUS_MICRO;
	default:
		return -EINVAL;
	}
}

static int arduipi_adc_read_avail(struct iio_dev *indio_dev,
				  struct iio_chan_spec const *chan,
				  const int **vals, int *type, int *length,
				  long mask)
{
	if (mask != IIO_CHAN_INFO_SAMP_FREQ)
		return -EINVAL;
	*vals = arduipi_adc_freq_avail;
	*type = IIO_VAL_INT_PLUS_MICRO;
	*length = ARRAY_SIZE(arduipi_adc_freq_avail);
	return IIO_AVAIL_RANGE;
}

static int arduipi_adc_write_raw(struct iio_dev *indio_dev,
				 struct iio_chan_spec const *chan,
				 int val, int val2, long mask)
{
	struct arduipi_adc *adc = iio_priv(indio_dev);
	u64 uhz, div;

	if (mask != IIO_CHAN_INFO_SAMP_FREQ)
		return -EINVAL;
	if (val < 0 || val2 < 0)
		return -EINVAL;
	uhz = (u64)val * 1000000 + val2;
	div = uhz ? DIV64_U64_ROUND_CLOSEST(ARDUIPI_F_CONV_UHZ, uhz) : 0;
	if (!div || div > U16_MAX || uhz > ARDUIPI_F_CONV_UHZ + 1000) {
		dev_err(adc->ap->dev, "sampling_frequency %d.%06d Hz: the ADC does 0.15 to 9615.38 Hz\n",
			val, val2);
		return -EINVAL;
	}
	if (!iio_device_claim_direct(indio_dev))
		return -EBUSY;
	mutex_lock(&adc->lock);
	adc->div = div;
	mutex_unlock(&adc->lock);
	iio_device_release_direct(indio_dev);
	return 0;
}

static int arduipi_adc_read_label(struct iio_dev *indio_dev,
				  struct iio_chan_spec const *chan, char *label)
{
	return sysfs_emit(label, "%s\n", arduipi_adc_labels[chan->channel]);
}

/* io-channels = <&nano N>: N is the Arduino analog input, 8 temp, 9 AVcc. */
static int arduipi_adc_fwnode_xlate(struct iio_dev *indio_dev,
				    const struct fwnode_reference_args *spec)
{
	unsigned int i;

	for (i = 0; i < indio_dev->num_channels; i++)
		if (spec->nargs && indio_dev->channels[i].channel == spec->args[0])
			return i;
	return -EINVAL;
}

static ssize_t lost_scans_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct arduipi_adc *adc = iio_priv(dev_to_iio_dev(dev));
	u64 lost;

	mutex_lock(&adc->lock);
	lost = adc->lost;
	mutex_unlock(&adc->lock);
	return sysfs_emit(buf, "%llu\n", lost);
}
static IIO_DEVICE_ATTR_RO(lost_scans, 0);

static struct attribute *arduipi_adc_attrs[] = {
	&iio_dev_attr_lost_scans.dev_attr.attr,
	NULL
};

static const struct attribute_group arduipi_adc_group = {
	.attrs = arduipi_adc_attrs,
};

static const struct iio_info arduipi_adc_info = {
	.read_raw = arduipi_adc_read_raw,
	.read_avail = arduipi_adc_read_avail,
	.write_raw = arduipi_adc_write_raw,
	.read_label = arduipi_adc_read_label,
	.fwnode_xlate = arduipi_adc_fwnode_xlate,
	.attrs = &arduipi_adc_group,
};

/* ---- buffered capture ----------------------------------------------------- */

/* Start the firmware's stream of adc->scan; adc->lock held. */
static int arduipi_adc_start(struct arduipi_adc *adc)
{
	struct arduipi *ap = adc->ap;
	unsigned int nch = hweight8(adc->scan), cap, burst;
	u8 cfg[5];	/* SCAN, DIV (LE), STREAM, WATERMARK */
	int ret;

	adc->scan_bytes = 2 * nch;
	burst = ARDUIPI_ADC_FIFO_READ_MAX / adc->scan_bytes;
	cap = min(255U, ARDUIPI_ADC_FIFO_BYTES / adc->scan_bytes);
	cfg[0] = adc->scan;
	cfg[1] = adc->div & 0xff;
	cfg[2] = adc->div >> 8;
	cfg[3] = 1;
	/* INT after about 20 ms of scans, at most a burst or half the FIFO */
	cfg[4] = clamp(9615U / 50 / adc->div, 1U, min(cap / 2, burst));
	ret = regmap_write(ap->regmap, ARDUIPI_REG_ADC_STREAM, 0);
	if (!ret)
		ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_ADC_SCAN, cfg,
					sizeof(cfg));
	if (ret)
		return ret;
	/*
	 * The first conversion starts once the one in flight is done; a
	 * scan's timestamp is the middle of its first conversion, and it is
	 * stored after its last.
	 */
	arduipi_clock_start(&adc->clock, iio_get_time_ns(adc->indio_dev) +
			    ARDUIPI_ADC_CONV_NS / 2,
			    (u64)adc->div * ARDUIPI_ADC_CONV_NS,
			    (nch - 1) * ARDUIPI_ADC_CONV_NS + ARDUIPI_ADC_CONV_NS / 2,
			    cfg[4], cap);
	adc->seq = 0;
	adc->scans = 0;
	adc->running = true;
	/* Last: FIFO state read before this is of the stream before. */
	WRITE_ONCE(adc->gen, adc->gen + 1);
	return 0;
}

static int arduipi_adc_postenable(struct iio_dev *indio_dev)
{
	struct arduipi_adc *adc = iio_priv(indio_dev);
	struct device *dev = adc->ap->dev;
	unsigned int i, nch;
	int ret;

	mutex_lock(&adc->lock);
	adc->scan = 0;
	for (i = 0; i < ARDUIPI_ADC_NSCAN; i++)
		if (test_bit(i, indio_dev->active_scan_mask))
			adc->scan |= BIT(arduipi_adc_channels[i].channel);
	nch = hweight8(adc->scan);
	if (adc->div < nch) {
		dev_err(dev, "%u inputs take %u conversions per scan: sampling_frequency %llu Hz at most\n",
			nch, nch, div_u64(ARDUIPI_F_CONV_UHZ, nch * 1000000));
		ret = -EINVAL;
	} else {
		ret = arduipi_adc_start(adc);
	}
	mutex_unlock(&adc->lock);
	return ret;
}

/* The firmware's stream and its INT off: STREAM and WATERMARK 0. */
static int arduipi_adc_halt(struct arduipi *ap)
{
	u8 off[2] = { 0, 0 };

	return regmap_bulk_write(ap->regmap, ARDUIPI_REG_ADC_STREAM, off,
				 sizeof(off));
}

/* The end of a capture: buffer disabled, or the Pi shutting down. */
static int arduipi_adc_end(struct arduipi_adc *adc)
{
	int ret;

	mutex_lock(&adc->lock);
	adc->running = false;
	ret = arduipi_adc_halt(adc->ap);
	mutex_unlock(&adc->lock);
	return ret;
}

static int arduipi_adc_predisable(struct iio_dev *indio_dev)
{
	return arduipi_adc_end(iio_priv(indio_dev));
}

/* At shutdown: a capture must not outlive the Pi (core.c). */
void arduipi_adc_stop(struct arduipi *ap)
{
	if (ap->adc)
		arduipi_adc_end(ap->adc);
}

static const struct iio_buffer_setup_ops arduipi_adc_buffer_ops = {
	.postenable = arduipi_adc_postenable,
	.predisable = arduipi_adc_predisable,
};

/* Consume the FIFO's scans before number seq; adc->lock held. */
static int arduipi_adc_pop(struct arduipi_adc *adc, u16 seq)
{
	__le16 v = cpu_to_le16(seq);

	return regmap_bulk_write(adc->ap->regmap, ARDUIPI_REG_ADC_FIFO_SEQ, &v,
				 sizeof(v));
}

/*
 * For the INT thread, before it reads the FIFO state (arduipi_adc_drain):
 * the capture's number, and the host time in now.
 */
unsigned int arduipi_adc_gen(struct arduipi *ap, s64 *now)
{
	unsigned int gen;

	if (!ap->adc) {
		*now = 0;
		return 0;
	}
	/* the number first: a time taken before it may be another clock's */
	gen = READ_ONCE(ap->adc->gen);
	*now = iio_get_time_ns(ap->adc->indio_dev);
	return gen;
}

/*
 * The scan numbers are 16 bits: a jump forward of jump is that plus whole
 * wraps of 65536. The host's clock tells how many: a full FIFO drops scans
 * until it is emptied, and the scans stored after that are the newest, so
 * the scans lost are about the periods since scan adc->scans' timestamp
 * less the count. None while the FIFO shows the next scan (jump 0: it may
 * still be dropping) or is full (it holds the oldest); back (scans pushed,
 * not popped) at most a FIFO. adc->lock held.
 */
static s64 arduipi_adc_ahead(struct arduipi_adc *adc, u16 jump,
			     unsigned int count, s64 now)
{
	s64 est;

	if (jump > U16_MAX - adc->clock.cap)
		return jump - 0x10000;
	if (!jump || count >= adc->clock.cap)
		return jump;
	est = arduipi_clock_periods(&adc->clock, adc->scans, now) - count;
	if (est - jump <= 0x8000)
		return jump;
	return jump + div_s64(est - jump + 0x8000, 0x10000) * 0x10000;
}

/*
 * From the INT thread: count scans stored, seq the oldest one's number,
 * as read after arduipi_adc_gen() gave gen and the host time before.
 * Scans are pushed, then popped; a pop that failed (or landed unseen)
 * leaves scans already pushed at the FIFO's head: they are popped again,
 * not pushed twice. A jump forward is the firmware's overflow.
 */
bool arduipi_adc_drain(struct arduipi *ap, unsigned int count, u16 seq,
		       unsigned int gen, s64 before)
{
	struct arduipi_adc *adc = ap->adc;
	unsigned int n, i, per, full = 0, stored = count, left = UINT_MAX;
	s64 after;
	bool first;
	s64 ahead, newest;	/* relative to scan adc->scans */

	if (!adc || !count)
		return false;
	after = iio_get_time_ns(adc->indio_dev);
	mutex_lock(&adc->lock);
	if (!adc->running) {
		/* Not ours (a stream left running): stop it, empty the FIFO. */
		if (!arduipi_adc_halt(ap))
			arduipi_adc_pop(adc, seq + count);
		goto out;
	}
	if (gen != adc->gen)	/* a capture started meanwhile: INT again */
		goto out;
	ahead = arduipi_adc_ahead(adc, seq - adc->seq, count, before);
	newest = ahead + count - 1;
	if (ahead < 0) {
		n = min_t(unsigned int, -ahead, count);
		if (arduipi_adc_pop(adc, seq + n))
			goto drained;
		count -= n;
		seq += n;
	} else if (ahead > 0) {
		adc->lost += ahead;
		adc->scans += ahead;
		adc->seq = seq;
		dev_warn_ratelimited(ap->dev, "ADC FIFO overflow: %lld scans lost (%llu in all): read faster or lower sampling_frequency\n",
				     ahead, adc->lost);
		newest -= ahead;
	}
	if (newest >= 0 || adc->scans >= (u64)-newest)
		arduipi_clock_sighting(&adc->clock, adc->scans,
				       adc->scans + newest, stored, before, after);

	/*
	 * Whole bursts; what is left waits for the next INT, unless it is
	 * all there is (the watermark is at most a burst).
	 */
	per = ARDUIPI_ADC_FIFO_READ_MAX / adc->scan_bytes;
	for (first = true; count; first = false) {
		n = min(count, per);
		if (n < per && !first)
			break;
		if (arduipi_read_fifo(ap, adc->buf, n * adc->scan_bytes))
			goto drained;
		for (i = 0; i < n; i++) {
			memcpy(adc->out.data, adc->buf + i * adc->scan_bytes,
			       adc->scan_bytes);
			if (iio_push_to_buffers_with_timestamp(adc->indio_dev, &adc->out,
							       arduipi_clock_ts(&adc->clock,
										adc->scans)))
				full++;
			adc->scans++;
		}
		adc->seq += n;
		if (arduipi_adc_pop(adc, adc->seq))
			goto drained;
		count -= n;
	}
	left = count;
drained:
	arduipi_clock_drained(&adc->clock, left);
	if (full) {
		adc->lost += full;
		dev_warn_ratelimited(ap->dev, "IIO buffer full: %u scans dropped (%llu lost in all): the reader is too slow\n",
				     full, adc->lost);
	}
out:
	mutex_unlock(&adc->lock);
	return true;
}

/* After the core restored the registers: a capture starts over. */
void arduipi_adc_restarted(struct arduipi *ap)
{
	struct arduipi_adc *adc = ap->adc;
	int ret;

	if (!adc)
		return;
	mutex_lock(&adc->lock);
	if (adc->running) {
		ret = arduipi_adc_start(adc);
		if (ret)
			adc->running = false;
		dev_err(ap->dev, "MCU restarted during capture: the scans since scan %llu are lost, %s\n",
			adc->scans, ret ? "capture stopped" : "capture restarted");
	}
	mutex_unlock(&adc->lock);
}

#ifdef ARDUIPI_HAVE_REGULATOR_READ_VOLTAGE
static int arduipi_vref_uv(struct device *dev)
{
	return devm_regulator_get_enable_read_voltage(dev, "vref");
}
#else
static void arduipi_vref_disable(void *reg)
{
	regulator_disable(reg);
}

/* What devm_regulator_get_enable_read_voltage() does in later kernels. */
static int arduipi_vref_uv(struct device *dev)
{
	struct regulator *reg = devm_regulator_get_optional(dev, "vref");
	int ret;

	if (IS_ERR(reg))
		return PTR_ERR(reg);
	ret = regulator_enable(reg);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, arduipi_vref_disable, reg);
	if (ret)
		return ret;
	return regulator_get_voltage(reg);
}
#endif

static int arduipi_adc_ref(struct arduipi *ap, u8 ref)
{
	return arduipi_write(ap, ARDUIPI_REG_ADC_REF, &ref, 1);
}

static int arduipi_adc_vref(struct arduipi_adc *adc)
{
	struct device *dev = adc->ap->dev;
	int uv;

	if (device_property_read_bool(dev, "arduipi,internal-vref")) {
		adc->vref_mv = ARDUIPI_BANDGAP_MV;
		return arduipi_adc_ref(adc->ap, ARDUIPI_ADC_REF_1V1);
	}
	uv = arduipi_vref_uv(dev);
	if (uv == -ENODEV)
		uv = 0;		/* no vref-supply: use the measured AVcc */
	if (uv < 0)
		return dev_err_probe(dev, uv, "cannot read the vref-supply voltage\n");
	adc->vref_mv = uv / 1000;
	return arduipi_adc_ref(adc->ap, ARDUIPI_ADC_REF_AVCC);
}

int arduipi_adc_probe(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	struct iio_dev *indio_dev;
	struct arduipi_adc *adc;
	u32 cal = 0;
	int ret;

	if (!(ap->caps & ARDUIPI_CAP_ADC))
		return 0;
	indio_dev = devm_iio_device_alloc(dev, sizeof(*adc));
	if (!indio_dev)
		return -ENOMEM;
	adc = iio_priv(indio_dev);
	adc->ap = ap;
	adc->indio_dev = indio_dev;
	adc->div = 10;		/* 961.5 Hz */
	ret = devm_mutex_init(dev, &adc->lock);
	if (ret)
		return ret;

	/*
	 * A capture can outlive its host (a Pi that crashed or was reset
	 * while capturing): stop it, so that the reference can be set and
	 * INT stays quiet.
	 */
	ret = arduipi_adc_halt(ap);
	if (ret)
		return dev_err_probe(dev, ret, "cannot stop the ADC stream\n");
	ret = arduipi_adc_vref(adc);
	if (ret)
		return dev_err_probe(dev, ret, "cannot select the ADC reference\n");
	/* T = (raw + offset) * scale, offset in LSB: (cal - 289 °C) / scale */
	device_property_read_u32(dev, "arduipi,temp-offset-millicelsius", &cal);
	adc->temp_offset = div_s64(((s64)(s32)cal - ARDUIPI_TEMP_ZERO_MC) * 1024 * 1000000,
				   ARDUIPI_BANDGAP_MV * 1000);

	indio_dev->name = "arduipi";
	indio_dev->info = &arduipi_adc_info;
	indio_dev->modes = INDIO_DIRECT_MODE;
	indio_dev->channels = arduipi_adc_channels;
	indio_dev->num_channels = ARRAY_SIZE(arduipi_adc_channels);
	/* Capture needs INT: without it, no buffer (noints: raw reads only). */
	if (ap->client->irq > 0) {
		ret = devm_iio_kfifo_buffer_setup(dev, indio_dev, &arduipi_adc_buffer_ops);
		if (ret)
			return ret;
	}
	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the IIO device\n");
	ap->adc = adc;
	return 0;
}
