// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: sync_file export.  (Being written.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dxg_priv.h"

bool dxg_sync_supported(void) { return false; }
int dxg_fence_export_sync_file_ioctl(struct dxg_file *dfile, void *arg) { return -EOPNOTSUPP; }
void dxg_sync_signal(struct dxg_fence *fence) { }
