// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun, /dev/interop and the interop service of hostlinkd together,
 * as a user meets them: the daemon runs as an unprivileged user of its
 * own (hlrun), started by this program on a port of its own, and serves
 * this guest over vsock_loopback; the "host" is this same guest, so the
 * host programs are the guest's /bin and /usr/bin, and the path map
 * sends WORK/g to WORK/h.
 *
 * What is checked is what issue 16 promises: exit codes and deaths as
 * the shell sees them, argv byte for byte, the environment filter, the
 * cwd through the map, bulk bytes both ways, stderr apart, a pty's
 * size, resize, ^C and modes, signals forwarded, sessions torn down
 * with nothing left on the host, many sessions at once, refusals, the
 * daemon killed under load, and binfmt_misc.  Bounds on time here are
 * liveness bounds (no hang), generous for TCG, not measurements.  The
 * vm runner fails the program on any kernel log report.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/interop.h>

#include "hostlink_selftest.h"
#include "hostlink_lib.h"

/* Not hostlinkd's HOSTLINK_PORT_INTEROP: the part's own daemon stays. */
#define E2E_PORT	(HOSTLINK_PORT_INTEROP + 0x100)
#define WORK		"/tmp/interop-e2e"
#define G		WORK "/g"	/* the guest side of the path map */
#define H		WORK "/h"	/* its host side */
#define RUN_USER	"hlrun"
#define RUN_UID		60123
#define OUT_MAX		(1 << 20)

static char e2e_hostrun[512];	/* the hostrun under test */
static char e2e_daemon[512];	/* the hostlinkd under test */
/*
 * The daemon, while it runs, in memory shared with the cases' children:
 * a case may restart it (another configuration) or kill it, and the
 * next case and the harness's parent must know.  The parent is the
 * child subreaper, so a daemon started in a case's child becomes its
 * child when that case ends.
 */
static pid_t *e2e_dpid_shared;
#define e2e_dpid (*e2e_dpid_shared)
static bool e2e_debug;		/* the debug kernel: less data, more time */
static bool e2e_ready;		/* the global set-up worked */
static char e2e_why[1200];	/* why it did not */

static unsigned int e2e_ms(unsigned int ms)
{
	return e2e_debug ? 3 * ms : ms;
}

static int e2e_write(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* The daemon's configuration: the common keys, then @extra. */
static int e2e_config(const char *extra)
{
	char conf[4096];

	snprintf(conf, sizeof(conf),
		 "interop_guests = 1\n"
		 "interop_path = /usr/bin:/bin\n"
		 "interop_allow = /usr/bin/ /bin/ " H "/\n"
		 "interop_path_map = " G ":" H "\n"
		 "interop_kill_grace_ms = 500\n"
		 "%s", extra ? extra : "");
	return e2e_write(WORK "/interop.conf", conf, 0644);
}

static int e2e_host_up(unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	int fd = open("/dev/interop", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	do {
		struct interop_caps_get c = { .size = sizeof(c) };

		if (!ioctl(fd, INTEROP_CAPS_GET, &c) && (c.out_host_flags & INTEROP_HOST_UP)) {
			close(fd);
			return 0;
		}
		usleep(20000);
	} while (hl_now_ms() < end);
	close(fd);
	return -ETIMEDOUT;
}

/* The daemon as RUN_USER, serving interop on E2E_PORT; its pid or -1. */
static pid_t e2e_daemon_start(const char *extra)
{
	static char port[32];
	char *argv[] = {
		"hostlinkd", "--config", WORK "/interop.conf", "--allow-loopback",
		"--listen", port, "--ready-file", WORK "/run/ready",
		"--log-level", "warn", NULL
	};
	pid_t pid;

	snprintf(port, sizeof(port), "interop:%d", E2E_PORT);
	if (e2e_config(extra))
		return -1;
	pid = hl_daemon_spawn_as(argv, WORK "/run/ready", RUN_UID, WORK "/daemon.log");
	if (pid > 0 && e2e_host_up(10000)) {
		hl_daemon_stop(pid, SIGKILL);
		return -1;
	}
	return pid;
}

/* Gone, or a zombie: a daemon started by another process cannot be waited for. */
static bool e2e_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/* Stop the daemon with @sig, whichever process started it; 0 or -1. */
static int e2e_daemon_stop(int sig)
{
	pid_t pid = e2e_dpid;
	uint64_t end;

	e2e_dpid = 0;
	if (pid <= 0)
		return 0;
	kill(pid, sig);
	if (waitpid(pid, NULL, 0) == pid)
		return 0;
	for (end = hl_now_ms() + 10000; hl_now_ms() < end; usleep(10000))
		if (e2e_gone(pid))
			return 0;
	kill(pid, SIGKILL);
	return -1;
}

static int e2e_daemon_restart(const char *extra)
{
	e2e_daemon_stop(SIGTERM);
	e2e_dpid = e2e_daemon_start(extra);
	return e2e_dpid > 0 ? 0 : -1;
}

/*
 * Processes of RUN_UID other than the daemon: the host programs left.
 * With @kill_them, each gets SIGKILL, so that one case's leftovers do
 * not fail the next.
 */
static int e2e_host_procs_kill(const char *comm, bool kill_them)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[300], buf[64];
		struct stat st;
		pid_t pid = atoi(de->d_name);
		int fd;
		ssize_t len;

		if (pid <= 0 || pid == e2e_dpid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &st) || st.st_uid != RUN_UID)
			continue;
		if (comm) {
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (len <= 0)
				continue;
			buf[len] = 0;
			buf[strcspn(buf, "\n")] = 0;
			if (strcmp(buf, comm))
				continue;
		}
		/* A zombie of the daemon's is not a program left running. */
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			char st_buf[512], *p;

			len = read(fd, st_buf, sizeof(st_buf) - 1);
			close(fd);
			if (len > 0) {
				st_buf[len] = 0;
				p = strrchr(st_buf, ')');
				if (p && p[1] == ' ' && p[2] == 'Z')
					continue;
			}
		}
		n++;
		if (kill_them)
			kill(pid, SIGKILL);
	}
	closedir(d);
	return n;
}

static int e2e_host_procs(const char *comm)
{
	return e2e_host_procs_kill(comm, false);
}

/* 0 once no host program is left, within @ms. */
static int e2e_no_host_procs(unsigned int ms)
{
	uint64_t end = hl_now_ms() + e2e_ms(ms);

	while (e2e_host_procs(NULL) > 0) {
		if (hl_now_ms() >= end)
			return -1;
		usleep(20000);
	}
	return 0;
}

struct e2e_out {
	char out[OUT_MAX];
	size_t nout;
	char err[8192];
	size_t nerr;
	int status;		/* waitpid()'s, or -1 if it was killed by us */
	uint64_t ms;		/* start to exit */
};

/*
 * Run @argv with stdin from @in (NULL: /dev/null), stdout and stderr
 * into @o, in directory @cwd (NULL: ours), with @env (NULL: ours).
 * Killed after @timeout_ms.  0, or -1 if it could not be run.
 */
static int e2e_run(char *const argv[], char *const env[], const char *cwd,
		   const char *in, struct e2e_out *o, unsigned int timeout_ms)
{
	int pin[2], pout[2], perr[2];
	uint64_t t0 = hl_now_ms(), end = t0 + e2e_ms(timeout_ms);
	size_t inlen = in ? strlen(in) : 0, inpos = 0;
	bool out_open = true, err_open = true;
	pid_t pid;

	o->nout = o->nerr = 0;
	o->status = -1;
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(in ? pin[0] : null, 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		if (cwd && chdir(cwd))
			_exit(124);
		if (env)
			execve(argv[0], argv, env);
		else
			execv(argv[0], argv);
		_exit(123);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (!in || !inlen) {
		close(pin[1]);
		pin[1] = -1;
	}
	while (out_open || err_open) {
		struct pollfd p[3] = {
			{ .fd = out_open ? pout[0] : -1, .events = POLLIN },
			{ .fd = err_open ? perr[0] : -1, .events = POLLIN },
			{ .fd = pin[1], .events = POLLOUT },
		};
		uint64_t now = hl_now_ms();
		ssize_t n;

		if (now >= end)
			break;
		if (poll(p, 3, end - now) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			n = read(pout[0], o->out + o->nout, sizeof(o->out) - 1 - o->nout);
			if (n <= 0)
				out_open = false;
			else
				o->nout += n;
		}
		if (p[1].revents) {
			n = read(perr[0], o->err + o->nerr, sizeof(o->err) - 1 - o->nerr);
			if (n <= 0)
				err_open = false;
			else
				o->nerr += n;
		}
		if (p[2].revents) {
			n = write(pin[1], in + inpos, inlen - inpos);
			if (n > 0)
				inpos += n;
			if (n <= 0 || inpos == inlen) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
	}
	o->out[o->nout] = 0;
	o->err[o->nerr] = 0;
	if (pin[1] >= 0)
		close(pin[1]);
	close(pout[0]);
	close(perr[0]);
	while (hl_now_ms() < end) {
		if (waitpid(pid, &o->status, WNOHANG) == pid) {
			o->ms = hl_now_ms() - t0;
			return 0;
		}
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	o->status = -1;
	o->ms = hl_now_ms() - t0;
	return 0;
}

/* bash -c @script, with hostrun as "hostrun" in its PATH. */
static int e2e_sh(const char *script, const char *in, struct e2e_out *o,
		  unsigned int timeout_ms)
{
	char path[700], *env[] = { path, "LANG=C", NULL };
	char *argv[] = { "/bin/bash", "-c", (char *)script, NULL };
	char dir[512];

	snprintf(dir, sizeof(dir), "%s", e2e_hostrun);
	*strrchr(dir, '/') = 0;
	snprintf(path, sizeof(path), "PATH=%s:/usr/sbin:/usr/bin:/sbin:/bin", dir);
	return e2e_run(argv, env, NULL, in, o, timeout_ms);
}

static int e2e_exit_code(const struct e2e_out *o)
{
	return o->status >= 0 && WIFEXITED(o->status) ? WEXITSTATUS(o->status) : -1;
}

static int e2e_death(const struct e2e_out *o)
{
	return o->status >= 0 && WIFSIGNALED(o->status) ? WTERMSIG(o->status) : 0;
}

/* Once, before the tests: the user, the directories, the modules, the daemon. */
static void __attribute__((constructor)) e2e_global_setup(void)
{
	const char *tools = getenv("VMTEST_TOOLS");
	struct utsname u;
	struct stat st;
	char cmd[512];

	snprintf(e2e_hostrun, sizeof(e2e_hostrun), "%s/../hostrun/hostrun",
		 tools ? tools : ".");
	snprintf(e2e_daemon, sizeof(e2e_daemon), "%s/../hostlinkd/hostlinkd",
		 tools ? tools : ".");
	if (getenv("HOSTRUN"))
		snprintf(e2e_hostrun, sizeof(e2e_hostrun), "%s", getenv("HOSTRUN"));
	if (getenv("HOSTLINKD"))
		snprintf(e2e_daemon, sizeof(e2e_daemon), "%s", getenv("HOSTLINKD"));
	e2e_debug = !uname(&u) && strstr(u.release, "debug");
	e2e_dpid_shared = mmap(NULL, sizeof(*e2e_dpid_shared), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (e2e_dpid_shared == MAP_FAILED) {
		static pid_t none;

		e2e_dpid_shared = &none;
		snprintf(e2e_why, sizeof(e2e_why), "mmap: %s", strerror(errno));
		return;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (geteuid() != 0) {
		snprintf(e2e_why, sizeof(e2e_why), "needs root");
		return;
	}
	if (access(e2e_hostrun, X_OK) || access(e2e_daemon, X_OK)) {
		snprintf(e2e_why, sizeof(e2e_why), "no %s or %s", e2e_hostrun, e2e_daemon);
		return;
	}
	/* The root is a per-boot overlay: a user of our own costs nothing. */
	if (hl_user_ensure(RUN_USER, RUN_UID, WORK "/home", "/bin/sh")) {
		snprintf(e2e_why, sizeof(e2e_why), "cannot add the user %s", RUN_USER);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "rm -rf " WORK " && mkdir -p " WORK "/run " WORK "/home " G "/sub " H "/sub && "
		 "chown " RUN_USER ": " WORK "/run " WORK "/home && chmod 0755 " WORK);
	if (system(cmd)) {
		snprintf(e2e_why, sizeof(e2e_why), "cannot make " WORK);
		return;
	}
	if (hl_load_modules()) {
		snprintf(e2e_why, sizeof(e2e_why), "cannot load hostlink");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "grep -qx %d /sys/module/interop/parameters/port 2>/dev/null || "
		 "{ modprobe -r -q interop; modprobe interop port=%d; }", E2E_PORT, E2E_PORT);
	if (system(cmd) || stat("/dev/interop", &st)) {
		snprintf(e2e_why, sizeof(e2e_why), "cannot load interop port=%d", E2E_PORT);
		return;
	}
	e2e_dpid = e2e_daemon_start(NULL);
	if (e2e_dpid <= 0) {
		snprintf(e2e_why, sizeof(e2e_why), "the daemon did not come up (" WORK "/daemon.log)");
		return;
	}
	/* The cases run in the mapped directory unless they say otherwise. */
	if (chdir(G)) {
		snprintf(e2e_why, sizeof(e2e_why), "cannot enter " G);
		return;
	}
	e2e_ready = true;
}

static void __attribute__((destructor)) e2e_global_teardown(void)
{
	/* Only the harness's parent runs this; the tests' children _exit. */
	e2e_daemon_stop(SIGTERM);
	/* Whatever the cases left to us as subreaper. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (system("modprobe -r -q interop"))
		fprintf(stderr, "# interop would not unload\n");
}

FIXTURE(e2e) {
	struct e2e_out o;
};

FIXTURE_SETUP(e2e)
{
	if (!e2e_ready)
		SKIP(return, "%.900s", e2e_why);
	/* A case that killed the daemon left it for the next to restart. */
	if (e2e_dpid <= 0 || e2e_gone(e2e_dpid))
		ASSERT_EQ(0, e2e_daemon_restart(NULL));
}

FIXTURE_TEARDOWN(e2e)
{
	EXPECT_EQ(0, e2e_no_host_procs(3000))
		TH_LOG("%d host programs left behind", e2e_host_procs_kill(NULL, true));
}

TEST_F(e2e, exit_codes)
{
	static const int codes[] = { 0, 1, 255 };
	unsigned int i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char script[64];
		char *argv[] = { e2e_hostrun, "sh", "-c", script, NULL };

		snprintf(script, sizeof(script), "exit %d", codes[i]);
		ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
		EXPECT_EQ(codes[i], e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	}
}

/* Deaths by signal: hostrun dies of the same, the shell sees 128+N. */
TEST_F(e2e, signal_deaths)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGKILL };
	unsigned int i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char script[64];
		char *argv[] = { e2e_hostrun, "sh", "-c", script, NULL };

		snprintf(script, sizeof(script), "kill -%d $$", sigs[i]);
		ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
		EXPECT_EQ(sigs[i], e2e_death(&self->o))
			TH_LOG("signal %d: status %#x, stderr: %s", sigs[i], self->o.status,
			       self->o.err);
	}
	ASSERT_EQ(0, e2e_sh("hostrun sh -c 'kill -TERM $$'; echo $?", NULL, &self->o, 10000));
	EXPECT_STREQ("143\n", self->o.out);
}

TEST_F(e2e, argv_byte_exact)
{
	static const char want[] = "a b\0'q\"\0x\ny\0\xc3\xbc\xe2\x82\xac\0\0\t\0--\0";
	char *argv[] = {
		e2e_hostrun, "printf", "%s\\0", "a b", "'q\"", "x\ny",
		"\xc3\xbc\xe2\x82\xac", "", "\t", "--", NULL
	};

	ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
	ASSERT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	ASSERT_EQ(sizeof(want) - 1, self->o.nout);
	EXPECT_EQ(0, memcmp(want, self->o.out, sizeof(want) - 1));
}

/* Only allowed variables pass, whatever hostrun is asked to send. */
TEST_F(e2e, env_filtered)
{
	char *argv[] = { e2e_hostrun, "env", NULL };
	char *env[] = {
		"LD_PRELOAD=libc.so.6", "HOSTLINK_E2E_SECRET=1", "LANG=C.UTF-8",
		"HOSTRUN_ENV=LD_PRELOAD:HOSTLINK_E2E_SECRET:LANG", "PATH=/usr/bin:/bin",
		NULL
	};

	ASSERT_EQ(0, e2e_run(argv, env, NULL, NULL, &self->o, 10000));
	ASSERT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_NE(NULL, strstr(self->o.out, "LANG=C.UTF-8\n")) TH_LOG("%s", self->o.out);
	EXPECT_EQ(NULL, strstr(self->o.out, "LD_PRELOAD="));
	EXPECT_EQ(NULL, strstr(self->o.out, "HOSTLINK_E2E_SECRET="));
	EXPECT_NE(NULL, strstr(self->o.out, "HOME=" WORK "/home\n")) TH_LOG("%s", self->o.out);
	EXPECT_NE(NULL, strstr(self->o.out, "USER=" RUN_USER "\n"));
	EXPECT_NE(NULL, strstr(self->o.out, "PATH=/usr/bin:/bin\n"));
}

TEST_F(e2e, cwd_mapped_and_unmapped)
{
	char *argv[] = { e2e_hostrun, "pwd", NULL };

	ASSERT_EQ(0, e2e_run(argv, NULL, G "/sub", NULL, &self->o, 10000));
	EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_STREQ(H "/sub\n", self->o.out);
	/* Outside the map: the host user's HOME (interop_cwd_unmapped = home). */
	ASSERT_EQ(0, e2e_run(argv, NULL, "/", NULL, &self->o, 10000));
	EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_STREQ(WORK "/home\n", self->o.out);
	/* A guest path, made absolute and mapped: G/sub/../x is H/x. */
	ASSERT_EQ(0, e2e_write(H "/x", "#!/bin/sh\necho host-x \"$@\"\n", 0755));
	{
		char *rel[] = { e2e_hostrun, "./sub/../x", "1", NULL };

		ASSERT_EQ(0, e2e_write(G "/x", "guest-x\n", 0755));
		ASSERT_EQ(0, e2e_run(rel, NULL, G, NULL, &self->o, 10000));
		EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
		EXPECT_STREQ("host-x 1\n", self->o.out);
	}
}

/* A seeded byte stream: xorshift64*, one byte of each word. */
struct e2e_pattern {
	uint64_t s;
};

static void e2e_fill(struct e2e_pattern *p, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		p->s ^= p->s >> 12;
		p->s ^= p->s << 25;
		p->s ^= p->s >> 27;
		buf[i] = (p->s * 0x2545f4914f6cdd1dULL) >> 56;
	}
}

struct e2e_writer {
	int fd;
	size_t len;
	uint64_t seed;
	int err;
};

static void *e2e_writer_main(void *arg)
{
	struct e2e_writer *w = arg;
	struct e2e_pattern p = { w->seed };
	uint8_t *buf = malloc(128 << 10);
	size_t done = 0;

	if (!buf) {
		w->err = ENOMEM;
		close(w->fd);
		return NULL;
	}
	while (done < w->len) {
		size_t n = w->len - done < (128 << 10) ? w->len - done : (128 << 10);
		size_t off = 0;

		e2e_fill(&p, buf, n);
		while (off < n) {
			ssize_t k = write(w->fd, buf + off, n - off);

			if (k < 0) {
				if (errno == EINTR)
					continue;
				w->err = errno;
				close(w->fd);
				free(buf);
				return NULL;
			}
			off += k;
		}
		done += n;
	}
	close(w->fd);
	free(buf);
	return NULL;
}

/*
 * @len bytes through "hostrun cat", checked as they come; with @stall,
 * the reader stops for 2 s after its first MiB.  0, or what went wrong.
 */
static const char *e2e_cat(size_t len, bool stall, int *status)
{
	static uint8_t got[128 << 10], want[128 << 10];
	struct e2e_pattern p = { 0x5eed };
	struct e2e_writer w = { .len = len, .seed = 0x5eed };
	char *argv[] = { e2e_hostrun, "cat", NULL };
	int pin[2], pout[2];
	size_t seen = 0;
	pthread_t th;
	bool stalled = false;
	const char *why = NULL;
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC))
		return "pipe";
	pid = fork();
	if (pid < 0)
		return "fork";
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		execv(argv[0], argv);
		_exit(123);
	}
	close(pin[0]);
	close(pout[1]);
	w.fd = pin[1];
	if (pthread_create(&th, NULL, e2e_writer_main, &w))
		return "thread";
	for (;;) {
		ssize_t n = read(pout[0], got, sizeof(got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		e2e_fill(&p, want, n);
		if (!why && memcmp(got, want, n))
			why = "bytes differ";
		seen += n;
		if (stall && !stalled && seen >= (1 << 20)) {
			sleep(2);
			stalled = true;
		}
	}
	close(pout[0]);
	pthread_join(th, NULL);
	waitpid(pid, status, 0);
	if (!why && seen != len)
		why = "short";
	if (!why && w.err)
		why = "write failed";
	return why;
}

TEST_F(e2e, bulk_through_cat)
{
	size_t len = (e2e_debug ? 4 : 32) << 20;
	const char *why;
	int status;

	why = e2e_cat(len, false, &status);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	why = e2e_cat(len, true, &status);
	EXPECT_EQ(NULL, why) TH_LOG("with a stalled reader: %s", why);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(e2e, stderr_apart_and_last_bytes)
{
	char *argv[] = { e2e_hostrun, "sh", "-c", "echo out; echo err >&2", NULL };
	char *head[] = { e2e_hostrun, "head", "-c", "786432", "/dev/zero", NULL };

	ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
	EXPECT_EQ(0, e2e_exit_code(&self->o));
	EXPECT_STREQ("out\n", self->o.out);
	EXPECT_STREQ("err\n", self->o.err);
	/* What a program writes just before it exits all arrives. */
	ASSERT_EQ(0, e2e_run(head, NULL, NULL, NULL, &self->o, 10000));
	EXPECT_EQ(0, e2e_exit_code(&self->o));
	EXPECT_EQ(786432, self->o.nout);
}

/* A background child keeps the program's stdout; hostrun still ends. */
TEST_F(e2e, background_child_does_not_hold)
{
	ASSERT_EQ(0, e2e_sh("hostrun sh -c 'sleep 60 & echo started'", NULL, &self->o, 20000));
	EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_STREQ("started\n", self->o.out);
	EXPECT_LT(self->o.ms, e2e_ms(5000));
	/* The session's end hangs up what was left in the program's group. */
	EXPECT_EQ(0, e2e_no_host_procs(5000)) TH_LOG("the background sleep is left");
}

TEST_F(e2e, yes_into_head)
{
	ASSERT_EQ(0, e2e_sh("hostrun yes | head -n 1; echo \"${PIPESTATUS[*]}\"", NULL,
			    &self->o, 20000));
	EXPECT_STREQ("y\n141 0\n", self->o.out) TH_LOG("stderr: %s", self->o.err);
	EXPECT_LT(self->o.ms, e2e_ms(5000));
	EXPECT_EQ(0, e2e_no_host_procs(2000)) TH_LOG("a 'yes' is left");
}

TEST_F(e2e, signals_reset)
{
	char *argv[] = { e2e_hostrun, "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };

	ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
	EXPECT_STREQ("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", self->o.out)
		TH_LOG("stderr: %s", self->o.err);
}

/* Each forwarded signal reaches a program that traps it. */
TEST_F(e2e, signals_forwarded)
{
	static const struct { int sig; const char *name; } sigs[] = {
		{ SIGINT, "INT" }, { SIGTERM, "TERM" }, { SIGHUP, "HUP" },
		{ SIGQUIT, "QUIT" }, { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char script[256], line[64] = "";
		char *argv[] = { e2e_hostrun, "sh", "-c", script, NULL };
		int pout[2], status;
		FILE *f;
		pid_t pid;

		snprintf(script, sizeof(script),
			 "trap 'echo got %s; kill $!; exit 3' %s; echo ready; sleep 30 & wait",
			 sigs[i].name, sigs[i].name);
		ASSERT_EQ(0, pipe2(pout, O_CLOEXEC));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			dup2(pout[1], 1);
			execv(argv[0], argv);
			_exit(123);
		}
		close(pout[1]);
		f = fdopen(pout[0], "r");
		ASSERT_NE(NULL, fgets(line, sizeof(line), f));
		EXPECT_STREQ("ready\n", line);
		kill(pid, sigs[i].sig);
		line[0] = 0;
		EXPECT_NE(NULL, fgets(line, sizeof(line), f));
		snprintf(script, sizeof(script), "got %s\n", sigs[i].name);
		EXPECT_STREQ(script, line);
		fclose(f);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3)
			TH_LOG("%s: status %#x", sigs[i].name, status);
	}
}

/* hostrun killed outright: its session fd closes, the program goes. */
TEST_F(e2e, killed_hostrun_leaves_nothing)
{
	char *argv[] = { e2e_hostrun, "sh", "-c", "echo ready; exec sleep 60", NULL };
	char line[32] = "";
	int pout[2];
	FILE *f;
	pid_t pid;

	ASSERT_EQ(0, pipe2(pout, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(pout[1], 1);
		execv(argv[0], argv);
		_exit(123);
	}
	close(pout[1]);
	f = fdopen(pout[0], "r");
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	/* "ready" comes just before the exec: wait for sleep to be there. */
	{
		uint64_t end = hl_now_ms() + e2e_ms(5000);

		while (e2e_host_procs("sleep") < 1 && hl_now_ms() < end)
			usleep(10000);
	}
	EXPECT_EQ(1, e2e_host_procs("sleep"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fclose(f);
	EXPECT_EQ(0, e2e_no_host_procs(2000));
}

/* Many sessions alive together, each a cat waiting on its stdin. */
TEST_F(e2e, many_sessions)
{
	unsigned int n = e2e_debug ? 32 : 100, i, ok = 0;
	char *argv[] = { e2e_hostrun, "cat", NULL };
	pid_t pids[100];
	int ins[100], outs[100];
	uint64_t end;

	for (i = 0; i < n; i++) {
		int pin[2], pout[2];

		ASSERT_EQ(0, pipe2(pin, O_CLOEXEC));
		ASSERT_EQ(0, pipe2(pout, O_CLOEXEC));
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			dup2(pin[0], 0);
			dup2(pout[1], 1);
			execv(argv[0], argv);
			_exit(123);
		}
		close(pin[0]);
		close(pout[1]);
		ins[i] = pin[1];
		outs[i] = pout[0];
	}
	/* Each echoes a line back: it runs, now, with all the others. */
	for (i = 0; i < n; i++) {
		char line[16];
		ssize_t k;

		ASSERT_EQ(6, write(ins[i], "hello\n", 6));
		k = read(outs[i], line, sizeof(line));
		if (k == 6 && !memcmp(line, "hello\n", 6))
			ok++;
	}
	EXPECT_EQ(n, ok);
	end = hl_now_ms() + e2e_ms(5000);
	while (e2e_host_procs("cat") < (int)n && hl_now_ms() < end)
		usleep(20000);
	EXPECT_EQ(n, e2e_host_procs("cat"));
	for (i = 0; i < n; i++)
		close(ins[i]);
	for (i = 0; i < n; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(outs[i]);
	}
}

/* Refusals come back at once, each as env(1) reports it. */
TEST_F(e2e, refusals)
{
	char *missing[] = { e2e_hostrun, "hostlink-no-such-program", NULL };
	char *denied[] = { e2e_hostrun, "/sbin/hostlink-e2e-denied", NULL };
	/* Linux takes at most 128 KiB an argument: the limit in four. */
	char *big[7] = { e2e_hostrun, "echo", NULL, NULL, NULL, NULL, NULL };
	int code;

	ASSERT_EQ(0, e2e_run(missing, NULL, NULL, NULL, &self->o, 10000));
	EXPECT_EQ(127, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_LT(self->o.ms, e2e_ms(1000));
	EXPECT_NE(0, self->o.nerr);

	/* A program outside interop_allow. */
	ASSERT_EQ(0, e2e_write("/sbin/hostlink-e2e-denied", "#!/bin/sh\nexit 0\n", 0755));
	ASSERT_EQ(0, e2e_run(denied, NULL, NULL, NULL, &self->o, 10000));
	unlink("/sbin/hostlink-e2e-denied");
	EXPECT_EQ(126, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_LT(self->o.ms, e2e_ms(1000));

	/*
	 * Strings over the limit: "echo", four arguments and the cwd come
	 * to more than INTEROP_MAX_ARG_BYTES.  Refused, nothing runs.
	 */
	{
		size_t quarter = INTEROP_MAX_ARG_BYTES / 4;
		int i;

		for (i = 2; i < 6; i++) {
			big[i] = malloc(quarter);
			ASSERT_NE(NULL, big[i]);
			memset(big[i], 'x', quarter - 1);
			big[i][quarter - 1] = 0;
		}
		ASSERT_EQ(0, e2e_run(big, NULL, NULL, NULL, &self->o, 10000));
		for (i = 2; i < 6; i++)
			free(big[i]);
	}
	code = e2e_exit_code(&self->o);
	EXPECT_TRUE(code == 125 || code == 126) TH_LOG("E2BIG: %d, %s", code, self->o.err);
	EXPECT_LT(self->o.ms, e2e_ms(1000));

	/* A guest the host does not serve. */
	ASSERT_EQ(0, e2e_daemon_restart("interop_guests = 3\n"));
	{
		char *echo[] = { e2e_hostrun, "echo", "x", NULL };

		ASSERT_EQ(0, e2e_run(echo, NULL, NULL, NULL, &self->o, 10000));
		code = e2e_exit_code(&self->o);
		EXPECT_TRUE(code == 125 || code == 126) TH_LOG("unlisted CID: %d, %s", code,
							      self->o.err);
		EXPECT_STREQ("", self->o.out);
		EXPECT_LT(self->o.ms, e2e_ms(1000));
	}
	ASSERT_EQ(0, e2e_daemon_restart(NULL));
}

/* The daemon will not serve interop as root unless told to. */
TEST_F(e2e, root_daemon_refused)
{
	char port[32];
	char *argv[] = {
		e2e_daemon, "--config", WORK "/interop.conf", "--allow-loopback",
		"--listen", port, NULL
	};

	snprintf(port, sizeof(port), "interop:%d", E2E_PORT + 1);
	ASSERT_EQ(0, e2e_run(argv, NULL, NULL, NULL, &self->o, 10000));
	EXPECT_NE(0, e2e_exit_code(&self->o));
	EXPECT_NE(-1, self->o.status) TH_LOG("it ran as root");
	EXPECT_NE(NULL, strstr(self->o.err, "interop_allow_root")) TH_LOG("%s", self->o.err);
}

/* kill -9 of the daemon under load: every hostrun says so, nothing is left. */
TEST_F(e2e, daemon_killed_under_sessions)
{
	char *argv[] = { e2e_hostrun, "sh", "-c", "echo ready; exec sleep 60", NULL };
	unsigned int n = 10, i;
	pid_t pids[10];
	FILE *outs[10];
	uint64_t t0;

	for (i = 0; i < n; i++) {
		char line[32] = "";
		int pout[2];

		ASSERT_EQ(0, pipe2(pout, O_CLOEXEC));
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			dup2(pout[1], 1);
			execv(argv[0], argv);
			_exit(123);
		}
		close(pout[1]);
		outs[i] = fdopen(pout[0], "r");
		ASSERT_NE(NULL, fgets(line, sizeof(line), outs[i]));
	}
	t0 = hl_now_ms();
	e2e_daemon_stop(SIGKILL);
	for (i = 0; i < n; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 125)
			TH_LOG("hostrun %u: status %#x", i, status);
		fclose(outs[i]);
	}
	EXPECT_LT(hl_now_ms() - t0, e2e_ms(2000));
	EXPECT_EQ(0, e2e_no_host_procs(2000)) TH_LOG("programs outlived the daemon");
	ASSERT_EQ(0, e2e_daemon_restart(NULL));
	{
		char *echo[] = { e2e_hostrun, "echo", "again", NULL };

		ASSERT_EQ(0, e2e_run(echo, NULL, NULL, NULL, &self->o, 10000));
		EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
		EXPECT_STREQ("again\n", self->o.out);
	}
}

/* A pty pair: hostrun runs on its slave as its controlling terminal. */
struct e2e_tty {
	int master;
	pid_t pid;
	char buf[8192];
	size_t len;
};

static int e2e_tty_start(struct e2e_tty *t, char *const argv[], unsigned short rows,
			 unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	int slave;

	t->len = 0;
	if (openpty(&t->master, &slave, NULL, NULL, &ws))
		return -1;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		close(t->master);
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0))
			_exit(122);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execv(argv[0], argv);
		_exit(123);
	}
	close(slave);
	return 0;
}

/* Read until @text has appeared, for at most @ms; 0 or -1. */
static int e2e_tty_expect(struct e2e_tty *t, const char *text, unsigned int ms)
{
	uint64_t end = hl_now_ms() + e2e_ms(ms);

	for (;;) {
		struct pollfd p = { .fd = t->master, .events = POLLIN };
		uint64_t now = hl_now_ms();
		ssize_t n;

		t->buf[t->len] = 0;
		if (strstr(t->buf, text))
			return 0;
		if (now >= end || t->len + 1 >= sizeof(t->buf))
			return -1;
		if (poll(&p, 1, end - now) <= 0)
			continue;
		n = read(t->master, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		if (n <= 0)
			return -1;
		t->len += n;
	}
}

static int e2e_tty_wait(struct e2e_tty *t)
{
	uint64_t end = hl_now_ms() + e2e_ms(10000);
	int status;

	while (hl_now_ms() < end) {
		char sink[4096];

		if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
			close(t->master);
			return status;
		}
		/* Keep the pty drained so nothing blocks on it. */
		if (read(t->master, sink, sizeof(sink)) < 0)
			usleep(10000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &status, 0);
	close(t->master);
	return -1;
}

TEST_F(e2e, pty_tty_size_resize)
{
	char *argv[] = {
		e2e_hostrun, "sh", "-c",
		"tty; stty size; trap 'stty size; kill $!; exit 7' WINCH; echo ready; "
		"sleep 30 & wait", NULL
	};
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	struct e2e_tty t;
	int status;

	ASSERT_EQ(0, e2e_tty_start(&t, argv, 24, 80));
	EXPECT_EQ(0, e2e_tty_expect(&t, "ready", 10000)) TH_LOG("%s", t.buf);
	EXPECT_NE(NULL, strstr(t.buf, "/dev/pts/")) TH_LOG("%s", t.buf);
	EXPECT_NE(NULL, strstr(t.buf, "24 80")) TH_LOG("%s", t.buf);
	ASSERT_EQ(0, ioctl(t.master, TIOCSWINSZ, &ws));
	EXPECT_EQ(0, e2e_tty_expect(&t, "30 100", 10000)) TH_LOG("%s", t.buf);
	status = e2e_tty_wait(&t);
	EXPECT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7)
		TH_LOG("status %#x", status);
}

/* ^C typed on the terminal kills the host program by SIGINT, and hostrun too. */
TEST_F(e2e, pty_ctrl_c)
{
	char *argv[] = { e2e_hostrun, "sh", "-c", "echo ready; exec sleep 30", NULL };
	struct e2e_tty t;
	int status;

	ASSERT_EQ(0, e2e_tty_start(&t, argv, 24, 80));
	ASSERT_EQ(0, e2e_tty_expect(&t, "ready", 10000)) TH_LOG("%s", t.buf);
	ASSERT_EQ(1, write(t.master, "\003", 1));
	status = e2e_tty_wait(&t);
	EXPECT_TRUE(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
		TH_LOG("status %#x", status);
}

/* The terminal's modes are put back when hostrun is told to end. */
TEST_F(e2e, pty_modes_restored)
{
	char *argv[] = { e2e_hostrun, "sh", "-c", "echo ready; exec sleep 30", NULL };
	struct termios before, during, after;
	struct e2e_tty t;
	int status;

	ASSERT_EQ(0, e2e_tty_start(&t, argv, 24, 80));
	ASSERT_EQ(0, tcgetattr(t.master, &before));
	ASSERT_EQ(0, e2e_tty_expect(&t, "ready", 10000)) TH_LOG("%s", t.buf);
	ASSERT_EQ(0, tcgetattr(t.master, &during));
	EXPECT_EQ(0, during.c_lflag & (ICANON | ECHO)) TH_LOG("not raw while it runs");
	kill(t.pid, SIGTERM);
	/* The master end keeps the terminal: read its modes before closing. */
	for (;;) {
		if (waitpid(t.pid, &status, 0) == t.pid)
			break;
	}
	ASSERT_EQ(0, tcgetattr(t.master, &after));
	close(t.master);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		TH_LOG("status %#x", status);
	EXPECT_EQ(before.c_lflag, after.c_lflag);
	EXPECT_EQ(before.c_iflag, after.c_iflag);
	EXPECT_EQ(before.c_oflag, after.c_oflag);
	EXPECT_EQ(0, memcmp(before.c_cc, after.c_cc, sizeof(before.c_cc)));
}

/*
 * binfmt_misc: a file with our test magic in the mapped directory runs
 * the host file it maps to (without the magic there: both sides share
 * this kernel), also after every entry is flushed and systemd-binfmt
 * registers it again from a binfmt.d file.
 */
#define E2E_MAGIC	"HLE2E"
#define E2E_MAGIC_HEX	"484c453245"

static int e2e_binfmt_run(struct e2e_out *o)
{
	char *argv[] = { G "/tool", "a b", NULL };

	return e2e_run(argv, NULL, G, NULL, o, 10000);
}

TEST_F(e2e, binfmt)
{
	char cmd[1024];

	if (access("/proc/sys/fs/binfmt_misc/register", F_OK) &&
	    system("modprobe binfmt_misc 2>/dev/null; "
		   "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"))
		SKIP(return, "no binfmt_misc");
	/* The interpreter path the entry names, in this boot's overlay. */
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p /usr/lib/hostlink && ln -sf %s /usr/lib/hostlink/hostrun-binfmt",
		 e2e_hostrun);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, e2e_write(G "/tool", E2E_MAGIC "guest bytes\n", 0755));
	ASSERT_EQ(0, e2e_write(H "/tool", "#!/bin/sh\necho host-tool \"$@\"\n", 0755));
	{
		char *reg[] = { e2e_hostrun, "--register-binfmt", "--magic", E2E_MAGIC_HEX, NULL };

		ASSERT_EQ(0, e2e_run(reg, NULL, NULL, NULL, &self->o, 10000));
		ASSERT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("%s", self->o.err);
		/* Again: idempotent. */
		ASSERT_EQ(0, e2e_run(reg, NULL, NULL, NULL, &self->o, 10000));
		ASSERT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("%s", self->o.err);
	}
	ASSERT_EQ(0, e2e_binfmt_run(&self->o));
	EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_STREQ("host-tool a b\n", self->o.out);

	/* Flushed, then registered again by systemd-binfmt from binfmt.d. */
	ASSERT_EQ(0, e2e_write("/proc/sys/fs/binfmt_misc/status", "-1\n", 0));
	ASSERT_EQ(0, e2e_binfmt_run(&self->o));
	EXPECT_NE(0, e2e_exit_code(&self->o)) TH_LOG("still registered after a flush");
	if (access("/lib/systemd/systemd-binfmt", X_OK))
		SKIP(return, "no systemd-binfmt");
	mkdir("/run/binfmt.d", 0755);
	ASSERT_EQ(0, e2e_write("/run/binfmt.d/hostrun.conf",
			       ":hostrun:M::" E2E_MAGIC "::/usr/lib/hostlink/hostrun-binfmt:PF\n",
			       0644));
	ASSERT_EQ(0, system("/lib/systemd/systemd-binfmt /run/binfmt.d/hostrun.conf"));
	ASSERT_EQ(0, e2e_binfmt_run(&self->o));
	EXPECT_EQ(0, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	EXPECT_STREQ("host-tool a b\n", self->o.out);
	/* Outside the map: 127, and the file is never sent to the host. */
	ASSERT_EQ(0, e2e_write(WORK "/tool", E2E_MAGIC "outside\n", 0755));
	{
		char *argv[] = { WORK "/tool", NULL };

		ASSERT_EQ(0, e2e_run(argv, NULL, WORK, NULL, &self->o, 10000));
		EXPECT_EQ(127, e2e_exit_code(&self->o)) TH_LOG("stderr: %s", self->o.err);
	}
	e2e_write("/proc/sys/fs/binfmt_misc/hostrun", "-1\n", 0);
	unlink("/run/binfmt.d/hostrun.conf");
}

TEST_HARNESS_MAIN
