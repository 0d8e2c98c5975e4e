#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# dxg-bench refuses bad arguments with a clear message and exit 2, and
# a filter naming none of its figures does nothing, all before it loads
# a module or starts a daemon (so this runs on the host).  vm-benches
# gives each bench the arguments that are its own.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
bench=${O:-$top/build}/tools/bench/dxg-bench

. "$top/tools/bench/tests/bench_refused.sh"
ok_if "--help prints the usage, exit 0" \
	bash -c '"$1" --help | grep -q "^usage: dxg-bench"' _ "$bench"
ok_if "unknown option" refused "usage: dxg-bench" --bogus
ok_if "hostlink-bench's own option is not dxg-bench's" refused "usage: dxg-bench" \
	--bulk-req-kib 64
ok_if "stray argument" refused "unexpected argument 'extra'" extra
ok_if "runs 0" refused "--runs: '0' is not a number from 1 to 64" --runs 0
ok_if "runs out of range" refused "--runs: '65'" --runs 65
ok_if "runs with trailing junk" refused "--runs: '3x'" --runs 3x
ok_if "bulk larger than one lock may be" \
	refused "--bulk-mib: '129' is not a number from 1 to 128" --bulk-mib 129
ok_if "bulk of 0" refused "--bulk-mib: '0'" --bulk-mib 0
ok_if "submissions 0" refused "--submit-ops: '0'" --submit-ops 0
ok_if "warm-up over 10 minutes" refused "--warmup: '601'" --warmup 601
ok_if "a filter naming no dxg figure exits 0 at once" \
	timeout 5 "$bench" --filter hostlink-rtt

# vm-benches with stand-ins for the benches: who gets which argument.
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
mkdir -p "$stub/vmtest" "$stub/bench"
for b in hostlink-bench dxg-bench interop-bench; do
	printf '#!/bin/sh\necho %s: "$@"\n' "$b" >"$stub/bench/$b"
	chmod +x "$stub/bench/$b"
done
cp "$top/tools/bench/vm-benches" "$stub/vmtest/"
printf '#!/bin/sh\necho modload\n' >"$stub/vmtest/modload-bench"
chmod +x "$stub/vmtest/modload-bench"
routed() {	# routed FILTER EXPECTED ARGS...
	local filter=$1 want=$2 got
	shift 2
	got=$(VMTEST_TOOLS=$stub/vmtest BENCH_FILTER=$filter "$stub/vmtest/vm-benches" "$@")
	[ "$got" = "$want" ] || { echo "# got: $got"; return 1; }
}
ok_if "vm-benches: shared, hostlink-only, --dxg- and --interop- arguments" \
	routed "" "hostlink-bench: --runs 3 --bulk-req-kib 64 --trace --bulk-mib 16
dxg-bench: --runs 3 --submit-ops 50 --trace --bulk-mib 16
interop-bench: --mib 8 --runs 1
modload" --runs 3 --bulk-req-kib 64 --dxg-submit-ops 50 --interop-mib 8 --trace \
	--interop-runs 1 --bulk-mib 16
ok_if "vm-benches: BENCH=interop runs interop-bench alone, with its own arguments" \
	routed interop "interop-bench: --filter interop --launches 4" --interop-launches 4 --runs 2
ok_if "vm-benches: BENCH=dxg runs dxg-bench alone" \
	routed dxg "dxg-bench: --filter dxg --warmup=2" --dxg-warmup=2 --side raw
ok_if "vm-benches: BENCH=hostlink leaves dxg-bench out" \
	routed hostlink "hostlink-bench: --filter hostlink --runs 1" --runs 1
tap_done
