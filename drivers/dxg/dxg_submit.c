// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: DXG_CONTEXT_SUBMIT.  (Being written.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dxg_priv.h"

int dxg_context_submit_ioctl(struct dxg_file *dfile, void *arg) { return -ENOTTY; }
