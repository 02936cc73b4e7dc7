/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * simclient: a small C client for nanosim's line protocol, for tests.
 *
 *	const char *const extra[] = { "firmware/build/arduipi.elf", NULL };
 *	struct simclient *s = sim_spawn("tools/nanosim/nanosim", extra);
 *	char r[256];
 *	if (sim_cmd(s, r, sizeof(r), "xfer %x we0 r1", 0x2a) == 0)
 *		... r is "ok 55" ...
 *	sim_close(s);
 *
 * See Documentation/simulator.rst for the commands.
 */
#ifndef SIMCLIENT_H
#define SIMCLIENT_H

#include <stddef.h>
#include <sys/types.h>

struct simclient;

/*
 * Start nanosim (fork/exec "nanosim_path --stdio argv_extra...") and wait
 * for its ready line. argv_extra is NULL-terminated and must name the
 * firmware ELF; it may be NULL only if that is not needed. Returns NULL on
 * failure (message on stderr).
 */
struct simclient *sim_spawn(const char *nanosim_path, const char *const argv_extra[]);

/*
 * Send one request line (printf-style, no newline) and read its response
 * into resp (without the newline, truncated to len - 1). Event lines
 * ("! ...") that arrive meanwhile are queued for sim_event().
 * Returns 0 for "ok ...", 1 for the other valid xfer outcomes ("nack ...",
 * "timeout", "buserr"), -1 for "err ..." or an I/O error / response timeout.
 */
int sim_cmd(struct simclient *s, char *resp, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Pop the oldest queued event line into buf. Returns 1, or 0 if none. */
int sim_event(struct simclient *s, char *buf, size_t len);

/*
 * Read lines that are already on their way (realtime mode) for up to
 * timeout_ms and queue the events. Returns the number of queued events,
 * or -1 if the simulator is gone.
 */
int sim_poll(struct simclient *s, int timeout_ms);

/* Wall-clock limit for one response, in ms (default 30000). */
void sim_set_timeout(struct simclient *s, int timeout_ms);

/* The ready line nanosim printed at start-up. */
const char *sim_ready_line(struct simclient *s);

pid_t sim_pid(struct simclient *s);

/*
 * The socket to nanosim, to poll() for events in realtime mode; then
 * sim_poll(s, 0) reads them. Lines already buffered are not signalled by
 * poll(): call sim_event() after every sim_cmd().
 */
int sim_fd(struct simclient *s);

/* Send "quit", wait for the process and free s. Returns its exit status. */
int sim_close(struct simclient *s);

#endif /* SIMCLIENT_H */
