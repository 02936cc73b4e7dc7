/* SPDX-License-Identifier: MIT */
/* Constant tables in flash on the AVR, plain arrays on the host. */
#ifndef ARDUIPI_FLASH_H
#define ARDUIPI_FLASH_H

#ifdef __AVR__
#include <avr/pgmspace.h>
#define FLASH		PROGMEM
#define FLASH_READ(p)	pgm_read_byte(p)
#else
#define FLASH
#define FLASH_READ(p)	(*(p))
#endif

#endif
