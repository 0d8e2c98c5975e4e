// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/self/gid_map: "INNER OUTER COUNT" a line.  In the initial user
 * namespace it is "0 0 4294967295"; inside another, a gid that no line
 * covers has no kernel gid at all, and the kernel refuses to store it
 * in an ACL.  The map is read from this process's side, so OUTER is the
 * parent namespace's: the kernel's when the distribution is one level
 * deep.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devperm.h"

int dp_idmap_parse(struct dp_idmap *m, const char *text)
{
	const char *p = text;
	unsigned int lineno = 0;

	m->n = 0;
	while (*p) {
		unsigned long long in, out, cnt;
		char *end;
		int used;

		lineno++;
		if (*p == '\n') {
			p++;
			continue;
		}
		if (sscanf(p, " %llu %llu %llu%n", &in, &out, &cnt, &used) != 3)
			return dp_fail(-EINVAL, "gid_map line %u: not 'INNER OUTER COUNT'", lineno);
		end = (char *)p + used;
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end && *end != '\n')
			return dp_fail(-EINVAL, "gid_map line %u: trailing text", lineno);
		if (cnt == 0 || in + cnt > 4294967296ULL || out + cnt > 4294967296ULL)
			return dp_fail(-EINVAL, "gid_map line %u: range out of bounds", lineno);
		if (m->n == DP_IDMAP_MAX)
			return dp_fail(-EINVAL, "gid_map: more than %d lines", DP_IDMAP_MAX);
		m->r[m->n].inner = in;
		m->r[m->n].outer = out;
		m->r[m->n].count = cnt;
		m->n++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int dp_idmap_load(struct dp_idmap *m, const char *path)
{
	char buf[DP_IDMAP_MAX * 40];
	size_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return dp_fail(-errno, "%s: %s", path, strerror(errno));
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return dp_idmap_parse(m, buf);
}

bool dp_idmap_identity(const struct dp_idmap *m)
{
	return m->n == 1 && m->r[0].inner == 0 && m->r[0].outer == 0 &&
	       m->r[0].count == UINT32_MAX;
}

/* ID as the parent namespace sees it, or -ENOENT when no line maps it. */
int dp_idmap_to_outer(const struct dp_idmap *m, uint32_t id, uint32_t *out)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (id >= m->r[i].inner && (uint64_t)id - m->r[i].inner < m->r[i].count) {
			*out = m->r[i].outer + (id - m->r[i].inner);
			return 0;
		}
	}
	return -ENOENT;
}
