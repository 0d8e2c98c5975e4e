// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: module init, parameters and the sysfs root.
 *
 * The channel itself is in hostlink_conn.c (connection, receive
 * thread), hostlink_call.c (requests), hostlink_attach.c (extra
 * connections) and hostlink_wire.c (frames); the protocol is
 * Documentation/hostlink-protocol.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/vm_sockets.h>

#include "hostlink_priv.h"

static unsigned int host_cid = VMADDR_CID_HOST;
module_param(host_cid, uint, 0444);
MODULE_PARM_DESC(host_cid,
		 "vsock CID of the host running hostlinkd (default 2, the host; 1 is the loopback used by tests)");

unsigned int hostlink_timeout_ms = 10000;

/* Writable at run time, so checked on every write, not just at load. */
static int hostlink_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (!ms || ms > HOSTLINK_TIMEOUT_MAX_MS) {
		pr_err("timeout_ms=%u is outside 1-%u\n", ms,
		       HOSTLINK_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops hostlink_timeout_ops = {
	.set = hostlink_timeout_set,
	.get = param_get_uint,
};

module_param_cb(timeout_ms, &hostlink_timeout_ops, &hostlink_timeout_ms, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "deadline of a request whose caller gives none, in ms, 1 to 3600000 (default 10000)");

unsigned int hostlink_max_frame = HOSTLINK_FRAME_DEFAULT;
module_param_named(max_frame, hostlink_max_frame, uint, 0444);
MODULE_PARM_DESC(max_frame,
		 "largest frame payload offered at HELLO, 4096 to 16777216 (default 1048576)");

unsigned int hostlink_listen_port;
module_param_named(listen_port, hostlink_listen_port, uint, 0444);
MODULE_PARM_DESC(listen_port,
		 "reserved vsock port (1-1023) on which to take control connections the host opens, for hybrid vsock VMMs; 511 by convention (default 0: off)");

struct kobject *hostlink_kobj;

/**
 * hostlink_host_cid() - the vsock CID of the host that serves us
 *
 * Context: any.
 * Return: the CID given by the host_cid module parameter.
 */
u32 hostlink_host_cid(void)
{
	return host_cid;
}
EXPORT_SYMBOL_NS_GPL(hostlink_host_cid, HOSTLINK);

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", HOSTLINK_VERSION);
}

static struct kobj_attribute hostlink_version_attr = __ATTR_RO(version);

static ssize_t host_cid_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", host_cid);
}

static struct kobj_attribute hostlink_host_cid_attr = __ATTR_RO(host_cid);

static ssize_t listen_port_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", hostlink_listen_port);
}

static struct kobj_attribute hostlink_listen_port_attr = __ATTR_RO(listen_port);

static struct attribute *hostlink_attrs[] = {
	&hostlink_version_attr.attr,
	&hostlink_host_cid_attr.attr,
	&hostlink_listen_port_attr.attr,
	NULL,
};

static const struct attribute_group hostlink_attr_group = {
	.attrs = hostlink_attrs,
};

static int __init hostlink_init(void)
{
	int ret;

	if (host_cid == VMADDR_CID_ANY) {
		pr_err("host_cid=%u is not a valid host address\n", host_cid);
		return -EINVAL;
	}
	if (hostlink_max_frame < HOSTLINK_FRAME_MIN ||
	    hostlink_max_frame > HOSTLINK_FRAME_LIMIT) {
		pr_err("max_frame=%u is outside %u-%u\n", hostlink_max_frame,
		       HOSTLINK_FRAME_MIN, HOSTLINK_FRAME_LIMIT);
		return -EINVAL;
	}
	if (hostlink_listen_port >= HOSTLINK_RESERVED_PORT_END) {
		pr_err("listen_port=%u is not a reserved port (below %u)\n",
		       hostlink_listen_port, HOSTLINK_RESERVED_PORT_END);
		return -EINVAL;
	}

	hostlink_debugfs_init();
	hostlink_kobj = kobject_create_and_add("hostlink", kernel_kobj);
	if (!hostlink_kobj) {
		ret = -ENOMEM;
		goto err_debugfs;
	}

	ret = sysfs_create_group(hostlink_kobj, &hostlink_attr_group);
	if (ret)
		goto err_put_kobj;

	ret = hostlink_services_init();
	if (ret)
		goto err_remove_group;

	ret = hostlink_listen_start();
	if (ret)
		goto err_services;

	return 0;

err_services:
	hostlink_services_exit();
err_remove_group:
	sysfs_remove_group(hostlink_kobj, &hostlink_attr_group);
err_put_kobj:
	kobject_put(hostlink_kobj);
err_debugfs:
	hostlink_debugfs_exit();
	return ret;
}

static void __exit hostlink_exit(void)
{
	hostlink_listen_stop();
	hostlink_services_exit();
	sysfs_remove_group(hostlink_kobj, &hostlink_attr_group);
	kobject_put(hostlink_kobj);
	hostlink_debugfs_exit();
}

module_init(hostlink_init);
module_exit(hostlink_exit);

MODULE_DESCRIPTION("hostlink guest<->host channel core over AF_VSOCK");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
