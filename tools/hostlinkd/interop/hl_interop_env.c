// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: the environment a host program gets.  HOME, USER
 * and SHELL are the host user's, PATH is interop_path; of the guest's
 * variables only those interop_env_allow names pass (NAME, or PREFIX*
 * for every name that starts so), the first of each name, and never
 * one of those four.  Nothing else of the daemon's or the guest's
 * environment reaches the program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_interop.h"

static const char *const hl_env_fixed[] = { "HOME", "USER", "SHELL", "PATH" };

static bool hl_env_is_fixed(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(hl_env_fixed) / sizeof(hl_env_fixed[0]); i++)
		if (strlen(hl_env_fixed[i]) == len && !memcmp(hl_env_fixed[i], name, len))
			return true;
	return false;
}

/**
 * hl_interop_env_allowed() - does interop_env_allow pass this name?
 * @ic: the configuration.
 * @name: the variable's name (not NUL-terminated).
 * @len: its length.
 *
 * Return: true if a pattern names it and it is none of the four the
 * host sets itself.
 */
bool hl_interop_env_allowed(const struct hl_interop_cfg *ic, const char *name,
			    size_t len)
{
	unsigned int i;

	if (!len || hl_env_is_fixed(name, len))
		return false;
	for (i = 0; i < ic->env_allow.n; i++) {
		const char *pat = ic->env_allow.v[i];
		size_t plen = strlen(pat);

		if (plen && pat[plen - 1] == '*') {
			if (len >= plen - 1 && !memcmp(pat, name, plen - 1))
				return true;
		} else if (plen == len && !memcmp(pat, name, len)) {
			return true;
		}
	}
	return false;
}

/* Has an earlier guest variable (index below @k) the same name? */
static bool hl_env_seen(char *const *genv, unsigned int k, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < k; i++)
		if (!strncmp(genv[i], name, len) && genv[i][len] == '=')
			return true;
	return false;
}

/**
 * hl_interop_env_build() - the program's environment
 * @ic: the configuration.
 * @u: the host user (HOME, USER, SHELL; none may be NULL).
 * @genv: the guest's variables, "NAME=value" each (as the parser
 *	checked them).
 * @n: how many.
 * @out: (out) a NULL-terminated array for posix_spawn; one allocation,
 *	free() it.
 *
 * Return: 0, -ENOMEM, or -E2BIG if PATH would not fit INTEROP_WIRE_MAX_ARG_BYTES.
 */
int hl_interop_env_build(const struct hl_interop_cfg *ic,
			 const struct hl_interop_user *u,
			 char *const *genv, unsigned int n, char ***out)
{
	size_t bytes = 0, nvars = 4, pathlen = 0, off;
	unsigned int i, k;
	char **v, *s;
	bool *pass;

	pass = calloc(n ? n : 1, sizeof(*pass));
	if (!pass)
		return -ENOMEM;
	for (i = 0; i < ic->path.n; i++)
		pathlen += strlen(ic->path.v[i]) + 1;
	if (pathlen > INTEROP_WIRE_MAX_ARG_BYTES) {
		free(pass);
		return -E2BIG;
	}
	bytes = strlen("HOME=") + strlen(u->home) + 1 + strlen("USER=") +
		strlen(u->user) + 1 + strlen("SHELL=") + strlen(u->shell) + 1 +
		strlen("PATH=") + pathlen + 1;
	for (k = 0; k < n; k++) {
		const char *eq = strchr(genv[k], '=');
		size_t len = eq ? (size_t)(eq - genv[k]) : 0;

		if (!eq || !hl_interop_env_allowed(ic, genv[k], len) ||
		    hl_env_seen(genv, k, genv[k], len))
			continue;
		pass[k] = true;
		nvars++;
		bytes += strlen(genv[k]) + 1;
	}
	v = malloc((nvars + 1) * sizeof(*v) + bytes);
	if (!v) {
		free(pass);
		return -ENOMEM;
	}
	s = (char *)(v + nvars + 1);
	off = 0;
	i = 0;
#define HL_ENV_PUT(fmt, ...) do {					\
		v[i++] = s + off;					\
		off += sprintf(s + off, fmt, __VA_ARGS__) + 1;		\
	} while (0)
	HL_ENV_PUT("HOME=%s", u->home);
	HL_ENV_PUT("USER=%s", u->user);
	HL_ENV_PUT("SHELL=%s", u->shell);
	v[i++] = s + off;
	off += sprintf(s + off, "PATH=");
	for (k = 0; k < ic->path.n; k++)
		off += sprintf(s + off, "%s%s", k ? ":" : "", ic->path.v[k]);
	off++;
	for (k = 0; k < n; k++)
		if (pass[k])
			HL_ENV_PUT("%s", genv[k]);
#undef HL_ENV_PUT
	v[i] = NULL;
	free(pass);
	*out = v;
	return 0;
}
