/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Common include of hostlink's selftests: the kselftest harness plus
 * the settings this project needs from it.
 */
#ifndef HOSTLINK_SELFTEST_H
#define HOSTLINK_SELFTEST_H

#include "kselftest_harness.h"

/*
 * The harness kills a test after 30 s; under TCG module loads and udev
 * round trips are several times slower than on hardware.  TEST() reads
 * the macro where it is used, so redefining it here takes effect.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120

#endif
