/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the /dev/dxg selftests: module setup, the ioctls as calls
 * that return 0 or -errno, a command-buffer builder, lock/mmap
 * round trips, CRC-32C, a fake dxg host over the hostlink fake of
 * selftests/hostlink, and a hostlinkd of the tests' own.
 *
 * Deliberately independent of libdxg: these tests hold the driver to
 * its UAPI, not to a library built on it.
 */
#ifndef DXG_LIB_H
#define DXG_LIB_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <linux/dxg.h>
#include <linux/dxg_wire.h>

#include "hostlink_lib.h"

#define DXG_PATH	"/dev/dxg"

/*
 * hostlink loaded for the loopback host (CID 1, as selftests/hostlink
 * wants it too), dxg loaded for @port (0: its default).  0 or -1.
 */
int dxg_load(unsigned int port);
/* the dxg module's current port parameter, or -1 */
int dxg_module_port(void);
/* The number a sysfs file (or any file) starts with; -1 if unreadable. */
long long dxg_read_number(const char *path);
/* delete_module("dxg"); 0 or -errno; retried while in use for @ms */
int dxg_unload(unsigned int ms);

static inline int dxg_ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

uint64_t dxg_now_ns(void);
/* CLOCK_MONOTONIC ns @ms from now */
uint64_t dxg_deadline(unsigned int ms);

/* Waits until the file lists an ACTIVE adapter (poll EPOLLIN); 0/-errno */
int dxg_wait_adapter(int fd, struct dxg_adapter_info *info, unsigned int ms);
/* ADAPTER_ENUM into @info (at most @max); the total, or -errno */
int dxg_enum(int fd, struct dxg_adapter_info *info, unsigned int max);

/* One open file and a device and a context on its first adapter. */
struct dxg_env {
	int fd;
	struct dxg_caps_get caps;
	struct dxg_adapter_info info;
	uint64_t adapter;
	uint64_t device;
	uint64_t context;
};

/* open, wait for an adapter, open it, device, context; 0 or -errno */
int dxg_env_open(struct dxg_env *e, unsigned int ms);
void dxg_env_close(struct dxg_env *e);

int dxg_caps(int fd, struct dxg_caps_get *caps);
int dxg_adapter_open(int fd, const struct dxg_luid *luid, uint32_t instance,
		     uint64_t *out);
int dxg_adapter_close(int fd, uint64_t adapter);
int dxg_query(int fd, uint64_t adapter, uint32_t type, void *data,
	      uint32_t size);
int dxg_device_create(int fd, uint64_t adapter, uint64_t *out);
int dxg_device_destroy(int fd, uint64_t device);
int dxg_device_state(int fd, uint64_t device, struct dxg_device_get_state *st);
int dxg_context_create(int fd, uint64_t device, uint64_t *out);
int dxg_context_destroy(int fd, uint64_t context);
int dxg_alloc_create(int fd, uint64_t device, uint64_t length, uint64_t *out);
int dxg_alloc_destroy(int fd, uint64_t alloc);
int dxg_lock(int fd, uint64_t alloc, uint64_t offset, uint64_t length,
	     uint32_t flags, uint64_t *mmap_offset);
int dxg_unlock(int fd, uint64_t alloc);
int dxg_fence_create(int fd, uint64_t device, uint64_t value, uint64_t *out,
		     uint32_t *slot);
int dxg_fence_destroy(int fd, uint64_t fence);
int dxg_fence_signal(int fd, uint64_t fence, uint64_t value);
/* one fence; @deadline absolute ns */
int dxg_fence_wait(int fd, uint64_t fence, uint64_t value, uint64_t deadline);
int dxg_fence_wait_n(int fd, const struct dxg_fence_value *fv, uint32_t n,
		     uint32_t flags, uint64_t deadline, uint32_t *index);
/* a sync_file fd, or -errno */
int dxg_export(int fd, uint64_t fence, uint64_t value);

/* A command buffer under construction. */
struct dxg_cmdbuf {
	uint32_t len;
	uint8_t buf[4096];
};

void dxg_cmd_nop(struct dxg_cmdbuf *cb);
void dxg_cmd_fill(struct dxg_cmdbuf *cb, uint32_t alloc, uint32_t pattern,
		  uint64_t offset, uint64_t length);
void dxg_cmd_copy(struct dxg_cmdbuf *cb, uint32_t dst, uint64_t dst_offset,
		  uint32_t src, uint64_t src_offset, uint64_t length);
void dxg_cmd_arith(struct dxg_cmdbuf *cb, uint16_t op, uint32_t type,
		   uint32_t dst, uint64_t dst_offset, uint32_t a,
		   uint64_t a_offset, uint32_t b, uint64_t b_offset,
		   uint64_t count);
void dxg_cmd_crc32c(struct dxg_cmdbuf *cb, uint32_t dst, uint64_t dst_offset,
		    uint32_t src, uint64_t src_offset, uint64_t length);
void dxg_cmd_delay(struct dxg_cmdbuf *cb, uint32_t usec);
void dxg_cmd_timestamp(struct dxg_cmdbuf *cb, uint32_t dst,
		       uint64_t dst_offset);

/*
 * CONTEXT_SUBMIT; @cb may be NULL (a pure wait/signal submission).
 * *out_submit if not NULL.  0 or -errno.
 */
int dxg_submit(int fd, uint64_t context, const struct dxg_cmdbuf *cb,
	       const uint64_t *allocs, uint32_t n_allocs,
	       const struct dxg_fence_value *waits, uint32_t n_waits,
	       const struct dxg_fence_value *signals, uint32_t n_signals,
	       uint64_t *out_submit);
/* submit @cb signalling a new value of @fence and wait for it (5 s) */
int dxg_run(struct dxg_env *e, const struct dxg_cmdbuf *cb,
	    const uint64_t *allocs, uint32_t n_allocs, uint64_t fence,
	    uint64_t value);

/* lock, mmap, copy in (WRITE, DISCARD if @discard) or out (READ), unlock */
int dxg_write(int fd, uint64_t alloc, uint64_t offset, const void *data,
	      size_t len, bool discard);
int dxg_read(int fd, uint64_t alloc, uint64_t offset, void *data, size_t len);

uint32_t dxg_crc32c(const void *data, size_t len);
/* bytes derived from @seed */
void dxg_pattern(void *buf, size_t len, unsigned int seed);

/* A hostlinkd of the test's own serving dxg on @port; pid or -1. */
pid_t dxg_daemon_start(int port, const char *config_lines);
/*
 * The module moved to such a daemon on the module's port + @offset and
 * @e opened on it: the daemon's pid, or -1 with nothing left running.
 * dxg_own_daemon_end() closes @e, stops it and moves the module back:
 * 0 or -1.
 */
pid_t dxg_own_daemon(int offset, const char *config_lines, struct dxg_env *e);
int dxg_own_daemon_end(pid_t d, struct dxg_env *e);

/*
 * A fake dxg host: the hostlink fake of selftests/hostlink in a thread
 * of its own, answering the dxg HELLO with @hello and every request
 * with @reply (or a well-formed default when it returns 0).
 */
struct dxg_fake;
/*
 * Called for each request: @op, its dxg body after struct dxg_wire_req
 * (@req, NULL for HELLO), @body of @len bytes.  Returns 1 if it sent
 * the reply itself, 0 for the default answer.
 */
typedef int (*dxg_fake_fn)(struct dxg_fake *f, const struct hostlink_hdr *h,
			   const struct dxg_wire_req *req, const void *body,
			   size_t len);

struct dxg_fake {
	struct hl_fake hl;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;	/* sends, and the fields below */
	volatile int stop;
	dxg_fake_fn reply;
	void *priv;
	/* max_frame of the WELCOMEs from now on (0: the default) */
	uint32_t max_frame;
	/* the HELLO reply to send (payload bytes) */
	uint8_t hello[2048];
	size_t hello_len;
	/* what the guest did */
	int accepts;		/* control connections accepted */
	int drops;		/* closed by the guest */
	int hellos;		/* dxg HELLOs answered */
	int requests;		/* requests seen, HELLO included */
	uint64_t next_id;	/* the next object id handed out */
	uint64_t process;	/* of the latest request */
	uint64_t last_fence;	/* latest FENCE_CREATE's id */
	uint64_t last_device;	/* latest DEVICE_CREATE's id */
	uint64_t submits;
};

/* a well-formed HELLO reply with one adapter "fake0" into f->hello */
void dxg_fake_default_hello(struct dxg_fake *f);
static inline struct dxg_wire_adapter *dxg_fake_adapter(struct dxg_fake *f,
							unsigned int i)
{
	return (struct dxg_wire_adapter *)(f->hello +
		sizeof(struct dxg_wire_hello_reply)) + i;
}
/* listen on @port and start the thread; 0 or -1 */
int dxg_fake_start(struct dxg_fake *f, int port);
void dxg_fake_stop(struct dxg_fake *f);
/* a frame to the guest, serialized with the thread's replies */
int dxg_fake_send(struct dxg_fake *f, uint8_t type, uint32_t op, uint64_t id,
		  uint32_t status, const void *data, size_t len);
int dxg_fake_reply(struct dxg_fake *f, const struct hostlink_hdr *h,
		   uint32_t status, const void *data, size_t len);
int dxg_fake_fence_event(struct dxg_fake *f, uint64_t fence, uint64_t value,
			 uint32_t error);
/* wait until *counter (a field of f) reaches @n; 0 or -1 */
int dxg_fake_wait(struct dxg_fake *f, int *counter, int n, unsigned int ms);

/*
 * A driver counter of host errors, if the driver exposes one: the sum
 * of sysfs/debugfs files of dxg whose names say "drop", "proto" or
 * "unknown"; -1 if there are none.
 */
long long dxg_error_counter(void);

#endif
