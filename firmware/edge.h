/* SPDX-License-Identifier: MIT */
/*
 * Edges into the FIFO (events.h): caught by the pin-change interrupts
 * (pci.S, edge_capture()), or stored by the main loop (edge_put()), which
 * also chooses the lines the interrupts catch (edge_poll()).
 */
#ifndef ARDUIPI_EDGE_H
#define ARDUIPI_EDGE_H

#include <stdint.h>

void edge_capture(uint8_t port, uint8_t v);
void edge_poll(void);
void edge_put(uint8_t line, uint8_t rising);

#endif /* ARDUIPI_EDGE_H */
