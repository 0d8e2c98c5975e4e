/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the real hostlinkd binary from a test: start it on hybrid
 * vsock sockets in a temporary directory, wait until it is ready, stop
 * it, read its RSS and its log.
 */
#ifndef TD_DAEMON_H
#define TD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct td {
	pid_t pid;
	char prefix[256];	/* --hybrid */
	char sock[300];		/* prefix_<test port> */
	char log[300];
	char ready[300];
};

extern char td_dir[128];
extern char td_bin[512];

int td_setup(void);
void td_cleanup(void);
int td_start(struct td *d, const char *name, const char *const *extra);
int td_stop(struct td *d);
bool td_alive(const struct td *d);
long td_vm_kib(const struct td *d, const char *field);
unsigned int td_log_count(const struct td *d, const char *needle);
bool td_log_has(const struct td *d, const char *needle);
int td_run(const char *const *args, char *out, size_t outlen);
int td_write(const char *name, const char *text, char *path, size_t pathlen);

#endif /* TD_DAEMON_H */
