/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * interop wire protocol: the exec service's operations and events,
 * carried in hostlink REQUEST/REPLY/EVENT frames
 * (include/uapi/linux/hostlink.h) between interop.ko and the interop
 * service of hostlinkd, which runs host programs for the guest.
 *
 * The only interop header the host daemon includes.  The prose, with
 * every op's errors, the session's life, ordering and the
 * compatibility policy, is Documentation/interop-protocol.rst.
 *
 * As in hostlink.h: everything is little-endian; every structure is a
 * multiple of 8 bytes, every field is naturally aligned and there is no
 * implicit padding, so the layout is the same on every ABI; reserved
 * fields are sent as zero and checked.  Strings are bytes ending in a
 * NUL, never pointers.  Signals are numbered as in the asm-generic
 * (x86, arm64, riscv) ABI on both sides, whatever the host's own
 * numbers are.  tools/hostlinkd/tests/interop_wire_test.c holds the
 * header to the sizes and offsets given beside each structure.
 */
#ifndef _UAPI_LINUX_INTEROP_WIRE_H
#define _UAPI_LINUX_INTEROP_WIRE_H

#include <linux/types.h>
#include <linux/hostlink.h>

/* The hostlink service name (port HOSTLINK_PORT_INTEROP). */
#define INTEROP_WIRE_SERVICE	"interop"

/* interop protocol versions this header describes (INFO, not hostlink's). */
#define INTEROP_WIRE_VERSION_MIN	1
#define INTEROP_WIRE_VERSION_MAX	1

/*
 * Limits.  Fixed by the protocol version; each side refuses more.  The
 * host may have smaller limits of its own, which INFO reports.
 */
#define INTEROP_WIRE_MAX_ARG_BYTES	(256U << 10)	/* OPEN's strings */
#define INTEROP_WIRE_MAX_ARGC		65536	/* argv strings */
#define INTEROP_WIRE_MAX_ENVC		4096	/* env strings */
#define INTEROP_WIRE_MAX_PATH		4096	/* a path, NUL included */
#define INTEROP_WIRE_MAX_SESSIONS	1024	/* per control connection */
#define INTEROP_WIRE_SIG_MAX		64	/* signals are 1 to 64 */

/*
 * Request bytes of an OPEN that are not strings: the hostlink credential
 * block (64) and struct interop_wire_open (32).  The strings of an OPEN
 * are at most the agreed max_frame minus this (and at most
 * INTEROP_WIRE_MAX_ARG_BYTES).
 */
#define INTEROP_WIRE_OPEN_OVERHEAD	96

/**
 * enum interop_wire_op - operations: the hostlink header's op
 * @INTEROP_WIRE_OP_INFO: version, features and the host's limits; the
 *	first request of every control connection.  interop_wire_info ->
 *	interop_wire_info_reply.
 * @INTEROP_WIRE_OP_OPEN: a new session: interop_wire_open + strings ->
 *	interop_wire_open_reply (a token per stream).
 * @INTEROP_WIRE_OP_START: start the session's program once its streams
 *	are attached: interop_wire_session -> empty, or the exec errno.
 * @INTEROP_WIRE_OP_SIGNAL: interop_wire_signal -> empty.
 * @INTEROP_WIRE_OP_RESIZE: the pty's size: interop_wire_resize -> empty.
 * @INTEROP_WIRE_OP_CLOSE: end the session: interop_wire_session ->
 *	empty.
 * @INTEROP_WIRE_OP_MAPPATH: translate a path between guest and host:
 *	interop_wire_mappath + path -> the other side's path.
 */
enum interop_wire_op {
	INTEROP_WIRE_OP_INFO = 1,
	INTEROP_WIRE_OP_OPEN = 2,
	INTEROP_WIRE_OP_START = 3,
	INTEROP_WIRE_OP_SIGNAL = 4,
	INTEROP_WIRE_OP_RESIZE = 5,
	INTEROP_WIRE_OP_CLOSE = 6,
	INTEROP_WIRE_OP_MAPPATH = 7,
};

/**
 * enum interop_wire_event - events: the op of a hostlink EVENT frame
 * @INTEROP_WIRE_EV_EXIT: a started session's program ended;
 *	interop_wire_ev_exit.  Exactly one per started session.
 */
enum interop_wire_event {
	INTEROP_WIRE_EV_EXIT = 1,
};

/*
 * interop feature bits, announced in INFO; the intersection applies.
 * Version 1 has none.  The service needs HOSTLINK_FEAT_EVENTS and
 * HOSTLINK_FEAT_ATTACH in force on the connection (else INFO gets
 * EOPNOTSUPP).
 */
#define INTEROP_WIRE_FEAT_ALL	0ULL

/**
 * struct interop_wire_info - INFO request (16 bytes)
 * @min_version: lowest interop protocol version the guest speaks.
 * @max_version: highest interop protocol version the guest speaks.
 * @__reserved: 0.
 * @features: INTEROP_WIRE_FEAT_* the guest supports.
 */
struct interop_wire_info {
	__le16 min_version;
	__le16 max_version;
	__le32 __reserved;
	__le64 features;
};

/* Host flags in the INFO reply. */
/* A cwd outside the path map is refused (ENOENT), not replaced by HOME. */
#define INTEROP_WIRE_INFO_F_CWD_REFUSE	(1U << 0)
#define INTEROP_WIRE_INFO_F_ALL		INTEROP_WIRE_INFO_F_CWD_REFUSE

/**
 * struct interop_wire_info_reply - INFO reply (40 bytes)
 * @version: the version chosen, the highest both speak.
 * @min_version: lowest version the host speaks.
 * @max_version: highest version the host speaks.
 * @__reserved0: 0.
 * @features: INTEROP_WIRE_FEAT_* in force, a subset of the guest's.
 * @flags: INTEROP_WIRE_INFO_F_*.
 * @max_sessions: sessions this guest may have open at once, 1 to
 *	INTEROP_WIRE_MAX_SESSIONS.
 * @max_arg_bytes: OPEN's strings the host takes, 1 to
 *	INTEROP_WIRE_MAX_ARG_BYTES.
 * @max_argc: argv strings the host takes, 1 to INTEROP_WIRE_MAX_ARGC.
 * @max_envc: env strings the host takes, 0 to INTEROP_WIRE_MAX_ENVC.
 * @__reserved1: 0.
 */
struct interop_wire_info_reply {
	__le16 version;
	__le16 min_version;
	__le16 max_version;
	__le16 __reserved0;
	__le64 features;
	__le32 flags;
	__le32 max_sessions;
	__le32 max_arg_bytes;
	__le32 max_argc;
	__le32 max_envc;
	__le32 __reserved1;
};

/* OPEN flags. */
/* stdin and stdout are a host pty (@rows, @cols); stdout carries stderr too. */
#define INTEROP_WIRE_OPEN_F_PTY		(1U << 0)
/* No stdin stream: the program's stdin is /dev/null.  Not with PTY. */
#define INTEROP_WIRE_OPEN_F_STDIN_NULL	(1U << 1)
/* stderr has a stream of its own, else it goes where stdout goes. */
#define INTEROP_WIRE_OPEN_F_STDERR_STREAM	(1U << 2)
/* argv[0] is a guest path, to be mapped (interop_path_map), not a host one. */
#define INTEROP_WIRE_OPEN_F_GUEST_PATH	(1U << 3)
#define INTEROP_WIRE_OPEN_F_ALL		(INTEROP_WIRE_OPEN_F_PTY | \
					 INTEROP_WIRE_OPEN_F_STDIN_NULL | \
					 INTEROP_WIRE_OPEN_F_STDERR_STREAM | \
					 INTEROP_WIRE_OPEN_F_GUEST_PATH)

/**
 * struct interop_wire_open - OPEN request (32 bytes), followed by
 *	@strings_len bytes of strings
 * @session: the session id the guest chose: not 0, not in use on the
 *	connection.
 * @flags: INTEROP_WIRE_OPEN_F_*.
 * @rows: the pty's rows: not 0 with PTY, 0 without.
 * @cols: the pty's columns: the same.
 * @argc: argv strings, 1 to INTEROP_WIRE_MAX_ARGC.
 * @envc: env strings ("NAME=value"), 0 to INTEROP_WIRE_MAX_ENVC.
 * @strings_len: bytes of strings that follow, exactly the rest of the
 *	payload: @argc argv strings, @envc env strings, then the cwd, each
 *	ending in a NUL (argc + envc + 1 NULs in all, the last byte one
 *	of them).  At most INTEROP_WIRE_MAX_ARG_BYTES.
 * @__reserved: 0.
 */
struct interop_wire_open {
	__le64 session;
	__le32 flags;
	__le16 rows;
	__le16 cols;
	__le32 argc;
	__le32 envc;
	__le32 strings_len;
	__le32 __reserved;
};

/* Streams of a session, in the OPEN reply's @streams and token order. */
#define INTEROP_WIRE_STREAM_STDIN	(1U << 0)
#define INTEROP_WIRE_STREAM_STDOUT	(1U << 1)
#define INTEROP_WIRE_STREAM_STDERR	(1U << 2)
#define INTEROP_WIRE_STREAMS		3

/* OPEN reply flags. */
/* The cwd was not in the path map: the program starts in the user's HOME. */
#define INTEROP_WIRE_OPENED_F_CWD_HOME	(1U << 0)
#define INTEROP_WIRE_OPENED_F_ALL	INTEROP_WIRE_OPENED_F_CWD_HOME

/**
 * struct interop_wire_open_reply - OPEN reply (104 bytes)
 * @streams: INTEROP_WIRE_STREAM_* the session has: STDOUT always, STDIN
 *	unless STDIN_NULL, STDERR with STDERR_STREAM.
 * @flags: INTEROP_WIRE_OPENED_F_*.
 * @token: one hostlink token per stream, indexed stdin 0, stdout 1,
 *	stderr 2; all zero for a stream the session does not have.  Each
 *	is good for one ATTACH within 10 seconds, as hostlink's tokens are.
 */
struct interop_wire_open_reply {
	__le32 streams;
	__le32 flags;
	__u8 token[INTEROP_WIRE_STREAMS][HOSTLINK_TOKEN_LEN];
};

/**
 * struct interop_wire_session - START and CLOSE request (8 bytes)
 * @session: the session.
 */
struct interop_wire_session {
	__le64 session;
};

/*
 * Signal numbers as in the asm-generic ABI (include/uapi/asm-generic/
 * signal.h); INTEROP_WIRE_SIGRTMIN to INTEROP_WIRE_SIG_MAX are the
 * real-time ones.  The host maps them to its own.
 */
#define INTEROP_WIRE_SIGHUP	1
#define INTEROP_WIRE_SIGINT	2
#define INTEROP_WIRE_SIGQUIT	3
#define INTEROP_WIRE_SIGILL	4
#define INTEROP_WIRE_SIGTRAP	5
#define INTEROP_WIRE_SIGABRT	6
#define INTEROP_WIRE_SIGBUS	7
#define INTEROP_WIRE_SIGFPE	8
#define INTEROP_WIRE_SIGKILL	9
#define INTEROP_WIRE_SIGUSR1	10
#define INTEROP_WIRE_SIGSEGV	11
#define INTEROP_WIRE_SIGUSR2	12
#define INTEROP_WIRE_SIGPIPE	13
#define INTEROP_WIRE_SIGALRM	14
#define INTEROP_WIRE_SIGTERM	15
#define INTEROP_WIRE_SIGSTKFLT	16
#define INTEROP_WIRE_SIGCHLD	17
#define INTEROP_WIRE_SIGCONT	18
#define INTEROP_WIRE_SIGSTOP	19
#define INTEROP_WIRE_SIGTSTP	20
#define INTEROP_WIRE_SIGTTIN	21
#define INTEROP_WIRE_SIGTTOU	22
#define INTEROP_WIRE_SIGURG	23
#define INTEROP_WIRE_SIGXCPU	24
#define INTEROP_WIRE_SIGXFSZ	25
#define INTEROP_WIRE_SIGVTALRM	26
#define INTEROP_WIRE_SIGPROF	27
#define INTEROP_WIRE_SIGWINCH	28
#define INTEROP_WIRE_SIGIO	29
#define INTEROP_WIRE_SIGPWR	30
#define INTEROP_WIRE_SIGSYS	31
#define INTEROP_WIRE_SIGRTMIN	32

/**
 * struct interop_wire_signal - SIGNAL request (16 bytes)
 * @session: the session.
 * @signo: the signal, 1 to INTEROP_WIRE_SIG_MAX (asm-generic numbers).
 * @__reserved: 0.
 *
 * Sent to the program's process group.
 */
struct interop_wire_signal {
	__le64 session;
	__le32 signo;
	__le32 __reserved;
};

/**
 * struct interop_wire_resize - RESIZE request (16 bytes)
 * @session: the session, which has a pty.
 * @rows: rows, not 0.
 * @cols: columns, not 0.
 * @__reserved: 0.
 */
struct interop_wire_resize {
	__le64 session;
	__le16 rows;
	__le16 cols;
	__le32 __reserved;
};

/* MAPPATH flags. */
/* Host path to guest path; without it, guest to host. */
#define INTEROP_WIRE_MAPPATH_F_TO_GUEST	(1U << 0)
#define INTEROP_WIRE_MAPPATH_F_ALL	INTEROP_WIRE_MAPPATH_F_TO_GUEST

/**
 * struct interop_wire_mappath - MAPPATH request (8 bytes), followed by
 *	@path_len bytes: an absolute path ending in its only NUL
 * @flags: INTEROP_WIRE_MAPPATH_F_*.
 * @path_len: 2 to INTEROP_WIRE_MAX_PATH, exactly the rest of the
 *	payload.
 *
 * The reply is the mapped path, ending in its only NUL, at most
 * INTEROP_WIRE_MAX_PATH bytes.
 */
struct interop_wire_mappath {
	__le32 flags;
	__le32 path_len;
};

/* How a program ended, in struct interop_wire_ev_exit's @how. */
#define INTEROP_WIRE_EXITED	1	/* @value is its exit code */
#define INTEROP_WIRE_SIGNALED	2	/* @value is the signal, 1 to 64 */

/**
 * struct interop_wire_ev_exit - EXIT event (16 bytes)
 * @session: the session.
 * @how: INTEROP_WIRE_EXITED or INTEROP_WIRE_SIGNALED.
 * @value: EXITED: the exit code, all 32 bits the host has (a Linux host
 *	gives 0 to 255); SIGNALED: the signal, 1 to INTEROP_WIRE_SIG_MAX
 *	(asm-generic numbers).
 */
struct interop_wire_ev_exit {
	__le64 session;
	__le32 how;
	__le32 value;
};

#endif /* _UAPI_LINUX_INTEROP_WIRE_H */
