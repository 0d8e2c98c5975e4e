// SPDX-License-Identifier: GPL-2.0-only
/*
 * dxginfo: list the adapters of /dev/dxg with their memory, clock,
 * utilisation and counters, as text or JSON.  Uses libdxg.
 *
 * Exit status: 0 success, 1 an error (no device, host lost, a query
 * failed), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libdxg.h"
#include "dxginfo.h"

/**
 * struct dxginfo_adapter - what dxginfo learnt of one adapter
 * @info: its DXG_ADAPTER_ENUM entry.
 * @handle: the open adapter handle, or 0 (lost, or the open failed).
 * @err: the first error of opening or querying it, or 0.
 * @what: the call @err came from.
 * @mem: DXG_QUERY_MEMORY.
 * @clock: DXG_QUERY_CLOCK.
 * @stats: DXG_QUERY_STATS, the second sample if there were two.
 * @busy_ns: adapter_busy_ns between the two samples.
 * @have_busy: the two samples were taken.
 */
struct dxginfo_adapter {
	struct dxg_adapter_info info;
	uint64_t handle;
	int err;
	const char *what;
	struct dxg_query_memory mem;
	struct dxg_query_clock clock;
	struct dxg_query_stats stats;
	uint64_t busy_ns;
	bool have_busy;
};

#define DXGINFO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *dxginfo_prog = "dxginfo";

static void dxginfo_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"List the GPU adapters of /dev/dxg (hostlink's paravirtual GPU).\n\n"
		"  -a, --adapter LUID    only the adapter with this LUID (HIGH:LOW in hex,\n"
		"                        or one 64-bit number)\n"
		"  -i, --interval MS     sample utilisation over MS milliseconds\n"
		"                        (default 200; 0 skips it)\n"
		"  -j, --json            print JSON\n"
		"  -d, --device PATH     the device node (default " DXG_DEVICE_PATH ")\n"
		"  -h, --help            print this help and exit\n"
		"  -V, --version         print the version and exit\n",
		dxginfo_prog);
}

/* What an errno means to someone running dxginfo. */
static const char *dxginfo_explain(int err, const char *path)
{
	static char buf[256];

	switch (err) {
	case -ENOENT:
		snprintf(buf, sizeof(buf),
			 "%s: no such device node; is the dxg module loaded? (modprobe dxg)",
			 path);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, sizeof(buf),
			 "%s: permission denied; the node belongs to group render",
			 path);
		break;
	case -ENOTTY:
		snprintf(buf, sizeof(buf), "%s: not a dxg device", path);
		break;
	case -ENODEV:
		snprintf(buf, sizeof(buf),
			 "the GPU host is lost (hostlinkd stopped or the connection dropped): %s",
			 strerror(-err));
		break;
	case -ENOTCONN:
		snprintf(buf, sizeof(buf),
			 "not connected to the GPU host; is hostlinkd running on the host? (%s)",
			 strerror(-err));
		break;
	default:
		snprintf(buf, sizeof(buf), "%s: %s", path, strerror(-err));
	}
	return buf;
}

static int dxginfo_parse_luid(const char *s, struct dxg_luid *out)
{
	unsigned long long hi, lo;
	char *end;

	errno = 0;
	hi = strtoull(s, &end, 16);
	if (end == s || errno)
		return -EINVAL;
	if (*end == ':') {
		s = end + 1;
		lo = strtoull(s, &end, 16);
		if (end == s || *end || errno || hi > UINT32_MAX || lo > UINT32_MAX)
			return -EINVAL;
		*out = (struct dxg_luid){ .low = (uint32_t)lo, .high = (uint32_t)hi };
		return 0;
	}
	if (*end)
		return -EINVAL;
	*out = (struct dxg_luid){ .low = (uint32_t)hi, .high = (uint32_t)(hi >> 32) };
	return 0;
}

static uint64_t dxginfo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void dxginfo_fail(struct dxginfo_adapter *a, int err, const char *what)
{
	if (!a->err) {
		a->err = err;
		a->what = what;
	}
}

/* Open an active adapter and take the first samples. */
static void dxginfo_probe(struct dxg *dxg, struct dxginfo_adapter *a)
{
	int err;

	if (a->info.state != DXG_ADAPTER_ACTIVE)
		return;
	err = dxg_adapter_open(dxg, a->info.luid, a->info.instance, &a->handle);
	if (err) {
		a->handle = 0;
		/* Lost between the list and the open: not an error of ours. */
		if (err == -ENODEV)
			a->info.state = DXG_ADAPTER_LOST;
		else
			dxginfo_fail(a, err, "open");
		return;
	}
	err = dxg_query_memory(dxg, a->handle, &a->mem);
	if (err)
		dxginfo_fail(a, err, "memory query");
	err = dxg_query_clock(dxg, a->handle, &a->clock);
	if (err)
		dxginfo_fail(a, err, "clock query");
	err = dxg_query_stats(dxg, a->handle, &a->stats);
	if (err)
		dxginfo_fail(a, err, "stats query");
}

static void dxginfo_sample(struct dxg *dxg, struct dxginfo_adapter *a)
{
	struct dxg_query_stats s;
	int err;

	if (!a->handle || a->err)
		return;
	err = dxg_query_stats(dxg, a->handle, &s);
	if (err) {
		dxginfo_fail(a, err, "stats query");
		return;
	}
	a->busy_ns = s.adapter_busy_ns - a->stats.adapter_busy_ns;
	a->stats = s;
	a->have_busy = true;
}

static const char *dxginfo_state(uint32_t state)
{
	return state == DXG_ADAPTER_ACTIVE ? "active" :
	       state == DXG_ADAPTER_LOST ? "lost" : "unknown";
}

static void dxginfo_flags(FILE *f, uint32_t flags, bool json)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ DXG_ADAPTER_F_COMPUTE_ONLY, "compute-only" },
		{ DXG_ADAPTER_F_SOFTWARE, "software" },
		{ DXG_ADAPTER_F_F32_FTZ, "f32-ftz" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < DXGINFO_ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		fprintf(f, json ? "%s\"%s\"" : "%s%s", sep, names[i].name);
		sep = json ? ", " : " ";
	}
	if (!json && !*sep)
		fputs("none", f);
}

/* A host-supplied name on a terminal: control bytes become '?'. */
static void dxginfo_text_name(const char *name)
{
	size_t i;

	putchar('"');
	for (i = 0; i < DXG_NAME_LEN && name[i]; i++)
		putchar((unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i]);
	putchar('"');
}

static void dxginfo_text(const struct dxg_caps_get *caps,
			 const struct dxginfo_adapter *as, uint32_t n,
			 uint64_t interval_ns)
{
	const struct dxginfo_adapter *a;
	uint32_t i;

	printf("dxg: uapi %u, host protocol %u, features%s%s%s\n",
	       caps->out_uapi_version, caps->out_host_version,
	       caps->out_features & DXG_FEAT_SYNC_FILE ? " sync_file" : "",
	       caps->out_features & DXG_FEAT_FENCE_PAGE ? " fence_page" : "",
	       caps->out_features & DXG_FEAT_HOST_BULK ? " host_bulk" : "");
	if (!n)
		printf("no adapters (is the GPU service of hostlinkd running on the host?)\n");
	for (i = 0; i < n; i++) {
		a = &as[i];
		printf("adapter %08" PRIx32 ":%08" PRIx32 " ", a->info.luid.high,
		       a->info.luid.low);
		dxginfo_text_name(a->info.name);
		printf(" instance %" PRIu32 "\n", a->info.instance);
		printf("  state     %s\n  flags     ", dxginfo_state(a->info.state));
		dxginfo_flags(stdout, a->info.flags, false);
		printf("\n  pci ids   %04x:%04x\n", a->info.vendor_id, a->info.device_id);
		printf("  memory    dedicated %" PRIu64 " B, shared %" PRIu64 " B\n",
		       (uint64_t)a->info.dedicated_memory, (uint64_t)a->info.shared_memory);
		if (a->err)
			printf("  error     %s: %s\n", a->what, strerror(-a->err));
		if (!a->handle || a->err)
			continue;
		printf("  budget    %" PRIu64 " B, usage %" PRIu64 " B (this file %" PRIu64 " B)\n",
		       (uint64_t)a->mem.budget, (uint64_t)a->mem.usage,
		       (uint64_t)a->mem.file_usage);
		printf("  clock     %" PRIu64 " Hz, ticks %" PRIu64 " at guest monotonic %"
		       PRIu64 " ns +- %" PRIu64 " ns\n", (uint64_t)a->clock.frequency,
		       (uint64_t)a->clock.gpu_ticks, (uint64_t)a->clock.monotonic_ns,
		       (uint64_t)a->clock.uncertainty_ns);
		if (a->have_busy)
			printf("  busy      %" PRIu64 " ns in %" PRIu64 " ms (%.1f %%)\n",
			       a->busy_ns, interval_ns / 1000000,
			       100.0 * (double)a->busy_ns / (double)interval_ns);
		printf("  stats     submits %" PRIu64 ", retired %" PRIu64 ", failed %" PRIu64
		       ", commands %" PRIu64 ", busy %" PRIu64 " ns\n",
		       (uint64_t)a->stats.adapter_submits, (uint64_t)a->stats.adapter_retired,
		       (uint64_t)a->stats.adapter_failed, (uint64_t)a->stats.adapter_commands,
		       (uint64_t)a->stats.adapter_busy_ns);
		printf("            bytes read %" PRIu64 ", written %" PRIu64
		       ", signals coalesced %" PRIu64 "\n",
		       (uint64_t)a->stats.adapter_bytes_read,
		       (uint64_t)a->stats.adapter_bytes_written,
		       (uint64_t)a->stats.adapter_events_coalesced);
	}
}

static void dxginfo_json(const struct dxg_caps_get *caps,
			 const struct dxginfo_adapter *as, uint32_t n,
			 uint64_t interval_ns)
{
	char name[DXG_NAME_LEN + 1];
	const struct dxginfo_adapter *a;
	uint32_t i;

	printf("{\n  \"uapi_version\": %u,\n  \"host_version\": %u,\n"
	       "  \"features\": %" PRIu64 ",\n  \"adapters\": [",
	       caps->out_uapi_version, caps->out_host_version,
	       (uint64_t)caps->out_features);
	for (i = 0; i < n; i++) {
		a = &as[i];
		memcpy(name, a->info.name, DXG_NAME_LEN);
		name[DXG_NAME_LEN] = 0;
		printf("%s\n    {\n      \"luid\": \"%08" PRIx32 ":%08" PRIx32 "\",\n"
		       "      \"instance\": %" PRIu32 ",\n      \"name\": ",
		       i ? "," : "", a->info.luid.high, a->info.luid.low, a->info.instance);
		dxginfo_json_string(stdout, name);
		printf(",\n      \"state\": \"%s\",\n      \"flags\": [",
		       dxginfo_state(a->info.state));
		dxginfo_flags(stdout, a->info.flags, true);
		printf("],\n      \"vendor_id\": %u,\n      \"device_id\": %u,\n"
		       "      \"dedicated_memory\": %" PRIu64 ",\n"
		       "      \"shared_memory\": %" PRIu64,
		       a->info.vendor_id, a->info.device_id,
		       (uint64_t)a->info.dedicated_memory, (uint64_t)a->info.shared_memory);
		if (a->err) {
			printf(",\n      \"error\": ");
			dxginfo_json_string(stdout, a->what);
			printf(",\n      \"errno\": ");
			dxginfo_json_string(stdout, strerror(-a->err));
		}
		if (a->handle && !a->err) {
			printf(",\n      \"memory\": { \"budget\": %" PRIu64 ", \"usage\": %" PRIu64
			       ", \"file_usage\": %" PRIu64 " }", (uint64_t)a->mem.budget,
			       (uint64_t)a->mem.usage, (uint64_t)a->mem.file_usage);
			printf(",\n      \"clock\": { \"frequency\": %" PRIu64 ", \"gpu_ticks\": %"
			       PRIu64 ", \"monotonic_ns\": %" PRIu64 ", \"uncertainty_ns\": %"
			       PRIu64 " }", (uint64_t)a->clock.frequency,
			       (uint64_t)a->clock.gpu_ticks, (uint64_t)a->clock.monotonic_ns,
			       (uint64_t)a->clock.uncertainty_ns);
			if (a->have_busy)
				printf(",\n      \"utilisation\": { \"interval_ns\": %" PRIu64
				       ", \"busy_ns\": %" PRIu64 " }", interval_ns, a->busy_ns);
			printf(",\n      \"stats\": { \"submits\": %" PRIu64 ", \"retired\": %"
			       PRIu64 ", \"failed\": %" PRIu64 ", \"commands\": %" PRIu64
			       ", \"busy_ns\": %" PRIu64 ", \"bytes_read\": %" PRIu64
			       ", \"bytes_written\": %" PRIu64
			       ", \"events_coalesced\": %" PRIu64 " }",
			       (uint64_t)a->stats.adapter_submits,
			       (uint64_t)a->stats.adapter_retired,
			       (uint64_t)a->stats.adapter_failed,
			       (uint64_t)a->stats.adapter_commands,
			       (uint64_t)a->stats.adapter_busy_ns,
			       (uint64_t)a->stats.adapter_bytes_read,
			       (uint64_t)a->stats.adapter_bytes_written,
			       (uint64_t)a->stats.adapter_events_coalesced);
		}
		printf("\n    }");
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *path = DXG_DEVICE_PATH;
	struct dxginfo_adapter *as = NULL;
	struct dxg_adapter_info *infos;
	struct dxg_caps_get caps;
	struct dxg_luid want = { 0 };
	bool json = false, filter = false;
	unsigned long ms = 200;
	uint64_t t0, interval_ns = 0;
	uint32_t n, i, kept = 0;
	struct dxg *dxg;
	int c, err, rc = 0;
	char *end;

	if (argv[0] && argv[0][0])
		dxginfo_prog = argv[0];
	while ((c = getopt_long(argc, argv, "a:i:jd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (dxginfo_parse_luid(optarg, &want)) {
				fprintf(stderr, "%s: bad LUID '%s' (HIGH:LOW in hex)\n",
					dxginfo_prog, optarg);
				return 2;
			}
			filter = true;
			break;
		case 'i':
			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (end == optarg || *end || errno || ms > 3600000 || optarg[0] == '-') {
				fprintf(stderr,
					"%s: bad interval '%s' (milliseconds, at most 3600000)\n",
					dxginfo_prog, optarg);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			path = optarg;
			break;
		case 'h':
			dxginfo_usage(stdout);
			return 0;
		case 'V':
			printf("dxginfo (hostlink) %s\n", HOSTLINK_VERSION);
			return 0;
		default:
			dxginfo_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", dxginfo_prog, argv[optind]);
		dxginfo_usage(stderr);
		return 2;
	}

	err = dxg_open_path(path, &dxg);
	if (!err)
		err = dxg_caps_get(dxg, &caps);
	if (err) {
		fprintf(stderr, "%s: %s\n", dxginfo_prog, dxginfo_explain(err, path));
		return 1;
	}
	err = dxg_adapter_list(dxg, &infos, &n);
	if (err) {
		fprintf(stderr, "%s: listing adapters: %s\n", dxginfo_prog,
			dxginfo_explain(err, path));
		dxg_close(dxg);
		return 1;
	}
	if (n) {
		as = calloc(n, sizeof(*as));
		if (!as) {
			fprintf(stderr, "%s: %s\n", dxginfo_prog, strerror(ENOMEM));
			free(infos);
			dxg_close(dxg);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (filter && (infos[i].luid.low != want.low || infos[i].luid.high != want.high))
			continue;
		as[kept++].info = infos[i];
	}
	free(infos);
	if (filter && !kept) {
		fprintf(stderr, "%s: no adapter with LUID %08" PRIx32 ":%08" PRIx32 "\n",
			dxginfo_prog, want.high, want.low);
		rc = 1;
		goto out;
	}

	for (i = 0; i < kept; i++)
		dxginfo_probe(dxg, &as[i]);
	if (ms && kept) {
		t0 = dxginfo_now_ns();
		nanosleep(&(struct timespec){
				.tv_sec = ms / 1000,
				.tv_nsec = (long)(ms % 1000) * 1000000,
			  }, NULL);
		interval_ns = dxginfo_now_ns() - t0;
		for (i = 0; i < kept; i++)
			dxginfo_sample(dxg, &as[i]);
	}
	if (json)
		dxginfo_json(&caps, as, kept, interval_ns);
	else
		dxginfo_text(&caps, as, kept, interval_ns);
	for (i = 0; i < kept; i++) {
		if (as[i].err)
			rc = 1;
		if (as[i].handle)
			dxg_adapter_close(dxg, as[i].handle);
	}
out:
	free(as);
	dxg_close(dxg);
	return rc;
}
