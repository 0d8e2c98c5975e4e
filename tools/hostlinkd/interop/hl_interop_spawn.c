// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: the real spawner (struct hl_interop_spawner).
 * posix_spawn(3), because the daemon has threads: no fork of a
 * threaded process, and glibc reports the exec's own errno.  The
 * program gets a session of its own (so signals go to its process
 * group), an empty signal mask and every signal at its default (the
 * daemon blocks TERM, INT and HUP and ignores PIPE, and exec would keep
 * both), its streams as fds 0-2 and no other fd, and the host cwd.
 * With a pty it gets the slave as its controlling terminal (opened
 * after setsid, without O_NOCTTY) and the master stays with the daemon.
 * It runs as the daemon's own user: nothing here switches.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hl_interop_session.h"

/* A spawned program, as the table's opaque handle. */
struct hl_interop_proc {
	pid_t pid;
	int pidfd;		/* readable once it has ended */
	int pty;		/* the pty master, or -1 */
	bool reaped;
};

int hl_interop_proc_pidfd(const void *proc)
{
	return ((const struct hl_interop_proc *)proc)->pidfd;
}

int hl_interop_proc_pty(const void *proc)
{
	return ((const struct hl_interop_proc *)proc)->pty;
}

/* A pty master of @rows by @cols, and its slave's path. */
static int hl_pty_open(uint16_t rows, uint16_t cols, char *slave, size_t len)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	int m, ret;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, slave, len) ||
	    ioctl(m, TIOCSWINSZ, &ws)) {
		ret = errno ? -errno : -EIO;
		close(m);
		return ret;
	}
	return m;
}

/*
 * Every signal at its default, the C library's own two (32 and 33)
 * included: glibc's posix_spawn sets those to SIG_IGN in the child
 * unless they are in the default set, and exec keeps SIG_IGN, so the
 * program would start with them ignored.  sigaddset() refuses them,
 * hence the whole set filled by hand (SIGKILL and SIGSTOP in it are
 * skipped by the child's sigaction, harmlessly).
 */
static void hl_sig_all(sigset_t *set)
{
	memset(set, 0xff, sizeof(*set));
}

static int hl_file_actions(posix_spawn_file_actions_t *fa, const struct hl_interop_spawn *sp,
			   const char *slave)
{
	int ret;

	if (slave) {
		ret = posix_spawn_file_actions_addopen(fa, 0, slave, O_RDWR, 0);
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(fa, 0, 1);
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(fa, sp->fds[2] >= 0 ? sp->fds[2] : 0,
							       2);
	} else {
		if (sp->fds[1] < 0)
			return EINVAL;
		ret = sp->fds[0] >= 0 ? posix_spawn_file_actions_adddup2(fa, sp->fds[0], 0) :
			posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(fa, sp->fds[1], 1);
		/* fd 1 is the child's by now: a dup of it is stdout's stream. */
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(fa, sp->fds[2] >= 0 ? sp->fds[2] : 1,
							       2);
	}
	if (!ret)
		ret = posix_spawn_file_actions_addchdir_np(fa, sp->cwd);
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(fa, 3);
	return ret;
}

static int hl_spawn(void *ctx, const struct hl_interop_spawn *sp, void **procp)
{
	char slave[64], *slavep = NULL;
	posix_spawn_file_actions_t fa;
	struct hl_interop_proc *p;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	(void)ctx;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pty = -1;
	p->pidfd = -1;
	if (sp->flags & INTEROP_WIRE_OPEN_F_PTY) {
		p->pty = hl_pty_open(sp->rows, sp->cols, slave, sizeof(slave));
		if (p->pty < 0) {
			ret = p->pty;
			goto err_free;
		}
		slavep = slave;
	}
	sigemptyset(&none);
	hl_sig_all(&all);
	ret = posix_spawnattr_init(&attr);
	if (ret)
		goto err_close_pty;
	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		goto err_attr;
	ret = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
				       POSIX_SPAWN_SETSIGDEF);
	if (!ret)
		ret = posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&attr, &all);
	if (!ret)
		ret = hl_file_actions(&fa, sp, slavep);
	if (!ret)
		ret = posix_spawn(&p->pid, sp->path, &fa, &attr, sp->argv, sp->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (ret) {
		ret = -ret;
		goto err_close_pty;
	}
	p->pidfd = syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd < 0) {
		ret = -errno;
		kill(-p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		goto err_close_pty;
	}
	fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
	*procp = p;
	return 0;

err_attr:
	posix_spawnattr_destroy(&attr);
err_close_pty:
	if (p->pty >= 0)
		close(p->pty);
err_free:
	free(p);
	return ret;
}

/* To the program's process group (its pid: it leads a session of its own). */
static int hl_signal(void *ctx, void *proc, int sig)
{
	struct hl_interop_proc *p = proc;

	(void)ctx;
	if (p->reaped)
		return -ESRCH;
	return kill(-p->pid, sig) ? -errno : 0;
}

static int hl_resize(void *ctx, void *proc, uint16_t rows, uint16_t cols)
{
	struct hl_interop_proc *p = proc;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	(void)ctx;
	if (p->pty < 0)
		return -EINVAL;
	return ioctl(p->pty, TIOCSWINSZ, &ws) ? -errno : 0;
}

/**
 * hl_interop_proc_reap() - collect a program that has ended
 * @proc: the handle.
 * @signaled: (out) it was killed by a signal.
 * @value: (out) the signal, or its exit code.
 *
 * Return: 0 once reaped; -EAGAIN while it runs; another -errno.
 */
int hl_interop_proc_reap(void *proc, bool *signaled, int *value)
{
	struct hl_interop_proc *p = proc;
	siginfo_t si = { 0 };

	if (p->reaped)
		return -ECHILD;
	if (waitid(P_PID, p->pid, &si, WEXITED | WNOHANG))
		return -errno;
	if (!si.si_pid)
		return -EAGAIN;
	p->reaped = true;
	*signaled = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
	*value = si.si_status;
	return 0;
}

/*
 * The table is done with it.  A program not reaped yet is still ours
 * to collect: it is killed and waited for, so no zombie is left.
 */
static void hl_forget(void *ctx, void *proc)
{
	struct hl_interop_proc *p = proc;

	(void)ctx;
	if (!p->reaped) {
		kill(-p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	close(p->pidfd);
	if (p->pty >= 0)
		close(p->pty);
	free(p);
}

const struct hl_interop_spawner hl_interop_spawner_posix = {
	.spawn = hl_spawn,
	.signal = hl_signal,
	.resize = hl_resize,
	.forget = hl_forget,
};
