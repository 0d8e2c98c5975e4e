// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the hostlink host daemon.  Command line, configuration,
 * then the event loop; see hostlinkd.8.
 *
 * Exit status: 0 after SIGTERM or SIGINT, 1 if it could not run (a
 * socket it cannot listen on), 2 for a bad command line or
 * configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl_loop.h"
#include "interop/hl_interop_session.h"

#ifndef HOSTLINK_VERSION
#error "HOSTLINK_VERSION comes from include/linux/hostlink.h through the Makefile"
#endif

enum {
	HL_OPT_CONFIG = 256,
	HL_OPT_LISTEN,
	HL_OPT_VSOCK,
	HL_OPT_NO_VSOCK,
	HL_OPT_HYBRID,
	HL_OPT_ALLOW_LOOPBACK,
	HL_OPT_TRUST_HYBRID,
	HL_OPT_HYBRID_CONNECT,
	HL_OPT_CONTROL_THREADS,
	HL_OPT_NO_CONTROL_THREADS,
	HL_OPT_MAX_CONNECTIONS,
	HL_OPT_MAX_REQUESTS,
	HL_OPT_MAX_QUEUE,
	HL_OPT_MAX_FRAME,
	HL_OPT_LOG_LEVEL,
	HL_OPT_READY_FILE,
	HL_OPT_PROTO_MIN,
	HL_OPT_PROTO_MAX,
	HL_OPT_DXG_ADAPTER,
	HL_OPT_DXG_WORKERS,
	HL_OPT_DXG_MAX_MEMORY,
	HL_OPT_DXG_MAX_OBJECTS,
	HL_OPT_DXG_FAIL_OPCODE,
};

static const struct option hl_options[] = {
	{ "config", required_argument, NULL, HL_OPT_CONFIG },
	{ "listen", required_argument, NULL, HL_OPT_LISTEN },
	{ "vsock", no_argument, NULL, HL_OPT_VSOCK },
	{ "no-vsock", no_argument, NULL, HL_OPT_NO_VSOCK },
	{ "hybrid", required_argument, NULL, HL_OPT_HYBRID },
	{ "allow-loopback", no_argument, NULL, HL_OPT_ALLOW_LOOPBACK },
	{ "trust-hybrid", no_argument, NULL, HL_OPT_TRUST_HYBRID },
	{ "hybrid-connect", required_argument, NULL, HL_OPT_HYBRID_CONNECT },
	{ "control-threads", no_argument, NULL, HL_OPT_CONTROL_THREADS },
	{ "no-control-threads", no_argument, NULL, HL_OPT_NO_CONTROL_THREADS },
	{ "max-connections", required_argument, NULL, HL_OPT_MAX_CONNECTIONS },
	{ "max-requests", required_argument, NULL, HL_OPT_MAX_REQUESTS },
	{ "max-queue", required_argument, NULL, HL_OPT_MAX_QUEUE },
	{ "max-frame", required_argument, NULL, HL_OPT_MAX_FRAME },
	{ "log-level", required_argument, NULL, HL_OPT_LOG_LEVEL },
	{ "ready-file", required_argument, NULL, HL_OPT_READY_FILE },
	{ "dxg-adapter", required_argument, NULL, HL_OPT_DXG_ADAPTER },
	{ "dxg-workers", required_argument, NULL, HL_OPT_DXG_WORKERS },
	{ "dxg-max-memory", required_argument, NULL, HL_OPT_DXG_MAX_MEMORY },
	{ "dxg-max-objects", required_argument, NULL, HL_OPT_DXG_MAX_OBJECTS },
	/* Not in --help: to test version mismatch and device faults. */
	{ "proto-min", required_argument, NULL, HL_OPT_PROTO_MIN },
	{ "proto-max", required_argument, NULL, HL_OPT_PROTO_MAX },
	{ "dxg-fail-opcode", required_argument, NULL, HL_OPT_DXG_FAIL_OPCODE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Flags that set a configuration key, and the value of the bare ones. */
static const struct {
	int opt;
	const char *key;
	const char *value;
} hl_option_keys[] = {
	{ HL_OPT_LISTEN, "listen", NULL },
	{ HL_OPT_VSOCK, "vsock", "yes" },
	{ HL_OPT_NO_VSOCK, "vsock", "no" },
	{ HL_OPT_HYBRID, "hybrid", NULL },
	{ HL_OPT_ALLOW_LOOPBACK, "allow_loopback", "yes" },
	{ HL_OPT_TRUST_HYBRID, "trust_hybrid", "yes" },
	{ HL_OPT_HYBRID_CONNECT, "hybrid_connect", NULL },
	{ HL_OPT_CONTROL_THREADS, "control_threads", "yes" },
	{ HL_OPT_NO_CONTROL_THREADS, "control_threads", "no" },
	{ HL_OPT_MAX_CONNECTIONS, "max_connections", NULL },
	{ HL_OPT_MAX_REQUESTS, "max_requests", NULL },
	{ HL_OPT_MAX_QUEUE, "max_queue", NULL },
	{ HL_OPT_MAX_FRAME, "max_frame", NULL },
	{ HL_OPT_LOG_LEVEL, "log_level", NULL },
	{ HL_OPT_PROTO_MIN, "proto_min", NULL },
	{ HL_OPT_PROTO_MAX, "proto_max", NULL },
	{ HL_OPT_DXG_ADAPTER, "dxg_adapter", NULL },
	{ HL_OPT_DXG_WORKERS, "dxg_workers", NULL },
	{ HL_OPT_DXG_MAX_MEMORY, "dxg_max_memory", NULL },
	{ HL_OPT_DXG_MAX_OBJECTS, "dxg_max_objects", NULL },
	{ HL_OPT_DXG_FAIL_OPCODE, "dxg_fail_opcode", NULL },
};

static const char *hl_option_name(int opt)
{
	const struct option *o;

	for (o = hl_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static void hl_usage(FILE *f)
{
	fprintf(f,
		"Usage: hostlinkd [OPTION]...\n"
		"The hostlink host daemon: serves guest kernels over AF_VSOCK and\n"
		"hybrid vsock unix sockets.\n"
		"\n"
		"  --config FILE          configuration file (default %s)\n"
		"  --listen SERVICE[:PORT] serve SERVICE on PORT; repeat for more\n"
		"                         (default test:%u and dxg:%u; interop:%u\n"
		"                         serves programs, see hostlinkd(8))\n"
		"  --vsock, --no-vsock    listen on AF_VSOCK or not (default: yes)\n"
		"  --hybrid PATH          also listen on unix sockets PATH_<port>\n"
		"  --allow-loopback       accept guests on the loopback CID 1\n"
		"  --trust-hybrid         trust hybrid vsock peers for control\n"
		"  --hybrid-connect PORT  open control connections to the guest\n"
		"                         kernel's reserved PORT through the VMM's\n"
		"                         socket PATH (CONNECT PORT); trusted\n"
		"  --control-threads, --no-control-threads\n"
		"                         read each control connection in a thread\n"
		"                         of its own (default: yes)\n"
		"  --max-connections N    connections per guest (default 16)\n"
		"  --max-requests N       requests in flight per guest (default 256)\n"
		"  --max-queue SIZE       bytes queued for sending per guest (16M)\n"
		"  --max-frame SIZE       largest payload accepted (default 1M)\n"
		"  --log-level LEVEL      debug, info, warn, error or none\n"
		"  --ready-file PATH      create PATH once every listener is up\n"
		"  --dxg-adapter NAME:MEMORY[:compute]\n"
		"                         a software GPU of the dxg service; repeat\n"
		"                         for more (default soft0:256M)\n"
		"  --dxg-workers N        dxg worker threads per adapter (default 2)\n"
		"  --dxg-max-memory SIZE  dxg allocation bytes per guest (512M)\n"
		"  --dxg-max-objects N    dxg objects per guest process (4096)\n"
		"  --help                 this text\n"
		"  --version              the version\n"
		"\n"
		"Flags override the configuration file; see hostlinkd(8).\n",
		HL_CONFIG_DEFAULT, HOSTLINK_PORT_TEST, HOSTLINK_PORT_DXG, HOSTLINK_PORT_INTEROP);
}

static int hl_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "hostlinkd: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'hostlinkd --help'.\n");
	return 2;
}

/*
 * Reads the command line twice: first --config, --help and --version,
 * then, after the file, the flags that override it.  Returns -1 to run,
 * or the exit status.
 */
static int hl_parse_args(int argc, char **argv, struct hl_config *cfg,
			 const char **ready_file)
{
	const char *config = HL_CONFIG_DEFAULT;
	bool config_given = false;
	char err[512];
	size_t i;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hV", hl_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			hl_usage(stdout);
			return 0;
		case 'V':
			printf("hostlinkd %s\n", HOSTLINK_VERSION);
			return 0;
		case HL_OPT_CONFIG:
			config = optarg;
			config_given = true;
			break;
		case '?':
			return hl_bad_usage("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hl_bad_usage("unexpected argument '%s'", argv[optind]);
	if (hl_config_load(cfg, config, config_given, err, sizeof(err))) {
		fprintf(stderr, "hostlinkd: %s\n", err);
		return 2;
	}

	optind = 0;
	while ((opt = getopt_long(argc, argv, "hV", hl_options, NULL)) != -1) {
		if (opt == HL_OPT_READY_FILE) {
			*ready_file = optarg;
			continue;
		}
		for (i = 0; i < sizeof(hl_option_keys) / sizeof(hl_option_keys[0]); i++) {
			const char *value = hl_option_keys[i].value;

			if (hl_option_keys[i].opt != opt)
				continue;
			if (hl_config_set(cfg, HL_SRC_FLAGS, hl_option_keys[i].key,
					  value ? value : optarg, err, sizeof(err))) {
				fprintf(stderr, "hostlinkd: --%s: %s\n",
					hl_option_name(opt), err);
				return 2;
			}
		}
	}
	if (hl_config_check(cfg, err, sizeof(err))) {
		fprintf(stderr, "hostlinkd: %s\n", err);
		return 2;
	}
	return -1;
}

static int hl_write_ready(const char *path)
{
	char buf[32];
	int fd, n, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) != n)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int main(int argc, char **argv)
{
	const char *ready_file = NULL;
	struct hl_config cfg;
	struct hl_daemon d;
	bool started = false;
	struct hl_loop l;
	int ret, status = 1;

	/* The interop service's exec helper: nothing of the daemon's runs. */
	if (argc > 1 && !strcmp(argv[1], HL_INTEROP_EXEC_ARG))
		return hl_interop_exec_helper(argc, argv);
	hl_config_init(&cfg);
	ret = hl_parse_args(argc, argv, &cfg, &ready_file);
	if (ret >= 0) {
		hl_config_free(&cfg);
		return ret;
	}
	hl_log_threshold = cfg.log_level;
	hl_daemon_init(&d, &cfg);
	ret = hl_loop_init(&l, &d);
	if (ret) {
		hl_err("cannot set up the event loop: %s", strerror(-ret));
		goto out;
	}
	/* After the loop's wake-up exists: services' threads post to it. */
	ret = hl_services_start(&d);
	if (ret) {
		hl_err("cannot start the services: %s", strerror(-ret));
		goto out;
	}
	started = true;
	ret = hl_loop_listen(&l);
	if (ret)
		goto out;
	if (ready_file) {
		ret = hl_write_ready(ready_file);
		if (ret) {
			hl_err("cannot write %s: %s", ready_file, strerror(-ret));
			goto out;
		}
	}
	hl_info("hostlinkd %s ready", HOSTLINK_VERSION);
	ret = hl_loop_run(&l);
	if (ready_file)
		unlink(ready_file);
	if (!ret)
		status = 0;
out:
	hl_loop_free(&l);
	if (started)
		hl_services_stop(&d);
	hl_daemon_free(&d);
	hl_config_free(&cfg);
	return status;
}
