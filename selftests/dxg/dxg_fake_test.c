// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/dxg against a fake, hostile GPU host: dxg_fake (dxg_lib.c) in a
 * thread of this program, on a port of its own, in place of hostlinkd.
 * Each case has the host break the protocol one way (HELLO replies,
 * op replies, events, an EMSGSIZE to a big READ, a LOST device) and
 * checks that the caller gets a clean error, that the driver counts it
 * in /sys/kernel/hostlink/services/dxg/gpu/, that nothing else is lost
 * and that the next connection works.  The vm runner fails the program
 * on any KASAN, UBSAN, WARN or BUG report in the guest's log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <endian.h>
#include <linux/sync_file.h>

#include "hostlink_selftest.h"
#include "dxg_lib.h"

/* Not hostlinkd's (HOSTLINK_PORT_DXG): the daemon of the vm file stays. */
#define FAKE_PORT	0x4c77
#define WAIT_MS		10000
#define GPU_SYSFS	"/sys/kernel/hostlink/services/dxg/gpu/"

static long long gpu_counter(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), GPU_SYSFS "%s", name);
	return dxg_read_number(path);
}

/* Poll a counter until it reaches @n, for at most @ms; 0 or -1. */
static int gpu_counter_wait(const char *name, long long n, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	while (gpu_counter(name) < n) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(2000);
	}
	return 0;
}

/* What the hostile host does; the test thread sets it, the fake reads. */
enum hostile_op_reply {
	R_NONE,
	R_SHORT,	/* the reply 4 bytes short */
	R_LONG,		/* 8 bytes too many */
	R_ZERO_ID,	/* a create reply of id 0 */
	R_DUP_ID,	/* a create reply of the latest device's id */
	R_STATUS,	/* a status of the kernel's own numbers (512..4095) */
	R_BAD_STATE,	/* DEVICE_GET_STATE: an unknown state */
	R_BAD_ERROR,	/* DEVICE_GET_STATE: FAULTED with error 5000 */
};

struct hostile {
	/*
	 * HELLO: the next ones get the bad replies of kinds @next_kind
	 * up to @end_kind (H_CUSTOM: @hello as it is), then the good one
	 */
	int next_kind;
	int end_kind;
	uint8_t hello[2048];
	size_t hello_len;
	int hellos_seen;
	/* ops: the next request of @op gets @how */
	uint32_t op;
	int how;
	/* READ: refuse chunks above @read_max with EMSGSIZE (0: none) */
	uint64_t read_max;
	int read_refused;
	uint64_t read_biggest;	/* largest chunk served */
	uint64_t read_bytes;	/* bytes served */
};

/* HELLO replies the guest must refuse. */
enum bad_hello {
	H_SHORT, H_LONG, H_COUNT_OVER_MAX, H_COUNT_OVER_PAYLOAD,
	H_ZERO_COUNT_WITH_BYTES, H_NAME_UNTERMINATED, H_NAME_EMPTY,
	H_NAME_CONTROL, H_NAME_NOT_UTF8, H_NAME_OVERLONG_UTF8,
	H_VERSION_ABOVE, H_VERSION_ZERO, H_VERSION_OUT_OF_HOST,
	H_FEATURE_UNOFFERED, H_NONCE_ZERO, H_NONCE_TWICE, H_LUID_TWICE,
	H_FLAG_UNKNOWN, H_COUNT, H_CUSTOM = H_COUNT,
};

static const char *const bad_hello_names[H_COUNT] = {
	"short", "long", "count over the maximum", "count over the payload",
	"zero count with an adapter's bytes", "name unterminated",
	"name empty", "name with a control character", "name not UTF-8",
	"name with an overlong UTF-8 sequence", "version above ours",
	"version 0", "version outside the host's own range",
	"feature not offered", "nonce 0", "nonce twice", "LUID twice",
	"unknown adapter flag",
};

/* @h->hello: the default HELLO reply broken as @kind says. */
static void make_bad_hello(struct hostile *h, int kind)
{
	static struct dxg_fake tmpl;	/* only the fake's thread builds */

	struct dxg_wire_hello_reply *r = (void *)h->hello;
	struct dxg_wire_adapter *a = (void *)(h->hello + sizeof(*r));
	size_t one = sizeof(*r) + sizeof(*a);

	dxg_fake_default_hello(&tmpl);
	memcpy(h->hello, tmpl.hello, sizeof(h->hello));
	h->hello_len = tmpl.hello_len;
	a[1] = a[0];
	a[1].nonce = htole64(le64toh(a[0].nonce) + 1);
	a[1].luid_low = htole32(le32toh(a[0].luid_low) + 1);
	switch (kind) {
	case H_SHORT:
		h->hello_len = one - 8;
		break;
	case H_LONG:
		h->hello_len = one + 8;
		break;
	case H_COUNT_OVER_MAX:
		r->n_adapters = htole16(DXG_WIRE_MAX_ADAPTERS + 1);
		h->hello_len = sizeof(*r) +
			       (DXG_WIRE_MAX_ADAPTERS + 1) * sizeof(*a);
		break;
	case H_COUNT_OVER_PAYLOAD:
		r->n_adapters = htole16(0xffff);
		break;
	case H_ZERO_COUNT_WITH_BYTES:
		r->n_adapters = 0;
		break;
	case H_NAME_UNTERMINATED:
		memset(a->name, 'A', sizeof(a->name));
		break;
	case H_NAME_EMPTY:
		memset(a->name, 0, sizeof(a->name));
		break;
	case H_NAME_CONTROL:
		strcpy(a->name, "fa\x1bke");
		break;
	case H_NAME_NOT_UTF8:
		strcpy(a->name, "fake\xff\xfe");
		break;
	case H_NAME_OVERLONG_UTF8:
		strcpy(a->name, "fake\xc0\xaf");
		break;
	case H_VERSION_ABOVE:
		r->version = htole16(DXG_WIRE_VERSION_MAX + 1);
		r->max_version = r->version;
		break;
	case H_VERSION_ZERO:
		r->version = 0;
		r->min_version = 0;
		break;
	case H_VERSION_OUT_OF_HOST:
		r->min_version = htole16(DXG_WIRE_VERSION_MAX + 1);
		r->max_version = htole16(DXG_WIRE_VERSION_MAX + 2);
		break;
	case H_FEATURE_UNOFFERED:
		r->features = htole64(1ULL << 40);
		break;
	case H_NONCE_ZERO:
		a->nonce = 0;
		break;
	case H_NONCE_TWICE:
		r->n_adapters = htole16(2);
		a[1].nonce = a[0].nonce;
		h->hello_len = one + sizeof(*a);
		break;
	case H_LUID_TWICE:
		r->n_adapters = htole16(2);
		a[1].luid_low = a[0].luid_low;
		h->hello_len = one + sizeof(*a);
		break;
	case H_FLAG_UNKNOWN:
		a->flags |= htole32(1U << 30);
		break;
	}
}

static uint8_t pattern_byte(uint64_t off)
{
	return (uint8_t)((off * 131) ^ (off >> 9));
}

static int hostile_read(struct dxg_fake *f, struct hostile *h,
			const struct hostlink_hdr *hdr, const void *body,
			size_t len)
{
	const struct dxg_wire_xfer *x = body;
	uint64_t off, n, i;
	uint8_t *data;

	if (len != sizeof(*x))
		return 0;
	off = le64toh(x->offset);
	n = le64toh(x->length);
	if (h->read_max && n > h->read_max) {
		__atomic_add_fetch(&h->read_refused, 1, __ATOMIC_SEQ_CST);
		dxg_fake_reply(f, hdr, EMSGSIZE, NULL, 0);
		return 1;
	}
	if (n > (1 << 20))
		return 0;
	data = malloc(n ? n : 1);
	if (!data)
		return 0;
	for (i = 0; i < n; i++)
		data[i] = pattern_byte(off + i);
	if (n > h->read_biggest)
		h->read_biggest = n;
	__atomic_add_fetch(&h->read_bytes, n, __ATOMIC_SEQ_CST);
	dxg_fake_reply(f, hdr, 0, data, n);
	free(data);
	return 1;
}

static int hostile_reply(struct dxg_fake *f, const struct hostlink_hdr *hdr,
			 const struct dxg_wire_req *req, const void *body,
			 size_t len)
{
	struct hostile *h = f->priv;
	uint8_t r[128] = {};
	size_t rlen = 8;
	int how;

	(void)req;
	if (hdr->op == DXG_WIRE_OP_HELLO) {
		int kind = __atomic_load_n(&h->next_kind, __ATOMIC_SEQ_CST);

		if (kind >= __atomic_load_n(&h->end_kind, __ATOMIC_SEQ_CST)) {
			__atomic_add_fetch(&h->hellos_seen, 1,
					   __ATOMIC_SEQ_CST);
			return 0;
		}
		if (kind != H_CUSTOM)
			make_bad_hello(h, kind);
		dxg_fake_reply(f, hdr, 0, h->hello, h->hello_len);
		__atomic_store_n(&h->next_kind, kind + 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&h->hellos_seen, 1, __ATOMIC_SEQ_CST);
		return 1;
	}
	if (hdr->op == DXG_WIRE_OP_READ && h->read_max)
		return hostile_read(f, h, hdr, body, len);
	if (hdr->op != __atomic_load_n(&h->op, __ATOMIC_SEQ_CST))
		return 0;
	how = h->how;
	__atomic_store_n(&h->op, 0, __ATOMIC_SEQ_CST);
	switch (hdr->op) {
	case DXG_WIRE_OP_QUERY:
		rlen = sizeof(struct dxg_wire_query_memory);
		break;
	case DXG_WIRE_OP_DEVICE_GET_STATE:
		rlen = sizeof(struct dxg_wire_device_state);
		break;
	case DXG_WIRE_OP_READ:
		rlen = le64toh(((const struct dxg_wire_xfer *)body)->length);
		if (rlen > sizeof(r) - 8)
			rlen = sizeof(r) - 8;
		break;
	default:
		break;
	}
	memset(r, 0, sizeof(r));
	r[0] = 0x42;	/* a create's id, not 0 */
	switch (how) {
	case R_SHORT:
		rlen -= 4;
		break;
	case R_LONG:
		rlen += 8;
		break;
	case R_ZERO_ID:
		r[0] = 0;
		break;
	case R_DUP_ID: {
		uint64_t id = htole64(f->last_device);

		memcpy(r, &id, sizeof(id));
		break;
	}
	case R_STATUS:
		dxg_fake_reply(f, hdr, 600, NULL, 0);
		return 1;
	case R_BAD_STATE:
	case R_BAD_ERROR: {
		struct dxg_wire_device_state *st = (void *)r;

		st->state = htole32(how == R_BAD_STATE ? 9 :
				    DXG_WIRE_DEVICE_FAULTED);
		st->error = htole32(how == R_BAD_STATE ? 0 : 5000);
		st->cmd_offset = htole32(DXG_WIRE_NO_CMD);
		break;
	}
	default:
		return 0;
	}
	dxg_fake_reply(f, hdr, 0, r, rlen);
	return 1;
}

FIXTURE(fake) {
	struct dxg_fake f;
	struct hostile h;
	struct dxg_env e;
	long long hellos;	/* the driver's count, this connection's in */
};

/* The driver's next HELLO done: an adapter of a new connection is up. */
static int wait_connection(FIXTURE_DATA(fake) *self)
{
	if (gpu_counter_wait("hellos", self->hellos + 1, WAIT_MS))
		return -1;
	self->hellos = gpu_counter("hellos");
	return 0;
}

FIXTURE_SETUP(fake)
{
	memset(&self->f, 0, sizeof(self->f));
	self->e.fd = -1;
	self->f.reply = hostile_reply;
	self->f.priv = &self->h;
	ASSERT_EQ(0, dxg_load(FAKE_PORT));
	self->hellos = gpu_counter("hellos");
	ASSERT_LE(0, self->hellos);
	ASSERT_EQ(0, dxg_fake_start(&self->f, FAKE_PORT));
	ASSERT_EQ(0, wait_connection(self));
	ASSERT_EQ(0, dxg_env_open(&self->e, WAIT_MS));
}

FIXTURE_TEARDOWN(fake)
{
	dxg_env_close(&self->e);
	dxg_fake_stop(&self->f);
}

/*
 * After the host broke the protocol: the connection dropped and a new
 * one up, the old adapter lost (-ENODEV), a new instance that works.
 */
static void check_recovered(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fake) *self)
{
	uint32_t old = self->e.info.instance;
	struct dxg_adapter_info info;
	uint64_t dev, ah, a;
	int fd;

	ASSERT_EQ(0, dxg_fake_wait(&self->f, &self->f.drops, 1, WAIT_MS));
	ASSERT_EQ(0, wait_connection(self));
	EXPECT_EQ(-ENODEV, dxg_device_create(self->e.fd, self->e.adapter,
					     &dev));
	fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dxg_wait_adapter(fd, &info, WAIT_MS));
	EXPECT_NE(old, info.instance);
	EXPECT_EQ(0, memcmp(&self->e.info.luid, &info.luid,
			    sizeof(info.luid)));
	ASSERT_EQ(0, dxg_adapter_open(fd, &info.luid, info.instance, &ah));
	ASSERT_EQ(0, dxg_device_create(fd, ah, &dev));
	EXPECT_EQ(0, dxg_alloc_create(fd, dev, 4096, &a));
	close(fd);
}

/*
 * Every bad HELLO in turn, each on the reconnect after the one before:
 * each counted in bad_replies and its connection dropped with no
 * adapter published (else no next HELLO would come), then the good
 * HELLO brings the adapter back as a new instance.  The first drop is
 * the host's short QUERY reply (counted too).
 */
TEST_F(fake, hello_replies_refused)
{
	long long bad = gpu_counter("bad_replies");
	long long hellos = self->hellos;
	struct dxg_query_memory mem;
	int ret;

	__atomic_store_n(&self->h.end_kind, H_COUNT, __ATOMIC_SEQ_CST);
	self->h.how = R_SHORT;
	__atomic_store_n(&self->h.op, DXG_WIRE_OP_QUERY, __ATOMIC_SEQ_CST);
	EXPECT_EQ(-EPROTO, dxg_query(self->e.fd, self->e.adapter,
				     DXG_QUERY_MEMORY, &mem, sizeof(mem)));
	ret = dxg_fake_wait(&self->f, &self->h.hellos_seen, H_COUNT + 1,
			    WAIT_MS * 2);
	if (ret) {
		int k = __atomic_load_n(&self->h.next_kind, __ATOMIC_SEQ_CST);

		TH_LOG("no HELLO after the bad one \"%s\"",
		       k ? bad_hello_names[k - 1] : "none");
	}
	ASSERT_EQ(0, ret);
	check_recovered(_metadata, self);
	EXPECT_EQ(bad + 1 + H_COUNT, gpu_counter("bad_replies"));
	EXPECT_EQ(hellos + 1, gpu_counter("hellos"));
	EXPECT_EQ(H_COUNT + 2, self->f.accepts);
	EXPECT_EQ(1, gpu_counter("host_version"));
}

/* A HELLO with no adapters is the protocol's: accepted, nothing listed. */
TEST_F(fake, hello_without_adapters)
{
	long long bad = gpu_counter("bad_replies");
	struct dxg_wire_hello_reply *r = (void *)self->h.hello;
	struct dxg_query_memory mem;

	make_bad_hello(&self->h, H_SHORT);
	r->n_adapters = 0;
	self->h.hello_len = sizeof(*r);
	__atomic_store_n(&self->h.next_kind, H_CUSTOM, __ATOMIC_SEQ_CST);
	__atomic_store_n(&self->h.end_kind, H_CUSTOM + 1, __ATOMIC_SEQ_CST);
	self->h.how = R_LONG;
	__atomic_store_n(&self->h.op, DXG_WIRE_OP_QUERY, __ATOMIC_SEQ_CST);
	EXPECT_EQ(-EPROTO, dxg_query(self->e.fd, self->e.adapter,
				     DXG_QUERY_MEMORY, &mem, sizeof(mem)));
	ASSERT_EQ(0, wait_connection(self));
	EXPECT_EQ(bad + 1, gpu_counter("bad_replies"));
	EXPECT_EQ(1, gpu_counter("host_version"));
	EXPECT_EQ(-ETIMEDOUT, dxg_wait_adapter(self->e.fd, NULL, 0));
	EXPECT_EQ(1, self->f.drops);
}

/* Replies of ordinary ops that break the protocol. */
struct bad_reply {
	const char *what;
	uint32_t op;
	int how;
};

static const struct bad_reply bad_replies[] = {
	{ "DEVICE_CREATE short", DXG_WIRE_OP_DEVICE_CREATE, R_SHORT },
	{ "DEVICE_CREATE long", DXG_WIRE_OP_DEVICE_CREATE, R_LONG },
	{ "DEVICE_CREATE id 0", DXG_WIRE_OP_DEVICE_CREATE, R_ZERO_ID },
	{ "DEVICE_CREATE id in use", DXG_WIRE_OP_DEVICE_CREATE, R_DUP_ID },
	{ "FENCE_CREATE id in use", DXG_WIRE_OP_FENCE_CREATE, R_DUP_ID },
	{ "FENCE_CREATE long", DXG_WIRE_OP_FENCE_CREATE, R_LONG },
	{ "QUERY MEMORY short", DXG_WIRE_OP_QUERY, R_SHORT },
	{ "QUERY MEMORY long", DXG_WIRE_OP_QUERY, R_LONG },
	{ "DEVICE_GET_STATE short", DXG_WIRE_OP_DEVICE_GET_STATE, R_SHORT },
	{ "DEVICE_GET_STATE unknown state", DXG_WIRE_OP_DEVICE_GET_STATE,
	  R_BAD_STATE },
	{ "DEVICE_GET_STATE error 5000", DXG_WIRE_OP_DEVICE_GET_STATE,
	  R_BAD_ERROR },
	{ "ALLOC_DESTROY not empty", DXG_WIRE_OP_ALLOC_DESTROY, R_NONE },
	{ "LOCK not empty", DXG_WIRE_OP_LOCK, R_NONE },
	{ "READ short", DXG_WIRE_OP_READ, R_SHORT },
	{ "READ long", DXG_WIRE_OP_READ, R_LONG },
};

/* The ioctl that sends @op; its result. */
static int issue(FIXTURE_DATA(fake) *self, uint32_t op)
{
	struct dxg_device_get_state st;
	struct dxg_query_memory mem;
	uint64_t id;

	switch (op) {
	case DXG_WIRE_OP_DEVICE_CREATE:
		return dxg_device_create(self->e.fd, self->e.adapter, &id);
	case DXG_WIRE_OP_FENCE_CREATE:
		return dxg_fence_create(self->e.fd, self->e.device, 0, &id,
					NULL);
	case DXG_WIRE_OP_QUERY:
		return dxg_query(self->e.fd, self->e.adapter, DXG_QUERY_MEMORY,
				 &mem, sizeof(mem));
	case DXG_WIRE_OP_DEVICE_GET_STATE:
		return dxg_device_state(self->e.fd, self->e.device, &st);
	default:
		return -EINVAL;
	}
}

TEST_F(fake, op_replies_refused)
{
	long long bad = gpu_counter("bad_replies");
	unsigned int i;

	for (i = 0; i < sizeof(bad_replies) / sizeof(bad_replies[0]); i++) {
		const struct bad_reply *b = &bad_replies[i];
		int drops = self->f.drops, ret;
		uint8_t buf[64];
		uint64_t a = 0;

		TH_LOG("reply: %s", b->what);
		if (b->op == DXG_WIRE_OP_ALLOC_DESTROY ||
		    b->op == DXG_WIRE_OP_LOCK || b->op == DXG_WIRE_OP_READ)
			ASSERT_EQ(0, dxg_alloc_create(self->e.fd,
						      self->e.device, 64, &a));
		/* R_NONE: 4 bytes (8 - 4) where the reply is empty */
		self->h.how = b->how == R_NONE ? R_SHORT : b->how;
		__atomic_store_n(&self->h.op, b->op, __ATOMIC_SEQ_CST);
		switch (b->op) {
		case DXG_WIRE_OP_ALLOC_DESTROY:
			ret = dxg_alloc_destroy(self->e.fd, a);
			/* cleanup always works in the guest */
			EXPECT_EQ(0, ret);
			break;
		case DXG_WIRE_OP_LOCK:
		case DXG_WIRE_OP_READ:
			ret = dxg_read(self->e.fd, a, 0, buf, sizeof(buf));
			EXPECT_EQ(-EPROTO, ret);
			break;
		default:
			ret = issue(self, b->op);
			EXPECT_EQ(-EPROTO, ret);
			break;
		}
		bad++;
		EXPECT_EQ(bad, gpu_counter("bad_replies"));
		ASSERT_EQ(0, dxg_fake_wait(&self->f, &self->f.drops,
					   drops + 1, WAIT_MS));
		check_recovered(_metadata, self);
		dxg_env_close(&self->e);
		ASSERT_EQ(0, dxg_env_open(&self->e, WAIT_MS));
	}
}

/*
 * A status of the kernel's own numbers (512 and up, ERESTARTSYS's
 * range) is hostlink's protocol error: -EPROTO to the caller, the
 * connection stays (hostlink-protocol.rst); 4096 and up would be a
 * malformed frame, hostlink's own test.
 */
TEST_F(fake, op_status_out_of_range)
{
	uint64_t id;

	self->h.how = R_STATUS;
	__atomic_store_n(&self->h.op, DXG_WIRE_OP_DEVICE_CREATE,
			 __ATOMIC_SEQ_CST);
	EXPECT_EQ(-EPROTO, dxg_device_create(self->e.fd, self->e.adapter,
					     &id));
	EXPECT_EQ(0, dxg_device_create(self->e.fd, self->e.adapter, &id));
	EXPECT_EQ(0, self->f.drops);
}

/* A FENCE event of exactly @len bytes (the struct's, or not). */
static int send_fence_event(struct dxg_fake *f, uint64_t process,
			    uint64_t fence, uint64_t value, uint32_t error,
			    uint32_t reserved, size_t len)
{
	uint8_t buf[64] = {};
	struct dxg_wire_ev_fence *ev = (void *)buf;

	ev->process = htole64(process);
	ev->fence = htole64(fence);
	ev->value = htole64(value);
	ev->error = htole32(error);
	ev->__reserved = htole32(reserved);
	return dxg_fake_send(f, HOSTLINK_EVENT, DXG_WIRE_EV_FENCE, 0, 0, buf,
			     len);
}

struct waiter {
	int fd;
	uint64_t fence, value;
	int ret;
	int done;
	pthread_t thread;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = dxg_fence_wait(w->fd, w->fence, w->value, dxg_deadline(WAIT_MS));
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Events that are well formed but name what the guest does not have, or
 * a value it has passed: dropped and counted, the connection stays, and
 * waiters are not woken by them.
 */
TEST_F(fake, events_benign_dropped)
{
	long long ev0 = gpu_counter("events");
	long long drop0 = gpu_counter("events_dropped");
	long long val0 = gpu_counter("values_dropped");
	long long bad0 = gpu_counter("bad_replies");
	const volatile uint64_t *page;
	uint64_t fence, host_fence, proc;
	struct waiter w = {};
	uint32_t slot;
	long long n = 0;

	ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0, &fence,
				      &slot));
	host_fence = self->f.last_fence;
	proc = self->f.process;
	page = mmap(NULL, self->e.caps.out_fence_map_size, PROT_READ,
		    MAP_SHARED, self->e.fd, DXG_MMAP_FENCE_OFFSET);
	ASSERT_NE(MAP_FAILED, page);
	w.fd = self->e.fd;
	w.fence = fence;
	w.value = 10;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiter_fn, &w));

	/* good: 5 */
	ASSERT_EQ(0, send_fence_event(&self->f, proc, host_fence, 5, 0, 0, 32));
	n++;
	/* unknown fence, unknown process: dropped, counted */
	ASSERT_EQ(0, send_fence_event(&self->f, proc, host_fence + 1000, 9,
				      0, 0, 32));
	ASSERT_EQ(0, send_fence_event(&self->f, proc + 1000, host_fence, 9,
				      0, 0, 32));
	n += 2;
	/* falling: dropped, counted; equal: dropped silently */
	ASSERT_EQ(0, send_fence_event(&self->f, proc, host_fence, 3, 0, 0, 32));
	ASSERT_EQ(0, send_fence_event(&self->f, proc, host_fence, 5, 0, 0, 32));
	n += 2;
	ASSERT_EQ(0, gpu_counter_wait("events", ev0 + n, WAIT_MS));
	EXPECT_EQ(drop0 + 2, gpu_counter("events_dropped"));
	EXPECT_EQ(val0 + 1, gpu_counter("values_dropped"));
	EXPECT_EQ(bad0, gpu_counter("bad_replies"));
	/* the higher value kept, the waiter for 10 still waiting */
	EXPECT_EQ(5, page[slot]);
	EXPECT_EQ(0, dxg_fence_wait(self->e.fd, fence, 5, dxg_deadline(0)));
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(self->e.fd, fence, 6,
					      dxg_deadline(0)));
	EXPECT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_SEQ_CST));
	/* and a good event still gets through */
	ASSERT_EQ(0, send_fence_event(&self->f, proc, host_fence, 10, 0, 0,
				      32));
	pthread_join(w.thread, NULL);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(10, page[slot]);
	EXPECT_EQ(0, self->f.drops);
	munmap((void *)page, self->e.caps.out_fence_map_size);
}

/* A malformed event of kind @i (0 to 5) for @fence of @proc; -1 past the end. */
static int send_malformed_event(struct dxg_fake *f, unsigned int i,
				uint64_t proc, uint64_t fence)
{
	uint64_t d = 0;

	switch (i) {
	case 0:		/* short */
		return send_fence_event(f, proc, fence, 7, 0, 0, 24);
	case 1:		/* long */
		return send_fence_event(f, proc, fence, 7, 0, 0, 40);
	case 2:		/* reserved set */
		return send_fence_event(f, proc, fence, 7, 0, 1, 32);
	case 3:		/* an error that is not an errno */
		return send_fence_event(f, proc, fence, 7, 5000, 0, 32);
	case 4:		/* an unknown event op */
		return dxg_fake_send(f, HOSTLINK_EVENT, 99, 0, 0, &d, sizeof(d));
	case 5:		/* a DEVICE event of the wrong size */
		return dxg_fake_send(f, HOSTLINK_EVENT, DXG_WIRE_EV_DEVICE, 0, 0,
				     &d, sizeof(d));
	default:
		return -1;
	}
}

/*
 * A malformed event is the host breaking the protocol: counted, and the
 * connection dropped, so that a waiter gets -ENODEV at once instead of
 * waiting for events a broken host may never send right.  Each kind in
 * turn, each on the connection after the one before.
 */
TEST_F(fake, malformed_events_drop_the_connection)
{
	long long drop0 = gpu_counter("events_dropped");
	unsigned int i;

	for (i = 0;; i++) {
		struct waiter w = {};
		uint64_t fence, t0;
		int sent;

		ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0,
					      &fence, NULL));
		w.fd = self->e.fd;
		w.fence = fence;
		w.value = 1;
		ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiter_fn, &w));
		t0 = hl_now_ms();
		sent = send_malformed_event(&self->f, i, self->f.process,
					    self->f.last_fence);
		if (sent < 0) {
			/* past the last kind: a good event wakes the waiter */
			ASSERT_EQ(0, send_fence_event(&self->f, self->f.process,
						      self->f.last_fence, 1, 0,
						      0, 32));
			pthread_join(w.thread, NULL);
			EXPECT_EQ(0, w.ret);
			break;
		}
		ASSERT_EQ(0, sent);
		pthread_join(w.thread, NULL);
		EXPECT_EQ(-ENODEV, w.ret) TH_LOG("kind %u", i);
		EXPECT_GT(WAIT_MS / 2, hl_now_ms() - t0) TH_LOG("kind %u", i);
		EXPECT_EQ(drop0 + i + 1, gpu_counter("events_dropped"));
		ASSERT_EQ(0, dxg_fake_wait(&self->f, &self->f.drops, i + 1,
					   WAIT_MS)) TH_LOG("kind %u", i);
		ASSERT_EQ(0, wait_connection(self));
		dxg_env_close(&self->e);
		ASSERT_EQ(0, dxg_env_open(&self->e, WAIT_MS));
	}
	EXPECT_EQ(6, self->f.drops);
}

/*
 * A LOST device: waiters on its fences get -ENODEV, its sync_file
 * exports signal with -ENODEV, new work on it is refused; the other
 * device's fence is untouched.
 */
TEST_F(fake, device_lost_fails_waiters)
{
	long long ev0 = gpu_counter("events");
	struct dxg_wire_ev_device ev = {};
	uint64_t fence, host_dev, other_dev, other_fence, ctx;
	struct sync_file_info info = {};
	struct pollfd p;
	struct waiter w = {};
	int sf;

	host_dev = self->f.last_device;
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, self->e.device, 0, &fence,
				      NULL));
	ASSERT_EQ(0, dxg_device_create(self->e.fd, self->e.adapter,
				       &other_dev));
	ASSERT_EQ(0, dxg_fence_create(self->e.fd, other_dev, 0, &other_fence,
				      NULL));
	sf = dxg_export(self->e.fd, fence, 1);
	ASSERT_LE(0, sf);
	w.fd = self->e.fd;
	w.fence = fence;
	w.value = 1;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiter_fn, &w));

	ev.process = htole64(self->f.process);
	ev.device = htole64(host_dev);
	ev.state.state = htole32(DXG_WIRE_DEVICE_LOST);
	ev.state.error = htole32(ENODEV);
	ev.state.cmd_offset = htole32(DXG_WIRE_NO_CMD);
	ASSERT_EQ(0, dxg_fake_send(&self->f, HOSTLINK_EVENT,
				   DXG_WIRE_EV_DEVICE, 0, 0, &ev, sizeof(ev)));
	pthread_join(w.thread, NULL);
	EXPECT_EQ(-ENODEV, w.ret);
	p.fd = sf;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, WAIT_MS));
	info.num_fences = 0;
	ASSERT_EQ(0, ioctl(sf, SYNC_IOC_FILE_INFO, &info));
	EXPECT_EQ(-ENODEV, info.status);
	close(sf);
	EXPECT_EQ(ev0 + 1, gpu_counter("events"));
	EXPECT_EQ(-ENODEV, dxg_context_create(self->e.fd, self->e.device,
					      &ctx));
	/* the other device goes on */
	EXPECT_EQ(-ETIMEDOUT, dxg_fence_wait(self->e.fd, other_fence, 1,
					      dxg_deadline(0)));
	EXPECT_EQ(0, dxg_context_create(self->e.fd, other_dev, &ctx));
	EXPECT_EQ(0, self->f.drops);
}

/*
 * EMSGSIZE to a chunk: the host's frame is smaller than it said.  The
 * driver asks again in smaller chunks and gets every byte right.
 */
TEST_F(fake, read_emsgsize_rechunks)
{
	const size_t len = 512 << 10;
	long long bad = gpu_counter("bad_replies");
	uint8_t *buf = malloc(len);
	uint64_t a;
	size_t i, wrong = 0;

	ASSERT_NE(NULL, buf);
	self->h.read_max = DXG_WIRE_FRAME_MIN - DXG_WIRE_XFER_OVERHEAD;
	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, self->e.device, len, &a));
	ASSERT_EQ(0, dxg_read(self->e.fd, a, 0, buf, len));
	for (i = 0; i < len; i++)
		wrong += buf[i] != pattern_byte(i);
	EXPECT_EQ(0, wrong);
	EXPECT_LE(1, self->h.read_refused);
	EXPECT_GE(self->h.read_max, self->h.read_biggest);
	EXPECT_EQ(len, self->h.read_bytes);
	EXPECT_EQ(bad, gpu_counter("bad_replies"));
	EXPECT_EQ(0, self->f.drops);
	free(buf);
}

/* EMSGSIZE to the smallest chunk every host must take: a protocol error. */
TEST_F(fake, read_emsgsize_floor_is_protocol_error)
{
	long long bad = gpu_counter("bad_replies");
	uint8_t buf[4096];
	uint64_t a;

	self->h.read_max = 1024;
	ASSERT_EQ(0, dxg_alloc_create(self->e.fd, self->e.device,
				      sizeof(buf), &a));
	EXPECT_EQ(-EPROTO, dxg_read(self->e.fd, a, 0, buf, sizeof(buf)));
	EXPECT_EQ(1, self->h.read_refused);
	EXPECT_EQ(bad + 1, gpu_counter("bad_replies"));
	self->h.read_max = 0;
	check_recovered(_metadata, self);
}

/*
 * A host whose agreed frame is below DXG_WIRE_FRAME_MIN (the largest
 * SUBMIT would not fit): the guest drops each such connection before
 * its HELLO, and comes back once the host agrees on enough.
 */
TEST_F(fake, small_frame_dropped_before_hello)
{
	int drops = self->f.drops, requests;
	uint64_t id;

	__atomic_store_n(&self->f.max_frame, DXG_WIRE_FRAME_MIN - 4096,
			 __ATOMIC_SEQ_CST);
	/* a short reply makes the guest reconnect, to the small frame */
	self->h.how = R_SHORT;
	__atomic_store_n(&self->h.op, DXG_WIRE_OP_DEVICE_CREATE,
			 __ATOMIC_SEQ_CST);
	EXPECT_EQ(-EPROTO, dxg_device_create(self->e.fd, self->e.adapter, &id));
	ASSERT_EQ(0, dxg_fake_wait(&self->f, &self->f.drops, drops + 1, WAIT_MS));
	requests = __atomic_load_n(&self->f.requests, __ATOMIC_SEQ_CST);
	/* the next connection, and the one after: dropped, no HELLO */
	ASSERT_EQ(0, dxg_fake_wait(&self->f, &self->f.drops, drops + 3, WAIT_MS));
	EXPECT_EQ(requests, __atomic_load_n(&self->f.requests, __ATOMIC_SEQ_CST));
	__atomic_store_n(&self->f.max_frame, DXG_WIRE_FRAME_MIN, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, wait_connection(self));
	EXPECT_LT(requests, __atomic_load_n(&self->f.requests, __ATOMIC_SEQ_CST));
	dxg_env_close(&self->e);
	ASSERT_EQ(0, dxg_env_open(&self->e, WAIT_MS));
	EXPECT_EQ(0, dxg_device_create(self->e.fd, self->e.adapter, &id));
}

TEST_HARNESS_MAIN
