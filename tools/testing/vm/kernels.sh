#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# Fetch one of Debian's arm64 kernels (the two kernel lines Raspberry Pi OS
# ships) into the twin's cache, ready to boot and to build modules against.
#
#   kernels.sh CACHE 6.1|6.12
#
# Prints the path of an env file with KREL (the release), IMAGE (the kernel
# to boot), MODROOT (a root with lib/modules/KREL, depmod'ed, modules
# uncompressed for busybox's insmod) and KDIR (the headers, for
# "make -C KDIR M=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-").
#
# Versions come from apt's metadata: 6.1 is bookworm's linux-image-arm64,
# 6.12 is bookworm-security's linux-image-6.12-arm64. The packages are
# fetched with apt-get download and unpacked with dpkg-deb -x: arm64
# packages are never installed on the host.
set -eu

cache=$1
line=$2
here=$(cd "$(dirname "$0")" && pwd)
deps=$here/../deps.sh

case $line in
6.1)	meta=linux-image-arm64 ;;
6.12)	meta=linux-image-6.12-arm64 ;;
*)	echo "kernels.sh: unknown kernel line '$line' (6.1 or 6.12)" >&2; exit 1 ;;
esac

"$deps" gcc-aarch64-linux-gnu dwarves kmod xz-utils bc bison flex libelf-dev

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "kernels.sh: adding the arm64 architecture to dpkg (for apt-get download)" >&2
	dpkg --add-architecture arm64
	apt-get update -qq
fi

# "Depends: linux-image-6.1.0-NN-arm64:arm64" -> linux-image-6.1.0-NN-arm64
resolve() {
	apt-cache depends "$1:arm64" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n1
}
image_pkg=$(resolve "$meta")
if [ -z "$image_pkg" ]; then
	apt-get update -qq
	image_pkg=$(resolve "$meta")
fi
[ -n "$image_pkg" ] || { echo "kernels.sh: apt knows no $meta:arm64" >&2; exit 1; }
krel=${image_pkg#linux-image-}

dir=$cache/kernel-$krel
env=$dir/env
if [ -f "$env" ]; then
	echo "$env"
	exit 0
fi

echo "kernels.sh: fetching Debian's arm64 kernel $krel" >&2
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
headers=linux-headers-$krel
common=$(apt-cache depends "$headers:arm64" | sed -n 's/^ *Depends: <\?\(linux-headers-[^:>]*-common\).*/\1/p' | head -n1)
kbuild=$(apt-cache depends "$headers:arm64" | sed -n 's/^ *Depends: \(linux-kbuild-[^:]*\).*/\1/p' | head -n1)
[ -n "$common" ] && [ -n "$kbuild" ] ||
	{ echo "kernels.sh: cannot resolve the headers of $krel" >&2; exit 1; }
(
	cd "$dir/debs"
	# _apt cannot write into a private cache directory: download as root.
	apt-get -q -o APT::Sandbox::User=root download \
		"$image_pkg:arm64" "$headers:arm64" "$common" "$kbuild:amd64" >/dev/null
)
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

root=$dir/root
kdir=$root/usr/src/$headers
# The arch headers include the -common tree by absolute path.
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"

# Modules: busybox's insmod takes plain .ko files; depmod for modprobe.
find "$root/lib/modules/$krel" -name '*.ko.xz' -exec xz -d {} +
depmod -b "$root" "$krel"

image=$(ls "$root"/boot/vmlinuz-"$krel")
cat >"$env.tmp" <<EOF
KREL=$krel
IMAGE=$image
MODROOT=$root
KDIR=$kdir
EOF
mv "$env.tmp" "$env"
echo "$env"
