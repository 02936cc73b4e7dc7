#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The twin's own tests on one kernel line: three boots, each a guest
# script printing TAP (see run-suites.sh).
#
#   twin-tests.sh 6.1|6.12
set -u
here=$(cd "$(dirname "$0")" && pwd)
kline=${1:?usage: twin-tests.sh 6.1|6.12}
rc=0

boot() {
	echo "# boot: $*"
	start=$(date +%s)
	"$here/run-guest" -k "$kline" "$@" || rc=1
	echo "# $(($(date +%s) - start)) s"
}

boot "$here/tests/bus.sh"
boot -p addr=0x2b -p int_pin=17 --baudrate 400000 \
	--nano 2b --int 17 --nano 2a --int none "$here/tests/params.sh"
boot -p noints "$here/tests/noints.sh"
exit $rc
