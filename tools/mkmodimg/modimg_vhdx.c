// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VHDX post-pass.  "qemu-img convert -O vhdx" writes random
 * identifiers (FileWriteGuid and DataWriteGuid in both headers, the
 * Page83 item of the metadata region), random sequence numbers and a
 * log full of stale entries, each with its own GUID and checksum.  This
 * pass makes all of it a function of the content:
 *
 * - the content digest is SHA-1 over a 64-bit fingerprint of each MiB of
 *   the file, with the headers, the log and the Page83 item read as
 *   zeros (so sealing a sealed file changes nothing);
 * - FileWriteGuid, DataWriteGuid and Page83 are name-based UUIDs of that
 *   digest;
 * - the log is emptied (zeros, LogGuid zero) and the two headers get
 *   sequence numbers 1 and 2, so exactly one is current, with the same
 *   content otherwise.
 *
 * Layout per [MS-VHDX]: file identifier at 0, headers at 64 and 128 KiB,
 * region tables at 192 and 256 KiB.  Everything read is checked; a file
 * this pass does not understand is refused, never "repaired".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modimg.h"

#define VHDX_MIB		(1024 * 1024)
#define VHDX_HEADER_OFF(i)	(64 * 1024 * ((i) + 1))
#define VHDX_HEADER_LEN		4096
#define VHDX_REGION_OFF(i)	(192 * 1024 + 64 * 1024 * (i))
#define VHDX_REGION_LEN		(64 * 1024)
#define VHDX_MAX_ENTRIES	2047

/* Header fields. */
#define H_CHECKSUM		4
#define H_SEQUENCE		8
#define H_FILE_WRITE_GUID	16
#define H_DATA_WRITE_GUID	32
#define H_LOG_GUID		48
#define H_LOG_VERSION		64
#define H_VERSION		66
#define H_LOG_LENGTH		68
#define H_LOG_OFFSET		72

/* Region table and metadata table. */
#define R_CHECKSUM		4
#define R_COUNT			8
#define R_ENTRIES		16
#define R_ENTRY_LEN		32
#define R_REQUIRED		1
#define M_COUNT			10
#define M_ENTRIES		32
#define M_ENTRY_LEN		32
#define M_ITEM_MIN_OFF		(64 * 1024)

static const char vhdx_bat_uuid[] = "2dc27766-f623-4200-9d64-115e9bfd4a08";
static const char vhdx_meta_uuid[] = "8b7ca206-4790-4b9a-b8fe-575f050f886e";
static const char vhdx_page83_uuid[] = "beca12ab-b2e6-4523-93ef-c309e000c746";

struct modimg_vhdx {
	const char *file;
	int fd;
	uint64_t size;
	uint8_t *head;		/* the first MiB: identifier, headers, regions */
	int cur;		/* the current header */
	uint64_t log_off, log_len;
	uint64_t meta_off, meta_len;
	uint64_t bat_off, bat_len;
	uint64_t page83_off;	/* absolute */
};

static int modimg_vhdx_bad(struct modimg_vhdx *v, const char *fmt,
			   const char *what)
{
	fprintf(stderr, "mkmodimg-seal: %s: bad VHDX: ", v->file);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	return -EINVAL;
}

static uint32_t modimg_vhdx_crc(const uint8_t *buf, size_t len, size_t csum_at)
{
	static const uint8_t zero[4];
	uint32_t crc;

	crc = modimg_crc32c(~0U, buf, csum_at);
	crc = modimg_crc32c(crc, zero, 4);
	crc = modimg_crc32c(crc, buf + csum_at + 4, len - csum_at - 4);
	return ~crc;
}

static void modimg_guid_of(const char *uuid, uint8_t guid[16])
{
	uint8_t u[16];

	hl_uuid_parse(uuid, u);
	modimg_uuid_to_guid(u, guid);
}

static int modimg_vhdx_headers(struct modimg_vhdx *v)
{
	static const uint8_t zero[16];
	bool valid[2];
	uint64_t seq[2];
	const uint8_t *h;
	int i;

	for (i = 0; i < 2; i++) {
		h = v->head + VHDX_HEADER_OFF(i);
		valid[i] = !memcmp(h, "head", 4) &&
			   modimg_get32(h + H_CHECKSUM) ==
			   modimg_vhdx_crc(h, VHDX_HEADER_LEN, H_CHECKSUM) &&
			   modimg_get16(h + H_VERSION) == 1;
		seq[i] = modimg_get64(h + H_SEQUENCE);
	}
	if (!valid[0] || !valid[1])
		return modimg_vhdx_bad(v, "%s: wrong signature, checksum or version",
				       valid[0] ? "header 2" : "header 1");
	v->cur = seq[1] > seq[0];
	if (seq[0] == seq[1] &&
	    memcmp(v->head + VHDX_HEADER_OFF(0), v->head + VHDX_HEADER_OFF(1),
		   VHDX_HEADER_LEN))
		return modimg_vhdx_bad(v, "%s", "two different headers with one sequence number");
	h = v->head + VHDX_HEADER_OFF(v->cur);
	if (memcmp(h + H_LOG_GUID, zero, 16))
		return modimg_vhdx_bad(v, "%s",
				       "the log is not empty (replay it: qemu-img check -r all)");
	v->log_off = modimg_get64(h + H_LOG_OFFSET);
	v->log_len = modimg_get32(h + H_LOG_LENGTH);
	if (v->log_off % VHDX_MIB || v->log_off < VHDX_MIB || v->log_len % VHDX_MIB ||
	    v->log_off > v->size || v->log_len > v->size - v->log_off)
		return modimg_vhdx_bad(v, "%s", "log region outside the file");
	return 0;
}

static int modimg_vhdx_region(struct modimg_vhdx *v, const uint8_t *e,
			      uint64_t *off, uint64_t *len)
{
	*off = modimg_get64(e + 16);
	*len = modimg_get32(e + 24);
	if (*off % VHDX_MIB || *off < VHDX_MIB || !*len || *len % VHDX_MIB ||
	    *off > v->size || *len > v->size - *off)
		return modimg_vhdx_bad(v, "%s", "region outside the file");
	return 0;
}

static bool modimg_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int modimg_vhdx_regions(struct modimg_vhdx *v)
{
	uint8_t bat[16], meta[16];
	const uint8_t *r, *e;
	uint32_t i, n;
	int ret;

	modimg_guid_of(vhdx_bat_uuid, bat);
	modimg_guid_of(vhdx_meta_uuid, meta);
	for (i = 0; i < 2; i++) {
		r = v->head + VHDX_REGION_OFF(i);
		if (memcmp(r, "regi", 4) || modimg_get32(r + R_CHECKSUM) !=
		    modimg_vhdx_crc(r, VHDX_REGION_LEN, R_CHECKSUM))
			return modimg_vhdx_bad(v, "%s: wrong signature or checksum",
					       i ? "region table 2" : "region table 1");
	}
	if (memcmp(v->head + VHDX_REGION_OFF(0), v->head + VHDX_REGION_OFF(1),
		   VHDX_REGION_LEN))
		return modimg_vhdx_bad(v, "%s", "the two region tables differ");
	r = v->head + VHDX_REGION_OFF(0);
	n = modimg_get32(r + R_COUNT);
	if (n > VHDX_MAX_ENTRIES)
		return modimg_vhdx_bad(v, "%s", "too many region entries");
	for (i = 0; i < n; i++) {
		e = r + R_ENTRIES + i * R_ENTRY_LEN;
		ret = 0;
		if (!memcmp(e, bat, 16))
			ret = modimg_vhdx_region(v, e, &v->bat_off, &v->bat_len);
		else if (!memcmp(e, meta, 16))
			ret = modimg_vhdx_region(v, e, &v->meta_off, &v->meta_len);
		else if (modimg_get32(e + 28) & R_REQUIRED)
			ret = modimg_vhdx_bad(v, "%s", "unknown required region");
		if (ret)
			return ret;
	}
	if (!v->bat_len || !v->meta_len)
		return modimg_vhdx_bad(v, "%s", "no BAT or no metadata region");
	if (modimg_overlap(v->log_off, v->log_len, v->bat_off, v->bat_len) ||
	    modimg_overlap(v->log_off, v->log_len, v->meta_off, v->meta_len))
		return modimg_vhdx_bad(v, "%s", "the log overlaps a region");
	return 0;
}

static int modimg_vhdx_page83(struct modimg_vhdx *v)
{
	uint8_t *t, id[16];
	uint32_t i, n, off, len;
	int ret;

	if (v->meta_len < M_ITEM_MIN_OFF)
		return modimg_vhdx_bad(v, "%s", "metadata region too short");
	t = malloc(M_ITEM_MIN_OFF);
	if (!t)
		return modimg_err(v->file, ENOMEM, "out of memory");
	ret = modimg_pread(v->fd, v->file, t, M_ITEM_MIN_OFF, v->meta_off);
	if (ret)
		goto out_free;
	ret = -EINVAL;
	n = modimg_get16(t + M_COUNT);
	if (memcmp(t, "metadata", 8) || n > VHDX_MAX_ENTRIES) {
		modimg_vhdx_bad(v, "%s", "no metadata table");
		goto out_free;
	}
	modimg_guid_of(vhdx_page83_uuid, id);
	for (i = 0; i < n; i++) {
		if (memcmp(t + M_ENTRIES + i * M_ENTRY_LEN, id, 16))
			continue;
		off = modimg_get32(t + M_ENTRIES + i * M_ENTRY_LEN + 16);
		len = modimg_get32(t + M_ENTRIES + i * M_ENTRY_LEN + 20);
		if (len != 16 || off < M_ITEM_MIN_OFF || off > v->meta_len - 16) {
			modimg_vhdx_bad(v, "%s", "Page83 item outside the metadata region");
			goto out_free;
		}
		v->page83_off = v->meta_off + off;
		ret = 0;
		break;
	}
	if (ret)
		modimg_vhdx_bad(v, "%s", "no Page83 item");
out_free:
	free(t);
	return ret;
}

/* Zero what the seal rewrites, where it falls in [off, off + len). */
static void modimg_vhdx_mask(struct modimg_vhdx *v, uint8_t *buf, uint64_t off,
			     uint64_t len)
{
	uint64_t m[4][2] = {
		{ VHDX_HEADER_OFF(0), VHDX_HEADER_LEN },
		{ VHDX_HEADER_OFF(1), VHDX_HEADER_LEN },
		{ v->log_off, v->log_len },
		{ v->page83_off, 16 },
	};
	uint64_t a, b;
	int i;

	for (i = 0; i < 4; i++) {
		a = m[i][0] > off ? m[i][0] : off;
		b = m[i][0] + m[i][1] < off + len ? m[i][0] + m[i][1] : off + len;
		if (a < b)
			memset(buf + (a - off), 0, b - a);
	}
}

static int modimg_vhdx_digest(struct modimg_vhdx *v, uint8_t d[HL_SHA1_LEN])
{
	struct hl_sha1 s;
	uint8_t *buf, le[8];
	uint64_t off, n;
	int ret = 0;

	buf = malloc(VHDX_MIB);
	if (!buf)
		return modimg_err(v->file, ENOMEM, "out of memory");
	hl_sha1_init(&s);
	for (off = 0; off < v->size; off += n) {
		n = v->size - off < VHDX_MIB ? v->size - off : VHDX_MIB;
		ret = modimg_pread(v->fd, v->file, buf, n, off);
		if (ret)
			break;
		modimg_vhdx_mask(v, buf, off, n);
		modimg_put64(le, modimg_xxh64(buf, n, off));
		hl_sha1_update(&s, le, 8);
	}
	modimg_put64(le, v->size);
	hl_sha1_update(&s, le, 8);
	hl_sha1_final(&s, d);
	free(buf);
	return ret;
}

/* GUID (VHDX byte order) of the name "vhdx/<digest>/<what>". */
static void modimg_vhdx_guid(const uint8_t d[HL_SHA1_LEN], const char *what,
			     uint8_t guid[16])
{
	uint8_t ns[16], u[16];
	char name[96];
	int i, n;

	n = snprintf(name, sizeof(name), "vhdx/");
	for (i = 0; i < HL_SHA1_LEN; i++)
		n += snprintf(name + n, sizeof(name) - n, "%02x", d[i]);
	n += snprintf(name + n, sizeof(name) - n, "/%s", what);
	hl_uuid_parse(MODIMG_NAMESPACE, ns);
	hl_uuid5(ns, name, n, u);
	modimg_uuid_to_guid(u, guid);
}

static int modimg_vhdx_zero_log(struct modimg_vhdx *v)
{
	uint8_t *zero;
	uint64_t off;
	int ret = 0;

	if (!v->log_len)
		return 0;
	/* A hole reads as zeros and costs no space; else write them. */
	if (!fallocate(v->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       (off_t)v->log_off, (off_t)v->log_len))
		return 0;
	zero = calloc(1, VHDX_MIB);
	if (!zero)
		return modimg_err(v->file, ENOMEM, "out of memory");
	for (off = 0; !ret && off < v->log_len; off += VHDX_MIB)
		ret = modimg_pwrite(v->fd, v->file, zero, VHDX_MIB, v->log_off + off);
	free(zero);
	return ret;
}

static int modimg_vhdx_write(struct modimg_vhdx *v, const uint8_t d[HL_SHA1_LEN])
{
	uint8_t h[VHDX_HEADER_LEN], page83[16];
	const uint8_t *cur = v->head + VHDX_HEADER_OFF(v->cur);
	int i, ret;

	modimg_vhdx_guid(d, "page83", page83);
	ret = modimg_pwrite(v->fd, v->file, page83, 16, v->page83_off);
	if (!ret)
		ret = modimg_vhdx_zero_log(v);
	for (i = 0; !ret && i < 2; i++) {
		memset(h, 0, sizeof(h));
		memcpy(h, "head", 4);
		modimg_put64(h + H_SEQUENCE, i + 1);
		modimg_vhdx_guid(d, "file-write", h + H_FILE_WRITE_GUID);
		modimg_vhdx_guid(d, "data-write", h + H_DATA_WRITE_GUID);
		memcpy(h + H_LOG_VERSION, cur + H_LOG_VERSION, 2);
		modimg_put16(h + H_VERSION, 1);
		modimg_put32(h + H_LOG_LENGTH, (uint32_t)v->log_len);
		modimg_put64(h + H_LOG_OFFSET, v->log_off);
		modimg_put32(h + H_CHECKSUM, modimg_vhdx_crc(h, sizeof(h), H_CHECKSUM));
		ret = modimg_pwrite(v->fd, v->file, h, sizeof(h), VHDX_HEADER_OFF(i));
	}
	return ret;
}

int modimg_vhdx_seal(const char *file)
{
	struct modimg_vhdx v = { .file = file };
	uint8_t d[HL_SHA1_LEN];
	struct stat st;
	int ret;

	v.fd = open(file, O_RDWR | O_CLOEXEC);
	if (v.fd < 0)
		return modimg_err(file, errno, "%s", strerror(errno));
	ret = -ENOMEM;
	v.head = malloc(VHDX_MIB);
	if (!v.head) {
		modimg_err(file, ENOMEM, "out of memory");
		goto out_close;
	}
	if (fstat(v.fd, &st)) {
		ret = modimg_err(file, errno, "%s", strerror(errno));
		goto out_free;
	}
	v.size = st.st_size;
	if (v.size < 2 * VHDX_MIB) {
		ret = modimg_vhdx_bad(&v, "%s", "shorter than its header section");
		goto out_free;
	}
	ret = modimg_pread(v.fd, file, v.head, VHDX_MIB, 0);
	if (ret)
		goto out_free;
	if (memcmp(v.head, "vhdxfile", 8)) {
		ret = modimg_vhdx_bad(&v, "%s", "no \"vhdxfile\" identifier");
		goto out_free;
	}
	ret = modimg_vhdx_headers(&v);
	if (!ret)
		ret = modimg_vhdx_regions(&v);
	if (!ret)
		ret = modimg_vhdx_page83(&v);
	if (!ret)
		ret = modimg_vhdx_digest(&v, d);
	if (!ret)
		ret = modimg_vhdx_write(&v, d);
out_free:
	free(v.head);
out_close:
	if (close(v.fd) && !ret)
		ret = modimg_err(file, errno, "%s", strerror(errno));
	return ret;
}
