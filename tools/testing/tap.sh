# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# TAP helpers for the host-side test scripts (. tap.sh).

n=0
failed=0

# result DESCRIPTION OUTPUT-FILE: passes when the file is empty, else shows it
result() {
	n=$((n + 1))
	if [ -s "$2" ]; then
		sed 's/^/#   /' "$2" | head -n 40
		echo "not ok $n - $1"
		failed=$((failed + 1))
	else
		echo "ok $n - $1"
	fi
}

# tap_done: the plan; the status says whether all passed
tap_done() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
