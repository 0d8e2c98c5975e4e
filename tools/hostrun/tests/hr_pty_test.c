// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun tests on a pty pair: hostrun (the fake device build, argv[1])
 * runs with the pty's slave as its controlling terminal and stdio, as
 * in a terminal; the test is the terminal on the master side.  A host
 * pty is asked for in the foreground, not in the background or with
 * -T; stderr apart only when it is not the terminal; the size sent;
 * the local terminal raw during the run and its modes back after it,
 * also when hostrun is killed by SIGTERM; ^C kills the program by
 * SIGINT, and hostrun by it; SIGWINCH becomes a resize.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"

static const char *t_hostrun;
static char t_log[64];

struct t_term {
	int master;
	pid_t pid;
	char out[65536];
	size_t len;
};

/* Start hostrun ARGV on a new pty of 30x100; @bg: in a background group. */
static int t_start(struct t_term *t, char *const *argv, bool bg, const char *err_file)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	int slave;

	memset(t, 0, sizeof(*t));
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0 || grantpt(t->master) || unlockpt(t->master))
		return -1;
	ioctl(t->master, TIOCSWINSZ, &ws);
	truncate(t_log, 0);
	t->pid = fork();
	if (t->pid)
		return t->pid < 0 ? -1 : 0;
	setsid();
	slave = open(ptsname(t->master), O_RDWR);
	ioctl(slave, TIOCSCTTY, 0);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (err_file)
		dup2(open(err_file, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
	if (bg) {
		pid_t c = fork();
		int st;

		if (c > 0) {
			waitpid(c, &st, 0);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
		setpgid(0, 0);
	}
	execv(t_hostrun, argv);
	_exit(99);
}

/* Read the master until @want shows (or EOF with @want NULL). */
static bool t_read(struct t_term *t, const char *want)
{
	struct pollfd p = { .fd = t->master, .events = POLLIN };
	ssize_t n;

	for (;;) {
		t->out[t->len] = '\0';
		if (want && strstr(t->out, want))
			return true;
		if (poll(&p, 1, 20000) <= 0)
			return false;
		n = read(t->master, t->out + t->len, sizeof(t->out) - 1 - t->len);
		if (n <= 0)
			return !want;
		t->len += (size_t)n;
	}
}

static int t_finish(struct t_term *t)
{
	int st;

	t_read(t, NULL);
	waitpid(t->pid, &st, 0);
	return st;
}

static bool t_log_has(const char *s)
{
	char buf[4096] = "";
	FILE *f = fopen(t_log, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, s);
}

static bool t_same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

static void t_tty_and_size(void)
{
	char *argv[] = { "hostrun", "sh", "-c", "tty; stty size; echo done", NULL };
	struct termios before, after;
	struct t_term t;
	int st;

	t_ok(!t_start(&t, argv, false, NULL), "pty: started");
	tcgetattr(t.master, &before);
	st = t_finish(&t);
	tcgetattr(t.master, &after);
	t_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pty: exit 0 (%#x)", st);
	t_ok(strstr(t.out, "/dev/pts/") && strstr(t.out, "30 100") && strstr(t.out, "done"),
	     "pty: the program has a tty of 30x100");
	t_ok(t_log_has("flags=0x1 rows=30 cols=100"), "pty: PTY asked, stderr with it, the size sent");
	t_ok(t_same_modes(&before, &after), "pty: the modes are back after the run");
}

static void t_raw_and_term(void)
{
	char *argv[] = { "hostrun", "sh", "-c", "echo ready; exec sleep 100", NULL };
	struct termios before, during, after;
	struct t_term t;
	int st;

	t_start(&t, argv, false, NULL);
	tcgetattr(t.master, &before);
	t_ok(t_read(&t, "ready"), "raw: the program runs");
	tcgetattr(t.master, &during);
	t_ok(!(during.c_lflag & (ICANON | ECHO | ISIG)) && !(during.c_oflag & OPOST),
	     "raw: the terminal is raw during the run");
	kill(t.pid, SIGTERM);
	st = t_finish(&t);
	tcgetattr(t.master, &after);
	t_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	     "raw: SIGTERM to hostrun, forwarded: it dies of SIGTERM (%#x)", st);
	t_ok(t_same_modes(&before, &after), "raw: the modes are back after SIGTERM");
	t_ok(t_log_has("signal 15") && t_log_has("exit 2 15"), "raw: the program died of it too");
}

static void t_stop_cont(void)
{
	char *argv[] = { "hostrun", "sh", "-c", "echo ready; read x; echo got-$x", NULL };
	struct termios before, stopped, resumed, after;
	struct t_term t;
	int st;

	t_start(&t, argv, false, NULL);
	tcgetattr(t.master, &before);
	t_read(&t, "ready");
	kill(t.pid, SIGTSTP);
	waitpid(t.pid, &st, WUNTRACED);
	tcgetattr(t.master, &stopped);
	t_ok(WIFSTOPPED(st) && t_same_modes(&before, &stopped),
	     "SIGTSTP: hostrun stops, the modes back (%#x)", st);
	kill(t.pid, SIGCONT);
	waitpid(t.pid, &st, WCONTINUED);
	/* The handler runs once it is scheduled; the input shows it. */
	if (write(t.master, "yes\r", 4) != 4)
		t_ok(0, "write");
	t_read(&t, "got-yes");
	tcgetattr(t.master, &resumed);
	t_ok(!(resumed.c_lflag & (ICANON | ECHO)), "SIGCONT: raw again");
	st = t_finish(&t);
	tcgetattr(t.master, &after);
	t_ok(WIFEXITED(st) && !WEXITSTATUS(st) && t_same_modes(&before, &after),
	     "SIGCONT: the program went on to its end, the modes back after");
}

static void t_ctrl_c(void)
{
	char *argv[] = { "hostrun", "sh", "-c", "echo ready; exec sleep 100", NULL };
	struct termios before, after;
	struct t_term t;
	int st;

	t_start(&t, argv, false, NULL);
	tcgetattr(t.master, &before);
	t_read(&t, "ready");
	/* The program's pty is ready once it printed; ^C is a byte to it. */
	if (write(t.master, "\x03", 1) != 1)
		t_ok(0, "write ^C");
	st = t_finish(&t);
	tcgetattr(t.master, &after);
	t_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT,
	     "^C: the program dies of SIGINT, and hostrun of it (%#x)", st);
	t_ok(!t_log_has("signal 2") && t_log_has("exit 2 2"),
	     "^C: through the host pty, not as a forwarded signal");
	t_ok(t_same_modes(&before, &after), "^C: the modes are back");
	t_ok(WIFSIGNALED(st) && !WCOREDUMP(st), "^C: no core dumped");
}

static void t_winch(void)
{
	char *argv[] = { "hostrun", "sh", "-c",
		"trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 1 & wait $!; done",
		NULL };
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct t_term t;
	int st;

	t_start(&t, argv, false, NULL);
	t_read(&t, "ready");
	ioctl(t.master, TIOCSWINSZ, &ws);
	t_ok(t_read(&t, "40 120"), "winch: the program sees the new size");
	st = t_finish(&t);
	t_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "winch: exit 0");
	t_ok(t_log_has("resize 40 120"), "winch: the resize reached the host");
}

static void t_modes(void)
{
	char *no_pty[] = { "hostrun", "-T", "true", NULL };
	char *nostdin[] = { "hostrun", "-n", "true", NULL };
	char *plain[] = { "hostrun", "true", NULL };
	char err[] = "/tmp/hr_pty_err.XXXXXX";
	struct t_term t;
	int st;

	t_start(&t, no_pty, false, NULL);
	st = t_finish(&t);
	t_ok(WIFEXITED(st) && !WEXITSTATUS(st) && t_log_has("flags=0 "),
	     "-T: no pty; stdout and stderr one terminal, merged");
	t_start(&t, nostdin, true, NULL);
	st = t_finish(&t);
	t_ok(WIFEXITED(st) && !WEXITSTATUS(st) && t_log_has("flags=0x2 "),
	     "background group: no pty");
	close(mkstemp(err));
	t_start(&t, plain, false, err);
	st = t_finish(&t);
	t_ok(WIFEXITED(st) && !WEXITSTATUS(st) && t_log_has("flags=0x5 "),
	     "pty with stderr to a file: stderr apart");
	unlink(err);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hr_pty.XXXXXX", map[64], self[4096];
	ssize_t n;

	/* Default: fake/hostrun beside this program. */
	if (argc > 2) {
		fprintf(stderr, "usage: hr_pty_test [FAKE-HOSTRUN]\n");
		return 2;
	}
	if (argc == 2) {
		t_hostrun = realpath(argv[1], NULL);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 32);
		if (n > 0) {
			self[n] = '\0';
			strcpy(strrchr(self, '/') + 1, "fake/hostrun");
			t_hostrun = self;
		}
	}
	if (!t_hostrun)
		return 2;
	if (!mkdtemp(dir) || chdir(dir))
		return 1;
	snprintf(t_log, sizeof(t_log), "%s/log", dir);
	snprintf(map, sizeof(map), "%s:%s", dir, dir);
	setenv("HOSTRUN_FAKE_LOG", t_log, 1);
	setenv("HOSTRUN_FAKE_MAP", map, 1);
	unsetenv("HOSTRUN_ENV");
	printf("TAP version 13\n");
	t_tty_and_size();
	t_raw_and_term();
	t_ctrl_c();
	t_stop_cont();
	t_winch();
	t_modes();
	unlink(t_log);
	rmdir(dir);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
