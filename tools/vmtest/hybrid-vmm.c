// SPDX-License-Identifier: GPL-2.0-only
/*
 * hybrid-vmm: the host end of a hybrid vsock VMM, as Firecracker and
 * Cloud Hypervisor have it, for tests and the demo inside a guest: a
 * unix socket that takes "CONNECT <port>\n", connects to that vsock port
 * (of CID 1, vsock_loopback, unless --cid), answers "OK <our port>\n" and
 * relays both ways.  A child per connection.  The socket appears only
 * once it listens (bound elsewhere, then renamed into place).
 *
 *   hybrid-vmm [--cid CID] SOCKET
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Copies both ways until either side ends. */
static void relay(int a, int b)
{
	struct pollfd p[2] = { { .fd = a, .events = POLLIN },
			       { .fd = b, .events = POLLIN } };
	static char buf[65536];
	ssize_t n;
	int i;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0 || write_all(p[!i].fd, buf, n))
				return;
		}
	}
}

/* One connection: the command, the vsock side, OK, the relay. */
static void serve(int fd, unsigned int cid)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid };
	struct sockaddr_vm me;
	socklen_t len = sizeof(me);
	char line[64], ok[32], extra;
	unsigned int port;
	size_t got = 0;
	int vfd;

	while (got < sizeof(line) - 1 && read(fd, line + got, 1) == 1)
		if (line[got++] == '\n')
			break;
	line[got] = '\0';
	/* Firecracker closes on anything but a well-formed CONNECT. */
	if (sscanf(line, "CONNECT %u%c", &port, &extra) != 2 || extra != '\n')
		return;
	vfd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (vfd < 0)
		return;
	a.svm_port = port;
	if (!connect(vfd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(vfd, (struct sockaddr *)&me, &len)) {
		snprintf(ok, sizeof(ok), "OK %u\n", me.svm_port);
		if (!write_all(fd, ok, strlen(ok)))
			relay(fd, vfd);
	}
	close(vfd);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned long cid = VMADDR_CID_LOCAL;
	const char *path;
	char tmp[sizeof(a.sun_path)];
	char *end;
	int lfd, fd;

	if (argc == 4 && !strcmp(argv[1], "--cid")) {
		errno = 0;
		cid = strtoul(argv[2], &end, 10);
		if (errno || *end || !*argv[2] || cid >= UINT_MAX) {
			fprintf(stderr, "hybrid-vmm: --cid: '%s' is not a CID\n", argv[2]);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hybrid-vmm [--cid CID] SOCKET\n");
		return 2;
	}
	path = argv[1];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d", path, getpid()) >= sizeof(tmp)) {
		fprintf(stderr, "hybrid-vmm: %s: path too long\n", path);
		return 2;
	}
	strcpy(a.sun_path, tmp);
	signal(SIGCHLD, SIG_IGN);	/* no zombies */
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 16) || rename(tmp, path)) {
		fprintf(stderr, "hybrid-vmm: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "hybrid-vmm: accept: %s\n", strerror(errno));
			return 1;
		}
		switch (fork()) {
		case 0:
			close(lfd);
			serve(fd, cid);
			_exit(0);
		case -1:
			fprintf(stderr, "hybrid-vmm: fork: %s\n", strerror(errno));
			break;
		}
		close(fd);
	}
}
