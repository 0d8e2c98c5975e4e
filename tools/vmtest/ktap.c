// SPDX-License-Identifier: GPL-2.0-only
/*
 * A KTAP reader that understands kselftest's "# " nesting.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ktap.h"

static bool ktap_is_version(const char *l)
{
	return !strncmp(l, "TAP version ", 12) || !strncmp(l, "KTAP version ", 13);
}

/* "ok N ..." or "not ok N ...": 1 ok, 0 not ok, -1 not a result. */
static int ktap_result(const char *l, const char **rest)
{
	int ok;

	if (!strncmp(l, "ok ", 3)) {
		ok = 1;
		l += 3;
	} else if (!strncmp(l, "not ok ", 7)) {
		ok = 0;
		l += 7;
	} else {
		return -1;
	}
	if (!isdigit((unsigned char)*l))
		return -1;
	*rest = l;
	return ok;
}

/* A "# SKIP" directive after the description (case does not matter). */
static bool ktap_is_skip(const char *rest)
{
	const char *h = strchr(rest, '#');

	while (h) {
		const char *d = h + 1;

		while (*d == ' ')
			d++;
		if (!strncasecmp(d, "skip", 4) && (!d[4] || !isalnum((unsigned char)d[4])))
			return true;
		h = strchr(h + 1, '#');
	}
	return false;
}

/* The line one level down, or NULL if it is not a nested line. */
static char *ktap_child(char *l)
{
	if (l[0] != '#')
		return NULL;
	if (l[1] == ' ')
		return l + 2;
	if (!l[1])
		return l + 1;
	return NULL;
}

int ktap_count(char **lines, size_t n, int flags, struct ktap_counts *c,
	       FILE *err)
{
	size_t i, child0 = 0, nchild = 0, results = 0;
	char **child = NULL;
	bool version = false, have_plan = false;
	unsigned long plan = 0;
	int ret = 0;

	child = calloc(n ? n : 1, sizeof(*child));
	if (!child)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		char *l = lines[i], *sub = ktap_child(l);
		const char *rest;
		int ok;

		if (sub) {
			child[nchild++] = sub;
			continue;
		}
		if (ktap_is_version(l)) {
			version = true;
			continue;
		}
		if (!strncmp(l, "1..", 3) && isdigit((unsigned char)l[3])) {
			plan = strtoul(l + 3, NULL, 10);
			have_plan = true;
			continue;
		}
		ok = ktap_result(l, &rest);
		if (ok < 0)
			continue;	/* unknown lines are allowed */
		results++;
		{
			struct ktap_counts sc = { 0 };
			size_t j;
			bool nested = false;

			for (j = child0; j < nchild; j++)
				if (ktap_is_version(child[j]))
					nested = true;
			if (nested) {
				ret = ktap_count(child + child0, nchild - child0, 0, &sc, err);
				if (ret)
					break;
			}
			if (sc.passed + sc.failed + sc.skipped) {
				c->passed += sc.passed;
				c->failed += sc.failed;
				c->skipped += sc.skipped;
				if (!ok && !sc.failed)
					c->failed++;
			} else if (!ok) {
				c->failed++;
			} else if (ktap_is_skip(rest)) {
				c->skipped++;
			} else {
				c->passed++;
			}
		}
		child0 = nchild;
	}
	free(child);
	if (ret || !(flags & KTAP_STRICT))
		return ret;
	if (!version) {
		if (err)
			fprintf(err, "ktap: no \"TAP version\" or \"KTAP version\" line\n");
		return -EINVAL;
	}
	if (!have_plan) {
		if (err)
			fprintf(err, "ktap: no plan line (1..N)\n");
		return -EINVAL;
	}
	if (plan != results) {
		if (err)
			fprintf(err, "ktap: the plan says %lu results, the stream has %zu\n",
				plan, results);
		return -EINVAL;
	}
	return 0;
}

int ktap_read(FILE *f, int flags, struct ktap_counts *c, FILE *err)
{
	char **lines = NULL, *line = NULL;
	size_t n = 0, cap = 0, len = 0, i;
	ssize_t r;
	int ret;

	while ((r = getline(&line, &len, f)) >= 0) {
		if (r && line[r - 1] == '\n')
			line[--r] = '\0';
		if (n == cap) {
			char **more;

			cap = cap ? cap * 2 : 256;
			more = realloc(lines, cap * sizeof(*lines));
			if (!more) {
				ret = -ENOMEM;
				goto out;
			}
			lines = more;
		}
		lines[n] = strdup(line);
		if (!lines[n]) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	ret = ferror(f) ? -EIO : ktap_count(lines, n, flags, c, err);
out:
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(line);
	return ret;
}
