/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hostlink wire protocol between the guest kernel and hostlinkd.
 *
 * Shared by hostlink.ko and the host daemon, and nothing else: every
 * structure that crosses the wire is here.  The prose, with the
 * handshake, errors, limits and the compatibility policy, is
 * Documentation/hostlink-protocol.rst.
 *
 * Everything is little-endian.  Every structure is a multiple of 8 bytes
 * and has no implicit padding; reserved fields are sent as zero and
 * rejected when not zero.
 */
#ifndef _UAPI_LINUX_HOSTLINK_H
#define _UAPI_LINUX_HOSTLINK_H

#include <linux/types.h>

/* Default AF_VSOCK ports on which hostlinkd listens, one per service. */
#define HOSTLINK_PORT_TEST	0x4bff	/* 19455: built-in ping/echo */
#define HOSTLINK_PORT_DXG	0x4c00	/* 19456 */
#define HOSTLINK_PORT_INTEROP	0x4c01	/* 19457 */
#define HOSTLINK_PORT_9P	0x4c02	/* 19458 */

/* Control connections come from guest ports below this one. */
#define HOSTLINK_RESERVED_PORT_END	1024

/*
 * The reserved guest port on which hostlink.ko takes host-initiated
 * control connections when asked to (module parameter listen_port; off
 * by default): on hybrid vsock, where the VMM hides the guest's source
 * port, the host dials the guest kernel instead (hostlinkd
 * hybrid_connect).  Outside the range control connections bind from.
 */
#define HOSTLINK_PORT_GUEST	511

#define HOSTLINK_MAGIC		0x4b4e4c48	/* "HLNK" as LE bytes */

/*
 * The whole of a handshake, however its bytes are spread: the guest
 * sends HELLO and has all of WELCOME within this many milliseconds, and
 * takes a host-initiated connection only with all of its OFFER within
 * this of the connection.
 */
#define HOSTLINK_HANDSHAKE_MS	5000

/* Protocol versions this header describes. */
#define HOSTLINK_PROTO_MIN	1
#define HOSTLINK_PROTO_MAX	1

/*
 * Payload bytes after the header.  Each peer announces the largest frame
 * it accepts in HELLO/WELCOME; both then use the smaller.  Nobody may
 * announce less than HOSTLINK_FRAME_MIN or more than HOSTLINK_FRAME_LIMIT.
 */
#define HOSTLINK_FRAME_MIN	4096
#define HOSTLINK_FRAME_DEFAULT	(1U << 20)
#define HOSTLINK_FRAME_LIMIT	(16U << 20)

/**
 * enum hostlink_type - frame types
 * @HOSTLINK_HELLO: guest to host, first frame of a control connection;
 *	payload struct hostlink_hello.
 * @HOSTLINK_WELCOME: host to guest, the answer to HELLO; status 0 or an
 *	error; payload struct hostlink_welcome.
 * @HOSTLINK_REQUEST: guest to host; id set; payload struct
 *	hostlink_cred followed by the service's request.
 * @HOSTLINK_REPLY: host to guest, once per REQUEST that was not
 *	cancelled; same id and op; status 0 or an error.
 * @HOSTLINK_EVENT: host to guest, unsolicited; id 0; op is the
 *	service's event code.
 * @HOSTLINK_CANCEL: guest to host; id of a request the guest gave up
 *	on.  No payload.  The host may still send a REPLY, which the guest
 *	drops.
 * @HOSTLINK_ATTACH: guest to host, first frame of an extra connection;
 *	payload struct hostlink_attach.
 * @HOSTLINK_ATTACHED: host to guest, the answer to ATTACH; status 0 or
 *	an error.  After a successful ATTACHED the connection carries
 *	the service's raw bytes, no more frames.
 * @HOSTLINK_OFFER: host to guest, first frame of a host-initiated
 *	control connection; payload struct hostlink_offer.  The guest
 *	answers with HELLO for that service, or closes the connection.
 */
enum hostlink_type {
	HOSTLINK_HELLO = 1,
	HOSTLINK_WELCOME = 2,
	HOSTLINK_REQUEST = 3,
	HOSTLINK_REPLY = 4,
	HOSTLINK_EVENT = 5,
	HOSTLINK_CANCEL = 6,
	HOSTLINK_ATTACH = 7,
	HOSTLINK_ATTACHED = 8,
	HOSTLINK_OFFER = 9,
};

/* Header flags. */
/* REQUEST: sent by the guest kernel on its own behalf, not a task's. */
#define HOSTLINK_F_KERNEL	(1U << 0)
#define HOSTLINK_F_ALL		HOSTLINK_F_KERNEL

/* Feature bits, announced in HELLO/WELCOME; the intersection applies. */
#define HOSTLINK_FEAT_EVENTS	(1ULL << 0)	/* EVENT frames */
#define HOSTLINK_FEAT_CANCEL	(1ULL << 1)	/* CANCEL frames */
#define HOSTLINK_FEAT_ATTACH	(1ULL << 2)	/* extra connections */
#define HOSTLINK_FEAT_ALL	(HOSTLINK_FEAT_EVENTS | \
				 HOSTLINK_FEAT_CANCEL | \
				 HOSTLINK_FEAT_ATTACH)

/**
 * struct hostlink_hdr - the header of every frame
 * @magic: HOSTLINK_MAGIC.
 * @version: HELLO, WELCOME and OFFER: the sender's highest version; any other
 *	frame: the version agreed at HELLO.
 * @type: enum hostlink_type.
 * @flags: HOSTLINK_F_*; unknown bits are an error.
 * @len: payload bytes that follow, at most the agreed maximum frame.
 * @op: REQUEST, REPLY, EVENT: the service's operation or event code;
 *	otherwise 0.
 * @id: REQUEST, REPLY, CANCEL: the request id, chosen by the guest, not
 *	0, unique among its requests in flight; otherwise 0.
 * @status: WELCOME, REPLY, ATTACHED: 0 or a positive Linux errno value
 *	(below 4096); otherwise 0.
 * @__reserved: 0.
 */
struct hostlink_hdr {
	__le32 magic;
	__u8 version;
	__u8 type;
	__le16 flags;
	__le32 len;
	__le32 op;
	__le64 id;
	__le32 status;
	__le32 __reserved;
};

#define HOSTLINK_ERRNO_MAX	4095

/* Service names: [A-Za-z0-9_-], NUL-padded. */
#define HOSTLINK_NAME_LEN	32

/**
 * struct hostlink_hello - HELLO payload
 * @min_version: lowest protocol version the guest speaks.
 * @max_version: highest protocol version the guest speaks.
 * @max_frame: largest payload the guest accepts.
 * @__reserved: 0.
 * @features: HOSTLINK_FEAT_* the guest supports.
 * @service: the service this connection is for.
 */
struct hostlink_hello {
	__le16 min_version;
	__le16 max_version;
	__le32 max_frame;
	__le32 __reserved[2];
	__le64 features;
	char service[HOSTLINK_NAME_LEN];
};

#define HOSTLINK_MESSAGE_LEN	64

/**
 * struct hostlink_welcome - WELCOME payload
 * @version: the version chosen (highest common); 0 on error.
 * @min_version: lowest protocol version the host speaks.
 * @max_version: highest protocol version the host speaks.
 * @__reserved0: 0.
 * @max_frame: largest payload the host accepts.
 * @__reserved1: 0.
 * @features: HOSTLINK_FEAT_* in force (a subset of the guest's).
 * @message: on error, a NUL-terminated reason for humans (logs only).
 */
struct hostlink_welcome {
	__le16 version;
	__le16 min_version;
	__le16 max_version;
	__le16 __reserved0;
	__le32 max_frame;
	__le32 __reserved1;
	__le64 features;
	char message[HOSTLINK_MESSAGE_LEN];
};

/**
 * struct hostlink_cred - who asked, as the guest kernel saw it
 * @uid: effective uid in the guest's initial user namespace; 0xffffffff
 *	if unmapped.  The same for @gid.
 * @gid: effective gid.
 * @pid: thread group id in the guest's initial pid namespace.
 * @tid: thread id in the initial pid namespace.
 * @userns: inode number of the caller's user namespace (nsfs).
 * @pidns: of its pid namespace.
 * @netns: of its network namespace.
 * @utsns: of its UTS namespace.
 * @ipcns: of its IPC namespace.
 * @cgroupns: of its cgroup namespace.
 *
 * All zero with HOSTLINK_F_KERNEL.  The mount namespace is not given:
 * its inode number is not reachable from a module.
 */
struct hostlink_cred {
	__le32 uid;
	__le32 gid;
	__le32 pid;
	__le32 tid;
	__le64 userns;
	__le64 pidns;
	__le64 netns;
	__le64 utsns;
	__le64 ipcns;
	__le64 cgroupns;
};

/**
 * struct hostlink_offer - OFFER payload
 * @service: the service the host offers this connection for, as the
 *	guest names it in HELLO.
 */
struct hostlink_offer {
	char service[HOSTLINK_NAME_LEN];
};

#define HOSTLINK_TOKEN_LEN	32

/**
 * struct hostlink_attach - ATTACH payload
 * @token: the one-time token the host gave out on the control
 *	connection of @service.
 * @service: the service, as in HELLO.
 */
struct hostlink_attach {
	__u8 token[HOSTLINK_TOKEN_LEN];
	char service[HOSTLINK_NAME_LEN];
};

/*
 * The built-in "test" service of hostlinkd (port HOSTLINK_PORT_TEST),
 * for selftests and benchmarks.
 */
enum hostlink_test_op {
	HOSTLINK_TEST_PING = 1,		/* empty -> empty */
	HOSTLINK_TEST_ECHO = 2,		/* bytes -> the same bytes */
	HOSTLINK_TEST_SINK = 3,		/* bytes -> empty */
	HOSTLINK_TEST_SLEEP = 4,	/* __le32 ms -> empty, ms later */
	HOSTLINK_TEST_EVENTS = 5,	/* __le32 n -> n EVENTs, then empty */
	HOSTLINK_TEST_STREAM = 6,	/* empty -> token; echo stream */
	HOSTLINK_TEST_CRED = 7,		/* empty -> struct hostlink_test_cred */
};

/* EVENT op of the test service; payload __le64, counting from 0. */
#define HOSTLINK_TEST_EV_TICK	1

/**
 * struct hostlink_test_cred - reply to HOSTLINK_TEST_CRED
 * @cred: the credential block the daemon received.
 * @flags: the header flags of the request.
 * @trusted: 1 if the daemon trusts the credentials on this connection.
 */
struct hostlink_test_cred {
	struct hostlink_cred cred;
	__le32 flags;
	__le32 trusted;
};

#endif /* _UAPI_LINUX_HOSTLINK_H */
