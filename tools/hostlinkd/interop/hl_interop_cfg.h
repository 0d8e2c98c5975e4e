/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interop service's configuration keys (hostlinkd.8), part of
 * struct hl_config.  Lists are whole values: setting one replaces it.
 */
#ifndef HL_INTEROP_CFG_H
#define HL_INTEROP_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL_INTEROP_MAX_LIST	256	/* entries of any list key */
/* interop_guests' "hybrid": every hybrid vsock peer (the core's HL_HYBRID_CID). */
#define HL_INTEROP_CID_HYBRID	UINT32_MAX

/* A list of words: @v[0..@n-1], static defaults or owned copies. */
struct hl_interop_words {
	const char *const *v;
	unsigned int n;
	char *buf;			/* owned strings, or NULL */
	char **own;			/* owned pointer array, or NULL */
};

/* One interop_path_map entry, both sides normalised absolute paths. */
struct hl_interop_map {
	const char *guest;
	const char *host;
};

/* A range of guest uids, inclusive. */
struct hl_interop_uids {
	uint32_t lo, hi;
};

struct hl_interop_cfg {
	uint32_t *guests;		/* interop_guests: CIDs served */
	unsigned int nguests;
	bool uids_any;			/* interop_guest_uids = any */
	struct hl_interop_uids *uids;
	unsigned int nuids;
	struct hl_interop_words path;	/* interop_path: directories */
	struct hl_interop_words allow;	/* interop_allow: files, "dir/" */
	struct hl_interop_words env_allow;	/* NAME or PREFIX* */
	struct hl_interop_map *map;	/* interop_path_map */
	unsigned int nmap;
	char *map_buf;			/* the strings behind @map */
	bool cwd_refuse;		/* interop_cwd_unmapped = refuse */
	uint32_t max_sessions;		/* per guest */
	uint32_t kill_grace_ms;
	bool allow_root;		/* interop_allow_root: serve as root */
};

void hl_interop_cfg_init(struct hl_interop_cfg *ic);
void hl_interop_cfg_free(struct hl_interop_cfg *ic);
int hl_interop_cfg_set(struct hl_interop_cfg *ic, const char *key,
		       const char *value, char *err, size_t errlen);
bool hl_interop_guest_ok(const struct hl_interop_cfg *ic, uint32_t cid);
bool hl_interop_uid_ok(const struct hl_interop_cfg *ic, uint32_t uid);

#endif /* HL_INTEROP_CFG_H */
