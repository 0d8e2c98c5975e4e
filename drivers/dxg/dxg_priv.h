/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dxg: private declarations shared by the driver's files.
 *
 *   dxg_main.c     module init, file operations (open, release, poll,
 *                  mmap dispatch), module parameters
 *   dxg_ioctl.c    ioctl dispatch: the size/flags-first argument rules
 *   dxg_handle.c   the per-file handle table and the object life cycle
 *   dxg_adapter.c  the host's adapters: HELLO, enum, open, close, query,
 *                  host loss and return, events in
 *   dxg_device.c   devices and contexts
 *   dxg_alloc.c    allocations, lock and unlock, the byte transfers
 *   dxg_mmap.c     the driver's address space, fake offsets, faults
 *   dxg_submit.c   DXG_CONTEXT_SUBMIT
 *   dxg_fence.c    fences: values, the fence page, waits, CPU signals
 *   dxg_sync.c     sync_file export
 *   dxg_sysfs.c    counters and adapters in sysfs
 *   dxg_cmd.c      the host commands: the only file that calls hostlink
 *
 * Lock order, outer first:
 *
 *   dxg_file.lock          (mutex) the file's handle table, object
 *                          lists, limits and locks
 *     dxg_hosts.lock       (mutex) the adapter list and host state
 *     dxg_ev_lock          (spinlock, irqsave) the event table: fence
 *                          values and errors, device states, waiters,
 *                          exported sync_files
 *       dxg_sync_fence.lock  (spinlock) one exported dma_fence
 *   dxg_lock.fault_lock    (mutex) a lock's @live against its faults;
 *                          taken inside mmap_lock (the fault handler),
 *                          never with another dxg lock held
 *
 * No dxg mutex is held across a host call (dxg_cmd_*): an object being
 * worked on is pinned by a reference and marked busy instead.  The
 * event handler runs inside whichever caller drains the socket, so it
 * takes dxg_ev_lock only.
 */
#ifndef _DXG_PRIV_H
#define _DXG_PRIV_H

#include <linux/hashtable.h>
#include <linux/hostlink.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/dxg.h>
#include <uapi/linux/dxg_wire.h>

struct dxg_file;
struct vm_area_struct;

/* Module parameters (dxg_main.c). */
extern unsigned int dxg_max_handles;		/* per file */
extern unsigned int dxg_max_fences;		/* per file: fence page slots */
extern unsigned long dxg_max_file_memory;	/* allocation bytes per file */
extern unsigned long dxg_max_locked;		/* locked bytes per file */
extern unsigned int dxg_timeout_ms;		/* host calls */
extern unsigned int dxg_lock_timeout_ms;	/* a LOCK waiting for work */
extern unsigned int dxg_bulk_min_kib;		/* lock transfers on a stream */

extern struct hostlink_service dxg_service;
extern struct workqueue_struct *dxg_wq;

/* Counters in /sys/kernel/hostlink/services/dxg/ (dxg_adapter.c). */
struct dxg_stats {
	atomic64_t events;		/* EVENT frames handled */
	atomic64_t events_dropped;	/* unknown target, stale, malformed */
	atomic64_t values_dropped;	/* a fence value at or below the last */
	atomic64_t bad_replies;		/* replies that broke the protocol */
	atomic64_t hellos;		/* HELLOs that succeeded */
	atomic64_t bulk_transfers;	/* lock transfers done on a stream */
	atomic64_t bulk_fallbacks;	/* streams refused: done in chunks */
};

extern struct dxg_stats dxg_stats;

/**
 * struct dxg_adapter - one adapter of one host connection
 * @ref: held by the adapter list and by each adapter handle.
 * @epoch: the host connection it came with (dxg_hosts.epoch).
 * @nonce: its instance nonce on that connection.
 * @instance: the guest's number for this appearance (never reused).
 * @lost: the connection went; set once, under dxg_hosts.lock, read
 *	with READ_ONCE() anywhere.
 * @info: what DXG_ADAPTER_ENUM lists (state filled in when listed).
 * @kobj: its sysfs directory while listed, or NULL; under dxg_hosts.lock.
 */
struct dxg_adapter {
	struct kref ref;
	u64 epoch;
	u64 nonce;
	u32 instance;
	bool lost;
	struct dxg_adapter_info info;
	struct kobject *kobj;
};

/*
 * Objects.  Every object a handle names starts with a struct dxg_obj;
 * the kinds are told apart by @kind.  An object is reachable through
 * the file's handle table from dxg_obj_publish() to dxg_obj_unpublish();
 * a lookup takes a reference, so it may be used without the file lock
 * (its @dead says whether it has been destroyed since).
 */
enum dxg_kind {
	DXG_KIND_ADAPTER = 1,
	DXG_KIND_DEVICE,
	DXG_KIND_CONTEXT,
	DXG_KIND_ALLOC,
	DXG_KIND_FENCE,
};

/**
 * struct dxg_evnode - an object the host names in events
 * @hnode: in the event table (dxg_ev_table), under dxg_ev_lock.
 * @process: the file's wire process id.
 * @host_id: the host's id of the object.
 * @epoch: the host connection of the object.
 * @kind: DXG_KIND_DEVICE or DXG_KIND_FENCE: what it is embedded in.
 */
struct dxg_evnode {
	struct hlist_node hnode;
	u64 process;
	u64 host_id;
	u64 epoch;
	enum dxg_kind kind;
};

/**
 * struct dxg_obj - what every object has
 * @ref: references: the handle table's, lookups', children's.
 * @kind: enum dxg_kind.
 * @handle: its handle, 0 while not published.
 * @host_id: the host's id (adapter handles: the wire adapter handle).
 * @dfile: the file it belongs to (not a reference: objects die first).
 * @ah: the adapter handle it was made through (itself for an adapter
 *	handle); a reference, dropped when the object is freed.
 * @parent: the device of a context, allocation or fence; the adapter
 *	handle of a device; NULL for an adapter handle.  A reference.
 * @children: objects whose @parent this is, under dxg_file.lock.
 * @node: in the parent's @children (or dxg_file.ahandles), under
 *	dxg_file.lock.
 * @dead: destroyed (unpublished); under dxg_file.lock.
 * @release: frees the kind's structure; the last reference calls it.
 */
struct dxg_obj {
	struct kref ref;
	enum dxg_kind kind;
	u64 handle;
	u64 host_id;
	struct dxg_file *dfile;
	struct dxg_ahandle *ah;
	struct dxg_obj *parent;
	struct list_head children;
	struct list_head node;
	bool dead;
	void (*release)(struct dxg_obj *obj);
};

/**
 * struct dxg_ahandle - an open adapter (DXG_ADAPTER_OPEN)
 * @obj: the object; @obj.host_id is the wire adapter handle.
 * @adapter: the adapter (a reference).
 * @submits: submissions the host accepted through it.
 * @bytes_read: bytes read from the host through its locks.
 * @bytes_written: bytes written to the host through its locks.
 * @alloc_bytes: bytes of its live allocations; under dxg_file.lock.
 * @objects: its live objects but itself; under dxg_file.lock.
 */
struct dxg_ahandle {
	struct dxg_obj obj;
	struct dxg_adapter *adapter;
	atomic64_t submits;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
	u64 alloc_bytes;
	u64 objects;
};

/**
 * struct dxg_device - a device
 * @obj: the object.
 * @ev: its entry in the event table (DEVICE events).
 * @state: the last state the host told, or LOST set by the guest;
 *	under dxg_ev_lock.  @state.state 0 means ACTIVE, never told.
 */
struct dxg_device {
	struct dxg_obj obj;
	struct dxg_evnode ev;
	struct dxg_wire_device_state state;
};

/* A context has nothing but its object. */
struct dxg_context {
	struct dxg_obj obj;
};

struct dxg_lock;

/**
 * struct dxg_alloc - an allocation
 * @obj: the object.
 * @length: its bytes.
 * @lock: the current lock, or NULL; under dxg_file.lock.
 * @busy: a lock or unlock is talking to the host; under dxg_file.lock.
 */
struct dxg_alloc {
	struct dxg_obj obj;
	u64 length;
	struct dxg_lock *lock;
	bool busy;
};

/**
 * struct dxg_lock - the guest buffer of a locked range
 * @ref: the allocation's, and each mapping fault in progress.
 * @alloc: the allocation (a reference).
 * @offset: first byte of the range in the allocation.
 * @length: bytes of the range.
 * @flags: DXG_LOCK_* of the lock.
 * @pgoff: its fake mmap offset in pages (device-unique).
 * @npages: pages of the buffer.
 * @pages: the buffer, memcg-charged.
 * @vaddr: the buffer mapped in the kernel (vmap).
 * @live: mappings may fault pages in; cleared before the buffer goes,
 *	under @fault_lock (set before the lock is in dxg_file.maps).
 * @fault_lock: orders a fault's page insertion against the clearing of
 *	@live (dxg_mmap.c).
 */
struct dxg_lock {
	struct kref ref;
	struct dxg_alloc *alloc;
	u64 offset;
	u64 length;
	u32 flags;
	unsigned long pgoff;
	unsigned int npages;
	struct page **pages;
	void *vaddr;
	bool live;
	struct mutex fault_lock;	/* orders faults against @live */
};

/**
 * struct dxg_fence - a fence
 * @obj: the object.
 * @ev: its entry in the event table.
 * @slot: its slot in the file's fence page.
 * @value: the last value seen; under dxg_ev_lock (also in the page).
 * @error: the first error a failed submission's signal carried, or 0;
 *	under dxg_ev_lock.
 * @gone: destroyed (waiters get ENOENT, exports ECANCELED); under
 *	dxg_ev_lock.
 * @exports: its exported sync_files not yet signalled, under dxg_ev_lock.
 * @context: the dma_fence context of its exports.
 */
struct dxg_fence {
	struct dxg_obj obj;
	struct dxg_evnode ev;
	u32 slot;
	u64 value;
	int error;
	bool gone;
	struct list_head exports;
	u64 context;
};

/**
 * struct dxg_file - one open /dev/dxg
 * @lock: protects the handle table, the object lists, the limits and
 *	the locks of the file.
 * @handles: handle index -> struct dxg_obj (XA_FLAGS_ALLOC1).
 * @gen: generation of the next handle.
 * @nhandles: live handles.
 * @ahandles: open adapter handles (dxg_obj.node).
 * @alloc_bytes: bytes of the file's allocations.
 * @locked_bytes: bytes of its lock buffers.
 * @maps: fake mmap page offset -> struct dxg_lock, changed under @lock;
 *	dxg_mmap() looks up under its xa_lock (mmap_lock is held there).
 * @process: its wire process id: picked at open, never reused.
 * @enum_seq: dxg_hosts.seq at its last DXG_ADAPTER_ENUM (EPOLLIN).
 * @fence_page: the fence page(s), out_fence_map_size bytes, vmalloc_user.
 * @fence_slots: slot bitmap, under dxg_ev_lock.
 * @fence_wq: woken when a fence of the file changes, or a device or the
 *	host is lost.
 * @node: in dxg_files, under dxg_files_lock.
 * @release_work: the host-side close after the last fput.
 */
struct dxg_file {
	struct mutex lock;	/* see above */
	struct xarray handles;
	u32 gen;
	unsigned int nhandles;
	struct list_head ahandles;
	u64 alloc_bytes;
	u64 locked_bytes;
	struct xarray maps;
	u64 process;
	u64 enum_seq;
	u64 *fence_page;
	unsigned long *fence_slots;
	wait_queue_head_t fence_wq;
	struct list_head node;
	struct work_struct release_work;
};

/* The host's state and adapters (dxg_adapter.c). */
struct dxg_hosts {
	struct mutex lock;	/* protects all of it */
	u64 epoch;
	bool ready;
	u16 version;
	u64 features;
	unsigned int nadapters;
	struct dxg_adapter *adapters[DXG_WIRE_MAX_ADAPTERS];
	u64 seq;
	wait_queue_head_t poll_wq;
};

extern struct dxg_hosts dxg_hosts;

/* The event table (dxg_fence.c): fences and devices by (process, id). */
extern spinlock_t dxg_ev_lock;

/* dxg_main.c */
extern struct mutex dxg_files_lock;
extern struct list_head dxg_files;

/* dxg_ioctl.c */
long dxg_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/**
 * struct dxg_ioctl_call - one ioctl as the handler sees it
 * @arg: the kernel's copy of the argument; handlers get a pointer to it.
 * @install_file: a handler that hands out an fd reserves @install_fd,
 *	puts the file here and its number in the argument: the dispatcher
 *	installs it after the argument reached user space, or undoes both.
 * @install_fd: the reserved fd, or -1.
 */
struct dxg_ioctl_call {
	u64 arg[16];
	struct file *install_file;
	int install_fd;
};

static inline struct dxg_ioctl_call *to_dxg_ioctl_call(void *arg)
{
	return container_of((u64 *)arg, struct dxg_ioctl_call, arg[0]);
}

/* dxg_handle.c */
void dxg_obj_init(struct dxg_obj *obj, enum dxg_kind kind,
		  struct dxg_file *dfile, struct dxg_obj *parent,
		  void (*release)(struct dxg_obj *obj));
int dxg_obj_publish(struct dxg_obj *obj);
struct dxg_obj *dxg_obj_get(struct dxg_file *dfile, u64 handle,
			    enum dxg_kind kind);
void dxg_obj_put(struct dxg_obj *obj);
void dxg_obj_unpublish(struct dxg_obj *obj, struct list_head *dead);
void dxg_obj_put_list(struct list_head *dead);
bool dxg_obj_lost(const struct dxg_obj *obj);
int dxg_obj_destroy(struct dxg_file *dfile, u64 handle, enum dxg_kind kind,
		    u32 op);
int dxg_handle_table_init(struct dxg_file *dfile);
void dxg_handle_table_destroy(struct dxg_file *dfile);

static inline struct dxg_ahandle *to_dxg_ahandle(struct dxg_obj *obj)
{
	return container_of(obj, struct dxg_ahandle, obj);
}

static inline struct dxg_device *to_dxg_device(struct dxg_obj *obj)
{
	return container_of(obj, struct dxg_device, obj);
}

static inline struct dxg_context *to_dxg_context(struct dxg_obj *obj)
{
	return container_of(obj, struct dxg_context, obj);
}

static inline struct dxg_alloc *to_dxg_alloc(struct dxg_obj *obj)
{
	return container_of(obj, struct dxg_alloc, obj);
}

static inline struct dxg_fence *to_dxg_fence(struct dxg_obj *obj)
{
	return container_of(obj, struct dxg_fence, obj);
}

/* The adapter an object was made through. */
static inline struct dxg_adapter *dxg_obj_adapter(const struct dxg_obj *obj)
{
	return obj->ah->adapter;
}

/* dxg_adapter.c */
int dxg_hosts_init(void);
void dxg_hosts_exit(void);

/* dxg_sysfs.c */
int dxg_sysfs_init(void);
void dxg_sysfs_exit(void);
void dxg_sysfs_adapter_add(struct dxg_adapter *adapter);
void dxg_sysfs_adapter_del(struct dxg_adapter *adapter);
extern const struct hostlink_service_ops dxg_service_ops;
void dxg_adapter_put(struct dxg_adapter *adapter);
bool dxg_adapter_lost(const struct dxg_adapter *adapter);
int dxg_errno(const struct dxg_adapter *adapter, int err);
int dxg_caps_get_ioctl(struct dxg_file *dfile, void *arg);
int dxg_adapter_enum_ioctl(struct dxg_file *dfile, void *arg);
int dxg_adapter_open_ioctl(struct dxg_file *dfile, void *arg);
int dxg_adapter_close_ioctl(struct dxg_file *dfile, void *arg);
int dxg_adapter_query_ioctl(struct dxg_file *dfile, void *arg);
void dxg_ahandle_close_host(struct dxg_file *dfile, struct dxg_ahandle *ah);
__poll_t dxg_adapter_poll(struct dxg_file *dfile);

/* dxg_device.c */
int dxg_device_create_ioctl(struct dxg_file *dfile, void *arg);
int dxg_device_destroy_ioctl(struct dxg_file *dfile, void *arg);
int dxg_device_get_state_ioctl(struct dxg_file *dfile, void *arg);
int dxg_context_create_ioctl(struct dxg_file *dfile, void *arg);
int dxg_context_destroy_ioctl(struct dxg_file *dfile, void *arg);
void dxg_device_event(const struct dxg_wire_ev_device *ev);
int dxg_device_error(struct dxg_device *dev);

/* dxg_alloc.c */
int dxg_alloc_create_ioctl(struct dxg_file *dfile, void *arg);
int dxg_alloc_destroy_ioctl(struct dxg_file *dfile, void *arg);
int dxg_alloc_lock_ioctl(struct dxg_file *dfile, void *arg);
int dxg_alloc_unlock_ioctl(struct dxg_file *dfile, void *arg);
void dxg_alloc_drop_lock(struct dxg_alloc *alloc);
void dxg_lock_put(struct dxg_lock *lk);

/* dxg_mmap.c */
int dxg_mmap_init(void);
void dxg_mmap_exit(void);
int dxg_mmap_open_file(struct file *file);
int dxg_mmap(struct file *file, struct vm_area_struct *vma);
int dxg_lock_map_init(struct dxg_file *dfile, struct dxg_lock *lk);
void dxg_lock_map_zap(struct dxg_file *dfile, struct dxg_lock *lk);

/* dxg_submit.c */
int dxg_context_submit_ioctl(struct dxg_file *dfile, void *arg);

/* dxg_fence.c */
int dxg_fence_file_init(struct dxg_file *dfile);
void dxg_fence_file_exit(struct dxg_file *dfile);
int dxg_fence_create_ioctl(struct dxg_file *dfile, void *arg);
int dxg_fence_destroy_ioctl(struct dxg_file *dfile, void *arg);
int dxg_fence_signal_ioctl(struct dxg_file *dfile, void *arg);
int dxg_fence_wait_ioctl(struct dxg_file *dfile, void *arg);
void dxg_fence_event(const struct dxg_wire_ev_fence *ev);
void dxg_fence_gone(struct dxg_fence *fence);
void dxg_fence_lost_all(u64 epoch);
int dxg_fence_mmap(struct dxg_file *dfile, struct vm_area_struct *vma);
void dxg_ev_add(struct dxg_evnode *ev);
void dxg_ev_del(struct dxg_evnode *ev);
struct dxg_evnode *dxg_ev_find(u64 process, u64 host_id);
int dxg_fence_fail_errno(const struct dxg_fence *fence);
void dxg_fence_device_lost(struct dxg_device *dev);

/* dxg_sync.c */
bool dxg_sync_supported(void);
int dxg_fence_export_sync_file_ioctl(struct dxg_file *dfile, void *arg);
void dxg_sync_signal(struct dxg_fence *fence);
u64 dxg_sync_context_alloc(void);

/* dxg_cmd.c: the host commands; each returns 0 or a negative errno. */
int dxg_cmd_hello(struct dxg_wire_hello_reply *reply,
		  struct dxg_wire_adapter *adapters);
int dxg_cmd_adapter_open(struct dxg_file *dfile, struct dxg_adapter *adapter,
			 u64 *out_id);
int dxg_cmd_adapter_close(struct dxg_file *dfile, struct dxg_ahandle *ah,
			  bool kernel);
int dxg_cmd_query(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 type,
		  void *out, size_t len);
int dxg_cmd_create(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 op,
		   const void *body, size_t len, u64 *out_id);
int dxg_cmd_destroy(struct dxg_file *dfile, struct dxg_ahandle *ah, u32 op,
		    u64 id);
int dxg_cmd_device_state(struct dxg_file *dfile, struct dxg_ahandle *ah,
			 u64 device, struct dxg_wire_device_state *out);
int dxg_cmd_lock(struct dxg_file *dfile, struct dxg_ahandle *ah,
		 const struct dxg_wire_lock *lk);
int dxg_cmd_unlock(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc);
int dxg_cmd_read(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		 u64 offset, void *buf, size_t len);
int dxg_cmd_write(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		  u64 offset, const void *buf, size_t len);
ssize_t dxg_cmd_xfer_max(void);
bool dxg_cmd_bulk_possible(void);
int dxg_cmd_bulk(struct dxg_file *dfile, struct dxg_ahandle *ah, u64 alloc,
		 u64 offset, void *buf, size_t len, bool write);
void dxg_cmd_protocol_error(const char *why);
void dxg_cmd_event_malformed(const char *why);
void dxg_cmd_exit(void);
/*
 * The chunk every conforming host takes (its frame is at least
 * DXG_WIRE_FRAME_MIN): the floor of the re-ask after EMSGSIZE.
 */
#define DXG_XFER_CHUNK_MIN	(DXG_WIRE_FRAME_MIN - DXG_WIRE_XFER_OVERHEAD)
int dxg_cmd_submit(struct dxg_file *dfile, struct dxg_ahandle *ah,
		   const void *body, size_t len, u64 *out_submit);
int dxg_cmd_fence_signal(struct dxg_file *dfile, struct dxg_ahandle *ah,
			 u64 fence, u64 value);

#endif /* _DXG_PRIV_H */
