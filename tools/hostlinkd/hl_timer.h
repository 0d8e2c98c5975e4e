/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: one-shot timers in a binary min-heap on CLOCK_MONOTONIC
 * milliseconds.  The event loop sleeps until hl_timers_next() (one
 * timerfd) and calls hl_timers_run(); tests and the fuzzer call it with
 * a clock of their own.
 */
#ifndef HL_TIMER_H
#define HL_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL_TIMER_NEVER UINT64_MAX

struct hl_timer {
	uint64_t deadline;
	size_t index;			/* in the heap; SIZE_MAX: not armed */
	void (*fn)(struct hl_timer *t);
};

struct hl_timers {
	struct hl_timer **heap;
	size_t n, cap;
};

uint64_t hl_now_ms(void);

void hl_timer_init(struct hl_timer *t, void (*fn)(struct hl_timer *t));
int hl_timer_arm(struct hl_timers *ts, struct hl_timer *t, uint64_t deadline);
void hl_timer_cancel(struct hl_timers *ts, struct hl_timer *t);

static inline bool hl_timer_armed(const struct hl_timer *t)
{
	return t->index != SIZE_MAX;
}

uint64_t hl_timers_next(const struct hl_timers *ts);
void hl_timers_run(struct hl_timers *ts, uint64_t now);
void hl_timers_free(struct hl_timers *ts);

#endif /* HL_TIMER_H */
