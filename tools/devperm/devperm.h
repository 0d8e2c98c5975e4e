/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devperm: give this distribution's groups access to device nodes that
 * several distributions share (one devtmpfs under one kernel), through
 * POSIX ACL entries instead of the node's owning group (devperm.8).
 * Internal interfaces between the files: dp_conf.c (the configuration),
 * dp_idmap.c (/proc/self/gid_map), dp_acl.c (ACL edits in memory and on
 * a node), dp_state.c (which entries this distribution added),
 * dp_nodes.c (finding the nodes: libdrm and the configured patterns).
 *
 * Every fallible function returns 0 or a negative errno and, on error,
 * leaves a message for dp_err() to return.
 */
#ifndef DP_DEVPERM_H
#define DP_DEVPERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum dp_exit {
	DP_EXIT_OK = 0,
	DP_EXIT_FAILED = 1,	/* a node was left as it was */
	DP_EXIT_USAGE = 2,	/* bad arguments or configuration */
};

#define DP_CONF_ETC	"/etc/devperm.conf"
#define DP_CONF_USR	"/usr/lib/devperm.conf"
#define DP_STATE_DIR	"/run/devperm"
#define DP_STATE_FILE	DP_STATE_DIR "/entries"
/* The directory every distribution shares with the others: its lock. */
#define DP_SHARED_LOCK	"/dev"

#define DP_PERM_R	4u	/* as ACL_READ */
#define DP_PERM_W	2u	/* as ACL_WRITE */
#define DP_PERM_X	1u	/* as ACL_EXECUTE; never asked for */
#define DP_PERM_NONE	0x100u	/* a mask that was not there */

/* dp_util.c */
const char *dp_err(void);
__attribute__((format(printf, 2, 3)))
int dp_fail(int err, const char *fmt, ...);
extern int dp_verbose;
void dp_perm_str(unsigned int perm, char out[4]);

/* dp_conf.c */
struct dp_rule {
	char *pattern;		/* fnmatch(3) glob on the node's path */
	char *group;		/* a group name, resolved through NSS */
	unsigned int perm;	/* DP_PERM_R | DP_PERM_W */
	const char *file;	/* where the line is, for messages */
	unsigned int line;
};

struct dp_conf {
	char *file;
	struct dp_rule *rules;
	size_t n;
};

int dp_perm_parse(const char *s, unsigned int *perm);
int dp_conf_parse(struct dp_conf *c, const char *file, const char *text);
int dp_conf_load(struct dp_conf *c, const char *path);
void dp_conf_free(struct dp_conf *c);
bool dp_conf_matches(const struct dp_conf *c, const char *path);

/* dp_idmap.c: a /proc/<pid>/gid_map */
#define DP_IDMAP_MAX	340	/* the kernel's limit of lines */

struct dp_idmap {
	size_t n;
	struct {
		uint32_t inner;	/* first id here */
		uint32_t outer;	/* first id in the parent namespace */
		uint32_t count;
	} r[DP_IDMAP_MAX];
};

int dp_idmap_parse(struct dp_idmap *m, const char *text);
int dp_idmap_load(struct dp_idmap *m, const char *path);
bool dp_idmap_identity(const struct dp_idmap *m);
int dp_idmap_to_outer(const struct dp_idmap *m, uint32_t id, uint32_t *out);

/* dp_acl.c */
struct dp_want {
	gid_t gid;		/* as this distribution (namespace) sees it */
	gid_t kgid;		/* the kernel's, for messages */
	const char *group;
	unsigned int perm;
};

/* One change to a node's ACL, said with -v. */
struct dp_change {
	enum { DP_CH_ADD, DP_CH_WIDEN, DP_CH_MASK, DP_CH_REMOVE } kind;
	gid_t gid;
	unsigned int from, to;
};

#define DP_CHANGES_MAX	64

struct dp_plan {
	size_t n;
	struct dp_change ch[DP_CHANGES_MAX];
};

void *dp_acl_from_text(const char *text);
char *dp_acl_to_text(void *acl);
void dp_acl_free(void *acl);
int dp_acl_apply_mem(void **acl, const struct dp_want *w, size_t n,
		     struct dp_plan *plan);
int dp_acl_revoke_mem(void *acl, const gid_t *gids, size_t n,
		      struct dp_plan *plan);
int dp_acl_check_mapped(void *acl);
int dp_acl_read(const char *path, void **acl);
int dp_acl_write(const char *path, void *acl);

struct dp_entry {
	int tag;		/* ACL_USER, ACL_GROUP */
	id_t id;
	unsigned int perm;
};

struct dp_acl_info {
	unsigned int user_obj, group_obj, other, mask;
	bool has_mask;
	size_t n;
	struct dp_entry e[DP_CHANGES_MAX];
};

int dp_acl_info(void *acl, struct dp_acl_info *info);

/* dp_state.c: one line per entry added, "DEV:INO GID PATH" */
struct dp_added {
	uint64_t dev, ino;
	gid_t gid;
	char *path;
};

struct dp_state {
	const char *file;
	int lock_fd;
	size_t n;
	struct dp_added *a;
};

int dp_state_open(struct dp_state *s, const char *file);
int dp_state_parse(struct dp_state *s, const char *text);
bool dp_state_has(const struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid);
int dp_state_add(struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid,
		 const char *path);
void dp_state_del(struct dp_state *s, uint64_t dev, uint64_t ino, gid_t gid);
int dp_state_save(struct dp_state *s);
void dp_state_close(struct dp_state *s);

/* dp_nodes.c */
struct dp_nodes {
	size_t n;
	char **path;
};

int dp_nodes_add(struct dp_nodes *ns, const char *path);
int dp_nodes_all(const struct dp_conf *c, struct dp_nodes *ns);
void dp_nodes_free(struct dp_nodes *ns);

#endif
