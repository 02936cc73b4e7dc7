/* SPDX-License-Identifier: MIT */
/* The consumer's turn inside a store of the FIFO (firmware/stream.c). */
#ifndef HOST_PREEMPT_H
#define HOST_PREEMPT_H

/* Called at preemption point n; runs host_preempt_fn(n) once if set. */
void host_preempt(int n);
extern void (*host_preempt_fn)(int n);

#endif
