#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
#
# Run a command in a build root (buildroot.sh), in a mount namespace of its
# own where /proc, /dev, /tmp (and $TMPDIR), the twin's cache (the
# directory the root is in) and this source tree are where they are on the
# host: kernels' headers and module sources keep their paths.
#
#   in-root.sh ROOT COMMAND [ARGS...]
set -eu
root=${1:?usage: in-root.sh ROOT COMMAND [ARGS...]}
shift
top=$(cd "$(dirname "$0")/../../.." && pwd)
cache=$(cd "$(dirname "$root")" && pwd)
tmp=$(cd "${TMPDIR:-/tmp}" && pwd)
exec unshare --mount --propagation private sh -euc '
	root=$1 top=$2 cache=$3 tmp=$4
	shift 4
	for d in /proc /dev /tmp "$tmp" "$top" "$cache"; do
		mkdir -p "$root$d"
		mount --rbind "$d" "$root$d"
	done
	exec chroot "$root" "$@"
' in-root "$root" "$top" "$cache" "$tmp" "$@"
