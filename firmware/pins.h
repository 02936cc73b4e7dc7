/* SPDX-License-Identifier: MIT */
/*
 * Pins and timers: the only code that writes DDRx/PORTx and the timer
 * registers. Lines are numbered in Arduino order; a "bank" is 8 lines
 * (bank 0 = D0-D7, bank 1 = D8-D13 A0 A1, bank 2 = A2-A5), a "port" is
 * the AVR's B, C or D (0, 1, 2).
 */
#ifndef ARDUIPI_PINS_H
#define ARDUIPI_PINS_H

#include <stdint.h>

#define PORT_B	0
#define PORT_C	1
#define PORT_D	2
#define NO_CHANNEL 0xff

/* Bits of each port that are GPIO lines (PB6/7 crystal, PC4/5 I2C). */
extern const uint8_t port_valid[3];

void pins_apply(void);
void pins_boot(const uint8_t dir[3], const uint8_t lvl[3]);
void pwm_apply(void);
uint8_t pins_in(uint8_t bank);
uint8_t pin_level(uint8_t line);
uint8_t port_in(uint8_t port);
uint8_t port_ddr(uint8_t port);
/* Convert an 8-bit port value to bank order (three bytes). */
void port_to_banks(uint8_t port, uint8_t val, uint8_t bank[3]);
/* PWM channel driving a line, or NO_CHANNEL. */
uint8_t pwm_channel(uint8_t line);
/* Timer TOP + 1 (the 100 % duty value) of a channel: timer1's channels
 * (D9, D10) count to t1_top, the others to 255. */
static inline uint16_t pwm_full(uint8_t ch, uint16_t t1_top)
{
	return (ch == 3 || ch == 4) ? t1_top + 1 : 256;
}
/* INT output: open drain, asserted = driven low, else released. */
void int_set(uint8_t asserted);
extern volatile uint8_t int_asserted;
/* Bumped by every pins_apply(): tells an interrupted apply it is stale. */
extern volatile uint8_t hw_gen;

#endif /* ARDUIPI_PINS_H */
