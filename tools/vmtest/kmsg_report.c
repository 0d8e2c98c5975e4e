// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which kernel log lines are reports of a kernel bug (DESIGN section 8).
 */
#include <string.h>

#include "kmsg_report.h"

struct kmsg_pattern {
	const char *needle;
	const char *also;	/* NULL, or a second string that must appear */
	const char *kind;
};

static const struct kmsg_pattern kmsg_patterns[] = {
	{ "Oops: ", NULL, "oops" },
	{ "BUG: ", NULL, "bug" },
	{ "kernel BUG at ", NULL, "bug" },
	{ "WARNING: ", NULL, "warning" },
	{ "general protection fault", NULL, "gpf" },
	{ "Kernel panic", NULL, "panic" },
	{ "KASAN: ", NULL, "kasan" },
	{ "UBSAN: ", NULL, "ubsan" },
	{ "possible circular locking", NULL, "lockdep" },
	{ "inconsistent lock state", NULL, "lockdep" },
	{ "possible recursive locking", NULL, "lockdep" },
	{ "suspicious RCU usage", NULL, "lockdep" },
	{ "unreferenced object 0x", NULL, "kmemleak" },
	{ "suspected memory leak", NULL, "kmemleak" },
	{ "refcount_t: ", NULL, "refcount" },
	{ "INFO: task ", " blocked for more than ", "hung-task" },
	{ "list_add corruption", NULL, "list" },
	{ "list_del corruption", NULL, "list" },
};

const char *kmsg_report_kind(const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof(kmsg_patterns) / sizeof(kmsg_patterns[0]); i++) {
		const struct kmsg_pattern *p = &kmsg_patterns[i];

		if (strstr(msg, p->needle) && (!p->also || strstr(msg, p->also)))
			return p->kind;
	}
	return NULL;
}
