// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: INTEROP_SPAWN.
 *
 * The caller's strings are copied once and checked before anything is
 * sent.  The session is registered (its EXIT may beat START's reply),
 * OPEN goes out with the caller's credentials, each stream the reply
 * has a token for is attached from the calling task, START runs the
 * program.  The fds are reserved and the files made before START, so
 * that once the program runs only the copy of the outputs can fail; the
 * dispatcher installs the fds last.  Any failure after OPEN went out
 * closes the session on the host (interop_session_end()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "interop_priv.h"

/* The streams @flags ask for (INTEROP_WIRE_STREAM_*). */
static u32 interop_spawn_streams(u32 flags)
{
	u32 streams = INTEROP_WIRE_STREAM_STDOUT;

	if (!(flags & INTEROP_SPAWN_STDIN_NULL))
		streams |= INTEROP_WIRE_STREAM_STDIN;
	if (flags & INTEROP_SPAWN_STDERR_STREAM)
		streams |= INTEROP_WIRE_STREAM_STDERR;
	return streams;
}

/* The fixed fields, before anything is copied or sent. */
static int interop_spawn_check(const struct interop_spawn *a,
			       const struct interop_limits *lim)
{
	bool pty = a->flags & INTEROP_SPAWN_PTY;

	if ((a->flags & ~INTEROP_SPAWN_ALL) || a->__reserved || !a->argc ||
	    (pty && (!a->rows || !a->cols)) || (!pty && (a->rows || a->cols)) ||
	    (pty && (a->flags & INTEROP_SPAWN_STDIN_NULL)) ||
	    a->strings_len < (u64)a->argc + a->envc + 1)
		return -EINVAL;
	if (a->argc > INTEROP_MAX_ARGC || a->envc > INTEROP_MAX_ENVC ||
	    a->strings_len > interop_arg_bytes_max(lim))
		return -E2BIG;
	if (lim->ready && (a->argc > lim->max_argc || a->envc > lim->max_envc))
		return -E2BIG;
	return 0;
}

/* Exactly @n NULs, the last byte one of them, and argv[0] not empty. */
static int interop_spawn_strings_check(const char *s, u32 len, u64 n)
{
	const char *p = s, *end = s + len;
	u64 nuls = 0;

	if (!len || s[len - 1] || !s[0])
		return -EINVAL;
	while (p < end) {
		p = memchr(p, '\0', end - p);
		if (!p)
			break;
		nuls++;
		p++;
	}
	return nuls == n ? 0 : -EINVAL;
}

/* The OPEN reply: streams, flags and tokens as the flags ask. */
static int interop_spawn_reply_check(const struct interop_wire_open_reply *r,
				     u32 want)
{
	static const u8 zero[HOSTLINK_TOKEN_LEN];
	unsigned int i;

	if (le32_to_cpu(r->streams) != want) {
		interop_cmd_protocol_error("OPEN reply with other streams than asked");
		return -EPROTO;
	}
	if (le32_to_cpu(r->flags) & ~INTEROP_WIRE_OPENED_F_ALL) {
		interop_cmd_protocol_error("OPEN reply with an unknown flag");
		return -EPROTO;
	}
	for (i = 0; i < INTEROP_WIRE_STREAMS; i++) {
		bool has = want & BIT(i);

		if (has == !memcmp(r->token[i], zero, sizeof(zero))) {
			interop_cmd_protocol_error("OPEN reply with a token missing or to spare");
			return -EPROTO;
		}
	}
	return 0;
}

/*
 * The errno of a failed ATTACH.  The host just gave out the token, so a
 * refusal of it (or a bad answer) is the host breaking the protocol;
 * loss, deadlines, signals and resources are what they are.
 */
static int interop_spawn_attach_errno(int ret)
{
	if (!hostlink_connected(&interop_service))
		return -ENOTCONN;
	switch (ret) {
	case -EINTR:
	case -ETIMEDOUT:
	case -ENOTCONN:
	case -ENOMEM:
	case -ENFILE:
	case -EMFILE:
	case -ENOBUFS:
	case -EAGAIN:
	case -EUSERS:
		return ret;
	}
	interop_cmd_protocol_error("a stream's token refused");
	return -EPROTO;
}

/* Reserve an fd, attach stream @i with @token and make its file. */
static int interop_spawn_stream(struct interop_ioctl_call *call,
				struct interop_session *sess, unsigned int i,
				const u8 *token, s32 *out_fd)
{
	struct socket *sock;
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = interop_cmd_attach(token, &sock);
	if (ret) {
		put_unused_fd(fd);
		return interop_spawn_attach_errno(ret);
	}
	file = sock_alloc_file(sock, O_RDWR, NULL);
	if (IS_ERR(file)) {
		/* sock_alloc_file() released the socket */
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* the session holds one reference, the fd will hold the other */
	get_file(file);
	interop_session_add_stream(sess, i, file, sock);
	call->files[call->nfiles] = file;
	call->fds[call->nfiles++] = fd;
	*out_fd = fd;
	return 0;
}

/* Undo what interop_spawn_stream() and the session fd left for install. */
static void interop_spawn_unreserve(struct interop_ioctl_call *call)
{
	while (call->nfiles) {
		call->nfiles--;
		put_unused_fd(call->fds[call->nfiles]);
		fput(call->files[call->nfiles]);
	}
}

/* From OPEN to START; 0 with the fds ready for install, or an errno. */
static int interop_spawn_run(struct interop_ioctl_call *call,
			     struct interop_spawn *a,
			     struct interop_session *sess, const char *strings)
{
	struct interop_wire_open_reply *r;
	s32 *outs[INTEROP_WIRE_STREAMS] = {
		&a->out_stdin_fd, &a->out_stdout_fd, &a->out_stderr_fd,
	};
	u32 want = interop_spawn_streams(a->flags);
	struct file *file;
	unsigned int i;
	int fd, ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	spin_lock(&sess->lock);
	sess->host_open = true;
	spin_unlock(&sess->lock);
	ret = interop_cmd_open(sess, strings, a->strings_len, a->argc, a->envc,
			       a->rows, a->cols, r);
	if (ret && ret != -ETIMEDOUT && ret != -EINTR && ret != -EPROTO) {
		/* refused, or never sent: the host has no such session */
		spin_lock(&sess->lock);
		sess->host_open = false;
		spin_unlock(&sess->lock);
	}
	if (!ret)
		ret = interop_spawn_reply_check(r, want);
	if (!ret)
		ret = interop_session_state(sess);
	if (ret)
		goto out_free;
	if (le32_to_cpu(r->flags) & INTEROP_WIRE_OPENED_F_CWD_HOME)
		a->out_flags |= INTEROP_SPAWNED_CWD_HOME;

	/* the session fd first, so that its install comes first too */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_free;
	}
	file = anon_inode_getfile("[interop-session]", &interop_session_fops,
				  sess, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto out_free;
	}
	call->files[0] = file;
	call->fds[0] = fd;
	call->nfiles = 1;
	a->out_session_fd = fd;

	for (i = 0; i < INTEROP_WIRE_STREAMS && !ret; i++)
		if (want & BIT(i))
			ret = interop_spawn_stream(call, sess, i, r->token[i],
						   outs[i]);
	if (!ret)
		ret = interop_session_state(sess);
	if (ret)
		goto out_free;

	spin_lock(&sess->lock);
	sess->start_sent = true;
	spin_unlock(&sess->lock);
	ret = interop_cmd_start(sess);
	if (ret)
		goto out_free;
	/*
	 * The program runs: from here on the session fd tells its end,
	 * lost or not.  An EXIT may have come already; RUNNING only if not.
	 */
	spin_lock(&sess->lock);
	if (sess->state == INTEROP_SESSION_SETUP)
		sess->state = INTEROP_SESSION_RUNNING;
	spin_unlock(&sess->lock);
out_free:
	memzero_explicit(r, sizeof(*r));
	kfree(r);
	return ret;
}

int interop_spawn_ioctl(void *arg)
{
	struct interop_ioctl_call *call = to_interop_ioctl_call(arg);
	struct interop_spawn *a = arg;
	struct interop_session *sess;
	struct interop_limits lim;
	char *strings;
	int ret;

	interop_host_limits(&lim);
	ret = interop_spawn_check(a, &lim);
	if (ret)
		return ret;
	ret = interop_permitted();
	if (ret)
		return ret;

	strings = kvmalloc(a->strings_len, GFP_KERNEL_ACCOUNT);
	if (!strings)
		return -ENOMEM;
	if (copy_from_user(strings, u64_to_user_ptr(a->strings_uptr),
			   a->strings_len)) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = interop_spawn_strings_check(strings, a->strings_len,
					  (u64)a->argc + a->envc + 1);
	if (ret)
		goto out_free;
	if (!lim.ready) {
		ret = -ENOTCONN;
		goto out_free;
	}

	a->out_session_fd = -1;
	a->out_stdin_fd = -1;
	a->out_stdout_fd = -1;
	a->out_stderr_fd = -1;
	a->out_flags = 0;
	sess = interop_session_new(a->flags, lim.epoch,
				   min(READ_ONCE(interop_max_sessions),
				       lim.max_sessions));
	if (IS_ERR(sess)) {
		ret = PTR_ERR(sess);
		goto out_free;
	}
	if (down_interruptible(&interop_setup_sem)) {
		interop_session_end(sess);
		ret = -EINTR;
		goto out_free;
	}
	ret = interop_spawn_run(call, a, sess, strings);
	up(&interop_setup_sem);
	if (ret) {
		/* the session file, if made, owns the session: its fput ends it */
		if (call->nfiles)
			interop_spawn_unreserve(call);
		else
			interop_session_end(sess);
		atomic64_inc(&interop_stats.spawn_failures);
		goto out_free;
	}
	atomic64_inc(&interop_stats.spawns);
out_free:
	kvfree(strings);
	return ret;
}
