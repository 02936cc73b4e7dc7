#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR MIT)
# What Kbuild (6.19 and later) runs before C=1/C=2 to ask whether the
# checker works: it prints 1 when it does, and Kbuild checks nothing
# otherwise. Debian's kbuild package does not ship the kernel's own, so
# kernels.sh puts this one in its place: the checker must exist and parse
# what those kernels' headers use of it (__typeof_unqual__; sparse 0.6.5).
#   checker-valid.sh CHECK [CHECKFLAGS...]
command -v "$1" >/dev/null 2>&1 || { echo 0; exit 0; }
tmp=$(mktemp --suffix=.c)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp" <<'EOC'
static const int a;
static __typeof_unqual__(a) b;
int f(void);
int f(void) { b = 1; return b; }
EOC
"$@" "$tmp" 2>&1 | awk 'BEGIN { ok = 1 } /error/ { ok = 0 } END { print ok }'
