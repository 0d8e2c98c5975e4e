// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: the driver's address space and mmap.  (Being written.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "dxg_priv.h"

int dxg_mmap_init(void) { return 0; }
void dxg_mmap_exit(void) { }
int dxg_mmap_open_file(struct file *file) { return 0; }
int dxg_mmap(struct file *file, struct vm_area_struct *vma) { return -ENODEV; }
int dxg_lock_map_init(struct dxg_file *dfile, struct dxg_lock *lk) { return -ENOSYS; }
void dxg_lock_map_zap(struct dxg_file *dfile, struct dxg_lock *lk) { }
