# SPDX-License-Identifier: GPL-2.0-only
#
# hostlink: out-of-tree kernel modules and userspace tools.
#
#   make                  modules (for the chosen kernel) and tools
#   make check            userspace unit tests, no VM
#   make vmtest KVER=6.1  the selftests in a VM on a pinned kernel
#   make demo             a VM that shows each part working
#   make bench            benchmarks in a VM (BENCH=<prefix> to pick)
#   make test             everything CI runs (deps, build, checks, VMs)
#   make deps             install the Debian packages all of it needs
#
# Kernel choice, first that applies: KDIR=<build dir>; KVER=6.1|6.12 (the
# pins in kernels.conf) or a full release string; the running kernel if
# its build directory exists; else the pinned 6.1.

include kernels.conf

HOSTLINK_CACHE ?= $(HOME)/.cache/hostlink
O ?= $(CURDIR)/build
# Sub-makes run in other directories: a relative O= must not move.
override O := $(abspath $(O))
export HOSTLINK_CACHE O

VERSION := $(shell sed -n 's/^\#define HOSTLINK_VERSION "\(.*\)"/\1/p' include/linux/hostlink.h)

ifneq ($(KDIR),)
kdir := $(KDIR)
kver := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
kwhy := KDIR given
else ifeq ($(KVER),debug)
kdir := $(HOSTLINK_CACHE)/debug-kernel/build
kver := $(shell cat $(kdir)/include/config/kernel.release 2>/dev/null)
kwhy := the debug kernel (make debug-kernel)
else ifneq ($(KVER),)
kver := $(or $(KVER_$(subst .,_,$(KVER))),$(KVER))
kwhy := KVER=$(KVER)
else
running := $(shell uname -r)
ifneq ($(wildcard /lib/modules/$(running)/build/Makefile),)
kver := $(running)
kwhy := the running kernel
else
kver := $(KVER_6_1)
kwhy := pinned 6.1; the running kernel $(running) has no build directory
endif
endif
kdir ?= /lib/modules/$(kver)/build

# Modules build in a copy of the sources per kernel, so that several
# kernels can be built side by side (M= builds in its source directory).
kmod_dir := $(O)/$(kver)/kmod
kmod_src := Kbuild drivers include
kmake = $(MAKE) -C $(kdir) M=$(kmod_dir) \
	CONFIG_HOSTLINK=m CONFIG_DXG=m CONFIG_INTEROP=m \
	CONFIG_HOSTLINK_TEST=m

user_dirs := tools/vmtest
user_dirs += tools/hostlinkd
user_dirs += tools/bench
user_dirs += tools/modload
user_dirs += tools/mkmodimg
user_dirs += tools/uapi
user_dirs += tools/lib/dxg
user_dirs += tools/dxginfo
user_dirs += tools/devperm
user_dirs += tools/hostrun
selftest_dirs := $(wildcard selftests/*/Makefile)
selftest_dirs := $(selftest_dirs:/Makefile=)

.PHONY: all modules tools selftests check vmtest demo test deps \
	checkpatch sparse lint clean print-kernel modules-prepare \
	vm-vmtest vm-demo vm-shell shell debug-kernel install uninstall \
	vmtest-selftest bench vm-bench

all: modules tools

print-kernel:
	@echo "kver=$(kver) kdir=$(kdir) why=$(kwhy)"

modules-prepare:
	@echo "hostlink $(VERSION): modules for $(kver) ($(kwhy)), KDIR=$(kdir)"
	@test -n "$(kver)" -a -f "$(kdir)/Makefile" || { \
		echo "error: no kernel build directory at '$(kdir)' for '$(kver)';" \
			"install its headers (make deps) or pass KDIR=" >&2; exit 1; }
	@mkdir -p $(kmod_dir)
	@cp -R -u --preserve=timestamps $(kmod_src) $(kmod_dir)/

modules: modules-prepare
	+$(kmake) modules
	@echo "hostlink: modules in $(kmod_dir)"

# sparse on every file (C=2), warnings are failures.
sparse: modules-prepare
	+$(kmake) C=2 CHECK="sparse -Wsparse-error" modules

checkpatch:
	scripts/checkpatch.sh

lint: checkpatch sparse

tools selftests:
	+@for d in $(if $(filter tools,$@),$(user_dirs),$(selftest_dirs)); do \
		$(MAKE) -C $$d O=$(O) || exit 1; done

check: tools
	scripts/check.sh

# vmtest and demo need a kernel image: the pinned 6.1 unless told;
# KVER=debug builds the debug kernel first.
vm_kver := $(if $(KVER)$(KDIR),$(or $(filter debug,$(KVER)),$(kver)),$(KVER_6_1))
vmtest demo shell:
	+$(MAKE) tools selftests
	$(if $(filter debug,$(vm_kver)),tools/vmtest/debug-kernel >/dev/null)
	+$(MAKE) vm-$@ KVER=$(vm_kver)

vm_mode = $(if $(filter vm-demo,$@),--demo,$(if $(filter vm-shell,$@),--shell,$(if $(filter vm-bench,$@),$(bench_run),--selftests $(O)/selftests)))
# The demo's tour of the modules image needs the image and a USB stick
# (pinned kernels only: the image is built from the stock tree).
demo_dir = $(O)/demo/$(kver)
vm-vmtest vm-demo vm-shell vm-bench: modules
	@extra=; \
	if [ $@ = vm-demo ]; then \
		tools/vmtest/modimg-assets $(kver) $(kmod_dir) $(demo_dir); rc=$$?; \
		[ $$rc -eq 0 ] || [ $$rc -eq 3 ] || exit $$rc; \
		[ $$rc -eq 3 ] || extra="--drop usb-storage --drop uas \
			--disk $(demo_dir)/modules.vhdx --usb-storage $(demo_dir)/stick.img \
			--env DEMO_STICK=$(demo_dir)/stick.env"; \
	fi; \
	echo tools/vmtest/vmtest --kver $(kver) --modules $(kmod_dir) $(vm_mode) $$extra $(VMTEST_ARGS); \
	tools/vmtest/vmtest --kver $(kver) --modules $(kmod_dir) $(vm_mode) $$extra $(VMTEST_ARGS)

# Benchmarks in a VM (stock 6.1 unless KVER says), BENCH=<prefix> to
# pick; lines "bench <name>: ... ratio <r>" (DESIGN section 8).
# BENCH_ARGS passes options (--runs, --rtt-iters, --bulk-mib) through,
# --dxg-NAME to dxg-bench alone (tools/bench/vm-benches).
# scripts/bench.sh runs the VM part (vm-bench) and the host-side
# figures (the modules image builder, microvm against q35).
bench_run = --run "BENCH_FILTER=$(BENCH) $(CURDIR)/tools/bench/vm-benches $(BENCH_ARGS)"
bench:
	+$(MAKE) tools
	KVER=$(vm_kver) scripts/bench.sh

# The runner self-test: broken modules on the debug kernel.
vmtest-selftest: tools
	tools/vmtest/vmtest-selftest

debug-kernel:
	tools/vmtest/debug-kernel

demo shell: deps

# Installation.  Modules go where the kernel looks, whatever PREFIX;
# the rest under PREFIX (default /usr, where udev and sysusers read).
PREFIX ?= /usr
MODDIR ?= /lib/modules/$(kver)/updates/hostlink
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MAN1DIR ?= $(PREFIX)/share/man/man1
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMDUSERUNITDIR ?= $(PREFIX)/lib/systemd/user
MAN8DIR ?= $(PREFIX)/share/man/man8
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINFMTDIR ?= $(LIBDIR)/binfmt.d
# libdxg installs and uninstalls itself (tools/lib/dxg/Makefile).
libdxg_make = $(MAKE) -C tools/lib/dxg O=$(O) DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) \
	LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR) PKGCONFIGDIR=$(PKGCONFIGDIR)
# The daemon's configuration is in /etc whatever PREFIX.
HOSTLINKDCONF ?= /etc/hostlink/hostlinkd.conf
installed := $(DESTDIR)$(MODDIR)/hostlink.ko $(DESTDIR)$(MODDIR)/dxg.ko \
	$(DESTDIR)$(MODDIR)/interop.ko $(DESTDIR)$(UDEVRULESDIR)/60-hostlink.rules \
	$(DESTDIR)$(SYSUSERSDIR)/hostlink.conf $(DESTDIR)$(SBINDIR)/hostlinkd \
	$(DESTDIR)$(SYSTEMDUNITDIR)/hostlinkd.service $(DESTDIR)$(MAN8DIR)/hostlinkd.8 \
	$(DESTDIR)$(SYSTEMDUSERUNITDIR)/hostlinkd-interop.service \
	$(DESTDIR)$(HOSTLINKDCONF) \
	$(DESTDIR)$(BINDIR)/mkmodimg $(DESTDIR)$(LIBEXECDIR)/hostlink/mkmodimg-seal \
	$(DESTDIR)$(MAN1DIR)/mkmodimg.1 $(DESTDIR)$(SBINDIR)/modload \
	$(DESTDIR)$(MAN8DIR)/modload.8 $(DESTDIR)$(SYSTEMDUNITDIR)/modload.service \
	$(DESTDIR)$(UDEVRULESDIR)/61-modload.rules \
	$(DESTDIR)$(BINDIR)/dxginfo $(DESTDIR)$(MAN1DIR)/dxginfo.1 \
	$(DESTDIR)$(SBINDIR)/devperm $(DESTDIR)$(MAN8DIR)/devperm.8 \
	$(DESTDIR)$(SYSTEMDUNITDIR)/devperm.service \
	$(DESTDIR)$(UDEVRULESDIR)/62-devperm.rules $(DESTDIR)$(LIBDIR)/devperm.conf \
	$(DESTDIR)$(BINDIR)/hostrun $(DESTDIR)$(LIBDIR)/hostlink/hostrun-binfmt \
	$(DESTDIR)$(MAN1DIR)/hostrun.1 $(DESTDIR)$(BINFMTDIR)/hostrun.conf

hostlinkd_bin := $(O)/tools/hostlinkd/hostlinkd
$(hostlinkd_bin): FORCE
	+$(MAKE) -C tools/hostlinkd O=$(O) $@
FORCE:

modload_bin := $(O)/tools/modload/modload
seal_bin := $(O)/tools/mkmodimg/mkmodimg-seal
$(modload_bin): FORCE
	+$(MAKE) -C tools/modload O=$(O) $@
$(seal_bin): FORCE
	+$(MAKE) -C tools/mkmodimg O=$(O) $@
dxginfo_bin := $(O)/tools/dxginfo/dxginfo
$(dxginfo_bin): FORCE
	+$(MAKE) -C tools/dxginfo O=$(O) $@
devperm_bin := $(O)/tools/devperm/devperm
$(devperm_bin): FORCE
	+$(MAKE) -C tools/devperm O=$(O) $@
hostrun_bin := $(O)/tools/hostrun/hostrun
$(hostrun_bin): FORCE
	+$(MAKE) -C tools/hostrun O=$(O) $@

install: modules $(hostlinkd_bin) $(modload_bin) $(seal_bin) $(dxginfo_bin) $(devperm_bin) \
		$(hostrun_bin)
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MAN8DIR) \
		$(dir $(DESTDIR)$(HOSTLINKDCONF))
	install -m 0644 $(kmod_dir)/drivers/hostlink/hostlink.ko \
		$(kmod_dir)/drivers/dxg/dxg.ko $(kmod_dir)/drivers/interop/interop.ko \
		$(DESTDIR)$(MODDIR)/
	install -m 0644 udev/60-hostlink.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0644 udev/sysusers.d/hostlink.conf $(DESTDIR)$(SYSUSERSDIR)/
	install -m 0755 $(hostlinkd_bin) $(DESTDIR)$(SBINDIR)/
	sed 's|^ExecStart=/usr/sbin/|ExecStart=$(SBINDIR)/|' tools/hostlinkd/hostlinkd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/hostlinkd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/hostlinkd.service
	@# The interop service runs in each user's own instance: a user unit.
	install -d $(DESTDIR)$(SYSTEMDUSERUNITDIR)
	sed 's|^ExecStart=/usr/sbin/|ExecStart=$(SBINDIR)/|' \
		tools/hostlinkd/hostlinkd-interop.service \
		>$(DESTDIR)$(SYSTEMDUSERUNITDIR)/hostlinkd-interop.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUSERUNITDIR)/hostlinkd-interop.service
	install -m 0644 tools/hostlinkd/hostlinkd.8 $(DESTDIR)$(MAN8DIR)/
	install -D -m 0755 tools/mkmodimg/mkmodimg $(DESTDIR)$(BINDIR)/mkmodimg
	install -D -m 0755 $(seal_bin) $(DESTDIR)$(LIBEXECDIR)/hostlink/mkmodimg-seal
	install -D -m 0644 tools/mkmodimg/mkmodimg.1 $(DESTDIR)$(MAN1DIR)/mkmodimg.1
	install -m 0755 $(modload_bin) $(DESTDIR)$(SBINDIR)/
	install -m 0644 tools/modload/modload.8 $(DESTDIR)$(MAN8DIR)/
	sed 's|/usr/sbin/modload|$(SBINDIR)/modload|' tools/modload/modload.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/modload.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/modload.service
	install -m 0644 tools/modload/61-modload.rules $(DESTDIR)$(UDEVRULESDIR)/
	+$(libdxg_make) install
	install -D -m 0755 $(dxginfo_bin) $(DESTDIR)$(BINDIR)/dxginfo
	install -D -m 0644 tools/dxginfo/dxginfo.1 $(DESTDIR)$(MAN1DIR)/dxginfo.1
	@# devperm reads /usr/lib/devperm.conf (the packaged default) and
	@# /etc/devperm.conf, whatever PREFIX; the unit and rule run SBINDIR's.
	install -m 0755 $(devperm_bin) $(DESTDIR)$(SBINDIR)/
	install -m 0644 tools/devperm/devperm.8 $(DESTDIR)$(MAN8DIR)/
	install -D -m 0644 tools/devperm/devperm.conf $(DESTDIR)$(LIBDIR)/devperm.conf
	sed 's|/usr/sbin/devperm|$(SBINDIR)/devperm|g' tools/devperm/devperm.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/devperm.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/devperm.service
	sed 's|/usr/sbin/devperm|$(SBINDIR)/devperm|g' udev/62-devperm.rules \
		>$(DESTDIR)$(UDEVRULESDIR)/62-devperm.rules
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/62-devperm.rules
	@# hostrun-binfmt is hostrun by another name, where the binfmt_misc
	@# entry (binfmt.d/hostrun.conf, hostrun --register-binfmt) names it.
	install -D -m 0755 $(hostrun_bin) $(DESTDIR)$(BINDIR)/hostrun
	install -d $(DESTDIR)$(LIBDIR)/hostlink
	ln -sfr $(DESTDIR)$(BINDIR)/hostrun $(DESTDIR)$(LIBDIR)/hostlink/hostrun-binfmt
	install -D -m 0644 tools/hostrun/hostrun.1 $(DESTDIR)$(MAN1DIR)/hostrun.1
	install -d $(DESTDIR)$(BINFMTDIR)
	sed 's|/usr/lib/hostlink/|$(LIBDIR)/hostlink/|' tools/hostrun/binfmt.d/hostrun.conf \
		>$(DESTDIR)$(BINFMTDIR)/hostrun.conf
	chmod 0644 $(DESTDIR)$(BINFMTDIR)/hostrun.conf
	@# An existing configuration is the administrator's: keep it.
	test -e $(DESTDIR)$(HOSTLINKDCONF) || \
		install -m 0644 tools/hostlinkd/hostlinkd.conf $(DESTDIR)$(HOSTLINKDCONF)
	$(if $(DESTDIR),,depmod -a $(kver) && ldconfig && systemd-sysusers hostlink.conf && udevadm control --reload)

uninstall:
	rm -f $(installed)
	+$(libdxg_make) uninstall
	-rmdir $(DESTDIR)$(MODDIR) $(dir $(DESTDIR)$(HOSTLINKDCONF)) \
		$(DESTDIR)$(LIBEXECDIR)/hostlink $(DESTDIR)$(LIBDIR)/hostlink 2>/dev/null
	$(if $(DESTDIR),,depmod -a $(kver))

test:
	scripts/test.sh

deps:
	scripts/deps.sh

clean:
	rm -rf $(O)
