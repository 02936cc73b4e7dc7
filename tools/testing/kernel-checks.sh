#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The driver's static checks, TAP output:
#  - checkpatch.pl --strict (from Debian's linux-source-6.12) on kernel/;
#  - a W=1 build with sparse (C=2) for each kernel line: no warning at all;
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

# W=1 and sparse on both kernel lines
for line in 6.1 6.12; do
	env_file=$("$here/vm/kernels.sh" "$cache" "$line") || exit 1
	. "$env_file"
	rm -rf "$here/vm/build/$KREL/arduipi"
	make -s -C "$here/vm" driver KDIR="$KDIR" KREL="$KREL" >"$tmp/build" 2>&1 ||
		echo "build failed" >>"$tmp/build"
	grep -v 'Skipping BTF generation' "$tmp/build" >"$tmp/build.bad" || true
	result "$line ($KREL): W=1 and sparse clean" "$tmp/build.bad"
done

# make install, as on a Pi, into a DESTDIR (the last kernel built above)
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
cpp -P -nostdinc -undef -D__DTS__ -x assembler-with-cpp \
	-I "$cache/linux-6.12/include" "$tmp/ex.dts" |
	dtc -@ -Wno-interrupt_provider -Wno-avoid_unnecessary_addr_size \
		-I dts -O dtb -o "$tmp/ex.dtb" - >"$tmp/dtc" 2>&1 ||
	echo "dtc failed" >>"$tmp/dtc"
result "the binding's example compiles with dtc, no warning" "$tmp/dtc"
dt-mk-schema -j -u /usr/lib/python3/dist-packages/dtschema/schemas "$bindings" \
	>"$tmp/schema.json" 2>"$tmp/mk" || cat "$tmp/mk" >>"$tmp/val"
dt-validate -s "$tmp/schema.json" "$tmp/ex.dtb" >>"$tmp/val" 2>&1
result "the example validates against the binding (dt-validate)" "$tmp/val"

tap_done
