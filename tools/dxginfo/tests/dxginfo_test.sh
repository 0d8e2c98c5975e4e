#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dxginfo without a dxg device: help, version, usage errors and the
# messages for a missing node or one that is not dxg.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
bin=${O:-$top/build}/tools/dxginfo/dxginfo
export LD_LIBRARY_PATH=${O:-$top/build}/tools/lib/dxg${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
ver=$(sed -n 's/^#define HOSTLINK_VERSION "\(.*\)"$/\1/p' "$top/include/linux/hostlink.h")

# rc_is WANT CMD...: CMD exits with WANT; its stderr is in $d/err.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
rc_is() {
	local want=$1
	shift
	"$@" >"$d/out" 2>"$d/err"
	[ $? -eq "$want" ]
}

ok_if "--help exits 0" rc_is 0 "$bin" --help
ok_if "... and prints the usage" grep -q '^Usage: .*dxginfo' "$d/out"
ok_if "-h exits 0" rc_is 0 "$bin" -h
ok_if "--version exits 0" rc_is 0 "$bin" --version
ok_if "... and prints HOSTLINK_VERSION" grep -qx "dxginfo (hostlink) $ver" "$d/out"
ok_if "an unknown option exits 2" rc_is 2 "$bin" --bogus
ok_if "... with the usage on stderr" grep -q '^Usage:' "$d/err"
ok_if "an extra argument exits 2" rc_is 2 "$bin" extra
ok_if "a bad --interval exits 2" rc_is 2 "$bin" --interval 5x
ok_if "a negative --interval exits 2" rc_is 2 "$bin" --interval -1
ok_if "a bad --adapter exits 2" rc_is 2 "$bin" --adapter zz:1
ok_if "an --adapter half over 32 bits exits 2" rc_is 2 "$bin" --adapter 1:100000000
ok_if "a missing device exits 1" rc_is 1 "$bin" --device "$d/no-dxg"
ok_if "... saying the node is missing and what to do" \
	grep -q 'no-dxg: no such device node; is the dxg module loaded? (modprobe dxg)' "$d/err"
ok_if "... in JSON mode too, on stderr, stdout empty" \
	bash -c "rc=0; '$bin' --json --device '$d/no-dxg' >'$d/out' 2>'$d/err' || rc=\$?; [ \$rc -eq 1 ] && [ ! -s '$d/out' ] && [ -s '$d/err' ]"
ok_if "a node that is not dxg exits 1" rc_is 1 "$bin" --device /dev/null
ok_if "... saying so" grep -q '/dev/null: not a dxg device' "$d/err"
tap_done
