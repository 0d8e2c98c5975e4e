/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TAP helpers of hostlinkd's unit tests: t_ok() prints one case,
 * t_n and t_failed count them for the plan line and the exit status.
 */
#ifndef HL_TAP_H
#define HL_TAP_H

#include <stdarg.h>
#include <stdio.h>

static unsigned int t_n, t_failed;

__attribute__((format(printf, 2, 3)))
static inline void t_ok(int ok, const char *fmt, ...)
{
	va_list ap;

	t_n++;
	if (!ok)
		t_failed++;
	printf("%sok %u - ", ok ? "" : "not ", t_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#endif
