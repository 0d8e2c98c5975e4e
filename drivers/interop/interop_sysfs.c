// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: sysfs, under the service's directory of the hostlink core:
 *
 *   /sys/kernel/hostlink/services/interop/exec/   counters and state
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "interop_priv.h"

static struct kobject *interop_exec_kobj;

/* A counter of struct interop_stats as a read-only file. */
struct interop_stat_attr {
	struct kobj_attribute attr;
	atomic64_t *counter;
};

static ssize_t interop_stat_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct interop_stat_attr *sa =
		container_of(attr, struct interop_stat_attr, attr);

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(sa->counter));
}

static struct interop_stat_attr interop_stat_attrs[] = {
	{ __ATTR(infos, 0444, interop_stat_show, NULL), &interop_stats.infos },
	{ __ATTR(spawns, 0444, interop_stat_show, NULL), &interop_stats.spawns },
	{ __ATTR(spawn_failures, 0444, interop_stat_show, NULL),
	  &interop_stats.spawn_failures },
	{ __ATTR(exits, 0444, interop_stat_show, NULL), &interop_stats.exits },
	{ __ATTR(events_dropped, 0444, interop_stat_show, NULL),
	  &interop_stats.events_dropped },
	{ __ATTR(closes, 0444, interop_stat_show, NULL), &interop_stats.closes },
	{ __ATTR(lost, 0444, interop_stat_show, NULL), &interop_stats.lost },
	{ __ATTR(protocol_errors, 0444, interop_stat_show, NULL),
	  &interop_stats.protocol_errors },
};

static ssize_t host_version_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct interop_limits lim;

	interop_host_limits(&lim);
	return sysfs_emit(buf, "%u\n", lim.ready ? lim.version : 0);
}

static ssize_t sessions_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", interop_sessions_count());
}

static struct kobj_attribute interop_host_version_attr =
	__ATTR_RO(host_version);
static struct kobj_attribute interop_sessions_attr = __ATTR_RO(sessions);

static struct attribute *interop_exec_attrs[ARRAY_SIZE(interop_stat_attrs) + 3];

static const struct attribute_group interop_exec_group = {
	.attrs = interop_exec_attrs,
};

int interop_sysfs_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(interop_stat_attrs); i++)
		interop_exec_attrs[i] = &interop_stat_attrs[i].attr.attr;
	interop_exec_attrs[i++] = &interop_host_version_attr.attr;
	interop_exec_attrs[i] = &interop_sessions_attr.attr;

	interop_exec_kobj = kobject_create_and_add("exec",
						   &interop_service.kobj);
	if (!interop_exec_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(interop_exec_kobj, &interop_exec_group);
	if (ret) {
		kobject_put(interop_exec_kobj);
		interop_exec_kobj = NULL;
	}
	return ret;
}

void interop_sysfs_exit(void)
{
	kobject_put(interop_exec_kobj);
	interop_exec_kobj = NULL;
}
