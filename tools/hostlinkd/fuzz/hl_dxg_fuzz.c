// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the GPU service's command-buffer check: the
 * first byte picks 1 to 4 allocations and the next ones their sizes;
 * the rest is a command buffer.  A buffer the check accepts is then run
 * by the software backend on memory of exactly those sizes, so that
 * AddressSanitizer sees any range the check let through (DELAY is
 * skipped to keep runs fast), and a checked command must not fail.
 */
#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dxg/hl_dxg_engine.h"
#include "dxg/hl_dxg_soft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl_dxg_buf bufs[4];
	uint64_t sizes[4];
	uint8_t *cmds;
	unsigned int n, i;
	uint32_t off = 0, len;
	uint64_t cost;
	bool delay = false;

	if (size < 1)
		return 0;
	n = data[0] % 4 + 1;
	if (size < 1 + n)
		return 0;
	for (i = 0; i < n; i++)
		sizes[i] = 1 + (uint64_t)data[1 + i] * 3;
	data += 1 + n;
	size -= 1 + n;
	if (size > DXG_WIRE_MAX_CMDBUF + 8)
		return 0;
	len = (uint32_t)size;
	/* the engine runs a private, aligned copy; so does this */
	cmds = malloc(len + 1);
	if (!cmds)
		abort();
	memcpy(cmds, data, len);
	if (hl_dxg_cmdbuf_check(cmds, len, sizes, n, &cost)) {
		free(cmds);
		return 0;
	}
	for (i = 0; i < n; i++) {
		bufs[i].size = sizes[i];
		bufs[i].data = malloc(sizes[i]);
		if (!bufs[i].data)
			abort();
		memset(bufs[i].data, 0xa5, sizes[i]);
	}
	while (off < len) {
		const struct dxg_wire_cmd_hdr *h = (const void *)(cmds + off);

		if (le16toh(h->opcode) == DXG_WIRE_CMD_DELAY)
			delay = true;
		else if (hl_dxg_soft_ops.exec(NULL, h, bufs, n))
			abort();	/* a checked command never fails */
		off += le32toh(h->size);
	}
	/* The cost counts every command's bytes; only a DELAY saturates it. */
	if ((cost == UINT64_MAX) != delay || cost < len)
		abort();
	for (i = 0; i < n; i++)
		free(bufs[i].data);
	free(cmds);
	return 0;
}
