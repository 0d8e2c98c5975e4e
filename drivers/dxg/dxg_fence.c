// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: fences.  (Being written.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "dxg_priv.h"

DEFINE_SPINLOCK(dxg_ev_lock);
static DEFINE_HASHTABLE(dxg_ev_table, 10);

int dxg_fence_file_init(struct dxg_file *dfile) { return 0; }
void dxg_fence_file_exit(struct dxg_file *dfile) { }
int dxg_fence_create_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_fence_destroy_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_fence_signal_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_fence_wait_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
void dxg_fence_event(const struct dxg_wire_ev_fence *ev) { }
void dxg_fence_gone(struct dxg_fence *fence) { }
void dxg_fence_lost_all(u64 epoch) { }
int dxg_fence_mmap(struct dxg_file *dfile, struct vm_area_struct *vma) { return -ENODEV; }

static u32 dxg_ev_hash(u64 process, u64 host_id)
{
	return hash_64(process ^ (host_id * 0x9e3779b97f4a7c15ULL), 10);
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

/* Context: dxg_ev_lock held. */
struct dxg_evnode *dxg_ev_find(u64 process, u64 host_id)
{
	struct dxg_evnode *ev;

	lockdep_assert_held(&dxg_ev_lock);
	hash_for_each_possible(dxg_ev_table, ev, hnode,
			       dxg_ev_hash(process, host_id))
		if (ev->process == process && ev->host_id == host_id)
			return ev;
	return NULL;
}
