#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Makefile's kernel choice: KDIR wins, then KVER (alias or release),
# then the running kernel's build dir, then the pinned 6.1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/tests/tap.sh"
. "$top/kernels.conf"

choice() { make -s -C "$top" print-kernel "$@"; }
has() { grep -qF -- "$2" <<<"$1" || { echo "# '$1' lacks '$2'"; return 1; }; }

fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
mkdir -p "$fake/include/config"
echo 9.9.9-test >"$fake/include/config/kernel.release"

ok_if "KVER=6.1 is the 6.1 pin" has "$(choice KVER=6.1)" "kver=$KVER_6_1 kdir=/lib/modules/$KVER_6_1/build"
ok_if "KVER=6.12 is the 6.12 pin" has "$(choice KVER=6.12)" "kver=$KVER_6_12 "
ok_if "a full release is taken as is" has "$(choice KVER=6.1.0-99-amd64)" "kver=6.1.0-99-amd64 kdir=/lib/modules/6.1.0-99-amd64/build"
ok_if "KDIR wins over KVER" has "$(choice KDIR="$fake" KVER=6.12)" "kver=9.9.9-test kdir=$fake why=KDIR given"
r=$(uname -r)
if [ -f "/lib/modules/$r/build/Makefile" ]; then
	ok_if "no choice: the running kernel" has "$(choice)" "kver=$r why=the running kernel"
else
	ok_if "no choice, no running build dir: pinned 6.1" has "$(choice)" "kver=$KVER_6_1 "
fi
missing() {
	local out
	out=$(make -s -C "$top" modules-prepare KVER=0.0.0-none 2>&1) && return 1
	grep -q "install its headers" <<<"$out"
}
ok_if "a missing build dir fails with advice" missing
tap_done
