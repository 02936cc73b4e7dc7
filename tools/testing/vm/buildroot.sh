#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# A build root for Debian's newer kernels: their headers call the compiler
# that built them by name (aarch64-linux-gnu-gcc-14, ...) and their host
# tools (modpost) need a newer C library than this host's, so their modules
# build in a root of the Debian release that has both, made by mmdebstrap
# from the Debian archive and kept in the cache like the kernels:
#
#   buildroot.sh CACHE GCC_MAJOR     prints the root's directory
#
#   14  trixie    (Debian's 6.12 of trixie, 6.18 and 7.x of trixie-backports)
#   15+ sid
#
# It has the cross compilers for arm64 and armhf, sparse 0.6.5 (the first
# to parse __typeof_unqual__, from sid; it needs only the C library),
# qemu-user and the armhf C library (kernels.sh runs the armhf modpost
# there). in-root.sh runs a command in it.
set -eu

cache=$1
gcc=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/aptconf.sh"
# kernels.sh calls this with its own private configuration in APT_CONFIG:
# nothing here is of those lists (deps.sh and mmdebstrap use the host's)
unset APT_CONFIG
case $gcc in
14)	suite=trixie ;;
1[5-9])	suite=sid ;;
*)	echo "buildroot.sh: no Debian release known for gcc-$gcc" >&2; exit 1 ;;
esac
root=$cache/buildroot-$suite-gcc$gcc
mkdir -p "$cache"
exec 8>"$cache/.lock-buildroot"
flock 8
if [ -f "$root/.done" ]; then
	echo "$root"
	exit 0
fi
"$here/../deps.sh" mmdebstrap >&2
echo "buildroot.sh: making a $suite build root for gcc-$gcc (mmdebstrap)" >&2
# A mirror that is a dated snapshot serves Release files past their
# Valid-Until: accept them (as aptconf.sh's configurations do).
# mmdebstrap hands apt a pipe by its number (APT::Keep-Fds, a hook
# "cat >&N" that /bin/sh runs), the lowest free descriptor, and dash
# cannot write to one past 9: called from a boot of the twin (flock's,
# run-guest's, kernels.sh's and this script's locks open) it got 11 and
# failed with "Syntax error: Bad fd number". So it runs with only 0-2
# open (the lock stays held: this shell keeps its descriptor), its log
# in the cache.
log=$cache/buildroot-$suite-gcc$gcc.log
rm -rf "$root" "$root.tmp"
if ! bash -c 'for f in /proc/$$/fd/*; do
		f=${f##*/}
		[ "$f" -gt 2 ] && eval "exec $f>&-" 2>/dev/null
	done
	exec "$@"' mmdebstrap mmdebstrap --verbose --variant=apt --architectures=amd64,armhf \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--include="make,gcc,libc6-dev,libelf-dev,bc,kmod,xz-utils,dwarves,perl,python3,qemu-user,libc6:armhf,gcc-$gcc-aarch64-linux-gnu,gcc-$gcc-arm-linux-gnueabihf" \
	"$suite" "$root.tmp" "$(apt_mirror)" >"$log" 2>&1; then
	echo "buildroot.sh: mmdebstrap $suite failed; the end of $log:" >&2
	grep -v '^I: ' "$log" | tail -n 15 >&2
	exit 1
fi

# sparse 0.6.5 from sid, unpacked: its package depends on sid's gcc-16,
# the program only on the C library.
apt_dir=$cache/apt-sid
apt_private "$apt_dir" amd64 sid
sp=$(mktemp -d)
trap 'rm -rf "$sp"' EXIT
(
	export APT_CONFIG="$apt_dir/apt.conf"
	apt-get -q update >/dev/null
	cd "$sp" && apt-get -q download sparse >/dev/null
) || { echo "buildroot.sh: cannot fetch sid's sparse" >&2; exit 1; }
dpkg-deb -x "$sp"/sparse_*.deb "$sp/x"
cp "$sp/x/usr/bin/sparse" "$root.tmp/usr/local/bin/sparse"
chroot "$root.tmp" sparse --version >/dev/null ||
	{ echo "buildroot.sh: sid's sparse does not run in the $suite root" >&2; exit 1; }
touch "$root.tmp/.done"
mv "$root.tmp" "$root"
echo "$root"
