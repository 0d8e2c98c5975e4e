// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the hostlink frame codec (see hl_frame.h).
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hl_frame.h"

static const char *const hl_type_names[] = {
	[HOSTLINK_HELLO] = "HELLO",
	[HOSTLINK_WELCOME] = "WELCOME",
	[HOSTLINK_REQUEST] = "REQUEST",
	[HOSTLINK_REPLY] = "REPLY",
	[HOSTLINK_EVENT] = "EVENT",
	[HOSTLINK_CANCEL] = "CANCEL",
	[HOSTLINK_ATTACH] = "ATTACH",
	[HOSTLINK_ATTACHED] = "ATTACHED",
	[HOSTLINK_OFFER] = "OFFER",
};

static const char *const hl_ferr_names[] = {
	[HL_FERR_NONE] = "none",
	[HL_FERR_MAGIC] = "magic",
	[HL_FERR_VERSION] = "version",
	[HL_FERR_TYPE] = "type",
	[HL_FERR_FLAGS] = "flags",
	[HL_FERR_LEN] = "len",
	[HL_FERR_OP] = "op",
	[HL_FERR_ID] = "id",
	[HL_FERR_STATUS] = "status",
	[HL_FERR_RESERVED] = "reserved",
	[HL_FERR_NAME] = "name",
	[HL_FERR_MAX_FRAME] = "max_frame",
	[HL_FERR_MESSAGE] = "message",
	[HL_FERR_CRED] = "cred",
	[HL_FERR_WELCOME] = "welcome",
	[HL_FERR_TRUNCATED] = "truncated",
};

const char *hl_type_name(unsigned int type)
{
	if (type < sizeof(hl_type_names) / sizeof(hl_type_names[0]) &&
	    hl_type_names[type])
		return hl_type_names[type];
	return "unknown";
}

const char *hl_ferr_name(enum hl_ferr code)
{
	if ((unsigned int)code < sizeof(hl_ferr_names) / sizeof(hl_ferr_names[0]))
		return hl_ferr_names[code];
	return "unknown";
}

/* Little-endian loads and stores at any alignment. */
static uint16_t hl_ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t hl_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t hl_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void hl_st16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void hl_st32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void hl_st64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

#define HL_OFF(type, field) offsetof(struct type, field)

void hl_hdr_decode(const void *buf, struct hl_hdr *h)
{
	const uint8_t *p = buf;

	h->magic = hl_ld32(p + HL_OFF(hostlink_hdr, magic));
	h->version = p[HL_OFF(hostlink_hdr, version)];
	h->type = p[HL_OFF(hostlink_hdr, type)];
	h->flags = hl_ld16(p + HL_OFF(hostlink_hdr, flags));
	h->len = hl_ld32(p + HL_OFF(hostlink_hdr, len));
	h->op = hl_ld32(p + HL_OFF(hostlink_hdr, op));
	h->id = hl_ld64(p + HL_OFF(hostlink_hdr, id));
	h->status = hl_ld32(p + HL_OFF(hostlink_hdr, status));
	h->reserved = hl_ld32(p + HL_OFF(hostlink_hdr, __reserved));
}

void hl_hdr_encode(void *buf, const struct hl_hdr *h)
{
	uint8_t *p = buf;

	hl_st32(p + HL_OFF(hostlink_hdr, magic), h->magic);
	p[HL_OFF(hostlink_hdr, version)] = h->version;
	p[HL_OFF(hostlink_hdr, type)] = h->type;
	hl_st16(p + HL_OFF(hostlink_hdr, flags), h->flags);
	hl_st32(p + HL_OFF(hostlink_hdr, len), h->len);
	hl_st32(p + HL_OFF(hostlink_hdr, op), h->op);
	hl_st64(p + HL_OFF(hostlink_hdr, id), h->id);
	hl_st32(p + HL_OFF(hostlink_hdr, status), h->status);
	hl_st32(p + HL_OFF(hostlink_hdr, __reserved), h->reserved);
}

/* A header with the magic, @type and @version and everything else 0. */
void hl_hdr_init(struct hl_hdr *h, uint8_t type, uint8_t version)
{
	memset(h, 0, sizeof(*h));
	h->magic = HOSTLINK_MAGIC;
	h->type = type;
	h->version = version;
}

/* Copies a wire name out, always NUL-terminated. */
static void hl_name_decode(char *dst, const uint8_t *src)
{
	memcpy(dst, src, HOSTLINK_NAME_LEN);
	dst[HOSTLINK_NAME_LEN] = '\0';
}

/* NUL-pads a name into its wire field; longer names are cut. */
static void hl_name_encode(uint8_t *dst, const char *src)
{
	size_t n = strnlen(src, HOSTLINK_NAME_LEN);

	memset(dst, 0, HOSTLINK_NAME_LEN);
	memcpy(dst, src, n);
}

/* The OFFER payload: @service, NUL-padded. */
void hl_offer_encode(void *buf, const char *service)
{
	hl_name_encode(buf, service);
}

void hl_hello_encode(void *buf, const struct hl_hello *hello)
{
	uint8_t *p = buf;

	hl_st16(p + HL_OFF(hostlink_hello, min_version), hello->min_version);
	hl_st16(p + HL_OFF(hostlink_hello, max_version), hello->max_version);
	hl_st32(p + HL_OFF(hostlink_hello, max_frame), hello->max_frame);
	hl_st32(p + HL_OFF(hostlink_hello, __reserved), hello->reserved[0]);
	hl_st32(p + HL_OFF(hostlink_hello, __reserved) + 4, hello->reserved[1]);
	hl_st64(p + HL_OFF(hostlink_hello, features), hello->features);
	hl_name_encode(p + HL_OFF(hostlink_hello, service), hello->service);
}

void hl_hello_decode(const void *buf, struct hl_hello *hello)
{
	const uint8_t *p = buf;

	hello->min_version = hl_ld16(p + HL_OFF(hostlink_hello, min_version));
	hello->max_version = hl_ld16(p + HL_OFF(hostlink_hello, max_version));
	hello->max_frame = hl_ld32(p + HL_OFF(hostlink_hello, max_frame));
	hello->reserved[0] = hl_ld32(p + HL_OFF(hostlink_hello, __reserved));
	hello->reserved[1] = hl_ld32(p + HL_OFF(hostlink_hello, __reserved) + 4);
	hello->features = hl_ld64(p + HL_OFF(hostlink_hello, features));
	hl_name_decode(hello->service, p + HL_OFF(hostlink_hello, service));
}

void hl_welcome_encode(void *buf, const struct hl_welcome *w)
{
	uint8_t *p = buf;
	size_t n = strnlen(w->message, HOSTLINK_MESSAGE_LEN - 1);

	hl_st16(p + HL_OFF(hostlink_welcome, version), w->version);
	hl_st16(p + HL_OFF(hostlink_welcome, min_version), w->min_version);
	hl_st16(p + HL_OFF(hostlink_welcome, max_version), w->max_version);
	hl_st16(p + HL_OFF(hostlink_welcome, __reserved0), w->reserved0);
	hl_st32(p + HL_OFF(hostlink_welcome, max_frame), w->max_frame);
	hl_st32(p + HL_OFF(hostlink_welcome, __reserved1), w->reserved1);
	hl_st64(p + HL_OFF(hostlink_welcome, features), w->features);
	memset(p + HL_OFF(hostlink_welcome, message), 0, HOSTLINK_MESSAGE_LEN);
	memcpy(p + HL_OFF(hostlink_welcome, message), w->message, n);
}

void hl_welcome_decode(const void *buf, struct hl_welcome *w)
{
	const uint8_t *p = buf;

	w->version = hl_ld16(p + HL_OFF(hostlink_welcome, version));
	w->min_version = hl_ld16(p + HL_OFF(hostlink_welcome, min_version));
	w->max_version = hl_ld16(p + HL_OFF(hostlink_welcome, max_version));
	w->reserved0 = hl_ld16(p + HL_OFF(hostlink_welcome, __reserved0));
	w->max_frame = hl_ld32(p + HL_OFF(hostlink_welcome, max_frame));
	w->reserved1 = hl_ld32(p + HL_OFF(hostlink_welcome, __reserved1));
	w->features = hl_ld64(p + HL_OFF(hostlink_welcome, features));
	memcpy(w->message, p + HL_OFF(hostlink_welcome, message), HOSTLINK_MESSAGE_LEN);
}

void hl_cred_encode(void *buf, const struct hl_cred *c)
{
	uint8_t *p = buf;

	hl_st32(p + HL_OFF(hostlink_cred, uid), c->uid);
	hl_st32(p + HL_OFF(hostlink_cred, gid), c->gid);
	hl_st32(p + HL_OFF(hostlink_cred, pid), c->pid);
	hl_st32(p + HL_OFF(hostlink_cred, tid), c->tid);
	hl_st64(p + HL_OFF(hostlink_cred, userns), c->userns);
	hl_st64(p + HL_OFF(hostlink_cred, pidns), c->pidns);
	hl_st64(p + HL_OFF(hostlink_cred, netns), c->netns);
	hl_st64(p + HL_OFF(hostlink_cred, utsns), c->utsns);
	hl_st64(p + HL_OFF(hostlink_cred, ipcns), c->ipcns);
	hl_st64(p + HL_OFF(hostlink_cred, cgroupns), c->cgroupns);
}

void hl_cred_decode(const void *buf, struct hl_cred *c)
{
	const uint8_t *p = buf;

	c->uid = hl_ld32(p + HL_OFF(hostlink_cred, uid));
	c->gid = hl_ld32(p + HL_OFF(hostlink_cred, gid));
	c->pid = hl_ld32(p + HL_OFF(hostlink_cred, pid));
	c->tid = hl_ld32(p + HL_OFF(hostlink_cred, tid));
	c->userns = hl_ld64(p + HL_OFF(hostlink_cred, userns));
	c->pidns = hl_ld64(p + HL_OFF(hostlink_cred, pidns));
	c->netns = hl_ld64(p + HL_OFF(hostlink_cred, netns));
	c->utsns = hl_ld64(p + HL_OFF(hostlink_cred, utsns));
	c->ipcns = hl_ld64(p + HL_OFF(hostlink_cred, ipcns));
	c->cgroupns = hl_ld64(p + HL_OFF(hostlink_cred, cgroupns));
}

void hl_attach_encode(void *buf, const struct hl_attach *a)
{
	uint8_t *p = buf;

	memcpy(p + HL_OFF(hostlink_attach, token), a->token, HOSTLINK_TOKEN_LEN);
	hl_name_encode(p + HL_OFF(hostlink_attach, service), a->service);
}

void hl_attach_decode(const void *buf, struct hl_attach *a)
{
	const uint8_t *p = buf;

	memcpy(a->token, p + HL_OFF(hostlink_attach, token), HOSTLINK_TOKEN_LEN);
	hl_name_decode(a->service, p + HL_OFF(hostlink_attach, service));
}

/*
 * A service name: one or more of [A-Za-z0-9_-], then NUL up to @size.
 * Returns 0 or -EINVAL.
 */
int hl_name_check(const char *name, size_t size)
{
	size_t i = 0;

	for (; i < size && name[i]; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return -EINVAL;
	}
	if (i == 0)
		return -EINVAL;
	for (; i < size; i++)
		if (name[i])
			return -EINVAL;
	return 0;
}

__attribute__((format(printf, 3, 4)))
static int hl_fail(struct hl_frame_error *err, enum hl_ferr code,
		   const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

static bool hl_type_expected(unsigned int type, const struct hl_rx_ctx *ctx)
{
	switch (ctx->state) {
	case HL_RX_HOST_NEW:
		return type == HOSTLINK_HELLO || type == HOSTLINK_ATTACH;
	case HL_RX_HOST_CONTROL:
		return type == HOSTLINK_REQUEST ||
		       (type == HOSTLINK_CANCEL &&
			(ctx->features & HOSTLINK_FEAT_CANCEL));
	case HL_RX_GUEST_WELCOME:
		return type == HOSTLINK_WELCOME;
	case HL_RX_GUEST_CONTROL:
		return type == HOSTLINK_REPLY ||
		       (type == HOSTLINK_EVENT &&
			(ctx->features & HOSTLINK_FEAT_EVENTS));
	case HL_RX_GUEST_ATTACHED:
		return type == HOSTLINK_ATTACHED;
	}
	return false;
}

static const char *const hl_rx_state_names[] = {
	[HL_RX_HOST_NEW] = "new connection",
	[HL_RX_HOST_CONTROL] = "control connection",
	[HL_RX_GUEST_WELCOME] = "waiting for WELCOME",
	[HL_RX_GUEST_CONTROL] = "control connection",
	[HL_RX_GUEST_ATTACHED] = "waiting for ATTACHED",
};

static int hl_hdr_check_version(const struct hl_hdr *h,
				const struct hl_rx_ctx *ctx,
				struct hl_frame_error *err)
{
	switch (h->type) {
	case HOSTLINK_HELLO:
	case HOSTLINK_WELCOME:
		return 0;
	case HOSTLINK_ATTACH:
		/* No HELLO on an extra connection: any version we speak. */
		if (h->version < ctx->min_version || h->version > ctx->max_version)
			return hl_fail(err, HL_FERR_VERSION,
				       "ATTACH version %u outside %u-%u",
				       h->version, ctx->min_version, ctx->max_version);
		return 0;
	default:
		if (h->version != ctx->version)
			return hl_fail(err, HL_FERR_VERSION,
				       "%s version %u, agreed %u",
				       hl_type_name(h->type), h->version, ctx->version);
		return 0;
	}
}

static int hl_hdr_check_len(const struct hl_hdr *h, const struct hl_rx_ctx *ctx,
			    struct hl_frame_error *err)
{
	uint32_t fixed;

	switch (h->type) {
	case HOSTLINK_HELLO:
		fixed = HL_HELLO_LEN;
		break;
	case HOSTLINK_WELCOME:
		fixed = HL_WELCOME_LEN;
		break;
	case HOSTLINK_ATTACH:
		fixed = HL_ATTACH_LEN;
		break;
	case HOSTLINK_CANCEL:
	case HOSTLINK_ATTACHED:
		fixed = 0;
		break;
	default:
		if (h->len > ctx->max_frame)
			return hl_fail(err, HL_FERR_LEN, "%s len %u above max frame %u",
				       hl_type_name(h->type), h->len, ctx->max_frame);
		if (h->type == HOSTLINK_REQUEST && h->len < HL_CRED_LEN)
			return hl_fail(err, HL_FERR_LEN,
				       "REQUEST len %u below the credential block (%u)",
				       h->len, HL_CRED_LEN);
		if (h->type == HOSTLINK_REPLY && h->status && h->len)
			return hl_fail(err, HL_FERR_LEN,
				       "REPLY with status %u carries %u bytes",
				       h->status, h->len);
		return 0;
	}
	if (h->len != fixed)
		return hl_fail(err, HL_FERR_LEN, "%s len %u, expected %u",
			       hl_type_name(h->type), h->len, fixed);
	return 0;
}

/**
 * hl_hdr_check() - validate a received header
 * @h: the decoded header.
 * @ctx: the receiver's state.
 * @err: (out) the reason on failure; may be NULL.
 *
 * Return: 0, or -EPROTO with @err filled.
 */
int hl_hdr_check(const struct hl_hdr *h, const struct hl_rx_ctx *ctx,
		 struct hl_frame_error *err)
{
	bool has_op, has_id, has_status;
	int ret;

	if (h->magic != HOSTLINK_MAGIC)
		return hl_fail(err, HL_FERR_MAGIC, "bad magic 0x%08x", h->magic);
	if (!hl_type_expected(h->type, ctx))
		return hl_fail(err, HL_FERR_TYPE, "type %u (%s) not expected on a %s",
			       h->type, hl_type_name(h->type),
			       hl_rx_state_names[ctx->state]);
	ret = hl_hdr_check_version(h, ctx, err);
	if (ret)
		return ret;
	if (h->flags & ~HOSTLINK_F_ALL)
		return hl_fail(err, HL_FERR_FLAGS, "unknown flags 0x%x",
			       h->flags & ~HOSTLINK_F_ALL);
	if ((h->flags & HOSTLINK_F_KERNEL) && h->type != HOSTLINK_REQUEST)
		return hl_fail(err, HL_FERR_FLAGS, "flag KERNEL on %s",
			       hl_type_name(h->type));
	ret = hl_hdr_check_len(h, ctx, err);
	if (ret)
		return ret;

	has_op = h->type == HOSTLINK_REQUEST || h->type == HOSTLINK_REPLY ||
		 h->type == HOSTLINK_EVENT;
	has_id = h->type == HOSTLINK_REQUEST || h->type == HOSTLINK_REPLY ||
		 h->type == HOSTLINK_CANCEL;
	has_status = h->type == HOSTLINK_WELCOME || h->type == HOSTLINK_REPLY ||
		     h->type == HOSTLINK_ATTACHED;
	if (!has_op && h->op)
		return hl_fail(err, HL_FERR_OP, "op %u on %s", h->op,
			       hl_type_name(h->type));
	if (has_id && !h->id)
		return hl_fail(err, HL_FERR_ID, "id 0 on %s", hl_type_name(h->type));
	if (!has_id && h->id)
		return hl_fail(err, HL_FERR_ID, "id %llu on %s",
			       (unsigned long long)h->id, hl_type_name(h->type));
	if (!has_status && h->status)
		return hl_fail(err, HL_FERR_STATUS, "status %u on %s", h->status,
			       hl_type_name(h->type));
	if (h->status > HOSTLINK_ERRNO_MAX)
		return hl_fail(err, HL_FERR_STATUS, "status %u above %u", h->status,
			       HOSTLINK_ERRNO_MAX);
	if (h->reserved)
		return hl_fail(err, HL_FERR_RESERVED, "reserved header field 0x%x",
			       h->reserved);
	return 0;
}

static int hl_max_frame_check(uint32_t max_frame, const char *what,
			      struct hl_frame_error *err)
{
	if (max_frame < HOSTLINK_FRAME_MIN || max_frame > HOSTLINK_FRAME_LIMIT)
		return hl_fail(err, HL_FERR_MAX_FRAME, "%s max_frame %u outside %u-%u",
			       what, max_frame, HOSTLINK_FRAME_MIN, HOSTLINK_FRAME_LIMIT);
	return 0;
}

static int hl_hello_check(const struct hl_hello *hello, struct hl_frame_error *err)
{
	if (hello->reserved[0] || hello->reserved[1])
		return hl_fail(err, HL_FERR_RESERVED, "reserved HELLO field");
	if (hl_name_check(hello->service, HOSTLINK_NAME_LEN))
		return hl_fail(err, HL_FERR_NAME, "bad service name in HELLO");
	return hl_max_frame_check(hello->max_frame, "HELLO", err);
}

static int hl_welcome_check(const struct hl_welcome *w, uint32_t status,
			    struct hl_frame_error *err)
{
	if (w->reserved0 || w->reserved1)
		return hl_fail(err, HL_FERR_RESERVED, "reserved WELCOME field");
	if (!memchr(w->message, '\0', HOSTLINK_MESSAGE_LEN))
		return hl_fail(err, HL_FERR_MESSAGE, "WELCOME message not terminated");
	if (status) {
		if (w->version)
			return hl_fail(err, HL_FERR_WELCOME,
				       "WELCOME status %u with version %u",
				       status, w->version);
		return 0;
	}
	if (!w->version || w->version < w->min_version || w->version > w->max_version)
		return hl_fail(err, HL_FERR_WELCOME, "WELCOME version %u outside %u-%u",
			       w->version, w->min_version, w->max_version);
	return hl_max_frame_check(w->max_frame, "WELCOME", err);
}

static int hl_request_check(struct hl_frame *f, struct hl_frame_error *err)
{
	static const struct hl_cred zero;
	struct hl_cred *cred = &f->u.req.cred;

	hl_cred_decode(f->payload, cred);
	if ((f->hdr.flags & HOSTLINK_F_KERNEL) && memcmp(cred, &zero, sizeof(zero)))
		return hl_fail(err, HL_FERR_CRED,
			       "KERNEL request with non-zero credentials");
	f->u.req.data = f->payload + HL_CRED_LEN;
	f->u.req.len = f->hdr.len - HL_CRED_LEN;
	return 0;
}

/**
 * hl_payload_check() - decode and validate the payload of a checked header
 * @f: header and payload pointer set; (out) the decoded payload.
 * @ctx: the receiver's state.
 * @err: (out) the reason on failure; may be NULL.
 *
 * Return: 0, or -EPROTO with @err filled.
 */
int hl_payload_check(struct hl_frame *f, const struct hl_rx_ctx *ctx,
		     struct hl_frame_error *err)
{
	(void)ctx;
	switch (f->hdr.type) {
	case HOSTLINK_HELLO:
		hl_hello_decode(f->payload, &f->u.hello);
		return hl_hello_check(&f->u.hello, err);
	case HOSTLINK_WELCOME:
		hl_welcome_decode(f->payload, &f->u.welcome);
		return hl_welcome_check(&f->u.welcome, f->hdr.status, err);
	case HOSTLINK_ATTACH:
		hl_attach_decode(f->payload, &f->u.attach);
		if (hl_name_check(f->u.attach.service, HOSTLINK_NAME_LEN))
			return hl_fail(err, HL_FERR_NAME, "bad service name in ATTACH");
		return 0;
	case HOSTLINK_REQUEST:
		return hl_request_check(f, err);
	default:
		return 0;
	}
}

/**
 * hl_frame_parse() - decode and validate one frame from a byte buffer
 * @buf: received bytes.
 * @avail: how many.
 * @ctx: the receiver's state.
 * @f: (out) the frame; its payload points into @buf.
 * @used: (out) bytes of @buf the frame takes, on success.
 * @err: (out) the reason on failure; may be NULL.
 *
 * Return: 0; -EAGAIN if @buf holds a valid beginning but not the whole
 * frame (@err says HL_FERR_TRUNCATED); -EPROTO with @err filled.
 */
int hl_frame_parse(const void *buf, size_t avail, const struct hl_rx_ctx *ctx,
		   struct hl_frame *f, size_t *used, struct hl_frame_error *err)
{
	int ret;

	if (avail < HL_HDR_LEN) {
		hl_fail(err, HL_FERR_TRUNCATED, "header cut at %zu of %u bytes",
			avail, HL_HDR_LEN);
		return -EAGAIN;
	}
	hl_hdr_decode(buf, &f->hdr);
	ret = hl_hdr_check(&f->hdr, ctx, err);
	if (ret)
		return ret;
	if (avail - HL_HDR_LEN < f->hdr.len) {
		hl_fail(err, HL_FERR_TRUNCATED, "%s payload cut at %zu of %u bytes",
			hl_type_name(f->hdr.type), avail - HL_HDR_LEN, f->hdr.len);
		return -EAGAIN;
	}
	f->payload = (const uint8_t *)buf + HL_HDR_LEN;
	ret = hl_payload_check(f, ctx, err);
	if (ret)
		return ret;
	*used = HL_HDR_LEN + f->hdr.len;
	return 0;
}
