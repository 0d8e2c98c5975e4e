// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: allocations, lock and unlock, the byte transfers.
 *
 * An allocation's memory is the host's.  A lock gives a range of it a
 * buffer in guest memory (pages charged to the caller's memory cgroup,
 * mapped in the kernel with vmap() and in user space through
 * dxg_mmap.c), filled from the host with READs unless the lock is
 * WRITE | DISCARD, and sent back whole with WRITEs at unlock when it is
 * WRITE: chunked, or a bulk stream for large ranges.  A lock of WRITE
 * alone is READ | WRITE on the wire, so that the bytes a program does
 * not write go back unchanged.
 *
 * While a lock or an unlock talks to the host the allocation is busy:
 * neither is in struct dxg_alloc's @lock then, so a second lock sees
 * EBUSY and a second unlock EINVAL.  Host calls that must not stop for
 * a signal (ending a lock on the host, the write-back) run on dxg_wq
 * and are waited for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dxg_priv.h"

#define DXG_LOCK_MODE_MASK	(DXG_LOCK_READ | DXG_LOCK_WRITE | \
				 DXG_LOCK_DISCARD)
#define DXG_LOCK_ALL		(DXG_LOCK_MODE_MASK | DXG_LOCK_NOWAIT)

static void dxg_alloc_release(struct dxg_obj *obj)
{
	struct dxg_alloc *alloc = to_dxg_alloc(obj);

	WARN_ON_ONCE(alloc->lock);
	kfree(alloc);
}

/* Would @length more bytes of allocations put the file over its budget? */
static bool dxg_alloc_over_budget(struct dxg_file *dfile, u64 length)
{
	u64 max = READ_ONCE(dxg_max_file_memory);

	lockdep_assert_held(&dfile->lock);
	return length > max || dfile->alloc_bytes > max - length;
}

int dxg_alloc_create_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_alloc_create *a = arg;
	struct dxg_wire_alloc_create body = {};
	struct dxg_alloc *alloc;
	struct dxg_obj *dev;
	bool over;
	int ret;

	if (a->flags || !a->length || a->length > DXG_MAX_ALLOC_SIZE)
		return -EINVAL;
	dev = dxg_obj_get(dfile, a->device, DXG_KIND_DEVICE);
	if (!dev)
		return -ENOENT;
	ret = dxg_device_error(to_dxg_device(dev));
	if (ret)
		goto out_put;
	/* a first look, to spare the host a create bound to fail */
	mutex_lock(&dfile->lock);
	over = dxg_alloc_over_budget(dfile, a->length);
	mutex_unlock(&dfile->lock);
	ret = -ENOMEM;
	if (over)
		goto out_put;
	alloc = kzalloc(sizeof(*alloc), GFP_KERNEL_ACCOUNT);
	if (!alloc)
		goto out_put;
	dxg_obj_init(&alloc->obj, DXG_KIND_ALLOC, dfile, dev,
		     dxg_alloc_release);
	alloc->length = a->length;

	body.device = cpu_to_le64(dev->host_id);
	body.size = cpu_to_le64(a->length);
	ret = dxg_cmd_create(dfile, dev->ah, DXG_WIRE_OP_ALLOC_CREATE,
			     &body, sizeof(body), &alloc->obj.host_id);
	if (ret) {
		dxg_obj_put(&alloc->obj);
		goto out_put;
	}

	mutex_lock(&dfile->lock);
	/* dxg_obj_unpublish() subtracts what is added here */
	ret = -ENOMEM;
	if (!dxg_alloc_over_budget(dfile, a->length))
		ret = dxg_obj_publish(&alloc->obj);
	if (!ret) {
		dfile->alloc_bytes += alloc->length;
		alloc->obj.ah->alloc_bytes += alloc->length;
		a->out_alloc = alloc->obj.handle;
	}
	mutex_unlock(&dfile->lock);
	if (ret) {
		dxg_cmd_destroy(dfile, dev->ah, DXG_WIRE_OP_ALLOC_DESTROY,
				alloc->obj.host_id);
		dxg_obj_put(&alloc->obj);
	}
out_put:
	ret = dxg_errno(dxg_obj_adapter(dev), ret);
	dxg_obj_put(dev);
	return ret;
}

int dxg_alloc_destroy_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_alloc_destroy *a = arg;

	if (a->flags)
		return -EINVAL;
	return dxg_obj_destroy(dfile, a->alloc, DXG_KIND_ALLOC,
			       DXG_WIRE_OP_ALLOC_DESTROY);
}

static void dxg_lock_free_buffer(struct dxg_lock *lk)
{
	unsigned int i;

	if (lk->vaddr)
		vunmap(lk->vaddr);
	lk->vaddr = NULL;
	if (!lk->pages)
		return;
	for (i = 0; i < lk->npages && lk->pages[i]; i++)
		__free_page(lk->pages[i]);
	kvfree(lk->pages);
	lk->pages = NULL;
}

static void dxg_lock_release(struct kref *ref)
{
	struct dxg_lock *lk = container_of(ref, struct dxg_lock, ref);

	dxg_lock_free_buffer(lk);
	dxg_obj_put(&lk->alloc->obj);
	mutex_destroy(&lk->fault_lock);
	kfree(lk);
}

/**
 * dxg_lock_put() - drop a reference to a lock
 * @lk: the lock
 *
 * The last one (the allocation's, or a mapping's after unlock) frees
 * the buffer if it is still there, and the structure.
 * Context: may sleep; no dxg lock held.
 */
void dxg_lock_put(struct dxg_lock *lk)
{
	kref_put(&lk->ref, dxg_lock_release);
}

/*
 * A lock of @alloc with its buffer; not yet known to anyone.  Zeroed,
 * unless @fetched: then the transfer overwrites the range before anyone
 * can map it (dxg_lock_map_init() only after it succeeded), and only
 * the last page's tail past the range is cleared here.
 */
static struct dxg_lock *dxg_lock_new(struct dxg_alloc *alloc, u64 offset,
				     u64 length, u32 flags, bool fetched)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			  (fetched ? 0 : __GFP_ZERO);
	struct dxg_lock *lk;
	unsigned int i;
	int ret = -ENOMEM;

	lk = kzalloc(sizeof(*lk), GFP_KERNEL_ACCOUNT);
	if (!lk)
		return ERR_PTR(-ENOMEM);
	kref_init(&lk->ref);
	mutex_init(&lk->fault_lock);
	kref_get(&alloc->obj.ref);
	lk->alloc = alloc;
	lk->offset = offset;
	lk->length = length;
	lk->flags = flags;
	/* length <= 2^32: the page count fits */
	lk->npages = DIV_ROUND_UP(length, PAGE_SIZE);

	lk->pages = kvcalloc(lk->npages, sizeof(*lk->pages),
			     GFP_KERNEL_ACCOUNT);
	if (!lk->pages)
		goto err_put;
	for (i = 0; i < lk->npages; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_put;
		}
		lk->pages[i] = alloc_page(gfp);
		if (!lk->pages[i])
			goto err_put;
		cond_resched();
	}
	lk->vaddr = vmap(lk->pages, lk->npages, VM_MAP, PAGE_KERNEL);
	if (!lk->vaddr)
		goto err_put;
	if (fetched)
		memset(lk->vaddr + length, 0,
		       ((size_t)lk->npages << PAGE_SHIFT) - length);
	return lk;

err_put:
	dxg_lock_put(lk);
	return ERR_PTR(ret);
}

/* The wire LOCK flags of a guest lock. */
static u32 dxg_lock_wire_flags(u32 flags)
{
	u32 wire = flags & DXG_LOCK_NOWAIT ? DXG_WIRE_LOCK_NOWAIT : 0;

	if (flags & DXG_LOCK_DISCARD)
		return wire | DXG_WIRE_LOCK_WRITE | DXG_WIRE_LOCK_DISCARD;
	/* WRITE alone fetches the range too, to send it back whole */
	wire |= DXG_WIRE_LOCK_READ;
	if (flags & DXG_LOCK_WRITE)
		wire |= DXG_WIRE_LOCK_WRITE;
	return wire;
}

/*
 * A transfer's failure as the lock (@lock) and unlock ioctls report it:
 * no guest memory for a fetch is the LOCK caller's ENOMEM; a write-back
 * that fails for any reason but these is UNLOCK's EIO.
 */
static int dxg_xfer_errno(int err, bool lock)
{
	switch (err) {
	case 0:
	case -EINTR:
	case -ENODEV:
	case -EPROTO:
	case -ENOENT:
		return err;
	case -ENOMEM:
		return lock ? err : -EIO;
	default:
		return -EIO;
	}
}

/*
 * Move the lock's range between the host and the buffer: on a stream of
 * its own when it is at least bulk_min_kib and the host offers bulk,
 * else (or when no stream can be had) in chunks of at most
 * dxg_cmd_xfer_max() bytes: READs (@write false) or WRITEs.
 * A chunk the host refuses as too long (EMSGSIZE) is asked again in
 * halves, down to DXG_XFER_CHUNK_MIN, and the rest of the range goes
 * in chunks of that size; below it the refusal is a protocol error
 * (dxg_cmd_errno()).
 */
static int dxg_lock_xfer(struct dxg_file *dfile, struct dxg_lock *lk,
			 bool write)
{
	struct dxg_ahandle *ah = lk->alloc->obj.ah;
	u64 id = lk->alloc->obj.host_id;
	size_t chunk = SIZE_MAX;
	u64 done = 0;
	ssize_t max;
	size_t len;
	int ret;

	if (dxg_cmd_bulk_possible() &&
	    lk->length >= (u64)READ_ONCE(dxg_bulk_min_kib) * SZ_1K) {
		ret = dxg_cmd_bulk(dfile, ah, id, lk->offset, lk->vaddr,
				   lk->length, write);
		if (ret != -EAGAIN) {
			if (!ret)
				atomic64_add(lk->length, write ?
					     &ah->bytes_written : &ah->bytes_read);
			return ret;
		}
	}
	while (done < lk->length) {
		max = dxg_cmd_xfer_max();
		if (max < 0)
			return max;
		len = min_t(u64, min_t(u64, lk->length - done, max), chunk);
		if (write)
			ret = dxg_cmd_write(dfile, ah, id, lk->offset + done,
					    lk->vaddr + done, len);
		else
			ret = dxg_cmd_read(dfile, ah, id, lk->offset + done,
					   lk->vaddr + done, len);
		if (ret == -EMSGSIZE) {
			chunk = max_t(size_t, len / 2, DXG_XFER_CHUNK_MIN);
			continue;
		}
		if (ret)
			return ret;
		atomic64_add(len, write ? &ah->bytes_written : &ah->bytes_read);
		done += len;
	}
	return 0;
}

/**
 * struct dxg_lock_work - host calls that end a lock, on dxg_wq
 * @work: the work item, on the waiter's stack.
 * @dfile: the file.
 * @lk: the lock.
 * @write_back: send the buffer back first.
 * @ret: (out) the write-back's error, else the UNLOCK's.
 */
struct dxg_lock_work {
	struct work_struct work;
	struct dxg_file *dfile;
	struct dxg_lock *lk;
	bool write_back;
	int ret;
};

static void dxg_lock_end_host_fn(struct work_struct *work)
{
	struct dxg_lock_work *w = container_of(work, struct dxg_lock_work,
					       work);
	struct dxg_obj *obj = &w->lk->alloc->obj;
	int ret = 0, unlock;

	if (w->write_back)
		ret = dxg_xfer_errno(dxg_lock_xfer(w->dfile, w->lk, true),
				     false);
	unlock = dxg_cmd_unlock(w->dfile, obj->ah, obj->host_id);
	w->ret = ret ?: unlock;
}

/*
 * Write back (if asked) and UNLOCK on the host, from a worker so that a
 * signal cannot leave the host's lock behind or half the bytes unsent;
 * each call is bounded by dxg_timeout_ms.
 * Context: process context, no dxg lock held; sleeps uninterruptibly.
 */
static int dxg_lock_end_host(struct dxg_file *dfile, struct dxg_lock *lk,
			     bool write_back)
{
	struct dxg_lock_work w = {
		.dfile = dfile,
		.lk = lk,
		.write_back = write_back,
	};

	INIT_WORK_ONSTACK(&w.work, dxg_lock_end_host_fn);
	queue_work(dxg_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	return w.ret;
}

/*
 * The guest side of ending a lock taken out of its allocation's @lock
 * (which left the allocation busy): mappings zapped, buffer freed,
 * budget back, the allocation's reference dropped.
 * Context: no dxg lock held; takes dxg_file.lock.
 */
static void dxg_lock_finish(struct dxg_file *dfile, struct dxg_lock *lk)
{
	struct dxg_alloc *alloc = lk->alloc;

	dxg_lock_map_zap(dfile, lk);
	/* no page can be mapped any more, nor pinned (VM_PFNMAP) */
	dxg_lock_free_buffer(lk);
	mutex_lock(&dfile->lock);
	dfile->locked_bytes -= lk->length;
	alloc->busy = false;
	mutex_unlock(&dfile->lock);
	dxg_lock_put(lk);
}

/* Is @mode (without NOWAIT) a lock the UAPI allows? */
static bool dxg_lock_mode_ok(u32 mode)
{
	switch (mode) {
	case DXG_LOCK_READ:
	case DXG_LOCK_WRITE:
	case DXG_LOCK_READ | DXG_LOCK_WRITE:
	case DXG_LOCK_WRITE | DXG_LOCK_DISCARD:
		return true;
	default:
		return false;
	}
}

/* The range checks of DXG_ALLOC_LOCK: 0 or -EINVAL. */
static int dxg_lock_range_check(const struct dxg_alloc *alloc,
				u64 offset, u64 length)
{
	u64 max = min_t(u64, READ_ONCE(dxg_max_locked), DXG_MAX_ALLOC_SIZE);

	if (!length || length > max)
		return -EINVAL;
	if (length > alloc->length || offset > alloc->length - length)
		return -EINVAL;
	return 0;
}

/*
 * Make @alloc busy for a new lock of @length bytes, charged to the file.
 * Context: dxg_file.lock held.
 */
static int dxg_lock_reserve(struct dxg_file *dfile, struct dxg_alloc *alloc,
			    u64 length)
{
	u64 max = READ_ONCE(dxg_max_locked);

	lockdep_assert_held(&dfile->lock);
	if (alloc->obj.dead)
		return -ENOENT;
	if (alloc->lock || alloc->busy)
		return -EBUSY;
	if (dfile->locked_bytes > max || length > max - dfile->locked_bytes)
		return -ENOMEM;
	alloc->busy = true;
	dfile->locked_bytes += length;
	return 0;
}

/* The host's LOCK error as DXG_ALLOC_LOCK reports it. */
static int dxg_lock_cmd_errno(int err)
{
	/* the wait for queued work outlived lock_timeout_ms */
	return err == -ETIMEDOUT ? -EAGAIN : err;
}

int dxg_alloc_lock_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_alloc_lock *a = arg;
	u32 mode = a->flags & DXG_LOCK_MODE_MASK;
	struct dxg_wire_lock wl = {};
	struct dxg_alloc *alloc;
	struct dxg_lock *lk;
	struct dxg_obj *obj;
	bool dead;
	int ret;

	if ((a->flags & ~DXG_LOCK_ALL) || !dxg_lock_mode_ok(mode))
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->alloc, DXG_KIND_ALLOC);
	if (!obj)
		return -ENOENT;
	alloc = to_dxg_alloc(obj);
	ret = dxg_lock_range_check(alloc, a->offset, a->length);
	if (ret)
		goto out_put;
	/* a faulted device can still be locked, to look at what it left */
	ret = dxg_device_error(to_dxg_device(obj->parent));
	if (ret && ret != -EIO)
		goto out_put;

	mutex_lock(&dfile->lock);
	ret = dxg_lock_reserve(dfile, alloc, a->length);
	mutex_unlock(&dfile->lock);
	if (ret)
		goto out_put;

	lk = dxg_lock_new(alloc, a->offset, a->length, mode,
			  mode != (DXG_LOCK_WRITE | DXG_LOCK_DISCARD));
	if (IS_ERR(lk)) {
		ret = PTR_ERR(lk);
		goto err_unbusy;
	}
	wl.alloc = cpu_to_le64(obj->host_id);
	wl.offset = cpu_to_le64(a->offset);
	wl.length = cpu_to_le64(a->length);
	wl.flags = cpu_to_le32(dxg_lock_wire_flags(a->flags));
	/* a signal: -EINTR, and the CANCEL drops the lock on the host */
	ret = dxg_lock_cmd_errno(dxg_cmd_lock(dfile, obj->ah, &wl));
	if (ret)
		goto err_free;
	if (mode != (DXG_LOCK_WRITE | DXG_LOCK_DISCARD)) {
		ret = dxg_xfer_errno(dxg_lock_xfer(dfile, lk, false), true);
		if (ret)
			goto err_unlock_host;
	}

	mutex_lock(&dfile->lock);
	/* destroyed meanwhile: the host dropped the lock with it */
	dead = obj->dead;
	ret = dead ? -ENOENT : dxg_lock_map_init(dfile, lk);
	if (!ret) {
		alloc->lock = lk;
		alloc->busy = false;
		a->out_mmap_offset = (u64)lk->pgoff << PAGE_SHIFT;
	}
	mutex_unlock(&dfile->lock);
	if (ret && dead)
		goto err_free;
	if (ret)
		goto err_unlock_host;
	dxg_obj_put(obj);
	return 0;

err_unlock_host:
	if (!dxg_obj_lost(obj))
		dxg_lock_end_host(dfile, lk, false);
err_free:
	dxg_lock_put(lk);
err_unbusy:
	mutex_lock(&dfile->lock);
	alloc->busy = false;
	dfile->locked_bytes -= a->length;
	mutex_unlock(&dfile->lock);
out_put:
	ret = dxg_errno(dxg_obj_adapter(obj), ret);
	dxg_obj_put(obj);
	return ret;
}

/* The host's UNLOCK error as DXG_ALLOC_UNLOCK reports it. */
static int dxg_unlock_errno(int err)
{
	return err == -EINTR ? -EIO : dxg_xfer_errno(err, false);
}

int dxg_alloc_unlock_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_alloc_unlock *a = arg;
	struct dxg_alloc *alloc;
	struct dxg_lock *lk;
	struct dxg_obj *obj;
	bool write;
	int ret;

	if (a->flags)
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->alloc, DXG_KIND_ALLOC);
	if (!obj)
		return -ENOENT;
	alloc = to_dxg_alloc(obj);

	mutex_lock(&dfile->lock);
	lk = alloc->lock;
	if (lk) {
		alloc->lock = NULL;
		alloc->busy = true;
	}
	mutex_unlock(&dfile->lock);
	ret = -EINVAL;
	if (!lk)
		goto out_put;

	write = lk->flags & DXG_LOCK_WRITE;
	if (dxg_obj_lost(obj))
		ret = write ? -ENODEV : 0;
	else
		ret = dxg_unlock_errno(dxg_lock_end_host(dfile, lk, write));
	/* the lock ends whatever the host said */
	dxg_lock_finish(dfile, lk);
out_put:
	/* a read lock of a lost adapter ends fine: nothing was to be sent */
	if (ret)
		ret = dxg_errno(dxg_obj_adapter(obj), ret);
	dxg_obj_put(obj);
	return ret;
}

/**
 * dxg_alloc_drop_lock() - end an allocation's lock without write-back
 * @alloc: the allocation, being destroyed
 *
 * The destroy path (dxg_obj_put_list()): the host drops its lock with
 * the allocation, so nothing is sent.  A lock still being taken sees
 * the allocation dead and ends itself.
 * Context: dxg_file.lock not held; takes it.
 */
void dxg_alloc_drop_lock(struct dxg_alloc *alloc)
{
	struct dxg_file *dfile = alloc->obj.dfile;
	struct dxg_lock *lk;

	mutex_lock(&dfile->lock);
	lk = alloc->lock;
	if (lk) {
		alloc->lock = NULL;
		alloc->busy = true;
	}
	mutex_unlock(&dfile->lock);
	if (lk)
		dxg_lock_finish(dfile, lk);
}
