/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/hostlink_test: the test device of hostlink_test.ko, through which
 * selftests and benchmarks drive the hostlink core against hostlinkd's
 * built-in "test" service (or a fake host of their own).  Not a stable
 * interface: it changes with the tests.
 */
#ifndef _UAPI_LINUX_HOSTLINK_TEST_H
#define _UAPI_LINUX_HOSTLINK_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/hostlink.h>

/**
 * struct hostlink_test_bind - give this open file a service of its own
 * @port: (in) host port to connect to; 0 for HOSTLINK_PORT_TEST.
 * @flags: (in) 0.
 * @out_id: (out) n, where the service is /sys/kernel/hostlink/services/test-<n>.
 * @__reserved: 0.
 * @remote: (in) service name to send in HELLO; empty for "test".
 *
 * The core starts connecting at once; see HOSTLINK_TEST_IOC_WAIT.  Once per
 * file (-EBUSY after).
 */
struct hostlink_test_bind {
	__u32 port;
	__u32 flags;
	__u32 out_id;
	__u32 __reserved;
	char remote[HOSTLINK_NAME_LEN];
};

/* out_state of HOSTLINK_TEST_IOC_WAIT; sysfs "state" tells more */
#define HOSTLINK_TEST_CONNECTING	0
#define HOSTLINK_TEST_CONNECTED		1

/**
 * struct hostlink_test_wait - wait until the service is connected
 * @timeout_ms: (in) how long at most; 0 to only look.
 * @out_state: (out) HOSTLINK_TEST_* at return.
 *
 * Returns 0 once connected, -ETIMEDOUT if not by then.
 */
struct hostlink_test_wait {
	__u32 timeout_ms;
	__u32 out_state;
};

#define HOSTLINK_TEST_CALL_KERNEL	(1U << 0)

/**
 * struct hostlink_test_call - one request through hostlink_call()
 * @op: (in) operation of the service.
 * @flags: (in) HOSTLINK_TEST_CALL_*.
 * @timeout_ms: (in) deadline; 0 for the core's default.
 * @__reserved: 0.
 * @req_uptr: (in) request bytes.
 * @req_len: (in) their length.
 * @resp_uptr: (in) reply buffer, or 0.
 * @resp_max: (in) its size.
 * @out_resp_len: (out) reply bytes written.
 *
 * The ioctl returns what hostlink_call() returned.
 */
struct hostlink_test_call {
	__u32 op;
	__u32 flags;
	__u32 timeout_ms;
	__u32 __reserved;
	__aligned_u64 req_uptr;
	__u64 req_len;
	__aligned_u64 resp_uptr;
	__u64 resp_max;
	__u64 out_resp_len;
};

/* Use @token as given instead of asking the service for one. */
#define HOSTLINK_TEST_STREAM_TOKEN	(1U << 0)

/**
 * struct hostlink_test_stream - an extra connection as a socket fd
 * @flags: (in) HOSTLINK_TEST_STREAM_*.
 * @timeout_ms: (in) deadline; 0 for the core's default.
 * @token: (in/out) the token used.
 * @out_fd: (out) the connected socket, O_CLOEXEC.
 * @__reserved: 0.
 */
struct hostlink_test_stream {
	__u32 flags;
	__u32 timeout_ms;
	__u8 token[HOSTLINK_TOKEN_LEN];
	__s32 out_fd;
	__u32 __reserved;
};

/**
 * struct hostlink_test_stats - what the service saw
 * @events: HOSTLINK_TEST_EV_TICK events received.
 * @last_seq: payload of the last one.
 * @bad_events: events of another op or size.
 * @ups: times the connection came up.
 * @downs: times it was lost.
 */
struct hostlink_test_stats {
	__u64 events;
	__u64 last_seq;
	__u64 bad_events;
	__u64 ups;
	__u64 downs;
};

/**
 * struct hostlink_test_max_payload - what hostlink_max_payload() says
 * @out_max_payload: (out) the largest @req_len that HOSTLINK_TEST_IOC_CALL
 *	sends on the connection of the moment.
 *
 * The ioctl fails with -ENOTCONN when the service is not connected.
 */
struct hostlink_test_max_payload {
	__u64 out_max_payload;
};

#define HOSTLINK_TEST_IOCTL_BASE	'h'
#define HOSTLINK_TEST_IOC_BIND	_IOWR(HOSTLINK_TEST_IOCTL_BASE, 0, struct hostlink_test_bind)
#define HOSTLINK_TEST_IOC_WAIT	_IOWR(HOSTLINK_TEST_IOCTL_BASE, 1, struct hostlink_test_wait)
#define HOSTLINK_TEST_IOC_CALL	_IOWR(HOSTLINK_TEST_IOCTL_BASE, 2, struct hostlink_test_call)
#define HOSTLINK_TEST_IOC_STREAM	\
	_IOWR(HOSTLINK_TEST_IOCTL_BASE, 3, struct hostlink_test_stream)
#define HOSTLINK_TEST_IOC_STATS	_IOR(HOSTLINK_TEST_IOCTL_BASE, 4, struct hostlink_test_stats)
#define HOSTLINK_TEST_IOC_MAX_PAYLOAD	\
	_IOR(HOSTLINK_TEST_IOCTL_BASE, 5, struct hostlink_test_max_payload)

#endif /* _UAPI_LINUX_HOSTLINK_TEST_H */
