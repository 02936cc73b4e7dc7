/* SPDX-License-Identifier: MIT */
/*
 * The ArduiPi specification's pin and port commands (spec.c): their
 * commit, and what their replies read, for proto.c's read cursor (the
 * analog and ping commands are proto.c's own). Portable C: the host tests
 * run it too.
 */
#ifndef ARDUIPI_SPEC_H
#define ARDUIPI_SPEC_H

#include <stdint.h>

/* What a reply reads: proto.c's read kinds of the same names. */
enum spec_kind { SPEC_PIN = 2, SPEC_PINMODE, SPEC_PORT, SPEC_DDR,
		 SPEC_PORTPIN };
struct spec_reply {
	uint8_t kind, arg, n;
};

/* Port commands 0x1b..0x4d: 1..4 (port, DDR, set pin, get pin), the port
 * in *port; 0: not one. */
uint8_t spec_port_cmd(uint8_t c, uint8_t *port);
/* frame[0] is a line (0x00..0x13): read, write, mode, PWM. */
uint8_t spec_commit_pin(const uint8_t *frame, uint8_t flen,
			struct spec_reply *r);
/* frame[0] is a port command. */
uint8_t spec_commit_port(const uint8_t *frame, uint8_t flen,
			 struct spec_reply *r);
/* ARDUIPI_MODE_*: what a pin-mode read returns. */
uint8_t spec_pin_mode(uint8_t line);

#endif /* ARDUIPI_SPEC_H */
