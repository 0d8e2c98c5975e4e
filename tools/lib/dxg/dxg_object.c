// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdxg: devices, contexts, allocations, locks and submission.
 */
#include <string.h>
#include <sys/mman.h>

#include "libdxg_private.h"

int dxg_device_create(struct dxg *dxg, uint64_t adapter, uint64_t *out_device)
{
	struct dxg_device_create c = { .size = sizeof(c), .adapter = adapter };
	int err;

	if (!dxg || !adapter || !out_device)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_DEVICE_CREATE, &c);
	if (!err)
		*out_device = c.out_device;
	return err;
}

int dxg_device_destroy(struct dxg *dxg, uint64_t device)
{
	struct dxg_device_destroy d = { .size = sizeof(d), .device = device };

	if (!dxg || !device)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_DEVICE_DESTROY, &d);
}

int dxg_device_get_state(struct dxg *dxg, uint64_t device,
			 struct dxg_device_get_state *out)
{
	struct dxg_device_get_state s = { .size = sizeof(s), .device = device };
	int err;

	if (!dxg || !device || !out)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_DEVICE_GET_STATE, &s);
	if (!err)
		*out = s;
	return err;
}

int dxg_context_create(struct dxg *dxg, uint64_t device, uint64_t *out_context)
{
	struct dxg_context_create c = { .size = sizeof(c), .device = device };
	int err;

	if (!dxg || !device || !out_context)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_CONTEXT_CREATE, &c);
	if (!err)
		*out_context = c.out_context;
	return err;
}

int dxg_context_destroy(struct dxg *dxg, uint64_t context)
{
	struct dxg_context_destroy d = { .size = sizeof(d), .context = context };

	if (!dxg || !context)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_CONTEXT_DESTROY, &d);
}

int dxg_alloc_create(struct dxg *dxg, uint64_t device, uint64_t length,
		     uint64_t *out_alloc)
{
	struct dxg_alloc_create c = {
		.size = sizeof(c),
		.device = device,
		.length = length,
	};
	int err;

	if (!dxg || !device || !length || !out_alloc)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_ALLOC_CREATE, &c);
	if (!err)
		*out_alloc = c.out_alloc;
	return err;
}

int dxg_alloc_destroy(struct dxg *dxg, uint64_t alloc)
{
	struct dxg_alloc_destroy d = { .size = sizeof(d), .alloc = alloc };

	if (!dxg || !alloc)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_ALLOC_DESTROY, &d);
}

/* The combinations DXG_ALLOC_LOCK takes, NOWAIT aside. */
static int dxg_lock_flags_ok(uint32_t flags)
{
	switch (flags & ~DXG_LOCK_NOWAIT) {
	case DXG_LOCK_READ:
	case DXG_LOCK_WRITE:
	case DXG_LOCK_READ | DXG_LOCK_WRITE:
	case DXG_LOCK_WRITE | DXG_LOCK_DISCARD:
		return 1;
	default:
		return 0;
	}
}

static int dxg_unlock_ioctl(struct dxg *dxg, uint64_t alloc)
{
	struct dxg_alloc_unlock u = { .size = sizeof(u), .alloc = alloc };

	return dxg_ioctl(dxg, DXG_ALLOC_UNLOCK, &u);
}

int dxg_alloc_lock(struct dxg *dxg, uint64_t alloc, uint64_t offset,
		   uint64_t length, uint32_t flags, struct dxg_map *out)
{
	struct dxg_alloc_lock l = {
		.size = sizeof(l),
		.flags = flags,
		.alloc = alloc,
		.offset = offset,
		.length = length,
	};
	int prot = PROT_READ;
	void *addr;
	int err;

	if (!dxg || !alloc || !out || !length || !dxg_lock_flags_ok(flags))
		return -EINVAL;
	/* The mapping must fit this process's address space (32-bit). */
	if ((uint64_t)(size_t)length != length)
		return -EINVAL;
	if (flags & DXG_LOCK_WRITE)
		prot |= PROT_WRITE;
	err = dxg_ioctl(dxg, DXG_ALLOC_LOCK, &l);
	if (err)
		return err;
	if (l.out_mmap_offset > (uint64_t)INT64_MAX) {
		err = -EOVERFLOW;
		goto err_unlock;
	}
	addr = mmap(NULL, (size_t)length, prot, MAP_SHARED, dxg->fd,
		    (off_t)l.out_mmap_offset);
	if (addr == MAP_FAILED) {
		err = -errno;
		goto err_unlock;
	}
	*out = (struct dxg_map){
		.addr = addr,
		.length = (size_t)length,
		.alloc = alloc,
		.offset = offset,
		.mmap_offset = l.out_mmap_offset,
		.flags = flags,
	};
	return 0;

err_unlock:
	dxg_unlock_ioctl(dxg, alloc);
	return err;
}

int dxg_alloc_unlock(struct dxg *dxg, struct dxg_map *map)
{
	int err;

	if (!dxg || !map || !map->addr || !map->alloc)
		return -EINVAL;
	/* Never fails for a range we mapped; the unlock must happen anyway. */
	munmap(map->addr, map->length);
	err = dxg_unlock_ioctl(dxg, map->alloc);
	memset(map, 0, sizeof(*map));
	return err;
}

int dxg_context_submit(struct dxg *dxg, uint64_t context,
		       const struct dxg_submit *submit, uint64_t *out_submit)
{
	struct dxg_context_submit s;
	int err;

	if (!dxg || !context || !submit)
		return -EINVAL;
	if ((submit->cmd_size && !submit->cmd) ||
	    submit->cmd_size % DXG_CMD_ALIGN ||
	    (submit->n_allocs && !submit->allocs) ||
	    (submit->n_waits && !submit->waits) ||
	    (submit->n_signals && !submit->signals))
		return -EINVAL;
	s = (struct dxg_context_submit){
		.size = sizeof(s),
		.context = context,
		.cmd_uptr = dxg_uptr(submit->cmd),
		.cmd_size = submit->cmd_size,
		.n_allocs = submit->n_allocs,
		.allocs_uptr = dxg_uptr(submit->allocs),
		.waits_uptr = dxg_uptr(submit->waits),
		.signals_uptr = dxg_uptr(submit->signals),
		.n_waits = submit->n_waits,
		.n_signals = submit->n_signals,
	};
	err = dxg_ioctl(dxg, DXG_CONTEXT_SUBMIT, &s);
	if (!err && out_submit)
		*out_submit = s.out_submit;
	return err;
}
