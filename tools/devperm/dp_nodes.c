// SPDX-License-Identifier: GPL-2.0-only
/*
 * The nodes of `devperm apply --all`: the card and render nodes that
 * libdrm finds (drmGetDevices2), and whatever the configured patterns
 * match under /dev (/dev/dxg, and DRM nodes libdrm does not list, such
 * as those of platform devices without a device-tree node), each once,
 * and only those a rule names.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xf86drm.h>

#include "devperm.h"

int dp_nodes_add(struct dp_nodes *ns, const char *path)
{
	char **p;
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (!strcmp(ns->path[i], path))
			return 0;
	p = realloc(ns->path, (ns->n + 1) * sizeof(*p));
	if (!p)
		return dp_fail(-ENOMEM, "out of memory");
	ns->path = p;
	p[ns->n] = strdup(path);
	if (!p[ns->n])
		return dp_fail(-ENOMEM, "out of memory");
	ns->n++;
	return 0;
}

static int dp_nodes_drm(const struct dp_conf *c, struct dp_nodes *ns)
{
	static const int kinds[] = { DRM_NODE_PRIMARY, DRM_NODE_RENDER };
	drmDevicePtr *devs;
	int n, i, k, err = 0;

	n = drmGetDevices2(0, NULL, 0);
	if (n <= 0)
		return 0;	/* none, or no /dev/dri at all */
	devs = calloc(n, sizeof(*devs));
	if (!devs)
		return dp_fail(-ENOMEM, "out of memory");
	n = drmGetDevices2(0, devs, n);
	for (i = 0; i < n && !err; i++)
		for (k = 0; k < 2 && !err; k++)
			if ((devs[i]->available_nodes & (1 << kinds[k])) &&
			    dp_conf_matches(c, devs[i]->nodes[kinds[k]]))
				err = dp_nodes_add(ns, devs[i]->nodes[kinds[k]]);
	if (n > 0)
		drmFreeDevices(devs, n);
	free(devs);
	return err;
}

int dp_nodes_all(const struct dp_conf *c, struct dp_nodes *ns)
{
	size_t i, j;
	glob_t g;
	int err;

	memset(ns, 0, sizeof(*ns));
	err = dp_nodes_drm(c, ns);
	for (i = 0; i < c->n && !err; i++) {
		if (glob(c->rules[i].pattern, GLOB_NOSORT, NULL, &g))
			continue;
		for (j = 0; j < g.gl_pathc && !err; j++)
			err = dp_nodes_add(ns, g.gl_pathv[j]);
		globfree(&g);
	}
	if (err)
		dp_nodes_free(ns);
	return err;
}

void dp_nodes_free(struct dp_nodes *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->path[i]);
	free(ns->path);
	memset(ns, 0, sizeof(*ns));
}
