// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: send queues (see hl_txq.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hl_txq.h"

/*
 * Appends @a then @b (either may be empty) as one unit: both land or
 * neither.  Returns 0 or -ENOMEM.
 */
int hl_txq_append(struct hl_txq *q, const void *a, size_t alen,
		  const void *b, size_t blen)
{
	struct hl_chunk *ch = q->tail;
	size_t need = alen + blen;

	if (!need)
		return 0;
	if (!ch || ch->cap - ch->len < need) {
		size_t cap = need > HL_TXQ_CHUNK ? need : HL_TXQ_CHUNK;

		ch = malloc(sizeof(*ch) + cap);
		if (!ch)
			return -ENOMEM;
		ch->next = NULL;
		ch->off = 0;
		ch->len = 0;
		ch->cap = cap;
		if (q->tail)
			q->tail->next = ch;
		else
			q->head = ch;
		q->tail = ch;
	}
	if (alen)
		memcpy(ch->data + ch->len, a, alen);
	if (blen)
		memcpy(ch->data + ch->len + alen, b, blen);
	ch->len += need;
	q->bytes += need;
	return 0;
}

/* Fills up to @max iovecs with the queued bytes; returns how many. */
size_t hl_txq_iov(const struct hl_txq *q, struct iovec *iov, size_t max)
{
	const struct hl_chunk *ch;
	size_t n = 0;

	for (ch = q->head; ch && n < max; ch = ch->next) {
		if (ch->len == ch->off)
			continue;
		iov[n].iov_base = (void *)(ch->data + ch->off);
		iov[n].iov_len = ch->len - ch->off;
		n++;
	}
	return n;
}

/* Drops @n sent bytes from the front; frees the chunks emptied. */
void hl_txq_consume(struct hl_txq *q, size_t n)
{
	if (n > q->bytes)
		n = q->bytes;
	q->bytes -= n;
	while (q->head) {
		struct hl_chunk *ch = q->head;
		size_t left = ch->len - ch->off;

		if (n < left) {
			ch->off += n;
			return;
		}
		n -= left;
		/* Keep an emptied tail for reuse when nothing else is queued. */
		if (ch == q->tail) {
			ch->off = 0;
			ch->len = 0;
			if (ch->cap > HL_TXQ_CHUNK) {
				free(ch);
				q->head = NULL;
				q->tail = NULL;
			}
			return;
		}
		q->head = ch->next;
		free(ch);
	}
}

void hl_txq_free(struct hl_txq *q)
{
	while (q->head) {
		struct hl_chunk *ch = q->head;

		q->head = ch->next;
		free(ch);
	}
	q->tail = NULL;
	q->bytes = 0;
}
