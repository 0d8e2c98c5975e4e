// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the event loop (see hl_loop.h).  Sockets are non-blocking
 * and level-triggered.  A connection reads at most HL_READ_BUDGET bytes
 * per wake-up, so one busy guest cannot hold the loop; it polls for
 * input only while hl_conn_wants_read() and for output only while it has
 * bytes queued.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "hl_loop.h"

#define HL_READ_BUDGET		(256 * 1024)
#define HL_ACCEPT_BUDGET	64
#define HL_RETRY_MS		200
#define HL_MAX_EVENTS		64

static bool hl_loop_is_listener(const struct hl_loop *l, const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)l->listeners;

	return l->listeners && a >= lo &&
	       a < lo + l->nlisteners * sizeof(*l->listeners);
}

static int hl_loop_ctl(struct hl_loop *l, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return epoll_ctl(l->epfd, op, fd, &ev) ? -errno : 0;
}

static void hl_loop_listeners_on(struct hl_loop *l, bool on)
{
	unsigned int i;

	if (l->listeners_off == !on)
		return;
	l->listeners_off = !on;
	for (i = 0; i < l->nlisteners; i++)
		hl_loop_ctl(l, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
			    l->listeners[i].fd, EPOLLIN, &l->listeners[i]);
}

static void hl_loop_retry(struct hl_timer *t)
{
	hl_loop_listeners_on(hl_container_of(t, struct hl_loop, retry), true);
}

/* Sends what the connection has queued, until the socket is full. */
static void hl_loop_flush(struct hl_conn *c)
{
	struct iovec iov[64];
	struct msghdr msg = { .msg_iov = iov };
	ssize_t n;

	while (c->txq.bytes && c->state != HL_CONN_DEAD) {
		msg.msg_iovlen = hl_txq_iov(&c->txq, iov, 64);
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			hl_conn_tx_done(c, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		hl_conn_log(c, HL_LOG_INFO, "send failed: %s",
			    n < 0 ? strerror(errno) : "no progress");
		hl_conn_close(c, false, NULL);
	}
}

/* hl_daemon.sync: send, re-arm polling, or close and free. */
static void hl_loop_sync(struct hl_daemon *d, struct hl_conn *c)
{
	struct hl_loop *l = d->io;
	uint32_t want;

	if (c->txq.bytes)
		hl_loop_flush(c);
	if (c->state == HL_CONN_DEAD) {
		hl_loop_ctl(l, EPOLL_CTL_DEL, c->fd, 0, NULL);
		close(c->fd);
		hl_conn_destroy(c);
		return;
	}
	want = (hl_conn_wants_read(c) ? EPOLLIN : 0) | (c->txq.bytes ? EPOLLOUT : 0);
	if (want != c->events && !hl_loop_ctl(l, EPOLL_CTL_MOD, c->fd, want, c))
		c->events = want;
}

static void hl_loop_read(struct hl_conn *c)
{
	size_t budget = HL_READ_BUDGET;

	while (budget) {
		uint8_t *buf;
		size_t len;
		ssize_t n;

		hl_conn_rx_space(c, &buf, &len);
		if (!len)
			return;
		if (len > budget)
			len = budget;
		n = read(c->fd, buf, len);
		if (n > 0) {
			budget -= n;
			hl_conn_rx_done(c, n);
			/* Short: drained for now; epoll is level-triggered. */
			if ((size_t)n < len)
				return;
		} else if (n == 0) {
			hl_conn_rx_eof(c);
			return;
		} else if (errno != EINTR) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				hl_conn_log(c, HL_LOG_INFO, "receive failed: %s",
					    strerror(errno));
				hl_conn_close(c, false, NULL);
			}
			return;
		}
	}
}

static void hl_loop_conn_event(struct hl_loop *l, struct hl_conn *c, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		hl_loop_read(c);
	/* Gone both ways: nobody to answer. */
	if ((ev & (EPOLLHUP | EPOLLERR)) && c->state != HL_CONN_DEAD)
		hl_conn_close(c, false, c->state == HL_CONN_NEW ? NULL : "peer hung up");
	hl_conn_mark_dirty(c);
	(void)l;
}

static void hl_loop_accept(struct hl_loop *l, struct hl_listener *ls)
{
	unsigned int i;

	for (i = 0; i < HL_ACCEPT_BUDGET; i++) {
		union {
			struct sockaddr_vm vm;
			struct sockaddr_un un;
		} addr;
		socklen_t alen = sizeof(addr);
		struct hl_peer peer = { .lport = ls->port, .hybrid = !!ls->path };
		struct hl_conn *c;
		int fd, ret;

		fd = accept4(ls->fd, (struct sockaddr *)&addr, &alen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			hl_warn("accept on port %u: %s; pausing new connections",
				ls->port, strerror(errno));
			hl_loop_listeners_on(l, false);
			hl_timer_arm(&l->d->timers, &l->retry, l->d->clock() + HL_RETRY_MS);
			return;
		}
		if (!peer.hybrid) {
			peer.cid = addr.vm.svm_cid;
			peer.port = addr.vm.svm_port;
		}
		ret = hl_conn_new(l->d, &peer, fd, &c);
		if (ret) {
			if (peer.hybrid)
				hl_warn("hybrid connection on port %u dropped: %s",
					ls->port, strerror(-ret));
			else
				hl_warn("connection from CID %u port %u dropped: %s",
					peer.cid, peer.port, strerror(-ret));
			close(fd);
			continue;
		}
		c->events = EPOLLIN;
		ret = hl_loop_ctl(l, EPOLL_CTL_ADD, fd, c->events, c);
		if (ret) {
			hl_conn_log(c, HL_LOG_ERROR, "epoll: %s", strerror(-ret));
			close(fd);
			hl_conn_destroy(c);
		}
	}
}

static void hl_loop_signal(struct hl_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			hl_info("SIGHUP: nothing to reload; restart to apply configuration");
			continue;
		}
		hl_info("%s: shutting down", strsignal(si.ssi_signo));
		l->stop = true;
	}
}

/* Points the timerfd at the earliest timer. */
static void hl_loop_arm(struct hl_loop *l)
{
	uint64_t next = hl_timers_next(&l->d->timers);
	struct itimerspec its = { 0 };

	if (next == l->armed)
		return;
	if (next != HL_TIMER_NEVER) {
		/* 0 would disarm: the clock's epoch is never a deadline. */
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000 + 1;
	}
	if (!timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL))
		l->armed = next;
}

/* Opens the epoll set, the signalfd and the timerfd.  0 or -errno. */
int hl_loop_init(struct hl_loop *l, struct hl_daemon *d)
{
	sigset_t mask;
	int ret;

	*l = (struct hl_loop){ .d = d, .epfd = -1, .sigfd = -1, .timerfd = -1,
			       .armed = HL_TIMER_NEVER };
	hl_timer_init(&l->retry, hl_loop_retry);
	d->io = l;
	d->sync = hl_loop_sync;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->sigfd < 0 || l->timerfd < 0)
		return -errno;
	ret = hl_loop_ctl(l, EPOLL_CTL_ADD, l->sigfd, EPOLLIN, &l->sigfd);
	if (!ret)
		ret = hl_loop_ctl(l, EPOLL_CTL_ADD, l->timerfd, EPOLLIN, &l->timerfd);
	return ret;
}

/* A non-blocking listening socket bound to @addr.  0 or -errno. */
static int hl_listen_fd(int family, const struct sockaddr *addr,
			socklen_t len, int *out)
{
	int fd, ret;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, addr, len) || listen(fd, 128)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static int hl_listen_vsock(uint32_t port, int *out)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};

	return hl_listen_fd(AF_VSOCK, (struct sockaddr *)&a, sizeof(a), out);
}

/*
 * A socket at @path left by an earlier run is replaced; one that a live
 * daemon answers on, or any other file, is not.
 */
static int hl_unix_clear(const struct sockaddr_un *a)
{
	struct stat st;
	int fd, ret;

	if (lstat(a->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)a, sizeof(*a)) ? -errno : -EADDRINUSE;
	close(fd);
	if (ret != -ECONNREFUSED)
		return ret == -EADDRINUSE ? ret : 0;
	return unlink(a->sun_path) ? -errno : 0;
}

static int hl_listen_unix(const char *path, int *out)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int ret;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	ret = hl_unix_clear(&a);
	if (ret)
		return ret;
	return hl_listen_fd(AF_UNIX, (struct sockaddr *)&a, sizeof(a), out);
}

static int hl_loop_add_listener(struct hl_loop *l, uint32_t port, const char *path)
{
	struct hl_listener *ls = &l->listeners[l->nlisteners];
	char *dup = NULL;
	int fd = -1, ret;

	if (path) {
		dup = strdup(path);
		if (!dup)
			return -ENOMEM;
		ret = hl_listen_unix(path, &fd);
	} else {
		ret = hl_listen_vsock(port, &fd);
	}
	if (ret) {
		if (path)
			hl_err("cannot listen on %s: %s", path, strerror(-ret));
		else
			hl_err("cannot listen on vsock port %u: %s%s", port, strerror(-ret),
			       ret == -EAFNOSUPPORT ? " (load vhost_vsock or vsock_loopback,"
			       " or use --no-vsock)" : "");
		free(dup);
		return ret;
	}
	ls->fd = fd;
	ls->port = port;
	ls->path = dup;
	l->nlisteners++;
	ret = hl_loop_ctl(l, EPOLL_CTL_ADD, fd, EPOLLIN, ls);
	if (!ret)
		hl_info("listening on %s%s%s port %u", path ? "hybrid socket " : "vsock",
			path ? path : "", path ? "," : "", port);
	return ret;
}

/* A listener per configured port: AF_VSOCK and/or <hybrid>_<port>. */
int hl_loop_listen(struct hl_loop *l)
{
	const struct hl_config *cfg = l->d->cfg;
	unsigned int i, j;
	int ret;

	l->listeners = calloc(2 * cfg->nlisten, sizeof(*l->listeners));
	if (!l->listeners)
		return -ENOMEM;
	for (i = 0; i < cfg->nlisten; i++) {
		uint32_t port = cfg->listen[i].port;
		char path[256];

		for (j = 0; j < i; j++)
			if (cfg->listen[j].port == port)
				break;
		if (j < i)
			continue;	/* several services on one port */
		if (cfg->vsock) {
			ret = hl_loop_add_listener(l, port, NULL);
			if (ret)
				return ret;
		}
		if (cfg->hybrid) {
			if ((size_t)snprintf(path, sizeof(path), "%s_%u", cfg->hybrid, port) >=
			    sizeof(path)) {
				hl_err("hybrid path %s too long", cfg->hybrid);
				return -ENAMETOOLONG;
			}
			ret = hl_loop_add_listener(l, port, path);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Runs until SIGTERM or SIGINT.  0, or -errno if the loop broke. */
int hl_loop_run(struct hl_loop *l)
{
	struct epoll_event evs[HL_MAX_EVENTS];
	struct hl_daemon *d = l->d;
	int i, n;

	while (!l->stop) {
		hl_daemon_run_pending(d);
		hl_loop_arm(l);
		n = epoll_wait(l->epfd, evs, HL_MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			hl_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &l->sigfd) {
				hl_loop_signal(l);
			} else if (p == &l->timerfd) {
				uint64_t ticks;

				if (read(l->timerfd, &ticks, sizeof(ticks)) < 0)
					l->armed = HL_TIMER_NEVER;
			} else if (hl_loop_is_listener(l, p)) {
				hl_loop_accept(l, p);
			} else {
				hl_loop_conn_event(l, p, evs[i].events);
			}
		}
		/*
		 * The timerfd fired or not, whatever is due runs now.  No
		 * clock read without timers: under TCG it is a device access.
		 */
		if (hl_timers_next(&d->timers) != HL_TIMER_NEVER &&
		    hl_timers_next(&d->timers) <= d->clock()) {
			l->armed = HL_TIMER_NEVER;
			hl_timers_run(&d->timers, d->clock());
		}
	}
	return 0;
}

/* Closes every connection and listener; removes the hybrid sockets. */
void hl_loop_free(struct hl_loop *l)
{
	struct hl_daemon *d = l->d;
	unsigned int i;

	while (!hl_list_empty(&d->conns)) {
		struct hl_conn *c = hl_list_first(&d->conns, struct hl_conn, node);

		close(c->fd);
		hl_conn_destroy(c);
	}
	for (i = 0; i < l->nlisteners; i++) {
		close(l->listeners[i].fd);
		if (l->listeners[i].path) {
			unlink(l->listeners[i].path);
			free(l->listeners[i].path);
		}
	}
	free(l->listeners);
	hl_timer_cancel(&d->timers, &l->retry);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
}
