// SPDX-License-Identifier: GPL-2.0-only
/*
 * The STYLE contract of every /dev/interop and session fd ioctl: short
 * structure, longer one with a non-zero tail (and a zero one), unknown
 * flag, non-zero reserved field, bad pointer, unknown ioctl, the other
 * file's ioctl; the limits (E2BIG at max_arg_bytes + 1, EUSERS at
 * max_sessions) and the policy (EPERM with enabled=0 and in a user
 * namespace without allow_namespaced), each refused before anything
 * reaches the host.  The host is the fake of interop_lib.c, on a port
 * of this program's own.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "interop_lib.h"

#define FAKE_PORT	0x4c78
#define NOHOST_PORT	0x4c79
#define WAIT_MS		10000

static const char *const prog_exit0[] = { "exit", "0", NULL };
static const char *const prog_wait[] = { "wait", NULL };

/* An ioctl with the structure of @size bytes at @buf (room for 64 more). */
static int ioc_sized(int fd, unsigned long req, void *buf, uint32_t size)
{
	memcpy(buf, &size, sizeof(size));
	return iioc(fd, req, buf);
}

/* The generic cases of an ioctl whose structure is @size bytes. */
static void contract(struct __test_metadata *_metadata, int fd,
		     unsigned long req, const void *good, uint32_t size,
		     int flags_ret)
{
	uint8_t buf[256];
	uint32_t flags = 1U << 31;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, good, size);
	EXPECT_EQ(-EINVAL, ioc_sized(fd, req, buf, size - 4));
	EXPECT_EQ(-EINVAL, ioc_sized(fd, req, buf, 0));
	memcpy(buf, good, size);
	buf[size + 3] = 1;
	EXPECT_EQ(-E2BIG, ioc_sized(fd, req, buf, size + 8));
	memcpy(buf, good, size);
	memcpy(buf + 4, &flags, sizeof(flags));
	EXPECT_EQ(flags_ret, ioc_sized(fd, req, buf, size));
	EXPECT_EQ(-EFAULT, iioc(fd, req, (void *)8));
	/* a size field in a page that ends right after it */
	{
		uint8_t *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, page);
		munmap(page + 4096, 4096);
		memcpy(page + 4096 - 4, &size, 4);
		EXPECT_EQ(-EFAULT, iioc(fd, req, page + 4096 - 4));
		munmap(page, 4096);
	}
}

FIXTURE(host) {
	struct ifake f;
	int fd;
};

FIXTURE_SETUP(host)
{
	self->fd = -1;
	ASSERT_EQ(0, interop_load(FAKE_PORT));
	self->fd = ifake_connect(&self->f, FAKE_PORT, WAIT_MS);
	ASSERT_LE(0, self->fd) TH_LOG("the fake host on port %d did not come up", FAKE_PORT);
}

FIXTURE_TEARDOWN(host)
{
	if (self->fd >= 0)
		ifake_disconnect(&self->f, self->fd);
	interop_load(FAKE_PORT);
}

TEST_F(host, caps_get)
{
	struct interop_caps_get c = { .size = sizeof(c) };
	uint8_t big[sizeof(c) + 16] = {};

	ASSERT_EQ(0, iioc(self->fd, INTEROP_CAPS_GET, &c));
	EXPECT_EQ(INTEROP_UAPI_VERSION, c.out_uapi_version);
	EXPECT_EQ(1, c.out_host_version);
	EXPECT_EQ(INTEROP_SPAWN_ALL, c.out_spawn_flags);
	EXPECT_EQ(INTEROP_HOST_UP, c.out_host_flags);
	EXPECT_EQ(INTEROP_MAX_SESSIONS, c.out_max_sessions);
	EXPECT_EQ(INTEROP_MAX_ARG_BYTES, c.out_max_arg_bytes);
	EXPECT_EQ(INTEROP_MAX_ARGC, c.out_max_argc);
	EXPECT_EQ(INTEROP_MAX_ENVC, c.out_max_envc);
	/* a longer structure with a zero tail works as ours */
	EXPECT_EQ(0, ioc_sized(self->fd, INTEROP_CAPS_GET, big, sizeof(big)));
	contract(_metadata, self->fd, INTEROP_CAPS_GET, &c, sizeof(c),
		 -EINVAL);
}

TEST_F(host, unknown_and_foreign_ioctls)
{
	struct interop_session_signal sg = { .size = sizeof(sg), .signo = 15 };
	struct interop_session_resize rs = { .size = sizeof(rs), .rows = 1,
					     .cols = 1 };
	struct interop_caps_get c = { .size = sizeof(c) };
	struct ispawn sp;

	EXPECT_EQ(-ENOTTY, iioc(self->fd, _IOWR(INTEROP_IOCTL_BASE, 0x3f,
						struct interop_caps_get), &c));
	EXPECT_EQ(-ENOTTY, iioc(self->fd, _IOWR('I', 0, struct interop_caps_get),
				&c));
	/* the direction is part of the number */
	EXPECT_EQ(-ENOTTY, iioc(self->fd, _IOR(INTEROP_IOCTL_BASE, 0,
					       struct interop_caps_get), &c));
	EXPECT_EQ(-ENOTTY, iioc(self->fd, INTEROP_SESSION_SIGNAL, &sg));
	EXPECT_EQ(-ENOTTY, iioc(self->fd, INTEROP_SESSION_RESIZE, &rs));

	ispawn_init(&sp, 0, prog_wait, NULL);
	ASSERT_EQ(0, ispawn_run(self->fd, &sp));
	EXPECT_EQ(-ENOTTY, iioc(sp.s.out_session_fd, INTEROP_CAPS_GET, &c));
	EXPECT_EQ(-ENOTTY, iioc(sp.s.out_session_fd, INTEROP_SPAWN, &sp.s));
	EXPECT_EQ(-ENOTTY, iioc(sp.s.out_session_fd,
				_IOW(INTEROP_IOCTL_BASE, 0x20,
				     struct interop_session_signal), &sg));
	ispawn_close(&sp);
}

TEST_F(host, spawn_contract)
{
	int opens = self->f.opens;
	struct ispawn sp, bad;
	uint8_t buf[256];

	ispawn_init(&sp, 0, prog_exit0, NULL);
	/* the generic cases, with nothing sent */
	memcpy(buf, &sp.s, sizeof(sp.s));
	contract(_metadata, self->fd, INTEROP_SPAWN, &sp.s, sizeof(sp.s),
		 -EINVAL);

	bad = sp;
	bad.s.__reserved = 1;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.argc = 0;
	bad.s.envc = 2;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.rows = 24;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.flags = INTEROP_SPAWN_PTY;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad.s.rows = 24;
	bad.s.cols = 80;
	bad.s.flags |= INTEROP_SPAWN_STDIN_NULL;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	/* NULs other than argc + envc + 1 */
	bad = sp;
	bad.s.strings_uptr = (uintptr_t)bad.strings;
	bad.s.argc = 1;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad.s.argc = 3;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.strings_uptr = (uintptr_t)bad.strings;
	bad.s.strings_len--;	/* the last byte not a NUL */
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.strings[0] = '\0';	/* argv[0] empty */
	bad.s.strings_uptr = (uintptr_t)bad.strings;
	memmove(bad.strings + 1, bad.strings + 5, sizeof(bad.strings) - 5);
	bad.s.strings_len -= 3;
	EXPECT_EQ(-EINVAL, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.strings_uptr = 8;
	EXPECT_EQ(-EFAULT, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.argc = INTEROP_MAX_ARGC + 1;
	bad.s.strings_len = INTEROP_MAX_ARGC + 2;
	EXPECT_EQ(-E2BIG, ispawn_run(self->fd, &bad));
	bad = sp;
	bad.s.envc = INTEROP_MAX_ENVC + 1;
	bad.s.strings_len = INTEROP_MAX_ARGC + 2;
	EXPECT_EQ(-E2BIG, ispawn_run(self->fd, &bad));
	EXPECT_EQ(opens, self->f.opens);

	/* and the good one goes through, all fds close-on-exec */
	sp.s.strings_uptr = (uintptr_t)sp.strings;
	ASSERT_EQ(0, ispawn_run(self->fd, &sp));
	EXPECT_EQ(opens + 1, self->f.opens);
	EXPECT_EQ(FD_CLOEXEC, fcntl(sp.s.out_session_fd, F_GETFD));
	EXPECT_EQ(FD_CLOEXEC, fcntl(sp.s.out_stdin_fd, F_GETFD));
	EXPECT_EQ(FD_CLOEXEC, fcntl(sp.s.out_stdout_fd, F_GETFD));
	EXPECT_EQ(-1, sp.s.out_stderr_fd);
	EXPECT_EQ(0, sp.s.out_flags);
	ispawn_close(&sp);
}

/* Strings of exactly @len bytes: "exit", "0", one env string, cwd "/". */
static char *strings_of(size_t len)
{
	char *s = malloc(len);
	size_t env = len - 5 - 2 - 2;

	if (!s)
		return NULL;
	memcpy(s, "exit\0" "0", 7);
	memset(s + 7, 'x', env - 1);
	memcpy(s + 7, "A=", 2);
	s[7 + env - 1] = '\0';
	memcpy(s + 7 + env, "/", 2);
	return s;
}

TEST_F(host, e2big_at_the_limit)
{
	const size_t max = INTEROP_MAX_ARG_BYTES;
	char *at = strings_of(max), *over = strings_of(max + 1);
	struct interop_exit ex;
	struct ispawn sp;
	int opens;

	ASSERT_NE(NULL, at);
	ASSERT_NE(NULL, over);
	ispawn_init(&sp, INTEROP_SPAWN_STDIN_NULL, prog_exit0, NULL);
	sp.s.envc = 1;
	sp.s.strings_uptr = (uintptr_t)over;
	sp.s.strings_len = max + 1;
	opens = self->f.opens;
	EXPECT_EQ(-E2BIG, ispawn_run(self->fd, &sp));
	EXPECT_EQ(opens, self->f.opens);
	sp.s.strings_uptr = (uintptr_t)at;
	sp.s.strings_len = max;
	ASSERT_EQ(0, ispawn_run(self->fd, &sp));
	EXPECT_EQ(max, self->f.last_strings_len);
	EXPECT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
	ispawn_close(&sp);

	/* the module's parameter lowers it */
	ASSERT_EQ(0, ifile_write(IPARAM "max_arg_bytes", "4096"));
	sp.s.strings_len = 4097;
	EXPECT_EQ(-E2BIG, ispawn_run(self->fd, &sp));
	free(at);
	free(over);
}

TEST_F(host, eusers_at_max_sessions)
{
	struct ispawn sp[4];
	unsigned int i;

	ASSERT_EQ(0, ifile_write(IPARAM "max_sessions", "3"));
	for (i = 0; i < 3; i++) {
		ispawn_init(&sp[i], 0, prog_wait, NULL);
		ASSERT_EQ(0, ispawn_run(self->fd, &sp[i]));
	}
	ispawn_init(&sp[3], 0, prog_wait, NULL);
	EXPECT_EQ(-EUSERS, ispawn_run(self->fd, &sp[3]));
	/* a closed one makes room once its CLOSE is done */
	ispawn_close(&sp[0]);
	ASSERT_EQ(0, ifake_wait(&self->f.closes, 1, WAIT_MS));
	{
		uint64_t end = hl_now_ms() + WAIT_MS;
		int ret;

		while ((ret = ispawn_run(self->fd, &sp[3])) == -EUSERS &&
		       hl_now_ms() < end)
			usleep(10000);
		EXPECT_EQ(0, ret);
	}
	for (i = 1; i < 4; i++)
		ispawn_close(&sp[i]);
}

TEST_F(host, eperm_disabled)
{
	struct ispawn sp;

	ASSERT_EQ(0, ifile_write(IPARAM "enabled", "0"));
	ispawn_init(&sp, 0, prog_exit0, NULL);
	EXPECT_EQ(-EPERM, ispawn_run(self->fd, &sp));
	ASSERT_EQ(0, ifile_write(IPARAM "enabled", "1"));
	EXPECT_EQ(0, ispawn_run(self->fd, &sp));
	ispawn_close(&sp);
}

/* A spawn from a child in a new user namespace: its result. */
static int spawn_in_userns(int fd)
{
	int st, pipefd[2];
	pid_t pid;
	int ret = -1;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct ispawn sp;

		ret = unshare(CLONE_NEWUSER) ? -1000 - errno : 0;
		if (!ret) {
			ispawn_init(&sp, 0, prog_exit0, NULL);
			ret = ispawn_run(fd, &sp);
		}
		if (write(pipefd[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -2000;
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	return ret;
}

TEST_F(host, eperm_namespaced)
{
	EXPECT_EQ(-EPERM, spawn_in_userns(self->fd));
	ASSERT_EQ(0, ifile_write(IPARAM "allow_namespaced", "1"));
	EXPECT_EQ(0, spawn_in_userns(self->fd));
}

TEST_F(host, session_contract)
{
	struct interop_session_signal sg = { .size = sizeof(sg), .signo = 10 };
	struct interop_session_resize rs = { .size = sizeof(rs), .rows = 30,
					     .cols = 100 };
	struct ispawn sp, pty;
	char small[4];
	int sfd;

	ispawn_init(&sp, 0, prog_wait, NULL);
	ASSERT_EQ(0, ispawn_run(self->fd, &sp));
	sfd = sp.s.out_session_fd;
	contract(_metadata, sfd, INTEROP_SESSION_SIGNAL, &sg, sizeof(sg),
		 -EINVAL);
	contract(_metadata, sfd, INTEROP_SESSION_RESIZE, &rs, sizeof(rs),
		 -EINVAL);
	sg.__reserved = 1;
	EXPECT_EQ(-EINVAL, iioc(sfd, INTEROP_SESSION_SIGNAL, &sg));
	sg.__reserved = 0;
	sg.signo = 0;
	EXPECT_EQ(-EINVAL, iioc(sfd, INTEROP_SESSION_SIGNAL, &sg));
	sg.signo = 65;
	EXPECT_EQ(-EINVAL, iioc(sfd, INTEROP_SESSION_SIGNAL, &sg));
	/* RESIZE without a pty, or of size 0 */
	EXPECT_EQ(-EINVAL, iioc(sfd, INTEROP_SESSION_RESIZE, &rs));
	EXPECT_EQ(-EINVAL, read(sfd, small, sizeof(small)) < 0 ? -errno : 0);
	EXPECT_EQ(0, self->f.signals);

	ispawn_init(&pty, INTEROP_SPAWN_PTY, prog_wait, NULL);
	ASSERT_EQ(0, ispawn_run(self->fd, &pty));
	EXPECT_EQ(-1, pty.s.out_stderr_fd);
	rs.rows = 0;
	EXPECT_EQ(-EINVAL, iioc(pty.s.out_session_fd, INTEROP_SESSION_RESIZE,
				&rs));
	rs.rows = 30;
	rs.__reserved = 1;
	EXPECT_EQ(-EINVAL, iioc(pty.s.out_session_fd, INTEROP_SESSION_RESIZE,
				&rs));
	EXPECT_EQ(0, self->f.resizes);
	ispawn_close(&pty);
	ispawn_close(&sp);
}

TEST_F(host, map_path)
{
	char in[] = "/mnt/a/../b", out[64], tiny[4];
	struct interop_map_path m = {
		.size = sizeof(m),
		.in_len = sizeof(in),
		.out_len = sizeof(out),
		.in_uptr = (uintptr_t)in,
		.out_uptr = (uintptr_t)out,
	};
	struct interop_map_path bad;

	ASSERT_EQ(0, iioc(self->fd, INTEROP_MAP_PATH, &m));
	EXPECT_STREQ("/host/mnt/a/../b", out);
	EXPECT_EQ(strlen(out) + 1, m.out_path_len);
	EXPECT_STREQ(in, self->f.last_path);
	contract(_metadata, self->fd, INTEROP_MAP_PATH, &m, sizeof(m), -EINVAL);

	bad = m;
	bad.out_uptr = (uintptr_t)tiny;
	bad.out_len = sizeof(tiny);
	EXPECT_EQ(-ERANGE, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	EXPECT_EQ(m.out_path_len, bad.out_path_len);
	bad = m;
	bad.in_len = 4;		/* no NUL where in_len says */
	EXPECT_EQ(-EINVAL, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	bad = m;
	in[0] = 'x';		/* not absolute */
	EXPECT_EQ(-EINVAL, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	in[0] = '/';
	bad = m;
	bad.__reserved = 1;
	EXPECT_EQ(-EINVAL, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	bad = m;
	bad.in_len = 1;
	EXPECT_EQ(-EINVAL, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	bad = m;
	bad.in_uptr = 8;
	EXPECT_EQ(-EFAULT, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	bad = m;
	bad.out_uptr = 8;
	EXPECT_EQ(-EFAULT, iioc(self->fd, INTEROP_MAP_PATH, &bad));
	/* the good one, the ERANGE one and the bad out_uptr */
	EXPECT_EQ(3, self->f.mappaths);
}

/* Without a host: CAPS_GET works, a spawn is ENOTCONN. */
TEST(no_host)
{
	struct interop_caps_get c = { .size = sizeof(c) };
	struct ispawn sp;
	int fd;

	ASSERT_EQ(0, interop_load(NOHOST_PORT));
	fd = open(INTEROP_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, iioc(fd, INTEROP_CAPS_GET, &c));
	EXPECT_EQ(INTEROP_UAPI_VERSION, c.out_uapi_version);
	EXPECT_EQ(0, c.out_host_version);
	EXPECT_EQ(0, c.out_host_flags);
	EXPECT_EQ(INTEROP_MAX_ARG_BYTES, c.out_max_arg_bytes);
	ispawn_init(&sp, 0, prog_exit0, NULL);
	EXPECT_EQ(-ENOTCONN, ispawn_run(fd, &sp));
	close(fd);
}

TEST_HARNESS_MAIN
