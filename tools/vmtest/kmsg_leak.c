// SPDX-License-Identifier: GPL-2.0-only
/*
 * Split a kmemleak report into objects, and find the window (the test
 * program) each was allocated in.
 *
 * An object is printed as
 *
 *   unreferenced object 0xffff888004e3c0a0 (size 32):
 *     comm "modprobe", pid 211, jiffies 4294903390 (age 23.412s)
 *     hex dump (first 32 bytes):
 *       ...
 *     backtrace:
 *       [<000000008f0d1c51>] kmalloc_trace+0x26/0x90
 *
 * and the age is taken at the time the report is read.
 */
#include <stdlib.h>
#include <string.h>

#include "kmsg_leak.h"

#define KMSG_LEAK_HEAD "unreferenced object 0x"

/* The "(age S.MMMs)" of an object, in ms, or -1. */
static long long kmsg_leak_age(const char *obj, size_t len)
{
	const char *p = obj, *end = obj + len;
	unsigned long long s, ms = 0;
	char *e;
	int digits = 0;

	while ((p = memchr(p, '(', end - p))) {
		if ((size_t)(end - p) > 5 && !strncmp(p, "(age ", 5))
			break;
		p++;
	}
	if (!p)
		return -1;
	p += 5;
	s = strtoull(p, &e, 10);
	if (e == p)
		return -1;
	if (*e == '.') {
		for (e++; digits < 3 && *e >= '0' && *e <= '9'; e++, digits++)
			ms = ms * 10 + (*e - '0');
		while (digits++ < 3)
			ms *= 10;
	}
	if (*e != 's' && !(*e >= '0' && *e <= '9'))
		return -1;
	return (long long)(s * 1000 + ms);
}

int kmsg_leak_split(const char *report, kmsg_leak_fn fn, void *arg)
{
	const char *obj = strstr(report, KMSG_LEAK_HEAD);

	while (obj) {
		const char *next = strstr(obj + 1, "\n" KMSG_LEAK_HEAD);
		size_t len = next ? (size_t)(next + 1 - obj) : strlen(obj);
		int ret;

		while (len && (obj[len - 1] == '\n'))
			len--;
		ret = fn(obj, len, kmsg_leak_age(obj, len), arg);
		if (ret)
			return ret;
		obj = next ? next + 1 : NULL;
	}
	return 0;
}

unsigned int kmsg_leak_window(uint64_t t, const uint64_t *starts,
			      unsigned int n)
{
	unsigned int i = n;

	while (i && starts[i - 1] > t)
		i--;
	return i;
}
