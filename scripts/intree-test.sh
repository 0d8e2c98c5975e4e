#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Our drivers built inside a kernel tree, as people who build their own
# (WSL) kernels do it:
#
#   1. graft drivers/ and include/ into a copy of the pinned
#      linux-source, hooked into drivers/Kconfig and drivers/Makefile;
#   2. build them =m with the debug kernel's configuration, and load
#      those modules into the debug kernel in the VM;
#   3. build a kernel with them =y and boot it with hostlink.host_cid=
#      on the command line: the parameter must take effect.
#
# Both builds start from copies of the debug kernel's cached build
# directory, so only our objects and the link are new.
#
# Cases are TAP lines; ends with "N passed, N failed".

set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$HOSTLINK_TOP/scripts/tests/tap.sh"

dbg=$("$HOSTLINK_TOP/tools/vmtest/debug-kernel" --dir) || die "no debug kernel"
pristine=$HOSTLINK_CACHE/debug-kernel/src-$LINUX_SOURCE_VERSION
work=$HOSTLINK_CACHE/intree
src=$work/src

# graft SRC: our drivers and headers into the kernel tree SRC.
graft() {
	local s=$1 d f
	for d in hostlink dxg interop; do
		rm -rf "$s/drivers/$d"
		cp -a "$HOSTLINK_TOP/drivers/$d" "$s/drivers/$d"
	done
	for f in hostlink dxg dxg_wire interop interop_wire; do
		cp "$HOSTLINK_TOP/include/uapi/linux/$f.h" "$s/include/uapi/linux/$f.h"
	done
	cp "$HOSTLINK_TOP/include/linux/hostlink.h" "$s/include/linux/hostlink.h"
	# The hooks: new files, not edits in place (the tree is hard links).
	sed '/^endmenu/i source "drivers/hostlink/Kconfig"\nsource "drivers/dxg/Kconfig"\nsource "drivers/interop/Kconfig"\n' \
		"$pristine/drivers/Kconfig" >"$s/drivers/Kconfig.new"
	mv "$s/drivers/Kconfig.new" "$s/drivers/Kconfig"
	{
		cat "$pristine/drivers/Makefile"
		printf 'obj-$(CONFIG_HOSTLINK)\t\t+= hostlink/\nobj-$(CONFIG_DXG)\t\t+= dxg/\nobj-$(CONFIG_INTEROP)\t\t+= interop/\n'
	} >"$s/drivers/Makefile.new"
	mv "$s/drivers/Makefile.new" "$s/drivers/Makefile"
}

# kmk OUT ARGS...: make in the grafted tree with output in OUT, both
# seen at the paths the debug kernel was built at (private bind mounts),
# so kbuild and objtool find every command line unchanged and rebuild
# only what the graft touched.
kmk() {
	local o=$1
	shift
	unshare -m bash -c 'mount --bind "$1" "$2" && mount --bind "$3" "$4" || exit 1
		p=$2 o=$4; shift 4; exec make -s -C "$p" O="$o" ARCH=x86_64 "$@"' \
		kmk "$src" "$pristine" "$o" "$dbg" "$@"
}

# build OUT VALUE TARGETS...: configure a copy of the debug build with
# our three options set to VALUE (m or y), then make TARGETS.  The
# release stays the debug kernel's: a new one would rebuild much of it.
build() {
	local out=$1 val=$2 opt
	shift 2
	rm -rf "$out"
	cp -a "$dbg" "$out"
	rm -f "$out/.hostlink-key"
	for opt in HOSTLINK DXG INTEROP; do
		"$src/scripts/config" --file "$out/.config" --set-val "$opt" "$val"
	done
	kmk "$out" olddefconfig &&
		for opt in HOSTLINK DXG INTEROP; do
			grep -qx "CONFIG_$opt=$val" "$out/.config" ||
				{ echo "# CONFIG_$opt=$val did not survive"; return 1; }
		done &&
		kmk "$out" -j"$(nproc)" "$@"
}

t0=$(now)
rm -rf "$src"
mkdir -p "$work"
cp -al "$pristine" "$src"
ok_if "graft drivers/ and include/ into $LINUX_SOURCE" graft "$src"
ok_if "Kconfig offers the three drivers" \
	bash -c "grep -q 'config HOSTLINK' '$src/drivers/hostlink/Kconfig' && grep -q 'drivers/interop/Kconfig' '$src/drivers/Kconfig'"

# =m, same release as the debug kernel: the modules must load into it.
rel=$(cat "$dbg/include/config/kernel.release")
t1=$(now)
ok_if "build as =m in the tree" build "$work/build-m" m modules
echo "# =m build: $(since "$t1") s"
for m in hostlink dxg interop; do
	ok_if "$m.ko built in-tree, vermagic $rel" \
		bash -c "modinfo -F vermagic '$work/build-m/drivers/$m/$m.ko' | grep -q '^$rel '"
done
ok_if "the debug kernel loads the in-tree =m modules" \
	"$HOSTLINK_TOP/tools/vmtest/vmtest" --kver debug --modules "$work/build-m/drivers" \
	--run "modprobe dxg && modprobe interop && test -c /dev/dxg && rmmod interop dxg hostlink"

# =y: a kernel of its own, booted with a hostlink parameter.
t1=$(now)
ok_if "build and link a kernel with them =y" build "$work/build-y" y bzImage modules
echo "# =y build and link: $(since "$t1") s"
yrel=$(cat "$work/build-y/include/config/kernel.release")
# Its own cache entry, named apart from the debug kernel it shares a
# release with.
k=$HOSTLINK_CACHE/kernels/intree-y
rm -rf "$k"
mkdir -p "$k/root/boot"
cp "$work/build-y/arch/x86/boot/bzImage" "$k/root/boot/vmlinuz-$yrel"
touch "$k/.no-pvh"	# as the debug kernel it is built from
kmk "$work/build-y" INSTALL_MOD_PATH="$k/root" modules_install >/dev/null
depmod -b "$k/root" "$yrel"
echo "$yrel" >"$k/.release"
touch "$k/.debug" "$k/.complete"
ok_if "modules.builtin lists the three drivers" \
	bash -c "grep -c -E '/(hostlink|dxg|interop)\.ko$' '$k/root/lib/modules/$yrel/modules.builtin' | grep -qx 3"
ok_if "booted with hostlink.host_cid=3, the parameter took effect" \
	env VMTEST_CMDLINE="hostlink.host_cid=3" "$HOSTLINK_TOP/tools/vmtest/vmtest" --kver intree-y \
	--run "grep -qx 3 /sys/module/hostlink/parameters/host_cid && grep -qx 3 /sys/kernel/hostlink/host_cid && test -c /dev/dxg && test -c /dev/interop && ! rmmod hostlink 2>/dev/null"
echo "# in-tree total: $(since "$t0") s"
tap_done
echo "intree: $((tap_n - tap_failed)) passed, $tap_failed failed"
[ $tap_failed -eq 0 ]
