// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contract test of include/uapi/linux/interop_wire.h against
 * Documentation/interop-protocol.rst: every structure's size and
 * every field's offset as documented (compile-time asserts, so a
 * drifted layout does not build, and one TAP line each), the limits
 * and their arithmetic, the signal numbers (asm-generic, which this
 * host's <signal.h> also has on x86 and arm64), and the byte image of
 * the documented example OPEN.
 *
 * Built with -Wpadded as well: a structure with implicit padding is a
 * build failure.  The header comes first, before any libc header, to
 * show that it stands alone.
 */
#include <linux/interop_wire.h>

#include <endian.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "wire_layout.h"

static void t_layout(void)
{
	T_SIZE(interop_wire_info, 16);
	T_OFF(interop_wire_info, max_version, 2);
	T_OFF(interop_wire_info, features, 8);
	T_SIZE(interop_wire_info_reply, 40);
	T_OFF(interop_wire_info_reply, max_version, 4);
	T_OFF(interop_wire_info_reply, features, 8);
	T_OFF(interop_wire_info_reply, flags, 16);
	T_OFF(interop_wire_info_reply, max_sessions, 20);
	T_OFF(interop_wire_info_reply, max_arg_bytes, 24);
	T_OFF(interop_wire_info_reply, max_argc, 28);
	T_OFF(interop_wire_info_reply, max_envc, 32);
	T_SIZE(interop_wire_open, 32);
	T_OFF(interop_wire_open, flags, 8);
	T_OFF(interop_wire_open, rows, 12);
	T_OFF(interop_wire_open, cols, 14);
	T_OFF(interop_wire_open, argc, 16);
	T_OFF(interop_wire_open, envc, 20);
	T_OFF(interop_wire_open, strings_len, 24);
	T_SIZE(interop_wire_open_reply, 104);
	T_OFF(interop_wire_open_reply, flags, 4);
	T_OFF(interop_wire_open_reply, token, 8);
	T_SIZE(interop_wire_session, 8);
	T_SIZE(interop_wire_signal, 16);
	T_OFF(interop_wire_signal, signo, 8);
	T_SIZE(interop_wire_resize, 16);
	T_OFF(interop_wire_resize, rows, 8);
	T_OFF(interop_wire_resize, cols, 10);
	T_SIZE(interop_wire_mappath, 8);
	T_OFF(interop_wire_mappath, path_len, 4);
	T_SIZE(interop_wire_ev_exit, 16);
	T_OFF(interop_wire_ev_exit, how, 8);
	T_OFF(interop_wire_ev_exit, value, 12);
}

static void t_constants(void)
{
	t_ok(!strcmp(INTEROP_WIRE_SERVICE, "interop"), "service name");
	t_ok(INTEROP_WIRE_VERSION_MIN == 1 && INTEROP_WIRE_VERSION_MAX == 1,
	     "version 1");
	t_ok(INTEROP_WIRE_OPEN_OVERHEAD == sizeof(struct hostlink_cred) +
	     sizeof(struct interop_wire_open), "OPEN overhead is cred + body");
	t_ok(INTEROP_WIRE_MAX_ARG_BYTES + INTEROP_WIRE_OPEN_OVERHEAD <=
	     HOSTLINK_FRAME_DEFAULT, "the largest OPEN fits the default frame");
	t_ok(INTEROP_WIRE_MAX_ARG_BYTES == 262144 &&
	     INTEROP_WIRE_MAX_ARGC == 65536 && INTEROP_WIRE_MAX_ENVC == 4096 &&
	     INTEROP_WIRE_MAX_PATH == 4096 && INTEROP_WIRE_MAX_SESSIONS == 1024,
	     "limits as documented");
	/* Each string takes a NUL: counts can never outgrow the bytes. */
	t_ok((uint64_t)INTEROP_WIRE_MAX_ARGC + INTEROP_WIRE_MAX_ENVC + 1 <=
	     INTEROP_WIRE_MAX_ARG_BYTES, "argc + envc + 1 NULs fit the bytes");
	t_ok(INTEROP_WIRE_OPEN_F_ALL == 0xf && INTEROP_WIRE_MAPPATH_F_ALL == 1 &&
	     INTEROP_WIRE_INFO_F_ALL == 1 && INTEROP_WIRE_OPENED_F_ALL == 1 &&
	     INTEROP_WIRE_FEAT_ALL == 0, "flag masks");
	t_ok(INTEROP_WIRE_STREAM_STDIN == 1 && INTEROP_WIRE_STREAM_STDOUT == 2 &&
	     INTEROP_WIRE_STREAM_STDERR == 4 && INTEROP_WIRE_STREAMS == 3,
	     "stream bits in token order");
	t_ok(INTEROP_WIRE_OP_INFO == 1 && INTEROP_WIRE_OP_OPEN == 2 &&
	     INTEROP_WIRE_OP_START == 3 && INTEROP_WIRE_OP_SIGNAL == 4 &&
	     INTEROP_WIRE_OP_RESIZE == 5 && INTEROP_WIRE_OP_CLOSE == 6 &&
	     INTEROP_WIRE_OP_MAPPATH == 7 && INTEROP_WIRE_EV_EXIT == 1,
	     "op and event numbers");
	t_ok(INTEROP_WIRE_EXITED == 1 && INTEROP_WIRE_SIGNALED == 2, "exit kinds");
}

/* The asm-generic numbers, which x86 and arm64 Linux use too. */
static void t_signals(void)
{
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	(defined(__riscv) && __riscv_xlen == 64)
	static const struct { int wire, host; const char *name; } s[] = {
		{ INTEROP_WIRE_SIGHUP, SIGHUP, "HUP" },
		{ INTEROP_WIRE_SIGINT, SIGINT, "INT" },
		{ INTEROP_WIRE_SIGQUIT, SIGQUIT, "QUIT" },
		{ INTEROP_WIRE_SIGILL, SIGILL, "ILL" },
		{ INTEROP_WIRE_SIGTRAP, SIGTRAP, "TRAP" },
		{ INTEROP_WIRE_SIGABRT, SIGABRT, "ABRT" },
		{ INTEROP_WIRE_SIGBUS, SIGBUS, "BUS" },
		{ INTEROP_WIRE_SIGFPE, SIGFPE, "FPE" },
		{ INTEROP_WIRE_SIGKILL, SIGKILL, "KILL" },
		{ INTEROP_WIRE_SIGUSR1, SIGUSR1, "USR1" },
		{ INTEROP_WIRE_SIGSEGV, SIGSEGV, "SEGV" },
		{ INTEROP_WIRE_SIGUSR2, SIGUSR2, "USR2" },
		{ INTEROP_WIRE_SIGPIPE, SIGPIPE, "PIPE" },
		{ INTEROP_WIRE_SIGALRM, SIGALRM, "ALRM" },
		{ INTEROP_WIRE_SIGTERM, SIGTERM, "TERM" },
		{ INTEROP_WIRE_SIGSTKFLT, SIGSTKFLT, "STKFLT" },
		{ INTEROP_WIRE_SIGCHLD, SIGCHLD, "CHLD" },
		{ INTEROP_WIRE_SIGCONT, SIGCONT, "CONT" },
		{ INTEROP_WIRE_SIGSTOP, SIGSTOP, "STOP" },
		{ INTEROP_WIRE_SIGTSTP, SIGTSTP, "TSTP" },
		{ INTEROP_WIRE_SIGTTIN, SIGTTIN, "TTIN" },
		{ INTEROP_WIRE_SIGTTOU, SIGTTOU, "TTOU" },
		{ INTEROP_WIRE_SIGURG, SIGURG, "URG" },
		{ INTEROP_WIRE_SIGXCPU, SIGXCPU, "XCPU" },
		{ INTEROP_WIRE_SIGXFSZ, SIGXFSZ, "XFSZ" },
		{ INTEROP_WIRE_SIGVTALRM, SIGVTALRM, "VTALRM" },
		{ INTEROP_WIRE_SIGPROF, SIGPROF, "PROF" },
		{ INTEROP_WIRE_SIGWINCH, SIGWINCH, "WINCH" },
		{ INTEROP_WIRE_SIGIO, SIGIO, "IO" },
		{ INTEROP_WIRE_SIGPWR, SIGPWR, "PWR" },
		{ INTEROP_WIRE_SIGSYS, SIGSYS, "SYS" },
	};
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i].wire != s[i].host || s[i].wire != (int)i + 1) {
			bad++;
			printf("# SIG%s: wire %d, host %d\n", s[i].name, s[i].wire,
			       s[i].host);
		}
	t_ok(!bad, "signals 1-31 as asm-generic and this host number them");
	t_ok(INTEROP_WIRE_SIGRTMIN == 32 && INTEROP_WIRE_SIG_MAX == 64 &&
	     SIGRTMIN >= INTEROP_WIRE_SIGRTMIN && SIGRTMAX == INTEROP_WIRE_SIG_MAX,
	     "real-time signals 32-64");
#else
	t_ok(1, "# SKIP signal numbers: not an asm-generic host");
	t_ok(1, "# SKIP real-time signals");
#endif
}

/* The documented example OPEN: ls -l, TERM=xterm, cwd /mnt/host/tmp. */
static void t_example(void)
{
	static const char strs[] = "ls\0-l\0TERM=xterm\0/mnt/host/tmp";
	struct interop_wire_open o = {
		.session = htole64(5),
		.flags = htole32(INTEROP_WIRE_OPEN_F_STDERR_STREAM),
		.argc = htole32(2),
		.envc = htole32(1),
		.strings_len = htole32(sizeof(strs)),
	};
	uint8_t img[sizeof(o)];
	unsigned int nuls = 0;
	size_t i;

	memcpy(img, &o, sizeof(o));
	t_ok(sizeof(strs) == 31, "example strings are 31 bytes");
	for (i = 0; i < sizeof(strs); i++)
		nuls += !strs[i];
	t_ok(nuls == 2 + 1 + 1 && !strs[sizeof(strs) - 1],
	     "argc + envc + 1 NULs, the last byte one");
	t_ok(img[0] == 5 && img[8] == 4 && img[16] == 2 && img[20] == 1 &&
	     img[24] == 31, "example body bytes");
}

int main(void)
{
	t_layout();
	t_constants();
	t_signals();
	t_example();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
