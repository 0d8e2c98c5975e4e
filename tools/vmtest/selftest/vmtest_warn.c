// SPDX-License-Identifier: GPL-2.0-only
/* Runner self-test: a WARN at load time. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init vmtest_warn_init(void)
{
	WARN(1, "vmtest selftest: deliberate warning\n");
	return 0;
}
module_init(vmtest_warn_init);

static void __exit vmtest_warn_exit(void)
{
}
module_exit(vmtest_warn_exit);

MODULE_DESCRIPTION("vmtest runner self-test: WARN");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
