#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: every benchmark whose name starts with $BENCH (all when
# empty), one line per figure in the form of DESIGN section 8.
#   in the VM:   hostlink-* (the channel), dxg-* (the GPU device),
#                modload-vs-modprobe
#   on the host: mkmodimg-time, mkmodimg-size, vm-boot-microvm
# KVER picks the kernel (stock 6.1 by default); BENCH_ARGS go to
# hostlink-bench and dxg-bench (tools/bench/vm-benches says which).

set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$HOSTLINK_TOP"
filter=${BENCH:-}
# want GROUP: the filter names something in GROUP, or GROUP entirely.
want() { [ -z "$filter" ] || [[ $1 == "$filter"* ]] || [[ $filter == "$1"* ]]; }
# The host's CPU time taken by whatever runs this machine (steal, from
# /proc/stat): under TCG every guest timing stretches with it, and
# unevenly, so it is printed next to the figures it may have bent.
cpu_ticks() { awk '/^cpu /{t=0; for (i = 2; i <= NF; i++) t += $i; print t, $9}' /proc/stat; }
steal_note() {
	local t0 s0 t1 s1
	read -r t0 s0 <<<"$1"
	read -r t1 s1 <<<"$(cpu_ticks)"
	[ $((t1 - t0)) -gt 0 ] &&
		echo "bench-host: $2: CPU steal $(((s1 - s0) * 100 / (t1 - t0)))% of this machine's CPU time"
}
rc=0
if want hostlink || want dxg || want modload; then
	ticks=$(cpu_ticks)
	make -s vm-bench KVER="${KVER:-6.1}" BENCH="$filter" || rc=1
	steal_note "$ticks" "VM benchmarks"
fi
if want mkmodimg; then
	tools/bench/mkmodimg-bench || rc=1
fi
if want vm-boot; then
	tools/bench/vmboot-bench --kver "${KVER:-6.1}" || rc=1
fi
exit $rc
