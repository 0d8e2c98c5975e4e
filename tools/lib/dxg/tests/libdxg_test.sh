#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# libdxg as a package: the exports of the built library are exactly the
# version script's, the soname, and a DESTDIR install that pkg-config
# finds and that a program builds, links and runs against.
set -u
top=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$top/scripts/tests/tap.sh"
out=${O:-$top/build}/tools/lib/dxg
lib=$out/libdxg.so.0

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' |
	sort >"$d/exported"
sed -n 's/^\t\(dxg_[a-z0-9_]*\);$/\1/p' "$top/tools/lib/dxg/libdxg.sym" | sort >"$d/listed"
ok_if "the library exports every symbol of libdxg.sym" \
	bash -c "[ -s '$d/listed' ] && comm -23 '$d/listed' '$d/exported' | grep -q . && exit 1 || exit 0"
ok_if "... and nothing else" \
	bash -c "! nm -D --defined-only '$lib' | awk '\$3 !~ /^(dxg_|LIBDXG_)/ { print; bad = 1 } END { exit !bad }'"
ok_if "exported symbols carry the LIBDXG_0 version" \
	bash -c "nm -D --defined-only '$lib' | grep ' T ' | grep -qv '@@LIBDXG_0' && exit 1 || exit 0"
ok_if "soname libdxg.so.0" \
	bash -c "readelf -d '$lib' | grep -q 'SONAME.*\[libdxg.so.0\]'"

# A build of its own, without sanitizers (the program below has none).
ok_if "make install DESTDIR= PREFIX=/opt/dxg" \
	make -s -C "$top/tools/lib/dxg" O="$d/build" SANITIZE= CFLAGS="-O2" \
	install DESTDIR="$d/root" PREFIX=/opt/dxg
for f in lib/libdxg.so.0.1.0 include/dxg/libdxg.h include/dxg/linux/dxg.h \
	lib/pkgconfig/dxg.pc; do
	ok_if "installed $f" test -s "$d/root/opt/dxg/$f"
done
ok_if "libdxg.so and libdxg.so.0 are symlinks to it" \
	bash -c "[ \"\$(readlink -f '$d/root/opt/dxg/lib/libdxg.so')\" = '$d/root/opt/dxg/lib/libdxg.so.0.1.0' ]"

export PKG_CONFIG_PATH="$d/root/opt/dxg/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$d/root"
unset PKG_CONFIG_LIBDIR
ok_if "pkg-config --modversion dxg" \
	bash -c '[ "$(pkg-config --modversion dxg)" = 0.1.0 ]'
ok_if "pkg-config --cflags dxg names the installed include directory" \
	bash -c "[ \"\$(pkg-config --cflags dxg | tr -d ' ')\" = '-I$d/root/opt/dxg/include/dxg' ]"
ok_if "pkg-config --libs dxg" \
	bash -c "pkg-config --libs dxg | grep -q -- '-L$d/root/opt/dxg/lib -ldxg'"

cat >"$d/prog.c" <<'EOC'
#include <errno.h>
#include <stdio.h>
#include <libdxg.h>

int main(void)
{
	struct dxg *dxg;
	struct dxg_cmd cmd;

	if (dxg_crc32c(0, "123456789", 9) != 0xe3069283u)
		return 1;
	if (dxg_cmd_init(&cmd) || dxg_cmd_nop(&cmd) || cmd.size != 8)
		return 2;
	dxg_cmd_release(&cmd);
	if (dxg_open_path("/nonexistent", &dxg) != -ENOENT)
		return 3;
	printf("DXG_UAPI_VERSION %d\n", DXG_UAPI_VERSION);
	return 0;
}
EOC
ok_if "a program builds with \$(pkg-config --cflags --libs dxg)" \
	bash -c "cc -std=c99 -Wall -Werror \$(pkg-config --cflags dxg) -o '$d/prog' '$d/prog.c' \$(pkg-config --libs dxg)"
ok_if "... it needs libdxg.so.0" \
	bash -c "readelf -d '$d/prog' | grep -q 'NEEDED.*\[libdxg.so.0\]'"
ok_if "... and runs against the installed library" \
	bash -c "LD_LIBRARY_PATH='$d/root/opt/dxg/lib' '$d/prog' | grep -qx 'DXG_UAPI_VERSION 1'"
ok_if "the header compiles as C++ too" \
	bash -c "! command -v c++ >/dev/null || echo '#include <libdxg.h>' | c++ -x c++ -fsyntax-only -Wall -Werror \$(pkg-config --cflags dxg) -"
ok_if "make uninstall removes every file" \
	make -s -C "$top/tools/lib/dxg" O="$d/build" uninstall DESTDIR="$d/root" PREFIX=/opt/dxg
ok_if "... and leaves nothing behind" \
	bash -c "[ -z \"\$(find '$d/root' ! -type d)\" ]"
tap_done
