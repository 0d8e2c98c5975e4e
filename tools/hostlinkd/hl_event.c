// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: EVENT frames a service sends on a control connection
 * outside any request (hl_conn_event(), see hl_daemon.h), and what is
 * held back of them while the connection may not queue.
 *
 * While the connection can queue (hl_conn_can_queue()) and nothing is
 * held, an event goes straight to the send queue.  Otherwise it is held
 * on c->ev_held, in order, and an event held with the same op and key
 * is replaced: the earlier value is dropped and the new one goes to the
 * end of the line.  What the guest receives is thus the sequence sent,
 * less events that a later one of the same op and key superseded while
 * they waited.  Held events go out, in order, as soon as the connection
 * may queue again (hl_conn_kick()); they take at most HL_EVENT_HOLD
 * bytes per connection, beyond which hl_conn_event() says -ENOBUFS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"

/* A held event: what hl_conn_event() was given, not yet queued. */
struct hl_event {
	struct hl_list node;	/* in hl_conn.ev_held */
	uint32_t op;
	uint64_t key;
	uint32_t len;
	uint8_t data[];
};

/* What a held event counts against HL_EVENT_HOLD: the frame it becomes. */
static size_t hl_event_cost(uint32_t len)
{
	return HL_HDR_LEN + (size_t)len;
}

static int hl_event_queue(struct hl_conn *c, uint32_t op, const void *data,
			  uint32_t len)
{
	struct hl_hdr h;

	hl_hdr_init(&h, HOSTLINK_EVENT, c->rx.version);
	h.op = op;
	h.len = len;
	return hl_conn_send(c, &h, data);
}

static void hl_event_free(struct hl_conn *c, struct hl_event *ev)
{
	hl_list_del(&ev->node);
	c->ev_held_bytes -= hl_event_cost(ev->len);
	c->ev_nheld--;
	free(ev);
}

/*
 * Queues held events, oldest first, while the connection may queue.
 * Called when it is unblocked and before a new event.
 */
void hl_event_flush(struct hl_conn *c)
{
	while (!hl_list_empty(&c->ev_held) && c->state == HL_CONN_CONTROL &&
	       hl_conn_can_queue(c)) {
		struct hl_event *ev = hl_list_first(&c->ev_held, struct hl_event, node);

		if (hl_event_queue(c, ev->op, ev->data, ev->len))
			return;	/* closed: hl_event_drop_conn() frees them */
		hl_event_free(c, ev);
	}
}

/* The connection is going: its held events with it. */
void hl_event_drop_conn(struct hl_conn *c)
{
	while (!hl_list_empty(&c->ev_held))
		hl_event_free(c, hl_list_first(&c->ev_held, struct hl_event, node));
}

static struct hl_event *hl_event_find(struct hl_conn *c, uint32_t op, uint64_t key)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &c->ev_held) {
		struct hl_event *ev = hl_list_entry(pos, struct hl_event, node);

		if (ev->op == op && ev->key == key)
			return ev;
	}
	return NULL;
}

/* Holds an event, superseding one of the same op and key. */
static int hl_event_hold(struct hl_conn *c, uint32_t op, uint64_t key,
			 const void *data, uint32_t len)
{
	struct hl_event *old = hl_event_find(c, op, key), *ev;
	size_t bytes = c->ev_held_bytes - (old ? hl_event_cost(old->len) : 0);

	if (bytes + hl_event_cost(len) > HL_EVENT_HOLD)
		return -ENOBUFS;
	/* The new one first: on failure the old value is still there. */
	ev = malloc(sizeof(*ev) + len);
	if (!ev)
		return -ENOMEM;
	ev->op = op;
	ev->key = key;
	ev->len = len;
	if (len)
		memcpy(ev->data, data, len);
	if (old)
		hl_event_free(c, old);
	hl_list_add_tail(&ev->node, &c->ev_held);
	c->ev_held_bytes += hl_event_cost(len);
	c->ev_nheld++;
	/* Unblocking then kicks the connection, which flushes. */
	hl_conn_update_block(c);
	return 0;
}

/**
 * hl_conn_event() - send an EVENT on a control connection
 * @c: the connection.
 * @op: the service's event code.
 * @key: what the event is about (see hl_daemon.h).
 * @data: the payload.
 * @len: its length.
 *
 * Return: 0 (queued or held), -ENOTCONN (not a control connection, or
 * closing), -EOPNOTSUPP (the guest did not agree to HOSTLINK_FEAT_EVENTS),
 * -EMSGSIZE (over the agreed frame), -ENOBUFS (held events at
 * HL_EVENT_HOLD: this one is not sent) or -ENOMEM.
 */
int hl_conn_event(struct hl_conn *c, uint32_t op, uint64_t key,
		  const void *data, uint32_t len)
{
	int ret = hl_conn_event_check(c, len);

	if (ret)
		return ret;
	hl_event_flush(c);
	if (hl_list_empty(&c->ev_held) && hl_conn_can_queue(c))
		return hl_event_queue(c, op, data, len);
	return hl_event_hold(c, op, key, data, len);
}

/*
 * The payload of the event held with @op and @key, which the next one
 * of the same op and key would supersede, or NULL: for a service that
 * folds what it would lose into the new one.
 */
const void *hl_conn_event_held(struct hl_conn *c, uint32_t op, uint64_t key,
			       uint32_t *len)
{
	struct hl_event *ev = hl_event_find(c, op, key);

	if (!ev)
		return NULL;
	*len = ev->len;
	return ev->data;
}
