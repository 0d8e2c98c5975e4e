#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# modload against a fake kernel, no root, no VM (TAP on stdout).  A fake
# root holds a module tree of ELF objects made with `gcc -c` (a .modinfo
# section, exported symbols in __ksymtab_strings) and indexed by the
# real depmod; libmlfake.so (LD_PRELOAD) redirects the kernel's and
# libkmod's paths into it, reports a fake `uname -r`, and simulates
# finit_module: see tests/ml_fake.c.
#
#   modload_test.sh [BUILD_DIR]   (default ${O:-build}/tools/modload)

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:-${O:-$top/build}/tools/modload}
modload=$out/modload
fake=$out/tests/libmlfake.so
kver=9.9.9-mlfake
export PATH=$PATH:/sbin:/usr/sbin

n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)) bad=$((bad + 1)); echo "not ok $n - $*"; }
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

echo "TAP version 13"
for f in "$modload" "$fake"; do
	[ -e "$f" ] || { echo "Bail out! $f is not built"; exit 1; }
done
for t in gcc depmod mke2fs; do
	command -v $t >/dev/null || { echo "1..0 # SKIP no $t"; exit 0; }
done

work=$(mktemp -d /tmp/modload_test.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mods=$root/lib/modules/$kver

# mkko NAME DEPENDS EXPORTS USES [ALIAS]: kernel/fake/NAME.ko
mkko() {
	local name=$1 deps=$2 exports=$3 uses=$4 alias=${5:-} s
	local mi="name=${name//-/_}\\0vermagic=$kver SMP mod_unload \\0license=GPL\\0depends=$deps"
	[ -n "$alias" ] && mi="$mi\\0alias=$alias"
	{
		echo "__attribute__((section(\".modinfo\"), used, aligned(1)))"
		echo "static const char ml_modinfo[] = \"$mi\";"
		if [ -n "$exports" ]; then
			echo "__attribute__((section(\"__ksymtab_strings\"), used, aligned(1)))"
			echo "static const char ml_ksym[] = \"$(echo "$exports" | sed 's/ /\\0/g')\";"
			for s in $exports; do echo "void $s(void) {}"; done
		fi
		for s in $uses; do echo "extern void $s(void);"; done
		echo "void ml_init_${name//-/_}(void) {"
		for s in $uses; do echo "	$s();"; done
		echo "}"
	} >"$work/$name.c"
	mkdir -p "$mods/kernel/fake"
	gcc -c -o "$mods/kernel/fake/$name.ko" "$work/$name.c"
}

# The tree: a chain (mod_c -> mod_b -> mod_a), a dashed name, an alias,
# a blacklisted one, a built-in, and modules the fake kernel refuses.
setup() {
	rm -rf "$root"
	mkdir -p "$root"/{sys/module,sys/class/block,proc/self,proc/sys/kernel,dev,run,fake/fail,etc/modprobe.d}
	: >"$root/proc/modules"
	: >"$root/dev/kmsg"
	: >"$root/proc/self/mountinfo"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro" >"$root/proc/cmdline"
	echo 0 >"$root/proc/sys/kernel/modules_disabled"
	mkko mod_a "" "a_fn" ""
	mkko mod_b "mod_a" "b_fn" "a_fn"
	mkko mod_c "mod_b" "" "b_fn"
	mkko mod-dash "mod_a" "" "a_fn"
	mkko mod_al "" "" "" "fakebus:v1234d*"
	mkko mod_bl "" "" ""
	mkko mod_sym "" "" ""
	mkko mod_sig "" "" ""
	mkko mod_ver "" "" ""
	mkko mod_noise "" "" ""
	mkko mod_cmd "" "" ""
	mkko mod_itrue "" "" ""
	mkko mod_ifalse "" "ifalse_fn" ""
	mkko mod_iexit "" "" ""
	mkko mod_ienv "" "" ""
	mkko mod_iuser "mod_ifalse" "" "ifalse_fn"
	echo "kernel/fake/mod_bi.ko" >"$mods/modules.builtin"
	cat >"$root/etc/modprobe.d/test.conf" <<-EOT
	blacklist mod_bl
	install mod_itrue /bin/true
	install mod_ifalse /bin/false
	install mod_iexit echo from the command; exit 3
	install mod_ienv echo "\$MODPROBE_MODULE" >$root/fake/ienv
	EOT
	depmod -b "$root" "$kver" 2>/dev/null
	printf '2\nmod_sym: Unknown symbol usb_stor_probe (err -2)\n' >"$root/fake/fail/mod_sym"
	printf '129\nmod_sig: module verification failed: signature and/or required key missing - tainting kernel\nLoading of module with unavailable key is rejected\n' >"$root/fake/fail/mod_sig"
	printf "8\nmod_ver: version magic '5.10.0 SMP mod_unload ' should be '$kver SMP mod_unload '\n" >"$root/fake/fail/mod_ver"
	printf '22\nsomething unrelated happened\nand again\n' >"$root/fake/fail/mod_noise"
}

# A sanitizer build wants its runtime first in the preload list.
preload=$fake
asan=$(ldd "$modload" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && preload=$asan:$fake

# ml ARGS...: modload under the fake kernel; output in $work/out, $rc.
ml() {
	MLFAKE_ROOT=$root MLFAKE_KVER=$kver MLFAKE_EUID=${EUID_AS:-0} \
		LD_PRELOAD=$preload "$modload" "$@" >"$work/out" 2>&1
	rc=$?
	sed 's/^/# /' "$work/out"
}
has() { grep -q -- "$1" "$work/out"; }
live() { grep -qx live "$root/sys/module/$1/initstate" 2>/dev/null; }

setup
check "fake tree indexed by depmod (mod_b needs mod_a)" \
	grep -q '^kernel/fake/mod_b.ko: kernel/fake/mod_a.ko' "$mods/modules.dep"

ml ensure mod_c
check "ensure mod_c: exit 0" [ $rc -eq 0 ]
check "mod_c and its dependencies are live" bash -c "$(declare -f live); root=$root; live mod_a && live mod_b && live mod_c"
check "loaded in dependency order (a, b, c)" \
	[ "$(tr '\n' ' ' <"$root/fake/load.log")" = "mod_a mod_b mod_c " ]
check "/proc/modules lists them" [ "$(wc -l <"$root/proc/modules")" -eq 3 ]
check "ensure reports 'loaded'" has "mod_c: loaded"

ml ensure mod_c mod_a
check "already live: exit 0" [ $rc -eq 0 ]
check "already live: said so, nothing loaded again" \
	bash -c "grep -q 'mod_c: already live' '$work/out' && [ \$(wc -l <'$root/fake/load.log') -eq 3 ]"

ml ensure mod_dash
check "a dashed module by its underscore name loads after its dependency" \
	bash -c "[ $rc -eq 0 ] && grep -qx live '$root/sys/module/mod_dash/initstate'"

ml ensure mod_bi
check "built-in (modules.builtin): exit 0, 'built-in'" bash -c "[ $rc -eq 0 ] && grep -q 'mod_bi: built-in' '$work/out'"

ml ensure fakebus:v1234d5678
check "alias lookup loads mod_al" bash -c "[ $rc -eq 0 ] && grep -qx live '$root/sys/module/mod_al/initstate'"
longalias=fakebus:v1234d5678p9abcdc00dsc00dp00ic08isc06ip50in00
ml ensure "$longalias"
check "a long alias (as USB ones are) loads too" [ $rc -eq 0 ]

ml ensure mod_bl
check "blacklisted in modprobe.d: exit 1, 'blacklisted', not loaded" \
	bash -c "[ $rc -eq 1 ] && grep -q blacklisted '$work/out' && [ ! -e '$root/sys/module/mod_bl' ]"
# install commands (modprobe.d): modprobe runs them instead of loading,
# and its exit status is theirs.
ml ensure mod_itrue
check "install /bin/true: exit 0, as modprobe" [ $rc -eq 0 ]
check "install /bin/true: says the install command ran" \
	has "mod_itrue: install command \`/bin/true\` ran, as modprobe.d says"
check "install /bin/true: not called 'not live', nothing loaded" \
	bash -c "! grep -q 'not live' '$work/out' && [ ! -e '$root/sys/module/mod_itrue' ]"
ml ensure mod_ifalse
check "install /bin/false: exit 1" [ $rc -eq 1 ]
check "install /bin/false: says the command and its status, at default verbosity" \
	has "mod_ifalse: the install command \`/bin/false\` (modprobe.d) exited with status 1"
check "install /bin/false: the kernel is not blamed" \
	bash -c "! grep -qi 'kernel' '$work/out'"
ml ensure mod_iexit
check "install command exiting 3: status 3, its own output shown" \
	bash -c "[ $rc -eq 1 ] && grep -q 'exited with status 3' '$work/out' && grep -q 'from the command' '$work/out'"
ml ensure mod_ienv
check "install command: MODPROBE_MODULE set, as modprobe does" \
	bash -c "[ $rc -eq 0 ] && grep -qx mod_ienv '$root/fake/ienv'"
ml ensure mod_iuser
check "a dependency's install command failing: named, exit 1, module not loaded" \
	bash -c "[ $rc -eq 1 ] && grep -q 'mod_iuser: the install command \`/bin/false\` of mod_ifalse (modprobe.d) exited with status 1' '$work/out' && [ ! -e '$root/sys/module/mod_iuser' ]"

# modprobe loads a blacklisted module named directly; modload does not,
# as systemd-modules-load: the README and the man page must say so.
readme_ml=$(sed -n '/^- `modload ensure NAME/,/^- /p' "$top/README.md" | tr '\n' ' ')
check "README: the blacklist is not claimed to be modprobe's" \
	bash -c "! grep -qi 'exactly like .modprobe.' <<<\"\$1\"" _ "$readme_ml"
check "README: the blacklist is systemd-modules-load's (named directly: refused)" \
	bash -c "grep -q 'as .systemd-modules-load. does' <<<\"\$1\" && grep -q 'named directly' <<<\"\$1\"" _ "$readme_ml"
check "modload.8: a blacklisted name given directly is refused, unlike modprobe" \
	bash -c "tr '\n' ' ' <'$top/tools/modload/modload.8' | grep -q 'even when it is named directly'"

ml --no-image ensure nosuch
check "not found: exit 3" [ $rc -eq 3 ]
check "not found: names the tree and the image" \
	has "no module nosuch in /lib/modules/$kver nor in an attached modules image"
ml ensure nosuch
check "not found with no image attached (scan finds none): exit 3" [ $rc -eq 3 ]

ml ensure mod_sym
check "unknown symbol: exit 1" [ $rc -eq 1 ]
check "unknown symbol: plain reason" has "unknown symbol"
check "unknown symbol: the kernel log line" has "Unknown symbol usb_stor_probe"
ml ensure mod_sig
check "bad signature: plain reason and log" \
	bash -c "[ $rc -eq 1 ] && grep -q 'bad signature' '$work/out' && grep -q 'module verification failed' '$work/out'"
ml ensure mod_ver
check "wrong vermagic: plain reason and log" \
	bash -c "[ $rc -eq 1 ] && grep -q 'wrong kernel version' '$work/out' && grep -q 'version magic' '$work/out'"
ml ensure mod_noise
check "no line names the module: all new lines shown" \
	bash -c "[ $rc -eq 1 ] && grep -q 'all new lines' '$work/out' && grep -q 'something unrelated' '$work/out' && grep -q 'and again' '$work/out'"
check "log lines from before the load are not shown" \
	bash -c "! grep -q 'fake: mod_a loaded' '$work/out'"

echo "BOOT_IMAGE=/vmlinuz module_blacklist=foo,mod-cmd ro" >"$root/proc/cmdline"
ml ensure mod_cmd
check "module_blacklist= on the command line: 'deny-listed by the kernel command line'" \
	bash -c "[ $rc -eq 1 ] && grep -q 'deny-listed by the kernel command line' '$work/out'"
echo 1 >"$root/proc/sys/kernel/modules_disabled"
ml ensure mod_cmd
check "modules_disabled = 1: says so" \
	bash -c "[ $rc -eq 1 ] && grep -q 'modules_disabled = 1' '$work/out'"
echo 0 >"$root/proc/sys/kernel/modules_disabled"

ml status
check "status: exit 0" [ $rc -eq 0 ]
check "status: mod_dash requested, loaded, live now" grep -qE '^mod_dash +[0-9T:-]+Z +loaded +live$' "$work/out"
check "status: mod_c asked again when live: 'live'" grep -qE '^mod_c +[0-9T:-]+Z +live +live$' "$work/out"
check "status: mod_bi built-in" grep -qE '^mod_bi .* built-in +built-in$' "$work/out"
check "status: mod_bl blacklisted, not loaded" grep -qE '^mod_bl .* blacklisted +not loaded' "$work/out"
check "status: mod_sym failed with its reason" grep -qE '^mod_sym .* failed +failed: unknown symbol' "$work/out"
check "status: mod_itrue's install command ran" \
	grep -qE '^mod_itrue .* install +not loaded: install command `/bin/true` ran' "$work/out"
check "status: nosuch not found" grep -qE '^nosuch .* not-found ' "$work/out"
check "status: the last request of mod_cmd counts (modules_disabled)" \
	bash -c "[ \$(grep -c '^mod_cmd ' '$work/out') -eq 1 ] && grep '^mod_cmd ' '$work/out' | grep -q modules_disabled"
check "status: no image mounted" has "image: none mounted"
# Where each of the first four fields starts, per line: one answer.
cols() {
	grep -vE '^(image|overlay):' "$work/out" | awk '{
		s = $0; off = 0; pos = ""
		for (k = 1; k <= 4; k++) {
			if (!match(s, /[^ ]+/)) break
			pos = pos " " (off + RSTART)
			off += RSTART + RLENGTH - 1
			s = substr(s, RSTART + RLENGTH)
		}
		print pos
	}' | sort -u | wc -l
}
check "status: a long name keeps the columns aligned" \
	bash -c "grep -q '^$longalias ' '$work/out' && [ \$1 -eq 1 ]" _ "$(cols)"
rm -rf "$root/sys/module/mod_dash"
ml status
check "status: a module unloaded since shows 'not loaded'" grep -qE '^mod_dash .* loaded +not loaded$' "$work/out"

# Usage errors: exit 2, nothing recorded.
lines=$(wc -l <"$root/run/modload/state")
for args in "" "frobnicate" "ensure" "ensure ''" "ensure a/b" "ensure ../x" \
	"ensure -- -x" "--image X --no-image ensure a" "--bogus ensure a" "status extra" \
	"boot extra" "--image= ensure a"; do
	eval "ml $args"
	check "usage error: modload $args -> exit 2" [ $rc -eq 2 ]
done
ml ensure ""
check "empty name: says so" has "empty module name"
ml ensure a/b
check "name with '/': says so" has "no '/'"
ml frobnicate
check "unknown command: says so" has "unknown command 'frobnicate'"
check "usage errors record nothing" [ "$(wc -l <"$root/run/modload/state")" -eq "$lines" ]
ml --help
check "--help: exit 0 and the exit codes" bash -c "[ $rc -eq 0 ] && grep -q 'Exit status' '$work/out'"
ml --version
ver=$(sed -n 's/^#define HOSTLINK_VERSION "\(.*\)"/\1/p' "$top/include/linux/hostlink.h")
check "--version: HOSTLINK_VERSION ($ver)" grep -qx "modload (hostlink) $ver" "$work/out"
EUID_AS=1000 ml ensure mod_a
check "not root: exit 5" bash -c "[ $rc -eq 5 ] && grep -q root '$work/out'"

# Boot configuration: /etc overrides /usr/lib by file name, # comments.
mkdir -p "$root/etc/modload.d" "$root/usr/lib/modload.d"
rm -rf "$root/sys/module"/* && : >"$root/fake/load.log"
printf '# boot modules\nmod_c   # the chain\n\n  mod_al\n' >"$root/usr/lib/modload.d/10-a.conf"
printf 'mod_bl\n' >"$root/usr/lib/modload.d/20-b.conf"
printf 'mod_dash\n' >"$root/etc/modload.d/20-b.conf"
printf 'not a file\n' >"$root/etc/modload.d/README"
ml boot
check "boot: exit 0" [ $rc -eq 0 ]
check "boot: the listed modules are live, the overridden file is ignored" \
	bash -c "[ -e '$root/sys/module/mod_c' ] && [ -e '$root/sys/module/mod_al' ] && [ -e '$root/sys/module/mod_dash' ] && [ ! -e '$root/sys/module/mod_bl' ]"
printf 'mod_a\nbad/name\n' >"$root/etc/modload.d/30-c.conf"
ml boot
check "boot: a bad line names file and line, exit 1" \
	bash -c "[ $rc -eq 1 ] && grep -q '30-c.conf:2' '$work/out'"
rm -rf "$root/etc/modload.d" "$root/usr/lib/modload.d"
ml boot
check "boot: nothing configured is exit 0" [ $rc -eq 0 ]

# The modules image, as far as it goes without root: found by UUID among
# fake block devices, checked before any mount; the mounts themselves
# are trapped (MLFAKE_MOUNT_OK successes, then EPERM) to check that a
# failure unmounts what was mounted.
uuid=$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('a9332c83-b204-4f1d-aeb0-cf90210f7ac8'), '$kver'))")
# mkimg FILE RELEASE UUID [MODIMG_TEXT]
mkimg() {
	local d=$work/img.d
	rm -rf "$d" && mkdir -p "$d/kernel"
	if [ $# -ge 4 ]; then printf '%b' "$4" >"$d/.modimg"; else
		printf 'format=1\nkernel_release=%s\nlayout=wsl\n' "$2" >"$d/.modimg"; fi
	rm -f "$1"
	mke2fs -q -F -t ext4 -L hl-modules -U "$3" -E root_owner=0:0 -d "$d" "$1" 4M >/dev/null 2>&1
}
# attach NAME FILE: a fake block device
attach() {
	mkdir -p "$root/sys/class/block/$1"
	echo $(($(stat -c %s "$2") / 512)) >"$root/sys/class/block/$1/size"
	cp "$2" "$root/dev/$1"
}
: >"$root/fake/mount.log"
mkimg "$work/other.ext4" 9.9.8-other "$(python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('a9332c83-b204-4f1d-aeb0-cf90210f7ac8'), '9.9.8-other'))")"
attach vdb "$work/other.ext4"
mkdir -p "$root/sys/class/block/loop0" && echo 0 >"$root/sys/class/block/loop0/size"
ml ensure nosuch
check "an image for another release attached: exit 4, names it" \
	bash -c "[ $rc -eq 4 ] && grep -q 'not the one for kernel $kver' '$work/out' && grep -q /dev/vdb '$work/out'"
check "nothing mounted for it" [ ! -s "$root/fake/mount.log" ]
check "and nosuch is still reported as not found" has "no module nosuch"

mkimg "$work/good.ext4" "$kver" "$uuid"
attach vdc "$work/good.ext4"
ml ensure nosuch
check "the image (by UUID) cannot be mounted: exit 4" \
	bash -c "[ $rc -eq 4 ] && grep -q 'cannot mount /dev/vdc' '$work/out'"
check "mounted read-only, nodev, nosuid, noexec (flags 0xf)" \
	grep -q "^mount /dev/vdc /run/modload/image ext4 0xf " "$root/fake/mount.log"

: >"$root/fake/mount.log"
mkdir -p "$root/run/modload/image"
printf 'format=1\nkernel_release=%s\n' "$kver" >"$root/run/modload/image/.modimg"
MLFAKE_MOUNT_OK=1 ml ensure nosuch
check "tmpfs mount fails after the image mount: exit 4" [ $rc -eq 4 ]
check "... and the image is unmounted again" \
	grep -q "^umount /run/modload/image" "$root/fake/mount.log"
: >"$root/fake/mount.log"
MLFAKE_MOUNT_OK=2 ml ensure nosuch
check "overlay mount fails: tmpfs and image unmounted, in reverse order" \
	bash -c "[ $rc -eq 4 ] && grep '^umount' '$root/fake/mount.log' | tr '\n' ' ' | grep -q 'umount /run/modload/rw 0x0 umount /run/modload/image 0x0'"
check "the overlay had the base tree on top of the image" \
	grep -q "lowerdir=/lib/modules/$kver:/run/modload/image,upperdir=/run/modload/rw/upper,workdir=/run/modload/rw/work" "$root/fake/mount.log"

: >"$root/fake/mount.log"
printf 'format=1\nkernel_release=9.9.8-other\n' >"$root/run/modload/image/.modimg"
MLFAKE_MOUNT_OK=1 ml ensure nosuch
check "release re-checked once mounted: mismatch unmounts, exit 4" \
	bash -c "[ $rc -eq 4 ] && grep -q 'running kernel is $kver' '$work/out' && grep -q '^umount /run/modload/image' '$root/fake/mount.log'"
rm -rf "$root/sys/class/block/vdc" "$root/sys/class/block/vdb"

# --image with files: each refused before any loop device or mount.
: >"$root/fake/mount.log"
ml --image "$work/other.ext4" ensure mod_a
check "--image FILE for another release: exit 4, names both releases" \
	bash -c "[ $rc -eq 4 ] && grep -q '9.9.8-other' '$work/out' && grep -q '$kver' '$work/out'"
mkimg "$work/noimg.ext4" "$kver" "$uuid" ""
rm -f "$work/img.d/.modimg"
mke2fs -q -F -t ext4 -L hl-modules -d "$work/img.d" "$work/noimg.ext4" 4M >/dev/null 2>&1
ml --image "$work/noimg.ext4" ensure mod_a
check "--image without .modimg: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'no .modimg' '$work/out'"
mkimg "$work/f2.ext4" "$kver" "$uuid" "format=2\nkernel_release=$kver\n"
ml --image "$work/f2.ext4" ensure mod_a
check "--image with format=2: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'format 2' '$work/out'"
mkimg "$work/bin.ext4" "$kver" "$uuid" "format=1\x00\x01\x02\n"
ml --image "$work/bin.ext4" ensure mod_a
check "--image with a binary .modimg: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'not text' '$work/out'"
mkimg "$work/nonl.ext4" "$kver" "$uuid" "format=1\nkernel_release=$kver"
ml --image "$work/nonl.ext4" ensure mod_a
check "--image with no final newline: exit 4" bash -c "[ $rc -eq 4 ] && grep -q newline '$work/out'"
head -c 1300 "$work/good.ext4" >"$work/trunc.ext4"
ml --image "$work/trunc.ext4" ensure mod_a
check "--image truncated in the superblock: exit 4" bash -c "[ $rc -eq 4 ] && grep -q truncated '$work/out'"
head -c 65536 /dev/zero >"$work/zero.img"
ml --image "$work/zero.img" ensure mod_a
check "--image not ext4: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'not an ext4' '$work/out'"
ml --image "$work/missing.img" ensure mod_a
check "--image missing file: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'No such file' '$work/out'"
ml --image LABEL=no-such-label ensure mod_a
check "--image LABEL= nothing matches: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'labelled no-such-label' '$work/out'"
ml --image UUID=nonsense ensure mod_a
check "--image UUID=nonsense: exit 4" bash -c "[ $rc -eq 4 ] && grep -q 'not a UUID' '$work/out'"
check "no --image case reached a mount" [ ! -s "$root/fake/mount.log" ]
check "mod_a was still loaded from the base tree" live mod_a

# Every mount succeeds: the image's indexes are used when the base tree
# is a subset of the image (same paths, same sizes), depmod otherwise.
rm -rf "$root/run/modload"
mkdir -p "$root/run/modload/image"
cp -r "$mods/." "$root/run/modload/image/"
mkko mod_img "" "" ""
mv "$mods/kernel/fake/mod_img.ko" "$root/run/modload/image/kernel/fake/"
printf 'format=1\nkernel_release=%s\nlayout=wsl\n' "$kver" >"$root/run/modload/image/.modimg"
# the image's indexes, as depmod writes them for a tree with mod_img
rm -rf "$work/imgtree" && mkdir -p "$work/imgtree/lib/modules"
cp -r "$root/run/modload/image" "$work/imgtree/lib/modules/$kver"
depmod -b "$work/imgtree" "$kver" 2>/dev/null
cp "$work/imgtree/lib/modules/$kver"/modules.* "$root/run/modload/image/"
attach vdc "$work/good.ext4"
: >"$root/fake/mount.log"
MLFAKE_MOUNT_OK=3 ml -v ensure nosuch
check "base tree a subset of the image: its indexes go to the upper layer" \
	bash -c "grep -q \"using the image's indexes\" '$work/out' && cmp -s '$root/run/modload/image/modules.dep.bin' '$root/run/modload/rw/upper/modules.dep.bin'"
check "... and depmod does not run" bash -c "! grep -q 'modload: depmod' '$work/out'"
check "... the overlay was mounted" grep -q "^mount overlay /lib/modules/$kver overlay" "$root/fake/mount.log"
rm -rf "$root/run/modload/rw" "$root/sys/module/mod_a"
: >"$root/fake/mount.log"
MLFAKE_MOUNT_OK=3 ml -v ensure nosuch mod_a
check "the image line comes before the insmod lines it explains" \
	bash -c "i=\$(grep -n '^image: .* overlaid on' '$work/out' | cut -d: -f1); m=\$(grep -n 'insmod .*mod_a.ko' '$work/out' | cut -d: -f1); [ -n \"\$i\" ] && [ -n \"\$m\" ] && [ \$i -lt \$m ]"
rm -rf "$root/run/modload/rw"
# mod_a left out of the base: its dependants' lines lose it there, but
# the files are the image's (same size): still the image's indexes
mv "$mods/kernel/fake/mod_a.ko" "$work/mod_a.ko.kept"
depmod -b "$root" "$kver" 2>/dev/null
: >"$root/fake/mount.log"
MLFAKE_MOUNT_OK=3 ml -v ensure nosuch
check "a module left out of the base tree: still the image's indexes" \
	bash -c "grep -q \"using the image's indexes\" '$work/out' && ! grep -q 'modload: depmod' '$work/out'"
mv "$work/mod_a.ko.kept" "$mods/kernel/fake/mod_a.ko"
rm -rf "$root/run/modload/rw"
# a base module built again, with other dependencies: depmod after all
mkko mod-dash "" "" ""
depmod -b "$root" "$kver" 2>/dev/null
: >"$root/fake/mount.log"
MLFAKE_MOUNT_OK=3 ml -v ensure nosuch
check "a base module unlike the image's (dependencies, size): depmod runs" \
	bash -c "grep -q 'base module not in the image: kernel/fake/mod-dash.ko' '$work/out' && grep -q 'modload: depmod $kver' '$work/out'"
rm -rf "$root/run/modload"
setup
mkdir -p "$root/run/modload/image"

# An overlay already there (mountinfo): reused, no scan, no mount.
mkdir -p "$root/run/modload/rw/upper"
: >"$root/run/modload/rw/upper/modules.dep.bin"
printf 'format=1\nkernel_release=%s\nlayout=wsl\n' "$kver" >"$root/run/modload/image/.modimg"
cat >"$root/proc/self/mountinfo" <<EOT
30 1 254:0 / / rw,relatime - ext4 /dev/vda rw
80 30 254:32 / /run/modload/image ro,nosuid,nodev,noexec - ext4 /dev/vdc ro
81 30 0:40 / /run/modload/rw rw,nosuid,nodev,noexec - tmpfs tmpfs rw,mode=755
82 30 0:41 / /lib/modules/$kver rw,nosuid,nodev - overlay overlay rw,lowerdir=/lib/modules/$kver:/run/modload/image,upperdir=/run/modload/rw/upper,workdir=/run/modload/rw/work
EOT
attach vdc "$work/good.ext4"
ml ensure nosuch
check "overlay present: reused (no mount), module still not found: exit 3" \
	bash -c "[ $rc -eq 3 ] && [ ! -s '$root/fake/mount.log' ]"
# --image with the overlay there: it must name the image mounted.
ml --image /dev/nonexist ensure mod_a
check "overlay present, --image names nothing: exit 4, says so" \
	bash -c "[ $rc -eq 4 ] && grep -q -- '--image /dev/nonexist: No such file or directory' '$work/out' && grep -q 'overlay on /lib/modules/$kver is from /dev/vdc' '$work/out'"
ml --image "$work/other.ext4" ensure mod_a
check "overlay present, --image another image file: exit 4, names both" \
	bash -c "[ $rc -eq 4 ] && grep -q -- '--image $work/other.ext4 is not the image overlaid on /lib/modules/$kver (/dev/vdc)' '$work/out'"
ml --image UUID=00000000-0000-0000-0000-000000000001 ensure mod_a
check "overlay present, --image UUID= of no device: exit 4" \
	bash -c "[ $rc -eq 4 ] && grep -q 'no block device with UUID 00000000-0000-0000-0000-000000000001' '$work/out'"
ml --image LABEL=no-such-label ensure mod_a
check "overlay present, --image LABEL= of no device: exit 4" [ $rc -eq 4 ]
ml --image /dev/vdc ensure mod_a
check "overlay present, --image the mounted device: exit 0, quietly" \
	bash -c "[ $rc -eq 0 ] && ! grep -q 'modload:' '$work/out'"
ml --image "UUID=$uuid" ensure mod_a
check "overlay present, --image UUID= of the mounted image: exit 0" [ $rc -eq 0 ]
ml --image LABEL=hl-modules ensure mod_a
check "overlay present, --image LABEL= of the mounted image: exit 0" [ $rc -eq 0 ]
mkdir -p "$root/sys/class/block/loop7/loop"
echo "$work/good.ext4" >"$root/sys/class/block/loop7/loop/backing_file"
sed -i 's|/dev/vdc ro$|/dev/loop7 ro|' "$root/proc/self/mountinfo"
ml --image "$work/good.ext4" ensure mod_a
check "overlay present from a file on a loop device, --image that file: exit 0" [ $rc -eq 0 ]
ml --image /dev/vdc ensure mod_a
check "... --image another device: exit 4" \
	bash -c "[ $rc -eq 4 ] && grep -q 'not the image overlaid on /lib/modules/$kver (/dev/loop7, file $work/good.ext4)' '$work/out'"
sed -i 's|/dev/loop7 ro$|/dev/vdc ro|' "$root/proc/self/mountinfo"
rm -rf "$root/sys/class/block/loop7"
check "--image checks mounted nothing" [ ! -s "$root/fake/mount.log" ]

ml status
check "status: the image source, release and mount" \
	bash -c "grep -q '^image: /dev/vdc, kernel $kver, layout wsl, mounted on /run/modload/image' '$work/out' && grep -q '^overlay: /lib/modules/$kver' '$work/out'"

echo "1..$n"
[ $bad -eq 0 ]
