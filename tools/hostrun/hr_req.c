// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: what a spawn sends.  argv as given (argv[0] a bare name, a
 * host path, or a guest path made absolute); the environment: TERM,
 * COLORTERM, LANG and LC_* (what the host passes by default) and the
 * variables HOSTRUN_ENV names, nothing else; the guest's cwd, which the
 * host maps; the flags from the terminal and the options.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostrun.h"

/* Sent when set, whatever HOSTRUN_ENV says: the host's default allow list. */
static const char hr_env_default[] = "TERM:COLORTERM:LANG:LC_*";

/**
 * hr_abs_path() - a guest path made absolute
 * @path: the path, relative to the cwd or absolute.
 * @resolve: resolve symlinks, "." and ".." (the file must exist).
 * @out: (out) the result, malloc()ed.
 *
 * Return: 0, or -errno of realpath() or getcwd().
 */
int hr_abs_path(const char *path, bool resolve, char **out)
{
	char *cwd, *s;
	size_t n;

	if (resolve) {
		s = realpath(path, NULL);
		if (!s)
			return -errno;
		*out = s;
		return 0;
	}
	if (path[0] == '/') {
		s = strdup(path);
		goto done;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	n = strlen(cwd) + 1 + strlen(path) + 1;
	s = malloc(n);
	if (s)
		strcpy(stpcpy(stpcpy(s, cwd), strcmp(cwd, "/") ? "/" : ""), path);
	free(cwd);
done:
	if (!s)
		return -ENOMEM;
	*out = s;
	return 0;
}

/* Does the colon-separated list @names (NAME or PREFIX*) name @var ("N=v")? */
bool hr_env_wanted(const char *names, const char *var)
{
	size_t vlen = strcspn(var, "=");
	const char *p = names;

	while (*p) {
		size_t len = strcspn(p, ":");

		if (len && p[len - 1] == '*') {
			if (vlen >= len - 1 && !strncmp(p, var, len - 1))
				return true;
		} else if (len && len == vlen && !strncmp(p, var, len)) {
			return true;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/**
 * hr_env_build() - the variables a spawn sends
 * @names: HOSTRUN_ENV, or NULL.
 * @environ_: the environment to pick from.
 * @out: (out) a malloc()ed array of pointers into @environ_.
 * @n: (out) how many.
 *
 * The defaults (TERM COLORTERM LANG LC_*) and those @names names, in
 * the order of @environ_; strings without '=' or with an empty name are
 * skipped.
 *
 * Return: 0 or -ENOMEM.
 */
int hr_env_build(const char *names, char *const *environ_, char ***out,
		 uint32_t *n)
{
	size_t i, k = 0, total = 0;
	char **v;

	while (environ_[total])
		total++;
	v = calloc(total + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		const char *e = environ_[i];

		if (!strchr(e, '=') || e[0] == '=')
			continue;
		if (hr_env_wanted(hr_env_default, e) ||
		    (names && hr_env_wanted(names, e)))
			v[k++] = environ_[i];
	}
	*out = v;
	*n = (uint32_t)k;
	return 0;
}

/**
 * hr_req_build() - the spawn request for a command line
 * @o: the options.
 * @argc: strings in @argv, at least 1.
 * @argv: the program and its arguments.
 * @req: (out) the request; hr_req_free() it.
 *
 * argv[0] is a guest path with -g or when it is relative with a '/':
 * then it is made absolute (symlinks resolved, so it must exist).
 *
 * Return: 0, or -errno (the path's, the cwd's, -ENOMEM).
 */
int hr_req_build(const struct hr_opts *o, int argc, char **argv,
		 struct hr_spawn_req *req)
{
	extern char **environ;
	const char *prog = argv[0];
	bool pty;
	char *s;
	int ret;

	memset(req, 0, sizeof(*req));
	req->argv = calloc((size_t)argc + 1, sizeof(*req->argv));
	if (!req->argv)
		return -ENOMEM;
	memcpy(req->argv, argv, (size_t)argc * sizeof(*argv));
	req->argc = (uint32_t)argc;
	if (o->guest_path || (prog[0] != '/' && strchr(prog, '/'))) {
		ret = hr_abs_path(prog, true, &s);
		if (ret)
			goto err;
		req->argv[0] = s;
		req->flags |= INTEROP_SPAWN_GUEST_PATH;
	}
	ret = hr_abs_path(o->cwd ? o->cwd : ".", true, &s);
	if (ret)
		goto err;
	req->cwd = s;
	ret = hr_env_build(getenv("HOSTRUN_ENV"), environ, &req->envp, &req->envc);
	if (ret)
		goto err;

	pty = hr_term_want_pty(o->pty);
	if (pty) {
		req->flags |= INTEROP_SPAWN_PTY;
		hr_term_size(&req->rows, &req->cols);
		/* The terminal's stderr goes through the pty with stdout. */
		if (!isatty(2) || !hr_term_same_file(2, isatty(1) ? 1 : 0))
			req->flags |= INTEROP_SPAWN_STDERR_STREAM;
	} else {
		/* 2>&1 stays merged, in order. */
		if (!hr_term_same_file(1, 2))
			req->flags |= INTEROP_SPAWN_STDERR_STREAM;
		if (o->no_stdin || fcntl(0, F_GETFD) < 0 || hr_term_is_devnull(0))
			req->flags |= INTEROP_SPAWN_STDIN_NULL;
	}
	return 0;
err:
	hr_req_free(req);
	return ret;
}

void hr_req_free(struct hr_spawn_req *req)
{
	if (req->argv && (req->flags & INTEROP_SPAWN_GUEST_PATH))
		free(req->argv[0]);
	free(req->argv);
	free(req->envp);
	free((char *)req->cwd);
	memset(req, 0, sizeof(*req));
}
