// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GUID byte order of VHDX, where the first three fields of a UUID
 * are little-endian (the UUIDs themselves: tools/lib/hl_uuid.c).
 */
#include <string.h>

#include "modimg.h"

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
