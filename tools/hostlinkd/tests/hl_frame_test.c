// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the hostlink frame codec: the wire layout, every encoder
 * and decoder round trip, and one refused frame per validation rule of
 * Documentation/hostlink-protocol.rst ("Frames"), in both directions,
 * plus truncated frames, oversized lengths and garbage.  TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_frame.h"

#include "tap.h"

/* A frame under construction: header, payload, and the receiver. */
struct t_frame {
	struct hl_hdr h;
	uint8_t p[8192];
	struct hl_rx_ctx ctx;
};

static const struct hl_cred t_cred = {
	.uid = 1000, .gid = 100, .pid = 4242, .tid = 4243,
	.userns = 0xeffffffdULL, .pidns = 0xeffffffcULL, .netns = 0xf0000001ULL,
	.utsns = 0xeffffffeULL, .ipcns = 0xeffffff9ULL, .cgroupns = 0xeffffffbULL,
};

static struct hl_rx_ctx t_ctx(enum hl_rx_state st)
{
	return (struct hl_rx_ctx){
		.state = st,
		.version = 1,
		.min_version = 1,
		.max_version = 1,
		.max_frame = 4096,
		.features = HOSTLINK_FEAT_ALL,
	};
}

/* A valid frame of @type for the receiver state that expects it. */
static void t_make(struct t_frame *f, uint8_t type)
{
	memset(f, 0, sizeof(*f));
	hl_hdr_init(&f->h, type, 1);
	switch (type) {
	case HOSTLINK_HELLO: {
		struct hl_hello hello = {
			.min_version = 1, .max_version = 1,
			.max_frame = HOSTLINK_FRAME_DEFAULT,
			.features = HOSTLINK_FEAT_ALL, .service = "test",
		};
		hl_hello_encode(f->p, &hello);
		f->h.len = HL_HELLO_LEN;
		f->ctx = t_ctx(HL_RX_HOST_NEW);
		break;
	}
	case HOSTLINK_ATTACH: {
		struct hl_attach a = { .service = "test" };
		unsigned int i;

		for (i = 0; i < HOSTLINK_TOKEN_LEN; i++)
			a.token[i] = i * 7 + 1;
		hl_attach_encode(f->p, &a);
		f->h.len = HL_ATTACH_LEN;
		f->ctx = t_ctx(HL_RX_HOST_NEW);
		break;
	}
	case HOSTLINK_REQUEST:
		hl_cred_encode(f->p, &t_cred);
		memcpy(f->p + HL_CRED_LEN, "abc", 3);
		f->h.len = HL_CRED_LEN + 3;
		f->h.op = 2;
		f->h.id = 1;
		f->ctx = t_ctx(HL_RX_HOST_CONTROL);
		break;
	case HOSTLINK_CANCEL:
		f->h.id = 1;
		f->ctx = t_ctx(HL_RX_HOST_CONTROL);
		break;
	case HOSTLINK_WELCOME: {
		struct hl_welcome w = {
			.version = 1, .min_version = 1, .max_version = 1,
			.max_frame = HOSTLINK_FRAME_DEFAULT, .features = HOSTLINK_FEAT_ALL,
		};
		hl_welcome_encode(f->p, &w);
		f->h.len = HL_WELCOME_LEN;
		f->ctx = t_ctx(HL_RX_GUEST_WELCOME);
		break;
	}
	case HOSTLINK_REPLY:
		memcpy(f->p, "xyz", 3);
		f->h.len = 3;
		f->h.op = 2;
		f->h.id = 1;
		f->ctx = t_ctx(HL_RX_GUEST_CONTROL);
		break;
	case HOSTLINK_EVENT:
		memset(f->p, 0, 8);
		f->h.len = 8;
		f->h.op = HOSTLINK_TEST_EV_TICK;
		f->ctx = t_ctx(HL_RX_GUEST_CONTROL);
		break;
	case HOSTLINK_ATTACHED:
		f->ctx = t_ctx(HL_RX_GUEST_ATTACHED);
		break;
	}
}

/* Encodes @f whole and parses it. */
static int t_parse(const struct t_frame *f, struct hl_frame *out,
		   struct hl_frame_error *err)
{
	static uint8_t buf[HL_HDR_LEN + sizeof(f->p)];
	size_t used = 0, len = HL_HDR_LEN;

	hl_hdr_encode(buf, &f->h);
	if (f->h.len <= sizeof(f->p))
		len += f->h.len;
	memcpy(buf + HL_HDR_LEN, f->p, len - HL_HDR_LEN);
	memset(err, 0, sizeof(*err));
	return hl_frame_parse(buf, len, &f->ctx, out, &used, err);
}

/* Expects @f to be refused for @want; @fmt says what is wrong with it. */
__attribute__((format(printf, 3, 4)))
static void t_refused(const struct t_frame *f, enum hl_ferr want, const char *fmt, ...)
{
	struct hl_frame_error err;
	struct hl_frame out;
	int ret = t_parse(f, &out, &err);
	int ok = ret == -EPROTO && err.code == want && err.msg[0];
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	t_ok(ok, "refused: %s (%s%s%s)", what, hl_ferr_name(want), ok ? "" : ", got ",
	     ok ? "" : ret ? hl_ferr_name(err.code) : "accepted");
}

static void t_accepted(const struct t_frame *f, const char *what)
{
	struct hl_frame_error err;
	struct hl_frame out;
	int ret = t_parse(f, &out, &err);

	t_ok(ret == 0, "accepted: %s%s%s", what, ret ? ": " : "", ret ? err.msg : "");
}

static void t_layout(void)
{
	struct hl_hdr h = {
		.magic = HOSTLINK_MAGIC, .version = 0x11, .type = 0x22,
		.flags = 0x3344, .len = 0x55667788, .op = 0x99aabbcc,
		.id = 0x0102030405060708ULL, .status = 0x0a0b0c0d, .reserved = 0x0e0f1011,
	};
	static const uint8_t want[32] = {
		'H', 'L', 'N', 'K', 0x11, 0x22, 0x44, 0x33,
		0x88, 0x77, 0x66, 0x55, 0xcc, 0xbb, 0xaa, 0x99,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x0d, 0x0c, 0x0b, 0x0a, 0x11, 0x10, 0x0f, 0x0e,
	};
	uint8_t buf[33];
	struct hl_hdr back;

	t_ok(sizeof(struct hostlink_hdr) == 32 && HL_HELLO_LEN == 56 &&
	     HL_WELCOME_LEN == 88 && HL_CRED_LEN == 64 && HL_ATTACH_LEN == 64 &&
	     sizeof(struct hostlink_test_cred) == 72,
	     "wire structure sizes 32/56/88/64/64/72");
	hl_hdr_encode(buf, &h);
	t_ok(!memcmp(buf, want, 32), "header encodes little-endian at the documented offsets");
	hl_hdr_encode(buf + 1, &h);
	hl_hdr_decode(buf + 1, &back);
	t_ok(!memcmp(&back, &h, sizeof(h)), "header round trip at an unaligned address");
}

static void t_payload_round_trips(void)
{
	struct hl_hello hello = {
		.min_version = 0x0102, .max_version = 0x0304, .max_frame = 0x05060708,
		.features = 0x1122334455667788ULL, .service = "dxg-01_x",
	}, hello2;
	struct hl_welcome w = {
		.version = 7, .min_version = 1, .max_version = 9, .max_frame = 65536,
		.features = 5, .message = "no common version: guest 2-3, host 1-1",
	}, w2;
	struct hl_attach a = { .service = "interop" }, a2;
	struct hl_cred c2;
	uint8_t buf[128 + 1];

	memset(buf, 0xa5, sizeof(buf));
	hl_hello_encode(buf + 1, &hello);
	hl_hello_decode(buf + 1, &hello2);
	t_ok(!memcmp(&hello, &hello2, sizeof(hello)), "HELLO round trip");
	t_ok(buf[1] == 0x02 && buf[5] == 0x08 && buf[1 + 16] == 0x88 &&
	     !memcmp(buf + 1 + 24, "dxg-01_x\0\0", 10) && buf[1 + 55] == 0,
	     "HELLO fields at their offsets, the name NUL-padded");

	memset(buf, 0xa5, sizeof(buf));
	hl_welcome_encode(buf + 1, &w);
	hl_welcome_decode(buf + 1, &w2);
	t_ok(!memcmp(&w, &w2, sizeof(w)), "WELCOME round trip");
	t_ok(buf[1 + 8] == 0x00 && buf[1 + 9] == 0x00 && buf[1 + 10] == 0x01 &&
	     !strcmp((char *)buf + 1 + 24, w.message) && buf[1 + 87] == 0,
	     "WELCOME fields at their offsets, the message NUL-padded");

	memset(buf, 0xa5, sizeof(buf));
	hl_cred_encode(buf + 1, &t_cred);
	hl_cred_decode(buf + 1, &c2);
	t_ok(!memcmp(&t_cred, &c2, sizeof(c2)) && buf[1] == 0xe8 && buf[2] == 0x03 &&
	     buf[1 + 16] == 0xfd, "credential block round trip and layout");

	memset(a.token, 0x5a, sizeof(a.token));
	a.token[31] = 0;
	memset(buf, 0xa5, sizeof(buf));
	hl_attach_encode(buf + 1, &a);
	hl_attach_decode(buf + 1, &a2);
	t_ok(!memcmp(&a, &a2, sizeof(a)) && !memcmp(buf + 1 + 32, "interop\0", 8),
	     "ATTACH round trip, token bytes kept as they are");
}

static const uint8_t t_types[] = {
	HOSTLINK_HELLO, HOSTLINK_ATTACH, HOSTLINK_REQUEST, HOSTLINK_CANCEL,
	HOSTLINK_WELCOME, HOSTLINK_REPLY, HOSTLINK_EVENT, HOSTLINK_ATTACHED,
};

static void t_valid_frames(void)
{
	struct hl_frame_error err;
	struct hl_frame out;
	struct t_frame f;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(t_types); i++) {
		t_make(&f, t_types[i]);
		ret = t_parse(&f, &out, &err);
		t_ok(!ret && !memcmp(&out.hdr, &f.h, sizeof(f.h)),
		     "valid %s parses, header intact", hl_type_name(t_types[i]));
	}

	t_make(&f, HOSTLINK_HELLO);
	ret = t_parse(&f, &out, &err);
	t_ok(!ret && out.u.hello.max_frame == HOSTLINK_FRAME_DEFAULT &&
	     !strcmp(out.u.hello.service, "test") &&
	     out.u.hello.features == HOSTLINK_FEAT_ALL, "HELLO payload decoded");
	t_make(&f, HOSTLINK_REQUEST);
	ret = t_parse(&f, &out, &err);
	t_ok(!ret && !memcmp(&out.u.req.cred, &t_cred, sizeof(t_cred)) &&
	     out.u.req.len == 3 && !memcmp(out.u.req.data, "abc", 3),
	     "REQUEST credentials and data split");
	t_make(&f, HOSTLINK_ATTACH);
	ret = t_parse(&f, &out, &err);
	t_ok(!ret && out.u.attach.token[1] == 8 && !strcmp(out.u.attach.service, "test"),
	     "ATTACH payload decoded");
	t_make(&f, HOSTLINK_WELCOME);
	ret = t_parse(&f, &out, &err);
	t_ok(!ret && out.u.welcome.version == 1 && out.u.welcome.features == HOSTLINK_FEAT_ALL,
	     "WELCOME payload decoded");
}

static void t_more_valid(void)
{
	struct t_frame f;

	t_make(&f, HOSTLINK_HELLO);
	f.h.version = 200;
	t_accepted(&f, "HELLO header version is any value");
	t_make(&f, HOSTLINK_WELCOME);
	f.h.version = 0;
	t_accepted(&f, "WELCOME header version is any value");
	t_make(&f, HOSTLINK_HELLO);
	hl_hello_encode(f.p, &(struct hl_hello){ .min_version = 1, .max_version = 1,
		.max_frame = HOSTLINK_FRAME_MIN, .service = "abcdefghijklmnopqrstuvwxyz_-0189" });
	t_accepted(&f, "HELLO with a 32-byte name and max_frame at the minimum");
	t_make(&f, HOSTLINK_HELLO);
	hl_hello_encode(f.p, &(struct hl_hello){ .min_version = 1, .max_version = 1,
		.max_frame = HOSTLINK_FRAME_LIMIT, .service = "A" });
	t_accepted(&f, "HELLO with max_frame at the limit");
	t_make(&f, HOSTLINK_REQUEST);
	f.h.flags = HOSTLINK_F_KERNEL;
	memset(f.p, 0, HL_CRED_LEN);
	t_accepted(&f, "KERNEL request with zero credentials");
	t_make(&f, HOSTLINK_REQUEST);
	f.h.len = HL_CRED_LEN;
	t_accepted(&f, "REQUEST of just the credential block");
	t_make(&f, HOSTLINK_REQUEST);
	f.h.len = f.ctx.max_frame;
	t_accepted(&f, "REQUEST of exactly max_frame");
	t_make(&f, HOSTLINK_REQUEST);
	f.h.id = UINT64_MAX;
	f.h.op = UINT32_MAX;
	t_accepted(&f, "REQUEST with the largest id and op");
	t_make(&f, HOSTLINK_REPLY);
	f.h.status = HOSTLINK_ERRNO_MAX;
	f.h.len = 0;
	t_accepted(&f, "REPLY with status HOSTLINK_ERRNO_MAX and no payload");
	t_make(&f, HOSTLINK_WELCOME);
	f.h.status = EPROTONOSUPPORT;
	hl_welcome_encode(f.p, &(struct hl_welcome){ .min_version = 1, .max_version = 1,
		.message = "no common version" });
	t_accepted(&f, "WELCOME refusal with version 0 and a message");
	t_make(&f, HOSTLINK_ATTACHED);
	f.h.status = EACCES;
	t_accepted(&f, "ATTACHED with an error status");
}

static void t_header_rules(void)
{
	struct t_frame f;
	unsigned int i;

	for (i = 0; i < sizeof(t_types); i++) {
		t_make(&f, t_types[i]);
		f.h.magic = 0x4b4e4c49;
		t_refused(&f, HL_FERR_MAGIC, "%s with a bad magic", hl_type_name(t_types[i]));
		t_make(&f, t_types[i]);
		f.h.reserved = 1;
		t_refused(&f, HL_FERR_RESERVED, "%s header __reserved not 0",
			  hl_type_name(t_types[i]));
		t_make(&f, t_types[i]);
		f.h.flags = 0x8000;
		t_refused(&f, HL_FERR_FLAGS, "%s with unknown flag 0x8000",
			  hl_type_name(t_types[i]));
	}
	t_make(&f, HOSTLINK_REQUEST);
	f.h.flags = HOSTLINK_F_KERNEL | 2;
	memset(f.p, 0, HL_CRED_LEN);
	t_refused(&f, HL_FERR_FLAGS, "REQUEST with KERNEL and an unknown flag");
	{
		static const uint8_t kinds[] = { HOSTLINK_HELLO, HOSTLINK_ATTACH,
			HOSTLINK_CANCEL, HOSTLINK_REPLY, HOSTLINK_EVENT, HOSTLINK_WELCOME,
			HOSTLINK_ATTACHED };

		for (i = 0; i < sizeof(kinds); i++) {
			t_make(&f, kinds[i]);
			f.h.flags = HOSTLINK_F_KERNEL;
			t_refused(&f, HL_FERR_FLAGS, "KERNEL flag on %s", hl_type_name(kinds[i]));
		}
	}

	/* version */
	t_make(&f, HOSTLINK_REQUEST);
	f.h.version = 2;
	t_refused(&f, HL_FERR_VERSION, "REQUEST of version 2, agreed 1");
	t_make(&f, HOSTLINK_CANCEL);
	f.h.version = 0;
	t_refused(&f, HL_FERR_VERSION, "CANCEL of version 0");
	t_make(&f, HOSTLINK_ATTACH);
	f.h.version = 0;
	t_refused(&f, HL_FERR_VERSION, "ATTACH of version 0");
	t_make(&f, HOSTLINK_ATTACH);
	f.h.version = 2;
	t_refused(&f, HL_FERR_VERSION, "ATTACH of a version the host does not speak");
	t_make(&f, HOSTLINK_REPLY);
	f.h.version = 3;
	t_refused(&f, HL_FERR_VERSION, "REPLY of another version");
	t_make(&f, HOSTLINK_EVENT);
	f.h.version = 0;
	t_refused(&f, HL_FERR_VERSION, "EVENT of version 0");
	t_make(&f, HOSTLINK_ATTACHED);
	f.h.version = 2;
	t_refused(&f, HL_FERR_VERSION, "ATTACHED of another version");
}

static void t_type_rules(void)
{
	static const struct {
		enum hl_rx_state st;
		uint8_t type;
		uint64_t features;
		const char *what;
	} cases[] = {
		{ HL_RX_HOST_NEW, 0, HOSTLINK_FEAT_ALL, "type 0" },
		{ HL_RX_HOST_NEW, 9, HOSTLINK_FEAT_ALL, "type 9" },
		{ HL_RX_HOST_NEW, 255, HOSTLINK_FEAT_ALL, "type 255" },
		{ HL_RX_HOST_NEW, HOSTLINK_REQUEST, HOSTLINK_FEAT_ALL, "REQUEST before HELLO" },
		{ HL_RX_HOST_NEW, HOSTLINK_CANCEL, HOSTLINK_FEAT_ALL, "CANCEL before HELLO" },
		{ HL_RX_HOST_NEW, HOSTLINK_WELCOME, HOSTLINK_FEAT_ALL, "WELCOME sent to the host" },
		{ HL_RX_HOST_NEW, HOSTLINK_REPLY, HOSTLINK_FEAT_ALL, "REPLY sent to the host" },
		{ HL_RX_HOST_NEW, HOSTLINK_EVENT, HOSTLINK_FEAT_ALL, "EVENT sent to the host" },
		{ HL_RX_HOST_NEW, HOSTLINK_ATTACHED, HOSTLINK_FEAT_ALL, "ATTACHED sent to the host" },
		{ HL_RX_HOST_CONTROL, HOSTLINK_HELLO, HOSTLINK_FEAT_ALL, "a second HELLO" },
		{ HL_RX_HOST_CONTROL, HOSTLINK_ATTACH, HOSTLINK_FEAT_ALL, "ATTACH on a control connection" },
		{ HL_RX_HOST_CONTROL, HOSTLINK_REPLY, HOSTLINK_FEAT_ALL, "REPLY on a control connection" },
		{ HL_RX_HOST_CONTROL, HOSTLINK_CANCEL, HOSTLINK_FEAT_EVENTS, "CANCEL without FEAT_CANCEL" },
		{ HL_RX_GUEST_WELCOME, HOSTLINK_REPLY, HOSTLINK_FEAT_ALL, "REPLY before WELCOME" },
		{ HL_RX_GUEST_WELCOME, HOSTLINK_HELLO, HOSTLINK_FEAT_ALL, "HELLO sent to the guest" },
		{ HL_RX_GUEST_CONTROL, HOSTLINK_WELCOME, HOSTLINK_FEAT_ALL, "a second WELCOME" },
		{ HL_RX_GUEST_CONTROL, HOSTLINK_REQUEST, HOSTLINK_FEAT_ALL, "REQUEST sent to the guest" },
		{ HL_RX_GUEST_CONTROL, HOSTLINK_ATTACHED, HOSTLINK_FEAT_ALL, "ATTACHED on a control connection" },
		{ HL_RX_GUEST_CONTROL, HOSTLINK_EVENT, HOSTLINK_FEAT_CANCEL, "EVENT without FEAT_EVENTS" },
		{ HL_RX_GUEST_ATTACHED, HOSTLINK_REPLY, HOSTLINK_FEAT_ALL, "REPLY instead of ATTACHED" },
	};
	struct t_frame f;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_make(&f, cases[i].type ? cases[i].type : HOSTLINK_HELLO);
		f.h.type = cases[i].type;
		f.ctx = t_ctx(cases[i].st);
		f.ctx.features = cases[i].features;
		t_refused(&f, HL_FERR_TYPE, "%s", cases[i].what);
	}
}

static void t_len_rules(void)
{
	static const struct {
		uint8_t type;
		uint32_t len;
		const char *what;
	} cases[] = {
		{ HOSTLINK_HELLO, HL_HELLO_LEN - 1, "HELLO one byte short" },
		{ HOSTLINK_HELLO, HL_HELLO_LEN + 8, "HELLO with a tail" },
		{ HOSTLINK_HELLO, 0, "HELLO without payload" },
		{ HOSTLINK_ATTACH, HL_ATTACH_LEN - 1, "ATTACH one byte short" },
		{ HOSTLINK_ATTACH, HL_ATTACH_LEN + 1, "ATTACH one byte long" },
		{ HOSTLINK_CANCEL, 1, "CANCEL with a payload" },
		{ HOSTLINK_REQUEST, HL_CRED_LEN - 1, "REQUEST shorter than the credentials" },
		{ HOSTLINK_REQUEST, 0, "REQUEST without payload" },
		{ HOSTLINK_REQUEST, 4097, "REQUEST above max_frame" },
		{ HOSTLINK_REQUEST, UINT32_MAX, "REQUEST of len 0xffffffff" },
		{ HOSTLINK_WELCOME, HL_WELCOME_LEN - 1, "WELCOME one byte short" },
		{ HOSTLINK_WELCOME, HL_WELCOME_LEN + 8, "WELCOME with a tail" },
		{ HOSTLINK_ATTACHED, 4, "ATTACHED with a payload" },
		{ HOSTLINK_REPLY, 4097, "REPLY above max_frame" },
		{ HOSTLINK_EVENT, 4097, "EVENT above max_frame" },
	};
	struct t_frame f;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_make(&f, cases[i].type);
		f.h.len = cases[i].len;
		t_refused(&f, HL_FERR_LEN, "%s", cases[i].what);
	}
	t_make(&f, HOSTLINK_REPLY);
	f.h.status = EIO;
	t_refused(&f, HL_FERR_LEN, "REPLY with an error and a payload");
}

static void t_field_rules(void)
{
	static const uint8_t no_op[] = { HOSTLINK_HELLO, HOSTLINK_ATTACH, HOSTLINK_CANCEL,
		HOSTLINK_WELCOME, HOSTLINK_ATTACHED };
	static const uint8_t need_id[] = { HOSTLINK_REQUEST, HOSTLINK_CANCEL, HOSTLINK_REPLY };
	static const uint8_t no_id[] = { HOSTLINK_HELLO, HOSTLINK_ATTACH, HOSTLINK_WELCOME,
		HOSTLINK_EVENT, HOSTLINK_ATTACHED };
	static const uint8_t no_status[] = { HOSTLINK_HELLO, HOSTLINK_ATTACH,
		HOSTLINK_REQUEST, HOSTLINK_CANCEL, HOSTLINK_EVENT };
	static const uint8_t status[] = { HOSTLINK_WELCOME, HOSTLINK_REPLY, HOSTLINK_ATTACHED };
	struct t_frame f;
	unsigned int i;

	for (i = 0; i < sizeof(no_op); i++) {
		t_make(&f, no_op[i]);
		f.h.op = 1;
		t_refused(&f, HL_FERR_OP, "op on %s", hl_type_name(no_op[i]));
	}
	for (i = 0; i < sizeof(need_id); i++) {
		t_make(&f, need_id[i]);
		f.h.id = 0;
		t_refused(&f, HL_FERR_ID, "id 0 on %s", hl_type_name(need_id[i]));
	}
	for (i = 0; i < sizeof(no_id); i++) {
		t_make(&f, no_id[i]);
		f.h.id = 5;
		t_refused(&f, HL_FERR_ID, "id on %s", hl_type_name(no_id[i]));
	}
	for (i = 0; i < sizeof(no_status); i++) {
		t_make(&f, no_status[i]);
		f.h.status = 1;
		t_refused(&f, HL_FERR_STATUS, "status on %s", hl_type_name(no_status[i]));
	}
	for (i = 0; i < sizeof(status); i++) {
		t_make(&f, status[i]);
		f.h.len = status[i] == HOSTLINK_WELCOME ? HL_WELCOME_LEN : 0;
		f.h.status = HOSTLINK_ERRNO_MAX + 1;
		if (status[i] == HOSTLINK_WELCOME)
			hl_welcome_encode(f.p, &(struct hl_welcome){ .max_version = 1 });
		t_refused(&f, HL_FERR_STATUS, "%s status above HOSTLINK_ERRNO_MAX",
			  hl_type_name(status[i]));
	}
	t_make(&f, HOSTLINK_REPLY);
	f.h.status = UINT32_MAX;
	f.h.len = 0;
	t_refused(&f, HL_FERR_STATUS, "REPLY status 0xffffffff (a negative errno)");
}

static void t_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void t_payload_rules(void)
{
	static const char *const bad_names[] = {
		"", "te st", "a/b", "a.b", "t\xc3\xa9st", "x\ny", "test\0x", "\0test",
	};
	struct t_frame f;
	unsigned int i;

	t_make(&f, HOSTLINK_HELLO);
	f.p[8] = 1;
	t_refused(&f, HL_FERR_RESERVED, "HELLO __reserved[0] not 0");
	t_make(&f, HOSTLINK_HELLO);
	f.p[15] = 0x80;
	t_refused(&f, HL_FERR_RESERVED, "HELLO __reserved[1] not 0");
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		t_make(&f, HOSTLINK_HELLO);
		memset(f.p + 24, 0, HOSTLINK_NAME_LEN);
		memcpy(f.p + 24, bad_names[i], strlen(bad_names[i]) + (i == 6 ? 2 : 0) +
		       (i == 7 ? 5 : 0));
		t_refused(&f, HL_FERR_NAME, "HELLO service name #%u not [A-Za-z0-9_-] NUL-padded", i);
		t_make(&f, HOSTLINK_ATTACH);
		memset(f.p + 32, 0, HOSTLINK_NAME_LEN);
		memcpy(f.p + 32, bad_names[i], strlen(bad_names[i]) + (i == 6 ? 2 : 0) +
		       (i == 7 ? 5 : 0));
		t_refused(&f, HL_FERR_NAME, "ATTACH service name #%u not [A-Za-z0-9_-] NUL-padded", i);
	}
	{
		static const uint32_t bad[] = { 0, HOSTLINK_FRAME_MIN - 1,
			HOSTLINK_FRAME_LIMIT + 1, UINT32_MAX };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			t_make(&f, HOSTLINK_HELLO);
			t_put32(f.p + 4, bad[i]);
			t_refused(&f, HL_FERR_MAX_FRAME, "HELLO max_frame %u out of bounds", bad[i]);
		}
		t_make(&f, HOSTLINK_WELCOME);
		t_put32(f.p + 8, HOSTLINK_FRAME_MIN - 1);
		t_refused(&f, HL_FERR_MAX_FRAME, "WELCOME max_frame out of bounds");
	}
	t_make(&f, HOSTLINK_WELCOME);
	f.p[6] = 1;
	t_refused(&f, HL_FERR_RESERVED, "WELCOME __reserved0 not 0");
	t_make(&f, HOSTLINK_WELCOME);
	f.p[12] = 1;
	t_refused(&f, HL_FERR_RESERVED, "WELCOME __reserved1 not 0");
	t_make(&f, HOSTLINK_WELCOME);
	memset(f.p + 24, 'x', HOSTLINK_MESSAGE_LEN);
	t_refused(&f, HL_FERR_MESSAGE, "WELCOME message without NUL");
	t_make(&f, HOSTLINK_WELCOME);
	f.p[0] = 0;
	t_refused(&f, HL_FERR_WELCOME, "WELCOME success with version 0");
	t_make(&f, HOSTLINK_WELCOME);
	f.p[0] = 2;
	t_refused(&f, HL_FERR_WELCOME, "WELCOME version outside its own range");
	t_make(&f, HOSTLINK_WELCOME);
	f.h.status = EPERM;
	t_refused(&f, HL_FERR_WELCOME, "WELCOME refusal with a version");
	t_make(&f, HOSTLINK_REQUEST);
	f.h.flags = HOSTLINK_F_KERNEL;
	t_refused(&f, HL_FERR_CRED, "KERNEL request with credentials");
}

/* Every proper prefix of a valid frame is incomplete, never accepted. */
static void t_truncated(void)
{
	static uint8_t buf[HL_HDR_LEN + 4096];
	struct hl_frame_error err;
	struct hl_frame out;
	struct t_frame f;
	unsigned int i;
	size_t cut, used;

	for (i = 0; i < sizeof(t_types); i++) {
		bool ok = true;

		t_make(&f, t_types[i]);
		hl_hdr_encode(buf, &f.h);
		memcpy(buf + HL_HDR_LEN, f.p, f.h.len);
		for (cut = 0; cut < HL_HDR_LEN + f.h.len; cut++) {
			err.code = HL_FERR_NONE;
			if (hl_frame_parse(buf, cut, &f.ctx, &out, &used, &err) != -EAGAIN ||
			    err.code != HL_FERR_TRUNCATED)
				ok = false;
		}
		t_ok(ok, "every prefix of %s is incomplete", hl_type_name(t_types[i]));
	}
	t_make(&f, HOSTLINK_REQUEST);
	f.h.len = UINT32_MAX;
	hl_hdr_encode(buf, &f.h);
	t_ok(hl_frame_parse(buf, HL_HDR_LEN, &f.ctx, &out, &used, &err) == -EPROTO &&
	     err.code == HL_FERR_LEN,
	     "an oversized len is refused from the header alone, not waited for");
}

static void t_stream(void)
{
	static uint8_t buf[3 * (HL_HDR_LEN + 128) + 1];
	struct hl_frame_error err;
	struct hl_frame out;
	struct t_frame f;
	size_t off = 1, used, pos = 1;
	unsigned int n = 0;

	t_make(&f, HOSTLINK_REQUEST);
	for (n = 0; n < 3; n++) {
		f.h.id = n + 1;
		hl_hdr_encode(buf + off, &f.h);
		memcpy(buf + off + HL_HDR_LEN, f.p, f.h.len);
		off += HL_HDR_LEN + f.h.len;
	}
	for (n = 0; pos < off; n++) {
		if (hl_frame_parse(buf + pos, off - pos, &f.ctx, &out, &used, &err) ||
		    out.hdr.id != n + 1)
			break;
		pos += used;
	}
	t_ok(n == 3 && pos == off, "three frames back to back at an odd address");
}

/* A small generator, so the run is the same every time. */
static uint32_t t_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void t_garbage(void)
{
	static uint8_t buf[HL_HDR_LEN + 4096];
	struct hl_frame_error err;
	struct hl_frame out;
	uint64_t seed = 42;
	unsigned int i, accepted = 0, bad = 0;
	size_t used;

	for (i = 0; i < 20000; i++) {
		struct hl_rx_ctx ctx = t_ctx(i % 5);
		size_t len = t_rand(&seed) % sizeof(buf), j;
		int ret;

		for (j = 0; j < len; j++)
			buf[j] = t_rand(&seed);
		ret = hl_frame_parse(buf, len, &ctx, &out, &used, &err);
		if (!ret)
			accepted++;
		else if (ret != -EAGAIN && ret != -EPROTO)
			bad++;
	}
	t_ok(!accepted && !bad, "20000 random buffers are refused");

	/* Random single-byte changes to valid frames: never a crash. */
	for (i = 0; i < 20000; i++) {
		struct t_frame f;
		size_t len, at;
		int ret;

		t_make(&f, t_types[i % sizeof(t_types)]);
		hl_hdr_encode(buf, &f.h);
		memcpy(buf + HL_HDR_LEN, f.p, f.h.len);
		len = HL_HDR_LEN + f.h.len;
		at = t_rand(&seed) % len;
		buf[at] ^= 1 + t_rand(&seed) % 255;
		ret = hl_frame_parse(buf, len, &f.ctx, &out, &used, &err);
		if (ret && ret != -EAGAIN && ret != -EPROTO)
			bad++;
		if (!ret && used > len)
			bad++;
	}
	t_ok(!bad, "20000 valid frames with one byte changed: parsed or refused cleanly");
}

static void t_name_check(void)
{
	char name[HOSTLINK_NAME_LEN] = "test";

	t_ok(!hl_name_check(name, sizeof(name)), "name 'test' is valid");
	memset(name, 'a', sizeof(name));
	t_ok(!hl_name_check(name, sizeof(name)), "a 32-character name fills the field");
	memset(name, 0, sizeof(name));
	t_ok(hl_name_check(name, sizeof(name)) == -EINVAL, "the empty name is not");
}

int main(void)
{
	printf("TAP version 13\n");
	t_layout();
	t_payload_round_trips();
	t_valid_frames();
	t_more_valid();
	t_header_rules();
	t_type_rules();
	t_len_rules();
	t_field_rules();
	t_payload_rules();
	t_truncated();
	t_stream();
	t_garbage();
	t_name_check();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
