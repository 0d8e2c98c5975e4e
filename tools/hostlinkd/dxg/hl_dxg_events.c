// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: what the GPU service's engines say, to the guest.  The
 * notifications come on the engines' worker threads (or inside an
 * engine call on the loop thread) with the engine lock held: they only
 * queue a note on the connection and post one completion, which sends
 * the notes from the loop thread as FENCE and DEVICE events and the
 * replies of LOCKs that waited (see hl_dxg_svc.h for the threads and
 * the lock order).
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hl_dxg_svc.h"

/* A note from the engine (struct hl_dxg_ctl.notes). */
enum hl_dxg_note_kind {
	HL_DXG_NOTE_FENCE,
	HL_DXG_NOTE_DEVICE,
	HL_DXG_NOTE_LOCK,
};

struct hl_dxg_note {
	struct hl_list node;
	enum hl_dxg_note_kind kind;
	struct hl_dxg_ad *ad;
	uint64_t process;
	uint64_t id;			/* fence, device or allocation */
	uint64_t value;			/* FENCE */
	uint32_t error;			/* FENCE: positive errno; LOCK: 0 or ECANCELED */
	struct dxg_wire_device_state st;	/* DEVICE, host-endian */
};

/* ---- the engine's notifications: any thread, engine lock held ---- */

static void hl_dxg_posted(struct hl_daemon *d, struct hl_post *p);

static void hl_dxg_note_add(struct hl_dxg_ad *ad, struct hl_dxg_note *n)
{
	struct hl_dxg_ctl *ctl = ad->ctl;
	struct hl_daemon *d = ctl->d;
	bool post = false;

	pthread_mutex_lock(&ctl->lock);
	if (!n) {
		ctl->notes_lost++;
	} else {
		hl_list_add_tail(&n->node, &ctl->notes);
	}
	/* A request being handled sends them itself when it returns. */
	if (n && !ctl->posted && !ctl->dead && !ctl->in_request) {
		ctl->posted = true;
		ctl->refs++;
		post = true;
	}
	/* Under the lock, so that the post cannot run and drop its ref first. */
	if (post && hl_daemon_post(d, &ctl->post, hl_dxg_posted)) {
		ctl->posted = false;
		ctl->refs--;
	}
	pthread_mutex_unlock(&ctl->lock);
}

static struct hl_dxg_note *hl_dxg_note_new(struct hl_dxg_ad *ad,
					   enum hl_dxg_note_kind kind,
					   uint64_t process, uint64_t id)
{
	struct hl_dxg_note *n = calloc(1, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->ad = ad;
		n->process = process;
		n->id = id;
	}
	return n;
}

static void hl_dxg_notify_fence(void *cookie, uint64_t process, uint64_t fence,
				uint64_t value, uint32_t error)
{
	struct hl_dxg_note *n = hl_dxg_note_new(cookie, HL_DXG_NOTE_FENCE, process, fence);

	if (n) {
		n->value = value;
		n->error = error;
	}
	hl_dxg_note_add(cookie, n);
}

static void hl_dxg_notify_device(void *cookie, uint64_t process, uint64_t device,
				 const struct dxg_wire_device_state *state)
{
	struct hl_dxg_note *n = hl_dxg_note_new(cookie, HL_DXG_NOTE_DEVICE, process, device);

	if (n)
		n->st = *state;
	hl_dxg_note_add(cookie, n);
}

static void hl_dxg_notify_lock(void *cookie, uint64_t process, uint64_t alloc, int err)
{
	struct hl_dxg_note *n = hl_dxg_note_new(cookie, HL_DXG_NOTE_LOCK, process, alloc);

	if (n)
		n->error = err < 0 ? -err : err;
	hl_dxg_note_add(cookie, n);
}

const struct hl_dxg_notify_ops hl_dxg_notify = {
	.fence = hl_dxg_notify_fence,
	.device = hl_dxg_notify_device,
	.lock = hl_dxg_notify_lock,
};

/* ---- notes to frames: the loop thread ---- */

static void hl_dxg_ev_failed(struct hl_dxg_ctl *ctl, const char *what, int ret)
{
	if (ret == -ENOTCONN)
		return;	/* closing: nobody to tell */
	ctl->ev_lost++;
	hl_conn_log(ctl->c, HL_LOG_WARN, "dxg: %s event not sent (%s), %" PRIu64 " lost so far",
		    what, strerror(-ret), ctl->ev_lost);
}

static void hl_dxg_send_fence(struct hl_dxg_ctl *ctl, const struct hl_dxg_note *n)
{
	struct dxg_wire_ev_fence ev = {
		.process = htole64(n->process),
		.fence = htole64(n->id),
		.value = htole64(n->value),
		.error = htole32(n->error),
	};
	const struct dxg_wire_ev_fence *held;
	uint32_t len;
	int ret;

	/* The held one goes: its error, the first, travels on. */
	held = hl_conn_event_held(ctl->c, DXG_WIRE_EV_FENCE, n->id, &len);
	if (held && len == sizeof(*held)) {
		uint32_t herr;

		memcpy(&herr, (const uint8_t *)held + offsetof(struct dxg_wire_ev_fence, error),
		       sizeof(herr));
		if (herr)
			ev.error = herr;
		n->ad->events_coalesced++;
	}
	ret = hl_conn_event(ctl->c, DXG_WIRE_EV_FENCE, n->id, &ev, sizeof(ev));
	if (ret)
		hl_dxg_ev_failed(ctl, "FENCE", ret);
}

void hl_dxg_state_le(struct dxg_wire_device_state *out,
			    const struct dxg_wire_device_state *st)
{
	*out = (struct dxg_wire_device_state){
		.state = htole32(st->state),
		.error = htole32(st->error),
		.context = htole64(st->context),
		.submit = htole64(st->submit),
		.cmd_offset = htole32(st->cmd_offset),
		.opcode = htole16(st->opcode),
	};
}

static void hl_dxg_send_device(struct hl_dxg_ctl *ctl, const struct hl_dxg_note *n)
{
	struct dxg_wire_ev_device ev = {
		.process = htole64(n->process),
		.device = htole64(n->id),
	};
	int ret;

	hl_dxg_state_le(&ev.state, &n->st);
	/* A key of its own: DEVICE events are never superseded. */
	ret = hl_conn_event(ctl->c, DXG_WIRE_EV_DEVICE, ++ctl->next_dev_key, &ev,
			    sizeof(ev));
	if (ret)
		hl_dxg_ev_failed(ctl, "DEVICE", ret);
}

void hl_dxg_lockwait_free(struct hl_dxg_lockwait *lw)
{
	hl_list_del(&lw->node);
	lw->req->arg[0] = 0;
	free(lw);
}

/* A LOCK that waited is taken or ended: its reply. */
static void hl_dxg_lock_done(struct hl_dxg_ctl *ctl, const struct hl_dxg_note *n)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &ctl->locks) {
		struct hl_dxg_lockwait *lw = hl_list_entry(pos, struct hl_dxg_lockwait, node);
		struct hl_req *req = lw->req;

		if (lw->ad != n->ad || lw->who.process != n->process || lw->alloc != n->id)
			continue;
		hl_dxg_lockwait_free(lw);
		hl_req_reply(req, n->error, NULL, 0);
		return;
	}
	/* Cancelled meanwhile: nobody waits for it. */
}

/* Sends what the engine said, in order.  Context: loop thread. */
void hl_dxg_flush(struct hl_dxg_ctl *ctl)
{
	struct hl_list todo;

	hl_list_init(&todo);
	pthread_mutex_lock(&ctl->lock);
	hl_list_splice_tail(&ctl->notes, &todo);
	pthread_mutex_unlock(&ctl->lock);
	while (!hl_list_empty(&todo)) {
		struct hl_dxg_note *n = hl_list_first(&todo, struct hl_dxg_note, node);

		hl_list_del(&n->node);
		switch (n->kind) {
		case HL_DXG_NOTE_FENCE:
			hl_dxg_send_fence(ctl, n);
			break;
		case HL_DXG_NOTE_DEVICE:
			hl_dxg_send_device(ctl, n);
			break;
		case HL_DXG_NOTE_LOCK:
			hl_dxg_lock_done(ctl, n);
			break;
		}
		free(n);
	}
}

/**
 * hl_dxg_request_begin() - a request's handling starts
 * @ctl: its connection's.
 *
 * The notes that come until hl_dxg_request_end(), made inside the
 * engine calls of the handler or by workers meanwhile, are not posted:
 * hl_dxg_request_end() sends them, after the request's reply, so the
 * two leave in one send and the guest's caller, reading its reply,
 * finds the FENCE events of its own small submission with it.
 * Context: the daemon's thread handling the request, daemon lock held.
 */
void hl_dxg_request_begin(struct hl_dxg_ctl *ctl)
{
	pthread_mutex_lock(&ctl->lock);
	ctl->in_request = true;
	ctl->refs++;	/* the handler may close the connection */
	pthread_mutex_unlock(&ctl->lock);
}

/* The handler returned: send the notes it let come (see above). */
void hl_dxg_request_end(struct hl_dxg_ctl *ctl)
{
	bool dead;

	pthread_mutex_lock(&ctl->lock);
	ctl->in_request = false;
	dead = ctl->dead;
	pthread_mutex_unlock(&ctl->lock);
	if (!dead)
		hl_dxg_flush(ctl);
	hl_dxg_ctl_put(ctl);
}

static void hl_dxg_notes_free(struct hl_list *notes)
{
	while (!hl_list_empty(notes)) {
		struct hl_dxg_note *n = hl_list_first(notes, struct hl_dxg_note, node);

		hl_list_del(&n->node);
		free(n);
	}
}

void hl_dxg_ctl_free(struct hl_dxg_ctl *ctl)
{
	hl_dxg_notes_free(&ctl->notes);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}

/* Drops a reference; the last frees. */
void hl_dxg_ctl_put(struct hl_dxg_ctl *ctl)
{
	unsigned int refs;

	pthread_mutex_lock(&ctl->lock);
	refs = --ctl->refs;
	pthread_mutex_unlock(&ctl->lock);
	if (!refs)
		hl_dxg_ctl_free(ctl);
}

static void hl_dxg_posted(struct hl_daemon *d, struct hl_post *p)
{
	struct hl_dxg_ctl *ctl = hl_container_of(p, struct hl_dxg_ctl, post);
	bool dead;

	(void)d;
	pthread_mutex_lock(&ctl->lock);
	ctl->posted = false;
	dead = ctl->dead;
	pthread_mutex_unlock(&ctl->lock);
	/* The connection went while this was queued: ctl->c is no more. */
	if (!dead)
		hl_dxg_flush(ctl);
	hl_dxg_ctl_put(ctl);
}

