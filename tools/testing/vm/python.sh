#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# Python for the twin guest, for the examples users run with it
# (examples/car/car.py), as an initramfs part that run-guest --python
# appends to the base one:
#
#   bookworm  python3.11 with its standard library, python3-libgpiod 1.6 (the libgpiod v1
#             bindings of Raspberry Pi OS bookworm), python3-smbus2 and
#             gpiozero 1.6: python3
#   trixie    python3.13 with its standard library and python3-libgpiod
#             2.x, the v2 bindings of Raspberry Pi OS trixie: python3.13
#             with PYTHONPATH=/opt/gpiod2/python; Debian trixie's gpiozero
#             is bookworm's 1.6.2, which needs trixie's pkg_resources on
#             Python 3.13: PYTHONPATH=/opt/gpiod2/python:/opt/pkgres-trixie/python
#   sid       gpiozero 2.0.1 (Raspberry Pi OS ships 2.0): python3.13 with
#             PYTHONPATH=/opt/gpiod2/python:/opt/gpiozero2/python
#
#   python.sh CACHE [ARCH]   prints the path of the cpio archive (ARCH
#                            arm64, the default, or armhf)
#
# Trixie's packages come through userland.sh's private apt configuration.
set -eu

cache=$1
arch=${2:-arm64}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/aptconf.sh"
bookworm=$(for p in python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libffi8 \
	libgcc-s1 python3-libgpiod python3-smbus2 python3-gpiozero; do echo "$p:$arch"; done)
# Architecture: all
bookworm_all="python3-colorzero python3-pkg-resources"
trixie="python3.13-minimal libpython3.13-minimal libpython3.13-stdlib
	python3-libgpiod zlib1g libexpat1"
# trixie's pkg_resources (gpiozero 1.6 finds factories with it) and what it
# imports: beside bookworm's, in a path of their own
pkgres="python3-pkg-resources python3-autocommand python3-inflect python3-jaraco.context
	python3-jaraco.functools python3-more-itertools python3-typeguard python3-typing-extensions"
# pure Python: the host architecture's package has the same files
sid="python3-gpiozero python3-colorzero"
apt_dir=$cache/apt-trixie
[ "$arch" = arm64 ] || apt_dir=$cache/apt-trixie-$arch
# shellcheck disable=SC2086 # lists
out=$cache/python-$(echo $bookworm $bookworm_all $trixie $pkgres $sid | md5sum | cut -c1-8).cpio
# one at a time: test suites run in parallel share the cache
mkdir -p "$cache"
exec 8>"$cache/.lock-python-$arch"
flock 8
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
"$here/userland.sh" "$cache" "$arch" >/dev/null
echo "python.sh: unpacking the guest's Python" >&2

debs=$cache/python-debs-$arch
rm -rf "$debs"
mkdir -p "$debs/bookworm" "$debs/trixie" "$debs/sid"
# shellcheck disable=SC2086 # lists
(cd "$debs/bookworm" && apt-get -q -o APT::Sandbox::User=root download $bookworm $bookworm_all >/dev/null)
export APT_CONFIG="$apt_dir/apt.conf"
# shellcheck disable=SC2086 # a list
mkdir -p "$debs/pkgres"
(cd "$debs/trixie" && { apt-get -q download $trixie >/dev/null 2>&1 ||
	{ apt-get -q update >/dev/null && apt-get -q download $trixie >/dev/null; }; })
# shellcheck disable=SC2086 # a list
(cd "$debs/pkgres" && apt-get -q download $pkgres >/dev/null)

# sid's configuration of our own (buildroot.sh may be updating its one)
sid_apt=$cache/apt-sid-python-$arch
[ -f "$sid_apt/apt.conf" ] || apt_private "$sid_apt" amd64 sid
# shellcheck disable=SC2086 # a list
(export APT_CONFIG="$sid_apt/apt.conf" && cd "$debs/sid" &&
	{ apt-get -q download $sid >/dev/null 2>&1 ||
		{ apt-get -q update >/dev/null && apt-get -q download $sid >/dev/null; }; })

root=$(mktemp -d)
v2=$(mktemp -d)
gz2=$(mktemp -d)
pr=$(mktemp -d)
trap 'rm -rf "$root" "$v2" "$gz2" "$pr"' EXIT
for deb in "$debs"/bookworm/*.deb "$debs"/trixie/*.deb; do
	case $deb in
	*/trixie/python3-libgpiod_*) dpkg-deb -x "$deb" "$v2" ;;
	*) dpkg-deb -x "$deb" "$root" ;;
	esac
done
for deb in "$debs"/sid/*.deb; do dpkg-deb -x "$deb" "$gz2"; done
for deb in "$debs"/pkgres/*.deb; do dpkg-deb -x "$deb" "$pr"; done
# v2's package would shadow v1's module for python3.11: a path of its own;
# gpiozero 2.0 beside 1.6 the same way
mkdir -p "$root/opt/gpiod2/python" "$root/opt/gpiozero2"
cp -a "$v2/usr/lib/python3/dist-packages/gpiod" "$root/opt/gpiod2/python/"
cp -a "$gz2/usr/lib/python3/dist-packages" "$root/opt/gpiozero2/python"
mkdir -p "$root/opt/pkgres-trixie"
cp -a "$pr/usr/lib/python3/dist-packages" "$root/opt/pkgres-trixie/python"
ln -sfn python3.11 "$root/usr/bin/python3"
rm -rf "$root/usr/share" "$root/etc"
# the base has merged /usr: libgcc-s1 still ships /lib
if [ -d "$root/lib" ]; then
	mkdir -p "$root/usr/lib"
	cp -a "$root/lib/." "$root/usr/lib/"
	rm -rf "${root:?}/lib"
fi
# everything must be below usr/ (or opt/)
for d in "$root"/*; do
	case ${d##*/} in usr | opt) ;; *) echo "python.sh: unexpected /${d##*/}" >&2; exit 1 ;; esac
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
