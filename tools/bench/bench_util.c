// SPDX-License-Identifier: GPL-2.0-only
/* What the benchmark programs share (bench_util.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

const char *bench_prog = "bench";

double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_full_io(int fd, void *buf, size_t len, bool rd)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = rd ? read(fd, p, len) : send(fd, p, len, MSG_NOSIGNAL);
		/* A pipe (the interop benchmark's stdio): write(2). */
		if (!rd && n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

bool bench_arg_uint(const char *name, const char *s, unsigned int min,
		    unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < min || v > max) {
		fprintf(stderr, "%s: --%s: '%s' is not a number from %u to %u\n",
			bench_prog, name, s, min, max);
		return false;
	}
	*out = v;
	return true;
}
