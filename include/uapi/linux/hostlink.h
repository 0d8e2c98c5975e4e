/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hostlink wire protocol between the guest kernel and hostlinkd.
 *
 * Shared by hostlink.ko and the host daemon; the frame layout arrives
 * with the channel itself.  What is fixed already: the default vsock
 * ports of each service.  A port is a default only; every driver takes
 * its own as a module parameter.
 */
#ifndef _UAPI_LINUX_HOSTLINK_H
#define _UAPI_LINUX_HOSTLINK_H

#include <linux/types.h>

/* Default AF_VSOCK ports on which hostlinkd listens, one per service. */
#define HOSTLINK_PORT_DXG	0x4c00	/* 19456 */
#define HOSTLINK_PORT_INTEROP	0x4c01	/* 19457 */
#define HOSTLINK_PORT_9P	0x4c02	/* 19458 */

#endif /* _UAPI_LINUX_HOSTLINK_H */
