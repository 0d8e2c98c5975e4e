// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the KTAP reader: kselftest nesting, crashed programs,
 * skips, stray text, and malformed whole runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ktap.h"

static const struct {
	const char *name;
	const char *text;
	int flags;
	int ret;
	struct ktap_counts want;
} ktap_cases[] = {
	{ "flat", "TAP version 13\n1..3\nok 1 a\nnot ok 2 b\nok 3 c # SKIP no device\n",
	  KTAP_STRICT, 0, { 1, 1, 1 } },
	{ "nested program counts its cases, not itself",
	  "TAP version 13\n1..2\n# selftests: p: t\n# TAP version 13\n# 1..3\n"
	  "# # RUN x.a ...\n# ok 1 x.a\n# not ok 2 x.b\n# ok 3 x.c # SKIP\n"
	  "not ok 1 selftests: p: t\nok 2 selftests: p: t: kernel log\n",
	  KTAP_STRICT, 0, { 2, 1, 1 } },
	{ "a program that crashed after passing cases fails once more",
	  "TAP version 13\n1..1\n# TAP version 13\n# 1..3\n# ok 1 a\n# ok 2 b\n"
	  "not ok 1 selftests: p: t\n",
	  KTAP_STRICT, 0, { 2, 1, 0 } },
	{ "a failed parent with failed children adds nothing",
	  "KTAP version 1\n1..1\n# KTAP version 1\n# 1..1\n# not ok 1 a\nnot ok 1 t\n",
	  KTAP_STRICT, 0, { 0, 1, 0 } },
	{ "stray ok text without a version line is not a subtest",
	  "TAP version 13\n1..1\n# ok 1 this is just output\n# not ok 2 nor this\nok 1 t\n",
	  KTAP_STRICT, 0, { 1, 0, 0 } },
	{ "two levels down",
	  "TAP version 13\n1..1\n# TAP version 13\n# 1..1\n# # TAP version 13\n"
	  "# # 1..2\n# # ok 1 a\n# # ok 2 b\n# ok 1 sub\nok 1 t\n",
	  KTAP_STRICT, 0, { 2, 0, 0 } },
	{ "a skipped program with no cases",
	  "TAP version 13\n1..1\n# selftests: p: t\nok 1 selftests: p: t # SKIP\n",
	  KTAP_STRICT, 0, { 0, 0, 1 } },
	{ "a skip word in a description is not a directive",
	  "TAP version 13\n1..1\nok 1 skipping_test\n", KTAP_STRICT, 0, { 1, 0, 0 } },
	{ "children belong to the next result only",
	  "TAP version 13\n1..2\n# TAP version 13\n# 1..1\n# ok 1 a\nok 1 t\n"
	  "# kernel log report (warning): WARNING: x\nnot ok 2 t: kernel log\n",
	  KTAP_STRICT, 0, { 1, 1, 0 } },
	{ "no version line", "1..1\nok 1 a\n", KTAP_STRICT, -EINVAL, { 0 } },
	{ "no plan", "TAP version 13\nok 1 a\n", KTAP_STRICT, -EINVAL, { 0 } },
	{ "plan not kept", "TAP version 13\n1..3\nok 1 a\nok 2 b\n", KTAP_STRICT, -EINVAL, { 0 } },
	{ "a nested stream may be cut short", "TAP version 13\n1..3\nok 1 a\n", 0, 0, { 1, 0, 0 } },
	{ "empty nested stream", "", 0, 0, { 0 } },
	{ "unknown lines are allowed", "TAP version 13\nhello\n1..1\nok 1 a\nvmtest: exit 0\n",
	  KTAP_STRICT, 0, { 1, 0, 0 } },
};

int main(void)
{
	unsigned int i, n = sizeof(ktap_cases) / sizeof(ktap_cases[0]), failed = 0;

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		struct ktap_counts c = { 0 };
		FILE *f = fmemopen((void *)ktap_cases[i].text,
				   strlen(ktap_cases[i].text) ?: 1, "r");
		int ret;

		if (!f) {
			perror("fmemopen");
			return 1;
		}
		ret = ktap_read(f, ktap_cases[i].flags, &c, NULL);
		fclose(f);
		if (ret == ktap_cases[i].ret && (ret ||
		    (c.passed == ktap_cases[i].want.passed &&
		     c.failed == ktap_cases[i].want.failed &&
		     c.skipped == ktap_cases[i].want.skipped))) {
			printf("ok %u %s\n", i + 1, ktap_cases[i].name);
		} else {
			printf("not ok %u %s\n# got ret %d, %u passed, %u failed, %u skipped\n",
			       i + 1, ktap_cases[i].name, ret, c.passed, c.failed, c.skipped);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
