// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: timers in a binary min-heap (see hl_timer.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "hl_timer.h"

uint64_t hl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void hl_timer_init(struct hl_timer *t, void (*fn)(struct hl_timer *t))
{
	t->deadline = 0;
	t->index = SIZE_MAX;
	t->fn = fn;
}

static void hl_heap_set(struct hl_timers *ts, size_t i, struct hl_timer *t)
{
	ts->heap[i] = t;
	t->index = i;
}

static void hl_heap_up(struct hl_timers *ts, size_t i)
{
	struct hl_timer *t = ts->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (ts->heap[parent]->deadline <= t->deadline)
			break;
		hl_heap_set(ts, i, ts->heap[parent]);
		i = parent;
	}
	hl_heap_set(ts, i, t);
}

static void hl_heap_down(struct hl_timers *ts, size_t i)
{
	struct hl_timer *t = ts->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= ts->n)
			break;
		if (child + 1 < ts->n &&
		    ts->heap[child + 1]->deadline < ts->heap[child]->deadline)
			child++;
		if (t->deadline <= ts->heap[child]->deadline)
			break;
		hl_heap_set(ts, i, ts->heap[child]);
		i = child;
	}
	hl_heap_set(ts, i, t);
}

/* Arms @t for @deadline (ms), re-arming it if it was armed. 0 or -ENOMEM. */
int hl_timer_arm(struct hl_timers *ts, struct hl_timer *t, uint64_t deadline)
{
	if (hl_timer_armed(t))
		hl_timer_cancel(ts, t);
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;
		struct hl_timer **heap = realloc(ts->heap, cap * sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		ts->heap = heap;
		ts->cap = cap;
	}
	t->deadline = deadline;
	hl_heap_set(ts, ts->n++, t);
	hl_heap_up(ts, t->index);
	return 0;
}

void hl_timer_cancel(struct hl_timers *ts, struct hl_timer *t)
{
	size_t i = t->index;
	struct hl_timer *last;

	if (!hl_timer_armed(t))
		return;
	t->index = SIZE_MAX;
	last = ts->heap[--ts->n];
	if (i == ts->n)
		return;
	hl_heap_set(ts, i, last);
	hl_heap_up(ts, i);
	hl_heap_down(ts, last->index);
}

uint64_t hl_timers_next(const struct hl_timers *ts)
{
	return ts->n ? ts->heap[0]->deadline : HL_TIMER_NEVER;
}

/* Fires every timer due at @now; a callback may arm or cancel timers. */
void hl_timers_run(struct hl_timers *ts, uint64_t now)
{
	while (ts->n && ts->heap[0]->deadline <= now) {
		struct hl_timer *t = ts->heap[0];

		hl_timer_cancel(ts, t);
		t->fn(t);
	}
}

void hl_timers_free(struct hl_timers *ts)
{
	while (ts->n)
		hl_timer_cancel(ts, ts->heap[0]);
	free(ts->heap);
	ts->heap = NULL;
	ts->cap = 0;
}
