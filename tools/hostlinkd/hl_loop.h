/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: the event loop, the only part that touches sockets.  One
 * epoll set holds the listeners (AF_VSOCK and hybrid unix sockets), the
 * connections, a signalfd (SIGTERM, SIGINT, SIGHUP) and a timerfd set
 * to the earliest hl_timer.
 */
#ifndef HL_LOOP_H
#define HL_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "hl_daemon.h"

struct hl_listener {
	int fd;
	uint32_t port;
	char *path;		/* hybrid: the unix socket we created */
};

struct hl_loop {
	struct hl_daemon *d;
	int epfd;
	int sigfd;
	int timerfd;
	uint64_t armed;		/* the timerfd's deadline, HL_TIMER_NEVER: off */
	struct hl_listener *listeners;
	unsigned int nlisteners;
	bool listeners_off;	/* out of file descriptors: retry later */
	struct hl_timer retry;
	bool stop;
};

int hl_loop_init(struct hl_loop *l, struct hl_daemon *d);
int hl_loop_listen(struct hl_loop *l);
int hl_loop_run(struct hl_loop *l);
void hl_loop_free(struct hl_loop *l);

#endif /* HL_LOOP_H */
