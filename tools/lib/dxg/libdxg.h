/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdxg: the client library of /dev/dxg, the paravirtual GPU of
 * hostlink (Documentation/dxg-uapi.rst is the device's contract).
 *
 * Conventions, the same for every function:
 *
 * - A call that can fail returns 0 or a negative errno: the driver's
 *   errno for a failed ioctl (the list is in <linux/dxg.h>), or one of
 *   the library's own, named on each function.  It never sets errno on
 *   purpose and never prints.  Results go through out-parameters, which
 *   are left alone on failure.
 * - Arguments the library can check without the kernel (NULL pointers,
 *   unknown flags, counts without arrays) fail with -EINVAL before any
 *   system call.
 * - A struct dxg holds an open file and nothing that changes after the
 *   open, except the fence page mapping, which is set up once under a
 *   lock of its own: every call may be made on one struct dxg from
 *   several threads at once.  Objects (handles) belong to the open file
 *   and so are shared by those threads; the library keeps no global
 *   state.  Every file descriptor it makes is O_CLOEXEC.
 * - Handles are the driver's __u64 handles, never 0.
 * - Deadlines are absolute CLOCK_MONOTONIC nanoseconds.
 */
#ifndef LIBDXG_H
#define LIBDXG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/dxg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The device node dxg_open() opens. */
#define DXG_DEVICE_PATH "/dev/dxg"

struct dxg;

/**
 * dxg_open() - open /dev/dxg
 * @out: (out) the new handle, for dxg_close().
 *
 * Return: 0, -ENOMEM, or open(2)'s errno (-ENOENT: no device node, the
 * module is not loaded; -EACCES: not in the node's group).
 */
int dxg_open(struct dxg **out);

/**
 * dxg_open_path() - open a dxg device node by path
 * @path: the node, e.g. DXG_DEVICE_PATH.
 * @out: (out) the new handle.
 *
 * Return: as dxg_open(); -EINVAL for a NULL argument.
 */
int dxg_open_path(const char *path, struct dxg **out);

/**
 * dxg_close() - close the file, unmap the fence page, free the handle
 * @dxg: the handle, or NULL (nothing happens).
 *
 * The driver destroys every object of the file once its last fd and
 * mapping are gone (lock mappings the program still holds keep it).
 */
void dxg_close(struct dxg *dxg);

/**
 * dxg_fd() - the file descriptor of the open device
 * @dxg: the handle.
 *
 * For poll(2) (see "poll" in dxg-uapi.rst) and for ioctls the library
 * does not wrap.  The fd stays the library's: do not close it.
 *
 * Return: the fd, or -EINVAL for NULL.
 */
int dxg_fd(const struct dxg *dxg);

/**
 * dxg_caps_get() - versions, features and limits (DXG_CAPS_GET)
 * @dxg: the handle.
 * @out: (out) the answer; the library sets size and flags itself.
 *
 * Return: 0 or a negative errno.
 */
int dxg_caps_get(struct dxg *dxg, struct dxg_caps_get *out);

/**
 * dxg_adapter_enum() - list the adapters into the caller's array
 * @dxg: the handle.
 * @infos: array of @count entries, or NULL with @count 0 to only count.
 * @count: entries at @infos.
 * @out_count: (out, may be NULL) entries written.
 * @out_total: (out, may be NULL) adapters there are; more than @count
 *	means the array was too short (not an error).
 *
 * Return: 0 or a negative errno; -EINVAL for @count with no array.
 */
int dxg_adapter_enum(struct dxg *dxg, struct dxg_adapter_info *infos,
		     uint32_t count, uint32_t *out_count, uint32_t *out_total);

/**
 * dxg_adapter_list() - list every adapter into a new array
 * @dxg: the handle.
 * @out_infos: (out) a malloc()ed array for free(), or NULL if there are
 *	no adapters.
 * @out_count: (out) its entries.
 *
 * Retries while the list grows between counting and listing.
 *
 * Return: 0 or a negative errno (-ENOMEM; -EAGAIN if the list kept
 * changing).
 */
int dxg_adapter_list(struct dxg *dxg, struct dxg_adapter_info **out_infos,
		     uint32_t *out_count);

/**
 * dxg_adapter_open() - open an adapter by LUID (DXG_ADAPTER_OPEN)
 * @dxg: the handle.
 * @luid: the adapter's LUID.
 * @instance: the instance to open, or 0 for the LUID's current one.
 * @out_adapter: (out) the adapter handle.
 *
 * Return: 0 or a negative errno: -ENOENT (no such LUID), -ENODEV (lost,
 * or not the current instance), and the others of DXG_ADAPTER_OPEN.
 */
int dxg_adapter_open(struct dxg *dxg, struct dxg_luid luid, uint32_t instance,
		     uint64_t *out_adapter);

/**
 * dxg_adapter_close() - close an adapter handle and its objects
 * @dxg: the handle.
 * @adapter: the adapter handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_adapter_close(struct dxg *dxg, uint64_t adapter);

/**
 * dxg_query_memory() - memory budget and usage (DXG_QUERY_MEMORY)
 * @dxg: the handle.
 * @adapter: the adapter handle.
 * @out: (out) the answer.
 *
 * Return: 0 or a negative errno.
 */
int dxg_query_memory(struct dxg *dxg, uint64_t adapter,
		     struct dxg_query_memory *out);

/**
 * dxg_query_clock() - a clock calibration (DXG_QUERY_CLOCK)
 * @dxg: the handle.
 * @adapter: the adapter handle.
 * @out: (out) GPU ticks, frequency and the guest CLOCK_MONOTONIC at the
 *	same instant.
 *
 * Return: 0 or a negative errno (-ENODEV on a lost adapter).
 */
int dxg_query_clock(struct dxg *dxg, uint64_t adapter,
		    struct dxg_query_clock *out);

/**
 * dxg_query_stats() - counters of the file and the adapter (DXG_QUERY_STATS)
 * @dxg: the handle.
 * @adapter: the adapter handle.
 * @out: (out) the answer.
 *
 * Return: 0 or a negative errno.
 */
int dxg_query_stats(struct dxg *dxg, uint64_t adapter,
		    struct dxg_query_stats *out);

/**
 * dxg_device_create() - a device on an adapter (DXG_DEVICE_CREATE)
 * @dxg: the handle.
 * @adapter: the adapter handle.
 * @out_device: (out) the device handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_device_create(struct dxg *dxg, uint64_t adapter, uint64_t *out_device);

/**
 * dxg_device_destroy() - destroy a device and everything on it
 * @dxg: the handle.
 * @device: the device handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_device_destroy(struct dxg *dxg, uint64_t device);

/**
 * dxg_device_get_state() - active, faulted or lost (DXG_DEVICE_GET_STATE)
 * @dxg: the handle.
 * @device: the device handle.
 * @out: (out) the answer; the library sets size, flags and device.
 *
 * Return: 0 or a negative errno.
 */
int dxg_device_get_state(struct dxg *dxg, uint64_t device,
			 struct dxg_device_get_state *out);

/**
 * dxg_context_create() - a context, one ordered queue (DXG_CONTEXT_CREATE)
 * @dxg: the handle.
 * @device: the device handle.
 * @out_context: (out) the context handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_context_create(struct dxg *dxg, uint64_t device, uint64_t *out_context);

/**
 * dxg_context_destroy() - destroy a context, cancelling queued work
 * @dxg: the handle.
 * @context: the context handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_context_destroy(struct dxg *dxg, uint64_t context);

/**
 * dxg_alloc_create() - memory on the host (DXG_ALLOC_CREATE)
 * @dxg: the handle.
 * @device: the device handle.
 * @length: bytes, not 0; new memory reads as zero.
 * @out_alloc: (out) the allocation handle.
 *
 * Return: 0 or a negative errno; -EINVAL for a @length of 0.
 */
int dxg_alloc_create(struct dxg *dxg, uint64_t device, uint64_t length,
		     uint64_t *out_alloc);

/**
 * dxg_alloc_destroy() - destroy an allocation
 * @dxg: the handle.
 * @alloc: the allocation handle.
 *
 * A mapping of a lock on it gives SIGBUS afterwards; unmap it with
 * dxg_alloc_unlock() first.
 *
 * Return: 0 or a negative errno.
 */
int dxg_alloc_destroy(struct dxg *dxg, uint64_t alloc);

/**
 * struct dxg_map - a locked range, mapped: filled by dxg_alloc_lock()
 * @addr: the first byte of the range (byte @offset of the allocation).
 * @length: bytes of the range and of the mapping.
 * @alloc: the allocation handle.
 * @offset: the range's first byte in the allocation.
 * @mmap_offset: the driver's offset of the lock in the file.
 * @flags: the DXG_LOCK_* flags of the lock.
 *
 * Owned by the caller; dxg_alloc_unlock() needs it back unchanged.
 */
struct dxg_map {
	void *addr;
	size_t length;
	uint64_t alloc;
	uint64_t offset;
	uint64_t mmap_offset;
	uint32_t flags;
};

/**
 * dxg_alloc_lock() - lock a range for the CPU and map it
 * @dxg: the handle.
 * @alloc: the allocation handle.
 * @offset: first byte of the range.
 * @length: bytes, not 0.
 * @flags: DXG_LOCK_READ, DXG_LOCK_WRITE, both, or DXG_LOCK_WRITE |
 *	DXG_LOCK_DISCARD; each with DXG_LOCK_NOWAIT or not.
 * @out: (out) the mapping: PROT_READ, and PROT_WRITE with
 *	DXG_LOCK_WRITE; MAP_SHARED.
 *
 * DXG_ALLOC_LOCK, then mmap(2) of the range at the offset the driver
 * gives.  If the mmap fails the lock is ended again (with WRITE that
 * writes back the bytes the lock fetched, or zeros with DISCARD).
 *
 * Return: 0 or a negative errno: -EINVAL (flags, @length 0 or too large
 * for this process), -EBUSY, -ENODEV, -ENOMEM, and the others of
 * DXG_ALLOC_LOCK or mmap(2).
 */
int dxg_alloc_lock(struct dxg *dxg, uint64_t alloc, uint64_t offset,
		   uint64_t length, uint32_t flags, struct dxg_map *out);

/**
 * dxg_alloc_unlock() - unmap a locked range and end the lock
 * @dxg: the handle.
 * @map: what dxg_alloc_lock() filled; cleared on return.
 *
 * munmap(2), then DXG_ALLOC_UNLOCK, which with DXG_LOCK_WRITE sends the
 * bytes to the host and returns when it has them.  The lock ends even
 * when that fails.
 *
 * Return: 0 or a negative errno (-EIO, -ENODEV: the write-back failed).
 */
int dxg_alloc_unlock(struct dxg *dxg, struct dxg_map *map);

/**
 * struct dxg_submit - what dxg_context_submit() queues
 * @cmd: the command buffer (see struct dxg_cmd), or NULL if @cmd_size
 *	is 0.
 * @cmd_size: its bytes, a multiple of DXG_CMD_ALIGN; 0 for a pure
 *	wait/signal submission.
 * @allocs: the allocation handles commands name by index.
 * @n_allocs: entries at @allocs.
 * @waits: fences and values to wait for before starting.
 * @n_waits: entries at @waits.
 * @signals: fences and values to signal when done.
 * @n_signals: entries at @signals.
 */
struct dxg_submit {
	const void *cmd;
	uint32_t cmd_size;
	uint32_t n_allocs;
	const uint64_t *allocs;
	const struct dxg_fence_value *waits;
	const struct dxg_fence_value *signals;
	uint32_t n_waits;
	uint32_t n_signals;
};

/**
 * dxg_context_submit() - queue work on a context (DXG_CONTEXT_SUBMIT)
 * @dxg: the handle.
 * @context: the context handle.
 * @submit: the buffer and lists.
 * @out_submit: (out, may be NULL) the submission's number in its context.
 *
 * Return: 0 or a negative errno: -EINVAL (a count without its array, a
 * size not a multiple of DXG_CMD_ALIGN, and the driver's), -EBUSY,
 * -EIO, -ENODEV, -EAGAIN (queue full), and the others of
 * DXG_CONTEXT_SUBMIT.
 */
int dxg_context_submit(struct dxg *dxg, uint64_t context,
		       const struct dxg_submit *submit, uint64_t *out_submit);

/**
 * dxg_fence_create() - a monotonic fence (DXG_FENCE_CREATE)
 * @dxg: the handle.
 * @device: the device handle.
 * @initial_value: its first value.
 * @out_fence: (out) the fence handle.
 * @out_slot: (out, may be NULL) its slot in the fence page.
 *
 * Return: 0 or a negative errno.
 */
int dxg_fence_create(struct dxg *dxg, uint64_t device, uint64_t initial_value,
		     uint64_t *out_fence, uint32_t *out_slot);

/**
 * dxg_fence_destroy() - destroy a fence
 * @dxg: the handle.
 * @fence: the fence handle.
 *
 * Return: 0 or a negative errno.
 */
int dxg_fence_destroy(struct dxg *dxg, uint64_t fence);

/**
 * dxg_fence_signal() - raise fences from the CPU (DXG_FENCE_SIGNAL)
 * @dxg: the handle.
 * @fences: fences and values, applied in order.
 * @count: entries, at least 1.
 * @out_done: (out, may be NULL) entries applied, also on failure.
 *
 * Return: 0 or a negative errno.
 */
int dxg_fence_signal(struct dxg *dxg, const struct dxg_fence_value *fences,
		     uint32_t count, uint32_t *out_done);

/**
 * dxg_fence_wait() - wait on the CPU until an absolute deadline
 * @dxg: the handle.
 * @fences: fences and the values to wait for.
 * @count: entries, at least 1.
 * @flags: 0 (any one fence) or DXG_WAIT_ALL (every fence).
 * @deadline_ns: CLOCK_MONOTONIC time to give up at (dxg_deadline_ns());
 *	0 only looks; DXG_WAIT_FOREVER has no deadline.
 * @out_index: (out, may be NULL) without DXG_WAIT_ALL the index of an
 *	entry reached; with it @count.
 *
 * Restarted after a signal handler that has SA_RESTART, with the same
 * deadline.
 *
 * Return: 0, -ETIMEDOUT, -EINTR, -ENOENT, -ENODEV or another negative
 * errno of DXG_FENCE_WAIT.
 */
int dxg_fence_wait(struct dxg *dxg, const struct dxg_fence_value *fences,
		   uint32_t count, uint32_t flags, uint64_t deadline_ns,
		   uint32_t *out_index);

/**
 * dxg_fence_wait_timeout() - wait on the CPU for a relative time
 * @dxg: the handle.
 * @fences: fences and the values to wait for.
 * @count: entries, at least 1.
 * @flags: as dxg_fence_wait().
 * @timeout_ns: nanoseconds from now; 0 only looks; UINT64_MAX waits
 *	for ever.
 * @out_index: (out, may be NULL) as dxg_fence_wait().
 *
 * The deadline is taken once, so interrupted and restarted waits do not
 * wait longer in total.
 *
 * Return: as dxg_fence_wait().
 */
int dxg_fence_wait_timeout(struct dxg *dxg, const struct dxg_fence_value *fences,
			   uint32_t count, uint32_t flags, uint64_t timeout_ns,
			   uint32_t *out_index);

/**
 * dxg_deadline_ns() - the absolute deadline @timeout_ns from now
 * @timeout_ns: nanoseconds from now; UINT64_MAX for no deadline.
 * @out_deadline: (out) CLOCK_MONOTONIC nanoseconds, saturated at
 *	DXG_WAIT_FOREVER.
 *
 * Return: 0, or -EINVAL for a NULL @out_deadline.
 */
int dxg_deadline_ns(uint64_t timeout_ns, uint64_t *out_deadline);

/**
 * dxg_fence_export_sync_file() - a sync_file fd for a fence value
 * @dxg: the handle.
 * @fence: the fence handle.
 * @value: the value the sync_file waits for.
 * @out_fd: (out) the fd, O_CLOEXEC, the caller's to close.
 *
 * Return: 0 or a negative errno (-EOPNOTSUPP without DXG_FEAT_SYNC_FILE).
 */
int dxg_fence_export_sync_file(struct dxg *dxg, uint64_t fence, uint64_t value,
			       int *out_fd);

/**
 * dxg_fence_page_map() - map the fence page (if not mapped yet)
 * @dxg: the handle.
 *
 * Maps out_fence_map_size bytes at DXG_MMAP_FENCE_OFFSET, read-only,
 * once per handle; dxg_close() unmaps it.  dxg_fence_read() calls it
 * itself.
 *
 * Return: 0 or a negative errno (-EOPNOTSUPP without
 * DXG_FEAT_FENCE_PAGE, or mmap(2)'s).
 */
int dxg_fence_page_map(struct dxg *dxg);

/**
 * dxg_fence_read() - a fence's value as the guest last saw it
 * @dxg: the handle.
 * @slot: the fence's slot (dxg_fence_create()'s @out_slot).
 * @out_value: (out) the value, read as one atomic 64-bit load with
 *	acquire ordering.
 *
 * Return: 0, -ERANGE for a slot beyond the page, or dxg_fence_page_map()'s
 * error.
 */
int dxg_fence_read(struct dxg *dxg, uint32_t slot, uint64_t *out_value);

/*
 * Command buffers.  A struct dxg_cmd appends commands in the format of
 * <linux/dxg_wire.h> (little-endian whatever the CPU) to a buffer that
 * either grows on the heap (dxg_cmd_init()) or is the caller's
 * (dxg_cmd_init_buffer()).  A failed append leaves the buffer as it was.
 * The bytes are at @data, @size of them, ready for struct dxg_submit.
 */

/* Element types of dxg_cmd_add() and dxg_cmd_mul(): the wire's values. */
enum dxg_cmd_type {
	DXG_CMD_U32 = 1,	/* modulo 2^32 */
	DXG_CMD_F32 = 2,	/* IEEE 754 binary32 */
};

/**
 * struct dxg_cmd_ref - a place in an allocation of the submission
 * @alloc: index in the submission's allocation list.
 * @offset: byte offset in that allocation.
 */
struct dxg_cmd_ref {
	uint32_t alloc;
	uint64_t offset;
};

/* A struct dxg_cmd_ref value: DXG_REF(index, offset). */
#define DXG_REF(index, off) \
	((struct dxg_cmd_ref){ .alloc = (index), .offset = (off) })

/**
 * struct dxg_cmd - a command buffer being built
 * @data: the bytes (read-only for the caller).
 * @size: bytes written (read-only for the caller).
 * @capacity: bytes at @data.
 * @max_size: the largest @size allowed: DXG_MAX_CMD_SIZE, or the lower
 *	out_max_cmd_size of DXG_CAPS_GET set with dxg_cmd_set_max().
 * @owned: @data is the library's, grown with realloc().
 */
struct dxg_cmd {
	uint8_t *data;
	size_t size;
	size_t capacity;
	size_t max_size;
	int owned;
};

/**
 * dxg_cmd_init() - an empty command buffer that grows as needed
 * @cmd: the builder; free its memory with dxg_cmd_release().
 *
 * Return: 0, or -EINVAL for NULL.
 */
int dxg_cmd_init(struct dxg_cmd *cmd);

/**
 * dxg_cmd_init_buffer() - an empty command buffer in the caller's memory
 * @cmd: the builder.
 * @buf: at least @capacity bytes, 8-byte aligned or not.
 * @capacity: bytes at @buf; appends beyond them fail with -ENOSPC.
 *
 * Return: 0, or -EINVAL (NULL @cmd, NULL @buf with a @capacity).
 */
int dxg_cmd_init_buffer(struct dxg_cmd *cmd, void *buf, size_t capacity);

/**
 * dxg_cmd_set_max() - lower the size limit of a command buffer
 * @cmd: the builder.
 * @max_size: a multiple of DXG_CMD_ALIGN, at most DXG_MAX_CMD_SIZE.
 *
 * Return: 0, -EINVAL (@max_size), or -E2BIG if the buffer is larger
 * already.
 */
int dxg_cmd_set_max(struct dxg_cmd *cmd, size_t max_size);

/**
 * dxg_cmd_reset() - empty a command buffer, keeping its memory
 * @cmd: the builder.
 */
void dxg_cmd_reset(struct dxg_cmd *cmd);

/**
 * dxg_cmd_release() - free a growing buffer's memory; empty the builder
 * @cmd: the builder, or NULL.
 */
void dxg_cmd_release(struct dxg_cmd *cmd);

/*
 * The appends.  Each returns 0 or a negative errno, the buffer unchanged
 * on failure: -EINVAL (NULL @cmd, an offset or length the wire format
 * does not allow), -E2BIG (the buffer would pass @max_size), -ENOSPC
 * (the caller's buffer is full), -ENOMEM.  Ranges against allocation
 * sizes are checked by the host at submission.
 */

/** dxg_cmd_nop() - append NOP. @cmd: the builder. */
int dxg_cmd_nop(struct dxg_cmd *cmd);

/**
 * dxg_cmd_fill() - append FILL: repeat a 32-bit pattern
 * @cmd: the builder.
 * @dst: where, the offset a multiple of 4.
 * @length: bytes, a multiple of 4.
 * @pattern: the value stored at each 4 bytes, little-endian.
 */
int dxg_cmd_fill(struct dxg_cmd *cmd, struct dxg_cmd_ref dst, uint64_t length,
		 uint32_t pattern);

/**
 * dxg_cmd_copy() - append COPY: copy bytes as memmove() does
 * @cmd: the builder.
 * @dst: destination.
 * @src: source (may overlap @dst).
 * @length: bytes.
 */
int dxg_cmd_copy(struct dxg_cmd *cmd, struct dxg_cmd_ref dst,
		 struct dxg_cmd_ref src, uint64_t length);

/**
 * dxg_cmd_add() - append ADD: dst[i] = a[i] + b[i] for i below @count
 * @cmd: the builder.
 * @type: DXG_CMD_U32 or DXG_CMD_F32.
 * @dst: destination, the offset a multiple of 4.
 * @a: first operand, the offset a multiple of 4.
 * @b: second operand, the offset a multiple of 4.
 * @count: elements of 4 bytes.
 */
int dxg_cmd_add(struct dxg_cmd *cmd, enum dxg_cmd_type type,
		struct dxg_cmd_ref dst, struct dxg_cmd_ref a,
		struct dxg_cmd_ref b, uint64_t count);

/**
 * dxg_cmd_mul() - append MUL: dst[i] = a[i] * b[i]; as dxg_cmd_add()
 * @cmd: the builder.
 * @type: DXG_CMD_U32 or DXG_CMD_F32.
 * @dst: destination.
 * @a: first operand.
 * @b: second operand.
 * @count: elements.
 */
int dxg_cmd_mul(struct dxg_cmd *cmd, enum dxg_cmd_type type,
		struct dxg_cmd_ref dst, struct dxg_cmd_ref a,
		struct dxg_cmd_ref b, uint64_t count);

/**
 * dxg_cmd_crc32c() - append CRC32C: the checksum of a range, 4 bytes
 * @cmd: the builder.
 * @dst: where the little-endian result goes, the offset a multiple of 4.
 * @src: the first byte checksummed.
 * @length: bytes checksummed.
 */
int dxg_cmd_crc32c(struct dxg_cmd *cmd, struct dxg_cmd_ref dst,
		   struct dxg_cmd_ref src, uint64_t length);

/**
 * dxg_cmd_delay() - append DELAY: keep the queue busy
 * @cmd: the builder.
 * @usec: microseconds, at most 1000000 (DXG_WIRE_MAX_DELAY_US).
 */
int dxg_cmd_delay(struct dxg_cmd *cmd, uint32_t usec);

/**
 * dxg_cmd_timestamp() - append TIMESTAMP: the adapter clock, 8 bytes
 * @cmd: the builder.
 * @dst: where, the offset a multiple of 8.
 */
int dxg_cmd_timestamp(struct dxg_cmd *cmd, struct dxg_cmd_ref dst);

/**
 * dxg_crc32c() - CRC-32C (Castagnoli) in software, as the CRC32C command
 * @crc: 0 to start, or the result of the previous part to continue.
 * @buf: the bytes.
 * @length: their count.
 *
 * dxg_crc32c(0, "123456789", 9) is DXG_WIRE_CRC32C_CHECK (0xe3069283).
 *
 * Return: the checksum.
 */
uint32_t dxg_crc32c(uint32_t crc, const void *buf, size_t length);

#ifdef __cplusplus
}
#endif

#endif /* LIBDXG_H */
