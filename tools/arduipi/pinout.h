/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_TOOL_PINOUT_H
#define ARDUIPI_TOOL_PINOUT_H

/* "arduipi pinout": a picture of the Nano and what each pin is (pinout.c) */
void pinout(void);

#endif
