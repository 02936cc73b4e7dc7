/* SPDX-License-Identifier: MIT */
/*
 * Assertions for the TAP test programs: a failed check prints where and
 * what, and counts against the running test (failed_checks).
 */
#ifndef ARDUIPI_TAP_H
#define ARDUIPI_TAP_H

#include <stdio.h>

static int failed_checks;

#define CHECK(c) do {							\
	if (!(c)) {							\
		printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
		failed_checks++;					\
	}								\
} while (0)

#define EQ(a, b) do {							\
	long _a = (long)(a), _b = (long)(b);				\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %ld (0x%lx), expected %ld (0x%lx)\n", \
		       __FILE__, __LINE__, #a, _a, _a, _b, _b);		\
		failed_checks++;					\
	}								\
} while (0)

#endif
