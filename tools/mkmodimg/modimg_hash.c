// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hashes: CRC-32C (ext4 metadata checksums, VHDX headers) and a fast
 * 64-bit hash for the VHDX content digest (SHA-1 is in tools/lib).
 * Plain C, no library.
 */
#include <string.h>

#include "modimg.h"

static uint32_t modimg_crc32c_table[256];

static void modimg_crc32c_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78 : 0);
		modimg_crc32c_table[i] = c;
	}
}

/*
 * The raw CRC-32C update, as the kernel's crc32c() and ext4 use it: no
 * inversion on entry or exit.  VHDX wants ~modimg_crc32c(~0, ...).
 */
uint32_t modimg_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!modimg_crc32c_table[1])
		modimg_crc32c_init();
	while (len--)
		crc = modimg_crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/*
 * A 64-bit hash in the design of XXH64 (four multiply-rotate lanes, then
 * an avalanche): it runs at memory speed where SHA-256 here runs at 100
 * MB/s.  It only fingerprints chunks of an image we wrote; SHA-1 over
 * the fingerprints makes the digest.  Not for anything adversarial.
 */
#define MODIMG_P1 0x9e3779b185ebca87ULL
#define MODIMG_P2 0xc2b2ae3d27d4eb4fULL
#define MODIMG_P3 0x165667b19e3779f9ULL
#define MODIMG_P4 0x85ebca77c2b2ae63ULL
#define MODIMG_P5 0x27d4eb2f165667c5ULL

static inline uint64_t modimg_rol64(uint64_t v, unsigned int n)
{
	return v << n | v >> (64 - n);
}

static inline uint64_t modimg_xxh_round(uint64_t acc, uint64_t lane)
{
	acc += lane * MODIMG_P2;
	return modimg_rol64(acc, 31) * MODIMG_P1;
}

static inline uint64_t modimg_xxh_merge(uint64_t h, uint64_t v)
{
	h ^= modimg_xxh_round(0, v);
	return h * MODIMG_P1 + MODIMG_P4;
}

uint64_t modimg_xxh64(const void *buf, size_t len, uint64_t seed)
{
	const uint8_t *p = buf, *end = p + len;
	uint64_t h, v1, v2, v3, v4;

	if (len >= 32) {
		v1 = seed + MODIMG_P1 + MODIMG_P2;
		v2 = seed + MODIMG_P2;
		v3 = seed;
		v4 = seed - MODIMG_P1;
		for (; end - p >= 32; p += 32) {
			v1 = modimg_xxh_round(v1, modimg_get64(p));
			v2 = modimg_xxh_round(v2, modimg_get64(p + 8));
			v3 = modimg_xxh_round(v3, modimg_get64(p + 16));
			v4 = modimg_xxh_round(v4, modimg_get64(p + 24));
		}
		h = modimg_rol64(v1, 1) + modimg_rol64(v2, 7) +
		    modimg_rol64(v3, 12) + modimg_rol64(v4, 18);
		h = modimg_xxh_merge(h, v1);
		h = modimg_xxh_merge(h, v2);
		h = modimg_xxh_merge(h, v3);
		h = modimg_xxh_merge(h, v4);
	} else {
		h = seed + MODIMG_P5;
	}
	h += len;
	for (; end - p >= 8; p += 8) {
		h ^= modimg_xxh_round(0, modimg_get64(p));
		h = modimg_rol64(h, 27) * MODIMG_P1 + MODIMG_P4;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)modimg_get32(p) * MODIMG_P1;
		h = modimg_rol64(h, 23) * MODIMG_P2 + MODIMG_P3;
		p += 4;
	}
	for (; p < end; p++) {
		h ^= *p * MODIMG_P5;
		h = modimg_rol64(h, 11) * MODIMG_P1;
	}
	h ^= h >> 33;
	h *= MODIMG_P2;
	h ^= h >> 29;
	h *= MODIMG_P3;
	h ^= h >> 32;
	return h;
}
