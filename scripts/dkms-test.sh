#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The DKMS package, end to end, without touching the machine's DKMS or
# /lib/modules: dkms add/build/install for every pinned kernel in
# temporary trees, depmod on the temporary tree, then the VM loads the
# modules DKMS built (first pinned kernel, or DKMS_VM_KVER).
#
# Cases are TAP lines; ends with "N passed, N failed".

set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$HOSTLINK_TOP/scripts/tests/tap.sh"

command -v dkms >/dev/null || die "dkms is missing; run 'make deps'"
version=$(sed -n 's/^#define HOSTLINK_VERSION "\(.*\)"$/\1/p' "$HOSTLINK_TOP/include/linux/hostlink.h")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dkmstree=$tmp/dkms sourcetree=$tmp/src root=$tmp/root
installtree=$root/lib/modules
mkdir -p "$dkmstree" "$sourcetree" "$installtree"

# The package as a distribution ships it: only what DKMS needs.
pkg=$sourcetree/hostlink-$version
mkdir -p "$pkg"
(cd "$HOSTLINK_TOP" && cp -a dkms.conf Kbuild drivers include LICENSES "$pkg/")

dk() { dkms "$@" --dkmstree "$dkmstree" --sourcetree "$sourcetree" --installtree "$installtree"; }

ok_if "dkms.conf gives the header's version" \
	bash -c "cd '$pkg' && . ./dkms.conf && test \"\$PACKAGE_VERSION\" = '$version'"
ok_if "dkms add" dk add -m hostlink -v "$version"

kvers=()
for v in ${!KVER_*}; do kvers+=("${!v}"); done
for kver in "${kvers[@]}"; do
	mkdir -p "$installtree/$kver"
	ok_if "dkms build for $kver" dk build -m hostlink -v "$version" -k "$kver" \
		--kernelsourcedir "/lib/modules/$kver/build"
	ok_if "dkms install for $kver" dk install -m hostlink -v "$version" -k "$kver" \
		--kernelsourcedir "/lib/modules/$kver/build" --no-depmod
	ok_if "depmod on the temporary tree for $kver" depmod -b "$root" "$kver"
	for m in hostlink dxg interop; do
		f=$(find "$installtree/$kver" -name "$m.ko*" | head -n 1)
		ok_if "$m.ko installed for $kver, vermagic matches" \
			bash -c "[ -n '$f' ] && modinfo -F vermagic '$f' | grep -q '^$kver '"
	done
	ok_if "dxg depends on hostlink in modules.dep for $kver" \
		grep -qE '/dxg\.ko(\.[a-z]+)?: .*/hostlink\.ko' "$installtree/$kver/modules.dep"
	ok_if "dkms status says installed for $kver" \
		bash -c "dkms status -m hostlink -v '$version' -k '$kver' --dkmstree '$dkmstree' --sourcetree '$sourcetree' --installtree '$installtree' | grep -q installed"
done
ok_if "an unsupported kernel is skipped, not failed (exit 77)" \
	bash -c "dkms build -m hostlink -v '$version' -k 5.10.0-99-amd64 --dkmstree '$dkmstree' --sourcetree '$sourcetree' --installtree '$installtree' --kernelsourcedir '/lib/modules/${kvers[0]}/build' >/dev/null 2>&1; test \$? -eq 77"
ok_if "nothing was written under /lib/modules" \
	bash -c "! find /lib/modules/ -path '*updates/dkms/hostlink.ko*' | grep -q ."

# The VM loads what DKMS built.
vmk=${DKMS_VM_KVER:-${kvers[0]}}
ok_if "the VM loads the DKMS-built modules ($vmk)" \
	"$HOSTLINK_TOP/tools/vmtest/vmtest" --kver "$vmk" \
	--modules "$installtree/$vmk/updates" \
	--run "modprobe dxg && modprobe interop && udevadm settle && test -c /dev/dxg && test -c /dev/interop && rmmod interop dxg hostlink"
ok_if "dkms remove" dk remove -m hostlink -v "$version" --all --no-depmod
tap_done
echo "dkms: $((tap_n - tap_failed)) passed, $tap_failed failed"
[ $tap_failed -eq 0 ]
