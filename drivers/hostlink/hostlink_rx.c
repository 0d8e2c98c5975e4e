// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: receiving on a control connection.
 *
 * Nobody sleeps in recvmsg.  The socket's data_ready and state_change
 * callbacks mark the connection "rx pending" and wake the callers that
 * wait for replies; the first of them to take rx_lock reads whatever the
 * socket holds without blocking, hands each REPLY to its waiter and each
 * EVENT to the service, and the others find their replies done.  So in
 * the common case the caller itself reads its reply, with no thread in
 * between.  When no caller waits (events, late replies), a work item
 * drains instead.  A lost connection is marked broken and left to the
 * connection thread, which closes it and reconnects.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "hostlink_priv.h"

/* Context: the transport's receive path; must not sleep. */
static void hostlink_sk_data_ready(struct sock *sk)
{
	struct hostlink_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn) {
		set_bit(HOSTLINK_RX_PENDING, &conn->rx_flags);
		/* pairs with the atomic_inc() in hostlink_wait_reply() */
		smp_mb__after_atomic();
		/* sync: the transport's receive path goes to sleep soon */
		if (atomic_read(&conn->rx_waiters))
			wake_up_interruptible_sync(&conn->rx_wq);
		else
			queue_work(system_highpri_wq, &conn->rx_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Context: as above; the peer may have closed, which a read tells. */
static void hostlink_sk_state_change(struct sock *sk)
{
	void (*saved)(struct sock *sk) = NULL;
	struct hostlink_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn) {
		set_bit(HOSTLINK_RX_STATE, &conn->rx_flags);
		saved = conn->saved_state_change;
	}
	read_unlock_bh(&sk->sk_callback_lock);
	/* a sender waiting for room waits in the socket: wake it too */
	if (saved)
		saved(sk);
	hostlink_sk_data_ready(sk);
}

/**
 * hostlink_rx_attach() - receive through the callbacks from now on
 * @conn: the connection, after a good HELLO
 * @sock: its socket
 *
 * Context: the connection thread.
 */
void hostlink_rx_attach(struct hostlink_conn *conn, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	conn->saved_data_ready = sk->sk_data_ready;
	conn->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = conn;
	sk->sk_data_ready = hostlink_sk_data_ready;
	sk->sk_state_change = hostlink_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	/* what arrived or changed before the callbacks were in place */
	set_bit(HOSTLINK_RX_STATE, &conn->rx_flags);
	set_bit(HOSTLINK_RX_PENDING, &conn->rx_flags);
	queue_work(system_highpri_wq, &conn->rx_work);
}

/**
 * hostlink_rx_detach() - undo hostlink_rx_attach()
 * @conn: the connection
 * @sock: its socket
 *
 * Context: the connection thread.
 */
void hostlink_rx_detach(struct hostlink_conn *conn, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = conn->saved_data_ready;
	sk->sk_state_change = conn->saved_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void hostlink_rx_event(struct hostlink_conn *conn,
			      const struct hostlink_hdr *hdr, const void *body,
			      size_t len)
{
	const struct hostlink_service_ops *ops = conn->svc->ops;

	atomic64_inc(&conn->stats.events);
	if (ops && ops->event)
		ops->event(conn->svc, le32_to_cpu(hdr->op), body, len);
}

/* A header at the front of rxbuf: 0, or -EPROTO with the reason logged. */
static int hostlink_rx_header(struct hostlink_conn *conn,
			      const struct hostlink_hdr *hdr)
{
	const char *why;
	int ret;

	ret = hostlink_hdr_check(hdr, conn->version, conn->max_frame, &why);
	if (!ret && hdr->type == HOSTLINK_EVENT &&
	    !(conn->features & HOSTLINK_FEAT_EVENTS))
		why = "EVENT not agreed";
	else if (!ret && hdr->type != HOSTLINK_REPLY &&
		 hdr->type != HOSTLINK_EVENT)
		why = "unexpected frame type";
	if (!why)
		return 0;
	atomic64_inc(&conn->stats.protocol_errors);
	hostlink_set_error(conn, -EPROTO, "protocol error from the host: %s",
			   why);
	return -EPROTO;
}

/*
 * Hand out every whole frame at the front of rxbuf and move the start
 * of the next one to the front.  Return: 0, or -EPROTO.
 */
static int hostlink_rx_dispatch(struct hostlink_conn *conn)
{
	const size_t hlen = sizeof(struct hostlink_hdr);
	size_t off = 0;
	int ret = 0;

	while (conn->rx_got - off >= hlen) {
		struct hostlink_hdr hdr;
		size_t len;

		memcpy(&hdr, conn->rxbuf + off, hlen);
		ret = hostlink_rx_header(conn, &hdr);
		if (ret)
			break;
		len = le32_to_cpu(hdr.len);
		if (conn->rx_got - off < hlen + len)
			break;
		atomic64_add(hlen + len, &conn->stats.bytes_in);
		if (hdr.type == HOSTLINK_REPLY)
			hostlink_complete_reply(conn, &hdr,
						conn->rxbuf + off + hlen, len);
		else
			hostlink_rx_event(conn, &hdr, conn->rxbuf + off + hlen,
					  len);
		off += hlen + len;
	}
	if (off) {
		memmove(conn->rxbuf, conn->rxbuf + off, conn->rx_got - off);
		conn->rx_got -= off;
	}
	return ret;
}

/* Reads per hostlink_rx_run(): a host cannot keep one drainer forever. */
#define HOSTLINK_RX_BUDGET	16

/*
 * Read and dispatch what the socket holds now, as much as rxbuf takes
 * per read, HOSTLINK_RX_BUDGET reads at most: a read that comes back
 * short has emptied the socket, and what comes later sets RX_PENDING
 * again; at the budget RX_PENDING is set for the next round.
 * Return: 0 when it has no more, or an error that loses the connection.
 * Context: process context; the caller holds rx_lock and conn->sock is
 * not NULL.
 */
static int hostlink_rx_drain(struct hostlink_conn *conn)
{
	const size_t cap = sizeof(struct hostlink_hdr) + conn->max_frame;
	struct socket *sock = conn->sock;
	unsigned int reads;
	int ret;

	lockdep_assert_held(&conn->rx_lock);
	for (reads = 0;; reads++) {
		struct msghdr msg = {};
		struct kvec iov = {
			.iov_base = conn->rxbuf + conn->rx_got,
			.iov_len = cap - conn->rx_got,
		};

		/* a host that never stops sending: leave the rest for later */
		if (reads == HOSTLINK_RX_BUDGET) {
			set_bit(HOSTLINK_RX_PENDING, &conn->rx_flags);
			return 0;
		}
		/* a header check keeps any frame within cap */
		if (WARN_ON_ONCE(!iov.iov_len))
			return -EPROTO;
		ret = kernel_recvmsg(sock, &msg, &iov, 1, iov.iov_len,
				     MSG_DONTWAIT);
		if (ret == -EAGAIN)
			return 0;
		if (ret == 0 && !conn->rx_got) {
			hostlink_set_error(conn, -ECONNRESET,
					   "the host closed the connection");
			return -ECONNRESET;
		}
		if (ret == 0) {
			atomic64_inc(&conn->stats.protocol_errors);
			hostlink_set_error(conn, -EPIPE,
					   "truncated frame from the host");
			return -EPIPE;
		}
		if (ret < 0) {
			hostlink_set_error(conn, ret, "connection lost");
			return ret;
		}
		conn->rx_got += ret;
		if (hostlink_rx_dispatch(conn))
			return -EPROTO;
		/*
		 * Short: the socket is empty unless its state changed (an end
		 * of stream behind the data), which one more read tells.  The
		 * bit is cleared before that read, so a change after it sets
		 * the bit again.
		 */
		if (ret < iov.iov_len &&
		    !test_and_clear_bit(HOSTLINK_RX_STATE, &conn->rx_flags))
			return 0;
	}
}

/**
 * hostlink_rx_run() - drain the socket if nobody else is
 * @conn: the connection
 *
 * Whoever holds rx_lock drains, one budget's worth, for everyone; a
 * caller that finds it taken leaves.  What is left, or came while the
 * lock was held, goes to a waiter (woken here, it drains next) or, with
 * none, to the work item.  Waiters thus look at their own request and
 * deadline between rounds.
 * Context: process context.
 */
void hostlink_rx_run(struct hostlink_conn *conn)
{
	int ret = 0;

	if (!mutex_trylock(&conn->rx_lock))
		return;
	if (test_and_clear_bit(HOSTLINK_RX_PENDING, &conn->rx_flags) &&
	    conn->sock && !test_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags))
		ret = hostlink_rx_drain(conn);
	if (ret) {
		set_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags);
		wake_up_all(&conn->state_wq);
	}
	mutex_unlock(&conn->rx_lock);
	/* replies completed for others; the lock is free again */
	wake_up_all(&conn->rx_wq);
	/*
	 * The callbacks set the bit and then look for waiters; we let go of
	 * the lock, then look at the bit: one of us sees the other.
	 */
	smp_mb();
	if (test_bit(HOSTLINK_RX_PENDING, &conn->rx_flags) &&
	    !test_bit(HOSTLINK_RX_BROKEN, &conn->rx_flags) &&
	    !atomic_read(&conn->rx_waiters))
		queue_work(system_highpri_wq, &conn->rx_work);
}

void hostlink_rx_work(struct work_struct *work)
{
	hostlink_rx_run(container_of(work, struct hostlink_conn, rx_work));
}

static bool hostlink_rx_ready(struct hostlink_conn *conn,
			      struct hostlink_req *req)
{
	return completion_done(&req->done) ||
	       (test_bit(HOSTLINK_RX_PENDING, &conn->rx_flags) &&
		!mutex_is_locked(&conn->rx_lock));
}

/**
 * hostlink_wait_reply() - wait for a request's reply, reading it if need be
 * @conn: the connection
 * @req: the request in flight
 * @timeout: jiffies to wait at most
 *
 * Context: process context, may sleep.
 * Return: >0 when @req is done, 0 on timeout, <0 on a signal.
 */
long hostlink_wait_reply(struct hostlink_conn *conn, struct hostlink_req *req,
			 long timeout)
{
	unsigned long deadline = jiffies + timeout;
	long left = timeout;

	atomic_inc(&conn->rx_waiters);
	/* pairs with the smp_mb__after_atomic() in hostlink_sk_data_ready() */
	smp_mb__after_atomic();
	for (;;) {
		if (test_bit(HOSTLINK_RX_PENDING, &conn->rx_flags))
			hostlink_rx_run(conn);
		if (completion_done(&req->done))
			break;
		/* draining for others takes time, and ends in no wait */
		left = (long)(deadline - jiffies);
		if (left <= 0) {
			left = 0;
			break;
		}
		if (signal_pending(current)) {
			left = -ERESTARTSYS;
			break;
		}
		left = wait_event_interruptible_timeout(conn->rx_wq,
							hostlink_rx_ready(conn, req),
							left);
		if (left <= 0)
			break;
		cond_resched();
	}
	atomic_dec(&conn->rx_waiters);
	/* pairs with the smp_mb__after_atomic() in hostlink_sk_data_ready() */
	smp_mb__after_atomic();
	/* data that came for nobody in particular: the work item reads it */
	if (test_bit(HOSTLINK_RX_PENDING, &conn->rx_flags) &&
	    !atomic_read(&conn->rx_waiters))
		queue_work(system_highpri_wq, &conn->rx_work);
	return completion_done(&req->done) ? max(left, 1L) : left;
}
