#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# The twin guest's userland, unpacked from Debian's arm64 packages:
#
#   busybox-static            the shell and the usual commands
#   gpiod, libgpiod2          libgpiod v1 tools (1.6, Raspberry Pi OS bookworm)
#   i2c-tools, libi2c0        i2cdetect, i2cget, i2cset, i2ctransfer, ...
#   trixie's gpiod, libgpiod3 libgpiod v2 tools (2.x, Raspberry Pi OS trixie),
#                             in /opt/gpiod2/bin
#   trixie's libc6            one C library for all of them (a newer glibc
#                             runs binaries built for an older one)
#   util-linux, libsmartcols1 wdctl alone (busybox has the rest)
#
#   userland.sh CACHE [ARCH]  prints the root directory (ARCH arm64, the
#                             default, or armhf for 32-bit Raspberry Pi OS)
#
# Trixie's packages come through an apt configuration private to the rig
# (aptconf.sh: its own sources list, lists and cache under CACHE/apt-trixie,
# or apt-trixie-armhf); the host's apt sources are never changed.
set -eu

cache=$1
arch=${2:-arm64}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/aptconf.sh"
case $arch in
arm64)	root=$cache/userland; apt_dir=$cache/apt-trixie; triplet=aarch64-linux-gnu ;;
armhf)	root=$cache/userland-armhf; apt_dir=$cache/apt-trixie-armhf; triplet=arm-linux-gnueabihf ;;
*)	echo "userland.sh: unknown architecture '$arch' (arm64 or armhf)" >&2; exit 1 ;;
esac

# one at a time: test suites run in parallel share the cache
mkdir -p "$cache"
exec 9>"$cache/.lock-userland-$arch"
flock 9

# Trixie's packages come through an apt configuration of the rig's own:
# APT_CONFIG=$apt_dir/apt.conf (python.sh uses it too).
apt_private "$apt_dir" "$arch" trixie

# what the cached root holds: a change here unpacks it again
version=2
if [ "$(cat "$root/.done" 2>/dev/null)" = "$version" ]; then
	echo "$root"
	exit 0
fi
echo "userland.sh: unpacking the guest userland" >&2

"$here/../deps.sh" --arch "$arch"

debs=$cache/userland-debs-$arch
rm -rf "$root" "$debs"
mkdir -p "$root" "$debs/bookworm" "$debs/trixie" "$debs/util-linux"

# bookworm, through the host's apt
(cd "$debs/bookworm" &&
	apt-get -q -o APT::Sandbox::User=root download \
		busybox-static:"$arch" gpiod:"$arch" libgpiod2:"$arch" \
		i2c-tools:"$arch" libi2c0:"$arch" >/dev/null)
(cd "$debs/util-linux" &&
	apt-get -q -o APT::Sandbox::User=root download \
		util-linux:"$arch" libsmartcols1:"$arch" >/dev/null)

# trixie, through the private apt configuration
export APT_CONFIG="$apt_dir/apt.conf"
apt-get -q update >/dev/null
(cd "$debs/trixie" && apt-get -q download gpiod libgpiod3 libc6 >/dev/null)

for deb in "$debs"/trixie/libc6_*.deb "$debs"/bookworm/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
# libgpiod v2: its tools beside v1's, its library beside v1's (new soname)
v2=$(mktemp -d)
for deb in "$debs"/trixie/gpiod_*.deb "$debs"/trixie/libgpiod3_*.deb; do
	dpkg-deb -x "$deb" "$v2"
done
# util-linux's wdctl and its library, not its other commands over busybox's
ul=$(mktemp -d)
for deb in "$debs"/util-linux/*.deb; do
	dpkg-deb -x "$deb" "$ul"
done
mkdir -p "$root/usr/bin" "$root/usr/lib/$triplet"
cp -a "$ul"/bin/wdctl "$root/usr/bin/" 2>/dev/null || cp -a "$ul"/usr/bin/wdctl "$root/usr/bin/"
cp -a "$ul"/lib/$triplet/libsmartcols.so.1* "$root/usr/lib/$triplet/" 2>/dev/null ||
	cp -a "$ul"/usr/lib/$triplet/libsmartcols.so.1* "$root/usr/lib/$triplet/"
rm -rf "$ul"
mkdir -p "$root/opt/gpiod2/bin"
cp -a "$v2"/usr/bin/* "$root/opt/gpiod2/bin/"
cp -a "$v2"/usr/lib/$triplet/libgpiod.so.3* "$root/usr/lib/$triplet/"
rm -rf "$v2" "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian" \
	"$root/usr/share/locale"

# merged /usr, as on Raspberry Pi OS
for d in bin sbin lib; do
	if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
		mkdir -p "$root/usr/$d"
		cp -a "$root/$d/." "$root/usr/$d/"
		rm -rf "${root:?}/$d"
	fi
	ln -sfn "usr/$d" "$root/$d"
done
echo "$version" >"$root/.done"
echo "$root"
