/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: structured logs on stderr, one logfmt line per event:
 *   level=info msg="guest connected" cid=3 port=700 lport=19455 service=test
 */
#ifndef HL_LOG_H
#define HL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * What a peer can make us log is rate-limited per source: at most
 * HL_LOG_BURST lines per HL_LOG_INTERVAL_MS, and then one line saying
 * how many were dropped.
 */
#define HL_LOG_BURST		200
#define HL_LOG_INTERVAL_MS	5000

struct hl_ratelimit {
	bool started;
	uint64_t begin;		/* start of the current interval, ms */
	unsigned int n;		/* lines let through in it */
	unsigned int missed;	/* lines dropped in it */
};

bool hl_ratelimit(struct hl_ratelimit *rl, uint64_t now, unsigned int *missed);

#define hl_err(fmt, ...) hl_log(HL_LOG_ERROR, NULL, fmt, ##__VA_ARGS__)
#define hl_warn(fmt, ...) hl_log(HL_LOG_WARN, NULL, fmt, ##__VA_ARGS__)
#define hl_info(fmt, ...) hl_log(HL_LOG_INFO, NULL, fmt, ##__VA_ARGS__)
#define hl_dbg(fmt, ...) hl_log(HL_LOG_DEBUG, NULL, fmt, ##__VA_ARGS__)

#endif /* HL_LOG_H */
