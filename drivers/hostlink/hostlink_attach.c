// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: extra connections.
 *
 * A service that needs another socket (a stdio stream, a bulk transfer)
 * gets a one-time token from the host over its control connection and
 * calls hostlink_attach().  The socket is created with the calling
 * task's credentials, so LSM hooks see the task that will own it, and
 * binds an ordinary ephemeral port: reserved ports are for control
 * connections only.
 */
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/string.h>
#include <linux/vm_sockets.h>
#include <net/af_vsock.h>
#include <net/sock.h>

#include "hostlink_priv.h"

static int hostlink_attach_handshake(struct hostlink_conn *conn,
				     struct socket *sock,
				     const u8 token[HOSTLINK_TOKEN_LEN],
				     long timeout)
{
	struct hostlink_service *svc = conn->svc;
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_attach attach;
	} out;
	struct hostlink_hdr hdr;
	struct kvec iov = { .iov_base = &hdr, .iov_len = sizeof(hdr) };
	struct msghdr msg = {};
	const char *why;
	int ret;

	hostlink_hdr_init(&out.hdr, READ_ONCE(conn->version), HOSTLINK_ATTACH,
			  sizeof(out.attach), 0, 0);
	memcpy(out.attach.token, token, HOSTLINK_TOKEN_LEN);
	strscpy_pad(out.attach.service, svc->remote ?: svc->name,
		    sizeof(out.attach.service));
	ret = hostlink_send(sock, &out, sizeof(out), NULL, 0, timeout);
	if (ret)
		return ret == -EPIPE ? -ECONNRESET : ret;

	WRITE_ONCE(sock->sk->sk_rcvtimeo, timeout);
	ret = kernel_recvmsg(sock, &msg, &iov, 1, sizeof(hdr), MSG_WAITALL);
	if (ret == -EAGAIN)
		return -ETIMEDOUT;
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (ret < 0)
		return ret;
	if (ret != sizeof(hdr))
		return -ECONNRESET;
	if (hostlink_hdr_check(&hdr, 0, 0, &why) ||
	    hdr.type != HOSTLINK_ATTACHED) {
		atomic64_inc(&conn->stats.protocol_errors);
		return -EPROTO;
	}
	return hostlink_status_errno(conn, le32_to_cpu(hdr.status));
}

/**
 * hostlink_attach() - open an extra connection with a one-time token
 * @svc: a registered service whose control connection is up
 * @token: the token the host gave out for it
 * @timeout_ms: deadline for connecting and the host's answer; 0 for
 *	the default
 * @sockp: (out) the connected socket, carrying the service's raw bytes;
 *	the caller releases it (or installs it as a file)
 *
 * Context: process context of the task that will own the socket; may
 * sleep.
 * Return: 0, -EOPNOTSUPP (no extra connections on this control
 * connection), -ENOTCONN, -ETIMEDOUT, -EINTR, -EACCES (token refused),
 * -EPROTO (bad answer), or a socket error.
 */
int hostlink_attach(struct hostlink_service *svc,
		    const u8 token[HOSTLINK_TOKEN_LEN],
		    unsigned int timeout_ms, struct socket **sockp)
{
	struct hostlink_conn *conn = svc->conn;
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = hostlink_host_cid(),
		.svm_port = svc->port,
	};
	long timeout = msecs_to_jiffies(min(timeout_ms ?: READ_ONCE(hostlink_timeout_ms),
					    HOSTLINK_TIMEOUT_MAX_MS));
	unsigned long deadline = jiffies + timeout;
	struct socket *sock;
	int ret;

	if (!hostlink_connected(svc))
		return -ENOTCONN;
	if (!(READ_ONCE(conn->features) & HOSTLINK_FEAT_ATTACH))
		return -EOPNOTSUPP;

	/* the caller's credentials, not the kernel's */
	ret = sock_create(AF_VSOCK, SOCK_STREAM, 0, &sock);
	if (ret)
		return ret;
	vsock_sk(sock->sk)->connect_timeout = timeout;
	ret = kernel_connect(sock, (struct sockaddr *)&addr, sizeof(addr), 0);
	if (ret == -ERESTARTSYS)
		ret = -EINTR;
	if (ret)
		goto err_release;

	timeout = max_t(long, (long)(deadline - jiffies), 1);
	ret = hostlink_attach_handshake(conn, sock, token, timeout);
	if (ret)
		goto err_release;
	*sockp = sock;
	return 0;

err_release:
	sock_release(sock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hostlink_attach, HOSTLINK);
