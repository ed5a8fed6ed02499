# SPDX-License-Identifier: GPL-2.0-only
# host/: guest kernels (host/kernels), the initramfs builder and the VM
# launcher. Shell tools need no build; `make kernel` fills the kernel cache.
KERNELS_DEFAULT := debian-6.1-cloud debian-6.12-cloud

kernel:
	host/kernels fetch $(or $(KERNELS),$(KERNELS_DEFAULT))
