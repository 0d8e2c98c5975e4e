// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPU service engine's ops: what the service layer calls for each
 * request of Documentation/dxg-protocol.rst, each taking the engine lock
 * around its body; SUBMIT checks a submission whole before it queues it.
 * The tables, references and workers they use are hl_dxg_engine.c's.
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

/* ---- the ops ---- */

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

/*
 * DEVICE, CONTEXT, ALLOC and FENCE_DESTROY: the object @id of @kind goes,
 * with what hangs off it.  A context's device may settle (a destroy
 * waiting for its queues).
 */
static int hl_dxg_destroy_locked(struct hl_dxg_guest *g,
				 const struct hl_dxg_who *w, uint64_t id,
				 enum hl_dxg_kind kind)
{
	struct hl_dxg_device *dev;
	struct hl_dxg_obj *o;
	int ret = hl_dxg_obj_get(g, w, id, kind, &o);

	if (ret)
		return ret;
	switch (kind) {
	case HL_DXG_DEVICE:
		hl_dxg_device_kill(g, hl_container_of(o, struct hl_dxg_device, obj));
		break;
	case HL_DXG_CONTEXT:
		/* the kill may free the context */
		dev = hl_container_of(o, struct hl_dxg_context, obj)->dev;
		hl_dxg_context_kill(g, hl_container_of(o, struct hl_dxg_context, obj));
		hl_dxg_dev_settle(g, dev);
		break;
	case HL_DXG_ALLOC:
		hl_dxg_alloc_kill(g, hl_container_of(o, struct hl_dxg_alloc, obj));
		break;
	case HL_DXG_FENCE:
		hl_dxg_fence_kill(g, hl_container_of(o, struct hl_dxg_fence, obj));
		break;
	default:
		return -EINVAL;
	}
	return 0;
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

int hl_dxg_device_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			  uint64_t device)
{
	return HL_DXG_LOCKED(g, hl_dxg_destroy_locked(g, w, device,
						      HL_DXG_DEVICE));
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

int hl_dxg_context_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			   uint64_t context)
{
	return HL_DXG_LOCKED(g, hl_dxg_destroy_locked(g, w, context,
						      HL_DXG_CONTEXT));
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
	int ret = hl_dxg_obj_get(g, w, id, HL_DXG_ALLOC, &o);

	if (!ret)
		*out = hl_container_of(o, struct hl_dxg_alloc, obj);
	return ret;
}

int hl_dxg_alloc_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t alloc)
{
	return HL_DXG_LOCKED(g, hl_dxg_destroy_locked(g, w, alloc,
						      HL_DXG_ALLOC));
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

/* @rbuf or @wbuf is the copy's buffer; with neither, the checks alone. */
static int hl_dxg_xfer_locked(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			      uint64_t id, uint64_t offset, void *rbuf,
			      const void *wbuf, uint64_t length, uint32_t need)
{
	struct hl_dxg_alloc *a;
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
	else if (wbuf)
		memcpy((uint8_t *)a->mem + offset, wbuf, length);
	return 0;
}

int hl_dxg_alloc_read(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		      uint64_t alloc, uint64_t offset, void *buf,
		      uint64_t length)
{
	return HL_DXG_LOCKED(g, hl_dxg_xfer_locked(g, w, alloc, offset, buf,
						   NULL, length,
						   DXG_WIRE_LOCK_READ));
}

int hl_dxg_alloc_write(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t alloc, uint64_t offset, const void *buf,
		       uint64_t length)
{
	return HL_DXG_LOCKED(g, hl_dxg_xfer_locked(g, w, alloc, offset, NULL,
						   buf, length,
						   DXG_WIRE_LOCK_WRITE));
}

int hl_dxg_xfer_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		      uint64_t alloc, uint64_t offset, uint64_t length,
		      bool write)
{
	return HL_DXG_LOCKED(g, hl_dxg_xfer_locked(g, w, alloc, offset, NULL,
						   NULL, length, write ?
						   DXG_WIRE_LOCK_WRITE :
						   DXG_WIRE_LOCK_READ));
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
	int ret = hl_dxg_obj_get(g, w, id, HL_DXG_FENCE, &o);

	if (!ret)
		*out = hl_container_of(o, struct hl_dxg_fence, obj);
	return ret;
}

int hl_dxg_fence_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t fence)
{
	return HL_DXG_LOCKED(g, hl_dxg_destroy_locked(g, w, fence,
						      HL_DXG_FENCE));
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
	ret = hl_dxg_cmdbuf_check(s->cmds, s->cmd_bytes, sizes, s->n_allocs,
				  &s->cost);
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

