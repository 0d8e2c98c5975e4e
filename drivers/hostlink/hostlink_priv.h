/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlink core, private declarations.
 *
 * Lock order: hostlink_services_lock is the only lock so far.
 */
#ifndef _HOSTLINK_PRIV_H
#define _HOSTLINK_PRIV_H

#include <linux/hostlink.h>
#include <linux/kobject.h>

/* /sys/kernel/hostlink, created at module init, parent of services/. */
extern struct kobject *hostlink_kobj;

int hostlink_services_init(void);
void hostlink_services_exit(void);

#endif /* _HOSTLINK_PRIV_H */
