# SPDX-License-Identifier: MIT
# arduipi: an Arduino Nano on a Raspberry Pi's I2C bus as a Linux device.
#
#   make          build what a Pi user needs: firmware .hex, the driver
#                 (when kernel headers are there), the overlay, the tool
#   make install  install them (DESTDIR, PREFIX=/usr/local); uninstall
#   make check    install test dependencies, build, run every test
#   make demo     boot the digital twin (a Debian arm64 kernel in QEMU, the
#                 real firmware in a simulated Nano on its I2C bus) and show
#                 a user session on the Pi
#   make shell    a shell in the twin (KERNEL=6.1, 6.12, 6.18 or newest,
#                 default 6.18; TWIN_ARCH=arm64 or armhf)
#   make clean
#
# The twin keeps Debian's kernels and packages in $(ARDUIPI_CACHE)
# (default ~/.cache/arduipi), outside the clone.

DEPS_BUILD := gcc-avr avr-libc binutils-avr make gcc
DEPS_SIM   := libsimavr-dev libelf-dev
DEPS_TEST  := clang libclang-rt-dev
DEPS       := tools/testing/deps.sh

FIRMWARE := firmware/build/arduipi.elf
FIRMWARE_8MHZ := firmware/build-8mhz/arduipi.elf
# test build: the ADC interrupt's ring overruns (fw-sim's adc_overrun)
FIRMWARE_OVERRUN := firmware/build-test-overrun/arduipi.elf
NANOSIM  := tools/nanosim/nanosim
DEPS_TWIN := qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross device-tree-compiler \
	libfdt-dev cpio kmod dwarves xz-utils sparse
KERNEL   ?= 6.18
TWIN_ARCH ?= arm64
ARDUIPI_CACHE ?= $(HOME)/.cache/arduipi
export ARDUIPI_CACHE

# On a Pi (kernel headers installed):  make && sudo make install
# then add "dtoverlay=arduipi" to config.txt and reboot.
KDIR     ?= /lib/modules/$(shell uname -r)/build
OVERLAYS ?= $(if $(wildcard $(DESTDIR)/boot/firmware/overlays),/boot/firmware/overlays,$(if $(wildcard $(DESTDIR)/boot/overlays),/boot/overlays,/boot/firmware/overlays))
PREFIX   ?= /usr/local
HAVE_KDIR := $(wildcard $(KDIR)/Makefile)

all: firmware $(if $(HAVE_KDIR),driver) dtbo tool

tool:
	$(MAKE) -C tools/arduipi

driver:
	$(MAKE) -C kernel KDIR=$(KDIR)

dtbo: build/arduipi.dtbo

build/arduipi.dtbo: dts/arduipi-overlay.dts
	@$(DEPS) device-tree-compiler
	@mkdir -p build
	dtc -q -@ -I dts -O dtb -o $@ $<

# The module into /lib/modules/KERNELRELEASE/updates (when kernel headers
# are there), the overlay where the Pi firmware reads overlays
# (/boot/firmware/overlays on Raspberry Pi OS bookworm and later,
# /boot/overlays before), the tool and its man page, the firmware images
# (for flashing), the documentation and the examples under PREFIX.
DOCS := README.md $(wildcard Documentation/*.rst)
EXAMPLES := $(wildcard examples/car/*)
install: $(if $(HAVE_KDIR),install-module) install-overlay install-tool \
	install-firmware install-doc

install-module: driver
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel CONFIG_ARDUIPI=m \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates modules_install

install-overlay: dtbo
	install -D -m 644 build/arduipi.dtbo $(DESTDIR)$(OVERLAYS)/arduipi.dtbo

install-tool: tool
	$(MAKE) -C tools/arduipi install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

install-firmware: firmware
	install -D -m 644 firmware/build/arduipi.hex \
		$(DESTDIR)$(PREFIX)/share/arduipi/arduipi.hex
	install -D -m 644 firmware/build-8mhz/arduipi.hex \
		$(DESTDIR)$(PREFIX)/share/arduipi/arduipi-8mhz.hex

install-doc:
	install -d $(DESTDIR)$(PREFIX)/share/doc/arduipi/examples/car
	install -m 644 $(DOCS) $(DESTDIR)$(PREFIX)/share/doc/arduipi/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(PREFIX)/share/doc/arduipi/examples/car/

uninstall:
	rm -f $(DESTDIR)/lib/modules/*/updates/arduipi.ko* $(DESTDIR)$(OVERLAYS)/arduipi.dtbo
	$(MAKE) -C tools/arduipi uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	rm -rf $(DESTDIR)$(PREFIX)/share/arduipi $(DESTDIR)$(PREFIX)/share/doc/arduipi

firmware:
	@$(DEPS) $(DEPS_BUILD)
	$(MAKE) -C firmware
	$(MAKE) -C firmware F_CPU=8000000

sim: firmware
	@$(DEPS) $(DEPS_SIM)
	$(MAKE) -C tools/nanosim

tests: sim twin
	@$(DEPS) $(DEPS_TEST)
	$(MAKE) -C firmware F_CPU=8000000 BUILD=build-test-overrun \
		EXTRA_CFLAGS=-DARDUIPI_TEST_KEEP_DELAY=250
	$(MAKE) -C tools/testing/fw-unit
	$(MAKE) -C tools/testing/adc-clock
	$(MAKE) -C tools/testing/fw-sim

twin: sim
	@$(DEPS) $(DEPS_TWIN)
	$(MAKE) -C tools/testing/vm
	$(MAKE) -C tools/testing/dt

# Up to two suites at once (-j 2) on the two cores, the longest first so
# that both cores finish together; but the kernel builds beside twin-6.18's
# first boots, not beside the other lines' (kernel-checks fetches what
# they need first on a fresh machine). Which of the twin's
# boots run on which kernel line, and why: Documentation/twin.rst.
check: tests
	@tools/testing/run-suites.sh -j 2 \
		"twin-6.18=TWIN_MASTER=bcm2711 tools/testing/vm/twin-tests.sh 6.18" \
		"kernel-checks=tools/testing/kernel-checks.sh $(ARDUIPI_CACHE)" \
		"twin-6.12=tools/testing/vm/twin-tests.sh 6.12 arm64 params noints gpio two levels adc pwm cli motorcar stream adc-dt probe panic" \
		"twin-newest=tools/testing/vm/twin-tests.sh newest arm64 noints gpio two levels adc pwm motorcar stream adc-dt probe panic" \
		"twin-6.18-armhf=TWIN_MASTER=bcm2835 tools/testing/vm/twin-tests.sh 6.18 armhf gpio levels adc pwm motorcar probe panic" \
		"twin-6.1=tools/testing/vm/twin-tests.sh 6.1 arm64 gpio" \
		"packaging=tools/testing/packaging.sh $(ARDUIPI_CACHE)" \
		"proto-fuzz=tools/testing/fw-unit/run-fuzz.sh" \
		"python=tools/testing/python/check.sh" \
		"docs=tools/testing/doc-commands.sh" \
		"doc-figures=tools/testing/deps.sh python3 >&2 && tools/testing/fw-sim/doc-figures.py" \
		"firmware-8mhz-in-sim=NANOSIM_MHZ=8 tools/testing/fw-sim/test_fw_sim $(NANOSIM) $(FIRMWARE_8MHZ)" \
		"firmware-in-sim=tools/testing/fw-sim/test_fw_sim $(NANOSIM) $(FIRMWARE)" \
		"firmware-overrun-in-sim=NANOSIM_MHZ=8 NANOSIM_OVERRUN=1 tools/testing/fw-sim/test_fw_sim $(NANOSIM) $(FIRMWARE_OVERRUN) adc_overrun" \
		"overlay=tools/testing/dt/test-overlay.sh $(ARDUIPI_CACHE)" \
		"firmware=tools/testing/firmware-checks.sh" \
		"proto-unit=tools/testing/fw-unit/test_proto" \
		"proto-unit-16mhz=tools/testing/fw-unit/test_proto_16" \
		"adc-clock-model=tools/testing/adc-clock/model" \
		"adc-stream-rate=tools/testing/fw-sim/stream_rate $(NANOSIM) $(FIRMWARE)" \
		"edge-rate=tools/testing/fw-sim/edge_rate $(NANOSIM) $(FIRMWARE)"

demo:
	@echo "Building the firmware, the Nano simulator and the twin (installing what they need)..."
	@$(MAKE) -s --no-print-directory twin >/dev/null
	@tools/testing/vm/run-guest -k $(KERNEL) --driver -p failsafe_ms=250 \
		--dtso examples/car/arduipi-car.dts --file examples/car/car.sh \
		tools/testing/vm/demo.sh

shell:
	@$(MAKE) -s --no-print-directory twin >/dev/null
	@tools/testing/vm/run-guest -k $(KERNEL) --arch $(TWIN_ARCH) --driver -i

clean:
	$(MAKE) -C firmware clean
	-$(MAKE) -C kernel clean 2>/dev/null
	rm -f build/arduipi.dtbo
	-$(MAKE) -C tools/arduipi clean
	-$(MAKE) -C tools/nanosim clean
	-$(MAKE) -C tools/testing/fw-unit clean
	-$(MAKE) -C tools/testing/adc-clock clean
	-$(MAKE) -C tools/testing/fw-sim clean
	-$(MAKE) -C tools/testing/vm clean
	-$(MAKE) -C tools/testing/dt clean

.PHONY: all firmware driver dtbo tool install install-module install-overlay \
	install-tool install-firmware install-doc uninstall sim twin tests check \
	demo shell clean
