// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: paravirtual GPU char device /dev/dxg, after WSL's dxgkrnl.
 *
 * This file holds module init, the module parameters and the file
 * operations.  GPU calls are forwarded to the GPU service of hostlinkd
 * through the hostlink core (dxg_cmd.c); the object model is in the
 * other files (dxg_priv.h lists them).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "dxg_priv.h"

struct hostlink_service dxg_service = {
	.name = "dxg",
	.port = HOSTLINK_PORT_DXG,
	.ops = &dxg_service_ops,
};
module_param_named(port, dxg_service.port, uint, 0444);
MODULE_PARM_DESC(port, "vsock port of the host GPU service (default 19456)");

unsigned int dxg_max_handles = 4096;
module_param_named(max_handles, dxg_max_handles, uint, 0644);
MODULE_PARM_DESC(max_handles, "handles one open file may hold (default 4096)");

unsigned int dxg_max_fences = 512;
module_param_named(max_fences, dxg_max_fences, uint, 0444);
MODULE_PARM_DESC(max_fences,
		 "fences one open file may hold: fence page slots (default 512)");

unsigned long dxg_max_file_memory = 1UL << 32;
module_param_named(max_file_memory, dxg_max_file_memory, ulong, 0644);
MODULE_PARM_DESC(max_file_memory,
		 "bytes of allocations one open file may create (default 4 GiB)");

unsigned long dxg_max_locked = 256UL << 20;
module_param_named(max_locked, dxg_max_locked, ulong, 0644);
MODULE_PARM_DESC(max_locked,
		 "bytes of locked ranges one open file may hold in guest memory (default 256 MiB)");

unsigned int dxg_timeout_ms = 10000;
module_param_named(timeout_ms, dxg_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "deadline of a host call in ms (default 10000)");

unsigned int dxg_lock_timeout_ms = 60000;
module_param_named(lock_timeout_ms, dxg_lock_timeout_ms, uint, 0644);
MODULE_PARM_DESC(lock_timeout_ms,
		 "deadline of a lock waiting for queued work in ms (default 60000)");

unsigned int dxg_bulk_min_kib = 256;
module_param_named(bulk_min_kib, dxg_bulk_min_kib, uint, 0644);
MODULE_PARM_DESC(bulk_min_kib,
		 "lock transfers of at least this many KiB take a stream of their own when the host offers it (default 256; 0: all)");

struct workqueue_struct *dxg_wq;

/* Every open file, for host loss to wake their waiters; under the mutex. */
DEFINE_MUTEX(dxg_files_lock);
LIST_HEAD(dxg_files);

/* Wire process ids: one per open file, from a random start, never reused. */
static atomic64_t dxg_next_process;

static int dxg_open(struct inode *inode, struct file *file)
{
	struct dxg_file *dfile;
	int ret;

	dfile = kzalloc(sizeof(*dfile), GFP_KERNEL_ACCOUNT);
	if (!dfile)
		return -ENOMEM;
	mutex_init(&dfile->lock);
	xa_init(&dfile->maps);
	init_waitqueue_head(&dfile->fence_wq);
	INIT_LIST_HEAD(&dfile->node);
	dxg_handle_table_init(dfile);
	dfile->process = atomic64_inc_return(&dxg_next_process);

	ret = dxg_fence_file_init(dfile);
	if (ret)
		goto err_free;
	ret = dxg_mmap_open_file(file);
	if (ret)
		goto err_fence_exit;

	mutex_lock(&dxg_hosts.lock);
	dfile->enum_seq = dxg_hosts.seq;
	mutex_unlock(&dxg_hosts.lock);
	mutex_lock(&dxg_files_lock);
	list_add_tail(&dfile->node, &dxg_files);
	mutex_unlock(&dxg_files_lock);

	file->private_data = dfile;
	return 0;

err_fence_exit:
	dxg_fence_file_exit(dfile);
err_free:
	xa_destroy(&dfile->maps);
	dxg_handle_table_destroy(dfile);
	kfree(dfile);
	return ret;
}

/*
 * The file is gone (no fd, no mapping): close every adapter handle on
 * the host, from a worker, on the kernel's behalf.  The releasing task
 * may be dying, and a dying task's pending SIGKILL would stop
 * hostlink_call() at once.
 */
static void dxg_release_work(struct work_struct *work)
{
	struct dxg_file *dfile = container_of(work, struct dxg_file,
					      release_work);
	struct dxg_obj *obj, *tmp;
	LIST_HEAD(ahandles);
	LIST_HEAD(dead);

	mutex_lock(&dfile->lock);
	list_for_each_entry_safe(obj, tmp, &dfile->ahandles, node) {
		kref_get(&obj->ref);
		dxg_obj_unpublish(obj, &dead);
		list_add_tail(&obj->children, &ahandles);
	}
	mutex_unlock(&dfile->lock);

	/* children lists of dead adapter handles are empty: reuse them */
	list_for_each_entry_safe(obj, tmp, &ahandles, children) {
		list_del_init(&obj->children);
		dxg_ahandle_close_host(dfile, to_dxg_ahandle(obj));
		dxg_obj_put(obj);
	}
	dxg_obj_put_list(&dead);

	dxg_fence_file_exit(dfile);
	xa_destroy(&dfile->maps);
	dxg_handle_table_destroy(dfile);
	kfree(dfile);
	module_put(THIS_MODULE);
}

static int dxg_release(struct inode *inode, struct file *file)
{
	struct dxg_file *dfile = file->private_data;

	mutex_lock(&dxg_files_lock);
	list_del_init(&dfile->node);
	mutex_unlock(&dxg_files_lock);

	/* the worker keeps the module until it is done */
	__module_get(THIS_MODULE);
	INIT_WORK(&dfile->release_work, dxg_release_work);
	queue_work(dxg_wq, &dfile->release_work);
	return 0;
}

static __poll_t dxg_poll(struct file *file, poll_table *wait)
{
	struct dxg_file *dfile = file->private_data;

	poll_wait(file, &dxg_hosts.poll_wq, wait);
	return dxg_adapter_poll(dfile);
}

static ssize_t dxg_read(struct file *file, char __user *buf, size_t len,
			loff_t *pos)
{
	return -EINVAL;
}

static ssize_t dxg_write(struct file *file, const char __user *buf,
			 size_t len, loff_t *pos)
{
	return -EINVAL;
}

static const struct file_operations dxg_fops = {
	.owner = THIS_MODULE,
	.open = dxg_open,
	.release = dxg_release,
	.read = dxg_read,
	.write = dxg_write,
	.poll = dxg_poll,
	.mmap = dxg_mmap,
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
	u64 start;
	int ret;

	/* below 2^62: ids stay far from wrapping */
	start = get_random_u64() >> 2;
	atomic64_set(&dxg_next_process, start);

	dxg_wq = alloc_workqueue("dxg", WQ_UNBOUND, 0);
	if (!dxg_wq)
		return -ENOMEM;
	ret = dxg_mmap_init();
	if (ret)
		goto err_destroy_wq;
	ret = dxg_hosts_init();
	if (ret)
		goto err_mmap_exit;

	ret = hostlink_service_register(&dxg_service);
	if (ret) {
		pr_err("cannot register with hostlink: %d\n", ret);
		goto err_hosts_exit;
	}

	ret = dxg_sysfs_init();
	if (ret)
		goto err_unregister_service;

	ret = misc_register(&dxg_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", dxg_misc.name, ret);
		goto err_sysfs_exit;
	}
	return 0;

err_sysfs_exit:
	dxg_sysfs_exit();
err_unregister_service:
	/* as at exit: no HELLO, no break work, then the service goes */
	dxg_hosts_exit();
	dxg_cmd_exit();
	hostlink_service_unregister(&dxg_service);
	goto err_mmap_exit;
err_hosts_exit:
	dxg_hosts_exit();
err_mmap_exit:
	dxg_mmap_exit();
err_destroy_wq:
	destroy_workqueue(dxg_wq);
	return ret;
}

static void __exit dxg_exit(void)
{
	misc_deregister(&dxg_misc);
	/* release workers hold the module: none is left by now */
	dxg_hosts_exit();
	dxg_sysfs_exit();
	dxg_cmd_exit();
	hostlink_service_unregister(&dxg_service);
	destroy_workqueue(dxg_wq);
	dxg_mmap_exit();
}

module_init(dxg_init);
module_exit(dxg_exit);

MODULE_DESCRIPTION("dxg paravirtual GPU over hostlink (dxgkrnl-like /dev/dxg)");
MODULE_AUTHOR("The hostlink authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(HOSTLINK_VERSION);
MODULE_IMPORT_NS(HOSTLINK);
