#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make shell gives a prompt in the demo VM: wait for its banner, type a
# command, read the answer, exit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$HOSTLINK_TOP/scripts/tests/tap.sh"

coproc VM { timeout 300 make -s -C "$HOSTLINK_TOP" shell 2>&1; }
vmpid=$VM_PID
banner=0 answer=0
while IFS= read -r -t 240 line <&"${VM[0]}"; do
	echo "# $line"
	if [ $banner -eq 0 ] && [[ $line == *"loaded; 'exit' powers off"* ]]; then
		banner=1
		printf 'echo shell-ok-$((6 * 7)) $(stat -c %%G /dev/dxg)\nexit\n' >&"${VM[1]}"
	fi
	[[ $line == *"shell-ok-42 render"* ]] && answer=1
done
wait "$vmpid"
rc=$?
ok_if "the shell shows its banner with the modules loaded" test $banner -eq 1
ok_if "a typed command runs in the guest" test $answer -eq 1
ok_if "exit ends the VM" test $rc -eq 0
tap_done
echo "shell: $((tap_n - tap_failed)) passed, $tap_failed failed"
[ $tap_failed -eq 0 ]
