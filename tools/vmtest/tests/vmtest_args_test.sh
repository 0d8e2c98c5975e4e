#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vmtest refuses bad arguments with a clear message, before any boot.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
vmtest=$top/tools/vmtest/vmtest
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

refused() {	# refused PATTERN ARGS...: fails, and says PATTERN
	local pat=$1 out
	shift
	out=$(timeout 20 "$vmtest" "$@" 2>&1) && return 1
	grep -q -- "$pat" <<<"$out" || { echo "# got: $out"; return 1; }
}
ok_if "no arguments: usage" refused "usage: vmtest" 
ok_if "unknown option" refused "unknown argument '--bogus'" --bogus
ok_if "kernel that is not pinned" refused "'9.9' is not a pinned kernel" --kver 9.9 --modules "$d" --demo
ok_if "missing module dir" refused "no module directory" --kver 6.1 --modules "$d/none" --demo
ok_if "bad timeout" refused "--timeout wants seconds" --kver 6.1 --modules "$d" --demo --timeout 1h
ok_if "missing selftests dir" refused "no selftests directory" --kver 6.1 --modules "$d" --selftests "$d/none"
tap_done
