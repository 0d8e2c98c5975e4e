# SPDX-License-Identifier: GPL-2.0-only
# Included by selftests/<part>/Makefile after setting PART and PROGS.
# Builds each PROGS entry from <name>.c into $(O)/selftests/$(PART)/,
# with the kselftest harness from the pinned linux-source (never copied
# into this tree).

include $(dir $(lastword $(MAKEFILE_LIST)))../scripts/user.mk

KSFT_DIR := $(shell $(TOP)/scripts/linux-source-dir)/tools/testing/selftests
ifeq ($(wildcard $(KSFT_DIR)/kselftest_harness.h),)
$(error kselftest_harness.h not found; run 'make deps')
endif
# The harness macros expand into our files and are written for -Wall:
# they compare signed with unsigned and leave parameters unused.
hl_cflags += -isystem $(KSFT_DIR) -I$(TOP)/selftests/include \
	-Wno-sign-compare -Wno-unused-parameter \
	-DHOSTLINK_VERSION='"$(HOSTLINK_VERSION)"'

out := $(O)/selftests/$(PART)
# settings (timeout), vm (what the part needs in the VM) and config (its
# kernel options) go with the programs: the runner reads them there.
part_files := $(wildcard settings vm config)
all: $(addprefix $(out)/,$(PROGS)) $(addprefix $(out)/,$(part_files))

# EXTRA_SRCS: sources linked into every program of the part.
$(out)/%: %.c $(EXTRA_SRCS) $(wildcard *.h) $(wildcard $(TOP)/selftests/include/*.h)
	@mkdir -p $(@D)
	$(CC) $(hl_cflags) -o $@ $< $(EXTRA_SRCS) $(LDLIBS) $(hl_ldflags)

$(addprefix $(out)/,$(part_files)): $(out)/%: %
	@mkdir -p $(@D)
	cp $< $@

.PHONY: all
