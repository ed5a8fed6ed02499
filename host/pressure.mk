# SPDX-License-Identifier: GPL-2.0-only
# host/pressure.mk: memory-pressure tools (owned by the pressure area).
# host/pageout is the targeted pager, host/monitor-sampler host/monitor's
# per-interval sampler; $(BUILD)/tests/memfd-hold is the pressure tests'
# stand-in for QEMU's memfd guest RAM.
ALL += host/pageout host/monitor-sampler $(BUILD)/tests/memfd-hold

# Both link lib/ (sizes, numbers, JSON, whole-file writes, --version).
host/pageout: host/pageout.c $(LIBAPF)
	@mkdir -p $(BUILD)/host
	$(CC) $(CFLAGS) -Ilib -MF $(BUILD)/host/pageout.d -o $@ $(filter %.c %.o %.a,$^)

# the sampler's parts: host/sampler/*.c, one job each (see sampler.h)
SAMPLER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard host/sampler/*.c))
$(BUILD)/host/sampler/%.o: host/sampler/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ilib -c -o $@ $<

host/monitor-sampler: host/monitor-sampler.c $(SAMPLER_OBJ) $(LIBAPF)
	@mkdir -p $(BUILD)/host
	$(CC) $(CFLAGS) -Ilib -Ihost/sampler -MF $(BUILD)/host/monitor-sampler.d -o $@ $(filter %.c %.o %.a,$^)

# make bench-self: the sampler's own CPU cost at 10 Hz (guest.mk owns the
# recipe; this adds a prerequisite, so it runs first)
bench-self: bench-self-monitor
bench-self-monitor: host/monitor-sampler $(BUILD)/tests/memfd-hold
	@tests/monitor/sampler-cost
.PHONY: bench-self-monitor

$(BUILD)/tests/memfd-hold: tests/pressure/memfd-hold.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MF $@.d -o $@ $<

# `make clean` removes $(BUILD) already; host/pageout sits in the tree
clean: pressure-clean
pressure-clean:
	rm -f host/pageout host/monitor-sampler
.PHONY: pressure-clean

-include $(BUILD)/host/pageout.d $(BUILD)/host/monitor-sampler.d $(BUILD)/tests/memfd-hold.d
-include $(SAMPLER_OBJ:.o=.d)
