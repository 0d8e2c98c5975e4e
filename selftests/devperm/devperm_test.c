// SPDX-License-Identifier: GPL-2.0-only
/*
 * devperm in a real kernel: two distributions as two mount namespaces
 * over the guest's one devtmpfs, each with its own /etc/group (video
 * 44 vs 110, render 105 vs 989), its own user in those groups, its own
 * /run/devperm and /etc/devperm.conf, each running its own udev-style
 * GROUP= rule (chown, chmod, as udev does) and then devperm.  The nodes
 * are vgem's card and render nodes and /dev/dxg.  A third distribution
 * runs in a user namespace with a gid_map.
 *
 * Everything is driven from this one program (an exec from the 9p root
 * is slow under TCG): devperm runs once per step, the users' opens are
 * forked children.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <acl/libacl.h>
#include <sys/acl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostlink_selftest.h"

#define DP_TOP		"/run/devperm-test"
#define DP_MAX_NODES	3

struct dp_distro {
	const char *name;
	const char *user;
	uid_t uid;
	gid_t video, render;	/* as its /etc/group says */
	gid_t kvideo, krender;	/* the kernel's (differ in a user namespace) */
	const char *gid_map;	/* NULL: no user namespace */
	char dir[64];
};

static struct dp_distro dp_a = { "A", "alice", 1000, 44, 105, 44, 105, NULL, "" };
static struct dp_distro dp_b = { "B", "bob", 1001, 110, 989, 110, 989, NULL, "" };
/* A user namespace: its video and render are 44 and 105, as A's, but
 * the kernel's gids are 100044 and 100105. */
static struct dp_distro dp_c = { "C", "carol", 1002, 44, 105, 100044, 100105,
	"0 0 44\n44 100044 1\n45 45 60\n105 100105 1\n106 106 65430\n", "" };
/* The same, with 44 (its video) left out of the map. */
static struct dp_distro dp_d = { "D", "dave", 1003, 44, 105, 0, 105,
	"0 0 44\n45 45 65491\n", "" };

static char dp_nodes[DP_MAX_NODES][PATH_MAX];
static int dp_nnodes;
static char dp_bin[PATH_MAX];
static bool dp_unload_dxg;

static int dp_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len) {
		close(fd);
		return -EIO;
	}
	return close(fd) ? -errno : 0;
}

static int dp_distro_files(struct dp_distro *d, const char *conf)
{
	char path[PATH_MAX], text[1024];
	int err;

	snprintf(d->dir, sizeof(d->dir), DP_TOP "/%s", d->name);
	snprintf(path, sizeof(path), "%s/run", d->dir);
	mkdir(DP_TOP, 0755);
	mkdir(d->dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/run/entries", d->dir);
	unlink(path);
	snprintf(text, sizeof(text),
		 "root:x:0:\nvideo:x:%u:%s\nrender:x:%u:%s\n%s:x:%u:\n",
		 d->video, d->user, d->render, d->user, d->user, d->uid);
	snprintf(path, sizeof(path), "%s/group", d->dir);
	err = dp_write(path, text);
	if (err)
		return err;
	snprintf(text, sizeof(text), "root:x:0:0:root:/root:/bin/sh\n%s:x:%u:%u::/:/bin/sh\n",
		 d->user, d->uid, d->uid);
	snprintf(path, sizeof(path), "%s/passwd", d->dir);
	err = dp_write(path, text);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/devperm.conf", d->dir);
	return dp_write(path, conf ? conf :
			"# as packaged\n/dev/dxg render rw\n/dev/dri/renderD* render rw\n"
			"/dev/dri/card* video rw\n");
}

static void dp_bind(const char *dir, const char *name, const char *target)
{
	char src[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s", dir, name);
	if (mount(src, target, NULL, MS_BIND, NULL)) {
		fprintf(stderr, "bind %s on %s: %s\n", src, target, strerror(errno));
		_exit(120);
	}
}

/*
 * In a forked child: become distribution D (its mount namespace, and
 * its user namespace, whose maps the parent writes once SYNC_W is
 * closed and before SYNC_R is).
 */
static void dp_enter(const struct dp_distro *d, int sync_w, int sync_r)
{
	char c;

	if (d->gid_map) {
		if (unshare(CLONE_NEWUSER))
			_exit(121);
		close(sync_w);
		if (read(sync_r, &c, 1) != 0)
			_exit(122);
		if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
			_exit(123);
	}
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		_exit(124);
	dp_bind(d->dir, "group", "/etc/group");
	dp_bind(d->dir, "passwd", "/etc/passwd");
	dp_bind(d->dir, "devperm.conf", "/etc/devperm.conf");
	dp_bind(d->dir, "run", "/run/devperm");
}

static int dp_maps(pid_t pid, const struct dp_distro *d)
{
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	err = dp_write(path, "0 0 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	return err ?: dp_write(path, d->gid_map);
}

/* Run devperm -v ARGS... as distribution D; its output into OUT. */
static int dp_run(const struct dp_distro *d, char *out, size_t len, ...)
{
	char *argv[16] = { dp_bin, "-v" };
	int pout[2], s1[2], s2[2], argc = 2, status;
	size_t got = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	va_start(ap, len);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (pipe2(pout, O_CLOEXEC) || pipe2(s1, O_CLOEXEC) || pipe2(s2, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(s1[0]);
		close(s2[1]);
		dup2(pout[1], 1);
		dup2(pout[1], 2);
		dp_enter(d, s1[1], s2[0]);
		execv(dp_bin, argv);
		_exit(127);
	}
	close(s1[1]);
	close(s2[0]);
	close(pout[1]);
	if (d->gid_map) {
		char c;

		if (read(s1[0], &c, 1) != 0 || dp_maps(pid, d))
			kill(pid, SIGKILL);
	}
	close(s2[1]);
	close(s1[0]);
	while (got + 1 < len && (r = read(pout[0], out + got, len - got - 1)) > 0)
		got += r;
	out[got] = '\0';
	close(pout[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Distribution D's udev rule on every node: GROUP= and MODE=, as udev sets them. */
static void dp_rule(const struct dp_distro *d, mode_t mode)
{
	int i;

	for (i = 0; i < dp_nnodes; i++) {
		bool card = strstr(dp_nodes[i], "/card") != NULL;

		if (chown(dp_nodes[i], 0, card ? d->kvideo : d->krender) ||
		    chmod(dp_nodes[i], mode))
			fprintf(stderr, "rule on %s: %s\n", dp_nodes[i], strerror(errno));
	}
}

/*
 * D's user opens each node read-write; a bit set per node it cannot.
 * Outside a user namespace it logs in the distribution's way
 * (initgroups from its /etc/group); in one, it holds the kernel gids.
 */
static int dp_user_opens(const struct dp_distro *d)
{
	int status, i, bad = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (d->gid_map) {
			gid_t g[2] = { d->kvideo, d->krender };

			if (setgroups(2, g))
				_exit(125);
		} else {
			struct passwd *pw;

			if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
				_exit(124);
			dp_bind(d->dir, "group", "/etc/group");
			dp_bind(d->dir, "passwd", "/etc/passwd");
			pw = getpwnam(d->user);
			if (!pw || initgroups(d->user, pw->pw_gid))
				_exit(125);
		}
		if (setresgid(d->uid, d->uid, d->uid) || setresuid(d->uid, d->uid, d->uid))
			_exit(126);
		for (i = 0; i < dp_nnodes; i++) {
			int fd = open(dp_nodes[i], O_RDWR | O_CLOEXEC);

			if (fd < 0)
				bad |= 1 << i;
			else
				close(fd);
		}
		_exit(bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The access ACL of NODE as text (numeric ids, comma separated). */
static void dp_acl_text(const char *node, char *out, size_t len)
{
	acl_t acl = acl_get_file(node, ACL_TYPE_ACCESS);
	char *t = acl ? acl_to_any_text(acl, NULL, ',', TEXT_NUMERIC_IDS) : NULL;

	snprintf(out, len, "%s", t ? t : "?");
	if (t)
		acl_free(t);
	if (acl)
		acl_free(acl);
}

static bool dp_acl_has(const char *node, const char *entry)
{
	char text[1024], want[128];

	dp_acl_text(node, text, sizeof(text));
	snprintf(want, sizeof(want), ",%s,", entry);
	memmove(text + 1, text, strlen(text) + 1);
	text[0] = ',';
	strcat(text, ",");
	return strstr(text, want) != NULL;
}

/* Every node back to what the kernel makes: root:root 0600, no ACL. */
static void dp_reset(void)
{
	int i;

	for (i = 0; i < dp_nnodes; i++) {
		removexattr(dp_nodes[i], "system.posix_acl_access");
		if (chown(dp_nodes[i], 0, 0) || chmod(dp_nodes[i], 0600))
			fprintf(stderr, "reset %s: %s\n", dp_nodes[i], strerror(errno));
	}
}

/*
 * vgem's card node into dp_nodes[0] and its render node into [1],
 * whatever other DRM devices there are.  vgem's device is a platform
 * device named "vgem" with no driver bound.
 */
static int dp_find_vgem(void)
{
	char link[PATH_MAX], path[PATH_MAX];
	bool card, found[2] = { false, false };
	struct dirent *e;
	DIR *dir;
	ssize_t n;

	dir = opendir("/sys/class/drm");
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		card = !strncmp(e->d_name, "card", 4);
		if ((!card && strncmp(e->d_name, "renderD", 7)) || strchr(e->d_name, '-'))
			continue;	/* neither, or a connector */
		snprintf(path, sizeof(path), "/sys/class/drm/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (strcmp(strrchr(link, '/') ? strrchr(link, '/') + 1 : link, "vgem"))
			continue;
		snprintf(dp_nodes[card ? 0 : 1], PATH_MAX, "/dev/dri/%s", e->d_name);
		found[card ? 0 : 1] = true;
	}
	closedir(dir);
	if (!found[0] || !found[1])
		return -ENODEV;
	dp_nnodes = 2;
	return 0;
}

static int dp_sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Once, before the tests: the modules, the nodes, the mount points. */
static void __attribute__((constructor)) dp_global_setup(void)
{
	const char *tools = getenv("VMTEST_TOOLS");
	struct stat st;
	int i;

	snprintf(dp_bin, sizeof(dp_bin), "%s/../devperm/devperm", tools ? tools : ".");
	if (getenv("DEVPERM"))
		snprintf(dp_bin, sizeof(dp_bin), "%s", getenv("DEVPERM"));
	if (geteuid() != 0)
		return;
	dp_unload_dxg = stat("/sys/module/dxg", &st) != 0;
	if (dp_sh("modprobe -a vgem dxg && udevadm settle --timeout=30"))
		fprintf(stderr, "modprobe vgem dxg failed\n");
	for (i = 0; i < 100 && stat("/dev/dxg", &st); i++)
		usleep(50000);
	if (dp_find_vgem())
		return;
	snprintf(dp_nodes[dp_nnodes++], PATH_MAX, "/dev/dxg");
	mkdir("/run/devperm", 0755);
	if (stat("/etc/devperm.conf", &st))
		dp_write("/etc/devperm.conf", "# devperm_test binds each distribution's over this\n");
}

static void __attribute__((destructor)) dp_global_teardown(void)
{
	/* Only the harness's parent; the tests' children _exit. */
	dp_reset();
	if (dp_unload_dxg)
		/* dxg ends a closed file's objects in a worker: retry. */
		dp_sh("for i in $(seq 50); do rmmod dxg 2>/dev/null && break; sleep 0.1; done;"
		      " rmmod hostlink 2>/dev/null");
}

FIXTURE(dp) {
	char out[8192];
};

FIXTURE_SETUP(dp)
{
	struct stat st;

	if (geteuid() != 0)
		SKIP(return, "needs root");
	if (stat(dp_bin, &st))
		SKIP(return, "no devperm at %.900s", dp_bin);
	ASSERT_EQ(3, dp_nnodes) TH_LOG("vgem's card and render nodes and /dev/dxg not found");
	{
		acl_t acl = acl_get_file(dp_nodes[0], ACL_TYPE_ACCESS);

		if (!acl && errno == ENOTSUP)
			SKIP(return, "devtmpfs without ACLs (CONFIG_TMPFS_POSIX_ACL)");
		acl_free(acl);
	}
	dp_reset();
	ASSERT_EQ(0, dp_distro_files(&dp_a, NULL));
	ASSERT_EQ(0, dp_distro_files(&dp_b, NULL));
	ASSERT_EQ(0, dp_distro_files(&dp_c, NULL));
	ASSERT_EQ(0, dp_distro_files(&dp_d, NULL));
}

FIXTURE_TEARDOWN(dp)
{
}

#define ALL_OPEN	0

/* A distribution starts (or gets a change event): its rule, then devperm. */
#define START(d) do { \
	dp_rule(&(d), 0660); \
	ASSERT_EQ(0, dp_run(&(d), self->out, sizeof(self->out), "apply", "--all", NULL)) \
		TH_LOG("%s: %s", (d).name, self->out); \
} while (0)

#define EVENT(d, node) do { \
	dp_rule(&(d), 0660); \
	ASSERT_EQ(0, dp_run(&(d), self->out, sizeof(self->out), "apply", node, NULL)) \
		TH_LOG("%s: %s", (d).name, self->out); \
} while (0)

/* The clash itself, without devperm: the second start locks A out. */
TEST_F(dp, control_without_devperm)
{
	dp_rule(&dp_a, 0660);
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
	dp_rule(&dp_b, 0660);
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));
	EXPECT_EQ(7, dp_user_opens(&dp_a)) TH_LOG("alice should fail on all three nodes");
}

TEST_F(dp, both_start_in_either_order)
{
	const struct dp_distro *order[2][2] = { { &dp_a, &dp_b }, { &dp_b, &dp_a } };
	int o;

	for (o = 0; o < 2; o++) {
		dp_reset();
		START(*order[o][0]);
		EXPECT_EQ(ALL_OPEN, dp_user_opens(order[o][0]));
		START(*order[o][1]);
		EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a)) TH_LOG("order %d", o);
		EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b)) TH_LOG("order %d", o);
		EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:44:rw-"));
		EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:110:rw-"));
		EXPECT_TRUE(dp_acl_has(dp_nodes[1], "group:105:rw-"));
		EXPECT_TRUE(dp_acl_has(dp_nodes[1], "group:989:rw-"));
		EXPECT_TRUE(dp_acl_has(dp_nodes[2], "group:105:rw-"));
		EXPECT_TRUE(dp_acl_has(dp_nodes[2], "group:989:rw-"));
	}
}

/* change events from either side, restarts, a lost /run: nobody loses. */
TEST_F(dp, change_events_and_restarts)
{
	static const char seq[] = "ABBAABAB";
	char acl_before[1024], acl_after[1024];
	const struct dp_distro *d;
	size_t i;
	int n;

	START(dp_a);
	START(dp_b);
	for (i = 0; seq[i]; i++) {
		d = seq[i] == 'A' ? &dp_a : &dp_b;
		n = i % dp_nnodes;
		EVENT(*d, dp_nodes[n]);
		EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a)) TH_LOG("after event %zu from %s", i, d->name);
		EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b)) TH_LOG("after event %zu from %s", i, d->name);
	}
	/* Applying again changes nothing, and says nothing. */
	dp_acl_text(dp_nodes[0], acl_before, sizeof(acl_before));
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "apply", "--all", NULL));
	EXPECT_STREQ("", self->out);
	dp_acl_text(dp_nodes[0], acl_after, sizeof(acl_after));
	EXPECT_STREQ(acl_before, acl_after);

	/* B restarts: stop (devperm.service revokes), start again. */
	ASSERT_EQ(0, dp_run(&dp_b, self->out, sizeof(self->out), "revoke", "--all", NULL));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a)) TH_LOG("A's entries survive B's stop");
	START(dp_b);
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));

	/* A crashes (no revoke) and comes back with an empty /run. */
	ASSERT_EQ(0, dp_distro_files(&dp_a, NULL));
	START(dp_a);
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));
	/* Its old entry was not recorded this time, so is not its to revoke. */
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "revoke", NULL));
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:44:rw-"));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));
}

TEST_F(dp, user_namespace_gets_its_mapped_gid)
{
	char want[64];

	dp_rule(&dp_c, 0660);
	ASSERT_EQ(0, dp_run(&dp_c, self->out, sizeof(self->out), "apply", "--all", NULL))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "added group:video (gid 44, 100044 in the kernel) rw-"))
		TH_LOG("%s", self->out);
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:100044:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[1], "group:100105:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[2], "group:100105:rw-"));
	EXPECT_FALSE(dp_acl_has(dp_nodes[0], "group:44:rw-"));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_c));
	ASSERT_EQ(0, dp_run(&dp_c, self->out, sizeof(self->out), "status", dp_nodes[0], NULL));
	snprintf(want, sizeof(want), "group:video (gid 44, 100044 in the kernel) rw-, added here");
	EXPECT_NE(NULL, strstr(self->out, want)) TH_LOG("%s", self->out);

	/* A adds its 44, which C's map does not cover.  With nothing to
	 * change C's run is fine; when a change is needed (a MODE=0600
	 * rule), C refuses to rewrite the node rather than drop A's entry,
	 * and A's own run repairs it. */
	START(dp_a);
	EXPECT_EQ(0, dp_run(&dp_c, self->out, sizeof(self->out), "apply", dp_nodes[0], NULL))
		TH_LOG("%s", self->out);
	dp_rule(&dp_a, 0600);
	EXPECT_EQ(1, dp_run(&dp_c, self->out, sizeof(self->out), "apply", dp_nodes[0], NULL));
	EXPECT_NE(NULL, strstr(self->out, "outside this user namespace's map")) TH_LOG("%s", self->out);
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "mask::---"));
	START(dp_a);
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:44:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:100044:rw-"));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_c));
}

TEST_F(dp, user_namespace_unmapped_gid_is_refused)
{
	char before[1024], after[1024];

	dp_acl_text(dp_nodes[0], before, sizeof(before));
	EXPECT_EQ(1, dp_run(&dp_d, self->out, sizeof(self->out), "apply", "--all", NULL));
	EXPECT_NE(NULL, strstr(self->out,
			       "group 'video' is gid 44 here, which /proc/self/gid_map does not map"))
		TH_LOG("%s", self->out);
	dp_acl_text(dp_nodes[0], after, sizeof(after));
	EXPECT_STREQ(before, after) TH_LOG("the card node changed");
	/* Its render group (105, mapped to itself) is still applied. */
	EXPECT_TRUE(dp_acl_has(dp_nodes[1], "group:105:rw-"));
}

/* A rule with MODE="0600" empties the mask; the next event repairs it. */
TEST_F(dp, hostile_mode_is_repaired)
{
	START(dp_a);
	START(dp_b);
	dp_rule(&dp_b, 0600);
	EXPECT_EQ(7, dp_user_opens(&dp_a));
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "mode 0600, mask ---")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "group:video (gid 44) rw-, added here (effective ---: the mask)"))
		TH_LOG("%s", self->out);
	/* The same event's devperm run, in B. */
	ASSERT_EQ(0, dp_run(&dp_b, self->out, sizeof(self->out), "apply", "--all", NULL));
	EXPECT_NE(NULL, strstr(self->out, "mask --- -> rw-")) TH_LOG("%s", self->out);
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "status", dp_nodes[0], NULL));
	EXPECT_NE(NULL, strstr(self->out, "mask rw-")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "group:unknown here (gid 110) rw-")) TH_LOG("%s", self->out);
}

TEST_F(dp, revoke_leaves_the_others)
{
	START(dp_a);
	START(dp_b);
	/* An entry that nobody's devperm added. */
	ASSERT_EQ(0, dp_sh("setfacl -m g:4242:r /dev/dxg 2>/dev/null || true"));
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "revoke", NULL));
	EXPECT_NE(NULL, strstr(self->out, "removed group:video (gid 44) rw-")) TH_LOG("%s", self->out);
	EXPECT_FALSE(dp_acl_has(dp_nodes[0], "group:44:rw-"));
	EXPECT_FALSE(dp_acl_has(dp_nodes[1], "group:105:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], "group:110:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[1], "group:989:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[2], "group:989:rw-"));
	EXPECT_TRUE(dp_acl_has(dp_nodes[2], "group:4242:r--"));
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_b));
	/* B's rule ran last, so the owning group is B's: A is out again. */
	EXPECT_EQ(7, dp_user_opens(&dp_a));
	/* Revoking again is nothing to do. */
	ASSERT_EQ(0, dp_run(&dp_a, self->out, sizeof(self->out), "revoke", "--all", NULL));
	EXPECT_STREQ("", self->out);
}

TEST_F(dp, bad_input)
{
	char before[DP_MAX_NODES][1024], after[1024], conf[512];
	int i;

	START(dp_a);
	for (i = 0; i < dp_nnodes; i++)
		dp_acl_text(dp_nodes[i], before[i], sizeof(before[i]));

	/* An unknown group: that node stays as it was. */
	snprintf(conf, sizeof(conf), "/dev/dri/card* video rw\n/dev/dri/card* gpuusers rw\n");
	ASSERT_EQ(0, dp_distro_files(&dp_b, conf));
	EXPECT_EQ(1, dp_run(&dp_b, self->out, sizeof(self->out), "apply", dp_nodes[0], NULL));
	EXPECT_NE(NULL, strstr(self->out, "/etc/devperm.conf:2: no group 'gpuusers' in this distribution"))
		TH_LOG("%s", self->out);
	dp_acl_text(dp_nodes[0], after, sizeof(after));
	EXPECT_STREQ(before[0], after);

	/* A malformed line: nothing is done at all. */
	snprintf(conf, sizeof(conf), "/dev/dri/card* video rw\n/dev/dxg render\n");
	ASSERT_EQ(0, dp_distro_files(&dp_b, conf));
	EXPECT_EQ(2, dp_run(&dp_b, self->out, sizeof(self->out), "apply", "--all", NULL));
	EXPECT_NE(NULL, strstr(self->out, "/etc/devperm.conf:2: expected 'PATTERN GROUP PERM', found 2 fields"))
		TH_LOG("%s", self->out);
	snprintf(conf, sizeof(conf), "/dev/dri/card* video rwx\n");
	ASSERT_EQ(0, dp_distro_files(&dp_b, conf));
	EXPECT_EQ(2, dp_run(&dp_b, self->out, sizeof(self->out), "apply", "--all", NULL));
	EXPECT_NE(NULL, strstr(self->out, "/etc/devperm.conf:1: permission 'rwx'")) TH_LOG("%s", self->out);
	for (i = 0; i < dp_nnodes; i++) {
		dp_acl_text(dp_nodes[i], after, sizeof(after));
		EXPECT_STREQ(before[i], after);
	}

	/* A node that is gone. */
	ASSERT_EQ(0, dp_distro_files(&dp_b, NULL));
	EXPECT_EQ(1, dp_run(&dp_b, self->out, sizeof(self->out), "apply", "/dev/dri/card99", NULL));
	EXPECT_NE(NULL, strstr(self->out, "/dev/dri/card99: the node is gone")) TH_LOG("%s", self->out);

	/* A file system without ACLs: a node on ramfs. */
	{
		struct stat st;

		ASSERT_EQ(0, stat(dp_nodes[0], &st));
		snprintf(conf, sizeof(conf), DP_TOP "/ramfs/* video rw\n");
		ASSERT_EQ(0, dp_distro_files(&dp_b, conf));
		mkdir(DP_TOP "/ramfs", 0755);
		ASSERT_EQ(0, mount("none", DP_TOP "/ramfs", "ramfs", 0, NULL));
		ASSERT_EQ(0, mknod(DP_TOP "/ramfs/card0", S_IFCHR | 0660, st.st_rdev));
		EXPECT_EQ(1, dp_run(&dp_b, self->out, sizeof(self->out), "apply", "--all", NULL));
		EXPECT_NE(NULL, strstr(self->out, "does not support POSIX ACLs")) TH_LOG("%s", self->out);
		EXPECT_EQ(0, umount(DP_TOP "/ramfs"));
	}
	/* Nothing any of it did reached A's nodes. */
	for (i = 0; i < dp_nnodes; i++) {
		dp_acl_text(dp_nodes[i], after, sizeof(after));
		EXPECT_STREQ(before[i], after);
	}
	EXPECT_EQ(ALL_OPEN, dp_user_opens(&dp_a));
}

/*
 * The real thing in this guest (one distribution, the guest's own
 * /etc/group): 62-devperm.rules, which vmtest installs with the other
 * rules, runs devperm on add and change.  devperm is put where the
 * rule looks for it for this test only: without it the rule is inert.
 */
TEST_F(dp, udev_rule_runs_devperm)
{
	const char *rule = "/etc/udev/rules.d/62-devperm.rules";
	char uevent[PATH_MAX], want[64], cmd[PATH_MAX + 64];
	struct group *video, *render;
	struct stat st;
	int rc;

	if (stat(rule, &st))
		SKIP(return, "no %s (not a vmtest guest)", rule);
	if (!stat("/usr/sbin/devperm", &st))
		SKIP(return, "a devperm is installed in /usr/sbin already");
	video = getgrnam("video");
	ASSERT_NE(NULL, video);
	snprintf(want, sizeof(want), "group:%u:rw-", video->gr_gid);
	snprintf(cmd, sizeof(cmd), "cp '%s' /usr/sbin/devperm", dp_bin);
	ASSERT_EQ(0, dp_sh(cmd));
	ASSERT_EQ(0, dp_write("/etc/devperm.conf",
			      "/dev/dxg render rw\n/dev/dri/renderD* render rw\n/dev/dri/card* video rw\n"));
	unlink("/run/devperm/entries");
	/* A change event on each node, as a driver or udevadm trigger sends. */
	rc = dp_sh("udevadm control --reload");
	for (int i = 0; i < dp_nnodes && !rc; i++) {
		snprintf(uevent, sizeof(uevent), "/sys/class/%s/%s/uevent",
			 strstr(dp_nodes[i], "/dri/") ? "drm" : "misc", strrchr(dp_nodes[i], '/') + 1);
		rc = dp_write(uevent, "change");
	}
	if (!rc)
		rc = dp_sh("udevadm settle --timeout=30");
	EXPECT_EQ(0, rc);
	EXPECT_TRUE(dp_acl_has(dp_nodes[0], want)) TH_LOG("no %s on %s", want, dp_nodes[0]);
	render = getgrnam("render");
	if (render) {
		snprintf(want, sizeof(want), "group:%u:rw-", render->gr_gid);
		EXPECT_TRUE(dp_acl_has(dp_nodes[1], want)) TH_LOG("no %s on %s", want, dp_nodes[1]);
		EXPECT_TRUE(dp_acl_has(dp_nodes[2], want)) TH_LOG("no %s on %s", want, dp_nodes[2]);
	}
	unlink("/usr/sbin/devperm");
	dp_write("/etc/devperm.conf", "# devperm_test binds each distribution's over this\n");
	unlink("/run/devperm/entries");
	unlink("/run/devperm/entries.lock");
	dp_sh("udevadm control --reload");
}

TEST_HARNESS_MAIN
