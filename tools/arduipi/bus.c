// SPDX-License-Identifier: MIT
/*
 * The arduipi tool's bus: i2c-dev at the Nano's address, transactions,
 * the firmware's verdict on a command, and its messages (bus.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "bus.h"

int bus = -1, addr = ARDUIPI_DEFAULT_ADDR, force;
static int fd = -1;

void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("arduipi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* ---- the bus ---------------------------------------------------------- */

/* The bus of a device-tree node at our address, or the header bus. */
int find_bus(void)
{
	char pat[64];
	glob_t g;
	int n = -1;

	snprintf(pat, sizeof(pat), "/sys/bus/i2c/devices/*-00%02x", addr);
	if (!glob(pat, 0, NULL, &g) && g.gl_pathc)
		sscanf(strrchr(g.gl_pathv[0], '/') + 1, "%d-", &n);
	globfree(&g);
	if (n >= 0)
		return n;
	/* i2c-1 on every Pi since the first revision's i2c-0 */
	return access("/dev/i2c-0", F_OK) || !access("/dev/i2c-1", F_OK) ? 1 : 0;
}

/* The name of the kernel driver bound at our address. */
const char *owner(char *buf, size_t len)
{
	char link[96];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/i2c/devices/%d-%04x/driver", bus, addr);
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return "of a device";
	buf[n] = 0;
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

void bus_open(void)
{
	char dev[32], drv[256];
	unsigned long funcs;

	if (bus < 0)
		bus = find_bus();
	snprintf(dev, sizeof(dev), "/dev/i2c-%d", bus);
	fd = open(dev, O_RDWR);
	if (fd < 0 && errno == ENOENT)
		die(EXIT_FAILED, "no %s: enable I2C (sudo raspi-config nonint do_i2c 0) and load i2c-dev, or give -b BUS",
		    dev);
	if (fd < 0)
		die(EXIT_FAILED, "cannot open %s: %s%s", dev, strerror(errno),
		    errno == EACCES ? " (run as root or join the i2c group)" : "");
	if (ioctl(fd, I2C_FUNCS, &funcs) < 0)
		die(EXIT_FAILED, "%s: cannot read the adapter's functions: %s", dev,
		    strerror(errno));
	if (!(funcs & I2C_FUNC_I2C))
		die(EXIT_FAILED, "%s cannot do combined I2C transfers (I2C_FUNC_I2C), which the ArduiPi protocol needs",
		    dev);
	if (ioctl(fd, force ? I2C_SLAVE_FORCE : I2C_SLAVE, addr) < 0) {
		if (errno == EBUSY)
			die(EXIT_FAILED, "0x%02x on i2c-%d is in use by the kernel driver %s: use its devices (gpioset, /sys/class/pwm, IIO), or -f to talk to it anyway",
			    addr, bus, owner(drv, sizeof(drv)));
		die(EXIT_FAILED, "cannot use address 0x%02x: %s", addr, strerror(errno));
	}
}

/* One transaction: write w, then (repeated START) read r if rn; -errno. */
int xfer(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .len = wn, .buf = (uint8_t *)w },
		{ .addr = addr, .flags = I2C_M_RD, .len = rn, .buf = r },
	};
	struct i2c_rdwr_ioctl_data data = { .msgs = msgs, .nmsgs = rn ? 2 : 1 };

	return ioctl(fd, I2C_RDWR, &data) < 0 ? -errno : 0;
}

void bus_failed(int err)
{
	if (err == -ENXIO || err == -EREMOTEIO)
		die(EXIT_FAILED, "no answer from 0x%02x on i2c-%d: check the wiring, the Nano's power, the address and that the ArduiPi firmware is flashed",
		    addr, bus);
	if (err == -ETIMEDOUT)
		die(EXIT_FAILED, "i2c-%d timed out: the bus is held (a device stretching SCL, or SDA stuck low)",
		    bus);
	die(EXIT_FAILED, "transfer on i2c-%d failed: %s", bus, strerror(-err));
}

void xfer_or_die(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	int err = xfer(w, wn, r, rn);

	if (err)
		bus_failed(err);
}

const char *const errors[ARDUIPI_ERR_LOW_SUPPLY + 1] = {
	[ARDUIPI_ERR_UNKNOWN_CMD] = "no such command",
	[ARDUIPI_ERR_BAD_PIN] = "no such pin, bit or channel",
	[ARDUIPI_ERR_BAD_VALUE] = "value not accepted",
	[ARDUIPI_ERR_RESERVED_PIN] = "pin reserved (A4/A5 are the I2C bus; the INT line)",
	[ARDUIPI_ERR_SHORT] = "data missing",
	[ARDUIPI_ERR_LONG] = "more data than the command takes",
	[ARDUIPI_ERR_NO_CMD] = "read with no command",
	[ARDUIPI_ERR_READ_ONLY] = "read-only register",
	[ARDUIPI_ERR_PEC] = "PEC mismatch",
	[ARDUIPI_ERR_OVERRUN] = "read past the end",
	[ARDUIPI_ERR_BUS] = "bus error",
	[ARDUIPI_ERR_NOT_PWM] = "no PWM on this pin (D3 D5 D6 D9 D10 D11 have it)",
	[ARDUIPI_ERR_BAD_KEY] = "address key mismatch",
	[ARDUIPI_ERR_BAD_REG] = "no such register",
	[ARDUIPI_ERR_BUSY] = "busy: the ADC stream runs",
	[ARDUIPI_ERR_TRIPPED] = "the failsafe tripped: clear STATUS.FS_TRIPPED (i2cset ... 0x58 0x02) first",
	[ARDUIPI_ERR_LOW_SUPPLY] = "the Nano's supply is too low for an EEPROM write (AVcc measured below the firmware's ARDUIPI_EE_MIN_MV, by default 4.0 V at 16 MHz, 2.7 V at 8 MHz)",
};

static void hexdump(char *buf, size_t len, const uint8_t *b, int n)
{
	for (int i = 0; i < n && len > 6; i++) {
		int k = snprintf(buf, len, "%s0x%02x", i ? " " : "", b[i]);

		buf += k;
		len -= k;
	}
}

/*
 * A command with the firmware's verdict: the error register is cleared
 * before and read after, so a refusal is an error here too (the firmware
 * may also NACK a refused command's data byte: the register tells why).
 */
void command(const uint8_t *w, int wn, uint8_t *r, int rn)
{
	uint8_t clr[2] = { ARDUIPI_REG_ERROR, 0 }, reg = ARDUIPI_REG_ERROR, e;
	char bytes[6 * MAX_BYTES];
	int err;

	xfer_or_die(clr, sizeof(clr), NULL, 0);
	err = xfer(w, wn, r, rn);
	xfer_or_die(&reg, 1, &e, 1);
	if (!e) {
		if (err)
			bus_failed(err);
		return;
	}
	xfer_or_die(clr, sizeof(clr), NULL, 0);
	hexdump(bytes, sizeof(bytes), w, wn);
	die(EXIT_FAILED, "the Nano refused %s: %s (error %u)", bytes,
	    e < sizeof(errors) / sizeof(errors[0]) && errors[e] ? errors[e] : "unknown",
	    e);
}
