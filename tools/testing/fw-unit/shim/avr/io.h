/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for <avr/io.h>: the ATmega328P registers the portable
 * firmware files touch, as plain variables, so proto.c and pins.c run
 * unchanged in unit tests and under the fuzzer. Bit numbers as in iom328p.h.
 */
#ifndef HOST_AVR_IO_H
#define HOST_AVR_IO_H

#include <stdint.h>

extern uint8_t DDRB, PORTB, DDRC, PORTC, DDRD, PORTD;
/* Pin levels follow DDRx/PORTx and the outside world at every read. */
uint8_t host_pin(int port);
#define PINB	host_pin(0)
#define PINC	host_pin(1)
#define PIND	host_pin(2)
extern uint8_t TCCR0A, TCCR0B, OCR0A, OCR0B;
extern uint8_t TCCR1A, TCCR1B;
extern uint16_t OCR1A, OCR1B;
/*
 * Timer1's counter runs while the code works: every access to TCNT1 or
 * ICR1 first moves it host_t1_step ticks on (0: it stands still), and it
 * wraps at TOP only when it reaches it, as the chip's does; past TOP it
 * runs on towards 0xffff.
 */
extern uint16_t host_icr1, host_tcnt1, host_t1_step;
uint16_t *host_t1(uint16_t *reg);
#define ICR1	(*host_t1(&host_icr1))
#define TCNT1	(*host_t1(&host_tcnt1))
extern uint8_t TCCR2A, TCCR2B, OCR2A, OCR2B;
extern uint8_t SREG;

#define _BV(b)	(1U << (b))
#define WGM00	0
#define WGM01	1
#define WGM11	1
#define WGM12	3
#define WGM13	4
#define WGM20	0
#define WGM21	1
#define COM0B0	4
#define COM0B1	5
#define COM0A0	6
#define COM0A1	7

#endif
