// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the services the daemon knows.  Each is a struct
 * hl_service in a file of its own (hl_svc_<name>.c); add it here.
 */
#include <string.h>

#include "hl_daemon.h"

static const struct hl_service *const hl_services[] = {
	&hl_svc_test,
};

const struct hl_service *hl_service_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(hl_services) / sizeof(hl_services[0]); i++)
		if (!strcmp(hl_services[i]->name, name))
			return hl_services[i];
	return NULL;
}
