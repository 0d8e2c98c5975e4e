// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of hl_daemon_post(), the completions that worker threads
 * hand to the event loop: first against the daemon alone (a wake hook
 * of the test's own), then through the real event loop of hl_loop.c
 * (no sockets): many threads posting at once, each post run once, in
 * its thread's order, in the loop's thread; and shutdown: what was
 * posted before it runs, what comes after is refused, nothing runs
 * later.  Every post is a malloc'd object that its callback frees (or
 * its poster, when refused), so a sanitizer build sees any loss.  TAP
 * output.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hl_loop.h"

#include "tap.h"

struct t_item {
	struct hl_post post;
	unsigned int thread;
	unsigned int seq;
};

/* The daemon alone: the test polls and counts the wakes. */
static unsigned int t_wakes, t_order[8], t_norder;
static struct t_item t_again;
static int t_repost_ret = 1;

static void t_wake_count(struct hl_daemon *d)
{
	(void)d;
	t_wakes++;
}

static void t_record(struct hl_daemon *d, struct hl_post *p)
{
	(void)d;
	if (t_norder < 8)
		t_order[t_norder++] = hl_container_of(p, struct t_item, post)->seq;
}

static void t_repost(struct hl_daemon *d, struct hl_post *p)
{
	t_record(d, p);
	t_again.seq = 99;
	t_repost_ret = hl_daemon_post(d, &t_again.post, t_record);
}

static void t_alone(void)
{
	struct t_item it[4] = { { .seq = 0 }, { .seq = 1 }, { .seq = 2 }, { .seq = 3 } };
	struct hl_config cfg;
	struct hl_daemon d;
	unsigned int i, n;
	int ret = 0;

	hl_config_init(&cfg);
	hl_daemon_init(&d, &cfg);
	d.wake = t_wake_count;
	for (i = 0; i < 3; i++)
		ret |= hl_daemon_post(&d, &it[i].post, i == 1 ? t_repost : t_record);
	t_ok(!ret && t_wakes == 1 && !t_norder,
	     "three posts: queued, nothing run, one wake (for the empty queue)");
	n = hl_daemon_run_posted(&d);
	t_ok(n == 3 && t_norder == 3 && t_order[0] == 0 && t_order[1] == 1 &&
	     t_order[2] == 2, "run_posted runs the three, in order");
	t_ok(!t_repost_ret && t_wakes == 2 && t_norder == 3,
	     "what a callback posts waits for the next round, and wakes");
	n = hl_daemon_run_posted(&d);
	t_ok(n == 1 && t_order[3] == 99 && !hl_daemon_run_posted(&d),
	     "... which runs it, and nothing else is left");

	ret = hl_daemon_post(&d, &it[3].post, t_record);
	hl_daemon_post_shutdown(&d);
	t_ok(!ret && t_norder == 5 && t_order[4] == 3,
	     "shutdown runs what was posted before it");
	ret = hl_daemon_post(&d, &it[0].post, t_record);
	t_ok(ret == -ESHUTDOWN && t_wakes == 3 && !hl_daemon_run_posted(&d) &&
	     t_norder == 5, "after shutdown: ESHUTDOWN, no wake, nothing runs");
	hl_daemon_post_shutdown(&d);
	hl_daemon_free(&d);
	t_ok(t_norder == 5, "shutdown again and free: nothing more runs");
	hl_config_free(&cfg);
}

/* Through the event loop. */
#define T_THREADS	8
#define T_POSTS		20000
#define T_SHUT_AFTER	5000
#define T_POSTS_MAX	(1U << 24)

struct t_worker {
	pthread_t thread;
	struct hl_daemon *d;
	unsigned int idx;
	bool until_refused;	/* post until ESHUTDOWN, else T_POSTS */
	unsigned int accepted;
	int refused;		/* what the refusal said */
};

static struct hl_loop t_l;
static pthread_t t_loop_thread;
static unsigned int t_next[T_THREADS];
static unsigned int t_bad_order, t_bad_thread, t_late;
static unsigned long t_delivered, t_stop_at;
static bool t_shut;

/* The loop runs this: loop-thread state only, no lock of the test's. */
static void t_loop_cb(struct hl_daemon *d, struct hl_post *p)
{
	struct t_item *it = hl_container_of(p, struct t_item, post);

	(void)d;
	if (!pthread_equal(pthread_self(), t_loop_thread))
		t_bad_thread++;
	if (it->thread >= T_THREADS || it->seq != t_next[it->thread])
		t_bad_order++;
	else
		t_next[it->thread]++;
	if (t_shut)
		t_late++;
	free(it);
	if (++t_delivered == t_stop_at)
		t_l.stop = true;
}

static void *t_worker_main(void *arg)
{
	struct t_worker *w = arg;
	unsigned int i;

	for (i = 0; i < (w->until_refused ? T_POSTS_MAX : T_POSTS); i++) {
		struct t_item *it = malloc(sizeof(*it));
		int ret;

		if (!it)
			abort();
		it->thread = w->idx;
		it->seq = i;
		ret = hl_daemon_post(w->d, &it->post, t_loop_cb);
		if (ret) {
			free(it);	/* refused: still ours */
			w->refused = ret;
			break;
		}
		w->accepted++;
		if (w->until_refused)
			sched_yield();	/* let the loop keep up */
	}
	return NULL;
}

static void t_loop(bool shutdown)
{
	const char *what = shutdown ? "shutdown under load" : "concurrent posts";
	struct t_worker w[T_THREADS];
	struct hl_config cfg;
	struct hl_daemon d;
	unsigned long accepted = 0;
	unsigned int i, in_order = 0, refused = 0;
	int ret;

	hl_config_init(&cfg);
	hl_daemon_init(&d, &cfg);
	ret = hl_loop_init(&t_l, &d);
	t_ok(!ret, "%s: the event loop starts", what);
	if (ret)
		exit(1);
	t_loop_thread = pthread_self();
	memset(t_next, 0, sizeof(t_next));
	t_bad_order = t_bad_thread = t_late = 0;
	t_delivered = 0;
	t_shut = false;
	t_stop_at = shutdown ? T_SHUT_AFTER : (unsigned long)T_THREADS * T_POSTS;
	for (i = 0; i < T_THREADS; i++) {
		w[i] = (struct t_worker){ .d = &d, .idx = i, .until_refused = shutdown };
		if (pthread_create(&w[i].thread, NULL, t_worker_main, &w[i]))
			abort();
	}
	ret = hl_loop_run(&t_l);
	if (!shutdown) {
		for (i = 0; i < T_THREADS; i++)
			pthread_join(w[i].thread, NULL);
	}
	/* Shutdown begins: what was taken runs now, the rest is refused. */
	hl_loop_free(&t_l);
	t_shut = true;
	if (shutdown) {
		for (i = 0; i < T_THREADS; i++)
			pthread_join(w[i].thread, NULL);
	}
	for (i = 0; i < T_THREADS; i++) {
		accepted += w[i].accepted;
		in_order += t_next[i] == w[i].accepted;
		refused += w[i].refused == -ESHUTDOWN;
	}
	t_ok(!ret && accepted == t_delivered && in_order == T_THREADS && !t_bad_order,
	     "%s: %lu posts from %u threads, each run once, in its thread's order",
	     what, accepted, T_THREADS);
	t_ok(!t_bad_thread, "%s: all in the loop's thread", what);
	if (shutdown) {
		struct t_item *it = malloc(sizeof(*it));

		t_ok(refused == T_THREADS && t_delivered >= T_SHUT_AFTER && !t_late,
		     "%s: %lu run by the time shutdown returned, every thread then "
		     "refused with ESHUTDOWN, none run after", what, t_delivered);
		ret = it ? hl_daemon_post(&d, &it->post, t_loop_cb) : -ENOMEM;
		free(it);
		t_ok(ret == -ESHUTDOWN, "%s: a post after it: ESHUTDOWN", what);
	} else {
		t_ok(accepted == (unsigned long)T_THREADS * T_POSTS && !refused,
		     "%s: none refused", what);
	}
	hl_daemon_free(&d);
	t_ok(!t_late, "%s: nothing runs at hl_daemon_free()", what);
	hl_config_free(&cfg);
}

int main(void)
{
	printf("TAP version 13\n");
	hl_log_threshold = HL_LOG_NONE;
	/* A lost wake-up would hang the loop: fail instead. */
	alarm(300);
	t_alone();
	t_loop(false);
	t_loop(true);
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
