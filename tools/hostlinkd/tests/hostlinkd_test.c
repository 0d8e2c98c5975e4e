// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end test of hostlinkd without vsock: the real binary listens on
 * hybrid vsock unix sockets in a temporary directory and a test guest
 * (hl_client.c) talks to it: handshake and its refusals, every test
 * service operation, tokens, limits, back-pressure, malformed frames,
 * configuration errors, host-initiated connections through a fake VMM,
 * SIGTERM.  TAP output.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/vm_sockets.h>
#include <time.h>
#include <unistd.h>

#include "hl_client.h"
#include "td_daemon.h"

#define T_MB (1024L * 1024L)

#include "tap.h"

static long t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void t_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint32_t t_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t t_le64(const uint8_t *p)
{
	return t_le32(p) | (uint64_t)t_le32(p + 4) << 32;
}

static void t_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* A call whose reply has @status and @len bytes of payload. */
static bool t_call_is(struct hlc *c, uint64_t id, uint32_t op, const void *data,
		      uint32_t len, uint32_t status, uint32_t rlen)
{
	struct hlc_frame r;
	bool ok;

	if (hlc_call(c, id, op, data, len, &r, 5000))
		return false;
	ok = r.h.status == status && r.h.len == rlen;
	hlc_frame_free(&r);
	return ok;
}

static bool t_sleep_req(struct hlc *c, uint64_t id, uint32_t ms)
{
	uint8_t b[4];

	t_put32(b, ms);
	return !hlc_request(c, id, HOSTLINK_TEST_SLEEP, 0, NULL, b, 4);
}

/* The next frame is a REPLY to @id with @status. */
static bool t_reply_is(struct hlc *c, uint64_t id, uint32_t status, int timeout_ms)
{
	struct hlc_frame r;
	bool ok;

	if (hlc_recv(c, &r, timeout_ms))
		return false;
	ok = r.h.type == HOSTLINK_REPLY && r.h.id == id && r.h.status == status;
	hlc_frame_free(&r);
	return ok;
}

/* --- the command line and the configuration file ------------------ */

static void t_cli(void)
{
	const char *version[] = { td_bin, "--version", NULL };
	const char *help[] = { td_bin, "--help", NULL };
	const char *bad[] = { td_bin, "--frobnicate", NULL };
	const char *nothing[] = { td_bin, "--config", "/dev/null", "--no-vsock", NULL };
	const char *badflag[] = { td_bin, "--config", "/dev/null", "--max-frame", "100", NULL };
	char out[4096], want[64], path[300], path2[300];
	const char *cfg[] = { td_bin, "--config", path, NULL };
	const char *missing[] = { td_bin, "--config", "/nonexistent/hostlinkd.conf", NULL };
	int rc;

	rc = td_run(version, out, sizeof(out));
	snprintf(want, sizeof(want), "hostlinkd %s\n", HOSTLINK_VERSION);
	t_ok(rc == 0 && !strcmp(out, want), "--version prints '%s'", "hostlinkd " HOSTLINK_VERSION);
	rc = td_run(help, out, sizeof(out));
	t_ok(rc == 0 && strstr(out, "--hybrid") && strstr(out, "--trust-hybrid") &&
	     strstr(out, "--allow-loopback") && !strstr(out, "--proto-min"),
	     "--help lists the flags, not the hidden ones");
	rc = td_run(bad, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "--frobnicate"), "an unknown flag exits 2 and names it");
	rc = td_run(nothing, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "nothing to listen on"),
	     "--no-vsock without --hybrid exits 2");
	rc = td_run(badflag, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "--max-frame") && strstr(out, "100"),
	     "--max-frame below HOSTLINK_FRAME_MIN exits 2");
	rc = td_run(missing, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "/nonexistent/hostlinkd.conf"),
	     "a missing --config file exits 2");

	td_write("unknown.conf", "# hostlinkd\n\nvsock = no\nfrobnicate = 1\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	snprintf(want, sizeof(want), "unknown.conf:4: unknown key 'frobnicate'");
	t_ok(rc == 2 && strstr(out, want), "config: unknown key reports file:line, exit 2");
	td_write("badvalue.conf", "max_requests = 10\nmax_requests = lots\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "badvalue.conf:2:") && strstr(out, "max_requests"),
	     "config: bad value reports file:line and the key, exit 2");
	td_write("badbool.conf", "trust_hybrid = maybe\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "badbool.conf:1:"), "config: bad boolean, exit 2");
	td_write("noeq.conf", "\n\nlisten test\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "noeq.conf:3:"), "config: a line without '=', exit 2");
	td_write("badsvc.conf", "listen = nosuch:5\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "badsvc.conf:1:") && strstr(out, "nosuch"),
	     "config: unknown service, exit 2");
	td_write("hidden.conf", "proto_max = 9\n", path, sizeof(path));
	rc = td_run(cfg, out, sizeof(out));
	t_ok(rc == 2 && strstr(out, "hidden.conf:1: unknown key"),
	     "config: the test-only keys are not config keys");
	(void)path2;
}

/* Values from the file apply; flags override them. */
static void t_config_applies(void)
{
	char path[300], text[512];
	const char *args[] = { "--config", path, "--max-requests", "3", NULL };
	struct td d;
	struct hlc c;
	int i;
	bool ok = true;

	snprintf(text, sizeof(text),
		 "# test configuration\n"
		 "trust_hybrid = yes   # a comment\n"
		 "max_requests = 2\n"
		 "max_queue = 1M\n"
		 "log_level = debug\n"
		 "listen = test\n");
	td_write("applies.conf", text, path, sizeof(path));
	if (td_start(&d, "cfg", args)) {
		t_ok(0, "daemon with a configuration file starts");
		return;
	}
	t_ok(!hlc_open(&c, d.sock), "config: trust_hybrid = yes lets a hybrid guest in");
	for (i = 1; i <= 3; i++)
		ok = ok && t_sleep_req(&c, i, 5000);
	ok = ok && t_call_is(&c, 4, HOSTLINK_TEST_PING, NULL, 0, EAGAIN, 0);
	t_ok(ok, "--max-requests 3 overrides max_requests = 2 from the file");
	hlc_close(&c);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/* --- handshake ---------------------------------------------------- */

static void t_handshake(const struct td *d)
{
	struct hlc c;
	int ret;

	ret = hlc_hello(&c, d->sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test");
	t_ok(!ret && c.status == 0 && c.welcome.version == 1 && c.welcome.min_version == 1 &&
	     c.welcome.max_version == 1 && c.welcome.max_frame == HOSTLINK_FRAME_DEFAULT &&
	     c.welcome.features == HOSTLINK_FEAT_ALL, "HELLO gets WELCOME 0, version 1, 1 MiB, all features");
	t_ok(t_call_is(&c, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0), "PING");
	t_ok(t_call_is(&c, 2, HOSTLINK_TEST_PING, "x", 1, EINVAL, 0), "PING with a payload: EINVAL");
	hlc_close(&c);

	ret = hlc_hello(&c, d->sock, 1, 7, HOSTLINK_FRAME_MIN,
			HOSTLINK_FEAT_EVENTS | (1ULL << 40), "test");
	t_ok(!ret && c.status == 0 && c.welcome.version == 1 &&
	     c.welcome.features == HOSTLINK_FEAT_EVENTS,
	     "WELCOME: the highest common version, the feature intersection");
	{
		static uint8_t big[HOSTLINK_FRAME_MIN];
		struct hlc_frame r;

		memset(big, 0x5a, sizeof(big));
		t_ok(!hlc_call(&c, 1, HOSTLINK_TEST_ECHO, big, sizeof(big) - HL_CRED_LEN, &r, 5000) &&
		     r.h.len == sizeof(big) - HL_CRED_LEN, "a frame of exactly the agreed max_frame");
		hlc_frame_free(&r);
		hlc_request(&c, 2, HOSTLINK_TEST_ECHO, 0, NULL, big, sizeof(big) - HL_CRED_LEN + 1);
		t_ok(!hlc_wait_eof(c.fd, 5000), "a frame above the guest's smaller max_frame: closed");
	}
	hlc_close(&c);

	ret = hlc_hello(&c, d->sock, 2, 3, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test");
	t_ok(!ret && c.status == EPROTONOSUPPORT && c.welcome.version == 0 &&
	     c.welcome.min_version == 1 && c.welcome.max_version == 1 &&
	     strstr(c.welcome.message, "guest 2-3") && strstr(c.welcome.message, "host 1-1"),
	     "guest newer than host: EPROTONOSUPPORT naming both ranges ('%s')",
	     c.welcome.message);
	t_ok(!hlc_wait_eof(c.fd, 5000), "... and the connection is closed");
	hlc_close(&c);

	ret = hlc_hello(&c, d->sock, 3, 2, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test");
	t_ok(!ret && c.status == EPROTONOSUPPORT, "an empty version range: EPROTONOSUPPORT");
	hlc_close(&c);

	ret = hlc_hello(&c, d->sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "nosuch");
	t_ok(!ret && c.status == ENOENT && strstr(c.welcome.message, "nosuch"),
	     "unknown service: ENOENT ('%s')", c.welcome.message);
	t_ok(!hlc_wait_eof(c.fd, 5000), "... and the connection is closed");
	hlc_close(&c);
}

/* --- the test service ------------------------------------------- */

static void t_ops(const struct td *d)
{
	static uint8_t buf[HOSTLINK_FRAME_DEFAULT];
	struct hlc_frame r;
	struct hlc c;
	size_t i;
	bool ok;

	if (hlc_open(&c, d->sock)) {
		t_ok(0, "handshake for the operations");
		return;
	}
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 31 + (i >> 8);
	{
		static const uint32_t sizes[] = { 0, 1, 4096, 100000,
			HOSTLINK_FRAME_DEFAULT - HL_CRED_LEN };

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			ok = !hlc_call(&c, 10 + i, HOSTLINK_TEST_ECHO, buf, sizes[i], &r, 10000) &&
			     r.h.status == 0 && r.h.len == sizes[i] &&
			     (!sizes[i] || !memcmp(r.payload, buf, sizes[i]));
			hlc_frame_free(&r);
			t_ok(ok, "ECHO of %u bytes", sizes[i]);
		}
	}
	t_ok(t_call_is(&c, 20, HOSTLINK_TEST_SINK, buf, 50000, 0, 0), "SINK of 50000 bytes");
	t_ok(t_call_is(&c, 21, 99, NULL, 0, EOPNOTSUPP, 0), "unknown op: EOPNOTSUPP");

	{
		long t0 = t_now_ms(), dt;

		ok = t_sleep_req(&c, 30, 200) && t_reply_is(&c, 30, 0, 5000);
		dt = t_now_ms() - t0;
		t_ok(ok && dt >= 190, "SLEEP 200 ms replies after %ld ms", dt);
	}
	t_put32(buf, 60001);
	t_ok(t_call_is(&c, 31, HOSTLINK_TEST_SLEEP, buf, 4, EINVAL, 0), "SLEEP above 60000 ms: EINVAL");
	t_ok(t_call_is(&c, 32, HOSTLINK_TEST_SLEEP, buf, 2, EINVAL, 0), "SLEEP with 2 bytes: EINVAL");

	ok = t_sleep_req(&c, 40, 300) && !hlc_cancel(&c, 40) &&
	     t_call_is(&c, 41, HOSTLINK_TEST_PING, NULL, 0, 0, 0);
	t_ok(ok && hlc_recv(&c, &r, 600) == -ETIMEDOUT, "SLEEP then CANCEL: no reply at all");
	t_ok(!hlc_cancel(&c, 12345) && t_call_is(&c, 42, HOSTLINK_TEST_PING, NULL, 0, 0, 0),
	     "CANCEL of an id not in flight is ignored");

	/* Out of order: 300, 100, 200 ms and a PING. */
	ok = t_sleep_req(&c, 51, 300) && t_sleep_req(&c, 52, 100) && t_sleep_req(&c, 53, 200) &&
	     !hlc_request(&c, 54, HOSTLINK_TEST_PING, 0, NULL, NULL, 0);
	ok = ok && t_reply_is(&c, 54, 0, 5000) && t_reply_is(&c, 52, 0, 5000) &&
	     t_reply_is(&c, 53, 0, 5000) && t_reply_is(&c, 51, 0, 5000);
	t_ok(ok, "four requests in flight answered in the order they finish");

	{
		unsigned int n = 0, bad = 0;

		t_put32(buf, 1000);
		ok = !hlc_request(&c, 60, HOSTLINK_TEST_EVENTS, 0, NULL, buf, 4);
		while (ok && !hlc_recv(&c, &r, 5000)) {
			if (r.h.type == HOSTLINK_REPLY) {
				ok = r.h.id == 60 && r.h.status == 0 && r.h.len == 0;
				hlc_frame_free(&r);
				break;
			}
			if (r.h.op != HOSTLINK_TEST_EV_TICK || r.h.len != 8 ||
			    t_le64(r.payload) != n)
				bad++;
			n++;
			hlc_frame_free(&r);
		}
		t_ok(ok && n == 1000 && !bad, "EVENTS 1000: ticks 0..999 in order, then the reply");
	}
	t_put32(buf, 65537);
	t_ok(t_call_is(&c, 61, HOSTLINK_TEST_EVENTS, buf, 4, EINVAL, 0), "EVENTS above 65536: EINVAL");
	t_put32(buf, 0);
	t_ok(t_call_is(&c, 62, HOSTLINK_TEST_EVENTS, buf, 4, 0, 0), "EVENTS 0: just the reply");

	{
		struct hl_cred cred = { .uid = 1000, .gid = 1001, .pid = 77, .tid = 78,
			.userns = 0xeffffffd, .pidns = 0xeffffffc, .netns = 0xf0000000,
			.utsns = 0xeffffffe, .ipcns = 0xeffffff9, .cgroupns = 0xeffffffb };
		struct hl_cred back;

		ok = !hlc_request(&c, 70, HOSTLINK_TEST_CRED, 0, &cred, NULL, 0) &&
		     !hlc_recv(&c, &r, 5000) && r.h.id == 70 && r.h.status == 0 &&
		     r.h.len == sizeof(struct hostlink_test_cred);
		if (ok) {
			hl_cred_decode(r.payload, &back);
			ok = !memcmp(&back, &cred, sizeof(cred)) && t_le32(r.payload + 64) == 0 &&
			     t_le32(r.payload + 68) == 1;
		}
		hlc_frame_free(&r);
		t_ok(ok, "CRED returns the credential block, flags 0, trusted 1");
		ok = !hlc_request(&c, 71, HOSTLINK_TEST_CRED, HOSTLINK_F_KERNEL, NULL, NULL, 0) &&
		     !hlc_recv(&c, &r, 5000) && r.h.status == 0 &&
		     t_le32(r.payload + 64) == HOSTLINK_F_KERNEL;
		hlc_frame_free(&r);
		t_ok(ok, "CRED of a KERNEL request returns flags KERNEL");
	}
	ok = t_sleep_req(&c, 80, 5000) && t_sleep_req(&c, 80, 5000);
	t_ok(ok && !hlc_wait_eof(c.fd, 5000), "a second request with an id in flight: closed");
	hlc_close(&c);

	/* Features not negotiated. */
	if (!hlc_hello(&c, d->sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_CANCEL, "test")) {
		t_put32(buf, 3);
		t_ok(t_call_is(&c, 1, HOSTLINK_TEST_EVENTS, buf, 4, EOPNOTSUPP, 0),
		     "EVENTS without FEAT_EVENTS: EOPNOTSUPP");
		t_ok(t_call_is(&c, 2, HOSTLINK_TEST_STREAM, NULL, 0, EOPNOTSUPP, 0),
		     "STREAM without FEAT_ATTACH: EOPNOTSUPP");
		hlc_close(&c);
	}
}

static bool t_stream_token(struct hlc *c, uint64_t id, uint8_t *token)
{
	struct hlc_frame r;
	bool ok;

	if (hlc_call(c, id, HOSTLINK_TEST_STREAM, NULL, 0, &r, 5000))
		return false;
	ok = r.h.status == 0 && r.h.len == HOSTLINK_TOKEN_LEN;
	if (ok)
		memcpy(token, r.payload, HOSTLINK_TOKEN_LEN);
	hlc_frame_free(&r);
	return ok;
}

static void t_stream(const struct td *d)
{
	static uint8_t out[300000], in[sizeof(out)];
	uint8_t token[HOSTLINK_TOKEN_LEN], token2[HOSTLINK_TOKEN_LEN];
	uint32_t status = 99;
	struct hlc c;
	size_t i;
	int fd = -1, fd2 = -1;
	bool ok;

	if (hlc_open(&c, d->sock) || !t_stream_token(&c, 1, token)) {
		t_ok(0, "STREAM gives a token");
		return;
	}
	t_ok(1, "STREAM gives a %u-byte token", HOSTLINK_TOKEN_LEN);
	ok = !hlc_attach(d->sock, token, "test", 1, &fd, &status) && status == 0;
	t_ok(ok, "ATTACH with it: ATTACHED 0");
	for (i = 0; i < sizeof(out); i++)
		out[i] = i ^ (i >> 9);
	/* Write and read at once: the echo must not deadlock on full buffers. */
	if (ok) {
		pid_t pid = fork();

		if (pid == 0) {
			hlc_write_full(fd, out, sizeof(out));
			shutdown(fd, SHUT_WR);
			_exit(0);
		}
		ok = !hlc_read_full(fd, in, sizeof(in), 10000) && !memcmp(in, out, sizeof(out)) &&
		     !hlc_wait_eof(fd, 5000);
		waitpid(pid, NULL, 0);
	}
	t_ok(ok, "the extra connection echoes %zu bytes, then closes after EOF", sizeof(out));
	if (fd >= 0)
		close(fd);

	ok = !hlc_attach(d->sock, token, "test", 1, &fd, &status) && status == EACCES &&
	     !hlc_wait_eof(fd, 5000);
	t_ok(ok, "the same token again: ATTACHED EACCES, closed");
	close(fd);

	memset(token2, 0xab, sizeof(token2));
	ok = !hlc_attach(d->sock, token2, "test", 1, &fd, &status) && status == EACCES &&
	     !hlc_wait_eof(fd, 5000);
	t_ok(ok, "a made-up token: ATTACHED EACCES, closed");
	close(fd);

	ok = t_stream_token(&c, 2, token) &&
	     !hlc_attach(d->sock, token, "other", 1, &fd, &status) && status == EACCES;
	t_ok(ok, "a token presented for another service: EACCES");
	close(fd);
	ok = !hlc_attach(d->sock, token, "test", 1, &fd2, &status) && status == 0;
	t_ok(ok, "... which did not burn it for its own service");
	close(fd2);

	/* A token goes with its control connection. */
	ok = t_stream_token(&c, 3, token);
	hlc_close(&c);
	t_sleep_ms(200);
	ok = ok && !hlc_attach(d->sock, token, "test", 1, &fd, &status) && status == EACCES;
	t_ok(ok, "a token of a closed control connection: EACCES");
	close(fd);
}

/* --- malformed frames ------------------------------------------- */

enum t_bad {
	T_BAD_MAGIC, T_BAD_TYPE, T_BAD_WELCOME, T_BAD_REQ_FIRST, T_BAD_HELLO2,
	T_BAD_VERSION, T_BAD_FLAGS, T_BAD_KCANCEL, T_BAD_BIGLEN, T_BAD_SHORT,
	T_BAD_ID0, T_BAD_STATUS, T_BAD_RESERVED, T_BAD_OP_CANCEL, T_BAD_KCRED,
	T_BAD_NAME, T_BAD_MAXFRAME, T_BAD_HELLO_RSV, T_BAD_HELLO_LEN, T_BAD_GARBAGE,
	T_BAD_TRUNCATED, T_BAD_CANCEL_NOFEAT, T_BAD_OFFER, T_BAD_COUNT,
};

static const char *const t_bad_names[] = {
	"bad magic", "unknown type 10", "WELCOME from the guest", "REQUEST before HELLO",
	"a second HELLO", "REQUEST of version 2", "unknown flag", "KERNEL flag on CANCEL",
	"len 0xffffffff", "REQUEST shorter than the credentials", "REQUEST id 0",
	"status on a REQUEST", "header __reserved set", "op on CANCEL",
	"KERNEL request with credentials", "HELLO service 'te st'", "HELLO max_frame 100",
	"HELLO __reserved set", "HELLO of 40 bytes", "64 bytes of garbage",
	"half a frame, then EOF", "CANCEL without FEAT_CANCEL", "OFFER from the guest",
};

static void t_hello_bytes(uint8_t *frame, const char *service, uint32_t max_frame)
{
	struct hl_hello hello = { .min_version = 1, .max_version = 1, .max_frame = max_frame,
				  .features = HOSTLINK_FEAT_ALL };
	struct hl_hdr h;

	strncpy(hello.service, service, HOSTLINK_NAME_LEN);
	hl_hdr_init(&h, HOSTLINK_HELLO, 1);
	h.len = HL_HELLO_LEN;
	hl_hdr_encode(frame, &h);
	hl_hello_encode(frame + HL_HDR_LEN, &hello);
}

static bool t_one_bad(const struct td *d, enum t_bad k)
{
	uint8_t frame[HL_HDR_LEN + 128] = { 0 };
	size_t len = HL_HDR_LEN;
	bool before_hello = k == T_BAD_REQ_FIRST || k == T_BAD_NAME || k == T_BAD_MAXFRAME ||
			    k == T_BAD_HELLO_RSV || k == T_BAD_HELLO_LEN || k == T_BAD_GARBAGE ||
			    k == T_BAD_MAGIC || k == T_BAD_WELCOME;
	uint64_t features = k == T_BAD_CANCEL_NOFEAT ? HOSTLINK_FEAT_EVENTS : HOSTLINK_FEAT_ALL;
	struct hlc c = { .fd = -1 };
	struct hl_hdr h;
	bool ok;

	if (before_hello) {
		if (hlc_connect(d->sock, &c.fd))
			return false;
	} else if (hlc_hello(&c, d->sock, 1, 1, HOSTLINK_FRAME_DEFAULT, features, "test") ||
		   c.status) {
		return false;
	}
	hl_hdr_init(&h, HOSTLINK_REQUEST, 1);
	h.id = 1;
	h.op = HOSTLINK_TEST_PING;
	h.len = HL_CRED_LEN;
	switch (k) {
	case T_BAD_MAGIC:
		h.magic = 0x12345678;
		break;
	case T_BAD_TYPE:
		h.type = 10;
		break;
	case T_BAD_OFFER:
		h.type = HOSTLINK_OFFER;
		h.id = 0;
		h.op = 0;
		h.len = HL_OFFER_LEN;
		break;
	case T_BAD_WELCOME:
		h.type = HOSTLINK_WELCOME;
		h.id = 0;
		h.op = 0;
		h.len = sizeof(struct hostlink_welcome);
		break;
	case T_BAD_REQ_FIRST:
		break;
	case T_BAD_HELLO2:
		t_hello_bytes(frame, "test", HOSTLINK_FRAME_DEFAULT);
		len = HL_HDR_LEN + HL_HELLO_LEN;
		goto send;
	case T_BAD_VERSION:
		h.version = 2;
		break;
	case T_BAD_FLAGS:
		h.flags = 0x10;
		break;
	case T_BAD_KCANCEL:
	case T_BAD_OP_CANCEL:
	case T_BAD_CANCEL_NOFEAT:
		h.type = HOSTLINK_CANCEL;
		h.len = 0;
		h.op = k == T_BAD_OP_CANCEL ? 1 : 0;
		h.flags = k == T_BAD_KCANCEL ? HOSTLINK_F_KERNEL : 0;
		break;
	case T_BAD_BIGLEN:
		h.len = UINT32_MAX;
		break;
	case T_BAD_SHORT:
		h.len = HL_CRED_LEN - 1;
		break;
	case T_BAD_ID0:
		h.id = 0;
		break;
	case T_BAD_STATUS:
		h.status = 5;
		break;
	case T_BAD_RESERVED:
		h.reserved = 1;
		break;
	case T_BAD_KCRED:
		h.flags = HOSTLINK_F_KERNEL;
		frame[HL_HDR_LEN] = 1;	/* uid 1 */
		break;
	case T_BAD_NAME:
	case T_BAD_MAXFRAME:
	case T_BAD_HELLO_RSV:
	case T_BAD_HELLO_LEN:
		t_hello_bytes(frame, k == T_BAD_NAME ? "te st" : "test",
			      k == T_BAD_MAXFRAME ? 100 : HOSTLINK_FRAME_DEFAULT);
		len = HL_HDR_LEN + HL_HELLO_LEN;
		if (k == T_BAD_HELLO_RSV)
			frame[HL_HDR_LEN + 9] = 1;
		if (k == T_BAD_HELLO_LEN) {
			frame[8] = 40;
			len = HL_HDR_LEN + 40;
		}
		goto send;
	case T_BAD_GARBAGE:
		for (len = 0; len < 64; len++)
			frame[len] = len * 37 + 11;
		goto send;
	case T_BAD_TRUNCATED:
		h.len = HL_CRED_LEN + 10;
		break;
	case T_BAD_COUNT:
		break;
	}
	hl_hdr_encode(frame, &h);
	if (h.len <= sizeof(frame) - HL_HDR_LEN)
		len = HL_HDR_LEN + h.len;
send:
	ok = !hlc_write_full(c.fd, frame, len);
	if (k == T_BAD_TRUNCATED)
		ok = ok && !shutdown(c.fd, SHUT_WR);
	ok = ok && !hlc_wait_eof(c.fd, 5000);
	hlc_close(&c);
	return ok;
}

static void t_malformed(const struct td *d)
{
	struct hlc other;
	unsigned int k;

	if (hlc_open(&other, d->sock)) {
		t_ok(0, "a bystander connection");
		return;
	}
	for (k = 0; k < T_BAD_COUNT; k++) {
		bool ok = t_one_bad(d, k);

		ok = ok && t_call_is(&other, k + 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0);
		t_ok(ok, "malformed: %s: that connection is closed, others go on", t_bad_names[k]);
	}
	hlc_close(&other);
	t_ok(td_log_has(d, "level=warn msg=\"protocol error (magic): bad magic 0x12345678\""
			" cid=hybrid lport=19455"),
	     "protocol errors are logged in logfmt with the peer");
}

/* --- trust, versions, limits ------------------------------------ */

static void t_untrusted(void)
{
	uint8_t token[HOSTLINK_TOKEN_LEN] = { 1 };
	uint32_t status = 0;
	struct td d;
	struct hlc c;
	int fd;

	if (td_start(&d, "untrusted", NULL)) {
		t_ok(0, "daemon without --trust-hybrid starts");
		return;
	}
	t_ok(!hlc_hello(&c, d.sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test") &&
	     c.status == EPERM && strstr(c.welcome.message, "trust_hybrid") &&
	     !hlc_wait_eof(c.fd, 5000),
	     "hybrid control without --trust-hybrid: EPERM ('%s'), closed", c.welcome.message);
	hlc_close(&c);
	t_ok(!hlc_attach(d.sock, token, "test", 1, &fd, &status) && status == EACCES,
	     "ATTACH there with a made-up token: EACCES");
	close(fd);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

static void t_versions(void)
{
	const char *args[] = { "--trust-hybrid", "--proto-min", "2", "--proto-max", "3", NULL };
	struct td d;
	struct hlc c;

	if (td_start(&d, "v23", args)) {
		t_ok(0, "daemon with --proto-min 2 --proto-max 3 starts");
		return;
	}
	t_ok(!hlc_hello(&c, d.sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test") &&
	     c.status == EPROTONOSUPPORT && strstr(c.welcome.message, "guest 1-1") &&
	     strstr(c.welcome.message, "host 2-3") && c.welcome.min_version == 2 &&
	     c.welcome.max_version == 3,
	     "host newer than guest: EPROTONOSUPPORT naming both ranges ('%s')",
	     c.welcome.message);
	hlc_close(&c);
	t_ok(!hlc_hello(&c, d.sock, 1, 2, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test") &&
	     c.status == 0 && c.welcome.version == 2 &&
	     t_call_is(&c, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0),
	     "overlapping ranges agree on 2, and frames carry it");
	hlc_close(&c);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

static void t_limits(void)
{
	const char *args[] = { "--trust-hybrid", "--max-requests", "4",
			       "--max-connections", "2", NULL };
	struct hlc a, b, c;
	struct td d;
	bool ok = true;
	int i;

	if (td_start(&d, "limits", args)) {
		t_ok(0, "daemon with small limits starts");
		return;
	}
	ok = !hlc_open(&a, d.sock) && !hlc_open(&b, d.sock);
	for (i = 1; ok && i <= 4; i++)
		ok = t_sleep_req(&a, i, 3000);
	t_ok(ok && t_call_is(&a, 5, HOSTLINK_TEST_PING, NULL, 0, EAGAIN, 0),
	     "requests in flight at the guest's limit: EAGAIN");
	t_ok(t_call_is(&b, 9, HOSTLINK_TEST_PING, NULL, 0, EAGAIN, 0),
	     "... also on the guest's other connection");
	ok = !hlc_cancel(&a, 1) && t_call_is(&a, 10, HOSTLINK_TEST_PING, NULL, 0, 0, 0);
	t_ok(ok, "a CANCEL makes room again");
	t_ok(!hlc_hello(&c, d.sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test") &&
	     c.status == EUSERS && !hlc_wait_eof(c.fd, 5000),
	     "a third connection with max_connections 2: EUSERS, closed");
	hlc_close(&c);
	hlc_close(&a);
	t_sleep_ms(200);
	t_ok(!hlc_open(&c, d.sock) && t_call_is(&c, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0),
	     "after one closes, a new connection is let in");
	hlc_close(&b);
	hlc_close(&c);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/*
 * A guest that asks for many EVENTS and does not read: the daemon's
 * memory stays within the queue limit, its other connections are
 * served, and once it reads, every event arrives.
 */
static void t_stalled_reader(void)
{
	const char *args[] = { "--trust-hybrid", "--log-level", "info", NULL };
	const unsigned int nreq = 60, nev = 65536;
	static uint8_t echo[100000];
	long base, peak = 0, rss;
	unsigned int i, replies = 0, bad = 0;
	unsigned long events = 0;
	bool seen[61] = { false };
	struct hlc a, b;
	struct hlc_frame r;
	struct td d;
	uint8_t n4[4];
	bool ok;

	if (td_start(&d, "stall", args)) {
		t_ok(0, "daemon for the stalled reader starts");
		return;
	}
	ok = !hlc_open(&a, d.sock) && !hlc_open(&b, d.sock);
	t_sleep_ms(100);
	base = td_vm_kib(&d, "VmRSS");
	t_put32(n4, nev);
	for (i = 1; ok && i <= nreq; i++)
		ok = !hlc_request(&a, i, HOSTLINK_TEST_EVENTS, 0, NULL, n4, 4);
	for (i = 0; i < 20; i++) {
		t_sleep_ms(100);
		rss = td_vm_kib(&d, "VmRSS");
		if (rss > peak)
			peak = rss;
	}
	t_ok(ok && base > 0 && peak - base < 32 * 1024,
	     "%u x EVENTS %u unread (%lu MiB): RSS grew %ld KiB, under 16 MiB queue + 16 MiB",
	     nreq, nev, (unsigned long)nreq * nev * 40 / T_MB, peak - base);
	ok = t_call_is(&b, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0) &&
	     t_call_is(&b, 2, HOSTLINK_TEST_ECHO, echo, sizeof(echo), 0, sizeof(echo));
	t_ok(ok, "meanwhile another connection of that guest is served");

	/*
	 * Events carry no request id; the k-th reply must come after at
	 * least k * nev events, each request's events before its reply.
	 */
	while (replies < nreq && !hlc_recv(&a, &r, 20000)) {
		if (r.h.type == HOSTLINK_REPLY) {
			if (r.h.status || r.h.id < 1 || r.h.id > nreq || seen[r.h.id])
				bad++;
			else
				seen[r.h.id] = true;
			replies++;
			if (events < (unsigned long)replies * nev)
				bad++;
		} else {
			events++;
		}
		hlc_frame_free(&r);
	}
	t_ok(replies == nreq && events == (unsigned long)nreq * nev && !bad,
	     "once read: %lu events and %u replies, each reply after its events",
	     events, replies);
	hlc_close(&a);
	hlc_close(&b);
	t_ok(td_alive(&d) && td_stop(&d) == 0, "SIGTERM: exit 0");
}

/*
 * AF_VSOCK where the machine has it: the listener comes up, and a port
 * already taken is an exit 1.
 */
static void t_vsock(void)
{
	char port[32], out[4096];
	const char *args[] = { "--vsock", "--listen", port, "--trust-hybrid", NULL };
	const char *again[] = { td_bin, "--config", "/dev/null", "--listen", port, NULL };
	struct td d;
	int fd, rc;

	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0) {
		t_ok(1, "# SKIP AF_VSOCK not available here: %s", strerror(errno));
		return;
	}
	close(fd);
	snprintf(port, sizeof(port), "test:%d", 40000 + getpid() % 20000);
	if (td_start(&d, "vs", args)) {
		t_ok(0, "hostlinkd --vsock --listen %s is ready", port);
		return;
	}
	t_ok(td_log_has(&d, "listening on vsock port"), "hostlinkd --vsock --listen %s is ready",
	     port);
	rc = td_run(again, out, sizeof(out));
	t_ok(rc == 1 && strstr(out, "cannot listen on vsock port"),
	     "a second daemon on the same vsock port exits 1");
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/* --- host-initiated control connections (hybrid_connect) -------- */

/* The VMM's socket: a unix listener at @path.  The fd or -errno. */
static int t_vmm_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (strlen(path) >= sizeof(a.sun_path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * As the VMM: takes the daemon's next connection within @ms and reads
 * its command line into @line.  The connection, or -1.
 */
static int t_vmm_take(int lfd, char *line, size_t len, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	size_t got = 0;
	int fd;

	if (poll(&p, 1, ms) != 1)
		return -1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < len - 1 && !hlc_read_full(fd, line + got, 1, 5000)) {
		if (line[got++] == '\n')
			break;
	}
	line[got] = '\0';
	return fd;
}

/* The daemon's OFFER on @fd names @service, as the guest kernel checks it. */
static bool t_offer_is(int fd, const char *service)
{
	uint8_t buf[HL_HDR_LEN + HL_OFFER_LEN];
	char name[HOSTLINK_NAME_LEN] = "";
	struct hl_hdr h;

	if (hlc_read_full(fd, buf, sizeof(buf), 5000))
		return false;
	hl_hdr_decode(buf, &h);
	strncpy(name, service, sizeof(name) - 1);
	return h.magic == HOSTLINK_MAGIC && h.type == HOSTLINK_OFFER &&
	       h.len == HL_OFFER_LEN && !h.flags && !h.op && !h.id && !h.status &&
	       !memcmp(buf + HL_HDR_LEN, name, sizeof(name));
}

/*
 * A fake VMM's socket at DIR/@name (its path into @path) and a daemon
 * dialling through it (@args).  The listener, or -1 with a failed case.
 */
static int t_vmm_daemon(struct td *d, const char *name, const char *const *args,
			char *path, size_t len)
{
	int lfd;

	snprintf(path, len, "%s/%s", td_dir, name);
	lfd = t_vmm_listen(path);
	if (lfd >= 0 && td_start(d, name, args)) {
		close(lfd);
		unlink(path);
		lfd = -1;
	}
	if (lfd < 0)
		t_ok(0, "hostlinkd with a fake VMM at DIR/%s is ready", name);
	return lfd;
}

static void t_dialled(void)
{
	const char *args[] = { "--hybrid-connect", "511", NULL };
	char path[300], line[64];
	struct hlc c;
	struct td d;
	int lfd, fd;
	bool ok;

	lfd = t_vmm_daemon(&d, "dial", args, path, sizeof(path));
	if (lfd < 0)
		return;
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	t_ok(fd >= 0 && !strcmp(line, "CONNECT 511\n"),
	     "the daemon dials the VMM's socket: 'CONNECT 511'");
	ok = fd >= 0 && !hlc_write_full(fd, "OK 1073741824\n", 14) && t_offer_is(fd, "test");
	t_ok(ok, "after OK it sends OFFER for its service, nothing else");
	ok = ok && !hlc_hello_fd(&c, fd, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL,
				"test") && c.status == 0;
	t_ok(ok, "the guest's HELLO there gets WELCOME 0 without --trust-hybrid");
	if (ok) {
		struct hl_cred cred = { .uid = 1000 };
		struct hlc_frame r;

		ok = !hlc_request(&c, 1, HOSTLINK_TEST_CRED, 0, &cred, NULL, 0) &&
		     !hlc_recv(&c, &r, 5000) && r.h.status == 0 &&
		     r.h.len == sizeof(struct hostlink_test_cred) &&
		     t_le32(r.payload + 68) == 1;
		hlc_frame_free(&r);
		t_ok(ok, "its credentials are trusted (CRED: trusted 1)");
		t_ok(t_call_is(&c, 2, HOSTLINK_TEST_PING, NULL, 0, 0, 0), "PING on it");
	}
	{
		struct hlc g;

		t_ok(!hlc_hello(&g, d.sock, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL,
				"test") && g.status == EPERM,
		     "a guest-initiated hybrid HELLO to the same daemon: still EPERM");
		hlc_close(&g);
	}
	if (ok)
		hlc_close(&c);
	else if (fd >= 0)
		close(fd);

	/* Lost: it dials again, and every bad answer is one failed try. */
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	t_ok(fd >= 0 && !strcmp(line, "CONNECT 511\n"),
	     "the guest closed: the daemon dials again");
	if (fd >= 0) {
		hlc_write_full(fd, "NOPE \x01\n", 7);
		t_ok(!hlc_wait_eof(fd, 5000) && td_log_has(&d, "answered 'NOPE ?' to CONNECT 511"),
		     "an answer other than OK: closed, quoted printable in the log");
		close(fd);
	}
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	if (fd >= 0)
		hlc_write_full(fd, "OK 12x\n", 7);
	t_ok(fd >= 0 && !hlc_wait_eof(fd, 5000) && td_log_has(&d, "answered 'OK 12x'"),
	     "'OK' with a bad port: closed");
	if (fd >= 0)
		close(fd);
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	if (fd >= 0)
		close(fd);
	t_ok(fd >= 0, "... dialled again");
	fd = t_vmm_take(lfd, line, sizeof(line), 8000);
	if (fd >= 0)
		hlc_write_full(fd, "OK 000000000000000000000000000000000000000\n", 43);
	t_ok(fd >= 0 && !hlc_wait_eof(fd, 5000) &&
	     td_log_has(&d, "closed after CONNECT 511") &&
	     td_log_has(&d, "answer to CONNECT longer than"),
	     "the VMM closing without an answer, and an answer too long: each a failed try");
	if (fd >= 0)
		close(fd);
	t_ok(td_alive(&d), "the daemon is still running");
	close(lfd);
	unlink(path);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
	t_ok(td_log_count(&d, "retrying with backoff") >= 4,
	     "each failure logged once with its reason");
}

/* A VMM that takes the connection and never answers: given up after 5 s. */
static void t_dial_silent(void)
{
	const char *args[] = { "--hybrid-connect", "600", NULL };
	char path[300], line[64];
	struct td d;
	int lfd, fd;
	long t0;

	lfd = t_vmm_daemon(&d, "dial2", args, path, sizeof(path));
	if (lfd < 0)
		return;
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	t0 = t_now_ms();
	t_ok(fd >= 0 && !strcmp(line, "CONNECT 600\n") && !hlc_wait_eof(fd, 8000) &&
	     t_now_ms() - t0 >= 4500 &&
	     td_log_has(&d, "did not answer CONNECT 600 within 5000 ms"),
	     "a VMM that never answers: closed after 5 s, logged");
	if (fd >= 0)
		close(fd);
	close(lfd);
	unlink(path);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/*
 * Guest processes hold every ordinary connection the limit allows and
 * every refusal slot: the connection the daemon dials to the guest
 * kernel still gets in, since the two are counted apart.
 */
static void t_kernel_slot(void)
{
	const char *args[] = { "--hybrid-connect", "511", "--max-connections", "2",
			       NULL };
	char path[300], line[64];
	int crowd[8], lfd, fd, i;
	struct hlc c;
	struct td d;
	bool ok;

	lfd = t_vmm_daemon(&d, "slot", args, path, sizeof(path));
	if (lfd < 0)
		return;
	/* 2 let in, 4 to be told EUSERS, 2 dropped at once. */
	for (i = 0; i < 8; i++)
		if (hlc_connect(d.sock, &crowd[i]))
			crowd[i] = -1;
	t_sleep_ms(200);
	fd = t_vmm_take(lfd, line, sizeof(line), 5000);
	ok = fd >= 0 && !hlc_write_full(fd, "OK 1073741825\n", 14) && t_offer_is(fd, "test") &&
	     !hlc_hello_fd(&c, fd, 1, 1, HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test") &&
	     c.status == 0;
	t_ok(ok && t_call_is(&c, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0),
	     "8 silent guest connections at max_connections 2: the dialled control connection still gets WELCOME 0");
	if (ok)
		hlc_close(&c);
	else if (fd >= 0)
		close(fd);
	for (i = 0; i < 8; i++)
		if (crowd[i] >= 0)
			close(crowd[i]);
	close(lfd);
	unlink(path);
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/*
 * A guest makes the daemon say something with each connection: at most
 * HL_LOG_BURST (200) such lines per 5 s, then one line with the count.
 */
static void t_log_flood(void)
{
	const char *args[] = { "--max-connections", "1000", "--log-level", "warn", NULL };
	static const uint8_t junk[sizeof(struct hostlink_hdr)] = "not a hostlink frame at all....";
	unsigned int n, said, most;
	long t0 = t_now_ms();
	int fd, i;
	struct td d;
	bool ok = true;

	if (td_start(&d, "flood", args)) {
		t_ok(0, "daemon for the log flood starts");
		return;
	}
	for (i = 0; ok && i < 400; i++) {
		ok = !hlc_connect(d.sock, &fd);
		if (!ok)
			break;
		ok = !hlc_write_full(fd, junk, sizeof(junk)) && !hlc_wait_eof(fd, 5000);
		close(fd);
	}
	/* 200 a 5 s interval, and a slow machine may have begun another. */
	most = 200 * (1 + (t_now_ms() - t0) / 5000);
	said = td_log_count(&d, "bad magic");
	t_ok(ok && said >= 200 && said <= most,
	     "400 connections with a bad frame: each closed, %u logged (200 per 5 s)", said);
	t_sleep_ms(5100);
	ok = !hlc_connect(d.sock, &fd) && !hlc_write_full(fd, junk, sizeof(junk)) &&
	     !hlc_wait_eof(fd, 5000);
	if (fd >= 0)
		close(fd);
	n = td_log_count(&d, "lines about guest connections dropped");
	t_ok(ok && n >= 1 && td_log_count(&d, "bad magic") == said + 1,
	     "5 s later: one line says how many were dropped, and the next is logged");
	t_ok(td_stop(&d) == 0, "SIGTERM: exit 0");
}

/*
 * SIGTERM while control connections wait in their readers and requests
 * sleep: the daemon still exits 0 at once, and each guest sees the end.
 */
static void t_stop_busy(struct td *d)
{
	struct hlc c[3];
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (hlc_open(&c[i], d->sock)) {
			t_ok(0, "control connection %u for the stop", i);
			while (i--)
				hlc_close(&c[i]);
			return;
		}
		ok &= t_call_is(&c[i], 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0) &&
		      t_sleep_req(&c[i], 2, 30000);
	}
	t_ok(ok, "3 control connections, each with a SLEEP of 30 s in flight");
	t_ok(td_stop(d) == 0 && access(d->sock, F_OK) && access(d->ready, F_OK),
	     "SIGTERM: exit 0, its sockets and ready file removed");
	for (i = 0; i < 3; i++) {
		ok &= !hlc_wait_eof(c[i].fd, 5000);
		hlc_close(&c[i]);
	}
	t_ok(ok, "... and every connection closed");
}

/* The same service from the event loop alone (control_threads = no). */
static void t_no_threads(void)
{
	const char *args[] = { "--trust-hybrid", "--no-control-threads", NULL };
	struct td d;

	if (td_start(&d, "e", args)) {
		t_ok(0, "daemon with --no-control-threads starts");
		return;
	}
	t_handshake(&d);
	t_ops(&d);
	t_malformed(&d);
	t_ok(!td_log_has(&d, "reader thread"), "--no-control-threads: no reader thread");
	t_stop_busy(&d);
}

/*
 * A daemon that cannot start a thread (here: its address space limited
 * to what it has, for a thread stack never fits): the control connection
 * stays with the event loop and works, and the daemon says so once.
 */
static void t_no_thread_left(void)
{
#ifndef __SANITIZE_ADDRESS__	/* ASan maps memory of its own as it goes */
	const char *args[] = { "--trust-hybrid", NULL };
	struct td d_nt;
	struct rlimit rl;
	struct hlc c;
	long vm;
	bool ok;

	if (td_start(&d_nt, "nt", args)) {
		t_ok(0, "daemon for the thread limit starts");
		return;
	}
	vm = td_vm_kib(&d_nt, "VmSize");
	rl.rlim_cur = rl.rlim_max = (vm + 200) * 1024;
	if (vm < 0 || prlimit(d_nt.pid, RLIMIT_AS, &rl, NULL)) {
		t_ok(0, "address space of the daemon limited to %ld KiB + 200 KiB", vm);
		td_stop(&d_nt);
		return;
	}
	ok = !hlc_open(&c, d_nt.sock);
	ok = ok && t_call_is(&c, 1, HOSTLINK_TEST_PING, NULL, 0, 0, 0) &&
	     t_call_is(&c, 2, HOSTLINK_TEST_ECHO, "abc", 3, 0, 3) &&
	     t_call_is(&c, 3, HOSTLINK_TEST_PING, NULL, 0, 0, 0);
	t_ok(ok, "no room for a reader thread: PING, ECHO, PING still answered");
	hlc_close(&c);
	t_ok(td_log_count(&d_nt, "no reader thread") == 1 &&
	     !td_log_has(&d_nt, "served by a reader thread"),
	     "... by the event loop, and the log says why, once");
	t_ok(td_stop(&d_nt) == 0, "... and SIGTERM still exits 0");
#endif
}

int main(void)
{
	const char *args[] = { "--trust-hybrid", NULL };
	struct td d;
	int ret;

	printf("TAP version 13\n");
	signal(SIGPIPE, SIG_IGN);
	ret = td_setup();
	if (ret) {
		printf("not ok 1 - set up: hostlinkd binary at %s: %s\n1..1\n", td_bin,
		       strerror(-ret));
		return 1;
	}
	t_cli();
	t_config_applies();
	ret = td_start(&d, "h", args);
	t_ok(!ret, "hostlinkd --no-vsock --hybrid DIR/h --trust-hybrid is ready");
	if (!ret) {
		t_handshake(&d);
		t_ok(td_log_has(&d, "control connection: served by a reader thread"),
		     "a control connection gets a reader thread (the default)");
		t_ops(&d);
		t_stream(&d);
		t_malformed(&d);
		t_ok(td_alive(&d), "the daemon is still running");
		t_stop_busy(&d);
	}
	t_no_threads();
	t_no_thread_left();
	t_untrusted();
	t_dialled();
	t_dial_silent();
	t_kernel_slot();
	t_log_flood();
	t_versions();
	t_limits();
	t_stalled_reader();
	t_vsock();
	td_cleanup();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
