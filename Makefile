# SPDX-License-Identifier: MIT
# arduipi: an Arduino Nano on a Raspberry Pi's I2C bus as a Linux device.
#
#   make          build what a Pi user needs (firmware .hex; driver and
#                 overlay once they exist)
#   make check    install test dependencies, build, run every test
#   make demo     show the firmware in the simulated Nano answering the
#                 ArduiPi specification's i2cget/i2cset examples
#   make clean

DEPS_BUILD := gcc-avr avr-libc binutils-avr make gcc
DEPS_SIM   := libsimavr-dev libelf-dev
DEPS_TEST  := clang libclang-rt-dev
DEPS       := tools/testing/deps.sh

FIRMWARE := firmware/build/arduipi.elf
FIRMWARE_8MHZ := firmware/build-8mhz/arduipi.elf
NANOSIM  := tools/nanosim/nanosim

all: firmware

firmware:
	@$(DEPS) $(DEPS_BUILD)
	$(MAKE) -C firmware
	$(MAKE) -C firmware F_CPU=8000000

sim: firmware
	@$(DEPS) $(DEPS_SIM)
	$(MAKE) -C tools/nanosim

tests: sim
	@$(DEPS) $(DEPS_TEST)
	$(MAKE) -C tools/testing/fw-unit
	$(MAKE) -C tools/testing/fw-sim

check: tests
	@tools/testing/run-suites.sh \
		"firmware=tools/testing/firmware-checks.sh" \
		"proto-unit=tools/testing/fw-unit/test_proto" \
		"proto-fuzz=tools/testing/fw-unit/run-fuzz.sh" \
		"firmware-in-sim=tools/testing/fw-sim/test_fw_sim $(NANOSIM) $(FIRMWARE)" \
		"firmware-8mhz-in-sim=NANOSIM_MHZ=8 tools/testing/fw-sim/test_fw_sim $(NANOSIM) $(FIRMWARE_8MHZ) !twint_hold"

demo:
	@echo "Building the firmware and the Nano simulator (installing what they need)..."
	@$(MAKE) -s --no-print-directory sim >/dev/null
	@tools/testing/demo.sh $(NANOSIM) $(FIRMWARE)

clean:
	$(MAKE) -C firmware clean
	-$(MAKE) -C tools/nanosim clean
	-$(MAKE) -C tools/testing/fw-unit clean
	-$(MAKE) -C tools/testing/fw-sim clean

.PHONY: all firmware sim tests check demo clean
