// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmtest-kmsg: read the guest kernel log from /dev/kmsg around a test.
 *
 *   vmtest-kmsg mark       print the sequence number of the next record
 *   vmtest-kmsg check SEQ  print the bug reports among records from SEQ
 *                          on, with what follows them; exit 1 if any
 *
 * Reading /dev/kmsg (not the console) sees every record whatever the
 * console log level, with a sequence number that tells one test's
 * records from the next one's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg_report.h"

/* Lines printed after a report line, to carry its stack trace. */
#define KMSG_CONTEXT_LINES 40

struct kmsg_record {
	uint64_t seq;
	const char *text;
};

/* Parse "prio,seq,usec,flags[,...];text\n[ KEY=val\n...]" in place. */
static int kmsg_parse(char *buf, struct kmsg_record *rec)
{
	char *semi = strchr(buf, ';'), *comma, *end;

	if (!semi)
		return -EINVAL;
	comma = strchr(buf, ',');
	if (!comma || comma > semi)
		return -EINVAL;
	errno = 0;
	rec->seq = strtoull(comma + 1, &end, 10);
	if (errno || end == comma + 1 || *end != ',')
		return -EINVAL;
	end = strchr(semi + 1, '\n');
	if (end)
		*end = '\0';
	rec->text = semi + 1;
	return 0;
}

/*
 * Call fn for every record now in the log.  Returns 0, or a negative
 * errno if /dev/kmsg cannot be read.
 */
static int kmsg_walk(int (*fn)(const struct kmsg_record *, void *), void *arg)
{
	char buf[8192];
	int fd, ret = 0;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		struct kmsg_record rec;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten: go on */
				continue;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				ret = -errno;
			break;
		}
		buf[n] = '\0';
		if (kmsg_parse(buf, &rec))
			continue;
		ret = fn(&rec, arg);
		if (ret)
			break;
	}
	close(fd);
	return ret;
}

static int kmsg_mark_fn(const struct kmsg_record *rec, void *arg)
{
	uint64_t *next = arg;

	*next = rec->seq + 1;
	return 0;
}

struct kmsg_check {
	uint64_t from;
	unsigned int reports;
	unsigned int context;	/* lines still to print after a report */
};

static int kmsg_check_fn(const struct kmsg_record *rec, void *arg)
{
	struct kmsg_check *c = arg;
	const char *kind;

	if (rec->seq < c->from)
		return 0;
	kind = kmsg_report_kind(rec->text);
	if (kind) {
		c->reports++;
		c->context = KMSG_CONTEXT_LINES;
		printf("kernel log report (%s): %s\n", kind, rec->text);
	} else if (c->context) {
		c->context--;
		printf("kernel log: %s\n", rec->text);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: vmtest-kmsg mark | check SEQ\n");
	return 2;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 2 && !strcmp(argv[1], "mark")) {
		uint64_t next = 0;

		ret = kmsg_walk(kmsg_mark_fn, &next);
		if (ret) {
			fprintf(stderr, "vmtest-kmsg: /dev/kmsg: %s\n", strerror(-ret));
			return 2;
		}
		printf("%" PRIu64 "\n", next);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "check")) {
		struct kmsg_check c = { 0 };
		char *end;

		errno = 0;
		c.from = strtoull(argv[2], &end, 10);
		if (errno || end == argv[2] || *end)
			return usage();
		ret = kmsg_walk(kmsg_check_fn, &c);
		if (ret) {
			fprintf(stderr, "vmtest-kmsg: /dev/kmsg: %s\n", strerror(-ret));
			return 2;
		}
		return c.reports ? 1 : 0;
	}
	return usage();
}
