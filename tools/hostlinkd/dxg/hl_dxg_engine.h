/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O-free host side of the GPU service: per guest (one control
 * connection) and per guest process, the object tables of
 * Documentation/dxg-protocol.rst (adapter handles, devices, contexts,
 * allocations, fences), SUBMIT validation, one ordered queue per context
 * and execution by a backend on worker threads.  No sockets: the
 * service layer turns requests into these calls and the notifications
 * into EVENT frames.
 *
 * The wire structures that calls fill (device state, queries) hold
 * host-endian values; the service layer converts them when it writes
 * a reply or an event.
 *
 * Every call returns 0 or a negative errno, the one the protocol
 * document names, checked in its order (ids, then states, then values,
 * then limits).  Results go through out-parameters.
 *
 * Lock order: the engine has one mutex (struct hl_dxg_engine.lock) that
 * protects every object of every guest.  Notifications are made with it
 * held (so that one fence's events are made in increasing value order);
 * a notification callback must not call into the engine.  Backends run
 * commands without it, but for small ones inline (@inline_bytes).
 */
#ifndef HL_DXG_ENGINE_H
#define HL_DXG_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/dxg_wire.h>

struct hl_dxg_engine;
struct hl_dxg_guest;

/**
 * struct hl_dxg_buf - one allocation's memory, as a backend sees it
 * @data: the bytes.
 * @size: their number.
 */
struct hl_dxg_buf {
	uint8_t *data;
	uint64_t size;
};

/**
 * struct hl_dxg_backend_ops - what executes commands
 * @mem_alloc: @size zeroed bytes, or NULL.
 * @mem_free: give back what @mem_alloc returned.
 * @exec: run one command (already validated by the engine: every index
 *	is below @n_bufs, every range inside its buffer).  Returns 0 or a
 *	negative errno, which faults the device.  Called on a worker
 *	thread without the engine lock, where it may sleep, or inline
 *	(@inline_bytes).
 * @clock: the adapter clock in ticks; *@freq its ticks per second.
 * @inline_bytes: a ready submission whose buffer touches at most this
 *	many bytes (hl_dxg_cmdbuf_check()'s cost; never one with a DELAY)
 *	runs in the engine call that made it ready, on the caller's
 *	thread with the engine lock held, so @exec must not sleep for it.
 *	That saves two thread hand-overs per small submission and lets
 *	its FENCE events leave with the SUBMIT's reply.  0: always on a
 *	worker.
 */
struct hl_dxg_backend_ops {
	void *(*mem_alloc)(void *priv, uint64_t size);
	void (*mem_free)(void *priv, void *mem, uint64_t size);
	int (*exec)(void *priv, const struct dxg_wire_cmd_hdr *cmd,
		    const struct hl_dxg_buf *bufs, unsigned int n_bufs);
	uint64_t (*clock)(void *priv, uint64_t *freq);
	uint64_t inline_bytes;
};

/**
 * struct hl_dxg_notify_ops - what the engine tells its caller; each is
 *	called with the engine lock held and must not call into the engine
 * @fence: a fence's value went up to @value; @error 0 or the positive
 *	errno of the failed submission whose signal this is.
 * @device: a device faulted (or was lost); @state is what
 *	DEVICE_GET_STATE now answers.  Made before the FENCE events of the
 *	submission that faulted it.
 *
 * @lock: a LOCK that had to wait (hl_dxg_lock() returned -EINPROGRESS)
 *	is taken (@err 0) or ended (@err ECANCELED: its allocation was
 *	destroyed).
 *
 * @cookie is the guest's, from hl_dxg_guest_create().  Nothing is
 * notified for a guest being destroyed.
 */
struct hl_dxg_notify_ops {
	void (*fence)(void *cookie, uint64_t process, uint64_t fence,
		      uint64_t value, uint32_t error);
	void (*device)(void *cookie, uint64_t process, uint64_t device,
		       const struct dxg_wire_device_state *state);
	void (*lock)(void *cookie, uint64_t process, uint64_t alloc, int err);
};

/**
 * struct hl_dxg_engine_cfg - limits and threads; 0 picks the default
 * @workers: worker threads (default 2).
 * @max_guest_memory: allocation bytes per guest (default 1 GiB).
 * @max_process_objects: live ids per process (default 4096).
 * @max_context_queue: submissions queued per context (default 256).
 * @max_processes: processes with objects per guest (default 256).
 * @watchdog_ms: run time of one submission before it fails with
 *	ETIMEDOUT and faults its device (default 10000; the protocol wants
 *	at least 10 s of the daemon, tests use less).
 */
struct hl_dxg_engine_cfg {
	unsigned int workers;
	uint64_t max_guest_memory;
	unsigned int max_process_objects;
	unsigned int max_context_queue;
	unsigned int max_processes;
	unsigned int watchdog_ms;
};

/**
 * struct hl_dxg_who - who a request is from and about: the fields of
 *	struct dxg_wire_req, host-endian
 * @process: the guest process, not 0.
 * @nonce: the adapter's instance nonce.
 * @adapter: the adapter handle (0 in ADAPTER_OPEN).
 */
struct hl_dxg_who {
	uint64_t process;
	uint64_t nonce;
	uint64_t adapter;
};

int hl_dxg_engine_create(const struct hl_dxg_engine_cfg *cfg,
			 const struct hl_dxg_backend_ops *be, void *be_priv,
			 const struct hl_dxg_notify_ops *notify,
			 struct hl_dxg_engine **out);
void hl_dxg_engine_destroy(struct hl_dxg_engine *eng);

int hl_dxg_guest_create(struct hl_dxg_engine *eng, void *cookie,
			struct hl_dxg_guest **out);
/*
 * The host lost the GPU under the guest's adapter: every device becomes
 * LOST with @err (ENODEV or the backend's reason; a DEVICE event each)
 * and its queued work is cancelled with ENODEV; new work gets ENODEV.
 */
void hl_dxg_guest_lost(struct hl_dxg_guest *g, int err);
/* Cancels queued work silently, waits for running commands, frees. */
void hl_dxg_guest_destroy(struct hl_dxg_guest *g);
/* The nonce of the guest's one adapter: random, not 0. */
uint64_t hl_dxg_guest_nonce(const struct hl_dxg_guest *g);

int hl_dxg_adapter_open(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t *out_adapter);
int hl_dxg_adapter_close(struct hl_dxg_guest *g, const struct hl_dxg_who *w);

int hl_dxg_device_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t *out_device);
int hl_dxg_device_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			  uint64_t device);
int hl_dxg_device_get_state(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			    uint64_t device,
			    struct dxg_wire_device_state *out_state);

int hl_dxg_context_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			  uint64_t device, uint64_t *out_context);
int hl_dxg_context_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			   uint64_t context);

int hl_dxg_alloc_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t device, uint64_t size, uint64_t *out_alloc);
int hl_dxg_alloc_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t alloc);
/*
 * LOCK: 0 when taken at once; -EINPROGRESS when submissions accepted
 * before it still name the allocation (SUBMITs naming it get -EBUSY from
 * now on, and notify->lock() says when it is taken); -EBUSY when already
 * locked, or with DXG_WIRE_LOCK_NOWAIT instead of waiting.
 * hl_dxg_lock_cancel() drops a lock still waiting (CANCEL).
 */
int hl_dxg_lock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		uint64_t alloc, uint64_t offset, uint64_t length, uint32_t flags);
int hl_dxg_lock_cancel(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t alloc);
int hl_dxg_unlock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		  uint64_t alloc);
/*
 * The bytes of READ and WRITE: inside the locked range and under a lock
 * with READ or WRITE, else -EINVAL; -EBUSY while the lock still waits.
 */
int hl_dxg_alloc_read(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		      uint64_t alloc, uint64_t offset, void *buf,
		      uint64_t length);
int hl_dxg_alloc_write(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t alloc, uint64_t offset, const void *buf,
		       uint64_t length);
/* The checks of READ (@write false) or WRITE alone, for a bulk transfer. */
int hl_dxg_xfer_check(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		      uint64_t alloc, uint64_t offset, uint64_t length,
		      bool write);

int hl_dxg_fence_create(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t device, uint64_t value, uint64_t *out_fence);
int hl_dxg_fence_destroy(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			 uint64_t fence);
int hl_dxg_fence_signal(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			uint64_t fence, uint64_t value);
/* The fence's current value (for tests and the service's own use). */
int hl_dxg_fence_value(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       uint64_t fence, uint64_t *out_value);

/*
 * SUBMIT: @body is the request body after struct dxg_wire_req (struct
 * dxg_wire_submit, the lists, the command buffer), @len its bytes.
 * -EPROTO when @len is not what the counts say.  Nothing is queued
 * unless it returns 0.
 */
int hl_dxg_submit(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		  const void *body, size_t len, uint64_t *out_submit);

/*
 * The command-buffer check alone: @cmds of @cmd_bytes against the
 * allocation sizes @sizes[@n]; 0 or -EINVAL.  On 0, *@cost (if not
 * NULL) is what the buffer touches, in bytes (UINT64_MAX with a DELAY):
 * what decides whether it may run inline (inline_bytes above).
 */
int hl_dxg_cmdbuf_check(const uint8_t *cmds, uint32_t cmd_bytes,
			const uint64_t *sizes, unsigned int n, uint64_t *cost);

int hl_dxg_query_memory(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
			struct dxg_wire_query_memory *out);
int hl_dxg_query_clock(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       struct dxg_wire_query_clock *out);
int hl_dxg_query_stats(struct hl_dxg_guest *g, const struct hl_dxg_who *w,
		       struct dxg_wire_query_stats *out);

#endif /* HL_DXG_ENGINE_H */
