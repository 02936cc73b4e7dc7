#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# Fetch one of Debian's kernels into the twin's cache, ready to boot and to
# build modules against.
#
#   kernels.sh CACHE LINE [ARCH]
#
#   LINE   6.1      bookworm's linux-image-arm64 (Raspberry Pi OS bookworm's
#                   first line; arm64 only)
#          6.12     bookworm-security's linux-image-6.12-arm64; for armhf,
#                   trixie's 6.12 (Raspberry Pi OS bookworm and trixie)
#          6.18     the newest 6.18.y of trixie-backports (the line Raspberry
#                   Pi OS ships since May 2026)
#          newest   the newest kernel of trixie-backports and sid (the
#                   forward canary)
#   ARCH   arm64 (default) or armhf (Debian's armmp flavour: 32-bit Raspberry
#          Pi OS on a Pi Zero 2 W, Pi 3 and older)
#
# Prints the path of an env file with KREL (the release), IMAGE (the kernel
# to boot), MODROOT (a root with lib/modules/KREL, depmod'ed, modules
# uncompressed for busybox's insmod), KDIR (the headers), KARCH and KCROSS
# (make's ARCH and CROSS_COMPILE), GUEST_ARCH (arm64 or armhf) and BUILDROOT
# (empty: modules build on this host; else a build root of the Debian
# release whose compiler built the kernel, buildroot.sh).
#
# Versions come from apt's metadata: 6.1 and arm64 6.12 through the host's
# apt, the others through an apt configuration private to the rig
# (aptconf.sh; trixie, trixie-backports and sid). A line that apt no
# longer offers fails with a message naming it. The packages are fetched
# with apt-get download and unpacked with dpkg-deb -x: nothing arm64 or
# armhf is ever installed on the host.
#
# Debian's backports keep one upload of the "linux" source in their index:
# an older line's headers and armhf image drop out of it while the files
# stay in the archive's pool (6.18 now: only its signed arm64 image is
# still listed). Packages apt no longer lists are fetched from the pool by
# name, at the version apt gives for the line's listed image.
set -eu

cache=$1
line=$2
arch=${3:-arm64}
here=$(cd "$(dirname "$0")" && pwd)
deps=$here/../deps.sh
. "$here/aptconf.sh"

die() {
	echo "kernels.sh: $*" >&2
	exit 1
}

case $arch in
arm64)	flavour=arm64 karch=arm64 kcross=aarch64-linux-gnu- ;;
armhf)	flavour=armmp karch=arm kcross=arm-linux-gnueabihf- ;;
*)	die "unknown architecture '$arch' (arm64 or armhf)" ;;
esac
case $line in
6.1|6.12|6.18|newest) ;;
*)	die "unknown kernel line '$line' (6.1, 6.12, 6.18 or newest)" ;;
esac
[ "$line/$arch" != 6.1/armhf ] || die "the 6.1 line is arm64 only"

"$deps" gcc-aarch64-linux-gnu dwarves kmod xz-utils bc bison flex libelf-dev curl util-linux
case $line/$arch in
6.1/arm64|6.12/arm64) lists=/var/lib/apt/lists updated= ;;
*) lists=$cache/apt-kernels/lists updated=$cache/apt-kernels/updated ;;
esac
resolved=$cache/resolved-$line-$arch
# fresh: the answer kept holds, apt's lists not newer than it (-cnewer:
# apt gives a list the server's date)
fresh() {
	[ -s "$resolved" ] &&
		[ -z "$(find "$lists" -maxdepth 1 -type f -cnewer "$resolved" 2>/dev/null | head -n1)" ]
}
# cached: prints the env file of the kernel resolved before, if it is
# fetched (env files and answers are written whole, by rename), the
# answer is fresh and the private lists are not due (once a day, below)
cached() {
	fresh || return 1
	[ -z "$updated" ] || [ -n "$(find "$updated" -mtime -1 2>/dev/null)" ] || return 1
	read -r _pkg _ver <"$resolved"
	_krel=${_pkg#linux-image-}
	_env=$cache/kernel-${_krel%-unsigned}/kernel.env
	[ -f "$_env" ] && echo "$_env"
}
# Every boot of the twin asks; a kernel already here is answered without
# the lock, which a suite fetching other kernels holds for minutes (a
# fresh machine's make check: kernel-checks fetches seven).
cached && exit 0
# one at a time: test suites run in parallel share the cache and apt's lists
mkdir -p "$cache"
exec 9>"$cache/.lock-kernels"
flock 9

"$deps" --arch arm64
"$deps" --arch "$arch"

# ---- which kernel: KREL, and the version of its packages -----------------
# resolve_line: image_pkg and version from apt's lists
resolve_line() {
	case $line/$arch in
	6.1/arm64|6.12/arm64)
		[ "$line" = 6.1 ] && meta=linux-image-arm64 || meta=linux-image-6.12-arm64
		# "Depends: linux-image-6.1.0-NN-arm64:arm64" -> linux-image-6.1.0-NN-arm64
		resolve() {
			apt-cache depends "$meta:arm64" 2>/dev/null |
				sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n1
		}
		image_pkg=$(resolve)
		if [ -z "$image_pkg" ]; then
			flock /var/lock/arduipi-apt.lock apt-get update -qq
			image_pkg=$(resolve)
		fi
		[ -n "$image_pkg" ] || die "line $line: apt knows no $meta:arm64"
		version=$(apt-cache show "$image_pkg:arm64" | sed -n 's/^Version: //p' | head -n1)
		;;
	*)
		if [ "$line" = newest ]; then
			# The newest version whose image the archive really has: a mirror
			# can list an upload before (or without) its files for an
			# architecture.
			image_pkg=
			for v in $(apt-cache madison "linux-image-$flavour:$arch" | awk '{ print $3 }' | sort -rV); do
				p=$(apt-cache show "linux-image-$flavour:$arch=$v" |
					sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,:]*\).*/\1/p' | head -n1)
				uri=$(apt-get download --print-uris "$p:$arch=$v" 2>/dev/null | cut -d"'" -f2)
				if [ -n "$p" ] && [ -n "$uri" ] && curl -fsI "$uri" >/dev/null 2>&1; then
					image_pkg=$p version=$v
					break
				fi
				echo "kernels.sh: line newest: $p $v is listed but the archive does not have it: trying an older one" >&2
				fallback=1
			done
			[ -n "$image_pkg" ] || die "line newest: apt knows no linux-image-$flavour:$arch the archive has"
		else
			# linux-image-6.18.15+deb13-arm64: the newest ABI of the line that
			# apt lists, in either architecture's flavour
			esc=$(echo "$line" | sed 's/\./\\./g')
			abi=$(apt-cache pkgnames "linux-image-$line." |
				sed -n "s/^linux-image-\($esc\.[0-9]*+deb[0-9]*\)-\(arm64\|armmp\)$/\1/p" |
				sort -uV | tail -n1)
			[ -n "$abi" ] || die "line $line: apt lists no linux-image-$line.*-$flavour in trixie, trixie-backports or sid"
			listed=$(apt-cache pkgnames "linux-image-$abi-" |
				grep -E -x -- "linux-image-$esc\.[0-9]*\+deb[0-9]*-(arm64|armmp)" | head -n1)
			version=$(apt-cache show "$listed" | sed -n 's/^Version: //p' | sort -V | tail -n1)
			image_pkg=linux-image-$abi-$flavour
		fi
		[ -n "$image_pkg" ] && [ -n "$version" ] || die "line $line: cannot resolve its $flavour image"
		;;
	esac
}

case $line/$arch in
6.1/arm64|6.12/arm64) ;;
*)
	apt_dir=$cache/apt-kernels
	apt_private "$apt_dir" arm64,armhf,amd64 trixie trixie-backports sid
	export APT_CONFIG="$apt_dir/apt.conf"
	# the lists once a day
	if [ -z "$(find "$apt_dir/updated" -mtime -1 2>/dev/null)" ]; then
		apt-get -q update >/dev/null || die "apt-get update failed (private configuration $APT_CONFIG)"
		touch "$apt_dir/updated"
	fi
	;;
esac
# The answer is kept until apt's lists change (a list written since:
# -cnewer, apt gives a list the server's date): apt-cache takes seconds a
# call on these lists, and every boot of the twin asks. Not an answer
# that fell back to an older kernel: the archive may have been busy.
fallback=
if fresh; then
	read -r image_pkg version <"$resolved"
else
	resolve_line
	if [ -z "$fallback" ]; then
		echo "$image_pkg $version" >"$resolved.tmp"
		mv "$resolved.tmp" "$resolved"
	fi
fi
krel=${image_pkg#linux-image-}
krel=${krel%-unsigned}

dir=$cache/kernel-$krel
env=$dir/kernel.env
if [ -f "$env" ]; then
	echo "$env"
	exit 0
fi

# ---- fetch and unpack ------------------------------------------------------
echo "kernels.sh: fetching Debian's $arch kernel $krel ($version)" >&2
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
mirror=$(apt_mirror)
# fetch NAME ARCH: the package at $version, through apt, else from the pool
# (of the "linux" source: the lines of the private configuration)
fetch() {
	# _apt cannot write into a private cache directory: download as root.
	_p=$1:$2
	[ "$2" != all ] || _p=$1
	if [ -n "$(apt-cache show "$_p=$version" 2>/dev/null | head -n1)" ]; then
		(cd "$dir/debs" && apt-get -q -o APT::Sandbox::User=root download "$_p=$version" >/dev/null) &&
			return 0
	fi
	_v=$(echo "$version" | sed 's/^[0-9]*://')
	_url=$mirror/pool/main/l/linux/${1}_${_v}_$2.deb
	echo "kernels.sh: $1 $version is no longer in apt's lists: fetching $_url" >&2
	curl -fsS -o "$dir/debs/${1}_${_v}_$2.deb" "$_url" ||
		die "line $line: $1 $version is neither in apt's lists nor in the archive's pool"
}
# the image, and the packages a split image (7.x) depends on
fetch "$image_pkg" "$arch"
for p in $(dpkg-deb -f "$dir/debs/$image_pkg"_*.deb Depends | tr ',|' '\n\n' |
	sed -n "s/^ *\(linux-[a-z]*-$krel\)\( .*\)\{0,1\}$/\1/p"); do
	fetch "$p" "$arch"
done
fetch "linux-headers-$krel" "$arch"
hdeb=$(ls "$dir/debs/linux-headers-$krel"_*.deb)
common=$(dpkg-deb -f "$hdeb" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common[^ ]*\).*/\1/p' | head -n1)
kbuild=$(dpkg-deb -f "$hdeb" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -n1)
[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the headers of $krel"
fetch "$common" all
fetch "$kbuild" amd64
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done

root=$dir/root
kdir=$root/usr/src/linux-headers-$krel
# The arch headers include the -common tree, and newer ones name their
# output directory, by absolute path.
sed -i "s|^include /usr/src/|include $root/usr/src/|; s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" \
	"$kdir/Makefile"

# The compiler that built the kernel: the host's (bookworm, gcc-12) or a
# build root of the release that has it (buildroot.sh).
gcc_major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$kdir/include/config/auto.conf")
buildroot=
case $gcc_major in
12) ;;
*)	buildroot=$("$here/buildroot.sh" "$cache" "$gcc_major") || die "no build root for gcc-$gcc_major" ;;
esac
sdir=$(ls -d "$root"/usr/lib/linux-kbuild-*/scripts)
# On an amd64 host, Debian's modpost for 32-bit targets knows amd64's
# structure sizes and refuses armhf modules ("type mismatch"): run the
# armhf kbuild's own modpost under qemu-user in the build root.
if [ "$arch" = armhf ]; then
	[ -n "$buildroot" ] || die "armhf modules build in a build root (qemu-user for modpost)"
	fetch "$kbuild" armhf
	kb32=$dir/kbuild-armhf
	dpkg-deb -x "$(ls "$dir/debs/${kbuild}"_*_armhf.deb)" "$kb32"
	cat >"$sdir/mod/modpost.real-lsb-32.qemu" <<EOF
#!/bin/sh
exec qemu-arm $(ls -d "$kb32"/usr/lib/linux-kbuild-*/scripts/mod)/modpost.real-lsb-32 "\$@"
EOF
	chmod +x "$sdir/mod/modpost.real-lsb-32.qemu"
	mv "$sdir/mod/modpost.real-lsb-32.qemu" "$sdir/mod/modpost.real-lsb-32"
fi
# Debian's kbuild lacks scripts/checker-valid.sh, which Kbuild (6.19 and
# later) runs to decide whether C=1/C=2 run sparse at all: without it they
# silently check nothing. Ours runs the checker on what Kbuild needs of it.
if grep -qs 'checker-valid.sh' "$root"/usr/src/linux-headers-*-common/Makefile &&
   [ ! -e "$sdir/checker-valid.sh" ]; then
	cp "$here/checker-valid.sh" "$sdir/checker-valid.sh"
fi

# Modules: busybox's insmod takes plain .ko files; depmod for modprobe.
# Newer images keep them under /usr/lib/modules.
if [ -d "$root/usr/lib/modules/$krel" ] && [ ! -e "$root/lib/modules" ]; then
	mkdir -p "$root/lib"
	ln -s ../usr/lib/modules "$root/lib/modules"
fi
find "$root/lib/modules/$krel/" -name '*.ko.xz' -exec xz -d {} +
depmod -b "$root" "$krel"

image=
for f in "$root/boot/vmlinuz-$krel" "$root/usr/lib/modules/$krel/vmlinuz"; do
	[ -f "$f" ] && image=$f && break
done
[ -n "$image" ] || die "no kernel image in the $krel packages"
cat >"$env.tmp" <<EOF
KREL=$krel
KLINE=$line
IMAGE=$image
MODROOT=$root
KDIR=$kdir
KARCH=$karch
KCROSS=$kcross
GUEST_ARCH=$arch
BUILDROOT=$buildroot
EOF
rm -rf "$dir/debs"
mv "$env.tmp" "$env"
echo "$env"
