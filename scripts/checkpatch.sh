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
# Out of tree, each driver's *_compat.h must test kernel versions (house
# style: the only place that does); anywhere else that is an error.
if grep -l LINUX_VERSION_CODE "${files[@]}" | grep -v '_compat\.h$'; then
	die "LINUX_VERSION_CODE outside a *_compat.h"
fi
# --no-tree: we are not a kernel tree; SPDX and everything else still run.
perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE -f "${files[@]}"
echo "checkpatch: ${#files[@]} files clean"
