// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: loading through libkmod, the way modprobe and
 * systemd-modules-load do (dependencies, blacklist, built-in and live
 * modules, install commands), and, when the kernel refuses, the reason
 * in plain words with the kernel log lines that explain it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "modload.h"

#define ML_KMSG_MAX_LINES	20
#define ML_KMSG_LINE		512

static void ml_kmod_log(void *data, int priority, const char *file, int line,
			const char *fn, const char *fmt, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	if (ml_verbosity < 3)
		return;
	fputs("modload: libkmod: ", stderr);
	vfprintf(stderr, fmt, args);
}

/* One context for the run: the running kernel's tree and modprobe.d. */
struct kmod_ctx *ml_ctx_new(void)
{
	struct kmod_ctx *ctx;

	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return NULL;
	kmod_set_log_fn(ctx, ml_kmod_log, NULL);
	kmod_set_log_priority(ctx, ml_verbosity >= 3 ? LOG_DEBUG : LOG_ERR);
	/* Without the binary indexes libkmod falls back to the text files. */
	kmod_load_resources(ctx);
	return ctx;
}

/* How many modules NAME resolves to (name, alias, built-in); < 0 error. */
int ml_lookup_count(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	int err, n = 0;

	err = kmod_module_new_from_lookup(ctx, name, &list);
	if (err < 0)
		return err;
	kmod_list_foreach(l, list)
		n++;
	kmod_module_unref_list(list);
	return n;
}

const char *ml_result_name(enum ml_result res)
{
	switch (res) {
	case ML_RES_LOADED:
		return "loaded";
	case ML_RES_LIVE:
		return "live";
	case ML_RES_BUILTIN:
		return "built-in";
	case ML_RES_INSTALL:
		return "install";
	case ML_RES_BLACKLISTED:
		return "blacklisted";
	case ML_RES_FAILED:
		return "failed";
	case ML_RES_NOTFOUND:
		return "not-found";
	}
	return "?";
}

/* The kernel log since a mark: /dev/kmsg records, or a plain file. */
struct ml_kmsg {
	int fd;
	char lines[ML_KMSG_MAX_LINES][ML_KMSG_LINE];
	unsigned int n, total;
	bool any_match;
};

static void ml_kmsg_mark(struct ml_kmsg *k)
{
	k->n = k->total = 0;
	k->any_match = false;
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd >= 0 && lseek(k->fd, 0, SEEK_END) < 0) {
		close(k->fd);
		k->fd = -1;
	}
}

/* "pri,seq,usec,flags;text" -> text; continuation lines are dropped. */
static const char *ml_kmsg_text(const char *rec)
{
	const char *semi;

	if (rec[0] == ' ')
		return NULL;
	semi = strchr(rec, ';');
	return semi ? semi + 1 : rec;
}

static bool ml_mentions(const char *text, const char *name)
{
	char a[ML_NAME_MAX + 1], b[ML_NAME_MAX + 1];
	size_t i;

	for (i = 0; name[i] && i < ML_NAME_MAX; i++) {
		a[i] = name[i] == '-' ? '_' : name[i];
		b[i] = name[i] == '_' ? '-' : name[i];
	}
	a[i] = b[i] = '\0';
	return strstr(text, a) || strstr(text, b);
}

static void ml_kmsg_keep(struct ml_kmsg *k, const char *text, const char *name)
{
	bool match = ml_mentions(text, name);

	k->total++;
	if (match && !k->any_match) {
		/* The first line that names the module: forget the others. */
		k->any_match = true;
		k->n = 0;
	}
	if (k->any_match && !match)
		return;
	if (k->n < ML_KMSG_MAX_LINES)
		snprintf(k->lines[k->n++], ML_KMSG_LINE, "%s", text);
}

/*
 * Read what the kernel logged since the mark.  /dev/kmsg gives one
 * record per read and EAGAIN at the end, EPIPE when records were
 * overwritten; a plain file (tests) gives many lines per read and EOF.
 */
static void ml_kmsg_collect(struct ml_kmsg *k, const char *name)
{
	char buf[8192], *line, *nl;
	size_t have = 0;
	ssize_t r;

	if (k->fd < 0)
		return;
	for (;;) {
		r = read(k->fd, buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && errno == EPIPE)
			continue;
		if (r <= 0)
			break;
		have += r;
		buf[have] = '\0';
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			const char *text;

			*nl = '\0';
			text = ml_kmsg_text(line);
			if (text)
				ml_kmsg_keep(k, text, name);
		}
		have = strlen(line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* a record longer than the buffer */
	}
	close(k->fd);
	k->fd = -1;
}

static bool ml_kmsg_has(const struct ml_kmsg *k, const char *needle)
{
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (strstr(k->lines[i], needle))
			return true;
	return false;
}

static bool ml_modules_disabled(void)
{
	char buf[16];
	size_t len;

	if (ml_read_small("/proc/sys/kernel/modules_disabled", buf,
			  sizeof(buf) - 1, &len))
		return false;
	buf[len] = '\0';
	return atoi(buf) == 1;
}

/* Is name (either spelling) in module_blacklist= on the command line? */
static bool ml_cmdline_denies(const char *name, char *list, size_t listlen)
{
	char buf[4096], *tok, *save, *item, *s2;
	size_t len;

	if (ml_read_small("/proc/cmdline", buf, sizeof(buf) - 1, &len))
		return false;
	buf[len] = '\0';
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(tok, "module_blacklist=", 17))
			continue;
		snprintf(list, listlen, "%s", tok);
		for (item = strtok_r(tok + 17, ",", &s2); item;
		     item = strtok_r(NULL, ",", &s2)) {
			char a[ML_NAME_MAX + 1];
			size_t i;

			for (i = 0; name[i] && i < ML_NAME_MAX; i++)
				a[i] = name[i] == '-' ? '_' : name[i];
			a[i] = '\0';
			for (i = 0; item[i]; i++)
				if (item[i] == '-')
					item[i] = '_';
			if (!strcmp(a, item))
				return true;
		}
	}
	return false;
}

/* Plain words for a refusal: errno first, the kernel's words second. */
static void ml_reason(int err, const char *name, const struct ml_kmsg *k,
		      struct ml_outcome *out)
{
	char list[512];
	const char *why;

	if (err == -EPERM && ml_modules_disabled()) {
		why = "module loading is disabled (/proc/sys/kernel/modules_disabled = 1)";
	} else if (err == -EPERM && ml_cmdline_denies(name, list, sizeof(list))) {
		snprintf(out->reason, sizeof(out->reason),
			 "deny-listed by the kernel command line (%.400s)", list);
		return;
	} else if (err == -EKEYREJECTED || err == -ENOKEY || err == -EBADMSG ||
		   ml_kmsg_has(k, "module verification failed") ||
		   ml_kmsg_has(k, "Loading of unsigned module") ||
		   ml_kmsg_has(k, "Key was rejected")) {
		why = "bad signature: the kernel rejected the module's signature or key (unsigned, or signed by a key it does not trust)";
	} else if (err == -ENOEXEC || ml_kmsg_has(k, "version magic") ||
		   ml_kmsg_has(k, "disagrees about version of symbol")) {
		why = "wrong kernel version: the module was built for another kernel (version magic or symbol versions do not match)";
	} else if (err == -ENOENT && ml_kmsg_has(k, "Unknown symbol")) {
		why = "unknown symbol: the module needs symbols this kernel does not export (built for another kernel, or a dependency is missing)";
	} else if (err == -ENOENT) {
		why = "unknown symbol or unknown parameter";
	} else if (err == -EINVAL && ml_kmsg_has(k, "nknown parameter")) {
		why = "unknown module parameter";
	} else if (err == -ENODEV) {
		why = "no such device: the driver found no hardware it supports";
	} else if (err == -EPERM) {
		why = "not permitted (kernel lockdown, or no CAP_SYS_MODULE)";
	} else {
		snprintf(out->reason, sizeof(out->reason),
			 "the kernel refused it: %s", strerror(-err));
		return;
	}
	snprintf(out->reason, sizeof(out->reason), "%s", why);
}

static void ml_print_action(struct kmod_module *m, bool install,
			    const char *options)
{
	(void)options;
	if (install)
		ml_debug("install %s: %s\n", kmod_module_get_name(m),
			 kmod_module_get_install_commands(m));
	else
		ml_debug("insmod %s\n", kmod_module_get_path(m));
}

/*
 * What an install command of modprobe.d did.  libkmod hands it to
 * ml_run_install instead of running it itself, so that its outcome is
 * known here and said in words.
 */
struct ml_install {
	const char *target;		/* the module asked for */
	char mod[ML_NAME_MAX + 1];	/* whose command ran last */
	char cmd[320];
	int status;			/* exit status, or -1 */
	int sig;			/* the signal that killed it, or 0 */
	int err;			/* could not be run: negative errno */
	bool target_ran;		/* the target's own command succeeded */
	bool failed;
};

/*
 * Run an install command as modprobe does (libkmod's command_do):
 * /bin/sh -c CMD with MODPROBE_MODULE set.  Returns 0 when it exited 0.
 */
static int ml_run_install(struct kmod_module *m, const char *cmdline,
			  void *data)
{
	struct ml_install *in = data;
	const char *name = kmod_module_get_name(m);
	int status;
	pid_t pid;

	snprintf(in->mod, sizeof(in->mod), "%s", name);
	snprintf(in->cmd, sizeof(in->cmd), "%s", cmdline);
	in->status = -1;
	in->sig = 0;
	in->err = 0;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		in->err = -errno;
		in->failed = true;
		return in->err;
	}
	if (pid == 0) {
		setenv("MODPROBE_MODULE", name, 1);
		execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			in->err = -errno;
			in->failed = true;
			return in->err;
		}
	}
	if (WIFEXITED(status))
		in->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		in->sig = WTERMSIG(status);
	if (in->status != 0) {
		in->failed = true;
		return -ECANCELED;
	}
	if (!strcmp(name, in->target))
		in->target_ran = true;
	return 0;
}

/* The words for an install command that failed. */
static void ml_install_reason(const struct ml_install *in,
			      struct ml_outcome *out)
{
	char whose[ML_NAME_MAX + 8] = "", how[128];

	if (strcmp(in->mod, in->target))
		snprintf(whose, sizeof(whose), " of %s", in->mod);
	if (in->err)
		snprintf(how, sizeof(how), "could not be run: %s",
			 strerror(-in->err));
	else if (in->sig)
		snprintf(how, sizeof(how), "was killed by signal %d (%s)",
			 in->sig, strsignal(in->sig));
	else
		snprintf(how, sizeof(how), "exited with status %d", in->status);
	snprintf(out->reason, sizeof(out->reason),
		 "the install command `%.300s`%s (modprobe.d) %s", in->cmd,
		 whose, how);
}

static void ml_kmsg_show(const struct ml_kmsg *k)
{
	unsigned int i;

	if (!k->n)
		return;
	fprintf(stderr, "  kernel log%s:\n",
		k->any_match ? "" : " (nothing names the module; all new lines)");
	for (i = 0; i < k->n; i++)
		fprintf(stderr, "    %s\n", k->lines[i]);
	if (!k->any_match && k->total > k->n)
		fprintf(stderr, "    ... %u more\n", k->total - k->n);
}

/*
 * Load one module of a lookup and check it is live afterwards.
 * Returns the result; out->reason says why on failure.
 */
static enum ml_result ml_load_one(struct kmod_module *m, const char *asked,
				  struct ml_outcome *out)
{
	struct ml_install in = { .target = kmod_module_get_name(m) };
	struct ml_kmsg k;
	int state, err;

	state = kmod_module_get_initstate(m);
	if (state == KMOD_MODULE_BUILTIN)
		return ML_RES_BUILTIN;
	if (state == KMOD_MODULE_LIVE)
		return ML_RES_LIVE;
	ml_kmsg_mark(&k);
	err = kmod_module_probe_insert_module(m, KMOD_PROBE_APPLY_BLACKLIST,
					      NULL, ml_run_install, &in,
					      ml_print_action);
	if (err == KMOD_PROBE_APPLY_BLACKLIST) {
		if (k.fd >= 0)
			close(k.fd);
		snprintf(out->reason, sizeof(out->reason),
			 "blacklisted in modprobe.d: not loaded");
		return ML_RES_BLACKLISTED;
	}
	if (in.failed) {
		/* The kernel was not asked: no kernel log to show. */
		if (k.fd >= 0)
			close(k.fd);
		ml_install_reason(&in, out);
		fprintf(stderr, "modload: %s: %s\n", asked, out->reason);
		return ML_RES_FAILED;
	}
	if (err < 0 && err != -EEXIST) {
		ml_kmsg_collect(&k, kmod_module_get_name(m));
		ml_reason(err, asked, &k, out);
		fprintf(stderr, "modload: %s: %s\n", asked, out->reason);
		ml_kmsg_show(&k);
		return ML_RES_FAILED;
	}
	if (k.fd >= 0)
		close(k.fd);
	state = kmod_module_get_initstate(m);
	if (state == KMOD_MODULE_LIVE)
		return ML_RES_LOADED;
	if (state == KMOD_MODULE_BUILTIN)
		return ML_RES_BUILTIN;
	if (in.target_ran) {
		/* modprobe.d said to run this instead: done, as modprobe. */
		snprintf(out->reason, sizeof(out->reason),
			 "install command `%.300s` ran, as modprobe.d says",
			 in.cmd);
		return ML_RES_INSTALL;
	}
	snprintf(out->reason, sizeof(out->reason),
		 "the kernel took %s but it is not live (%s)",
		 kmod_module_get_name(m),
		 state == KMOD_MODULE_COMING ? "still coming" :
		 state == KMOD_MODULE_GOING ? "going away" : "not loaded");
	fprintf(stderr, "modload: %s: %s\n", asked, out->reason);
	return ML_RES_FAILED;
}

/*
 * Ensure name (a module name or alias) is live or built in.  A lookup
 * that matches several modules (an alias) loads them all; the worst
 * result wins.
 */
void ml_load(struct kmod_ctx *ctx, const char *name, const char *release,
	     struct ml_outcome *out)
{
	struct kmod_list *list = NULL, *l;
	enum ml_result worst = ML_RES_LIVE, res;
	bool any = false;
	int err;

	out->reason[0] = '\0';
	err = kmod_module_new_from_lookup(ctx, name, &list);
	if (err < 0) {
		snprintf(out->reason, sizeof(out->reason),
			 "module lookup failed: %s", strerror(-err));
		fprintf(stderr, "modload: %s: %s\n", name, out->reason);
		out->res = ML_RES_FAILED;
		return;
	}
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		any = true;
		res = ml_load_one(m, name, out);
		kmod_module_unref(m);
		/* LOADED < LIVE < BUILTIN by preference, then refusals. */
		if (res >= ML_RES_BLACKLISTED || worst >= ML_RES_BLACKLISTED) {
			if (res > worst)
				worst = res;
		} else if (res == ML_RES_LOADED || worst == ML_RES_LOADED) {
			worst = ML_RES_LOADED;
		} else {
			worst = res;
		}
	}
	kmod_module_unref_list(list);
	if (!any) {
		snprintf(out->reason, sizeof(out->reason),
			 "no module %s in /lib/modules/%s nor in an attached modules image",
			 name, release);
		worst = ML_RES_NOTFOUND;
	}
	out->res = worst;
}

/* Where a requested name stands now: live, built-in, not loaded... */
const char *ml_state_now(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	const char *now = "not loaded";
	int state, best = -1;

	if (!ctx || kmod_module_new_from_lookup(ctx, name, &list) < 0)
		return "unknown";
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		state = kmod_module_get_initstate(m);
		kmod_module_unref(m);
		if (state == KMOD_MODULE_BUILTIN)
			best = KMOD_MODULE_BUILTIN;
		else if (state == KMOD_MODULE_LIVE && best != KMOD_MODULE_BUILTIN)
			best = KMOD_MODULE_LIVE;
		else if (state >= 0 && best < 0)
			best = state;
	}
	kmod_module_unref_list(list);
	if (best == KMOD_MODULE_BUILTIN)
		now = "built-in";
	else if (best == KMOD_MODULE_LIVE)
		now = "live";
	else if (best == KMOD_MODULE_COMING)
		now = "coming";
	else if (best == KMOD_MODULE_GOING)
		now = "going";
	return now;
}
