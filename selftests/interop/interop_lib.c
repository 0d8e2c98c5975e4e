// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the /dev/interop selftests; see interop_lib.h.
 */
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "interop_lib.h"

long long ifile_number(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : atoll(buf);
	fclose(f);
	return v;
}

int ifile_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

long long iexec(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), EXEC_SYSFS "%s", name);
	return ifile_number(path);
}

int iexec_wait(const char *name, long long n, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	while (iexec(name) < n) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(5000);
	}
	return 0;
}

static int interop_unload(unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	for (;;) {
		if (!syscall(SYS_delete_module, "interop", O_NONBLOCK))
			return 0;
		if ((errno != EWOULDBLOCK && errno != EBUSY) ||
		    hl_now_ms() >= end)
			return -errno;
		usleep(20000);
	}
}

int interop_load(unsigned int port)
{
	uint64_t end;
	char cmd[128];

	if (ifile_number("/sys/module/hostlink/parameters/host_cid") != 1 &&
	    system("modprobe vsock_loopback && "
		   "modprobe -r -q dxg interop hostlink_test hostlink 2>/dev/null; "
		   "modprobe hostlink host_cid=1 listen_port=511"))
		return -1;
	if (ifile_number(IPARAM "port") != (long long)port) {
		if (ifile_number(IPARAM "port") >= 0 && interop_unload(5000))
			return -1;
		snprintf(cmd, sizeof(cmd), "modprobe interop port=%u", port);
		if (system(cmd))
			return -1;
	}
	/* the defaults, whatever an earlier test left */
	ifile_write(IPARAM "enabled", "1");
	ifile_write(IPARAM "allow_namespaced", "0");
	ifile_write(IPARAM "max_sessions", "128");
	ifile_write(IPARAM "max_arg_bytes", "262144");
	ifile_write(IPARAM "timeout_ms", "10000");
	for (end = hl_now_ms() + 5000; access(INTEROP_PATH, F_OK);
	     usleep(10000))
		if (hl_now_ms() >= end)
			return -1;
	return 0;
}

void ispawn_init(struct ispawn *sp, uint32_t flags, const char *const *argv,
		 const char *const *env)
{
	size_t off = 0;
	uint32_t n;

	memset(sp, 0, sizeof(*sp));
	sp->s.size = sizeof(sp->s);
	sp->s.flags = flags;
	if (flags & INTEROP_SPAWN_PTY) {
		sp->s.rows = 24;
		sp->s.cols = 80;
	}
	for (n = 0; argv[n]; n++) {
		strcpy(sp->strings + off, argv[n]);
		off += strlen(argv[n]) + 1;
	}
	sp->s.argc = n;
	for (n = 0; env && env[n]; n++) {
		strcpy(sp->strings + off, env[n]);
		off += strlen(env[n]) + 1;
	}
	sp->s.envc = n;
	strcpy(sp->strings + off, "/");
	off += 2;
	sp->s.strings_len = off;
	sp->s.strings_uptr = (uintptr_t)sp->strings;
	sp->s.out_session_fd = -1;
	sp->s.out_stdin_fd = -1;
	sp->s.out_stdout_fd = -1;
	sp->s.out_stderr_fd = -1;
}

int ispawn_run(int fd, struct ispawn *sp)
{
	return iioc(fd, INTEROP_SPAWN, &sp->s);
}

void ispawn_close(struct ispawn *sp)
{
	int *fds[] = { &sp->s.out_stdin_fd, &sp->s.out_stdout_fd,
		       &sp->s.out_stderr_fd, &sp->s.out_session_fd };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int isession_wait(int sfd, struct interop_exit *ex, unsigned int ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = read(sfd, ex, sizeof(*ex));
	if (n < 0)
		return -errno;
	return n == sizeof(*ex) ? 0 : -EIO;
}

ssize_t iread_all(int fd, void *buf, size_t max, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	size_t got = 0;
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = hl_now_ms();

		if (now >= end || poll(&p, 1, end - now) != 1)
			return -ETIMEDOUT;
		n = read(fd, (char *)buf + got, max - got);
		if (n < 0)
			return -errno;
		if (n == 0 || got + n == max)
			return got + n;
		got += n;
	}
}

/* The fake host. */

static int ifake_send(struct ifake *f, uint8_t type, uint32_t op, uint64_t id,
		      uint32_t status, const void *data, size_t len)
{
	int ret;

	pthread_mutex_lock(&f->lock);
	ret = f->hl.fd < 0 ? -ENOTCONN :
	      hl_fake_send(&f->hl, HOSTLINK_PROTO_MAX, type, op, id, status,
			   data, len);
	pthread_mutex_unlock(&f->lock);
	return ret;
}

static int ifake_reply(struct ifake *f, const struct hostlink_hdr *h,
		       uint32_t status, const void *data, size_t len)
{
	return ifake_send(f, HOSTLINK_REPLY, h->op, h->id, status, data, len);
}

static int ifake_exit_event(struct ifake *f, uint64_t id, uint32_t how,
			    uint32_t value)
{
	struct interop_wire_ev_exit ev = {
		.session = htole64(id),
		.how = htole32(how),
		.value = htole32(value),
	};

	return ifake_send(f, HOSTLINK_EVENT, INTEROP_WIRE_EV_EXIT, 0, 0, &ev,
			  sizeof(ev));
}

static struct ifake_session *ifake_find(struct ifake *f, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < IFAKE_SESSIONS; i++)
		if (f->sess[i].used && f->sess[i].id == id)
			return &f->sess[i];
	return NULL;
}

static void ifake_close_streams(struct ifake_session *s)
{
	unsigned int i;

	for (i = 0; i < INTEROP_WIRE_STREAMS; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}

/* The program ended: its output shut down, then EXIT. */
static void ifake_end(struct ifake *f, struct ifake_session *s, uint32_t how,
		      uint32_t value)
{
	if (s->exited || s->closed)
		return;
	s->exited = true;
	if (s->fd[1] >= 0)
		shutdown(s->fd[1], SHUT_WR);
	if (s->fd[2] >= 0)
		shutdown(s->fd[2], SHUT_WR);
	ifake_exit_event(f, s->id, how, value);
}

static void ifake_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (fd >= 0 && len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

/* START's work: what the pretend program does at once. */
static void ifake_run(struct ifake *f, struct ifake_session *s)
{
	if (!strcmp(s->prog, "exit")) {
		ifake_end(f, s, INTEROP_WIRE_EXITED, strtoul(s->arg1, NULL, 0));
	} else if (!strcmp(s->prog, "kill")) {
		ifake_end(f, s, INTEROP_WIRE_SIGNALED, strtoul(s->arg1, NULL, 0));
	} else if (!strcmp(s->prog, "hello")) {
		ifake_write_all(s->fd[1], s->arg1, strlen(s->arg1));
		ifake_write_all(s->fd[2] >= 0 ? s->fd[2] : s->fd[1], s->arg2,
				strlen(s->arg2));
		ifake_end(f, s, INTEROP_WIRE_EXITED, 0);
	}
}

static void ifake_open(struct ifake *f, const struct hostlink_hdr *h,
		       const uint8_t *body, size_t len, int hostile)
{
	const struct interop_wire_open *o = (const void *)body;
	struct interop_wire_open_reply r = {};
	struct ifake_session *s = NULL;
	const char *str;
	uint32_t flags, streams = INTEROP_WIRE_STREAM_STDOUT;
	unsigned int i;

	__atomic_add_fetch(&f->opens, 1, __ATOMIC_SEQ_CST);
	if (len < sizeof(*o) || len - sizeof(*o) != le32toh(o->strings_len)) {
		ifake_reply(f, h, EINVAL, NULL, 0);
		return;
	}
	f->last_open_flags = le32toh(o->flags);
	f->last_strings_len = le32toh(o->strings_len);
	if (hostile == IF_SILENT_OPEN)
		return;
	if (hostile == IF_OPEN_ERRNO) {
		ifake_reply(f, h, f->open_errno, NULL, 0);
		return;
	}
	for (i = 0; i < IFAKE_SESSIONS && !s; i++)
		if (!f->sess[i].used)
			s = &f->sess[i];
	if (!s) {
		ifake_reply(f, h, EUSERS, NULL, 0);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->id = le64toh(o->session);
	s->flags = flags = le32toh(o->flags);
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
		s->fd[i] = -1;
	str = (const char *)(o + 1);
	snprintf(s->prog, sizeof(s->prog), "%s", str);
	if (le32toh(o->argc) > 1) {
		str += strlen(str) + 1;
		snprintf(s->arg1, sizeof(s->arg1), "%s", str);
	}
	if (le32toh(o->argc) > 2) {
		str += strlen(str) + 1;
		snprintf(s->arg2, sizeof(s->arg2), "%s", str);
	}
	if (!(flags & INTEROP_WIRE_OPEN_F_STDIN_NULL))
		streams |= INTEROP_WIRE_STREAM_STDIN;
	if (flags & INTEROP_WIRE_OPEN_F_STDERR_STREAM)
		streams |= INTEROP_WIRE_STREAM_STDERR;
	if (hostile == IF_TOKENS)
		streams |= INTEROP_WIRE_STREAM_STDERR | INTEROP_WIRE_STREAM_STDIN;
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++) {
		if (!(streams & (1U << i)))
			continue;
		memset(s->token[i], 0x5a, HOSTLINK_TOKEN_LEN);
		memcpy(s->token[i], &s->id, sizeof(s->id));
		s->token[i][8] = i;
		if (!(hostile == IF_MISSING_TOKEN && i == 1))
			memcpy(r.token[i], s->token[i], HOSTLINK_TOKEN_LEN);
	}
	if (hostile == IF_TOKENS && streams == 7 &&
	    (flags & (INTEROP_WIRE_OPEN_F_STDIN_NULL |
		      INTEROP_WIRE_OPEN_F_STDERR_STREAM)) == 0)
		memset(r.token[2], 0x33, HOSTLINK_TOKEN_LEN);
	r.streams = htole32(streams);
	if (hostile == IF_OPEN_REPLY_LONG) {
		uint8_t big[sizeof(r) + 8] = {};

		memcpy(big, &r, sizeof(r));
		ifake_reply(f, h, 0, big, sizeof(big));
		return;
	}
	ifake_reply(f, h, 0, &r, sizeof(r));
	if (hostile == IF_EARLY_EXIT)
		ifake_exit_event(f, s->id, INTEROP_WIRE_EXITED, 0);
}

static void ifake_request(struct ifake *f, const struct hostlink_hdr *h,
			  uint8_t *buf, size_t len)
{
	const struct hostlink_cred *cred = (const void *)buf;
	const uint8_t *body = buf + sizeof(*cred);
	struct ifake_session *s = NULL;
	int hostile;

	if (len < sizeof(*cred)) {
		ifake_reply(f, h, EINVAL, NULL, 0);
		return;
	}
	f->last_uid = le32toh(cred->uid);
	len -= sizeof(*cred);
	if (h->op >= INTEROP_WIRE_OP_START && h->op <= INTEROP_WIRE_OP_CLOSE &&
	    len >= 8) {
		uint64_t id;

		memcpy(&id, body, sizeof(id));
		s = ifake_find(f, le64toh(id));
		if (!s) {
			ifake_reply(f, h, ESRCH, NULL, 0);
			return;
		}
	}
	switch (h->op) {
	case INTEROP_WIRE_OP_INFO: {
		struct interop_wire_info_reply r = {
			.version = htole16(1),
			.min_version = htole16(1),
			.max_version = htole16(1),
			.max_sessions = htole32(INTEROP_WIRE_MAX_SESSIONS),
			.max_arg_bytes = htole32(f->max_arg_bytes ?:
						 INTEROP_WIRE_MAX_ARG_BYTES),
			.max_argc = htole32(INTEROP_WIRE_MAX_ARGC),
			.max_envc = htole32(INTEROP_WIRE_MAX_ENVC),
		};

		ifake_reply(f, h, 0, &r, sizeof(r));
		__atomic_add_fetch(&f->infos, 1, __ATOMIC_SEQ_CST);
		break;
	}
	case INTEROP_WIRE_OP_OPEN:
		hostile = __atomic_exchange_n(&f->hostile, IF_NONE,
					      __ATOMIC_SEQ_CST);
		/* those that act later stay for START */
		if (hostile >= IF_EXIT_BEFORE_REPLY &&
		    hostile <= IF_BAD_HOW)
			__atomic_store_n(&f->hostile, hostile, __ATOMIC_SEQ_CST);
		if (hostile == IF_REFUSE_ATTACH || hostile == IF_START_ERRNO)
			__atomic_store_n(&f->hostile, hostile, __ATOMIC_SEQ_CST);
		ifake_open(f, h, body, len, hostile);
		break;
	case INTEROP_WIRE_OP_START:
		__atomic_add_fetch(&f->starts, 1, __ATOMIC_SEQ_CST);
		hostile = __atomic_exchange_n(&f->hostile, IF_NONE,
					      __ATOMIC_SEQ_CST);
		if (hostile == IF_START_ERRNO) {
			ifake_reply(f, h, ENOENT, NULL, 0);
			break;
		}
		s->started = true;
		if (hostile == IF_EXIT_BEFORE_REPLY) {
			ifake_end(f, s, INTEROP_WIRE_EXITED, 3);
			ifake_reply(f, h, 0, NULL, 0);
			break;
		}
		ifake_reply(f, h, 0, NULL, 0);
		if (hostile == IF_SECOND_EXIT) {
			ifake_end(f, s, INTEROP_WIRE_EXITED, 0);
			ifake_exit_event(f, s->id, INTEROP_WIRE_EXITED, 1);
		} else if (hostile == IF_UNKNOWN_EXIT) {
			ifake_exit_event(f, s->id + 1000000, INTEROP_WIRE_EXITED, 0);
			ifake_end(f, s, INTEROP_WIRE_EXITED, 4);
		} else if (hostile == IF_BAD_SIGNAL) {
			ifake_end(f, s, INTEROP_WIRE_SIGNALED, 65);
		} else if (hostile == IF_BAD_HOW) {
			ifake_end(f, s, 7, 0);
		} else {
			ifake_run(f, s);
		}
		break;
	case INTEROP_WIRE_OP_SIGNAL: {
		const struct interop_wire_signal *sg = (const void *)body;

		__atomic_add_fetch(&f->signals, 1, __ATOMIC_SEQ_CST);
		f->last_signal = le32toh(sg->signo);
		ifake_reply(f, h, 0, NULL, 0);
		if (!strcmp(s->prog, "wait") && f->last_signal != 10)
			ifake_end(f, s, INTEROP_WIRE_SIGNALED, f->last_signal);
		break;
	}
	case INTEROP_WIRE_OP_RESIZE: {
		const struct interop_wire_resize *rs = (const void *)body;

		f->last_rows = le16toh(rs->rows);
		f->last_cols = le16toh(rs->cols);
		__atomic_add_fetch(&f->resizes, 1, __ATOMIC_SEQ_CST);
		ifake_reply(f, h, 0, NULL, 0);
		break;
	}
	case INTEROP_WIRE_OP_CLOSE:
		s->closed = true;
		ifake_close_streams(s);
		s->used = false;
		ifake_reply(f, h, 0, NULL, 0);
		__atomic_add_fetch(&f->closes, 1, __ATOMIC_SEQ_CST);
		break;
	case INTEROP_WIRE_OP_MAPPATH: {
		char out[512];
		int n;

		__atomic_add_fetch(&f->mappaths, 1, __ATOMIC_SEQ_CST);
		if (len < 8 + 2) {
			ifake_reply(f, h, EINVAL, NULL, 0);
			break;
		}
		snprintf(f->last_path, sizeof(f->last_path), "%s",
			 (const char *)body + 8);
		n = snprintf(out, sizeof(out), "/host%s", f->last_path);
		ifake_reply(f, h, 0, out, n + 1);
		break;
	}
	default:
		ifake_reply(f, h, EOPNOTSUPP, NULL, 0);
	}
}

/* A new connection's first frame: HELLO (control) or ATTACH (stream). */
static void ifake_first_frame(struct ifake *f, int fd)
{
	struct hl_fake tmp = { .lfd = -1, .fd = fd };
	union {
		struct hostlink_hello hello;
		struct hostlink_attach attach;
	} u;
	struct hostlink_hdr h;
	unsigned int i, k;

	if (hl_fake_read(&tmp, &h, &u, sizeof(u), 2000)) {
		close(fd);
		return;
	}
	if (h.type == HOSTLINK_HELLO) {
		struct hostlink_welcome w = {
			.version = HOSTLINK_PROTO_MAX,
			.min_version = HOSTLINK_PROTO_MIN,
			.max_version = HOSTLINK_PROTO_MAX,
			.max_frame = HOSTLINK_FRAME_DEFAULT,
			.features = HOSTLINK_FEAT_ALL,
		};

		pthread_mutex_lock(&f->lock);
		hl_fake_drop(&f->hl);
		f->hl.fd = fd;
		hl_fake_send(&f->hl, HOSTLINK_PROTO_MAX, HOSTLINK_WELCOME, 0, 0,
			     0, &w, sizeof(w));
		pthread_mutex_unlock(&f->lock);
		__atomic_add_fetch(&f->accepts, 1, __ATOMIC_SEQ_CST);
		return;
	}
	if (h.type != HOSTLINK_ATTACH) {
		close(fd);
		return;
	}
	__atomic_add_fetch(&f->attaches, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < IFAKE_SESSIONS; i++) {
		struct ifake_session *s = &f->sess[i];

		if (!s->used)
			continue;
		for (k = 0; k < INTEROP_WIRE_STREAMS; k++) {
			if (s->fd[k] >= 0 ||
			    memcmp(s->token[k], u.attach.token, HOSTLINK_TOKEN_LEN))
				continue;
			if (__atomic_load_n(&f->hostile, __ATOMIC_SEQ_CST) ==
			    IF_REFUSE_ATTACH) {
				__atomic_store_n(&f->hostile, IF_NONE,
						 __ATOMIC_SEQ_CST);
				break;
			}
			hl_fake_send(&tmp, HOSTLINK_PROTO_MAX,
				     HOSTLINK_ATTACHED, 0, 0, 0, NULL, 0);
			s->fd[k] = fd;
			return;
		}
	}
	hl_fake_send(&tmp, HOSTLINK_PROTO_MAX, HOSTLINK_ATTACHED, 0, 0, EACCES,
		     NULL, 0);
	close(fd);
}

/* Bytes on a session's stdin: "cat" echoes them, its end ends it. */
static void ifake_stdin(struct ifake *f, struct ifake_session *s)
{
	char buf[65536];
	ssize_t n;

	n = read(s->fd[0], buf, sizeof(buf));
	if (n > 0) {
		if (!strcmp(s->prog, "cat"))
			ifake_write_all(s->fd[1], buf, n);
		return;
	}
	if (n < 0 && errno == EINTR)
		return;
	/* its end: the fd stays for ifake_close_streams(), unpolled */
	shutdown(s->fd[0], SHUT_RD);
	close(s->fd[0]);
	s->fd[0] = -1;
	if (!strcmp(s->prog, "cat") && s->started)
		ifake_end(f, s, INTEROP_WIRE_EXITED, 0);
}

static void *ifake_thread(void *arg)
{
	struct ifake *f = arg;
	uint8_t *buf = malloc(HOSTLINK_FRAME_DEFAULT);
	struct pollfd p[2 + IFAKE_SESSIONS];
	struct ifake_session *who[2 + IFAKE_SESSIONS];
	struct hostlink_hdr h;
	unsigned int n, i;
	int fd;

	while (buf && !f->stop) {
		if (__atomic_exchange_n(&f->drop, 0, __ATOMIC_SEQ_CST)) {
			pthread_mutex_lock(&f->lock);
			hl_fake_drop(&f->hl);
			pthread_mutex_unlock(&f->lock);
		}
		n = 0;
		p[n++] = (struct pollfd){ .fd = f->hl.lfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = f->hl.fd, .events = POLLIN };
		for (i = 0; i < IFAKE_SESSIONS; i++) {
			if (f->sess[i].used && f->sess[i].fd[0] >= 0) {
				who[n] = &f->sess[i];
				p[n++] = (struct pollfd){ .fd = f->sess[i].fd[0],
							  .events = POLLIN };
			}
		}
		if (poll(p, n, 50) <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			fd = accept4(f->hl.lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				ifake_first_frame(f, fd);
			continue;
		}
		if (p[1].revents) {
			if (hl_fake_read(&f->hl, &h, buf, HOSTLINK_FRAME_DEFAULT,
					 5000)) {
				pthread_mutex_lock(&f->lock);
				hl_fake_drop(&f->hl);
				pthread_mutex_unlock(&f->lock);
				continue;
			}
			if (h.type == HOSTLINK_REQUEST)
				ifake_request(f, &h, buf, h.len);
			continue;
		}
		for (i = 2; i < n; i++)
			if (p[i].revents)
				ifake_stdin(f, who[i]);
	}
	free(buf);
	return NULL;
}

int ifake_start(struct ifake *f, int port)
{
	memset(f, 0, sizeof(*f));
	f->port = port;
	pthread_mutex_init(&f->lock, NULL);
	if (hl_fake_listen(&f->hl, port))
		return -1;
	if (pthread_create(&f->thread, NULL, ifake_thread, f)) {
		hl_fake_close(&f->hl);
		return -1;
	}
	return 0;
}

void ifake_stop(struct ifake *f)
{
	unsigned int i;

	f->stop = 1;
	pthread_join(f->thread, NULL);
	for (i = 0; i < IFAKE_SESSIONS; i++)
		ifake_close_streams(&f->sess[i]);
	hl_fake_close(&f->hl);
}

int ifake_wait(volatile int *counter, int n, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < n) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(5000);
	}
	return 0;
}

int ifake_wait_ready(int fd, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	struct interop_caps_get c;

	for (;;) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		if (iioc(fd, INTEROP_CAPS_GET, &c))
			return -1;
		if (c.out_host_flags & INTEROP_HOST_UP)
			return 0;
		if (hl_now_ms() >= end)
			return -1;
		usleep(10000);
	}
}

int ifake_connect(struct ifake *f, int port, unsigned int ms)
{
	int fd;

	if (ifake_start(f, port))
		return -1;
	fd = open(INTEROP_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ifake_wait(&f->infos, 1, ms) || ifake_wait_ready(fd, ms)) {
		ifake_disconnect(f, fd);
		return -1;
	}
	return fd;
}

void ifake_disconnect(struct ifake *f, int fd)
{
	if (fd >= 0)
		close(fd);
	ifake_stop(f);
}
