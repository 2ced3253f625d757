/* SPDX-License-Identifier: GPL-2.0-only
 *
 * CO-RE shims: kernel struct layouts that changed across versions. Each flavor (a struct
 * whose name ends in ___suffix) declares only the fields the probe reads; libbpf matches it
 * against the running kernel's BTF at load time and bpf_core_field_exists() picks the one
 * that exists. The commit that changed each layout is named above its flavor.
 */
#ifndef FRC_CORE_FIXES_BPF_H
#define FRC_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/* < v6.6: struct timespec64 i_ctime; v6.6 (commit 13bc24457850 "fs: rename i_ctime field to
 * __i_ctime"): __i_ctime; v6.11 (commit 3aa63a569c64 "fs: switch timespec64 fields in inode to
 * discrete integers"): i_ctime_sec/i_ctime_nsec (same for mtime) */
struct inode___pre66 {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));

struct inode___v611 {
	time64_t i_ctime_sec;
	time64_t i_mtime_sec;
	__u32 i_ctime_nsec;
	__u32 i_mtime_nsec;
} __attribute__((preserve_access_index));

/* v6.15 (commit 633488947ef6 "kernfs: Use RCU to access kernfs_node::parent"): parent became
 * __parent */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___v615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

/* v6.3 (commit f122a08b197d "capability: just use a 'u64' instead of a 'u32[2]' array"):
 * kernel_cap_t holds a u64 val */
struct kernel_cap_struct___pre63 {
	__u32 cap[2];
} __attribute__((preserve_access_index));

typedef struct {
	__u64 val;
} __attribute__((preserve_access_index)) kernel_cap_t___v63;

/* v6.2 (commit f1a7941243c1 "mm: convert mm's rss stats into percpu_counter"): rss_stat
 * became an array of percpu_counter */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

struct mm_struct___v62 {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *core_kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___v615 *n = (void *)kn;
	struct kernfs_node___pre615 *o = (void *)kn;

	if (bpf_core_field_exists(n->__parent))
		return BPF_CORE_READ(n, __parent);
	return BPF_CORE_READ(o, parent);
}

/* inode change/modification times in ns since the epoch */
static __always_inline void core_inode_times(struct inode *inode, __u64 *ctime, __u64 *mtime)
{
	struct inode___v611 *a = (void *)inode;
	struct inode___v66 *b = (void *)inode;
	struct inode___pre66 *c = (void *)inode;
	__s64 cs = 0, ms = 0;
	__u64 cn = 0, mn = 0;

	if (bpf_core_field_exists(a->i_ctime_sec)) {
		cs = BPF_CORE_READ(a, i_ctime_sec);
		cn = BPF_CORE_READ(a, i_ctime_nsec);
		ms = BPF_CORE_READ(a, i_mtime_sec);
		mn = BPF_CORE_READ(a, i_mtime_nsec);
	} else if (bpf_core_field_exists(b->__i_ctime)) {
		cs = BPF_CORE_READ(b, __i_ctime.tv_sec);
		cn = BPF_CORE_READ(b, __i_ctime.tv_nsec);
		ms = BPF_CORE_READ(b, __i_mtime.tv_sec);
		mn = BPF_CORE_READ(b, __i_mtime.tv_nsec);
	} else {
		cs = BPF_CORE_READ(c, i_ctime.tv_sec);
		cn = BPF_CORE_READ(c, i_ctime.tv_nsec);
		ms = BPF_CORE_READ(c, i_mtime.tv_sec);
		mn = BPF_CORE_READ(c, i_mtime.tv_nsec);
	}
	/* v6.13 multigrain timestamps keep a "queried" flag in the top bits of the nsec field */
	cn &= (1u << 30) - 1;
	mn &= (1u << 30) - 1;
	*ctime = cs < 0 ? 0 : (__u64)cs * 1000000000ull + cn;
	*mtime = ms < 0 ? 0 : (__u64)ms * 1000000000ull + mn;
}

/* a capability set as a 64-bit mask (PPM capability bits are the kernel's bit numbers) */
static __always_inline __u64 core_cap(void *cap)
{
	struct kernel_cap_struct___pre63 *old = cap;
	kernel_cap_t___v63 *cur = cap;

	if (bpf_core_field_exists(old->cap)) {
		__u32 lo = BPF_CORE_READ(old, cap[0]);
		__u32 hi = BPF_CORE_READ(old, cap[1]);

		return ((__u64)hi << 32) | lo;
	}
	return BPF_CORE_READ(cur, val);
}

#endif
