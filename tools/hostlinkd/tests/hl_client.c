// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest side for the daemon's tests (see hl_client.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hl_client.h"

int hlc_connect(const char *path, int *fd)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s, ret;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		ret = -errno;
		close(s);
		return ret;
	}
	*fd = s;
	return 0;
}

static long hlc_ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

static void hlc_deadline(struct timespec *end, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += timeout_ms / 1000;
	end->tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end->tv_nsec >= 1000000000L) {
		end->tv_sec++;
		end->tv_nsec -= 1000000000L;
	}
}

/* 0, -ETIMEDOUT, -ECONNRESET at EOF, or -errno. */
int hlc_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	struct timespec end;
	size_t done = 0;

	hlc_deadline(&end, timeout_ms);
	while (done < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = hlc_ms_left(&end);
		ssize_t n;

		if (left < 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left) == 0)
			return -ETIMEDOUT;
		n = recv(fd, (uint8_t *)buf + done, len - done, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
	}
	return 0;
}

int hlc_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const uint8_t *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
	}
	return 0;
}

int hlc_send(int fd, const struct hl_hdr *h, const void *payload)
{
	uint8_t hdr[HL_HDR_LEN];
	int ret;

	hl_hdr_encode(hdr, h);
	ret = hlc_write_full(fd, hdr, sizeof(hdr));
	if (!ret && h->len && payload)
		ret = hlc_write_full(fd, payload, h->len);
	return ret;
}

/* Reads and drops until EOF: 0, or -ETIMEDOUT. */
int hlc_wait_eof(int fd, int timeout_ms)
{
	struct timespec end;
	uint8_t buf[4096];

	hlc_deadline(&end, timeout_ms);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = hlc_ms_left(&end);
		ssize_t n;

		if (left < 0 || poll(&p, 1, left) == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 0;
	}
}

/* Reads one frame and checks it as the guest would. */
int hlc_recv(struct hlc *c, struct hlc_frame *f, int timeout_ms)
{
	uint8_t hdr[HL_HDR_LEN];
	struct hl_frame fr;
	int ret;

	f->payload = NULL;
	ret = hlc_read_full(c->fd, hdr, sizeof(hdr), timeout_ms);
	if (ret)
		return ret;
	hl_hdr_decode(hdr, &f->h);
	if (hl_hdr_check(&f->h, &c->rx, NULL))
		return -EPROTO;
	if (f->h.len) {
		f->payload = malloc(f->h.len);
		if (!f->payload)
			return -ENOMEM;
		ret = hlc_read_full(c->fd, f->payload, f->h.len, timeout_ms);
		if (ret)
			goto err_free;
	}
	fr.hdr = f->h;
	fr.payload = f->payload;
	ret = hl_payload_check(&fr, &c->rx, NULL);
	if (ret)
		goto err_free;
	return 0;

err_free:
	free(f->payload);
	f->payload = NULL;
	return ret;
}

void hlc_frame_free(struct hlc_frame *f)
{
	free(f->payload);
	f->payload = NULL;
}

/*
 * Connects and says HELLO.  Returns 0 once a WELCOME came (its status in
 * @c->status), or -errno.
 */
int hlc_hello(struct hlc *c, const char *path, uint16_t min, uint16_t max,
	      uint32_t max_frame, uint64_t features, const char *service)
{
	int fd, ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	ret = hlc_connect(path, &fd);
	if (ret)
		return ret;
	return hlc_hello_fd(c, fd, min, max, max_frame, features, service);
}

/* HELLO on @fd, connected already (which @c owns from now on). */
int hlc_hello_fd(struct hlc *c, int fd, uint16_t min, uint16_t max,
		 uint32_t max_frame, uint64_t features, const char *service)
{
	struct hl_hello hello = {
		.min_version = min, .max_version = max,
		.max_frame = max_frame, .features = features,
	};
	struct hlc_frame f;
	struct hl_hdr h;
	uint8_t buf[HL_HELLO_LEN];
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	strncpy(hello.service, service, HOSTLINK_NAME_LEN);
	hl_hello_encode(buf, &hello);
	hl_hdr_init(&h, HOSTLINK_HELLO, max > 255 ? 255 : max);
	h.len = sizeof(buf);
	ret = hlc_send(c->fd, &h, buf);
	if (ret)
		return ret;
	c->rx.state = HL_RX_GUEST_WELCOME;
	ret = hlc_recv(c, &f, 5000);
	if (ret)
		return ret;
	hl_welcome_decode(f.payload, &c->welcome);
	c->status = f.h.status;
	hlc_frame_free(&f);
	if (!c->status) {
		c->rx.state = HL_RX_GUEST_CONTROL;
		c->rx.version = c->welcome.version;
		c->rx.max_frame = max_frame;
		c->rx.features = c->welcome.features;
		if (c->welcome.version < min || c->welcome.version > max ||
		    (c->welcome.features & ~features))
			return -EPROTO;
	}
	return 0;
}

/* HELLO for "test" with everything: 0 only if welcomed. */
int hlc_open(struct hlc *c, const char *path)
{
	int ret = hlc_hello(c, path, HOSTLINK_PROTO_MIN, HOSTLINK_PROTO_MAX,
			    HOSTLINK_FRAME_DEFAULT, HOSTLINK_FEAT_ALL, "test");

	if (!ret && c->status)
		ret = -(int)c->status;
	return ret;
}

void hlc_close(struct hlc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int hlc_request(struct hlc *c, uint64_t id, uint32_t op, uint16_t flags,
		const struct hl_cred *cred, const void *data, uint32_t len)
{
	static const struct hl_cred none;
	uint8_t head[HL_HDR_LEN + HL_CRED_LEN];
	struct hl_hdr h;
	int ret;

	hl_hdr_init(&h, HOSTLINK_REQUEST, c->rx.version);
	h.flags = flags;
	h.op = op;
	h.id = id;
	h.len = HL_CRED_LEN + len;
	hl_hdr_encode(head, &h);
	hl_cred_encode(head + HL_HDR_LEN, cred ? cred : &none);
	ret = hlc_write_full(c->fd, head, sizeof(head));
	if (!ret && len)
		ret = hlc_write_full(c->fd, data, len);
	return ret;
}

int hlc_cancel(struct hlc *c, uint64_t id)
{
	struct hl_hdr h;

	hl_hdr_init(&h, HOSTLINK_CANCEL, c->rx.version);
	h.id = id;
	return hlc_send(c->fd, &h, NULL);
}

/* A request and its reply; any other frame first is -EPROTO. */
int hlc_call(struct hlc *c, uint64_t id, uint32_t op, const void *data,
	     uint32_t len, struct hlc_frame *reply, int timeout_ms)
{
	int ret = hlc_request(c, id, op, 0, NULL, data, len);

	if (ret)
		return ret;
	ret = hlc_recv(c, reply, timeout_ms);
	if (ret)
		return ret;
	if (reply->h.type != HOSTLINK_REPLY || reply->h.id != id || reply->h.op != op) {
		hlc_frame_free(reply);
		return -EPROTO;
	}
	return 0;
}

/* An extra connection: ATTACH and its ATTACHED.  The fd stays open. */
int hlc_attach(const char *path, const uint8_t *token, const char *service,
	       uint8_t version, int *fd, uint32_t *status)
{
	struct hl_attach a = { 0 };
	struct hlc c = { .rx = { .state = HL_RX_GUEST_ATTACHED, .version = version } };
	struct hlc_frame f;
	uint8_t buf[HL_ATTACH_LEN];
	struct hl_hdr h;
	int ret;

	ret = hlc_connect(path, &c.fd);
	if (ret)
		return ret;
	memcpy(a.token, token, HOSTLINK_TOKEN_LEN);
	strncpy(a.service, service, HOSTLINK_NAME_LEN);
	hl_attach_encode(buf, &a);
	hl_hdr_init(&h, HOSTLINK_ATTACH, version);
	h.len = sizeof(buf);
	ret = hlc_send(c.fd, &h, buf);
	if (!ret)
		ret = hlc_recv(&c, &f, 5000);
	if (ret) {
		close(c.fd);
		return ret;
	}
	*status = f.h.status;
	*fd = c.fd;
	return 0;
}
