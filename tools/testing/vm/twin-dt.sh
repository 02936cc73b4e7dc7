#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# The twin's base device tree: QEMU virt's own DTB (dumped by QEMU for the
# machine run-guest starts) plus twin.dtsi, compiled with symbols (-@) so
# that Raspberry Pi overlays apply to it with fdtoverlay.
#
#   twin-dt.sh CACHE MEM_MB [ARCH]     prints the path of the DTB (ARCH
#                                      arm64, the default, or armhf)
set -eu

cache=$1
mem=$2
qemu="qemu-system-aarch64 -M virt -cpu cortex-a72"
[ "${3:-arm64}" = arm64 ] || qemu="qemu-system-arm -M virt -cpu cortex-a15"
here=$(cd "$(dirname "$0")" && pwd)
key=$( (${qemu%% *} --version | head -n1; echo "$qemu $mem nodefaults"; cat "$here/twin.dtsi") |
	md5sum | cut -c1-12)
out=$cache/twin-$key.dtb
mkdir -p "$cache"
exec 9>"$cache/.lock-dtb"
flock 9
if [ ! -f "$out" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# -nodefaults as run-guest boots it (and no NIC, whose option ROM
	# Debian ships in a package qemu only recommends)
	# shellcheck disable=SC2086 # words
	$qemu -machine dumpdtb="$tmp/virt.dtb" -m "$mem" -nodefaults -display none >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
	cat "$tmp/virt.dts" "$here/twin.dtsi" >"$tmp/twin.dts"
	dtc -q -@ -I dts -O dtb -o "$out.tmp" "$tmp/twin.dts"
	mv "$out.tmp" "$out"
fi
echo "$out"
