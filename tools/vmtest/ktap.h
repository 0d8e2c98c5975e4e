/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A KTAP reader that understands kselftest's nesting: a test's subtests
 * are the lines before its result line, each prefixed with "# ".
 */
#ifndef VMTEST_KTAP_H
#define VMTEST_KTAP_H

#include <stddef.h>
#include <stdio.h>

struct ktap_counts {
	unsigned int passed;
	unsigned int failed;
	unsigned int skipped;
};

/*
 * How results are counted: a result with subtests counts as its leaves;
 * one whose subtests all passed but which itself failed (the program
 * crashed after its last case) adds one failure.  A result without
 * subtests counts once: "# SKIP" makes it skipped.  Subtests are only
 * those of a nested stream that has its own "TAP version" or "KTAP
 * version" line, so stray "ok" text in a program's output is not one.
 */

/* Top level: the stream must have a version line and a plan it keeps. */
#define KTAP_STRICT	0x1

/**
 * ktap_count() - count the leaf results of a KTAP stream
 * @lines: the stream, one line per entry, without newlines
 * @n: how many lines
 * @flags: KTAP_STRICT, or 0 for a nested stream that may be cut short
 * @c: the counts, added to
 * @err: where problems are described (may be NULL)
 *
 * Return: 0, or -EINVAL if a KTAP_STRICT stream is malformed (no
 * version line, no plan, or a plan its results do not match).
 */
int ktap_count(char **lines, size_t n, int flags, struct ktap_counts *c,
	       FILE *err);

/**
 * ktap_read() - read a stream from @f and count it with ktap_count()
 *
 * Return: as ktap_count(), or -errno if @f cannot be read.
 */
int ktap_read(FILE *f, int flags, struct ktap_counts *c, FILE *err);

#endif
