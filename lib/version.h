/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The suite's version for result.json's `tool` block: `git describe
 * --always --dirty` of the tree apfw was built from, baked in by
 * guest/guest.mk (APF_VERSION), "unknown" when built outside git.
 */
#ifndef APF_VERSION_H
#define APF_VERSION_H

const char *apf_version(void);

#endif
