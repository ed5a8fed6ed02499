// SPDX-License-Identifier: GPL-2.0-only
/*
 * apf_kctx: touch a guest buffer from chosen kernel contexts, so apfbench
 * can see what a host fault costs when it hits the guest kernel with IRQs
 * off, with preemption off, inside an RCU read-side section, or in plain
 * preemptible process context (the contexts the LKML thread on
 * kvm_async_pf_task_wait() argues about; user-space workloads cannot
 * reach them).
 *
 * A root-only misc device, /dev/apf_kctx; the ABI is apf_kctx_abi.h. Each
 * open file owns one vmalloc buffer filled with non-zero pseudo-random
 * words (so a host under pressure must swap its pages, not drop or
 * compress them away). A pass touches one word of every page, timing each
 * touch, in chunks of chunk_pages: the context is entered and left per
 * chunk and the task may reschedule between chunks, so IRQs are never off
 * for longer than one chunk and the soft-lockup and RCU-stall detectors
 * stay quiet however slow the pages are. Times are bucketed with
 * guest/lib/hist_buckets.h, the scheme apfw's histograms use, so the
 * counts merge exactly in user space.
 *
 * One request (ALLOC or PASS) at a time module-wide: a second gets -EBUSY.
 * Open files pin the module (fops.owner), so rmmod during a pass fails
 * cleanly with "in use"; closing frees the file's buffer.
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "apf_kctx_abi.h"
#include "hist_buckets.h"
#include "xorshift.h"

/* Pages filled between reschedule points while preparing a buffer. */
#define KCTX_FILL_BATCH 256

/* Serialises requests across all open files; trylock gives -EBUSY. */
static DEFINE_MUTEX(kctx_busy);

struct kctx_file {
	u64 *buf;
	size_t bytes;
	unsigned long npages;
	u64 *counts;		/* HB_NBUCKETS per-page buckets of the last pass */
};

/* Running figures of one pass; the touch loop updates only this. */
struct kctx_stats {
	u64 *counts;
	u64 min_ns, sum_ns, slowest_ns, slowest_page, sink;
};

static void kctx_free_buf(struct kctx_file *kf)
{
	vfree(kf->buf);
	kf->buf = NULL;
	kf->bytes = 0;
	kf->npages = 0;
}

static int kctx_open(struct inode *inode, struct file *file)
{
	struct kctx_file *kf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	kf = kzalloc(sizeof(*kf), GFP_KERNEL);
	if (!kf)
		return -ENOMEM;
	kf->counts = kvcalloc(HB_NBUCKETS, sizeof(*kf->counts), GFP_KERNEL);
	if (!kf->counts) {
		kfree(kf);
		return -ENOMEM;
	}
	file->private_data = kf;
	return nonseekable_open(inode, file);
}

static int kctx_release(struct inode *inode, struct file *file)
{
	struct kctx_file *kf = file->private_data;

	kctx_free_buf(kf);
	kvfree(kf->counts);
	kfree(kf);
	return 0;
}

static int kctx_alloc(struct kctx_file *kf, const struct apf_kctx_alloc *a)
{
	size_t bytes = PAGE_ALIGN(a->bytes);
	unsigned long words_per_page = PAGE_SIZE / sizeof(u64);
	unsigned long npages = bytes >> PAGE_SHIFT, pg, i;
	u64 state = a->seed ? a->seed : get_random_u64();
	u64 *buf;

	if (!state)
		state = 0x9e3779b97f4a7c15ULL;
	kctx_free_buf(kf);
	buf = __vmalloc(bytes, GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (!buf)
		return -ENOMEM;
	for (pg = 0; pg < npages; pg++) {
		u64 *w = buf + pg * words_per_page;

		for (i = 0; i < words_per_page; i++)
			w[i] = xorshift64(&state);
		if ((pg + 1) % KCTX_FILL_BATCH == 0) {
			if (fatal_signal_pending(current)) {
				vfree(buf);
				return -EINTR;
			}
			cond_resched();
		}
	}
	kf->buf = buf;
	kf->bytes = bytes;
	kf->npages = npages;
	return 0;
}

/*
 * Touch pages [first, first + n): one word read (and written back rotated,
 * which keeps it non-zero, with APF_KCTX_F_WRITE), timed on its own. Runs
 * inside the chosen context: nothing here may sleep.
 */
static __always_inline void kctx_touch(struct kctx_stats *st, u64 *buf,
				       unsigned long first, unsigned long n,
				       bool write)
{
	unsigned long words_per_page = PAGE_SIZE / sizeof(u64);
	unsigned long pg;

	for (pg = first; pg < first + n; pg++) {
		u64 *w = buf + pg * words_per_page;
		u64 t0, dt, v;

		t0 = ktime_get_ns();
		v = READ_ONCE(*w);
		if (write)
			WRITE_ONCE(*w, rol64(v, 1));
		dt = ktime_get_ns() - t0;
		st->sink ^= v;
		st->counts[hb_index(dt)]++;
		st->sum_ns += dt;
		if (dt < st->min_ns)
			st->min_ns = dt;
		if (dt > st->slowest_ns || pg == 0) {
			st->slowest_ns = dt;
			st->slowest_page = pg;
		}
	}
}

/* One chunk inside its context; returns the time spent in the context. */
static u64 kctx_chunk(struct kctx_stats *st, u64 *buf, unsigned long first,
		      unsigned long n, u32 context, bool write)
{
	unsigned long flags;
	u64 t0, t1;

	switch (context) {
	case APF_KCTX_IRQOFF:
		local_irq_save(flags);
		t0 = ktime_get_ns();
		kctx_touch(st, buf, first, n, write);
		t1 = ktime_get_ns();
		local_irq_restore(flags);
		break;
	case APF_KCTX_PREEMPTOFF:
		preempt_disable();
		t0 = ktime_get_ns();
		kctx_touch(st, buf, first, n, write);
		t1 = ktime_get_ns();
		preempt_enable();
		break;
	case APF_KCTX_RCU:
		rcu_read_lock();
		t0 = ktime_get_ns();
		kctx_touch(st, buf, first, n, write);
		t1 = ktime_get_ns();
		rcu_read_unlock();
		break;
	default:	/* APF_KCTX_PLAIN */
		t0 = ktime_get_ns();
		kctx_touch(st, buf, first, n, write);
		t1 = ktime_get_ns();
		break;
	}
	return t1 - t0;
}

static int kctx_pass(struct kctx_file *kf, struct apf_kctx_pass *p)
{
	struct kctx_stats st = { .counts = kf->counts, .min_ns = U64_MAX };
	bool write = p->flags & APF_KCTX_F_WRITE;
	unsigned long pg = 0, n;
	u64 t_start, in_ctx, max_chunk = 0, chunks = 0;

	if (!kf->buf)
		return -ENODATA;
	memset(kf->counts, 0, HB_NBUCKETS * sizeof(*kf->counts));
	t_start = ktime_get_ns();
	while (pg < kf->npages) {
		n = min_t(unsigned long, p->chunk_pages, kf->npages - pg);
		in_ctx = kctx_chunk(&st, kf->buf, pg, n, p->context, write);
		if (in_ctx > max_chunk)
			max_chunk = in_ctx;
		pg += n;
		chunks++;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	p->total_ns = ktime_get_ns() - t_start;
	p->pages = kf->npages;
	p->chunks = chunks;
	p->min_ns = st.min_ns;
	p->sum_ns = st.sum_ns;
	p->slowest_ns = st.slowest_ns;
	p->slowest_page = st.slowest_page;
	p->max_chunk_ns = max_chunk;
	p->checksum = st.sink;
	if (copy_to_user(u64_to_user_ptr(p->buckets), kf->counts,
			 HB_NBUCKETS * sizeof(*kf->counts)))
		return -EFAULT;
	return 0;
}

static u64 kctx_max_bytes(void)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	return min_t(u64, APF_KCTX_MAX_BYTES, ram);
}

static bool kctx_pass_valid(const struct apf_kctx_pass *p)
{
	return p->context < APF_KCTX_NCONTEXTS &&
	       p->chunk_pages >= 1 && p->chunk_pages <= APF_KCTX_MAX_CHUNK_PAGES &&
	       !(p->flags & ~APF_KCTX_F_ALL) &&
	       p->nbuckets == HB_NBUCKETS && p->buckets;
}

static long kctx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kctx_file *kf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct apf_kctx_info info;
	struct apf_kctx_alloc a;
	struct apf_kctx_pass p;
	long ret;

	switch (cmd) {
	case APF_KCTX_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.abi_version = APF_KCTX_ABI_VERSION;
		info.nbuckets = HB_NBUCKETS;
		info.page_size = PAGE_SIZE;
		info.max_chunk_pages = APF_KCTX_MAX_CHUNK_PAGES;
		info.min_bytes = APF_KCTX_MIN_BYTES;
		info.max_bytes = kctx_max_bytes();
		info.buf_bytes = READ_ONCE(kf->bytes);	/* a snapshot; never busy */
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case APF_KCTX_IOC_ALLOC:
		if (copy_from_user(&a, uarg, sizeof(a)))
			return -EFAULT;
		if (a.bytes < APF_KCTX_MIN_BYTES || a.bytes > kctx_max_bytes())
			return -EINVAL;
		if (!mutex_trylock(&kctx_busy))
			return -EBUSY;
		ret = kctx_alloc(kf, &a);
		mutex_unlock(&kctx_busy);
		return ret;
	case APF_KCTX_IOC_PASS:
		if (copy_from_user(&p, uarg, sizeof(p)))
			return -EFAULT;
		if (!kctx_pass_valid(&p))
			return -EINVAL;
		if (!mutex_trylock(&kctx_busy))
			return -EBUSY;
		ret = kctx_pass(kf, &p);
		mutex_unlock(&kctx_busy);
		if (ret)
			return ret;
		return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kctx_fops = {
	.owner = THIS_MODULE,
	.open = kctx_open,
	.release = kctx_release,
	.unlocked_ioctl = kctx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kctx_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = APF_KCTX_NAME,
	.fops = &kctx_fops,
	.mode = 0600,
};

static int __init kctx_init(void)
{
	int ret = misc_register(&kctx_dev);

	if (ret) {
		pr_err("apf_kctx: misc_register failed: %d\n", ret);
		return ret;
	}
	pr_info("apf_kctx: ready, abi %d, %u buckets\n", APF_KCTX_ABI_VERSION,
		HB_NBUCKETS);
	return 0;
}

static void __exit kctx_exit(void)
{
	misc_deregister(&kctx_dev);
}

module_init(kctx_init);
module_exit(kctx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("apfbench: touch a buffer from chosen kernel contexts");
