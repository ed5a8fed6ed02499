# SPDX-License-Identifier: GPL-2.0-only
# apfbench top-level build. Each area owns a fragment (guest/guest.mk,
# host/host.mk, ...) that appends its products to ALL and its checks to
# the test suite; this file only ties them together.
CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP
BUILD   := build
ALL     :=
KERNELS ?=

.DEFAULT_GOAL := all
.PHONY: all test bench bench-self kernel report deps clean

# The suite's version, one value for every tool's --version and
# result.json's tool.version: `git describe` of the tree being built; outside
# git, the VERSION an earlier build wrote (a copied tree keeps it), else
# "unknown". $(BUILD)/VERSION is rewritten only when the value changes, so a
# new commit rebuilds what embeds it (lib/version.o) and relinks the tools;
# host/lib.sh's apf_version reads it when there is no git.
APF_VERSION := $(shell git describe --always --dirty 2>/dev/null || head -n 1 $(BUILD)/VERSION 2>/dev/null || echo unknown)
$(BUILD)/VERSION: apf-version-check
	@mkdir -p $(@D)
	@echo '$(APF_VERSION)' | cmp -s - $@ || echo '$(APF_VERSION)' >$@
.PHONY: apf-version-check
ALL += $(BUILD)/VERSION

include lib/lib.mk
include guest/guest.mk
-include guest/kmod/kmod.mk
-include host/host.mk
-include host/pressure.mk
-include bench/bench.mk
-include scripts/scripts.mk

all: $(ALL)

deps:
	@host/need-packages build

# Kernels first, so `all` builds the module for them and the VM tests find
# them; without a network the VM tests say SKIP instead.
test:
	@host/need-packages test
	@$(MAKE) --no-print-directory kernel || echo "make test: guest kernels unavailable; VM tests will skip"
	@$(MAKE) --no-print-directory all
	@tests/run $(T)

clean:
	rm -rf $(BUILD) guest/apfw guest/apfw-exec-helper
