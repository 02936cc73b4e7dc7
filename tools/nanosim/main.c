// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: command line, setup and shutdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <getopt.h>
#include <unistd.h>
#include "nanosim.h"

int opt_realtime;
int opt_slowdown = 1;
long opt_crystal_ppm;
volatile sig_atomic_t quit_requested;

static const char usage[] =
"usage: nanosim [options] FIRMWARE.elf\n"
"\n"
"Simulate an Arduino Nano (ATmega328P) running FIRMWARE.elf as an I2C slave\n"
"and serve I2C transactions and board controls over a line protocol.\n"
"\n"
"options:\n"
"  --stdio              serve requests on stdin/stdout (default)\n"
"  --socket PATH        serve a unix stream socket, one client at a time\n"
"  --mhz 16|8           CPU clock in MHz (default 16)\n"
"  --clock HZ           I2C SCL rate (default 100000)\n"
"  --realtime           run continuously, paced to wall-clock time\n"
"  --slowdown N         with --realtime: N wall seconds per simulated second\n"
"                       (default: lockstep, time advances only inside requests)\n"
"  --int-line LINE      Nano line wired to the host's INT input (default D12)\n"
"  --eeprom FILE        load the EEPROM from FILE, save it back on exit\n"
"  --vcd FILE           write a VCD trace of D0..D13, A0..A5, INT and TWINT\n"
"  --master NAME        the Pi's I2C controller the master behaves as: ideal\n"
"                       (default), bcm2835, bcm2711 (Pi 1-4), rp1 (Pi 5)\n"
"  --xfer-timeout MS    clock-stretch timeout of the master (default: the\n"
"                       master's: 25 ideal, 35 bcm, 1000 rp1)\n"
"  --seed N             seed of the power-on SRAM garbage (default 1)\n"
"  --bootloader none|optiboot4.4|optiboot6\n"
"                       the reset cause as that bootloader hands it over\n"
"                       (MCUSR cleared; r2 holds it since Optiboot 4.6)\n"
"  -v, --verbose        show simavr's trace messages on stderr\n"
"  -h, --help           this text\n"
"\n"
"requests (one response line each: ok ... | err MSG | nack/timeout/buserr):\n"
"  xfer ADDR MSG...     MSG = w<hexbytes> (bare w: quick write) | r<count>\n"
"                       -> ok [hex per read] | nack addr M | nack data M B\n"
"                          | timeout | buserr | vanished\n"
"  clock HZ | xfer-timeout MS\n"
"  adc CH VOLTS | avcc VOLTS | aref VOLTS | temp CELSIUS\n"
"  wire L1 L2 | unwire L1 L2 | drive LINE 0|1|z | intline LINE\n"
"  pulse LINE WIDTH_US [COUNT [PERIOD_US]]   pulses off the driven level\n"
"  count LINE -> ok EDGES    edges the line made since start\n"
"  pin LINE -> ok LEVEL in|out PULL | pins -> ok 20x0/1 | int -> ok 0|1\n"
"  pwm LINE [WINDOW_MS] -> ok PERIOD_NS HIGH_NS | ok steady LEVEL\n"
"  events on|off        '! int LEVEL CYCLE' on every INT wire change\n"
"  wait MS | time -> ok CYCLES NS\n"
"  reset por|ext|bor|wdt\n"
"  fault flip N BIT | fault slip N | fault nack N | fault buserr N | fault vanish N\n"
"  fault stall MS\n"
"                       (one-shot, for the next xfer; N = byte in wire order)\n"
"  fault hang           CPU stops (interrupts off) until reset / fault clear\n"
"  fault mute [MS] | fault clear\n"
"  stats | stats reset\n"
"  peek ADDR [COUNT] | poke ADDR VAL | eeprom ADDR [COUNT]\n"
"  info | help | quit\n"
"lines: D0..D13, A0..A5 or 0..19. Hex for addresses/bytes, decimal for\n"
"counts and times. See Documentation/simulator.rst.\n";

static void on_signal(int sig)
{
	(void)sig;
	quit_requested = 1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "stdio", no_argument, NULL, 'S' },
		{ "socket", required_argument, NULL, 's' },
		{ "mhz", required_argument, NULL, 'm' },
		{ "clock", required_argument, NULL, 'c' },
		{ "realtime", no_argument, NULL, 'r' },
		{ "slowdown", required_argument, NULL, 'w' },
		{ "int-line", required_argument, NULL, 'i' },
		{ "eeprom", required_argument, NULL, 'e' },
		{ "vcd", required_argument, NULL, 'd' },
		{ "xfer-timeout", required_argument, NULL, 't' },
		{ "master", required_argument, NULL, 'M' },
		{ "seed", required_argument, NULL, 'x' },
		{ "bootloader", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sock = NULL, *eeprom = NULL, *vcd = NULL;
	unsigned mhz = 16, seed = 1;
	long scl = 100000;
	int int_line = 12, verbose = 0, bad = 0, c;
	const char *master = "ideal";
	double tmo = 0;

	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 'S': sock = NULL; break;
		case 's': sock = optarg; break;
		case 'm': mhz = atoi(optarg); break;
		case 'c': scl = atol(optarg); break;
		case 'r': opt_realtime = 1; break;
		case 'w': opt_slowdown = atoi(optarg); break;
		case 'i': int_line = line_parse(optarg); break;
		case 'e': eeprom = optarg; break;
		case 'd': vcd = optarg; break;
		case 't': tmo = atof(optarg); bad |= tmo <= 0; break;
		case 'M': master = optarg; break;
		case 'x': seed = strtoul(optarg, NULL, 0); break;
		case 'b':
			if (!strcmp(optarg, "optiboot4.4"))
				opt_bootloader = BL_OPTIBOOT44;
			else if (!strcmp(optarg, "optiboot6"))
				opt_bootloader = BL_OPTIBOOT6;
			else if (strcmp(optarg, "none"))
				bad = 1;
			break;
		case 'v': verbose = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (bad || optind != argc - 1 || (mhz != 16 && mhz != 8) || int_line < 0 ||
	    opt_slowdown < 1 || opt_slowdown > 100) {
		fputs(usage, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (mcu_setup(argv[optind], mhz * 1000000u, seed, verbose))
		return 1;
	twi_setup();
	adc_setup();
	timers_setup();
	board_setup(int_line);
	if (twi_set_clock(scl)) {
		fprintf(stderr, "nanosim: bad --clock %ld\n", scl);
		return 2;
	}
	if (twi_set_master(master)) {
		fprintf(stderr, "nanosim: bad --master %s (ideal, bcm2835, bcm2711, rp1)\n", master);
		return 2;
	}
	if (tmo > 0)
		twi_set_timeout(tmo);
	if (eeprom)
		ee_load(eeprom);
	mcu_reset(RST_POR);
	stats_clear();
	if (vcd && vcd_open(vcd)) {
		fprintf(stderr, "nanosim: cannot write %s\n", vcd);
		return 1;
	}
	if (sock ? server_socket(sock) : server_stdio()) {
		perror("nanosim: server");
		return 1;
	}
	mcu_run_until(avr->cycle + ms2cyc(2), NULL);	/* let the firmware boot */
	server_ready(argv[optind]);
	server_run();

	if (eeprom && ee_save(eeprom))
		fprintf(stderr, "nanosim: cannot save EEPROM to %s\n", eeprom);
	vcd_close();
	if (sock)
		unlink(sock);
	return 0;
}
