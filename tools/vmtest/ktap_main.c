// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmtest-ktap: count the results of a KTAP stream (kselftest nesting).
 *
 *   vmtest-ktap [--nested] [FILE]
 *
 * Prints "N passed, N failed, N skipped" over the leaf results.  Exit
 * 0 when nothing failed, 1 when something did, 2 when the stream is
 * malformed (a whole run must have a version line and keep its plan;
 * --nested reads one program's output, which may be cut short).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ktap.h"

int main(int argc, char **argv)
{
	struct ktap_counts c = { 0 };
	int flags = KTAP_STRICT, i = 1, ret;
	FILE *f = stdin;

	if (i < argc && !strcmp(argv[i], "--nested")) {
		flags = 0;
		i++;
	}
	if (i < argc - 1 || (i < argc && argv[i][0] == '-' && argv[i][1])) {
		fprintf(stderr, "usage: vmtest-ktap [--nested] [FILE]\n");
		return 2;
	}
	if (i < argc && strcmp(argv[i], "-")) {
		f = fopen(argv[i], "r");
		if (!f) {
			fprintf(stderr, "vmtest-ktap: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
	}
	ret = ktap_read(f, flags, &c, stderr);
	if (f != stdin)
		fclose(f);
	if (ret == -EINVAL)
		return 2;
	if (ret) {
		fprintf(stderr, "vmtest-ktap: %s\n", strerror(-ret));
		return 2;
	}
	printf("%u passed, %u failed, %u skipped\n", c.passed, c.failed, c.skipped);
	return c.failed ? 1 : 0;
}
