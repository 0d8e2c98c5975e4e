/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostlinkd: configuration.  The file (default HL_CONFIG_DEFAULT) holds
 * "key = value" lines and "#" comments; command-line flags set the same
 * keys afterwards and so override it.  Every key is in hostlinkd.8.
 */
#ifndef HL_CONFIG_H
#define HL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/dxg_wire.h>
#include <linux/hostlink.h>

#include "hl_log.h"
#include "interop/hl_interop_cfg.h"

#define HL_CONFIG_DEFAULT	"/etc/hostlink/hostlinkd.conf"
#define HL_MAX_LISTEN		16

/* One software GPU of the dxg service (dxg_adapter = NAME:MEMORY[:compute]). */
struct hl_dxg_adapter_cfg {
	char name[DXG_WIRE_NAME_LEN];
	uint64_t memory;
	bool compute_only;
};

struct hl_listen {
	char service[HOSTLINK_NAME_LEN + 1];
	uint32_t port;
};

/* Where a setting came from; a source's first "listen" replaces the list. */
enum hl_config_source {
	HL_SRC_DEFAULT,
	HL_SRC_FILE,
	HL_SRC_FLAGS,
};

struct hl_config {
	struct hl_listen listen[HL_MAX_LISTEN];
	unsigned int nlisten;
	enum hl_config_source listen_src;
	bool vsock;
	char *hybrid;			/* unix socket prefix, or NULL */
	bool allow_loopback;
	bool trust_hybrid;
	uint32_t hybrid_connect;	/* guest port to dial through the VMM, 0: off */
	bool control_threads;		/* a reader thread per control connection */
	uint32_t max_connections;	/* per guest */
	uint32_t max_requests;		/* per guest, in flight */
	uint64_t max_queue;		/* per guest, bytes queued for sending */
	uint32_t max_frame;
	enum hl_log_level log_level;
	uint8_t proto_min, proto_max;	/* for tests of version mismatch */
	struct hl_dxg_adapter_cfg dxg_adapters[DXG_WIRE_MAX_ADAPTERS];
	unsigned int dxg_nadapters;
	enum hl_config_source dxg_adapters_src;	/* as listen_src */
	uint32_t dxg_workers;		/* per adapter */
	uint64_t dxg_max_memory;	/* allocation bytes per guest and adapter */
	uint32_t dxg_max_objects;	/* per guest process */
	uint16_t dxg_fail_opcode;	/* for tests: first such command fails, EIO */
	struct hl_interop_cfg interop;	/* the interop_* keys */
};

void hl_config_init(struct hl_config *cfg);
void hl_config_free(struct hl_config *cfg);
int hl_config_set(struct hl_config *cfg, enum hl_config_source src,
		  const char *key, const char *value, char *err, size_t errlen);
int hl_config_load(struct hl_config *cfg, const char *path, bool must_exist,
		   char *err, size_t errlen);
int hl_config_check(const struct hl_config *cfg, char *err, size_t errlen);

#endif /* HL_CONFIG_H */
