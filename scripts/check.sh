#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the userspace tests, no VM.  Runs every test program (TAP
# on stdout) and prints "N passed, N failed".

set -uo pipefail
. "$(dirname "$0")/lib.sh"
export O=${O:-$HOSTLINK_TOP/build}
out=$O

progs=(
	"$out/tools/vmtest/tests/kmsg_report_test"
	"$out/tools/vmtest/tests/kmsg_leak_test"
	"$out/tools/vmtest/tests/ktap_test"
	"$out/tools/hostlinkd/tests/hl_frame_test"
	"$out/tools/hostlinkd/tests/hl_conn_test"
	"$out/tools/hostlinkd/tests/hl_post_test"
	"$out/tools/hostlinkd/tests/hostlinkd_test"
	"$out/tools/hostlinkd/tests/dxg_wire_test"
	"$out/tools/hostlinkd/tests/interop_wire_test"
	"$out/tools/hostlinkd/tests/interop_parse_test"
	"$out/tools/hostlinkd/tests/interop_policy_test"
	"$out/tools/hostlinkd/tests/interop_session_test"
	"$out/tools/hostlinkd/tests/interop_spawn_test"
	"$out/tools/hostlinkd/tests/interop_svc_test"
	"$out/tools/uapi/tests/dxg_uapi_test"
	"$out/tools/uapi/tests/interop_uapi_test"
	"$out/tools/hostlinkd/tests/dxg_engine_test"
	"$out/tools/hostlinkd/tests/dxg_svc_test"
	"$HOSTLINK_TOP/scripts/tests/kernel_choice_test.sh"
	"$HOSTLINK_TOP/scripts/tests/deps_pins_test.sh"
	"$HOSTLINK_TOP/tools/vmtest/tests/vmtest_args_test.sh"
	"$HOSTLINK_TOP/tools/bench/tests/bench_args_test.sh"
	"$HOSTLINK_TOP/tools/bench/tests/dxg_bench_args_test.sh"
	"$HOSTLINK_TOP/tools/bench/tests/interop_bench_args_test.sh"
	"$out/tools/modload/tests/ml_image_test"
	"$HOSTLINK_TOP/tools/modload/tests/modload_test.sh"
	"$HOSTLINK_TOP/tools/mkmodimg/tests/mkmodimg_test.sh"
	"$out/tools/lib/dxg/tests/dxg_cmd_test"
	"$out/tools/lib/dxg/tests/dxg_api_test"
	"$HOSTLINK_TOP/tools/lib/dxg/tests/libdxg_test.sh"
	"$out/tools/dxginfo/tests/dxginfo_json_test"
	"$HOSTLINK_TOP/tools/dxginfo/tests/dxginfo_test.sh"
	"$out/tools/devperm/tests/dp_unit_test"
	"$HOSTLINK_TOP/tools/devperm/tests/devperm_test.sh"
	"$out/tools/hostrun/tests/hr_unit_test"
	"$out/tools/hostrun/tests/hr_pty_test"
	"$HOSTLINK_TOP/tools/hostrun/tests/hostrun_test.sh"
)

passed=0 failed=0
for p in "${progs[@]}"; do
	echo "# ${p#"$HOSTLINK_TOP"/}"
	log=$(mktemp)
	"$p" >"$log" 2>&1
	rc=$?
	sed 's/^/  /' "$log"
	p_ok=$(grep -cE '^ok ' "$log")
	p_bad=$(grep -cE '^not ok ' "$log")
	rm -f "$log"
	# A program that failed without saying which case failed still fails.
	[ $rc -ne 0 ] && [ "$p_bad" -eq 0 ] && p_bad=1
	[ "$p_ok" -eq 0 ] && [ "$p_bad" -eq 0 ] && p_bad=1
	passed=$((passed + p_ok)) failed=$((failed + p_bad))
done
echo "check: $passed passed, $failed failed"
[ $failed -eq 0 ]
