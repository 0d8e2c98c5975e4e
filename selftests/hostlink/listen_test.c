// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-initiated control connections (hostlink listen_port, hostlinkd
 * hybrid_connect), in this guest on vsock_loopback (CID 1).  A hybrid
 * vsock VMM (tools/vmtest/hybrid-vmm) stands between them as Firecracker
 * would: hostlinkd connects to its unix socket and says "CONNECT 511",
 * it connects to the guest's port 511 over vsock, answers "OK <port>"
 * and relays.  The
 * daemon trusts what it opened without --trust-hybrid; the guest kernel
 * takes only a well-formed OFFER for a service it has, from the host
 * CID, while that service is not connected.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "hostlink_lib.h"

#define GUEST_PORT	511

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* tools/vmtest/hybrid-vmm on @path; its pid once the socket is there. */
static pid_t start_vmm(const char *path)
{
	const char *tools = getenv("VMTEST_TOOLS");
	char bin[PATH_MAX];
	uint64_t end;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/hybrid-vmm", tools ? tools : ".");
	unlink(path);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(bin, "hybrid-vmm", path, (char *)NULL);
		fprintf(stderr, "cannot run %s: %m\n", bin);
		_exit(127);
	}
	for (end = hl_now_ms() + 5000; hl_now_ms() < end; usleep(20000))
		if (!access(path, F_OK))
			return pid;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

FIXTURE(listen) {
	char path[64];
	pid_t vmm;
	pid_t daemon;
	int port;
};

static pid_t start_daemon(const char *path, int port)
{
	char extra[160];

	snprintf(extra, sizeof(extra), "--no-vsock --hybrid %s --hybrid-connect %d",
		 path, GUEST_PORT);
	return hl_daemon_start(port, extra);
}

FIXTURE_SETUP(listen)
{
	ASSERT_EQ(0, hl_load_modules());
	self->port = hl_port();
	snprintf(self->path, sizeof(self->path), "/run/hl-vmm-%d", self->port);
	self->vmm = start_vmm(self->path);
	ASSERT_LT(0, self->vmm);
	self->daemon = start_daemon(self->path, self->port);
	ASSERT_LT(0, self->daemon);
}

FIXTURE_TEARDOWN(listen)
{
	if (self->daemon > 0)
		hl_daemon_stop(self->daemon, SIGKILL);
	if (self->vmm > 0) {
		kill(self->vmm, SIGKILL);
		waitpid(self->vmm, NULL, 0);
	}
	unlink(self->path);
}

TEST_F(listen, host_opened_control_connection_is_trusted)
{
	struct hostlink_test_cred c;
	unsigned int id;
	char buf[64];
	size_t len;
	int fd;

	/* the daemon listens on no vsock port: only its dialling can connect */
	fd = hl_bind(self->port, NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hl_wait(fd, 20000));
	ASSERT_EQ(0, hl_sysfs(id, "local_port", buf, sizeof(buf)));
	EXPECT_STREQ("511", buf);
	EXPECT_LE(1, hl_stat(id, "offers"));
	EXPECT_EQ(0, hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0, NULL, 0,
			     NULL));
	ASSERT_EQ(0, hl_call(fd, HOSTLINK_TEST_CRED, 0, 5000, NULL, 0, &c,
			     sizeof(c), &len));
	ASSERT_EQ(sizeof(c), len);
	EXPECT_EQ(1, c.trusted);
	EXPECT_EQ(geteuid(), c.cred.uid);
	EXPECT_EQ(getpid(), (pid_t)c.cred.pid);
	close(fd);
}

TEST_F(listen, host_lost_then_dials_again)
{
	unsigned int id;
	int fd;

	fd = hl_bind(self->port, NULL, &id);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hl_wait(fd, 20000));
	hl_daemon_stop(self->daemon, SIGKILL);
	self->daemon = 0;
	/* the VMM relays the end; the service is back to connecting */
	EXPECT_EQ(0, hl_wait_state(id, "connecting", 5000));
	EXPECT_EQ(-ENOTCONN, hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0,
				     NULL, 0, NULL));
	self->daemon = start_daemon(self->path, self->port);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, hl_wait(fd, 20000));
	EXPECT_EQ(0, hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0, NULL, 0,
			     NULL));
	EXPECT_LE(2, hl_stat(id, "offers"));
	close(fd);
}

/* A "host" of our own: a vsock connection to the guest's port. */
static int dial_guest(void)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK,
				 .svm_cid = VMADDR_CID_LOCAL,
				 .svm_port = GUEST_PORT };
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* An OFFER frame, to be spoiled by the caller. */
static void offer_frame(void *buf, const char *service)
{
	struct hostlink_hdr *h = buf;
	struct hostlink_offer *o = (void *)(h + 1);

	memset(buf, 0, sizeof(*h) + sizeof(*o));
	h->magic = HOSTLINK_MAGIC;
	h->version = HOSTLINK_PROTO_MAX;
	h->type = HOSTLINK_OFFER;
	h->len = sizeof(*o);
	strncpy(o->service, service, sizeof(o->service));
}

/* The guest closes @fd within @ms (EOF, or a reset); 0 or -1. */
static int closed_within(int fd, unsigned int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) != 1)
		return -1;
	return read(fd, &c, 1) <= 0 ? 0 : -1;
}

TEST(bad_offers_are_refused)
{
	struct {
		struct hostlink_hdr h;
		struct hostlink_offer o;
	} f;
	struct hl_fake host = { .lfd = -1, .fd = -1 };
	struct hostlink_hdr hdr;
	unsigned int id, i;
	int fd, s, port;
	char buf[64];

	ASSERT_EQ(0, hl_load_modules());
	port = hl_port();
	/* nothing listens on this port: the service keeps connecting */
	fd = hl_bind(port, NULL, &id);
	ASSERT_LE(0, fd);

	for (i = 0; i < 8; i++) {
		size_t len = sizeof(f);

		offer_frame(&f, "test");
		switch (i) {
		case 0:
			memset(&f, 0xa5, sizeof(f));		/* garbage */
			break;
		case 1:
			f.h.len = sizeof(f.o) - 1;		/* wrong size */
			break;
		case 2:
			offer_frame(&f, "nosuch");		/* no such service */
			break;
		case 3:
			f.o.service[6] = 'x';			/* not NUL-padded */
			break;
		case 4:
			f.h.type = HOSTLINK_WELCOME;		/* not an OFFER */
			break;
		case 5:
			f.h.id = 7;				/* an id */
			break;
		case 6:
			len = 10;				/* truncated */
			break;
		case 7:
			len = 0;				/* silent */
			break;
		}
		s = dial_guest();
		ASSERT_LE(0, s) TH_LOG("case %u: connect to port %d", i, GUEST_PORT);
		if (len)
			ASSERT_EQ(0, write_all(s, &f, len));
		if (i == 6)
			shutdown(s, SHUT_WR);
		/* the OFFER is due within 5 s */
		EXPECT_EQ(0, closed_within(s, 8000)) TH_LOG("case %u not closed", i);
		close(s);
	}
	EXPECT_EQ(0, hl_stat(id, "offers"));
	ASSERT_EQ(0, hl_sysfs(id, "state", buf, sizeof(buf)));
	EXPECT_STRNE("connected", buf);

	/* A good OFFER: the service says HELLO on it; we are its host now. */
	s = dial_guest();
	ASSERT_LE(0, s);
	offer_frame(&f, "test");
	ASSERT_EQ(0, write_all(s, &f, sizeof(f)));
	host.fd = s;
	ASSERT_EQ(0, hl_fake_read(&host, &hdr, &host.hello, sizeof(host.hello),
				  10000));
	ASSERT_EQ(HOSTLINK_HELLO, hdr.type);
	EXPECT_STREQ("test", host.hello.service);
	{
		struct hostlink_welcome w = {
			.version = 1, .min_version = 1, .max_version = 1,
			.max_frame = HOSTLINK_FRAME_DEFAULT,
			.features = HOSTLINK_FEAT_ALL,
		};

		ASSERT_EQ(0, hl_fake_send(&host, 1, HOSTLINK_WELCOME, 0, 0, 0,
					  &w, sizeof(w)));
	}
	ASSERT_EQ(0, hl_wait(fd, 5000));
	EXPECT_EQ(1, hl_stat(id, "offers"));
	ASSERT_EQ(0, hl_sysfs(id, "local_port", buf, sizeof(buf)));
	EXPECT_STREQ("511", buf);

	/* Connected: a second offer for it is closed, the first goes on. */
	s = dial_guest();
	ASSERT_LE(0, s);
	ASSERT_EQ(0, write_all(s, &f, sizeof(f)));
	EXPECT_EQ(0, closed_within(s, 8000));
	close(s);
	EXPECT_EQ(1, hl_stat(id, "offers"));
	ASSERT_EQ(0, hl_sysfs(id, "state", buf, sizeof(buf)));
	EXPECT_STREQ("connected", buf);

	/* The host goes: back to connecting, nothing left behind. */
	hl_fake_drop(&host);
	EXPECT_EQ(0, hl_wait_state(id, "connecting", 5000));
	close(fd);
}

/*
 * An OFFER dripped a byte a second: closed HOSTLINK_HANDSHAKE_MS after
 * the connection, not a fresh timeout per byte.
 */
TEST(dripped_offer_is_given_up_in_time)
{
	struct {
		struct hostlink_hdr h;
		struct hostlink_offer o;
	} f;
	long long ms;
	int s;

	ASSERT_EQ(0, hl_load_modules());
	offer_frame(&f, "test");
	s = dial_guest();
	ASSERT_LE(0, s);
	ms = hl_drip(s, &f, sizeof(f), 1000, HOSTLINK_HANDSHAKE_MS + 10000);
	close(s);
	EXPECT_LE(0, ms) TH_LOG("the dripped OFFER was not given up");
	EXPECT_LE(HOSTLINK_HANDSHAKE_MS - 1500, ms);
	EXPECT_GT(HOSTLINK_HANDSHAKE_MS + 3000, ms) TH_LOG("closed after %lld ms", ms);

	/* and the listener takes the next connection */
	s = dial_guest();
	ASSERT_LE(0, s);
	ASSERT_EQ(0, write_all(s, &f, sizeof(f)));
	EXPECT_EQ(0, closed_within(s, 3000));	/* no such service */
	close(s);
}

struct dripper {
	pthread_t thread;
	int fd;
	long long ms;
};

static void *drip_offer(void *arg)
{
	struct {
		struct hostlink_hdr h;
		struct hostlink_offer o;
	} f;
	struct dripper *d = arg;

	offer_frame(&f, "nosuch");
	d->ms = hl_drip(d->fd, &f, sizeof(f), 1000, HOSTLINK_HANDSHAKE_MS + 10000);
	return NULL;
}

/*
 * A host connection that drips its OFFER out does not hold up another
 * one: the good OFFER behind it gets its HELLO at once, not when the
 * first is given up.
 */
TEST(dripped_offer_holds_up_no_other)
{
	struct {
		struct hostlink_hdr h;
		struct hostlink_offer o;
	} f;
	struct hl_fake host = { .lfd = -1, .fd = -1 };
	struct dripper d = { .fd = -1 };
	struct hostlink_hdr hdr;
	unsigned int id;
	int fd, s;
	uint64_t t0;

	ASSERT_EQ(0, hl_load_modules());
	/* nothing listens on this port: the service keeps connecting */
	fd = hl_bind(hl_port(), NULL, &id);
	ASSERT_LE(0, fd);
	d.fd = dial_guest();
	ASSERT_LE(0, d.fd);
	ASSERT_EQ(0, pthread_create(&d.thread, NULL, drip_offer, &d));
	usleep(300000);

	s = dial_guest();
	ASSERT_LE(0, s);
	t0 = hl_now_ms();
	offer_frame(&f, "test");
	ASSERT_EQ(0, write_all(s, &f, sizeof(f)));
	host.fd = s;
	ASSERT_EQ(0, hl_fake_read(&host, &hdr, &host.hello, sizeof(host.hello),
				  10000));
	EXPECT_EQ(HOSTLINK_HELLO, hdr.type);
	EXPECT_GT(2000, hl_now_ms() - t0) TH_LOG("HELLO after %llu ms",
						 (unsigned long long)(hl_now_ms() - t0));
	EXPECT_EQ(1, hl_stat(id, "offers"));

	pthread_join(d.thread, NULL);
	close(d.fd);
	EXPECT_LE(0, d.ms) TH_LOG("the dripped OFFER was not given up");
	EXPECT_GT(HOSTLINK_HANDSHAKE_MS + 3000, d.ms);
	hl_fake_drop(&host);
	close(fd);
}

/* Unloads every module; its time in ms, or -1. */
static long long unload_ms(void)
{
	uint64_t t0 = hl_now_ms();

	if (hl_unload_modules())
		return -1;
	return hl_now_ms() - t0;
}

/*
 * Unload while the host has connections open that have said nothing
 * yet: neither waits out its 5 s for an OFFER (measured against an
 * unload with none, as a debug kernel takes seconds for either), and
 * the module comes back.
 */
TEST(unload_with_offers_pending)
{
	long long base, ms;
	int s[2], i;

	ASSERT_EQ(0, hl_load_modules());
	base = unload_ms();
	ASSERT_LE(0, base);
	ASSERT_EQ(0, hl_load_modules());
	for (i = 0; i < 2; i++) {
		s[i] = dial_guest();
		ASSERT_LE(0, s[i]);
	}
	usleep(200000);
	ms = unload_ms();
	ASSERT_LE(0, ms);
	EXPECT_GT(base + 3000, ms) TH_LOG("unload took %lld ms, %lld without offers",
					  ms, base);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, closed_within(s[i], 2000));
		close(s[i]);
	}
	ASSERT_EQ(0, hl_load_modules());
	i = dial_guest();
	EXPECT_LE(0, i) TH_LOG("port %d not listened on after reload", GUEST_PORT);
	if (i >= 0)
		close(i);
}

TEST_HARNESS_MAIN
