// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * simctl: in the twin guest, talk to the simulated Nanos on the host.
 *
 *   simctl [-n NANO] [-t SECONDS] COMMAND...
 *
 * Sends "NANO COMMAND" (NANO: the Nano's address as given to run-guest,
 * default 2a; "simctl bus COMMAND" talks to twinbus itself) over the arduipi.ctl virtio port
 * and prints the answer: for "ok VALUE" the value alone on stdout (exit 0);
 * an I2C outcome such as "nack addr 0" on stdout (exit 1); for "err TEXT"
 * "simctl: TEXT" on stderr (exit 1). Usage errors and a silent host: exit 2.
 * Commands: Documentation/simulator.rst and tools/testing/vm/twinbus.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#define PORT_NAME	"arduipi.ctl"
/*
 * A virtio port has one opener at a time (a second open fails with
 * EBUSY): simctl calls from parallel jobs take turns through this lock,
 * each waiting at most its own timeout.
 */
#define LOCK_PATH	"/tmp/.simctl.lock"

static int take_turn(int timeout_s)
{
	struct timespec ms = { 0, 1000000 };
	long waited = 0;
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK || waited++ >= timeout_s * 1000L) {
			close(fd);
			return -1;
		}
		nanosleep(&ms, NULL);
	}
	return fd;		/* held until exit */
}

static int find_port(char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	char path[512], name[64];
	int found = 0;

	while (d && (e = readdir(d))) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, PORT_NAME "\n", sizeof(PORT_NAME))) {
			snprintf(dev, len, "/dev/%s", e->d_name);
			found = 1;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	const char *nano = "2a";
	int timeout_s = 30, opt, fd;
	char dev[300], req[4096], resp[8192];
	size_t len = 0;

	while ((opt = getopt(argc, argv, "+n:t:h")) != -1) {
		switch (opt) {
		case 'n':
			nano = optarg;
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: simctl [-n NANO] [-t SECONDS] COMMAND...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "simctl: no command (try: simctl pins)\n");
		return 2;
	}
	/* "simctl bus ..." talks to twinbus itself */
	if (!strcmp(argv[optind], "bus"))
		nano = argv[optind++];
	if (optind >= argc) {
		fprintf(stderr, "simctl: no command\n");
		return 2;
	}
	len = snprintf(req, sizeof(req), "%s", nano);
	for (int i = optind; i < argc && len < sizeof(req); i++)
		len += snprintf(req + len, sizeof(req) - len, " %s", argv[i]);
	if (len >= sizeof(req) - 1) {
		fprintf(stderr, "simctl: command too long\n");
		return 2;
	}
	req[len++] = '\n';

	if (!find_port(dev, sizeof(dev))) {
		fprintf(stderr, "simctl: no %s virtio port (not in the twin?)\n", PORT_NAME);
		return 2;
	}
	if (take_turn(timeout_s) < 0) {
		fprintf(stderr, "simctl: another simctl held the port for %d s\n", timeout_s);
		return 2;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror("simctl: open");
		return 2;
	}
	if (write(fd, req, len) != (ssize_t)len) {
		perror("simctl: write");
		return 2;
	}
	len = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t got;

		if (poll(&p, 1, timeout_s * 1000) <= 0) {
			fprintf(stderr, "simctl: no answer from the host in %d s\n", timeout_s);
			return 2;
		}
		got = read(fd, resp + len, sizeof(resp) - 1 - len);
		if (got <= 0) {
			fprintf(stderr, "simctl: the host closed the port\n");
			return 2;
		}
		len += got;
		resp[len] = 0;
		nl = strchr(resp, '\n');
		if (nl) {
			*nl = 0;
			break;
		}
		if (len == sizeof(resp) - 1) {
			fprintf(stderr, "simctl: answer too long\n");
			return 2;
		}
	}
	if (!strcmp(resp, "ok"))
		return 0;
	if (!strncmp(resp, "ok ", 3)) {
		puts(resp + 3);
		return 0;
	}
	if (!strncmp(resp, "err ", 4)) {
		fprintf(stderr, "simctl: %s\n", resp + 4);
		return 1;
	}
	puts(resp);
	return 1;
}
