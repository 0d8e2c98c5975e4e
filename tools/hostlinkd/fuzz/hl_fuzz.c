// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for hostlinkd's peer input: the frame parser in every
 * receiver state, and whole connections of the daemon driven with bytes,
 * a clock and peers that read or do not (see hl_fuzz.h), without
 * sockets.  After each step the daemon's books must balance: bytes
 * queued, requests in flight, connections per guest; at the end every
 * guest, token and timer must be gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"
#include "hl_fuzz.h"

static uint64_t fz_now;
static uint8_t fz_token;

static uint64_t fz_clock(void)
{
	return fz_now;
}

static int fz_random(void *buf, size_t len)
{
	memset(buf, ++fz_token, len);
	return 0;
}

static bool fz_drain;

static void fz_sync(struct hl_daemon *d, struct hl_conn *c)
{
	(void)d;
	if (c->state != HL_CONN_DEAD && fz_drain && c->txq.bytes)
		hl_conn_tx_done(c, c->txq.bytes);
	if (c->state == HL_CONN_DEAD)
		hl_conn_destroy(c);
}

#define fz_assert(x) do { if (!(x)) { fprintf(stderr, "broken: %s\n", #x); abort(); } } while (0)

static void fz_check(struct hl_daemon *d)
{
	struct hl_list *gp, *gt, *cp, *ct, *rp, *rt;

	hl_list_for_each_safe(gp, gt, &d->guests) {
		struct hl_guest *g = hl_list_entry(gp, struct hl_guest, node);
		unsigned int nconns[HL_SLOTS] = { 0 }, nrefusing[HL_SLOTS] = { 0 }, nreqs = 0;
		uint64_t bytes = 0;

		hl_list_for_each_safe(cp, ct, &g->conns) {
			struct hl_conn *c = hl_list_entry(cp, struct hl_conn, gnode);

			fz_assert(c->g == g);
			bytes += c->txq.bytes;
			fz_assert(c->slot < HL_SLOTS);
			if (c->refuse_users)
				nrefusing[c->slot]++;
			else
				nconns[c->slot]++;
			hl_list_for_each_safe(rp, rt, &c->reqs)
				nreqs++;
			fz_assert(c->rx_start <= c->rx_end && c->rx_end <= HL_RXBUF_SIZE);
			fz_assert(!c->payload || c->payload_have <= c->hdr.len);
			fz_assert(c->rx.max_frame <= HOSTLINK_FRAME_LIMIT);
		}
		fz_assert(bytes == g->tx_bytes);
		fz_assert(!memcmp(nconns, g->nconns, sizeof(nconns)) &&
			  !memcmp(nrefusing, g->nrefusing, sizeof(nrefusing)));
		fz_assert(nreqs == g->nreqs);
		fz_assert(g->nconns[HL_SLOT_KERNEL] <= d->cfg->max_connections &&
			  g->nconns[HL_SLOT_ORDINARY] <= d->cfg->max_connections);
		fz_assert(g->nreqs <= d->cfg->max_requests);
		/* The back-pressure bound of hl_conn.c. */
		fz_assert(g->tx_bytes <= d->cfg->max_queue +
			  (uint64_t)(nconns[0] + nconns[1] + nrefusing[0] + nrefusing[1]) *
			  (HL_TXQ_FAIR + 2 * HL_RXBUF_SIZE +
							    HOSTLINK_FRAME_LIMIT));
	}
}

/* Both directions of the parser on @buf, in every receiver state. */
static void fz_parse(const uint8_t *buf, size_t len, uint8_t scene)
{
	enum hl_rx_state st;

	for (st = HL_RX_HOST_NEW; st <= HL_RX_GUEST_ATTACHED; st++) {
		struct hl_rx_ctx ctx = {
			.state = st, .version = 1, .min_version = 1, .max_version = 1,
			.max_frame = HOSTLINK_FRAME_MIN, .features = scene & HOSTLINK_FEAT_ALL,
		};
		struct hl_frame_error err;
		struct hl_frame f;
		size_t off = 0, used;

		while (off < len && !hl_frame_parse(buf + off, len - off, &ctx, &f, &used, &err)) {
			if (used > len - off)
				abort();
			off += used;
		}
	}
}

static struct hl_conn *fz_open(struct hl_daemon *d, uint8_t scene, uint32_t port)
{
	static const uint32_t cids[] = { 3, 1, 2, 7 };
	struct hl_peer peer = {
		.hybrid = scene & HL_FZ_HYBRID,
		.cid = cids[(scene >> HL_FZ_CID_SHIFT) & 3],
		.port = port,
		.lport = HOSTLINK_PORT_TEST,
	};
	struct hl_conn *c;

	if (hl_conn_new(d, &peer, -1, &c))
		return NULL;
	return c;
}

static void fz_feed(struct hl_conn *c, const uint8_t *buf, size_t len)
{
	/* In pieces of a few sizes, as a socket would deliver them. */
	size_t piece = len > 3 ? 1 + buf[0] % 97 : len, off = 0;

	while (c && c->state != HL_CONN_DEAD && off < len) {
		size_t n = len - off < piece ? len - off : piece;

		if (!hl_conn_feed(c, buf + off, n))
			break;
		off += n;
	}
}

static void fz_attach(struct hl_conn *c)
{
	struct hl_attach a = { .service = "test" };
	uint8_t buf[HL_HDR_LEN + HL_ATTACH_LEN];
	struct hl_hdr h;

	memset(a.token, fz_token, sizeof(a.token));
	hl_hdr_init(&h, HOSTLINK_ATTACH, 1);
	h.len = HL_ATTACH_LEN;
	hl_hdr_encode(buf, &h);
	hl_attach_encode(buf + HL_HDR_LEN, &a);
	fz_feed(c, buf, sizeof(buf));
}

/* Finds a connection again, or NULL if the daemon freed it. */
static struct hl_conn *fz_alive(struct hl_daemon *d, struct hl_conn *c, uint64_t serial)
{
	struct hl_list *pos, *tmp;

	if (!c)
		return NULL;
	hl_list_for_each_safe(pos, tmp, &d->conns)
		if (hl_list_entry(pos, struct hl_conn, node) == c && c->serial == serial)
			return c;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl_conn *a, *b = NULL;
	uint64_t sa = 0, sb = 0;
	struct hl_config cfg;
	struct hl_daemon d;
	uint8_t scene;
	size_t off = 1;

	if (!size)
		return 0;
	scene = data[0];
	hl_log_threshold = HL_LOG_NONE;
	fz_now = 1000000;
	fz_token = 0;
	fz_drain = !(scene & HL_FZ_NO_DRAIN);
	hl_config_init(&cfg);
	cfg.trust_hybrid = scene & HL_FZ_TRUST;
	cfg.allow_loopback = scene & HL_FZ_LOOPBACK;
	if (scene & HL_FZ_SMALL) {
		cfg.max_connections = 2;
		cfg.max_requests = 4;
		cfg.max_queue = HL_TXQ_FAIR;
		cfg.max_frame = HOSTLINK_FRAME_MIN;
	}
	hl_daemon_init(&d, &cfg);
	d.clock = fz_clock;
	d.random = fz_random;
	d.sync = fz_sync;

	a = fz_open(&d, scene, scene & HL_FZ_UNRESERVED ? 40000 : 700);
	sa = a ? a->serial : 0;
	while (off + 3 <= size) {
		uint8_t cmd = data[off] & 7;
		size_t len = data[off + 1] | data[off + 2] << 8;
		const uint8_t *p = data + off + 3;

		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		a = fz_alive(&d, a, sa);
		b = fz_alive(&d, b, sb);
		switch (cmd) {
		case HL_FZ_FEED_A:
			fz_parse(p, len, scene);
			if (a)
				fz_feed(a, p, len);
			break;
		case HL_FZ_FEED_B:
		case HL_FZ_NEW_B:
		case HL_FZ_ATTACH_B:
			if (!b || cmd == HL_FZ_NEW_B) {
				if (b)
					hl_conn_close(b, false, NULL);
				b = fz_open(&d, scene, 40000 + len);
				sb = b ? b->serial : 0;
			}
			if (b && cmd == HL_FZ_ATTACH_B)
				fz_attach(b);
			if (b)
				fz_feed(b, p, len);
			break;
		case HL_FZ_CLOCK:
			fz_now += len * 4;
			hl_timers_run(&d.timers, fz_now);
			break;
		case HL_FZ_DRAIN:
			fz_drain = true;
			if (a)
				hl_conn_mark_dirty(a);
			if (b)
				hl_conn_mark_dirty(b);
			hl_daemon_run_pending(&d);
			fz_drain = !(scene & HL_FZ_NO_DRAIN);
			break;
		case HL_FZ_EOF_A:
			if (a)
				hl_conn_rx_eof(a);
			break;
		case HL_FZ_EOF_B:
			if (b)
				hl_conn_rx_eof(b);
			break;
		}
		hl_daemon_run_pending(&d);
		fz_check(&d);
	}

	/* Everything goes: no guest, token or timer may remain. */
	while (!hl_list_empty(&d.conns))
		hl_conn_destroy(hl_list_first(&d.conns, struct hl_conn, node));
	fz_assert(hl_list_empty(&d.guests));
	fz_assert(hl_list_empty(&d.tokens));
	fz_assert(hl_timers_next(&d.timers) == HL_TIMER_NEVER);
	hl_daemon_free(&d);
	hl_config_free(&cfg);
	return 0;
}
