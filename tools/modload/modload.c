// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: make kernel modules live for the running kernel, from
 * /lib/modules/$(uname -r) or, when they are not there, from an
 * attached modules image (Documentation/modules-image.rst, modload.8).
 *
 *   modload ensure NAME...   load NAME and its dependencies
 *   modload boot             ensure what modload.d lists
 *   modload status           what was asked, and where it stands now
 *
 * The common case stays as lean as modprobe: one libkmod context, no
 * image scan and no depmod when the base tree has the module.
 */
#include <errno.h>
#include <getopt.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "modload.h"

#ifndef HOSTLINK_VERSION
#define HOSTLINK_VERSION "unknown"
#endif

struct ml_opts {
	const char *image;	/* --image SPEC, or NULL: find by UUID */
	bool no_image;
};

static void ml_usage(FILE *f)
{
	fprintf(f,
		"usage: modload [OPTION]... ensure NAME...\n"
		"       modload [OPTION]... boot\n"
		"       modload status\n"
		"\n"
		"Load kernel modules (names or aliases) with their dependencies for the\n"
		"running kernel.  A module missing from /lib/modules/$(uname -r) is taken\n"
		"from the attached modules image (ext4, label " ML_LABEL ", UUIDv5 of the\n"
		"release), overlaid on that directory as WSL does.\n"
		"\n"
		"  ensure NAME...   make each NAME live (or built-in)\n"
		"  boot             ensure the names in /etc/modload.d/*.conf and\n"
		"                   /usr/lib/modload.d/*.conf (modload.service)\n"
		"  status           requests since boot, their state now, the image\n"
		"\n"
		"  --image SPEC     the image: UUID=..., LABEL=..., a block device or a\n"
		"                   raw ext4 file (attached to a loop device)\n"
		"  --no-image       never look for a modules image\n"
		"  -q, --quiet      print errors only\n"
		"  -v, --verbose    say what is done (insmod lines, mounts, depmod);\n"
		"                   twice: libkmod's debug log too\n"
		"  -h, --help       this text\n"
		"  -V, --version    the version\n"
		"\n"
		"Exit status: 0 all live or built-in (or their modprobe.d install command\n"
		"ran and exited 0); 1 at least one failed to load (is blacklisted, or its\n"
		"install command failed); 2 usage; 3 not found in the tree nor in an image;\n"
		"4 image problem (wrong release, corrupt, cannot mount, --image not there\n"
		"or not the image already overlaid); 5 environment\n"
		"(not root, no libkmod context).  See modload(8).\n");
}

static int ml_worse(int rc, int code)
{
	return code > rc ? code : rc;
}

static void ml_report(const char *name, const struct ml_outcome *out)
{
	switch (out->res) {
	case ML_RES_LOADED:
		ml_info("%s: loaded\n", name);
		break;
	case ML_RES_LIVE:
		ml_info("%s: already live\n", name);
		break;
	case ML_RES_BUILTIN:
		ml_info("%s: built-in\n", name);
		break;
	case ML_RES_INSTALL:
		ml_info("%s: %s\n", name, out->reason);
		break;
	case ML_RES_BLACKLISTED:
	case ML_RES_NOTFOUND:
		fprintf(stderr, "modload: %s: %s\n", name, out->reason);
		break;
	case ML_RES_FAILED:
		break;	/* said with the kernel log lines where it failed */
	}
}

/*
 * An --image file needs a loop device; /dev/loop-control appears only
 * once the loop driver is there (a module on most distributions).
 */
static void ml_need_loop(struct kmod_ctx *ctx, const char *spec,
			 const char *release)
{
	struct ml_outcome out;
	struct stat st;

	if (!spec || stat(spec, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !stat("/dev/loop-control", &st))
		return;
	ml_debug("loading loop for /dev/loop-control\n");
	ml_load(ctx, "loop", release, &out);
}

static int ml_ensure(const struct ml_opts *o, char **names, int n)
{
	struct ml_image_info info;
	struct ml_outcome out;
	struct kmod_ctx *ctx;
	struct utsname uts;
	bool need_image = o->image != NULL;
	int i, err, rc = ML_EXIT_OK;

	if (geteuid() != 0) {
		fprintf(stderr, "modload: must run as root (loading modules and mounting the image need it)\n");
		return ML_EXIT_ENV;
	}
	if (uname(&uts) < 0) {
		fprintf(stderr, "modload: uname: %s\n", strerror(errno));
		return ML_EXIT_ENV;
	}
	ctx = ml_ctx_new();
	if (!ctx) {
		fprintf(stderr, "modload: cannot create a libkmod context for /lib/modules/%s\n",
			uts.release);
		return ML_EXIT_ENV;
	}
	/* The image only when the tree lacks a name (or --image says so). */
	for (i = 0; i < n && !need_image && !o->no_image; i++)
		if (ml_lookup_count(ctx, names[i]) == 0)
			need_image = true;
	if (need_image && !o->no_image) {
		ml_need_loop(ctx, o->image, uts.release);
		err = ml_image_ensure(o->image, uts.release, &info);
		if (!err) {
			if (info.reused)
				ml_debug("reusing the overlay on /lib/modules/%s\n",
					 uts.release);
			else
				ml_info("image: %s (kernel %s) overlaid on /lib/modules/%s\n",
					info.backing[0] ? info.backing : info.source,
					info.mi.release, uts.release);
			kmod_unref(ctx);
			ctx = ml_ctx_new();
			if (!ctx) {
				fprintf(stderr, "modload: cannot create a libkmod context\n");
				return ML_EXIT_ENV;
			}
		} else if (err == -ENODEV && !o->image) {
			ml_debug("no modules image attached: %s\n", ml_err());
		} else {
			fprintf(stderr, "modload: modules image: %s\n", ml_err());
			rc = ML_EXIT_IMAGE;
		}
	}
	for (i = 0; i < n; i++) {
		ml_load(ctx, names[i], uts.release, &out);
		ml_state_record(names[i], &out);
		ml_report(names[i], &out);
		if (out.res == ML_RES_NOTFOUND)
			rc = ml_worse(rc, ML_EXIT_NOTFOUND);
		else if (out.res >= ML_RES_BLACKLISTED)
			rc = ml_worse(rc, ML_EXIT_FAILED);
	}
	kmod_unref(ctx);
	return rc;
}

static int ml_boot(const struct ml_opts *o)
{
	char **names;
	int n, i, bad, rc;

	bad = ml_boot_names(&names, &n);
	if (bad < 0) {
		fprintf(stderr, "modload: reading modload.d: %s\n", strerror(-bad));
		return ML_EXIT_ENV;
	}
	rc = n ? ml_ensure(o, names, n) : ML_EXIT_OK;
	if (bad)
		rc = ml_worse(rc, ML_EXIT_FAILED);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "no-image", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ml_opts o = { 0 };
	struct utsname uts;
	const char *cmd, *why;
	int c, i;

	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!*optarg) {
				fprintf(stderr, "modload: --image needs a UUID=, LABEL=, device or file\n");
				return ML_EXIT_USAGE;
			}
			o.image = optarg;
			break;
		case 'n':
			o.no_image = true;
			break;
		case 'q':
			ml_verbosity = 0;
			break;
		case 'v':
			ml_verbosity = ml_verbosity < 2 ? 2 : 3;
			break;
		case 'h':
			ml_usage(stdout);
			return ML_EXIT_OK;
		case 'V':
			printf("modload (hostlink) %s\n", HOSTLINK_VERSION);
			return ML_EXIT_OK;
		default:
			ml_usage(stderr);
			return ML_EXIT_USAGE;
		}
	}
	if (o.image && o.no_image) {
		fprintf(stderr, "modload: --image and --no-image contradict each other\n");
		return ML_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "modload: no command (ensure, boot or status)\n");
		ml_usage(stderr);
		return ML_EXIT_USAGE;
	}
	cmd = argv[optind++];
	if (!strcmp(cmd, "ensure")) {
		if (optind >= argc) {
			fprintf(stderr, "modload: ensure: no module name\n");
			return ML_EXIT_USAGE;
		}
		for (i = optind; i < argc; i++) {
			if (!ml_name_valid(argv[i], &why)) {
				fprintf(stderr, "modload: ensure '%s': %s\n", argv[i], why);
				return ML_EXIT_USAGE;
			}
		}
		return ml_ensure(&o, argv + optind, argc - optind);
	}
	if (!strcmp(cmd, "boot") || !strcmp(cmd, "status")) {
		if (optind < argc) {
			fprintf(stderr, "modload: %s takes no arguments\n", cmd);
			return ML_EXIT_USAGE;
		}
		if (!strcmp(cmd, "boot"))
			return ml_boot(&o);
		if (uname(&uts) < 0)
			return ML_EXIT_ENV;
		return ml_status(uts.release);
	}
	fprintf(stderr, "modload: unknown command '%s' (ensure, boot or status)\n", cmd);
	return ML_EXIT_USAGE;
}
