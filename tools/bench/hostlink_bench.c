// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlink-bench: the hostlink channel against the raw transport, side
 * by side in one run, inside a guest with hostlinkd on vsock_loopback.
 *
 *   hostlink-rtt   a null request through hostlink.ko and hostlinkd,
 *                  vs a userspace AF_VSOCK ping-pong of the same bytes
 *                  (96 out, 32 back) on the same transport; per op.
 *   hostlink-bulk  large requests (SINK, 512 KiB, 4 callers in flight;
 *                  --bulk-req-kib, --bulk-callers) vs one raw vsock
 *                  stream written in pieces of the same size; throughput.
 *
 * The same two through a minimal blocking host (one read per frame part,
 * one write per reply) instead of hostlinkd, as hostlink-rtt-core and
 * hostlink-bulk-core: they show how much of the gap is the kernel
 * module's and how much the daemon's.  hostlink-rtt-loop is hostlink-rtt
 * with hostlinkd --no-control-threads (its event loop receives on the
 * control connection, not a reader thread): what the reader costs or
 * saves.
 *
 * --trace prints every run (ours, raw, ratio, seconds since the start)
 * on stderr, to see how the figures move over a run.
 *
 * --ping N: no benchmark; N requests 200 ms apart to hostlinkd's test
 * service on the default port, each timed or its error shown, after the
 * state of the connection (the demo uses it).  Exits 0 if the last one
 * succeeded.
 *
 * Each figure is the median of --runs interleaved runs (ours, raw, raw,
 * ours, ...), after --warmup seconds (5) of both.  Many short runs
 * rather than a few long ones: under TCG the host's own load comes and
 * goes over seconds and can slow the guest several times over; short
 * runs side by side see the same host, and the median drops the runs
 * that a burst hit.  Output, one line per figure
 * (DESIGN section 8):
 *   bench <name>: <ours> <unit> vs <baseline> <theirs> <unit> ratio <r>
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "hostlink_lib.h"

#define RTT_OUT	(sizeof(struct hostlink_hdr) + sizeof(struct hostlink_cred))
#define RTT_IN	sizeof(struct hostlink_hdr)
#define BULK_MAX_CALLERS	16

static unsigned int runs = 15, rtt_iters = 300, bulk_mib = 32;
static unsigned int bulk_req = 512u << 10, bulk_callers = 4;
static unsigned int warmup_s = 5;
/* --trace: every run on stderr, with seconds since the start. */
static bool trace;
static double t_start;
/* --side: run one side only ('o'urs or 'r'aw), for a profiler. */
static char side;

/* The raw peer: ping-pong (96 in, 32 out) or sink (n bytes, 1 back). */
static void raw_server(int lfd)
{
	static char buf[256 << 10];
	uint64_t total;
	char mode;
	int fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(1);
		if (bench_full_io(fd, &mode, 1, true))
			goto next;
		if (mode == 'p') {
			while (!bench_full_io(fd, buf, RTT_OUT, true) &&
			       !bench_full_io(fd, buf, RTT_IN, false))
				;
		} else if (!bench_full_io(fd, &total, sizeof(total), true)) {
			while (total) {
				ssize_t n = read(fd, buf, total < sizeof(buf) ?
						 total : sizeof(buf));
				if (n <= 0)
					break;
				total -= n;
			}
			bench_full_io(fd, &mode, 1, false);
		}
next:
		close(fd);
	}
}

/*
 * A host that does nothing but answer, as fast as blocking I/O goes: one
 * read takes whatever has arrived (a whole PING, like the raw peer's one
 * read), one write answers each whole frame in it, and the rest of a
 * large frame is read in place.
 */
static void core_host(int port)
{
	static char buf[2 * HOSTLINK_FRAME_DEFAULT];
	const size_t hlen = sizeof(struct hostlink_hdr);
	struct hostlink_hdr hdr;
	size_t got, off, flen;
	struct hl_fake f;
	ssize_t n;

	if (hl_fake_listen(&f, port))
		_exit(1);
	for (;;) {
		if (hl_fake_handshake(&f, 0, 1, NULL, 60000))
			_exit(1);
		got = 0;
		while ((n = read(f.fd, buf + got, sizeof(buf) - got)) > 0) {
			got += n;
			for (off = 0; got - off >= hlen; off += flen) {
				memcpy(&hdr, buf + off, hlen);
				if (le32toh(hdr.len) > HOSTLINK_FRAME_DEFAULT)
					_exit(1);
				flen = hlen + le32toh(hdr.len);
				if (got - off < flen) {
					if (off)
						memmove(buf, buf + off, got - off);
					got -= off;
					off = 0;
					if (bench_full_io(f.fd, buf + got, flen - got, true))
						break;	/* closed: the while's read ends it */
					got = flen;
				}
				hdr.type = HOSTLINK_REPLY;
				hdr.len = 0;
				hdr.flags = 0;
				if (bench_full_io(f.fd, &hdr, hlen, false))
					_exit(1);
			}
			memmove(buf, buf + off, got - off);
			got -= off;
		}
	}
}

static int raw_connect(int port, char mode)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_LOCAL,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    bench_full_io(fd, &mode, 1, false)) {
		perror("raw connect");
		exit(1);
	}
	return fd;
}

static double rtt_ours(int fd)
{
	double t0 = bench_now_us();
	unsigned int i;

	for (i = 0; i < rtt_iters; i++)
		if (hl_call(fd, HOSTLINK_TEST_PING, 0, 10000, NULL, 0, NULL, 0,
			    NULL)) {
			fprintf(stderr, "PING failed\n");
			exit(1);
		}
	return (bench_now_us() - t0) / rtt_iters;
}

static double rtt_raw(int port)
{
	char out[RTT_OUT] = { 0 }, in[RTT_IN];
	int fd = raw_connect(port, 'p');
	double t0 = bench_now_us(), t;
	unsigned int i;

	for (i = 0; i < rtt_iters; i++)
		if (bench_full_io(fd, out, sizeof(out), false) ||
		    bench_full_io(fd, in, sizeof(in), true)) {
			fprintf(stderr, "raw ping-pong failed\n");
			exit(1);
		}
	t = (bench_now_us() - t0) / rtt_iters;
	close(fd);
	return t;
}

struct bulk_caller {
	pthread_t thread;
	int fd;
	unsigned int reqs;
	char *buf;
	int ret;
};

static void *bulk_run(void *arg)
{
	struct bulk_caller *c = arg;
	unsigned int i;

	for (i = 0; i < c->reqs && !c->ret; i++)
		c->ret = hl_call(c->fd, HOSTLINK_TEST_SINK, 0, 30000, c->buf,
				 bulk_req, NULL, 0, NULL);
	return NULL;
}

static double bulk_ours(int fd, char *buf)
{
	struct bulk_caller c[BULK_MAX_CALLERS];
	unsigned int reqs = (bulk_mib << 20) / bulk_req / bulk_callers, i;
	double t0 = bench_now_us();

	for (i = 0; i < bulk_callers; i++) {
		c[i] = (struct bulk_caller){ .fd = fd, .reqs = reqs, .buf = buf };
		pthread_create(&c[i].thread, NULL, bulk_run, &c[i]);
	}
	for (i = 0; i < bulk_callers; i++) {
		pthread_join(c[i].thread, NULL);
		if (c[i].ret) {
			fprintf(stderr, "SINK failed: %d\n", c[i].ret);
			exit(1);
		}
	}
	return (double)reqs * bulk_callers * bulk_req / (1 << 20) /
		((bench_now_us() - t0) / 1e6);
}

static double bulk_raw(int port, char *buf)
{
	uint64_t total = (uint64_t)bulk_mib << 20, left = total;
	int fd = raw_connect(port, 's');
	double t0 = bench_now_us(), mibs;
	char ack;

	if (bench_full_io(fd, &total, sizeof(total), false))
		exit(1);
	while (left) {
		size_t n = left < bulk_req ? left : bulk_req;

		if (bench_full_io(fd, buf, n, false))
			exit(1);
		left -= n;
	}
	if (bench_full_io(fd, &ack, 1, true))
		exit(1);
	mibs = (double)bulk_mib / ((bench_now_us() - t0) / 1e6);
	close(fd);
	return mibs;
}

/* One run of one side of a figure: us per op (rtt) or MiB/s (bulk). */
static double one_run(bool ours, bool bulk, int fd, int raw_port, char *buf)
{
	if (ours)
		return bulk ? bulk_ours(fd, buf) : rtt_ours(fd);
	return bulk ? bulk_raw(raw_port, buf) : rtt_raw(raw_port);
}

/*
 * Round trips, ours and raw, for --warmup seconds, not counted.  In a
 * freshly booted guest the first figure came out slower on our side, by
 * up to half, whichever of our paths went first (hostlink-rtt or, with
 * the order changed, hostlink-rtt-loop), and the same path measured a
 * few seconds later did not; a few seconds of any traffic take that
 * away.
 */
static void warm_up(int fd, int raw_port, char *buf)
{
	double end = bench_now_us() + warmup_s * 1e6;

	while (bench_now_us() < end) {
		one_run(true, false, fd, raw_port, buf);
		one_run(false, false, fd, raw_port, buf);
	}
}

/* One figure: median of interleaved runs, ours against raw. */
static void figure(const char *filter, const char *name, int fd, int raw_port,
		   char *buf, bool bulk)
{
	double ours[64], raw[64], o, w;
	unsigned int r;

	if (strncmp(name, filter, strlen(filter)))
		return;
	if (side) {
		for (r = 0; r < runs; r++)
			ours[r] = one_run(side == 'o', bulk, fd, raw_port, buf);
		printf("bench %s (%s only): %.1f %s\n", name,
		       side == 'o' ? "ours" : "raw", bench_median(ours, runs),
		       bulk ? "MiB/s" : "us");
		fflush(stdout);
		return;
	}
	for (r = 0; r < runs; r++) {
		if (r % 2)
			raw[r] = one_run(false, bulk, fd, raw_port, buf);
		ours[r] = one_run(true, bulk, fd, raw_port, buf);
		if (!(r % 2))
			raw[r] = one_run(false, bulk, fd, raw_port, buf);
		if (trace)
			fprintf(stderr, "run %s %u at %.1f s: %.1f vs %.1f ratio %.2f\n",
				name, r, (bench_now_us() - t_start) / 1e6, ours[r],
				raw[r], ours[r] / raw[r]);
	}
	o = bench_median(ours, runs);
	w = bench_median(raw, runs);
	if (bulk)
		printf("bench %s: %.0f MiB/s vs raw-vsock %.0f MiB/s ratio %.2f\n",
		       name, o, w, o / w);
	else
		printf("bench %s: %.1f us vs raw-vsock %.1f us ratio %.2f\n",
		       name, o, w, o / w);
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hostlink-bench [--filter PREFIX] [--runs N] [--rtt-iters N] [--bulk-mib N]\n"
		   "                      [--bulk-req-kib N] [--bulk-callers N] [--side ours|raw]\n"
		   "                      [--warmup SECS] [--trace]\n"
		   "       hostlink-bench --ping N\n");
}

static int ping(unsigned int count)
{
	static const char *const attrs[] = { "state", "local_port", "protocol" };
	char buf[128];
	unsigned int id, i;
	int fd, ret;

	fd = hl_bind(HOSTLINK_PORT_TEST, NULL, &id);
	if (fd < 0) {
		fprintf(stderr, "ping: /dev/hostlink_test: %s\n", strerror(-fd));
		return 1;
	}
	ret = hl_wait(fd, 5000);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!hl_sysfs(id, attrs[i], buf, sizeof(buf)))
			printf("test-%u %s: %s\n", id, attrs[i], buf);
	if (ret) {
		if (!hl_sysfs(id, "last_error", buf, sizeof(buf)))
			printf("test-%u last_error: %s\n", id, buf);
		return 1;
	}
	for (i = 0; i < count; i++) {
		double t0;

		if (i)
			usleep(200000);
		t0 = bench_now_us();
		ret = hl_call(fd, HOSTLINK_TEST_PING, 0, 5000, NULL, 0, NULL, 0,
			      NULL);
		if (ret)
			printf("ping %u: %s\n", i, strerror(-ret));
		else
			printf("ping %u: %.0f us\n", i, bench_now_us() - t0);
		fflush(stdout);
	}
	if (!hl_sysfs(id, "stats/connects", buf, sizeof(buf)))
		printf("test-%u connects: %s\n", id, buf);
	close(fd);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'r' },
		{ "rtt-iters", required_argument, NULL, 'i' },
		{ "bulk-mib", required_argument, NULL, 'b' },
		{ "bulk-req-kib", required_argument, NULL, 'q' },
		{ "bulk-callers", required_argument, NULL, 'c' },
		{ "ping", required_argument, NULL, 'p' },
		{ "side", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *filter = "";
	int opt, fd, port, raw_port;
	struct hl_fake lst;
	pid_t daemon, server, core, loop_daemon;
	int core_fd, loop_fd;
	char *buf;

	bench_prog = "hostlink-bench";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;

		switch (opt) {
		case 'f': filter = optarg; break;
		case 'r': ok = bench_arg_uint("runs", optarg, 1, 64, &runs); break;
		case 'i':
			ok = bench_arg_uint("rtt-iters", optarg, 1, 1000000, &rtt_iters);
			break;
		case 'b':
			ok = bench_arg_uint("bulk-mib", optarg, 4, 65536, &bulk_mib);
			break;
		case 'q':
			/* A request and its credential block in one frame. */
			ok = bench_arg_uint("bulk-req-kib", optarg, 4,
				      (HOSTLINK_FRAME_DEFAULT -
				       sizeof(struct hostlink_cred)) >> 10,
				      &bulk_req);
			bulk_req <<= 10;
			break;
		case 'c':
			ok = bench_arg_uint("bulk-callers", optarg, 1,
				      BULK_MAX_CALLERS, &bulk_callers);
			break;
		case 'w': ok = bench_arg_uint("warmup", optarg, 0, 600, &warmup_s); break;
		case 't': trace = true; break;
		case 'p': {
			unsigned int n;

			if (!bench_arg_uint("ping", optarg, 1, 100000, &n))
				return 2;
			return ping(n);
		}
		case 's':
			if (strcmp(optarg, "ours") && strcmp(optarg, "raw")) {
				fprintf(stderr, "hostlink-bench: --side: '%s' is neither ours nor raw\n",
					optarg);
				return 2;
			}
			side = optarg[0];
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok)
			return 2;
	}
	if (((uint64_t)bulk_mib << 20) / bulk_req / bulk_callers == 0) {
		fprintf(stderr, "hostlink-bench: --bulk-mib %u is less than one %u KiB request for each of %u callers\n",
			bulk_mib, bulk_req >> 10, bulk_callers);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "hostlink-bench: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	port = hl_port();
	raw_port = port + 1;
	if (hl_load_modules() || hl_fake_listen(&lst, raw_port)) {
		fprintf(stderr, "hostlink-bench: cannot set up modules or the raw listener\n");
		return 1;
	}
	server = fork();
	if (server == 0)
		raw_server(lst.lfd);
	core = fork();
	if (core == 0)
		core_host(port + 2);
	daemon = hl_daemon_start(port, NULL);
	loop_daemon = hl_daemon_start(port + 3, "--no-control-threads");
	fd = hl_bind(port, NULL, NULL);
	core_fd = hl_bind(port + 2, NULL, NULL);
	loop_fd = hl_bind(port + 3, NULL, NULL);
	if (daemon < 0 || fd < 0 || hl_wait(fd, 10000) || core_fd < 0 ||
	    hl_wait(core_fd, 10000) || loop_daemon < 0 || loop_fd < 0 ||
	    hl_wait(loop_fd, 10000)) {
		fprintf(stderr, "hostlink-bench: hostlinkd not reachable\n");
		return 1;
	}
	buf = calloc(1, bulk_req);
	t_start = bench_now_us();
	warm_up(fd, raw_port, buf);

	figure(filter, "hostlink-rtt", fd, raw_port, buf, false);
	figure(filter, "hostlink-bulk", fd, raw_port, buf, true);
	figure(filter, "hostlink-rtt-core", core_fd, raw_port, buf, false);
	figure(filter, "hostlink-bulk-core", core_fd, raw_port, buf, true);
	figure(filter, "hostlink-rtt-loop", loop_fd, raw_port, buf, false);

	close(loop_fd);
	hl_daemon_stop(loop_daemon, SIGTERM);
	close(core_fd);
	kill(core, SIGKILL);
	waitpid(core, NULL, 0);
	close(fd);
	hl_daemon_stop(daemon, SIGTERM);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	free(buf);
	return 0;
}
