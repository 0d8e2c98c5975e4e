// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun unit tests: the environment filter, guest paths made
 * absolute, the binfmt_misc line and magic, and registration against a
 * directory standing in for binfmt_misc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostrun.h"
#include "tap.h"

const char *hr_prog = "hostrun";

void hr_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *hr_device_path(void)
{
	return HR_DEVICE;
}

static void t_env(void)
{
	char *env[] = { "TERM=xterm", "LD_PRELOAD=/x.so", "FOO=1", "FOOBAR=2",
			"LC_ALL=C", "BAR=3", "=bad", "noeq", "LANG=C.UTF-8",
			"PATH=/bin", "HOME=/root", NULL };
	uint32_t n = 0, i;
	char **v;
	char got[256] = "";

	t_ok(!hr_env_build(NULL, env, &v, &n) && n == 3, "env: no HOSTRUN_ENV, the defaults only (%u)", n);
	for (i = 0; i < n; i++)
		strcat(strcat(got, v[i]), " ");
	t_ok(!strcmp(got, "TERM=xterm LC_ALL=C LANG=C.UTF-8 "), "env: ... TERM, LC_*, LANG in order: %s", got);
	free(v);
	got[0] = '\0';
	t_ok(!hr_env_build("FOO:PATH", env, &v, &n) && n == 5, "env: FOO:PATH adds two (%u)", n);
	for (i = 0; i < n; i++)
		strcat(strcat(got, v[i]), " ");
	t_ok(!strcmp(got, "TERM=xterm FOO=1 LC_ALL=C LANG=C.UTF-8 PATH=/bin "),
	     "env: ... FOO, not FOOBAR, never LD_PRELOAD: %s", got);
	free(v);
	t_ok(!hr_env_build("FOO*::", env, &v, &n) && n == 5, "env: FOO* takes FOO and FOOBAR, empty entries ignored (%u)", n);
	free(v);
	t_ok(hr_env_wanted("A:B", "B=1") && !hr_env_wanted("A:B", "AB=1") &&
	     !hr_env_wanted("", "A=1") && hr_env_wanted("X:LD_*", "LD_PRELOAD=x"),
	     "env: name matching (exact, prefix*, empty list)");
}

static void t_paths(void)
{
	char *s = NULL, *cwd = getcwd(NULL, 0), want[4096];
	int ret;

	ret = hr_abs_path("a/b", false, &s);
	snprintf(want, sizeof(want), "%s/a/b", cwd);
	t_ok(!ret && !strcmp(s, want), "abs path: relative joined to the cwd: %s", s ? s : "-");
	free(s);
	ret = hr_abs_path("/x/./y", false, &s);
	t_ok(!ret && !strcmp(s, "/x/./y"), "abs path: absolute kept as it is");
	free(s);
	ret = hr_abs_path("no/such/file", true, &s);
	t_ok(ret == -ENOENT, "abs path: resolving a missing file: ENOENT (%d)", ret);
	ret = hr_abs_path(".", true, &s);
	t_ok(!ret && !strcmp(s, cwd), "abs path: . resolved to the cwd");
	free(s);
	free(cwd);
}

static void t_binfmt_line(void)
{
	uint8_t m[130];
	char line[512];
	size_t len;

	t_ok(!hr_binfmt_magic("4d5a", m, &len) && len == 2 && m[0] == 'M' && m[1] == 'Z',
	     "magic: 4d5a is MZ");
	t_ok(!hr_binfmt_line(m, len, HR_BINFMT_INTERP, line, sizeof(line)) &&
	     !strcmp(line, ":hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF\n"),
	     "line: the default is WSL's form");
	t_ok(!hr_binfmt_magic("7f3a5C00", m, &len) && len == 4, "magic: mixed case hex");
	t_ok(!hr_binfmt_line(m, len, "/i", line, sizeof(line)) &&
	     !strcmp(line, ":hostrun:M::\\x7f\\x3a\\x5c\\x00::/i:PF\n"),
	     "line: ':' '\\\\' NUL and controls escaped");
	t_ok(hr_binfmt_magic("", m, &len) == -EINVAL, "magic: empty refused");
	t_ok(hr_binfmt_magic("4d5", m, &len) == -EINVAL, "magic: odd length refused");
	t_ok(hr_binfmt_magic("4g", m, &len) == -EINVAL, "magic: not hex refused");
	t_ok(hr_binfmt_magic("0x4d", m, &len) == -EINVAL, "magic: 0x prefix refused");
	{
		char big[300];

		memset(big, 'a', 258);
		big[258] = '\0';
		t_ok(hr_binfmt_magic(big, m, &len) == -EINVAL, "magic: over 128 bytes refused");
	}
}

static char *t_slurp(const char *path)
{
	static char buf[1024];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void t_spew(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	fputs(s, f);
	fclose(f);
}

static void t_binfmt_register(void)
{
	char dir[] = "/tmp/hr_binfmt.XXXXXX", reg[64], ent[64];
	uint8_t m[2] = { 'M', 'Z' };
	bool changed;
	char *s;
	int ret;

	if (!mkdtemp(dir)) {
		t_ok(0, "mkdtemp");
		return;
	}
	snprintf(reg, sizeof(reg), "%s/register", dir);
	snprintf(ent, sizeof(ent), "%s/hostrun", dir);
	t_spew(reg, "");
	ret = hr_binfmt_register(dir, m, 2, HR_BINFMT_INTERP, &changed);
	s = t_slurp(reg);
	t_ok(!ret && changed && s && !strcmp(s, ":hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF\n"),
	     "register: no entry: the line is written");
	t_spew(reg, "");
	t_spew(ent, "enabled\ninterpreter /usr/lib/hostlink/hostrun-binfmt\nflags: PF\noffset 0\nmagic 4d5a\n");
	ret = hr_binfmt_register(dir, m, 2, HR_BINFMT_INTERP, &changed);
	s = t_slurp(reg);
	t_ok(!ret && !changed && s && !*s, "register: an identical entry is left alone");
	t_spew(ent, "enabled\ninterpreter /old/interp\nflags: P\noffset 0\nmagic 4d5a\n");
	ret = hr_binfmt_register(dir, m, 2, HR_BINFMT_INTERP, &changed);
	s = strdup(t_slurp(ent));
	t_ok(!ret && changed && !strncmp(s, "-1", 2) &&
	     !strcmp(t_slurp(reg), ":hostrun:M::MZ::/usr/lib/hostlink/hostrun-binfmt:PF\n"),
	     "register: a different entry is removed (-1) and registered again");
	free(s);
	t_spew(reg, "");
	t_spew(ent, "disabled\ninterpreter /usr/lib/hostlink/hostrun-binfmt\nflags: PF\noffset 0\nmagic 4d5a\n");
	ret = hr_binfmt_register(dir, m, 2, HR_BINFMT_INTERP, &changed);
	t_ok(!ret && changed && *t_slurp(reg), "register: a disabled entry is replaced");
	unlink(reg);
	unlink(ent);
	ret = hr_binfmt_register(dir, m, 2, HR_BINFMT_INTERP, &changed);
	t_ok(ret == -ENOENT && !changed, "register: no register file (not binfmt_misc): an error (%d)", ret);
	rmdir(dir);
}

int main(void)
{
	printf("TAP version 13\n");
	t_env();
	t_paths();
	t_binfmt_line();
	t_binfmt_register();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
