// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interop service's real spawner (interop/hl_interop_spawn.c), on
 * real processes and socket pairs: exit codes and deaths by signal as
 * reaped, argv and environment byte-exact, the cwd, the streams as fds
 * 0-2 (stdin /dev/null, stderr apart or merged), no other fd, no
 * signal blocked or ignored though this process blocks and ignores
 * some (as the daemon does), a signal reaching the whole process group,
 * the exec's errno, and a pty: a controlling terminal of the asked size
 * that RESIZE changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interop/hl_interop_session.h"
#include "tests/tap.h"

static char *t_env[] = { "A=1", "B=two words", NULL };

/* Runs @argv; @in is written to stdin; output into @out (stdout, and stderr
 * when @merge). */
struct t_run {
	int ret;		/* spawn's */
	bool signaled;
	int value;
	char out[4096], err[4096];
};

static size_t t_drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	return n;
}

static bool t_reap(void *proc, bool *signaled, int *value)
{
	struct pollfd pfd = { .fd = hl_interop_proc_pidfd(proc), .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return false;
	return hl_interop_proc_reap(proc, signaled, value) == 0;
}

static void t_run(struct t_run *r, char *const *argv, const char *cwd, bool stdin_null,
		  bool merge, const char *in)
{
	int sin[2] = { -1, -1 }, sout[2], serr[2] = { -1, -1 };
	struct hl_interop_spawn sp = {
		.path = argv[0], .argv = argv, .envp = t_env, .cwd = cwd,
	};
	void *proc;

	memset(r, 0, sizeof(*r));
	if ((!stdin_null && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sin)) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sout) ||
	    (!merge && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, serr)))
		abort();
	sp.fds[0] = sin[1];
	sp.fds[1] = sout[1];
	sp.fds[2] = serr[1];
	r->ret = hl_interop_spawner_posix.spawn(NULL, &sp, &proc);
	if (sin[1] >= 0)
		close(sin[1]);
	close(sout[1]);
	if (serr[1] >= 0)
		close(serr[1]);
	if (!r->ret) {
		if (in && write(sin[0], in, strlen(in)) != (ssize_t)strlen(in))
			abort();
		if (sin[0] >= 0)
			shutdown(sin[0], SHUT_WR);
		t_drain(sout[0], r->out, sizeof(r->out));
		if (serr[0] >= 0)
			t_drain(serr[0], r->err, sizeof(r->err));
		if (!t_reap(proc, &r->signaled, &r->value))
			r->ret = -ETIMEDOUT;
		hl_interop_spawner_posix.forget(NULL, proc);
	}
	if (sin[0] >= 0)
		close(sin[0]);
	close(sout[0]);
	if (serr[0] >= 0)
		close(serr[0]);
}

static void t_basics(void)
{
	struct t_run r;

	t_run(&r, (char *[]){ "/bin/sh", "-c", "exit 3", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && !r.signaled && r.value == 3, "exit 3");
	t_run(&r, (char *[]){ "/bin/sh", "-c", "exit 255", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && !r.signaled && r.value == 255, "exit 255");
	t_run(&r, (char *[]){ "/bin/sh", "-c", "kill -TERM $$", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && r.signaled && r.value == SIGTERM, "death by SIGTERM, seen as such");
	t_run(&r, (char *[]){ "/usr/bin/printf", "[%s]", "", "a b", "q\"'", "l\n2",
			      "\xc3\xa9", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "[][a b][q\"'][l\n2][\xc3\xa9]"),
	     "argv byte-exact: empty, spaces, quotes, newline, UTF-8");
	t_run(&r, (char *[]){ "/usr/bin/env", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "A=1\nB=two words\n"), "exactly the environment given");
	t_run(&r, (char *[]){ "/bin/pwd", NULL }, "/tmp", false, false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "/tmp\n"), "cwd");
	t_run(&r, (char *[]){ "/bin/cat", NULL }, "/", false, false, "to stdin\n");
	t_ok(!r.ret && r.value == 0 && !strcmp(r.out, "to stdin\n"),
	     "stdin stream, SHUT_WR is EOF");
	t_run(&r, (char *[]){ "/bin/cat", NULL }, "/", true, false, NULL);
	t_ok(!r.ret && r.value == 0 && !r.out[0], "STDIN_NULL: /dev/null");
	t_run(&r, (char *[]){ "/bin/sh", "-c", "echo out; echo err >&2", NULL }, "/", false,
	      false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "out\n") && !strcmp(r.err, "err\n"), "stderr apart");
	t_run(&r, (char *[]){ "/bin/sh", "-c", "echo out; echo err >&2", NULL }, "/", false,
	      true, NULL);
	t_ok(!r.ret && !strcmp(r.out, "out\nerr\n"), "stderr merged into stdout");
}

static void t_hygiene(void)
{
	sigset_t set, old;
	struct t_run r;
	int extra;

	/* As the daemon: TERM, INT and HUP blocked, PIPE ignored, an fd open. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	extra = open("/dev/null", O_RDONLY);
	t_run(&r, (char *[]){ "/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL },
	      "/", false, false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"),
	     "no signal blocked or ignored in the program");
	t_run(&r, (char *[]){ "/bin/ls", "/proc/self/fd", NULL }, "/", false, false, NULL);
	t_ok(!r.ret && !strcmp(r.out, "0\n1\n2\n3\n"),
	     "fds 0-2 only (3 is ls's own directory)");
	{
		int pid = 0, sid = -1;
		char *rp;

		/* Fields 1 and 6 of cat's own stat: it leads its session. */
		t_run(&r, (char *[]){ "/bin/cat", "/proc/self/stat", NULL }, "/", false, false,
		      NULL);
		rp = strrchr(r.out, ')');
		if (!r.ret && rp)
			sscanf(r.out, "%d", &pid), sscanf(rp + 2, "%*c %*d %*d %d", &sid);
		t_ok(pid > 0 && sid == pid, "a session of its own (pid %d, sid %d)", pid, sid);
	}
	close(extra);
	signal(SIGPIPE, SIG_DFL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void t_errors(void)
{
	char path[] = "/tmp/interop-spawn-test-XXXXXX";
	int fd = mkstemp(path);
	struct t_run r;

	t_run(&r, (char *[]){ "/nonexistent/prog", NULL }, "/", false, false, NULL);
	t_ok(r.ret == -ENOENT, "no such program: ENOENT (%d)", r.ret);
	if (fd < 0 || write(fd, "\x7f" "ELF garbage", 12) != 12)
		abort();
	close(fd);
	t_run(&r, (char *[]){ path, NULL }, "/", false, false, NULL);
	t_ok(r.ret == -EACCES, "not executable: EACCES (%d)", r.ret);
	chmod(path, 0700);
	t_run(&r, (char *[]){ path, NULL }, "/", false, false, NULL);
	t_ok(r.ret == -ENOEXEC, "not a format the host runs: ENOEXEC (%d)", r.ret);
	unlink(path);
	t_run(&r, (char *[]){ "/bin/true", NULL }, "/nonexistent", false, false, NULL);
	t_ok(r.ret == -ENOENT, "a cwd that is not there: ENOENT (%d)", r.ret);
}

/* Gone, or a zombie nobody reaps yet (PID 1 may be slow to). */
static bool t_dead(int pid)
{
	char path[64], buf[512], *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

/* SIGTERM to the group: the shell and its background child both go. */
static void t_group(void)
{
	struct hl_interop_spawn sp = {
		.path = "/bin/sh",
		.argv = (char *[]){ "/bin/sh", "-c", "sleep 30 & echo $!; wait", NULL },
		.envp = t_env, .cwd = "/", .fds = { -1, -1, -1 },
	};
	int s[2], child = 0;
	bool signaled = false;
	int value = 0, ret;
	char buf[64];
	void *proc;
	FILE *f;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s))
		abort();
	sp.fds[1] = s[1];
	ret = hl_interop_spawner_posix.spawn(NULL, &sp, &proc);
	close(s[1]);
	f = fdopen(s[0], "r");
	if (!ret && f && fgets(buf, sizeof(buf), f))
		child = atoi(buf);
	t_ok(!ret && child > 0, "a shell with a background child %d", child);
	if (ret)
		return;
	ret = hl_interop_spawner_posix.signal(NULL, proc, SIGTERM);
	t_ok(!ret && t_reap(proc, &signaled, &value) && signaled && value == SIGTERM,
	     "SIGTERM to the group: the shell dies of it");
	for (int i = 0; i < 100 && child > 0 && !t_dead(child); i++)
		usleep(10000);
	t_ok(child > 0 && t_dead(child), "and so does its child");
	snprintf(buf, sizeof(buf), "/proc/%d", hl_interop_spawner_posix.pid(NULL, proc));
	t_ok(hl_interop_spawner_posix.signal(NULL, proc, SIGTERM) == 0 && !access(buf, F_OK),
	     "the ended leader stays, a zombie holding the group's id");
	hl_interop_spawner_posix.forget(NULL, proc);
	t_ok(access(buf, F_OK) != 0, "forget() collects it");
	if (f)
		fclose(f);
}

static void t_pty(void)
{
	struct hl_interop_spawn sp = {
		.path = "/bin/sh",
		.argv = (char *[]){ "/bin/sh", "-c",
				    "tty; stty size; read x; stty size", NULL },
		.envp = t_env, .cwd = "/", .fds = { -1, -1, -1 },
		.flags = INTEROP_WIRE_OPEN_F_PTY, .rows = 24, .cols = 80,
	};
	char out[512];
	size_t n = 0;
	bool signaled;
	int value, m;
	ssize_t r;
	void *proc;

	if (hl_interop_spawner_posix.spawn(NULL, &sp, &proc)) {
		t_ok(0, "pty spawn");
		return;
	}
	m = hl_interop_proc_pty(proc);
	/* Read until the first size is there, then resize and go on. */
	while (n < sizeof(out) - 1 && !strstr(out, "24 80") &&
	       (r = read(m, out + n, sizeof(out) - 1 - n)) > 0) {
		n += r;
		out[n] = '\0';
	}
	t_ok(!strncmp(out, "/dev/pts/", 9) && strstr(out, "24 80"),
	     "a controlling terminal of 24 by 80");
	t_ok(hl_interop_spawner_posix.resize(NULL, proc, 50, 132) == 0 &&
	     write(m, "\n", 1) == 1, "resized, then a line in");
	while (n < sizeof(out) - 1 && !strstr(out, "50 132") &&
	       (r = read(m, out + n, sizeof(out) - 1 - n)) > 0) {
		n += r;
		out[n] = '\0';
	}
	t_ok(strstr(out, "50 132") != NULL, "stty size sees 50 132");
	t_ok(t_reap(proc, &signaled, &value) && !signaled && value == 0, "exit 0");
	hl_interop_spawner_posix.forget(NULL, proc);
}

int main(void)
{
	t_basics();
	t_hygiene();
	t_errors();
	t_group();
	t_pty();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
