// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dxg under allocation failures, one ioctl at a time: for n = 1,
 * 2, ... the n-th fault site the calling task reaches fails (failslab
 * and fail_page_alloc through /proc/thread-self/fail-nth), until a call
 * completes without reaching its n-th site.  Each failed call must
 * fail cleanly (ENOMEM) and leave the file consistent: what the call
 * made is destroyable, what it did not make does not exist, the adapter
 * still works.  No failure may cost the control connection (the core
 * finishes a frame cut short by -ENOMEM from a worker); were one to,
 * the case fails, though the adapter is still checked to come back.  Kernel splats (WARN, KASAN,
 * kmemleak) are caught by the runner's log check.
 *
 * Needs a kernel with fault injection, the debug kernel; on the others
 * every case is not applicable and returns (VMTEST_DEBUG set means it
 * must apply).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "dxg_lib.h"

/* far above the fault sites of any one dxg ioctl */
#define NTH_MAX		400
/* locked bytes: two pages, a buffer that fails part way too */
#define NTH_LOCK	8192

/*
 * The knobs the cases set, as they were when the program started (read
 * once, before the harness forks a child per case), written back after
 * each case (nth_restore()) so that later tests see the injector as
 * before; each case checks it found them so (nth_knobs_as_before()).
 */
static const char *const nth_knobs[][2] = {
	{ "failslab", "probability" }, { "failslab", "interval" },
	{ "failslab", "times" }, { "failslab", "task-filter" },
	{ "failslab", "verbose" }, { "failslab", "ignore-gfp-wait" },
	{ "fail_page_alloc", "probability" }, { "fail_page_alloc", "interval" },
	{ "fail_page_alloc", "times" }, { "fail_page_alloc", "task-filter" },
	{ "fail_page_alloc", "verbose" }, { "fail_page_alloc", "ignore-gfp-wait" },
	{ "fail_page_alloc", "min-order" },
	{ "fail_page_alloc", "ignore-gfp-highmem" },
};
#define NTH_NKNOBS	(sizeof(nth_knobs) / sizeof(nth_knobs[0]))
static char nth_orig[NTH_NKNOBS][32];
static bool nth_have_orig;

static void __attribute__((constructor)) nth_save_orig(void)
{
	char why[128];
	unsigned int i;

	if (hl_nth_available(why, sizeof(why)))
		return;
	for (i = 0; i < NTH_NKNOBS; i++)
		if (hl_nth_knob_read(nth_knobs[i][0], nth_knobs[i][1], nth_orig[i],
				  sizeof(nth_orig[i])))
			return;
	nth_have_orig = true;
}

static void nth_restore(void)
{
	unsigned int i;

	for (i = 0; nth_have_orig && i < NTH_NKNOBS; i++)
		hl_nth_knob(nth_knobs[i][0], nth_knobs[i][1], nth_orig[i]);
}

/* Are the knobs as the program found them?  Else *@which names one. */
static bool nth_knobs_as_before(const char **which)
{
	unsigned int i;
	char val[32];

	for (i = 0; nth_have_orig && i < NTH_NKNOBS; i++) {
		if (hl_nth_knob_read(nth_knobs[i][0], nth_knobs[i][1], val, sizeof(val)) ||
		    strcmp(val, nth_orig[i])) {
			*which = nth_knobs[i][1];
			return false;
		}
	}
	return true;
}

/* true if injection is set up; else @why says what is missing */
static bool nth_inject_setup(char *why, size_t len)
{
	if (hl_nth_available(why, len) || hl_nth_inject("failslab", why, len) ||
	    hl_nth_inject("fail_page_alloc", why, len))
		return false;
	/* order-0 pages too, highmem or not */
	if (hl_nth_knob("fail_page_alloc", "min-order", "0") ||
	    hl_nth_knob("fail_page_alloc", "ignore-gfp-highmem", "N")) {
		snprintf(why, len, "fail_page_alloc/min-order: not writable");
		return false;
	}
	return true;
}

/* What one case works on. */
struct nth {
	struct dxg_env e;
	uint32_t lost;		/* an instance that ENODEV lost, or 0 */
	/* made by prepare, without injection */
	uint64_t alloc, fence, fence2, device;
	uint64_t value;		/* the fence's last value asked for */
	/* made by the call under injection */
	uint64_t out;
	int sf;
	struct dxg_cmdbuf cb;
};

struct nth_case {
	const char *name;
	/* objects the call needs; 0 or -errno */
	int (*prepare)(struct nth *t);
	/* the call; 0 or -errno */
	int (*call)(struct nth *t);
	/* undo a call that succeeded; 0 or -errno */
	int (*undo)(struct nth *t);
	/* must some n make it fail */
	bool must_fail;
};

/* the adapter of @t answers: a fence made, signalled, waited, destroyed */
static int nth_usable(struct nth *t)
{
	uint64_t f;
	int ret;

	ret = dxg_fence_create(t->e.fd, t->e.device, 0, &f, NULL);
	if (ret)
		return ret;
	ret = dxg_fence_signal(t->e.fd, f, 1);
	if (!ret)
		ret = dxg_fence_wait(t->e.fd, f, 1, dxg_deadline(5000));
	if (!ret)
		ret = dxg_fence_destroy(t->e.fd, f);
	return ret;
}

/* a new file on an adapter that is not the lost instance; 0 or -errno */
static int nth_reopen(struct nth *t)
{
	struct dxg_adapter_info list[DXG_MAX_ADAPTERS];
	uint64_t end = hl_now_ms() + 10000;
	int n, i, fd, ret;

	dxg_env_close(&t->e);
	fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now;

		n = dxg_enum(fd, list, DXG_MAX_ADAPTERS);
		for (i = 0; i < n && i < DXG_MAX_ADAPTERS; i++)
			if (list[i].state == DXG_ADAPTER_ACTIVE &&
			    list[i].instance != t->lost)
				break;
		if (n >= 0 && i < n)
			break;
		now = hl_now_ms();
		if (n < 0 || now >= end) {
			close(fd);
			return n < 0 ? n : -ETIMEDOUT;
		}
		/* EPOLLIN: the list changed since this ENUM */
		poll(&p, 1, end - now);
	}
	close(fd);
	ret = dxg_env_open(&t->e, 10000);
	t->lost = 0;
	return ret;
}

FIXTURE(nth) {
	const char *knobs_changed;	/* a knob a case before left changed */
	bool ready;
	int nth_fd;
	struct nth t;
};

FIXTURE_SETUP(nth)
{
	char why[256];

	/* the case before put them back; checked in the case (teardown) */
	self->knobs_changed = NULL;
	if (!nth_knobs_as_before(&self->knobs_changed))
		nth_restore();

	self->ready = nth_inject_setup(why, sizeof(why));
	self->nth_fd = -1;
	self->t.e.fd = -1;
	self->t.sf = -1;
	if (!self->ready) {
		if (hl_nth_required())
			ASSERT_TRUE(false) TH_LOG("debug kernel: %s", why);
		TH_LOG("not applicable: %s", why);
		return;
	}
	self->nth_fd = open(HL_NTH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth_fd);
	ASSERT_EQ(0, dxg_load(0));
	ASSERT_EQ(0, dxg_env_open(&self->t.e, 10000));
}

FIXTURE_TEARDOWN(nth)
{
	dxg_env_close(&self->t.e);
	if (self->nth_fd >= 0)
		close(self->nth_fd);
	nth_restore();
}

/* destroys what prepare and the call left; the errors of that */
static int nth_release(struct nth *t)
{
	int ret = 0;

	if (t->sf >= 0)
		close(t->sf);
	t->sf = -1;
	if (t->alloc && dxg_alloc_destroy(t->e.fd, t->alloc))
		ret--;
	if (t->fence && dxg_fence_destroy(t->e.fd, t->fence))
		ret--;
	if (t->fence2 && dxg_fence_destroy(t->e.fd, t->fence2))
		ret--;
	if (t->device && dxg_device_destroy(t->e.fd, t->device))
		ret--;
	t->alloc = t->fence = t->fence2 = t->device = t->out = 0;
	return ret;
}

/*
 * Sweeps @c: n = 1, 2, ... until the call no longer reaches its n-th
 * fault site.  Fails the test on an unclean errno, an inconsistent
 * file, or (@c->must_fail) no failure at all.
 */
static void nth_sweep(struct __test_metadata *_metadata,
		      FIXTURE_DATA(nth) *self, const struct nth_case *c)
{
	struct nth *t = &self->t;
	unsigned int n, failed = 0, absorbed = 0, lost = 0;
	int ret, undo, usable;
	bool reached;

	EXPECT_EQ(NULL, self->knobs_changed)
		TH_LOG("a case before left the injector's %s changed", self->knobs_changed);
	for (n = 1;; n++) {
		undo = 0;
		ASSERT_GT(NTH_MAX, n) TH_LOG("%s: no end of fault sites",
					     c->name);
		t->alloc = t->fence = t->fence2 = t->device = t->out = 0;
		t->sf = -1;
		ASSERT_EQ(0, c->prepare ? c->prepare(t) : 0)
			TH_LOG("%s: prepare, n %u", c->name, n);
		ASSERT_EQ(0, hl_nth_arm(self->nth_fd, n));
		ret = c->call(t);
		reached = hl_nth_disarm(self->nth_fd);
		if (!reached) {
			/* the call ran to its end with no fault: it works */
			ASSERT_EQ(0, ret) TH_LOG("%s: without a fault, n %u",
						 c->name, n);
		}
		if (!ret) {
			if (reached)
				absorbed++;
			undo = c->undo ? c->undo(t) : 0;
			/* a fault that cost the connection after the call */
			ASSERT_TRUE(!undo || (reached && undo == -ENODEV))
				TH_LOG("%s: undo, n %u: %d", c->name, n, undo);
		} else {
			failed++;
			ASSERT_TRUE(ret == -ENOMEM || ret == -ENODEV)
				TH_LOG("%s: n %u failed with %d (%s)", c->name,
				       n, ret, strerror(-ret));
		}
		/* what was made is destroyable, lost or not */
		ASSERT_EQ(0, nth_release(t))
			TH_LOG("%s: destroy after n %u", c->name, n);
		usable = ret == -ENODEV || undo == -ENODEV ? -ENODEV :
			 nth_usable(t);
		if (usable == -ENODEV && reached) {
			lost++;
			t->lost = t->e.info.instance;
			ASSERT_EQ(0, nth_reopen(t))
				TH_LOG("%s: no adapter back after n %u",
				       c->name, n);
			usable = nth_usable(t);
		}
		ASSERT_EQ(0, usable)
			TH_LOG("%s: adapter unusable after n %u (%d)", c->name,
			       n, ret);
		if (!reached)
			break;
	}
	TH_LOG("%s: %u fault sites, %u failed the call (%u lost the host), %u absorbed",
	       c->name, n - 1, failed, lost, absorbed);
	if (c->must_fail)
		EXPECT_LE(1, failed) TH_LOG("%s: no injected failure failed it",
					   c->name);
	/* the core hands the rest of a frame to a worker on -ENOMEM */
	EXPECT_EQ(0, lost) TH_LOG("%s: an injected failure cost the connection",
				  c->name);
}

#define NTH_TEST(id, ...)						\
	TEST_F(nth, id)							\
	{								\
		static const struct nth_case c = {			\
			.name = #id, __VA_ARGS__			\
		};							\
		if (!self->ready)					\
			return;						\
		nth_sweep(_metadata, self, &c);				\
	}

/* Preparations. */
static int prep_alloc(struct nth *t)
{
	return dxg_alloc_create(t->e.fd, t->e.device, 65536, &t->alloc);
}

static int prep_fence(struct nth *t)
{
	t->value = 0;
	return dxg_fence_create(t->e.fd, t->e.device, 0, &t->fence, NULL);
}

static int prep_alloc_fence(struct nth *t)
{
	return prep_alloc(t) ?: prep_fence(t);
}

static int prep_two_fences(struct nth *t)
{
	return prep_fence(t) ?:
	       dxg_fence_create(t->e.fd, t->e.device, 1, &t->fence2, NULL);
}

static int prep_write_lock(struct nth *t)
{
	uint64_t moff;
	uint8_t *p;
	int ret;

	ret = prep_alloc(t);
	if (ret)
		return ret;
	ret = dxg_lock(t->e.fd, t->alloc, 0, NTH_LOCK, DXG_LOCK_WRITE |
		       DXG_LOCK_DISCARD, &moff);
	if (ret)
		return ret;
	p = mmap(NULL, NTH_LOCK, PROT_READ | PROT_WRITE, MAP_SHARED, t->e.fd,
		 moff);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0x3c, NTH_LOCK);
	munmap(p, NTH_LOCK);
	return 0;
}

/* The calls and their undos. */
static int call_caps(struct nth *t)
{
	struct dxg_caps_get caps;

	return dxg_caps(t->e.fd, &caps);
}

static int call_open(struct nth *t)
{
	int fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	t->sf = fd;
	return 0;
}

static int call_enum(struct nth *t)
{
	struct dxg_adapter_info list[DXG_MAX_ADAPTERS];
	int n = dxg_enum(t->e.fd, list, DXG_MAX_ADAPTERS);

	return n < 0 ? n : 0;
}

static int call_adapter_open(struct nth *t)
{
	return dxg_adapter_open(t->e.fd, &t->e.info.luid, 0, &t->out);
}

static int undo_adapter_open(struct nth *t)
{
	return dxg_adapter_close(t->e.fd, t->out);
}

static int call_query_memory(struct nth *t)
{
	struct dxg_query_memory m;

	return dxg_query(t->e.fd, t->e.adapter, DXG_QUERY_MEMORY, &m,
			 sizeof(m));
}

static int call_query_clock(struct nth *t)
{
	struct dxg_query_clock c;

	return dxg_query(t->e.fd, t->e.adapter, DXG_QUERY_CLOCK, &c,
			 sizeof(c));
}

static int call_query_stats(struct nth *t)
{
	struct dxg_query_stats s;

	return dxg_query(t->e.fd, t->e.adapter, DXG_QUERY_STATS, &s,
			 sizeof(s));
}

static int call_device_create(struct nth *t)
{
	return dxg_device_create(t->e.fd, t->e.adapter, &t->out);
}

static int undo_device_create(struct nth *t)
{
	return dxg_device_destroy(t->e.fd, t->out);
}

static int call_device_state(struct nth *t)
{
	struct dxg_device_get_state st;

	return dxg_device_state(t->e.fd, t->e.device, &st);
}

static int call_context_create(struct nth *t)
{
	return dxg_context_create(t->e.fd, t->e.device, &t->out);
}

static int undo_context_create(struct nth *t)
{
	return dxg_context_destroy(t->e.fd, t->out);
}

static int call_alloc_create(struct nth *t)
{
	return dxg_alloc_create(t->e.fd, t->e.device, 1 << 20, &t->out);
}

static int undo_alloc_create(struct nth *t)
{
	return dxg_alloc_destroy(t->e.fd, t->out);
}

static int call_alloc_destroy(struct nth *t)
{
	int ret = dxg_alloc_destroy(t->e.fd, t->alloc);

	if (!ret)
		t->alloc = 0;
	return ret;
}

static int call_lock_read(struct nth *t)
{
	return dxg_lock(t->e.fd, t->alloc, 0, NTH_LOCK, DXG_LOCK_READ, &t->out);
}

static int undo_lock(struct nth *t)
{
	return dxg_unlock(t->e.fd, t->alloc);
}

static int call_lock_discard(struct nth *t)
{
	return dxg_lock(t->e.fd, t->alloc, 0, NTH_LOCK, DXG_LOCK_WRITE |
			DXG_LOCK_DISCARD, &t->out);
}

static int call_unlock(struct nth *t)
{
	return dxg_unlock(t->e.fd, t->alloc);
}

/* the bytes went back */
static int undo_unlock(struct nth *t)
{
	uint8_t buf[NTH_LOCK];
	unsigned int i;
	int ret;

	ret = dxg_read(t->e.fd, t->alloc, 0, buf, sizeof(buf));
	if (ret)
		return ret;
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0x3c)
			return -EILSEQ;
	return 0;
}

static int call_mmap_lock(struct nth *t)
{
	uint64_t moff;
	uint8_t *p;
	int ret;

	/* the lock is made under injection too; its faults are swept first */
	ret = dxg_lock(t->e.fd, t->alloc, 0, NTH_LOCK, DXG_LOCK_READ, &moff);
	if (ret)
		return ret;
	p = mmap(NULL, NTH_LOCK, PROT_READ, MAP_SHARED, t->e.fd, moff);
	if (p == MAP_FAILED) {
		ret = -errno;
		dxg_unlock(t->e.fd, t->alloc);
		return ret;
	}
	munmap(p, NTH_LOCK);
	return 0;
}

static int call_submit(struct nth *t)
{
	struct dxg_fence_value s = { t->fence, 1 };

	t->cb.len = 0;
	dxg_cmd_fill(&t->cb, 0, 0x600dcafe, 0, 65536);
	return dxg_submit(t->e.fd, t->e.context, &t->cb, &t->alloc, 1, NULL, 0,
			  &s, 1, NULL);
}

/* it ran: the fence reaches 1 and the bytes are the fill's */
static int undo_submit(struct nth *t)
{
	uint32_t w = 0;
	int ret;

	ret = dxg_fence_wait(t->e.fd, t->fence, 1, dxg_deadline(10000));
	if (!ret)
		ret = dxg_read(t->e.fd, t->alloc, 65532, &w, sizeof(w));
	if (!ret && w != 0x600dcafe)
		ret = -EILSEQ;
	return ret;
}

static int call_fence_create(struct nth *t)
{
	return dxg_fence_create(t->e.fd, t->e.device, 7, &t->out, NULL);
}

static int undo_fence_create(struct nth *t)
{
	return dxg_fence_destroy(t->e.fd, t->out);
}

static int call_fence_signal(struct nth *t)
{
	return dxg_fence_signal(t->e.fd, t->fence, 3);
}

/* signalled: a wait for 3 returns at once */
static int undo_fence_signal(struct nth *t)
{
	return dxg_fence_wait(t->e.fd, t->fence, 3, 0);
}

static int call_fence_wait(struct nth *t)
{
	/* ANY of an unreached fence and a reached one: the second */
	struct dxg_fence_value fv[2] = { { t->fence, 1 }, { t->fence2, 1 } };
	uint32_t index = 0;
	int ret;

	ret = dxg_fence_wait_n(t->e.fd, fv, 2, 0, dxg_deadline(5000), &index);
	if (!ret && index != 1)
		ret = -EILSEQ;
	return ret;
}

static int call_export(struct nth *t)
{
	int sf = dxg_export(t->e.fd, t->fence, 1);

	if (sf < 0)
		return sf;
	t->sf = sf;
	return 0;
}

/* the sync_file works: signalled by the fence */
static int undo_export(struct nth *t)
{
	struct pollfd p = { .fd = t->sf, .events = POLLIN };
	int ret;

	if (poll(&p, 1, 0) != 0)
		return -EILSEQ;
	ret = dxg_fence_signal(t->e.fd, t->fence, 1);
	if (ret)
		return ret;
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	return 0;
}

static int prep_device(struct nth *t)
{
	return dxg_device_create(t->e.fd, t->e.adapter, &t->device);
}

/* a destroy that failed leaves the device, destroyed by the release */
static int call_device_destroy(struct nth *t)
{
	int ret = dxg_device_destroy(t->e.fd, t->device);

	if (!ret)
		t->device = 0;
	return ret;
}

/* The fence-page mapping. */
static int call_mmap_fences(struct nth *t)
{
	void *p = mmap(NULL, t->e.caps.out_fence_map_size, PROT_READ,
		       MAP_SHARED, t->e.fd, DXG_MMAP_FENCE_OFFSET);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, t->e.caps.out_fence_map_size);
	return 0;
}

NTH_TEST(caps_get, .call = call_caps)
NTH_TEST(open_file, .call = call_open, .must_fail = true)
NTH_TEST(adapter_enum, .call = call_enum)
NTH_TEST(adapter_open, .call = call_adapter_open, .undo = undo_adapter_open,
	 .must_fail = true)
NTH_TEST(adapter_query_memory, .call = call_query_memory, .must_fail = true)
NTH_TEST(adapter_query_clock, .call = call_query_clock, .must_fail = true)
NTH_TEST(adapter_query_stats, .call = call_query_stats, .must_fail = true)
NTH_TEST(device_create, .call = call_device_create,
	 .undo = undo_device_create, .must_fail = true)
NTH_TEST(device_get_state, .call = call_device_state)
NTH_TEST(device_destroy, .prepare = prep_device, .call = call_device_destroy)
NTH_TEST(context_create, .call = call_context_create,
	 .undo = undo_context_create, .must_fail = true)
NTH_TEST(alloc_create, .call = call_alloc_create, .undo = undo_alloc_create,
	 .must_fail = true)
NTH_TEST(alloc_destroy, .prepare = prep_alloc, .call = call_alloc_destroy)
NTH_TEST(alloc_lock_read, .prepare = prep_alloc, .call = call_lock_read,
	 .undo = undo_lock, .must_fail = true)
NTH_TEST(alloc_lock_discard, .prepare = prep_alloc, .call = call_lock_discard,
	 .undo = undo_lock, .must_fail = true)
/*
 * UNLOCK's host calls (write-back, UNLOCK) run on dxg_wq, so that a
 * signal cannot cut them short: the calling task reaches no fault site.
 */
NTH_TEST(alloc_unlock, .prepare = prep_write_lock, .call = call_unlock,
	 .undo = undo_unlock)
NTH_TEST(lock_and_mmap, .prepare = prep_alloc, .call = call_mmap_lock,
	 .undo = undo_lock, .must_fail = true)
NTH_TEST(fence_page_mmap, .call = call_mmap_fences)
NTH_TEST(context_submit, .prepare = prep_alloc_fence, .call = call_submit,
	 .undo = undo_submit, .must_fail = true)
NTH_TEST(fence_create, .call = call_fence_create, .undo = undo_fence_create,
	 .must_fail = true)
NTH_TEST(fence_signal, .prepare = prep_fence, .call = call_fence_signal,
	 .undo = undo_fence_signal, .must_fail = true)
NTH_TEST(fence_wait, .prepare = prep_two_fences, .call = call_fence_wait,
	 .must_fail = true)
NTH_TEST(fence_export_sync_file, .prepare = prep_fence, .call = call_export,
	 .undo = undo_export, .must_fail = true)

TEST_HARNESS_MAIN
