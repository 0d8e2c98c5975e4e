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

# With the fake device preloaded (tests/dxg_fake.c); ASan is told that
# it need not come first.
fake=${O:-$top/build}/tools/dxginfo/tests/libdxgfake.so
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
fk() { LD_PRELOAD=$fake "$bin" --device /dev/null --interval 10 "$@"; }
ok_if "fake device: text exits 0" rc_is 0 fk
ok_if "... lists both adapters, one lost" \
	bash -c "grep -q '^adapter 00000000:0000a1b2' '$d/out' && grep -q '^adapter 00000001:00000002 \"gone\"' '$d/out' && grep -q 'state     lost' '$d/out'"
ok_if "... control bytes of a name shown as ?" \
	grep -q '^adapter 00000000:0000a1b2 "fake "GPU" \\ ??' "$d/out"
ok_if "... with clock and utilisation" \
	bash -c "grep -q '1000000000 Hz, ticks 123' '$d/out' && grep -q '^  busy      1000000 ns in' '$d/out'"
ok_if "fake device: --json exits 0" rc_is 0 fk --json
ok_if "... is valid JSON with the name escaped as it should be" \
	python3 -c "
import json, sys
j = json.load(open('$d/out'))
a = j['adapters']
assert len(a) == 2, a
assert a[0]['name'] == 'fake \"GPU\" \\\\ \\x01\\t\\u00e9\\ufffd', repr(a[0]['name'])
assert a[0]['flags'] == ['compute-only', 'software']
assert a[0]['utilisation']['busy_ns'] == 1000000
assert a[0]['clock']['frequency'] == 1000000000
assert a[1]['state'] == 'lost' and 'memory' not in a[1]
"
ok_if "fake device: --adapter picks one" \
	bash -c "fk() { LD_PRELOAD='$fake' '$bin' --device /dev/null --interval 0 \"\$@\"; }; fk --json --adapter 1:2 | python3 -c 'import json,sys; a=json.load(sys.stdin)[\"adapters\"]; assert [x[\"name\"] for x in a] == [\"gone\"]'"
ok_if "... also as a 64-bit number" \
	bash -c "LD_PRELOAD='$fake' '$bin' --device /dev/null --interval 0 --adapter 0x100000002 | grep -q gone"
ok_if "fake device: an unknown --adapter exits 1" rc_is 1 fk --adapter 5:5
ok_if "... saying so" grep -q 'no adapter with LUID 00000005:00000005' "$d/err"
ok_if "fake device, no host connection: exits 1" \
	rc_is 1 env DXG_FAKE_ERR="$(python3 -c 'import errno; print(errno.ENOTCONN)')" LD_PRELOAD="$fake" "$bin" --device /dev/null
ok_if "... saying it is not connected to the host" grep -q 'not connected to the GPU host' "$d/err"
ok_if "fake device, host lost: exits 1 with a message" \
	bash -c "DXG_FAKE_ERR=\$(python3 -c 'import errno; print(errno.ENODEV)') LD_PRELOAD='$fake' '$bin' --device /dev/null 2>&1 >/dev/null | grep -q 'the GPU host is lost'; [ \"\${PIPESTATUS[0]}\" = 1 ]"
tap_done
