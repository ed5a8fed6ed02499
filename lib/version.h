/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's version, for every C tool's --version and result.json's
 * `tool` block: `git describe --always --dirty` of the tree built, baked
 * in by lib/lib.mk (APF_VERSION), "unknown" when built outside git.
 */
#ifndef APF_VERSION_H
#define APF_VERSION_H

const char *apf_version(void);

#endif
