// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seed corpus of the hostlinkd fuzz target (hl_fuzz.h says
 * the format): one file per scenario, built with the frame codec, so
 * the fuzzer starts from valid conversations.  Usage: hl_mkcorpus DIR
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_frame.h"
#include "hl_fuzz.h"

struct mk {
	uint8_t buf[1 << 17];
	size_t len;
};

static void mk_rec(struct mk *m, uint8_t cmd, const void *data, size_t len)
{
	if (m->len + 3 + len > sizeof(m->buf))
		abort();
	m->buf[m->len++] = cmd;
	m->buf[m->len++] = len;
	m->buf[m->len++] = len >> 8;
	/* Commands that only use the length get zeros. */
	if (data)
		memcpy(m->buf + m->len, data, len);
	else
		memset(m->buf + m->len, 0, len);
	m->len += len;
}

static void mk_frame(struct mk *m, uint8_t cmd, const struct hl_hdr *h, const void *payload)
{
	uint8_t buf[HL_HDR_LEN + 8192];

	hl_hdr_encode(buf, h);
	if (h->len && h->len <= sizeof(buf) - HL_HDR_LEN)
		memcpy(buf + HL_HDR_LEN, payload, h->len);
	mk_rec(m, cmd, buf, HL_HDR_LEN + (h->len <= 8192 ? h->len : 0));
}

static void mk_hello_v(struct mk *m, uint16_t min, uint16_t max, uint64_t features,
		       const char *service)
{
	struct hl_hello hello = { .min_version = min, .max_version = max,
				  .max_frame = HOSTLINK_FRAME_MIN, .features = features };
	uint8_t p[HL_HELLO_LEN];
	struct hl_hdr h;

	strncpy(hello.service, service, HOSTLINK_NAME_LEN);
	hl_hello_encode(p, &hello);
	hl_hdr_init(&h, HOSTLINK_HELLO, max);
	h.len = sizeof(p);
	mk_frame(m, HL_FZ_FEED_A, &h, p);
}

static void mk_hello(struct mk *m)
{
	mk_hello_v(m, 1, 1, HOSTLINK_FEAT_ALL, "test");
}

static void mk_req(struct mk *m, uint64_t id, uint32_t op, uint16_t flags,
		   const void *data, uint32_t len)
{
	uint8_t p[HL_CRED_LEN + 4096] = { 0 };
	struct hl_cred cred = { .uid = 1000, .gid = 1000, .pid = 42, .tid = 42,
				.userns = 0xeffffffd, .netns = 0xf0000000 };
	struct hl_hdr h;

	if (!(flags & HOSTLINK_F_KERNEL))
		hl_cred_encode(p, &cred);
	memcpy(p + HL_CRED_LEN, data, len);
	hl_hdr_init(&h, HOSTLINK_REQUEST, 1);
	h.flags = flags;
	h.op = op;
	h.id = id;
	h.len = HL_CRED_LEN + len;
	mk_frame(m, HL_FZ_FEED_A, &h, p);
}

static void mk_u32_req(struct mk *m, uint64_t id, uint32_t op, uint32_t v)
{
	uint32_t le = htole32(v);

	mk_req(m, id, op, 0, &le, sizeof(le));
}

static void mk_cancel(struct mk *m, uint64_t id)
{
	struct hl_hdr h;

	hl_hdr_init(&h, HOSTLINK_CANCEL, 1);
	h.id = id;
	mk_frame(m, HL_FZ_FEED_A, &h, NULL);
}

static void mk_write(const char *dir, const char *name, const struct mk *m)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(m->buf, 1, m->len, f) != m->len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void mk_start(struct mk *m, uint8_t scene)
{
	m->len = 0;
	m->buf[m->len++] = scene;
}

#define HYB (HL_FZ_HYBRID | HL_FZ_TRUST)

int main(int argc, char **argv)
{
	static struct mk m;
	static const uint8_t echo[] = "hello, host";
	const char *dir = argc > 1 ? argv[1] : ".";
	uint64_t id;

	mk_start(&m, HYB);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_PING, 0, NULL, 0);
	mk_req(&m, 2, HOSTLINK_TEST_ECHO, 0, echo, sizeof(echo));
	mk_req(&m, 3, HOSTLINK_TEST_SINK, 0, echo, sizeof(echo));
	mk_req(&m, 4, HOSTLINK_TEST_CRED, 0, NULL, 0);
	mk_req(&m, 5, HOSTLINK_TEST_CRED, HOSTLINK_F_KERNEL, NULL, 0);
	mk_req(&m, 6, 99, 0, NULL, 0);
	mk_write(dir, "ops", &m);

	mk_start(&m, HYB);
	mk_hello(&m);
	mk_u32_req(&m, 1, HOSTLINK_TEST_SLEEP, 100);
	mk_u32_req(&m, 2, HOSTLINK_TEST_SLEEP, 50);
	mk_cancel(&m, 1);
	mk_rec(&m, HL_FZ_CLOCK, NULL, 30);
	mk_cancel(&m, 7);
	mk_write(dir, "sleep-cancel", &m);

	mk_start(&m, HYB);
	mk_hello(&m);
	mk_u32_req(&m, 1, HOSTLINK_TEST_EVENTS, 100);
	mk_u32_req(&m, 2, HOSTLINK_TEST_EVENTS, 65537);
	mk_write(dir, "events", &m);

	mk_start(&m, HYB | HL_FZ_NO_DRAIN | HL_FZ_SMALL);
	mk_hello(&m);
	mk_u32_req(&m, 1, HOSTLINK_TEST_EVENTS, 65536);
	mk_u32_req(&m, 2, HOSTLINK_TEST_EVENTS, 5000);
	mk_req(&m, 3, HOSTLINK_TEST_PING, 0, NULL, 0);
	mk_rec(&m, HL_FZ_DRAIN, NULL, 0);
	mk_rec(&m, HL_FZ_DRAIN, NULL, 0);
	mk_cancel(&m, 1);
	mk_rec(&m, HL_FZ_DRAIN, NULL, 0);
	mk_write(dir, "events-stalled", &m);

	mk_start(&m, HYB | HL_FZ_SMALL);
	mk_hello(&m);
	for (id = 1; id <= 6; id++)
		mk_u32_req(&m, id, HOSTLINK_TEST_SLEEP, 1000);
	mk_rec(&m, HL_FZ_NEW_B, NULL, 0);
	mk_rec(&m, HL_FZ_NEW_B, NULL, 1);
	mk_rec(&m, HL_FZ_CLOCK, NULL, 300);
	mk_write(dir, "limits", &m);

	mk_start(&m, HYB);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_STREAM, 0, NULL, 0);
	mk_rec(&m, HL_FZ_ATTACH_B, echo, sizeof(echo));
	mk_rec(&m, HL_FZ_FEED_B, echo, sizeof(echo));
	mk_rec(&m, HL_FZ_EOF_B, NULL, 0);
	mk_rec(&m, HL_FZ_ATTACH_B, NULL, 0);
	mk_write(dir, "stream", &m);

	mk_start(&m, HYB | HL_FZ_NO_DRAIN | HL_FZ_SMALL);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_STREAM, 0, NULL, 0);
	mk_rec(&m, HL_FZ_ATTACH_B, NULL, 0);
	{
		static uint8_t lots[8000];

		memset(lots, 'x', sizeof(lots));
		mk_rec(&m, HL_FZ_FEED_B, lots, sizeof(lots));
		mk_rec(&m, HL_FZ_FEED_B, lots, sizeof(lots));
	}
	mk_rec(&m, HL_FZ_DRAIN, NULL, 0);
	mk_rec(&m, HL_FZ_CLOCK, NULL, 3000);
	mk_write(dir, "stream-stalled", &m);

	mk_start(&m, HYB);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_STREAM, 0, NULL, 0);
	mk_rec(&m, HL_FZ_CLOCK, NULL, 2600);
	mk_rec(&m, HL_FZ_ATTACH_B, NULL, 0);
	mk_write(dir, "token-expired", &m);

	mk_start(&m, HYB);
	mk_hello_v(&m, 2, 3, HOSTLINK_FEAT_ALL, "test");
	mk_write(dir, "version-newer", &m);
	mk_start(&m, HYB);
	mk_hello_v(&m, 1, 1, HOSTLINK_FEAT_EVENTS, "nosuch");
	mk_write(dir, "unknown-service", &m);
	mk_start(&m, HL_FZ_HYBRID);
	mk_hello(&m);
	mk_write(dir, "hybrid-untrusted", &m);
	mk_start(&m, 0);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_PING, 0, NULL, 0);
	mk_write(dir, "vsock-cid3", &m);
	mk_start(&m, HL_FZ_UNRESERVED);
	mk_hello(&m);
	mk_write(dir, "vsock-unreserved", &m);
	mk_start(&m, 1 << HL_FZ_CID_SHIFT);
	mk_hello(&m);
	mk_write(dir, "vsock-loopback-refused", &m);
	mk_start(&m, HL_FZ_LOOPBACK | 1 << HL_FZ_CID_SHIFT);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_ECHO, 0, echo, sizeof(echo));
	mk_write(dir, "vsock-loopback", &m);
	mk_start(&m, 2 << HL_FZ_CID_SHIFT);
	mk_hello(&m);
	mk_write(dir, "vsock-host-cid", &m);

	/* Malformed. */
	mk_start(&m, HYB);
	mk_hello(&m);
	mk_hello(&m);
	mk_write(dir, "hello-twice", &m);
	mk_start(&m, HYB);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_SLEEP, 0, "\x10\0\0\0", 4);
	mk_req(&m, 1, HOSTLINK_TEST_PING, 0, NULL, 0);
	mk_write(dir, "duplicate-id", &m);
	mk_start(&m, HYB);
	mk_hello(&m);
	{
		struct hl_hdr h;

		hl_hdr_init(&h, HOSTLINK_REQUEST, 1);
		h.id = 1;
		h.len = HOSTLINK_FRAME_LIMIT;
		mk_frame(&m, HL_FZ_FEED_A, &h, NULL);
	}
	mk_write(dir, "oversized", &m);
	mk_start(&m, HYB);
	mk_hello(&m);
	mk_req(&m, 1, HOSTLINK_TEST_ECHO, 0, echo, 4);
	m.len -= 2;
	mk_rec(&m, HL_FZ_EOF_A, NULL, 0);
	mk_write(dir, "truncated", &m);
	mk_start(&m, HYB);
	mk_rec(&m, HL_FZ_FEED_A, "GET / HTTP/1.0\r\n\r\n", 18);
	mk_write(dir, "garbage", &m);
	mk_start(&m, HYB);
	mk_rec(&m, HL_FZ_CLOCK, NULL, 3000);
	mk_write(dir, "silent", &m);
	return 0;
}
