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
	examples/car/robot.py tools/testing/vm/tests/gpiozero_test.py tools/testing/python
	tools/testing/fw-sim/doc-figures.py tools/testing/fast-path.py
	tools/testing/avr_disasm.py"
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
# the README's car (its second Python block): robot.py's lines, in order
awk '/^ *```python$/ { n++; on = n == 2; next } /^ *```/ { on = 0 } on' README.md |
	sed 's/^ *//' | grep -v '^$' >"$tmp/readme"
sed 's/^ *//' examples/car/robot.py | grep -v '^$' >"$tmp/robot"
: >"$tmp/out"
[ -s "$tmp/readme" ] || echo "README.md has no second Python block" >"$tmp/out"
while IFS= read -r l; do
	# the first line of robot.py at or after the last match that is this one
	k=$(tail -n "+${at:-1}" "$tmp/robot" | grep -nxF -- "$l" | head -n 1 | cut -d: -f1)
	if [ -z "$k" ]; then
		echo "README's car: '$l' is not in examples/car/robot.py (after line ${at:-1})" >>"$tmp/out"
	else
		at=$((${at:-1} + k))
	fi
done <"$tmp/readme"
result "README.md's ten-line car is examples/car/robot.py's, line for line" "$tmp/out"
tap_done
