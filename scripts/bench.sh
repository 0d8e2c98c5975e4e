#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: every benchmark whose name starts with $BENCH (all when
# empty), one line per figure in the form of DESIGN section 8.
#   in the VM:   hostlink-* (the channel), modload-vs-modprobe
#   on the host: mkmodimg-time, mkmodimg-size, vm-boot-microvm
# KVER picks the kernel (stock 6.1 by default); BENCH_ARGS go to
# hostlink-bench.

set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$HOSTLINK_TOP"
filter=${BENCH:-}
# want GROUP: the filter names something in GROUP, or GROUP entirely.
want() { [ -z "$filter" ] || [[ $1 == "$filter"* ]] || [[ $filter == "$1"* ]]; }
rc=0
if want hostlink || want modload; then
	make -s vm-bench KVER="${KVER:-6.1}" BENCH="$filter" || rc=1
fi
if want mkmodimg; then
	tools/bench/mkmodimg-bench || rc=1
fi
if want vm-boot; then
	tools/bench/vmboot-bench --kver "${KVER:-6.1}" || rc=1
fi
exit $rc
