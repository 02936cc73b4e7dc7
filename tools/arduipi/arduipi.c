// SPDX-License-Identifier: MIT
/*
 * arduipi: talk to a Nano running the ArduiPi firmware from the command
 * line, through i2c-dev, without the kernel driver ("pinout" goes through
 * the driver when it is bound: pinout.c).
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
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "pinout.h"

#define VERSION		"1.2"	/* follows the protocol it speaks */

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
"  pinout             a picture of the Nano: what each pin is now, and who\n"
"                     has it (through the driver when it is bound)\n"
"  boot [PIN=input|pullup|low|high ...]  show or change the boot state,\n"
"                     what the pins are after any reset (kept in EEPROM;\n"
"                     \"boot clear\": every pin an input)\n"
"\n"
"Exit status: 0 done, 1 the bus or the Nano failed or refused, 2 usage.\n");
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
	} else if (!strcmp(c, "pinout") && argc == 1) {
		pinout();
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
