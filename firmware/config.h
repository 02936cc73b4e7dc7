/* SPDX-License-Identifier: MIT */
/*
 * Build options. Override on the make command line, e.g.
 *   make -C firmware F_CPU=8000000 ARDUIPI_ADDR=0x2b
 */
#ifndef ARDUIPI_CONFIG_H
#define ARDUIPI_CONFIG_H

#ifndef F_CPU
#define F_CPU 16000000UL
#endif
#if F_CPU != 16000000UL && F_CPU != 8000000UL
#error "F_CPU must be 16000000 (Nano, 5 V) or 8000000 (Pro Mini, 3.3 V)"
#endif

/* Factory I2C address; the address stored in EEPROM takes precedence. */
#ifndef ARDUIPI_ADDR
#define ARDUIPI_ADDR 0x2a
#endif
#if ARDUIPI_ADDR < 0x08 || ARDUIPI_ADDR > 0x77
#error "ARDUIPI_ADDR must be a 7-bit address in 0x08..0x77"
#endif

/* Hardware watchdog period: the main loop must come round within it. */
#ifndef ARDUIPI_WDTO
#define ARDUIPI_WDTO WDTO_250MS
#endif

/*
 * Slave-side bus timeout: addressed by a master that then says nothing for
 * this long (SMBus: 25..35 ms), the TWI lets go of SDA and SCL.
 */
#ifndef ARDUIPI_TWI_TIMEOUT_MS
#define ARDUIPI_TWI_TIMEOUT_MS 35
#endif
#if ARDUIPI_TWI_TIMEOUT_MS < 25 || ARDUIPI_TWI_TIMEOUT_MS > 200
#error "ARDUIPI_TWI_TIMEOUT_MS must be 25..200"
#endif

/* Time the ADC reference needs after a switch (AREF carries 100 nF). */
#ifndef ARDUIPI_REF_SETTLE_MS
#define ARDUIPI_REF_SETTLE_MS 5
#endif
#if ARDUIPI_REF_SETTLE_MS < 1 || ARDUIPI_REF_SETTLE_MS > 100
#error "ARDUIPI_REF_SETTLE_MS must be 1..100"
#endif

/* How often the channel needing the other reference (temperature or AVcc)
 * is measured. */
#ifndef ARDUIPI_SLOW_ADC_MS
#define ARDUIPI_SLOW_ADC_MS 500
#endif

/*
 * EEPROM writes (address, boot state) are refused while AVcc, as measured
 * against the bandgap, is below this: the datasheet's safe operating area
 * needs 3.78 V at 16 MHz and 2.4 V at 8 MHz, and a write cut short by a
 * brown-out corrupts the byte. Not yet measured (the first 6 ms after a
 * reset) counts as fine: the brown-out detector guards that.
 */
#ifndef ARDUIPI_EE_MIN_MV
#if F_CPU == 16000000UL
#define ARDUIPI_EE_MIN_MV 4000
#else
#define ARDUIPI_EE_MIN_MV 2700
#endif
#endif
#if ARDUIPI_EE_MIN_MV < 1800 || ARDUIPI_EE_MIN_MV > 5500
#error "ARDUIPI_EE_MIN_MV must be 1800..5500"
#endif

/* ADC clock: 125 kHz at either CPU clock (datasheet: 50..200 kHz). */
/*
 * Edges into the FIFO (protocol 1.5): caught by the pin-change interrupts
 * (1), or by the main loop's look at the lines (0: a pulse shorter than a
 * pass is missed, and not counted lost). Under a train of edges the
 * interrupts can hold the TWI one off for up to 60 cycles: about the
 * 16 MHz build's budget at 100 kHz, far beyond the 8 MHz build's (40
 * cycles in all; Documentation/firmware.rst).
 */
#ifndef ARDUIPI_EDGE_PCINT
#if F_CPU == 16000000UL
#define ARDUIPI_EDGE_PCINT 1
#else
#define ARDUIPI_EDGE_PCINT 0
#endif
#endif
#if ARDUIPI_EDGE_PCINT != 0 && ARDUIPI_EDGE_PCINT != 1
#error "ARDUIPI_EDGE_PCINT must be 0 (edges polled) or 1 (pin-change interrupts)"
#endif

/*
 * The stream's ADC interrupt (adc.S, adc.c): 1, it only keeps its sample
 * in a ring and sets the multiplexer from there (53 cycles while a worker
 * runs), and the rest of its work, the FIFO's store, runs where the TWI
 * worker can interrupt it; 0, all of it in the interrupt (about 210
 * cycles with the vector's saving of registers), with the worker held off
 * meanwhile. The 8 MHz build needs 1
 * for a read's first byte to be ready in time while capture runs
 * (Documentation/firmware.rst, "The ADC interrupt on the 8 MHz build");
 * the 16 MHz build, which has the cycles, has not the flash for it.
 */
#ifndef ARDUIPI_ADC_RING
#if F_CPU == 16000000UL
#define ARDUIPI_ADC_RING 0
#else
#define ARDUIPI_ADC_RING 1
#endif
#endif
/* the ring's slots: 12 conversions (1.25 ms) for the store to keep up */
#define ARDUIPI_ADC_RING_SLOTS	12
#if ARDUIPI_ADC_RING != 0 && ARDUIPI_ADC_RING != 1
#error "ARDUIPI_ADC_RING must be 0 (the ADC interrupt does the work) or 1 (it keeps the sample)"
#endif
/* both keep a byte in GPIOR1 (adc.S, pci.S) */
#if ARDUIPI_ADC_RING && ARDUIPI_EDGE_PCINT
#error "ARDUIPI_ADC_RING 1 needs ARDUIPI_EDGE_PCINT 0"
#endif

#if F_CPU == 16000000UL
#define ARDUIPI_ADPS 7		/* /128 */
#else
#define ARDUIPI_ADPS 6		/* /64 */
#endif

/*
 * Test builds only: firmware that answers with another identity or
 * protocol version, for the driver's probe tests, e.g.
 *   make -C firmware BUILD=build-proto2 EXTRA_CFLAGS=-DARDUIPI_FW_PROTO_MAJOR=2
 */
/* ARDUIPI_TEST_KEEP_DELAY N: with ARDUIPI_ADC_RING, the ring's store
 * (adc.c) waits 4 * N cycles more per sample, for fw-sim's adc_overrun. */
#ifndef ARDUIPI_FW_ID
#define ARDUIPI_FW_ID		(ARDUIPI_ID1_VALUE << 8 | ARDUIPI_ID0_VALUE)
#endif
#ifndef ARDUIPI_FW_PROTO_MAJOR
#define ARDUIPI_FW_PROTO_MAJOR	ARDUIPI_PROTO_MAJOR
#endif
#ifndef ARDUIPI_FW_PROTO_MINOR
#define ARDUIPI_FW_PROTO_MINOR	ARDUIPI_PROTO_MINOR
#endif

#endif /* ARDUIPI_CONFIG_H */
