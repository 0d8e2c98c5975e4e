// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers of the hostlink channel selftests; see hostlink_lib.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostlink_lib.h"

static bool hl_file_is(const char *path, const char *want)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) && !strcmp(buf, want);
	fclose(f);
	return ok;
}

int hl_unload_modules(void)
{
	return system("rmmod hostlink_test && "
		      "{ rmmod dxg interop 2>/dev/null; rmmod hostlink; }") ? -1 : 0;
}

int hl_load_modules(void)
{
	/* execs are slow on the debug kernel: only when something is missing */
	if (hl_file_is("/sys/module/hostlink/parameters/host_cid", "1\n") &&
	    hl_file_is("/sys/module/hostlink/parameters/listen_port", "511\n") &&
	    !access("/sys/module/hostlink_test", F_OK) &&
	    !access("/dev/hostlink_test", F_OK))
		return 0;
	/*
	 * The host is this guest over vsock_loopback: CID 1.  The core also
	 * takes host-initiated connections on port 511 (listen_test).
	 */
	return system("modprobe vsock_loopback && "
		      "{ { grep -qx 1 /sys/module/hostlink/parameters/host_cid && "
		      "grep -qx 511 /sys/module/hostlink/parameters/listen_port; } 2>/dev/null || "
		      "{ modprobe -r -q hostlink_test dxg interop hostlink 2>/dev/null; "
		      "modprobe hostlink host_cid=1 listen_port=511; }; } && "
		      "modprobe hostlink_test") == 0 ? 0 : -1;
}

int hl_bind(int port, const char *remote, unsigned int *id)
{
	struct hostlink_test_bind b = { .port = port };
	int fd;

	fd = open("/dev/hostlink_test", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (remote)
		snprintf(b.remote, sizeof(b.remote), "%s", remote);
	if (ioctl(fd, HOSTLINK_TEST_IOC_BIND, &b)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (id)
		*id = b.out_id;
	return fd;
}

int hl_wait(int fd, unsigned int ms)
{
	struct hostlink_test_wait w = { .timeout_ms = ms };

	return ioctl(fd, HOSTLINK_TEST_IOC_WAIT, &w) ? -errno : 0;
}

int hl_call(int fd, uint32_t op, uint32_t flags, uint32_t timeout_ms,
	    const void *req, size_t req_len, void *resp, size_t resp_max,
	    size_t *out_len)
{
	struct hostlink_test_call c = {
		.op = op,
		.flags = flags,
		.timeout_ms = timeout_ms,
		.req_uptr = (uintptr_t)req,
		.req_len = req_len,
		.resp_uptr = (uintptr_t)resp,
		.resp_max = resp_max,
	};

	if (ioctl(fd, HOSTLINK_TEST_IOC_CALL, &c))
		return -errno;
	if (out_len)
		*out_len = c.out_resp_len;
	return 0;
}

int hl_stream(int fd, const uint8_t *token, uint32_t timeout_ms)
{
	struct hostlink_test_stream s = { .timeout_ms = timeout_ms };

	if (token) {
		s.flags = HOSTLINK_TEST_STREAM_TOKEN;
		memcpy(s.token, token, sizeof(s.token));
	}
	if (ioctl(fd, HOSTLINK_TEST_IOC_STREAM, &s))
		return -errno;
	return s.out_fd;
}

int hl_stats(int fd, struct hostlink_test_stats *st)
{
	return ioctl(fd, HOSTLINK_TEST_IOC_STATS, st) ? -errno : 0;
}

long long hl_max_payload(int fd)
{
	struct hostlink_test_max_payload mp;

	if (ioctl(fd, HOSTLINK_TEST_IOC_MAX_PAYLOAD, &mp))
		return -errno;
	return mp.out_max_payload;
}

int hl_sysfs(unsigned int id, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/hostlink/services/test-%u/%s",
		 id, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

long long hl_stat(unsigned int id, const char *counter)
{
	char attr[64], buf[64];

	snprintf(attr, sizeof(attr), "stats/%s", counter);
	if (hl_sysfs(id, attr, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

int hl_stat_reaches(unsigned int id, const char *counter, long long want,
		    unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	while (hl_stat(id, counter) < want) {
		if (hl_now_ms() >= end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

uint64_t hl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int hl_wait_state(unsigned int id, const char *state, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	char buf[64];

	do {
		if (!hl_sysfs(id, "state", buf, sizeof(buf)) &&
		    !strcmp(buf, state))
			return 0;
		usleep(20000);
	} while (hl_now_ms() < end);
	return -1;
}

int hl_wait_sysfs(unsigned int id, const char *attr, const char *prefix,
		  char *buf, size_t len, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;

	do {
		if (!hl_sysfs(id, attr, buf, len) &&
		    !strncmp(buf, prefix, strlen(prefix)))
			return 0;
		usleep(20000);
	} while (hl_now_ms() < end);
	return -1;
}

int hl_port(void)
{
	/* the harness forks each test: one port per test process */
	return 20000 + getpid() % 20000;
}

int hl_fake_listen(struct hl_fake *f, int port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->lfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->lfd < 0)
		return -1;
	if (bind(f->lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(f->lfd, 8)) {
		close(f->lfd);
		return -1;
	}
	return 0;
}

static int hl_poll(int fd, short events, unsigned int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, ms);
	} while (n < 0 && errno == EINTR);
	return n;
}

int hl_fake_accept(struct hl_fake *f, unsigned int ms)
{
	socklen_t len = sizeof(f->peer);

	hl_fake_drop(f);
	if (hl_poll(f->lfd, POLLIN, ms) != 1)
		return -1;
	f->fd = accept4(f->lfd, (struct sockaddr *)&f->peer, &len,
			SOCK_CLOEXEC);
	return f->fd < 0 ? -1 : 0;
}

static int hl_read_full(int fd, void *buf, size_t len, uint64_t end)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		uint64_t now = hl_now_ms();

		if (now >= end || hl_poll(fd, POLLIN, end - now) != 1)
			return -ETIMEDOUT;
		n = read(fd, (char *)buf + got, len - got);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += n;
	}
	return 0;
}

int hl_fake_read(struct hl_fake *f, struct hostlink_hdr *hdr, void *buf,
		 size_t max, unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	char sink[4096];
	uint32_t len;
	int ret;

	ret = hl_read_full(f->fd, hdr, sizeof(*hdr), end);
	if (ret)
		return ret;
	if (hdr->magic != HOSTLINK_MAGIC)
		return -EPROTO;
	len = hdr->len;
	if (len <= max)
		return hl_read_full(f->fd, buf, len, end);
	/* more than the caller wants: read it all, keep the start */
	ret = hl_read_full(f->fd, buf, max, end);
	len -= max;
	while (!ret && len) {
		size_t n = len < sizeof(sink) ? len : sizeof(sink);

		ret = hl_read_full(f->fd, sink, n, end);
		len -= n;
	}
	return ret;
}

int hl_fake_write(struct hl_fake *f, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = send(f->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int hl_fake_send(struct hl_fake *f, uint8_t version, uint8_t type,
		 uint32_t op, uint64_t id, uint32_t status, const void *data,
		 size_t len)
{
	struct hostlink_hdr hdr = {
		.magic = HOSTLINK_MAGIC,
		.version = version,
		.type = type,
		.len = len,
		.op = op,
		.id = id,
		.status = status,
	};
	int ret;

	ret = hl_fake_write(f, &hdr, sizeof(hdr));
	if (!ret && len)
		ret = hl_fake_write(f, data, len);
	return ret;
}

int hl_fake_hello(struct hl_fake *f, unsigned int ms)
{
	struct hostlink_hdr hdr;

	if (hl_fake_accept(f, ms))
		return -1;
	if (hl_fake_read(f, &hdr, &f->hello, sizeof(f->hello), ms) ||
	    hdr.type != HOSTLINK_HELLO || hdr.len != sizeof(f->hello))
		return -1;
	return 0;
}

int hl_fake_handshake(struct hl_fake *f, uint32_t status, uint16_t version,
		      const char *message, unsigned int ms)
{
	struct hostlink_welcome w = {
		.version = version,
		.min_version = status ? version : HOSTLINK_PROTO_MIN,
		.max_version = status ? version + 1 : HOSTLINK_PROTO_MAX,
		.max_frame = HOSTLINK_FRAME_DEFAULT,
		.features = HOSTLINK_FEAT_ALL,
	};

	if (hl_fake_hello(f, ms))
		return -1;
	if (message)
		snprintf(w.message, sizeof(w.message), "%s", message);
	if (status)
		w.version = 0;
	return hl_fake_send(f, version, HOSTLINK_WELCOME, 0, 0, status, &w,
			    sizeof(w));
}

void hl_fake_drop(struct hl_fake *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

void hl_fake_close(struct hl_fake *f)
{
	hl_fake_drop(f);
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
}

long long hl_drip(int fd, const void *buf, size_t len, unsigned int gap_ms,
		  unsigned int max_ms)
{
	uint64_t t0 = hl_now_ms();
	size_t i = 0;
	char c;

	while (hl_now_ms() - t0 < max_ms) {
		if (i < len && send(fd, (const char *)buf + i, 1,
				    MSG_NOSIGNAL) == 1)
			i++;
		/* the peer sends nothing: readable means closed */
		if (hl_poll(fd, POLLIN, gap_ms) == 1 && read(fd, &c, 1) <= 0)
			return hl_now_ms() - t0;
	}
	return -1;
}

static const char *hl_daemon_path(void)
{
	static char path[PATH_MAX];
	const char *p = getenv("HOSTLINKD"), *tools = getenv("VMTEST_TOOLS");

	if (p)
		return p;
	snprintf(path, sizeof(path), "%s/../hostlinkd/hostlinkd",
		 tools ? tools : ".");
	return path;
}

pid_t hl_daemon_spawn_as(char *const argv[], const char *ready, uid_t uid,
			 const char *log)
{
	const char *path = hl_daemon_path();
	uint64_t end;
	pid_t pid;

	unlink(ready);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;

		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) || setgid(uid) || setuid(uid))) {
			fprintf(stderr, "cannot become uid %u: %m\n", (unsigned int)uid);
			_exit(127);
		}
		execv(path, argv);
		fprintf(stderr, "cannot run %s: %m\n", path);
		_exit(127);
	}
	for (end = hl_now_ms() + 10000; hl_now_ms() < end; usleep(20000)) {
		if (!access(ready, F_OK))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
	}
	hl_daemon_stop(pid, SIGKILL);
	return -1;
}

pid_t hl_daemon_spawn(char *const argv[], const char *ready)
{
	return hl_daemon_spawn_as(argv, ready, (uid_t)-1, NULL);
}

pid_t hl_daemon_start(int port, const char *extra)
{
	char portarg[32], ready[64], words[256], *argv[32], *w, *save;
	int argc = 0;

	snprintf(portarg, sizeof(portarg), "test:%d", port);
	snprintf(ready, sizeof(ready), "/run/hostlinkd-test-%d.ready", port);
	argv[argc++] = "hostlinkd";
	argv[argc++] = "--config";
	argv[argc++] = "/dev/null";
	argv[argc++] = "--allow-loopback";
	argv[argc++] = "--listen";
	argv[argc++] = portarg;
	argv[argc++] = "--ready-file";
	argv[argc++] = ready;
	argv[argc++] = "--log-level";
	argv[argc++] = "warn";
	snprintf(words, sizeof(words), "%s", extra ? extra : "");
	for (w = strtok_r(words, " ", &save); w && argc < 31;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return hl_daemon_spawn(argv, ready);
}

static int hl_append(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, line, strlen(line));
	close(fd);
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

int hl_user_ensure(const char *name, uid_t uid, const char *home, const char *shell)
{
	struct passwd *pw = getpwnam(name);
	char line[512];

	if (pw)
		return pw->pw_uid == uid ? 0 : -1;
	if (!getgrgid(uid)) {
		snprintf(line, sizeof(line), "%s:x:%u:\n", name, (unsigned int)uid);
		if (hl_append("/etc/group", line))
			return -1;
	}
	snprintf(line, sizeof(line), "%s:x:%u:%u:hostlink tests:%s:%s\n", name,
		 (unsigned int)uid, (unsigned int)uid, home, shell);
	return hl_append("/etc/passwd", line);
}

int hl_daemon_stop(pid_t pid, int sig)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool hl_nth_required(void)
{
	const char *d = getenv("VMTEST_DEBUG");

	return d && *d && strcmp(d, "0");
}

int hl_nth_knob(const char *attr, const char *file, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), HL_NTH_DEBUGFS "/%s/%s", attr, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

int hl_nth_knob_read(const char *attr, const char *file, char *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), HL_NTH_DEBUGFS "/%s/%s", attr, file);
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

int hl_nth_available(char *why, size_t len)
{
	struct stat st;

	if (access(HL_NTH_PATH, F_OK)) {
		snprintf(why, len, "no %s: the kernel has no FAULT_INJECTION", HL_NTH_PATH);
		return -ENOENT;
	}
	if (stat(HL_NTH_DEBUGFS "/failslab", &st) &&
	    (system("mount -t debugfs none " HL_NTH_DEBUGFS " 2>/dev/null") ||
	     stat(HL_NTH_DEBUGFS "/failslab", &st))) {
		snprintf(why, len, "no %s/failslab: the kernel has no FAILSLAB",
			 HL_NTH_DEBUGFS);
		return -ENOENT;
	}
	return 0;
}

int hl_nth_inject(const char *attr, char *why, size_t len)
{
	static const char *const knobs[][2] = {
		{ "probability", "100" }, { "interval", "1" },
		{ "times", "-1" }, { "task-filter", "Y" }, { "verbose", "0" },
		{ "ignore-gfp-wait", "N" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		ret = hl_nth_knob(attr, knobs[i][0], knobs[i][1]);
		if (ret) {
			snprintf(why, len, "%s/%s/%s: %s", HL_NTH_DEBUGFS, attr,
				 knobs[i][0], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int hl_nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

bool hl_nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
	int i;

	/* the read itself may have been the n-th site */
	if (r < 0)
		buf[0] = '0';
	for (i = 0; i < 3 && pwrite(fd, "0", 1, 0) != 1; i++)
		;
	return atoi(buf) == 0;
}
