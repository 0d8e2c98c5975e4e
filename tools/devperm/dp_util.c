// SPDX-License-Identifier: GPL-2.0-only
/* devperm's error message and small helpers. */
#include <stdarg.h>
#include <stdio.h>

#include "devperm.h"

int dp_verbose;
static char dp_errbuf[512];

const char *dp_err(void)
{
	return dp_errbuf;
}

int dp_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dp_errbuf, sizeof(dp_errbuf), fmt, ap);
	va_end(ap);
	return err;
}

void dp_perm_str(unsigned int perm, char out[4])
{
	out[0] = perm & DP_PERM_R ? 'r' : '-';
	out[1] = perm & DP_PERM_W ? 'w' : '-';
	out[2] = perm & DP_PERM_X ? 'x' : '-';
	out[3] = '\0';
}
