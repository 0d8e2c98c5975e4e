// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop-bench: host programs through hostrun, /dev/interop and the
 * interop service of hostlinkd, against what the same work costs
 * without them, side by side in one run, inside a guest with hostlinkd
 * on vsock_loopback (CID 1): this guest plays the host.
 *
 *   interop-throughput   the host's cat of --mib MiB (a file on tmpfs)
 *                        through hostrun into a pipe, vs a host writer
 *                        (the same 128 KiB writes) to a guest AF_VSOCK
 *                        reader that copies into a pipe; first byte to
 *                        EOF, as the pipe's reader sees it.
 *   interop-stdin        the same bytes guest to host: written into
 *                        hostrun's stdin, to a host reader (this
 *                        program, --sink) that times first byte to EOF;
 *                        vs a guest copier from a pipe into AF_VSOCK to
 *                        the same reader.
 *   interop-launch-ssh   `hostrun true`, --launches a run, vs `ssh ...
 *                        true` over vsock (socat) into a per-connection
 *                        `sshd -i` (what systemd-ssh-generator sets up),
 *                        --ssh-launches a run; milliseconds a launch.
 *
 * Each figure is the median of --runs interleaved runs (ours, theirs,
 * theirs, ours, ...).  Output, one line per figure (DESIGN section 8):
 *   bench <name>: <ours> <unit> vs <baseline> <theirs> <unit> ratio <r>
 *
 * An exec from the VM's 9p root costs about 0.1 s under TCG, so the
 * programs timed (hostrun, cat, true, this program as the sink, the ssh
 * user's shell) are copies on tmpfs.  The program loads the modules
 * (hostlink host_cid=1, interop), adds the users hlbench (the daemon's,
 * as its user unit runs) and bench (ssh's) to this boot's overlay, and
 * starts hostlinkd serving interop on the interop module's port.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/interop.h>
#include <linux/vm_sockets.h>

#include "bench_util.h"
#include "hostlink_lib.h"

#define DIR		"/run/interop-bench"
#define BIN		DIR "/bin"
#define SSH		DIR "/ssh"
#define DATA		DIR "/data"
#define DAEMON_UID	60124
#define SSH_UID		60125
#define SSH_PORT	2222
#define CHUNK		(128 << 10)

static unsigned int runs = 5, mib = 64, launches = 20, ssh_launches = 3;
static bool trace, have_ssh;
static int raw_port;
static char *src_buf;		/* --mib MiB for the stdin figures */
static pid_t ssh_listener;

static void die(const char *what)
{
	fprintf(stderr, "interop-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --sink: read stdin to EOF; print the bytes and the microseconds from first byte. */
static int sink(int fd)
{
	char *buf = malloc(CHUNK);
	double t0 = 0;
	size_t total = 0;
	ssize_t n;

	if (!buf)
		return 1;
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (!total)
			t0 = bench_now_us();
		total += n;
	}
	printf("%zu %.0f\n", total, total ? bench_now_us() - t0 : 0);
	fflush(stdout);		/* the raw run's sink ends in _exit() */
	free(buf);
	return 0;
}

/* Fork and exec @argv with fds 0 and 1 as given (-1: /dev/null); the pid. */
static pid_t spawn(char *const argv[], int in, int out)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(in >= 0 ? in : null, 0);
		dup2(out >= 0 ? out : null, 1);
		execv(argv[0], argv);
		fprintf(stderr, "interop-bench: cannot run %s: %m\n", argv[0]);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Read @fd to EOF; MiB/s from first byte to EOF, or -1 if not --mib MiB. */
static double drain(int fd)
{
	static char buf[CHUNK];
	size_t total = 0;
	double t0 = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!total)
			t0 = bench_now_us();
		total += n;
	}
	if (total != (size_t)mib << 20) {
		fprintf(stderr, "interop-bench: %zu bytes arrived, not %u MiB\n", total, mib);
		return -1;
	}
	return mib / ((bench_now_us() - t0) / 1e6);
}

/* Write --mib MiB into @fd in CHUNK writes and close it; 0 or -1. */
static int feed(int fd)
{
	size_t off;
	int ret = 0;

	for (off = 0; off < (size_t)mib << 20 && !ret; off += CHUNK)
		ret = bench_full_io(fd, src_buf + off, CHUNK, false);
	close(fd);
	return ret;
}

/* A sink's report on @fd: MiB/s, or -1. */
static double sink_rate(int fd)
{
	char line[64] = "";
	size_t bytes;
	double us;
	ssize_t n = read(fd, line, sizeof(line) - 1);

	close(fd);
	if (n <= 0 || sscanf(line, "%zu %lf", &bytes, &us) != 2 ||
	    bytes != (size_t)mib << 20 || us <= 0) {
		fprintf(stderr, "interop-bench: the sink said '%.*s', not %u MiB\n",
			(int)(n > 0 ? strcspn(line, "\n") : 0), line, mib);
		return -1;
	}
	return mib / (us / 1e6);
}

static int vsock_listen(int port)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port,
	};
	int one = 1, fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("vsock socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4))
		die("vsock listen");
	return fd;
}

static int vsock_connect(int port)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL, .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/* Copy @in to @out to EOF in CHUNK reads, as hostrun's relay does; exit code. */
static int copy_fd(int in, int out, const char *who)
{
	static char buf[CHUNK];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "interop-bench: %s: read: %s\n", who, strerror(errno));
			return 1;
		}
		if (bench_full_io(out, buf, n, false)) {
			fprintf(stderr, "interop-bench: %s: write: %s\n", who, strerror(errno));
			return 1;
		}
	}
	return 0;
}

/* A child's end: @what failed (fd < 0) with errno, or the copy's code. */
static int child_fd(int fd, const char *what)
{
	if (fd >= 0)
		return 0;
	fprintf(stderr, "interop-bench: %s: %s\n", what, strerror(errno));
	return 1;
}

/* interop-throughput, ours: hostrun cat DATA | this. */
static double out_ours(void)
{
	char *argv[] = { BIN "/hostrun", "-q", BIN "/cat", DATA, NULL };
	int p[2];
	double r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	pid = spawn(argv, -1, p[1]);
	close(p[1]);
	r = drain(p[0]);
	close(p[0]);
	if (reap(pid))
		r = -1;
	return r;
}

/* interop-throughput, raw: a writer of DATA to a vsock reader copying into a pipe. */
static double out_raw(void)
{
	int lfd = vsock_listen(raw_port), p[2];
	pid_t reader, writer;
	double r;

	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	reader = fork();
	if (reader < 0)
		die("fork");
	if (reader == 0) {
		int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		_exit(child_fd(s, "accept") ?: copy_fd(s, p[1], "raw reader"));
	}
	writer = fork();
	if (writer < 0)
		die("fork");
	if (writer == 0) {
		int s = vsock_connect(raw_port), f = open(DATA, O_RDONLY | O_CLOEXEC);

		_exit(child_fd(s, "connect") ?: child_fd(f, DATA) ?: copy_fd(f, s, "raw writer"));
	}
	close(lfd);
	close(p[1]);
	r = drain(p[0]);
	close(p[0]);
	if (reap(reader) | reap(writer))
		r = -1;
	return r;
}

/* interop-stdin, ours: this | hostrun interop-bench --sink. */
static double in_ours(void)
{
	char *argv[] = { BIN "/hostrun", "-q", BIN "/interop-bench", "--sink", NULL };
	int in[2], out[2];
	double r;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe");
	pid = spawn(argv, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (feed(in[1]))
		return -1;
	r = sink_rate(out[0]);
	if (reap(pid))
		r = -1;
	return r;
}

/* interop-stdin, raw: this | a copier into vsock | the sink. */
static double in_raw(void)
{
	int lfd = vsock_listen(raw_port), in[2], out[2];
	pid_t sinker, copier;
	double r;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe");
	sinker = fork();
	if (sinker < 0)
		die("fork");
	if (sinker == 0) {
		int s;

		/* The children let the feeding end go, or the copier never sees EOF. */
		close(in[1]);
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (child_fd(s, "accept") || dup2(out[1], 1) < 0)
			_exit(1);
		_exit(sink(s));
	}
	copier = fork();
	if (copier < 0)
		die("fork");
	if (copier == 0) {
		int s;

		close(in[1]);
		s = vsock_connect(raw_port);

		_exit(child_fd(s, "connect") ?: copy_fd(in[0], s, "raw copier"));
	}
	close(lfd);
	close(in[0]);
	close(out[1]);
	if (feed(in[1]))
		return -1;
	r = sink_rate(out[0]);
	if (reap(sinker) | reap(copier))
		r = -1;
	return r;
}

/* Milliseconds a launch of @argv, over @n launches; -1 if one failed. */
static double launch(char *const argv[], unsigned int n)
{
	double t0 = bench_now_us();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (reap(spawn(argv, -1, -1)))
			return -1;
	return (bench_now_us() - t0) / 1e3 / n;
}

static double launch_ours(void)
{
	char *argv[] = { BIN "/hostrun", "-q", "true", NULL };

	return launch(argv, launches);
}

static double launch_ssh(void)
{
	char *argv[] = { "/usr/bin/ssh", "-F", SSH "/ssh_config", "bench@x", "true", NULL };

	return launch(argv, ssh_launches);
}

struct figure {
	const char *name, *unit, *baseline;
	double (*ours)(void), (*raw)(void);
	bool ssh;
};

static const struct figure figures[] = {
	{ "interop-throughput", "MiB/s", "raw-vsock", out_ours, out_raw, false },
	{ "interop-stdin", "MiB/s", "raw-vsock", in_ours, in_raw, false },
	{ "interop-launch-ssh", "ms", "ssh-vsock", launch_ours, launch_ssh, true },
};

/* One figure: the median of interleaved runs; 0, or -1 if a run failed. */
static int figure_run(const struct figure *f)
{
	double ours[64], raw[64], o, w;
	unsigned int r;

	for (r = 0; r < runs; r++) {
		if (r % 2)
			raw[r] = f->raw();
		ours[r] = f->ours();
		if (!(r % 2))
			raw[r] = f->raw();
		if (ours[r] <= 0 || raw[r] <= 0) {
			fprintf(stderr, "interop-bench: %s: run %u failed (%s)\n", f->name, r,
				ours[r] <= 0 ? "ours" : f->baseline);
			return -1;
		}
		if (trace)
			fprintf(stderr, "run %s %u: %.1f vs %.1f ratio %.2f\n", f->name, r,
				ours[r], raw[r], ours[r] / raw[r]);
	}
	o = bench_median(ours, runs);
	w = bench_median(raw, runs);
	printf("bench %s: %.1f %s vs %s %.1f %s ratio %.2f\n", f->name, o, f->unit,
	       f->baseline, w, f->unit, o / w);
	fflush(stdout);
	return 0;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The interop module's port: the daemon serves interop there. */
static int interop_port(void)
{
	unsigned int port = HOSTLINK_PORT_INTEROP;
	FILE *f = fopen("/sys/module/interop/parameters/port", "r");

	if (f) {
		if (fscanf(f, "%u", &port) != 1 || !port)
			port = HOSTLINK_PORT_INTEROP;
		fclose(f);
	}
	return port;
}

/* Up to @ms for the driver to see the host; 0 or -1. */
static int host_up(unsigned int ms)
{
	uint64_t end = hl_now_ms() + ms;
	int fd = open("/dev/interop", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	do {
		struct interop_caps_get c = { .size = sizeof(c) };

		if (!ioctl(fd, INTEROP_CAPS_GET, &c) && (c.out_host_flags & INTEROP_HOST_UP)) {
			close(fd);
			return 0;
		}
		usleep(20000);
	} while (hl_now_ms() < end);
	close(fd);
	return -1;
}

/* The programs on tmpfs, the data file, the daemon's user and config. */
static pid_t setup(const char *self, const char *hostrun)
{
	static char port[32];
	char cmd[2048];
	char *argv[] = {
		"hostlinkd", "--config", DIR "/interop.conf", "--allow-loopback",
		"--listen", port, "--ready-file", DIR "/run/ready", "--log-level", "warn",
		NULL
	};
	FILE *f;
	pid_t d;

	snprintf(cmd, sizeof(cmd),
		 "rm -rf " DIR " && mkdir -p " BIN " " DIR "/run " DIR "/home && "
		 "cp %s %s " BIN "/ && cp /bin/cat /bin/true " BIN "/ && "
		 "cp \"$(readlink -f /bin/sh)\" " BIN "/sh && "
		 "head -c %uM /dev/urandom >" DATA " && chmod -R a+rX " DIR,
		 self, hostrun, mib);
	if (sh(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), BIN "/%s", strrchr(self, '/') ? strrchr(self, '/') + 1 : self);
	if (strcmp(cmd, BIN "/interop-bench") && rename(cmd, BIN "/interop-bench"))
		return -1;
	if (hl_user_ensure("hlbench", DAEMON_UID, DIR "/home", "/bin/sh") ||
	    sh("chown hlbench: " DIR "/run " DIR "/home"))
		return -1;
	f = fopen(DIR "/interop.conf", "w");
	if (!f)
		return -1;
	fprintf(f, "interop_guests = 1\n"
		   "interop_path = " BIN ":/usr/bin:/bin\n"
		   "interop_allow = " BIN "/ /usr/bin/ /bin/\n");
	fclose(f);
	if (hl_load_modules() || sh("modprobe interop"))
		return -1;
	snprintf(port, sizeof(port), "interop:%d", interop_port());
	d = hl_daemon_spawn_as(argv, DIR "/run/ready", DAEMON_UID, DIR "/daemon.log");
	if (d < 0 || host_up(20000)) {
		fprintf(stderr, "interop-bench: hostlinkd not reachable (" DIR "/daemon.log)\n");
		return -1;
	}
	return d;
}

/* sshd -i per connection behind socat on vsock port SSH_PORT, keys on tmpfs. */
static int setup_ssh(void)
{
	uint64_t end;
	int fd;

	if (access("/usr/sbin/sshd", X_OK) || access("/usr/bin/ssh", X_OK) ||
	    sh("command -v socat >/dev/null")) {
		fprintf(stderr, "interop-bench: no sshd, ssh or socat (make deps): "
			"interop-launch-ssh not measured\n");
		return -1;
	}
	if (hl_user_ensure("bench", SSH_UID, DIR "/home", BIN "/sh") ||
	    sh("mkdir -p " SSH " /run/sshd && chmod 0700 " SSH " && "
	       "ssh-keygen -q -t ed25519 -N '' -f " SSH "/host_key && "
	       "ssh-keygen -q -t ed25519 -N '' -f " SSH "/user_key && "
	       "cp " SSH "/user_key.pub " SSH "/authorized_keys && "
	       "chmod 0755 " SSH " && chmod 0644 " SSH "/authorized_keys"))
		return -1;
	if (sh("cat >" SSH "/sshd_config <<'EOF'\n"
	       "HostKey " SSH "/host_key\n"
	       "AuthorizedKeysFile " SSH "/authorized_keys\n"
	       "AllowUsers bench\n"
	       "PasswordAuthentication no\n"
	       "KbdInteractiveAuthentication no\n"
	       "UsePAM no\n"
	       "StrictModes no\n"
	       "PrintMotd no\n"
	       "PidFile none\n"
	       "LogLevel ERROR\n"
	       "EOF\n"
	       "cat >" SSH "/ssh_config <<'EOF'\n"
	       "Host x\n"
	       "  User bench\n"
	       "  IdentityFile " SSH "/user_key\n"
	       "  ProxyCommand socat - VSOCK-CONNECT:1:2222\n"
	       "  StrictHostKeyChecking no\n"
	       "  UserKnownHostsFile /dev/null\n"
	       "  BatchMode yes\n"
	       "  LogLevel ERROR\n"
	       "EOF"))
		return -1;
	ssh_listener = fork();
	if (ssh_listener < 0)
		return -1;
	if (ssh_listener == 0) {
		execlp("socat", "socat", "VSOCK-LISTEN:2222,fork,reuseaddr",
		       "EXEC:/usr/sbin/sshd -i -f " SSH "/sshd_config", (char *)NULL);
		_exit(127);
	}
	for (end = hl_now_ms() + 10000; hl_now_ms() < end; usleep(50000)) {
		fd = vsock_connect(SSH_PORT);
		if (fd >= 0) {
			close(fd);
			break;
		}
	}
	/* One login, untimed: the sshd and ssh binaries are in the page cache. */
	if (sh("/usr/bin/ssh -F " SSH "/ssh_config bench@x true")) {
		fprintf(stderr, "interop-bench: ssh into the per-connection sshd failed\n");
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: interop-bench [--filter PREFIX] [--runs N] [--mib N] [--launches N]\n"
		   "                     [--ssh-launches N] [--hostrun PATH] [--trace]\n"
		   "       interop-bench --sink\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'r' },
		{ "mib", required_argument, NULL, 'm' },
		{ "launches", required_argument, NULL, 'l' },
		{ "ssh-launches", required_argument, NULL, 's' },
		{ "hostrun", required_argument, NULL, 'H' },
		{ "trace", no_argument, NULL, 't' },
		{ "sink", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *filter = "", *tools = getenv("VMTEST_TOOLS");
	char hostrun[512], self[512];
	unsigned int i;
	bool any = false;
	ssize_t n;
	int opt, rc = 0;
	pid_t d;

	bench_prog = "interop-bench";
	snprintf(hostrun, sizeof(hostrun), "%s/../hostrun/hostrun", tools ? tools : ".");
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;

		switch (opt) {
		case 'f': filter = optarg; break;
		case 'r': ok = bench_arg_uint("runs", optarg, 1, 64, &runs); break;
		case 'm': ok = bench_arg_uint("mib", optarg, 1, 1024, &mib); break;
		case 'l': ok = bench_arg_uint("launches", optarg, 1, 10000, &launches); break;
		case 's':
			ok = bench_arg_uint("ssh-launches", optarg, 1, 1000, &ssh_launches);
			break;
		case 'H': snprintf(hostrun, sizeof(hostrun), "%s", optarg); break;
		case 't': trace = true; break;
		case 'S': return sink(0);
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "interop-bench: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		any |= !strncmp(figures[i].name, filter, strlen(filter));
	if (!any)
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self/exe");
	self[n] = 0;
	src_buf = malloc((size_t)mib << 20);
	if (!src_buf)
		die("malloc");
	memset(src_buf, 0x5a, (size_t)mib << 20);
	signal(SIGPIPE, SIG_IGN);
	d = setup(self, hostrun);
	if (d < 0) {
		fprintf(stderr, "interop-bench: set-up failed\n");
		return 1;
	}
	raw_port = interop_port() + 0x200;
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		if (strncmp(figures[i].name, filter, strlen(filter)))
			continue;
		if (figures[i].ssh && !have_ssh && setup_ssh()) {
			rc = 1;
			continue;
		}
		have_ssh |= figures[i].ssh;
		if (figure_run(&figures[i]))
			rc = 1;
	}
	if (ssh_listener > 0) {
		kill(ssh_listener, SIGTERM);
		waitpid(ssh_listener, NULL, 0);
	}
	hl_daemon_stop(d, SIGTERM);
	return rc;
}
