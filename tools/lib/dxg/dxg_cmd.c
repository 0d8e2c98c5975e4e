// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdxg: the command-buffer builder and the software CRC-32C.
 *
 * Each append fills the wire structure of its opcode from
 * <linux/dxg_wire.h> in little-endian and copies it to the end of the
 * buffer, so the bytes are the header's layout by construction.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dxg_wire.h>

#include "libdxg_private.h"

_Static_assert(DXG_CMD_U32 == DXG_WIRE_TYPE_U32, "DXG_CMD_U32 is the wire's");
_Static_assert(DXG_CMD_F32 == DXG_WIRE_TYPE_F32, "DXG_CMD_F32 is the wire's");
_Static_assert(DXG_MAX_CMD_SIZE == DXG_WIRE_MAX_CMDBUF, "the same limit");
_Static_assert(DXG_CMD_ALIGN == DXG_WIRE_CMD_ALIGN, "the same alignment");

/* A growing buffer's first capacity. */
#define DXG_CMD_MIN_CAPACITY 256

int dxg_cmd_init(struct dxg_cmd *cmd)
{
	if (!cmd)
		return -EINVAL;
	*cmd = (struct dxg_cmd){ .max_size = DXG_MAX_CMD_SIZE, .owned = 1 };
	return 0;
}

int dxg_cmd_init_buffer(struct dxg_cmd *cmd, void *buf, size_t capacity)
{
	if (!cmd || (!buf && capacity))
		return -EINVAL;
	*cmd = (struct dxg_cmd){
		.data = buf,
		.capacity = capacity,
		.max_size = DXG_MAX_CMD_SIZE,
	};
	return 0;
}

int dxg_cmd_set_max(struct dxg_cmd *cmd, size_t max_size)
{
	if (!cmd || !max_size || max_size % DXG_CMD_ALIGN ||
	    max_size > DXG_MAX_CMD_SIZE)
		return -EINVAL;
	if (cmd->size > max_size)
		return -E2BIG;
	cmd->max_size = max_size;
	return 0;
}

void dxg_cmd_reset(struct dxg_cmd *cmd)
{
	if (cmd)
		cmd->size = 0;
}

void dxg_cmd_release(struct dxg_cmd *cmd)
{
	if (!cmd)
		return;
	if (cmd->owned)
		free(cmd->data);
	cmd->data = NULL;
	cmd->size = 0;
	cmd->capacity = 0;
}

/* Room for @n more bytes: the limit first, then the memory. */
static int dxg_cmd_reserve(struct dxg_cmd *cmd, size_t n)
{
	size_t want, cap;
	uint8_t *data;

	/* Neither sum can wrap: size <= max_size <= DXG_MAX_CMD_SIZE. */
	if (cmd->size > cmd->max_size || n > cmd->max_size - cmd->size)
		return -E2BIG;
	if (n <= cmd->capacity - cmd->size)
		return 0;
	if (!cmd->owned)
		return -ENOSPC;
	want = cmd->size + n;
	cap = cmd->capacity ? cmd->capacity : DXG_CMD_MIN_CAPACITY;
	while (cap < want)
		cap *= 2;
	if (cap > cmd->max_size)
		cap = cmd->max_size;
	data = realloc(cmd->data, cap);
	if (!data)
		return -ENOMEM;
	cmd->data = data;
	cmd->capacity = cap;
	return 0;
}

/* Append the @n bytes of a command whose header is filled here. */
static int dxg_cmd_append(struct dxg_cmd *cmd, uint16_t opcode,
			  struct dxg_wire_cmd_hdr *hdr, size_t n)
{
	int err;

	if (!cmd)
		return -EINVAL;
	hdr->opcode = htole16(opcode);
	hdr->flags = 0;
	hdr->size = htole32((uint32_t)n);
	err = dxg_cmd_reserve(cmd, n);
	if (err)
		return err;
	memcpy(cmd->data + cmd->size, hdr, n);
	cmd->size += n;
	return 0;
}

int dxg_cmd_nop(struct dxg_cmd *cmd)
{
	struct dxg_wire_cmd_hdr c;

	return dxg_cmd_append(cmd, DXG_WIRE_CMD_NOP, &c, sizeof(c));
}

int dxg_cmd_fill(struct dxg_cmd *cmd, struct dxg_cmd_ref dst, uint64_t length,
		 uint32_t pattern)
{
	struct dxg_wire_cmd_fill c = {
		.alloc = htole32(dst.alloc),
		.pattern = htole32(pattern),
		.offset = htole64(dst.offset),
		.length = htole64(length),
	};

	if (dst.offset % 4 || length % 4)
		return -EINVAL;
	return dxg_cmd_append(cmd, DXG_WIRE_CMD_FILL, &c.hdr, sizeof(c));
}

int dxg_cmd_copy(struct dxg_cmd *cmd, struct dxg_cmd_ref dst,
		 struct dxg_cmd_ref src, uint64_t length)
{
	struct dxg_wire_cmd_copy c = {
		.dst = htole32(dst.alloc),
		.src = htole32(src.alloc),
		.dst_offset = htole64(dst.offset),
		.src_offset = htole64(src.offset),
		.length = htole64(length),
	};

	return dxg_cmd_append(cmd, DXG_WIRE_CMD_COPY, &c.hdr, sizeof(c));
}

static int dxg_cmd_arith(struct dxg_cmd *cmd, uint16_t opcode,
			 enum dxg_cmd_type type, struct dxg_cmd_ref dst,
			 struct dxg_cmd_ref a, struct dxg_cmd_ref b,
			 uint64_t count)
{
	struct dxg_wire_cmd_arith c = {
		.type = htole32((uint32_t)type),
		.dst = htole32(dst.alloc),
		.a = htole32(a.alloc),
		.b = htole32(b.alloc),
		.dst_offset = htole64(dst.offset),
		.a_offset = htole64(a.offset),
		.b_offset = htole64(b.offset),
		.count = htole64(count),
	};

	if ((type != DXG_CMD_U32 && type != DXG_CMD_F32) ||
	    dst.offset % 4 || a.offset % 4 || b.offset % 4)
		return -EINVAL;
	return dxg_cmd_append(cmd, opcode, &c.hdr, sizeof(c));
}

int dxg_cmd_add(struct dxg_cmd *cmd, enum dxg_cmd_type type,
		struct dxg_cmd_ref dst, struct dxg_cmd_ref a,
		struct dxg_cmd_ref b, uint64_t count)
{
	return dxg_cmd_arith(cmd, DXG_WIRE_CMD_ADD, type, dst, a, b, count);
}

int dxg_cmd_mul(struct dxg_cmd *cmd, enum dxg_cmd_type type,
		struct dxg_cmd_ref dst, struct dxg_cmd_ref a,
		struct dxg_cmd_ref b, uint64_t count)
{
	return dxg_cmd_arith(cmd, DXG_WIRE_CMD_MUL, type, dst, a, b, count);
}

int dxg_cmd_crc32c(struct dxg_cmd *cmd, struct dxg_cmd_ref dst,
		   struct dxg_cmd_ref src, uint64_t length)
{
	struct dxg_wire_cmd_crc32c c = {
		.dst = htole32(dst.alloc),
		.src = htole32(src.alloc),
		.dst_offset = htole64(dst.offset),
		.src_offset = htole64(src.offset),
		.length = htole64(length),
	};

	if (dst.offset % 4)
		return -EINVAL;
	return dxg_cmd_append(cmd, DXG_WIRE_CMD_CRC32C, &c.hdr, sizeof(c));
}

int dxg_cmd_delay(struct dxg_cmd *cmd, uint32_t usec)
{
	struct dxg_wire_cmd_delay c = { .usec = htole32(usec) };

	if (usec > DXG_WIRE_MAX_DELAY_US)
		return -EINVAL;
	return dxg_cmd_append(cmd, DXG_WIRE_CMD_DELAY, &c.hdr, sizeof(c));
}

int dxg_cmd_timestamp(struct dxg_cmd *cmd, struct dxg_cmd_ref dst)
{
	struct dxg_wire_cmd_timestamp c = {
		.dst = htole32(dst.alloc),
		.dst_offset = htole64(dst.offset),
	};

	if (dst.offset % 8)
		return -EINVAL;
	return dxg_cmd_append(cmd, DXG_WIRE_CMD_TIMESTAMP, &c.hdr, sizeof(c));
}

/* CRC-32C, reflected polynomial 0x82f63b78, four bits at a time. */
static const uint32_t dxg_crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t dxg_crc32c(uint32_t crc, const void *buf, size_t length)
{
	const uint8_t *p = buf;
	size_t i;

	crc = ~crc;
	for (i = 0; i < length; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ dxg_crc32c_nibble[crc & 0xf];
		crc = (crc >> 4) ^ dxg_crc32c_nibble[crc & 0xf];
	}
	return ~crc;
}
