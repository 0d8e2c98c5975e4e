// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the GPU service ("dxg", Documentation/dxg-protocol.rst).
 * Requests are parsed here, checked in the document's order (op,
 * length, features, reserved fields, nonce) and handed to the engine
 * of the adapter whose nonce they carry, which checks the rest (ids,
 * states, values, locks, limits) in the same order.  The engine's
 * notifications (EVENT frames, the replies of LOCKs that had to wait)
 * are in hl_dxg_events.c, bulk transfers in hl_dxg_bulk.c.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_dxg_svc.h"

/* Body bytes after struct dxg_wire_req for the fixed-size ops; -1: variable. */
static const int hl_dxg_body_len[] = {
	[DXG_WIRE_OP_ADAPTER_OPEN] = sizeof(struct dxg_wire_adapter_open),
	[DXG_WIRE_OP_ADAPTER_CLOSE] = 0,
	[DXG_WIRE_OP_QUERY] = sizeof(struct dxg_wire_query),
	[DXG_WIRE_OP_DEVICE_CREATE] = sizeof(struct dxg_wire_device_create),
	[DXG_WIRE_OP_DEVICE_DESTROY] = sizeof(struct dxg_wire_id),
	[DXG_WIRE_OP_DEVICE_GET_STATE] = sizeof(struct dxg_wire_id),
	[DXG_WIRE_OP_CONTEXT_CREATE] = sizeof(struct dxg_wire_context_create),
	[DXG_WIRE_OP_CONTEXT_DESTROY] = sizeof(struct dxg_wire_id),
	[DXG_WIRE_OP_ALLOC_CREATE] = sizeof(struct dxg_wire_alloc_create),
	[DXG_WIRE_OP_ALLOC_DESTROY] = sizeof(struct dxg_wire_id),
	[DXG_WIRE_OP_LOCK] = sizeof(struct dxg_wire_lock),
	[DXG_WIRE_OP_UNLOCK] = sizeof(struct dxg_wire_unlock),
	[DXG_WIRE_OP_READ] = sizeof(struct dxg_wire_xfer),
	[DXG_WIRE_OP_WRITE] = -1,
	[DXG_WIRE_OP_SUBMIT] = -1,
	[DXG_WIRE_OP_FENCE_CREATE] = sizeof(struct dxg_wire_fence_create),
	[DXG_WIRE_OP_FENCE_DESTROY] = sizeof(struct dxg_wire_id),
	[DXG_WIRE_OP_FENCE_SIGNAL] = sizeof(struct dxg_wire_fence_value),
};

#define HL_DXG_NOPS (sizeof(hl_dxg_body_len) / sizeof(hl_dxg_body_len[0]))

static uint64_t hl_dxg_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* ---- the connection ---- */

static void hl_dxg_guests_destroy(struct hl_dxg_ctl *ctl)
{
	unsigned int i;

	for (i = 0; i < ctl->n_ad; i++)
		if (ctl->ad[i].g)
			hl_dxg_guest_destroy(ctl->ad[i].g);
	ctl->n_ad = 0;
}

static void hl_dxg_ctl_close(struct hl_dxg_ctl *ctl)
{
	/* The requests (waiting LOCKs among them) were cancelled already. */
	hl_dxg_bulk_drop_ctl(ctl);
	/* After this no notification runs or comes for the connection. */
	hl_dxg_guests_destroy(ctl);
	pthread_mutex_lock(&ctl->lock);
	ctl->dead = true;
	ctl->c = NULL;
	pthread_mutex_unlock(&ctl->lock);
	hl_dxg_ctl_put(ctl);
}

static void hl_dxg_conn_close(struct hl_conn *c)
{
	uint32_t *tag = c->svc_priv;

	if (!tag)
		return;
	c->svc_priv = NULL;
	if (*tag == HL_DXG_TAG_BULK) {
		c->svc_priv = tag;
		hl_dxg_bulk_conn_close(c);
		return;
	}
	hl_dxg_ctl_close((struct hl_dxg_ctl *)tag);
}

/* A control connection's state with one engine guest per adapter. */
static int hl_dxg_ctl_new(struct hl_conn *c, struct hl_dxg_ctl **out)
{
	struct hl_dxg_host *host = c->d->dxg;
	struct hl_dxg_ctl *ctl;
	unsigned int i, j;
	int ret;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->tag = HL_DXG_TAG_CTL;
	ctl->c = c;
	ctl->d = c->d;
	ctl->refs = 1;
	hl_list_init(&ctl->locks);
	hl_list_init(&ctl->bulks);
	hl_list_init(&ctl->notes);
	pthread_mutex_init(&ctl->lock, NULL);
	for (i = 0; host && i < host->n; i++) {
		struct hl_dxg_ad *ad = &ctl->ad[i];
		bool again;

		ad->ctl = ctl;
		ad->idx = i;
		do {
			ret = hl_dxg_guest_create(host->ad[i].eng, ad, &ad->g);
			if (ret)
				goto err_destroy;
			ad->nonce = hl_dxg_guest_nonce(ad->g);
			/* Distinct among the reply's adapters: draw again. */
			again = false;
			for (j = 0; j < i; j++)
				again |= ctl->ad[j].nonce == ad->nonce;
			if (again) {
				hl_dxg_guest_destroy(ad->g);
				ad->g = NULL;
			}
		} while (again);
		ctl->n_ad = i + 1;
	}
	*out = ctl;
	return 0;

err_destroy:
	hl_dxg_guests_destroy(ctl);
	hl_dxg_ctl_free(ctl);
	return ret;
}

/* A request the host cannot parse: EPROTO, then the connection goes. */
static void hl_dxg_proto_error(struct hl_req *req, const char *why)
{
	struct hl_conn *c = req->c;

	hl_conn_log(c, HL_LOG_WARN, "dxg: protocol error in request %" PRIu64 " (op %u): %s",
		    req->id, req->op, why);
	hl_req_reply(req, EPROTO, NULL, 0);
	hl_conn_close(c, true, NULL);
}

/* ---- HELLO ---- */

static void hl_dxg_hello_fail(struct hl_req *req, uint32_t status, const char *why)
{
	struct hl_conn *c = req->c;

	hl_conn_log(c, HL_LOG_WARN, "dxg: HELLO refused: %s", why);
	hl_req_reply(req, status, NULL, 0);
	hl_conn_close(c, true, NULL);
}

static void hl_dxg_adapter_fill(struct dxg_wire_adapter *out,
				const struct hl_dxg_host_adapter *ha, uint64_t nonce)
{
	uint32_t flags = DXG_WIRE_ADAPTER_F_SOFTWARE;

	if (ha->cfg->compute_only)
		flags |= DXG_WIRE_ADAPTER_F_COMPUTE_ONLY;
	memset(out, 0, sizeof(*out));
	out->nonce = htole64(nonce);
	out->luid_low = htole32(ha->luid_low);
	out->luid_high = htole32(ha->luid_high);
	out->flags = htole32(flags);
	out->dedicated_memory = htole64(ha->cfg->memory);
	snprintf(out->name, sizeof(out->name), "%s", ha->cfg->name);
}

static void hl_dxg_hello(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	struct hl_conn *c = req->c;
	uint8_t buf[sizeof(struct dxg_wire_hello_reply) +
		    DXG_WIRE_MAX_ADAPTERS * sizeof(struct dxg_wire_adapter)];
	struct dxg_wire_hello_reply *r = (void *)buf;
	struct dxg_wire_adapter *ads = (void *)(buf + sizeof(*r));
	struct dxg_wire_hello h;
	struct hl_dxg_ctl *ctl;
	unsigned int lo, hi, i, min, max;
	uint64_t features;
	char why[128];
	int ret;

	if (c->svc_priv)
		return hl_dxg_proto_error(req, "a second HELLO");
	if (len != sizeof(h))
		return hl_dxg_proto_error(req, "HELLO of the wrong length");
	memcpy(&h, data, sizeof(h));
	min = le16toh(h.min_version);
	max = le16toh(h.max_version);
	if (!(c->rx.features & HOSTLINK_FEAT_EVENTS))
		return hl_dxg_hello_fail(req, EOPNOTSUPP, "no HOSTLINK_FEAT_EVENTS");
	if (c->rx.max_frame < DXG_WIRE_FRAME_MIN) {
		snprintf(why, sizeof(why), "max_frame %u below %u", c->rx.max_frame,
			 DXG_WIRE_FRAME_MIN);
		return hl_dxg_hello_fail(req, EMSGSIZE, why);
	}
	if (h.__reserved)
		return hl_dxg_hello_fail(req, EINVAL, "reserved field not 0");
	lo = min > DXG_WIRE_VERSION_MIN ? min : DXG_WIRE_VERSION_MIN;
	hi = max < DXG_WIRE_VERSION_MAX ? max : DXG_WIRE_VERSION_MAX;
	if (min > max || lo > hi) {
		snprintf(why, sizeof(why), "no common version: guest %u-%u, host %u-%u",
			 min, max, DXG_WIRE_VERSION_MIN, DXG_WIRE_VERSION_MAX);
		return hl_dxg_hello_fail(req, EPROTONOSUPPORT, why);
	}
	features = le64toh(h.features) & DXG_WIRE_FEAT_ALL;
	if (!(c->rx.features & HOSTLINK_FEAT_ATTACH))
		features &= ~DXG_WIRE_FEAT_BULK;
	ret = hl_dxg_ctl_new(c, &ctl);
	if (ret)
		return hl_dxg_hello_fail(req, -ret, "no memory for the adapters");
	ctl->hello = true;
	ctl->features = features;
	c->svc_priv = ctl;

	r->version = htole16(hi);
	r->min_version = htole16(DXG_WIRE_VERSION_MIN);
	r->max_version = htole16(DXG_WIRE_VERSION_MAX);
	r->n_adapters = htole16(ctl->n_ad);
	r->features = htole64(features);
	for (i = 0; i < ctl->n_ad; i++)
		hl_dxg_adapter_fill(&ads[i], &c->d->dxg->ad[i], ctl->ad[i].nonce);
	hl_conn_log(c, HL_LOG_INFO, "dxg: version %u, %u adapters, features 0x%" PRIx64,
		    hi, ctl->n_ad, features);
	hl_req_reply(req, 0, buf, sizeof(*r) + ctl->n_ad * sizeof(*ads));
}

/* ---- the ops ---- */

/* One parsed request: who, the adapter, the body. */
struct hl_dxg_call {
	struct hl_req *req;
	struct hl_dxg_ctl *ctl;
	struct hl_dxg_ad *ad;
	struct hl_dxg_who who;
	const uint8_t *body;
	uint32_t len;
};

static void hl_dxg_reply_ret(struct hl_req *req, int ret)
{
	hl_req_reply(req, ret < 0 ? -ret : ret, NULL, 0);
}

static void hl_dxg_reply_id(struct hl_req *req, int ret, uint64_t id)
{
	struct dxg_wire_id r = { .id = htole64(id) };

	if (ret)
		return hl_dxg_reply_ret(req, ret);
	hl_req_reply(req, 0, &r, sizeof(r));
}

static void hl_dxg_query(struct hl_dxg_call *k, const struct dxg_wire_query *q)
{
	struct hl_dxg_guest *g = k->ad->g;
	uint64_t out[8];
	unsigned int i, n;
	int ret;

	switch (le32toh(q->type)) {
	case DXG_WIRE_QUERY_MEMORY: {
		struct dxg_wire_query_memory m;

		ret = hl_dxg_query_memory(g, &k->who, &m);
		memcpy(out, &m, sizeof(m));
		n = 4;
		break;
	}
	case DXG_WIRE_QUERY_CLOCK: {
		struct dxg_wire_query_clock m;

		ret = hl_dxg_query_clock(g, &k->who, &m);
		memcpy(out, &m, sizeof(m));
		n = 4;
		break;
	}
	case DXG_WIRE_QUERY_STATS: {
		struct dxg_wire_query_stats m;

		ret = hl_dxg_query_stats(g, &k->who, &m);
		m.bytes_read = k->ad->bytes_read;
		m.bytes_written = k->ad->bytes_written;
		m.events_coalesced = k->ad->events_coalesced;
		memcpy(out, &m, sizeof(m));
		n = 8;
		break;
	}
	default:
		/* The handle first: an unknown one is ENOENT whatever the type. */
		ret = hl_dxg_query_memory(g, &k->who, (void *)out);
		return hl_dxg_reply_ret(k->req, ret ? ret : -EINVAL);
	}
	if (ret)
		return hl_dxg_reply_ret(k->req, ret);
	/* Every query reply is __u64 fields only. */
	for (i = 0; i < n; i++)
		out[i] = htole64(out[i]);
	hl_req_reply(k->req, 0, out, n * sizeof(uint64_t));
}

static void hl_dxg_lock_op(struct hl_dxg_call *k, const struct dxg_wire_lock *l)
{
	struct hl_dxg_lockwait *lw = calloc(1, sizeof(*lw));
	uint64_t alloc = le64toh(l->alloc);
	int ret;

	if (!lw)
		return hl_dxg_reply_ret(k->req, -ENOMEM);
	/*
	 * A note of an earlier LOCK of this allocation, taken and then
	 * cancelled, must not answer this one: send what is queued first.
	 */
	hl_dxg_flush(k->ctl);
	ret = hl_dxg_lock(k->ad->g, &k->who, alloc, le64toh(l->offset), le64toh(l->length),
			  le32toh(l->flags));
	if (ret != -EINPROGRESS) {
		free(lw);
		return hl_dxg_reply_ret(k->req, ret);
	}
	/* The reply comes with notify->lock (hl_dxg_lock_done()). */
	lw->req = k->req;
	lw->ad = k->ad;
	lw->who = k->who;
	lw->alloc = alloc;
	hl_list_add_tail(&lw->node, &k->ctl->locks);
	k->req->arg[0] = (uintptr_t)lw;
}

static void hl_dxg_read_op(struct hl_dxg_call *k, const struct dxg_wire_xfer *x)
{
	struct hl_conn *c = k->req->c;
	uint64_t alloc = le64toh(x->alloc), off = le64toh(x->offset);
	uint64_t length = le64toh(x->length);
	uint8_t *buf;
	int ret;

	if (le32toh(x->flags) & DXG_WIRE_XFER_F_BULK) {
		ret = hl_dxg_bulk_start(k->req, k->ad, &k->who, x, false);
		if (ret)
			hl_dxg_reply_ret(k->req, ret);
		return;
	}
	/* Ids and ranges first, then the chunk limit (a value, too). */
	ret = hl_dxg_xfer_check(k->ad->g, &k->who, alloc, off, length, false);
	if ((!ret || ret == -EBUSY) && length > c->rx.max_frame - DXG_WIRE_XFER_OVERHEAD)
		ret = -EINVAL;
	if (ret)
		return hl_dxg_reply_ret(k->req, ret);
	/*
	 * At most one frame: the connection was unblocked when this request
	 * was taken, and takes no other until what it queues drains.
	 */
	buf = malloc(length);
	if (!buf)
		return hl_dxg_reply_ret(k->req, -ENOMEM);
	ret = hl_dxg_alloc_read(k->ad->g, &k->who, alloc, off, buf, length);
	if (!ret)
		k->ad->bytes_read += length;
	if (ret)
		hl_dxg_reply_ret(k->req, ret);
	else
		hl_req_reply(k->req, 0, buf, length);
	free(buf);
}

static void hl_dxg_write_op(struct hl_dxg_call *k, const struct dxg_wire_xfer *x)
{
	uint64_t length = le64toh(x->length);
	int ret;

	if (le32toh(x->flags) & DXG_WIRE_XFER_F_BULK) {
		ret = hl_dxg_bulk_start(k->req, k->ad, &k->who, x, true);
		if (ret)
			hl_dxg_reply_ret(k->req, ret);
		return;
	}
	/* The length was checked against the payload. */
	ret = hl_dxg_alloc_write(k->ad->g, &k->who, le64toh(x->alloc), le64toh(x->offset),
				 k->body + sizeof(*x), length);
	if (!ret)
		k->ad->bytes_written += length;
	hl_dxg_reply_ret(k->req, ret);
}

static void hl_dxg_submit_op(struct hl_dxg_call *k)
{
	struct dxg_wire_submit_reply r;
	uint64_t number;
	int ret;

	ret = hl_dxg_submit(k->ad->g, &k->who, k->body, k->len, &number);
	if (ret == -EPROTO)
		return hl_dxg_proto_error(k->req, "SUBMIT of the wrong length");
	if (ret)
		return hl_dxg_reply_ret(k->req, ret);
	/* Its events, if it ran already, go out after this, in one send. */
	r.submit = htole64(number);
	hl_req_reply(k->req, 0, &r, sizeof(r));
}

static void hl_dxg_state_op(struct hl_dxg_call *k, uint64_t device)
{
	struct dxg_wire_device_state st, le;
	int ret = hl_dxg_device_get_state(k->ad->g, &k->who, device, &st);

	if (ret)
		return hl_dxg_reply_ret(k->req, ret);
	hl_dxg_state_le(&le, &st);
	hl_req_reply(k->req, 0, &le, sizeof(le));
}

/* Runs a parsed and checked op. */
static void hl_dxg_run(struct hl_dxg_call *k)
{
	struct hl_dxg_guest *g = k->ad->g;
	const struct hl_dxg_who *w = &k->who;
	const uint8_t *b = k->body;
	struct hl_req *req = k->req;
	uint64_t id = 0;
	int ret;

	switch (req->op) {
	case DXG_WIRE_OP_ADAPTER_OPEN:
		ret = hl_dxg_adapter_open(g, w, &id);
		return hl_dxg_reply_id(req, ret, id);
	case DXG_WIRE_OP_ADAPTER_CLOSE:
		ret = hl_dxg_adapter_close(g, w);
		if (!ret)
			hl_dxg_bulk_recheck(k->ctl, k->ad, w->process);
		return hl_dxg_reply_ret(req, ret);
	case DXG_WIRE_OP_QUERY:
		return hl_dxg_query(k, (const void *)b);
	case DXG_WIRE_OP_DEVICE_CREATE:
		ret = hl_dxg_device_create(g, w, &id);
		return hl_dxg_reply_id(req, ret, id);
	case DXG_WIRE_OP_DEVICE_DESTROY:
		ret = hl_dxg_device_destroy(g, w, hl_dxg_le64(b));
		if (!ret)
			hl_dxg_bulk_recheck(k->ctl, k->ad, w->process);
		return hl_dxg_reply_ret(req, ret);
	case DXG_WIRE_OP_DEVICE_GET_STATE:
		return hl_dxg_state_op(k, hl_dxg_le64(b));
	case DXG_WIRE_OP_CONTEXT_CREATE:
		ret = hl_dxg_context_create(g, w, hl_dxg_le64(b), &id);
		return hl_dxg_reply_id(req, ret, id);
	case DXG_WIRE_OP_CONTEXT_DESTROY:
		return hl_dxg_reply_ret(req, hl_dxg_context_destroy(g, w, hl_dxg_le64(b)));
	case DXG_WIRE_OP_ALLOC_CREATE:
		ret = hl_dxg_alloc_create(g, w, hl_dxg_le64(b), hl_dxg_le64(b + 8), &id);
		return hl_dxg_reply_id(req, ret, id);
	case DXG_WIRE_OP_ALLOC_DESTROY:
		id = hl_dxg_le64(b);
		ret = hl_dxg_alloc_destroy(g, w, id);
		if (!ret)
			hl_dxg_bulk_end_alloc(k->ctl, k->ad, w->process, id);
		return hl_dxg_reply_ret(req, ret);
	case DXG_WIRE_OP_LOCK:
		return hl_dxg_lock_op(k, (const void *)b);
	case DXG_WIRE_OP_UNLOCK:
		id = hl_dxg_le64(b);
		ret = hl_dxg_unlock(g, w, id);
		if (!ret)
			hl_dxg_bulk_end_alloc(k->ctl, k->ad, w->process, id);
		return hl_dxg_reply_ret(req, ret);
	case DXG_WIRE_OP_READ:
		return hl_dxg_read_op(k, (const void *)b);
	case DXG_WIRE_OP_WRITE:
		return hl_dxg_write_op(k, (const void *)b);
	case DXG_WIRE_OP_SUBMIT:
		return hl_dxg_submit_op(k);
	case DXG_WIRE_OP_FENCE_CREATE:
		ret = hl_dxg_fence_create(g, w, hl_dxg_le64(b), hl_dxg_le64(b + 8), &id);
		return hl_dxg_reply_id(req, ret, id);
	case DXG_WIRE_OP_FENCE_DESTROY:
		return hl_dxg_reply_ret(req, hl_dxg_fence_destroy(g, w, hl_dxg_le64(b)));
	case DXG_WIRE_OP_FENCE_SIGNAL:
		ret = hl_dxg_fence_signal(g, w, hl_dxg_le64(b), hl_dxg_le64(b + 8));
		/* The reply after the signal's event is queued. */
		hl_dxg_flush(k->ctl);
		return hl_dxg_reply_ret(req, ret);
	}
}

/*
 * The payload length the op's layout and counts say, or false when the
 * body is too short to say.
 */
static bool hl_dxg_want_len(uint32_t op, const uint8_t *b, uint32_t len, uint64_t *want)
{
	int fixed = hl_dxg_body_len[op];

	if (fixed >= 0) {
		*want = fixed;
		return true;
	}
	if (op == DXG_WIRE_OP_WRITE) {
		const struct dxg_wire_xfer *x = (const void *)b;

		if (len < sizeof(*x))
			return false;
		*want = sizeof(*x);
		if (!(le32toh(x->flags) & DXG_WIRE_XFER_F_BULK))
			*want += le64toh(x->length);
		return true;
	}
	/* SUBMIT */
	{
		struct dxg_wire_submit s;

		if (len < sizeof(s))
			return false;
		memcpy(&s, b, sizeof(s));
		*want = sizeof(s) + (uint64_t)le16toh(s.n_allocs) * sizeof(struct dxg_wire_id) +
			((uint64_t)le16toh(s.n_waits) + le16toh(s.n_signals)) *
			sizeof(struct dxg_wire_fence_value) + le32toh(s.cmd_bytes);
		return true;
	}
}

/* Reserved fields and flags of a fixed body: 0 or -EINVAL. */
static int hl_dxg_reserved_check(uint32_t op, const uint8_t *b)
{
	uint32_t w32[2];

	switch (op) {
	case DXG_WIRE_OP_ADAPTER_OPEN:
	case DXG_WIRE_OP_DEVICE_CREATE:
		memcpy(w32, b, 8);	/* flags, __reserved */
		return w32[0] || w32[1] ? -EINVAL : 0;
	case DXG_WIRE_OP_QUERY:
		memcpy(w32, b, 8);	/* type, __reserved */
		return w32[1] ? -EINVAL : 0;
	case DXG_WIRE_OP_CONTEXT_CREATE:
	case DXG_WIRE_OP_UNLOCK:
		memcpy(w32, b + 8, 8);
		return w32[0] || w32[1] ? -EINVAL : 0;
	case DXG_WIRE_OP_ALLOC_CREATE:
	case DXG_WIRE_OP_FENCE_CREATE:
		memcpy(w32, b + 16, 8);
		return w32[0] || w32[1] ? -EINVAL : 0;
	case DXG_WIRE_OP_LOCK:
		memcpy(w32, b + 24, 8);
		return le32toh(w32[0]) & ~DXG_WIRE_LOCK_ALL || w32[1] ? -EINVAL : 0;
	case DXG_WIRE_OP_READ:
	case DXG_WIRE_OP_WRITE:
		memcpy(w32, b + 24, 8);
		return le32toh(w32[0]) & ~DXG_WIRE_XFER_F_ALL || w32[1] ? -EINVAL : 0;
	}
	return 0;	/* SUBMIT's are the engine's to check */
}

static void hl_dxg_request(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	struct hl_dxg_ctl *ctl = req->c->svc_priv;
	struct hl_dxg_call k = { .req = req, .ctl = ctl };
	struct dxg_wire_req r;
	uint64_t want, nonce;
	unsigned int i;
	int ret;

	if (req->op == DXG_WIRE_OP_HELLO)
		return hl_dxg_hello(req, data, len);
	if (req->op >= HL_DXG_NOPS || !req->op)
		return hl_req_reply(req, EOPNOTSUPP, NULL, 0);
	if (!ctl)
		return hl_dxg_proto_error(req, "a request before HELLO");
	if (len < sizeof(r))
		return hl_dxg_proto_error(req, "shorter than struct dxg_wire_req");
	memcpy(&r, data, sizeof(r));
	k.body = data + sizeof(r);
	k.len = len - sizeof(r);
	if (!hl_dxg_want_len(req->op, k.body, k.len, &want) || want != k.len)
		return hl_dxg_proto_error(req, "payload length not what the op says");
	k.who.process = le64toh(r.process);
	k.who.nonce = le64toh(r.nonce);
	k.who.adapter = le64toh(r.adapter);
	if (!k.who.process)
		return hl_dxg_proto_error(req, "process 0");
	if ((req->op == DXG_WIRE_OP_READ || req->op == DXG_WIRE_OP_WRITE) &&
	    (le32toh(((const struct dxg_wire_xfer *)k.body)->flags) & DXG_WIRE_XFER_F_BULK) &&
	    !(ctl->features & DXG_WIRE_FEAT_BULK))
		return hl_req_reply(req, EOPNOTSUPP, NULL, 0);
	ret = hl_dxg_reserved_check(req->op, k.body);
	if (r.__reserved || ret ||
	    (req->op == DXG_WIRE_OP_ADAPTER_OPEN && k.who.adapter))
		return hl_req_reply(req, EINVAL, NULL, 0);
	nonce = k.who.nonce;
	for (i = 0; i < ctl->n_ad && !k.ad; i++)
		if (ctl->ad[i].nonce == nonce)
			k.ad = &ctl->ad[i];
	if (!nonce || !k.ad)
		return hl_req_reply(req, ESTALE, NULL, 0);
	hl_dxg_request_begin(ctl);
	hl_dxg_run(&k);
	hl_dxg_request_end(ctl);
}

/* CANCEL or the connection's end: only a waiting LOCK has state. */
static void hl_dxg_cancel(struct hl_req *req)
{
	struct hl_dxg_lockwait *lw = (void *)(uintptr_t)req->arg[0];

	if (req->op != DXG_WIRE_OP_LOCK || !lw)
		return;
	/* Taken, its reply not sent yet: the guest gave up on it all the same. */
	if (hl_dxg_lock_cancel(lw->ad->g, &lw->who, lw->alloc) == -EINVAL)
		hl_dxg_unlock(lw->ad->g, &lw->who, lw->alloc);
	hl_dxg_lockwait_free(lw);
}

/* ---- the daemon's start and stop ---- */

static void hl_dxg_stop(struct hl_daemon *d)
{
	struct hl_dxg_host *host = d->dxg;
	unsigned int i;

	if (!host)
		return;
	for (i = 0; i < host->n; i++) {
		hl_dxg_engine_destroy(host->ad[i].eng);
		hl_dxg_soft_destroy(host->ad[i].soft);
	}
	free(host);
	d->dxg = NULL;
}

static int hl_dxg_start(struct hl_daemon *d)
{
	const struct hl_config *cfg = d->cfg;
	struct hl_dxg_host *host;
	uint32_t luid_high;
	unsigned int i;
	int ret;

	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	ret = d->random(&luid_high, sizeof(luid_high));
	if (ret)
		goto err_free;
	d->dxg = host;
	for (i = 0; i < cfg->dxg_nadapters; i++) {
		const struct hl_dxg_adapter_cfg *ac = &cfg->dxg_adapters[i];
		struct hl_dxg_host_adapter *ha = &host->ad[i];
		struct hl_dxg_engine_cfg ec = {
			.workers = cfg->dxg_workers,
			.max_guest_memory = ac->memory < cfg->dxg_max_memory ?
					    ac->memory : cfg->dxg_max_memory,
			.max_process_objects = cfg->dxg_max_objects,
		};

		ret = hl_dxg_soft_create(&ha->soft);
		if (ret)
			goto err_stop;
		if (cfg->dxg_fail_opcode)
			hl_dxg_soft_inject(ha->soft, cfg->dxg_fail_opcode, EIO);
		ret = hl_dxg_engine_create(&ec, &hl_dxg_soft_ops, ha->soft, &hl_dxg_notify,
					   &ha->eng);
		if (ret) {
			hl_dxg_soft_destroy(ha->soft);
			goto err_stop;
		}
		ha->cfg = ac;
		ha->luid_high = luid_high;
		ha->luid_low = i + 1;
		host->n++;
		hl_info("dxg: adapter %s, %" PRIu64 " MiB, %u workers", ac->name,
			ac->memory >> 20, cfg->dxg_workers);
	}
	return 0;

err_stop:
	hl_dxg_stop(d);
	return ret;
err_free:
	free(host);
	return ret;
}

const struct hl_service hl_svc_dxg = {
	.name = DXG_WIRE_SERVICE,
	.port = HOSTLINK_PORT_DXG,
	.request = hl_dxg_request,
	.cancel = hl_dxg_cancel,
	.attach = hl_dxg_bulk_attach,
	.raw_data = hl_dxg_bulk_raw_data,
	.raw_eof = hl_dxg_bulk_raw_eof,
	.writable = hl_dxg_bulk_writable,
	.conn_close = hl_dxg_conn_close,
	.start = hl_dxg_start,
	.stop = hl_dxg_stop,
};
