/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dxg: the userspace API of /dev/dxg, a paravirtual GPU after WSL's
 * dxgkrnl, served by the GPU service of hostlinkd on the host.
 *
 * The object model: adapters (found by LUID), and through an open
 * adapter, devices; a device owns contexts (one ordered queue each),
 * allocations (memory on the host, reached by the CPU through
 * lock/unlock and mmap) and fences (monotonic 64-bit values).  Work is
 * submitted to a context as a command buffer in the format of
 * <linux/dxg_wire.h>, which the kernel passes on unread.
 *
 * Conventions, the same for every ioctl:
 *
 * - Every argument structure starts with __u32 size and __u32 flags.
 *   @size is sizeof() of the structure as the caller was built; the
 *   kernel accepts any size from the one in this first version of the
 *   header (the sizes are asserted by the contract test) up: a larger
 *   structure whose bytes beyond the kernel's are all zero works as the
 *   kernel's, one with a non-zero byte there fails with E2BIG, a
 *   smaller one with EINVAL.  Output fields are written only up to
 *   @size.  Fields are only ever added at the end.
 * - The ioctl number encodes this header's size of the structure, but
 *   the kernel dispatches on the type byte, the number and the
 *   direction only; @size says how long the structure is.
 * - Unknown @flags bits and non-zero __reserved fields fail with EINVAL.
 * - User pointers are __aligned_u64 fields named *_uptr, the same on
 *   32-bit and 64-bit callers; every field is naturally aligned and
 *   there is no implicit padding.
 * - Handles are __u64, private to the open file, never 0, and opaque:
 *   the kernel builds them from a slot and a generation counter, so a
 *   closed handle is never accepted again for another object.  A handle
 *   that is unknown, closed, of another open file or of the wrong kind
 *   fails with ENOENT.  They are never host ids.
 * - Deadlines are absolute CLOCK_MONOTONIC nanoseconds.
 *
 * Documentation/dxg-uapi.rst is the prose: how a program uses the
 * device, fork and fd passing, mmap, poll, and every error.
 */
#ifndef _UAPI_LINUX_DXG_H
#define _UAPI_LINUX_DXG_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl type byte; numbers 0x00-0x3f are dxg's. */
#define DXG_IOCTL_BASE		'J'

/* The version of this interface, DXG_CAPS_GET's out_uapi_version. */
#define DXG_UAPI_VERSION	1

/*
 * Limits of version 1.  DXG_CAPS_GET reports those in force, which may
 * be lower (a host with smaller limits, a module parameter).
 */
#define DXG_NAME_LEN			64	/* adapter name, NUL included */
#define DXG_MAX_ADAPTERS		16	/* listed by DXG_ADAPTER_ENUM */
#define DXG_MAX_CMD_SIZE		65536	/* command buffer bytes */
#define DXG_CMD_ALIGN			8	/* command buffer size */
#define DXG_MAX_SUBMIT_ALLOCS		256	/* allocation list of a submit */
#define DXG_MAX_SUBMIT_WAITS		32	/* wait list of a submit */
#define DXG_MAX_SUBMIT_SIGNALS		32	/* signal list of a submit */
#define DXG_MAX_WAIT_FENCES		64	/* fences of one DXG_FENCE_WAIT */
#define DXG_MAX_SIGNAL_FENCES		64	/* fences of one DXG_FENCE_SIGNAL */
#define DXG_MAX_ALLOC_SIZE		(1ULL << 32)	/* bytes */

/* The mmap offset of the fence page; lock offsets are above it. */
#define DXG_MMAP_FENCE_OFFSET		0

/* DXG_CAPS_GET out_features. */
#define DXG_FEAT_SYNC_FILE	(1ULL << 0)	/* DXG_FENCE_EXPORT_SYNC_FILE */
#define DXG_FEAT_FENCE_PAGE	(1ULL << 1)	/* fence values at mmap offset 0 */
#define DXG_FEAT_HOST_BULK	(1ULL << 2)	/* big lock transfers take a stream */

/**
 * struct dxg_caps_get - ioctl(DXG_CAPS_GET): versions, features, limits
 * @size: (in) sizeof(struct dxg_caps_get).
 * @flags: (in) 0.
 * @out_uapi_version: (out) DXG_UAPI_VERSION of the driver.
 * @out_host_version: (out) the dxg wire protocol version agreed with
 *	the host; 0 while there is no host.
 * @out_features: (out) DXG_FEAT_* in force; DXG_FEAT_HOST_BULK only
 *	while a host that offers it is connected.
 * @out_max_adapters: (out) adapters DXG_ADAPTER_ENUM lists at most.
 * @out_max_handles: (out) handles one open file may hold.
 * @out_max_fences: (out) fences one open file may hold: the slots of
 *	its fence page.
 * @out_fence_map_size: (out) bytes to mmap at DXG_MMAP_FENCE_OFFSET, a
 *	multiple of the page size, at least 8 * @out_max_fences.
 * @out_max_cmd_size: (out) command buffer bytes of one submission.
 * @out_max_submit_allocs: (out) allocation list entries of one submission.
 * @out_max_submit_waits: (out) wait list entries of one submission.
 * @out_max_submit_signals: (out) signal list entries of one submission.
 * @out_max_wait_fences: (out) fences of one DXG_FENCE_WAIT.
 * @out_max_signal_fences: (out) fences of one DXG_FENCE_SIGNAL.
 * @out_max_alloc_size: (out) bytes of one allocation.
 * @out_max_lock_size: (out) bytes of one locked range (the guest
 *	memory a lock costs while held).
 *
 * Works without a host, and on a file with no handles.
 *
 * Errors: EINVAL (@size too small, @flags), E2BIG, EFAULT.
 */
struct dxg_caps_get {
	__u32 size;
	__u32 flags;
	__u32 out_uapi_version;
	__u32 out_host_version;
	__aligned_u64 out_features;
	__u32 out_max_adapters;
	__u32 out_max_handles;
	__u32 out_max_fences;
	__u32 out_fence_map_size;
	__u32 out_max_cmd_size;
	__u32 out_max_submit_allocs;
	__u32 out_max_submit_waits;
	__u32 out_max_submit_signals;
	__u32 out_max_wait_fences;
	__u32 out_max_signal_fences;
	__aligned_u64 out_max_alloc_size;
	__aligned_u64 out_max_lock_size;
};

/**
 * struct dxg_luid - an adapter's locally unique id
 * @low: low 32 bits.
 * @high: high 32 bits.
 *
 * Stable while the host's GPU service runs; after the host returns from
 * a loss, the same GPU may come back with the same LUID as a new
 * adapter instance.
 */
struct dxg_luid {
	__u32 low;
	__u32 high;
};

/* struct dxg_adapter_info flags; the same values as the wire's. */
#define DXG_ADAPTER_F_COMPUTE_ONLY	(1U << 0)	/* no display or render */
#define DXG_ADAPTER_F_SOFTWARE		(1U << 1)	/* a CPU backend */
#define DXG_ADAPTER_F_F32_FTZ		(1U << 2)	/* f32 subnormals -> 0 */

/* struct dxg_adapter_info state. */
#define DXG_ADAPTER_ACTIVE	1
#define DXG_ADAPTER_LOST	2	/* the host went away; see poll */

/**
 * struct dxg_adapter_info - one entry of DXG_ADAPTER_ENUM
 * @luid: the adapter's LUID.
 * @instance: the guest's number for this appearance of the adapter: not
 *	0, new each time an adapter appears (a host reconnecting brings
 *	new instances), never reused while the module is loaded.
 * @flags: DXG_ADAPTER_F_*; unknown bits may appear and are to be
 *	ignored.
 * @state: DXG_ADAPTER_ACTIVE or DXG_ADAPTER_LOST.
 * @vendor_id: PCI vendor id of the host GPU; 0 for none.
 * @device_id: PCI device id of the host GPU; 0 for none.
 * @dedicated_memory: bytes of adapter memory.
 * @shared_memory: bytes of host system memory the adapter may use.
 * @name: UTF-8, NUL-terminated and NUL-padded.
 */
struct dxg_adapter_info {
	struct dxg_luid luid;
	__u32 instance;
	__u32 flags;
	__u32 state;
	__u16 vendor_id;
	__u16 device_id;
	__aligned_u64 dedicated_memory;
	__aligned_u64 shared_memory;
	char name[DXG_NAME_LEN];
};

/**
 * struct dxg_adapter_enum - ioctl(DXG_ADAPTER_ENUM): list the adapters
 * @size: (in) sizeof(struct dxg_adapter_enum).
 * @flags: (in) 0.
 * @adapters_uptr: (in) array of @count entries of @entry_size bytes,
 *	or 0 with @count 0 to only count.
 * @count: (in) entries at @adapters_uptr; (out) entries written.
 * @entry_size: (in) sizeof(struct dxg_adapter_info) as the caller was
 *	built, a multiple of 8, at least this header's; the kernel writes
 *	that many bytes per entry, zero beyond its own structure.
 * @out_total: (out) adapters there are; more than @count means the
 *	array was too short (not an error: call again with a larger one).
 * @__reserved: 0.
 *
 * Lists the adapters of the current host connection, then, until the
 * host returns, those of the lost one as DXG_ADAPTER_LOST.  Needs no
 * open adapter and no host (then @out_total is 0).  Clears the file's
 * EPOLLIN (see poll in Documentation/dxg-uapi.rst).
 *
 * Errors: EINVAL (@size, @flags, @entry_size, @__reserved, @count with
 * no array), E2BIG, EFAULT.
 */
struct dxg_adapter_enum {
	__u32 size;
	__u32 flags;
	__aligned_u64 adapters_uptr;
	__u32 count;
	__u32 entry_size;
	__u32 out_total;
	__u32 __reserved;
};

/**
 * struct dxg_adapter_open - ioctl(DXG_ADAPTER_OPEN): open an adapter
 * @size: (in) sizeof(struct dxg_adapter_open).
 * @flags: (in) 0.
 * @luid: (in) the adapter's LUID.
 * @instance: (in) the instance to open, or 0 for the current one of
 *	that LUID.
 * @__reserved: 0.
 * @out_adapter: (out) the adapter handle.
 *
 * A file may open an adapter more than once; every handle has objects
 * of its own and is closed on its own.
 *
 * Errors: ENOENT (no adapter with this LUID), ENODEV (it is lost, or
 * @instance is not its current instance), ENOSPC (the file holds
 * out_max_handles handles), ENOMEM, EAGAIN (the host is out of
 * objects or busy), EPROTO (the host broke the protocol), EINTR,
 * EINVAL, E2BIG, EFAULT.
 */
struct dxg_adapter_open {
	__u32 size;
	__u32 flags;
	struct dxg_luid luid;
	__u32 instance;
	__u32 __reserved;
	__aligned_u64 out_adapter;
};

/**
 * struct dxg_adapter_close - ioctl(DXG_ADAPTER_CLOSE): close a handle
 * @size: (in) sizeof(struct dxg_adapter_close).
 * @flags: (in) 0.
 * @adapter: (in) the adapter handle.
 *
 * Destroys every object created through the handle, as their destroy
 * ioctls would, then the handle.  Works on a lost adapter (and is the
 * way to let go of one).
 *
 * Errors: ENOENT, EINVAL, E2BIG, EFAULT.
 */
struct dxg_adapter_close {
	__u32 size;
	__u32 flags;
	__aligned_u64 adapter;
};

/* DXG_ADAPTER_QUERY types; the same values as the wire's. */
#define DXG_QUERY_MEMORY	1	/* struct dxg_query_memory */
#define DXG_QUERY_CLOCK		2	/* struct dxg_query_clock */
#define DXG_QUERY_STATS		3	/* struct dxg_query_stats */

/**
 * struct dxg_adapter_query - ioctl(DXG_ADAPTER_QUERY): typed query
 * @size: (in) sizeof(struct dxg_adapter_query).
 * @flags: (in) 0.
 * @adapter: (in) the adapter handle.
 * @type: (in) DXG_QUERY_*.
 * @data_size: (in) bytes at @data_uptr: sizeof() of the type's
 *	structure as the caller was built, a multiple of 8, at least this
 *	header's.
 * @data_uptr: (in) where the answer goes; the kernel writes @data_size
 *	bytes, zero beyond its own structure.
 * @out_data_size: (out) the kernel's size of the type's structure.
 * @__reserved: 0.
 *
 * Errors: ENOENT, EINVAL (unknown @type, @data_size too small), ENODEV
 * (CLOCK on a lost adapter; MEMORY and STATS answer from the last
 * values the guest has), EAGAIN, EPROTO, EINTR, E2BIG, EFAULT.
 */
struct dxg_adapter_query {
	__u32 size;
	__u32 flags;
	__aligned_u64 adapter;
	__u32 type;
	__u32 data_size;
	__aligned_u64 data_uptr;
	__u32 out_data_size;
	__u32 __reserved;
};

/**
 * struct dxg_query_memory - DXG_QUERY_MEMORY answer: budget and usage
 * @budget: bytes of allocations this guest may have on the adapter.
 * @usage: bytes this guest's allocations take on it, destroyed ones
 *	that queued work still uses included.
 * @file_usage: the part of @usage that is this file's, through the
 *	queried handle.
 * @__reserved: 0.
 */
struct dxg_query_memory {
	__aligned_u64 budget;
	__aligned_u64 usage;
	__aligned_u64 file_usage;
	__aligned_u64 __reserved;
};

/**
 * struct dxg_query_clock - DXG_QUERY_CLOCK answer: clock calibration
 * @gpu_ticks: the adapter's clock (the one the TIMESTAMP command
 *	writes), read by the host.
 * @frequency: ticks of that clock per second, not 0.
 * @monotonic_ns: the guest's CLOCK_MONOTONIC at the same instant: the
 *	middle of the round trip to the host.
 * @uncertainty_ns: half that round trip: the instant is within
 *	@monotonic_ns +- @uncertainty_ns.
 */
struct dxg_query_clock {
	__aligned_u64 gpu_ticks;
	__aligned_u64 frequency;
	__aligned_u64 monotonic_ns;
	__aligned_u64 uncertainty_ns;
};

/**
 * struct dxg_query_stats - DXG_QUERY_STATS answer: counters
 * @file_objects: objects this file has through the handle: devices,
 *	contexts, allocations and fences.
 * @file_alloc_bytes: bytes of its allocations.
 * @file_submits: its submissions accepted by the host.
 * @file_bytes_read: bytes it read from the host through locks.
 * @file_bytes_written: bytes it wrote to the host through locks.
 * @adapter_submits: this guest's submissions to the adapter accepted
 *	since the host connection came up (all its files and handles).
 * @adapter_retired: of them, retired, failed ones included.
 * @adapter_failed: of them, failed.
 * @adapter_commands: commands executed.
 * @adapter_busy_ns: time the adapter spent executing this guest's work.
 * @adapter_bytes_read: bytes the host sent this guest through locks.
 * @adapter_bytes_written: bytes the host received through locks.
 * @adapter_events_coalesced: fence signals the host merged into later
 *	ones under back-pressure.
 * @__reserved: 0.
 */
struct dxg_query_stats {
	__aligned_u64 file_objects;
	__aligned_u64 file_alloc_bytes;
	__aligned_u64 file_submits;
	__aligned_u64 file_bytes_read;
	__aligned_u64 file_bytes_written;
	__aligned_u64 adapter_submits;
	__aligned_u64 adapter_retired;
	__aligned_u64 adapter_failed;
	__aligned_u64 adapter_commands;
	__aligned_u64 adapter_busy_ns;
	__aligned_u64 adapter_bytes_read;
	__aligned_u64 adapter_bytes_written;
	__aligned_u64 adapter_events_coalesced;
	__aligned_u64 __reserved;
};

/**
 * struct dxg_device_create - ioctl(DXG_DEVICE_CREATE)
 * @size: (in) sizeof(struct dxg_device_create).
 * @flags: (in) 0.
 * @adapter: (in) the adapter handle.
 * @out_device: (out) the device handle.
 *
 * Errors: ENOENT, ENODEV (the adapter is lost), ENOSPC (handles),
 * ENOMEM, EAGAIN, EPROTO, EINTR, EINVAL, E2BIG, EFAULT.
 */
struct dxg_device_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 adapter;
	__aligned_u64 out_device;
};

/**
 * struct dxg_device_destroy - ioctl(DXG_DEVICE_DESTROY)
 * @size: (in) sizeof(struct dxg_device_destroy).
 * @flags: (in) 0.
 * @device: (in) the device handle.
 *
 * Destroys the device's contexts, then its allocations and fences, as
 * their own destroy ioctls would.  Returns at once; the host frees
 * what queued work still uses when that work retires.
 *
 * Errors: ENOENT, EINVAL, E2BIG, EFAULT.
 */
struct dxg_device_destroy {
	__u32 size;
	__u32 flags;
	__aligned_u64 device;
};

/* DXG_DEVICE_GET_STATE out_state; the same values as the wire's. */
#define DXG_DEVICE_ACTIVE	1
#define DXG_DEVICE_FAULTED	2	/* a submission failed executing */
#define DXG_DEVICE_LOST		3	/* the host lost the GPU, or went away */

/* out_cmd_offset when no command failed. */
#define DXG_NO_CMD		0xffffffffU

/**
 * struct dxg_device_get_state - ioctl(DXG_DEVICE_GET_STATE)
 * @size: (in) sizeof(struct dxg_device_get_state).
 * @flags: (in) 0.
 * @device: (in) the device handle.
 * @out_state: (out) DXG_DEVICE_*.
 * @out_error: (out) 0 when ACTIVE; else the positive errno of the fault
 *	(EIO a backend error, ETIMEDOUT the host's watchdog) or loss
 *	(ENODEV or the backend's reason).
 * @out_context: (out) FAULTED: the handle of the failed submission's
 *	context, or 0 if it was destroyed since; else 0.
 * @out_submit: (out) FAULTED: that submission's out_submit; else 0.
 * @out_cmd_offset: (out) FAULTED: byte offset in its command buffer of
 *	the command that failed, or DXG_NO_CMD if no command did (a
 *	watchdog, a backend error between commands); else DXG_NO_CMD.
 * @out_opcode: (out) that command's opcode (enum dxg_wire_cmd_op);
 *	else 0.
 * @__reserved: 0.
 *
 * The first fault is kept: a faulted device never becomes ACTIVE again,
 * and only LOST replaces its record.  A device whose adapter is lost is
 * LOST, and this still answers.
 *
 * Errors: ENOENT, EAGAIN, EPROTO, EINTR, EINVAL, E2BIG, EFAULT.
 */
struct dxg_device_get_state {
	__u32 size;
	__u32 flags;
	__aligned_u64 device;
	__u32 out_state;
	__u32 out_error;
	__aligned_u64 out_context;
	__aligned_u64 out_submit;
	__u32 out_cmd_offset;
	__u16 out_opcode;
	__u16 __reserved;
};

/**
 * struct dxg_context_create - ioctl(DXG_CONTEXT_CREATE): a new queue
 * @size: (in) sizeof(struct dxg_context_create).
 * @flags: (in) 0.
 * @device: (in) the device handle.
 * @out_context: (out) the context handle.
 *
 * A context is one ordered queue: its submissions run one after the
 * other, in the order they were accepted.
 *
 * Errors: ENOENT, EIO (the device is faulted), ENODEV (lost), ENOSPC,
 * ENOMEM, EAGAIN, EPROTO, EINTR, EINVAL, E2BIG, EFAULT.
 */
struct dxg_context_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 device;
	__aligned_u64 out_context;
};

/**
 * struct dxg_context_destroy - ioctl(DXG_CONTEXT_DESTROY)
 * @size: (in) sizeof(struct dxg_context_destroy).
 * @flags: (in) 0.
 * @context: (in) the context handle.
 *
 * Queued submissions that have not started are cancelled (their signals
 * are applied, with ECANCELED); a running one stops after its current
 * command.  Returns at once.
 *
 * Errors: ENOENT, EINVAL, E2BIG, EFAULT.
 */
struct dxg_context_destroy {
	__u32 size;
	__u32 flags;
	__aligned_u64 context;
};

/**
 * struct dxg_alloc_create - ioctl(DXG_ALLOC_CREATE): memory on the host
 * @size: (in) sizeof(struct dxg_alloc_create).
 * @flags: (in) 0.
 * @device: (in) the device handle.
 * @length: (in) bytes, 1 to out_max_alloc_size; they read as zero.
 * @out_alloc: (out) the allocation handle.
 *
 * Errors: ENOENT, EIO, ENODEV, ENOMEM (over the budget, or the host has
 * no memory), ENOSPC, EAGAIN, EPROTO, EINTR, EINVAL, E2BIG, EFAULT.
 */
struct dxg_alloc_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 device;
	__aligned_u64 length;
	__aligned_u64 out_alloc;
};

/**
 * struct dxg_alloc_destroy - ioctl(DXG_ALLOC_DESTROY)
 * @size: (in) sizeof(struct dxg_alloc_destroy).
 * @flags: (in) 0.
 * @alloc: (in) the allocation handle.
 *
 * Ends a lock on it as DXG_ALLOC_UNLOCK would, without writing back.
 * Returns at once; the host keeps the memory while queued work uses it.
 *
 * Errors: ENOENT, EINVAL, E2BIG, EFAULT.
 */
struct dxg_alloc_destroy {
	__u32 size;
	__u32 flags;
	__aligned_u64 alloc;
};

/* DXG_ALLOC_LOCK flags. */
#define DXG_LOCK_READ		(1U << 0)	/* the range's bytes are fetched */
#define DXG_LOCK_WRITE		(1U << 1)	/* written back at unlock */
#define DXG_LOCK_DISCARD	(1U << 2)	/* with WRITE: old bytes not kept */
#define DXG_LOCK_NOWAIT		(1U << 3)	/* EBUSY instead of waiting */

/**
 * struct dxg_alloc_lock - ioctl(DXG_ALLOC_LOCK): CPU access to a range
 * @size: (in) sizeof(struct dxg_alloc_lock).
 * @flags: (in) DXG_LOCK_*: READ, WRITE, READ | WRITE or WRITE | DISCARD,
 *	each with NOWAIT or not.
 * @alloc: (in) the allocation handle.
 * @offset: (in) first byte of the range.
 * @length: (in) bytes, 1 to out_max_lock_size, with @length <= the
 *	allocation's size and @offset <= size - @length.
 * @out_mmap_offset: (out) the offset to mmap the range at: page-aligned,
 *	above the fence page, never the same for two locks of the file.
 *
 * Waits, interruptibly, until every submission accepted before that
 * names the allocation has retired (NOWAIT: EBUSY if one has not), then
 * gives the range a buffer in guest memory.  It holds the range's
 * bytes, fetched from the host, except with WRITE | DISCARD (zeros);
 * so with WRITE alone the bytes a program does not write go back
 * unchanged at unlock.
 * mmap(NULL, @length, prot, MAP_SHARED, fd, @out_mmap_offset) shows it,
 * byte @offset of the allocation first; PROT_WRITE needs WRITE.  While
 * the lock is held no submission may name the allocation (EBUSY).  One
 * lock per allocation at a time.
 *
 * Errors: ENOENT, EINVAL (@flags combination, empty or outside range),
 * EBUSY (already locked; NOWAIT and busy), ENODEV (the device is lost;
 * a faulted device can still be locked), ENOMEM (no guest memory for
 * the buffer), EAGAIN, EIO (the transfer failed), EPROTO, EINTR,
 * E2BIG, EFAULT.
 */
struct dxg_alloc_lock {
	__u32 size;
	__u32 flags;
	__aligned_u64 alloc;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 out_mmap_offset;
};

/**
 * struct dxg_alloc_unlock - ioctl(DXG_ALLOC_UNLOCK): end a lock
 * @size: (in) sizeof(struct dxg_alloc_unlock).
 * @flags: (in) 0.
 * @alloc: (in) the allocation handle.
 *
 * With WRITE, sends the buffer's bytes to the host first and returns
 * when the host has them all.  Then removes every mapping of the lock
 * (in every process: an access after it is SIGBUS) and frees the
 * buffer.  The lock ends even when the write-back fails.
 *
 * Errors: ENOENT, EINVAL (not locked), ENODEV (lost before the bytes
 * were written), EIO (the write-back failed), EPROTO, E2BIG, EFAULT.
 */
struct dxg_alloc_unlock {
	__u32 size;
	__u32 flags;
	__aligned_u64 alloc;
};

/**
 * struct dxg_fence_value - a fence and a value
 * @fence: the fence handle.
 * @value: the value.
 */
struct dxg_fence_value {
	__aligned_u64 fence;
	__aligned_u64 value;
};

/**
 * struct dxg_context_submit - ioctl(DXG_CONTEXT_SUBMIT): queue work
 * @size: (in) sizeof(struct dxg_context_submit).
 * @flags: (in) 0.
 * @context: (in) the context handle.
 * @cmd_uptr: (in) the command buffer (format: <linux/dxg_wire.h>).
 * @cmd_size: (in) its bytes, a multiple of DXG_CMD_ALIGN, at most
 *	out_max_cmd_size; 0 for a pure wait/signal submission.
 * @n_allocs: (in) entries at @allocs_uptr, at most out_max_submit_allocs.
 * @allocs_uptr: (in) __u64 allocation handles, distinct, of the
 *	context's device: commands name allocations by index in this list.
 * @waits_uptr: (in) struct dxg_fence_value entries: the submission
 *	starts once every fence is at or above its value.
 * @signals_uptr: (in) struct dxg_fence_value entries: applied in order
 *	once its commands are done (a fence becomes the larger of its
 *	value and the signalled one).
 * @n_waits: (in) entries at @waits_uptr, at most out_max_submit_waits.
 * @n_signals: (in) entries at @signals_uptr, at most
 *	out_max_submit_signals.
 * @out_submit: (out) the submission's number in its context: 1 for
 *	the first, one more for each accepted one.
 *
 * The kernel checks the lists and the buffer's size; the host checks
 * the commands, and either accepts the whole submission or nothing (no
 * fence is then waited for or signalled).  An accepted submission that
 * fails still applies its signals, so nobody waits for ever.
 *
 * Errors: ENOENT (a handle), EINVAL (sizes, counts, an allocation listed
 * twice or of another device, a bad command), EBUSY (a listed allocation
 * is locked), EIO (the device is faulted), ENODEV (lost), EAGAIN (the
 * context's queue is full), ENOMEM, EPROTO, EINTR, E2BIG, EFAULT.
 */
struct dxg_context_submit {
	__u32 size;
	__u32 flags;
	__aligned_u64 context;
	__aligned_u64 cmd_uptr;
	__u32 cmd_size;
	__u32 n_allocs;
	__aligned_u64 allocs_uptr;
	__aligned_u64 waits_uptr;
	__aligned_u64 signals_uptr;
	__u32 n_waits;
	__u32 n_signals;
	__aligned_u64 out_submit;
};

/**
 * struct dxg_fence_create - ioctl(DXG_FENCE_CREATE): a monotonic fence
 * @size: (in) sizeof(struct dxg_fence_create).
 * @flags: (in) 0.
 * @device: (in) the device handle.
 * @initial_value: (in) the fence's first value.
 * @out_fence: (out) the fence handle.
 * @out_slot: (out) the fence's slot in the fence page: its value, as
 *	the guest last saw it, is the __u64 at byte 8 * @out_slot.
 * @__reserved: 0.
 *
 * Errors: ENOENT, EIO, ENODEV, ENOSPC (handles or fence slots), ENOMEM,
 * EAGAIN, EPROTO, EINTR, EINVAL, E2BIG, EFAULT.
 */
struct dxg_fence_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 device;
	__aligned_u64 initial_value;
	__aligned_u64 out_fence;
	__u32 out_slot;
	__u32 __reserved;
};

/**
 * struct dxg_fence_destroy - ioctl(DXG_FENCE_DESTROY)
 * @size: (in) sizeof(struct dxg_fence_destroy).
 * @flags: (in) 0.
 * @fence: (in) the fence handle.
 *
 * Waiters on the fence in DXG_FENCE_WAIT fail with ENOENT; sync_file
 * fds exported from it signal with ECANCELED unless reached already.
 * Its slot reads 0 until it is given to another fence.
 *
 * Errors: ENOENT, EINVAL, E2BIG, EFAULT.
 */
struct dxg_fence_destroy {
	__u32 size;
	__u32 flags;
	__aligned_u64 fence;
};

/**
 * struct dxg_fence_signal - ioctl(DXG_FENCE_SIGNAL): signal from the CPU
 * @size: (in) sizeof(struct dxg_fence_signal).
 * @flags: (in) 0.
 * @fences_uptr: (in) struct dxg_fence_value entries, applied in order;
 *	each fence becomes the larger of its value and the entry's.
 * @count: (in) entries, 1 to out_max_signal_fences.
 * @out_done: (out) entries applied: @count on success, fewer when an
 *	error stopped it after the handles were checked.
 *
 * Every handle is checked before any entry is applied.
 *
 * Errors: ENOENT, EINVAL, ENODEV, EAGAIN, EPROTO, EINTR, E2BIG, EFAULT.
 */
struct dxg_fence_signal {
	__u32 size;
	__u32 flags;
	__aligned_u64 fences_uptr;
	__u32 count;
	__u32 out_done;
};

/* DXG_FENCE_WAIT flags. */
#define DXG_WAIT_ALL		(1U << 0)	/* every fence, not any one */

/* DXG_FENCE_WAIT deadline_ns: no deadline. */
#define DXG_WAIT_FOREVER	(~0ULL)

/**
 * struct dxg_fence_wait - ioctl(DXG_FENCE_WAIT): wait on the CPU
 * @size: (in) sizeof(struct dxg_fence_wait).
 * @flags: (in) DXG_WAIT_*: with DXG_WAIT_ALL until every fence has
 *	reached its value, else until one has.
 * @fences_uptr: (in) struct dxg_fence_value entries.
 * @count: (in) entries, 1 to out_max_wait_fences (DXG_MAX_WAIT_FENCES).
 * @out_index: (out) on success without DXG_WAIT_ALL, the index of the
 *	first entry found reached; with it, @count.
 * @deadline_ns: (in) absolute CLOCK_MONOTONIC time to give up at; 0 (or
 *	any time past) only looks, DXG_WAIT_FOREVER waits without one.
 *
 * Waits in the guest, interruptibly, on the fence values the host
 * reports; a fence is reached when its value is at or above the
 * entry's, whether the signal came from a failed submission or not
 * (DXG_DEVICE_GET_STATE tells).  Interrupted by a signal it returns
 * EINTR, or is restarted with the same deadline (SA_RESTART).
 *
 * Errors: ETIMEDOUT (the deadline passed), EINTR, ENOENT (a handle, or
 * the fence was destroyed while waited on), ENODEV (a fence's device was
 * lost before it was reached), EINVAL, E2BIG, EFAULT.
 */
struct dxg_fence_wait {
	__u32 size;
	__u32 flags;
	__aligned_u64 fences_uptr;
	__u32 count;
	__u32 out_index;
	__aligned_u64 deadline_ns;
};

/**
 * struct dxg_fence_export_sync_file - ioctl(DXG_FENCE_EXPORT_SYNC_FILE)
 * @size: (in) sizeof(struct dxg_fence_export_sync_file).
 * @flags: (in) 0.
 * @fence: (in) the fence handle.
 * @value: (in) the value the sync_file waits for.
 * @out_fd: (out) a sync_file fd, O_CLOEXEC: it signals when the fence
 *	reaches @value (with an error if the signal came from a failed
 *	submission, ENODEV if the device is lost, ECANCELED if the fence
 *	is destroyed first).  It lives on its own, after this file closes.
 * @__reserved: 0.
 *
 * Errors: ENOENT, EMFILE, ENOMEM, EOPNOTSUPP (no DXG_FEAT_SYNC_FILE),
 * EINVAL, E2BIG, EFAULT.
 */
struct dxg_fence_export_sync_file {
	__u32 size;
	__u32 flags;
	__aligned_u64 fence;
	__aligned_u64 value;
	__s32 out_fd;
	__u32 __reserved;
};

/* The ioctl numbers: _IOC_NR of each ioctl. */
enum dxg_ioctl_nr {
	DXG_NR_CAPS_GET = 0x00,
	DXG_NR_ADAPTER_ENUM = 0x01,
	DXG_NR_ADAPTER_OPEN = 0x02,
	DXG_NR_ADAPTER_CLOSE = 0x03,
	DXG_NR_ADAPTER_QUERY = 0x04,
	DXG_NR_DEVICE_CREATE = 0x05,
	DXG_NR_DEVICE_DESTROY = 0x06,
	DXG_NR_DEVICE_GET_STATE = 0x07,
	DXG_NR_CONTEXT_CREATE = 0x08,
	DXG_NR_CONTEXT_DESTROY = 0x09,
	DXG_NR_ALLOC_CREATE = 0x0a,
	DXG_NR_ALLOC_DESTROY = 0x0b,
	DXG_NR_ALLOC_LOCK = 0x0c,
	DXG_NR_ALLOC_UNLOCK = 0x0d,
	DXG_NR_CONTEXT_SUBMIT = 0x0e,
	DXG_NR_FENCE_CREATE = 0x0f,
	DXG_NR_FENCE_DESTROY = 0x10,
	DXG_NR_FENCE_SIGNAL = 0x11,
	DXG_NR_FENCE_WAIT = 0x12,
	DXG_NR_FENCE_EXPORT_SYNC_FILE = 0x13,
	DXG_NR_COUNT
};

#define DXG_CAPS_GET		_IOWR(DXG_IOCTL_BASE, DXG_NR_CAPS_GET, \
				      struct dxg_caps_get)
#define DXG_ADAPTER_ENUM	_IOWR(DXG_IOCTL_BASE, DXG_NR_ADAPTER_ENUM, \
				      struct dxg_adapter_enum)
#define DXG_ADAPTER_OPEN	_IOWR(DXG_IOCTL_BASE, DXG_NR_ADAPTER_OPEN, \
				      struct dxg_adapter_open)
#define DXG_ADAPTER_CLOSE	_IOW(DXG_IOCTL_BASE, DXG_NR_ADAPTER_CLOSE, \
				     struct dxg_adapter_close)
#define DXG_ADAPTER_QUERY	_IOWR(DXG_IOCTL_BASE, DXG_NR_ADAPTER_QUERY, \
				      struct dxg_adapter_query)
#define DXG_DEVICE_CREATE	_IOWR(DXG_IOCTL_BASE, DXG_NR_DEVICE_CREATE, \
				      struct dxg_device_create)
#define DXG_DEVICE_DESTROY	_IOW(DXG_IOCTL_BASE, DXG_NR_DEVICE_DESTROY, \
				     struct dxg_device_destroy)
#define DXG_DEVICE_GET_STATE	_IOWR(DXG_IOCTL_BASE, DXG_NR_DEVICE_GET_STATE, \
				      struct dxg_device_get_state)
#define DXG_CONTEXT_CREATE	_IOWR(DXG_IOCTL_BASE, DXG_NR_CONTEXT_CREATE, \
				      struct dxg_context_create)
#define DXG_CONTEXT_DESTROY	_IOW(DXG_IOCTL_BASE, DXG_NR_CONTEXT_DESTROY, \
				     struct dxg_context_destroy)
#define DXG_ALLOC_CREATE	_IOWR(DXG_IOCTL_BASE, DXG_NR_ALLOC_CREATE, \
				      struct dxg_alloc_create)
#define DXG_ALLOC_DESTROY	_IOW(DXG_IOCTL_BASE, DXG_NR_ALLOC_DESTROY, \
				     struct dxg_alloc_destroy)
#define DXG_ALLOC_LOCK		_IOWR(DXG_IOCTL_BASE, DXG_NR_ALLOC_LOCK, \
				      struct dxg_alloc_lock)
#define DXG_ALLOC_UNLOCK	_IOW(DXG_IOCTL_BASE, DXG_NR_ALLOC_UNLOCK, \
				     struct dxg_alloc_unlock)
#define DXG_CONTEXT_SUBMIT	_IOWR(DXG_IOCTL_BASE, DXG_NR_CONTEXT_SUBMIT, \
				      struct dxg_context_submit)
#define DXG_FENCE_CREATE	_IOWR(DXG_IOCTL_BASE, DXG_NR_FENCE_CREATE, \
				      struct dxg_fence_create)
#define DXG_FENCE_DESTROY	_IOW(DXG_IOCTL_BASE, DXG_NR_FENCE_DESTROY, \
				     struct dxg_fence_destroy)
#define DXG_FENCE_SIGNAL	_IOWR(DXG_IOCTL_BASE, DXG_NR_FENCE_SIGNAL, \
				      struct dxg_fence_signal)
#define DXG_FENCE_WAIT		_IOWR(DXG_IOCTL_BASE, DXG_NR_FENCE_WAIT, \
				      struct dxg_fence_wait)
#define DXG_FENCE_EXPORT_SYNC_FILE \
	_IOWR(DXG_IOCTL_BASE, DXG_NR_FENCE_EXPORT_SYNC_FILE, \
	      struct dxg_fence_export_sync_file)

#endif /* _UAPI_LINUX_DXG_H */
