// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: the registry of guest services (dxg, interop, ...).
 *
 * Each registered service gets /sys/kernel/hostlink/services/<name>/
 * with its host port.  Service structs belong to their drivers; the core
 * only links them in and waits for sysfs to let go on unregister.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "hostlink_priv.h"

/* Protects hostlink_services and every hostlink_service.node. */
static DEFINE_MUTEX(hostlink_services_lock);
static LIST_HEAD(hostlink_services);
static struct kobject *hostlink_services_kobj;

/*
 * Released kobjects complete this; unregister waits for it so the
 * driver's static struct is not reused or unloaded while sysfs holds it.
 * Serialised by hostlink_services_lock, so one completion suffices.
 */
static DECLARE_COMPLETION(hostlink_service_released);

static inline struct hostlink_service *to_hostlink_service(struct kobject *kobj)
{
	return container_of(kobj, struct hostlink_service, kobj);
}

static ssize_t port_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", to_hostlink_service(kobj)->port);
}

static struct kobj_attribute hostlink_service_port_attr = __ATTR_RO(port);

static struct attribute *hostlink_service_attrs[] = {
	&hostlink_service_port_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(hostlink_service);

static void hostlink_service_release(struct kobject *kobj)
{
	complete(&hostlink_service_released);
}

static struct kobj_type hostlink_service_ktype = {
	.release = hostlink_service_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = hostlink_service_groups,
};

static bool hostlink_service_name_valid(const char *name)
{
	size_t len = name ? strnlen(name, 32) : 0;

	if (len == 0 || len == 32)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && *name != '_' && *name != '-')
			return false;
	return true;
}

/**
 * hostlink_service_register() - make a service known to the core
 * @svc: the service; @svc->name and @svc->port set, the rest zeroed
 *
 * Context: process context; takes hostlink_services_lock.
 * Return: 0, -EINVAL for a bad name or port, -EEXIST if a service of
 * that name is registered, or -ENOMEM.
 */
int hostlink_service_register(struct hostlink_service *svc)
{
	struct hostlink_service *other;
	int ret;

	if (!hostlink_service_name_valid(svc->name) || svc->port == 0 ||
	    svc->port == U32_MAX)
		return -EINVAL;

	mutex_lock(&hostlink_services_lock);
	list_for_each_entry(other, &hostlink_services, node) {
		if (!strcmp(other->name, svc->name)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}

	memset(&svc->kobj, 0, sizeof(svc->kobj));
	reinit_completion(&hostlink_service_released);
	ret = kobject_init_and_add(&svc->kobj, &hostlink_service_ktype,
				   hostlink_services_kobj, "%s", svc->name);
	if (ret) {
		kobject_put(&svc->kobj);
		wait_for_completion(&hostlink_service_released);
		goto out_unlock;
	}
	list_add_tail(&svc->node, &hostlink_services);
	pr_debug("service %s registered, host port %u\n", svc->name,
		 svc->port);
out_unlock:
	mutex_unlock(&hostlink_services_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(hostlink_service_register, HOSTLINK);

/**
 * hostlink_service_unregister() - remove a registered service
 * @svc: a service passed to hostlink_service_register() that succeeded
 *
 * Waits until sysfs no longer refers to @svc; afterwards the caller may
 * free or reuse it.
 *
 * Context: process context, may sleep; takes hostlink_services_lock.
 */
void hostlink_service_unregister(struct hostlink_service *svc)
{
	mutex_lock(&hostlink_services_lock);
	list_del(&svc->node);
	reinit_completion(&hostlink_service_released);
	kobject_put(&svc->kobj);
	wait_for_completion(&hostlink_service_released);
	mutex_unlock(&hostlink_services_lock);
}
EXPORT_SYMBOL_NS_GPL(hostlink_service_unregister, HOSTLINK);

int hostlink_services_init(void)
{
	hostlink_services_kobj = kobject_create_and_add("services",
							hostlink_kobj);
	return hostlink_services_kobj ? 0 : -ENOMEM;
}

void hostlink_services_exit(void)
{
	/* Modules that registered services hold a reference on us. */
	WARN_ON(!list_empty(&hostlink_services));
	kobject_put(hostlink_services_kobj);
}
