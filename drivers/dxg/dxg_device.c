// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: devices and contexts.
 *
 * A device's state is the host's: DEVICE events (a fault, a loss) are
 * recorded as they come, and DXG_DEVICE_GET_STATE asks the host.  A
 * device whose adapter is lost is LOST in the guest's eyes whatever
 * the host last said.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>

#include "dxg_priv.h"

static void dxg_device_release(struct dxg_obj *obj)
{
	struct dxg_device *dev = to_dxg_device(obj);
	unsigned long flags;

	if (obj->handle) {
		spin_lock_irqsave(&dxg_ev_lock, flags);
		dxg_ev_del(&dev->ev);
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
	}
	kfree(dev);
}

/*
 * The errno new work on the device gets in the guest: -ENODEV when it
 * is lost (or its adapter), -EIO when faulted, else 0.
 */
int dxg_device_error(struct dxg_device *dev)
{
	unsigned long flags;
	u32 state;

	if (dxg_obj_lost(&dev->obj))
		return -ENODEV;
	spin_lock_irqsave(&dxg_ev_lock, flags);
	state = le32_to_cpu(dev->state.state);
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	if (state == DXG_WIRE_DEVICE_LOST)
		return -ENODEV;
	return state == DXG_WIRE_DEVICE_FAULTED ? -EIO : 0;
}

/* A device state from the host: 0, or -EPROTO if it makes no sense. */
static int dxg_device_state_check(const struct dxg_wire_device_state *st)
{
	u32 state = le32_to_cpu(st->state);
	u32 error = le32_to_cpu(st->error);

	if (st->__reserved)
		return -EPROTO;
	switch (state) {
	case DXG_WIRE_DEVICE_ACTIVE:
		return error ? -EPROTO : 0;
	case DXG_WIRE_DEVICE_FAULTED:
	case DXG_WIRE_DEVICE_LOST:
		return error && error < 4096 ? 0 : -EPROTO;
	default:
		return -EPROTO;
	}
}

/*
 * A DEVICE event.  The first fault is kept; only LOST replaces it.
 * Context: the event handler; takes dxg_ev_lock only.
 */
void dxg_device_event(const struct dxg_wire_ev_device *ev)
{
	u32 state = le32_to_cpu(ev->state.state);
	struct dxg_evnode *node;
	struct dxg_device *dev;
	unsigned long flags;
	bool lost = false;

	if (dxg_device_state_check(&ev->state) ||
	    state == DXG_WIRE_DEVICE_ACTIVE) {
		dxg_cmd_event_malformed("a DEVICE event of an impossible state");
		return;
	}
	spin_lock_irqsave(&dxg_ev_lock, flags);
	node = dxg_ev_find(le64_to_cpu(ev->process), le64_to_cpu(ev->device));
	if (!node || node->kind != DXG_KIND_DEVICE) {
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		atomic64_inc(&dxg_stats.events_dropped);
		return;
	}
	dev = container_of(node, struct dxg_device, ev);
	if (le32_to_cpu(dev->state.state) != DXG_WIRE_DEVICE_FAULTED ||
	    state == DXG_WIRE_DEVICE_LOST)
		dev->state = ev->state;
	lost = state == DXG_WIRE_DEVICE_LOST;
	if (lost) {
		/* its fences will not move: exports fail, waiters see -ENODEV */
		dxg_fence_device_lost(dev);
		wake_up_all(&dev->obj.dfile->fence_wq);
	}
	spin_unlock_irqrestore(&dxg_ev_lock, flags);
	wake_up_all(&dxg_hosts.poll_wq);
}

int dxg_device_create_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_device_create *a = arg;
	struct dxg_wire_device_create body = {};
	struct dxg_device *dev;
	struct dxg_obj *ah;
	unsigned long flags;
	int ret;

	if (a->flags)
		return -EINVAL;
	ah = dxg_obj_get(dfile, a->adapter, DXG_KIND_ADAPTER);
	if (!ah)
		return -ENOENT;
	ret = -ENODEV;
	if (dxg_obj_lost(ah))
		goto out_put;
	ret = -ENOMEM;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		goto out_put;
	dxg_obj_init(&dev->obj, DXG_KIND_DEVICE, dfile, ah, dxg_device_release);
	dev->ev.kind = DXG_KIND_DEVICE;
	dev->ev.process = dfile->process;
	dev->ev.epoch = dxg_obj_adapter(ah)->epoch;

	ret = dxg_cmd_create(dfile, to_dxg_ahandle(ah), DXG_WIRE_OP_DEVICE_CREATE,
			     &body, sizeof(body), &dev->obj.host_id);
	if (ret) {
		dxg_obj_put(&dev->obj);
		goto out_put;
	}
	dev->ev.host_id = dev->obj.host_id;

	mutex_lock(&dfile->lock);
	ret = dxg_obj_publish(&dev->obj);
	if (!ret) {
		spin_lock_irqsave(&dxg_ev_lock, flags);
		dxg_ev_add(&dev->ev);
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		a->out_device = dev->obj.handle;
	}
	mutex_unlock(&dfile->lock);
	if (ret) {
		dxg_cmd_destroy(dfile, to_dxg_ahandle(ah),
				DXG_WIRE_OP_DEVICE_DESTROY, dev->obj.host_id);
		dxg_obj_put(&dev->obj);
	}
out_put:
	ret = dxg_errno(dxg_obj_adapter(ah), ret);
	dxg_obj_put(ah);
	return ret;
}

int dxg_device_destroy_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_device_destroy *a = arg;

	if (a->flags)
		return -EINVAL;
	return dxg_obj_destroy(dfile, a->device, DXG_KIND_DEVICE,
			       DXG_WIRE_OP_DEVICE_DESTROY);
}

/* The handle of the device's context with host id @id, or 0. */
static u64 dxg_context_handle(struct dxg_device *dev, u64 id)
{
	struct dxg_file *dfile = dev->obj.dfile;
	struct dxg_obj *child;
	u64 handle = 0;

	mutex_lock(&dfile->lock);
	list_for_each_entry(child, &dev->obj.children, node) {
		if (child->kind == DXG_KIND_CONTEXT && child->host_id == id) {
			handle = child->handle;
			break;
		}
	}
	mutex_unlock(&dfile->lock);
	return handle;
}

int dxg_device_get_state_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_device_get_state *a = arg;
	struct dxg_wire_device_state st;
	struct dxg_device *dev;
	struct dxg_obj *obj;
	unsigned long flags;
	int ret = 0;

	if (a->flags || a->__reserved)
		return -EINVAL;
	obj = dxg_obj_get(dfile, a->device, DXG_KIND_DEVICE);
	if (!obj)
		return -ENOENT;
	dev = to_dxg_device(obj);

	if (dxg_obj_lost(obj)) {
		/* the host is gone: LOST, with what the guest knows */
		spin_lock_irqsave(&dxg_ev_lock, flags);
		st = dev->state;
		spin_unlock_irqrestore(&dxg_ev_lock, flags);
		if (le32_to_cpu(st.state) != DXG_WIRE_DEVICE_LOST) {
			memset(&st, 0, sizeof(st));
			st.state = cpu_to_le32(DXG_WIRE_DEVICE_LOST);
			st.error = cpu_to_le32(ENODEV);
			st.cmd_offset = cpu_to_le32(DXG_WIRE_NO_CMD);
		}
	} else {
		ret = dxg_cmd_device_state(dfile, obj->ah, obj->host_id, &st);
		if (!ret && dxg_device_state_check(&st)) {
			dxg_cmd_protocol_error("DEVICE_GET_STATE reply out of range");
			ret = -EPROTO;
		}
		ret = dxg_errno(dxg_obj_adapter(obj), ret);
		if (ret == -ENODEV) {
			ret = 0;
			memset(&st, 0, sizeof(st));
			st.state = cpu_to_le32(DXG_WIRE_DEVICE_LOST);
			st.error = cpu_to_le32(ENODEV);
			st.cmd_offset = cpu_to_le32(DXG_WIRE_NO_CMD);
		}
	}
	if (!ret) {
		a->out_state = le32_to_cpu(st.state);
		a->out_error = le32_to_cpu(st.error);
		a->out_context = 0;
		a->out_submit = 0;
		a->out_cmd_offset = DXG_NO_CMD;
		a->out_opcode = 0;
		if (a->out_state == DXG_DEVICE_FAULTED) {
			u64 ctx = le64_to_cpu(st.context);

			a->out_context = dxg_context_handle(dev, ctx);
			a->out_submit = le64_to_cpu(st.submit);
			a->out_cmd_offset = le32_to_cpu(st.cmd_offset);
			a->out_opcode = le16_to_cpu(st.opcode);
		}
	}
	dxg_obj_put(obj);
	return ret;
}

static void dxg_context_release(struct dxg_obj *obj)
{
	kfree(to_dxg_context(obj));
}

int dxg_context_create_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_context_create *a = arg;
	struct dxg_wire_context_create body = {};
	struct dxg_context *ctx;
	struct dxg_obj *dev;
	int ret;

	if (a->flags)
		return -EINVAL;
	dev = dxg_obj_get(dfile, a->device, DXG_KIND_DEVICE);
	if (!dev)
		return -ENOENT;
	ret = dxg_device_error(to_dxg_device(dev));
	if (ret)
		goto out_put;
	ret = -ENOMEM;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		goto out_put;
	dxg_obj_init(&ctx->obj, DXG_KIND_CONTEXT, dfile, dev,
		     dxg_context_release);
	body.device = cpu_to_le64(dev->host_id);
	ret = dxg_cmd_create(dfile, dev->ah, DXG_WIRE_OP_CONTEXT_CREATE,
			     &body, sizeof(body), &ctx->obj.host_id);
	if (ret) {
		dxg_obj_put(&ctx->obj);
		goto out_put;
	}
	mutex_lock(&dfile->lock);
	ret = dxg_obj_publish(&ctx->obj);
	if (!ret)
		a->out_context = ctx->obj.handle;
	mutex_unlock(&dfile->lock);
	if (ret) {
		dxg_cmd_destroy(dfile, dev->ah, DXG_WIRE_OP_CONTEXT_DESTROY,
				ctx->obj.host_id);
		dxg_obj_put(&ctx->obj);
	}
out_put:
	ret = dxg_errno(dxg_obj_adapter(dev), ret);
	dxg_obj_put(dev);
	return ret;
}

int dxg_context_destroy_ioctl(struct dxg_file *dfile, void *arg)
{
	struct dxg_context_destroy *a = arg;

	if (a->flags)
		return -EINVAL;
	return dxg_obj_destroy(dfile, a->context, DXG_KIND_CONTEXT,
			       DXG_WIRE_OP_CONTEXT_DESTROY);
}
