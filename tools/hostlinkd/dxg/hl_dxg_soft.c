// SPDX-License-Identifier: GPL-2.0-only
/*
 * The software backend: the commands of Documentation/dxg-protocol.rst
 * on host memory.  The engine has checked every command (indices,
 * alignments, ranges, overlaps) before it reaches exec(); this file
 * only computes.  Elements are little-endian in memory whatever the
 * host's byte order.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hl_dxg_soft.h"

/**
 * struct hl_dxg_soft - the backend's state
 * @inject_op: opcode whose next command fails; 0 for none (atomic).
 * @inject_err: the negative errno it fails with.
 */
struct hl_dxg_soft {
	uint16_t inject_op;
	int inject_err;
};

int hl_dxg_soft_create(struct hl_dxg_soft **out)
{
	struct hl_dxg_soft *soft = calloc(1, sizeof(*soft));

	if (!soft)
		return -ENOMEM;
	*out = soft;
	return 0;
}

void hl_dxg_soft_destroy(struct hl_dxg_soft *soft)
{
	free(soft);
}

void hl_dxg_soft_inject(struct hl_dxg_soft *soft, uint16_t opcode, int err)
{
	__atomic_store_n(&soft->inject_err, -err, __ATOMIC_RELAXED);
	__atomic_store_n(&soft->inject_op, opcode, __ATOMIC_RELEASE);
}

uint32_t hl_dxg_crc32c(uint32_t crc, const uint8_t *p, uint64_t len)
{
	static uint32_t table[256];
	static int ready;
	uint64_t i;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		uint32_t n, k, c;

		for (n = 0; n < 256; n++) {
			c = n;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0x82f63b78U ^ (c >> 1) : c >> 1;
			__atomic_store_n(&table[n], c, __ATOMIC_RELAXED);
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = __atomic_load_n(&table[(crc ^ p[i]) & 0xff], __ATOMIC_RELAXED) ^
		      (crc >> 8);
	return ~crc;
}

static uint32_t hl_dxg_soft_ld(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static void hl_dxg_soft_st(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static float hl_dxg_soft_f(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

static uint32_t hl_dxg_soft_bits(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, 4);
	return bits;
}

static void hl_dxg_soft_fill(const struct dxg_wire_cmd_fill *c,
			     const struct hl_dxg_buf *bufs)
{
	uint8_t *d = bufs[le32toh(c->alloc)].data + le64toh(c->offset);
	uint64_t i, len = le64toh(c->length);

	for (i = 0; i < len; i += 4)
		memcpy(d + i, &c->pattern, 4);
}

static void hl_dxg_soft_copy(const struct dxg_wire_cmd_copy *c,
			     const struct hl_dxg_buf *bufs)
{
	memmove(bufs[le32toh(c->dst)].data + le64toh(c->dst_offset),
		bufs[le32toh(c->src)].data + le64toh(c->src_offset),
		le64toh(c->length));
}

/* In place or disjoint (checked): element i is read before it is written. */
static void hl_dxg_soft_arith(const struct dxg_wire_cmd_arith *c,
			      const struct hl_dxg_buf *bufs)
{
	uint8_t *d = bufs[le32toh(c->dst)].data + le64toh(c->dst_offset);
	const uint8_t *a = bufs[le32toh(c->a)].data + le64toh(c->a_offset);
	const uint8_t *b = bufs[le32toh(c->b)].data + le64toh(c->b_offset);
	bool add = le16toh(c->hdr.opcode) == DXG_WIRE_CMD_ADD;
	bool f32 = le32toh(c->type) == DXG_WIRE_TYPE_F32;
	uint64_t i, count = le64toh(c->count);

	for (i = 0; i < count; i++) {
		uint32_t x = hl_dxg_soft_ld(a + i * 4), y = hl_dxg_soft_ld(b + i * 4);
		uint32_t r;

		if (f32) {
			float fx = hl_dxg_soft_f(x), fy = hl_dxg_soft_f(y);

			r = hl_dxg_soft_bits(add ? fx + fy : fx * fy);
		} else {
			r = add ? x + y : x * y;
		}
		hl_dxg_soft_st(d + i * 4, r);
	}
}

static void hl_dxg_soft_crc(const struct dxg_wire_cmd_crc32c *c,
			    const struct hl_dxg_buf *bufs)
{
	const uint8_t *s = bufs[le32toh(c->src)].data + le64toh(c->src_offset);

	hl_dxg_soft_st(bufs[le32toh(c->dst)].data + le64toh(c->dst_offset),
		       hl_dxg_crc32c(0, s, le64toh(c->length)));
}

/* Sleeps: the worker is taken for the time, but not its CPU. */
static void hl_dxg_soft_delay(const struct dxg_wire_cmd_delay *c)
{
	uint32_t us = le32toh(c->usec);
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t hl_dxg_soft_clock(void *priv, uint64_t *freq)
{
	struct timespec ts;

	(void)priv;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (freq)
		*freq = 1000000000ULL;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void hl_dxg_soft_timestamp(const struct dxg_wire_cmd_timestamp *c,
				  const struct hl_dxg_buf *bufs)
{
	uint64_t t = htole64(hl_dxg_soft_clock(NULL, NULL));

	memcpy(bufs[le32toh(c->dst)].data + le64toh(c->dst_offset), &t, 8);
}

static int hl_dxg_soft_exec(void *priv, const struct dxg_wire_cmd_hdr *cmd,
			    const struct hl_dxg_buf *bufs, unsigned int n_bufs)
{
	struct hl_dxg_soft *soft = priv;
	uint16_t op = le16toh(cmd->opcode), want = op;

	(void)n_bufs;
	if (soft && __atomic_load_n(&soft->inject_op, __ATOMIC_ACQUIRE) == op &&
	    __atomic_compare_exchange_n(&soft->inject_op, &want, 0, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return __atomic_load_n(&soft->inject_err, __ATOMIC_RELAXED);

	switch (op) {
	case DXG_WIRE_CMD_NOP:
		break;
	case DXG_WIRE_CMD_FILL:
		hl_dxg_soft_fill((const void *)cmd, bufs);
		break;
	case DXG_WIRE_CMD_COPY:
		hl_dxg_soft_copy((const void *)cmd, bufs);
		break;
	case DXG_WIRE_CMD_ADD:
	case DXG_WIRE_CMD_MUL:
		hl_dxg_soft_arith((const void *)cmd, bufs);
		break;
	case DXG_WIRE_CMD_CRC32C:
		hl_dxg_soft_crc((const void *)cmd, bufs);
		break;
	case DXG_WIRE_CMD_DELAY:
		hl_dxg_soft_delay((const void *)cmd);
		break;
	case DXG_WIRE_CMD_TIMESTAMP:
		hl_dxg_soft_timestamp((const void *)cmd, bufs);
		break;
	default:
		return -EIO;
	}
	return 0;
}

static void *hl_dxg_soft_mem_alloc(void *priv, uint64_t size)
{
	(void)priv;
	if (size > SIZE_MAX)
		return NULL;
	return calloc(1, (size_t)size);
}

static void hl_dxg_soft_mem_free(void *priv, void *mem, uint64_t size)
{
	(void)priv;
	(void)size;
	free(mem);
}

const struct hl_dxg_backend_ops hl_dxg_soft_ops = {
	.mem_alloc = hl_dxg_soft_mem_alloc,
	.mem_free = hl_dxg_soft_mem_free,
	.exec = hl_dxg_soft_exec,
	.clock = hl_dxg_soft_clock,
	.inline_bytes = HL_DXG_SOFT_INLINE_BYTES,
};
