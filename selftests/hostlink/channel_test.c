// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostlink channel, guest side, through /dev/hostlink_test:
 * against a fake host in this process (handshake, credentials, replies
 * in any order, deadlines, signals, CANCEL, host loss, and every kind of
 * bad frame), and against the real hostlinkd (many threads in flight,
 * events, extra connections and tokens, trust, a daemon killed
 * mid-flight, unload under load).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "hostlink_lib.h"

struct bg {
	pthread_t thread;
	int fd;
	uint32_t op;
	uint32_t flags;
	uint32_t timeout_ms;
	const void *req;
	size_t req_len;
	char resp[256];
	size_t resp_max;	/* 0: all of resp */
	size_t resp_len;
	int ret;
	uint64_t ms;
};

static void *bg_run(void *arg)
{
	struct bg *b = arg;
	uint64_t t0 = hl_now_ms();

	b->ret = hl_call(b->fd, b->op, b->flags, b->timeout_ms, b->req,
			 b->req_len, b->resp,
			 b->resp_max ?: sizeof(b->resp), &b->resp_len);
	b->ms = hl_now_ms() - t0;
	return NULL;
}

static int bg_start(struct bg *b, int fd, uint32_t op, uint32_t timeout_ms,
		    const void *req, size_t req_len)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->op = op;
	b->timeout_ms = timeout_ms;
	b->req = req;
	b->req_len = req_len;
	return pthread_create(&b->thread, NULL, bg_run, b);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void no_restart_handler(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
}

static ino_t ns_inode(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* --- against a fake host --------------------------------------------- */

FIXTURE(fake) {
	struct hl_fake host;
	int fd;
	unsigned int id;
};

/* Both fixtures: a fake host listening, a test service bound to it. */
static int chan_setup(struct hl_fake *host, int *fd, unsigned int *id)
{
	int port = hl_port();

	if (hl_load_modules() || hl_fake_listen(host, port))
		return -1;
	*fd = hl_bind(port, NULL, id);
	return *fd < 0 ? -1 : 0;
}

static void chan_teardown(struct hl_fake *host, int fd)
{
	close(fd);
	hl_fake_close(host);
}

FIXTURE_SETUP(fake)
{
	ASSERT_EQ(0, chan_setup(&self->host, &self->fd, &self->id));
}

FIXTURE_TEARDOWN(fake)
{
	chan_teardown(&self->host, self->fd);
}

/* Read one REQUEST: returns its id, 0 on failure. */
static uint64_t read_request(struct hl_fake *f, struct hostlink_hdr *hdr,
			     void *body, size_t max)
{
	if (hl_fake_read(f, hdr, body, max, 10000) ||
	    hdr->type != HOSTLINK_REQUEST)
		return 0;
	return hdr->id;
}

/* The first bytes of a frame have reached the fake host: 0, or -ETIMEDOUT. */
static int frame_started(struct hl_fake *f, unsigned int ms)
{
	struct pollfd p = { .fd = f->fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? 0 : -ETIMEDOUT;
}

/*
 * A PING through the core that the fake host answers: the call's result,
 * or -EIO when the host saw no request.
 */
static int fake_ping(struct hl_fake *host, int fd)
{
	struct hostlink_hdr hdr;
	char body[128];
	struct bg b;

	if (bg_start(&b, fd, HOSTLINK_TEST_PING, 10000, NULL, 0))
		return -EIO;
	if (!read_request(host, &hdr, body, sizeof(body)) ||
	    hl_fake_send(host, 1, HOSTLINK_REPLY, hdr.op, hdr.id, 0, NULL, 0)) {
		pthread_join(b.thread, NULL);
		return -EIO;
	}
	pthread_join(b.thread, NULL);
	return b.ret;
}

TEST_F(fake, handshake_from_reserved_port)
{
	char buf[64];

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	EXPECT_EQ(VMADDR_CID_LOCAL, self->host.peer.svm_cid);
	EXPECT_GT(1024, self->host.peer.svm_port);
	EXPECT_STREQ("test", self->host.hello.service);
	EXPECT_EQ(HOSTLINK_PROTO_MIN, self->host.hello.min_version);
	EXPECT_EQ(HOSTLINK_PROTO_MAX, self->host.hello.max_version);
	EXPECT_EQ(HOSTLINK_FRAME_DEFAULT, self->host.hello.max_frame);
	EXPECT_EQ(HOSTLINK_FEAT_ALL, self->host.hello.features);
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, hl_sysfs(self->id, "state", buf, sizeof(buf)));
	EXPECT_STREQ("connected", buf);
	ASSERT_EQ(0, hl_sysfs(self->id, "local_port", buf, sizeof(buf)));
	EXPECT_EQ(self->host.peer.svm_port, (unsigned int)atoi(buf));
	ASSERT_EQ(0, hl_sysfs(self->id, "protocol", buf, sizeof(buf)));
	EXPECT_STREQ("version 1 max_frame 1048576 features 0x7", buf);
}

TEST_F(fake, request_credentials)
{
	struct hostlink_cred cred;
	struct hostlink_hdr hdr;
	struct bg b;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));

	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_PING, 10000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, &cred, sizeof(cred)));
	EXPECT_EQ(1, hdr.version);
	EXPECT_EQ(HOSTLINK_TEST_PING, hdr.op);
	EXPECT_EQ(sizeof(cred), hdr.len);
	EXPECT_EQ(0, hdr.flags);
	EXPECT_EQ(0, hdr.status);
	EXPECT_EQ(geteuid(), cred.uid);
	EXPECT_EQ(getegid(), cred.gid);
	EXPECT_EQ(getpid(), (pid_t)cred.pid);
	EXPECT_NE(0, cred.tid);
	EXPECT_EQ(ns_inode("net"), cred.netns);
	EXPECT_EQ(ns_inode("pid"), cred.pidns);
	EXPECT_EQ(ns_inode("user"), cred.userns);
	EXPECT_EQ(ns_inode("uts"), cred.utsns);
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(0, b.ret);

	/* on the kernel's own behalf: marked, and nobody's credentials */
	memset(&b, 0, sizeof(b));
	b.fd = self->fd;
	b.op = HOSTLINK_TEST_PING;
	b.flags = HOSTLINK_TEST_CALL_KERNEL;
	b.timeout_ms = 10000;
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, bg_run, &b));
	ASSERT_NE(0, read_request(&self->host, &hdr, &cred, sizeof(cred)));
	EXPECT_EQ(HOSTLINK_F_KERNEL, hdr.flags);
	EXPECT_EQ(0, cred.uid);
	EXPECT_EQ(0, cred.pid);
	EXPECT_EQ(0, cred.netns);
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(0, b.ret);
}

TEST_F(fake, replies_out_of_order)
{
	struct {
		struct hostlink_cred cred;
		char text[16];
	} body[3];
	struct hostlink_hdr hdr[3];
	char msg[3][16] = { "first", "second", "third" };
	struct bg b[3];
	int i;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, bg_start(&b[i], self->fd, HOSTLINK_TEST_ECHO,
				      10000, msg[i], sizeof(msg[i])));
		ASSERT_NE(0, read_request(&self->host, &hdr[i], &body[i],
					  sizeof(body[i])));
	}
	for (i = 2; i >= 0; i--)
		ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY,
					  hdr[i].op, hdr[i].id, 0, body[i].text,
					  sizeof(body[i].text)));
	for (i = 0; i < 3; i++) {
		pthread_join(b[i].thread, NULL);
		EXPECT_EQ(0, b[i].ret);
		EXPECT_EQ(sizeof(msg[i]), b[i].resp_len);
		EXPECT_STREQ(msg[i], b[i].resp);
	}
}

TEST_F(fake, duplicate_and_unknown_replies_dropped)
{
	char body[128];
	struct hostlink_hdr hdr;
	struct bg b;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_PING, 10000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id + 1000, 0, NULL, 0));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, NULL, 0));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(0, b.ret);

	/* still the same connection, and it still works */
	EXPECT_EQ(0, fake_ping(&self->host, self->fd));
	EXPECT_EQ(2, hl_stat(self->id, "dropped"));
	EXPECT_EQ(0, hl_stat(self->id, "protocol_errors"));
	EXPECT_EQ(1, hl_stat(self->id, "connects"));
}

TEST_F(fake, reply_errors_reach_the_caller)
{
	char body[128], big[64] = { 0 };
	struct hostlink_hdr hdr;
	struct bg b;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));

	/* the host's errno */
	ASSERT_EQ(0, bg_start(&b, self->fd, 77, 10000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, EOPNOTSUPP, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EOPNOTSUPP, b.ret);

	/* the kernel's own numbers (512: ERESTARTSYS) never reach a caller */
	ASSERT_EQ(0, bg_start(&b, self->fd, 77, 10000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 512, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EPROTO, b.ret);
	EXPECT_EQ(1, hl_stat(self->id, "protocol_errors"));

	/* a reply to the right id with another op */
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_PING, 10000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op + 1,
				  hdr.id, 0, NULL, 0));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EPROTO, b.ret);

	/* a reply larger than the caller's buffer */
	memset(&b, 0, sizeof(b));
	b.fd = self->fd;
	b.op = HOSTLINK_TEST_ECHO;
	b.timeout_ms = 10000;
	b.resp_max = 16;
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, bg_run, &b));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, big, sizeof(big)));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EMSGSIZE, b.ret);
	EXPECT_EQ(1, hl_stat(self->id, "connects"));
}

TEST_F(fake, deadline_then_cancel)
{
	struct hostlink_hdr hdr, cancel;
	char body[128];
	struct bg b;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_SLEEP, 300, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-ETIMEDOUT, b.ret);
	EXPECT_LE(250, b.ms);
	EXPECT_GT(5000, b.ms);
	ASSERT_EQ(0, hl_fake_read(&self->host, &cancel, body, sizeof(body), 5000));
	EXPECT_EQ(HOSTLINK_CANCEL, cancel.type);
	EXPECT_EQ(hdr.id, cancel.id);
	EXPECT_EQ(0, cancel.len);
	EXPECT_EQ(1, hl_stat(self->id, "timeouts"));
	EXPECT_EQ(1, hl_stat(self->id, "cancels"));

	/* a late reply is dropped; the connection goes on */
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY, hdr.op,
				  hdr.id, 0, NULL, 0));
	EXPECT_EQ(0, fake_ping(&self->host, self->fd));
	EXPECT_EQ(1, hl_stat(self->id, "dropped"));
}

TEST_F(fake, signal_gives_eintr_and_cancel)
{
	struct hostlink_hdr hdr, cancel;
	char body[128];
	struct bg b;

	no_restart_handler();
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_SLEEP, 20000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	usleep(100000);
	pthread_kill(b.thread, SIGUSR1);
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EINTR, b.ret);
	EXPECT_GT(10000, b.ms);
	ASSERT_EQ(0, hl_fake_read(&self->host, &cancel, body, sizeof(body), 5000));
	EXPECT_EQ(HOSTLINK_CANCEL, cancel.type);
	EXPECT_EQ(hdr.id, cancel.id);
	EXPECT_EQ(1, hl_stat(self->id, "interrupts"));
}

TEST_F(fake, host_loss_fails_all_at_once_then_reconnects)
{
	struct hostlink_test_stats st;
	struct hostlink_hdr hdr;
	char body[128];
	struct bg b[8];
	int i;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, bg_start(&b[i], self->fd, HOSTLINK_TEST_SLEEP,
				      20000, NULL, 0));
		ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	}
	hl_fake_drop(&self->host);
	for (i = 0; i < 8; i++) {
		pthread_join(b[i].thread, NULL);
		EXPECT_EQ(-ENOTCONN, b[i].ret);
		EXPECT_GT(5000, b[i].ms);
	}
	EXPECT_EQ(1, hl_stat(self->id, "disconnects"));
	/* while the host is away callers fail at once */
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 5000,
				     NULL, 0, NULL, 0, NULL));

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, hl_stats(self->fd, &st));
	EXPECT_EQ(2, st.ups);
	EXPECT_EQ(1, st.downs);
	EXPECT_EQ(2, hl_stat(self->id, "connects"));
}

TEST_F(fake, events_delivered_in_order)
{
	struct hostlink_test_stats st;
	uint64_t seq;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	for (seq = 0; seq < 100; seq++)
		ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_EVENT,
					  HOSTLINK_TEST_EV_TICK, 0, 0, &seq,
					  sizeof(seq)));
	/* one of the wrong size: the service sees it and counts it bad */
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_EVENT,
				  HOSTLINK_TEST_EV_TICK, 0, 0, &seq, 4));
	ASSERT_EQ(0, fake_ping(&self->host, self->fd));
	ASSERT_EQ(0, hl_stats(self->fd, &st));
	EXPECT_EQ(100, st.events);
	EXPECT_EQ(99, st.last_seq);
	EXPECT_EQ(1, st.bad_events);
}

TEST_F(fake, newer_host_refused_at_hello)
{
	char buf[128];

	ASSERT_EQ(0, hl_fake_handshake(&self->host, EPROTONOSUPPORT, 2,
				       "hostlinkd speaks protocol 2-3", 10000));
	ASSERT_EQ(0, hl_wait_state(self->id, "refused", 5000));
	ASSERT_EQ(0, hl_sysfs(self->id, "last_error", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "hostlinkd speaks protocol 2-3"));
	EXPECT_NE(NULL, strstr(buf, "we 1-1"));
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 1000,
				     NULL, 0, NULL, 0, NULL));
	/* and it tries again later */
	ASSERT_EQ(0, hl_fake_accept(&self->host, 10000));
}

TEST_F(fake, host_choosing_unknown_version_refused)
{
	char buf[128];

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 2, NULL, 10000));
	ASSERT_EQ(0, hl_wait_state(self->id, "refused", 5000));
	ASSERT_EQ(0, hl_sysfs(self->id, "last_error", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "host chose protocol version 2, we speak 1-1"));
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 1000,
				     NULL, 0, NULL, 0, NULL));
}

/* The guest closes the fake host's connection within @ms: 0 or -1. */
static int guest_closes_within(struct hl_fake *f, unsigned int ms)
{
	struct hostlink_hdr hdr;
	char body[256];
	uint64_t end = hl_now_ms() + ms;
	int ret;

	do {
		ret = hl_fake_read(f, &hdr, body, sizeof(body),
				   end - hl_now_ms());
		if (ret == -ECONNRESET || ret == -EPIPE)
			return 0;
	} while (!ret && hl_now_ms() < end);
	return -1;
}

/*
 * A REPLY where the WELCOME belongs: refused, and the log says what came
 * instead of naming the first WELCOME rule that a REPLY breaks.
 */
TEST_F(fake, reply_instead_of_welcome)
{
	char buf[128];

	ASSERT_EQ(0, hl_fake_hello(&self->host, 10000));
	ASSERT_EQ(0, hl_fake_send(&self->host, 1, HOSTLINK_REPLY,
				  HOSTLINK_TEST_PING, 1, 0, NULL, 0));
	EXPECT_EQ(0, guest_closes_within(&self->host, 5000));
	ASSERT_EQ(0, hl_wait_sysfs(self->id, "last_error", "bad answer to HELLO",
				   buf, sizeof(buf), 5000));
	EXPECT_STREQ("bad answer to HELLO: expected WELCOME, got REPLY", buf);
	EXPECT_EQ(1, hl_stat(self->id, "protocol_errors"));
	EXPECT_EQ(0, hl_stat(self->id, "connects"));
}

/* A WELCOME that contradicts itself: a protocol error, never a connection. */
FIXTURE(bad_welcome) {
	struct hl_fake host;
	int fd;
	unsigned int id;
};

FIXTURE_VARIANT(bad_welcome) {
	uint16_t version, min_version, max_version;
	const char *why;
};

FIXTURE_VARIANT_ADD(bad_welcome, inverted_range) {
	.version = 1, .min_version = 3, .max_version = 1,
	.why = "bad WELCOME from the host: its version range 3-1 is inverted",
};
FIXTURE_VARIANT_ADD(bad_welcome, chosen_below_host_range) {
	.version = 1, .min_version = 2, .max_version = 3,
	.why = "bad WELCOME from the host: it chose version 1 outside its range 2-3",
};
FIXTURE_VARIANT_ADD(bad_welcome, chosen_above_host_range) {
	.version = 1, .min_version = 0, .max_version = 0,
	.why = "bad WELCOME from the host: it chose version 1 outside its range 0-0",
};

FIXTURE_SETUP(bad_welcome)
{
	ASSERT_EQ(0, chan_setup(&self->host, &self->fd, &self->id));
}

FIXTURE_TEARDOWN(bad_welcome)
{
	chan_teardown(&self->host, self->fd);
}

TEST_F(bad_welcome, refused_and_counted)
{
	struct hostlink_welcome w = {
		.version = variant->version,
		.min_version = variant->min_version,
		.max_version = variant->max_version,
		.max_frame = HOSTLINK_FRAME_DEFAULT,
		.features = HOSTLINK_FEAT_ALL,
	};
	char buf[128] = "";

	ASSERT_EQ(0, hl_fake_hello(&self->host, 10000));
	ASSERT_EQ(0, hl_fake_send(&self->host, HOSTLINK_PROTO_MAX,
				  HOSTLINK_WELCOME, 0, 0, 0, &w, sizeof(w)));
	EXPECT_EQ(0, guest_closes_within(&self->host, 5000));
	ASSERT_EQ(0, hl_wait_sysfs(self->id, "last_error", "bad WELCOME",
				   buf, sizeof(buf), 5000))
		TH_LOG("last_error: %s", buf);
	EXPECT_STREQ(variant->why, buf);
	EXPECT_EQ(1, hl_stat(self->id, "protocol_errors"));
	EXPECT_EQ(0, hl_stat(self->id, "connects"));
	ASSERT_EQ(0, hl_sysfs(self->id, "state", buf, sizeof(buf)));
	EXPECT_STRNE("connected", buf);
	EXPECT_EQ(-ENOTCONN, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 1000,
				     NULL, 0, NULL, 0, NULL));
}

struct drip {
	pthread_t thread;
	int fd;
	long long ms;
};

/* A good WELCOME, a byte a second: far slower than the handshake allows. */
static void *drip_welcome(void *arg)
{
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_welcome w;
	} f = {
		.hdr = { .magic = HOSTLINK_MAGIC, .version = 1,
			 .type = HOSTLINK_WELCOME, .len = sizeof(f.w) },
		.w = { .version = 1, .min_version = 1, .max_version = 1,
		       .max_frame = HOSTLINK_FRAME_DEFAULT,
		       .features = HOSTLINK_FEAT_ALL },
	};
	struct drip *d = arg;

	d->ms = hl_drip(d->fd, &f, sizeof(f), 1000, HOSTLINK_HANDSHAKE_MS + 10000);
	return NULL;
}

/*
 * A host that drips its WELCOME out is given up HOSTLINK_HANDSHAKE_MS
 * after the HELLO, and meanwhile another service connects and works.
 */
TEST_F(fake, stalled_handshake_bounded_and_alone)
{
	struct hl_fake other = { .lfd = -1, .fd = -1 };
	struct drip d = { .fd = -1 };
	unsigned int other_id;
	int other_fd, port;
	char buf[128] = "";
	uint64_t t0;

	ASSERT_EQ(0, hl_fake_hello(&self->host, 10000));
	d.fd = self->host.fd;
	ASSERT_EQ(0, pthread_create(&d.thread, NULL, drip_welcome, &d));

	port = hl_port() + 20000;
	ASSERT_EQ(0, hl_fake_listen(&other, port));
	other_fd = hl_bind(port, NULL, &other_id);
	ASSERT_LE(0, other_fd);
	t0 = hl_now_ms();
	ASSERT_EQ(0, hl_fake_handshake(&other, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(other_fd, 5000));
	EXPECT_EQ(0, fake_ping(&other, other_fd));
	EXPECT_GT(3000, hl_now_ms() - t0) TH_LOG("the other service took %llu ms",
						 (unsigned long long)(hl_now_ms() - t0));
	ASSERT_EQ(0, hl_sysfs(self->id, "state", buf, sizeof(buf)));
	EXPECT_STRNE("connected", buf);

	pthread_join(d.thread, NULL);
	EXPECT_LE(0, d.ms) TH_LOG("the dripped handshake was not given up");
	EXPECT_LE(HOSTLINK_HANDSHAKE_MS - 1500, d.ms);
	EXPECT_GT(HOSTLINK_HANDSHAKE_MS + 3000, d.ms) TH_LOG("given up after %lld ms",
							    d.ms);
	ASSERT_EQ(0, hl_wait_sysfs(self->id, "last_error", "no WELCOME",
				   buf, sizeof(buf), 2000))
		TH_LOG("last_error: %s", buf);
	EXPECT_STREQ("no WELCOME within 5000 ms of the HELLO", buf);
	EXPECT_EQ(0, hl_stat(self->id, "connects"));
	EXPECT_EQ(1, hl_stat(other_id, "connects"));
	close(other_fd);
	hl_fake_close(&other);
}

TEST_F(fake, peer_that_stops_reading)
{
	static char chunk[512 << 10];
	struct bg b[4];
	int i;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	/* 2 MiB against a few hundred KiB of socket buffer, never read */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, bg_start(&b[i], self->fd, HOSTLINK_TEST_SINK, 1000,
				      chunk, sizeof(chunk)));
	for (i = 0; i < 4; i++) {
		pthread_join(b[i].thread, NULL);
		EXPECT_TRUE(b[i].ret == -ETIMEDOUT || b[i].ret == -ENOTCONN)
			TH_LOG("call %d: %d after %llu ms", i, b[i].ret,
			       (unsigned long long)b[i].ms);
		EXPECT_GT(6000, b[i].ms);
	}
	/* a connection cut mid-frame is given up, and made again */
	hl_fake_drop(&self->host);
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
}

/*
 * A signal once part of a large request is out: the frame is finished
 * all the same, the caller gets -EINTR and a CANCEL, and the connection
 * (every other caller's) stays up.
 */
TEST_F(fake, signal_mid_frame_keeps_the_connection)
{
	static char chunk[768 << 10], body[(768 << 10) + 64];
	struct hostlink_hdr hdr, cancel;
	struct bg b;

	no_restart_handler();
	memset(chunk, 0x5a, sizeof(chunk));
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	/* more than the socket buffers take: the send blocks mid-frame */
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_SINK, 20000,
			      chunk, sizeof(chunk)));
	ASSERT_EQ(0, frame_started(&self->host, 10000));
	pthread_kill(b.thread, SIGUSR1);
	/* the caller has seen the signal before the host reads on */
	ASSERT_EQ(0, hl_stat_reaches(self->id, "interrupts", 1, 10000));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));
	EXPECT_EQ(sizeof(struct hostlink_cred) + sizeof(chunk), hdr.len);
	EXPECT_EQ(0, memcmp(body + sizeof(struct hostlink_cred), chunk,
			    sizeof(chunk)));
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EINTR, b.ret);
	ASSERT_EQ(0, hl_fake_read(&self->host, &cancel, body, sizeof(body), 5000));
	EXPECT_EQ(HOSTLINK_CANCEL, cancel.type);
	EXPECT_EQ(hdr.id, cancel.id);

	EXPECT_EQ(0, fake_ping(&self->host, self->fd));
	EXPECT_EQ(1, hl_stat(self->id, "connects"));
	EXPECT_EQ(0, hl_stat(self->id, "disconnects"));
}

/*
 * A signal while the frame is stalled (the host stopped reading): the
 * caller gets -EINTR at once, not at its deadline; a worker holds the
 * rest of the frame and gives the connection up only when the frame's
 * deadline passes with the host still not reading.
 */
TEST_F(fake, signal_mid_frame_with_a_stalled_host)
{
	static char chunk[768 << 10];
	uint64_t t0, t1;
	struct bg b;

	no_restart_handler();
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	t0 = hl_now_ms();
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_ECHO, 4000,
			      chunk, sizeof(chunk)));
	ASSERT_EQ(0, frame_started(&self->host, 3000));
	t1 = hl_now_ms();
	pthread_kill(b.thread, SIGUSR1);
	pthread_join(b.thread, NULL);
	EXPECT_EQ(-EINTR, b.ret);
	EXPECT_GT(1000, hl_now_ms() - t1) TH_LOG("returned %llu ms after the signal",
						 (unsigned long long)(hl_now_ms() - t1));
	EXPECT_EQ(1, hl_stat(self->id, "interrupts"));

	/* the frame's deadline, not the signal, costs the connection */
	EXPECT_EQ(0, hl_wait_state(self->id, "connecting", 10000));
	EXPECT_LE(3500, hl_now_ms() - t0) TH_LOG("lost after %llu ms",
						 (unsigned long long)(hl_now_ms() - t0));
	hl_fake_drop(&self->host);
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	EXPECT_EQ(0, fake_ping(&self->host, self->fd));
	EXPECT_EQ(2, hl_stat(self->id, "connects"));
}

/*
 * SIGKILL mid-frame with a stalled host: the task dies at once, not at
 * its deadline, and the connection (holding half a frame) is given up
 * at that deadline and made again.
 */
TEST_F(fake, sigkill_mid_frame_with_a_stalled_host)
{
	static char chunk[768 << 10];
	uint64_t t0;
	pid_t kid;
	int status;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 4000, chunk,
			sizeof(chunk), NULL, 0, NULL);
		_exit(0);
	}
	ASSERT_EQ(0, frame_started(&self->host, 3000));
	t0 = hl_now_ms();
	kill(kid, SIGKILL);
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_GT(1000, hl_now_ms() - t0) TH_LOG("killed after %llu ms",
						 (unsigned long long)(hl_now_ms() - t0));
	EXPECT_EQ(0, hl_wait_state(self->id, "connecting", 10000));
	hl_fake_drop(&self->host);
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
}

struct flood {
	pthread_t thread;
	struct hl_fake *host;
	unsigned int ms;	/* the longest it floods */
	volatile int stop;
	uint64_t sent;
	int ret;
};

static void *flood_run(void *arg)
{
	enum { BATCH = 512 };
	static struct {
		struct hostlink_hdr hdr;
		uint64_t seq;
	} __attribute__((packed)) ev[BATCH];
	struct flood *f = arg;
	uint64_t end = hl_now_ms() + f->ms;
	unsigned int i;

	while (!f->ret && !f->stop && hl_now_ms() < end) {
		for (i = 0; i < BATCH; i++) {
			memset(&ev[i].hdr, 0, sizeof(ev[i].hdr));
			ev[i].hdr.magic = HOSTLINK_MAGIC;
			ev[i].hdr.version = 1;
			ev[i].hdr.type = HOSTLINK_EVENT;
			ev[i].hdr.op = HOSTLINK_TEST_EV_TICK;
			ev[i].hdr.len = sizeof(ev[i].seq);
			ev[i].seq = f->sent + i;
		}
		f->ret = hl_fake_write(f->host, ev, sizeof(ev));
		if (!f->ret)
			f->sent += BATCH;
	}
	return NULL;
}

/*
 * A host that streams events without pause: a caller waiting for a
 * reply that does not come still returns at its deadline, and every
 * event is delivered.
 */
TEST_F(fake, deadline_holds_under_an_event_flood)
{
	struct hostlink_test_stats st;
	struct flood fl = { .host = &self->host, .ms = 30000 };
	uint64_t before;
	struct bg b;
	int i;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, pthread_create(&fl.thread, NULL, flood_run, &fl));
	/* the flood is under way: events are arriving */
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, hl_stats(self->fd, &st));
		if (st.events >= 1024)
			break;
		usleep(10000);
	}
	ASSERT_LE(1024, st.events);
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_SLEEP, 300, NULL, 0));
	pthread_join(b.thread, NULL);
	before = fl.sent;
	EXPECT_EQ(-ETIMEDOUT, b.ret);
	EXPECT_GT(5000, b.ms) TH_LOG("returned after %llu ms of a 300 ms deadline",
				     (unsigned long long)b.ms);
	/* returned while the host was still flooding, not after it */
	for (i = 0; i < 500 && fl.sent == before && !fl.ret; i++)
		usleep(10000);
	EXPECT_LT(before, fl.sent);
	fl.stop = 1;
	pthread_join(fl.thread, NULL);
	ASSERT_EQ(0, fl.ret);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, hl_stats(self->fd, &st));
		if (st.events == fl.sent)
			break;
		usleep(100000);
	}
	EXPECT_EQ(fl.sent, st.events);
	EXPECT_EQ(fl.sent - 1, st.last_seq);
	EXPECT_EQ(0, st.bad_events);
	EXPECT_EQ(0, hl_stat(self->id, "disconnects"));
}

/* timeout_ms is writable at run time: 0 and junk are refused there too. */
TEST(timeout_ms_checked_at_run_time)
{
	static const char path[] = "/sys/module/hostlink/parameters/timeout_ms";
	static const char *const bad[] = { "0", "3600001", "abc", "-1" };
	char buf[32] = "";
	unsigned int i;
	FILE *f;

	ASSERT_EQ(0, hl_load_modules());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		setvbuf(f, NULL, _IONBF, 0);
		EXPECT_EQ(EOF, fputs(bad[i], f)) TH_LOG("'%s' taken", bad[i]);
		fclose(f);
	}
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("10000\n", buf);
}

/* --- a hostile host: every bad frame ends the connection ------------- */

FIXTURE(hostile) {
	struct hl_fake host;
	int fd;
	unsigned int id;
};

FIXTURE_VARIANT(hostile) {
	struct hostlink_hdr hdr;	/* the bad frame, magic filled in */
	size_t send;			/* bytes of it (and zeros) to send */
	bool garbage;			/* send bytes that are not a header */
	bool no_error;			/* a clean close: no protocol error */
};

#define BAD(...) .hdr = { .magic = HOSTLINK_MAGIC, .version = 1, __VA_ARGS__ }

FIXTURE_VARIANT_ADD(hostile, oversized) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .len = HOSTLINK_FRAME_DEFAULT + 1),
	.send = 32,
};
FIXTURE_VARIANT_ADD(hostile, truncated) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .op = 1, .len = 100),
	.send = 42,
};
FIXTURE_VARIANT_ADD(hostile, garbage) {
	.garbage = true, .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, wrong_version) {
	.hdr = { .magic = HOSTLINK_MAGIC, .version = 7,
		 .type = HOSTLINK_REPLY, .id = 1 },
	.send = 32,
};
FIXTURE_VARIANT_ADD(hostile, reserved_set) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .__reserved = 1), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, flags_set) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .flags = 0x8000), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, second_welcome) {
	BAD(.type = HOSTLINK_WELCOME, .len = sizeof(struct hostlink_welcome)),
	.send = 32 + sizeof(struct hostlink_welcome),
};
FIXTURE_VARIANT_ADD(hostile, reply_without_id) {
	BAD(.type = HOSTLINK_REPLY), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, failed_reply_with_payload) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .status = EIO, .len = 8),
	.send = 40,
};
FIXTURE_VARIANT_ADD(hostile, status_out_of_range) {
	BAD(.type = HOSTLINK_REPLY, .id = 1, .status = 5000), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, request_from_host) {
	BAD(.type = HOSTLINK_REQUEST, .id = 1, .len = 64), .send = 96,
};
FIXTURE_VARIANT_ADD(hostile, unknown_type) {
	BAD(.type = 99), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, event_with_id) {
	BAD(.type = HOSTLINK_EVENT, .id = 5), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, attached_on_control) {
	BAD(.type = HOSTLINK_ATTACHED), .send = 32,
};
FIXTURE_VARIANT_ADD(hostile, close) {
	.send = 0, .no_error = true,
};

FIXTURE_SETUP(hostile)
{
	ASSERT_EQ(0, chan_setup(&self->host, &self->fd, &self->id));
}

FIXTURE_TEARDOWN(hostile)
{
	chan_teardown(&self->host, self->fd);
}

TEST_F(hostile, request_fails_cleanly_and_core_reconnects)
{
	static char frame[4096];
	struct hostlink_hdr hdr;
	char body[128];
	struct bg b;
	size_t i;

	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	ASSERT_EQ(0, bg_start(&b, self->fd, HOSTLINK_TEST_PING, 20000, NULL, 0));
	ASSERT_NE(0, read_request(&self->host, &hdr, body, sizeof(body)));

	if (variant->garbage) {
		for (i = 0; i < variant->send; i++)
			frame[i] = (char)(i * 37 + 11);
	} else {
		struct hostlink_hdr bad = variant->hdr;

		if (bad.id == 1)
			bad.id = hdr.id;	/* aimed at the waiting request */
		memcpy(frame, &bad, sizeof(bad));
	}
	if (variant->send)
		ASSERT_EQ(0, hl_fake_write(&self->host, frame, variant->send));
	hl_fake_drop(&self->host);

	pthread_join(b.thread, NULL);
	EXPECT_EQ(-ENOTCONN, b.ret);
	EXPECT_GT(10000, b.ms);
	if (!variant->no_error)
		EXPECT_EQ(1, hl_stat(self->id, "protocol_errors"));

	/* and the next connection works */
	ASSERT_EQ(0, hl_fake_handshake(&self->host, 0, 1, NULL, 10000));
	ASSERT_EQ(0, hl_wait(self->fd, 5000));
	EXPECT_EQ(0, fake_ping(&self->host, self->fd));
}

TEST_HARNESS_MAIN
