/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlink core: the in-kernel API that the service drivers (dxg,
 * interop) use.  Symbols live in the HOSTLINK namespace; a user needs
 * MODULE_IMPORT_NS(HOSTLINK).
 */
#ifndef _LINUX_HOSTLINK_H
#define _LINUX_HOSTLINK_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/hostlink.h>

/*
 * The one version number of the package: modinfo, the tools' --version
 * and dkms.conf all read it from here.
 */
#define HOSTLINK_VERSION "0.1.0"

struct iov_iter;
struct hostlink_conn;
struct hostlink_service;
struct socket;

/**
 * struct hostlink_service_ops - what the core tells a service
 * @event: an EVENT frame arrived; @data is valid only during the call.
 *	Context: process context with the connection's receive lock held
 *	(a caller waiting for its reply, or a work item); may sleep
 *	briefly, must not call hostlink_call() on the same service.
 * @state: the control connection came up (@up true) or was lost (@up
 *	false; every request in flight has failed with -ENOTCONN by then).
 *	Context: the service's connection thread.
 */
struct hostlink_service_ops {
	void (*event)(struct hostlink_service *svc, u32 op, const void *data,
		      size_t len);
	void (*state)(struct hostlink_service *svc, bool up);
};

/**
 * struct hostlink_service - one guest service carried by hostlink
 * @name: short name, also the sysfs directory under
 *        /sys/kernel/hostlink/services/; set by the driver.
 * @remote: the service name sent in HELLO, if not @name; set by the
 *          driver or NULL.
 * @port: AF_VSOCK port of the service on the host; set by the driver.
 * @ops: callbacks, or NULL; set by the driver.
 * @kobj: sysfs object; owned by the core.
 * @node: entry in the core's service list; protected by the core's
 *        service lock.
 * @conn: the control connection; owned by the core.
 *
 * Embed it in driver data and pass it to hostlink_service_register(),
 * which starts connecting to the host at once.  The core never frees it.
 */
struct hostlink_service {
	const char *name;
	const char *remote;
	u32 port;
	const struct hostlink_service_ops *ops;
	struct kobject kobj;
	struct list_head node;
	struct hostlink_conn *conn;
};

/* hostlink_call() flags */
#define HOSTLINK_CALL_KERNEL	BIT(0)	/* on the kernel's own behalf */

/**
 * struct hostlink_call - one request and its reply
 * @op: the service's operation code.
 * @flags: HOSTLINK_CALL_*.
 * @timeout_ms: deadline from now; 0 for the core's default (the
 *	timeout_ms module parameter).
 * @req: request bytes (kernel memory), after the credential block.
 * @req_len: their length.
 * @req_iter: instead of @req, the request bytes as an iterator over
 *	memory that cannot fault (ITER_KVEC, or ITER_BVEC over pinned
 *	pages): a large request is then copied once, into the socket.
 *	Its count must equal @req_len; it is consumed.
 * @resp: buffer for the reply (kernel memory), or NULL.
 * @resp_max: its size.
 * @resp_len: (out) bytes of reply written to @resp.
 */
struct hostlink_call {
	u32 op;
	u32 flags;
	unsigned int timeout_ms;
	const void *req;
	size_t req_len;
	struct iov_iter *req_iter;
	void *resp;
	size_t resp_max;
	size_t resp_len;
};

int hostlink_service_register(struct hostlink_service *svc);
void hostlink_service_unregister(struct hostlink_service *svc);
u32 hostlink_host_cid(void);
int hostlink_call(struct hostlink_service *svc, struct hostlink_call *call);
int hostlink_attach(struct hostlink_service *svc,
		    const u8 token[HOSTLINK_TOKEN_LEN],
		    unsigned int timeout_ms, struct socket **sockp);
bool hostlink_connected(struct hostlink_service *svc);
u64 hostlink_features(struct hostlink_service *svc);
void hostlink_service_break(struct hostlink_service *svc, const char *why);
ssize_t hostlink_max_payload(struct hostlink_service *svc);
int hostlink_wait_connected(struct hostlink_service *svc,
			    unsigned int timeout_ms);

#endif /* _LINUX_HOSTLINK_H */
