# SPDX-License-Identifier: GPL-2.0-only
# Common settings for userspace code; included by tools/*/Makefile and
# selftests/*/Makefile.  Objects go under $(O) (default: build/).
# SANITIZE=address,undefined builds with those sanitizers.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
O ?= $(TOP)/build
CC ?= cc
CFLAGS ?= -O2 -g
hl_cflags = $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I$(TOP)/include/uapi \
	$(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
hl_ldflags = $(LDFLAGS) $(if $(SANITIZE),-fsanitize=$(SANITIZE))
HOSTLINK_VERSION := $(shell sed -n 's/^\#define HOSTLINK_VERSION "\(.*\)"/\1/p' \
	$(TOP)/include/linux/hostlink.h)
