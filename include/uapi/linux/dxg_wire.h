/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dxg wire protocol: the GPU service's operations and events, carried
 * in hostlink REQUEST/REPLY/EVENT frames (include/uapi/linux/hostlink.h)
 * between dxg.ko and the GPU service of hostlinkd.
 *
 * The only dxg header the host daemon includes.  It also defines the
 * command-buffer format, which guest user space writes, the guest
 * kernel passes on unread (size-checked only) and the host executes.
 * The prose, with every op's errors, object lifetimes, ordering, fence
 * semantics and the compatibility policy, is
 * Documentation/dxg-protocol.rst.
 *
 * As in hostlink.h: everything is little-endian; every structure is a
 * multiple of 8 bytes, every field is naturally aligned and there is no
 * implicit padding, so the layout is the same on every ABI; reserved
 * fields are sent as zero and checked.  No pointers: objects are named
 * by 64-bit ids, allocations inside a command buffer by index.  The
 * size of each structure is given beside it; tools/hostlinkd/tests/
 * dxg_wire_test.c holds the header to those sizes and offsets.
 */
#ifndef _UAPI_LINUX_DXG_WIRE_H
#define _UAPI_LINUX_DXG_WIRE_H

#include <linux/types.h>
#include <linux/hostlink.h>

/* The hostlink service name of the GPU service (port HOSTLINK_PORT_DXG). */
#define DXG_WIRE_SERVICE	"dxg"

/* dxg protocol versions this header describes (dxg HELLO, not hostlink's). */
#define DXG_WIRE_VERSION_MIN	1
#define DXG_WIRE_VERSION_MAX	1

/*
 * Limits.  Fixed by the protocol version; each side refuses more.  The
 * host may have smaller resource limits of its own (objects, memory,
 * queued work), reported with EAGAIN or ENOMEM, never by a smaller
 * protocol limit.
 */
#define DXG_WIRE_MAX_ADAPTERS		16	/* in a HELLO reply */
#define DXG_WIRE_NAME_LEN		64	/* adapter name, NUL included */
#define DXG_WIRE_MAX_SUBMIT_ALLOCS	256	/* allocation list of a SUBMIT */
#define DXG_WIRE_MAX_SUBMIT_WAITS	32	/* wait list of a SUBMIT */
#define DXG_WIRE_MAX_SUBMIT_SIGNALS	32	/* signal list of a SUBMIT */
#define DXG_WIRE_MAX_CMDBUF		65536	/* command buffer bytes */
#define DXG_WIRE_MAX_ALLOC_SIZE		(1ULL << 32)	/* bytes */
#define DXG_WIRE_MAX_DELAY_US		1000000	/* DELAY command, 1 s */
#define DXG_WIRE_CMD_ALIGN		8	/* command sizes and buffer */

/*
 * The service needs hostlink frames of at least this many payload
 * bytes (the agreed max_frame of the control connection), so that the
 * largest SUBMIT always fits: the host answers HELLO with EMSGSIZE
 * below it.  hostlink's default frame (1 MiB) is well above.
 */
#define DXG_WIRE_FRAME_MIN	(128U << 10)

/*
 * Request bytes a chunked READ or WRITE spends on other things than the
 * data: the hostlink credential block (64), struct dxg_wire_req (32)
 * and struct dxg_wire_xfer (32).  A chunk holds at most the agreed
 * max_frame minus this, in both directions.
 */
#define DXG_WIRE_XFER_OVERHEAD	128

/**
 * enum dxg_wire_op - operations: the hostlink header's op
 * @DXG_WIRE_OP_HELLO: version, features and adapters; the first request
 *	of every control connection.  dxg_wire_hello ->
 *	dxg_wire_hello_reply + n_adapters * dxg_wire_adapter.
 * @DXG_WIRE_OP_ADAPTER_OPEN: dxg_wire_req + dxg_wire_adapter_open ->
 *	dxg_wire_id (the adapter handle).
 * @DXG_WIRE_OP_ADAPTER_CLOSE: dxg_wire_req -> empty.
 * @DXG_WIRE_OP_QUERY: dxg_wire_req + dxg_wire_query -> the reply of
 *	that query type.
 * @DXG_WIRE_OP_DEVICE_CREATE: dxg_wire_req + dxg_wire_device_create ->
 *	dxg_wire_id.
 * @DXG_WIRE_OP_DEVICE_DESTROY: dxg_wire_req + dxg_wire_id -> empty.
 * @DXG_WIRE_OP_DEVICE_GET_STATE: dxg_wire_req + dxg_wire_id ->
 *	dxg_wire_device_state.
 * @DXG_WIRE_OP_CONTEXT_CREATE: dxg_wire_req + dxg_wire_context_create
 *	-> dxg_wire_id.
 * @DXG_WIRE_OP_CONTEXT_DESTROY: dxg_wire_req + dxg_wire_id -> empty.
 * @DXG_WIRE_OP_ALLOC_CREATE: dxg_wire_req + dxg_wire_alloc_create ->
 *	dxg_wire_id.
 * @DXG_WIRE_OP_ALLOC_DESTROY: dxg_wire_req + dxg_wire_id -> empty.
 * @DXG_WIRE_OP_LOCK: dxg_wire_req + dxg_wire_lock -> empty.
 * @DXG_WIRE_OP_UNLOCK: dxg_wire_req + dxg_wire_unlock -> empty.
 * @DXG_WIRE_OP_READ: dxg_wire_req + dxg_wire_xfer -> the bytes
 *	(chunked), or dxg_wire_bulk (DXG_WIRE_XFER_F_BULK).
 * @DXG_WIRE_OP_WRITE: dxg_wire_req + dxg_wire_xfer + the bytes ->
 *	empty (chunked); dxg_wire_req + dxg_wire_xfer -> dxg_wire_bulk
 *	(DXG_WIRE_XFER_F_BULK).
 * @DXG_WIRE_OP_SUBMIT: dxg_wire_req + dxg_wire_submit + allocation ids
 *	+ waits + signals + command buffer -> dxg_wire_submit_reply.
 * @DXG_WIRE_OP_FENCE_CREATE: dxg_wire_req + dxg_wire_fence_create ->
 *	dxg_wire_id.
 * @DXG_WIRE_OP_FENCE_DESTROY: dxg_wire_req + dxg_wire_id -> empty.
 * @DXG_WIRE_OP_FENCE_SIGNAL: dxg_wire_req + dxg_wire_fence_value ->
 *	empty.
 */
enum dxg_wire_op {
	DXG_WIRE_OP_HELLO = 1,
	DXG_WIRE_OP_ADAPTER_OPEN = 2,
	DXG_WIRE_OP_ADAPTER_CLOSE = 3,
	DXG_WIRE_OP_QUERY = 4,
	DXG_WIRE_OP_DEVICE_CREATE = 5,
	DXG_WIRE_OP_DEVICE_DESTROY = 6,
	DXG_WIRE_OP_DEVICE_GET_STATE = 7,
	DXG_WIRE_OP_CONTEXT_CREATE = 8,
	DXG_WIRE_OP_CONTEXT_DESTROY = 9,
	DXG_WIRE_OP_ALLOC_CREATE = 10,
	DXG_WIRE_OP_ALLOC_DESTROY = 11,
	DXG_WIRE_OP_LOCK = 12,
	DXG_WIRE_OP_UNLOCK = 13,
	DXG_WIRE_OP_READ = 14,
	DXG_WIRE_OP_WRITE = 15,
	DXG_WIRE_OP_SUBMIT = 16,
	DXG_WIRE_OP_FENCE_CREATE = 17,
	DXG_WIRE_OP_FENCE_DESTROY = 18,
	DXG_WIRE_OP_FENCE_SIGNAL = 19,
};

/**
 * enum dxg_wire_event - events: the op of a hostlink EVENT frame
 * @DXG_WIRE_EV_FENCE: a fence's value went up; dxg_wire_ev_fence.
 * @DXG_WIRE_EV_DEVICE: a device faulted or was lost; dxg_wire_ev_device.
 */
enum dxg_wire_event {
	DXG_WIRE_EV_FENCE = 1,
	DXG_WIRE_EV_DEVICE = 2,
};

/*
 * dxg feature bits, announced in HELLO; the intersection applies.  The
 * service also needs HOSTLINK_FEAT_EVENTS in force on the connection
 * (the host answers HELLO with EOPNOTSUPP without it).
 */
/* READ/WRITE with DXG_WIRE_XFER_F_BULK; needs HOSTLINK_FEAT_ATTACH too. */
#define DXG_WIRE_FEAT_BULK	(1ULL << 0)
#define DXG_WIRE_FEAT_ALL	DXG_WIRE_FEAT_BULK

/**
 * struct dxg_wire_hello - HELLO request (16 bytes)
 * @min_version: lowest dxg protocol version the guest speaks.
 * @max_version: highest dxg protocol version the guest speaks.
 * @__reserved: 0.
 * @features: DXG_WIRE_FEAT_* the guest supports.
 *
 * HELLO has no struct dxg_wire_req: it names no process or adapter.
 */
struct dxg_wire_hello {
	__le16 min_version;
	__le16 max_version;
	__le32 __reserved;
	__le64 features;
};

/**
 * struct dxg_wire_hello_reply - HELLO reply (16 bytes), followed by
 *	@n_adapters struct dxg_wire_adapter
 * @version: the version chosen, the highest both speak.
 * @min_version: lowest version the host speaks.
 * @max_version: highest version the host speaks.
 * @n_adapters: adapters that follow, 0 to DXG_WIRE_MAX_ADAPTERS.
 * @features: DXG_WIRE_FEAT_* in force, a subset of the guest's.
 */
struct dxg_wire_hello_reply {
	__le16 version;
	__le16 min_version;
	__le16 max_version;
	__le16 n_adapters;
	__le64 features;
};

/* Adapter flags. */
#define DXG_WIRE_ADAPTER_F_COMPUTE_ONLY	(1U << 0)	/* no display/render */
#define DXG_WIRE_ADAPTER_F_SOFTWARE	(1U << 1)	/* CPU backend */
#define DXG_WIRE_ADAPTER_F_F32_FTZ	(1U << 2)	/* f32 subnormals -> 0 */
#define DXG_WIRE_ADAPTER_F_ALL		(DXG_WIRE_ADAPTER_F_COMPUTE_ONLY | \
					 DXG_WIRE_ADAPTER_F_SOFTWARE | \
					 DXG_WIRE_ADAPTER_F_F32_FTZ)

/**
 * struct dxg_wire_adapter - one adapter in the HELLO reply (104 bytes)
 * @nonce: the adapter's instance nonce: random, not 0, distinct among
 *	the adapters of the reply, drawn again for every control
 *	connection.  Every later request about the adapter carries it.
 * @luid_low: low 32 bits of the adapter's LUID (stable while the host
 *	runs; distinct among the adapters of the reply).
 * @luid_high: high 32 bits of the LUID.
 * @flags: DXG_WIRE_ADAPTER_F_*.
 * @vendor_id: PCI vendor id of the host GPU; 0 for none.
 * @device_id: PCI device id of the host GPU; 0 for none.
 * @dedicated_memory: bytes of adapter memory.
 * @shared_memory: bytes of host system memory the adapter may use.
 * @name: UTF-8, NUL-terminated, NUL-padded; 1 to DXG_WIRE_NAME_LEN - 1
 *	bytes, no control characters.
 */
struct dxg_wire_adapter {
	__le64 nonce;
	__le32 luid_low;
	__le32 luid_high;
	__le32 flags;
	__le16 vendor_id;
	__le16 device_id;
	__le64 dedicated_memory;
	__le64 shared_memory;
	char name[DXG_WIRE_NAME_LEN];
};

/**
 * struct dxg_wire_req - start of every request but HELLO (32 bytes)
 * @process: the guest process: an id the guest kernel picks per open
 *	file of /dev/dxg, not 0, never reused on the connection, never a
 *	pid.  Host objects are scoped to (connection, process).
 * @nonce: the instance nonce of the adapter the request is about.
 * @adapter: the adapter handle (ADAPTER_OPEN's reply); 0 in
 *	ADAPTER_OPEN itself.
 * @__reserved: 0.
 */
struct dxg_wire_req {
	__le64 process;
	__le64 nonce;
	__le64 adapter;
	__le64 __reserved;
};

/**
 * struct dxg_wire_id - one object id (8 bytes)
 * @id: a host object id: not 0, never reused on the connection (each
 *	connection's counter starts at a random point below 2^63).
 *
 * The reply of every create op, and the request body of every destroy
 * op and of DEVICE_GET_STATE.
 */
struct dxg_wire_id {
	__le64 id;
};

/**
 * struct dxg_wire_adapter_open - ADAPTER_OPEN request body (8 bytes)
 * @flags: 0.
 * @__reserved: 0.
 *
 * The adapter is the one whose nonce is in struct dxg_wire_req.
 */
struct dxg_wire_adapter_open {
	__le32 flags;
	__le32 __reserved;
};

/* Query types. */
#define DXG_WIRE_QUERY_MEMORY	1	/* -> struct dxg_wire_query_memory */
#define DXG_WIRE_QUERY_CLOCK	2	/* -> struct dxg_wire_query_clock */
#define DXG_WIRE_QUERY_STATS	3	/* -> struct dxg_wire_query_stats */

/**
 * struct dxg_wire_query - QUERY request body (8 bytes)
 * @type: DXG_WIRE_QUERY_*.
 * @__reserved: 0.
 */
struct dxg_wire_query {
	__le32 type;
	__le32 __reserved;
};

/**
 * struct dxg_wire_query_memory - QUERY MEMORY reply (32 bytes)
 * @budget: bytes of allocations this guest may have on the adapter.
 * @usage: bytes this guest's allocations take on it now, destroyed ones
 *	still held by queued work included.
 * @process_usage: the part of @usage that is this process's.
 * @__reserved: 0.
 */
struct dxg_wire_query_memory {
	__le64 budget;
	__le64 usage;
	__le64 process_usage;
	__le64 __reserved;
};

/**
 * struct dxg_wire_query_clock - QUERY CLOCK reply (32 bytes)
 * @gpu_ticks: the adapter's clock, the one TIMESTAMP writes, read at
 *	the same instant as @host_ns.
 * @frequency: ticks of that clock per second, not 0.
 * @host_ns: the host's CLOCK_MONOTONIC in ns at that instant; only
 *	good for comparing two calibrations.
 * @__reserved: 0.
 */
struct dxg_wire_query_clock {
	__le64 gpu_ticks;
	__le64 frequency;
	__le64 host_ns;
	__le64 __reserved;
};

/**
 * struct dxg_wire_query_stats - QUERY STATS reply (64 bytes), counters
 *	of this connection on the adapter since the connection came up
 * @submits: submissions accepted.
 * @retired: submissions retired, failed ones included.
 * @failed: submissions that signalled their fences with an error.
 * @commands: commands executed.
 * @busy_ns: time the adapter spent executing this guest's commands.
 * @bytes_read: bytes sent to the guest by READ, chunked and bulk.
 * @bytes_written: bytes received from the guest by WRITE.
 * @events_coalesced: fence events merged into a later one (below).
 */
struct dxg_wire_query_stats {
	__le64 submits;
	__le64 retired;
	__le64 failed;
	__le64 commands;
	__le64 busy_ns;
	__le64 bytes_read;
	__le64 bytes_written;
	__le64 events_coalesced;
};

/**
 * struct dxg_wire_device_create - DEVICE_CREATE request body (8 bytes)
 * @flags: 0.
 * @__reserved: 0.
 */
struct dxg_wire_device_create {
	__le32 flags;
	__le32 __reserved;
};

/* Device states. */
#define DXG_WIRE_DEVICE_ACTIVE	1
#define DXG_WIRE_DEVICE_FAULTED	2	/* a submission failed executing */
#define DXG_WIRE_DEVICE_LOST	3	/* the host lost the GPU under it */

/* cmd_offset when the failure was not a command's. */
#define DXG_WIRE_NO_CMD		0xffffffffU

/**
 * struct dxg_wire_device_state - DEVICE_GET_STATE reply (32 bytes)
 * @state: DXG_WIRE_DEVICE_*.
 * @error: 0 when ACTIVE; otherwise the errno (1 to 4095) of the fault
 *	or loss.
 * @context: FAULTED: the context of the failed submission; else 0.
 * @submit: FAULTED: that submission's number (SUBMIT's reply); else 0.
 * @cmd_offset: FAULTED: byte offset in its command buffer of the
 *	command that failed, or DXG_WIRE_NO_CMD; else DXG_WIRE_NO_CMD.
 * @opcode: that command's opcode; 0 if none.
 * @__reserved: 0.
 *
 * The first fault is kept: a faulted device never becomes ACTIVE again
 * and its record does not change, except to LOST.
 */
struct dxg_wire_device_state {
	__le32 state;
	__le32 error;
	__le64 context;
	__le64 submit;
	__le32 cmd_offset;
	__le16 opcode;
	__le16 __reserved;
};

/**
 * struct dxg_wire_context_create - CONTEXT_CREATE request body
 *	(16 bytes); a context is one ordered queue
 * @device: the device.
 * @flags: 0.
 * @__reserved: 0.
 */
struct dxg_wire_context_create {
	__le64 device;
	__le32 flags;
	__le32 __reserved;
};

/**
 * struct dxg_wire_alloc_create - ALLOC_CREATE request body (24 bytes)
 * @device: the device.
 * @size: bytes, 1 to DXG_WIRE_MAX_ALLOC_SIZE; the memory reads as zero.
 * @flags: 0.
 * @__reserved: 0.
 */
struct dxg_wire_alloc_create {
	__le64 device;
	__le64 size;
	__le32 flags;
	__le32 __reserved;
};

/* LOCK flags. */
#define DXG_WIRE_LOCK_READ	(1U << 0)	/* READ will be used */
#define DXG_WIRE_LOCK_WRITE	(1U << 1)	/* WRITE will be used */
#define DXG_WIRE_LOCK_DISCARD	(1U << 2)	/* with WRITE: old bytes not kept */
#define DXG_WIRE_LOCK_NOWAIT	(1U << 3)	/* EBUSY instead of waiting */
#define DXG_WIRE_LOCK_ALL	(DXG_WIRE_LOCK_READ | DXG_WIRE_LOCK_WRITE | \
				 DXG_WIRE_LOCK_DISCARD | DXG_WIRE_LOCK_NOWAIT)

/**
 * struct dxg_wire_lock - LOCK request body (32 bytes)
 * @alloc: the allocation.
 * @offset: start of the locked range.
 * @length: its bytes, 1 or more; length <= size and offset <= size -
 *	length.
 * @flags: DXG_WIRE_LOCK_*: READ, WRITE, READ | WRITE or WRITE | DISCARD,
 *	each optionally with NOWAIT.
 * @__reserved: 0.
 */
struct dxg_wire_lock {
	__le64 alloc;
	__le64 offset;
	__le64 length;
	__le32 flags;
	__le32 __reserved;
};

/**
 * struct dxg_wire_unlock - UNLOCK request body (16 bytes)
 * @alloc: the allocation.
 * @flags: 0.
 * @__reserved: 0.
 */
struct dxg_wire_unlock {
	__le64 alloc;
	__le32 flags;
	__le32 __reserved;
};

/* READ/WRITE flags. */
#define DXG_WIRE_XFER_F_BULK	(1U << 0)	/* on an extra connection */
#define DXG_WIRE_XFER_F_ALL	DXG_WIRE_XFER_F_BULK

/**
 * struct dxg_wire_xfer - READ and WRITE request body (32 bytes)
 * @alloc: the allocation, locked for READ (for READ) or WRITE (for
 *	WRITE).
 * @offset: allocation offset of the first byte, inside the locked range.
 * @length: bytes, 1 or more, all inside the locked range; chunked, at
 *	most the agreed max_frame - DXG_WIRE_XFER_OVERHEAD.
 * @flags: DXG_WIRE_XFER_F_*.
 * @__reserved: 0.
 *
 * A chunked WRITE has exactly @length data bytes after this structure;
 * a chunked READ's reply is exactly @length bytes.
 */
struct dxg_wire_xfer {
	__le64 alloc;
	__le64 offset;
	__le64 length;
	__le32 flags;
	__le32 __reserved;
};

/**
 * struct dxg_wire_bulk - reply of a bulk READ or WRITE (32 bytes)
 * @token: the one-time token for hostlink ATTACH; the extra connection
 *	then carries the @length bytes and a struct dxg_wire_bulk_done.
 */
struct dxg_wire_bulk {
	__u8 token[HOSTLINK_TOKEN_LEN];
};

#define DXG_WIRE_BULK_DONE_MAGIC	0x454e4f44	/* "DONE" as LE bytes */

/**
 * struct dxg_wire_bulk_done - host to guest, the last bytes of a bulk
 *	transfer's extra connection (16 bytes)
 * @magic: DXG_WIRE_BULK_DONE_MAGIC.
 * @status: 0, or the errno (1 to 4095) that ended the transfer.
 * @length: bytes transferred: the request's length when @status is 0.
 */
struct dxg_wire_bulk_done {
	__le32 magic;
	__le32 status;
	__le64 length;
};

/**
 * struct dxg_wire_fence_value - a fence and a value (16 bytes)
 * @fence: the fence.
 * @value: the value.
 *
 * The wait and signal entries of SUBMIT, and FENCE_SIGNAL's request.
 */
struct dxg_wire_fence_value {
	__le64 fence;
	__le64 value;
};

/**
 * struct dxg_wire_submit - SUBMIT request body (24 bytes)
 * @context: the context whose queue takes the submission.
 * @cmd_bytes: bytes of the command buffer, a multiple of
 *	DXG_WIRE_CMD_ALIGN, at most DXG_WIRE_MAX_CMDBUF; 0 for a pure
 *	wait/signal submission.
 * @flags: 0.
 * @n_allocs: allocation ids that follow, at most
 *	DXG_WIRE_MAX_SUBMIT_ALLOCS.
 * @n_waits: wait entries, at most DXG_WIRE_MAX_SUBMIT_WAITS.
 * @n_signals: signal entries, at most DXG_WIRE_MAX_SUBMIT_SIGNALS.
 * @__reserved: 0.
 *
 * Followed, with nothing between, by @n_allocs struct dxg_wire_id (the
 * allocation list: commands name allocations by index into it), @n_waits
 * and then @n_signals struct dxg_wire_fence_value, and @cmd_bytes of
 * commands.  The payload length is exactly the sum.
 */
struct dxg_wire_submit {
	__le64 context;
	__le32 cmd_bytes;
	__le32 flags;
	__le16 n_allocs;
	__le16 n_waits;
	__le16 n_signals;
	__le16 __reserved;
};

/**
 * struct dxg_wire_submit_reply - SUBMIT reply (8 bytes)
 * @submit: the submission's number in its context: 1 for the first,
 *	then one more for each accepted submission.
 */
struct dxg_wire_submit_reply {
	__le64 submit;
};

/**
 * struct dxg_wire_fence_create - FENCE_CREATE request body (24 bytes)
 * @device: the device.
 * @value: the initial value.
 * @flags: 0.
 * @__reserved: 0.
 */
struct dxg_wire_fence_create {
	__le64 device;
	__le64 value;
	__le32 flags;
	__le32 __reserved;
};

/**
 * struct dxg_wire_ev_fence - FENCE event (32 bytes)
 * @process: the process owning the fence.
 * @fence: the fence.
 * @value: its new value, above every value sent for it before.
 * @error: 0, or the errno (1 to 4095) of a failed submission whose
 *	signal this event carries (the first one if several coalesced).
 * @__reserved: 0.
 */
struct dxg_wire_ev_fence {
	__le64 process;
	__le64 fence;
	__le64 value;
	__le32 error;
	__le32 __reserved;
};

/**
 * struct dxg_wire_ev_device - DEVICE event (48 bytes)
 * @process: the process owning the device.
 * @device: the device.
 * @state: what DEVICE_GET_STATE now returns: FAULTED or LOST.
 */
struct dxg_wire_ev_device {
	__le64 process;
	__le64 device;
	struct dxg_wire_device_state state;
};

/*
 * The command buffer: commands one after another, each a struct
 * dxg_wire_cmd_hdr and its body, each exactly the size of its opcode's
 * structure.  Allocations are indices into the SUBMIT's allocation
 * list.  A range (offset, length) in an allocation of size bytes is
 * valid when length <= size and offset <= size - length (never computed
 * as offset + length); element counts are checked as count <= (size -
 * offset) / 4 after offset <= size.  u32 and f32 elements are
 * little-endian in allocation memory.
 */
enum dxg_wire_cmd_op {
	DXG_WIRE_CMD_NOP = 1,		/* struct dxg_wire_cmd_hdr */
	DXG_WIRE_CMD_FILL = 2,		/* struct dxg_wire_cmd_fill */
	DXG_WIRE_CMD_COPY = 3,		/* struct dxg_wire_cmd_copy */
	DXG_WIRE_CMD_ADD = 4,		/* struct dxg_wire_cmd_arith */
	DXG_WIRE_CMD_MUL = 5,		/* struct dxg_wire_cmd_arith */
	DXG_WIRE_CMD_CRC32C = 6,	/* struct dxg_wire_cmd_crc32c */
	DXG_WIRE_CMD_DELAY = 7,		/* struct dxg_wire_cmd_delay */
	DXG_WIRE_CMD_TIMESTAMP = 8,	/* struct dxg_wire_cmd_timestamp */
};

/* Element types of ADD and MUL. */
#define DXG_WIRE_TYPE_U32	1	/* modulo 2^32 */
#define DXG_WIRE_TYPE_F32	2	/* IEEE 754 binary32, nearest even */

/**
 * struct dxg_wire_cmd_hdr - the header of every command (8 bytes)
 * @opcode: enum dxg_wire_cmd_op.
 * @flags: 0.
 * @size: bytes of the command, this header included: the size of the
 *	opcode's structure.
 */
struct dxg_wire_cmd_hdr {
	__le16 opcode;
	__le16 flags;
	__le32 size;
};

/**
 * struct dxg_wire_cmd_fill - FILL (32 bytes): repeat a 32-bit pattern
 * @hdr: opcode DXG_WIRE_CMD_FILL.
 * @alloc: the allocation, an index.
 * @pattern: the 4 bytes to repeat, little-endian (u32 or f32 bits).
 * @offset: first byte, a multiple of 4.
 * @length: bytes, a multiple of 4.
 */
struct dxg_wire_cmd_fill {
	struct dxg_wire_cmd_hdr hdr;
	__le32 alloc;
	__le32 pattern;
	__le64 offset;
	__le64 length;
};

/**
 * struct dxg_wire_cmd_copy - COPY (40 bytes): copy bytes, as memmove
 * @hdr: opcode DXG_WIRE_CMD_COPY.
 * @dst: destination allocation, an index.
 * @src: source allocation, an index (may be @dst; ranges may overlap).
 * @dst_offset: first destination byte.
 * @src_offset: first source byte.
 * @length: bytes.
 */
struct dxg_wire_cmd_copy {
	struct dxg_wire_cmd_hdr hdr;
	__le32 dst;
	__le32 src;
	__le64 dst_offset;
	__le64 src_offset;
	__le64 length;
};

/**
 * struct dxg_wire_cmd_arith - ADD and MUL (56 bytes):
 *	dst[i] = a[i] op b[i] for i below @count
 * @hdr: opcode DXG_WIRE_CMD_ADD or DXG_WIRE_CMD_MUL.
 * @type: DXG_WIRE_TYPE_*.
 * @dst: destination allocation, an index.
 * @a: first operand's allocation, an index.
 * @b: second operand's allocation, an index.
 * @dst_offset: first destination byte, a multiple of 4.
 * @a_offset: first byte of @a's elements, a multiple of 4.
 * @b_offset: first byte of @b's elements, a multiple of 4.
 * @count: elements (4 bytes each).
 *
 * The destination range is either the same as an operand's range or
 * disjoint from it.
 */
struct dxg_wire_cmd_arith {
	struct dxg_wire_cmd_hdr hdr;
	__le32 type;
	__le32 dst;
	__le32 a;
	__le32 b;
	__le64 dst_offset;
	__le64 a_offset;
	__le64 b_offset;
	__le64 count;
};

/**
 * struct dxg_wire_cmd_crc32c - CRC32C (40 bytes): checksum a range
 * @hdr: opcode DXG_WIRE_CMD_CRC32C.
 * @dst: allocation the 4-byte little-endian result goes to, an index.
 * @src: allocation checksummed, an index.
 * @dst_offset: where the result goes, a multiple of 4.
 * @src_offset: first byte checksummed.
 * @length: bytes checksummed (0 gives 0).
 *
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, initial value
 * and final xor 0xffffffff): "123456789" gives DXG_WIRE_CRC32C_CHECK.
 * The result range must not overlap the source range.
 */
struct dxg_wire_cmd_crc32c {
	struct dxg_wire_cmd_hdr hdr;
	__le32 dst;
	__le32 src;
	__le64 dst_offset;
	__le64 src_offset;
	__le64 length;
};

#define DXG_WIRE_CRC32C_CHECK	0xe3069283U

/**
 * struct dxg_wire_cmd_delay - DELAY (16 bytes): wait, busy
 * @hdr: opcode DXG_WIRE_CMD_DELAY.
 * @usec: microseconds, at most DXG_WIRE_MAX_DELAY_US.
 * @__reserved: 0.
 */
struct dxg_wire_cmd_delay {
	struct dxg_wire_cmd_hdr hdr;
	__le32 usec;
	__le32 __reserved;
};

/**
 * struct dxg_wire_cmd_timestamp - TIMESTAMP (24 bytes): write the
 *	adapter clock (QUERY CLOCK's ticks) as a little-endian 64-bit value
 * @hdr: opcode DXG_WIRE_CMD_TIMESTAMP.
 * @dst: the allocation, an index.
 * @__reserved: 0.
 * @dst_offset: where the 8 bytes go, a multiple of 8.
 */
struct dxg_wire_cmd_timestamp {
	struct dxg_wire_cmd_hdr hdr;
	__le32 dst;
	__le32 __reserved;
	__le64 dst_offset;
};

#endif /* _UAPI_LINUX_DXG_WIRE_H */
