// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ext4 post-pass: after "mke2fs -d", make every inode in use owned
 * by 0:0 with all its times at the build's epoch and a mode that
 * depends only on its type and execute bits, and put the superblock
 * times (all copies) at the epoch too.  Then the image depends on the
 * staged content only, not on who built it, when, or from which copy.
 *
 * Extended attributes mke2fs copied from the stage are dropped.
 *
 * The image is one mke2fs wrote a moment ago, but it is parsed like a
 * stranger's: every offset is checked against the file before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modimg.h"

/* Superblock fields (offsets in struct ext4_super_block). */
#define SB_INODES_COUNT		0x00
#define SB_BLOCKS_COUNT_LO	0x04
#define SB_FIRST_DATA_BLOCK	0x14
#define SB_LOG_BLOCK_SIZE	0x18
#define SB_BLOCKS_PER_GROUP	0x20
#define SB_INODES_PER_GROUP	0x28
#define SB_MTIME		0x2c
#define SB_WTIME		0x30
#define SB_MAGIC		0x38
#define SB_LASTCHECK		0x40
#define SB_CREATOR_OS		0x48
#define SB_REV_LEVEL		0x4c
#define SB_FIRST_INO		0x54
#define SB_INODE_SIZE		0x58
#define SB_BLOCK_GROUP_NR	0x5a
#define SB_FEATURE_COMPAT	0x5c
#define SB_FEATURE_INCOMPAT	0x60
#define SB_FEATURE_RO_COMPAT	0x64
#define SB_UUID			0x68
#define SB_DESC_SIZE		0xfe
#define SB_MKFS_TIME		0x108
#define SB_BLOCKS_COUNT_HI	0x150
#define SB_CHECKSUM_TYPE	0x175
#define SB_BACKUP_BGS		0x24c
#define SB_CHECKSUM_SEED	0x270
#define SB_WTIME_HI		0x274
#define SB_MTIME_HI		0x275
#define SB_MKFS_TIME_HI		0x276
#define SB_LASTCHECK_HI		0x277
#define SB_CHECKSUM		0x3fc

#define EXT4_MAGIC			0xef53
#define COMPAT_SPARSE_SUPER2		0x0200
#define INCOMPAT_META_BG		0x0010
#define INCOMPAT_64BIT			0x0080
#define INCOMPAT_CSUM_SEED		0x2000
#define RO_COMPAT_SPARSE_SUPER		0x0001
#define RO_COMPAT_METADATA_CSUM		0x0400

/* Group descriptor fields. */
#define BG_INODE_BITMAP_LO	0x04
#define BG_INODE_TABLE_LO	0x08
#define BG_FLAGS		0x12
#define BG_INODE_BITMAP_HI	0x24
#define BG_INODE_TABLE_HI	0x28
#define BG_INODE_UNINIT		0x0001

/* Inode fields. */
#define I_MODE			0x00
#define I_UID			0x02
#define I_ATIME			0x08
#define I_CTIME			0x0c
#define I_MTIME			0x10
#define I_GID			0x18
#define I_GENERATION		0x64
#define I_FILE_ACL_LO		0x68
#define I_FILE_ACL_HIGH		0x76
#define I_UID_HIGH		0x78
#define I_GID_HIGH		0x7a
#define I_CHECKSUM_LO		0x7c
#define I_EXTRA_ISIZE		0x80
#define I_CHECKSUM_HI		0x82
#define I_CTIME_EXTRA		0x84
#define I_MTIME_EXTRA		0x88
#define I_ATIME_EXTRA		0x8c
#define I_CRTIME		0x90
#define I_CRTIME_EXTRA		0x94
#define GOOD_OLD_INODE_SIZE	128
#define EA_MAGIC		0xea020000

struct modimg_ext4 {
	const char *file;
	int fd;
	uint64_t file_size;
	uint8_t sb[1024];
	uint32_t bsize;
	uint64_t blocks;
	uint32_t first_data;
	uint32_t bpg;
	uint32_t ipg;
	uint32_t ngroups;
	uint32_t isize;
	uint32_t desc_size;
	uint32_t first_ino;
	bool csum;
	uint32_t csum_seed;
	/* The epoch as inodes and superblocks store it. */
	uint32_t t_lo;
	uint32_t t_extra;
	uint8_t t_hi;
};

static int modimg_ext4_bad(struct modimg_ext4 *e, const char *what)
{
	return modimg_err(e->file, EINVAL, "not an ext4 image we can seal: %s",
			  what);
}

static int modimg_ext4_read_sb(struct modimg_ext4 *e)
{
	const uint8_t *sb = e->sb;
	uint32_t log, incompat, ro_compat;
	uint64_t span;
	int ret;

	if (e->file_size < 2048)
		return modimg_ext4_bad(e, "shorter than a superblock");
	ret = modimg_pread(e->fd, e->file, e->sb, sizeof(e->sb), 1024);
	if (ret)
		return ret;
	if (modimg_get16(sb + SB_MAGIC) != EXT4_MAGIC)
		return modimg_ext4_bad(e, "no ext4 superblock magic");
	if (modimg_get32(sb + SB_REV_LEVEL) < 1 || modimg_get32(sb + SB_CREATOR_OS))
		return modimg_ext4_bad(e, "not a dynamic-revision Linux file system");
	log = modimg_get32(sb + SB_LOG_BLOCK_SIZE);
	if (log > 6)
		return modimg_ext4_bad(e, "block size");
	e->bsize = 1024U << log;
	incompat = modimg_get32(sb + SB_FEATURE_INCOMPAT);
	ro_compat = modimg_get32(sb + SB_FEATURE_RO_COMPAT);
	if (incompat & INCOMPAT_META_BG)
		return modimg_ext4_bad(e, "meta_bg is not supported");
	e->blocks = modimg_get32(sb + SB_BLOCKS_COUNT_LO);
	e->desc_size = 32;
	if (incompat & INCOMPAT_64BIT) {
		e->blocks |= (uint64_t)modimg_get32(sb + SB_BLOCKS_COUNT_HI) << 32;
		e->desc_size = modimg_get16(sb + SB_DESC_SIZE);
		if (e->desc_size < 32 || e->desc_size > 1024 ||
		    e->desc_size & (e->desc_size - 1))
			return modimg_ext4_bad(e, "group descriptor size");
	}
	e->first_data = modimg_get32(sb + SB_FIRST_DATA_BLOCK);
	e->bpg = modimg_get32(sb + SB_BLOCKS_PER_GROUP);
	e->ipg = modimg_get32(sb + SB_INODES_PER_GROUP);
	e->isize = modimg_get16(sb + SB_INODE_SIZE);
	e->first_ino = modimg_get32(sb + SB_FIRST_INO);
	if (!e->bpg || e->bpg > 8 * e->bsize || !e->ipg || e->ipg > 8 * e->bsize)
		return modimg_ext4_bad(e, "blocks or inodes per group");
	if (e->isize < GOOD_OLD_INODE_SIZE || e->isize > e->bsize ||
	    e->isize & (e->isize - 1))
		return modimg_ext4_bad(e, "inode size");
	if (e->first_data > 1 || e->blocks <= e->first_data ||
	    e->blocks > e->file_size / e->bsize)
		return modimg_ext4_bad(e, "block count beyond the end of the file");
	span = e->blocks - e->first_data;
	if ((span + e->bpg - 1) / e->bpg > 1U << 24)
		return modimg_ext4_bad(e, "too many groups");
	e->ngroups = (span + e->bpg - 1) / e->bpg;
	if ((uint64_t)e->ngroups * e->ipg != modimg_get32(sb + SB_INODES_COUNT))
		return modimg_ext4_bad(e, "inode count");
	e->csum = ro_compat & RO_COMPAT_METADATA_CSUM;
	if (e->csum && sb[SB_CHECKSUM_TYPE] != 1)
		return modimg_ext4_bad(e, "unknown checksum type");
	if (e->csum && modimg_crc32c(~0U, sb, SB_CHECKSUM) !=
		       modimg_get32(sb + SB_CHECKSUM))
		return modimg_ext4_bad(e, "superblock checksum mismatch");
	if (incompat & INCOMPAT_CSUM_SEED)
		e->csum_seed = modimg_get32(sb + SB_CHECKSUM_SEED);
	else
		e->csum_seed = modimg_crc32c(~0U, sb + SB_UUID, 16);
	return 0;
}

/* Does group g hold a copy of the superblock? */
static bool modimg_ext4_has_super(struct modimg_ext4 *e, uint32_t g)
{
	uint32_t compat = modimg_get32(e->sb + SB_FEATURE_COMPAT);
	uint32_t ro_compat = modimg_get32(e->sb + SB_FEATURE_RO_COMPAT);
	uint32_t b, n;

	if (g == 0)
		return true;
	if (compat & COMPAT_SPARSE_SUPER2)
		return g == modimg_get32(e->sb + SB_BACKUP_BGS) ||
		       g == modimg_get32(e->sb + SB_BACKUP_BGS + 4);
	if (g == 1 || !(ro_compat & RO_COMPAT_SPARSE_SUPER))
		return true;
	for (b = 3; b <= 7; b += 2) {
		for (n = g; n % b == 0; n /= b)
			;
		if (n == 1)
			return true;
	}
	return false;
}

static void modimg_ext4_inode_csum(struct modimg_ext4 *e, uint32_t ino,
				   uint8_t *raw)
{
	uint32_t crc;
	uint8_t le[4];
	bool hi = e->isize > GOOD_OLD_INODE_SIZE &&
		  modimg_get16(raw + I_EXTRA_ISIZE) >= 4;

	modimg_put16(raw + I_CHECKSUM_LO, 0);
	if (hi)
		modimg_put16(raw + I_CHECKSUM_HI, 0);
	modimg_put32(le, ino);
	crc = modimg_crc32c(e->csum_seed, le, 4);
	crc = modimg_crc32c(crc, raw + I_GENERATION, 4);
	crc = modimg_crc32c(crc, raw, e->isize);
	modimg_put16(raw + I_CHECKSUM_LO, crc & 0xffff);
	if (hi)
		modimg_put16(raw + I_CHECKSUM_HI, crc >> 16);
}

static int modimg_ext4_fix_inode(struct modimg_ext4 *e, uint32_t ino,
				 uint8_t *raw)
{
	static const uint8_t zero[GOOD_OLD_INODE_SIZE];
	uint16_t mode = modimg_get16(raw + I_MODE), extra = 0;

	if (!memcmp(raw, zero, GOOD_OLD_INODE_SIZE))
		return 0;	/* a reserved inode nobody uses */
	if (ino >= e->first_ino || ino == 2) {
		switch (mode & 0xf000) {
		case 0x4000:	/* directory */
			mode = 0x4000 | 0755;
			break;
		case 0x8000:	/* regular file */
			mode = 0x8000 | (mode & 0111 ? 0755 : 0644);
			break;
		case 0xa000:	/* symbolic link */
			mode = 0xa000 | 0777;
			break;
		}
		modimg_put16(raw + I_MODE, mode);
	}
	modimg_put16(raw + I_UID, 0);
	modimg_put16(raw + I_GID, 0);
	modimg_put16(raw + I_UID_HIGH, 0);
	modimg_put16(raw + I_GID_HIGH, 0);
	modimg_put32(raw + I_ATIME, e->t_lo);
	modimg_put32(raw + I_CTIME, e->t_lo);
	modimg_put32(raw + I_MTIME, e->t_lo);
	if (e->isize > GOOD_OLD_INODE_SIZE) {
		extra = modimg_get16(raw + I_EXTRA_ISIZE);
		if (extra > e->isize - GOOD_OLD_INODE_SIZE || extra % 4)
			return modimg_err(e->file, EINVAL,
					  "inode %u: bad extra size %u", ino, extra);
	}
	/*
	 * Extended attributes come from the stage (a security label, a
	 * user.* note) and depend on who staged it where: drop those kept
	 * in the inode.  A block of them has moved the data of the files
	 * after it, which cannot be undone here.
	 */
	if (extra && GOOD_OLD_INODE_SIZE + extra + 4U <= e->isize &&
	    modimg_get32(raw + GOOD_OLD_INODE_SIZE + extra) == EA_MAGIC)
		memset(raw + GOOD_OLD_INODE_SIZE + extra, 0,
		       e->isize - GOOD_OLD_INODE_SIZE - extra);
	if (modimg_get32(raw + I_FILE_ACL_LO) || modimg_get16(raw + I_FILE_ACL_HIGH))
		return modimg_err(e->file, EINVAL,
				  "inode %u has a block of extended attributes: remove large extended attributes from the tree",
				  ino);
	if (extra >= I_CTIME_EXTRA + 4 - GOOD_OLD_INODE_SIZE)
		modimg_put32(raw + I_CTIME_EXTRA, e->t_extra);
	if (extra >= I_MTIME_EXTRA + 4 - GOOD_OLD_INODE_SIZE)
		modimg_put32(raw + I_MTIME_EXTRA, e->t_extra);
	if (extra >= I_ATIME_EXTRA + 4 - GOOD_OLD_INODE_SIZE)
		modimg_put32(raw + I_ATIME_EXTRA, e->t_extra);
	if (extra >= I_CRTIME + 4 - GOOD_OLD_INODE_SIZE)
		modimg_put32(raw + I_CRTIME, e->t_lo);
	if (extra >= I_CRTIME_EXTRA + 4 - GOOD_OLD_INODE_SIZE)
		modimg_put32(raw + I_CRTIME_EXTRA, e->t_extra);
	if (e->csum)
		modimg_ext4_inode_csum(e, ino, raw);
	return 0;
}

static uint64_t modimg_ext4_desc_block(struct modimg_ext4 *e, const uint8_t *d,
				       unsigned int lo, unsigned int hi)
{
	uint64_t b = modimg_get32(d + lo);

	if (e->desc_size >= 64)
		b |= (uint64_t)modimg_get32(d + hi) << 32;
	return b;
}

static int modimg_ext4_fix_group(struct modimg_ext4 *e, uint32_t g,
				 const uint8_t *desc, uint8_t *bitmap,
				 uint8_t *table)
{
	uint64_t bmap = modimg_ext4_desc_block(e, desc, BG_INODE_BITMAP_LO,
					       BG_INODE_BITMAP_HI);
	uint64_t itab = modimg_ext4_desc_block(e, desc, BG_INODE_TABLE_LO,
					       BG_INODE_TABLE_HI);
	uint64_t tlen = (uint64_t)e->ipg * e->isize;
	uint32_t i;
	int ret;

	if (modimg_get16(desc + BG_FLAGS) & BG_INODE_UNINIT)
		return 0;
	if (bmap < e->first_data || bmap >= e->blocks || itab < e->first_data ||
	    itab >= e->blocks || tlen > (e->blocks - itab) * e->bsize)
		return modimg_err(e->file, EINVAL,
				  "group %u: inode bitmap or table outside the file system", g);
	ret = modimg_pread(e->fd, e->file, bitmap, e->bsize, bmap * e->bsize);
	if (ret)
		return ret;
	ret = modimg_pread(e->fd, e->file, table, tlen, itab * e->bsize);
	if (ret)
		return ret;
	for (i = 0; i < e->ipg; i++) {
		if (!(bitmap[i / 8] & 1 << (i % 8)))
			continue;
		ret = modimg_ext4_fix_inode(e, g * e->ipg + i + 1,
					    table + (size_t)i * e->isize);
		if (ret)
			return ret;
	}
	return modimg_pwrite(e->fd, e->file, table, tlen, itab * e->bsize);
}

static int modimg_ext4_fix_inodes(struct modimg_ext4 *e)
{
	uint64_t gdt = (uint64_t)(e->first_data + 1) * e->bsize;
	size_t gdt_len = (size_t)e->ngroups * e->desc_size;
	uint8_t *desc, *bitmap, *table;
	uint32_t g;
	int ret = -ENOMEM;

	if (gdt + gdt_len > e->blocks * e->bsize)
		return modimg_ext4_bad(e, "group descriptors beyond the end");
	desc = malloc(gdt_len);
	bitmap = malloc(e->bsize);
	table = malloc((size_t)e->ipg * e->isize);
	if (!desc || !bitmap || !table) {
		modimg_err(e->file, ENOMEM, "out of memory");
		goto out_free;
	}
	ret = modimg_pread(e->fd, e->file, desc, gdt_len, gdt);
	for (g = 0; !ret && g < e->ngroups; g++)
		ret = modimg_ext4_fix_group(e, g, desc + (size_t)g * e->desc_size,
					    bitmap, table);
out_free:
	free(table);
	free(bitmap);
	free(desc);
	return ret;
}

static void modimg_ext4_fix_sb_times(struct modimg_ext4 *e, uint8_t *sb)
{
	static const unsigned int lo[] = { SB_WTIME, SB_MKFS_TIME, SB_LASTCHECK };
	static const unsigned int hi[] = { SB_WTIME_HI, SB_MKFS_TIME_HI,
					   SB_LASTCHECK_HI };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lo); i++) {
		modimg_put32(sb + lo[i], e->t_lo);
		sb[hi[i]] = e->t_hi;
	}
	/* Never mounted, as mke2fs leaves it. */
	modimg_put32(sb + SB_MTIME, 0);
	sb[SB_MTIME_HI] = 0;
	if (e->csum)
		modimg_put32(sb + SB_CHECKSUM, modimg_crc32c(~0U, sb, SB_CHECKSUM));
}

/* The primary superblock and each backup, which differ in their group. */
static int modimg_ext4_fix_sbs(struct modimg_ext4 *e)
{
	uint8_t sb[1024];
	uint64_t off;
	uint32_t g;
	int ret;

	for (g = 0; g < e->ngroups; g++) {
		if (!modimg_ext4_has_super(e, g))
			continue;
		off = g ? ((uint64_t)g * e->bpg + e->first_data) * e->bsize : 1024;
		ret = modimg_pread(e->fd, e->file, sb, sizeof(sb), off);
		if (ret)
			return ret;
		if (modimg_get16(sb + SB_MAGIC) != EXT4_MAGIC ||
		    modimg_get16(sb + SB_BLOCK_GROUP_NR) != (g & 0xffff))
			return modimg_err(e->file, EINVAL,
					  "no backup superblock in group %u", g);
		modimg_ext4_fix_sb_times(e, sb);
		ret = modimg_pwrite(e->fd, e->file, sb, sizeof(sb), off);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Seal FILE, an ext4 image, at EPOCH (seconds, 0 to 2^34 - 1: what the
 * inode's extra epoch bits can hold).
 */
int modimg_ext4_seal(const char *file, int64_t epoch)
{
	struct modimg_ext4 e = { .file = file };
	struct stat st;
	int ret;

	if (epoch < 0 || epoch >= 1LL << 34)
		return modimg_err(file, EINVAL, "epoch %lld out of range",
				  (long long)epoch);
	e.t_lo = (uint32_t)epoch;
	e.t_extra = (uint32_t)((epoch - (int32_t)e.t_lo) >> 32) & 3;
	e.t_hi = (uint8_t)(epoch >> 32);
	e.fd = open(file, O_RDWR | O_CLOEXEC);
	if (e.fd < 0)
		return modimg_err(file, errno, "%s", strerror(errno));
	if (fstat(e.fd, &st)) {
		ret = modimg_err(file, errno, "%s", strerror(errno));
		goto out_close;
	}
	e.file_size = st.st_size;
	ret = modimg_ext4_read_sb(&e);
	if (!ret)
		ret = modimg_ext4_fix_inodes(&e);
	if (!ret)
		ret = modimg_ext4_fix_sbs(&e);
out_close:
	if (close(e.fd) && !ret)
		ret = modimg_err(file, errno, "%s", strerror(errno));
	return ret;
}
