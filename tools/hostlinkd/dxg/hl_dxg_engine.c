// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPU service's engine: object tables, references, one ordered
 * queue per context, worker threads running a backend, guests and their
 * loss (the ops, SUBMIT's validation among them, are hl_dxg_ops.c).  The
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

#include "hl_dxg_priv.h"

uint64_t hl_dxg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The tick-grained clock, read without the hardware: what an inline run
 * is timed with.  Its differences, summed over many short runs, estimate
 * their busy time without bias (a run crosses a tick with the chance its
 * length gives); a precise clock read is a device access under
 * emulation (HPET), dearer than the small runs it would time.
 */
static uint64_t hl_dxg_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
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

struct hl_dxg_obj *hl_dxg_find(struct hl_dxg_guest *g,
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

struct hl_dxg_proc *hl_dxg_proc_find(struct hl_dxg_guest *g,
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
int hl_dxg_obj_room(struct hl_dxg_guest *g, uint64_t process,
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
void hl_dxg_obj_publish(struct hl_dxg_guest *g, struct hl_dxg_obj *o,
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
int hl_dxg_who_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
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
int hl_dxg_handle_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w)
{
	struct hl_dxg_adapter *a;

	return hl_dxg_who_check(g, w, &a);
}

/*
 * The checks of a request that names an adapter handle, then object @id
 * of @kind in it: 0, or the errno to reply with.
 */
int hl_dxg_obj_get(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		   uint64_t id, enum hl_dxg_kind kind, struct hl_dxg_obj **out)
{
	int ret = hl_dxg_handle_check(g, w);

	if (ret)
		return ret;
	*out = hl_dxg_find(g, w, id, kind);
	return *out ? 0 : -ENOENT;
}

int hl_dxg_device_find(struct hl_dxg_guest *g,
		       const struct hl_dxg_who *w, uint64_t id,
		       struct hl_dxg_device **out)
{
	struct hl_dxg_obj *o;
	int ret = hl_dxg_obj_get(g, w, id, HL_DXG_DEVICE, &o);

	if (!ret)
		*out = hl_container_of(o, struct hl_dxg_device, obj);
	return ret;
}

int hl_dxg_dev_usable(const struct hl_dxg_device *dev)
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

void hl_dxg_fence_apply(struct hl_dxg_guest *g, struct hl_dxg_fence *f,
			uint64_t value, int err)
{
	if (f->dead || value <= f->value)
		return;
	f->value = value;
	if (!g->dying)
		g->eng->notify->fence(g->cookie, f->obj.proc->id, f->obj.id,
				      value, (uint32_t)err);
}

void hl_dxg_sub_free(struct hl_dxg_sub *s)
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

static void hl_dxg_run_inline(struct hl_dxg_context *c, struct hl_dxg_sub *s);

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
		if (ready && !s->cmd_bytes) {
			/*
			 * Nothing to run: it retires here, without the trip
			 * to a worker and back.
			 */
			hl_list_del(&s->node);
			hl_dxg_retire(g, s, 0);
			changed = true;
			continue;
		}
		if (ready && s->cost <= g->eng->be->inline_bytes) {
			/* Small: here too (struct hl_dxg_backend_ops). */
			hl_list_del(&s->node);
			hl_dxg_run_inline(c, s);
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

void hl_dxg_dev_settle(struct hl_dxg_guest *g, struct hl_dxg_device *dev)
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
 * by its own check (DELAY at most 1 s), a whole buffer is not.  @t0 is
 * when it started, or UINT64_MAX for no watchdog (inline runs).
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
		if (off && t0 != UINT64_MAX &&
		    hl_dxg_now_ns() - t0 > eng->cfg.watchdog_ms * 1000000ULL)
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
static void hl_dxg_ran(struct hl_dxg_context *c, struct hl_dxg_sub *s,
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
}

/*
 * Runs @s, just taken off @c's queue, here and now, with the engine
 * lock held: the backend said it is cheap.  The caller settles.
 */
static void hl_dxg_run_inline(struct hl_dxg_context *c, struct hl_dxg_sub *s)
{
	struct hl_dxg_engine *eng = c->g->eng;
	uint32_t off = DXG_WIRE_NO_CMD;
	uint64_t t0, n_cmds = 0;
	uint16_t op = 0;
	int err;

	c->running = s;
	/* no watchdog: the work is bounded (inline_bytes, no DELAY) */
	t0 = hl_dxg_coarse_ns();
	err = hl_dxg_run(eng, s, UINT64_MAX, &off, &op, &n_cmds);
	c->g->stats.commands += n_cmds;
	c->g->stats.busy_ns += hl_dxg_coarse_ns() - t0;
	hl_dxg_ran(c, s, err, off, op);
}

/* After a worker ran @s of @c: as above, then move on. */
static void hl_dxg_finish(struct hl_dxg_context *c, struct hl_dxg_sub *s,
			  int err, uint32_t off, uint16_t op)
{
	struct hl_dxg_guest *g = c->g;

	hl_dxg_ran(c, s, err, off, op);
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

void hl_dxg_context_kill(struct hl_dxg_guest *g, struct hl_dxg_context *c)
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

void hl_dxg_alloc_kill(struct hl_dxg_guest *g, struct hl_dxg_alloc *a)
{
	if (a->lock_flags && !a->lock_ready && !g->dying)
		g->eng->notify->lock(g->cookie, a->obj.proc->id, a->obj.id,
				     ECANCELED);
	a->lock_flags = 0;
	hl_dxg_obj_unpublish(g, &a->obj);
	hl_list_del(&a->node);
	hl_dxg_alloc_put(a);
}

void hl_dxg_fence_kill(struct hl_dxg_guest *g, struct hl_dxg_fence *f)
{
	struct hl_dxg_device *dev = f->dev;

	hl_dxg_obj_unpublish(g, &f->obj);
	hl_list_del(&f->node);
	f->dead = true;
	hl_dxg_fence_put(f);
	hl_dxg_dev_settle(g, dev);
}

void hl_dxg_device_kill(struct hl_dxg_guest *g, struct hl_dxg_device *dev)
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

void hl_dxg_adapter_free(struct hl_dxg_guest *g, struct hl_dxg_adapter *a)
{
	while (!hl_list_empty(&a->devices))
		hl_dxg_device_kill(g, hl_list_first(&a->devices,
				   struct hl_dxg_device, node));
	hl_dxg_obj_unpublish(g, &a->obj);
	hl_list_del(&a->node);
	free(a);
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
