// SPDX-License-Identifier: GPL-2.0-only
/*
 * The contract cases of every /dev/dxg ioctl (STYLE.md, Tests): short
 * struct, long struct (zero tail works, non-zero tail E2BIG), unknown
 * flag, non-zero reserved field, bad argument pointer and bad *_uptr
 * (EFAULT), the wrong direction (ENOTTY), and handles that are stale,
 * of another open file or of the wrong kind (ENOENT).  Each ioctl is a
 * fixture variant; each case starts from a fresh file whose objects
 * the variant's fill function turns into a valid argument, which the
 * case then breaks in one way.  Plus the per-ioctl range checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "dxg_lib.h"

/* The objects a valid argument names. */
struct dxg_objs {
	struct dxg_env env;
	uint64_t alloc;
	uint64_t fence;
	/* arrays the *_uptr fields point at */
	struct dxg_adapter_info infos[DXG_MAX_ADAPTERS];
	struct dxg_query_stats stats;
	struct dxg_fence_value fv;
	uint64_t alloc_list[1];
	struct dxg_cmdbuf cb;
};

enum dxg_kind { K_NONE, K_ADAPTER, K_DEVICE, K_CONTEXT, K_ALLOC, K_FENCE };

/* Fill @arg (zeroed, @size bytes) as a valid argument; may prepare state. */
typedef void (*dxg_fill_fn)(struct dxg_objs *o, void *arg);

#define OFF(type, field) offsetof(struct type, field)
#define NONE ((size_t)-1)

static void fill_caps(struct dxg_objs *o, void *arg)
{
}

static void fill_enum(struct dxg_objs *o, void *arg)
{
	struct dxg_adapter_enum *a = arg;

	a->adapters_uptr = (uintptr_t)o->infos;
	a->count = DXG_MAX_ADAPTERS;
	a->entry_size = sizeof(o->infos[0]);
}

static void fill_adapter_open(struct dxg_objs *o, void *arg)
{
	struct dxg_adapter_open *a = arg;

	a->luid = o->env.info.luid;
}

static void fill_adapter_close(struct dxg_objs *o, void *arg)
{
	((struct dxg_adapter_close *)arg)->adapter = o->env.adapter;
}

static void fill_query(struct dxg_objs *o, void *arg)
{
	struct dxg_adapter_query *q = arg;

	q->adapter = o->env.adapter;
	q->type = DXG_QUERY_STATS;
	q->data_size = sizeof(o->stats);
	q->data_uptr = (uintptr_t)&o->stats;
}

static void fill_device_create(struct dxg_objs *o, void *arg)
{
	((struct dxg_device_create *)arg)->adapter = o->env.adapter;
}

static void fill_device_destroy(struct dxg_objs *o, void *arg)
{
	((struct dxg_device_destroy *)arg)->device = o->env.device;
}

static void fill_device_state(struct dxg_objs *o, void *arg)
{
	((struct dxg_device_get_state *)arg)->device = o->env.device;
}

static void fill_context_create(struct dxg_objs *o, void *arg)
{
	((struct dxg_context_create *)arg)->device = o->env.device;
}

static void fill_context_destroy(struct dxg_objs *o, void *arg)
{
	((struct dxg_context_destroy *)arg)->context = o->env.context;
}

static void fill_alloc_create(struct dxg_objs *o, void *arg)
{
	struct dxg_alloc_create *a = arg;

	a->device = o->env.device;
	a->length = 4096;
}

static void fill_alloc_destroy(struct dxg_objs *o, void *arg)
{
	((struct dxg_alloc_destroy *)arg)->alloc = o->alloc;
}

static void fill_lock(struct dxg_objs *o, void *arg)
{
	struct dxg_alloc_lock *l = arg;

	l->flags = DXG_LOCK_READ;
	l->alloc = o->alloc;
	l->length = 4096;
}

static void fill_unlock(struct dxg_objs *o, void *arg)
{
	/* a lock to end; the case's stale/foreign handle replaces alloc */
	dxg_lock(o->env.fd, o->alloc, 0, 4096, DXG_LOCK_READ, NULL);
	((struct dxg_alloc_unlock *)arg)->alloc = o->alloc;
}

static void fill_submit(struct dxg_objs *o, void *arg)
{
	struct dxg_context_submit *s = arg;

	o->cb.len = 0;
	dxg_cmd_nop(&o->cb);
	o->alloc_list[0] = o->alloc;
	o->fv.fence = o->fence;
	o->fv.value = 1;
	s->context = o->env.context;
	s->cmd_uptr = (uintptr_t)o->cb.buf;
	s->cmd_size = o->cb.len;
	s->n_allocs = 1;
	s->allocs_uptr = (uintptr_t)o->alloc_list;
	s->signals_uptr = (uintptr_t)&o->fv;
	s->n_signals = 1;
}

static void fill_fence_create(struct dxg_objs *o, void *arg)
{
	((struct dxg_fence_create *)arg)->device = o->env.device;
}

static void fill_fence_destroy(struct dxg_objs *o, void *arg)
{
	((struct dxg_fence_destroy *)arg)->fence = o->fence;
}

static void fill_fence_signal(struct dxg_objs *o, void *arg)
{
	struct dxg_fence_signal *s = arg;

	o->fv.fence = o->fence;
	o->fv.value = 1;
	s->fences_uptr = (uintptr_t)&o->fv;
	s->count = 1;
}

static void fill_fence_wait(struct dxg_objs *o, void *arg)
{
	struct dxg_fence_wait *w = arg;

	o->fv.fence = o->fence;
	o->fv.value = 0;	/* reached: the fence starts at 0 */
	w->fences_uptr = (uintptr_t)&o->fv;
	w->count = 1;
	w->deadline_ns = 0;
}

static void fill_export(struct dxg_objs *o, void *arg)
{
	struct dxg_fence_export_sync_file *x = arg;

	x->fence = o->fence;
	x->value = 1;
}

FIXTURE(contract) {
	struct dxg_objs o;
	/* another open file with objects of every kind */
	struct dxg_objs other;
	uint8_t arg[512];
};

FIXTURE_VARIANT(contract) {
	unsigned long req;
	size_t size;		/* this header's sizeof */
	dxg_fill_fn fill;
	enum dxg_kind kind;	/* the handle the argument names, K_NONE */
	size_t reserved;	/* offset of a __reserved field, or NONE */
	size_t reserved_len;
	size_t uptr;		/* offset of a *_uptr field, or NONE */
	uint32_t bad_flag;	/* a flag bit the ioctl does not know */
};

#define VX(name, REQ, type, fn, k, res, res_len, uptr_field)		\
	FIXTURE_VARIANT_ADD(contract, name) {				\
		.req = REQ, .size = sizeof(struct type), .fill = fn,	\
		.kind = k, .reserved = res, .reserved_len = res_len,	\
		.uptr = uptr_field, .bad_flag = 1U << 31,		\
	}
/* without a __reserved field */
#define V(name, REQ, type, fn, k, res, uptr_field)			\
	VX(name, REQ, type, fn, k, NONE, 0, uptr_field)
/* with one */
#define VR(name, REQ, type, fn, k, res, uptr_field)			\
	VX(name, REQ, type, fn, k, OFF(type, __reserved),		\
	   sizeof(((struct type *)0)->__reserved), uptr_field)

V(caps_get, DXG_CAPS_GET, dxg_caps_get, fill_caps, K_NONE, NONE, NONE);
VR(adapter_enum, DXG_ADAPTER_ENUM, dxg_adapter_enum, fill_enum, K_NONE,
  RES, OFF(dxg_adapter_enum, adapters_uptr));
VR(adapter_open, DXG_ADAPTER_OPEN, dxg_adapter_open, fill_adapter_open, K_NONE,
  RES, NONE);
V(adapter_close, DXG_ADAPTER_CLOSE, dxg_adapter_close, fill_adapter_close,
  K_ADAPTER, NONE, NONE);
VR(adapter_query, DXG_ADAPTER_QUERY, dxg_adapter_query, fill_query, K_ADAPTER,
  RES, OFF(dxg_adapter_query, data_uptr));
V(device_create, DXG_DEVICE_CREATE, dxg_device_create, fill_device_create,
  K_ADAPTER, NONE, NONE);
V(device_destroy, DXG_DEVICE_DESTROY, dxg_device_destroy, fill_device_destroy,
  K_DEVICE, NONE, NONE);
VR(device_get_state, DXG_DEVICE_GET_STATE, dxg_device_get_state,
  fill_device_state, K_DEVICE, RES, NONE);
V(context_create, DXG_CONTEXT_CREATE, dxg_context_create, fill_context_create,
  K_DEVICE, NONE, NONE);
V(context_destroy, DXG_CONTEXT_DESTROY, dxg_context_destroy,
  fill_context_destroy, K_CONTEXT, NONE, NONE);
V(alloc_create, DXG_ALLOC_CREATE, dxg_alloc_create, fill_alloc_create,
  K_DEVICE, NONE, NONE);
V(alloc_destroy, DXG_ALLOC_DESTROY, dxg_alloc_destroy, fill_alloc_destroy,
  K_ALLOC, NONE, NONE);
V(alloc_lock, DXG_ALLOC_LOCK, dxg_alloc_lock, fill_lock, K_ALLOC, NONE, NONE);
V(alloc_unlock, DXG_ALLOC_UNLOCK, dxg_alloc_unlock, fill_unlock, K_ALLOC,
  NONE, NONE);
V(context_submit, DXG_CONTEXT_SUBMIT, dxg_context_submit, fill_submit,
  K_CONTEXT, NONE, OFF(dxg_context_submit, cmd_uptr));
VR(fence_create, DXG_FENCE_CREATE, dxg_fence_create, fill_fence_create,
  K_DEVICE, RES, NONE);
V(fence_destroy, DXG_FENCE_DESTROY, dxg_fence_destroy, fill_fence_destroy,
  K_FENCE, NONE, NONE);
V(fence_signal, DXG_FENCE_SIGNAL, dxg_fence_signal, fill_fence_signal,
  K_FENCE, NONE, OFF(dxg_fence_signal, fences_uptr));
V(fence_wait, DXG_FENCE_WAIT, dxg_fence_wait, fill_fence_wait, K_FENCE, NONE,
  OFF(dxg_fence_wait, fences_uptr));
V(fence_export_sync_file, DXG_FENCE_EXPORT_SYNC_FILE,
  dxg_fence_export_sync_file, fill_export, K_FENCE,
  OFF(dxg_fence_export_sync_file, __reserved), NONE);

static int objs_open(struct dxg_objs *o)
{
	int ret;

	memset(o, 0, sizeof(*o));
	ret = dxg_env_open(&o->env, 10000);
	if (!ret)
		ret = dxg_alloc_create(o->env.fd, o->env.device, 4096, &o->alloc);
	if (!ret)
		ret = dxg_fence_create(o->env.fd, o->env.device, 0, &o->fence,
				       NULL);
	return ret;
}

static uint64_t *objs_handle(struct dxg_objs *o, enum dxg_kind k)
{
	switch (k) {
	case K_ADAPTER: return &o->env.adapter;
	case K_DEVICE: return &o->env.device;
	case K_CONTEXT: return &o->env.context;
	case K_ALLOC: return &o->alloc;
	case K_FENCE: return &o->fence;
	default: return NULL;
	}
}

static bool objs_has(struct dxg_objs *o, uint64_t h)
{
	int k;

	for (k = K_ADAPTER; k <= K_FENCE; k++)
		if (*objs_handle(o, k) == h)
			return true;
	return false;
}

/* A new object of kind @k in @o's file; 0 or -errno. */
static int objs_new(struct dxg_objs *o, enum dxg_kind k, uint64_t *h)
{
	int fd = o->env.fd;

	switch (k) {
	case K_ADAPTER:
		return dxg_adapter_open(fd, &o->env.info.luid, 0, h);
	case K_DEVICE:
		return dxg_device_create(fd, o->env.adapter, h);
	case K_CONTEXT:
		return dxg_context_create(fd, o->env.device, h);
	case K_ALLOC:
		return dxg_alloc_create(fd, o->env.device, 4096, h);
	case K_FENCE:
		return dxg_fence_create(fd, o->env.device, 0, h, NULL);
	default:
		return -EINVAL;
	}
}

static int objs_destroy(struct dxg_objs *o, enum dxg_kind k, uint64_t h)
{
	int fd = o->env.fd;

	switch (k) {
	case K_ADAPTER: return dxg_adapter_close(fd, h);
	case K_DEVICE: return dxg_device_destroy(fd, h);
	case K_CONTEXT: return dxg_context_destroy(fd, h);
	case K_ALLOC: return dxg_alloc_destroy(fd, h);
	case K_FENCE: return dxg_fence_destroy(fd, h);
	default: return -EINVAL;
	}
}

FIXTURE_SETUP(contract)
{
	ASSERT_EQ(0, dxg_load(0));
	ASSERT_EQ(0, objs_open(&self->o));
	self->other.env.fd = -1;
}

FIXTURE_TEARDOWN(contract)
{
	dxg_env_close(&self->o.env);
	dxg_env_close(&self->other.env);
}

/* The valid argument in self->arg, @size bytes of it in use. */
static void *make_arg(FIXTURE_DATA(contract) *self,
		      const FIXTURE_VARIANT(contract) *variant, uint32_t size)
{
	memset(self->arg, 0, sizeof(self->arg));
	variant->fill(&self->o, self->arg);
	((uint32_t *)self->arg)[0] = size;
	return self->arg;
}

TEST_F(contract, valid_argument_works)
{
	ASSERT_EQ(0, dxg_ioc(self->o.env.fd, variant->req,
			     make_arg(self, variant, variant->size)));
}

TEST_F(contract, short_struct_einval)
{
	int fd = self->o.env.fd;

	EXPECT_EQ(-EINVAL, dxg_ioc(fd, variant->req,
				   make_arg(self, variant, variant->size - 8)));
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, variant->req,
				   make_arg(self, variant, variant->size - 1)));
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, variant->req, make_arg(self, variant, 0)));
}

TEST_F(contract, long_struct_nonzero_tail_e2big)
{
	uint32_t size = variant->size + 16;
	uint8_t *arg = make_arg(self, variant, size);

	arg[size - 1] = 1;
	EXPECT_EQ(-E2BIG, dxg_ioc(self->o.env.fd, variant->req, arg));
	arg = make_arg(self, variant, size);
	arg[variant->size] = 0x80;
	EXPECT_EQ(-E2BIG, dxg_ioc(self->o.env.fd, variant->req, arg));
}

TEST_F(contract, long_struct_zero_tail_works)
{
	uint32_t size = variant->size + 16;
	uint8_t *arg = make_arg(self, variant, size);
	size_t i;

	ASSERT_EQ(0, dxg_ioc(self->o.env.fd, variant->req, arg));
	/* outputs are the kernel's structure only: the tail stays zero */
	for (i = variant->size; i < size; i++)
		ASSERT_EQ(0, arg[i]);
}

TEST_F(contract, unknown_flag_einval)
{
	uint32_t *arg = make_arg(self, variant, variant->size);

	arg[1] |= variant->bad_flag;
	EXPECT_EQ(-EINVAL, dxg_ioc(self->o.env.fd, variant->req, arg));
	arg = make_arg(self, variant, variant->size);
	arg[1] |= 1U << 8;
	EXPECT_EQ(-EINVAL, dxg_ioc(self->o.env.fd, variant->req, arg));
}

TEST_F(contract, nonzero_reserved_einval)
{
	uint8_t *arg;
	size_t i;

	if (variant->reserved == NONE)
		/* not applicable: no __reserved field (not a skip, the runner fails skips on the debug kernel) */
		return;
	for (i = 0; i < variant->reserved_len; i++) {
		arg = make_arg(self, variant, variant->size);
		arg[variant->reserved + i] = 1;
		EXPECT_EQ(-EINVAL, dxg_ioc(self->o.env.fd, variant->req, arg));
	}
}

TEST_F(contract, bad_pointer_efault)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	void *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = self->o.env.fd;

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, dxg_ioc(fd, variant->req, NULL));
	EXPECT_EQ(-EFAULT, dxg_ioc(fd, variant->req, none));
	/* a valid argument the kernel cannot write its outputs into */
	if (_IOC_DIR(variant->req) & _IOC_READ) {
		memcpy(ro, make_arg(self, variant, variant->size),
		       variant->size);
		ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
		EXPECT_EQ(-EFAULT, dxg_ioc(fd, variant->req, ro));
	}
	munmap(none, 4096);
	munmap(ro, 4096);
}

TEST_F(contract, struct_across_end_of_mapping_efault)
{
	uint8_t *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *arg;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + 4096, 4096));
	arg = two + 4096 - variant->size + 8;
	memcpy(arg, make_arg(self, variant, variant->size), variant->size - 8);
	EXPECT_EQ(-EFAULT, dxg_ioc(self->o.env.fd, variant->req, arg));
	munmap(two, 4096);
}

TEST_F(contract, bad_uptr_efault)
{
	uint8_t *arg;
	uint64_t bad[] = { 8, (uint64_t)-4096, 0x7fffffffe000ULL };
	size_t i;

	if (variant->uptr == NONE)
		/* not applicable: no *_uptr field (not a skip, the runner fails skips on the debug kernel) */
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arg = make_arg(self, variant, variant->size);
		memcpy(arg + variant->uptr, &bad[i], 8);
		EXPECT_EQ(-EFAULT, dxg_ioc(self->o.env.fd, variant->req, arg));
	}
}

TEST_F(contract, other_direction_enotty)
{
	unsigned long nr = _IOC_NR(variant->req);
	unsigned long dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
				 _IOC_READ | _IOC_WRITE };
	size_t i;

	for (i = 0; i < 4; i++) {
		unsigned long req = _IOC(dirs[i], DXG_IOCTL_BASE, nr,
					 variant->size);

		if (dirs[i] == _IOC_DIR(variant->req))
			continue;
		EXPECT_EQ(-ENOTTY, dxg_ioc(self->o.env.fd, req,
					   make_arg(self, variant, variant->size)));
	}
}

TEST_F(contract, size_in_number_is_ignored)
{
	/* the kernel dispatches on type, number and direction; size is @size */
	unsigned long req = _IOC(_IOC_DIR(variant->req), DXG_IOCTL_BASE,
				 _IOC_NR(variant->req), variant->size + 64);

	EXPECT_EQ(0, dxg_ioc(self->o.env.fd, req,
			     make_arg(self, variant, variant->size)));
}

TEST_F(contract, stale_handle_enoent)
{
	uint64_t h, *slot = objs_handle(&self->o, variant->kind);

	if (!slot)
		/* not applicable: names no handle (not a skip, the runner fails skips on the debug kernel) */
		return;
	ASSERT_EQ(0, objs_new(&self->o, variant->kind, &h));
	ASSERT_EQ(0, objs_destroy(&self->o, variant->kind, h));
	*slot = h;
	EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, variant->req,
				   make_arg(self, variant, variant->size)));
	/* its slot given to a new object: the old handle still fails */
	ASSERT_EQ(0, objs_new(&self->o, variant->kind, slot));
	ASSERT_NE(h, *slot);
	*slot = h;
	EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, variant->req,
				   make_arg(self, variant, variant->size)));
}

TEST_F(contract, foreign_handle_enoent)
{
	uint64_t h, *slot = objs_handle(&self->o, variant->kind);
	int i;

	if (!slot)
		/* not applicable: names no handle (not a skip, the runner fails skips on the debug kernel) */
		return;
	ASSERT_EQ(0, objs_open(&self->other));
	/* one of the other file's handles that this file does not have */
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, objs_new(&self->other, variant->kind, &h));
		if (!objs_has(&self->o, h))
			break;
	}
	ASSERT_FALSE(objs_has(&self->o, h));
	*slot = h;
	EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, variant->req,
				   make_arg(self, variant, variant->size)));
}

TEST_F(contract, wrong_kind_handle_enoent)
{
	uint64_t *slot = objs_handle(&self->o, variant->kind);
	enum dxg_kind k;

	if (!slot)
		/* not applicable: names no handle (not a skip, the runner fails skips on the debug kernel) */
		return;
	for (k = K_ADAPTER; k <= K_FENCE; k++) {
		uint64_t keep = *slot;

		if (k == variant->kind)
			continue;
		*slot = *objs_handle(&self->o, k);
		EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, variant->req,
					   make_arg(self, variant, variant->size)));
		*slot = keep;
	}
	*slot = 0;
	EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, variant->req,
				   make_arg(self, variant, variant->size)));
}

/* Cases of no particular ioctl, and each ioctl's own ranges. */
FIXTURE(ranges) {
	struct dxg_objs o;
};

FIXTURE_SETUP(ranges)
{
	ASSERT_EQ(0, dxg_load(0));
	ASSERT_EQ(0, objs_open(&self->o));
}

FIXTURE_TEARDOWN(ranges)
{
	dxg_env_close(&self->o.env);
}

TEST_F(ranges, unknown_ioctls_enotty)
{
	struct dxg_caps_get c = { .size = sizeof(c) };
	int fd = self->o.env.fd, nr;

	for (nr = DXG_NR_COUNT; nr <= 0x3f; nr++)
		EXPECT_EQ(-ENOTTY, dxg_ioc(fd, _IOWR(DXG_IOCTL_BASE, nr,
						     struct dxg_caps_get), &c));
	EXPECT_EQ(-ENOTTY, dxg_ioc(fd, _IOWR('K', DXG_NR_CAPS_GET,
					     struct dxg_caps_get), &c));
	EXPECT_EQ(-ENOTTY, dxg_ioc(fd, _IO(DXG_IOCTL_BASE, 0x40), &c));
	/* read and write are not supported */
	EXPECT_EQ(-1, read(fd, &c, sizeof(c)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, &c, sizeof(c)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ranges, caps_without_host_objects)
{
	struct dxg_caps_get c;
	int fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dxg_caps(fd, &c));
	EXPECT_EQ(DXG_UAPI_VERSION, c.out_uapi_version);
	close(fd);
}

TEST_F(ranges, adapter_enum)
{
	struct dxg_adapter_info info[2];
	struct dxg_adapter_enum en = { .size = sizeof(en) };
	int fd = self->o.env.fd;

	/* count with no array, entry_size too small or not a multiple of 8 */
	en.count = 1;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	en.adapters_uptr = (uintptr_t)info;
	en.entry_size = sizeof(info[0]) - 8;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	en.entry_size = sizeof(info[0]) + 4;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	en.entry_size = sizeof(info[0]);
	EXPECT_EQ(0, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	EXPECT_LE(1, en.out_total);
}

TEST_F(ranges, adapter_open_unknown_luid_and_instance)
{
	struct dxg_luid luid = self->o.env.info.luid;
	uint64_t h;

	luid.high ^= 0x8000;
	EXPECT_EQ(-ENOENT, dxg_adapter_open(self->o.env.fd, &luid, 0, &h));
	EXPECT_EQ(-ENODEV, dxg_adapter_open(self->o.env.fd,
					    &self->o.env.info.luid,
					    self->o.env.info.instance + 1000, &h));
	EXPECT_EQ(0, dxg_adapter_open(self->o.env.fd, &self->o.env.info.luid,
				      self->o.env.info.instance, &h));
}

TEST_F(ranges, adapter_query)
{
	struct dxg_query_stats st[2];
	int fd = self->o.env.fd;
	uint64_t a = self->o.env.adapter;

	EXPECT_EQ(-EINVAL, dxg_query(fd, a, 0, st, sizeof(st[0])));
	EXPECT_EQ(-EINVAL, dxg_query(fd, a, 99, st, sizeof(st[0])));
	EXPECT_EQ(-EINVAL, dxg_query(fd, a, DXG_QUERY_STATS, st,
				     sizeof(st[0]) - 8));
	EXPECT_EQ(-EINVAL, dxg_query(fd, a, DXG_QUERY_STATS, st,
				     sizeof(st[0]) + 4));
	EXPECT_EQ(-EINVAL, dxg_query(fd, a, DXG_QUERY_MEMORY, st,
				     sizeof(struct dxg_query_memory) - 8));
}

TEST_F(ranges, alloc_create_length)
{
	int fd = self->o.env.fd;
	uint64_t h;

	EXPECT_EQ(-EINVAL, dxg_alloc_create(fd, self->o.env.device, 0, &h));
	EXPECT_EQ(-EINVAL, dxg_alloc_create(fd, self->o.env.device,
					    self->o.env.caps.out_max_alloc_size + 1,
					    &h));
	EXPECT_EQ(-EINVAL, dxg_alloc_create(fd, self->o.env.device, ~0ULL, &h));
	EXPECT_EQ(0, dxg_alloc_create(fd, self->o.env.device, 1, &h));
}

TEST_F(ranges, alloc_lock_flags_and_range)
{
	static const uint32_t bad[] = {
		0, DXG_LOCK_DISCARD, DXG_LOCK_READ | DXG_LOCK_DISCARD,
		DXG_LOCK_NOWAIT, DXG_LOCK_READ | DXG_LOCK_WRITE | DXG_LOCK_DISCARD,
	};
	int fd = self->o.env.fd;
	uint64_t a = self->o.alloc;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, dxg_lock(fd, a, 0, 4096, bad[i], NULL));
	EXPECT_EQ(-EINVAL, dxg_lock(fd, a, 0, 0, DXG_LOCK_READ, NULL));
	EXPECT_EQ(-EINVAL, dxg_lock(fd, a, 0, 4097, DXG_LOCK_READ, NULL));
	EXPECT_EQ(-EINVAL, dxg_lock(fd, a, 1, 4096, DXG_LOCK_READ, NULL));
	EXPECT_EQ(-EINVAL, dxg_lock(fd, a, 4096, 1, DXG_LOCK_READ, NULL));
	/* offset + length wraps: must not pass as in range */
	EXPECT_EQ(-EINVAL, dxg_lock(fd, a, ~0ULL - 10, 16, DXG_LOCK_READ, NULL));
	EXPECT_EQ(0, dxg_lock(fd, a, 4095, 1, DXG_LOCK_READ, NULL));
	EXPECT_EQ(-EBUSY, dxg_lock(fd, a, 0, 1, DXG_LOCK_READ, NULL));
	EXPECT_EQ(0, dxg_unlock(fd, a));
	EXPECT_EQ(-EINVAL, dxg_unlock(fd, a));
}

TEST_F(ranges, submit_sizes_and_lists)
{
	struct dxg_objs *o = &self->o;
	struct dxg_cmdbuf *cb = &o->cb;
	uint64_t twice[2] = { o->alloc, o->alloc }, other_dev, other_alloc;
	struct dxg_context_submit s;
	static uint64_t many[DXG_MAX_SUBMIT_ALLOCS + 1];
	int fd = o->env.fd;

	cb->len = 0;
	dxg_cmd_nop(cb);
	/* size not a multiple of 8, over the limit */
	s = (struct dxg_context_submit){ .size = sizeof(s),
		.context = o->env.context, .cmd_uptr = (uintptr_t)cb->buf,
		.cmd_size = 4 };
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s));
	s.cmd_size = o->env.caps.out_max_cmd_size + 8;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s));
	/* counts over the limits */
	s.cmd_size = 8;
	s.n_allocs = DXG_MAX_SUBMIT_ALLOCS + 1;
	s.allocs_uptr = (uintptr_t)many;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s));
	s.n_allocs = 0;
	s.n_waits = DXG_MAX_SUBMIT_WAITS + 1;
	s.waits_uptr = (uintptr_t)many;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s));
	s.n_waits = 0;
	s.n_signals = DXG_MAX_SUBMIT_SIGNALS + 1;
	s.signals_uptr = (uintptr_t)many;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s));
	/* an allocation listed twice, or of another device */
	EXPECT_EQ(-EINVAL, dxg_submit(fd, o->env.context, cb, twice, 2, NULL, 0,
				      NULL, 0, NULL));
	ASSERT_EQ(0, dxg_device_create(fd, o->env.adapter, &other_dev));
	ASSERT_EQ(0, dxg_alloc_create(fd, other_dev, 64, &other_alloc));
	EXPECT_EQ(-EINVAL, dxg_submit(fd, o->env.context, cb, &other_alloc, 1,
				      NULL, 0, NULL, 0, NULL));
	/* a bad command: the host's check, same errno */
	cb->len = 0;
	dxg_cmd_fill(cb, 1, 0, 0, 4);	/* index 1 of a 1-entry list */
	EXPECT_EQ(-EINVAL, dxg_submit(fd, o->env.context, cb, &o->alloc, 1,
				      NULL, 0, NULL, 0, NULL));
	cb->len = 0;
	dxg_cmd_fill(cb, 0, 0, 4092, 8);	/* past the end */
	EXPECT_EQ(-EINVAL, dxg_submit(fd, o->env.context, cb, &o->alloc, 1,
				      NULL, 0, NULL, 0, NULL));
	cb->len = 0;
	dxg_cmd_delay(cb, DXG_WIRE_MAX_DELAY_US + 1);
	EXPECT_EQ(-EINVAL, dxg_submit(fd, o->env.context, cb, NULL, 0, NULL, 0,
				      NULL, 0, NULL));
}

TEST_F(ranges, submit_numbers_skip_refused)
{
	struct dxg_objs *o = &self->o;
	uint64_t n1 = 0, n2 = 0;
	struct dxg_cmdbuf bad = { 0 };

	o->cb.len = 0;
	dxg_cmd_nop(&o->cb);
	dxg_cmd_fill(&bad, 3, 0, 0, 4);
	ASSERT_EQ(0, dxg_submit(o->env.fd, o->env.context, &o->cb, NULL, 0,
				NULL, 0, NULL, 0, &n1));
	EXPECT_EQ(1, n1);
	EXPECT_EQ(-EINVAL, dxg_submit(o->env.fd, o->env.context, &bad, NULL, 0,
				      NULL, 0, NULL, 0, NULL));
	ASSERT_EQ(0, dxg_submit(o->env.fd, o->env.context, &o->cb, NULL, 0,
				NULL, 0, NULL, 0, &n2));
	EXPECT_EQ(2, n2);
}

TEST_F(ranges, fence_counts)
{
	struct dxg_fence_value fv[DXG_MAX_WAIT_FENCES + 1];
	struct dxg_fence_signal s = { .size = sizeof(s),
				      .fences_uptr = (uintptr_t)fv };
	int fd = self->o.env.fd, i;

	for (i = 0; i <= DXG_MAX_WAIT_FENCES; i++)
		fv[i] = (struct dxg_fence_value){ self->o.fence, 0 };
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_FENCE_SIGNAL, &s));
	s.count = DXG_MAX_SIGNAL_FENCES + 1;
	EXPECT_EQ(-EINVAL, dxg_ioc(fd, DXG_FENCE_SIGNAL, &s));
	EXPECT_EQ(-EINVAL, dxg_fence_wait_n(fd, fv, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, dxg_fence_wait_n(fd, fv, DXG_MAX_WAIT_FENCES + 1, 0,
					    0, NULL));
	EXPECT_EQ(0, dxg_fence_wait_n(fd, fv, DXG_MAX_WAIT_FENCES, 0, 0, NULL));
}

TEST_F(ranges, fence_signal_checks_every_handle_first)
{
	struct dxg_fence_value fv[2] = {
		{ self->o.fence, 5 }, { self->o.fence + 0x10000, 5 },
	};
	struct dxg_fence_signal s = { .size = sizeof(s),
		.fences_uptr = (uintptr_t)fv, .count = 2 };

	if (objs_has(&self->o, fv[1].fence))
		SKIP(return, "the made-up handle exists");
	EXPECT_EQ(-ENOENT, dxg_ioc(self->o.env.fd, DXG_FENCE_SIGNAL, &s));
	/* nothing applied: the first fence is still below 5 */
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(self->o.env.fd, self->o.fence, 5, 0));
}

TEST_HARNESS_MAIN
