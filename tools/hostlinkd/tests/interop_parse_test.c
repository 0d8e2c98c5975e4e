// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interop service's request parser (interop/hl_interop_parse.c):
 * every well-formed request of every op, and each malformed case of
 * Documentation/interop-protocol.rst with the errno it documents; the
 * INFO reply and version choice; signal numbers.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interop/hl_interop.h"
#include "tests/tap.h"

static uint8_t buf[INTEROP_WIRE_MAX_ARG_BYTES + 4096];

/* An OPEN: body, then @slen bytes of strings. */
static uint32_t t_open(uint64_t session, uint32_t flags, uint16_t rows, uint16_t cols,
		       uint32_t argc, uint32_t envc, const void *s, uint32_t slen)
{
	struct interop_wire_open o = {
		.session = htole64(session),
		.flags = htole32(flags),
		.rows = htole16(rows),
		.cols = htole16(cols),
		.argc = htole32(argc),
		.envc = htole32(envc),
		.strings_len = htole32(slen),
	};

	memcpy(buf, &o, sizeof(o));
	memcpy(buf + sizeof(o), s, slen);
	return sizeof(o) + slen;
}

#define S(lit) lit, sizeof(lit)		/* a literal with its final NUL */

static int t_parse(uint32_t op, uint32_t len)
{
	struct hl_interop_req r;
	int ret = hl_interop_parse(op, buf, len, &r);

	if (!ret)
		hl_interop_req_free(&r);
	return ret;
}

static void t_open_ok(void)
{
	struct hl_interop_req r;
	uint32_t len = t_open(5, INTEROP_WIRE_OPEN_F_STDERR_STREAM, 0, 0, 2, 1,
			      S("ls\0-l\0TERM=xterm\0/mnt/host/tmp"));
	int ret = hl_interop_parse(INTEROP_WIRE_OP_OPEN, buf, len, &r);

	t_ok(ret == 0, "OPEN of the documented example parses (%d)", ret);
	if (ret)
		return;
	t_ok(r.open.session == 5 && r.open.argc == 2 && r.open.envc == 1 &&
	     r.open.flags == INTEROP_WIRE_OPEN_F_STDERR_STREAM, "its fields");
	t_ok(!strcmp(r.open.argv[0], "ls") && !strcmp(r.open.argv[1], "-l") &&
	     !r.open.argv[2], "argv split and NULL-terminated");
	t_ok(!strcmp(r.open.envv[0], "TERM=xterm") && !r.open.envv[1], "env split");
	t_ok(!strcmp(r.open.cwd, "/mnt/host/tmp"), "cwd");
	memset(buf, 0, len);
	t_ok(!strcmp(r.open.argv[0], "ls"), "strings are copied, not borrowed");
	hl_interop_req_free(&r);

	len = t_open(1, 0, 0, 0, 3, 0, S("/usr/bin/printf\0\0a b\n\xc3\xa9\0"));
	ret = hl_interop_parse(INTEROP_WIRE_OP_OPEN, buf, len, &r);
	t_ok(ret == 0 && r.open.argc == 3 && !strcmp(r.open.argv[1], "") &&
	     !strcmp(r.open.argv[2], "a b\n\xc3\xa9") && !strcmp(r.open.cwd, ""),
	     "empty, spaced, newline and UTF-8 arguments byte-exact, empty cwd");
	if (!ret)
		hl_interop_req_free(&r);

	len = t_open(1, INTEROP_WIRE_OPEN_F_PTY, 24, 80, 1, 0, S("vi\0/"));
	t_ok(t_parse(INTEROP_WIRE_OP_OPEN, len) == 0, "PTY with a size");
	len = t_open(1, INTEROP_WIRE_OPEN_F_GUEST_PATH | INTEROP_WIRE_OPEN_F_STDIN_NULL,
		     0, 0, 1, 0, S("/home/u/a.exe\0"));
	t_ok(t_parse(INTEROP_WIRE_OP_OPEN, len) == 0, "GUEST_PATH absolute, STDIN_NULL");
}

static void t_open_bad(void)
{
	struct interop_wire_open *o = (void *)buf;
	uint32_t len;

#define T_BAD(want, what) do {						\
		int r_ = t_parse(INTEROP_WIRE_OP_OPEN, len);		\
		t_ok(r_ == (want), "OPEN %s: %s (%d)", what, #want, r_);	\
	} while (0)

	len = sizeof(*o) - 1;
	t_open(1, 0, 0, 0, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "shorter than its body");
	len = 0;
	T_BAD(-EINVAL, "empty");
	len = t_open(0, 0, 0, 0, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "session 0");
	len = t_open(1, 1U << 4, 0, 0, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "unknown flag");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0"));
	o->__reserved = htole32(1);
	T_BAD(-EINVAL, "reserved not 0");
	len = t_open(1, INTEROP_WIRE_OPEN_F_PTY, 0, 80, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "PTY with rows 0");
	len = t_open(1, INTEROP_WIRE_OPEN_F_PTY, 24, 0, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "PTY with cols 0");
	len = t_open(1, 0, 24, 80, 1, 0, S("ls\0"));
	T_BAD(-EINVAL, "a size without PTY");
	len = t_open(1, INTEROP_WIRE_OPEN_F_PTY | INTEROP_WIRE_OPEN_F_STDIN_NULL, 24, 80,
		     1, 0, S("ls\0"));
	T_BAD(-EINVAL, "PTY with STDIN_NULL");
	len = t_open(1, 0, 0, 0, 0, 0, S("\0"));
	T_BAD(-EINVAL, "argc 0");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0"));
	o->strings_len = htole32(le32toh(o->strings_len) + 1);
	T_BAD(-EINVAL, "strings_len above the payload");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0"));
	o->strings_len = htole32(le32toh(o->strings_len) - 1);
	T_BAD(-EINVAL, "strings_len below the payload");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0"));
	o->strings_len = htole32(0xffffffffU);
	T_BAD(-EINVAL, "strings_len 2^32-1");
	len = t_open(1, 0, 0, 0, 1, 0, "ls", 2);
	T_BAD(-EINVAL, "last byte not a NUL");
	len = t_open(1, 0, 0, 0, 1, 0, "", 0);
	T_BAD(-EINVAL, "no strings at all");
	len = t_open(1, 0, 0, 0, 2, 0, S("ls\0"));
	T_BAD(-EINVAL, "fewer strings than argc + envc + 1");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0-l\0/"));
	T_BAD(-EINVAL, "more strings than argc + envc + 1");
	len = t_open(1, 0, 0, 0, 0xffffffffU, 0xffffffffU, S("ls\0"));
	T_BAD(-EINVAL, "counts that wrap 32 bits");
	len = t_open(1, 0, 0, 0, 1, 0, S("\0"));
	T_BAD(-EINVAL, "empty argv[0]");
	len = t_open(1, 0, 0, 0, 1, 0, S("bin/ls\0"));
	T_BAD(-EINVAL, "relative argv[0] with a '/'");
	len = t_open(1, INTEROP_WIRE_OPEN_F_GUEST_PATH, 0, 0, 1, 0, S("a.exe\0"));
	T_BAD(-EINVAL, "GUEST_PATH with a bare name");
	len = t_open(1, 0, 0, 0, 1, 1, S("ls\0TERM\0"));
	T_BAD(-EINVAL, "env string without '='");
	len = t_open(1, 0, 0, 0, 1, 1, S("ls\0=x\0"));
	T_BAD(-EINVAL, "env string with an empty name");
	len = t_open(1, 0, 0, 0, 1, 0, S("ls\0tmp"));
	T_BAD(-EINVAL, "relative cwd");
	{
		static char s[INTEROP_WIRE_MAX_PATH + 8];

		/* argv[0] "/aaa..." of 4096 bytes, cwd "/". */
		memset(s, 'a', INTEROP_WIRE_MAX_PATH);
		s[0] = '/';
		memcpy(s + INTEROP_WIRE_MAX_PATH, "\0/", 3);
		len = t_open(1, 0, 0, 0, 1, 0, s, INTEROP_WIRE_MAX_PATH + 3);
		T_BAD(-EINVAL, "argv[0] of INTEROP_WIRE_MAX_PATH bytes");
		/* argv[0] "ls", cwd "/aaa..." of 4096 bytes. */
		memcpy(s, "ls\0/", 4);
		memset(s + 4, 'a', INTEROP_WIRE_MAX_PATH - 1);
		s[3 + INTEROP_WIRE_MAX_PATH] = '\0';
		len = t_open(1, 0, 0, 0, 1, 0, s, INTEROP_WIRE_MAX_PATH + 4);
		T_BAD(-EINVAL, "cwd of INTEROP_WIRE_MAX_PATH bytes");
		s[2 + INTEROP_WIRE_MAX_PATH] = '\0';
		len = t_open(1, 0, 0, 0, 1, 0, s, INTEROP_WIRE_MAX_PATH + 3);
		T_BAD(0, "cwd of INTEROP_WIRE_MAX_PATH - 1 bytes");
	}
	{
		/* Limits: one over each, otherwise well-formed: E2BIG. */
		static uint8_t s[INTEROP_WIRE_MAX_ARG_BYTES + 16];
		uint32_t n, i, k;

		/* "ls", "xxx...", cwd "/": k + 6 bytes. */
		k = INTEROP_WIRE_MAX_ARG_BYTES + 1 - 6;
		memcpy(s, "ls", 3);
		memset(s + 3, 'x', k);
		memcpy(s + 3 + k, "\0/", 3);
		len = t_open(1, 0, 0, 0, 2, 0, s, k + 6);
		T_BAD(-E2BIG, "strings of INTEROP_WIRE_MAX_ARG_BYTES + 1");
		k--;
		memcpy(s + 3 + k, "\0/", 3);
		len = t_open(1, 0, 0, 0, 2, 0, s, k + 6);
		T_BAD(0, "strings of exactly INTEROP_WIRE_MAX_ARG_BYTES");

		/* "l", n - 1 empty arguments, cwd "": n + 1 NULs. */
		n = INTEROP_WIRE_MAX_ARGC + 1;
		memset(s, 0, n + 2);
		s[0] = 'l';
		len = t_open(1, 0, 0, 0, n, 0, s, n + 2);
		T_BAD(-E2BIG, "argc INTEROP_WIRE_MAX_ARGC + 1");
		len = t_open(1, 0, 0, 0, n - 1, 0, s, n + 1);
		T_BAD(0, "argc INTEROP_WIRE_MAX_ARGC");

		/* "ls", n times "A=", cwd "". */
		for (n = INTEROP_WIRE_MAX_ENVC + 1; n >= INTEROP_WIRE_MAX_ENVC; n--) {
			memset(s, 0, 3 * n + 8);
			memcpy(s, "ls", 3);
			for (i = 0; i < n; i++)
				memcpy(s + 3 + 3 * i, "A=", 3);
			len = t_open(1, 0, 0, 0, 1, n, s, 3 + 3 * n + 1);
			if (n > INTEROP_WIRE_MAX_ENVC)
				T_BAD(-E2BIG, "envc INTEROP_WIRE_MAX_ENVC + 1");
			else
				T_BAD(0, "envc INTEROP_WIRE_MAX_ENVC");
		}
	}
#undef T_BAD
}

static void t_small_ops(void)
{
	struct interop_wire_signal sg = { .session = htole64(9), .signo = htole32(15) };
	struct interop_wire_resize rs = { .session = htole64(9), .rows = htole16(50),
					  .cols = htole16(132) };
	struct interop_wire_session ss = { .session = htole64(9) };
	struct interop_wire_info in = { .min_version = htole16(1), .max_version = htole16(1) };
	struct hl_interop_req r;
	int ret;

#define T_OP(op, obj, len_, want, what) do {				\
		int r_;							\
		memcpy(buf, &(obj), sizeof(obj));			\
		r_ = t_parse(op, len_);					\
		t_ok(r_ == (want), "%s: %s (%d)", what, #want, r_);	\
	} while (0)

	T_OP(INTEROP_WIRE_OP_INFO, in, sizeof(in), 0, "INFO");
	T_OP(INTEROP_WIRE_OP_INFO, in, sizeof(in) - 1, -EINVAL, "INFO short");
	T_OP(INTEROP_WIRE_OP_INFO, in, sizeof(in) + 1, -EINVAL, "INFO long");
	in.__reserved = htole32(1);
	T_OP(INTEROP_WIRE_OP_INFO, in, sizeof(in), -EINVAL, "INFO reserved");
	in.__reserved = 0;
	in.features = htole64(1);
	T_OP(INTEROP_WIRE_OP_INFO, in, sizeof(in), -EINVAL, "INFO unknown feature");

	T_OP(INTEROP_WIRE_OP_START, ss, sizeof(ss), 0, "START");
	T_OP(INTEROP_WIRE_OP_CLOSE, ss, sizeof(ss), 0, "CLOSE");
	T_OP(INTEROP_WIRE_OP_START, ss, sizeof(ss) - 1, -EINVAL, "START short");
	T_OP(INTEROP_WIRE_OP_CLOSE, ss, sizeof(ss) + 1, -EINVAL, "CLOSE long");
	ss.session = 0;
	T_OP(INTEROP_WIRE_OP_START, ss, sizeof(ss), -EINVAL, "START session 0");

	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), 0, "SIGNAL TERM");
	memcpy(buf, &sg, sizeof(sg));
	ret = hl_interop_parse(INTEROP_WIRE_OP_SIGNAL, buf, sizeof(sg), &r);
	t_ok(!ret && r.signal.session == 9 && r.signal.signo == 15, "SIGNAL fields");
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg) - 4, -EINVAL, "SIGNAL short");
	sg.signo = 0;
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), -EINVAL, "SIGNAL 0");
	sg.signo = htole32(65);
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), -EINVAL, "SIGNAL 65");
	sg.signo = htole32(64);
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), 0, "SIGNAL 64");
	sg.__reserved = htole32(1);
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), -EINVAL, "SIGNAL reserved");
	sg.__reserved = 0;
	sg.session = 0;
	T_OP(INTEROP_WIRE_OP_SIGNAL, sg, sizeof(sg), -EINVAL, "SIGNAL session 0");

	T_OP(INTEROP_WIRE_OP_RESIZE, rs, sizeof(rs), 0, "RESIZE");
	T_OP(INTEROP_WIRE_OP_RESIZE, rs, sizeof(rs) + 8, -EINVAL, "RESIZE long");
	rs.rows = 0;
	T_OP(INTEROP_WIRE_OP_RESIZE, rs, sizeof(rs), -EINVAL, "RESIZE rows 0");
	rs.rows = htole16(1);
	rs.cols = 0;
	T_OP(INTEROP_WIRE_OP_RESIZE, rs, sizeof(rs), -EINVAL, "RESIZE cols 0");
	rs.cols = htole16(1);
	rs.__reserved = htole32(1);
	T_OP(INTEROP_WIRE_OP_RESIZE, rs, sizeof(rs), -EINVAL, "RESIZE reserved");

	ret = hl_interop_parse(0, buf, 0, &r);
	t_ok(ret == -EOPNOTSUPP, "op 0: EOPNOTSUPP");
	ret = hl_interop_parse(INTEROP_WIRE_OP_MAPPATH + 1, buf, 8, &r);
	t_ok(ret == -EOPNOTSUPP, "op past the last: EOPNOTSUPP");
#undef T_OP
}

static uint32_t t_mappath(uint32_t flags, uint32_t plen, const void *path, uint32_t n)
{
	struct interop_wire_mappath m = { .flags = htole32(flags), .path_len = htole32(plen) };

	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), path, n);
	return sizeof(m) + n;
}

static void t_mappath_ops(void)
{
	static char longp[INTEROP_WIRE_MAX_PATH + 1];
	struct hl_interop_req r;
	uint32_t len;
	int ret;

	len = t_mappath(0, 7, S("/a/b/c"));
	ret = hl_interop_parse(INTEROP_WIRE_OP_MAPPATH, buf, len, &r);
	t_ok(!ret && !strcmp(r.mappath.path, "/a/b/c") && !r.mappath.flags, "MAPPATH");
	len = t_mappath(INTEROP_WIRE_MAPPATH_F_TO_GUEST, 2, S("/"));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == 0, "MAPPATH TO_GUEST of /");
	len = t_mappath(2, 2, S("/"));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH unknown flag");
	len = t_mappath(0, 3, S("/"));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH path_len too big");
	len = t_mappath(0, 1, S("/"));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH path_len too small");
	len = t_mappath(0, 1, "\0", 1);
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH of 1 byte");
	len = t_mappath(0, 3, S("ab"));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH relative");
	len = t_mappath(0, 4, "/ab", 3);
	len = sizeof(struct interop_wire_mappath) + 4;
	buf[len - 1] = 'x';
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH without its NUL");
	len = t_mappath(0, 5, "/a\0b", 5);
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL, "MAPPATH with an inner NUL");
	t_mappath(0, 0, "", 0);
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, 7) == -EINVAL, "MAPPATH shorter than its body");
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	len = t_mappath(0, sizeof(longp), longp, sizeof(longp));
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == -EINVAL,
	     "MAPPATH of INTEROP_WIRE_MAX_PATH + 1 bytes");
	len = t_mappath(0, sizeof(longp) - 1, longp + 1, sizeof(longp) - 1);
	buf[sizeof(struct interop_wire_mappath)] = '/';
	t_ok(t_parse(INTEROP_WIRE_OP_MAPPATH, len) == 0,
	     "MAPPATH of INTEROP_WIRE_MAX_PATH bytes");
}

static void t_info_reply(void)
{
	struct interop_wire_info_reply rep;
	struct hl_interop_cfg ic;
	struct hl_interop_req r = { .op = INTEROP_WIRE_OP_INFO };

	hl_interop_cfg_init(&ic);
	r.info.min_version = 1;
	r.info.max_version = 3;
	t_ok(hl_interop_info_reply(&r, &ic, &rep) == 0 && le16toh(rep.version) == 1 &&
	     le16toh(rep.min_version) == 1 && le16toh(rep.max_version) == 1 &&
	     le32toh(rep.max_sessions) == 128 && !rep.flags && !rep.__reserved0 &&
	     !rep.__reserved1 && le32toh(rep.max_arg_bytes) == INTEROP_WIRE_MAX_ARG_BYTES,
	     "INFO 1-3: version 1, the host's limits");
	ic.cwd_refuse = true;
	ic.max_sessions = 7;
	t_ok(hl_interop_info_reply(&r, &ic, &rep) == 0 &&
	     le32toh(rep.flags) == INTEROP_WIRE_INFO_F_CWD_REFUSE &&
	     le32toh(rep.max_sessions) == 7, "CWD_REFUSE and max_sessions told");
	r.info.min_version = 2;
	t_ok(hl_interop_info_reply(&r, &ic, &rep) == -EPROTONOSUPPORT,
	     "INFO 2-3: EPROTONOSUPPORT");
	r.info.min_version = 1;
	r.info.max_version = 0;
	t_ok(hl_interop_info_reply(&r, &ic, &rep) == -EPROTONOSUPPORT,
	     "INFO with min above max: EPROTONOSUPPORT");
	r.info.min_version = 0;
	t_ok(hl_interop_info_reply(&r, &ic, &rep) == -EPROTONOSUPPORT,
	     "INFO 0-0: EPROTONOSUPPORT");
	hl_interop_cfg_free(&ic);
}

static void t_signals(void)
{
	t_ok(hl_interop_sig_to_host(INTEROP_WIRE_SIGTERM) == SIGTERM &&
	     hl_interop_sig_to_host(INTEROP_WIRE_SIGWINCH) == SIGWINCH &&
	     hl_interop_sig_to_host(INTEROP_WIRE_SIGKILL) == SIGKILL, "wire to host");
	t_ok(hl_interop_sig_to_host(0) == -EINVAL && hl_interop_sig_to_host(65) == -EINVAL,
	     "0 and 65 refused");
	t_ok(hl_interop_sig_to_host(SIGRTMIN) == SIGRTMIN &&
	     hl_interop_sig_to_host(64) == SIGRTMAX, "real-time signals from SIGRTMIN");
	t_ok(SIGRTMIN <= 32 || hl_interop_sig_to_host(32) == -EINVAL,
	     "the C library's own real-time signals refused");
	t_ok(hl_interop_sig_to_wire(SIGINT) == INTEROP_WIRE_SIGINT &&
	     hl_interop_sig_to_wire(0) == -EINVAL && hl_interop_sig_to_wire(65) == -EINVAL,
	     "host to wire");
}

int main(void)
{
	t_open_ok();
	t_open_bad();
	t_small_ops();
	t_mappath_ops();
	t_info_reply();
	t_signals();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
