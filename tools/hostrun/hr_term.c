// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: the local terminal.  A host pty is used when fds 0 and 1 are
 * the same terminal and we are in its foreground process group (-t, -T
 * decide otherwise); the terminal is then raw, so that every key goes
 * to the host pty, and its modes are put back on every way out
 * (hr_term_restore() is async-signal-safe).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "hostrun.h"

static struct termios hr_term_saved, hr_term_rawmodes;
static volatile sig_atomic_t hr_term_fd = -1;	/* raw, to restore */

/* Are fds @a and @b the same file (device and inode)? */
bool hr_term_same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool hr_term_is_devnull(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

/**
 * hr_term_want_pty() - run the program on a host pty?
 * @force: 1 (-t) yes, 0 (-T) no, -1 decide.
 *
 * Return: @force, or whether fds 0 and 1 are one terminal whose
 * foreground process group is ours.
 */
bool hr_term_want_pty(int force)
{
	pid_t fg;

	if (force >= 0)
		return force;
	if (!isatty(0) || !isatty(1) || !hr_term_same_file(0, 1))
		return false;
	fg = tcgetpgrp(0);
	return fg > 0 && fg == getpgrp();
}

/* The terminal's size; 24 by 80 when there is none (the pty needs one). */
void hr_term_size(uint16_t *rows, uint16_t *cols)
{
	static const int fds[] = { 1, 0, 2 };
	struct winsize ws;
	unsigned int i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (!ioctl(fds[i], TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
			*rows = ws.ws_row;
			*cols = ws.ws_col;
			return;
		}
	}
	*rows = 24;
	*cols = 80;
}

/**
 * hr_term_raw() - put the terminal (fd 0, else fd 1) in raw mode
 *
 * Nothing to do when neither is a terminal.
 *
 * Return: 0 or -errno of tcsetattr().
 */
int hr_term_raw(void)
{
	struct termios t;
	int fd;

	fd = isatty(0) ? 0 : isatty(1) ? 1 : -1;
	if (fd < 0 || tcgetattr(fd, &hr_term_saved) < 0)
		return 0;
	t = hr_term_saved;
	cfmakeraw(&t);
	hr_term_rawmodes = t;
	hr_term_fd = fd;
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		hr_term_fd = -1;
		return -errno;
	}
	return 0;
}

/* Ours to set: the terminal's foreground group is ours. */
static bool hr_term_ours(int fd)
{
	return tcgetpgrp(fd) == getpgrp();
}

/*
 * SIGTSTP (not a key in raw mode: kill -TSTP): the modes back while we
 * are stopped, raw again when we go on in the foreground.  Both
 * async-signal-safe; the program on the host runs on.
 */
void hr_term_stop(void)
{
	int fd = hr_term_fd;

	if (fd >= 0 && hr_term_ours(fd))
		tcsetattr(fd, TCSANOW, &hr_term_saved);
	raise(SIGSTOP);
	hr_term_resume();
}

/* SIGCONT: raw again, if we are in the foreground. */
void hr_term_resume(void)
{
	int fd = hr_term_fd;

	if (fd >= 0 && hr_term_ours(fd))
		tcsetattr(fd, TCSANOW, &hr_term_rawmodes);
}

bool hr_term_is_raw(void)
{
	return hr_term_fd >= 0;
}

/* Put the modes back; idempotent, async-signal-safe. */
void hr_term_restore(void)
{
	int fd = hr_term_fd;

	if (fd < 0)
		return;
	hr_term_fd = -1;
	tcsetattr(fd, TCSANOW, &hr_term_saved);
}
