// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi GPIO: the Nano's 20 lines in Arduino order, D0..D13 then A0..A5,
 * with pin-change interrupts.
 *
 * Each bank register holds three bytes, bit n of byte b being line 8b + n
 * (kernel/arduipi-regs.h). A4/A5 are the I2C bus and are never offered;
 * neither is the line wired to the Pi as the INT output (the firmware
 * refuses to touch both). get_multiple and set_multiple are one bus
 * transaction each.
 *
 * Interrupts: the firmware (protocol 1.5) stores every rising and falling
 * edge of the enabled lines, in order, in a 16-event FIFO, and pulls its
 * INT line low (open drain) while it holds one. The INT handler (core.c)
 * reads the status with the first event in one transaction;
 * arduipi_gpio_edges() reads the others, consumes them all in one write
 * (by number: a repeated write consumes nothing more) and runs each
 * event's nested handlers in order, a read of that line during them
 * answered with the event's level (gpiolib's character device reads the
 * line to tell a both-edges event's direction). Edges the Nano could not
 * store are counted (sysfs edges_lost). Older firmware latches one bit
 * per line and edge into IRQ_STATUS: arduipi_gpio_irq() clears exactly
 * the bits it took and hands them to the nested handlers.
 * Masks and trigger types are cached and written in irq_bus_sync_unlock.
 *
 * Why not gpio-regmap and regmap-irq: gpio-regmap (6.1 and 6.12) has no
 * valid mask (A4/A5 are the bus), no request hook (a line is GPIO or PWM),
 * no pull-up config and no get/set_multiple in one transaction.
 * regmap-irq reads its status registers itself; here one transaction reads
 * the GPIO edges together with the ADC FIFO state, which at 9615 Hz saves
 * a transaction per INT on a bus the stream already keeps half busy.
 *
 * Level-triggered interrupts are built on the edges: the Nano latches the
 * edge into the level, and after a level line's handlers have run, a work
 * item reads the inputs; while the level holds, it runs the handlers
 * again, 4 ms (a jiffy at least) later each time (one bus transaction a
 * time; the status read and the ADC stream go on between). A level already
 * there when the line is requested or enabled again, at resume, or after
 * an MCU restart is looked for the same way; a disabled line waits for
 * enable_irq().
 *
 * Debounce (set_config, protocol 1.4) is the Nano's: an edge is latched
 * once the new level has held for the period, so bounces cost no bus
 * traffic; gpiolib's character device could not debounce in software here
 * anyway (its debounce wants an interrupt that is not nested).
 *
 * Limitations: one debounce period, 1 to 255 ms, for every debounced line
 * (another is refused: EBUSY); a debounced edge comes up to two of the
 * Nano's timer0 ticks after the period (2 ms at 16 MHz, 33 ms with timer0
 * slowed for D5/D6's PWM); a line keeps its debounce until it is freed
 * (gpiolib's character device does not call set_config when a
 * reconfiguration drops it); a level shorter than the read after its
 * handlers is one
 * interrupt, from its edge; one that holds comes again 250 times a
 * second at most (a read of the inputs each: about a sixth of a 100 kHz
 * bus); a wake-up line's level already there when the system suspends
 * does not wake it (only an edge does);
 * no pull-down (the AVR has none). Edge FIFO: about 2000 edges a second
 * at 100 kHz and 8000 at 400 kHz are carried without loss, a burst of
 * 16 at any rate, the rest counted lost (mod 256 between two of the
 * driver's reads of the count); a pulse shorter than 6 us (the
 * bus busy) can be missed and is counted lost, once or twice, but not a
 * pulse on one line within 13 us of an edge of another line of its port
 * that changes again too; a line toggling faster than about 20 kHz takes
 * the Nano's CPU, and bus transactions stretch (up to 10 ms) until it
 * stops (request no interrupt on a PWM output or a noisy line); edges of
 * two of the Nano's ports within 13 us may come in port order (B, C, D),
 * and edges of one port seen in one look in line order; the events carry
 * the kernel's time of the drain, not the Nano's; on an 8 MHz Nano the
 * firmware polls: a pulse shorter than its main loop pass is missed
 * unseen. Older firmware: edges shorter than the main loop pass may be
 * missed, edges on several lines latched before one status read come in
 * line order, and a second edge of one line before the read is one event;
 * an acknowledgment whose answer is lost on the bus is not tried again
 * (bus.c): had it not landed, the edge is reported twice, never lost.
 */
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/i2c.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/property.h>
#include <linux/regmap.h>

#include "arduipi.h"

#define ARDUIPI_LINE_MASK		GENMASK(ARDUIPI_NGPIO - 1, 0)
#define ARDUIPI_LEVEL_AGAIN_MS		4	/* a held level: 250 a second */

static const char *const arduipi_line_names[ARDUIPI_NGPIO] = {
	"D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10",
	"D11", "D12", "D13", "A0", "A1", "A2", "A3", "A4", "A5",
};

static const struct property_entry arduipi_names_props[] = {
	PROPERTY_ENTRY_STRING_ARRAY("gpio-line-names", arduipi_line_names),
	{ }
};

static void arduipi_gpio_drop_names(void *data)
{
	struct arduipi *ap = data;

	set_secondary_fwnode(ap->dev, NULL);
	fwnode_remove_software_node(ap->names);
}

/*
 * The default line names live in a software node behind the DT node, so a
 * gpio-line-names property in DT wins, and gpiolib takes them as it takes
 * DT names. (Given through gc->names instead, 6.1's gpiolib compares them
 * with every other chip's names and oopses on a chip that was removed
 * while lines were still requested.)
 */
static int arduipi_gpio_names(struct arduipi *ap)
{
	if (device_property_present(ap->dev, "gpio-line-names"))
		return 0;
	ap->names = fwnode_create_software_node(arduipi_names_props, NULL);
	if (IS_ERR(ap->names))
		return PTR_ERR(ap->names);
	set_secondary_fwnode(ap->dev, ap->names);
	return devm_add_action_or_reset(ap->dev, arduipi_gpio_drop_names, ap);
}

static unsigned int arduipi_reg(unsigned int base, unsigned int line)
{
	return base + line / 8;
}

static int arduipi_bank_read(struct arduipi *ap, unsigned int base, u32 *bits)
{
	u8 b[ARDUIPI_GPIO_BANKS];
	int ret;

	ret = regmap_bulk_read(ap->regmap, base, b, sizeof(b));
	if (ret)
		return ret;
	*bits = b[0] | b[1] << 8 | b[2] << 16;
	return 0;
}

/* A cached bank: on an error nothing the kernel reports changed (bus.c). */
static int arduipi_bank_write(struct arduipi *ap, unsigned int base, u32 bits)
{
	u8 b[ARDUIPI_GPIO_BANKS] = { bits, bits >> 8, bits >> 16 };

	return arduipi_write(ap, base, b, sizeof(b));
}

static int arduipi_update_bit(struct arduipi *ap, unsigned int base,
			      unsigned int line, bool on)
{
	return arduipi_update_bits(ap, arduipi_reg(base, line), BIT(line % 8),
				   on ? BIT(line % 8) : 0);
}

/* Write-1-to-clear latched edges (not cached, nothing to undo). */
static int arduipi_irq_clear(struct arduipi *ap, u32 bits)
{
	u8 b[ARDUIPI_GPIO_BANKS] = { bits, bits >> 8, bits >> 16 };

	return regmap_bulk_write(ap->regmap, ARDUIPI_REG_GPIO_IRQ_STATUS, b,
				 sizeof(b));
}

/*
 * Debounce in the Nano (protocol 1.4): one period, 1 to 255 ms, for every
 * debounced line. A line that asks for another period while others are
 * debounced is refused: gpio-keys then debounces in software; the GPIO
 * character device cannot do that here (its software debounce wants an
 * interrupt that is not nested) and the request fails with EBUSY.
 */
static int arduipi_gpio_debounce(struct arduipi *ap, unsigned int line, u32 us)
{
	unsigned int ms = DIV_ROUND_UP(us, USEC_PER_MSEC);
	u8 b[ARDUIPI_GPIO_BANKS + 1];	/* GPIO_DEBOUNCE, DEBOUNCE_MS */
	u32 lines, others;
	int ret;

	if (ap->proto_minor < 4)
		return -ENOTSUPP;
	if (ms > U8_MAX) {
		dev_err_ratelimited(ap->dev, "line %s: debounce %u us: the Nano debounces for 255 ms at most\n",
				    arduipi_line_names[line], us);
		return -EINVAL;
	}
	mutex_lock(&ap->db_lock);
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_GPIO_DEBOUNCE, b, sizeof(b));
	if (ret)
		goto out;
	lines = b[0] | b[1] << 8 | b[2] << 16;
	others = lines & ~BIT(line);
	if (ms && others && ms != b[3]) {
		dev_err_ratelimited(ap->dev, "line %s: debounce %u ms: %s is debounced for %u ms, and the Nano has one period for all lines\n",
				    arduipi_line_names[line], ms,
				    arduipi_line_names[__ffs(others)], b[3]);
		ret = -EBUSY;
		goto out;
	}
	lines = ms ? lines | BIT(line) : others;
	if (!others)
		b[3] = ms;
	b[0] = lines;
	b[1] = lines >> 8;
	b[2] = lines >> 16;
	ret = arduipi_write(ap, ARDUIPI_REG_GPIO_DEBOUNCE, b, sizeof(b));
out:
	mutex_unlock(&ap->db_lock);
	return ret;
}

/* With pin_lock held: -EBUSY, said in the log, if the line is PWM. */
static int arduipi_not_pwm(struct arduipi *ap, unsigned int line,
			   const char *use)
{
	if (!(ap->pwm_owned & BIT(line)))
		return 0;
	dev_err(ap->dev, "%s is in use as PWM: release it before using it as %s\n",
		arduipi_line_names[line], use);
	return -EBUSY;
}

/*
 * A line is GPIO or PWM (pwm.c), not both. (Having a request callback also
 * makes gpiolib refuse lines not in valid_mask.)
 */
static int arduipi_gpio_request(struct gpio_chip *gc, unsigned int line)
{
	struct arduipi *ap = gpiochip_get_data(gc);
	int ret;

	mutex_lock(&ap->pin_lock);
	ret = arduipi_not_pwm(ap, line, "a GPIO line");
	if (!ret)
		ap->gpio_owned |= BIT(line);
	mutex_unlock(&ap->pin_lock);
	return ret;
}

static void arduipi_gpio_free(struct gpio_chip *gc, unsigned int line)
{
	struct arduipi *ap = gpiochip_get_data(gc);

	mutex_lock(&ap->pin_lock);
	ap->gpio_owned &= ~BIT(line);
	mutex_unlock(&ap->pin_lock);
	/* gpiolib leaves a hardware debounce as its last user set it */
	if (ap->proto_minor >= 4 &&
	    regmap_test_bits(ap->regmap, arduipi_reg(ARDUIPI_REG_GPIO_DEBOUNCE, line),
			     BIT(line % 8)) > 0)
		arduipi_gpio_debounce(ap, line, 0);
}

/* A line's bit of a bank register: 0 or 1, or a negative errno. */
static int arduipi_read_bit(struct arduipi *ap, unsigned int base,
			    unsigned int line)
{
	unsigned int val;
	int ret;

	ret = regmap_read(ap->regmap, arduipi_reg(base, line), &val);
	return ret ? ret : !!(val & BIT(line % 8));
}

static int arduipi_gpio_get_direction(struct gpio_chip *gc, unsigned int line)
{
	int ret = arduipi_read_bit(gpiochip_get_data(gc), ARDUIPI_REG_GPIO_DIR, line);

	if (ret < 0)
		return ret;
	return ret ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int arduipi_gpio_direction_input(struct gpio_chip *gc, unsigned int line)
{
	struct arduipi *ap = gpiochip_get_data(gc);

	return arduipi_update_bit(ap, ARDUIPI_REG_GPIO_DIR, line, false);
}

/* Also pwm.c's idle level: a line made an output at a level. */
int arduipi_line_output(struct arduipi *ap, unsigned int line, bool value)
{
	int ret;

	/* The level first, so the line never glitches to the old one. */
	mutex_lock(&ap->out_lock);
	ret = arduipi_update_bit(ap, ARDUIPI_REG_GPIO_OUT, line, value);
	mutex_unlock(&ap->out_lock);
	if (ret)
		return ret;
	return arduipi_update_bit(ap, ARDUIPI_REG_GPIO_DIR, line, true);
}

static int arduipi_gpio_direction_output(struct gpio_chip *gc,
					 unsigned int line, int value)
{
	return arduipi_line_output(gpiochip_get_data(gc), line, value);
}

static int arduipi_gpio_get(struct gpio_chip *gc, unsigned int line)
{
	struct arduipi *ap = gpiochip_get_data(gc);

	/* an event's handler (the character device's, both edges): its level */
	if (READ_ONCE(ap->ev_task) == current && line == ap->ev_line)
		return ap->ev_level;
	return arduipi_read_bit(ap, ARDUIPI_REG_GPIO_IN, line);
}

static int arduipi_gpio_get_multiple(struct gpio_chip *gc, unsigned long *mask,
				     unsigned long *bits)
{
	struct arduipi *ap = gpiochip_get_data(gc);
	u32 in;
	int ret;

	ret = arduipi_bank_read(ap, ARDUIPI_REG_GPIO_IN, &in);
	if (ret)
		return ret;
	*bits = (*bits & ~*mask) | (in & *mask);
	return 0;
}

static int arduipi_gpio_set(struct gpio_chip *gc, unsigned int line, int value)
{
	struct arduipi *ap = gpiochip_get_data(gc);
	int ret;

	mutex_lock(&ap->out_lock);
	ret = arduipi_update_bit(ap, ARDUIPI_REG_GPIO_OUT, line, value);
	mutex_unlock(&ap->out_lock);
	return ret;
}

static int arduipi_gpio_set_multiple(struct gpio_chip *gc, unsigned long *mask,
				     unsigned long *bits)
{
	struct arduipi *ap = gpiochip_get_data(gc);
	u32 out;
	int ret;

	/* OUT is cached: the read costs nothing, the write is one frame. */
	mutex_lock(&ap->out_lock);
	ret = arduipi_bank_read(ap, ARDUIPI_REG_GPIO_OUT, &out);
	if (!ret)
		ret = arduipi_bank_write(ap, ARDUIPI_REG_GPIO_OUT,
					 (out & ~*mask) | (*bits & *mask));
	mutex_unlock(&ap->out_lock);
	return ret;
}

/*
 * gpio_chip.set and .set_multiple return the error since 6.17 (as .set_rv
 * and .set_multiple_rv in 6.15, 6.16 and stable lines that took them, such
 * as Debian's 6.12); before, an error stops here.
 */
#if !defined(ARDUIPI_HAVE_GPIO_SET_INT) && !defined(ARDUIPI_HAVE_GPIO_SET_RV)
static void arduipi_gpio_set_void(struct gpio_chip *gc, unsigned int line, int value)
{
	arduipi_gpio_set(gc, line, value);
}

static void arduipi_gpio_set_multiple_void(struct gpio_chip *gc, unsigned long *mask,
					   unsigned long *bits)
{
	arduipi_gpio_set_multiple(gc, mask, bits);
}
#endif

static int arduipi_gpio_set_config(struct gpio_chip *gc, unsigned int line,
				   unsigned long config)
{
	struct arduipi *ap = gpiochip_get_data(gc);

	switch (pinconf_to_config_param(config)) {
	case PIN_CONFIG_BIAS_PULL_UP:
		return arduipi_update_bit(ap, ARDUIPI_REG_GPIO_PULLUP, line, true);
	case PIN_CONFIG_BIAS_DISABLE:
		return arduipi_update_bit(ap, ARDUIPI_REG_GPIO_PULLUP, line, false);
	case PIN_CONFIG_INPUT_DEBOUNCE:
		return arduipi_gpio_debounce(ap, line,
					     pinconf_to_config_argument(config));
	default:
		/* The AVR has no pull-down and no open-drain outputs. */
		return -ENOTSUPP;
	}
}

static int arduipi_gpio_init_valid_mask(struct gpio_chip *gc,
					unsigned long *valid_mask,
					unsigned int ngpios)
{
	struct arduipi *ap = gpiochip_get_data(gc);

	clear_bit(ARDUIPI_LINE_SDA, valid_mask);
	clear_bit(ARDUIPI_LINE_SCL, valid_mask);
	if (ap->int_line < ngpios)
		clear_bit(ap->int_line, valid_mask);
	return 0;
}

/* ---- interrupts ------------------------------------------------------------- */

static void arduipi_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	irq_hw_number_t line = irqd_to_hwirq(d);

	ap->irq_unmasked &= ~BIT(line);
	gpiochip_disable_irq(gc, line);
}

static void arduipi_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	irq_hw_number_t line = irqd_to_hwirq(d);

	gpiochip_enable_irq(gc, line);
	ap->irq_unmasked |= BIT(line);
}

static int arduipi_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	irq_hw_number_t line = irqd_to_hwirq(d);
	bool low, high;

	switch (type) {
	case IRQ_TYPE_EDGE_RISING:
	case IRQ_TYPE_EDGE_FALLING:
	case IRQ_TYPE_EDGE_BOTH:
		low = false;
		high = false;
		break;
	case IRQ_TYPE_LEVEL_LOW:	/* on the edge into it */
		low = true;
		high = false;
		type = IRQ_TYPE_EDGE_FALLING;
		break;
	case IRQ_TYPE_LEVEL_HIGH:
		low = false;
		high = true;
		type = IRQ_TYPE_EDGE_RISING;
		break;
	default:
		dev_err(ap->dev, "line %s: interrupt type %#x: one edge, both edges, or one level\n",
			arduipi_line_names[line], type);
		return -EINVAL;
	}
	/* read without the lock by the INT thread and the level work */
	WRITE_ONCE(ap->irq_level_low, low ? ap->irq_level_low | BIT(line) :
		   ap->irq_level_low & ~BIT(line));
	WRITE_ONCE(ap->irq_level_high, high ? ap->irq_level_high | BIT(line) :
		   ap->irq_level_high & ~BIT(line));
	if (type & IRQ_TYPE_EDGE_RISING)
		ap->irq_rise |= BIT(line);
	else
		ap->irq_rise &= ~BIT(line);
	if (type & IRQ_TYPE_EDGE_FALLING)
		ap->irq_fall |= BIT(line);
	else
		ap->irq_fall &= ~BIT(line);
	return 0;
}

/*
 * A consumer that may wake the system (gpio-keys with wakeup-source, at its
 * own suspend) makes INT a wake interrupt at once, as gpio-pca953x does:
 * whichever of the two devices suspends first (an INT armed by this
 * driver's suspend missed gpio-keys', which came after it). The core
 * counts each line's and INT's requests. A controller that cannot wake
 * refuses (pinctrl-bcm2835 on a Pi 1-4: only the BCM7211 has wake
 * interrupts), and so does this: gpio-keys then fails the suspend, as it
 * does for a button on the Pi's own GPIO. Called with the line's
 * descriptor locked: INT's controller must take no bus lock of its own
 * (the Pi's GPIO controller takes none).
 */
static int arduipi_irq_set_wake(struct irq_data *d, unsigned int on)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	int ret;

	ret = irq_set_irq_wake(ap->client->irq, on);
	if (ret && on)
		dev_err_ratelimited(ap->dev, "line %s cannot wake the system: INT's interrupt controller refuses (%d); a Pi 1-4's GPIO cannot wake it\n",
				    arduipi_line_names[irqd_to_hwirq(d)], ret);
	return ret;
}

/*
 * The level work looks at lines: now (delay 0), or from delay jiffies on
 * (not sooner for another line's look); none while stopped.
 */
static void arduipi_level_check(struct arduipi *ap, u32 lines,
				unsigned long delay)
{
	if (!lines)
		return;
	spin_lock(&ap->irq_level_lock);
	if (delay) {
		ap->irq_level_again |= lines;
		ap->irq_level_due = jiffies + delay;
	} else {
		ap->irq_level_check |= lines;
	}
	if (!ap->irq_level_stop) {
		if (delay)
			queue_delayed_work(system_highpri_wq, &ap->irq_level_work,
					   delay);
		else
			mod_delayed_work(system_highpri_wq, &ap->irq_level_work, 0);
	}
	spin_unlock(&ap->irq_level_lock);
}

static void arduipi_irq_bus_lock(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);

	mutex_lock(&ap->irq_lock);
}

static void arduipi_irq_bus_sync_unlock(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	u32 rise = ap->irq_rise & ap->irq_unmasked;
	u32 fall = ap->irq_fall & ap->irq_unmasked;
	u32 level = (ap->irq_level_low | ap->irq_level_high) & ap->irq_unmasked;
	u32 bit = BIT(irqd_to_hwirq(d));

	if (rise != ap->irq_hw_rise &&
	    !arduipi_bank_write(ap, ARDUIPI_REG_GPIO_IRQ_RISE, rise))
		ap->irq_hw_rise = rise;
	if (fall != ap->irq_hw_fall &&
	    !arduipi_bank_write(ap, ARDUIPI_REG_GPIO_IRQ_FALL, fall))
		ap->irq_hw_fall = fall;
	WRITE_ONCE(ap->irq_level_on, level);
	/*
	 * A level line requested, unmasked or enabled again: is it there?
	 * (Once: a handler's irq_set_irq_wake() on its own line is no look.)
	 */
	if (!(level & bit) || irqd_irq_disabled(d)) {
		ap->irq_level_live &= ~bit;
	} else if (!(ap->irq_level_live & bit)) {
		ap->irq_level_live |= bit;
		arduipi_level_check(ap, bit, 0);
	}
	mutex_unlock(&ap->irq_lock);
}

/*
 * An interrupt consumer that names a line in the device tree takes it
 * without a GPIO request: the PWM ownership is checked here too.
 */
static int arduipi_irq_reqres(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct arduipi *ap = gpiochip_get_data(gc);
	irq_hw_number_t line = irqd_to_hwirq(d);
	int ret;

	mutex_lock(&ap->pin_lock);
	ret = arduipi_not_pwm(ap, line, "an interrupt");
	if (!ret)
		ret = gpiochip_reqres_irq(gc, line);
	mutex_unlock(&ap->pin_lock);
	return ret;
}

static void arduipi_irq_relres(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);

	gpiochip_relres_irq(gc, irqd_to_hwirq(d));
}

static void arduipi_irq_print_chip(struct irq_data *d, struct seq_file *p)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);

	seq_puts(p, dev_name(gc->parent));
}

static const struct irq_chip arduipi_irq_chip = {
	.irq_mask = arduipi_irq_mask,
	.irq_unmask = arduipi_irq_unmask,
	.irq_set_type = arduipi_irq_set_type,
	.irq_set_wake = arduipi_irq_set_wake,
	.irq_bus_lock = arduipi_irq_bus_lock,
	.irq_bus_sync_unlock = arduipi_irq_bus_sync_unlock,
	.irq_print_chip = arduipi_irq_print_chip,
	.irq_request_resources = arduipi_irq_reqres,
	.irq_release_resources = arduipi_irq_relres,
	.flags = IRQCHIP_IMMUTABLE,
};

/*
 * Lines whose interrupt is disabled: disable_irq() only marks them (a lazy
 * disable).
 */
static u32 arduipi_irq_disabled(struct arduipi *ap, unsigned long bits)
{
	unsigned int line;
	u32 off = 0;

	for_each_set_bit(line, &bits, ARDUIPI_NGPIO) {
		int nested = irq_find_mapping(ap->gc.irq.domain, line);

		if (nested <= 0 || irqd_irq_disabled(irq_get_irq_data(nested)))
			off |= BIT(line);
	}
	return off;
}

/* With irq_nest_lock: the handlers of the lines in bits. */
static void arduipi_irq_nested(struct arduipi *ap, unsigned long bits)
{
	unsigned int line;

	for_each_set_bit(line, &bits, ARDUIPI_NGPIO) {
		int nested = irq_find_mapping(ap->gc.irq.domain, line);

		if (nested > 0)
			handle_nested_irq(nested);
	}
}

/* From the INT thread (core.c): the latched edges, pending (line bits). */
void arduipi_gpio_irq(struct arduipi *ap, u32 pending)
{
	u32 levels = READ_ONCE(ap->irq_level_low) | READ_ONCE(ap->irq_level_high);

	/* Clear what we take before handling it: a new edge latches again. */
	arduipi_irq_clear(ap, pending);
	mutex_lock(&ap->irq_nest_lock);
	arduipi_irq_nested(ap, pending);
	mutex_unlock(&ap->irq_nest_lock);
	/* a level line: does its level hold after its handlers? */
	arduipi_level_check(ap, pending & levels, 0);
}

/* With edge_lock: EDGE_LOST moved on; what is new since the last look. */
static int arduipi_edges_lost(struct arduipi *ap)
{
	unsigned int lost;
	int ret;
	u8 new;

	ret = regmap_read(ap->regmap, ARDUIPI_REG_EDGE_LOST, &lost);
	if (ret)
		return ret;
	new = lost - ap->edge_lost_seen;
	ap->edge_lost_seen = lost;
	if (new) {
		WRITE_ONCE(ap->edges_lost, ap->edges_lost + new);
		sysfs_notify(&ap->dev->kobj, NULL, "edges_lost");
		dev_warn_ratelimited(ap->dev, "%u GPIO edges lost in the Nano (%u since probe): its FIFO was full, or a pulse was shorter than its pin-change interrupt's latency\n",
				     new, ap->edges_lost);
	}
	/* seen (INT, and EDGE_COUNT's LOST, stay while it moves on) */
	return regmap_write(ap->regmap, ARDUIPI_REG_EDGE_LOST, lost);
}

/*
 * With edge_lock: where the Nano's count is, after a consume whose fate
 * is unknown or that was refused. One that landed: its events (copied
 * into ev, if given) and their count returned; events consumed otherwise,
 * never read, are counted lost. -errno: EDGE_SEQ unread, ask again later.
 */
static int arduipi_edges_settle(struct arduipi *ap, u8 *ev)
{
	unsigned int now, n = ap->edge_doubt, gap;
	int ret;

	ret = regmap_read(ap->regmap, ARDUIPI_REG_EDGE_SEQ, &now);
	if (ret)
		return ret;
	ap->edge_doubt = 0;
	if (n && now == (u8)(ap->edge_seq + n)) {	/* it landed */
		if (ev)
			memcpy(ev, ap->edge_doubt_ev, n);
		ap->edge_seq = now;
		return n;
	}
	/* behind the driver's count: consumed unread (lost), or a restart */
	gap = (u8)(now - ap->edge_seq);
	if (gap && gap <= ARDUIPI_EDGE_DEPTH) {
		WRITE_ONCE(ap->edges_lost, ap->edges_lost + gap);
		dev_warn_ratelimited(ap->dev, "%u GPIO events consumed in the Nano but never delivered (a bus error)\n",
				     gap);
	}
	ap->edge_seq = now;
	return 0;
}

/*
 * With edge_lock: consume the n events read (EDGE_SEQ: by number, a
 * write tried again consumes nothing more). 0: done. A refusal (the
 * Nano's count is not the driver's): -EINVAL, the count taken from the
 * Nano. Any other failure may have landed: the events are kept, and the
 * next pass asks EDGE_SEQ whether they were taken.
 */
static int arduipi_edges_consume(struct arduipi *ap, const u8 *ev, u8 n)
{
	int ret;

	ret = regmap_write(ap->regmap, ARDUIPI_REG_EDGE_SEQ,
			   (u8)(ap->edge_seq + n));
	if (!ret) {
		ap->edge_seq += n;
		return 0;
	}
	if (ret != -EINVAL) {
		memcpy(ap->edge_doubt_ev, ev, n);
		ap->edge_doubt = n;
	}
	if (arduipi_edges_settle(ap, NULL) > 0)
		return 0;	/* it landed after all: the caller has them */
	return ret;
}

/*
 * From the INT thread (core.c), protocol 1.5: the edge FIFO held count
 * events (EDGE_COUNT), the first of them first (EDGE_FIRST, read with
 * the status), as of edge_gen gen. The others are read, all of them
 * consumed, and each runs its line's handlers in order, a read of the
 * line by the character device answered with the event's level; an event
 * of an edge no longer enabled (a trigger changed since) is dropped.
 * After an MCU restart (gen moved on) the status is read again first.
 * Edges lost in the Nano are logged and counted (sysfs edges_lost). A
 * failure leaves INT asserted: the thread comes again, after a pause
 * that grows while it fails.
 */
bool arduipi_gpio_edges(struct arduipi *ap, u8 count, u8 first,
			unsigned int gen)
{
	unsigned int n = count & ~ARDUIPI_EDGE_COUNT_LOST, i, k = 0;
	u8 ev[2 * ARDUIPI_EDGE_DEPTH + 1];	/* a doubt's, these, PEC */
	unsigned long levels = READ_ONCE(ap->irq_level_low) |
			       READ_ONCE(ap->irq_level_high);
	u32 rise = READ_ONCE(ap->irq_hw_rise), fall = READ_ONCE(ap->irq_hw_fall);
	u32 lines = 0;
	int ret = 0;

	mutex_lock(&ap->edge_lock);
	if (gen != ap->edge_gen) {
		mutex_unlock(&ap->edge_lock);
		return true;	/* a restart since the status read */
	}
	if (ap->edge_doubt) {
		/*
		 * Landed: delivered first (the FIFO read is of before, INT
		 * comes again). EDGE_SEQ unread: nothing read now.
		 */
		ret = arduipi_edges_settle(ap, ev);
		if (ret)
			n = 0;
		if (ret > 0) {
			k = ret;
			ret = 0;
		}
	}
	if (!ret && count & ARDUIPI_EDGE_COUNT_LOST)
		ret = arduipi_edges_lost(ap);
	if (n > ARDUIPI_EDGE_DEPTH) {
		dev_err_ratelimited(ap->dev, "edge FIFO count %u: not an ArduiPi firmware's\n", n);
		ret = -EPROTO;
		n = 0;
	}
	if (!ret && n) {
		ev[k] = first;
		if (n > 1)
			ret = arduipi_read_block(ap, ARDUIPI_REG_EDGE_FIFO + 1,
						 ev + k + 1, n - 1);
		if (!ret)
			ret = arduipi_edges_consume(ap, ev + k, n);
		if (!ret)
			k += n;
	}
	mutex_unlock(&ap->edge_lock);
	if (ret && ret != -EINVAL) {
		/* INT stays asserted: read again, after a pause */
		ap->edge_retry_ms = arduipi_irq_backoff(ap->edge_retry_ms);
		msleep(ap->edge_retry_ms);
	} else if (!ret) {
		ap->edge_retry_ms = 0;
	}

	mutex_lock(&ap->irq_nest_lock);
	WRITE_ONCE(ap->ev_task, current);
	for (i = 0; i < k; i++) {
		unsigned int line = ev[i] & ARDUIPI_EDGE_LINE;
		bool rising = ev[i] & ARDUIPI_EDGE_RISING;
		int nested;

		if (!(ev[i] & ARDUIPI_EDGE_VALID) || line >= ARDUIPI_NGPIO) {
			dev_err_ratelimited(ap->dev, "edge FIFO event 0x%02x: no line of the Nano's\n",
					    ev[i]);
			continue;
		}
		if (!((rising ? rise : fall) & BIT(line)))
			continue;
		ap->ev_line = line;
		ap->ev_level = rising;
		nested = irq_find_mapping(ap->gc.irq.domain, line);
		if (nested > 0)
			handle_nested_irq(nested);
		lines |= BIT(line);
	}
	WRITE_ONCE(ap->ev_task, NULL);
	mutex_unlock(&ap->irq_nest_lock);
	/* a level line: does its level hold after its handlers? */
	arduipi_level_check(ap, lines & levels, 0);
	return true;
}

/*
 * The FIFO on, emptied: EDGE_CTRL 0 then 1 (a change empties it; a probe
 * finds what an earlier driver left), and the Nano's counts taken as
 * where the driver's start; then gen on, so that an INT thread that read
 * the status before reads it again. At probe, and after an MCU restart
 * before its write-back (a failure: the write-back's, tried again).
 */
static int arduipi_edges_start(struct arduipi *ap)
{
	unsigned int seq, lost;
	int ret;

	mutex_lock(&ap->edge_lock);
	ret = regmap_write(ap->regmap, ARDUIPI_REG_EDGE_CTRL, 0);
	if (!ret)
		ret = regmap_write(ap->regmap, ARDUIPI_REG_EDGE_CTRL, 1);
	if (!ret)
		ret = regmap_read(ap->regmap, ARDUIPI_REG_EDGE_SEQ, &seq);
	if (!ret)
		ret = regmap_read(ap->regmap, ARDUIPI_REG_EDGE_LOST, &lost);
	if (!ret) {
		ap->edge_seq = seq;
		ap->edge_lost_seen = lost;
		ap->edge_doubt = 0;
	}
	WRITE_ONCE(ap->edge_gen, ap->edge_gen + 1);
	mutex_unlock(&ap->edge_lock);
	return ret;
}

int arduipi_gpio_edges_restarted(struct arduipi *ap)
{
	return ap->edge_fifo ? arduipi_edges_start(ap) : 0;
}

/*
 * Unbind and shutdown: the FIFO off (EDGE_CTRL 0), the Nano's edges back
 * in IRQ_STATUS as at its power-on, for whatever binds next: a driver
 * from before protocol 1.5 never empties the FIFO, and its INT would stay
 * asserted. (The INT interrupt is gone or disabled by then.) Not to a
 * firmware that came back as another (foreign): the driver writes it
 * nothing.
 */
void arduipi_gpio_edges_stop(struct arduipi *ap)
{
	if (ap->edge_fifo && !ap->foreign &&
	    regmap_write(ap->regmap, ARDUIPI_REG_EDGE_CTRL, 0))
		dev_warn(ap->dev, "cannot turn the edge FIFO off: a driver before protocol 1.5 bound next would find INT stuck low\n");
}

static void arduipi_gpio_edges_off(void *data)
{
	arduipi_gpio_edges_stop(data);
}

static ssize_t edges_lost_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct arduipi *ap = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(ap->edges_lost));
}
static DEVICE_ATTR_RO(edges_lost);

static struct attribute *arduipi_gpio_attrs[] = {
	&dev_attr_edges_lost.attr,
	NULL
};

/* Only where the Nano's edges come through its FIFO. */
static umode_t arduipi_gpio_visible(struct kobject *kobj,
				    struct attribute *attr, int n)
{
	struct arduipi *ap = dev_get_drvdata(kobj_to_dev(kobj));

	return ap && ap->edge_fifo ? attr->mode : 0;
}

const struct attribute_group arduipi_gpio_group = {
	.attrs = arduipi_gpio_attrs,
	.is_visible = arduipi_gpio_visible,
};

/*
 * The level lines to look at: those enabled whose level holds get their
 * handlers run, and are looked at again ARDUIPI_LEVEL_AGAIN_MS later (a
 * jiffy at least). A failed read is tried again after a pause that grows
 * to a second.
 */
static void arduipi_level_work(struct work_struct *work)
{
	struct arduipi *ap = container_of(to_delayed_work(work), struct arduipi,
					  irq_level_work);
	u32 check, in, held;

	spin_lock(&ap->irq_level_lock);
	check = ap->irq_level_check;
	ap->irq_level_check = 0;
	if (ap->irq_level_again && time_after_eq(jiffies, ap->irq_level_due)) {
		check |= ap->irq_level_again;
		ap->irq_level_again = 0;
	} else if (ap->irq_level_again && !ap->irq_level_stop) {
		queue_delayed_work(system_highpri_wq, &ap->irq_level_work,
				   ap->irq_level_due - jiffies);
	}
	check &= READ_ONCE(ap->irq_level_on);
	spin_unlock(&ap->irq_level_lock);

	mutex_lock(&ap->irq_nest_lock);
	check &= ~arduipi_irq_disabled(ap, check);
	if (!check) {
		mutex_unlock(&ap->irq_nest_lock);
		return;
	}
	if (arduipi_bank_read(ap, ARDUIPI_REG_GPIO_IN, &in)) {
		mutex_unlock(&ap->irq_nest_lock);
		ap->irq_level_retry_ms = arduipi_irq_backoff(ap->irq_level_retry_ms);
		arduipi_level_check(ap, check,
				    msecs_to_jiffies(ap->irq_level_retry_ms));
		return;
	}
	ap->irq_level_retry_ms = 0;
	held = check & ((READ_ONCE(ap->irq_level_low) & ~in) |
			(READ_ONCE(ap->irq_level_high) & in));
	arduipi_irq_nested(ap, held);
	mutex_unlock(&ap->irq_nest_lock);
	arduipi_level_check(ap, held, msecs_to_jiffies(ARDUIPI_LEVEL_AGAIN_MS));
}

/*
 * Suspend, shutdown, unbind (on false): no more looks at levels; resume
 * (on true): every enabled level line looked at.
 */
void arduipi_gpio_levels(struct arduipi *ap, bool on)
{
	if (!ap->gc.irq.domain)
		return;
	spin_lock(&ap->irq_level_lock);
	ap->irq_level_stop = !on;
	spin_unlock(&ap->irq_level_lock);
	if (on)
		arduipi_level_check(ap, READ_ONCE(ap->irq_level_on), 0);
	else
		cancel_delayed_work_sync(&ap->irq_level_work);
}

/*
 * Every enabled level line looked at (not while stopped): after an MCU
 * restart or a sleep, when its edge may have come while nothing latched
 * it.
 */
void arduipi_gpio_levels_again(struct arduipi *ap)
{
	if (ap->gc.irq.domain)
		arduipi_level_check(ap, READ_ONCE(ap->irq_level_on), 0);
}

static void arduipi_gpio_levels_off(void *data)
{
	arduipi_gpio_levels(data, false);
}

static int arduipi_irq_probe(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	struct gpio_irq_chip *girq = &ap->gc.irq;
	int ret;

	if (ap->int_line == ARDUIPI_INT_PIN_NONE) {
		dev_info(dev, "no interrupts in the device tree: GPIO line events are unavailable\n");
		return 0;
	}
	/* Start from a clean slate: nothing enabled, nothing latched. */
	ret = arduipi_bank_write(ap, ARDUIPI_REG_GPIO_IRQ_RISE, 0);
	if (!ret)
		ret = arduipi_bank_write(ap, ARDUIPI_REG_GPIO_IRQ_FALL, 0);
	if (!ret)
		ret = arduipi_irq_clear(ap, ARDUIPI_LINE_MASK);
	if (ret)
		return dev_err_probe(dev, ret, "cannot set up the INT line\n");
	/*
	 * Every edge in order (protocol 1.5). Turned off after the chip and
	 * the INT interrupt have gone, or by a start that fails half-way.
	 */
	mutex_init(&ap->edge_lock);
	ap->edge_fifo = ap->proto_minor >= 5;
	ret = devm_add_action_or_reset(dev, arduipi_gpio_edges_off, ap);
	if (!ret && ap->edge_fifo)
		ret = arduipi_edges_start(ap);
	if (ret)
		return dev_err_probe(dev, ret, "cannot set up the INT line\n");

	mutex_init(&ap->irq_lock);
	mutex_init(&ap->irq_nest_lock);
	spin_lock_init(&ap->irq_level_lock);
	INIT_DELAYED_WORK(&ap->irq_level_work, arduipi_level_work);
	gpio_irq_chip_set_chip(girq, &arduipi_irq_chip);
	/* The parent is requested below, threaded: nested handlers. */
	girq->parent_handler = NULL;
	girq->num_parents = 0;
	girq->parents = NULL;
	girq->default_type = IRQ_TYPE_NONE;
	girq->handler = handle_simple_irq;
	girq->threaded = true;
	return 0;
}

int arduipi_gpio_probe(struct arduipi *ap)
{
	struct gpio_chip *gc = &ap->gc;
	struct device *dev = ap->dev;
	u32 unused;
	int ret;

	mutex_init(&ap->out_lock);
	mutex_init(&ap->db_lock);
	/*
	 * Fill the cache with the device's configuration, for restarts;
	 * after INT_PIN (core.c), which resets the INT line's bits.
	 */
	ret = arduipi_bank_read(ap, ARDUIPI_REG_GPIO_DIR, &unused);
	if (!ret)
		ret = arduipi_bank_read(ap, ARDUIPI_REG_GPIO_OUT, &unused);
	if (!ret)
		ret = arduipi_bank_read(ap, ARDUIPI_REG_GPIO_PULLUP, &unused);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read the GPIO configuration\n");
	/*
	 * No line debounced: what a driver bound before set stays in the Nano
	 * across a rebind or the Pi's reboot, and gpiolib frees no line at
	 * shutdown.
	 */
	if (ap->proto_minor >= 4) {
		u8 none[ARDUIPI_GPIO_BANKS + 1] = { };

		ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_GPIO_DEBOUNCE,
					none, sizeof(none));
		if (ret)
			return dev_err_probe(dev, ret, "cannot clear the debounce\n");
	}

	ret = arduipi_irq_probe(ap);
	if (ret)
		return ret;
	ret = arduipi_gpio_names(ap);
	if (ret)
		return ret;

	gc->label = dev_name(dev);
	gc->parent = dev;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = ARDUIPI_NGPIO;
	gc->can_sleep = true;
	gc->init_valid_mask = arduipi_gpio_init_valid_mask;
	gc->request = arduipi_gpio_request;
	gc->free = arduipi_gpio_free;
	gc->get_direction = arduipi_gpio_get_direction;
	gc->direction_input = arduipi_gpio_direction_input;
	gc->direction_output = arduipi_gpio_direction_output;
	gc->get = arduipi_gpio_get;
	gc->get_multiple = arduipi_gpio_get_multiple;
#if defined(ARDUIPI_HAVE_GPIO_SET_INT)
	gc->set = arduipi_gpio_set;
	gc->set_multiple = arduipi_gpio_set_multiple;
#elif defined(ARDUIPI_HAVE_GPIO_SET_RV)
	gc->set_rv = arduipi_gpio_set;
	gc->set_multiple_rv = arduipi_gpio_set_multiple;
#else
	gc->set = arduipi_gpio_set_void;
	gc->set_multiple = arduipi_gpio_set_multiple_void;
#endif
	gc->set_config = arduipi_gpio_set_config;

	ret = devm_gpiochip_add_data(dev, gc, ap);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add the GPIO chip\n");
	/* before the chip goes: the level work runs its handlers */
	return devm_add_action_or_reset(dev, arduipi_gpio_levels_off, ap);
}
