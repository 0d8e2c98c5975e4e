/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdxg internals: the handle and the ioctl helper.
 */
#ifndef LIBDXG_PRIVATE_H
#define LIBDXG_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "libdxg.h"

/**
 * struct dxg - an open /dev/dxg
 * @fd: the file, O_CLOEXEC; set at open, never changed.
 * @fence_lock: serialises mapping the fence page; protects nothing else.
 * @fence_page: the read-only mapping at DXG_MMAP_FENCE_OFFSET, or NULL:
 *	written once under @fence_lock with release ordering after
 *	@fence_map_size, read without the lock with acquire ordering.
 * @fence_map_size: bytes of @fence_page.
 */
struct dxg {
	int fd;
	pthread_mutex_t fence_lock;
	const uint64_t *fence_page;
	size_t fence_map_size;
};

/* An ioctl: 0 or the negative errno; never retried here (EINTR is news). */
static inline int dxg_ioctl(const struct dxg *dxg, unsigned long request,
			    void *arg)
{
	if (ioctl(dxg->fd, request, arg) < 0)
		return errno > 0 ? -errno : -EIO;
	return 0;
}

/* A user pointer field of the UAPI. */
static inline uint64_t dxg_uptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif /* LIBDXG_PRIVATE_H */
