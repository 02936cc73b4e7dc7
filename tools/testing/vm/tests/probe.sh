#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest, booted with the overlay at addr=0x30 where no Nano
# answers (the Nano is at 0x2a) and the ArduiPi driver loaded.
. /usr/share/twin/lib.sh

t_run "the probe says what to check" \
	sh -c 'dmesg | grep -q "arduipi 1-0030: .*no device answers at 0x30: check the wiring"'
t_eq "no GPIO chip for it" "" "$(nano_gpiochip 30)"
t_eq "the rest keeps working: the Nano at 0x2a answers" 0x55 "$(i2cget -y 1 0x2a 0xe0)"
echo 1-0030 >/sys/bus/i2c/drivers/arduipi/bind 2>/dev/null
t_eq "binding again fails the same way" 2 "$(dmesg | grep -c 'no device answers at 0x30')"

t_done
