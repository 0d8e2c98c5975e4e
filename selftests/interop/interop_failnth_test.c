// SPDX-License-Identifier: GPL-2.0-only
/*
 * INTEROP_SPAWN under allocation failures: for n = 1, 2, ... the n-th
 * fault site the spawning thread reaches fails (failslab through
 * /proc/thread-self/fail-nth; the fake host is another thread, which
 * does not fail), until a spawn completes without reaching its n-th
 * site.  Each failed spawn must fail cleanly (ENOMEM or the like),
 * leave no fd behind and no session once its CLOSE is done, and the
 * next spawn must work on the same connection.  Kernel splats (WARN,
 * KASAN, kmemleak) are caught by the runner's log check.
 *
 * Needs a kernel with fault injection, the debug kernel; on the others
 * the case is skipped (VMTEST_DEBUG set means it must apply).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostlink_selftest.h"
#include "interop_lib.h"

#define FAKE_PORT	0x4c7b
#define WAIT_MS		10000
#define NTH_PATH	"/proc/thread-self/fail-nth"
#define NTH_DEBUGFS	"/sys/kernel/debug"
#define NTH_MAX		400

static int nth_knob(const char *file, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), NTH_DEBUGFS "/failslab/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static const char *const nth_knobs[][2] = {
	{ "probability", "100" }, { "interval", "1" }, { "times", "-1" },
	{ "task-filter", "Y" }, { "verbose", "0" }, { "ignore-gfp-wait", "N" },
};
#define NTH_NKNOBS	(sizeof(nth_knobs) / sizeof(nth_knobs[0]))
static char nth_orig[NTH_NKNOBS][32];

static int nth_knob_read(const char *file, char *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), NTH_DEBUGFS "/failslab/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, val, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	val[n] = 0;
	val[strcspn(val, "\n")] = 0;
	return 0;
}

/*
 * failslab for this task only, every time fail-nth says, the knobs as
 * they were saved for nth_restore(); 0 or -errno
 */
static int nth_setup(void)
{
	struct stat st;
	unsigned int i;
	int ret;

	if (access(NTH_PATH, F_OK))
		return -ENOENT;
	if (stat(NTH_DEBUGFS "/failslab", &st) &&
	    (system("mount -t debugfs none " NTH_DEBUGFS " 2>/dev/null") ||
	     stat(NTH_DEBUGFS "/failslab", &st)))
		return -ENOENT;
	for (i = 0; i < NTH_NKNOBS; i++) {
		ret = nth_knob_read(nth_knobs[i][0], nth_orig[i],
				    sizeof(nth_orig[i]));
		if (ret)
			return ret;
	}
	for (i = 0; i < NTH_NKNOBS; i++) {
		ret = nth_knob(nth_knobs[i][0], nth_knobs[i][1]);
		if (ret)
			return ret;
	}
	return 0;
}

static void nth_restore(void)
{
	unsigned int i;

	for (i = 0; i < NTH_NKNOBS; i++)
		nth_knob(nth_knobs[i][0], nth_orig[i]);
}

static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarms; true if the armed fault was reached. */
static bool nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
	int i;

	if (r < 0)
		buf[0] = '0';
	for (i = 0; i < 3 && pwrite(fd, "0", 1, 0) != 1; i++)
		;
	return atoi(buf) == 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool clean_errno(int ret)
{
	return ret == -ENOMEM || ret == -ENOBUFS || ret == -EAGAIN ||
	       ret == -ENFILE || ret == -EMFILE;
}

TEST(spawn_under_failslab)
{
	static const char *const argv[] = { "hello", "out", "err", NULL };
	const char *d = getenv("VMTEST_DEBUG");
	long long sessions;
	unsigned int n, failed = 0;
	struct ifake f;
	int fd, nth, fds, ret;
	bool done = false;

	ASSERT_EQ(0, interop_load(FAKE_PORT));
	ret = nth_setup();
	if (ret) {
		ASSERT_FALSE(d && *d && strcmp(d, "0"))
			TH_LOG("no fault injection on the debug kernel");
		SKIP(return, "no fault injection (%s)", strerror(-ret));
	}
	ASSERT_EQ(0, ifake_start(&f, FAKE_PORT));
	fd = open(INTEROP_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ifake_wait(&f.infos, 1, WAIT_MS));
	ASSERT_EQ(0, ifake_wait_ready(fd, WAIT_MS));
	nth = open(NTH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth);
	sessions = iexec("sessions");
	fds = count_fds();

	for (n = 1; n <= NTH_MAX && !done; n++) {
		struct interop_exit ex;
		struct ispawn sp;
		bool reached;

		ispawn_init(&sp, INTEROP_SPAWN_STDERR_STREAM, argv, NULL);
		ASSERT_EQ(0, nth_arm(nth, n));
		ret = ispawn_run(fd, &sp);
		reached = nth_disarm(nth);
		if (!ret) {
			EXPECT_EQ(0, isession_wait(sp.s.out_session_fd, &ex,
						   WAIT_MS)) TH_LOG("n=%u", n);
			ispawn_close(&sp);
			done = !reached;
		} else {
			failed++;
			EXPECT_TRUE(clean_errno(ret))
				TH_LOG("n=%u: %s", n, strerror(-ret));
			EXPECT_EQ(-1, sp.s.out_session_fd);
		}
		/*
		 * Nothing left: no session once its CLOSE is done, and no
		 * fd (the fake, in this process, holds a session's streams
		 * until its CLOSE)
		 */
		for (ret = 0; ret < 500 && (iexec("sessions") > sessions ||
					    count_fds() != fds); ret++)
			usleep(10000);
		EXPECT_EQ(sessions, iexec("sessions")) TH_LOG("n=%u", n);
		EXPECT_EQ(fds, count_fds()) TH_LOG("n=%u", n);
		/* and the next spawn works */
		ispawn_init(&sp, 0, argv, NULL);
		ASSERT_EQ(0, ispawn_run(fd, &sp)) TH_LOG("after n=%u", n);
		EXPECT_EQ(0, isession_wait(sp.s.out_session_fd, &ex, WAIT_MS));
		ispawn_close(&sp);
	}
	EXPECT_TRUE(done);
	EXPECT_LT(0, failed);
	close(nth);
	nth_restore();
	close(fd);
	ifake_stop(&f);
}

TEST_HARNESS_MAIN
