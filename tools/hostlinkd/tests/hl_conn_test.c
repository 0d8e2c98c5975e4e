// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the daemon's connections without sockets: the trust
 * rules that need AF_VSOCK peers (CIDs, reserved source ports,
 * loopback), tokens across guests and time, the handshake and linger
 * deadlines, connection limits, frames cut into pieces, and the
 * back-pressure of a peer that does not read.  A fake I/O layer keeps
 * what the daemon sends; a fake clock moves on demand.  TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"

#include "tap.h"

/* A fake peer: what the daemon sent it, and whether it reads. */
struct tp {
	struct hl_conn *c;
	bool closed;
	bool stalled;
	size_t len, off;
	uint8_t *out;
	struct hl_rx_ctx rx;
};

#define TP_OUT (4U << 20)
#define TP_MAX 16

static struct tp t_peers[TP_MAX];
static uint64_t t_now;
static uint8_t t_token;
static struct hl_config t_cfg;
static struct hl_daemon t_d;

static uint64_t t_clock(void)
{
	return t_now;
}

static int t_random(void *buf, size_t len)
{
	memset(buf, ++t_token, len);
	return 0;
}

static struct tp *t_peer_of(const struct hl_conn *c)
{
	unsigned int i;

	for (i = 0; i < TP_MAX; i++)
		if (t_peers[i].c == c)
			return &t_peers[i];
	return NULL;
}

static void t_sync(struct hl_daemon *d, struct hl_conn *c)
{
	struct tp *p = t_peer_of(c);
	struct iovec iov[64];
	size_t n, i;

	(void)d;
	while (p && !p->stalled && c->state != HL_CONN_DEAD && c->txq.bytes) {
		size_t done = 0;

		n = hl_txq_iov(&c->txq, iov, 64);
		for (i = 0; i < n; i++) {
			size_t k = iov[i].iov_len;

			if (k > TP_OUT - p->len)
				k = TP_OUT - p->len;
			memcpy(p->out + p->len, iov[i].iov_base, k);
			p->len += k;
			done += k;
		}
		if (!done)
			break;
		hl_conn_tx_done(c, done);
	}
	if (c->state == HL_CONN_DEAD) {
		if (p) {
			p->closed = true;
			p->c = NULL;
		}
		hl_conn_destroy(c);
	}
}

static void t_setup(void)
{
	unsigned int i;

	hl_config_init(&t_cfg);
	hl_daemon_init(&t_d, &t_cfg);
	t_d.clock = t_clock;
	t_d.random = t_random;
	t_d.sync = t_sync;
	t_now = 1000000;
	for (i = 0; i < TP_MAX; i++) {
		free(t_peers[i].out);
		memset(&t_peers[i], 0, sizeof(t_peers[i]));
	}
}

/* Everything goes; nothing may be left over. */
static void t_teardown(const char *what)
{
	while (!hl_list_empty(&t_d.conns))
		hl_conn_destroy(hl_list_first(&t_d.conns, struct hl_conn, node));
	t_ok(hl_list_empty(&t_d.guests) && hl_list_empty(&t_d.tokens) &&
	     hl_timers_next(&t_d.timers) == HL_TIMER_NEVER,
	     "%s: no guest, token or timer left", what);
	hl_daemon_free(&t_d);
	hl_config_free(&t_cfg);
}

static struct tp *t_open(bool hybrid, uint32_t cid, uint32_t port)
{
	struct hl_peer peer = { .hybrid = hybrid, .cid = cid, .port = port,
				.lport = HOSTLINK_PORT_TEST };
	unsigned int i;

	for (i = 0; i < TP_MAX && (t_peers[i].c || t_peers[i].out); i++)
		;
	if (i == TP_MAX)
		abort();
	t_peers[i].out = malloc(TP_OUT);
	if (!t_peers[i].out)
		abort();
	if (hl_conn_new(&t_d, &peer, -1, &t_peers[i].c)) {
		t_peers[i].closed = true;
		return &t_peers[i];
	}
	t_peers[i].rx.state = HL_RX_GUEST_WELCOME;
	t_peers[i].rx.max_frame = HOSTLINK_FRAME_LIMIT;
	return &t_peers[i];
}

static void t_send(struct tp *p, const void *buf, size_t len, size_t piece)
{
	size_t off = 0;

	while (p->c && off < len) {
		size_t n = len - off < piece ? len - off : piece;

		if (hl_conn_feed(p->c, (const uint8_t *)buf + off, n) != n)
			break;
		off += n;
		hl_daemon_run_pending(&t_d);
	}
	hl_daemon_run_pending(&t_d);
}

static void t_frame_send(struct tp *p, const struct hl_hdr *h, const void *payload,
			 size_t piece)
{
	static uint8_t buf[HL_HDR_LEN + 300000];

	hl_hdr_encode(buf, h);
	if (h->len)
		memcpy(buf + HL_HDR_LEN, payload, h->len);
	t_send(p, buf, HL_HDR_LEN + h->len, piece);
}

static void t_hello_features(struct tp *p, uint64_t features)
{
	struct hl_hello hello = { .min_version = 1, .max_version = 1,
				  .max_frame = HOSTLINK_FRAME_DEFAULT,
				  .features = features, .service = "test" };
	uint8_t buf[HL_HELLO_LEN];
	struct hl_hdr h;

	hl_hello_encode(buf, &hello);
	hl_hdr_init(&h, HOSTLINK_HELLO, 1);
	h.len = sizeof(buf);
	t_frame_send(p, &h, buf, sizeof(buf));
}

static void t_hello(struct tp *p)
{
	t_hello_features(p, HOSTLINK_FEAT_ALL);
}

static void t_request(struct tp *p, uint64_t id, uint32_t op, const void *data,
		      uint32_t len, size_t piece)
{
	static uint8_t buf[HL_CRED_LEN + 300000];
	struct hl_hdr h;

	memset(buf, 0, HL_CRED_LEN);
	if (len)
		memcpy(buf + HL_CRED_LEN, data, len);
	hl_hdr_init(&h, HOSTLINK_REQUEST, 1);
	h.op = op;
	h.id = id;
	h.len = HL_CRED_LEN + len;
	t_frame_send(p, &h, buf, piece);
}

/* The next frame the daemon sent @p, checked as the guest would. */
static int t_next(struct tp *p, struct hl_frame *f)
{
	size_t used;
	int ret;

	ret = hl_frame_parse(p->out + p->off, p->len - p->off, &p->rx, f, &used, NULL);
	if (ret)
		return ret;
	p->off += used;
	if (f->hdr.type == HOSTLINK_WELCOME && !f->hdr.status) {
		p->rx.state = HL_RX_GUEST_CONTROL;
		p->rx.version = f->u.welcome.version;
		p->rx.features = f->u.welcome.features;
	}
	return 0;
}

/* HELLO; returns the WELCOME status, or -1 without one. */
static int t_welcome(struct tp *p, char *msg, size_t msglen)
{
	struct hl_frame f;

	t_hello(p);
	if (t_next(p, &f) || f.hdr.type != HOSTLINK_WELCOME)
		return -1;
	if (msg)
		snprintf(msg, msglen, "%s", f.u.welcome.message);
	return f.hdr.status;
}

static bool t_token_of(struct tp *p, uint64_t id, uint8_t *token)
{
	struct hl_frame f;

	t_request(p, id, HOSTLINK_TEST_STREAM, NULL, 0, 1 << 20);
	if (t_next(p, &f) || f.hdr.type != HOSTLINK_REPLY || f.hdr.status ||
	    f.hdr.len != HOSTLINK_TOKEN_LEN)
		return false;
	memcpy(token, f.payload, HOSTLINK_TOKEN_LEN);
	return true;
}

/* ATTACH; returns the ATTACHED status, or -1 without one. */
static int t_attach(struct tp *p, const uint8_t *token, uint8_t version)
{
	struct hl_attach a = { .service = "test" };
	uint8_t buf[HL_ATTACH_LEN];
	struct hl_frame f;
	struct hl_hdr h;

	memcpy(a.token, token, HOSTLINK_TOKEN_LEN);
	hl_attach_encode(buf, &a);
	hl_hdr_init(&h, HOSTLINK_ATTACH, version);
	h.len = sizeof(buf);
	t_frame_send(p, &h, buf, 7);
	p->rx.state = HL_RX_GUEST_ATTACHED;
	p->rx.version = version;
	if (t_next(p, &f) || f.hdr.type != HOSTLINK_ATTACHED)
		return -1;
	return f.hdr.status;
}

static void t_trust(void)
{
	static const struct {
		uint32_t cid, port;
		bool loopback;
		int status;
		const char *why, *what;
	} cases[] = {
		{ 3, 700, false, 0, NULL, "CID 3 from reserved port 700: welcome" },
		{ 1000, 1023, false, 0, NULL, "CID 1000 from port 1023: welcome" },
		{ 3, 1024, false, EPERM, "source port 1024 not reserved", "port 1024: EPERM" },
		{ 3, 50000, false, EPERM, "not reserved", "an ephemeral port: EPERM" },
		{ 2, 700, false, EPERM, "CID 2 is not a guest", "CID 2 (the host): EPERM" },
		{ 2, 700, true, EPERM, "CID 2 is not a guest", "CID 2 even with allow_loopback: EPERM" },
		{ 0, 700, false, EPERM, "CID 0 is not a guest", "CID 0: EPERM" },
		{ 1, 700, false, EPERM, "allow_loopback", "CID 1 without allow_loopback: EPERM" },
		{ 1, 700, true, 0, NULL, "CID 1 with allow_loopback: welcome" },
		{ 1, 2000, true, EPERM, "not reserved", "CID 1 from an ephemeral port: EPERM" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[HOSTLINK_MESSAGE_LEN] = "";
		struct tp *p;
		int status;

		t_setup();
		t_cfg.allow_loopback = cases[i].loopback;
		p = t_open(false, cases[i].cid, cases[i].port);
		status = t_welcome(p, msg, sizeof(msg));
		t_ok(status == cases[i].status && (!cases[i].why || strstr(msg, cases[i].why)) &&
		     p->closed == (status != 0), "%s%s%s%s", cases[i].what,
		     *msg ? " ('" : "", msg, *msg ? "')" : "");
		t_teardown(cases[i].what);
	}
}

static void t_cred_trusted(void)
{
	struct hl_frame f;
	struct tp *p;
	bool ok;

	t_setup();
	p = t_open(false, 3, 700);
	ok = t_welcome(p, NULL, 0) == 0;
	t_request(p, 1, HOSTLINK_TEST_CRED, NULL, 0, 1 << 20);
	ok = ok && !t_next(p, &f) && f.hdr.len == sizeof(struct hostlink_test_cred) &&
	     f.payload[68] == 1;
	t_ok(ok, "a vsock control connection from a reserved port is trusted (CRED)");
	t_teardown("cred");
}

static void t_tokens(void)
{
	uint8_t token[HOSTLINK_TOKEN_LEN], bad[HOSTLINK_TOKEN_LEN];
	struct tp *ctl, *x, *y, *ctl4;
	struct hl_frame f;

	t_setup();
	ctl = t_open(false, 3, 700);
	t_welcome(ctl, NULL, 0);
	t_ok(t_token_of(ctl, 1, token), "STREAM issues a token");
	x = t_open(false, 4, 50000);
	t_ok(t_attach(x, token, 1) == EACCES && x->closed,
	     "the token from another guest's ATTACH: EACCES, closed");
	x = t_open(false, 3, 50000);
	t_ok(t_attach(x, token, 2) == -1 && x->closed,
	     "ATTACH of a version the host does not speak: protocol error, closed");
	x = t_open(false, 3, 50000);
	t_ok(t_attach(x, token, 1) == 0 && !x->closed,
	     "the owner's ATTACH from an ephemeral port: ATTACHED 0");
	t_send(x, "ping", 4, 4);
	t_ok(x->len - x->off == 4 && !memcmp(x->out + x->off, "ping", 4),
	     "the attached connection echoes");
	hl_conn_rx_eof(x->c);
	hl_daemon_run_pending(&t_d);
	t_ok(x->closed, "... and closes after EOF");
	y = t_open(false, 3, 50001);
	t_ok(t_attach(y, token, 1) == EACCES, "the token a second time: EACCES");

	t_ok(t_token_of(ctl, 2, token), "a second token");
	t_now += HL_TOKEN_MS - 1;
	hl_timers_run(&t_d.timers, t_now);
	t_ok(t_token_of(ctl, 3, bad), "a third, 9.999 s later");
	t_now += 1;
	hl_timers_run(&t_d.timers, t_now);
	y = t_open(false, 3, 50002);
	t_ok(t_attach(y, token, 1) == EACCES, "a token after 10 s: EACCES");
	y = t_open(false, 3, 50003);
	t_ok(t_attach(y, bad, 1) == 0, "a younger token still works");

	y = t_open(false, 2, 50004);
	t_ok(t_attach(y, bad, 1) == EPERM, "ATTACH from CID 2: EPERM");

	/* The other guest's control connection: its token is not ours. */
	ctl4 = t_open(false, 4, 701);
	t_welcome(ctl4, NULL, 0);
	t_ok(t_token_of(ctl4, 1, token), "a token for guest 4");
	y = t_open(false, 3, 50005);
	t_ok(t_attach(y, token, 1) == EACCES, "... which guest 3 cannot use");
	hl_conn_close(ctl4->c, false, NULL);
	hl_daemon_run_pending(&t_d);
	y = t_open(false, 4, 50006);
	t_ok(t_attach(y, token, 1) == EACCES, "... nor guest 4 once its control connection closed");
	(void)f;
	t_teardown("tokens");
}

static void t_deadlines(void)
{
	struct tp *p, *q;

	t_setup();
	p = t_open(false, 3, 700);
	t_now += HL_HANDSHAKE_MS - 1;
	hl_timers_run(&t_d.timers, t_now);
	hl_daemon_run_pending(&t_d);
	q = t_open(false, 3, 701);
	t_ok(!p->closed, "silent for 9.999 s: still open");
	t_now += 1;
	hl_timers_run(&t_d.timers, t_now);
	hl_daemon_run_pending(&t_d);
	t_ok(p->closed && !p->len, "no HELLO within 10 s: closed without a word");

	q->stalled = true;
	t_welcome(q, NULL, 0);
	t_ok(!q->closed, "a welcomed connection is not timed out");
	hl_conn_close(q->c, false, NULL);
	hl_daemon_run_pending(&t_d);

	p = t_open(false, 2, 700);
	p->stalled = true;
	t_hello(p);
	t_now += HL_LINGER_MS;
	hl_timers_run(&t_d.timers, t_now);
	hl_daemon_run_pending(&t_d);
	t_ok(p->closed && !p->len, "a refusal its peer does not read: dropped after 5 s");
	t_teardown("deadlines");
}

static void t_conn_limit(void)
{
	struct tp *p[8];
	unsigned int i, welcomed = 0, users = 0, dropped = 0;

	t_setup();
	t_cfg.max_connections = 2;
	for (i = 0; i < 8; i++)
		p[i] = t_open(false, 5, 700 + i);
	for (i = 0; i < 8; i++) {
		if (p[i]->closed) {
			dropped++;
			continue;
		}
		switch (t_welcome(p[i], NULL, 0)) {
		case 0:
			welcomed++;
			break;
		case EUSERS:
			users++;
			break;
		}
	}
	t_ok(welcomed == 2 && users == 4 && dropped == 2,
	     "max_connections 2: 2 welcomed, %u told EUSERS, %u dropped at once",
	     users, dropped);
	t_teardown("connection limit");
}

static void t_pieces(void)
{
	static uint8_t data[200000];
	struct hl_frame f;
	struct tp *p;
	size_t i;
	bool ok;

	t_setup();
	p = t_open(true, 0, 0);
	t_cfg.trust_hybrid = true;
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 13;
	ok = t_welcome(p, NULL, 0) == 0;
	t_request(p, 1, HOSTLINK_TEST_PING, NULL, 0, 1);
	ok = ok && !t_next(p, &f) && f.hdr.id == 1;
	t_ok(ok, "a request fed one byte at a time");
	t_request(p, 2, HOSTLINK_TEST_ECHO, data, sizeof(data), 999);
	ok = !t_next(p, &f) && f.hdr.id == 2 && f.hdr.len == sizeof(data) &&
	     !memcmp(f.payload, data, sizeof(data));
	t_ok(ok, "a 200000-byte frame in 999-byte pieces (beyond the staging buffer)");
	t_request(p, 3, HOSTLINK_TEST_ECHO, data, sizeof(data), sizeof(data) + 100);
	ok = !t_next(p, &f) && f.hdr.id == 3 && f.hdr.len == sizeof(data);
	t_ok(ok, "... and in one piece");
	p = t_open(true, 0, 0);
	p->stalled = true;
	t_hello(p);
	t_request(p, 1, HOSTLINK_TEST_ECHO, "abc", 3, 1 << 20);
	hl_conn_rx_eof(p->c);
	hl_daemon_run_pending(&t_d);
	p->stalled = false;
	hl_conn_mark_dirty(p->c);
	hl_daemon_run_pending(&t_d);
	ok = !t_next(p, &f) && f.hdr.type == HOSTLINK_WELCOME && !t_next(p, &f) &&
	     f.hdr.id == 1 && f.hdr.len == 3 && p->closed;
	t_ok(ok, "HELLO, a request and EOF: the answers still go out, then it closes");
	t_teardown("pieces");
}

static void t_backpressure(void)
{
	uint8_t n4[4] = { 0x10, 0x27, 0, 0 };	/* 10000 */
	struct tp *a, *b;
	struct hl_frame f;
	unsigned int events = 0, replies = 0;
	uint64_t peak;

	t_setup();
	t_cfg.trust_hybrid = true;
	t_cfg.max_queue = 128 * 1024;
	a = t_open(true, 0, 0);
	b = t_open(true, 0, 0);
	t_welcome(a, NULL, 0);
	t_welcome(b, NULL, 0);
	a->stalled = true;
	/* Both at once: the second waits in the staging buffer. */
	{
		uint8_t two[2 * (HL_HDR_LEN + HL_CRED_LEN + 4)] = { 0 };
		struct hl_hdr h;
		unsigned int i;

		for (i = 0; i < 2; i++) {
			uint8_t *at = two + i * sizeof(two) / 2;

			hl_hdr_init(&h, HOSTLINK_REQUEST, 1);
			h.op = HOSTLINK_TEST_EVENTS;
			h.id = i + 1;
			h.len = HL_CRED_LEN + 4;
			hl_hdr_encode(at, &h);
			memcpy(at + HL_HDR_LEN + HL_CRED_LEN, n4, 4);
		}
		t_send(a, two, sizeof(two), sizeof(two));
	}
	peak = a->c->g->tx_bytes;
	t_ok(peak >= t_cfg.max_queue && peak <= t_cfg.max_queue + HL_TXQ_FAIR,
	     "a peer that does not read: %llu bytes queued for a 128 KiB limit",
	     (unsigned long long)peak);
	t_ok(a->c->blocked && !hl_conn_wants_read(a->c), "... its connection stops reading");
	t_request(b, 1, HOSTLINK_TEST_PING, NULL, 0, 1 << 20);
	t_ok(!t_next(b, &f) && f.hdr.id == 1 && !b->c->blocked,
	     "the guest's other connection is served");
	a->stalled = false;
	hl_conn_mark_dirty(a->c);
	hl_daemon_run_pending(&t_d);
	while (!t_next(a, &f)) {
		if (f.hdr.type == HOSTLINK_EVENT)
			events++;
		else
			replies++;
	}
	t_ok(events == 20000 && replies == 2 && !a->c->g->tx_bytes,
	     "once it reads, all %u events and %u replies come", events, replies);
	t_teardown("back-pressure");
}

/* An EVENT of hl_conn_event() whose payload starts with a 64-bit value. */
static int t_event(struct tp *p, uint32_t op, uint64_t key, uint64_t value,
		   uint32_t len)
{
	static uint8_t buf[4096];

	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf, &value, sizeof(value));
	return hl_conn_event(p->c, op, key, buf, len < 8 ? 8 : len);
}

/* The next frame is an EVENT of @op with @value; false if not. */
static bool t_next_event(struct tp *p, uint32_t op, uint64_t value)
{
	struct hl_frame f;
	uint64_t v;

	if (t_next(p, &f) || f.hdr.type != HOSTLINK_EVENT || f.hdr.op != op ||
	    f.hdr.id || f.hdr.len < sizeof(v))
		return false;
	memcpy(&v, f.payload, sizeof(v));
	return v == value;
}

static void t_conn_event_refused(void)
{
	static uint8_t big[HOSTLINK_FRAME_DEFAULT + 1];
	struct tp *p;
	int ret;

	t_setup();
	p = t_open(false, 3, 700);
	ret = t_event(p, 7, 0, 1, 8);
	t_ok(ret == -ENOTCONN && p->len == 0, "an event before HELLO: ENOTCONN, nothing sent");
	t_hello_features(p, HOSTLINK_FEAT_CANCEL | HOSTLINK_FEAT_ATTACH);
	ret = t_event(p, 7, 0, 1, 8);
	t_ok(ret == -EOPNOTSUPP && p->c->txq.bytes == 0 && p->len == HL_HDR_LEN + HL_WELCOME_LEN,
	     "a guest without HOSTLINK_FEAT_EVENTS: EOPNOTSUPP, nothing sent");

	p = t_open(false, 3, 701);
	t_hello(p);
	ret = hl_conn_event(p->c, 7, 0, big, sizeof(big));
	t_ok(ret == -EMSGSIZE, "an event over the agreed frame: EMSGSIZE");
	ret = hl_conn_event(p->c, 7, 0, big, sizeof(big) - 1);
	t_ok(ret == 0, "one of exactly the agreed frame: sent");
	hl_conn_close(p->c, false, NULL);
	ret = t_event(p, 7, 0, 1, 8);
	t_ok(ret == -ENOTCONN, "an event on a closed connection: ENOTCONN");
	hl_daemon_run_pending(&t_d);
	t_teardown("events refused");
}

static void t_conn_event_order(void)
{
	struct hl_frame f;
	struct tp *p;
	unsigned int i, sent = 0, got = 0;
	bool ok = true;

	t_setup();
	p = t_open(false, 3, 700);
	t_ok(t_welcome(p, NULL, 0) == 0, "events: welcomed with HOSTLINK_FEAT_EVENTS");
	for (i = 0; i < 100; i++) {
		sent += !t_event(p, 7 + i % 2, i % 3, i, 8 + i);
		if (i == 50)
			t_request(p, 1, HOSTLINK_TEST_PING, NULL, 0, 1 << 20);
	}
	hl_daemon_run_pending(&t_d);
	for (i = 0; i < 100 && ok; i++) {
		ok = t_next_event(p, 7 + i % 2, i);
		got += ok;
		if (ok && i == 50)
			ok = !t_next(p, &f) && f.hdr.type == HOSTLINK_REPLY && f.hdr.id == 1;
	}
	t_ok(sent == 100 && got == 100 && ok && p->off == p->len,
	     "100 events while the guest reads: all sent at once, in order, none coalesced");
	t_teardown("events in order");
}

static void t_conn_event_coalesce(void)
{
	struct tp *a;
	unsigned int i, r, direct = 0, unique = 0, ok_calls = 0;
	uint64_t queued, max_held = 0;
	int ret = 0;
	bool ok = true;

	t_setup();
	t_cfg.max_queue = 128 * 1024;
	a = t_open(false, 3, 700);
	t_welcome(a, NULL, 0);
	a->stalled = true;
	/* A guest that does not read: fill its queue. */
	while (hl_conn_can_queue(a->c) && direct < 1000) {
		if (t_event(a, 7, 1000 + direct, direct, 1000))
			ok = false;
		direct++;
	}
	queued = a->c->g->tx_bytes;
	t_ok(ok && !hl_conn_can_queue(a->c) && a->c->ev_nheld == 0 &&
	     queued <= t_cfg.max_queue + HL_TXQ_FAIR,
	     "%u events fill a stalled guest's queue (%llu bytes) and none is held",
	     direct, (unsigned long long)queued);

	/* 10 fences signalled 1000 times each: 10 events held. */
	for (r = 0; r < 1000; r++) {
		for (i = 0; i < 10; i++) {
			ret = t_event(a, 8, i, r * 10 + i, 8);
			ok_calls += !ret;
			if (a->c->ev_held_bytes > max_held)
				max_held = a->c->ev_held_bytes;
		}
	}
	/* The latest of fence 3 goes to the end of the line. */
	ok_calls += !t_event(a, 8, 3, 123456, 8);
	t_ok(ok_calls == 10001 && a->c->ev_nheld == 10 && a->c->g->tx_bytes == queued &&
	     max_held == 10 * (HL_HDR_LEN + 8) && a->c->blocked,
	     "under back-pressure 10001 events of 10 keys: 10 held (%zu bytes), "
	     "nothing more queued", a->c->ev_held_bytes);

	/* Distinct keys: held up to HL_EVENT_HOLD, then ENOBUFS. */
	for (ret = 0; !ret && unique < 1000; unique++)
		ret = t_event(a, 9, unique, unique, 1000);
	unique--;
	t_ok(ret == -ENOBUFS && a->c->ev_held_bytes <= HL_EVENT_HOLD &&
	     a->c->ev_held_bytes + HL_HDR_LEN + 1000 > HL_EVENT_HOLD &&
	     a->c->g->tx_bytes == queued,
	     "events of distinct keys: %u held (%zu bytes), then ENOBUFS", unique,
	     a->c->ev_held_bytes);
	ret = t_event(a, 8, 5, 555, 8);
	t_ok(ret == 0 && a->c->ev_nheld == 10 + unique,
	     "... a held key is still superseded at the limit");

	/* It reads again: everything in order, held ones last. */
	a->stalled = false;
	hl_conn_mark_dirty(a->c);
	hl_daemon_run_pending(&t_d);
	ok = a->c->ev_nheld == 0 && a->c->ev_held_bytes == 0 && !a->c->g->tx_bytes;
	for (i = 0; i < direct && ok; i++)
		ok = t_next_event(a, 7, i);
	t_ok(ok, "once it reads, the %u queued events come first, in order", direct);
	for (i = 0; i < 10 && ok; i++)
		if (i != 3 && i != 5)
			ok = t_next_event(a, 8, 9990 + i);
	ok = ok && t_next_event(a, 8, 123456);
	t_ok(ok, "... then each held fence once, at its latest value, in the order last sent");
	for (i = 0; i < unique && ok; i++)
		ok = t_next_event(a, 9, i);
	ok = ok && t_next_event(a, 8, 555) && a->off == a->len;
	t_ok(ok, "... then the distinct ones and the last fence, nothing else");
	ok = !t_event(a, 7, 0, 42, 8);
	hl_daemon_run_pending(&t_d);
	t_ok(ok && t_next_event(a, 7, 42) && a->c->ev_nheld == 0,
	     "drained: the next event goes straight out");

	/* Held events of a connection that goes are freed with it. */
	a->stalled = true;
	while (hl_conn_can_queue(a->c))
		t_event(a, 7, 0, 0, 1000);
	for (i = 0; i < 20; i++)
		t_event(a, 8, i, i, 100);
	t_ok(a->c->ev_nheld == 20, "20 events held when the connection closes");
	hl_conn_close(a->c, false, "test");
	hl_daemon_run_pending(&t_d);
	t_ok(a->closed, "... and it closed");
	t_teardown("events coalesced");
}

int main(void)
{
	printf("TAP version 13\n");
	hl_log_threshold = HL_LOG_NONE;
	t_trust();
	t_cred_trusted();
	t_tokens();
	t_deadlines();
	t_conn_limit();
	t_pieces();
	t_backpressure();
	t_conn_event_refused();
	t_conn_event_order();
	t_conn_event_coalesce();
	t_setup();
	hl_daemon_free(&t_d);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
