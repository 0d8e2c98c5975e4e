// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: the session table of a control connection
 * (hl_interop_session.h; the session's life is in
 * Documentation/interop-protocol.rst).  Each operation answers in the
 * documented check order; lookups are linear, the table holding at most
 * interop_max_sessions (1024) live sessions.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hl_interop_session.h"

void hl_interop_table_init(struct hl_interop_table *t, const struct hl_interop_cfg *cfg,
			   const struct hl_interop_probe *probe,
			   const struct hl_interop_spawner *sp,
			   const struct hl_interop_user *user)
{
	*t = (struct hl_interop_table){
		.cfg = cfg,
		.probe = probe,
		.sp = sp,
		.user = *user,
	};
	hl_list_init(&t->live);
	hl_list_init(&t->closing);
}

static void hl_sess_free(struct hl_interop_table *t, struct hl_interop_sess *s)
{
	if (s->proc)
		t->sp->forget(t->sp->ctx, s->proc);
	free(s->open.mem);
	free(s->env);
	free(s);
}

static struct hl_interop_sess *hl_sess_find(struct hl_interop_table *t, uint64_t id)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &t->live) {
		struct hl_interop_sess *s = hl_list_entry(pos, struct hl_interop_sess, node);

		if (s->id == id)
			return s;
	}
	return NULL;
}

/* The live session @id, or NULL (never opened, closed or expired). */
struct hl_interop_sess *hl_interop_sess_find(struct hl_interop_table *t, uint64_t id)
{
	return hl_sess_find(t, id);
}

/* The host cwd for a guest one: mapped, or HOME (told), or refused. */
static int hl_sess_cwd(struct hl_interop_table *t, const char *guest, char *out,
		       size_t outlen, uint32_t *flags)
{
	int ret = -ENOENT;
	size_t n;

	if (guest[0]) {
		ret = hl_interop_map_path(t->cfg, false, guest, out, outlen);
		if (!ret)
			return 0;
		if (t->cfg->cwd_refuse)
			return -ENOENT;
		*flags |= INTEROP_WIRE_OPENED_F_CWD_HOME;
	}
	n = strlen(t->user.home);
	if (n >= outlen)
		return -ENAMETOOLONG;
	memcpy(out, t->user.home, n + 1);
	return 0;
}

/**
 * hl_interop_sess_open() - OPEN: a new session, checked against policy
 * @t: the connection's table.
 * @who: who asked.
 * @req: the parsed OPEN; on success its strings move to the session
 *	(hl_interop_req_free() of it is then a no-op).
 * @now_ms: the daemon's clock.
 * @opened_flags: (out) INTEROP_WIRE_OPENED_F_* for the reply.
 *
 * Return: 0, or -EPERM (guest, uid, untrusted or kernel credentials),
 * -EEXIST (the id is live), -EUSERS (interop_max_sessions), -ENOENT,
 * -EACCES, -EINVAL (the exec policy's), -E2BIG, -ENOMEM.
 */
int hl_interop_sess_open(struct hl_interop_table *t, const struct hl_interop_who *who,
			 struct hl_interop_req *req, uint64_t now_ms,
			 uint32_t *opened_flags)
{
	struct hl_interop_open *o = &req->open;
	struct hl_interop_sess *s;
	uint32_t flags = 0;
	int ret;

	if (who->kernel || !who->trusted || !hl_interop_guest_ok(t->cfg, who->cid) ||
	    !hl_interop_uid_ok(t->cfg, who->uid))
		return -EPERM;
	if (hl_sess_find(t, o->session))
		return -EEXIST;
	if (t->nlive >= t->cfg->max_sessions)
		return -EUSERS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = hl_interop_resolve(t->cfg, t->probe, o->argv[0],
				 o->flags & INTEROP_WIRE_OPEN_F_GUEST_PATH, s->path,
				 sizeof(s->path));
	if (!ret)
		ret = hl_sess_cwd(t, o->cwd, s->cwd, sizeof(s->cwd), &flags);
	if (!ret)
		ret = hl_interop_env_build(t->cfg, &t->user, o->envv, o->envc, &s->env);
	if (ret) {
		free(s);
		return ret;
	}
	s->id = o->session;
	s->state = HL_INTEROP_OPENED;
	s->open = *o;
	s->opened_ms = now_ms;
	o->mem = NULL;
	o->argv = o->envv = NULL;
	o->cwd = NULL;
	hl_list_add_tail(&s->node, &t->live);
	t->nlive++;
	*opened_flags = flags;
	return 0;
}

/**
 * hl_interop_sess_start() - START: run the session's program
 * @t: the table.
 * @id: the session.
 * @fds: its streams' fds (struct hl_interop_spawn), the caller's.
 *
 * The streams are the caller's to check (all attached) before.
 *
 * Return: 0; -ESRCH; -EINVAL (not in OPENED); the spawner's -errno,
 * after which the session is FAILED.
 */
int hl_interop_sess_start(struct hl_interop_table *t, uint64_t id, const int fds[3])
{
	struct hl_interop_sess *s = hl_sess_find(t, id);
	struct hl_interop_spawn sp;
	int ret;

	if (!s)
		return -ESRCH;
	if (s->state != HL_INTEROP_OPENED)
		return -EINVAL;
	sp = (struct hl_interop_spawn){
		.fds = { fds[0], fds[1], fds[2] },
		.path = s->path,
		.argv = s->open.argv,
		.envp = s->env,
		.cwd = s->cwd,
		.flags = s->open.flags,
		.rows = s->open.rows,
		.cols = s->open.cols,
	};
	ret = t->sp->spawn(t->sp->ctx, &sp, &s->proc);
	if (ret) {
		s->proc = NULL;
		s->state = HL_INTEROP_FAILED;
		return ret < 0 ? ret : -EIO;
	}
	s->state = HL_INTEROP_RUNNING;
	return 0;
}

/**
 * hl_interop_sess_signal() - SIGNAL: to the program's process group
 * @t: the table.
 * @id: the session.
 * @wire_sig: the wire's signal number (1 to 64, as parsed).
 *
 * Return: 0 (also when the program has ended); -ESRCH; -EINVAL (not
 * started, or a signal this host cannot send); the spawner's -errno.
 */
int hl_interop_sess_signal(struct hl_interop_table *t, uint64_t id, uint32_t wire_sig)
{
	struct hl_interop_sess *s = hl_sess_find(t, id);
	int sig, ret;

	if (!s)
		return -ESRCH;
	if (s->state == HL_INTEROP_OPENED || s->state == HL_INTEROP_FAILED)
		return -EINVAL;
	sig = hl_interop_sig_to_host(wire_sig);
	if (sig < 0)
		return sig;
	if (s->state == HL_INTEROP_EXITED)
		return 0;
	ret = t->sp->signal(t->sp->ctx, s->proc, sig);
	return ret == -ESRCH ? 0 : ret;	/* ended, not yet reaped */
}

/**
 * hl_interop_sess_resize() - RESIZE: the pty's size
 * @t: the table.
 * @id: the session.
 * @rows: rows, not 0.
 * @cols: columns, not 0.
 *
 * Before START the size is kept for the spawn.
 *
 * Return: 0 (also when the program has ended); -ESRCH; -EINVAL (no
 * pty); the spawner's -errno.
 */
int hl_interop_sess_resize(struct hl_interop_table *t, uint64_t id, uint16_t rows,
			   uint16_t cols)
{
	struct hl_interop_sess *s = hl_sess_find(t, id);

	if (!s)
		return -ESRCH;
	if (!(s->open.flags & INTEROP_WIRE_OPEN_F_PTY))
		return -EINVAL;
	s->open.rows = rows;
	s->open.cols = cols;
	if (s->state != HL_INTEROP_RUNNING)
		return 0;
	return t->sp->resize(t->sp->ctx, s->proc, rows, cols);
}

/*
 * A live session goes.  A program that runs, or left something behind
 * in its process group, gets SIGHUP and, after the kill grace, SIGKILL;
 * the session waits for that in the closing list.
 */
static void hl_sess_end(struct hl_interop_table *t, struct hl_interop_sess *s,
			uint64_t now_ms)
{
	hl_list_del(&s->node);
	t->nlive--;
	if ((s->state != HL_INTEROP_RUNNING && s->state != HL_INTEROP_EXITED) || !s->proc ||
	    t->sp->signal(t->sp->ctx, s->proc, SIGHUP)) {
		hl_sess_free(t, s);
		return;
	}
	if (!t->cfg->kill_grace_ms) {
		t->sp->signal(t->sp->ctx, s->proc, SIGKILL);
		if (s->state == HL_INTEROP_EXITED) {
			hl_sess_free(t, s);
			return;
		}
		s->kill_at_ms = UINT64_MAX;
	} else {
		s->kill_at_ms = now_ms + t->cfg->kill_grace_ms;
	}
	hl_list_add_tail(&s->node, &t->closing);
}

/**
 * hl_interop_sess_close() - CLOSE: end the session
 * @t: the table.
 * @id: the session.
 * @now_ms: the daemon's clock, for the kill grace.
 *
 * The id is free at once; no EXIT is sent for it from now on.
 *
 * Return: 0 or -ESRCH.
 */
int hl_interop_sess_close(struct hl_interop_table *t, uint64_t id, uint64_t now_ms)
{
	struct hl_interop_sess *s = hl_sess_find(t, id);

	if (!s)
		return -ESRCH;
	hl_sess_end(t, s, now_ms);
	return 0;
}

/**
 * hl_interop_sess_exited() - a program ended (the I/O layer saw it)
 * @t: the table.
 * @proc: the spawner's handle.
 * @signaled: killed by a signal (else it exited).
 * @value: the host signal, or the exit code.
 * @ev: (out) the EXIT event to send, when the return says so.
 *
 * A live session keeps the handle (the group is hung up at its end); a
 * closing one is freed once its grace is over or its SIGKILL sent.
 *
 * Return: true if @ev is to be sent (a live session); false for a
 * closed session's program or a handle the table does not know.
 */
bool hl_interop_sess_exited(struct hl_interop_table *t, void *proc, bool signaled,
			    int value, struct interop_wire_ev_exit *ev)
{
	struct hl_list *pos, *tmp;
	int wire;

	hl_list_for_each_safe(pos, tmp, &t->closing) {
		struct hl_interop_sess *s = hl_list_entry(pos, struct hl_interop_sess, node);

		if (s->proc != proc)
			continue;
		/* The rest of its group has the rest of the grace. */
		s->state = HL_INTEROP_EXITED;
		if (s->kill_at_ms == UINT64_MAX) {
			hl_list_del(&s->node);
			hl_sess_free(t, s);
		}
		return false;
	}
	hl_list_for_each_safe(pos, tmp, &t->live) {
		struct hl_interop_sess *s = hl_list_entry(pos, struct hl_interop_sess, node);

		if (s->proc != proc || s->state != HL_INTEROP_RUNNING)
			continue;
		/* Kept, a zombie, to hang up its group at the session's end. */
		s->state = HL_INTEROP_EXITED;
		wire = signaled ? hl_interop_sig_to_wire(value) : value;
		/* Linux has no signal above 64; were there one, it still died of it. */
		if (signaled && wire < 0)
			wire = INTEROP_WIRE_SIGKILL;
		*ev = (struct interop_wire_ev_exit){
			.session = htole64(s->id),
			.how = htole32(signaled ? INTEROP_WIRE_SIGNALED : INTEROP_WIRE_EXITED),
			.value = htole32((uint32_t)wire),
		};
		return true;
	}
	return false;
}

/**
 * hl_interop_table_tick() - deadlines: unstarted sessions, kill graces
 * @t: the table.
 * @now_ms: the daemon's clock.
 *
 * A session never started HL_INTEROP_UNSTARTED_MS after its OPEN goes;
 * a closed session's program still there at its deadline gets SIGKILL.
 *
 * Return: the next deadline, or UINT64_MAX for none.
 */
uint64_t hl_interop_table_tick(struct hl_interop_table *t, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &t->live) {
		struct hl_interop_sess *s = hl_list_entry(pos, struct hl_interop_sess, node);
		uint64_t due = s->opened_ms + HL_INTEROP_UNSTARTED_MS;

		if (s->state != HL_INTEROP_OPENED)
			continue;
		if (now_ms >= due)
			hl_sess_end(t, s, now_ms);
		else if (due < next)
			next = due;
	}
	hl_list_for_each_safe(pos, tmp, &t->closing) {
		struct hl_interop_sess *s = hl_list_entry(pos, struct hl_interop_sess, node);

		if (s->kill_at_ms == UINT64_MAX)
			continue;
		if (now_ms >= s->kill_at_ms) {
			t->sp->signal(t->sp->ctx, s->proc, SIGKILL);
			s->kill_at_ms = UINT64_MAX;
			/* An ended leader's group: nothing more to wait for. */
			if (s->state == HL_INTEROP_EXITED) {
				hl_list_del(&s->node);
				hl_sess_free(t, s);
			}
		} else if (s->kill_at_ms < next) {
			next = s->kill_at_ms;
		}
	}
	return next;
}

/**
 * hl_interop_table_drop() - the control connection is gone, or the
 *	daemon stops: every session ends as CLOSE would end it
 * @t: the table.
 * @now_ms: the daemon's clock.
 */
void hl_interop_table_drop(struct hl_interop_table *t, uint64_t now_ms)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &t->live)
		hl_sess_end(t, hl_list_entry(pos, struct hl_interop_sess, node), now_ms);
}

/* Frees every session, live or closing, forgetting their processes. */
void hl_interop_table_free(struct hl_interop_table *t)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &t->live) {
		hl_list_del(pos);
		hl_sess_free(t, hl_list_entry(pos, struct hl_interop_sess, node));
	}
	hl_list_for_each_safe(pos, tmp, &t->closing) {
		hl_list_del(pos);
		hl_sess_free(t, hl_list_entry(pos, struct hl_interop_sess, node));
	}
	t->nlive = 0;
}
