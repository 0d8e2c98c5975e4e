/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * interop: the userspace API of /dev/interop, which runs programs on
 * the host, served by the interop service of hostlinkd, as WSL's
 * interop does.
 *
 * INTEROP_SPAWN starts a host program and gives the caller a session fd
 * and a connected stream socket per stdio stream.  The bytes then flow
 * on those sockets directly; the session fd reports the program's end
 * and takes its signals and window size.  Closing the session fd ends
 * the host program (SIGHUP, then SIGKILL after the host's grace).
 *
 * Conventions, the same for every ioctl:
 *
 * - Every argument structure starts with __u32 size and __u32 flags.
 *   @size is sizeof() of the structure as the caller was built; the
 *   kernel accepts any size from the one in this first version of the
 *   header up: a larger structure whose bytes beyond the kernel's are
 *   all zero works as the kernel's, one with a non-zero byte there
 *   fails with E2BIG, a smaller one with EINVAL.  Output fields are
 *   written only up to @size.  Fields are only ever added at the end.
 * - The ioctl number encodes this header's size of the structure, but
 *   the kernel dispatches on the type byte, the number and the
 *   direction only.
 * - Unknown @flags bits and non-zero __reserved fields fail with EINVAL.
 * - User pointers are __aligned_u64 fields named *_uptr, the same on
 *   32-bit and 64-bit callers; every field is naturally aligned and
 *   there is no implicit padding.
 * - Signals are numbered as on the caller's own architecture; the
 *   kernel translates them for the wire.
 * - An ioctl of /dev/interop on a session fd, or the reverse, fails
 *   with ENOTTY.
 *
 * Documentation/interop-protocol.rst is the protocol with the host
 * behind these calls, and says what the host does with each field.
 */
#ifndef _UAPI_LINUX_INTEROP_H
#define _UAPI_LINUX_INTEROP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The ioctl type byte, free in ioctl-number.rst of Linux 6.1 and 6.12
 * ('I' is ISDN's); numbers 0x00-0x3f are interop's.
 */
#define INTEROP_IOCTL_BASE	'Y'

/* The version of this interface, INTEROP_CAPS_GET's out_uapi_version. */
#define INTEROP_UAPI_VERSION	1

/*
 * Limits of version 1.  INTEROP_CAPS_GET reports those in force, which
 * may be lower (the host's limits, the agreed frame, module
 * parameters).
 */
#define INTEROP_MAX_ARG_BYTES	(256U << 10)	/* a spawn's strings */
#define INTEROP_MAX_ARGC	65536		/* argv strings */
#define INTEROP_MAX_ENVC	4096		/* env strings */
#define INTEROP_MAX_SESSIONS	128		/* per uid, the default */

/* Host state flags, in INTEROP_CAPS_GET's out_host_flags. */
/* The host's interop service is connected and answered INFO. */
#define INTEROP_HOST_UP			(1U << 0)
/* The host refuses a cwd outside its path map (else: its user's HOME). */
#define INTEROP_HOST_CWD_REFUSE		(1U << 1)

/**
 * struct interop_caps_get - ioctl(INTEROP_CAPS_GET): versions, limits,
 *	host state
 * @size: (in) sizeof(struct interop_caps_get).
 * @flags: (in) 0.
 * @out_uapi_version: (out) INTEROP_UAPI_VERSION of the driver.
 * @out_host_version: (out) the interop wire protocol version agreed
 *	with the host; 0 while there is no host.
 * @out_spawn_flags: (out) the INTEROP_SPAWN_* flags the driver takes.
 * @out_host_flags: (out) INTEROP_HOST_*.
 * @out_max_sessions: (out) sessions the caller's uid may have open.
 * @out_max_arg_bytes: (out) bytes of a spawn's strings: the least of
 *	INTEROP_MAX_ARG_BYTES, the host's limit and what the agreed frame
 *	holds; INTEROP_MAX_ARG_BYTES while there is no host.
 * @out_max_argc: (out) argv strings of a spawn.
 * @out_max_envc: (out) env strings of a spawn.
 *
 * Works without a host.
 *
 * Errors: EINVAL (@size too small, @flags), E2BIG, EFAULT.
 */
struct interop_caps_get {
	__u32 size;
	__u32 flags;
	__u32 out_uapi_version;
	__u32 out_host_version;
	__u32 out_spawn_flags;
	__u32 out_host_flags;
	__u32 out_max_sessions;
	__u32 out_max_arg_bytes;
	__u32 out_max_argc;
	__u32 out_max_envc;
};

/* INTEROP_SPAWN flags; the same values as the wire's OPEN flags. */
/* stdin and stdout are a host pty of @rows by @cols. */
#define INTEROP_SPAWN_PTY		(1U << 0)
/* No stdin stream: the program reads /dev/null.  Not with PTY. */
#define INTEROP_SPAWN_STDIN_NULL	(1U << 1)
/* stderr gets a stream of its own; else it goes where stdout goes. */
#define INTEROP_SPAWN_STDERR_STREAM	(1U << 2)
/* argv[0] is an absolute guest path, which the host maps to its own. */
#define INTEROP_SPAWN_GUEST_PATH	(1U << 3)
#define INTEROP_SPAWN_ALL		(INTEROP_SPAWN_PTY | \
					 INTEROP_SPAWN_STDIN_NULL | \
					 INTEROP_SPAWN_STDERR_STREAM | \
					 INTEROP_SPAWN_GUEST_PATH)

/* INTEROP_SPAWN's out_flags. */
/* The cwd is outside the host's path map: the program runs in HOME. */
#define INTEROP_SPAWNED_CWD_HOME	(1U << 0)

/**
 * struct interop_spawn - ioctl(INTEROP_SPAWN): run a host program
 * @size: (in) sizeof(struct interop_spawn).
 * @flags: (in) INTEROP_SPAWN_*.
 * @rows: (in) with INTEROP_SPAWN_PTY, the terminal's rows, not 0; else 0.
 * @cols: (in) with INTEROP_SPAWN_PTY, its columns, not 0; else 0.
 * @argc: (in) argv strings, at least 1.
 * @envc: (in) env strings, "NAME=value" each.
 * @strings_len: (in) bytes at @strings_uptr.
 * @strings_uptr: (in) @argc argv strings, @envc env strings, then the
 *	cwd (an absolute guest path, or empty for the host user's HOME),
 *	each ending in a NUL: exactly @argc + @envc + 1 NULs, the last
 *	byte one of them.  argv[0] is the program: a bare name, looked up
 *	in the host's own path, or an absolute host path, or, with
 *	INTEROP_SPAWN_GUEST_PATH, an absolute guest path.
 * @out_session_fd: (out) the session fd, O_CLOEXEC (below).
 * @out_stdin_fd: (out) a socket the program reads as its stdin, or -1
 *	with INTEROP_SPAWN_STDIN_NULL; shutdown(SHUT_WR) is its end of
 *	input.  O_CLOEXEC.
 * @out_stdout_fd: (out) a socket carrying the program's stdout (and
 *	its stderr, without INTEROP_SPAWN_STDERR_STREAM), to EOF.
 *	O_CLOEXEC.
 * @out_stderr_fd: (out) with INTEROP_SPAWN_STDERR_STREAM, a socket
 *	carrying its stderr; else -1.  O_CLOEXEC.
 * @out_flags: (out) INTEROP_SPAWNED_*.
 * @__reserved: 0.
 *
 * The strings are copied once and checked before anything is sent.  On
 * success the program runs; on failure no fd is installed and nothing
 * runs on the host.
 *
 * The session fd: poll() gives POLLIN once the program has ended, and
 * POLLHUP | POLLERR when the host is lost.  read() of at least
 * sizeof(struct interop_exit) bytes gives the program's end (the same
 * each time), fails with EAGAIN before it (O_NONBLOCK; otherwise it
 * waits, interruptibly) and with ENOTCONN once the host is lost;
 * shorter reads fail with EINVAL.  INTEROP_SESSION_SIGNAL and
 * INTEROP_SESSION_RESIZE work on it.  Closing it (its last reference)
 * ends the host program and its streams.
 *
 * Errors: EINVAL (@size, @flags, @__reserved, @argc 0, @rows/@cols
 * against PTY, PTY with STDIN_NULL, strings that do not split as the
 * counts say), E2BIG (@size tail not zero, or more strings than
 * out_max_arg_bytes, out_max_argc or out_max_envc allow), EFAULT,
 * EPERM (interop is disabled, the caller is in a user or pid namespace
 * other than the initial ones and allow_namespaced is off, or the host
 * does not serve this guest or uid), EUSERS (the uid has
 * out_max_sessions open, or the host's session limit), EMFILE, ENOMEM,
 * ENOTCONN (no host, or it was lost during the spawn), ETIMEDOUT,
 * EINTR, EPROTO (the host broke the protocol), and the host's refusals:
 * ENOENT (no such program, a path outside the host's map), EACCES (not
 * allowed by the host's policy, or not executable), ENOEXEC (not a
 * format the host runs).
 */
struct interop_spawn {
	__u32 size;
	__u32 flags;
	__u16 rows;
	__u16 cols;
	__u32 argc;
	__u32 envc;
	__u32 strings_len;
	__aligned_u64 strings_uptr;
	__s32 out_session_fd;
	__s32 out_stdin_fd;
	__s32 out_stdout_fd;
	__s32 out_stderr_fd;
	__u32 out_flags;
	__u32 __reserved;
};

/* How a program ended, struct interop_exit's @how. */
#define INTEROP_EXITED		1	/* @value is its exit code */
#define INTEROP_SIGNALED	2	/* @value is the signal */

/**
 * struct interop_exit - what read() of a session fd gives
 * @how: INTEROP_EXITED or INTEROP_SIGNALED.
 * @value: INTEROP_EXITED: the exit code, all 32 bits the host gave
 *	(a Linux host gives 0 to 255); INTEROP_SIGNALED: the signal that
 *	killed it, in the caller's numbers.
 */
struct interop_exit {
	__u32 how;
	__u32 value;
};

/**
 * struct interop_session_signal - ioctl(INTEROP_SESSION_SIGNAL) on a
 *	session fd: signal the program's process group
 * @size: (in) sizeof(struct interop_session_signal).
 * @flags: (in) 0.
 * @signo: (in) the signal, 1 to SIGRTMAX, in the caller's numbers.
 * @__reserved: 0.
 *
 * Succeeds and does nothing once the program has ended.
 *
 * Errors: EINVAL (@size, @flags, @__reserved, @signo out of range or
 * one the host cannot send), E2BIG, EFAULT, ENOTCONN (the host is
 * lost), ETIMEDOUT, EINTR, EPROTO.
 */
struct interop_session_signal {
	__u32 size;
	__u32 flags;
	__u32 signo;
	__u32 __reserved;
};

/**
 * struct interop_session_resize - ioctl(INTEROP_SESSION_RESIZE) on a
 *	session fd: the pty's new size
 * @size: (in) sizeof(struct interop_session_resize).
 * @flags: (in) 0.
 * @rows: (in) rows, not 0.
 * @cols: (in) columns, not 0.
 * @__reserved: 0.
 *
 * The program gets SIGWINCH from its pty.  Succeeds and does nothing
 * once the program has ended.
 *
 * Errors: EINVAL (@size, @flags, @__reserved, a size 0, a session
 * without INTEROP_SPAWN_PTY), E2BIG, EFAULT, ENOTCONN, ETIMEDOUT,
 * EINTR, EPROTO.
 */
struct interop_session_resize {
	__u32 size;
	__u32 flags;
	__u16 rows;
	__u16 cols;
	__u32 __reserved;
};

/* INTEROP_MAP_PATH flags; the same values as the wire's MAPPATH flags. */
/* Host path to guest path; without it, guest path to host path. */
#define INTEROP_MAP_TO_GUEST		(1U << 0)
#define INTEROP_MAP_ALL			INTEROP_MAP_TO_GUEST

/* The longest path either way, its NUL included. */
#define INTEROP_MAX_PATH		4096

/**
 * struct interop_map_path - ioctl(INTEROP_MAP_PATH) on /dev/interop:
 *	translate a path through the host's path map, as wslpath does
 * @size: (in) sizeof(struct interop_map_path).
 * @flags: (in) INTEROP_MAP_*.
 * @in_len: (in) bytes at @in_uptr: an absolute path ending in its only
 *	NUL, 2 to INTEROP_MAX_PATH.
 * @out_len: (in) room at @out_uptr, at least 2.
 * @in_uptr: (in) the path.
 * @out_uptr: (in) where the mapped path goes, ending in its NUL.
 * @out_path_len: (out) bytes of the mapped path, its NUL included; with
 *	ERANGE, the room it needs.
 * @__reserved: 0.
 *
 * Only the path is mapped (lexically: "." and ".." resolved, no
 * symlink followed); the file need not exist.
 *
 * Errors: EINVAL (@size, @flags, @__reserved, a path that is not
 * absolute or not NUL-terminated where @in_len says), E2BIG, EFAULT,
 * ERANGE (@out_len too small; @out_path_len says how much),
 * ENAMETOOLONG (the result is longer than INTEROP_MAX_PATH), ENOENT
 * (the path is outside the host's map), EPERM, ENOTCONN, ETIMEDOUT,
 * EINTR, EPROTO.
 */
struct interop_map_path {
	__u32 size;
	__u32 flags;
	__u32 in_len;
	__u32 out_len;
	__aligned_u64 in_uptr;
	__aligned_u64 out_uptr;
	__u32 out_path_len;
	__u32 __reserved;
};

enum interop_ioctl_nr {
	INTEROP_NR_CAPS_GET = 0x00,
	INTEROP_NR_SPAWN = 0x01,
	INTEROP_NR_SESSION_SIGNAL = 0x02,
	INTEROP_NR_SESSION_RESIZE = 0x03,
	INTEROP_NR_MAP_PATH = 0x04,
	INTEROP_NR_COUNT
};

/* On /dev/interop. */
#define INTEROP_CAPS_GET	_IOWR(INTEROP_IOCTL_BASE, INTEROP_NR_CAPS_GET, \
				      struct interop_caps_get)
#define INTEROP_SPAWN		_IOWR(INTEROP_IOCTL_BASE, INTEROP_NR_SPAWN, \
				      struct interop_spawn)
#define INTEROP_MAP_PATH	_IOWR(INTEROP_IOCTL_BASE, INTEROP_NR_MAP_PATH, \
				      struct interop_map_path)
/* On a session fd. */
#define INTEROP_SESSION_SIGNAL	_IOW(INTEROP_IOCTL_BASE, \
				     INTEROP_NR_SESSION_SIGNAL, \
				     struct interop_session_signal)
#define INTEROP_SESSION_RESIZE	_IOW(INTEROP_IOCTL_BASE, \
				     INTEROP_NR_SESSION_RESIZE, \
				     struct interop_session_resize)

#endif /* _UAPI_LINUX_INTEROP_H */
