#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make install and make uninstall into a temporary DESTDIR, with PREFIX
# honoured; then the VM loads the modules from the installed tree.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$HOSTLINK_TOP/scripts/tests/tap.sh"

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
kver=$KVER_6_1
mk() { make -s -C "$HOSTLINK_TOP" KVER=6.1 "$@" >/dev/null; }

want=(
	"lib/modules/$kver/updates/hostlink/hostlink.ko"
	"lib/modules/$kver/updates/hostlink/dxg.ko"
	"lib/modules/$kver/updates/hostlink/interop.ko"
	"opt/hl/lib/udev/rules.d/60-hostlink.rules"
	"opt/hl/lib/sysusers.d/hostlink.conf"
	"opt/hl/sbin/hostlinkd"
	"opt/hl/lib/systemd/system/hostlinkd.service"
	"opt/hl/lib/systemd/user/hostlinkd-interop.service"
	"opt/hl/share/man/man8/hostlinkd.8"
	"etc/hostlink/hostlinkd.conf"
	"opt/hl/bin/mkmodimg"
	"opt/hl/libexec/hostlink/mkmodimg-seal"
	"opt/hl/share/man/man1/mkmodimg.1"
	"opt/hl/sbin/modload"
	"opt/hl/share/man/man8/modload.8"
	"opt/hl/lib/systemd/system/modload.service"
	"opt/hl/lib/udev/rules.d/61-modload.rules"
	"opt/hl/lib/libdxg.so.0.1.0"
	"opt/hl/include/dxg/libdxg.h"
	"opt/hl/include/dxg/linux/dxg.h"
	"opt/hl/lib/pkgconfig/dxg.pc"
	"opt/hl/bin/dxginfo"
	"opt/hl/share/man/man1/dxginfo.1"
	"opt/hl/sbin/devperm"
	"opt/hl/share/man/man8/devperm.8"
	"opt/hl/lib/systemd/system/devperm.service"
	"opt/hl/lib/udev/rules.d/62-devperm.rules"
	"opt/hl/lib/devperm.conf"
	"opt/hl/bin/hostrun"
	"opt/hl/share/man/man1/hostrun.1"
	"opt/hl/lib/binfmt.d/hostrun.conf"
)
ok_if "make install DESTDIR= PREFIX=/opt/hl" mk install DESTDIR="$d" PREFIX=/opt/hl
for f in "${want[@]}"; do
	ok_if "installed $f" test -s "$d/$f"
done
ok_if "nothing else installed" \
	test "$(cd "$d" && find . -type f | wc -l)" -eq ${#want[@]}
ok_if "the installed unit runs the installed daemon" \
	grep -qx "ExecStart=/opt/hl/sbin/hostlinkd" "$d/opt/hl/lib/systemd/system/hostlinkd.service"
ok_if "the installed user unit runs the installed daemon for interop" \
	grep -qx "ExecStart=/opt/hl/sbin/hostlinkd --config %E/hostlink/interop.conf --listen interop" \
	"$d/opt/hl/lib/systemd/user/hostlinkd-interop.service"
ok_if "the installed daemon runs" bash -c "'$d/opt/hl/sbin/hostlinkd' --version >/dev/null"
ok_if "the installed mkmodimg finds its installed helper" \
	bash -c "O=/nonexistent '$d/opt/hl/bin/mkmodimg' --version >/dev/null"
ok_if "the installed dxginfo runs on the installed libdxg" \
	bash -c "LD_LIBRARY_PATH='$d/opt/hl/lib' '$d/opt/hl/bin/dxginfo' --version >/dev/null"
ok_if "the installed dxg.pc names the installed paths" \
	grep -qx "libdir=/opt/hl/lib" "$d/opt/hl/lib/pkgconfig/dxg.pc"
ok_if "the installed modload runs" bash -c "'$d/opt/hl/sbin/modload' --version >/dev/null"
ok_if "the installed modload unit runs the installed modload" \
	grep -q "^ExecStart=/opt/hl/sbin/modload" "$d/opt/hl/lib/systemd/system/modload.service"
ok_if "the installed devperm runs" bash -c "'$d/opt/hl/sbin/devperm' --version >/dev/null"
ok_if "the installed devperm unit and rule run the installed devperm" \
	bash -c "grep -qx 'ExecStart=/opt/hl/sbin/devperm apply --all' '$d/opt/hl/lib/systemd/system/devperm.service' &&
		grep -q 'RUN+=\"/opt/hl/sbin/devperm apply \$devnode\"' '$d/opt/hl/lib/udev/rules.d/62-devperm.rules'"
ok_if "the installed hostrun runs, also as hostrun-binfmt (a link)" \
	bash -c "'$d/opt/hl/bin/hostrun' --version >/dev/null && test -L '$d/opt/hl/lib/hostlink/hostrun-binfmt' &&
		'$d/opt/hl/lib/hostlink/hostrun-binfmt' 2>&1 | grep -q 'usage: hostrun-binfmt'"
ok_if "the installed binfmt.d entry names the installed interpreter" \
	grep -qx ':hostrun:M::MZ::/opt/hl/lib/hostlink/hostrun-binfmt:PF' "$d/opt/hl/lib/binfmt.d/hostrun.conf"
ok_if "installed modules carry the package version" \
	bash -c "modinfo -F version '$d/lib/modules/$kver/updates/hostlink/dxg.ko' | grep -qx \"\$(sed -n 's/^#define HOSTLINK_VERSION \"\\(.*\\)\"\$/\\1/p' '$HOSTLINK_TOP/include/linux/hostlink.h')\""
ok_if "the VM loads the modules from the DESTDIR tree" \
	"$HOSTLINK_TOP/tools/vmtest/vmtest" --kver 6.1 \
	--modules "$d/lib/modules/$kver/updates/hostlink" \
	--run "modprobe dxg && modprobe interop && rmmod interop dxg hostlink"
ok_if "make uninstall removes every file" mk uninstall DESTDIR="$d" PREFIX=/opt/hl
ok_if "... and leaves no file behind" test "$(cd "$d" && find . -type f -o -type l | wc -l)" -eq 0
tap_done
echo "install: $((tap_n - tap_failed)) passed, $tap_failed failed"
[ $tap_failed -eq 0 ]
