// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: paths.  Normalisation is lexical (no file system):
 * "//" and "." go, ".." takes away the component before it and stops at
 * "/".  The path map (interop_path_map = GUEST:HOST ...) works on
 * normalised paths, by whole components, the longest matching prefix
 * winning; what follows the prefix has no "..", so the result stays
 * below the other side's directory.
 */
#include <errno.h>
#include <string.h>

#include "hl_interop.h"

/**
 * hl_interop_path_norm() - normalise an absolute path lexically
 * @in: the path, NUL-terminated.
 * @out: (out) the normalised path: absolute, no "//", "." or ".."
 *	component, no trailing "/" but for "/" itself.
 * @outlen: its size.
 *
 * Return: 0, -EINVAL if @in is not absolute, -ENAMETOOLONG if the
 * result does not fit.
 */
int hl_interop_path_norm(const char *in, char *out, size_t outlen)
{
	const char *p = in;
	size_t o = 0;

	if (*p != '/')
		return -EINVAL;
	if (outlen < 2)
		return -ENAMETOOLONG;
	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		len = p - c;
		if (!len || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			/* Back to the '/' before the last component, if any. */
			if (o > 0) {
				do
					o--;
				while (o > 0 && out[o] != '/');
			}
			continue;
		}
		/* "/" + the component + the NUL must fit. */
		if (len + 2 > outlen - o)
			return -ENAMETOOLONG;
		out[o] = '/';
		memcpy(out + o + 1, c, len);
		o += len + 1;
		out[o] = '\0';
	}
	if (!o)
		o = 1;
	out[0] = '/';
	out[o] = '\0';
	return 0;
}

/* Is @prefix (normalised) @path or a directory above it? */
static size_t hl_prefix_match(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (n == 1)
		return 1;	/* "/" is above everything */
	if (strncmp(prefix, path, n) || (path[n] && path[n] != '/'))
		return 0;
	return n;
}

/**
 * hl_interop_map_path() - translate a path by the path map
 * @ic: the configuration, whose map holds normalised paths.
 * @to_guest: host to guest; else guest to host.
 * @in: an absolute path on the one side.
 * @out: (out) the path on the other side, normalised.
 * @outlen: its size.
 *
 * Return: 0; -EINVAL if @in is not absolute; -ENOENT if no entry covers
 * it; -ENAMETOOLONG if the result does not fit.
 */
int hl_interop_map_path(const struct hl_interop_cfg *ic, bool to_guest,
			const char *in, char *out, size_t outlen)
{
	char norm[INTEROP_WIRE_MAX_PATH];
	const struct hl_interop_map *best = NULL;
	size_t best_len = 0, tlen, rlen;
	const char *target, *rest;
	unsigned int i;
	int ret;

	ret = hl_interop_path_norm(in, norm, sizeof(norm));
	if (ret)
		return ret;
	for (i = 0; i < ic->nmap; i++) {
		const char *from = to_guest ? ic->map[i].host : ic->map[i].guest;
		size_t n = hl_prefix_match(from, norm);

		if (n > best_len) {
			best = &ic->map[i];
			best_len = n;
		}
	}
	if (!best)
		return -ENOENT;
	target = to_guest ? best->guest : best->host;
	/* What follows the prefix: "" or "/...". */
	if (best_len == 1)
		rest = norm[1] ? norm : "";
	else
		rest = norm + best_len;
	tlen = strlen(target);
	if (tlen == 1 && *rest)
		tlen = 0;	/* "/" + "/x" is "/x" */
	rlen = strlen(rest);
	if (tlen + rlen + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(out, target, tlen);
	memcpy(out + tlen, rest, rlen + 1);
	return 0;
}
