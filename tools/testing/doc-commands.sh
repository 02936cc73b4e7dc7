#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# Every command the user documents show is run by a test. TAP output, one
# test per document: each command line of its literal blocks (README.md:
# ```sh blocks; reStructuredText: the blocks after "::"), without its
# comment and "sudo", must stand word for word in a test script
# (tools/testing/**/*.sh, the Makefile's check and demo lines), or be one
# of the steps the twin cannot run, listed below with the test that stands
# in for it. Last, every Documentation/*.rst must parse with docutils.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# The documents a user follows; the developer references (protocol,
# firmware, simulator, twin) show formats, file lists and diagrams.
docs="README.md Documentation/user-guide.rst Documentation/tools.rst Documentation/python.rst
	Documentation/car.rst Documentation/pwm.rst Documentation/adc.rst"

# Physical or host steps: a pattern (grep -E, whole line) @@ who covers it.
physical() {
	cat <<'EOF'
make -C firmware flash PORT=[^ ]+( BAUD=57600)? @@ flashing a real Nano (physical)
make( && make install)? @@ kernel-checks: make install as on a Pi
make install @@ kernel-checks: make install as on a Pi
dpkg-buildpackage -us -uc @@ the packaging suite
echo dtoverlay=[^ ]+ \| (sudo )?tee -a /boot/firmware/config.txt @@ config.txt on a Pi; the twin merges the overlay with run-guest -p
reboot @@ a Pi reboot; the twin boots with the overlay merged
raspi-config nonint do_i2c 0 @@ the Pi's configuration tool; the overlay enables the bus
dtc -@ -I dts -O dtb -o arduipi-car.dtbo examples/car/arduipi-car.dts @@ the overlay suite compiles and applies it
cp arduipi-car.dtbo /boot/firmware/overlays/ @@ copying into a Pi's boot partition
make (demo|check|shell|sim) @@ the Makefile's own targets, run by CI
printf 'xfer 2a we0 r1\\nquit\\n' \| tools/nanosim/nanosim --stdio firmware/build/arduipi.elf @@ firmware-in-sim runs nanosim the same way
printf 'i2cget -y 1 0x2b 0xe0\\nsimctl -n 2b pins\\n' >t.sh @@ twin: writing a script
tools/testing/vm/run-guest -k 6.1 -p addr=0x2b --nano 2b t.sh @@ twin-tests.sh runs run-guest with these options
tools/testing/fw-sim/test_fw_sim tools/nanosim/nanosim firmware/build/arduipi.elf spec_07 @@ the firmware-in-sim suite
EOF
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the corpus: every test script and the Makefile, whitespace folded
find "$top/tools/testing" -name '*.sh' -o -name twin-tests.sh | xargs cat "$top/Makefile" |
	tr -s ' \t' '  ' >"$tmp/corpus"

# commands DOC: the command lines of a document's literal blocks
commands() {
	case $1 in
	*.md) awk '/^ *```(sh|shell|console)$/ { on = 1; next } /^ *```/ { on = 0 } on' "$1" ;;
	*.rst) awk '
		/::$/ { want = 1; next }
		want && /^$/ { if (on) { on = 0; want = 0 } ; next }
		want && /^  / { on = 1; print; next }
		{ on = 0; want = 0 }' "$1" ;;
	esac | sed 's/^ *//; s/  *#.*$//; s/^sudo //; s/ *$//' | grep -v '^$' |
		grep -v '^[a-z_]*: ' | grep -vE ' = |[{};]$|^[a-z,-]+;$' | tr -s ' \t' '  '
}

. "$here/tap.sh"
for d in $docs; do
	: >"$tmp/missing"
	commands "$top/$d" | while IFS= read -r c; do
		physical | sed 's/ @@ .*//' | while IFS= read -r p; do
			printf '%s\n' "$c" | grep -qxE "$p" && echo covered
		done | grep -q covered && continue
		grep -qF -- "$c" "$tmp/corpus" || printf 'not in any test: %s\n' "$c" >>"$tmp/missing"
	done
	result "$d: every command is run by a test ($(commands "$top/$d" | wc -l) lines)" "$tmp/missing"
done

# Every reStructuredText file parses (Sphinx's doc role and toctree aside).
"$here/deps.sh" python3-docutils >&2 || exit 1
/usr/bin/python3 - "$top"/Documentation/*.rst >"$tmp/rst" 2>&1 <<'EOF'
import sys
import docutils.core
from docutils.parsers.rst import Directive, directives, roles

class Ignored(Directive):
    has_content = True
    optional_arguments = 1
    option_spec = {'maxdepth': directives.unchanged}

    def run(self):
        return []

directives.register_directive('toctree', Ignored)
roles.register_local_role('doc', lambda *a, **k: ([], []))
for f in sys.argv[1:]:
    docutils.core.publish_doctree(open(f).read(), source_path=f,
                                  settings_overrides={'report_level': 2,
                                                      'halt_level': 5})
EOF
result "Documentation/*.rst: docutils parses them without a warning" "$tmp/rst"
tap_done
