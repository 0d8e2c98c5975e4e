// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: binfmt_misc registration, as WSL's WSLInterop entry:
 * ":hostrun:M::<magic>::/usr/lib/hostlink/hostrun-binfmt:PF", P so that
 * the interpreter gets the original argv[0], F so that it works in
 * other mount namespaces and chroots.  Idempotent: an identical enabled
 * entry is left alone, a different one replaced.  binfmt.d/hostrun.conf
 * has the same line for systemd-binfmt, which flushes every entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostrun.h"

#define HR_MAGIC_MAX	128	/* binfmt_misc's BINPRM_BUF_SIZE */

/* @hex ("4d5a") to bytes; 0 or -EINVAL. */
int hr_binfmt_magic(const char *hex, uint8_t *magic, size_t *len)
{
	size_t n = strlen(hex), i;

	if (!n || n % 2 || n / 2 > HR_MAGIC_MAX)
		return -EINVAL;
	for (i = 0; i < n; i += 2) {
		unsigned int v;
		char b[3] = { hex[i], hex[i + 1], 0 };

		if (!strchr("0123456789abcdefABCDEF", b[0]) || !b[0] ||
		    !strchr("0123456789abcdefABCDEF", b[1]) || !b[1])
			return -EINVAL;
		sscanf(b, "%x", &v);
		magic[i / 2] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

/**
 * hr_binfmt_line() - the line to write to binfmt_misc's register file
 * @magic: the magic's bytes, at offset 0.
 * @len: how many.
 * @interp: the interpreter's path.
 * @out: (out) the line, with its newline.
 * @outlen: room at @out.
 *
 * Letters and digits are written as they are (MZ stays MZ), other bytes
 * as \xHH, so that ':' and '\\' cannot end a field.
 *
 * Return: 0, or -ENAMETOOLONG.
 */
int hr_binfmt_line(const uint8_t *magic, size_t len, const char *interp,
		   char *out, size_t outlen)
{
	char m[HR_MAGIC_MAX * 4 + 1];
	size_t i, k = 0;
	int n;

	for (i = 0; i < len && i < HR_MAGIC_MAX; i++) {
		uint8_t c = magic[i];

		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z'))
			m[k++] = (char)c;
		else
			k += (size_t)sprintf(m + k, "\\x%02x", c);
	}
	m[k] = '\0';
	n = snprintf(out, outlen, ":%s:M::%s::%s:PF\n", HR_BINFMT_NAME, m, interp);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* What the kernel shows for our entry, as it would show it. */
static void hr_binfmt_status(const uint8_t *magic, size_t len,
			     const char *interp, char *out, size_t outlen)
{
	size_t i, k;

	k = (size_t)snprintf(out, outlen,
			     "enabled\ninterpreter %s\nflags: PF\noffset 0\nmagic ",
			     interp);
	for (i = 0; i < len && k + 3 < outlen; i++)
		k += (size_t)sprintf(out + k, "%02x", magic[i]);
	snprintf(out + k, outlen - k, "\n");
}

static int hr_write_file(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == strlen(s) ? 0 : -EIO;
}

/**
 * hr_binfmt_register() - make our entry be there, as asked
 * @dir: binfmt_misc's directory; HR_BINFMT_DIR is mounted if need be.
 * @magic: the magic.
 * @len: its bytes.
 * @interp: the interpreter.
 * @changed: (out) an entry was written.
 *
 * Return: 0, or -errno (with a message said).
 */
int hr_binfmt_register(const char *dir, const uint8_t *magic, size_t len,
		       const char *interp, bool *changed)
{
	char path[4096], line[1024], want[1024], have[1024] = "";
	struct stat st;
	ssize_t n;
	int fd, ret;

	*changed = false;
	snprintf(path, sizeof(path), "%s/register", dir);
	if (stat(path, &st) < 0 && !strcmp(dir, HR_BINFMT_DIR) &&
	    mount("binfmt_misc", dir, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0 && errno != EBUSY) {
		ret = -errno;
		hr_msg("cannot mount binfmt_misc on %s: %s", dir, strerror(errno));
		return ret;
	}
	ret = hr_binfmt_line(magic, len, interp, line, sizeof(line));
	if (ret) {
		hr_msg("the interpreter's path is too long");
		return ret;
	}
	hr_binfmt_status(magic, len, interp, want, sizeof(want));
	snprintf(path, sizeof(path), "%s/%s", dir, HR_BINFMT_NAME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, have, sizeof(have) - 1);
		close(fd);
		have[n > 0 ? n : 0] = '\0';
		if (!strcmp(have, want))
			return 0;
		/* A different or disabled entry: replace it. */
		ret = hr_write_file(path, "-1");
		if (ret) {
			hr_msg("cannot remove the entry %s: %s", path, strerror(-ret));
			return ret;
		}
	}
	snprintf(path, sizeof(path), "%s/register", dir);
	ret = hr_write_file(path, line);
	if (ret) {
		hr_msg("cannot register with %s: %s", path, strerror(-ret));
		return ret;
	}
	*changed = true;
	return 0;
}
