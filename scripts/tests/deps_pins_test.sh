#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# deps.sh checks every pin against the archive and, when one is gone,
# fails quickly naming the newest version there.  The archive here is a
# fake apt-cache, so the test needs no network.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/tests/tap.sh"
. "$top/kernels.conf"

fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
# A fake archive holding every pin, except that GONE is missing and the
# 6.12 series has one newer release.
cat >"$fake/apt-cache" <<EOT
#!/bin/bash
gone=\${GONE:-}
case \$1 in
madison)
	case \$2 in
	"\$gone") exit 0 ;;
	linux-headers-$KVER_6_1|linux-image-$KVER_6_1) echo " \$2 | $PKGVER_6_1 | fake" ;;
	linux-headers-$KVER_6_12|linux-image-$KVER_6_12) echo " \$2 | $PKGVER_6_12 | fake" ;;
	*6.12.999+deb12-amd64) echo " \$2 | 6.12.999-1~deb12u1 | fake" ;;
	$LINUX_SOURCE) echo " \$2 | 9.9-9 | fake"; echo " \$2 | $LINUX_SOURCE_VERSION | fake" ;;
	esac ;;
search)
	{ echo "linux-image-$KVER_6_12 - x"; echo "linux-image-6.12.999+deb12-amd64 - x"
	echo "linux-image-6.12.999+deb12-rt-amd64 - x"
	echo "linux-headers-$KVER_6_12 - x"; echo "linux-headers-6.12.999+deb12-amd64 - x"
	} | grep -E "\$3" ;;
esac
EOT
chmod +x "$fake/apt-cache"
run() { APT_CACHE=$fake/apt-cache timeout 60 "$top/scripts/deps.sh" --check-pins 2>&1; }

out=$(run)
ok_if "all pins present: passes" test $? -eq 0
out=$(GONE=linux-image-$KVER_6_12 run)
rc=$?
ok_if "a missing image pin fails" test $rc -ne 0
ok_if "... naming the newest of its series" grep -q "newest available: linux-image-6.12.999+deb12-amd64 6.12.999-1~deb12u1" <<<"$out"
out=$(GONE=linux-headers-$KVER_6_12 run)
ok_if "a missing headers pin names newest headers" grep -q "newest available: linux-headers-6.12.999+deb12-amd64" <<<"$out"
out=$(GONE=$LINUX_SOURCE run)
ok_if "a missing linux-source pin fails" grep -q "pin $LINUX_SOURCE=$LINUX_SOURCE_VERSION is not in the archive" <<<"$out"
tap_done
