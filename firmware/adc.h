/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_ADC_H
#define ARDUIPI_ADC_H

#include <stdint.h>

void adc_poll(void);
void stream_poll(void);
/* The ADC interrupt's work (adc.S); busy: twi_busy as it found it. */
void adc_stream_isr(uint8_t busy);

#endif
