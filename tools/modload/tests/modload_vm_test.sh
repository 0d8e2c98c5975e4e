#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# modload end to end, inside a VM, as root (TAP on stdout): a modules
# image is attached (a disk labelled hl-modules, or MODLOAD_IMAGE=SPEC
# for --image), the base tree lacks the modules asked for.  After
# `modload ensure MODULE...`:
#   - each module and every dependency is live;
#   - /lib/modules/<kver> is an overlay showing base and image content;
#   - `modprobe --show-depends` on the merged tree names exactly modules
#     that are now live;
#   - `modload status` lists them as live and names the image;
#   - a second ensure reuses the overlay (one mount, "already live").
# Then, unless --keep, it unloads what it loaded and unmounts, so that
# later tests see the base tree again.
#
#   modload_vm_test.sh [--keep] [MODULE...]    (default: usb-storage)
#
# Environment: MODLOAD (default $VMTEST_TOOLS/../modload/modload),
# MODLOAD_IMAGE (an --image SPEC; default: found by UUID).

set -u
keep=0
[ "${1:-}" = --keep ] && { keep=1; shift; }
[ $# -gt 0 ] || set -- usb-storage
modload=${MODLOAD:-${VMTEST_TOOLS:-/nonexistent}/../modload/modload}
kver=$(uname -r)
target=/lib/modules/$kver
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)) bad=$((bad + 1)); echo "not ok $n $*"; }
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
modname() { local b=${1##*/}; b=${b%%.ko*}; echo "${b//-/_}"; }
is_live() { grep -qx live "/sys/module/$1/initstate" 2>/dev/null; }
overlays() { findmnt -n -o FSTYPE --mountpoint "$target" | grep -c '^overlay$'; }

echo "TAP version 13"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
[ -x "$modload" ] || { echo "Bail out! no modload at $modload"; exit 1; }
args=()
if [ -n "${MODLOAD_IMAGE:-}" ]; then
	args=(--image "$MODLOAD_IMAGE")
else
	modprobe -q virtio_blk 2>/dev/null
	for i in $(seq 50); do
		blkid -L hl-modules >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! blkid -L hl-modules >/dev/null 2>&1; then
		echo "1..0 # SKIP no modules image attached (label hl-modules)"
		exit 0
	fi
	echo "# image: $(blkid -L hl-modules) $(blkid -s UUID -o value "$(blkid -L hl-modules)")"
fi

# Before: the modules are not in the base tree, nothing is mounted.
before_live=" "
for m in "$@"; do
	check "$m is not in the base tree" bash -c "! modinfo -n '$m' >/dev/null 2>&1"
done
check "nothing is mounted on $target yet" [ "$(overlays)" -eq 0 ]
base_ko=
while read -r f; do
	[ -e "$target/$f" ] && { base_ko=$f; break; }
done <"$target/modules.order"
echo "# a base tree file to look for afterwards: $base_ko"
for d in /sys/module/*; do
	[ -e "$d/initstate" ] && before_live+="${d##*/} "
done

t0=$(date +%s%N)
out=$("$modload" -v "${args[@]}" ensure "$@" 2>&1)
rc=$?
t1=$(date +%s%N)
echo "$out" | sed 's/^/# /'
echo "# modload ensure took $(((t1 - t0) / 1000000)) ms"
check "modload ensure $* exits 0" [ $rc -eq 0 ]
check "$target is now one overlay" [ "$(overlays)" -eq 1 ]
check "the image is mounted read-only on /run/modload/image" \
	bash -c "findmnt -n -o OPTIONS --mountpoint /run/modload/image | grep -qE '(^|,)ro(,|$)'"
check "the base tree's content is still there ($base_ko)" [ -e "$target/$base_ko" ]
check "depmod's output landed in the tmpfs upper layer" [ -s /run/modload/rw/upper/modules.dep.bin ]

loaded=()
for m in "$@"; do
	check "$m now resolves in the merged tree" modinfo -n "$m"
	deps=$(modprobe --show-depends "$m" 2>&1)
	echo "$deps" | sed 's/^/# show-depends: /'
	check "modprobe --show-depends $m works on the merged tree" [ -n "$deps" ]
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		name=$(modname "$path")
		check "$name (from $path) is live" is_live "$name"
		check "$path is inside $target" [ "${path#"$target"/}" != "$path" ]
		case $before_live in *" $name "*) ;; *) loaded+=("$name") ;; esac
	done <<<"$deps"
done

st=$("$modload" status 2>&1)
echo "$st" | sed 's/^/# status: /'
for m in "$@"; do
	check "modload status lists $m as live" \
		bash -c "grep -E '^${m}[[:space:]]' <<<\"\$1\" | grep -q 'live\$'" _ "$st"
done
check "modload status names the image and the release" \
	bash -c "grep -q '^image: .*kernel $kver' <<<\"\$1\"" _ "$st"

out=$("$modload" "${args[@]}" ensure "$@" 2>&1)
rc=$?
echo "$out" | sed 's/^/# again: /'
check "a second ensure exits 0 and says 'already live'" \
	bash -c "[ $rc -eq 0 ] && grep -q 'already live' <<<\"\$1\"" _ "$out"
check "and reused the overlay (still one mount)" [ "$(overlays)" -eq 1 ]

if [ $keep -eq 0 ]; then
	for ((i = ${#loaded[@]} - 1; i >= 0; i--)); do
		rmmod "${loaded[i]}" 2>/dev/null
	done
	# Lazily: systemd-udevd's libkmod keeps the indexes it mapped open.
	umount -l "$target" && umount -l /run/modload/rw && umount -l /run/modload/image
	check "cleaned up: overlay and image unmounted" \
		bash -c "[ \$(findmnt -n -o FSTYPE --mountpoint $target | grep -c overlay) -eq 0 ] && ! findmnt -n --mountpoint /run/modload/image >/dev/null"
	rm -f /run/modload/state
fi
echo "1..$n"
[ $bad -eq 0 ]
