#!/bin/sh
# SPDX-License-Identifier: MIT
# Run test suites that print TAP ("ok N name", "not ok N name",
# "ok N name # SKIP why") and add them up. A suite that exits non-zero
# without reporting a failure counts as one failure of its own.
# Usage: run-suites.sh NAME=COMMAND...
# Ends with every failure again and the plain line
# "N passed, N failed[, N skipped]".
set -u

pass=0 fail=0 skip=0
tmp=$(mktemp)
failed=$(mktemp)
trap 'rm -f "$tmp" "$failed"' EXIT

for arg in "$@"; do
	name=${arg%%=*}
	cmd=${arg#*=}
	echo "# suite: $name"
	sh -c "$cmd" >"$tmp" 2>&1
	rc=$?
	sed "s/^/[$name] /" "$tmp"
	p=$(grep -Ec '^ok [0-9]+' "$tmp")
	s=$(grep -Ec '^ok [0-9]+.*# SKIP' "$tmp")
	grep -E '^not ok [0-9]+' "$tmp" | sed "s/^/[$name] /" >>"$failed"
	f=$(grep -Ec '^not ok [0-9]+' "$tmp")
	p=$((p - s))
	why=
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="suite exited with status $rc"
	elif [ $((p + f + s)) -eq 0 ]; then
		why="suite ran no test"
	fi
	if [ -n "$why" ]; then
		echo "[$name] not ok - $why" | tee -a "$failed"
		f=1
	fi
	echo "# suite $name: $p passed, $f failed, $s skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

# The failures again, last, where a log's tail shows them.
if [ -s "$failed" ]; then
	echo "# failed:"
	cat "$failed"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
