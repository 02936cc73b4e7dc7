#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The Debian packages, TAP output: dpkg-buildpackage -us -uc on a copy of
# the source tree (what git tracks, and new files it does not ignore);
# the file lists of arduipi-tools and arduipi-dkms; lintian on the result;
# the DKMS tree builds the module as dkms would (its MAKE line, against the
# twin's 6.12 headers).
# Usage: packaging.sh CACHE_DIR   (the twin's cache, for the kernel headers)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${1:?usage: packaging.sh CACHE_DIR}

"$here/deps.sh" dpkg-dev debhelper dh-dkms dh-python python3 lintian gcc-avr avr-libc \
	binutils-avr device-tree-compiler gcc make cpio >&2 || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tap.sh"

version=$(sed -n '1s/^arduipi (\([^)]*\)).*/\1/p' "$top/debian/changelog")
arch=$(dpkg --print-architecture)
mkdir "$tmp/arduipi-$version"
(cd "$top" && git ls-files -co --exclude-standard | cpio -pdm --quiet "$tmp/arduipi-$version")
(cd "$tmp/arduipi-$version" && dpkg-buildpackage -us -uc) >"$tmp/build.log" 2>&1 ||
	{ tail -n 30 "$tmp/build.log" >"$tmp/build.bad"; }
touch "$tmp/build.bad"
for f in "arduipi_$version.dsc" "arduipi-tools_${version}_$arch.deb" \
	 "arduipi-dkms_${version}_all.deb" "python3-arduipi_${version}_all.deb"; do
	[ -f "$tmp/$f" ] || echo "no $f" >>"$tmp/build.bad"
done
result "dpkg-buildpackage -us -uc: source, arduipi-tools, arduipi-dkms and python3-arduipi" "$tmp/build.bad"

# file lists (regular files and links, directories left out)
list() { dpkg-deb -c "$1" 2>/dev/null | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|' | LC_ALL=C sort; }
{
	printf '%s\n' /usr/bin/arduipi /usr/bin/arduipi-flash \
		/usr/share/arduipi/arduipi-8mhz.hex /usr/share/arduipi/arduipi.hex \
		/usr/share/arduipi/overlays/arduipi.dtbo \
		/usr/share/doc/arduipi-tools/README.md.gz \
		/usr/share/doc/arduipi-tools/changelog.gz \
		/usr/share/doc/arduipi-tools/copyright \
		/usr/share/man/man1/arduipi-flash.1.gz /usr/share/man/man1/arduipi.1.gz
	# dh_compress: documents over 4 KiB are compressed
	gz() { [ "$(wc -c <"$1")" -le 4096 ] || echo .gz; }
	for f in "$top"/Documentation/*.rst; do
		echo "/usr/share/doc/arduipi-tools/${f##*/}$(gz "$f")"
	done
	# ... but not examples (debhelper compat 12 and later): they stay runnable
	for f in "$top"/examples/car/*; do
		echo "/usr/share/doc/arduipi-tools/examples/car/${f##*/}"
	done
} | LC_ALL=C sort >"$tmp/tools.want"
list "$tmp/arduipi-tools_${version}_$arch.deb" | grep -v '^/usr/lib/debug' >"$tmp/tools.got"
diff "$tmp/tools.want" "$tmp/tools.got" >"$tmp/tools.bad"
result "arduipi-tools: the tools, man pages, firmware images, overlay, docs, examples" "$tmp/tools.bad"

src=/usr/src/arduipi-$version
{
	echo "$src/dkms.conf"
	for f in Kbuild Makefile "$top"/kernel/*.c "$top"/kernel/*.h; do
		echo "$src/kernel/${f##*/}"
	done
	printf '%s\n' /usr/share/doc/arduipi-dkms/changelog.gz \
		/usr/share/doc/arduipi-dkms/copyright
} | LC_ALL=C sort >"$tmp/dkms.want"
list "$tmp/arduipi-dkms_${version}_all.deb" >"$tmp/dkms.got"
diff "$tmp/dkms.want" "$tmp/dkms.got" >"$tmp/dkms.bad"
mkdir "$tmp/dkms"
dpkg-deb -x "$tmp/arduipi-dkms_${version}_all.deb" "$tmp/dkms" 2>>"$tmp/dkms.bad"
grep -qx "PACKAGE_VERSION=\"$version\"" "$tmp/dkms/$src/dkms.conf" 2>/dev/null ||
	echo "dkms.conf: no PACKAGE_VERSION=\"$version\"" >>"$tmp/dkms.bad"
dpkg-deb -I "$tmp/arduipi-dkms_${version}_all.deb" | grep -q 'Depends:.*dkms' ||
	echo "arduipi-dkms does not depend on dkms" >>"$tmp/dkms.bad"
result "arduipi-dkms: the module's source and dkms.conf in $src, depends on dkms" "$tmp/dkms.bad"

# the Python package: the modules, gpiozero's entry point, the example
pyver=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$top/tools/python/arduipi/__init__.py")
py=/usr/lib/python3/dist-packages
{
	for f in "$top"/tools/python/arduipi/*.py; do echo "$py/arduipi/${f##*/}"; done
	for f in METADATA entry_points.txt top_level.txt; do
		echo "$py/arduipi-$pyver.dist-info/$f"
	done
	printf '%s\n' /usr/share/doc/python3-arduipi/changelog.gz \
		/usr/share/doc/python3-arduipi/copyright \
		/usr/share/doc/python3-arduipi/examples/classroom.py
} | LC_ALL=C sort >"$tmp/py.want"
list "$tmp/python3-arduipi_${version}_all.deb" >"$tmp/py.got"
diff "$tmp/py.want" "$tmp/py.got" >"$tmp/py.bad"
mkdir "$tmp/py"
dpkg-deb -x "$tmp/python3-arduipi_${version}_all.deb" "$tmp/py" 2>>"$tmp/py.bad"
grep -qx 'arduipi = arduipi.factory:ArduiPiFactory' \
	"$tmp/py/$py/arduipi-$pyver.dist-info/entry_points.txt" 2>/dev/null ||
	echo "no gpiozero_pin_factories entry point 'arduipi'" >>"$tmp/py.bad"
dpkg-deb -I "$tmp/python3-arduipi_${version}_all.deb" |
	grep -q 'Depends:.*python3-gpiozero.*python3-libgpiod' ||
	echo "python3-arduipi does not depend on python3-gpiozero and python3-libgpiod" >>"$tmp/py.bad"
# importable by the host's Python as installed (no gpiozero needed for this)
PYTHONPATH="$tmp/py/$py" python3 -c 'import arduipi; arduipi.pin_name("D13")' >>"$tmp/py.bad" 2>&1
result "python3-arduipi: the module, its dist-info with gpiozero's entry point, the example" "$tmp/py.bad"

lintian --fail-on error,warning --no-tag-display-limit \
	"$tmp/arduipi_${version}_$arch.changes" >"$tmp/lintian" 2>&1 ||
	echo "lintian failed" >>"$tmp/lintian"
grep -E '^[EW]: |failed' "$tmp/lintian" >"$tmp/lintian.bad"
result "lintian: no error, no warning" "$tmp/lintian.bad"

# dkms builds with dkms.conf's MAKE line in the packaged tree
env_file=$("$here/vm/kernels.sh" "$cache" 6.12) || exit 1
. "$env_file"
make_line=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' "$tmp/dkms/$src/dkms.conf")
(cd "$tmp/dkms/$src" && kernel_source_dir=$KDIR &&
	eval "$make_line ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-") >"$tmp/dkmsb" 2>&1 ||
	tail -n 20 "$tmp/dkmsb" >"$tmp/dkmsb.bad"
touch "$tmp/dkmsb.bad"
[ -f "$tmp/dkms/$src/kernel/arduipi.ko" ] || echo "no kernel/arduipi.ko" >>"$tmp/dkmsb.bad"
result "the packaged tree builds the module as dkms does ($KREL)" "$tmp/dkmsb.bad"

tap_done
