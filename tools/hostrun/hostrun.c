// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: run a host program from the guest with its stdio here, as
 * WSL runs Windows programs (hostrun.1).
 *
 *   hostrun [-t|-T] [-g] [-n] [-q] [--cwd DIR] PROG [ARG]...
 *   hostrun --path GUESTPATH | --guest-path HOSTPATH
 *   hostrun --register-binfmt [--magic HEX]
 *
 * As hostrun-binfmt it is the binfmt_misc interpreter (argv[1] the
 * file, argv[2] the original argv[0], then the arguments); under any
 * other name it runs the host program of that name.
 *
 * Exit status: the program's; as env(1), 125 our own or the
 * transport's failure, 126 refused or not runnable, 127 not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostrun.h"

#ifndef HOSTLINK_VERSION
#define HOSTLINK_VERSION "unknown"
#endif

const char *hr_prog = "hostrun";

void hr_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", hr_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* A raw terminal does not turn \n into \r\n. */
	fputs(hr_term_is_raw() ? "\r\n" : "\n", stderr);
}

const char *hr_device_path(void)
{
	const char *path = getenv("HOSTRUN_DEVICE");

	return path && *path ? path : HR_DEVICE;
}

static void hr_usage(FILE *f)
{
	fprintf(f,
		"Usage: hostrun [OPTION]... PROG [ARG]...\n"
		"       hostrun --path GUESTPATH | --guest-path HOSTPATH\n"
		"       hostrun --register-binfmt [--magic HEX]\n"
		"Run PROG on the host through /dev/interop, with its stdio here.\n"
		"PROG is a bare name (the host's path) or an absolute host path; with -g,\n"
		"or a relative path with a '/', it is a guest path the host maps.\n\n"
		"  -t, --pty             run on a host pty even when stdio is no terminal\n"
		"  -T, --no-pty          never run on a host pty\n"
		"  -g, --guest           PROG is a guest path\n"
		"  -n, --no-stdin        the program reads /dev/null (not with a pty)\n"
		"  -q, --quiet           no warning when the cwd is not shared with the host\n"
		"      --cwd DIR         run in guest directory DIR (default: the cwd)\n"
		"      --path PATH       print the host path of guest path PATH\n"
		"      --guest-path PATH print the guest path of host path PATH\n"
		"      --register-binfmt register hostrun-binfmt with binfmt_misc\n"
		"      --magic HEX       the magic to register (default 4d5a, \"MZ\")\n"
		"      --binfmt-misc DIR binfmt_misc's directory (default " HR_BINFMT_DIR ")\n"
		"  -h, --help            print this help and exit\n"
		"  -V, --version         print the version and exit\n\n"
		"HOSTRUN_ENV=NAME:PREFIX*:... names the variables to send, besides TERM,\n"
		"COLORTERM, LANG and LC_*.  Exit status: the program's; 125 hostrun's\n"
		"own or the transport's failure, 126 refused or not runnable, 127 not\n"
		"found.  See hostrun(1).\n");
}

/* Why the host is not there: the core's last_error, if it has one. */
static const char *hr_host_why(void)
{
	static char buf[320];
	char err[256];

	if (!hr_dev.last_error(err, sizeof(err)))
		return "";
	snprintf(buf, sizeof(buf), " (%s)", err);
	return buf;
}

static int hr_open_device(void)
{
	const char *path = hr_device_path();
	int ret = hr_dev.open();

	if (!ret)
		return 0;
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO)
		hr_msg("%s: no such device; is the interop module loaded? (modprobe interop)",
		       path);
	else if (ret == -EACCES || ret == -EPERM)
		hr_msg("%s: permission denied; it belongs to group interop", path);
	else
		hr_msg("%s: %s", path, strerror(-ret));
	return ret;
}

/* A failed spawn: the message and the exit status. */
static int hr_spawn_failed(const struct hr_spawn_req *req, int err)
{
	const char *prog = req->argv[0];
	struct interop_caps_get caps;
	char out[INTEROP_MAX_PATH];

	switch (err) {
	case -ENOENT:
		if ((req->flags & INTEROP_SPAWN_GUEST_PATH) &&
		    hr_dev.map_path(false, prog, out, sizeof(out)) == -ENOENT) {
			hr_msg("%s: not shared with the host (outside its path map)", prog);
			return HR_EXIT_NOTFOUND;
		}
		if (req->cwd[0] && !hr_dev.caps(&caps) &&
		    (caps.out_host_flags & INTEROP_HOST_CWD_REFUSE) &&
		    hr_dev.map_path(false, req->cwd, out, sizeof(out)) == -ENOENT) {
			hr_msg("%s: the current directory is not shared with the host, which refuses to run there",
			       req->cwd);
			return HR_EXIT_REFUSED;
		}
		hr_msg("%s: not found on the host", prog);
		return HR_EXIT_NOTFOUND;
	case -EACCES:
		hr_msg("%s: permission denied by the host (not allowed by its policy, or not executable)",
		       prog);
		return HR_EXIT_REFUSED;
	case -ENOEXEC:
		hr_msg("%s: the host cannot run it: %s", prog, strerror(ENOEXEC));
		return HR_EXIT_REFUSED;
	case -E2BIG:
		if (!hr_dev.caps(&caps))
			hr_msg("%s: arguments and environment too long for the host (limits: %u bytes, %u arguments, %u variables)",
			       prog, caps.out_max_arg_bytes, caps.out_max_argc,
			       caps.out_max_envc);
		else
			hr_msg("%s: %s", prog, strerror(E2BIG));
		return HR_EXIT_REFUSED;
	case -EPERM:
		hr_msg("%s: the host refuses: interop is disabled, or not allowed for this guest, user or namespace",
		       prog);
		return HR_EXIT_REFUSED;
	case -ENOTCONN:
		hr_msg("the host's interop service is not connected%s", hr_host_why());
		return HR_EXIT_FAILED;
	case -ETIMEDOUT:
		hr_msg("the host did not answer in time%s", hr_host_why());
		return HR_EXIT_FAILED;
	case -EUSERS:
		hr_msg("%s: too many host programs running for this user", prog);
		return HR_EXIT_FAILED;
	case -EPROTO:
		hr_msg("the host broke the interop protocol%s", hr_host_why());
		return HR_EXIT_FAILED;
	case -ENOTTY:
		hr_msg("%s: not an interop device", hr_device_path());
		return HR_EXIT_FAILED;
	default:
		hr_msg("%s: cannot run it on the host: %s", prog, strerror(-err));
		return HR_EXIT_FAILED;
	}
}

static int hr_run(const struct hr_opts *o, int argc, char **argv)
{
	struct hr_spawn_req req;
	struct hr_session s;
	struct hr_result res;
	int ret;

	ret = hr_req_build(o, argc, argv, &req);
	if (ret == -ENOENT || ret == -ENOTDIR || ret == -ELOOP || ret == -EACCES) {
		hr_msg("%s: %s", ret == -ENOENT && o->cwd ? o->cwd : argv[0],
		       strerror(-ret));
		return ret == -EACCES ? HR_EXIT_REFUSED : HR_EXIT_NOTFOUND;
	}
	if (ret) {
		hr_msg("%s", strerror(-ret));
		return HR_EXIT_FAILED;
	}
	if (hr_open_device()) {
		hr_req_free(&req);
		return HR_EXIT_FAILED;
	}
	ret = hr_signal_setup();
	while (!ret) {
		int signo;

		ret = hr_dev.spawn(&req, &s);
		if (ret != -EINTR)
			break;
		/* A signal before the program runs: what it would do to us. */
		signo = hr_signal_take();
		if (signo && signo != SIGWINCH) {
			hr_req_free(&req);
			hr_die_of(signo);
		}
		ret = 0;
	}
	if (ret) {
		ret = hr_spawn_failed(&req, ret);
		hr_req_free(&req);
		return ret;
	}
	if ((s.out_flags & INTEROP_SPAWNED_CWD_HOME) && !o->quiet)
		hr_msg("warning: %s is not shared with the host; the program runs in the host user's home",
		       req.cwd);
	if (req.flags & INTEROP_SPAWN_PTY) {
		ret = hr_term_raw();
		if (ret)
			hr_msg("warning: cannot make the terminal raw: %s", strerror(-ret));
	}
	ret = hr_relay(&s, req.flags & INTEROP_SPAWN_PTY, &res);
	hr_term_restore();
	hr_dev.close(&s);
	hr_req_free(&req);
	if (ret) {
		hr_msg("%s", strerror(-ret));
		return HR_EXIT_FAILED;
	}
	if (res.lost) {
		hr_msg("lost the host during the program's run%s", hr_host_why());
		return HR_EXIT_FAILED;
	}
	if (res.exit.how == INTEROP_SIGNALED)
		hr_die_of((int)res.exit.value);
	/* A code beyond 8 bits (not a Linux host) must not read as success. */
	return res.exit.value > 255 ? 255 : (int)res.exit.value;
}

/* --path, --guest-path: the other side's path, as wslpath prints it. */
static int hr_map(bool to_guest, const char *path)
{
	char out[INTEROP_MAX_PATH];
	char *abs;
	int ret;

	if (to_guest) {
		if (path[0] != '/') {
			hr_msg("%s: a host path must be absolute", path);
			return HR_EXIT_FAILED;
		}
		abs = strdup(path);
		ret = abs ? 0 : -ENOMEM;
	} else {
		ret = hr_abs_path(path, false, &abs);
	}
	if (ret) {
		hr_msg("%s: %s", path, strerror(-ret));
		return HR_EXIT_FAILED;
	}
	if (hr_open_device()) {
		free(abs);
		return HR_EXIT_FAILED;
	}
	ret = hr_dev.map_path(to_guest, abs, out, sizeof(out));
	if (ret == -ENOENT) {
		hr_msg("%s: outside the host's path map", abs);
		free(abs);
		return HR_EXIT_MAPFAIL;
	}
	if (ret == -ENOTCONN)
		hr_msg("the host's interop service is not connected%s", hr_host_why());
	else if (ret == -ENOTTY)
		hr_msg("%s: not an interop device", hr_device_path());
	else if (ret)
		hr_msg("%s: %s", abs, strerror(-ret));
	free(abs);
	if (ret)
		return HR_EXIT_FAILED;
	printf("%s\n", out);
	return fflush(stdout) ? HR_EXIT_FAILED : 0;
}

static int hr_register(const char *hex, const char *dir)
{
	uint8_t magic[128];
	bool changed;
	size_t len;

	if (hr_binfmt_magic(hex, magic, &len)) {
		hr_msg("--magic %s: not an even number of hex digits (at most 256)", hex);
		return HR_EXIT_FAILED;
	}
	if (hr_binfmt_register(dir, magic, len, HR_BINFMT_INTERP, &changed))
		return HR_EXIT_FAILED;
	return 0;
}

enum { HR_OPT_CWD = 256, HR_OPT_PATH, HR_OPT_GUEST_PATH, HR_OPT_REGISTER,
	HR_OPT_MAGIC, HR_OPT_BINFMT_DIR };

static const struct option hr_longopts[] = {
	{ "pty", no_argument, NULL, 't' },
	{ "no-pty", no_argument, NULL, 'T' },
	{ "guest", no_argument, NULL, 'g' },
	{ "no-stdin", no_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "cwd", required_argument, NULL, HR_OPT_CWD },
	{ "path", required_argument, NULL, HR_OPT_PATH },
	{ "guest-path", required_argument, NULL, HR_OPT_GUEST_PATH },
	{ "register-binfmt", no_argument, NULL, HR_OPT_REGISTER },
	{ "magic", required_argument, NULL, HR_OPT_MAGIC },
	{ "binfmt-misc", required_argument, NULL, HR_OPT_BINFMT_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int hr_bad_usage(const char *why)
{
	if (why)
		hr_msg("%s", why);
	hr_usage(stderr);
	return HR_EXIT_FAILED;
}

static int hr_main(int argc, char **argv)
{
	struct hr_opts o = { .pty = -1 };
	const char *map = NULL, *magic = NULL, *dir = HR_BINFMT_DIR;
	bool to_guest = false, reg = false, dir_set = false;
	int c;

	while ((c = getopt_long(argc, argv, "+tTgnqhV", hr_longopts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'T':
			o.pty = c == 't';
			break;
		case 'g':
			o.guest_path = true;
			break;
		case 'n':
			o.no_stdin = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case HR_OPT_CWD:
			o.cwd = optarg;
			break;
		case HR_OPT_PATH:
		case HR_OPT_GUEST_PATH:
			if (map)
				return hr_bad_usage("--path and --guest-path take one path");
			map = optarg;
			to_guest = c == HR_OPT_GUEST_PATH;
			break;
		case HR_OPT_REGISTER:
			reg = true;
			break;
		case HR_OPT_MAGIC:
			magic = optarg;
			break;
		case HR_OPT_BINFMT_DIR:
			dir = optarg;
			dir_set = true;
			break;
		case 'h':
			hr_usage(stdout);
			return 0;
		case 'V':
			printf("hostrun (hostlink) %s\n", HOSTLINK_VERSION);
			return 0;
		default:
			return hr_bad_usage(NULL);
		}
	}
	if ((magic || dir_set) && !reg)
		return hr_bad_usage("--magic and --binfmt-misc go with --register-binfmt");
	if (reg || map) {
		if (optind < argc || (reg && map))
			return hr_bad_usage("too many arguments");
		return reg ? hr_register(magic ? magic : "4d5a", dir) : hr_map(to_guest, map);
	}
	if (optind >= argc)
		return hr_bad_usage("no program given");
	if (o.pty == 1 && o.no_stdin)
		return hr_bad_usage("-n does not go with -t");
	return hr_run(&o, argc - optind, argv + optind);
}

/*
 * binfmt_misc with P: argv[1] the file as exec was given it, argv[2]
 * the original argv[0], then its arguments.  The file is a guest path;
 * the host program gets its absolute form as argv[0] (the spawn has no
 * room for another).
 */
static int hr_binfmt_main(int argc, char **argv)
{
	struct hr_opts o = { .pty = -1, .guest_path = true };

	if (argc < 3) {
		hr_msg("usage: hostrun-binfmt FILE ARGV0 [ARG]... (run by binfmt_misc with flag P)");
		return HR_EXIT_FAILED;
	}
	argv[2] = argv[1];
	return hr_run(&o, argc - 2, argv + 2);
}

/*
 * A closed fd 0, 1 or 2 becomes /dev/null, so that no socket of ours
 * lands there and is taken for stdio (a closed stdin: STDIN_NULL).
 */
static void hr_stdio_open(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			exit(HR_EXIT_FAILED);
	}
}

int main(int argc, char **argv)
{
	const char *name = argc ? strrchr(argv[0], '/') : NULL;

	hr_stdio_open();

	name = !argc ? "hostrun" : name ? name + 1 : argv[0];
	if (!strcmp(name, "hostrun"))
		return hr_main(argc, argv);
	if (!strcmp(name, "hostrun-binfmt"))
		return hr_binfmt_main(argc, argv);
	/* A link named for a host program runs it, arguments untouched. */
	{
		struct hr_opts o = { .pty = -1 };

		argv[0] = (char *)name;
		return hr_run(&o, argc, argv);
	}
}
