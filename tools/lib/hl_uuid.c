// SPDX-License-Identifier: GPL-2.0-only
/*
 * SHA-1 (FIPS 180-4) and name-based UUIDs (RFC 9562, version 5), shared
 * by mkmodimg, which names a modules image, and modload, which looks
 * for it: both must compute the same UUID from a kernel release.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hl_uuid.h"

static inline uint32_t hl_rol32(uint32_t v, unsigned int n)
{
	return v << n | v >> (32 - n);
}

static void hl_sha1_block(struct hl_sha1 *s, const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = hl_rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = hl_rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = hl_rol32(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

void hl_sha1_init(struct hl_sha1 *s)
{
	static const uint32_t iv[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
}

void hl_sha1_update(struct hl_sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t fill = s->len % 64, n;

	s->len += len;
	if (fill) {
		n = 64 - fill < len ? 64 - fill : len;
		memcpy(s->buf + fill, p, n);
		p += n;
		len -= n;
		if (fill + n < 64)
			return;
		hl_sha1_block(s, s->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		hl_sha1_block(s, p);
	memcpy(s->buf, p, len);
}

void hl_sha1_final(struct hl_sha1 *s, uint8_t out[HL_SHA1_LEN])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = 64 - (s->len + 8) % 64;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = bits >> (56 - 8 * i);
	hl_sha1_update(s, pad, padlen + 8);
	for (i = 0; i < 5; i++) {
		out[4 * i] = s->h[i] >> 24;
		out[4 * i + 1] = s->h[i] >> 16;
		out[4 * i + 2] = s->h[i] >> 8;
		out[4 * i + 3] = s->h[i];
	}
}

void hl_sha1(const void *data, size_t len, uint8_t out[HL_SHA1_LEN])
{
	struct hl_sha1 s;

	hl_sha1_init(&s);
	hl_sha1_update(&s, data, len);
	hl_sha1_final(&s, out);
}

static int hl_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to 16 bytes; -EINVAL if not. */
int hl_uuid_parse(const char *s, uint8_t out[16])
{
	int i, n = 0, hi, lo;

	if (strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hl_hexval(s[i]);
		lo = hl_hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = hi << 4 | lo;
		i += 2;
	}
	return 0;
}

void hl_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

void hl_uuid5(const uint8_t ns[16], const void *name, size_t len,
	     uint8_t out[16])
{
	struct hl_sha1 s;
	uint8_t d[HL_SHA1_LEN];

	hl_sha1_init(&s);
	hl_sha1_update(&s, ns, 16);
	hl_sha1_update(&s, name, len);
	hl_sha1_final(&s, d);
	memcpy(out, d, 16);
	out[6] = (out[6] & 0x0f) | 0x50;
	out[8] = (out[8] & 0x3f) | 0x80;
}
