/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dxg: private declarations.
 */
#ifndef _DXG_PRIV_H
#define _DXG_PRIV_H

#include <linux/hostlink.h>

/**
 * struct dxg_file - state of one open /dev/dxg
 * @svc: the hostlink service this file talks through
 *
 * Adapters, devices and handles opened through the file hang off it as
 * they land; everything is torn down when the file is released.
 */
struct dxg_file {
	struct hostlink_service *svc;
};

#endif /* _DXG_PRIV_H */
