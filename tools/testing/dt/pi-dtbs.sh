#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# Build Raspberry Pi DTBs - Pi 3 B, Zero 2 W, Pi 4 B, Pi 5 - from the
# upstream sources in Debian's linux-source-6.12 as the kernel build does
# (cpp, then dtc -@ with the kernel's default warning flags), adding what
# Raspberry Pi's own DTs have and upstream lacks: the i2c_arm label, and on
# the Pi 5 the RP1 GPIO and I2C the header is wired to.
# Usage: pi-dtbs.sh CACHE_DIR
# The sources are extracted once into CACHE_DIR/linux-6.12; the DTBs are
# rebuilt each time into CACHE_DIR/dtb, named after the upstream .dts.
set -eu

[ $# -eq 1 ] || { echo "pi-dtbs: usage: pi-dtbs.sh CACHE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
cache=$(cd "$1" && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
src=$cache/linux-6.12
gen=$cache/gen
out=$cache/dtb

"$here/../deps.sh" linux-source-6.12 xz-utils cpp device-tree-compiler >&2

if [ ! -e "$src/.extracted" ]; then
	echo "pi-dtbs: extracting the DT sources from $tarball" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	# input-event-codes.h: dt-bindings/input/linux-event-codes.h links there
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 \
		linux-source-6.12/arch/arm/boot/dts/broadcom \
		linux-source-6.12/arch/arm64/boot/dts/broadcom \
		linux-source-6.12/include/dt-bindings \
		linux-source-6.12/include/uapi/linux/input-event-codes.h \
		linux-source-6.12/scripts/dtc/include-prefixes
	touch "$src.tmp/.extracted"
	mv "$src.tmp" "$src"
fi

rm -rf "$gen" "$out"
mkdir -p "$gen" "$out"

# Pi 3, Zero 2 W, Pi 4: the labels of bcm2709-rpi.dtsi and
# bcm2711-rpi-ds.dtsi, the alias of bcm270x-rpi.dtsi, and the bus off until
# dtparam=i2c_arm=on or an overlay turns it on (bcm270x-rpi.dtsi).
cat >"$gen/rpi-bcm283x.dtsi" <<'EOF'
i2c_arm: &i2c1 {
	status = "disabled";
};

i2c_vc: &i2c0 {};

/ {
	aliases {
		i2c = &i2c_arm;
	};
};
EOF

# Pi 5: upstream 6.12 has no RP1, the PCIe south bridge that drives the
# header. A stand-in with the nodes and labels of Raspberry Pi's rp1.dtsi
# (rp1_gpio, rp1_i2c1, rp1_i2c1_2_3), bcm2712-rpi.dtsi (i2c1, i2c1_pins,
# i2c_arm) and bcm2712-rpi-5-b.dts (gpio, the alias), outside PCIe.
cat >"$gen/rpi-bcm2712.dtsi" <<'EOF'
/ {
	rp1: rp1 {
		compatible = "simple-bus";
		#address-cells = <2>;
		#size-cells = <2>;
		ranges = <0xc0 0x40000000  0x1f 0x00000000  0x0 0x00400000>;

		rp1_i2c1: i2c@74000 {
			compatible = "snps,designware-i2c";
			reg = <0xc0 0x40074000  0x0 0x1000>;
			status = "disabled";
		};

		rp1_gpio: gpio@d0000 {
			compatible = "raspberrypi,rp1-gpio";
			reg = <0xc0 0x400d0000  0x0 0xc000>,
			      <0xc0 0x400e0000  0x0 0xc000>,
			      <0xc0 0x400f0000  0x0 0xc000>;
			gpio-controller;
			#gpio-cells = <2>;
			interrupt-controller;
			#interrupt-cells = <2>;

			rp1_i2c1_2_3: rp1_i2c1_2_3 {
				function = "i2c1";
				pins = "gpio2", "gpio3";
				bias-pull-up;
			};
		};
	};

	aliases {
		i2c = &i2c_arm;
	};
};

i2c1: &rp1_i2c1 {};
i2c1_pins: &rp1_i2c1_2_3 {};

i2c_arm: &i2c1 {
	pinctrl-names = "default";
	pinctrl-0 = <&i2c1_pins>;
	clock-frequency = <100000>;
};

gpio: &rp1_gpio {
	status = "okay";
};
EOF

# scripts/Makefile.dtbs's defaults; and -Wno-interrupt_provider: Debian's
# dtc 1.6.1 wants #address-cells in interrupt providers, the kernel's
# dtc 1.7.0 no longer does.
flags="-Wno-unique_unit_address -Wno-unit_address_vs_reg
	-Wno-avoid_unnecessary_addr_size -Wno-alias_paths
	-Wno-graph_child_address -Wno-simple_bus_reg -Wno-interrupt_provider"
inc=$src/scripts/dtc/include-prefixes

for b in bcm2837-rpi-3-b:bcm283x bcm2837-rpi-zero-2-w:bcm283x \
	 bcm2711-rpi-4-b:bcm283x bcm2712-rpi-5-b:bcm2712; do
	board=${b%:*}
	printf '#include "arm64/broadcom/%s.dts"\n#include "rpi-%s.dtsi"\n' \
		"$board" "${b#*:}" >"$gen/$board.dts"
	cpp -nostdinc -I "$inc" -I "$gen" -undef -D__DTS__ \
		-x assembler-with-cpp -o "$gen/$board.pre.dts" "$gen/$board.dts"
	# shellcheck disable=SC2086 # $flags is a list
	dtc -@ -I dts -O dtb -b 0 -i "$gen" -i "$inc" $flags \
		-o "$out/$board.dtb" "$gen/$board.pre.dts"
done
