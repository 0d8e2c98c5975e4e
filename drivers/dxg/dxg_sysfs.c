// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg: sysfs, under the service's directory of the hostlink core
 * (Documentation/ABI/testing/sysfs-kernel-hostlink-dxg):
 *
 *   /sys/kernel/hostlink/services/dxg/gpu/          counters
 *   /sys/kernel/hostlink/services/dxg/adapters/<instance>/
 *                                                   one per adapter listed
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "dxg_priv.h"

static struct kobject *dxg_gpu_kobj;
static struct kobject *dxg_adapters_kobj;

/* A counter of struct dxg_stats as a read-only file. */
struct dxg_stat_attr {
	struct kobj_attribute attr;
	atomic64_t *counter;
};

static ssize_t dxg_stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct dxg_stat_attr *sa = container_of(attr, struct dxg_stat_attr, attr);

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(sa->counter));
}

static struct dxg_stat_attr dxg_stat_attrs[] = {
	{ __ATTR(events, 0444, dxg_stat_show, NULL), &dxg_stats.events },
	{ __ATTR(events_dropped, 0444, dxg_stat_show, NULL), &dxg_stats.events_dropped },
	{ __ATTR(values_dropped, 0444, dxg_stat_show, NULL), &dxg_stats.values_dropped },
	{ __ATTR(bad_replies, 0444, dxg_stat_show, NULL), &dxg_stats.bad_replies },
	{ __ATTR(hellos, 0444, dxg_stat_show, NULL), &dxg_stats.hellos },
	{ __ATTR(bulk_transfers, 0444, dxg_stat_show, NULL),
	  &dxg_stats.bulk_transfers },
	{ __ATTR(bulk_fallbacks, 0444, dxg_stat_show, NULL),
	  &dxg_stats.bulk_fallbacks },
};

static ssize_t host_version_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	u16 version;

	mutex_lock(&dxg_hosts.lock);
	version = dxg_hosts.ready ? dxg_hosts.version : 0;
	mutex_unlock(&dxg_hosts.lock);
	return sysfs_emit(buf, "%u\n", version);
}

static struct kobj_attribute dxg_stat_host_version = __ATTR_RO(host_version);

static struct attribute *dxg_gpu_attrs[ARRAY_SIZE(dxg_stat_attrs) + 2] = {
	&dxg_stat_attrs[0].attr.attr,
	&dxg_stat_attrs[1].attr.attr,
	&dxg_stat_attrs[2].attr.attr,
	&dxg_stat_attrs[3].attr.attr,
	&dxg_stat_attrs[4].attr.attr,
	&dxg_stat_attrs[5].attr.attr,
	&dxg_stat_attrs[6].attr.attr,
	&dxg_stat_host_version.attr,
	NULL,
};

static const struct attribute_group dxg_gpu_group = {
	.attrs = dxg_gpu_attrs,
};

/* One adapter's directory; it holds a reference on the adapter. */
struct dxg_adapter_kobj {
	struct kobject kobj;
	struct dxg_adapter *adapter;
};

static struct dxg_adapter *to_adapter(struct kobject *kobj)
{
	return container_of(kobj, struct dxg_adapter_kobj, kobj)->adapter;
}

static ssize_t luid_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	const struct dxg_luid *luid = &to_adapter(kobj)->info.luid;

	return sysfs_emit(buf, "%08x:%08x\n", luid->high, luid->low);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_adapter(kobj)->info.name);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  dxg_adapter_lost(to_adapter(kobj)) ? "lost" : "active");
}

static ssize_t flags_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%#x\n", to_adapter(kobj)->info.flags);
}

static ssize_t pci_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	const struct dxg_adapter_info *info = &to_adapter(kobj)->info;

	return sysfs_emit(buf, "%04x:%04x\n", info->vendor_id, info->device_id);
}

static ssize_t dedicated_memory_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  to_adapter(kobj)->info.dedicated_memory);
}

static ssize_t shared_memory_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_adapter(kobj)->info.shared_memory);
}

static struct kobj_attribute dxg_adapter_luid = __ATTR_RO(luid);
static struct kobj_attribute dxg_adapter_name = __ATTR_RO(name);
static struct kobj_attribute dxg_adapter_state = __ATTR_RO(state);
static struct kobj_attribute dxg_adapter_flags = __ATTR_RO(flags);
static struct kobj_attribute dxg_adapter_pci_id = __ATTR_RO(pci_id);
static struct kobj_attribute dxg_adapter_dedicated = __ATTR_RO(dedicated_memory);
static struct kobj_attribute dxg_adapter_shared = __ATTR_RO(shared_memory);

static struct attribute *dxg_adapter_attrs[] = {
	&dxg_adapter_luid.attr,
	&dxg_adapter_name.attr,
	&dxg_adapter_state.attr,
	&dxg_adapter_flags.attr,
	&dxg_adapter_pci_id.attr,
	&dxg_adapter_dedicated.attr,
	&dxg_adapter_shared.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dxg_adapter);

static void dxg_adapter_kobj_release(struct kobject *kobj)
{
	struct dxg_adapter_kobj *ak =
		container_of(kobj, struct dxg_adapter_kobj, kobj);

	dxg_adapter_put(ak->adapter);
	kfree(ak);
}

static const struct kobj_type dxg_adapter_ktype = {
	.release = dxg_adapter_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = dxg_adapter_groups,
};

/**
 * dxg_sysfs_adapter_add() - list an adapter in sysfs
 * @adapter: the adapter, just published
 *
 * A missing directory is not worth failing HELLO for: it is logged.
 * Context: dxg_hosts.lock held.
 */
void dxg_sysfs_adapter_add(struct dxg_adapter *adapter)
{
	struct dxg_adapter_kobj *ak;

	lockdep_assert_held(&dxg_hosts.lock);
	if (!dxg_adapters_kobj)
		return;
	ak = kzalloc(sizeof(*ak), GFP_KERNEL);
	if (!ak)
		return;
	kref_get(&adapter->ref);
	ak->adapter = adapter;
	if (kobject_init_and_add(&ak->kobj, &dxg_adapter_ktype,
				 dxg_adapters_kobj, "%u", adapter->instance)) {
		pr_warn_ratelimited("no sysfs directory for adapter %u\n",
				    adapter->instance);
		kobject_put(&ak->kobj);
		return;
	}
	adapter->kobj = &ak->kobj;
}

/* Context: dxg_hosts.lock held. */
void dxg_sysfs_adapter_del(struct dxg_adapter *adapter)
{
	struct kobject *kobj = adapter->kobj;

	lockdep_assert_held(&dxg_hosts.lock);
	if (!kobj)
		return;
	adapter->kobj = NULL;
	kobject_del(kobj);
	kobject_put(kobj);
}

int dxg_sysfs_init(void)
{
	unsigned int i;
	int ret;

	dxg_gpu_kobj = kobject_create_and_add("gpu", &dxg_service.kobj);
	if (!dxg_gpu_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(dxg_gpu_kobj, &dxg_gpu_group);
	if (ret)
		goto err_put_gpu;
	dxg_adapters_kobj = kobject_create_and_add("adapters",
						   &dxg_service.kobj);
	if (!dxg_adapters_kobj) {
		ret = -ENOMEM;
		goto err_put_gpu;
	}
	/* a HELLO may have been quicker than us */
	mutex_lock(&dxg_hosts.lock);
	for (i = 0; i < dxg_hosts.nadapters; i++)
		if (!dxg_hosts.adapters[i]->kobj)
			dxg_sysfs_adapter_add(dxg_hosts.adapters[i]);
	mutex_unlock(&dxg_hosts.lock);
	return 0;

err_put_gpu:
	kobject_put(dxg_gpu_kobj);
	dxg_gpu_kobj = NULL;
	return ret;
}

/* Adapters' directories are gone by then (dxg_hosts_exit()). */
void dxg_sysfs_exit(void)
{
	kobject_put(dxg_adapters_kobj);
	dxg_adapters_kobj = NULL;
	kobject_put(dxg_gpu_kobj);
	dxg_gpu_kobj = NULL;
}
