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
#define NTH_MAX		400

/* The knobs hl_nth_inject() sets, put back when the case ends. */
static const char *const nth_knobs[] = {
	"probability", "interval", "times", "task-filter", "verbose", "ignore-gfp-wait",
};
#define NTH_NKNOBS	(sizeof(nth_knobs) / sizeof(nth_knobs[0]))
static char nth_orig[NTH_NKNOBS][32];

/*
 * failslab for this task only, every time fail-nth says, the knobs as
 * they were saved for nth_restore(); 0 or -errno with @why
 */
static int nth_setup(char *why, size_t len)
{
	unsigned int i;
	int ret;

	ret = hl_nth_available(why, len);
	if (ret)
		return ret;
	for (i = 0; i < NTH_NKNOBS; i++) {
		ret = hl_nth_knob_read("failslab", nth_knobs[i], nth_orig[i],
				       sizeof(nth_orig[i]));
		if (ret) {
			snprintf(why, len, "failslab/%s: %s", nth_knobs[i], strerror(-ret));
			return ret;
		}
	}
	return hl_nth_inject("failslab", why, len);
}

static void nth_restore(void)
{
	unsigned int i;

	for (i = 0; i < NTH_NKNOBS; i++)
		hl_nth_knob("failslab", nth_knobs[i], nth_orig[i]);
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
	char why[256];
	long long sessions;
	unsigned int n, failed = 0;
	struct ifake f;
	int fd, nth, fds, ret;
	bool done = false;

	ASSERT_EQ(0, interop_load(FAKE_PORT));
	ret = nth_setup(why, sizeof(why));
	if (ret) {
		ASSERT_FALSE(hl_nth_required()) TH_LOG("debug kernel: %s", why);
		SKIP(return, "no fault injection (%s)", why);
	}
	fd = ifake_connect(&f, FAKE_PORT, WAIT_MS);
	ASSERT_LE(0, fd);
	nth = open(HL_NTH_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth);
	sessions = iexec("sessions");
	fds = count_fds();

	for (n = 1; n <= NTH_MAX && !done; n++) {
		struct interop_exit ex;
		struct ispawn sp;
		bool reached;

		ispawn_init(&sp, INTEROP_SPAWN_STDERR_STREAM, argv, NULL);
		ASSERT_EQ(0, hl_nth_arm(nth, n));
		ret = ispawn_run(fd, &sp);
		reached = hl_nth_disarm(nth);
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
	ifake_disconnect(&f, fd);
}

TEST_HARNESS_MAIN
