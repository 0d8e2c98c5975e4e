/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The software backend of the GPU service: allocations are host
 * buffers, commands run on the engine's worker threads, small buffers
 * inline (struct hl_dxg_backend_ops.inline_bytes).
 */
#ifndef HL_DXG_SOFT_H
#define HL_DXG_SOFT_H

#include <stdint.h>

#include "hl_dxg_engine.h"

struct hl_dxg_soft;

/*
 * Up to this many bytes touched, a buffer runs inline: a few
 * microseconds of memory work on the daemon's own thread, against two
 * thread hand-overs and a separate event frame on a worker.
 */
#define HL_DXG_SOFT_INLINE_BYTES	(64 * 1024)

extern const struct hl_dxg_backend_ops hl_dxg_soft_ops;

int hl_dxg_soft_create(struct hl_dxg_soft **out);
void hl_dxg_soft_destroy(struct hl_dxg_soft *soft);

/*
 * Fault injection, for tests: the next command with @opcode fails with
 * -@err (once).  @opcode 0 turns it off.
 */
void hl_dxg_soft_inject(struct hl_dxg_soft *soft, uint16_t opcode, int err);

/* CRC-32C (Castagnoli) of @len bytes, continuing from @crc (0 to start). */
uint32_t hl_dxg_crc32c(uint32_t crc, const uint8_t *p, uint64_t len);

#endif /* HL_DXG_SOFT_H */
