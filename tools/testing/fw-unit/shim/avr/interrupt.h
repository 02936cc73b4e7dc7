/* SPDX-License-Identifier: MIT */
#ifndef HOST_AVR_INTERRUPT_H
#define HOST_AVR_INTERRUPT_H

extern int host_irq_off;
#define cli()	(host_irq_off = 1)
#define sei()	(host_irq_off = 0)

#endif
