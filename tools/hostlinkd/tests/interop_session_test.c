// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interop service's session table (interop/hl_interop_session.c)
 * on a fake spawner and a fake file system: OPEN's checks in their
 * documented order (EPERM, EEXIST, EUSERS, then the policy), what
 * reaches the spawn (resolved program, argv as sent, the filtered
 * environment, the mapped cwd), START's errors, SIGNAL and RESIZE in
 * every state, EXIT events (once, never after CLOSE), CLOSE's SIGHUP
 * and SIGKILL after the grace, the unstarted timeout and connection
 * loss.  Time is the test's own.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interop/hl_interop_session.h"
#include "tests/tap.h"

/* The fake spawner: one record per process, and the calls it got. */
struct t_proc {
	int id;
	char path[256], cwd[256];
	char argv1[64];
	int nenv;
	char env[8][64];
	int sigs[8], nsigs;
	uint16_t rows, cols;
	bool forgotten;
};

static struct t_proc t_procs[64];
static int t_nprocs, t_spawn_err, t_forgets;

static int t_spawn(void *ctx, const struct hl_interop_spawn *sp, void **proc)
{
	struct t_proc *p;
	int i;

	(void)ctx;
	if (t_spawn_err)
		return t_spawn_err;
	p = &t_procs[t_nprocs];
	memset(p, 0, sizeof(*p));
	p->id = ++t_nprocs;
	if (sp->fds[0] != 7 || sp->fds[1] != 8 || sp->fds[2] != -1)
		return -EBADF;	/* the streams reach the spawner as given */
	snprintf(p->path, sizeof(p->path), "%s", sp->path);
	snprintf(p->cwd, sizeof(p->cwd), "%s", sp->cwd);
	snprintf(p->argv1, sizeof(p->argv1), "%s", sp->argv[1] ? sp->argv[1] : "(none)");
	for (i = 0; sp->envp[i] && i < 8; i++)
		snprintf(p->env[i], sizeof(p->env[i]), "%s", sp->envp[i]);
	p->nenv = i;
	p->rows = sp->rows;
	p->cols = sp->cols;
	*proc = p;
	return 0;
}

static int t_signal(void *ctx, void *proc, int sig)
{
	struct t_proc *p = proc;

	(void)ctx;
	if (p->nsigs < 8)
		p->sigs[p->nsigs++] = sig;
	return 0;
}

static int t_resize(void *ctx, void *proc, uint16_t rows, uint16_t cols)
{
	struct t_proc *p = proc;

	(void)ctx;
	p->rows = rows;
	p->cols = cols;
	return 0;
}

static void t_forget(void *ctx, void *proc)
{
	struct t_proc *p = proc;

	(void)ctx;
	p->forgotten = true;
	t_forgets++;
}

static const struct hl_interop_spawner t_sp = {
	.spawn = t_spawn, .signal = t_signal, .resize = t_resize, .forget = t_forget,
};

static int t_probe(void *ctx, const char *path, char *real, size_t reallen)
{
	(void)ctx;
	if (strcmp(path, "/usr/bin/ls") && strcmp(path, "/usr/bin/rm") &&
	    strcmp(path, "/srv/win/a.exe"))
		return -ENOENT;
	snprintf(real, reallen, "%s", path);
	return 0;
}

static const struct hl_interop_probe t_pr = { t_probe, NULL };

static struct hl_interop_cfg cfg;
static struct hl_interop_table tab;
static const struct hl_interop_who t_who = { .cid = 3, .uid = 1000, .trusted = true };
static uint8_t buf[4096];
static const int t_fds[3] = { 7, 8, -1 };

/* OPEN of @session: argv "PROG ARG1", env, cwd, through the parser. */
static int t_open(const struct hl_interop_who *who, uint64_t session, uint32_t flags,
		  const char *prog, const char *cwd, uint64_t now, uint32_t *oflags)
{
	static const char env[] = "TERM=xterm\0LD_PRELOAD=/x.so\0PATH=/guest";
	struct interop_wire_open o = {
		.session = htole64(session),
		.flags = htole32(flags),
		.rows = htole16(flags & INTEROP_WIRE_OPEN_F_PTY ? 24 : 0),
		.cols = htole16(flags & INTEROP_WIRE_OPEN_F_PTY ? 80 : 0),
		.argc = htole32(2),
		.envc = htole32(3),
	};
	size_t n = 0, l;
	struct hl_interop_req req;
	uint32_t dummy;
	int ret;

	l = strlen(prog) + 1;
	memcpy(buf + sizeof(o) + n, prog, l);
	n += l;
	memcpy(buf + sizeof(o) + n, "-a", 3);
	n += 3;
	memcpy(buf + sizeof(o) + n, env, sizeof(env));
	n += sizeof(env);
	l = strlen(cwd) + 1;
	memcpy(buf + sizeof(o) + n, cwd, l);
	n += l;
	o.strings_len = htole32(n);
	memcpy(buf, &o, sizeof(o));
	ret = hl_interop_parse(INTEROP_WIRE_OP_OPEN, buf, sizeof(o) + n, &req);
	if (ret)
		return 1000 + ret;
	ret = hl_interop_sess_open(&tab, who, &req, now, oflags ? oflags : &dummy);
	hl_interop_req_free(&req);
	return ret;
}

static void t_setup(void)
{
	struct hl_interop_user u = { "/home/h", "h", "/bin/sh" };
	char err[256];

	hl_interop_cfg_init(&cfg);
	if (hl_interop_cfg_set(&cfg, "interop_guests", "3", err, sizeof(err)) ||
	    hl_interop_cfg_set(&cfg, "interop_allow", "/usr/bin/ls /srv/win/", err,
			       sizeof(err)) ||
	    hl_interop_cfg_set(&cfg, "interop_path_map", "/mnt/host:/ /w:/srv/win", err,
			       sizeof(err)) ||
	    hl_interop_cfg_set(&cfg, "interop_max_sessions", "4", err, sizeof(err)))
		abort();
	hl_interop_table_init(&tab, &cfg, &t_pr, &t_sp, &u);
}

static void t_open_checks(void)
{
	struct hl_interop_who w = t_who;
	uint32_t of = 99;
	int ret;

	w.kernel = true;
	t_ok(t_open(&w, 1, 0, "ls", "", 0, NULL) == -EPERM, "kernel-sent OPEN: EPERM");
	w = t_who;
	w.trusted = false;
	t_ok(t_open(&w, 1, 0, "ls", "", 0, NULL) == -EPERM, "untrusted connection: EPERM");
	w = t_who;
	w.cid = 4;
	t_ok(t_open(&w, 1, 0, "ls", "", 0, NULL) == -EPERM, "unlisted CID: EPERM");
	w = t_who;
	w.uid = UINT32_MAX;
	t_ok(t_open(&w, 1, 0, "ls", "", 0, NULL) == -EPERM, "unmapped uid: EPERM");
	t_ok(t_open(&t_who, 1, 0, "nosuch", "", 0, NULL) == -ENOENT, "unknown program: ENOENT");
	t_ok(t_open(&t_who, 1, 0, "rm", "", 0, NULL) == -EACCES, "rm not allowed: EACCES");
	t_ok(t_open(&t_who, 1, 0, "ls", "/elsewhere", 0, &of) == 0 &&
	     of == INTEROP_WIRE_OPENED_F_CWD_HOME, "unmapped cwd: HOME, told");
	t_ok(tab.nlive == 1, "one live session");
	t_ok(t_open(&t_who, 1, 0, "ls", "", 0, NULL) == -EEXIST, "the same id: EEXIST");
	w.uid = UINT32_MAX;
	t_ok(t_open(&w, 1, 0, "ls", "", 0, NULL) == -EPERM, "EPERM comes before EEXIST");
	t_ok(t_open(&t_who, 2, 0, "ls", "/mnt/host/tmp", 0, &of) == 0 && of == 0,
	     "mapped cwd: no flag");
	t_ok(t_open(&t_who, 3, INTEROP_WIRE_OPEN_F_GUEST_PATH | INTEROP_WIRE_OPEN_F_PTY,
		    "/w/a.exe", "/w", 0, NULL) == 0, "guest path through the map, pty");
	t_ok(t_open(&t_who, 4, 0, "ls", "", 0, NULL) == 0, "a fourth session");
	ret = t_open(&t_who, 5, 0, "ls", "", 0, NULL);
	t_ok(ret == -EUSERS, "a fifth: EUSERS (interop_max_sessions 4) (%d)", ret);
	t_ok(t_open(&t_who, 4, 0, "nosuch", "", 0, NULL) == -EEXIST,
	     "EEXIST comes before the policy");
	cfg.cwd_refuse = true;
	t_ok(hl_interop_sess_close(&tab, 4, 0) == 0 &&
	     t_open(&t_who, 5, 0, "ls", "/elsewhere", 0, NULL) == -ENOENT,
	     "interop_cwd_unmapped = refuse: ENOENT");
	cfg.cwd_refuse = false;
}

static void t_start_and_exit(void)
{
	struct interop_wire_ev_exit ev;
	struct t_proc *p;
	int i;
	bool leak = false;

	t_ok(hl_interop_sess_start(&tab, 99, t_fds) == -ESRCH, "START of an unknown id: ESRCH");
	t_ok(hl_interop_sess_signal(&tab, 2, INTEROP_WIRE_SIGTERM) == -EINVAL,
	     "SIGNAL before START: EINVAL");
	t_ok(hl_interop_sess_resize(&tab, 2, 10, 10) == -EINVAL, "RESIZE without a pty: EINVAL");
	t_ok(hl_interop_sess_resize(&tab, 3, 30, 100) == 0, "RESIZE of a pty before START: kept");
	t_ok(hl_interop_sess_start(&tab, 2, t_fds) == 0 && t_nprocs == 1, "START: spawned");
	p = &t_procs[0];
	t_ok(!strcmp(p->path, "/usr/bin/ls") && !strcmp(p->cwd, "/tmp") &&
	     !strcmp(p->argv1, "-a"), "resolved program, mapped cwd, argv as sent");
	t_ok(p->nenv == 5 && !strcmp(p->env[3], "PATH=/usr/local/bin:/usr/bin:/bin") &&
	     !strcmp(p->env[4], "TERM=xterm"), "the filtered environment");
	for (i = 0; i < p->nenv; i++)
		if (strstr(p->env[i], "LD_") || strstr(p->env[i], "/guest"))
			leak = true;
	t_ok(!leak, "no LD_PRELOAD, not the guest's PATH");
	t_ok(hl_interop_sess_start(&tab, 2, t_fds) == -EINVAL, "START twice: EINVAL");
	t_ok(hl_interop_sess_signal(&tab, 2, INTEROP_WIRE_SIGINT) == 0 && p->nsigs == 1 &&
	     p->sigs[0] == SIGINT, "SIGNAL INT reaches the process");
	t_ok(hl_interop_sess_signal(&tab, 2, 32) == (SIGRTMIN > 32 ? -EINVAL : 0),
	     "a signal the C library keeps: EINVAL");
	t_ok(hl_interop_sess_start(&tab, 3, t_fds) == 0 && t_procs[1].rows == 30 &&
	     t_procs[1].cols == 100 && !strcmp(t_procs[1].path, "/srv/win/a.exe") &&
	     !strcmp(t_procs[1].cwd, "/srv/win"), "pty started at the kept size");
	t_ok(hl_interop_sess_resize(&tab, 3, 50, 132) == 0 && t_procs[1].rows == 50,
	     "RESIZE while running");

	t_ok(hl_interop_sess_exited(&tab, p, false, 3, &ev) &&
	     le64toh(ev.session) == 2 && le32toh(ev.how) == INTEROP_WIRE_EXITED &&
	     le32toh(ev.value) == 3 && !p->forgotten,
	     "exit 3: an EXIT event, the handle kept for the group's end");
	t_ok(!hl_interop_sess_exited(&tab, p, false, 3, &ev), "no second EXIT");
	t_ok(hl_interop_sess_signal(&tab, 2, INTEROP_WIRE_SIGTERM) == 0 && p->nsigs == 1,
	     "SIGNAL after the exit: 0, nothing sent");
	t_ok(hl_interop_sess_resize(&tab, 3, 1, 1) == 0, "RESIZE: 0");
	t_ok(hl_interop_sess_exited(&tab, &t_procs[1], true, SIGTERM, &ev) &&
	     le32toh(ev.how) == INTEROP_WIRE_SIGNALED &&
	     le32toh(ev.value) == INTEROP_WIRE_SIGTERM, "death by SIGTERM: SIGNALED 15");
	t_ok(hl_interop_sess_close(&tab, 2, 0) == 0 && hl_interop_sess_close(&tab, 3, 0) == 0 &&
	     hl_interop_sess_close(&tab, 2, 0) == -ESRCH, "CLOSE, then ESRCH");
	t_ok(p->nsigs == 2 && p->sigs[1] == SIGHUP && !p->forgotten,
	     "CLOSE after the exit: SIGHUP to what its group left behind");
	hl_interop_table_tick(&tab, 1999);
	t_ok(p->nsigs == 2 && !p->forgotten, "kept for the grace");
	hl_interop_table_tick(&tab, 2000);
	t_ok(p->nsigs == 3 && p->sigs[2] == SIGKILL && p->forgotten,
	     "SIGKILL to the group after it, then forgotten");

	t_spawn_err = -ENOEXEC;
	t_ok(hl_interop_sess_start(&tab, 1, t_fds) == -ENOEXEC, "START: the exec's errno");
	t_spawn_err = 0;
	t_ok(hl_interop_sess_start(&tab, 1, t_fds) == -EINVAL, "a failed session does not start again");
	t_ok(hl_interop_sess_signal(&tab, 1, INTEROP_WIRE_SIGTERM) == -EINVAL,
	     "SIGNAL of a failed session: EINVAL");
	t_ok(hl_interop_sess_close(&tab, 1, 0) == 0 && tab.nlive == 0, "all closed");
}

static void t_close_kill(void)
{
	struct interop_wire_ev_exit ev;
	struct t_proc *p;
	uint64_t next;

	t_ok(t_open(&t_who, 10, 0, "ls", "", 1000, NULL) == 0 &&
	     hl_interop_sess_start(&tab, 10, t_fds) == 0, "a running session");
	p = &t_procs[t_nprocs - 1];
	t_ok(hl_interop_sess_close(&tab, 10, 5000) == 0 && p->nsigs == 1 &&
	     p->sigs[0] == SIGHUP, "CLOSE: SIGHUP");
	t_ok(t_open(&t_who, 10, 0, "ls", "", 5000, NULL) == 0, "the id is free at once");
	next = hl_interop_table_tick(&tab, 6999);
	t_ok(p->nsigs == 1 && next == 7000, "no SIGKILL before the grace (next %llu)",
	     (unsigned long long)next);
	hl_interop_table_tick(&tab, 7000);
	t_ok(p->nsigs == 2 && p->sigs[1] == SIGKILL, "SIGKILL after 2000 ms");
	hl_interop_table_tick(&tab, 9000);
	t_ok(p->nsigs == 2, "SIGKILL once");
	t_ok(!hl_interop_sess_exited(&tab, p, true, SIGKILL, &ev) && p->forgotten,
	     "a closed session's end: no EXIT, forgotten");

	/* Unstarted: gone 10 s after OPEN (session 10 was opened at 5000). */
	next = hl_interop_table_tick(&tab, 14999);
	t_ok(next == 15000 && tab.nlive == 1, "unstarted: kept until 10 s (next %llu)",
	     (unsigned long long)next);
	hl_interop_table_tick(&tab, 15000);
	t_ok(tab.nlive == 0 && hl_interop_sess_start(&tab, 10, t_fds) == -ESRCH,
	     "unstarted: gone after 10 s, ESRCH");
}

static void t_drop(void)
{
	struct interop_wire_ev_exit ev;
	struct t_proc *a, *b;

	cfg.kill_grace_ms = 0;
	t_ok(t_open(&t_who, 20, 0, "ls", "", 0, NULL) == 0 &&
	     hl_interop_sess_start(&tab, 20, t_fds) == 0 &&
	     t_open(&t_who, 21, 0, "ls", "", 0, NULL) == 0 &&
	     hl_interop_sess_start(&tab, 21, t_fds) == 0 && t_open(&t_who, 22, 0, "ls", "", 0, NULL) == 0,
	     "two running, one unstarted");
	a = &t_procs[t_nprocs - 2];
	b = &t_procs[t_nprocs - 1];
	hl_interop_table_drop(&tab, 100);
	t_ok(tab.nlive == 0 && a->nsigs == 2 && a->sigs[0] == SIGHUP && a->sigs[1] == SIGKILL &&
	     b->nsigs == 2, "connection lost: all gone, grace 0: SIGHUP and SIGKILL at once");
	t_ok(!hl_interop_sess_exited(&tab, a, true, SIGKILL, &ev), "their ends send nothing");
	hl_interop_table_free(&tab);
	t_ok(b->forgotten, "free forgets the rest");
	cfg.kill_grace_ms = 2000;
}

int main(void)
{
	t_setup();
	t_open_checks();
	t_start_and_exit();
	t_close_kill();
	t_drop();
	hl_interop_table_free(&tab);
	hl_interop_cfg_free(&cfg);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
