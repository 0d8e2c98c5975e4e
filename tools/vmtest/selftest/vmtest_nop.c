// SPDX-License-Identifier: GPL-2.0-only
/* Runner self-test: a module that does nothing, for a part's "modules =". */
#include <linux/module.h>

static int __init vmtest_nop_init(void)
{
	return 0;
}
module_init(vmtest_nop_init);

static void __exit vmtest_nop_exit(void)
{
}
module_exit(vmtest_nop_exit);

MODULE_DESCRIPTION("vmtest runner self-test: a clean module");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
