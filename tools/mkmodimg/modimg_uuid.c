// SPDX-License-Identifier: GPL-2.0-only
/*
 * Name-based UUIDs (version 5, RFC 9562) and the GUID byte order of
 * VHDX, where the first three fields are little-endian.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modimg.h"

static int modimg_hexval(char c)
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
int modimg_uuid_parse(const char *s, uint8_t out[16])
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
		hi = modimg_hexval(s[i]);
		lo = modimg_hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = hi << 4 | lo;
		i += 2;
	}
	return 0;
}

void modimg_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

void modimg_uuid5(const uint8_t ns[16], const void *name, size_t len,
		  uint8_t out[16])
{
	struct modimg_sha1 s;
	uint8_t d[MODIMG_SHA1_LEN];

	modimg_sha1_init(&s);
	modimg_sha1_update(&s, ns, 16);
	modimg_sha1_update(&s, name, len);
	modimg_sha1_final(&s, d);
	memcpy(out, d, 16);
	out[6] = (out[6] & 0x0f) | 0x50;
	out[8] = (out[8] & 0x3f) | 0x80;
}

/* The same identifier as VHDX stores a GUID. */
void modimg_uuid_to_guid(const uint8_t u[16], uint8_t g[16])
{
	g[0] = u[3];
	g[1] = u[2];
	g[2] = u[1];
	g[3] = u[0];
	g[4] = u[5];
	g[5] = u[4];
	g[6] = u[7];
	g[7] = u[6];
	memcpy(g + 8, u + 8, 8);
}
