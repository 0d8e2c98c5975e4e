/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: the daemon's objects and the internal API between its
 * layers.
 *
 *   hl_loop.c     sockets, epoll, signals, the timerfd: the only I/O
 *   hl_conn.c     a connection: receive framing, send queue, limits
 *   hl_proto.c    the protocol on a connection: HELLO, ATTACH, REQUEST,
 *                 CANCEL, and the request API that services use
 *   hl_event.c    EVENTs outside any request, coalesced under back-pressure
 *   hl_guest.c    per-guest accounting and trust rules
 *   hl_token.c    one-time tokens for extra connections
 *   hl_post.c     completions other threads hand to the event loop
 *   hl_service.c  the service table; hl_svc_*.c one service each,
 *                 or a folder each (dxg/, interop/)
 *
 * Everything below hl_loop.c is I/O-free, so the fuzzer and the tests
 * can drive a connection with bytes and a clock of their own (a service
 * may do I/O on fds of its own: the sockets it adopts, a pty; it polls
 * them through the I/O layer's watch_add()), and
 * none of it locks: the I/O layer runs all of it under one lock of its
 * own (its reader threads and its event loop take turns).  The one
 * exception is hl_daemon_post(), for threads of services (workers)
 * that hold no lock: it hands a completion to the event loop, which
 * runs it under that lock in its own thread.  A connection
 * is never freed inside a callback: it is marked HL_CONN_DEAD and put on
 * the dirty list, and hl_daemon_run_pending() hands it to the I/O layer,
 * which frees it.
 */
#ifndef HL_DAEMON_H
#define HL_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hl_config.h"
#include "hl_frame.h"
#include "hl_list.h"
#include "hl_timer.h"
#include "hl_txq.h"

#define HL_HYBRID_CID		UINT32_MAX	/* the hybrid pseudo-guest */
#define HL_RXBUF_SIZE		(64 * 1024)
/* A connection may always queue this much, whatever its guest's total. */
#define HL_TXQ_FAIR		(64 * 1024)
#define HL_HANDSHAKE_MS		10000	/* first frame due within */
#define HL_LINGER_MS		5000	/* a refusal must be read within */
#define HL_TOKEN_MS		10000	/* a token is good for */
#define HL_TOKENS_PER_GUEST	64
#define HL_REFUSING_PER_GUEST	4	/* beyond the limit, told EUSERS */
/* Events held back per connection, at most, as frame bytes (hl_event.c). */
#define HL_EVENT_HOLD		(64 * 1024)

struct hl_conn;
struct hl_req;
struct hl_daemon;
struct hl_dxg_host;
struct hl_isvc_host;
struct hl_interop_spawner;
struct hl_watch;

/* attach() asks for the socket itself: see struct hl_service's @adopt. */
#define HL_ATTACH_ADOPT		1

/**
 * struct hl_service - one service of the daemon
 * @name: the name a guest asks for in HELLO.
 * @port: its default port.
 * @request: handle a REQUEST; answer with hl_req_reply() now or later.
 * @cancel: drop the work of a pending request (its timer, its state);
 *	the core frees it.  Called on CANCEL and when the connection goes.
 * @resume: the request's connection may queue again after
 *	hl_req_wait_drain().
 * @attach: an extra connection presented a token of this service; it is
 *	in raw mode now.  @priv is what hl_token_issue() was given.  0 to
 *	keep it as a raw connection, HL_ATTACH_ADOPT to take its socket
 *	(@adopt), or -errno to close it.
 * @adopt: the socket of a connection whose attach() said HL_ATTACH_ADOPT,
 *	once its ATTACHED is sent: the service owns @fd from now on (-1
 *	when there is no socket, in tests), still non-blocking.  The
 *	connection is freed right after, without conn_close(), and no
 *	longer counts against max_connections: what the service does with
 *	the socket is its own business (interop hands it to a program).
 *	Nothing after the ATTACH frame has been read from it.
 * @raw_data: bytes on an attached connection; all are consumed.
 * @raw_eof: the peer shut down its side of an attached connection.
 * @writable: an attached connection sent some of its queue and may take
 *	more (optional): for services that stream more than they queue.
 * @conn_close: the connection is going away (optional).
 * @start: the daemon starts, before any connection (optional); 0 or
 *	-errno, which stops it.
 * @stop: the daemon stops, after every connection is gone (optional).
 */
struct hl_service {
	const char *name;
	uint32_t port;
	void (*request)(struct hl_req *req, const uint8_t *data, uint32_t len);
	void (*cancel)(struct hl_req *req);
	void (*resume)(struct hl_req *req);
	int (*attach)(struct hl_conn *c, void *priv);
	void (*adopt)(struct hl_conn *c, int fd);
	void (*raw_data)(struct hl_conn *c, const uint8_t *buf, size_t len);
	void (*raw_eof)(struct hl_conn *c);
	void (*writable)(struct hl_conn *c);
	void (*conn_close)(struct hl_conn *c);
	int (*start)(struct hl_daemon *d);
	void (*stop)(struct hl_daemon *d);
};

extern const struct hl_service hl_svc_test;
extern const struct hl_service hl_svc_dxg;
extern const struct hl_service hl_svc_interop;
const struct hl_service *hl_service_find(const char *name);
int hl_services_start(struct hl_daemon *d);
void hl_services_stop(struct hl_daemon *d);

/*
 * Connection slots, counted apart so that guest processes cannot crowd
 * out the guest kernel: connections that may be its control connections
 * (AF_VSOCK from a reserved port, or dialled by us) and all others.
 */
enum hl_slot {
	HL_SLOT_KERNEL,
	HL_SLOT_ORDINARY,
	HL_SLOTS,
};

/**
 * struct hl_guest - one guest (CID) and what it holds against its limits
 * @node: in hl_daemon.guests.
 * @d: the daemon.
 * @cid: its CID, or HL_HYBRID_CID for every hybrid vsock peer together.
 * @nconns: connections counted against max_connections, per enum hl_slot.
 * @nrefusing: connections beyond the limit, waiting to be told EUSERS.
 * @nreqs: requests in flight.
 * @ntokens: tokens outstanding.
 * @tx_bytes: bytes queued for sending on all its connections.
 * @conns: its connections (hl_conn.gnode).
 */
struct hl_guest {
	struct hl_list node;
	struct hl_daemon *d;
	uint32_t cid;
	unsigned int nconns[HL_SLOTS];
	unsigned int nrefusing[HL_SLOTS];
	unsigned int nreqs;
	unsigned int ntokens;
	uint64_t tx_bytes;
	struct hl_list conns;
};

/* Who is on the other end, as the socket layer said. */
struct hl_peer {
	bool hybrid;		/* a unix socket <path>_<lport>: no cid/port */
	bool dialled;		/* hybrid: we opened it, to the guest kernel's port */
	uint32_t cid;
	uint32_t port;
	uint32_t lport;		/* the listening port it came to */
};

enum hl_conn_state {
	HL_CONN_NEW,		/* waiting for HELLO or ATTACH */
	HL_CONN_CONTROL,	/* after WELCOME 0: requests */
	HL_CONN_RAW,		/* after ATTACHED 0: the service's bytes */
	HL_CONN_CLOSING,	/* send what is queued, then close */
	HL_CONN_DEAD,		/* close now */
};

/**
 * struct hl_conn - one accepted connection
 * @d: the daemon.
 * @g: its guest.
 * @node: in hl_daemon.conns.
 * @gnode: in hl_guest.conns.
 * @dirty: in hl_daemon.dirty while the I/O layer must look at it.
 * @serial: a number for the logs.
 * @peer: who it is.
 * @state: see enum hl_conn_state.
 * @slot: enum hl_slot, from its peer.
 * @refuse_users: accepted beyond the guest's limit: answer EUSERS.
 * @trusted: the credentials in its requests are the guest kernel's.
 * @blocked: reading paused, its guest's send queue being full.
 * @kick: unblocked: process buffered input, resume waiting requests.
 * @rx_eof: the peer shut down its sending side.
 * @eof_told: the service heard of it (raw_eof).
 * @adopt: the service takes the socket once the queue is sent (adopt()).
 * @rx: what the receive side has agreed (version, max_frame, features).
 * @svc: the service, once known.
 * @svc_priv: the service's per-connection data.
 * @rxbuf: staging buffer for received bytes, HL_RXBUF_SIZE.
 * @rx_start: first unprocessed byte in @rxbuf.
 * @rx_end: end of the received bytes in @rxbuf.
 * @hdr: the header of the frame being received, when @have_hdr.
 * @have_hdr: @hdr is checked; its payload is due.
 * @payload: a frame too large for @rxbuf is gathered here.
 * @payload_have: bytes of @payload received.
 * @reqs: pending requests (hl_req.node).
 * @waiters: requests waiting for the queue to drain (hl_req.wait).
 * @tokens: tokens issued on this connection (hl_token.cnode).
 * @ev_held: events of hl_conn_event() held back, oldest first (hl_event.c).
 * @ev_held_bytes: what they count against HL_EVENT_HOLD.
 * @ev_nheld: how many there are.
 * @txq: bytes to send.
 * @timer: handshake and linger deadlines.
 * @fd: the socket; owned by the I/O layer, -1 in tests.
 * @events: the epoll events the I/O layer asked for.
 * @reading: the I/O layer is receiving into hl_conn_rx_space()'s buffer
 *	without its lock: the receive state must stay as it is.
 * @io: the I/O layer's per-connection data (a reader thread), or NULL.
 * @io_tried: the I/O layer has tried to give it a reader thread.
 * @io_link: on a list of the I/O layer's (connections to free).
 * @dial: the I/O layer's dialer that opened it (peer.dialled), or NULL.
 * @logf: logfmt fields that name the connection.
 */
struct hl_conn {
	struct hl_daemon *d;
	struct hl_guest *g;
	struct hl_list node;
	struct hl_list gnode;
	struct hl_list dirty;
	uint64_t serial;
	struct hl_peer peer;
	enum hl_conn_state state;
	uint8_t slot;
	bool refuse_users;
	bool trusted;
	bool blocked;
	bool kick;
	bool rx_eof;
	bool eof_told;
	bool adopt;
	struct hl_rx_ctx rx;
	const struct hl_service *svc;
	void *svc_priv;
	uint8_t *rxbuf;
	size_t rx_start, rx_end;
	struct hl_hdr hdr;
	bool have_hdr;
	uint8_t *payload;
	uint32_t payload_have;
	struct hl_list reqs;
	struct hl_list waiters;
	struct hl_list tokens;
	struct hl_list ev_held;
	size_t ev_held_bytes;
	unsigned int ev_nheld;
	struct hl_txq txq;
	struct hl_timer timer;
	int fd;
	uint32_t events;
	bool reading;
	void *io;
	bool io_tried;
	struct hl_list io_link;
	void *dial;
	char logf[192];
};

/**
 * struct hl_req - a request in flight
 * @c: its connection.
 * @node: in hl_conn.reqs.
 * @wait: in hl_conn.waiters, after hl_req_wait_drain().
 * @id: the guest's id.
 * @op: the service's operation.
 * @flags: the header flags (HOSTLINK_F_KERNEL).
 * @cred: the credential block.
 * @timer: for the service.
 * @arg: the service's state.
 */
struct hl_req {
	struct hl_conn *c;
	struct hl_list node;
	struct hl_list wait;
	uint64_t id;
	uint32_t op;
	uint16_t flags;
	struct hl_cred cred;
	struct hl_timer timer;
	uint64_t arg[2];
};

/**
 * struct hl_post - a completion handed to the event loop (hl_post.c)
 * @next: in hl_daemon.post_head's queue.
 * @fn: what the loop runs.
 *
 * Embedded in the poster's own object, which @fn gets back with
 * hl_container_of(): posting allocates nothing and cannot fail for want
 * of memory.  Whatever the completion is about (a request, a
 * connection) may be gone by the time @fn runs: the service's cancel()
 * or conn_close() has to leave a mark that @fn can see.
 */
struct hl_post {
	struct hl_post *next;
	void (*fn)(struct hl_daemon *d, struct hl_post *p);
};

/**
 * struct hl_daemon - everything
 * @cfg: the configuration.
 * @guests: struct hl_guest.
 * @conns: struct hl_conn.
 * @dirty: connections the I/O layer must look at (hl_conn.dirty).
 * @tokens: struct hl_token.
 * @timers: all timers.
 * @clock: CLOCK_MONOTONIC in ms (tests may put their own).
 * @random: fills a buffer with random bytes; 0 or -errno.
 * @sync: the I/O layer: send what is queued, set what to poll for, and
 *	close and hl_conn_destroy() a dead connection.
 * @io: the I/O layer's data.
 * @wake: the I/O layer: make the loop call hl_daemon_run_posted() soon;
 *	called by any thread, under @post_lock, when the queue of posts
 *	stops being empty.  Set before other threads may post; must not
 *	block or post.  NULL: whoever runs the daemon polls.
 * @post_lock: protects @post_head, @post_tail and @post_closed; taken
 *	by nothing else, and no lock is taken under it but what @wake
 *	takes.
 * @post_head: completions posted, oldest first.
 * @post_tail: where the next one goes.
 * @post_closed: shutdown has begun: no more posts.
 * @next_serial: for hl_conn.serial.
 * @log_rl: what guests can make it log, all together.
 * @watch_add: the I/O layer: call @fn(@arg, revents) in the loop's thread,
 *	under the daemon lock, while @fd is ready for @events (poll(2)
 *	bits, level-triggered; POLLHUP and POLLERR come unasked while
 *	@events is not 0).  0 with the watch in *@out, or -errno.  NULL
 *	without an I/O layer (and after it is gone).
 * @watch_mod: what a watch waits for from now on; 0 is nothing.
 * @watch_del: the end of a watch: @fn does not run again, even for an
 *	event the loop has in hand.  The fd is the caller's, to close after.
 * @spawner: how the interop service starts programs; NULL is the real
 *	one (posix_spawn), tests and the fuzzer put a fake, as @clock.
 * @dxg: the GPU service's engines (dxg/hl_dxg_svc.c), once started.
 * @interop: the exec service's sessions (interop/hl_interop_svc.c).
 */
struct hl_daemon {
	const struct hl_config *cfg;
	struct hl_list guests;
	struct hl_list conns;
	struct hl_list dirty;
	struct hl_list tokens;
	struct hl_timers timers;
	uint64_t (*clock)(void);
	int (*random)(void *buf, size_t len);
	void (*sync)(struct hl_daemon *d, struct hl_conn *c);
	void *io;
	void (*wake)(struct hl_daemon *d);
	pthread_mutex_t post_lock;
	struct hl_post *post_head;
	struct hl_post **post_tail;
	bool post_closed;
	uint64_t next_serial;
	struct hl_ratelimit log_rl;
	int (*watch_add)(struct hl_daemon *d, int fd, uint32_t events,
			 void (*fn)(void *arg, uint32_t revents), void *arg,
			 struct hl_watch **out);
	int (*watch_mod)(struct hl_daemon *d, struct hl_watch *w, uint32_t events);
	void (*watch_del)(struct hl_daemon *d, struct hl_watch *w);
	const struct hl_interop_spawner *spawner;
	struct hl_dxg_host *dxg;
	struct hl_isvc_host *interop;
};

void hl_daemon_init(struct hl_daemon *d, const struct hl_config *cfg);
void hl_daemon_run_pending(struct hl_daemon *d);
void hl_daemon_free(struct hl_daemon *d);
bool hl_daemon_log_ok(struct hl_daemon *d);

/* hl_post.c */
int hl_daemon_post(struct hl_daemon *d, struct hl_post *p,
		   void (*fn)(struct hl_daemon *d, struct hl_post *p));
unsigned int hl_daemon_run_posted(struct hl_daemon *d);
void hl_daemon_post_shutdown(struct hl_daemon *d);

/* hl_guest.c */
int hl_guest_get(struct hl_daemon *d, const struct hl_peer *peer,
		 struct hl_guest **out);
void hl_guest_put(struct hl_guest *g);
bool hl_guest_over(const struct hl_guest *g);
void hl_guest_recheck(struct hl_guest *g);
int hl_guest_cid_allowed(const struct hl_daemon *d, const struct hl_peer *peer,
			 char *why, size_t whylen);

/* hl_conn.c */
int hl_conn_new(struct hl_daemon *d, const struct hl_peer *peer, int fd,
		struct hl_conn **out);
void hl_conn_destroy(struct hl_conn *c);
void hl_conn_rx_space(struct hl_conn *c, uint8_t **buf, size_t *len);
void hl_conn_rx_done(struct hl_conn *c, size_t n);
void hl_conn_rx_eof(struct hl_conn *c);
void hl_conn_kick(struct hl_conn *c);
size_t hl_conn_feed(struct hl_conn *c, const void *buf, size_t len);
bool hl_conn_wants_read(const struct hl_conn *c);
void hl_conn_tx_done(struct hl_conn *c, size_t n);
int hl_conn_send(struct hl_conn *c, const struct hl_hdr *h, const void *payload);
int hl_conn_send_raw(struct hl_conn *c, const void *buf, size_t len);
bool hl_conn_can_queue(const struct hl_conn *c);
void hl_conn_update_block(struct hl_conn *c);
void hl_conn_mark_dirty(struct hl_conn *c);
void hl_conn_close(struct hl_conn *c, bool flush, const char *why);
void hl_conn_protocol_error(struct hl_conn *c, const struct hl_frame_error *err);
bool hl_conn_adoptable(const struct hl_conn *c);
void hl_conn_adopted(struct hl_conn *c, int fd);
__attribute__((format(printf, 3, 4)))
void hl_conn_log(const struct hl_conn *c, enum hl_log_level level,
		 const char *fmt, ...);

/* hl_proto.c */
void hl_proto_dispatch(struct hl_conn *c, const struct hl_hdr *h,
		       const uint8_t *payload);
void hl_proto_close(struct hl_conn *c);
void hl_proto_resume(struct hl_conn *c);
void hl_req_reply(struct hl_req *req, uint32_t status, const void *data,
		  uint32_t len);
int hl_req_event(struct hl_req *req, uint32_t op, const void *data, uint32_t len);
int hl_conn_event_check(const struct hl_conn *c, uint32_t len);
bool hl_req_can_send(const struct hl_req *req);
void hl_req_wait_drain(struct hl_req *req);

/*
 * hl_event.c: hl_conn_event() sends an EVENT frame (op @op, payload
 * @data) on a control connection outside any request, for news the
 * guest did not ask for at that moment: a fence signalled, a device
 * lost.  The guest must have agreed to HOSTLINK_FEAT_EVENTS at HELLO
 * (else -EOPNOTSUPP).
 *
 * Events go out in the order they were sent.  While the connection may
 * not queue (its guest over max_queue and the connection itself holding
 * HL_TXQ_FAIR or more), they are held instead of queued, and @key says
 * what may be dropped: a held event is superseded by a later one with
 * the same @op and @key, whose value goes out instead, in the later
 * one's place.  So an event must carry the whole state of what its key
 * names (a fence id with the fence's latest value, not an increment),
 * and events that must all arrive need keys of their own (a counter).
 * The guest sees the events sent, in order, less some that a later one
 * of the same op and key made stale.  Held events take at most
 * HL_EVENT_HOLD bytes per connection: beyond, -ENOBUFS, and that event
 * is not sent.  REPLY frames, and events of hl_req_event(), are queued
 * at once and may overtake held events.
 */
int hl_conn_event(struct hl_conn *c, uint32_t op, uint64_t key,
		  const void *data, uint32_t len);
const void *hl_conn_event_held(struct hl_conn *c, uint32_t op, uint64_t key,
			       uint32_t *len);
void hl_event_flush(struct hl_conn *c);
void hl_event_drop_conn(struct hl_conn *c);

/* hl_token.c */
int hl_token_issue(struct hl_conn *c, void *priv, uint8_t *token);
int hl_token_redeem(struct hl_conn *c, const struct hl_hdr *h,
		    const struct hl_attach *a, const struct hl_service **svc,
		    void **priv, char *why, size_t whylen);
void hl_token_drop_conn(struct hl_conn *c);
void hl_token_revoke(struct hl_conn *c, const void *priv);

#endif /* HL_DAEMON_H */
