// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interop fuzz target's third mode: the service's request path in
 * the daemon (interop/hl_interop_svc.c), on a daemon without sockets,
 * with a fake clock, fake fd watches and a fake spawner
 * (hl_daemon.spawner).  One control connection says HELLO; then
 * records [kind][len, 2 bytes LE][payload]:
 *
 *   0  REQUEST: payload[0] the op, payload[1] bit 0 HOSTLINK_F_KERNEL,
 *      the rest its body (the credential block is the harness's)
 *   1  ATTACH on a new extra connection with token payload[0] of those
 *      the OPEN replies gave (adopted: the service gets a real socket)
 *   2  the oldest running fake program ends (payload: signaled, value)
 *   3  the clock moves (payload: milliseconds, LE); timers run
 *   4  the completions posted run (START's spawn)
 *   5  CANCEL of the last request
 *   6  the control connection closes
 *
 * Every REQUEST must get exactly one REPLY, with a status from the
 * document; the daemon's books must balance; at the end, with the
 * connections gone and the service stopped, every fake program must be
 * forgotten and (LeakSanitizer) nothing left.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hl_daemon.h"
#include "interop/hl_interop_session.h"

#define sz_assert(x) do { if (!(x)) { fprintf(stderr, "broken: %s\n", #x); abort(); } } while (0)

static uint64_t sz_now;
static uint8_t sz_tok;
static struct hl_conn *sz_ctl;
static uint8_t sz_tokens[16][HOSTLINK_TOKEN_LEN];
static unsigned int sz_ntokens;
static uint8_t sz_rx[1 << 16];
static size_t sz_rxlen;
static uint64_t sz_last_id;
static uint64_t sz_pending[256];	/* REQUESTs without their REPLY yet */
static unsigned int sz_npending;

static bool sz_pending_take(uint64_t id)
{
	unsigned int i;

	for (i = 0; i < sz_npending; i++)
		if (sz_pending[i] == id) {
			sz_pending[i] = sz_pending[--sz_npending];
			return true;
		}
	return false;
}

static uint64_t sz_clock(void)
{
	return sz_now;
}

static int sz_random(void *buf, size_t len)
{
	memset(buf, ++sz_tok, len);
	return 0;
}

/* ---- fake watches ---- */

struct sz_watch {
	struct sz_watch *next;
	int fd;
	void (*fn)(void *arg, uint32_t revents);
	void *arg;
};

static struct sz_watch *sz_watches;

static int sz_watch_add(struct hl_daemon *d, int fd, uint32_t events,
			void (*fn)(void *arg, uint32_t revents), void *arg,
			struct hl_watch **out)
{
	struct sz_watch *w = calloc(1, sizeof(*w));

	(void)d;
	(void)events;
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->fn = fn;
	w->arg = arg;
	w->next = sz_watches;
	sz_watches = w;
	*out = (struct hl_watch *)w;
	return 0;
}

static int sz_watch_mod(struct hl_daemon *d, struct hl_watch *w, uint32_t events)
{
	(void)d;
	(void)w;
	(void)events;
	return 0;
}

static void sz_watch_del(struct hl_daemon *d, struct hl_watch *hw)
{
	struct sz_watch **pp;

	(void)d;
	for (pp = &sz_watches; *pp; pp = &(*pp)->next)
		if (*pp == (struct sz_watch *)hw) {
			*pp = (*pp)->next;
			free(hw);
			return;
		}
	sz_assert(!hw);
}

/* ---- the fake spawner ---- */

struct sz_proc {
	struct sz_proc *next;
	int pidfd;
	bool ended, signaled;
	int value;
};

static struct sz_proc *sz_procs;
static int sz_next_pidfd = 100000;

static int sz_spawn(void *ctx, const struct hl_interop_spawn *sp, void **proc)
{
	struct sz_proc *p, **pp;

	(void)ctx;
	sz_assert(sp->path[0] == '/' && sp->argv[0] && sp->envp[3] && sp->cwd[0] == '/');
	sz_assert(sp->fds[1] >= 0);
	if (sp->argv[1] && sp->argv[1][0] == 'x')
		return -ENOEXEC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pidfd = sz_next_pidfd++;
	for (pp = &sz_procs; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	*proc = p;
	return 0;
}

static int sz_signal(void *ctx, void *proc, int sig)
{
	(void)ctx;
	sz_assert(proc && sig >= 1 && sig <= SIGRTMAX);
	return ((struct sz_proc *)proc)->ended ? -ESRCH : 0;
}

static int sz_resize(void *ctx, void *proc, uint16_t rows, uint16_t cols)
{
	(void)ctx;
	sz_assert(proc && rows && cols);
	return 0;
}

static void sz_forget(void *ctx, void *proc)
{
	struct sz_proc **pp;

	(void)ctx;
	for (pp = &sz_procs; *pp; pp = &(*pp)->next)
		if (*pp == proc) {
			*pp = ((struct sz_proc *)proc)->next;
			free(proc);
			return;
		}
	abort();	/* forgotten twice, or never spawned */
}

static int sz_pidfd(void *ctx, void *proc)
{
	(void)ctx;
	return ((struct sz_proc *)proc)->pidfd;
}

static int sz_pty(void *ctx, void *proc)
{
	(void)ctx;
	(void)proc;
	return -1;	/* no pty here: the service's failure path */
}

static int sz_reap(void *ctx, void *proc, bool *signaled, int *value)
{
	struct sz_proc *p = proc;

	(void)ctx;
	if (!p->ended)
		return -EAGAIN;
	*signaled = p->signaled;
	*value = p->value;
	return 0;
}

static const struct hl_interop_spawner sz_sp = {
	.spawn = sz_spawn, .signal = sz_signal, .resize = sz_resize, .forget = sz_forget,
	.pidfd = sz_pidfd, .pty = sz_pty, .reap = sz_reap,
};

/* ---- what the guest receives ---- */

static bool sz_status_ok(uint32_t op, uint32_t st)
{
	switch (st) {
	case 0: case EOPNOTSUPP: case EPROTO: case EINVAL: case E2BIG: case ESRCH:
	case EEXIST: case EPERM: case EUSERS: case ENOENT: case EACCES: case ENOMEM:
	case EAGAIN: case EPROTONOSUPPORT:
		return true;
	case ENOEXEC:
		return op == INTEROP_WIRE_OP_START;
	case ENAMETOOLONG:
		return op == INTEROP_WIRE_OP_MAPPATH || op == INTEROP_WIRE_OP_OPEN;
	}
	return false;
}

/* The control connection's frames: replies checked, OPEN's tokens kept. */
static void sz_guest_rx(void)
{
	size_t off = 0;

	while (sz_rxlen - off >= HL_HDR_LEN) {
		const uint8_t *p = sz_rx + off + HL_HDR_LEN;
		struct hl_hdr h;

		hl_hdr_decode(sz_rx + off, &h);
		if (sz_rxlen - off - HL_HDR_LEN < h.len)
			break;
		if (h.type == HOSTLINK_REPLY) {
			sz_assert(sz_pending_take(h.id));	/* exactly one REPLY */
			sz_assert(sz_status_ok(h.op, h.status));
			sz_assert(!h.status || !h.len);
			if (h.op == INTEROP_WIRE_OP_OPEN && !h.status) {
				const struct interop_wire_open_reply *r = (const void *)p;
				unsigned int i;

				sz_assert(h.len == sizeof(*r));
				for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
					if ((le32toh(r->streams) & (1U << i)) && sz_ntokens < 16)
						memcpy(sz_tokens[sz_ntokens++], r->token[i],
						       HOSTLINK_TOKEN_LEN);
			}
			if (h.op == INTEROP_WIRE_OP_INFO && !h.status)
				sz_assert(h.len == sizeof(struct interop_wire_info_reply));
		} else if (h.type == HOSTLINK_EVENT) {
			sz_assert(h.op == INTEROP_WIRE_EV_EXIT && h.len == 16);
		}
		off += HL_HDR_LEN + h.len;
	}
	memmove(sz_rx, sz_rx + off, sz_rxlen - off);
	sz_rxlen -= off;
}

static void sz_sync(struct hl_daemon *d, struct hl_conn *c)
{
	(void)d;
	while (c->txq.bytes && c->state != HL_CONN_DEAD) {
		struct iovec iov[16];
		size_t n = hl_txq_iov(&c->txq, iov, 16), i, done = 0;

		for (i = 0; i < n; i++) {
			if (c == sz_ctl && sz_rxlen + iov[i].iov_len <= sizeof(sz_rx)) {
				memcpy(sz_rx + sz_rxlen, iov[i].iov_base, iov[i].iov_len);
				sz_rxlen += iov[i].iov_len;
			}
			done += iov[i].iov_len;
		}
		hl_conn_tx_done(c, done);
		if (c == sz_ctl)
			sz_guest_rx();
	}
	if (hl_conn_adoptable(c)) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
			sv[0] = sv[1] = -1;
		if (sv[1] >= 0)
			close(sv[1]);
		hl_conn_adopted(c, sv[0]);
	}
	if (c->state == HL_CONN_DEAD) {
		if (c == sz_ctl) {
			sz_ctl = NULL;
			sz_npending = 0;	/* a dead connection answers nothing */
			sz_rxlen = 0;
		}
		hl_conn_destroy(c);
	}
}

/* ---- driving it ---- */

static void sz_feed(struct hl_daemon *d, struct hl_conn *c, const void *hdr,
		    const void *payload, uint32_t plen)
{
	hl_conn_feed(c, hdr, HL_HDR_LEN);
	if (plen)
		hl_conn_feed(c, payload, plen);
	hl_daemon_run_pending(d);
}

static void sz_request(struct hl_daemon *d, const uint8_t *p, uint32_t len)
{
	static uint8_t buf[HL_CRED_LEN + (1 << 16)];
	struct hl_cred cred = { .uid = 1000, .gid = 1000, .pid = 7, .tid = 7 };
	uint8_t hdr[HL_HDR_LEN];
	struct hl_hdr h;

	if (!sz_ctl || len < 2)
		return;
	hl_hdr_init(&h, HOSTLINK_REQUEST, sz_ctl->rx.version);
	h.op = p[0];
	h.flags = p[1] & 1 ? HOSTLINK_F_KERNEL : 0;
	h.id = ++sz_last_id;
	h.len = HL_CRED_LEN + len - 2;
	if (h.flags)
		memset(&cred, 0, sizeof(cred));
	hl_cred_encode(buf, &cred);
	memcpy(buf + HL_CRED_LEN, p + 2, len - 2);
	hl_hdr_encode(hdr, &h);
	if (sz_npending == 256)
		return;
	sz_pending[sz_npending++] = h.id;
	sz_feed(d, sz_ctl, hdr, buf, h.len);
}

static void sz_attach(struct hl_daemon *d, const uint8_t *p, uint32_t len)
{
	struct hl_peer peer = { .hybrid = true, .lport = HOSTLINK_PORT_INTEROP };
	struct hl_attach a = { .service = INTEROP_WIRE_SERVICE };
	uint8_t hdr[HL_HDR_LEN], buf[HL_ATTACH_LEN];
	struct hl_conn *c;
	struct hl_hdr h;

	if (!sz_ntokens || !len || !sz_ctl)
		return;
	memcpy(a.token, sz_tokens[p[0] % sz_ntokens], HOSTLINK_TOKEN_LEN);
	if (hl_conn_new(d, &peer, -1, &c))
		return;
	hl_attach_encode(buf, &a);
	hl_hdr_init(&h, HOSTLINK_ATTACH, sz_ctl->rx.version);
	h.len = sizeof(buf);
	hl_hdr_encode(hdr, &h);
	sz_feed(d, c, hdr, buf, h.len);
	/* A connection left open (refused, or a test of limits) goes now. */
	if (!hl_list_empty(&d->conns)) {
		struct hl_list *pos, *tmp;

		hl_list_for_each_safe(pos, tmp, &d->conns) {
			struct hl_conn *o = hl_list_entry(pos, struct hl_conn, node);

			if (o != sz_ctl)
				hl_conn_close(o, false, NULL);
		}
		hl_daemon_run_pending(d);
	}
}

static void sz_end_proc(struct hl_daemon *d, const uint8_t *p, uint32_t len)
{
	struct sz_proc *sp;
	struct sz_watch *w;

	for (sp = sz_procs; sp && sp->ended; sp = sp->next)
		;
	if (!sp)
		return;
	sp->ended = true;
	sp->signaled = len > 0 && (p[0] & 1);
	sp->value = len > 1 ? p[1] % 65 : 0;
	if (sp->signaled && !sp->value)
		sp->value = SIGKILL;
	for (w = sz_watches; w; w = w->next)
		if (w->fd == sp->pidfd) {
			w->fn(w->arg, POLLIN);
			break;
		}
	hl_daemon_run_pending(d);
}

static void sz_hello(struct hl_daemon *d)
{
	struct hl_peer peer = { .hybrid = true, .dialled = true, .lport = HOSTLINK_PORT_INTEROP };
	struct hl_hello hello = {
		.min_version = HOSTLINK_PROTO_MIN, .max_version = HOSTLINK_PROTO_MAX,
		.max_frame = HOSTLINK_FRAME_DEFAULT, .features = HOSTLINK_FEAT_ALL,
		.service = INTEROP_WIRE_SERVICE,
	};
	uint8_t hdr[HL_HDR_LEN], buf[HL_HELLO_LEN];
	struct hl_hdr h;

	if (hl_conn_new(d, &peer, -1, &sz_ctl))
		abort();
	hl_hello_encode(buf, &hello);
	hl_hdr_init(&h, HOSTLINK_HELLO, HOSTLINK_PROTO_MAX);
	h.len = sizeof(buf);
	hl_hdr_encode(hdr, &h);
	sz_feed(d, sz_ctl, hdr, buf, h.len);
	/* WELCOME is not a reply: the guest's reader takes it apart. */
	if (sz_rxlen >= HL_HDR_LEN) {
		struct hl_hdr w;

		hl_hdr_decode(sz_rx, &w);
		sz_assert(w.type == HOSTLINK_WELCOME && !w.status);
		memmove(sz_rx, sz_rx + HL_HDR_LEN + w.len, sz_rxlen - HL_HDR_LEN - w.len);
		sz_rxlen -= HL_HDR_LEN + w.len;
	}
}

static struct hl_config sz_cfg;

static void sz_setup(void)
{
	static const char *const kv[][2] = {
		{ "listen", "interop" },
		{ "trust_hybrid", "yes" },
		{ "max_connections", "4" },
		{ "log_level", "none" },
		{ "interop_guests", "hybrid" },
		{ "interop_allow_root", "yes" },
		{ "interop_max_sessions", "6" },
		{ "interop_kill_grace_ms", "100" },
		{ "interop_path_map", "/mnt/host:/ /g:/tmp" },
		{ "interop_allow", "/usr/bin/ /bin/" },
	};
	char err[256];
	size_t i;

	hl_config_init(&sz_cfg);
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (hl_config_set(&sz_cfg, HL_SRC_FLAGS, kv[i][0], kv[i][1], err, sizeof(err)))
			abort();
	hl_log_threshold = HL_LOG_NONE;
}

void hl_interop_svc_fuzz(const uint8_t *data, size_t size);

void hl_interop_svc_fuzz(const uint8_t *data, size_t size)
{
	static bool ready;
	struct hl_daemon d;
	size_t off = 0;

	if (!ready) {
		sz_setup();
		ready = true;
	}
	sz_now = 1000;
	sz_ntokens = 0;
	sz_rxlen = 0;
	sz_npending = 0;
	hl_daemon_init(&d, &sz_cfg);
	d.clock = sz_clock;
	d.random = sz_random;
	d.sync = sz_sync;
	d.watch_add = sz_watch_add;
	d.watch_mod = sz_watch_mod;
	d.watch_del = sz_watch_del;
	d.spawner = &sz_sp;
	if (hl_svc_interop.start(&d))
		abort();
	sz_hello(&d);
	while (size - off >= 3) {
		uint8_t kind = data[off];
		uint32_t len = data[off + 1] | data[off + 2] << 8;
		const uint8_t *p = data + off + 3;

		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		switch (kind % 7) {
		case 0:
			sz_request(&d, p, len);
			break;
		case 1:
			sz_attach(&d, p, len);
			break;
		case 2:
			sz_end_proc(&d, p, len);
			break;
		case 3:
			if (len >= 2)
				sz_now += p[0] | p[1] << 8;
			hl_timers_run(&d.timers, sz_now);
			hl_daemon_run_pending(&d);
			break;
		case 4:
			hl_daemon_run_posted(&d);
			hl_daemon_run_pending(&d);
			break;
		case 5:
			if (sz_ctl) {
				uint8_t hdr[HL_HDR_LEN];
				struct hl_hdr h;

				hl_hdr_init(&h, HOSTLINK_CANCEL, sz_ctl->rx.version);
				h.id = sz_last_id;
				hl_hdr_encode(hdr, &h);
				/* Still pending, it is answered by nobody now. */
				sz_pending_take(sz_last_id);
				sz_feed(&d, sz_ctl, hdr, NULL, 0);
			}
			break;
		case 6:
			if (sz_ctl) {
				hl_conn_close(sz_ctl, false, NULL);
				hl_daemon_run_pending(&d);
			}
			break;
		}
	}
	/* Everything posted runs; then every REQUEST has had its REPLY. */
	hl_daemon_run_posted(&d);
	hl_daemon_run_pending(&d);
	sz_assert(!sz_ctl || !sz_npending);
	while (!hl_list_empty(&d.conns)) {
		hl_conn_close(hl_list_first(&d.conns, struct hl_conn, node), false, NULL);
		hl_daemon_run_pending(&d);
	}
	hl_daemon_post_shutdown(&d);
	/* As the I/O layer does when it goes: the watches with it. */
	d.watch_add = NULL;
	d.watch_mod = NULL;
	d.watch_del = NULL;
	while (sz_watches) {
		struct sz_watch *w = sz_watches;

		sz_watches = w->next;
		free(w);
	}
	hl_svc_interop.stop(&d);
	sz_assert(!sz_procs);
	sz_assert(hl_list_empty(&d.guests));
	hl_daemon_free(&d);
}
