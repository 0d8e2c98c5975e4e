/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interop service's I/O-free parts (Documentation/
 * interop-protocol.rst):
 *
 *   hl_interop_parse.c   requests from the wire, each malformed case to
 *                        its documented errno; INFO's version choice;
 *                        signal numbers between wire and host
 *   hl_interop_env.c     the program's environment: the host user's
 *                        HOME, USER, SHELL, PATH and the guest variables
 *                        interop_env_allow names
 *   hl_interop_path.c    lexical path normalisation and the path map
 *   hl_interop_policy.c  which program argv[0] names, and whether it
 *                        may run (interop_path, interop_allow), through
 *                        a probe of the file system that tests fake
 *
 * Its configuration, struct hl_interop_cfg, is in hl_interop_cfg.h,
 * part of the daemon's configuration.
 */
#ifndef HL_INTEROP_H
#define HL_INTEROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/interop_wire.h>

#include "hl_interop_cfg.h"

/* An OPEN, checked; every string copied into @mem. */
struct hl_interop_open {
	uint64_t session;
	uint32_t flags;			/* INTEROP_WIRE_OPEN_F_* */
	uint16_t rows, cols;
	uint32_t argc, envc;
	char **argv;			/* @argc strings, then NULL */
	char **envv;			/* @envc "NAME=value", then NULL */
	char *cwd;			/* "" or an absolute guest path */
	void *mem;			/* the one allocation behind them */
};

/* A request, parsed: @op says which member is valid. */
struct hl_interop_req {
	uint32_t op;			/* enum interop_wire_op */
	union {
		struct {
			uint16_t min_version, max_version;
			uint64_t features;
		} info;
		struct hl_interop_open open;
		uint64_t session;	/* START, CLOSE */
		struct {
			uint64_t session;
			uint32_t signo;	/* wire number, 1 to 64 */
		} signal;
		struct {
			uint64_t session;
			uint16_t rows, cols;
		} resize;
		struct {
			uint32_t flags;	/* INTEROP_WIRE_MAPPATH_F_* */
			const char *path;	/* in the payload, not copied */
		} mappath;
	};
};

int hl_interop_parse(uint32_t op, const uint8_t *p, uint32_t len,
		     struct hl_interop_req *out);
void hl_interop_req_free(struct hl_interop_req *r);
int hl_interop_info_reply(const struct hl_interop_req *req,
			  const struct hl_interop_cfg *ic,
			  struct interop_wire_info_reply *out);
int hl_interop_sig_to_host(uint32_t wire);
int hl_interop_sig_to_wire(int host);

/* The host user a program runs as: from the password database. */
struct hl_interop_user {
	const char *home;
	const char *user;
	const char *shell;
};

int hl_interop_env_build(const struct hl_interop_cfg *ic,
			 const struct hl_interop_user *u,
			 char *const *genv, unsigned int n, char ***out);
bool hl_interop_env_allowed(const struct hl_interop_cfg *ic, const char *name,
			    size_t len);

int hl_interop_path_norm(const char *in, char *out, size_t outlen);
int hl_interop_map_path(const struct hl_interop_cfg *ic, bool to_guest,
			const char *in, char *out, size_t outlen);

/**
 * struct hl_interop_probe - what the policy asks of the file system
 * @probe: does @path name a file?  0 with its resolved path (as
 *	realpath(3): absolute, no symlinks) in @real, -ENOENT if it does
 *	not exist, -EACCES if it exists but is not a regular file that
 *	the daemon's user may execute, -ENAMETOOLONG, another -errno.
 * @ctx: for @probe.
 */
struct hl_interop_probe {
	int (*probe)(void *ctx, const char *path, char *real, size_t reallen);
	void *ctx;
};

extern const struct hl_interop_probe hl_interop_probe_fs;

bool hl_interop_allowed(const struct hl_interop_cfg *ic, const char *real);
int hl_interop_resolve(const struct hl_interop_cfg *ic,
		       const struct hl_interop_probe *pr, const char *argv0,
		       bool guest_path, char *out, size_t outlen);

#endif /* HL_INTEROP_H */
