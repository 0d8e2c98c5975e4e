// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the event loop (see hl_loop.h).  Sockets are non-blocking
 * and level-triggered.  A connection reads at most HL_READ_BUDGET bytes
 * per wake-up, so one busy guest cannot hold the loop; it polls for
 * input only while hl_conn_wants_read() and for output only while it has
 * bytes queued.
 *
 * Reader threads (control_threads): once a connection is a control
 * connection, a thread of its own receives on it with blocking reads,
 * the way a plain ping-pong server would.  Per request that is one
 * receive and one send, woken straight from the socket; the event loop
 * takes an epoll_wait, a read and a send, woken through epoll, and under
 * emulation each system call is dear.  Everything else stays with the
 * loop: accepting, extra connections, timers, signals, and sending what
 * a socket would not take at once (EPOLLOUT).
 *
 * Locking: one mutex, l->lock, over the whole daemon.  The loop holds it
 * except inside epoll_wait(); a reader holds it except inside recv() and
 * while it waits for its connection to want input again.  While it
 * receives without the lock, c->reading tells hl_conn_kick() to leave
 * the receive state alone.  Connections are freed only by the loop,
 * after it has handled the events of one epoll_wait(), so no event in
 * hand can point to freed memory: a dead connection is taken out of the
 * epoll set and put on l->reap, its reader (if any) is woken (shutdown)
 * and lets go of it, and the loop joins that thread and frees it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
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
#define HL_READER_STACK		(256 * 1024)

/* A control connection's reader thread (hl_conn.io). */
struct hl_reader {
	struct hl_loop *l;
	struct hl_conn *c;
	pthread_t thread;
	pthread_cond_t wants;	/* signalled when the connection may want input */
	bool done;		/* the thread has let go of the connection */
};

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

/* Wakes the loop from a reader thread (something to free). */
static void hl_loop_wake(struct hl_loop *l)
{
	uint64_t one = 1;

	if (!pthread_equal(pthread_self(), l->main) &&
	    write(l->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		hl_err("waking the event loop: %s", strerror(errno));
}

/* hl_daemon.wake: completions were posted; from any thread, the loop's too. */
static void hl_loop_post_wake(struct hl_daemon *d)
{
	struct hl_loop *l = d->io;
	uint64_t one = 1;

	if (write(l->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		hl_err("waking the event loop: %s", strerror(errno));
}

/* ---- watches of services' fds (hl_daemon.watch_add) ---- */

static int hl_watch_apply(struct hl_watch *w, uint32_t events)
{
	struct hl_loop *l = w->l;
	struct epoll_event ev = { .events = events };
	int op, ret;

	ev.data.u64 = (uintptr_t)w | 1;
	if (!events)
		op = w->events ? EPOLL_CTL_DEL : -1;
	else
		op = w->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (op < 0)
		return 0;
	ret = epoll_ctl(l->epfd, op, w->fd, &ev) ? -errno : 0;
	if (!ret)
		w->events = events;
	return ret;
}

static int hl_loop_watch_add(struct hl_daemon *d, int fd, uint32_t events,
			     void (*fn)(void *arg, uint32_t revents), void *arg,
			     struct hl_watch **out)
{
	struct hl_watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->l = d->io;
	w->fd = fd;
	w->fn = fn;
	w->arg = arg;
	ret = hl_watch_apply(w, events);
	if (ret) {
		free(w);
		return ret;
	}
	hl_list_add_tail(&w->node, &w->l->watches);
	*out = w;
	return 0;
}

static int hl_loop_watch_mod(struct hl_daemon *d, struct hl_watch *w, uint32_t events)
{
	(void)d;
	if (w->dead || events == w->events)
		return 0;
	return hl_watch_apply(w, events);
}

static void hl_loop_watch_del(struct hl_daemon *d, struct hl_watch *w)
{
	(void)d;
	if (!w || w->dead)
		return;
	hl_watch_apply(w, 0);
	w->dead = true;
	hl_list_del(&w->node);
	hl_list_add_tail(&w->node, &w->l->watch_reap);
}

static void hl_loop_watch_event(struct hl_watch *w, uint32_t revents)
{
	if (!w->dead)
		w->fn(w->arg, revents);
}

static void hl_loop_watch_reap(struct hl_loop *l)
{
	while (!hl_list_empty(&l->watch_reap)) {
		struct hl_watch *w = hl_list_first(&l->watch_reap, struct hl_watch, node);

		hl_list_del(&w->node);
		free(w);
	}
}

/* The loop goes: every watch with it; services find the hooks gone. */
static void hl_loop_watches_free(struct hl_loop *l)
{
	struct hl_daemon *d = l->d;

	while (!hl_list_empty(&l->watches)) {
		struct hl_watch *w = hl_list_first(&l->watches, struct hl_watch, node);

		hl_list_del(&w->node);
		free(w);
	}
	hl_loop_watch_reap(l);
	d->watch_add = NULL;
	d->watch_mod = NULL;
	d->watch_del = NULL;
}

static void hl_loop_start_reader(struct hl_loop *l, struct hl_conn *c);
static void hl_loop_arm(struct hl_loop *l);
static void hl_dial_lost(struct hl_conn *c);

/* hl_daemon.sync: send, re-arm polling, or hand a dead one to the reaper. */
static void hl_loop_sync(struct hl_daemon *d, struct hl_conn *c)
{
	struct hl_loop *l = d->io;
	struct hl_reader *r = c->io;
	uint32_t want;

	if (c->txq.bytes)
		hl_loop_flush(c);
	if (hl_conn_adoptable(c)) {
		int fd = c->fd;

		/* Out of the set; the service polls it as it pleases. */
		hl_loop_ctl(l, EPOLL_CTL_DEL, fd, 0, NULL);
		c->events = 0;
		hl_conn_adopted(c, fd);
	}
	if (c->state == HL_CONN_DEAD) {
		if (!hl_list_empty(&c->io_link))
			return;		/* already on l->reap */
		hl_loop_ctl(l, EPOLL_CTL_DEL, c->fd, 0, NULL);
		hl_list_add_tail(&c->io_link, &l->reap);
		if (r) {
			/* Out of recv() or out of its wait, to let go. */
			shutdown(c->fd, SHUT_RDWR);
			pthread_cond_signal(&r->wants);
		}
		hl_loop_wake(l);
		return;
	}
	if (!c->io_tried && !l->stop && l->d->cfg->control_threads &&
	    c->state == HL_CONN_CONTROL) {
		c->io_tried = true;
		hl_loop_start_reader(l, c);
		r = c->io;
	}
	if (r) {
		/* The reader receives; the loop only sends what is left. */
		want = c->txq.bytes ? EPOLLOUT : 0;
		if (hl_conn_wants_read(c))
			pthread_cond_signal(&r->wants);
	} else {
		want = (hl_conn_wants_read(c) ? EPOLLIN : 0) |
		       (c->txq.bytes ? EPOLLOUT : 0);
	}
	if (want != c->events && !hl_loop_ctl(l, EPOLL_CTL_MOD, c->fd, want, c))
		c->events = want;
}

/* Frees the dead connections whose readers (if any) have let go. */
static void hl_loop_reap(struct hl_loop *l)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &l->reap) {
		struct hl_conn *c = hl_list_entry(pos, struct hl_conn, io_link);
		struct hl_reader *r = c->io;

		if (r) {
			if (!r->done)
				continue;	/* it wakes the loop when it has */
			pthread_join(r->thread, NULL);
			pthread_cond_destroy(&r->wants);
			free(r);
			c->io = NULL;
		}
		if (c->dial)
			hl_dial_lost(c);
		if (c->fd >= 0)
			close(c->fd);
		hl_conn_destroy(c);
	}
	hl_loop_watch_reap(l);
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

/*
 * A control connection's reader: receive into the connection's own
 * buffer without the lock, process with it, and send what that queued
 * (hl_daemon_run_pending()) before the next receive.
 */
static void *hl_reader_main(void *arg)
{
	struct hl_reader *r = arg;
	struct hl_conn *c = r->c;
	struct hl_loop *l = r->l;

	pthread_mutex_lock(&l->lock);
	while (c->state != HL_CONN_DEAD && !l->stop) {
		uint8_t *buf;
		size_t len;
		ssize_t n;
		int err;

		hl_conn_rx_space(c, &buf, &len);
		if (!len) {
			/* Blocked, at end of input, or closing: until sync says. */
			pthread_cond_wait(&r->wants, &l->lock);
			continue;
		}
		c->reading = true;
		pthread_mutex_unlock(&l->lock);
		n = recv(c->fd, buf, len, 0);
		err = errno;
		pthread_mutex_lock(&l->lock);
		c->reading = false;
		if (c->state == HL_CONN_DEAD || l->stop)
			break;
		if (n > 0) {
			hl_conn_rx_done(c, n);
		} else if (n == 0) {
			hl_conn_rx_eof(c);
		} else if (err != EINTR) {
			hl_conn_log(c, HL_LOG_INFO, "receive failed: %s", strerror(err));
			hl_conn_close(c, false, NULL);
		}
		hl_conn_mark_dirty(c);
		hl_daemon_run_pending(l->d);
		hl_loop_arm(l);
	}
	r->done = true;
	hl_loop_wake(l);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/*
 * Gives a control connection its reader thread, once.  Without one (no
 * memory, no threads left) it stays with the event loop for good.
 */
static void hl_loop_start_reader(struct hl_loop *l, struct hl_conn *c)
{
	struct hl_reader *r;
	pthread_attr_t attr;
	int flags, ret;

	r = calloc(1, sizeof(*r));
	if (!r) {
		hl_conn_log(c, HL_LOG_WARN, "no reader thread: out of memory; "
			    "served by the event loop");
		return;
	}
	r->l = l;
	r->c = c;
	/* Blocking receives; the loop's sends say MSG_DONTWAIT. */
	flags = fcntl(c->fd, F_GETFL);
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK)) {
		ret = errno;
		goto err_free;
	}
	ret = pthread_cond_init(&r->wants, NULL);
	if (ret)
		goto err_nonblock;
	ret = pthread_attr_init(&attr);
	if (ret)
		goto err_cond;
	pthread_attr_setstacksize(&attr, HL_READER_STACK);
	c->io = r;
	ret = pthread_create(&r->thread, &attr, hl_reader_main, r);
	pthread_attr_destroy(&attr);
	if (ret) {
		c->io = NULL;
		goto err_cond;
	}
	hl_conn_log(c, HL_LOG_DEBUG, "control connection: served by a reader thread");
	return;

err_cond:
	pthread_cond_destroy(&r->wants);
err_nonblock:
	fcntl(c->fd, F_SETFL, flags);
err_free:
	free(r);
	hl_conn_log(c, HL_LOG_WARN, "no reader thread: %s; served by the event loop",
		    strerror(ret));
}

static void hl_loop_conn_event(struct hl_loop *l, struct hl_conn *c, uint32_t ev)
{
	/* A reader's socket blocks: only its thread receives on it. */
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->io)
		hl_loop_read(c);
	/* Gone both ways: nobody to answer. */
	if ((ev & (EPOLLHUP | EPOLLERR)) && c->state != HL_CONN_DEAD)
		hl_conn_close(c, false, c->state == HL_CONN_NEW ? NULL : "peer hung up");
	hl_conn_mark_dirty(c);
	(void)l;
}

/* Says that a connection was dropped, at most HL_LOG_BURST times a while. */
static void hl_loop_dropped(struct hl_loop *l, const struct hl_listener *ls,
			    const struct hl_peer *peer, int err)
{
	if (!hl_daemon_log_ok(l->d))
		return;
	if (peer->hybrid)
		hl_warn("hybrid connection on port %u dropped: %s", ls->port,
			strerror(-err));
	else
		hl_warn("connection from CID %u port %u dropped: %s", peer->cid,
			peer->port, strerror(-err));
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
			hl_loop_dropped(l, ls, &peer, ret);
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

/*
 * Dialling the guest through a hybrid vsock VMM (Firecracker, Cloud
 * Hypervisor): their socket takes "CONNECT <port>\n" and answers
 * "OK <host port>\n" once the guest has accepted, after which the
 * stream is the guest's.  Anything else, or nothing within
 * HL_DIAL_ANSWER_MS, is a failed try.
 */
#define HL_DIAL_ANSWER_MS	5000
#define HL_DIAL_MIN_MS		1000
#define HL_DIAL_MAX_MS		30000

static bool hl_loop_is_dialer(const struct hl_loop *l, const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)l->dialers;

	return l->dialers && a >= lo && a < lo + l->ndialers * sizeof(*l->dialers);
}

static void hl_dial_retry(struct hl_dialer *dl)
{
	struct hl_daemon *d = dl->l->d;

	if (dl->l->stop)
		return;
	if (hl_timer_arm(&d->timers, &dl->timer, d->clock() + dl->backoff_ms))
		hl_err("hybrid: service %s: cannot arm a timer; not dialling again",
		       dl->ls->service);
	dl->backoff_ms = dl->backoff_ms * 2 > HL_DIAL_MAX_MS ? HL_DIAL_MAX_MS :
			 dl->backoff_ms * 2;
}

/* A failed try: close, say why (once per distinct reason), try again later. */
__attribute__((format(printf, 2, 3)))
static void hl_dial_fail(struct hl_dialer *dl, const char *fmt, ...)
{
	char why[sizeof(dl->last)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* Said before the close, which the VMM may be waiting for. */
	if (strcmp(why, dl->last)) {
		hl_warn("hybrid: service %s: %s; retrying with backoff", dl->ls->service, why);
		snprintf(dl->last, sizeof(dl->last), "%s", why);
	} else {
		hl_dbg("hybrid: service %s: %s", dl->ls->service, why);
	}
	if (dl->fd >= 0) {
		hl_loop_ctl(dl->l, EPOLL_CTL_DEL, dl->fd, 0, NULL);
		close(dl->fd);
		dl->fd = -1;
	}
	hl_timer_cancel(&dl->l->d->timers, &dl->timer);
	hl_dial_retry(dl);
}

static void hl_dial_start(struct hl_dialer *dl)
{
	const struct hl_config *cfg = dl->l->d->cfg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char cmd[32];
	int n, ret;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", cfg->hybrid);
	dl->got = 0;
	dl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (dl->fd < 0)
		return hl_dial_fail(dl, "socket: %s", strerror(errno));
	/* A local socket connects at once or not at all (EAGAIN: backlog full). */
	if (connect(dl->fd, (struct sockaddr *)&a, sizeof(a)))
		return hl_dial_fail(dl, "cannot connect to %s: %s", cfg->hybrid,
				    strerror(errno));
	n = snprintf(cmd, sizeof(cmd), "CONNECT %u\n", cfg->hybrid_connect);
	if (send(dl->fd, cmd, n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		return hl_dial_fail(dl, "cannot send CONNECT to %s: %s", cfg->hybrid,
				    strerror(errno));
	ret = hl_loop_ctl(dl->l, EPOLL_CTL_ADD, dl->fd, EPOLLIN, dl);
	if (ret)
		return hl_dial_fail(dl, "epoll: %s", strerror(-ret));
	if (hl_timer_arm(&dl->l->d->timers, &dl->timer,
			 dl->l->d->clock() + HL_DIAL_ANSWER_MS))
		return hl_dial_fail(dl, "cannot arm a timer");
}

static void hl_dial_timer(struct hl_timer *t)
{
	struct hl_dialer *dl = hl_container_of(t, struct hl_dialer, timer);

	if (dl->fd >= 0)
		hl_dial_fail(dl, "%s did not answer CONNECT %u within %u ms",
			     dl->l->d->cfg->hybrid, dl->l->d->cfg->hybrid_connect,
			     HL_DIAL_ANSWER_MS);
	else if (!dl->c)
		hl_dial_start(dl);
}

/* "OK " and 1 to 10 digits, nothing else. */
static bool hl_dial_ok(const char *line)
{
	size_t n;

	if (strncmp(line, "OK ", 3))
		return false;
	n = strspn(line + 3, "0123456789");
	return n >= 1 && n <= 10 && !line[3 + n];
}

/* The VMM said OK: the stream is the guest's.  Offer it the service. */
static void hl_dial_connected(struct hl_dialer *dl)
{
	struct hl_loop *l = dl->l;
	struct hl_peer peer = { .hybrid = true, .dialled = true, .lport = dl->ls->port };
	uint8_t offer[HL_OFFER_LEN];
	struct hl_conn *c;
	struct hl_hdr h;
	int fd = dl->fd, ret;

	hl_loop_ctl(l, EPOLL_CTL_DEL, fd, 0, NULL);
	hl_timer_cancel(&l->d->timers, &dl->timer);
	ret = hl_conn_new(l->d, &peer, fd, &c);
	if (ret)
		return hl_dial_fail(dl, "connection dropped: %s", strerror(-ret));
	dl->fd = -1;
	hl_offer_encode(offer, dl->ls->service);
	hl_hdr_init(&h, HOSTLINK_OFFER, l->d->cfg->proto_max);
	h.len = sizeof(offer);
	ret = hl_conn_send(c, &h, offer);
	if (!ret) {
		c->events = EPOLLIN;
		ret = hl_loop_ctl(l, EPOLL_CTL_ADD, fd, c->events, c);
	}
	if (ret) {
		close(fd);
		hl_conn_destroy(c);
		return hl_dial_fail(dl, "cannot offer %s: %s", dl->ls->service,
				    strerror(-ret));
	}
	c->dial = dl;
	dl->c = c;
	dl->last[0] = '\0';
	hl_conn_log(c, HL_LOG_INFO, "dialled guest port %u through %s, offered %s",
		    l->d->cfg->hybrid_connect, l->d->cfg->hybrid, dl->ls->service);
	hl_conn_mark_dirty(c);
}

/* The VMM's answer, a byte at a time: nothing past its newline is ours. */
static void hl_dial_event(struct hl_dialer *dl)
{
	char ch;
	ssize_t n;
	size_t i;

	while (dl->fd >= 0) {
		n = recv(dl->fd, &ch, 1, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0)
			return hl_dial_fail(dl, "receive from %s: %s",
					    dl->l->d->cfg->hybrid, strerror(errno));
		if (n == 0)
			return hl_dial_fail(dl, "%s closed after CONNECT %u: no guest "
					    "listening (hostlink listen_port)?",
					    dl->l->d->cfg->hybrid,
					    dl->l->d->cfg->hybrid_connect);
		if (ch == '\n') {
			dl->line[dl->got] = '\0';
			if (hl_dial_ok(dl->line))
				return hl_dial_connected(dl);
			/* Quote it, made printable: it is the VMM's text. */
			for (i = 0; i < dl->got; i++)
				if (!isprint((unsigned char)dl->line[i]))
					dl->line[i] = '?';
			return hl_dial_fail(dl, "%s answered '%s' to CONNECT %u",
					    dl->l->d->cfg->hybrid, dl->line,
					    dl->l->d->cfg->hybrid_connect);
		}
		if (dl->got == sizeof(dl->line) - 1)
			return hl_dial_fail(dl, "%s: answer to CONNECT longer than %zu bytes",
					    dl->l->d->cfg->hybrid, sizeof(dl->line) - 1);
		dl->line[dl->got++] = ch;
	}
}

/* The connection a dialer made is being freed: dial again. */
static void hl_dial_lost(struct hl_conn *c)
{
	struct hl_dialer *dl = c->dial;

	c->dial = NULL;
	dl->c = NULL;
	/* It served: start over from the shortest wait. */
	if (c->svc)
		dl->backoff_ms = HL_DIAL_MIN_MS;
	hl_dial_retry(dl);
}

/* A dialer per served service, when hybrid_connect is set.  0 or -errno. */
static int hl_loop_dial(struct hl_loop *l)
{
	const struct hl_config *cfg = l->d->cfg;
	unsigned int i;

	if (!cfg->hybrid_connect)
		return 0;
	if (strlen(cfg->hybrid) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		hl_err("hybrid path %s too long", cfg->hybrid);
		return -ENAMETOOLONG;
	}
	l->dialers = calloc(cfg->nlisten, sizeof(*l->dialers));
	if (!l->dialers)
		return -ENOMEM;
	for (i = 0; i < cfg->nlisten; i++) {
		struct hl_dialer *dl = &l->dialers[i];

		dl->l = l;
		dl->ls = &cfg->listen[i];
		dl->fd = -1;
		dl->backoff_ms = HL_DIAL_MIN_MS;
		hl_timer_init(&dl->timer, hl_dial_timer);
		l->ndialers++;
		if (hl_timer_arm(&l->d->timers, &dl->timer, l->d->clock()))
			return -ENOMEM;
		hl_info("hybrid: dialling guest port %u through %s for service %s",
			cfg->hybrid_connect, cfg->hybrid, dl->ls->service);
	}
	return 0;
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
			       .wakefd = -1, .armed = HL_TIMER_NEVER,
			       .main = pthread_self() };
	hl_list_init(&l->reap);
	hl_list_init(&l->watches);
	hl_list_init(&l->watch_reap);
	ret = pthread_mutex_init(&l->lock, NULL);
	if (ret)
		return -ret;
	l->lock_ok = true;
	hl_timer_init(&l->retry, hl_loop_retry);
	d->io = l;
	d->sync = hl_loop_sync;
	d->watch_add = hl_loop_watch_add;
	d->watch_mod = hl_loop_watch_mod;
	d->watch_del = hl_loop_watch_del;
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
	l->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->epfd < 0 || l->sigfd < 0 || l->timerfd < 0 || l->wakefd < 0)
		return -errno;
	d->wake = hl_loop_post_wake;
	ret = hl_loop_ctl(l, EPOLL_CTL_ADD, l->sigfd, EPOLLIN, &l->sigfd);
	if (!ret)
		ret = hl_loop_ctl(l, EPOLL_CTL_ADD, l->timerfd, EPOLLIN, &l->timerfd);
	if (!ret)
		ret = hl_loop_ctl(l, EPOLL_CTL_ADD, l->wakefd, EPOLLIN, &l->wakefd);
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
	return hl_loop_dial(l);
}

/* Runs until SIGTERM or SIGINT.  0, or -errno if the loop broke. */
int hl_loop_run(struct hl_loop *l)
{
	struct epoll_event evs[HL_MAX_EVENTS];
	struct hl_daemon *d = l->d;
	int i, n, ret = 0;

	pthread_mutex_lock(&l->lock);
	/* Posted before there was a loop to wake. */
	hl_daemon_run_posted(d);
	while (!l->stop) {
		/* Freeing may unblock others, which may then die. */
		do {
			hl_daemon_run_pending(d);
			hl_loop_reap(l);
		} while (!hl_list_empty(&d->dirty));
		hl_loop_arm(l);
		pthread_mutex_unlock(&l->lock);
		n = epoll_wait(l->epfd, evs, HL_MAX_EVENTS, -1);
		pthread_mutex_lock(&l->lock);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			hl_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;
			uint64_t ticks;

			if (evs[i].data.u64 & 1) {
				hl_loop_watch_event((void *)(uintptr_t)(evs[i].data.u64 & ~1ULL),
						    evs[i].events);
			} else if (p == &l->sigfd) {
				hl_loop_signal(l);
			} else if (p == &l->timerfd) {
				if (read(l->timerfd, &ticks, sizeof(ticks)) < 0)
					l->armed = HL_TIMER_NEVER;
			} else if (p == &l->wakefd) {
				if (read(l->wakefd, &ticks, sizeof(ticks)) < 0 &&
				    errno != EAGAIN)
					hl_err("eventfd: %s", strerror(errno));
				/* Completions of other threads run here. */
				hl_daemon_run_posted(d);
			} else if (hl_loop_is_listener(l, p)) {
				hl_loop_accept(l, p);
			} else if (hl_loop_is_dialer(l, p)) {
				hl_dial_event(p);
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
	pthread_mutex_unlock(&l->lock);
	return ret;
}

/* Stops every reader thread and waits for it.  Under l->lock. */
static void hl_loop_stop_readers(struct hl_loop *l)
{
	struct hl_list *pos, *tmp;

	l->stop = true;
	hl_list_for_each_safe(pos, tmp, &l->d->conns) {
		struct hl_conn *c = hl_list_entry(pos, struct hl_conn, node);
		struct hl_reader *r = c->io;

		if (!r)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		pthread_cond_signal(&r->wants);
	}
	hl_list_for_each_safe(pos, tmp, &l->d->conns) {
		struct hl_conn *c = hl_list_entry(pos, struct hl_conn, node);
		struct hl_reader *r = c->io;

		if (!r)
			continue;
		pthread_mutex_unlock(&l->lock);
		pthread_join(r->thread, NULL);
		pthread_mutex_lock(&l->lock);
		pthread_cond_destroy(&r->wants);
		free(r);
		c->io = NULL;
	}
}

/* Closes every connection and listener; removes the hybrid sockets. */
void hl_loop_free(struct hl_loop *l)
{
	struct hl_daemon *d = l->d;
	unsigned int i;

	if (l->lock_ok)
		pthread_mutex_lock(&l->lock);
	hl_loop_stop_readers(l);
	/* What was posted runs while its connections are still there. */
	hl_daemon_post_shutdown(d);
	while (!hl_list_empty(&d->conns)) {
		struct hl_conn *c = hl_list_first(&d->conns, struct hl_conn, node);

		if (c->fd >= 0)
			close(c->fd);
		hl_conn_destroy(c);
	}
	if (l->watches.next)
		hl_loop_watches_free(l);
	for (i = 0; i < l->nlisteners; i++) {
		close(l->listeners[i].fd);
		if (l->listeners[i].path) {
			unlink(l->listeners[i].path);
			free(l->listeners[i].path);
		}
	}
	free(l->listeners);
	for (i = 0; i < l->ndialers; i++) {
		hl_timer_cancel(&d->timers, &l->dialers[i].timer);
		if (l->dialers[i].fd >= 0)
			close(l->dialers[i].fd);
	}
	free(l->dialers);
	hl_timer_cancel(&d->timers, &l->retry);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->lock_ok) {
		pthread_mutex_unlock(&l->lock);
		pthread_mutex_destroy(&l->lock);
	}
}
