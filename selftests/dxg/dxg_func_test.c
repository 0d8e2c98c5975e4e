// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dxg end to end against the real GPU service of hostlinkd (its
 * software adapter), run in this guest on vsock_loopback: capabilities,
 * adapters and queries, objects, locks and their mappings, command
 * buffers whose results are checked here (CRC-32C computed on both
 * sides), ordering within and across contexts, fences (deadlines,
 * signals, ANY/ALL, the fence page, sync_file and a merge with vgem's
 * fence), processes (fork, other files, kill -9) and the node's group.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/vm_sockets.h>
#include <linux/sync_file.h>

#include "hostlink_selftest.h"
#include "dxg_lib.h"

FIXTURE(gpu) {
	struct dxg_env e;
	uint64_t fence;
	uint32_t slot;
	uint64_t value;		/* the fence's last value asked for */
};

FIXTURE_SETUP(gpu)
{
	ASSERT_EQ(0, dxg_load(0));
	ASSERT_EQ(0, dxg_env_open(&self->e, 10000));
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0,
				      &self->fence, &self->slot));
}

FIXTURE_TEARDOWN(gpu)
{
	dxg_env_close(&self->e);
}

/* Submit @cb on the fixture's context and wait for it. */
static int run(FIXTURE_DATA(gpu) *self, const struct dxg_cmdbuf *cb,
	       const uint64_t *allocs, uint32_t n)
{
	return dxg_run(&self->e, cb, allocs, n, self->fence, ++self->value);
}

static uint64_t alloc(FIXTURE_DATA(gpu) *self, uint64_t len)
{
	uint64_t h = 0;

	if (dxg_alloc_create(self->e.fd, self->e.device, len, &h))
		return 0;
	return h;
}

TEST_F(gpu, caps)
{
	struct dxg_caps_get *c = &self->e.caps;
	long page = sysconf(_SC_PAGESIZE);

	EXPECT_EQ(DXG_UAPI_VERSION, c->out_uapi_version);
	EXPECT_LE(1, c->out_host_version);
	EXPECT_EQ(DXG_FEAT_SYNC_FILE | DXG_FEAT_FENCE_PAGE,
		  c->out_features & (DXG_FEAT_SYNC_FILE | DXG_FEAT_FENCE_PAGE));
	EXPECT_EQ(0, c->out_features & ~(DXG_FEAT_SYNC_FILE |
		  DXG_FEAT_FENCE_PAGE | DXG_FEAT_HOST_BULK));
	EXPECT_GE(DXG_MAX_ADAPTERS, c->out_max_adapters);
	EXPECT_LE(1, c->out_max_adapters);
	EXPECT_LE(8, c->out_max_handles);
	EXPECT_LE(1, c->out_max_fences);
	EXPECT_EQ(0, c->out_fence_map_size % page);
	EXPECT_LE(8ULL * c->out_max_fences, c->out_fence_map_size);
	EXPECT_GE(DXG_MAX_CMD_SIZE, c->out_max_cmd_size);
	EXPECT_LE(8, c->out_max_cmd_size);
	EXPECT_GE(DXG_MAX_SUBMIT_ALLOCS, c->out_max_submit_allocs);
	EXPECT_GE(DXG_MAX_SUBMIT_WAITS, c->out_max_submit_waits);
	EXPECT_GE(DXG_MAX_SUBMIT_SIGNALS, c->out_max_submit_signals);
	EXPECT_GE(DXG_MAX_WAIT_FENCES, c->out_max_wait_fences);
	EXPECT_GE(DXG_MAX_SIGNAL_FENCES, c->out_max_signal_fences);
	EXPECT_GE(DXG_MAX_ALLOC_SIZE, c->out_max_alloc_size);
	EXPECT_LE(1 << 20, c->out_max_lock_size);
}

TEST_F(gpu, adapter_enum_lists_the_software_adapter)
{
	struct {
		struct dxg_adapter_info info;
		uint8_t tail[16];
	} big[DXG_MAX_ADAPTERS];
	struct dxg_adapter_enum en = { .size = sizeof(en) };
	struct dxg_adapter_info *a = &self->e.info;
	int fd = self->e.fd;
	unsigned int i;

	ASSERT_EQ(0, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	ASSERT_LE(1, en.out_total);
	EXPECT_EQ(0, en.count);
	EXPECT_STREQ("soft0", a->name);
	EXPECT_EQ(DXG_ADAPTER_ACTIVE, a->state);
	EXPECT_NE(0, a->instance);
	EXPECT_TRUE(a->flags & DXG_ADAPTER_F_SOFTWARE);
	EXPECT_EQ(256ULL << 20, a->dedicated_memory);
	for (i = strlen(a->name); i < DXG_NAME_LEN; i++)
		ASSERT_EQ(0, a->name[i]);
	/* a larger entry: the kernel's structure, then zeros */
	memset(big, 0xa5, sizeof(big));
	en.adapters_uptr = (uintptr_t)big;
	en.count = DXG_MAX_ADAPTERS;
	en.entry_size = sizeof(big[0]);
	ASSERT_EQ(0, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
	ASSERT_EQ(en.out_total, en.count);
	EXPECT_EQ(0, memcmp(&big[0].info, a, sizeof(*a)));
	for (i = 0; i < sizeof(big[0].tail); i++)
		ASSERT_EQ(0, big[0].tail[i]);
	/* an array too short is no error */
	en.count = 0;
	en.adapters_uptr = 0;
	ASSERT_EQ(0, dxg_ioc(fd, DXG_ADAPTER_ENUM, &en));
}

TEST_F(gpu, adapter_handles_are_independent)
{
	struct dxg_luid luid = self->e.info.luid;
	uint64_t a1, a2, dev;
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_adapter_open(fd, &luid, 0, &a1));
	ASSERT_EQ(0, dxg_adapter_open(fd, &luid, self->e.info.instance, &a2));
	EXPECT_NE(0, a1);
	EXPECT_NE(a1, a2);
	EXPECT_NE(self->e.adapter, a1);
	ASSERT_EQ(0, dxg_device_create(fd, a1, &dev));
	/* closing a handle destroys what was made through it, only that */
	ASSERT_EQ(0, dxg_adapter_close(fd, a1));
	EXPECT_EQ(-ENOENT, dxg_adapter_close(fd, a1));
	EXPECT_EQ(-ENOENT, dxg_device_destroy(fd, dev));
	EXPECT_EQ(0, dxg_device_create(fd, a2, &dev));
	EXPECT_EQ(0, dxg_context_create(fd, self->e.device, &dev));
}

TEST_F(gpu, query_memory_follows_allocations)
{
	struct dxg_query_memory m0, m1, m2;
	int fd = self->e.fd;
	uint64_t a;

	ASSERT_EQ(0, dxg_query(fd, self->e.adapter, DXG_QUERY_MEMORY, &m0,
			       sizeof(m0)));
	EXPECT_LT(0, m0.budget);
	EXPECT_EQ(0, m0.file_usage);
	EXPECT_EQ(0, m0.__reserved);
	a = alloc(self, 1 << 20);
	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_query(fd, self->e.adapter, DXG_QUERY_MEMORY, &m1,
			       sizeof(m1)));
	EXPECT_LE(1 << 20, m1.file_usage);
	EXPECT_LE(m0.usage + (1 << 20), m1.usage);
	EXPECT_LE(m1.file_usage, m1.usage);
	ASSERT_EQ(0, dxg_alloc_destroy(fd, a));
	ASSERT_EQ(0, dxg_query(fd, self->e.adapter, DXG_QUERY_MEMORY, &m2,
			       sizeof(m2)));
	EXPECT_EQ(0, m2.file_usage);
	/* over the budget: ENOMEM, nothing made */
	EXPECT_EQ(-ENOMEM, dxg_alloc_create(fd, self->e.device,
					    m0.budget + 4096, &a));
}

TEST_F(gpu, query_clock_brackets_the_guest_clock)
{
	struct dxg_query_clock c1, c2;
	uint64_t t0, t1;

	t0 = dxg_now_ns();
	ASSERT_EQ(0, dxg_query(self->e.fd, self->e.adapter, DXG_QUERY_CLOCK,
			       &c1, sizeof(c1)));
	t1 = dxg_now_ns();
	EXPECT_NE(0, c1.frequency);
	EXPECT_LE(t0, c1.monotonic_ns);
	EXPECT_GE(t1, c1.monotonic_ns);
	EXPECT_GE((t1 - t0) / 2 + 1000, c1.uncertainty_ns);
	ASSERT_EQ(0, dxg_query(self->e.fd, self->e.adapter, DXG_QUERY_CLOCK,
			       &c2, sizeof(c2)));
	EXPECT_LE(c1.gpu_ticks, c2.gpu_ticks);
	EXPECT_LT(c1.monotonic_ns, c2.monotonic_ns);
}

TEST_F(gpu, query_stats_count_this_files_work)
{
	struct {
		struct dxg_query_stats s;
		uint64_t tail[2];
	} st;
	struct dxg_adapter_query q = {
		.size = sizeof(q), .adapter = self->e.adapter,
		.type = DXG_QUERY_STATS, .data_size = sizeof(st),
		.data_uptr = (uintptr_t)&st,
	};
	struct dxg_cmdbuf cb = { 0 };
	uint64_t a = alloc(self, 4096), before;
	uint8_t buf[4096];

	ASSERT_NE(0, a);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, dxg_ioc(self->e.fd, DXG_ADAPTER_QUERY, &q));
	EXPECT_EQ(sizeof(st.s), q.out_data_size);
	EXPECT_EQ(0, st.tail[0]);
	EXPECT_EQ(0, st.tail[1]);
	/* device, context, fence and the allocation */
	EXPECT_EQ(4, st.s.file_objects);
	EXPECT_EQ(4096, st.s.file_alloc_bytes);
	EXPECT_EQ(0, st.s.file_submits);
	before = st.s.adapter_submits;
	dxg_cmd_fill(&cb, 0, 7, 0, 4096);
	ASSERT_EQ(0, run(self, &cb, &a, 1));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, sizeof(buf)));
	ASSERT_EQ(0, dxg_write(self->e.fd, a, 0, buf, 100, false));
	ASSERT_EQ(0, dxg_ioc(self->e.fd, DXG_ADAPTER_QUERY, &q));
	EXPECT_EQ(1, st.s.file_submits);
	EXPECT_LE(before + 1, st.s.adapter_submits);
	EXPECT_LE(1, st.s.adapter_retired);
	EXPECT_LE(1, st.s.adapter_commands);
	/* a WRITE lock without DISCARD fetches its 100 bytes too */
	EXPECT_EQ(4096 + 100, st.s.file_bytes_read);
	EXPECT_LE(100, st.s.file_bytes_written);
	EXPECT_LE(4096, st.s.adapter_bytes_read);
}

TEST_F(gpu, device_state_and_destroy_takes_children)
{
	struct dxg_device_get_state st;
	uint64_t dev, ctx, a, f;
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_device_state(fd, self->e.device, &st));
	EXPECT_EQ(DXG_DEVICE_ACTIVE, st.out_state);
	EXPECT_EQ(0, st.out_error);
	EXPECT_EQ(0, st.out_context);
	EXPECT_EQ(0, st.out_submit);
	EXPECT_EQ(DXG_NO_CMD, st.out_cmd_offset);
	EXPECT_EQ(0, st.out_opcode);
	ASSERT_EQ(0, dxg_device_create(fd, self->e.adapter, &dev));
	ASSERT_EQ(0, dxg_context_create(fd, dev, &ctx));
	ASSERT_EQ(0, dxg_alloc_create(fd, dev, 64, &a));
	ASSERT_EQ(0, dxg_fence_create(fd, dev, 0, &f, NULL));
	ASSERT_EQ(0, dxg_device_destroy(fd, dev));
	EXPECT_EQ(-ENOENT, dxg_context_destroy(fd, ctx));
	EXPECT_EQ(-ENOENT, dxg_alloc_destroy(fd, a));
	EXPECT_EQ(-ENOENT, dxg_fence_destroy(fd, f));
	EXPECT_EQ(-ENOENT, dxg_device_state(fd, dev, &st));
}

TEST_F(gpu, new_memory_reads_zero)
{
	static uint8_t buf[65536], zero[65536];
	uint64_t a = alloc(self, sizeof(buf));

	ASSERT_NE(0, a);
	memset(buf, 1, sizeof(buf));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
}

TEST_F(gpu, crc32c_check_value)
{
	uint64_t a[2] = { alloc(self, 16), alloc(self, 8) };
	struct dxg_cmdbuf cb = { 0 };
	uint32_t crc = 0;

	ASSERT_EQ(DXG_WIRE_CRC32C_CHECK, dxg_crc32c("123456789", 9));
	ASSERT_EQ(0, dxg_write(self->e.fd, a[0], 0, "123456789", 9, true));
	dxg_cmd_crc32c(&cb, 1, 4, 0, 0, 9);
	ASSERT_EQ(0, run(self, &cb, a, 2));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[1], 4, &crc, 4));
	EXPECT_EQ(DXG_WIRE_CRC32C_CHECK, le32toh(crc));
}

/* Bytes written through a mapping reach the host: its CRC is ours. */
static void check_mapped_write_crc(struct __test_metadata *_metadata,
				   FIXTURE_DATA(gpu) *self, size_t len,
				   size_t off)
{
	uint64_t a[2] = { alloc(self, off + len), alloc(self, 8) }, moff;
	struct dxg_cmdbuf cb = { 0 };
	uint8_t *map, *mine = malloc(len);
	uint32_t crc = 0;

	ASSERT_NE(NULL, mine);
	ASSERT_NE(0, a[0]);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a[0], off, len,
			      DXG_LOCK_WRITE | DXG_LOCK_DISCARD, &moff));
	EXPECT_EQ(0, moff % sysconf(_SC_PAGESIZE));
	EXPECT_LE(self->e.caps.out_fence_map_size, moff);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->e.fd,
		   moff);
	ASSERT_NE(MAP_FAILED, map);
	dxg_pattern(mine, len, len);
	memcpy(map, mine, len);
	ASSERT_EQ(0, munmap(map, len));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a[0]));
	dxg_cmd_crc32c(&cb, 1, 0, 0, off, len);
	ASSERT_EQ(0, run(self, &cb, a, 2));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[1], 0, &crc, 4));
	EXPECT_EQ(dxg_crc32c(mine, len), le32toh(crc));
	free(mine);
}

TEST_F(gpu, mapped_write_proven_by_host_crc)
{
	check_mapped_write_crc(_metadata, self, 4096, 0);
	check_mapped_write_crc(_metadata, self, 100, 12);
	check_mapped_write_crc(_metadata, self, 3 << 20, 4096);
}

TEST_F(gpu, host_fill_read_back_through_read_lock)
{
	static uint32_t buf[(1 << 20) / 4];
	uint64_t a = alloc(self, sizeof(buf) + 8);
	struct dxg_cmdbuf cb = { 0 };
	size_t i;

	ASSERT_NE(0, a);
	dxg_cmd_fill(&cb, 0, 0xdeadbeef, 8, sizeof(buf));
	ASSERT_EQ(0, run(self, &cb, &a, 1));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 8, buf, sizeof(buf)));
	for (i = 0; i < sizeof(buf) / 4; i++)
		ASSERT_EQ(0xdeadbeef, le32toh(buf[i]));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, 8));
	EXPECT_EQ(0, buf[0] | buf[1]);
}

TEST_F(gpu, write_lock_keeps_what_is_not_written)
{
	uint32_t buf[64];
	uint64_t a = alloc(self, sizeof(buf)), moff;
	struct dxg_cmdbuf cb = { 0 };
	uint32_t *map;
	int i;

	ASSERT_NE(0, a);
	dxg_cmd_fill(&cb, 0, 0x11223344, 0, sizeof(buf));
	ASSERT_EQ(0, run(self, &cb, &a, 1));
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, sizeof(buf), DXG_LOCK_WRITE,
			      &moff));
	map = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	/* WRITE alone: the buffer holds the host's bytes */
	EXPECT_EQ(0x11223344, le32toh(map[5]));
	map[3] = htole32(7);
	munmap(map, sizeof(buf));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, sizeof(buf)));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(i == 3 ? 7 : 0x11223344, le32toh(buf[i]));
}

TEST_F(gpu, discard_lock_starts_zeroed)
{
	uint32_t buf[64];
	uint64_t a = alloc(self, sizeof(buf)), moff;
	struct dxg_cmdbuf cb = { 0 };
	uint32_t *map;
	int i;

	ASSERT_NE(0, a);
	dxg_cmd_fill(&cb, 0, 0x55555555, 0, sizeof(buf));
	ASSERT_EQ(0, run(self, &cb, &a, 1));
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, sizeof(buf),
			      DXG_LOCK_WRITE | DXG_LOCK_DISCARD, &moff));
	map = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, map[i]);
	map[0] = htole32(1);
	munmap(map, sizeof(buf));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, sizeof(buf)));
	EXPECT_EQ(1, le32toh(buf[0]));
}

static sigjmp_buf dxg_jmp;
static volatile sig_atomic_t dxg_sig;

static void dxg_on_fault(int sig)
{
	dxg_sig = sig;
	siglongjmp(dxg_jmp, 1);
}

/* Touch @p: 0, or the signal it raised (SIGBUS, SIGSEGV). */
static int touch(volatile uint8_t *p, bool write)
{
	struct sigaction sa = { .sa_handler = dxg_on_fault }, obus, osegv;
	int ret = 0;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	dxg_sig = 0;
	if (!sigsetjmp(dxg_jmp, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
	} else {
		ret = dxg_sig;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return ret;
}

TEST_F(gpu, access_after_unlock_is_sigbus)
{
	uint64_t a = alloc(self, 8192), moff;
	uint8_t *map;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, 8192, DXG_LOCK_READ |
			      DXG_LOCK_WRITE, &moff));
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, self->e.fd,
		   moff);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, touch(map + 4096, true));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
	EXPECT_EQ(SIGBUS, touch(map, false));
	EXPECT_EQ(SIGBUS, touch(map + 4096, true));
	munmap(map, 8192);
	/* an offset that is no current lock's */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->e.fd, moff));
	EXPECT_EQ(EINVAL, errno);
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * A fault maps a run of pages (64) from the faulting one on, within the
 * lock and the mapping: 1 MiB written page by page takes a handful of
 * faults, not 256, and a mapping whose front was unmapped still shows
 * each page where it belongs.
 */
TEST_F(gpu, lock_faults_map_runs_of_pages)
{
	const size_t pg = sysconf(_SC_PAGESIZE), len = 1 << 20;
	uint64_t a = alloc(self, len), moff;
	uint8_t *map;
	long before, faults;
	size_t i;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, len,
			      DXG_LOCK_WRITE | DXG_LOCK_DISCARD, &moff));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	before = minor_faults();
	for (i = 0; i < len / pg; i++)
		map[i * pg] = (uint8_t)(i + 1);
	faults = minor_faults() - before;
	TH_LOG("1 MiB written page by page: %ld faults", faults);
	EXPECT_LE(1, faults);
	EXPECT_GE(len / pg / 64 + 2, faults);
	ASSERT_EQ(0, munmap(map, len));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));

	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, len, DXG_LOCK_READ, &moff));
	map = mmap(NULL, 8 * pg, PROT_READ, MAP_SHARED, self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map, 3 * pg));
	for (i = 3; i < 8; i++)
		EXPECT_EQ((uint8_t)(i + 1), map[i * pg]);
	EXPECT_EQ(0, map[7 * pg + 1]);
	ASSERT_EQ(0, munmap(map + 3 * pg, 5 * pg));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
}

TEST_F(gpu, destroy_unmaps_a_lock_too)
{
	uint64_t a = alloc(self, 4096), moff;
	uint8_t *map;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_READ, &moff));
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, touch(map, false));
	ASSERT_EQ(0, dxg_alloc_destroy(self->e.fd, a));
	EXPECT_EQ(SIGBUS, touch(map, false));
	munmap(map, 4096);
}

TEST_F(gpu, read_lock_refuses_write_mappings)
{
	uint64_t a = alloc(self, 4096), moff;
	void *map;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_READ, &moff));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->e.fd, moff));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE,
				   self->e.fd, moff));
	EXPECT_EQ(EINVAL, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->e.fd, moff);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-1, mprotect(map, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, touch(map, true));
	munmap(map, 4096);
	EXPECT_EQ(0, dxg_unlock(self->e.fd, a));
}

TEST_F(gpu, lock_mapping_not_inherited_by_fork)
{
	uint64_t a = alloc(self, 4096), moff;
	uint8_t *map, *again;
	int status;
	pid_t pid;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_WRITE |
			      DXG_LOCK_DISCARD, &moff));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->e.fd,
		   moff);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 42;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* VM_DONTCOPY: nothing there; the lock is the file's */
		if (touch(map, false) != SIGSEGV)
			_exit(1);
		again = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			     self->e.fd, moff);
		if (again == MAP_FAILED || again[0] != 42)
			_exit(2);
		again[1] = 43;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(43, map[1]);
	munmap(map, 4096);
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
}

TEST_F(gpu, lock_waits_for_work_and_submit_refuses_locked)
{
	uint64_t a = alloc(self, 4096), f = self->fence;
	struct dxg_fence_value sig = { f, 1 };
	struct dxg_cmdbuf cb = { 0 };
	uint64_t t0;
	uint32_t v = 0;

	ASSERT_NE(0, a);
	dxg_cmd_delay(&cb, 300000);
	dxg_cmd_fill(&cb, 0, 9, 0, 4096);
	t0 = dxg_now_ns();
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, &a, 1, NULL,
				0, &sig, 1, NULL));
	EXPECT_EQ(-EBUSY, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_READ |
				   DXG_LOCK_NOWAIT, NULL));
	/* waits for the submission: sees its FILL */
	ASSERT_EQ(0, dxg_lock(self->e.fd, a, 0, 4096, DXG_LOCK_READ, NULL));
	EXPECT_LE(250000000, dxg_now_ns() - t0);
	EXPECT_EQ(0, dxg_fence_wait(self->e.fd, f, 1, 0));
	cb.len = 0;
	dxg_cmd_nop(&cb);
	EXPECT_EQ(-EBUSY, dxg_submit(self->e.fd, self->e.context, &cb, &a, 1,
				     NULL, 0, NULL, 0, NULL));
	EXPECT_EQ(-EBUSY, dxg_lock(self->e.fd, a, 0, 4, DXG_LOCK_READ, NULL));
	ASSERT_EQ(0, dxg_unlock(self->e.fd, a));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, &v, 4));
	EXPECT_EQ(9, le32toh(v));
}

TEST_F(gpu, ordered_chain_on_one_context)
{
	enum { N = 1024 };
	static uint32_t x[N], want[N];
	uint64_t a[3] = { alloc(self, 4 * N), alloc(self, 4 * N), alloc(self, 8) };
	struct dxg_fence_value sig = { self->fence, 1 };
	struct dxg_cmdbuf cb = { 0 };
	uint32_t crc = 0;
	int i;

	for (i = 0; i < N; i++) {
		x[i] = htole32(i * 3);
		want[i] = htole32(i * 3 + 5);
	}
	ASSERT_EQ(0, dxg_write(self->e.fd, a[0], 0, x, sizeof(x), true));
	/* three submissions, no fences between: the queue orders them */
	dxg_cmd_delay(&cb, 50000);
	dxg_cmd_fill(&cb, 1, 5, 0, 4 * N);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, a, 3, NULL,
				0, NULL, 0, NULL));
	cb.len = 0;
	dxg_cmd_arith(&cb, DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_U32, 1, 0, 0, 0, 1,
		      0, N);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, a, 3, NULL,
				0, NULL, 0, NULL));
	cb.len = 0;
	dxg_cmd_crc32c(&cb, 2, 0, 1, 0, 4 * N);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, a, 3, NULL,
				0, &sig, 1, NULL));
	ASSERT_EQ(0, dxg_fence_wait(self->e.fd, self->fence, 1,
				    dxg_deadline(5000)));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[2], 0, &crc, 4));
	EXPECT_EQ(dxg_crc32c(want, sizeof(want)), le32toh(crc));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[1], 0, x, sizeof(x)));
	EXPECT_EQ(0, memcmp(x, want, sizeof(x)));
}

TEST_F(gpu, mul_and_f32_add)
{
	float fa[4] = { 1.5f, -2.0f, 1e30f, 0.1f }, fb[4] = { 2.25f, 0.5f, 1e30f, 0.2f };
	float fr[4];
	uint32_t ua[2] = { htole32(0x10000), htole32(7) }, ur[2];
	uint64_t a[3] = { alloc(self, 16), alloc(self, 16), alloc(self, 16) };
	struct dxg_cmdbuf cb = { 0 };
	int i;

	ASSERT_EQ(0, dxg_write(self->e.fd, a[0], 0, fa, 16, true));
	ASSERT_EQ(0, dxg_write(self->e.fd, a[1], 0, fb, 16, true));
	dxg_cmd_arith(&cb, DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_F32, 2, 0, 0, 0, 1,
		      0, 4);
	ASSERT_EQ(0, run(self, &cb, a, 3));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[2], 0, fr, 16));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(fa[i] + fb[i], fr[i]);
	ASSERT_EQ(0, dxg_write(self->e.fd, a[0], 0, ua, 8, true));
	cb.len = 0;
	/* in place, modulo 2^32 */
	dxg_cmd_arith(&cb, DXG_WIRE_CMD_MUL, DXG_WIRE_TYPE_U32, 0, 0, 0, 0, 0,
		      0, 2);
	ASSERT_EQ(0, run(self, &cb, a, 3));
	ASSERT_EQ(0, dxg_read(self->e.fd, a[0], 0, ur, 8));
	EXPECT_EQ(0, le32toh(ur[0]));
	EXPECT_EQ(49, le32toh(ur[1]));
}

TEST_F(gpu, two_contexts_run_side_by_side)
{
	uint64_t ctx2, f2, t0, dt;
	struct dxg_fence_value sig[2], all[2];
	struct dxg_cmdbuf cb = { 0 };
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_context_create(fd, self->e.device, &ctx2));
	ASSERT_EQ(0, dxg_fence_create(fd, self->e.device, 0, &f2, NULL));
	sig[0] = (struct dxg_fence_value){ self->fence, 1 };
	sig[1] = (struct dxg_fence_value){ f2, 1 };
	dxg_cmd_delay(&cb, 300000);
	t0 = dxg_now_ns();
	ASSERT_EQ(0, dxg_submit(fd, self->e.context, &cb, NULL, 0, NULL, 0,
				&sig[0], 1, NULL));
	ASSERT_EQ(0, dxg_submit(fd, ctx2, &cb, NULL, 0, NULL, 0, &sig[1], 1,
				NULL));
	memcpy(all, sig, sizeof(all));
	ASSERT_EQ(0, dxg_fence_wait_n(fd, all, 2, DXG_WAIT_ALL,
				      dxg_deadline(5000), NULL));
	dt = (dxg_now_ns() - t0) / 1000000;
	TH_LOG("two 300 ms DELAYs on two contexts: %llu ms",
	       (unsigned long long)dt);
	EXPECT_LE(300, dt);
	EXPECT_GT(500, dt);
}

TEST_F(gpu, cross_context_wait_on_another_contexts_fence)
{
	uint64_t ctx2, f2, a[2] = { alloc(self, 64), alloc(self, 64) };
	struct dxg_fence_value w = { self->fence, 1 }, s2 = { 0, 1 },
			       s1 = { self->fence, 1 };
	struct dxg_cmdbuf cb = { 0 };
	uint32_t v = 0;
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_context_create(fd, self->e.device, &ctx2));
	ASSERT_EQ(0, dxg_fence_create(fd, self->e.device, 0, &f2, NULL));
	s2.fence = f2;
	/* context 2 copies what context 1 writes, once it says so */
	dxg_cmd_copy(&cb, 1, 0, 0, 0, 64);
	ASSERT_EQ(0, dxg_submit(fd, ctx2, &cb, a, 2, &w, 1, &s2, 1, NULL));
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, f2, 1, dxg_deadline(100)));
	cb.len = 0;
	dxg_cmd_delay(&cb, 100000);
	dxg_cmd_fill(&cb, 0, 0x600d, 0, 64);
	ASSERT_EQ(0, dxg_submit(fd, self->e.context, &cb, a, 2, NULL, 0, &s1,
				1, NULL));
	ASSERT_EQ(0, dxg_fence_wait(fd, f2, 1, dxg_deadline(5000)));
	ASSERT_EQ(0, dxg_read(fd, a[1], 60, &v, 4));
	EXPECT_EQ(0x600d, le32toh(v));
}

TEST_F(gpu, cpu_signal_releases_a_waiting_submission)
{
	uint64_t f2;
	struct dxg_fence_value w = { self->fence, 3 }, s = { 0, 1 };
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_fence_create(fd, self->e.device, 0, &f2, NULL));
	s.fence = f2;
	ASSERT_EQ(0, dxg_submit(fd, self->e.context, NULL, NULL, 0, &w, 1, &s,
				1, NULL));
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, f2, 1, dxg_deadline(100)));
	ASSERT_EQ(0, dxg_fence_signal(fd, self->fence, 2));
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, f2, 1, dxg_deadline(100)));
	ASSERT_EQ(0, dxg_fence_signal(fd, self->fence, 3));
	EXPECT_EQ(0, dxg_fence_wait(fd, f2, 1, dxg_deadline(5000)));
}

TEST_F(gpu, fence_wait_deadlines)
{
	int fd = self->e.fd;
	uint64_t t0, dt;

	/* 0 and a past deadline only look */
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, self->fence, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, self->fence, 1,
					     dxg_now_ns() - 1000000000ULL));
	EXPECT_EQ(0, dxg_fence_wait(fd, self->fence, 0, 0));
	t0 = dxg_now_ns();
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(fd, self->fence, 1,
					     t0 + 200000000ULL));
	dt = dxg_now_ns() - t0;
	EXPECT_LE(200000000ULL, dt);
	EXPECT_GT(2000000000ULL, dt);
}

static void dxg_on_alarm(int sig)
{
}

static void arm(int ms, bool restart)
{
	struct sigaction sa = { .sa_handler = dxg_on_alarm,
				.sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { .it_value = { ms / 1000, ms % 1000 * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(gpu, fence_wait_interrupted_eintr)
{
	uint64_t t0 = dxg_now_ns(), dt;

	arm(100, false);
	EXPECT_EQ(-EINTR, dxg_fence_wait(self->e.fd, self->fence, 1,
					 DXG_WAIT_FOREVER));
	dt = dxg_now_ns() - t0;
	EXPECT_LE(90000000ULL, dt);
	EXPECT_GT(3000000000ULL, dt);
	/* SA_RESTART: restarted with the same absolute deadline */
	t0 = dxg_now_ns();
	arm(100, true);
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(self->e.fd, self->fence, 1,
					     t0 + 300000000ULL));
	dt = dxg_now_ns() - t0;
	EXPECT_LE(300000000ULL, dt);
	EXPECT_GT(3000000000ULL, dt);
}

TEST_F(gpu, fence_wait_any_and_all)
{
	uint64_t f2;
	struct dxg_fence_value fv[2];
	uint32_t index = 99;
	int fd = self->e.fd;

	ASSERT_EQ(0, dxg_fence_create(fd, self->e.device, 0, &f2, NULL));
	fv[0] = (struct dxg_fence_value){ self->fence, 1 };
	fv[1] = (struct dxg_fence_value){ f2, 1 };
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait_n(fd, fv, 2, 0, 0, NULL));
	ASSERT_EQ(0, dxg_fence_signal(fd, f2, 1));
	EXPECT_EQ(0, dxg_fence_wait_n(fd, fv, 2, 0, 0, &index));
	EXPECT_EQ(1, index);
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait_n(fd, fv, 2, DXG_WAIT_ALL,
					       dxg_deadline(50), NULL));
	ASSERT_EQ(0, dxg_fence_signal(fd, self->fence, 5));
	EXPECT_EQ(0, dxg_fence_wait_n(fd, fv, 2, DXG_WAIT_ALL, 0, &index));
	EXPECT_EQ(2, index);
	EXPECT_EQ(0, dxg_fence_wait_n(fd, fv, 2, 0, 0, &index));
	EXPECT_EQ(0, index);
}

struct waiter {
	int fd;
	uint64_t fence, value;
	int ret;
	uint64_t ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	uint64_t t0 = dxg_now_ns();

	w->ret = dxg_fence_wait(w->fd, w->fence, w->value, dxg_deadline(10000));
	w->ns = dxg_now_ns() - t0;
	return NULL;
}

TEST_F(gpu, fence_wait_woken_by_gpu_signal)
{
	struct waiter w = { .fd = self->e.fd, .fence = self->fence, .value = 1 };
	struct dxg_fence_value s = { self->fence, 1 };
	struct dxg_cmdbuf cb = { 0 };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	dxg_cmd_delay(&cb, 200000);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, NULL, 0,
				NULL, 0, &s, 1, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_GT(5000000000ULL, w.ns);
}

TEST_F(gpu, fence_destroyed_while_waited_on)
{
	struct waiter w = { .fd = self->e.fd, .fence = self->fence, .value = 1 };
	struct sync_file_info info = { 0 };
	pthread_t t;
	int sf;

	sf = dxg_export(self->e.fd, self->fence, 1);
	ASSERT_LE(0, sf);
	ASSERT_EQ(0, pthread_create(&t, NULL, wait_thread, &w));
	usleep(100000);	/* the waiter is asleep in the ioctl by now */
	ASSERT_EQ(0, dxg_fence_destroy(self->e.fd, self->fence));
	pthread_join(t, NULL);
	EXPECT_EQ(-ENOENT, w.ret);
	EXPECT_GT(5000000000ULL, w.ns);
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-ECANCELED, info.status);
	close(sf);
}

TEST_F(gpu, fence_page_shows_values_read_only)
{
	uint32_t size = self->e.caps.out_fence_map_size;
	volatile uint64_t *page;
	uint64_t f2;
	uint32_t slot2;
	int fd = self->e.fd;

	page = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, DXG_MMAP_FENCE_OFFSET);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_GT(self->e.caps.out_max_fences, self->slot);
	EXPECT_EQ(0, page[self->slot]);
	ASSERT_EQ(0, dxg_fence_create(fd, self->e.device, 5, &f2, &slot2));
	EXPECT_NE(self->slot, slot2);
	EXPECT_EQ(5, page[slot2]);
	ASSERT_EQ(0, dxg_fence_signal(fd, f2, 9));
	EXPECT_EQ(9, page[slot2]);
	/* monotonic: a lower value changes nothing */
	ASSERT_EQ(0, dxg_fence_signal(fd, f2, 4));
	EXPECT_EQ(9, page[slot2]);
	EXPECT_EQ(0, dxg_fence_wait(fd, f2, 9, 0));
	ASSERT_EQ(0, dxg_fence_destroy(fd, f2));
	EXPECT_EQ(0, page[slot2]);
	EXPECT_EQ(-1, mprotect((void *)page, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap((void *)page, size);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, DXG_MMAP_FENCE_OFFSET));
	EXPECT_EQ(EACCES, errno);
}

static int poll1(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

TEST_F(gpu, sync_file_export_and_poll)
{
	struct sync_file_info info = { 0 };
	struct dxg_fence_value s = { self->fence, 2 };
	struct dxg_cmdbuf cb = { 0 };
	int sf, flags;

	sf = dxg_export(self->e.fd, self->fence, 2);
	ASSERT_LE(0, sf);
	flags = fcntl(sf, F_GETFD);
	EXPECT_TRUE(flags & FD_CLOEXEC);
	EXPECT_EQ(0, poll1(sf, 0));
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(0, info.status);
	dxg_cmd_delay(&cb, 100000);
	ASSERT_EQ(0, dxg_submit(self->e.fd, self->e.context, &cb, NULL, 0,
				NULL, 0, &s, 1, NULL));
	EXPECT_EQ(POLLIN, poll1(sf, 5000));
	/* num_fences came back as 1: ask for the status alone again */
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(1, info.status);
	/* it lives on after the file */
	dxg_env_close(&self->e);
	EXPECT_EQ(POLLIN, poll1(sf, 0));
	close(sf);
}

TEST_F(gpu, sync_file_of_a_reached_value_is_signalled)
{
	int sf;

	ASSERT_EQ(0, dxg_fence_signal(self->e.fd, self->fence, 4));
	sf = dxg_export(self->e.fd, self->fence, 3);
	ASSERT_LE(0, sf);
	EXPECT_EQ(POLLIN, poll1(sf, 0));
	close(sf);
}

/*
 * vgem, from include/uapi/drm/{drm,drm_mode,vgem_drm}.h: this machine
 * has no DRM headers installed, and the ABI is frozen.
 */
struct hl_drm_version {
	int version_major, version_minor, version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};
struct hl_drm_create_dumb {
	uint32_t height, width, bpp, flags, handle, pitch;
	uint64_t size;
};
struct hl_drm_prime_handle {
	uint32_t handle, flags;
	int32_t fd;
};
struct hl_vgem_fence_attach {
	uint32_t handle, flags, out_fence, pad;
};
struct hl_vgem_fence_signal {
	uint32_t fence, flags;
};
#define HL_DRM_IOCTL_VERSION		_IOWR('d', 0x00, struct hl_drm_version)
#define HL_DRM_IOCTL_PRIME_HANDLE_TO_FD	_IOWR('d', 0x2d, struct hl_drm_prime_handle)
#define HL_DRM_IOCTL_MODE_CREATE_DUMB	_IOWR('d', 0xb2, struct hl_drm_create_dumb)
#define HL_DRM_IOCTL_VGEM_FENCE_ATTACH	_IOWR('d', 0x41, struct hl_vgem_fence_attach)
#define HL_DRM_IOCTL_VGEM_FENCE_SIGNAL	_IOW('d', 0x42, struct hl_vgem_fence_signal)
#define HL_VGEM_FENCE_WRITE		1

static int vgem_open(void)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct hl_drm_version v = { .name_len = sizeof(name) - 1,
					    .name = name };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, HL_DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

TEST_F(gpu, sync_file_merged_with_a_vgem_fence)
{
	struct hl_drm_create_dumb dumb = { .height = 1, .width = 1024, .bpp = 32 };
	struct hl_vgem_fence_attach att = { .flags = HL_VGEM_FENCE_WRITE };
	struct hl_drm_prime_handle prime = { .flags = O_CLOEXEC | O_RDWR };
	struct dma_buf_export_sync_file exp = { .flags = DMA_BUF_SYNC_READ };
	struct sync_merge_data merge = { .name = "dxg+vgem" };
	struct hl_vgem_fence_signal sig = { 0 };
	struct sync_file_info info = { 0 };
	int vgem, sf;

	vgem = vgem_open();
	if (vgem < 0 && !system("modprobe vgem"))
		vgem = vgem_open();
	ASSERT_LE(0, vgem) TH_LOG("no vgem device (CONFIG_DRM_VGEM)");
	ASSERT_EQ(0, ioctl(vgem, HL_DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	att.handle = dumb.handle;
	ASSERT_EQ(0, ioctl(vgem, HL_DRM_IOCTL_VGEM_FENCE_ATTACH, &att))
		TH_LOG("VGEM_FENCE_ATTACH: %m");
	prime.handle = dumb.handle;
	att.handle = dumb.handle;
	ASSERT_EQ(0, ioctl(vgem, HL_DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime));
	/* the buffer's write fence as a sync_file (Linux 6.0 and later) */
	ASSERT_EQ(0, ioctl(prime.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp))
		TH_LOG("DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %m");
	sf = dxg_export(self->e.fd, self->fence, 1);
	ASSERT_LE(0, sf);
	merge.fd2 = exp.fd;
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_MERGE, &merge));
	info.num_fences = 0;
	ASSERT_EQ(0, ioctl(merge.fence, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(2, info.num_fences);
	EXPECT_EQ(0, poll1(merge.fence, 0));
	/* ours first: the merge still waits for vgem's */
	ASSERT_EQ(0, dxg_fence_signal(self->e.fd, self->fence, 1));
	EXPECT_EQ(POLLIN, poll1(sf, 5000));
	EXPECT_EQ(0, poll1(merge.fence, 50));
	sig.fence = att.out_fence;
	ASSERT_EQ(0, ioctl(vgem, HL_DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig));
	EXPECT_EQ(POLLIN, poll1(merge.fence, 5000));
	close(merge.fence);
	close(exp.fd);
	close(sf);
	close(prime.fd);
	close(vgem);
}

/* One program's chain on a file of its own: FILL, ADD, CRC; 0 if right. */
static int chain(unsigned int seed)
{
	enum { N = 4096 };
	static uint32_t x[N], want[N];
	struct dxg_env e;
	struct dxg_fence_value sig;
	struct dxg_cmdbuf cb = { 0 };
	uint64_t a[3], f;
	uint32_t crc = 0;
	int i;

	if (dxg_env_open(&e, 10000))
		return 1;
	if (dxg_alloc_create(e.fd, e.device, 4 * N, &a[0]) ||
	    dxg_alloc_create(e.fd, e.device, 4 * N, &a[1]) ||
	    dxg_alloc_create(e.fd, e.device, 4, &a[2]) ||
	    dxg_fence_create(e.fd, e.device, 0, &f, NULL))
		return 2;
	dxg_pattern(x, sizeof(x), seed);
	for (i = 0; i < N; i++)
		want[i] = htole32(le32toh(x[i]) + seed);
	if (dxg_write(e.fd, a[0], 0, x, sizeof(x), true))
		return 3;
	dxg_cmd_fill(&cb, 1, seed, 0, 4 * N);
	dxg_cmd_arith(&cb, DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_U32, 1, 0, 0, 0, 1,
		      0, N);
	if (dxg_submit(e.fd, e.context, &cb, a, 3, NULL, 0, NULL, 0, NULL))
		return 4;
	cb.len = 0;
	dxg_cmd_crc32c(&cb, 2, 0, 1, 0, 4 * N);
	sig = (struct dxg_fence_value){ f, 1 };
	if (dxg_submit(e.fd, e.context, &cb, a, 3, NULL, 0, &sig, 1, NULL))
		return 5;
	if (dxg_fence_wait(e.fd, f, 1, dxg_deadline(20000)))
		return 6;
	if (dxg_read(e.fd, a[2], 0, &crc, 4))
		return 7;
	dxg_env_close(&e);
	return le32toh(crc) == dxg_crc32c(want, sizeof(want)) ? 0 : 8;
}

TEST_F(gpu, eight_processes_at_once)
{
	pid_t pids[8];
	int i, status;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(chain(i + 1));
	}
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", i);
	}
}

TEST_F(gpu, fork_shares_the_files_handles)
{
	uint64_t a = alloc(self, 64), child_alloc = 0;
	uint32_t v = 0;
	int p[2], status;
	pid_t pid;

	ASSERT_NE(0, a);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dxg_cmdbuf cb = { 0 };
		uint64_t ca = 0;

		/* the parent's context, allocation and fence, and a new one */
		dxg_cmd_fill(&cb, 0, 0xc0ffee, 0, 64);
		if (dxg_alloc_create(self->e.fd, self->e.device, 64, &ca) ||
		    dxg_write(self->e.fd, ca, 0, "child", 6, true) ||
		    dxg_run(&self->e, &cb, &a, 1, self->fence, 1))
			_exit(1);
		if (write(p[1], &ca, sizeof(ca)) != sizeof(ca))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(child_alloc), read(p[0], &child_alloc, 8));
	EXPECT_EQ(0, dxg_fence_wait(self->e.fd, self->fence, 1, 0));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, &v, 4));
	EXPECT_EQ(0xc0ffee, le32toh(v));
	{
		char buf[6];

		ASSERT_EQ(0, dxg_read(self->e.fd, child_alloc, 0, buf, 6));
		EXPECT_STREQ("child", buf);
	}
	close(p[0]);
	close(p[1]);
}

TEST_F(gpu, another_files_handles_are_enoent)
{
	uint64_t a = alloc(self, 4096), h;
	struct dxg_env other;
	uint8_t buf[16];

	ASSERT_NE(0, a);
	ASSERT_EQ(0, dxg_write(self->e.fd, a, 0, "secret", 7, true));
	ASSERT_EQ(0, dxg_env_open(&other, 10000));
	/* a file with a device and a context, no allocation, no fence */
	EXPECT_EQ(-ENOENT, dxg_read(other.fd, a, 0, buf, 7));
	EXPECT_EQ(-ENOENT, dxg_lock(other.fd, a, 0, 7, DXG_LOCK_READ, NULL));
	EXPECT_EQ(-ENOENT, dxg_alloc_destroy(other.fd, a));
	EXPECT_EQ(-ENOENT, dxg_fence_signal(other.fd, self->fence, 1));
	EXPECT_EQ(-ENOENT, dxg_fence_wait(other.fd, self->fence, 0, 0));
	EXPECT_LT(dxg_export(other.fd, self->fence, 1), 0);
	/* its own objects have their own handles */
	ASSERT_EQ(0, dxg_alloc_create(other.fd, other.device, 4096, &h));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, dxg_read(other.fd, h, 0, buf, 7));
	EXPECT_EQ(0, memcmp(buf, "\0\0\0\0\0\0\0", 7));
	/* the fence page shows only the file's own fences */
	dxg_env_close(&other);
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, 7));
	EXPECT_STREQ("secret", (char *)buf);
}

/* The guest's usage and in-flight submissions, as a new file sees them. */
static int host_counters(uint64_t *usage, uint64_t *in_flight)
{
	struct dxg_query_memory m;
	struct dxg_query_stats s;
	struct dxg_env e;
	int ret;

	ret = dxg_env_open(&e, 10000);
	if (ret)
		return ret;
	ret = dxg_query(e.fd, e.adapter, DXG_QUERY_MEMORY, &m, sizeof(m));
	if (!ret)
		ret = dxg_query(e.fd, e.adapter, DXG_QUERY_STATS, &s, sizeof(s));
	dxg_env_close(&e);
	*usage = m.usage;
	*in_flight = s.adapter_submits - s.adapter_retired;
	return ret;
}

TEST_F(gpu, kill_9_of_a_busy_process_frees_its_host_objects)
{
	uint64_t usage0, busy0, usage, busy, end;
	int p[2], status;
	char c;
	pid_t pid;

	dxg_env_close(&self->e);
	ASSERT_EQ(0, host_counters(&usage0, &busy0));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct dxg_cmdbuf cb = { 0 };
		struct dxg_env e;
		uint64_t a;
		int i;

		if (dxg_env_open(&e, 10000) ||
		    dxg_alloc_create(e.fd, e.device, 8 << 20, &a))
			_exit(1);
		dxg_cmd_delay(&cb, 500000);
		for (i = 0; i < 8; i++)
			if (dxg_submit(e.fd, e.context, &cb, &a, 1, NULL, 0,
				       NULL, 0, NULL))
				_exit(2);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		/* busy in the kernel: a lock that waits for the queue */
		dxg_lock(e.fd, a, 0, 4096, DXG_LOCK_READ, NULL);
		_exit(4);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	usleep(50000);
	ASSERT_EQ(0, host_counters(&usage, &busy));
	EXPECT_LE(usage0 + (8 << 20), usage);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	/* the host has no event for this: look every 50 ms, 5 s at most */
	for (end = hl_now_ms() + 5000;; usleep(50000)) {
		ASSERT_EQ(0, host_counters(&usage, &busy));
		if ((usage == usage0 && busy == busy0) || hl_now_ms() > end)
			break;
	}
	EXPECT_EQ(usage0, usage);
	EXPECT_EQ(busy0, busy);
	close(p[0]);
}

/* --- bulk transfers: large lock ranges on a stream of their own ----- */

#define DXG_GPU_SYSFS	"/sys/kernel/hostlink/services/dxg/gpu/"
#define DXG_BULK_PARAM	"/sys/module/dxg/parameters/bulk_min_kib"

static int write_number(const char *path, long long v)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%lld\n", v) > 0 ? 0 : -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * Write @len bytes at @off through a write lock, read them back through
 * a read lock, and have the host's CRC agree: both directions moved
 * the same bytes, whichever way they went.
 */
static void bulk_round_trip(struct __test_metadata *_metadata,
			    struct dxg_env *e, size_t len, size_t off)
{
	uint8_t *mine = malloc(len), *back = malloc(len);
	struct dxg_cmdbuf cb = { 0 };
	uint64_t a[2] = { 0, 0 }, fence = 0;
	uint32_t crc = 0, slot;

	ASSERT_NE(NULL, mine);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, dxg_alloc_create(e->fd, e->device, off + len, &a[0]));
	ASSERT_EQ(0, dxg_alloc_create(e->fd, e->device, 8, &a[1]));
	dxg_pattern(mine, len, len + off);
	ASSERT_EQ(0, dxg_write(e->fd, a[0], off, mine, len, true));
	ASSERT_EQ(0, dxg_read(e->fd, a[0], off, back, len));
	EXPECT_EQ(0, memcmp(mine, back, len));
	dxg_cmd_crc32c(&cb, 1, 0, 0, off, len);
	ASSERT_EQ(0, dxg_fence_create(e->fd, e->device, 0, &fence, &slot));
	ASSERT_EQ(0, dxg_run(e, &cb, a, 2, fence, 1));
	dxg_fence_destroy(e->fd, fence);
	ASSERT_EQ(0, dxg_read(e->fd, a[1], 0, &crc, 4));
	EXPECT_EQ(dxg_crc32c(mine, len), le32toh(crc));
	dxg_alloc_destroy(e->fd, a[0]);
	dxg_alloc_destroy(e->fd, a[1]);
	free(mine);
	free(back);
}

TEST_F(gpu, bulk_transfers_from_the_threshold_up)
{
	long long min = dxg_read_number(DXG_BULK_PARAM), n0, n1;
	struct dxg_caps_get caps;

	ASSERT_LE(0, min);
	/* the adapter is up, so the host's HELLO is in: caps say bulk */
	ASSERT_EQ(0, dxg_caps(self->e.fd, &caps));
	EXPECT_TRUE(caps.out_features & DXG_FEAT_HOST_BULK);
	/* below the threshold: chunks */
	ASSERT_EQ(0, write_number(DXG_BULK_PARAM, 64));
	n0 = dxg_read_number(DXG_GPU_SYSFS "bulk_transfers");
	bulk_round_trip(_metadata, &self->e, (64 << 10) - 1, 3);
	EXPECT_EQ(n0, dxg_read_number(DXG_GPU_SYSFS "bulk_transfers"));
	/* at it, and above: one stream each way */
	bulk_round_trip(_metadata, &self->e, 64 << 10, 0);
	n1 = dxg_read_number(DXG_GPU_SYSFS "bulk_transfers");
	EXPECT_EQ(n0 + 2, n1);
	bulk_round_trip(_metadata, &self->e, (5 << 20) + 17, 4095);
	EXPECT_EQ(n1 + 2, dxg_read_number(DXG_GPU_SYSFS "bulk_transfers"));
	/* 0: every transfer, one byte too (and the 4 bytes of the CRC) */
	ASSERT_EQ(0, write_number(DXG_BULK_PARAM, 0));
	bulk_round_trip(_metadata, &self->e, 1, 100);
	EXPECT_EQ(n1 + 5, dxg_read_number(DXG_GPU_SYSFS "bulk_transfers"));
	EXPECT_EQ(0, write_number(DXG_BULK_PARAM, min));
}

/*
 * A host that refuses the extra connection (here: the guest is at its
 * connection limit, held by an idle ordinary connection) costs nothing
 * but speed: the transfer is done in chunks, and counted.
 */
TEST(bulk_refused_falls_back_to_chunks)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = 1 };
	long long min, bulks, falls;
	struct dxg_env e;
	int hold;
	pid_t d;

	d = dxg_own_daemon(40, "max_connections = 1", &e);
	ASSERT_LT(0, d);
	ASSERT_EQ(0, dxg_caps(e.fd, &e.caps));
	EXPECT_TRUE(e.caps.out_features & DXG_FEAT_HOST_BULK);
	min = dxg_read_number(DXG_BULK_PARAM);
	ASSERT_EQ(0, write_number(DXG_BULK_PARAM, 0));
	bulks = dxg_read_number(DXG_GPU_SYSFS "bulk_transfers");
	falls = dxg_read_number(DXG_GPU_SYSFS "bulk_fallbacks");
	/* threshold 0: the write, the read back and the CRC's read */
	bulk_round_trip(_metadata, &e, 256 << 10, 0);
	EXPECT_EQ(bulks + 3, dxg_read_number(DXG_GPU_SYSFS "bulk_transfers"));

	/* an ordinary connection that never says HELLO takes the one slot */
	hold = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, hold);
	sa.svm_port = dxg_module_port();
	ASSERT_EQ(0, connect(hold, (struct sockaddr *)&sa, sizeof(sa)));
	bulk_round_trip(_metadata, &e, 256 << 10, 0);
	EXPECT_EQ(bulks + 3, dxg_read_number(DXG_GPU_SYSFS "bulk_transfers"));
	EXPECT_EQ(falls + 3, dxg_read_number(DXG_GPU_SYSFS "bulk_fallbacks"));
	close(hold);

	EXPECT_EQ(0, write_number(DXG_BULK_PARAM, min));
	EXPECT_EQ(0, dxg_own_daemon_end(d, &e));
}

/* A process's resident memory in KiB, from /proc/<pid>/status; -1 if unknown. */
static long long rss_kib(pid_t pid)
{
	char path[64], line[128];
	long long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * A guest that allocates and fills all it can, and locks and writes
 * while it does, is held to dxg_max_memory: its allocations fail
 * ENOMEM at the limit, and the daemon grows by no more than the limit
 * and 16 MiB of its own.
 */
TEST(host_memory_bounded_under_a_flood)
{
	enum { MIB = 1 << 20, LIMIT_MIB = 48, MAX_ALLOCS = 4 * LIMIT_MIB };
	static uint64_t allocs[MAX_ALLOCS];
	static char chunk[MIB];
	struct dxg_cmdbuf cb = { 0 };
	long long base, peak, now;
	uint64_t fence, value = 0;
	unsigned int n = 0, i;
	struct dxg_env e;
	uint32_t slot;
	int ret;
	pid_t d;

	d = dxg_own_daemon(41, "dxg_max_memory = 48M", &e);
	ASSERT_LT(0, d);
	ASSERT_EQ(0, dxg_fence_create(e.fd, e.device, 0, &fence, &slot));
	base = rss_kib(d);
	ASSERT_LT(0, base);
	peak = base;

	dxg_pattern(chunk, sizeof(chunk), 7);
	for (;;) {
		ASSERT_GT(MAX_ALLOCS, n) TH_LOG("no ENOMEM after %u MiB", n);
		ret = dxg_alloc_create(e.fd, e.device, MIB, &allocs[n]);
		if (ret) {
			EXPECT_EQ(-ENOMEM, ret);
			break;
		}
		/* every page touched on the host: half written, half filled */
		ASSERT_EQ(0, dxg_write(e.fd, allocs[n], 0, chunk, MIB / 2, true));
		cb.len = 0;
		dxg_cmd_fill(&cb, 0, 0x5a5a5a5a, MIB / 2, MIB / 2);
		ASSERT_EQ(0, dxg_run(&e, &cb, &allocs[n], 1, fence, ++value));
		n++;
		now = rss_kib(d);
		if (now > peak)
			peak = now;
	}
	TH_LOG("%u MiB allocated; the daemon grew by %lld KiB", n, peak - base);
	EXPECT_LE(LIMIT_MIB - 1, n);
	EXPECT_GE(LIMIT_MIB, n);
	EXPECT_GE((LIMIT_MIB + 16) * 1024, peak - base);
	/* the limit is the guest's, not a leak: freed, it is there again */
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, dxg_alloc_destroy(e.fd, allocs[i]));
	EXPECT_EQ(0, dxg_alloc_create(e.fd, e.device, MIB, &allocs[0]));
	EXPECT_EQ(0, dxg_own_daemon_end(d, &e));
}

TEST(render_group_needed_to_open)
{
	struct group *g;
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, dxg_load(0));
	/* the udev rule has applied by the time the queue is empty */
	system("udevadm settle --timeout=10");
	g = getgrnam("render");
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, stat(DXG_PATH, &st));
	EXPECT_EQ(g->gr_gid, st.st_gid);
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("nobody opened /dev/dxg");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		gid_t render = g->gr_gid;
		struct dxg_caps_get caps;
		int fd;

		/* nobody, but in group render: may */
		if (setgroups(1, &render) || setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(1);
		_exit(dxg_caps(fd, &caps) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
