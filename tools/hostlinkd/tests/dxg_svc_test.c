// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end test of the GPU service of hostlinkd: the real binary on
 * hybrid vsock sockets, a test guest speaking Documentation/
 * dxg-protocol.rst through hl_client.c.  TAP output.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/dxg_wire.h>

#include "hl_client.h"
#include "td_daemon.h"
#include "tap.h"

static char t_path[320];
static uint64_t t_id = 1;

struct t_g {
	struct hlc c;
	uint64_t nonce;
	uint64_t process;
	uint64_t adapter;
	/* events that came while waiting for a reply */
	struct hlc_frame ev[64];
	unsigned int nev;
};

static long t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A request with struct dxg_wire_req; the reply (events kept aside). */
static int t_call_raw(struct t_g *g, uint32_t op, const void *data, uint32_t len,
		      struct hlc_frame *r)
{
	uint64_t id = t_id++;
	int ret = hlc_request(&g->c, id, op, 0, NULL, data, len);

	if (ret)
		return ret;
	for (;;) {
		ret = hlc_recv(&g->c, r, 5000);
		if (ret)
			return ret;
		if (r->h.type == HOSTLINK_EVENT && g->nev < 64) {
			g->ev[g->nev++] = *r;
			continue;
		}
		if (r->h.type != HOSTLINK_REPLY || r->h.id != id) {
			hlc_frame_free(r);
			return -EPROTO;
		}
		return 0;
	}
}

static int t_call(struct t_g *g, uint32_t op, const void *body, uint32_t blen,
		  void *out, uint32_t outlen)
{
	uint8_t buf[80000];
	struct dxg_wire_req req = {
		.process = htole64(g->process),
		.nonce = htole64(g->nonce),
		.adapter = htole64(g->adapter),
	};
	struct hlc_frame r;
	int ret;

	memcpy(buf, &req, sizeof(req));
	if (blen)
		memcpy(buf + sizeof(req), body, blen);
	ret = t_call_raw(g, op, buf, sizeof(req) + blen, &r);
	if (ret)
		return ret;
	ret = -(int)r.h.status;
	if (!ret && r.h.len != outlen)
		ret = -EBADMSG;
	if (!ret && outlen)
		memcpy(out, r.payload, outlen);
	hlc_frame_free(&r);
	return ret;
}

static uint64_t t_create(struct t_g *g, uint32_t op, const void *body, uint32_t blen)
{
	struct dxg_wire_id id;

	if (t_call(g, op, body, blen, &id, sizeof(id)))
		return 0;
	return le64toh(id.id);
}

static int t_destroy(struct t_g *g, uint32_t op, uint64_t id)
{
	struct dxg_wire_id b = { .id = htole64(id) };

	return t_call(g, op, &b, sizeof(b), NULL, 0);
}

/* HELLO: its status; the first adapter's nonce in *@nonce. */
static uint32_t t_max_frame = HOSTLINK_FRAME_DEFAULT;

static int t_hello(struct t_g *g, uint64_t hfeat, uint16_t min, uint16_t max,
		   unsigned int *n_adapters)
{
	struct dxg_wire_hello h = {
		.min_version = htole16(min), .max_version = htole16(max),
		.features = htole64(DXG_WIRE_FEAT_BULK),
	};
	struct hlc_frame r;
	int ret;

	memset(g, 0, sizeof(*g));
	g->process = 7;
	ret = hlc_hello(&g->c, t_path, 1, HOSTLINK_PROTO_MAX, t_max_frame, hfeat, "dxg");
	if (ret || g->c.status)
		return ret ? ret : -1000;
	ret = t_call_raw(g, DXG_WIRE_OP_HELLO, &h, sizeof(h), &r);
	if (ret)
		return ret;
	ret = -(int)r.h.status;
	if (!ret) {
		struct dxg_wire_hello_reply hr;
		struct dxg_wire_adapter a;

		memcpy(&hr, r.payload, sizeof(hr));
		*n_adapters = le16toh(hr.n_adapters);
		if (r.h.len != sizeof(hr) + *n_adapters * sizeof(a) || !*n_adapters) {
			ret = -EBADMSG;
		} else {
			memcpy(&a, r.payload + sizeof(hr), sizeof(a));
			g->nonce = le64toh(a.nonce);
		}
	}
	hlc_frame_free(&r);
	return ret;
}

static int t_open(struct t_g *g)
{
	struct dxg_wire_adapter_open o = { 0 };
	unsigned int n;

	if (t_hello(g, HOSTLINK_FEAT_ALL, 1, 1, &n))
		return -1;
	g->adapter = t_create(g, DXG_WIRE_OP_ADAPTER_OPEN, &o, sizeof(o));
	return g->adapter ? 0 : -1;
}

static void t_close(struct t_g *g)
{
	unsigned int i;

	for (i = 0; i < g->nev; i++)
		hlc_frame_free(&g->ev[i]);
	hlc_close(&g->c);
}

/* Is @f the FENCE event of @fence at @value or above?  Its error then. */
static bool t_is_fence(const struct hlc_frame *f, uint64_t fence, uint64_t value,
		       uint32_t *error)
{
	struct dxg_wire_ev_fence ev;

	if (f->h.type != HOSTLINK_EVENT || f->h.op != DXG_WIRE_EV_FENCE ||
	    f->h.len != sizeof(ev))
		return false;
	memcpy(&ev, f->payload, sizeof(ev));
	if (le64toh(ev.fence) != fence || le64toh(ev.value) < value)
		return false;
	*error = le32toh(ev.error);
	return true;
}

/*
 * Waits for a FENCE event of @fence reaching @value: its error, and
 * whether a DEVICE event came before it.  Other events are kept.
 */
static int t_wait_fence(struct t_g *g, uint64_t fence, uint64_t value, uint32_t *error,
			bool *device_first)
{
	bool dev = false;
	unsigned int i;

	for (i = 0; i < g->nev; i++) {
		struct hlc_frame *f = &g->ev[i];

		if (f->h.op == DXG_WIRE_EV_DEVICE)
			dev = true;
		if (t_is_fence(f, fence, value, error)) {
			hlc_frame_free(f);
			memmove(f, f + 1, (g->nev - i - 1) * sizeof(*f));
			g->nev--;
			goto found;
		}
	}
	for (;;) {
		struct hlc_frame f;

		if (hlc_recv(&g->c, &f, 5000))
			return -ETIMEDOUT;
		if (f.h.type == HOSTLINK_EVENT && f.h.op == DXG_WIRE_EV_DEVICE)
			dev = true;
		if (t_is_fence(&f, fence, value, error)) {
			hlc_frame_free(&f);
			goto found;
		}
		if (f.h.type == HOSTLINK_EVENT && g->nev < 64)
			g->ev[g->nev++] = f;
		else
			hlc_frame_free(&f);
	}
found:
	if (device_first)
		*device_first = dev;
	return 0;
}

struct t_objs {
	uint64_t dev, ctx, ctx2, a, b, fence, fence2;
};

static int t_objs_make(struct t_g *g, struct t_objs *o, uint64_t size)
{
	struct dxg_wire_device_create dc = { 0 };
	struct dxg_wire_context_create cc = { 0 };
	struct dxg_wire_alloc_create ac = { 0 };
	struct dxg_wire_fence_create fc = { 0 };

	o->dev = t_create(g, DXG_WIRE_OP_DEVICE_CREATE, &dc, sizeof(dc));
	cc.device = ac.device = fc.device = htole64(o->dev);
	ac.size = htole64(size);
	o->ctx = t_create(g, DXG_WIRE_OP_CONTEXT_CREATE, &cc, sizeof(cc));
	o->ctx2 = t_create(g, DXG_WIRE_OP_CONTEXT_CREATE, &cc, sizeof(cc));
	o->a = t_create(g, DXG_WIRE_OP_ALLOC_CREATE, &ac, sizeof(ac));
	o->b = t_create(g, DXG_WIRE_OP_ALLOC_CREATE, &ac, sizeof(ac));
	o->fence = t_create(g, DXG_WIRE_OP_FENCE_CREATE, &fc, sizeof(fc));
	o->fence2 = t_create(g, DXG_WIRE_OP_FENCE_CREATE, &fc, sizeof(fc));
	return o->dev && o->ctx && o->ctx2 && o->a && o->b && o->fence && o->fence2 ? 0 : -1;
}

static int t_lock(struct t_g *g, uint64_t alloc, uint64_t off, uint64_t len, uint32_t flags)
{
	struct dxg_wire_lock l = {
		.alloc = htole64(alloc), .offset = htole64(off), .length = htole64(len),
		.flags = htole32(flags),
	};

	return t_call(g, DXG_WIRE_OP_LOCK, &l, sizeof(l), NULL, 0);
}

static int t_unlock(struct t_g *g, uint64_t alloc)
{
	struct dxg_wire_unlock u = { .alloc = htole64(alloc) };

	return t_call(g, DXG_WIRE_OP_UNLOCK, &u, sizeof(u), NULL, 0);
}

static int t_write(struct t_g *g, uint64_t alloc, uint64_t off, const void *data, uint64_t len)
{
	static uint8_t buf[70000];
	struct dxg_wire_xfer x = {
		.alloc = htole64(alloc), .offset = htole64(off), .length = htole64(len),
	};

	memcpy(buf, &x, sizeof(x));
	memcpy(buf + sizeof(x), data, len);
	return t_call(g, DXG_WIRE_OP_WRITE, buf, sizeof(x) + len, NULL, 0);
}

static int t_read(struct t_g *g, uint64_t alloc, uint64_t off, void *data, uint64_t len)
{
	struct dxg_wire_xfer x = {
		.alloc = htole64(alloc), .offset = htole64(off), .length = htole64(len),
	};

	return t_call(g, DXG_WIRE_OP_READ, &x, sizeof(x), data, len);
}

/* SUBMIT of @cmds on @ctx with allocs [a, b] and one signal. */
static int t_submit(struct t_g *g, uint64_t ctx, const uint64_t *allocs, unsigned int na,
		    uint64_t fence, uint64_t value, const void *cmds, uint32_t cmd_bytes)
{
	uint8_t buf[4096];
	struct dxg_wire_submit s = {
		.context = htole64(ctx), .cmd_bytes = htole32(cmd_bytes),
		.n_allocs = htole16(na), .n_signals = htole16(fence ? 1 : 0),
	};
	struct dxg_wire_fence_value fv = { .fence = htole64(fence), .value = htole64(value) };
	struct dxg_wire_submit_reply r;
	size_t n = 0;
	unsigned int i;

	memcpy(buf, &s, sizeof(s));
	n += sizeof(s);
	for (i = 0; i < na; i++) {
		uint64_t id = htole64(allocs[i]);

		memcpy(buf + n, &id, 8);
		n += 8;
	}
	if (fence) {
		memcpy(buf + n, &fv, sizeof(fv));
		n += sizeof(fv);
	}
	memcpy(buf + n, cmds, cmd_bytes);
	n += cmd_bytes;
	return t_call(g, DXG_WIRE_OP_SUBMIT, buf, n, &r, sizeof(r));
}

static void t_hdr(struct dxg_wire_cmd_hdr *h, uint16_t op, uint32_t size)
{
	h->opcode = htole16(op);
	h->flags = 0;
	h->size = htole32(size);
}

static void test_hello(void)
{
	struct t_g g;
	unsigned int n;

	t_ok(!t_hello(&g, HOSTLINK_FEAT_ALL, 1, 1, &n) && n == 1 && g.nonce,
	     "HELLO: one adapter with a nonce");
	t_close(&g);
	t_ok(t_hello(&g, HOSTLINK_FEAT_ALL & ~HOSTLINK_FEAT_EVENTS, 1, 1, &n) == -EOPNOTSUPP,
	     "HELLO without HOSTLINK_FEAT_EVENTS: EOPNOTSUPP");
	t_ok(hlc_wait_eof(g.c.fd, 5000) == 0, "... and the connection closes");
	t_close(&g);
	t_max_frame = 64 * 1024;
	t_ok(t_hello(&g, HOSTLINK_FEAT_ALL, 1, 1, &n) == -EMSGSIZE,
	     "HELLO on 64 KiB frames: EMSGSIZE");
	t_max_frame = HOSTLINK_FRAME_DEFAULT;
	t_close(&g);
	t_ok(t_hello(&g, HOSTLINK_FEAT_ALL, 2, 3, &n) == -EPROTONOSUPPORT,
	     "HELLO with versions 2-3: EPROTONOSUPPORT");
	t_close(&g);
	t_ok(t_hello(&g, HOSTLINK_FEAT_ALL, 1, 1, &n) == 0 &&
	     t_hello(&g, HOSTLINK_FEAT_ALL, 1, 1, &n) == 0, "two connections, two HELLOs");
	t_close(&g);
}

static void test_before_hello(void)
{
	struct t_g g;
	struct dxg_wire_req r = { .process = htole64(7) };
	struct hlc_frame f;

	memset(&g, 0, sizeof(g));
	if (hlc_hello(&g.c, t_path, 1, HOSTLINK_PROTO_MAX, HOSTLINK_FRAME_DEFAULT,
		      HOSTLINK_FEAT_ALL, "dxg")) {
		t_ok(0, "an op before HELLO: EPROTO and close");
		return;
	}
	t_ok(!t_call_raw(&g, DXG_WIRE_OP_ADAPTER_CLOSE, &r, sizeof(r), &f) &&
	     f.h.status == EPROTO && hlc_wait_eof(g.c.fd, 5000) == 0,
	     "an op before HELLO: EPROTO and close");
	hlc_frame_free(&f);
	t_close(&g);
}

static void test_objects_and_work(void)
{
	static uint8_t data[4096], back[4096];
	struct dxg_wire_cmd_fill fill = { 0 };
	struct dxg_wire_cmd_copy copy = { 0 };
	struct dxg_wire_cmd_crc32c crc = { 0 };
	uint8_t cmds[256];
	uint64_t allocs[2];
	struct t_objs o;
	struct t_g g;
	uint32_t err, v, i;
	bool ok = true;
	size_t n = 0;

	if (t_open(&g) || t_objs_make(&g, &o, 4096)) {
		t_ok(0, "adapter open and objects created");
		return;
	}
	t_ok(1, "adapter open and objects created");
	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 3;
	t_ok(!t_lock(&g, o.a, 0, 4096, DXG_WIRE_LOCK_WRITE | DXG_WIRE_LOCK_DISCARD) &&
	     !t_write(&g, o.a, 0, data, 4096) && !t_unlock(&g, o.a), "LOCK, WRITE, UNLOCK");

	/* FILL b[0..64) with a pattern, COPY a[0..1024) to b[64..), CRC a to b[2048] */
	t_hdr(&fill.hdr, DXG_WIRE_CMD_FILL, sizeof(fill));
	fill.alloc = htole32(1);
	fill.pattern = htole32(0xa5a5a5a5);
	fill.length = htole64(64);
	t_hdr(&copy.hdr, DXG_WIRE_CMD_COPY, sizeof(copy));
	copy.dst = htole32(1);
	copy.src = htole32(0);
	copy.dst_offset = htole64(64);
	copy.length = htole64(1024);
	t_hdr(&crc.hdr, DXG_WIRE_CMD_CRC32C, sizeof(crc));
	crc.dst = htole32(1);
	crc.src = htole32(0);
	crc.dst_offset = htole64(2048);
	crc.length = htole64(4096);
	memcpy(cmds + n, &fill, sizeof(fill));
	n += sizeof(fill);
	memcpy(cmds + n, &copy, sizeof(copy));
	n += sizeof(copy);
	memcpy(cmds + n, &crc, sizeof(crc));
	n += sizeof(crc);
	allocs[0] = o.a;
	allocs[1] = o.b;
	t_ok(!t_submit(&g, o.ctx, allocs, 2, o.fence, 1, cmds, n), "SUBMIT FILL, COPY, CRC32C");
	{
		/* Small, so run inline: its event left in the reply's send. */
		struct pollfd p = { .fd = g.c.fd, .events = POLLIN };

		t_ok(g.nev || poll(&p, 1, 0) == 1,
		     "its FENCE event was in the socket with the reply");
	}
	t_ok(!t_wait_fence(&g, o.fence, 1, &err, NULL) && !err,
	     "a FENCE event with value 1, error 0, follows");
	t_ok(!t_lock(&g, o.b, 0, 4096, DXG_WIRE_LOCK_READ) && !t_read(&g, o.b, 0, back, 4096),
	     "LOCK READ and READ back");
	for (i = 0; i < 64; i++)
		ok &= back[i] == 0xa5;
	t_ok(ok, "FILL wrote its pattern");
	t_ok(!memcmp(back + 64, data, 1024), "COPY copied");
	{
		/* CRC-32C, the reflected Castagnoli polynomial */
		uint32_t c = 0xffffffff;
		unsigned int k;

		for (i = 0; i < 4096; i++) {
			c ^= data[i];
			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		}
		c ^= 0xffffffff;
		memcpy(&v, back + 2048, 4);
		t_ok(le32toh(v) == c, "CRC32C wrote the checksum");
	}
	t_ok(!t_unlock(&g, o.b), "UNLOCK");

	/* a foreign process cannot name them */
	g.process = 8;
	t_ok(t_destroy(&g, DXG_WIRE_OP_ALLOC_DESTROY, o.a) == -ENOENT,
	     "another process's allocation: ENOENT");
	g.process = 7;
	{
		uint64_t nonce = g.nonce;

		g.nonce ^= 1;
		t_ok(t_destroy(&g, DXG_WIRE_OP_ALLOC_DESTROY, o.a) == -ESTALE,
		     "a stale nonce: ESTALE");
		g.nonce = nonce;
	}
	{
		struct dxg_wire_unlock u = { .alloc = htole64(o.a), .flags = htole32(1) };

		t_ok(t_call(&g, DXG_WIRE_OP_UNLOCK, &u, sizeof(u), NULL, 0) == -EINVAL,
		     "a non-zero flag: EINVAL");
	}
	t_ok(!t_destroy(&g, DXG_WIRE_OP_ALLOC_DESTROY, o.a) &&
	     t_destroy(&g, DXG_WIRE_OP_ALLOC_DESTROY, o.a) == -ENOENT,
	     "ALLOC_DESTROY, then ENOENT");
	t_ok(!t_destroy(&g, DXG_WIRE_OP_FENCE_DESTROY, o.fence) &&
	     !t_destroy(&g, DXG_WIRE_OP_CONTEXT_DESTROY, o.ctx) &&
	     !t_destroy(&g, DXG_WIRE_OP_DEVICE_DESTROY, o.dev),
	     "FENCE, CONTEXT and DEVICE_DESTROY");
	t_ok(!t_call(&g, DXG_WIRE_OP_ADAPTER_CLOSE, NULL, 0, NULL, 0), "ADAPTER_CLOSE");
	{
		struct dxg_wire_id id = { .id = htole64(o.b) };
		uint8_t longer[16] = { 0 };

		memcpy(longer, &id, 8);
		t_ok(t_call(&g, DXG_WIRE_OP_ALLOC_DESTROY, longer, sizeof(longer), NULL, 0) ==
		     -EPROTO && hlc_wait_eof(g.c.fd, 5000) == 0,
		     "a body longer than the op's: EPROTO and close");
	}
	t_close(&g);
}

static void test_fault_and_parallel(void)
{
	struct dxg_wire_cmd_timestamp ts = { 0 };
	struct dxg_wire_cmd_delay dl = { 0 };
	uint64_t allocs[1];
	struct t_objs o;
	struct t_g g;
	uint32_t err;
	bool dev_first = false;
	long t0;

	if (t_open(&g) || t_objs_make(&g, &o, 4096)) {
		t_ok(0, "objects for the fault test");
		return;
	}
	/* --dxg-fail-opcode 8: the first TIMESTAMP fails with EIO */
	t_hdr(&ts.hdr, DXG_WIRE_CMD_TIMESTAMP, sizeof(ts));
	allocs[0] = o.a;
	t_ok(!t_submit(&g, o.ctx, allocs, 1, o.fence, 5, &ts, sizeof(ts)),
	     "SUBMIT of a TIMESTAMP that the backend fails");
	t_ok(!t_wait_fence(&g, o.fence, 5, &err, &dev_first) && err == EIO && dev_first,
	     "a DEVICE event, then the FENCE event with EIO");
	t_ok(t_submit(&g, o.ctx, allocs, 1, o.fence, 6, &ts, sizeof(ts)) == -EIO,
	     "new work on the faulted device: EIO");

	/* a new device: DELAY 300 ms on two contexts at once */
	if (t_objs_make(&g, &o, 4096)) {
		t_ok(0, "DELAY on two contexts runs in parallel");
		t_close(&g);
		return;
	}
	t_hdr(&dl.hdr, DXG_WIRE_CMD_DELAY, sizeof(dl));
	dl.usec = htole32(300000);
	t0 = t_now_ms();
	{
		int r1 = t_submit(&g, o.ctx, NULL, 0, o.fence, 1, &dl, sizeof(dl));
		int r2 = t_submit(&g, o.ctx2, NULL, 0, o.fence2, 1, &dl, sizeof(dl));
		int w1 = t_wait_fence(&g, o.fence, 1, &err, NULL);
		int w2 = t_wait_fence(&g, o.fence2, 1, &err, NULL);
		long ms = t_now_ms() - t0;

		t_ok(!r1 && !r2 && !w1 && !w2 && ms < 550,
		     "DELAY 300 ms on two contexts runs in parallel (%d %d %d %d, %ld ms)",
		     r1, r2, w1, w2, ms);
	}
	/* a submission still running when the guest goes */
	dl.usec = htole32(200000);
	t_ok(!t_submit(&g, o.ctx, NULL, 0, o.fence, 3, &dl, sizeof(dl)),
	     "SUBMIT, then disconnect mid-run");
	t_close(&g);
	t_ok(!t_open(&g), "the daemon serves a new connection");
	t_close(&g);
}

static void test_bulk(void)
{
	const uint64_t size = (1 << 20) + 4096;
	uint8_t *data = malloc(size), *back = malloc(size);
	struct dxg_wire_bulk tok;
	struct dxg_wire_bulk_done done;
	struct dxg_wire_xfer x = { .length = htole64(size), .flags = htole32(DXG_WIRE_XFER_F_BULK) };
	char dsock[320];
	struct t_objs o;
	struct t_g g;
	uint32_t st;
	uint64_t i;
	int fd;

	snprintf(dsock, sizeof(dsock), "%s", t_path);
	if (!data || !back || t_open(&g) || t_objs_make(&g, &o, size)) {
		t_ok(0, "objects for the bulk test");
		goto out;
	}
	for (i = 0; i < size; i++)
		data[i] = i ^ (i >> 8);
	x.alloc = htole64(o.a);
	t_ok(!t_lock(&g, o.a, 0, size, DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_WRITE) &&
	     !t_call(&g, DXG_WIRE_OP_WRITE, &x, sizeof(x), &tok, sizeof(tok)),
	     "bulk WRITE: a token");
	t_ok(!hlc_attach(dsock, tok.token, "dxg", g.c.rx.version, &fd, &st) && !st &&
	     !hlc_write_full(fd, data, size) && !hlc_read_full(fd, &done, sizeof(done), 5000) &&
	     le32toh(done.magic) == DXG_WIRE_BULK_DONE_MAGIC && !done.status &&
	     le64toh(done.length) == size && hlc_wait_eof(fd, 5000) == 0,
	     "bulk WRITE of %llu bytes: bulk_done 0, closed", (unsigned long long)size);
	close(fd);
	t_ok(!t_call(&g, DXG_WIRE_OP_READ, &x, sizeof(x), &tok, sizeof(tok)),
	     "bulk READ: a token");
	memset(back, 0, size);
	t_ok(!hlc_attach(dsock, tok.token, "dxg", g.c.rx.version, &fd, &st) && !st &&
	     !hlc_read_full(fd, back, size, 5000) && !hlc_read_full(fd, &done, sizeof(done), 5000) &&
	     !done.status && le64toh(done.length) == size && !memcmp(back, data, size),
	     "bulk READ gives back the bytes, then bulk_done 0");
	close(fd);
	t_ok(!t_read(&g, o.a, size - 16, back, 16) && !memcmp(back, data + size - 16, 16),
	     "a chunked READ sees the bulk WRITE");
	t_ok(!t_unlock(&g, o.a), "UNLOCK");
	t_close(&g);
	t_ok(t_hello(&g, HOSTLINK_FEAT_ALL & ~HOSTLINK_FEAT_ATTACH, 1, 1, (unsigned int *)&st) == 0,
	     "HELLO without ATTACH");
	{
		struct dxg_wire_adapter_open ao = { 0 };

		g.adapter = t_create(&g, DXG_WIRE_OP_ADAPTER_OPEN, &ao, sizeof(ao));
		t_ok(t_call(&g, DXG_WIRE_OP_READ, &x, sizeof(x), &tok, sizeof(tok)) == -EOPNOTSUPP,
		     "... a bulk READ is EOPNOTSUPP");
	}
	t_close(&g);
out:
	free(data);
	free(back);
}

static void test_lock_wait(void)
{
	struct dxg_wire_cmd_delay dl = { 0 };
	struct dxg_wire_lock l = { .length = htole64(16), .flags = htole32(DXG_WIRE_LOCK_READ) };
	struct dxg_wire_fence_value fv;
	struct dxg_wire_req rq = { .process = htole64(7), .__reserved = htole64(1) };
	uint8_t buf[128];
	uint64_t allocs[1], id;
	struct t_objs o;
	struct t_g g;
	uint32_t err;
	long t0, ms;
	int ret;

	if (t_open(&g) || t_objs_make(&g, &o, 4096)) {
		t_ok(0, "objects for the lock test");
		return;
	}
	t_hdr(&dl.hdr, DXG_WIRE_CMD_DELAY, sizeof(dl));
	dl.usec = htole32(200000);
	allocs[0] = o.a;
	t0 = t_now_ms();
	ret = t_submit(&g, o.ctx, allocs, 1, o.fence, 1, &dl, sizeof(dl));
	ret = ret ? ret : t_lock(&g, o.a, 0, 16, DXG_WIRE_LOCK_READ);
	ms = t_now_ms() - t0;
	t_ok(!ret && ms >= 150, "LOCK waits for the submission naming it (%d, %ld ms)", ret, ms);
	t_ok(!t_unlock(&g, o.a), "UNLOCK");
	ret = t_submit(&g, o.ctx, allocs, 1, o.fence, 2, &dl, sizeof(dl));
	t_ok(!ret && t_lock(&g, o.a, 0, 16, DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_NOWAIT) == -EBUSY,
	     "LOCK NOWAIT behind queued work: EBUSY");
	/* a waiting LOCK, cancelled: the lock is dropped */
	l.alloc = htole64(o.a);
	memcpy(buf, &(struct dxg_wire_req){ .process = htole64(7), .nonce = htole64(g.nonce),
					   .adapter = htole64(g.adapter) }, 32);
	memcpy(buf + 32, &l, sizeof(l));
	id = t_id++;
	t_ok(!hlc_request(&g.c, id, DXG_WIRE_OP_LOCK, 0, NULL, buf, 32 + sizeof(l)) &&
	     !hlc_cancel(&g.c, id) && !t_wait_fence(&g, o.fence, 2, &err, NULL) &&
	     !t_lock(&g, o.a, 0, 16, DXG_WIRE_LOCK_READ) && !t_unlock(&g, o.a),
	     "a cancelled waiting LOCK is dropped");
	/* FENCE_SIGNAL's event comes before its reply */
	fv.fence = htole64(o.fence);
	fv.value = htole64(10);
	while (g.nev)
		hlc_frame_free(&g.ev[--g.nev]);
	t_ok(!t_call(&g, DXG_WIRE_OP_FENCE_SIGNAL, &fv, sizeof(fv), NULL, 0) && g.nev == 1 &&
	     t_is_fence(&g.ev[0], o.fence, 10, &err), "FENCE_SIGNAL: the event, then the reply");
	{
		struct hlc_frame f;

		rq.nonce = htole64(g.nonce);
		rq.adapter = htole64(g.adapter);
		t_ok(!t_call_raw(&g, DXG_WIRE_OP_ADAPTER_CLOSE, &rq, sizeof(rq), &f) &&
		     f.h.status == EINVAL, "a reserved field of dxg_wire_req: EINVAL");
		hlc_frame_free(&f);
	}
	{
		struct dxg_wire_submit sb = { .context = htole64(o.ctx), .n_allocs = htole16(2) };
		uint64_t one = htole64(o.a);

		memcpy(buf, &sb, sizeof(sb));
		memcpy(buf + sizeof(sb), &one, 8);
		t_ok(t_call(&g, DXG_WIRE_OP_SUBMIT, buf, sizeof(sb) + 8, NULL, 0) == -EPROTO &&
		     hlc_wait_eof(g.c.fd, 5000) == 0, "SUBMIT shorter than its counts: EPROTO, closed");
	}
	t_close(&g);
}

static void test_limits(void)
{
	struct dxg_wire_alloc_create ac = { 0 };
	struct dxg_wire_device_create dc = { 0 };
	struct t_g g;
	uint64_t dev;

	if (t_open(&g)) {
		t_ok(0, "limits");
		return;
	}
	dev = t_create(&g, DXG_WIRE_OP_DEVICE_CREATE, &dc, sizeof(dc));
	ac.device = htole64(dev);
	ac.size = htole64(200ULL << 20);
	t_ok(t_create(&g, DXG_WIRE_OP_ALLOC_CREATE, &ac, sizeof(ac)) != 0 &&
	     t_call(&g, DXG_WIRE_OP_ALLOC_CREATE, &ac, sizeof(ac), NULL, 0) == -ENOMEM,
	     "beyond the adapter's memory: ENOMEM");
	t_close(&g);
}

/* Bad dxg keys: exit 2, naming the file and line. */
static void test_config(void)
{
	static const char *const bad[] = {
		"dxg_adapter = soft0\n",
		"dxg_adapter = :256M\n",
		"dxg_adapter = a\tb:256M\n",
		"dxg_adapter = soft0:12Q\n",
		"dxg_adapter = soft0:256M:display\n",
		"dxg_adapter = a:1M\ndxg_adapter = a:1M\n",
		"dxg_workers = 0\n",
		"dxg_max_memory = 1K\n",
		"dxg_max_objects = lots\n",
	};
	char path[300], out[4096], want[320];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { td_bin, "--config", path, "--no-vsock", "--hybrid",
				       "/nonexistent/x", NULL };
		int rc;

		td_write("bad.conf", bad[i], path, sizeof(path));
		rc = td_run(args, out, sizeof(out));
		snprintf(want, sizeof(want), "%s:%u:", path, i == 5 ? 2 : 1);
		t_ok(rc == 2 && strstr(out, want), "config '%.*s': exit 2, names %s",
		     (int)strcspn(bad[i], "\n"), bad[i], want);
	}
	{
		const char *args[] = { td_bin, "--config", path, "--no-vsock", "--hybrid",
				       "/nonexistent/x", "--dxg-workers", "65", NULL };
		int rc;

		td_write("good.conf", "dxg_adapter = a:1M\ndxg_adapter = \xc3\xa9t\xc3\xa9:2G:compute\n",
			 path, sizeof(path));
		rc = td_run(args, out, sizeof(out));
		t_ok(rc == 2 && strstr(out, "--dxg-workers"), "--dxg-workers 65: exit 2");
	}
}

int main(void)
{
	const char *args[] = { "--trust-hybrid", "--listen", "dxg", "--dxg-fail-opcode", "8",
			       NULL };
	struct td d;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (td_setup() || td_start(&d, "dxg", args)) {
		printf("not ok 1 - hostlinkd starts\n1..1\n");
		return 1;
	}
	snprintf(t_path, sizeof(t_path), "%s_%u", d.prefix, HOSTLINK_PORT_DXG);
	test_hello();
	test_before_hello();
	test_objects_and_work();
	test_fault_and_parallel();
	test_bulk();
	test_lock_wait();
	test_limits();
	test_config();
	t_ok(td_alive(&d), "the daemon is still alive");
	t_ok(td_stop(&d) == 0, "SIGTERM: exits 0");
	td_cleanup();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
