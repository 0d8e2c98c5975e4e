// SPDX-License-Identifier: GPL-2.0-only
/*
 * devperm: this distribution's groups on shared device nodes, as POSIX
 * ACL entries (devperm.8).
 *
 *   devperm apply NODE...|--all    add this distribution's entries
 *   devperm revoke [NODE...|--all] remove the entries it added here
 *   devperm status [NODE...]       owner, group, mode, mask, entries
 *
 * Several distributions share one devtmpfs; each one's udev sets the
 * node's owning group to its own gid, and the last one wins.  Entries
 * accumulate instead: each distribution adds group:<its gid>, the mask
 * lets them through, and nobody removes an entry it did not add.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devperm.h"

#ifndef HOSTLINK_VERSION
#define HOSTLINK_VERSION "unknown"
#endif

struct dp_ctx {
	const char *conf_path;
	const char *state_path;
	struct dp_conf conf;
	bool have_conf;
	struct dp_idmap map;
	bool userns;		/* gid_map is not the identity */
	struct dp_state state;
	int shared_fd;
};

static int dp_worse(int rc, int code)
{
	return code > rc ? code : rc;
}

static void dp_node_err(const char *path, const char *what)
{
	fprintf(stderr, "devperm: %s: %s\n", path, what);
}

/* A gid as this distribution names it, into BUF. */
static const char *dp_group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr;

	if (gid == (gid_t)-1)
		return "outside this user namespace";
	gr = getgrgid(gid);
	if (!gr)
		return "unknown here";
	snprintf(buf, len, "%s", gr->gr_name);
	return buf;
}

static void dp_kgid_str(const struct dp_ctx *ctx, gid_t gid, char *buf, size_t len)
{
	uint32_t k;

	if (ctx->userns && !dp_idmap_to_outer(&ctx->map, gid, &k))
		snprintf(buf, len, "gid %u, %u in the kernel", (unsigned int)gid, k);
	else
		snprintf(buf, len, "gid %u", (unsigned int)gid);
}

/* What the rules ask for PATH, each group resolved and mapped. */
static int dp_wants(const struct dp_ctx *ctx, const char *path,
		    struct dp_want *w, size_t *n)
{
	const struct dp_conf *c = &ctx->conf;
	const struct dp_rule *r;
	struct group *gr;
	uint32_t kgid;
	size_t i, j;

	*n = 0;
	for (i = 0; i < c->n; i++) {
		r = &c->rules[i];
		if (fnmatch(r->pattern, path, FNM_PATHNAME))
			continue;
		errno = 0;
		gr = getgrnam(r->group);
		if (!gr)
			return dp_fail(-ENOENT, "%s:%u: no group '%s' in this distribution%s%s",
				       r->file, r->line, r->group, errno ? ": " : "",
				       errno ? strerror(errno) : "");
		kgid = gr->gr_gid;
		if (ctx->userns && dp_idmap_to_outer(&ctx->map, gr->gr_gid, &kgid))
			return dp_fail(-ERANGE, "%s:%u: group '%s' is gid %u here, which /proc/self/gid_map does not map: the kernel has no gid for it",
				       r->file, r->line, r->group, (unsigned int)gr->gr_gid);
		for (j = 0; j < *n; j++)
			if (w[j].gid == gr->gr_gid)
				break;
		if (j < *n) {
			w[j].perm |= r->perm;
			continue;
		}
		if (*n == DP_CHANGES_MAX)
			return dp_fail(-E2BIG, "more than %d groups for one node", DP_CHANGES_MAX);
		w[*n] = (struct dp_want){ gr->gr_gid, kgid, r->group, r->perm };
		(*n)++;
	}
	return 0;
}

static void dp_say_plan(const struct dp_ctx *ctx, const char *path,
			const struct dp_plan *plan, const char *verb)
{
	char name[256], ids[64], from[4], to[4];
	size_t i;

	if (!dp_verbose)
		return;
	for (i = 0; i < plan->n; i++) {
		const struct dp_change *c = &plan->ch[i];

		dp_perm_str(c->from, from);
		dp_perm_str(c->to, to);
		dp_kgid_str(ctx, c->gid, ids, sizeof(ids));
		switch (c->kind) {
		case DP_CH_ADD:
			printf("devperm: %s: %s group:%s (%s) %s\n", path, verb,
			       dp_group_name(c->gid, name, sizeof(name)), ids, to);
			break;
		case DP_CH_WIDEN:
			printf("devperm: %s: group:%s (%s) %s -> %s\n", path,
			       dp_group_name(c->gid, name, sizeof(name)), ids, from, to);
			break;
		case DP_CH_MASK:
			printf("devperm: %s: mask %s -> %s\n", path,
			       c->from == DP_PERM_NONE ? "none" : from, to);
			break;
		case DP_CH_REMOVE:
			printf("devperm: %s: removed group:%s (%s) %s\n", path,
			       dp_group_name(c->gid, name, sizeof(name)), ids, from);
			break;
		}
	}
}

/* The node's path, symlinks resolved; a node that is gone is an error. */
static int dp_node_path(const char *arg, char *path, struct stat *st)
{
	if (!realpath(arg, path)) {
		if (errno == ENOENT)
			return dp_fail(-ENOENT, "the node is gone (or never was)");
		return dp_fail(-errno, "%s", strerror(errno));
	}
	if (stat(path, st))
		return dp_fail(-errno, "%s", strerror(errno));
	if (S_ISDIR(st->st_mode))
		return dp_fail(-EISDIR, "a directory, not a device node");
	return 0;
}

static int dp_apply_node(struct dp_ctx *ctx, const char *arg)
{
	struct dp_want w[DP_CHANGES_MAX];
	char path[PATH_MAX];
	struct dp_plan plan;
	void *acl = NULL, *orig = NULL;
	struct stat st;
	size_t n, i;
	int err;

	err = dp_node_path(arg, path, &st);
	if (err) {
		dp_node_err(arg, dp_err());
		return DP_EXIT_FAILED;
	}
	err = dp_wants(ctx, path, w, &n);
	if (err) {
		dp_node_err(path, dp_err());
		return DP_EXIT_FAILED;
	}
	if (!n) {
		if (dp_verbose)
			printf("devperm: %s: no rule names it; left alone\n", path);
		return DP_EXIT_OK;
	}
	err = dp_acl_read(path, &acl);
	if (!err) {
		orig = acl_dup(acl);
		if (!orig)
			err = dp_fail(-ENOMEM, "out of memory");
	}
	if (!err) {
		err = dp_acl_apply_mem(&acl, w, n, &plan);
		/*
		 * Nothing to write is fine even beside entries this namespace
		 * cannot map (libacl calls their -1 invalid); a write is not.
		 */
		if ((err || plan.n) && ctx->userns && dp_acl_check_mapped(orig))
			err = -EXDEV;
	}
	if (!err && plan.n)
		err = dp_acl_write(path, acl);
	if (err)
		goto err_free;
	for (i = 0; i < plan.n && !err; i++)
		if (plan.ch[i].kind == DP_CH_ADD)
			err = dp_state_add(&ctx->state, st.st_dev, st.st_ino,
					   plan.ch[i].gid, path);
	if (!err && plan.n)
		err = dp_state_save(&ctx->state);
	if (err) {
		/* Unrecorded entries could never be revoked: undo them. */
		char why[512];

		snprintf(why, sizeof(why), "%s", dp_err());
		if (dp_acl_write(path, orig))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "; and the ACL could not be put back: %s", dp_err());
		dp_fail(err, "%s", why);
		goto err_free;
	}
	dp_say_plan(ctx, path, &plan, "added");
	dp_acl_free(orig);
	dp_acl_free(acl);
	return DP_EXIT_OK;

err_free:
	dp_node_err(path, dp_err());
	dp_acl_free(orig);
	dp_acl_free(acl);
	return DP_EXIT_FAILED;
}

/* Remove this distribution's entries from the node DEV:INO at PATH. */
static int dp_revoke_inode(struct dp_ctx *ctx, uint64_t dev, uint64_t ino,
			   const char *path)
{
	gid_t gids[DP_CHANGES_MAX];
	struct dp_plan plan;
	void *acl = NULL;
	struct stat st;
	size_t i, n = 0;
	int err;

	for (i = 0; i < ctx->state.n && n < DP_CHANGES_MAX; i++)
		if (ctx->state.a[i].dev == dev && ctx->state.a[i].ino == ino)
			gids[n++] = ctx->state.a[i].gid;
	if (stat(path, &st) || st.st_dev != dev || st.st_ino != ino) {
		/* The node went away with our entries: nothing to remove. */
		if (dp_verbose)
			printf("devperm: %s: gone or made anew; its entries are forgotten\n", path);
		goto forget;
	}
	err = dp_acl_read(path, &acl);
	if (!err && ctx->userns)
		err = dp_acl_check_mapped(acl);
	if (!err)
		err = dp_acl_revoke_mem(acl, gids, n, &plan);
	if (!err && plan.n)
		err = dp_acl_write(path, acl);
	dp_acl_free(acl);
	if (err) {
		dp_node_err(path, dp_err());
		return DP_EXIT_FAILED;
	}
	dp_say_plan(ctx, path, &plan, "removed");
forget:
	for (i = 0; i < n; i++)
		dp_state_del(&ctx->state, dev, ino, gids[i]);
	if (dp_state_save(&ctx->state)) {
		dp_node_err(ctx->state.file, dp_err());
		return DP_EXIT_FAILED;
	}
	return DP_EXIT_OK;
}

static int dp_revoke(struct dp_ctx *ctx, char **nodes, int n)
{
	char path[PATH_MAX];
	struct stat st;
	int i, rc = DP_EXIT_OK;

	if (n == 0) {
		/* Every recorded node, once; a failed one stays recorded. */
		struct dp_added *u = calloc(ctx->state.n + 1, sizeof(*u));
		size_t k, j, nu = 0;

		if (!u) {
			fprintf(stderr, "devperm: out of memory\n");
			return DP_EXIT_FAILED;
		}
		for (k = 0; k < ctx->state.n; k++) {
			for (j = 0; j < nu; j++)
				if (u[j].dev == ctx->state.a[k].dev && u[j].ino == ctx->state.a[k].ino)
					break;
			if (j < nu)
				continue;
			u[nu] = ctx->state.a[k];
			u[nu].path = strdup(ctx->state.a[k].path);
			if (!u[nu].path)
				break;
			nu++;
		}
		for (j = 0; j < nu; j++) {
			rc = dp_worse(rc, dp_revoke_inode(ctx, u[j].dev, u[j].ino, u[j].path));
			free(u[j].path);
		}
		free(u);
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (dp_node_path(nodes[i], path, &st)) {
			dp_node_err(nodes[i], dp_err());
			rc = dp_worse(rc, DP_EXIT_FAILED);
			continue;
		}
		rc = dp_worse(rc, dp_revoke_inode(ctx, st.st_dev, st.st_ino, path));
	}
	return rc;
}

static int dp_status_node(struct dp_ctx *ctx, const char *arg)
{
	struct dp_want w[DP_CHANGES_MAX];
	char path[PATH_MAX], name[256], ids[64], p[4], eff[4];
	struct dp_acl_info info;
	struct passwd *pw;
	struct stat st;
	void *acl = NULL;
	size_t i, j, nw = 0;
	int err;

	if (dp_node_path(arg, path, &st)) {
		dp_node_err(arg, dp_err());
		return DP_EXIT_FAILED;
	}
	if (ctx->have_conf && dp_wants(ctx, path, w, &nw)) {
		printf("%s: %s\n", path, dp_err());
		nw = 0;
	}
	pw = getpwuid(st.st_uid);
	printf("%s: owner %s, group %s (gid %u), mode %04o", path,
	       pw ? pw->pw_name : "unknown here",
	       dp_group_name(st.st_gid, name, sizeof(name)), (unsigned int)st.st_gid,
	       (unsigned int)(st.st_mode & 07777));
	err = dp_acl_read(path, &acl);
	if (!err)
		err = dp_acl_info(acl, &info);
	dp_acl_free(acl);
	if (err) {
		printf("\n");
		dp_node_err(path, dp_err());
		return DP_EXIT_FAILED;
	}
	if (info.has_mask) {
		dp_perm_str(info.mask, p);
		printf(", mask %s\n", p);
	} else {
		printf(", no ACL entries\n");
	}
	for (i = 0; i < info.n; i++) {
		const struct dp_entry *e = &info.e[i];
		const char *whose = "";

		dp_perm_str(e->perm, p);
		dp_perm_str(e->perm & (info.has_mask ? info.mask : 7), eff);
		if (e->tag == ACL_USER) {
			pw = e->id == (id_t)-1 ? NULL : getpwuid(e->id);
			if (e->id == (id_t)-1)
				printf("  user:? (a uid outside this user namespace) %s", p);
			else
				printf("  user:%s (uid %u) %s", pw ? pw->pw_name : "unknown here",
				       (unsigned int)e->id, p);
		} else {
			if (dp_state_has(&ctx->state, st.st_dev, st.st_ino, e->id))
				whose = ", added here";
			else
				for (j = 0; j < nw; j++)
					if (w[j].gid == e->id)
						whose = ", configured here (not added by devperm here)";
			dp_kgid_str(ctx, e->id, ids, sizeof(ids));
			if (e->id == (id_t)-1)
				printf("  group:? (a gid outside this user namespace) %s", p);
			else
				printf("  group:%s (%s) %s", dp_group_name(e->id, name, sizeof(name)),
				       ids, p);
			printf("%s", whose);
		}
		if (strcmp(p, eff))
			printf(" (effective %s: the mask)", eff);
		printf("\n");
	}
	for (j = 0; j < nw; j++) {
		bool found = false;

		for (i = 0; i < info.n; i++)
			if (info.e[i].tag == ACL_GROUP && info.e[i].id == w[j].gid)
				found = true;
		if (!found)
			printf("  group:%s (gid %u) missing: devperm apply adds it\n",
			       w[j].group, (unsigned int)w[j].gid);
	}
	return DP_EXIT_OK;
}

static void dp_usage(FILE *f)
{
	fprintf(f,
		"usage: devperm [OPTION]... apply NODE...|--all\n"
		"       devperm [OPTION]... revoke [NODE...|--all]\n"
		"       devperm [OPTION]... status [NODE...]\n"
		"\n"
		"Give this distribution's groups access to device nodes that several\n"
		"distributions share (/dev/dxg, /dev/dri/*) through POSIX ACL entries,\n"
		"as " DP_CONF_ETC " (else " DP_CONF_USR ") says: one line per node\n"
		"pattern, group name and permission.  Groups are resolved here, and\n"
		"mapped through /proc/self/gid_map inside a user namespace.\n"
		"\n"
		"  apply     add group:GID entries and let the mask allow them\n"
		"  revoke    remove the entries devperm added in this distribution\n"
		"            (every node when none is named)\n"
		"  status    owner, group, mode, mask and each entry (every configured\n"
		"            node when none is named)\n"
		"\n"
		"  -c, --config FILE  read FILE instead\n"
		"      --state FILE   where the entries added here are recorded\n"
		"                     (default " DP_STATE_FILE ")\n"
		"  -v, --verbose      one line per change\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n"
		"\n"
		"Exit status: 0 done; 1 a node was left as it was (unknown group, node\n"
		"gone, no ACL support, unmapped gid); 2 usage or configuration error.\n"
		"See devperm(8).\n");
}

/* Lock the shared devtmpfs against another distribution's devperm. */
static void dp_lock_shared(struct dp_ctx *ctx)
{
	ctx->shared_fd = open(DP_SHARED_LOCK, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->shared_fd >= 0 && flock(ctx->shared_fd, LOCK_EX) && dp_verbose)
		printf("devperm: cannot lock %s: %s\n", DP_SHARED_LOCK, strerror(errno));
}

enum { DP_CONF_NEED, DP_CONF_WANT, DP_CONF_SKIP };

static int dp_setup(struct dp_ctx *ctx, int conf)
{
	int err = 0;

	if (conf == DP_CONF_SKIP)
		goto idmap;
	err = dp_conf_load(&ctx->conf, ctx->conf_path);
	if (err) {
		if (conf == DP_CONF_NEED) {
			fprintf(stderr, "devperm: %s\n", dp_err());
			return DP_EXIT_USAGE;
		}
		fprintf(stderr, "devperm: warning: %s\n", dp_err());
	} else {
		ctx->have_conf = true;
	}
idmap:
	err = dp_idmap_load(&ctx->map, "/proc/self/gid_map");
	if (err) {
		if (err != -ENOENT) {
			fprintf(stderr, "devperm: %s\n", dp_err());
			return DP_EXIT_USAGE;
		}
		ctx->map.n = 0;	/* no user namespaces in this kernel */
	} else {
		ctx->userns = !dp_idmap_identity(&ctx->map);
	}
	dp_lock_shared(ctx);
	err = dp_state_open(&ctx->state, ctx->state_path);
	if (err) {
		fprintf(stderr, "devperm: %s\n", dp_err());
		return DP_EXIT_FAILED;
	}
	return DP_EXIT_OK;
}

/*
 * One option: -1 to go on, else the exit status.  @all is where --all
 * goes, NULL before the command (where --help and --version are).
 */
static int dp_option(int c, struct dp_ctx *ctx, bool *all)
{
	switch (c) {
	case 'a':
		if (!all)
			break;
		*all = true;
		return -1;
	case 'c':
		ctx->conf_path = optarg;
		return -1;
	case 's':
		ctx->state_path = optarg;
		return -1;
	case 'v':
		dp_verbose = 1;
		return -1;
	case 'h':
		if (all)
			break;
		dp_usage(stdout);
		return DP_EXIT_OK;
	case 'V':
		if (all)
			break;
		printf("devperm %s\n", HOSTLINK_VERSION);
		return DP_EXIT_OK;
	}
	dp_usage(stderr);
	return DP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	struct dp_ctx ctx = { .state_path = DP_STATE_FILE, .shared_fd = -1 };
	struct dp_nodes all = { 0 };
	bool opt_all = false;
	const char *cmd;
	char **nodes;
	int c, n, i, rc;

	/* Options before the command (+: stop at it), then after it. */
	while ((c = getopt_long(argc, argv, "+c:vhV", longopts, NULL)) != -1)
		if ((rc = dp_option(c, &ctx, NULL)) >= 0)
			return rc;
	if (optind >= argc) {
		dp_usage(stderr);
		return DP_EXIT_USAGE;
	}
	cmd = argv[optind++];
	while ((c = getopt_long(argc, argv, "c:vhV", longopts, NULL)) != -1)
		if ((rc = dp_option(c, &ctx, &opt_all)) >= 0)
			return rc;
	nodes = argv + optind;
	n = argc - optind;
	if (strcmp(cmd, "apply") && strcmp(cmd, "revoke") && strcmp(cmd, "status")) {
		fprintf(stderr, "devperm: unknown command '%s' (apply, revoke, status)\n", cmd);
		return DP_EXIT_USAGE;
	}
	if (opt_all && n) {
		fprintf(stderr, "devperm: %s: name nodes or --all, not both\n", cmd);
		return DP_EXIT_USAGE;
	}
	if (opt_all && !strcmp(cmd, "status")) {
		fprintf(stderr, "devperm: status takes no --all: it shows every configured node when none is named\n");
		return DP_EXIT_USAGE;
	}
	if (!strcmp(cmd, "apply") && !opt_all && !n) {
		fprintf(stderr, "devperm: apply: name the nodes, or --all\n");
		return DP_EXIT_USAGE;
	}
	rc = dp_setup(&ctx, !strcmp(cmd, "apply") ? DP_CONF_NEED :
			    !strcmp(cmd, "revoke") ? DP_CONF_SKIP : DP_CONF_WANT);
	if (rc)
		goto out;
	if (!strcmp(cmd, "revoke")) {
		rc = dp_revoke(&ctx, nodes, n);
		goto out;
	}
	if (!n && ctx.have_conf) {
		if (dp_nodes_all(&ctx.conf, &all)) {
			fprintf(stderr, "devperm: %s\n", dp_err());
			rc = DP_EXIT_FAILED;
			goto out;
		}
		if (!strcmp(cmd, "status"))
			for (i = 0; i < (int)ctx.state.n; i++)
				if (dp_nodes_add(&all, ctx.state.a[i].path))
					break;
		nodes = all.path;
		n = all.n;
	}
	for (i = 0; i < n; i++)
		rc = dp_worse(rc, !strcmp(cmd, "apply") ? dp_apply_node(&ctx, nodes[i]) :
						  dp_status_node(&ctx, nodes[i]));
out:
	dp_nodes_free(&all);
	dp_state_close(&ctx.state);
	if (ctx.have_conf)
		dp_conf_free(&ctx.conf);
	if (ctx.shared_fd >= 0)
		close(ctx.shared_fd);
	return rc;
}
