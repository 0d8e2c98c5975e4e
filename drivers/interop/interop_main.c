// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: /dev/interop runs host programs from the guest, after WSL
 * interop.
 *
 * This file holds module init and the file operations.  Spawn requests
 * go to the exec service of hostlinkd through the hostlink core; until
 * INTEROP_SPAWN lands no ioctl is defined, so every ioctl is -ENOTTY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <uapi/linux/interop.h>

#include "interop_priv.h"

static struct hostlink_service interop_service = {
	.name = "interop",
	.port = HOSTLINK_PORT_INTEROP,
};
module_param_named(port, interop_service.port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port of the host exec service (default 19457)");

static int interop_open(struct inode *inode, struct file *file)
{
	struct interop_file *dfile;

	dfile = kzalloc(sizeof(*dfile), GFP_KERNEL);
	if (!dfile)
		return -ENOMEM;
	dfile->svc = &interop_service;
	file->private_data = dfile;
	return 0;
}

static int interop_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static long interop_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations interop_fops = {
	.owner = THIS_MODULE,
	.open = interop_open,
	.release = interop_release,
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

	ret = hostlink_service_register(&interop_service);
	if (ret) {
		pr_err("cannot register with hostlink: %d\n", ret);
		return ret;
	}

	ret = misc_register(&interop_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", interop_misc.name, ret);
		goto err_unregister_service;
	}
	return 0;

err_unregister_service:
	hostlink_service_unregister(&interop_service);
	return ret;
}

static void __exit interop_exit(void)
{
	misc_deregister(&interop_misc);
	hostlink_service_unregister(&interop_service);
}

module_init(interop_init);
module_exit(interop_exit);

MODULE_DESCRIPTION("interop: run host programs over hostlink (/dev/interop)");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
MODULE_IMPORT_NS(HOSTLINK);
