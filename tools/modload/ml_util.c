// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: the last error message, output by verbosity, small file
 * reads and module name checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modload.h"

int ml_verbosity = 1;
static char ml_errbuf[1024];

const char *ml_err(void)
{
	return ml_errbuf;
}

/* The message may include ml_err() itself, to add context to it. */
int ml_fail(int err, const char *fmt, ...)
{
	char buf[sizeof(ml_errbuf)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(ml_errbuf, buf, sizeof(buf));
	return err;
}

void ml_info(const char *fmt, ...)
{
	va_list ap;

	if (ml_verbosity < 1)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	/* Before what follows on stderr, even when both go to one file. */
	fflush(stdout);
}

void ml_debug(const char *fmt, ...)
{
	va_list ap;

	if (ml_verbosity < 2)
		return;
	fputs("modload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void ml_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("modload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * Read at most cap bytes of a small file; a file longer than cap is
 * -EFBIG, so that a caller never works on a silently cut copy.
 */
int ml_read_small(const char *path, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		n += r;
		if (n == cap) {
			char c;

			r = read(fd, &c, 1);
			close(fd);
			if (r > 0)
				return -EFBIG;
			*len = n;
			return 0;
		}
	}
	close(fd);
	*len = n;
	return 0;
}

int ml_mkdir_p(const char *path, unsigned int mode)
{
	char tmp[512];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A module name or alias as a user gives it: not empty, no '/', no
 * spaces or control characters, not absurdly long.
 */
bool ml_name_valid(const char *name, const char **why)
{
	const unsigned char *p;

	if (!*name) {
		*why = "empty module name";
		return false;
	}
	if (strlen(name) > ML_NAME_MAX) {
		*why = "module name too long";
		return false;
	}
	if (strchr(name, '/')) {
		*why = "a module name has no '/' (give a name, not a path)";
		return false;
	}
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			*why = "module name with a space or control character";
			return false;
		}
	}
	if (name[0] == '-') {
		*why = "module name starts with '-'";
		return false;
	}
	return true;
}
