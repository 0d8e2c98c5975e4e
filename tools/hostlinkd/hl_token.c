// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: one-time tokens for extra connections.  A service issues
 * one on a control connection (in a REPLY); an extra connection presents
 * it in ATTACH.  A token is HOSTLINK_TOKEN_LEN random bytes, good once,
 * for HL_TOKEN_MS, from the guest it was issued to, on the port and for
 * the service and version of its control connection.  It goes with that
 * connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl_daemon.h"

struct hl_token {
	struct hl_list node;		/* in hl_daemon.tokens */
	struct hl_list cnode;		/* in the issuer's hl_conn.tokens */
	struct hl_conn *issuer;
	void *priv;			/* the service's; not owned */
	struct hl_timer expiry;
	uint64_t expires;
	uint8_t bytes[HOSTLINK_TOKEN_LEN];
};

static void hl_token_free(struct hl_token *t)
{
	hl_timer_cancel(&t->issuer->d->timers, &t->expiry);
	hl_list_del(&t->node);
	hl_list_del(&t->cnode);
	t->issuer->g->ntokens--;
	free(t);
}

static void hl_token_expired(struct hl_timer *timer)
{
	struct hl_token *t = hl_container_of(timer, struct hl_token, expiry);

	hl_conn_log(t->issuer, HL_LOG_DEBUG, "token expired unused");
	hl_token_free(t);
}

/**
 * hl_token_issue() - a new token for an extra connection
 * @c: the control connection it is issued on.
 * @priv: handed to the service's attach() when redeemed.
 * @token: (out) HOSTLINK_TOKEN_LEN bytes.
 *
 * Return: 0, -EAGAIN if the guest holds too many, or -errno.
 */
int hl_token_issue(struct hl_conn *c, void *priv, uint8_t *token)
{
	struct hl_daemon *d = c->d;
	struct hl_token *t;
	int ret;

	if (c->g->ntokens >= HL_TOKENS_PER_GUEST)
		return -EAGAIN;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	ret = d->random(t->bytes, sizeof(t->bytes));
	if (ret)
		goto err_free;
	t->expires = d->clock() + HL_TOKEN_MS;
	hl_timer_init(&t->expiry, hl_token_expired);
	ret = hl_timer_arm(&d->timers, &t->expiry, t->expires);
	if (ret)
		goto err_free;
	t->issuer = c;
	t->priv = priv;
	c->g->ntokens++;
	hl_list_add_tail(&t->node, &d->tokens);
	hl_list_add_tail(&t->cnode, &c->tokens);
	memcpy(token, t->bytes, sizeof(t->bytes));
	return 0;

err_free:
	free(t);
	return ret;
}

/* Compares in a time that does not depend on where the bytes differ. */
static bool hl_token_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;
	size_t i;

	for (i = 0; i < HOSTLINK_TOKEN_LEN; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

/**
 * hl_token_redeem() - take the token an ATTACH presents
 * @c: the extra connection.
 * @h: the ATTACH header (its version).
 * @a: the ATTACH payload.
 * @svc: (out) the service of the token.
 * @priv: (out) what the service gave hl_token_issue().
 * @why: (out) the reason on failure.
 * @whylen: its size.
 *
 * Return: 0 (the token is used up), or -EACCES.
 */
int hl_token_redeem(struct hl_conn *c, const struct hl_hdr *h,
		    const struct hl_attach *a, const struct hl_service **svc,
		    void **priv, char *why, size_t whylen)
{
	struct hl_token *t = NULL;
	struct hl_list *pos, *tmp;
	struct hl_conn *issuer;

	hl_list_for_each_safe(pos, tmp, &c->d->tokens) {
		struct hl_token *cand = hl_list_entry(pos, struct hl_token, node);

		if (hl_token_equal(cand->bytes, a->token))
			t = cand;
	}
	if (!t) {
		snprintf(why, whylen, "unknown, used or expired token");
		return -EACCES;
	}
	issuer = t->issuer;
	if (c->d->clock() >= t->expires) {
		hl_token_free(t);
		snprintf(why, whylen, "expired token");
		return -EACCES;
	}
	/* A foreign attempt does not burn the token for its owner. */
	if (issuer->g != c->g) {
		snprintf(why, whylen, "token of another guest");
		return -EACCES;
	}
	if (issuer->peer.lport != c->peer.lport || strcmp(issuer->svc->name, a->service)) {
		snprintf(why, whylen, "token of another service or port");
		return -EACCES;
	}
	if (issuer->rx.version != h->version) {
		snprintf(why, whylen, "ATTACH version %u, token's %u", h->version,
			 issuer->rx.version);
		return -EACCES;
	}
	*svc = issuer->svc;
	*priv = t->priv;
	hl_token_free(t);
	return 0;
}

/* The issuing connection goes: its tokens go too. */
void hl_token_drop_conn(struct hl_conn *c)
{
	while (!hl_list_empty(&c->tokens))
		hl_token_free(hl_list_first(&c->tokens, struct hl_token, cnode));
}

/* The service takes back what it gave hl_token_issue() on @c: unused tokens go. */
void hl_token_revoke(struct hl_conn *c, const void *priv)
{
	struct hl_list *pos, *tmp;

	hl_list_for_each_safe(pos, tmp, &c->tokens) {
		struct hl_token *t = hl_list_entry(pos, struct hl_token, cnode);

		if (t->priv == priv)
			hl_token_free(t);
	}
}
