// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostrun: the device calls on /dev/interop's ioctls (include/uapi/
 * linux/interop.h).  The test build links tests/hr_fake.c instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostrun.h"

static int hr_dev_fd = -1;

static int hr_dev_open(void)
{
	if (hr_dev_fd >= 0)
		return 0;
	hr_dev_fd = open(hr_device_path(), O_RDWR | O_CLOEXEC);
	return hr_dev_fd < 0 ? -errno : 0;
}

static int hr_dev_caps(struct interop_caps_get *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->size = sizeof(*caps);
	return ioctl(hr_dev_fd, INTEROP_CAPS_GET, caps) < 0 ? -errno : 0;
}

/* The strings as the UAPI wants them: argv, env, cwd, each with its NUL. */
static char *hr_dev_strings(const struct hr_spawn_req *req, size_t *len)
{
	size_t n = strlen(req->cwd) + 1, off = 0;
	uint32_t i;
	char *buf;

	for (i = 0; i < req->argc; i++)
		n += strlen(req->argv[i]) + 1;
	for (i = 0; i < req->envc; i++)
		n += strlen(req->envp[i]) + 1;
	buf = malloc(n);
	if (!buf)
		return NULL;
#define HR_PUT(s) do {						\
		size_t l_ = strlen(s) + 1;			\
		memcpy(buf + off, (s), l_);			\
		off += l_;					\
	} while (0)
	for (i = 0; i < req->argc; i++)
		HR_PUT(req->argv[i]);
	for (i = 0; i < req->envc; i++)
		HR_PUT(req->envp[i]);
	HR_PUT(req->cwd);
#undef HR_PUT
	*len = n;
	return buf;
}

static int hr_dev_spawn(const struct hr_spawn_req *req, struct hr_session *s)
{
	struct interop_spawn sp;
	size_t len;
	char *buf;
	int ret;

	buf = hr_dev_strings(req, &len);
	if (!buf)
		return -ENOMEM;
	memset(&sp, 0, sizeof(sp));
	sp.size = sizeof(sp);
	sp.flags = req->flags;
	sp.rows = req->rows;
	sp.cols = req->cols;
	sp.argc = req->argc;
	sp.envc = req->envc;
	sp.strings_len = (uint32_t)len;
	sp.strings_uptr = (uintptr_t)buf;
	/* EINTR goes back to the caller: a ^C may mean "do not run it". */
	ret = ioctl(hr_dev_fd, INTEROP_SPAWN, &sp) < 0 ? -errno : 0;
	free(buf);
	if (ret)
		return ret;
	s->session_fd = sp.out_session_fd;
	s->stdin_fd = sp.out_stdin_fd;
	s->stdout_fd = sp.out_stdout_fd;
	s->stderr_fd = sp.out_stderr_fd;
	s->out_flags = sp.out_flags;
	s->priv = NULL;
	/* The session fd never blocks our loop. */
	fcntl(s->session_fd, F_SETFL, fcntl(s->session_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int hr_dev_map_path(bool to_guest, const char *in, char *out, size_t len)
{
	struct interop_map_path mp;

	memset(&mp, 0, sizeof(mp));
	mp.size = sizeof(mp);
	mp.flags = to_guest ? INTEROP_MAP_TO_GUEST : 0;
	mp.in_len = (uint32_t)strlen(in) + 1;
	mp.out_len = (uint32_t)len;
	mp.in_uptr = (uintptr_t)in;
	mp.out_uptr = (uintptr_t)out;
	return ioctl(hr_dev_fd, INTEROP_MAP_PATH, &mp) < 0 ? -errno : 0;
}

/* The session ioctls are retried on EINTR: our handlers do not restart. */
static int hr_dev_signal(struct hr_session *s, int signo)
{
	struct interop_session_signal sig = {
		.size = sizeof(sig),
		.signo = (uint32_t)signo,
	};
	int ret;

	do {
		ret = ioctl(s->session_fd, INTEROP_SESSION_SIGNAL, &sig) < 0 ? -errno : 0;
	} while (ret == -EINTR);
	return ret;
}

static int hr_dev_resize(struct hr_session *s, unsigned int rows,
			 unsigned int cols)
{
	struct interop_session_resize rs = {
		.size = sizeof(rs),
		.rows = (uint16_t)rows,
		.cols = (uint16_t)cols,
	};
	int ret;

	do {
		ret = ioctl(s->session_fd, INTEROP_SESSION_RESIZE, &rs) < 0 ? -errno : 0;
	} while (ret == -EINTR);
	return ret;
}

static int hr_dev_wait(struct hr_session *s, struct interop_exit *e)
{
	ssize_t n;

	n = read(s->session_fd, e, sizeof(*e));
	if (n < 0)
		return -errno;
	return n == sizeof(*e) ? 0 : -EPROTO;
}

static void hr_dev_close(struct hr_session *s)
{
	if (s->stdin_fd >= 0)
		close(s->stdin_fd);
	if (s->stderr_fd >= 0)
		close(s->stderr_fd);
	close(s->stdout_fd);
	close(s->session_fd);
	s->session_fd = s->stdin_fd = s->stdout_fd = s->stderr_fd = -1;
}

/* The core's word on the interop connection: its state and last error. */
static const char *hr_dev_last_error(char *buf, size_t len)
{
	char err[256] = "";
	size_t n;
	FILE *f;

	f = fopen(HR_SYSFS_SVC "/last_error", "re");
	if (!f)
		return NULL;
	n = fread(err, 1, sizeof(err) - 1, f);
	fclose(f);
	err[n] = '\0';
	err[strcspn(err, "\n")] = '\0';
	if (!err[0])
		return NULL;
	snprintf(buf, len, "%s", err);
	return buf;
}

const struct hr_dev_ops hr_dev = {
	.open = hr_dev_open,
	.caps = hr_dev_caps,
	.spawn = hr_dev_spawn,
	.map_path = hr_dev_map_path,
	.signal = hr_dev_signal,
	.resize = hr_dev_resize,
	.wait = hr_dev_wait,
	.close = hr_dev_close,
	.last_error = hr_dev_last_error,
};
