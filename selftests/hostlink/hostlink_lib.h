/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the hostlink channel selftests: the test device, sysfs of
 * a service, a fake host speaking the wire protocol (well or badly), and
 * the real hostlinkd as a child process.
 */
#ifndef HOSTLINK_LIB_H
#define HOSTLINK_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/hostlink.h>
#include <linux/hostlink_test.h>
#include <linux/vm_sockets.h>

/* modprobe the modules the tests need; 0 or -1 */
int hl_load_modules(void);
/* rmmod hostlink_test, the drivers on the core if loaded, and the core */
int hl_unload_modules(void);

/* /dev/hostlink_test bound to a host port; returns the fd, *id its n */
int hl_bind(int port, const char *remote, unsigned int *id);
/* 0 once connected within ms, else -errno */
int hl_wait(int fd, unsigned int ms);
/* one request; 0 or -errno; *out_len the reply length */
int hl_call(int fd, uint32_t op, uint32_t flags, uint32_t timeout_ms,
	    const void *req, size_t req_len, void *resp, size_t resp_max,
	    size_t *out_len);
/* an extra connection; returns the socket fd or -errno */
int hl_stream(int fd, const uint8_t *token, uint32_t timeout_ms);
int hl_stats(int fd, struct hostlink_test_stats *st);
/* hostlink_max_payload() of the bound service; >= 0 or -errno */
long long hl_max_payload(int fd);

/* /sys/kernel/hostlink/services/test-<id>/<attr>, newline stripped */
int hl_sysfs(unsigned int id, const char *attr, char *buf, size_t len);
long long hl_stat(unsigned int id, const char *counter);
/* counter has reached want within ms (polled): 0, or -ETIMEDOUT */
int hl_stat_reaches(unsigned int id, const char *counter, long long want,
		    unsigned int ms);
/* wait until sysfs state reads @state; 0 or -1 */
int hl_wait_state(unsigned int id, const char *state, unsigned int ms);

/* wait until sysfs @attr starts with @prefix; 0 or -1; the value in @buf */
int hl_wait_sysfs(unsigned int id, const char *attr, const char *prefix,
		  char *buf, size_t len, unsigned int ms);

/* a port of our own for this test process */
int hl_port(void);
uint64_t hl_now_ms(void);

/* A fake host on AF_VSOCK. */
struct hl_fake {
	int lfd;		/* listener */
	int fd;			/* the accepted connection, or -1 */
	struct sockaddr_vm peer;
	struct hostlink_hello hello;
};

int hl_fake_listen(struct hl_fake *f, int port);
/* accept within ms; 0 or -1 */
int hl_fake_accept(struct hl_fake *f, unsigned int ms);
/* read a frame within ms: 0, -ETIMEDOUT, -ECONNRESET (EOF), -EPROTO */
int hl_fake_read(struct hl_fake *f, struct hostlink_hdr *hdr, void *buf,
		 size_t max, unsigned int ms);
/* accept and read HELLO into f->hello; 0 or -1 */
int hl_fake_hello(struct hl_fake *f, unsigned int ms);
/* accept, read HELLO and answer WELCOME with status/version; 0 or -1 */
int hl_fake_handshake(struct hl_fake *f, uint32_t status, uint16_t version,
		      const char *message, unsigned int ms);
/* write a frame, header fields as given */
int hl_fake_send(struct hl_fake *f, uint8_t version, uint8_t type,
		 uint32_t op, uint64_t id, uint32_t status, const void *data,
		 size_t len);
int hl_fake_write(struct hl_fake *f, const void *data, size_t len);
void hl_fake_drop(struct hl_fake *f);	/* close the connection */
void hl_fake_close(struct hl_fake *f);	/* and the listener */

/*
 * Write @buf to @fd a byte every @gap_ms (then nothing) until the peer
 * closes; the ms that took, or -1 if it did not close within @max_ms.
 */
long long hl_drip(int fd, const void *buf, size_t len, unsigned int gap_ms,
		  unsigned int max_ms);

/*
 * The real daemon ($HOSTLINKD, else next to $VMTEST_TOOLS), started with
 * --allow-loopback on @port plus the space-separated @extra arguments;
 * returns once it is listening, or -1.
 */
pid_t hl_daemon_start(int port, const char *extra);
/*
 * The real daemon with @argv (argv[0] its name), waited for until it
 * creates the file @ready (its --ready-file) or 10 s pass: its pid, or
 * -1 (it exited, or was killed for being late).
 */
pid_t hl_daemon_spawn(char *const argv[], const char *ready);
/*
 * hl_daemon_spawn() as the user @uid (its gid the same number, no
 * supplementary groups), its stderr appended to @log unless NULL.
 */
pid_t hl_daemon_spawn_as(char *const argv[], const char *ready, uid_t uid,
			 const char *log);
/* kill with @sig and reap; exit status or -1 */
int hl_daemon_stop(pid_t pid, int sig);

/*
 * A user @name of uid and gid @uid with @home and @shell, in /etc/passwd
 * and /etc/group unless there already: for the VM, whose root is an
 * overlay that ends with the boot.  0, or -1 if it cannot be added or
 * the name has another uid.
 */
int hl_user_ensure(const char *name, uid_t uid, const char *home, const char *shell);

/*
 * Fault injection for the calling task through fail-nth (the debug
 * kernel's FAULT_INJECTION): the fault attributes' debugfs knobs, and
 * arming the n-th fault site of the task's next calls.
 */
#define HL_NTH_PATH	"/proc/thread-self/fail-nth"
#define HL_NTH_DEBUGFS	"/sys/kernel/debug"
/* VMTEST_DEBUG is set: the kernel must have fault injection */
bool hl_nth_required(void);
/* @attr (failslab, fail_page_alloc) knob @file := @val; 0 or -errno */
int hl_nth_knob(const char *attr, const char *file, const char *val);
/* its value, the newline stripped; 0 or -errno */
int hl_nth_knob_read(const char *attr, const char *file, char *val, size_t len);
/*
 * fail-nth and debugfs's failslab are there (debugfs mounted if need
 * be): 0, or -ENOENT with @why saying which is missing.
 */
int hl_nth_available(char *why, size_t len);
/*
 * Every allocation of this task that @attr covers, sleeping ones too,
 * fails when fail-nth says so, and quietly; nothing fails by chance
 * (no task has make-it-fail).  0, or -errno with @why.
 */
int hl_nth_inject(const char *attr, char *why, size_t len);
/* fail-nth (@fd) armed for the @n-th site; 0 or -errno */
int hl_nth_arm(int fd, unsigned int n);
/*
 * Disarmed; true if the armed fault was reached (fail-nth read 0),
 * false if the calls ended before their n-th site.
 */
bool hl_nth_disarm(int fd);

#endif
