#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interop-bench refuses bad arguments with a clear message and exit 2,
# and a filter naming none of its figures does nothing, all before it
# loads a module, adds a user or starts a daemon (so this runs on the
# host).  --sink is the host side of interop-stdin: it counts what it
# reads and says how long the bytes took.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
bench=${O:-$top/build}/tools/bench/interop-bench

. "$top/tools/bench/tests/bench_refused.sh"
ok_if "--help prints the usage, exit 0" \
	bash -c '"$1" --help | grep -q "^usage: interop-bench"' _ "$bench"
ok_if "unknown option" refused "usage: interop-bench" --bogus
ok_if "dxg-bench's own option is not interop-bench's" refused "usage: interop-bench" \
	--submit-ops 5
ok_if "stray argument" refused "unexpected argument 'extra'" extra
ok_if "runs 0" refused "--runs: '0' is not a number from 1 to 64" --runs 0
ok_if "mib of 0" refused "--mib: '0' is not a number from 1 to 1024" --mib 0
ok_if "mib past 1 GiB" refused "--mib: '1025'" --mib 1025
ok_if "launches with trailing junk" refused "--launches: '3x'" --launches 3x
ok_if "ssh launches 0" refused "--ssh-launches: '0'" --ssh-launches 0
ok_if "a filter naming no interop figure exits 0 at once" \
	timeout 5 "$bench" --filter dxg-bulk
sink_counts() {
	local out
	out=$(head -c 3000000 /dev/zero | "$bench" --sink) || return 1
	[[ $out =~ ^3000000\ [0-9]+$ ]] || { echo "# got: $out"; return 1; }
}
ok_if "--sink counts every byte to EOF and reports the time" sink_counts
ok_if "--sink of nothing reports 0 bytes" \
	bash -c '[ "$("$1" --sink </dev/null)" = "0 0" ]' _ "$bench"
tap_done
