/* SPDX-License-Identifier: GPL-2.0-only */
/* dxginfo: the JSON string writer, apart so that it can be unit-tested. */
#ifndef DXGINFO_H
#define DXGINFO_H

#include <stdio.h>

/* Write @s as a JSON string, quotes included; bad UTF-8 becomes U+FFFD. */
void dxginfo_json_string(FILE *f, const char *s);

#endif
