// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdxg's calls without a dxg device: open errors, O_CLOEXEC, and the
 * checks made before any system call.  The handle is opened on
 * /dev/null, where every dxg ioctl fails with ENOTTY: a call that
 * answers -EINVAL there never reached the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "libdxg.h"
#include "tap.h"

static void test_open(void)
{
	struct dxg *dxg = (struct dxg *)&dxg;

	t_ok(dxg_open_path("/nonexistent/dxg", &dxg) == -ENOENT, "missing path: -ENOENT");
	t_ok(dxg == (struct dxg *)&dxg, "... and the out-parameter left alone");
	t_ok(dxg_open_path(NULL, &dxg) == -EINVAL, "NULL path: -EINVAL");
	t_ok(dxg_open_path("/dev/null", NULL) == -EINVAL, "NULL out: -EINVAL");
	t_ok(dxg_open(NULL) == -EINVAL, "dxg_open NULL out: -EINVAL");
	t_ok(dxg_fd(NULL) == -EINVAL, "dxg_fd(NULL): -EINVAL");
	dxg_close(NULL);
}

static void test_checks(struct dxg *dxg)
{
	struct dxg_fence_value fv = { .fence = 1, .value = 1 };
	struct dxg_adapter_info info;
	struct dxg_caps_get caps;
	struct dxg_query_memory mem;
	struct dxg_device_get_state st;
	struct dxg_submit sub;
	struct dxg_map map;
	uint64_t h, deadline;
	uint32_t n;
	int fd;

	t_ok(dxg_caps_get(dxg, &caps) == -ENOTTY, "a real ioctl on /dev/null: -ENOTTY");
	t_ok(dxg_adapter_enum(dxg, NULL, 0, &n, NULL) == -ENOTTY, "enum count only: ioctl");
	t_ok(dxg_caps_get(dxg, NULL) == -EINVAL && dxg_caps_get(NULL, &caps) == -EINVAL,
	     "caps: NULL");
	t_ok(dxg_adapter_enum(dxg, NULL, 1, NULL, NULL) == -EINVAL, "enum: count, no array");
	t_ok(dxg_adapter_enum(NULL, &info, 1, NULL, NULL) == -EINVAL, "enum: NULL handle");
	t_ok(dxg_adapter_list(dxg, NULL, &n) == -EINVAL, "list: NULL out");
	t_ok(dxg_adapter_open(dxg, (struct dxg_luid){ 1, 2 }, 0, NULL) == -EINVAL,
	     "adapter open: NULL out");
	t_ok(dxg_adapter_close(dxg, 0) == -EINVAL, "adapter close: handle 0");
	t_ok(dxg_query_memory(dxg, 0, &mem) == -EINVAL, "query: handle 0");
	t_ok(dxg_query_memory(dxg, 1, NULL) == -EINVAL && dxg_query_clock(dxg, 1, NULL) == -EINVAL &&
	     dxg_query_stats(dxg, 1, NULL) == -EINVAL, "queries: NULL out");
	t_ok(dxg_query_memory(dxg, 1, &mem) == -ENOTTY, "query: reaches the ioctl");
	t_ok(dxg_device_create(dxg, 1, NULL) == -EINVAL && dxg_device_destroy(dxg, 0) == -EINVAL &&
	     dxg_device_get_state(dxg, 1, NULL) == -EINVAL &&
	     dxg_device_get_state(dxg, 0, &st) == -EINVAL, "device: NULL, handle 0");
	t_ok(dxg_context_create(dxg, 0, &h) == -EINVAL && dxg_context_destroy(dxg, 0) == -EINVAL,
	     "context: handle 0");
	t_ok(dxg_alloc_create(dxg, 1, 0, &h) == -EINVAL, "alloc: length 0");
	t_ok(dxg_alloc_destroy(dxg, 0) == -EINVAL, "alloc destroy: handle 0");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, 0, &map) == -EINVAL, "lock: no flags");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, DXG_LOCK_READ | DXG_LOCK_DISCARD, &map) == -EINVAL,
	     "lock: READ | DISCARD");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, DXG_LOCK_NOWAIT, &map) == -EINVAL, "lock: NOWAIT alone");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, DXG_LOCK_READ | (1U << 7), &map) == -EINVAL,
	     "lock: unknown flag");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 0, DXG_LOCK_READ, &map) == -EINVAL, "lock: length 0");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, DXG_LOCK_READ, NULL) == -EINVAL, "lock: NULL out");
	t_ok(dxg_alloc_lock(dxg, 1, 0, 4096, DXG_LOCK_WRITE | DXG_LOCK_DISCARD | DXG_LOCK_NOWAIT,
			    &map) == -ENOTTY, "lock: WRITE | DISCARD | NOWAIT reaches the ioctl");
	memset(&map, 0, sizeof(map));
	t_ok(dxg_alloc_unlock(dxg, &map) == -EINVAL && dxg_alloc_unlock(dxg, NULL) == -EINVAL,
	     "unlock: an empty map, NULL");

	memset(&sub, 0, sizeof(sub));
	t_ok(dxg_context_submit(dxg, 1, NULL, NULL) == -EINVAL, "submit: NULL");
	t_ok(dxg_context_submit(dxg, 0, &sub, NULL) == -EINVAL, "submit: context 0");
	sub.cmd_size = 8;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -EINVAL, "submit: size, no buffer");
	sub.cmd = &sub;
	sub.cmd_size = 12;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -EINVAL, "submit: size %% 8");
	sub.cmd_size = 8;
	sub.n_allocs = 1;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -EINVAL, "submit: allocs, no array");
	sub.n_allocs = 0;
	sub.n_waits = 1;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -EINVAL, "submit: waits, no array");
	sub.n_waits = 0;
	sub.n_signals = 1;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -EINVAL, "submit: signals, no array");
	sub.n_signals = 0;
	t_ok(dxg_context_submit(dxg, 1, &sub, NULL) == -ENOTTY, "submit: a good one reaches it");

	t_ok(dxg_fence_create(dxg, 1, 0, NULL, NULL) == -EINVAL, "fence create: NULL out");
	t_ok(dxg_fence_destroy(dxg, 0) == -EINVAL, "fence destroy: handle 0");
	t_ok(dxg_fence_signal(dxg, NULL, 1, NULL) == -EINVAL && dxg_fence_signal(dxg, &fv, 0, NULL) == -EINVAL,
	     "fence signal: NULL, count 0");
	t_ok(dxg_fence_wait(dxg, &fv, 1, 2, 0, NULL) == -EINVAL, "fence wait: unknown flag");
	t_ok(dxg_fence_wait(dxg, &fv, 0, 0, 0, NULL) == -EINVAL, "fence wait: count 0");
	t_ok(dxg_fence_wait_timeout(dxg, NULL, 1, 0, 1000, NULL) == -EINVAL, "wait timeout: NULL");
	t_ok(dxg_fence_wait(dxg, &fv, 1, DXG_WAIT_ALL, DXG_WAIT_FOREVER, NULL) == -ENOTTY,
	     "fence wait: a good one reaches it");
	t_ok(dxg_fence_export_sync_file(dxg, 1, 1, NULL) == -EINVAL, "export: NULL out");
	t_ok(dxg_fence_read(dxg, 0, NULL) == -EINVAL, "fence read: NULL out");
	t_ok(dxg_fence_read(dxg, 0, &h) == -ENOTTY, "fence read: the caps ioctl fails");
	t_ok(dxg_fence_page_map(NULL) == -EINVAL, "fence page: NULL");

	t_ok(dxg_deadline_ns(1, NULL) == -EINVAL, "deadline: NULL");
	t_ok(dxg_deadline_ns(UINT64_MAX, &deadline) == 0 && deadline == DXG_WAIT_FOREVER,
	     "deadline: UINT64_MAX is for ever");
	t_ok(dxg_deadline_ns(UINT64_MAX - 1, &deadline) == 0 && deadline == DXG_WAIT_FOREVER,
	     "deadline: saturates");
	t_ok(dxg_deadline_ns(0, &deadline) == 0 && deadline > 0 && deadline < DXG_WAIT_FOREVER,
	     "deadline: now");

	fd = dxg_fd(dxg);
	t_ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "the fd is O_CLOEXEC");
}

int main(void)
{
	struct dxg *dxg = NULL;
	int err;

	printf("TAP version 13\n");
	test_open();
	err = dxg_open_path("/dev/null", &dxg);
	t_ok(err == 0 && dxg, "open /dev/null as a stand-in");
	if (!err) {
		test_checks(dxg);
		dxg_close(dxg);
	}
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
