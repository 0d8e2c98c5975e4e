/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlink core, private declarations.
 *
 * Lock order, outermost first:
 *   hostlink_services_lock (service registry)
 *   hostlink_conn.rx_lock (the right to read the socket)
 *   hostlink_conn.tx (a bit lock: the right to send on the socket)
 *   hostlink_conn.sock_lock (who may shut down or release the socket)
 *   hostlink_conn.lock (state and requests in flight)
 *   hostlink_conn.cancel_lock
 */
#ifndef _HOSTLINK_PRIV_H
#define _HOSTLINK_PRIV_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/hostlink.h>
#include <linux/kfifo.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/hostlink.h>

struct sock;

/* /sys/kernel/hostlink, created at module init, parent of services/. */
extern struct kobject *hostlink_kobj;
/* /sys/kernel/debug/hostlink, or an error pointer. */
extern struct dentry *hostlink_debugfs_root;

/* Module parameters (hostlink_main.c). */
extern unsigned int hostlink_timeout_ms;
/* An hour: the longest deadline, the module's default or a caller's. */
#define HOSTLINK_TIMEOUT_MAX_MS	3600000U
extern unsigned int hostlink_max_frame;
extern unsigned int hostlink_listen_port;

enum hostlink_state {
	HOSTLINK_STATE_CONNECTING,	/* no connection; trying */
	HOSTLINK_STATE_READY,		/* HELLO done, requests flow */
	HOSTLINK_STATE_REFUSED,		/* the host said no; retrying */
	HOSTLINK_STATE_STOPPED,		/* service unregistering */
};

#define HOSTLINK_RX_PENDING	0
#define HOSTLINK_RX_BROKEN	1
#define HOSTLINK_RX_STATE	2

/* Requests in flight per service, at most. */
#define HOSTLINK_MAX_IN_FLIGHT	4096
/* log2 of the buckets of hostlink_conn.pending */
#define HOSTLINK_PENDING_BITS	6

/* Counters under /sys/kernel/hostlink/services/<name>/. */
struct hostlink_stats {
	atomic64_t connects;		/* HELLOs that succeeded */
	atomic64_t disconnects;		/* connections lost */
	atomic64_t refusals;		/* HELLOs refused by either side */
	atomic64_t requests;		/* REQUESTs sent */
	atomic64_t replies;		/* REPLY frames matched to a waiter */
	atomic64_t timeouts;		/* deadlines missed */
	atomic64_t interrupts;		/* waits ended by a signal */
	atomic64_t cancels;		/* CANCELs sent */
	atomic64_t dropped;		/* REPLY frames for no request in flight */
	atomic64_t events;		/* EVENT frames delivered */
	atomic64_t protocol_errors;	/* bad frames from the host */
	atomic64_t bytes_out;		/* frame bytes sent */
	atomic64_t bytes_in;		/* frame bytes received */
	atomic64_t offers;		/* host-initiated connections taken */
};

/**
 * struct hostlink_req - a request in flight; lives on its caller's stack
 * @id: the wire id, the key in hostlink_conn.pending.
 * @node: its entry there; unhashed once taken out.
 * @op: operation, for debugfs.
 * @start: when it was sent (jiffies), for debugfs; 0 before.
 * @done: completed by whoever removed it from pending (receiver, loss).
 * @status: 0 or a negative errno; set before @done.
 * @resp: the caller's reply buffer; @resp_max its size.
 * @resp_max: size of @resp.
 * @resp_len: bytes written to @resp; set before @done.
 *
 * Whoever takes the entry out of pending owns the fields until it
 * completes @done; the caller returns only after that.
 */
struct hostlink_req {
	u64 id;
	struct hlist_node node;
	u32 op;
	unsigned long start;
	struct completion done;
	int status;
	void *resp;
	size_t resp_max;
	size_t resp_len;
};

/**
 * struct hostlink_conn - the control connection of one service
 * @svc: the service.
 * @thread: connects, receives, reconnects; "hostlink-<name>".
 * @sock_lock: held to change @sock, and by anyone who shuts it down.
 * @sock: the socket, or NULL; read by senders that hold @tx.
 * @tx: bit 0 held while sending on @sock (see hostlink_tx_acquire()).
 * @tx_wq: waiters for @tx.
 * @tx_work: finishes a request frame whose sender had a signal, holding
 *	@tx meanwhile (hostlink_send_request()).
 * @tx_rest: the rest of that frame; room for a header and
 *	hostlink_max_frame bytes.  Owned by whoever holds @tx, as are
 *	@tx_rest_len and @tx_rest_deadline.
 * @tx_rest_len: bytes in @tx_rest.
 * @tx_rest_deadline: when the frame must be out (jiffies), or the
 *	connection is given up.
 * @lock: protects @pending, @next_id, @state, @offered, @gen, @version,
 *	@max_frame, @features and @last_error.
 * @pending: requests in flight, hashed by id.  A table of list heads
 *	and not an xarray: ids only grow, so an xarray would allocate and
 *	RCU-free nodes on nearly every request.
 * @state: enum hostlink_state.
 * @offered: a connection the host opened (hostlink_listen.c), for the
 *	thread to say HELLO on; protected by @lock.
 * @gen: connection generation, bumped on each successful HELLO.
 * @version: protocol version agreed at HELLO.
 * @max_frame: largest payload both sides accept.
 * @features: HOSTLINK_FEAT_* in force.
 * @local_port: our reserved source port, 0 when not connected.
 * @in_flight: entries in @pending.
 * @next_id: last request id given out.
 * @state_wq: woken on every change of @state.
 * @cancel_lock: protects @cancels.
 * @cancels: ids to CANCEL, sent by @cancel_work.
 * @cancel_work: sends the queued CANCELs.
 * @rx_lock: held by whoever reads the socket (hostlink_rx.c).
 * @rx_flags: HOSTLINK_RX_PENDING (the socket may have data or news),
 *	HOSTLINK_RX_BROKEN (the connection is lost; the thread closes it),
 *	HOSTLINK_RX_STATE (the socket's state changed: a short read does
 *	not prove that the socket has nothing more to say, end of stream
 *	included).
 * @rx_waiters: callers waiting for a reply; they read for themselves.
 * @rx_wq: where they wait.
 * @rx_work: reads when no caller waits.
 * @rx_got: bytes held in @rxbuf; protected by @rx_lock.
 * @saved_data_ready: the socket's callback before ours.
 * @saved_state_change: likewise.
 * @rxbuf: what was read and not yet dispatched: whole frames, then the
 *	start of the next one; room for a header and @max_frame bytes.
 *	Protected by @rx_lock.
 * @last_error: why the last connection ended or was refused.
 * @stats: counters.
 * @debugfs: /sys/kernel/debug/hostlink/<name>.
 */
struct hostlink_conn {
	struct hostlink_service *svc;
	struct task_struct *thread;

	struct mutex sock_lock;		/* see above */
	struct socket *sock;
	unsigned long tx;
	wait_queue_head_t tx_wq;
	struct work_struct tx_work;
	void *tx_rest;
	size_t tx_rest_len;
	unsigned long tx_rest_deadline;

	spinlock_t lock;		/* see above */
	DECLARE_HASHTABLE(pending, HOSTLINK_PENDING_BITS);
	enum hostlink_state state;
	struct socket *offered;
	u64 gen;
	u16 version;
	u32 max_frame;
	u64 features;
	u32 local_port;
	atomic_t in_flight;
	u64 next_id;
	wait_queue_head_t state_wq;

	spinlock_t cancel_lock;		/* see above */
	DECLARE_KFIFO(cancels, u64, 256);
	struct work_struct cancel_work;

	struct mutex rx_lock;		/* see above */
	unsigned long rx_flags;
	atomic_t rx_waiters;
	wait_queue_head_t rx_wq;
	struct work_struct rx_work;
	size_t rx_got;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	void *rxbuf;
	char last_error[96];
	struct hostlink_stats stats;
	struct dentry *debugfs;
};

int hostlink_services_init(void);
void hostlink_services_exit(void);

/* hostlink_conn.c: the connection and its thread */
int hostlink_conn_start(struct hostlink_service *svc);
void hostlink_conn_stop(struct hostlink_service *svc);
int hostlink_conn_offer(struct hostlink_conn *conn, struct socket *sock);
const char *hostlink_state_name(enum hostlink_state state);
int hostlink_tx_acquire(struct hostlink_conn *conn, long *timeout,
			bool interruptible);
void hostlink_tx_release(struct hostlink_conn *conn);
int hostlink_send(struct socket *sock, const void *head, size_t head_len,
		  const void *body, size_t body_len, long timeout);
int hostlink_recv(struct socket *sock, void *buf, size_t len,
		  unsigned long deadline);
int hostlink_send_request(struct hostlink_conn *conn, const void *head,
			  size_t head_len, const void *body, size_t body_len,
			  struct iov_iter *body_iter, long timeout);
void hostlink_tx_rest_work(struct work_struct *work);
void hostlink_conn_break(struct hostlink_conn *conn, const char *why);
__printf(3, 4)
void hostlink_set_error(struct hostlink_conn *conn, int err,
			const char *fmt, ...);

/* hostlink_listen.c: host-initiated control connections */
int hostlink_listen_start(void);
void hostlink_listen_stop(void);
int hostlink_service_offer(const char *name, struct socket *sock);

/* hostlink_rx.c: receiving */
void hostlink_rx_attach(struct hostlink_conn *conn, struct socket *sock);
void hostlink_rx_detach(struct hostlink_conn *conn, struct socket *sock);
void hostlink_rx_run(struct hostlink_conn *conn);
void hostlink_rx_work(struct work_struct *work);
long hostlink_wait_reply(struct hostlink_conn *conn, struct hostlink_req *req,
			 long timeout);

/* hostlink_call.c: requests */
void hostlink_cancel_work(struct work_struct *work);
void hostlink_complete_reply(struct hostlink_conn *conn,
			     const struct hostlink_hdr *hdr, const void *data,
			     size_t len);
void hostlink_fail_all(struct hostlink_conn *conn, int err);

/* hostlink_wire.c: frames */
void hostlink_hdr_init(struct hostlink_hdr *hdr, u8 version, u8 type,
		       u32 len, u32 op, u64 id);
const char *hostlink_type_name(u8 type);
int hostlink_status_errno(struct hostlink_conn *conn, u32 status);
int hostlink_hdr_check(const struct hostlink_hdr *hdr, u8 version,
		       u32 max_frame, const char **why);
void hostlink_cred_fill(struct hostlink_cred *cred, bool kernel);

/* hostlink_debugfs.c */
void hostlink_debugfs_init(void);
void hostlink_debugfs_exit(void);
void hostlink_debugfs_add(struct hostlink_conn *conn);
void hostlink_debugfs_remove(struct hostlink_conn *conn);

#endif /* _HOSTLINK_PRIV_H */
