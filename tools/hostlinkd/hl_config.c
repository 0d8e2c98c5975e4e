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
		.nlisten = 2,
		.dxg_nadapters = 1,
		.dxg_adapters_src = HL_SRC_DEFAULT,
		.dxg_workers = 2,
		.dxg_max_memory = 512U << 20,
		.dxg_max_objects = 4096,
	};
	snprintf(cfg->listen[0].service, sizeof(cfg->listen[0].service), "%s",
		 hl_svc_test.name);
	cfg->listen[0].port = hl_svc_test.port;
	snprintf(cfg->listen[1].service, sizeof(cfg->listen[1].service), "%s",
		 hl_svc_dxg.name);
	cfg->listen[1].port = hl_svc_dxg.port;
	snprintf(cfg->dxg_adapters[0].name, sizeof(cfg->dxg_adapters[0].name), "soft0");
	cfg->dxg_adapters[0].memory = 256U << 20;
	hl_interop_cfg_init(&cfg->interop);
}

void hl_config_free(struct hl_config *cfg)
{
	free(cfg->hybrid);
	cfg->hybrid = NULL;
	hl_interop_cfg_free(&cfg->interop);
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

/*
 * An adapter name as the dxg wire wants it: 1 to DXG_WIRE_NAME_LEN - 1
 * bytes of UTF-8 (shortest forms, no surrogates), no control characters
 * (C0, DEL, C1).  Here also no ':', which ends it.
 */
static bool hl_dxg_name_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (!len || len >= DXG_WIRE_NAME_LEN)
		return false;
	while (p < end) {
		uint32_t cp;
		unsigned int n, i;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f || *p == ':')
				return false;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		if ((size_t)(end - p) <= n)
			return false;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		p += n + 1;
	}
	return true;
}

/* dxg_adapter = NAME:MEMORY[:compute]; a source's first replaces the list. */
static int hl_config_dxg_adapter(struct hl_config *cfg, enum hl_config_source src,
				 const char *v, char *err, size_t errlen)
{
	const char *colon = strchr(v, ':'), *opt;
	struct hl_dxg_adapter_cfg a = { 0 };
	char mem[32];
	size_t nlen, mlen;
	unsigned int i;

	if (!colon)
		return hl_cfg_fail(err, errlen, "bad dxg_adapter '%s': expected NAME:MEMORY[:compute]",
				   v);
	nlen = colon - v;
	if (!hl_dxg_name_ok(v, nlen))
		return hl_cfg_fail(err, errlen,
				   "bad dxg_adapter name '%.*s': 1-%u bytes of UTF-8, no control characters or ':'",
				   (int)nlen, v, DXG_WIRE_NAME_LEN - 1);
	memcpy(a.name, v, nlen);
	opt = strchr(colon + 1, ':');
	mlen = opt ? (size_t)(opt - colon - 1) : strlen(colon + 1);
	if (mlen >= sizeof(mem))
		mlen = sizeof(mem) - 1;
	memcpy(mem, colon + 1, mlen);
	mem[mlen] = '\0';
	if (hl_parse_u64(mem, true, 1U << 20, 1ULL << 40, &a.memory))
		return hl_cfg_fail(err, errlen,
				   "bad dxg_adapter memory '%s': expected a size (K, M, G) 1M-1024G",
				   mem);
	if (opt) {
		if (strcmp(opt + 1, "compute"))
			return hl_cfg_fail(err, errlen,
					   "bad dxg_adapter option '%s': expected compute", opt + 1);
		a.compute_only = true;
	}
	if (cfg->dxg_adapters_src != src) {
		cfg->dxg_adapters_src = src;
		cfg->dxg_nadapters = 0;
	}
	for (i = 0; i < cfg->dxg_nadapters; i++)
		if (!strcmp(cfg->dxg_adapters[i].name, a.name))
			return hl_cfg_fail(err, errlen, "dxg_adapter %s listed twice", a.name);
	if (cfg->dxg_nadapters == DXG_WIRE_MAX_ADAPTERS)
		return hl_cfg_fail(err, errlen, "more than %u dxg_adapter entries",
				   DXG_WIRE_MAX_ADAPTERS);
	cfg->dxg_adapters[cfg->dxg_nadapters++] = a;
	return 0;
}

/* One numeric key: its bounds and where it goes. */
struct hl_config_num {
	const char *key;
	bool size;
	uint64_t min, max;
	size_t offset;
	size_t width;		/* 1, 2, 4 or 8 bytes */
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
	HL_NUM("dxg_workers", false, 1, 64, dxg_workers, false),
	HL_NUM("dxg_max_memory", true, 1U << 20, 1ULL << 40, dxg_max_memory, false),
	HL_NUM("dxg_max_objects", false, 8, 1U << 20, dxg_max_objects, false),
	HL_NUM("dxg_fail_opcode", false, 0, DXG_WIRE_CMD_TIMESTAMP, dxg_fail_opcode, true),
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
	} else if (n->width == 2) {
		uint16_t x = val;

		memcpy(dst, &x, 2);
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
	int ret;

	for (i = 0; i < sizeof(hl_config_nums) / sizeof(hl_config_nums[0]); i++) {
		const struct hl_config_num *n = &hl_config_nums[i];

		if (strcmp(key, n->key) || (n->hidden && src != HL_SRC_FLAGS))
			continue;
		return hl_config_set_num(cfg, n, value, err, errlen);
	}
	if (!strncmp(key, "interop_", 8)) {
		ret = hl_interop_cfg_set(&cfg->interop, key, value, err, errlen);
		if (ret != -ENOENT)
			return ret;
	}
	if (!strcmp(key, "listen"))
		return hl_config_listen(cfg, src, value, err, errlen);
	if (!strcmp(key, "dxg_adapter"))
		return hl_config_dxg_adapter(cfg, src, value, err, errlen);
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
