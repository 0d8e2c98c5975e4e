// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdxg: the open file, capabilities, adapters and their queries.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libdxg_private.h"

int dxg_open_path(const char *path, struct dxg **out)
{
	struct dxg *dxg;
	int err;

	if (!path || !out)
		return -EINVAL;
	dxg = calloc(1, sizeof(*dxg));
	if (!dxg)
		return -ENOMEM;
	err = pthread_mutex_init(&dxg->fence_lock, NULL);
	if (err)
		goto err_free;
	dxg->fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (dxg->fd < 0) {
		err = errno;
		goto err_mutex;
	}
	*out = dxg;
	return 0;

err_mutex:
	pthread_mutex_destroy(&dxg->fence_lock);
err_free:
	free(dxg);
	return -err;
}

int dxg_open(struct dxg **out)
{
	return dxg_open_path(DXG_DEVICE_PATH, out);
}

void dxg_close(struct dxg *dxg)
{
	if (!dxg)
		return;
	if (dxg->fence_page)
		munmap((void *)dxg->fence_page, dxg->fence_map_size);
	close(dxg->fd);
	pthread_mutex_destroy(&dxg->fence_lock);
	free(dxg);
}

int dxg_fd(const struct dxg *dxg)
{
	return dxg ? dxg->fd : -EINVAL;
}

int dxg_caps_get(struct dxg *dxg, struct dxg_caps_get *out)
{
	struct dxg_caps_get caps = { .size = sizeof(caps) };
	int err;

	if (!dxg || !out)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_CAPS_GET, &caps);
	if (!err)
		*out = caps;
	return err;
}

int dxg_adapter_enum(struct dxg *dxg, struct dxg_adapter_info *infos,
		     uint32_t count, uint32_t *out_count, uint32_t *out_total)
{
	struct dxg_adapter_enum e = {
		.size = sizeof(e),
		.adapters_uptr = dxg_uptr(infos),
		.count = count,
		.entry_size = sizeof(*infos),
	};
	int err;

	if (!dxg || (count && !infos))
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_ADAPTER_ENUM, &e);
	if (err)
		return err;
	if (out_count)
		*out_count = e.count;
	if (out_total)
		*out_total = e.out_total;
	return 0;
}

/* Tries, for a list that keeps growing between the count and the copy. */
#define DXG_LIST_TRIES 8

int dxg_adapter_list(struct dxg *dxg, struct dxg_adapter_info **out_infos,
		     uint32_t *out_count)
{
	struct dxg_adapter_info *infos = NULL, *bigger;
	uint32_t want = 0, got, total;
	int err, i;

	if (!dxg || !out_infos || !out_count)
		return -EINVAL;
	for (i = 0; i < DXG_LIST_TRIES; i++) {
		err = dxg_adapter_enum(dxg, infos, want, &got, &total);
		if (err)
			goto err_free;
		if (total <= want) {
			if (!got) {
				free(infos);
				infos = NULL;
			}
			*out_infos = infos;
			*out_count = got;
			return 0;
		}
		want = total;
		bigger = reallocarray(infos, want, sizeof(*infos));
		if (!bigger) {
			err = -ENOMEM;
			goto err_free;
		}
		infos = bigger;
	}
	err = -EAGAIN;
err_free:
	free(infos);
	return err;
}

int dxg_adapter_open(struct dxg *dxg, struct dxg_luid luid, uint32_t instance,
		     uint64_t *out_adapter)
{
	struct dxg_adapter_open o = {
		.size = sizeof(o),
		.luid = luid,
		.instance = instance,
	};
	int err;

	if (!dxg || !out_adapter)
		return -EINVAL;
	err = dxg_ioctl(dxg, DXG_ADAPTER_OPEN, &o);
	if (!err)
		*out_adapter = o.out_adapter;
	return err;
}

int dxg_adapter_close(struct dxg *dxg, uint64_t adapter)
{
	struct dxg_adapter_close c = { .size = sizeof(c), .adapter = adapter };

	if (!dxg || !adapter)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_ADAPTER_CLOSE, &c);
}

/* One typed query into @data of @data_size bytes (this header's). */
static int dxg_query(struct dxg *dxg, uint64_t adapter, uint32_t type,
		     void *data, uint32_t data_size)
{
	struct dxg_adapter_query q = {
		.size = sizeof(q),
		.adapter = adapter,
		.type = type,
		.data_size = data_size,
		.data_uptr = dxg_uptr(data),
	};

	if (!dxg || !adapter || !data)
		return -EINVAL;
	return dxg_ioctl(dxg, DXG_ADAPTER_QUERY, &q);
}

int dxg_query_memory(struct dxg *dxg, uint64_t adapter,
		     struct dxg_query_memory *out)
{
	struct dxg_query_memory m;
	int err;

	if (!out)
		return -EINVAL;
	err = dxg_query(dxg, adapter, DXG_QUERY_MEMORY, &m, sizeof(m));
	if (!err)
		*out = m;
	return err;
}

int dxg_query_clock(struct dxg *dxg, uint64_t adapter,
		    struct dxg_query_clock *out)
{
	struct dxg_query_clock c;
	int err;

	if (!out)
		return -EINVAL;
	err = dxg_query(dxg, adapter, DXG_QUERY_CLOCK, &c, sizeof(c));
	if (!err)
		*out = c;
	return err;
}

int dxg_query_stats(struct dxg *dxg, uint64_t adapter,
		    struct dxg_query_stats *out)
{
	struct dxg_query_stats s;
	int err;

	if (!out)
		return -EINVAL;
	err = dxg_query(dxg, adapter, DXG_QUERY_STATS, &s, sizeof(s));
	if (!err)
		*out = s;
	return err;
}
