#!/bin/sh
# SPDX-License-Identifier: MIT
# Run test suites that print TAP ("ok N name", "not ok N name",
# "ok N name # SKIP why") and add them up. A suite that exits non-zero
# without reporting a failure counts as one failure of its own.
# Usage: run-suites.sh [-j N] NAME=COMMAND...
# -j N runs up to N suites at once (default 1); each suite's output is
# shown whole, in the order given, with the seconds it took.
# Ends with every failure again and the plain line
# "N passed, N failed[, N skipped]".
set -u

jobs=1
if [ "${1:-}" = -j ]; then
	jobs=${2:-}
	case $jobs in
	'' | *[!0-9]* | 0) echo "run-suites.sh: -j takes a number of suites, 1 or more" >&2; exit 2 ;;
	esac
	shift 2
fi
pass=0 fail=0 skip=0
dir=$(mktemp -d)
failed=$dir/failed
: >"$failed"
trap 'rm -rf "$dir"' EXIT

# start I COMMAND: suite I runs in the background; dir/I.out its output,
# dir/I.rc its status and seconds once it is done.
start() {
	(
		t0=$(date +%s)
		sh -c "$2" >"$dir/$1.out" 2>&1
		echo "$? $(($(date +%s) - t0))" >"$dir/$1.rc.tmp"
		mv "$dir/$1.rc.tmp" "$dir/$1.rc"
	) &
}
running() { # how many started suites are not done
	_r=0
	_j=1
	while [ "$_j" -le "$started" ]; do
		[ -f "$dir/$_j.rc" ] || _r=$((_r + 1))
		_j=$((_j + 1))
	done
	echo "$_r"
}

# report I NAME: wait for suite I, then show and count it
report() {
	while [ ! -f "$dir/$1.rc" ]; do sleep 1; done
	read -r rc secs <"$dir/$1.rc"
	out=$dir/$1.out
	echo "# suite: $2"
	sed "s/^/[$2] /" "$out"
	p=$(grep -Ec '^ok [0-9]+' "$out")
	s=$(grep -Ec '^ok [0-9]+.*# SKIP' "$out")
	grep -E '^not ok [0-9]+' "$out" | sed "s/^/[$2] /" >>"$failed"
	f=$(grep -Ec '^not ok [0-9]+' "$out")
	p=$((p - s))
	why=
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="suite exited with status $rc"
	elif [ $((p + f + s)) -eq 0 ]; then
		why="suite ran no test"
	fi
	if [ -n "$why" ]; then
		echo "[$2] not ok - $why" | tee -a "$failed"
		f=1
	fi
	echo "# suite $2: $p passed, $f failed, $s skipped ($secs s)"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

started=0
reported=0
for arg in "$@"; do
	while [ "$(running)" -ge "$jobs" ]; do
		# show what is done, in order, while waiting for a free slot
		if [ -f "$dir/$((reported + 1)).rc" ]; then
			reported=$((reported + 1))
			eval "report $reported \"\$name_$reported\""
		else
			sleep 1
		fi
	done
	started=$((started + 1))
	eval "name_$started=\${arg%%=*}"
	start "$started" "${arg#*=}"
done
while [ "$reported" -lt "$started" ]; do
	reported=$((reported + 1))
	eval "report $reported \"\$name_$reported\""
done
wait

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
