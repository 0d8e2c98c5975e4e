/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dxg: the one place that knows kernel versions and configurations.
 * Each part is named after the feature it covers.
 */
#ifndef _DXG_COMPAT_H
#define _DXG_COMPAT_H

#include <linux/kconfig.h>
#include <linux/mm.h>
#include <linux/version.h>

/*
 * vm_flags accessors (the fence page; lock mappings).  Since 6.3
 * vma->vm_flags is written only through vm_flags_set()/_clear().
 */
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
static inline void dxg_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void dxg_vm_flags_clear(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#else
static inline void dxg_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void dxg_vm_flags_clear(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#endif

/*
 * sync_file export (dxg_sync.c): Kconfig selects SYNC_FILE, but built
 * out of tree against a kernel without it there are no dma_fence or
 * sync_file symbols to link to, and DXG_FENCE_EXPORT_SYNC_FILE is
 * EOPNOTSUPP.
 */
#define DXG_HAVE_SYNC_FILE	IS_ENABLED(CONFIG_SYNC_FILE)

#endif /* _DXG_COMPAT_H */
