// SPDX-License-Identifier: GPL-2.0-only
/*
 * Split a kmemleak report into objects, and find the window (the test
 * program) each was allocated in.
 *
 * An object is printed as
 *
 *   unreferenced object 0xffff888004e3c0a0 (size 32):
 *     comm "modprobe", pid 211, jiffies 4294903390
 *     hex dump (first 32 bytes):
 *       ...
 *     backtrace:
 *       [<000000008f0d1c51>] kmalloc_trace+0x26/0x90
 *
 * (older kernels add "(age 23.412s)").  The jiffies of its allocation
 * place it; the runner takes the jiffies at each program's start.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg_leak.h"

#define KMSG_LEAK_HEAD "unreferenced object 0x"

/* The allocation jiffies of an object ("pid N, jiffies J"), or -1. */
static long long kmsg_leak_jiffies(const char *obj, size_t len)
{
	static const char key[] = ", jiffies ";
	const char *p = obj, *end = obj + len;
	unsigned long long j;
	char *e;

	for (;;) {
		p = memchr(p, ',', end - p);
		if (!p || (size_t)(end - p) <= sizeof(key))
			return -1;
		if (!strncmp(p, key, sizeof(key) - 1))
			break;
		p++;
	}
	p += sizeof(key) - 1;
	if (*p < '0' || *p > '9')
		return -1;
	j = strtoull(p, &e, 10);
	if (e > end || j > (unsigned long long)LLONG_MAX)
		return -1;
	return (long long)j;
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
		ret = fn(obj, len, kmsg_leak_jiffies(obj, len), arg);
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
