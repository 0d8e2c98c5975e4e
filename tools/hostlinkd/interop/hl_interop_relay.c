// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: the pty relay.  With a pty the program's stdin and
 * stdout are the slave; the daemon moves bytes between the master and
 * the stdin and stdout streams in the event loop, through a buffer of
 * HL_ISVC_RELAY_BUF bytes each way.  A full buffer stops reading its
 * source: a program that does not read its terminal stops the guest's
 * stdin stream (vsock's flow control holds the guest writer), a guest
 * that does not read stdout stops the program's writes to its terminal,
 * and neither touches another session.
 *
 * The guest's end of stdin (SHUT_WR) becomes the terminal's VEOF
 * character, once what came before it is written: as a terminal user
 * typing ^D.  A guest that stops reading stdout (SHUT_RD, EPIPE) has the
 * rest dropped; the program's writes never fail for it.
 *
 * When the program ends, the master is read until no slave is open
 * (EIO) and the buffer is sent; a background child that keeps the
 * terminal open is waited for HL_ISVC_LINGER_MS after its last byte,
 * at most HL_ISVC_LINGER_MAX_MS, before the streams are shut down
 * regardless.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "hl_interop_svc.h"

static void hl_relay_pump(struct hl_isvc_sess *s);

static bool hl_relay_done(const struct hl_isvc_sess *s)
{
	return s->pty_eof && (!s->out.len || s->out_dead);
}

static void hl_relay_consume(struct hl_isvc_buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/* What each fd waits for now. */
static void hl_relay_watch(struct hl_isvc_sess *s)
{
	struct hl_daemon *d = s->ctl->d;
	uint32_t in = 0, pty = 0, out = 0;

	if (!d->watch_mod)
		return;
	if (!s->in_eof && s->in.len < HL_ISVC_RELAY_BUF)
		in = POLLIN;
	if (!s->pty_eof && (s->out_dead || s->out.len < HL_ISVC_RELAY_BUF))
		pty |= POLLIN;
	if (!s->pty_eof && (s->in.len || (s->in_eof && !s->eof_sent)))
		pty |= POLLOUT;
	if (s->out.len && !s->out_dead)
		out = POLLOUT;
	if (s->st[0].w)
		d->watch_mod(d, s->st[0].w, in);
	if (s->ptyw)
		d->watch_mod(d, s->ptyw, pty);
	if (s->st[1].w)
		d->watch_mod(d, s->st[1].w, out);
}

/* One pass each way; true if a byte moved. */
static bool hl_relay_step(struct hl_isvc_sess *s)
{
	bool moved = false;
	ssize_t n;

	if (!s->in_eof && s->in.len < HL_ISVC_RELAY_BUF) {
		n = recv(s->st[0].fd, s->in.p + s->in.len, HL_ISVC_RELAY_BUF - s->in.len,
			 MSG_DONTWAIT);
		if (n > 0) {
			s->in.len += n;
			moved = true;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			s->in_eof = true;
			moved = true;
		}
	}
	if (s->in.len && !s->pty_eof) {
		n = write(s->ptyfd, s->in.p, s->in.len);
		if (n > 0) {
			hl_relay_consume(&s->in, n);
			moved = true;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			s->in.len = 0;	/* no slave to read it */
			s->eof_sent = true;
		}
	}
	if (s->in_eof && !s->in.len && !s->eof_sent && !s->pty_eof) {
		struct termios t;
		uint8_t eof = 4;

		if (!tcgetattr(s->ptyfd, &t) && t.c_cc[VEOF] != _POSIX_VDISABLE)
			eof = t.c_cc[VEOF];
		n = write(s->ptyfd, &eof, 1);
		if (n == 1 || (n < 0 && errno != EAGAIN && errno != EINTR))
			s->eof_sent = true;
	}
	if (!s->pty_eof && (s->out_dead || s->out.len < HL_ISVC_RELAY_BUF)) {
		uint8_t *dst = s->out_dead ? s->out.p : s->out.p + s->out.len;
		size_t room = s->out_dead ? HL_ISVC_RELAY_BUF : HL_ISVC_RELAY_BUF - s->out.len;

		n = read(s->ptyfd, dst, room);
		if (n > 0) {
			if (!s->out_dead)
				s->out.len += n;
			moved = true;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			s->pty_eof = true;	/* EIO: the last slave is closed */
			moved = true;
		}
	}
	if (s->out.len && !s->out_dead) {
		n = send(s->st[1].fd, s->out.p, s->out.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			hl_relay_consume(&s->out, n);
			moved = true;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			s->out_dead = true;
			s->out.len = 0;
		}
	}
	return moved;
}

static void hl_relay_linger(struct hl_timer *t)
{
	struct hl_isvc_sess *s = hl_container_of(t, struct hl_isvc_sess, linger);

	hl_isvc_sess_ended(s);
}

static void hl_relay_arm_linger(struct hl_isvc_sess *s)
{
	struct hl_daemon *d = s->ctl->d;
	uint64_t at = d->clock() + HL_ISVC_LINGER_MS;

	if (at > s->exit_ms + HL_ISVC_LINGER_MAX_MS)
		at = s->exit_ms + HL_ISVC_LINGER_MAX_MS;
	if (hl_timer_arm(&d->timers, &s->linger, at))
		s->pty_eof = true;	/* cannot wait: done as it is */
}

/* Moves what can move; after the program's end, finishes when drained. */
static void hl_relay_pump(struct hl_isvc_sess *s)
{
	bool moved = false;
	unsigned int i;

	/* Bounded: the loop serves others between two rounds. */
	for (i = 0; i < 16 && hl_relay_step(s); i++)
		moved = true;
	hl_relay_watch(s);
	if (!s->exiting)
		return;
	if (hl_relay_done(s))
		return hl_isvc_sess_ended(s);
	if (moved)
		hl_relay_arm_linger(s);
}

static void hl_relay_event(void *arg, uint32_t revents)
{
	(void)revents;
	hl_relay_pump(arg);
}

/**
 * hl_isvc_relay_start() - relay a started session's pty
 * @s: the session, its stdin and stdout streams adopted.
 * @ptyfd: the master (the spawner's; it stays open until forget()).
 *
 * Return: 0 or -errno.
 */
int hl_isvc_relay_start(struct hl_isvc_sess *s, int ptyfd)
{
	struct hl_daemon *d = s->ctl->d;
	int flags, ret;

	if (ptyfd < 0 || s->st[1].fd < 0)
		return -EINVAL;
	hl_timer_init(&s->linger, hl_relay_linger);
	s->ptyfd = ptyfd;
	flags = fcntl(ptyfd, F_GETFL);
	if (flags < 0 || fcntl(ptyfd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	s->in.p = malloc(HL_ISVC_RELAY_BUF);
	s->out.p = malloc(HL_ISVC_RELAY_BUF);
	if (!s->in.p || !s->out.p)
		return -ENOMEM;
	if (s->st[0].fd < 0)
		s->in_eof = s->eof_sent = true;
	if (!d->watch_add)
		return -ENOSYS;
	ret = d->watch_add(d, ptyfd, 0, hl_relay_event, s, &s->ptyw);
	if (!ret && s->st[0].fd >= 0)
		ret = d->watch_add(d, s->st[0].fd, 0, hl_relay_event, s, &s->st[0].w);
	if (!ret)
		ret = d->watch_add(d, s->st[1].fd, 0, hl_relay_event, s, &s->st[1].w);
	if (ret)
		return ret;
	hl_relay_watch(s);
	return 0;
}

/* No more relaying: the watches and buffers go (the fds are others'). */
void hl_isvc_relay_stop(struct hl_isvc_sess *s)
{
	struct hl_daemon *d = s->ctl->d;

	if (s->ptyfd < 0 && !s->in.p && !s->out.p)
		return;
	if (d->watch_del) {
		d->watch_del(d, s->ptyw);
		d->watch_del(d, s->st[0].w);
		d->watch_del(d, s->st[1].w);
	}
	s->ptyw = s->st[0].w = s->st[1].w = NULL;
	hl_timer_cancel(&d->timers, &s->linger);
	free(s->in.p);
	free(s->out.p);
	s->in.p = s->out.p = NULL;
	s->in.len = s->out.len = 0;
	s->ptyfd = -1;
}

/**
 * hl_isvc_relay_drained() - the program ended: is all it wrote sent?
 * @s: the session.
 *
 * Return: true if the streams may be shut down now; false if the relay
 * finishes the session itself later (hl_isvc_sess_ended()).
 */
bool hl_isvc_relay_drained(struct hl_isvc_sess *s)
{
	unsigned int i;

	if (s->ptyfd < 0)
		return true;
	s->exiting = true;
	s->exit_ms = s->ctl->d->clock();
	for (i = 0; i < 16 && !hl_relay_done(s) && hl_relay_step(s); i++)
		;
	if (hl_relay_done(s))
		return true;
	hl_relay_watch(s);
	hl_relay_arm_linger(s);
	return false;
}
