// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxg-bench: /dev/dxg, served by hostlinkd's software adapter, against
 * what the same bytes cost without it, side by side in one run, inside
 * a guest with hostlinkd on vsock_loopback (CID 1).
 *
 *   dxg-null-ioctl  DXG_ADAPTER_QUERY CLOCK (one host round trip) vs a
 *                   null request (PING) through hostlink_test.ko to the
 *                   same daemon; per op.
 *   dxg-bulk        --bulk-mib MiB written through a WRITE | DISCARD
 *                   mapping and unlocked, then locked READ and read in
 *                   full, vs a raw vsock peer (a thread of this program)
 *                   taking the bytes and returning them; bytes moved
 *                   (both ways) per second.
 *   dxg-bulk-up     the write half alone, vs bytes sent to the peer.
 *   dxg-bulk-down   the read half alone, vs bytes the peer sends.
 *   dxg-submit      4 threads, a context each, submitting 256-byte
 *                   command buffers (FILL of 4 KiB and NOPs) that
 *                   signal a fence, vs 4 threads of 256-byte requests
 *                   and 32-byte replies on raw vsock; ops per second.
 *   dxg-wake        an empty submission signalling a fence, waited for
 *                   with DXG_FENCE_WAIT, vs hostlink PING; per op.
 *
 * Each figure is the median of --runs interleaved runs (ours, raw, raw,
 * ours, ...) after --warmup seconds of both, as hostlink-bench does and
 * for the same reasons (TCG's host load comes and goes).  Output, one
 * line per figure (DESIGN section 8):
 *   bench <name>: <ours> <unit> vs <baseline> <theirs> <unit> ratio <r>
 *
 * The program loads the modules (hostlink host_cid=1, hostlink_test,
 * dxg) and starts its own hostlinkd serving the test service on a port
 * of its own and dxg on the dxg module's port.
 *
 * --demo: no benchmark; on the adapter already there, FILL and CRC32C
 * run on the host, the bytes are read back and the checksum compared
 * with dxg_crc32c(); each step printed.  Exits 0 if all matched.
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
#include <unistd.h>

#include "bench_util.h"
#include "hostlink_lib.h"
#include "libdxg.h"

#define SUBMIT_THREADS	4
#define SUBMIT_SIZE	256		/* command buffer bytes */
#define SUBMIT_FILL	4096		/* bytes each submission fills */
#define SUBMIT_WINDOW	16		/* submissions in flight per thread */
#define SUBMIT_REPLY	32		/* the raw peer's reply bytes */
#define WAIT_NS		(10ULL * 1000000000)

static unsigned int runs = 15, rtt_iters = 300, bulk_mib = 64;
static unsigned int submit_ops = 200, warmup_s = 5;
/* --submit-threads: the figure is at 4; fewer show the scaling */
static unsigned int submit_threads = SUBMIT_THREADS;
static const char *adapter_name;
static bool trace;
static double t_start;

/* What the figures share, set up once in main(). */
static struct dxg *dxg;
static uint64_t adapter, device;
static int test_fd, raw_port;
static uint64_t bulk_alloc;
static size_t bulk_len;
static char *bulk_src, *bulk_dst, *peer_buf;

struct submitter {
	pthread_t thread;
	uint64_t context, alloc, fence;
	uint64_t value;		/* last value submitted */
	uint8_t cmd[SUBMIT_SIZE];
	int fd;			/* raw side: its connection */
	int ret;
};

static struct submitter sub[SUBMIT_THREADS];
static uint64_t wake_context, wake_fence, wake_value;

static void die(const char *what, int err)
{
	fprintf(stderr, "dxg-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/*
 * The raw peer, one thread per connection.  The first byte is the mode:
 * 'p' ping-pong (SUBMIT_SIZE in, SUBMIT_REPLY out, until EOF); 'u', 'd'
 * and 'b' a length (u64) and then those bytes in and an ack byte out
 * (up), those bytes out (down), or in and back out again (both), into
 * and from peer_buf (one bulk connection at a time).
 */
static void *peer_conn(void *arg)
{
	char buf[SUBMIT_SIZE], mode, ack = 0;
	int fd = (int)(long)arg;
	uint64_t len;

	if (bench_full_io(fd, &mode, 1, true))
		goto out;
	if (mode == 'p') {
		while (!bench_full_io(fd, buf, SUBMIT_SIZE, true) &&
		       !bench_full_io(fd, buf, SUBMIT_REPLY, false))
			;
		goto out;
	}
	if (bench_full_io(fd, &len, sizeof(len), true) || len > bulk_len)
		goto out;
	if (mode == 'u' || mode == 'b')
		if (bench_full_io(fd, peer_buf, len, true))
			goto out;
	if (mode == 'u')
		bench_full_io(fd, &ack, 1, false);
	else
		bench_full_io(fd, peer_buf, len, false);
out:
	close(fd);
	return NULL;
}

static void *peer_accept(void *arg)
{
	int lfd = (int)(long)arg, fd;
	pthread_t t;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		if (pthread_create(&t, NULL, peer_conn, (void *)(long)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
}

static int raw_connect(char mode)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_LOCAL,
		.svm_port = raw_port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    bench_full_io(fd, &mode, 1, false))
		die("raw connect", errno);
	return fd;
}

/* Round trips: us per op. */
static double ping_run(void)
{
	double t0 = bench_now_us();
	unsigned int i;
	int ret;

	for (i = 0; i < rtt_iters; i++) {
		ret = hl_call(test_fd, HOSTLINK_TEST_PING, 0, 10000, NULL, 0,
			      NULL, 0, NULL);
		if (ret)
			die("hostlink PING", ret);
	}
	return (bench_now_us() - t0) / rtt_iters;
}

static double clock_run(void)
{
	struct dxg_query_clock c;
	double t0 = bench_now_us();
	unsigned int i;
	int ret;

	for (i = 0; i < rtt_iters; i++) {
		ret = dxg_query_clock(dxg, adapter, &c);
		if (ret)
			die("DXG_ADAPTER_QUERY CLOCK", ret);
	}
	return (bench_now_us() - t0) / rtt_iters;
}

static double wake_run(void)
{
	struct dxg_submit s = { .n_signals = 1 };
	struct dxg_fence_value fv = { .fence = wake_fence };
	double t0 = bench_now_us();
	unsigned int i;
	int ret;

	s.signals = &fv;
	for (i = 0; i < rtt_iters; i++) {
		fv.value = ++wake_value;
		ret = dxg_context_submit(dxg, wake_context, &s, NULL);
		if (ret)
			die("empty submission", ret);
		ret = dxg_fence_wait_timeout(dxg, &fv, 1, 0, WAIT_NS, NULL);
		if (ret)
			die("DXG_FENCE_WAIT", ret);
	}
	return (bench_now_us() - t0) / rtt_iters;
}

/* Bulk: MiB/s of the bytes moved. */
static void dxg_up(void)
{
	struct dxg_map m;
	int ret;

	ret = dxg_alloc_lock(dxg, bulk_alloc, 0, bulk_len,
			     DXG_LOCK_WRITE | DXG_LOCK_DISCARD, &m);
	if (ret)
		die("lock WRITE | DISCARD", ret);
	memcpy(m.addr, bulk_src, bulk_len);
	ret = dxg_alloc_unlock(dxg, &m);
	if (ret)
		die("unlock (write-back)", ret);
}

static void dxg_down(void)
{
	struct dxg_map m;
	int ret;

	ret = dxg_alloc_lock(dxg, bulk_alloc, 0, bulk_len, DXG_LOCK_READ, &m);
	if (ret)
		die("lock READ", ret);
	memcpy(bulk_dst, m.addr, bulk_len);
	ret = dxg_alloc_unlock(dxg, &m);
	if (ret)
		die("unlock", ret);
}

static double mibs(unsigned int times, double t0)
{
	return (double)times * bulk_len / (1 << 20) / ((bench_now_us() - t0) / 1e6);
}

static double bulk_ours(char dir)
{
	double t0 = bench_now_us();

	if (dir != 'd')
		dxg_up();
	if (dir != 'u')
		dxg_down();
	return mibs(dir == 'b' ? 2 : 1, t0);
}

static double bulk_raw(char dir)
{
	uint64_t len = bulk_len;
	double t0 = bench_now_us();
	int fd = raw_connect(dir);
	char ack;

	if (bench_full_io(fd, &len, sizeof(len), false) ||
	    (dir != 'd' && bench_full_io(fd, bulk_src, bulk_len, false)) ||
	    (dir == 'u' && bench_full_io(fd, &ack, 1, true)) ||
	    (dir != 'u' && bench_full_io(fd, bulk_dst, bulk_len, true)))
		die("raw bulk", errno);
	close(fd);
	return mibs(dir == 'b' ? 2 : 1, t0);
}

static double bulk_both_ours(void) { return bulk_ours('b'); }
static double bulk_both_raw(void) { return bulk_raw('b'); }
static double bulk_up_ours(void) { return bulk_ours('u'); }
static double bulk_up_raw(void) { return bulk_raw('u'); }
static double bulk_down_ours(void) { return bulk_ours('d'); }
static double bulk_down_raw(void) { return bulk_raw('d'); }

/* Submissions: ops per second over the 4 threads. */
static void *submit_thread(void *arg)
{
	struct submitter *s = arg;
	struct dxg_fence_value fv = { .fence = s->fence }, old;
	struct dxg_submit d = {
		.cmd = s->cmd, .cmd_size = SUBMIT_SIZE,
		.allocs = &s->alloc, .n_allocs = 1,
		.signals = &fv, .n_signals = 1,
	};
	unsigned int i;

	old.fence = s->fence;
	for (i = 0; i < submit_ops && !s->ret; i++) {
		if (s->value >= SUBMIT_WINDOW) {
			old.value = s->value - SUBMIT_WINDOW + 1;
			s->ret = dxg_fence_wait_timeout(dxg, &old, 1, 0, WAIT_NS,
							NULL);
			if (s->ret)
				break;
		}
		fv.value = s->value + 1;
		s->ret = dxg_context_submit(dxg, s->context, &d, NULL);
		if (s->ret == -EAGAIN) {
			/* The queue is shorter than the window: drain it. */
			old.value = s->value;
			s->ret = dxg_fence_wait_timeout(dxg, &old, 1, 0, WAIT_NS,
							NULL);
			i--;
			continue;
		}
		if (!s->ret)
			s->value++;
	}
	fv.value = s->value;
	if (!s->ret)
		s->ret = dxg_fence_wait_timeout(dxg, &fv, 1, 0, WAIT_NS, NULL);
	return NULL;
}

static void *submit_raw_thread(void *arg)
{
	struct submitter *s = arg;
	char reply[SUBMIT_REPLY];
	unsigned int i;

	for (i = 0; i < submit_ops && !s->ret; i++)
		if (bench_full_io(s->fd, s->cmd, SUBMIT_SIZE, false) ||
		    bench_full_io(s->fd, reply, sizeof(reply), true))
			s->ret = -EIO;
	return NULL;
}

static double submit_run(bool ours)
{
	double t0 = bench_now_us();
	unsigned int i;

	for (i = 0; i < submit_threads; i++) {
		sub[i].ret = 0;
		if (!ours)
			sub[i].fd = raw_connect('p');
		pthread_create(&sub[i].thread, NULL,
			       ours ? submit_thread : submit_raw_thread, &sub[i]);
	}
	for (i = 0; i < submit_threads; i++) {
		pthread_join(sub[i].thread, NULL);
		if (!ours)
			close(sub[i].fd);
		if (sub[i].ret)
			die(ours ? "submission" : "raw request/reply", sub[i].ret);
	}
	return (double)submit_ops * submit_threads / ((bench_now_us() - t0) / 1e6);
}

static double submit_ours(void) { return submit_run(true); }
static double submit_raw(void) { return submit_run(false); }

struct figure {
	const char *name;
	const char *unit;
	const char *baseline;
	const char *fmt;	/* of a value in @unit */
	double (*ours)(void);
	double (*raw)(void);
};

static const struct figure figures[] = {
	{ "dxg-null-ioctl", "us", "hostlink-ping", "%.1f", clock_run, ping_run },
	{ "dxg-bulk", "MiB/s", "raw-vsock", "%.0f", bulk_both_ours, bulk_both_raw },
	{ "dxg-bulk-up", "MiB/s", "raw-vsock", "%.0f", bulk_up_ours, bulk_up_raw },
	{ "dxg-bulk-down", "MiB/s", "raw-vsock", "%.0f", bulk_down_ours, bulk_down_raw },
	{ "dxg-submit", "ops/s", "raw-vsock", "%.0f", submit_ours, submit_raw },
	{ "dxg-wake", "us", "hostlink-ping", "%.1f", wake_run, ping_run },
};

/* One figure: the median of interleaved runs, ours against the baseline. */
static void figure_run(const struct figure *f)
{
	double ours[64], raw[64], o, w;
	char line[256];
	unsigned int r;
	int n;

	for (r = 0; r < runs; r++) {
		if (r % 2)
			raw[r] = f->raw();
		ours[r] = f->ours();
		if (!(r % 2))
			raw[r] = f->raw();
		if (trace)
			fprintf(stderr, "run %s %u at %.1f s: %.1f vs %.1f ratio %.2f\n",
				f->name, r, (bench_now_us() - t_start) / 1e6, ours[r],
				raw[r], ours[r] / raw[r]);
	}
	o = bench_median(ours, runs);
	w = bench_median(raw, runs);
	n = snprintf(line, sizeof(line), "bench %s: ", f->name);
	n += snprintf(line + n, sizeof(line) - n, f->fmt, o);
	n += snprintf(line + n, sizeof(line) - n, " %s vs %s ", f->unit,
		      f->baseline);
	n += snprintf(line + n, sizeof(line) - n, f->fmt, w);
	snprintf(line + n, sizeof(line) - n, " %s ratio %.2f", f->unit, o / w);
	puts(line);
	fflush(stdout);
}

/*
 * The first active adapter, or the one named --adapter; 0 or -ENOENT.
 * Waits up to @ms for it: the driver connects to a new daemon on its
 * own schedule.
 */
static int find_adapter(unsigned int ms, struct dxg_adapter_info *out)
{
	uint64_t end = hl_now_ms() + ms;
	struct dxg_adapter_info *a;
	uint32_t n, i;

	for (;;) {
		if (!dxg_adapter_list(dxg, &a, &n)) {
			for (i = 0; i < n; i++)
				if (a[i].state == DXG_ADAPTER_ACTIVE &&
				    (!adapter_name ||
				     !strcmp(a[i].name, adapter_name))) {
					*out = a[i];
					free(a);
					return 0;
				}
			free(a);
		}
		if (hl_now_ms() >= end)
			return -ENOENT;
		usleep(50000);
	}
}

static void open_adapter(unsigned int ms, struct dxg_adapter_info *info)
{
	int ret;

	ret = dxg_open(&dxg);
	if (ret)
		die("/dev/dxg", ret);
	if (find_adapter(ms, info)) {
		fprintf(stderr, "dxg-bench: no active adapter%s%s on /dev/dxg\n",
			adapter_name ? " named " : "",
			adapter_name ? adapter_name : "");
		exit(1);
	}
	ret = dxg_adapter_open(dxg, info->luid, info->instance, &adapter);
	if (!ret)
		ret = dxg_device_create(dxg, adapter, &device);
	if (ret)
		die("adapter open / device create", ret);
}

/* A SUBMIT_SIZE command buffer: FILL of SUBMIT_FILL bytes, then NOPs. */
static void submit_buffer(uint8_t *buf, uint32_t pattern)
{
	struct dxg_cmd c;
	int ret;

	dxg_cmd_init_buffer(&c, buf, SUBMIT_SIZE);
	ret = dxg_cmd_fill(&c, DXG_REF(0, 0), SUBMIT_FILL, pattern);
	while (!ret && c.size < SUBMIT_SIZE)
		ret = dxg_cmd_nop(&c);
	if (ret || c.size != SUBMIT_SIZE)
		die("building the submission", ret ? ret : -EINVAL);
}

static void setup_objects(void)
{
	unsigned int i;
	size_t j;
	int ret;

	bulk_len = (size_t)bulk_mib << 20;
	bulk_src = malloc(bulk_len);
	bulk_dst = malloc(bulk_len);
	peer_buf = malloc(bulk_len);
	if (!bulk_src || !bulk_dst || !peer_buf)
		die("bulk buffers", ENOMEM);
	for (j = 0; j < bulk_len; j++)
		bulk_src[j] = (char)(j * 131 + (j >> 12));
	memset(bulk_dst, 0, bulk_len);
	memset(peer_buf, 0, bulk_len);
	ret = dxg_alloc_create(dxg, device, bulk_len, &bulk_alloc);
	if (ret)
		die("bulk allocation", ret);
	for (i = 0; i < SUBMIT_THREADS && !ret; i++) {
		ret = dxg_context_create(dxg, device, &sub[i].context);
		if (!ret)
			ret = dxg_alloc_create(dxg, device, SUBMIT_FILL,
					       &sub[i].alloc);
		if (!ret)
			ret = dxg_fence_create(dxg, device, 0, &sub[i].fence,
					       NULL);
		submit_buffer(sub[i].cmd, 0x5eed0000 + i);
	}
	if (!ret)
		ret = dxg_context_create(dxg, device, &wake_context);
	if (!ret)
		ret = dxg_fence_create(dxg, device, 0, &wake_fence, NULL);
	if (ret)
		die("contexts, allocations and fences", ret);
}

/* Both bulk paths return the bytes intact, checked once, not timed. */
static void check_bulk(void)
{
	bulk_ours('b');
	if (memcmp(bulk_src, bulk_dst, bulk_len)) {
		fprintf(stderr, "dxg-bench: the bytes read back through the lock differ\n");
		exit(1);
	}
	memset(bulk_dst, 0, bulk_len);
	bulk_raw('b');
	if (memcmp(bulk_src, bulk_dst, bulk_len)) {
		fprintf(stderr, "dxg-bench: the raw peer returned other bytes\n");
		exit(1);
	}
}

static void warm_up(void)
{
	double end = bench_now_us() + warmup_s * 1e6;

	while (bench_now_us() < end) {
		clock_run();
		ping_run();
	}
}

/*
 * --demo: FILL and CRC32C on the host, the bytes read back, the checksum
 * compared with the library's.
 */
#define DEMO_LEN	65536
#define DEMO_CRC_AT	(DEMO_LEN - 8)
#define DEMO_PATTERN	0xd6a5c3e1u

static int demo(void)
{
	struct dxg_fence_value fv = { .value = 1 };
	uint64_t context, alloc, fence;
	struct dxg_adapter_info info;
	uint32_t host_crc, crc, word;
	struct dxg_submit s = { 0 };
	struct dxg_cmd c;
	struct dxg_map m;
	size_t i, bad = 0;
	double t0;
	int ret;

	open_adapter(10000, &info);
	printf("adapter %s: luid %08x:%08x instance %u\n", info.name,
	       info.luid.high, info.luid.low, info.instance);
	ret = dxg_context_create(dxg, device, &context);
	if (!ret)
		ret = dxg_alloc_create(dxg, device, DEMO_LEN, &alloc);
	if (!ret)
		ret = dxg_fence_create(dxg, device, 0, &fence, NULL);
	if (ret)
		die("context, allocation and fence", ret);
	dxg_cmd_init(&c);
	ret = dxg_cmd_fill(&c, DXG_REF(0, 0), DEMO_CRC_AT, DEMO_PATTERN);
	if (!ret)
		ret = dxg_cmd_crc32c(&c, DXG_REF(0, DEMO_CRC_AT), DXG_REF(0, 0),
				     DEMO_CRC_AT);
	if (ret)
		die("building the commands", ret);
	fv.fence = fence;
	s.cmd = c.data;
	s.cmd_size = c.size;
	s.allocs = &alloc;
	s.n_allocs = 1;
	s.signals = &fv;
	s.n_signals = 1;
	t0 = bench_now_us();
	ret = dxg_context_submit(dxg, context, &s, NULL);
	if (!ret)
		ret = dxg_fence_wait_timeout(dxg, &fv, 1, 0, WAIT_NS, NULL);
	if (ret)
		die("submit and wait", ret);
	printf("FILL %u bytes with 0x%08x, CRC32C of them: done in %.0f us\n",
	       DEMO_CRC_AT, DEMO_PATTERN, bench_now_us() - t0);
	dxg_cmd_release(&c);
	ret = dxg_alloc_lock(dxg, alloc, 0, DEMO_LEN, DXG_LOCK_READ, &m);
	if (ret)
		die("lock READ", ret);
	for (i = 0; i < DEMO_CRC_AT; i += 4) {
		memcpy(&word, (char *)m.addr + i, 4);
		bad += le32toh(word) != DEMO_PATTERN;
	}
	memcpy(&host_crc, (char *)m.addr + DEMO_CRC_AT, 4);
	host_crc = le32toh(host_crc);
	crc = dxg_crc32c(0, m.addr, DEMO_CRC_AT);
	dxg_alloc_unlock(dxg, &m);
	printf("read back: %zu of %u words differ from the pattern\n", bad,
	       DEMO_CRC_AT / 4);
	printf("crc32c: host 0x%08x, dxg_crc32c 0x%08x: %s\n", host_crc, crc,
	       host_crc == crc ? "match" : "MISMATCH");
	dxg_close(dxg);
	return bad || host_crc != crc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dxg-bench [--filter PREFIX] [--runs N] [--rtt-iters N] [--bulk-mib N]\n"
		   "                 [--submit-ops N] [--submit-threads 1-4] [--warmup SECS]\n"
		   "                 [--adapter NAME] [--trace]\n"
		   "       dxg-bench --demo [--adapter NAME]\n");
}

/* The dxg module's host port: the daemon serves dxg there. */
static int dxg_port(void)
{
	unsigned int port = HOSTLINK_PORT_DXG;
	FILE *f = fopen("/sys/module/dxg/parameters/port", "r");

	if (f) {
		if (fscanf(f, "%u", &port) != 1 || !port)
			port = HOSTLINK_PORT_DXG;
		fclose(f);
	}
	return port;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "filter", required_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'r' },
		{ "rtt-iters", required_argument, NULL, 'i' },
		{ "bulk-mib", required_argument, NULL, 'b' },
		{ "submit-ops", required_argument, NULL, 's' },
		{ "submit-threads", required_argument, NULL, 'T' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "adapter", required_argument, NULL, 'a' },
		{ "trace", no_argument, NULL, 't' },
		{ "demo", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct dxg_adapter_info info;
	const char *filter = "";
	char extra[64];
	bool run_demo = false, any = false;
	struct hl_fake lst;
	pthread_t peer;
	pid_t daemon;
	unsigned int i;
	int opt, port;

	bench_prog = "dxg-bench";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;

		switch (opt) {
		case 'f': filter = optarg; break;
		case 'r': ok = bench_arg_uint("runs", optarg, 1, 64, &runs); break;
		case 'i':
			ok = bench_arg_uint("rtt-iters", optarg, 1, 1000000, &rtt_iters);
			break;
		/* One allocation and one lock: within soft0:256M and max_locked. */
		case 'b': ok = bench_arg_uint("bulk-mib", optarg, 1, 128, &bulk_mib); break;
		case 's':
			ok = bench_arg_uint("submit-ops", optarg, 1, 1000000, &submit_ops);
			break;
		case 'T':
			ok = bench_arg_uint("submit-threads", optarg, 1, SUBMIT_THREADS,
					    &submit_threads);
			break;
		case 'w': ok = bench_arg_uint("warmup", optarg, 0, 600, &warmup_s); break;
		case 'a': adapter_name = optarg; break;
		case 't': trace = true; break;
		case 'd': run_demo = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "dxg-bench: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (run_demo)
		return demo();
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		any |= !strncmp(figures[i].name, filter, strlen(filter));
	if (!any)
		return 0;

	port = hl_port();
	raw_port = port + 1;
	if (hl_load_modules() || system("modprobe dxg") ||
	    hl_fake_listen(&lst, raw_port)) {
		fprintf(stderr, "dxg-bench: cannot set up modules or the raw listener\n");
		return 1;
	}
	if (pthread_create(&peer, NULL, peer_accept, (void *)(long)lst.lfd))
		die("raw peer thread", EAGAIN);
	snprintf(extra, sizeof(extra), "--listen dxg:%d", dxg_port());
	daemon = hl_daemon_start(port, extra);
	test_fd = hl_bind(port, NULL, NULL);
	if (daemon < 0 || test_fd < 0 || hl_wait(test_fd, 10000)) {
		fprintf(stderr, "dxg-bench: hostlinkd not reachable\n");
		return 1;
	}
	open_adapter(20000, &info);
	setup_objects();
	check_bulk();
	t_start = bench_now_us();
	warm_up();
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (!strncmp(figures[i].name, filter, strlen(filter)))
			figure_run(&figures[i]);

	dxg_close(dxg);
	close(test_fd);
	hl_daemon_stop(daemon, SIGTERM);
	return 0;
}
