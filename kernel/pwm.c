// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArduiPi PWM: the ATmega328P's six timer outputs.
 *
 * Channels are numbered by Arduino pin (npwm is 12, pins without a timer
 * output refuse to be requested), so a consumer reads naturally:
 * pwms = <&nano 9 20000000 0> is D9 at 50 Hz.
 *
 *   pin      timer  counter    prescalers         periods at 16 MHz
 *   D5  D6   0      0..255     /64 /256 /1024     1.024, 4.096, 16.384 ms
 *   D3  D11  2      0..255     /1 /8 /32 /64      16, 128, 512 us, 1.024,
 *                              /128 /256 /1024    2.048, 4.096, 16.384 ms
 *   D9  D10  1      0..TOP     /1 /8 /64 /256     (TOP + 1) * prescaler,
 *                   TOP 3..65534  /1024           250 ns .. 4.19 s
 *
 * (An 8 MHz board doubles every period.) All timers run fast PWM: the
 * period is (TOP + 1) * prescaler / F_CPU and the duty a number of timer
 * ticks, 0..TOP + 1. The firmware holds a duty of 0 or TOP + 1 as a steady
 * level with the compare output disconnected, so neither end of the range
 * has a glitch pulse. Timer1 is exact enough for servos: 50 Hz with
 * 0.5 us duty steps.
 *
 * Rounding follows the PWM framework: the largest period the timer can
 * make that is not longer than the request (the finest prescaler that
 * reaches it), then the largest duty not longer than the request;
 * get_state rounds up, so that applying what it reports changes nothing.
 * A disabled channel drives its pin at the inactive level (low, high when
 * inversed) through the GPIO registers.
 *
 * A whole request is one register frame, applied by the firmware all or
 * nothing. The register image is cached, and written back after an MCU
 * restart (core.c). A failsafe trip switches every channel off, and
 * stays (failsafe.c): the channels in use then say so to the PWM core.
 *
 * Limitations:
 * - The two channels of a timer share its period: a request that needs
 *   another timer setting while the sibling channel is enabled fails with
 *   -EBUSY (a disabled sibling follows, its duty cut to the new period).
 * - A disabled state's period and duty are not checked (the PWM core
 *   ignores them too): a period the timer cannot make fails on enable.
 * - Timer0 and timer2 have only their fixed periods; timer0 also keeps the
 *   firmware's time and cannot go faster than /64.
 * - A new duty on timer0/timer2 takes effect at the next period; timer1's
 *   TOP is not double-buffered, so a shorter period can stretch the one
 *   under way once.
 * - No phase offset; no capture.
 * - A pin requested as PWM cannot be requested as GPIO, nor the reverse
 *   (-EBUSY); the INT line cannot carry PWM.
 * - After a failsafe trip the driver applies the disabled state to the
 *   channels in use itself, so that the PWM core reports it. Kernels
 *   without the PWM core's chip lock (before 6.13, Debian's 6.12 among
 *   them) do not serialize that with a consumer applying at the same
 *   moment: the core may then keep the consumer's state while the Nano has
 *   the driver's. A consumer's next change puts them in agreement again.
 * - Between a trip and the driver taking it (up to a quarter of the
 *   failsafe's timeout) the Nano refuses writes: a request fails -EBUSY.
 */
#include <linux/bits.h>
#include <linux/math64.h>
#include <linux/pwm.h>
#include <linux/regmap.h>

#include "arduipi.h"
#include "compat.h"

#define ARDUIPI_PWM_NPINS	12	/* D0..D11 */
#define IMG(r)			((r) - ARDUIPI_REG_PWM_BASE)
#define ARDUIPI_PWM_MAX_NS	(10ULL * NSEC_PER_SEC)	/* beyond any timer */

enum { T0, T1, T2 };

struct arduipi_timer {
	u8 clk_reg;		/* prescaler code register */
	u8 first_code;		/* code of presc[0] */
	u8 n;
	u16 presc[7];
};

static const struct arduipi_timer arduipi_timers[] = {
	[T0] = { ARDUIPI_REG_T0_CLK, 3, 3, { 64, 256, 1024 } },
	[T1] = { ARDUIPI_REG_T1_CLK, 1, 5, { 1, 8, 64, 256, 1024 } },
	[T2] = { ARDUIPI_REG_T2_CLK, 1, 7, { 1, 8, 32, 64, 128, 256, 1024 } },
};

/* Channel (register index) of each pin, -1 for none; its timer. */
static const s8 arduipi_pwm_channel[ARDUIPI_PWM_NPINS] = {
	-1, -1, -1, 0, -1, 1, 2, -1, -1, 3, 4, 5,
};

static const u8 arduipi_channel_timer[ARDUIPI_NPWM] = { T2, T0, T0, T1, T1, T2 };
static const u8 arduipi_channel_sibling[ARDUIPI_NPWM] = { 5, 2, 1, 4, 3, 0 };
static const u8 arduipi_channel_pin[ARDUIPI_NPWM] = ARDUIPI_PWM_PINS;

/* A timer setting: prescaler code and TOP (255 on the 8-bit timers). */
struct arduipi_tcfg {
	u8 code;
	u16 top;
};

static struct arduipi *arduipi_from_pwm(struct pwm_chip *chip)
{
#ifdef ARDUIPI_HAVE_PWMCHIP_ALLOC
	return pwmchip_get_drvdata(chip);
#else
	return container_of(chip, struct arduipi, pwm_chip);
#endif
}

static unsigned int arduipi_presc(unsigned int timer, u8 code)
{
	const struct arduipi_timer *t = &arduipi_timers[timer];

	if (code < t->first_code || code >= t->first_code + t->n)
		return 0;
	return t->presc[code - t->first_code];
}

/* 16-bit little-endian registers in the image */
static u16 arduipi_img16(const u8 *img, unsigned int reg)
{
	return img[IMG(reg)] | img[IMG(reg) + 1] << 8;
}

static void arduipi_img16_set(u8 *img, unsigned int reg, u16 v)
{
	img[IMG(reg)] = v & 0xff;
	img[IMG(reg) + 1] = v >> 8;
}

static void arduipi_tcfg_get(const u8 *img, unsigned int timer,
			     struct arduipi_tcfg *cfg)
{
	cfg->code = img[IMG(arduipi_timers[timer].clk_reg)];
	cfg->top = timer == T1 ? arduipi_img16(img, ARDUIPI_REG_T1_TOP) : 255;
}

/* Nanoseconds of ticks timer ticks, rounded up (get_state's rule). */
static u64 arduipi_ticks_ns(struct arduipi *ap, u64 ticks, unsigned int presc)
{
	return DIV_ROUND_UP_ULL(ticks * presc * 1000, ap->mhz);
}

/* Whole timer ticks in ns, rounded down (apply's rule). */
static u64 arduipi_ns_ticks(struct arduipi *ap, u64 ns, unsigned int presc)
{
	return mul_u64_u32_div(min(ns, ARDUIPI_PWM_MAX_NS), ap->mhz, presc * 1000);
}

/* The longest period of the timer not longer than period_ns. */
static int arduipi_tcfg_for(struct arduipi *ap, unsigned int timer,
			    u64 period_ns, struct arduipi_tcfg *cfg)
{
	const struct arduipi_timer *t = &arduipi_timers[timer];
	u64 ticks;
	int i;

	if (timer == T1) {
		/* the finest prescaler whose counter reaches the period */
		for (i = 0; i < t->n; i++) {
			ticks = arduipi_ns_ticks(ap, period_ns, t->presc[i]);
			if (ticks <= ARDUIPI_T1_TOP_MAX + 1)
				break;
		}
		if (i == t->n) {
			i--;
			ticks = ARDUIPI_T1_TOP_MAX + 1;
		}
		if (ticks < ARDUIPI_T1_TOP_MIN + 1)
			return -EINVAL;
		cfg->code = t->first_code + i;
		cfg->top = ticks - 1;
		return 0;
	}
	for (i = t->n - 1; i >= 0; i--) {
		if (arduipi_ns_ticks(ap, period_ns, t->presc[i]) >= 256) {
			cfg->code = t->first_code + i;
			cfg->top = 255;
			return 0;
		}
	}
	return -EINVAL;
}

static int arduipi_pwm_request(struct pwm_chip *chip, struct pwm_device *pwm)
{
	struct arduipi *ap = arduipi_from_pwm(chip);
	unsigned int pin = pwm->hwpwm;
	const char *use = NULL;
	int ret = 0;

	if (arduipi_pwm_channel[pin] < 0) {
		dev_err(ap->dev, "D%u has no PWM: the PWM pins are D3, D5, D6, D9, D10 and D11\n",
			pin);
		return -EINVAL;
	}
	if (pin == ap->int_line) {
		dev_err(ap->dev, "D%u is the INT line: it cannot carry PWM\n", pin);
		return -EBUSY;
	}
	mutex_lock(&ap->pin_lock);
	if (ap->gpio_owned & BIT(pin))
		use = "a GPIO line";
	else if (gpiochip_line_is_irq(&ap->gc, pin))
		use = "an interrupt";
	if (use) {
		dev_err(ap->dev, "D%u is in use as %s: release it before using it as PWM\n",
			pin, use);
		ret = -EBUSY;
	} else {
		ap->pwm_owned |= BIT(pin);
	}
	mutex_unlock(&ap->pin_lock);
	return ret;
}

static void arduipi_pwm_free(struct pwm_chip *chip, struct pwm_device *pwm)
{
	struct arduipi *ap = arduipi_from_pwm(chip);

	mutex_lock(&ap->pin_lock);
	ap->pwm_owned &= ~BIT(pwm->hwpwm);
	mutex_unlock(&ap->pin_lock);
}

/* Write the part of the image that changed, in one frame. */
static int arduipi_pwm_write(struct arduipi *ap, const u8 *img, const u8 *old)
{
	int first = 0, last = ARDUIPI_PWM_NREGS - 1;

	while (first <= last && img[first] == old[first])
		first++;
	while (last >= first && img[last] == old[last])
		last--;
	if (first > last)
		return 0;
	/* On an error the cache keeps old, the Nano gets it back (bus.c). */
	return arduipi_write(ap, ARDUIPI_REG_PWM_BASE + first, img + first,
			     last - first + 1);
}

/*
 * An enabled state into img: the timer's setting, the duty, and the
 * disabled sibling's duty where a new TOP would leave it too long (the
 * firmware checks every duty against a new TOP). Called with pwm_lock.
 */
static int arduipi_pwm_config(struct arduipi *ap, u8 *img, unsigned int pin,
			      const struct pwm_state *state)
{
	unsigned int ch = arduipi_pwm_channel[pin];
	unsigned int timer = arduipi_channel_timer[ch];
	unsigned int sib = arduipi_channel_sibling[ch];
	struct arduipi_tcfg cfg, cur;
	u64 duty;
	int ret;

	ret = arduipi_tcfg_for(ap, timer, state->period, &cfg);
	if (ret) {
		dev_err(ap->dev, "D%u: a period of %llu ns is shorter than timer%u can make (%llu ns)\n",
			pin, state->period, timer,
			arduipi_ticks_ns(ap, timer == T1 ? ARDUIPI_T1_TOP_MIN + 1 : 256,
					 arduipi_timers[timer].presc[0]));
		return ret;
	}
	arduipi_tcfg_get(img, timer, &cur);
	if (cfg.code != cur.code || cfg.top != cur.top) {
		if (img[IMG(ARDUIPI_REG_PWM_CTRL(sib))] & ARDUIPI_PWM_ENABLE) {
			dev_err(ap->dev, "D%u: D%u runs timer%u at a period of %llu ns: disable it or use that period\n",
				pin, arduipi_channel_pin[sib], timer,
				arduipi_ticks_ns(ap, cur.top + 1,
						 arduipi_presc(timer, cur.code)));
			return -EBUSY;
		}
		if (arduipi_img16(img, ARDUIPI_REG_PWM_DUTY(sib)) > cfg.top + 1)
			arduipi_img16_set(img, ARDUIPI_REG_PWM_DUTY(sib), cfg.top + 1);
	}
	img[IMG(arduipi_timers[timer].clk_reg)] = cfg.code;
	if (timer == T1)
		arduipi_img16_set(img, ARDUIPI_REG_T1_TOP, cfg.top);
	duty = arduipi_ns_ticks(ap, state->duty_cycle,
				arduipi_presc(timer, cfg.code));
	arduipi_img16_set(img, ARDUIPI_REG_PWM_DUTY(ch),
			  min_t(u64, duty, cfg.top + 1));
	return 0;
}

static int arduipi_pwm_apply(struct pwm_chip *chip, struct pwm_device *pwm,
			     const struct pwm_state *state)
{
	struct arduipi *ap = arduipi_from_pwm(chip);
	unsigned int pin = pwm->hwpwm, ch = arduipi_pwm_channel[pin];
	bool inv = state->polarity == PWM_POLARITY_INVERSED;
	u8 img[ARDUIPI_PWM_NREGS], old[ARDUIPI_PWM_NREGS];
	u8 ctrl = inv ? ARDUIPI_PWM_INVERT : 0;
	bool owned;
	int ret;

	/* a late arduipi_pwm_sync_state() after the channel was freed */
	mutex_lock(&ap->pin_lock);
	owned = ap->pwm_owned & BIT(pin);
	mutex_unlock(&ap->pin_lock);
	if (!owned)
		return -ENODEV;
	mutex_lock(&ap->pwm_lock);
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_PWM_BASE, img, sizeof(img));
	if (ret)
		goto out;
	memcpy(old, img, sizeof(img));
	/* A disabled state's period and duty mean nothing (the PWM core). */
	if (state->enabled) {
		ret = arduipi_pwm_config(ap, img, pin, state);
		if (ret)
			goto out;
		ctrl |= ARDUIPI_PWM_ENABLE;
	}
	img[IMG(ARDUIPI_REG_PWM_CTRL(ch))] = ctrl;

	/*
	 * The pin's level while the channel is disabled, the inactive one,
	 * first: while the channel runs, it does not show.
	 */
	ret = arduipi_line_output(ap, pin, inv);
	if (!ret)
		ret = arduipi_pwm_write(ap, img, old);
out:
	mutex_unlock(&ap->pwm_lock);
	return ret;
}

static int arduipi_pwm_get_state(struct pwm_chip *chip, struct pwm_device *pwm,
				 struct pwm_state *state)
{
	struct arduipi *ap = arduipi_from_pwm(chip);
	int ch = arduipi_pwm_channel[pwm->hwpwm];
	u8 img[ARDUIPI_PWM_NREGS], ctrl;
	struct arduipi_tcfg cfg;
	unsigned int timer, presc;
	int ret;

	if (ch < 0)
		return 0;
	timer = arduipi_channel_timer[ch];
	mutex_lock(&ap->pwm_lock);
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_PWM_BASE, img, sizeof(img));
	mutex_unlock(&ap->pwm_lock);
	if (ret)
		return ret;
	arduipi_tcfg_get(img, timer, &cfg);
	presc = arduipi_presc(timer, cfg.code);
	if (!presc)
		return -EIO;
	ctrl = img[IMG(ARDUIPI_REG_PWM_CTRL(ch))];
	state->enabled = ctrl & ARDUIPI_PWM_ENABLE;
	state->polarity = ctrl & ARDUIPI_PWM_INVERT ? PWM_POLARITY_INVERSED :
						      PWM_POLARITY_NORMAL;
	state->period = arduipi_ticks_ns(ap, cfg.top + 1, presc);
	state->duty_cycle = min(arduipi_ticks_ns(ap, arduipi_img16(img, ARDUIPI_REG_PWM_DUTY(ch)),
						 presc),
				state->period);
	return 0;
}

static const struct pwm_ops arduipi_pwm_ops = {
	.request = arduipi_pwm_request,
	.free = arduipi_pwm_free,
	.apply = arduipi_pwm_apply,
	.get_state = arduipi_pwm_get_state,
#ifdef ARDUIPI_HAVE_PWM_OPS_OWNER
	.owner = THIS_MODULE,
#endif
};

/* After an MCU restart or an undone trip: the cached image, one frame. */
int arduipi_pwm_restore(struct arduipi *ap)
{
	u8 img[ARDUIPI_PWM_NREGS];
	int ret;

	mutex_lock(&ap->pwm_lock);
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_PWM_BASE, img, sizeof(img));
	if (!ret)
		ret = regmap_bulk_write(ap->regmap, ARDUIPI_REG_PWM_BASE, img,
					sizeof(img));
	mutex_unlock(&ap->pwm_lock);
	return ret;
}

/*
 * After a failsafe trip that stays (failsafe.c), the cache holds every
 * channel off. The PWM core keeps the state last applied to a channel in
 * use, shows it in sysfs, and takes a request equal to it for done: give
 * it the disabled state through the regular path, so that the consumer
 * sees the trip and its next enable reaches the Nano. No helper of the
 * PWM core does this for a provider.
 */
void arduipi_pwm_sync_state(struct arduipi *ap)
{
	unsigned int ch;

	for (ch = 0; ch < ARDUIPI_NPWM; ch++) {
		struct pwm_device *pwm = &ap->pwm->pwms[arduipi_channel_pin[ch]];
		struct pwm_state state;
		int ret;

		if (!test_bit(PWMF_REQUESTED, &pwm->flags) || !pwm_is_enabled(pwm))
			continue;
		pwm_get_state(pwm, &state);
		state.enabled = false;
		ret = pwm_apply_might_sleep(pwm, &state);
		if (ret)
			dev_err(ap->dev, "D%u: the PWM core still reports it enabled: %pe\n",
				arduipi_channel_pin[ch], ERR_PTR(ret));
	}
}

int arduipi_pwm_probe(struct arduipi *ap)
{
	struct device *dev = ap->dev;
	struct pwm_chip *chip;
	u8 img[ARDUIPI_PWM_NREGS];
	int ret;

	mutex_init(&ap->pwm_lock);
	/* Fill the cache with what the device runs, for get_state and restarts. */
	ret = regmap_bulk_read(ap->regmap, ARDUIPI_REG_PWM_BASE, img, sizeof(img));
	if (ret)
		return dev_err_probe(dev, ret, "cannot read the PWM configuration\n");

#ifdef ARDUIPI_HAVE_PWMCHIP_ALLOC
	chip = devm_pwmchip_alloc(dev, ARDUIPI_PWM_NPINS, 0);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	pwmchip_set_drvdata(chip, ap);
#else
	chip = &ap->pwm_chip;
	chip->dev = dev;
	chip->npwm = ARDUIPI_PWM_NPINS;
#endif
	chip->ops = &arduipi_pwm_ops;
	ap->pwm = chip;
	ret = devm_pwmchip_add(dev, chip);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add the PWM chip\n");
	return 0;
}
