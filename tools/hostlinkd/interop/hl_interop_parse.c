// SPDX-License-Identifier: GPL-2.0-only
/*
 * interop service: requests from the wire (Documentation/
 * interop-protocol.rst).  Every length and count comes from the guest:
 * each is checked against the bytes there are before it is used, with
 * 64-bit arithmetic where a sum could wrap.  Malformed is EINVAL, over
 * a limit E2BIG, an unknown op EOPNOTSUPP; nothing else is decided
 * here.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hl_interop.h"

static uint16_t hl_get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t hl_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t hl_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static int hl_parse_info(const uint8_t *p, uint32_t len, struct hl_interop_req *r)
{
	if (len != sizeof(struct interop_wire_info))
		return -EINVAL;
	if (hl_get32(p + offsetof(struct interop_wire_info, __reserved)))
		return -EINVAL;
	r->info.min_version = hl_get16(p + offsetof(struct interop_wire_info, min_version));
	r->info.max_version = hl_get16(p + offsetof(struct interop_wire_info, max_version));
	r->info.features = hl_get64(p + offsetof(struct interop_wire_info, features));
	if (r->info.features & ~INTEROP_WIRE_FEAT_ALL)
		return -EINVAL;
	return 0;
}

/* argv[0]: not empty; a bare name, or an absolute path (always so for a guest path). */
static int hl_check_argv0(const char *s, size_t len, bool guest_path)
{
	if (!len || len >= INTEROP_WIRE_MAX_PATH)
		return -EINVAL;
	if (guest_path || memchr(s, '/', len))
		return s[0] == '/' ? 0 : -EINVAL;
	return 0;
}

/* NAME=value: NAME not empty (and so without '='). */
static int hl_check_env(const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);

	return eq && eq != s ? 0 : -EINVAL;
}

static int hl_check_cwd(const char *s, size_t len)
{
	if (!len)
		return 0;
	return s[0] == '/' && len < INTEROP_WIRE_MAX_PATH ? 0 : -EINVAL;
}

/*
 * Split @n bytes of strings into @o: exactly argc + envc + 1 NULs, the
 * last byte one of them, each string checked.  One allocation holds
 * both pointer arrays and a copy of the bytes.
 */
static int hl_split_strings(const uint8_t *s, uint32_t n, struct hl_interop_open *o)
{
	uint64_t want = (uint64_t)o->argc + o->envc + 1, nuls = 0, i;
	size_t ptrs = (size_t)o->argc + 1 + o->envc + 1;
	char **v, *copy, *str;
	uint32_t k;
	int ret;

	if (!n || s[n - 1])
		return -EINVAL;
	for (i = 0; i < n; i++)
		nuls += !s[i];
	if (nuls != want)
		return -EINVAL;
	/* Counts are now below n, itself below the frame: no overflow here. */
	v = malloc(ptrs * sizeof(*v) + n);
	if (!v)
		return -ENOMEM;
	copy = (char *)(v + ptrs);
	memcpy(copy, s, n);
	str = copy;
	for (k = 0; k < o->argc + o->envc + 1; k++) {
		size_t len = strlen(str);

		if (k == 0)
			ret = hl_check_argv0(str, len, o->flags & INTEROP_WIRE_OPEN_F_GUEST_PATH);
		else if (k < o->argc)
			ret = 0;
		else if (k < o->argc + o->envc)
			ret = hl_check_env(str, len);
		else
			ret = hl_check_cwd(str, len);
		if (ret) {
			free(v);
			return ret;
		}
		if (k < o->argc)
			v[k] = str;
		else if (k < o->argc + o->envc)
			v[k + 1] = str;
		else
			o->cwd = str;
		str += len + 1;
	}
	v[o->argc] = NULL;
	v[o->argc + 1 + o->envc] = NULL;
	o->argv = v;
	o->envv = v + o->argc + 1;
	o->mem = v;
	return 0;
}

static int hl_parse_open(const uint8_t *p, uint32_t len, struct hl_interop_req *r)
{
	struct hl_interop_open *o = &r->open;
	uint32_t strings_len;
	int ret;

	if (len < sizeof(struct interop_wire_open))
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->session = hl_get64(p + offsetof(struct interop_wire_open, session));
	o->flags = hl_get32(p + offsetof(struct interop_wire_open, flags));
	o->rows = hl_get16(p + offsetof(struct interop_wire_open, rows));
	o->cols = hl_get16(p + offsetof(struct interop_wire_open, cols));
	o->argc = hl_get32(p + offsetof(struct interop_wire_open, argc));
	o->envc = hl_get32(p + offsetof(struct interop_wire_open, envc));
	strings_len = hl_get32(p + offsetof(struct interop_wire_open, strings_len));
	if (hl_get32(p + offsetof(struct interop_wire_open, __reserved)))
		return -EINVAL;
	if (!o->session || (o->flags & ~INTEROP_WIRE_OPEN_F_ALL))
		return -EINVAL;
	if (o->flags & INTEROP_WIRE_OPEN_F_PTY) {
		if ((o->flags & INTEROP_WIRE_OPEN_F_STDIN_NULL) || !o->rows || !o->cols)
			return -EINVAL;
	} else if (o->rows || o->cols) {
		return -EINVAL;
	}
	if (!o->argc || strings_len != len - sizeof(struct interop_wire_open))
		return -EINVAL;
	ret = hl_split_strings(p + sizeof(struct interop_wire_open), strings_len, o);
	if (ret)
		return ret;
	if (strings_len > INTEROP_WIRE_MAX_ARG_BYTES || o->argc > INTEROP_WIRE_MAX_ARGC ||
	    o->envc > INTEROP_WIRE_MAX_ENVC) {
		hl_interop_req_free(r);
		return -E2BIG;
	}
	return 0;
}

static int hl_parse_session(const uint8_t *p, uint32_t len, uint32_t want,
			    uint64_t *session)
{
	if (len != want)
		return -EINVAL;
	*session = hl_get64(p);
	return *session ? 0 : -EINVAL;
}

static int hl_parse_signal(const uint8_t *p, uint32_t len, struct hl_interop_req *r)
{
	int ret = hl_parse_session(p, len, sizeof(struct interop_wire_signal),
				   &r->signal.session);

	if (ret)
		return ret;
	if (hl_get32(p + offsetof(struct interop_wire_signal, __reserved)))
		return -EINVAL;
	r->signal.signo = hl_get32(p + offsetof(struct interop_wire_signal, signo));
	if (!r->signal.signo || r->signal.signo > INTEROP_WIRE_SIG_MAX)
		return -EINVAL;
	return 0;
}

static int hl_parse_resize(const uint8_t *p, uint32_t len, struct hl_interop_req *r)
{
	int ret = hl_parse_session(p, len, sizeof(struct interop_wire_resize),
				   &r->resize.session);

	if (ret)
		return ret;
	if (hl_get32(p + offsetof(struct interop_wire_resize, __reserved)))
		return -EINVAL;
	r->resize.rows = hl_get16(p + offsetof(struct interop_wire_resize, rows));
	r->resize.cols = hl_get16(p + offsetof(struct interop_wire_resize, cols));
	return r->resize.rows && r->resize.cols ? 0 : -EINVAL;
}

static int hl_parse_mappath(const uint8_t *p, uint32_t len, struct hl_interop_req *r)
{
	const uint8_t *path = p + sizeof(struct interop_wire_mappath);
	uint32_t plen;

	if (len < sizeof(struct interop_wire_mappath))
		return -EINVAL;
	r->mappath.flags = hl_get32(p + offsetof(struct interop_wire_mappath, flags));
	plen = hl_get32(p + offsetof(struct interop_wire_mappath, path_len));
	if (r->mappath.flags & ~INTEROP_WIRE_MAPPATH_F_ALL)
		return -EINVAL;
	if (plen != len - sizeof(struct interop_wire_mappath) || plen < 2 ||
	    plen > INTEROP_WIRE_MAX_PATH)
		return -EINVAL;
	if (path[0] != '/' || memchr(path, '\0', plen) != path + plen - 1)
		return -EINVAL;
	r->mappath.path = (const char *)path;
	return 0;
}

/**
 * hl_interop_parse() - check a request's payload and take it apart
 * @op: the hostlink header's op.
 * @p: the payload after the credential block.
 * @len: its bytes.
 * @out: (out) the request; free it with hl_interop_req_free().
 *
 * Return: 0; -EOPNOTSUPP for an unknown op; -EINVAL if malformed;
 * -E2BIG for an OPEN over the protocol's limits; -ENOMEM.  On failure
 * nothing needs freeing.
 */
int hl_interop_parse(uint32_t op, const uint8_t *p, uint32_t len,
		     struct hl_interop_req *out)
{
	memset(out, 0, sizeof(*out));
	out->op = op;
	switch (op) {
	case INTEROP_WIRE_OP_INFO:
		return hl_parse_info(p, len, out);
	case INTEROP_WIRE_OP_OPEN:
		return hl_parse_open(p, len, out);
	case INTEROP_WIRE_OP_START:
	case INTEROP_WIRE_OP_CLOSE:
		return hl_parse_session(p, len, sizeof(struct interop_wire_session),
					&out->session);
	case INTEROP_WIRE_OP_SIGNAL:
		return hl_parse_signal(p, len, out);
	case INTEROP_WIRE_OP_RESIZE:
		return hl_parse_resize(p, len, out);
	case INTEROP_WIRE_OP_MAPPATH:
		return hl_parse_mappath(p, len, out);
	}
	return -EOPNOTSUPP;
}

void hl_interop_req_free(struct hl_interop_req *r)
{
	if (r->op == INTEROP_WIRE_OP_OPEN) {
		free(r->open.mem);
		r->open.mem = NULL;
		r->open.argv = r->open.envv = NULL;
		r->open.cwd = NULL;
	}
}

/**
 * hl_interop_info_reply() - the answer to a parsed INFO
 * @req: the INFO.
 * @ic: the service's configuration.
 * @out: (out) the reply, little-endian.
 *
 * Return: 0, or -EPROTONOSUPPORT when no version is common (or the
 * guest's range is inverted).
 */
int hl_interop_info_reply(const struct hl_interop_req *req,
			  const struct hl_interop_cfg *ic,
			  struct interop_wire_info_reply *out)
{
	uint16_t lo = req->info.min_version, hi = req->info.max_version;

	if (lo > hi || hi < INTEROP_WIRE_VERSION_MIN || lo > INTEROP_WIRE_VERSION_MAX)
		return -EPROTONOSUPPORT;
	if (hi > INTEROP_WIRE_VERSION_MAX)
		hi = INTEROP_WIRE_VERSION_MAX;
	*out = (struct interop_wire_info_reply){
		.version = htole16(hi),
		.min_version = htole16(INTEROP_WIRE_VERSION_MIN),
		.max_version = htole16(INTEROP_WIRE_VERSION_MAX),
		.features = htole64(req->info.features & INTEROP_WIRE_FEAT_ALL),
		.flags = htole32(ic->cwd_refuse ? INTEROP_WIRE_INFO_F_CWD_REFUSE : 0),
		.max_sessions = htole32(ic->max_sessions),
		.max_arg_bytes = htole32(INTEROP_WIRE_MAX_ARG_BYTES),
		.max_argc = htole32(INTEROP_WIRE_MAX_ARGC),
		.max_envc = htole32(INTEROP_WIRE_MAX_ENVC),
	};
	return 0;
}

/*
 * Signals: 1-31 are the same on the wire (asm-generic) and on the
 * hosts this builds for; the real-time ones are counted from each
 * side's SIGRTMIN, and those the C library keeps (below SIGRTMIN) are
 * refused.
 */
#if !(defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
	defined(__arm__) || defined(__riscv) || defined(__powerpc__) || \
	defined(__s390__) || defined(__loongarch__))
#error "map the host's signal numbers to asm-generic ones here"
#endif

/**
 * hl_interop_sig_to_host() - a wire signal number as this host's
 * @wire: 1 to INTEROP_WIRE_SIG_MAX.
 *
 * Return: the host's number, or -EINVAL for one the host cannot send.
 */
int hl_interop_sig_to_host(uint32_t wire)
{
	if (!wire || wire > INTEROP_WIRE_SIG_MAX)
		return -EINVAL;
	if (wire < INTEROP_WIRE_SIGRTMIN)
		return (int)wire;
	if ((int)wire < SIGRTMIN || (int)wire > SIGRTMAX)
		return -EINVAL;
	return (int)wire;
}

/**
 * hl_interop_sig_to_wire() - this host's signal number for the wire
 * @host: a signal that ended a program.
 *
 * Return: 1 to INTEROP_WIRE_SIG_MAX, or -EINVAL for one out of range.
 */
int hl_interop_sig_to_wire(int host)
{
	if (host < 1 || host > INTEROP_WIRE_SIG_MAX || host > SIGRTMAX)
		return -EINVAL;
	return host;
}
