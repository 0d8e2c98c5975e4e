/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * interop: private declarations.
 */
#ifndef _INTEROP_PRIV_H
#define _INTEROP_PRIV_H

#include <linux/hostlink.h>

/**
 * struct interop_file - state of one open /dev/interop
 * @svc: the hostlink service this file talks through
 *
 * Sessions started through the file hang off it as they land; closing
 * the file ends them.
 */
struct interop_file {
	struct hostlink_service *svc;
};

#endif /* _INTEROP_PRIV_H */
