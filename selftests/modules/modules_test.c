// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module lifecycle of hostlink, dxg and interop: loading by name pulls
 * the core in, unload order is enforced, nodes carry the udev group and
 * mode, modinfo fields are right, exports are namespaced, and a module
 * cannot go while one of its nodes is open.
 *
 * Runs as root in the vmtest guest, where udev runs with our rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libkmod.h>
#include <linux/dxg.h>
#include <linux/hostlink.h>
#include <linux/interop.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlink_selftest.h"

static const char *const all_modules[] = { "interop", "dxg", "hostlink" };

static struct kmod_module *mod_get(struct __test_metadata *_metadata,
				   struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;

	ASSERT_EQ(0, kmod_module_new_from_name(ctx, name, &mod));
	return mod;
}

/* 0 when loaded through modprobe's rules, else a negative errno. */
static int mod_load(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	int ret;

	ret = kmod_module_new_from_lookup(ctx, name, &list);
	if (ret < 0)
		return ret;
	if (!list)
		return -ENOENT;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		ret = kmod_module_probe_insert_module(mod, 0, NULL, NULL,
						      NULL, NULL);
		kmod_module_unref(mod);
		if (ret)
			break;
	}
	kmod_module_unref_list(list);
	return ret;
}

static int mod_remove(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod;
	int ret;

	ret = kmod_module_new_from_name(ctx, name, &mod);
	if (ret)
		return ret;
	ret = kmod_module_remove_module(mod, 0);
	kmod_module_unref(mod);
	return ret;
}

/*
 * After the last close of a node: dxg closes the file's host objects
 * from a worker, which holds the module until it is done, so an rmmod
 * right after close(2) may still find it in use for a moment.
 */
static int mod_remove_after_close(struct kmod_ctx *ctx, const char *name)
{
	int ret, i;

	for (i = 0; i < 500; i++) {
		ret = mod_remove(ctx, name);
		if (ret != -EWOULDBLOCK)
			break;
		usleep(10000);
	}
	return ret;
}

static bool mod_live(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod;
	int state;

	if (kmod_module_new_from_name(ctx, name, &mod))
		return false;
	state = kmod_module_get_initstate(mod);
	kmod_module_unref(mod);
	return state == KMOD_MODULE_LIVE;
}

static void unload_all(struct __test_metadata *_metadata, struct kmod_ctx *ctx)
{
	size_t i;

	/* the channel tests' device uses the core too */
	if (mod_live(ctx, "hostlink_test"))
		ASSERT_EQ(0, mod_remove(ctx, "hostlink_test"));

	for (i = 0; i < sizeof(all_modules) / sizeof(all_modules[0]); i++) {
		int ret = 0;

		if (mod_live(ctx, all_modules[i]))
			ret = mod_remove(ctx, all_modules[i]);
		ASSERT_EQ(0, ret) TH_LOG("removing %s: %s", all_modules[i],
					 strerror(-ret));
		ASSERT_FALSE(mod_live(ctx, all_modules[i]));
	}
}

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* First line of a small file, without the newline; "" on error. */
static const char *read_line(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void udev_settle(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, system("udevadm settle --timeout=60"));
}

static void kmod_quiet(void *data, int priority, const char *file, int line,
		       const char *fn, const char *format, va_list args)
{
}

FIXTURE(modules) {
	struct kmod_ctx *ctx;
};

FIXTURE_SETUP(modules)
{
	self->ctx = kmod_new(NULL, NULL);
	ASSERT_NE(NULL, self->ctx);
	/* Expected failures are checked through return codes. */
	kmod_set_log_fn(self->ctx, kmod_quiet, NULL);
	unload_all(_metadata, self->ctx);
}

FIXTURE_TEARDOWN(modules)
{
	unload_all(_metadata, self->ctx);
	kmod_unref(self->ctx);
}

TEST_F(modules, probe_dxg_pulls_in_hostlink)
{
	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	EXPECT_TRUE(mod_live(self->ctx, "dxg"));
	EXPECT_TRUE(mod_live(self->ctx, "hostlink"));
	EXPECT_FALSE(mod_live(self->ctx, "interop"));
	EXPECT_TRUE(path_exists("/sys/module/hostlink/holders/dxg"));
	EXPECT_TRUE(path_exists("/dev/dxg"));
}

TEST_F(modules, probe_interop_pulls_in_hostlink)
{
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	EXPECT_TRUE(mod_live(self->ctx, "hostlink"));
	EXPECT_TRUE(path_exists("/sys/module/hostlink/holders/interop"));
	EXPECT_TRUE(path_exists("/dev/interop"));
}

TEST_F(modules, core_unload_refused_while_users_loaded)
{
	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	EXPECT_EQ(-EWOULDBLOCK, mod_remove(self->ctx, "hostlink"));
	EXPECT_EQ(0, mod_remove(self->ctx, "dxg"));
	/* interop still holds the core. */
	EXPECT_EQ(-EWOULDBLOCK, mod_remove(self->ctx, "hostlink"));
	EXPECT_TRUE(mod_live(self->ctx, "hostlink"));
	EXPECT_EQ(0, mod_remove(self->ctx, "interop"));
	EXPECT_EQ(0, mod_remove(self->ctx, "hostlink"));
	EXPECT_FALSE(mod_live(self->ctx, "hostlink"));
}

TEST_F(modules, load_unload_cycles)
{
	int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
		ASSERT_EQ(0, mod_load(self->ctx, "interop"));
		ASSERT_TRUE(path_exists("/dev/dxg"));
		ASSERT_TRUE(path_exists("/dev/interop"));
		ASSERT_TRUE(path_exists("/sys/kernel/hostlink/services/dxg"));
		ASSERT_TRUE(path_exists("/sys/kernel/hostlink/services/interop"));
		unload_all(_metadata, self->ctx);
		ASSERT_FALSE(path_exists("/dev/dxg"));
		ASSERT_FALSE(path_exists("/dev/interop"));
		ASSERT_FALSE(path_exists("/sys/kernel/hostlink"));
	}
}

TEST_F(modules, sysfs_state)
{
	char want[32];

	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	EXPECT_STREQ(HOSTLINK_VERSION, read_line("/sys/kernel/hostlink/version"));
	EXPECT_STREQ("2", read_line("/sys/kernel/hostlink/host_cid"));
	EXPECT_STREQ("2", read_line("/sys/module/hostlink/parameters/host_cid"));
	snprintf(want, sizeof(want), "%u", HOSTLINK_PORT_DXG);
	EXPECT_STREQ(want, read_line("/sys/kernel/hostlink/services/dxg/port"));
	EXPECT_STREQ(want, read_line("/sys/module/dxg/parameters/port"));
	snprintf(want, sizeof(want), "%u", HOSTLINK_PORT_INTEROP);
	EXPECT_STREQ(want, read_line("/sys/kernel/hostlink/services/interop/port"));
}

TEST_F(modules, bad_parameter_refused)
{
	struct kmod_module *mod = mod_get(_metadata, self->ctx, "hostlink");

	/* VMADDR_CID_ANY is no host address. */
	EXPECT_EQ(-EINVAL, kmod_module_insert_module(mod, 0, "host_cid=4294967295"));
	EXPECT_FALSE(mod_live(self->ctx, "hostlink"));
	kmod_module_unref(mod);
}

static void check_node(struct __test_metadata *_metadata, const char *path,
		       const char *group)
{
	struct group *gr = getgrnam(group);
	struct stat st;

	ASSERT_NE(NULL, gr) TH_LOG("no group %s (sysusers not applied?)", group);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(10, major(st.st_rdev));	/* misc */
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(gr->gr_gid, st.st_gid);
}

TEST_F(modules, nodes_have_udev_group_and_mode)
{
	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	udev_settle(_metadata);
	check_node(_metadata, "/dev/dxg", "render");
	check_node(_metadata, "/dev/interop", "interop");
}

/* In a child: become nobody with only @group, then try to open @path. */
static int open_as_member(const char *group, const char *path)
{
	struct group *gr = getgrnam(group);
	pid_t pid;
	int status;

	if (!gr)
		return -ENOENT;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		gid_t gid = gr->gr_gid;
		int fd;

		if (setgroups(1, &gid) || setgid(65534) || setuid(65534))
			_exit(100);
		fd = open(path, O_RDWR | O_CLOEXEC);
		_exit(fd >= 0 ? 0 : errno);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

TEST_F(modules, nodes_open_only_for_their_group)
{
	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	udev_settle(_metadata);
	EXPECT_EQ(0, open_as_member("render", "/dev/dxg"));
	EXPECT_EQ(-EACCES, open_as_member("render", "/dev/interop"));
	EXPECT_EQ(0, open_as_member("interop", "/dev/interop"));
	EXPECT_EQ(-EACCES, open_as_member("interop", "/dev/dxg"));
	EXPECT_EQ(-EACCES, open_as_member("nogroup", "/dev/dxg"));
}

static void check_unload_refused_while_open(struct __test_metadata *_metadata,
					    struct kmod_ctx *ctx,
					    const char *name, const char *node)
{
	int fd;

	ASSERT_EQ(0, mod_load(ctx, name));
	fd = open(node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, mod_remove(ctx, name));
	EXPECT_TRUE(mod_live(ctx, name));
	EXPECT_TRUE(path_exists(node));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, mod_remove_after_close(ctx, name));
	EXPECT_FALSE(mod_live(ctx, name));
}

TEST_F(modules, dxg_unload_refused_while_open)
{
	check_unload_refused_while_open(_metadata, self->ctx, "dxg", "/dev/dxg");
}

TEST_F(modules, interop_unload_refused_while_open)
{
	check_unload_refused_while_open(_metadata, self->ctx, "interop",
					"/dev/interop");
}

TEST_F(modules, unknown_ioctl_is_enotty)
{
	int fd;

	ASSERT_EQ(0, mod_load(self->ctx, "dxg"));
	ASSERT_EQ(0, mod_load(self->ctx, "interop"));
	fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IOWR(DXG_IOCTL_BASE, 0x7f, __u64), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
	fd = open("/dev/interop", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IOWR(INTEROP_IOCTL_BASE, 0x7f, __u64), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* Look up one key of modinfo; "" if absent.  Several values are joined. */
static void modinfo(struct __test_metadata *_metadata, struct kmod_ctx *ctx,
		    const char *name, const char *key, char *out, size_t len)
{
	struct kmod_module *mod = mod_get(_metadata, ctx, name);
	struct kmod_list *info = NULL, *l;

	out[0] = '\0';
	ASSERT_LE(0, kmod_module_get_info(mod, &info));
	kmod_list_foreach(l, info) {
		if (strcmp(kmod_module_info_get_key(l), key))
			continue;
		if (out[0])
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, kmod_module_info_get_value(l), len - strlen(out) - 1);
	}
	kmod_module_info_free_list(info);
	kmod_module_unref(mod);
}

TEST_F(modules, modinfo_fields)
{
	char v[256];
	size_t i;

	for (i = 0; i < sizeof(all_modules) / sizeof(all_modules[0]); i++) {
		const char *name = all_modules[i];
		bool core = !strcmp(name, "hostlink");
		struct kmod_module *mod = mod_get(_metadata, self->ctx, name);
		const char *path = kmod_module_get_path(mod);

		/* Resolved by depmod to the staged copy of ours. */
		ASSERT_NE(NULL, path);
		EXPECT_NE(NULL, strstr(path, "/updates/hostlink/")) TH_LOG("%s", path);
		kmod_module_unref(mod);

		modinfo(_metadata, self->ctx, name, "license", v, sizeof(v));
		EXPECT_STREQ("GPL", v);
		modinfo(_metadata, self->ctx, name, "description", v, sizeof(v));
		EXPECT_LT(10, strlen(v)) TH_LOG("%s: description '%s'", name, v);
		modinfo(_metadata, self->ctx, name, "version", v, sizeof(v));
		EXPECT_STREQ(HOSTLINK_VERSION, v);
		modinfo(_metadata, self->ctx, name, "import_ns", v, sizeof(v));
		EXPECT_STREQ(core ? "" : "HOSTLINK", v) TH_LOG("%s", name);
		modinfo(_metadata, self->ctx, name, "depends", v, sizeof(v));
		EXPECT_STREQ(core ? "" : "hostlink", v) TH_LOG("%s", name);
	}
}

/*
 * Module.symvers of the build that was staged: every symbol hostlink
 * exports is GPL-only and in the HOSTLINK namespace.
 */
TEST(symvers_exports_are_namespaced)
{
	const char *dir = getenv("VMTEST_KMOD_DIR");
	char path[4096], line[1024];
	int found = 0;
	FILE *f;

	if (!dir)
		SKIP(return, "VMTEST_KMOD_DIR is not set (not under vmtest)");
	snprintf(path, sizeof(path), "%s/Module.symvers", dir);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *crc, *sym, *owner, *type, *ns, *save;

		crc = strtok_r(line, "\t\n", &save);
		sym = strtok_r(NULL, "\t\n", &save);
		owner = strtok_r(NULL, "\t\n", &save);
		type = strtok_r(NULL, "\t\n", &save);
		ns = strtok_r(NULL, "\t\n", &save);
		ASSERT_NE(NULL, crc);
		ASSERT_NE(NULL, type) TH_LOG("short line for %s", sym);
		ASSERT_NE(NULL, owner);
		EXPECT_STREQ("EXPORT_SYMBOL_GPL", type) TH_LOG("%s", sym);
		EXPECT_STREQ("HOSTLINK", ns ? ns : "") TH_LOG("%s", sym);
		EXPECT_EQ(0, strncmp(sym, "hostlink_", 9)) TH_LOG("%s", sym);
		if (!strcmp(sym, "hostlink_service_register"))
			found++;
	}
	fclose(f);
	EXPECT_EQ(1, found);
}

TEST_HARNESS_MAIN
