// SPDX-License-Identifier: GPL-2.0-only
/*
 * libmlfake.so: an LD_PRELOAD fake kernel for modload's tests, no root.
 *
 * Paths under the prefixes below are redirected into $MLFAKE_ROOT, for
 * every libc call libkmod and modload make on them (strace -f showed
 * open/openat, fopen, opendir, stat/fstatat, mkdir; the rest are
 * covered in case another build uses them).  uname() reports
 * $MLFAKE_KVER; geteuid() reports $MLFAKE_EUID when set.
 *
 * Loading is trapped (finit_module and init_module through syscall(),
 * and glibc's init_module()) and simulated: a module loads when every
 * module its .modinfo "depends=" names is live, and then gets
 * ROOT/sys/module/<name>/initstate = live, a ROOT/proc/modules line
 * and a ROOT/fake/load.log line.  ROOT/fake/fail/<name> makes it fail:
 * first line the errno (a number), the other lines go to the fake
 * kernel log ROOT/dev/kmsg.  modules_disabled and module_blacklist= are
 * honoured as the kernel does.  mount() succeeds $MLFAKE_MOUNT_OK times
 * (default 0), then fails with EPERM; mount and umount2 calls are logged
 * to ROOT/fake/mount.log and never reach the kernel.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <dirent.h>

static const char *const mlfake_prefixes[] = {
	"/lib/modules", "/usr/lib/modules", "/sys/module", "/sys/class/block",
	"/proc/modules", "/proc/cmdline", "/proc/sys/kernel/modules_disabled",
	"/proc/self/mountinfo", "/etc/modprobe.d", "/run/modprobe.d",
	"/usr/local/lib/modprobe.d", "/lib/modprobe.d", "/usr/lib/modprobe.d",
	"/etc/depmod.d", "/etc/modload.d", "/usr/lib/modload.d", "/run/modload",
	"/dev/kmsg", "/dev/loop", "/dev/vd", "/dev/sd",
};

#define REAL(ret, name, ...)						\
	static ret (*real_##name)(__VA_ARGS__);				\
	if (!real_##name)						\
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

/* The path to use for p: p itself, or its place in the fake root. */
static const char *mlfake_path(const char *p, char *buf, size_t len)
{
	const char *root = getenv("MLFAKE_ROOT");
	unsigned int i;
	size_t n;

	if (!p || !root || p[0] != '/')
		return p;
	for (i = 0; i < sizeof(mlfake_prefixes) / sizeof(mlfake_prefixes[0]); i++) {
		n = strlen(mlfake_prefixes[i]);
		if (strncmp(p, mlfake_prefixes[i], n))
			continue;
		/* /dev/vd, /dev/sd, /dev/loop: device names; others: a path. */
		if (p[n] && p[n] != '/' && strncmp(p, "/dev/", 5))
			continue;
		snprintf(buf, len, "%s%s", root, p);
		return buf;
	}
	return p;
}

#define FAKE(p) mlfake_path(p, fbuf, sizeof(fbuf))

static int mlfake_real_open(const char *path, int flags, mode_t mode)
{
	REAL(int, open, const char *, int, ...);
	return real_open(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	char fbuf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return mlfake_real_open(FAKE(path), flags, mode);
}

int open64(const char *path, int flags, ...)
{
	char fbuf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return mlfake_real_open(FAKE(path), flags, mode);
}

int __open_2(const char *path, int flags)
{
	char fbuf[4096];

	return mlfake_real_open(FAKE(path), flags, 0);
}

int __open64_2(const char *path, int flags)
{
	char fbuf[4096];

	return mlfake_real_open(FAKE(path), flags, 0);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(int, openat, int, const char *, int, ...);
	char fbuf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real_openat(dirfd, FAKE(path), flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	REAL(int, openat, int, const char *, int, ...);
	char fbuf[4096];
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real_openat(dirfd, FAKE(path), flags, mode);
}

FILE *fopen(const char *path, const char *m)
{
	REAL(FILE *, fopen, const char *, const char *);
	char fbuf[4096];

	return real_fopen(FAKE(path), m);
}

FILE *fopen64(const char *path, const char *m)
{
	REAL(FILE *, fopen64, const char *, const char *);
	char fbuf[4096];

	return real_fopen64(FAKE(path), m);
}

DIR *opendir(const char *path)
{
	REAL(DIR *, opendir, const char *);
	char fbuf[4096];

	return real_opendir(FAKE(path));
}

int stat(const char *path, struct stat *st)
{
	REAL(int, stat, const char *, struct stat *);
	char fbuf[4096];

	return real_stat(FAKE(path), st);
}

int stat64(const char *path, struct stat64 *st)
{
	REAL(int, stat64, const char *, struct stat64 *);
	char fbuf[4096];

	return real_stat64(FAKE(path), st);
}

int lstat(const char *path, struct stat *st)
{
	REAL(int, lstat, const char *, struct stat *);
	char fbuf[4096];

	return real_lstat(FAKE(path), st);
}

int lstat64(const char *path, struct stat64 *st)
{
	REAL(int, lstat64, const char *, struct stat64 *);
	char fbuf[4096];

	return real_lstat64(FAKE(path), st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REAL(int, fstatat, int, const char *, struct stat *, int);
	char fbuf[4096];

	return real_fstatat(dirfd, FAKE(path), st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	REAL(int, fstatat64, int, const char *, struct stat64 *, int);
	char fbuf[4096];

	return real_fstatat64(dirfd, FAKE(path), st, flags);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask,
	  struct statx *stx)
{
	REAL(int, statx, int, const char *, int, unsigned int, struct statx *);
	char fbuf[4096];

	return real_statx(dirfd, FAKE(path), flags, mask, stx);
}

int access(const char *path, int mode)
{
	REAL(int, access, const char *, int);
	char fbuf[4096];

	return real_access(FAKE(path), mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REAL(int, faccessat, int, const char *, int, int);
	char fbuf[4096];

	return real_faccessat(dirfd, FAKE(path), mode, flags);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	REAL(ssize_t, readlink, const char *, char *, size_t);
	char fbuf[4096];

	return real_readlink(FAKE(path), buf, len);
}

int mkdir(const char *path, mode_t mode)
{
	REAL(int, mkdir, const char *, mode_t);
	char fbuf[4096];

	return real_mkdir(FAKE(path), mode);
}

int unlink(const char *path)
{
	REAL(int, unlink, const char *);
	char fbuf[4096];

	return real_unlink(FAKE(path));
}

int uname(struct utsname *u)
{
	REAL(int, uname, struct utsname *);
	const char *kver = getenv("MLFAKE_KVER");
	int err = real_uname(u);

	if (!err && kver)
		snprintf(u->release, sizeof(u->release), "%s", kver);
	return err;
}

uid_t geteuid(void)
{
	REAL(uid_t, geteuid, void);
	const char *e = getenv("MLFAKE_EUID");

	return e ? (uid_t)atoi(e) : real_geteuid();
}

/* The fake kernel. */

static void mlfake_append(const char *rel, const char *text)
{
	const char *root = getenv("MLFAKE_ROOT");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	fd = mlfake_real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		perror("libmlfake: write");
	close(fd);
}

static void mlfake_kmsg(int level, const char *text)
{
	static unsigned int seq = 1000;
	char line[1200];

	snprintf(line, sizeof(line), "%d,%u,%u,-;%.1100s\n", level, seq, seq * 1000, text);
	seq++;
	mlfake_append("/dev/kmsg", line);
}

static bool mlfake_exists(const char *fmt, const char *name)
{
	REAL(int, stat, const char *, struct stat *);
	char rel[512], path[4096];
	struct stat st;

	snprintf(rel, sizeof(rel), fmt, name);
	snprintf(path, sizeof(path), "%s%s", getenv("MLFAKE_ROOT"), rel);
	return real_stat(path, &st) == 0;
}

/* The value of key in a module image's .modinfo strings, or NULL. */
static const char *mlfake_modinfo(const char *img, size_t len, const char *key,
				  char *out, size_t outlen)
{
	size_t klen = strlen(key), i;

	for (i = 0; i + klen < len; i++) {
		if ((i == 0 || !isprint((unsigned char)img[i - 1])) &&
		    !memcmp(img + i, key, klen) &&
		    img[i + klen] == '=') {
			snprintf(out, outlen, "%.*s", (int)strnlen(img + i + klen + 1,
								   len - i - klen - 1),
				 img + i + klen + 1);
			return out;
		}
	}
	return NULL;
}

static void mlfake_underscores(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

static bool mlfake_in_list(const char *list, const char *name)
{
	char copy[1024], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		mlfake_underscores(tok);
		if (!strcmp(tok, name))
			return true;
	}
	return false;
}

static long mlfake_load(const char *img, size_t len)
{
	const char *root = getenv("MLFAKE_ROOT");
	char name[256], deps[1024], path[4096], line[1024], msg[1100];
	char *tok, *save;
	FILE *f;
	int fd, e;

	if (!mlfake_modinfo(img, len, "name", name, sizeof(name))) {
		mlfake_kmsg(3, "fake: module has no name in .modinfo");
		errno = ENOEXEC;
		return -1;
	}
	mlfake_underscores(name);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/modules_disabled", root);
	f = fopen(path, "r");
	if (f) {
		e = fgetc(f);
		fclose(f);
		if (e == '1') {
			errno = EPERM;
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	f = fopen(path, "r");
	if (f) {
		char *p;

		line[0] = '\0';
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
		p = strstr(line, "module_blacklist=");
		if (p) {
			p[strcspn(p, " \n")] = '\0';
			if (mlfake_in_list(p + 17, name)) {
				snprintf(msg, sizeof(msg), "Module %s is blacklisted", name);
				mlfake_kmsg(3, msg);
				errno = EPERM;
				return -1;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/fake/fail/%s", root, name);
	f = fopen(path, "r");
	if (f) {
		e = EINVAL;
		if (fgets(line, sizeof(line), f))
			e = atoi(line);
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			mlfake_kmsg(3, line);
		}
		fclose(f);
		errno = e;
		return -1;
	}
	if (mlfake_exists("/sys/module/%s", name)) {
		errno = EEXIST;
		return -1;
	}
	if (mlfake_modinfo(img, len, "depends", deps, sizeof(deps))) {
		for (tok = strtok_r(deps, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			mlfake_underscores(tok);
			if (!mlfake_exists("/sys/module/%s/initstate", tok)) {
				snprintf(msg, sizeof(msg),
					 "%s: Unknown symbol %s_fn (err -2)", name, tok);
				mlfake_kmsg(4, msg);
				errno = ENOENT;
				return -1;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/sys/module/%s", root, name);
	REAL(int, mkdir, const char *, mode_t);
	real_mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", root, name);
	fd = mlfake_real_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "live\n", 5) != 5) {
		errno = EIO;
		return -1;
	}
	close(fd);
	snprintf(line, sizeof(line), "%s 16384 0 - Live 0xffffffffc0000000\n", name);
	mlfake_append("/proc/modules", line);
	snprintf(line, sizeof(line), "%s\n", name);
	mlfake_append("/fake/load.log", line);
	snprintf(msg, sizeof(msg), "fake: %s loaded", name);
	mlfake_kmsg(6, msg);
	return 0;
}

static long mlfake_finit(int fd)
{
	struct stat st;
	char *img;
	long ret;

	if (fstat(fd, &st) < 0)
		return -1;
	img = malloc(st.st_size + 1);
	if (!img || pread(fd, img, st.st_size, 0) != st.st_size) {
		free(img);
		errno = EIO;
		return -1;
	}
	ret = mlfake_load(img, st.st_size);
	free(img);
	return ret;
}

long syscall(long nr, ...)
{
	REAL(long, syscall, long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (getenv("MLFAKE_ROOT")) {
		if (nr == SYS_finit_module)
			return mlfake_finit((int)a[0]);
		if (nr == SYS_init_module)
			return mlfake_load((const char *)a[0], (size_t)a[1]);
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int init_module(void *img, unsigned long len, const char *args)
{
	(void)args;
	return mlfake_load(img, len);
}

int mount(const char *src, const char *target, const char *type,
	  unsigned long flags, const void *data)
{
	static int done;
	const char *ok = getenv("MLFAKE_MOUNT_OK");
	char line[2048];
	bool pass = ok && done < atoi(ok);

	snprintf(line, sizeof(line), "mount %s %s %s 0x%lx %s -> %s\n", src, target,
		 type, flags, data ? (const char *)data : "",
		 pass ? "ok" : "EPERM");
	mlfake_append("/fake/mount.log", line);
	if (!pass) {
		errno = EPERM;
		return -1;
	}
	done++;
	return 0;
}

int umount2(const char *target, int flags)
{
	char line[1024];

	snprintf(line, sizeof(line), "umount %s 0x%x\n", target, flags);
	mlfake_append("/fake/mount.log", line);
	return 0;
}
