/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split a kmemleak report into its objects and place each one in the
 * test program that was running when it was allocated.
 */
#ifndef VMTEST_KMSG_LEAK_H
#define VMTEST_KMSG_LEAK_H

#include <stddef.h>
#include <stdint.h>

/**
 * typedef kmsg_leak_fn - called once per object of a report
 * @obj: the object's text, from "unreferenced object 0x..." to the
 *       last line of its backtrace (not NUL-terminated)
 * @len: its length
 * @jiffies: when it was allocated, in jiffies, or -1 if it does not say
 * @arg: the caller's
 *
 * Return: 0 to go on, anything else to stop with that value.
 */
typedef int (*kmsg_leak_fn)(const char *obj, size_t len, long long jiffies,
			    void *arg);

/**
 * kmsg_leak_split() - call @fn for every object in a kmemleak report
 * @report: the text of /sys/kernel/debug/kmemleak, NUL-terminated
 *
 * Return: 0, or what @fn returned to stop.
 */
int kmsg_leak_split(const char *report, kmsg_leak_fn fn, void *arg);

/**
 * kmsg_leak_window() - which window a time falls in
 * @t: the time (any unit, the same as @starts)
 * @starts: the windows' start times, ascending
 * @n: how many windows
 *
 * Return: 0 if @t is before the first window, else i + 1 for the last
 * window i with starts[i] <= @t.
 */
unsigned int kmsg_leak_window(uint64_t t, const uint64_t *starts,
			      unsigned int n);

#endif
