/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UAPI contract tests' second pass: the X_ list of uapi_layout.h
 * reported in TAP, and the ioctl table check.  A table of struct
 * t_ioctl (T_IOCTL(name, nr, direction, struct)) must encode the type
 * byte, its documented number, direction and structure size, no two
 * sharing a command or a number, the numbers 0 to count - 1 without a
 * gap, and leave 0x7f free (the modules test probes it for ENOTTY); the
 * checker is also run on broken copies, to show it fails them.
 * Include after uapi_layout.h, <string.h> and tap.h.
 */
#ifndef UAPI_TAP_H
#define UAPI_TAP_H

#undef X_ARG
#undef X_SIZE
#undef X_OFF
#undef X_U64
#define X_ARG(type, sz)							\
	t_ok(sizeof(struct type) == (sz) &&				\
	     offsetof(struct type, size) == 0 &&			\
	     offsetof(struct type, flags) == 4,				\
	     "struct " #type " is %zu bytes, size and flags first",	\
	     sizeof(struct type));
#define X_SIZE(type, sz)						\
	t_ok(sizeof(struct type) == (sz), "struct " #type " is %zu bytes", \
	     sizeof(struct type));
#define X_OFF(type, field, off)						\
	t_ok(offsetof(struct type, field) == (off), "%s.%s at offset %zu", \
	     #type, #field, offsetof(struct type, field));
#define X_U64(type, field)						\
	t_ok(sizeof(((struct type *)0)->field) == 8 &&			\
	     offsetof(struct type, field) % 8 == 0,			\
	     "%s.%s is an aligned 64-bit field", #type, #field);

enum t_dir { T_W = _IOC_WRITE, T_WR = _IOC_READ | _IOC_WRITE };

struct t_ioctl {
	const char *name;
	unsigned long cmd;
	unsigned int nr;	/* the documented number */
	unsigned int dir;	/* the documented direction */
	size_t size;		/* its structure's size */
};

#define T_IOCTL(name, nr, dir, type) \
	{ #name, name, nr, dir, sizeof(struct type) }

#define T_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Check a table of ioctls of type byte @type.  Returns the number of
 * problems; with @report, one TAP line per ioctl.
 */
static unsigned int t_check_ioctls(const struct t_ioctl *t, size_t n,
				   unsigned int type, int report)
{
	unsigned int bad = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		unsigned long c = t[i].cmd;
		int ok = _IOC_TYPE(c) == type &&
			 _IOC_NR(c) == t[i].nr && t[i].nr < 0x40 &&
			 _IOC_DIR(c) == t[i].dir &&
			 _IOC_SIZE(c) == t[i].size;

		for (j = 0; j < i; j++)
			if (t[j].cmd == c || _IOC_NR(t[j].cmd) == _IOC_NR(c))
				ok = 0;
		if (!ok)
			bad++;
		if (report)
			t_ok(ok, "%s: type '%c', nr 0x%02x, %s, %u bytes, unique",
			     t[i].name, (char)_IOC_TYPE(c), (unsigned int)_IOC_NR(c),
			     _IOC_DIR(c) == T_WR ? "_IOWR" :
			     _IOC_DIR(c) == T_W ? "_IOW" : "?",
			     (unsigned int)_IOC_SIZE(c));
	}
	return bad;
}

/* The table of @n (at least 3) ioctls numbered 0 to @count - 1. */
static void t_check_numbers(const struct t_ioctl *t, size_t n,
			    unsigned int count, unsigned int type)
{
	unsigned int nrs = 0, other = type == 'X' ? 'Y' : 'X';
	struct t_ioctl broken[3];
	unsigned long c;
	size_t i;

	t_check_ioctls(t, n, type, 1);
	for (i = 0; i < n; i++)
		nrs |= 1U << _IOC_NR(t[i].cmd);
	t_ok(nrs == (1U << count) - 1, "numbers 0x00-0x%02x, no gap", count - 1);

	/* The checker itself: each kind of mistake must be caught. */
	memcpy(broken, t, sizeof(broken));
	broken[2].cmd = broken[1].cmd;
	broken[2].nr = broken[1].nr;
	broken[2].size = broken[1].size;
	t_ok(t_check_ioctls(broken, 3, type, 0) == 1, "checker fails a duplicate");
	memcpy(broken, t, sizeof(broken));
	c = broken[1].cmd;
	broken[1].cmd = _IOC(_IOC_READ, type, _IOC_NR(c), _IOC_SIZE(c));
	t_ok(t_check_ioctls(broken, 3, type, 0) == 1, "checker fails a direction");
	memcpy(broken, t, sizeof(broken));
	broken[1].cmd = _IOC(_IOC_DIR(c), type, _IOC_NR(c), _IOC_SIZE(c) + 8);
	t_ok(t_check_ioctls(broken, 3, type, 0) == 1, "checker fails a size");
	memcpy(broken, t, sizeof(broken));
	c = broken[0].cmd;
	broken[0].cmd = _IOC(_IOC_DIR(c), other, _IOC_NR(c), _IOC_SIZE(c));
	t_ok(t_check_ioctls(broken, 3, type, 0) == 1, "checker fails a type byte");
	t_ok(t_check_ioctls(t, 3, type, 0) == 0, "checker passes good ones");

	for (i = 0; i < n; i++)
		if (_IOC_NR(t[i].cmd) == 0x7f)
			break;
	t_ok(i == n, "nr 0x7f is not an ioctl");
}

#endif /* UAPI_TAP_H */
