// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: host-initiated control connections.
 *
 * On hybrid vsock (Firecracker, Cloud Hypervisor) the VMM opens the
 * guest's connections to the host itself and hides their source port,
 * so the daemon cannot tell the kernel's control connection from any
 * guest process's: there it trusts only connections that it opened to
 * a reserved port of the guest, which only the guest kernel (or guest
 * root) can listen on.  With listen_port set, one kernel thread listens
 * on that port and takes connections from the host CID only; a worker
 * per connection (a few at once, so that one host connection that stalls
 * holds up no other) reads the OFFER that names a service and hands the
 * socket to that service's connection thread, which says HELLO on it as
 * on one it opened itself.
 *
 * Off by default: on vhost-vsock any host process may connect to a
 * guest port, so a listener there would let one pose as the daemon.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/vm_sockets.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "hostlink_priv.h"

/* OFFERs read at once, at most; further connections wait in the backlog. */
#define HOSTLINK_LISTEN_READERS	8

/**
 * struct hostlink_listen_conn - an accepted connection whose OFFER is read
 * @work: reads it (hostlink_listen_read()).
 * @node: in hostlink_listen_pending, for stop to shut it down.
 * @sock: the connection.
 * @deadline: when all of the OFFER must be there (jiffies).
 */
struct hostlink_listen_conn {
	struct work_struct work;
	struct list_head node;
	struct socket *sock;
	unsigned long deadline;
};

static struct task_struct *hostlink_listen_thread;
/* Where the OFFERs are read; drained by stop. */
static struct workqueue_struct *hostlink_listen_wq;
/*
 * Protects hostlink_listen_pending, hostlink_listen_readers and
 * hostlink_listen_stopping.
 */
static DEFINE_MUTEX(hostlink_listen_lock);
static struct socket *hostlink_listen_sock;
/*
 * Connections whose OFFER is being read, and how many (read without the
 * lock by the listener, which only waits on it).
 */
static LIST_HEAD(hostlink_listen_pending);
static unsigned int hostlink_listen_readers;
/* Woken when a reader is done: the listener may accept again. */
static DECLARE_WAIT_QUEUE_HEAD(hostlink_listen_room);
/* Set by stop: a connection accepted meanwhile is not read from. */
static bool hostlink_listen_stopping;

/*
 * Reads and checks the OFFER, due by @deadline; the service name into
 * @name.  0 or -errno.
 */
static int hostlink_listen_offer(struct socket *sock, char *name,
				 unsigned long deadline)
{
	struct {
		struct hostlink_hdr hdr;
		struct hostlink_offer offer;
	} in;
	const char *why, *type;
	size_t len;
	int ret;

	/* all of it by then, however the host spreads its bytes */
	ret = hostlink_recv(sock, &in, sizeof(in), deadline);
	if (ret)
		return ret;
	if (le32_to_cpu(in.hdr.magic) == HOSTLINK_MAGIC &&
	    in.hdr.type != HOSTLINK_OFFER) {
		type = hostlink_type_name(in.hdr.type);
		if (type)
			pr_info_ratelimited("host-initiated connection: expected OFFER, got %s\n",
					    type);
		else
			pr_info_ratelimited("host-initiated connection: expected OFFER, got frame type %u\n",
					    in.hdr.type);
		return -EPROTO;
	}
	if (hostlink_hdr_check(&in.hdr, 0, sizeof(in.offer), &why)) {
		pr_info_ratelimited("host-initiated connection: bad OFFER: %s\n",
				    why);
		return -EPROTO;
	}
	len = strnlen(in.offer.service, sizeof(in.offer.service));
	if (len == sizeof(in.offer.service) ||
	    memchr_inv(in.offer.service + len, 0, sizeof(in.offer.service) - len)) {
		pr_info_ratelimited("host-initiated connection: bad OFFER: service name not NUL-padded\n");
		return -EPROTO;
	}
	memcpy(name, in.offer.service, sizeof(in.offer.service));
	return 0;
}

/* A worker: read the OFFER, then to a service's thread, or closed. */
static void hostlink_listen_read(struct work_struct *work)
{
	struct hostlink_listen_conn *c =
		container_of(work, struct hostlink_listen_conn, work);
	char name[HOSTLINK_NAME_LEN];
	int ret;

	ret = hostlink_listen_offer(c->sock, name, c->deadline);
	mutex_lock(&hostlink_listen_lock);
	list_del(&c->node);
	WRITE_ONCE(hostlink_listen_readers, hostlink_listen_readers - 1);
	mutex_unlock(&hostlink_listen_lock);
	wake_up(&hostlink_listen_room);
	if (!ret) {
		ret = hostlink_service_offer(name, c->sock);
		if (!ret)
			c->sock = NULL;	/* the service's now */
		else
			pr_info_ratelimited("host offered a connection for service %s: %s\n",
					    name, ret == -ENOENT ? "no such service" :
					    "the service has one");
	}
	if (c->sock)
		sock_release(c->sock);
	kfree(c);
}

/* One accepted connection: to a worker that reads its OFFER, or closed. */
static void hostlink_listen_one(struct socket *sock)
{
	struct hostlink_listen_conn *c;
	struct sockaddr_vm addr;
	bool stopping;
	int ret;

	ret = kernel_getpeername(sock, (struct sockaddr *)&addr);
	if (ret < 0)
		goto out_release;
	if (addr.svm_cid != hostlink_host_cid()) {
		pr_info_ratelimited("refused a connection to port %u from CID %u port %u: not the host\n",
				    hostlink_listen_port, addr.svm_cid,
				    addr.svm_port);
		goto out_release;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto out_release;
	INIT_WORK(&c->work, hostlink_listen_read);
	c->sock = sock;
	/* the OFFER is due within the handshake's time of the accept */
	c->deadline = jiffies + msecs_to_jiffies(HOSTLINK_HANDSHAKE_MS);

	mutex_lock(&hostlink_listen_lock);
	stopping = hostlink_listen_stopping;
	if (!stopping) {
		list_add_tail(&c->node, &hostlink_listen_pending);
		WRITE_ONCE(hostlink_listen_readers,
			   hostlink_listen_readers + 1);
	}
	mutex_unlock(&hostlink_listen_lock);
	if (stopping) {
		kfree(c);
		goto out_release;
	}
	queue_work(hostlink_listen_wq, &c->work);
	return;

out_release:
	sock_release(sock);
}

static int hostlink_listen_main(void *data)
{
	struct socket *lsock = data;
	struct socket *sock;
	int ret;

	while (!kthread_should_stop()) {
		/* hosts that stall all the readers wait in the backlog */
		wait_event_interruptible(hostlink_listen_room,
					 READ_ONCE(hostlink_listen_readers) <
					 HOSTLINK_LISTEN_READERS ||
					 kthread_should_stop());
		if (kthread_should_stop())
			break;
		ret = kernel_accept(lsock, &sock, 0);
		if (ret) {
			if (kthread_should_stop())
				break;
			/* no memory, or the peer gave up; do not spin */
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		hostlink_listen_one(sock);
	}
	return 0;
}

/**
 * hostlink_listen_start() - listen for host-initiated control connections
 *
 * Does nothing unless the listen_port module parameter is set.
 * Context: process context (module init).
 * Return: 0 or a negative errno.
 */
int hostlink_listen_start(void)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = hostlink_listen_port,
	};
	struct task_struct *thread;
	struct socket *sock;
	int ret;

	if (!hostlink_listen_port)
		return 0;
	ret = sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock);
	if (ret) {
		pr_err("listen_port=%u: cannot create a vsock socket (%pe)\n",
		       hostlink_listen_port, ERR_PTR(ret));
		return ret;
	}
	ret = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!ret)
		ret = kernel_listen(sock, 8);
	if (ret) {
		pr_err("cannot listen on vsock port %u (%pe)\n",
		       hostlink_listen_port, ERR_PTR(ret));
		goto err_release;
	}
	hostlink_listen_wq = alloc_workqueue("hostlink-listen", WQ_UNBOUND,
					     HOSTLINK_LISTEN_READERS);
	if (!hostlink_listen_wq) {
		ret = -ENOMEM;
		goto err_release;
	}
	hostlink_listen_sock = sock;
	thread = kthread_run(hostlink_listen_main, sock, "hostlink-listen");
	if (IS_ERR(thread)) {
		ret = PTR_ERR(thread);
		hostlink_listen_sock = NULL;
		goto err_destroy_wq;
	}
	hostlink_listen_thread = thread;
	pr_info("taking host-initiated control connections on port %u from CID %u\n",
		hostlink_listen_port, hostlink_host_cid());
	return 0;

err_destroy_wq:
	destroy_workqueue(hostlink_listen_wq);
	hostlink_listen_wq = NULL;
err_release:
	sock_release(sock);
	return ret;
}

/**
 * hostlink_listen_stop() - stop listening; undoes hostlink_listen_start()
 *
 * Context: process context (module exit).
 */
void hostlink_listen_stop(void)
{
	struct hostlink_listen_conn *c;
	struct sock *sk;

	if (!hostlink_listen_thread)
		return;
	mutex_lock(&hostlink_listen_lock);
	hostlink_listen_stopping = true;
	/*
	 * A blocked accept() waits for a connection or an error on the
	 * listener, not for kthread_stop(), and shutdown() does not reach
	 * a listening vsock socket: post an error.
	 */
	sk = hostlink_listen_sock->sk;
	lock_sock(sk);
	sk->sk_err = ESHUTDOWN;
	release_sock(sk);
	sk_error_report(sk);
	/* and no OFFER is waited for: each reader sees its end at once */
	list_for_each_entry(c, &hostlink_listen_pending, node)
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&hostlink_listen_lock);

	kthread_stop(hostlink_listen_thread);
	hostlink_listen_thread = NULL;
	/* every reader done and out of this module's code */
	destroy_workqueue(hostlink_listen_wq);
	hostlink_listen_wq = NULL;
	sock_release(hostlink_listen_sock);
	hostlink_listen_sock = NULL;
	hostlink_listen_stopping = false;
}
