/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dxg: userspace API of /dev/dxg, a paravirtual GPU after WSL's dxgkrnl.
 *
 * Ioctls are numbered from DXG_IOCTL_BASE; none is defined yet, so every
 * ioctl on /dev/dxg currently fails with ENOTTY.
 */
#ifndef _UAPI_LINUX_DXG_H
#define _UAPI_LINUX_DXG_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DXG_IOCTL_BASE	'X'

#endif /* _UAPI_LINUX_DXG_H */
