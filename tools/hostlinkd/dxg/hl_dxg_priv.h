/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GPU service engine's insides, shared by hl_dxg_engine.c (tables,
 * references, retirement, workers, guests) and hl_dxg_ops.c (the ops
 * the service layer calls, SUBMIT among them).  Not for the service.
 */
#ifndef HL_DXG_PRIV_H
#define HL_DXG_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hl_dxg_engine.h"
#include "../hl_list.h"

#define HL_DXG_HASH	256

enum hl_dxg_kind {
	HL_DXG_ADAPTER = 1,
	HL_DXG_DEVICE,
	HL_DXG_CONTEXT,
	HL_DXG_ALLOC,
	HL_DXG_FENCE,
};

/* A guest process: its object count and memory, for the limits. */
struct hl_dxg_proc {
	struct hl_list node;		/* in hl_dxg_guest.procs */
	uint64_t id;
	unsigned int n_objs;		/* live ids */
	uint64_t mem;			/* allocation bytes, held ones included */
};

/* What every object with an id has; all protected by hl_dxg_engine.lock. */
struct hl_dxg_obj {
	struct hl_list hnode;		/* in hl_dxg_guest.hash; empty once destroyed */
	uint64_t id;
	uint64_t adapter;		/* the handle it was made through */
	enum hl_dxg_kind kind;
	struct hl_dxg_proc *proc;
};

struct hl_dxg_adapter {
	struct hl_dxg_obj obj;
	struct hl_list node;		/* in hl_dxg_guest.adapters */
	struct hl_list devices;
};

struct hl_dxg_device {
	struct hl_dxg_obj obj;
	struct hl_list node;		/* in hl_dxg_adapter.devices */
	struct hl_list contexts, allocs, fences;
	struct dxg_wire_device_state st;	/* host-endian values */
	unsigned int refs;		/* 1 while live, 1 per context struct */
	bool dead;
};

struct hl_dxg_alloc {
	struct hl_dxg_obj obj;
	struct hl_list node;		/* in hl_dxg_device.allocs */
	struct hl_dxg_device *dev;	/* only looked at while live */
	struct hl_dxg_guest *g;
	struct hl_dxg_proc *proc;
	void *mem;
	uint64_t size;
	unsigned int refs;		/* 1 while live, 1 per queued use */
	uint32_t lock_flags;		/* DXG_WIRE_LOCK_*; 0: not locked */
	uint64_t lock_off, lock_len;
	bool lock_ready;		/* taken, not waiting for queued work */
};

struct hl_dxg_fence {
	struct hl_dxg_obj obj;
	struct hl_list node;		/* in hl_dxg_device.fences */
	struct hl_dxg_device *dev;
	uint64_t value;
	unsigned int refs;		/* 1 while live, 1 per wait/signal entry */
	bool dead;
};

struct hl_dxg_fv {
	struct hl_dxg_fence *f;
	uint64_t value;
};

struct hl_dxg_sub {
	struct hl_list node;		/* in hl_dxg_context.queue */
	struct hl_dxg_context *ctx;
	uint64_t number;
	unsigned int n_allocs, n_waits, n_signals;
	struct hl_dxg_alloc **allocs;
	struct hl_dxg_buf *bufs;
	struct hl_dxg_fv *waits, *signals;
	uint8_t *cmds;
	uint32_t cmd_bytes;
	uint64_t cost;			/* hl_dxg_cmdbuf_check()'s */
	int cancel;			/* atomic: stop after this command */
};

struct hl_dxg_context {
	struct hl_dxg_obj obj;
	struct hl_list node;		/* in hl_dxg_device.contexts while live */
	struct hl_list runq;		/* in hl_dxg_engine.runq when on it */
	struct hl_dxg_device *dev;	/* holds a reference */
	struct hl_dxg_guest *g;
	struct hl_list queue;		/* hl_dxg_sub not started, in order */
	struct hl_dxg_sub *running;
	uint64_t next_submit;
	unsigned int n_queued;		/* queue + running */
	bool on_runq, dead;
};

struct hl_dxg_guest {
	struct hl_dxg_engine *eng;
	void *cookie;
	uint64_t nonce;
	uint64_t next_id;
	struct hl_list hash[HL_DXG_HASH];
	struct hl_list procs;
	unsigned int n_procs;
	struct hl_list adapters;		/* hl_dxg_adapter, the open handles */
	uint64_t mem;
	unsigned int n_running;		/* submissions on workers */
	bool dying;			/* no more notifications */
	bool lost;			/* the adapter is lost: ENODEV */
	pthread_cond_t idle;		/* n_running reached 0 */
	struct dxg_wire_query_stats stats;	/* host-endian */
};

struct hl_dxg_engine {
	pthread_mutex_t lock;		/* protects everything below and every object */
	pthread_cond_t work;		/* runq not empty, or stop */
	struct hl_list runq;
	bool stop;
	struct hl_dxg_engine_cfg cfg;
	const struct hl_dxg_backend_ops *be;
	void *be_priv;
	const struct hl_dxg_notify_ops *notify;
	unsigned int n_threads;
	pthread_t *threads;
};


/* Runs @expr with the engine lock held; its int result is the value. */
#define HL_DXG_LOCKED(g, expr) ({					\
	int __r;							\
	pthread_mutex_lock(&(g)->eng->lock);				\
	__r = (expr);							\
	pthread_mutex_unlock(&(g)->eng->lock);				\
	__r;								\
})

/* hl_dxg_engine.c */
uint64_t hl_dxg_now_ns(void);
struct hl_dxg_obj *hl_dxg_find(struct hl_dxg_guest *g,
			       const struct hl_dxg_who *w, uint64_t id,
			       enum hl_dxg_kind kind);
struct hl_dxg_proc *hl_dxg_proc_find(struct hl_dxg_guest *g,
				     uint64_t process);
int hl_dxg_obj_room(struct hl_dxg_guest *g, uint64_t process,
		    struct hl_dxg_proc **out);
void hl_dxg_obj_publish(struct hl_dxg_guest *g, struct hl_dxg_obj *o,
			struct hl_dxg_proc *p, uint64_t adapter,
			enum hl_dxg_kind kind);
int hl_dxg_who_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		     struct hl_dxg_adapter **out);
int hl_dxg_handle_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w);
int hl_dxg_obj_get(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		   uint64_t id, enum hl_dxg_kind kind, struct hl_dxg_obj **out);
int hl_dxg_device_find(struct hl_dxg_guest *g,
		       const struct hl_dxg_who *w, uint64_t id,
		       struct hl_dxg_device **out);
int hl_dxg_dev_usable(const struct hl_dxg_device *dev);
void hl_dxg_fence_apply(struct hl_dxg_guest *g, struct hl_dxg_fence *f,
			uint64_t value, int err);
void hl_dxg_sub_free(struct hl_dxg_sub *s);
void hl_dxg_dev_settle(struct hl_dxg_guest *g, struct hl_dxg_device *dev);
void hl_dxg_context_kill(struct hl_dxg_guest *g, struct hl_dxg_context *c);
void hl_dxg_alloc_kill(struct hl_dxg_guest *g, struct hl_dxg_alloc *a);
void hl_dxg_fence_kill(struct hl_dxg_guest *g, struct hl_dxg_fence *f);
void hl_dxg_device_kill(struct hl_dxg_guest *g, struct hl_dxg_device *dev);
void hl_dxg_adapter_free(struct hl_dxg_guest *g, struct hl_dxg_adapter *a);

#endif
