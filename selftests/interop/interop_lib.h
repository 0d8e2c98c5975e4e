/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the /dev/interop selftests: module setup, the ioctls as
 * calls that return 0 or -errno, and a fake interop host: the hostlink
 * fake of selftests/hostlink in a thread of its own, on a port of its
 * own, serving the control connection and the stream connections, and
 * running a few pretend programs (argv[0]):
 *
 *   exit N     exits with N at once
 *   kill N     dies of wire signal N at once
 *   cat        copies stdin to stdout, exits 0 at stdin's end
 *   hello A B  writes A to stdout and B to stderr, exits 0
 *   wait       runs until signalled (then dies of it) or closed
 *
 * and, when told, breaking the protocol one way (enum ifake_hostile).
 */
#ifndef INTEROP_LIB_H
#define INTEROP_LIB_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/interop.h>
#include <linux/interop_wire.h>

#include "hostlink_lib.h"

#define INTEROP_PATH	"/dev/interop"
#define EXEC_SYSFS	"/sys/kernel/hostlink/services/interop/exec/"
#define IPARAM		"/sys/module/interop/parameters/"

/* hostlink for the loopback host, interop for @port; 0 or -1 */
int interop_load(unsigned int port);
long long ifile_number(const char *path);
int ifile_write(const char *path, const char *value);
/* exec/<name> of the driver's sysfs */
long long iexec(const char *name);
/* until exec/<name> reaches @n, at most @ms; 0 or -1 */
int iexec_wait(const char *name, long long n, unsigned int ms);

static inline int iioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

/* A spawn's request and results. */
struct ispawn {
	struct interop_spawn s;
	char strings[4096];
};

/*
 * Fill @sp for argv (NULL-terminated) and env (NULL-terminated or
 * NULL), cwd "/", @flags; rows/cols 24x80 with PTY.
 */
void ispawn_init(struct ispawn *sp, uint32_t flags, const char *const *argv,
		 const char *const *env);
/* INTEROP_SPAWN of @sp on @fd; 0 or -errno */
int ispawn_run(int fd, struct ispawn *sp);
/* close every fd the spawn gave */
void ispawn_close(struct ispawn *sp);
/* read the session's end within ms: 0, or -errno (-ETIMEDOUT) */
int isession_wait(int sfd, struct interop_exit *ex, unsigned int ms);
/* read all of @fd to EOF into @buf (at most @max); bytes or -errno */
ssize_t iread_all(int fd, void *buf, size_t max, unsigned int ms);

enum ifake_hostile {
	IF_NONE,
	IF_TOKENS,		/* OPEN reply: a stream too many */
	IF_MISSING_TOKEN,	/* OPEN reply: stdout's token all zero */
	IF_EARLY_EXIT,		/* EXIT after OPEN, before START */
	IF_EXIT_BEFORE_REPLY,	/* EXIT, then START's reply (allowed) */
	IF_SECOND_EXIT,		/* two EXITs */
	IF_UNKNOWN_EXIT,	/* an EXIT of an unknown session, then the good one */
	IF_BAD_SIGNAL,		/* EXIT by signal 65 */
	IF_BAD_HOW,		/* EXIT of kind 7 */
	IF_REFUSE_ATTACH,	/* ATTACHED with EACCES */
	IF_SILENT_OPEN,		/* no reply to OPEN */
	IF_OPEN_ERRNO,		/* OPEN refused with ifake.open_errno */
	IF_START_ERRNO,		/* START refused with ENOENT */
	IF_OPEN_REPLY_LONG,	/* OPEN reply 8 bytes too long */
};

struct ifake_session {
	uint64_t id;
	uint32_t flags;
	char prog[16];
	char arg1[64];
	char arg2[64];
	uint8_t token[INTEROP_WIRE_STREAMS][HOSTLINK_TOKEN_LEN];
	int fd[INTEROP_WIRE_STREAMS];	/* attached streams, or -1 */
	bool started, exited, closed, used;
};

#define IFAKE_SESSIONS	64
#define IFAKE_CONNS	64

struct ifake {
	struct hl_fake hl;	/* the listener; hl.fd is the control conn */
	int port;
	pthread_t thread;
	pthread_mutex_t lock;	/* sends on the control connection */
	volatile int stop;
	volatile int hostile;	/* enum ifake_hostile, for the next OPEN */
	volatile int drop;	/* set: drop the control connection */
	uint32_t open_errno;
	uint32_t max_arg_bytes;	/* INFO's (0: the wire's) */
	int conns[IFAKE_CONNS];	/* accepted, not yet sorted out */
	struct ifake_session sess[IFAKE_SESSIONS];
	/* what the guest did */
	int accepts, infos, opens, starts, closes, signals, resizes, attaches;
	int mappaths;
	uint32_t last_signal, last_rows, last_cols;
	uint64_t last_uid;
	uint32_t last_open_flags, last_strings_len;
	char last_path[256];
};

/* listen on @port and start the thread; 0 or -1 */
int ifake_start(struct ifake *f, int port);
void ifake_stop(struct ifake *f);
/* until *counter reaches @n; 0 or -1 */
int ifake_wait(volatile int *counter, int n, unsigned int ms);
/* until the driver's INFO on the current connection has succeeded */
int ifake_wait_ready(int fd, unsigned int ms);
/*
 * The fake on @port (interop loaded with that port), /dev/interop open,
 * and this fake's INFO answered (the last test's connection may look
 * up still) within @ms: the fd, or -1 with the fake stopped.
 */
int ifake_connect(struct ifake *f, int port, unsigned int ms);
/* ifake_connect() undone: @fd (if >= 0) closed, the fake stopped */
void ifake_disconnect(struct ifake *f, int fd);

#endif
