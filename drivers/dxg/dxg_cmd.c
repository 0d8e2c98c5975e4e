// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: the host commands, the only file that calls hostlink.
 *
 * Each command builds its request (struct dxg_wire_req, then the op's
 * body), sends it with hostlink_call() and checks the reply's size
 * exactly: a reply of another size is the host breaking the protocol,
 * counted, answered -EPROTO and the connection dropped, since nothing
 * else it says can be trusted after that.  A command about a lost
 * adapter is not sent (-ENODEV); one whose adapter is lost while it
 * waits fails -ENODEV whatever the wire said, as the protocol document
 * asks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "dxg_priv.h"

/**
 * struct dxg_cmd - one request about an adapter
 * @dfile: the file the request is for (its process id), or NULL for HELLO
 * @ah: the adapter handle the request is about, which gives @adapter
 *	and the wire adapter handle; NULL in ADAPTER_OPEN and HELLO
 * @adapter: the adapter (its nonce) when @ah is NULL: ADAPTER_OPEN; NULL
 *	for HELLO
 * @op: enum dxg_wire_op
 * @flags: HOSTLINK_CALL_*
 * @timeout_ms: 0 for dxg_timeout_ms
 * @body: the op's body after struct dxg_wire_req
 * @len: its bytes
 * @data: bytes after the body (a chunked WRITE's), or NULL
 * @data_len: their number
 * @resp: the reply buffer
 * @resp_len: the exact reply size expected
 * @resp_max: the reply buffer's size, when the reply's size varies (then
 *	@resp_len is the least); 0 for @resp_len
 * @chunk: the data bytes of a chunked READ or WRITE, else 0
 * @got: (out) bytes of reply
 */
struct dxg_cmd {
	struct dxg_file *dfile;
	struct dxg_ahandle *ah;
	struct dxg_adapter *adapter;
	u32 op;
	u32 flags;
	unsigned int timeout_ms;
	const void *body;
	size_t len;
	const void *data;
	size_t data_len;
	void *resp;
	size_t resp_len;
	size_t resp_max;
	size_t chunk;
	size_t got;
};

/**
 * dxg_cmd_protocol_error() - the host broke the protocol in a reply
 * @why: what it did, for the log
 *
 * Counted in bad_replies and the connection dropped: nothing else the
 * host says can be trusted after that (the core reconnects).
 * Context: process context.
 */
void dxg_cmd_protocol_error(const char *why)
{
	atomic64_inc(&dxg_stats.bad_replies);
	hostlink_service_break(&dxg_service, why);
}

/*
 * A malformed event answers no call, so nothing fails with it; but the
 * host that sent it can no longer be trusted to send the events waiters
 * need.  The connection is dropped from a work item (the core does not
 * allow it from the event callback), and waiters see the adapters lost.
 */
static DEFINE_SPINLOCK(dxg_break_lock);	/* the two below */
static bool dxg_break_off;
static char dxg_break_why[64];

static void dxg_break_fn(struct work_struct *work)
{
	char why[sizeof(dxg_break_why)];

	spin_lock_irq(&dxg_break_lock);
	memcpy(why, dxg_break_why, sizeof(why));
	spin_unlock_irq(&dxg_break_lock);
	hostlink_service_break(&dxg_service, why);
}

static DECLARE_WORK(dxg_break_work, dxg_break_fn);

/**
 * dxg_cmd_event_malformed() - the host broke the protocol in an event
 * @why: what it did, for the log
 *
 * Counted in events_dropped; the connection is dropped soon after.
 * Context: the service's event callback; any context.
 */
void dxg_cmd_event_malformed(const char *why)
{
	unsigned long flags;

	atomic64_inc(&dxg_stats.events_dropped);
	spin_lock_irqsave(&dxg_break_lock, flags);
	if (!dxg_break_off && !work_pending(&dxg_break_work)) {
		strscpy(dxg_break_why, why, sizeof(dxg_break_why));
		queue_work(dxg_wq, &dxg_break_work);
	}
	spin_unlock_irqrestore(&dxg_break_lock, flags);
}

/* Before the service is unregistered: no break work queued or running. */
void dxg_cmd_exit(void)
{
	spin_lock_irq(&dxg_break_lock);
	dxg_break_off = true;
	spin_unlock_irq(&dxg_break_lock);
	cancel_work_sync(&dxg_break_work);
}

static void dxg_cmd_bad_reply(u32 op, size_t got, size_t want)
{
	char why[64];

	snprintf(why, sizeof(why), "op %u: reply of %zu bytes, not %zu",
		 op, got, want);
	dxg_cmd_protocol_error(why);
}

/*
 * The errno of a failed call.  -EMSGSIZE is the host's "ask for less"
 * to a chunked READ or WRITE of @chunk bytes above DXG_XFER_CHUNK_MIN:
 * passed back for the caller to ask again in smaller chunks.  For any
 * other op (fixed replies, all well inside every agreed frame), or a
 * chunk every conforming host takes, it is the host breaking the
 * protocol (a reply over our buffer, or a refusal it may not make):
 * counted, the connection dropped, -EPROTO.
 */
static int dxg_cmd_errno(struct dxg_adapter *adapter, u32 op, size_t chunk,
			 int err)
{
	if (!err)
		return 0;
	if (adapter && dxg_adapter_lost(adapter))
		return -ENODEV;
	switch (err) {
	case -ENOTCONN:
	case -ESTALE:
		return -ENODEV;
	case -EMSGSIZE:
		if (chunk > DXG_XFER_CHUNK_MIN)
			return -EMSGSIZE;
		dxg_cmd_protocol_error(op == DXG_WIRE_OP_READ || op == DXG_WIRE_OP_WRITE ?
			      "a chunk every host takes refused as too long" :
			      "a reply over the op's size");
		return -EPROTO;
	default:
		return err;
	}
}

static int dxg_cmd_run(struct dxg_cmd *c)
{
	struct dxg_wire_req req = {};
	struct kvec vec[3];
	struct iov_iter it;
	struct hostlink_call call = {
		.op = c->op,
		.flags = c->flags,
		.timeout_ms = c->timeout_ms ?: dxg_timeout_ms,
		.resp = c->resp,
		.resp_max = c->resp_max ?: c->resp_len,
	};
	unsigned int n = 0;
	int ret;

	if (c->ah) {
		c->adapter = c->ah->adapter;
		req.adapter = cpu_to_le64(c->ah->obj.host_id);
	}
	if (c->adapter) {
		if (dxg_adapter_lost(c->adapter))
			return -ENODEV;
		req.process = cpu_to_le64(c->dfile->process);
		req.nonce = cpu_to_le64(c->adapter->nonce);
		vec[n].iov_base = &req;
		vec[n++].iov_len = sizeof(req);
	}
	if (c->len) {
		vec[n].iov_base = (void *)c->body;
		vec[n++].iov_len = c->len;
	}
	if (c->data_len) {
		vec[n].iov_base = (void *)c->data;
		vec[n++].iov_len = c->data_len;
	}
	call.req_len = (c->adapter ? sizeof(req) : 0) + c->len + c->data_len;
	if (n) {
		iov_iter_kvec(&it, ITER_SOURCE, vec, n, call.req_len);
		call.req_iter = &it;
	}

	ret = hostlink_call(&dxg_service, &call);
	if (ret)
		return dxg_cmd_errno(c->adapter, c->op, c->chunk, ret);
	c->got = call.resp_len;
	if (c->got < c->resp_len || (!c->resp_max && c->got != c->resp_len)) {
		dxg_cmd_bad_reply(c->op, c->got, c->resp_len);
		return -EPROTO;
	}
	return 0;
}

/* The largest data chunk of a chunked READ or WRITE now. */
ssize_t dxg_cmd_xfer_max(void)
{
	ssize_t max = hostlink_max_payload(&dxg_service);

	if (max < 0)
		return -ENODEV;
	/* the payload counts the credential block; the overhead too */
	max = max + sizeof(struct hostlink_cred) - DXG_WIRE_XFER_OVERHEAD;
	return max > 0 ? max : -EPROTO;
}

/**
 * dxg_cmd_hello() - HELLO on a new control connection
 * @reply: (out) the reply's head, host-endian fields left little-endian
 * @adapters: (out) room for DXG_WIRE_MAX_ADAPTERS adapters
 *
 * Sent on the kernel's own behalf from the HELLO work item.  The reply's
 * size is checked against its adapter count; the rest of it is
 * dxg_adapter.c's to check.
 * Return: 0 or a negative errno.
 */
int dxg_cmd_hello(struct dxg_wire_hello_reply *reply,
		  struct dxg_wire_adapter *adapters)
{
	struct dxg_wire_hello req = {
		.min_version = cpu_to_le16(DXG_WIRE_VERSION_MIN),
		.max_version = cpu_to_le16(DXG_WIRE_VERSION_MAX),
		.features = cpu_to_le64(DXG_WIRE_FEAT_ALL),
	};
	size_t max = sizeof(*reply) +
		     DXG_WIRE_MAX_ADAPTERS * sizeof(*adapters);
	struct dxg_cmd c = {
		.op = DXG_WIRE_OP_HELLO,
		.flags = HOSTLINK_CALL_KERNEL,
		.body = &req,
		.len = sizeof(req),
		.resp_len = sizeof(*reply),
		.resp_max = max,
	};
	size_t want;
	void *buf;
	int ret;

	buf = kmalloc(max, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	c.resp = buf;
	ret = dxg_cmd_run(&c);
	if (ret)
		goto out;
	memcpy(reply, buf, sizeof(*reply));
	want = sizeof(*reply) +
	       le16_to_cpu(reply->n_adapters) * sizeof(*adapters);
	if (le16_to_cpu(reply->n_adapters) > DXG_WIRE_MAX_ADAPTERS ||
	    c.got != want) {
		dxg_cmd_bad_reply(c.op, c.got, want);
		ret = -EPROTO;
		goto out;
	}
	memcpy(adapters, buf + sizeof(*reply), want - sizeof(*reply));
out:
	kfree(buf);
	return ret;
}

int dxg_cmd_adapter_open(struct dxg_file *dfile, struct dxg_adapter *adapter,
			 u64 *out_id)
{
	struct dxg_wire_adapter_open body = {};
	struct dxg_wire_id id;
	struct dxg_cmd c = {
		.dfile = dfile,
		.adapter = adapter,
		.op = DXG_WIRE_OP_ADAPTER_OPEN,
		.body = &body,
		.len = sizeof(body),
		.resp = &id,
		.resp_len = sizeof(id),
	};
	int ret;

	ret = dxg_cmd_run(&c);
	if (ret)
		return ret;
	*out_id = le64_to_cpu(id.id);
	if (!*out_id) {
		dxg_cmd_bad_reply(c.op, 0, sizeof(id));
		return -EPROTO;
	}
	return 0;
}

/*
 * ADAPTER_CLOSE; @kernel when the release worker sends it for a file
 * that is gone (no task to stamp, none to interrupt).
 */
int dxg_cmd_adapter_close(struct dxg_file *dfile, struct dxg_ahandle *ah,
			  bool kernel)
{
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_ADAPTER_CLOSE,
		.flags = kernel ? HOSTLINK_CALL_KERNEL : 0,
	};

	return dxg_cmd_run(&c);
}

int dxg_cmd_query(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 type,
		  void *out, size_t len)
{
	struct dxg_wire_query body = { .type = cpu_to_le32(type) };
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_QUERY,
		.body = &body,
		.len = sizeof(body),
		.resp = out,
		.resp_len = len,
	};

	return dxg_cmd_run(&c);
}

/* A create op: @body the op's body, *@out_id the new object's id. */
int dxg_cmd_create(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 op,
		   const void *body, size_t len, u64 *out_id)
{
	struct dxg_wire_id id;
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = op,
		.body = body,
		.len = len,
		.resp = &id,
		.resp_len = sizeof(id),
	};
	int ret;

	ret = dxg_cmd_run(&c);
	if (ret)
		return ret;
	*out_id = le64_to_cpu(id.id);
	if (!*out_id) {
		dxg_cmd_bad_reply(op, 0, sizeof(id));
		return -EPROTO;
	}
	return 0;
}

/* A destroy op of the object @id. */
int dxg_cmd_destroy(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 op,
		    u64 id)
{
	struct dxg_wire_id body = { .id = cpu_to_le64(id) };
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = op,
		.body = &body,
		.len = sizeof(body),
	};

	return dxg_cmd_run(&c);
}

int dxg_cmd_device_state(struct dxg_file *dfile, struct dxg_ahandle *ah,
			 u64 device, struct dxg_wire_device_state *out)
{
	struct dxg_wire_id body = { .id = cpu_to_le64(device) };
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_DEVICE_GET_STATE,
		.body = &body,
		.len = sizeof(body),
		.resp = out,
		.resp_len = sizeof(*out),
	};

	return dxg_cmd_run(&c);
}

/* LOCK may wait for queued work: its own, longer deadline. */
int dxg_cmd_lock(struct dxg_file *dfile, struct dxg_ahandle *ah,
		 const struct dxg_wire_lock *lk)
{
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_LOCK,
		.timeout_ms = dxg_lock_timeout_ms,
		.body = lk,
		.len = sizeof(*lk),
	};

	return dxg_cmd_run(&c);
}

int dxg_cmd_unlock(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc)
{
	struct dxg_wire_unlock body = { .alloc = cpu_to_le64(alloc) };
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_UNLOCK,
		.body = &body,
		.len = sizeof(body),
	};

	return dxg_cmd_run(&c);
}

/*
 * One chunked READ: exactly @len bytes (at most dxg_cmd_xfer_max()).
 * -EMSGSIZE: the host wants smaller chunks (dxg_cmd_errno()).
 */
int dxg_cmd_read(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		 u64 offset, void *buf, size_t len)
{
	struct dxg_wire_xfer body = {
		.alloc = cpu_to_le64(alloc),
		.offset = cpu_to_le64(offset),
		.length = cpu_to_le64(len),
	};
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_READ,
		.body = &body,
		.len = sizeof(body),
		.resp = buf,
		.resp_len = len,
		.chunk = len,
	};

	return dxg_cmd_run(&c);
}

/* One chunked WRITE of @len bytes (at most dxg_cmd_xfer_max()); as READ. */
int dxg_cmd_write(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		  u64 offset, const void *buf, size_t len)
{
	struct dxg_wire_xfer body = {
		.alloc = cpu_to_le64(alloc),
		.offset = cpu_to_le64(offset),
		.length = cpu_to_le64(len),
	};
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_WRITE,
		.body = &body,
		.len = sizeof(body),
		.data = buf,
		.data_len = len,
		.chunk = len,
	};

	return dxg_cmd_run(&c);
}

/* Is a bulk transfer possible on the control connection now? */
bool dxg_cmd_bulk_possible(void)
{
	return (READ_ONCE(dxg_hosts.features) & DXG_WIRE_FEAT_BULK) &&
	       (hostlink_features(&dxg_service) & HOSTLINK_FEAT_ATTACH);
}

/*
 * Move @len bytes over a bulk stream, then read the host's closing
 * record.  Each send or receive must make progress within
 * dxg_timeout_ms.  Return: 0, -EINTR, or -EIO (a short stream, a bad
 * record, no progress) or the errno the record carries.
 */
static int dxg_bulk_stream(struct socket *sock, void *buf, size_t len,
			   bool write)
{
	long timeout = msecs_to_jiffies(dxg_timeout_ms);
	struct dxg_wire_bulk_done done;
	size_t want = len;
	struct msghdr msg;
	struct kvec vec;
	u32 status;
	int ret;

	WRITE_ONCE(sock->sk->sk_rcvtimeo, timeout);
	WRITE_ONCE(sock->sk->sk_sndtimeo, timeout);
	while (len) {
		vec.iov_base = buf;
		vec.iov_len = min_t(size_t, len, SZ_1M);
		memset(&msg, 0, sizeof(msg));
		msg.msg_flags = MSG_NOSIGNAL;
		/*
		 * No MSG_WAITALL: vsock refuses it (-ENOMEM) for more than
		 * its receive buffer; take what has come.
		 */
		if (write)
			ret = kernel_sendmsg(sock, &msg, &vec, 1, vec.iov_len);
		else
			ret = kernel_recvmsg(sock, &msg, &vec, 1, vec.iov_len, 0);
		if (ret == -ERESTARTSYS || ret == -EINTR)
			return -EINTR;
		if (ret <= 0)
			return -EIO;
		buf += ret;
		len -= ret;
	}

	vec.iov_base = &done;
	vec.iov_len = sizeof(done);
	memset(&msg, 0, sizeof(msg));
	ret = kernel_recvmsg(sock, &msg, &vec, 1, sizeof(done), MSG_WAITALL);
	if (ret == -ERESTARTSYS || ret == -EINTR)
		return -EINTR;
	if (ret != sizeof(done) ||
	    le32_to_cpu(done.magic) != DXG_WIRE_BULK_DONE_MAGIC)
		return -EIO;
	status = le32_to_cpu(done.status);
	if (!status)
		return le64_to_cpu(done.length) == want ? 0 : -EIO;
	return status <= MAX_ERRNO ? -(int)status : -EIO;
}

/**
 * dxg_cmd_bulk() - one bulk READ (@write false) or WRITE
 * @dfile: the file
 * @ah: the adapter handle of the allocation
 * @alloc: its host id
 * @offset: allocation offset of the first byte
 * @buf: the bytes (kernel memory)
 * @len: their number
 * @write: WRITE, else READ
 *
 * Asks for a token, opens the extra connection with it and moves the
 * bytes there.  When no stream can be had (the host refuses bulk, or the
 * extra connection is refused, say by the guest's connection limit) the
 * caller moves the bytes in chunks instead; the host's unused token
 * expires on its own.
 * Context: process context; sleeps; a signal ends it with -EINTR.
 * Return: 0, -EAGAIN (use chunks), or a negative errno.
 */
int dxg_cmd_bulk(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		 u64 offset, void *buf, size_t len, bool write)
{
	struct dxg_wire_xfer body = {
		.alloc = cpu_to_le64(alloc),
		.offset = cpu_to_le64(offset),
		.length = cpu_to_le64(len),
		.flags = cpu_to_le32(DXG_WIRE_XFER_F_BULK),
	};
	struct dxg_wire_bulk tok;
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = write ? DXG_WIRE_OP_WRITE : DXG_WIRE_OP_READ,
		.body = &body,
		.len = sizeof(body),
		.resp = &tok,
		.resp_len = sizeof(tok),
	};
	struct socket *sock;
	int ret;

	ret = dxg_cmd_run(&c);
	if (ret == -EOPNOTSUPP)
		return -EAGAIN;
	if (ret)
		return ret;
	ret = hostlink_attach(&dxg_service, tok.token, dxg_timeout_ms, &sock);
	memzero_explicit(&tok, sizeof(tok));
	if (ret == -EINTR)
		return ret;
	if (ret) {
		if (dxg_adapter_lost(ah->adapter) || ret == -ENOTCONN)
			return -ENODEV;
		atomic64_inc(&dxg_stats.bulk_fallbacks);
		return -EAGAIN;
	}
	ret = dxg_bulk_stream(sock, buf, len, write);
	sock_release(sock);
	if (ret && dxg_adapter_lost(ah->adapter))
		return -ENODEV;
	if (!ret)
		atomic64_inc(&dxg_stats.bulk_transfers);
	return ret;
}

/* SUBMIT: @body is struct dxg_wire_submit and what follows it. */
int dxg_cmd_submit(struct dxg_file *dfile, struct dxg_ahandle *ah,
		   const void *body, size_t len, u64 *out_submit)
{
	struct dxg_wire_submit_reply reply;
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_SUBMIT,
		.body = body,
		.len = len,
		.resp = &reply,
		.resp_len = sizeof(reply),
	};
	int ret;

	ret = dxg_cmd_run(&c);
	if (ret)
		return ret;
	*out_submit = le64_to_cpu(reply.submit);
	return 0;
}

int dxg_cmd_fence_signal(struct dxg_file *dfile, struct dxg_ahandle *ah,
			 u64 fence, u64 value)
{
	struct dxg_wire_fence_value body = {
		.fence = cpu_to_le64(fence),
		.value = cpu_to_le64(value),
	};
	struct dxg_cmd c = {
		.dfile = dfile,
		.ah = ah,
		.op = DXG_WIRE_OP_FENCE_SIGNAL,
		.body = &body,
		.len = sizeof(body),
	};

	return dxg_cmd_run(&c);
}
