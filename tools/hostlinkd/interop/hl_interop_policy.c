// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: which program argv[0] names, and whether it may
 * run.  A bare name is looked up in interop_path only (never the
 * guest's PATH), the first directory that has it winning, as execvp
 * does; an absolute path is the host's; a guest path goes through the
 * path map first.  The file found is resolved (symlinks followed), and
 * that resolved path must be in interop_allow: an entry equal to it, or
 * a "dir/" entry above it.  The file system is reached only through a
 * struct hl_interop_probe, so tests can fake it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hl_interop.h"

/**
 * hl_interop_allowed() - does interop_allow list this resolved path?
 * @ic: the configuration.
 * @real: an absolute, resolved path.
 *
 * Return: true if an entry is @real, or is a directory ("dir/") that
 * @real is below.
 */
bool hl_interop_allowed(const struct hl_interop_cfg *ic, const char *real)
{
	unsigned int i;

	for (i = 0; i < ic->allow.n; i++) {
		const char *a = ic->allow.v[i];
		size_t n = strlen(a);

		if (n && a[n - 1] == '/') {
			if (!strncmp(a, real, n) && real[n])
				return true;
		} else if (!strcmp(a, real)) {
			return true;
		}
	}
	return false;
}

/*
 * The probe's resolved path, normalised once more (a probe that left a
 * ".." in it cannot step out of a "dir/" entry), against interop_allow.
 */
static int hl_check_found(const struct hl_interop_cfg *ic, const char *found,
			  char *out, size_t outlen)
{
	char real[INTEROP_WIRE_MAX_PATH];
	size_t n;

	if (hl_interop_path_norm(found, real, sizeof(real)))
		return -EACCES;
	n = strlen(real);
	if (!hl_interop_allowed(ic, real))
		return -EACCES;
	if (n >= outlen)
		return -ENAMETOOLONG;
	memcpy(out, real, n + 1);
	return 0;
}

/**
 * hl_interop_resolve() - the program an OPEN names, if it may run
 * @ic: the configuration.
 * @pr: the file-system probe.
 * @argv0: argv[0] as the parser checked it: a bare name or an absolute
 *	path.
 * @guest_path: @argv0 is a guest path (INTEROP_WIRE_OPEN_F_GUEST_PATH).
 * @out: (out) the resolved host path to execute.
 * @outlen: its size.
 *
 * Return: 0; -ENOENT (not found, or a guest path outside the map);
 * -EACCES (found but not allowed, or not an executable file);
 * -EINVAL (a bare name with GUEST_PATH, or a path that is neither);
 * -ENAMETOOLONG; another -errno of the probe.
 */
int hl_interop_resolve(const struct hl_interop_cfg *ic,
		       const struct hl_interop_probe *pr, const char *argv0,
		       bool guest_path, char *out, size_t outlen)
{
	char path[INTEROP_WIRE_MAX_PATH], real[INTEROP_WIRE_MAX_PATH];
	bool denied = false;
	unsigned int i;
	int ret;

	if (guest_path) {
		ret = hl_interop_map_path(ic, false, argv0, path, sizeof(path));
		if (ret)
			return ret;
		ret = pr->probe(pr->ctx, path, real, sizeof(real));
		return ret ? ret : hl_check_found(ic, real, out, outlen);
	}
	if (argv0[0] == '/') {
		ret = pr->probe(pr->ctx, argv0, real, sizeof(real));
		return ret ? ret : hl_check_found(ic, real, out, outlen);
	}
	if (!argv0[0] || strchr(argv0, '/'))
		return -EINVAL;
	for (i = 0; i < ic->path.n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", ic->path.v[i], argv0) >=
		    sizeof(path))
			continue;
		ret = pr->probe(pr->ctx, path, real, sizeof(real));
		if (ret == -ENOENT || ret == -ENOTDIR || ret == -ENAMETOOLONG)
			continue;
		if (ret == -EACCES) {
			denied = true;	/* as execvp: go on, report EACCES last */
			continue;
		}
		if (ret)
			return ret;
		return hl_check_found(ic, real, out, outlen);
	}
	return denied ? -EACCES : -ENOENT;
}

/* The real file system: realpath(3), then a regular file we may execute. */
static int hl_probe_fs(void *ctx, const char *path, char *real, size_t reallen)
{
	char buf[PATH_MAX];
	struct stat st;

	(void)ctx;
	if (!realpath(path, buf))
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (strlen(buf) >= reallen)
		return -ENAMETOOLONG;
	if (stat(buf, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || access(buf, X_OK))
		return -EACCES;
	strcpy(real, buf);
	return 0;
}

const struct hl_interop_probe hl_interop_probe_fs = { hl_probe_fs, NULL };
