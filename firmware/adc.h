/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_ADC_H
#define ARDUIPI_ADC_H

#include <stdint.h>

void adc_poll(void);
void stream_poll(void);
/* The ADC interrupt's work (adc.S), with TWI_ADC set (ARDUIPI_ADC_RING 0). */
void adc_stream_isr(void);
/* Store the samples the ADC interrupt kept (ARDUIPI_ADC_RING 1): from it,
 * when no worker runs, and from the main loop (stream_poll()). */
void adc_catch_up(void);
/* The main loop: store what waits (ARDUIPI_ADC_RING 1). */
void adc_keep_up(void);

#endif
