// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which ACL entries this distribution added: /run/devperm/entries, one
 * line per entry, "DEV:INO GID PATH" (the node's inode, the gid as this
 * distribution sees it, its path for people).  /run is the
 * distribution's own and starts empty with it, so an entry that was on
 * a node before devperm first ran here is never counted as ours, and a
 * node made again (same path, new inode) starts with no entries of ours.
 *
 * FILE.lock is held (flock) from dp_state_open() to dp_state_close();
 * the file is rewritten whole through a rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devperm.h"

int dp_state_parse(struct dp_state *s, const char *text)
{
	const char *p = text;
	unsigned int lineno = 0;

	while (*p) {
		unsigned long long dev, ino, gid;
		char path[PATH_MAX];
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[PATH_MAX + 64];

		lineno++;
		if (len >= sizeof(line))
			return dp_fail(-EINVAL, "%s:%u: line too long", s->file, lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (!len)
			continue;
		if (sscanf(line, "%llx:%llu %llu %4095s", &dev, &ino, &gid, path) != 4 ||
		    gid > UINT32_MAX - 1)
			return dp_fail(-EINVAL, "%s:%u: not 'DEV:INO GID PATH'; remove the file to start afresh",
				       s->file, lineno);
		if (dp_state_add(s, dev, ino, gid, path))
			return -ENOMEM;
	}
	return 0;
}

/* Lock and read FILE (a missing file is an empty state). */
int dp_state_open(struct dp_state *s, const char *file)
{
	char buf[65536], *dir, *slash;
	ssize_t len;
	int fd, err;

	memset(s, 0, sizeof(*s));
	s->file = file;
	s->lock_fd = -1;
	dir = strdup(file);
	if (!dir)
		return dp_fail(-ENOMEM, "out of memory");
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = dp_fail(-errno, "%s: %s", dir, strerror(errno));
			free(dir);
			return err;
		}
	}
	free(dir);
	/* A lock file of its own: the state file is replaced by rename. */
	if (snprintf(buf, sizeof(buf), "%s.lock", file) >= (int)sizeof(buf))
		return dp_fail(-ENAMETOOLONG, "%s: name too long", file);
	fd = open(buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return dp_fail(-errno, "%s: %s", buf, strerror(errno));
	if (flock(fd, LOCK_EX)) {
		err = dp_fail(-errno, "%s: cannot lock: %s", buf, strerror(errno));
		close(fd);
		return err;
	}
	s->lock_fd = fd;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		err = dp_fail(-errno, "%s: %s", file, strerror(errno));
		dp_state_close(s);
		return err;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (len < 0) {
		err = dp_fail(-err, "%s: %s", file, strerror(err));
		dp_state_close(s);
		return err;
	}
	if ((size_t)len == sizeof(buf) - 1) {
		dp_state_close(s);
		return dp_fail(-EFBIG, "%s: larger than 64 KiB", file);
	}
	buf[len] = '\0';
	err = dp_state_parse(s, buf);
	if (err)
		dp_state_close(s);
	return err;
}

bool dp_state_has(const struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].dev == dev && s->a[i].ino == ino && s->a[i].gid == gid)
			return true;
	return false;
}

int dp_state_add(struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid,
		 const char *path)
{
	struct dp_added *a;

	if (dp_state_has(s, dev, ino, gid))
		return 0;
	a = realloc(s->a, (s->n + 1) * sizeof(*a));
	if (!a)
		return dp_fail(-ENOMEM, "out of memory");
	s->a = a;
	a[s->n].path = strdup(path);
	if (!a[s->n].path)
		return dp_fail(-ENOMEM, "out of memory");
	a[s->n].dev = dev;
	a[s->n].ino = ino;
	a[s->n].gid = gid;
	s->n++;
	return 0;
}

void dp_state_del(struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->a[i].dev != dev || s->a[i].ino != ino || s->a[i].gid != gid)
			continue;
		free(s->a[i].path);
		memmove(&s->a[i], &s->a[i + 1], (s->n - i - 1) * sizeof(s->a[0]));
		s->n--;
		return;
	}
}

int dp_state_save(struct dp_state *s)
{
	char tmp[PATH_MAX];
	size_t i;
	FILE *f;
	int err;

	if (snprintf(tmp, sizeof(tmp), "%s.new", s->file) >= (int)sizeof(tmp))
		return dp_fail(-ENAMETOOLONG, "%s: name too long", s->file);
	f = fopen(tmp, "we");
	if (!f)
		return dp_fail(-errno, "%s: %s", tmp, strerror(errno));
	for (i = 0; i < s->n; i++)
		fprintf(f, "%" PRIx64 ":%" PRIu64 " %u %s\n", s->a[i].dev, s->a[i].ino,
			(unsigned int)s->a[i].gid, s->a[i].path);
	if (fflush(f) || ferror(f)) {
		err = dp_fail(-EIO, "%s: cannot write", tmp);
		fclose(f);
		unlink(tmp);
		return err;
	}
	fclose(f);
	if (rename(tmp, s->file)) {
		err = dp_fail(-errno, "%s: %s", s->file, strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}

void dp_state_close(struct dp_state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->a[i].path);
	free(s->a);
	s->a = NULL;
	s->n = 0;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}
