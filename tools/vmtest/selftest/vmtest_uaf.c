// SPDX-License-Identifier: GPL-2.0-only
/* Runner self-test: a use-after-free at load time, for KASAN. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init vmtest_uaf_init(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	/* The read of freed memory that KASAN must report. */
	pr_info("vmtest_uaf: read %d\n", READ_ONCE(p[8]));
	return 0;
}
module_init(vmtest_uaf_init);

static void __exit vmtest_uaf_exit(void)
{
}
module_exit(vmtest_uaf_exit);

MODULE_DESCRIPTION("vmtest runner self-test: use-after-free");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
