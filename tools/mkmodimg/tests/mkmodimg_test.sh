#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkmodimg on a small fake module tree (real ELF objects that depmod
# reads), no kernel needed: both layouts and formats, the image against
# Documentation/modules-image.rst, byte-identical rebuilds (two stage
# copies, root and an unprivileged user, other times and umask), each
# error, interruptions at each step, and mkmodimg-seal on corrupted
# files.  TAP on stdout.
#
# Needs mkmodimg-seal built (make -C tools/mkmodimg); MKMODIMG_SEAL
# picks another build (such as a SANITIZE=address,undefined one).
# Runs as root in CI; as another user, the cases needing root skip.

set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
mkmodimg=$top/tools/mkmodimg/mkmodimg
seal=${MKMODIMG_SEAL:-${O:-$top/build}/tools/mkmodimg/mkmodimg-seal}
export MKMODIMG_SEAL=$seal
export PATH=$PATH:/usr/sbin:/sbin
python=/usr/bin/python3
[ -x "$python" ] || python=python3
kver=9.8.7-fake
ns=a9332c83-b204-4f1d-aeb0-cf90210f7ac8
epoch=1700000000
export SOURCE_DATE_EPOCH=$epoch

d=$(mktemp -d)
mnt=
cleanup() {
	[ -z "$mnt" ] || umount "$mnt" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
chmod 755 "$d"

skip() {	# skip DESCRIPTION REASON: a case that cannot run here
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

if [ ! -x "$seal" ]; then
	echo "not ok 1 mkmodimg-seal is built ($seal missing: make -C tools/mkmodimg)"
	echo "1..1"
	exit 1
fi

# fake_module FILE NAME RELEASE DEPENDS EXPORT IMPORT: a relocatable ELF
# with the .modinfo and __ksymtab_strings depmod reads.
fake_module() {
	local file=$1 name=$2 rel=$3 dep=$4 exp=$5 imp=$6
	{
		printf 'static const char %s_modinfo[] __attribute__((section(".modinfo"), used, aligned(1))) =\n' "$name"
		printf '\t"license=GPL\\0vermagic=%s SMP mod_unload modversions \\0name=%s\\0depends=%s";\n' \
			"$rel" "$name" "$dep"
		if [ -n "$exp" ]; then
			printf 'static const char %s_ksym[] __attribute__((section("__ksymtab_strings"), used, aligned(1))) = "%s";\n' \
				"$name" "$exp"
			printf 'int %s(void) { return 1; }\n' "$exp"
		fi
		if [ -n "$imp" ]; then
			printf 'extern int %s(void);\nint %s_init(void) { return %s(); }\n' "$imp" "$name" "$imp"
		fi
	} >"$d/$name.c"
	mkdir -p "$(dirname "$file")"
	gcc -c -O2 -o "$file" "$d/$name.c"
}

# fake_tree ROOT RELEASE: ROOT/lib/modules/RELEASE as modules_install
# leaves it, with build and source links and stale depmod output.
fake_tree() {
	local m=$1/lib/modules/$2
	fake_module "$m/kernel/drivers/fake/fa.ko" fa "$2" "" fa_func ""
	fake_module "$m/kernel/drivers/fake/fb.ko" fb "$2" fa "" fa_func
	mkdir -p "$m/kernel/fs/empty"
	printf 'kernel/drivers/fake/fa.ko\nkernel/drivers/fake/fb.ko\n' >"$m/modules.order"
	echo kernel/drivers/fake/fbuiltin.ko >"$m/modules.builtin"
	printf 'fbuiltin.description=built in\0' >"$m/modules.builtin.modinfo"
	echo "stale" >"$m/modules.dep"
	ln -s "/usr/src/linux-headers-$2" "$m/build"
	ln -s "/usr/src/linux-$2" "$m/source"
	ln -s fa.ko "$m/kernel/drivers/fake/fa.link"
	# A name long enough for a slow symlink, and a long file name.
	echo data >"$m/kernel/$(printf 'n%.0s' {1..200})"
	ln -s "$(printf 'n%.0s' {1..200})" "$m/kernel/long-link"
}

fake_tree "$d/tree" "$kver"
fake_module "$d/add/hl/fc.ko" fc "$kver" fa "" fa_func
fake_module "$d/bad/fbad.ko" fbad 9.9.9-other "" "" ""
mkdir -p "$d/hdr/include/linux"
echo "#define FAKE 1" >"$d/hdr/include/linux/fake.h"
chmod -R a+rX "$d"

# build NAME ARGS...: mkmodimg -o $d/out/NAME ARGS, its stderr in
# $d/err; fails when mkmodimg does.
mkdir -p "$d/out"
build() {
	local name=$1
	shift
	"$mkmodimg" -o "$d/out/$name" "$@" 2>"$d/err" || { sed 's/^/# /' "$d/err"; return 1; }
}
# dfs IMAGE CMD: debugfs's output for one command.
dfs() { debugfs -R "$2" "$1" 2>/dev/null; }
uuid5() { "$python" -c 'import sys, uuid; print(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2]))' "$ns" "$1"; }

ok_if "depmod reads the fake modules (fb needs fa)" \
	bash -c "cp -a '$d/tree' '$d/dm' && depmod -b '$d/dm' $kver &&
		grep -qx 'kernel/drivers/fake/fb.ko: kernel/drivers/fake/fa.ko' '$d/dm/lib/modules/$kver/modules.dep'"
rm -rf "$d/dm"

ok_if "builds a wsl VHDX" build wsl.vhdx --from "$d/tree" --add "$d/add"
ok_if "builds a wsl raw image" build wsl.raw --from "$d/tree" --add "$d/add" --format raw
ok_if "builds a nested VHDX with headers" build nested.vhdx --from "$d/tree" --layout nested --headers "$d/hdr"
ok_if "builds a nested raw image" build nested.raw --from "$d/tree" --layout nested --format=raw --add="$d/add/hl/fc.ko"
# A tree that holds a .modimg of its own (an image's content copied
# back): the image gets its own record, and the tree keeps its file.
cp -a "$d/tree" "$d/tree2"
echo "the tree's own" >"$d/tree2/lib/modules/$kver/.modimg"
ok_if "a .modimg in the tree is replaced in the image, the tree's left alone" \
	bash -c "$(declare -f build); d='$d' mkmodimg='$mkmodimg'; build own.raw --from '$d/tree2' --format raw &&
		grep -qx \"the tree's own\" '$d/tree2/lib/modules/$kver/.modimg' &&
		debugfs -R 'cat /.modimg' '$d/out/own.raw' 2>/dev/null | grep -qx 'layout=wsl'"
rm -rf "$d/tree2" "$d/out/own.raw"

w=$d/out/wsl.raw
n=$d/out/nested.raw
vinfo() { qemu-img info --output=json "$d/out/wsl.vhdx"; }
ok_if "qemu-img check passes on the VHDX" qemu-img check -q "$d/out/wsl.vhdx"
ok_if "qemu-img check passes on the nested VHDX" qemu-img check -q "$d/out/nested.vhdx"
ok_if "qemu-img info: format vhdx" bash -c "qemu-img info --output=json '$d/out/wsl.vhdx' | grep -q '\"format\": \"vhdx\"'"
ok_if "qemu-img info: virtual size is the ext4 size" \
	bash -c "grep -q \"\\\"virtual-size\\\": \$(stat -c %s '$w')\" <<<'$(vinfo)'"
quiet() { "$@" >"$d/log" 2>&1 || { sed 's/^/# /' "$d/log"; return 1; }; }
ok_if "e2fsck -fn is clean (wsl)" quiet e2fsck -fn "$w"
ok_if "e2fsck -fn is clean (nested)" quiet e2fsck -fn "$n"
ok_if "the VHDX converted back equals the raw build" \
	bash -c "qemu-img convert -f vhdx -O raw '$d/out/wsl.vhdx' '$d/back.raw' && cmp '$d/back.raw' '$w'"
rm -f "$d/back.raw"

sb() { dumpe2fs -h "$1" 2>/dev/null | sed -n "s/^$2: *//p"; }
ok_if "label is hl-modules" test "$(sb "$w" 'Filesystem volume name')" = hl-modules
ok_if "UUID is the version 5 UUID of the release" test "$(sb "$w" 'Filesystem UUID')" = "$(uuid5 $kver)"
ok_if "hash seed is the UUID of <release>/hash_seed" \
	test "$(sb "$w" 'Directory Hash Seed')" = "$(uuid5 $kver/hash_seed)"
ok_if "nested image: same UUID" test "$(sb "$n" 'Filesystem UUID')" = "$(uuid5 $kver)"
ok_if "no journal, no reserved blocks, 4 KiB blocks" \
	bash -c "! dumpe2fs -h '$w' 2>/dev/null | grep -q has_journal &&
		[ '$(sb "$w" 'Reserved block count')' = 0 ] && [ '$(sb "$w" 'Block size')' = 4096 ]"
ok_if "superblock write time is the epoch" \
	test "$(sb "$w" 'Last write time')" = "$(LC_ALL=C TZ=UTC0 date -d @$epoch '+%a %b %e %H:%M:%S %Y')"

printf 'format=1\nkernel_release=%s\nlayout=wsl\n' $kver >"$d/modimg.wsl"
printf 'format=1\nkernel_release=%s\nlayout=nested\n' $kver >"$d/modimg.nested"
ok_if ".modimg at the root (wsl)" bash -c "debugfs -R 'cat /.modimg' '$w' 2>/dev/null | cmp - '$d/modimg.wsl'"
ok_if ".modimg at the root (nested)" bash -c "debugfs -R 'cat /.modimg' '$n' 2>/dev/null | cmp - '$d/modimg.nested'"

# ls -p: /inode/mode/uid/gid/name/size/ per entry.
lsp() { dfs "$1" "ls -p $2" | grep '^/'; }
has() { lsp "$1" "$2" | cut -d/ -f6 | grep -qx -- "$3"; }
ok_if "wsl root: kernel, modules.dep.bin, modules.builtin, updates" \
	bash -c "$(declare -f lsp has dfs); for f in kernel modules.dep.bin modules.builtin modules.builtin.modinfo modules.order updates; do has '$w' / \$f || exit 1; done"
ok_if "wsl root: no build or source link" bash -c "$(declare -f lsp has dfs); ! has '$w' / build && ! has '$w' / source"
ok_if "our module under updates/hostlink" bash -c "$(declare -f lsp has dfs); has '$w' /updates/hostlink fc.ko"
ok_if "nested root: <release>/modules with the depmod output" \
	bash -c "$(declare -f lsp has dfs); has '$n' /$kver/modules modules.dep.bin && has '$n' /$kver/modules/updates/hostlink fc.ko"
ok_if "nested with headers: <release>/linux-headers" \
	bash -c "qemu-img convert -O raw '$d/out/nested.vhdx' '$d/nh.raw' && debugfs -R 'cat /$kver/linux-headers/include/linux/fake.h' '$d/nh.raw' 2>/dev/null | grep -q FAKE"
rm -f "$d/nh.raw"
ok_if "nested root: no build or source link" \
	bash -c "$(declare -f lsp has dfs); ! has '$n' /$kver/modules build && ! has '$n' /$kver/modules source"

# Every inode in use: uid 0, gid 0, every time at the epoch.
all_fixed() {
	local img=$1 ino bad=0
	# debugfs has no recursive ls: walk the tree with ls -p.
	walk() {
		local dir=$1 name ino mode uid gid
		while IFS=/ read -r _ ino mode uid gid name _; do
			[ "$name" = . ] || [ "$name" = .. ] && continue
			[ "$uid" = 0 ] && [ "$gid" = 0 ] || { echo "# $dir/$name: owner $uid:$gid"; bad=1; }
			echo "<$ino>"
			[ "${mode:0:3}" = 040 ] && walk "$dir/$name"
		done < <(lsp "$img" "$dir")
	}
	{ echo "<2>"; walk ""; } | sort -u >"$d/inodes"
	while read -r ino; do
		dfs "$img" "stat $ino" | grep -E '^ *(c|a|m|cr)time:' | grep -vq "0x$(printf %08x $epoch):00000000" &&
			{ echo "# $ino: a time is not the epoch"; bad=1; }
	done <"$d/inodes"
	[ $bad -eq 0 ] && [ "$(wc -l <"$d/inodes")" -ge 10 ]
}
ok_if "every file and directory: owner 0:0, times at SOURCE_DATE_EPOCH" all_fixed "$w"
ok_if "modes: directories 0755, files 0644" \
	bash -c "$(declare -f lsp dfs); lsp '$w' / | grep -q '/040755/0/0/kernel/' && lsp '$w' / | grep -q '/100644/0/0/modules.dep.bin/'"
ok_if "symbolic links kept (fast and slow)" \
	bash -c "$(declare -f lsp dfs); lsp '$w' /kernel/drivers/fake | grep -q '/120777/0/0/fa.link/' && lsp '$w' /kernel | grep -q '/120777/0/0/long-link/'"

# depmod ran on the stage: the dependency, and modprobe resolves it
# from the image's own index.
ok_if "modules.dep records fb -> fa" \
	bash -c "debugfs -R 'cat /modules.dep' '$w' 2>/dev/null | grep -qx 'kernel/drivers/fake/fb.ko: kernel/drivers/fake/fa.ko'"
ok_if "modules.dep records our fc -> fa" \
	bash -c "debugfs -R 'cat /modules.dep' '$w' 2>/dev/null | grep -qx 'updates/hostlink/fc.ko: kernel/drivers/fake/fa.ko'"
ok_if "modprobe resolves fc from the image's modules.dep.bin" \
	bash -c "mkdir -p '$d/x/lib/modules/$kver' && debugfs -R 'rdump / $d/x/lib/modules/$kver' '$w' >/dev/null 2>&1 &&
		rm '$d/x/lib/modules/$kver/modules.dep' &&
		modprobe -d '$d/x' -S $kver --show-depends fc | grep -c insmod | grep -qx 2"
rm -rf "$d/x"

# Reproducibility.
cp -a "$d/tree" "$d/tree2"
find "$d/tree2" -exec touch -h -d '2001-02-03 04:05:06' {} +
ok_if "two stage copies, other times, other umask, later: same bytes" \
	bash -c "sleep 1.1; (umask 077 && '$mkmodimg' --from '$d/tree2' --add '$d/add' -o '$d/out/copy.vhdx') && cmp '$d/out/copy.vhdx' '$d/out/wsl.vhdx'"
mkdir -p "$d/rawtmp"
ok_if "ext4 built in another directory (MKMODIMG_TMPDIR): same bytes, nothing left there" \
	bash -c "MKMODIMG_TMPDIR='$d/rawtmp' '$mkmodimg' --from '$d/tree' --add '$d/add' -o '$d/out/tmpdir.vhdx' &&
		cmp '$d/out/tmpdir.vhdx' '$d/out/wsl.vhdx' && [ -z \"\$(ls -A '$d/rawtmp')\" ]"
ok_if "raw: same bytes from the copy" \
	bash -c "'$mkmodimg' --from '$d/tree2' --add '$d/add' --format raw -o '$d/out/copy.raw' && cmp '$d/out/copy.raw' '$w'"
# as_nobody ARGS...: mkmodimg ARGS as user 65534 (SOURCE_DATE_EPOCH set),
# run from a copy of the script and its helper in a 0755 directory of
# its own: the checkout may sit where others cannot go.
as_nobody() {
	local bin rc
	bin=$(mktemp -d) || return 1
	chmod 755 "$bin" && cp "$mkmodimg" "$seal" "$bin/" || { rm -rf "$bin"; return 1; }
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ \
		MKMODIMG_SEAL="$bin/${seal##*/}" SOURCE_DATE_EPOCH=$epoch "$bin/${mkmodimg##*/}" "$@"
	rc=$?
	rm -rf "$bin"
	return $rc
}
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$d/nobody"
	chown 65534:65534 "$d/nobody"
	ok_if "built as an unprivileged user: same bytes as root's" \
		bash -c "$(declare -f as_nobody); seal='$seal' mkmodimg='$mkmodimg' epoch=$epoch
			as_nobody --from '$d/tree' --add '$d/add' -o '$d/nobody/u.vhdx' 2>&1 | sed 's/^/# /'
			cmp '$d/nobody/u.vhdx' '$d/out/wsl.vhdx'"
	ok_if "unprivileged nested raw: same bytes as root's" \
		bash -c "$(declare -f as_nobody); seal='$seal' mkmodimg='$mkmodimg' epoch=$epoch
			as_nobody --from '$d/tree' --layout nested --format raw \
			--add '$d/add/hl/fc.ko' -o '$d/nobody/u.raw' 2>&1 | sed 's/^/# /'; cmp '$d/nobody/u.raw' '$n'"
	# A checkout where others cannot go (a clone in root's 0700 home):
	# the cases above must not depend on where it is.
	mkdir -m 700 "$d/home"
	mkdir -p "$d/home/co/tools/mkmodimg" "$d/home/co/build/tools/mkmodimg"
	cp "$mkmodimg" "$d/home/co/tools/mkmodimg/"
	cp "$seal" "$d/home/co/build/tools/mkmodimg/"
	ok_if "unprivileged build from a checkout under a 0700 directory" \
		bash -c "$(declare -f as_nobody); seal='$d/home/co/build/tools/mkmodimg/mkmodimg-seal'
			mkmodimg='$d/home/co/tools/mkmodimg/mkmodimg' epoch=$epoch
			as_nobody --from '$d/tree' --format raw -o '$d/nobody/h.raw' 2>&1 | sed 's/^/# /'
			[ -s '$d/nobody/h.raw' ]"
	rm -rf "$d/home"
else
	skip "built as an unprivileged user: same bytes as root's" "not root, or no setpriv"
	skip "unprivileged nested raw: same bytes as root's" "not root, or no setpriv"
	skip "unprivileged build from a checkout under a 0700 directory" "not root, or no setpriv"
fi
ok_if "the source tree is untouched (stale modules.dep, links)" \
	bash -c "[ \"\$(cat '$d/tree/lib/modules/$kver/modules.dep')\" = stale ] && [ -L '$d/tree/lib/modules/$kver/build' ]"
ok_if "sealing a sealed VHDX changes nothing" \
	bash -c "cp '$d/out/wsl.vhdx' '$d/again.vhdx' && '$seal' vhdx '$d/again.vhdx' && cmp '$d/again.vhdx' '$d/out/wsl.vhdx'"
ok_if "without SOURCE_DATE_EPOCH every time is 0" \
	bash -c "env -u SOURCE_DATE_EPOCH '$mkmodimg' --from '$d/tree' --format raw -o '$d/e0.raw' &&
		debugfs -R 'stat /modules.dep.bin' '$d/e0.raw' 2>/dev/null | grep -q 'mtime: 0x00000000:00000000'"
ok_if "another release gets another UUID, same label" \
	bash -c "$(declare -f fake_module fake_tree); d='$d'; fake_tree '$d/t3' 1.2.3-x && '$mkmodimg' --from '$d/t3' --format raw -o '$d/t3.raw' &&
		dumpe2fs -h '$d/t3.raw' 2>/dev/null | grep -q 'UUID: *$(uuid5 1.2.3-x)\$' &&
		dumpe2fs -h '$d/t3.raw' 2>/dev/null | grep -q 'volume name: *hl-modules'"
rm -f "$d/again.vhdx" "$d/e0.raw"

# Errors: non-zero, one clear line, no output and no leftovers.
# refused STATUS PATTERN OUT ARGS...: mkmodimg -o OUT ARGS exits with STATUS,
# says PATTERN, and leaves neither OUT nor a temporary directory.
refused() {
	local want=$1 pat=$2 o=$3 rc
	shift 3
	# shellcheck disable=SC2086
	env ${REFUSED_ENV:-} "$mkmodimg" -o "$o" "$@" >"$d/stdout" 2>"$d/err"
	rc=$?
	[ $rc -eq "$want" ] || { echo "# exit $rc, wanted $want: $(cat "$d/err")"; return 1; }
	grep -q -- "$pat" "$d/err" || { echo "# got: $(cat "$d/err")"; return 1; }
	[ "$(grep -c . "$d/err")" -le 2 ] || { echo "# more than a line: $(cat "$d/err")"; return 1; }
	[ -n "${REFUSED_KEEP:-}" ] || [ ! -e "$o" ] || { echo "# $o was written"; rm -f "$o"; return 1; }
	! ls -d "$(dirname "$o")"/.mkmodimg.* >/dev/null 2>&1 || { echo "# temporary left"; return 1; }
}
e=$d/err-out
mkdir -p "$e"
mkdir -p "$d/two/lib/modules/1.0-a" "$d/two/usr/lib/modules/2.0-b"
cp -a "$d/tree" "$d/nobuiltin"
rm "$d/nobuiltin/lib/modules/$kver/modules.builtin"
printf '#!/bin/sh\necho "depmod: ERROR: fake failure" >&2\nexit 1\n' >"$d/bad-depmod"
chmod +x "$d/bad-depmod"
printf '#!/bin/sh\nexit 0\n' >"$d/lazy-depmod"
chmod +x "$d/lazy-depmod"

ok_if "missing tree" refused 1 "no modules tree at" "$e/o" --from "$d/none"
ok_if "tree without lib/modules" refused 1 "no modules tree in" "$e/o" --from "$d/hdr"
ok_if "two releases and no --kver" refused 1 "several releases .*1.0-a 2.0-b.*--kver" "$e/o" --from "$d/two"
ok_if "unknown --kver" refused 1 "no such release '5.5.5' in" "$e/o" --from "$d/tree" --kver 5.5.5
ok_if "--kver picks one of two releases (then: no modules.builtin)" \
	refused 1 "missing modules.builtin" "$e/o" --from "$d/two" --kver 2.0-b
ok_if "missing modules.builtin" refused 1 "missing modules.builtin" "$e/o" --from "$d/nobuiltin"
ok_if "--add of a module for another release: version mismatch" \
	refused 1 "version mismatch: .*fbad.ko is built for 9.9.9-other, the image is for $kver" "$e/o" \
	--from "$d/tree" --add "$d/bad"
cp -a "$d/tree" "$d/foreign"
cp "$d/bad/fbad.ko" "$d/foreign/lib/modules/$kver/kernel/drivers/fake/"
ok_if "a module for another release inside the tree: refused, naming it and its vermagic" \
	refused 1 "version mismatch in the tree: .*/kernel/drivers/fake/fbad.ko is built for 9.9.9-other (vermagic '9.9.9-other SMP mod_unload modversions'), the image is for $kver (--allow-foreign-modules" \
	"$e/o" --from "$d/foreign"
ok_if "--allow-foreign-modules keeps it, with a warning" \
	bash -c "'$mkmodimg' --allow-foreign-modules --from '$d/foreign' --format raw -o '$d/foreign.raw' 2>'$d/err' &&
		grep -q \"^mkmodimg: warning: version mismatch in the tree, kept (--allow-foreign-modules): .*fbad.ko is built for 9.9.9-other\" '$d/err' &&
		debugfs -R 'cat /modules.dep' '$d/foreign.raw' 2>/dev/null | grep -q '^kernel/drivers/fake/fbad.ko:'"
cp -a "$d/tree" "$d/noorder"
rm "$d/noorder/lib/modules/$kver/modules.order"
ok_if "a tree without modules.order: built, with a warning about modprobe's order" \
	bash -c "'$mkmodimg' --from '$d/noorder' --format raw -o '$d/noorder.raw' 2>'$d/err' &&
		[ \"\$(grep -c . '$d/err')\" -eq 1 ] &&
		grep -q \"^mkmodimg: warning: no modules.order in .*: the order of modules.dep, and so modprobe's first match\" '$d/err'"
rm -rf "$d/foreign" "$d/noorder" "$d/foreign.raw" "$d/noorder.raw"
ok_if "--add of a missing file" refused 1 "no such file" "$e/o" --from "$d/tree" --add "$d/none.ko"
ok_if "--add of a directory without modules" refused 1 "no kernel modules" "$e/o" --from "$d/tree" --add "$d/hdr"
REFUSED_ENV=DEPMOD=$d/none/depmod
ok_if "depmod missing" refused 1 "depmod not found" "$e/o" --from "$d/tree"
REFUSED_ENV=DEPMOD=$d/bad-depmod
ok_if "depmod failing" refused 1 "depmod failed: depmod: ERROR: fake failure" "$e/o" --from "$d/tree"
REFUSED_ENV=DEPMOD=$d/lazy-depmod
ok_if "depmod writing no modules.dep.bin" refused 1 "no modules.dep.bin" "$e/o" --from "$d/tree"
REFUSED_ENV=
cp -a "$d/tree" "$d/dangling"
ln -s nowhere "$d/dangling/lib/modules/$kver/kernel/dangling.ko"
ok_if "depmod saying ERROR (exit 0, part of the tree unread)" \
	refused 1 "depmod failed: depmod: ERROR: .*dangling.ko" "$e/o" --from "$d/dangling"
ok_if "unknown option" refused 2 "unknown option '--bogus'" "$e/o" --from "$d/tree" --bogus
ok_if "--headers with the wsl layout" refused 2 "--headers needs --layout nested" "$e/o" --from "$d/tree" --headers "$d/hdr"
ok_if "bad --layout" refused 2 "--layout is wsl or nested" "$e/o" --from "$d/tree" --layout flat
ok_if "bad --format" refused 2 "--format is vhdx or raw" "$e/o" --from "$d/tree" --format qcow2
ok_if "no tree" refused 2 "no modules tree" "$e/o"
REFUSED_ENV=SOURCE_DATE_EPOCH=yesterday
ok_if "bad SOURCE_DATE_EPOCH" refused 1 "SOURCE_DATE_EPOCH='yesterday' is not" "$e/o" --from "$d/tree"
REFUSED_ENV=
cp -a "$d/tree" "$d/big"
head -c 3000000 /dev/urandom >"$d/big/lib/modules/$kver/kernel/big.bin"
ok_if "a tree that does not fit --size" refused 1 "does not fit in --size" "$e/o" --from "$d/big" --size 2M
ok_if "--size too small for ext4" refused 1 "too small for an ext4" "$e/o" --from "$d/tree" --size 128K
ok_if "bad --size" refused 2 "--size wants a size" "$e/o" --from "$d/tree" --size lots
ok_if "output directory missing" refused 1 "no directory" "$d/none/o.vhdx" --from "$d/tree"
echo original >"$e/exists.vhdx"
REFUSED_KEEP=1
ok_if "existing output without --force" refused 1 "exists (use --force" "$e/exists.vhdx" --from "$d/tree"
REFUSED_KEEP=
ok_if "existing output left as it was" grep -qx original "$e/exists.vhdx"
ok_if "--force replaces it" \
	bash -c "'$mkmodimg' --from '$d/tree' --add '$d/add' --force -o '$e/exists.vhdx' && cmp '$e/exists.vhdx' '$d/out/wsl.vhdx'"
ok_if "--version prints the hostlink version" \
	bash -c "'$mkmodimg' --version | grep -qx \"mkmodimg \$(sed -n 's/^#define HOSTLINK_VERSION \"\\(.*\\)\"/\\1/p' '$top/include/linux/hostlink.h')\""
ok_if "--help" bash -c "'$mkmodimg' --help | grep -q -- '--layout wsl|nested'"

# Interrupted at each step by SIGTERM or SIGINT to its process group (as
# a terminal, timeout or a service manager sends them): status 128 + the
# signal, one line saying so, no process left, no temporary file.  A
# stand-in for each program (hold) stops the step it runs: when $HOLD
# matches "program arguments" it sends its pid through a FIFO and waits
# to be killed; other calls run the real program.
h=$d/hold
mkdir -p "$h/bin" "$h/out" "$h/tmp"
cat >"$h/hold" <<'END'
#!/bin/bash
name=${0##*/}
# shellcheck disable=SC2053
if [[ "$name $*" == $HOLD ]]; then
	echo $$ >"$HOLD_FIFO"
	exec sleep 300
fi
[ "$name" != mkmodimg-seal ] || exec "$HOLD_SEAL" "$@"
PATH=$HOLD_PATH exec "$name" "$@"
END
chmod +x "$h/hold"
for p in cp find ln depmod mke2fs debugfs qemu-img mkmodimg-seal; do
	ln -s ../hold "$h/bin/$p"
done
mkfifo "$h/fifo"
# interrupt SIGNAL HOLD: mkmodimg held at the call HOLD matches, then
# SIGNAL to its process group.
interrupt() {
	local sig=$1 fd pid held rc want left
	# what a failed case before left must not fail this one too
	rm -rf "${h:?}/out/"* "${h:?}/tmp/"*
	exec {fd}<>"$h/fifo"
	set -m
	env HOLD="$2" HOLD_FIFO="$h/fifo" HOLD_SEAL="$seal" HOLD_PATH="$PATH" PATH="$h/bin:$PATH" \
		MKMODIMG_SEAL="$h/bin/mkmodimg-seal" MKMODIMG_TMPDIR="$h/tmp" \
		"$mkmodimg" --from "$d/tree" --add "$d/add" -o "$h/out/o.vhdx" 2>"$h/err" &
	pid=$!
	set +m
	if ! read -r -t 60 -u "$fd" held; then
		exec {fd}<&-
		kill -KILL -- -"$pid" 2>/dev/null
		wait "$pid"
		echo "# never reached '$2': $(cat "$h/err")"
		return 1
	fi
	exec {fd}<&-
	kill -"$sig" -- -"$pid"
	wait "$pid"
	rc=$? want=$((128 + $(kill -l "$sig")))
	# The held program and every other one of the group are gone
	# (zombies aside: they are the reaper's).
	left=$(ps -eo pgid=,pid=,stat=,args= | awk -v g="$pid" -v p="$held" '($1 == g || $2 == p) && $3 !~ /^Z/')
	[ -z "$left" ] || { echo "# still running: $left"; kill -KILL -- -"$pid" "$held"; return 1; }
	[ $rc -eq $want ] || { echo "# exit $rc, wanted $want: $(cat "$h/err")"; return 1; }
	if ! grep -qx "mkmodimg: interrupted by SIG$sig: temporary files removed" "$h/err" ||
		[ "$(grep -c . "$h/err")" -ne 1 ]; then
		echo "# said: $(cat "$h/err")"
		return 1
	fi
	left=$(find "$h/out" "$h/tmp" -mindepth 1 -maxdepth 1)
	# shellcheck disable=SC2086
	[ -z "$left" ] || { echo "# left:" $left; rm -rf $left; return 1; }
}
for step in "cp -R *" "cp --remove-destination *" "find */image *" "depmod *" "mke2fs *" \
	"debugfs -w *" "mkmodimg-seal ext4 *" "qemu-img convert *" "mkmodimg-seal vhdx *" \
	"qemu-img check *" "ln -- *"; do
	for sig in TERM INT; do
		ok_if "SIG$sig during '${step% \*}': exit $((128 + $(kill -l $sig))), says so, leaves nothing" \
			interrupt $sig "$step"
	done
done

if [ "$(id -u)" -eq 0 ]; then
	mnt=$d/small
	mkdir -p "$mnt"
	# The big tree (3 MB): 4 MiB hold the stage, not the ext4 image
	# too; 7 MiB hold both, not the VHDX too.
	if mount -t tmpfs -o size=256k tmpfs "$mnt"; then
		ok_if "no space: the check before building" refused 1 "no space in $mnt" "$mnt/o.vhdx" --from "$d/tree"
		umount "$mnt"
		# The big tree, on another file system, is copied into the
		# stage: 6 MiB hold its VHDX (5 MB), not the copy (3 MB) too.
		mount -t tmpfs -o size=6m tmpfs "$mnt"
		REFUSED_ENV=MKMODIMG_TMPDIR=$d/rawtmp
		ok_if "no space: the check counts the copy of a tree on another file system, before making it" \
			refused 1 "no space in $mnt: the image needs about 5 MB, plus 3 MB for a copy of the tree .*, 6 MB free" \
			"$mnt/o.vhdx" --from "$d/big"
		umount "$mnt"
		mount -t tmpfs -o size=10m tmpfs "$mnt"
		ok_if "room for the image and the copy: builds" \
			bash -c "MKMODIMG_TMPDIR='$d/rawtmp' '$mkmodimg' --from '$d/big' -o '$mnt/o.vhdx' && qemu-img check -q '$mnt/o.vhdx'"
		umount "$mnt"
		# The tree on the small file system (hard links), the ext4
		# image built there too: 9 MiB hold the VHDX, not both.
		mount -t tmpfs -o size=9m tmpfs "$mnt"
		cp -a "$d/big" "$mnt/big"
		mkdir "$mnt/raw"
		REFUSED_ENV=MKMODIMG_TMPDIR=$mnt/raw
		ok_if "no space: the check counts the ext4 image built on the same file system" \
			refused 1 "no space in $mnt: the image needs about 10 MB, 6 MB free" "$mnt/o.vhdx" --from "$mnt/big"
		REFUSED_ENV=MKMODIMG_SPACE_CHECK=0
		umount "$mnt"
		mount -t tmpfs -o size=4m tmpfs "$mnt"
		# depmod writes its output beside at the same time: either may
		# be the one to find the disk full.
		ok_if "no space: mke2fs hitting ENOSPC" refused 1 "no space left in $mnt (\(mke2fs\|depmod\))" \
			"$mnt/o.raw" --from "$d/big" --format raw
		umount "$mnt"
		mount -t tmpfs -o size=7m tmpfs "$mnt"
		ok_if "no space: qemu-img hitting ENOSPC" refused 1 "no space left in $mnt (qemu-img convert)" "$mnt/o.vhdx" --from "$d/big"
		REFUSED_ENV=
		umount "$mnt"
	else
		skip "no space: the check before building" "cannot mount a tmpfs"
		skip "no space: the check counts the copy of a tree on another file system, before making it" "cannot mount a tmpfs"
		skip "room for the image and the copy: builds" "cannot mount a tmpfs"
		skip "no space: the check counts the ext4 image built on the same file system" "cannot mount a tmpfs"
		skip "no space: mke2fs hitting ENOSPC" "cannot mount a tmpfs"
		skip "no space: qemu-img hitting ENOSPC" "cannot mount a tmpfs"
	fi
	mnt=
else
	skip "no space: the check before building" "needs root to mount a small tmpfs"
	skip "no space: the check counts the copy of a tree on another file system, before making it" "needs root to mount a small tmpfs"
	skip "room for the image and the copy: builds" "needs root to mount a small tmpfs"
	skip "no space: the check counts the ext4 image built on the same file system" "needs root to mount a small tmpfs"
	skip "no space: mke2fs hitting ENOSPC" "needs root to mount a small tmpfs"
	skip "no space: qemu-img hitting ENOSPC" "needs root to mount a small tmpfs"
fi

# Extended attributes of the staged files (mke2fs copies them): small
# ones are dropped, a tree needing a block of them is refused.
cp -a "$d/tree" "$d/xattr"
xa() { "$python" -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@" 2>/dev/null; }
if xa "$d/xattr/lib/modules/$kver/kernel/drivers/fake/fa.ko" user.note "from a file manager" &&
	xa "$d/xattr/lib/modules/$kver/modules.order" user.origin "https://example.org/"; then
	ok_if "small extended attributes in the tree: dropped, same bytes" \
		bash -c "'$mkmodimg' --from '$d/xattr' --format raw -o '$d/xattr.raw' &&
			cmp '$d/xattr.raw' \"\$('$mkmodimg' --from '$d/tree' --format raw -o '$d/plain.raw' && echo '$d/plain.raw')\""
	xa "$d/xattr/lib/modules/$kver/kernel/drivers/fake/fb.ko" user.big "$(printf 'x%.0s' {1..3000})"
	ok_if "large extended attributes: refused" \
		refused 1 "a block of extended attributes: remove large extended attributes" "$e/o" --from "$d/xattr"
else
	skip "small extended attributes in the tree: dropped, same bytes" "no user xattrs on $d's file system"
	skip "large extended attributes: refused" "no user xattrs on $d's file system"
fi
rm -f "$d/xattr.raw" "$d/plain.raw"

# mkmodimg-seal on bad files: a clear error, status 1, never a crash.
# corrupt NAME OFFSET BYTES: a copy of the VHDX with BYTES at OFFSET.
corrupt() {
	cp "$d/out/wsl.vhdx" "$d/$1"
	printf "$3" | dd of="$d/$1" bs=1 seek="$2" conv=notrunc status=none
}
seal_refuses() {	# seal_refuses PATTERN KIND FILE
	local rc
	"$seal" "$2" $([ "$2" = ext4 ] && echo 0) "$3" 2>"$d/err"
	rc=$?
	[ $rc -eq 1 ] || { echo "# exit $rc: $(cat "$d/err")"; return 1; }
	grep -q -- "$1" "$d/err" || { echo "# got: $(cat "$d/err")"; return 1; }
}
corrupt sig.vhdx 0 'VHDXFILE'
corrupt h1.vhdx $((64 * 1024 + 200)) '\001'
corrupt h2sig.vhdx $((128 * 1024)) 'HEAD'
corrupt reg.vhdx $((192 * 1024 + 40)) '\377'
corrupt regsig.vhdx $((256 * 1024)) 'REGI'
corrupt meta.vhdx $((3 * 1024 * 1024)) 'METADATA'
ok_if "seal: bad file identifier" seal_refuses 'bad VHDX: no "vhdxfile"' vhdx "$d/sig.vhdx"
ok_if "seal: bad header checksum" seal_refuses "bad VHDX: header 1" vhdx "$d/h1.vhdx"
ok_if "seal: bad header signature" seal_refuses "bad VHDX: header 2" vhdx "$d/h2sig.vhdx"
ok_if "seal: bad region table checksum" seal_refuses "bad VHDX: region table 1" vhdx "$d/reg.vhdx"
ok_if "seal: bad region table signature" seal_refuses "bad VHDX: region table 2" vhdx "$d/regsig.vhdx"
ok_if "seal: bad metadata table" seal_refuses "bad VHDX: no metadata table" vhdx "$d/meta.vhdx"
head -c 100000 "$d/out/wsl.vhdx" >"$d/t1.vhdx"
head -c 1500000 "$d/out/wsl.vhdx" >"$d/t2.vhdx"
head -c 3200000 "$d/out/wsl.vhdx" >"$d/t3.vhdx"
: >"$d/empty"
head -c 4000000 /dev/urandom >"$d/random"
ok_if "seal: truncated to 100 KB" seal_refuses "bad VHDX: shorter" vhdx "$d/t1.vhdx"
ok_if "seal: truncated to 1.5 MB" seal_refuses "bad VHDX: shorter" vhdx "$d/t2.vhdx"
ok_if "seal: truncated inside its regions" seal_refuses "bad VHDX: .*outside the file" vhdx "$d/t3.vhdx"
ok_if "seal: empty file" seal_refuses "bad VHDX" vhdx "$d/empty"
ok_if "seal: random bytes" seal_refuses "bad VHDX" vhdx "$d/random"
ok_if "seal: missing file" seal_refuses "No such file" vhdx "$d/none"
ok_if "seal ext4: random bytes" seal_refuses "not an ext4 image" ext4 "$d/random"
ok_if "seal ext4: empty file" seal_refuses "not an ext4 image" ext4 "$d/empty"
head -c 300000 "$w" >"$d/t.raw"
ok_if "seal ext4: truncated image" seal_refuses "not an ext4 image" ext4 "$d/t.raw"
cp "$w" "$d/csum.raw"
printf '\377' | dd of="$d/csum.raw" bs=1 seek=$((1024 + 0x200)) conv=notrunc status=none
ok_if "seal ext4: superblock checksum mismatch" seal_refuses "superblock checksum" ext4 "$d/csum.raw"
ok_if "seal: bad arguments exit 2" bash -c "'$seal' frobnicate 2>/dev/null; [ \$? -eq 2 ]"

tap_done
