// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: frame headers and the credential block.
 *
 * Documentation/hostlink-protocol.rst is the contract; every check here
 * names the rule it enforces, so the caller can log why a frame was
 * refused.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>

#include "hostlink_priv.h"

void hostlink_hdr_init(struct hostlink_hdr *hdr, u8 version, u8 type,
		       u32 len, u32 op, u64 id)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(HOSTLINK_MAGIC);
	hdr->version = version;
	hdr->type = type;
	hdr->len = cpu_to_le32(len);
	hdr->op = cpu_to_le32(op);
	hdr->id = cpu_to_le64(id);
}

/**
 * hostlink_type_name() - a frame type for the log
 * @type: the header's type byte
 *
 * Context: any.
 * Return: the type's name, or NULL for a type the protocol does not have.
 */
const char *hostlink_type_name(u8 type)
{
	switch (type) {
	case HOSTLINK_HELLO:
		return "HELLO";
	case HOSTLINK_WELCOME:
		return "WELCOME";
	case HOSTLINK_REQUEST:
		return "REQUEST";
	case HOSTLINK_REPLY:
		return "REPLY";
	case HOSTLINK_EVENT:
		return "EVENT";
	case HOSTLINK_CANCEL:
		return "CANCEL";
	case HOSTLINK_ATTACH:
		return "ATTACH";
	case HOSTLINK_ATTACHED:
		return "ATTACHED";
	case HOSTLINK_OFFER:
		return "OFFER";
	}
	return NULL;
}

/**
 * hostlink_hdr_check() - validate a header from the host
 * @hdr: the header as received
 * @version: the agreed version; 0 while waiting for WELCOME
 * @max_frame: the largest payload allowed
 * @why: (out) on failure, the rule that was broken
 *
 * Checks what can be checked without the payload or the request table.
 * Context: any.
 * Return: 0 or -EPROTO.
 */
int hostlink_hdr_check(const struct hostlink_hdr *hdr, u8 version,
		       u32 max_frame, const char **why)
{
	u32 len = le32_to_cpu(hdr->len);
	u32 status = le32_to_cpu(hdr->status);
	u64 id = le64_to_cpu(hdr->id);

	*why = NULL;
	if (le32_to_cpu(hdr->magic) != HOSTLINK_MAGIC)
		*why = "bad magic";
	else if (hdr->flags || hdr->__reserved)
		*why = "flags or reserved bits set";
	else if (len > max_frame)
		*why = "frame longer than agreed";
	else if (status > HOSTLINK_ERRNO_MAX)
		*why = "status out of range";
	if (*why)
		return -EPROTO;

	switch (hdr->type) {
	case HOSTLINK_WELCOME:
		if (version)
			*why = "WELCOME after the handshake";
		else if (len != sizeof(struct hostlink_welcome))
			*why = "WELCOME of the wrong size";
		else if (id || hdr->op)
			*why = "WELCOME with an id or op";
		break;
	case HOSTLINK_REPLY:
		if (hdr->version != version || !version)
			*why = "REPLY of another version";
		else if (!id)
			*why = "REPLY without an id";
		else if (status && len)
			*why = "failed REPLY with a payload";
		break;
	case HOSTLINK_EVENT:
		if (hdr->version != version || !version)
			*why = "EVENT of another version";
		else if (id || status)
			*why = "EVENT with an id or status";
		break;
	case HOSTLINK_ATTACHED:
		if (len || id || hdr->op)
			*why = "ATTACHED with a payload, id or op";
		break;
	case HOSTLINK_OFFER:
		if (version)
			*why = "OFFER after the handshake";
		else if (len != sizeof(struct hostlink_offer))
			*why = "OFFER of the wrong size";
		else if (id || hdr->op || status)
			*why = "OFFER with an id, op or status";
		break;
	default:
		*why = "unexpected frame type";
		break;
	}
	return *why ? -EPROTO : 0;
}

/**
 * hostlink_cred_fill() - stamp who is asking
 * @cred: the block to fill
 * @kernel: the kernel asks on its own behalf: all zero
 *
 * Context: process context of the caller whose credentials are stamped.
 */
void hostlink_cred_fill(struct hostlink_cred *cred, bool kernel)
{
	struct nsproxy *nsp;

	memset(cred, 0, sizeof(*cred));
	if (kernel)
		return;

	cred->uid = cpu_to_le32(from_kuid_munged(&init_user_ns, current_euid()));
	cred->gid = cpu_to_le32(from_kgid_munged(&init_user_ns, current_egid()));
	cred->pid = cpu_to_le32(task_tgid_nr_ns(current, &init_pid_ns));
	cred->tid = cpu_to_le32(task_pid_nr_ns(current, &init_pid_ns));
	cred->userns = cpu_to_le64(current_user_ns()->ns.inum);
	cred->pidns = cpu_to_le64(task_active_pid_ns(current)->ns.inum);

	/* current's own nsproxy: stable for current, NULL while exiting */
	nsp = current->nsproxy;
	if (!nsp)
		return;
	cred->netns = cpu_to_le64(nsp->net_ns->ns.inum);
	cred->utsns = cpu_to_le64(nsp->uts_ns->ns.inum);
	if (nsp->ipc_ns)
		cred->ipcns = cpu_to_le64(nsp->ipc_ns->ns.inum);
#ifdef CONFIG_CGROUPS
	cred->cgroupns = cpu_to_le64(nsp->cgroup_ns->ns.inum);
#endif
}

/* Host statuses from here up are the kernel's own numbers: refused. */
#define HOSTLINK_STATUS_LIMIT	512

/**
 * hostlink_status_errno() - a host's status as an errno for our callers
 * @conn: the connection it came on, whose protocol errors count a bad one
 * @status: the status of a checked header
 *
 * The kernel keeps the numbers from 512 up for itself (-ERESTARTSYS and
 * the like must never reach user space), so a host may not send them.
 * Context: any.
 * Return: -@status (0 for 0), or -EPROTO for a status the host may not
 * send.
 */
int hostlink_status_errno(struct hostlink_conn *conn, u32 status)
{
	if (status < HOSTLINK_STATUS_LIMIT)
		return -(int)status;
	atomic64_inc(&conn->stats.protocol_errors);
	return -EPROTO;
}
