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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
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
	bool exited;		/* its status is out; the zombie holds the pid */
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

/* The helper's own fd, on which it reports a failed exec (its errno). */
#define HL_EXEC_ERR_FD	3

static int hl_file_actions(posix_spawn_file_actions_t *fa, const struct hl_interop_spawn *sp,
			   const char *slave, int errfd)
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
	if (!ret && errfd >= 0)
		ret = posix_spawn_file_actions_adddup2(fa, errfd, HL_EXEC_ERR_FD);
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(fa, errfd >= 0 ?
							       HL_EXEC_ERR_FD + 1 : 3);
	return ret;
}

/*
 * The helper's argv: "hostlinkd --interop-exec PPID PATH" and the
 * program's argv.  One allocation; free() it.
 */
static char **hl_helper_argv(const struct hl_interop_spawn *sp, char *ppid)
{
	size_t n = 0, i;
	char **v;

	while (sp->argv[n])
		n++;
	v = malloc((n + 5) * sizeof(*v));
	if (!v)
		return NULL;
	v[0] = "hostlinkd";
	v[1] = HL_INTEROP_EXEC_ARG;
	v[2] = ppid;
	v[3] = (char *)sp->path;
	for (i = 0; i <= n; i++)
		v[4 + i] = sp->argv[i];
	return v;
}

/*
 * Waits for the helper's word: nothing before its exec (the pipe closes
 * on exec), or the exec's errno.  0 or -errno.
 */
static int hl_helper_wait(int rfd, pid_t pid)
{
	int err = 0;
	ssize_t n;

	do
		n = read(rfd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != sizeof(err) || err <= 0)
		err = EIO;
	waitpid(pid, NULL, 0);
	return -err;
}

/**
 * hl_interop_exec_helper() - the daemon's binary as the exec helper
 * @argc: its argc.
 * @argv: "hostlinkd --interop-exec PPID PATH ARGV...".
 *
 * Run by hostlinkd's main() first of all, in the child that
 * hl_interop_spawner_daemon spawned: SIGKILL at the death of the
 * spawning thread, then the program, with the signal state, fds and
 * environment the spawn gave.  A failed exec's errno goes to the
 * daemon on HL_EXEC_ERR_FD.
 *
 * Return: never, but for the exit status 127 of a failure.
 */
int hl_interop_exec_helper(int argc, char **argv)
{
	extern char **environ;
	int err = EINVAL;
	char *end;
	long ppid;

	fcntl(HL_EXEC_ERR_FD, F_SETFD, FD_CLOEXEC);
	if (argc >= 5) {
		errno = 0;
		ppid = strtol(argv[2], &end, 10);
		err = ESRCH;
		/* The daemon may have died before the request: not its program. */
		if (!errno && !*end && !prctl(PR_SET_PDEATHSIG, SIGKILL) &&
		    getppid() == ppid) {
			execve(argv[3], argv + 4, environ);
			err = errno;
		}
	}
	if (write(HL_EXEC_ERR_FD, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static int hl_spawn(void *ctx, const struct hl_interop_spawn *sp, void **procp)
{
	char slave[64], *slavep = NULL, ppid[24];
	posix_spawn_file_actions_t fa;
	const char *helper = ctx;
	struct hl_interop_proc *p;
	int errp[2] = { -1, -1 };
	posix_spawnattr_t attr;
	char **hargv = NULL;
	sigset_t none, all;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (helper) {
		snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
		hargv = hl_helper_argv(sp, ppid);
		if (!hargv || pipe2(errp, O_CLOEXEC)) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
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
		ret = hl_file_actions(&fa, sp, slavep, errp[1]);
	if (!ret)
		ret = posix_spawn(&p->pid, helper ? helper : sp->path, &fa, &attr,
				  helper ? hargv : sp->argv, sp->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (ret) {
		ret = -ret;
		goto err_close_pty;
	}
	if (helper) {
		close(errp[1]);
		errp[1] = -1;
		ret = hl_helper_wait(errp[0], p->pid);
		if (ret)
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
	if (helper) {
		close(errp[0]);
		free(hargv);
	}
	*procp = p;
	return 0;

err_attr:
	posix_spawnattr_destroy(&attr);
err_close_pty:
	if (p->pty >= 0)
		close(p->pty);
err_free:
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	free(hargv);
	free(p);
	return ret;
}

/*
 * To the program's process group (its pid: it leads a session of its
 * own).  An ended leader is a zombie until forget(), so the group's id
 * cannot name anyone else's group: what the program left behind can
 * still be hung up and killed.
 */
static int hl_signal(void *ctx, void *proc, int sig)
{
	struct hl_interop_proc *p = proc;

	(void)ctx;
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
 * hl_interop_proc_reap() - the status of a program that has ended
 * @proc: the handle.
 * @signaled: (out) it was killed by a signal.
 * @value: (out) the signal, or its exit code.
 *
 * The leader stays a zombie (WNOWAIT) until forget(), which kills what
 * is left of its group and collects it.
 *
 * Return: 0 once ended; -EAGAIN while it runs; another -errno.
 */
int hl_interop_proc_reap(void *proc, bool *signaled, int *value)
{
	struct hl_interop_proc *p = proc;
	siginfo_t si = { 0 };

	if (p->exited)
		return -ECHILD;
	if (waitid(P_PID, p->pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return -errno;
	if (!si.si_pid)
		return -EAGAIN;
	p->exited = true;
	*signaled = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
	*value = si.si_status;
	return 0;
}

/*
 * The table is done with it: SIGKILL to what is left of the group (the
 * leader itself if it still runs), then the leader is collected, so no
 * zombie is left.
 */
static void hl_forget(void *ctx, void *proc)
{
	struct hl_interop_proc *p = proc;

	(void)ctx;
	kill(-p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->pidfd);
	if (p->pty >= 0)
		close(p->pty);
	free(p);
}

static int hl_pidfd(void *ctx, void *proc)
{
	(void)ctx;
	return hl_interop_proc_pidfd(proc);
}

static int hl_pty(void *ctx, void *proc)
{
	(void)ctx;
	return hl_interop_proc_pty(proc);
}

static int hl_reap(void *ctx, void *proc, bool *signaled, int *value)
{
	(void)ctx;
	return hl_interop_proc_reap(proc, signaled, value);
}

static int hl_pid(void *ctx, void *proc)
{
	(void)ctx;
	return ((struct hl_interop_proc *)proc)->pid;
}

const struct hl_interop_spawner hl_interop_spawner_posix = {
	.spawn = hl_spawn,
	.signal = hl_signal,
	.resize = hl_resize,
	.forget = hl_forget,
	.pidfd = hl_pidfd,
	.pty = hl_pty,
	.reap = hl_reap,
	.pid = hl_pid,
};

/* /proc/self/exe: the daemon's binary, even once replaced on disk. */
static char hl_self_exe[] = "/proc/self/exe";

const struct hl_interop_spawner hl_interop_spawner_daemon = {
	.spawn = hl_spawn,
	.signal = hl_signal,
	.resize = hl_resize,
	.forget = hl_forget,
	.ctx = hl_self_exe,
	.pidfd = hl_pidfd,
	.pty = hl_pty,
	.reap = hl_reap,
	.pid = hl_pid,
};
