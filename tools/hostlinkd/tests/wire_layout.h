/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Layout checks of the wire tests (dxg_wire_test.c, interop_wire_test.c):
 * each asserted at build time, so a drifted structure does not build,
 * and reported in TAP.  Include after <stddef.h> and tap.h.
 */
#ifndef HL_WIRE_LAYOUT_H
#define HL_WIRE_LAYOUT_H

/* Size of a structure, a multiple of 8 and at most 8-aligned. */
#define T_SIZE(type, size) do {						\
	_Static_assert(sizeof(struct type) == (size),			\
		       #type " is not " #size " bytes");		\
	_Static_assert(sizeof(struct type) % 8 == 0,			\
		       #type " is not a multiple of 8 bytes");		\
	_Static_assert(_Alignof(struct type) <= 8, #type " alignment");	\
	t_ok(sizeof(struct type) == (size), "struct " #type " is %zu bytes", \
	     sizeof(struct type));					\
} while (0)

/* Offset of a field, the same way. */
#define T_OFF(type, field, off) do {					\
	_Static_assert(offsetof(struct type, field) == (off),		\
		       #type "." #field " is not at " #off);		\
	t_ok(offsetof(struct type, field) == (off),			\
	     "%s.%s at offset %zu", #type, #field,			\
	     offsetof(struct type, field));				\
} while (0)

#endif /* HL_WIRE_LAYOUT_H */
