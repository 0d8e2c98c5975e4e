// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdxg: fences, CPU waits, sync_file export and the fence page.
 */
#include <sys/mman.h>
#include <time.h>

#include "libdxg_private.h"

int dxg_fence_create(struct dxg *dxg, uint64_t device, uint64_t initial_value,
		     uint64_t *out_fence, uint32_t *out_slot)
{
	struct dxg_fence_create c = {
		.size = sizeof(c),
		.device = device,
		.initial_value = initial_value,
	};
	int err;

	if (!dxg || !device || !out_fence)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_FENCE_CREATE, &c);
	if (err)
		return err;
	*out_fence = c.out_fence;
	if (out_slot)
		*out_slot = c.out_slot;
	return 0;
}

int dxg_fence_destroy(struct dxg *dxg, uint64_t fence)
{
	struct dxg_fence_destroy d = { .size = sizeof(d), .fence = fence };

	if (!dxg || !fence)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_FENCE_DESTROY, &d);
}

int dxg_fence_signal(struct dxg *dxg, const struct dxg_fence_value *fences,
		     uint32_t count, uint32_t *out_done)
{
	struct dxg_fence_signal s = {
		.size = sizeof(s),
		.fences_uptr = dxg_uptr(fences),
		.count = count,
	};
	int err;

	if (!dxg || !fences || !count)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_FENCE_SIGNAL, &s);
	/* out_done counts entries applied before a failure too. */
	if (out_done)
		*out_done = s.out_done;
	return err;
}

int dxg_fence_wait(struct dxg *dxg, const struct dxg_fence_value *fences,
		   uint32_t count, uint32_t flags, uint64_t deadline_ns,
		   uint32_t *out_index)
{
	struct dxg_fence_wait w = {
		.size = sizeof(w),
		.flags = flags,
		.fences_uptr = dxg_uptr(fences),
		.count = count,
		.deadline_ns = deadline_ns,
	};
	int err;

	if (!dxg || !fences || !count || (flags & ~DXG_WAIT_ALL))
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_FENCE_WAIT, &w);
	if (!err && out_index)
		*out_index = w.out_index;
	return err;
}

int dxg_deadline_ns(uint64_t timeout_ns, uint64_t *out_deadline)
{
	struct timespec ts;
	uint64_t now;

	if (!out_deadline)
		return -EINVAL;
	if (timeout_ns == UINT64_MAX) {
		*out_deadline = DXG_WAIT_FOREVER;
		return 0;
	}
	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	*out_deadline = timeout_ns > DXG_WAIT_FOREVER - now ?
		DXG_WAIT_FOREVER : now + timeout_ns;
	return 0;
}

int dxg_fence_wait_timeout(struct dxg *dxg, const struct dxg_fence_value *fences,
			   uint32_t count, uint32_t flags, uint64_t timeout_ns,
			   uint32_t *out_index)
{
	uint64_t deadline = 0;

	/* 0 only looks: deadline 0 says so without reading the clock. */
	if (timeout_ns)
		dxg_deadline_ns(timeout_ns, &deadline);
	return dxg_fence_wait(dxg, fences, count, flags, deadline, out_index);
}

int dxg_fence_export_sync_file(struct dxg *dxg, uint64_t fence, uint64_t value,
			       int *out_fd)
{
	struct dxg_fence_export_sync_file e = {
		.size = sizeof(e),
		.fence = fence,
		.value = value,
		.out_fd = -1,
	};
	int err;

	if (!dxg || !fence || !out_fd)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_FENCE_EXPORT_SYNC_FILE, &e);
	if (!err)
		*out_fd = e.out_fd;
	return err;
}

int dxg_fence_page_map(struct dxg *dxg)
{
	struct dxg_caps_get caps;
	void *page;
	int err;

	if (!dxg)
		return -EINVAL;
	if (__atomic_load_n(&dxg->fence_page, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&dxg->fence_lock);
	err = 0;
	if (dxg->fence_page)
		goto out_unlock;
	err = dxg_caps_get(dxg, &caps);
	if (err)
		goto out_unlock;
	if (!(caps.out_features & DXG_FEAT_FENCE_PAGE) || !caps.out_fence_map_size) {
		err = -EOPNOTSUPP;
		goto out_unlock;
	}
	page = mmap(NULL, caps.out_fence_map_size, PROT_READ, MAP_SHARED,
		    dxg->fd, DXG_MMAP_FENCE_OFFSET);
	if (page == MAP_FAILED) {
		err = -errno;
		goto out_unlock;
	}
	dxg->fence_map_size = caps.out_fence_map_size;
	/* Pairs with the acquire loads here and in dxg_fence_read(). */
	__atomic_store_n(&dxg->fence_page, (const uint64_t *)page,
			 __ATOMIC_RELEASE);
out_unlock:
	pthread_mutex_unlock(&dxg->fence_lock);
	return err;
}

int dxg_fence_read(struct dxg *dxg, uint32_t slot, uint64_t *out_value)
{
	const uint64_t *page;
	int err;

	if (!dxg || !out_value)
		return -EINVAL;
	err = dxg_fence_page_map(dxg);
	if (err)
		return err;
	page = __atomic_load_n(&dxg->fence_page, __ATOMIC_ACQUIRE);
	if (slot >= dxg->fence_map_size / sizeof(*page))
		return -ERANGE;
	/* The driver updates a slot before it wakes waiters: acquire. */
	*out_value = __atomic_load_n(&page[slot], __ATOMIC_ACQUIRE);
	return 0;
}
