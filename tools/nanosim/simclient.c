// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * simclient: a small C client for nanosim's line protocol. The simulator
 * talks over a socketpair (its stdin and stdout), so a dead simulator gives
 * an error, never SIGPIPE.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "simclient.h"

#define BUF	(1 << 17)

struct event {
	struct event *next;
	char line[];
};

struct simclient {
	pid_t pid;
	int fd;
	int timeout_ms;
	int dead;		/* a response went missing: out of step */
	size_t len;
	struct event *head, **tail;
	char ready[256];
	char buf[BUF];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Next complete line (without newline) or NULL after timeout_ms / EOF. */
static char *read_line(struct simclient *s, int timeout_ms, int *eof)
{
	static char line[BUF];
	long long end = now_ms() + timeout_ms;

	*eof = 0;
	for (;;) {
		char *nl = memchr(s->buf, '\n', s->len);

		if (nl) {
			size_t n = nl - s->buf;

			memcpy(line, s->buf, n);
			line[n] = 0;
			if (n && line[n - 1] == '\r')
				line[n - 1] = 0;
			memmove(s->buf, nl + 1, s->len - n - 1);
			s->len -= n + 1;
			return line;
		}
		long long left = end - now_ms();
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		if (left < 0 || s->len == sizeof(s->buf))
			return NULL;
		int r = poll(&p, 1, (int)left);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		ssize_t got = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			*eof = 1;
			return NULL;
		}
		s->len += got;
	}
}

static void queue_event(struct simclient *s, const char *line)
{
	struct event *e = malloc(sizeof(*e) + strlen(line) + 1);

	if (!e)
		return;
	strcpy(e->line, line);
	e->next = NULL;
	*s->tail = e;
	s->tail = &e->next;
}

/*
 * Event lines that arrived in the same read as a response: queue them now.
 * Left in the buffer they would wait for the next read, and a caller
 * polling the socket would never hear of them.
 */
static void queue_buffered_events(struct simclient *s)
{
	char *nl;
	int eof;

	while (s->len && s->buf[0] == '!' && (nl = memchr(s->buf, '\n', s->len)))
		queue_event(s, read_line(s, 0, &eof));
}

struct simclient *sim_spawn(const char *path, const char *const extra[])
{
	struct simclient *s = calloc(1, sizeof(*s));
	int sv[2], n = 0, eof;
	const char **argv;
	char *line;

	if (!s)
		return NULL;
	while (extra && extra[n])
		n++;
	argv = calloc(n + 3, sizeof(*argv));
	if (!argv || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		free(argv);
		free(s);
		return NULL;
	}
	argv[0] = path;
	argv[1] = "--stdio";
	for (int i = 0; i < n; i++)
		argv[i + 2] = extra[i];
	s->pid = fork();
	if (s->pid == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		execv(path, (char *const *)argv);
		fprintf(stderr, "simclient: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	free(argv);
	close(sv[1]);
	s->fd = sv[0];
	s->tail = &s->head;
	s->timeout_ms = 30000;
	if (s->pid < 0) {
		close(s->fd);
		free(s);
		return NULL;
	}
	while ((line = read_line(s, s->timeout_ms, &eof))) {
		if (!strncmp(line, "ok nanosim ready", 16)) {
			snprintf(s->ready, sizeof(s->ready), "%s", line);
			return s;
		}
		if (line[0] != '!')
			break;
	}
	fprintf(stderr, "simclient: %s did not become ready\n", path);
	sim_close(s);
	return NULL;
}

int sim_cmd(struct simclient *s, char *resp, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *req = NULL, *line;
	int n, eof;
	size_t off = 0;

	if (resp && len)
		resp[0] = 0;
	if (s->dead) {
		if (resp && len)
			snprintf(resp, len, "err out of step after a lost response");
		return -1;
	}
	va_start(ap, fmt);
	n = vasprintf(&req, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	req = realloc(req, n + 2);
	if (!req)
		return -1;
	req[n++] = '\n';
	while (off < (size_t)n) {
		ssize_t w = send(s->fd, req + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(req);
			return -1;
		}
		off += w;
	}
	free(req);
	while ((line = read_line(s, s->timeout_ms, &eof))) {
		if (line[0] == '!') {
			queue_event(s, line);
			continue;
		}
		if (resp && len)
			snprintf(resp, len, "%s", line);
		if (!strcmp(line, "ok") || !strncmp(line, "ok ", 3))
			n = 0;
		else if (!strncmp(line, "nack ", 5) || !strcmp(line, "timeout") ||
			 !strcmp(line, "buserr") || !strcmp(line, "vanished"))
			n = 1;
		else
			n = -1;
		queue_buffered_events(s);	/* reuses line */
		return n;
	}
	/* A late response would be taken for the next request's: refuse
	 * every further request instead. */
	s->dead = 1;
	if (resp && len)
		snprintf(resp, len, "%s", eof ? "err simulator exited" : "err no response");
	return -1;
}

int sim_event(struct simclient *s, char *buf, size_t len)
{
	struct event *e = s->head;

	if (!e)
		return 0;
	snprintf(buf, len, "%s", e->line);
	s->head = e->next;
	if (!s->head)
		s->tail = &s->head;
	free(e);
	return 1;
}

int sim_poll(struct simclient *s, int timeout_ms)
{
	int n = 0, eof;
	char *line;

	while ((line = read_line(s, timeout_ms, &eof))) {
		if (line[0] == '!') {
			queue_event(s, line);
			n++;
		}
		timeout_ms = 0;
	}
	return eof ? -1 : n;
}

void sim_set_timeout(struct simclient *s, int timeout_ms)
{
	s->timeout_ms = timeout_ms;
}

const char *sim_ready_line(struct simclient *s)
{
	return s->ready;
}

pid_t sim_pid(struct simclient *s)
{
	return s->pid;
}

int sim_fd(struct simclient *s)
{
	return s->fd;
}

int sim_close(struct simclient *s)
{
	int status = -1, eof;
	long long end;

	if (!s)
		return -1;
	if (s->pid > 0) {
		send(s->fd, "quit\n", 5, MSG_NOSIGNAL);
		while (read_line(s, 2000, &eof))
			;
	}
	close(s->fd);
	end = now_ms() + 5000;
	while (s->pid > 0) {
		pid_t r = waitpid(s->pid, &status, WNOHANG);

		if (r == s->pid || (r < 0 && errno != EINTR))
			break;
		if (now_ms() > end) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			break;
		}
		usleep(1000);
	}
	while (s->head) {
		struct event *e = s->head;

		s->head = e->next;
		free(e);
	}
	free(s);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
