// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contract test of include/uapi/linux/interop.h, the ioctl interface
 * of /dev/interop and its session fds: every structure's size and
 * every field's offset (compile-time asserts, so a drifted layout does
 * not build, and one TAP line each); size and flags first in every
 * argument structure; 64-bit pointers; the ioctl numbers (type byte,
 * number, direction and encoded size of each, all distinct); the type
 * byte free in the kernel's ioctl-number.rst of 6.1 and 6.12; the
 * values shared with <linux/interop_wire.h>, which the driver passes
 * through unchanged.  The number checker is also run on broken tables,
 * to show that it fails them.
 *
 * Built with -Wpadded and -Wpedantic, and its layout part also with
 * -m32 where the compiler can.  The header comes first, before any libc
 * header.
 */
#include <linux/interop.h>

#include <stddef.h>

#include "uapi_layout.h"

#define INTEROP_LAYOUT							\
	X_ARG(interop_caps_get, 40)					\
	X_OFF(interop_caps_get, out_uapi_version, 8)			\
	X_OFF(interop_caps_get, out_host_version, 12)			\
	X_OFF(interop_caps_get, out_spawn_flags, 16)			\
	X_OFF(interop_caps_get, out_host_flags, 20)			\
	X_OFF(interop_caps_get, out_max_sessions, 24)			\
	X_OFF(interop_caps_get, out_max_arg_bytes, 28)			\
	X_OFF(interop_caps_get, out_max_argc, 32)			\
	X_OFF(interop_caps_get, out_max_envc, 36)			\
	X_ARG(interop_spawn, 56)					\
	X_OFF(interop_spawn, rows, 8)					\
	X_OFF(interop_spawn, cols, 10)					\
	X_OFF(interop_spawn, argc, 12)					\
	X_OFF(interop_spawn, envc, 16)					\
	X_OFF(interop_spawn, strings_len, 20)				\
	X_U64(interop_spawn, strings_uptr)				\
	X_OFF(interop_spawn, strings_uptr, 24)				\
	X_OFF(interop_spawn, out_session_fd, 32)			\
	X_OFF(interop_spawn, out_stdin_fd, 36)				\
	X_OFF(interop_spawn, out_stdout_fd, 40)				\
	X_OFF(interop_spawn, out_stderr_fd, 44)				\
	X_OFF(interop_spawn, out_flags, 48)				\
	X_SIZE(interop_exit, 8)						\
	X_OFF(interop_exit, value, 4)					\
	X_ARG(interop_session_signal, 16)				\
	X_OFF(interop_session_signal, signo, 8)				\
	X_ARG(interop_session_resize, 16)				\
	X_OFF(interop_session_resize, rows, 8)				\
	X_OFF(interop_session_resize, cols, 10)				\
	X_ARG(interop_map_path, 40)					\
	X_OFF(interop_map_path, in_len, 8)				\
	X_OFF(interop_map_path, out_len, 12)				\
	X_U64(interop_map_path, in_uptr)				\
	X_OFF(interop_map_path, in_uptr, 16)				\
	X_U64(interop_map_path, out_uptr)				\
	X_OFF(interop_map_path, out_uptr, 24)				\
	X_OFF(interop_map_path, out_path_len, 32)

/* The compile-time asserts (uapi_layout.h). */
INTEROP_LAYOUT

_Static_assert(INTEROP_IOCTL_BASE != 'X', "'X' belongs to XFS and others");
_Static_assert(INTEROP_IOCTL_BASE != 'I', "'I' belongs to ISDN");
_Static_assert(INTEROP_IOCTL_BASE != 'J', "'J' is dxg's");

#ifndef INTEROP_LAYOUT_ONLY

#include <linux/interop_wire.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "uapi_tap.h"

static void t_layout(void)
{
	INTEROP_LAYOUT
}

static const struct t_ioctl t_ioctls[] = {
	T_IOCTL(INTEROP_CAPS_GET, 0x00, T_WR, interop_caps_get),
	T_IOCTL(INTEROP_SPAWN, 0x01, T_WR, interop_spawn),
	T_IOCTL(INTEROP_SESSION_SIGNAL, 0x02, T_W, interop_session_signal),
	T_IOCTL(INTEROP_SESSION_RESIZE, 0x03, T_W, interop_session_resize),
	T_IOCTL(INTEROP_MAP_PATH, 0x04, T_WR, interop_map_path),
};

_Static_assert(T_COUNT(t_ioctls) == INTEROP_NR_COUNT,
	       "every ioctl of the header is in the table");

static void t_numbers(void)
{
	t_check_numbers(t_ioctls, T_COUNT(t_ioctls), INTEROP_NR_COUNT, INTEROP_IOCTL_BASE);
}

/*
 * The type byte is in no line of the kernel's ioctl-number.rst, as
 * Linux 6.1 and 6.12 have it: the printable codes that either lists
 * (as a character or in hex), taken from those files.  A code listed
 * there would be a clash.
 */
static void t_type_byte(void)
{
	static const char listed[] =
		" !\"#$%&*1238;=>@ABCDEFGHIKLMNOPQRSTUVWXZ[abcdefghijklmnopqrstuvwyz|";
	char code = INTEROP_IOCTL_BASE;

	t_ok(code == 'Y', "type byte 'Y'");
	t_ok(!strchr(listed, code), "'%c' is not in ioctl-number.rst of 6.1 or 6.12",
	     code);
}

static void t_wire(void)
{
	t_ok(INTEROP_SPAWN_PTY == INTEROP_WIRE_OPEN_F_PTY &&
	     INTEROP_SPAWN_STDIN_NULL == INTEROP_WIRE_OPEN_F_STDIN_NULL &&
	     INTEROP_SPAWN_STDERR_STREAM == INTEROP_WIRE_OPEN_F_STDERR_STREAM &&
	     INTEROP_SPAWN_GUEST_PATH == INTEROP_WIRE_OPEN_F_GUEST_PATH &&
	     INTEROP_SPAWN_ALL == INTEROP_WIRE_OPEN_F_ALL,
	     "spawn flags as the wire's OPEN flags");
	t_ok(INTEROP_MAP_TO_GUEST == INTEROP_WIRE_MAPPATH_F_TO_GUEST &&
	     INTEROP_MAP_ALL == INTEROP_WIRE_MAPPATH_F_ALL &&
	     INTEROP_MAX_PATH == INTEROP_WIRE_MAX_PATH,
	     "map-path flags and limit as the wire's");
	t_ok(INTEROP_SPAWNED_CWD_HOME == INTEROP_WIRE_OPENED_F_CWD_HOME,
	     "CWD_HOME as on the wire");
	t_ok(INTEROP_HOST_CWD_REFUSE == INTEROP_WIRE_INFO_F_CWD_REFUSE << 1,
	     "CWD_REFUSE is the wire's, after HOST_UP");
	t_ok(INTEROP_EXITED == INTEROP_WIRE_EXITED &&
	     INTEROP_SIGNALED == INTEROP_WIRE_SIGNALED, "exit kinds");
	t_ok(INTEROP_MAX_ARG_BYTES == INTEROP_WIRE_MAX_ARG_BYTES &&
	     INTEROP_MAX_ARGC == INTEROP_WIRE_MAX_ARGC &&
	     INTEROP_MAX_ENVC == INTEROP_WIRE_MAX_ENVC, "limits as on the wire");
	t_ok(INTEROP_MAX_SESSIONS <= INTEROP_WIRE_MAX_SESSIONS,
	     "the per-uid default fits the wire's");
}

static void t_constants(void)
{
	t_ok(INTEROP_UAPI_VERSION == 1, "uapi version 1");
	t_ok(INTEROP_MAX_ARG_BYTES == 262144 && INTEROP_MAX_SESSIONS == 128,
	     "256 KiB of strings, 128 sessions");
	t_ok((INTEROP_HOST_UP & INTEROP_HOST_CWD_REFUSE) == 0, "host flags distinct");
	t_ok(INTEROP_SPAWN_ALL == 0xf, "four spawn flags");
}

int main(void)
{
	t_layout();
	t_numbers();
	t_type_byte();
	t_wire();
	t_constants();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}

#endif /* INTEROP_LAYOUT_ONLY */
