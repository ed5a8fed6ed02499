# SPDX-License-Identifier: GPL-2.0-only
# lib/: the C library every tool links (apfw and its unit tests, host/*.c,
# scripts/apf-stats): numbers, sizes, JSON writing, whole-file replace,
# the suite's version. One archive, so each program takes only the
# objects it uses; plain C with no threads, fit for apfw's static link.
LIB_CFLAGS := $(CFLAGS) -Ilib
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c))
LIBAPF     := $(BUILD)/lib/libapf.a

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

# The suite's version (top Makefile's APF_VERSION) is baked into version.o
# only, rebuilt when $(BUILD)/VERSION changes, so every tool says the same.
$(BUILD)/lib/version.o: $(BUILD)/VERSION
$(BUILD)/lib/version.o: LIB_CFLAGS += -DAPF_VERSION='"$(APF_VERSION)"'

$(LIBAPF): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

-include $(LIB_OBJ:.o=.d)
