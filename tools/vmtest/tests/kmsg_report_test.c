// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the kernel log classifier: real report lines from 6.1
 * and 6.12 kernels are caught, ordinary lines are not.
 */
#include <stdio.h>
#include <string.h>

#include "../kmsg_report.h"

static const struct {
	const char *line;
	const char *kind;	/* NULL: not a report */
} kmsg_cases[] = {
	{ "Oops: 0002 [#1] PREEMPT SMP NOPTI", "oops" },
	{ "BUG: kernel NULL pointer dereference, address: 0000000000000000", "bug" },
	{ "kernel BUG at mm/slub.c:379!", "bug" },
	{ "WARNING: CPU: 1 PID: 212 at drivers/dxg/dxg_main.c:40 dxg_open+0x1c/0x30 [dxg]", "warning" },
	{ "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP", "gpf" },
	{ "Kernel panic - not syncing: Fatal exception", "panic" },
	{ "BUG: KASAN: slab-use-after-free in dxg_release+0x2a/0x40 [dxg]", "bug" },
	{ "KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]", "kasan" },
	{ "UBSAN: shift-out-of-bounds in drivers/hostlink/hostlink_main.c:12:5", "ubsan" },
	{ "WARNING: possible circular locking dependency detected", "warning" },
	{ "possible circular locking dependency detected", "lockdep" },
	{ "inconsistent lock state", "lockdep" },
	{ "possible recursive locking detected", "lockdep" },
	{ "suspicious RCU usage.", "lockdep" },
	{ "unreferenced object 0xffff888003a1c000 (size 64):", "kmemleak" },
	{ "kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)", "kmemleak" },
	{ "refcount_t: underflow; use-after-free.", "refcount" },
	{ "INFO: task modprobe:312 blocked for more than 120 seconds.", "hung-task" },
	{ "list_add corruption. prev->next should be next (ffff888004c1d2a8), but was 0000000000000000.", "list" },
	{ "list_del corruption, ffff888004c1d2a8->next is LIST_POISON1 (dead000000000100)", "list" },
	{ "hostlink: loading out-of-tree module taints kernel.", NULL },
	{ "dxg: module verification failed: signature and/or required key missing - tainting kernel", NULL },
	{ "INFO: task modprobe:312 started", NULL },
	{ "random: crng init done", NULL },
	{ "vmtest: start modules_test", NULL },
	{ "", NULL },
};

int main(void)
{
	unsigned int i, n = sizeof(kmsg_cases) / sizeof(kmsg_cases[0]), failed = 0;

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		const char *got = kmsg_report_kind(kmsg_cases[i].line);
		const char *want = kmsg_cases[i].kind;
		int ok = (!got && !want) || (got && want && !strcmp(got, want));

		if (!ok)
			failed++;
		printf("%sok %u kmsg_report_kind \"%s\" -> %s%s%s\n", ok ? "" : "not ",
		       i + 1, kmsg_cases[i].line, want ? want : "none",
		       ok ? "" : ", got ", ok ? "" : (got ? got : "none"));
	}
	return failed ? 1 : 0;
}
