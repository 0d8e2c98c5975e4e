/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmark programs share: the clock, medians, whole reads
 * and writes, and the checking of numeric options.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* The program's name for messages ("dxg-bench"); set by main(). */
extern const char *bench_prog;

/* CLOCK_MONOTONIC in microseconds. */
double bench_now_us(void);
/* The median of @n values; sorts @v. */
double bench_median(double *v, unsigned int n);
/* All of @len bytes read (@rd) or sent (a socket) or written (a pipe): 0, or -1. */
int bench_full_io(int fd, void *buf, size_t len, bool rd);
/*
 * A whole decimal number in [min, max] for the option --@name; false
 * (with a message saying what is wrong) if @s is not one.
 */
bool bench_arg_uint(const char *name, const char *s, unsigned int min,
		    unsigned int max, unsigned int *out);

#endif
