// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: /dev/interop runs host programs from the guest, after WSL
 * interop.
 *
 * This file holds module init, the module parameters, the file
 * operations of /dev/interop and the ioctl dispatch of both kinds of
 * file (/dev/interop and the session fds).  Spawns go to the interop
 * service of hostlinkd through the hostlink core (interop_cmd.c); the
 * other files are listed in interop_priv.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "interop_priv.h"

struct hostlink_service interop_service = {
	.name = "interop",
	.port = HOSTLINK_PORT_INTEROP,
	.ops = &interop_service_ops,
};
module_param_named(port, interop_service.port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port of the host exec service (default 19457)");

bool interop_enabled = true;
module_param_named(enabled, interop_enabled, bool, 0644);
MODULE_PARM_DESC(enabled, "spawns and path maps allowed at all (default 1)");

bool interop_allow_namespaced;
module_param_named(allow_namespaced, interop_allow_namespaced, bool, 0644);
MODULE_PARM_DESC(allow_namespaced,
		 "callers outside the initial user and pid namespaces may spawn (default 0)");

unsigned int interop_max_sessions = INTEROP_MAX_SESSIONS;
module_param_named(max_sessions, interop_max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "sessions one uid may have open (default 128)");

unsigned int interop_max_arg_bytes = INTEROP_MAX_ARG_BYTES;
module_param_named(max_arg_bytes, interop_max_arg_bytes, uint, 0644);
MODULE_PARM_DESC(max_arg_bytes,
		 "bytes of a spawn's strings, at most 262144 (default 262144)");

unsigned int interop_timeout_ms = 10000;
module_param_named(timeout_ms, interop_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "deadline of a host call and of a stream's attach in ms (default 10000)");

struct workqueue_struct *interop_wq;
struct semaphore interop_setup_sem;
struct interop_stats interop_stats;

/**
 * interop_permitted() - may the calling task use the host?
 *
 * Context: the calling task.
 * Return: 0, or -EPERM when interop is disabled, or the caller is in a
 * user or pid namespace other than the initial ones and
 * allow_namespaced is off.
 */
int interop_permitted(void)
{
	if (!READ_ONCE(interop_enabled))
		return -EPERM;
	if (READ_ONCE(interop_allow_namespaced))
		return 0;
	if (current_user_ns() != &init_user_ns ||
	    task_active_pid_ns(current) != &init_pid_ns)
		return -EPERM;
	return 0;
}

/* Handlers that write their argument back when they fail with it. */
#define INTEROP_IOCTL_OUT_ON_ERANGE	BIT(0)

struct interop_ioctl_desc {
	int (*fn)(void *arg);
	unsigned int dir;
	u32 size;
	u32 flags;
	bool session;	/* a session fd's, not /dev/interop's */
};

#define INTEROP_IOCTL(name, handler, fl, sess)			\
	[INTEROP_NR_##name] = {					\
		.fn = handler,					\
		.dir = _IOC_DIR(INTEROP_##name),		\
		.size = _IOC_SIZE(INTEROP_##name),		\
		.flags = fl,					\
		.session = sess,				\
	}

static const struct interop_ioctl_desc interop_ioctls[INTEROP_NR_COUNT] = {
	INTEROP_IOCTL(CAPS_GET, interop_caps_get_ioctl, 0, false),
	INTEROP_IOCTL(SPAWN, interop_spawn_ioctl, 0, false),
	INTEROP_IOCTL(MAP_PATH, interop_map_path_ioctl,
		      INTEROP_IOCTL_OUT_ON_ERANGE, false),
	INTEROP_IOCTL(SESSION_SIGNAL, NULL, 0, true),
	INTEROP_IOCTL(SESSION_RESIZE, NULL, 0, true),
};

union interop_ioctl_arg {
	struct interop_caps_get caps;
	struct interop_spawn spawn;
	struct interop_map_path map_path;
	struct interop_session_signal signal;
	struct interop_session_resize resize;
};

/**
 * interop_ioctl_dispatch() - run an ioctl of either kind of file
 * @cmd: the ioctl number
 * @arg: its user argument
 * @priv: the session, for a session fd
 * @session: the file is a session fd
 *
 * Every argument starts with __u32 size and __u32 flags: a @size below
 * this header's structure is EINVAL, a larger one with non-zero bytes
 * beyond ours E2BIG (copy_struct_from_user()).  On success the kernel's
 * structure goes back (the caller's is at least as large), and then the
 * fds a handler reserved are installed: last, once the caller can be
 * told them.  The dispatch is on type, number and direction, not on the
 * size the number encodes; an ioctl of the other kind of file is
 * ENOTTY.
 * Context: the calling task.
 * Return: 0 or a negative errno.
 */
long interop_ioctl_dispatch(unsigned int cmd, unsigned long arg, void *priv,
			    bool session)
{
	struct interop_ioctl_call call = {};
	union interop_ioctl_arg *kp = (union interop_ioctl_arg *)call.arg;
	void __user *uarg = (void __user *)arg;
	const struct interop_ioctl_desc *desc;
	unsigned int nr = _IOC_NR(cmd), i;
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != INTEROP_IOCTL_BASE || nr >= INTEROP_NR_COUNT)
		return -ENOTTY;
	desc = &interop_ioctls[nr];
	if (!desc->size || desc->session != session ||
	    _IOC_DIR(cmd) != desc->dir)
		return -ENOTTY;
	BUILD_BUG_ON(sizeof(union interop_ioctl_arg) > sizeof(call.arg));

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < desc->size)
		return -EINVAL;
	ret = copy_struct_from_user(call.arg, desc->size, uarg, usize);
	if (ret)
		return ret;
	kp->caps.size = desc->size;

	if (session)
		ret = interop_session_ioctl_call(priv, nr, call.arg);
	else
		ret = desc->fn(call.arg);
	if (ret && !(ret == -ERANGE &&
		     (desc->flags & INTEROP_IOCTL_OUT_ON_ERANGE)))
		return ret;
	/* session ioctls have no outputs */
	if (session)
		return 0;
	kp->caps.size = usize;
	if (copy_to_user(uarg, call.arg, desc->size)) {
		for (i = 0; i < call.nfiles; i++) {
			put_unused_fd(call.fds[i]);
			fput(call.files[i]);
		}
		return -EFAULT;
	}
	/* publish last: the fds only once the caller has been told them */
	for (i = 0; i < call.nfiles; i++)
		fd_install(call.fds[i], call.files[i]);
	return ret;
}

static long interop_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return interop_ioctl_dispatch(cmd, arg, NULL, false);
}

static const struct file_operations interop_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = interop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Root only until udev applies the group and mode of udev/ rules. */
static struct miscdevice interop_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "interop",
	.fops = &interop_fops,
	.mode = 0600,
};

static int __init interop_init(void)
{
	int ret;

	sema_init(&interop_setup_sem, INTEROP_MAX_SETUPS);
	interop_host_init();
	interop_wq = alloc_workqueue("interop", WQ_UNBOUND, 0);
	if (!interop_wq)
		return -ENOMEM;

	ret = hostlink_service_register(&interop_service);
	if (ret) {
		pr_err("cannot register with hostlink: %d\n", ret);
		goto err_destroy_wq;
	}
	ret = interop_sysfs_init();
	if (ret)
		goto err_unregister_service;
	ret = misc_register(&interop_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", interop_misc.name, ret);
		goto err_sysfs_exit;
	}
	return 0;

err_sysfs_exit:
	interop_sysfs_exit();
err_unregister_service:
	interop_host_exit();
	hostlink_service_unregister(&interop_service);
err_destroy_wq:
	destroy_workqueue(interop_wq);
	return ret;
}

static void __exit interop_exit(void)
{
	misc_deregister(&interop_misc);
	/* session fds and close workers hold the module: none is left */
	interop_host_exit();
	interop_sysfs_exit();
	hostlink_service_unregister(&interop_service);
	destroy_workqueue(interop_wq);
}

module_init(interop_init);
module_exit(interop_exit);

MODULE_DESCRIPTION("interop: run host programs over hostlink (/dev/interop)");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
MODULE_IMPORT_NS(HOSTLINK);
