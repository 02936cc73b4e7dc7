#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The driver's static checks, TAP output:
#  - checkpatch.pl --strict (from Debian's linux-source-6.12) on kernel/;
#  - a W=1 build with sparse (C=2) for each kernel line and architecture the
#    README names: no warning at all, and sparse really checked every file;
#  - the DT binding: dt-doc-validate, and its example compiled with dtc and
#    validated against the binding with dt-validate.
# Usage: kernel-checks.sh CACHE_DIR   (the twin's cache: kernels, sources)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$1
"$here/deps.sh" linux-source-6.12 xz-utils sparse dt-schema device-tree-compiler \
	cpp gcc-aarch64-linux-gnu >&2 || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/tap.sh"

# checkpatch, from the kernel's own source package
cp_dir=$cache/checkpatch
if [ ! -f "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$cp_dir" --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
fi
for f in "$top"/kernel/*.c "$top"/kernel/*.h; do
	perl "$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		-f "$f" >"$tmp/cp" 2>&1 || true
	grep -v '^total:\|^$' "$tmp/cp" >"$tmp/cp.bad" || true
	result "checkpatch --strict: kernel/$(basename "$f")" "$tmp/cp.bad"
done

# W=1 and sparse on every kernel line and architecture. The checker logs
# each file it checks (vm/sparse-logged): a build where sparse silently ran
# on nothing (Debian's 7.x kbuild without checker-valid.sh) fails.
for la in 6.1/arm64 6.12/arm64 6.18/arm64 newest/arm64 6.12/armhf 6.18/armhf newest/armhf; do
	env_file=$("$here/vm/kernels.sh" "$cache" "${la%/*}" "${la#*/}" 2>"$tmp/k") || {
		echo "kernels.sh ${la%/*} ${la#*/} failed" >>"$tmp/k"
		result "${la%/*} ${la#*/}: Debian's kernel fetched" "$tmp/k"
		continue
	}
	. "$env_file"
	: >"$tmp/sparse.log"
	# a build directory of its own: the twin suites may build meanwhile
	SPARSE_LOG=$tmp/sparse.log make -s -C "$here/vm" driver BUILD="$tmp/build-kc" \
		KDIR="$KDIR" KREL="$KREL" \
		KARCH="$KARCH" KCROSS="$KCROSS" BUILDROOT="$BUILDROOT" >"$tmp/build" 2>&1 ||
		echo "build failed" >>"$tmp/build"
	grep -v 'Skipping BTF generation' "$tmp/build" >"$tmp/build.bad" || true
	for f in "$top"/kernel/*.c; do
		grep -Eq "(^|/)${f##*/}\$" "$tmp/sparse.log" ||
			echo "sparse did not check ${f##*/}" >>"$tmp/build.bad"
	done
	result "${la%/*} ${la#*/} ($KREL): W=1 and sparse clean, sparse ran on every file" \
		"$tmp/build.bad"
done

# make install, as on a Pi, for the 6.12 line (built on this host)
. "$("$here/vm/kernels.sh" "$cache" 6.12 arm64)"

make -s -C "$top" install DESTDIR="$tmp/root" KDIR="$KDIR" ARCH=arm64 \
	CROSS_COMPILE=aarch64-linux-gnu- >"$tmp/inst" 2>&1 || echo "make install failed" >"$tmp/inst.bad"
(cd "$tmp/root" && find . -type f | LC_ALL=C sort) >"$tmp/files"
doc=./usr/local/share/doc/arduipi
{
	printf '%s\n' ./boot/firmware/overlays/arduipi.dtbo \
		"./lib/modules/$KREL/updates/arduipi.ko.xz" \
		./usr/local/bin/arduipi ./usr/local/bin/arduipi-flash \
		./usr/local/share/arduipi/arduipi-8mhz.hex \
		./usr/local/share/arduipi/arduipi.hex \
		./usr/local/share/man/man1/arduipi.1 \
		./usr/local/share/man/man1/arduipi-flash.1 "$doc/README.md"
	for f in "$top"/Documentation/*.rst; do echo "$doc/${f##*/}"; done
	for f in "$top"/examples/car/*; do echo "$doc/examples/car/${f##*/}"; done
} | LC_ALL=C sort >"$tmp/expected"
diff "$tmp/expected" "$tmp/files" >>"$tmp/inst.bad"
# the tool is built for the Pi (ELF machine 183, AArch64)
[ "$(od -An -tu2 -j18 -N2 "$tmp/root/usr/local/bin/arduipi" 2>/dev/null | tr -d ' ')" = 183 ] ||
	echo "usr/local/bin/arduipi is not an arm64 binary" >>"$tmp/inst.bad"
result "make install DESTDIR=...: module, overlay, tool, man page, firmware, docs, examples" "$tmp/inst.bad"
make -s -C "$top" uninstall DESTDIR="$tmp/root" >"$tmp/uninst.bad" 2>&1 ||
	echo "make uninstall failed" >>"$tmp/uninst.bad"
(cd "$tmp/root" && find . -type f) >>"$tmp/uninst.bad"
result "make uninstall DESTDIR=...: nothing left" "$tmp/uninst.bad"
make -s -C "$top" install-tool PREFIX=/usr DESTDIR="$tmp/usr" >"$tmp/pfx.bad" 2>&1 ||
	echo "make install-tool failed" >>"$tmp/pfx.bad"
for f in usr/bin/arduipi usr/bin/arduipi-flash usr/share/man/man1/arduipi.1; do
	[ -f "$tmp/usr/$f" ] || echo "no /$f with PREFIX=/usr" >>"$tmp/pfx.bad"
done
result "make install-tool PREFIX=/usr: /usr/bin, /usr/share/man" "$tmp/pfx.bad"
make -s -C "$top/kernel" KDIR="$KDIR" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- clean >/dev/null 2>&1

# the binding
bindings=$top/Documentation/devicetree/bindings
schema=gpio/arduipi,nano.yaml
(cd "$bindings" && dt-doc-validate -u "$bindings" "$schema") >"$tmp/doc" 2>&1
result "dt-doc-validate $schema" "$tmp/doc"
dt-extract-example "$bindings/$schema" >"$tmp/ex.dts"
# dtc 1.6.1 warns about interrupt providers without #address-cells, which
# the kernel's dtc no longer does; the wrapper's cells are dt-extract-example's.
tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$tmp" --strip-components=1 \
	linux-source-6.12/include/dt-bindings
cpp -P -nostdinc -undef -D__DTS__ -x assembler-with-cpp \
	-I "$tmp/include" "$tmp/ex.dts" |
	dtc -@ -Wno-interrupt_provider -Wno-avoid_unnecessary_addr_size \
		-I dts -O dtb -o "$tmp/ex.dtb" - >"$tmp/dtc" 2>&1 ||
	echo "dtc failed" >>"$tmp/dtc"
result "the binding's example compiles with dtc, no warning" "$tmp/dtc"
dt-mk-schema -j -u /usr/lib/python3/dist-packages/dtschema/schemas "$bindings" \
	>"$tmp/schema.json" 2>"$tmp/mk" || cat "$tmp/mk" >>"$tmp/val"
dt-validate -s "$tmp/schema.json" "$tmp/ex.dtb" >>"$tmp/val" 2>&1
result "the example validates against the binding (dt-validate)" "$tmp/val"

tap_done
