// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: requests on the control connection.
 *
 * A caller puts its request (on its own stack) into the connection's
 * table of requests in flight, writes the frame, and waits (reading the
 * socket itself when it can, see hostlink_rx.c) until a REPLY is matched
 * to it, the connection is lost, its deadline passes or a signal
 * arrives.  Whoever takes the request out
 * of the table completes it; a caller that gave up but finds its request
 * already taken waits for that completion, which is only a copy away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "hostlink_priv.h"

/* Take @req out of the table of requests in flight; conn->lock held. */
static void hostlink_req_unlink(struct hostlink_conn *conn,
				struct hostlink_req *req)
{
	lockdep_assert_held(&conn->lock);
	hash_del(&req->node);
	atomic_dec(&conn->in_flight);
}

/* Take the request in flight with @id out of the table; NULL if none. */
static struct hostlink_req *hostlink_req_take(struct hostlink_conn *conn,
					      u64 id)
{
	struct hostlink_req *req;

	hash_for_each_possible(conn->pending, req, node, id) {
		if (req->id == id) {
			hostlink_req_unlink(conn, req);
			return req;
		}
	}
	return NULL;
}

/**
 * hostlink_complete_reply() - hand a REPLY to its waiter
 * @conn: the connection
 * @hdr: the validated header
 * @data: the payload
 * @len: its length
 *
 * A reply to an id not in flight (late, duplicate or made up) is counted
 * and dropped.
 * Context: process context, rx_lock held.
 */
void hostlink_complete_reply(struct hostlink_conn *conn,
			     const struct hostlink_hdr *hdr, const void *data,
			     size_t len)
{
	u32 status = le32_to_cpu(hdr->status);
	struct hostlink_req *req;

	spin_lock(&conn->lock);
	req = hostlink_req_take(conn, le64_to_cpu(hdr->id));
	spin_unlock(&conn->lock);
	if (!req || req->op != le32_to_cpu(hdr->op)) {
		if (req) {
			/* right id, wrong op: the request fails, loudly */
			req->status = -EPROTO;
			atomic64_inc(&conn->stats.protocol_errors);
			goto out_complete;
		}
		atomic64_inc(&conn->stats.dropped);
		return;
	}
	atomic64_inc(&conn->stats.replies);
	if (status) {
		req->status = hostlink_status_errno(conn, status);
	} else if (len > req->resp_max) {
		req->status = -EMSGSIZE;
	} else {
		if (len)
			memcpy(req->resp, data, len);
		req->resp_len = len;
		req->status = 0;
	}
out_complete:
	complete(&req->done);
}

/**
 * hostlink_fail_all() - fail every request in flight
 * @conn: the connection, no longer READY
 * @err: the errno for the callers
 *
 * Context: process context.
 */
void hostlink_fail_all(struct hostlink_conn *conn, int err)
{
	struct hostlink_req *req;
	struct hlist_node *tmp;
	int bkt;

	spin_lock(&conn->lock);
	hash_for_each_safe(conn->pending, bkt, tmp, req, node) {
		hostlink_req_unlink(conn, req);
		req->status = err;
		complete(&req->done);
	}
	spin_unlock(&conn->lock);
	wake_up_all(&conn->rx_wq);
}

/* Send the CANCELs queued by callers that gave up. */
void hostlink_cancel_work(struct work_struct *work)
{
	struct hostlink_conn *conn = container_of(work, struct hostlink_conn,
						  cancel_work);
	struct hostlink_hdr hdr;
	long timeout = HZ;
	u64 id;
	int ret;

	if (hostlink_tx_acquire(conn, &timeout, true)) {
		/* a sender in the way: try again, unless the fifo was reset */
		if (!kfifo_is_empty(&conn->cancels) &&
		    READ_ONCE(conn->state) == HOSTLINK_STATE_READY)
			schedule_work(&conn->cancel_work);
		return;
	}
	while (kfifo_out_spinlocked(&conn->cancels, &id, 1,
				    &conn->cancel_lock)) {
		/* a new connection's handshake must not see it */
		if (!conn->sock ||
		    READ_ONCE(conn->state) != HOSTLINK_STATE_READY)
			break;
		hostlink_hdr_init(&hdr, conn->version, HOSTLINK_CANCEL, 0, 0,
				  id);
		ret = hostlink_send(conn->sock, &hdr, sizeof(hdr), NULL, 0, HZ);
		if (ret) {
			if (ret == -EPIPE)
				hostlink_conn_break(conn, "CANCEL cut short");
			break;
		}
		atomic64_inc(&conn->stats.cancels);
		atomic64_add(sizeof(hdr), &conn->stats.bytes_out);
	}
	hostlink_tx_release(conn);
}

/*
 * Is the connection READY and of generation @gen?  With the tx lock held
 * its socket is then that generation's until released.
 */
static bool hostlink_conn_is(struct hostlink_conn *conn, u64 gen)
{
	bool ret;

	spin_lock(&conn->lock);
	ret = conn->state == HOSTLINK_STATE_READY && conn->gen == gen;
	spin_unlock(&conn->lock);
	return ret;
}

static void hostlink_queue_cancel(struct hostlink_conn *conn, u64 id, u64 gen)
{
	bool queued = false;

	spin_lock(&conn->lock);
	if (conn->state == HOSTLINK_STATE_READY && conn->gen == gen &&
	    (conn->features & HOSTLINK_FEAT_CANCEL))
		queued = kfifo_in_spinlocked(&conn->cancels, &id, 1,
					     &conn->cancel_lock);
	spin_unlock(&conn->lock);
	if (queued)
		schedule_work(&conn->cancel_work);
}

/* Put @req in flight; returns the connection generation it went to. */
static int hostlink_req_insert(struct hostlink_conn *conn,
			       struct hostlink_req *req, size_t req_len,
			       u64 *gen)
{
	int ret = 0;

	spin_lock(&conn->lock);
	if (conn->state != HOSTLINK_STATE_READY) {
		ret = -ENOTCONN;
	} else if (req_len > conn->max_frame - sizeof(struct hostlink_cred)) {
		/* this connection's: the next may agree on less */
		ret = -EMSGSIZE;
	} else if (atomic_read(&conn->in_flight) >= HOSTLINK_MAX_IN_FLIGHT) {
		ret = -EBUSY;
	} else {
		req->id = ++conn->next_id;
		hash_add(conn->pending, &req->node, req->id);
		atomic_inc(&conn->in_flight);
		*gen = conn->gen;
	}
	spin_unlock(&conn->lock);
	return ret;
}

/* Take @req back; false if someone else took it and will complete it. */
static bool hostlink_req_remove(struct hostlink_conn *conn,
				struct hostlink_req *req)
{
	bool mine;

	spin_lock(&conn->lock);
	mine = !hlist_unhashed(&req->node);
	if (mine)
		hostlink_req_unlink(conn, req);
	spin_unlock(&conn->lock);
	return mine;
}

static int hostlink_req_send(struct hostlink_conn *conn,
			     struct hostlink_req *req,
			     const struct hostlink_call *call, u64 gen,
			     long *timeout)
{
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_cred cred;
	} head;
	unsigned long deadline = jiffies + *timeout;
	int ret;

	hostlink_hdr_init(&head.hdr, conn->version, HOSTLINK_REQUEST,
			  sizeof(head.cred) + call->req_len, call->op, req->id);
	if (call->flags & HOSTLINK_CALL_KERNEL)
		head.hdr.flags = cpu_to_le16(HOSTLINK_F_KERNEL);
	hostlink_cred_fill(&head.cred, call->flags & HOSTLINK_CALL_KERNEL);

	ret = hostlink_tx_acquire(conn, timeout, true);
	if (ret)
		return ret;
	/*
	 * The connection the request was filed under only: a new one has
	 * its socket before its HELLO and the same gen until it is READY.
	 */
	if (!hostlink_conn_is(conn, gen)) {
		ret = -ENOTCONN;
	} else {
		req->start = jiffies;	/* cheap: the clocksource may not be */
		ret = hostlink_send_request(conn, &head, sizeof(head),
					    call->req, call->req_len,
					    call->req_iter, *timeout);
		if (ret == -EPIPE) {
			hostlink_conn_break(conn, "request cut short");
			ret = -ENOTCONN;
		}
	}
	/*
	 * 1: a signal came mid-frame and a worker finishes it, holding the
	 * tx lock; the caller's wait for the reply then ends at once with
	 * -EINTR and a CANCEL, which goes out after the frame.
	 */
	if (ret > 0)
		ret = 0;
	else
		hostlink_tx_release(conn);
	/* what is left of the deadline for the reply */
	*timeout = max_t(long, (long)(deadline - jiffies), 0);
	if (!ret) {
		atomic64_inc(&conn->stats.requests);
		atomic64_add(sizeof(head) + call->req_len,
			     &conn->stats.bytes_out);
	}
	return ret;
}

/**
 * hostlink_call() - send a request and wait for its reply
 * @svc: a registered service
 * @call: the request; @call->resp_len is set on success
 *
 * The request carries the calling task's credentials, unless
 * HOSTLINK_CALL_KERNEL is set.  It is sent once, never again.
 *
 * Context: process context, may sleep; not from the service's own
 * callbacks.
 * Return: 0 or a negative errno: -ETIMEDOUT (deadline), -EINTR (signal;
 * the host is sent a CANCEL), -ENOTCONN (no connection, or lost before
 * the reply), -EMSGSIZE (request over the agreed frame size, or reply
 * over @call->resp_max), -EBUSY (too many requests in flight), -EPROTO
 * (the host answered with another op), or the host's error.
 */
int hostlink_call(struct hostlink_service *svc, struct hostlink_call *call)
{
	struct hostlink_conn *conn = svc->conn;
	unsigned int ms = min(call->timeout_ms ?: READ_ONCE(hostlink_timeout_ms),
			      HOSTLINK_TIMEOUT_MAX_MS);
	long timeout = msecs_to_jiffies(ms) ?: 1;
	struct hostlink_req req = {
		.op = call->op,
		.resp = call->resp,
		.resp_max = call->resp ? call->resp_max : 0,
	};
	u64 gen;
	long left;
	int ret;

	call->resp_len = 0;
	if (call->flags & ~HOSTLINK_CALL_KERNEL)
		return -EINVAL;
	if (READ_ONCE(conn->state) != HOSTLINK_STATE_READY)
		return -ENOTCONN;
	if (call->req_iter && (call->req ||
			       iov_iter_count(call->req_iter) != call->req_len))
		return -EINVAL;
	init_completion(&req.done);
	ret = hostlink_req_insert(conn, &req, call->req_len, &gen);
	if (ret)
		return ret;

	ret = hostlink_req_send(conn, &req, call, gen, &timeout);
	if (ret) {
		if (hostlink_req_remove(conn, &req))
			goto out_count;
		/* lost meanwhile: the teardown completes it */
		wait_for_completion(&req.done);
		return req.status;
	}

	left = hostlink_wait_reply(conn, &req, timeout);
	if (left > 0)
		goto out_done;
	if (!hostlink_req_remove(conn, &req)) {
		wait_for_completion(&req.done);
		goto out_done;
	}
	ret = left ? -EINTR : -ETIMEDOUT;
	hostlink_queue_cancel(conn, req.id, gen);
out_count:
	if (ret == -EINTR)
		atomic64_inc(&conn->stats.interrupts);
	else if (ret == -ETIMEDOUT)
		atomic64_inc(&conn->stats.timeouts);
	return ret;

out_done:
	call->resp_len = req.resp_len;
	return req.status;
}
EXPORT_SYMBOL_NS_GPL(hostlink_call, HOSTLINK);

/**
 * hostlink_connected() - is the control connection up?
 * @svc: a registered service
 *
 * Context: any.
 */
bool hostlink_connected(struct hostlink_service *svc)
{
	return READ_ONCE(svc->conn->state) == HOSTLINK_STATE_READY;
}
EXPORT_SYMBOL_NS_GPL(hostlink_connected, HOSTLINK);

/**
 * hostlink_features() - the HOSTLINK_FEAT_* in force
 * @svc: a registered service
 *
 * Those agreed at HELLO on the current control connection; 0 when none
 * is up.  The next connection may agree on others.
 *
 * Context: process context; does not sleep.
 */
u64 hostlink_features(struct hostlink_service *svc)
{
	struct hostlink_conn *conn = svc->conn;
	u64 ret = 0;

	spin_lock(&conn->lock);
	if (conn->state == HOSTLINK_STATE_READY)
		ret = conn->features;
	spin_unlock(&conn->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hostlink_features, HOSTLINK);

/**
 * hostlink_service_break() - drop the control connection
 * @svc: a registered service
 * @why: the reason, for sysfs's last_error and the log
 *
 * For a service that found the host breaking its own protocol (a reply
 * of the wrong size, an id it never gave): every request in flight
 * fails with -ENOTCONN, the service hears state(false), and the core
 * reconnects with backoff as after any loss.
 *
 * Context: process context, may sleep; not from the service's event
 * callback.
 */
void hostlink_service_break(struct hostlink_service *svc, const char *why)
{
	pr_warn_ratelimited("%s: dropping the connection: %s\n", svc->name, why);
	hostlink_conn_break(svc->conn, why);
}
EXPORT_SYMBOL_NS_GPL(hostlink_service_break, HOSTLINK);

/**
 * hostlink_max_payload() - the largest request the service may send now
 * @svc: a registered service
 *
 * Every REQUEST carries a struct hostlink_cred before the caller's
 * bytes, and its payload may be at most the frame limit agreed at HELLO
 * on the current control connection: the smaller of the host's
 * max_frame in WELCOME and this module's max_frame parameter.  So this
 * is that limit less the credential block: a @call->req_len up to it is
 * sent; one byte more fails with -EMSGSIZE before anything is sent, and
 * the connection stays up.  A reply may be as large as the whole agreed
 * frame.
 *
 * The value is the current connection's.  After host loss the next
 * connection may agree on less (the host may have restarted with a
 * smaller limit), and a request sized for the old one then fails with
 * -EMSGSIZE, or with -ENOTCONN if the connection went meanwhile.  A
 * caller that chunks a transfer sizes its chunks from this and asks
 * again after either error rather than keep the old value.
 *
 * Context: process context; does not sleep.
 * Return: the byte count, or -ENOTCONN when no control connection is up
 * (the next one may agree on another value, so none is given).
 */
ssize_t hostlink_max_payload(struct hostlink_service *svc)
{
	struct hostlink_conn *conn = svc->conn;
	ssize_t ret = -ENOTCONN;

	/* the same test as hostlink_req_insert() makes of a request */
	spin_lock(&conn->lock);
	if (conn->state == HOSTLINK_STATE_READY)
		ret = conn->max_frame - sizeof(struct hostlink_cred);
	spin_unlock(&conn->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hostlink_max_payload, HOSTLINK);

/**
 * hostlink_wait_connected() - wait until the control connection is up
 * @svc: a registered service
 * @timeout_ms: how long at most
 *
 * Context: process context, may sleep.
 * Return: 0, -ETIMEDOUT or -EINTR.
 */
int hostlink_wait_connected(struct hostlink_service *svc,
			    unsigned int timeout_ms)
{
	long ret;

	ret = wait_event_interruptible_timeout(svc->conn->state_wq,
					       hostlink_connected(svc),
					       msecs_to_jiffies(timeout_ms));
	if (ret < 0)
		return -EINTR;
	return ret ? 0 : -ETIMEDOUT;
}
EXPORT_SYMBOL_NS_GPL(hostlink_wait_connected, HOSTLINK);
