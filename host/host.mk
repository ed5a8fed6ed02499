# SPDX-License-Identifier: GPL-2.0-only
# host/: guest kernels (host/kernels), the initramfs builder and the VM
# launcher. Shell tools need no build; `make kernel` fills the kernel cache.
# host/apf-size is lib/'s size parser for the shell (host/lib.sh parse_size);
# host/apf-chan reads apf-vm's control channel (host/vm-lib/channel.sh).
KERNELS_DEFAULT := debian-6.1-cloud debian-6.12-cloud

kernel:
	host/kernels fetch $(or $(KERNELS),$(KERNELS_DEFAULT))

host/apf-size: host/apf-size.c $(LIBAPF)
	@mkdir -p $(BUILD)/host
	$(CC) $(CFLAGS) -Ilib -MF $(BUILD)/host/apf-size.d -o $@ $(filter %.c %.o %.a,$^)

host/apf-chan: host/apf-chan.c $(LIBAPF)
	@mkdir -p $(BUILD)/host
	$(CC) $(CFLAGS) -Ilib -MF $(BUILD)/host/apf-chan.d -o $@ $(filter %.c %.o %.a,$^)

ALL += host/apf-size host/apf-chan
clean: host-clean
host-clean:
	rm -f host/apf-size host/apf-chan
.PHONY: host-clean

-include $(BUILD)/host/apf-size.d $(BUILD)/host/apf-chan.d
