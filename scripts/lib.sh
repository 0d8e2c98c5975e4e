# SPDX-License-Identifier: GPL-2.0-only
# Shared shell helpers; source it.  Reads the pins from kernels.conf.

HOSTLINK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOSTLINK_CACHE=${HOSTLINK_CACHE:-$HOME/.cache/hostlink}
# shellcheck source=../kernels.conf
. "$HOSTLINK_TOP/kernels.conf"

die() { echo "${0##*/}: error: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# pin_resolve ALIAS-OR-RELEASE: set KVER and PKGVER from kernels.conf.
# A full release must be one of the pins (we fetch only pinned images).
pin_resolve() {
	local want=$1 v a
	for v in ${!KVER_*}; do
		a=${v#KVER_}
		if [ "$want" = "${a//_/.}" ] || [ "$want" = "${!v}" ]; then
			KVER=${!v}
			v=PKGVER_$a
			PKGVER=${!v}
			return 0
		fi
	done
	return 1
}

# linux_source_tarball: the pinned linux-source tarball, after checking
# that the installed package is the pinned version.  Prints its path.
linux_source_tarball() {
	local have
	have=$(dpkg-query -W -f '${Version}' "$LINUX_SOURCE" 2>/dev/null) ||
		die "$LINUX_SOURCE is not installed; run 'make deps'"
	[ "$have" = "$LINUX_SOURCE_VERSION" ] ||
		die "$LINUX_SOURCE $have is installed, kernels.conf pins $LINUX_SOURCE_VERSION; run 'make deps'"
	echo "/usr/src/$LINUX_SOURCE.tar.xz"
}

# linux_source_dir: the pinned linux-source's files we use, extracted
# once into the cache (kselftest headers, checkpatch).  Prints the dir.
linux_source_dir() {
	local dir=$HOSTLINK_CACHE/$LINUX_SOURCE-$LINUX_SOURCE_VERSION tar
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return 0
	fi
	tar=$(linux_source_tarball) || exit 1
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	note "extracting kselftest headers and checkpatch from $tar"
	tar -xf "$tar" -C "$dir.tmp" --strip-components=1 --wildcards \
		"$LINUX_SOURCE/tools/testing/selftests/kselftest*.h" \
		"$LINUX_SOURCE/scripts/checkpatch.pl" \
		"$LINUX_SOURCE/scripts/spelling.txt" \
		"$LINUX_SOURCE/scripts/const_structs.checkpatch" ||
		die "cannot extract from $tar"
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "$dir"
}

# now: seconds since the epoch, with decimals.
now() { date +%s.%N; }
# since T0: seconds elapsed since T0, one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
