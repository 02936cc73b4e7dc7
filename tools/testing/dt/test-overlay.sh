#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# The ArduiPi overlay on Raspberry Pi device trees: compile
# dts/arduipi-overlay.dts, apply its parameters with dtparam, merge it with
# fdtoverlay into the DTBs pi-dtbs.sh builds, and check the merged trees
# with fdtget; then dtparam's refusals, and each override form it knows on
# a small overlay of its own. TAP output.
# Usage: test-overlay.sh CACHE_DIR   (CACHE_DIR as for pi-dtbs.sh)
set -u

[ $# -eq 1 ] || { echo "test-overlay: usage: test-overlay.sh CACHE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache=$1

"$top/tools/testing/deps.sh" device-tree-compiler libfdt-dev cpp xz-utils \
	linux-source-6.12 make gcc >&2 || exit 1
make -s -C "$here" dtparam >&2 || exit 1
sh "$here/pi-dtbs.sh" "$cache" || exit 1
dtparam=$here/dtparam

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

n=0 failed=0 bad=0

fail() { printf '%s\n' "$*" | sed 's/^/#   /'; bad=1; }
result() {
	n=$((n + 1))
	if [ "$bad" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
	fi
	bad=0
}

# get FILE NODE PROP [TYPE]: print the property (fdtget -t TYPE, default u)
get() { fdtget -t "${4:-u}" "$1" "$2" "$3" 2>/dev/null; }
# want FILE NODE PROP VALUE [TYPE]
want() {
	got=$(get "$1" "$2" "$3" "${5:-u}") || got="(missing)"
	[ "$got" = "$4" ] || fail "$2 $3 = '$got', want '$4'"
}
# absent FILE NODE [PROP]: the node, or its property, is not there
absent() {
	if [ $# = 2 ]; then
		! fdtget -p "$1" "$2" >/dev/null 2>&1 || fail "$2 is there"
	else
		! fdtget "$1" "$2" "$3" >/dev/null 2>&1 || fail "$2 $3 is there"
	fi
}
# refuse WHAT ARGS...: dtparam exits 1, says WHAT, writes nothing
refuse() {
	what=$1
	shift
	rm -f "$tmp/no.dtbo"
	if "$dtparam" "$@" 2>"$tmp/err"; then
		fail "dtparam $* succeeded"
	fi
	grep -q "^dtparam: .*$what" "$tmp/err" ||
		fail "stderr '$(cat "$tmp/err")', want 'dtparam: ...$what'"
	[ ! -e "$tmp/no.dtbo" ] || fail "dtparam $* wrote its output"
}

# The overlay compiles without warnings but for unit_address_vs_reg (off by
# default in the kernel) and interrupt_provider (see pi-dtbs.sh).
ov=$tmp/arduipi.dtbo
dtc -@ -I dts -O dtb -Wno-unit_address_vs_reg -Wno-interrupt_provider \
	-o "$ov" "$top/dts/arduipi-overlay.dts" 2>"$tmp/err" ||
	fail "dtc failed"
if [ -s "$tmp/err" ] || [ ! -s "$ov" ]; then
	fail "dtc: $(cat "$tmp/err")"
fi
result "dtc compiles the overlay without warnings"

# The Pi DTBs, with each parameter set.
for dtb in "$cache"/dtb/*.dtb; do
	[ -e "$dtb" ] || continue
	b=$(basename "$dtb" .dtb)
	bus=$(get "$dtb" /__symbols__ i2c_arm s) || fail "no i2c_arm label"
	gpio=$(get "$dtb" /__symbols__ gpio s) || fail "no gpio label"
	want "$dtb" "$bus" status disabled s
	get "$dtb" "$gpio" interrupt-controller >/dev/null ||
		fail "$gpio is no interrupt controller"
	result "$b: the base DTB has the Pi's i2c_arm (off) and gpio"

	for params in "" "addr=0x2b" "int_pin=17" "noints" \
		      "addr=0x2b int_pin=17" "failsafe_ms=250" "noints failsafe_ms=1000" \
		      "failsafe_ms=250 failsafe_restore" "noints failsafe_restore"; do
		addr=42 pin=4 ints=1 fs=0 restore=
		for p in $params; do
			case $p in
			addr=*) addr=$((${p#*=})) ;;
			int_pin=*) pin=$((${p#*=})) ;;
			noints) ints=0 ;;
			failsafe_ms=*) fs=${p#*=} ;;
			failsafe_restore) restore=1 ;;
			esac
		done
		dev=$bus/arduipi@$(printf %x "$addr")
		pins=$gpio/arduipi_pins@$(printf %x "$addr")
		desc="$b ${params:-defaults}: ${dev##*/} on $bus"
		m=$tmp/merged.dtb
		rm -f "$tmp/p.dtbo" "$m"
		# shellcheck disable=SC2086 # $params is a list
		"$dtparam" "$ov" "$tmp/p.dtbo" $params 2>&1 | sed '/^$/d; s/^/#   /'
		fdtoverlay -i "$dtb" -o "$m" "$tmp/p.dtbo" 2>&1 |
			sed '/^$/d; s/^/#   /'
		if [ ! -s "$m" ]; then
			fail "no merged DTB"
			result "$desc"
			continue
		fi
		want "$m" "$bus" status okay s
		want "$m" "$bus" "#address-cells" 1
		want "$m" "$bus" "#size-cells" 0
		want "$m" "$dev" compatible arduipi,nano s
		want "$m" "$dev" reg "$addr"
		want "$m" "$dev" "#pwm-cells" 3
		want "$m" "$dev" arduipi,failsafe-timeout-ms "$fs"
		if [ -n "$restore" ]; then
			want "$m" "$dev" arduipi,failsafe-restore ""
		else
			absent "$m" "$dev" arduipi,failsafe-restore
		fi
		nodes=$(fdtget -l "$m" "$bus" | grep -c '^arduipi')
		[ "$nodes" = 1 ] || fail "$nodes arduipi nodes on $bus"
		if [ "$ints" = 1 ]; then
			want "$m" "$dev" interrupts "$pin 8"
			want "$m" "$dev" interrupt-parent "$(get "$m" "$gpio" phandle)"
			want "$m" "$dev" interrupt-controller ""
			want "$m" "$dev" pinctrl-0 "$(get "$m" "$pins" phandle)"
			want "$m" "$pins" brcm,pins "$pin"
			want "$m" "$pins" brcm,function 0
			want "$m" "$pins" brcm,pull 2
			absent "$m" "$pins" reg
			want "$m" /__symbols__ arduipi "$dev" s
		else
			absent "$m" "$dev" interrupts
			absent "$m" "$dev" interrupt-parent
			absent "$m" "$dev" interrupt-controller
			absent "$m" "$pins"
			want "$m" /__symbols__ arduipi_noint "$dev" s
		fi
		result "$desc"
	done
done
for b in bcm2837-rpi-3-b bcm2837-rpi-zero-2-w bcm2711-rpi-4-b \
	 bcm2712-rpi-5-b; do
	[ -s "$cache/dtb/$b.dtb" ] || fail "no $cache/dtb/$b.dtb"
done
result "the Pi 3 B, Zero 2 W, Pi 4 B and Pi 5 DTBs are there"

# The motor car's overlay (examples/car) on top, as its config.txt lines:
# dtoverlay=arduipi,failsafe_ms=250 then dtoverlay=arduipi-car.
car=$tmp/arduipi-car.dtbo
dtc -@ -I dts -O dtb -o "$car" "$top/examples/car/arduipi-car.dts" 2>"$tmp/err" ||
	fail "dtc failed"
[ ! -s "$tmp/err" ] || fail "dtc: $(cat "$tmp/err")"
"$dtparam" "$ov" "$tmp/p.dtbo" failsafe_ms=250 2>&1 | sed '/^$/d; s/^/#   /'
for b in bcm2711-rpi-4-b bcm2712-rpi-5-b; do
	dtb=$cache/dtb/$b.dtb
	bus=$(get "$dtb" /__symbols__ i2c_arm s)
	rm -f "$tmp/m.dtb"
	fdtoverlay -i "$dtb" -o "$tmp/m.dtb" "$tmp/p.dtbo" "$car" 2>&1 | sed '/^$/d; s/^/#   /'
	want "$tmp/m.dtb" "$bus/arduipi@2a" arduipi,failsafe-timeout-ms 250
	want "$tmp/m.dtb" "$bus/arduipi@2a" arduipi,failsafe-low "6 7 8 9 10 11"
done
result "examples/car/arduipi-car.dts applies after arduipi,failsafe_ms=250 (Pi 4 B, Pi 5)"

# dtparam's refusals
refuse "unknown parameter" "$ov" "$tmp/no.dtbo" nosuchparam
result "dtparam refuses an unknown parameter"
refuse "invalid value 'zz'" "$ov" "$tmp/no.dtbo" addr=zz
refuse "invalid value ''" "$ov" "$tmp/no.dtbo" int_pin=
refuse "does not fit" "$ov" "$tmp/no.dtbo" addr=0x100000000
refuse "invalid value ''" "$ov" "$tmp/no.dtbo" noints=
refuse "unknown parameter" "$ov" "$tmp/no.dtbo" addr=0x2b bogus=1
result "dtparam refuses bad values"

# Each override form, on an overlay of its own merged into a small base.
cat >"$tmp/base.dts" <<'EOF'
/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	ext: ext {
	};
};
EOF
cat >"$tmp/t.dts" <<'EOF'
/dts-v1/;
/plugin/;
/ {
	fragment@0 {
		target-path = "/";
		__overlay__ {
			#address-cells = <1>;
			#size-cells = <1>;
			t: t@1 {
				reg = <1 2>;
				b8 = /bits/ 8 <0 0>;
				s16 = /bits/ 16 <0 0>;
				c32 = <0 0>;
				c64 = /bits/ 64 <0>;
				str = "old";
				status = "disabled";
				flag;
				link = <&ext>;
				self = <&t>;
			};
		};
	};
	fragment@1 {
		target-path = "/";
		__dormant__ {
			one: one {
				self = <&one>;
			};
		};
	};
	fragment@2 {
		target-path = "/";
		__overlay__ {
			two {
			};
		};
	};
	__overrides__ {
		byte = <&t>,"b8.1";
		short = <&t>,"s16;2";
		cell = <&t>,"c32:4";
		quad = <&t>,"c64#0";
		new = <&t>,"new:4";
		str = <&t>,"str";
		status = <&t>,"status";
		flag = <&t>,"flag?";
		nolink = <&t>,"link!";
		lit = <&t>,"c32:0=7", <&t>,"str=lit", <&t>,"str2=",&t;
		cellit = <&t>,"c32:0=",<9>, <&t>,"flag?=",<0>;
		reg = <&t>,"reg:0";
		rename = <&t>,"name";
		frags = <0>,"+1-2";
		swap = <0>,"=1!2";
	};
};
EOF
for f in base.dtb t.dtbo; do
	dtc -@ -I dts -O dtb -o "$tmp/$f" "$tmp/${f%.*}.dts" 2>/dev/null ||
		fail "dtc failed on $f"
done
# form PARAM...: apply, merge into base.dtb; $tmp/t.dtb is the result
form() {
	rm -f "$tmp/o.dtbo" "$tmp/t.dtb"
	"$dtparam" "$tmp/t.dtbo" "$tmp/o.dtbo" "$@" 2>&1 | sed '/^$/d; s/^/#   /'
	fdtoverlay -i "$tmp/base.dtb" -o "$tmp/t.dtb" "$tmp/o.dtbo" 2>&1 |
		sed '/^$/d; s/^/#   /'
	[ -s "$tmp/t.dtb" ] || fail "dtparam $*: no merged DTB"
}

form byte=0xab short=0x1234 cell=305419896 quad=0x100000002 new=up
want "$tmp/t.dtb" /t@1 b8 "0 171" bu
want "$tmp/t.dtb" /t@1 s16 "0 4660" hu
want "$tmp/t.dtb" /t@1 c32 "0 305419896"
want "$tmp/t.dtb" /t@1 c64 "1 2"
want "$tmp/t.dtb" /t@1 new "0 2"
result "dtparam: integers of 1 (.), 2 (;), 4 (:) and 8 (#) bytes, created"

form str=new status=on
want "$tmp/t.dtb" /t@1 str new s
want "$tmp/t.dtb" /t@1 status okay s
form str=7 status=no
want "$tmp/t.dtb" /t@1 str 7 s
want "$tmp/t.dtb" /t@1 status disabled s
result "dtparam: strings, and status from a boolean"

form flag=off nolink
absent "$tmp/t.dtb" /t@1 flag
absent "$tmp/t.dtb" /t@1 link
absent "$tmp/o.dtbo" /__fixups__ ext
form flag=yes nolink=false
want "$tmp/t.dtb" /t@1 flag ""
want "$tmp/t.dtb" /t@1 link ""
form
want "$tmp/t.dtb" /t@1 link "$(get "$tmp/t.dtb" /ext phandle)"
result "dtparam: booleans (? and !), a deleted phandle losing its fixup"

form lit cellit=1
want "$tmp/t.dtb" /t@1 c32 "9 0"
want "$tmp/t.dtb" /t@1 str lit s
want "$tmp/t.dtb" /t@1 str2 /fragment@0/__overlay__/t@1 s
absent "$tmp/t.dtb" /t@1 flag
result "dtparam: literal strings, cells and paths (prop=X, prop=,<N>)"

form reg=0x2b
want "$tmp/t.dtb" /t@2b reg "43 2"
want "$tmp/t.dtb" /t@2b self "$(get "$tmp/t.dtb" /t@2b phandle)"
want "$tmp/o.dtbo" /__symbols__ t /fragment@0/__overlay__/t@2b s
absent "$tmp/t.dtb" /t@1
form rename=renamed
want "$tmp/t.dtb" /renamed self "$(get "$tmp/t.dtb" /renamed phandle)"
want "$tmp/o.dtbo" /__symbols__ t /fragment@0/__overlay__/renamed s
result "dtparam: reg:0 and name rename the node, fixups and symbols follow"

form
absent "$tmp/t.dtb" /one
fdtget -p "$tmp/t.dtb" /two >/dev/null 2>&1 || fail "/two missing"
form frags
want "$tmp/t.dtb" /one self "$(get "$tmp/t.dtb" /one phandle)"
want "$tmp/o.dtbo" /__symbols__ one /fragment@1/__overlay__/one s
absent "$tmp/t.dtb" /two
form swap=0
absent "$tmp/t.dtb" /one
fdtget -p "$tmp/t.dtb" /two >/dev/null 2>&1 || fail "/two missing"
form swap=1
fdtget -p "$tmp/t.dtb" /one >/dev/null 2>&1 || fail "/one missing"
absent "$tmp/t.dtb" /two
result "dtparam: fragments +N -N =N !N"

form
absent "$tmp/o.dtbo" /__overrides__
absent "$tmp/o.dtbo" /__local_fixups__/__overrides__
result "dtparam: no __overrides__ left in its output"

echo "1..$n"
[ "$failed" = 0 ]
