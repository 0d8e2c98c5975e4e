/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modload: load kernel modules for the running kernel, from the base
 * module tree or from an attached modules image
 * (Documentation/modules-image.rst).  Internal interfaces between the
 * files: ml_image.c (SHA-1, UUIDv5, superblock, .modimg, ext4 reader),
 * ml_mount.c (finding, loop, mounts, overlay, depmod), ml_load.c
 * (libkmod, kernel log, reasons), ml_state.c (state file, status,
 * boot configuration).
 *
 * Every fallible function returns 0 or a negative errno and, on error,
 * leaves a message for ml_err() to return.
 */
#ifndef ML_MODLOAD_H
#define ML_MODLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hl_uuid.h"

/* Exit codes, as modload.8 and --help give them. */
enum ml_exit {
	ML_EXIT_OK = 0,
	ML_EXIT_FAILED = 1,
	ML_EXIT_USAGE = 2,
	ML_EXIT_NOTFOUND = 3,
	ML_EXIT_IMAGE = 4,
	ML_EXIT_ENV = 5,
};

#define ML_RUN_DIR	"/run/modload"
#define ML_IMAGE_DIR	ML_RUN_DIR "/image"
#define ML_RW_DIR	ML_RUN_DIR "/rw"
#define ML_STATE_FILE	ML_RUN_DIR "/state"
#define ML_LABEL	"hl-modules"
#define ML_MODIMG_MAX	4096	/* a longer .modimg is corrupt */
#define ML_RELEASE_MAX	64	/* utsname.release without its NUL */
#define ML_NAME_MAX	255

/* ml_util.c */
const char *ml_err(void);
__attribute__((format(printf, 2, 3)))
int ml_fail(int err, const char *fmt, ...);
extern int ml_verbosity;	/* 0 quiet, 1 normal, 2 verbose */
__attribute__((format(printf, 1, 2)))
void ml_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void ml_debug(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void ml_warn(const char *fmt, ...);
int ml_read_small(const char *path, char *buf, size_t cap, size_t *len);
int ml_mkdir_p(const char *path, unsigned int mode);
bool ml_name_valid(const char *name, const char **why);

/* ml_image.c: pure parsing, no mounting */
void ml_image_uuid(const char *release, uint8_t out[16]);

struct ml_sb {
	uint8_t uuid[16];
	char label[17];
	uint32_t block_size;
	uint64_t blocks;
	uint32_t inodes;
	uint32_t inodes_per_group;
	uint32_t first_data_block;
	uint32_t inode_size;
	uint32_t desc_size;
	uint32_t feature_incompat;
};

int ml_sb_parse(const uint8_t *buf, size_t len, struct ml_sb *sb);
int ml_sb_read(int fd, struct ml_sb *sb);

enum ml_layout { ML_LAYOUT_WSL, ML_LAYOUT_NESTED };

struct ml_modimg {
	unsigned int format;
	char release[ML_RELEASE_MAX + 1];
	enum ml_layout layout;
};

int ml_modimg_parse(const char *buf, size_t len, struct ml_modimg *mi);
int ml_ext4_read_root_file(int fd, const struct ml_sb *sb, const char *name,
			   char *buf, size_t cap, size_t *len);
int ml_image_probe(int fd, const char *release, struct ml_sb *sb,
		   struct ml_modimg *mi);

/* ml_mount.c */
struct ml_image_info {
	char source[300];	/* what was mounted: a device, or loopN of a file */
	char backing[300];	/* the file behind a loop device, or "" */
	char moddir[320];	/* the image's module directory once mounted */
	struct ml_modimg mi;
	bool reused;		/* the overlay was there already */
};

int ml_image_ensure(const char *spec, const char *release,
		    struct ml_image_info *info);
int ml_image_mounted(const char *release, struct ml_image_info *info);

/* ml_load.c */
struct kmod_ctx;

enum ml_result {
	ML_RES_LOADED,
	ML_RES_LIVE,
	ML_RES_BUILTIN,
	ML_RES_INSTALL,		/* modprobe.d's install command ran instead */
	ML_RES_BLACKLISTED,
	ML_RES_FAILED,
	ML_RES_NOTFOUND,
};

struct ml_outcome {
	enum ml_result res;
	char reason[512];
};

struct kmod_ctx *ml_ctx_new(void);
int ml_lookup_count(struct kmod_ctx *ctx, const char *name);
void ml_load(struct kmod_ctx *ctx, const char *name, const char *release,
	     struct ml_outcome *out);
const char *ml_result_name(enum ml_result res);
const char *ml_state_now(struct kmod_ctx *ctx, const char *name);

/* ml_state.c */
void ml_state_record(const char *name, const struct ml_outcome *out);
int ml_status(const char *release);
int ml_boot_names(char ***names, int *n);

#endif
