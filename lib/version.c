// SPDX-License-Identifier: GPL-2.0-only
/* See version.h; only this file sees APF_VERSION, so only it rebuilds. */
#include "version.h"

#ifndef APF_VERSION
#define APF_VERSION "unknown"
#endif

const char *apf_version(void)
{
	return APF_VERSION;
}
