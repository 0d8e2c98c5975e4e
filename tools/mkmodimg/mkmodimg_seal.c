// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkmodimg-seal: mkmodimg's helper, run by it, not by people.
 *
 *   mkmodimg-seal uuid5 NAMESPACE NAME   print the version 5 UUID
 *   mkmodimg-seal ext4 EPOCH IMAGE       owners, modes, times of an ext4 image
 *   mkmodimg-seal vhdx FILE              identifiers and log of a VHDX
 *   mkmodimg-seal --version
 *
 * Exit status: 0 done, 1 the file could not be sealed (the message
 * names it and says why), 2 bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modimg.h"

#ifndef HOSTLINK_VERSION
#error "HOSTLINK_VERSION comes from include/linux/hostlink.h through the Makefile"
#endif

static int modimg_usage(FILE *f)
{
	fputs("usage: mkmodimg-seal uuid5 NAMESPACE NAME\n"
	      "       mkmodimg-seal ext4 EPOCH IMAGE\n"
	      "       mkmodimg-seal vhdx FILE\n"
	      "       mkmodimg-seal --version\n", f);
	return f == stdout ? 0 : 2;
}

static int modimg_cmd_uuid5(const char *ns_str, const char *name)
{
	uint8_t ns[16], u[16];
	char s[37];

	if (hl_uuid_parse(ns_str, ns)) {
		fprintf(stderr, "mkmodimg-seal: '%s' is not a UUID\n", ns_str);
		return 2;
	}
	hl_uuid5(ns, name, strlen(name), u);
	hl_uuid_format(u, s);
	printf("%s\n", s);
	return 0;
}

static int modimg_cmd_ext4(const char *epoch_str, const char *file)
{
	char *end;
	long long epoch;

	errno = 0;
	epoch = strtoll(epoch_str, &end, 10);
	if (errno || end == epoch_str || *end || epoch < 0) {
		fprintf(stderr, "mkmodimg-seal: epoch '%s' is not a number of seconds\n",
			epoch_str);
		return 2;
	}
	return modimg_ext4_seal(file, epoch) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("mkmodimg-seal %s\n", HOSTLINK_VERSION);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return modimg_usage(stdout);
	if (argc == 4 && !strcmp(argv[1], "uuid5"))
		return modimg_cmd_uuid5(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "ext4"))
		return modimg_cmd_ext4(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "vhdx"))
		return modimg_vhdx_seal(argv[2]) ? 1 : 0;
	return modimg_usage(stderr);
}
