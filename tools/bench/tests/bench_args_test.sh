#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hostlink-bench refuses bad arguments with a clear message and exit 2,
# before it loads a module or starts a daemon (so this runs on the host).
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
bench=${O:-$top/build}/tools/bench/hostlink-bench

. "$top/tools/bench/tests/bench_refused.sh"
ok_if "--help prints the usage, exit 0" \
	bash -c '"$1" --help | grep -q "^usage: hostlink-bench"' _ "$bench"
ok_if "unknown option" refused "usage: hostlink-bench" --bogus
ok_if "stray argument" refused "unexpected argument 'extra'" extra
ok_if "runs 0" refused "--runs: '0' is not a number from 1 to 64" --runs 0
ok_if "runs with trailing junk" refused "--runs: '5x'" --runs 5x
ok_if "negative runs" refused "--runs: '-1'" --runs -1
ok_if "runs out of range" refused "--runs: '65'" --runs 65
ok_if "empty number" refused "--rtt-iters: ''" --rtt-iters ""
ok_if "number past 64 bits" refused "--bulk-mib: '99999999999999999999'" \
	--bulk-mib 99999999999999999999
ok_if "request below 4 KiB" refused "--bulk-req-kib: '2' is not a number from 4 to 1023" \
	--bulk-req-kib 2
ok_if "request larger than a frame" refused "--bulk-req-kib: '1024'" --bulk-req-kib 1024
ok_if "too many callers" refused "--bulk-callers: '17' is not a number from 1 to 16" \
	--bulk-callers 17
ok_if "fewer bytes than one request per caller" \
	refused "--bulk-mib 4 is less than one 1023 KiB request for each of 16 callers" \
	--bulk-mib 4 --bulk-req-kib 1023 --bulk-callers 16
ok_if "warm-up over 10 minutes" refused "--warmup: '601'" --warmup 601
ok_if "side that is neither" refused "--side: 'both' is neither ours nor raw" --side both
ok_if "ping count that is not a number" refused "--ping: 'abc'" --ping abc
tap_done
