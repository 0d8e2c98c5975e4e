// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmtest-kmsg: read the guest kernel log from /dev/kmsg around a test.
 *
 *   vmtest-kmsg mark           print the sequence number of the next record
 *   vmtest-kmsg stamp TEXT     log TEXT, print "SEQ JIFFIES": its record's
 *                              sequence number and the jiffies then ("-"
 *                              without /proc/timer_list's)
 *   vmtest-kmsg check SEQ [END]  print the bug reports among records
 *                              SEQ to END (excluded), with what follows
 *                              them; exit 1 if any
 *   vmtest-kmsg leaks DIR JIFFIES...  read the kmemleak report and
 *                              append each object to DIR/N, N the window
 *                              its allocation falls in (0 before the
 *                              first JIFFIES, i for the i-th); exit 1 if
 *                              any
 *
 * Reading /dev/kmsg (not the console) sees every record whatever the
 * console log level, with a sequence number that tells one test's
 * records from the next one's.  kmemleak says in jiffies when each
 * object was allocated; /proc/timer_list (CONFIG_TICK_ONESHOT) says
 * what the jiffies are now.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg_leak.h"
#include "kmsg_report.h"

/* Lines printed after a report line, to carry its stack trace. */
#define KMSG_CONTEXT_LINES 40

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

/* A decimal number, then the end of the string or a newline. */
static int parse_u64_nl(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || (*end && *end != '\n') ? -EINVAL : 0;
}

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

struct kmsg_stamp {
	const char *text;
	int found;
	uint64_t seq;
};

static int kmsg_stamp_fn(const struct kmsg_record *rec, void *arg)
{
	struct kmsg_stamp *st = arg;

	if (!strcmp(rec->text, st->text)) {
		st->found = 1;
		st->seq = rec->seq;
	}
	return 0;
}

/* The jiffies now, from /proc/timer_list; -ENOENT if it has none. */
static int kmsg_jiffies(uint64_t *j)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[256];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "jiffies: ", 9) && !parse_u64_nl(line + 9, j)) {
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/* Log @text and find its record's sequence number. */
static int kmsg_stamp(const char *text, uint64_t *seq)
{
	struct kmsg_stamp st = { .text = text };
	size_t len = strlen(text);
	char line[1024];
	int fd, ret;

	if (!len || strchr(text, '\n') || len > 900)
		return -EINVAL;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* With its newline: a record without one stays open for a
	 * continuation, and readers do not see it until the next. */
	snprintf(line, sizeof(line), "%s\n", text);
	ret = write(fd, line, len + 1) == (ssize_t)(len + 1) ? 0 : -errno;
	close(fd);
	if (ret)
		return ret;
	ret = kmsg_walk(kmsg_stamp_fn, &st);
	if (ret)
		return ret;
	if (!st.found)
		return -ENOENT;
	*seq = st.seq;
	return 0;
}

struct kmsg_check {
	uint64_t from, to;
	unsigned int reports;
	unsigned int context;	/* lines still to print after a report */
};

static int kmsg_check_fn(const struct kmsg_record *rec, void *arg)
{
	struct kmsg_check *c = arg;
	const char *kind;

	if (rec->seq < c->from || rec->seq >= c->to)
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

struct kmsg_leaks {
	const char *dir;
	const uint64_t *starts;
	unsigned int n;
	unsigned int *count;
	unsigned int untimed;
};

static int kmsg_leak_file(const char *obj, size_t len, long long jiffies,
			  void *arg)
{
	struct kmsg_leaks *l = arg;
	unsigned int w = 0;
	char path[PATH_MAX];
	FILE *f;

	if (jiffies < 0)
		l->untimed++;	/* no allocation time: the boot's */
	else
		w = kmsg_leak_window(jiffies, l->starts, l->n);
	l->count[w]++;
	snprintf(path, sizeof(path), "%s/%u", l->dir, w);
	f = fopen(path, "a");
	if (!f)
		return -errno;
	fprintf(f, "%.*s\n", (int)len, obj);
	return fclose(f) ? -EIO : 0;
}

static char *kmsg_slurp(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *more = realloc(buf, cap * 2);

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				close(fd);
				buf[len] = '\0';
				return buf;
			}
			break;
		}
		len += n;
	}
	close(fd);
	free(buf);
	return NULL;
}

static int kmsg_leaks(int argc, char **argv)
{
	struct kmsg_leaks l = { .dir = argv[0], .n = argc - 1 };
	uint64_t *starts;
	unsigned int i, total = 0;
	char *report;
	int ret;

	starts = calloc(l.n + 1, sizeof(*starts));
	l.count = calloc(l.n + 1, sizeof(*l.count));
	if (!starts || !l.count)
		return 2;
	for (i = 0; i < l.n; i++) {
		char *end;

		errno = 0;
		starts[i] = strtoull(argv[i + 1], &end, 10);
		if (errno || end == argv[i + 1] || *end || (i && starts[i] < starts[i - 1])) {
			fprintf(stderr, "vmtest-kmsg: leaks: '%s' is not an ascending jiffies count\n",
				argv[i + 1]);
			return 2;
		}
	}
	l.starts = starts;
	report = kmsg_slurp(KMEMLEAK);
	if (!report) {
		fprintf(stderr, "vmtest-kmsg: cannot read %s: %s\n", KMEMLEAK,
			strerror(errno));
		return 2;
	}
	ret = kmsg_leak_split(report, kmsg_leak_file, &l);
	free(report);
	if (ret) {
		fprintf(stderr, "vmtest-kmsg: leaks: %s: %s\n", l.dir, strerror(-ret));
		return 2;
	}
	for (i = 0; i <= l.n; i++) {
		if (l.count[i])
			printf("window %u: %u object(s)\n", i, l.count[i]);
		total += l.count[i];
	}
	if (l.untimed)
		printf("%u object(s) without an allocation time, put before the first window\n",
		       l.untimed);
	free(starts);
	free(l.count);
	return total ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: vmtest-kmsg mark | stamp TEXT | check SEQ [END] | leaks DIR JIFFIES...\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end ? -EINVAL : 0;
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
	if (argc == 3 && !strcmp(argv[1], "stamp")) {
		uint64_t seq, j = 0;

		ret = kmsg_stamp(argv[2], &seq);
		if (ret) {
			fprintf(stderr, "vmtest-kmsg: stamp: %s\n", strerror(-ret));
			return 2;
		}
		if (kmsg_jiffies(&j))
			printf("%" PRIu64 " -\n", seq);
		else
			printf("%" PRIu64 " %" PRIu64 "\n", seq, j);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "leaks"))
		return kmsg_leaks(argc - 2, argv + 2);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "check")) {
		struct kmsg_check c = { .to = UINT64_MAX };

		if (parse_u64(argv[2], &c.from) ||
		    (argc == 4 && parse_u64(argv[3], &c.to)))
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
