// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * nanosim: the stream server (stdin/stdout or a unix socket) and the main
 * loop that runs the simulation, lockstep or paced to wall-clock time.
 *
 * Requests are executed one at a time, in order. In lockstep mode the CPU
 * runs only while a request (xfer, wait) needs simulated time; in realtime
 * mode it runs all the time and a request completes when its simulated
 * time has come.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "nanosim.h"

#define INBUF	(1 << 17)

static int in_fd = -1, out_fd = -1, listen_fd = -1;
static int events_on, muted;
static double mute_until;		/* wall time, 0 = until cleared */
static char inbuf[INBUF];
static size_t inlen;
static uint64_t rt_cycle;
static double rt_wall;
static const char *fw_name = "";

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void drop_client(void)
{
	if (listen_fd < 0) {		/* stdio: end of input ends the run */
		quit_requested = 1;
		return;
	}
	if (in_fd >= 0)
		close(in_fd);
	in_fd = out_fd = -1;
	inlen = 0;
	events_on = 0;
}

static void write_line(const char *s, size_t n)
{
	while (out_fd >= 0 && n) {
		ssize_t w = send(out_fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(out_fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			drop_client();
			return;
		}
		s += w;
		n -= w;
	}
}

static void vline(const char *fmt, va_list ap)
{
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);

	if (n < 0)
		return;
	s = realloc(s, n + 2);
	if (s) {
		s[n] = '\n';
		write_line(s, n + 1);
	}
	free(s);
}

void out_line(const char *fmt, ...)
{
	va_list ap;

	if (muted)
		return;
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}

void event_line(const char *fmt, ...)
{
	va_list ap;

	if (!events_on || muted)
		return;
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}

void server_events(int on)
{
	events_on = on;
}

void server_mute(double ms)
{
	muted = ms >= 0;
	mute_until = ms > 0 ? wall() + ms / 1000 : 0;
}

const char *server_info(void)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "ok nanosim mhz=%u scl=%u int=%s mode=%s firmware=%s",
		 (unsigned)(avr->frequency / 1000000), twi_clock(),
		 line_name(board_intline()), opt_realtime ? "realtime" : "lockstep", fw_name);
	return buf;
}

/* ---- input -------------------------------------------------------------------- */

static char *next_line(void)
{
	static char line[INBUF];
	char *nl = memchr(inbuf, '\n', inlen);
	size_t n;

	if (!nl) {
		if (inlen == sizeof(inbuf)) {	/* overlong line: drop it */
			inlen = 0;
			out_line("err line too long");
		}
		return NULL;
	}
	n = nl - inbuf;
	memcpy(line, inbuf, n);
	line[n] = 0;
	memmove(inbuf, nl + 1, inlen - n - 1);
	inlen -= n + 1;
	return line;
}

static void process_lines(void)
{
	while (!quit_requested) {
		char *line;

		if (proto_busy()) {
			if (opt_realtime)
				return;		/* completes in the main loop */
			mcu_run_until(proto_target(), proto_done);
			proto_poll();
			continue;
		}
		if (muted && mute_until && wall() >= mute_until)
			muted = 0;
		line = next_line();
		if (!line)
			return;
		if (muted) {		/* hung: only "fault clear" gets through */
			char c[16];

			if (sscanf(line, " fault %15s", c) != 1 || strcmp(c, "clear"))
				continue;
			muted = 0;
		}
		proto_line(line);
	}
}

static void read_input(void)
{
	ssize_t n = read(in_fd, inbuf + inlen, sizeof(inbuf) - inlen);

	if (n > 0)
		inlen += n;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		drop_client();
}

/* ---- realtime pacing ------------------------------------------------------------ */

static void rt_run(void)
{
	double now = wall();
	uint64_t target = rt_cycle +
			  (uint64_t)((now - rt_wall) * avr->frequency *
				     (1 + opt_crystal_ppm * 1e-6) / opt_slowdown);

	if (target > avr->cycle && target - avr->cycle > st.rt_lag_max)
		st.rt_lag_max = target - avr->cycle;
	if (target > avr->cycle + ms2cyc(100)) {	/* too slow: fall back */
		st.rt_overruns++;
		rt_cycle = avr->cycle;
		rt_wall = now;
		target = avr->cycle + ms2cyc(1);
	}
	if (target > avr->cycle)
		mcu_run_until(target, proto_busy() ? proto_done : NULL);
	proto_poll();
}

/* realtime: pacing anew from now on (a new rate); -1 without --realtime */
static int rt_restart(void)
{
	if (!opt_realtime)
		return -1;
	rt_cycle = avr->cycle;
	rt_wall = wall();
	return 0;
}

/* realtime: n wall seconds per simulated second from now on */
int server_slowdown(int n)
{
	if (rt_restart())
		return -1;
	opt_slowdown = n;
	return 0;
}

/* realtime: the Nano's clock ppm parts per million fast from now on */
int server_crystal(long ppm)
{
	if (rt_restart())
		return -1;
	opt_crystal_ppm = ppm;
	return 0;
}

/* ---- setup and main loop ---------------------------------------------------------- */

int server_stdio(void)
{
	in_fd = 0;
	out_fd = dup(1);
	/* anything simavr prints must not reach the protocol stream */
	if (out_fd < 0 || dup2(2, 1) < 0)
		return -1;
	return 0;
}

int server_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(listen_fd, 1))
		return -1;
	return 0;
}

void server_ready(const char *firmware)
{
	const char *slash = strrchr(firmware, '/');
	const char *info;

	fw_name = slash ? slash + 1 : firmware;
	info = server_info();
	if (listen_fd < 0) {
		out_line("ok nanosim ready%s", info + 10);
	} else {
		printf("ok nanosim ready%s\n", info + 10);
		fflush(stdout);
	}
	rt_cycle = avr->cycle;
	rt_wall = wall();
}

void server_run(void)
{
	while (!quit_requested) {
		struct pollfd p[2];
		struct timespec ts = { 0, 0 }, *tp = NULL;
		int n = 0;

		if (opt_realtime)
			rt_run();
		process_lines();
		if (quit_requested)
			break;
		/* Realtime: 1 ms steps; 50 us while a request runs, so that
		 * its answer leaves when simulated time gets there. */
		if (opt_realtime)
			ts.tv_nsec = proto_busy() ? 50000 : 1000000;
		else if (muted && mute_until)
			ts.tv_nsec = 10000000;
		if (ts.tv_nsec)
			tp = &ts;
		if (in_fd >= 0)
			p[n++] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
		else if (listen_fd >= 0)
			p[n++] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		if (ppoll(p, n, tp, NULL) <= 0)
			continue;
		if (in_fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			read_input();
		else if (in_fd < 0 && listen_fd >= 0 && (p[0].revents & POLLIN)) {
			in_fd = out_fd = accept(listen_fd, NULL, NULL);
			inlen = 0;
			events_on = 0;
		}
	}
}
