// SPDX-License-Identifier: GPL-2.0-only
/* dxginfo's JSON string escaping. */
#include <stdlib.h>
#include <string.h>

#include "dxginfo.h"
#include "tap.h"

static void check(const char *in, const char *want, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	dxginfo_json_string(f, in);
	fclose(f);
	t_ok(!strcmp(buf, want), "%s: got %s", what, buf);
	free(buf);
}

int main(void)
{
	printf("TAP version 13\n");
	check("", "\"\"", "empty");
	check("soft GPU", "\"soft GPU\"", "plain");
	check("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash");
	check("\n\t\r", "\"\\n\\t\\r\"", "short escapes");
	check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "control characters");
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	      "UTF-8 kept");
	check("a\xff" "b", "\"a\\ufffdb\"", "a stray byte");
	check("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong");
	check("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "a surrogate");
	check("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "beyond U+10FFFF");
	check("x\xe2\x82", "\"x\\ufffd\\ufffd\"", "truncated at the end");
	check("/", "\"/\"", "slash unescaped");
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}
