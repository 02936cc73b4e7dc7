#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest, the ArduiPi driver loaded, overlay instances at:
#   0x30  no device answers
#   0x2b  firmware with another identity ("NZ")
#   0x2c  firmware of protocol 2.0
#   0x2d  firmware of protocol 1.9 (newer minor: accepted)
#   0x2e  failsafe_ms=20, too short a timeout
# and the ordinary Nano at 0x2a, which has no overlay instance.
. /usr/share/twin/lib.sh

t_run "1 no device: the probe says what to check" \
	sh -c 'dmesg | grep -q "arduipi 1-0030: .*no device answers at 0x30: check the wiring"'
t_eq "2 no device: no GPIO chip" "" "$(nano_gpiochip 30)"
t_run "3 wrong identity: the probe names it" \
	sh -c 'dmesg | grep -q "arduipi 1-002b: .*the device at 0x2b is not ArduiPi firmware (identity 4e 5a)"'
t_eq "4 wrong identity: no GPIO chip" "" "$(nano_gpiochip 2b)"
t_run "5 protocol 2.0: the probe asks for matching firmware" \
	sh -c 'dmesg | grep -q "arduipi 1-002c: .*firmware protocol 2.0, this driver speaks 1.x: flash the firmware"'
t_eq "6 protocol 2.0: no GPIO chip" "" "$(nano_gpiochip 2c)"
t_run "7 protocol 1.9 is accepted" \
	sh -c 'dmesg | grep -q "arduipi 1-002d: ArduiPi firmware, protocol 1.9"'
chip=$(nano_gpiochip 2d)
[ -n "$chip" ] && $v2/gpioset -t 0 -c "$chip" 13=1
t_eq "8 protocol 1.9: its GPIO chip drives D13" "1 out 0" "$(simctl -n 2d pin D13)"
t_eq "9 the rest keeps working: the Nano at 0x2a answers" 0x55 "$(i2cget -y 1 0x2a 0xe0)"
t_eq "10 the refused devices still answer i2c-tools" "0x55 0x55" \
	"$(i2cget -y 1 0x2b 0xe0) $(i2cget -y 1 0x2c 0xe0)"
echo 1-0030 >/sys/bus/i2c/drivers/arduipi/bind 2>/dev/null
t_eq "11 binding again fails the same way" 2 "$(dmesg | grep -c 'no device answers at 0x30')"
echo 1-002c >/sys/bus/i2c/drivers/arduipi/bind 2>/dev/null
t_eq "12 binding protocol 2.0 again fails the same way" 2 \
	"$(dmesg | grep -c 'arduipi 1-002c: .*firmware protocol 2.0')"
t_run "13 failsafe_ms=20: the probe says it is too short" \
	sh -c 'dmesg | grep -q "arduipi 1-002e: .*arduipi,failsafe-timeout-ms: 20 ms is less than 50, too short for the driver to keep the Nano fed"'
t_eq "14 failsafe_ms=20: no GPIO chip, the failsafe not armed" "0x0000" \
	"$(nano_gpiochip 2e)$(i2cget -y 1 0x2e 0x80 w)"

# ---- an adapter that does SMBus only ------------------------------------------
rmmod arduipi
rmmod twin_link
modprobe twin-link smbus_only=1
modprobe arduipi
for i in $(seq 50); do
	dmesg | grep -q "arduipi 1-002d: .*does SMBus only" && break
	usleep 100000
done
t_run "14.1 an SMBus-only adapter: the probe says why it cannot work" \
	sh -c 'dmesg | grep -q "arduipi 1-002d: .*the I2C adapter i2c-1 does SMBus only: ArduiPi frames need plain I2C transfers"'
t_eq "14.2 ... no GPIO chip for the Nano that had one (0x2d)" "" "$(nano_gpiochip 2d)"
t_run "15 no oops" sh -c '! dmesg | grep -qE "Oops|BUG|WARNING|Call trace"'

t_done
