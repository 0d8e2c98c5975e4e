// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: configuration (see hl_config.h and hostlinkd.8).  A value
 * is checked where it is set, so an error names the file and line, or
 * the flag, it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_config.h"
#include "hl_daemon.h"

#define HL_LINE_MAX 4096

void hl_config_init(struct hl_config *cfg)
{
	*cfg = (struct hl_config){
		.nlisten = 1,
		.listen_src = HL_SRC_DEFAULT,
		.vsock = true,
		.control_threads = true,
		.max_connections = 16,
		.max_requests = 256,
		.max_queue = 16U << 20,
		.max_frame = HOSTLINK_FRAME_DEFAULT,
		.log_level = HL_LOG_INFO,
		.proto_min = HOSTLINK_PROTO_MIN,
		.proto_max = HOSTLINK_PROTO_MAX,
	};
	snprintf(cfg->listen[0].service, sizeof(cfg->listen[0].service), "%s",
		 hl_svc_test.name);
	cfg->listen[0].port = hl_svc_test.port;
}

void hl_config_free(struct hl_config *cfg)
{
	free(cfg->hybrid);
	cfg->hybrid = NULL;
}

__attribute__((format(printf, 3, 4)))
static int hl_cfg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int hl_parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") ||
	    !strcmp(v, "0")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* A decimal number, optionally with K, M or G (binary) for sizes. */
static int hl_parse_u64(const char *v, bool size, uint64_t min, uint64_t max,
			uint64_t *out)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	if (size && *end) {
		switch (*end++) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		if (!strcmp(end, "iB"))
			end += 2;
	}
	if (*end || n > (max >> shift))
		return -EINVAL;
	n <<= shift;
	if (n < min || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static int hl_config_listen(struct hl_config *cfg, enum hl_config_source src,
			    const char *v, char *err, size_t errlen)
{
	char name[HOSTLINK_NAME_LEN + 1] = "";
	const struct hl_service *svc;
	const char *colon = strchr(v, ':');
	size_t nlen = colon ? (size_t)(colon - v) : strlen(v);
	uint64_t port;
	unsigned int i;

	if (nlen == 0 || nlen > HOSTLINK_NAME_LEN)
		return hl_cfg_fail(err, errlen, "bad listen '%s': expected SERVICE[:PORT]", v);
	memcpy(name, v, nlen);
	svc = hl_service_find(name);
	if (!svc)
		return hl_cfg_fail(err, errlen, "unknown service '%s'", name);
	port = svc->port;
	if (colon && hl_parse_u64(colon + 1, false, 1, UINT32_MAX - 1, &port))
		return hl_cfg_fail(err, errlen, "bad port '%s': expected 1-%u", colon + 1,
				   UINT32_MAX - 1);
	/* A source's first listen replaces what an earlier source said. */
	if (cfg->listen_src != src) {
		cfg->listen_src = src;
		cfg->nlisten = 0;
	}
	for (i = 0; i < cfg->nlisten; i++)
		if (cfg->listen[i].port == port && !strcmp(cfg->listen[i].service, name))
			return hl_cfg_fail(err, errlen, "%s:%u listed twice", name,
					   (unsigned int)port);
	if (cfg->nlisten == HL_MAX_LISTEN)
		return hl_cfg_fail(err, errlen, "more than %u listen entries", HL_MAX_LISTEN);
	memcpy(cfg->listen[cfg->nlisten].service, name, sizeof(name));
	cfg->listen[cfg->nlisten].port = port;
	cfg->nlisten++;
	return 0;
}

/* One numeric key: its bounds and where it goes. */
struct hl_config_num {
	const char *key;
	bool size;
	uint64_t min, max;
	size_t offset;
	size_t width;		/* 1, 4 or 8 bytes */
	bool hidden;		/* for tests: flags only */
};

#define HL_NUM(k, sz, lo, hi, field, hid) \
	{ k, sz, lo, hi, offsetof(struct hl_config, field), \
	  sizeof(((struct hl_config *)0)->field), hid }

static const struct hl_config_num hl_config_nums[] = {
	HL_NUM("max_connections", false, 1, 65536, max_connections, false),
	HL_NUM("max_requests", false, 1, 1U << 20, max_requests, false),
	HL_NUM("max_queue", true, HL_TXQ_FAIR, 1ULL << 32, max_queue, false),
	HL_NUM("max_frame", true, HOSTLINK_FRAME_MIN, HOSTLINK_FRAME_LIMIT, max_frame, false),
	HL_NUM("hybrid_connect", false, 0, HOSTLINK_RESERVED_PORT_END - 1, hybrid_connect,
	       false),
	HL_NUM("proto_min", false, 1, 255, proto_min, true),
	HL_NUM("proto_max", false, 1, 255, proto_max, true),
};

static int hl_config_set_num(struct hl_config *cfg, const struct hl_config_num *n,
			     const char *v, char *err, size_t errlen)
{
	char *dst = (char *)cfg + n->offset;
	uint64_t val;

	if (hl_parse_u64(v, n->size, n->min, n->max, &val))
		return hl_cfg_fail(err, errlen, "bad value '%s' for %s: expected %s %llu-%llu",
				   v, n->key, n->size ? "a size (K, M, G)" : "a number",
				   (unsigned long long)n->min, (unsigned long long)n->max);
	if (n->width == 1) {
		uint8_t x = val;

		memcpy(dst, &x, 1);
	} else if (n->width == 4) {
		uint32_t x = val;

		memcpy(dst, &x, 4);
	} else {
		memcpy(dst, &val, 8);
	}
	return 0;
}

/**
 * hl_config_set() - set one key
 * @cfg: the configuration.
 * @src: where the value comes from (file or flags).
 * @key: the key, as in the file.
 * @value: its value.
 * @err: (out) the reason on failure, without file and line.
 * @errlen: its size.
 *
 * Return: 0, -ENOENT for an unknown key, -EINVAL for a bad value.
 */
int hl_config_set(struct hl_config *cfg, enum hl_config_source src,
		  const char *key, const char *value, char *err, size_t errlen)
{
	bool *flag = NULL;
	size_t i;

	for (i = 0; i < sizeof(hl_config_nums) / sizeof(hl_config_nums[0]); i++) {
		const struct hl_config_num *n = &hl_config_nums[i];

		if (strcmp(key, n->key) || (n->hidden && src != HL_SRC_FLAGS))
			continue;
		return hl_config_set_num(cfg, n, value, err, errlen);
	}
	if (!strcmp(key, "listen"))
		return hl_config_listen(cfg, src, value, err, errlen);
	if (!strcmp(key, "hybrid")) {
		char *dup = NULL;

		if (*value) {
			dup = strdup(value);
			if (!dup) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
		}
		free(cfg->hybrid);
		cfg->hybrid = dup;
		return 0;
	}
	if (!strcmp(key, "log_level")) {
		if (hl_log_level_parse(value, &cfg->log_level))
			return hl_cfg_fail(err, errlen,
					   "bad log_level '%s': expected debug, info, warn, error or none",
					   value);
		return 0;
	}
	if (!strcmp(key, "vsock"))
		flag = &cfg->vsock;
	else if (!strcmp(key, "allow_loopback"))
		flag = &cfg->allow_loopback;
	else if (!strcmp(key, "trust_hybrid"))
		flag = &cfg->trust_hybrid;
	else if (!strcmp(key, "control_threads"))
		flag = &cfg->control_threads;
	if (flag) {
		if (hl_parse_bool(value, flag))
			return hl_cfg_fail(err, errlen, "bad value '%s' for %s: expected yes or no",
					   value, key);
		return 0;
	}
	hl_cfg_fail(err, errlen, "unknown key '%s'", key);
	return -ENOENT;
}

static char *hl_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One line of the file: blank, "# comment", or "key = value  # comment". */
static int hl_config_line(struct hl_config *cfg, char *line, char *err, size_t errlen)
{
	char *key, *value, *eq, *hash;

	for (hash = line; (hash = strchr(hash, '#')); hash++) {
		if (hash == line || isspace((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	}
	key = hl_trim(line);
	if (!*key)
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return hl_cfg_fail(err, errlen, "expected 'key = value'");
	*eq = '\0';
	key = hl_trim(key);
	value = hl_trim(eq + 1);
	if (!*key)
		return hl_cfg_fail(err, errlen, "expected 'key = value'");
	return hl_config_set(cfg, HL_SRC_FILE, key, value, err, errlen);
}

/**
 * hl_config_load() - read a configuration file
 * @cfg: the configuration.
 * @path: the file.
 * @must_exist: a missing file is an error (else it is no settings).
 * @err: (out) "FILE:LINE: reason" or "FILE: reason" on failure.
 * @errlen: its size.
 *
 * Return: 0 or -errno.
 */
int hl_config_load(struct hl_config *cfg, const char *path, bool must_exist,
		   char *err, size_t errlen)
{
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	char why[256];
	ssize_t len;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (ret == -ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > HL_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line longer than %u bytes", path,
				 lineno, HL_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		if (strlen(line) != (size_t)len) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", path, lineno);
			ret = -EINVAL;
			break;
		}
		ret = hl_config_line(cfg, line, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			break;
		}
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	free(line);
	fclose(f);
	return ret;
}

/* Settings that only make sense together.  0 or -EINVAL. */
int hl_config_check(const struct hl_config *cfg, char *err, size_t errlen)
{
	if (!cfg->vsock && !cfg->hybrid)
		return hl_cfg_fail(err, errlen,
				   "nothing to listen on: vsock is off and no hybrid path");
	if (!cfg->nlisten)
		return hl_cfg_fail(err, errlen, "no service to listen for");
	if (cfg->hybrid_connect && !cfg->hybrid)
		return hl_cfg_fail(err, errlen,
				   "hybrid_connect %u needs the VMM's socket (hybrid)",
				   cfg->hybrid_connect);
	if (cfg->proto_min > cfg->proto_max)
		return hl_cfg_fail(err, errlen, "proto_min %u above proto_max %u",
				   cfg->proto_min, cfg->proto_max);
	return 0;
}
