# host/pressure.mk: memory-pressure tools (owned by the pressure area).
# host/pageout is the targeted pager; $(BUILD)/tests/memfd-hold is the
# pressure tests' stand-in for QEMU's memfd guest RAM.
ALL += host/pageout $(BUILD)/tests/memfd-hold

host/pageout: host/pageout.c
	@mkdir -p $(BUILD)/host
	$(CC) $(CFLAGS) -MF $(BUILD)/host/pageout.d -o $@ $<

$(BUILD)/tests/memfd-hold: tests/pressure/memfd-hold.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MF $@.d -o $@ $<

# `make clean` removes $(BUILD) already; host/pageout sits in the tree
clean: pressure-clean
pressure-clean:
	rm -f host/pageout
.PHONY: pressure-clean

-include $(BUILD)/host/pageout.d $(BUILD)/tests/memfd-hold.d
