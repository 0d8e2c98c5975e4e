// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: bulk READ and WRITE of the GPU service (Documentation/
 * dxg-protocol.rst, READ, WRITE).  The request is answered with a
 * one-time token; the extra connection that presents it carries the
 * bytes (host to guest for READ, guest to host for WRITE) and then the
 * host's struct dxg_wire_bulk_done, after which the host closes it.
 *
 * A READ is read from the allocation in pieces, as the connection
 * drains (hl_service.writable), never more than HL_DXG_BULK_WINDOW
 * queued at once.  A WRITE's bytes go into the allocation as they come.
 *
 * Lifetime: a bulk is on its control connection's list until it ends
 * (done, failed, UNLOCK, ALLOC_DESTROY, idle, the control connection
 * gone).  Not attached, it is freed when it ends (its token revoked);
 * attached, when its connection is freed.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hl_dxg_svc.h"

static void hl_dxg_bulk_timeout(struct hl_timer *t);

/* Off its control connection's list: it counts no more there. */
static void hl_dxg_bulk_detach(struct hl_dxg_bulk *b)
{
	if (!b->ctl)
		return;
	hl_list_del(&b->node);
	b->ctl->n_bulks--;
	b->ctl = NULL;
	b->ad = NULL;
}

static void hl_dxg_bulk_free(struct hl_dxg_bulk *b)
{
	hl_dxg_bulk_detach(b);
	hl_timer_cancel(&b->d->timers, &b->timer);
	free(b);
}

/* Progress: the idle deadline moves. */
static void hl_dxg_bulk_touch(struct hl_dxg_bulk *b)
{
	hl_timer_cancel(&b->d->timers, &b->timer);
	hl_timer_arm(&b->d->timers, &b->timer, b->d->clock() + HL_DXG_BULK_IDLE_MS);
}

/* Ends a transfer with @status (0 or a positive errno). */
static void hl_dxg_bulk_end(struct hl_dxg_bulk *b, uint32_t status)
{
	struct dxg_wire_bulk_done rec = {
		.magic = htole32(DXG_WIRE_BULK_DONE_MAGIC),
		.status = htole32(status),
		.length = htole64(b->done),
	};

	if (b->ended)
		return;
	b->ended = true;
	if (!b->raw) {
		if (b->ctl)
			hl_token_revoke(b->ctl->c, b);
		hl_dxg_bulk_free(b);
		return;
	}
	hl_dxg_bulk_detach(b);
	hl_timer_cancel(&b->d->timers, &b->timer);
	if (!hl_conn_send_raw(b->raw, &rec, sizeof(rec)))
		hl_conn_close(b->raw, true, status ? "bulk transfer failed" : NULL);
	/* Freed with its connection (hl_dxg_bulk_conn_close()). */
}

/**
 * hl_dxg_bulk_start() - a bulk READ or WRITE request
 * @req: the request; answered here on success.
 * @ad: its adapter.
 * @w: who asks.
 * @x: the request body (checked for length, flags and reserved fields).
 * @write: WRITE, else READ.
 *
 * Return: 0 (the token is the reply), or a negative errno to reply.
 */
int hl_dxg_bulk_start(struct hl_req *req, struct hl_dxg_ad *ad,
		      const struct hl_dxg_who *w, const struct dxg_wire_xfer *x,
		      bool write)
{
	struct hl_dxg_ctl *ctl = ad->ctl;
	struct hl_conn *c = req->c;
	struct dxg_wire_bulk reply;
	struct hl_dxg_bulk *b;
	int ret;

	ret = hl_dxg_xfer_check(ad->g, w, le64toh(x->alloc), le64toh(x->offset),
				le64toh(x->length), write);
	if (ret)
		return ret;
	if (ctl->n_bulks >= HL_DXG_MAX_BULKS)
		return -EAGAIN;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->tag = HL_DXG_TAG_BULK;
	b->d = c->d;
	b->ad = ad;
	b->who = *w;
	b->alloc = le64toh(x->alloc);
	b->offset = le64toh(x->offset);
	b->length = le64toh(x->length);
	b->write = write;
	hl_timer_init(&b->timer, hl_dxg_bulk_timeout);
	ret = hl_token_issue(c, b, reply.token);
	if (ret)
		goto err_free;
	/* Just after the token's own expiry: redeeming it fails by then. */
	ret = hl_timer_arm(&c->d->timers, &b->timer, c->d->clock() + HL_TOKEN_MS + 1);
	if (ret)
		goto err_revoke;
	b->ctl = ctl;
	hl_list_add_tail(&b->node, &ctl->bulks);
	ctl->n_bulks++;
	hl_req_reply(req, 0, &reply, sizeof(reply));
	return 0;

err_revoke:
	hl_token_revoke(c, b);
err_free:
	free(b);
	return ret;
}

static void hl_dxg_bulk_timeout(struct hl_timer *t)
{
	struct hl_dxg_bulk *b = hl_container_of(t, struct hl_dxg_bulk, timer);

	if (b->raw)
		hl_conn_log(b->raw, HL_LOG_INFO, "dxg: bulk transfer idle, ended");
	hl_dxg_bulk_end(b, ETIMEDOUT);
}

/* UNLOCK or ALLOC_DESTROY of @alloc: its transfers end. */
void hl_dxg_bulk_end_alloc(struct hl_dxg_ctl *ctl, struct hl_dxg_ad *ad,
			   uint64_t process, uint64_t alloc)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &ctl->bulks) {
		struct hl_dxg_bulk *b = hl_list_entry(pos, struct hl_dxg_bulk, node);

		if (b->ad == ad && b->who.process == process && b->alloc == alloc)
			hl_dxg_bulk_end(b, ECANCELED);
	}
}

/* DEVICE_DESTROY, ADAPTER_CLOSE: transfers whose allocation went end. */
void hl_dxg_bulk_recheck(struct hl_dxg_ctl *ctl, struct hl_dxg_ad *ad,
			 uint64_t process)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &ctl->bulks) {
		struct hl_dxg_bulk *b = hl_list_entry(pos, struct hl_dxg_bulk, node);

		/* LOCK with no flags looks the id up and changes nothing. */
		if (b->ad == ad && b->who.process == process &&
		    hl_dxg_lock(ad->g, &b->who, b->alloc, 0, 0, 0) == -ENOENT)
			hl_dxg_bulk_end(b, ECANCELED);
	}
}

/* The control connection goes; its tokens went already. */
void hl_dxg_bulk_drop_ctl(struct hl_dxg_ctl *ctl)
{
	while (!hl_list_empty(&ctl->bulks)) {
		struct hl_dxg_bulk *b = hl_list_first(&ctl->bulks, struct hl_dxg_bulk, node);

		if (!b->raw) {
			hl_dxg_bulk_free(b);
			continue;
		}
		b->ended = true;
		hl_dxg_bulk_detach(b);
		hl_timer_cancel(&b->d->timers, &b->timer);
		hl_conn_close(b->raw, false, "dxg: its control connection went");
	}
}

/* READ: queue more while the connection takes it. */
static void hl_dxg_bulk_pump(struct hl_dxg_bulk *b)
{
	struct hl_conn *c = b->raw;
	uint8_t *buf;

	if (b->ended || b->write)
		return;
	buf = malloc(HL_DXG_BULK_CHUNK);
	if (!buf) {
		hl_dxg_bulk_end(b, ENOMEM);
		return;
	}
	while (!b->ended && b->done < b->length && c->txq.bytes < HL_DXG_BULK_WINDOW &&
	       hl_conn_can_queue(c)) {
		uint64_t n = b->length - b->done;
		int ret;

		if (n > HL_DXG_BULK_CHUNK)
			n = HL_DXG_BULK_CHUNK;
		ret = hl_dxg_alloc_read(b->ad->g, &b->who, b->alloc, b->offset + b->done,
					buf, n);
		if (ret) {
			hl_dxg_bulk_end(b, ECANCELED);
			break;
		}
		if (hl_conn_send_raw(c, buf, n))
			break;	/* closing */
		b->done += n;
		b->ad->bytes_read += n;
		hl_dxg_bulk_touch(b);
	}
	free(buf);
	if (!b->ended && b->done == b->length)
		hl_dxg_bulk_end(b, 0);
}

int hl_dxg_bulk_attach(struct hl_conn *c, void *priv)
{
	struct hl_dxg_bulk *b = priv;

	/* An ended transfer's token was revoked: this one is live. */
	b->raw = c;
	c->svc_priv = b;
	hl_dxg_bulk_touch(b);
	hl_dxg_bulk_pump(b);
	return 0;
}

void hl_dxg_bulk_raw_data(struct hl_conn *c, const uint8_t *buf, size_t len)
{
	struct hl_dxg_bulk *b = c->svc_priv;
	uint64_t n;
	int ret;

	/* A READ's guest has nothing to say; past a WRITE's length, neither. */
	if (!b || b->ended || !b->write)
		return;
	n = b->length - b->done;
	if (n > len)
		n = len;
	ret = hl_dxg_alloc_write(b->ad->g, &b->who, b->alloc, b->offset + b->done, buf, n);
	if (ret) {
		hl_dxg_bulk_end(b, ECANCELED);
		return;
	}
	b->done += n;
	b->ad->bytes_written += n;
	hl_dxg_bulk_touch(b);
	if (b->done == b->length)
		hl_dxg_bulk_end(b, 0);
}

void hl_dxg_bulk_raw_eof(struct hl_conn *c)
{
	struct hl_dxg_bulk *b = c->svc_priv;

	/* A READ's guest may shut down its side at once. */
	if (b && b->write && !b->ended)
		hl_dxg_bulk_end(b, ECANCELED);
}

void hl_dxg_bulk_writable(struct hl_conn *c)
{
	struct hl_dxg_bulk *b = c->svc_priv;

	if (b)
		hl_dxg_bulk_pump(b);
}

void hl_dxg_bulk_conn_close(struct hl_conn *c)
{
	struct hl_dxg_bulk *b = c->svc_priv;

	c->svc_priv = NULL;
	hl_dxg_bulk_free(b);
}
