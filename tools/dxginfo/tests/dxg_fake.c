// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake /dev/dxg for dxginfo's tests, preloaded: the dxg ioctls (type
 * 'J') on any fd get canned answers, everything else goes to libc.
 * Two adapters: an active one whose name has every kind of byte JSON
 * must escape, and a lost one.  DXG_FAKE_ERR=<errno number> makes
 * DXG_ADAPTER_ENUM fail with it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/dxg.h>

static const char fake_name[] = "fake \"GPU\" \\ \x01\t\xc3\xa9\xff";

static int fake_enum(struct dxg_adapter_enum *e)
{
	struct dxg_adapter_info *a = (void *)(unsigned long)e->adapters_uptr;
	const char *err = getenv("DXG_FAKE_ERR");

	if (err) {
		errno = atoi(err);
		return -1;
	}
	e->out_total = 2;
	if (e->count > 2)
		e->count = 2;
	if (e->count >= 1) {
		memset(&a[0], 0, sizeof(a[0]));
		a[0] = (struct dxg_adapter_info){
			.luid = { .low = 0xa1b2, .high = 0 }, .instance = 1,
			.flags = DXG_ADAPTER_F_SOFTWARE | DXG_ADAPTER_F_COMPUTE_ONLY,
			.state = DXG_ADAPTER_ACTIVE, .dedicated_memory = 1 << 28,
		};
		memcpy(a[0].name, fake_name, sizeof(fake_name));
	}
	if (e->count >= 2) {
		memset(&a[1], 0, sizeof(a[1]));
		a[1] = (struct dxg_adapter_info){
			.luid = { .low = 2, .high = 1 }, .instance = 2,
			.state = DXG_ADAPTER_LOST,
		};
		strcpy(a[1].name, "gone");
	}
	return 0;
}

static int fake_query(struct dxg_adapter_query *q)
{
	static unsigned long long busy;
	void *d = (void *)(unsigned long)q->data_uptr;

	switch (q->type) {
	case DXG_QUERY_MEMORY:
		*(struct dxg_query_memory *)d = (struct dxg_query_memory){
			.budget = 1 << 28, .usage = 4096, .file_usage = 0 };
		return 0;
	case DXG_QUERY_CLOCK:
		*(struct dxg_query_clock *)d = (struct dxg_query_clock){
			.gpu_ticks = 123, .frequency = 1000000000,
			.monotonic_ns = 456, .uncertainty_ns = 7 };
		return 0;
	case DXG_QUERY_STATS:
		busy += 1000000;
		*(struct dxg_query_stats *)d = (struct dxg_query_stats){
			.adapter_submits = 3, .adapter_busy_ns = busy };
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	int (*real)(int, unsigned long, void *);
	void *arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) != DXG_IOCTL_BASE) {
		real = (int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
		return real(fd, req, arg);
	}
	switch (_IOC_NR(req)) {
	case DXG_NR_CAPS_GET:
		*(struct dxg_caps_get *)arg = (struct dxg_caps_get){
			.size = sizeof(struct dxg_caps_get), .out_uapi_version = 1,
			.out_host_version = 1, .out_features = DXG_FEAT_FENCE_PAGE };
		return 0;
	case DXG_NR_ADAPTER_ENUM:
		return fake_enum(arg);
	case DXG_NR_ADAPTER_OPEN:
		((struct dxg_adapter_open *)arg)->out_adapter = 7;
		return 0;
	case DXG_NR_ADAPTER_CLOSE:
		return 0;
	case DXG_NR_ADAPTER_QUERY:
		return fake_query(arg);
	}
	errno = ENOTTY;
	return -1;
}
