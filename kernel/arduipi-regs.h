/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * ArduiPi wire protocol: the one register map shared by the AVR firmware
 * (firmware/) and the Linux driver (kernel/).
 *
 * Every transaction starts with a command byte. Two families share the
 * 8-bit command space:
 *
 *  - the ArduiPi specification's commands (pins, ports, analog, ping),
 *    kept byte-for-byte so the specification's i2cget/i2cset examples work;
 *  - a register bank (0x50-0x9d, 0xa0-0xdf; 0xa0-0xaf by PEC reads only)
 *    for the kernel driver: 8-bit
 *    register, 8-bit value, auto-increment on multi-byte reads and writes.
 *
 * Integrity: ARDUIPI_CMD_PEC_WRITE / ARDUIPI_CMD_PEC_READ carry an explicit
 * length and an SMBus PEC (CRC-8, polynomial x^8 + x^2 + x + 1, initial
 * value 0, over every byte of the transaction including the address bytes).
 * No mode is involved: a PEC frame is recognised by its command byte alone,
 * so a PEC byte can never be taken for data, not even after an MCU reset.
 *
 *   PEC write: S addr|W  a9 reg n d[0]..d[n-1] pec  [Sr addr|R status pec2] P
 *   PEC read:  S addr|W  ae reg n  Sr addr|R  d[0]..d[n-1] pec  P
 *
 * "status" is 0 when the write was applied, else an enum arduipi_error code;
 * pec2 continues the same CRC. Register writes are idempotent, so a host
 * that cannot tell whether a write landed simply repeats it.
 *
 * See Documentation/protocol.rst for the full reference.
 */
#ifndef ARDUIPI_REGS_H
#define ARDUIPI_REGS_H

#ifndef BIT
#define BIT(nr)				(1U << (nr))
#endif

#define ARDUIPI_DEFAULT_ADDR		0x2a
#define ARDUIPI_ADDR_MIN		0x08
#define ARDUIPI_ADDR_MAX		0x77

/* Arduino line numbers: D0..D13 are 0..13, A0..A5 are 14..19. */
#define ARDUIPI_NGPIO			20
#define ARDUIPI_LINE_A0			14
#define ARDUIPI_LINE_SDA		18	/* A4: I2C data, never touched */
#define ARDUIPI_LINE_SCL		19	/* A5: I2C clock, never touched */
#define ARDUIPI_NADC			8	/* A0..A7 */
#define ARDUIPI_NPWM			6	/* D3 D5 D6 D9 D10 D11 */

/* ---- ArduiPi specification commands ------------------------------------ */
#define ARDUIPI_CMD_PIN_FIRST		0x00	/* + line: digital pin D0..A5 */
#define ARDUIPI_CMD_PIN_LAST		0x13
#define ARDUIPI_PIN_LOW			0x00	/* [pin, 0] drive low (output) */
#define ARDUIPI_PIN_HIGH		0x01	/* [pin, 1] drive high (output) */
#define ARDUIPI_PIN_SET_MODE		0xd0	/* [pin, 0xd0 | mode] */
#define ARDUIPI_PIN_GET_MODE		0xdd	/* [pin, 0xdd] + read 1 byte */
#define ARDUIPI_PIN_PWM			0xee	/* [pin, 0xee, duty 0..255] */
#define ARDUIPI_MODE_INPUT		0
#define ARDUIPI_MODE_OUTPUT		1
#define ARDUIPI_MODE_INPUT_PULLUP	2

#define ARDUIPI_CMD_PORT_B		0x1b	/* PORT value: read PINx, write */
#define ARDUIPI_CMD_PORT_C		0x1c
#define ARDUIPI_CMD_PORT_D		0x1d
#define ARDUIPI_CMD_DDR_B		0x2b	/* data direction, 1 = output */
#define ARDUIPI_CMD_DDR_C		0x2c
#define ARDUIPI_CMD_DDR_D		0x2d
/* Resolutions of the specification's ambiguous "port pin" commands. */
#define ARDUIPI_CMD_PORTPIN_SET_B	0x3b	/* [cmd, bit << 4 | 0/1] */
#define ARDUIPI_CMD_PORTPIN_SET_C	0x3c
#define ARDUIPI_CMD_PORTPIN_SET_D	0x3d
#define ARDUIPI_CMD_PORTPIN_GET_B	0x4b	/* [cmd, bit] + read 1 byte */
#define ARDUIPI_CMD_PORTPIN_GET_C	0x4c
#define ARDUIPI_CMD_PORTPIN_GET_D	0x4d

#define ARDUIPI_CMD_ANALOG_FIRST	0xa0	/* + channel: read word A0..A7 */
#define ARDUIPI_CMD_ANALOG_LAST		0xa7
#define ARDUIPI_CMD_PING		0xe0	/* read; [0xe0, v] sets */
#define ARDUIPI_PING_DEFAULT		0x55

/* Framed, PEC-protected access to the register bank (see top comment). */
#define ARDUIPI_CMD_PEC_WRITE		0xa9
#define ARDUIPI_CMD_PEC_READ		0xae
#define ARDUIPI_PEC_MAX_LEN		32

/* ---- Register bank: system ---------------------------------------------- */
#define ARDUIPI_REG_ID0			0x50	/* RO 'A' */
#define ARDUIPI_REG_ID1			0x51	/* RO 'P' */
#define ARDUIPI_ID0_VALUE		0x41
#define ARDUIPI_ID1_VALUE		0x50
#define ARDUIPI_REG_PROTO_MAJOR		0x52	/* RO, driver refuses others */
#define ARDUIPI_REG_PROTO_MINOR		0x53	/* RO, additions only */
#define ARDUIPI_PROTO_MAJOR		1
/* minor 1: FS_TRIP; 2: WDT, BOOT_*; 3: FIFO reads' CRC-16; 4: debounce */
#define ARDUIPI_PROTO_MINOR		5
#define ARDUIPI_REG_CAPS		0x54	/* RO */
#define ARDUIPI_CAP_GPIO		BIT(0)
#define ARDUIPI_CAP_ADC			BIT(1)
#define ARDUIPI_CAP_PWM			BIT(2)
#define ARDUIPI_CAP_IRQ			BIT(3)
#define ARDUIPI_CAP_PEC			BIT(4)
#define ARDUIPI_CAP_FAILSAFE		BIT(5)
#define ARDUIPI_CAP_TEMP		BIT(6)
#define ARDUIPI_CAP_ADDR		BIT(7)
#define ARDUIPI_REG_CLOCK_MHZ		0x55	/* RO, F_CPU in MHz */
#define ARDUIPI_REG_RESET_CAUSE		0x56	/* RO, MCUSR at boot */
#define ARDUIPI_RESET_POWERON		BIT(0)
#define ARDUIPI_RESET_EXTERNAL		BIT(1)
#define ARDUIPI_RESET_BROWNOUT		BIT(2)
#define ARDUIPI_RESET_WATCHDOG		BIT(3)
#define ARDUIPI_REG_BOOT_COUNT		0x57	/* RO, resets since power-on */
#define ARDUIPI_REG_STATUS		0x58
#define ARDUIPI_STATUS_RESTARTED	BIT(0)	/* W1C: set at every boot */
#define ARDUIPI_STATUS_FS_TRIPPED	BIT(1)	/* W1C: failsafe acted */
#define ARDUIPI_STATUS_PEC_ERROR	BIT(2)	/* W1C: a PEC frame failed */
#define ARDUIPI_STATUS_BUS_ERROR	BIT(3)	/* W1C: TWI bus error seen */
#define ARDUIPI_STATUS_ERROR		BIT(4)	/* RO: REG_ERROR != 0 */
#define ARDUIPI_STATUS_INT		BIT(5)	/* RO: INT line asserted */
#define ARDUIPI_STATUS_WDT_TRIPPED	BIT(6)	/* W1C: WDT acted (since 1.2) */
#define ARDUIPI_STATUS_W1C		0x4f
#define ARDUIPI_REG_ERROR		0x59	/* last error; any write clears */
#define ARDUIPI_REG_ERR_COUNT		0x5a	/* saturating; write clears */
#define ARDUIPI_REG_PEC_ERR_COUNT	0x5b	/* saturating; write clears */
#define ARDUIPI_REG_ADDR		0x5c	/* RO, address in use */
#define ARDUIPI_REG_ADDR_NEW		0x5d	/* step 1: proposed address */
#define ARDUIPI_REG_ADDR_COMMIT		0x5e	/* step 2: write ~ADDR_NEW */
#define ARDUIPI_REG_INT_PIN		0x5f	/* INT output line, 0xff = none */
#define ARDUIPI_INT_PIN_NONE		0xff

/* ---- GPIO: three bytes per register, Arduino line order (bit = line) ---- */
#define ARDUIPI_GPIO_BANKS		3
#define ARDUIPI_REG_GPIO_DIR		0x60	/* 1 = output */
#define ARDUIPI_REG_GPIO_OUT		0x63	/* output latch */
#define ARDUIPI_REG_GPIO_IN		0x66	/* RO, pin levels */
#define ARDUIPI_REG_GPIO_PULLUP		0x69	/* 1 = pull-up on input */
#define ARDUIPI_REG_GPIO_SET		0x6c	/* WO, 1 sets OUT bit */
#define ARDUIPI_REG_GPIO_CLR		0x6f	/* WO, 1 clears OUT bit */
#define ARDUIPI_REG_GPIO_IRQ_RISE	0x72	/* rising-edge enable */
#define ARDUIPI_REG_GPIO_IRQ_FALL	0x75	/* falling-edge enable */
#define ARDUIPI_REG_GPIO_IRQ_STATUS	0x78	/* latched edges, W1C */
/*
 * ADC stream FIFO state, read with IRQ_STATUS in one transaction by the
 * interrupt handler. FIFO_SEQ is the number (mod 65536) of the oldest scan
 * in the FIFO, counted from the stream's start; writing a scan number
 * consumes every scan before it (idempotent: a repeated write does
 * nothing). Scan numbers keep counting while the FIFO is full, so lost
 * scans show as a jump.
 */
#define ARDUIPI_REG_ADC_FIFO_COUNT	0x7b	/* RO, whole scans stored */
#define ARDUIPI_REG_ADC_FIFO_SEQ	0x7c	/* 16-bit: read oldest, write pop */
/* the edge FIFO's state, read with them (since 1.5; see below) */
#define ARDUIPI_REG_EDGE_COUNT		0x7e	/* RO events stored, | LOST */
#define ARDUIPI_EDGE_COUNT_LOST		BIT(7)	/* EDGE_LOST moved on */
#define ARDUIPI_REG_EDGE_FIRST		0x7f	/* RO the oldest event */
#define ARDUIPI_GPIO_VALID0		0xff	/* D0..D7 */
#define ARDUIPI_GPIO_VALID1		0xff	/* D8..D13, A0, A1 */
#define ARDUIPI_GPIO_VALID2		0x03	/* A2, A3 (A4/A5 are the bus) */

/* ---- Host-loss failsafe ------------------------------------------------- */
#define ARDUIPI_REG_FS_TIMEOUT		0x80	/* 16-bit LE, ms, 0 = off */
#define ARDUIPI_REG_FS_MASK		0x82	/* 3 bytes: lines to force */
#define ARDUIPI_REG_FS_LEVEL		0x85	/* 3 bytes: their safe level */
#define ARDUIPI_REG_FS_PWM		0x88	/* PWM channels forced off */
#define ARDUIPI_REG_FS_TRIP		0x8f	/* WO: 1 = act now (since 1.1) */

/*
 * ---- Boot state (since 1.2): what the lines are as soon as the
 * firmware runs after any reset (the ATmega's start-up delay and a
 * bootloader come first), before a host says anything. Kept in EEPROM;
 * BOOT_DIR/BOOT_LEVEL read what is stored (or what a write put there to
 * be saved), writing 1 to BOOT_SAVE stores them with the INT line of the
 * moment, which the boot state never drives (BOOT_SAVE reads 1 until the
 * EEPROM write is done). Outputs at BOOT_LEVEL where BOOT_DIR is set,
 * inputs with the pull-up where BOOT_LEVEL is set, else inputs; every
 * PWM channel off.
 */
#define ARDUIPI_REG_BOOT_DIR		0x90	/* 3 bytes: outputs at boot */
#define ARDUIPI_REG_BOOT_LEVEL		0x93	/* 3 bytes: level or pull-up */
#define ARDUIPI_REG_BOOT_SAVE		0x96	/* 1: store in EEPROM */

/*
 * ---- Debounce (since 1.4): an edge of a line set in GPIO_DEBOUNCE is
 * latched into IRQ_STATUS only once the line's new level has held for
 * DEBOUNCE_MS (one period for every such line; 0 = none debounced); a
 * level that goes back sooner latches nothing. Measured in timer0's
 * ticks: the edge comes up to two ticks after the period, a tick being
 * 1.024 ms at 16 MHz and 2.048 ms at 8 MHz (4 and 16 times that with
 * T0_CLK slowed). GPIO_IN shows the pins as they are.
 */
#define ARDUIPI_REG_GPIO_DEBOUNCE	0x97	/* 3 bytes: lines debounced */
#define ARDUIPI_REG_DEBOUNCE_MS		0x9a	/* 1..255 ms, 0 = off */

/*
 * ---- Edge FIFO (since 1.5): with EDGE_CTRL set, every edge of a line
 * enabled in IRQ_RISE/IRQ_FALL goes, in order, into a FIFO of
 * ARDUIPI_EDGE_DEPTH one-byte events, and IRQ_STATUS latches no GPIO
 * edge. The pin-change interrupts catch them (a debounced line's once it
 * has settled). INT is asserted while the FIFO holds an event or
 * EDGE_LOST differs from the value last written to it.
 *
 * EDGE_COUNT and EDGE_FIRST (in the INT handler's status read), and
 * EDGE_FIFO + k (PEC reads only: as command bytes, 0xa0..0xaf are the
 * specification's), read the events without consuming them, oldest first
 * (0 where there is none); EDGE_SEQ is the number (mod 256) of the oldest
 * (0 after a reset). A write that changes EDGE_CTRL empties the FIFO:
 * EDGE_SEQ moves on past the newest, EDGE_LOST counts as seen; one that
 * writes its value again changes nothing (a driver's cache write-back).
 * Writing a number to EDGE_SEQ consumes the events before it (idempotent:
 * a repeated write does nothing; one beyond the newest is refused with
 * ERR_BAD_VALUE). EDGE_LOST counts (mod 256) the edges not stored: one
 * for each edge that found the FIFO full, two for each look of the
 * pin-change interrupt that found no line changed (a pulse whose edges
 * both came before it read the port; one whose second edge came as it
 * began is two such looks). Writing the value read acknowledges it:
 * EDGE_COUNT's LOST bit, and INT, stay while it differs from the last
 * value written. Edges of lines seen in one read of a port come in line
 * order. Not counted: a pulse on one line while the interrupt's work for
 * another line of its port runs (about 13 us), if that other line changes
 * too before the next read; and any pulse shorter than the main loop's
 * pass where the lines are polled (the 8 MHz build, debounced lines).
 */
#define ARDUIPI_REG_EDGE_CTRL		0x9b	/* 1: edges into the FIFO */
#define ARDUIPI_REG_EDGE_LOST		0x9c	/* mod 256; write: seen */
#define ARDUIPI_REG_EDGE_SEQ		0x9d	/* read oldest, write pop */
#define ARDUIPI_REG_EDGE_FIFO		0xa0	/* RO 16 events (PEC reads) */
#define ARDUIPI_EDGE_DEPTH		16
#define ARDUIPI_EDGE_VALID		BIT(7)	/* an event: */
#define ARDUIPI_EDGE_RISING		BIT(6)	/* else falling */
#define ARDUIPI_EDGE_LINE		0x1f	/* the line number */

/*
 * ---- ADC stream: the firmware converts the scanned inputs on its own
 * clock, F_CONV = 9615.38 Hz (125 kHz ADC clock / 13), one conversion per
 * input, a scan every ADC_DIV conversions (so at F_CONV / ADC_DIV), into a
 * FIFO of 2-byte little-endian samples, scan by scan, inputs in ascending
 * order. INT is asserted while FIFO_COUNT >= ADC_WATERMARK (not 0), and
 * after an overflow until the FIFO was emptied (storing resumes then).
 * Reading ADC_FIFO (PEC read, up to 240 bytes) returns the FIFO's contents
 * from the oldest scan without consuming them: read, then write FIFO_SEQ.
 *
 * Since 1.3 a FIFO read goes on after its PEC with a CRC-16 of d[0] ..
 * pec (CRC-16/MCRF4XX: the kernel's crc_ccitt() from 0xffff), little-endian:
 *
 *   S addr|W  ae 8e n  Sr addr|R  d[0]..d[n-1] pec crc_lo crc_hi  P
 *
 * Over 240 bytes the PEC alone misses some errors of two bits or more; the
 * CRC-16 finds every error of up to 3 bits and every burst of up to 16,
 * and the samples' always-zero bits (ARDUIPI_ADC_SAMPLE_MASK) a bit slip
 * (after one the Nano stops sending: the master reads 0xff). Readers of
 * 1.2 stop after the PEC and see no difference.
 */
#define ARDUIPI_REG_ADC_SCAN		0x89	/* inputs A0..A7, not A4/A5 */
#define ARDUIPI_REG_ADC_DIV		0x8a	/* 16-bit, >= inputs scanned */
#define ARDUIPI_REG_ADC_STREAM		0x8c	/* 1: run (restarts at 0) */
#define ARDUIPI_REG_ADC_WATERMARK	0x8d	/* scans, 0 = no INT */
#define ARDUIPI_REG_ADC_FIFO		0x8e	/* RO data port */
#define ARDUIPI_ADC_CONV_NS		104000	/* 13 ADC clocks of 8 us */
#define ARDUIPI_ADC_FIFO_BYTES		512
#define ARDUIPI_ADC_FIFO_READ_MAX	240	/* bytes per read */
#define ARDUIPI_ADC_FIFO_TAIL		2	/* CRC-16 (since 1.3) */
#define ARDUIPI_ADC_SAMPLE_MASK		0x03ff	/* 10-bit conversions */

/*
 * ---- ADC: 16-bit little-endian values; reading the low byte latches the
 * high byte, so read the low byte first, e.g. in one bulk read.
 */
#define ARDUIPI_REG_ADC_RESULT		0xb0	/* 8 x 16-bit, A0..A7, RO */
#define ARDUIPI_REG_ADC_TEMP		0xc0	/* 16-bit raw sensor, RO */
#define ARDUIPI_REG_ADC_AVCC_MV		0xc2	/* 16-bit AVcc in mV, RO */
#define ARDUIPI_REG_ADC_BANDGAP		0xc4	/* 16-bit raw 1.1 V vs AVcc */
#define ARDUIPI_REG_ADC_REF		0xc6	/* reference for A0..A7 */
#define ARDUIPI_ADC_REF_AVCC		0
#define ARDUIPI_ADC_REF_1V1		1

/* ---- PWM: channel c = D3, D5, D6, D9, D10, D11 ------------------------- */
#define ARDUIPI_PWM_PINS		{ 3, 5, 6, 9, 10, 11 }	/* by channel */
#define ARDUIPI_REG_PWM_BASE		0xc8
#define ARDUIPI_REG_PWM_DUTY(c)		(0xc8 + 3 * (c))	/* 16-bit ticks */
#define ARDUIPI_REG_PWM_CTRL(c)		(0xca + 3 * (c))
#define ARDUIPI_PWM_ENABLE		BIT(0)
#define ARDUIPI_PWM_INVERT		BIT(1)
#define ARDUIPI_REG_T0_CLK		0xda	/* CS0 code: 3, 4, 5 */
#define ARDUIPI_REG_T2_CLK		0xdb	/* CS2 code: 1..7 */
#define ARDUIPI_REG_T1_CLK		0xdc	/* CS1 code: 1..5 */
#define ARDUIPI_REG_T1_TOP		0xdd	/* 16-bit ICR1, 3..65534 */
#define ARDUIPI_T1_TOP_MIN		3
#define ARDUIPI_T1_TOP_MAX		65534

/*
 * ---- Application watchdog (since 1.2): a host program's sign of life,
 * in seconds, 0 = off. Every write starts the count again. After that
 * long without one the firmware puts the failsafe state in force, as on
 * a host-loss timeout, and sets STATUS.FS_TRIPPED and WDT_TRIPPED; the
 * count then stops until the next write.
 */
#define ARDUIPI_REG_WDT			0xdf

/* the bank: two runs of registers, 0x9e..0x9f between them is none */
#define ARDUIPI_REG_FIRST		0x50
#define ARDUIPI_REG_LOW_LAST		ARDUIPI_REG_EDGE_SEQ
#define ARDUIPI_REG_HIGH_FIRST		ARDUIPI_REG_EDGE_FIFO
#define ARDUIPI_REG_LAST		0xdf

/* ---- Error codes (REG_ERROR, PEC write status) -------------------------- */
enum arduipi_error {
	ARDUIPI_OK = 0,
	ARDUIPI_ERR_UNKNOWN_CMD = 1,	/* command byte not defined */
	ARDUIPI_ERR_BAD_PIN = 2,	/* pin/bit/channel out of range */
	ARDUIPI_ERR_BAD_VALUE = 3,	/* value or mode not accepted */
	ARDUIPI_ERR_RESERVED_PIN = 4,	/* A4/A5 (I2C), INT pin, PB6/7 */
	ARDUIPI_ERR_SHORT = 5,		/* write ended before its data */
	ARDUIPI_ERR_LONG = 6,		/* more bytes than the command takes */
	ARDUIPI_ERR_NO_CMD = 7,		/* read with no valid command */
	ARDUIPI_ERR_READ_ONLY = 8,	/* write to a read-only register */
	ARDUIPI_ERR_PEC = 9,		/* PEC mismatch, nothing applied */
	ARDUIPI_ERR_OVERRUN = 10,	/* read past the end of the data */
	ARDUIPI_ERR_BUS = 11,		/* TWI bus error, unit was reset */
	ARDUIPI_ERR_NOT_PWM = 12,	/* PWM on a pin without a timer */
	ARDUIPI_ERR_BAD_KEY = 13,	/* address commit key mismatch */
	ARDUIPI_ERR_BAD_REG = 14,	/* no such register in the bank */
	ARDUIPI_ERR_BUSY = 15,		/* not while the ADC stream runs */
	ARDUIPI_ERR_TRIPPED = 16,	/* GPIO/PWM write, FS_TRIPPED set */
	ARDUIPI_ERR_LOW_SUPPLY = 17,	/* EEPROM write, AVcc measured low */
};

#endif /* ARDUIPI_REGS_H */
