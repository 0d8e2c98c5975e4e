// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload: the modules image without mounting it.  Its UUID (from
 * tools/lib/hl_uuid.c), the ext4 superblock, the .modimg release
 * record, and just enough of an ext4 reader to fetch .modimg from the
 * root directory of an unmounted image.  Everything here works on
 * untrusted bytes: each offset is checked before it is used.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modload.h"

/* The UUID of the modules image for a kernel release. */
void ml_image_uuid(const char *release, uint8_t out[16])
{
	uint8_t ns[16];

	hl_uuid_parse(HL_MODIMG_NAMESPACE, ns);
	hl_uuid5(ns, release, strlen(release), out);
}

static uint16_t ml_le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t ml_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ext4 superblock fields (offsets within the 1024-byte superblock). */
#define ML_SB_OFFSET		1024
#define ML_SB_SIZE		1024
#define ML_EXT4_MAGIC		0xef53
#define ML_INCOMPAT_FILETYPE	0x0002
#define ML_INCOMPAT_EXTENTS	0x0040
#define ML_INCOMPAT_64BIT	0x0080
#define ML_INCOMPAT_INLINE_DATA	0x8000
#define ML_INCOMPAT_ENCRYPT	0x10000
#define ML_INCOMPAT_CASEFOLD	0x20000

/*
 * Parse the 1024 bytes of an ext4 superblock (what starts at byte 1024
 * of the device).  -EINVAL with a message for anything that is not a
 * sane ext4 superblock.
 */
int ml_sb_parse(const uint8_t *buf, size_t len, struct ml_sb *sb)
{
	uint32_t log_bs, rev;

	if (len < ML_SB_SIZE)
		return ml_fail(-EINVAL, "truncated superblock (%zu of %d bytes)",
			       len, ML_SB_SIZE);
	if (ml_le16(buf + 0x38) != ML_EXT4_MAGIC)
		return ml_fail(-EINVAL, "not an ext4 file system (no ext4 magic)");
	memset(sb, 0, sizeof(*sb));
	log_bs = ml_le32(buf + 0x18);
	if (log_bs > 6)
		return ml_fail(-EINVAL, "corrupt superblock (block size 2^%u KiB)",
			       log_bs);
	sb->block_size = 1024U << log_bs;
	sb->inodes = ml_le32(buf + 0x00);
	sb->blocks = ml_le32(buf + 0x04);
	sb->first_data_block = ml_le32(buf + 0x14);
	sb->inodes_per_group = ml_le32(buf + 0x28);
	rev = ml_le32(buf + 0x4c);
	sb->inode_size = rev >= 1 ? ml_le16(buf + 0x58) : 128;
	sb->feature_incompat = ml_le32(buf + 0x60);
	if (sb->feature_incompat & ML_INCOMPAT_64BIT) {
		sb->blocks |= (uint64_t)ml_le32(buf + 0x150) << 32;
		sb->desc_size = ml_le16(buf + 0xfe);
	} else {
		sb->desc_size = 32;
	}
	memcpy(sb->uuid, buf + 0x68, 16);
	memcpy(sb->label, buf + 0x78, 16);
	sb->label[16] = '\0';
	if (!sb->inodes_per_group || sb->inodes_per_group > sb->inodes ||
	    sb->inode_size < 128 || sb->inode_size > sb->block_size ||
	    (sb->inode_size & (sb->inode_size - 1)) || sb->desc_size < 32 ||
	    sb->desc_size > 1024 || (sb->desc_size & (sb->desc_size - 1)) ||
	    !sb->blocks || sb->first_data_block >= sb->blocks)
		return ml_fail(-EINVAL, "corrupt ext4 superblock");
	return 0;
}

int ml_sb_read(int fd, struct ml_sb *sb)
{
	uint8_t buf[ML_SB_SIZE];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf), ML_SB_OFFSET);
	if (n < 0)
		return ml_fail(-errno, "cannot read the superblock: %s",
			       strerror(errno));
	return ml_sb_parse(buf, n, sb);
}

/*
 * .modimg: key=value lines, each ending in '\n', printable ASCII only,
 * at most ML_MODIMG_MAX bytes.  Unknown keys are ignored; format must
 * be 1; kernel_release is required; layout is wsl (default) or nested.
 */
int ml_modimg_parse(const char *buf, size_t len, struct ml_modimg *mi)
{
	bool have_format = false, have_release = false, have_layout = false;
	const char *line = buf, *end = buf + len, *nl, *eq;
	unsigned int lineno = 0;
	size_t i, klen, vlen;

	memset(mi, 0, sizeof(*mi));
	if (len > ML_MODIMG_MAX)
		return ml_fail(-EINVAL, ".modimg is corrupt: longer than %d bytes",
			       ML_MODIMG_MAX);
	if (!len)
		return ml_fail(-EINVAL, ".modimg is empty");
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return ml_fail(-EINVAL,
				       ".modimg is corrupt: not text (byte 0x%02x at offset %zu)",
				       c, i);
	}
	if (buf[len - 1] != '\n')
		return ml_fail(-EINVAL,
			       ".modimg is corrupt: the last line has no newline");
	for (; line < end; line = nl + 1) {
		lineno++;
		nl = memchr(line, '\n', end - line);
		if (nl == line)
			continue;
		eq = memchr(line, '=', nl - line);
		if (!eq || eq == line)
			return ml_fail(-EINVAL,
				       ".modimg is corrupt: line %u is not key=value",
				       lineno);
		klen = eq - line;
		vlen = nl - eq - 1;
#define ML_KEY(k) (klen == sizeof(k) - 1 && !memcmp(line, k, klen))
		if (ML_KEY("format")) {
			char num[12];

			if (have_format)
				return ml_fail(-EINVAL, ".modimg gives format twice");
			have_format = true;
			if (!vlen || vlen >= sizeof(num) ||
			    strspn(eq + 1, "0123456789") < vlen)
				return ml_fail(-EINVAL,
					       ".modimg is corrupt: format is not a number");
			memcpy(num, eq + 1, vlen);
			num[vlen] = '\0';
			mi->format = strtoul(num, NULL, 10);
		} else if (ML_KEY("kernel_release")) {
			if (have_release)
				return ml_fail(-EINVAL,
					       ".modimg gives kernel_release twice");
			have_release = true;
			if (!vlen || vlen > ML_RELEASE_MAX ||
			    memchr(eq + 1, '/', vlen) || memchr(eq + 1, ' ', vlen))
				return ml_fail(-EINVAL,
					       ".modimg is corrupt: kernel_release is not a release");
			memcpy(mi->release, eq + 1, vlen);
			mi->release[vlen] = '\0';
		} else if (ML_KEY("layout")) {
			if (have_layout)
				return ml_fail(-EINVAL, ".modimg gives layout twice");
			have_layout = true;
			if (vlen == 3 && !memcmp(eq + 1, "wsl", 3))
				mi->layout = ML_LAYOUT_WSL;
			else if (vlen == 6 && !memcmp(eq + 1, "nested", 6))
				mi->layout = ML_LAYOUT_NESTED;
			else
				return ml_fail(-EINVAL,
					       ".modimg: unknown layout '%.*s' (this modload knows wsl and nested)",
					       (int)(vlen > 32 ? 32 : vlen), eq + 1);
		}
#undef ML_KEY
	}
	if (!have_format)
		return ml_fail(-EINVAL, ".modimg has no format line");
	if (mi->format != 1)
		return ml_fail(-EPROTONOSUPPORT,
			       ".modimg is format %u; this modload reads format 1 only",
			       mi->format);
	if (!have_release)
		return ml_fail(-EINVAL, ".modimg has no kernel_release line");
	return 0;
}

/* A minimal read-only ext4: inodes, extent trees or block maps, dirents. */
struct ml_ext4 {
	int fd;
	const struct ml_sb *sb;
	uint8_t *blk;		/* one block of scratch */
};

#define ML_EXT4_ROOT_INO	2
#define ML_EXT4_EXTENTS_FL	0x80000
#define ML_EXT4_INLINE_FL	0x10000000
#define ML_EXT4_EXT_MAGIC	0xf30a
#define ML_EXT4_MAX_DEPTH	5

struct ml_inode {
	uint16_t mode;
	uint32_t flags;
	uint64_t size;
	uint8_t iblock[60];
};

static int ml_ext4_read_block(struct ml_ext4 *e, uint64_t nr, uint8_t *buf)
{
	ssize_t n;

	/* the block count comes from the image: an offset must not overflow */
	if (nr >= e->sb->blocks || nr > (uint64_t)INT64_MAX / e->sb->block_size)
		return ml_fail(-EINVAL, "corrupt image: block %llu beyond the end",
			       (unsigned long long)nr);
	n = pread(e->fd, buf, e->sb->block_size, (off_t)nr * e->sb->block_size);
	if (n < 0)
		return ml_fail(-errno, "cannot read the image: %s", strerror(errno));
	if ((size_t)n != e->sb->block_size)
		return ml_fail(-EINVAL, "image truncated at block %llu",
			       (unsigned long long)nr);
	return 0;
}

static int ml_ext4_inode(struct ml_ext4 *e, uint32_t ino, struct ml_inode *in)
{
	const struct ml_sb *sb = e->sb;
	uint32_t group, index, per_block;
	uint64_t gd_block, table, off;
	const uint8_t *gd, *raw;
	int err;

	if (!ino || ino > sb->inodes)
		return ml_fail(-EINVAL, "corrupt image: inode %u", ino);
	group = (ino - 1) / sb->inodes_per_group;
	index = (ino - 1) % sb->inodes_per_group;
	per_block = sb->block_size / sb->desc_size;
	gd_block = sb->first_data_block + 1 + group / per_block;
	err = ml_ext4_read_block(e, gd_block, e->blk);
	if (err)
		return err;
	gd = e->blk + (group % per_block) * sb->desc_size;
	table = ml_le32(gd + 0x8);
	if (sb->desc_size >= 64)
		table |= (uint64_t)ml_le32(gd + 0x28) << 32;
	off = (uint64_t)index * sb->inode_size;
	err = ml_ext4_read_block(e, table + off / sb->block_size, e->blk);
	if (err)
		return err;
	raw = e->blk + off % sb->block_size;
	in->mode = ml_le16(raw + 0x0);
	in->size = ml_le32(raw + 0x4) | (uint64_t)ml_le32(raw + 0x6c) << 32;
	in->flags = ml_le32(raw + 0x20);
	memcpy(in->iblock, raw + 0x28, 60);
	if (in->flags & ML_EXT4_INLINE_FL)
		return ml_fail(-EOPNOTSUPP, "inline data is not read without mounting");
	return 0;
}

/* Map logical block lblk of an extent-mapped inode: 0 = a hole. */
static int ml_ext4_extent_map(struct ml_ext4 *e, const uint8_t *node,
			      size_t node_len, int level, uint32_t lblk,
			      uint64_t *pblk)
{
	uint16_t magic = ml_le16(node), entries = ml_le16(node + 2);
	uint16_t depth = ml_le16(node + 6);
	const uint8_t *ent, *pick = NULL;
	uint8_t *child;
	uint64_t leaf;
	int i, err;

	if (magic != ML_EXT4_EXT_MAGIC || depth > ML_EXT4_MAX_DEPTH ||
	    level > ML_EXT4_MAX_DEPTH || 12 + (size_t)entries * 12 > node_len)
		return ml_fail(-EINVAL, "corrupt image: bad extent tree");
	*pblk = 0;
	for (i = 0; i < entries; i++) {
		ent = node + 12 + 12 * i;
		if (depth == 0) {
			uint32_t first = ml_le32(ent);
			uint32_t len = ml_le16(ent + 4);
			bool unwritten = len > 32768;

			if (unwritten)
				len -= 32768;
			if (lblk >= first && lblk - first < len) {
				if (unwritten)
					return 0;
				*pblk = ((uint64_t)ml_le16(ent + 6) << 32 |
					 ml_le32(ent + 8)) + (lblk - first);
				return 0;
			}
		} else if (ml_le32(ent) <= lblk) {
			pick = ent;
		}
	}
	if (depth == 0 || !pick)
		return 0;
	leaf = ml_le32(pick + 4) | (uint64_t)ml_le16(pick + 8) << 32;
	child = malloc(e->sb->block_size);
	if (!child)
		return ml_fail(-ENOMEM, "out of memory");
	err = ml_ext4_read_block(e, leaf, child);
	if (!err) {
		if (ml_le16(child + 6) != depth - 1)
			err = ml_fail(-EINVAL, "corrupt image: bad extent depth");
		else
			err = ml_ext4_extent_map(e, child, e->sb->block_size,
						 level + 1, lblk, pblk);
	}
	free(child);
	return err;
}

/* Logical to physical block, extents or the old direct/indirect map. */
static int ml_ext4_bmap(struct ml_ext4 *e, const struct ml_inode *in,
			uint32_t lblk, uint64_t *pblk)
{
	uint32_t per = e->sb->block_size / 4, ind;
	int err;

	if (in->flags & ML_EXT4_EXTENTS_FL)
		return ml_ext4_extent_map(e, in->iblock, sizeof(in->iblock), 0,
					  lblk, pblk);
	if (lblk < 12) {
		*pblk = ml_le32(in->iblock + 4 * lblk);
		return 0;
	}
	lblk -= 12;
	if (lblk >= per)
		return ml_fail(-EOPNOTSUPP, "file too large to read without mounting");
	ind = ml_le32(in->iblock + 4 * 12);
	*pblk = 0;
	if (!ind)
		return 0;
	err = ml_ext4_read_block(e, ind, e->blk);
	if (err)
		return err;
	*pblk = ml_le32(e->blk + 4 * lblk);
	return 0;
}

static int ml_ext4_lookup(struct ml_ext4 *e, const struct ml_inode *dir,
			  const char *name, uint32_t *ino)
{
	size_t nlen = strlen(name), off;
	uint32_t lblk, nblocks;
	uint64_t pblk;
	int err;

	if ((dir->mode & 0xf000) != 0x4000)
		return ml_fail(-EINVAL, "corrupt image: the root is not a directory");
	nblocks = (dir->size + e->sb->block_size - 1) / e->sb->block_size;
	if (nblocks > 4096)
		return ml_fail(-EINVAL, "corrupt image: root directory too large");
	for (lblk = 0; lblk < nblocks; lblk++) {
		err = ml_ext4_bmap(e, dir, lblk, &pblk);
		if (err)
			return err;
		if (!pblk)
			continue;
		err = ml_ext4_read_block(e, pblk, e->blk);
		if (err)
			return err;
		for (off = 0; off + 8 <= e->sb->block_size;) {
			const uint8_t *d = e->blk + off;
			uint16_t rec_len = ml_le16(d + 4);
			uint8_t name_len = d[6];

			if (rec_len < 8 || rec_len % 4 ||
			    off + rec_len > e->sb->block_size ||
			    8 + (size_t)name_len > rec_len)
				return ml_fail(-EINVAL,
					       "corrupt image: bad directory entry");
			if (ml_le32(d) && name_len == nlen &&
			    !memcmp(d + 8, name, nlen)) {
				*ino = ml_le32(d);
				return 0;
			}
			off += rec_len;
		}
	}
	return ml_fail(-ENOENT, "no %s in the image root", name);
}

/*
 * Read the regular file /NAME of an unmounted ext4: at most cap bytes,
 * -EFBIG when it is longer.  -EOPNOTSUPP when the image uses something
 * this reader does not know (the caller then mounts and reads).
 */
int ml_ext4_read_root_file(int fd, const struct ml_sb *sb, const char *name,
			   char *buf, size_t cap, size_t *len)
{
	struct ml_ext4 e = { .fd = fd, .sb = sb };
	struct ml_inode root, file;
	uint32_t ino = 0, lblk;
	uint64_t pblk, done = 0;
	size_t n;
	int err;

	if (sb->feature_incompat & (ML_INCOMPAT_INLINE_DATA | ML_INCOMPAT_ENCRYPT |
				    ML_INCOMPAT_CASEFOLD))
		return ml_fail(-EOPNOTSUPP,
			       "ext4 features this reader does not know (0x%x)",
			       sb->feature_incompat);
	e.blk = malloc(sb->block_size);
	if (!e.blk)
		return ml_fail(-ENOMEM, "out of memory");
	err = ml_ext4_inode(&e, ML_EXT4_ROOT_INO, &root);
	if (!err)
		err = ml_ext4_lookup(&e, &root, name, &ino);
	if (!err)
		err = ml_ext4_inode(&e, ino, &file);
	if (err)
		goto out;
	if ((file.mode & 0xf000) != 0x8000) {
		err = ml_fail(-EINVAL, "%s in the image is not a regular file", name);
		goto out;
	}
	if (file.size > cap) {
		err = -EFBIG;
		goto out;
	}
	for (lblk = 0; done < file.size; lblk++) {
		err = ml_ext4_bmap(&e, &file, lblk, &pblk);
		if (err)
			goto out;
		n = file.size - done;
		if (n > sb->block_size)
			n = sb->block_size;
		if (!pblk) {
			memset(buf + done, 0, n);
		} else {
			err = ml_ext4_read_block(&e, pblk, e.blk);
			if (err)
				goto out;
			memcpy(buf + done, e.blk, n);
		}
		done += n;
	}
	*len = done;
out:
	free(e.blk);
	return err;
}

/*
 * Everything modload checks before mounting an image: an ext4
 * superblock, a readable, valid .modimg, and its release equal to
 * release (NULL: any).  -EOPNOTSUPP: .modimg could not be read without
 * mounting (the superblock is good; the caller checks after mounting).
 */
int ml_image_probe(int fd, const char *release, struct ml_sb *sb,
		   struct ml_modimg *mi)
{
	char buf[ML_MODIMG_MAX];
	size_t len;
	int err;

	err = ml_sb_read(fd, sb);
	if (err)
		return err;
	err = ml_ext4_read_root_file(fd, sb, ".modimg", buf, sizeof(buf), &len);
	if (err == -EFBIG)
		return ml_fail(-EINVAL, ".modimg is corrupt: longer than %d bytes",
			       ML_MODIMG_MAX);
	if (err == -ENOENT)
		return ml_fail(-ENOENT,
			       "no .modimg release record: not a modules image");
	if (err)
		return err;
	err = ml_modimg_parse(buf, len, mi);
	if (err)
		return err;
	if (release && strcmp(mi->release, release))
		return ml_fail(-EXDEV,
			       "the image is for kernel %s, the running kernel is %s",
			       mi->release, release);
	return 0;
}
