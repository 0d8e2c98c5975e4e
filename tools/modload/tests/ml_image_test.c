// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ml_image.c, no root: SHA-1 and UUIDv5 against known
 * values and python3's uuid.uuid5, the .modimg parser on good and
 * corrupt records, and the superblock and .modimg reader on small ext4
 * images crafted with `mke2fs -d` (never mounted).  TAP on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modload.h"
#include "tap.h"

static char tmpdir[] = "/tmp/ml_image_test.XXXXXX";

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static void test_sha1(void)
{
	static const struct {
		const char *in;
		const char *sha;
	} v[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	uint8_t d[20];
	char h[41], *big;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hl_sha1(v[i].in, strlen(v[i].in), d);
		hex(d, 20, h);
		t_ok(!strcmp(h, v[i].sha), "sha1(\"%.10s\") = %s", v[i].in, h);
	}
	big = malloc(1000000);
	memset(big, 'a', 1000000);
	hl_sha1(big, 1000000, d);
	free(big);
	hex(d, 20, h);
	t_ok(!strcmp(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
	     "sha1 of a million 'a' (many blocks)");
}

static void test_uuid(void)
{
	static const struct {
		const char *release;
		const char *uuid;	/* python3 uuid.uuid5(ns, release) */
	} v[] = {
		{ "6.1.0-56-amd64", "cee31eed-f8bc-531e-9fde-7b33f18f3d22" },
		{ "6.12.117+deb12-amd64", "b12dbae5-84af-5856-9513-edfb66e6e923" },
		{ "6.1.0-56-amd64/hash_seed", "251c88e0-6818-5133-a38c-f4813d51660a" },
	};
	uint8_t u[16], back[16];
	char s[37], cmd[512], py[64];
	size_t i;
	FILE *p;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ml_image_uuid(v[i].release, u);
		hl_uuid_format(u, s);
		t_ok(!strcmp(s, v[i].uuid), "uuid5(%s) = %s", v[i].release, s);
	}
	/* And against python3 at run time, for a release of our own. */
	ml_image_uuid("5.15.153.1-microsoft-standard-WSL2+", u);
	hl_uuid_format(u, s);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID(\"a9332c83-b204-4f1d-aeb0-cf90210f7ac8\"), \"5.15.153.1-microsoft-standard-WSL2+\"))' 2>/dev/null");
	p = popen(cmd, "r");
	py[0] = '\0';
	if (p) {
		if (!fgets(py, sizeof(py), p))
			py[0] = '\0';
		pclose(p);
	}
	py[strcspn(py, "\n")] = '\0';
	if (py[0])
		t_ok(!strcmp(py, s), "uuid5 equals python3 uuid.uuid5 (%s)", s);
	else
		printf("ok %u - uuid5 against python3 # SKIP no python3\n", ++t_n);

	t_ok(!hl_uuid_parse("CEE31EED-f8bc-531e-9fde-7b33f18f3d22", back) &&
	     (ml_image_uuid("6.1.0-56-amd64", u), !memcmp(u, back, 16)),
	     "uuid parse: either case, round trip");
	t_ok(hl_uuid_parse("cee31eed-f8bc-531e-9fde-7b33f18f3d2", back) == -EINVAL,
	     "uuid parse: too short");
	t_ok(hl_uuid_parse("cee31eed-f8bc-531e-9fde-7b33f18f3d222", back) == -EINVAL,
	     "uuid parse: too long");
	t_ok(hl_uuid_parse("cee31eedxf8bc-531e-9fde-7b33f18f3d22", back) == -EINVAL,
	     "uuid parse: no dash");
	t_ok(hl_uuid_parse("gee31eed-f8bc-531e-9fde-7b33f18f3d22", back) == -EINVAL,
	     "uuid parse: not hex");
}

static int parse(const char *s, struct ml_modimg *mi)
{
	return ml_modimg_parse(s, strlen(s), mi);
}

static void test_modimg(void)
{
	struct ml_modimg mi;
	char big[ML_MODIMG_MAX + 2];
	int err;

	err = parse("format=1\nkernel_release=6.1.0-56-amd64\nlayout=wsl\n", &mi);
	t_ok(!err && mi.format == 1 && !strcmp(mi.release, "6.1.0-56-amd64") &&
	     mi.layout == ML_LAYOUT_WSL, ".modimg: the documented example");
	err = parse("kernel_release=6.1.0-56-amd64\nformat=1\n", &mi);
	t_ok(!err && mi.layout == ML_LAYOUT_WSL, ".modimg: layout defaults to wsl");
	err = parse("format=1\nkernel_release=6.1.0-56-amd64\nlayout=nested\n\nbuilder=mkmodimg 1.0\n", &mi);
	t_ok(!err && mi.layout == ML_LAYOUT_NESTED,
	     ".modimg: nested, an empty line and an unknown key are fine");
	err = parse("format=2\nkernel_release=6.1.0-56-amd64\n", &mi);
	t_ok(err == -EPROTONOSUPPORT && strstr(ml_err(), "format 2"),
	     ".modimg: format=2 refused (%s)", ml_err());
	err = parse("kernel_release=6.1.0-56-amd64\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "no format"), ".modimg: no format");
	err = parse("format=1\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "no kernel_release"),
	     ".modimg: no kernel_release");
	err = parse("format=1\nkernel_release=6.1.0-56-amd64", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "newline"),
	     ".modimg: no newline at the end (%s)", ml_err());
	err = ml_modimg_parse("format=1\nkernel_release=6.1\0\n", 29, &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "not text"), ".modimg: NUL byte");
	err = parse("format=1\r\nkernel_release=6.1\r\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "not text"), ".modimg: CR bytes");
	err = parse("\x7f" "ELF\x02\x01\n", &mi);
	t_ok(err == -EINVAL, ".modimg: binary");
	memset(big, '#', sizeof(big));
	memcpy(big, "format=1\nkernel_release=x\nc=", 28);
	big[sizeof(big) - 1] = '\n';
	err = ml_modimg_parse(big, sizeof(big), &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "longer"), ".modimg: too long");
	err = parse("format=1\nkernel_release=6.1\njunk\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "line 3"), ".modimg: a line without '='");
	err = parse("format=1\n=x\nkernel_release=6.1\n", &mi);
	t_ok(err == -EINVAL, ".modimg: empty key");
	err = parse("format=1\nformat=1\nkernel_release=6.1\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "twice"), ".modimg: key twice");
	err = parse("format=one\nkernel_release=6.1\n", &mi);
	t_ok(err == -EINVAL, ".modimg: format not a number");
	err = parse("format=99999999999\nkernel_release=6.1\n", &mi);
	t_ok(err < 0, ".modimg: format a huge number (%s)", ml_err());
	err = parse("format=1\nkernel_release=../../etc\n", &mi);
	t_ok(err == -EINVAL, ".modimg: release with '/'");
	err = parse("format=1\nkernel_release=\n", &mi);
	t_ok(err == -EINVAL, ".modimg: empty release");
	err = parse("format=1\nkernel_release=6.1\nlayout=flat\n", &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "flat"), ".modimg: unknown layout");
	err = ml_modimg_parse("", 0, &mi);
	t_ok(err == -EINVAL, ".modimg: empty file");
}

static int run(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* An ext4 image holding .modimg (contents), made by mke2fs -d. */
static int mkimage(const char *name, const char *modimg, size_t len,
		   const char *extra_mke2fs, int nfiles, char *path)
{
	char dir[256], f[300];
	int fd, i;

	snprintf(dir, sizeof(dir), "%s/%s.d", tmpdir, name);
	snprintf(path, 256, "%s/%s.ext4", tmpdir, name);
	mkdir(dir, 0755);
	if (modimg) {
		snprintf(f, sizeof(f), "%s/.modimg", dir);
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, modimg, len) != (ssize_t)len)
			return -1;
		close(fd);
	}
	mkdir(strcat(strcpy(f, dir), "/kernel"), 0755);
	for (i = 0; i < nfiles; i++) {
		snprintf(f, sizeof(f), "%s/modules.file-with-a-long-name-%04d", dir, i);
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
	}
	return run("PATH=$PATH:/sbin:/usr/sbin mke2fs -q -F -t ext4 -L " ML_LABEL
		   " -U cee31eed-f8bc-531e-9fde-7b33f18f3d22 -E root_owner=0:0 %s -d %s %s 4M >/dev/null",
		   extra_mke2fs, dir, path);
}

static int probe(const char *path, const char *release, struct ml_sb *sb,
		 struct ml_modimg *mi)
{
	int fd, err;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	err = ml_image_probe(fd, release, sb, mi);
	close(fd);
	return err;
}

static void test_ext4(void)
{
	static const char good[] = "format=1\nkernel_release=6.1.0-56-amd64\nlayout=wsl\n";
	const char *rel = "6.1.0-56-amd64";
	char path[256], u[37];
	struct ml_modimg mi;
	struct ml_sb sb;
	uint8_t want[16];
	int err, fd;

	if (mkimage("good", good, strlen(good), "", 0, path)) {
		t_ok(0, "mke2fs -d builds a test image");
		return;
	}
	err = probe(path, rel, &sb, &mi);
	hl_uuid_format(sb.uuid, u);
	ml_image_uuid(rel, want);
	t_ok(!err, "probe: a good image (%s)", err ? ml_err() : "ok");
	t_ok(!memcmp(sb.uuid, want, 16), "superblock UUID at 0x68 is the release's UUIDv5 (%s)", u);
	t_ok(!strcmp(sb.label, ML_LABEL), "superblock label at 0x78 is %s", sb.label);
	t_ok(sb.block_size == 4096 || sb.block_size == 1024,
	     "block size %u", sb.block_size);
	t_ok(!err && !strcmp(mi.release, rel) && mi.layout == ML_LAYOUT_WSL,
	     "probe: .modimg read from the unmounted image");

	err = probe(path, "6.12.117+deb12-amd64", &sb, &mi);
	t_ok(err == -EXDEV && strstr(ml_err(), rel) &&
	     strstr(ml_err(), "6.12.117+deb12-amd64"),
	     "probe: release mismatch names both (%s)", ml_err());

	mkimage("nomodimg", NULL, 0, "", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -ENOENT && strstr(ml_err(), ".modimg"),
	     "probe: no .modimg (%s)", ml_err());

	mkimage("format2", "format=2\nkernel_release=6.1.0-56-amd64\n", 39, "", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EPROTONOSUPPORT, "probe: format=2 refused (%s)", ml_err());

	mkimage("noeol", good, strlen(good) - 1, "", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "newline"), "probe: no newline");

	{
		char huge[5000];

		memset(huge, 'y', sizeof(huge));
		mkimage("huge", huge, sizeof(huge), "", 0, path);
		err = probe(path, rel, &sb, &mi);
		t_ok(err == -EINVAL && strstr(ml_err(), "longer"),
		     "probe: .modimg over 4 KiB (%s)", ml_err());
	}
	mkimage("binary", "\x7f" "ELF\0\0\n", 7, "", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "not text"), "probe: binary .modimg");

	/* 1 KiB blocks, a .modimg spanning three blocks, a big root. */
	{
		char rec[3000];
		int n;

		n = snprintf(rec, sizeof(rec), "format=1\nkernel_release=%s\n", rel);
		memset(rec + n, '#', sizeof(rec) - n);
		memcpy(rec + n, "comment=", 8);
		rec[sizeof(rec) - 1] = '\n';
		mkimage("small-blocks", rec, sizeof(rec), "-b 1024", 400, path);
		err = probe(path, rel, &sb, &mi);
		t_ok(!err && sb.block_size == 1024,
		     "probe: 1 KiB blocks, multi-block .modimg, 400-entry root (%s)",
		     err ? ml_err() : "ok");
	}
	mkimage("no-extents", good, strlen(good), "-O ^extents,^64bit", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(!err, "probe: block-mapped files (no extents) (%s)", err ? ml_err() : "ok");
	mkimage("inline", good, strlen(good), "-O inline_data", 0, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EOPNOTSUPP, "probe: inline_data is left to the mount (%d)", err);

	/* Broken superblocks. */
	snprintf(path, sizeof(path), "%s/trunc.img", tmpdir);
	run("head -c 1500 %s/good.ext4 > %s", tmpdir, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "truncated"),
	     "superblock: truncated file (%s)", ml_err());
	snprintf(path, sizeof(path), "%s/zero.img", tmpdir);
	run("head -c 65536 /dev/zero > %s", path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err == -EINVAL && strstr(ml_err(), "not an ext4"),
	     "superblock: zeros are not ext4 (%s)", ml_err());
	snprintf(path, sizeof(path), "%s/vfat.img", tmpdir);
	if (!run("head -c 1048576 /dev/zero > %s && PATH=$PATH:/sbin:/usr/sbin mkfs.vfat %s >/dev/null 2>&1", path, path)) {
		err = probe(path, rel, &sb, &mi);
		t_ok(err == -EINVAL && strstr(ml_err(), "not an ext4"),
		     "superblock: a FAT image is not ext4");
	}
	/* A valid magic with nonsense geometry. */
	snprintf(path, sizeof(path), "%s/badgeo.img", tmpdir);
	run("cp %s/good.ext4 %s", tmpdir, path);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		uint8_t v[4] = { 40, 0, 0, 0 };

		t_ok(pwrite(fd, v, 4, 1024 + 0x18) == 4, "corrupt the block size");
		close(fd);
		err = probe(path, rel, &sb, &mi);
		t_ok(err == -EINVAL && strstr(ml_err(), "corrupt"),
		     "superblock: absurd block size (%s)", ml_err());
	}
	run("cp %s/good.ext4 %s", tmpdir, path);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		uint8_t v[4] = { 0, 0, 0, 0 };

		t_ok(pwrite(fd, v, 4, 1024 + 0x28) == 4, "zero inodes per group");
		close(fd);
		err = probe(path, rel, &sb, &mi);
		t_ok(err == -EINVAL, "superblock: no inodes per group (%s)", ml_err());
	}
	/* The image cut short after its superblock: reads past the end. */
	snprintf(path, sizeof(path), "%s/short.img", tmpdir);
	run("head -c 8192 %s/good.ext4 > %s", tmpdir, path);
	err = probe(path, rel, &sb, &mi);
	t_ok(err < 0, "an image cut after its superblock fails cleanly (%s)", ml_err());
}

int main(void)
{
	printf("TAP version 13\n");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_sha1();
	test_uuid();
	test_modimg();
	test_ext4();
	run("rm -rf %s", tmpdir);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
