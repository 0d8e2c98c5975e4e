/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interop service's session table (hl_interop_session.c): the
 * sessions of one control connection, from OPEN to CLOSE, and what the
 * protocol says about each state.  I/O-free: processes are started,
 * signalled and resized through struct hl_interop_spawner (the real
 * one posix_spawns; tests and the fuzzer put a fake), time comes in as
 * an argument (the daemon's clock), and the I/O layer reports a
 * program's end with hl_interop_sess_exited().
 */
#ifndef HL_INTEROP_SESSION_H
#define HL_INTEROP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "hl_interop.h"
#include "../hl_list.h"

/* An unstarted session goes this long after its OPEN. */
#define HL_INTEROP_UNSTARTED_MS	10000

/*
 * What a spawn needs; the strings are the session's, the fds the
 * caller's (stdin, stdout, stderr streams; -1 for none: stdin is then
 * /dev/null, stderr goes where stdout goes).  With a pty the program's
 * stdin and stdout are the pty, and fds[0] and fds[1] are the caller's
 * to relay.
 */
struct hl_interop_spawn {
	int fds[3];
	const char *path;		/* the resolved program */
	char *const *argv;
	char *const *envp;
	const char *cwd;		/* a host directory */
	uint32_t flags;			/* INTEROP_WIRE_OPEN_F_* */
	uint16_t rows, cols;
};

/**
 * struct hl_interop_spawner - how processes are started and reached
 * @spawn: start @sp; 0 with the process's handle in @proc, or -errno
 *	(the exec's: -ENOENT, -EACCES, -ENOEXEC, ...).
 * @signal: send host signal @sig to @proc's process group; 0 or -errno.
 * @resize: set @proc's pty to @rows by @cols; 0 or -errno.
 * @forget: the table no longer needs @proc (after its exit was
 *	reported, or when a closed one is dropped unreported).
 * @ctx: for all of them.
 *
 * What the service (hl_interop_svc.c) needs beyond the table's, after
 * @ctx so that the table's tests can leave them out:
 * @pidfd: an fd that polls readable once @proc has ended, or -1.
 * @pty: @proc's pty master, or -1.
 * @reap: collect @proc once ended: 0 with how it ended, -EAGAIN while it
 *	runs, another -errno.
 * @pid: @proc's pid, for the logs.
 */
struct hl_interop_spawner {
	int (*spawn)(void *ctx, const struct hl_interop_spawn *sp, void **proc);
	int (*signal)(void *ctx, void *proc, int sig);
	int (*resize)(void *ctx, void *proc, uint16_t rows, uint16_t cols);
	void (*forget)(void *ctx, void *proc);
	void *ctx;
	int (*pidfd)(void *ctx, void *proc);
	int (*pty)(void *ctx, void *proc);
	int (*reap)(void *ctx, void *proc, bool *signaled, int *value);
	int (*pid)(void *ctx, void *proc);
};

enum hl_interop_state {
	HL_INTEROP_OPENED,		/* waiting for START */
	HL_INTEROP_FAILED,		/* START failed: nothing runs */
	HL_INTEROP_RUNNING,
	HL_INTEROP_EXITED,		/* its EXIT is out */
};

/* One session; the strings hang off @open.mem and @env. */
struct hl_interop_sess {
	struct hl_list node;		/* in hl_interop_table.live */
	uint64_t id;
	enum hl_interop_state state;
	struct hl_interop_open open;
	char path[INTEROP_WIRE_MAX_PATH];	/* the resolved program */
	char cwd[INTEROP_WIRE_MAX_PATH];	/* host cwd */
	char **env;
	void *proc;			/* RUNNING and closed-but-running */
	uint64_t opened_ms;
	uint64_t kill_at_ms;		/* closed: SIGKILL then, if still there */
};

/* Who asked, as the core saw it. */
struct hl_interop_who {
	uint32_t cid;
	uint32_t uid;
	bool trusted;			/* the connection's credentials are */
	bool kernel;			/* HOSTLINK_F_KERNEL: no task's */
};

/**
 * struct hl_interop_table - the sessions of one control connection
 * @live: sessions between OPEN and CLOSE.
 * @closing: closed sessions whose program still runs: SIGHUP sent,
 *	SIGKILL due at kill_at_ms.
 * @nlive: entries of @live, against interop_max_sessions.
 * @cfg: the service's configuration.
 * @probe: the file system, for the exec policy.
 * @sp: the spawner.
 * @user: the host user programs run as.
 */
struct hl_interop_table {
	struct hl_list live;
	struct hl_list closing;
	unsigned int nlive;
	const struct hl_interop_cfg *cfg;
	const struct hl_interop_probe *probe;
	const struct hl_interop_spawner *sp;
	struct hl_interop_user user;
};

void hl_interop_table_init(struct hl_interop_table *t, const struct hl_interop_cfg *cfg,
			   const struct hl_interop_probe *probe,
			   const struct hl_interop_spawner *sp,
			   const struct hl_interop_user *user);
void hl_interop_table_drop(struct hl_interop_table *t, uint64_t now_ms);
void hl_interop_table_free(struct hl_interop_table *t);
int hl_interop_sess_open(struct hl_interop_table *t, const struct hl_interop_who *who,
			 struct hl_interop_req *req, uint64_t now_ms,
			 uint32_t *opened_flags);
int hl_interop_sess_start(struct hl_interop_table *t, uint64_t id, const int fds[3]);
int hl_interop_sess_signal(struct hl_interop_table *t, uint64_t id, uint32_t wire_sig);
int hl_interop_sess_resize(struct hl_interop_table *t, uint64_t id, uint16_t rows,
			   uint16_t cols);
int hl_interop_sess_close(struct hl_interop_table *t, uint64_t id, uint64_t now_ms);
bool hl_interop_sess_exited(struct hl_interop_table *t, void *proc, bool signaled,
			    int value, struct interop_wire_ev_exit *ev);
uint64_t hl_interop_table_tick(struct hl_interop_table *t, uint64_t now_ms);
struct hl_interop_sess *hl_interop_sess_find(struct hl_interop_table *t, uint64_t id);

/*
 * hl_interop_spawn.c: the real spawner, posix_spawn(3) as the daemon's
 * own user: a new session, no signal blocked, every signal at its
 * default, no fd but 0-2, a pty when asked.  hl_interop_spawner_posix
 * execs the program itself; hl_interop_spawner_daemon goes through
 * the daemon's own binary (hl_interop_exec_helper()), which asks for
 * SIGKILL at its parent's death (PR_SET_PDEATHSIG) before it execs the
 * program: the program dies with the daemon, even by SIGKILL, provided
 * the spawning thread lives as long as the daemon (the event loop's).
 */
extern const struct hl_interop_spawner hl_interop_spawner_posix;
extern const struct hl_interop_spawner hl_interop_spawner_daemon;
#define HL_INTEROP_EXEC_ARG	"--interop-exec"
int hl_interop_exec_helper(int argc, char **argv);
int hl_interop_proc_pidfd(const void *proc);
int hl_interop_proc_pty(const void *proc);
int hl_interop_proc_reap(void *proc, bool *signaled, int *value);

#endif /* HL_INTEROP_SESSION_H */
