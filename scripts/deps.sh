#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what building and testing hostlink needs on Debian 12, with
# the kernel packages exactly as kernels.conf pins them.  Idempotent:
# does nothing when everything is there.
#
#   deps.sh              check the pins, then install what is missing
#   deps.sh --check-pins only check that every pin is in the archive
#
# A pin that left the archive fails at once, naming the newest version
# the archive has, so the pin can be moved.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

APT_CACHE=${APT_CACHE:-apt-cache}
check_only=0
[ "${1:-}" = --check-pins ] && check_only=1

# Everything outside the kernel pins, by Debian package name.
base_pkgs=(
	gcc make libc6-dev perl git python3 binutils pkgconf
	clang libclang-rt-14-dev
	kmod libkmod-dev
	libacl1-dev libdrm-dev acl
	sparse
	qemu-system-x86 qemu-utils e2fsprogs busybox-static cpio xz-utils zstd
	udev systemd
	dkms
	bc flex bison libelf-dev libssl-dev
	openssh-server openssh-client socat
)

# pinned "name=version" for the kernels and the source tree.
pinned=()
for v in ${!KVER_*}; do
	alias=${v#KVER_}
	pv=PKGVER_$alias
	pinned+=("linux-headers-${!v}=${!pv}" "linux-image-${!v}=${!pv}")
done
pinned+=("$LINUX_SOURCE=$LINUX_SOURCE_VERSION")

# Newest amd64 flavour of the kernel series a package belongs to.
newest_in_series() {
	local pkg=$1 series kind
	case $pkg in
	linux-source-*) $APT_CACHE madison "$pkg" | awk -F'|' 'NR==1 { gsub(/ /, "", $2); print $2 }'; return ;;
	linux-headers-*) kind=headers ;;
	*) kind=image ;;
	esac
	series=$(sed -E 's/^linux-(headers|image)-([0-9]+\.[0-9]+)[.-].*/\2/' <<<"$pkg")
	$APT_CACHE search --names-only "^linux-$kind-${series//./\\.}\.[0-9]" 2>/dev/null |
		awk '{ print $1 }' | grep -E -- '-amd64$' | grep -vE -- '-(cloud|rt)-amd64$' |
		sort -V | tail -n 1
}

# Succeeds when every pin is in the archive; otherwise says what is.
check_pins() {
	local p name ver missing=0 newest
	for p in "${pinned[@]}"; do
		name=${p%%=*} ver=${p#*=}
		if $APT_CACHE madison "$name" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
			grep -qxF -- "$ver"; then
			continue
		fi
		missing=1
		newest=$(newest_in_series "$name")
		if [ -n "$newest" ]; then
			echo "deps: pin $name=$ver is not in the archive; newest available: $newest" \
				"$($APT_CACHE madison "$newest" 2>/dev/null | awk -F'|' 'NR==1 { gsub(/ /, "", $2); print $2 }')" >&2
		else
			echo "deps: pin $name=$ver is not in the archive, nor any package of its series" >&2
		fi
	done
	return $missing
}

if ! check_pins 2>/dev/null; then
	if [ $check_only -eq 0 ] && [ "$(id -u)" -eq 0 ]; then
		note "package lists lack a pin; running apt-get update"
		timeout 50 apt-get update -qq || die "apt-get update failed"
	fi
	check_pins || die "kernels.conf pins versions the archive no longer has (see above); move the pins"
fi
[ $check_only -eq 1 ] && { echo "deps: every pin is in the archive"; exit 0; }

want=()
for p in "${pinned[@]}" "${base_pkgs[@]}"; do
	name=${p%%=*}
	have=$(dpkg-query -W -f '${Status} ${Version}' "$name" 2>/dev/null || true)
	case $p in
	*=*) [ "$have" = "install ok installed ${p#*=}" ] && continue ;;
	*) [[ $have == "install ok installed"* ]] && continue ;;
	esac
	# The image is only downloaded and unpacked by vmtest, not installed,
	# unless the headers package pulls it in.
	[[ $name == linux-image-* ]] && continue
	want+=("$p")
done
if [ ${#want[@]} -eq 0 ]; then
	echo "deps: everything is installed"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "need root to install: ${want[*]}"
note "installing: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
# openssh-server is only the interop benchmark's baseline (a per-
# connection sshd -i inside the VM): installing it must not start or
# enable an sshd on this machine.  policy-rc.d keeps the package's
# scripts from starting it; it is disabled afterwards.
new_sshd=0
[[ " ${want[*]} " == *" openssh-server "* ]] && new_sshd=1
own_policy=0
if [ $new_sshd -eq 1 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	own_policy=1
fi
ok=1
apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null ||
	{ apt-get update -qq && apt-get install -y -q --no-install-recommends "${want[@]}"; } ||
	ok=0
[ $own_policy -eq 0 ] || rm -f /usr/sbin/policy-rc.d
[ $ok -eq 1 ] || die "apt-get install failed"
if [ $new_sshd -eq 1 ]; then
	systemctl disable --quiet ssh.service ssh.socket 2>/dev/null || true
	systemctl stop ssh.service ssh.socket 2>/dev/null || true
fi
echo "deps: installed ${#want[@]} packages"
