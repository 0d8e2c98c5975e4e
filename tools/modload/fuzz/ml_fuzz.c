// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for what modload reads from a modules image before
 * it mounts it: the disk comes from the host, and the guest trusts none
 * of it.  Each input is a disk: the superblock, the ext4 walk to the
 * root directory's .modimg, and the record's parser run on it, as
 * ml_image_probe() does; the input's tail is also given to the record
 * parser alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "modload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct ml_modimg mi;
	struct ml_sb sb;
	size_t tail;

	if (fd < 0)
		fd = memfd_create("ml-fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	ml_image_probe(fd, size & 1 ? "6.1.0-56-amd64" : NULL, &sb, &mi);
	tail = size < 512 ? size : 512;
	ml_modimg_parse((const char *)data + size - tail, tail, &mi);
	return 0;
}
