// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop: sessions and the session fd.
 *
 * A session is registered in the table (by its wire id) before its
 * OPEN goes out, since its EXIT may come before its spawner hears of
 * START's reply.  It stays there until its end: the release of its fd,
 * or the failure of its spawn, queues the close work, which sends
 * CLOSE on the kernel's behalf (the releasing task may be dying, and a
 * pending SIGKILL would stop a call at once), takes it out of the table
 * and frees it.  Until then EXIT events for it are taken (or, once it is
 * closing, dropped), and host loss marks it lost and shuts its streams
 * down, so that readers of the streams see their end too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "interop_priv.h"

/* Protects interop_sessions, interop_nsessions, every session's @hnode. */
static DEFINE_MUTEX(interop_sessions_lock);
static DEFINE_HASHTABLE(interop_sessions, 7);
static unsigned int interop_nsessions;

/* Wire session ids: from a random start, never reused. */
static atomic64_t interop_next_id = ATOMIC64_INIT(0);

static struct interop_session *interop_session_find(u64 id)
{
	struct interop_session *sess;

	lockdep_assert_held(&interop_sessions_lock);
	hash_for_each_possible(interop_sessions, sess, hnode, id)
		if (sess->id == id)
			return sess;
	return NULL;
}

static unsigned int interop_sessions_of(kuid_t uid)
{
	struct interop_session *sess;
	unsigned int n = 0;
	int bkt;

	lockdep_assert_held(&interop_sessions_lock);
	hash_for_each(interop_sessions, bkt, sess, hnode)
		n += uid_eq(sess->uid, uid);
	return n;
}

/* Sessions in the table now, for sysfs. */
unsigned int interop_sessions_count(void)
{
	unsigned int n;

	mutex_lock(&interop_sessions_lock);
	n = interop_nsessions;
	mutex_unlock(&interop_sessions_lock);
	return n;
}

static void interop_session_close_work(struct work_struct *work);

/**
 * interop_session_new() - a new session, registered
 * @flags: its INTEROP_SPAWN_* flags
 * @epoch: the host connection it is for
 * @max_per_uid: sessions the caller's uid may have
 *
 * Context: the spawning task; takes interop_sessions_lock.
 * Return: the session, or ERR_PTR(-ENOMEM) or ERR_PTR(-EUSERS).
 */
struct interop_session *interop_session_new(u32 flags, u64 epoch,
					    unsigned int max_per_uid)
{
	struct interop_session *sess;
	kuid_t uid = current_euid();
	u64 id;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL_ACCOUNT);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&sess->lock);
	init_waitqueue_head(&sess->wq);
	INIT_WORK(&sess->close_work, interop_session_close_work);
	sess->uid = uid;
	sess->flags = flags;
	sess->epoch = epoch;
	sess->state = INTEROP_SESSION_SETUP;

	mutex_lock(&interop_sessions_lock);
	if (interop_nsessions >= INTEROP_WIRE_MAX_SESSIONS ||
	    interop_sessions_of(uid) >= max_per_uid) {
		mutex_unlock(&interop_sessions_lock);
		kfree(sess);
		return ERR_PTR(-EUSERS);
	}
	if (!atomic64_read(&interop_next_id))
		atomic64_cmpxchg(&interop_next_id, 0,
				 (get_random_u64() >> 2) | 1);
	do {
		id = atomic64_inc_return(&interop_next_id);
	} while (!id || interop_session_find(id));
	sess->id = id;
	hash_add(interop_sessions, &sess->hnode, id);
	interop_nsessions++;
	mutex_unlock(&interop_sessions_lock);
	return sess;
}

/**
 * interop_session_add_stream() - give a session its stream @i
 * @sess: the session, being set up
 * @i: 0 stdin, 1 stdout, 2 stderr
 * @file: the socket's file; the session takes this reference
 * @sock: the socket
 *
 * Under the table lock, which host loss holds to shut streams down.
 * Context: the spawning task.
 */
void interop_session_add_stream(struct interop_session *sess, unsigned int i,
				struct file *file, struct socket *sock)
{
	mutex_lock(&interop_sessions_lock);
	sess->files[i] = file;
	sess->socks[i] = sock;
	/* lost while it was attached: shut it down as loss did the others */
	if (interop_session_state(sess))
		kernel_sock_shutdown(sock, SHUT_RDWR);
	mutex_unlock(&interop_sessions_lock);
}

/**
 * interop_session_state() - 0 while a session may go on, else its errno
 * @sess: the session
 *
 * Context: any.
 */
int interop_session_state(struct interop_session *sess)
{
	int ret = 0;

	spin_lock(&sess->lock);
	if (sess->state == INTEROP_SESSION_LOST)
		ret = sess->err;
	spin_unlock(&sess->lock);
	return ret;
}

static void interop_session_close_work(struct work_struct *work)
{
	struct interop_session *sess = container_of(work,
						    struct interop_session,
						    close_work);
	struct interop_limits lim;
	bool close;
	int i, ret;

	spin_lock(&sess->lock);
	close = sess->host_open;
	sess->state = INTEROP_SESSION_CLOSING;
	spin_unlock(&sess->lock);

	/* a host connection after the session's has none of it */
	interop_host_limits(&lim);
	if (close && lim.epoch == sess->epoch &&
	    hostlink_connected(&interop_service)) {
		ret = interop_cmd_close(sess);
		if (ret && ret != -ESRCH && ret != -ENOTCONN)
			pr_debug("CLOSE of session %llu: %d\n", sess->id, ret);
	}

	mutex_lock(&interop_sessions_lock);
	hash_del(&sess->hnode);
	interop_nsessions--;
	mutex_unlock(&interop_sessions_lock);

	for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
		if (sess->files[i])
			fput(sess->files[i]);
	kfree(sess);
	module_put(THIS_MODULE);
}

/**
 * interop_session_end() - end a session: CLOSE it on the host, free it
 * @sess: a session its owner (a failed spawn, the session fd) gives up
 *
 * Context: process context.
 */
void interop_session_end(struct interop_session *sess)
{
	/* the worker keeps the module until it is done */
	__module_get(THIS_MODULE);
	queue_work(interop_wq, &sess->close_work);
}

/* Lose @sess with @err; true if it was going on.  Its lock held. */
static bool interop_session_lose(struct interop_session *sess, int err)
{
	lockdep_assert_held(&sess->lock);
	if (sess->state != INTEROP_SESSION_SETUP &&
	    sess->state != INTEROP_SESSION_RUNNING)
		return false;
	sess->state = INTEROP_SESSION_LOST;
	sess->err = err;
	return true;
}

/**
 * interop_session_exit_event() - an EXIT event, its size checked
 * @ev: the event
 *
 * Context: the service's event callback (process context, the
 * connection's receive lock held); takes interop_sessions_lock.
 */
void interop_session_exit_event(const struct interop_wire_ev_exit *ev)
{
	u32 how = le32_to_cpu(ev->how), value = le32_to_cpu(ev->value);
	struct interop_session *sess;
	const char *why = NULL;
	bool took = false;

	mutex_lock(&interop_sessions_lock);
	sess = interop_session_find(le64_to_cpu(ev->session));
	if (!sess) {
		mutex_unlock(&interop_sessions_lock);
		interop_cmd_protocol_error("EXIT of an unknown session");
		return;
	}
	spin_lock(&sess->lock);
	switch (sess->state) {
	case INTEROP_SESSION_CLOSING:
		/* it raced with our CLOSE: the protocol's, dropped */
		atomic64_inc(&interop_stats.events_dropped);
		break;
	case INTEROP_SESSION_LOST:
		/* lost already: nothing more to say */
		break;
	case INTEROP_SESSION_EXITED:
		why = "a second EXIT";
		sess->state = INTEROP_SESSION_RUNNING;
		break;
	case INTEROP_SESSION_SETUP:
	case INTEROP_SESSION_RUNNING:
		/* START's reply may come after its EXIT, never before START */
		if (!sess->start_sent)
			why = "EXIT of a session not started";
		else if (how == INTEROP_WIRE_EXITED)
			took = true;
		else if (how != INTEROP_WIRE_SIGNALED)
			why = "EXIT of an unknown kind";
		else if (value < 1 || value > INTEROP_WIRE_SIG_MAX)
			why = "EXIT with a signal out of range";
		else
			took = true;
		break;
	}
	if (took) {
		sess->exit.how = how == INTEROP_WIRE_EXITED ? INTEROP_EXITED :
			INTEROP_SIGNALED;
		sess->exit.value = how == INTEROP_WIRE_EXITED ? value :
			interop_signal_from_wire(value);
		sess->state = INTEROP_SESSION_EXITED;
		atomic64_inc(&interop_stats.exits);
	} else if (why) {
		interop_session_lose(sess, -EPROTO);
	}
	spin_unlock(&sess->lock);
	if (took || why)
		wake_up_interruptible_poll(&sess->wq, EPOLLIN | EPOLLHUP);
	mutex_unlock(&interop_sessions_lock);
	if (why)
		interop_cmd_protocol_error(why);
}

/**
 * interop_sessions_lost() - the host connection went
 *
 * Every session going on is lost: pollers woken, readers get ENOTCONN,
 * and the streams shut down, so that what reads or writes them ends.
 * Context: the service's connection thread; takes interop_sessions_lock.
 */
void interop_sessions_lost(void)
{
	struct interop_session *sess;
	bool lost;
	int bkt, i;

	mutex_lock(&interop_sessions_lock);
	hash_for_each(interop_sessions, bkt, sess, hnode) {
		spin_lock(&sess->lock);
		lost = interop_session_lose(sess, -ENOTCONN);
		spin_unlock(&sess->lock);
		if (!lost)
			continue;
		atomic64_inc(&interop_stats.lost);
		wake_up_interruptible_poll(&sess->wq, EPOLLHUP | EPOLLERR);
		/* the files keep the sockets: the table lock keeps them */
		for (i = 0; i < INTEROP_WIRE_STREAMS; i++)
			if (sess->socks[i])
				kernel_sock_shutdown(sess->socks[i], SHUT_RDWR);
	}
	mutex_unlock(&interop_sessions_lock);
}

static __poll_t interop_session_poll(struct file *file, poll_table *wait)
{
	struct interop_session *sess = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &sess->wq, wait);
	spin_lock(&sess->lock);
	if (sess->state == INTEROP_SESSION_EXITED)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (sess->state == INTEROP_SESSION_LOST)
		mask = EPOLLHUP | EPOLLERR;
	spin_unlock(&sess->lock);
	return mask;
}

/* Has the session ended one way or the other?  Its exit, or its errno. */
static bool interop_session_done(struct interop_session *sess,
				 struct interop_exit *exit, int *err)
{
	bool done = true;

	spin_lock(&sess->lock);
	if (sess->state == INTEROP_SESSION_EXITED) {
		*exit = sess->exit;
		*err = 0;
	} else if (sess->state == INTEROP_SESSION_LOST) {
		*err = sess->err;
	} else {
		done = false;
	}
	spin_unlock(&sess->lock);
	return done;
}

static ssize_t interop_session_read(struct file *file, char __user *buf,
				    size_t len, loff_t *pos)
{
	struct interop_session *sess = file->private_data;
	struct interop_exit exit;
	int err, ret;

	if (len < sizeof(exit))
		return -EINVAL;
	if (!interop_session_done(sess, &exit, &err)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(sess->wq,
					       interop_session_done(sess, &exit,
								    &err));
		if (ret)
			return ret;
	}
	if (err)
		return err;
	if (copy_to_user(buf, &exit, sizeof(exit)))
		return -EFAULT;
	return sizeof(exit);
}

/* A session call's errno: a session lost meanwhile says why. */
static int interop_session_errno(struct interop_session *sess, int ret)
{
	int lost = interop_session_state(sess);

	if (ret && ret != -EPROTO && lost)
		return lost;
	return ret;
}

/* 1 when the program has ended (the call is a no-op), else 0 or errno. */
static int interop_session_usable(struct interop_session *sess)
{
	int ret = 0;

	spin_lock(&sess->lock);
	if (sess->state == INTEROP_SESSION_EXITED)
		ret = 1;
	else if (sess->state == INTEROP_SESSION_LOST)
		ret = sess->err;
	spin_unlock(&sess->lock);
	return ret;
}

static int interop_session_signal_ioctl(struct interop_session *sess,
					void *arg)
{
	struct interop_session_signal *a = arg;
	int wsig, ret;

	if (a->flags || a->__reserved || a->signo > INT_MAX)
		return -EINVAL;
	wsig = interop_signal_to_wire(a->signo);
	if (wsig < 0)
		return wsig;
	ret = interop_session_usable(sess);
	if (ret)
		return ret > 0 ? 0 : ret;
	return interop_session_errno(sess, interop_cmd_signal(sess, wsig));
}

static int interop_session_resize_ioctl(struct interop_session *sess,
					void *arg)
{
	struct interop_session_resize *a = arg;
	int ret;

	if (a->flags || a->__reserved || !a->rows || !a->cols ||
	    !(sess->flags & INTEROP_SPAWN_PTY))
		return -EINVAL;
	ret = interop_session_usable(sess);
	if (ret)
		return ret > 0 ? 0 : ret;
	return interop_session_errno(sess,
				     interop_cmd_resize(sess, a->rows, a->cols));
}

static long interop_session_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return interop_ioctl_dispatch(cmd, arg, file->private_data, true);
}

/**
 * interop_session_ioctl_call() - run a session fd's ioctl
 * @priv: the session
 * @nr: INTEROP_NR_SESSION_SIGNAL or INTEROP_NR_SESSION_RESIZE
 * @arg: the kernel's copy of its argument
 *
 * Context: the calling task.
 * Return: 0 or a negative errno.
 */
int interop_session_ioctl_call(void *priv, unsigned int nr, void *arg)
{
	if (nr == INTEROP_NR_SESSION_SIGNAL)
		return interop_session_signal_ioctl(priv, arg);
	return interop_session_resize_ioctl(priv, arg);
}

static int interop_session_release(struct inode *inode, struct file *file)
{
	interop_session_end(file->private_data);
	return 0;
}

const struct file_operations interop_session_fops = {
	.owner = THIS_MODULE,
	.release = interop_session_release,
	.read = interop_session_read,
	.poll = interop_session_poll,
	.unlocked_ioctl = interop_session_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};
