// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contract test of include/uapi/linux/dxg_wire.h against
 * Documentation/dxg-protocol.rst: every structure's size and every
 * field's offset as documented (compile-time asserts, so a drifted
 * layout does not build, and one TAP line each), the constants and
 * their arithmetic (the largest SUBMIT fits DXG_WIRE_FRAME_MIN, the
 * chunk overhead), the byte image of the documented example SUBMIT,
 * the CRC-32C check value and the overflow-safe range rule.
 *
 * Built with -Wpadded as well: a structure with implicit padding is a
 * build failure.  The header comes first, before any libc header, to
 * show that it stands alone.
 */
#include <linux/dxg_wire.h>

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "wire_layout.h"

static void t_sizes(void)
{
	T_SIZE(dxg_wire_hello, 16);
	T_SIZE(dxg_wire_hello_reply, 16);
	T_SIZE(dxg_wire_adapter, 104);
	T_SIZE(dxg_wire_req, 32);
	T_SIZE(dxg_wire_id, 8);
	T_SIZE(dxg_wire_adapter_open, 8);
	T_SIZE(dxg_wire_query, 8);
	T_SIZE(dxg_wire_query_memory, 32);
	T_SIZE(dxg_wire_query_clock, 32);
	T_SIZE(dxg_wire_query_stats, 64);
	T_SIZE(dxg_wire_device_create, 8);
	T_SIZE(dxg_wire_device_state, 32);
	T_SIZE(dxg_wire_context_create, 16);
	T_SIZE(dxg_wire_alloc_create, 24);
	T_SIZE(dxg_wire_lock, 32);
	T_SIZE(dxg_wire_unlock, 16);
	T_SIZE(dxg_wire_xfer, 32);
	T_SIZE(dxg_wire_bulk, 32);
	T_SIZE(dxg_wire_bulk_done, 16);
	T_SIZE(dxg_wire_fence_value, 16);
	T_SIZE(dxg_wire_submit, 24);
	T_SIZE(dxg_wire_submit_reply, 8);
	T_SIZE(dxg_wire_fence_create, 24);
	T_SIZE(dxg_wire_ev_fence, 32);
	T_SIZE(dxg_wire_ev_device, 48);
	T_SIZE(dxg_wire_cmd_hdr, 8);
	T_SIZE(dxg_wire_cmd_fill, 32);
	T_SIZE(dxg_wire_cmd_copy, 40);
	T_SIZE(dxg_wire_cmd_arith, 56);
	T_SIZE(dxg_wire_cmd_crc32c, 40);
	T_SIZE(dxg_wire_cmd_delay, 16);
	T_SIZE(dxg_wire_cmd_timestamp, 24);
}

static void t_offsets(void)
{
	T_OFF(dxg_wire_hello, max_version, 2);
	T_OFF(dxg_wire_hello, features, 8);
	T_OFF(dxg_wire_hello_reply, n_adapters, 6);
	T_OFF(dxg_wire_hello_reply, features, 8);
	T_OFF(dxg_wire_adapter, luid_low, 8);
	T_OFF(dxg_wire_adapter, luid_high, 12);
	T_OFF(dxg_wire_adapter, flags, 16);
	T_OFF(dxg_wire_adapter, vendor_id, 20);
	T_OFF(dxg_wire_adapter, device_id, 22);
	T_OFF(dxg_wire_adapter, dedicated_memory, 24);
	T_OFF(dxg_wire_adapter, shared_memory, 32);
	T_OFF(dxg_wire_adapter, name, 40);
	T_OFF(dxg_wire_req, nonce, 8);
	T_OFF(dxg_wire_req, adapter, 16);
	T_OFF(dxg_wire_query_clock, frequency, 8);
	T_OFF(dxg_wire_query_clock, host_ns, 16);
	T_OFF(dxg_wire_query_stats, events_coalesced, 56);
	T_OFF(dxg_wire_device_state, error, 4);
	T_OFF(dxg_wire_device_state, context, 8);
	T_OFF(dxg_wire_device_state, submit, 16);
	T_OFF(dxg_wire_device_state, cmd_offset, 24);
	T_OFF(dxg_wire_device_state, opcode, 28);
	T_OFF(dxg_wire_context_create, flags, 8);
	T_OFF(dxg_wire_alloc_create, size, 8);
	T_OFF(dxg_wire_alloc_create, flags, 16);
	T_OFF(dxg_wire_lock, offset, 8);
	T_OFF(dxg_wire_lock, length, 16);
	T_OFF(dxg_wire_lock, flags, 24);
	T_OFF(dxg_wire_unlock, flags, 8);
	T_OFF(dxg_wire_xfer, offset, 8);
	T_OFF(dxg_wire_xfer, length, 16);
	T_OFF(dxg_wire_xfer, flags, 24);
	T_OFF(dxg_wire_bulk_done, status, 4);
	T_OFF(dxg_wire_bulk_done, length, 8);
	T_OFF(dxg_wire_fence_value, value, 8);
	T_OFF(dxg_wire_submit, cmd_bytes, 8);
	T_OFF(dxg_wire_submit, flags, 12);
	T_OFF(dxg_wire_submit, n_allocs, 16);
	T_OFF(dxg_wire_submit, n_waits, 18);
	T_OFF(dxg_wire_submit, n_signals, 20);
	T_OFF(dxg_wire_fence_create, value, 8);
	T_OFF(dxg_wire_fence_create, flags, 16);
	T_OFF(dxg_wire_ev_fence, fence, 8);
	T_OFF(dxg_wire_ev_fence, value, 16);
	T_OFF(dxg_wire_ev_fence, error, 24);
	T_OFF(dxg_wire_ev_device, device, 8);
	T_OFF(dxg_wire_ev_device, state, 16);
	T_OFF(dxg_wire_cmd_hdr, flags, 2);
	T_OFF(dxg_wire_cmd_hdr, size, 4);
	T_OFF(dxg_wire_cmd_fill, alloc, 8);
	T_OFF(dxg_wire_cmd_fill, pattern, 12);
	T_OFF(dxg_wire_cmd_fill, offset, 16);
	T_OFF(dxg_wire_cmd_fill, length, 24);
	T_OFF(dxg_wire_cmd_copy, src, 12);
	T_OFF(dxg_wire_cmd_copy, dst_offset, 16);
	T_OFF(dxg_wire_cmd_copy, src_offset, 24);
	T_OFF(dxg_wire_cmd_copy, length, 32);
	T_OFF(dxg_wire_cmd_arith, type, 8);
	T_OFF(dxg_wire_cmd_arith, dst, 12);
	T_OFF(dxg_wire_cmd_arith, a, 16);
	T_OFF(dxg_wire_cmd_arith, b, 20);
	T_OFF(dxg_wire_cmd_arith, dst_offset, 24);
	T_OFF(dxg_wire_cmd_arith, a_offset, 32);
	T_OFF(dxg_wire_cmd_arith, b_offset, 40);
	T_OFF(dxg_wire_cmd_arith, count, 48);
	T_OFF(dxg_wire_cmd_crc32c, dst_offset, 16);
	T_OFF(dxg_wire_cmd_crc32c, length, 32);
	T_OFF(dxg_wire_cmd_delay, usec, 8);
	T_OFF(dxg_wire_cmd_timestamp, dst, 8);
	T_OFF(dxg_wire_cmd_timestamp, dst_offset, 16);
}

/* The constants as the document's tables give them. */
static void t_constants(void)
{
	t_ok(DXG_WIRE_VERSION_MIN == 1 && DXG_WIRE_VERSION_MAX == 1, "version range 1..1");
	t_ok(DXG_WIRE_MAX_ADAPTERS == 16 && DXG_WIRE_NAME_LEN == 64 &&
	     DXG_WIRE_MAX_SUBMIT_ALLOCS == 256 && DXG_WIRE_MAX_SUBMIT_WAITS == 32 &&
	     DXG_WIRE_MAX_SUBMIT_SIGNALS == 32 && DXG_WIRE_MAX_CMDBUF == 65536 &&
	     DXG_WIRE_MAX_ALLOC_SIZE == 4294967296ULL &&
	     DXG_WIRE_MAX_DELAY_US == 1000000 && DXG_WIRE_FRAME_MIN == 131072,
	     "limits as documented");
	t_ok(DXG_WIRE_OP_HELLO == 1 && DXG_WIRE_OP_ADAPTER_OPEN == 2 &&
	     DXG_WIRE_OP_QUERY == 4 && DXG_WIRE_OP_LOCK == 12 &&
	     DXG_WIRE_OP_READ == 14 && DXG_WIRE_OP_SUBMIT == 16 &&
	     DXG_WIRE_OP_FENCE_SIGNAL == 19 && DXG_WIRE_EV_FENCE == 1 &&
	     DXG_WIRE_EV_DEVICE == 2, "op and event numbers");
	t_ok(DXG_WIRE_CMD_NOP == 1 && DXG_WIRE_CMD_FILL == 2 && DXG_WIRE_CMD_COPY == 3 &&
	     DXG_WIRE_CMD_ADD == 4 && DXG_WIRE_CMD_MUL == 5 && DXG_WIRE_CMD_CRC32C == 6 &&
	     DXG_WIRE_CMD_DELAY == 7 && DXG_WIRE_CMD_TIMESTAMP == 8,
	     "command opcodes as in the command table");
	t_ok(DXG_WIRE_DEVICE_ACTIVE == 1 && DXG_WIRE_DEVICE_FAULTED == 2 &&
	     DXG_WIRE_DEVICE_LOST == 3 && DXG_WIRE_NO_CMD == 0xffffffffU,
	     "device states");
	t_ok(DXG_WIRE_LOCK_ALL == 0xf && DXG_WIRE_XFER_F_ALL == 1 &&
	     DXG_WIRE_ADAPTER_F_ALL == 7 && DXG_WIRE_FEAT_ALL == 1,
	     "flag sets hold exactly the defined bits");
	t_ok(sizeof(((struct dxg_wire_bulk *)0)->token) == HOSTLINK_TOKEN_LEN,
	     "the bulk token is a hostlink token");
	t_ok(!memcmp((const char[4]){ 'D', 'O', 'N', 'E' },
		     &(uint32_t){ htole32(DXG_WIRE_BULK_DONE_MAGIC) }, 4),
	     "the bulk-done magic reads \"DONE\"");
	t_ok(!strcmp(DXG_WIRE_SERVICE, "dxg") &&
	     sizeof(DXG_WIRE_SERVICE) <= HOSTLINK_NAME_LEN, "service name \"dxg\"");
}

/* The document's arithmetic: overheads and the largest frames. */
static void t_frames(void)
{
	const size_t cred = sizeof(struct hostlink_cred);
	const size_t submit_max = cred + sizeof(struct dxg_wire_req) +
		sizeof(struct dxg_wire_submit) +
		DXG_WIRE_MAX_SUBMIT_ALLOCS * sizeof(struct dxg_wire_id) +
		(DXG_WIRE_MAX_SUBMIT_WAITS + DXG_WIRE_MAX_SUBMIT_SIGNALS) *
		sizeof(struct dxg_wire_fence_value) + DXG_WIRE_MAX_CMDBUF;
	const size_t hello_max = sizeof(struct dxg_wire_hello_reply) +
		DXG_WIRE_MAX_ADAPTERS * sizeof(struct dxg_wire_adapter);

	t_ok(cred + sizeof(struct dxg_wire_req) + sizeof(struct dxg_wire_xfer) ==
	     DXG_WIRE_XFER_OVERHEAD, "chunk overhead is credentials + request + xfer = 128");
	t_ok(submit_max == 68728, "the largest SUBMIT payload is %zu bytes", submit_max);
	t_ok(submit_max <= DXG_WIRE_FRAME_MIN, "it fits DXG_WIRE_FRAME_MIN");
	t_ok(hello_max == 1680 && hello_max <= HOSTLINK_FRAME_MIN,
	     "the largest HELLO reply (%zu) fits hostlink's smallest frame", hello_max);
	t_ok(DXG_WIRE_FRAME_MIN >= HOSTLINK_FRAME_MIN &&
	     DXG_WIRE_FRAME_MIN <= HOSTLINK_FRAME_DEFAULT,
	     "hostlink's default frame is enough for the service");
	t_ok(DXG_WIRE_MAX_CMDBUF % DXG_WIRE_CMD_ALIGN == 0 &&
	     sizeof(struct dxg_wire_cmd_hdr) == DXG_WIRE_CMD_ALIGN,
	     "command alignment is the header size");
}

/* The example SUBMIT of "A typical session", step 5, byte by byte. */
static void t_example_submit(void)
{
	struct {
		struct dxg_wire_req req;
		struct dxg_wire_submit submit;
		struct dxg_wire_id allocs[2];
		struct dxg_wire_fence_value signal;
		struct dxg_wire_cmd_crc32c crc;
		struct dxg_wire_cmd_timestamp ts;
	} m;
	const unsigned char *b = (const unsigned char *)&m;

	memset(&m, 0, sizeof(m));
	m.req.process = htole64(7);
	m.req.nonce = htole64(0x9c2f41d07be35a16ULL);
	m.req.adapter = htole64(1);
	m.submit.context = htole64(3);
	m.submit.cmd_bytes = htole32(sizeof(m.crc) + sizeof(m.ts));
	m.submit.n_allocs = htole16(2);
	m.submit.n_signals = htole16(1);
	m.allocs[0].id = htole64(4);
	m.allocs[1].id = htole64(5);
	m.signal.fence = htole64(6);
	m.signal.value = htole64(1);
	m.crc.hdr.opcode = htole16(DXG_WIRE_CMD_CRC32C);
	m.crc.hdr.size = htole32(sizeof(m.crc));
	m.crc.dst = htole32(1);
	m.crc.length = htole64(4096);
	m.ts.hdr.opcode = htole16(DXG_WIRE_CMD_TIMESTAMP);
	m.ts.hdr.size = htole32(sizeof(m.ts));
	m.ts.dst = htole32(1);
	m.ts.dst_offset = htole64(8);

	t_ok(sizeof(struct hostlink_cred) + sizeof(m) == 216,
	     "example SUBMIT payload is 216 bytes");
	t_ok(le32toh(m.submit.cmd_bytes) == 64, "its command buffer is 64 bytes");
	t_ok(b[0] == 7 && b[8] == 0x16 && b[15] == 0x9c && b[16] == 1,
	     "process, nonce and adapter little-endian at 0, 8, 16");
	t_ok(b[32] == 3 && b[40] == 64 && b[48] == 2 && b[50] == 0 && b[52] == 1,
	     "context, cmd_bytes, n_allocs, n_waits, n_signals at 32, 40, 48, 50, 52");
	t_ok(b[56] == 4 && b[64] == 5 && b[72] == 6 && b[80] == 1,
	     "allocation list at 56, then the signal entry at 72");
	t_ok(b[88] == DXG_WIRE_CMD_CRC32C && b[92] == 40 && b[96] == 1 &&
	     b[120] == 0x00 && b[121] == 0x10,
	     "CRC32C command at 88: opcode, size 40, dst index 1, length 4096");
	t_ok(b[128] == DXG_WIRE_CMD_TIMESTAMP && b[132] == 24 && b[136] == 1 &&
	     b[144] == 8 && sizeof(m) == 152,
	     "TIMESTAMP command at 128, ending the payload at 152");
}

/* CRC-32C as the document defines it, bit by bit. */
static uint32_t t_crc32c(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t crc = 0xffffffffU;

	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return crc ^ 0xffffffffU;
}

static void t_crc(void)
{
	t_ok(t_crc32c("123456789", 9) == DXG_WIRE_CRC32C_CHECK,
	     "CRC-32C of \"123456789\" is DXG_WIRE_CRC32C_CHECK");
	t_ok(t_crc32c("", 0) == 0, "CRC-32C of nothing is 0");
}

/* The range rule of "Command buffers", and what a naive sum gets wrong. */
static int t_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return len <= size && off <= size - len;
}

static int t_count_ok(uint64_t off, uint64_t count, uint64_t size)
{
	return off <= size && count <= (size - off) / 4;
}

static void t_ranges(void)
{
	const uint64_t size = 4096, max = UINT64_MAX;

	t_ok(t_range_ok(0, size, size) && t_range_ok(size, 0, size) &&
	     t_range_ok(4092, 4, size), "ranges touching the end are valid");
	t_ok(!t_range_ok(size + 1, 0, size) && !t_range_ok(1, size, size) &&
	     !t_range_ok(4093, 4, size), "ranges past the end are not");
	t_ok(!t_range_ok(max, 2, size) && max + 2 <= size,
	     "offset 2^64-1 length 2: refused, where offset + length wraps to 1");
	t_ok(!t_range_ok(2, max, size) && !t_range_ok(max, max, size),
	     "huge lengths are refused");
	t_ok(t_count_ok(0, 1024, size) && !t_count_ok(0, 1025, size) &&
	     t_count_ok(4, 1023, size) && !t_count_ok(4, 1024, size),
	     "element counts up to the end, not past it");
	t_ok(!t_count_ok(0, max / 4 + 1, size) && !t_count_ok(size + 4, 0, size) &&
	     (uint64_t)((max / 4 + 1) * 4) == 0,
	     "a count whose byte length wraps to 0 is refused");
}

int main(void)
{
	printf("TAP version 13\n");
	t_sizes();
	t_offsets();
	t_constants();
	t_frames();
	t_example_submit();
	t_crc();
	t_ranges();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
