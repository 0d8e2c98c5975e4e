// SPDX-License-Identifier: GPL-2.0-only
/*
 * devperm's parts without a device or NSS: the configuration parser,
 * gid_map mapping, the ACL edits in memory, the state file, and one
 * ACL written to and read back from a file (when /tmp has ACLs).
 * TAP on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devperm.h"
#include "tap.h"

static void test_perm(void)
{
	static const struct { const char *s; int ok; unsigned int p; } c[] = {
		{ "r", 1, DP_PERM_R }, { "w", 1, DP_PERM_W }, { "rw", 1, DP_PERM_R | DP_PERM_W },
		{ "r-", 1, DP_PERM_R }, { "-w", 1, DP_PERM_W }, { "rw-", 1, DP_PERM_R | DP_PERM_W },
		{ "rwx", 0, 0 }, { "x", 0, 0 }, { "", 0, 0 }, { "--", 0, 0 }, { "rr", 0, 0 },
		{ "rw--", 0, 0 }, { "R", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned int p = 0;
		int err = dp_perm_parse(c[i].s, &p);

		t_ok(c[i].ok ? !err && p == c[i].p : err == -EINVAL,
		     "permission '%s' is %s", c[i].s, c[i].ok ? "accepted" : "refused");
	}
}

static void test_conf(void)
{
	struct dp_conf c;
	int err;

	err = dp_conf_parse(&c, "t.conf",
			    "# comment\n\n/dev/dxg render rw\n"
			    "  /dev/dri/renderD*\trender\trw   # trailing\n"
			    "/dev/dri/card* video r-\n");
	t_ok(!err && c.n == 3, "a good file gives its three rules");
	if (!err && c.n == 3) {
		t_ok(!strcmp(c.rules[1].pattern, "/dev/dri/renderD*") &&
		     !strcmp(c.rules[1].group, "render") && c.rules[1].line == 4,
		     "a rule keeps its pattern, group and line number");
		t_ok(c.rules[2].perm == DP_PERM_R, "r- is read only");
		t_ok(dp_conf_matches(&c, "/dev/dri/card0") &&
		     dp_conf_matches(&c, "/dev/dri/renderD128") &&
		     dp_conf_matches(&c, "/dev/dxg"), "the patterns match their nodes");
		t_ok(!dp_conf_matches(&c, "/dev/dri/by-path/card0") &&
		     !dp_conf_matches(&c, "/dev/dxg0") && !dp_conf_matches(&c, "/dev/null"),
		     "and nothing else (a '*' stops at '/')");
		dp_conf_free(&c);
	}

	err = dp_conf_parse(&c, "t.conf", "");
	t_ok(!err && c.n == 0, "an empty file is no rules");
	dp_conf_free(&c);

	static const struct { const char *text, *msg; } bad[] = {
		{ "/dev/dxg render rw\n\n/dev/dri/card* video\n",
		  "t.conf:3: expected 'PATTERN GROUP PERM', found 2 fields" },
		{ "/dev/dxg render rw extra\n", "t.conf:1: expected 'PATTERN GROUP PERM', found more than 3 fields" },
		{ "dev/dxg render rw\n", "t.conf:1: pattern 'dev/dxg' is not an absolute path" },
		{ "/dev/dxg render rwx\n", "t.conf:1: permission 'rwx' is not r, w or rw" },
		{ "# ok\n/dev/dxg ren:der rw\n", "t.conf:2: 'ren:der' is not a group name" },
		{ "/dev/dxg -render rw\n", "t.conf:1: '-render' is not a group name" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = dp_conf_parse(&c, "t.conf", bad[i].text);
		t_ok(err == -EINVAL && !strncmp(dp_err(), bad[i].msg, strlen(bad[i].msg)) &&
		     c.n == 0 && !c.rules,
		     "malformed: \"%s\" (got \"%s\")", bad[i].msg, dp_err());
	}
}

static void test_idmap(void)
{
	struct dp_idmap m;
	uint32_t o = 0;

	t_ok(!dp_idmap_parse(&m, "         0          0 4294967295\n") && dp_idmap_identity(&m),
	     "the initial namespace's map is the identity");
	t_ok(!dp_idmap_parse(&m, "0 0 44\n44 3044 1\n45 45 1000\n") && !dp_idmap_identity(&m) &&
	     m.n == 3, "a map of three lines");
	t_ok(!dp_idmap_to_outer(&m, 44, &o) && o == 3044, "gid 44 maps to 3044");
	t_ok(!dp_idmap_to_outer(&m, 43, &o) && o == 43, "gid 43 maps to itself");
	t_ok(!dp_idmap_to_outer(&m, 1044, &o) && o == 1044, "the last gid of a range maps");
	t_ok(dp_idmap_to_outer(&m, 1045, &o) == -ENOENT, "a gid past every range has no mapping");
	t_ok(!dp_idmap_parse(&m, "") && m.n == 0 && dp_idmap_to_outer(&m, 0, &o) == -ENOENT,
	     "an empty map (not written yet) maps nothing");
	t_ok(dp_idmap_parse(&m, "0 0\n") == -EINVAL, "a short line is refused");
	t_ok(dp_idmap_parse(&m, "0 0 1 2\n") == -EINVAL, "trailing text is refused");
	t_ok(dp_idmap_parse(&m, "4294967295 0 2\n") == -EINVAL, "a range past 2^32 is refused");
	t_ok(dp_idmap_parse(&m, "0 0 0\n") == -EINVAL, "an empty range is refused");
}

/* Apply W to the ACL of TEXT; the result's text into OUT. */
static int apply_text(const char *text, const struct dp_want *w, size_t n,
		      struct dp_plan *plan, char *out, size_t len)
{
	void *acl = dp_acl_from_text(text);
	char *t;
	int err;

	if (!acl)
		return -EINVAL;
	err = dp_acl_apply_mem(&acl, w, n, plan);
	t = dp_acl_to_text(acl);
	snprintf(out, len, "%s", t ? t : "?");
	free(t);
	dp_acl_free(acl);
	return err;
}

static void test_acl_mem(void)
{
	const struct dp_want video = { 44, 44, "video", DP_PERM_R | DP_PERM_W };
	const struct dp_want two[] = { video, { 105, 105, "render", DP_PERM_R } };
	struct dp_plan plan;
	char out[512];
	void *acl;
	int err;

	err = apply_text("u::rw-,g::rw-,o::---", &video, 1, &plan, out, sizeof(out));
	t_ok(!err && plan.n == 2 && plan.ch[0].kind == DP_CH_ADD && plan.ch[1].kind == DP_CH_MASK &&
	     plan.ch[1].from == DP_PERM_NONE,
	     "a minimal ACL gets the entry and a mask");
	t_ok(strstr(out, "group:44:rw-") && strstr(out, "mask::rw-"), "  %s", out);

	err = apply_text("u::rw-,g::rw-,g:44:rw-,m::rw-,o::---", &video, 1, &plan, out, sizeof(out));
	t_ok(!err && plan.n == 0, "applying again changes nothing");

	err = apply_text("u::rw-,g::rw-,g:44:r--,m::r--,o::---", &video, 1, &plan, out, sizeof(out));
	t_ok(!err && plan.n == 2 && plan.ch[0].kind == DP_CH_WIDEN && plan.ch[1].kind == DP_CH_MASK &&
	     strstr(out, "group:44:rw-") && strstr(out, "mask::rw-"),
	     "a narrower entry and mask are widened: %s", out);

	err = apply_text("u::rw-,g::rw-,g:44:rw-,g:110:rw-,m::---,o::---", &video, 1, &plan,
			 out, sizeof(out));
	t_ok(!err && plan.n == 1 && plan.ch[0].kind == DP_CH_MASK && plan.ch[0].from == 0 &&
	     strstr(out, "group:110:rw-") && strstr(out, "mask::rw-"),
	     "a mask of --- (MODE=0600) is opened again, the other entry kept: %s", out);

	err = apply_text("u::rw-,g::---,g:110:rw-,m::rw-,o::---", two, 2, &plan, out, sizeof(out));
	t_ok(!err && plan.n == 2 && strstr(out, "group:44:rw-") && strstr(out, "group:105:r--") &&
	     strstr(out, "group:110:rw-") && strstr(out, "mask::rw-"),
	     "two groups beside another distribution's: %s", out);

	err = apply_text("u::rw-,g::rw-,g:44:rwx,m::rwx,o::---", &video, 1, &plan, out, sizeof(out));
	t_ok(!err && plan.n == 0 && strstr(out, "group:44:rwx"),
	     "a wider entry than asked is not narrowed");

	acl = dp_acl_from_text("u::rw-,g::rw-,g:44:rw-,g:110:rw-,m::rw-,o::---");
	{
		gid_t g[] = { 44, 77 };

		err = dp_acl_revoke_mem(acl, g, 2, &plan);
		char *t = dp_acl_to_text(acl);

		t_ok(!err && plan.n == 1 && plan.ch[0].kind == DP_CH_REMOVE && plan.ch[0].gid == 44 &&
		     t && !strstr(t, "group:44:") && strstr(t, "group:110:rw-") && strstr(t, "mask::rw-"),
		     "revoke removes its entry only, absent ones are no change: %s", t);
		free(t);
	}
	dp_acl_free(acl);

	acl = dp_acl_from_text("u::rw-,g::rw-,g:4294967295:rw-,m::rw-,o::---");
	t_ok(acl && dp_acl_check_mapped(acl) == -EXDEV,
	     "an entry shown as -1 (unmapped here) stops a rewrite: %s", dp_err());
	dp_acl_free(acl);
	acl = dp_acl_from_text("u::rw-,g::rw-,g:44:rw-,m::rw-,o::---");
	t_ok(acl && !dp_acl_check_mapped(acl), "mapped entries do not");

	struct dp_acl_info info;

	t_ok(!dp_acl_info(acl, &info) && info.has_mask && info.mask == 6 && info.n == 1 &&
	     info.e[0].id == 44 && info.e[0].perm == 6 && info.group_obj == 6 && info.other == 0,
	     "the info of an ACL");
	dp_acl_free(acl);
}

static void test_state(const char *dir)
{
	char file[4096];
	struct dp_state s;
	int err;

	snprintf(file, sizeof(file), "%s/sub/entries", dir);
	err = dp_state_open(&s, file);
	t_ok(!err && s.n == 0, "a state file that is not there is empty");
	if (err)
		return;
	t_ok(!dp_state_add(&s, 0x5, 17, 44, "/dev/dri/card0") &&
	     !dp_state_add(&s, 0x5, 17, 105, "/dev/dri/card0") &&
	     !dp_state_add(&s, 0x5, 17, 44, "/dev/dri/card0") && s.n == 2,
	     "entries are recorded once");
	t_ok(!dp_state_save(&s), "and saved");
	dp_state_close(&s);
	err = dp_state_open(&s, file);
	t_ok(!err && s.n == 2 && dp_state_has(&s, 5, 17, 105) && !dp_state_has(&s, 5, 18, 105) &&
	     !strcmp(s.a[0].path, "/dev/dri/card0"), "read back, keyed by inode and gid");
	dp_state_del(&s, 5, 17, 44);
	t_ok(s.n == 1 && !dp_state_has(&s, 5, 17, 44), "an entry is forgotten");
	dp_state_close(&s);

	s = (struct dp_state){ .file = "t", .lock_fd = -1 };
	t_ok(dp_state_parse(&s, "5:17 44 /dev/x\nrubbish\n") == -EINVAL &&
	     strstr(dp_err(), "t:2:"), "a damaged state file is refused: %s", dp_err());
	dp_state_close(&s);
}

static void test_acl_file(const char *dir)
{
	const struct dp_want w = { 44, 44, "video", DP_PERM_R | DP_PERM_W };
	struct dp_acl_info info;
	struct dp_plan plan;
	char path[4096];
	void *acl = NULL;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/node", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	err = dp_acl_read(path, &acl);
	if (err == -ENOTSUP) {
		t_ok(1, "# SKIP %s has no ACLs", dir);
		return;
	}
	t_ok(!err, "read the ACL of a file");
	if (err)
		return;
	err = dp_acl_apply_mem(&acl, &w, 1, &plan);
	t_ok(!err && !dp_acl_write(path, acl), "write it with an entry added");
	dp_acl_free(acl);
	acl = NULL;
	t_ok(!dp_acl_read(path, &acl) && !dp_acl_info(acl, &info) && info.n == 1 &&
	     info.e[0].id == 44 && info.has_mask, "and read it back");
	dp_acl_free(acl);
	unlink(path);
	t_ok(dp_acl_read(path, &acl) == -ENOENT && strstr(dp_err(), "gone"),
	     "a node that is gone: %s", dp_err());
}

int main(void)
{
	char dir[] = "/tmp/dp_unit_test.XXXXXX";
	char cmd[256];

	printf("TAP version 13\n");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_perm();
	test_conf();
	test_idmap();
	test_acl_mem();
	test_state(dir);
	test_acl_file(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
