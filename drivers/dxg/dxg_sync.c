// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: sync_file export.
 *
 * DXG_FENCE_EXPORT_SYNC_FILE gives a sync_file fd around a dma_fence of
 * our own that signals when the dxg fence reaches a value (with the
 * error of the signal if it carried one), when the fence is destroyed
 * first (-ECANCELED) or when its device or host is lost first
 * (-ENODEV).  Until then it sits on the fence's export list, which
 * holds a reference to it.  The sync_file lives on its own, after the
 * /dev/dxg file is closed: each export holds the module, so that the
 * dma_fence operations stay while anyone may call them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fcntl.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dxg_compat.h"
#include "dxg_priv.h"

bool dxg_sync_supported(void)
{
	return DXG_HAVE_SYNC_FILE;
}

#if DXG_HAVE_SYNC_FILE

#include <linux/dma-fence.h>
#include <linux/sync_file.h>

/**
 * struct dxg_sync_fence - one exported sync_file's fence
 * @base: the dma_fence; first, as dma_fence_free() frees it.
 * @lock: its lock (dma_fence.lock); nests inside dxg_ev_lock.
 * @node: in dxg_fence.exports until signalled, under dxg_ev_lock; the
 *	list holds a reference.
 *
 * @base.context is the dxg fence's, @base.seqno the value waited for.
 */
struct dxg_sync_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the dma_fence's, nothing else */
	struct list_head node;
};

static_assert(offsetof(struct dxg_sync_fence, base) == 0);

static const char *dxg_sync_driver_name(struct dma_fence *f)
{
	return "dxg";
}

static const char *dxg_sync_timeline_name(struct dma_fence *f)
{
	return "dxg-fence";
}

/* The last reference: free it (after an RCU grace period), then the module. */
static void dxg_sync_release(struct dma_fence *f)
{
	dma_fence_free(f);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops dxg_sync_ops = {
	.use_64bit_seqno = true,
	.get_driver_name = dxg_sync_driver_name,
	.get_timeline_name = dxg_sync_timeline_name,
	.release = dxg_sync_release,
};

u64 dxg_sync_context_alloc(void)
{
	return dma_fence_context_alloc(1);
}

/**
 * dxg_sync_signal() - signal the exports of a fence that are done
 * @fence: the fence, its value, error and state up to date
 *
 * Exports whose value is reached signal, with the fence's error if it
 * has one; if the fence can no longer reach the others (destroyed, or
 * its device or host lost), they all signal with -ECANCELED or
 * -ENODEV.  Each leaves the list and its reference is dropped: if that
 * was the last one the fence is freed (RCU) and the module put, both
 * fine here.
 * Context: dxg_ev_lock held; takes each export's lock inside it.
 */
void dxg_sync_signal(struct dxg_fence *fence)
{
	struct dxg_sync_fence *sf, *tmp;
	int fail;

	lockdep_assert_held(&dxg_ev_lock);
	if (list_empty(&fence->exports))
		return;
	fail = dxg_fence_fail_errno(fence);
	if (fail == -ENOENT)
		fail = -ECANCELED;
	list_for_each_entry_safe(sf, tmp, &fence->exports, node) {
		if (fence->value >= sf->base.seqno) {
			if (fence->error)
				dma_fence_set_error(&sf->base, -fence->error);
		} else if (fail) {
			dma_fence_set_error(&sf->base, fail);
		} else {
			continue;
		}
		dma_fence_signal(&sf->base);
		list_del_init(&sf->node);
		dma_fence_put(&sf->base);
	}
}

int dxg_fence_export_sync_file_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_export_sync_file *a = arg;
	struct dxg_ioctl_call *call = to_dxg_ioctl_call(arg);
	struct dxg_sync_fence *sf;
	struct sync_file *sync;
	struct dxg_fence *fence;
	struct dxg_obj *obj;
	unsigned long flags;
	int fd, ret;

	if (a->flags || a->__reserved)
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->fence, DXG_KIND_FENCE);
	if (!obj)
		return -ENOENT;
	fence = to_dxg_fence(obj);

	ret = -ENOMEM;
	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		goto err_put_obj;
	spin_lock_init(&sf->lock);
	INIT_LIST_HEAD(&sf->node);
	dma_fence_init(&sf->base, &dxg_sync_ops, &sf->lock, fence->context,
		       a->value);
	/* the ioctl's file holds the module; the fence's release puts this */
	__module_get(THIS_MODULE);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_fence;
	}
	sync = sync_file_create(&sf->base);
	if (!sync) {
		ret = -ENOMEM;
		goto err_put_fd;
	}

	/* on the list (with a reference) unless it is done already */
	spin_lock_irqsave(&dxg_ev_lock, flags);
	dma_fence_get(&sf->base);
	list_add_tail(&sf->node, &fence->exports);
	dxg_sync_signal(fence);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	/* the sync_file and the list hold theirs */
	dma_fence_put(&sf->base);

	/* the dispatcher installs the fd once the caller has its number */
	call->install_file = sync->file;
	call->install_fd = fd;
	a->out_fd = fd;
	dxg_obj_put(obj);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put_fence:
	dma_fence_put(&sf->base);
err_put_obj:
	dxg_obj_put(obj);
	return ret;
}

#else /* !DXG_HAVE_SYNC_FILE */

u64 dxg_sync_context_alloc(void)
{
	return 0;
}

/* Context: dxg_ev_lock held.  No exports without sync_file. */
void dxg_sync_signal(struct dxg_fence *fence)
{
	lockdep_assert_held(&dxg_ev_lock);
}

int dxg_fence_export_sync_file_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_fence_export_sync_file *a = arg;

	if (a->flags || a->__reserved)
		return -EINVAL;
	return -EOPNOTSUPP;
}

#endif /* DXG_HAVE_SYNC_FILE */
