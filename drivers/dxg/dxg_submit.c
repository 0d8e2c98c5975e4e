// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: DXG_CONTEXT_SUBMIT.
 *
 * The kernel checks the lists and the command buffer's size, turns the
 * handles into host ids and sends one SUBMIT whose body is built in a
 * single buffer: struct dxg_wire_submit, the allocation ids, the waits,
 * the signals and the command buffer, as user space gave it.  The
 * commands themselves are the host's to check.  Every object named
 * keeps a reference until the host has answered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg_priv.h"

/**
 * struct dxg_submit - one submission being built
 * @ctx: the context (a reference).
 * @objs: the allocations and fences named, each a reference.
 * @nobjs: entries of @objs in use.
 * @body: the wire body.
 * @len: its bytes.
 */
struct dxg_submit {
	struct dxg_obj *ctx;
	struct dxg_obj **objs;
	unsigned int nobjs;
	void *body;
	size_t len;
};

/* Sizes and counts: 0 or -EINVAL. */
static int dxg_submit_check(const struct dxg_context_submit *a)
{
	if (a->flags)
		return -EINVAL;
	if (a->cmd_size % DXG_CMD_ALIGN || a->cmd_size > DXG_MAX_CMD_SIZE)
		return -EINVAL;
	if (a->n_allocs > DXG_MAX_SUBMIT_ALLOCS ||
	    a->n_waits > DXG_MAX_SUBMIT_WAITS ||
	    a->n_signals > DXG_MAX_SUBMIT_SIGNALS)
		return -EINVAL;
	return 0;
}

/*
 * The allocation list, copied into @ids as handles, in place as host
 * ids: each an allocation of the context's device, listed once, not
 * locked (nor being locked or unlocked) in the guest.
 */
static int dxg_submit_allocs(struct dxg_file *dfile, struct dxg_submit *s,
			     struct dxg_wire_id *ids, u32 n, u64 uptr)
{
	u64 *handles = (u64 *)ids;
	struct dxg_obj *obj;
	bool locked;
	u32 i, j;

	BUILD_BUG_ON(sizeof(*ids) != sizeof(u64));
	if (n && copy_from_user(handles, u64_to_user_ptr(uptr),
				n * sizeof(u64)))
		return -EFAULT;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (handles[i] == handles[j])
				return -EINVAL;

	for (i = 0; i < n; i++) {
		obj = dxg_obj_get(dfile, handles[i], DXG_KIND_ALLOC);
		if (!obj)
			return -ENOENT;
		s->objs[s->nobjs++] = obj;
		if (obj->parent != s->ctx->parent)
			return -EINVAL;
		mutex_lock(&dfile->lock);
		locked = to_dxg_alloc(obj)->lock || to_dxg_alloc(obj)->busy;
		mutex_unlock(&dfile->lock);
		if (locked)
			return -EBUSY;
		ids[i].id = cpu_to_le64(obj->host_id);
	}
	return 0;
}

/*
 * A wait or signal list, copied into @fv as handles and values, in
 * place as host ids: fences made through the context's adapter handle.
 */
static int dxg_submit_fences(struct dxg_file *dfile, struct dxg_submit *s,
			     struct dxg_wire_fence_value *fv, u32 n, u64 uptr)
{
	struct dxg_fence_value *in = (struct dxg_fence_value *)fv;
	struct dxg_obj *obj;
	u64 handle, value;
	u32 i;

	BUILD_BUG_ON(sizeof(*in) != sizeof(*fv));
	if (n && copy_from_user(in, u64_to_user_ptr(uptr), n * sizeof(*in)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		handle = in[i].fence;
		value = in[i].value;
		obj = dxg_obj_get(dfile, handle, DXG_KIND_FENCE);
		if (!obj)
			return -ENOENT;
		s->objs[s->nobjs++] = obj;
		if (obj->ah != s->ctx->ah)
			return -EINVAL;
		fv[i].fence = cpu_to_le64(obj->host_id);
		fv[i].value = cpu_to_le64(value);
	}
	return 0;
}

/* Fill @s->body from the argument; the references go into @s->objs. */
static int dxg_submit_build(struct dxg_file *dfile, struct dxg_submit *s,
			    const struct dxg_context_submit *a)
{
	struct dxg_wire_submit *ws = s->body;
	struct dxg_wire_fence_value *waits, *signals;
	struct dxg_wire_id *ids;
	void *cmds;
	int ret;

	ids = (struct dxg_wire_id *)(ws + 1);
	waits = (struct dxg_wire_fence_value *)(ids + a->n_allocs);
	signals = waits + a->n_waits;
	cmds = signals + a->n_signals;

	ws->context = cpu_to_le64(s->ctx->host_id);
	ws->cmd_bytes = cpu_to_le32(a->cmd_size);
	ws->n_allocs = cpu_to_le16(a->n_allocs);
	ws->n_waits = cpu_to_le16(a->n_waits);
	ws->n_signals = cpu_to_le16(a->n_signals);

	ret = dxg_submit_allocs(dfile, s, ids, a->n_allocs, a->allocs_uptr);
	if (ret)
		return ret;
	ret = dxg_submit_fences(dfile, s, waits, a->n_waits, a->waits_uptr);
	if (ret)
		return ret;
	ret = dxg_submit_fences(dfile, s, signals, a->n_signals,
				a->signals_uptr);
	if (ret)
		return ret;
	if (a->cmd_size &&
	    copy_from_user(cmds, u64_to_user_ptr(a->cmd_uptr), a->cmd_size))
		return -EFAULT;
	return 0;
}

int dxg_context_submit_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_context_submit *a = arg;
	struct dxg_submit s = {};
	unsigned int i;
	u64 submit;
	int ret;

	ret = dxg_submit_check(a);
	if (ret)
		return ret;
	s.ctx = dxg_obj_get(dfile, a->context, DXG_KIND_CONTEXT);
	if (!s.ctx)
		return -ENOENT;

	ret = -ENOMEM;
	s.objs = kvmalloc_array(a->n_allocs + a->n_waits + a->n_signals,
				sizeof(*s.objs), GFP_KERNEL_ACCOUNT);
	if (!s.objs)
		goto out_put;
	s.len = sizeof(struct dxg_wire_submit) +
		a->n_allocs * sizeof(struct dxg_wire_id) +
		(a->n_waits + a->n_signals) *
			sizeof(struct dxg_wire_fence_value) +
		a->cmd_size;
	s.body = kvzalloc(s.len, GFP_KERNEL_ACCOUNT);
	if (!s.body)
		goto out_put;

	ret = dxg_submit_build(dfile, &s, a);
	if (ret)
		goto out_put;
	ret = dxg_device_error(to_dxg_device(s.ctx->parent));
	if (ret)
		goto out_put;
	ret = dxg_cmd_submit(dfile, s.ctx->ah, s.body, s.len, &submit);
	if (!ret) {
		a->out_submit = submit;
		atomic64_inc(&s.ctx->ah->submits);
	}
out_put:
	ret = dxg_errno(dxg_obj_adapter(s.ctx), ret);
	for (i = 0; i < s.nobjs; i++)
		dxg_obj_put(s.objs[i]);
	kvfree(s.objs);
	kvfree(s.body);
	dxg_obj_put(s.ctx);
	return ret;
}
