# SPDX-License-Identifier: GPL-2.0-only
# scripts/: the report's statistics helper (apf-stats), a host tool built
# natively (not static: it never goes into a guest): scripts/apf-stats.c
# and its parts in scripts/stats/.
APF_STATS := $(BUILD)/apf-stats

STATS_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard scripts/stats/*.c))
$(BUILD)/scripts/stats/%.o: scripts/stats/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib -c -o $@ $<

$(APF_STATS): scripts/apf-stats.c $(STATS_OBJ) $(LIBAPF)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib -Iscripts/stats -o $@ $(filter %.c %.o %.a,$^) -lm

ALL += $(APF_STATS)

-include $(BUILD)/apf-stats.d $(STATS_OBJ:.o=.d)
