/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: the hostlink frame codec.  Encoders for every frame the
 * host sends (and, for tests and clients, the ones the guest sends), and
 * a validating parser that applies every rule of the "Frames" section of
 * Documentation/hostlink-protocol.rst.  No I/O here: bytes in, decoded
 * host-endian structures out.
 *
 * Wire structures are never cast from the byte buffers: each field is
 * copied out with memcpy and converted from little-endian.
 */
#ifndef HL_FRAME_H
#define HL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/hostlink.h>

#define HL_HDR_LEN	((uint32_t)sizeof(struct hostlink_hdr))
#define HL_HELLO_LEN	((uint32_t)sizeof(struct hostlink_hello))
#define HL_WELCOME_LEN	((uint32_t)sizeof(struct hostlink_welcome))
#define HL_CRED_LEN	((uint32_t)sizeof(struct hostlink_cred))
#define HL_ATTACH_LEN	((uint32_t)sizeof(struct hostlink_attach))
#define HL_OFFER_LEN	((uint32_t)sizeof(struct hostlink_offer))

/* struct hostlink_hdr in host byte order. */
struct hl_hdr {
	uint32_t magic;
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t len;
	uint32_t op;
	uint64_t id;
	uint32_t status;
	uint32_t reserved;
};

/* struct hostlink_hello; @service is NUL-terminated here. */
struct hl_hello {
	uint16_t min_version;
	uint16_t max_version;
	uint32_t max_frame;
	uint32_t reserved[2];
	uint64_t features;
	char service[HOSTLINK_NAME_LEN + 1];
};

/* struct hostlink_welcome; @message is NUL-terminated. */
struct hl_welcome {
	uint16_t version;
	uint16_t min_version;
	uint16_t max_version;
	uint16_t reserved0;
	uint32_t max_frame;
	uint32_t reserved1;
	uint64_t features;
	char message[HOSTLINK_MESSAGE_LEN];
};

struct hl_cred {
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint32_t tid;
	uint64_t userns;
	uint64_t pidns;
	uint64_t netns;
	uint64_t utsns;
	uint64_t ipcns;
	uint64_t cgroupns;
};

struct hl_attach {
	uint8_t token[HOSTLINK_TOKEN_LEN];
	char service[HOSTLINK_NAME_LEN + 1];
};

/* A decoded frame.  @payload points into the caller's buffer. */
struct hl_frame {
	struct hl_hdr hdr;
	const uint8_t *payload;
	union {
		struct hl_hello hello;		/* HELLO */
		struct hl_welcome welcome;	/* WELCOME */
		struct hl_attach attach;	/* ATTACH */
		struct {			/* REQUEST */
			struct hl_cred cred;
			const uint8_t *data;	/* after the credentials */
			uint32_t len;
		} req;
	} u;
};

/* Why a frame was refused; one code per rule of the "Frames" section. */
enum hl_ferr {
	HL_FERR_NONE,
	HL_FERR_MAGIC,		/* magic is not HOSTLINK_MAGIC */
	HL_FERR_VERSION,	/* not the agreed version */
	HL_FERR_TYPE,		/* unknown, wrong direction or wrong state */
	HL_FERR_FLAGS,		/* unknown flag, or KERNEL off a REQUEST */
	HL_FERR_LEN,		/* above max frame, or wrong fixed size */
	HL_FERR_OP,		/* op set on a frame that has none */
	HL_FERR_ID,		/* id 0 where needed, or set where not */
	HL_FERR_STATUS,		/* status above HOSTLINK_ERRNO_MAX or misplaced */
	HL_FERR_RESERVED,	/* a reserved header or payload field not 0 */
	HL_FERR_NAME,		/* service name charset or padding */
	HL_FERR_MAX_FRAME,	/* max_frame outside the allowed bounds */
	HL_FERR_MESSAGE,	/* WELCOME message not NUL-terminated */
	HL_FERR_CRED,		/* KERNEL request with non-zero credentials */
	HL_FERR_WELCOME,	/* WELCOME version inconsistent with status */
	HL_FERR_TRUNCATED,	/* the stream ended inside a frame */
};

struct hl_frame_error {
	enum hl_ferr code;
	char msg[128];
};

/* Where the receiver is; it decides which frame types are expected. */
enum hl_rx_state {
	HL_RX_HOST_NEW,		/* host: first frame, HELLO or ATTACH */
	HL_RX_HOST_CONTROL,	/* host: after WELCOME 0: REQUEST, CANCEL */
	HL_RX_GUEST_WELCOME,	/* guest: after HELLO: WELCOME */
	HL_RX_GUEST_CONTROL,	/* guest: REPLY, EVENT */
	HL_RX_GUEST_ATTACHED,	/* guest: after ATTACH: ATTACHED */
};

/**
 * struct hl_rx_ctx - what the receiver has agreed so far
 * @state: where the receiver is.
 * @version: the agreed version (CONTROL states).
 * @min_version: HOST_NEW: lowest version accepted in ATTACH's header.
 * @max_version: HOST_NEW: highest version accepted in ATTACH's header.
 * @max_frame: the agreed largest payload (CONTROL states).
 * @features: HOSTLINK_FEAT_* in force (CONTROL states).
 */
struct hl_rx_ctx {
	enum hl_rx_state state;
	uint8_t version;
	uint8_t min_version;
	uint8_t max_version;
	uint32_t max_frame;
	uint64_t features;
};

const char *hl_type_name(unsigned int type);
const char *hl_ferr_name(enum hl_ferr code);

void hl_hdr_decode(const void *buf, struct hl_hdr *h);
void hl_hdr_encode(void *buf, const struct hl_hdr *h);
void hl_hdr_init(struct hl_hdr *h, uint8_t type, uint8_t version);

void hl_hello_encode(void *buf, const struct hl_hello *hello);
void hl_offer_encode(void *buf, const char *service);
void hl_welcome_encode(void *buf, const struct hl_welcome *w);
void hl_cred_encode(void *buf, const struct hl_cred *c);
void hl_attach_encode(void *buf, const struct hl_attach *a);
void hl_hello_decode(const void *buf, struct hl_hello *hello);
void hl_welcome_decode(const void *buf, struct hl_welcome *w);
void hl_cred_decode(const void *buf, struct hl_cred *c);
void hl_attach_decode(const void *buf, struct hl_attach *a);

int hl_name_check(const char *name, size_t size);

int hl_hdr_check(const struct hl_hdr *h, const struct hl_rx_ctx *ctx,
		 struct hl_frame_error *err);
int hl_payload_check(struct hl_frame *f, const struct hl_rx_ctx *ctx,
		     struct hl_frame_error *err);
int hl_frame_parse(const void *buf, size_t avail, const struct hl_rx_ctx *ctx,
		   struct hl_frame *f, size_t *used, struct hl_frame_error *err);

#endif /* HL_FRAME_H */
