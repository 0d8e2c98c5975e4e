#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# devperm the program, no VM (TAP on stdout): two "distributions" as
# two mount namespaces (unshare -m), each with its own /etc/group bound
# over the real one and its own state file, applying to plain files in
# a temporary directory (which must have ACLs); the bad inputs and
# their exit codes.  The namespace cases need root; without it only
# the usage cases run.
#
#   devperm_test.sh [BUILD_DIR]   (default ${O:-build}/tools/devperm)

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:-${O:-$top/build}/tools/devperm}
dp=$out/devperm
export PATH=$PATH:/sbin:/usr/sbin

n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)) bad=$((bad + 1)); echo "not ok $n - $*"; }
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
finish() { echo "1..$n"; [ $bad -eq 0 ]; exit; }

echo "TAP version 13"
[ -x "$dp" ] || { echo "Bail out! $dp is not built"; exit 1; }

# exits CODE COMMAND...: COMMAND exits with CODE; its stderr in $err.
exits() {
	local want=$1 rc
	shift
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq "$want" ] || { echo "# exit $rc, wanted $want: $err"; return 1; }
}
check "no command is a usage error" exits 2 "$dp"
check "an unknown command is a usage error" exits 2 "$dp" frob
check "apply without nodes is a usage error" exits 2 "$dp" apply
check "nodes and --all together are a usage error" exits 2 "$dp" apply --all /dev/null
check "--version" bash -c "'$dp' --version | grep -q '^devperm '"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	echo "# SKIP the namespace cases need root and unshare -m"
	finish
fi
work=$(mktemp -d /tmp/devperm_test.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
nodes=$work/dev
mkdir -p "$nodes"
: >"$nodes/card0"
: >"$nodes/renderD128"
chmod 0660 "$nodes"/*
if ! setfacl -m g:44:r "$nodes/card0" 2>/dev/null && ! "$dp" --help >/dev/null; then
	echo "# SKIP $work has no ACLs"
	finish
fi
setfacl -b "$nodes/card0" 2>/dev/null

# Distribution A: video 44, render 105; B: video 110, render 989.
for d in A B; do
	mkdir -p "$work/$d"
	grep -vE '^(video|render|dpextra):' /etc/group >"$work/$d/group"
	cat >"$work/$d/devperm.conf" <<EOF
# distribution $d
$nodes/card*		video	rw
$nodes/renderD*	render	rw
EOF
done
printf 'video:x:44:\nrender:x:105:\n' >>"$work/A/group"
printf 'video:x:110:\nrender:x:989:\n' >>"$work/B/group"

# distro D CMD...: run CMD in distribution D's own mount namespace.
distro() {
	local d=$1
	shift
	unshare -m bash -c 'mount --bind "$1" /etc/group && shift && exec "$@"' \
		- "$work/$d/group" "$@"
}
dpin() {
	local d=$1
	shift
	distro "$d" "$dp" -c "$work/$d/devperm.conf" --state "$work/$d/entries" "$@"
}
# The checks below run them in bash -c.
export -f distro dpin
export work dp
# acl NODE: its entries, one line, numeric.
acl() { getfacl -pcn "$1" 2>/dev/null | grep -v '^$' | tr '\n' ' '; }

check "A applies --all" dpin A apply --all
check "A has group:44 on card0 and 105 on renderD128" \
	bash -c "[[ \"$(acl "$nodes/card0")\" == *group:44:rw-* ]] && [[ \"$(acl "$nodes/renderD128")\" == *group:105:rw-* ]]"
check "B applies --all" dpin B apply --all
check "both distributions' entries are on each node" \
	bash -c "a=\$(getfacl -pcn '$nodes/card0'); [[ \$a == *group:44:rw-* && \$a == *group:110:rw-* && \$a == *mask::rw-* ]]"
check "applying again changes nothing and says nothing with -v" \
	bash -c "[ -z \"\$(\"\$@\" -v apply --all)\" ]" - dpin A
check "A's status names B's gid 'unknown here'" \
	bash -c "\"\$@\" status '$nodes/card0' | grep -q 'group:unknown here (gid 110) rw-'" - dpin A
check "A's status marks its own entry 'added here'" \
	bash -c "\"\$@\" status '$nodes/card0' | grep -q 'group:video (gid 44) rw-, added here'" - dpin A

chmod 0600 "$nodes/card0"
check "a MODE=0600 rule leaves mask ---, status shows the entries ineffective" \
	bash -c "\"\$@\" status '$nodes/card0' | grep -q 'mask ---' && \"\$@\" status '$nodes/card0' | grep -q 'effective ---'" - dpin A
check "the next apply opens the mask again" \
	bash -c "\"\$@\" -v apply '$nodes/card0' | grep -q 'mask --- -> rw-' && getfacl -pcn '$nodes/card0' | grep -qx 'mask::rw-'" - dpin B

setfacl -m g:4242:r "$nodes/renderD128"
check "revoke in A removes A's entries only" dpin A revoke
check "... B's and a foreign entry stay" \
	bash -c "a=\$(getfacl -pcn '$nodes/card0' '$nodes/renderD128'); [[ \$a != *group:44:* && \$a != *group:105:* && \$a == *group:110:rw-* && \$a == *group:989:rw-* && \$a == *group:4242:r--* ]]"
check "A's state file is empty after revoke" test ! -s "$work/A/entries"

# An entry that was there before devperm ran is not devperm's.
setfacl -m g:44:rw "$nodes/renderD128"
dpin A apply --all
dpin A revoke
check "an entry that was there before is never removed" \
	bash -c "getfacl -pcn '$nodes/renderD128' | grep -qx 'group:44:rw-'"
setfacl -x g:44 "$nodes/renderD128"

# Bad input: each a clear message, a non-zero exit, nothing changed.
printf 'dpextra:x:1234:\n' >>"$work/A/group"
before=$(acl "$nodes/card0")
cat >"$work/A/bad-group.conf" <<EOF
$nodes/card*	video	rw
$nodes/card*	nosuchgroup	rw
EOF
check "an unknown group: exit 1" \
	exits 1 distro A "$dp" -c "$work/A/bad-group.conf" --state "$work/A/entries" apply "$nodes/card0"
check "... says which group, file and line" grep -q "bad-group.conf:2: no group 'nosuchgroup' in this distribution" <<<"$err"
check "... and the node is as it was (video not added either)" test "$(acl "$nodes/card0")" = "$before"

printf '%s\tvideo\trw\n%s\tvideo\n' "$nodes/card*" "$nodes/renderD*" >"$work/A/bad-line.conf"
check "a malformed line: exit 2" \
	exits 2 distro A "$dp" -c "$work/A/bad-line.conf" --state "$work/A/entries" apply --all
check "... names the file and line" grep -q "bad-line.conf:2: expected 'PATTERN GROUP PERM', found 2 fields" <<<"$err"
check "... and no node changed" test "$(acl "$nodes/card0")" = "$before"

check "a node that is gone: exit 1" exits 1 dpin A apply "$nodes/card9"
check "... says so" grep -q "card9: the node is gone" <<<"$err"
check "a missing configuration: exit 2" \
	exits 2 distro A "$dp" -c "$work/A/none.conf" --state "$work/A/entries" apply --all

# A distribution in a user namespace: uid 0 mapped to 0, its video (44)
# to the kernel's 100044; then a map that leaves 44 out.
userns() {	# userns GIDMAP CMD...: CMD as root of a new user+mount namespace
	python3 - "$@" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.close(w2)
    if libc.unshare(0x10000000 | 0x00020000):	# CLONE_NEWUSER | CLONE_NEWNS
        os._exit(99)
    os.close(w)
    os.read(r2, 1)
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    os.execvp(sys.argv[2], sys.argv[2:])
os.close(w)
os.close(r2)
os.read(r, 1)
with open(f"/proc/{pid}/uid_map", "w") as f:
    f.write("0 0 65536\n")
with open(f"/proc/{pid}/gid_map", "w") as f:
    f.write(sys.argv[1].replace(",", "\n") + "\n")
os.close(w2)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY
}
export -f userns
mkdir -p "$work/C"
: >"$work/C/card0"
printf 'root:x:0:\nvideo:x:44:\n' >"$work/C/group"
printf '%s\tvideo\trw\n' "$work/C/card*" >"$work/C/devperm.conf"
cdp="mount --make-rprivate / && mount --bind '$work/C/group' /etc/group && exec '$dp' -v -c '$work/C/devperm.conf' --state '$work/C/entries'"
if command -v python3 >/dev/null && userns "0 0 65536" true 2>/dev/null; then
	check "in a user namespace the entry carries the kernel's gid" \
		bash -c "userns '0 0 44,44 100044 1,45 45 65491' bash -c \"$cdp apply --all\" | grep -q 'added group:video (gid 44, 100044 in the kernel) rw-' &&
			getfacl -pcn '$work/C/card0' | grep -qx 'group:100044:rw-'"
	check "an unmapped gid is refused (exit 1), the node unchanged" \
		bash -c "a=\$(getfacl -pcn '$work/C/card0'); ! userns '0 0 44,45 45 65491' bash -c \"$cdp --state '$work/C/e2' apply --all\" 2>'$work/C/err' &&
			grep -q \"group 'video' is gid 44 here, which /proc/self/gid_map does not map\" '$work/C/err' &&
			[ \"\$a\" = \"\$(getfacl -pcn '$work/C/card0')\" ]"
	setfacl -m g:44:rw "$work/C/card0"
	chmod 0600 "$work/C/card0"
	check "a change beside an entry the namespace cannot map is refused" \
		bash -c "! userns '0 0 44,44 100044 1,45 45 65491' bash -c \"$cdp apply --all\" 2>'$work/C/err' &&
			grep -q 'outside this user namespace' '$work/C/err' && getfacl -pcn '$work/C/card0' | grep -q '^group:44:rw-'"
else
	echo "# SKIP no user namespaces here"
fi

mkdir -p "$work/noacl"
cat >"$work/A/noacl.conf" <<EOF
$work/noacl/*	video	rw
EOF
check "a file system without ACLs (ramfs): exit 1, says so" \
	unshare -m bash -c "mount -t ramfs none '$work/noacl' && : >'$work/noacl/card0' && mount --bind '$work/A/group' /etc/group &&
		! '$dp' -c '$work/A/noacl.conf' --state '$work/A/entries' apply '$work/noacl/card0' 2>'$work/noacl.err' &&
		grep -q 'does not support POSIX ACLs' '$work/noacl.err'"
check "the state file is not left half-written" bash -c "! ls '$work/A/' | grep -q 'entries.new'"
finish
