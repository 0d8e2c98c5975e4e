// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command-buffer check of SUBMIT (Documentation/dxg-protocol.rst,
 * "Command buffers"): every command's size, flags, indices, alignments
 * and ranges, with the overflow-safe rules of the document, so that a
 * command never fails for a reason its bytes show.  No state: the
 * engine calls it with the allocation sizes, the fuzz target directly.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "hl_dxg_engine.h"

struct hl_dxg_span {
	unsigned int alloc;
	uint64_t offset, length;
};

/* (offset, length) inside size, never computing offset + length. */
static int hl_dxg_cb_range(uint64_t offset, uint64_t length, uint64_t size)
{
	return length <= size && offset <= size - length;
}

static int hl_dxg_cb_count(uint64_t offset, uint64_t count, uint64_t size)
{
	return offset <= size && count <= (size - offset) / 4;
}

/* Both spans are valid ranges of their allocations, so no sum overflows. */
static int hl_dxg_cb_overlap(const struct hl_dxg_span *x,
			     const struct hl_dxg_span *y)
{
	if (x->alloc != y->alloc || !x->length || !y->length)
		return 0;
	return x->offset < y->offset + y->length &&
	       y->offset < x->offset + x->length;
}

static int hl_dxg_cb_index(uint32_t idx, unsigned int n)
{
	return idx < n;
}

static int hl_dxg_cb_fill(const struct dxg_wire_cmd_fill *c,
			  const uint64_t *sizes, unsigned int n)
{
	uint32_t i = le32toh(c->alloc);
	uint64_t off = le64toh(c->offset), len = le64toh(c->length);

	if (!hl_dxg_cb_index(i, n) || off % 4 || len % 4)
		return -EINVAL;
	return hl_dxg_cb_range(off, len, sizes[i]) ? 0 : -EINVAL;
}

static int hl_dxg_cb_copy(const struct dxg_wire_cmd_copy *c,
			  const uint64_t *sizes, unsigned int n)
{
	uint32_t d = le32toh(c->dst), s = le32toh(c->src);
	uint64_t len = le64toh(c->length);

	if (!hl_dxg_cb_index(d, n) || !hl_dxg_cb_index(s, n))
		return -EINVAL;
	if (!hl_dxg_cb_range(le64toh(c->dst_offset), len, sizes[d]) ||
	    !hl_dxg_cb_range(le64toh(c->src_offset), len, sizes[s]))
		return -EINVAL;
	return 0;
}

/* dst either exactly an operand's range or disjoint from it. */
static int hl_dxg_cb_same_or_apart(const struct hl_dxg_span *d,
				   const struct hl_dxg_span *o)
{
	if (d->alloc == o->alloc && d->offset == o->offset)
		return 1;
	return !hl_dxg_cb_overlap(d, o);
}

static int hl_dxg_cb_arith(const struct dxg_wire_cmd_arith *c,
			   const uint64_t *sizes, unsigned int n)
{
	uint32_t type = le32toh(c->type);
	uint64_t count = le64toh(c->count);
	struct hl_dxg_span d = { le32toh(c->dst), le64toh(c->dst_offset), 0 };
	struct hl_dxg_span a = { le32toh(c->a), le64toh(c->a_offset), 0 };
	struct hl_dxg_span b = { le32toh(c->b), le64toh(c->b_offset), 0 };

	if (type != DXG_WIRE_TYPE_U32 && type != DXG_WIRE_TYPE_F32)
		return -EINVAL;
	if (!hl_dxg_cb_index(d.alloc, n) || !hl_dxg_cb_index(a.alloc, n) ||
	    !hl_dxg_cb_index(b.alloc, n))
		return -EINVAL;
	if (d.offset % 4 || a.offset % 4 || b.offset % 4)
		return -EINVAL;
	if (!hl_dxg_cb_count(d.offset, count, sizes[d.alloc]) ||
	    !hl_dxg_cb_count(a.offset, count, sizes[a.alloc]) ||
	    !hl_dxg_cb_count(b.offset, count, sizes[b.alloc]))
		return -EINVAL;
	/* count * 4 fits: count <= size / 4 and size <= 2^32. */
	d.length = a.length = b.length = count * 4;
	if (!hl_dxg_cb_same_or_apart(&d, &a) || !hl_dxg_cb_same_or_apart(&d, &b))
		return -EINVAL;
	return 0;
}

static int hl_dxg_cb_crc(const struct dxg_wire_cmd_crc32c *c,
			 const uint64_t *sizes, unsigned int n)
{
	struct hl_dxg_span d = { le32toh(c->dst), le64toh(c->dst_offset), 4 };
	struct hl_dxg_span s = { le32toh(c->src), le64toh(c->src_offset),
				 le64toh(c->length) };

	if (!hl_dxg_cb_index(d.alloc, n) || !hl_dxg_cb_index(s.alloc, n))
		return -EINVAL;
	if (d.offset % 4 || !hl_dxg_cb_range(d.offset, 4, sizes[d.alloc]) ||
	    !hl_dxg_cb_range(s.offset, s.length, sizes[s.alloc]))
		return -EINVAL;
	return hl_dxg_cb_overlap(&d, &s) ? -EINVAL : 0;
}

static int hl_dxg_cb_delay(const struct dxg_wire_cmd_delay *c)
{
	if (c->__reserved || le32toh(c->usec) > DXG_WIRE_MAX_DELAY_US)
		return -EINVAL;
	return 0;
}

static int hl_dxg_cb_timestamp(const struct dxg_wire_cmd_timestamp *c,
			       const uint64_t *sizes, unsigned int n)
{
	uint32_t d = le32toh(c->dst);
	uint64_t off = le64toh(c->dst_offset);

	if (c->__reserved || !hl_dxg_cb_index(d, n) || off % 8)
		return -EINVAL;
	return hl_dxg_cb_range(off, 8, sizes[d]) ? 0 : -EINVAL;
}

static uint32_t hl_dxg_cb_size(uint16_t op)
{
	switch (op) {
	case DXG_WIRE_CMD_NOP:
		return sizeof(struct dxg_wire_cmd_hdr);
	case DXG_WIRE_CMD_FILL:
		return sizeof(struct dxg_wire_cmd_fill);
	case DXG_WIRE_CMD_COPY:
		return sizeof(struct dxg_wire_cmd_copy);
	case DXG_WIRE_CMD_ADD:
	case DXG_WIRE_CMD_MUL:
		return sizeof(struct dxg_wire_cmd_arith);
	case DXG_WIRE_CMD_CRC32C:
		return sizeof(struct dxg_wire_cmd_crc32c);
	case DXG_WIRE_CMD_DELAY:
		return sizeof(struct dxg_wire_cmd_delay);
	case DXG_WIRE_CMD_TIMESTAMP:
		return sizeof(struct dxg_wire_cmd_timestamp);
	}
	return 0;
}

/*
 * One command at @p, of @size bytes (its opcode's), copied to an
 * aligned buffer first: the buffer need not be aligned here.
 */
static int hl_dxg_cb_one(const uint8_t *p, uint16_t op, uint32_t size,
			 const uint64_t *sizes, unsigned int n)
{
	union {
		struct dxg_wire_cmd_hdr hdr;
		struct dxg_wire_cmd_fill fill;
		struct dxg_wire_cmd_copy copy;
		struct dxg_wire_cmd_arith arith;
		struct dxg_wire_cmd_crc32c crc;
		struct dxg_wire_cmd_delay delay;
		struct dxg_wire_cmd_timestamp ts;
	} c;

	memcpy(&c, p, size);
	switch (op) {
	case DXG_WIRE_CMD_NOP:
		return 0;
	case DXG_WIRE_CMD_FILL:
		return hl_dxg_cb_fill(&c.fill, sizes, n);
	case DXG_WIRE_CMD_COPY:
		return hl_dxg_cb_copy(&c.copy, sizes, n);
	case DXG_WIRE_CMD_ADD:
	case DXG_WIRE_CMD_MUL:
		return hl_dxg_cb_arith(&c.arith, sizes, n);
	case DXG_WIRE_CMD_CRC32C:
		return hl_dxg_cb_crc(&c.crc, sizes, n);
	case DXG_WIRE_CMD_DELAY:
		return hl_dxg_cb_delay(&c.delay);
	case DXG_WIRE_CMD_TIMESTAMP:
		return hl_dxg_cb_timestamp(&c.ts, sizes, n);
	}
	return -EINVAL;
}

/*
 * What one checked command costs in bytes touched, roughly: a command's
 * own bytes, plus the ranges it reads and writes.  DELAY is "forever".
 */
static uint64_t hl_dxg_cb_cost(const uint8_t *p, uint16_t op, uint32_t size)
{
	union {
		struct dxg_wire_cmd_fill fill;
		struct dxg_wire_cmd_copy copy;
		struct dxg_wire_cmd_arith arith;
		struct dxg_wire_cmd_crc32c crc;
	} c;

	switch (op) {
	case DXG_WIRE_CMD_FILL:
		memcpy(&c, p, sizeof(c.fill));
		return size + le64toh(c.fill.length);
	case DXG_WIRE_CMD_COPY:
		memcpy(&c, p, sizeof(c.copy));
		return size + 2 * le64toh(c.copy.length);
	case DXG_WIRE_CMD_ADD:
	case DXG_WIRE_CMD_MUL:
		memcpy(&c, p, sizeof(c.arith));
		return size + 12 * le64toh(c.arith.count);
	case DXG_WIRE_CMD_CRC32C:
		memcpy(&c, p, sizeof(c.crc));
		return size + le64toh(c.crc.length);
	case DXG_WIRE_CMD_DELAY:
		return UINT64_MAX;
	}
	return size;
}

int hl_dxg_cmdbuf_check(const uint8_t *cmds, uint32_t cmd_bytes,
			const uint64_t *sizes, unsigned int n, uint64_t *cost)
{
	uint64_t total = 0;
	uint32_t off = 0;

	if (cmd_bytes % DXG_WIRE_CMD_ALIGN || cmd_bytes > DXG_WIRE_MAX_CMDBUF)
		return -EINVAL;
	while (off < cmd_bytes) {
		struct dxg_wire_cmd_hdr h;
		uint64_t one;
		uint32_t size;
		uint16_t op;
		int ret;

		if (cmd_bytes - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, cmds + off, sizeof(h));
		op = le16toh(h.opcode);
		size = hl_dxg_cb_size(op);
		if (!size || h.flags || le32toh(h.size) != size ||
		    cmd_bytes - off < size)
			return -EINVAL;
		ret = hl_dxg_cb_one(cmds + off, op, size, sizes, n);
		if (ret)
			return ret;
		/* Checked ranges are below 2^32 each: only DELAY saturates. */
		one = hl_dxg_cb_cost(cmds + off, op, size);
		total = one > UINT64_MAX - total ? UINT64_MAX : total + one;
		off += size;
	}
	if (cost)
		*cost = total;
	return 0;
}
