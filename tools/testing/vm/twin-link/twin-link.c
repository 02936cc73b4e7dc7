// SPDX-License-Identifier: GPL-2.0-only
/*
 * twin-link: the digital twin's I2C bus and GPIO controller (test only).
 *
 * In the twin, a UART of the QEMU guest carries a line protocol to
 * "twinbus" on the host, which runs one simulated Nano (nanosim, the real
 * firmware) per I2C address. This driver binds to a serdev child of that
 * UART and registers what a Raspberry Pi gives the ArduiPi driver:
 *
 *  - an i2c_adapter (child node "i2c", labelled i2c1/i2c_arm in the test
 *    DT) whose transfers, combined write-then-read messages included, are
 *    forwarded to the simulated bus;
 *  - a 54-line GPIO and interrupt controller (child node "gpio", labelled
 *    gpio) whose input levels are driven by the simulated Nanos' INT pins,
 *    with edge and level interrupts;
 *  - a minimal pin controller on the same node that accepts the Pi's
 *    brcm,pins/brcm,function/brcm,pull pin configuration nodes and keeps the
 *    pulls, so an unchanged Raspberry Pi overlay probes as on a Pi.
 *
 * Link protocol, one line per message, hex bytes:
 *   guest -> host:  hello | clock HZ | x SEQ ADDR {wHEX|rN}... | o LINE 0|1
 *                   | p LINE up|down|off
 *   host -> guest:  x SEQ ok [HEX|-]... | x SEQ nack addr M
 *                   | x SEQ nack data M B | x SEQ timeout | x SEQ buserr
 *                   | x SEQ err TEXT | g LINE 0|1
 *
 * Never built for or installed on a Pi.
 */
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/devm-helpers.h>
#include <linux/gpio/driver.h>
#ifdef TWIN_HAVE_HEX_H
#include <linux/hex.h>
#endif
#include <linux/i2c.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/pinctrl/machine.h>
#include <linux/pinctrl/pinconf.h>
#include <linux/pinctrl/pinconf-generic.h>
#include <linux/pinctrl/pinctrl.h>
#include <linux/serdev.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define TWIN_NGPIO	54
#define TWIN_MAX_MSGS	16
#define TWIN_MAX_LEN	256
#define TWIN_LINE_MAX	(16 + TWIN_MAX_MSGS * (2 * TWIN_MAX_LEN + 8))

struct twin {
	struct device *dev;
	struct serdev_device *serdev;
	struct i2c_adapter adap;
	struct gpio_chip gc;
	struct pinctrl_desc pctl_desc;
	struct pinctrl_pin_desc pins[TWIN_NGPIO];

	/* Guards the transfer in flight: seq, msgs, num, result. */
	struct mutex xfer_lock;
	struct completion done;
	u32 seq;
	struct i2c_msg *msgs;
	int num;
	int result;
	char *tx;

	/* The receive path owns the line buffer (serdev calls are serial). */
	char rx[TWIN_LINE_MAX];
	size_t rx_len;

	/* Guards the GPIO and interrupt state below. */
	raw_spinlock_t lock;
	DECLARE_BITMAP(level, TWIN_NGPIO);
	DECLARE_BITMAP(out, TWIN_NGPIO);
	DECLARE_BITMAP(unmasked, TWIN_NGPIO);
	u8 type[TWIN_NGPIO];
	struct work_struct level_work;
};

static int twin_send(struct twin *t, const char *line)
{
	size_t len = strlen(line);
	int ret;

	ret = serdev_device_write(t->serdev, line, len, HZ);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

/* ---- I2C ---------------------------------------------------------------- */

static int twin_parse_result(struct twin *t, char *s)
{
	unsigned int m, b;
	int i;
	char *tok;

	if (!strncmp(s, "ok", 2)) {
		s += 2;
		for (i = 0; i < t->num; i++) {
			struct i2c_msg *msg = &t->msgs[i];

			if (!(msg->flags & I2C_M_RD))
				continue;
			tok = strsep(&s, " ");
			while (tok && !*tok)
				tok = strsep(&s, " ");
			if (!tok)
				return -EPROTO;
			if (msg->len == 0 && !strcmp(tok, "-"))
				continue;
			if (strlen(tok) != 2 * msg->len ||
			    hex2bin(msg->buf, tok, msg->len))
				return -EPROTO;
		}
		return t->num;
	}
	if (sscanf(s, "nack addr %u", &m) == 1)
		return -ENXIO;
	if (sscanf(s, "nack data %u %u", &m, &b) == 2)
		return -EREMOTEIO;
	if (!strcmp(s, "timeout"))
		return -ETIMEDOUT;
	if (!strcmp(s, "buserr"))
		return -EIO;
	dev_err_ratelimited(t->dev, "host refused a transfer: %s\n", s);
	return -EIO;
}

static int twin_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct twin *t = i2c_get_adapdata(adap);
	char *p;
	int i, ret;

	mutex_lock(&t->xfer_lock);
	t->seq++;
	p = t->tx + sprintf(t->tx, "x %u %x", t->seq, msgs[0].addr);
	for (i = 0; i < num; i++) {
		if (msgs[i].addr != msgs[0].addr) {
			/* One address per transaction, as the host bus models it. */
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (msgs[i].flags & I2C_M_RD) {
			p += sprintf(p, " r%u", msgs[i].len);
		} else {
			*p++ = ' ';
			*p++ = 'w';
			p = bin2hex(p, msgs[i].buf, msgs[i].len);
		}
	}
	*p++ = '\n';
	*p = '\0';

	t->msgs = msgs;
	t->num = num;
	t->result = -ETIMEDOUT;
	reinit_completion(&t->done);
	ret = twin_send(t, t->tx);
	if (ret)
		goto out;
	if (!wait_for_completion_timeout(&t->done, adap->timeout))
		dev_err_ratelimited(t->dev, "no answer from the host bus\n");
	ret = t->result;
out:
	t->msgs = NULL;
	t->num = 0;
	mutex_unlock(&t->xfer_lock);
	return ret;
}

/* smbus_only=1: the bus says it does SMBus only, as some adapters do. */
static bool smbus_only;
module_param(smbus_only, bool, 0444);
MODULE_PARM_DESC(smbus_only, "Advertise SMBus transfers only, not plain I2C");

static u32 twin_func(struct i2c_adapter *adap)
{
	return smbus_only ? I2C_FUNC_SMBUS_EMUL : I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm twin_algo = {
	.master_xfer = twin_xfer,
	.functionality = twin_func,
};

static const struct i2c_adapter_quirks twin_quirks = {
	.max_num_msgs = TWIN_MAX_MSGS,
	.max_write_len = TWIN_MAX_LEN,
	.max_read_len = TWIN_MAX_LEN,
};

/* ---- GPIO and interrupts ------------------------------------------------ */

static int twin_gpio_get_direction(struct gpio_chip *gc, unsigned int off)
{
	struct twin *t = gpiochip_get_data(gc);

	return test_bit(off, t->out) ? GPIO_LINE_DIRECTION_OUT :
				       GPIO_LINE_DIRECTION_IN;
}

static int twin_gpio_get(struct gpio_chip *gc, unsigned int off)
{
	struct twin *t = gpiochip_get_data(gc);

	return test_bit(off, t->level);
}

static void twin_gpio_report(struct twin *t, unsigned int off, int val)
{
	char line[32];

	snprintf(line, sizeof(line), "o %u %d\n", off, !!val);
	twin_send(t, line);
}

static int twin_gpio_set(struct gpio_chip *gc, unsigned int off, int val)
{
	struct twin *t = gpiochip_get_data(gc);

	assign_bit(off, t->level, val);
	twin_gpio_report(t, off, val);
	return 0;
}

#ifndef TWIN_GPIO_SET_INT
static void twin_gpio_set_void(struct gpio_chip *gc, unsigned int off, int val)
{
	twin_gpio_set(gc, off, val);
}
#endif

static int twin_gpio_direction_input(struct gpio_chip *gc, unsigned int off)
{
	struct twin *t = gpiochip_get_data(gc);

	clear_bit(off, t->out);
	return 0;
}

static int twin_gpio_direction_output(struct gpio_chip *gc, unsigned int off,
				      int val)
{
	struct twin *t = gpiochip_get_data(gc);

	set_bit(off, t->out);
	twin_gpio_set(gc, off, val);
	return 0;
}

static bool twin_irq_active(struct twin *t, unsigned int hwirq)
{
	bool high = test_bit(hwirq, t->level);

	return (t->type[hwirq] == IRQ_TYPE_LEVEL_HIGH && high) ||
	       (t->type[hwirq] == IRQ_TYPE_LEVEL_LOW && !high);
}

/* Level interrupts fire again while their line stays active. */
static void twin_level_work(struct work_struct *work)
{
	struct twin *t = container_of(work, struct twin, level_work);
	unsigned long flags;
	unsigned int i;
	bool fire;

	for (i = 0; i < TWIN_NGPIO; i++) {
		raw_spin_lock_irqsave(&t->lock, flags);
		fire = test_bit(i, t->unmasked) && twin_irq_active(t, i);
		raw_spin_unlock_irqrestore(&t->lock, flags);
		if (fire)
			generic_handle_domain_irq_safe(t->gc.irq.domain, i);
	}
}

static void twin_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct twin *t = gpiochip_get_data(gc);

	raw_spin_lock(&t->lock);
	clear_bit(irqd_to_hwirq(d), t->unmasked);
	raw_spin_unlock(&t->lock);
	gpiochip_disable_irq(gc, irqd_to_hwirq(d));
}

static void twin_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct twin *t = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);
	bool active;

	gpiochip_enable_irq(gc, hwirq);
	raw_spin_lock(&t->lock);
	set_bit(hwirq, t->unmasked);
	active = twin_irq_active(t, hwirq);
	raw_spin_unlock(&t->lock);
	if (active)
		schedule_work(&t->level_work);
}

static void twin_irq_ack(struct irq_data *d)
{
}

static int twin_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct twin *t = gpiochip_get_data(gc);

	type &= IRQ_TYPE_SENSE_MASK;
	if (type == IRQ_TYPE_NONE)
		return -EINVAL;
	raw_spin_lock(&t->lock);
	t->type[irqd_to_hwirq(d)] = type;
	raw_spin_unlock(&t->lock);
	irq_set_handler_locked(d, type & IRQ_TYPE_LEVEL_MASK ?
				  handle_level_irq : handle_edge_irq);
	return 0;
}

/*
 * A wake-up interrupt, as a GPIO controller with wake interrupts arms one
 * (pinctrl-bcm2835 on a BCM7211): only said here, for the tests, since the
 * link's own interrupt does not wake a sleeping guest. With wake_capable
 * off it refuses as pinctrl-bcm2835 does on a Pi 1-4 (no wake interrupts).
 */
static bool wake_capable = true;
module_param(wake_capable, bool, 0644);
MODULE_PARM_DESC(wake_capable, "GPIO interrupts may wake the system (else EINVAL, as a Pi 1-4)");

static int twin_irq_set_wake(struct irq_data *d, unsigned int on)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);

	if (on && !READ_ONCE(wake_capable))
		return -EINVAL;
	dev_info(gc->parent, "GPIO %lu: wake-up %s\n", irqd_to_hwirq(d),
		 on ? "armed" : "disarmed");
	return 0;
}

static const struct irq_chip twin_irq_chip = {
	.name = "twin-gpio",
	.irq_ack = twin_irq_ack,
	.irq_mask = twin_irq_mask,
	.irq_unmask = twin_irq_unmask,
	.irq_set_type = twin_irq_set_type,
	.irq_set_wake = twin_irq_set_wake,
	.flags = IRQCHIP_IMMUTABLE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

/* A host line changed level: edge interrupts fire now, level ones in work. */
static void twin_line_event(struct twin *t, unsigned int line, bool high)
{
	unsigned long flags;
	bool changed, edge;
	u8 type;

	raw_spin_lock_irqsave(&t->lock, flags);
	changed = test_bit(line, t->level) != high;
	assign_bit(line, t->level, high);
	type = t->type[line];
	raw_spin_unlock_irqrestore(&t->lock, flags);
	if (!changed || !t->gc.irq.domain)
		return;

	edge = (high && (type & IRQ_TYPE_EDGE_RISING)) ||
	       (!high && (type & IRQ_TYPE_EDGE_FALLING));
	if (edge)
		generic_handle_domain_irq_safe(t->gc.irq.domain, line);
	else if (type & IRQ_TYPE_LEVEL_MASK)
		schedule_work(&t->level_work);
}

/* ---- the Pi's pin configuration nodes ----------------------------------- */

static int twin_pctl_groups_count(struct pinctrl_dev *pctldev)
{
	return 0;
}

static const char *twin_pctl_group_name(struct pinctrl_dev *pctldev,
					unsigned int selector)
{
	return NULL;
}

/* brcm,pins + brcm,pull (0 off, 1 down, 2 up); brcm,function is accepted. */
static int twin_dt_node_to_map(struct pinctrl_dev *pctldev,
			       struct device_node *np,
			       struct pinctrl_map **map, unsigned int *num_maps)
{
	struct twin *t = pinctrl_dev_get_drvdata(pctldev);
	static const enum pin_config_param bias[] = {
		PIN_CONFIG_BIAS_DISABLE, PIN_CONFIG_BIAS_PULL_DOWN,
		PIN_CONFIG_BIAS_PULL_UP,
	};
	int npins, npulls, i;
	struct pinctrl_map *maps;
	u32 pin, pull;

	npins = of_property_count_u32_elems(np, "brcm,pins");
	if (npins <= 0) {
		dev_err(t->dev, "%pOF: no brcm,pins\n", np);
		return -EINVAL;
	}
	npulls = of_property_count_u32_elems(np, "brcm,pull");
	if (npulls <= 0)
		npulls = 0;
	maps = kcalloc(npins, sizeof(*maps), GFP_KERNEL);
	if (!maps)
		return -ENOMEM;
	*map = maps;
	*num_maps = 0;
	for (i = 0; i < npins && npulls; i++) {
		unsigned long *cfg;

		of_property_read_u32_index(np, "brcm,pins", i, &pin);
		of_property_read_u32_index(np, "brcm,pull",
					   npulls > 1 ? i : 0, &pull);
		if (pin >= TWIN_NGPIO || pull >= ARRAY_SIZE(bias)) {
			dev_err(t->dev, "%pOF: bad pin %u or pull %u\n", np,
				pin, pull);
			return -EINVAL;
		}
		cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
		if (!cfg)
			return -ENOMEM;
		*cfg = pinconf_to_config_packed(bias[pull], 1);
		maps[i].type = PIN_MAP_TYPE_CONFIGS_PIN;
		maps[i].data.configs.group_or_pin = t->pins[pin].name;
		maps[i].data.configs.configs = cfg;
		maps[i].data.configs.num_configs = 1;
		(*num_maps)++;
	}
	return 0;
}

static void twin_dt_free_map(struct pinctrl_dev *pctldev,
			     struct pinctrl_map *map, unsigned int num_maps)
{
	unsigned int i;

	for (i = 0; i < num_maps; i++)
		kfree(map[i].data.configs.configs);
	kfree(map);
}

static const struct pinctrl_ops twin_pctl_ops = {
	.get_groups_count = twin_pctl_groups_count,
	.get_group_name = twin_pctl_group_name,
	.dt_node_to_map = twin_dt_node_to_map,
	.dt_free_map = twin_dt_free_map,
};

static int twin_pin_config_set(struct pinctrl_dev *pctldev, unsigned int pin,
			       unsigned long *configs, unsigned int num)
{
	struct twin *t = pinctrl_dev_get_drvdata(pctldev);
	unsigned int i;
	char line[32];

	for (i = 0; i < num; i++) {
		const char *bias;

		switch (pinconf_to_config_param(configs[i])) {
		case PIN_CONFIG_BIAS_PULL_UP:
			bias = "up";
			break;
		case PIN_CONFIG_BIAS_PULL_DOWN:
			bias = "down";
			break;
		case PIN_CONFIG_BIAS_DISABLE:
			bias = "off";
			break;
		default:
			return -ENOTSUPP;
		}
		snprintf(line, sizeof(line), "p %u %s\n", pin, bias);
		twin_send(t, line);
	}
	return 0;
}

static const struct pinconf_ops twin_pconf_ops = {
	.pin_config_set = twin_pin_config_set,
};

/* ---- the link ----------------------------------------------------------- */

static void twin_rx_line(struct twin *t, char *s)
{
	unsigned int seq, line, val;
	int n;

	if (sscanf(s, "g %u %u", &line, &val) == 2 && line < TWIN_NGPIO) {
		twin_line_event(t, line, val);
	} else if (sscanf(s, "x %u %n", &seq, &n) == 1) {
		/* A late answer to a transfer that timed out is dropped. */
		if (t->msgs && seq == t->seq) {
			t->result = twin_parse_result(t, s + n);
			complete(&t->done);
		}
	} else if (strncmp(s, "hello", 5)) {
		dev_warn_ratelimited(t->dev, "unexpected line from host: %.40s\n", s);
	}
}

#ifdef TWIN_SERDEV_RX_SIZE_T
static size_t twin_receive(struct serdev_device *serdev, const u8 *buf,
			   size_t count)
#else
static int twin_receive(struct serdev_device *serdev, const unsigned char *buf,
			size_t count)
#endif
{
	struct twin *t = serdev_device_get_drvdata(serdev);
	size_t i;

	for (i = 0; i < count; i++) {
		if (buf[i] != '\n') {
			if (t->rx_len < sizeof(t->rx) - 1)
				t->rx[t->rx_len++] = buf[i];
			continue;
		}
		t->rx[t->rx_len] = '\0';
		t->rx_len = 0;
		twin_rx_line(t, t->rx);
	}
	return count;
}

static const struct serdev_device_ops twin_serdev_ops = {
	.receive_buf = twin_receive,
	.write_wakeup = serdev_device_write_wakeup,
};

static void twin_put_node(void *np)
{
	of_node_put(np);
}

static int twin_probe(struct serdev_device *serdev)
{
	struct device *dev = &serdev->dev;
	struct device_node *gpio_np, *i2c_np;
	struct gpio_irq_chip *girq;
	struct pinctrl_dev *pctl;
	char line[32];
	struct twin *t;
	u32 clock = 100000;
	int i, ret;

	t = devm_kzalloc(dev, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->tx = devm_kzalloc(dev, TWIN_LINE_MAX, GFP_KERNEL);
	if (!t->tx)
		return -ENOMEM;
	t->dev = dev;
	t->serdev = serdev;
	mutex_init(&t->xfer_lock);
	init_completion(&t->done);
	raw_spin_lock_init(&t->lock);
	/* Lines read high until the host says otherwise (pulled-up INT). */
	bitmap_fill(t->level, TWIN_NGPIO);
	serdev_device_set_drvdata(serdev, t);
	ret = devm_work_autocancel(dev, &t->level_work, twin_level_work);
	if (ret)
		return ret;
	serdev_device_set_client_ops(serdev, &twin_serdev_ops);

	ret = devm_serdev_device_open(dev, serdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot open the link UART\n");
	serdev_device_set_baudrate(serdev, 115200);
	serdev_device_set_flow_control(serdev, false);
	ret = twin_send(t, "hello\n");
	if (ret)
		return dev_err_probe(dev, ret, "cannot talk to the host\n");

	gpio_np = of_get_child_by_name(dev->of_node, "gpio");
	i2c_np = of_get_child_by_name(dev->of_node, "i2c");
	ret = devm_add_action_or_reset(dev, twin_put_node, gpio_np);
	if (!ret)
		ret = devm_add_action_or_reset(dev, twin_put_node, i2c_np);
	if (ret)
		return ret;
	if (!gpio_np || !i2c_np)
		return dev_err_probe(dev, -ENODEV, "needs gpio and i2c child nodes\n");

	for (i = 0; i < TWIN_NGPIO; i++) {
		t->pins[i].number = i;
		t->pins[i].name = devm_kasprintf(dev, GFP_KERNEL, "gpio%d", i);
		if (!t->pins[i].name)
			return -ENOMEM;
	}
	t->pctl_desc.name = "twin-pinctrl";
	t->pctl_desc.pins = t->pins;
	t->pctl_desc.npins = TWIN_NGPIO;
	t->pctl_desc.pctlops = &twin_pctl_ops;
	t->pctl_desc.confops = &twin_pconf_ops;
	t->pctl_desc.owner = THIS_MODULE;
	/* Pin configuration nodes under the gpio node find us as its parent. */
	pctl = devm_pinctrl_register(dev, &t->pctl_desc, t);
	if (IS_ERR(pctl))
		return dev_err_probe(dev, PTR_ERR(pctl), "pinctrl\n");

	t->gc.label = "twin-gpio";
	t->gc.parent = dev;
	t->gc.fwnode = of_fwnode_handle(gpio_np);
	t->gc.owner = THIS_MODULE;
	t->gc.base = -1;
	t->gc.ngpio = TWIN_NGPIO;
	t->gc.get_direction = twin_gpio_get_direction;
	t->gc.direction_input = twin_gpio_direction_input;
	t->gc.direction_output = twin_gpio_direction_output;
	t->gc.get = twin_gpio_get;
#ifdef TWIN_GPIO_SET_INT
	t->gc.set = twin_gpio_set;
#else
	t->gc.set = twin_gpio_set_void;
#endif
	t->gc.can_sleep = true;
	girq = &t->gc.irq;
	gpio_irq_chip_set_chip(girq, &twin_irq_chip);
	girq->handler = handle_bad_irq;
	girq->default_type = IRQ_TYPE_NONE;
	ret = devm_gpiochip_add_data(dev, &t->gc, t);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add the GPIO chip\n");
	of_property_read_u32(i2c_np, "clock-frequency", &clock);
	snprintf(line, sizeof(line), "clock %u\n", clock);
	ret = twin_send(t, line);
	if (ret)
		return dev_err_probe(dev, ret, "cannot talk to the host\n");

	t->adap.owner = THIS_MODULE;
	t->adap.algo = &twin_algo;
	t->adap.quirks = &twin_quirks;
	t->adap.dev.parent = dev;
	t->adap.dev.of_node = i2c_np;
	t->adap.timeout = 2 * HZ;
	t->adap.retries = 0;
	strscpy(t->adap.name, "twin-i2c", sizeof(t->adap.name));
	i2c_set_adapdata(&t->adap, t);
	return devm_i2c_add_adapter(dev, &t->adap);
}

static const struct of_device_id twin_of_match[] = {
	{ .compatible = "arduipi,twin-link" },
	{ }
};
MODULE_DEVICE_TABLE(of, twin_of_match);

static struct serdev_device_driver twin_driver = {
	.probe = twin_probe,
	.driver = {
		.name = "twin-link",
		.of_match_table = twin_of_match,
	},
};
module_serdev_device_driver(twin_driver);

MODULE_DESCRIPTION("ArduiPi digital twin: I2C bus and GPIO controller over a UART (test only)");
MODULE_LICENSE("GPL");
