/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostrun: run host programs from the guest through /dev/interop
 * (hostrun.1).  Internal interfaces between the files: hr_dev.c (the
 * device on its ioctls) or tests/hr_fake.c (a local stand-in), both
 * behind struct hr_dev_ops; hr_req.c (what is sent: argv, environment,
 * cwd, flags); hr_term.c (the local terminal); hr_signal.c (signals
 * and dying of one); hr_relay.c (the poll loop); hr_binfmt.c
 * (binfmt_misc registration); hostrun.c (the command line and the exit
 * status).
 *
 * Every fallible function returns 0 or a negative errno.
 */
#ifndef HR_HOSTRUN_H
#define HR_HOSTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/interop.h>

/* Exit statuses of hostrun's own, as env(1)'s (hostrun.1). */
enum hr_exit {
	HR_EXIT_MAPFAIL = 1,	/* --path, --guest-path: outside the map */
	HR_EXIT_FAILED = 125,	/* hostrun's own or the transport's failure */
	HR_EXIT_REFUSED = 126,	/* the host refused, or cannot run it */
	HR_EXIT_NOTFOUND = 127,	/* no such program on the host */
};

#define HR_DEVICE	"/dev/interop"
#define HR_SYSFS_SVC	"/sys/kernel/hostlink/services/interop"
#define HR_BINFMT_DIR	"/proc/sys/fs/binfmt_misc"
#define HR_BINFMT_NAME	"hostrun"
#define HR_BINFMT_INTERP "/usr/lib/hostlink/hostrun-binfmt"
#define HR_BUF_SIZE	(128U << 10)	/* each relay buffer */

extern const char *hr_prog;	/* for messages: "hostrun" */

/* HOSTRUN_DEVICE, or HR_DEVICE. */
const char *hr_device_path(void);

__attribute__((format(printf, 1, 2)))
void hr_msg(const char *fmt, ...);

/**
 * struct hr_spawn_req - one INTEROP_SPAWN, as hostrun built it
 * @flags: INTEROP_SPAWN_*.
 * @rows: with INTEROP_SPAWN_PTY, the terminal's rows; else 0.
 * @cols: its columns, or 0.
 * @argc: strings in @argv, at least 1.
 * @argv: argv[0] the program (bare name, host path or guest path).
 * @envc: strings in @envp.
 * @envp: "NAME=value" each.
 * @cwd: an absolute guest path, or "" for the host user's HOME.
 */
struct hr_spawn_req {
	uint32_t flags;
	uint16_t rows;
	uint16_t cols;
	uint32_t argc;
	char **argv;
	uint32_t envc;
	char **envp;
	const char *cwd;
};

/**
 * struct hr_session - a spawned program, as the device gave it
 * @session_fd: poll: POLLIN at the end, POLLHUP | POLLERR when the
 *	host is lost; then hr_dev_ops.wait.
 * @stdin_fd: socket to the program's stdin, or -1.
 * @stdout_fd: socket from its stdout (and stderr when merged).
 * @stderr_fd: socket from its stderr, or -1.
 * @out_flags: INTEROP_SPAWNED_*.
 * @priv: the implementation's.
 */
struct hr_session {
	int session_fd;
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	uint32_t out_flags;
	void *priv;
};

/**
 * struct hr_dev_ops - the device calls hostrun makes
 * @open: open the device.
 * @caps: INTEROP_CAPS_GET.
 * @spawn: INTEROP_SPAWN; on success every fd of @s is the caller's.
 * @map_path: INTEROP_MAP_PATH; @to_guest as INTEROP_MAP_TO_GUEST.
 * @signal: INTEROP_SESSION_SIGNAL, @signo in our numbers.
 * @resize: INTEROP_SESSION_RESIZE.
 * @wait: read() of the session fd, not waiting: 0 and @e, -EAGAIN
 *	before the end, -ENOTCONN once the host is lost.
 * @close: close the session's fds (the session fd last: that ends the
 *	host program if it still runs) and free what spawn allocated.
 * @last_error: why the host is not there, as the core says, or NULL;
 *	into @buf of @len bytes.
 *
 * Each returns 0 or a negative errno, as the ioctl's errno.
 */
struct hr_dev_ops {
	int (*open)(void);
	int (*caps)(struct interop_caps_get *caps);
	int (*spawn)(const struct hr_spawn_req *req, struct hr_session *s);
	int (*map_path)(bool to_guest, const char *in, char *out, size_t len);
	int (*signal)(struct hr_session *s, int signo);
	int (*resize)(struct hr_session *s, unsigned int rows, unsigned int cols);
	int (*wait)(struct hr_session *s, struct interop_exit *e);
	void (*close)(struct hr_session *s);
	const char *(*last_error)(char *buf, size_t len);
};

/* hr_dev.c, or tests/hr_fake.c in the test build */
extern const struct hr_dev_ops hr_dev;

/* hr_req.c */
/**
 * struct hr_opts - what the command line asked
 * @pty: 1 -t, 0 -T, -1 decide.
 * @guest_path: -g.
 * @no_stdin: -n.
 * @quiet: -q.
 * @cwd: --cwd, or NULL for getcwd().
 */
struct hr_opts {
	int pty;
	bool guest_path;
	bool no_stdin;
	bool quiet;
	const char *cwd;
};

int hr_abs_path(const char *path, bool resolve, char **out);
int hr_env_build(const char *names, char *const *environ_, char ***out,
		 uint32_t *n);
bool hr_env_wanted(const char *names, const char *var);
int hr_req_build(const struct hr_opts *o, int argc, char **argv,
		 struct hr_spawn_req *req);
void hr_req_free(struct hr_spawn_req *req);

/* hr_term.c */
bool hr_term_want_pty(int force);
bool hr_term_same_file(int a, int b);
bool hr_term_is_devnull(int fd);
void hr_term_size(uint16_t *rows, uint16_t *cols);
int hr_term_raw(void);
void hr_term_restore(void);
bool hr_term_is_raw(void);
void hr_term_stop(void);
void hr_term_resume(void);

/* hr_signal.c */
int hr_signal_setup(void);
int hr_signal_fd(void);
int hr_signal_take(void);	/* a pending signal, 0 for none */
bool hr_signal_forwarded(int signo);
__attribute__((noreturn)) void hr_die_of(int signo);

/* hr_relay.c */
/**
 * struct hr_result - how a session ended, for the exit status
 * @lost: the host was lost (or a relay failure): 125.
 * @exit: the program's end, when !@lost.
 */
struct hr_result {
	bool lost;
	struct interop_exit exit;
};

int hr_relay(struct hr_session *s, bool pty, struct hr_result *res);

/* hr_binfmt.c */
int hr_binfmt_magic(const char *hex, uint8_t *magic, size_t *len);
int hr_binfmt_line(const uint8_t *magic, size_t len, const char *interp,
		   char *out, size_t outlen);
int hr_binfmt_register(const char *dir, const uint8_t *magic, size_t len,
		       const char *interp, bool *changed);

#endif
