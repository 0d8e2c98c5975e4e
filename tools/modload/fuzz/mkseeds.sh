#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mkseeds.sh DIR: small modules images (1 KiB blocks, 128 KiB) for the
# fuzz target to start from: good records in both layouts, a record of
# another format, one without a final newline, and no record at all.
set -euo pipefail
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed() {	# seed NAME RECORD-TEXT (empty: no .modimg)
	rm -rf "$tmp/d" && mkdir -p "$tmp/d/kernel"
	[ -z "$2" ] || printf '%b' "$2" >"$tmp/d/.modimg"
	mke2fs -q -F -t ext4 -b 1024 -N 32 -O ^has_journal,^resize_inode \
		-L hl-modules -d "$tmp/d" "$out/$1" 128K >/dev/null
}
seed wsl 'format=1\nkernel_release=6.1.0-56-amd64\nlayout=wsl\n'
seed nested 'format=1\nkernel_release=6.12.117+deb12-amd64\nlayout=nested\n'
seed format2 'format=2\nkernel_release=6.1.0-56-amd64\n'
seed nonl 'format=1\nkernel_release=6.1.0-56-amd64'
seed none ''
printf 'format=1\nkernel_release=6.1.0-56-amd64\nlayout=wsl\n' >"$out/record"
