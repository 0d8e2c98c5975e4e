// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/interop against the fake host of interop_lib.c, in a thread of
 * this program on a port of its own: spawns and the session fd (poll,
 * read, O_NONBLOCK, exit codes, signal deaths), bytes both ways through
 * the streams, SIGNAL and RESIZE reaching the host, CLOSE on release,
 * host loss; and the host breaking the protocol (tokens, EXITs, a
 * signal out of range, an early EXIT, a refused ATTACH, silence), each
 * a clean error, counted in exec/protocol_errors, with the next spawn
 * working.  The vm runner fails the program on any kernel log report.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "interop_lib.h"

#define FAKE_PORT	0x4c7a
#define WAIT_MS		10000

FIXTURE(fake) {
	struct ifake f;
	int fd;
};

FIXTURE_SETUP(fake)
{
	self->fd = -1;
	ASSERT_EQ(0, interop_load(FAKE_PORT));
	self->fd = ifake_connect(&self->f, FAKE_PORT, WAIT_MS);
	ASSERT_LE(0, self->fd) TH_LOG("the fake host on port %d did not come up", FAKE_PORT);
}

FIXTURE_TEARDOWN(fake)
{
	if (self->fd >= 0)
		ifake_disconnect(&self->f, self->fd);
	interop_load(FAKE_PORT);
}

/* Spawn argv with @flags: 0 or -errno. */
static int spawn(FIXTURE_DATA(fake) *self, struct ispawn *sp, uint32_t flags,
		 const char *a0, const char *a1, const char *a2)
{
	const char *argv[] = { a0, a1, a2, NULL };

	ispawn_init(sp, flags, argv, NULL);
	return ispawn_run(self->fd, sp);
}

/* A spawn that works and ends as "exit 0" does: the host is fine. */
static void spawn_works(struct __test_metadata *_metadata,
			FIXTURE_DATA(fake) *self)
{
	struct interop_exit ex;
	struct ispawn sp;

	ASSERT_EQ(0, spawn(self, &sp, 0, "exit", "0", NULL));
	EXPECT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
	EXPECT_EQ(INTEROP_EXITED, ex.how);
	EXPECT_EQ(0, ex.value);
	ispawn_close(&sp);
}

TEST_F(fake, exit_codes)
{
	static const char *const codes[] = { "0", "1", "255", "70000" };
	static const uint32_t want[] = { 0, 1, 255, 70000 };
	long long exits = iexec("exits");
	struct interop_exit ex, again;
	unsigned int i;
	char out[16];

	for (i = 0; i < 4; i++) {
		struct ispawn sp;

		ASSERT_EQ(0, spawn(self, &sp, 0, "exit", codes[i], NULL));
		ASSERT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
		EXPECT_EQ(INTEROP_EXITED, ex.how);
		EXPECT_EQ(want[i], ex.value);
		/* the same each time */
		ASSERT_EQ(sizeof(again), read(sp.s.out_session_fd, &again,
					      sizeof(again)));
		EXPECT_EQ(0, memcmp(&ex, &again, sizeof(ex)));
		/* stdout at EOF */
		EXPECT_EQ(0, iread_all(sp.s.out_stdout_fd, out, sizeof(out),
				       WAIT_MS));
		ispawn_close(&sp);
	}
	EXPECT_EQ(exits + 4, iexec("exits"));
}

TEST_F(fake, signal_deaths)
{
	static const char *const sigs[] = { "2", "9", "15" };
	static const uint32_t want[] = { SIGINT, SIGKILL, SIGTERM };
	struct interop_exit ex;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct ispawn sp;

		ASSERT_EQ(0, spawn(self, &sp, INTEROP_SPAWN_STDIN_NULL, "kill",
				   sigs[i], NULL));
		EXPECT_EQ(-1, sp.s.out_stdin_fd);
		ASSERT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
		EXPECT_EQ(INTEROP_SIGNALED, ex.how);
		EXPECT_EQ(want[i], ex.value);
		ispawn_close(&sp);
	}
}

TEST_F(fake, poll_and_nonblocking_read)
{
	struct interop_session_signal sg = { .size = sizeof(sg),
					     .signo = SIGTERM };
	struct interop_exit ex;
	struct ispawn sp;
	struct pollfd p;
	int sfd;

	ASSERT_EQ(0, spawn(self, &sp, 0, "wait", NULL, NULL));
	sfd = sp.s.out_session_fd;
	p.fd = sfd;
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, fcntl(sfd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(sfd, &ex, sizeof(ex)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, iioc(sfd, INTEROP_SESSION_SIGNAL, &sg));
	EXPECT_EQ(SIGTERM, self->f.last_signal);
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(POLLIN, p.revents & (POLLIN | POLLHUP | POLLERR));
	ASSERT_EQ(sizeof(ex), read(sfd, &ex, sizeof(ex)));
	EXPECT_EQ(INTEROP_SIGNALED, ex.how);
	EXPECT_EQ(SIGTERM, ex.value);
	/* after the end: a no-op that succeeds */
	EXPECT_EQ(0, iioc(sfd, INTEROP_SESSION_SIGNAL, &sg));
	EXPECT_EQ(1, self->f.signals);
	ispawn_close(&sp);
}

/* Write @len pattern bytes to @in while reading them back from @out. */
static int pump(int in, int out, size_t len)
{
	size_t sent = 0, got = 0;
	char wbuf[8192], rbuf[8192];
	uint64_t end = hl_now_ms() + 60000;

	fcntl(in, F_SETFL, O_NONBLOCK);
	while (got < len && hl_now_ms() < end) {
		struct pollfd p[2] = {
			{ .fd = out, .events = POLLIN },
			{ .fd = sent < len ? in : -1, .events = POLLOUT },
		};
		ssize_t n;
		size_t i;

		if (poll(p, 2, 1000) < 0)
			return -1;
		if (p[1].revents & POLLOUT) {
			n = len - sent < sizeof(wbuf) ? len - sent : sizeof(wbuf);
			for (i = 0; i < (size_t)n; i++)
				wbuf[i] = (char)((sent + i) * 7 + 3);
			n = write(in, wbuf, n);
			if (n > 0)
				sent += n;
			if (sent == len)
				shutdown(in, SHUT_WR);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			n = read(out, rbuf, sizeof(rbuf));
			if (n <= 0)
				return -2;
			for (i = 0; i < (size_t)n; i++)
				if (rbuf[i] != (char)((got + i) * 7 + 3))
					return -3;
			got += n;
		}
	}
	return got == len ? 0 : -4;
}

TEST_F(fake, bytes_both_ways)
{
	struct interop_exit ex;
	struct ispawn sp;
	char c;

	ASSERT_EQ(0, spawn(self, &sp, 0, "cat", NULL, NULL));
	EXPECT_EQ(0, pump(sp.s.out_stdin_fd, sp.s.out_stdout_fd, 1 << 20));
	/* stdin's end ended it: EOF on stdout, then its EXIT */
	EXPECT_EQ(0, read(sp.s.out_stdout_fd, &c, 1));
	ASSERT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
	EXPECT_EQ(INTEROP_EXITED, ex.how);
	EXPECT_EQ(0, ex.value);
	ispawn_close(&sp);
}

TEST_F(fake, stderr_apart)
{
	struct interop_exit ex;
	struct ispawn sp;
	char out[64] = "", err[64] = "";

	ASSERT_EQ(0, spawn(self, &sp, INTEROP_SPAWN_STDERR_STREAM, "hello",
			   "to out", "to err"));
	ASSERT_LE(0, sp.s.out_stderr_fd);
	EXPECT_EQ(6, iread_all(sp.s.out_stdout_fd, out, sizeof(out) - 1,
			       WAIT_MS));
	EXPECT_EQ(6, iread_all(sp.s.out_stderr_fd, err, sizeof(err) - 1,
			       WAIT_MS));
	EXPECT_STREQ("to out", out);
	EXPECT_STREQ("to err", err);
	EXPECT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
	ispawn_close(&sp);
}

TEST_F(fake, signal_and_resize_reach_the_host)
{
	struct interop_session_signal sg = { .size = sizeof(sg),
					     .signo = SIGUSR1 };
	struct interop_session_resize rs = { .size = sizeof(rs), .rows = 33,
					     .cols = 133 };
	struct ispawn sp;

	ASSERT_EQ(0, spawn(self, &sp, INTEROP_SPAWN_PTY, "wait", NULL, NULL));
	EXPECT_EQ(INTEROP_SPAWN_PTY, self->f.last_open_flags);
	ASSERT_EQ(0, iioc(sp.s.out_session_fd, INTEROP_SESSION_SIGNAL, &sg));
	EXPECT_EQ(INTEROP_WIRE_SIGUSR1, self->f.last_signal);
	ASSERT_EQ(0, iioc(sp.s.out_session_fd, INTEROP_SESSION_RESIZE, &rs));
	EXPECT_EQ(33, self->f.last_rows);
	EXPECT_EQ(133, self->f.last_cols);
	EXPECT_EQ(0, self->f.last_uid);
	ispawn_close(&sp);
}

TEST_F(fake, close_sends_close)
{
	long long closes = iexec("closes");
	struct ispawn sp;

	ASSERT_EQ(0, spawn(self, &sp, 0, "wait", NULL, NULL));
	ASSERT_EQ(0, ifake_wait(&self->f.starts, 1, WAIT_MS));
	ispawn_close(&sp);
	ASSERT_EQ(0, ifake_wait(&self->f.closes, 1, WAIT_MS));
	EXPECT_EQ(closes + 1, iexec("closes"));
}

TEST_F(fake, host_loss)
{
	struct interop_session_signal sg = { .size = sizeof(sg),
					     .signo = SIGTERM };
	long long lost = iexec("lost");
	struct interop_exit ex;
	struct ispawn sp;
	struct pollfd p;
	char c;
	int accepts = self->f.accepts;

	ASSERT_EQ(0, spawn(self, &sp, 0, "wait", NULL, NULL));
	__atomic_store_n(&self->f.drop, 1, __ATOMIC_SEQ_CST);
	p.fd = sp.s.out_session_fd;
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(POLLHUP | POLLERR, p.revents & (POLLIN | POLLHUP | POLLERR));
	EXPECT_EQ(-1, read(sp.s.out_session_fd, &ex, sizeof(ex)));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-ENOTCONN, iioc(sp.s.out_session_fd, INTEROP_SESSION_SIGNAL,
				  &sg));
	/* the driver shut the streams down, though the fake keeps its end */
	EXPECT_GE(0, read(sp.s.out_stdout_fd, &c, 1));
	EXPECT_EQ(lost + 1, iexec("lost"));
	ispawn_close(&sp);
	/* the core reconnects; INFO again, and spawns work */
	ASSERT_EQ(0, ifake_wait(&self->f.accepts, accepts + 1, WAIT_MS));
	ASSERT_EQ(0, ifake_wait_ready(self->fd, WAIT_MS));
	spawn_works(_metadata, self);
}

/*
 * The host breaks the protocol one way: the spawn (or the session's
 * read) fails as @want says, the error is counted, and the next spawn
 * works on the same connection.
 */
struct hostile_case {
	const char *what;
	int hostile;
	uint32_t flags;
	const char *prog, *arg;
	int spawn_ret;		/* of the spawn */
	int read_ret;		/* of the session's read, if it spawned */
	int counted;		/* protocol errors it adds */
};

static const struct hostile_case cases[] = {
	{ "a token too many", IF_TOKENS, 0, "exit", "0", -EPROTO, 0, 1 },
	{ "stdout's token missing", IF_MISSING_TOKEN, 0, "exit", "0",
	  -EPROTO, 0, 1 },
	{ "OPEN reply too long", IF_OPEN_REPLY_LONG, 0, "exit", "0",
	  -EPROTO, 0, 1 },
	{ "EXIT before START", IF_EARLY_EXIT, 0, "wait", NULL, -EPROTO, 0, 1 },
	{ "a second EXIT", IF_SECOND_EXIT, 0, "wait", NULL, 0, -EPROTO, 1 },
	{ "EXIT by signal 65", IF_BAD_SIGNAL, 0, "wait", NULL, 0, -EPROTO, 1 },
	{ "EXIT of kind 7", IF_BAD_HOW, 0, "wait", NULL, 0, -EPROTO, 1 },
	{ "EXIT of an unknown session", IF_UNKNOWN_EXIT, 0, "wait", NULL,
	  0, 4, 1 },
	{ "ATTACH refused", IF_REFUSE_ATTACH, 0, "exit", "0", -EPROTO, 0, 1 },
	{ "EXIT before START's reply (allowed)", IF_EXIT_BEFORE_REPLY, 0,
	  "wait", NULL, 0, 3, 0 },
	{ "START refused (allowed)", IF_START_ERRNO, 0, "exit", "0",
	  -ENOENT, 0, 0 },
	{ "OPEN refused (allowed)", IF_OPEN_ERRNO, 0, "exit", "0", -EACCES,
	  0, 0 },
};

TEST_F(fake, hostile_host)
{
	unsigned int i;

	self->f.open_errno = EACCES;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile_case *hc = &cases[i];
		long long errs = iexec("protocol_errors");
		int accepts = self->f.accepts;
		struct interop_exit ex;
		struct ispawn sp;
		int ret;

		TH_LOG("host: %s", hc->what);
		__atomic_store_n(&self->f.hostile, hc->hostile, __ATOMIC_SEQ_CST);
		ret = spawn(self, &sp, hc->flags, hc->prog, hc->arg, NULL);
		EXPECT_EQ(hc->spawn_ret, ret);
		/* counted before the session's read can say so */
		EXPECT_EQ(0, iexec_wait("protocol_errors", errs + hc->counted,
					WAIT_MS));
		if (!ret) {
			ret = isession_wait(sp.s.out_session_fd, &ex, WAIT_MS);
			if (hc->read_ret > 0) {
				EXPECT_EQ(0, ret);
				EXPECT_EQ(hc->read_ret, ex.value);
			} else {
				EXPECT_EQ(hc->read_ret, ret);
			}
			ispawn_close(&sp);
		} else {
			EXPECT_EQ(-1, sp.s.out_session_fd);
		}
		EXPECT_EQ(errs + hc->counted, iexec("protocol_errors"));
		__atomic_store_n(&self->f.hostile, IF_NONE, __ATOMIC_SEQ_CST);
		spawn_works(_metadata, self);
		/* the connection stayed */
		EXPECT_EQ(accepts, self->f.accepts);
	}
}

TEST_F(fake, silence_times_out)
{
	long long fails = iexec("spawn_failures");
	struct ispawn sp;

	ASSERT_EQ(0, ifile_write(IPARAM "timeout_ms", "1500"));
	__atomic_store_n(&self->f.hostile, IF_SILENT_OPEN, __ATOMIC_SEQ_CST);
	EXPECT_EQ(-ETIMEDOUT, spawn(self, &sp, 0, "exit", "0", NULL));
	EXPECT_EQ(fails + 1, iexec("spawn_failures"));
	spawn_works(_metadata, self);
}

/* Signals in and out: a session's read reports the caller's numbers. */
TEST_F(fake, realtime_signal)
{
	struct interop_session_signal sg = { .size = sizeof(sg),
					     .signo = SIGRTMIN + 5 };
	struct interop_exit ex;
	struct ispawn sp;

	ASSERT_EQ(0, spawn(self, &sp, 0, "wait", NULL, NULL));
	sg.signo = 64;
	ASSERT_EQ(0, iioc(sp.s.out_session_fd, INTEROP_SESSION_SIGNAL, &sg));
	EXPECT_EQ(64, self->f.last_signal);
	ASSERT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
	EXPECT_EQ(INTEROP_SIGNALED, ex.how);
	EXPECT_EQ(64, ex.value);
	ispawn_close(&sp);
}

/* Spawns from many threads at once: at most 4 set up together, all work. */
struct par {
	int fd;
	int ok;
	pthread_t thread;
};

static void *par_fn(void *arg)
{
	static const char *const argv[] = { "exit", "7", NULL };
	struct par *p = arg;
	struct interop_exit ex;
	struct ispawn sp;
	int i;

	for (i = 0; i < 4; i++) {
		ispawn_init(&sp, 0, argv, NULL);
		if (ispawn_run(p->fd, &sp))
			continue;
		if (!isession_wait(sp.s.out_session_fd, &ex, WAIT_MS) &&
		    ex.how == INTEROP_EXITED && ex.value == 7)
			p->ok++;
		ispawn_close(&sp);
	}
	return NULL;
}

TEST_F(fake, parallel_spawns)
{
	struct par p[8];
	unsigned int i;
	int ok = 0;

	for (i = 0; i < 8; i++) {
		p[i].fd = self->fd;
		p[i].ok = 0;
		ASSERT_EQ(0, pthread_create(&p[i].thread, NULL, par_fn, &p[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(p[i].thread, NULL);
		ok += p[i].ok;
	}
	EXPECT_EQ(32, ok);
	EXPECT_EQ(32, self->f.starts);
}

TEST_HARNESS_MAIN
