/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GPU service of hostlinkd ("dxg", Documentation/dxg-protocol.rst):
 * the state that hl_dxg_svc.c (HELLO, requests, events) and
 * hl_dxg_bulk.c (bulk transfers on attached connections) share.  Not
 * for the engine, which knows nothing of connections.
 *
 * Threads: everything runs on the daemon's loop (or reader) threads
 * under the daemon lock, except the engine's notifications, which come
 * on its worker threads (and on the loop's, from inside engine calls)
 * with the engine lock held.  Those only queue a note on their
 * connection's hl_dxg_ctl.notes, under hl_dxg_ctl.lock, and post one
 * completion that sends the notes from the loop thread.
 *
 * Lock order: daemon lock > engine lock > hl_dxg_ctl.lock > the
 * daemon's post_lock.
 */
#ifndef HL_DXG_SVC_H
#define HL_DXG_SVC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../hl_daemon.h"
#include "hl_dxg_engine.h"
#include "hl_dxg_soft.h"

/* Bulk transfers open at once on one control connection (EAGAIN beyond). */
#define HL_DXG_MAX_BULKS	16
/* A bulk transfer that moves nothing for this long ends, ETIMEDOUT. */
#define HL_DXG_BULK_IDLE_MS	10000
/* A bulk READ queues at most this much on its connection at a time. */
#define HL_DXG_BULK_WINDOW	(256 * 1024)
/* ... in pieces of this size. */
#define HL_DXG_BULK_CHUNK	(64 * 1024)

/* What a connection's svc_priv points to. */
enum hl_dxg_kind_tag {
	HL_DXG_TAG_CTL = 0x6374,	/* struct hl_dxg_ctl */
	HL_DXG_TAG_BULK = 0x626b,	/* struct hl_dxg_bulk */
};

/**
 * struct hl_dxg_host_adapter - one configured adapter, for the daemon's life
 * @soft: its software backend.
 * @eng: its engine.
 * @cfg: its configuration line.
 * @luid_low: LUID, low half.
 * @luid_high: LUID, high half.
 */
struct hl_dxg_host_adapter {
	struct hl_dxg_soft *soft;
	struct hl_dxg_engine *eng;
	const struct hl_dxg_adapter_cfg *cfg;
	uint32_t luid_low, luid_high;
};

/**
 * struct hl_dxg_host - the service's state (hl_daemon.dxg)
 * @n: adapters.
 * @ad: them.
 */
struct hl_dxg_host {
	unsigned int n;
	struct hl_dxg_host_adapter ad[DXG_WIRE_MAX_ADAPTERS];
};

struct hl_dxg_ctl;

/**
 * struct hl_dxg_ad - one adapter on one control connection; the cookie of
 *	its engine guest
 * @ctl: the connection's state.
 * @idx: index in hl_dxg_host.ad.
 * @g: the engine guest.
 * @nonce: its instance nonce.
 * @bytes_read: QUERY STATS, counted here (loop thread).
 * @bytes_written: likewise.
 * @events_coalesced: likewise.
 */
struct hl_dxg_ad {
	struct hl_dxg_ctl *ctl;
	unsigned int idx;
	struct hl_dxg_guest *g;
	uint64_t nonce;
	uint64_t bytes_read, bytes_written, events_coalesced;
};

/**
 * struct hl_dxg_ctl - a control connection's state (its svc_priv)
 * @tag: HL_DXG_TAG_CTL.
 * @c: the connection; NULL once it is gone.
 * @d: the daemon.
 * @hello: HELLO succeeded.
 * @features: DXG_WIRE_FEAT_* in force.
 * @n_ad: adapters, as in the HELLO reply.
 * @ad: them.
 * @locks: LOCK requests waiting (struct hl_dxg_lockwait.node).
 * @bulks: bulk transfers not ended (struct hl_dxg_bulk.node).
 * @n_bulks: their number.
 * @next_dev_key: keys of DEVICE events, which must all arrive.
 * @ev_lost: events not sent (held back beyond HL_EVENT_HOLD, no memory).
 *
 * @lock: protects what follows; taken in the engine's notifications.
 * @notes: struct hl_dxg_note, oldest first.
 * @posted: @post is with the daemon.
 * @in_request: a request is being handled, which sends @notes at its
 *	end (hl_dxg_request_begin()); nothing is posted meanwhile.
 * @dead: the connection is gone; the post frees what it finds.
 * @refs: the connection's and the queued post's.
 * @notes_lost: notes that could not be allocated.
 * @post: the completion that sends @notes.
 */
struct hl_dxg_ctl {
	uint32_t tag;
	struct hl_conn *c;
	struct hl_daemon *d;
	bool hello;
	uint64_t features;
	unsigned int n_ad;
	struct hl_dxg_ad ad[DXG_WIRE_MAX_ADAPTERS];
	struct hl_list locks;
	struct hl_list bulks;
	unsigned int n_bulks;
	uint64_t next_dev_key;
	uint64_t ev_lost;

	pthread_mutex_t lock;
	struct hl_list notes;
	bool posted;
	bool in_request;
	bool dead;
	unsigned int refs;
	uint64_t notes_lost;
	struct hl_post post;
};

/**
 * struct hl_dxg_bulk - one bulk READ or WRITE (hl_dxg_bulk.c)
 * @tag: HL_DXG_TAG_BULK.
 * @node: in hl_dxg_ctl.bulks while @ctl is set.
 * @ctl: the control connection's state; NULL once it is gone.
 * @ad: the adapter, while @ctl is set.
 * @raw: the attached connection, or NULL before ATTACH.
 * @who: the request's process, nonce and handle.
 * @alloc: the allocation.
 * @offset: the first byte.
 * @length: bytes to move.
 * @done: bytes moved.
 * @write: WRITE (guest to host), else READ.
 * @ended: bulk_done is queued or the connection closed.
 * @timer: attach deadline, then the idle deadline.
 * @d: the daemon, for its timers and clock.
 */
struct hl_dxg_bulk {
	uint32_t tag;
	struct hl_list node;
	struct hl_dxg_ctl *ctl;
	struct hl_dxg_ad *ad;
	struct hl_conn *raw;
	struct hl_dxg_who who;
	uint64_t alloc, offset, length, done;
	bool write;
	bool ended;
	struct hl_timer timer;
	struct hl_daemon *d;
};

/* A LOCK waiting for queued work (struct hl_dxg_ctl.locks); hl_req.arg[0]. */
struct hl_dxg_lockwait {
	struct hl_list node;
	struct hl_req *req;
	struct hl_dxg_ad *ad;
	struct hl_dxg_who who;
	uint64_t alloc;
};

/* hl_dxg_events.c */
extern const struct hl_dxg_notify_ops hl_dxg_notify;
void hl_dxg_flush(struct hl_dxg_ctl *ctl);
void hl_dxg_ctl_put(struct hl_dxg_ctl *ctl);
void hl_dxg_request_begin(struct hl_dxg_ctl *ctl);
void hl_dxg_request_end(struct hl_dxg_ctl *ctl);
void hl_dxg_ctl_free(struct hl_dxg_ctl *ctl);
void hl_dxg_lockwait_free(struct hl_dxg_lockwait *lw);
void hl_dxg_state_le(struct dxg_wire_device_state *out,
		     const struct dxg_wire_device_state *st);

/* hl_dxg_bulk.c */
int hl_dxg_bulk_start(struct hl_req *req, struct hl_dxg_ad *ad,
		      const struct hl_dxg_who *w, const struct dxg_wire_xfer *x,
		      bool write);
void hl_dxg_bulk_end_alloc(struct hl_dxg_ctl *ctl, struct hl_dxg_ad *ad,
			   uint64_t process, uint64_t alloc);
void hl_dxg_bulk_recheck(struct hl_dxg_ctl *ctl, struct hl_dxg_ad *ad,
			 uint64_t process);
void hl_dxg_bulk_drop_ctl(struct hl_dxg_ctl *ctl);
int hl_dxg_bulk_attach(struct hl_conn *c, void *priv);
void hl_dxg_bulk_raw_data(struct hl_conn *c, const uint8_t *buf, size_t len);
void hl_dxg_bulk_raw_eof(struct hl_conn *c);
void hl_dxg_bulk_writable(struct hl_conn *c);
void hl_dxg_bulk_conn_close(struct hl_conn *c);

#endif /* HL_DXG_SVC_H */
