// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: the host's state.
 *
 * Each time the control connection comes up (a new epoch) a work item
 * sends INFO on the kernel's behalf and, if the reply holds up to every
 * check, takes the host's version and limits: from then on spawns may
 * go out.  A bad reply is a protocol error that drops the connection
 * (the core reconnects with backoff).  When the connection goes, every
 * session is lost (interop_session.c).  INTEROP_CAPS_GET and
 * INTEROP_MAP_PATH are here too: they are about the host, not a
 * session.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>

#include "interop_priv.h"

/* How long the INFO work waits for the connection to be published. */
#define INTEROP_INFO_WAIT_MS	5000

struct interop_host interop_host = {
	.lock = __MUTEX_INITIALIZER(interop_host.lock),
};

/* The INFO reply: 0, or -EPROTO with the reason. */
static int interop_info_check(const struct interop_wire_info_reply *r,
			      const char **why)
{
	u16 version = le16_to_cpu(r->version);
	u32 v;

	if (version < INTEROP_WIRE_VERSION_MIN ||
	    version > INTEROP_WIRE_VERSION_MAX ||
	    le16_to_cpu(r->min_version) > le16_to_cpu(r->max_version) ||
	    version < le16_to_cpu(r->min_version) ||
	    version > le16_to_cpu(r->max_version)) {
		*why = "INFO chose a version outside both ranges";
		return -EPROTO;
	}
	if (le64_to_cpu(r->features) & ~INTEROP_WIRE_FEAT_ALL) {
		*why = "INFO put features in force that were not offered";
		return -EPROTO;
	}
	if (le32_to_cpu(r->flags) & ~INTEROP_WIRE_INFO_F_ALL ||
	    r->__reserved0 || r->__reserved1) {
		*why = "INFO with an unknown flag or a reserved field set";
		return -EPROTO;
	}
	v = le32_to_cpu(r->max_sessions);
	if (v < 1 || v > INTEROP_WIRE_MAX_SESSIONS) {
		*why = "INFO max_sessions out of range";
		return -EPROTO;
	}
	v = le32_to_cpu(r->max_arg_bytes);
	if (v < 1 || v > INTEROP_WIRE_MAX_ARG_BYTES) {
		*why = "INFO max_arg_bytes out of range";
		return -EPROTO;
	}
	v = le32_to_cpu(r->max_argc);
	if (v < 1 || v > INTEROP_WIRE_MAX_ARGC) {
		*why = "INFO max_argc out of range";
		return -EPROTO;
	}
	if (le32_to_cpu(r->max_envc) > INTEROP_WIRE_MAX_ENVC) {
		*why = "INFO max_envc out of range";
		return -EPROTO;
	}
	return 0;
}

static void interop_info_work_fn(struct work_struct *work)
{
	const u64 need = HOSTLINK_FEAT_EVENTS | HOSTLINK_FEAT_ATTACH;
	struct interop_wire_info_reply r;
	const char *why = NULL;
	u64 epoch;
	int ret;

	mutex_lock(&interop_host.lock);
	epoch = interop_host.lim.epoch;
	mutex_unlock(&interop_host.lock);

	ret = hostlink_wait_connected(&interop_service, INTEROP_INFO_WAIT_MS);
	if (ret)
		return;
	if ((hostlink_features(&interop_service) & need) != need) {
		pr_warn_ratelimited("the host's connection lacks events or extra connections: no interop\n");
		return;
	}
	ret = interop_cmd_info(&r);
	if (!ret)
		ret = interop_info_check(&r, &why);
	if (ret == -EPROTO) {
		if (why)
			interop_cmd_protocol_error(why);
		hostlink_service_break(&interop_service,
				       why ?: "a bad INFO reply");
		return;
	}
	if (ret) {
		if (ret != -ENOTCONN)
			pr_warn_ratelimited("the host's interop service refused INFO: %d\n",
					    ret);
		return;
	}

	mutex_lock(&interop_host.lock);
	if (interop_host.connected && interop_host.lim.epoch == epoch &&
	    !interop_host.stopping) {
		interop_host.lim.version = le16_to_cpu(r.version);
		interop_host.lim.flags = le32_to_cpu(r.flags);
		interop_host.lim.max_sessions = le32_to_cpu(r.max_sessions);
		interop_host.lim.max_arg_bytes = le32_to_cpu(r.max_arg_bytes);
		interop_host.lim.max_argc = le32_to_cpu(r.max_argc);
		interop_host.lim.max_envc = le32_to_cpu(r.max_envc);
		interop_host.lim.ready = true;
		atomic64_inc(&interop_stats.infos);
	}
	mutex_unlock(&interop_host.lock);
}

/* Context: the service's connection thread. */
static void interop_service_state(struct hostlink_service *svc, bool up)
{
	mutex_lock(&interop_host.lock);
	interop_host.lim.ready = false;
	interop_host.connected = up;
	if (up) {
		interop_host.lim.epoch++;
		if (!interop_host.stopping)
			queue_work(interop_wq, &interop_host.info_work);
	}
	mutex_unlock(&interop_host.lock);
	if (!up)
		interop_sessions_lost();
}

/*
 * EVENT frames: in whichever caller drains the socket, with the
 * connection's receive lock held.
 */
static void interop_service_event(struct hostlink_service *svc, u32 op,
				  const void *data, size_t len)
{
	if (op != INTEROP_WIRE_EV_EXIT) {
		interop_cmd_protocol_error("an event of an unknown op");
		return;
	}
	if (len != sizeof(struct interop_wire_ev_exit)) {
		interop_cmd_protocol_error("an EXIT event of the wrong size");
		return;
	}
	interop_session_exit_event(data);
}

const struct hostlink_service_ops interop_service_ops = {
	.event = interop_service_event,
	.state = interop_service_state,
};

void interop_host_init(void)
{
	INIT_WORK(&interop_host.info_work, interop_info_work_fn);
}

/* Before the service is unregistered: no INFO queued or running. */
void interop_host_exit(void)
{
	mutex_lock(&interop_host.lock);
	interop_host.stopping = true;
	mutex_unlock(&interop_host.lock);
	cancel_work_sync(&interop_host.info_work);
}

/**
 * interop_host_limits() - a consistent copy of the host's state
 * @lim: (out) the copy
 *
 * Context: process context; takes interop_host.lock.
 */
void interop_host_limits(struct interop_limits *lim)
{
	mutex_lock(&interop_host.lock);
	*lim = interop_host.lim;
	mutex_unlock(&interop_host.lock);
}

/**
 * interop_arg_bytes_max() - the most bytes a spawn's strings may have
 * @lim: the host's state
 *
 * The least of INTEROP_MAX_ARG_BYTES, the max_arg_bytes parameter, and
 * with a host its limit and what the agreed frame holds after the
 * credential block and the OPEN body.
 * Context: process context.
 */
u32 interop_arg_bytes_max(const struct interop_limits *lim)
{
	u32 max = min(READ_ONCE(interop_max_arg_bytes), INTEROP_MAX_ARG_BYTES);
	ssize_t frame;

	if (!lim->ready)
		return max;
	max = min(max, lim->max_arg_bytes);
	frame = hostlink_max_payload(&interop_service);
	if (frame < 0)
		return max;
	frame -= sizeof(struct interop_wire_open);
	return frame > 0 ? min_t(u32, max, frame) : 0;
}

int interop_caps_get_ioctl(void *arg)
{
	struct interop_caps_get *a = arg;
	struct interop_limits lim;

	if (a->flags)
		return -EINVAL;
	interop_host_limits(&lim);
	a->out_uapi_version = INTEROP_UAPI_VERSION;
	a->out_host_version = lim.ready ? lim.version : 0;
	a->out_spawn_flags = INTEROP_SPAWN_ALL;
	a->out_host_flags = 0;
	a->out_max_sessions = READ_ONCE(interop_max_sessions);
	a->out_max_arg_bytes = interop_arg_bytes_max(&lim);
	a->out_max_argc = INTEROP_MAX_ARGC;
	a->out_max_envc = INTEROP_MAX_ENVC;
	if (lim.ready) {
		a->out_host_flags |= INTEROP_HOST_UP;
		if (lim.flags & INTEROP_WIRE_INFO_F_CWD_REFUSE)
			a->out_host_flags |= INTEROP_HOST_CWD_REFUSE;
		a->out_max_sessions = min(a->out_max_sessions,
					  lim.max_sessions);
		a->out_max_argc = min(a->out_max_argc, lim.max_argc);
		a->out_max_envc = min(a->out_max_envc, lim.max_envc);
	}
	return 0;
}

int interop_map_path_ioctl(void *arg)
{
	struct interop_map_path *a = arg;
	struct interop_limits lim;
	char *in, *out;
	size_t got = 0;
	int ret;

	if ((a->flags & ~INTEROP_MAP_ALL) || a->__reserved ||
	    a->in_len < 2 || a->in_len > INTEROP_MAX_PATH || a->out_len < 2)
		return -EINVAL;
	ret = interop_permitted();
	if (ret)
		return ret;
	in = kmalloc(a->in_len, GFP_KERNEL);
	out = kmalloc(INTEROP_WIRE_MAX_PATH, GFP_KERNEL);
	if (!in || !out) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(in, u64_to_user_ptr(a->in_uptr), a->in_len)) {
		ret = -EFAULT;
		goto out_free;
	}
	if (in[0] != '/' || memchr(in, '\0', a->in_len) != in + a->in_len - 1) {
		ret = -EINVAL;
		goto out_free;
	}
	interop_host_limits(&lim);
	if (!lim.ready) {
		ret = -ENOTCONN;
		goto out_free;
	}
	/* the UAPI's map flags are the wire's */
	BUILD_BUG_ON(INTEROP_MAP_ALL != INTEROP_WIRE_MAPPATH_F_ALL);
	ret = interop_cmd_mappath(a->flags, in, a->in_len, out, &got);
	if (ret)
		goto out_free;
	a->out_path_len = got;
	if (got > a->out_len) {
		ret = -ERANGE;
		goto out_free;
	}
	if (copy_to_user(u64_to_user_ptr(a->out_uptr), out, got))
		ret = -EFAULT;
out_free:
	kfree(out);
	kfree(in);
	return ret;
}
