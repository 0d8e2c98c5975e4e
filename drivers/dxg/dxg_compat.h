/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dxg: the only place that knows kernel versions.  Each difference is
 * named after the feature it papers over.
 */
#ifndef _DXG_COMPAT_H
#define _DXG_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * VMA flag setters: vm_flags became read-only behind vm_flags_set() and
 * vm_flags_clear() (which also take care of the VMA lock) in 6.3.
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
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
#else
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
#endif

#endif /* _DXG_COMPAT_H */
