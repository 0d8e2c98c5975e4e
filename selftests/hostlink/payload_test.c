// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink_max_payload(): the largest request a service may send on the
 * connection of the moment, against the real hostlinkd started with
 * several --max-frame settings.  The value is the agreed frame (the
 * smaller of the daemon's --max-frame and the module's max_frame) less
 * the credential block; a request of exactly that size goes through, one
 * byte more is refused before it is sent and leaves the connection up;
 * without a connection there is no value (-ENOTCONN), and the next
 * connection's value is the next daemon's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "hostlink_lib.h"

#define CRED_LEN	sizeof(struct hostlink_cred)

/* The module's max_frame parameter: the guest's side of the agreement. */
static unsigned long long module_max_frame(void)
{
	unsigned long long v = 0;
	FILE *f = fopen("/sys/module/hostlink/parameters/max_frame", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static unsigned long long agreed(unsigned long long daemon_max)
{
	unsigned long long mod = module_max_frame();

	return daemon_max < mod ? daemon_max : mod;
}

static pid_t start_daemon(int port, unsigned long long max_frame)
{
	char arg[64];

	snprintf(arg, sizeof(arg), "--max-frame %llu", max_frame);
	return hl_daemon_start(port, arg);
}

FIXTURE(payload) {
	pid_t daemon;
	int port;
	int fd;
	unsigned int id;
};

FIXTURE_VARIANT(payload) {
	unsigned long long max_frame;	/* the daemon's --max-frame */
};

/* the least anyone may announce */
FIXTURE_VARIANT_ADD(payload, frame_min) {
	.max_frame = HOSTLINK_FRAME_MIN,
};

/* not a power of two, above the staging buffer of the daemon */
FIXTURE_VARIANT_ADD(payload, odd_size) {
	.max_frame = 100003,
};

/* above the module's default: the guest's limit wins */
FIXTURE_VARIANT_ADD(payload, above_the_module) {
	.max_frame = 4U << 20,
};

FIXTURE_SETUP(payload)
{
	ASSERT_EQ(0, hl_load_modules());
	ASSERT_LT(0, module_max_frame());
	self->port = hl_port();
	self->daemon = start_daemon(self->port, variant->max_frame);
	ASSERT_LT(0, self->daemon);
	self->fd = hl_bind(self->port, NULL, &self->id);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, hl_wait(self->fd, 10000));
}

FIXTURE_TEARDOWN(payload)
{
	close(self->fd);
	if (self->daemon > 0)
		hl_daemon_stop(self->daemon, SIGKILL);
}

TEST_F(payload, is_the_agreed_frame_less_the_credentials)
{
	unsigned long long frame = agreed(variant->max_frame);
	char buf[128], want[128];

	EXPECT_EQ(frame - CRED_LEN, hl_max_payload(self->fd));
	/* what sysfs says the HELLO agreed */
	ASSERT_EQ(0, hl_sysfs(self->id, "protocol", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "version 1 max_frame %llu features 0x7", frame);
	EXPECT_STREQ(want, buf);
}

TEST_F(payload, exactly_that_size_goes_and_one_more_is_refused)
{
	long long max = hl_max_payload(self->fd);
	char *req, *resp;
	size_t i, len;

	ASSERT_LT(0, max);
	req = malloc(max + 1);
	resp = malloc(max + 1);
	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	for (i = 0; i < (size_t)max + 1; i++)
		req[i] = (char)(i * 7 + (i >> 11));

	/* the largest request, echoed whole: the reply is as large */
	ASSERT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 30000, req, max,
			     resp, max + 1, &len));
	EXPECT_EQ(max, len);
	EXPECT_EQ(0, memcmp(req, resp, max));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 30000, req, max,
			     NULL, 0, NULL));

	/* one byte more: refused in the guest, nothing sent */
	EXPECT_EQ(-EMSGSIZE, hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 5000, req,
				     max + 1, NULL, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, hl_call(self->fd, HOSTLINK_TEST_ECHO, 0, 5000, req,
				     max + 1, resp, max + 1, NULL));

	/* and the connection is as it was */
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_PING, 0, 10000, NULL, 0,
			     NULL, 0, NULL));
	EXPECT_EQ(1, hl_stat(self->id, "connects"));
	EXPECT_EQ(0, hl_stat(self->id, "disconnects"));
	EXPECT_EQ(0, hl_stat(self->id, "protocol_errors"));
	EXPECT_EQ(3, hl_stat(self->id, "requests"));
	EXPECT_EQ(max, hl_max_payload(self->fd));
	free(req);
	free(resp);
}

/*
 * No connection, no value; the next connection's value is the next
 * daemon's, so a caller chunking a transfer asks again after a loss.
 */
TEST_F(payload, follows_the_connection)
{
	unsigned long long next = variant->max_frame == HOSTLINK_FRAME_MIN ?
				  65536 : HOSTLINK_FRAME_MIN;

	EXPECT_EQ(0, hl_daemon_stop(self->daemon, SIGTERM));
	self->daemon = -1;
	ASSERT_EQ(0, hl_wait_state(self->id, "connecting", 5000));
	EXPECT_EQ(-ENOTCONN, hl_max_payload(self->fd));

	self->daemon = start_daemon(self->port, next);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, hl_wait(self->fd, 15000));
	EXPECT_EQ(agreed(next) - CRED_LEN, hl_max_payload(self->fd));
	EXPECT_EQ(0, hl_call(self->fd, HOSTLINK_TEST_SINK, 0, 10000, NULL, 0,
			     NULL, 0, NULL));
}

/* A service that never connected has no value either. */
TEST(not_connected_is_enotconn)
{
	struct hostlink_test_max_payload mp;
	int fd;

	ASSERT_EQ(0, hl_load_modules());
	/* not bound: the ioctl has no service to ask */
	fd = open("/dev/hostlink_test", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, HOSTLINK_TEST_IOC_MAX_PAYLOAD, &mp));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
	/* bound to a port where nobody listens */
	fd = hl_bind(hl_port(), NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, hl_max_payload(fd));
	EXPECT_EQ(-ENOTCONN, hl_call(fd, HOSTLINK_TEST_PING, 0, 1000, NULL, 0,
				     NULL, 0, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
