/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ArduiPi: what differs between the kernel lines the driver supports
 * (Debian's 6.1, 6.12, 6.18 and the newest, Raspberry Pi OS's 6.12 and
 * 6.18). Kbuild asks the headers which API they have and defines the
 * ARDUIPI_HAVE_* below; the driver's code is written for the newest API,
 * and this file gives the older kernels that API's names.
 */
#ifndef ARDUIPI_COMPAT_H
#define ARDUIPI_COMPAT_H

#include <linux/iio/iio.h>
#include <linux/mutex.h>
#include <linux/pwm.h>

/*
 * iio_device_claim_direct() returns bool since 6.15, and the int-returning
 * iio_device_claim_direct_mode() is gone since 6.16.
 */
#ifndef ARDUIPI_HAVE_IIO_CLAIM_DIRECT
static inline bool iio_device_claim_direct(struct iio_dev *indio_dev)
{
	return !iio_device_claim_direct_mode(indio_dev);
}

static inline void iio_device_release_direct(struct iio_dev *indio_dev)
{
	iio_device_release_direct_mode(indio_dev);
}
#endif

/* devm_mutex_init() since 6.10 (and 6.1.y); mutex_destroy() is debug only. */
#ifndef ARDUIPI_HAVE_DEVM_MUTEX_INIT
static inline int devm_mutex_init(struct device *dev, struct mutex *lock)
{
	mutex_init(lock);
	return 0;
}
#endif

/* pwm_apply_state() is pwm_apply_might_sleep() since 6.8. */
#ifndef ARDUIPI_HAVE_PWM_APPLY_MIGHT_SLEEP
#define pwm_apply_might_sleep pwm_apply_state
#endif

#endif /* ARDUIPI_COMPAT_H */
