// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink core: the registry of guest services (dxg, interop, ...).
 *
 * Each registered service gets /sys/kernel/hostlink/services/<name>/
 * with its host port, the state of its control connection and counters
 * (see Documentation/ABI/testing/sysfs-kernel-hostlink).  Service
 * structs belong to their drivers; the core links them in, runs their
 * control connection, and waits for sysfs to let go on unregister.
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

/* sysfs exists only while the connection does (see register). */
static inline struct hostlink_conn *to_conn(struct kobject *kobj)
{
	return to_hostlink_service(kobj)->conn;
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  hostlink_state_name(READ_ONCE(to_conn(kobj)->state)));
}

static ssize_t last_error_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct hostlink_conn *conn = to_conn(kobj);
	ssize_t ret;

	spin_lock(&conn->lock);
	ret = sysfs_emit(buf, "%s\n", conn->last_error);
	spin_unlock(&conn->lock);
	return ret;
}

static ssize_t protocol_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct hostlink_conn *conn = to_conn(kobj);
	ssize_t ret;

	/* what the last HELLO agreed */
	spin_lock(&conn->lock);
	ret = sysfs_emit(buf, "version %u max_frame %u features %#llx\n",
			 conn->version, conn->max_frame, conn->features);
	spin_unlock(&conn->lock);
	return ret;
}

static ssize_t local_port_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_conn(kobj)->local_port));
}

static ssize_t in_flight_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_conn(kobj)->in_flight));
}

static struct kobj_attribute hostlink_service_port_attr = __ATTR_RO(port);
static struct kobj_attribute hostlink_service_state_attr = __ATTR_RO(state);
static struct kobj_attribute hostlink_service_last_error_attr =
	__ATTR_RO(last_error);
static struct kobj_attribute hostlink_service_protocol_attr =
	__ATTR_RO(protocol);
static struct kobj_attribute hostlink_service_local_port_attr =
	__ATTR_RO(local_port);
static struct kobj_attribute hostlink_service_in_flight_attr =
	__ATTR_RO(in_flight);

static struct attribute *hostlink_service_attrs[] = {
	&hostlink_service_port_attr.attr,
	&hostlink_service_state_attr.attr,
	&hostlink_service_last_error_attr.attr,
	&hostlink_service_protocol_attr.attr,
	&hostlink_service_local_port_attr.attr,
	&hostlink_service_in_flight_attr.attr,
	NULL,
};

static const struct attribute_group hostlink_service_group = {
	.attrs = hostlink_service_attrs,
};

/* stats/<counter>: one file per struct hostlink_stats member */
struct hostlink_stat_attr {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t hostlink_stat_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct hostlink_stat_attr *sa =
		container_of(attr, struct hostlink_stat_attr, attr);
	atomic64_t *counter = (void *)&to_conn(kobj)->stats + sa->offset;

	return sysfs_emit(buf, "%lld\n", atomic64_read(counter));
}

#define HOSTLINK_STAT(_field) {						\
	.attr = {							\
		.attr = { .name = #_field, .mode = 0444 },		\
		.show = hostlink_stat_show,				\
	},								\
	.offset = offsetof(struct hostlink_stats, _field),		\
}

static struct hostlink_stat_attr hostlink_stat_attrs[] = {
	HOSTLINK_STAT(connects),
	HOSTLINK_STAT(disconnects),
	HOSTLINK_STAT(refusals),
	HOSTLINK_STAT(requests),
	HOSTLINK_STAT(replies),
	HOSTLINK_STAT(timeouts),
	HOSTLINK_STAT(interrupts),
	HOSTLINK_STAT(cancels),
	HOSTLINK_STAT(dropped),
	HOSTLINK_STAT(events),
	HOSTLINK_STAT(protocol_errors),
	HOSTLINK_STAT(bytes_out),
	HOSTLINK_STAT(bytes_in),
	HOSTLINK_STAT(offers),
};

static struct attribute *hostlink_stats_attrs[ARRAY_SIZE(hostlink_stat_attrs) + 1];

static const struct attribute_group hostlink_stats_group = {
	.name = "stats",
	.attrs = hostlink_stats_attrs,
};

static const struct attribute_group *hostlink_service_groups[] = {
	&hostlink_service_group,
	&hostlink_stats_group,
	NULL,
};

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
	size_t len = name ? strnlen(name, HOSTLINK_NAME_LEN) : 0;

	if (len == 0 || len == HOSTLINK_NAME_LEN)
		return false;
	for (; *name; name++)
		if (!isalnum(*name) && *name != '_' && *name != '-')
			return false;
	return true;
}

/**
 * hostlink_service_register() - make a service known to the core
 * @svc: the service; @svc->name, @svc->port and optionally @svc->remote
 *	and @svc->ops set, the rest zeroed
 *
 * Starts the service's control connection: the core connects to the host
 * in the background and keeps reconnecting until unregistered.
 *
 * Context: process context; takes hostlink_services_lock.
 * Return: 0, -EINVAL for a bad name or port, -EEXIST if a service of
 * that name is registered, or -ENOMEM.
 */
int hostlink_service_register(struct hostlink_service *svc)
{
	struct hostlink_service *other;
	int ret;

	if (!hostlink_service_name_valid(svc->name) ||
	    (svc->remote && !hostlink_service_name_valid(svc->remote)) ||
	    svc->port == 0 ||
	    svc->port == U32_MAX)
		return -EINVAL;

	mutex_lock(&hostlink_services_lock);
	list_for_each_entry(other, &hostlink_services, node) {
		if (!strcmp(other->name, svc->name)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}

	ret = hostlink_conn_start(svc);
	if (ret)
		goto out_unlock;

	memset(&svc->kobj, 0, sizeof(svc->kobj));
	reinit_completion(&hostlink_service_released);
	ret = kobject_init_and_add(&svc->kobj, &hostlink_service_ktype,
				   hostlink_services_kobj, "%s", svc->name);
	if (ret) {
		kobject_put(&svc->kobj);
		wait_for_completion(&hostlink_service_released);
		hostlink_conn_stop(svc);
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
 * Closes the control connection (failing what is in flight) and waits
 * until sysfs no longer refers to @svc; afterwards the caller may free
 * or reuse it.  The caller guarantees that no hostlink_call() or
 * hostlink_attach() on @svc runs or starts.
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
	hostlink_conn_stop(svc);
	mutex_unlock(&hostlink_services_lock);
}
EXPORT_SYMBOL_NS_GPL(hostlink_service_unregister, HOSTLINK);

/**
 * hostlink_service_offer() - hand a host-initiated connection to a service
 * @name: the service as the host names it (its remote name, else its name)
 * @sock: connected to the host, its OFFER read
 *
 * Context: process context (hostlink_listen.c); takes hostlink_services_lock.
 * Return: 0 (@sock is the service's now), -ENOENT for no such service,
 * -EBUSY when each that has that name is connected or stopping.
 */
int hostlink_service_offer(const char *name, struct socket *sock)
{
	struct hostlink_service *svc;
	int ret = -ENOENT;

	mutex_lock(&hostlink_services_lock);
	/* Several may ask for one remote service (hostlink_test does). */
	list_for_each_entry(svc, &hostlink_services, node) {
		if (!strcmp(svc->remote ?: svc->name, name)) {
			ret = hostlink_conn_offer(svc->conn, sock);
			if (!ret)
				break;
		}
	}
	mutex_unlock(&hostlink_services_lock);
	return ret;
}

int hostlink_services_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hostlink_stat_attrs); i++)
		hostlink_stats_attrs[i] = &hostlink_stat_attrs[i].attr.attr;

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
