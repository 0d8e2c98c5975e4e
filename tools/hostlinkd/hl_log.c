// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: logfmt lines on stderr (see hl_log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hl_log.h"

enum hl_log_level hl_log_threshold = HL_LOG_INFO;

static const char *const hl_log_names[] = {
	[HL_LOG_DEBUG] = "debug",
	[HL_LOG_INFO] = "info",
	[HL_LOG_WARN] = "warn",
	[HL_LOG_ERROR] = "error",
	[HL_LOG_NONE] = "none",
};

int hl_log_level_parse(const char *s, enum hl_log_level *level)
{
	unsigned int i;

	for (i = 0; i < sizeof(hl_log_names) / sizeof(hl_log_names[0]); i++) {
		if (!strcmp(s, hl_log_names[i])) {
			*level = i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool hl_logfmt_bare(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '"' || *s == '=' || *s == '\\' || *s == 0x7f)
			return false;
	return true;
}

/* Appends @s to @buf at *@pos, quoted and escaped; never overflows. */
static void hl_logfmt_quote(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t p = *pos;

	if (p + 1 < size)
		buf[p++] = '"';
	for (; *s && p + 5 < size; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\') {
			buf[p++] = '\\';
			buf[p++] = ch;
		} else if (ch < ' ' || ch == 0x7f) {
			p += snprintf(buf + p, size - p, "\\x%02x", ch);
		} else {
			buf[p++] = ch;
		}
	}
	if (p + 1 < size)
		buf[p++] = '"';
	buf[p] = '\0';
	*pos = p;
}

char *hl_logfmt_add(char *buf, size_t size, const char *key, const char *value)
{
	size_t pos = strnlen(buf, size);
	int n;

	if (pos + 1 >= size)
		return buf;
	n = snprintf(buf + pos, size - pos, " %s=", key);
	if (n < 0 || (size_t)n >= size - pos) {
		buf[pos] = '\0';
		return buf;
	}
	pos += n;
	if (hl_logfmt_bare(value)) {
		snprintf(buf + pos, size - pos, "%s", value);
		return buf;
	}
	hl_logfmt_quote(buf, size, &pos, value);
	return buf;
}

void hl_log(enum hl_log_level level, const char *fields, const char *fmt, ...)
{
	char msg[512], line[1024];
	size_t pos;
	va_list ap;
	ssize_t ret;

	if (level < hl_log_threshold || level >= HL_LOG_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pos = (size_t)snprintf(line, sizeof(line), "level=%s msg=", hl_log_names[level]);
	hl_logfmt_quote(line, sizeof(line) - 2, &pos, msg);
	if (fields)
		pos += (size_t)snprintf(line + pos, sizeof(line) - 1 - pos, "%s", fields);
	if (pos > sizeof(line) - 2)
		pos = sizeof(line) - 2;
	line[pos++] = '\n';
	/* One write per line, so lines of concurrent writers do not mix. */
	ret = write(STDERR_FILENO, line, pos);
	(void)ret;
}

/**
 * hl_ratelimit() - may one more line from this source go out now?
 * @rl: the source's state, zeroed to start.
 * @now: the time in ms.
 * @missed: (out) when an interval has just ended with lines dropped,
 *	their number, for the caller to say; else 0.
 */
bool hl_ratelimit(struct hl_ratelimit *rl, uint64_t now, unsigned int *missed)
{
	*missed = 0;
	if (!rl->started || now - rl->begin >= HL_LOG_INTERVAL_MS) {
		*missed = rl->missed;
		rl->started = true;
		rl->begin = now;
		rl->n = 0;
		rl->missed = 0;
	}
	if (rl->n >= HL_LOG_BURST) {
		rl->missed++;
		return false;
	}
	rl->n++;
	return true;
}
