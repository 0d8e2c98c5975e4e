// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: a connection without its socket.  Received bytes go into a
 * staging buffer and are cut into frames here; each frame's header is
 * checked before its payload is waited for, so a payload is never
 * buffered beyond the agreed max_frame.  Sent bytes wait in the
 * connection's hl_txq until the I/O layer writes them.
 *
 * Back-pressure: when its guest has more than max_queue bytes queued, a
 * connection that itself has HL_TXQ_FAIR or more queued stops reading
 * and generating (it is "blocked") until either drains.  A guest's
 * queue thus stays below max_queue plus, per connection, HL_TXQ_FAIR and
 * one frame; one stalled connection does not starve the others.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"

void hl_conn_log(const struct hl_conn *c, enum hl_log_level level,
		 const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (level < hl_log_threshold)
		return;
	/* What a guest makes us say, it may not make us say without end. */
	if (level < HL_LOG_ERROR && !hl_daemon_log_ok(c->d))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hl_log(level, c->logf, "%s", msg);
}

static void hl_conn_logf_init(struct hl_conn *c)
{
	const struct hl_peer *p = &c->peer;

	if (p->hybrid)
		snprintf(c->logf, sizeof(c->logf), " cid=hybrid lport=%u%s conn=%" PRIu64,
			 p->lport, p->dialled ? " dialled=yes" : "", c->serial);
	else
		snprintf(c->logf, sizeof(c->logf), " cid=%u port=%u lport=%u conn=%" PRIu64,
			 p->cid, p->port, p->lport, c->serial);
}

void hl_conn_mark_dirty(struct hl_conn *c)
{
	if (hl_list_empty(&c->dirty))
		hl_list_add_tail(&c->dirty, &c->d->dirty);
}

static void hl_conn_timeout(struct hl_timer *t)
{
	struct hl_conn *c = hl_container_of(t, struct hl_conn, timer);

	if (c->state == HL_CONN_NEW)
		hl_conn_close(c, false, "no HELLO or ATTACH in time");
	else if (c->state == HL_CONN_CLOSING)
		hl_conn_close(c, false, "peer did not read its answer in time");
}

/**
 * hl_conn_new() - a connection for a socket just accepted
 * @d: the daemon.
 * @peer: who it is.
 * @fd: its socket (kept for the I/O layer), or -1.
 * @out: (out) the connection.
 *
 * A guest at its connection limit gets a few more connections that are
 * only told EUSERS; beyond those, -EUSERS and the caller closes.  The
 * limits hold for each enum hl_slot apart.
 *
 * Return: 0, -EUSERS or -ENOMEM.
 */
int hl_conn_new(struct hl_daemon *d, const struct hl_peer *peer, int fd,
		struct hl_conn **out)
{
	struct hl_guest *g;
	enum hl_slot slot;
	struct hl_conn *c;
	int ret;

	ret = hl_guest_get(d, peer, &g);
	if (ret)
		return ret;
	if (peer->hybrid)
		slot = peer->dialled ? HL_SLOT_KERNEL : HL_SLOT_ORDINARY;
	else
		slot = peer->port < HOSTLINK_RESERVED_PORT_END ? HL_SLOT_KERNEL :
		       HL_SLOT_ORDINARY;
	if (g->nconns[slot] >= d->cfg->max_connections &&
	    g->nrefusing[slot] >= HL_REFUSING_PER_GUEST) {
		ret = -EUSERS;
		goto err_put_guest;
	}
	ret = -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto err_put_guest;
	c->rxbuf = malloc(HL_RXBUF_SIZE);
	if (!c->rxbuf)
		goto err_free_conn;
	hl_timer_init(&c->timer, hl_conn_timeout);
	ret = hl_timer_arm(&d->timers, &c->timer, d->clock() + HL_HANDSHAKE_MS);
	if (ret)
		goto err_free_rxbuf;

	c->d = d;
	c->g = g;
	c->serial = ++d->next_serial;
	c->peer = *peer;
	c->state = HL_CONN_NEW;
	c->fd = fd;
	c->rx.state = HL_RX_HOST_NEW;
	c->rx.min_version = d->cfg->proto_min;
	c->rx.max_version = d->cfg->proto_max;
	c->rx.max_frame = HOSTLINK_FRAME_MIN;
	hl_list_init(&c->dirty);
	hl_list_init(&c->reqs);
	hl_list_init(&c->waiters);
	hl_list_init(&c->tokens);
	hl_list_init(&c->ev_held);
	hl_list_init(&c->io_link);
	hl_conn_logf_init(c);
	c->slot = slot;
	if (g->nconns[slot] >= d->cfg->max_connections) {
		c->refuse_users = true;
		g->nrefusing[slot]++;
	} else {
		g->nconns[slot]++;
	}
	hl_list_add_tail(&c->node, &d->conns);
	hl_list_add_tail(&c->gnode, &g->conns);
	hl_conn_log(c, HL_LOG_DEBUG, "connection accepted");
	*out = c;
	return 0;

err_free_rxbuf:
	free(c->rxbuf);
err_free_conn:
	free(c);
err_put_guest:
	hl_guest_put(g);
	return ret;
}

/* Frees a connection; the I/O layer has closed its socket. */
void hl_conn_destroy(struct hl_conn *c)
{
	struct hl_guest *g = c->g;

	hl_proto_close(c);
	hl_token_drop_conn(c);
	hl_event_drop_conn(c);
	if (c->svc && c->svc->conn_close)
		c->svc->conn_close(c);
	hl_timer_cancel(&c->d->timers, &c->timer);
	g->tx_bytes -= c->txq.bytes;
	hl_txq_free(&c->txq);
	if (c->refuse_users)
		g->nrefusing[c->slot]--;
	else
		g->nconns[c->slot]--;
	hl_list_del(&c->node);
	hl_list_del(&c->gnode);
	hl_list_del(&c->dirty);
	hl_list_del(&c->io_link);
	free(c->payload);
	free(c->rxbuf);
	free(c);
	hl_guest_recheck(g);
	hl_guest_put(g);
}

/*
 * Ends a connection: at once, or (@flush) once its queue is sent.  Input
 * is no longer read and nothing more is queued.  Its requests stay
 * until hl_conn_destroy(), so a service that closes a connection from
 * a callback still holds a valid request.
 */
void hl_conn_close(struct hl_conn *c, bool flush, const char *why)
{
	if (c->state == HL_CONN_DEAD)
		return;
	if (why)
		hl_conn_log(c, HL_LOG_INFO, "closing: %s", why);
	if (flush && c->txq.bytes) {
		if (c->state != HL_CONN_CLOSING)
			hl_timer_arm(&c->d->timers, &c->timer,
				     c->d->clock() + HL_LINGER_MS);
		c->state = HL_CONN_CLOSING;
	} else {
		c->state = HL_CONN_DEAD;
		hl_timer_cancel(&c->d->timers, &c->timer);
	}
	hl_conn_mark_dirty(c);
}

void hl_conn_protocol_error(struct hl_conn *c, const struct hl_frame_error *err)
{
	hl_conn_log(c, HL_LOG_WARN, "protocol error (%s): %s",
		    hl_ferr_name(err->code), err->msg);
	hl_conn_close(c, false, NULL);
}

/* The I/O layer may hand the socket to the service now (adopt()). */
bool hl_conn_adoptable(const struct hl_conn *c)
{
	return c->adopt && c->state == HL_CONN_RAW && !c->txq.bytes;
}

/*
 * The I/O layer took the socket out of its hands: it goes to the
 * service, and the connection, without one, goes.
 */
void hl_conn_adopted(struct hl_conn *c, int fd)
{
	const struct hl_service *svc = c->svc;

	c->adopt = false;
	c->fd = -1;
	hl_conn_log(c, HL_LOG_DEBUG, "socket handed to the service");
	svc->adopt(c, fd);
	/* The service let go of the connection: no conn_close() for it. */
	c->svc_priv = NULL;
	c->svc = NULL;
	hl_conn_close(c, false, NULL);
}

/* May this connection queue more now? */
bool hl_conn_can_queue(const struct hl_conn *c)
{
	return c->txq.bytes < HL_TXQ_FAIR || !hl_guest_over(c->g);
}

/* Recomputes @c->blocked; on unblocking, asks for a kick. */
void hl_conn_update_block(struct hl_conn *c)
{
	bool blocked = !hl_conn_can_queue(c);

	if (blocked == c->blocked)
		return;
	c->blocked = blocked;
	if (!blocked)
		c->kick = true;
	hl_conn_mark_dirty(c);
}

static int hl_conn_queue(struct hl_conn *c, const void *a, size_t alen,
			 const void *b, size_t blen)
{
	int ret;

	if (c->state == HL_CONN_DEAD || c->state == HL_CONN_CLOSING)
		return -ENOTCONN;
	ret = hl_txq_append(&c->txq, a, alen, b, blen);
	if (ret) {
		hl_conn_close(c, false, "out of memory for the send queue");
		return ret;
	}
	c->g->tx_bytes += alen + blen;
	hl_conn_update_block(c);
	hl_conn_mark_dirty(c);
	return 0;
}

/* Queues a frame: @h (its len says how much of @payload). 0 or -errno. */
int hl_conn_send(struct hl_conn *c, const struct hl_hdr *h, const void *payload)
{
	uint8_t hdr[HL_HDR_LEN];

	hl_hdr_encode(hdr, h);
	return hl_conn_queue(c, hdr, sizeof(hdr), payload, h->len);
}

/* Queues raw bytes on an attached connection. 0 or -errno. */
int hl_conn_send_raw(struct hl_conn *c, const void *buf, size_t len)
{
	return hl_conn_queue(c, buf, len, NULL, 0);
}

/* The I/O layer sent @n queued bytes. */
void hl_conn_tx_done(struct hl_conn *c, size_t n)
{
	struct hl_guest *g = c->g;
	bool was_over = hl_guest_over(g);

	if (n > c->txq.bytes)
		n = c->txq.bytes;
	hl_txq_consume(&c->txq, n);
	g->tx_bytes -= n;
	hl_conn_update_block(c);
	if (was_over && !hl_guest_over(g))
		hl_guest_recheck(g);
	/* A streaming service refills from hl_conn_kick(), not from here. */
	if (c->state == HL_CONN_RAW && c->svc->writable && !c->kick) {
		c->kick = true;
		hl_conn_mark_dirty(c);
	}
	if (c->state == HL_CONN_CLOSING && !c->txq.bytes)
		hl_conn_close(c, false, NULL);
}

bool hl_conn_wants_read(const struct hl_conn *c)
{
	if (c->blocked || c->rx_eof || c->adopt)
		return false;
	if (c->state != HL_CONN_NEW && c->state != HL_CONN_CONTROL &&
	    c->state != HL_CONN_RAW)
		return false;
	/* A full staging buffer holds a whole frame, processed unless blocked. */
	return c->payload || c->rx_end - c->rx_start < HL_RXBUF_SIZE;
}

/*
 * Where the next received bytes go: the rest of a large payload, or
 * the staging buffer (compacted first).  *@len is 0 when the connection
 * does not read now.
 */
void hl_conn_rx_space(struct hl_conn *c, uint8_t **buf, size_t *len)
{
	*len = 0;
	if (!hl_conn_wants_read(c))
		return;
	if (c->payload) {
		*buf = c->payload + c->payload_have;
		*len = c->hdr.len - c->payload_have;
		return;
	}
	if (c->rx_start) {
		memmove(c->rxbuf, c->rxbuf + c->rx_start, c->rx_end - c->rx_start);
		c->rx_end -= c->rx_start;
		c->rx_start = 0;
	}
	*buf = c->rxbuf + c->rx_end;
	*len = HL_RXBUF_SIZE - c->rx_end;
	/*
	 * Before HELLO or ATTACH, no further than the first frame's end:
	 * what follows an ATTACH is the service's, and a socket it adopts
	 * must still hold all of it.
	 */
	if (c->state == HL_CONN_NEW) {
		size_t have = c->rx_end - c->rx_start;
		size_t want = c->have_hdr ? c->hdr.len : HL_HDR_LEN;

		if (want > have && want - have < *len)
			*len = want - have;
	}
}

static bool hl_conn_framed(const struct hl_conn *c)
{
	return c->state == HL_CONN_NEW || c->state == HL_CONN_CONTROL;
}

/* Takes whole frames out of the staging buffer while allowed to. */
static void hl_conn_process(struct hl_conn *c)
{
	struct hl_frame_error err;
	size_t avail;

	for (;;) {
		/* Another connection may have filled the guest's queue. */
		hl_conn_update_block(c);
		if (c->blocked)
			break;
		avail = c->rx_end - c->rx_start;
		if (c->state == HL_CONN_RAW) {
			if (!avail && c->rx_eof && !c->eof_told) {
				c->eof_told = true;
				c->svc->raw_eof(c);
			}
			if (!avail)
				break;
			c->rx_start = c->rx_end;
			c->svc->raw_data(c, c->rxbuf + c->rx_end - avail, avail);
			continue;
		}
		if (!hl_conn_framed(c))
			break;
		if (c->payload) {
			if (c->payload_have < c->hdr.len)
				break;
			c->have_hdr = false;
			hl_proto_dispatch(c, &c->hdr, c->payload);
			free(c->payload);
			c->payload = NULL;
			continue;
		}
		if (!c->have_hdr) {
			if (avail < HL_HDR_LEN)
				break;
			hl_hdr_decode(c->rxbuf + c->rx_start, &c->hdr);
			if (hl_hdr_check(&c->hdr, &c->rx, &err)) {
				hl_conn_protocol_error(c, &err);
				break;
			}
			c->have_hdr = true;
			c->rx_start += HL_HDR_LEN;
			avail -= HL_HDR_LEN;
		}
		if (avail >= c->hdr.len) {
			c->have_hdr = false;
			c->rx_start += c->hdr.len;
			hl_proto_dispatch(c, &c->hdr, c->rxbuf + c->rx_start - c->hdr.len);
			continue;
		}
		if (HL_HDR_LEN + c->hdr.len <= HL_RXBUF_SIZE)
			break;	/* fits: wait for the rest in the staging buffer */
		/* Bounded by the agreed max_frame, checked with the header. */
		c->payload = malloc(c->hdr.len);
		if (!c->payload) {
			hl_conn_close(c, false, "out of memory for a payload");
			break;
		}
		memcpy(c->payload, c->rxbuf + c->rx_start, avail);
		c->payload_have = avail;
		c->rx_start += avail;
		break;
	}
	if (c->rx_start == c->rx_end) {
		c->rx_start = 0;
		c->rx_end = 0;
	}
}

/* @n bytes were received where hl_conn_rx_space() said. */
void hl_conn_rx_done(struct hl_conn *c, size_t n)
{
	if (c->payload)
		c->payload_have += n;
	else
		c->rx_end += n;
	hl_conn_process(c);
}

/* Unblocked: go on with buffered input and waiting requests. */
void hl_conn_kick(struct hl_conn *c)
{
	c->kick = false;
	if (c->state == HL_CONN_DEAD || c->state == HL_CONN_CLOSING)
		return;
	/* Events held back were sent before whatever input brings now. */
	hl_event_flush(c);
	/*
	 * A reader busy receiving was not blocked when it began, so all it
	 * had could be processed then; it processes again when it returns.
	 */
	if (!c->reading)
		hl_conn_process(c);
	if (c->state == HL_CONN_RAW && c->svc->writable) {
		c->svc->writable(c);
		return;
	}
	hl_proto_resume(c);
}

/* The peer shut down its sending side. */
void hl_conn_rx_eof(struct hl_conn *c)
{
	struct hl_frame_error err = { .code = HL_FERR_TRUNCATED };

	c->rx_eof = true;
	if (c->state == HL_CONN_RAW) {
		hl_conn_process(c);	/* tells the service once all is taken */
		return;
	}
	if (!hl_conn_framed(c))
		return;
	if (c->have_hdr || c->rx_end > c->rx_start) {
		snprintf(err.msg, sizeof(err.msg), "connection closed inside a frame");
		hl_conn_protocol_error(c, &err);
		return;
	}
	/*
	 * What is queued still goes out: the guest may only have shut down
	 * its sending side.  Requests in flight are dropped.
	 */
	hl_conn_close(c, true, c->state == HL_CONN_NEW ? "closed before HELLO" :
		      "closed by the guest");
}

/*
 * Feeds bytes as if received, for tests and the fuzzer.  Returns how
 * many were taken; fewer than @len when the connection stopped reading.
 */
size_t hl_conn_feed(struct hl_conn *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		uint8_t *dst;
		size_t room;

		hl_conn_rx_space(c, &dst, &room);
		if (!room)
			break;
		if (room > len - done)
			room = len - done;
		memcpy(dst, p + done, room);
		done += room;
		hl_conn_rx_done(c, room);
	}
	return done;
}
