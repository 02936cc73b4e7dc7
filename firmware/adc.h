/* SPDX-License-Identifier: MIT */
#ifndef ARDUIPI_ADC_H
#define ARDUIPI_ADC_H

void adc_poll(void);
void stream_poll(void);

#endif
