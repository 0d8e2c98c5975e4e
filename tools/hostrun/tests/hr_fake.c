// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun tests: a fake /dev/interop.  The "host" is a child process of
 * hostrun's (in a session of its own) that starts the program locally,
 * as hostlinkd's interop service would: socketpairs are the streams
 * and the session fd; the program's output goes through pipes (or a
 * pty) the fake host relays, so that a stream the guest shuts down
 * gives the program SIGPIPE as a host's vsock does; an
 * exec failure reported before the spawn returns, the streams shut
 * down at the program's end, then struct interop_exit on the session
 * socket.  Signals and resizes go to the fake host as small messages.
 * Closing the session sends SIGHUP to the program's group, SIGKILL
 * after 2 s; the program dies with the fake host (PR_SET_PDEATHSIG).
 *
 * Configured by the environment:
 *   HOSTRUN_FAKE_OPEN_ERR=N   open fails with errno N
 *   HOSTRUN_FAKE_SPAWN_ERR=N  spawn fails with errno N
 *   HOSTRUN_FAKE_LAST_ERROR=S the core's last_error
 *   HOSTRUN_FAKE_DENY=NAME    programs of that base name: EACCES
 *   HOSTRUN_FAKE_MAP=G:H      the path map, one prefix
 *   HOSTRUN_FAKE_CWD_REFUSE=1 a cwd outside the map is ENOENT
 *   HOSTRUN_FAKE_LOG=FILE     "spawn", "signal", "resize", "exit",
 *                             "close" lines, appended
 * The program's environment is what hostrun sent, plus PATH and HOME.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hostrun.h"

enum { HR_FAKE_SIGNAL = 1, HR_FAKE_RESIZE = 2 };

struct hr_fake_msg {
	uint32_t type;
	uint32_t a;
	uint32_t b;
};

struct hr_fake_session {
	pid_t host;
	bool have_exit;
	struct interop_exit exit;
};

static int hr_fake_env_errno(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? -atoi(v) : 0;
}

__attribute__((format(printf, 1, 2)))
static void hr_fake_log(const char *fmt, ...)
{
	const char *path = getenv("HOSTRUN_FAKE_LOG");
	va_list ap;
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
	close(fd);
}

static int hr_fake_open(void)
{
	return hr_fake_env_errno("HOSTRUN_FAKE_OPEN_ERR");
}

static int hr_fake_caps(struct interop_caps_get *caps)
{
	const char *refuse = getenv("HOSTRUN_FAKE_CWD_REFUSE");

	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	caps->out_uapi_version = INTEROP_UAPI_VERSION;
	caps->out_host_version = 1;
	caps->out_spawn_flags = INTEROP_SPAWN_ALL;
	caps->out_host_flags = INTEROP_HOST_UP |
		(refuse && *refuse == '1' ? INTEROP_HOST_CWD_REFUSE : 0);
	caps->out_max_sessions = INTEROP_MAX_SESSIONS;
	caps->out_max_arg_bytes = INTEROP_MAX_ARG_BYTES;
	caps->out_max_argc = INTEROP_MAX_ARGC;
	caps->out_max_envc = INTEROP_MAX_ENVC;
	return 0;
}

/* One prefix each way: "G:H" maps G/... to H/... */
static int hr_fake_map_path(bool to_guest, const char *in, char *out, size_t len)
{
	const char *map = getenv("HOSTRUN_FAKE_MAP"), *colon, *from, *to;
	size_t flen, tlen;

	colon = map ? strchr(map, ':') : NULL;
	if (!colon)
		return -ENOENT;
	from = to_guest ? colon + 1 : map;
	flen = to_guest ? strlen(colon + 1) : (size_t)(colon - map);
	to = to_guest ? map : colon + 1;
	tlen = to_guest ? (size_t)(colon - map) : strlen(colon + 1);
	if (strncmp(in, from, flen) || (in[flen] && in[flen] != '/'))
		return -ENOENT;
	if (tlen + strlen(in + flen) + 1 > len)
		return -ERANGE;
	snprintf(out, len, "%.*s%s", (int)tlen, to, in + flen);
	if (!out[0])
		snprintf(out, len, "/");
	return 0;
}

/* The program's side, after fork: never returns. */
static void hr_fake_child(const struct hr_spawn_req *req, const char *path,
			  const char *cwd, int in, int out, int err, int slave,
			  int errpipe)
{
	char **env, *p, *dir, buf[4096];
	const char *search;
	int i, e = ENOENT;

	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (slave >= 0) {
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(err >= 0 ? err : slave, 2);
	} else {
		if (in < 0)
			in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err >= 0 ? err : out, 2);
	}
	/* @out and @err are the fake host's pipes, @slave the pty. */
	syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	if (chdir(cwd) < 0) {
		e = errno;
		goto fail;
	}
	env = calloc(req->envc + 3, sizeof(*env));
	if (!env)
		goto fail;
	for (i = 0; i < (int)req->envc; i++)
		env[i] = req->envp[i];
	search = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	snprintf(buf, sizeof(buf), "PATH=%s", search);
	env[i++] = strdup(buf);
	snprintf(buf, sizeof(buf), "HOME=%s", getenv("HOME") ? getenv("HOME") : "/");
	env[i++] = strdup(buf);
	if (strchr(path, '/')) {
		execve(path, req->argv, env);
		e = errno;
	} else {
		p = strdup(search);
		for (dir = strtok(p, ":"); dir; dir = strtok(NULL, ":")) {
			if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", dir, path) >= sizeof(buf))
				continue;
			execve(buf, req->argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				e = errno;
		}
	}
fail:
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* One relayed direction of the fake host: @src to @dst, until it fails. */
struct hr_fake_pair {
	int src;
	int dst;
	bool close_src;	/* a pipe: closing it gives the writer SIGPIPE */
};

/* Move what @pr's source has; false once it is done. */
static bool hr_fake_copy(struct hr_fake_pair *pr)
{
	char buf[65536];
	ssize_t n;

	n = read(pr->src, buf, sizeof(buf));
	if (n < 0 && errno == EAGAIN)
		return true;
	if (n > 0 && write(pr->dst, buf, (size_t)n) == n)
		return true;
	if (n > 0 && pr->close_src)
		close(pr->src);	/* the guest stopped reading */
	pr->src = -1;
	return false;
}

/* The fake host: start the program, relay its output, report its end. */
static void hr_fake_host(const struct hr_spawn_req *req, const char *path,
			 const char *cwd, int ctl, int in, int out, int err)
{
	int ep[2], op[2] = { -1, -1 }, xp[2] = { -1, -1 }, master = -1, slave = -1;
	int pidfd, status, e = 0, i, np = 0;
	struct hr_fake_pair pairs[3];
	struct hr_fake_msg m;
	struct pollfd p[5];
	struct interop_exit ex;
	struct winsize ws;
	pid_t pid;
	ssize_t n;

	setsid();
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	i = open("/dev/null", O_RDWR);
	dup2(i, 0);
	dup2(i, 1);
	dup2(i, 2);
	if (req->flags & INTEROP_SPAWN_PTY) {
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) || unlockpt(master))
			_exit(1);
		slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
		ws = (struct winsize){ .ws_row = req->rows, .ws_col = req->cols };
		ioctl(slave, TIOCSWINSZ, &ws);
		pairs[np++] = (struct hr_fake_pair){ master, out, false };
		pairs[np++] = (struct hr_fake_pair){ in, master, false };
		if (err >= 0) {
			if (pipe2(xp, O_CLOEXEC) < 0)
				_exit(1);
			pairs[np++] = (struct hr_fake_pair){ xp[0], err, true };
		}
	} else {
		/* Pipes, relayed, so that a guest's SHUT_RD is a SIGPIPE here. */
		if (pipe2(op, O_CLOEXEC) < 0 || (err >= 0 && pipe2(xp, O_CLOEXEC) < 0))
			_exit(1);
		pairs[np++] = (struct hr_fake_pair){ op[0], out, true };
		if (err >= 0)
			pairs[np++] = (struct hr_fake_pair){ xp[0], err, true };
	}
	if (pipe2(ep, O_CLOEXEC) < 0)
		_exit(1);
	pid = fork();
	if (pid == 0)
		hr_fake_child(req, path, cwd, in, op[1], xp[1], slave, ep[1]);
	close(ep[1]);
	if (slave >= 0)
		close(slave);
	if (op[1] >= 0)
		close(op[1]);
	if (xp[1] >= 0)
		close(xp[1]);
	if (pid < 0)
		e = errno;
	else if (read(ep[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	if (write(ctl, &e, sizeof(e)) < 0 || e)
		_exit(0);
	hr_fake_log("spawn pid=%d flags=%#x rows=%u cols=%u\n", (int)pid,
		    req->flags, req->rows, req->cols);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		p[0] = (struct pollfd){ .fd = ctl, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = pid > 0 ? pidfd : -1, .events = POLLIN };
		for (i = 0; i < np; i++)
			p[2 + i] = (struct pollfd){ .fd = pid > 0 ? pairs[i].src : -1,
						    .events = POLLIN };
		if (poll(p, 2 + np, -1) < 0 && errno != EINTR)
			_exit(1);
		for (i = 0; i < np; i++)
			if (p[2 + i].fd >= 0 && p[2 + i].revents)
				hr_fake_copy(&pairs[i]);
		if (p[0].revents) {
			n = read(ctl, &m, sizeof(m));
			if (n <= 0) {
				hr_fake_log("close\n");
				/* The group: a background child of an ended program too. */
				if (kill(pid > 0 ? -pid : pid, SIGHUP) == 0 && pid > 0) {
					struct timespec ts = { 0, 50 * 1000 * 1000 };

					for (i = 0; i < 40 && waitpid(pid, &status, WNOHANG) == 0; i++)
						nanosleep(&ts, NULL);
					kill(-pid, SIGKILL);
				}
				_exit(0);
			}
			if (m.type == HR_FAKE_SIGNAL) {
				hr_fake_log("signal %u\n", m.a);
				if (pid > 0)
					kill(-pid, (int)m.a);
			} else if (m.type == HR_FAKE_RESIZE && master >= 0) {
				hr_fake_log("resize %u %u\n", m.a, m.b);
				ws = (struct winsize){ .ws_row = (unsigned short)m.a,
						       .ws_col = (unsigned short)m.b };
				ioctl(master, TIOCSWINSZ, &ws);
			}
		}
		if (p[1].fd >= 0 && p[1].revents) {
			waitpid(pid, &status, 0);
			/* What it wrote, not what a background child may. */
			for (i = 0; i < np; i++) {
				if (pairs[i].src < 0 || pairs[i].src == in)
					continue;
				fcntl(pairs[i].src, F_SETFL, O_NONBLOCK);
				while (pairs[i].src >= 0) {
					struct pollfd q = { .fd = pairs[i].src, .events = POLLIN };

					if (poll(&q, 1, 0) <= 0 || !hr_fake_copy(&pairs[i]))
						break;
				}
			}
			shutdown(out, SHUT_WR);
			if (err >= 0)
				shutdown(err, SHUT_WR);
			if (in >= 0)
				shutdown(in, SHUT_RD);
			ex.how = WIFSIGNALED(status) ? INTEROP_SIGNALED : INTEROP_EXITED;
			ex.value = WIFSIGNALED(status) ? (uint32_t)WTERMSIG(status) :
				   (uint32_t)WEXITSTATUS(status);
			hr_fake_log("exit %u %u\n", ex.how, ex.value);
			if (write(ctl, &ex, sizeof(ex)) < 0)
				_exit(0);
			pid = -pid;	/* ended: only the session's close is left */
		}
	}
}

static int hr_fake_resolve(const struct hr_spawn_req *req, char *path,
			   size_t plen, char *cwd, size_t clen, uint32_t *out_flags)
{
	const char *deny = getenv("HOSTRUN_FAKE_DENY"), *base, *refuse;
	struct interop_caps_get caps;
	int ret;

	*out_flags = 0;
	if (req->flags & INTEROP_SPAWN_GUEST_PATH) {
		ret = hr_fake_map_path(false, req->argv[0], path, plen);
		if (ret)
			return ret;
	} else {
		snprintf(path, plen, "%s", req->argv[0]);
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (deny && !strcmp(deny, base))
		return -EACCES;
	refuse = getenv("HOSTRUN_FAKE_CWD_REFUSE");
	hr_fake_caps(&caps);
	if (!req->cwd[0] || hr_fake_map_path(false, req->cwd, cwd, clen)) {
		if (req->cwd[0] && refuse && *refuse == '1')
			return -ENOENT;
		if (req->cwd[0])
			*out_flags = INTEROP_SPAWNED_CWD_HOME;
		snprintf(cwd, clen, "%s", getenv("HOME") ? getenv("HOME") : "/");
	}
	return 0;
}

static int hr_fake_spawn(const struct hr_spawn_req *req, struct hr_session *s)
{
	int ctl[2], in[2] = { -1, -1 }, out[2], err[2] = { -1, -1 }, e, ret;
	char path[INTEROP_MAX_PATH], cwd[INTEROP_MAX_PATH];
	struct hr_fake_session *fs;
	uint32_t flags;
	pid_t host;
	ssize_t n;

	ret = hr_fake_env_errno("HOSTRUN_FAKE_SPAWN_ERR");
	if (ret)
		return ret;
	if (!req->argc || ((req->flags & INTEROP_SPAWN_PTY) &&
			   (req->flags & INTEROP_SPAWN_STDIN_NULL)) ||
	    ((req->flags & INTEROP_SPAWN_PTY) ? !req->rows || !req->cols :
						 req->rows || req->cols))
		return -EINVAL;
	ret = hr_fake_resolve(req, path, sizeof(path), cwd, sizeof(cwd), &flags);
	if (ret)
		return ret;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) ||
	    (!(req->flags & INTEROP_SPAWN_STDIN_NULL) &&
	     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in)) ||
	    ((req->flags & INTEROP_SPAWN_STDERR_STREAM) &&
	     socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, err)))
		return -errno;	/* a test: the fds go with the process */
	host = fork();
	if (host < 0)
		return -errno;
	if (host == 0) {
		close(ctl[0]);
		close(out[0]);
		if (in[0] >= 0)
			close(in[0]);
		if (err[0] >= 0)
			close(err[0]);
		hr_fake_host(req, path, cwd, ctl[1], in[1], out[1], err[1]);
	}
	close(ctl[1]);
	close(out[1]);
	if (in[1] >= 0)
		close(in[1]);
	if (err[1] >= 0)
		close(err[1]);
	do {
		n = read(ctl[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(e) || e) {
		close(ctl[0]);
		close(out[0]);
		if (in[0] >= 0)
			close(in[0]);
		if (err[0] >= 0)
			close(err[0]);
		waitpid(host, NULL, 0);
		free(fs);
		return n != sizeof(e) ? -ENOTCONN : -e;
	}
	fs->host = host;
	fcntl(ctl[0], F_SETFL, O_NONBLOCK);
	s->session_fd = ctl[0];
	s->stdin_fd = in[0];
	s->stdout_fd = out[0];
	s->stderr_fd = err[0];
	s->out_flags = flags;
	s->priv = fs;
	return 0;
}

static int hr_fake_send(struct hr_session *s, uint32_t type, uint32_t a, uint32_t b)
{
	struct hr_fake_msg m = { type, a, b };

	return write(s->session_fd, &m, sizeof(m)) == sizeof(m) ? 0 : -ENOTCONN;
}

static int hr_fake_signal(struct hr_session *s, int signo)
{
	return hr_fake_send(s, HR_FAKE_SIGNAL, (uint32_t)signo, 0);
}

static int hr_fake_resize(struct hr_session *s, unsigned int rows, unsigned int cols)
{
	return hr_fake_send(s, HR_FAKE_RESIZE, rows, cols);
}

static int hr_fake_wait(struct hr_session *s, struct interop_exit *e)
{
	struct hr_fake_session *fs = s->priv;
	ssize_t n;

	if (!fs->have_exit) {
		n = recv(s->session_fd, &fs->exit, sizeof(fs->exit), MSG_WAITALL);
		if (n < 0)
			return errno == EAGAIN ? -EAGAIN : -errno;
		if (n != sizeof(fs->exit))
			return -ENOTCONN;
		fs->have_exit = true;
	}
	*e = fs->exit;
	return 0;
}

static void hr_fake_close(struct hr_session *s)
{
	if (s->stdin_fd >= 0)
		close(s->stdin_fd);
	if (s->stderr_fd >= 0)
		close(s->stderr_fd);
	close(s->stdout_fd);
	close(s->session_fd);
	free(s->priv);
	s->priv = NULL;
	s->session_fd = s->stdin_fd = s->stdout_fd = s->stderr_fd = -1;
}

static const char *hr_fake_last_error(char *buf, size_t len)
{
	const char *v = getenv("HOSTRUN_FAKE_LAST_ERROR");

	if (!v || !*v)
		return NULL;
	snprintf(buf, len, "%s", v);
	return buf;
}

const struct hr_dev_ops hr_dev = {
	.open = hr_fake_open,
	.caps = hr_fake_caps,
	.spawn = hr_fake_spawn,
	.map_path = hr_fake_map_path,
	.signal = hr_fake_signal,
	.resize = hr_fake_resize,
	.wait = hr_fake_wait,
	.close = hr_fake_close,
	.last_error = hr_fake_last_error,
};
