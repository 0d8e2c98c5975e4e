/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: structured logs on stderr, one logfmt line per event:
 *   level=info msg="guest connected" cid=3 port=700 lport=19455 service=test
 */
#ifndef HL_LOG_H
#define HL_LOG_H

#include <stddef.h>

enum hl_log_level {
	HL_LOG_DEBUG,
	HL_LOG_INFO,
	HL_LOG_WARN,
	HL_LOG_ERROR,
	HL_LOG_NONE,
};

/* Lines below this level are dropped. */
extern enum hl_log_level hl_log_threshold;

int hl_log_level_parse(const char *s, enum hl_log_level *level);

/*
 * hl_log() - one line: level, msg from @fmt, then @fields verbatim
 * (" key=value ..." already in logfmt, or NULL).
 */
__attribute__((format(printf, 3, 4)))
void hl_log(enum hl_log_level level, const char *fields, const char *fmt, ...);

/* Appends " key=value" to @buf (quoted when needed); returns @buf. */
char *hl_logfmt_add(char *buf, size_t size, const char *key, const char *value);

#define hl_err(fmt, ...) hl_log(HL_LOG_ERROR, NULL, fmt, ##__VA_ARGS__)
#define hl_warn(fmt, ...) hl_log(HL_LOG_WARN, NULL, fmt, ##__VA_ARGS__)
#define hl_info(fmt, ...) hl_log(HL_LOG_INFO, NULL, fmt, ##__VA_ARGS__)
#define hl_dbg(fmt, ...) hl_log(HL_LOG_DEBUG, NULL, fmt, ##__VA_ARGS__)

#endif /* HL_LOG_H */
