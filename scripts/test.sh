#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make test: everything CI runs, stage by stage, each timed.  A stage's
# cases come from its own "N passed, N failed" line; a stage without
# one counts as one case.  Goes on after a failed stage so one run shows
# everything, and ends with the total "N passed, N failed".
#
# TEST_STAGES="name ..." runs only the named stages.

set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$HOSTLINK_TOP"
export O=${O:-$HOSTLINK_TOP/build}
logdir=$O/test-logs
mkdir -p "$logdir"

total_passed=0 total_failed=0 table=() t_start=$(now)

stage() {
	local name=$1 t0 rc line p f secs
	shift
	if [ -n "${TEST_STAGES:-}" ] && ! grep -qw -- "$name" <<<"$TEST_STAGES"; then
		return 0
	fi
	echo
	echo "=== stage $name: $*"
	t0=$(now)
	"$@" 2>&1 | tee "$logdir/$name.log"
	rc=${PIPESTATUS[0]}
	secs=$(since "$t0")
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" | tail -n 1 || true)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	elif [ "$rc" -eq 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
	table+=("$(printf '%-14s %7s s  %4d passed %4d failed' "$name" "$secs" "$p" "$f")")
	echo "=== stage $name: ${secs} s, exit $rc"
}

stage deps scripts/deps.sh
stage build-6.1 make -s all selftests KVER=6.1
stage build-6.12 make -s all selftests KVER=6.12
stage check make -s check
stage check-asan make -s check SANITIZE=address,undefined O="$O/asan"
stage fuzz make -s -C tools/hostlinkd fuzz FUZZ_SECONDS=60
stage fuzz-modload make -s -C tools/modload fuzz FUZZ_SECONDS=30
stage fuzz-dxg make -s -C tools/hostlinkd fuzz-dxg FUZZ_SECONDS=60
stage fuzz-interop make -s -C tools/hostlinkd fuzz-interop FUZZ_SECONDS=30
stage checkpatch scripts/checkpatch.sh
stage sparse-6.1 make -s sparse KVER=6.1
stage sparse-6.12 make -s sparse KVER=6.12
stage vmtest-6.1 make -s vmtest KVER=6.1
stage vmtest-6.12 make -s vmtest KVER=6.12
stage demo make -s demo
# A short run: it proves the benchmark works; make bench gives the figures.
# dxg-bench takes the same sizes, a shorter warm-up and fewer submissions
# (its part stays within 2 minutes under TCG).
stage bench make -s bench BENCH_ARGS="--runs 3 --rtt-iters 300 --bulk-mib 16 --dxg-warmup 2 --dxg-submit-ops 100 --interop-runs 1 --interop-mib 16 --interop-launches 5 --interop-ssh-launches 1"
# The seed scenario: usb-storage from the modules image, a USB stick
# behind qemu-xhci; on microvm the runner adds pcie=on for it.
stage usb-scenario tools/vmtest/usb-scenario --kver 6.1
stage usb-microvm tools/vmtest/usb-scenario --kver 6.1 --machine microvm
stage usb-6.12 tools/vmtest/usb-scenario --kver 6.12
stage shell scripts/shell-test.sh
stage dkms scripts/dkms-test.sh
stage install scripts/install-test.sh
stage debug-kernel tools/vmtest/debug-kernel
stage sparse-debug make -s sparse KVER=debug
stage vmtest-debug make -s vmtest KVER=debug
stage vmtest-selftest tools/vmtest/vmtest-selftest
stage intree scripts/intree-test.sh
# The drop-list: dropped modules are gone from the guest, the rest stays;
# and a --disk alone is a block device (udev loads virtio_blk for it).
truncate -s 1M "$O/vmtest-drop.img"
stage vmtest-drop tools/vmtest/vmtest --kver 6.1 --modules "$O/$KVER_6_1/kmod" \
	--drop "usb-storage uas" --disk "$O/vmtest-drop.img" \
	--run "! modinfo usb_storage && ! modinfo uas && modinfo xhci_pci sd_mod >/dev/null && test -b /dev/vda"

echo
echo "=== summary (logs in $logdir)"
printf '%s\n' "${table[@]}"
printf '%-14s %7s s  (%d min)\n' "total" "$(since "$t_start")" $(($(since "$t_start" | cut -d. -f1) / 60))
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
