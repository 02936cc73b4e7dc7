/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_ADC_H
#define ARDUIPI_ADC_H

#include <stdint.h>

void adc_poll(void);
void stream_poll(void);
/* The ADC interrupt's work (adc.S), with TWI_ADC set. */
void adc_stream_isr(void);

#endif
