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
#
#   userland.sh CACHE         prints the root directory
#
# Trixie's packages come through an apt configuration private to the rig
# (its own sources list, lists and cache under CACHE/apt-trixie); the host's
# apt sources are never changed.
set -eu

cache=$1
root=$cache/userland

# Trixie's packages come through an apt configuration of the rig's own:
# APT_CONFIG=$cache/apt-trixie/apt.conf (python.sh uses it too).
apt_dir=$cache/apt-trixie
mirror=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(sed -n 's|^deb \(http[^ ]*/debian\) .*|\1|p' /etc/apt/sources.list 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/preferences.d"
echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
	>"$apt_dir/etc/sources.list"
[ -f "$apt_dir/status" ] || : >"$apt_dir/status"
for o in "Dir::Etc::SourceList $apt_dir/etc/sources.list" \
	 "Dir::Etc::SourceParts /nonexistent" \
	 "Dir::Etc::Preferences $apt_dir/etc/preferences" \
	 "Dir::Etc::PreferencesParts $apt_dir/etc/preferences.d" \
	 "Dir::State::Lists $apt_dir/lists" "Dir::State::status $apt_dir/status" \
	 "Dir::Cache $apt_dir/cache" "APT::Architecture arm64" \
	 "APT::Architectures arm64" "APT::Sandbox::User root"; do
	echo "${o%% *} \"${o#* }\";"
done >"$apt_dir/apt.conf"

if [ -f "$root/.done" ]; then
	echo "$root"
	exit 0
fi
echo "userland.sh: unpacking the guest userland" >&2

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -qq
fi

rm -rf "$root" "$cache/userland-debs"
mkdir -p "$root" "$cache/userland-debs/bookworm" "$cache/userland-debs/trixie"

# bookworm, through the host's apt
(cd "$cache/userland-debs/bookworm" &&
	apt-get -q -o APT::Sandbox::User=root download \
		busybox-static:arm64 gpiod:arm64 libgpiod2:arm64 \
		i2c-tools:arm64 libi2c0:arm64 >/dev/null)

# trixie, through the private apt configuration
export APT_CONFIG="$apt_dir/apt.conf"
apt-get -q update >/dev/null
(cd "$cache/userland-debs/trixie" && apt-get -q download gpiod libgpiod3 libc6 >/dev/null)

for deb in "$cache"/userland-debs/trixie/libc6_*.deb \
	   "$cache"/userland-debs/bookworm/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
# libgpiod v2: its tools beside v1's, its library beside v1's (new soname)
v2=$(mktemp -d)
for deb in "$cache"/userland-debs/trixie/gpiod_*.deb \
	   "$cache"/userland-debs/trixie/libgpiod3_*.deb; do
	dpkg-deb -x "$deb" "$v2"
done
mkdir -p "$root/opt/gpiod2/bin"
cp -a "$v2"/usr/bin/* "$root/opt/gpiod2/bin/"
cp -a "$v2"/usr/lib/aarch64-linux-gnu/libgpiod.so.3* "$root/usr/lib/aarch64-linux-gnu/"
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
touch "$root/.done"
echo "$root"
