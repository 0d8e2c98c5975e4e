// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contract test of include/uapi/linux/dxg.h, the ioctl interface of
 * /dev/dxg, against Documentation/dxg-uapi.rst: every structure's size
 * and every field's offset (compile-time asserts, so a drifted layout
 * does not build, and one TAP line each); size and flags first in
 * every argument structure; 64-bit handles and pointers; the ioctl
 * numbers (type byte, number, direction and encoded size of each, all
 * distinct); the values shared with <linux/dxg_wire.h>, which the
 * driver passes through unchanged.  The number checker is also run on
 * broken tables, to show that it fails them.
 *
 * Built with -Wpadded and -Wpedantic, and its layout part also with
 * -m32 where the compiler can: the header must lay out the same for
 * 32-bit callers.  The header comes first, before any libc header.
 */
#include <linux/dxg.h>

#include <stddef.h>

#include "uapi_layout.h"

/*
 * The whole layout, as a list: X_ARG(type, size), X_SIZE(type, size),
 * X_OFF(type, field, offset), X_U64(type, field).
 */
#define DXG_LAYOUT							\
	X_ARG(dxg_caps_get, 80)						\
	X_OFF(dxg_caps_get, out_uapi_version, 8)			\
	X_OFF(dxg_caps_get, out_host_version, 12)			\
	X_OFF(dxg_caps_get, out_features, 16)				\
	X_OFF(dxg_caps_get, out_max_adapters, 24)			\
	X_OFF(dxg_caps_get, out_max_handles, 28)			\
	X_OFF(dxg_caps_get, out_max_fences, 32)				\
	X_OFF(dxg_caps_get, out_fence_map_size, 36)			\
	X_OFF(dxg_caps_get, out_max_cmd_size, 40)			\
	X_OFF(dxg_caps_get, out_max_submit_allocs, 44)			\
	X_OFF(dxg_caps_get, out_max_submit_waits, 48)			\
	X_OFF(dxg_caps_get, out_max_submit_signals, 52)			\
	X_OFF(dxg_caps_get, out_max_wait_fences, 56)			\
	X_OFF(dxg_caps_get, out_max_signal_fences, 60)			\
	X_OFF(dxg_caps_get, out_max_alloc_size, 64)			\
	X_OFF(dxg_caps_get, out_max_lock_size, 72)			\
	X_SIZE(dxg_luid, 8)						\
	X_OFF(dxg_luid, high, 4)					\
	X_SIZE(dxg_adapter_info, 104)					\
	X_OFF(dxg_adapter_info, instance, 8)				\
	X_OFF(dxg_adapter_info, flags, 12)				\
	X_OFF(dxg_adapter_info, state, 16)				\
	X_OFF(dxg_adapter_info, vendor_id, 20)				\
	X_OFF(dxg_adapter_info, device_id, 22)				\
	X_OFF(dxg_adapter_info, dedicated_memory, 24)			\
	X_OFF(dxg_adapter_info, shared_memory, 32)			\
	X_OFF(dxg_adapter_info, name, 40)				\
	X_ARG(dxg_adapter_enum, 32)					\
	X_U64(dxg_adapter_enum, adapters_uptr)				\
	X_OFF(dxg_adapter_enum, count, 16)				\
	X_OFF(dxg_adapter_enum, entry_size, 20)				\
	X_OFF(dxg_adapter_enum, out_total, 24)				\
	X_ARG(dxg_adapter_open, 32)					\
	X_OFF(dxg_adapter_open, luid, 8)				\
	X_OFF(dxg_adapter_open, instance, 16)				\
	X_U64(dxg_adapter_open, out_adapter)				\
	X_OFF(dxg_adapter_open, out_adapter, 24)			\
	X_ARG(dxg_adapter_close, 16)					\
	X_U64(dxg_adapter_close, adapter)				\
	X_ARG(dxg_adapter_query, 40)					\
	X_U64(dxg_adapter_query, adapter)				\
	X_OFF(dxg_adapter_query, type, 16)				\
	X_OFF(dxg_adapter_query, data_size, 20)				\
	X_U64(dxg_adapter_query, data_uptr)				\
	X_OFF(dxg_adapter_query, out_data_size, 32)			\
	X_SIZE(dxg_query_memory, 32)					\
	X_OFF(dxg_query_memory, usage, 8)				\
	X_OFF(dxg_query_memory, file_usage, 16)				\
	X_SIZE(dxg_query_clock, 32)					\
	X_OFF(dxg_query_clock, frequency, 8)				\
	X_OFF(dxg_query_clock, monotonic_ns, 16)			\
	X_OFF(dxg_query_clock, uncertainty_ns, 24)			\
	X_SIZE(dxg_query_stats, 112)					\
	X_OFF(dxg_query_stats, file_bytes_written, 32)			\
	X_OFF(dxg_query_stats, adapter_submits, 40)			\
	X_OFF(dxg_query_stats, adapter_busy_ns, 72)			\
	X_OFF(dxg_query_stats, adapter_events_coalesced, 96)		\
	X_ARG(dxg_device_create, 24)					\
	X_U64(dxg_device_create, adapter)				\
	X_U64(dxg_device_create, out_device)				\
	X_ARG(dxg_device_destroy, 16)					\
	X_U64(dxg_device_destroy, device)				\
	X_ARG(dxg_device_get_state, 48)					\
	X_U64(dxg_device_get_state, device)				\
	X_OFF(dxg_device_get_state, out_state, 16)			\
	X_OFF(dxg_device_get_state, out_error, 20)			\
	X_U64(dxg_device_get_state, out_context)			\
	X_OFF(dxg_device_get_state, out_context, 24)			\
	X_OFF(dxg_device_get_state, out_submit, 32)			\
	X_OFF(dxg_device_get_state, out_cmd_offset, 40)			\
	X_OFF(dxg_device_get_state, out_opcode, 44)			\
	X_ARG(dxg_context_create, 24)					\
	X_U64(dxg_context_create, device)				\
	X_U64(dxg_context_create, out_context)				\
	X_ARG(dxg_context_destroy, 16)					\
	X_U64(dxg_context_destroy, context)				\
	X_ARG(dxg_alloc_create, 32)					\
	X_U64(dxg_alloc_create, device)					\
	X_OFF(dxg_alloc_create, length, 16)				\
	X_U64(dxg_alloc_create, out_alloc)				\
	X_ARG(dxg_alloc_destroy, 16)					\
	X_U64(dxg_alloc_destroy, alloc)					\
	X_ARG(dxg_alloc_lock, 40)					\
	X_U64(dxg_alloc_lock, alloc)					\
	X_OFF(dxg_alloc_lock, offset, 16)				\
	X_OFF(dxg_alloc_lock, length, 24)				\
	X_OFF(dxg_alloc_lock, out_mmap_offset, 32)			\
	X_ARG(dxg_alloc_unlock, 16)					\
	X_U64(dxg_alloc_unlock, alloc)					\
	X_SIZE(dxg_fence_value, 16)					\
	X_U64(dxg_fence_value, fence)					\
	X_U64(dxg_fence_value, value)					\
	X_ARG(dxg_context_submit, 72)					\
	X_U64(dxg_context_submit, context)				\
	X_U64(dxg_context_submit, cmd_uptr)				\
	X_OFF(dxg_context_submit, cmd_size, 24)				\
	X_OFF(dxg_context_submit, n_allocs, 28)				\
	X_U64(dxg_context_submit, allocs_uptr)				\
	X_OFF(dxg_context_submit, allocs_uptr, 32)			\
	X_OFF(dxg_context_submit, waits_uptr, 40)			\
	X_OFF(dxg_context_submit, signals_uptr, 48)			\
	X_OFF(dxg_context_submit, n_waits, 56)				\
	X_OFF(dxg_context_submit, n_signals, 60)			\
	X_OFF(dxg_context_submit, out_submit, 64)			\
	X_ARG(dxg_fence_create, 40)					\
	X_U64(dxg_fence_create, device)					\
	X_OFF(dxg_fence_create, initial_value, 16)			\
	X_U64(dxg_fence_create, out_fence)				\
	X_OFF(dxg_fence_create, out_slot, 32)				\
	X_ARG(dxg_fence_destroy, 16)					\
	X_U64(dxg_fence_destroy, fence)					\
	X_ARG(dxg_fence_signal, 24)					\
	X_U64(dxg_fence_signal, fences_uptr)				\
	X_OFF(dxg_fence_signal, count, 16)				\
	X_OFF(dxg_fence_signal, out_done, 20)				\
	X_ARG(dxg_fence_wait, 32)					\
	X_U64(dxg_fence_wait, fences_uptr)				\
	X_OFF(dxg_fence_wait, count, 16)				\
	X_OFF(dxg_fence_wait, out_index, 20)				\
	X_OFF(dxg_fence_wait, deadline_ns, 24)				\
	X_ARG(dxg_fence_export_sync_file, 32)				\
	X_U64(dxg_fence_export_sync_file, fence)			\
	X_OFF(dxg_fence_export_sync_file, value, 16)			\
	X_OFF(dxg_fence_export_sync_file, out_fd, 24)

/* The compile-time asserts (uapi_layout.h). */
DXG_LAYOUT

_Static_assert(DXG_IOCTL_BASE != 'X', "'X' belongs to XFS and others");
_Static_assert(DXG_MMAP_FENCE_OFFSET == 0, "the fence page is at 0");

#ifndef DXG_LAYOUT_ONLY

#include <linux/dxg_wire.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* t_ok(), t_n and t_failed: the TAP helpers of the daemon's tests. */
#include "tap.h"

#include "uapi_tap.h"

static void t_layout(void)
{
	DXG_LAYOUT
}

static const struct t_ioctl t_ioctls[] = {
	T_IOCTL(DXG_CAPS_GET, 0x00, T_WR, dxg_caps_get),
	T_IOCTL(DXG_ADAPTER_ENUM, 0x01, T_WR, dxg_adapter_enum),
	T_IOCTL(DXG_ADAPTER_OPEN, 0x02, T_WR, dxg_adapter_open),
	T_IOCTL(DXG_ADAPTER_CLOSE, 0x03, T_W, dxg_adapter_close),
	T_IOCTL(DXG_ADAPTER_QUERY, 0x04, T_WR, dxg_adapter_query),
	T_IOCTL(DXG_DEVICE_CREATE, 0x05, T_WR, dxg_device_create),
	T_IOCTL(DXG_DEVICE_DESTROY, 0x06, T_W, dxg_device_destroy),
	T_IOCTL(DXG_DEVICE_GET_STATE, 0x07, T_WR, dxg_device_get_state),
	T_IOCTL(DXG_CONTEXT_CREATE, 0x08, T_WR, dxg_context_create),
	T_IOCTL(DXG_CONTEXT_DESTROY, 0x09, T_W, dxg_context_destroy),
	T_IOCTL(DXG_ALLOC_CREATE, 0x0a, T_WR, dxg_alloc_create),
	T_IOCTL(DXG_ALLOC_DESTROY, 0x0b, T_W, dxg_alloc_destroy),
	T_IOCTL(DXG_ALLOC_LOCK, 0x0c, T_WR, dxg_alloc_lock),
	T_IOCTL(DXG_ALLOC_UNLOCK, 0x0d, T_W, dxg_alloc_unlock),
	T_IOCTL(DXG_CONTEXT_SUBMIT, 0x0e, T_WR, dxg_context_submit),
	T_IOCTL(DXG_FENCE_CREATE, 0x0f, T_WR, dxg_fence_create),
	T_IOCTL(DXG_FENCE_DESTROY, 0x10, T_W, dxg_fence_destroy),
	T_IOCTL(DXG_FENCE_SIGNAL, 0x11, T_WR, dxg_fence_signal),
	T_IOCTL(DXG_FENCE_WAIT, 0x12, T_WR, dxg_fence_wait),
	T_IOCTL(DXG_FENCE_EXPORT_SYNC_FILE, 0x13, T_WR,
		dxg_fence_export_sync_file),
};

_Static_assert(T_COUNT(t_ioctls) == DXG_NR_COUNT,
	       "every ioctl of the header is in the table");

static void t_numbers(void)
{
	t_check_numbers(t_ioctls, T_COUNT(t_ioctls), DXG_NR_COUNT, DXG_IOCTL_BASE);
}

/* What the driver passes to or from the wire unchanged. */
static void t_wire(void)
{
	t_ok(DXG_NAME_LEN == DXG_WIRE_NAME_LEN &&
	     sizeof(((struct dxg_adapter_info *)0)->name) == DXG_WIRE_NAME_LEN,
	     "adapter name length as on the wire");
	t_ok(DXG_MAX_ADAPTERS == DXG_WIRE_MAX_ADAPTERS, "max adapters");
	t_ok(DXG_MAX_CMD_SIZE == DXG_WIRE_MAX_CMDBUF &&
	     DXG_CMD_ALIGN == DXG_WIRE_CMD_ALIGN, "command buffer limits");
	t_ok(DXG_MAX_SUBMIT_ALLOCS == DXG_WIRE_MAX_SUBMIT_ALLOCS &&
	     DXG_MAX_SUBMIT_WAITS == DXG_WIRE_MAX_SUBMIT_WAITS &&
	     DXG_MAX_SUBMIT_SIGNALS == DXG_WIRE_MAX_SUBMIT_SIGNALS,
	     "submit list limits");
	t_ok(DXG_MAX_ALLOC_SIZE == DXG_WIRE_MAX_ALLOC_SIZE, "max alloc size");
	t_ok(DXG_ADAPTER_F_COMPUTE_ONLY == DXG_WIRE_ADAPTER_F_COMPUTE_ONLY &&
	     DXG_ADAPTER_F_SOFTWARE == DXG_WIRE_ADAPTER_F_SOFTWARE &&
	     DXG_ADAPTER_F_F32_FTZ == DXG_WIRE_ADAPTER_F_F32_FTZ,
	     "adapter flags");
	t_ok(DXG_QUERY_MEMORY == DXG_WIRE_QUERY_MEMORY &&
	     DXG_QUERY_CLOCK == DXG_WIRE_QUERY_CLOCK &&
	     DXG_QUERY_STATS == DXG_WIRE_QUERY_STATS, "query types");
	t_ok(DXG_DEVICE_ACTIVE == DXG_WIRE_DEVICE_ACTIVE &&
	     DXG_DEVICE_FAULTED == DXG_WIRE_DEVICE_FAULTED &&
	     DXG_DEVICE_LOST == DXG_WIRE_DEVICE_LOST &&
	     DXG_NO_CMD == DXG_WIRE_NO_CMD, "device states");
	t_ok(DXG_LOCK_READ == DXG_WIRE_LOCK_READ &&
	     DXG_LOCK_WRITE == DXG_WIRE_LOCK_WRITE &&
	     DXG_LOCK_DISCARD == DXG_WIRE_LOCK_DISCARD &&
	     DXG_LOCK_NOWAIT == DXG_WIRE_LOCK_NOWAIT, "lock flags");
	t_ok(sizeof(struct dxg_query_memory) ==
	     sizeof(struct dxg_wire_query_memory), "memory query size");
}

/* Constants that the documentation states. */
static void t_constants(void)
{
	t_ok(DXG_UAPI_VERSION == 1, "uapi version 1");
	t_ok(DXG_IOCTL_BASE == 'J', "type byte 'J'");
	t_ok(DXG_MAX_WAIT_FENCES == 64 && DXG_MAX_SIGNAL_FENCES == 64,
	     "64 fences per wait and signal");
	t_ok(DXG_WAIT_FOREVER == ~0ULL, "DXG_WAIT_FOREVER is all ones");
	t_ok((DXG_FEAT_SYNC_FILE & DXG_FEAT_FENCE_PAGE) == 0 &&
	     (DXG_FEAT_FENCE_PAGE & DXG_FEAT_HOST_BULK) == 0 &&
	     (DXG_FEAT_SYNC_FILE & DXG_FEAT_HOST_BULK) == 0,
	     "feature bits distinct");
	t_ok(DXG_ADAPTER_ACTIVE != DXG_ADAPTER_LOST && DXG_ADAPTER_ACTIVE,
	     "adapter states");
	t_ok(DXG_MAX_SUBMIT_ALLOCS * 8 + (DXG_MAX_SUBMIT_WAITS +
	     DXG_MAX_SUBMIT_SIGNALS) * sizeof(struct dxg_fence_value) +
	     DXG_MAX_CMD_SIZE + sizeof(struct dxg_wire_req) +
	     sizeof(struct dxg_wire_submit) + 64 <= DXG_WIRE_FRAME_MIN,
	     "the largest submit fits one wire frame");
}

int main(void)
{
	t_layout();
	t_numbers();
	t_wire();
	t_constants();
	printf("1..%u\n", t_n);
	return t_failed ? 1 : 0;
}

#endif /* DXG_LAYOUT_ONLY */
