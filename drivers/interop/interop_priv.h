/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * interop: private declarations shared by the driver's files.
 *
 *   interop_main.c     module init, module parameters, /dev/interop and
 *                      the ioctl dispatch of both kinds of file
 *   interop_host.c     the host's state: INFO at connection up, limits,
 *                      INTEROP_CAPS_GET, host loss
 *   interop_spawn.c    INTEROP_SPAWN: strings, policy, OPEN, the
 *                      streams, START, the fds
 *   interop_session.c  sessions: the table, the session fd (read, poll,
 *                      SIGNAL, RESIZE, release), EXIT events, loss
 *   interop_signal.c   signal numbers between the caller and the wire
 *   interop_sysfs.c    counters under /sys/kernel/hostlink/services/
 *                      interop/exec/
 *   interop_cmd.c      the host commands: the only file that calls
 *                      hostlink
 *
 * Lock order, outer first:
 *
 *   interop_host.lock        (mutex) host state, limits, epoch
 *   interop_sessions_lock    (mutex) the session table; held across
 *                            the shutdown of a lost session's streams
 *     interop_session.lock   (spinlock) one session's state
 *
 * No interop lock is held across a host call (interop_cmd_*): the EXIT
 * handler runs inside whichever caller drains the control connection,
 * and takes interop_sessions_lock and interop_session.lock.
 */
#ifndef _INTEROP_PRIV_H
#define _INTEROP_PRIV_H

#include <linux/hashtable.h>
#include <linux/hostlink.h>
#include <linux/mutex.h>
#include <linux/semaphore.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/interop.h>
#include <uapi/linux/interop_wire.h>

struct file;
struct socket;

/* Module parameters (interop_main.c). */
extern bool interop_enabled;
extern bool interop_allow_namespaced;
extern unsigned int interop_max_sessions;	/* per uid */
extern unsigned int interop_max_arg_bytes;
extern unsigned int interop_timeout_ms;		/* host calls, ATTACH */

/* Spawns between OPEN and START at once, at most. */
#define INTEROP_MAX_SETUPS	4

extern struct hostlink_service interop_service;
extern struct workqueue_struct *interop_wq;
extern struct semaphore interop_setup_sem;

/* Counters in /sys/kernel/hostlink/services/interop/exec/. */
struct interop_stats {
	atomic64_t infos;		/* INFOs that succeeded */
	atomic64_t spawns;		/* INTEROP_SPAWNs that succeeded */
	atomic64_t spawn_failures;	/* those that failed after OPEN */
	atomic64_t exits;		/* EXIT events taken */
	atomic64_t events_dropped;	/* EXITs of sessions being closed */
	atomic64_t closes;		/* CLOSEs sent */
	atomic64_t lost;		/* sessions lost with the host */
	atomic64_t protocol_errors;	/* replies and events refused */
};

extern struct interop_stats interop_stats;

/**
 * struct interop_limits - what the host's interop service said, as of
 *	one control connection
 * @epoch: the control connection's number, bumped at each "up".
 * @ready: INFO succeeded on connection @epoch.
 * @version: the interop version INFO agreed.
 * @flags: INTEROP_WIRE_INFO_F_* of its reply.
 * @max_sessions: the host's limits, from INFO.
 * @max_arg_bytes: the host's limits, from INFO.
 * @max_argc: the host's limits, from INFO.
 * @max_envc: the host's limits, from INFO.
 *
 * interop_host_limits() gives a consistent copy.
 */
struct interop_limits {
	u64 epoch;
	bool ready;
	u16 version;
	u32 flags;
	u32 max_sessions;
	u32 max_arg_bytes;
	u32 max_argc;
	u32 max_envc;
};

/**
 * struct interop_host - the host's interop service
 * @lock: protects the fields below.
 * @lim: what it said.
 * @connected: the control connection is up (INFO may not be done).
 * @stopping: module exit has begun: no more INFO.
 * @info_work: sends INFO after the connection came up.
 */
struct interop_host {
	struct mutex lock;	/* see above */
	struct interop_limits lim;
	bool connected;
	bool stopping;
	struct work_struct info_work;
};

extern struct interop_host interop_host;

enum interop_session_state {
	INTEROP_SESSION_SETUP,		/* between registration and START */
	INTEROP_SESSION_RUNNING,	/* started, no EXIT yet */
	INTEROP_SESSION_EXITED,		/* @exit holds its end */
	INTEROP_SESSION_LOST,		/* @err says why */
	INTEROP_SESSION_CLOSING,	/* released: EXITs dropped */
};

/**
 * struct interop_session - one host program
 * @hnode: in the session table, under interop_sessions_lock.
 * @id: the wire session id, never reused.
 * @uid: the owner (the spawning task's euid).
 * @epoch: the host connection it was opened on.
 * @flags: its INTEROP_SPAWN_* flags.
 * @lock: protects @state, @err, @exit and @start_sent.
 * @state: enum interop_session_state.
 * @err: why it was lost: -ENOTCONN (host loss) or -EPROTO.
 * @exit: how it ended, in the caller's numbers (EXITED).
 * @host_open: an OPEN went out for it: the host may have it.
 * @start_sent: its START went out: an EXIT may come.
 * @files: its stream files (stdin, stdout, stderr) or NULL; a
 *	reference each, set during the spawn, dropped at the end.
 * @socks: their sockets, valid while @files holds them.
 * @wq: readers and pollers of the session fd.
 * @close_work: CLOSE on the host and the end of the session.
 */
struct interop_session {
	struct hlist_node hnode;
	u64 id;
	kuid_t uid;
	u64 epoch;
	u32 flags;
	spinlock_t lock;	/* see above */
	enum interop_session_state state;
	int err;
	struct interop_exit exit;
	bool host_open;
	bool start_sent;
	struct file *files[INTEROP_WIRE_STREAMS];
	struct socket *socks[INTEROP_WIRE_STREAMS];
	wait_queue_head_t wq;
	struct work_struct close_work;
};

/**
 * struct interop_ioctl_call - one ioctl as a handler sees it
 * @arg: the kernel's copy of the argument; handlers get a pointer to it.
 * @nfiles: files to install once the argument reached user space.
 * @files: those files.
 * @fds: their reserved fd numbers, already in the argument.
 */
struct interop_ioctl_call {
	u64 arg[8];
	unsigned int nfiles;
	struct file *files[1 + INTEROP_WIRE_STREAMS];
	int fds[1 + INTEROP_WIRE_STREAMS];
};

static inline struct interop_ioctl_call *to_interop_ioctl_call(void *arg)
{
	return container_of((u64 *)arg, struct interop_ioctl_call, arg[0]);
}

/* interop_main.c */
int interop_permitted(void);
long interop_ioctl_dispatch(unsigned int cmd, unsigned long arg, void *priv,
			    bool session);

/* interop_host.c */
extern const struct hostlink_service_ops interop_service_ops;
void interop_host_init(void);
void interop_host_exit(void);
void interop_host_limits(struct interop_limits *lim);
u32 interop_arg_bytes_max(const struct interop_limits *lim);
int interop_caps_get_ioctl(void *arg);
int interop_map_path_ioctl(void *arg);

/* interop_spawn.c */
int interop_spawn_ioctl(void *arg);

/* interop_session.c */
extern const struct file_operations interop_session_fops;
struct interop_session *interop_session_new(u32 flags, u64 epoch,
					    unsigned int max_per_uid);
void interop_session_end(struct interop_session *sess);
void interop_session_add_stream(struct interop_session *sess, unsigned int i,
				struct file *file, struct socket *sock);
int interop_session_state(struct interop_session *sess);
void interop_session_exit_event(const struct interop_wire_ev_exit *ev);
void interop_sessions_lost(void);
unsigned int interop_sessions_count(void);
int interop_session_ioctl_call(void *priv, unsigned int nr, void *arg);

/* interop_signal.c */
int interop_signal_to_wire(int signo);
int interop_signal_from_wire(u32 wsig);

/* interop_sysfs.c */
int interop_sysfs_init(void);
void interop_sysfs_exit(void);

/* interop_cmd.c: the host commands; each returns 0 or a negative errno. */
void interop_cmd_protocol_error(const char *why);
int interop_cmd_info(struct interop_wire_info_reply *reply);
int interop_cmd_open(struct interop_session *sess, const void *strings,
		     u32 len, u32 argc, u32 envc, u16 rows, u16 cols,
		     struct interop_wire_open_reply *reply);
int interop_cmd_attach(const u8 *token, struct socket **sockp);
int interop_cmd_start(struct interop_session *sess);
int interop_cmd_signal(struct interop_session *sess, u32 wsig);
int interop_cmd_resize(struct interop_session *sess, u16 rows, u16 cols);
int interop_cmd_close(struct interop_session *sess);
int interop_cmd_mappath(u32 flags, const char *path, u32 len, char *out,
			size_t *out_len);

#endif /* _INTEROP_PRIV_H */
