# SPDX-License-Identifier: GPL-2.0-only
# guest/: apfw (static, runs from a busybox initramfs with no libc), its
# exec-storm helper, the C unit tests (guest/lib, lib/) and the bench-self
# tool. guest/lib is what only apfw needs; the shared rest is in lib/.
GUEST_CFLAGS  := $(CFLAGS) -Iguest/lib -Ilib -pthread
GUEST_LDFLAGS := -static -pthread
GUEST_LIBS    := -lnuma -lz -lm

GUEST_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard guest/lib/*.c))
APFW_OBJ      := $(patsubst %.c,$(BUILD)/%.o,guest/apfw.c $(wildcard guest/workloads/*.c))
UNIT_BINS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))

guest/apfw: $(APFW_OBJ) $(GUEST_LIB_OBJ) $(LIBAPF)
	$(CC) $(GUEST_LDFLAGS) -o $@ $^ $(GUEST_LIBS)

# The exec target: as small as a static program gets, so exec-storm times
# the kernel's exec path, not the helper's start-up.
guest/apfw-exec-helper: guest/exec_helper.c
	$(CC) -O2 -static -nostdlib -fno-stack-protector -o $@ $<

$(BUILD)/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(GUEST_LIB_OBJ) $(LIBAPF)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $^ $(GUEST_LIBS) -static

$(BUILD)/bench-self: guest/bench_self.c $(GUEST_LIB_OBJ) $(LIBAPF)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $^ $(GUEST_LIBS) -static

unit-bins: $(UNIT_BINS)
.PHONY: unit-bins

bench-self: guest/apfw guest/apfw-exec-helper $(BUILD)/bench-self
	@guest/bench-self.sh

ALL += guest/apfw guest/apfw-exec-helper unit-bins

-include $(APFW_OBJ:.o=.d) $(GUEST_LIB_OBJ:.o=.d)
