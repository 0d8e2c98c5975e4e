// SPDX-License-Identifier: GPL-2.0-only
/*
 * Running the real hostlinkd binary from a test (see td_daemon.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/hostlink.h>

#include "td_daemon.h"

char td_dir[128];
char td_bin[512];

static void td_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The daemon is beside the tests directory, or where $HOSTLINKD says. */
int td_setup(void)
{
	const char *env = getenv("HOSTLINKD");
	const char *tmp = getenv("TMPDIR");
	char self[400];
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(td_bin, sizeof(td_bin), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return -errno;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (!slash)
			return -EINVAL;
		*slash = '\0';
		snprintf(td_bin, sizeof(td_bin), "%s/../hostlinkd", self);
	}
	if (access(td_bin, X_OK))
		return -errno;
	/* Short: unix socket paths are at most 107 bytes. */
	snprintf(td_dir, sizeof(td_dir), "%s/hld.XXXXXX",
		 tmp && strlen(tmp) < 60 ? tmp : "/tmp");
	if (!mkdtemp(td_dir))
		return -errno;
	return 0;
}

void td_cleanup(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", td_dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", td_dir);
}

int td_write(const char *name, const char *text, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/%s", td_dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/*
 * Starts hostlinkd --no-vsock --hybrid DIR/NAME plus @extra, logging to
 * DIR/NAME.log, and waits for its ready file.  0 or -errno.
 */
int td_start(struct td *d, const char *name, const char *const *extra)
{
	const char *argv[40];
	unsigned int n = 0, i;
	int status;

	snprintf(d->prefix, sizeof(d->prefix), "%s/%s", td_dir, name);
	snprintf(d->sock, sizeof(d->sock), "%s_%u", d->prefix, HOSTLINK_PORT_TEST);
	snprintf(d->log, sizeof(d->log), "%s.log", d->prefix);
	snprintf(d->ready, sizeof(d->ready), "%s.ready", d->prefix);
	argv[n++] = td_bin;
	argv[n++] = "--no-vsock";
	argv[n++] = "--hybrid";
	argv[n++] = d->prefix;
	argv[n++] = "--ready-file";
	argv[n++] = d->ready;
	argv[n++] = "--log-level";
	argv[n++] = "debug";
	argv[n++] = "--config";
	argv[n++] = "/dev/null";
	for (i = 0; extra && extra[i] && n < 39; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(td_bin, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if (!access(d->ready, F_OK))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return -ECHILD;
		}
		td_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

bool td_alive(const struct td *d)
{
	return d->pid > 0 && !kill(d->pid, 0) &&
	       waitpid(d->pid, NULL, WNOHANG) == 0;
}

/* SIGTERM, then its exit status (-1 if it did not exit by itself). */
int td_stop(struct td *d)
{
	int status, i;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		}
		td_sleep_ms(10);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return -1;
}

/* A "Vm...:" line of the daemon's /proc status (@field "VmRSS"), in KiB. */
long td_vm_kib(const struct td *d, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':' &&
		    sscanf(line + flen + 1, "%ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* How many lines of the daemon's log hold @needle. */
unsigned int td_log_count(const struct td *d, const char *needle)
{
	char line[2048];
	unsigned int n = 0;
	FILE *f = fopen(d->log, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

bool td_log_has(const struct td *d, const char *needle)
{
	return td_log_count(d, needle) > 0;
}

/* Runs @args[0] with @args, stdout and stderr into @out; its exit status. */
int td_run(const char *const *args, char *out, size_t outlen)
{
	char path[300];
	int status, fd;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/run.out", td_dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	out[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, out, outlen - 1);
		out[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
