/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mkmodimg-seal: the parts of mkmodimg that shell does badly.  Name-based
 * UUIDs, and the post-passes that make an image depend on its content
 * only: ext4 inode owners, modes and times, and the VHDX identifiers
 * and log.  See Documentation/modules-image.rst.
 *
 * Every fallible function returns 0 or a negative errno and has said
 * why on stderr, naming the file.
 */
#ifndef MODIMG_H
#define MODIMG_H

#include <stddef.h>
#include <stdint.h>

#include "hl_uuid.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

/* The namespace of Documentation/modules-image.rst. */
#define MODIMG_NAMESPACE HL_MODIMG_NAMESPACE

/* Little-endian fields at any alignment. */
static inline uint16_t modimg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t modimg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t modimg_get64(const uint8_t *p)
{
	return (uint64_t)modimg_get32(p) | (uint64_t)modimg_get32(p + 4) << 32;
}

static inline void modimg_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void modimg_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void modimg_put64(uint8_t *p, uint64_t v)
{
	modimg_put32(p, (uint32_t)v);
	modimg_put32(p + 4, (uint32_t)(v >> 32));
}

/* modimg_hash.c */
uint32_t modimg_crc32c(uint32_t crc, const void *buf, size_t len);

uint64_t modimg_xxh64(const void *buf, size_t len, uint64_t seed);

/* modimg_uuid.c; the rest of UUIDs and SHA-1 is in tools/lib/hl_uuid.h */
void modimg_uuid_to_guid(const uint8_t uuid[16], uint8_t guid[16]);

/* modimg_io.c */
__printf(3, 4)
int modimg_err(const char *file, int err, const char *fmt, ...);
int modimg_pread(int fd, const char *file, void *buf, size_t len,
		 uint64_t off);
int modimg_pwrite(int fd, const char *file, const void *buf, size_t len,
		  uint64_t off);

/* modimg_ext4.c */
int modimg_ext4_seal(const char *file, int64_t epoch);

/* modimg_vhdx.c */
int modimg_vhdx_seal(const char *file);

#endif
