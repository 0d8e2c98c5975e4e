// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end test of the exec service of hostlinkd: the real binary on
 * hybrid vsock sockets, serving interop, and a test guest speaking
 * Documentation/interop-protocol.rst through hl_client.c, with real
 * programs (/bin/echo, /bin/cat, sh) whose bytes are checked through
 * the attached sockets: INFO, every refusal's errno, exit codes and
 * deaths by signal, stdin EOF, stderr apart, a pty (tty, size,
 * resize), SIGNAL, CLOSE (SIGHUP, then SIGKILL after the grace), the
 * control connection's loss, the daemon's death by SIGKILL, connection
 * slots freed by adoption, malformed requests (always a reply), and no
 * process left behind.  No timing is asserted but generous deadlines.
 * TAP output.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/interop_wire.h>

#include "hl_client.h"
#include "td_daemon.h"
#include "tap.h"

static char t_sock[320];
static uint64_t t_id = 1;
static struct td t_d;

struct t_g {
	struct hlc c;
	struct interop_wire_ev_exit ev[64];	/* EXITs that came meanwhile */
	unsigned int nev;
};

struct t_sess {
	uint64_t id;
	uint32_t streams;
	int fd[3];
};

static void t_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits for a REPLY to @id, keeping EXIT events; its status, or -errno. */
static int t_reply(struct t_g *g, uint64_t id, void *out, uint32_t outlen, uint32_t *got)
{
	struct hlc_frame f;
	int ret;

	for (;;) {
		ret = hlc_recv(&g->c, &f, 10000);
		if (ret)
			return ret;
		if (f.h.type == HOSTLINK_EVENT) {
			if (f.h.op == INTEROP_WIRE_EV_EXIT && f.h.len == 16 && g->nev < 64)
				memcpy(&g->ev[g->nev++], f.payload, 16);
			hlc_frame_free(&f);
			continue;
		}
		if (f.h.type != HOSTLINK_REPLY || f.h.id != id) {
			hlc_frame_free(&f);
			return -EPROTO;
		}
		ret = f.h.status;
		if (got)
			*got = f.h.len;
		if (!ret && out)
			memcpy(out, f.payload, f.h.len < outlen ? f.h.len : outlen);
		hlc_frame_free(&f);
		return ret;
	}
}

static int t_req(struct t_g *g, uint32_t op, uint16_t flags, const void *body, uint32_t len,
		 void *out, uint32_t outlen, uint32_t *got)
{
	struct hl_cred cred = { .uid = 1000, .gid = 1000, .pid = 42, .tid = 42 };
	uint64_t id = t_id++;
	int ret = hlc_request(&g->c, id, op, flags, flags ? NULL : &cred, body, len);

	return ret ? ret : t_reply(g, id, out, outlen, got);
}

static int t_connect(struct t_g *g, uint64_t features, bool info)
{
	struct interop_wire_info in = { .min_version = htole16(1), .max_version = htole16(1) };
	struct interop_wire_info_reply r;
	int ret;

	memset(g, 0, sizeof(*g));
	ret = hlc_hello(&g->c, t_sock, HOSTLINK_PROTO_MIN, HOSTLINK_PROTO_MAX,
			HOSTLINK_FRAME_DEFAULT, features, "interop");
	if (ret || g->c.status)
		return ret ? ret : -(int)g->c.status;
	if (!info)
		return 0;
	ret = t_req(g, INTEROP_WIRE_OP_INFO, HOSTLINK_F_KERNEL, &in, sizeof(in), &r,
		    sizeof(r), NULL);
	return ret > 0 ? -ret : ret;
}

/* An EXIT for @id, from those kept or those to come: 0, or -ETIMEDOUT. */
static int t_exit(struct t_g *g, uint64_t id, uint32_t *how, uint32_t *value)
{
	struct hlc_frame f;
	unsigned int i;
	int ret;

	for (;;) {
		for (i = 0; i < g->nev; i++) {
			if (le64toh(g->ev[i].session) != id)
				continue;
			*how = le32toh(g->ev[i].how);
			*value = le32toh(g->ev[i].value);
			g->ev[i] = g->ev[--g->nev];
			return 0;
		}
		ret = hlc_recv(&g->c, &f, 10000);
		if (ret)
			return ret;
		if (f.h.type == HOSTLINK_EVENT && f.h.op == INTEROP_WIRE_EV_EXIT &&
		    f.h.len == 16 && g->nev < 64)
			memcpy(&g->ev[g->nev++], f.payload, 16);
		hlc_frame_free(&f);
	}
}

/* The OPEN body and strings for @argv (NULL-ended), @env, @cwd. */
static uint32_t t_open_body(uint8_t *buf, uint64_t id, uint32_t flags,
			    const char *const *argv, const char *const *env, const char *cwd)
{
	struct interop_wire_open o = { 0 };
	uint32_t off = sizeof(o), argc = 0, envc = 0;

	for (; argv[argc]; argc++) {
		strcpy((char *)buf + off, argv[argc]);
		off += strlen(argv[argc]) + 1;
	}
	for (; env && env[envc]; envc++) {
		strcpy((char *)buf + off, env[envc]);
		off += strlen(env[envc]) + 1;
	}
	strcpy((char *)buf + off, cwd);
	off += strlen(cwd) + 1;
	o.session = htole64(id);
	o.flags = htole32(flags);
	if (flags & INTEROP_WIRE_OPEN_F_PTY) {
		o.rows = htole16(24);
		o.cols = htole16(80);
	}
	o.argc = htole32(argc);
	o.envc = htole32(envc);
	o.strings_len = htole32(off - sizeof(o));
	memcpy(buf, &o, sizeof(o));
	return off;
}

/* OPEN and the ATTACH of each stream: 0 or the errno, or -errno. */
static int t_open(struct t_g *g, struct t_sess *s, uint64_t id, uint32_t flags,
		  const char *const *argv, const char *const *env, const char *cwd,
		  uint32_t *oflags)
{
	static uint8_t buf[8192];
	struct interop_wire_open_reply r;
	uint32_t len = t_open_body(buf, id, flags, argv, env, cwd), st;
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->fd[0] = s->fd[1] = s->fd[2] = -1;
	ret = t_req(g, INTEROP_WIRE_OP_OPEN, 0, buf, len, &r, sizeof(r), NULL);
	if (ret)
		return ret;
	s->streams = le32toh(r.streams);
	if (oflags)
		*oflags = le32toh(r.flags);
	for (i = 0; i < 3; i++) {
		if (!(s->streams & (1U << i)))
			continue;
		ret = hlc_attach(t_sock, r.token[i], "interop", g->c.rx.version, &s->fd[i], &st);
		if (ret || st)
			return ret ? ret : -(int)st;
	}
	return 0;
}

static int t_sess_op(struct t_g *g, uint32_t op, uint64_t id)
{
	struct interop_wire_session b = { .session = htole64(id) };

	return t_req(g, op, 0, &b, sizeof(b), NULL, 0, NULL);
}

static int t_signal(struct t_g *g, uint64_t id, uint32_t sig)
{
	struct interop_wire_signal b = { .session = htole64(id), .signo = htole32(sig) };

	return t_req(g, INTEROP_WIRE_OP_SIGNAL, 0, &b, sizeof(b), NULL, 0, NULL);
}

static int t_resize(struct t_g *g, uint64_t id, uint16_t rows, uint16_t cols)
{
	struct interop_wire_resize b = {
		.session = htole64(id), .rows = htole16(rows), .cols = htole16(cols),
	};

	return t_req(g, INTEROP_WIRE_OP_RESIZE, 0, &b, sizeof(b), NULL, 0, NULL);
}

static void t_sess_close_fds(struct t_sess *s)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (s->fd[i] >= 0) {
			close(s->fd[i]);
			s->fd[i] = -1;
		}
}

/* Reads @fd to EOF into @buf (NUL-ended): its length, or -1. */
static long t_read_all(int fd, char *buf, size_t cap)
{
	size_t have = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return -1;
		n = recv(fd, buf + have, cap - 1 - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf[have] = '\0';
			return n < 0 ? -1 : (long)have;
		}
		have += n;
		if (have == cap - 1) {
			buf[have] = '\0';
			return have;
		}
	}
}

/* Reads a line (a number) from @fd: the value, or -1. */
static long t_read_num(int fd)
{
	char buf[64];
	size_t have = 0;

	while (have < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return -1;
		n = recv(fd, buf + have, 1, 0);
		if (n <= 0)
			return -1;
		if (buf[have] == '\n' || buf[have] == '\r') {
			if (!have)
				continue;
			buf[have] = '\0';
			return strtol(buf, NULL, 10);
		}
		have++;
	}
	return -1;
}

static bool t_pid_alive(long pid)
{
	char path[64], st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* "pid (comm) S ...": a zombie is dead enough. */
	if (fscanf(f, "%*d (%*[^)]) %c", &st) != 1)
		st = 0;
	fclose(f);
	return st && st != 'Z' && st != 'X';
}

/* Waits up to @ms for @pid to be gone. */
static bool t_pid_gone(long pid, long ms)
{
	for (; ms > 0; ms -= 20) {
		if (!t_pid_alive(pid))
			return true;
		t_sleep_ms(20);
	}
	return !t_pid_alive(pid);
}

/* Children of the daemon (the programs it spawned and has not collected). */
static unsigned int t_children(pid_t parent)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		char path[300], line[256];
		FILE *f;
		long pp;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %ld", &pp) == 1 && pp == parent)
				n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/* ---- the cases ---- */

static void test_info(void)
{
	struct interop_wire_info in = { .min_version = htole16(1), .max_version = htole16(1) };
	struct interop_wire_info_reply r;
	struct interop_wire_session b = { .session = htole64(1) };
	uint32_t got = 0;
	struct t_g g;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, false) == 0, "HELLO for interop");
	t_ok(t_req(&g, 99, 0, NULL, 0, NULL, 0, NULL) == EOPNOTSUPP, "unknown op: EOPNOTSUPP");
	t_ok(t_req(&g, INTEROP_WIRE_OP_START, 0, &b, sizeof(b), NULL, 0, NULL) == EPROTO,
	     "START before INFO: EPROTO");
	t_ok(t_req(&g, INTEROP_WIRE_OP_INFO, 0, &in, 8, NULL, 0, NULL) == EINVAL,
	     "INFO of 8 bytes: EINVAL");
	in.min_version = htole16(2);
	in.max_version = htole16(3);
	t_ok(t_req(&g, INTEROP_WIRE_OP_INFO, 0, &in, sizeof(in), NULL, 0, NULL) ==
	     EPROTONOSUPPORT, "INFO of versions 2-3: EPROTONOSUPPORT");
	in.min_version = htole16(1);
	in.max_version = htole16(1);
	t_ok(t_req(&g, INTEROP_WIRE_OP_INFO, HOSTLINK_F_KERNEL, &in, sizeof(in), &r, sizeof(r),
		   &got) == 0 && got == 40 && le16toh(r.version) == 1 &&
	     le32toh(r.max_sessions) == 6 && le32toh(r.max_arg_bytes) == 262144 &&
	     !r.features && !r.flags && !r.__reserved0 && !r.__reserved1,
	     "INFO: version 1, the host's limits (max_sessions as configured)");
	t_ok(t_req(&g, INTEROP_WIRE_OP_INFO, 0, &in, sizeof(in), NULL, 0, NULL) == EINVAL,
	     "a second INFO: EINVAL, the connection stays");
	t_ok(t_req(&g, INTEROP_WIRE_OP_CLOSE, 0, &b, sizeof(b), NULL, 0, NULL) == ESRCH,
	     "CLOSE of an unknown session: ESRCH");
	hlc_close(&g.c);

	t_ok(t_connect(&g, HOSTLINK_FEAT_EVENTS, false) == 0 &&
	     t_req(&g, INTEROP_WIRE_OP_INFO, 0, &in, sizeof(in), NULL, 0, NULL) == EOPNOTSUPP,
	     "INFO without hostlink's ATTACH: EOPNOTSUPP");
	hlc_close(&g.c);
}

static void test_echo_cat(void)
{
	const char *echo[] = { "echo", "hello", "wide world", "", NULL };
	const char *cat[] = { "/bin/cat", NULL };
	const char *env[] = { "TERM=xterm", "LD_PRELOAD=/x.so", "SECRET=1", NULL };
	const char *envp[] = { "/usr/bin/env", NULL };
	char buf[4096];
	uint32_t how = 0, value = 99, of = 0;
	struct t_sess s;
	struct t_g g;
	long n;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected, INFO done");
	t_ok(t_open(&g, &s, 10, 0, echo, NULL, "", &of) == 0 &&
	     s.streams == (INTEROP_WIRE_STREAM_STDIN | INTEROP_WIRE_STREAM_STDOUT) && !of,
	     "OPEN echo: stdin and stdout, attached");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 10) == 0, "START echo");
	n = t_read_all(s.fd[1], buf, sizeof(buf));
	t_ok(n == 18 && !memcmp(buf, "hello wide world \n", 18),
	     "echo's argv byte for byte on the stdout socket, then EOF");
	t_ok(t_exit(&g, 10, &how, &value) == 0 && how == INTEROP_WIRE_EXITED && value == 0,
	     "EXIT: exited 0");
	t_ok(t_signal(&g, 10, INTEROP_WIRE_SIGTERM) == 0, "SIGNAL after the end: 0");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 10) == EINVAL, "START again: EINVAL");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 10) == 0, "CLOSE");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 10) == ESRCH, "CLOSE again: ESRCH");
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 11, 0, cat, NULL, "/guest", &of) == 0 && !of &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 11) == 0, "OPEN, START cat in a mapped cwd");
	t_ok(hlc_write_full(s.fd[0], "abc\0def", 7) == 0 && !shutdown(s.fd[0], SHUT_WR),
	     "7 bytes to its stdin, then SHUT_WR");
	n = t_read_all(s.fd[1], buf, sizeof(buf));
	t_ok(n == 7 && !memcmp(buf, "abc\0def", 7), "cat gives them back, then EOF");
	t_ok(t_exit(&g, 11, &how, &value) == 0 && how == INTEROP_WIRE_EXITED && value == 0,
	     "stdin's EOF ends cat: exited 0");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 11);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 12, INTEROP_WIRE_OPEN_F_STDIN_NULL, envp, env, "/elsewhere", &of) == 0 &&
	     s.streams == INTEROP_WIRE_STREAM_STDOUT && of == INTEROP_WIRE_OPENED_F_CWD_HOME &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 12) == 0,
	     "OPEN env, stdin /dev/null, an unmapped cwd: CWD_HOME");
	n = t_read_all(s.fd[1], buf, sizeof(buf));
	t_ok(n > 0 && strstr(buf, "TERM=xterm\n") && strstr(buf, "PATH=/usr/bin:/bin\n") &&
	     strstr(buf, "HOME=") && !strstr(buf, "LD_PRELOAD") && !strstr(buf, "SECRET"),
	     "environment: TERM passed, PATH the host's, LD_PRELOAD and others dropped");
	t_ok(t_exit(&g, 12, &how, &value) == 0 && how == INTEROP_WIRE_EXITED && value == 0,
	     "env exited 0");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 12);
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

static void test_exits(void)
{
	const char *ex3[] = { "sh", "-c", "exit 3", NULL };
	const char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	const char *split[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	const char *mixed[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	const char *sleeper[] = { "sh", "-c", "echo $$; exec sleep 30", NULL };
	const char *masks[] = { "sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL };
	char out[256], err[256];
	uint32_t how = 0, value = 0;
	struct t_sess s;
	struct t_g g;
	long pid;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	t_ok(t_open(&g, &s, 20, 0, ex3, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 20) == 0 &&
	     t_read_all(s.fd[1], out, sizeof(out)) == 0 &&
	     t_exit(&g, 20, &how, &value) == 0 && how == INTEROP_WIRE_EXITED && value == 3,
	     "sh -c 'exit 3': EOF, then exited 3");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 20);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 21, 0, term, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 21) == 0 &&
	     t_exit(&g, 21, &how, &value) == 0 && how == INTEROP_WIRE_SIGNALED &&
	     value == INTEROP_WIRE_SIGTERM, "a program killing itself: SIGNALED 15");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 21);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 22, INTEROP_WIRE_OPEN_F_STDERR_STREAM, split, NULL, "", NULL) == 0 &&
	     s.streams == 7 && t_sess_op(&g, INTEROP_WIRE_OP_START, 22) == 0 &&
	     t_read_all(s.fd[1], out, sizeof(out)) == 4 && !strcmp(out, "out\n") &&
	     t_read_all(s.fd[2], err, sizeof(err)) == 4 && !strcmp(err, "err\n"),
	     "STDERR_STREAM: stdout and stderr apart");
	t_exit(&g, 22, &how, &value);
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 22);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 23, 0, mixed, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 23) == 0 &&
	     t_read_all(s.fd[1], out, sizeof(out)) == 8 && !strcmp(out, "out\nerr\n"),
	     "without STDERR_STREAM: stderr on stdout's stream");
	t_exit(&g, 23, &how, &value);
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 23);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 24, 0, masks, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 24) == 0 &&
	     t_read_all(s.fd[1], out, sizeof(out)) > 0 &&
	     strstr(out, "SigBlk:\t0000000000000000") && strstr(out, "SigIgn:\t0000000000000000"),
	     "no signal blocked or ignored in the program");
	t_exit(&g, 24, &how, &value);
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 24);
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 25, 0, sleeper, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 25) == 0, "START sleep 30");
	pid = t_read_num(s.fd[1]);
	t_ok(pid > 0 && t_pid_alive(pid), "it runs (pid %ld)", pid);
	t_ok(t_signal(&g, 25, INTEROP_WIRE_SIGUSR1) == 0 &&
	     t_exit(&g, 25, &how, &value) == 0 && how == INTEROP_WIRE_SIGNALED &&
	     value == INTEROP_WIRE_SIGUSR1, "SIGNAL USR1: SIGNALED 10");
	t_ok(t_pid_gone(pid, 5000), "and it is gone");
	t_ok(t_signal(&g, 25, 32) == EINVAL, "SIGNAL 32 (glibc's): EINVAL");
	t_ok(t_signal(&g, 25, 65) == EINVAL, "SIGNAL 65: EINVAL");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 25);
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

static void test_refusals(void)
{
	const char *ok[] = { "true", NULL };
	const char *none[] = { "no-such-program-here", NULL };
	const char *denied[] = { "/usr/sbin/nologin", NULL };
	const char *guest[] = { "/guest/garbage", NULL };
	const char *outside[] = { "/nowhere/x", NULL };
	const char *relative[] = { "bin/true", NULL };
	static uint8_t big[300000];
	struct interop_wire_open o = { 0 };
	struct t_sess s[8];
	struct t_g g;
	uint32_t i;
	int ret;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	t_ok(t_open(&g, &s[0], 30, 0, none, NULL, "", NULL) == ENOENT, "no such program: ENOENT");
	t_ok(access("/usr/sbin/nologin", X_OK) ||
	     t_open(&g, &s[0], 30, 0, denied, NULL, "", NULL) == EACCES,
	     "a program not in interop_allow: EACCES");
	t_ok(t_open(&g, &s[0], 30, INTEROP_WIRE_OPEN_F_GUEST_PATH, outside, NULL, "", NULL) ==
	     ENOENT, "a guest path outside the map: ENOENT");
	t_ok(t_open(&g, &s[0], 30, 0, relative, NULL, "", NULL) == EINVAL,
	     "a relative argv[0] with '/': EINVAL");
	t_ok(t_open(&g, &s[0], 0, 0, ok, NULL, "", NULL) == EINVAL, "session 0: EINVAL");
	t_ok(t_open(&g, &s[0], 30, INTEROP_WIRE_OPEN_F_PTY | INTEROP_WIRE_OPEN_F_STDIN_NULL, ok,
		    NULL, "", NULL) == EINVAL, "PTY with STDIN_NULL: EINVAL");
	{
		uint8_t buf[256];
		uint32_t len = t_open_body(buf, 30, 0, ok, NULL, "");

		t_ok(t_req(&g, INTEROP_WIRE_OP_OPEN, HOSTLINK_F_KERNEL, buf, len, NULL, 0, NULL) ==
		     EPERM, "OPEN with kernel credentials: EPERM");
	}
	/* argc over the protocol's limit, within the frame: E2BIG. */
	o.session = htole64(31);
	o.argc = htole32(INTEROP_WIRE_MAX_ARGC + 1);
	o.strings_len = htole32(2 * (INTEROP_WIRE_MAX_ARGC + 1) + 1);
	memcpy(big, &o, sizeof(o));
	for (i = 0; i < INTEROP_WIRE_MAX_ARGC + 2; i++) {
		big[sizeof(o) + 2 * i] = 'a';
		big[sizeof(o) + 2 * i + 1] = '\0';
	}
	big[sizeof(o) + 2 * (INTEROP_WIRE_MAX_ARGC + 1)] = '\0';	/* an empty cwd */
	big[sizeof(o) + 2 * (INTEROP_WIRE_MAX_ARGC + 1) + 1] = '\0';
	ret = t_req(&g, INTEROP_WIRE_OP_OPEN, 0, big, sizeof(o) + 2 * (INTEROP_WIRE_MAX_ARGC + 2) - 1,
		    NULL, 0, NULL);
	t_ok(ret == E2BIG, "argc 65537: E2BIG (%d)", ret);

	t_ok(t_open(&g, &s[0], 32, 0, ok, NULL, "", NULL) == 0, "OPEN true");
	t_ok(t_open(&g, &s[1], 32, 0, ok, NULL, "", NULL) == EEXIST, "the same id again: EEXIST");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 33) == ESRCH, "START of an unknown id: ESRCH");
	t_ok(t_signal(&g, 32, INTEROP_WIRE_SIGTERM) == EINVAL, "SIGNAL before START: EINVAL");
	t_ok(t_resize(&g, 32, 10, 10) == EINVAL, "RESIZE without a pty: EINVAL");
	t_ok(t_resize(&g, 32, 0, 10) == EINVAL, "RESIZE to 0 rows: EINVAL");
	/*
	 * Max 6 per guest, on all its connections: 32 here, 110 on another
	 * (test_unstarted_open()), and four more, then EUSERS.
	 */
	for (i = 1; i < 5; i++)
		ret = t_open(&g, &s[i], 40 + i, 0, ok, NULL, "", NULL);
	t_ok(ret == 0, "four more sessions open");
	t_ok(t_open(&g, &s[6], 50, 0, ok, NULL, "", NULL) == EUSERS,
	     "the guest's interop_max_sessions reached, over two connections: EUSERS");
	t_ok(t_open(&g, &s[6], 32, 0, ok, NULL, "", NULL) == EEXIST,
	     "... after EEXIST in the check order");
	for (i = 1; i < 5; i++) {
		t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 40 + i);
		t_sess_close_fds(&s[i]);
	}
	ret = t_open(&g, &s[1], 51, INTEROP_WIRE_OPEN_F_GUEST_PATH, guest, NULL, "", NULL);
	if (!ret)
		ret = t_sess_op(&g, INTEROP_WIRE_OP_START, 51);
	t_ok(ret == ENOEXEC,
	     "a guest path mapped to a file of no known format: START says ENOEXEC (%d)", ret);
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 51) == EINVAL, "START after that: EINVAL");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 51);
	t_sess_close_fds(&s[1]);
	{
		const char *one[] = { "true", NULL };
		uint8_t buf[256];
		struct interop_wire_open_reply r;
		uint32_t len = t_open_body(buf, 52, 0, one, NULL, "");

		t_ok(t_req(&g, INTEROP_WIRE_OP_OPEN, 0, buf, len, &r, sizeof(r), NULL) == 0 &&
		     t_sess_op(&g, INTEROP_WIRE_OP_START, 52) == EINVAL,
		     "START with streams not attached: EINVAL");
		t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 52);
	}
	{
		uint8_t buf[64] = { 0 };
		char out[INTEROP_WIRE_MAX_PATH];
		struct interop_wire_mappath m = { .path_len = htole32(9) };
		uint32_t got = 0;

		memcpy(buf, &m, sizeof(m));
		memcpy(buf + 8, "/guest/x", 9);
		t_ok(t_req(&g, INTEROP_WIRE_OP_MAPPATH, 0, buf, 17, out, sizeof(out), &got) == 0 &&
		     got == strlen(td_dir) + 3 && !strncmp(out, td_dir, strlen(td_dir)) &&
		     !strcmp(out + strlen(td_dir), "/x"), "MAPPATH /guest/x: below the mapped directory");
		memcpy(buf + 8, "/other/x", 9);
		t_ok(t_req(&g, INTEROP_WIRE_OP_MAPPATH, 0, buf, 17, out, sizeof(out), NULL) == ENOENT,
		     "MAPPATH outside the map: ENOENT");
	}
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 32);
	t_sess_close_fds(&s[0]);
	hlc_close(&g.c);
}

/* Malformed bodies for every op: always a REPLY with an error, nothing lost. */
static void test_hostile(void)
{
	const char *ok[] = { "echo", "still", NULL };
	uint8_t junk[512];
	char out[64];
	unsigned int op, len, bad = 0, i;
	uint32_t how, value;
	struct t_sess s;
	struct t_g g;
	int ret;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	srand(7);
	for (i = 0; i < 400; i++) {
		op = 1 + rand() % 8;
		len = rand() % sizeof(junk);
		for (unsigned int k = 0; k < len; k++)
			junk[k] = rand() % 4 ? rand() : 0;
		/* START and CLOSE of a random id are ESRCH; never success but by luck. */
		ret = t_req(&g, op, 0, junk, len, out, sizeof(out), NULL);
		if (ret <= 0 && !(op == INTEROP_WIRE_OP_INFO && ret == 0))
			bad++;
	}
	t_ok(!bad, "400 random requests: each got an error REPLY (%u did not)", bad);
	t_ok(t_open(&g, &s, 60, 0, ok, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 60) == 0 &&
	     t_read_all(s.fd[1], out, sizeof(out)) == 6 && !strcmp(out, "still\n") &&
	     t_exit(&g, 60, &how, &value) == 0, "and the connection still serves");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 60);
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

static void test_pty(void)
{
	const char *tty[] = { "sh", "-c", "tty; stty size; read x; stty size; echo got $x", NULL };
	char buf[1024] = "";
	uint32_t how = 0, value = 0;
	struct t_sess s;
	struct t_g g;
	long n;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	t_ok(t_open(&g, &s, 70, INTEROP_WIRE_OPEN_F_PTY, tty, NULL, "", NULL) == 0 &&
	     s.streams == 3, "OPEN with PTY: stdin and stdout");
	t_ok(t_resize(&g, 70, 30, 100) == 0, "RESIZE before START: kept");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 70) == 0, "START");
	/* Its first size out, then the new one and a line for its read. */
	n = 0;
	while (n < (long)sizeof(buf) - 1 && !strstr(buf, "30 100")) {
		struct pollfd p = { .fd = s.fd[1], .events = POLLIN };
		ssize_t k;

		buf[n] = '\0';
		if (poll(&p, 1, 10000) <= 0)
			break;
		k = recv(s.fd[1], buf + n, 1, 0);
		if (k <= 0)
			break;
		n += k;
		buf[n] = '\0';
	}
	t_ok(strstr(buf, "/dev/pts/") != NULL, "tty says /dev/pts/N");
	t_ok(strstr(buf, "30 100") != NULL, "stty size: 30 100, the size RESIZE gave before START");
	t_ok(t_resize(&g, 70, 40, 120) == 0, "RESIZE while it runs");
	t_ok(hlc_write_full(s.fd[0], "hi\n", 3) == 0, "a line to its terminal");
	n = t_read_all(s.fd[1], buf, sizeof(buf));
	t_ok(n > 0 && strstr(buf, "40 120") != NULL, "after RESIZE: 40 120");
	t_ok(n > 0 && strstr(buf, "got hi") != NULL, "what the guest typed came through");
	t_ok(t_exit(&g, 70, &how, &value) == 0 && how == INTEROP_WIRE_EXITED && value == 0,
	     "EXIT after the pty's output: exited 0");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 70);
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

static void test_close_kills(void)
{
	char file[320], cmd[512];
	const char *hup[] = { "sh", "-c", cmd, NULL };
	const char *deaf[] = { "sh", "-c", "trap '' HUP; echo $$; while :; do sleep 0.1; done",
			       NULL };
	const char *sleeper[] = { "sh", "-c", "echo $$; exec sleep 30", NULL };
	struct t_sess s;
	struct t_g g;
	long pid, pid2;

	snprintf(file, sizeof(file), "%s/hup", td_dir);
	/*
	 * Its stdio is let go once the pid is out: CLOSE shuts the streams
	 * down, and dash, reporting its sleep's "Hangup" on a shut stderr,
	 * dies of the SIGPIPE that raises before its trap runs.
	 */
	snprintf(cmd, sizeof(cmd), "trap 'echo hup > %s; exit 0' HUP; echo $$; "
		 "exec >/dev/null 2>&1; while :; do sleep 0.1; done", file);
	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	t_ok(t_open(&g, &s, 80, 0, hup, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 80) == 0, "START a program that traps HUP");
	pid = t_read_num(s.fd[1]);
	t_ok(pid > 0 && t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 80) == 0, "CLOSE it at once");
	t_ok(t_pid_gone(pid, 10000) && !access(file, F_OK), "it got SIGHUP (and left)");
	t_sess_close_fds(&s);

	t_ok(t_open(&g, &s, 81, 0, deaf, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 81) == 0, "START a program ignoring HUP");
	pid = t_read_num(s.fd[1]);
	t_ok(pid > 0 && t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 81) == 0, "CLOSE it");
	t_ok(t_pid_gone(pid, 15000), "SIGKILL after the grace: gone");
	t_ok(t_sess_op(&g, INTEROP_WIRE_OP_START, 81) == ESRCH, "the id is free: ESRCH");
	t_sess_close_fds(&s);

	/* The control connection's loss ends every session of it. */
	t_ok(t_open(&g, &s, 82, 0, sleeper, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 82) == 0, "START sleep 30");
	pid = t_read_num(s.fd[1]);
	{
		struct t_sess s2;

		t_ok(t_open(&g, &s2, 83, 0, deaf, NULL, "", NULL) == 0 &&
		     t_sess_op(&g, INTEROP_WIRE_OP_START, 83) == 0, "and one ignoring HUP");
		pid2 = t_read_num(s2.fd[1]);
		hlc_close(&g.c);
		t_ok(pid > 0 && t_pid_gone(pid, 10000), "control connection closed: sleep gone");
		t_ok(pid2 > 0 && t_pid_gone(pid2, 15000), "and the deaf one after the grace");
		t_sess_close_fds(&s2);
	}
	t_sess_close_fds(&s);
	for (pid = 0; pid < 250 && t_children(t_d.pid); pid++)
		t_sleep_ms(20);
	t_ok(t_children(t_d.pid) == 0, "no child of the daemon left (/proc), zombies neither");
}

/* Streams are adopted: they do not hold connection slots (max 4 here). */
static void test_slots(void)
{
	const char *cat[] = { "cat", NULL };
	struct t_sess s[4];
	unsigned int i, ok = 0;
	uint32_t how, value;
	char buf[16];
	struct t_g g;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0, "connected");
	for (i = 0; i < 4; i++)
		ok += t_open(&g, &s[i], 90 + i, INTEROP_WIRE_OPEN_F_STDERR_STREAM, cat, NULL, "",
			     NULL) == 0 && t_sess_op(&g, INTEROP_WIRE_OP_START, 90 + i) == 0;
	t_ok(ok == 4, "4 sessions of 3 streams each with max_connections 4: all attached");
	ok = 0;
	for (i = 0; i < 4; i++) {
		hlc_write_full(s[i].fd[0], "x", 1);
		shutdown(s[i].fd[0], SHUT_WR);
		ok += t_read_all(s[i].fd[1], buf, sizeof(buf)) == 1 &&
		      t_exit(&g, 90 + i, &how, &value) == 0 && how == INTEROP_WIRE_EXITED;
		t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 90 + i);
		t_sess_close_fds(&s[i]);
	}
	t_ok(ok == 4, "and each ran");
	hlc_close(&g.c);
}

/* SIGTERM: the daemon ends its programs (SIGHUP, SIGKILL after the grace). */
static void test_daemon_stop(const char *const *args)
{
	const char *deaf[] = { "sh", "-c", "trap '' HUP; echo $$; while :; do sleep 0.1; done",
			       NULL };
	const char *echo[] = { "echo", "again", NULL };
	uint32_t how, value;
	struct t_sess s;
	char buf[64];
	struct t_g g;
	long pid;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0 &&
	     t_open(&g, &s, 120, 0, deaf, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 120) == 0, "START a program ignoring HUP");
	pid = t_read_num(s.fd[1]);
	t_ok(pid > 0 && td_stop(&t_d) == 0, "SIGTERM to the daemon: exits 0");
	t_ok(!t_pid_alive(pid), "its program was killed before it exited");
	t_sess_close_fds(&s);
	hlc_close(&g.c);
	t_ok(td_start(&t_d, "interop", args) == 0, "the daemon starts again");
	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0 &&
	     t_open(&g, &s, 121, 0, echo, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 121) == 0 &&
	     t_read_all(s.fd[1], buf, sizeof(buf)) == 6 && !strcmp(buf, "again\n") &&
	     t_exit(&g, 121, &how, &value) == 0, "and runs programs");
	t_sess_op(&g, INTEROP_WIRE_OP_CLOSE, 121);
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

/* The daemon dies by SIGKILL: its programs die with it. */
static void test_daemon_kill(void)
{
	const char *sleeper[] = { "sh", "-c", "echo $$; exec sleep 30", NULL };
	struct t_sess s;
	struct t_g g;
	int status;
	long pid;

	t_ok(t_connect(&g, HOSTLINK_FEAT_ALL, true) == 0 &&
	     t_open(&g, &s, 100, 0, sleeper, NULL, "", NULL) == 0 &&
	     t_sess_op(&g, INTEROP_WIRE_OP_START, 100) == 0, "START sleep 30");
	pid = t_read_num(s.fd[1]);
	t_ok(pid > 0 && !kill(t_d.pid, SIGKILL) && waitpid(t_d.pid, &status, 0) == t_d.pid,
	     "kill -9 of the daemon");
	t_d.pid = 0;
	t_ok(t_pid_gone(pid, 10000), "its program died with it (PR_SET_PDEATHSIG)");
	t_sess_close_fds(&s);
	hlc_close(&g.c);
}

/*
 * A session never started goes 10 seconds after its OPEN (opened when
 * the run began, checked at its end), its tokens with it.
 */
static struct t_g t_late;
static uint8_t t_late_token[HOSTLINK_TOKEN_LEN];

static void test_unstarted_open(void)
{
	const char *ok[] = { "true", NULL };
	struct interop_wire_open_reply r;
	uint8_t buf[256];
	uint32_t len = t_open_body(buf, 110, INTEROP_WIRE_OPEN_F_STDIN_NULL, ok, NULL, "");

	t_ok(t_connect(&t_late, HOSTLINK_FEAT_ALL, true) == 0 &&
	     t_req(&t_late, INTEROP_WIRE_OP_OPEN, 0, buf, len, &r, sizeof(r), NULL) == 0,
	     "OPEN a session that will not be started");
	memcpy(t_late_token, r.token[1], sizeof(t_late_token));
}

static void test_unstarted_check(void)
{
	int fd = -1, ret = 0, i;
	uint32_t st = 0;

	for (i = 0; i < 100; i++) {
		struct interop_wire_signal b = { .session = htole64(110), .signo = htole32(15) };

		/* SIGNAL before START is EINVAL while it lives, ESRCH once gone. */
		ret = t_req(&t_late, INTEROP_WIRE_OP_SIGNAL, 0, &b, sizeof(b), NULL, 0, NULL);
		if (ret != EINVAL)
			break;
		t_sleep_ms(200);
	}
	t_ok(ret == ESRCH, "unstarted for 10 s: the session is gone (%d)", ret);
	t_ok(hlc_attach(t_sock, t_late_token, "interop", t_late.c.rx.version, &fd, &st) == 0 &&
	     st == EACCES, "and its token with it: ATTACH EACCES");
	if (fd >= 0)
		close(fd);
	hlc_close(&t_late.c);
}

static void test_root(void)
{
	const char *args[] = { "--trust-hybrid", "--listen", "interop", NULL };
	struct td d;
	int ret;

	if (geteuid()) {
		t_ok(1, "# SKIP not root: interop_allow_root not needed");
		return;
	}
	ret = td_start(&d, "root", args);
	t_ok(ret == -ECHILD && td_log_has(&d, "refusing to serve as root"),
	     "as root without interop_allow_root: refuses to start, says why");
	if (!ret)
		td_stop(&d);
}

int main(void)
{
	const char *args[] = { "--trust-hybrid", "--listen", "interop", "--max-connections", "4",
			       "--config", NULL, NULL };
	char conf[320], text[1024], garbage[320];
	FILE *f;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (td_setup()) {
		printf("not ok 1 - set up\n1..1\n");
		return 1;
	}
	snprintf(garbage, sizeof(garbage), "%s/garbage", td_dir);
	f = fopen(garbage, "w");
	if (f) {
		fputs("\x7f" "ELF garbage, not a program\n", f);
		fclose(f);
	}
	chmod(garbage, 0755);
	snprintf(text, sizeof(text),
		 "interop_guests = hybrid\n"
		 "interop_allow_root = yes\n"
		 "interop_path = /usr/bin:/bin\n"
		 "interop_allow = /usr/bin/ /bin/ %s/\n"
		 "interop_path_map = /guest:%s\n"
		 "interop_max_sessions = 6\n"
		 "interop_kill_grace_ms = 500\n", td_dir, td_dir);
	if (td_write("interop.conf", text, conf, sizeof(conf))) {
		printf("not ok 1 - config\n1..1\n");
		return 1;
	}
	args[6] = conf;
	if (td_start(&t_d, "interop", args)) {
		printf("not ok 1 - hostlinkd starts\n1..1\n");
		return 1;
	}
	snprintf(t_sock, sizeof(t_sock), "%s_%u", t_d.prefix, HOSTLINK_PORT_INTEROP);
	test_unstarted_open();
	test_info();
	test_echo_cat();
	test_exits();
	test_refusals();
	test_hostile();
	test_pty();
	test_slots();
	test_close_kills();
	test_unstarted_check();
	t_ok(td_alive(&t_d), "the daemon is still alive");
	t_ok(td_log_count(&t_d, "interop: session") > 0 && td_log_has(&t_d, "started /usr/bin/"),
	     "spawns are logged");
	test_daemon_stop(args);
	test_daemon_kill();
	test_root();
	td_cleanup();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
