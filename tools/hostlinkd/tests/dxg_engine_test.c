// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the GPU service's engine and software backend
 * (tools/hostlinkd/dxg/): every command's result bytes, the SUBMIT
 * checks, ordering and concurrency on the worker threads, fences,
 * faults, destroys and limits.  Waits are on events, with generous
 * deadlines; the only timing assert is the concurrency one, with margin.
 */
#include <endian.h>
#include <errno.h>
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
#include "tests/dxg_engine_tlib.h"

/* ---- the commands ---- */

static void t_commands(void)
{
	struct t_env t;
	uint8_t in[256], out[256];
	uint64_t a, b, ctx, f, num = 0, t0, t1, ts;
	struct t_sb *sb;
	struct t_ev ev;
	unsigned int i;
	bool ok;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 256);
	b = t_alloc(&t, 256);
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	memset(in, 0, sizeof(in));
	memcpy(in, "123456789", 9);
	for (i = 0; i < 4; i++) {
		t_put_u32(in + 16 + i * 4, 0xfffffff0U + i);	/* a: u32 */
		t_put_u32(in + 32 + i * 4, 0x20U + i);		/* b: u32 */
		t_put_f32(in + 48 + i * 4, 1.5f + (float)i);	/* a: f32 */
		t_put_f32(in + 64 + i * 4, 0.25f * (float)(i + 1));
	}
	t_ok(!t_write(&t, a, 0, in, sizeof(in)), "write the inputs");
	memset(out, 0, sizeof(out));
	t_ok(!t_read(&t, b, 0, out, sizeof(out)) &&
	     !memcmp(out, (uint8_t[256]){ 0 }, 256), "a new allocation reads as zero");

	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_alloc(sb, b);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	T_CMD(sb, t_fill(1, 0x11223344, 0, 16));
	T_CMD(sb, t_copy(1, 0, 100, 0, 9));
	T_CMD(sb, t_copy(1, 1, 102, 100, 4));		/* overlapping memmove */
	T_CMD(sb, t_arith(DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_U32, 1, 0, 0, 16, 16, 32, 4));
	T_CMD(sb, t_arith(DXG_WIRE_CMD_MUL, DXG_WIRE_TYPE_U32, 1, 0, 0, 32, 16, 32, 4));
	T_CMD(sb, t_arith(DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_F32, 1, 0, 0, 48, 48, 64, 4));
	T_CMD(sb, t_arith(DXG_WIRE_CMD_MUL, DXG_WIRE_TYPE_F32, 1, 0, 0, 64, 48, 64, 4));
	T_CMD(sb, t_crc(1, 0, 80, 0, 9));
	T_CMD(sb, t_crc(1, 0, 84, 0, 0));
	T_CMD(sb, t_delay(20000));
	T_CMD(sb, t_ts(1, 88));
	/* in place: a's u32 elements doubled, into a copy of them in b */
	T_CMD(sb, t_copy(1, 0, 128, 16, 16));
	T_CMD(sb, t_arith(DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_U32, 1, 1, 1, 128, 128, 128, 4));
	t0 = t_now();
	t_ok(!t_submit(&t, sb, &num) && num == 1, "submission accepted as number 1");
	ok = t_wait(f, 1, 5000, &ev);
	t1 = t_now();
	t_ok(ok && ev.value == 1 && ev.error == 0 && ev.process == 7,
	     "its signal arrives: fence 1, error 0, process 7");
	t_ok(t1 - t0 >= 20000000ULL, "DELAY 20 ms took at least 20 ms (%llu us)",
	     (unsigned long long)((t1 - t0) / 1000));
	t_read(&t, b, 0, out, sizeof(out));
	for (ok = true, i = 0; i < 4; i++)
		ok &= out[i * 4] == 0x44 && out[i * 4 + 1] == 0x33 &&
		      out[i * 4 + 2] == 0x22 && out[i * 4 + 3] == 0x11;
	t_ok(ok, "FILL repeats the pattern as little-endian bytes");
	t_ok(!memcmp(out + 100, "121234789", 9) && out[109] == 0, "COPY, overlapping too, moves as memmove");
	for (ok = true, i = 0; i < 4; i++)
		ok &= t_u32(out + 16 + i * 4) == 0xfffffff0U + i + 0x20U + i;
	t_ok(ok && t_u32(out + 16) == 0x10, "ADD u32 wraps modulo 2^32");
	for (ok = true, i = 0; i < 4; i++)
		ok &= t_u32(out + 32 + i * 4) == (uint32_t)((0xfffffff0U + i) * (0x20U + i));
	t_ok(ok, "MUL u32 modulo 2^32");
	for (ok = true, i = 0; i < 4; i++)
		ok &= t_f32(out + 48 + i * 4) == 1.5f + (float)i + 0.25f * (float)(i + 1);
	t_ok(ok && t_f32(out + 48) == 1.75f, "ADD f32");
	for (ok = true, i = 0; i < 4; i++)
		ok &= t_f32(out + 64 + i * 4) == (1.5f + (float)i) * (0.25f * (float)(i + 1));
	t_ok(ok && t_f32(out + 76) == 4.5f * 1.0f, "MUL f32");
	t_ok(t_u32(out + 80) == DXG_WIRE_CRC32C_CHECK,
	     "CRC32C of \"123456789\" is 0x%08x", t_u32(out + 80));
	t_ok(t_u32(out + 84) == 0, "CRC32C of nothing is 0");
	memcpy(&ts, out + 88, 8);
	ts = le64toh(ts);
	t_ok(ts > t0 && ts < t1, "TIMESTAMP is the adapter clock at the time");
	for (ok = true, i = 0; i < 4; i++)
		ok &= t_u32(out + 128 + i * 4) == 2 * (0xfffffff0U + i);
	t_ok(ok, "ADD in place");
	t_ok(hl_dxg_crc32c(0, (const uint8_t *)"123456789", 9) == 0xe3069283U,
	     "the backend's CRC-32C check value");
	{
		struct dxg_wire_query_stats st;

		t_ok(!hl_dxg_query_stats(t.g, &t.w, &st) && st.submits == 1 &&
		     st.retired == 1 && st.failed == 0 && st.commands == 14 &&
		     st.busy_ns >= 20000000ULL,
		     "QUERY STATS: 1 submit, 1 retired, 14 commands, busy >= 20 ms");
	}
	t_env_down(&t);
}

/* ---- the SUBMIT checks ---- */

struct t_bad {
	const char *what;
	int err;
};

/* One command on allocations 0 (size 64) and 1 (size 64): its errno. */
static int t_one(struct t_env *t, uint64_t ctx, uint64_t a, uint64_t b,
		 uint64_t f, const void *cmd, size_t size)
{
	struct t_sb *sb = t_sb(ctx);

	t_sb_alloc(sb, a);
	t_sb_alloc(sb, b);
	t_sb_signal(sb, f, 1000);
	t_sb_cmd(sb, cmd, size);
	return t_submit(t, sb, NULL);
}

#define T_REFUSE(t, cmd, what) do {					\
	__typeof__(cmd) __c = (cmd);					\
	int __r = t_one((t), ctx, a, b, f, &__c, sizeof(__c));		\
	t_ok(__r == -EINVAL, "refused, EINVAL: %s (%d)", (what), __r);	\
} while (0)

#define T_ACCEPT(t, cmd, what) do {					\
	__typeof__(cmd) __c = (cmd);					\
	int __r = t_one((t), ctx2, a, b, f2, &__c, sizeof(__c));	\
	t_ok(__r == 0, "accepted: %s (%d)", (what), __r);		\
	accepted++;							\
} while (0)

static void t_bounds(void)
{
	const uint64_t max = UINT64_MAX;
	struct t_env t;
	uint64_t a, b, a2, ctx, ctx2, f, f2, v = 0, num = 0, dev2, c3;
	struct dxg_wire_cmd_hdr h;
	struct t_sb *sb;
	unsigned int i, accepted = 0;
	int ret;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 64);
	b = t_alloc(&t, 64);
	ctx = t_ctx(&t);
	ctx2 = t_ctx(&t);
	f = t_fence(&t, 0);
	f2 = t_fence(&t, 0);

	/* the edges that are still valid, on another context */
	T_ACCEPT(&t, t_fill(0, 1, 60, 4), "FILL up to the end");
	T_ACCEPT(&t, t_fill(0, 1, 64, 0), "FILL of 0 bytes at the end");
	T_ACCEPT(&t, t_copy(0, 1, 0, 0, 64), "COPY of everything");
	T_ACCEPT(&t, t_copy(0, 1, 64, 64, 0), "COPY of 0 bytes at the end");
	T_ACCEPT(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 0, 0, 0, 16), "ADD of 16 elements");
	T_ACCEPT(&t, t_arith(DXG_WIRE_CMD_MUL, 2, 0, 0, 1, 0, 0, 0, 16), "MUL in place");
	T_ACCEPT(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 64, 64, 64, 0), "ADD of 0 at the end");
	T_ACCEPT(&t, t_crc(0, 1, 60, 0, 64), "CRC32C to the last word");
	T_ACCEPT(&t, t_crc(0, 0, 60, 0, 60), "CRC32C just before its result");
	T_ACCEPT(&t, t_ts(0, 56), "TIMESTAMP in the last 8 bytes");
	T_ACCEPT(&t, t_delay(DXG_WIRE_MAX_DELAY_US / 1000), "DELAY 1 ms");

	T_REFUSE(&t, t_fill(2, 1, 0, 4), "FILL with index n_allocs");
	T_REFUSE(&t, t_fill(0, 1, 64, 4), "FILL one word past the end");
	T_REFUSE(&t, t_fill(0, 1, 0, 68), "FILL 68 bytes of 64");
	T_REFUSE(&t, t_fill(0, 1, 68, 0), "FILL of 0 bytes past the end");
	T_REFUSE(&t, t_fill(0, 1, 2, 4), "FILL at an unaligned offset");
	T_REFUSE(&t, t_fill(0, 1, 0, 6), "FILL of an unaligned length");
	T_REFUSE(&t, t_fill(0, 1, max - 3, 8), "FILL where offset + length wraps");
	T_REFUSE(&t, t_fill(0, 1, 4, max - 3), "FILL of a huge length");
	T_REFUSE(&t, t_copy(0, 1, 1, 0, 64), "COPY destination one byte past");
	T_REFUSE(&t, t_copy(0, 1, 0, 1, 64), "COPY source one byte past");
	T_REFUSE(&t, t_copy(0, 1, max, 0, 2), "COPY, destination offset 2^64-1");
	T_REFUSE(&t, t_copy(0, 1, 0, 2, max), "COPY of length 2^64-1");
	T_REFUSE(&t, t_copy(0, 7, 0, 0, 1), "COPY from index 7");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 0, 0, 0, 17), "ADD of 17 elements");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 4, 0, 0, 16), "ADD, destination past");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 0, 4, 0, 16), "ADD, a past");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 0, 0, 4, 16), "ADD, b past");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 68, 0, 0, 0), "ADD of 0 past the end");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 0, 0, 0, max / 4 + 1),
		 "ADD of a count whose byte length wraps to 0");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 1, 0, 1, 1, 2, 0, 0, 1), "ADD, unaligned offset");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 3, 0, 1, 1, 0, 0, 0, 1), "ADD of an unknown type");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_ADD, 0, 0, 1, 1, 0, 0, 0, 1), "ADD of type 0");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_MUL, 1, 0, 0, 1, 4, 0, 0, 2),
		 "MUL, destination partly over an operand");
	T_REFUSE(&t, t_arith(DXG_WIRE_CMD_MUL, 1, 2, 0, 1, 0, 0, 0, 1), "MUL, index 2");
	T_REFUSE(&t, t_crc(0, 1, 64, 0, 4), "CRC32C result past the end");
	T_REFUSE(&t, t_crc(0, 1, 62, 0, 4), "CRC32C result unaligned");
	T_REFUSE(&t, t_crc(0, 1, 0, 1, 64), "CRC32C source one byte past");
	T_REFUSE(&t, t_crc(0, 1, 0, max, 2), "CRC32C source offset 2^64-1");
	T_REFUSE(&t, t_crc(0, 0, 60, 0, 61), "CRC32C result over its source");
	T_REFUSE(&t, t_ts(0, 60), "TIMESTAMP unaligned");
	T_REFUSE(&t, t_ts(0, 64), "TIMESTAMP past the end");
	T_REFUSE(&t, t_ts(0, max - 7), "TIMESTAMP at 2^64-8");
	T_REFUSE(&t, t_delay(DXG_WIRE_MAX_DELAY_US + 1), "DELAY over 1 s");
	{
		struct dxg_wire_cmd_delay d = t_delay(1);
		struct dxg_wire_cmd_timestamp ts = t_ts(0, 0);
		struct dxg_wire_cmd_fill fl = t_fill(0, 0, 0, 4);

		d.__reserved = htole32(1);
		T_REFUSE(&t, d, "DELAY with reserved bits");
		ts.__reserved = htole32(1);
		T_REFUSE(&t, ts, "TIMESTAMP with reserved bits");
		fl.hdr.flags = htole16(1);
		T_REFUSE(&t, fl, "a command with flags");
		fl = t_fill(0, 0, 0, 4);
		fl.hdr.size = htole32(40);
		T_REFUSE(&t, fl, "a command whose size is not its opcode's");
	}
	h = t_hdr(9, 8);
	T_REFUSE(&t, h, "an unknown opcode");
	h = t_hdr(0, 8);
	T_REFUSE(&t, h, "opcode 0");
	{
		struct dxg_wire_cmd_fill fl = t_fill(0, 0, 0, 4);

		sb = t_sb(ctx);
		t_sb_alloc(sb, a);
		t_sb_signal(sb, f, 1000);
		t_sb_cmd(sb, &fl, 24);	/* a FILL cut short */
		t_ok(t_submit(&t, sb, NULL) == -EINVAL, "a truncated last command");
	}

	/* the submission's own layout */
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 1000);
	t_sb_pack(sb);
	t_ok(hl_dxg_submit(t.g, &t.w, sb->body, sb->len - 1, &num) == -EPROTO &&
	     hl_dxg_submit(t.g, &t.w, sb->body, sb->len + 1, &num) == -EPROTO &&
	     hl_dxg_submit(t.g, &t.w, sb->body, 23, &num) == -EPROTO,
	     "a payload one byte short or long: EPROTO");
	sb = t_sb(ctx);
	T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	sb->cmds[8] = 0;
	sb->h.cmd_bytes = htole32(12);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "cmd_bytes not a multiple of 8");
	sb = t_sb(ctx);
	sb->h.flags = htole32(1);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "SUBMIT flags");
	sb = t_sb(ctx);
	sb->h.__reserved = htole16(1);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "SUBMIT reserved");
	sb = t_sb(ctx);
	for (i = 0; i < DXG_WIRE_MAX_SUBMIT_WAITS + 1; i++)
		t_sb_wait(sb, f, 0);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "33 waits");
	sb = t_sb(ctx);
	for (i = 0; i < DXG_WIRE_MAX_SUBMIT_SIGNALS + 1; i++)
		t_sb_signal(sb, f, 1000);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "33 signals");
	sb = t_sb(ctx);
	for (i = 0; i < DXG_WIRE_MAX_SUBMIT_ALLOCS + 1; i++)
		t_sb_alloc(sb, i & 1 ? a : b);
	ret = t_submit(&t, sb, NULL);
	t_ok(ret == -EINVAL, "257 allocations (%d)", ret);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_alloc(sb, a);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "an allocation listed twice");
	sb = t_sb(ctx);
	for (i = 0; i < DXG_WIRE_MAX_CMDBUF / 8 + 1; i++)
		T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "65544 command bytes");
	sb = t_sb(ctx + 1000);
	t_ok(t_submit(&t, sb, NULL) == -ENOENT, "an unknown context: ENOENT");
	sb = t_sb(ctx);
	t_sb_alloc(sb, a + 1000);
	t_ok(t_submit(&t, sb, NULL) == -ENOENT, "an unknown allocation: ENOENT");
	sb = t_sb(ctx);
	t_sb_wait(sb, a, 1);
	t_ok(t_submit(&t, sb, NULL) == -ENOENT, "an allocation named as a fence: ENOENT");
	sb = t_sb(ctx);
	t_sb_signal(sb, f + 1000, 1);
	t_ok(t_submit(&t, sb, NULL) == -ENOENT, "an unknown signal fence: ENOENT");

	/* objects of another device under the same handle */
	hl_dxg_device_create(t.g, &t.w, &dev2);
	hl_dxg_alloc_create(t.g, &t.w, dev2, 64, &a2);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a2);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "an allocation of another device: EINVAL");
	hl_dxg_context_create(t.g, &t.w, dev2, &c3);
	sb = t_sb(c3);
	t_sb_signal(sb, f, 1000);
	t_ok(t_submit(&t, sb, NULL) == -EINVAL, "a fence of another device: EINVAL");

	/* another process, a wrong nonce, another handle */
	{
		struct hl_dxg_who w = t.w;

		sb = t_sb(ctx);
		t_sb_pack(sb);
		w.process = 8;
		t_ok(hl_dxg_submit(t.g, &w, sb->body, sb->len, &num) == -ENOENT,
		     "another process's context: ENOENT");
		w = t.w;
		w.nonce ^= 1;
		t_ok(hl_dxg_submit(t.g, &w, sb->body, sb->len, &num) == -ESTALE,
		     "a foreign nonce: ESTALE");
		w = t.w;
		w.adapter = 0;
		hl_dxg_adapter_open(t.g, &w, &w.adapter);
		t_ok(w.adapter != t.w.adapter &&
		     hl_dxg_submit(t.g, &w, sb->body, sb->len, &num) == -ENOENT,
		     "another adapter handle's context: ENOENT");
	}

	/* nothing of the refused ones was queued */
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 1);
	ret = t_submit(&t, sb, &num);
	t_ok(!ret && num == 1, "the first accepted submission on the context is number 1");
	t_ok(t_wait(f, 1, 5000, NULL), "and it runs");
	sb = t_sb(ctx2);
	t_sb_signal(sb, f2, 1);
	ret = t_submit(&t, sb, &num);
	t_ok(!ret && num == accepted + 1, "the other context's numbers go on: %llu",
	     (unsigned long long)num);
	t_ok(t_wait(f2, 1000, 5000, NULL), "the accepted edge cases ran");
	t_sleep_ms(20);
	hl_dxg_fence_value(t.g, &t.w, f, &v);
	t_ok(v == 1 && t_count(f) == 1,
	     "no refused submission signalled its fence (value %llu, %u events)",
	     (unsigned long long)v, t_count(f));
	t_env_down(&t);
}

/* ---- ordering and concurrency ---- */

static void t_ordering(const char *how)
{
	struct t_env t;
	uint64_t acc, k, ctx, f, num = 0, want;
	uint8_t cst[256], out[4];
	struct t_sb *sb;
	unsigned int i, n = 64, last = 0;
	bool ok = true, inc = true;

	t_env_up(&t, &(struct hl_dxg_engine_cfg){ .workers = 2 });
	acc = t_alloc(&t, 4);
	k = t_alloc(&t, sizeof(cst));
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	t_put_u32(cst, 3);
	for (i = 1; i < n; i++)
		t_put_u32(cst + 4 * i, i * 7 + 1);
	t_write(&t, k, 0, cst, sizeof(cst));
	/* acc = (acc * 3 + c_i) for each i in order: any reordering shows */
	for (i = 1; i < n; i++) {
		sb = t_sb(ctx);
		t_sb_alloc(sb, acc);
		t_sb_alloc(sb, k);
		t_sb_signal(sb, f, i);
		if (i % 8 == 0)
			T_CMD(sb, t_delay(2000));
		T_CMD(sb, t_arith(DXG_WIRE_CMD_MUL, DXG_WIRE_TYPE_U32, 0, 0, 1, 0, 0, 0, 1));
		T_CMD(sb, t_arith(DXG_WIRE_CMD_ADD, DXG_WIRE_TYPE_U32, 0, 0, 1, 0, 0, 4 * i, 1));
		ok &= !t_submit(&t, sb, &num) && num == i;
	}
	want = 0;
	for (i = 1; i < n; i++)
		want = (uint32_t)(want * 3 + i * 7 + 1);
	t_ok(ok, "%s: 63 submissions accepted, numbered 1 to 63", how);
	t_ok(t_wait(f, n - 1, 10000, NULL), "%s: the last one signals", how);
	t_read(&t, acc, 0, out, 4);
	t_ok(t_u32(out) == (uint32_t)want, "%s: with 2 workers they ran in order (0x%08x, 0x%08x)",
	     how, t_u32(out), (unsigned int)want);
	pthread_mutex_lock(&t_lock);
	for (i = 0; i < t_nev; i++) {
		if (t_evs[i].device || t_evs[i].id != f)
			continue;
		inc &= t_evs[i].value == last + 1;
		last = (unsigned int)t_evs[i].value;
	}
	pthread_mutex_unlock(&t_lock);
	t_ok(inc && last == n - 1, "%s: the fence's events come in increasing order, each value once",
	     how);
	t_env_down(&t);
}

/* The event of @fence at @value, waited for up to 5 s; its thread. */
static bool t_inline_ev(uint64_t fence, uint64_t value, struct t_ev *ev)
{
	return t_wait(fence, value, 5000, ev) && ev->value == value;
}

/*
 * Small ready buffers run inline: their FENCE event is made on the
 * submitting thread, before hl_dxg_submit() returns.  Large ones, any
 * DELAY, and one queued behind running work go to a worker; a fault
 * inline is recorded as on a worker.
 */
static void t_inline(void)
{
	struct t_env t;
	uint64_t a, ctx, f, num;
	struct dxg_wire_device_state st;
	uint8_t out[4];
	struct t_sb *sb;
	struct t_ev ev;
	bool here;

	t_env_up(&t, &(struct hl_dxg_engine_cfg){ .workers = 2 });
	a = t_alloc(&t, 1 << 20);
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);

	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_fill(0, 0x11223344, 0, 4096));
	t_ok(!t_submit(&t, sb, &num), "a FILL of 4 KiB is accepted");
	pthread_mutex_lock(&t_lock);
	here = t_find(f, 1) >= 0;
	pthread_mutex_unlock(&t_lock);
	t_ok(here && t_inline_ev(f, 1, &ev) && pthread_equal(ev.thread, pthread_self()),
	     "it ran inline: signalled on this thread before SUBMIT returned");
	t_ok(!t_read(&t, a, 4092, out, 4) && t_u32(out) == 0x11223344, "its bytes are there");

	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 2);
	T_CMD(sb, t_fill(0, 5, 0, HL_DXG_SOFT_INLINE_BYTES - sizeof(struct dxg_wire_cmd_fill)));
	t_ok(!t_submit(&t, sb, &num) && t_inline_ev(f, 2, &ev) &&
	     pthread_equal(ev.thread, pthread_self()),
	     "a FILL costing 64 KiB with its command runs inline");
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 3);
	T_CMD(sb, t_fill(0, 6, 0, HL_DXG_SOFT_INLINE_BYTES - sizeof(struct dxg_wire_cmd_fill) + 4));
	t_ok(!t_submit(&t, sb, &num) && t_inline_ev(f, 3, &ev) &&
	     !pthread_equal(ev.thread, pthread_self()),
	     "4 bytes more run on a worker");
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 4);
	T_CMD(sb, t_delay(0));
	t_ok(!t_submit(&t, sb, &num) && t_inline_ev(f, 4, &ev) &&
	     !pthread_equal(ev.thread, pthread_self()),
	     "a DELAY of 0 us runs on a worker");

	/* Behind running work: queued in order, then run by the worker. */
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 5);
	T_CMD(sb, t_delay(20000));
	t_ok(!t_submit(&t, sb, &num), "a DELAY of 20 ms is accepted");
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 6);
	T_CMD(sb, t_fill(0, 7, 0, 4));
	t_ok(!t_submit(&t, sb, &num) && t_inline_ev(f, 6, &ev) &&
	     !pthread_equal(ev.thread, pthread_self()) && t_find(f, 5) < t_find(f, 6),
	     "a small FILL behind it waits its turn and signals after it");

	/* A fault inline: the device record and the events as on a worker. */
	hl_dxg_soft_inject(t.soft, DXG_WIRE_CMD_FILL, EIO);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 7);
	T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	T_CMD(sb, t_fill(0, 8, 0, 4));
	t_ok(!t_submit(&t, sb, &num) && t_inline_ev(f, 7, &ev) && ev.error == EIO &&
	     pthread_equal(ev.thread, pthread_self()),
	     "a FILL failing inline signals with EIO at once");
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	t_ok(st.state == DXG_WIRE_DEVICE_FAULTED && st.error == EIO && st.context == ctx &&
	     st.submit == num && st.cmd_offset == 8 && st.opcode == DXG_WIRE_CMD_FILL,
	     "and faults its device with the right record");
	hl_dxg_soft_inject(t.soft, 0, 0);
	t_env_down(&t);
}

static void t_concurrent(void)
{
	struct t_env t;
	uint64_t c1, c2, f1, f2, t0;
	struct t_ev e1, e2;
	struct t_sb *sb;
	bool ok;

	t_env_up(&t, NULL);
	c1 = t_ctx(&t);
	c2 = t_ctx(&t);
	f1 = t_fence(&t, 0);
	f2 = t_fence(&t, 0);
	t0 = t_now();
	sb = t_sb(c1);
	t_sb_signal(sb, f1, 1);
	T_CMD(sb, t_delay(300000));
	ok = !t_submit(&t, sb, NULL);
	sb = t_sb(c2);
	t_sb_signal(sb, f2, 1);
	T_CMD(sb, t_delay(300000));
	ok &= !t_submit(&t, sb, NULL);
	ok &= t_wait(f1, 1, 5000, &e1) && t_wait(f2, 1, 5000, &e2);
	t_ok(ok, "two contexts' DELAYs of 300 ms both signal");
	t_ok(e1.ns - t0 >= 300000000ULL && e2.ns - t0 >= 300000000ULL,
	     "neither before 300 ms");
	t_ok(e1.ns - t0 < 550000000ULL && e2.ns - t0 < 550000000ULL,
	     "both within 550 ms, so they ran at the same time (%llu, %llu ms)",
	     (unsigned long long)((e1.ns - t0) / 1000000),
	     (unsigned long long)((e2.ns - t0) / 1000000));
	t_env_down(&t);
}

/* Waits on another context's fence; waiting contexts hold no worker. */
static void t_cross(void)
{
	struct t_env t;
	uint64_t a, b, c1, c2, c3, c4, c5, f, never, done;
	uint8_t out[16];
	struct t_sb *sb;
	struct t_ev ev;
	bool ok;

	t_env_up(&t, &(struct hl_dxg_engine_cfg){ .workers = 2 });
	a = t_alloc(&t, 16);
	b = t_alloc(&t, 16);
	c1 = t_ctx(&t);
	c2 = t_ctx(&t);
	c3 = t_ctx(&t);
	c4 = t_ctx(&t);
	c5 = t_ctx(&t);
	f = t_fence(&t, 0);
	never = t_fence(&t, 0);
	done = t_fence(&t, 0);

	/* the consumer first: it can only run after the producer */
	sb = t_sb(c2);
	t_sb_alloc(sb, a);
	t_sb_alloc(sb, b);
	t_sb_wait(sb, f, 1);
	t_sb_signal(sb, f, 2);
	T_CMD(sb, t_copy(1, 0, 0, 0, 16));
	ok = !t_submit(&t, sb, NULL);
	/* two contexts waiting for ever, as many as there are workers */
	sb = t_sb(c3);
	t_sb_wait(sb, never, 1);
	ok &= !t_submit(&t, sb, NULL);
	sb = t_sb(c4);
	t_sb_wait(sb, never, 1);
	ok &= !t_submit(&t, sb, NULL);
	sb = t_sb(c1);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_delay(50000));
	T_CMD(sb, t_fill(0, 0xabcdef01, 0, 16));
	ok &= !t_submit(&t, sb, NULL);
	t_ok(ok, "producer, consumer and two never-satisfied waiters accepted");
	t_ok(t_wait(f, 2, 5000, &ev) && ev.value == 2, "the consumer ran after the producer");
	t_read(&t, b, 0, out, 16);
	t_ok(t_u32(out) == 0xabcdef01 && t_u32(out + 12) == 0xabcdef01,
	     "and saw the producer's writes");
	sb = t_sb(c5);
	t_sb_signal(sb, done, 1);
	T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	t_ok(!t_submit(&t, sb, NULL) && t_wait(done, 1, 5000, NULL),
	     "with 2 workers and 2 contexts waiting, a third still runs");
	hl_dxg_fence_signal(t.g, &t.w, never, 1);
	t_env_down(&t);
}

/* ---- destroys ---- */

static void t_destroy(void)
{
	struct t_env t;
	uint64_t a, keep, ctx, ctx2, f, g2, gate, w1;
	struct dxg_wire_query_memory m;
	uint8_t out[8];
	struct t_sb *sb;
	struct t_ev ev, ev2;
	bool ok;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 4096);
	keep = t_alloc(&t, 8);
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	gate = t_fence(&t, 0);

	/* an allocation destroyed while queued work uses it */
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_alloc(sb, keep);
	t_sb_wait(sb, gate, 1);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_fill(0, 0x5a5a5a5a, 0, 4096));
	T_CMD(sb, t_crc(1, 0, 0, 0, 4096));
	ok = !t_submit(&t, sb, NULL);
	ok &= !hl_dxg_alloc_destroy(t.g, &t.w, a);
	t_ok(ok && hl_dxg_alloc_destroy(t.g, &t.w, a) == -ENOENT &&
	     hl_dxg_alloc_read(t.g, &t.w, a, 0, out, 1) == -ENOENT,
	     "a destroyed allocation's id is unknown at once");
	hl_dxg_query_memory(t.g, &t.w, &m);
	t_ok(m.usage == 4096 + 8 && m.process_usage == 4096 + 8,
	     "its memory is still counted while queued work names it");
	hl_dxg_fence_signal(t.g, &t.w, gate, 1);
	t_ok(t_wait(f, 1, 5000, &ev) && ev.error == 0, "the work runs after the destroy");
	t_read(&t, keep, 0, out, 4);
	{
		uint8_t ref[4096];

		memset(ref, 0x5a, sizeof(ref));
		t_ok(t_u32(out) == hl_dxg_crc32c(0, ref, sizeof(ref)),
		     "on the destroyed allocation's memory");
	}
	hl_dxg_query_memory(t.g, &t.w, &m);
	t_ok(m.usage == 8, "and the memory goes when it retires (%llu)",
	     (unsigned long long)m.usage);

	/* a context destroyed with one submission running, one queued */
	g2 = t_fence(&t, 0);
	w1 = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_signal(sb, w1, 1);
	T_CMD(sb, t_delay(200000));
	ok = !t_submit(&t, sb, NULL);
	sb = t_sb(ctx);
	t_sb_alloc(sb, keep);
	t_sb_signal(sb, g2, 1);
	T_CMD(sb, t_fill(0, 0x77777777, 0, 8));
	ok &= !t_submit(&t, sb, NULL);
	t_sleep_ms(50);		/* let the first one start; either way is valid */
	ok &= !hl_dxg_context_destroy(t.g, &t.w, ctx);
	t_ok(ok && t_wait(g2, 1, 100, &ev) && ev.error == ECANCELED,
	     "CONTEXT_DESTROY: the queued submission is cancelled at once, ECANCELED");
	t_ok(t_wait(w1, 1, 5000, &ev2) && ev2.error == ECANCELED,
	     "the running one finishes its command, then signals ECANCELED");
	t_read(&t, keep, 0, out, 4);
	t_ok(t_u32(out) != 0x77777777, "the cancelled one never ran");
	sb = t_sb(ctx);
	t_ok(t_submit(&t, sb, NULL) == -ENOENT, "the destroyed context is unknown");

	/* a fence destroyed while a queued submission waits on it */
	ctx = t_ctx(&t);
	ctx2 = t_ctx(&t);
	gate = t_fence(&t, 0);
	g2 = t_fence(&t, 0);
	w1 = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_wait(sb, gate, 5);
	t_sb_signal(sb, g2, 1);
	ok = !t_submit(&t, sb, NULL);
	sb = t_sb(ctx);
	t_sb_signal(sb, w1, 1);
	ok &= !t_submit(&t, sb, NULL);
	sb = t_sb(ctx2);
	t_sb_signal(sb, gate, 9);
	T_CMD(sb, t_delay(30000));
	ok &= !t_submit(&t, sb, NULL);
	ok &= !hl_dxg_fence_destroy(t.g, &t.w, gate);
	t_ok(ok && t_wait(g2, 1, 5000, &ev) && ev.error == ECANCELED,
	     "FENCE_DESTROY: its waiter is cancelled, ECANCELED");
	t_ok(t_wait(w1, 1, 5000, &ev) && ev.error == 0, "and its queue goes on");
	t_sleep_ms(60);
	t_ok(t_count(gate) == 0, "no event for the destroyed fence after the destroy");
	t_ok(hl_dxg_fence_signal(t.g, &t.w, gate, 1) == -ENOENT,
	     "the destroyed fence is unknown");

	/* DEVICE_DESTROY with queued work, then ADAPTER_CLOSE */
	gate = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_alloc(sb, keep);
	t_sb_wait(sb, gate, 1);
	T_CMD(sb, t_fill(0, 1, 0, 8));
	ok = !t_submit(&t, sb, NULL);
	t_ok(ok && !hl_dxg_device_destroy(t.g, &t.w, t.dev) &&
	     hl_dxg_context_destroy(t.g, &t.w, ctx) == -ENOENT &&
	     hl_dxg_alloc_destroy(t.g, &t.w, keep) == -ENOENT &&
	     hl_dxg_fence_destroy(t.g, &t.w, gate) == -ENOENT,
	     "DEVICE_DESTROY takes its children's ids away");
	hl_dxg_query_memory(t.g, &t.w, &m);
	t_ok(m.usage == 0, "and frees their memory");
	t_ok(!hl_dxg_adapter_close(t.g, &t.w) &&
	     hl_dxg_device_create(t.g, &t.w, &a) == -ENOENT,
	     "ADAPTER_CLOSE: the handle is gone");
	t_env_down(&t);
}

/* ---- a fault ---- */

static void t_fault(void)
{
	struct t_env t;
	uint64_t a, ctx, ctx2, f, g2, never, id;
	struct dxg_wire_device_state st;
	uint8_t out[4];
	struct t_sb *sb;
	struct t_ev ev, ev2;
	unsigned int i;
	int dev_ev = -1, fence_ev = -1;
	bool ok;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 64);
	ctx = t_ctx(&t);
	ctx2 = t_ctx(&t);
	f = t_fence(&t, 0);
	g2 = t_fence(&t, 0);
	never = t_fence(&t, 0);
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	t_ok(st.state == DXG_WIRE_DEVICE_ACTIVE && st.error == 0 &&
	     st.cmd_offset == DXG_WIRE_NO_CMD, "a new device is ACTIVE");

	sb = t_sb(ctx2);
	t_sb_wait(sb, never, 1);
	t_sb_signal(sb, g2, 1);
	ok = !t_submit(&t, sb, NULL);
	hl_dxg_soft_inject(t.soft, DXG_WIRE_CMD_FILL, EIO);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_hdr(DXG_WIRE_CMD_NOP, 8));
	T_CMD(sb, t_fill(0, 1, 0, 4));
	ok &= !t_submit(&t, sb, &id);
	t_ok(ok && id == 1, "a submission that the backend will fail is accepted");
	t_ok(t_wait(f, 1, 5000, &ev) && ev.error == EIO, "its signal carries EIO");
	t_ok(t_wait(g2, 1, 5000, &ev2) && ev2.error == ECANCELED,
	     "the device's other queued work is cancelled, ECANCELED");
	pthread_mutex_lock(&t_lock);
	for (i = 0; i < t_nev; i++) {
		if (t_evs[i].device && dev_ev < 0)
			dev_ev = (int)i;
		if (!t_evs[i].device && t_evs[i].id == f && fence_ev < 0)
			fence_ev = (int)i;
	}
	ok = dev_ev >= 0 && t_evs[dev_ev].id == t.dev &&
	     t_evs[dev_ev].st.state == DXG_WIRE_DEVICE_FAULTED;
	pthread_mutex_unlock(&t_lock);
	t_ok(ok && dev_ev < fence_ev, "a DEVICE event FAULTED comes before the FENCE event");
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	t_ok(st.state == DXG_WIRE_DEVICE_FAULTED && st.error == EIO &&
	     st.context == ctx && st.submit == 1 && st.cmd_offset == 8 &&
	     st.opcode == DXG_WIRE_CMD_FILL,
	     "the record: EIO, its context, submit 1, offset 8, FILL");
	sb = t_sb(ctx);
	t_ok(t_submit(&t, sb, NULL) == -EIO, "new work on the device: EIO");
	t_ok(hl_dxg_context_create(t.g, &t.w, t.dev, &id) == -EIO,
	     "a new context on it: EIO");
	t_ok(!t_read(&t, a, 0, out, 4) && t_u32(out) == 0,
	     "its memory can still be read, unchanged by the failed command");
	hl_dxg_soft_inject(t.soft, DXG_WIRE_CMD_NOP, EIO);
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	t_ok(st.submit == 1 && st.cmd_offset == 8, "the first fault is kept");
	hl_dxg_soft_inject(t.soft, 0, 0);
	t_ok(!hl_dxg_device_destroy(t.g, &t.w, t.dev), "a faulted device can be destroyed");
	t_ok(!hl_dxg_device_create(t.g, &t.w, &t.dev) && (ctx = t_ctx(&t)) != 0,
	     "a new device is fine");
	t_env_down(&t);
}

/* A submission over the watchdog fails with ETIMEDOUT, no command named. */
static void t_watchdog(void)
{
	struct t_env t;
	uint64_t ctx, f;
	struct dxg_wire_device_state st;
	struct t_sb *sb;
	struct t_ev ev;
	unsigned int i;

	t_env_up(&t, &(struct hl_dxg_engine_cfg){ .watchdog_ms = 100 });
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 1);
	for (i = 0; i < 10; i++)
		T_CMD(sb, t_delay(30000));
	t_ok(!t_submit(&t, sb, NULL) && t_wait(f, 1, 5000, &ev) && ev.error == ETIMEDOUT,
	     "10 x 30 ms on a 100 ms watchdog: signalled with ETIMEDOUT");
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	t_ok(st.state == DXG_WIRE_DEVICE_FAULTED && st.error == ETIMEDOUT &&
	     st.cmd_offset == DXG_WIRE_NO_CMD && st.opcode == 0 && st.submit == 1,
	     "the device faulted: ETIMEDOUT, no command, submit 1");
	t_env_down(&t);
}

/* The host loses the GPU: LOST, ENODEV for queued and running work. */
static void t_lost(void)
{
	struct t_env t;
	uint64_t a, c1, c2, f1, f2, gate, id;
	struct dxg_wire_device_state st;
	struct dxg_wire_query_clock clk;
	struct t_sb *sb;
	struct t_ev e1, e2;
	bool ok;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 64);
	c1 = t_ctx(&t);
	c2 = t_ctx(&t);
	f1 = t_fence(&t, 0);
	f2 = t_fence(&t, 0);
	gate = t_fence(&t, 0);
	t_ok(!hl_dxg_query_clock(t.g, &t.w, &clk) && clk.frequency && clk.gpu_ticks,
	     "QUERY CLOCK: ticks and a frequency");
	sb = t_sb(c1);
	t_sb_signal(sb, f1, 1);
	T_CMD(sb, t_delay(100000));
	T_CMD(sb, t_delay(100000));
	ok = !t_submit(&t, sb, NULL);
	sb = t_sb(c2);
	t_sb_wait(sb, gate, 1);
	t_sb_signal(sb, f2, 1);
	ok &= !t_submit(&t, sb, NULL);
	t_sleep_ms(30);
	hl_dxg_guest_lost(t.g, ENODEV);
	t_ok(ok && t_wait(f2, 1, 100, &e2) && e2.error == ENODEV,
	     "the queued work is cancelled with ENODEV");
	t_ok(t_wait(f1, 1, 5000, &e1) && e1.error == ENODEV,
	     "the running work stops after its command, ENODEV");
	hl_dxg_device_get_state(t.g, &t.w, t.dev, &st);
	pthread_mutex_lock(&t_lock);
	ok = t_nev && t_evs[0].device && t_evs[0].st.state == DXG_WIRE_DEVICE_LOST;
	pthread_mutex_unlock(&t_lock);
	t_ok(ok && st.state == DXG_WIRE_DEVICE_LOST && st.error == ENODEV &&
	     st.cmd_offset == DXG_WIRE_NO_CMD, "a DEVICE event and state LOST, ENODEV");
	sb = t_sb(c1);
	t_ok(t_submit(&t, sb, NULL) == -ENODEV &&
	     hl_dxg_context_create(t.g, &t.w, t.dev, &id) == -ENODEV &&
	     hl_dxg_alloc_create(t.g, &t.w, t.dev, 4, &id) == -ENODEV &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_READ) == -ENODEV &&
	     hl_dxg_device_create(t.g, &t.w, &id) == -ENODEV &&
	     hl_dxg_query_clock(t.g, &t.w, &clk) == -ENODEV,
	     "new work, objects, LOCK and CLOCK: ENODEV");
	t_ok(!hl_dxg_device_destroy(t.g, &t.w, t.dev) && !hl_dxg_adapter_close(t.g, &t.w),
	     "cleanup still works");
	t_env_down(&t);
}

/* ---- LOCK ---- */

static bool t_wait_lock(uint64_t alloc, unsigned int ms)
{
	uint64_t end = t_now() + ms * 1000000ULL;
	bool ok;

	pthread_mutex_lock(&t_lock);
	while (!(ok = t_lock_alloc == alloc) && t_now() < end) {
		pthread_mutex_unlock(&t_lock);
		t_sleep_ms(1);
		pthread_mutex_lock(&t_lock);
	}
	pthread_mutex_unlock(&t_lock);
	return ok;
}

static void t_locks(void)
{
	struct t_env t;
	uint64_t a, b, ctx, f, gate;
	uint8_t buf[16];
	struct t_sb *sb;
	struct t_ev ev;
	int ret;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 64);
	b = t_alloc(&t, 64);
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	gate = t_fence(&t, 0);
	t_ok(hl_dxg_lock(t.g, &t.w, a, 0, 0, DXG_WIRE_LOCK_READ) == -EINVAL &&
	     hl_dxg_lock(t.g, &t.w, a, 1, 64, DXG_WIRE_LOCK_READ) == -EINVAL &&
	     hl_dxg_lock(t.g, &t.w, a, UINT64_MAX, 2, DXG_WIRE_LOCK_READ) == -EINVAL,
	     "LOCK of an empty or out-of-range range: EINVAL");
	t_ok(hl_dxg_lock(t.g, &t.w, a, 0, 4, 0) == -EINVAL &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_DISCARD) == -EINVAL &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_DISCARD) == -EINVAL &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, 1U << 4) == -EINVAL,
	     "bad flag combinations: EINVAL");
	t_ok(!hl_dxg_lock(t.g, &t.w, a, 16, 16, DXG_WIRE_LOCK_WRITE) &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_READ) == -EBUSY,
	     "an idle allocation locks at once; a second LOCK: EBUSY");
	memset(buf, 0x42, sizeof(buf));
	t_ok(hl_dxg_alloc_write(t.g, &t.w, a, 16, buf, 16) == 0 &&
	     hl_dxg_alloc_write(t.g, &t.w, a, 15, buf, 16) == -EINVAL &&
	     hl_dxg_alloc_write(t.g, &t.w, a, 17, buf, 16) == -EINVAL &&
	     hl_dxg_alloc_write(t.g, &t.w, a, 0, buf, 4) == -EINVAL,
	     "WRITE inside the locked range only");
	t_ok(hl_dxg_alloc_read(t.g, &t.w, a, 16, buf, 4) == -EINVAL,
	     "READ under a WRITE lock: EINVAL");
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_ok(t_submit(&t, sb, NULL) == -EBUSY, "SUBMIT naming a locked allocation: EBUSY");
	t_ok(!hl_dxg_unlock(t.g, &t.w, a) && hl_dxg_unlock(t.g, &t.w, a) == -EINVAL,
	     "UNLOCK; again: EINVAL");
	t_ok(hl_dxg_alloc_write(t.g, &t.w, a, 16, buf, 4) == -EINVAL,
	     "WRITE without a lock: EINVAL");

	/* a LOCK that waits for queued work */
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_alloc(sb, b);
	t_sb_wait(sb, gate, 1);
	t_sb_signal(sb, f, 1);
	T_CMD(sb, t_copy(1, 0, 0, 16, 16));
	t_ok(!t_submit(&t, sb, NULL), "a submission naming it waits on a gate");
	t_ok(hl_dxg_lock(t.g, &t.w, a, 0, 64, DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_NOWAIT) == -EBUSY,
	     "LOCK NOWAIT while it is queued: EBUSY");
	ret = hl_dxg_lock(t.g, &t.w, a, 0, 64, DXG_WIRE_LOCK_READ);
	t_ok(ret == -EINPROGRESS && hl_dxg_alloc_read(t.g, &t.w, a, 0, buf, 4) == -EBUSY,
	     "LOCK waits; READ before it is taken: EBUSY");
	hl_dxg_fence_signal(t.g, &t.w, gate, 1);
	t_ok(t_wait(f, 1, 5000, &ev) && t_wait_lock(a, 5000) &&
	     __atomic_load_n(&t_lock_err, __ATOMIC_RELAXED) == 0,
	     "the LOCK is taken when the submission retires");
	t_ok(!hl_dxg_alloc_read(t.g, &t.w, a, 16, buf, 16) && buf[0] == 0x42 &&
	     !t_read(&t, b, 0, buf, 16) && buf[15] == 0x42,
	     "READ then sees what the submission read and wrote");
	hl_dxg_unlock(t.g, &t.w, a);

	/* CANCEL of a waiting LOCK, and ALLOC_DESTROY under one */
	gate = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	t_sb_wait(sb, gate, 1);
	t_submit(&t, sb, NULL);
	t_ok(hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_READ) == -EINPROGRESS &&
	     !hl_dxg_lock_cancel(t.g, &t.w, a) &&
	     hl_dxg_lock(t.g, &t.w, a, 0, 4, DXG_WIRE_LOCK_READ) == -EINPROGRESS,
	     "a cancelled LOCK is dropped, so another can wait");
	pthread_mutex_lock(&t_lock);
	t_lock_alloc = 0;
	pthread_mutex_unlock(&t_lock);
	t_ok(!hl_dxg_alloc_destroy(t.g, &t.w, a) && t_wait_lock(a, 1000) &&
	     __atomic_load_n(&t_lock_err, __ATOMIC_RELAXED) == ECANCELED, "ALLOC_DESTROY ends a waiting LOCK: ECANCELED");
	hl_dxg_fence_signal(t.g, &t.w, gate, 1);
	t_env_down(&t);
}

/* ---- limits ---- */

static void t_limits(void)
{
	struct hl_dxg_engine_cfg cfg = {
		.max_guest_memory = 64 << 10,
		.max_process_objects = 8,
		.max_context_queue = 2,
		.max_processes = 2,
	};
	struct dxg_wire_query_memory m;
	struct t_env t;
	uint64_t ids[16], a1, a2, id, ctx, gate;
	struct hl_dxg_who w;
	struct t_sb *sb;
	unsigned int i, n = 0;
	int ret = 0;

	t_env_up(&t, &cfg);	/* 2 objects: the handle and the device */
	a1 = t_alloc(&t, 32 << 10);
	a2 = t_alloc(&t, 32 << 10);
	t_ok(a1 && a2, "64 KiB of allocations within a 64 KiB budget");
	t_ok(hl_dxg_alloc_create(t.g, &t.w, t.dev, 1, &id) == -ENOMEM,
	     "one more byte: ENOMEM");
	hl_dxg_query_memory(t.g, &t.w, &m);
	t_ok(m.budget == 64 << 10 && m.usage == 64 << 10, "QUERY MEMORY shows it");
	t_ok(hl_dxg_alloc_create(t.g, &t.w, t.dev, 0, &id) == -EINVAL &&
	     hl_dxg_alloc_create(t.g, &t.w, t.dev, DXG_WIRE_MAX_ALLOC_SIZE + 1, &id) == -EINVAL,
	     "sizes 0 and 4 GiB + 1: EINVAL, before the budget");
	hl_dxg_alloc_destroy(t.g, &t.w, a2);
	t_ok(!hl_dxg_alloc_create(t.g, &t.w, t.dev, 32 << 10, &a2),
	     "after a destroy it fits again");

	/* 4 objects now; fill up to 8 */
	while ((ret = hl_dxg_fence_create(t.g, &t.w, t.dev, 0, &ids[n])) == 0 && n < 15)
		n++;
	t_ok(ret == -EAGAIN && n == 4, "objects of a process: EAGAIN at 8 (%u more)", n);
	t_ok(hl_dxg_context_create(t.g, &t.w, t.dev, &id) == -EAGAIN &&
	     hl_dxg_adapter_open(t.g, &(struct hl_dxg_who){ 7, t.w.nonce, 0 }, &id) == -EAGAIN,
	     "every kind counts");
	w = t.w;
	w.process = 9;
	w.adapter = 0;
	t_ok(!hl_dxg_adapter_open(t.g, &w, &w.adapter), "another process has its own count");
	t_ok(hl_dxg_adapter_open(t.g, &(struct hl_dxg_who){ 10, t.w.nonce, 0 }, &id) == -EAGAIN,
	     "a third process on a guest of 2: EAGAIN");
	t_ok(!hl_dxg_adapter_close(t.g, &w) &&
	     !hl_dxg_adapter_open(t.g, &(struct hl_dxg_who){ 10, t.w.nonce, 0 }, &id),
	     "it fits once the second has closed its handle");
	hl_dxg_fence_destroy(t.g, &t.w, ids[0]);
	hl_dxg_fence_destroy(t.g, &t.w, ids[1]);
	t_ok(!hl_dxg_context_create(t.g, &t.w, t.dev, &ctx), "after a destroy one more fits");
	gate = ids[2];
	ret = 0;
	for (i = 0; i < 2; i++) {
		sb = t_sb(ctx);
		t_sb_wait(sb, gate, 1);
		ret |= t_submit(&t, sb, NULL);
	}
	sb = t_sb(ctx);
	t_sb_wait(sb, gate, 1);
	t_ok(!ret && t_submit(&t, sb, NULL) == -EAGAIN,
	     "a third queued submission on a context of 2: EAGAIN");
	sb = t_sb(ctx);
	t_sb_signal(sb, ids[3], 1);
	hl_dxg_fence_signal(t.g, &t.w, gate, 1);
	for (i = 0; i < 500 && (ret = t_submit(&t, sb, NULL)) == -EAGAIN; i++)
		t_sleep_ms(2);
	t_ok(!ret && t_wait(ids[3], 1, 5000, NULL), "accepted again once they retired");
	t_env_down(&t);
}

/* ---- fences and ids ---- */

static void t_fences(void)
{
	struct t_env t;
	uint64_t f, v = 0, ctx, done, other, id2;
	struct t_sb *sb;
	struct t_ev ev;
	struct hl_dxg_who w;

	t_env_up(&t, NULL);
	f = t_fence(&t, 5);
	ctx = t_ctx(&t);
	done = t_fence(&t, 0);
	t_ok(f && ctx && done && f != ctx && f != t.dev && t.dev != t.w.adapter,
	     "ids are not 0 and distinct");
	t_ok(t.w.adapter < (1ULL << 63) && done < (1ULL << 63), "and below 2^63");
	t_ok(!hl_dxg_fence_value(t.g, &t.w, f, &v) && v == 5, "a fence starts at its value");
	t_ok(!hl_dxg_fence_signal(t.g, &t.w, f, 3) &&
	     !hl_dxg_fence_value(t.g, &t.w, f, &v) && v == 5 && t_count(f) == 0,
	     "a lower CPU signal changes nothing and sends nothing");
	t_ok(!hl_dxg_fence_signal(t.g, &t.w, f, 5) && t_count(f) == 0,
	     "an equal one neither");
	t_ok(!hl_dxg_fence_signal(t.g, &t.w, f, 7) && t_wait(f, 7, 0, &ev) &&
	     ev.value == 7 && ev.error == 0 && t_count(f) == 1,
	     "a higher one sends one event, before FENCE_SIGNAL returns");
	sb = t_sb(ctx);
	t_sb_wait(sb, f, 10);
	t_sb_signal(sb, done, 1);
	t_ok(!t_submit(&t, sb, NULL), "a submission waiting for 10");
	t_sleep_ms(30);
	t_ok(t_count(done) == 0, "does not run at 7");
	hl_dxg_fence_signal(t.g, &t.w, f, 9);
	t_sleep_ms(30);
	t_ok(t_count(done) == 0, "nor at 9");
	hl_dxg_fence_signal(t.g, &t.w, f, 12);
	t_ok(t_wait(done, 1, 5000, NULL), "but at 12");
	sb = t_sb(ctx);
	t_sb_signal(sb, f, 11);
	t_sb_signal(sb, done, 2);
	t_ok(!t_submit(&t, sb, NULL) && t_wait(done, 2, 5000, NULL) &&
	     !hl_dxg_fence_value(t.g, &t.w, f, &v) && v == 12 && t_count(f) == 3,
	     "a submission's lower signal changes nothing either");

	w = t.w;
	w.process = 8;
	t_ok(hl_dxg_fence_signal(t.g, &w, f, 20) == -ENOENT &&
	     hl_dxg_fence_value(t.g, &w, f, &v) == -ENOENT,
	     "another process's fence: ENOENT");
	w = t.w;
	w.nonce++;
	t_ok(hl_dxg_fence_signal(t.g, &w, f, 20) == -ESTALE, "a foreign nonce: ESTALE");
	w = t.w;
	w.adapter = t.dev;
	t_ok(hl_dxg_fence_signal(t.g, &w, f, 20) == -ENOENT,
	     "a device id as the adapter handle: ENOENT");
	t_ok(hl_dxg_fence_signal(t.g, &t.w, t.dev, 20) == -ENOENT,
	     "a device id as a fence: ENOENT");
	w = t.w;
	w.process = 0;
	t_ok(hl_dxg_fence_signal(t.g, &w, f, 20) == -EPROTO, "process 0: EPROTO");
	hl_dxg_fence_create(t.g, &t.w, t.dev, 0, &other);
	hl_dxg_fence_destroy(t.g, &t.w, other);
	hl_dxg_fence_create(t.g, &t.w, t.dev, 0, &id2);
	t_ok(id2 != other && hl_dxg_fence_value(t.g, &t.w, other, &v) == -ENOENT,
	     "ids are not reused");
	{
		struct hl_dxg_guest *g2;
		uint64_t h2;

		hl_dxg_guest_create(t.eng, NULL, &g2);
		w = t.w;
		w.nonce = hl_dxg_guest_nonce(g2);
		w.adapter = 0;
		t_ok(w.nonce && w.nonce != t.w.nonce &&
		     !hl_dxg_adapter_open(g2, &w, &h2) && h2 != t.w.adapter,
		     "another guest: its own nonce and ids");
		w.adapter = h2;
		t_ok(hl_dxg_fence_signal(g2, &w, f, 1) == -ENOENT &&
		     hl_dxg_fence_signal(g2, &t.w, f, 1) == -ESTALE,
		     "and no access to this guest's");
		hl_dxg_guest_destroy(g2);
	}
	t_env_down(&t);
}

/* The guest goes away with work queued and running: no leak, no event. */
static void t_guest_gone(void)
{
	struct t_env t;
	uint64_t a, ctx, f, gate;
	struct t_sb *sb;
	unsigned int i;

	t_env_up(&t, NULL);
	a = t_alloc(&t, 1 << 20);
	ctx = t_ctx(&t);
	f = t_fence(&t, 0);
	gate = t_fence(&t, 0);
	sb = t_sb(ctx);
	t_sb_alloc(sb, a);
	T_CMD(sb, t_delay(50000));
	t_submit(&t, sb, NULL);
	for (i = 0; i < 5; i++) {
		sb = t_sb(ctx);
		t_sb_alloc(sb, a);
		t_sb_wait(sb, gate, 1);
		t_sb_signal(sb, f, i + 1);
		T_CMD(sb, t_fill(0, 1, 0, 1 << 20));
		t_submit(&t, sb, NULL);
	}
	t_sleep_ms(10);
	hl_dxg_guest_destroy(t.g);
	t_ok(t_count(f) == 0, "a destroyed guest's queued work is dropped silently");
	hl_dxg_engine_destroy(t.eng);
	hl_dxg_soft_destroy(t.soft);
	t_ok(1, "and everything is freed (ASan checks)");
}

int main(void)
{
	printf("TAP version 13\n");
	t_commands();
	t_bounds();
	t_ordering("inline");
	t_worker_ops = hl_dxg_soft_ops;
	t_worker_ops.inline_bytes = 0;
	t_ops = &t_worker_ops;
	t_ordering("workers only");
	t_ops = &hl_dxg_soft_ops;
	t_inline();
	t_concurrent();
	t_cross();
	t_destroy();
	t_fault();
	t_watchdog();
	t_locks();
	t_lost();
	t_limits();
	t_fences();
	t_guest_gone();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
