/* SPDX-License-Identifier: GPL-2.0-only
 *
 * The event builder of the probe: maps, configuration globals and the helpers that write one
 * scap event (header, u16 parameter lengths, parameter data: scap-format.md §9) into the
 * per-CPU scratch area and copy it to the ring buffer. Every write is bounded so that the
 * verifier can prove it stays inside the scratch map value; a parameter that does not fit
 * is stored empty and the event is counted as truncated.
 */
#ifndef FRC_BUILDER_BPF_H
#define FRC_BUILDER_BPF_H

#include "frc_probe.h"

/* ---------------------------------------------------------------- configuration */

/* set by the loader before load (read-only afterwards) */
const volatile __u32 cfg_own_tgid = 0;		/* the daemon: its syscalls are never traced */
const volatile __u64 cfg_boot_ns = 0;		/* epoch ns at boot: event ts = boot + boottime */
const volatile __u32 cfg_snaplen = 80;		/* bytes of I/O buffers kept (Falco's snaplen) */
const volatile __u64 cfg_wakeup_bytes = 1 << 20; /* wake the reader past this much pending data */
const volatile __u32 cfg_fmode_created = 1u << 20; /* FMODE_CREATED of this kernel */
/* ppm_sc code of each syscall number, for generic events */
const volatile __u16 cfg_ppm_sc[FRC_NR_SYSCALLS] = {};

/* the syscalls to trace, by number; written by the loader at any time through the mmap-ed
 * .bss (probe_set_interest) */
__u64 frc_interest[FRC_NR_SYSCALLS / 64] = {};

/* ---------------------------------------------------------------- maps */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader */
} frc_rb SEC(".maps");

struct frc_scratch {
	__u8 data[FRC_SCRATCH_DATA];
	__u32 pos;	/* where the next parameter's data goes */
	__u32 idx;	/* index of the next parameter */
	__u32 trunc;	/* a parameter was emptied because it did not fit */
	__u16 type;
	__u8 dclass;
	__u8 compat;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* number of possible CPUs, set by the loader */
	__type(key, __u32);
	__type(value, struct frc_scratch);
} frc_scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frc_probe_counters);
} frc_counters SEC(".maps");

#define FRC_POS_MASK (FRC_EVT_MAX - 1)

/* @v & @mask, computed in the register the access then uses: clang would otherwise drop the
 * mask after a range check and the verifier would see an unbounded offset */
#define FRC_BOUND(v, mask)						\
	({								\
		__u64 __b = (v);					\
		asm volatile("%0 &= %1" : "+r"(__b) : "i"(mask));	\
		__b;							\
	})
#define FRC_OFF(p) FRC_BOUND(p, FRC_POS_MASK)

static __always_inline struct frc_scratch *scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&frc_scratch_map, &cpu);
}

static __always_inline struct frc_probe_counters *counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&frc_counters, &zero);
}

static __always_inline void count_bug(void)
{
	struct frc_probe_counters *c = counters_get();

	if (c) {
		c->n_evts++;
		c->n_drops_bug++;
	}
}

/* ---------------------------------------------------------------- header and lengths */

static __always_inline void ev_begin(struct frc_scratch *s, __u16 type, __u32 nparams, __u8 dclass)
{
	*(__u64 *)&s->data[0] = bpf_ktime_get_boot_ns() + cfg_boot_ns;
	*(__u64 *)&s->data[8] = (__u32)bpf_get_current_pid_tgid();
	*(__u32 *)&s->data[16] = 0;
	*(__u16 *)&s->data[20] = type;
	*(__u32 *)&s->data[22] = nparams;
	s->pos = FRC_HDR_LEN + 2 * (nparams & (FRC_MAX_NPARAMS - 1));
	s->idx = 0;
	s->trunc = 0;
	s->type = type;
	s->dclass = dclass;
}

/* records the length of the parameter just written and moves on */
static __always_inline void ev_plen(struct frc_scratch *s, __u32 len)
{
	__u32 i = s->idx;

	if (i >= FRC_MAX_NPARAMS)
		return;
	*(__u16 *)&s->data[FRC_HDR_LEN + 2 * FRC_BOUND(i, FRC_MAX_NPARAMS - 1)] = (__u16)len;
	s->idx = i + 1;
	s->pos += len;
}

static __always_inline void ev_empty(struct frc_scratch *s)
{
	ev_plen(s, 0);
}

static __always_inline void ev_trunc(struct frc_scratch *s)
{
	s->trunc = 1;
	ev_plen(s, 0);
}

/* ---------------------------------------------------------------- fixed-size params */

#define FRC_DEFINE_STORE(name, type)						\
static __always_inline void ev_##name(struct frc_scratch *s, type v)		\
{										\
	__u32 p = s->pos;							\
	if (p > FRC_EVT_MAX - sizeof(type)) {					\
		ev_trunc(s);							\
		return;								\
	}									\
	*(type *)&s->data[FRC_OFF(p)] = v;				\
	ev_plen(s, sizeof(type));						\
}

FRC_DEFINE_STORE(u8, __u8)
FRC_DEFINE_STORE(u16, __u16)
FRC_DEFINE_STORE(u32, __u32)
FRC_DEFINE_STORE(u64, __u64)
FRC_DEFINE_STORE(s64, __s64)

/* raw bytes appended to the current parameter without closing it (for composite params) */
static __always_inline int ev_raw_u8(struct frc_scratch *s, __u32 *off, __u8 v)
{
	__u32 p = s->pos + *off;

	if (p > FRC_EVT_MAX - 1)
		return -1;
	s->data[FRC_OFF(p)] = v;
	*off += 1;
	return 0;
}

static __always_inline int ev_raw_u16(struct frc_scratch *s, __u32 *off, __u16 v)
{
	__u32 p = s->pos + *off;

	if (p > FRC_EVT_MAX - 2)
		return -1;
	*(__u16 *)&s->data[FRC_OFF(p)] = v;
	*off += 2;
	return 0;
}

static __always_inline int ev_raw_u32(struct frc_scratch *s, __u32 *off, __u32 v)
{
	__u32 p = s->pos + *off;

	if (p > FRC_EVT_MAX - 4)
		return -1;
	*(__u32 *)&s->data[FRC_OFF(p)] = v;
	*off += 4;
	return 0;
}

static __always_inline int ev_raw_u64(struct frc_scratch *s, __u32 *off, __u64 v)
{
	__u32 p = s->pos + *off;

	if (p > FRC_EVT_MAX - 8)
		return -1;
	*(__u64 *)&s->data[FRC_OFF(p)] = v;
	*off += 8;
	return 0;
}

/* 16 bytes from kernel memory at @src */
static __always_inline int ev_raw_16k(struct frc_scratch *s, __u32 *off, const void *src)
{
	__u32 p = s->pos + *off;

	if (p > FRC_EVT_MAX - 16)
		return -1;
	if (bpf_probe_read_kernel(&s->data[FRC_OFF(p)], 16, src))
		__builtin_memset(&s->data[FRC_OFF(p)], 0, 16);
	*off += 16;
	return 0;
}

/* a NUL-terminated string appended to a composite parameter; returns bytes written (with NUL) */
static __always_inline int ev_raw_str_kernel(struct frc_scratch *s, __u32 *off, const void *src,
					     __u32 max)
{
	__u32 p = s->pos + *off;
	long n;

	if (p > FRC_EVT_MAX - max)
		return -1;
	n = bpf_probe_read_kernel_str(&s->data[FRC_OFF(p)], max, src);
	if (n <= 0) {
		s->data[FRC_OFF(p)] = 0;
		n = 1;
	}
	*off += n;
	return n;
}

/* ---------------------------------------------------------------- strings and buffers */

/* a NUL-terminated string of at most @max bytes (a constant) from user memory */
static __always_inline __u32 ev_str_user(struct frc_scratch *s, const void *ptr, __u32 max)
{
	__u32 p = s->pos;
	long n;

	if (!ptr) {
		ev_empty(s);
		return 0;
	}
	if (p > FRC_EVT_MAX - max) {
		ev_trunc(s);
		return 0;
	}
	n = bpf_probe_read_user_str(&s->data[FRC_OFF(p)], max, ptr);
	if (n < 0)
		n = 0;
	ev_plen(s, n);
	return n;
}

static __always_inline __u32 ev_str_kernel(struct frc_scratch *s, const void *ptr, __u32 max)
{
	__u32 p = s->pos;
	long n;

	if (!ptr) {
		ev_empty(s);
		return 0;
	}
	if (p > FRC_EVT_MAX - max) {
		ev_trunc(s);
		return 0;
	}
	n = bpf_probe_read_kernel_str(&s->data[FRC_OFF(p)], max, ptr);
	if (n < 0)
		n = 0;
	ev_plen(s, n);
	return n;
}

/* @len bytes (at most @max, a constant power of two) of user memory */
static __always_inline __u32 ev_bytes_user(struct frc_scratch *s, const void *ptr, __u64 len,
					   __u32 max)
{
	__u32 p = s->pos;
	__u32 n;

	if (!ptr || !len) {
		ev_empty(s);
		return 0;
	}
	if (len > max) {
		len = max;
		s->trunc = 1;
	}
	if (p > FRC_EVT_MAX - max) {
		ev_trunc(s);
		return 0;
	}
	n = (__u32)len;
	if (n > max)
		n = max;
	n = FRC_BOUND(n, 2 * max - 1);
	if (bpf_probe_read_user(&s->data[FRC_OFF(p)], n, ptr)) {
		ev_empty(s);
		return 0;
	}
	ev_plen(s, n);
	return n;
}

/* a list of NUL-separated strings (mm arg or env area) as a BYTEBUF, always NUL-terminated */
static __always_inline void ev_strlist_user(struct frc_scratch *s, unsigned long start,
					    unsigned long end)
{
	__u32 n;

	if (!start || end <= start) {
		ev_empty(s);
		return;
	}
	n = ev_bytes_user(s, (const void *)start, end - start, FRC_MAX_ARGENV);
	if (n) {
		__u32 last = s->pos - 1;

		s->data[FRC_OFF(last)] = 0;
	}
}

/* ---------------------------------------------------------------- submit */

/* the kernel filter (frc_kfilter.bpf.h): when it is live, ev_submit() tail-calls it and it
 * submits what it keeps. Programs not attached to sys_exit set FRC_KF_TAIL to 0 (their
 * events are never filtered). */
#ifndef FRC_KF_TAIL
#define FRC_KF_TAIL 1
#endif
static __always_inline void frc_kf_tail(void *ctx);
static __always_inline void frc_kf_direct(struct frc_scratch *s);
#define ev_submit(s)					\
	do {						\
		if (FRC_KF_TAIL)			\
			frc_kf_tail(ctx);		\
		else					\
			frc_kf_direct(s);		\
		ev_submit_direct(s);			\
	} while (0)

static __always_inline void ev_submit_direct(struct frc_scratch *s)
{
	struct frc_probe_counters *c = counters_get();
	__u32 len = s->pos;
	__u32 nparams = *(__u32 *)&s->data[22];
	__u64 flags;

	if (!c)
		return;
	c->n_evts++;
	if (s->idx != nparams) {
		c->n_drops_bug++;
		return;
	}
	if (len > FRC_EVT_MAX) {
		c->n_drops_scratch++;
		return;
	}
	*(__u32 *)&s->data[16] = len;
	if (s->trunc)
		c->n_truncated++;
	/* batch wake-ups: the reader polls on a short timer and is woken only when the ring
	 * fills up (an IPI per event costs several times the event itself) */
	flags = bpf_ringbuf_query(&frc_rb, BPF_RB_AVAIL_DATA) > cfg_wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&frc_rb, s->data, len, flags)) {
		c->n_drops_buffer++;
		c->n_drops_buffer_class[FRC_BOUND(s->dclass, FRC_DC__COUNT - 1)]++;
	}
}

#endif
