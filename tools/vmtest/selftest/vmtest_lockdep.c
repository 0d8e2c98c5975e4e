// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test: two locks taken in both orders.  One thread cannot
 * deadlock itself this way, but lockdep must report the inversion.
 */
#include <linux/module.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(vmtest_lock_a);
static DEFINE_MUTEX(vmtest_lock_b);

static int __init vmtest_lockdep_init(void)
{
	mutex_lock(&vmtest_lock_a);
	mutex_lock(&vmtest_lock_b);
	mutex_unlock(&vmtest_lock_b);
	mutex_unlock(&vmtest_lock_a);

	mutex_lock(&vmtest_lock_b);
	mutex_lock(&vmtest_lock_a);
	mutex_unlock(&vmtest_lock_a);
	mutex_unlock(&vmtest_lock_b);
	return 0;
}
module_init(vmtest_lockdep_init);

static void __exit vmtest_lockdep_exit(void)
{
}
module_exit(vmtest_lockdep_exit);

MODULE_DESCRIPTION("vmtest runner self-test: lock order inversion");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
