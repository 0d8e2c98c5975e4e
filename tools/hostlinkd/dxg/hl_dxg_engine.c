// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPU service's engine: object tables, SUBMIT validation, one
 * ordered queue per context, worker threads running a backend.  The
 * rules are Documentation/dxg-protocol.rst's; this file cites its
 * sections rather than repeating them.
 *
 * Scheduling: a context is on the run queue only when its head
 * submission's waits are all satisfied, so a context waiting on a fence
 * holds no worker.  A worker takes a context off the run queue, pops its
 * head and runs it without the lock; the context is "running" until the
 * submission retires, which keeps its queue ordered.  Every change that
 * can make a head runnable or cancellable (a fence going up or dying, a
 * new submission, a retirement) ends with dev_settle() on the device.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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

static uint64_t hl_dxg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t hl_dxg_random(void)
{
	uint64_t v = 0;

	while (getrandom(&v, sizeof(v), 0) != sizeof(v))
		;
	return v;
}

/* ---- ids ---- */

static struct hl_dxg_obj *hl_dxg_find(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w, uint64_t id,
				      enum hl_dxg_kind kind)
{
	struct hl_list *pos, *tmp, *h = &g->hash[id % HL_DXG_HASH];

	hl_list_for_each_safe(pos, tmp, h) {
		struct hl_dxg_obj *o = hl_list_entry(pos, struct hl_dxg_obj, hnode);

		if (o->id != id)
			continue;
		if (o->kind != kind || o->proc->id != w->process ||
		    o->adapter != w->adapter)
			return NULL;
		return o;
	}
	return NULL;
}

static struct hl_dxg_proc *hl_dxg_proc_find(struct hl_dxg_guest *g,
					    uint64_t process)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &g->procs) {
		struct hl_dxg_proc *p = hl_list_entry(pos, struct hl_dxg_proc, node);

		if (p->id == process)
			return p;
	}
	return NULL;
}

/* The process's entry, made on its first object: NULL if over the limit. */
static struct hl_dxg_proc *hl_dxg_proc_get(struct hl_dxg_guest *g,
					   uint64_t process)
{
	struct hl_dxg_proc *p = hl_dxg_proc_find(g, process);

	if (p)
		return p;
	if (g->n_procs >= g->eng->cfg.max_processes)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->id = process;
	g->n_procs++;
	hl_list_add_tail(&p->node, &g->procs);
	return p;
}

/* A process with no id and no memory left has no entry. */
static void hl_dxg_proc_put(struct hl_dxg_guest *g, struct hl_dxg_proc *p)
{
	if (p->n_objs || p->mem)
		return;
	hl_list_del(&p->node);
	g->n_procs--;
	free(p);
}

/* Room for one more id of @process: 0, -ENOMEM or -EAGAIN. */
static int hl_dxg_obj_room(struct hl_dxg_guest *g, uint64_t process,
			   struct hl_dxg_proc **out)
{
	struct hl_dxg_proc *p = hl_dxg_proc_get(g, process);

	if (!p)
		return -EAGAIN;
	if (p->n_objs >= g->eng->cfg.max_process_objects)
		return -EAGAIN;
	*out = p;
	return 0;
}

/* Publish: the object gets its id and becomes reachable. */
static void hl_dxg_obj_publish(struct hl_dxg_guest *g, struct hl_dxg_obj *o,
			       struct hl_dxg_proc *p, uint64_t adapter,
			       enum hl_dxg_kind kind)
{
	o->id = g->next_id++;
	o->adapter = adapter ? adapter : o->id;
	o->kind = kind;
	o->proc = p;
	p->n_objs++;
	hl_list_add_tail(&o->hnode, &g->hash[o->id % HL_DXG_HASH]);
}

/*
 * Take the id away, for ever.  The object keeps o->proc only while it
 * holds memory (an allocation); nothing else looks at it once dead.
 */
static void hl_dxg_obj_unpublish(struct hl_dxg_guest *g, struct hl_dxg_obj *o)
{
	hl_list_del(&o->hnode);
	o->proc->n_objs--;
	hl_dxg_proc_put(g, o->proc);
}

/* ESTALE for a foreign nonce; ENOENT for an unknown adapter handle. */
static int hl_dxg_who_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			    struct hl_dxg_adapter **out)
{
	struct hl_dxg_obj *o;

	if (!w->process)
		return -EPROTO;
	if (w->nonce != g->nonce)
		return -ESTALE;
	if (!out)
		return 0;
	o = hl_dxg_find(g, w, w->adapter, HL_DXG_ADAPTER);
	if (!o)
		return -ENOENT;
	*out = hl_container_of(o, struct hl_dxg_adapter, obj);
	return 0;
}

/* The checks of every request that names an adapter handle. */
static int hl_dxg_handle_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w)
{
	struct hl_dxg_adapter *a;

	return hl_dxg_who_check(g, w, &a);
}

static int hl_dxg_device_find(struct hl_dxg_guest *g,
			      const struct hl_dxg_who *w, uint64_t id,
			      struct hl_dxg_device **out)
{
	struct hl_dxg_obj *o;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	o = hl_dxg_find(g, w, id, HL_DXG_DEVICE);
	if (!o)
		return -ENOENT;
	*out = hl_container_of(o, struct hl_dxg_device, obj);
	return 0;
}

static int hl_dxg_dev_usable(const struct hl_dxg_device *dev)
{
	if (dev->st.state == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	if (dev->st.state == DXG_WIRE_DEVICE_FAULTED)
		return -EIO;
	return 0;
}

/* ---- references ---- */

static void hl_dxg_alloc_put(struct hl_dxg_alloc *a)
{
	struct hl_dxg_guest *g = a->g;

	if (--a->refs == 1 && a->lock_flags && !a->lock_ready) {
		/* the last use from before the LOCK retired */
		a->lock_ready = true;
		if (!g->dying)
			g->eng->notify->lock(g->cookie, a->obj.proc->id, a->obj.id, 0);
	}
	if (a->refs)
		return;
	a->g->eng->be->mem_free(a->g->eng->be_priv, a->mem, a->size);
	a->g->mem -= a->size;
	a->proc->mem -= a->size;
	hl_dxg_proc_put(a->g, a->proc);
	free(a);
}

static void hl_dxg_fence_put(struct hl_dxg_fence *f)
{
	if (!--f->refs)
		free(f);
}

static void hl_dxg_device_put(struct hl_dxg_device *dev)
{
	if (!--dev->refs)
		free(dev);
}

/* ---- fences and retirement ---- */

static void hl_dxg_fence_apply(struct hl_dxg_guest *g, struct hl_dxg_fence *f,
			       uint64_t value, int err)
{
	if (f->dead || value <= f->value)
		return;
	f->value = value;
	if (!g->dying)
		g->eng->notify->fence(g->cookie, f->obj.proc->id, f->obj.id,
				      value, (uint32_t)err);
}

static void hl_dxg_sub_free(struct hl_dxg_sub *s)
{
	unsigned int i;

	for (i = 0; i < s->n_allocs; i++)
		hl_dxg_alloc_put(s->allocs[i]);
	for (i = 0; i < s->n_waits; i++)
		hl_dxg_fence_put(s->waits[i].f);
	for (i = 0; i < s->n_signals; i++)
		hl_dxg_fence_put(s->signals[i].f);
	free(s->allocs);
	free(s->bufs);
	free(s->waits);
	free(s->signals);
	free(s->cmds);
	free(s);
}

/* Apply the signals (with @err, positive or 0), count, free. */
static void hl_dxg_retire(struct hl_dxg_guest *g, struct hl_dxg_sub *s, int err)
{
	unsigned int i;

	for (i = 0; i < s->n_signals; i++)
		hl_dxg_fence_apply(g, s->signals[i].f, s->signals[i].value, err);
	s->ctx->n_queued--;
	g->stats.retired++;
	if (err)
		g->stats.failed++;
	hl_dxg_sub_free(s);
}

/* Cancel what a context has queued and not started. */
static void hl_dxg_ctx_cancel_queued(struct hl_dxg_guest *g,
				     struct hl_dxg_context *c, int err)
{
	while (!hl_list_empty(&c->queue)) {
		struct hl_dxg_sub *s = hl_list_first(&c->queue, struct hl_dxg_sub, node);

		hl_list_del(&s->node);
		hl_dxg_retire(g, s, err);
	}
	if (c->on_runq) {
		hl_list_del(&c->runq);
		c->on_runq = false;
	}
}

/*
 * Move @c on: cancel heads waiting on destroyed fences, put it on the
 * run queue if its head can start.  Returns true if it changed fences.
 */
static bool hl_dxg_ctx_advance(struct hl_dxg_guest *g, struct hl_dxg_context *c)
{
	bool changed = false;

	while (!c->running && !c->on_runq && !hl_list_empty(&c->queue)) {
		struct hl_dxg_sub *s = hl_list_first(&c->queue, struct hl_dxg_sub, node);
		bool ready = true, cancel = false;
		unsigned int i;

		for (i = 0; i < s->n_waits; i++) {
			if (s->waits[i].f->dead)
				cancel = true;
			else if (s->waits[i].f->value < s->waits[i].value)
				ready = false;
		}
		if (cancel) {
			hl_list_del(&s->node);
			hl_dxg_retire(g, s, ECANCELED);
			changed = true;
			continue;
		}
		if (ready) {
			c->on_runq = true;
			hl_list_add_tail(&c->runq, &g->eng->runq);
			pthread_cond_signal(&g->eng->work);
		}
		break;
	}
	return changed;
}

static void hl_dxg_dev_settle(struct hl_dxg_guest *g, struct hl_dxg_device *dev)
{
	bool changed;

	do {
		struct hl_list *pos, *tmp;

		changed = false;
		hl_list_for_each_safe(pos, tmp, &dev->contexts)
			changed |= hl_dxg_ctx_advance(g,
				hl_list_entry(pos, struct hl_dxg_context, node));
	} while (changed);
}

/* A submission of @dev failed with @err at @cmd_offset (opcode @op). */
static void hl_dxg_dev_fault(struct hl_dxg_guest *g, struct hl_dxg_sub *s,
			     int err, uint32_t cmd_offset, uint16_t op)
{
	struct hl_dxg_device *dev = s->ctx->dev;
	struct hl_list *pos, *tmp;

	if (dev->dead || dev->st.state != DXG_WIRE_DEVICE_ACTIVE) {
		hl_dxg_retire(g, s, err);
		return;
	}
	dev->st.state = DXG_WIRE_DEVICE_FAULTED;
	dev->st.error = (uint32_t)err;
	dev->st.context = s->ctx->obj.id;
	dev->st.submit = s->number;
	dev->st.cmd_offset = cmd_offset;
	dev->st.opcode = op;
	if (!g->dying)
		g->eng->notify->device(g->cookie, dev->obj.proc->id, dev->obj.id,
				       &dev->st);
	hl_dxg_retire(g, s, err);
	hl_list_for_each_safe(pos, tmp, &dev->contexts) {
		struct hl_dxg_context *c = hl_list_entry(pos, struct hl_dxg_context, node);

		hl_dxg_ctx_cancel_queued(g, c, ECANCELED);
		if (c->running)
			__atomic_store_n(&c->running->cancel, 1, __ATOMIC_RELAXED);
	}
}

/* ---- workers ---- */

/* Runs @s's commands without the lock: 0, or the error (positive). */
/*
 * The watchdog is looked at between commands: one command is bounded
 * by its own check (DELAY at most 1 s), a whole buffer is not.
 */
static int hl_dxg_run(struct hl_dxg_engine *eng, struct hl_dxg_sub *s,
		      uint64_t t0, uint32_t *fail_off, uint16_t *fail_op,
		      uint64_t *n_cmds)
{
	uint32_t off = 0;

	while (off < s->cmd_bytes) {
		const struct dxg_wire_cmd_hdr *h = (const void *)(s->cmds + off);
		int ret;

		if (__atomic_load_n(&s->cancel, __ATOMIC_RELAXED))
			return ECANCELED;
		if (off && hl_dxg_now_ns() - t0 > eng->cfg.watchdog_ms * 1000000ULL)
			return ETIMEDOUT;	/* no command failed: NO_CMD */
		ret = eng->be->exec(eng->be_priv, h, s->bufs, s->n_allocs);
		(*n_cmds)++;
		if (ret) {
			*fail_off = off;
			*fail_op = le16toh(h->opcode);
			return ret < 0 && ret > -4096 ? -ret : EIO;
		}
		off += le32toh(h->size);
	}
	return __atomic_load_n(&s->cancel, __ATOMIC_RELAXED) ? ECANCELED : 0;
}

static void hl_dxg_ctx_free(struct hl_dxg_context *c)
{
	hl_dxg_device_put(c->dev);
	free(c);
}

/* After @s of @c ran with @err: retire it, fault its device if needed. */
static void hl_dxg_finish(struct hl_dxg_context *c, struct hl_dxg_sub *s,
			  int err, uint32_t off, uint16_t op)
{
	struct hl_dxg_guest *g = c->g;

	c->running = NULL;
	if (err == ECANCELED && c->dev->st.state == DXG_WIRE_DEVICE_LOST)
		err = ENODEV;
	if (err && err != ECANCELED && err != ENODEV)
		hl_dxg_dev_fault(g, s, err, off, op);
	else
		hl_dxg_retire(g, s, err);
	/* A dead context is off the device's list, which is settled anyway. */
	hl_dxg_dev_settle(g, c->dev);
	if (c->dead)
		hl_dxg_ctx_free(c);
	if (!--g->n_running)
		pthread_cond_broadcast(&g->idle);
}

static void *hl_dxg_worker(void *arg)
{
	struct hl_dxg_engine *eng = arg;

	pthread_mutex_lock(&eng->lock);
	while (!eng->stop) {
		struct hl_dxg_context *c;
		struct hl_dxg_sub *s;
		uint32_t off = DXG_WIRE_NO_CMD;
		uint16_t op = 0;
		uint64_t t0, n_cmds = 0;
		int err;

		if (hl_list_empty(&eng->runq)) {
			pthread_cond_wait(&eng->work, &eng->lock);
			continue;
		}
		c = hl_list_first(&eng->runq, struct hl_dxg_context, runq);
		hl_list_del(&c->runq);
		c->on_runq = false;
		s = hl_list_first(&c->queue, struct hl_dxg_sub, node);
		hl_list_del(&s->node);
		c->running = s;
		c->g->n_running++;
		pthread_mutex_unlock(&eng->lock);

		t0 = hl_dxg_now_ns();
		err = hl_dxg_run(eng, s, t0, &off, &op, &n_cmds);

		pthread_mutex_lock(&eng->lock);
		c->g->stats.commands += n_cmds;
		c->g->stats.busy_ns += hl_dxg_now_ns() - t0;
		hl_dxg_finish(c, s, err, off, op);
	}
	pthread_mutex_unlock(&eng->lock);
	return NULL;
}

/* ---- engine and guests ---- */

int hl_dxg_engine_create(const struct hl_dxg_engine_cfg *cfg,
			 const struct hl_dxg_backend_ops *be, void *be_priv,
			 const struct hl_dxg_notify_ops *notify,
			 struct hl_dxg_engine **out)
{
	struct hl_dxg_engine *eng;
	unsigned int i;
	int ret;

	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return -ENOMEM;
	if (cfg)
		eng->cfg = *cfg;
	if (!eng->cfg.workers)
		eng->cfg.workers = 2;
	if (!eng->cfg.max_guest_memory)
		eng->cfg.max_guest_memory = 1ULL << 30;
	if (!eng->cfg.max_process_objects)
		eng->cfg.max_process_objects = 4096;
	if (!eng->cfg.max_context_queue)
		eng->cfg.max_context_queue = 256;
	if (!eng->cfg.max_processes)
		eng->cfg.max_processes = 256;
	if (!eng->cfg.watchdog_ms)
		eng->cfg.watchdog_ms = 10000;
	eng->be = be;
	eng->be_priv = be_priv;
	eng->notify = notify;
	hl_list_init(&eng->runq);
	pthread_mutex_init(&eng->lock, NULL);
	pthread_cond_init(&eng->work, NULL);
	eng->threads = calloc(eng->cfg.workers, sizeof(*eng->threads));
	if (!eng->threads) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < eng->cfg.workers; i++) {
		ret = -pthread_create(&eng->threads[i], NULL, hl_dxg_worker, eng);
		if (ret)
			goto err_stop;
		eng->n_threads++;
	}
	*out = eng;
	return 0;

err_stop:
	hl_dxg_engine_destroy(eng);
	return ret;
err_free:
	pthread_cond_destroy(&eng->work);
	pthread_mutex_destroy(&eng->lock);
	free(eng);
	return ret;
}

/* Every guest must have been destroyed. */
void hl_dxg_engine_destroy(struct hl_dxg_engine *eng)
{
	unsigned int i;

	pthread_mutex_lock(&eng->lock);
	eng->stop = true;
	pthread_cond_broadcast(&eng->work);
	pthread_mutex_unlock(&eng->lock);
	for (i = 0; i < eng->n_threads; i++)
		pthread_join(eng->threads[i], NULL);
	free(eng->threads);
	pthread_cond_destroy(&eng->work);
	pthread_mutex_destroy(&eng->lock);
	free(eng);
}

int hl_dxg_guest_create(struct hl_dxg_engine *eng, void *cookie,
			struct hl_dxg_guest **out)
{
	struct hl_dxg_guest *g;
	unsigned int i;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->eng = eng;
	g->cookie = cookie;
	do
		g->nonce = hl_dxg_random();
	while (!g->nonce);
	/* Below 2^62 + 1: a counter from there never reaches 2^63. */
	g->next_id = (hl_dxg_random() & ((1ULL << 62) - 1)) + 1;
	for (i = 0; i < HL_DXG_HASH; i++)
		hl_list_init(&g->hash[i]);
	hl_list_init(&g->procs);
	hl_list_init(&g->adapters);
	pthread_cond_init(&g->idle, NULL);
	*out = g;
	return 0;
}

uint64_t hl_dxg_guest_nonce(const struct hl_dxg_guest *g)
{
	return g->nonce;
}

static void hl_dxg_adapter_free(struct hl_dxg_guest *g, struct hl_dxg_adapter *a);

void hl_dxg_guest_destroy(struct hl_dxg_guest *g)
{
	struct hl_dxg_engine *eng = g->eng;

	pthread_mutex_lock(&eng->lock);
	g->dying = true;
	while (!hl_list_empty(&g->adapters))
		hl_dxg_adapter_free(g, hl_list_first(&g->adapters,
						     struct hl_dxg_adapter, node));
	while (g->n_running)
		pthread_cond_wait(&g->idle, &eng->lock);
	pthread_mutex_unlock(&eng->lock);
	while (!hl_list_empty(&g->procs)) {
		struct hl_dxg_proc *p = hl_list_first(&g->procs, struct hl_dxg_proc, node);

		hl_list_del(&p->node);
		free(p);
	}
	pthread_cond_destroy(&g->idle);
	free(g);
}

/* ---- destroying ---- */

static void hl_dxg_context_kill(struct hl_dxg_guest *g, struct hl_dxg_context *c)
{
	hl_dxg_obj_unpublish(g, &c->obj);
	hl_list_del(&c->node);
	c->dead = true;
	hl_dxg_ctx_cancel_queued(g, c, ECANCELED);
	if (c->running)
		__atomic_store_n(&c->running->cancel, 1, __ATOMIC_RELAXED);
	else
		hl_dxg_ctx_free(c);
}

static void hl_dxg_alloc_kill(struct hl_dxg_guest *g, struct hl_dxg_alloc *a)
{
	if (a->lock_flags && !a->lock_ready && !g->dying)
		g->eng->notify->lock(g->cookie, a->obj.proc->id, a->obj.id,
				     ECANCELED);
	a->lock_flags = 0;
	hl_dxg_obj_unpublish(g, &a->obj);
	hl_list_del(&a->node);
	hl_dxg_alloc_put(a);
}

static void hl_dxg_fence_kill(struct hl_dxg_guest *g, struct hl_dxg_fence *f)
{
	struct hl_dxg_device *dev = f->dev;

	hl_dxg_obj_unpublish(g, &f->obj);
	hl_list_del(&f->node);
	f->dead = true;
	hl_dxg_fence_put(f);
	hl_dxg_dev_settle(g, dev);
}

static void hl_dxg_device_kill(struct hl_dxg_guest *g, struct hl_dxg_device *dev)
{
	while (!hl_list_empty(&dev->contexts))
		hl_dxg_context_kill(g, hl_list_first(&dev->contexts,
					struct hl_dxg_context, node));
	while (!hl_list_empty(&dev->allocs))
		hl_dxg_alloc_kill(g, hl_list_first(&dev->allocs, struct hl_dxg_alloc, node));
	while (!hl_list_empty(&dev->fences))
		hl_dxg_fence_kill(g, hl_list_first(&dev->fences, struct hl_dxg_fence, node));
	hl_dxg_obj_unpublish(g, &dev->obj);
	hl_list_del(&dev->node);
	dev->dead = true;
	hl_dxg_device_put(dev);
}

static void hl_dxg_adapter_free(struct hl_dxg_guest *g, struct hl_dxg_adapter *a)
{
	while (!hl_list_empty(&a->devices))
		hl_dxg_device_kill(g, hl_list_first(&a->devices,
				   struct hl_dxg_device, node));
	hl_dxg_obj_unpublish(g, &a->obj);
	hl_list_del(&a->node);
	free(a);
}

/* ---- the ops: each takes the lock around its body ---- */

#define HL_DXG_LOCKED(g, expr) ({					\
	int __r;							\
	pthread_mutex_lock(&(g)->eng->lock);				\
	__r = (expr);							\
	pthread_mutex_unlock(&(g)->eng->lock);				\
	__r;								\
})

static int hl_dxg_adapter_open_locked(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w, uint64_t *out)
{
	struct hl_dxg_adapter *a;
	struct hl_dxg_proc *p;
	int ret = hl_dxg_who_check(g, w, NULL);

	if (ret)
		return ret;
	if (w->adapter)
		return -EINVAL;
	if (g->lost)
		return -ENODEV;
	ret = hl_dxg_obj_room(g, w->process, &p);
	if (ret)
		return ret;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	hl_list_init(&a->devices);
	hl_list_add_tail(&a->node, &g->adapters);
	hl_dxg_obj_publish(g, &a->obj, p, 0, HL_DXG_ADAPTER);
	*out = a->obj.id;
	return 0;
}

int hl_dxg_adapter_open(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t *out_adapter)
{
	return HL_DXG_LOCKED(g, hl_dxg_adapter_open_locked(g, w, out_adapter));
}

static int hl_dxg_adapter_close_locked(struct hl_dxg_guest *g,
				       const struct hl_dxg_who *w)
{
	struct hl_dxg_adapter *a;
	int ret = hl_dxg_who_check(g, w, &a);

	if (!ret)
		hl_dxg_adapter_free(g, a);
	return ret;
}

int hl_dxg_adapter_close(struct hl_dxg_guest *g, const struct hl_dxg_who *w)
{
	return HL_DXG_LOCKED(g, hl_dxg_adapter_close_locked(g, w));
}

static int hl_dxg_device_create_locked(struct hl_dxg_guest *g,
				       const struct hl_dxg_who *w, uint64_t *out)
{
	struct hl_dxg_adapter *a;
	struct hl_dxg_device *dev;
	struct hl_dxg_proc *p;
	int ret = hl_dxg_who_check(g, w, &a);

	if (ret)
		return ret;
	if (g->lost)
		return -ENODEV;
	ret = hl_dxg_obj_room(g, w->process, &p);
	if (ret)
		return ret;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	hl_list_init(&dev->contexts);
	hl_list_init(&dev->allocs);
	hl_list_init(&dev->fences);
	dev->st.state = DXG_WIRE_DEVICE_ACTIVE;
	dev->st.cmd_offset = DXG_WIRE_NO_CMD;
	dev->refs = 1;
	hl_list_add_tail(&dev->node, &a->devices);
	hl_dxg_obj_publish(g, &dev->obj, p, w->adapter, HL_DXG_DEVICE);
	*out = dev->obj.id;
	return 0;
}

int hl_dxg_device_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t *out_device)
{
	return HL_DXG_LOCKED(g, hl_dxg_device_create_locked(g, w, out_device));
}

static int hl_dxg_device_destroy_locked(struct hl_dxg_guest *g,
					const struct hl_dxg_who *w, uint64_t id)
{
	struct hl_dxg_device *dev;
	int ret = hl_dxg_device_find(g, w, id, &dev);

	if (!ret)
		hl_dxg_device_kill(g, dev);
	return ret;
}

int hl_dxg_device_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			  uint64_t device)
{
	return HL_DXG_LOCKED(g, hl_dxg_device_destroy_locked(g, w, device));
}

static int hl_dxg_device_get_state_locked(struct hl_dxg_guest *g,
					  const struct hl_dxg_who *w, uint64_t id,
					  struct dxg_wire_device_state *out)
{
	struct hl_dxg_device *dev;
	int ret = hl_dxg_device_find(g, w, id, &dev);

	if (!ret)
		*out = dev->st;
	return ret;
}

int hl_dxg_device_get_state(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			    uint64_t device,
			    struct dxg_wire_device_state *out_state)
{
	return HL_DXG_LOCKED(g, hl_dxg_device_get_state_locked(g, w, device,
							       out_state));
}

static int hl_dxg_context_create_locked(struct hl_dxg_guest *g,
					const struct hl_dxg_who *w,
					uint64_t device, uint64_t *out)
{
	struct hl_dxg_device *dev;
	struct hl_dxg_context *c;
	struct hl_dxg_proc *p;
	int ret = hl_dxg_device_find(g, w, device, &dev);

	if (ret)
		return ret;
	ret = hl_dxg_dev_usable(dev);
	if (ret)
		return ret;
	ret = hl_dxg_obj_room(g, w->process, &p);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	hl_list_init(&c->queue);
	hl_list_init(&c->runq);
	c->dev = dev;
	c->g = g;
	c->next_submit = 1;
	dev->refs++;
	hl_list_add_tail(&c->node, &dev->contexts);
	hl_dxg_obj_publish(g, &c->obj, p, w->adapter, HL_DXG_CONTEXT);
	*out = c->obj.id;
	return 0;
}

int hl_dxg_context_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			  uint64_t device, uint64_t *out_context)
{
	return HL_DXG_LOCKED(g, hl_dxg_context_create_locked(g, w, device,
							     out_context));
}

static int hl_dxg_context_destroy_locked(struct hl_dxg_guest *g,
					 const struct hl_dxg_who *w, uint64_t id)
{
	struct hl_dxg_obj *o;
	struct hl_dxg_device *dev;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	o = hl_dxg_find(g, w, id, HL_DXG_CONTEXT);
	if (!o)
		return -ENOENT;
	dev = hl_container_of(o, struct hl_dxg_context, obj)->dev;
	hl_dxg_context_kill(g, hl_container_of(o, struct hl_dxg_context, obj));
	hl_dxg_dev_settle(g, dev);
	return 0;
}

int hl_dxg_context_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			   uint64_t context)
{
	return HL_DXG_LOCKED(g, hl_dxg_context_destroy_locked(g, w, context));
}

static int hl_dxg_alloc_create_locked(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w, uint64_t device,
				      uint64_t size, uint64_t *out)
{
	struct hl_dxg_device *dev;
	struct hl_dxg_alloc *a;
	struct hl_dxg_proc *p;
	int ret = hl_dxg_device_find(g, w, device, &dev);

	if (ret)
		return ret;
	if (dev->st.state == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	if (!size || size > DXG_WIRE_MAX_ALLOC_SIZE)
		return -EINVAL;
	ret = hl_dxg_obj_room(g, w->process, &p);
	if (ret)
		return ret;
	if (size > g->eng->cfg.max_guest_memory - g->mem ||
	    g->mem > g->eng->cfg.max_guest_memory)
		return -ENOMEM;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->mem = g->eng->be->mem_alloc(g->eng->be_priv, size);
	if (!a->mem) {
		free(a);
		return -ENOMEM;
	}
	a->size = size;
	a->dev = dev;
	a->g = g;
	a->proc = p;
	a->refs = 1;
	g->mem += size;
	p->mem += size;
	hl_list_add_tail(&a->node, &dev->allocs);
	hl_dxg_obj_publish(g, &a->obj, p, w->adapter, HL_DXG_ALLOC);
	*out = a->obj.id;
	return 0;
}

int hl_dxg_alloc_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t device, uint64_t size, uint64_t *out_alloc)
{
	return HL_DXG_LOCKED(g, hl_dxg_alloc_create_locked(g, w, device, size,
							   out_alloc));
}

static int hl_dxg_alloc_find(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			     uint64_t id, struct hl_dxg_alloc **out)
{
	struct hl_dxg_obj *o;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	o = hl_dxg_find(g, w, id, HL_DXG_ALLOC);
	if (!o)
		return -ENOENT;
	*out = hl_container_of(o, struct hl_dxg_alloc, obj);
	return 0;
}

static int hl_dxg_alloc_destroy_locked(struct hl_dxg_guest *g,
				       const struct hl_dxg_who *w, uint64_t id)
{
	struct hl_dxg_alloc *a;
	int ret = hl_dxg_alloc_find(g, w, id, &a);

	if (!ret)
		hl_dxg_alloc_kill(g, a);
	return ret;
}

int hl_dxg_alloc_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t alloc)
{
	return HL_DXG_LOCKED(g, hl_dxg_alloc_destroy_locked(g, w, alloc));
}

static int hl_dxg_range_ok(uint64_t offset, uint64_t length, uint64_t size)
{
	return length <= size && offset <= size - length;
}

static bool hl_dxg_lock_flags_ok(uint32_t flags)
{
	switch (flags & ~DXG_WIRE_LOCK_NOWAIT) {
	case DXG_WIRE_LOCK_READ:
	case DXG_WIRE_LOCK_WRITE:
	case DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_WRITE:
	case DXG_WIRE_LOCK_WRITE | DXG_WIRE_LOCK_DISCARD:
		return true;
	}
	return false;
}

static int hl_dxg_lock_locked(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			      uint64_t id, uint64_t offset, uint64_t length,
			      uint32_t flags)
{
	struct hl_dxg_alloc *a;
	int ret = hl_dxg_alloc_find(g, w, id, &a);

	if (ret)
		return ret;
	if (a->dev->st.state == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	if (!hl_dxg_lock_flags_ok(flags) || !length ||
	    !hl_dxg_range_ok(offset, length, a->size))
		return -EINVAL;
	if (a->lock_flags)
		return -EBUSY;
	if (a->refs > 1 && (flags & DXG_WIRE_LOCK_NOWAIT))
		return -EBUSY;
	a->lock_flags = flags;
	a->lock_off = offset;
	a->lock_len = length;
	a->lock_ready = a->refs == 1;
	return a->lock_ready ? 0 : -EINPROGRESS;
}

int hl_dxg_lock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		uint64_t alloc, uint64_t offset, uint64_t length, uint32_t flags)
{
	return HL_DXG_LOCKED(g, hl_dxg_lock_locked(g, w, alloc, offset, length,
						   flags));
}

/* @pending: only a lock still waiting (CANCEL); else any (UNLOCK). */
static int hl_dxg_unlock_locked(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
				uint64_t id, bool pending)
{
	struct hl_dxg_alloc *a;
	int ret = hl_dxg_alloc_find(g, w, id, &a);

	if (ret)
		return ret;
	if (!a->lock_flags || (pending && a->lock_ready))
		return -EINVAL;
	a->lock_flags = 0;
	return 0;
}

int hl_dxg_lock_cancel(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t alloc)
{
	return HL_DXG_LOCKED(g, hl_dxg_unlock_locked(g, w, alloc, true));
}

int hl_dxg_unlock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		  uint64_t alloc)
{
	return HL_DXG_LOCKED(g, hl_dxg_unlock_locked(g, w, alloc, false));
}

static int hl_dxg_xfer_locked(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			      uint64_t id, uint64_t offset, void *rbuf,
			      const void *wbuf, uint64_t length)
{
	struct hl_dxg_alloc *a;
	uint32_t need = rbuf ? DXG_WIRE_LOCK_READ : DXG_WIRE_LOCK_WRITE;
	int ret = hl_dxg_alloc_find(g, w, id, &a);

	if (ret)
		return ret;
	if (a->dev->st.state == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	/* inside the locked range, itself inside the allocation */
	if (!length || !(a->lock_flags & need) || offset < a->lock_off ||
	    !hl_dxg_range_ok(offset - a->lock_off, length, a->lock_len))
		return -EINVAL;
	if (!a->lock_ready)
		return -EBUSY;
	if (rbuf)
		memcpy(rbuf, (uint8_t *)a->mem + offset, length);
	else
		memcpy((uint8_t *)a->mem + offset, wbuf, length);
	return 0;
}

int hl_dxg_alloc_read(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		      uint64_t alloc, uint64_t offset, void *buf,
		      uint64_t length)
{
	return HL_DXG_LOCKED(g, hl_dxg_xfer_locked(g, w, alloc, offset, buf,
						   NULL, length));
}

int hl_dxg_alloc_write(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t alloc, uint64_t offset, const void *buf,
		       uint64_t length)
{
	return HL_DXG_LOCKED(g, hl_dxg_xfer_locked(g, w, alloc, offset, NULL,
						   buf, length));
}

static int hl_dxg_fence_create_locked(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w, uint64_t device,
				      uint64_t value, uint64_t *out)
{
	struct hl_dxg_device *dev;
	struct hl_dxg_fence *f;
	struct hl_dxg_proc *p;
	int ret = hl_dxg_device_find(g, w, device, &dev);

	if (ret)
		return ret;
	ret = hl_dxg_obj_room(g, w->process, &p);
	if (ret)
		return ret;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->dev = dev;
	f->value = value;
	f->refs = 1;
	hl_list_add_tail(&f->node, &dev->fences);
	hl_dxg_obj_publish(g, &f->obj, p, w->adapter, HL_DXG_FENCE);
	*out = f->obj.id;
	return 0;
}

int hl_dxg_fence_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t device, uint64_t value, uint64_t *out_fence)
{
	return HL_DXG_LOCKED(g, hl_dxg_fence_create_locked(g, w, device, value,
							   out_fence));
}

static int hl_dxg_fence_find(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			     uint64_t id, struct hl_dxg_fence **out)
{
	struct hl_dxg_obj *o;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	o = hl_dxg_find(g, w, id, HL_DXG_FENCE);
	if (!o)
		return -ENOENT;
	*out = hl_container_of(o, struct hl_dxg_fence, obj);
	return 0;
}

static int hl_dxg_fence_destroy_locked(struct hl_dxg_guest *g,
				       const struct hl_dxg_who *w, uint64_t id)
{
	struct hl_dxg_fence *f;
	int ret = hl_dxg_fence_find(g, w, id, &f);

	if (!ret)
		hl_dxg_fence_kill(g, f);
	return ret;
}

int hl_dxg_fence_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t fence)
{
	return HL_DXG_LOCKED(g, hl_dxg_fence_destroy_locked(g, w, fence));
}

static int hl_dxg_fence_signal_locked(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w, uint64_t id,
				      uint64_t value)
{
	struct hl_dxg_fence *f;
	int ret = hl_dxg_fence_find(g, w, id, &f);

	if (ret)
		return ret;
	hl_dxg_fence_apply(g, f, value, 0);
	hl_dxg_dev_settle(g, f->dev);
	return 0;
}

int hl_dxg_fence_signal(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t fence, uint64_t value)
{
	return HL_DXG_LOCKED(g, hl_dxg_fence_signal_locked(g, w, fence, value));
}

static int hl_dxg_fence_value_locked(struct hl_dxg_guest *g,
				     const struct hl_dxg_who *w, uint64_t id,
				     uint64_t *out)
{
	struct hl_dxg_fence *f;
	int ret = hl_dxg_fence_find(g, w, id, &f);

	if (!ret)
		*out = f->value;
	return ret;
}

int hl_dxg_fence_value(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t fence, uint64_t *out_value)
{
	return HL_DXG_LOCKED(g, hl_dxg_fence_value_locked(g, w, fence, out_value));
}

static int hl_dxg_query_memory_locked(struct hl_dxg_guest *g,
				      const struct hl_dxg_who *w,
				      struct dxg_wire_query_memory *out)
{
	struct hl_dxg_proc *p;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	p = hl_dxg_proc_find(g, w->process);
	memset(out, 0, sizeof(*out));
	out->budget = g->eng->cfg.max_guest_memory;
	out->usage = g->mem;
	out->process_usage = p ? p->mem : 0;
	return 0;
}

int hl_dxg_query_memory(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			struct dxg_wire_query_memory *out)
{
	return HL_DXG_LOCKED(g, hl_dxg_query_memory_locked(g, w, out));
}

static int hl_dxg_query_stats_locked(struct hl_dxg_guest *g,
				     const struct hl_dxg_who *w,
				     struct dxg_wire_query_stats *out)
{
	int ret = hl_dxg_handle_check(g, w);

	if (!ret)
		*out = g->stats;
	return ret;
}

int hl_dxg_query_stats(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       struct dxg_wire_query_stats *out)
{
	return HL_DXG_LOCKED(g, hl_dxg_query_stats_locked(g, w, out));
}

/* ---- SUBMIT ---- */

static void hl_dxg_le_fv(const uint8_t *p, uint64_t *fence, uint64_t *value)
{
	struct dxg_wire_fence_value fv;

	memcpy(&fv, p, sizeof(fv));
	*fence = le64toh(fv.fence);
	*value = le64toh(fv.value);
}

/* Look up a wait or signal list: ENOENT, or EINVAL for another device. */
static int hl_dxg_submit_fences(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
				const uint8_t *p, unsigned int n,
				struct hl_dxg_fv *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct hl_dxg_obj *o;
		uint64_t id;

		hl_dxg_le_fv(p + i * sizeof(struct dxg_wire_fence_value), &id,
			     &out[i].value);
		o = hl_dxg_find(g, w, id, HL_DXG_FENCE);
		if (!o)
			return -ENOENT;
		out[i].f = hl_container_of(o, struct hl_dxg_fence, obj);
	}
	return 0;
}

/* The checks of SUBMIT after the ids were found, in the document's order. */
static int hl_dxg_submit_values(struct hl_dxg_context *c, struct hl_dxg_sub *s,
				const struct dxg_wire_submit *h, uint64_t *sizes)
{
	unsigned int i, j;
	int ret;

	ret = hl_dxg_dev_usable(c->dev);
	if (ret)
		return ret;
	if (s->n_allocs > DXG_WIRE_MAX_SUBMIT_ALLOCS ||
	    s->n_waits > DXG_WIRE_MAX_SUBMIT_WAITS ||
	    s->n_signals > DXG_WIRE_MAX_SUBMIT_SIGNALS ||
	    le32toh(h->cmd_bytes) % DXG_WIRE_CMD_ALIGN ||
	    le32toh(h->cmd_bytes) > DXG_WIRE_MAX_CMDBUF)
		return -EINVAL;
	for (i = 0; i < s->n_allocs; i++) {
		if (s->allocs[i]->dev != c->dev)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (s->allocs[j] == s->allocs[i])
				return -EINVAL;
		sizes[i] = s->allocs[i]->size;
	}
	for (i = 0; i < s->n_waits; i++)
		if (s->waits[i].f->dev != c->dev)
			return -EINVAL;
	for (i = 0; i < s->n_signals; i++)
		if (s->signals[i].f->dev != c->dev)
			return -EINVAL;
	ret = hl_dxg_cmdbuf_check(s->cmds, s->cmd_bytes, sizes, s->n_allocs);
	if (ret)
		return ret;
	for (i = 0; i < s->n_allocs; i++)
		if (s->allocs[i]->lock_flags)
			return -EBUSY;
	if (c->n_queued >= c->g->eng->cfg.max_context_queue)
		return -EAGAIN;
	return 0;
}

/* Everything the submission holds, before a single reference is taken. */
static struct hl_dxg_sub *hl_dxg_sub_new(const struct dxg_wire_submit *h,
					 const uint8_t *cmds)
{
	struct hl_dxg_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->n_allocs = le16toh(h->n_allocs);
	s->n_waits = le16toh(h->n_waits);
	s->n_signals = le16toh(h->n_signals);
	s->cmd_bytes = le32toh(h->cmd_bytes);
	s->allocs = calloc(s->n_allocs + 1, sizeof(*s->allocs));
	s->bufs = calloc(s->n_allocs + 1, sizeof(*s->bufs));
	s->waits = calloc(s->n_waits + 1, sizeof(*s->waits));
	s->signals = calloc(s->n_signals + 1, sizeof(*s->signals));
	s->cmds = malloc(s->cmd_bytes + 1);
	if (!s->allocs || !s->bufs || !s->waits || !s->signals || !s->cmds) {
		free(s->allocs);
		free(s->bufs);
		free(s->waits);
		free(s->signals);
		free(s->cmds);
		free(s);
		return NULL;
	}
	memcpy(s->cmds, cmds, s->cmd_bytes);
	return s;
}

/* Frees @s that holds no reference yet. */
static void hl_dxg_sub_drop(struct hl_dxg_sub *s)
{
	s->n_allocs = s->n_waits = s->n_signals = 0;
	hl_dxg_sub_free(s);
}

static int hl_dxg_submit_locked(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
				const struct dxg_wire_submit *h, const uint8_t *p,
				struct hl_dxg_sub *s, uint64_t *sizes,
				uint64_t *out)
{
	struct hl_dxg_context *c;
	struct hl_dxg_obj *o;
	unsigned int i;
	int ret;

	ret = hl_dxg_handle_check(g, w);
	if (ret)
		return ret;
	o = hl_dxg_find(g, w, le64toh(h->context), HL_DXG_CONTEXT);
	if (!o)
		return -ENOENT;
	c = hl_container_of(o, struct hl_dxg_context, obj);
	for (i = 0; i < s->n_allocs; i++) {
		struct dxg_wire_id id;

		memcpy(&id, p + i * sizeof(id), sizeof(id));
		o = hl_dxg_find(g, w, le64toh(id.id), HL_DXG_ALLOC);
		if (!o)
			return -ENOENT;
		s->allocs[i] = hl_container_of(o, struct hl_dxg_alloc, obj);
	}
	p += s->n_allocs * sizeof(struct dxg_wire_id);
	ret = hl_dxg_submit_fences(g, w, p, s->n_waits, s->waits);
	if (ret)
		return ret;
	p += s->n_waits * sizeof(struct dxg_wire_fence_value);
	ret = hl_dxg_submit_fences(g, w, p, s->n_signals, s->signals);
	if (ret)
		return ret;
	ret = hl_dxg_submit_values(c, s, h, sizes);
	if (ret)
		return ret;

	/* Accepted: take the references, queue, publish the number. */
	for (i = 0; i < s->n_allocs; i++) {
		s->allocs[i]->refs++;
		s->bufs[i].data = s->allocs[i]->mem;
		s->bufs[i].size = s->allocs[i]->size;
	}
	for (i = 0; i < s->n_waits; i++)
		s->waits[i].f->refs++;
	for (i = 0; i < s->n_signals; i++)
		s->signals[i].f->refs++;
	s->ctx = c;
	s->number = c->next_submit++;
	c->n_queued++;
	g->stats.submits++;
	hl_list_add_tail(&s->node, &c->queue);
	*out = s->number;
	hl_dxg_dev_settle(g, c->dev);
	return 0;
}

int hl_dxg_submit(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		  const void *body, size_t len, uint64_t *out_submit)
{
	const uint8_t *p = body;
	struct dxg_wire_submit h;
	struct hl_dxg_sub *s;
	uint64_t want, *sizes;
	int ret;

	if (len < sizeof(h))
		return -EPROTO;
	memcpy(&h, p, sizeof(h));
	want = sizeof(h) + (uint64_t)le16toh(h.n_allocs) * sizeof(struct dxg_wire_id) +
	       ((uint64_t)le16toh(h.n_waits) + le16toh(h.n_signals)) *
	       sizeof(struct dxg_wire_fence_value) + le32toh(h.cmd_bytes);
	if (len != want)
		return -EPROTO;
	if (h.flags || h.__reserved)
		return -EINVAL;
	p += sizeof(h);
	s = hl_dxg_sub_new(&h, p + (want - sizeof(h) - le32toh(h.cmd_bytes)));
	if (!s)
		return -ENOMEM;
	sizes = calloc(s->n_allocs + 1, sizeof(*sizes));
	if (!sizes) {
		hl_dxg_sub_drop(s);
		return -ENOMEM;
	}
	pthread_mutex_lock(&g->eng->lock);
	ret = hl_dxg_submit_locked(g, w, &h, p, s, sizes, out_submit);
	pthread_mutex_unlock(&g->eng->lock);
	free(sizes);
	if (ret)
		hl_dxg_sub_drop(s);
	return ret;
}

static int hl_dxg_query_clock_locked(struct hl_dxg_guest *g,
				     const struct hl_dxg_who *w,
				     struct dxg_wire_query_clock *out)
{
	uint64_t freq = 0;
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	if (g->lost)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	out->gpu_ticks = g->eng->be->clock(g->eng->be_priv, &freq);
	out->host_ns = hl_dxg_now_ns();
	out->frequency = freq;
	return 0;
}

int hl_dxg_query_clock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       struct dxg_wire_query_clock *out)
{
	return HL_DXG_LOCKED(g, hl_dxg_query_clock_locked(g, w, out));
}

/* ---- losing the adapter ---- */

static void hl_dxg_device_lose(struct hl_dxg_guest *g, struct hl_dxg_device *dev,
			       int err)
{
	struct hl_list *pos, *tmp;

	memset(&dev->st, 0, sizeof(dev->st));
	dev->st.state = DXG_WIRE_DEVICE_LOST;
	dev->st.error = (uint32_t)err;
	dev->st.cmd_offset = DXG_WIRE_NO_CMD;
	if (!g->dying)
		g->eng->notify->device(g->cookie, dev->obj.proc->id, dev->obj.id,
				       &dev->st);
	hl_list_for_each_safe(pos, tmp, &dev->contexts) {
		struct hl_dxg_context *c = hl_list_entry(pos, struct hl_dxg_context, node);

		hl_dxg_ctx_cancel_queued(g, c, ENODEV);
		if (c->running)
			__atomic_store_n(&c->running->cancel, 1, __ATOMIC_RELAXED);
	}
}

void hl_dxg_guest_lost(struct hl_dxg_guest *g, int err)
{
	struct hl_list *pa, *ta, *pd, *td;

	pthread_mutex_lock(&g->eng->lock);
	g->lost = true;
	hl_list_for_each_safe(pa, ta, &g->adapters) {
		struct hl_dxg_adapter *a = hl_list_entry(pa, struct hl_dxg_adapter, node);

		hl_list_for_each_safe(pd, td, &a->devices)
			hl_dxg_device_lose(g, hl_list_entry(pd, struct hl_dxg_device,
							    node), err);
	}
	pthread_mutex_unlock(&g->eng->lock);
}
