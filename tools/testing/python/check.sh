#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The Python code (tools/python, the examples, the twin's Python tests):
# pyflakes and pycodestyle clean, and the package's unit tests
# (test_arduipi.py). TAP. The twin's gpiozero suite runs it on a Nano.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
"$top/tools/testing/deps.sh" python3 pyflakes3 pycodestyle >&2 || exit 1
. "$top/tools/testing/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top" || exit 1
files="tools/python/arduipi examples/classroom.py examples/raw.py examples/car/car.py
	examples/car/robot.py tools/testing/vm/tests/gpiozero_test.py tools/testing/python"
# shellcheck disable=SC2086 # a list
pyflakes3 $files >"$tmp/out" 2>&1
result "pyflakes3: no unused names, no undefined ones" "$tmp/out"
# shellcheck disable=SC2086
pycodestyle $files >"$tmp/out" 2>&1
result "pycodestyle (PEP 8)" "$tmp/out"
python3 "$here/test_arduipi.py" | sed 's/^/    /' >"$tmp/unit"
if grep -q "^    not ok" "$tmp/unit" || ! grep -q "^    1\.\." "$tmp/unit"; then
	cat "$tmp/unit" >"$tmp/out"
else
	: >"$tmp/out"
fi
result "test_arduipi.py: pin names, the timers' periods at 16 and 8 MHz ($(grep -c '^    ok' "$tmp/unit") tests)" "$tmp/out"
tap_done
