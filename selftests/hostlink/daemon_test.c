// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostlink channel end to end: hostlink.ko against the real
 * hostlinkd, run in this guest on vsock_loopback (CID 1).  Many threads
 * in flight, large frames, events, credentials, extra connections and
 * their tokens, the daemon's trust rules, a daemon killed mid-flight and
 * brought back, a version mismatch at HELLO, unload under load.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "hostlink_lib.h"

FIXTURE(daemon) {
	pid_t daemon;
	int port;
	int fd;
	unsigned int id;
};

FIXTURE_SETUP(daemon)
{
	ASSERT_EQ(0, hl_load_modules());
	self->port = hl_port();
	self->daemon = hl_daemon_start(self->port, NULL);
	ASSERT_LT(0, self->daemon);
	self->fd = hl_bind(self->port, NULL, &self->id);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, hl_wait(self->fd, 10000));
}

FIXTURE_TEARDOWN(daemon)
{
	close(self->fd);
	if (self->daemon > 0)
		hl_daemon_stop(self->daemon, SIGKILL);
}

static void fill(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 9));
}

TEST_F(daemon, ping_and_echo_up_to_the_frame_limit)
{
	static const size_t sizes[] = { 0, 1, 100, 4096, 65536,
		HOSTLINK_FRAME_DEFAULT - sizeof(struct hostlink_cred) };
	char *req = malloc(HOSTLINK_FRAME_DEFAULT);
	char *resp = malloc(HOSTLINK_FRAME_DEFAULT);
	size_t i, len;

	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 10000, NULL, 0,
			     NULL, 0, NULL));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(req, sizes[i], i);
		ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 20000, req,
				     sizes[i], resp, HOSTLINK_FRAME_DEFAULT, &len));
		ASSERT_EQ(sizes[i], len);
		ASSERT_EQ(0, memcmp(req, resp, len));
	}
	/* one byte over the agreed frame: refused before it is sent */
	EXPECT_EQ(-EMSGSIZE, hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 1000, req,
				     HOSTLINK_FRAME_DEFAULT - sizeof(struct hostlink_cred) + 1,
				     NULL, 0, NULL));
	/* an op the service does not have */
	EXPECT_EQ(-EOPNOTSUPP, hl_call(self->fd, 999, 0, 5000, NULL, 0, NULL, 0,
				       NULL));
	free(req);
	free(resp);
}

/*
 * The test device pins the caller's pages and the core copies from
 * them straight into the socket: requests that start mid-page and cross
 * pages arrive intact, and an address that is not mapped fails with
 * EFAULT before anything is sent, leaving the connection up.
 */
TEST_F(daemon, requests_from_user_pages)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map, *resp = malloc(4 * page);
	size_t len;

	ASSERT_NE(NULL, resp);
	map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	fill(map, 3 * page, 7);
	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 10000,
			     map + page - 96, page + 200, resp, 4 * page, &len));
	ASSERT_EQ(page + 200, len);
	EXPECT_EQ(0, memcmp(map + page - 96, resp, len));
	/* read-only memory is fine: the device only reads it */
	ASSERT_EQ(0, mprotect(map, 3 * page, PROT_READ));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 10000, map + 1,
			     2 * page, resp, 4 * page, &len));
	EXPECT_EQ(0, memcmp(map + 1, resp, len));
	/* a hole in the middle of the request */
	ASSERT_EQ(0, munmap(map + page, page));
	EXPECT_EQ(-EFAULT, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 10000,
				   map + 10, 2 * page, resp, 4 * page, &len));
	EXPECT_EQ(-EFAULT, hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 10000,
				   (void *)-4096L, 8192, NULL, 0, NULL));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 10000, NULL, 0,
			     NULL, 0, NULL));
	EXPECT_EQ(1, hl_stat(self->id, "connects"));
	EXPECT_EQ(0, hl_stat(self->id, "protocol_errors"));
	munmap(map, page);
	munmap(map + 2 * page, page);
	free(resp);
}

struct worker {
	pthread_t thread;
	int fd;
	unsigned int seed;
	unsigned int done;
	int ret;
};

#define WORKERS 16
#define CALLS 50

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char req[1500], resp[1500];
	size_t len;

	for (w->done = 0; w->done < CALLS; w->done++) {
		size_t n = (w->seed * 97 + w->done * 31) % sizeof(req);

		fill(req, n, w->seed + w->done);
		w->ret = hl_call(w->fd, HOSTLINK_TEST_ECHO, 0, 60000, req, n,
				 resp, sizeof(resp), &len);
		if (w->ret)
			break;
		if (len != n || memcmp(req, resp, n)) {
			w->ret = -EBADMSG;
			break;
		}
	}
	return NULL;
}

TEST_F(daemon, many_threads_in_flight)
{
	struct worker w[WORKERS];
	long long before = hl_stat(self->id, "replies");
	int i;

	for (i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .fd = self->fd, .seed = i + 1 };
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, worker_run, &w[i]));
	}
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		EXPECT_EQ(0, w[i].ret) TH_LOG("worker %d after %u calls", i, w[i].done);
	}
	EXPECT_EQ(WORKERS * CALLS, hl_stat(self->id, "replies") - before);
	EXPECT_EQ(0, hl_stat(self->id, "dropped"));
	EXPECT_EQ(0, hl_stat(self->id, "protocol_errors"));
}

static void on_signal(int sig)
{
	(void)sig;
}

struct sleeper {
	pthread_t thread;
	int fd;
	uint32_t ms;
	uint32_t timeout_ms;
	int ret;
	uint64_t took;
};

static void *sleeper_run(void *arg)
{
	struct sleeper *s = arg;
	uint32_t ms = s->ms;
	uint64_t t0 = hl_now_ms();

	s->ret = hl_call(s->fd, HOSTLINK_TEST_SLEEP, 0, s->timeout_ms, &ms,
			 sizeof(ms), NULL, 0, NULL);
	s->took = hl_now_ms() - t0;
	return NULL;
}

TEST_F(daemon, deadline_signal_and_cancel)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sleeper s = { .fd = self->fd, .ms = 3000, .timeout_ms = 300 };
	long long requests;

	/* the host is slower than the deadline */
	sleeper_run(&s);
	EXPECT_EQ(-ETIMEDOUT, s.ret);
	EXPECT_GT(3000, s.took);

	/* a signal ends the wait */
	sigaction(SIGUSR1, &sa, NULL);
	s = (struct sleeper){ .fd = self->fd, .ms = 5000, .timeout_ms = 20000 };
	requests = hl_stat(self->id, "requests");
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sleeper_run, &s));
	/* the request is out before the signal comes */
	ASSERT_EQ(0, hl_stat_reaches(self->id, "requests", requests + 1, 5000));
	pthread_kill(s.thread, SIGUSR1);
	pthread_join(s.thread, NULL);
	EXPECT_EQ(-EINTR, s.ret);
	EXPECT_GT(5000, s.took);

	/* both were cancelled: the daemon sends no late reply */
	EXPECT_EQ(0, hl_stat_reaches(self->id, "cancels", 2, 5000));
	EXPECT_EQ(2, hl_stat(self->id, "cancels"));
	sleep(5);
	EXPECT_EQ(0, hl_stat(self->id, "dropped"));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0,
			     NULL, 0, NULL));
}

TEST_F(daemon, events_before_the_reply)
{
	struct hostlink_test_stats st;
	uint32_t n = 10000;

	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_EVENTS, 0, 60000, &n,
			     sizeof(n), NULL, 0, NULL));
	ASSERT_EQ(0, hl_stats(self->fd, &st));
	EXPECT_EQ(n, st.events);
	EXPECT_EQ(n - 1, st.last_seq);
	EXPECT_EQ(0, st.bad_events);
}

static ino_t ns_inode(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) ? 0 : st.st_ino;
}

TEST_F(daemon, credentials_as_the_daemon_sees_them)
{
	struct hostlink_test_cred c;
	size_t len;

	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_CRED, 0, 5000, NULL, 0,
			     &c, sizeof(c), &len));
	ASSERT_EQ(sizeof(c), len);
	EXPECT_EQ(1, c.trusted);
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(geteuid(), c.cred.uid);
	EXPECT_EQ(getpid(), (pid_t)c.cred.pid);
	EXPECT_EQ(ns_inode("net"), c.cred.netns);

	/* an unprivileged caller is stamped as such */
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setresgid(4242, 4242, 4242) || setresuid(4343, 4343, 4343))
			_exit(2);
		if (hl_call(self->fd, HOSTLINK_TEST_CRED, 0, 5000, NULL, 0, &c,
			    sizeof(c), &len))
			_exit(3);
		_exit(c.cred.uid == 4343 && c.cred.gid == 4242 &&
		      c.cred.pid == (uint32_t)getpid() ? 0 : 4);
	}
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_CRED,
			     HOSTLINK_TEST_CALL_KERNEL, 5000, NULL, 0, &c,
			     sizeof(c), &len));
	EXPECT_EQ(HOSTLINK_F_KERNEL, c.flags);
	EXPECT_EQ(0, c.cred.uid);
	EXPECT_EQ(0, c.cred.pid);
}

TEST_F(daemon, extra_connection_streams_and_tokens_are_one_time)
{
	static char out[1 << 20], in[1 << 20];
	uint8_t token[HOSTLINK_TOKEN_LEN];
	size_t got = 0, len;
	ssize_t n;
	int s;

	s = hl_stream(self->fd, NULL, 10000);
	ASSERT_LE(0, s);
	fill(out, sizeof(out), 7);
	/* write it all, then read it all back: the echo must keep pace */
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t off = 0;

		while (off < sizeof(out)) {
			n = send(s, out + off, sizeof(out) - off, MSG_NOSIGNAL);
			if (n <= 0)
				_exit(1);
			off += n;
		}
		shutdown(s, SHUT_WR);
		_exit(0);
	}
	while (got < sizeof(in) && (n = read(s, in + got, sizeof(in) - got)) > 0)
		got += n;
	EXPECT_EQ(sizeof(in), got);
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	EXPECT_EQ(0, read(s, in, 1));	/* then EOF */
	waitpid(pid, NULL, 0);
	close(s);

	/* a made-up token */
	memset(token, 0x5a, sizeof(token));
	EXPECT_EQ(-EACCES, hl_stream(self->fd, token, 10000));

	/* a real token, twice */
	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_STREAM, 0, 5000, NULL, 0,
			     token, sizeof(token), &len));
	ASSERT_EQ(sizeof(token), len);
	s = hl_stream(self->fd, token, 10000);
	ASSERT_LE(0, s);
	close(s);
	EXPECT_EQ(-EACCES, hl_stream(self->fd, token, 10000));
}

TEST_F(daemon, control_from_unreserved_port_refused)
{
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_hello hello;
	} hello = {
		.hdr = { .magic = HOSTLINK_MAGIC, .version = 1,
			 .type = HOSTLINK_HELLO, .len = sizeof(hello.hello) },
		.hello = { .min_version = 1, .max_version = 1,
			   .max_frame = HOSTLINK_FRAME_DEFAULT,
			   .features = HOSTLINK_FEAT_ALL, .service = "test" },
	};
	struct hostlink_welcome w;
	struct hostlink_hdr hdr;
	struct hl_fake client = { .fd = -1, .lfd = -1 };
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_LOCAL,
		.svm_port = self->port,
	};
	int status;
	pid_t pid;

	/* a process that cannot bind a reserved port; the parent stays root */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setresuid(65534, 65534, 65534))
			_exit(10);
		client.fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (client.fd < 0 ||
		    connect(client.fd, (struct sockaddr *)&addr, sizeof(addr)))
			_exit(11);
		if (hl_fake_write(&client, &hello, sizeof(hello)) ||
		    hl_fake_read(&client, &hdr, &w, sizeof(w), 5000))
			_exit(12);
		fprintf(stderr, "# daemon says: %.*s\n",
			(int)sizeof(w.message), w.message);
		if (hdr.type != HOSTLINK_WELCOME || hdr.status != EPERM ||
		    w.version)
			_exit(13);
		/* and hangs up */
		_exit(hl_fake_read(&client, &hdr, &w, sizeof(w), 5000) ==
		      -ECONNRESET ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(daemon, daemon_killed_mid_flight_then_back)
{
	struct sleeper s[8];
	int i;

	for (i = 0; i < 8; i++) {
		s[i] = (struct sleeper){ .fd = self->fd, .ms = 30000,
					 .timeout_ms = 20000 };
		ASSERT_EQ(0, pthread_create(&s[i].thread, NULL, sleeper_run, &s[i]));
	}
	for (i = 0; i < 100 && hl_stat(self->id, "requests") < 8; i++)
		usleep(50000);
	ASSERT_EQ(0, hl_daemon_stop(self->daemon, SIGKILL) == 137 ? 0 : -1);
	self->daemon = -1;
	for (i = 0; i < 8; i++) {
		pthread_join(s[i].thread, NULL);
		EXPECT_EQ(-ENOTCONN, s[i].ret);
		EXPECT_GT(10000, s[i].took);	/* at once, not at the deadline */
	}
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 5000, NULL,
				     0, NULL, 0, NULL));

	self->daemon = hl_daemon_start(self->port, NULL);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, hl_wait(self->fd, 15000));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0,
			     NULL, 0, NULL));
	EXPECT_EQ(2, hl_stat(self->id, "connects"));
}

TEST_F(daemon, sigterm_is_a_clean_exit)
{
	EXPECT_EQ(0, hl_daemon_stop(self->daemon, SIGTERM));
	self->daemon = -1;
	EXPECT_EQ(0, hl_wait_state(self->id, "connecting", 5000));
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 5000, NULL,
				     0, NULL, 0, NULL));
}

TEST(version_mismatch_fails_at_hello)
{
	char buf[160];
	unsigned int id;
	pid_t daemon;
	int fd;

	ASSERT_EQ(0, hl_load_modules());
	daemon = hl_daemon_start(hl_port(), "--proto-min 2 --proto-max 3");
	ASSERT_LT(0, daemon);
	fd = hl_bind(hl_port(), NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hl_wait_state(id, "refused", 10000));
	ASSERT_EQ(0, hl_sysfs(id, "last_error", buf, sizeof(buf)));
	TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "host speaks versions 2-3, we 1-1"));
	EXPECT_EQ(-ENOTCONN, hl_call(fd, HOSTLINK_TEST_PING, 0, 1000, NULL, 0,
				     NULL, 0, NULL));
	close(fd);
	hl_daemon_stop(daemon, SIGKILL);
}

TEST(unload_under_load)
{
	pid_t kids[4], daemon;
	int i, port = hl_port();

	ASSERT_EQ(0, hl_load_modules());
	daemon = hl_daemon_start(port, NULL);
	ASSERT_LT(0, daemon);
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i] == 0) {
			int fd = hl_bind(port, NULL, NULL);
			uint32_t n = 100000;

			if (fd < 0 || hl_wait(fd, 10000))
				_exit(1);
			for (;;) {
				/* replies, sleepers and an event storm */
				hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0,
					NULL, 0, NULL);
				if (i == 1)
					hl_call(fd, HOSTLINK_TEST_EVENTS, 0, 60000,
						&n, sizeof(n), NULL, 0, NULL);
				if (i == 2) {
					uint32_t ms = 10000;

					hl_call(fd, HOSTLINK_TEST_SLEEP, 0, 60000,
						&ms, sizeof(ms), NULL, 0, NULL);
				}
			}
		}
	}
	sleep(2);
	for (i = 0; i < 4; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < 4; i++)
		waitpid(kids[i], NULL, 0);
	/* every file is closed: both modules go, with traffic just cut */
	EXPECT_EQ(0, hl_unload_modules());
	EXPECT_EQ(0, access("/sys/module/hostlink", F_OK) ? 0 : -1);
	ASSERT_EQ(0, hl_load_modules());
	{
		int fd = hl_bind(port, NULL, NULL);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, hl_wait(fd, 10000));
		EXPECT_EQ(0, hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0,
				     NULL, 0, NULL));
		close(fd);
	}
	hl_daemon_stop(daemon, SIGKILL);
}

TEST_HARNESS_MAIN
