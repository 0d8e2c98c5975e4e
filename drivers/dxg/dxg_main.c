// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: paravirtual GPU char device /dev/dxg, after WSL's dxgkrnl.
 *
 * This file holds module init and the file operations.  GPU calls are
 * forwarded to the GPU service of hostlinkd through the hostlink core;
 * until the object model lands no ioctl is defined, so every ioctl is
 * -ENOTTY.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <uapi/linux/dxg.h>

#include "dxg_priv.h"

static struct hostlink_service dxg_service = {
	.name = "dxg",
	.port = HOSTLINK_PORT_DXG,
};
module_param_named(port, dxg_service.port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port of the host GPU service (default 19456)");

static int dxg_open(struct inode *inode, struct file *file)
{
	struct dxg_file *dfile;

	dfile = kzalloc(sizeof(*dfile), GFP_KERNEL);
	if (!dfile)
		return -ENOMEM;
	dfile->svc = &dxg_service;
	file->private_data = dfile;
	return 0;
}

static int dxg_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static long dxg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations dxg_fops = {
	.owner = THIS_MODULE,
	.open = dxg_open,
	.release = dxg_release,
	.unlocked_ioctl = dxg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Root only until udev applies the group and mode of udev/ rules. */
static struct miscdevice dxg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dxg",
	.fops = &dxg_fops,
	.mode = 0600,
};

static int __init dxg_init(void)
{
	int ret;

	ret = hostlink_service_register(&dxg_service);
	if (ret) {
		pr_err("cannot register with hostlink: %d\n", ret);
		return ret;
	}

	ret = misc_register(&dxg_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", dxg_misc.name, ret);
		goto err_unregister_service;
	}
	return 0;

err_unregister_service:
	hostlink_service_unregister(&dxg_service);
	return ret;
}

static void __exit dxg_exit(void)
{
	misc_deregister(&dxg_misc);
	hostlink_service_unregister(&dxg_service);
}

module_init(dxg_init);
module_exit(dxg_exit);

MODULE_DESCRIPTION("dxg paravirtual GPU over hostlink (dxgkrnl-like /dev/dxg)");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
MODULE_IMPORT_NS(HOSTLINK);
