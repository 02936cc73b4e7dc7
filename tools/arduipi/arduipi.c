// SPDX-License-Identifier: MIT
/*
 * arduipi: talk to a Nano running the ArduiPi firmware from the command
 * line, through i2c-dev, without the kernel driver.
 *
 *   arduipi [-b BUS] [-a ADDR] [-f] -g|-G|-s -d HEX   the specification's
 *   arduipi [-b BUS] [-a ADDR] [-f] COMMAND [ARG...]  friendlier commands
 *
 * Like i2cget/i2cset: the value alone on stdout, "arduipi: message" on
 * stderr; exit status 0 (done), 1 (the bus or the Nano failed or refused),
 * 2 (bad command line). See arduipi.1.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "../../kernel/arduipi-regs.h"

#define VERSION		"1.2"	/* follows the protocol it speaks */
#define MAX_BYTES	32

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

static int bus = -1, addr = ARDUIPI_DEFAULT_ADDR, force;
static int fd = -1;

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("arduipi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: arduipi [-b BUS] [-a ADDR] [-f] -g|-G|-s -d HEX\n"
"       arduipi [-b BUS] [-a ADDR] [-f] COMMAND [ARG...]\n"
"\n"
"  -g -d HEX   send HEX (command byte and data), read a byte: -g -d 0xe0\n"
"  -G -d HEX   the same, read a word (analog): -G -d 0xa5\n"
"  -s -d HEX   send HEX: -s -d 0xe0aa, -s -d 0x0801\n"
"  -b BUS      I2C bus number (default: the bus the device tree puts the\n"
"              Nano on, else the Pi's header bus, i2c-1)\n"
"  -a ADDR     the Nano's address (default 0x2a)\n"
"  -f          even if a kernel driver has the address\n"
"\n"
"commands:\n"
"  info               identity, protocol, capabilities, reset cause, errors\n"
"  ping               the ping value (0x55 unless set)\n"
"  get PIN            a pin's level, 0 or 1 (PIN: D0..D13, A0..A5)\n"
"  set PIN 0|1        make PIN an output at that level\n"
"  mode PIN [input|output|pullup]   show or set a pin's mode\n"
"  analog An          A0..A7, 0..1023\n"
"  pwm PIN DUTY       PWM on D3 D5 D6 D9 D10 D11, DUTY 0..255\n"
"  boot [PIN=input|pullup|low|high ...]  show or change the boot state,\n"
"                     what the pins are after any reset (kept in EEPROM;\n"
"                     \"boot clear\": every pin an input)\n"
"\n"
"Exit status: 0 done, 1 the bus or the Nano failed or refused, 2 usage.\n");
}

/* ---- the bus ---------------------------------------------------------- */

/* The bus of a device-tree node at our address, or the header bus. */
static int find_bus(void)
{
	char pat[64];
	glob_t g;
	int n = -1;

	snprintf(pat, sizeof(pat), "/sys/bus/i2c/devices/*-00%02x", addr);
	if (!glob(pat, 0, NULL, &g) && g.gl_pathc)
		sscanf(strrchr(g.gl_pathv[0], '/') + 1, "%d-", &n);
	globfree(&g);
	if (n >= 0)
		return n;
	/* i2c-1 on every Pi since the first revision's i2c-0 */
	return access("/dev/i2c-0", F_OK) || !access("/dev/i2c-1", F_OK) ? 1 : 0;
}

/* The name of the kernel driver bound at our address. */
static const char *owner(char *buf, size_t len)
{
	char link[96];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/i2c/devices/%d-%04x/driver", bus, addr);
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return "of a device";
	buf[n] = 0;
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

static void bus_open(void)
{
	char dev[32], drv[256];
	unsigned long funcs;

	if (bus < 0)
		bus = find_bus();
	snprintf(dev, sizeof(dev), "/dev/i2c-%d", bus);
	fd = open(dev, O_RDWR);
	if (fd < 0 && errno == ENOENT)
		die(EXIT_FAILED, "no %s: enable I2C (sudo raspi-config nonint do_i2c 0) and load i2c-dev, or give -b BUS",
		    dev);
	if (fd < 0)
		die(EXIT_FAILED, "cannot open %s: %s%s", dev, strerror(errno),
		    errno == EACCES ? " (run as root or join the i2c group)" : "");
	if (ioctl(fd, I2C_FUNCS, &funcs) < 0)
		die(EXIT_FAILED, "%s: cannot read the adapter's functions: %s", dev,
		    strerror(errno));
	if (!(funcs & I2C_FUNC_I2C))
		die(EXIT_FAILED, "%s cannot do combined I2C transfers (I2C_FUNC_I2C), which the ArduiPi protocol needs",
		    dev);
	if (ioctl(fd, force ? I2C_SLAVE_FORCE : I2C_SLAVE, addr) < 0) {
		if (errno == EBUSY)
			die(EXIT_FAILED, "0x%02x on i2c-%d is in use by the kernel driver %s: use its devices (gpioset, /sys/class/pwm, IIO), or -f to talk to it anyway",
			    addr, bus, owner(drv, sizeof(drv)));
		die(EXIT_FAILED, "cannot use address 0x%02x: %s", addr, strerror(errno));
	}
}

/* One transaction: write w, then (repeated START) read r if rn; -errno. */
static int xfer(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .len = wn, .buf = (uint8_t *)w },
		{ .addr = addr, .flags = I2C_M_RD, .len = rn, .buf = r },
	};
	struct i2c_rdwr_ioctl_data data = { .msgs = msgs, .nmsgs = rn ? 2 : 1 };

	return ioctl(fd, I2C_RDWR, &data) < 0 ? -errno : 0;
}

static void __attribute__((noreturn)) bus_failed(int err)
{
	if (err == -ENXIO || err == -EREMOTEIO)
		die(EXIT_FAILED, "no answer from 0x%02x on i2c-%d: check the wiring, the Nano's power, the address and that the ArduiPi firmware is flashed",
		    addr, bus);
	if (err == -ETIMEDOUT)
		die(EXIT_FAILED, "i2c-%d timed out: the bus is held (a device stretching SCL, or SDA stuck low)",
		    bus);
	die(EXIT_FAILED, "transfer on i2c-%d failed: %s", bus, strerror(-err));
}

static void xfer_or_die(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	int err = xfer(w, wn, r, rn);

	if (err)
		bus_failed(err);
}

static const char *const errors[] = {
	[ARDUIPI_ERR_UNKNOWN_CMD] = "no such command",
	[ARDUIPI_ERR_BAD_PIN] = "no such pin, bit or channel",
	[ARDUIPI_ERR_BAD_VALUE] = "value not accepted",
	[ARDUIPI_ERR_RESERVED_PIN] = "pin reserved (A4/A5 are the I2C bus; the INT line)",
	[ARDUIPI_ERR_SHORT] = "data missing",
	[ARDUIPI_ERR_LONG] = "more data than the command takes",
	[ARDUIPI_ERR_NO_CMD] = "read with no command",
	[ARDUIPI_ERR_READ_ONLY] = "read-only register",
	[ARDUIPI_ERR_PEC] = "PEC mismatch",
	[ARDUIPI_ERR_OVERRUN] = "read past the end",
	[ARDUIPI_ERR_BUS] = "bus error",
	[ARDUIPI_ERR_NOT_PWM] = "no PWM on this pin (D3 D5 D6 D9 D10 D11 have it)",
	[ARDUIPI_ERR_BAD_KEY] = "address key mismatch",
	[ARDUIPI_ERR_BAD_REG] = "no such register",
	[ARDUIPI_ERR_BUSY] = "busy: the ADC stream runs",
	[ARDUIPI_ERR_TRIPPED] = "the failsafe tripped: clear STATUS.FS_TRIPPED (i2cset ... 0x58 0x02) first",
	[ARDUIPI_ERR_LOW_SUPPLY] = "the Nano's supply is too low for an EEPROM write (AVcc measured below the firmware's ARDUIPI_EE_MIN_MV, by default 4.0 V at 16 MHz, 2.7 V at 8 MHz)",
};

static void hexdump(char *buf, size_t len, const uint8_t *b, int n)
{
	for (int i = 0; i < n && len > 6; i++) {
		int k = snprintf(buf, len, "%s0x%02x", i ? " " : "", b[i]);

		buf += k;
		len -= k;
	}
}

/*
 * A command with the firmware's verdict: the error register is cleared
 * before and read after, so a refusal is an error here too (the firmware
 * may also NACK a refused command's data byte: the register tells why).
 */
static void command(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	uint8_t clr[2] = { ARDUIPI_REG_ERROR, 0 }, reg = ARDUIPI_REG_ERROR, e;
	char bytes[6 * MAX_BYTES];
	int err;

	xfer_or_die(clr, sizeof(clr), NULL, 0);
	err = xfer(w, wn, r, rn);
	xfer_or_die(&reg, 1, &e, 1);
	if (!e) {
		if (err)
			bus_failed(err);
		return;
	}
	xfer_or_die(clr, sizeof(clr), NULL, 0);
	hexdump(bytes, sizeof(bytes), w, wn);
	die(EXIT_FAILED, "the Nano refused %s: %s (error %u)", bytes,
	    e < sizeof(errors) / sizeof(errors[0]) && errors[e] ? errors[e] : "unknown",
	    e);
}

/* ---- command-line values ------------------------------------------------- */

/* -d HEX: whole bytes, "0x" optional. */
static int parse_hex(const char *s, uint8_t *b)
{
	const char *h = s;
	int n = 0;

	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		h += 2;
	if (!*h)
		die(EXIT_USAGE, "-d '%s': no hex digits", s);
	for (const char *p = h; *p; p++)
		if (!isxdigit((unsigned char)*p))
			die(EXIT_USAGE, "-d '%s': '%c' is not a hex digit", s, *p);
	if (strlen(h) % 2)
		die(EXIT_USAGE, "-d '%s': an odd number of hex digits; give whole bytes, e.g. 0x0%s",
		    s, h);
	if (strlen(h) / 2 > MAX_BYTES)
		die(EXIT_USAGE, "-d '%s': more than %d bytes", s, MAX_BYTES);
	for (; *h; h += 2) {
		char x[3] = { h[0], h[1], 0 };

		b[n++] = strtoul(x, NULL, 16);
	}
	return n;
}

static long number(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (!*s || *end || errno || v < min || v > max)
		die(EXIT_USAGE, "%s '%s': not a number %ld..%ld", what, s, min, max);
	return v;
}

/* D0..D13, A0..A5 (A7 with analog), or the line number. */
static int pin(const char *s, int analog)
{
	int max = analog ? 7 : 5;
	char *end;
	long v;

	if (toupper((unsigned char)s[0]) == 'A' && isdigit((unsigned char)s[1])) {
		v = strtol(s + 1, &end, 10);
		if (!*end && v <= max)
			return analog ? v : ARDUIPI_LINE_A0 + v;
	} else if (!analog && toupper((unsigned char)s[0]) == 'D' &&
		   isdigit((unsigned char)s[1])) {
		v = strtol(s + 1, &end, 10);
		if (!*end && v <= 13)
			return v;
	} else if (!analog && isdigit((unsigned char)s[0])) {
		v = strtol(s, &end, 10);
		if (!*end && v < ARDUIPI_NGPIO)
			return v;
	}
	die(EXIT_USAGE, "'%s' is not %s", s,
	    analog ? "an analog input A0..A7" : "a pin D0..D13 or A0..A5");
}

/* ---- commands -------------------------------------------------------------- */

static void info(void)
{
	static const char *const caps[8] = {
		"gpio", "adc", "pwm", "irq", "pec", "failsafe", "temp", "addr",
	};
	static const char *const causes[4] = {
		"power-on", "reset pin", "brown-out", "watchdog",
	};
	uint8_t reg = ARDUIPI_REG_ID0, b[16];	/* 0x50..0x5f */
	int i;

	xfer_or_die(&reg, 1, b, sizeof(b));
	if (b[0] != ARDUIPI_ID0_VALUE || b[1] != ARDUIPI_ID1_VALUE)
		die(EXIT_FAILED, "the device at 0x%02x is not ArduiPi firmware (identity %02x %02x)",
		    addr, b[0], b[1]);
	printf("firmware: ArduiPi, protocol %u.%u\n", b[2], b[3]);
	printf("capabilities:");
	for (i = 0; i < 8; i++)
		if (b[4] & (1 << i))
			printf(" %s", caps[i]);
	printf("\nclock: %u MHz\nlast reset:", b[5]);
	for (i = 3; i >= 0; i--)
		if (b[6] & (1 << i))
			printf(" %s", causes[i]);
	printf("%s\nboots since power-on: %u\n", b[6] & 0x0f ? "" : " unknown", b[7]);
	printf("status:%s%s%s%s%s%s\n",
	       b[8] & ARDUIPI_STATUS_RESTARTED ? " restarted" : "",
	       b[8] & ARDUIPI_STATUS_FS_TRIPPED ? " failsafe-tripped" : "",
	       b[8] & ARDUIPI_STATUS_WDT_TRIPPED ? " watchdog-tripped" : "",
	       b[8] & ARDUIPI_STATUS_PEC_ERROR ? " pec-error" : "",
	       b[8] & ARDUIPI_STATUS_BUS_ERROR ? " bus-error" : "",
	       b[8] & (ARDUIPI_STATUS_W1C | ARDUIPI_STATUS_ERROR) ? "" : " ok");
	printf("last error: %s (%u)\nerrors: %u, PEC errors: %u\n",
	       b[9] ? (b[9] < sizeof(errors) / sizeof(errors[0]) && errors[b[9]] ?
		       errors[b[9]] : "unknown") : "none", b[9], b[10], b[11]);
	printf("address: 0x%02x\n", b[12]);
	if (b[15] < ARDUIPI_NGPIO)
		printf("INT line: %c%u\n", b[15] < ARDUIPI_LINE_A0 ? 'D' : 'A',
		       b[15] < ARDUIPI_LINE_A0 ? b[15] : b[15] - ARDUIPI_LINE_A0);
	else
		printf("INT line: none\n");
}

/* A pin's name as the board says it. */
static void pin_name(char *buf, size_t len, int line)
{
	if (line < ARDUIPI_LINE_A0)
		snprintf(buf, len, "D%d", line);
	else
		snprintf(buf, len, "A%d", line - ARDUIPI_LINE_A0);
}

/*
 * "boot": the stored boot state, as PIN=MODE for every pin that is not a
 * plain input ("input" when none is); with arguments, change those pins,
 * store, wait for the EEPROM write (10 steps, 3.4 ms each at most) and
 * read it back.
 */
static void boot(int argc, char **argv)
{
	static const char *const modes[] = { "input", "pullup", "low", "high" };
	uint8_t set_dir[3] = { 0 }, set_lvl[3] = { 0 }, mask[3] = { 0 };
	uint8_t reg = ARDUIPI_REG_BOOT_DIR, b[2 * ARDUIPI_GPIO_BANKS], v[4];
	uint8_t w[2 * ARDUIPI_GPIO_BANKS + 2], save = ARDUIPI_REG_BOOT_SAVE;
	int i, m, shown = 0, clear = argc == 2 && !strcmp(argv[1], "clear");
	char name[8];

	for (i = 1; i < argc && !clear; i++) {
		char *eq = strchr(argv[i], '=');
		int line, bit;

		if (!eq)
			die(EXIT_USAGE, "'%s': give PIN=input, pullup, low or high", argv[i]);
		*eq = 0;
		line = pin(argv[i], 0);
		for (m = 0; m < 4 && strcmp(eq + 1, modes[m]); m++)
			;
		if (m == 4)
			die(EXIT_USAGE, "%s='%s': input, pullup, low or high", argv[i], eq + 1);
		bit = 1 << (line % 8);	/* the last word on a pin counts */
		mask[line / 8] |= bit;
		set_dir[line / 8] = (set_dir[line / 8] & ~bit) | (m >= 2 ? bit : 0);
		set_lvl[line / 8] = (set_lvl[line / 8] & ~bit) | (m & 1 ? bit : 0);
	}
	bus_open();
	reg = ARDUIPI_REG_PROTO_MAJOR;
	xfer_or_die(&reg, 1, v, 2);
	if (v[0] != ARDUIPI_PROTO_MAJOR || v[1] < 2)
		die(EXIT_FAILED, "this firmware (protocol %u.%u) has no boot state: flash the firmware that comes with this tool",
		    v[0], v[1]);
	reg = ARDUIPI_REG_BOOT_DIR;
	xfer_or_die(&reg, 1, b, sizeof(b));
	if (argc == 1) {
		for (i = 0; i < ARDUIPI_LINE_SDA; i++) {
			int bit = 1 << (i % 8), dir = b[i / 8] & bit;
			int lvl = b[ARDUIPI_GPIO_BANKS + i / 8] & bit;

			if (!dir && !lvl)
				continue;
			pin_name(name, sizeof(name), i);
			printf("%s%s=%s", shown++ ? " " : "", name,
			       modes[(dir ? 2 : 0) + !!lvl]);
		}
		printf("%s\n", shown ? "" : "input");
		return;
	}
	for (i = 0; i < ARDUIPI_GPIO_BANKS; i++) {
		b[i] = clear ? 0 : (b[i] & ~mask[i]) | set_dir[i];
		b[ARDUIPI_GPIO_BANKS + i] = clear ? 0 :
			(b[ARDUIPI_GPIO_BANKS + i] & ~mask[i]) | set_lvl[i];
	}
	w[0] = ARDUIPI_REG_BOOT_DIR;
	memcpy(w + 1, b, sizeof(b));
	w[sizeof(w) - 1] = 1;
	command(w, sizeof(w), NULL, 0);
	for (i = 0; i < 20; i++) {
		usleep(5000);
		xfer_or_die(&save, 1, v, 1);
		if (!v[0])
			break;
	}
	if (v[0])
		die(EXIT_FAILED, "the Nano did not finish writing its EEPROM within 100 ms");
	xfer_or_die(&reg, 1, w, sizeof(b));
	if (memcmp(w, b, sizeof(b)))
		die(EXIT_FAILED, "the boot state read back differs from the one written (the Nano reset meanwhile?)");
}

static void friendly(int argc, char **argv)
{
	const char *c = argv[0];
	uint8_t w[3], r[2];

	if (!strcmp(c, "info") && argc == 1) {
		bus_open();
		info();
	} else if (!strcmp(c, "ping") && argc == 1) {
		w[0] = ARDUIPI_CMD_PING;
		bus_open();
		command(w, 1, r, 1);
		printf("0x%02x\n", r[0]);
	} else if (!strcmp(c, "get") && argc == 2) {
		w[0] = pin(argv[1], 0);
		bus_open();
		command(w, 1, r, 1);
		printf("%u\n", r[0]);
	} else if (!strcmp(c, "set") && argc == 3) {
		w[0] = pin(argv[1], 0);
		w[1] = number("level", argv[2], 0, 1);
		bus_open();
		command(w, 2, NULL, 0);
	} else if (!strcmp(c, "mode") && (argc == 2 || argc == 3)) {
		static const char *const modes[] = { "input", "output", "pullup" };
		int m = -1;

		w[0] = pin(argv[1], 0);
		if (argc == 3) {
			for (m = 0; m < 3 && strcmp(argv[2], modes[m]); m++)
				;
			if (m == 3)
				die(EXIT_USAGE, "mode '%s': input, output or pullup", argv[2]);
		}
		w[1] = m < 0 ? ARDUIPI_PIN_GET_MODE : ARDUIPI_PIN_SET_MODE | m;
		bus_open();
		command(w, 2, r, m < 0);
		if (m < 0)
			printf("%s\n", r[0] < 3 ? modes[r[0]] : "unknown");
	} else if (!strcmp(c, "analog") && argc == 2) {
		w[0] = ARDUIPI_CMD_ANALOG_FIRST + pin(argv[1], 1);
		bus_open();
		command(w, 1, r, 2);
		printf("%u\n", r[0] | r[1] << 8);
	} else if (!strcmp(c, "pwm") && argc == 3) {
		w[0] = pin(argv[1], 0);
		w[1] = ARDUIPI_PIN_PWM;
		w[2] = number("duty", argv[2], 0, 255);
		bus_open();
		command(w, 3, NULL, 0);
	} else if (!strcmp(c, "boot")) {
		boot(argc, argv);
	} else {
		usage(stderr);
		exit(EXIT_USAGE);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	uint8_t b[MAX_BYTES], r[2];
	const char *hex = NULL;
	int op = 0, n, o;

	while ((o = getopt_long(argc, argv, "+b:a:fgGsd:hV", longopts, NULL)) != -1) {
		switch (o) {
		case 'b':
			bus = number("-b", optarg, 0, 1023);
			break;
		case 'a':
			addr = number("-a", optarg, ARDUIPI_ADDR_MIN, ARDUIPI_ADDR_MAX);
			break;
		case 'f':
			force = 1;
			break;
		case 'g':
		case 'G':
		case 's':
			if (op && op != o)
				die(EXIT_USAGE, "-%c and -%c: one of -g, -G, -s", op, o);
			op = o;
			break;
		case 'd':
			hex = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("arduipi %s (ArduiPi protocol %d.%d)\n", VERSION,
			       ARDUIPI_PROTO_MAJOR, ARDUIPI_PROTO_MINOR);
			return 0;
		default:
			fprintf(stderr, "arduipi: try 'arduipi --help'\n");
			return EXIT_USAGE;
		}
	}
	if (!op) {
		if (hex)
			die(EXIT_USAGE, "-d needs -g, -G or -s");
		if (optind == argc) {
			usage(stderr);
			return EXIT_USAGE;
		}
		friendly(argc - optind, argv + optind);
		return 0;
	}
	if (!hex)
		die(EXIT_USAGE, "-%c needs -d HEX (command byte and data)", op);
	if (optind != argc)
		die(EXIT_USAGE, "unexpected '%s' after -d", argv[optind]);
	n = parse_hex(hex, b);
	/*
	 * The specification's "Get Port Pin" (-g -d 0x1c02) shares its bytes
	 * with "Set Port C"; the firmware has it as 0x4b..0x4d.
	 */
	if (op == 'g' && n == 2 && b[0] >= ARDUIPI_CMD_PORT_B &&
	    b[0] <= ARDUIPI_CMD_PORT_D)
		b[0] += ARDUIPI_CMD_PORTPIN_GET_B - ARDUIPI_CMD_PORT_B;
	bus_open();
	if (op == 's') {
		command(b, n, NULL, 0);
	} else {
		command(b, n, r, op == 'G' ? 2 : 1);
		if (op == 'G')
			printf("0x%04x\n", r[0] | r[1] << 8);
		else
			printf("0x%02x\n", r[0]);
	}
	return 0;
}
