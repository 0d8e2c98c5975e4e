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

# Machine choice: printed with --dry-run, no boot.
plan() { timeout 20 "$vmtest" --kver 6.1 --run true --dry-run "$@" 2>&1; }
truncate -s 1M "$d/usb.img"
qemu-img create -q -f vhdx "$d/mods.vhdx" 8M
has() {	# has PATTERN ARGS...: the plan contains PATTERN (a whole line)
	local pat=$1 out
	shift
	out=$(plan "$@") || { echo "# refused: $out"; return 1; }
	grep -qx -- "$pat" <<<"$out" || { echo "# got: $out"; return 1; }
}
ok_if "q35 is the default" has "q35"
ok_if "q35 uses virtio-pci" has "virtio-9p-pci"
ok_if "microvm uses virtio-mmio" has "virtio-9p-device" --machine microvm
ok_if "microvm alone stays without PCI" has "microvm" --machine microvm
ok_if "microvm + qemu-xhci gets pcie=on" has "microvm,pcie=on" --machine microvm --usb-storage "$d/usb.img"
ok_if "microvm options are kept when pcie=on is added" has "microvm,rtc=on,pcie=on" --machine microvm,rtc=on --usb-storage "$d/usb.img"
ok_if "microvm with pcie=on given is left alone" has "microvm,pcie=on" --machine microvm,pcie=on --usb-storage "$d/usb.img"

# A part's vm file adds its QEMU devices; bad arguments are refused.
mkdir -p "$d/st/good" "$d/st/bad" "$d/st2/bad"
echo "qemu = -device virtio-rng-pci  # a comment" >"$d/st/good/vm"
splan() { timeout 20 "$vmtest" --kver 6.1 --selftests "$1" --dry-run "${@:2}" 2>&1; }
shas() {	# shas PATTERN DIR ARGS...
	local pat=$1 out
	shift
	out=$(splan "$@") || { echo "# refused: $out"; return 1; }
	grep -qx -- "$pat" <<<"$out" || { echo "# got: $out"; return 1; }
}
ok_if "a part's qemu line adds its device" shas "virtio-rng-pci" "$d/st"
ok_if "on microvm a part's -pci device becomes -device" shas "virtio-rng-device" "$d/st" --machine microvm
echo 'qemu = -device virtio-rng-pci;reboot' >"$d/st2/bad/vm"
ok_if "a part's qemu argument with shell text is refused" refused "is not an option or a plain value" \
	--kver 6.1 --selftests "$d/st2" --dry-run
echo 'qemu = -m 64' >"$d/st2/bad/vm"
ok_if "a part may not set what vmtest sets" refused "'-m' is vmtest's to set" \
	--kver 6.1 --selftests "$d/st2" --dry-run
ok_if "microvm + explicit pcie=off + usb: a plain message" refused "qemu-xhci (for --usb-storage) is a PCI device and pcie=off" --kver 6.1 --run true --machine microvm,pcie=off --usb-storage "$d/usb.img"
# QEMU itself accepts the planned machine and devices (it is started
# paused, and stopped after 3 s), and refuses the unfixed plan with the
# error the runner exists to prevent.
qemu_takes() {	# qemu_takes ARGS...: QEMU starts with these
	local out rc
	out=$(timeout 3 qemu-system-x86_64 -accel tcg -nodefaults -display none -S "$@" 2>&1)
	rc=$?
	[ $rc -eq 124 ] || { echo "# qemu exit $rc: $out"; return 1; }
}
planned() {
	local a
	mapfile -t a < <(timeout 20 "$vmtest" --kver 6.1 --run true --dry-run "$@" 2>/dev/null | grep -v '^virtio-9p')
	qemu_takes "${a[@]}"
}
ok_if "QEMU starts the planned microvm with qemu-xhci and usb-storage" \
	planned --machine microvm --usb-storage "$d/usb.img" --disk "$d/mods.vhdx"
ok_if "QEMU starts the planned q35 with both" planned --usb-storage "$d/usb.img" --disk "$d/mods.vhdx"
ok_if "without the runner's pcie=on, QEMU says No 'PCI' bus (the bug)" \
	bash -c "timeout 3 qemu-system-x86_64 -accel tcg -nodefaults -display none -S -M microvm -device qemu-xhci 2>&1 | grep -q \"No 'PCI' bus\""
ok_if "usb-storage sits behind qemu-xhci" has "usb-storage,bus=xhci.0,drive=usb0,serial=vmtest-usb0" --usb-storage "$d/usb.img"
ok_if "a .vhdx disk is attached as VHDX, read-only" has "file=$d/mods.vhdx,format=vhdx,if=none,id=disk0,readonly=on" --disk "$d/mods.vhdx"
ok_if "a disk on microvm is virtio-blk over MMIO" has "virtio-blk-device,drive=disk0,serial=vmtest-disk0" --machine microvm --disk "$d/mods.vhdx"
ok_if "unknown machine" refused "'virt' is not q35, pc or microvm" --kver 6.1 --run true --machine virt
ok_if "malformed machine option" refused "'pcie' is not OPTION=VALUE" --kver 6.1 --run true --machine microvm,pcie
ok_if "missing disk file" refused "--disk: no file" --kver 6.1 --run true --disk "$d/none.vhdx"
ok_if "bad --env" refused "--env wants NAME=VALUE" --kver 6.1 --run true --env "1X=2"
ok_if "missing usb file" refused "--usb-storage: no file" --kver 6.1 --run true --usb-storage "$d/none.img"
tap_done
