# SPDX-License-Identifier: GPL-2.0-only
# scripts/: the report's statistics helper (apf-stats), a host tool built
# natively (not static: it never goes into a guest).
APF_STATS := $(BUILD)/apf-stats

$(APF_STATS): scripts/apf-stats.c $(LIBAPF)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib -o $@ $^ -lm

ALL += $(APF_STATS)

-include $(BUILD)/apf-stats.d
