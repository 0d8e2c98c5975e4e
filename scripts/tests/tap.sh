# SPDX-License-Identifier: GPL-2.0-only
# Tiny TAP helpers for shell tests; source it.
tap_n=0
tap_failed=0
echo "TAP version 13"
# ok_if DESCRIPTION COMMAND...: one case, passing when COMMAND succeeds.
ok_if() {
	local desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n $desc"
	else
		echo "not ok $tap_n $desc"
		tap_failed=$((tap_failed + 1))
	fi
}
tap_done() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
}
