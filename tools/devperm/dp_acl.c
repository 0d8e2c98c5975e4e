// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACL edits on libacl.  The in-memory functions (_mem) change an acl_t
 * and say what they changed; dp_acl_read() and dp_acl_write() move one
 * whole access ACL from and to a node, so a node changes in one
 * setxattr or not at all.
 */
#include <acl/libacl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>

#include "devperm.h"

static unsigned int dp_perm_of(acl_entry_t e)
{
	acl_permset_t ps;
	unsigned int p = 0;

	if (acl_get_permset(e, &ps))
		return 0;
	if (acl_get_perm(ps, ACL_READ) == 1)
		p |= DP_PERM_R;
	if (acl_get_perm(ps, ACL_WRITE) == 1)
		p |= DP_PERM_W;
	if (acl_get_perm(ps, ACL_EXECUTE) == 1)
		p |= DP_PERM_X;
	return p;
}

static int dp_perm_set(acl_entry_t e, unsigned int p)
{
	acl_permset_t ps;

	if (acl_get_permset(e, &ps) || acl_clear_perms(ps))
		return -errno;
	if ((p & DP_PERM_R) && acl_add_perm(ps, ACL_READ))
		return -errno;
	if ((p & DP_PERM_W) && acl_add_perm(ps, ACL_WRITE))
		return -errno;
	if ((p & DP_PERM_X) && acl_add_perm(ps, ACL_EXECUTE))
		return -errno;
	return acl_set_permset(e, ps) ? -errno : 0;
}

static int dp_qualifier(acl_entry_t e, id_t *id)
{
	id_t *q = acl_get_qualifier(e);

	if (!q)
		return -errno;
	*id = *q;
	acl_free(q);
	return 0;
}

/* The entry of TAG (ACL_GROUP with GID, or ACL_MASK), or NULL. */
static acl_entry_t dp_find(acl_t acl, acl_tag_t tag, gid_t gid)
{
	acl_entry_t e;
	acl_tag_t t;
	id_t id = 0;
	int r;

	for (r = acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1;
	     r = acl_get_entry(acl, ACL_NEXT_ENTRY, &e)) {
		if (acl_get_tag_type(e, &t) || t != tag)
			continue;
		if (tag != ACL_GROUP)
			return e;
		if (!dp_qualifier(e, &id) && id == gid)
			return e;
	}
	return NULL;
}

static void dp_plan_add(struct dp_plan *plan, int kind, gid_t gid,
			unsigned int from, unsigned int to)
{
	if (plan->n < DP_CHANGES_MAX)
		plan->ch[plan->n++] = (struct dp_change){ kind, gid, from, to };
}

/* A named user or group entry exists (the mask is then required). */
static bool dp_has_named(acl_t acl)
{
	acl_entry_t e;
	acl_tag_t t;
	int r;

	for (r = acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1;
	     r = acl_get_entry(acl, ACL_NEXT_ENTRY, &e))
		if (!acl_get_tag_type(e, &t) && (t == ACL_USER || t == ACL_GROUP))
			return true;
	return false;
}

/*
 * Give each wanted gid an entry with at least its permission, and make
 * the mask allow it.  Never removes or narrows anything.  The plan says
 * what changed (nothing: the ACL is as wanted already).
 */
int dp_acl_apply_mem(void **acl_p, const struct dp_want *w, size_t n,
		     struct dp_plan *plan)
{
	acl_t acl = *acl_p;
	acl_entry_t e, mask;
	unsigned int need = 0, have;
	size_t i;
	int err;

	plan->n = 0;
	for (i = 0; i < n; i++) {
		need |= w[i].perm;
		e = dp_find(acl, ACL_GROUP, w[i].gid);
		if (!e) {
			err = acl_create_entry(&acl, &e);
			*acl_p = acl;	/* libacl may move it */
			if (err || acl_set_tag_type(e, ACL_GROUP) ||
			    acl_set_qualifier(e, &w[i].gid))
				return dp_fail(-errno, "cannot add an ACL entry: %s", strerror(errno));
			err = dp_perm_set(e, w[i].perm);
			if (err)
				return dp_fail(err, "cannot set an ACL entry: %s", strerror(-err));
			dp_plan_add(plan, DP_CH_ADD, w[i].gid, 0, w[i].perm);
			continue;
		}
		have = dp_perm_of(e);
		if ((have & w[i].perm) != w[i].perm) {
			err = dp_perm_set(e, have | w[i].perm);
			if (err)
				return dp_fail(err, "cannot set an ACL entry: %s", strerror(-err));
			dp_plan_add(plan, DP_CH_WIDEN, w[i].gid, have, have | w[i].perm);
		}
	}
	mask = dp_find(acl, ACL_MASK, 0);
	if (!mask && dp_has_named(acl)) {
		/* A first named entry: the mask covers the whole group class. */
		err = acl_calc_mask(&acl);
		*acl_p = acl;
		if (err)
			return dp_fail(-errno, "cannot compute the ACL mask: %s", strerror(errno));
		mask = dp_find(acl, ACL_MASK, 0);
		dp_plan_add(plan, DP_CH_MASK, 0, DP_PERM_NONE, mask ? dp_perm_of(mask) : 0);
	} else if (mask) {
		have = dp_perm_of(mask);
		if ((have & need) != need) {
			err = dp_perm_set(mask, have | need);
			if (err)
				return dp_fail(err, "cannot set the ACL mask: %s", strerror(-err));
			dp_plan_add(plan, DP_CH_MASK, 0, have, have | need);
		}
	}
	if (plan->n && acl_valid(acl))
		return dp_fail(-EINVAL, "the resulting ACL is not valid");
	return 0;
}

/* Remove the group entries of GIDS that exist; the mask stays as it is. */
int dp_acl_revoke_mem(void *acl_p, const gid_t *gids, size_t n,
		      struct dp_plan *plan)
{
	acl_t acl = acl_p;
	acl_entry_t e;
	size_t i;

	plan->n = 0;
	for (i = 0; i < n; i++) {
		e = dp_find(acl, ACL_GROUP, gids[i]);
		if (!e)
			continue;
		unsigned int had = dp_perm_of(e);

		if (acl_delete_entry(acl, e))
			return dp_fail(-errno, "cannot remove an ACL entry: %s", strerror(errno));
		dp_plan_add(plan, DP_CH_REMOVE, gids[i], had, 0);
	}
	if (plan->n && acl_valid(acl))
		return dp_fail(-EINVAL, "the resulting ACL is not valid");
	return 0;
}

/*
 * Inside a user namespace the kernel shows an entry whose id this
 * namespace does not map as (id_t)-1, and refuses it back: rewriting
 * the ACL from here would fail, or drop another distribution's entry.
 */
int dp_acl_check_mapped(void *acl_p)
{
	acl_entry_t e;
	acl_tag_t t;
	id_t id = 0;
	int r;

	for (r = acl_get_entry(acl_p, ACL_FIRST_ENTRY, &e); r == 1;
	     r = acl_get_entry(acl_p, ACL_NEXT_ENTRY, &e)) {
		if (acl_get_tag_type(e, &t) || (t != ACL_USER && t != ACL_GROUP))
			continue;
		if (!dp_qualifier(e, &id) && id == (id_t)-1)
			return dp_fail(-EXDEV, "it has an entry for a %s outside this user namespace's map; rewriting it from here would drop that entry",
				       t == ACL_USER ? "user" : "group");
	}
	return 0;
}

int dp_acl_info(void *acl_p, struct dp_acl_info *info)
{
	acl_entry_t e;
	acl_tag_t t;
	id_t id = 0;
	int r;

	memset(info, 0, sizeof(*info));
	for (r = acl_get_entry(acl_p, ACL_FIRST_ENTRY, &e); r == 1;
	     r = acl_get_entry(acl_p, ACL_NEXT_ENTRY, &e)) {
		if (acl_get_tag_type(e, &t))
			return dp_fail(-errno, "cannot read an ACL entry");
		switch (t) {
		case ACL_USER_OBJ:
			info->user_obj = dp_perm_of(e);
			break;
		case ACL_GROUP_OBJ:
			info->group_obj = dp_perm_of(e);
			break;
		case ACL_OTHER:
			info->other = dp_perm_of(e);
			break;
		case ACL_MASK:
			info->mask = dp_perm_of(e);
			info->has_mask = true;
			break;
		case ACL_USER:
		case ACL_GROUP:
			if (dp_qualifier(e, &id))
				return dp_fail(-errno, "cannot read an ACL entry");
			if (info->n < DP_CHANGES_MAX)
				info->e[info->n++] = (struct dp_entry){ t, id, dp_perm_of(e) };
			break;
		}
	}
	return 0;
}

void *dp_acl_from_text(const char *text)
{
	return acl_from_text(text);
}

char *dp_acl_to_text(void *acl)
{
	char *t = acl_to_any_text(acl, NULL, ',', TEXT_NUMERIC_IDS), *dup;

	if (!t)
		return NULL;
	dup = strdup(t);
	acl_free(t);
	return dup;
}

void dp_acl_free(void *acl)
{
	if (acl)
		acl_free(acl);
}

int dp_acl_read(const char *path, void **acl)
{
	acl_t a = acl_get_file(path, ACL_TYPE_ACCESS);

	if (!a) {
		if (errno == ENOTSUP)
			return dp_fail(-ENOTSUP, "its file system does not support POSIX ACLs");
		if (errno == ENOENT)
			return dp_fail(-ENOENT, "the node is gone");
		return dp_fail(-errno, "cannot read its ACL: %s", strerror(errno));
	}
	*acl = a;
	return 0;
}

int dp_acl_write(const char *path, void *acl)
{
	if (!acl_set_file(path, ACL_TYPE_ACCESS, acl))
		return 0;
	if (errno == ENOTSUP)
		return dp_fail(-ENOTSUP, "its file system does not support POSIX ACLs");
	if (errno == ENOENT)
		return dp_fail(-ENOENT, "the node is gone");
	if (errno == EINVAL)
		return dp_fail(-EINVAL, "the kernel refused the ACL (a gid this namespace does not map?)");
	return dp_fail(-errno, "cannot set its ACL: %s", strerror(errno));
}
