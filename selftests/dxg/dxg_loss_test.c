// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dxg when its host goes away: a hostlinkd of the test's own, on
 * a port of its own (the VM's daemon is not involved), killed with
 * SIGKILL while a long DELAY runs and while CPU waits are blocked.
 * Blocked calls fail fast with ENODEV, poll says EPOLLHUP | EPOLLERR,
 * sync_files signal with ENODEV, old handles answer as
 * Documentation/dxg-uapi.rst says, a held lock's mapping stays until
 * unlock; a restarted daemon brings a new adapter instance that works.
 * And the module stays while an exported sync_file outlives its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "hostlink_selftest.h"
#include "dxg_lib.h"

/* a blocked call's own deadline, and how fast the loss must end it */
#define LOSS_DEADLINE_MS	20000
#define LOSS_PROMPT_MS		3000

/* A FENCE_WAIT (or, with @lock_alloc, a LOCK) in a thread of its own. */
struct waiter {
	pthread_t thread;
	pid_t tid;
	int fd;
	uint64_t lock_alloc;
	struct dxg_fence_value fv;
	uint64_t deadline;
	volatile int started;
	int ret;
	uint64_t done_ns;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->tid = syscall(SYS_gettid);
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	if (w->lock_alloc)
		w->ret = dxg_lock(w->fd, w->lock_alloc, 0, 4096, DXG_LOCK_READ,
				  NULL);
	else
		w->ret = dxg_fence_wait(w->fd, w->fv.fence, w->fv.value,
					w->deadline);
	w->done_ns = dxg_now_ns();
	return NULL;
}

/* /proc state of a thread of ours: 'S' while it sleeps in the kernel */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* start a waiter and return once it sleeps in its ioctl; 0 or -1 */
static int waiter_start_any(struct waiter *w, int fd, uint64_t fence,
			    uint64_t value, uint64_t lock_alloc)
{
	uint64_t end = hl_now_ms() + 5000;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->lock_alloc = lock_alloc;
	w->fv.fence = fence;
	w->fv.value = value;
	w->deadline = dxg_deadline(LOSS_DEADLINE_MS);
	if (pthread_create(&w->thread, NULL, waiter_main, w))
		return -1;
	while (!__atomic_load_n(&w->started, __ATOMIC_ACQUIRE) ||
	       thread_state(w->tid) != 'S') {
		/* no event for "asleep in the kernel": look every 5 ms */
		if (hl_now_ms() > end)
			return -1;
		usleep(5000);
	}
	return 0;
}

static int waiter_start(struct waiter *w, int fd, uint64_t fence,
			uint64_t value)
{
	return waiter_start_any(w, fd, fence, value, 0);
}

static int poll1(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) < 0)
		return -errno;
	return p.revents;
}

/* a sync_file's status: 1 signalled, 0 not yet, < 0 its error */
static int sync_status(int sf)
{
	struct sync_file_info info = { 0 };

	if (ioctl(sf, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return info.status;
}

static sigjmp_buf loss_jmp;
static volatile int loss_sig;

static void loss_on_fault(int sig)
{
	loss_sig = sig;
	siglongjmp(loss_jmp, 1);
}

/* read (or write @v to) *@p: 0, or the signal that raised */
static int touch(volatile uint8_t *p, bool write, uint8_t v, uint8_t *out)
{
	struct sigaction sa = { .sa_handler = loss_on_fault }, obus, osegv;
	int ret = 0;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	loss_sig = 0;
	if (!sigsetjmp(loss_jmp, 1)) {
		if (write)
			*p = v;
		else if (out)
			*out = *p;
		else
			(void)*p;
	} else {
		ret = loss_sig;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return ret;
}

FIXTURE(loss) {
	int port;
	pid_t daemon;
	struct dxg_env e;
	uint64_t fence;
};

FIXTURE_SETUP(loss)
{
	self->e.fd = -1;
	self->port = hl_port();
	ASSERT_EQ(0, dxg_load(self->port));
	self->daemon = dxg_daemon_start(self->port, NULL);
	ASSERT_LT(0, self->daemon);
	ASSERT_EQ(0, dxg_env_open(&self->e, 10000));
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0,
				      &self->fence, NULL));
}

FIXTURE_TEARDOWN(loss)
{
	dxg_env_close(&self->e);
	if (self->daemon > 0)
		hl_daemon_stop(self->daemon, SIGKILL);
}

/* SIGKILL the daemon; the time it was reaped (ns) */
static uint64_t kill_daemon(FIXTURE_DATA(loss) *self)
{
	int st = hl_daemon_stop(self->daemon, SIGKILL);

	self->daemon = 0;
	return st == 128 + SIGKILL ? dxg_now_ns() : 0;
}

/* join @w and check it failed with ENODEV within LOSS_PROMPT_MS of @t0 */
#define EXPECT_ENDED_BY_LOSS(w, t0) do {				\
	ASSERT_EQ(0, pthread_join((w)->thread, NULL));			\
	EXPECT_EQ(-ENODEV, (w)->ret);					\
	EXPECT_GT((t0) + LOSS_PROMPT_MS * 1000000ULL, (w)->done_ns)	\
		TH_LOG("the blocked call took %llu ms after the kill",	\
		       (unsigned long long)(((w)->done_ns - (t0)) / 1000000)); \
} while (0)

TEST_F(loss, kill_mid_submit)
{
	struct dxg_fence_value one = { self->fence, 1 }, two = { self->fence, 2 };
	struct dxg_device_get_state st = { 0 };
	struct dxg_query_memory mem;
	struct dxg_query_clock clk;
	struct dxg_cmdbuf nop = { 0 }, delay = { 0 };
	uint64_t a, t0, h;
	struct waiter w, wl;
	int sf1, sf2, sf3, i;

	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, self->e.device, 4096, &a));
	sf1 = dxg_export(self->e.fd, self->fence, 1);
	ASSERT_LE(0, sf1);
	sf2 = dxg_export(self->e.fd, self->fence, 2);
	ASSERT_LE(0, sf2);
	/* value 1 once the queue runs, then 10 s of DELAY before 2 */
	dxg_cmd_nop(&nop);
	for (i = 0; i < 10; i++)
		dxg_cmd_delay(&delay, DXG_WIRE_MAX_DELAY_US);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &nop, NULL, 0,
				NULL, 0, &one, 1, NULL));
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &delay, &a, 1,
				NULL, 0, &two, 1, NULL));
	ASSERT_EQ(0, dxg_fence_wait(self->e.fd, self->fence, 1,
				    dxg_deadline(10000)));
	ASSERT_EQ(0, waiter_start(&w, self->e.fd, self->fence, 2));
	/* a LOCK waits for the DELAY's submission, which names @a */
	ASSERT_EQ(0, waiter_start_any(&wl, self->e.fd, 0, 0, a));
	EXPECT_EQ(0, poll1(self->e.fd, POLLIN, 0) & (POLLHUP | POLLERR));
	EXPECT_EQ(0, sync_status(sf2));

	t0 = kill_daemon(self);
	ASSERT_NE(0, t0);
	EXPECT_ENDED_BY_LOSS(&w, t0);
	EXPECT_ENDED_BY_LOSS(&wl, t0);
	/* level-triggered, and already there */
	EXPECT_EQ(POLLHUP | POLLERR,
		  poll1(self->e.fd, 0, LOSS_PROMPT_MS) & (POLLHUP | POLLERR));
	EXPECT_EQ(POLLIN, poll1(sf2, POLLIN, LOSS_PROMPT_MS));
	EXPECT_EQ(-ENODEV, sync_status(sf2));
	/* a value reached before stays reached */
	EXPECT_EQ(1, sync_status(sf1));
	EXPECT_EQ(0, dxg_fence_wait(self->e.fd, self->fence, 1, 0));
	EXPECT_EQ(-ENODEV, dxg_fence_wait(self->e.fd, self->fence, 2,
					  dxg_deadline(LOSS_DEADLINE_MS)));
	/* an export after the loss signals ENODEV too */
	sf3 = dxg_export(self->e.fd, self->fence, 3);
	ASSERT_LE(0, sf3);
	EXPECT_EQ(POLLIN, poll1(sf3, POLLIN, LOSS_PROMPT_MS));
	EXPECT_EQ(-ENODEV, sync_status(sf3));

	/* everything that needs the host: ENODEV, at once */
	EXPECT_EQ(-ENODEV, dxg_submit(self->e.fd, self->e.context, &nop, NULL,
				      0, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(-ENODEV, dxg_alloc_create(self->e.fd, self->e.device, 4096,
					    &h));
	EXPECT_EQ(-ENODEV, dxg_context_create(self->e.fd, self->e.device, &h));
	EXPECT_EQ(-ENODEV, dxg_fence_create(self->e.fd, self->e.device, 0, &h,
					    NULL));
	EXPECT_EQ(-ENODEV, dxg_device_create(self->e.fd, self->e.adapter, &h));
	EXPECT_EQ(-ENODEV, dxg_fence_signal(self->e.fd, self->fence, 5));
	EXPECT_EQ(-ENODEV, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_READ,
				    &h));
	EXPECT_EQ(-ENODEV, dxg_query(self->e.fd, self->e.adapter,
				     DXG_QUERY_CLOCK, &clk, sizeof(clk)));
	EXPECT_EQ(-ENODEV, dxg_adapter_open(self->e.fd, &self->e.info.luid,
					    self->e.info.instance, &h));
	/* what the guest last knew still answers */
	EXPECT_EQ(0, dxg_query(self->e.fd, self->e.adapter, DXG_QUERY_MEMORY,
			       &mem, sizeof(mem)));
	ASSERT_EQ(0, dxg_device_state(self->e.fd, self->e.device, &st));
	EXPECT_EQ(DXG_DEVICE_LOST, st.out_state);
	EXPECT_EQ(ENODEV, st.out_error);
	/* destroy and close calls work; closing the adapter ends EPOLLHUP */
	EXPECT_EQ(0, dxg_context_destroy(self->e.fd, self->e.context));
	EXPECT_EQ(0, dxg_alloc_destroy(self->e.fd, a));
	EXPECT_EQ(0, dxg_fence_destroy(self->e.fd, self->fence));
	EXPECT_EQ(0, dxg_device_destroy(self->e.fd, self->e.device));
	EXPECT_EQ(0, dxg_adapter_close(self->e.fd, self->e.adapter));
	EXPECT_EQ(0, poll1(self->e.fd, 0, 0) & (POLLHUP | POLLERR));
	close(sf1);
	close(sf2);
	close(sf3);
}

TEST_F(loss, kill_mid_fence_wait)
{
	struct dxg_fence_value w2 = { self->fence, 2 };
	uint64_t f2, t0, ctx2;
	struct waiter w, wq;
	int sf;

	/* a CPU wait on a value no one signals, and a queue behind a wait */
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0, &f2,
				      NULL));
	ASSERT_EQ(0, dxg_context_create(self->e.fd, self->e.device, &ctx2));
	{
		struct dxg_fence_value s = { f2, 1 };

		ASSERT_EQ(0, dxg_submit(self->e.fd, ctx2, NULL, NULL, 0, &w2,
					1, &s, 1, NULL));
	}
	sf = dxg_export(self->e.fd, f2, 1);
	ASSERT_LE(0, sf);
	ASSERT_EQ(0, waiter_start(&w, self->e.fd, self->fence, 2));
	ASSERT_EQ(0, waiter_start(&wq, self->e.fd, f2, 1));

	t0 = kill_daemon(self);
	ASSERT_NE(0, t0);
	EXPECT_ENDED_BY_LOSS(&w, t0);
	EXPECT_ENDED_BY_LOSS(&wq, t0);
	EXPECT_EQ(POLLHUP | POLLERR,
		  poll1(self->e.fd, 0, LOSS_PROMPT_MS) & (POLLHUP | POLLERR));
	EXPECT_EQ(POLLIN, poll1(sf, POLLIN, LOSS_PROMPT_MS));
	EXPECT_EQ(-ENODEV, sync_status(sf));
	EXPECT_EQ(-ENODEV, dxg_fence_wait(self->e.fd, f2, 1,
					  dxg_deadline(LOSS_DEADLINE_MS)));
	close(sf);
}

TEST_F(loss, held_locks_stay_mapped_until_unlock)
{
	uint64_t aw, ar, mw, mr, t0;
	uint8_t *pw, *pr, b = 0;

	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, self->e.device, 8192, &aw));
	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, self->e.device, 8192, &ar));
	ASSERT_EQ(0, dxg_lock(self->e.fd, aw, 0, 8192, DXG_LOCK_WRITE |
			      DXG_LOCK_DISCARD, &mw));
	ASSERT_EQ(0, dxg_lock(self->e.fd, ar, 0, 8192, DXG_LOCK_READ, &mr));
	pw = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, self->e.fd,
		  mw);
	ASSERT_NE(MAP_FAILED, pw);
	pr = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->e.fd, mr);
	ASSERT_NE(MAP_FAILED, pr);
	/* the first page faulted in before, the second only after */
	memset(pw, 0x5a, 4096);
	EXPECT_EQ(0, pr[0]);

	t0 = kill_daemon(self);
	ASSERT_NE(0, t0);
	EXPECT_EQ(POLLHUP | POLLERR,
		  poll1(self->e.fd, 0, LOSS_PROMPT_MS) & (POLLHUP | POLLERR));
	/* the buffers stay, pages mapped before and not yet */
	EXPECT_EQ(0, touch(pw, false, 0, &b));
	EXPECT_EQ(0x5a, b);
	EXPECT_EQ(0, touch(pw + 4096, true, 0xa5, NULL));
	EXPECT_EQ(0, touch(pw + 4096, false, 0, &b));
	EXPECT_EQ(0xa5, b);
	EXPECT_EQ(0, touch(pr + 4096, false, 0, &b));
	EXPECT_EQ(0, b);
	/* a WRITE lock had bytes to write back: ENODEV; READ had none */
	EXPECT_EQ(-ENODEV, dxg_unlock(self->e.fd, aw));
	EXPECT_EQ(0, dxg_unlock(self->e.fd, ar));
	/* either way the lock is over and its mappings with it */
	EXPECT_EQ(SIGBUS, touch(pw, false, 0, NULL));
	EXPECT_EQ(SIGBUS, touch(pr + 4096, false, 0, NULL));
	munmap(pw, 8192);
	munmap(pr, 8192);
	EXPECT_EQ(0, dxg_alloc_destroy(self->e.fd, aw));
	EXPECT_EQ(0, dxg_alloc_destroy(self->e.fd, ar));
}

/* the adapter of instance @not that is ACTIVE, within @ms; 0 or -errno */
static int wait_new_instance(int fd, uint32_t not,
			     struct dxg_adapter_info *out, unsigned int ms)
{
	struct dxg_adapter_info list[DXG_MAX_ADAPTERS];
	uint64_t end = hl_now_ms() + ms;
	int n, i;

	for (;;) {
		uint64_t now;

		n = dxg_enum(fd, list, DXG_MAX_ADAPTERS);
		if (n < 0)
			return n;
		for (i = 0; i < n && i < DXG_MAX_ADAPTERS; i++) {
			if (list[i].state == DXG_ADAPTER_ACTIVE &&
			    list[i].instance != not) {
				*out = list[i];
				return 0;
			}
		}
		now = hl_now_ms();
		if (now >= end)
			return -ETIMEDOUT;
		/* EPOLLIN: the list changed since this ENUM */
		poll1(fd, POLLIN, end - now);
	}
}

TEST_F(loss, restart_brings_a_new_instance)
{
	struct dxg_adapter_info list[DXG_MAX_ADAPTERS], info;
	struct dxg_fence_value s = { 0, 1 };
	struct dxg_cmdbuf cb = { 0 }, nop = { 0 };
	uint64_t adapter, device, ctx, a, f, t0, h;
	uint32_t old = self->e.info.instance, word = 0;
	bool same_luid;
	int n, watch;

	/* a file with no handles sees the list change (EPOLLIN) alone */
	watch = open(DXG_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, watch);
	ASSERT_EQ(1, dxg_enum(watch, list, DXG_MAX_ADAPTERS));
	EXPECT_EQ(0, poll1(watch, POLLIN, 0));
	t0 = kill_daemon(self);
	ASSERT_NE(0, t0);
	EXPECT_EQ(POLLHUP | POLLERR,
		  poll1(self->e.fd, 0, LOSS_PROMPT_MS) & (POLLHUP | POLLERR));
	EXPECT_EQ(POLLIN, poll1(watch, POLLIN, LOSS_PROMPT_MS));
	/* until the host returns, the lost one is listed as LOST */
	n = dxg_enum(watch, list, DXG_MAX_ADAPTERS);
	ASSERT_EQ(1, n);
	EXPECT_EQ(old, list[0].instance);
	EXPECT_EQ(DXG_ADAPTER_LOST, list[0].state);
	EXPECT_EQ(0, poll1(watch, POLLIN, 0));

	self->daemon = dxg_daemon_start(self->port, NULL);
	ASSERT_LT(0, self->daemon);
	/* the list changes: an ACTIVE adapter, a new instance */
	EXPECT_EQ(POLLIN, poll1(watch, POLLIN, 10000));
	ASSERT_EQ(0, wait_new_instance(watch, old, &info, 10000));
	EXPECT_NE(old, info.instance);
	EXPECT_NE(0, info.instance);
	EXPECT_EQ(1, dxg_enum(self->e.fd, list, DXG_MAX_ADAPTERS));
	close(watch);
	/* a daemon's LUIDs are its own; the old instance never works again */
	same_luid = !memcmp(&info.luid, &self->e.info.luid, sizeof(info.luid));
	EXPECT_EQ(same_luid ? -ENODEV : -ENOENT,
		  dxg_adapter_open(self->e.fd, &self->e.info.luid, old, &h));
	EXPECT_EQ(-ENODEV, dxg_device_create(self->e.fd, self->e.adapter, &h));
	dxg_cmd_nop(&nop);
	EXPECT_EQ(-ENODEV, dxg_submit(self->e.fd, self->e.context, &nop, NULL,
				      0, NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(POLLHUP | POLLERR,
		  poll1(self->e.fd, 0, 0) & (POLLHUP | POLLERR));
	EXPECT_EQ(0, dxg_adapter_close(self->e.fd, self->e.adapter));
	EXPECT_EQ(0, poll1(self->e.fd, 0, 0) & (POLLHUP | POLLERR));

	/* the new one works, on the same file */
	ASSERT_EQ(0, dxg_adapter_open(self->e.fd, &info.luid, 0, &adapter));
	ASSERT_EQ(0, dxg_device_create(self->e.fd, adapter, &device));
	ASSERT_EQ(0, dxg_context_create(self->e.fd, device, &ctx));
	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, device, 4096, &a));
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, device, 0, &f, NULL));
	s.fence = f;
	dxg_cmd_fill(&cb, 0, 0xc0ffee11, 0, 4096);
	ASSERT_EQ(0, dxg_submit(self->e.fd, ctx, &cb, &a, 1, NULL, 0, &s, 1,
				NULL));
	ASSERT_EQ(0, dxg_fence_wait(self->e.fd, f, 1, dxg_deadline(10000)));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 4092, &word, 4));
	EXPECT_EQ(0xc0ffee11, word);
}

/* delete_module("dxg") answers for a module in use */
static bool module_busy(int err)
{
	return err == -EWOULDBLOCK || err == -EBUSY;
}

TEST_F(loss, rmmod_waits_for_the_last_sync_file)
{
	int sf, ret;

	sf = dxg_export(self->e.fd, self->fence, 1);
	ASSERT_LE(0, sf);
	dxg_env_close(&self->e);
	/*
	 * The file's release worker holds the module briefly: retrying
	 * 2 s outlasts it, the sync_file keeps it for good.
	 */
	ret = dxg_unload(2000);
	EXPECT_TRUE(module_busy(ret)) TH_LOG("delete_module: %d", ret);
	/* closing the file destroyed the fence: ECANCELED, still held */
	EXPECT_EQ(POLLIN, poll1(sf, POLLIN, LOSS_PROMPT_MS));
	EXPECT_EQ(-ECANCELED, sync_status(sf));
	ret = dxg_unload(200);
	EXPECT_TRUE(module_busy(ret)) TH_LOG("delete_module: %d", ret);
	close(sf);
	/* the fence is freed after an RCU grace period: retry */
	EXPECT_EQ(0, dxg_unload(5000));
	EXPECT_EQ(-1, dxg_module_port());
	/* for the next case */
	ASSERT_EQ(0, dxg_load(self->port));
}

TEST_HARNESS_MAIN
