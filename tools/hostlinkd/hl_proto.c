// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the protocol on one connection, after hl_conn.c has cut a
 * frame and checked its header: the handshake (HELLO -> WELCOME), extra
 * connections (ATTACH -> ATTACHED), requests and cancels, and the
 * request API that services answer through.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"

static const char *hl_status_name(uint32_t status)
{
	switch (status) {
	case 0:
		return "0";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EUSERS:
		return "EUSERS";
	case EPROTONOSUPPORT:
		return "EPROTONOSUPPORT";
	default:
		return "error";
	}
}

/* Answers HELLO with an error and closes once the answer is sent. */
__attribute__((format(printf, 3, 4)))
static void hl_proto_refuse(struct hl_conn *c, uint32_t status, const char *fmt, ...)
{
	const struct hl_config *cfg = c->d->cfg;
	struct hl_welcome w = {
		.min_version = cfg->proto_min,
		.max_version = cfg->proto_max,
		.max_frame = cfg->max_frame,
	};
	uint8_t buf[HL_WELCOME_LEN];
	struct hl_hdr h;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w.message, sizeof(w.message), fmt, ap);
	va_end(ap);
	hl_welcome_encode(buf, &w);
	hl_hdr_init(&h, HOSTLINK_WELCOME, cfg->proto_max);
	h.status = status;
	h.len = sizeof(buf);
	hl_conn_log(c, HL_LOG_WARN, "HELLO refused (%s): %s", hl_status_name(status),
		    w.message);
	hl_conn_send(c, &h, buf);
	hl_conn_close(c, true, NULL);
}

/* The service @name if it listens on the port the connection came to. */
static const struct hl_service *hl_proto_service(const struct hl_conn *c,
						 const char *name)
{
	const struct hl_config *cfg = c->d->cfg;
	unsigned int i;

	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].port == c->peer.lport &&
		    !strcmp(cfg->listen[i].service, name))
			return hl_service_find(name);
	return NULL;
}

static void hl_proto_named(struct hl_conn *c, const struct hl_service *svc)
{
	size_t n = strlen(c->logf);

	c->svc = svc;
	snprintf(c->logf + n, sizeof(c->logf) - n, " service=%s", svc->name);
}

static void hl_proto_hello(struct hl_conn *c, const struct hl_hello *hello)
{
	const struct hl_config *cfg = c->d->cfg;
	struct hl_welcome w = { 0 };
	const struct hl_service *svc;
	uint8_t buf[HL_WELCOME_LEN];
	unsigned int lo, hi;
	struct hl_hdr h;
	char why[HOSTLINK_MESSAGE_LEN];

	if (hl_guest_cid_allowed(c->d, &c->peer, why, sizeof(why)))
		return hl_proto_refuse(c, EPERM, "%s", why);
	/*
	 * What the VMM opened for the guest may come from any guest
	 * process; what we opened to the guest's reserved port only the
	 * guest kernel answers.
	 */
	if (c->peer.hybrid && !c->peer.dialled && !cfg->trust_hybrid)
		return hl_proto_refuse(c, EPERM, "hybrid vsock peers not trusted (trust_hybrid)");
	if (!c->peer.hybrid && c->peer.port >= HOSTLINK_RESERVED_PORT_END)
		return hl_proto_refuse(c, EPERM, "source port %u not reserved (below %u)",
				       c->peer.port, HOSTLINK_RESERVED_PORT_END);
	if (c->refuse_users)
		return hl_proto_refuse(c, EUSERS, "too many connections from this guest (%u)",
				       cfg->max_connections);
	lo = hello->min_version > cfg->proto_min ? hello->min_version : cfg->proto_min;
	hi = hello->max_version < cfg->proto_max ? hello->max_version : cfg->proto_max;
	if (hello->min_version > hello->max_version || lo > hi)
		return hl_proto_refuse(c, EPROTONOSUPPORT,
				       "no common version: guest %u-%u, host %u-%u",
				       hello->min_version, hello->max_version,
				       cfg->proto_min, cfg->proto_max);
	svc = hl_proto_service(c, hello->service);
	if (!svc)
		return hl_proto_refuse(c, ENOENT, "no service %s on port %u",
				       hello->service, c->peer.lport);

	hl_proto_named(c, svc);
	c->trusted = true;
	c->state = HL_CONN_CONTROL;
	c->rx.state = HL_RX_HOST_CONTROL;
	c->rx.version = hi;
	c->rx.max_frame = hello->max_frame < cfg->max_frame ? hello->max_frame :
			  cfg->max_frame;
	c->rx.features = hello->features & HOSTLINK_FEAT_ALL;
	hl_timer_cancel(&c->d->timers, &c->timer);

	w.version = hi;
	w.min_version = cfg->proto_min;
	w.max_version = cfg->proto_max;
	w.max_frame = cfg->max_frame;
	w.features = c->rx.features;
	hl_welcome_encode(buf, &w);
	hl_hdr_init(&h, HOSTLINK_WELCOME, cfg->proto_max);
	h.len = sizeof(buf);
	hl_conn_log(c, HL_LOG_INFO,
		    "guest connected: version %u, max_frame %u, features 0x%" PRIx64,
		    hi, c->rx.max_frame, c->rx.features);
	hl_conn_send(c, &h, buf);
}

static void hl_proto_attached(struct hl_conn *c, uint8_t version, uint32_t status,
			      const char *why)
{
	struct hl_hdr h;

	hl_hdr_init(&h, HOSTLINK_ATTACHED, version);
	h.status = status;
	if (status)
		hl_conn_log(c, HL_LOG_WARN, "ATTACH refused (%s): %s",
			    hl_status_name(status), why);
	hl_conn_send(c, &h, NULL);
	if (status)
		hl_conn_close(c, true, NULL);
}

static void hl_proto_attach(struct hl_conn *c, const struct hl_hdr *h,
			    const struct hl_attach *a)
{
	const struct hl_service *svc;
	char why[HOSTLINK_MESSAGE_LEN];
	void *priv;
	int ret;

	if (hl_guest_cid_allowed(c->d, &c->peer, why, sizeof(why)))
		return hl_proto_attached(c, h->version, EPERM, why);
	if (c->refuse_users)
		return hl_proto_attached(c, h->version, EUSERS,
					 "too many connections from this guest");
	if (hl_token_redeem(c, h, a, &svc, &priv, why, sizeof(why)))
		return hl_proto_attached(c, h->version, EACCES, why);

	hl_proto_named(c, svc);
	c->state = HL_CONN_RAW;
	hl_timer_cancel(&c->d->timers, &c->timer);
	hl_conn_log(c, HL_LOG_INFO, "extra connection attached");
	hl_proto_attached(c, h->version, 0, NULL);
	ret = svc->attach(c, priv);
	if (ret == HL_ATTACH_ADOPT && svc->adopt) {
		c->adopt = true;
		hl_conn_mark_dirty(c);
	} else if (ret) {
		hl_conn_close(c, false, "the service refused the attached connection");
	}
}

static struct hl_req *hl_proto_find(struct hl_conn *c, uint64_t id)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &c->reqs) {
		struct hl_req *req = hl_list_entry(pos, struct hl_req, node);

		if (req->id == id)
			return req;
	}
	return NULL;
}

static void hl_proto_reply(struct hl_conn *c, uint64_t id, uint32_t op,
			   uint32_t status, const void *data, uint32_t len)
{
	struct hl_hdr h;

	if (c->state != HL_CONN_CONTROL)
		return;
	hl_hdr_init(&h, HOSTLINK_REPLY, c->rx.version);
	h.op = op;
	h.id = id;
	h.status = status;
	h.len = len;
	hl_conn_send(c, &h, data);
}

static void hl_proto_request(struct hl_conn *c, const struct hl_frame *f)
{
	const struct hl_hdr *h = &f->hdr;
	struct hl_req *req;

	if (hl_proto_find(c, h->id)) {
		struct hl_frame_error err = { .code = HL_FERR_ID };

		snprintf(err.msg, sizeof(err.msg), "REQUEST id %" PRIu64 " already in flight",
			 h->id);
		return hl_conn_protocol_error(c, &err);
	}
	if (c->g->nreqs >= c->d->cfg->max_requests) {
		hl_conn_log(c, HL_LOG_DEBUG, "request %" PRIu64 ": %u in flight, EAGAIN",
			    h->id, c->g->nreqs);
		return hl_proto_reply(c, h->id, h->op, EAGAIN, NULL, 0);
	}
	req = calloc(1, sizeof(*req));
	if (!req)
		return hl_proto_reply(c, h->id, h->op, ENOMEM, NULL, 0);
	req->c = c;
	req->id = h->id;
	req->op = h->op;
	req->flags = h->flags;
	req->cred = f->u.req.cred;
	hl_timer_init(&req->timer, NULL);
	hl_list_init(&req->wait);
	hl_list_add_tail(&req->node, &c->reqs);
	c->g->nreqs++;
	c->svc->request(req, f->u.req.data, f->u.req.len);
}

static void hl_req_free(struct hl_req *req)
{
	struct hl_conn *c = req->c;

	hl_timer_cancel(&c->d->timers, &req->timer);
	hl_list_del(&req->node);
	hl_list_del(&req->wait);
	c->g->nreqs--;
	free(req);
}

static void hl_proto_cancel(struct hl_conn *c, uint64_t id)
{
	struct hl_req *req = hl_proto_find(c, id);

	if (!req) {
		hl_conn_log(c, HL_LOG_DEBUG, "CANCEL of %" PRIu64 ", not in flight", id);
		return;
	}
	hl_conn_log(c, HL_LOG_DEBUG, "request %" PRIu64 " cancelled", id);
	if (c->svc->cancel)
		c->svc->cancel(req);
	hl_req_free(req);
}

/* One checked frame from hl_conn.c. */
void hl_proto_dispatch(struct hl_conn *c, const struct hl_hdr *h,
		       const uint8_t *payload)
{
	struct hl_frame f = { .hdr = *h, .payload = payload };
	struct hl_frame_error err;

	if (hl_payload_check(&f, &c->rx, &err))
		return hl_conn_protocol_error(c, &err);
	switch (h->type) {
	case HOSTLINK_HELLO:
		return hl_proto_hello(c, &f.u.hello);
	case HOSTLINK_ATTACH:
		return hl_proto_attach(c, h, &f.u.attach);
	case HOSTLINK_REQUEST:
		return hl_proto_request(c, &f);
	case HOSTLINK_CANCEL:
		return hl_proto_cancel(c, h->id);
	}
}

/* The connection is going: drop its requests without replies. */
void hl_proto_close(struct hl_conn *c)
{
	while (!hl_list_empty(&c->reqs)) {
		struct hl_req *req = hl_list_first(&c->reqs, struct hl_req, node);

		if (c->svc && c->svc->cancel)
			c->svc->cancel(req);
		hl_req_free(req);
	}
}

/* The connection may queue again: wake the requests that waited. */
void hl_proto_resume(struct hl_conn *c)
{
	struct hl_list todo;

	hl_list_init(&todo);
	hl_list_splice_tail(&c->waiters, &todo);
	/* A resume may free other waiters: they unlink from @todo. */
	while (!hl_list_empty(&todo)) {
		struct hl_req *req = hl_list_first(&todo, struct hl_req, wait);

		hl_list_del(&req->wait);
		c->svc->resume(req);
	}
}

/**
 * hl_req_reply() - answer a request and free it
 * @req: the request; gone on return.
 * @status: 0 or a positive errno.
 * @data: the answer, with @status 0.
 * @len: its length.
 *
 * A reply larger than the agreed frame becomes EMSGSIZE.  On a
 * connection that is closing nothing is sent.
 */
void hl_req_reply(struct hl_req *req, uint32_t status, const void *data,
		  uint32_t len)
{
	struct hl_conn *c = req->c;

	if (status > HOSTLINK_ERRNO_MAX)
		status = EIO;
	if (!status && len > c->rx.max_frame)
		status = EMSGSIZE;
	if (status)
		len = 0;
	hl_proto_reply(c, req->id, req->op, status, data, len);
	hl_req_free(req);
}

/*
 * May an EVENT of @len bytes go to @c now?  0, -ENOTCONN (before HELLO
 * or closing), -EOPNOTSUPP (no HOSTLINK_FEAT_EVENTS), -EMSGSIZE.
 */
int hl_conn_event_check(const struct hl_conn *c, uint32_t len)
{
	if (c->state != HL_CONN_CONTROL)
		return -ENOTCONN;
	if (!(c->rx.features & HOSTLINK_FEAT_EVENTS))
		return -EOPNOTSUPP;
	if (len > c->rx.max_frame)
		return -EMSGSIZE;
	return 0;
}

/* Sends an EVENT on the request's connection.  0 or -errno. */
int hl_req_event(struct hl_req *req, uint32_t op, const void *data, uint32_t len)
{
	struct hl_conn *c = req->c;
	struct hl_hdr h;
	int ret = hl_conn_event_check(c, len);

	if (ret)
		return ret;
	hl_hdr_init(&h, HOSTLINK_EVENT, c->rx.version);
	h.op = op;
	h.len = len;
	return hl_conn_send(c, &h, data);
}

/* May the request's service queue more now? */
bool hl_req_can_send(const struct hl_req *req)
{
	return req->c->state == HL_CONN_CONTROL && hl_conn_can_queue(req->c);
}

/* Calls the service's resume() once the connection may queue again. */
void hl_req_wait_drain(struct hl_req *req)
{
	if (hl_list_empty(&req->wait))
		hl_list_add_tail(&req->wait, &req->c->waiters);
	/* Another connection may have filled the guest's queue: block. */
	hl_conn_update_block(req->c);
}
