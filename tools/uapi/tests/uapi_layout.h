/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UAPI contract tests' first pass (dxg_uapi_test.c,
 * interop_uapi_test.c): a header's layout, written once as a list of
 * X_ARG(type, size), X_SIZE(type, size), X_OFF(type, field, offset) and
 * X_U64(type, field), becomes compile-time asserts where the list is
 * expanded after this header, so a drifted layout does not build.
 * uapi_tap.h then redefines the X_ macros to report the same list in
 * TAP.  Include after the header under test and <stddef.h>.
 */
#ifndef UAPI_LAYOUT_H
#define UAPI_LAYOUT_H

/* Size of a structure, a multiple of 8 and at most 8-aligned. */
#define A_SIZE(type, sz)						\
	_Static_assert(sizeof(struct type) == (sz),			\
		       #type " is not " #sz " bytes");		\
	_Static_assert(sizeof(struct type) % 8 == 0,			\
		       #type " is not a multiple of 8 bytes");		\
	_Static_assert(_Alignof(struct type) <= 8, #type " alignment")

#define A_OFF(type, field, off)						\
	_Static_assert(offsetof(struct type, field) == (off),		\
		       #type "." #field " is not at " #off)

/* An ioctl argument: size at 0 and flags at 4, both __u32. */
#define A_ARG(type, sz)							\
	A_SIZE(type, sz);						\
	A_OFF(type, size, 0);						\
	A_OFF(type, flags, 4);						\
	_Static_assert(sizeof(((struct type *)0)->size) == 4, #type);	\
	_Static_assert(sizeof(((struct type *)0)->flags) == 4, #type)

#define A_U64(type, field)						\
	_Static_assert(sizeof(((struct type *)0)->field) == 8,		\
		       #type "." #field " is not 64-bit");		\
	_Static_assert(offsetof(struct type, field) % 8 == 0,		\
		       #type "." #field " is not 8-aligned")

#define X_ARG(type, sz)		A_ARG(type, sz);
#define X_SIZE(type, sz)	A_SIZE(type, sz);
#define X_OFF(type, field, off)	A_OFF(type, field, off);
#define X_U64(type, field)	A_U64(type, field);

#endif /* UAPI_LAYOUT_H */
