// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: the relay.  One poll loop moves our stdin to the program's
 * stdin stream, its stdout and stderr streams to our fds 1 and 2, and
 * takes signals and the session's end:
 *
 * - our stdin's EOF is shutdown(SHUT_WR) of the stdin stream; stdin is
 *   no longer read once the program has ended or stopped reading (a
 *   write to the stream fails);
 * - a write to our fd 1 or 2 that fails (EPIPE: nobody reads) is
 *   shutdown(SHUT_RD) of that stream, so that the program's next write
 *   fails, and SIGPIPE to the program, as with a local pipe: vsock
 *   before Linux 6.5 fails such a write with EPIPE but raises no
 *   SIGPIPE, so `hostrun yes | head -1` would otherwise see yes report
 *   an error and exit 1 instead of dying quietly (a program that
 *   ignores SIGPIPE is not touched by it, and sees EPIPE);
 * - stdout and stderr are drained to EOF before we report the end (the
 *   host shuts them down when the program ends);
 * - the host's loss (the session fd says so) shuts the streams down.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "hostrun.h"

/**
 * struct hr_stream - one direction of bytes
 * @src: where they come from.
 * @dst: where they go.
 * @sock: the stream socket, @src or @dst.
 * @buf: HR_BUF_SIZE bytes.
 * @off: first byte not written yet.
 * @len: bytes in @buf.
 * @eof: @src gave EOF (or is no longer read).
 * @done: nothing more to do.
 * @broken: a write to @dst failed with EPIPE: the program is owed SIGPIPE.
 * @name: for messages.
 */
struct hr_stream {
	int src;
	int dst;
	int sock;
	char *buf;
	size_t off;
	size_t len;
	bool eof;
	bool done;
	bool broken;
	const char *name;
};

static int hr_stream_init(struct hr_stream *st, int src, int dst, int sock,
			  const char *name)
{
	memset(st, 0, sizeof(*st));
	st->src = src;
	st->dst = dst;
	st->sock = sock;
	st->name = name;
	if (sock < 0) {
		st->done = true;
		st->eof = true;
		return 0;
	}
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
	st->buf = malloc(HR_BUF_SIZE);
	return st->buf ? 0 : -ENOMEM;
}

/* Stop reading @st's source and drop what is buffered. */
static void hr_stream_drop(struct hr_stream *st)
{
	st->eof = true;
	st->done = true;
	st->off = 0;
	st->len = 0;
}

static void hr_stream_read(struct hr_stream *st, bool is_stdin)
{
	ssize_t n;

	n = read(st->src, st->buf + st->len, HR_BUF_SIZE - st->len);
	if (n > 0) {
		st->len += (size_t)n;
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EOF, or a read error of ours (a terminal hung up): EOF too. */
	st->eof = true;
	if (!is_stdin && n < 0)
		hr_msg("reading the program's %s: %s", st->name, strerror(errno));
}

static void hr_stream_write(struct hr_stream *st, bool is_stdin)
{
	ssize_t n;

	n = write(st->dst, st->buf + st->off, st->len - st->off);
	if (n >= 0) {
		st->off += (size_t)n;
		if (st->off == st->len) {
			st->off = 0;
			st->len = 0;
		}
		return;
	}
	if (errno == EINTR || errno == EAGAIN)
		return;
	if (is_stdin) {
		/* The program no longer reads its stdin. */
		hr_stream_drop(st);
		return;
	}
	if (errno != EPIPE)
		hr_msg("writing %s: %s", st->name, strerror(errno));
	else
		st->broken = true;
	shutdown(st->sock, SHUT_RD);
	hr_stream_drop(st);
}

/* After EOF and the last write: the stdin stream's end, or done. */
static void hr_stream_settle(struct hr_stream *st, bool is_stdin)
{
	if (st->done || !st->eof || st->len)
		return;
	if (is_stdin)
		shutdown(st->sock, SHUT_WR);
	st->done = true;
}

static void hr_relay_lost(struct hr_stream *st, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (st[i].sock >= 0)
			shutdown(st[i].sock, SHUT_RDWR);
	}
	hr_stream_drop(&st[0]);
}

/* The signals that came: forwarded, or a resize.  0 or -errno. */
static int hr_relay_signals(struct hr_session *s, bool pty, bool exited)
{
	struct winsize ws;
	int signo, ret;

	while ((signo = hr_signal_take())) {
		if (exited)
			continue;
		if (signo == SIGWINCH) {
			if (!pty || (ioctl(1, TIOCGWINSZ, &ws) && ioctl(0, TIOCGWINSZ, &ws)) ||
			    !ws.ws_row || !ws.ws_col)
				continue;
			ret = hr_dev.resize(s, ws.ws_row, ws.ws_col);
		} else {
			ret = hr_dev.signal(s, signo);
		}
		if (ret == -ENOTCONN || ret == -EPROTO)
			return ret;
	}
	return 0;
}

enum { HR_P_SIG, HR_P_SESSION, HR_P_IN_SRC, HR_P_IN_DST, HR_P_OUT_SRC,
	HR_P_OUT_DST, HR_P_ERR_SRC, HR_P_ERR_DST, HR_P_N };

/* Ask poll about @st: its source while there is room, its sink while full. */
static void hr_relay_want(struct pollfd *p, const struct hr_stream *st)
{
	p[0].fd = -1;
	p[1].fd = -1;
	if (st->done)
		return;
	if (!st->eof && st->len < HR_BUF_SIZE) {
		p[0].fd = st->src;
		p[0].events = POLLIN;
	}
	if (st->len) {
		p[1].fd = st->dst;
		p[1].events = POLLOUT;
	}
}

static void hr_relay_io(struct pollfd *p, struct hr_stream *st, bool is_stdin)
{
	if (p[0].fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
		hr_stream_read(st, is_stdin);
	if (p[1].fd >= 0 && (p[1].revents & (POLLOUT | POLLHUP | POLLERR)))
		hr_stream_write(st, is_stdin);
	/* A stdin stream that hangs up: the program will not read it. */
	if (is_stdin && !st->done && p[1].fd < 0 && st->sock >= 0) {
		struct pollfd q = { .fd = st->sock, .events = 0 };

		if (poll(&q, 1, 0) > 0 && (q.revents & (POLLHUP | POLLERR)))
			hr_stream_drop(st);
	}
	hr_stream_settle(st, is_stdin);
}

/**
 * hr_relay() - run the session to its end
 * @s: the session.
 * @pty: it has a host pty (resizes are sent).
 * @res: (out) how it ended.
 *
 * Return: 0 with @res, or -errno of our own (-ENOMEM).
 */
int hr_relay(struct hr_session *s, bool pty, struct hr_result *res)
{
	struct hr_stream st[3];
	struct pollfd p[HR_P_N];
	bool exited = false;
	size_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(st, 0, sizeof(st));
	ret = hr_stream_init(&st[0], 0, s->stdin_fd, s->stdin_fd, "stdin");
	if (!ret)
		ret = hr_stream_init(&st[1], s->stdout_fd, 1, s->stdout_fd, "stdout");
	if (!ret)
		ret = hr_stream_init(&st[2], s->stderr_fd, 2, s->stderr_fd, "stderr");
	if (ret)
		goto out;

	while (!exited || !st[1].done || !st[2].done) {
		memset(p, 0, sizeof(p));
		p[HR_P_SIG].fd = hr_signal_fd();
		p[HR_P_SIG].events = POLLIN;
		p[HR_P_SESSION].fd = exited || res->lost ? -1 : s->session_fd;
		p[HR_P_SESSION].events = POLLIN;
		for (i = 0; i < 3; i++)
			hr_relay_want(&p[HR_P_IN_SRC + 2 * i], &st[i]);
		if (poll(p, HR_P_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (p[HR_P_SIG].revents) {
			ret = hr_relay_signals(s, pty, exited || res->lost);
			if (ret) {
				res->lost = true;
				hr_relay_lost(st, 3);
			}
		}
		if (p[HR_P_SESSION].fd >= 0 && p[HR_P_SESSION].revents) {
			ret = hr_dev.wait(s, &res->exit);
			if (!ret) {
				exited = true;
				hr_stream_drop(&st[0]);
			} else if (ret != -EAGAIN && ret != -EINTR) {
				res->lost = true;
				exited = true;
				hr_relay_lost(st, 3);
			}
		}
		for (i = 0; i < 3; i++) {
			hr_relay_io(&p[HR_P_IN_SRC + 2 * i], &st[i], i == 0);
			if (st[i].broken) {
				st[i].broken = false;
				if (!exited && !res->lost)
					hr_dev.signal(s, SIGPIPE);
			}
		}
	}
	ret = 0;
out:
	for (i = 0; i < 3; i++)
		free(st[i].buf);
	return ret;
}
