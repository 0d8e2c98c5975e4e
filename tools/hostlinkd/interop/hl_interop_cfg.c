// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: its configuration keys (hl_interop_cfg.h,
 * hostlinkd.8).  Each value is checked, and paths normalised, where it
 * is set, so an error names the line or flag it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/interop_wire.h>

#include "hl_interop.h"

static const char *const hl_default_path[] = { "/usr/local/bin", "/usr/bin", "/bin" };
static const char *const hl_default_env[] = { "TERM", "COLORTERM", "LANG", "LC_*" };

#define HL_COUNT(a) (sizeof(a) / sizeof((a)[0]))

void hl_interop_cfg_init(struct hl_interop_cfg *ic)
{
	*ic = (struct hl_interop_cfg){
		.uids_any = true,
		.path = { hl_default_path, HL_COUNT(hl_default_path), NULL, NULL },
		.env_allow = { hl_default_env, HL_COUNT(hl_default_env), NULL, NULL },
		.max_sessions = 128,
		.kill_grace_ms = 2000,
	};
}

static void hl_words_free(struct hl_interop_words *w)
{
	free(w->buf);
	free(w->own);
	*w = (struct hl_interop_words){ 0 };
}

void hl_interop_cfg_free(struct hl_interop_cfg *ic)
{
	free(ic->guests);
	free(ic->uids);
	hl_words_free(&ic->path);
	hl_words_free(&ic->allow);
	hl_words_free(&ic->env_allow);
	free(ic->map);
	free(ic->map_buf);
	ic->guests = NULL;
	ic->uids = NULL;
	ic->map = NULL;
	ic->map_buf = NULL;
	ic->nguests = ic->nuids = ic->nmap = 0;
}

__attribute__((format(printf, 3, 4)))
static int hl_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Checks one word and writes its stored form to @out (@outlen bytes,
 * at least the word's length + 2); 0 or -EINVAL with @err set.
 */
typedef int (*hl_word_fn)(const char *w, char *out, size_t outlen, char *err,
			  size_t errlen);

/* Split @value at any of @seps into checked words; they replace @dst. */
static int hl_words_set(struct hl_interop_words *dst, const char *key,
			const char *value, const char *seps, hl_word_fn fn,
			char *err, size_t errlen)
{
	size_t vlen = strlen(value), pos = 0;
	char *copy, *buf, *save = NULL, *w;
	struct hl_interop_words nw = { 0 };
	char **own;
	unsigned int n = 0, i;
	char why[256];
	int ret;

	copy = strdup(value);
	buf = malloc(2 * vlen + 2);
	own = calloc(HL_INTEROP_MAX_LIST, sizeof(*own));
	if (!copy || !buf || !own) {
		free(copy);
		free(buf);
		free(own);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (w = strtok_r(copy, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		if (n == HL_INTEROP_MAX_LIST) {
			ret = hl_fail(err, errlen, "%s: more than %u entries", key,
				      HL_INTEROP_MAX_LIST);
			goto err_free;
		}
		ret = fn(w, buf + pos, 2 * vlen + 2 - pos, why, sizeof(why));
		if (ret) {
			hl_fail(err, errlen, "bad %s entry '%s': %s", key, w, why);
			goto err_free;
		}
		for (i = 0; i < n; i++)
			if (!strcmp(own[i], buf + pos)) {
				ret = hl_fail(err, errlen, "%s: '%s' listed twice", key, w);
				goto err_free;
			}
		own[n++] = buf + pos;
		pos += strlen(buf + pos) + 1;
	}
	free(copy);
	nw.v = (const char *const *)own;
	nw.n = n;
	nw.buf = buf;
	nw.own = own;
	hl_words_free(dst);
	*dst = nw;
	return 0;

err_free:
	free(copy);
	free(buf);
	free(own);
	return ret;
}

/* An absolute path, normalised; with @dir_ok a trailing '/' is kept. */
static int hl_word_path(const char *w, char *out, size_t outlen, bool dir_ok,
			char *why, size_t whylen)
{
	size_t n = strlen(w);
	bool dir = dir_ok && n > 1 && w[n - 1] == '/';
	int ret;

	if (w[0] != '/')
		return hl_fail(why, whylen, "not an absolute path");
	if (n >= INTEROP_WIRE_MAX_PATH)
		return hl_fail(why, whylen, "longer than %u bytes", INTEROP_WIRE_MAX_PATH - 1);
	ret = hl_interop_path_norm(w, out, outlen);
	if (ret)
		return hl_fail(why, whylen, "cannot normalise it");
	if (dir_ok && !strcmp(out, "/"))
		return hl_fail(why, whylen, "'/' would allow every program");
	if (dir)
		strcat(out, "/");
	return 0;
}

static int hl_word_dir(const char *w, char *out, size_t outlen, char *why, size_t whylen)
{
	return hl_word_path(w, out, outlen, false, why, whylen);
}

static int hl_word_allow(const char *w, char *out, size_t outlen, char *why, size_t whylen)
{
	return hl_word_path(w, out, outlen, true, why, whylen);
}

/*
 * NAME or PREFIX*: [A-Za-z_][A-Za-z0-9_]*, optionally ending in '*';
 * never one that could pass the dynamic loader's LD_ variables, and
 * never one of the four the host sets itself.
 */
static int hl_word_env(const char *w, char *out, size_t outlen, char *why, size_t whylen)
{
	size_t n = strlen(w), body = n, i;

	(void)outlen;
	if (n && w[n - 1] == '*')
		body = n - 1;
	if (!body)
		return hl_fail(why, whylen, "a name or PREFIX* expected");
	for (i = 0; i < body; i++)
		if (!(isalpha((unsigned char)w[i]) || w[i] == '_' ||
		      (i && isdigit((unsigned char)w[i]))))
			return hl_fail(why, whylen, "a name or PREFIX* expected");
	if ((body == n && !strncmp(w, "LD_", 3)) ||
	    (body < n && (!strncmp(w, "LD_", body < 3 ? body : 3))))
		return hl_fail(why, whylen, "would pass the dynamic loader's LD_ variables");
	if (body == n && (!strcmp(w, "HOME") || !strcmp(w, "USER") ||
			  !strcmp(w, "SHELL") || !strcmp(w, "PATH")))
		return hl_fail(why, whylen, "always the host's own");
	memcpy(out, w, n + 1);
	return 0;
}

/* Any word, as it is (numbers are checked by their caller). */
static int hl_word_plain(const char *w, char *out, size_t outlen, char *why, size_t whylen)
{
	(void)outlen;
	(void)why;
	(void)whylen;
	strcpy(out, w);
	return 0;
}

/* A decimal number without sign or junk, within [min, max]. */
static int hl_number(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 20)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		if (v > (UINT64_MAX - (s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

#define HL_SEPS " \t,"

/* interop_guests: CIDs, 1 (loopback) or 3 and up; empty: none. */
static int hl_set_guests(struct hl_interop_cfg *ic, const char *v, char *err, size_t errlen)
{
	struct hl_interop_words w = { 0 };
	uint32_t *cids = NULL;
	unsigned int i, j;
	int ret;

	ret = hl_words_set(&w, "interop_guests", v, HL_SEPS, hl_word_plain, err,
			   errlen);
	if (ret)
		return ret;
	if (w.n) {
		cids = calloc(w.n, sizeof(*cids));
		if (!cids) {
			hl_words_free(&w);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	for (i = 0; i < w.n; i++) {
		uint64_t c;

		if (!strcmp(w.v[i], "hybrid")) {
			c = HL_INTEROP_CID_HYBRID;
		} else if (hl_number(w.v[i], strlen(w.v[i]), 1, UINT32_MAX - 1, &c) || c == 2) {
			ret = hl_fail(err, errlen,
				      "bad interop_guests entry '%s': a CID, 1 or 3-%u, or hybrid",
				      w.v[i], UINT32_MAX - 1);
			goto err_free;
		}
		cids[i] = c;
		for (j = 0; j < i; j++)
			if (cids[j] == cids[i]) {
				ret = hl_fail(err, errlen, "interop_guests: %u listed twice",
					      cids[i]);
				goto err_free;
			}
	}
	free(ic->guests);
	ic->guests = cids;
	ic->nguests = w.n;
	hl_words_free(&w);
	return 0;

err_free:
	free(cids);
	hl_words_free(&w);
	return ret;
}

/* interop_guest_uids: "any", or uids and ranges LO-HI; empty: none. */
static int hl_set_uids(struct hl_interop_cfg *ic, const char *v, char *err, size_t errlen)
{
	struct hl_interop_words w = { 0 };
	struct hl_interop_uids *r = NULL;
	unsigned int i;
	int ret;

	ret = hl_words_set(&w, "interop_guest_uids", v, HL_SEPS, hl_word_plain, err, errlen);
	if (ret)
		return ret;
	if (w.n == 1 && !strcmp(w.v[0], "any")) {
		free(ic->uids);
		ic->uids = NULL;
		ic->nuids = 0;
		ic->uids_any = true;
		hl_words_free(&w);
		return 0;
	}
	if (w.n) {
		r = calloc(w.n, sizeof(*r));
		if (!r) {
			hl_words_free(&w);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	for (i = 0; i < w.n; i++) {
		const char *dash = strchr(w.v[i], '-');
		size_t n = strlen(w.v[i]);
		uint64_t lo, hi;

		/* 0xffffffff is the unmapped uid: never a range's end. */
		if (dash ? hl_number(w.v[i], dash - w.v[i], 0, UINT32_MAX - 1, &lo) ||
			   hl_number(dash + 1, n - (dash - w.v[i]) - 1, 0, UINT32_MAX - 1, &hi) ||
			   lo > hi :
			   hl_number(w.v[i], n, 0, UINT32_MAX - 1, &lo)) {
			ret = hl_fail(err, errlen,
				      "bad interop_guest_uids entry '%s': any, a uid or LO-HI",
				      w.v[i]);
			free(r);
			hl_words_free(&w);
			return ret;
		}
		r[i].lo = lo;
		r[i].hi = dash ? hi : lo;
	}
	free(ic->uids);
	ic->uids = r;
	ic->nuids = w.n;
	ic->uids_any = false;
	hl_words_free(&w);
	return 0;
}

/* interop_path_map: GUEST:HOST pairs, both absolute, normalised. */
static int hl_set_map(struct hl_interop_cfg *ic, const char *v, char *err, size_t errlen)
{
	struct hl_interop_words w = { 0 };
	struct hl_interop_map *map = NULL;
	char *buf = NULL, why[256];
	size_t pos = 0, cap;
	unsigned int i, j;
	int ret;

	ret = hl_words_set(&w, "interop_path_map", v, HL_SEPS, hl_word_plain, err, errlen);
	if (ret)
		return ret;
	cap = 2 * strlen(v) + 4;
	buf = malloc(cap);
	map = calloc(w.n ? w.n : 1, sizeof(*map));
	if (!buf || !map) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	for (i = 0; i < w.n; i++) {
		const char *colon = strchr(w.v[i], ':');
		char guest[INTEROP_WIRE_MAX_PATH];

		if (!colon || strchr(colon + 1, ':') ||
		    (size_t)(colon - w.v[i]) >= sizeof(guest)) {
			ret = hl_fail(err, errlen,
				      "bad interop_path_map entry '%s': GUEST:HOST expected",
				      w.v[i]);
			goto err_free;
		}
		memcpy(guest, w.v[i], colon - w.v[i]);
		guest[colon - w.v[i]] = '\0';
		map[i].guest = buf + pos;
		if (hl_word_dir(guest, buf + pos, cap - pos, why, sizeof(why))) {
			ret = hl_fail(err, errlen, "bad interop_path_map guest path '%s': %s",
				      guest, why);
			goto err_free;
		}
		pos += strlen(buf + pos) + 1;
		map[i].host = buf + pos;
		if (hl_word_dir(colon + 1, buf + pos, cap - pos, why, sizeof(why))) {
			ret = hl_fail(err, errlen, "bad interop_path_map host path '%s': %s",
				      colon + 1, why);
			goto err_free;
		}
		pos += strlen(buf + pos) + 1;
		for (j = 0; j < i; j++)
			if (!strcmp(map[j].guest, map[i].guest)) {
				ret = hl_fail(err, errlen,
					      "interop_path_map: guest path %s mapped twice",
					      map[i].guest);
				goto err_free;
			}
	}
	free(ic->map);
	free(ic->map_buf);
	ic->map = map;
	ic->map_buf = buf;
	ic->nmap = w.n;
	hl_words_free(&w);
	return 0;

err_free:
	free(map);
	free(buf);
	hl_words_free(&w);
	return ret;
}

/**
 * hl_interop_cfg_set() - set one interop_* key
 * @ic: the service's configuration.
 * @key: the key.
 * @value: its value.
 * @err: (out) the reason on failure.
 * @errlen: its size.
 *
 * Return: 0; -ENOENT if @key is not one of the service's; -EINVAL for
 * a bad value; -ENOMEM.
 */
int hl_interop_cfg_set(struct hl_interop_cfg *ic, const char *key,
		       const char *value, char *err, size_t errlen)
{
	uint64_t n;

	if (!strcmp(key, "interop_guests"))
		return hl_set_guests(ic, value, err, errlen);
	if (!strcmp(key, "interop_guest_uids"))
		return hl_set_uids(ic, value, err, errlen);
	if (!strcmp(key, "interop_path"))
		return hl_words_set(&ic->path, key, value, ":", hl_word_dir, err, errlen);
	if (!strcmp(key, "interop_allow"))
		return hl_words_set(&ic->allow, key, value, HL_SEPS, hl_word_allow, err,
				    errlen);
	if (!strcmp(key, "interop_env_allow"))
		return hl_words_set(&ic->env_allow, key, value, HL_SEPS, hl_word_env, err,
				    errlen);
	if (!strcmp(key, "interop_path_map"))
		return hl_set_map(ic, value, err, errlen);
	if (!strcmp(key, "interop_cwd_unmapped")) {
		if (!strcmp(value, "home"))
			ic->cwd_refuse = false;
		else if (!strcmp(value, "refuse"))
			ic->cwd_refuse = true;
		else
			return hl_fail(err, errlen,
				       "bad interop_cwd_unmapped '%s': expected home or refuse",
				       value);
		return 0;
	}
	if (!strcmp(key, "interop_max_sessions")) {
		if (hl_number(value, strlen(value), 1, INTEROP_WIRE_MAX_SESSIONS, &n))
			return hl_fail(err, errlen,
				       "bad value '%s' for interop_max_sessions: expected 1-%u",
				       value, INTEROP_WIRE_MAX_SESSIONS);
		ic->max_sessions = n;
		return 0;
	}
	if (!strcmp(key, "interop_allow_root")) {
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") ||
		    !strcmp(value, "1"))
			ic->allow_root = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") ||
			 !strcmp(value, "off") || !strcmp(value, "0"))
			ic->allow_root = false;
		else
			return hl_fail(err, errlen,
				       "bad value '%s' for interop_allow_root: expected yes or no",
				       value);
		return 0;
	}
	if (!strcmp(key, "interop_kill_grace_ms")) {
		if (hl_number(value, strlen(value), 0, 60000, &n))
			return hl_fail(err, errlen,
				       "bad value '%s' for interop_kill_grace_ms: expected 0-60000",
				       value);
		ic->kill_grace_ms = n;
		return 0;
	}
	return -ENOENT;
}

/* Is guest @cid listed in interop_guests? */
bool hl_interop_guest_ok(const struct hl_interop_cfg *ic, uint32_t cid)
{
	unsigned int i;

	for (i = 0; i < ic->nguests; i++)
		if (ic->guests[i] == cid)
			return true;
	return false;
}

/* May guest uid @uid run host programs (interop_guest_uids)? */
bool hl_interop_uid_ok(const struct hl_interop_cfg *ic, uint32_t uid)
{
	unsigned int i;

	if (ic->uids_any)
		return uid != UINT32_MAX;
	for (i = 0; i < ic->nuids; i++)
		if (uid >= ic->uids[i].lo && uid <= ic->uids[i].hi)
			return true;
	return false;
}
