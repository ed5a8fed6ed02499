/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioctl ABI between the apf_kctx guest module (guest/kmod/apf_kctx.c)
 * and apfw's kctx workload (guest/workloads/kctx.c). One header for both
 * sides, so the request layout cannot drift; each ioctl number encodes its
 * struct's size, so a module and a workload built from different versions
 * fail with -ENOTTY instead of misreading each other.
 *
 * Protocol, per open file of /dev/apf_kctx (root only):
 *   APF_KCTX_IOC_INFO   limits of the loaded module (and this file's buffer)
 *   APF_KCTX_IOC_ALLOC  vmalloc `bytes` (rounded up to pages) and fill it
 *                       with non-zero pseudo-random words; replaces any
 *                       earlier buffer of this file; freed on close
 *   APF_KCTX_IOC_PASS   touch every page of the buffer once in `context`,
 *                       entering and leaving the context every chunk_pages
 *                       pages; per-page times land in `buckets` (the
 *                       log-linear scheme of guest/lib/hist_buckets.h)
 * Only one ALLOC or PASS runs at a time in the whole module: a second one,
 * from any file, gets -EBUSY. Out-of-range fields get -EINVAL.
 */
#ifndef APF_KCTX_ABI_H
#define APF_KCTX_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define APF_KCTX_NAME		"apf_kctx"
#define APF_KCTX_DEV		"/dev/apf_kctx"
#define APF_KCTX_ABI_VERSION	1

enum apf_kctx_context {
	APF_KCTX_PLAIN = 0,	/* process context, preemptible */
	APF_KCTX_IRQOFF = 1,	/* local_irq_save() per chunk */
	APF_KCTX_PREEMPTOFF = 2,	/* preempt_disable() per chunk */
	APF_KCTX_RCU = 3,	/* rcu_read_lock() per chunk */
	APF_KCTX_NCONTEXTS
};

/* Bounds checked by the module; the workload checks them first for a clearer message. */
#define APF_KCTX_MIN_BYTES		4096ULL
#define APF_KCTX_MAX_BYTES		(64ULL << 30)
#define APF_KCTX_MAX_CHUNK_PAGES	4096U
#define APF_KCTX_DEF_CHUNK_PAGES	64U

/* apf_kctx_pass.flags */
#define APF_KCTX_F_WRITE	(1U << 0)	/* also write the touched word back (dirty the page) */
#define APF_KCTX_F_ALL		APF_KCTX_F_WRITE

struct apf_kctx_info {
	__u32 abi_version;
	__u32 nbuckets;		/* HB_NBUCKETS the module was built with */
	__u32 page_size;
	__u32 max_chunk_pages;
	__u64 min_bytes, max_bytes;	/* ALLOC bounds (max also <= guest RAM) */
	__u64 buf_bytes;	/* this file's buffer, 0 when none */
};

struct apf_kctx_alloc {
	__u64 bytes;		/* in */
	__u64 seed;		/* in: fill seed, 0 for a random one */
};

struct apf_kctx_pass {
	/* in */
	__u32 context;		/* enum apf_kctx_context */
	__u32 chunk_pages;	/* 1..APF_KCTX_MAX_CHUNK_PAGES */
	__u32 flags;		/* APF_KCTX_F_* */
	__u32 nbuckets;		/* must equal apf_kctx_info.nbuckets */
	__u64 buckets;		/* user pointer to __u64[nbuckets], overwritten */
	/* out */
	__u64 pages;		/* pages touched (sum of buckets) */
	__u64 chunks;
	__u64 total_ns;		/* whole pass, first chunk entry to last exit */
	__u64 min_ns, sum_ns;	/* per-page touch times */
	__u64 slowest_ns;	/* the slowest page's touch time */
	__u64 slowest_page;	/* its index in the buffer */
	__u64 max_chunk_ns;	/* longest stretch spent inside the context */
	__u64 checksum;		/* xor of the words read, keeps the reads real */
};

#define APF_KCTX_IOC_MAGIC	0xaf
#define APF_KCTX_IOC_INFO	_IOR(APF_KCTX_IOC_MAGIC, 0x40, struct apf_kctx_info)
#define APF_KCTX_IOC_ALLOC	_IOW(APF_KCTX_IOC_MAGIC, 0x41, struct apf_kctx_alloc)
#define APF_KCTX_IOC_PASS	_IOWR(APF_KCTX_IOC_MAGIC, 0x42, struct apf_kctx_pass)

#endif
