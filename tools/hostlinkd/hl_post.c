// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: completions that other threads hand to the event loop
 * (hl_daemon_post(), see hl_daemon.h).  The only part of the daemon
 * below the I/O layer that other threads may call: a queue under a
 * mutex of its own, d->post_lock, which nothing else takes, so a worker
 * never waits for the daemon lock.  The I/O layer's wake() makes its
 * loop call hl_daemon_run_posted(), which runs the callbacks in the
 * loop's thread under the daemon lock, as every other callback runs.
 */
#include <errno.h>
#include <pthread.h>

#include "hl_daemon.h"

/**
 * hl_daemon_post() - hand a completion to the event loop
 * @d: the daemon.
 * @p: the caller's, embedded in its own object; the daemon's until @fn
 *	runs.
 * @fn: what the loop runs; it gets @p back and owns it again.
 *
 * Callable from any thread, the loop's included.  Each thread's posts
 * run in the order it posted them; posts of different threads in the
 * order they got the lock.
 *
 * Return: 0, and @fn runs exactly once, in the loop's thread (at the
 * latest in hl_daemon_post_shutdown()); or -ESHUTDOWN once shutdown has
 * begun, and @fn never runs: the caller still owns @p.
 */
int hl_daemon_post(struct hl_daemon *d, struct hl_post *p,
		   void (*fn)(struct hl_daemon *d, struct hl_post *p))
{
	bool was_empty;

	p->fn = fn;
	p->next = NULL;
	pthread_mutex_lock(&d->post_lock);
	if (d->post_closed) {
		pthread_mutex_unlock(&d->post_lock);
		return -ESHUTDOWN;
	}
	was_empty = !d->post_head;
	*d->post_tail = p;
	d->post_tail = &p->next;
	/*
	 * Under the lock: shutdown, which closes what wake() writes to,
	 * waits for it.  Once per batch: the loop takes all there is.
	 */
	if (was_empty && d->wake)
		d->wake(d);
	pthread_mutex_unlock(&d->post_lock);
	return 0;
}

/**
 * hl_daemon_run_posted() - run the completions posted so far
 * @d: the daemon.
 *
 * Runs what was posted before the call, oldest first; what the
 * callbacks post runs at the next call (whose wake() they cause).
 * Context: the loop's thread, under the daemon lock.
 *
 * Return: how many ran.
 */
unsigned int hl_daemon_run_posted(struct hl_daemon *d)
{
	struct hl_post *p, *next;
	unsigned int n = 0;

	pthread_mutex_lock(&d->post_lock);
	p = d->post_head;
	d->post_head = NULL;
	d->post_tail = &d->post_head;
	pthread_mutex_unlock(&d->post_lock);
	for (; p; p = next, n++) {
		next = p->next;	/* @p is the callback's from here on */
		p->fn(d, p);
	}
	return n;
}

/**
 * hl_daemon_post_shutdown() - stop taking posts; run those taken
 * @d: the daemon.
 *
 * From here on hl_daemon_post() says -ESHUTDOWN.  What it took before
 * runs now, so every post it took runs once.  The I/O layer calls this
 * while the connections are still there; hl_daemon_free() calls it in
 * case it did not.  Again is harmless.
 * Context: the loop's thread, under the daemon lock.
 */
void hl_daemon_post_shutdown(struct hl_daemon *d)
{
	pthread_mutex_lock(&d->post_lock);
	d->post_closed = true;
	pthread_mutex_unlock(&d->post_lock);
	/* Nothing can join the queue now; callbacks posting get -ESHUTDOWN. */
	hl_daemon_run_posted(d);
}
