/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interop service inside the daemon (hl_interop_svc.c) and its pty
 * relay (hl_interop_relay.c).  Everything here runs under the daemon
 * lock, in the loop's thread or a reader's; programs are started in the
 * loop's thread only.
 *
 * Lifetimes: a struct hl_isvc_ctl lives while its control connection
 * does, and after it while programs of it are still to be collected
 * (SIGHUP sent, SIGKILL due).  A struct hl_isvc_sess is the service's
 * half of a live session of the table (streams, relay), from OPEN to
 * CLOSE, the unstarted timeout, the connection's end, or the program's
 * end once its streams are shut down.  A struct hl_isvc_proc is a
 * started program, from START until it is collected, with or without
 * its session.
 */
#ifndef HL_INTEROP_SVC_H
#define HL_INTEROP_SVC_H

#include "../hl_daemon.h"
#include "hl_interop_session.h"

#define HL_ISVC_TAG_CTL		0x4c544349U	/* "ICTL": hl_conn.svc_priv */
#define HL_ISVC_TAG_STREAM	0x4d545349U	/* "ISTM" */
#define HL_ISVC_RELAY_BUF	(64 * 1024)	/* per direction of a pty */
/* After the program's end, a pty's output is waited for this long... */
#define HL_ISVC_LINGER_MS	500
/* ...after its last byte, and at most this long in all. */
#define HL_ISVC_LINGER_MAX_MS	5000

/* The service's state in the daemon (hl_daemon.interop). */
struct hl_isvc_host {
	struct hl_list ctls;			/* struct hl_isvc_ctl */
	const struct hl_interop_spawner *sp;
	struct hl_interop_user user;		/* the daemon's own user */
	char *home, *name, *shell;
};

/* One control connection's sessions (its hl_conn.svc_priv). */
struct hl_isvc_ctl {
	uint32_t tag;				/* HL_ISVC_TAG_CTL */
	struct hl_list node;			/* in hl_isvc_host.ctls */
	struct hl_daemon *d;
	struct hl_conn *c;			/* NULL once it is gone */
	uint32_t cid;				/* its guest */
	unsigned int refs;			/* the connection, STARTs posted */
	struct hl_interop_table tab;
	struct hl_list sess;			/* struct hl_isvc_sess */
	struct hl_list procs;			/* struct hl_isvc_proc */
	struct hl_timer timer;			/* the table's next deadline */
};

/* One stream of a session: a token, then an attached socket. */
struct hl_isvc_stream {
	uint32_t tag;				/* HL_ISVC_TAG_STREAM */
	struct hl_isvc_sess *s;
	unsigned int idx;			/* 0 stdin, 1 stdout, 2 stderr */
	bool want;				/* its token is outstanding */
	bool relayed;				/* the pty's, never the program's */
	struct hl_conn *conn;			/* attached, not yet adopted */
	int fd;					/* adopted, or -1 */
	struct hl_watch *w;			/* the relay's */
};

struct hl_isvc_pstart;
struct hl_isvc_proc;

struct hl_isvc_buf {
	uint8_t *p;
	size_t len;
};

struct hl_isvc_sess {
	struct hl_list node;			/* in hl_isvc_ctl.sess */
	struct hl_isvc_ctl *ctl;
	uint64_t id;
	uint32_t streams;			/* INTEROP_WIRE_STREAM_* */
	bool pty;
	struct hl_isvc_pstart *pstart;		/* a START posted, not run yet */
	bool start_failed;			/* started, but START said no */
	struct hl_isvc_stream st[INTEROP_WIRE_STREAMS];
	struct hl_isvc_proc *proc;		/* started: until collected */
	/* The pty relay: stdin stream -> @in -> master -> @out -> stdout. */
	int ptyfd;				/* the master, the spawner's; -1 */
	struct hl_watch *ptyw;
	struct hl_isvc_buf in, out;
	bool in_eof;				/* the guest shut stdin down */
	bool eof_sent;				/* ... and the pty got its VEOF */
	bool pty_eof;				/* no slave is open any more */
	bool out_dead;				/* the guest stopped reading */
	bool exiting;				/* the program ended: drain */
	uint64_t exit_ms;
	struct hl_timer linger;
};

struct hl_isvc_proc {
	struct hl_list node;			/* in hl_isvc_ctl.procs */
	struct hl_isvc_ctl *ctl;
	void *proc;				/* the spawner's */
	struct hl_watch *w;			/* on its pidfd */
	struct hl_isvc_sess *s;			/* its session, or NULL once closed */
	bool ended;
	bool signaled;
	int value;
};

void hl_isvc_ctl_put(struct hl_isvc_ctl *ctl);
void hl_isvc_sess_finish(struct hl_isvc_sess *s);
void hl_isvc_sess_ended(struct hl_isvc_sess *s);

/* hl_interop_relay.c */
int hl_isvc_relay_start(struct hl_isvc_sess *s, int ptyfd);
void hl_isvc_relay_stop(struct hl_isvc_sess *s);
bool hl_isvc_relay_drained(struct hl_isvc_sess *s);

#endif /* HL_INTEROP_SVC_H */
