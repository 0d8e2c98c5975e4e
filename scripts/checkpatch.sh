#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.pl --strict, from the pinned linux-source, on every file of
# our kernel code (drivers/ and the headers it includes).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(linux_source_dir)
cd "$HOSTLINK_TOP"
mapfile -t files < <(find drivers include -type f | sort)
[ ${#files[@]} -gt 0 ] || die "no kernel sources found"
# --no-tree: we are not a kernel tree; SPDX and everything else still run.
perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --ignore FILE_PATH_CHANGES -f "${files[@]}"
echo "checkpatch: ${#files[@]} files clean"
