// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the daemon object (see hl_daemon.h).
 */
#include <errno.h>
#include <sys/random.h>

#include "hl_daemon.h"

static int hl_getrandom(void *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void hl_daemon_init(struct hl_daemon *d, const struct hl_config *cfg)
{
	*d = (struct hl_daemon){
		.cfg = cfg,
		.clock = hl_now_ms,
		.random = hl_getrandom,
	};
	hl_list_init(&d->guests);
	hl_list_init(&d->conns);
	hl_list_init(&d->dirty);
	hl_list_init(&d->tokens);
	pthread_mutex_init(&d->post_lock, NULL);
	d->post_tail = &d->post_head;
}

/*
 * Works off the dirty list: kicked connections go on, then the I/O
 * layer sends, re-arms polling, or closes and frees.  Whatever that
 * makes dirty again is handled in the same call.
 */
void hl_daemon_run_pending(struct hl_daemon *d)
{
	while (!hl_list_empty(&d->dirty)) {
		struct hl_conn *c = hl_list_first(&d->dirty, struct hl_conn, dirty);

		hl_list_del(&c->dirty);
		if (c->kick)
			hl_conn_kick(c);
		d->sync(d, c);
	}
}

/*
 * Frees what is left; the I/O layer has destroyed every connection.
 * Posts still queued run first, should the I/O layer not have said
 * hl_daemon_post_shutdown().
 */
void hl_daemon_free(struct hl_daemon *d)
{
	hl_daemon_post_shutdown(d);
	pthread_mutex_destroy(&d->post_lock);
	hl_timers_free(&d->timers);
}

/*
 * May one more line that a guest caused go to the log now?  What guests
 * make the daemon say is limited for all of them together: a guest that
 * closes and opens connections in a loop starts afresh each time.
 */
bool hl_daemon_log_ok(struct hl_daemon *d)
{
	unsigned int missed;
	bool ok = hl_ratelimit(&d->log_rl, d->clock(), &missed);

	if (missed)
		hl_warn("%u lines about guest connections dropped (more than %u in %u ms)",
			missed, HL_LOG_BURST, HL_LOG_INTERVAL_MS);
	return ok;
}
