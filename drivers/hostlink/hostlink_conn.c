// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: the control connection of a service.
 *
 * One kernel thread per service connects to the host from a reserved
 * port (it runs with kernel credentials, so it may bind one whoever
 * registered the service), says HELLO, hands the socket to the receive
 * side (hostlink_rx.c), sleeps until the connection is lost, then fails
 * what was in flight and reconnects with backoff.  Senders
 * (hostlink_call.c) write on the socket directly, one at a time, under
 * the tx bit lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/vm_sockets.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "hostlink_priv.h"

/* Control connections bind one of these source ports. */
#define HOSTLINK_RESERVED_PORT_FIRST	512
#define HOSTLINK_RESERVED_PORTS \
	(HOSTLINK_RESERVED_PORT_END - HOSTLINK_RESERVED_PORT_FIRST)

#define HOSTLINK_BACKOFF_MIN_MS		100
#define HOSTLINK_BACKOFF_MAX_MS		5000

static atomic_t hostlink_port_cursor = ATOMIC_INIT(0);

const char *hostlink_state_name(enum hostlink_state state)
{
	switch (state) {
	case HOSTLINK_STATE_CONNECTING:
		return "connecting";
	case HOSTLINK_STATE_READY:
		return "connected";
	case HOSTLINK_STATE_REFUSED:
		return "refused";
	case HOSTLINK_STATE_STOPPED:
		return "stopped";
	}
	return "unknown";
}

/**
 * hostlink_tx_acquire() - take the right to send on the connection
 * @conn: the connection
 * @timeout: jiffies to wait at most, updated to what is left; unused
 *	when not @interruptible
 * @interruptible: a caller's wait (signals and @timeout end it), or the
 *	receive thread's teardown (waits for the sender to finish)
 *
 * Context: process context, may sleep.
 * Return: 0, -EINTR or -ETIMEDOUT.
 */
int hostlink_tx_acquire(struct hostlink_conn *conn, long *timeout,
			bool interruptible)
{
	long left;

	if (!interruptible) {
		wait_event(conn->tx_wq, !test_and_set_bit_lock(0, &conn->tx));
		return 0;
	}
	left = wait_event_interruptible_timeout(conn->tx_wq,
						!test_and_set_bit_lock(0, &conn->tx),
						*timeout);
	if (left < 0)
		return -EINTR;
	if (left == 0)
		return -ETIMEDOUT;
	*timeout = left;
	return 0;
}

void hostlink_tx_release(struct hostlink_conn *conn)
{
	clear_bit_unlock(0, &conn->tx);
	/* pairs with the test_and_set_bit_lock() of the waiters */
	smp_mb__after_atomic();
	wake_up(&conn->tx_wq);
}

/*
 * Write all of @it by @deadline.  *@started says whether bytes of this
 * frame are already out; from then on the frame is finished, or the
 * stream is broken (-EPIPE).  A signal after the first byte, which would
 * cut every further write short, or a failed allocation of the caller's
 * stops the write with -EINPROGRESS and the rest left in @it, for a
 * worker (which gets no signals and charges no task) to send.
 */
static int hostlink_xmit(struct socket *sock, struct iov_iter *it,
			 unsigned long deadline, bool *started)
{
	while (iov_iter_count(it)) {
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		long left = (long)(deadline - jiffies);
		int ret;

		if (left <= 0)
			return *started ? -EPIPE : -ETIMEDOUT;
		if (signal_pending(current))
			return *started ? -EINPROGRESS : -EINTR;
		WRITE_ONCE(sock->sk->sk_sndtimeo, left);
		msg.msg_iter = *it;
		ret = sock_sendmsg(sock, &msg);
		if (ret > 0) {
			iov_iter_advance(it, ret);
			*started = true;
			continue;
		}
		/* cut short by a signal: the check above says so */
		if (*started && signal_pending(current))
			continue;
		/*
		 * No memory for the next packet in this task (its memcg, an
		 * injected failure): a worker, in a context of its own, may
		 * have it; the other callers of the stream keep it.
		 */
		if (*started && ret == -ENOMEM)
			return -EINPROGRESS;
		if (*started)
			return -EPIPE;
		if (ret == -EAGAIN)
			return -ETIMEDOUT;
		if (ret == -ERESTARTSYS)
			return -EINTR;
		return ret ?: -EPIPE;
	}
	return 0;
}

/**
 * hostlink_send() - write one frame
 * @sock: a connected socket
 * @head: the header (and fixed part)
 * @head_len: its length
 * @body: the rest, or NULL
 * @body_len: its length
 * @timeout: jiffies the whole write may take
 *
 * For frames that no caller's signal may leave half sent on a shared
 * stream, see hostlink_send_request().
 *
 * Context: process context; the caller holds the connection's tx lock
 * (or owns @sock alone).
 * Return: 0 when all was written; -ETIMEDOUT, -EINTR or another error
 * when nothing was; -EPIPE when part was (the stream is then broken;
 * also when a signal cut it short).
 */
int hostlink_send(struct socket *sock, const void *head, size_t head_len,
		  const void *body, size_t body_len, long timeout)
{
	struct kvec iov[2] = {
		{ .iov_base = (void *)head, .iov_len = head_len },
		{ .iov_base = (void *)body, .iov_len = body_len },
	};
	bool started = false;
	struct iov_iter it;
	int ret;

	iov_iter_kvec(&it, ITER_SOURCE, iov, body_len ? 2 : 1,
		      head_len + body_len);
	ret = hostlink_xmit(sock, &it, jiffies + timeout, &started);
	return ret == -EINPROGRESS ? -EPIPE : ret;
}

/**
 * hostlink_tx_rest_work() - finish a frame whose sender had a signal
 * @work: hostlink_conn.tx_work
 *
 * Holds the tx lock, handed over by hostlink_send_request(), and lets
 * go of it once the frame is out or the connection is given up.
 * Context: a worker.
 */
void hostlink_tx_rest_work(struct work_struct *work)
{
	struct hostlink_conn *conn = container_of(work, struct hostlink_conn,
						  tx_work);
	struct kvec iov = {
		.iov_base = conn->tx_rest,
		.iov_len = conn->tx_rest_len,
	};
	bool started = true;
	struct iov_iter it;

	iov_iter_kvec(&it, ITER_SOURCE, &iov, 1, iov.iov_len);
	if (hostlink_xmit(conn->sock, &it, conn->tx_rest_deadline, &started))
		hostlink_conn_break(conn, "request cut short after a signal");
	hostlink_tx_release(conn);
	/* the CANCEL of that request, and any others, waited for the frame */
	if (!kfifo_is_empty(&conn->cancels))
		schedule_work(&conn->cancel_work);
}

/**
 * hostlink_send_request() - write a request frame on the control connection
 * @conn: the connection; the caller holds its tx lock
 * @head: the header and credential block
 * @head_len: their length
 * @body: the request, or NULL
 * @body_len: its length
 * @body_iter: the request as an iterator instead of @body, or NULL; must
 *	not fault (kvec or pinned pages); advanced past what was taken
 * @timeout: jiffies the whole write may take
 *
 * A signal before the first byte ends the write with -EINTR.  A signal
 * after it does not keep the caller: a stream cannot take half a frame
 * and a task with a signal cannot write, so the rest is copied to the
 * connection's buffer and hostlink_tx_rest_work() finishes it by the
 * deadline (or gives the connection up), while the caller returns at
 * once.  The tx lock goes to that worker with the frame.  So does the
 * rest after an -ENOMEM of the caller's mid-frame, which would otherwise
 * break the stream for every process using it.
 *
 * Context: process context, may sleep.
 * Return: 0 when all was written; 1 when the worker finishes it (the
 * caller must not release the tx lock); -ETIMEDOUT, -EINTR or another
 * error when nothing was written; -EPIPE when part was (the stream is
 * then broken).
 */
int hostlink_send_request(struct hostlink_conn *conn, const void *head,
			  size_t head_len, const void *body, size_t body_len,
			  struct iov_iter *body_iter, long timeout)
{
	const size_t cap = sizeof(struct hostlink_hdr) + hostlink_max_frame;
	unsigned long deadline = jiffies + timeout;
	struct kvec hiov = { .iov_base = (void *)head, .iov_len = head_len };
	struct kvec biov = { .iov_base = (void *)body, .iov_len = body_len };
	struct iov_iter hit, bit, *bodyp = body_iter;
	bool started = false;
	size_t n;
	int ret;

	if (body_iter && WARN_ON_ONCE(user_backed_iter(body_iter)))
		return -EFAULT;
	if (!body_iter && body_len) {
		iov_iter_kvec(&bit, ITER_SOURCE, &biov, 1, body_len);
		bodyp = &bit;
	}
	iov_iter_kvec(&hit, ITER_SOURCE, &hiov, 1, head_len);
	ret = hostlink_xmit(conn->sock, &hit, deadline, &started);
	if (!ret && bodyp)
		ret = hostlink_xmit(conn->sock, bodyp, deadline, &started);
	if (ret != -EINPROGRESS)
		return ret;

	/* at most a header and the agreed frame, which the buffer holds */
	n = iov_iter_count(&hit) + (bodyp ? iov_iter_count(bodyp) : 0);
	if (WARN_ON_ONCE(n > cap))
		return -EPIPE;
	n = copy_from_iter(conn->tx_rest, iov_iter_count(&hit), &hit);
	if (bodyp)
		n += copy_from_iter(conn->tx_rest + n, iov_iter_count(bodyp),
				    bodyp);
	conn->tx_rest_len = n;
	conn->tx_rest_deadline = deadline;
	/* the worker sees the buffer filled: queue_work() orders it */
	queue_work(system_unbound_wq, &conn->tx_work);
	return 1;
}

/**
 * hostlink_recv() - read exactly @len bytes by a deadline
 * @sock: a connected socket that no one else reads
 * @buf: where to
 * @len: how much
 * @deadline: jiffies by which all of it must have come
 *
 * A peer that trickles its bytes cannot stretch the read: each wait is
 * for what is left of @deadline, not a fresh timeout per byte (as
 * MSG_WAITALL with SO_RCVTIMEO would give, on vsock).
 * Context: process context, may sleep.
 * Return: 0, -ENODATA on EOF before the first byte, -EPIPE on EOF after
 * it, -ETIMEDOUT once the deadline passed, or another error.
 */
int hostlink_recv(struct socket *sock, void *buf, size_t len,
		  unsigned long deadline)
{
	size_t done = 0;
	int ret;

	while (done < len) {
		struct kvec iov = { .iov_base = buf + done, .iov_len = len - done };
		long left = (long)(deadline - jiffies);
		struct msghdr msg = {};

		if (left <= 0)
			return -ETIMEDOUT;
		WRITE_ONCE(sock->sk->sk_rcvtimeo, left);
		ret = kernel_recvmsg(sock, &msg, &iov, 1, iov.iov_len, 0);
		if (ret == -EAGAIN)
			return -ETIMEDOUT;
		if (ret < 0)
			return ret;
		if (ret == 0)
			return done ? -EPIPE : -ENODATA;
		done += ret;
	}
	return 0;
}

void hostlink_set_error(struct hostlink_conn *conn, int err,
			const char *fmt, ...)
{
	char buf[sizeof(conn->last_error)];
	bool changed;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	spin_lock(&conn->lock);
	changed = strcmp(buf, conn->last_error) != 0;
	strscpy(conn->last_error, buf, sizeof(conn->last_error));
	spin_unlock(&conn->lock);

	/* Once per distinct reason, not on every retry; a host can flap. */
	if (changed)
		pr_info_ratelimited("%s: %s (%pe)\n", conn->svc->name, buf,
				    ERR_PTR(err));
}

static void hostlink_set_state(struct hostlink_conn *conn,
			       enum hostlink_state state)
{
	spin_lock(&conn->lock);
	if (conn->state != HOSTLINK_STATE_STOPPED)
		conn->state = state;
	spin_unlock(&conn->lock);
	wake_up_all(&conn->state_wq);
}

/**
 * hostlink_conn_break() - give up a connection whose stream is broken
 * @conn: the connection
 * @why: for the log
 *
 * The receive thread sees the shutdown, fails what is in flight and
 * reconnects.
 * Context: process context; may hold the tx lock.
 */
void hostlink_conn_break(struct hostlink_conn *conn, const char *why)
{
	mutex_lock(&conn->sock_lock);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->sock_lock);
	hostlink_set_error(conn, -EPIPE, "%s", why);
	set_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags);
	wake_up_all(&conn->state_wq);
}

static int hostlink_bind_reserved(struct socket *sock, u32 *port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
	};
	unsigned int i;
	int ret = -EADDRINUSE;

	for (i = 0; i < HOSTLINK_RESERVED_PORTS; i++) {
		addr.svm_port = HOSTLINK_RESERVED_PORT_END - 1 -
			(unsigned int)atomic_inc_return(&hostlink_port_cursor) %
			HOSTLINK_RESERVED_PORTS;
		ret = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
		if (ret != -EADDRINUSE)
			break;
	}
	if (!ret)
		*port = addr.svm_port;
	return ret;
}

static int hostlink_welcome_check(struct hostlink_conn *conn,
				  const struct hostlink_hdr *hdr,
				  const struct hostlink_welcome *w)
{
	struct hostlink_service *svc = conn->svc;
	u32 status = le32_to_cpu(hdr->status);
	u16 version = le16_to_cpu(w->version);
	u16 min_version = le16_to_cpu(w->min_version);
	u16 max_version = le16_to_cpu(w->max_version);
	u32 max_frame = le32_to_cpu(w->max_frame);
	u64 features = le64_to_cpu(w->features);

	if (status) {
		int err = hostlink_status_errno(conn, status);

		atomic64_inc(&conn->stats.refusals);
		hostlink_set_error(conn, err,
				   "host refused %s: %.*s (host speaks versions %u-%u, we %u-%u)",
				   svc->name, (int)strnlen(w->message, sizeof(w->message)),
				   w->message, min_version, max_version,
				   HOSTLINK_PROTO_MIN, HOSTLINK_PROTO_MAX);
		return err;
	}
	if (version < HOSTLINK_PROTO_MIN || version > HOSTLINK_PROTO_MAX) {
		atomic64_inc(&conn->stats.refusals);
		hostlink_set_error(conn, -EPROTONOSUPPORT,
				   "host chose protocol version %u, we speak %u-%u",
				   version, HOSTLINK_PROTO_MIN, HOSTLINK_PROTO_MAX);
		return -EPROTONOSUPPORT;
	}
	/* a host that contradicts itself is broken, not just of another age */
	if (min_version > max_version) {
		hostlink_set_error(conn, -EPROTO,
				   "bad WELCOME from the host: its version range %u-%u is inverted",
				   min_version, max_version);
		atomic64_inc(&conn->stats.protocol_errors);
		return -EPROTO;
	}
	if (version < min_version || version > max_version) {
		hostlink_set_error(conn, -EPROTO,
				   "bad WELCOME from the host: it chose version %u outside its range %u-%u",
				   version, min_version, max_version);
		atomic64_inc(&conn->stats.protocol_errors);
		return -EPROTO;
	}
	if (max_frame < HOSTLINK_FRAME_MIN || max_frame > HOSTLINK_FRAME_LIMIT ||
	    (features & ~HOSTLINK_FEAT_ALL) || w->__reserved0 ||
	    w->__reserved1) {
		atomic64_inc(&conn->stats.protocol_errors);
		hostlink_set_error(conn, -EPROTO, "bad WELCOME from the host");
		return -EPROTO;
	}

	spin_lock(&conn->lock);
	conn->version = version;
	conn->max_frame = min(max_frame, hostlink_max_frame);
	conn->features = features;
	spin_unlock(&conn->lock);
	return 0;
}

/*
 * The header of the answer to HELLO: 0, or -EPROTO, logged and counted.
 * The type comes first: a frame of another kind is named for what it
 * is, not for the first rule of a WELCOME that it breaks.
 */
static int hostlink_welcome_hdr_check(struct hostlink_conn *conn,
				      const struct hostlink_hdr *hdr)
{
	const char *why, *name;

	if (le32_to_cpu(hdr->magic) == HOSTLINK_MAGIC &&
	    hdr->type != HOSTLINK_WELCOME) {
		name = hostlink_type_name(hdr->type);
		if (name)
			hostlink_set_error(conn, -EPROTO,
					   "bad answer to HELLO: expected WELCOME, got %s",
					   name);
		else
			hostlink_set_error(conn, -EPROTO,
					   "bad answer to HELLO: expected WELCOME, got frame type %u",
					   hdr->type);
		atomic64_inc(&conn->stats.protocol_errors);
		return -EPROTO;
	}
	if (!hostlink_hdr_check(hdr, 0, sizeof(struct hostlink_welcome), &why))
		return 0;
	hostlink_set_error(conn, -EPROTO, "bad answer to HELLO: %s", why);
	atomic64_inc(&conn->stats.protocol_errors);
	return -EPROTO;
}

static int hostlink_conn_hello(struct hostlink_conn *conn,
			       struct socket *sock)
{
	struct hostlink_service *svc = conn->svc;
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_hello hello;
	} out;
	unsigned long deadline = jiffies + msecs_to_jiffies(HOSTLINK_HANDSHAKE_MS);
	struct hostlink_welcome w;
	struct hostlink_hdr hdr;
	int ret;

	hostlink_hdr_init(&out.hdr, HOSTLINK_PROTO_MAX, HOSTLINK_HELLO,
			  sizeof(out.hello), 0, 0);
	memset(&out.hello, 0, sizeof(out.hello));
	out.hello.min_version = cpu_to_le16(HOSTLINK_PROTO_MIN);
	out.hello.max_version = cpu_to_le16(HOSTLINK_PROTO_MAX);
	out.hello.max_frame = cpu_to_le32(hostlink_max_frame);
	out.hello.features = cpu_to_le64(HOSTLINK_FEAT_ALL);
	strscpy_pad(out.hello.service, svc->remote ?: svc->name,
		    sizeof(out.hello.service));

	/* one deadline for all of it: a host cannot drip it out for longer */
	ret = hostlink_send(sock, &out, sizeof(out), NULL, 0,
			    max_t(long, (long)(deadline - jiffies), 1));
	if (ret)
		goto err;
	ret = hostlink_recv(sock, &hdr, sizeof(hdr), deadline);
	if (ret)
		goto err;
	ret = hostlink_welcome_hdr_check(conn, &hdr);
	if (ret)
		return ret;
	ret = hostlink_recv(sock, &w, sizeof(w), deadline);
	if (ret)
		goto err;
	return hostlink_welcome_check(conn, &hdr, &w);

err:
	if (ret == -ETIMEDOUT)
		hostlink_set_error(conn, ret, "no WELCOME within %u ms of the HELLO",
				   HOSTLINK_HANDSHAKE_MS);
	else
		hostlink_set_error(conn, ret, "no answer to HELLO");
	return ret;
}

/* The socket the host offered (hostlink_listen.c), or NULL. */
static struct socket *hostlink_conn_take_offer(struct hostlink_conn *conn)
{
	struct socket *sock;

	spin_lock(&conn->lock);
	sock = conn->offered;
	conn->offered = NULL;
	spin_unlock(&conn->lock);
	return sock;
}

/**
 * hostlink_conn_offer() - give the connection thread a socket the host opened
 * @conn: the connection
 * @sock: connected to the host, its OFFER read
 *
 * The thread says HELLO on @sock next, instead of connecting out.
 * Context: process context; the caller holds hostlink_services_lock.
 * Return: 0 (@sock is the connection's now), or -EBUSY when the service
 * is connected, stopping, or has an offer waiting.
 */
int hostlink_conn_offer(struct hostlink_conn *conn, struct socket *sock)
{
	int ret = 0;

	spin_lock(&conn->lock);
	if (conn->state == HOSTLINK_STATE_READY ||
	    conn->state == HOSTLINK_STATE_STOPPED || conn->offered)
		ret = -EBUSY;
	else
		conn->offered = sock;
	spin_unlock(&conn->lock);
	if (!ret)
		wake_up_all(&conn->state_wq);
	return ret;
}

/*
 * Connect (or take the host's offer) and say HELLO; on success
 * hostlink_conn_publish() is next.
 */
static int hostlink_conn_open(struct hostlink_conn *conn,
			      struct socket **sockp)
{
	struct hostlink_service *svc = conn->svc;
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = hostlink_host_cid(),
		.svm_port = svc->port,
	};
	struct socket *sock;
	bool stopped, offered;
	u32 port = 0;
	int ret;

	sock = hostlink_conn_take_offer(conn);
	offered = sock;
	if (offered) {
		port = hostlink_listen_port;
		atomic64_inc(&conn->stats.offers);
		goto publish;
	}
	ret = sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock);
	if (ret) {
		hostlink_set_error(conn, ret, "cannot create a vsock socket");
		return ret;
	}
	ret = hostlink_bind_reserved(sock, &port);
	if (ret) {
		hostlink_set_error(conn, ret, "cannot bind a reserved port");
		goto err_release;
	}

publish:
	/* From here on hostlink_conn_stop() can shut it down. */
	mutex_lock(&conn->sock_lock);
	conn->sock = sock;
	conn->local_port = port;
	stopped = READ_ONCE(conn->state) == HOSTLINK_STATE_STOPPED;
	mutex_unlock(&conn->sock_lock);
	if (stopped) {
		ret = -ESHUTDOWN;
		goto err_clear;
	}

	if (!offered) {
		ret = kernel_connect(sock, (struct sockaddr *)&addr,
				     sizeof(addr), 0);
		if (ret) {
			hostlink_set_error(conn, ret,
					   "cannot connect to host %u port %u",
					   addr.svm_cid, addr.svm_port);
			goto err_clear;
		}
	}
	ret = hostlink_conn_hello(conn, sock);
	if (ret)
		goto err_clear;

	atomic64_inc(&conn->stats.connects);
	if (offered)
		pr_info_ratelimited("%s: host connected to port %u, protocol %u\n",
				    svc->name, port, conn->version);
	else
		pr_info_ratelimited("%s: connected to host %u port %u from port %u, protocol %u\n",
				    svc->name, addr.svm_cid, addr.svm_port,
				    port, conn->version);
	*sockp = sock;
	return 0;

err_clear:
	mutex_lock(&conn->sock_lock);
	conn->sock = NULL;
	conn->local_port = 0;
	mutex_unlock(&conn->sock_lock);
err_release:
	sock_release(sock);
	return ret;
}

static void hostlink_conn_notify(struct hostlink_conn *conn, bool up)
{
	const struct hostlink_service_ops *ops = conn->svc->ops;

	if (ops && ops->state)
		ops->state(conn->svc, up);
}

/* Tear a lost connection down; the thread then reconnects. */
static void hostlink_conn_close(struct hostlink_conn *conn,
				struct socket *sock)
{
	unsigned long flags;

	hostlink_rx_detach(conn, sock);
	kernel_sock_shutdown(sock, SHUT_RDWR);	/* wakes a blocked sender */
	hostlink_set_state(conn, HOSTLINK_STATE_CONNECTING);
	/* counted before any caller hears of it */
	atomic64_inc(&conn->stats.disconnects);
	hostlink_fail_all(conn, -ENOTCONN);
	spin_lock_irqsave(&conn->cancel_lock, flags);
	kfifo_reset(&conn->cancels);
	spin_unlock_irqrestore(&conn->cancel_lock, flags);

	mutex_lock(&conn->rx_lock);
	hostlink_tx_acquire(conn, NULL, false);
	mutex_lock(&conn->sock_lock);
	conn->sock = NULL;
	conn->local_port = 0;
	mutex_unlock(&conn->sock_lock);
	conn->rx_got = 0;
	clear_bit(HOSTLINK_RX_PENDING, &conn->rx_flags);
	clear_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags);
	clear_bit(HOSTLINK_RX_STATE, &conn->rx_flags);
	hostlink_tx_release(conn);
	mutex_unlock(&conn->rx_lock);

	sock_release(sock);
}

/* Requests may flow; false if the service is being unregistered. */
static bool hostlink_conn_publish(struct hostlink_conn *conn)
{
	bool ready = false;

	spin_lock(&conn->lock);
	if (conn->state != HOSTLINK_STATE_STOPPED) {
		conn->state = HOSTLINK_STATE_READY;
		conn->gen++;
		conn->last_error[0] = '\0';
		ready = true;
	}
	spin_unlock(&conn->lock);
	wake_up_all(&conn->state_wq);
	return ready;
}

static bool hostlink_conn_lost(struct hostlink_conn *conn)
{
	return test_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags) ||
	       kthread_should_stop();
}

static int hostlink_conn_thread(void *data)
{
	struct hostlink_conn *conn = data;
	unsigned int backoff = HOSTLINK_BACKOFF_MIN_MS;
	struct socket *sock, *offered;
	int ret;

	while (!kthread_should_stop()) {
		ret = hostlink_conn_open(conn, &sock);
		if (!ret) {
			backoff = HOSTLINK_BACKOFF_MIN_MS;
			/* the service hears "up" before any caller sees it */
			hostlink_conn_notify(conn, true);
			hostlink_rx_attach(conn, sock);
			if (hostlink_conn_publish(conn)) {
				/* one that came while we connected out */
				offered = hostlink_conn_take_offer(conn);
				if (offered)
					sock_release(offered);
				wait_event_interruptible(conn->state_wq,
							 hostlink_conn_lost(conn));
			}
			hostlink_conn_close(conn, sock);
			hostlink_conn_notify(conn, false);
		} else {
			hostlink_set_state(conn, ret == -EPROTONOSUPPORT ||
					   ret == -EPERM || ret == -ENOENT ?
					   HOSTLINK_STATE_REFUSED :
					   HOSTLINK_STATE_CONNECTING);
		}
		/* an offer from the host ends the wait */
		wait_event_interruptible_timeout(conn->state_wq,
						 kthread_should_stop() ||
						 READ_ONCE(conn->offered),
						 msecs_to_jiffies(backoff));
		backoff = min(backoff * 2, HOSTLINK_BACKOFF_MAX_MS);
	}
	return 0;
}

/**
 * hostlink_conn_start() - create the control connection of a service
 * @svc: the service being registered
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int hostlink_conn_start(struct hostlink_service *svc)
{
	/* a header and the largest body this side will ever agree to */
	size_t rxcap = sizeof(struct hostlink_hdr) + hostlink_max_frame;
	struct hostlink_conn *conn;
	int ret;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->rxbuf = kvmalloc(rxcap, GFP_KERNEL);
	if (!conn->rxbuf) {
		ret = -ENOMEM;
		goto err_free_conn;
	}
	/* the same bound holds for the rest of a frame we send */
	conn->tx_rest = kvmalloc(rxcap, GFP_KERNEL);
	if (!conn->tx_rest) {
		ret = -ENOMEM;
		goto err_free_buf;
	}
	conn->svc = svc;
	mutex_init(&conn->sock_lock);
	init_waitqueue_head(&conn->tx_wq);
	spin_lock_init(&conn->lock);
	hash_init(conn->pending);
	init_waitqueue_head(&conn->state_wq);
	mutex_init(&conn->rx_lock);
	atomic_set(&conn->rx_waiters, 0);
	init_waitqueue_head(&conn->rx_wq);
	INIT_WORK(&conn->rx_work, hostlink_rx_work);
	spin_lock_init(&conn->cancel_lock);
	INIT_KFIFO(conn->cancels);
	INIT_WORK(&conn->cancel_work, hostlink_cancel_work);
	INIT_WORK(&conn->tx_work, hostlink_tx_rest_work);
	conn->state = HOSTLINK_STATE_CONNECTING;
	svc->conn = conn;

	conn->thread = kthread_run(hostlink_conn_thread, conn, "hostlink-%s",
				   svc->name);
	if (IS_ERR(conn->thread)) {
		ret = PTR_ERR(conn->thread);
		goto err_free_buf;
	}
	hostlink_debugfs_add(conn);
	return 0;

err_free_buf:
	svc->conn = NULL;
	kvfree(conn->tx_rest);
	kvfree(conn->rxbuf);
err_free_conn:
	kfree(conn);
	return ret;
}

/**
 * hostlink_conn_stop() - close the control connection of a service
 * @svc: the service being unregistered
 *
 * Fails whatever is in flight with -ENOTCONN.  The caller guarantees
 * that no hostlink_call() or hostlink_attach() on @svc runs or starts.
 * Context: process context, may sleep.
 */
void hostlink_conn_stop(struct hostlink_service *svc)
{
	struct hostlink_conn *conn = svc->conn;

	spin_lock(&conn->lock);
	conn->state = HOSTLINK_STATE_STOPPED;
	spin_unlock(&conn->lock);

	mutex_lock(&conn->sock_lock);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->sock_lock);

	kthread_stop(conn->thread);
	/* hostlink_conn_offer() refuses once STOPPED; one may be left */
	if (conn->offered)
		sock_release(conn->offered);
	cancel_work_sync(&conn->rx_work);
	/* done once the thread closed the socket, but maybe not yet out */
	flush_work(&conn->tx_work);
	cancel_work_sync(&conn->cancel_work);
	hostlink_debugfs_remove(conn);
	WARN_ON(!hash_empty(conn->pending));
	svc->conn = NULL;
	kvfree(conn->tx_rest);
	kvfree(conn->rxbuf);
	kfree(conn);
}
