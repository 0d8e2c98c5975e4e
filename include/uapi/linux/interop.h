/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * interop: userspace API of /dev/interop, which runs host programs.
 *
 * Ioctls are numbered from INTEROP_IOCTL_BASE; none is defined yet, so
 * every ioctl on /dev/interop currently fails with ENOTTY.
 */
#ifndef _UAPI_LINUX_INTEROP_H
#define _UAPI_LINUX_INTEROP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define INTEROP_IOCTL_BASE	'I'

#endif /* _UAPI_LINUX_INTEROP_H */
