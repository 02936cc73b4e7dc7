/* SPDX-License-Identifier: MIT */
/*
 * The simulator connection of the rate programs (stream_rate.c,
 * edge_rate.c): one request at a time, its answer in R; a failed request
 * ends the program (exit 2: the rig, not the firmware, failed).
 */
#ifndef SIM_HOST_H
#define SIM_HOST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../nanosim/simclient.h"

static struct simclient *S;
static char R[4096];
static const char *prog;	/* for the messages */

static void cmd(const char *fmt, const char *arg)
{
	if (sim_cmd(S, R, sizeof(R), fmt, arg) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, fmt, R);
		exit(2);
	}
}

/* The number after "name=" in req's answer (name NULL: the first). */
static unsigned long long sim_num(const char *req, const char *name)
{
	char *p;

	cmd(req, NULL);
	p = name ? strstr(R, name) : R + 2;
	return p ? strtoull(p + (name ? strlen(name) + 1 : 0), NULL, 10) : 0;
}

#endif
