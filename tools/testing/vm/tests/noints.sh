#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# In the twin guest, booted by twin-tests.sh with dtoverlay=arduipi,noints.
. /usr/share/twin/lib.sh

dt=/proc/device-tree
bus=$dt$(cat $dt/aliases/i2c1)
node=$bus/arduipi@2a
t_run "noints: the node is there" test -f "$node/compatible"
t_eq "noints: compatible" "arduipi,nano" "$(cat "$node/compatible")"
t_run "noints: no interrupts property" test ! -e "$node/interrupts"
t_run "noints: not an interrupt controller" test ! -e "$node/interrupt-controller"
t_run "noints: no INT pin configuration" \
	sh -c "! ls -d $dt/pl011@9000000/twin/gpio/arduipi_pins* 2>/dev/null"
t_run "noints: still a gpio-controller" test -e "$node/gpio-controller"
t_eq "the Nano answers" 0x55 "$(i2cget -y 1 0x2a 0xe0)"

t_done
