// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * twinbus: the host side of the digital twin's I2C bus.
 *
 * It runs one nanosim per simulated Nano (realtime mode, the real firmware)
 * and serves two unix sockets that QEMU connects its chardevs to:
 *
 *  --bus SOCK  the guest's twin-link UART: I2C transfers and GPIO levels
 *              (protocol in twin-link/twin-link.c). A transfer goes to the
 *              Nano answering its address: the one last seen there, else
 *              whichever acknowledges it, as on a shared bus. A Nano's INT
 *              pin drives one guest GPIO line.
 *  --ctl SOCK  a virtio serial port for test scripts in the guest (simctl):
 *              "NANO COMMAND" runs a nanosim command on that Nano and
 *              answers its response line; "bus COMMAND" is for twinbus:
 *                bus nanos        ok NAME@ADDR...
 *                bus kill NANO    kill that simulator (SIGKILL)
 *                bus reflash NANO 16|8 [MASTER]
 *                                 start that Nano's simulator again with
 *                                 the 16 or 8 MHz firmware, as avrdude
 *                                 would leave it: pins as inputs, boot 1;
 *                                 its bus master that one (else --master)
 *                bus mute MS      ignore the guest's transfers for MS ms
 *                bus gpio LINE    ok LEVEL DIR PULL of a guest GPIO line
 *                bus flip N [HEX [BIT...]]
 *                                 corrupt the next N transfers that read
 *                                 (that begin by writing HEX, a9 63 for a
 *                                 PEC write of 0x63): bit 0 of their last
 *                                 byte read flips on the wire; or the
 *                                 BITs, counted in wire order (MSB first)
 *                                 from the first bit read
 *                bus pause MS [NANO CMD]
 *                                 stop the guest (QEMU's "stop" through
 *                                 --qmp) for MS ms of wall-clock time, as a
 *                                 hung Pi; the Nanos run on. CMD runs on
 *                                 NANO before the guest resumes and its
 *                                 response is the answer (nanosim "edges":
 *                                 what the firmware did meanwhile).
 *                bus master       ok NAME xfers=N stretched=N early=N runts=N
 *                                 missed=N corrupt=N: what the master
 *                                 model did, all Nanos, since the start
 *                                 (nanosim "master"; kept across reflash)
 *                bus atexit NANO CMD
 *                                 run CMD on NANO once the guest is gone
 *                                 (powered off) and print its response on
 *                                 stderr: "twinbus: at exit: NANO CMD: RESP"
 *                                 (what the Nano was left doing)
 *
 *   twinbus [-v] --nanosim PATH --firmware ELF [--firmware8 ELF]
 *           --bus SOCK --ctl SOCK [--qmp SOCK] [--master NAME]
 *           --nano ADDR [--mhz 8] [--int GPIO|none] [--elf ELF] [--slowdown N]
 *           [--sim CMD]... ...
 *
 * --firmware8 is the 8 MHz build, for --mhz 8. --mhz, --int (default 4),
 * --elf (another firmware build), --slowdown (the Nano runs N times
 * slower than real time) and --sim apply to the --nano before them;
 * --sim runs a nanosim command at start (wiring, analog inputs). A Nano at an
 * address other than 0x2a gets it through the firmware's own address
 * change. --master is the Pi's I2C controller every Nano's bus master
 * behaves as (nanosim --master: ideal, bcm2835, bcm2711, rp1). "ready" on
 * stdout when both sockets listen.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "simclient.h"

#define MAX_NANOS	8
#define MAX_SIM_CMDS	32
#define NGPIO		54
#define LINE_MAX_LEN	(1 << 14)

struct nano {
	char name[8];
	unsigned int addr;		/* the address it answered at last */
	const char *mhz;
	const char *elf;		/* NULL: --firmware or --firmware8 */
	const char *slowdown;		/* nanosim --slowdown */
	char master[16];		/* "": --master */
	int int_gpio;			/* -1: not wired */
	int int_level;
	int dead;
	unsigned long long mst[6];	/* master counters of its earlier runs */
	const char *cmds[MAX_SIM_CMDS];
	int ncmds;
	struct simclient *s;
};

struct conn {
	int listen_fd, fd;
	size_t len;
	char buf[LINE_MAX_LEN];
};

static struct nano nanos[MAX_NANOS];
static int nnanos;
static struct conn bus, ctl;
static int verbose;
static const char *qmp_path;
static const char *nanosim_path, *fw_elf, *fw_elf8;
static const char *master = "ideal";
static const char *const mst_keys[6] = { "xfers", "stretched", "early", "runts",
					 "missed", "corrupt" };
static struct nano *atexit_nano;
static char atexit_cmd[256];
static long long mute_until;
#define FLIP_BITS	8
static int flip_count, flip_nbits, flip_bit[FLIP_BITS];
static char flip_match[64];

/* Flip bit p (wire order) of the hex bytes after "ok "; 0: out of range */
static int flip_hex_bit(char *resp, int p)
{
	size_t i = 3 + 2 * (p / 8) + (p % 8 >= 4);
	char *c = resp + i;
	int v;

	if (p < 0 || i >= strlen(resp) || !isxdigit((unsigned char)*c))
		return 0;
	v = isdigit((unsigned char)*c) ? *c - '0' : tolower(*c) - 'a' + 10;
	v ^= 8 >> (p % 4);
	*c = "0123456789abcdef"[v];
	return 1;
}
static struct {
	int out, level;
	const char *pull;
} gpio[NGPIO];

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("twinbus: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void put(struct conn *c, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	if (verbose)
		fprintf(stderr, "twinbus: %s <- %s\n", c == &bus ? "bus" : "ctl", line);
	line[n++] = '\n';
	if (c->fd >= 0 && send(c->fd, line, n, MSG_NOSIGNAL) != n)
		fprintf(stderr, "twinbus: short write to the guest\n");
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		die("cannot create a socket for %s", path);
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		die("cannot listen on %s: %s", path, strerror(errno));
	return fd;
}

static struct nano *nano_by_name(const char *name)
{
	for (int i = 0; i < nnanos; i++)
		if (!strcmp(nanos[i].name, name))
			return &nanos[i];
	return NULL;
}

/* Forward a Nano's INT changes to its guest GPIO line. */
static void nano_events(struct nano *n)
{
	char ev[256];
	int level;

	while (sim_event(n->s, ev, sizeof(ev))) {
		if (sscanf(ev, "! int %d", &level) != 1 || level == n->int_level)
			continue;
		n->int_level = level;
		if (n->int_gpio >= 0) {
			gpio[n->int_gpio].level = level;
			put(&bus, "g %d %d", n->int_gpio, level);
		}
	}
}

/* One nanosim request; a simulator that does not answer is dead. */
static int nano_cmd(struct nano *n, char *resp, size_t len, const char *req)
{
	int r;

	if (n->dead) {
		snprintf(resp, len, "err simulator %s is dead", n->name);
		return -2;
	}
	r = sim_cmd(n->s, resp, len, "%s", req);
	if (r < 0 && (!strcmp(resp, "err no response") ||
		      !strcmp(resp, "err simulator exited"))) {
		fprintf(stderr, "twinbus: simulator %s is gone (%s)\n", n->name, resp);
		n->dead = 1;
		return -2;
	}
	nano_events(n);
	return r;
}

static void nano_start(struct nano *n)
{
	const char *argv[] = { "--realtime", "--slowdown", n->slowdown, "--mhz", n->mhz,
			       "--master", n->master[0] ? n->master : master,
			       n->elf ? n->elf : strcmp(n->mhz, "8") ? fw_elf : fw_elf8,
			       NULL };
	char resp[256], req[64];
	unsigned int a = n->addr;

	n->dead = 0;
	n->s = sim_spawn(nanosim_path, argv);
	if (!n->s)
		die("cannot start nanosim for %s", n->name);
	sim_set_timeout(n->s, 1500);
	if (!argv[7])
		die("nano %s: --mhz 8 needs --firmware8", n->name);
	if (a != 0x2a) {
		snprintf(req, sizeof(req), "xfer 2a w5d%02x%02x", a, ~a & 0xff);
		if (nano_cmd(n, resp, sizeof(resp), req) ||
		    nano_cmd(n, resp, sizeof(resp), "wait 20"))
			die("cannot move Nano %s to its address: %s", n->name, resp);
	}
	for (int i = 0; i < n->ncmds; i++)
		if (nano_cmd(n, resp, sizeof(resp), n->cmds[i]) < 0)
			die("nano %s: '%s': %s", n->name, n->cmds[i], resp);
	if (nano_cmd(n, resp, sizeof(resp), "events on") ||
	    nano_cmd(n, resp, sizeof(resp), "int") ||
	    sscanf(resp, "ok %d", &n->int_level) != 1)
		die("nano %s: %s", n->name, resp);
	if (n->int_gpio >= 0)
		gpio[n->int_gpio].level = n->int_level;
}

/* "x SEQ ADDR MSG...": route to the Nano that acknowledges ADDR. */
static void bus_xfer(char *args)
{
	char resp[LINE_MAX_LEN], req[LINE_MAX_LEN];
	unsigned int seq, addr;
	int off, dead = 0;

	if (sscanf(args, "%u %x %n", &seq, &addr, &off) != 2) {
		fprintf(stderr, "twinbus: bad transfer '%s'\n", args);
		return;
	}
	snprintf(req, sizeof(req), "xfer %x %s", addr, args + off);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < nnanos; i++) {
			struct nano *n = &nanos[i];
			int r;

			if ((n->addr == addr) != (pass == 0))
				continue;
			if (n->dead) {
				dead |= n->addr == addr;
				continue;
			}
			r = nano_cmd(n, resp, sizeof(resp), req);
			if (r == -2) {
				dead |= n->addr == addr;
				continue;
			}
			if (r == 1 && !strcmp(resp, "nack addr 0"))
				continue;
			n->addr = addr;
			/*
			 * A Pi sees INT move within microseconds of the write
			 * that releases it; here the firmware's main loop acts
			 * after the STOP. Let it run 100 us and pass the INT
			 * change on before the answer, as on the wire.
			 */
			if (r == 0 && strstr(req, " w") && !n->dead) {
				char w[64];

				nano_cmd(n, w, sizeof(w), "wait 0.1");
			}
			if (flip_count > 0 && r == 0 && strlen(resp) > 3 &&
			    args[off] == 'w' &&
			    !strncasecmp(args + off + 1, flip_match, strlen(flip_match)) &&
			    strchr("0123456789abcdef", resp[strlen(resp) - 1])) {
				/* the last hex digit of the answer is bit 0..3
				 * of the last byte read */
				char *last = resp + strlen(resp) - 1;

				if (!flip_nbits)
					*last = "1032547698badcfe"[*last <= '9' ? *last - '0' :
								      *last - 'a' + 10];
				for (int i = 0; i < flip_nbits; i++)
					flip_hex_bit(resp, flip_bit[i]);
				flip_count--;
			}
			put(&bus, "x %u %s", seq, resp);
			return;
		}
	}
	put(&bus, "x %u %s", seq, dead ? "timeout" : "nack addr 0");
}

static void bus_line(char *line)
{
	unsigned int hz, l, v;
	char bias[8];

	if (verbose)
		fprintf(stderr, "twinbus: bus -> %s\n", line);
	if (!strncmp(line, "x ", 2)) {
		if (now_ms() < mute_until)
			return;
		bus_xfer(line + 2);
	} else if (!strcmp(line, "hello")) {
		for (int i = 0; i < nnanos; i++)
			if (nanos[i].int_gpio >= 0)
				put(&bus, "g %d %d", nanos[i].int_gpio, nanos[i].int_level);
		put(&bus, "hello twinbus");
	} else if (sscanf(line, "clock %u", &hz) == 1) {
		char req[32], resp[256];

		snprintf(req, sizeof(req), "clock %u", hz);
		for (int i = 0; i < nnanos; i++)
			if (nano_cmd(&nanos[i], resp, sizeof(resp), req) == -1)
				fprintf(stderr, "twinbus: %s: %s: %s\n",
					nanos[i].name, req, resp);
	} else if (sscanf(line, "o %u %u", &l, &v) == 2 && l < NGPIO) {
		gpio[l].out = 1;
		gpio[l].level = !!v;
	} else if (sscanf(line, "p %u %7s", &l, bias) == 2 && l < NGPIO) {
		gpio[l].pull = !strcmp(bias, "up") ? "up" :
			       !strcmp(bias, "down") ? "down" : "off";
	} else {
		fprintf(stderr, "twinbus: unknown line from the guest: %s\n", line);
	}
}

/* Read lines from fd until count of them contain want; 0 then, -1 on an
 * "error" line, EOF or 3 s of silence. */
static int qmp_expect(int fd, const char *want, int count)
{
	char buf[4096];
	size_t len = 0;

	while (count > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t got;

		if (poll(&p, 1, 3000) != 1)
			return -1;
		got = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (got <= 0)
			return -1;
		len += got;
		buf[len] = 0;
		while (count > 0 && (nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (strstr(buf, want))
				count--;
			else if (strstr(buf, "\"error\""))
				return -1;
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;
	}
	return 0;
}

/* One QMP command (stop, cont) on a connection of its own. */
static int qmp(const char *command)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[128];
	int fd, r = -1;

	if (!qmp_path || strlen(qmp_path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, qmp_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	snprintf(req, sizeof(req),
		 "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"%s\"}\n", command);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !qmp_expect(fd, "\"QMP\"", 1) &&
	    write(fd, req, strlen(req)) == (ssize_t)strlen(req) &&
	    !qmp_expect(fd, "\"return\"", 2))
		r = 0;
	close(fd);
	return r;
}

/* "pause MS [NANO CMD]" */
static void ctl_pause(char *args)
{
	char resp[LINE_MAX_LEN] = "ok";
	unsigned long ms = strtoul(args, &args, 10);
	struct timespec ts;
	struct nano *n = NULL;
	char *name, *cmd = NULL;

	name = strtok_r(args, " ", &cmd);
	if (name && !(n = nano_by_name(name))) {
		put(&ctl, "err no Nano named %s", name);
		return;
	}
	if (!ms || ms > 60000 || (n && (!cmd || !*cmd))) {
		put(&ctl, "err usage: bus pause MS [NANO CMD]");
		return;
	}
	if (qmp("stop")) {
		put(&ctl, "err cannot stop the guest (QMP at %s)", qmp_path ? qmp_path : "none");
		return;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	if (n)
		nano_cmd(n, resp, sizeof(resp), cmd);
	if (qmp("cont"))
		die("cannot resume the guest");
	put(&ctl, "%s", resp);
}

/*
 * The master counters of a live Nano's simulator ("master"), added to
 * out[] (its own n->mst when its simulator is about to go).
 */
static void nano_master(struct nano *n, unsigned long long *out)
{
	char resp[512], key[32];
	unsigned long long v[6] = { 0 };

	if (!n->dead && !nano_cmd(n, resp, sizeof(resp), "master")) {
		for (int k = 0; k < 6; k++) {
			const char *f;

			snprintf(key, sizeof(key), " %s=", mst_keys[k]);
			f = strstr(resp, key);
			if (f)
				v[k] = strtoull(f + strlen(key), NULL, 10);
		}
	}
	for (int k = 0; k < 6; k++)
		out[k] += v[k];
}

static void ctl_bus(char *cmd)
{
	char list[32 * MAX_NANOS] = "ok";
	struct nano *n;
	unsigned int l, ms;
	char name[16];
	int off = 0;

	if (!strcmp(cmd, "nanos")) {
		for (int i = 0; i < nnanos; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 " %.7s@%02x%s", nanos[i].name, nanos[i].addr,
				 nanos[i].dead ? "(dead)" : "");
		put(&ctl, "%s", list);
	} else if (sscanf(cmd, "kill %15s", name) == 1) {
		n = nano_by_name(name);
		if (!n || n->dead) {
			put(&ctl, "err no live Nano %s", name);
			return;
		}
		nano_master(n, n->mst);
		kill(sim_pid(n->s), SIGKILL);
		waitpid(sim_pid(n->s), NULL, 0);
		n->dead = 1;
		put(&ctl, "ok");
	} else if (sscanf(cmd, "reflash %15s %u%n", name, &l, &off) == 2) {
		char mst[16] = "", word[20];
		int with = sscanf(cmd + off, " %15s", mst) == 1;

		snprintf(word, sizeof(word), " %s ", mst);
		n = nano_by_name(name);
		if (!n || (l != 16 && l != 8) || (l == 8 && !fw_elf8) ||
		    (with && !strstr(" ideal bcm2835 bcm2711 rp1 ", word))) {
			put(&ctl, "err usage: reflash NANO 16|8 [ideal|bcm2835|bcm2711|rp1] (8 needs --firmware8)");
			return;
		}
		nano_master(n, n->mst);
		sim_close(n->s);
		n->mhz = l == 8 ? "8" : "16";
		n->elf = NULL;
		snprintf(n->master, sizeof(n->master), "%s", with ? mst : "");
		nano_start(n);
		if (n->int_gpio >= 0)
			put(&bus, "g %d %d", n->int_gpio, n->int_level);
		put(&ctl, "ok");
	} else if (!strcmp(cmd, "master")) {
		unsigned long long t[6] = { 0 };

		for (int i = 0; i < nnanos; i++) {
			nano_master(&nanos[i], t);
			for (int k = 0; k < 6; k++)
				t[k] += nanos[i].mst[k];
		}
		put(&ctl, "ok %s xfers=%llu stretched=%llu early=%llu runts=%llu missed=%llu corrupt=%llu",
		    master, t[0], t[1], t[2], t[3], t[4], t[5]);
	} else if (sscanf(cmd, "mute %u", &ms) == 1) {
		mute_until = now_ms() + ms;
		put(&ctl, "ok");
	} else if (sscanf(cmd, "flip %u%n", &ms, &off) == 1) {
		int k = 0, used;

		flip_match[0] = 0;
		flip_nbits = 0;
		if (cmd[off] && sscanf(cmd + off, " %63[0-9a-fA-F]%n", flip_match, &used) != 1) {
			put(&ctl, "err usage: flip N [HEX [BIT...]]");
			return;
		}
		if (cmd[off])
			off += used;
		while (sscanf(cmd + off, " %d%n", &flip_bit[k], &used) == 1) {
			if (flip_bit[k] < 0 || ++k == FLIP_BITS) {
				put(&ctl, "err flip: up to %d bits, from 0", FLIP_BITS - 1);
				return;
			}
			off += used;
		}
		if (cmd[off] && strspn(cmd + off, " ") != strlen(cmd + off)) {
			put(&ctl, "err usage: flip N [HEX [BIT...]]");
			return;
		}
		flip_nbits = k;
		flip_count = ms;
		put(&ctl, "ok");
	} else if (!strncmp(cmd, "pause ", 6)) {
		ctl_pause(cmd + 6);
	} else if (sscanf(cmd, "atexit %15s %n", name, &off) == 1 && off && cmd[off]) {
		n = nano_by_name(name);
		if (!n) {
			put(&ctl, "err no Nano named %s", name);
			return;
		}
		atexit_nano = n;
		snprintf(atexit_cmd, sizeof(atexit_cmd), "%s", cmd + off);
		put(&ctl, "ok");
	} else if (sscanf(cmd, "gpio %u", &l) == 1 && l < NGPIO) {
		put(&ctl, "ok %d %s %s", gpio[l].level, gpio[l].out ? "out" : "in",
		    gpio[l].pull ? gpio[l].pull : "none");
	} else {
		put(&ctl, "err unknown bus command: %s", cmd);
	}
}

/* "NANO COMMAND" or "bus COMMAND" */
static void ctl_line(char *line)
{
	char resp[LINE_MAX_LEN];
	char *cmd = strchr(line, ' ');
	struct nano *n;

	if (verbose)
		fprintf(stderr, "twinbus: ctl -> %s\n", line);
	if (!cmd) {
		put(&ctl, "err expected: NANO COMMAND");
		return;
	}
	*cmd++ = 0;
	if (!strcmp(line, "bus")) {
		ctl_bus(cmd);
		return;
	}
	n = nano_by_name(line);
	if (!n) {
		put(&ctl, "err no Nano named %s", line);
		return;
	}
	nano_cmd(n, resp, sizeof(resp), cmd);
	put(&ctl, "%s", resp);
}

/* Read what is there; hand over complete lines. 0 when the peer closed. */
static int conn_read(struct conn *c, void (*handle)(char *))
{
	ssize_t got = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl;

	if (got <= 0)
		return 0;
	c->len += got;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t n = nl - c->buf;

		*nl = 0;
		if (n && c->buf[n - 1] == '\r')
			c->buf[n - 1] = 0;
		handle(c->buf);
		memmove(c->buf, nl + 1, c->len - n - 1);
		c->len -= n + 1;
	}
	if (c->len == sizeof(c->buf) - 1)
		c->len = 0;	/* an endless line: drop it */
	return 1;
}

static int parse_gpio(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "none"))
		return -1;
	v = strtol(s, &end, 0);
	if (*end || v < 0 || v >= NGPIO)
		die("--int: '%s' is not a GPIO line 0..%d or none", s, NGPIO - 1);
	return v;
}

int main(int argc, char **argv)
{
	const char *bus_path = NULL, *ctl_path = NULL;
	struct nano *cur = NULL;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "-v")) {
			verbose = 1;
			continue;
		}
		if (!v)
			die("%s needs a value", o);
		i++;
		if (!strcmp(o, "--nanosim")) {
			nanosim_path = v;
		} else if (!strcmp(o, "--firmware")) {
			fw_elf = v;
		} else if (!strcmp(o, "--firmware8")) {
			fw_elf8 = v;
		} else if (!strcmp(o, "--bus")) {
			bus_path = v;
		} else if (!strcmp(o, "--ctl")) {
			ctl_path = v;
		} else if (!strcmp(o, "--qmp")) {
			qmp_path = v;
		} else if (!strcmp(o, "--master")) {
			master = v;
		} else if (!strcmp(o, "--nano")) {
			char *end;
			long a = strtol(v, &end, 16);

			if (*end || a < 0x08 || a > 0x77 || nnanos == MAX_NANOS)
				die("--nano: '%s' is not an address 08..77 (hex)", v);
			cur = &nanos[nnanos++];
			snprintf(cur->name, sizeof(cur->name), "%02lx", a);
			if (nnanos > 1 && nano_by_name(cur->name) != cur)
				die("--nano: two Nanos at %s", cur->name);
			cur->addr = a;
			cur->mhz = "16";
			cur->slowdown = "1";
			cur->int_gpio = 4;
		} else if (!cur) {
			die("%s before any --nano", o);
		} else if (!strcmp(o, "--mhz")) {
			if (strcmp(v, "16") && strcmp(v, "8"))
				die("--mhz: 16 or 8");
			cur->mhz = v;
		} else if (!strcmp(o, "--int")) {
			cur->int_gpio = parse_gpio(v);
		} else if (!strcmp(o, "--elf")) {
			cur->elf = v;
		} else if (!strcmp(o, "--slowdown")) {
			cur->slowdown = v;
		} else if (!strcmp(o, "--sim")) {
			if (cur->ncmds == MAX_SIM_CMDS)
				die("too many --sim");
			cur->cmds[cur->ncmds++] = v;
		} else {
			die("unknown option %s", o);
		}
	}
	if (!nanosim_path || !fw_elf || !bus_path || !ctl_path || !nnanos)
		die("usage: twinbus [-v] --nanosim PATH --firmware ELF [--firmware8 ELF] --bus SOCK --ctl SOCK [--qmp SOCK] [--master NAME] --nano ADDR [--mhz 8] [--int GPIO|none] [--elf ELF] [--slowdown N] [--sim CMD]...");
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < nnanos; i++)
		nano_start(&nanos[i]);
	bus.listen_fd = listen_on(bus_path);
	ctl.listen_fd = listen_on(ctl_path);
	bus.fd = ctl.fd = -1;
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		struct pollfd p[4 + MAX_NANOS];
		struct conn *conns[] = { &bus, &ctl };
		int np = 0;

		for (int i = 0; i < 2; i++)
			p[np++] = (struct pollfd){
				.fd = conns[i]->fd >= 0 ? conns[i]->fd : conns[i]->listen_fd,
				.events = POLLIN };
		for (int i = 0; i < nnanos; i++)
			p[np++] = (struct pollfd){
				.fd = nanos[i].dead ? -1 : sim_fd(nanos[i].s), .events = POLLIN };
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (int i = 0; i < nnanos; i++) {
			if (!p[2 + i].revents)
				continue;
			if (sim_poll(nanos[i].s, 0) < 0) {
				fprintf(stderr, "twinbus: simulator %s exited\n", nanos[i].name);
				nanos[i].dead = 1;
			}
			nano_events(&nanos[i]);
		}
		for (int i = 0; i < 2; i++) {
			struct conn *c = conns[i];

			if (!p[i].revents)
				continue;
			if (c->fd < 0) {
				c->fd = accept(c->listen_fd, NULL, NULL);
				c->len = 0;
			} else if (!conn_read(c, c == &bus ? bus_line : ctl_line)) {
				close(c->fd);
				c->fd = -1;
				if (c == &bus)
					goto out;	/* QEMU is gone */
			}
		}
	}
out:
	if (atexit_nano) {
		char resp[LINE_MAX_LEN];

		nano_cmd(atexit_nano, resp, sizeof(resp), atexit_cmd);
		fprintf(stderr, "twinbus: at exit: %s %s: %s\n", atexit_nano->name,
			atexit_cmd, resp);
	}
	for (int i = 0; i < nnanos; i++)
		if (!nanos[i].dead)
			sim_close(nanos[i].s);
	unlink(bus_path);
	unlink(ctl_path);
	return 0;
}
