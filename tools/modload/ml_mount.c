// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: finding the modules image (superblocks of /sys/class/block,
 * or what --image names), attaching a file to a loop device, mounting
 * it read-only, the overlay on /lib/modules/<release> and depmod on the
 * merged tree.  Steps 1 to 4 of "Mounting" in
 * Documentation/modules-image.rst.  Whatever fails after a mount undoes
 * the mounts made so far: no half-mounted state is left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modload.h"

/* modules.dep lines compared by their module path (before the colon). */
static int ml_depcmp_p(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strcspn(x, ":"), ny = strcspn(y, ":");
	int r = strncmp(x, y, nx < ny ? nx : ny);

	return r ? r : (nx > ny) - (nx < ny);
}

/* base/rel and image/rel are files of one size (rel ends at a colon). */
static bool ml_same_size(const char *base, const char *image, const char *rel)
{
	char a[PATH_MAX], b[PATH_MAX];
	int n = (int)strcspn(rel, ":");
	struct stat sa, sb;

	snprintf(a, sizeof(a), "%s/%.*s", base, n, rel);
	snprintf(b, sizeof(b), "%s/%.*s", image, n, rel);
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_size == sb.st_size;
}

/* Copy src to dst (created, mode 0644).  0 or -errno. */
static int ml_copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (close(out) < 0 && !err)
		err = -errno;
	close(in);
	if (err)
		unlink(dst);
	return err;
}

struct ml_mnt {
	char fstype[32];
	char source[256];
	char options[1024];
};

/*
 * The last (top) mount on path in /proc/self/mountinfo; -ENOENT if none.
 * mountinfo names the resolved path (/usr/lib/modules/... where /lib is
 * a link to usr/lib), so path is resolved first.
 */
static int ml_mountinfo_find(const char *path_in, struct ml_mnt *mnt)
{
	char line[4096], mp[1024], *sep, real[PATH_MAX];
	const char *path = path_in;
	bool found = false;
	FILE *f;

	if (realpath(path_in, real))
		path = real;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char fstype[32], source[256], opts[1024];

		if (sscanf(line, "%*s %*s %*s %*s %1023s", mp) != 1 ||
		    strcmp(mp, path))
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%31s %255s %1023s", fstype, source,
				   opts) != 3)
			continue;
		snprintf(mnt->fstype, sizeof(mnt->fstype), "%s", fstype);
		snprintf(mnt->source, sizeof(mnt->source), "%s", source);
		snprintf(mnt->options, sizeof(mnt->options), "%s", opts);
		found = true;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static void ml_loop_backing(const char *dev, char *out, size_t outlen)
{
	char path[300], buf[256];
	const char *base = strrchr(dev, '/');
	size_t len;

	out[0] = '\0';
	if (!base || strncmp(base + 1, "loop", 4))
		return;
	snprintf(path, sizeof(path), "/sys/class/block/%s/loop/backing_file",
		 base + 1);
	if (ml_read_small(path, buf, sizeof(buf) - 1, &len))
		return;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, outlen, "%s", buf);
}

static int ml_read_modimg_at(const char *dir, struct ml_modimg *mi)
{
	char path[400], buf[ML_MODIMG_MAX];
	size_t len;
	int err;

	snprintf(path, sizeof(path), "%s/.modimg", dir);
	err = ml_read_small(path, buf, sizeof(buf), &len);
	if (err == -EFBIG)
		return ml_fail(-EINVAL, ".modimg is corrupt: longer than %d bytes",
			       ML_MODIMG_MAX);
	if (err == -ENOENT)
		return ml_fail(-ENOENT, "no .modimg release record: not a modules image");
	if (err)
		return ml_fail(err, "cannot read %s: %s", path, strerror(-err));
	return ml_modimg_parse(buf, len, mi);
}

static void ml_moddir(const struct ml_modimg *mi, char *out, size_t outlen)
{
	if (mi->layout == ML_LAYOUT_NESTED)
		snprintf(out, outlen, "%s/%s/modules", ML_IMAGE_DIR, mi->release);
	else
		snprintf(out, outlen, "%s", ML_IMAGE_DIR);
}

/*
 * Is the overlay of a modules image on /lib/modules/<release>?  Fills
 * info from the mounts (for status and for reuse); -ENOENT when not.
 */
int ml_image_mounted(const char *release, struct ml_image_info *info)
{
	struct ml_mnt ov, img;
	char target[128];
	int err;

	memset(info, 0, sizeof(*info));
	snprintf(target, sizeof(target), "/lib/modules/%s", release);
	err = ml_mountinfo_find(target, &ov);
	if (err)
		return err;
	if (strcmp(ov.fstype, "overlay") || !strstr(ov.options, ML_RW_DIR "/upper"))
		return -ENOENT;
	if (!ml_mountinfo_find(ML_IMAGE_DIR, &img)) {
		snprintf(info->source, sizeof(info->source), "%s", img.source);
		ml_loop_backing(img.source, info->backing, sizeof(info->backing));
	}
	if (!ml_read_modimg_at(ML_IMAGE_DIR, &info->mi))
		ml_moddir(&info->mi, info->moddir, sizeof(info->moddir));
	info->reused = true;
	return 0;
}

/* What a scan for the image found, for the message when nothing fits. */
struct ml_scan {
	uint8_t want_uuid[16];
	const char *want_label;		/* LABEL=... instead of the UUID */
	char found[300];		/* the matching device */
	char other[400];		/* a modules image for another release */
};

/* The ext4 superblock of the device or file at @path. */
static int ml_sb_read_path(const char *path, struct ml_sb *sb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err;

	if (fd < 0)
		return -errno;
	err = ml_sb_read(fd, sb);
	close(fd);
	return err;
}

static bool ml_scan_one(struct ml_scan *s, const char *name)
{
	char path[300], buf[32];
	struct ml_sb sb;
	size_t len;

	snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
	if (ml_read_small(path, buf, sizeof(buf) - 1, &len))
		return false;
	buf[len] = '\0';
	if (strtoull(buf, NULL, 10) < 4)	/* empty loop, no medium */
		return false;
	snprintf(path, sizeof(path), "/dev/%s", name);
	if (ml_sb_read_path(path, &sb))
		return false;
	if (s->want_label ? !strcmp(sb.label, s->want_label) :
			    !memcmp(sb.uuid, s->want_uuid, 16)) {
		snprintf(s->found, sizeof(s->found), "%s", path);
		return true;
	}
	if (!strcmp(sb.label, ML_LABEL) && !s->other[0]) {
		char u[37];

		hl_uuid_format(sb.uuid, u);
		snprintf(s->other, sizeof(s->other), "%s (UUID %s)", path, u);
	}
	return false;
}

static int ml_scan(struct ml_scan *s)
{
	struct dirent *de;
	DIR *d;

	d = opendir("/sys/class/block");
	if (!d)
		return ml_fail(-errno, "cannot list /sys/class/block: %s",
			       strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (ml_scan_one(s, de->d_name))
			break;
	}
	closedir(d);
	return s->found[0] ? 0 : -ENODEV;
}

/*
 * Resolve spec (NULL: the UUID of release) to a device or file path.
 * -ENODEV when no image is attached; other errors are image problems.
 */
static int ml_image_find(const char *spec, const char *release, char *path,
			 size_t pathlen, bool *is_file)
{
	struct ml_scan s = { 0 };
	char u[37];
	struct stat st;
	int err;

	*is_file = false;
	if (!spec || !strncmp(spec, "UUID=", 5)) {
		if (!spec)
			ml_image_uuid(release, s.want_uuid);
		else if (hl_uuid_parse(spec + 5, s.want_uuid))
			return ml_fail(-EINVAL, "--image %s: not a UUID", spec);
		err = ml_scan(&s);
		hl_uuid_format(s.want_uuid, u);
		if (err == -ENODEV && s.other[0] && !spec)
			return ml_fail(-EXDEV,
				       "a modules image is attached, %s, but not the one for kernel %s (UUID %s)",
				       s.other, release, u);
		if (err == -ENODEV)
			return ml_fail(-ENODEV, "no block device with UUID %s", u);
	} else if (!strncmp(spec, "LABEL=", 6)) {
		s.want_label = spec + 6;
		err = ml_scan(&s);
		if (err == -ENODEV)
			return ml_fail(-ENODEV, "no block device labelled %s",
				       spec + 6);
	} else {
		if (stat(spec, &st) < 0)
			return ml_fail(-errno, "--image %s: %s", spec, strerror(errno));
		if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
			return ml_fail(-EINVAL,
				       "--image %s: neither a block device nor a file",
				       spec);
		*is_file = S_ISREG(st.st_mode);
		snprintf(s.found, sizeof(s.found), "%s", spec);
		err = 0;
	}
	if (err)
		return err;
	snprintf(path, pathlen, "%s", s.found);
	return 0;
}

/* Attach file read-only to a free loop device; autoclear on last close. */
static int ml_loop_attach(const char *file, char *dev, size_t devlen, int *lfd)
{
	struct loop_config cfg;
	int ctl, ffd, fd = -1, n, tries, err = 0;

	ffd = open(file, O_RDONLY | O_CLOEXEC);
	if (ffd < 0)
		return ml_fail(-errno, "cannot open %s: %s", file, strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = ml_fail(-errno, "cannot open /dev/loop-control: %s",
			      strerror(errno));
		goto err_close_file;
	}
	for (tries = 0; tries < 16; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			err = ml_fail(-errno, "no free loop device: %s",
				      strerror(errno));
			break;
		}
		snprintf(dev, devlen, "/dev/loop%d", n);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = ml_fail(-errno, "cannot open %s: %s", dev,
				      strerror(errno));
			break;
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = ffd;
		cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		memcpy(cfg.info.lo_file_name, file,
		       strnlen(file, LO_NAME_SIZE - 1));
		if (!ioctl(fd, LOOP_CONFIGURE, &cfg))
			break;
		if (errno == EINVAL || errno == ENOTTY) {
			/* Before 5.8: set the file, then the flags. */
			if (!ioctl(fd, LOOP_SET_FD, ffd)) {
				if (!ioctl(fd, LOOP_SET_STATUS64, &cfg.info))
					break;
				err = -errno;
				ioctl(fd, LOOP_CLR_FD, 0);
				ml_fail(err, "cannot set up %s: %s", dev,
					strerror(-err));
				break;
			}
		}
		err = -errno;
		close(fd);
		fd = -1;
		if (err != -EBUSY) {
			ml_fail(err, "cannot attach %s to %s: %s", file, dev,
				strerror(-err));
			break;
		}
		err = ml_fail(-EBUSY, "no loop device stayed free");
	}
	close(ctl);
	if (fd >= 0 && !err) {
		*lfd = fd;
		close(ffd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
err_close_file:
	close(ffd);
	return err;
}

static int ml_run_depmod(const char *release)
{
	static const char *const paths[] = { "/usr/sbin/depmod", "/sbin/depmod",
					     "/usr/bin/depmod", "/bin/depmod" };
	struct timespec t0, t1;
	int status;
	unsigned int i;
	pid_t pid;

	ml_debug("depmod %s\n", release);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return ml_fail(-errno, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			execl(paths[i], "depmod", release, (char *)NULL);
		execlp("depmod", "depmod", release, (char *)NULL);
		fprintf(stderr, "modload: cannot run depmod: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ml_fail(-errno, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return ml_fail(-EIO, "depmod %s failed (status %d)", release,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ml_debug("depmod took %ld ms\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					       (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}

static void ml_umount(const char *path)
{
	if (umount2(path, 0) < 0 && umount2(path, MNT_DETACH) < 0)
		ml_warn("cannot unmount %s: %s\n", path, strerror(errno));
}

/* A mount left by a run that was killed half-way: take it away. */
static void ml_umount_stale(const char *path)
{
	struct ml_mnt m;

	while (!ml_mountinfo_find(path, &m)) {
		ml_debug("unmounting stale %s\n", path);
		if (umount2(path, MNT_DETACH) < 0)
			break;
	}
}

/* The lines of dir/modules.dep, sorted; NULL (errno set) if unreadable. */
static char **ml_dep_lines(const char *dir, size_t *n, char **buf)
{
	char path[PATH_MAX], **lines = NULL, *p, *nl;
	size_t cap = 0;
	struct stat st;
	ssize_t got;
	int fd;

	*n = 0;
	*buf = NULL;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size > 64 << 20)
		goto err;
	*buf = malloc(st.st_size + 1);
	if (!*buf)
		goto err;
	got = read(fd, *buf, st.st_size);
	if (got != st.st_size)
		goto err;
	(*buf)[got] = '\0';
	close(fd);
	for (p = *buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		if (*n == cap) {
			char **more = realloc(lines, (cap = cap * 2 + 256) * sizeof(*lines));

			if (!more) {
				free(lines);
				free(*buf);
				*buf = NULL;
				errno = ENOMEM;
				return NULL;
			}
			lines = more;
		}
		if (nl[0] == '\n')
			nl[0] = '\0';
		lines[(*n)++] = p;
		if (!nl[1])
			break;
	}
	qsort(lines, *n, sizeof(*lines), ml_depcmp_p);
	return lines ? lines : calloc(1, sizeof(*lines));
err:
	close(fd);
	free(*buf);
	*buf = NULL;
	errno = EINVAL;
	return NULL;
}

/*
 * When the image holds every module of the base tree, at the same path
 * and with the same dependencies or, where they differ because the base
 * tree could not resolve them all, of the same size (the base is a
 * subset of the same kernel's tree: empty as on WSL, or with some
 * modules left out), the image's own indexes describe the merged tree:
 * put them in the upper layer and skip depmod, which reads every module
 * file and takes minutes on a slow disk.  true if that was done.
 */
static bool ml_indexes_from_image(const char *base, const char *moddir)
{
	char **blines = NULL, **ilines, *bbuf = NULL, *ibuf, src[PATH_MAX], dst[PATH_MAX];
	size_t bn = 0, in, i;
	struct dirent *de;
	bool ok = false;
	DIR *d;

	ilines = ml_dep_lines(moddir, &in, &ibuf);
	if (!ilines)
		return false;
	blines = ml_dep_lines(base, &bn, &bbuf);
	if (!blines && errno != ENOENT)
		goto out;
	for (i = 0; i < bn; i++) {
		char **hit = bsearch(&blines[i], ilines, in, sizeof(*ilines),
				     ml_depcmp_p);

		/* same line, same dependencies: no need to look at the file */
		if (hit && (!strcmp(*hit, blines[i]) ||
			    ml_same_size(base, moddir, blines[i])))
			continue;
		ml_debug("base module not in the image: %.*s\n",
			 (int)strcspn(blines[i], ":"), blines[i]);
		goto out;
	}
	d = opendir(moddir);
	if (!d)
		goto out;
	ok = true;
	while (ok && (de = readdir(d))) {
		if (strncmp(de->d_name, "modules.", 8))
			continue;
		snprintf(src, sizeof(src), "%s/%s", moddir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/upper/%s", ML_RW_DIR, de->d_name);
		ok = !ml_copy_file(src, dst);
	}
	closedir(d);
	ml_debug("%s the image's indexes (%zu base modules, %zu in the image)\n",
		 ok ? "using" : "cannot copy", bn, in);
out:
	free(blines);
	free(bbuf);
	free(ilines);
	free(ibuf);
	return ok;
}

static int ml_mount_overlay(const char *release, const char *moddir,
			    bool *indexed)
{
	char target[128], opts[1024];
	struct stat st;
	int err;

	snprintf(target, sizeof(target), "/lib/modules/%s", release);
	if (stat(target, &st) < 0) {
		if (errno != ENOENT || mkdir(target, 0755) < 0)
			return ml_fail(-errno, "cannot create %s: %s%s", target,
				       strerror(errno),
				       errno == EROFS ? " (the root is read-only and has no module directory for this kernel)" : "");
	} else if (!S_ISDIR(st.st_mode)) {
		return ml_fail(-ENOTDIR, "%s is not a directory", target);
	}
	err = mount("tmpfs", ML_RW_DIR, "tmpfs", MS_NODEV | MS_NOSUID | MS_NOEXEC,
		    "mode=0755");
	if (err < 0)
		return ml_fail(-errno, "cannot mount a tmpfs on %s: %s", ML_RW_DIR,
			       strerror(errno));
	if (mkdir(ML_RW_DIR "/upper", 0755) < 0 ||
	    mkdir(ML_RW_DIR "/work", 0755) < 0) {
		err = ml_fail(-errno, "cannot create the overlay directories: %s",
			      strerror(errno));
		goto err_umount_rw;
	}
	*indexed = ml_indexes_from_image(target, moddir);
	/* The existing content on top, so that it stays visible. */
	snprintf(opts, sizeof(opts),
		 "lowerdir=%s:%s,upperdir=%s/upper,workdir=%s/work", target,
		 moddir, ML_RW_DIR, ML_RW_DIR);
	if (mount("overlay", target, "overlay", MS_NODEV | MS_NOSUID, opts) < 0) {
		err = ml_fail(-errno, "cannot mount the overlay on %s: %s", target,
			      strerror(errno));
		goto err_umount_rw;
	}
	return 0;

err_umount_rw:
	ml_umount(ML_RW_DIR);
	return err;
}

/* Do a and b name the same block device, or the same file? */
static bool ml_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a[0] || !b[0] || stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return false;
	if (S_ISBLK(sa.st_mode) || S_ISBLK(sb.st_mode))
		return S_ISBLK(sa.st_mode) && S_ISBLK(sb.st_mode) &&
		       sa.st_rdev == sb.st_rdev;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Has the mounted image the UUID or label spec asks for? */
static bool ml_mounted_has(const char *spec, const struct ml_image_info *info)
{
	uint8_t want[16];
	struct ml_sb sb;

	if (!info->source[0] || ml_sb_read_path(info->source, &sb))
		return false;
	if (!strncmp(spec, "LABEL=", 6))
		return !strcmp(sb.label, spec + 6);
	return !strncmp(spec, "UUID=", 5) && !hl_uuid_parse(spec + 5, want) &&
	       !memcmp(want, sb.uuid, 16);
}

/*
 * --image SPEC while the overlay is there already: SPEC must exist and
 * be the image mounted, or the user would believe it is in use.
 */
static int ml_image_check_reused(const char *spec, const char *release,
				 const struct ml_image_info *info)
{
	char path[300], mounted[620];
	bool is_file;
	int err;

	snprintf(mounted, sizeof(mounted), "%s%s%s",
		 info->source[0] ? info->source : "an unknown device",
		 info->backing[0] ? ", file " : "", info->backing);
	err = ml_image_find(spec, release, path, sizeof(path), &is_file);
	if (err)
		return ml_fail(err, "%s (the overlay on /lib/modules/%s is from %s)",
			       ml_err(), release, mounted);
	if (ml_same_file(path, info->source) ||
	    ml_same_file(path, info->backing) || ml_mounted_has(spec, info))
		return 0;
	return ml_fail(-EXDEV,
		       "--image %s is not the image overlaid on /lib/modules/%s (%s); unmount that overlay to use another",
		       spec, release, mounted);
}

/*
 * Make the modules image's modules visible under /lib/modules/<release>:
 * reuse the overlay if it is there (and is spec's, when spec is given),
 * else find, check, mount, overlay and run depmod.  -ENODEV: no image
 * attached.
 */
int ml_image_ensure(const char *spec, const char *release,
		    struct ml_image_info *info)
{
	char path[300], target[128];
	struct ml_modimg mi;
	struct ml_sb sb;
	struct stat st;
	bool is_file, indexed = false;
	int fd, lfd = -1, err;

	if (!ml_image_mounted(release, info)) {
		err = spec ? ml_image_check_reused(spec, release, info) : 0;
		if (err)
			return err;
		if (stat(ML_RW_DIR "/upper/modules.dep.bin", &st) < 0)
			return ml_run_depmod(release);
		return 0;
	}
	if (strpbrk(release, ":,\\"))
		return ml_fail(-EINVAL, "kernel release '%s' cannot be an overlay path",
			       release);
	err = ml_image_find(spec, release, path, sizeof(path), &is_file);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ml_fail(-errno, "cannot open %s: %s", path, strerror(errno));
	err = ml_image_probe(fd, release, &sb, &mi);
	close(fd);
	if (err == -EOPNOTSUPP)
		ml_debug("%s: %s; checking .modimg once mounted\n", path, ml_err());
	else if (err)
		return ml_fail(err, "%s: %s", path, ml_err());
	snprintf(info->source, sizeof(info->source), "%s", path);

	err = ml_mkdir_p(ML_IMAGE_DIR, 0755);
	if (!err)
		err = ml_mkdir_p(ML_RW_DIR, 0755);
	if (err)
		return ml_fail(err, "cannot create %s: %s", ML_RUN_DIR, strerror(-err));
	ml_umount_stale(ML_RW_DIR);
	ml_umount_stale(ML_IMAGE_DIR);
	if (is_file) {
		snprintf(info->backing, sizeof(info->backing), "%s", path);
		err = ml_loop_attach(path, info->source, sizeof(info->source), &lfd);
		if (err)
			return err;
	}
	ml_debug("mounting %s on %s\n", info->source, ML_IMAGE_DIR);
	if (mount(info->source, ML_IMAGE_DIR, "ext4",
		  MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, "") < 0) {
		err = ml_fail(-errno, "cannot mount %s (ext4, read-only) on %s: %s",
			      info->source, ML_IMAGE_DIR, strerror(errno));
		goto err_close_loop;
	}
	/* The record once more, as the kernel reads it, then the layout. */
	err = ml_read_modimg_at(ML_IMAGE_DIR, &info->mi);
	if (!err && strcmp(info->mi.release, release))
		err = ml_fail(-EXDEV,
			      "the image is for kernel %s, the running kernel is %s",
			      info->mi.release, release);
	if (err) {
		ml_fail(err, "%s: %s", path, ml_err());
		goto err_umount_image;
	}
	ml_moddir(&info->mi, info->moddir, sizeof(info->moddir));
	if (stat(info->moddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err = ml_fail(-ENOENT, "%s: layout %s but no %s", path,
			      info->mi.layout == ML_LAYOUT_NESTED ? "nested" : "wsl",
			      info->moddir);
		goto err_umount_image;
	}
	err = ml_mount_overlay(release, info->moddir, &indexed);
	if (err)
		goto err_umount_image;
	err = indexed ? 0 : ml_run_depmod(release);
	if (err)
		goto err_umount_overlay;
	if (lfd >= 0)
		close(lfd);
	return 0;

err_umount_overlay:
	snprintf(target, sizeof(target), "/lib/modules/%s", release);
	ml_umount(target);
	ml_umount(ML_RW_DIR);
err_umount_image:
	ml_umount(ML_IMAGE_DIR);
err_close_loop:
	if (lfd >= 0)
		close(lfd);
	return err;
}
