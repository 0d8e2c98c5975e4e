// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: fences: values, the fence page, waits, CPU signals.
 *
 * A fence's value lives on the host; the guest keeps the last value it
 * has seen (FENCE events, and the CPU signals it sent itself) in the
 * fence and in the file's fence page, and waits on it locally: no host
 * request is held while a task waits.  Everything a FENCE event
 * changes is under dxg_ev_lock, the only lock the event handler takes.
 *
 * The event table is here too: the fences and devices the host names in
 * events, by (process, host id).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "dxg_compat.h"
#include "dxg_priv.h"

DEFINE_SPINLOCK(dxg_ev_lock);
static DEFINE_HASHTABLE(dxg_ev_table, 10);

/* The largest errno a FENCE event may carry. */
#define DXG_FENCE_MAX_ERRNO	4095

/* One entry of a DXG_FENCE_SIGNAL or DXG_FENCE_WAIT list. */
struct dxg_fence_ent {
	struct dxg_fence *fence;
	u64 value;
};

/* Bytes of a file's fence page(s): out_fence_map_size. */
static size_t dxg_fence_map_size(void)
{
	return PAGE_ALIGN((size_t)dxg_max_fences * sizeof(u64));
}

/**
 * dxg_fence_file_init() - give a new file its fence page and slot bitmap
 * @dfile: the file being opened
 *
 * Context: process context; the file is not reachable yet.
 * Return: 0 or -ENOMEM.
 */
int dxg_fence_file_init(struct dxg_file *dfile)
{
	if (!dxg_max_fences)
		return 0;	/* no slots: creates fail ENOSPC, mmap EINVAL */
	dfile->fence_page = vmalloc_user(dxg_fence_map_size());
	if (!dfile->fence_page)
		return -ENOMEM;
	dfile->fence_slots = bitmap_zalloc(dxg_max_fences, GFP_KERNEL);
	if (!dfile->fence_slots) {
		vfree(dfile->fence_page);
		dfile->fence_page = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * dxg_fence_file_exit() - free what dxg_fence_file_init() gave
 * @dfile: the file, with no fence left and no mapping of it
 *
 * Context: process context (the release worker, or a failed open).
 */
void dxg_fence_file_exit(struct dxg_file *dfile)
{
	bitmap_free(dfile->fence_slots);
	dfile->fence_slots = NULL;
	vfree(dfile->fence_page);
	dfile->fence_page = NULL;
}

/**
 * dxg_fence_mmap() - map the fence page read-only
 * @dfile: the file
 * @vma: the new mapping, at DXG_MMAP_FENCE_OFFSET
 *
 * Shared, read-only for good (no mprotect to writable), at most
 * out_fence_map_size bytes.  Inherited over fork like any shared
 * mapping; the mapping holds the file, so the page outlives it.
 * Context: mmap, mmap_lock held for writing.
 * Return: 0, -EINVAL (private, too long), -EACCES (writable).
 */
int dxg_fence_mmap(struct dxg_file *dfile, struct vm_area_struct *vma)
{
	if (!dfile->fence_page || vma->vm_pgoff)
		return -EINVAL;
	/* MAP_SHARED of an O_RDONLY fd has VM_MAYSHARE but not VM_SHARED */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	if (vma->vm_end - vma->vm_start > dxg_fence_map_size())
		return -EINVAL;
	dxg_vm_flags_clear(vma, VM_MAYWRITE);
	return remap_vmalloc_range(vma, dfile->fence_page, 0);
}

/*
 * Write a slot of the fence page: one aligned 64-bit store, which user
 * space reads with one aligned 64-bit load.
 * Context: dxg_ev_lock held.
 */
static void dxg_fence_page_set(struct dxg_fence *fence, u64 value)
{
	lockdep_assert_held(&dxg_ev_lock);
	WRITE_ONCE(fence->obj.dfile->fence_page[fence->slot], value);
}

/**
 * dxg_fence_fail_errno() - why a fence will never reach a value
 * @fence: the fence
 *
 * Return: -ENOENT if it was destroyed, -ENODEV if its adapter or
 * device is lost, else 0.  Values reached before stay reached: the
 * caller looks at the value first.
 * Context: dxg_ev_lock held.
 */
int dxg_fence_fail_errno(const struct dxg_fence *fence)
{
	const struct dxg_device *dev = to_dxg_device(fence->obj.parent);

	lockdep_assert_held(&dxg_ev_lock);
	if (fence->gone)
		return -ENOENT;
	if (dxg_obj_lost(&fence->obj))
		return -ENODEV;
	if (le32_to_cpu(dev->state.state) == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	return 0;
}

/*
 * A new value for @fence, above the last: record it (and the first
 * error), show it in the page, then wake the file's waiters and signal
 * the exports it reaches.
 * Context: dxg_ev_lock held.
 */
static void dxg_fence_set_value(struct dxg_fence *fence, u64 value, int error)
{
	lockdep_assert_held(&dxg_ev_lock);
	fence->value = value;
	if (error && !fence->error)
		fence->error = error;
	dxg_fence_page_set(fence, value);
	/* the page is written before the wake-up: a woken task sees it */
	wake_up_all(&fence->obj.dfile->fence_wq);
	dxg_sync_signal(fence);
}

static void dxg_fence_release(struct dxg_obj *obj)
{
	struct dxg_fence *fence = to_dxg_fence(obj);
	struct dxg_file *dfile = obj->dfile;
	unsigned long flags;

	spin_lock_irqsave(&dxg_ev_lock, flags);
	if (!hlist_unhashed(&fence->ev.hnode))
		dxg_ev_del(&fence->ev);
	/* never published, or gone: nothing may still wait on an export */
	fence->gone = true;
	dxg_sync_signal(fence);
	WRITE_ONCE(dfile->fence_page[fence->slot], 0);
	__clear_bit(fence->slot, dfile->fence_slots);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	kfree(fence);
}

/**
 * dxg_fence_gone() - a fence was destroyed
 * @fence: the fence, unpublished
 *
 * Its slot reads 0, waiters fail with -ENOENT, unreached exports signal
 * with -ECANCELED, and later events for it are of an unknown fence.
 * Called by dxg_obj_put_list() before the table's reference goes.
 * Context: process context; dxg_file.lock not held.  Takes dxg_ev_lock.
 */
void dxg_fence_gone(struct dxg_fence *fence)
{
	unsigned long flags;

	spin_lock_irqsave(&dxg_ev_lock, flags);
	fence->gone = true;
	if (!hlist_unhashed(&fence->ev.hnode))
		dxg_ev_del(&fence->ev);
	dxg_fence_page_set(fence, 0);
	wake_up_all(&fence->obj.dfile->fence_wq);
	dxg_sync_signal(fence);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
}

/* A free slot of the file's fence page, or -ENOSPC. */
static int dxg_fence_slot_get(struct dxg_file *dfile, u32 *slot)
{
	unsigned long flags, bit;
	int ret = -ENOSPC;

	if (!dfile->fence_slots)
		return -ENOSPC;
	spin_lock_irqsave(&dxg_ev_lock, flags);
	bit = find_first_zero_bit(dfile->fence_slots, dxg_max_fences);
	if (bit < dxg_max_fences) {
		__set_bit(bit, dfile->fence_slots);
		*slot = bit;
		ret = 0;
	}
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	return ret;
}

/* Context: dxg_file.lock held. */
static int dxg_fence_publish(struct dxg_fence *fence)
{
	unsigned long flags;
	int ret;

	lockdep_assert_held(&fence->obj.dfile->lock);
	ret = dxg_obj_publish(&fence->obj);
	if (ret)
		return ret;
	spin_lock_irqsave(&dxg_ev_lock, flags);
	dxg_fence_page_set(fence, fence->value);
	dxg_ev_add(&fence->ev);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	return 0;
}

/**
 * dxg_fence_create_ioctl() - DXG_FENCE_CREATE
 * @dfile: the file
 * @arg: struct dxg_fence_create, the kernel's copy
 *
 * The slot is taken before the host is asked (ENOSPC when the page is
 * full); the fence is published, and in the event table, last.
 * Context: process context; takes dxg_file.lock, then dxg_ev_lock.
 * Return: 0 or a negative errno (dxg.h lists them).
 */
int dxg_fence_create_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_create *a = arg;
	struct dxg_wire_fence_create body = {};
	struct dxg_fence *fence;
	struct dxg_obj *dev;
	u32 slot;
	int ret;

	if (a->flags || a->__reserved)
		return -EINVAL;
	dev = dxg_obj_get(dfile, a->device, DXG_KIND_DEVICE);
	if (!dev)
		return -ENOENT;
	ret = dxg_device_error(to_dxg_device(dev));
	if (ret)
		goto out_put;
	ret = -ENOMEM;
	fence = kzalloc(sizeof(*fence), GFP_KERNEL_ACCOUNT);
	if (!fence)
		goto out_put;
	ret = dxg_fence_slot_get(dfile, &slot);
	if (ret) {
		kfree(fence);
		goto out_put;
	}
	/* from here the release frees the slot */
	fence->slot = slot;
	INIT_LIST_HEAD(&fence->exports);
	INIT_HLIST_NODE(&fence->ev.hnode);
	dxg_obj_init(&fence->obj, DXG_KIND_FENCE, dfile, dev, dxg_fence_release);
	fence->value = a->initial_value;
	fence->context = dxg_sync_context_alloc();
	fence->ev.kind = DXG_KIND_FENCE;
	fence->ev.process = dfile->process;
	fence->ev.epoch = dxg_obj_adapter(dev)->epoch;

	body.device = cpu_to_le64(dev->host_id);
	body.value = cpu_to_le64(a->initial_value);
	ret = dxg_cmd_create(dfile, dev->ah, DXG_WIRE_OP_FENCE_CREATE,
			     &body, sizeof(body), &fence->obj.host_id);
	if (ret) {
		dxg_obj_put(&fence->obj);
		goto out_put;
	}
	fence->ev.host_id = fence->obj.host_id;

	mutex_lock(&dfile->lock);
	ret = dxg_fence_publish(fence);
	if (!ret) {
		a->out_fence = fence->obj.handle;
		a->out_slot = fence->slot;
	}
	mutex_unlock(&dfile->lock);
	if (ret) {
		dxg_cmd_destroy(dfile, dev->ah, DXG_WIRE_OP_FENCE_DESTROY,
				fence->obj.host_id);
		dxg_obj_put(&fence->obj);
	}
out_put:
	ret = dxg_errno(dxg_obj_adapter(dev), ret);
	dxg_obj_put(dev);
	return ret;
}

/**
 * dxg_fence_destroy_ioctl() - DXG_FENCE_DESTROY
 * @dfile: the file
 * @arg: struct dxg_fence_destroy, the kernel's copy
 *
 * Context: process context.
 * Return: 0, -ENOENT or -EINVAL.
 */
int dxg_fence_destroy_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_destroy *a = arg;

	if (a->flags)
		return -EINVAL;
	return dxg_obj_destroy(dfile, a->fence, DXG_KIND_FENCE,
			       DXG_WIRE_OP_FENCE_DESTROY);
}

static void dxg_fence_list_put(struct dxg_fence_ent *ents, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++)
		if (ents[i].fence)
			dxg_obj_put(&ents[i].fence->obj);
	kfree(ents);
}

/*
 * Copy a list of struct dxg_fence_value from user space and look every
 * handle up: all of them are checked before the caller acts on any.
 * Return: the entries, each fence with a reference, or ERR_PTR().
 */
static struct dxg_fence_ent *dxg_fence_list_get(struct dxg_file *dfile,
						u64 uptr, u32 count)
{
	struct dxg_fence_value __user *uents = u64_to_user_ptr(uptr);
	struct dxg_fence_ent *ents;
	struct dxg_fence_value v;
	struct dxg_obj *obj;
	u32 i;

	ents = kcalloc(count, sizeof(*ents), GFP_KERNEL);
	if (!ents)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < count; i++) {
		if (copy_from_user(&v, &uents[i], sizeof(v))) {
			dxg_fence_list_put(ents, i);
			return ERR_PTR(-EFAULT);
		}
		obj = dxg_obj_get(dfile, v.fence, DXG_KIND_FENCE);
		if (!obj) {
			dxg_fence_list_put(ents, i);
			return ERR_PTR(-ENOENT);
		}
		ents[i].fence = to_dxg_fence(obj);
		ents[i].value = v.value;
	}
	return ents;
}

/*
 * The guest set @value itself (the host has acknowledged it): apply
 * it now if the event did not already.
 */
static void dxg_fence_signal_local(struct dxg_fence *fence, u64 value)
{
	unsigned long flags;

	spin_lock_irqsave(&dxg_ev_lock, flags);
	if (!fence->gone && value > fence->value)
		dxg_fence_set_value(fence, value, 0);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
}

/**
 * dxg_fence_signal_ioctl() - DXG_FENCE_SIGNAL
 * @dfile: the file
 * @arg: struct dxg_fence_signal, the kernel's copy; written back on
 *	error too (out_done)
 *
 * Every handle is looked up before any entry is sent; then each is
 * sent in order and, once the host has it, applied in the guest too.
 * Context: process context; no lock held across the host calls.
 * Return: 0, or the errno that stopped it after out_done entries.
 */
int dxg_fence_signal_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_signal *a = arg;
	struct dxg_fence_ent *ents;
	struct dxg_fence *fence;
	int ret = 0;
	u32 i;

	/* copied out even on error: nothing applied yet */
	a->out_done = 0;
	if (a->flags || !a->count || a->count > DXG_MAX_SIGNAL_FENCES)
		return -EINVAL;
	ents = dxg_fence_list_get(dfile, a->fences_uptr, a->count);
	if (IS_ERR(ents))
		return PTR_ERR(ents);

	for (i = 0; i < a->count; i++) {
		fence = ents[i].fence;
		/*
		 * The host replies after it queued this signal's event, so
		 * the event has usually updated the value by now.
		 */
		ret = dxg_cmd_fence_signal(dfile, fence->obj.ah,
					   fence->obj.host_id, ents[i].value);
		ret = dxg_errno(dxg_obj_adapter(&fence->obj), ret);
		if (ret)
			break;
		dxg_fence_signal_local(fence, ents[i].value);
		a->out_done = i + 1;
	}
	dxg_fence_list_put(ents, a->count);
	return ret;
}

/*
 * Has the wait list come true?  Without @all, the first entry reached
 * wins; with it, every entry must be.  An entry that can never be
 * reached (destroyed, lost) fails the wait unless an ANY wait already
 * has one reached.
 * Return: 0 (*@index set), -EAGAIN to go on waiting, or the errno.
 * Context: dxg_ev_lock held.
 */
static int dxg_fence_wait_check(const struct dxg_fence_ent *ents, u32 count,
				bool all, u32 *index)
{
	bool pending = false;
	int err = 0, e;
	u32 i;

	lockdep_assert_held(&dxg_ev_lock);
	for (i = 0; i < count; i++) {
		if (ents[i].fence->value >= ents[i].value) {
			if (!all) {
				*index = i;
				return 0;
			}
			continue;
		}
		pending = true;
		e = dxg_fence_fail_errno(ents[i].fence);
		if (e && !err)
			err = e;
	}
	if (!pending) {
		*index = count;
		return 0;
	}
	return err ?: -EAGAIN;
}

/*
 * Wait for the list on the file's queue until it comes true, fails,
 * the absolute CLOCK_MONOTONIC @deadline passes (-ETIMEDOUT), or a
 * signal comes (-ERESTARTSYS: a restart has the same deadline).
 */
static int dxg_fence_wait_list(struct dxg_file *dfile,
			       const struct dxg_fence_ent *ents, u32 count,
			       bool all, u64 deadline_ns, u32 *index)
{
	bool forever = deadline_ns == DXG_WAIT_FOREVER ||
		       deadline_ns > (u64)KTIME_MAX;
	ktime_t deadline = forever ? KTIME_MAX : ns_to_ktime(deadline_ns);
	bool timed_out = false;
	unsigned long flags;
	DEFINE_WAIT(wait);
	int ret;

	for (;;) {
		prepare_to_wait(&dfile->fence_wq, &wait, TASK_INTERRUPTIBLE);
		spin_lock_irqsave(&dxg_ev_lock, flags);
		ret = dxg_fence_wait_check(ents, count, all, index);
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		if (ret != -EAGAIN)
			break;
		if (timed_out ||
		    (!forever && ktime_compare(ktime_get(), deadline) >= 0)) {
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (forever)
			schedule();
		else if (!schedule_hrtimeout_range(&deadline,
						   current->timer_slack_ns,
						   HRTIMER_MODE_ABS))
			timed_out = true;	/* one more look, then give up */
	}
	finish_wait(&dfile->fence_wq, &wait);
	return ret;
}

/**
 * dxg_fence_wait_ioctl() - DXG_FENCE_WAIT
 * @dfile: the file
 * @arg: struct dxg_fence_wait, the kernel's copy
 *
 * Context: process context; sleeps interruptibly, holding fence
 * references only.
 * Return: 0, -ETIMEDOUT, -ERESTARTSYS, -ENOENT, -ENODEV, -EINVAL,
 * -EFAULT or -ENOMEM.
 */
int dxg_fence_wait_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_wait *a = arg;
	struct dxg_fence_ent *ents;
	u32 index = 0;
	int ret;

	if (a->flags & ~DXG_WAIT_ALL)
		return -EINVAL;
	if (!a->count || a->count > DXG_MAX_WAIT_FENCES)
		return -EINVAL;
	ents = dxg_fence_list_get(dfile, a->fences_uptr, a->count);
	if (IS_ERR(ents))
		return PTR_ERR(ents);
	ret = dxg_fence_wait_list(dfile, ents, a->count,
				  a->flags & DXG_WAIT_ALL, a->deadline_ns,
				  &index);
	if (!ret)
		a->out_index = index;
	dxg_fence_list_put(ents, a->count);
	return ret;
}

/* The fence of a live event-table entry, or NULL. */
static struct dxg_fence *dxg_fence_find(u64 process, u64 host_id)
{
	struct dxg_evnode *ev;

	lockdep_assert_held(&dxg_ev_lock);
	ev = dxg_ev_find(process, host_id);
	if (!ev || ev->kind != DXG_KIND_FENCE)
		return NULL;
	return container_of(ev, struct dxg_fence, ev);
}

/**
 * dxg_fence_event() - a FENCE event from the host
 * @ev: the event, its size checked
 *
 * Never trusted: a malformed event is dropped, counted in
 * events_dropped and the connection dropped after it
 * (dxg_cmd_event_malformed()); one for an unknown fence is dropped and
 * counted in events_dropped; a value below the last one
 * is dropped and counted in values_dropped; one equal to it is dropped
 * silently (the guest may have applied its own CPU signal first), as
 * the protocol asks.
 * Context: the event handler, inside whichever task drains the socket;
 * takes dxg_ev_lock only.
 */
void dxg_fence_event(const struct dxg_wire_ev_fence *ev)
{
	u64 value = le64_to_cpu(ev->value);
	u32 error = le32_to_cpu(ev->error);
	struct dxg_fence *fence;
	unsigned long flags;

	if (ev->__reserved || error > DXG_FENCE_MAX_ERRNO) {
		dxg_cmd_event_malformed("a FENCE event with reserved bits or a bad error");
		return;
	}
	spin_lock_irqsave(&dxg_ev_lock, flags);
	fence = dxg_fence_find(le64_to_cpu(ev->process),
			       le64_to_cpu(ev->fence));
	if (!fence || fence->gone) {
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		atomic64_inc(&dxg_stats.events_dropped);
		return;
	}
	if (value <= fence->value) {
		bool below = value < fence->value;

		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		if (below)
			atomic64_inc(&dxg_stats.values_dropped);
		return;
	}
	dxg_fence_set_value(fence, value, error);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
}

/* The fence an event-table entry of kind DXG_KIND_FENCE is in. */
static struct dxg_fence *dxg_ev_fence(struct dxg_evnode *ev)
{
	return ev->kind == DXG_KIND_FENCE ?
	       container_of(ev, struct dxg_fence, ev) : NULL;
}

/**
 * dxg_fence_lost_all() - the host connection of @epoch went
 * @epoch: its epoch; its adapters are marked lost already
 *
 * The unreached exports of its fences signal with -ENODEV; every file's
 * waiters wake and see -ENODEV for what they wait on there.
 * Context: the connection thread, process context; takes dxg_ev_lock,
 * then dxg_files_lock (not nested).
 */
void dxg_fence_lost_all(u64 epoch)
{
	struct dxg_file *dfile;
	struct dxg_fence *fence;
	struct dxg_evnode *ev;
	unsigned long flags;
	unsigned int bkt;

	spin_lock_irqsave(&dxg_ev_lock, flags);
	hash_for_each(dxg_ev_table, bkt, ev, hnode) {
		fence = dxg_ev_fence(ev);
		if (fence && ev->epoch == epoch)
			dxg_sync_signal(fence);
	}
	spin_unlock_irqrestore(&dxg_ev_lock, flags);

	mutex_lock(&dxg_files_lock);
	list_for_each_entry(dfile, &dxg_files, node)
		wake_up_all(&dfile->fence_wq);
	mutex_unlock(&dxg_files_lock);
}

/**
 * dxg_fence_device_lost() - a device became LOST
 * @dev: the device, its state LOST already
 *
 * The unreached exports of its fences signal with -ENODEV.  Its file's
 * waiters are the caller's to wake.
 * Context: dxg_ev_lock held (the DEVICE event handler).
 */
void dxg_fence_device_lost(struct dxg_device *dev)
{
	struct dxg_fence *fence;
	struct dxg_evnode *ev;
	unsigned int bkt;

	lockdep_assert_held(&dxg_ev_lock);
	hash_for_each(dxg_ev_table, bkt, ev, hnode) {
		fence = dxg_ev_fence(ev);
		if (fence && fence->obj.parent == &dev->obj)
			dxg_sync_signal(fence);
	}
}

static u32 dxg_ev_hash(u64 process, u64 host_id)
{
	return hash_64(process ^ (host_id * 0x9e3779b97f4a7c15ULL), 10);
}

/* The object an event-table entry is in. */
static struct dxg_obj *dxg_ev_obj(struct dxg_evnode *ev)
{
	if (ev->kind == DXG_KIND_FENCE)
		return &container_of(ev, struct dxg_fence, ev)->obj;
	return &container_of(ev, struct dxg_device, ev)->obj;
}

/* Context: dxg_ev_lock held. */
void dxg_ev_add(struct dxg_evnode *ev)
{
	lockdep_assert_held(&dxg_ev_lock);
	hash_add(dxg_ev_table, &ev->hnode, dxg_ev_hash(ev->process, ev->host_id));
}

/* Context: dxg_ev_lock held. */
void dxg_ev_del(struct dxg_evnode *ev)
{
	lockdep_assert_held(&dxg_ev_lock);
	hash_del(&ev->hnode);
}

/**
 * dxg_ev_find() - the entry the host names in an event
 * @process: the event's process id
 * @host_id: the event's object id
 *
 * Host ids start again on a new connection, so entries of a lost
 * connection (their adapter lost) may share (@process, @host_id) with
 * a live one: only entries whose adapter is not lost are found, as only
 * the current connection sends events.
 * Context: dxg_ev_lock held.
 * Return: the entry, or NULL.
 */
struct dxg_evnode *dxg_ev_find(u64 process, u64 host_id)
{
	struct dxg_evnode *ev;

	lockdep_assert_held(&dxg_ev_lock);
	hash_for_each_possible(dxg_ev_table, ev, hnode,
			       dxg_ev_hash(process, host_id))
		if (ev->process == process && ev->host_id == host_id &&
		    !dxg_obj_lost(dxg_ev_obj(ev)))
			return ev;
	return NULL;
}
