// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the services the daemon knows.  Each is a struct
 * hl_service in a file of its own (hl_svc_<name>.c); add it here.
 */
#include <string.h>

#include "hl_daemon.h"

static const struct hl_service *const hl_services[] = {
	&hl_svc_test,
	&hl_svc_dxg,
	&hl_svc_interop,
};

#define HL_NSERVICES (sizeof(hl_services) / sizeof(hl_services[0]))

const struct hl_service *hl_service_find(const char *name)
{
	size_t i;

	for (i = 0; i < HL_NSERVICES; i++)
		if (!strcmp(hl_services[i]->name, name))
			return hl_services[i];
	return NULL;
}

/* Is @svc in the listen list?  Only those are started. */
static bool hl_service_listened(const struct hl_daemon *d, const struct hl_service *svc)
{
	unsigned int i;

	for (i = 0; i < d->cfg->nlisten; i++)
		if (!strcmp(d->cfg->listen[i].service, svc->name))
			return true;
	return false;
}

/* Starts the services that are listened for; 0 or the first -errno. */
int hl_services_start(struct hl_daemon *d)
{
	size_t i;
	int ret;

	for (i = 0; i < HL_NSERVICES; i++) {
		if (!hl_services[i]->start || !hl_service_listened(d, hl_services[i]))
			continue;
		ret = hl_services[i]->start(d);
		if (ret)
			goto err_stop;
	}
	return 0;

err_stop:
	while (i--)
		if (hl_services[i]->stop && hl_service_listened(d, hl_services[i]))
			hl_services[i]->stop(d);
	return ret;
}

/* Stops them again, once the connections are gone. */
void hl_services_stop(struct hl_daemon *d)
{
	size_t i = HL_NSERVICES;

	while (i--)
		if (hl_services[i]->stop && hl_service_listened(d, hl_services[i]))
			hl_services[i]->stop(d);
}
