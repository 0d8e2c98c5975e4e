// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the kmemleak report splitter: objects, their ages, and
 * the program window each allocation falls in.
 */
#include <stdio.h>
#include <string.h>

#include "../kmsg_leak.h"

static const char report[] =
	"unreferenced object 0xffff888004e3c0a0 (size 32):\n"
	"  comm \"modprobe\", pid 211, jiffies 4294903390\n"
	"  hex dump (first 32 bytes):\n"
	"    6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk\n"
	"  backtrace:\n"
	"    [<000000008f0d1c51>] kmalloc_trace+0x26/0x90\n"
	"    [<00000000c0ffee00>] vmtest_leak_init+0x1c/0x1000 [vmtest_leak]\n"
	"unreferenced object 0xffff888004e3c100 (size 64):\n"
	"  comm \"swapper/0\", pid 1, jiffies 4294892300 (age 70.100s)\n"
	"  backtrace:\n"
	"    [<000000008f0d1c51>] kmalloc_trace+0x26/0x90\n"
	"unreferenced object 0xffff888004e3c200 (size 8):\n"
	"  comm \"x\", pid 5, no time here\n";

struct seen {
	unsigned int n;
	long long when[4];
	int leak_has_backtrace, first_alone;
};

static int collect(const char *obj, size_t len, long long jiffies, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4)
		s->when[s->n] = jiffies;
	if (s->n == 0) {
		s->leak_has_backtrace = memmem(obj, len, "vmtest_leak_init", 16) != NULL;
		s->first_alone = memmem(obj, len, "0xffff888004e3c100", 18) == NULL &&
				 obj[len - 1] == ']';
	}
	s->n++;
	return 0;
}

static unsigned int tap_n, tap_failed;

static void ok_if(int cond, const char *what)
{
	printf("%sok %u %s\n", cond ? "" : "not ", ++tap_n, what);
	if (!cond)
		tap_failed++;
}

int main(void)
{
	static const uint64_t starts[] = { 1000, 5000, 9000 };
	struct seen s = { 0 };

	printf("TAP version 13\n");
	ok_if(!kmsg_leak_split(report, collect, &s) && s.n == 3, "three objects");
	ok_if(s.when[0] == 4294903390LL, "allocation jiffies");
	ok_if(s.when[1] == 4294892300LL, "allocation jiffies, with an age after them");
	ok_if(s.when[2] == -1, "an object that does not say when");
	ok_if(s.leak_has_backtrace, "an object keeps its backtrace");
	ok_if(s.first_alone, "an object ends where the next begins");
	s.n = 0;
	ok_if(!kmsg_leak_split("kmemleak: nothing\n", collect, &s) && s.n == 0,
	      "no objects in other text");
	ok_if(kmsg_leak_window(999, starts, 3) == 0, "before the first window");
	ok_if(kmsg_leak_window(1000, starts, 3) == 1, "at a window's start");
	ok_if(kmsg_leak_window(8999, starts, 3) == 2, "inside a window");
	ok_if(kmsg_leak_window(1u << 30, starts, 3) == 3, "in the last window");
	ok_if(kmsg_leak_window(5, starts, 0) == 0, "no windows");
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}
