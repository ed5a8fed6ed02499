# SPDX-License-Identifier: GPL-2.0-only
# guest/kmod/: the apf_kctx module, built per cached guest kernel that has
# headers (build/kernels/*/kdir; `make kernel` fetches them), and
# apf-kctx-check, the static in-guest ABI checker the initramfs carries
# (guest/kmod/initramfs.list). Without cached headers `make` builds only
# the checker; a kernel without headers still boots, and kctx on it fails
# with a clear reason.
KMOD_KERNEL_DIRS := $(patsubst %/kdir,%,$(wildcard $(BUILD)/kernels/*/kdir))
KCTX_CHECK       := $(BUILD)/kmod/apf-kctx-check

$(KCTX_CHECK): guest/kmod/kctx_check.c guest/kmod/apf_kctx_abi.h guest/lib/hist_buckets.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iguest/kmod -Iguest/lib -Ilib -pthread -static -o $@ $<

# build-for is itself incremental (kbuild), so always ask it.
kmod: $(KCTX_CHECK)
	@for k in $(KMOD_KERNEL_DIRS); do guest/kmod/build-for "$$k" >/dev/null || exit 1; done

.PHONY: kmod
ALL += kmod
