// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: the per-file handle table and the life cycle of objects.
 *
 * A handle is (generation << 32) | index: the index is the object's
 * slot in the file's xarray, the generation a per-file counter that
 * moves on with every handle given out.  A closed handle's slot may be
 * given to a later object, never with the same generation, so a stale
 * handle is ENOENT rather than someone else's object.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "dxg_priv.h"

#define DXG_HANDLE_INDEX(h)	((u32)(h))
#define DXG_HANDLE_GEN(h)	((u32)((h) >> 32))

int dxg_handle_table_init(struct dxg_file *dfile)
{
	xa_init_flags(&dfile->handles, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&dfile->ahandles);
	dfile->gen = 1;
	return 0;
}

/* Every object has been unpublished by then. */
void dxg_handle_table_destroy(struct dxg_file *dfile)
{
	WARN_ON(!xa_empty(&dfile->handles));
	xa_destroy(&dfile->handles);
}

/**
 * dxg_obj_init() - set up an object's common part
 * @obj: the object, zeroed
 * @kind: its kind
 * @dfile: its file
 * @parent: its parent (a reference is taken), or NULL for an adapter
 *	handle
 * @release: frees the object's structure
 */
void dxg_obj_init(struct dxg_obj *obj, enum dxg_kind kind,
		  struct dxg_file *dfile, struct dxg_obj *parent,
		  void (*release)(struct dxg_obj *obj))
{
	kref_init(&obj->ref);
	obj->kind = kind;
	obj->dfile = dfile;
	obj->release = release;
	INIT_LIST_HEAD(&obj->children);
	INIT_LIST_HEAD(&obj->node);
	if (parent) {
		kref_get(&parent->ref);
		obj->parent = parent;
		obj->ah = parent->ah;
	} else {
		obj->ah = to_dxg_ahandle(obj);
	}
}

/**
 * dxg_obj_publish() - give an object its handle
 * @obj: the object, with its host id; the caller's reference becomes
 *	the table's
 *
 * Fails when the file holds dxg_max_handles handles (-ENOSPC), when the
 * parent was destroyed meanwhile (-ENOENT), when the host gave out the
 * object's id already to a live object of this file on the connection
 * (-EPROTO, a protocol error), or for want of memory.
 * Context: dxg_file.lock held.
 * Return: 0 or a negative errno; on error the reference is the caller's.
 */
int dxg_obj_publish(struct dxg_obj *obj)
{
	struct dxg_file *dfile = obj->dfile;
	struct dxg_obj *other;
	unsigned long i;
	u32 index;
	int ret;

	lockdep_assert_held(&dfile->lock);
	if (obj->parent && obj->parent->dead)
		return -ENOENT;
	if (dfile->nhandles >= dxg_max_handles)
		return -ENOSPC;
	/* the host never gives out an id twice on a connection */
	xa_for_each(&dfile->handles, i, other) {
		if (obj->host_id && other->host_id == obj->host_id &&
		    dxg_obj_adapter(other) == dxg_obj_adapter(obj)) {
			dxg_cmd_protocol_error("a create reply with an id in use");
			return -EPROTO;
		}
	}
	ret = xa_alloc(&dfile->handles, &index, obj, xa_limit_31b,
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret == -EBUSY ? -ENOSPC : ret;
	obj->handle = (u64)dfile->gen << 32 | index;
	if (++dfile->gen == 0)
		dfile->gen = 1;
	dfile->nhandles++;
	if (obj->parent) {
		list_add_tail(&obj->node, &obj->parent->children);
		obj->ah->objects++;
	} else {
		list_add_tail(&obj->node, &dfile->ahandles);
	}
	return 0;
}

/**
 * dxg_obj_get() - look a handle up
 * @dfile: the file
 * @handle: the handle from user space
 * @kind: the kind it must name
 *
 * Context: takes dxg_file.lock.
 * Return: the object with a reference, or NULL (unknown, closed, of
 * another kind).
 */
struct dxg_obj *dxg_obj_get(struct dxg_file *dfile, u64 handle,
			    enum dxg_kind kind)
{
	struct dxg_obj *obj;

	if (!DXG_HANDLE_INDEX(handle) || !DXG_HANDLE_GEN(handle))
		return NULL;
	mutex_lock(&dfile->lock);
	obj = xa_load(&dfile->handles, DXG_HANDLE_INDEX(handle));
	if (obj && (obj->handle != handle || obj->kind != kind || obj->dead))
		obj = NULL;
	if (obj)
		kref_get(&obj->ref);
	mutex_unlock(&dfile->lock);
	return obj;
}

static void dxg_obj_release(struct kref *ref)
{
	struct dxg_obj *obj = container_of(ref, struct dxg_obj, ref);
	struct dxg_obj *parent = obj->parent;

	obj->release(obj);
	if (parent)
		dxg_obj_put(parent);
}

void dxg_obj_put(struct dxg_obj *obj)
{
	kref_put(&obj->ref, dxg_obj_release);
}

/**
 * dxg_obj_unpublish() - take an object and its children out of the table
 * @obj: the object, published
 * @dead: where the table's references go, to be dropped with
 *	dxg_obj_put_list() once dxg_file.lock is released
 *
 * Children first, so a list is dropped leaves first.
 * Context: dxg_file.lock held.
 */
void dxg_obj_unpublish(struct dxg_obj *obj, struct list_head *dead)
{
	struct dxg_file *dfile = obj->dfile;
	struct dxg_obj *child, *tmp;

	lockdep_assert_held(&dfile->lock);
	if (obj->dead)
		return;
	list_for_each_entry_safe(child, tmp, &obj->children, node)
		dxg_obj_unpublish(child, dead);
	obj->dead = true;
	xa_erase(&dfile->handles, DXG_HANDLE_INDEX(obj->handle));
	dfile->nhandles--;
	if (obj->parent)
		obj->ah->objects--;
	if (obj->kind == DXG_KIND_ALLOC) {
		obj->ah->alloc_bytes -= to_dxg_alloc(obj)->length;
		dfile->alloc_bytes -= to_dxg_alloc(obj)->length;
	}
	list_move_tail(&obj->node, dead);
}

/*
 * Drop the references dxg_obj_unpublish() collected: each kind's
 * release undoes what it holds (a lock's buffer, an event-table entry).
 * Context: dxg_file.lock not held.
 */
void dxg_obj_put_list(struct list_head *dead)
{
	struct dxg_obj *obj, *tmp;

	list_for_each_entry_safe(obj, tmp, dead, node) {
		list_del_init(&obj->node);
		if (obj->kind == DXG_KIND_ALLOC)
			dxg_alloc_drop_lock(to_dxg_alloc(obj));
		else if (obj->kind == DXG_KIND_FENCE)
			dxg_fence_gone(to_dxg_fence(obj));
		dxg_obj_put(obj);
	}
}

/* Is the adapter the object was made through lost? */
bool dxg_obj_lost(const struct dxg_obj *obj)
{
	return dxg_adapter_lost(dxg_obj_adapter(obj));
}

/**
 * dxg_obj_destroy() - the destroy ioctls of devices, contexts,
 *	allocations and fences
 * @dfile: the file
 * @handle: the object's handle
 * @kind: its kind
 * @op: the wire destroy op
 *
 * The handle (and its children's) goes at once; the host is told
 * unless the adapter is lost.  Cleanup always works: an error from the
 * host changes nothing for the caller.
 * Return: 0 or -ENOENT.
 */
int dxg_obj_destroy(struct dxg_file *dfile, u64 handle, enum dxg_kind kind,
		    u32 op)
{
	struct dxg_obj *obj;
	LIST_HEAD(dead);

	obj = dxg_obj_get(dfile, handle, kind);
	if (!obj)
		return -ENOENT;
	mutex_lock(&dfile->lock);
	if (obj->dead) {
		mutex_unlock(&dfile->lock);
		dxg_obj_put(obj);
		return -ENOENT;
	}
	dxg_obj_unpublish(obj, &dead);
	mutex_unlock(&dfile->lock);

	if (!dxg_obj_lost(obj))
		dxg_cmd_destroy(dfile, obj->ah, op, obj->host_id);
	dxg_obj_put_list(&dead);
	dxg_obj_put(obj);
	return 0;
}
