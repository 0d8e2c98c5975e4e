// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: ioctl dispatch.
 *
 * Every argument starts with __u32 size and __u32 flags (dxg.h).  The
 * dispatcher reads @size, refuses one below this header's structure
 * (EINVAL), copies the structure with copy_struct_from_user() (a
 * non-zero byte beyond ours is E2BIG), calls the handler on the
 * kernel's copy and, when it succeeds, writes back min(@size, ours)
 * bytes.  Handlers check @flags and __reserved themselves: they know
 * which bits are theirs.  It dispatches on type, number and direction,
 * not on the size the ioctl number encodes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "dxg_priv.h"

/* Handlers that must write back some output even when they fail. */
#define DXG_IOCTL_OUT_ON_ERROR	BIT(0)

struct dxg_ioctl_desc {
	int (*fn)(struct dxg_file *dfile, void *arg);
	unsigned int dir;
	u32 size;
	u32 flags;
};

#define DXG_IOCTL(name, handler, fl)				\
	[DXG_NR_##name] = {					\
		.fn = handler,					\
		.dir = _IOC_DIR(DXG_##name),			\
		.size = _IOC_SIZE(DXG_##name),			\
		.flags = fl,					\
	}

static const struct dxg_ioctl_desc dxg_ioctls[DXG_NR_COUNT] = {
	DXG_IOCTL(CAPS_GET, dxg_caps_get_ioctl, 0),
	DXG_IOCTL(ADAPTER_ENUM, dxg_adapter_enum_ioctl, 0),
	DXG_IOCTL(ADAPTER_OPEN, dxg_adapter_open_ioctl, 0),
	DXG_IOCTL(ADAPTER_CLOSE, dxg_adapter_close_ioctl, 0),
	DXG_IOCTL(ADAPTER_QUERY, dxg_adapter_query_ioctl, 0),
	DXG_IOCTL(DEVICE_CREATE, dxg_device_create_ioctl, 0),
	DXG_IOCTL(DEVICE_DESTROY, dxg_device_destroy_ioctl, 0),
	DXG_IOCTL(DEVICE_GET_STATE, dxg_device_get_state_ioctl, 0),
	DXG_IOCTL(CONTEXT_CREATE, dxg_context_create_ioctl, 0),
	DXG_IOCTL(CONTEXT_DESTROY, dxg_context_destroy_ioctl, 0),
	DXG_IOCTL(ALLOC_CREATE, dxg_alloc_create_ioctl, 0),
	DXG_IOCTL(ALLOC_DESTROY, dxg_alloc_destroy_ioctl, 0),
	DXG_IOCTL(ALLOC_LOCK, dxg_alloc_lock_ioctl, 0),
	DXG_IOCTL(ALLOC_UNLOCK, dxg_alloc_unlock_ioctl, 0),
	DXG_IOCTL(CONTEXT_SUBMIT, dxg_context_submit_ioctl, 0),
	DXG_IOCTL(FENCE_CREATE, dxg_fence_create_ioctl, 0),
	DXG_IOCTL(FENCE_DESTROY, dxg_fence_destroy_ioctl, 0),
	DXG_IOCTL(FENCE_SIGNAL, dxg_fence_signal_ioctl,
		  DXG_IOCTL_OUT_ON_ERROR),
	DXG_IOCTL(FENCE_WAIT, dxg_fence_wait_ioctl, 0),
	DXG_IOCTL(FENCE_EXPORT_SYNC_FILE, dxg_fence_export_sync_file_ioctl, 0),
};

/* The largest argument structure, for the kernel's copy. */
union dxg_ioctl_arg {
	struct dxg_caps_get caps;
	struct dxg_adapter_enum adapter_enum;
	struct dxg_adapter_open adapter_open;
	struct dxg_adapter_query adapter_query;
	struct dxg_device_get_state device_get_state;
	struct dxg_alloc_lock alloc_lock;
	struct dxg_context_submit submit;
	struct dxg_fence_create fence_create;
	struct dxg_fence_wait fence_wait;
	struct dxg_fence_export_sync_file export;
};

long dxg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dxg_file *dfile = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct dxg_ioctl_desc *desc;
	struct dxg_ioctl_call call = { .install_fd = -1 };
	union dxg_ioctl_arg *kp = (union dxg_ioctl_arg *)call.arg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != DXG_IOCTL_BASE || nr >= DXG_NR_COUNT)
		return -ENOTTY;
	desc = &dxg_ioctls[nr];
	if (!desc->fn || _IOC_DIR(cmd) != desc->dir)
		return -ENOTTY;
	BUILD_BUG_ON(sizeof(union dxg_ioctl_arg) > sizeof(call.arg));
	if (WARN_ON_ONCE(desc->size > sizeof(call.arg)))
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < desc->size)
		return -EINVAL;
	ret = copy_struct_from_user(call.arg, desc->size, uarg, usize);
	if (ret)
		return ret;
	/* the size field says the caller's size; ours from here on */
	kp->caps.size = desc->size;

	ret = desc->fn(dfile, call.arg);
	if (ret && !(desc->flags & DXG_IOCTL_OUT_ON_ERROR))
		return ret;
	kp->caps.size = usize;
	if (copy_to_user(uarg, call.arg, desc->size)) {
		if (call.install_file) {
			put_unused_fd(call.install_fd);
			fput(call.install_file);
		}
		return -EFAULT;
	}
	/* publish last: the fd only once the caller has been told it */
	if (call.install_file)
		fd_install(call.install_fd, call.install_file);
	return ret;
}
