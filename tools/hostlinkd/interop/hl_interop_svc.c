// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the exec service ("interop", Documentation/
 * interop-protocol.rst): host programs for the guest.  Requests are
 * parsed by hl_interop_parse.c and judged by the session table of
 * hl_interop_session.c, in the document's check order; this file holds
 * what touches the daemon: the connection's state, the streams (extra
 * connections whose sockets the service adopts, so they leave their
 * connection slots), the programs' ends (a watch on each pidfd), EXIT
 * events, the timers, and the pty relay (hl_interop_relay.c).
 *
 * Without a pty the stream sockets are the program's fds 0-2 and no
 * byte passes through the daemon.  Each socket is also kept here, to
 * shut it down when the program ends: the guest then sees EOF after
 * all the program wrote even when a background child of it still holds
 * the socket (whose later writes fail with EPIPE; Kata Containers
 * #370), and EXIT follows.
 *
 * Programs are started in the event loop's thread (a START is posted to
 * it): the exec helper asks for SIGKILL at the death of the thread that
 * spawned it, and that thread lives as long as the daemon.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hl_interop_svc.h"

_Static_assert(HL_INTEROP_CID_HYBRID == HL_HYBRID_CID, "interop_guests' hybrid");

static void hl_isvc_proc_free(struct hl_isvc_proc *p);

/* A START waiting for the loop's thread. */
struct hl_isvc_pstart {
	struct hl_post post;
	struct hl_isvc_ctl *ctl;
	struct hl_req *req;		/* NULL once cancelled */
	struct hl_isvc_sess *s;		/* NULL once the session is gone */
	uint64_t id;
};

/* ---- the connection ---- */

static void hl_isvc_ctl_maybe_free(struct hl_isvc_ctl *ctl)
{
	if (ctl->refs || !hl_list_empty(&ctl->procs) || ctl->tab.nlive ||
	    !hl_list_empty(&ctl->tab.closing))
		return;
	hl_timer_cancel(&ctl->d->timers, &ctl->timer);
	hl_interop_table_free(&ctl->tab);
	hl_list_del(&ctl->node);
	free(ctl);
}

void hl_isvc_ctl_put(struct hl_isvc_ctl *ctl)
{
	ctl->refs--;
	hl_isvc_ctl_maybe_free(ctl);
}

/* Closes a stream: shut down both ways, so the guest sees its end. */
static void hl_isvc_stream_close(struct hl_isvc_ctl *ctl, struct hl_isvc_stream *st)
{
	if (st->w && ctl->d->watch_del)
		ctl->d->watch_del(ctl->d, st->w);
	st->w = NULL;
	if (st->conn) {
		st->conn->svc_priv = NULL;
		hl_conn_close(st->conn, false, NULL);
		st->conn = NULL;
	}
	if (ctl->c && st->want)
		hl_token_revoke(ctl->c, st);
	st->want = false;
	if (st->fd >= 0) {
		shutdown(st->fd, SHUT_RDWR);
		close(st->fd);
		st->fd = -1;
	}
}

/* The service's half of a session goes (the table's went, or goes now). */
static void hl_isvc_sess_free(struct hl_isvc_sess *s)
{
	struct hl_isvc_ctl *ctl = s->ctl;
	unsigned int i;

	hl_isvc_relay_stop(s);
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
		hl_isvc_stream_close(ctl, &s->st[i]);
	/* A START posted for it finds it gone, not a new one of the same id. */
	if (s->pstart)
		s->pstart->s = NULL;
	if (s->proc) {
		struct hl_isvc_proc *p = s->proc;

		p->s = NULL;
		/* Ended while its pty drained: collected now, told to nobody. */
		if (p->ended) {
			struct interop_wire_ev_exit ev;
			bool signaled = p->signaled;
			int value = p->value;
			void *proc = p->proc;

			hl_isvc_proc_free(p);
			hl_interop_sess_exited(&ctl->tab, proc, signaled, value, &ev);
		}
	}
	hl_list_del(&s->node);
	free(s);
}

static struct hl_isvc_sess *hl_isvc_sess_get(struct hl_isvc_ctl *ctl, uint64_t id)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &ctl->sess) {
		struct hl_isvc_sess *s = hl_list_entry(pos, struct hl_isvc_sess, node);

		if (s->id == id)
			return s;
	}
	return NULL;
}

static void hl_isvc_rearm(struct hl_isvc_ctl *ctl);

static void hl_isvc_timer(struct hl_timer *t)
{
	hl_isvc_rearm(hl_container_of(t, struct hl_isvc_ctl, timer));
}

/*
 * The table's deadlines (unstarted sessions, kill graces): run what is
 * due, drop the service's half of sessions the table let go, and wait
 * for the next.
 */
static void hl_isvc_rearm(struct hl_isvc_ctl *ctl)
{
	struct hl_daemon *d = ctl->d;
	struct hl_list *pos, *tmp;
	uint64_t next;

	next = hl_interop_table_tick(&ctl->tab, d->clock());
	hl_list_for_each_safe(pos, tmp, &ctl->sess) {
		struct hl_isvc_sess *s = hl_list_entry(pos, struct hl_isvc_sess, node);

		if (!hl_interop_sess_find(&ctl->tab, s->id)) {
			if (ctl->c)
				hl_conn_log(ctl->c, HL_LOG_INFO,
					    "interop: session %" PRIu64 " never started: gone",
					    s->id);
			hl_isvc_sess_free(s);
		}
	}
	hl_timer_cancel(&d->timers, &ctl->timer);
	if (next != UINT64_MAX && hl_timer_arm(&d->timers, &ctl->timer, next))
		hl_err("interop: cannot arm a timer: deadlines wait for the next request");
}

static struct hl_isvc_ctl *hl_isvc_ctl_new(struct hl_conn *c)
{
	struct hl_isvc_host *host = c->d->interop;
	struct hl_isvc_ctl *ctl;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->tag = HL_ISVC_TAG_CTL;
	ctl->d = c->d;
	ctl->c = c;
	ctl->cid = c->g->cid;
	ctl->refs = 1;
	hl_list_init(&ctl->sess);
	hl_list_init(&ctl->procs);
	hl_timer_init(&ctl->timer, hl_isvc_timer);
	hl_interop_table_init(&ctl->tab, &c->d->cfg->interop, &hl_interop_probe_fs,
			      host->sp, &host->user);
	hl_list_add_tail(&ctl->node, &host->ctls);
	return ctl;
}

/* The control connection goes: its sessions end as CLOSE ends them. */
static void hl_isvc_ctl_close(struct hl_isvc_ctl *ctl)
{
	struct hl_daemon *d = ctl->d;

	while (!hl_list_empty(&ctl->sess))
		hl_isvc_sess_free(hl_list_first(&ctl->sess, struct hl_isvc_sess, node));
	if (ctl->tab.nlive)
		hl_conn_log(ctl->c, HL_LOG_INFO, "interop: connection gone: %u sessions end",
			    ctl->tab.nlive);
	hl_interop_table_drop(&ctl->tab, d->clock());
	ctl->c = NULL;
	hl_isvc_rearm(ctl);
	hl_isvc_ctl_put(ctl);
}

static void hl_isvc_conn_close(struct hl_conn *c)
{
	uint32_t *tag = c->svc_priv;

	if (!tag)
		return;
	c->svc_priv = NULL;
	if (*tag == HL_ISVC_TAG_STREAM) {
		/* Attached, not adopted yet: the stream stays unattached. */
		((struct hl_isvc_stream *)tag)->conn = NULL;
		return;
	}
	hl_isvc_ctl_close((struct hl_isvc_ctl *)tag);
}

/* ---- the streams ---- */

static int hl_isvc_attach(struct hl_conn *c, void *priv)
{
	struct hl_isvc_stream *st = priv;

	/* The token went with it: revoking it now would find nothing. */
	st->want = false;
	st->conn = c;
	c->svc_priv = st;
	return HL_ATTACH_ADOPT;
}

static void hl_isvc_adopt(struct hl_conn *c, int fd)
{
	struct hl_isvc_stream *st = c->svc_priv;
	int flags, nfd;

	if (!st || fd < 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	st->conn = NULL;
	/* Above the stdio numbers, so the spawn's dup2()s cannot clobber it. */
	if (fd < 3) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		if (nfd < 0)
			return;
		fd = nfd;
	}
	/* What the program gets blocks, as stdio does; what we relay does not. */
	if (!st->relayed) {
		flags = fcntl(fd, F_GETFL);
		if (flags >= 0)
			fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	}
	st->fd = fd;
}

/* ---- the ops ---- */

static void hl_isvc_reply_ret(struct hl_req *req, int ret)
{
	hl_req_reply(req, ret < 0 ? -ret : ret, NULL, 0);
}

static void hl_isvc_info(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	struct hl_conn *c = req->c;
	struct interop_wire_info_reply r;
	struct hl_interop_req ir;
	struct hl_isvc_ctl *ctl;
	int ret;

	if (c->svc_priv)
		return hl_isvc_reply_ret(req, -EINVAL);	/* a second INFO */
	ret = hl_interop_parse(INTEROP_WIRE_OP_INFO, data, len, &ir);
	if (ret)
		return hl_isvc_reply_ret(req, ret);
	if ((c->rx.features & (HOSTLINK_FEAT_EVENTS | HOSTLINK_FEAT_ATTACH)) !=
	    (HOSTLINK_FEAT_EVENTS | HOSTLINK_FEAT_ATTACH)) {
		hl_conn_log(c, HL_LOG_WARN, "interop: INFO refused: the connection lacks "
			    "hostlink's EVENTS or ATTACH");
		return hl_isvc_reply_ret(req, -EOPNOTSUPP);
	}
	ret = hl_interop_info_reply(&ir, &c->d->cfg->interop, &r);
	if (ret)
		return hl_isvc_reply_ret(req, ret);
	ctl = hl_isvc_ctl_new(c);
	if (!ctl)
		return hl_isvc_reply_ret(req, -ENOMEM);
	c->svc_priv = ctl;
	hl_conn_log(c, HL_LOG_INFO, "interop: version %u", le16toh(r.version));
	hl_req_reply(req, 0, &r, sizeof(r));
}

static struct hl_interop_who hl_isvc_who(const struct hl_req *req)
{
	return (struct hl_interop_who){
		.cid = req->c->g->cid,
		.uid = req->cred.uid,
		.trusted = req->c->trusted,
		.kernel = req->flags & HOSTLINK_F_KERNEL,
	};
}

/* Live sessions of this guest on all its control connections. */
static unsigned int hl_isvc_guest_sessions(struct hl_isvc_ctl *ctl)
{
	struct hl_list *pos, *tmp;
	unsigned int n = 0;

	hl_list_for_each_safe(pos, tmp, &ctl->d->interop->ctls) {
		struct hl_isvc_ctl *o = hl_list_entry(pos, struct hl_isvc_ctl, node);

		if (o->cid == ctl->cid)
			n += o->tab.nlive;
	}
	return n;
}

/* Issues the session's tokens; 0 or -errno with none left outstanding. */
static int hl_isvc_tokens(struct hl_isvc_ctl *ctl, struct hl_isvc_sess *s,
			  struct interop_wire_open_reply *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < INTEROP_WIRE_STREAMS; i++) {
		if (!(s->streams & (1U << i)))
			continue;
		ret = hl_token_issue(ctl->c, &s->st[i], r->token[i]);
		if (ret)
			return ret;
		s->st[i].want = true;
	}
	return 0;
}

static void hl_isvc_open(struct hl_req *req, struct hl_isvc_ctl *ctl,
			 struct hl_interop_req *ir)
{
	struct hl_interop_who who = hl_isvc_who(req);
	const struct hl_interop_cfg *ic = &ctl->d->cfg->interop;
	struct interop_wire_open_reply r = { 0 };
	uint64_t id = ir->open.session;
	uint32_t oflags = ir->open.flags, flags = 0;
	struct hl_isvc_sess *s;
	unsigned int i;
	int ret;

	/*
	 * interop_max_sessions is per guest, the table's count per
	 * connection: the guest's total is checked here, in the table's
	 * order (EPERM and EEXIST before it).
	 */
	if (hl_isvc_guest_sessions(ctl) >= ic->max_sessions) {
		if (who.kernel || !who.trusted || !hl_interop_guest_ok(ic, who.cid) ||
		    !hl_interop_uid_ok(ic, who.uid))
			ret = -EPERM;
		else if (hl_interop_sess_find(&ctl->tab, id))
			ret = -EEXIST;
		else
			ret = -EUSERS;
		return hl_isvc_reply_ret(req, ret);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return hl_isvc_reply_ret(req, -ENOMEM);
	ret = hl_interop_sess_open(&ctl->tab, &who, ir, ctl->d->clock(), &flags);
	if (ret) {
		free(s);
		if (ret == -EPERM)
			hl_conn_log(req->c, HL_LOG_INFO, "interop: OPEN refused: guest %u uid %u "
				    "not allowed%s", who.cid, who.uid,
				    who.kernel ? " (kernel credentials)" : "");
		return hl_isvc_reply_ret(req, ret);
	}
	s->ctl = ctl;
	s->id = id;
	s->pty = oflags & INTEROP_WIRE_OPEN_F_PTY;
	s->streams = INTEROP_WIRE_STREAM_STDOUT;
	if (!(oflags & INTEROP_WIRE_OPEN_F_STDIN_NULL))
		s->streams |= INTEROP_WIRE_STREAM_STDIN;
	if (oflags & INTEROP_WIRE_OPEN_F_STDERR_STREAM)
		s->streams |= INTEROP_WIRE_STREAM_STDERR;
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++) {
		s->st[i].tag = HL_ISVC_TAG_STREAM;
		s->st[i].s = s;
		s->st[i].idx = i;
		s->st[i].fd = -1;
		s->st[i].relayed = s->pty && i < 2;
	}
	s->ptyfd = -1;
	hl_list_add_tail(&s->node, &ctl->sess);
	ret = hl_isvc_tokens(ctl, s, &r);
	if (ret) {
		hl_isvc_sess_free(s);
		hl_interop_sess_close(&ctl->tab, id, ctl->d->clock());
		return hl_isvc_reply_ret(req, ret == -ENOMEM ? ret : -EAGAIN);
	}
	r.streams = htole32(s->streams);
	r.flags = htole32(flags);
	hl_isvc_rearm(ctl);
	hl_req_reply(req, 0, &r, sizeof(r));
}


static void hl_isvc_proc_event(void *arg, uint32_t revents);

/* A program runs: watch for its end; with a pty, relay it. */
static int hl_isvc_started(struct hl_isvc_ctl *ctl, struct hl_isvc_sess *s)
{
	const struct hl_interop_spawner *sp = ctl->tab.sp;
	struct hl_interop_sess *ts = hl_interop_sess_find(&ctl->tab, s->id);
	struct hl_daemon *d = ctl->d;
	struct hl_isvc_proc *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ctl = ctl;
	p->proc = ts->proc;
	p->s = s;
	ret = d->watch_add ? d->watch_add(d, sp->pidfd(sp->ctx, p->proc), POLLIN,
					   hl_isvc_proc_event, p, &p->w) : -ENOSYS;
	if (ret) {
		free(p);
		return ret;
	}
	hl_list_add_tail(&p->node, &ctl->procs);
	s->proc = p;
	if (s->pty) {
		ret = hl_isvc_relay_start(s, sp->pty(sp->ctx, p->proc));
		if (ret)
			return ret;
	}
	return 0;
}

static void hl_isvc_start_run(struct hl_daemon *d, struct hl_post *post)
{
	struct hl_isvc_pstart *ps = hl_container_of(post, struct hl_isvc_pstart, post);
	struct hl_isvc_ctl *ctl = ps->ctl;
	const struct hl_interop_spawner *sp = ctl->tab.sp;
	struct hl_req *req = ps->req;
	struct hl_interop_sess *ts;
	struct hl_isvc_sess *s;
	int fds[3], ret, i;

	(void)d;
	s = ps->s;
	if (s)
		s->pstart = NULL;
	if (!req)
		goto out;		/* cancelled, or its connection gone */
	req->arg[0] = 0;
	ts = hl_interop_sess_find(&ctl->tab, ps->id);
	if (!s || !ts) {
		hl_isvc_reply_ret(req, -ESRCH);	/* closed meanwhile */
		goto out;
	}
	for (i = 0; i < 3; i++)
		fds[i] = s->st[i].fd;
	ret = hl_interop_sess_start(&ctl->tab, ps->id, fds);
	if (ret) {
		hl_conn_log(req->c, HL_LOG_INFO, "interop: session %" PRIu64 ": %s: %s",
			    ps->id, ts->path, strerror(-ret));
		hl_isvc_reply_ret(req, ret);
		goto out;
	}
	hl_conn_log(req->c, HL_LOG_INFO,
		    "interop: session %" PRIu64 ": started %s, pid %d, uid %u, cwd %s%s",
		    ps->id, ts->path, sp->pid ? sp->pid(sp->ctx, ts->proc) : -1,
		    req->cred.uid, ts->cwd, s->pty ? ", pty" : "");
	ret = hl_isvc_started(ctl, s);
	if (ret && s->proc) {
		/*
		 * Watched but not relayed: it dies, is collected as usual, and
		 * START's error says it all (no EXIT).  The session stays.
		 */
		hl_conn_log(req->c, HL_LOG_WARN, "interop: session %" PRIu64
			    ": cannot relay its pty: %s; killed", ps->id, strerror(-ret));
		hl_isvc_relay_stop(s);
		s->start_failed = true;
		sp->signal(sp->ctx, ts->proc, SIGKILL);
		hl_isvc_reply_ret(req, ret);
		goto out;
	}
	if (ret) {
		/* Nothing would see it end: it ends now, told as a failure. */
		hl_conn_log(req->c, HL_LOG_WARN, "interop: session %" PRIu64
			    ": cannot watch the program: %s; killed", ps->id, strerror(-ret));
		hl_isvc_relay_stop(s);
		if (s->proc)
			s->proc->s = NULL;
		hl_interop_sess_close(&ctl->tab, ps->id, d->clock());
		hl_isvc_sess_free(s);
		hl_isvc_rearm(ctl);
		hl_isvc_reply_ret(req, ret);
		goto out;
	}
	hl_req_reply(req, 0, NULL, 0);
out:
	free(ps);
	hl_isvc_ctl_put(ctl);
}

static void hl_isvc_start(struct hl_req *req, struct hl_isvc_ctl *ctl, uint64_t id)
{
	struct hl_interop_sess *ts = hl_interop_sess_find(&ctl->tab, id);
	struct hl_isvc_sess *s = hl_isvc_sess_get(ctl, id);
	struct hl_isvc_pstart *ps;
	unsigned int i;

	if (!ts || !s)
		return hl_isvc_reply_ret(req, -ESRCH);
	if (ts->state != HL_INTEROP_OPENED || s->pstart)
		return hl_isvc_reply_ret(req, -EINVAL);
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
		if ((s->streams & (1U << i)) && s->st[i].fd < 0)
			return hl_isvc_reply_ret(req, -EINVAL);
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return hl_isvc_reply_ret(req, -ENOMEM);
	ps->ctl = ctl;
	ps->req = req;
	ps->id = id;
	ps->s = s;
	s->pstart = ps;
	req->arg[0] = (uintptr_t)ps;
	ctl->refs++;
	if (hl_daemon_post(ctl->d, &ps->post, hl_isvc_start_run)) {
		s->pstart = NULL;
		ctl->refs--;
		req->arg[0] = 0;
		free(ps);
		return hl_isvc_reply_ret(req, -EAGAIN);	/* the daemon stops */
	}
}

static void hl_isvc_close_op(struct hl_req *req, struct hl_isvc_ctl *ctl, uint64_t id)
{
	struct hl_isvc_sess *s = hl_isvc_sess_get(ctl, id);
	int ret;

	ret = hl_interop_sess_close(&ctl->tab, id, ctl->d->clock());
	if (!ret && s)
		hl_isvc_sess_free(s);
	if (!ret)
		hl_isvc_rearm(ctl);
	hl_isvc_reply_ret(req, ret);
}

static void hl_isvc_mappath(struct hl_req *req, struct hl_isvc_ctl *ctl,
			    const struct hl_interop_req *ir)
{
	const struct hl_interop_cfg *ic = &ctl->d->cfg->interop;
	struct hl_interop_who who = hl_isvc_who(req);
	char out[INTEROP_WIRE_MAX_PATH];
	int ret;

	if (!who.trusted || !hl_interop_guest_ok(ic, who.cid) ||
	    (!who.kernel && !hl_interop_uid_ok(ic, who.uid)))
		return hl_isvc_reply_ret(req, -EPERM);
	ret = hl_interop_map_path(ic, ir->mappath.flags & INTEROP_WIRE_MAPPATH_F_TO_GUEST,
				  ir->mappath.path, out, sizeof(out));
	if (ret)
		return hl_isvc_reply_ret(req, ret);
	hl_req_reply(req, 0, out, strlen(out) + 1);
}

static void hl_isvc_request(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	struct hl_isvc_ctl *ctl = req->c->svc_priv;
	struct hl_interop_req ir;
	int ret;

	if (!req->op || req->op > INTEROP_WIRE_OP_MAPPATH)
		return hl_isvc_reply_ret(req, -EOPNOTSUPP);
	if (req->op == INTEROP_WIRE_OP_INFO)
		return hl_isvc_info(req, data, len);
	if (!ctl)
		return hl_isvc_reply_ret(req, -EPROTO);
	ret = hl_interop_parse(req->op, data, len, &ir);
	if (ret)
		return hl_isvc_reply_ret(req, ret);
	switch (ir.op) {
	case INTEROP_WIRE_OP_OPEN:
		hl_isvc_open(req, ctl, &ir);
		break;
	case INTEROP_WIRE_OP_START:
		hl_isvc_start(req, ctl, ir.session);
		break;
	case INTEROP_WIRE_OP_SIGNAL:
		ret = hl_interop_sess_signal(&ctl->tab, ir.signal.session, ir.signal.signo);
		hl_isvc_reply_ret(req, ret);
		break;
	case INTEROP_WIRE_OP_RESIZE:
		ret = hl_interop_sess_resize(&ctl->tab, ir.resize.session, ir.resize.rows,
					     ir.resize.cols);
		hl_isvc_reply_ret(req, ret);
		break;
	case INTEROP_WIRE_OP_CLOSE:
		hl_isvc_close_op(req, ctl, ir.session);
		break;
	case INTEROP_WIRE_OP_MAPPATH:
		hl_isvc_mappath(req, ctl, &ir);
		break;
	}
	hl_interop_req_free(&ir);
}

static void hl_isvc_cancel(struct hl_req *req)
{
	struct hl_isvc_pstart *ps = (void *)(uintptr_t)req->arg[0];

	if (req->op == INTEROP_WIRE_OP_START && ps)
		ps->req = NULL;
}

/* ---- the programs' ends ---- */

static void hl_isvc_proc_free(struct hl_isvc_proc *p)
{
	struct hl_isvc_ctl *ctl = p->ctl;

	if (p->w && ctl->d->watch_del)
		ctl->d->watch_del(ctl->d, p->w);
	p->w = NULL;
	if (p->s)
		p->s->proc = NULL;
	hl_list_del(&p->node);
	free(p);
}

/*
 * A started session's program has ended and all it wrote is on its
 * way: shut the streams down (what a background child still holds
 * with them), then EXIT.
 */
void hl_isvc_sess_finish(struct hl_isvc_sess *s)
{
	struct hl_isvc_proc *p = s->proc;
	struct hl_isvc_ctl *ctl = s->ctl;
	struct interop_wire_ev_exit ev;
	bool signaled;
	unsigned int i;
	void *proc;
	int ret, value;

	hl_isvc_relay_stop(s);
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
		hl_isvc_stream_close(ctl, &s->st[i]);
	proc = p->proc;
	signaled = p->signaled;
	value = p->value;
	hl_isvc_proc_free(p);
	if (!hl_interop_sess_exited(&ctl->tab, proc, signaled, value, &ev))
		return;
	if (!ctl->c || s->start_failed)
		return;
	ret = hl_conn_event(ctl->c, INTEROP_WIRE_EV_EXIT, s->id, &ev, sizeof(ev));
	if (ret)
		hl_conn_log(ctl->c, HL_LOG_WARN, "interop: session %" PRIu64
			    ": EXIT not sent: %s", s->id, strerror(-ret));
}

/* The relay drained what the ended program wrote: finish, from a callback. */
void hl_isvc_sess_ended(struct hl_isvc_sess *s)
{
	struct hl_isvc_ctl *ctl = s->ctl;

	hl_isvc_sess_finish(s);
	hl_isvc_rearm(ctl);
	hl_isvc_ctl_maybe_free(ctl);
}

static void hl_isvc_proc_event(void *arg, uint32_t revents)
{
	struct hl_isvc_proc *p = arg;
	struct hl_isvc_ctl *ctl = p->ctl;
	const struct hl_interop_spawner *sp = ctl->tab.sp;
	struct interop_wire_ev_exit ev;
	struct hl_isvc_sess *s = p->s;
	void *proc = p->proc;
	int ret;

	(void)revents;
	ret = sp->reap(sp->ctx, proc, &p->signaled, &p->value);
	if (ret == -EAGAIN)
		return;
	if (ret) {
		/* Not ours to collect any more: say it was killed. */
		p->signaled = true;
		p->value = SIGKILL;
	}
	if (ctl->c)
		hl_conn_log(ctl->c, HL_LOG_DEBUG, "interop: %s %" PRIu64 ": %s %d",
			    s ? "session" : "a closed session's program, pid", s ? s->id :
			    (uint64_t)(sp->pid ? sp->pid(sp->ctx, proc) : 0),
			    p->signaled ? "killed by signal" : "exited", p->value);
	if (ctl->d->watch_del)
		ctl->d->watch_del(ctl->d, p->w);
	p->w = NULL;
	p->ended = true;
	if (s) {
		/* With a pty, what it wrote is relayed first. */
		if (s->pty && !s->start_failed && !hl_isvc_relay_drained(s))
			return;
		hl_isvc_sess_finish(s);
	} else {
		bool signaled = p->signaled;
		int value = p->value;

		/* Closed: its session is gone already; nothing is told. */
		hl_isvc_proc_free(p);
		hl_interop_sess_exited(&ctl->tab, proc, signaled, value, &ev);
	}
	hl_isvc_rearm(ctl);
	hl_isvc_ctl_maybe_free(ctl);
}

/* ---- the daemon's start and stop ---- */

static int hl_isvc_user(struct hl_isvc_host *host)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *home, *shell;

	if (!pw) {
		hl_err("interop: no password entry for uid %u", (unsigned int)geteuid());
		return -ENOENT;
	}
	home = pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : "/";
	shell = pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh";
	host->home = strdup(home);
	host->name = strdup(pw->pw_name);
	host->shell = strdup(shell);
	if (!host->home || !host->name || !host->shell)
		return -ENOMEM;
	host->user.home = host->home;
	host->user.user = host->name;
	host->user.shell = host->shell;
	return 0;
}

static void hl_isvc_host_free(struct hl_isvc_host *host)
{
	free(host->home);
	free(host->name);
	free(host->shell);
	free(host);
}

static int hl_isvc_start_svc(struct hl_daemon *d)
{
	const struct hl_interop_cfg *ic = &d->cfg->interop;
	struct hl_isvc_host *host;
	int ret;

	if (geteuid() == 0 && !ic->allow_root) {
		hl_err("interop: refusing to serve as root: guests would run host programs "
		       "as root; run it in a user's instance (hostlinkd-interop.service), or "
		       "set interop_allow_root = yes if that is meant");
		return -EPERM;
	}
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	hl_list_init(&host->ctls);
	host->sp = d->spawner ? d->spawner : &hl_interop_spawner_daemon;
	ret = hl_isvc_user(host);
	if (ret) {
		hl_isvc_host_free(host);
		return ret;
	}
	d->interop = host;
	if (!ic->nguests)
		hl_warn("interop: interop_guests is empty: no guest may run host programs");
	if (!ic->allow.n)
		hl_warn("interop: interop_allow is empty: no program may run");
	hl_info("interop: programs run as %s (uid %u), HOME %s", host->name,
		(unsigned int)geteuid(), host->home);
	return 0;
}

/*
 * The loop is gone, and the connections with it, so every program has
 * had its SIGHUP.  Those still there get the rest of their grace, then
 * SIGKILL (the table's forget()), and are collected.
 */
static void hl_isvc_stop(struct hl_daemon *d)
{
	struct hl_isvc_host *host = d->interop;
	uint64_t end;

	if (!host)
		return;
	end = d->clock() + d->cfg->interop.kill_grace_ms;
	while (!hl_list_empty(&host->ctls)) {
		struct hl_isvc_ctl *ctl = hl_list_first(&host->ctls, struct hl_isvc_ctl, node);

		while (!hl_list_empty(&ctl->sess))
			hl_isvc_sess_free(hl_list_first(&ctl->sess, struct hl_isvc_sess, node));
		hl_interop_table_drop(&ctl->tab, d->clock());
		while (!hl_list_empty(&ctl->procs)) {
			struct hl_isvc_proc *p = hl_list_first(&ctl->procs, struct hl_isvc_proc,
							       node);
			const struct hl_interop_spawner *sp = ctl->tab.sp;
			uint64_t now = d->clock();
			struct pollfd pfd = { .fd = sp->pidfd(sp->ctx, p->proc), .events = POLLIN };

			if (pfd.fd >= 0 && now < end)
				poll(&pfd, 1, (int)(end - now));
			p->w = NULL;	/* the loop freed its watches */
			hl_isvc_proc_free(p);
		}
		/* forget(): SIGKILL to what is left of each group, and waitpid. */
		hl_interop_table_free(&ctl->tab);
		hl_timer_cancel(&d->timers, &ctl->timer);
		hl_list_del(&ctl->node);
		free(ctl);
	}
	d->interop = NULL;
	hl_isvc_host_free(host);
}

const struct hl_service hl_svc_interop = {
	.name = INTEROP_WIRE_SERVICE,
	.port = HOSTLINK_PORT_INTEROP,
	.request = hl_isvc_request,
	.cancel = hl_isvc_cancel,
	.attach = hl_isvc_attach,
	.adopt = hl_isvc_adopt,
	.conn_close = hl_isvc_conn_close,
	.start = hl_isvc_start_svc,
	.stop = hl_isvc_stop,
};
