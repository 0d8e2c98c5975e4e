// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: the host commands, the only file that calls hostlink.
 *
 * Each command builds its body (Documentation/interop-protocol.rst),
 * sends it with hostlink_call() and checks the reply's size exactly.  A
 * reply that breaks the protocol is counted and answered -EPROTO; the
 * connection stays (the protocol keeps it for everything but INFO,
 * whose caller drops it).  Requests on a task's behalf carry its
 * credentials; CLOSE from the release worker and INFO carry the
 * kernel's (HOSTLINK_CALL_KERNEL).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "interop_priv.h"

/**
 * interop_cmd_protocol_error() - the host broke the protocol
 * @why: what it did, for the log
 *
 * Counted in exec/protocol_errors and logged, rate-limited.
 * Context: any.
 */
void interop_cmd_protocol_error(const char *why)
{
	atomic64_inc(&interop_stats.protocol_errors);
	pr_warn_ratelimited("host protocol error: %s\n", why);
}

/*
 * One call: @body (and @data) out, a reply of exactly @resp_len bytes
 * in (or up to @resp_max when that is not 0).  -EMSGSIZE from the core
 * with a reply buffer is a reply over its size: the host's error.
 */
static int interop_cmd_run(u32 op, u32 flags, const void *body, size_t len,
			   const void *data, size_t data_len, void *resp,
			   size_t resp_len, size_t resp_max, size_t *got)
{
	struct kvec vec[2] = {
		{ .iov_base = (void *)body, .iov_len = len },
		{ .iov_base = (void *)data, .iov_len = data_len },
	};
	struct hostlink_call call = {
		.op = op,
		.flags = flags,
		.timeout_ms = READ_ONCE(interop_timeout_ms),
		.req_len = len + data_len,
		.resp = resp,
		.resp_max = resp_max ?: resp_len,
	};
	struct iov_iter it;
	ssize_t max;
	char why[64];
	int ret;

	iov_iter_kvec(&it, ITER_SOURCE, vec, data_len ? 2 : 1, len + data_len);
	call.req_iter = &it;
	ret = hostlink_call(&interop_service, &call);
	max = hostlink_max_payload(&interop_service);
	if (ret == -EMSGSIZE && max >= 0 && call.req_len <= max) {
		snprintf(why, sizeof(why), "op %u: a reply over %zu bytes",
			 op, call.resp_max);
		interop_cmd_protocol_error(why);
		return -EPROTO;
	}
	if (ret)
		return ret;
	if (got)
		*got = call.resp_len;
	if (call.resp_len == resp_len || (resp_max && call.resp_len <= resp_max))
		return 0;
	snprintf(why, sizeof(why), "op %u: reply of %zu bytes, not %zu",
		 op, call.resp_len, resp_len);
	interop_cmd_protocol_error(why);
	return -EPROTO;
}

/**
 * interop_cmd_info() - INFO, the first request of a control connection
 * @reply: (out) the reply, to be checked by the caller
 *
 * Context: the INFO work item.
 * Return: 0 or a negative errno.
 */
int interop_cmd_info(struct interop_wire_info_reply *reply)
{
	struct interop_wire_info req = {
		.min_version = cpu_to_le16(INTEROP_WIRE_VERSION_MIN),
		.max_version = cpu_to_le16(INTEROP_WIRE_VERSION_MAX),
		.features = cpu_to_le64(INTEROP_WIRE_FEAT_ALL),
	};

	return interop_cmd_run(INTEROP_WIRE_OP_INFO, HOSTLINK_CALL_KERNEL,
			       &req, sizeof(req), NULL, 0, reply,
			       sizeof(*reply), 0, NULL);
}

/**
 * interop_cmd_open() - OPEN a session on the host
 * @sess: the session, registered; its id, flags
 * @strings: the checked strings
 * @len: their bytes
 * @argc: argv strings among them
 * @envc: env strings among them
 * @rows: the pty's rows, or 0
 * @cols: its columns, or 0
 * @reply: (out) the reply, to be checked by the caller
 *
 * Context: the spawning task; sleeps.
 * Return: 0 or a negative errno (the host's refusal among them).
 */
int interop_cmd_open(struct interop_session *sess, const void *strings,
		     u32 len, u32 argc, u32 envc, u16 rows, u16 cols,
		     struct interop_wire_open_reply *reply)
{
	struct interop_wire_open req = {
		.session = cpu_to_le64(sess->id),
		.flags = cpu_to_le32(sess->flags),
		.rows = cpu_to_le16(rows),
		.cols = cpu_to_le16(cols),
		.argc = cpu_to_le32(argc),
		.envc = cpu_to_le32(envc),
		.strings_len = cpu_to_le32(len),
	};

	/* the UAPI's spawn flags are the wire's */
	BUILD_BUG_ON(INTEROP_SPAWN_ALL != INTEROP_WIRE_OPEN_F_ALL);
	return interop_cmd_run(INTEROP_WIRE_OP_OPEN, 0, &req, sizeof(req),
			       strings, len, reply, sizeof(*reply), 0, NULL);
}

/**
 * interop_cmd_attach() - open a stream with a token of an OPEN reply
 * @token: the token
 * @sockp: (out) the connected socket, its timeouts reset
 *
 * The socket is the caller's (its credentials, LSM hooks, network
 * namespace).  hostlink_attach() leaves the socket's receive timeout at
 * its deadline; a stream the caller reads blocks as any socket does.
 * Context: the spawning task; sleeps.
 * Return: 0 or a negative errno.
 */
int interop_cmd_attach(const u8 *token, struct socket **sockp)
{
	struct socket *sock;
	int ret;

	ret = hostlink_attach(&interop_service, token,
			      READ_ONCE(interop_timeout_ms), &sock);
	if (ret)
		return ret;
	WRITE_ONCE(sock->sk->sk_rcvtimeo, MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(sock->sk->sk_sndtimeo, MAX_SCHEDULE_TIMEOUT);
	*sockp = sock;
	return 0;
}

static int interop_cmd_session_op(struct interop_session *sess, u32 op,
				  u32 flags)
{
	struct interop_wire_session req = { .session = cpu_to_le64(sess->id) };

	return interop_cmd_run(op, flags, &req, sizeof(req), NULL, 0, NULL, 0,
			       0, NULL);
}

/* START: 0 once the program runs, else the errno of its exec. */
int interop_cmd_start(struct interop_session *sess)
{
	return interop_cmd_session_op(sess, INTEROP_WIRE_OP_START, 0);
}

/* CLOSE, from the release worker: on the kernel's behalf. */
int interop_cmd_close(struct interop_session *sess)
{
	atomic64_inc(&interop_stats.closes);
	return interop_cmd_session_op(sess, INTEROP_WIRE_OP_CLOSE,
				      HOSTLINK_CALL_KERNEL);
}

/* SIGNAL with @wsig in asm-generic numbers. */
int interop_cmd_signal(struct interop_session *sess, u32 wsig)
{
	struct interop_wire_signal req = {
		.session = cpu_to_le64(sess->id),
		.signo = cpu_to_le32(wsig),
	};

	return interop_cmd_run(INTEROP_WIRE_OP_SIGNAL, 0, &req, sizeof(req),
			       NULL, 0, NULL, 0, 0, NULL);
}

int interop_cmd_resize(struct interop_session *sess, u16 rows, u16 cols)
{
	struct interop_wire_resize req = {
		.session = cpu_to_le64(sess->id),
		.rows = cpu_to_le16(rows),
		.cols = cpu_to_le16(cols),
	};

	return interop_cmd_run(INTEROP_WIRE_OP_RESIZE, 0, &req, sizeof(req),
			       NULL, 0, NULL, 0, 0, NULL);
}

/**
 * interop_cmd_mappath() - MAPPATH
 * @flags: INTEROP_WIRE_MAPPATH_F_*
 * @path: an absolute path ending in its only NUL
 * @len: its bytes, NUL included
 * @out: room for INTEROP_WIRE_MAX_PATH bytes
 * @out_len: (out) bytes of the reply, checked: an absolute path ending
 *	in its only NUL
 *
 * Context: the calling task; sleeps.
 * Return: 0 or a negative errno.
 */
int interop_cmd_mappath(u32 flags, const char *path, u32 len, char *out,
			size_t *out_len)
{
	struct interop_wire_mappath req = {
		.flags = cpu_to_le32(flags),
		.path_len = cpu_to_le32(len),
	};
	size_t got = 0;
	int ret;

	ret = interop_cmd_run(INTEROP_WIRE_OP_MAPPATH, 0, &req, sizeof(req),
			      path, len, out, 2, INTEROP_WIRE_MAX_PATH, &got);
	if (ret)
		return ret;
	if (got < 2 || out[0] != '/' || memchr(out, '\0', got) != out + got - 1) {
		interop_cmd_protocol_error("MAPPATH: a reply that is not an absolute path");
		return -EPROTO;
	}
	*out_len = got;
	return 0;
}
