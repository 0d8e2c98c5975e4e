/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest side for the daemon's tests: connects to a hybrid vsock unix
 * socket, speaks the protocol with the frame codec, and validates every
 * frame the daemon sends as the guest kernel would.
 */
#ifndef HL_CLIENT_H
#define HL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hl_frame.h"

struct hlc {
	int fd;
	struct hl_rx_ctx rx;		/* guest side: what it expects */
	struct hl_welcome welcome;	/* the last WELCOME */
	uint32_t status;		/* its status */
};

/* A received frame; @payload is malloc'ed (or NULL) and owned by it. */
struct hlc_frame {
	struct hl_hdr h;
	uint8_t *payload;
};

int hlc_connect(const char *path, int *fd);
int hlc_read_full(int fd, void *buf, size_t len, int timeout_ms);
int hlc_write_full(int fd, const void *buf, size_t len);
int hlc_send(int fd, const struct hl_hdr *h, const void *payload);
int hlc_wait_eof(int fd, int timeout_ms);

int hlc_hello(struct hlc *c, const char *path, uint16_t min, uint16_t max,
	      uint32_t max_frame, uint64_t features, const char *service);
int hlc_hello_fd(struct hlc *c, int fd, uint16_t min, uint16_t max,
		 uint32_t max_frame, uint64_t features, const char *service);
int hlc_open(struct hlc *c, const char *path);
void hlc_close(struct hlc *c);
int hlc_recv(struct hlc *c, struct hlc_frame *f, int timeout_ms);
void hlc_frame_free(struct hlc_frame *f);
int hlc_request(struct hlc *c, uint64_t id, uint32_t op, uint16_t flags,
		const struct hl_cred *cred, const void *data, uint32_t len);
int hlc_cancel(struct hlc *c, uint64_t id);
int hlc_call(struct hlc *c, uint64_t id, uint32_t op, const void *data,
	     uint32_t len, struct hlc_frame *reply, int timeout_ms);
int hlc_attach(const char *path, const uint8_t *token, const char *service,
	       uint8_t version, int *fd, uint32_t *status);

#endif /* HL_CLIENT_H */
