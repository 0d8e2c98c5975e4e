// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the /dev/dxg selftests; see dxg_lib.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dxg_lib.h"

long long dxg_read_number(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoll(buf);
	fclose(f);
	return v;
}

int dxg_module_port(void)
{
	return dxg_read_number("/sys/module/dxg/parameters/port");
}

int dxg_unload(unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	for (;;) {
		if (!syscall(SYS_delete_module, "dxg", O_NONBLOCK))
			return 0;
		if ((errno != EWOULDBLOCK && errno != EBUSY) ||
		    hl_now_ms() >= end)
			return -errno;
		usleep(20000);
	}
}

static int dxg_wait_node(unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	while (access(DXG_PATH, F_OK)) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(10000);
	}
	return 0;
}

int dxg_load(unsigned int port)
{
	unsigned int want = port ? port : HOSTLINK_PORT_DXG;
	char cmd[512];

	/* execs are slow under TCG: only when something is not as wanted */
	if (dxg_read_number("/sys/module/hostlink/parameters/host_cid") != 1 &&
	    system("modprobe vsock_loopback && "
		   "modprobe -r -q dxg interop hostlink_test hostlink 2>/dev/null; "
		   "modprobe hostlink host_cid=1 listen_port=511"))
		return -1;
	if (dxg_module_port() == (int)want)
		return dxg_wait_node(5000);
	if (dxg_module_port() >= 0 && dxg_unload(5000))
		return -1;
	if (port)
		snprintf(cmd, sizeof(cmd), "modprobe dxg port=%u", port);
	else
		snprintf(cmd, sizeof(cmd), "modprobe dxg");
	if (system(cmd))
		return -1;
	return dxg_wait_node(5000);
}

uint64_t dxg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t dxg_deadline(unsigned int ms)
{
	return dxg_now_ns() + ms * 1000000ULL;
}

int dxg_enum(int fd, struct dxg_adapter_info *info, unsigned int max)
{
	struct dxg_adapter_enum en = {
		.size = sizeof(en),
		.adapters_uptr = (uintptr_t)info,
		.count = info ? max : 0,
		.entry_size = sizeof(*info),
	};
	int ret;

	ret = dxg_ioc(fd, DXG_ADAPTER_ENUM, &en);
	return ret ? ret : (int)en.out_total;
}

int dxg_wait_adapter(int fd, struct dxg_adapter_info *info, unsigned int ms)
{
	struct dxg_adapter_info list[DXG_MAX_ADAPTERS];
	uint64_t end = hl_now_ms() + ms;
	int n, i;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now;

		n = dxg_enum(fd, list, DXG_MAX_ADAPTERS);
		if (n < 0)
			return n;
		for (i = 0; i < n && i < DXG_MAX_ADAPTERS; i++) {
			if (list[i].state == DXG_ADAPTER_ACTIVE) {
				if (info)
					*info = list[i];
				return 0;
			}
		}
		now = hl_now_ms();
		if (now >= end)
			return -ETIMEDOUT;
		/* EPOLLIN: the list changed since this ENUM */
		poll(&p, 1, end - now);
	}
}

int dxg_caps(int fd, struct dxg_caps_get *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	return dxg_ioc(fd, DXG_CAPS_GET, caps);
}

int dxg_adapter_open(int fd, const struct dxg_luid *luid, uint32_t instance,
		     uint64_t *out)
{
	struct dxg_adapter_open a = {
		.size = sizeof(a), .luid = *luid, .instance = instance,
	};
	int ret = dxg_ioc(fd, DXG_ADAPTER_OPEN, &a);

	if (!ret)
		*out = a.out_adapter;
	return ret;
}

int dxg_adapter_close(int fd, uint64_t adapter)
{
	struct dxg_adapter_close a = { .size = sizeof(a), .adapter = adapter };

	return dxg_ioc(fd, DXG_ADAPTER_CLOSE, &a);
}

int dxg_query(int fd, uint64_t adapter, uint32_t type, void *data,
	      uint32_t size)
{
	struct dxg_adapter_query q = {
		.size = sizeof(q), .adapter = adapter, .type = type,
		.data_size = size, .data_uptr = (uintptr_t)data,
	};

	return dxg_ioc(fd, DXG_ADAPTER_QUERY, &q);
}

int dxg_device_create(int fd, uint64_t adapter, uint64_t *out)
{
	struct dxg_device_create d = { .size = sizeof(d), .adapter = adapter };
	int ret = dxg_ioc(fd, DXG_DEVICE_CREATE, &d);

	if (!ret)
		*out = d.out_device;
	return ret;
}

int dxg_device_destroy(int fd, uint64_t device)
{
	struct dxg_device_destroy d = { .size = sizeof(d), .device = device };

	return dxg_ioc(fd, DXG_DEVICE_DESTROY, &d);
}

int dxg_device_state(int fd, uint64_t device, struct dxg_device_get_state *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->device = device;
	return dxg_ioc(fd, DXG_DEVICE_GET_STATE, st);
}

int dxg_context_create(int fd, uint64_t device, uint64_t *out)
{
	struct dxg_context_create c = { .size = sizeof(c), .device = device };
	int ret = dxg_ioc(fd, DXG_CONTEXT_CREATE, &c);

	if (!ret)
		*out = c.out_context;
	return ret;
}

int dxg_context_destroy(int fd, uint64_t context)
{
	struct dxg_context_destroy c = { .size = sizeof(c), .context = context };

	return dxg_ioc(fd, DXG_CONTEXT_DESTROY, &c);
}

int dxg_alloc_create(int fd, uint64_t device, uint64_t length, uint64_t *out)
{
	struct dxg_alloc_create a = {
		.size = sizeof(a), .device = device, .length = length,
	};
	int ret = dxg_ioc(fd, DXG_ALLOC_CREATE, &a);

	if (!ret)
		*out = a.out_alloc;
	return ret;
}

int dxg_alloc_destroy(int fd, uint64_t alloc)
{
	struct dxg_alloc_destroy a = { .size = sizeof(a), .alloc = alloc };

	return dxg_ioc(fd, DXG_ALLOC_DESTROY, &a);
}

int dxg_lock(int fd, uint64_t alloc, uint64_t offset, uint64_t length,
	     uint32_t flags, uint64_t *mmap_offset)
{
	struct dxg_alloc_lock l = {
		.size = sizeof(l), .flags = flags, .alloc = alloc,
		.offset = offset, .length = length,
	};
	int ret = dxg_ioc(fd, DXG_ALLOC_LOCK, &l);

	if (!ret && mmap_offset)
		*mmap_offset = l.out_mmap_offset;
	return ret;
}

int dxg_unlock(int fd, uint64_t alloc)
{
	struct dxg_alloc_unlock u = { .size = sizeof(u), .alloc = alloc };

	return dxg_ioc(fd, DXG_ALLOC_UNLOCK, &u);
}

int dxg_fence_create(int fd, uint64_t device, uint64_t value, uint64_t *out,
		     uint32_t *slot)
{
	struct dxg_fence_create c = {
		.size = sizeof(c), .device = device, .initial_value = value,
	};
	int ret = dxg_ioc(fd, DXG_FENCE_CREATE, &c);

	if (!ret) {
		*out = c.out_fence;
		if (slot)
			*slot = c.out_slot;
	}
	return ret;
}

int dxg_fence_destroy(int fd, uint64_t fence)
{
	struct dxg_fence_destroy d = { .size = sizeof(d), .fence = fence };

	return dxg_ioc(fd, DXG_FENCE_DESTROY, &d);
}

int dxg_fence_signal(int fd, uint64_t fence, uint64_t value)
{
	struct dxg_fence_value fv = { .fence = fence, .value = value };
	struct dxg_fence_signal s = {
		.size = sizeof(s), .fences_uptr = (uintptr_t)&fv, .count = 1,
	};

	return dxg_ioc(fd, DXG_FENCE_SIGNAL, &s);
}

int dxg_fence_wait_n(int fd, const struct dxg_fence_value *fv, uint32_t n,
		     uint32_t flags, uint64_t deadline, uint32_t *index)
{
	struct dxg_fence_wait w = {
		.size = sizeof(w), .flags = flags, .fences_uptr = (uintptr_t)fv,
		.count = n, .deadline_ns = deadline,
	};
	int ret = dxg_ioc(fd, DXG_FENCE_WAIT, &w);

	if (!ret && index)
		*index = w.out_index;
	return ret;
}

int dxg_fence_wait(int fd, uint64_t fence, uint64_t value, uint64_t deadline)
{
	struct dxg_fence_value fv = { .fence = fence, .value = value };

	return dxg_fence_wait_n(fd, &fv, 1, 0, deadline, NULL);
}

int dxg_export(int fd, uint64_t fence, uint64_t value)
{
	struct dxg_fence_export_sync_file x = {
		.size = sizeof(x), .fence = fence, .value = value, .out_fd = -1,
	};
	int ret = dxg_ioc(fd, DXG_FENCE_EXPORT_SYNC_FILE, &x);

	return ret ? ret : x.out_fd;
}

int dxg_env_open(struct dxg_env *e, unsigned int ms)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->fd = open(DXG_PATH, O_RDWR | O_CLOEXEC);
	if (e->fd < 0)
		return -errno;
	ret = dxg_caps(e->fd, &e->caps);
	if (!ret)
		ret = dxg_wait_adapter(e->fd, &e->info, ms);
	if (!ret)
		ret = dxg_adapter_open(e->fd, &e->info.luid, 0, &e->adapter);
	if (!ret)
		ret = dxg_device_create(e->fd, e->adapter, &e->device);
	if (!ret)
		ret = dxg_context_create(e->fd, e->device, &e->context);
	if (ret) {
		close(e->fd);
		e->fd = -1;
	}
	return ret;
}

void dxg_env_close(struct dxg_env *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
}

/* Command buffers: little-endian fields, as the wire says. */
static void *dxg_cmd_add(struct dxg_cmdbuf *cb, uint16_t op, uint32_t size)
{
	struct dxg_wire_cmd_hdr *h;

	if (cb->len + size > sizeof(cb->buf))
		abort();
	h = (void *)(cb->buf + cb->len);
	memset(h, 0, size);
	h->opcode = htole16(op);
	h->size = htole32(size);
	cb->len += size;
	return h;
}

void dxg_cmd_nop(struct dxg_cmdbuf *cb)
{
	dxg_cmd_add(cb, DXG_WIRE_CMD_NOP, sizeof(struct dxg_wire_cmd_hdr));
}

void dxg_cmd_fill(struct dxg_cmdbuf *cb, uint32_t alloc, uint32_t pattern,
		  uint64_t offset, uint64_t length)
{
	struct dxg_wire_cmd_fill *c = dxg_cmd_add(cb, DXG_WIRE_CMD_FILL,
						  sizeof(*c));

	c->alloc = htole32(alloc);
	c->pattern = htole32(pattern);
	c->offset = htole64(offset);
	c->length = htole64(length);
}

void dxg_cmd_copy(struct dxg_cmdbuf *cb, uint32_t dst, uint64_t dst_offset,
		  uint32_t src, uint64_t src_offset, uint64_t length)
{
	struct dxg_wire_cmd_copy *c = dxg_cmd_add(cb, DXG_WIRE_CMD_COPY,
						  sizeof(*c));

	c->dst = htole32(dst);
	c->src = htole32(src);
	c->dst_offset = htole64(dst_offset);
	c->src_offset = htole64(src_offset);
	c->length = htole64(length);
}

void dxg_cmd_arith(struct dxg_cmdbuf *cb, uint16_t op, uint32_t type,
		   uint32_t dst, uint64_t dst_offset, uint32_t a,
		   uint64_t a_offset, uint32_t b, uint64_t b_offset,
		   uint64_t count)
{
	struct dxg_wire_cmd_arith *c = dxg_cmd_add(cb, op, sizeof(*c));

	c->type = htole32(type);
	c->dst = htole32(dst);
	c->a = htole32(a);
	c->b = htole32(b);
	c->dst_offset = htole64(dst_offset);
	c->a_offset = htole64(a_offset);
	c->b_offset = htole64(b_offset);
	c->count = htole64(count);
}

void dxg_cmd_crc32c(struct dxg_cmdbuf *cb, uint32_t dst, uint64_t dst_offset,
		    uint32_t src, uint64_t src_offset, uint64_t length)
{
	struct dxg_wire_cmd_crc32c *c = dxg_cmd_add(cb, DXG_WIRE_CMD_CRC32C,
						    sizeof(*c));

	c->dst = htole32(dst);
	c->src = htole32(src);
	c->dst_offset = htole64(dst_offset);
	c->src_offset = htole64(src_offset);
	c->length = htole64(length);
}

void dxg_cmd_delay(struct dxg_cmdbuf *cb, uint32_t usec)
{
	struct dxg_wire_cmd_delay *c = dxg_cmd_add(cb, DXG_WIRE_CMD_DELAY,
						   sizeof(*c));

	c->usec = htole32(usec);
}

void dxg_cmd_timestamp(struct dxg_cmdbuf *cb, uint32_t dst,
		       uint64_t dst_offset)
{
	struct dxg_wire_cmd_timestamp *c =
		dxg_cmd_add(cb, DXG_WIRE_CMD_TIMESTAMP, sizeof(*c));

	c->dst = htole32(dst);
	c->dst_offset = htole64(dst_offset);
}

int dxg_submit(int fd, uint64_t context, const struct dxg_cmdbuf *cb,
	       const uint64_t *allocs, uint32_t n_allocs,
	       const struct dxg_fence_value *waits, uint32_t n_waits,
	       const struct dxg_fence_value *signals, uint32_t n_signals,
	       uint64_t *out_submit)
{
	struct dxg_context_submit s = {
		.size = sizeof(s),
		.context = context,
		.cmd_uptr = cb ? (uintptr_t)cb->buf : 0,
		.cmd_size = cb ? cb->len : 0,
		.n_allocs = n_allocs,
		.allocs_uptr = (uintptr_t)allocs,
		.waits_uptr = (uintptr_t)waits,
		.signals_uptr = (uintptr_t)signals,
		.n_waits = n_waits,
		.n_signals = n_signals,
	};
	int ret = dxg_ioc(fd, DXG_CONTEXT_SUBMIT, &s);

	if (!ret && out_submit)
		*out_submit = s.out_submit;
	return ret;
}

int dxg_run(struct dxg_env *e, const struct dxg_cmdbuf *cb,
	    const uint64_t *allocs, uint32_t n_allocs, uint64_t fence,
	    uint64_t value)
{
	struct dxg_fence_value sig = { .fence = fence, .value = value };
	int ret;

	ret = dxg_submit(e->fd, e->context, cb, allocs, n_allocs, NULL, 0,
			 &sig, 1, NULL);
	if (!ret)
		ret = dxg_fence_wait(e->fd, fence, value, dxg_deadline(5000));
	return ret;
}

static int dxg_xfer(int fd, uint64_t alloc, uint64_t offset, void *data,
		    size_t len, uint32_t flags)
{
	int prot = flags & DXG_LOCK_WRITE ? PROT_READ | PROT_WRITE : PROT_READ;
	uint64_t off;
	void *map;
	int ret, ret2;

	ret = dxg_lock(fd, alloc, offset, len, flags, &off);
	if (ret)
		return ret;
	map = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (map == MAP_FAILED) {
		ret = -errno;
		dxg_unlock(fd, alloc);
		return ret;
	}
	if (flags & DXG_LOCK_WRITE)
		memcpy(map, data, len);
	else
		memcpy(data, map, len);
	munmap(map, len);
	ret2 = dxg_unlock(fd, alloc);
	return ret ? ret : ret2;
}

int dxg_write(int fd, uint64_t alloc, uint64_t offset, const void *data,
	      size_t len, bool discard)
{
	return dxg_xfer(fd, alloc, offset, (void *)data, len,
			DXG_LOCK_WRITE | (discard ? DXG_LOCK_DISCARD : 0));
}

int dxg_read(int fd, uint64_t alloc, uint64_t offset, void *data, size_t len)
{
	return dxg_xfer(fd, alloc, offset, data, len, DXG_LOCK_READ);
}

uint32_t dxg_crc32c(const void *data, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	uint32_t crc = 0xffffffff;
	size_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
			table[i] = c;
		}
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffff;
}

void dxg_pattern(void *buf, size_t len, unsigned int seed)
{
	uint32_t x = seed * 2654435761u + 1;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

pid_t dxg_daemon_start(int port, const char *config_lines)
{
	char conf[64], ready[64];
	char *argv[] = { "hostlinkd", "--config", conf, "--ready-file", ready,
			 NULL };
	FILE *f;

	snprintf(conf, sizeof(conf), "/run/dxg-test-%d.conf", port);
	snprintf(ready, sizeof(ready), "/run/dxg-test-%d.ready", port);
	f = fopen(conf, "we");
	if (!f)
		return -1;
	fprintf(f, "listen = dxg:%d\nallow_loopback = yes\nlog_level = warn\n%s\n",
		port, config_lines ? config_lines : "");
	fclose(f);
	return hl_daemon_spawn(argv, ready);
}

pid_t dxg_own_daemon(int offset, const char *config_lines, struct dxg_env *e)
{
	int port;
	pid_t d;

	e->fd = -1;
	if (dxg_load(0))
		return -1;
	port = dxg_module_port() + offset;
	d = dxg_daemon_start(port, config_lines);
	if (d <= 0)
		return -1;
	if (dxg_load(port) || dxg_env_open(e, 10000)) {
		hl_daemon_stop(d, SIGTERM);
		dxg_load(0);
		return -1;
	}
	return d;
}

int dxg_own_daemon_end(pid_t d, struct dxg_env *e)
{
	int ret = 0;

	dxg_env_close(e);
	if (hl_daemon_stop(d, SIGTERM))
		ret = -1;
	if (dxg_load(0))
		ret = -1;
	return ret;
}

/* The fake host. */

int dxg_fake_send(struct dxg_fake *f, uint8_t type, uint32_t op, uint64_t id,
		  uint32_t status, const void *data, size_t len)
{
	int ret;

	pthread_mutex_lock(&f->lock);
	ret = f->hl.fd < 0 ? -ENOTCONN :
	      hl_fake_send(&f->hl, HOSTLINK_PROTO_MAX, type, op, id, status,
			   data, len);
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int dxg_fake_reply(struct dxg_fake *f, const struct hostlink_hdr *h,
		   uint32_t status, const void *data, size_t len)
{
	return dxg_fake_send(f, HOSTLINK_REPLY, h->op, h->id, status, data, len);
}

int dxg_fake_fence_event(struct dxg_fake *f, uint64_t fence, uint64_t value,
			 uint32_t error)
{
	struct dxg_wire_ev_fence ev = {
		.process = htole64(f->process),
		.fence = htole64(fence),
		.value = htole64(value),
		.error = htole32(error),
	};

	return dxg_fake_send(f, HOSTLINK_EVENT, DXG_WIRE_EV_FENCE, 0, 0, &ev,
			     sizeof(ev));
}

void dxg_fake_default_hello(struct dxg_fake *f)
{
	struct dxg_wire_hello_reply *r = (void *)f->hello;
	struct dxg_wire_adapter *a = dxg_fake_adapter(f, 0);

	memset(f->hello, 0, sizeof(f->hello));
	r->version = htole16(1);
	r->min_version = htole16(1);
	r->max_version = htole16(1);
	r->n_adapters = htole16(1);
	r->features = 0;
	a->nonce = htole64(0x5eed5eed12345678ULL);
	a->luid_low = htole32(0x1234);
	a->luid_high = htole32(0x1);
	a->flags = htole32(DXG_WIRE_ADAPTER_F_COMPUTE_ONLY |
			   DXG_WIRE_ADAPTER_F_SOFTWARE);
	a->dedicated_memory = htole64(64 << 20);
	strcpy(a->name, "fake0");
	f->hello_len = sizeof(*r) + sizeof(*a);
}

/* The default answer to a well-formed request. */
static void dxg_fake_default(struct dxg_fake *f, const struct hostlink_hdr *h,
			     const void *body, size_t len)
{
	union {
		struct dxg_wire_id id;
		struct dxg_wire_query_memory mem;
		struct dxg_wire_query_clock clk;
		struct dxg_wire_query_stats st;
		struct dxg_wire_device_state ds;
		struct dxg_wire_submit_reply sub;
		uint8_t bytes[65536];
	} *r = calloc(1, sizeof(*r));
	const struct dxg_wire_xfer *x = body;
	const struct dxg_wire_query *q = body;
	size_t rlen = 0;

	if (!r)
		return;
	switch (h->op) {
	case DXG_WIRE_OP_DEVICE_CREATE:
	case DXG_WIRE_OP_FENCE_CREATE:
	case DXG_WIRE_OP_ADAPTER_OPEN:
	case DXG_WIRE_OP_CONTEXT_CREATE:
	case DXG_WIRE_OP_ALLOC_CREATE:
		pthread_mutex_lock(&f->lock);
		r->id.id = htole64(f->next_id);
		if (h->op == DXG_WIRE_OP_FENCE_CREATE)
			f->last_fence = f->next_id;
		if (h->op == DXG_WIRE_OP_DEVICE_CREATE)
			f->last_device = f->next_id;
		f->next_id++;
		pthread_mutex_unlock(&f->lock);
		rlen = sizeof(r->id);
		break;
	case DXG_WIRE_OP_QUERY:
		if (len < sizeof(*q))
			break;
		if (le32toh(q->type) == DXG_WIRE_QUERY_MEMORY) {
			r->mem.budget = htole64(64 << 20);
			rlen = sizeof(r->mem);
		} else if (le32toh(q->type) == DXG_WIRE_QUERY_CLOCK) {
			r->clk.frequency = htole64(1000000000);
			rlen = sizeof(r->clk);
		} else {
			rlen = sizeof(r->st);
		}
		break;
	case DXG_WIRE_OP_DEVICE_GET_STATE:
		r->ds.state = htole32(DXG_WIRE_DEVICE_ACTIVE);
		r->ds.cmd_offset = htole32(DXG_WIRE_NO_CMD);
		rlen = sizeof(r->ds);
		break;
	case DXG_WIRE_OP_SUBMIT:
		r->sub.submit = htole64(++f->submits);
		rlen = sizeof(r->sub);
		break;
	case DXG_WIRE_OP_READ:
		if (len >= sizeof(*x) && le64toh(x->length) <= sizeof(r->bytes))
			rlen = le64toh(x->length);
		break;
	default:
		break;
	}
	dxg_fake_reply(f, h, 0, r, rlen);
	free(r);
}

static void *dxg_fake_thread(void *arg)
{
	struct dxg_fake *f = arg;
	size_t max = HOSTLINK_FRAME_DEFAULT;
	uint8_t *buf = malloc(max);
	struct hostlink_hdr h;
	bool up = false;
	int ret;

	while (buf && !f->stop) {
		const size_t pre = sizeof(struct hostlink_cred);
		const struct dxg_wire_req *req;
		const void *body;
		size_t len;

		if (!up) {
			if (hl_fake_accept(&f->hl, 100))
				continue;
			/* the hostlink handshake, by hand: keep the lock */
			ret = hl_fake_read(&f->hl, &h, &f->hl.hello,
					   sizeof(f->hl.hello), 5000);
			if (ret || h.type != HOSTLINK_HELLO) {
				hl_fake_drop(&f->hl);
				continue;
			}
			{
				struct hostlink_welcome w = {
					.version = HOSTLINK_PROTO_MAX,
					.min_version = HOSTLINK_PROTO_MIN,
					.max_version = HOSTLINK_PROTO_MAX,
					.max_frame = __atomic_load_n(&f->max_frame,
								     __ATOMIC_SEQ_CST) ?:
						     HOSTLINK_FRAME_DEFAULT,
					.features = HOSTLINK_FEAT_ALL,
				};
				dxg_fake_send(f, HOSTLINK_WELCOME, 0, 0, 0, &w,
					      sizeof(w));
			}
			__atomic_add_fetch(&f->accepts, 1, __ATOMIC_SEQ_CST);
			up = true;
		}
		/*
		 * Wait for a frame's first byte briefly (to see f->stop),
		 * then read all of it with a long deadline: a timeout in
		 * the middle of a frame would leave the stream out of step.
		 */
		{
			struct pollfd p = { .fd = f->hl.fd, .events = POLLIN };

			ret = poll(&p, 1, 100);
			if (ret == 0 || (ret < 0 && errno == EINTR))
				continue;
		}
		ret = hl_fake_read(&f->hl, &h, buf, max, 5000);
		if (ret) {
			pthread_mutex_lock(&f->lock);
			hl_fake_drop(&f->hl);
			pthread_mutex_unlock(&f->lock);
			__atomic_add_fetch(&f->drops, 1, __ATOMIC_SEQ_CST);
			up = false;
			continue;
		}
		if (h.type != HOSTLINK_REQUEST)
			continue;	/* CANCEL: nothing to stop */
		__atomic_add_fetch(&f->requests, 1, __ATOMIC_SEQ_CST);
		len = h.len > max ? max : h.len;
		if (len < pre)
			continue;
		req = NULL;
		body = buf + pre;
		len -= pre;
		if (h.op != DXG_WIRE_OP_HELLO && len >= sizeof(*req)) {
			req = (const void *)(buf + pre);
			f->process = le64toh(req->process);
			body = req + 1;
			len -= sizeof(*req);
		}
		if (f->reply && f->reply(f, &h, req, body, len))
			continue;
		if (h.op == DXG_WIRE_OP_HELLO) {
			dxg_fake_reply(f, &h, 0, f->hello, f->hello_len);
			__atomic_add_fetch(&f->hellos, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		dxg_fake_default(f, &h, body, len);
	}
	free(buf);
	return NULL;
}

int dxg_fake_start(struct dxg_fake *f, int port)
{
	f->port = port;
	f->next_id = 0x100;
	if (!f->hello_len)
		dxg_fake_default_hello(f);
	pthread_mutex_init(&f->lock, NULL);
	if (hl_fake_listen(&f->hl, port))
		return -1;
	if (pthread_create(&f->thread, NULL, dxg_fake_thread, f)) {
		hl_fake_close(&f->hl);
		return -1;
	}
	return 0;
}

void dxg_fake_stop(struct dxg_fake *f)
{
	f->stop = 1;
	pthread_join(f->thread, NULL);
	hl_fake_close(&f->hl);
}

int dxg_fake_wait(struct dxg_fake *f, int *counter, int n, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	(void)f;
	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < n) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(5000);
	}
	return 0;
}

static long long dxg_sum_counters(const char *dir, int depth)
{
	long long sum = -1;
	struct dirent *d;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		char path[PATH_MAX], buf[64];
		struct stat st;
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			long long s = depth ? dxg_sum_counters(path, depth - 1) : -1;

			if (s >= 0)
				sum = (sum < 0 ? 0 : sum) + s;
			continue;
		}
		if (!strstr(d->d_name, "drop") && !strstr(d->d_name, "proto") &&
		    !strstr(d->d_name, "unknown"))
			continue;
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && buf[0] >= '0' && buf[0] <= '9')
			sum = (sum < 0 ? 0 : sum) + atoll(buf);
		fclose(f);
	}
	closedir(dp);
	return sum;
}

long long dxg_error_counter(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/hostlink/services/dxg",
		"/sys/module/dxg",
		"/sys/kernel/debug/dxg",
	};
	long long sum = -1, s;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		s = dxg_sum_counters(dirs[i], 2);
		if (s >= 0)
			sum = (sum < 0 ? 0 : sum) + s;
	}
	return sum;
}
