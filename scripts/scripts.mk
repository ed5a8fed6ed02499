# SPDX-License-Identifier: GPL-2.0-only
# scripts/: the report's statistics helper (apf-stats), a host tool built
# natively (not static: it never goes into a guest).
APF_STATS := $(BUILD)/apf-stats

$(APF_STATS): scripts/apf-stats.c $(BUILD)/guest/lib/version.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iguest/lib -o $@ $(filter %.c %.o,$^) -lm

ALL += $(APF_STATS)

-include $(BUILD)/apf-stats.d
