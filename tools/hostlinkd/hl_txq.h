/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: a connection's send queue, a list of chunks.  Small frames
 * are packed into the tail chunk so that the bytes held stay close to
 * the bytes queued; a large frame gets a chunk of its own.
 */
#ifndef HL_TXQ_H
#define HL_TXQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define HL_TXQ_CHUNK	(64 * 1024)

struct hl_chunk {
	struct hl_chunk *next;
	size_t off;		/* first byte not yet sent */
	size_t len;		/* bytes filled */
	size_t cap;
	uint8_t data[];
};

struct hl_txq {
	struct hl_chunk *head, *tail;
	size_t bytes;		/* queued, not yet sent */
};

int hl_txq_append(struct hl_txq *q, const void *a, size_t alen,
		  const void *b, size_t blen);
size_t hl_txq_iov(const struct hl_txq *q, struct iovec *iov, size_t max);
void hl_txq_consume(struct hl_txq *q, size_t n);
void hl_txq_free(struct hl_txq *q);

#endif /* HL_TXQ_H */
