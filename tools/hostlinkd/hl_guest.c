// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: guests.  Limits are per guest CID; every hybrid vsock peer
 * counts as one pseudo-guest (HL_HYBRID_CID), since the VMM hides who
 * it is.  A guest lives while it has connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/vm_sockets.h>

#include "hl_daemon.h"

/* Finds or creates the guest of @peer. 0 or -ENOMEM. */
int hl_guest_get(struct hl_daemon *d, const struct hl_peer *peer,
		 struct hl_guest **out)
{
	uint32_t cid = peer->hybrid ? HL_HYBRID_CID : peer->cid;
	struct hl_list *pos, *tmp;
	struct hl_guest *g;

	hl_list_for_each_safe(pos, tmp, &d->guests) {
		g = hl_list_entry(pos, struct hl_guest, node);
		if (g->cid == cid) {
			*out = g;
			return 0;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->d = d;
	g->cid = cid;
	hl_list_init(&g->conns);
	hl_list_add_tail(&g->node, &d->guests);
	*out = g;
	return 0;
}

/* Frees @g once nothing holds it. */
void hl_guest_put(struct hl_guest *g)
{
	if (g->nconns[HL_SLOT_KERNEL] || g->nconns[HL_SLOT_ORDINARY] ||
	    g->nrefusing[HL_SLOT_KERNEL] || g->nrefusing[HL_SLOT_ORDINARY] ||
	    g->ntokens || g->nreqs ||
	    !hl_list_empty(&g->conns))
		return;
	hl_list_del(&g->node);
	free(g);
}

/* The guest has more bytes queued than its limit. */
bool hl_guest_over(const struct hl_guest *g)
{
	return g->tx_bytes >= g->d->cfg->max_queue;
}

/* The guest's queue shrank: let its blocked connections go on. */
void hl_guest_recheck(struct hl_guest *g)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &g->conns) {
		struct hl_conn *c = hl_list_entry(pos, struct hl_conn, gnode);

		if (c->blocked)
			hl_conn_update_block(c);
	}
}

/*
 * May this peer talk to us at all?  Guests are CID 3 and up; the
 * loopback CID 1 only with allow_loopback; the host (2) and the
 * hypervisor (0) never.  Hybrid peers have no CID: allowed here, and
 * judged by trust_hybrid for control.  Returns 0 or -EPERM with @why.
 */
int hl_guest_cid_allowed(const struct hl_daemon *d, const struct hl_peer *peer,
			 char *why, size_t whylen)
{
	if (peer->hybrid || (peer->cid > VMADDR_CID_HOST && peer->cid != VMADDR_CID_ANY))
		return 0;
	if (peer->cid == VMADDR_CID_LOCAL && d->cfg->allow_loopback)
		return 0;
	if (peer->cid == VMADDR_CID_LOCAL)
		snprintf(why, whylen, "loopback CID 1 not allowed (allow_loopback)");
	else
		snprintf(why, whylen, "CID %u is not a guest", peer->cid);
	return -EPERM;
}
