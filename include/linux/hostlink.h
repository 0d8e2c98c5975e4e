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

/**
 * struct hostlink_service - one guest service carried by hostlink
 * @name: short name, also the sysfs directory under
 *        /sys/kernel/hostlink/services/; set by the driver.
 * @port: AF_VSOCK port of the service on the host; set by the driver.
 * @kobj: sysfs object; owned by the core.
 * @node: entry in the core's service list; protected by the core's
 *        service lock.
 *
 * Embed it in static driver data and pass it to
 * hostlink_service_register().  The core never frees it.
 */
struct hostlink_service {
	const char *name;
	u32 port;
	struct kobject kobj;
	struct list_head node;
};

int hostlink_service_register(struct hostlink_service *svc);
void hostlink_service_unregister(struct hostlink_service *svc);
u32 hostlink_host_cid(void);

#endif /* _LINUX_HOSTLINK_H */
