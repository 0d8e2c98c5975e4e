#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# hostrun on the fake device (tests/hr_fake.c: the "host" runs the
# program here): exit statuses, deaths by signal, refusals, argv and
# environment as sent, the streams, binfmt and symlink-farm names, the
# path options, registration against a stand-in directory.  The pty
# cases are hr_pty_test's.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/scripts/tests/tap.sh"
fake=${O:-$top/build}/tools/hostrun/tests/fake
hr=$fake/hostrun

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
export HOSTRUN_FAKE_MAP="$d:$d" HOSTRUN_FAKE_LOG="$d/log"
unset HOSTRUN_ENV

# rc_is WANT CMD...: CMD exits with WANT; stdout in $d/out, stderr in $d/err.
rc_is() {
	local want=$1 rc
	shift
	"$@" >"$d/out" 2>"$d/err" </dev/null
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "# rc $rc, want $want: $(head -c 300 "$d/err")"; return 1; }
}
err_is() { grep -qxF -- "$1" "$d/err" || { echo "# stderr: $(cat "$d/err")"; return 1; }; }
errno_of() { python3 -c "import errno; print(errno.$1)"; }

# bg_start CMD...: CMD in the background, its stdout and stderr on fd 3
# (through a fifo), its pid in $bg; bg_line reads a line into $line.
bg_start() {
	rm -f "$d/fifo"
	mkfifo "$d/fifo"
	"$@" >"$d/fifo" 2>&1 </dev/null &
	bg=$!
	exec 3<"$d/fifo"
}
bg_line() { line=; read -r -u 3 line; }
spawned_pid() { sed -n 's/^spawn pid=\([0-9]*\).*/\1/p' "$d/log" | tail -1; }
# gone PID: PID ends (or is a zombie) within 5 s.
gone() {
	local i

	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

ok_if "exit 0" rc_is 0 "$hr" true
ok_if "exit 1" rc_is 1 "$hr" false
ok_if "exit 255" rc_is 255 "$hr" sh -c 'exit 255'
ok_if "... with nothing on stderr" test ! -s "$d/err"
ok_if "exit 42 through an absolute host path" rc_is 42 "$hr" /bin/sh -c 'exit 42'

# Deaths by signal: the shell sees the signal (128 + N), no core.
ok_if "killed by SIGTERM: hostrun dies of it (143)" rc_is 143 "$hr" sh -c 'kill -TERM $$'
ok_if "killed by SIGINT: 130" rc_is 130 "$hr" sh -c 'kill -INT $$'
ok_if "killed by SIGKILL: 137" rc_is 137 "$hr" sh -c 'kill -KILL $$'
ok_if "killed by SIGSEGV: 139, and no core here" \
	bash -c "cd '$d' && ulimit -c unlimited; '$hr' sh -c 'ulimit -c 0; kill -SEGV \$\$' 2>/dev/null; rc=\$?; [ \$rc -eq 139 ] && ! ls core* 2>/dev/null | grep -q ."
ok_if "killed by SIGUSR1: 138" rc_is 138 "$hr" sh -c 'kill -USR1 $$'

# Refusals, as env(1).
ok_if "no such program: 127" rc_is 127 "$hr" no-such-program-here
ok_if "... saying so in one line" err_is "hostrun: no-such-program-here: not found on the host"
printf 'not a program\n' >"$d/noexec"
chmod 644 "$d/noexec"
ok_if "not executable: 126" rc_is 126 "$hr" "$d/noexec"
ok_if "... saying so" err_is "hostrun: $d/noexec: permission denied by the host (not allowed by its policy, or not executable)"
printf '\x7fELFjunk' >"$d/badfmt"
chmod 755 "$d/badfmt"
ok_if "not a runnable format: 126" rc_is 126 "$hr" "$d/badfmt"
ok_if "... Exec format error" err_is "hostrun: $d/badfmt: the host cannot run it: Exec format error"
ok_if "refused by the host's policy: 126" rc_is 126 env HOSTRUN_FAKE_DENY=true "$hr" true
ok_if "refused (EPERM): 126" rc_is 126 env HOSTRUN_FAKE_SPAWN_ERR="$(errno_of EPERM)" "$hr" true
ok_if "... saying why it may be" err_is "hostrun: true: the host refuses: interop is disabled, or not allowed for this guest, user or namespace"
ok_if "too long (E2BIG): 126" rc_is 126 env HOSTRUN_FAKE_SPAWN_ERR="$(errno_of E2BIG)" "$hr" true
ok_if "... with the limits" grep -q 'too long for the host (limits: 262144 bytes' "$d/err"
ok_if "host down: 125" rc_is 125 env HOSTRUN_FAKE_SPAWN_ERR="$(errno_of ENOTCONN)" \
	HOSTRUN_FAKE_LAST_ERROR="connect: Connection reset by peer" "$hr" true
ok_if "... with the core's last_error" \
	err_is "hostrun: the host's interop service is not connected (connect: Connection reset by peer)"
ok_if "no device: 125" rc_is 125 env HOSTRUN_FAKE_OPEN_ERR="$(errno_of ENOENT)" "$hr" true
ok_if "... saying what to load" err_is "hostrun: /dev/interop: no such device; is the interop module loaded? (modprobe interop)"
ok_if "no access to the device: 125" rc_is 125 env HOSTRUN_FAKE_OPEN_ERR="$(errno_of EACCES)" "$hr" true
ok_if "... naming the group" err_is "hostrun: /dev/interop: permission denied; it belongs to group interop"
ok_if "usage: no program: 125" rc_is 125 "$hr"
ok_if "... one line, then the usage" bash -c "head -1 '$d/err' | grep -qx 'hostrun: no program given' && grep -q '^Usage:' '$d/err'"
ok_if "usage: unknown option: 125" rc_is 125 "$hr" --bogus
ok_if "usage: -t with -n: 125" rc_is 125 "$hr" -t -n true
ok_if "usage: --magic without --register-binfmt: 125" rc_is 125 "$hr" --magic 4d5a
ok_if "--help: 0" rc_is 0 "$hr" --help
ok_if "--version: 0, the version" bash -c "'$hr' --version | grep -q '^hostrun (hostlink) '"
ok_if "options after PROG are PROG's" rc_is 0 "$hr" sh -c 'test "$1" = -t' sh -t

# argv byte for byte: spaces, quotes, newlines, UTF-8, empty strings.
args=("a b" "'q'" '"dq"' $'line1\nline2' "é ü 漢字" "" "-x" "--" '$HOME' '\\' "")
printf '%s\0' "${args[@]}" >"$d/want-argv"
ok_if "argv byte-exact" bash -c "'$hr' sh -c 'for a; do printf \"%s\\\\0\" \"\$a\"; done' sh \"\$@\" >'$d/got-argv' && cmp -s '$d/got-argv' '$d/want-argv'" sh "${args[@]}"

# The environment: the defaults and HOSTRUN_ENV's names, nothing else.
envtest() { env -i PATH="$PATH" HOME="$HOME" HOSTRUN_FAKE_MAP="$d:$d" TERM=dumb LANG=C.UTF-8 \
	LC_TIME=C FOO=foo FOOBAR=foobar BAR=bar LD_PRELOAD=/nonexistent.so "$@" "$hr" env; }
ok_if "env: no HOSTRUN_ENV" rc_is 0 envtest
ok_if "... TERM, LANG, LC_* sent" bash -c "grep -qx TERM=dumb '$d/out' && grep -qx LANG=C.UTF-8 '$d/out' && grep -qx LC_TIME=C '$d/out'"
ok_if "... FOO, BAR, LD_PRELOAD, HOSTRUN_FAKE_MAP not" \
	bash -c "! grep -qE '^(FOO|FOOBAR|BAR|LD_PRELOAD|HOSTRUN_FAKE_MAP)=' '$d/out'"
ok_if "env: HOSTRUN_ENV=FOO:BAR" rc_is 0 envtest HOSTRUN_ENV=FOO:BAR
ok_if "... FOO and BAR sent, FOOBAR and LD_PRELOAD not" \
	bash -c "grep -qx FOO=foo '$d/out' && grep -qx BAR=bar '$d/out' && ! grep -qE '^(FOOBAR|LD_PRELOAD)=' '$d/out'"
ok_if "env: HOSTRUN_ENV=FOO* takes both FOO and FOOBAR" \
	bash -c "env -i PATH=\"\$PATH\" FOO=1 FOOBAR=2 HOSTRUN_ENV='FOO*' '$hr' env | grep -c '^FOO' | grep -qx 2"

# stdin: EOF is SHUT_WR (the program sees it and goes on).
ok_if "stdin EOF reaches the program, which then writes" \
	bash -c "printf abc | '$hr' sh -c 'cat; echo after-eof' 2>/dev/null | cmp -s - <(printf 'abcafter-eof\n')"
ok_if "stdin closed: the program reads /dev/null, our stdio stays ours" \
	bash -c "[ \"\$('$hr' sh -c 'cat; echo end' <&-)\" = end ]"
ok_if "stdout closed: no socket taken for it, the program runs" \
	bash -c "'$hr' sh -c 'echo x; exit 3' >&- 2>/dev/null; [ \$? = 3 ]"
ok_if "-n: the program reads nothing" bash -c "echo data | '$hr' -n cat | cmp -s - /dev/null"
ok_if "stdin /dev/null: STDIN_NULL sent" bash -c ": >'$d/log'; '$hr' true </dev/null >/dev/null 2>'$d/e'; grep -q 'flags=0x6 ' '$d/log'"

# Big data both ways, seeded, checked.
gen() { python3 -c "
import random, sys
r = random.Random($1)
out = sys.stdout.buffer
for _ in range($2):
    out.write(r.randbytes(65536))
"; }
ok_if "8 MiB through hostrun cat, both ways" \
	bash -c "$(declare -f gen); cmp <(gen 7 128) <(gen 7 128 | '$hr' cat)"
ok_if "8 MiB from the host program, to stdout" \
	bash -c "$(declare -f gen); cmp <(gen 9 128) <('$hr' python3 -c 'import random,sys
r=random.Random(9)
for _ in range(128): sys.stdout.buffer.write(r.randbytes(65536))')"
ok_if "4 MiB each on stdout and stderr at once, apart" \
	bash -c "'$hr' python3 -c 'import os
a=b\"o\"*65536; e=b\"e\"*65536
for _ in range(64): os.write(1,a); os.write(2,e)' >'$d/o' 2>'$d/e'; [ \$(tr -d o <'$d/o' | wc -c) = 0 ] && [ \$(wc -c <'$d/o') = 4194304 ] && [ \$(tr -d e <'$d/e' | wc -c) = 0 ] && [ \$(wc -c <'$d/e') = 4194304 ]"
ok_if "stdin unread once the program exits (hostrun does not wait for EOF)" \
	bash -c "yes | '$hr' head -c 3 | cmp -s - <(printf 'y\ny')"

bgchild_case() {
	local pid

	: >"$d/log"
	[ "$(timeout 60 "$hr" sh -c 'sleep 60 & echo $!' 2>/dev/null)" -gt 0 ] || return 1
	pid=$(timeout 60 "$hr" sh -c 'sleep 60 & echo $!' 2>/dev/null)
	gone "$pid"
}
ok_if "a background child holding stdout does not hold hostrun (and is gone after)" bgchild_case

# stderr apart, or merged when fds 1 and 2 are one file.
ok_if "stderr apart" bash -c "'$hr' sh -c 'echo o; echo e >&2' >'$d/o' 2>'$d/e'; [ \"\$(cat '$d/o')\" = o ] && [ \"\$(cat '$d/e')\" = e ]"
ok_if "... with STDERR_STREAM" bash -c ": >'$d/log'; '$hr' true >/dev/null 2>'$d/e'; grep -q 'flags=0x6 ' '$d/log'"
ok_if "2>&1: merged, in order" bash -c "'$hr' sh -c 'echo 1; echo 2 >&2; echo 3; echo 4 >&2' 2>&1 | tr -d '\n' | grep -qx 1234"
ok_if "... without STDERR_STREAM" bash -c ": >'$d/log'; '$hr' true >'$d/o' 2>&1; grep -q 'flags=0x2 ' '$d/log'"

# Our stdout closed early: SHUT_RD, the program dies of SIGPIPE, so do we.
ok_if "hostrun yes | head -1: PIPESTATUS 141" \
	bash -c ": >'$d/log'; '$hr' yes | head -1 >/dev/null; [ \${PIPESTATUS[0]} = 141 ]"
ok_if "... the program died of SIGPIPE (13)" grep -qx 'exit 2 13' "$d/log"
ok_if "... and is gone" gone "$(spawned_pid)"

# Forwarded signals reach the program (it traps them and says so).
trapper='exec 2>/dev/null; for s in INT TERM HUP QUIT USR1 USR2; do trap "echo got-$s; exit 0" $s; done; echo ready; while :; do sleep 1 & wait $!; done'
sig_case() {
	local rc

	bg_start "$hr" sh -c "$trapper"
	bg_line
	[ "$line" = ready ] || return 1
	kill -"$1" $bg
	bg_line
	wait $bg
	rc=$?
	exec 3<&-
	[ "$line" = "got-$1" ] && [ $rc = 0 ] || { echo "# got '$line', rc $rc"; return 1; }
}
for sig in INT TERM HUP QUIT USR1 USR2; do
	ok_if "SIG$sig forwarded to the program" sig_case $sig
done
term_case() {
	bg_start "$hr" sh -c 'echo ready; exec sleep 100'
	bg_line
	kill -TERM $bg
	wait $bg
	[ $? = 143 ]
}
ok_if "an untrapped SIGTERM forwarded: the program and hostrun die of it" term_case

# The fake host killed: 125, saying the host was lost; no program left.
lost_case() {
	local rc pid

	: >"$d/log"
	bg_start "$hr" sh -c 'echo ready; exec sleep 100'
	bg_line
	pid=$(spawned_pid)
	kill -KILL "$(pgrep -P $bg)"
	bg_line
	wait $bg
	rc=$?
	[ $rc = 125 ] && gone "$pid" && [ "$line" = "hostrun: lost the host during the program's run" ]
}
ok_if "host lost mid-run: 125, the program gone, one line why" lost_case
killed_case() {
	local pid

	: >"$d/log"
	bg_start "$hr" sh -c 'echo ready; exec sleep 100'
	bg_line
	pid=$(spawned_pid)
	kill -KILL $bg
	wait $bg
	gone "$pid" && grep -qx close "$d/log"
}
ok_if "hostrun killed: the session closes, the program is gone" killed_case

# Guest paths: -g and relative paths with a '/', made absolute.
mkdir -p "$d/sub" "$d/out-of-map"
printf '#!/bin/sh\nprintf "%%s|" "$0" "$@"\n' >"$d/sub/prog"
chmod 755 "$d/sub/prog"
ok_if "a relative path with / is a guest path, made absolute" rc_is 0 "$hr" sub/prog a "b c"
ok_if "... the host got it absolute" bash -c "[ \"\$(cat '$d/out')\" = '$d/sub/prog|a|b c|' ]"
ok_if "... with GUEST_PATH" grep -q 'flags=0xe ' "$d/log"
ok_if "-g with a bare name: a guest path in the cwd" bash -c "cd '$d/sub' && '$hr' -g prog x | grep -qx '$d/sub/prog|x|'"
ok_if "a guest path that does not exist: 127" rc_is 127 "$hr" sub/nothing
ok_if "... saying so" err_is "hostrun: sub/nothing: No such file or directory"
cp "$d/sub/prog" "$d/out-of-map/prog"
ok_if "a guest file outside the map: 127" rc_is 127 env HOSTRUN_FAKE_MAP="$d/sub:$d/sub" "$hr" -q out-of-map/prog
ok_if "... not shared, it says" err_is "hostrun: $d/out-of-map/prog: not shared with the host (outside its path map)"
ok_if "a cwd outside the map: HOME, with a warning" rc_is 0 env HOSTRUN_FAKE_MAP=/nonexistent:/x HOME="$d/sub" "$hr" pwd
ok_if "... the program ran in HOME" bash -c "[ \"\$(cat '$d/out')\" = '$d/sub' ] && grep -q 'is not shared with the host; the program runs in the host user.s home' '$d/err'"
ok_if "-q: no warning" bash -c "HOSTRUN_FAKE_MAP=/nonexistent:/x '$hr' -q true 2>&1 | cmp -s - /dev/null"
ok_if "a cwd outside the map, refused: 126" rc_is 126 env HOSTRUN_FAKE_MAP=/nonexistent:/x HOSTRUN_FAKE_CWD_REFUSE=1 "$hr" true
ok_if "... saying so" err_is "hostrun: $d: the current directory is not shared with the host, which refuses to run there"
ok_if "--cwd DIR: the program runs there" bash -c "'$hr' --cwd sub pwd | grep -qx '$d/sub'"
ok_if "--cwd a missing directory: 127 and a message" rc_is 127 "$hr" --cwd nodir true

# The binfmt interpreter: argv[1] the file (maybe relative), argv[2]
# the original argv[0], then the arguments.
ok_if "hostrun-binfmt FILE ARGV0 ARGS" rc_is 0 "$fake/hostrun-binfmt" sub/prog prog-argv0 "x y" ""
ok_if "... runs FILE (absolute) with ARGS" bash -c "[ \"\$(cat '$d/out')\" = '$d/sub/prog|x y||' ]"
ok_if "... as a guest path" grep -q 'flags=0xe ' "$d/log"
ok_if "hostrun-binfmt without ARGV0: 125" rc_is 125 "$fake/hostrun-binfmt" sub/prog
ok_if "... with its usage" err_is "hostrun: usage: hostrun-binfmt FILE ARGV0 [ARG]... (run by binfmt_misc with flag P)"
ln -sf hostrun "$fake/sh"
ok_if "a link named sh runs the host's sh, options untouched" \
	bash -c "[ \"\$('$fake/sh' -c 'echo \$0:\$1' -t x)\" = '-t:x' ]"
rm -f "$fake/sh"

# --path, --guest-path.
ok_if "--path: a guest path to the host's" bash -c "HOSTRUN_FAKE_MAP='/g:/h' '$hr' --path /g/a/b | grep -qx /h/a/b"
ok_if "--path: relative, made absolute" bash -c "HOSTRUN_FAKE_MAP='$d:/h' '$hr' --path sub/x | grep -qx /h/sub/x"
ok_if "--guest-path: the host's to the guest's" bash -c "HOSTRUN_FAKE_MAP='/g:/h' '$hr' --guest-path /h/c | grep -qx /g/c"
ok_if "--path outside the map: 1" rc_is 1 env HOSTRUN_FAKE_MAP=/g:/h "$hr" --path /other
ok_if "... saying so" err_is "hostrun: /other: outside the host's path map"
ok_if "--guest-path relative: 125" rc_is 125 "$hr" --guest-path rel
ok_if "--path twice: 125" rc_is 125 "$hr" --path /a --path /b

# The real device calls, on what is not the device.
real=${O:-$top/build}/tools/hostrun/hostrun
ok_if "real build, no device: 125" rc_is 125 env HOSTRUN_DEVICE="$d/no-interop" "$real" true
ok_if "... saying what to load" err_is "hostrun: $d/no-interop: no such device; is the interop module loaded? (modprobe interop)"
ok_if "real build, not the device: 125" rc_is 125 env HOSTRUN_DEVICE=/dev/null "$real" true
ok_if "... saying so" err_is "hostrun: /dev/null: not an interop device"
ok_if "real build, --path on not the device: 125" rc_is 125 env HOSTRUN_DEVICE=/dev/null "$real" --path /x
ok_if "real build, a missing program needs no device: 127" rc_is 127 env HOSTRUN_DEVICE=/dev/null "$real" ./no-such

# --register-binfmt against a stand-in directory.
mkdir "$d/bm"
: >"$d/bm/register"
ok_if "--register-binfmt writes WSL's form of the line" rc_is 0 "$hr" --register-binfmt --binfmt-misc "$d/bm"
ok_if "... :hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF" \
	bash -c "[ \"\$(cat '$d/bm/register')\" = ':hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF' ]"
: >"$d/bm/register"
ok_if "--magic 7f454c46" rc_is 0 "$hr" --register-binfmt --magic 7f454c46 --binfmt-misc "$d/bm"
ok_if "... escaped where it must be" \
	bash -c "[ \"\$(cat '$d/bm/register')\" = ':hostrun:M::\\x7fELF::/usr/lib/hostlink/hostrun-binfmt:PF' ]"
ok_if "--magic zz: 125" rc_is 125 "$hr" --register-binfmt --magic zz --binfmt-misc "$d/bm"
ok_if "... one line" err_is "hostrun: --magic zz: not an even number of hex digits (at most 256)"
ok_if "binfmt.d/hostrun.conf has the same line" \
	bash -c "grep -v '^#' '$top/tools/hostrun/binfmt.d/hostrun.conf' | grep -qx ':hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF'"
tap_done
