// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: allocations, lock and unlock.  (Being written.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dxg_priv.h"

int dxg_alloc_create_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_alloc_destroy_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_alloc_lock_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
int dxg_alloc_unlock_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
void dxg_alloc_drop_lock(struct dxg_alloc *alloc) { }
