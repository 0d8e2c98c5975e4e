/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: a circular doubly linked list with the head embedded in
 * its owner, as the kernel's list_head.
 */
#ifndef HL_LIST_H
#define HL_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct hl_list {
	struct hl_list *next, *prev;
};

#define hl_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void hl_list_init(struct hl_list *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool hl_list_empty(const struct hl_list *h)
{
	return h->next == h;
}

static inline void hl_list_add_tail(struct hl_list *n, struct hl_list *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

/* Unlinks @n and leaves it pointing to itself, so a second del is harmless. */
static inline void hl_list_del(struct hl_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	hl_list_init(n);
}

/* Moves every entry of @from to the end of @to; @from ends up empty. */
static inline void hl_list_splice_tail(struct hl_list *from, struct hl_list *to)
{
	if (hl_list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	hl_list_init(from);
}

#define hl_list_entry(ptr, type, member) hl_container_of(ptr, type, member)

#define hl_list_first(h, type, member) hl_list_entry((h)->next, type, member)

/* Safe against removal of the current entry. */
#define hl_list_for_each_safe(pos, tmp, h) \
	for (pos = (h)->next, tmp = pos->next; pos != (h); pos = tmp, tmp = pos->next)

#endif /* HL_LIST_H */
