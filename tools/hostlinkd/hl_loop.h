/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: the event loop, the only part that touches sockets.  One
 * epoll set holds the listeners (AF_VSOCK and hybrid unix sockets), the
 * connections, a signalfd (SIGTERM, SIGINT, SIGHUP), a timerfd set to
 * the earliest hl_timer and an eventfd by which reader threads, and
 * threads that hl_daemon_post() completions, wake it.
 * Control connections are received on by reader threads of their own
 * (hl_loop.c says how, and how they share the daemon with the loop).
 */
#ifndef HL_LOOP_H
#define HL_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hl_daemon.h"

struct hl_listener {
	int fd;
	uint32_t port;
	char *path;		/* hybrid: the unix socket we created */
};

struct hl_loop;

/*
 * A host-initiated control connection through a hybrid vsock VMM
 * (hybrid_connect): connect to its socket, "CONNECT <guest port>\n",
 * wait for "OK <port>\n", send OFFER; the guest kernel says HELLO.  One
 * per served service; redialled with backoff while it has none.
 */
struct hl_dialer {
	struct hl_loop *l;
	const struct hl_listen *ls;	/* the service and its port */
	int fd;				/* waiting for the VMM's answer, else -1 */
	char line[32];			/* the answer so far */
	size_t got;
	struct hl_conn *c;		/* what it became, while it lives */
	struct hl_timer timer;		/* the answer's deadline, or the next try */
	unsigned int backoff_ms;
	char last[160];			/* the last failure, logged once */
};

/*
 * A watch of a service's fd (hl_daemon.watch_add).  In the epoll set its
 * pointer has bit 0 set, so the loop tells it from a connection.  Freed
 * only by the loop, between two epoll_wait()s, as connections are.
 */
struct hl_watch {
	struct hl_loop *l;
	struct hl_list node;	/* in l->watches, then l->watch_reap */
	int fd;
	uint32_t events;	/* what it waits for; 0: out of the epoll set */
	void (*fn)(void *arg, uint32_t revents);
	void *arg;
	bool dead;
};

struct hl_loop {
	struct hl_daemon *d;
	int epfd;
	int sigfd;
	int timerfd;
	int wakefd;
	uint64_t armed;		/* the timerfd's deadline, HL_TIMER_NEVER: off */
	pthread_mutex_t lock;	/* the whole daemon */
	bool lock_ok;
	pthread_t main;		/* the loop's thread */
	struct hl_list reap;	/* dead connections to free (hl_conn.io_link) */
	struct hl_list watches;	/* struct hl_watch, live */
	struct hl_list watch_reap;	/* deleted ones, to free */
	struct hl_listener *listeners;
	unsigned int nlisteners;
	struct hl_dialer *dialers;
	unsigned int ndialers;
	bool listeners_off;	/* out of file descriptors: retry later */
	struct hl_timer retry;
	bool stop;
};

int hl_loop_init(struct hl_loop *l, struct hl_daemon *d);
int hl_loop_listen(struct hl_loop *l);
int hl_loop_run(struct hl_loop *l);
void hl_loop_free(struct hl_loop *l);

#endif /* HL_LOOP_H */
