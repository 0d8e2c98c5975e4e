// SPDX-License-Identifier: GPL-2.0-only
/* Runner self-test: memory allocated at load time and never freed. */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static noinline void vmtest_leak_one(void)
{
	char *p = kmalloc(256, GFP_KERNEL);

	/* The only pointer dies with this frame: kmemleak must say so. */
	if (p)
		memset(p, 0x5a, 256);
}

static int __init vmtest_leak_init(void)
{
	vmtest_leak_one();
	return 0;
}
module_init(vmtest_leak_init);

static void __exit vmtest_leak_exit(void)
{
}
module_exit(vmtest_leak_exit);

MODULE_DESCRIPTION("vmtest runner self-test: memory leak");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
