// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: the driver's address space, fake offsets and lock faults.
 *
 * Every open /dev/dxg shares one address space, the i_mapping of an
 * anonymous inode on a small pseudo filesystem of the driver's own, so
 * that an unlock can remove the mappings of its range from every
 * process with one unmap_mapping_range().  A lock's range therefore
 * needs an offset no other lock of any file has: a global counter of
 * page offsets hands them out and never goes back.  Offset 0 (and the
 * pages a fence map may span) is the fence page, dxg_fence.c's.
 *
 * A lock's mapping is VM_PFNMAP: pages are inserted at fault (a run of
 * them from the faulting one on), only while the lock is live, and
 * nothing can pin them, so once unlock has cleared @live and zapped,
 * the buffer can go at once; later touches are SIGBUS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "dxg_compat.h"
#include "dxg_priv.h"

#define DXG_FS_MAGIC		0x64786766	/* "dxgf" */

/* The first lock offset, in pages: far above any fence map. */
#define DXG_MMAP_LOCK_BASE	BIT(16)

static struct vfsmount *dxg_mnt;
static struct inode *dxg_inode;

/* The next free page offset for a lock; it only goes up. */
static atomic64_t dxg_mmap_next;

static int dxg_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, DXG_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: the mount lives from module init to module exit, and a
 * mount holds its filesystem type's owner, so with one the module could
 * never be unloaded.  Open files hold the module through dxg_fops.
 */
static struct file_system_type dxg_fs_type = {
	.name = "dxg",
	.init_fs_context = dxg_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * dxg_mmap_init() - mount the pseudo filesystem and make the inode
 *
 * Context: module init.
 * Return: 0 or a negative errno.
 */
int dxg_mmap_init(void)
{
	u64 fence_pages = DIV_ROUND_UP((u64)dxg_max_fences * sizeof(u64),
				       PAGE_SIZE);
	int ret;

	atomic64_set(&dxg_mmap_next,
		     max_t(u64, DXG_MMAP_LOCK_BASE, fence_pages + 1));
	dxg_mnt = kern_mount(&dxg_fs_type);
	if (IS_ERR(dxg_mnt))
		return PTR_ERR(dxg_mnt);
	dxg_inode = alloc_anon_inode(dxg_mnt->mnt_sb);
	if (IS_ERR(dxg_inode)) {
		ret = PTR_ERR(dxg_inode);
		goto err_unmount;
	}
	return 0;

err_unmount:
	kern_unmount(dxg_mnt);
	return ret;
}

/**
 * dxg_mmap_exit() - undo dxg_mmap_init()
 *
 * Context: module exit: no file is open, so nothing is mapped.
 */
void dxg_mmap_exit(void)
{
	iput(dxg_inode);
	kern_unmount(dxg_mnt);
}

/**
 * dxg_mmap_open_file() - give a new /dev/dxg file the driver's mapping
 * @file: the file being opened
 *
 * Context: the open file operation.
 * Return: 0.
 */
int dxg_mmap_open_file(struct file *file)
{
	file->f_mapping = dxg_inode->i_mapping;
	return 0;
}

/**
 * dxg_lock_map_init() - give a lock its fake offset and make it mappable
 * @dfile: the file
 * @lk: the lock, its buffer filled
 *
 * Sets @lk->pgoff from the global counter, marks the lock live and
 * enters it in @dfile->maps.
 * Context: dxg_file.lock held.
 * Return: 0, or -ENOMEM (no memory, or the offsets ran out).
 */
int dxg_lock_map_init(struct dxg_file *dfile, struct dxg_lock *lk)
{
	u64 limit = (u64)MAX_LFS_FILESIZE >> PAGE_SHIFT;
	u64 pgoff;
	int ret;

	lockdep_assert_held(&dfile->lock);
	pgoff = atomic64_fetch_add(lk->npages, &dxg_mmap_next);
	if (pgoff > limit || lk->npages > limit - pgoff)
		return -ENOMEM;	/* 2^51 pages later: never in practice */
	lk->pgoff = pgoff;
	lk->live = true;
	ret = xa_insert(&dfile->maps, lk->pgoff, lk, GFP_KERNEL_ACCOUNT);
	if (ret) {
		lk->live = false;
		return ret == -EBUSY ? -ENOMEM : ret;
	}
	return 0;
}

/**
 * dxg_lock_map_zap() - end a lock's mappings
 * @dfile: the file
 * @lk: the lock, entered by dxg_lock_map_init()
 *
 * Takes the offset out of @dfile->maps (no new mmap), clears @live
 * under @lk->fault_lock (no new page: a fault after it is SIGBUS) and
 * removes the pages every process has mapped.  The buffer may be freed
 * when it returns.
 * Context: dxg_file.lock not held; takes it, then @lk->fault_lock, one
 * after the other; may sleep.
 */
void dxg_lock_map_zap(struct dxg_file *dfile, struct dxg_lock *lk)
{
	mutex_lock(&dfile->lock);
	xa_erase(&dfile->maps, lk->pgoff);
	mutex_unlock(&dfile->lock);

	/* pairs with dxg_lock_vm_fault(): no page is inserted after this */
	mutex_lock(&lk->fault_lock);
	lk->live = false;
	mutex_unlock(&lk->fault_lock);

	unmap_mapping_range(dxg_inode->i_mapping,
			    (loff_t)lk->pgoff << PAGE_SHIFT,
			    (loff_t)lk->npages << PAGE_SHIFT, 1);
}

static void dxg_lock_vm_open(struct vm_area_struct *vma)
{
	struct dxg_lock *lk = vma->vm_private_data;

	kref_get(&lk->ref);
}

static void dxg_lock_vm_close(struct vm_area_struct *vma)
{
	dxg_lock_put(vma->vm_private_data);
}

/*
 * A fault maps the page and up to DXG_FAULT_AHEAD - 1 after it, as TTM
 * prefaults: a lock is mostly read or written front to back, and under
 * emulation each fault is dear (64 MiB: 256 faults instead of 16384).
 */
#define DXG_FAULT_AHEAD		64

static vm_fault_t dxg_lock_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dxg_lock *lk = vma->vm_private_data;
	unsigned long idx = vmf->pgoff - lk->pgoff;
	unsigned long addr = vmf->address, end;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	if (vmf->pgoff < lk->pgoff || idx >= lk->npages)
		return VM_FAULT_SIGBUS;
	end = min3(lk->npages - idx, (unsigned long)DXG_FAULT_AHEAD,
		   (vma->vm_end - addr) >> PAGE_SHIFT);
	/* pairs with dxg_lock_map_zap(): a page only while live */
	mutex_lock(&lk->fault_lock);
	if (lk->live) {
		unsigned long i;

		ret = vmf_insert_pfn(vma, addr, page_to_pfn(lk->pages[idx]));
		/* the others are a bonus: stop at the first that fails */
		for (i = 1; i < end && ret == VM_FAULT_NOPAGE; i++)
			if (vmf_insert_pfn(vma, addr + i * PAGE_SIZE,
					   page_to_pfn(lk->pages[idx + i])) !=
			    VM_FAULT_NOPAGE)
				break;
	}
	mutex_unlock(&lk->fault_lock);
	return ret;
}

static const struct vm_operations_struct dxg_lock_vm_ops = {
	.open = dxg_lock_vm_open,
	.close = dxg_lock_vm_close,
	.fault = dxg_lock_vm_fault,
};

/**
 * dxg_mmap() - the mmap file operation
 * @file: a /dev/dxg file
 * @vma: the new mapping
 *
 * Offset 0 is the fence page (dxg_fence_mmap()); any other offset must
 * be the exact start of a current lock of the file, the length at most
 * its pages.  MAP_SHARED only; PROT_WRITE needs a WRITE lock, and a
 * read lock's mapping can never be made writable.  The mapping holds a
 * reference to the lock; the buffer's pages come at fault.
 * Context: the mmap file operation, mmap_lock held for writing.
 * Return: 0, -EINVAL (MAP_PRIVATE, an unknown offset, too long) or
 * -EACCES (writable mapping of a read lock).
 */
int dxg_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dxg_file *dfile = file->private_data;
	struct dxg_lock *lk;

	if (vma->vm_pgoff == DXG_MMAP_FENCE_OFFSET)
		return dxg_fence_mmap(dfile, vma);
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/*
	 * Not dxg_file.lock: mmap_lock is held, and a lock in @maps holds
	 * its allocation's reference until dxg_lock_map_zap() erased it.
	 */
	xa_lock(&dfile->maps);
	lk = xa_load(&dfile->maps, vma->vm_pgoff);
	if (!lk || vma_pages(vma) > lk->npages) {
		xa_unlock(&dfile->maps);
		return -EINVAL;
	}
	if ((vma->vm_flags & VM_WRITE) && !(lk->flags & DXG_LOCK_WRITE)) {
		xa_unlock(&dfile->maps);
		return -EACCES;
	}
	kref_get(&lk->ref);
	xa_unlock(&dfile->maps);

	if (!(lk->flags & DXG_LOCK_WRITE))
		dxg_vm_flags_clear(vma, VM_MAYWRITE);
	dxg_vm_flags_set(vma, VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP);
	vma->vm_private_data = lk;
	vma->vm_ops = &dxg_lock_vm_ops;
	return 0;
}
