// SPDX-License-Identifier: GPL-2.0-only
/* Whole reads and writes at an offset, and the one way to complain. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modimg.h"

/* Print "mkmodimg-seal: FILE: message" and return -err. */
int modimg_err(const char *file, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkmodimg-seal: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -err;
}

int modimg_pread(int fd, const char *file, void *buf, size_t len,
		 uint64_t off)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return modimg_err(file, errno, "read at %llu: %s",
					  (unsigned long long)off, strerror(errno));
		if (n == 0)
			return modimg_err(file, EINVAL, "truncated: nothing at %llu",
					  (unsigned long long)off);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int modimg_pwrite(int fd, const char *file, const void *buf, size_t len,
		  uint64_t off)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return modimg_err(file, errno, "write at %llu: %s",
					  (unsigned long long)off, strerror(errno));
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}
