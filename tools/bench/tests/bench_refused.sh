# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the benchmarks' argument tests, with $bench set to the
# program under test.

refused() {	# refused PATTERN ARGS...: exits 2, and says PATTERN
	local pat=$1 out rc
	shift
	out=$(timeout 20 "$bench" "$@" 2>&1)
	rc=$?
	[ $rc -eq 2 ] || { echo "# exit $rc: $out"; return 1; }
	grep -qF -- "$pat" <<<"$out" || { echo "# got: $out"; return 1; }
}
