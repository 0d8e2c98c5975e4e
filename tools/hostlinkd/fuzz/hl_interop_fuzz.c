// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the interop service's request parser: the
 * first byte picks the op (0 and 8 are unknown ones), the rest is the
 * payload after the credential block.  What the parser accepts must
 * hold together: an OPEN's argv and env exactly as counted, NULL-ended,
 * inside one copy of the strings, each string as the protocol wants
 * it; a MAPPATH's path one string.  Accepted requests then go through
 * the environment filter, the path map and the exec policy (on a fake
 * file system), whose results are checked the same way: a mapped path
 * is normalised and below its side's directory.
 *
 * With the first byte's top bit set, the input is a sequence of
 * records instead, run through one session table on a fake spawner and
 * a fake clock: [op][len, 2 bytes LE][payload], where op 0xf0 ends the
 * oldest running fake process (payload: signaled, value) and 0xf1
 * moves the clock (payload: milliseconds, LE).  The table's answers
 * must be the documented errnos and its counts within the limits;
 * LeakSanitizer sees any session or process left behind.
 *
 * With bit 6 set instead (and bit 7 clear), the rest drives the service
 * in a daemon without sockets: hl_interop_svc_fuzz.c.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interop/hl_interop_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void hl_interop_svc_fuzz(const uint8_t *data, size_t size);

static struct hl_interop_cfg hl_fz_cfg;
static bool hl_fz_ready;

static void hl_fz_setup(void)
{
	char err[256];

	hl_interop_cfg_init(&hl_fz_cfg);
	if (hl_interop_cfg_set(&hl_fz_cfg, "interop_guests", "3", err, sizeof(err)) ||
	    hl_interop_cfg_set(&hl_fz_cfg, "interop_max_sessions", "8", err, sizeof(err)) ||
	    hl_interop_cfg_set(&hl_fz_cfg, "interop_path_map",
			       "/mnt/host:/ /home/u/win:/srv/win /home/u/win/d:/data",
			       err, sizeof(err)) ||
	    hl_interop_cfg_set(&hl_fz_cfg, "interop_allow", "/usr/bin/ls /srv/win/",
			       err, sizeof(err)))
		abort();
	hl_fz_ready = true;
}

/* Every path "exists" and resolves to itself. */
static int hl_fz_probe(void *ctx, const char *path, char *real, size_t reallen)
{
	size_t n = strlen(path);

	(void)ctx;
	if (n >= reallen)
		return -ENAMETOOLONG;
	memcpy(real, path, n + 1);
	return path[n - 1] == 'x' ? -EACCES : 0;
}

/* @path is normalised: absolute, no "//", no "." or ".." component, no trailing '/'. */
static void hl_fz_check_norm(const char *path)
{
	char again[INTEROP_WIRE_MAX_PATH];

	if (path[0] != '/' || hl_interop_path_norm(path, again, sizeof(again)) ||
	    strcmp(again, path) || strstr(path, "//") || strstr(path, "/./") ||
	    strstr(path, "/../"))
		abort();
}

/* @out, mapped from the other side, is below one of @to_guest's sides. */
static void hl_fz_check_mapped(bool to_guest, const char *out)
{
	unsigned int i;

	hl_fz_check_norm(out);
	for (i = 0; i < hl_fz_cfg.nmap; i++) {
		const char *side = to_guest ? hl_fz_cfg.map[i].guest : hl_fz_cfg.map[i].host;
		size_t n = strlen(side);

		if (n == 1 || (!strncmp(side, out, n) && (!out[n] || out[n] == '/')))
			return;
	}
	abort();
}

static void hl_fz_open(const struct hl_interop_open *o, uint32_t strings_len)
{
	struct hl_interop_user u = { "/home/h", "h", "/bin/sh" };
	const char *lo = o->mem, *hi;
	char out[INTEROP_WIRE_MAX_PATH];
	size_t total = 0;
	uint32_t i;
	char **env;
	int ret;

	hi = (const char *)o->argv[0] + strings_len;	/* the copy's end */
	for (i = 0; i < o->argc; i++) {
		if (!o->argv[i] || o->argv[i] < lo || o->argv[i] >= hi)
			abort();
		total += strlen(o->argv[i]) + 1;
	}
	if (o->argv[o->argc] || o->envv[o->envc] || !o->argv[0][0])
		abort();
	for (i = 0; i < o->envc; i++) {
		const char *eq = strchr(o->envv[i], '=');

		if (!eq || eq == o->envv[i] || o->envv[i] < lo || o->envv[i] >= hi)
			abort();
		total += strlen(o->envv[i]) + 1;
	}
	total += strlen(o->cwd) + 1;
	if (total != strings_len || (o->cwd[0] && o->cwd[0] != '/'))
		abort();
	if (!o->argc || o->argc > INTEROP_WIRE_MAX_ARGC || o->envc > INTEROP_WIRE_MAX_ENVC)
		abort();

	ret = hl_interop_env_build(&hl_fz_cfg, &u, o->envv, o->envc, &env);
	if (ret && ret != -ENOMEM)
		abort();
	if (!ret) {
		for (i = 0; env[i]; i++)
			if (!strncmp(env[i], "LD_", 3))
				abort();
		if (i < 4 || strncmp(env[3], "PATH=/usr/local/bin:", 20))
			abort();
		free(env);
	}
	if (o->cwd[0]) {
		ret = hl_interop_map_path(&hl_fz_cfg, false, o->cwd, out, sizeof(out));
		if (!ret)
			hl_fz_check_mapped(false, out);
		else if (ret != -ENOENT && ret != -ENAMETOOLONG)
			abort();
	}
	{
		struct hl_interop_probe pr = { hl_fz_probe, NULL };

		ret = hl_interop_resolve(&hl_fz_cfg, &pr, o->argv[0],
					 o->flags & INTEROP_WIRE_OPEN_F_GUEST_PATH, out,
					 sizeof(out));
		if (!ret && !hl_interop_allowed(&hl_fz_cfg, out))
			abort();
		if (ret && ret != -ENOENT && ret != -EACCES && ret != -ENAMETOOLONG)
			abort();
	}
}

/* The fake spawner: processes are heap objects, oldest first. */
struct hl_fz_proc {
	struct hl_fz_proc *next;
	bool gone;		/* its end was reported */
};

static struct hl_fz_proc *hl_fz_procs;
static unsigned int hl_fz_nprocs;

static int hl_fz_spawn(void *ctx, const struct hl_interop_spawn *sp, void **proc)
{
	struct hl_fz_proc *p, **pp;

	(void)ctx;
	if (!sp->path[0] || !sp->argv[0] || !sp->envp[3] || sp->cwd[0] != '/')
		abort();
	if (sp->argv[1] && sp->argv[1][0] == 'x')
		return -ENOEXEC;
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	for (pp = &hl_fz_procs; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	hl_fz_nprocs++;
	*proc = p;
	return 0;
}

static int hl_fz_signal(void *ctx, void *proc, int sig)
{
	(void)ctx;
	if (!proc || sig < 1 || sig > SIGRTMAX)
		abort();
	return 0;
}

static int hl_fz_resize(void *ctx, void *proc, uint16_t rows, uint16_t cols)
{
	(void)ctx;
	if (!proc || !rows || !cols)
		abort();
	return 0;
}

static void hl_fz_forget(void *ctx, void *proc)
{
	struct hl_fz_proc **pp;

	(void)ctx;
	for (pp = &hl_fz_procs; *pp; pp = &(*pp)->next)
		if (*pp == proc) {
			*pp = ((struct hl_fz_proc *)proc)->next;
			hl_fz_nprocs--;
			free(proc);
			return;
		}
	abort();	/* forgotten twice, or never spawned */
}

static const struct hl_interop_spawner hl_fz_sp = {
	.spawn = hl_fz_spawn, .signal = hl_fz_signal, .resize = hl_fz_resize,
	.forget = hl_fz_forget,
};

/* Is @ret one of @op's documented answers from the table? */
static bool hl_fz_table_errno(uint32_t op, int ret)
{
	switch (op) {
	case INTEROP_WIRE_OP_OPEN:
		return !ret || ret == -EEXIST || ret == -EUSERS || ret == -ENOENT ||
		       ret == -EACCES || ret == -EINVAL || ret == -ENAMETOOLONG ||
		       ret == -E2BIG || ret == -ENOMEM;
	case INTEROP_WIRE_OP_START:
		return !ret || ret == -ESRCH || ret == -EINVAL || ret == -ENOEXEC;
	case INTEROP_WIRE_OP_SIGNAL:
	case INTEROP_WIRE_OP_RESIZE:
		return !ret || ret == -ESRCH || ret == -EINVAL;
	case INTEROP_WIRE_OP_CLOSE:
		return !ret || ret == -ESRCH;
	}
	return false;
}

static void hl_fz_sequence(const uint8_t *data, size_t size)
{
	static const int fds[3] = { -1, 5, -1 };
	struct hl_interop_who who = { .cid = 3, .uid = 1000, .trusted = true };
	struct hl_interop_user u = { "/home/h", "h", "/bin/sh" };
	struct hl_interop_probe pr = { hl_fz_probe, NULL };
	struct interop_wire_ev_exit ev;
	struct hl_interop_table t;
	uint64_t now = 0;
	size_t off = 0;

	hl_interop_table_init(&t, &hl_fz_cfg, &pr, &hl_fz_sp, &u);
	while (size - off >= 3) {
		uint8_t op = data[off];
		uint32_t len = data[off + 1] | data[off + 2] << 8, flags;
		const uint8_t *p = data + off + 3;
		struct hl_interop_req r;
		int ret = 0;

		off += 3;
		if (len > size - off)
			break;
		off += len;
		if (op == 0xf0) {
			struct hl_fz_proc *fp;

			for (fp = hl_fz_procs; fp && fp->gone; fp = fp->next)
				;
			if (!fp || len < 2)
				continue;
			fp->gone = true;
			if (hl_interop_sess_exited(&t, fp, p[0] & 1, p[1] % 65, &ev) &&
			    (le32toh(ev.how) != INTEROP_WIRE_EXITED + (p[0] & 1) ||
			     ((p[0] & 1) && !le32toh(ev.value))))
				abort();
			continue;
		}
		if (op == 0xf1) {
			if (len >= 2)
				now += p[0] | p[1] << 8;
			hl_interop_table_tick(&t, now);
			continue;
		}
		if (hl_interop_parse(op % 9, p, len, &r))
			continue;
		switch (r.op) {
		case INTEROP_WIRE_OP_OPEN:
			ret = hl_interop_sess_open(&t, &who, &r, now, &flags);
			if (!ret && (flags & ~INTEROP_WIRE_OPENED_F_ALL))
				abort();
			break;
		case INTEROP_WIRE_OP_START:
			ret = hl_interop_sess_start(&t, r.session, fds);
			break;
		case INTEROP_WIRE_OP_SIGNAL:
			ret = hl_interop_sess_signal(&t, r.signal.session, r.signal.signo);
			break;
		case INTEROP_WIRE_OP_RESIZE:
			ret = hl_interop_sess_resize(&t, r.resize.session, r.resize.rows,
						     r.resize.cols);
			break;
		case INTEROP_WIRE_OP_CLOSE:
			ret = hl_interop_sess_close(&t, r.session, now);
			break;
		default:
			hl_interop_req_free(&r);
			continue;
		}
		if (!hl_fz_table_errno(r.op, ret) || t.nlive > hl_fz_cfg.max_sessions)
			abort();
		hl_interop_req_free(&r);
	}
	hl_interop_table_drop(&t, now);
	hl_interop_table_free(&t);
	if (hl_fz_procs)
		abort();	/* a process the table never forgot */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl_interop_req r;
	char out[INTEROP_WIRE_MAX_PATH];
	bool to_guest;
	int ret;

	if (!hl_fz_ready)
		hl_fz_setup();
	if (size < 1 || size > INTEROP_WIRE_MAX_ARG_BYTES + 4096)
		return 0;
	if (data[0] & 0x80) {
		hl_fz_sequence(data + 1, size - 1);
		return 0;
	}
	if (data[0] & 0x40) {
		hl_interop_svc_fuzz(data + 1, size - 1);
		return 0;
	}
	ret = hl_interop_parse(data[0] % 9, data + 1, size - 1, &r);
	if (ret) {
		if (ret != -EINVAL && ret != -E2BIG && ret != -EOPNOTSUPP && ret != -ENOMEM)
			abort();
		return 0;
	}
	switch (r.op) {
	case INTEROP_WIRE_OP_OPEN:
		hl_fz_open(&r.open, size - 1 - sizeof(struct interop_wire_open));
		break;
	case INTEROP_WIRE_OP_SIGNAL:
		if (!r.signal.signo || r.signal.signo > INTEROP_WIRE_SIG_MAX)
			abort();
		ret = hl_interop_sig_to_host(r.signal.signo);
		if (ret != -EINVAL && ret != (int)r.signal.signo)
			abort();
		break;
	case INTEROP_WIRE_OP_MAPPATH:
		to_guest = r.mappath.flags & INTEROP_WIRE_MAPPATH_F_TO_GUEST;
		if (strlen(r.mappath.path) + 1 + 8 != size - 1)
			abort();
		ret = hl_interop_map_path(&hl_fz_cfg, to_guest, r.mappath.path, out,
					  sizeof(out));
		if (!ret)
			hl_fz_check_mapped(to_guest, out);
		else if (ret != -ENOENT && ret != -ENAMETOOLONG)
			abort();
		break;
	}
	hl_interop_req_free(&r);
	return 0;
}
