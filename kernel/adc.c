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
 * Limitations: the bandgap is 1.0..1.2 V (datasheet), so the internal
 * reference and the AVcc measurement are only as exact as the chip's own
 * bandgap; the temperature sensor is typically off by up to 10 °C
 * unless calibrated with arduipi,temp-offset-millicelsius.
 */
#include <linux/iio/iio.h>
#include <linux/math64.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/regulator/consumer.h>

#include "arduipi.h"

#define ARDUIPI_ADC_TEMP	8	/* io-channels cell of the sensor */
#define ARDUIPI_ADC_SUPPLY	9	/* ... of AVcc */
#define ARDUIPI_BANDGAP_MV	1100
/* Datasheet: 314 mV at 25 °C, 1 mV/°C: T = V - 289 °C. */
#define ARDUIPI_TEMP_ZERO_MC	289000

static const char *const arduipi_adc_labels[] = {
	"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "temp", "AVcc",
};

#define ARDUIPI_ADC_CHAN(n) {						\
	.type = IIO_VOLTAGE,						\
	.indexed = 1,							\
	.channel = (n),							\
	.info_mask_separate = BIT(IIO_CHAN_INFO_RAW),			\
	.info_mask_shared_by_type = BIT(IIO_CHAN_INFO_SCALE),		\
}

static const struct iio_chan_spec arduipi_adc_channels[] = {
	ARDUIPI_ADC_CHAN(0),
	ARDUIPI_ADC_CHAN(1),
	ARDUIPI_ADC_CHAN(2),
	ARDUIPI_ADC_CHAN(3),
	ARDUIPI_ADC_CHAN(6),
	ARDUIPI_ADC_CHAN(7),
	{
		.type = IIO_TEMP,
		.channel = ARDUIPI_ADC_TEMP,
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |
			BIT(IIO_CHAN_INFO_OFFSET) | BIT(IIO_CHAN_INFO_SCALE),
	},
	{
		.type = IIO_VOLTAGE,
		.indexed = 1,
		.channel = ARDUIPI_ADC_SUPPLY,
		.info_mask_separate = BIT(IIO_CHAN_INFO_PROCESSED),
	},
};

struct arduipi_adc {
	struct arduipi *ap;
	int vref_mv;		/* 0: AVcc as measured by the firmware */
	int temp_offset;	/* IIO offset, micro-LSB */
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
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_RAW:
		if (chan->type == IIO_TEMP)
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_TEMP, val);
		else
			ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_RESULT +
						 2 * chan->channel, val);
		return ret ? ret : IIO_VAL_INT;
	case IIO_CHAN_INFO_PROCESSED:
		ret = arduipi_adc_read16(ap, ARDUIPI_REG_ADC_AVCC_MV, val);
		return ret ? ret : IIO_VAL_INT;
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

static const struct iio_info arduipi_adc_info = {
	.read_raw = arduipi_adc_read_raw,
	.read_label = arduipi_adc_read_label,
	.fwnode_xlate = arduipi_adc_fwnode_xlate,
};

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

static int arduipi_adc_vref(struct arduipi_adc *adc)
{
	struct device *dev = adc->ap->dev;
	int uv;

	if (device_property_read_bool(dev, "arduipi,internal-vref")) {
		adc->vref_mv = ARDUIPI_BANDGAP_MV;
		return regmap_write(adc->ap->regmap, ARDUIPI_REG_ADC_REF,
				    ARDUIPI_ADC_REF_1V1);
	}
	uv = arduipi_vref_uv(dev);
	if (uv == -ENODEV)
		uv = 0;		/* no vref-supply: use the measured AVcc */
	if (uv < 0)
		return dev_err_probe(dev, uv, "cannot read the vref-supply voltage\n");
	adc->vref_mv = uv / 1000;
	return regmap_write(adc->ap->regmap, ARDUIPI_REG_ADC_REF,
			    ARDUIPI_ADC_REF_AVCC);
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
	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the IIO device\n");
	return 0;
}
