/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine test's harness (dxg_engine_test.c): the notifications it
 * records, a guest on the software backend, a SUBMIT body builder and
 * command constructors.  Included once, by that test.
 */
#ifndef DXG_ENGINE_TLIB_H
#define DXG_ENGINE_TLIB_H

#include <endian.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dxg/hl_dxg_engine.h"
#include "dxg/hl_dxg_soft.h"
#include "tests/tap.h"

/* ---- events ---- */

#define T_MAX_EV 4096

struct t_ev {
	bool device;
	uint64_t process, id, value;
	uint32_t error;
	struct dxg_wire_device_state st;
	uint64_t ns;
	pthread_t thread;	/* that made the notification */
};

static pthread_mutex_t t_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t t_cond = PTHREAD_COND_INITIALIZER;
static struct t_ev t_evs[T_MAX_EV];
static unsigned int t_nev;

static uint64_t t_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void t_push(const struct t_ev *e)
{
	pthread_mutex_lock(&t_lock);
	if (t_nev < T_MAX_EV) {
		t_evs[t_nev] = *e;
		t_evs[t_nev].thread = pthread_self();
		t_evs[t_nev++].ns = t_now();
	}
	pthread_cond_broadcast(&t_cond);
	pthread_mutex_unlock(&t_lock);
}

static void t_on_fence(void *cookie, uint64_t process, uint64_t fence,
		       uint64_t value, uint32_t error)
{
	struct t_ev e = { false, process, fence, value, error, { 0 }, 0, 0 };

	(void)cookie;
	t_push(&e);
}

static void t_on_device(void *cookie, uint64_t process, uint64_t device,
			const struct dxg_wire_device_state *st)
{
	struct t_ev e = { true, process, device, 0, 0, *st, 0, 0 };

	(void)cookie;
	t_push(&e);
}

/* LOCKs that waited: their allocation and errno, as they come. */
static uint64_t t_lock_alloc;
static int t_lock_err = -1;

static void t_on_lock(void *cookie, uint64_t process, uint64_t alloc, int err)
{
	(void)cookie;
	(void)process;
	pthread_mutex_lock(&t_lock);
	t_lock_alloc = alloc;
	t_lock_err = err;
	pthread_cond_broadcast(&t_cond);
	pthread_mutex_unlock(&t_lock);
}

static const struct hl_dxg_notify_ops t_notify = {
	.fence = t_on_fence,
	.device = t_on_device,
	.lock = t_on_lock,
};

/* The index of the first event of @fence with value >= @value, or -1. */
static int t_find(uint64_t fence, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < t_nev; i++)
		if (!t_evs[i].device && t_evs[i].id == fence &&
		    t_evs[i].value >= value)
			return (int)i;
	return -1;
}

/* Waits up to @ms for a FENCE event; its copy in *@out. */
static bool t_wait(uint64_t fence, uint64_t value, unsigned int ms,
		   struct t_ev *out)
{
	struct timespec dl;
	int i;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&t_lock);
	while ((i = t_find(fence, value)) < 0)
		if (pthread_cond_timedwait(&t_cond, &t_lock, &dl))
			break;
	if (i >= 0 && out)
		*out = t_evs[i];
	pthread_mutex_unlock(&t_lock);
	return i >= 0;
}

static unsigned int t_count(uint64_t fence)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&t_lock);
	for (i = 0; i < t_nev; i++)
		n += !t_evs[i].device && t_evs[i].id == fence;
	pthread_mutex_unlock(&t_lock);
	return n;
}

static void t_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- a guest ---- */

struct t_env {
	struct hl_dxg_soft *soft;
	struct hl_dxg_engine *eng;
	struct hl_dxg_guest *g;
	struct hl_dxg_who w;
	uint64_t dev;
};

/* The soft backend with every submission on a worker (no inline runs). */
static struct hl_dxg_backend_ops t_worker_ops;
static const struct hl_dxg_backend_ops *t_ops = &hl_dxg_soft_ops;

static void t_env_up(struct t_env *t, const struct hl_dxg_engine_cfg *cfg)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&t_lock);
	t_nev = 0;
	pthread_mutex_unlock(&t_lock);
	if (hl_dxg_soft_create(&t->soft) ||
	    hl_dxg_engine_create(cfg, t_ops, t->soft, &t_notify, &t->eng) ||
	    hl_dxg_guest_create(t->eng, NULL, &t->g)) {
		printf("Bail out! engine setup\n");
		exit(1);
	}
	t->w.process = 7;
	t->w.nonce = hl_dxg_guest_nonce(t->g);
	if (hl_dxg_adapter_open(t->g, &t->w, &t->w.adapter) ||
	    hl_dxg_device_create(t->g, &t->w, &t->dev)) {
		printf("Bail out! device setup\n");
		exit(1);
	}
}

static void t_env_down(struct t_env *t)
{
	hl_dxg_guest_destroy(t->g);
	hl_dxg_engine_destroy(t->eng);
	hl_dxg_soft_destroy(t->soft);
}

static uint64_t t_alloc(struct t_env *t, uint64_t size)
{
	uint64_t id = 0;

	if (hl_dxg_alloc_create(t->g, &t->w, t->dev, size, &id))
		return 0;
	return id;
}

static uint64_t t_ctx(struct t_env *t)
{
	uint64_t id = 0;

	if (hl_dxg_context_create(t->g, &t->w, t->dev, &id))
		return 0;
	return id;
}

static uint64_t t_fence(struct t_env *t, uint64_t v)
{
	uint64_t id = 0;

	if (hl_dxg_fence_create(t->g, &t->w, t->dev, v, &id))
		return 0;
	return id;
}

/* LOCK, READ or WRITE, UNLOCK: what the service layer will do. */
static int t_xfer(struct t_env *t, uint64_t alloc, uint64_t off, void *rbuf,
		  const void *wbuf, uint64_t len)
{
	int ret = hl_dxg_lock(t->g, &t->w, alloc, off, len,
			      rbuf ? DXG_WIRE_LOCK_READ : DXG_WIRE_LOCK_WRITE);

	if (ret)
		return ret;
	ret = rbuf ? hl_dxg_alloc_read(t->g, &t->w, alloc, off, rbuf, len) :
		     hl_dxg_alloc_write(t->g, &t->w, alloc, off, wbuf, len);
	hl_dxg_unlock(t->g, &t->w, alloc);
	return ret;
}

static int t_read(struct t_env *t, uint64_t alloc, uint64_t off, void *buf,
		  uint64_t len)
{
	return t_xfer(t, alloc, off, buf, NULL, len);
}

static int t_write(struct t_env *t, uint64_t alloc, uint64_t off,
		   const void *buf, uint64_t len)
{
	return t_xfer(t, alloc, off, NULL, buf, len);
}

/* ---- building a SUBMIT body ---- */

struct t_sb {
	struct dxg_wire_submit h;
	struct dxg_wire_id allocs[300];
	struct dxg_wire_fence_value waits[40], signals[40];
	uint8_t cmds[DXG_WIRE_MAX_CMDBUF + 64];
	uint8_t body[80000];
	size_t len;
};

static struct t_sb t_sbuf;

static struct t_sb *t_sb(uint64_t ctx)
{
	struct t_sb *b = &t_sbuf;

	memset(&b->h, 0, sizeof(b->h));
	b->h.context = htole64(ctx);
	return b;
}

static void t_sb_alloc(struct t_sb *b, uint64_t id)
{
	b->allocs[le16toh(b->h.n_allocs)].id = htole64(id);
	b->h.n_allocs = htole16(le16toh(b->h.n_allocs) + 1);
}

static void t_sb_wait(struct t_sb *b, uint64_t f, uint64_t v)
{
	unsigned int n = le16toh(b->h.n_waits);

	b->waits[n].fence = htole64(f);
	b->waits[n].value = htole64(v);
	b->h.n_waits = htole16(n + 1);
}

static void t_sb_signal(struct t_sb *b, uint64_t f, uint64_t v)
{
	unsigned int n = le16toh(b->h.n_signals);

	b->signals[n].fence = htole64(f);
	b->signals[n].value = htole64(v);
	b->h.n_signals = htole16(n + 1);
}

static void t_sb_cmd(struct t_sb *b, const void *cmd, size_t size)
{
	memcpy(b->cmds + le32toh(b->h.cmd_bytes), cmd, size);
	b->h.cmd_bytes = htole32(le32toh(b->h.cmd_bytes) + (uint32_t)size);
}

static void t_sb_pack(struct t_sb *b)
{
	uint8_t *p = b->body;
	size_t n;

	memcpy(p, &b->h, sizeof(b->h));
	p += sizeof(b->h);
	n = le16toh(b->h.n_allocs) * sizeof(b->allocs[0]);
	memcpy(p, b->allocs, n);
	p += n;
	n = le16toh(b->h.n_waits) * sizeof(b->waits[0]);
	memcpy(p, b->waits, n);
	p += n;
	n = le16toh(b->h.n_signals) * sizeof(b->signals[0]);
	memcpy(p, b->signals, n);
	p += n;
	memcpy(p, b->cmds, le32toh(b->h.cmd_bytes));
	p += le32toh(b->h.cmd_bytes);
	b->len = (size_t)(p - b->body);
}

static int t_submit(struct t_env *t, struct t_sb *b, uint64_t *num)
{
	uint64_t dummy;

	t_sb_pack(b);
	return hl_dxg_submit(t->g, &t->w, b->body, b->len, num ? num : &dummy);
}

static struct dxg_wire_cmd_hdr t_hdr(uint16_t op, uint32_t size)
{
	struct dxg_wire_cmd_hdr h = { htole16(op), 0, htole32(size) };

	return h;
}

static struct dxg_wire_cmd_fill t_fill(uint32_t a, uint32_t pat, uint64_t off,
				       uint64_t len)
{
	struct dxg_wire_cmd_fill c = {
		t_hdr(DXG_WIRE_CMD_FILL, sizeof(c)), htole32(a), htole32(pat),
		htole64(off), htole64(len)
	};
	return c;
}

static struct dxg_wire_cmd_copy t_copy(uint32_t d, uint32_t s, uint64_t doff,
				       uint64_t soff, uint64_t len)
{
	struct dxg_wire_cmd_copy c = {
		t_hdr(DXG_WIRE_CMD_COPY, sizeof(c)), htole32(d), htole32(s),
		htole64(doff), htole64(soff), htole64(len)
	};
	return c;
}

static struct dxg_wire_cmd_arith t_arith(uint16_t op, uint32_t type, uint32_t d,
					 uint32_t a, uint32_t b, uint64_t doff,
					 uint64_t aoff, uint64_t boff,
					 uint64_t count)
{
	struct dxg_wire_cmd_arith c = {
		t_hdr(op, sizeof(c)), htole32(type), htole32(d), htole32(a),
		htole32(b), htole64(doff), htole64(aoff), htole64(boff),
		htole64(count)
	};
	return c;
}

static struct dxg_wire_cmd_crc32c t_crc(uint32_t d, uint32_t s, uint64_t doff,
					uint64_t soff, uint64_t len)
{
	struct dxg_wire_cmd_crc32c c = {
		t_hdr(DXG_WIRE_CMD_CRC32C, sizeof(c)), htole32(d), htole32(s),
		htole64(doff), htole64(soff), htole64(len)
	};
	return c;
}

static struct dxg_wire_cmd_delay t_delay(uint32_t us)
{
	struct dxg_wire_cmd_delay c = {
		t_hdr(DXG_WIRE_CMD_DELAY, sizeof(c)), htole32(us), 0
	};
	return c;
}

static struct dxg_wire_cmd_timestamp t_ts(uint32_t d, uint64_t off)
{
	struct dxg_wire_cmd_timestamp c = {
		t_hdr(DXG_WIRE_CMD_TIMESTAMP, sizeof(c)), htole32(d), 0, htole64(off)
	};
	return c;
}

#define T_CMD(b, c) do { __typeof__(c) __c = (c); t_sb_cmd((b), &__c, sizeof(__c)); } while (0)

static uint32_t t_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static float t_f32(const uint8_t *p)
{
	uint32_t v = t_u32(p);
	float f;

	memcpy(&f, &v, 4);
	return f;
}

static void t_put_u32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void t_put_f32(uint8_t *p, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	t_put_u32(p, v);
}

#endif /* DXG_ENGINE_TLIB_H */
