// SPDX-License-Identifier: MIT
/*
 * arduipi pinout: the Nano drawn in the terminal, as gpiozero's pinout
 * draws the Pi, with what every pin is now and who has it.
 *
 * With the arduipi driver bound at the address, through the driver's
 * devices, never around it: the GPIO chip's line info (direction, pull-up,
 * consumer; the lines it does not offer are the I2C bus and the INT line),
 * the levels of free lines through an as-is request, of used ones from
 * gpiolib's debugfs file; PWM channels from the PWM core's debugfs file
 * (in-kernel consumers too), else the ones exported in sysfs; the ADC's
 * inputs through IIO. Without it (or with -f), through raw I2C: the
 * register bank (GPIO, PWM image, timers) and the specification's analog
 * commands.
 * Colour on a terminal (not with NO_COLOR), plain text when piped.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/gpio.h>

#include "bus.h"
#include "pinout.h"

#define NPINS	(ARDUIPI_NGPIO + 2)	/* D0..D13, A0..A7 */
#define A(n)	(ARDUIPI_LINE_A0 + (n))

enum kind { K_NONE, K_IN, K_LOW, K_HIGH, K_PWM, K_ADC, K_BUS };

struct pin {
	char what[40];
	char who[24];
	enum kind kind;
};

static struct pin pins[NPINS];
static const int pwm_pins[] = ARDUIPI_PWM_PINS;

static void set(int p, enum kind k, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set(int p, enum kind k, const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pins[p].what, sizeof(pins[p].what), fmt, ap);
	va_end(ap);
	snprintf(pins[p].who, sizeof(pins[p].who), "%s", who ? who : "");
	pins[p].kind = k;
}

static void pwm_text(int p, const char *who, int on, double period_ns,
		     double duty_ns)
{
	if (!on || period_ns <= 0)
		set(p, K_LOW, who, "PWM off");
	else
		set(p, K_PWM, who, "PWM %.0f%% %.4g Hz", 100 * duty_ns / period_ns,
		    1e9 / period_ns);
}

/* ---- through the driver ---------------------------------------------------- */

static int read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int first(const char *pattern, char *buf, size_t len)
{
	glob_t g;
	int ret = -1;

	if (!glob(pattern, 0, NULL, &g) && g.gl_pathc) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

/*
 * A used line's level in gpiolib's debugfs file: 1, 0, or -1 (unknown).
 * The chip's header names its parent; a line's "gpio-N" is its global
 * number before 6.17 (the header then says "GPIOs B-E"), its offset
 * since. Lines neither named nor requested are left out.
 */
static int debugfs_level(const char *dev, int line)
{
	char l[256], want[40];
	unsigned int base = 0, n, end;
	int in_chip = 0, lvl = -1;
	FILE *f = fopen("/sys/kernel/debug/gpio", "r");
	const char *p;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "parent: i2c/%s,", dev);
	while (fgets(l, sizeof(l), f)) {
		if (l[0] != ' ') {
			in_chip = strstr(l, want) != NULL;
			p = strstr(l, ": GPIOs ");
			base = 0;
			if (p && sscanf(p, ": GPIOs %u-%u", &base, &end) != 2)
				base = 0;
			continue;
		}
		if (!in_chip || sscanf(l, " gpio-%u", &n) != 1 || n - base != (unsigned int)line)
			continue;
		lvl = strstr(l, ") out hi") || strstr(l, ") in  hi") ? 1 :
		      strstr(l, ") out lo") || strstr(l, ") in  lo") ? 0 : -1;
		break;
	}
	fclose(f);
	return lvl;
}

static void gpio_driver(const char *dir, const char *dev)
{
	char path[256], found[256];
	int chip, line;


	snprintf(path, sizeof(path), "%s/gpiochip*", dir);
	if (first(path, found, sizeof(found)))
		return;
	snprintf(path, sizeof(path), "/dev/%s", strrchr(found, '/') + 1);
	chip = open(path, O_RDWR);
	if (chip < 0)
		die(EXIT_FAILED, "cannot open %s: %s", path, strerror(errno));
	for (line = 0; line < ARDUIPI_NGPIO; line++) {
		struct gpio_v2_line_info info = { .offset = line };
		struct gpio_v2_line_request req = {
			.offsets = { line }, .num_lines = 1,
		};
		struct gpio_v2_line_values v = { .mask = 1 };
		int used, out, lvl = -1;

		if (ioctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, &info) < 0)
			die(EXIT_FAILED, "%s: line %d: %s", path, line, strerror(errno));
		used = !!(info.flags & GPIO_V2_LINE_FLAG_USED);
		out = !!(info.flags & GPIO_V2_LINE_FLAG_OUTPUT);
		/* a PWM channel's (pwm_driver, first): not asked as GPIO */
		if (pins[line].kind == K_PWM ||
		    (pins[line].kind == K_LOW && !strcmp(pins[line].what, "PWM off")))
			continue;
		if (used && !info.consumer[0]) {
			/* gpiolib shows the lines the driver does not offer as used */
			if (line == ARDUIPI_LINE_SDA || line == ARDUIPI_LINE_SCL)
				set(line, K_BUS, "kernel", "I2C %s",
				    line == ARDUIPI_LINE_SDA ? "SDA" : "SCL");
			else
				set(line, K_BUS, "arduipi", "INT to the Pi");
			continue;
		}
		if (!used) {
			/* as is: no direction asked, nothing changes */
			strcpy(req.consumer, "arduipi pinout");
			if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req)) {
				/* the driver keeps a PWM channel's pin from GPIO */
				set(line, K_PWM, "", "PWM (%s)", strerror(errno));
				continue;
			}
			if (!ioctl(req.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v))
				lvl = v.bits & 1;
			close(req.fd);
		} else {
			lvl = debugfs_level(dev, line);
		}
		if (out && lvl < 0)
			set(line, K_NONE, info.consumer, "out ?");
		else if (out)
			set(line, lvl ? K_HIGH : K_LOW, info.consumer, "out %d", lvl);
		else
			set(line, K_IN, info.consumer, "in%s %c",
			    info.flags & GPIO_V2_LINE_FLAG_BIAS_PULL_UP ? " pull-up" : "",
			    lvl < 0 ? '?' : '0' + lvl);
	}
	close(chip);
}

/*
 * PWM: the PWM core's debugfs file (every consumer), else sysfs exports.
 * A channel's line, then (6.15 and later) its requested and actual
 * configurations on lines of their own, the actual one taken.
 */
static void pwm_driver(const char *dir, const char *dev)
{
	char l[256], want[48], path[320], chipdir[256], label[24] = "", on[16];
	unsigned long long period, duty;
	int ch = -1, in_chip = 0, any = 0, k;
	FILE *f = fopen("/sys/kernel/debug/pwm", "r");

	snprintf(want, sizeof(want), ": i2c/%s, ", dev);
	while (f && fgets(l, sizeof(l), f)) {
		char *p;

		if (!strncmp(l, " pwm-", 5)) {
			ch = -1;
			if (!in_chip || sscanf(l, " pwm-%d", &k) != 1 ||
			    k >= ARDUIPI_NGPIO || !strstr(l, ": requested"))
				continue;
			ch = k;
			label[0] = 0;
			p = strchr(l, '(');
			if (p && sscanf(p + 1, "%23[^)]", label) == 1)
				for (k = strlen(label); k > 0 && label[k - 1] == ' '; k--)
					label[k - 1] = 0;
			period = duty = 0;
			p = strstr(l, "period: ");
			if (p) {	/* before 6.15: all on this line */
				sscanf(p, "period: %llu ns duty: %llu", &period, &duty);
				pwm_text(ch, label, strstr(l, " enabled") != NULL,
					 period, duty);
			}
		} else if (l[0] == ' ' && ch >= 0 &&
			   sscanf(l, " actual configuration: %15[a-z], %llu/%llu",
				  on, &duty, &period) == 3) {
			pwm_text(ch, label, !strcmp(on, "enabled"), period, duty);
		} else if (l[0] != ' ') {
			in_chip = strstr(l, want) != NULL;
			any |= in_chip;
			ch = -1;
		}
	}
	if (f)
		fclose(f);
	if (any)
		return;
	snprintf(path, sizeof(path), "%s/pwm/pwmchip*", dir);
	if (first(path, chipdir, sizeof(chipdir)))
		return;
	for (k = 0; k < 6; k++) {
		char v[32];
		int en;

		ch = pwm_pins[k];
		snprintf(path, sizeof(path), "%s/pwm%d/enable", chipdir, ch);
		if (read_str(path, v, sizeof(v)))
			continue;
		en = atoi(v);
		snprintf(path, sizeof(path), "%s/pwm%d/period", chipdir, ch);
		period = read_str(path, v, sizeof(v)) ? 0 : strtoull(v, NULL, 10);
		snprintf(path, sizeof(path), "%s/pwm%d/duty_cycle", chipdir, ch);
		duty = read_str(path, v, sizeof(v)) ? 0 : strtoull(v, NULL, 10);
		pwm_text(ch, "sysfs", en, period, duty);
	}
}

static void adc_show(int a, double volts, const char *who)
{
	int p = A(a);

	/* A0..A3 are GPIO lines too: a line in use says what it is */
	if (a < 4 && (pins[p].who[0] || pins[p].kind != K_IN))
		return;
	set(p, K_ADC, who, "analog %.2f V", volts);
}

static void adc_driver(const char *dir)
{
	char iio[256], path[300], v[32];
	double scale;
	int a;

	snprintf(path, sizeof(path), "%s/iio:device*", dir);
	if (first(path, iio, sizeof(iio)))
		return;
	snprintf(path, sizeof(path), "%s/in_voltage_scale", iio);
	if (read_str(path, v, sizeof(v)))
		return;
	scale = atof(v);
	for (a = 0; a < 8; a++) {
		if (a == 4 || a == 5)
			continue;
		snprintf(path, sizeof(path), "%s/in_voltage%d_raw", iio, a);
		if (read_str(path, v, sizeof(v))) {
			if (errno == EBUSY)
				set(A(a), K_ADC, "iio", "analog (capturing)");
			continue;
		}
		adc_show(a, atoi(v) * scale / 1000, "");
	}
}

/* ---- through raw I2C --------------------------------------------------------- */

static void read_regs(uint8_t reg, uint8_t *b, int n)
{
	xfer_or_die(&reg, 1, b, n);
}

static void raw(int *mhz)
{
	static const uint16_t t0[] = { 0, 0, 0, 64, 256, 1024 };
	static const uint16_t t2[] = { 0, 1, 8, 32, 64, 128, 256, 1024 };
	static const uint16_t t1[] = { 0, 1, 8, 64, 256, 1024 };
	uint8_t id[16], g[4 * ARDUIPI_GPIO_BANKS], pw[23], w[1], r[2], ref;
	uint8_t avcc[2];
	int line, k, a;

	bus_open();
	read_regs(ARDUIPI_REG_ID0, id, sizeof(id));
	if (id[0] != ARDUIPI_ID0_VALUE || id[1] != ARDUIPI_ID1_VALUE)
		die(EXIT_FAILED, "the device at 0x%02x is not ArduiPi firmware (identity %02x %02x)",
		    addr, id[0], id[1]);
	*mhz = id[5];
	read_regs(ARDUIPI_REG_GPIO_DIR, g, sizeof(g));
	for (line = 0; line < ARDUIPI_NGPIO; line++) {
		int bank = line / 8, bit = 1 << (line % 8);
		int dir = g[bank] & bit, lvl = !!(g[2 * ARDUIPI_GPIO_BANKS + bank] & bit);

		if (line == ARDUIPI_LINE_SDA || line == ARDUIPI_LINE_SCL)
			set(line, K_BUS, "", "I2C %s", line == ARDUIPI_LINE_SDA ? "SDA" : "SCL");
		else if (line == id[15])
			set(line, K_BUS, "", "INT to the Pi");
		else if (dir)
			set(line, lvl ? K_HIGH : K_LOW, "", "out %d", lvl);
		else
			set(line, K_IN, "", "in%s %d",
			    g[3 * ARDUIPI_GPIO_BANKS + bank] & bit ? " pull-up" : "", lvl);
	}
	read_regs(ARDUIPI_REG_PWM_BASE, pw, sizeof(pw));
	for (k = 0; k < 6; k++) {
		uint8_t ctrl = pw[3 * k + 2];
		unsigned int duty = pw[3 * k] | pw[3 * k + 1] << 8, top = 255, presc = 0;
		int p = pwm_pins[k], t = p == 5 || p == 6 ? 0 : p == 9 || p == 10 ? 1 : 2;

		if (!(ctrl & ARDUIPI_PWM_ENABLE))
			continue;
		if (t == 0 && pw[18] < 6)
			presc = t0[pw[18]];
		else if (t == 2 && pw[19] < 8)
			presc = t2[pw[19]];
		else if (t == 1 && pw[20] < 6) {
			presc = t1[pw[20]];
			top = pw[21] | pw[22] << 8;
		}
		pwm_text(p, "", presc != 0, (top + 1.0) * presc * 1000 / *mhz,
			 (double)duty * presc * 1000 / *mhz);
	}
	read_regs(ARDUIPI_REG_ADC_AVCC_MV, avcc, 2);
	read_regs(ARDUIPI_REG_ADC_REF, &ref, 1);
	for (a = 0; a < 8; a++) {
		if (a == 4 || a == 5)
			continue;
		w[0] = ARDUIPI_CMD_ANALOG_FIRST + a;
		command(w, 1, r, 2);
		adc_show(a, (r[0] | r[1] << 8) *
			 (ref == ARDUIPI_ADC_REF_1V1 ? 1100.0 : avcc[0] | avcc[1] << 8) /
			 1024 / 1000, "");
	}
}

/* ---- the picture ------------------------------------------------------------- */

static const char *const rows[][2] = {
	{ "D13", "D12" }, { "3V3", "D11" }, { "AREF", "D10" }, { "A0", "D9" },
	{ "A1", "D8" }, { "A2", "D7" }, { "A3", "D6" }, { "A4", "D5" },
	{ "A5", "D4" }, { "A6", "D3" }, { "A7", "D2" }, { "5V", "GND" },
	{ "RST", "RST" }, { "GND", "D0" }, { "VIN", "D1" },
};

static int pin_index(const char *label)
{
	int n = atoi(label + 1);

	if (label[0] == 'D' && label[1] >= '0' && label[1] <= '9')
		return n;
	if (label[0] == 'A' && label[1] >= '0' && label[1] <= '9')
		return A(n);
	return -1;
}

static const char *colour(enum kind k, int on)
{
	static const char *const c[] = {
		[K_NONE] = "", [K_IN] = "\033[32m", [K_LOW] = "\033[34m",
		[K_HIGH] = "\033[1;31m", [K_PWM] = "\033[35m", [K_ADC] = "\033[36m",
		[K_BUS] = "\033[33m",
	};

	return on ? c[k] : "";
}

static void side(char *buf, size_t len, const char *label, int left, int on)
{
	int p = pin_index(label);
	char text[80] = "";

	if (p >= 0 && pins[p].what[0]) {
		if (pins[p].who[0])
			snprintf(text, sizeof(text), left ? "[%s] %s" : "%s [%s]",
				 left ? pins[p].who : pins[p].what,
				 left ? pins[p].what : pins[p].who);
		else
			snprintf(text, sizeof(text), "%s", pins[p].what);
	}
	snprintf(buf, len, left ? "%s%34s%s" : "%s%s%s", p >= 0 ? colour(pins[p].kind, on) : "",
		 text, on && p >= 0 && pins[p].kind ? "\033[0m" : "");
}

void pinout(void)
{
	char dir[96], link[160], target[256], left[128], right[128], dev[16];
	const char *via;
	int on = isatty(STDOUT_FILENO) && !getenv("NO_COLOR"), mhz = 0, i;
	ssize_t n;

	if (bus < 0)
		bus = find_bus();
	snprintf(dev, sizeof(dev), "%d-%04x", bus, addr);
	snprintf(dir, sizeof(dir), "/sys/bus/i2c/devices/%s", dev);
	snprintf(link, sizeof(link), "%s/driver", dir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 0)
		target[n] = 0;
	if (!force && n > 0 && strrchr(target, '/') &&
	    !strcmp(strrchr(target, '/') + 1, "arduipi")) {
		char v[16];

		via = "the arduipi driver";
		snprintf(link, sizeof(link), "%s/mcu_clock_mhz", dir);
		if (!read_str(link, v, sizeof(v)))
			mhz = atoi(v);
		pwm_driver(dir, dev);
		gpio_driver(dir, dev);
		adc_driver(dir);
	} else {
		via = force ? "raw I2C (-f)" : "raw I2C, no driver bound";
		raw(&mhz);
	}
	printf("Nano at 0x%02x on i2c-%d, %d MHz, through %s\n\n", addr, bus, mhz, via);
	printf("%34s %5s+---[USB]---+\n", "", "");
	for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
		side(left, sizeof(left), rows[i][0], 1, on);
		side(right, sizeof(right), rows[i][1], 0, on);
		printf("%s %5s|o         o|%s%*s%s\n", left, rows[i][0], rows[i][1],
		       right[0] ? 6 - (int)strlen(rows[i][1]) : 0, "", right);
	}
	printf("%34s %5s+-------------+\n", "", "");
}
