// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostlinkd: the built-in "test" service (enum hostlink_test_op), for
 * selftests and benchmarks.  Every operation checks its payload size;
 * a wrong one is EINVAL.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "hl_daemon.h"

#define HL_TEST_SLEEP_MAX	60000
#define HL_TEST_EVENTS_MAX	65536

static int hl_test_u32(const uint8_t *data, uint32_t len, uint32_t *out)
{
	uint32_t v;

	if (len != sizeof(v))
		return -EINVAL;
	memcpy(&v, data, sizeof(v));
	*out = le32toh(v);
	return 0;
}

static void hl_test_wake(struct hl_timer *t)
{
	hl_req_reply(hl_container_of(t, struct hl_req, timer), 0, NULL, 0);
}

static void hl_test_sleep(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	struct hl_daemon *d = req->c->d;
	uint32_t ms;

	if (hl_test_u32(data, len, &ms) || ms > HL_TEST_SLEEP_MAX)
		return hl_req_reply(req, EINVAL, NULL, 0);
	hl_timer_init(&req->timer, hl_test_wake);
	if (hl_timer_arm(&d->timers, &req->timer, d->clock() + ms))
		return hl_req_reply(req, ENOMEM, NULL, 0);
}

/* EVENTS state: arg[0] the next sequence number, arg[1] how many. */
static void hl_test_events_run(struct hl_req *req)
{
	while (req->arg[0] < req->arg[1]) {
		uint64_t seq = htole64(req->arg[0]);

		if (!hl_req_can_send(req))
			return hl_req_wait_drain(req);
		if (hl_req_event(req, HOSTLINK_TEST_EV_TICK, &seq, sizeof(seq)))
			return;	/* closing: the request goes with the connection */
		req->arg[0]++;
	}
	hl_req_reply(req, 0, NULL, 0);
}

static void hl_test_events(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	uint32_t n;

	if (hl_test_u32(data, len, &n) || n > HL_TEST_EVENTS_MAX)
		return hl_req_reply(req, EINVAL, NULL, 0);
	if (!(req->c->rx.features & HOSTLINK_FEAT_EVENTS))
		return hl_req_reply(req, EOPNOTSUPP, NULL, 0);
	req->arg[0] = 0;
	req->arg[1] = n;
	hl_test_events_run(req);
}

static void hl_test_stream(struct hl_req *req, uint32_t len)
{
	uint8_t token[HOSTLINK_TOKEN_LEN];
	int ret;

	if (len)
		return hl_req_reply(req, EINVAL, NULL, 0);
	if (!(req->c->rx.features & HOSTLINK_FEAT_ATTACH))
		return hl_req_reply(req, EOPNOTSUPP, NULL, 0);
	ret = hl_token_issue(req->c, NULL, token);
	if (ret)
		return hl_req_reply(req, -ret, NULL, 0);
	hl_req_reply(req, 0, token, sizeof(token));
}

static void hl_test_cred(struct hl_req *req, uint32_t len)
{
	uint8_t buf[sizeof(struct hostlink_test_cred)];
	uint32_t v;

	if (len)
		return hl_req_reply(req, EINVAL, NULL, 0);
	hl_cred_encode(buf, &req->cred);
	v = htole32(req->flags);
	memcpy(buf + offsetof(struct hostlink_test_cred, flags), &v, sizeof(v));
	v = htole32(req->c->trusted ? 1 : 0);
	memcpy(buf + offsetof(struct hostlink_test_cred, trusted), &v, sizeof(v));
	hl_req_reply(req, 0, buf, sizeof(buf));
}

static void hl_test_request(struct hl_req *req, const uint8_t *data, uint32_t len)
{
	switch (req->op) {
	case HOSTLINK_TEST_PING:
		return hl_req_reply(req, len ? EINVAL : 0, NULL, 0);
	case HOSTLINK_TEST_ECHO:
		return hl_req_reply(req, 0, data, len);
	case HOSTLINK_TEST_SINK:
		return hl_req_reply(req, 0, NULL, 0);
	case HOSTLINK_TEST_SLEEP:
		return hl_test_sleep(req, data, len);
	case HOSTLINK_TEST_EVENTS:
		return hl_test_events(req, data, len);
	case HOSTLINK_TEST_STREAM:
		return hl_test_stream(req, len);
	case HOSTLINK_TEST_CRED:
		return hl_test_cred(req, len);
	default:
		return hl_req_reply(req, EOPNOTSUPP, NULL, 0);
	}
}

/* SLEEP's timer goes with the request; EVENTS keeps nothing else. */
static void hl_test_cancel(struct hl_req *req)
{
	(void)req;
}

/* STREAM's extra connection: echo every byte, close after EOF. */
static int hl_test_attach(struct hl_conn *c, void *priv)
{
	(void)c;
	(void)priv;
	return 0;
}

static void hl_test_raw_data(struct hl_conn *c, const uint8_t *buf, size_t len)
{
	hl_conn_send_raw(c, buf, len);
}

static void hl_test_raw_eof(struct hl_conn *c)
{
	hl_conn_close(c, true, "stream ended");
}

const struct hl_service hl_svc_test = {
	.name = "test",
	.port = HOSTLINK_PORT_TEST,
	.request = hl_test_request,
	.cancel = hl_test_cancel,
	.resume = hl_test_events_run,
	.attach = hl_test_attach,
	.raw_data = hl_test_raw_data,
	.raw_eof = hl_test_raw_eof,
};
