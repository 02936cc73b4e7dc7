#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages a build, test or demo needs; quiet when they
# are all there already. Usage: deps.sh PACKAGE...
#   deps.sh --arch ARCH   add a foreign architecture to dpkg (for
#                         "apt-get download PKG:ARCH"; nothing of it is
#                         installed)
# One apt at a time: make check runs suites in parallel, and apt-get fails
# at once on a lock another holds.
set -eu
# The host's own apt, always: a caller may have a configuration private to
# the rig in its environment (kernels.sh), whose lists are of other
# releases and whose status is empty: apt-get install through it would
# have dpkg put that release's packages, of any architecture, on the host.
unset APT_CONFIG

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	SUDO=none
fi
lock=/var/lock/arduipi-apt.lock
[ -w "${lock%/*}" ] || lock=${TMPDIR:-/tmp}/arduipi-apt.lock
need_root() {
	[ "$SUDO" != none ] || { echo "deps: need root or sudo to $1" >&2; exit 1; }
}

if [ "${1:-}" = --arch ]; then
	arch=${2:?deps.sh --arch ARCH}
	dpkg --print-foreign-architectures | grep -qx "$arch" && exit 0
	need_root "add the $arch architecture"
	echo "deps: adding the $arch architecture to dpkg (for apt-get download)" >&2
	exec $SUDO flock "$lock" sh -c '
		dpkg --print-foreign-architectures | grep -qx "$1" && exit 0
		dpkg --add-architecture "$1" && apt-get update -qq' deps "$arch"
fi

missing=
for p in "$@"; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$s" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

need_root "install:$missing"
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Update the package lists once if they are missing or too old to resolve.
# shellcheck disable=SC2086 # a list
exec $SUDO flock "$lock" sh -c '
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || {
		apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }' deps $missing
