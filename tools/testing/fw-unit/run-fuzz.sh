#!/bin/sh
# SPDX-License-Identifier: MIT
# A short, bounded libFuzzer run of the protocol engine (TAP output).
# Longer: FUZZ_SECONDS=3600 tools/testing/fw-unit/run-fuzz.sh
set -u
here=$(dirname "$0")
secs=${FUZZ_SECONDS:-20}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT

echo "TAP version 13"
echo "1..1"
# A failing input is kept here (not in the current directory) to replay:
# tools/testing/fw-unit/fuzz_proto tools/testing/fw-unit/crashes/crash-...
crashes=$here/crashes
mkdir -p "$crashes"
out=$("$here/fuzz_proto" -max_total_time="$secs" -max_len=512 \
	-artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" 2>&1)
rc=$?
runs=$(echo "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
if [ $rc -eq 0 ] && [ -n "$runs" ]; then
	echo "ok 1 fuzz_proto: $runs transaction sequences in ${secs}s, invariants held"
else
	echo "$out" | tail -30 | sed 's/^/# /'
	echo "not ok 1 fuzz_proto (exit $rc)"
fi
