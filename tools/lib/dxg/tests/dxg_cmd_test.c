// SPDX-License-Identifier: GPL-2.0-only
/*
 * libdxg's command-buffer builder and CRC-32C: the exact bytes against
 * the wire structures of <linux/dxg_wire.h>, the limits, the
 * caller's-buffer mode and the checks of arguments.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dxg_wire.h>

#include "libdxg.h"
#include "tap.h"

/* The last command appended, as bytes. */
static const void *last(const struct dxg_cmd *cmd, size_t n)
{
	return cmd->data + cmd->size - n;
}

static void hdr(struct dxg_wire_cmd_hdr *h, uint16_t op, uint32_t size)
{
	h->opcode = htole16(op);
	h->flags = 0;
	h->size = htole32(size);
}

static void test_bytes(void)
{
	struct dxg_cmd cmd;
	struct dxg_wire_cmd_hdr nop;
	struct dxg_wire_cmd_fill fill = { 0 };
	struct dxg_wire_cmd_copy copy = { 0 };
	struct dxg_wire_cmd_arith ar = { 0 };
	struct dxg_wire_cmd_crc32c crc = { 0 };
	struct dxg_wire_cmd_delay delay = { 0 };
	struct dxg_wire_cmd_timestamp ts = { 0 };
	static const uint8_t fill_raw[32] = {
		2, 0, 0, 0, 32, 0, 0, 0,	/* opcode, flags, size */
		3, 0, 0, 0,			/* alloc */
		0x44, 0x33, 0x22, 0x11,		/* pattern, little-endian */
		8, 0, 0, 0, 0, 0, 0, 0,		/* offset */
		0, 1, 0, 0, 1, 0, 0, 0,		/* length 0x100000100 */
	};

	t_ok(dxg_cmd_init(&cmd) == 0 && cmd.size == 0, "init: empty");
	t_ok(dxg_cmd_nop(&cmd) == 0 && cmd.size == 8, "nop: 8 bytes");
	hdr(&nop, DXG_WIRE_CMD_NOP, 8);
	t_ok(!memcmp(last(&cmd, 8), &nop, 8), "nop: the wire header");

	t_ok(dxg_cmd_fill(&cmd, DXG_REF(3, 8), 0x100000100ull, 0x11223344) == 0,
	     "fill: appended");
	hdr(&fill.hdr, DXG_WIRE_CMD_FILL, sizeof(fill));
	fill.alloc = htole32(3);
	fill.pattern = htole32(0x11223344);
	fill.offset = htole64(8);
	fill.length = htole64(0x100000100ull);
	t_ok(cmd.size == 40 && !memcmp(last(&cmd, 32), &fill, 32),
	     "fill: struct dxg_wire_cmd_fill");
	t_ok(!memcmp(last(&cmd, 32), fill_raw, 32), "fill: little-endian bytes");

	t_ok(dxg_cmd_copy(&cmd, DXG_REF(1, 5), DXG_REF(2, 7), 9) == 0, "copy: appended");
	hdr(&copy.hdr, DXG_WIRE_CMD_COPY, sizeof(copy));
	copy.dst = htole32(1);
	copy.src = htole32(2);
	copy.dst_offset = htole64(5);
	copy.src_offset = htole64(7);
	copy.length = htole64(9);
	t_ok(!memcmp(last(&cmd, 40), &copy, 40), "copy: struct dxg_wire_cmd_copy");

	t_ok(dxg_cmd_add(&cmd, DXG_CMD_U32, DXG_REF(2, 16), DXG_REF(0, 4),
			 DXG_REF(1, 8), 10) == 0, "add u32: appended");
	hdr(&ar.hdr, DXG_WIRE_CMD_ADD, sizeof(ar));
	ar.type = htole32(DXG_WIRE_TYPE_U32);
	ar.dst = htole32(2);
	ar.a = htole32(0);
	ar.b = htole32(1);
	ar.dst_offset = htole64(16);
	ar.a_offset = htole64(4);
	ar.b_offset = htole64(8);
	ar.count = htole64(10);
	t_ok(!memcmp(last(&cmd, 56), &ar, 56), "add u32: struct dxg_wire_cmd_arith");

	t_ok(dxg_cmd_mul(&cmd, DXG_CMD_F32, DXG_REF(2, 16), DXG_REF(0, 4),
			 DXG_REF(1, 8), 10) == 0, "mul f32: appended");
	hdr(&ar.hdr, DXG_WIRE_CMD_MUL, sizeof(ar));
	ar.type = htole32(DXG_WIRE_TYPE_F32);
	t_ok(!memcmp(last(&cmd, 56), &ar, 56), "mul f32: struct dxg_wire_cmd_arith");

	t_ok(dxg_cmd_crc32c(&cmd, DXG_REF(1, 4), DXG_REF(0, 3), 100) == 0,
	     "crc32c: appended");
	hdr(&crc.hdr, DXG_WIRE_CMD_CRC32C, sizeof(crc));
	crc.dst = htole32(1);
	crc.src = htole32(0);
	crc.dst_offset = htole64(4);
	crc.src_offset = htole64(3);
	crc.length = htole64(100);
	t_ok(!memcmp(last(&cmd, 40), &crc, 40), "crc32c: struct dxg_wire_cmd_crc32c");

	t_ok(dxg_cmd_delay(&cmd, DXG_WIRE_MAX_DELAY_US) == 0, "delay: the maximum");
	hdr(&delay.hdr, DXG_WIRE_CMD_DELAY, sizeof(delay));
	delay.usec = htole32(DXG_WIRE_MAX_DELAY_US);
	t_ok(!memcmp(last(&cmd, 16), &delay, 16), "delay: struct dxg_wire_cmd_delay");

	t_ok(dxg_cmd_timestamp(&cmd, DXG_REF(4, 24)) == 0, "timestamp: appended");
	hdr(&ts.hdr, DXG_WIRE_CMD_TIMESTAMP, sizeof(ts));
	ts.dst = htole32(4);
	ts.dst_offset = htole64(24);
	t_ok(!memcmp(last(&cmd, 24), &ts, 24), "timestamp: struct dxg_wire_cmd_timestamp");

	t_ok(cmd.size == 8 + 32 + 40 + 56 + 56 + 40 + 16 + 24 &&
	     cmd.size % DXG_CMD_ALIGN == 0, "the sizes add up, 8-aligned");
	dxg_cmd_reset(&cmd);
	t_ok(cmd.size == 0 && cmd.data, "reset keeps the memory");
	dxg_cmd_release(&cmd);
	t_ok(!cmd.data && !cmd.size && !cmd.capacity, "release frees it");
	dxg_cmd_release(NULL);
}

static void test_checks(void)
{
	struct dxg_cmd cmd;
	struct dxg_cmd_ref r = DXG_REF(0, 0);

	dxg_cmd_init(&cmd);
	t_ok(dxg_cmd_fill(&cmd, DXG_REF(0, 2), 4, 0) == -EINVAL, "fill: offset %% 4");
	t_ok(dxg_cmd_fill(&cmd, r, 6, 0) == -EINVAL, "fill: length %% 4");
	t_ok(dxg_cmd_add(&cmd, 3, r, r, r, 1) == -EINVAL, "add: unknown type");
	t_ok(dxg_cmd_mul(&cmd, 0, r, r, r, 1) == -EINVAL, "mul: type 0");
	t_ok(dxg_cmd_add(&cmd, DXG_CMD_U32, DXG_REF(0, 1), r, r, 1) == -EINVAL,
	     "add: dst offset %% 4");
	t_ok(dxg_cmd_add(&cmd, DXG_CMD_U32, r, DXG_REF(0, 2), r, 1) == -EINVAL,
	     "add: a offset %% 4");
	t_ok(dxg_cmd_mul(&cmd, DXG_CMD_U32, r, r, DXG_REF(0, 3), 1) == -EINVAL,
	     "mul: b offset %% 4");
	t_ok(dxg_cmd_crc32c(&cmd, DXG_REF(0, 2), r, 1) == -EINVAL, "crc32c: dst %% 4");
	t_ok(dxg_cmd_delay(&cmd, DXG_WIRE_MAX_DELAY_US + 1) == -EINVAL, "delay: over 1 s");
	t_ok(dxg_cmd_timestamp(&cmd, DXG_REF(0, 4)) == -EINVAL, "timestamp: dst %% 8");
	t_ok(cmd.size == 0, "failed appends leave the buffer empty");
	t_ok(dxg_cmd_nop(NULL) == -EINVAL && dxg_cmd_fill(NULL, r, 4, 0) == -EINVAL &&
	     dxg_cmd_init(NULL) == -EINVAL, "NULL builder: -EINVAL");
	t_ok(dxg_cmd_copy(&cmd, DXG_REF(UINT32_MAX, UINT64_MAX),
			  DXG_REF(0, UINT64_MAX), UINT64_MAX) == 0,
	     "copy: any values (ranges are the host's to check)");
	dxg_cmd_release(&cmd);
}

static void test_limits(void)
{
	struct dxg_cmd cmd;
	uint8_t *big;
	size_t n = 0;
	int err = 0;

	dxg_cmd_init(&cmd);
	while (!(err = dxg_cmd_nop(&cmd)))
		n++;
	t_ok(err == -E2BIG && n == DXG_MAX_CMD_SIZE / 8 && cmd.size == DXG_MAX_CMD_SIZE,
	     "grows to DXG_MAX_CMD_SIZE exactly, then -E2BIG (%zu nops)", n);
	t_ok(cmd.capacity == DXG_MAX_CMD_SIZE, "capacity stops at the limit");
	dxg_cmd_reset(&cmd);
	while (!dxg_cmd_copy(&cmd, DXG_REF(0, 0), DXG_REF(0, 0), 1))
		;
	t_ok(cmd.size == DXG_MAX_CMD_SIZE - DXG_MAX_CMD_SIZE % 40 &&
	     dxg_cmd_nop(&cmd) == 0, "a 40-byte command past the limit fails, a nop fits");
	dxg_cmd_reset(&cmd);
	t_ok(dxg_cmd_set_max(&cmd, 12) == -EINVAL && dxg_cmd_set_max(&cmd, 0) == -EINVAL &&
	     dxg_cmd_set_max(&cmd, DXG_MAX_CMD_SIZE + 8) == -EINVAL,
	     "set_max: not 8-aligned, 0, above DXG_MAX_CMD_SIZE");
	t_ok(dxg_cmd_set_max(&cmd, 48) == 0 && dxg_cmd_fill(&cmd, DXG_REF(0, 0), 4, 1) == 0 &&
	     dxg_cmd_delay(&cmd, 1) == 0 && dxg_cmd_nop(&cmd) == -E2BIG && cmd.size == 48,
	     "set_max 48: 32 + 16 fit, nothing more");
	t_ok(dxg_cmd_set_max(&cmd, 40) == -E2BIG, "set_max below the size: -E2BIG");
	dxg_cmd_release(&cmd);

	big = malloc(64);
	dxg_cmd_init_buffer(&cmd, big, 60);
	t_ok(dxg_cmd_fill(&cmd, DXG_REF(0, 0), 4, 1) == 0 &&
	     dxg_cmd_fill(&cmd, DXG_REF(0, 0), 4, 1) == -ENOSPC && cmd.size == 32,
	     "caller's buffer: -ENOSPC when full, the size unchanged");
	t_ok(dxg_cmd_delay(&cmd, 0) == 0 && dxg_cmd_nop(&cmd) == 0 && cmd.size == 56 &&
	     dxg_cmd_nop(&cmd) == -ENOSPC, "caller's buffer: fills to its last command");
	t_ok(cmd.data == big, "caller's buffer: never moved");
	dxg_cmd_release(&cmd);
	t_ok(!cmd.data, "release of a caller's buffer only forgets it");
	free(big);
	t_ok(dxg_cmd_init_buffer(&cmd, NULL, 8) == -EINVAL, "init_buffer: NULL with capacity");
	t_ok(dxg_cmd_init_buffer(&cmd, NULL, 0) == 0 && dxg_cmd_nop(&cmd) == -ENOSPC,
	     "init_buffer: empty buffer takes nothing");
	/* A corrupted size must not wrap the checks. */
	dxg_cmd_init_buffer(&cmd, NULL, 0);
	cmd.size = SIZE_MAX - 4;
	t_ok(dxg_cmd_nop(&cmd) == -E2BIG, "size beyond max_size: -E2BIG, no wrap");
}

static void test_crc(void)
{
	static const char check[] = "123456789";
	uint8_t zeros[32] = { 0 }, ones[32];

	memset(ones, 0xff, sizeof(ones));
	t_ok(dxg_crc32c(0, check, 9) == DXG_WIRE_CRC32C_CHECK,
	     "crc32c(\"123456789\") is DXG_WIRE_CRC32C_CHECK");
	t_ok(dxg_crc32c(dxg_crc32c(0, check, 4), check + 4, 5) == DXG_WIRE_CRC32C_CHECK,
	     "crc32c continues across parts");
	t_ok(dxg_crc32c(0, NULL, 0) == 0, "crc32c of nothing is 0");
	/* RFC 3720 B.4 test vectors. */
	t_ok(dxg_crc32c(0, zeros, 32) == 0x8a9136aa, "crc32c: 32 zero bytes");
	t_ok(dxg_crc32c(0, ones, 32) == 0x62a8ab43, "crc32c: 32 0xff bytes");
}

int main(void)
{
	printf("TAP version 13\n");
	test_bytes();
	test_checks();
	test_limits();
	test_crc();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
