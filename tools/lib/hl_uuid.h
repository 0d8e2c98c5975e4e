/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-1 and name-based UUIDs, for mkmodimg and modload (hl_uuid.c).
 * UUIDs are 16 bytes in RFC 9562 (big-endian) order.
 */
#ifndef HL_UUID_H
#define HL_UUID_H

#include <stddef.h>
#include <stdint.h>

/* The namespace of modules image UUIDs (Documentation/modules-image.rst). */
#define HL_MODIMG_NAMESPACE "a9332c83-b204-4f1d-aeb0-cf90210f7ac8"

#define HL_SHA1_LEN 20
struct hl_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
};

void hl_sha1_init(struct hl_sha1 *s);
void hl_sha1_update(struct hl_sha1 *s, const void *data, size_t len);
void hl_sha1_final(struct hl_sha1 *s, uint8_t out[HL_SHA1_LEN]);
void hl_sha1(const void *data, size_t len, uint8_t out[HL_SHA1_LEN]);

int hl_uuid_parse(const char *s, uint8_t out[16]);
void hl_uuid_format(const uint8_t uuid[16], char out[37]);
void hl_uuid5(const uint8_t ns[16], const void *name, size_t len,
	      uint8_t out[16]);

#endif /* HL_UUID_H */
