// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration: /etc/devperm.conf when it exists, else the
 * packaged /usr/lib/devperm.conf.  One rule a line,
 *
 *   PATTERN  GROUP  PERM      e.g.  /dev/dri/renderD*  render  rw
 *
 * PATTERN an absolute fnmatch(3) glob, GROUP a group name, PERM r, w or
 * rw ("-" for a missing one, as in "r-").  '#' starts a comment.  A
 * malformed line makes the whole file unusable: nothing is applied.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devperm.h"

int dp_perm_parse(const char *s, unsigned int *perm)
{
	unsigned int p = 0;
	size_t i, len = strlen(s);

	if (len == 0 || len > 3)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case 'r':
			if (p & DP_PERM_R)
				return -EINVAL;
			p |= DP_PERM_R;
			break;
		case 'w':
			if (p & DP_PERM_W)
				return -EINVAL;
			p |= DP_PERM_W;
			break;
		case '-':
			break;
		default:
			return -EINVAL;	/* x and anything else */
		}
	}
	if (!p)
		return -EINVAL;
	*perm = p;
	return 0;
}

static bool dp_group_name_ok(const char *g)
{
	const char *p;

	if (!*g || *g == '-' || strlen(g) > 64)
		return false;
	for (p = g; *p; p++)
		if (*p == ':' || *p == '/' || (unsigned char)*p < 0x21)
			return false;
	return true;
}

static int dp_conf_line(struct dp_conf *c, char *line, unsigned int lineno)
{
	char *f[4], *save = NULL, *hash;
	struct dp_rule *r;
	unsigned int perm;
	int nf = 0;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (nf == 4)
			break;
		f[nf++] = t;
	}
	if (nf == 0)
		return 0;
	if (nf != 3)
		return dp_fail(-EINVAL, "%s:%u: expected 'PATTERN GROUP PERM', found %s%d field%s",
			       c->file, lineno, nf > 3 ? "more than " : "", nf > 3 ? 3 : nf,
			       nf == 1 ? "" : "s");
	if (f[0][0] != '/')
		return dp_fail(-EINVAL, "%s:%u: pattern '%s' is not an absolute path",
			       c->file, lineno, f[0]);
	if (!dp_group_name_ok(f[1]))
		return dp_fail(-EINVAL, "%s:%u: '%s' is not a group name", c->file, lineno, f[1]);
	if (dp_perm_parse(f[2], &perm))
		return dp_fail(-EINVAL, "%s:%u: permission '%s' is not r, w or rw (x means nothing on a device node)",
			       c->file, lineno, f[2]);
	r = realloc(c->rules, (c->n + 1) * sizeof(*r));
	if (!r)
		return dp_fail(-ENOMEM, "out of memory");
	c->rules = r;
	r = &c->rules[c->n];
	r->pattern = strdup(f[0]);
	r->group = strdup(f[1]);
	if (!r->pattern || !r->group) {
		free(r->pattern);
		free(r->group);
		return dp_fail(-ENOMEM, "out of memory");
	}
	r->perm = perm;
	r->file = c->file;
	r->line = lineno;
	c->n++;
	return 0;
}

/* Parse TEXT as the contents of FILE; on error C is left empty. */
int dp_conf_parse(struct dp_conf *c, const char *file, const char *text)
{
	char *copy, *line, *next;
	unsigned int lineno = 0;
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->file = strdup(file);
	copy = strdup(text);
	if (!c->file || !copy) {
		free(copy);
		dp_conf_free(c);
		return dp_fail(-ENOMEM, "out of memory");
	}
	for (line = copy; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strlen(line) > 4096) {
			err = dp_fail(-EINVAL, "%s:%u: line too long", file, lineno);
			break;
		}
		err = dp_conf_line(c, line, lineno);
	}
	free(copy);
	if (err)
		dp_conf_free(c);
	return err;
}

/* PATH, or when NULL the first of /etc/devperm.conf, /usr/lib/devperm.conf. */
int dp_conf_load(struct dp_conf *c, const char *path)
{
	char *buf = NULL;
	size_t cap = 0, len = 0, got;
	FILE *f;
	int err;

	if (!path) {
		f = fopen(DP_CONF_ETC, "re");
		path = DP_CONF_ETC;
		if (!f && errno == ENOENT) {
			f = fopen(DP_CONF_USR, "re");
			path = DP_CONF_USR;
			if (!f && errno == ENOENT)
				return dp_fail(-ENOENT, "no configuration: neither %s nor %s exists",
					       DP_CONF_ETC, DP_CONF_USR);
		}
	} else {
		f = fopen(path, "re");
	}
	if (!f)
		return dp_fail(-errno, "%s: %s", path, strerror(errno));
	do {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				free(buf);
				fclose(f);
				return dp_fail(-EFBIG, "%s: larger than 1 MiB", path);
			}
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return dp_fail(-ENOMEM, "out of memory");
			}
			buf = nb;
		}
		got = fread(buf + len, 1, 4096, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		err = dp_fail(-EIO, "%s: read error", path);
		free(buf);
		fclose(f);
		return err;
	}
	fclose(f);
	if (!buf) {
		buf = strdup("");
		if (!buf)
			return dp_fail(-ENOMEM, "out of memory");
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		return dp_fail(-EINVAL, "%s: contains a NUL byte", path);
	}
	err = dp_conf_parse(c, path, buf);
	free(buf);
	return err;
}

void dp_conf_free(struct dp_conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->rules[i].pattern);
		free(c->rules[i].group);
	}
	free(c->rules);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

bool dp_conf_matches(const struct dp_conf *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!fnmatch(c->rules[i].pattern, path, FNM_PATHNAME))
			return true;
	return false;
}
