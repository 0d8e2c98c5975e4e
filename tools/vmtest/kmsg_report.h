/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which kernel log lines are reports of a kernel bug (DESIGN section 8).
 */
#ifndef VMTEST_KMSG_REPORT_H
#define VMTEST_KMSG_REPORT_H

/**
 * kmsg_report_kind() - classify one kernel log message
 * @msg: the message text, without the /dev/kmsg prefix
 *
 * Return: a short name of the kind of report ("oops", "warning",
 * "kasan", "lockdep", ...), or NULL if the line reports no bug.
 */
const char *kmsg_report_kind(const char *msg);

#endif
