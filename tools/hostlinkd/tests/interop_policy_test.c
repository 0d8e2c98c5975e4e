// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interop service's policy parts: its configuration keys through
 * hostlinkd's own parser (each default, each bad value refused with a
 * reason), the environment filter, path normalisation and the path
 * map (longest prefix, whole components, results kept below the
 * mapped directory), and the exec policy (interop_path, interop_allow,
 * resolved paths) on a faked file system, then once on the real one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl_config.h"
#include "interop/hl_interop.h"
#include "tests/tap.h"

static struct hl_config cfg;
static char err[512];

static int t_set(const char *key, const char *value)
{
	err[0] = '\0';
	return hl_config_set(&cfg, HL_SRC_FILE, key, value, err, sizeof(err));
}

static void t_config(void)
{
	const struct hl_interop_cfg *ic = &cfg.interop;

	hl_config_init(&cfg);
	t_ok(ic->nguests == 0 && !hl_interop_guest_ok(ic, 3), "interop_guests: none by default");
	t_ok(ic->uids_any && hl_interop_uid_ok(ic, 1000) && !hl_interop_uid_ok(ic, UINT32_MAX),
	     "interop_guest_uids: any mapped uid by default");
	t_ok(ic->path.n == 3 && !strcmp(ic->path.v[1], "/usr/bin"),
	     "interop_path: /usr/local/bin:/usr/bin:/bin by default");
	t_ok(ic->allow.n == 0, "interop_allow: nothing by default");
	t_ok(ic->env_allow.n == 4 && !strcmp(ic->env_allow.v[3], "LC_*"),
	     "interop_env_allow: TERM COLORTERM LANG LC_* by default");
	t_ok(ic->nmap == 0 && !ic->cwd_refuse && ic->max_sessions == 128 &&
	     ic->kill_grace_ms == 2000, "map empty, cwd home, 128 sessions, 2000 ms");

	t_ok(t_set("interop_guests", "1, 3 42") == 0 && ic->nguests == 3 &&
	     hl_interop_guest_ok(ic, 1) && hl_interop_guest_ok(ic, 42) &&
	     !hl_interop_guest_ok(ic, 4), "interop_guests = 1, 3 42");
	t_ok(t_set("interop_guests", "2") == -EINVAL && strstr(err, "CID"),
	     "interop_guests: the host CID refused (%s)", err);
	t_ok(t_set("interop_guests", "0") == -EINVAL, "interop_guests: 0 refused");
	t_ok(t_set("interop_guests", "4294967295") == -EINVAL, "interop_guests: ANY refused");
	t_ok(t_set("interop_guests", "3 3") == -EINVAL && strstr(err, "twice"),
	     "interop_guests: duplicate refused");
	t_ok(t_set("interop_guests", "hybrid 3") == 0 &&
	     hl_interop_guest_ok(ic, HL_INTEROP_CID_HYBRID) && hl_interop_guest_ok(ic, 3) &&
	     !hl_interop_guest_ok(ic, 4), "interop_guests = hybrid 3: the hybrid peers and 3");
	t_ok(t_set("interop_guests", "hybrid hybrid") == -EINVAL,
	     "interop_guests: hybrid twice refused");
	t_ok(!ic->allow_root && t_set("interop_allow_root", "yes") == 0 && ic->allow_root &&
	     t_set("interop_allow_root", "no") == 0 && !ic->allow_root,
	     "interop_allow_root: no by default, yes and no");
	t_ok(t_set("interop_allow_root", "maybe") == -EINVAL && strstr(err, "yes or no"),
	     "interop_allow_root = maybe refused (%s)", err);
	t_ok(t_set("interop_guests", "1, 3 42") == 0, "interop_guests = 1, 3 42 again");
	t_ok(t_set("interop_guests", "3x") == -EINVAL, "interop_guests: junk refused");
	t_ok(ic->nguests == 3, "a refused value leaves the old one");
	t_ok(t_set("interop_guests", "") == 0 && ic->nguests == 0, "interop_guests empty: none");

	t_ok(t_set("interop_guest_uids", "1000 2000-2999") == 0 && !ic->uids_any &&
	     hl_interop_uid_ok(ic, 1000) && hl_interop_uid_ok(ic, 2500) &&
	     !hl_interop_uid_ok(ic, 0) && !hl_interop_uid_ok(ic, 3000),
	     "interop_guest_uids = 1000 2000-2999");
	t_ok(t_set("interop_guest_uids", "5-4") == -EINVAL, "uids: inverted range refused");
	t_ok(t_set("interop_guest_uids", "-4") == -EINVAL, "uids: open range refused");
	t_ok(t_set("interop_guest_uids", "4294967295") == -EINVAL,
	     "uids: the unmapped uid refused");
	t_ok(t_set("interop_guest_uids", "") == 0 && !hl_interop_uid_ok(ic, 1000),
	     "uids empty: none");
	t_ok(t_set("interop_guest_uids", "any") == 0 && hl_interop_uid_ok(ic, 0), "uids any");

	t_ok(t_set("interop_path", "/opt/x/bin//:/usr/bin/") == 0 && ic->path.n == 2 &&
	     !strcmp(ic->path.v[0], "/opt/x/bin") && !strcmp(ic->path.v[1], "/usr/bin"),
	     "interop_path normalised");
	t_ok(t_set("interop_path", "/usr/bin:bin") == -EINVAL && strstr(err, "absolute"),
	     "interop_path: relative refused (%s)", err);

	t_ok(t_set("interop_allow", "/usr/bin/ls /opt/tools/ /usr/bin/../bin/cat") == 0 &&
	     ic->allow.n == 3 && !strcmp(ic->allow.v[1], "/opt/tools/") &&
	     !strcmp(ic->allow.v[2], "/usr/bin/cat"), "interop_allow normalised, dir/ kept");
	t_ok(t_set("interop_allow", "/") == -EINVAL, "interop_allow: / refused");
	t_ok(t_set("interop_allow", "ls") == -EINVAL, "interop_allow: bare name refused");

	t_ok(t_set("interop_env_allow", "TERM MY_* X1") == 0 && ic->env_allow.n == 3,
	     "interop_env_allow = TERM MY_* X1");
	t_ok(t_set("interop_env_allow", "LD_PRELOAD") == -EINVAL && strstr(err, "LD_"),
	     "LD_PRELOAD refused (%s)", err);
	t_ok(t_set("interop_env_allow", "L*") == -EINVAL, "L* refused: it passes LD_*");
	t_ok(t_set("interop_env_allow", "*") == -EINVAL, "* refused");
	t_ok(t_set("interop_env_allow", "PATH") == -EINVAL, "PATH refused: the host's own");
	t_ok(t_set("interop_env_allow", "1X") == -EINVAL, "a name starting with a digit refused");
	t_ok(t_set("interop_env_allow", "A-B") == -EINVAL, "a name with '-' refused");

	t_ok(t_set("interop_path_map", "/mnt/host:/ /home/u/win:/srv/win/") == 0 &&
	     ic->nmap == 2 && !strcmp(ic->map[1].host, "/srv/win"),
	     "interop_path_map = /mnt/host:/ /home/u/win:/srv/win/");
	t_ok(t_set("interop_path_map", "/a") == -EINVAL, "map: no colon refused");
	t_ok(t_set("interop_path_map", "/a:/b:/c") == -EINVAL, "map: two colons refused");
	t_ok(t_set("interop_path_map", "a:/b") == -EINVAL, "map: relative guest refused");
	t_ok(t_set("interop_path_map", "/a:b") == -EINVAL, "map: relative host refused");
	t_ok(t_set("interop_path_map", "/a:/b /a/:/c") == -EINVAL && strstr(err, "twice"),
	     "map: a guest path twice refused");

	t_ok(t_set("interop_cwd_unmapped", "refuse") == 0 && ic->cwd_refuse, "cwd refuse");
	t_ok(t_set("interop_cwd_unmapped", "home") == 0 && !ic->cwd_refuse, "cwd home");
	t_ok(t_set("interop_cwd_unmapped", "guest") == -EINVAL, "cwd: other refused");
	t_ok(t_set("interop_max_sessions", "1024") == 0 && ic->max_sessions == 1024,
	     "max_sessions 1024");
	t_ok(t_set("interop_max_sessions", "1025") == -EINVAL &&
	     t_set("interop_max_sessions", "0") == -EINVAL, "max_sessions 0, 1025 refused");
	t_ok(t_set("interop_kill_grace_ms", "0") == 0 && ic->kill_grace_ms == 0 &&
	     t_set("interop_kill_grace_ms", "60001") == -EINVAL &&
	     t_set("interop_kill_grace_ms", "-1") == -EINVAL, "kill_grace_ms 0-60000");
	t_ok(t_set("interop_nonsense", "1") == -ENOENT && strstr(err, "unknown key"),
	     "an unknown interop_ key is an unknown key");
	hl_config_free(&cfg);
}

/* A config file with the keys, as hostlinkd reads it. */
static void t_config_file(void)
{
	char path[] = "/tmp/interop-policy-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ret;

	if (!f) {
		t_ok(0, "temporary file");
		return;
	}
	fprintf(f, "interop_guests = 1\ninterop_allow = /usr/bin/ls  # a comment\n"
		   "interop_path_map = /mnt/host:/\ninterop_env_allow = TERM LD_*\n");
	fclose(f);
	hl_config_init(&cfg);
	ret = hl_config_load(&cfg, path, true, err, sizeof(err));
	t_ok(ret == -EINVAL && strstr(err, ":4:") && strstr(err, "LD_"),
	     "file: a bad line is named (%s)", err);
	t_ok(cfg.interop.nguests == 1 && cfg.interop.allow.n == 1 && cfg.interop.nmap == 1,
	     "file: the lines before it are set");
	hl_config_free(&cfg);
	unlink(path);
}

static void t_env(void)
{
	struct hl_interop_user u = { "/home/h", "h", "/bin/bash" };
	char *genv[] = { "TERM=xterm", "LD_PRELOAD=/tmp/x.so", "PATH=/guest/bin",
			 "HOME=/guest", "LC_ALL=C", "TERM=vt100", "SECRET=1", "LANG=",
			 "LCX=1" };
	struct hl_interop_cfg ic;
	char **env = NULL;
	int ret, i, n = 0;

	hl_interop_cfg_init(&ic);
	ret = hl_interop_env_build(&ic, &u, genv, sizeof(genv) / sizeof(genv[0]), &env);
	t_ok(ret == 0, "env built");
	if (ret)
		return;
	for (i = 0; env[i]; i++)
		n++;
	t_ok(n == 7, "7 variables: HOME USER SHELL PATH TERM LC_ALL LANG (%d)", n);
	t_ok(!strcmp(env[0], "HOME=/home/h") && !strcmp(env[1], "USER=h") &&
	     !strcmp(env[2], "SHELL=/bin/bash") &&
	     !strcmp(env[3], "PATH=/usr/local/bin:/usr/bin:/bin"),
	     "the host user's HOME, USER, SHELL and interop_path as PATH");
	t_ok(n == 7 && !strcmp(env[4], "TERM=xterm") && !strcmp(env[5], "LC_ALL=C") &&
	     !strcmp(env[6], "LANG="), "allowed guest variables, the first TERM only");
	for (i = 0; env[i]; i++)
		if (!strncmp(env[i], "LD_", 3) || !strcmp(env[i], "SECRET=1") ||
		    !strcmp(env[i], "PATH=/guest/bin") || !strcmp(env[i], "HOME=/guest") ||
		    !strncmp(env[i], "LCX", 3))
			break;
	t_ok(!env[i], "LD_PRELOAD, unlisted, the guest's PATH and HOME dropped");
	free(env);
	t_ok(hl_interop_env_allowed(&ic, "LC_X", 4) && !hl_interop_env_allowed(&ic, "LC", 2) &&
	     !hl_interop_env_allowed(&ic, "TERMX", 5) && hl_interop_env_allowed(&ic, "TERM", 4),
	     "patterns: exact names and PREFIX*");
	ret = hl_interop_env_build(&ic, &u, NULL, 0, &env);
	t_ok(ret == 0 && env[4] == NULL, "no guest variables: the four only");
	if (!ret)
		free(env);
	hl_interop_cfg_free(&ic);
}

static void t_norm(void)
{
	static const struct { const char *in, *out; } c[] = {
		{ "/", "/" }, { "//", "/" }, { "/a/b/", "/a/b" }, { "/a//b", "/a/b" },
		{ "/a/./b", "/a/b" }, { "/a/../b", "/b" }, { "/../..", "/" },
		{ "/a/b/../../..", "/" }, { "/a/.b/..c", "/a/.b/..c" }, { "/...", "/..." },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		t_ok(hl_interop_path_norm(c[i].in, out, sizeof(out)) == 0 &&
		     !strcmp(out, c[i].out), "norm %s -> %s", c[i].in, c[i].out);
	t_ok(hl_interop_path_norm("a/b", out, sizeof(out)) == -EINVAL, "norm: relative");
	t_ok(hl_interop_path_norm("", out, sizeof(out)) == -EINVAL, "norm: empty");
	t_ok(hl_interop_path_norm("/abcd", out, 5) == -ENAMETOOLONG &&
	     hl_interop_path_norm("/abc", out, 5) == 0, "norm: the result must fit");
}

static void t_map(void)
{
	static const struct { bool to_guest; const char *in; int ret; const char *out; } c[] = {
		{ false, "/mnt/host/etc/hosts", 0, "/etc/hosts" },
		{ false, "/mnt/host", 0, "/" },
		{ false, "/mnt/host/", 0, "/" },
		{ false, "/mnt/hostile/x", -ENOENT, NULL },
		{ false, "/mnt/host/../../etc/passwd", -ENOENT, NULL },
		{ false, "/mnt/host/a/../../host/b", 0, "/b" },
		{ false, "/home/u/win/p/q", 0, "/srv/win/p/q" },
		{ false, "/home/u/win/../../../etc", -ENOENT, NULL },
		{ false, "/home/u/winx", -ENOENT, NULL },
		{ false, "/home/u/win/deep/er", 0, "/data/er" },
		{ false, "/tmp", -ENOENT, NULL },
		{ true, "/etc/hosts", 0, "/mnt/host/etc/hosts" },
		{ true, "/srv/win/p", 0, "/home/u/win/p" },
		{ true, "/data", 0, "/home/u/win/deep" },
		{ true, "/", 0, "/mnt/host" },
	};
	struct hl_interop_cfg ic;
	char out[INTEROP_WIRE_MAX_PATH];
	size_t i;
	int ret;

	hl_interop_cfg_init(&ic);
	ret = hl_interop_cfg_set(&ic, "interop_path_map",
				 "/home/u/win:/srv/win /mnt/host:/ /home/u/win/deep:/data",
				 err, sizeof(err));
	t_ok(ret == 0, "map set (%s)", ret ? err : "");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ret = hl_interop_map_path(&ic, c[i].to_guest, c[i].in, out, sizeof(out));
		t_ok(ret == c[i].ret && (ret || !strcmp(out, c[i].out)), "%s %s -> %s (%d %s)",
		     c[i].to_guest ? "to guest" : "to host", c[i].in,
		     c[i].out ? c[i].out : "ENOENT", ret, ret ? "" : out);
	}
	t_ok(hl_interop_map_path(&ic, false, "rel", out, sizeof(out)) == -EINVAL,
	     "map: relative EINVAL");
	t_ok(hl_interop_map_path(&ic, false, "/mnt/host/abcdef", out, 6) == -ENAMETOOLONG,
	     "map: a result that does not fit");
	hl_interop_cfg_free(&ic);
	hl_interop_cfg_init(&ic);
	t_ok(hl_interop_map_path(&ic, false, "/x", out, sizeof(out)) == -ENOENT,
	     "an empty map maps nothing");
	hl_interop_cfg_free(&ic);
}

/* A fake file system: a few files, with their resolved paths and modes. */
static const struct { const char *path, *real; int ret; } t_files[] = {
	{ "/usr/bin/ls", "/usr/bin/ls", 0 },
	{ "/bin/ls", "/usr/bin/ls", 0 },
	{ "/usr/bin/rm", "/usr/bin/rm", 0 },
	{ "/usr/bin/noexec", "/usr/bin/noexec", -EACCES },
	{ "/usr/local/bin/noexec", "/usr/local/bin/noexec", -EACCES },
	{ "/opt/tools/sub/t", "/opt/tools/sub/t", 0 },
	{ "/usr/bin/vi", "/usr/bin/vim.basic", 0 },
	{ "/usr/bin/sneaky", "/opt/tools/../../usr/bin/rm", 0 },
	{ "/srv/win/app.exe", "/srv/win/app.exe", 0 },
};

static unsigned int t_probes;

static int t_probe(void *ctx, const char *path, char *real, size_t reallen)
{
	size_t i;

	(void)ctx;
	t_probes++;
	for (i = 0; i < sizeof(t_files) / sizeof(t_files[0]); i++)
		if (!strcmp(t_files[i].path, path)) {
			if (t_files[i].ret)
				return t_files[i].ret;
			snprintf(real, reallen, "%s", t_files[i].real);
			return 0;
		}
	return -ENOENT;
}

static void t_policy(void)
{
	static const struct { const char *argv0; bool guest; int ret; const char *out; } c[] = {
		{ "ls", false, 0, "/usr/bin/ls" },
		{ "/bin/ls", false, 0, "/usr/bin/ls" },
		{ "rm", false, -EACCES, NULL },
		{ "/usr/bin/rm", false, -EACCES, NULL },
		{ "nosuch", false, -ENOENT, NULL },
		{ "/usr/bin/nosuch", false, -ENOENT, NULL },
		{ "noexec", false, -EACCES, NULL },
		{ "/opt/tools/sub/t", false, 0, "/opt/tools/sub/t" },
		{ "vi", false, -EACCES, NULL },
		{ "sneaky", false, -EACCES, NULL },
		{ "/home/u/win/app.exe", true, 0, "/srv/win/app.exe" },
		{ "/home/u/other/app.exe", true, -ENOENT, NULL },
		{ "/home/u/win/../other/x", true, -ENOENT, NULL },
		{ "app.exe", true, -EINVAL, NULL },
		{ "sub/t", false, -EINVAL, NULL },
		{ "", false, -EINVAL, NULL },
	};
	struct hl_interop_probe pr = { t_probe, NULL };
	struct hl_interop_cfg ic;
	char out[INTEROP_WIRE_MAX_PATH];
	size_t i;
	int ret;

	hl_interop_cfg_init(&ic);
	ret = hl_interop_cfg_set(&ic, "interop_allow", "/usr/bin/ls /opt/tools/ /srv/win/", err,
				 sizeof(err)) ||
	      hl_interop_cfg_set(&ic, "interop_path_map", "/home/u/win:/srv/win", err,
				 sizeof(err));
	t_ok(!ret, "policy set");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ret = hl_interop_resolve(&ic, &pr, c[i].argv0, c[i].guest, out, sizeof(out));
		t_ok(ret == c[i].ret && (ret || !strcmp(out, c[i].out)), "%s%s: %s (%d)",
		     c[i].guest ? "guest " : "", c[i].argv0, c[i].out ? c[i].out : "refused",
		     ret);
	}
	t_ok(hl_interop_allowed(&ic, "/opt/tools/x") && !hl_interop_allowed(&ic, "/opt/tools/") &&
	     !hl_interop_allowed(&ic, "/opt/toolsx/y") && !hl_interop_allowed(&ic, "/usr/bin/lsx"),
	     "allow: exact files, below dir/ entries only");
	/* Bare names never look anywhere but interop_path. */
	hl_interop_cfg_set(&ic, "interop_path", "/nowhere", err, sizeof(err));
	t_probes = 0;
	ret = hl_interop_resolve(&ic, &pr, "ls", false, out, sizeof(out));
	t_ok(ret == -ENOENT && t_probes == 1, "ls outside interop_path: ENOENT, one probe");
	hl_interop_cfg_set(&ic, "interop_path", "", err, sizeof(err));
	t_probes = 0;
	ret = hl_interop_resolve(&ic, &pr, "ls", false, out, sizeof(out));
	t_ok(ret == -ENOENT && t_probes == 0, "empty interop_path: no bare name runs");
	hl_interop_cfg_free(&ic);
}

/* The real file system: /bin/sh resolves and is executable; /etc/hostname is not. */
static void t_probe_fs(void)
{
	char real[INTEROP_WIRE_MAX_PATH];
	int ret;

	ret = hl_interop_probe_fs.probe(NULL, "/bin/sh", real, sizeof(real));
	t_ok(ret == 0 && real[0] == '/' && !strstr(real, "/./"), "fs: /bin/sh -> %s",
	     ret ? "?" : real);
	ret = hl_interop_probe_fs.probe(NULL, "/etc/passwd", real, sizeof(real));
	t_ok(ret == -EACCES, "fs: /etc/passwd is not executable (%d)", ret);
	ret = hl_interop_probe_fs.probe(NULL, "/", real, sizeof(real));
	t_ok(ret == -EACCES, "fs: a directory is not a program (%d)", ret);
	ret = hl_interop_probe_fs.probe(NULL, "/nonexistent/x", real, sizeof(real));
	t_ok(ret == -ENOENT, "fs: a missing file (%d)", ret);
	ret = hl_interop_probe_fs.probe(NULL, "/etc/passwd/x", real, sizeof(real));
	t_ok(ret == -ENOENT, "fs: below a file (%d)", ret);
}

int main(void)
{
	t_config();
	t_config_file();
	t_env();
	t_norm();
	t_map();
	t_policy();
	t_probe_fs();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
