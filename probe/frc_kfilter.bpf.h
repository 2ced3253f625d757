// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel filter: a fixed interpreter of the per-event-code programs a compiled ruleset
 * leaves in the maps (layout: frc_kfilter.h; built by compiler/kfilter.c, written by
 * runtime/kfilter_load.c). ev_submit() asks frc_kf_submit() before an event goes to the
 * ring buffer; a non-zero answer drops it.
 *
 * An event is dropped when no clause of any live bank's program for its code may be true
 * and its state class allows it: events without state effect simply go; a successful open
 * goes with its fd "shadowed" (the event is kept in frc_kf_shadow, keyed by process and fd,
 * and emitted - marked state-only - right before any emitted event that uses that fd); a
 * close of a shadowed fd goes together with the shadow. A forked child inherits the
 * parent's shadows. Everything the filter cannot decide passes.
 *
 * The comm of a task is trusted only while the task has not been renamed since its last
 * exec (user space learns names from exec and clone events only): frc_kf_task_rename marks
 * renamed tasks.
 */
#ifndef FRC_KFILTER_BPF_H
#define FRC_KFILTER_BPF_H

#include "frc_kfilter.h"

/* live banks (bit 0: bank 0, bit 1: bank 1; 0: no filtering), written by the loader
 * through the mmap-ed .bss */
__u32 frc_kf_live = 0;
struct frc_kf_needles frc_kf_needles[FRC_KF_BANKS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FRC_KF_BANKS * FRC_KF_NCODES);
	__type(key, __u32);
	__type(value, struct frc_kf_prog);
} frc_kf_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FRC_KF_LPM_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct frc_kf_lpm_key);
	__type(value, __u8);
} frc_kf_pfx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FRC_KF_LPM_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct frc_kf_lpm_key);
	__type(value, __u8);
} frc_kf_sfx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FRC_KF_COMM_ENTRIES);
	__type(key, struct frc_kf_comm_key);
	__type(value, __u8);
} frc_kf_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FRC_KF_SHADOW_ENTRIES);
	__type(key, struct frc_kf_shadow_key);
	__type(value, struct frc_kf_shadow);
} frc_kf_shadow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frc_kf_stats);
} frc_kf_stats SEC(".maps");

/* per event code: what the filter did (enum frc_kf_why) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FRC_KF_WHY_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} frc_kf_why SEC(".maps");

/* the cgroup (v2 id) whose events frc_kf_why counts apart, 0: none (a benchmark sets it) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} frc_kf_diag SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} frc_kf_renamed SEC(".maps");

/* per-CPU working memory of one decision */
struct frc_kf_tmp {
	struct frc_kf_lpm_key pk;	/* set id + raw path (with its NUL) */
	struct frc_kf_lpm_key sk;	/* set id + reversed raw path (without NUL) */
	struct frc_kf_lpm_key npk;	/* set id + fd.name: the normalised absolute path */
	struct frc_kf_lpm_key nsk;	/* set id + reversed fd.name */
	struct frc_kf_comm_key ck;
	struct frc_kf_shadow sv;
	__u8 stk[128];			/* normalisation: output length after each '/' */
	__u64 win;			/* path scan: last 8 bytes */
	__u32 poff;			/* path param offset in the event */
	__u32 plen;			/* path bytes, NUL included (0: no usable path) */
	__u32 nlen;			/* fd.name bytes, NUL included (0: not known) */
	__u32 tc, sp, skip;		/* normalisation: output length, stack depth, skip */
	__u32 subs[FRC_KF_BANKS];	/* needle hits per bank, raw path */
	__u32 nsubs[FRC_KF_BANKS];	/* needle hits per bank, fd.name */
	__u8 prev;
	__u8 dslash;			/* "//" somewhere */
	__u8 noncanon;			/* relative, "//", "/." or a trailing '/' */
	__u8 scanned;
	__u8 comm_state;		/* 0 not read, 1 trusted, 2 renamed */
	__u8 raw_rel;
	__u8 name_raw;			/* fd.name is the raw path itself */
	__u8 pass2;			/* the byte scan runs over fd.name */
	__s64 res;
	__u32 flags;
	__u32 tgid;
	__u64 start_ns;
	__u32 np;			/* params of the event */
	__u32 off[FRC_MAX_NPARAMS];	/* their offsets and lengths */
	__u16 len[FRC_MAX_NPARAMS];
};

/* what the callbacks see (on the stack: pointers keep their types there) */
struct kf_cx {
	struct frc_kf_tmp *t;
	struct frc_scratch *s;
	struct frc_kf_prog *p;
	__u32 bank;
	__u32 pass;
	__u32 acc;
	__u32 scan;		/* FRC_KF_SCAN_* of the live programs */
	__u32 live;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct frc_kf_tmp);
} frc_kf_tmp_map SEC(".maps");

static __always_inline struct frc_kf_stats *kf_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&frc_kf_stats, &zero);
}

static __always_inline void kf_why(__u32 code, __u32 why)
{
	__u32 key = (code & (FRC_KF_NCODES - 1)) * FRC_KF_NWHY + (why & (FRC_KF_NWHY - 1));
	__u32 zero = 0;
	__u64 *cg = bpf_map_lookup_elem(&frc_kf_diag, &zero);
	__u64 *v;

	if (cg && *cg && bpf_get_current_cgroup_id() == *cg)
		key += FRC_KF_NCODES * FRC_KF_NWHY;
	v = bpf_map_lookup_elem(&frc_kf_why, &key);

	if (v)
		(*v)++;
}

/* the offsets of the params of the event being built, once per decision */
static long kf_offsets_cb(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	struct frc_kf_tmp *t = cx->t;
	struct frc_scratch *s = cx->s;
	__u16 l;

	if (!t || !s || i >= t->np || i >= FRC_MAX_NPARAMS)
		return 1;
	l = *(__u16 *)&s->data[FRC_HDR_LEN + 2 * FRC_BOUND(i, FRC_MAX_NPARAMS - 1)];
	t->off[FRC_BOUND(i, FRC_MAX_NPARAMS - 1)] = cx->acc;
	t->len[FRC_BOUND(i, FRC_MAX_NPARAMS - 1)] = l;
	cx->acc += l;
	return 0;
}

/* a signed integer param of 1, 2, 4 or 8 bytes */
static __always_inline int kf_param_int(struct frc_kf_tmp *t, struct frc_scratch *s, __u32 i,
					__s64 *v)
{
	__u32 off, len;

	if (i >= t->np)
		return -1;
	off = FRC_OFF(t->off[FRC_BOUND(i, FRC_MAX_NPARAMS - 1)]);
	len = t->len[FRC_BOUND(i, FRC_MAX_NPARAMS - 1)];
	switch (len) {
	case 8: *v = *(__s64 *)&s->data[off]; return 0;
	case 4: *v = *(__s32 *)&s->data[off]; return 0;
	case 2: *v = *(__s16 *)&s->data[off]; return 0;
	case 1: *v = *(__s8 *)&s->data[off]; return 0;
	default: return -1;
	}
}

/* ---------------------------------------------------------------- the path scan */

/* byte @i of the raw path (first pass: also its features) or of fd.name (second pass):
 * the reversed copy and the needle windows */
static long kf_scan_byte(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	struct frc_kf_tmp *t = cx->t;
	__u32 n;
	__u8 c;

	if (!t)
		return 1;
	n = t->pass2 ? t->nlen : t->plen;
	if (i + 1 >= n)
		return 1;
	if (t->pass2) {
		c = t->npk.data[2 + FRC_BOUND(i, 0xff)];
	} else {
		c = t->pk.data[2 + FRC_BOUND(i, 0xff)];
		if (t->prev == '/' && (c == '/' || c == '.')) {
			t->noncanon = 1;
			if (c == '/')
				t->dslash = 1;
		}
		t->prev = c;
	}
	/* reversed copy for the suffix trie: byte i of the path goes to strlen - 1 - i */
	if (cx->scan & FRC_KF_SCAN_SFX) {
		if (t->pass2)
			t->nsk.data[2 + FRC_BOUND(n - 2 - i, 0xff)] = c;
		else
			t->sk.data[2 + FRC_BOUND(n - 2 - i, 0xff)] = c;
	}
	if (!(cx->scan & FRC_KF_SCAN_SUB))
		return 0;
	/* needles cannot hold NUL, so the zeroes the window starts with never match */
	t->win = (t->win << 8) | c;
	for (int b = 0; b < FRC_KF_BANKS; b++) {
		const struct frc_kf_needles *nd = &frc_kf_needles[b];
		__u32 hit = 0;

		if (!(cx->live & (1u << b)))
			continue;
		for (int k = 0; k < FRC_KF_NEEDLES; k++)
			if ((__u32)k < nd->n && (t->win & nd->mask[k]) == nd->val[k])
				hit |= 1u << k;
		if (t->pass2)
			t->nsubs[b] |= hit;
		else
			t->subs[b] |= hit;
	}
	return 0;
}

/* fd.name of an absolute path, as user space computes it (state_concat_paths: "." and
 * ".." components and repeated '/' removed lexically, no trailing '/'): one step per raw
 * byte, the output in npk, the output length after each '/' written on a stack */
static long kf_norm_byte(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	struct frc_kf_tmp *t = cx->t;
	__u32 tc, last = 0;
	__u8 c, c1, c2;

	if (!t || i + 1 >= t->plen || i >= FRC_KF_PATH_MAX)
		return 1;
	if (t->skip) {
		t->skip--;
		return 0;
	}
	tc = t->tc;
	c = t->pk.data[2 + FRC_BOUND(i, 0xff)];
	c1 = i + 2 < t->plen ? t->pk.data[2 + FRC_BOUND(i + 1, 0xff)] : 0;
	if (tc)
		last = t->npk.data[2 + FRC_BOUND(tc - 1, 0xff)];
	if (c == '.' && (!tc || last == '/')) {
		if (c1 == '.') {
			c2 = i + 3 < t->plen ? t->pk.data[2 + FRC_BOUND(i + 2, 0xff)] : 0;
			if (c2 == '/' || c2 == 0) {
				/* "..": back to after the previous '/' (never above the root) */
				if (tc > 1 && t->sp >= 2) {
					t->sp--;
					t->tc = t->stk[FRC_BOUND(t->sp - 1, 127)];
				}
				t->skip = c2 == '/' ? 2 : 1;
				return 0;
			}
		} else if (c1 == '/') {
			t->skip = 1;
			return 0;
		} else if (c1 == 0) {
			return 0;
		}
	} else if (c == '/' && tc && last == '/') {
		return 0;
	}
	if (tc >= FRC_KF_PATH_MAX - 1) {
		t->tc = FRC_KF_PATH_MAX;	/* cannot happen: the output is never longer */
		return 1;
	}
	t->npk.data[2 + FRC_BOUND(tc, 0xff)] = c;
	t->tc = tc + 1;
	if (c == '/') {
		if (t->sp >= 128) {
			t->tc = FRC_KF_PATH_MAX;	/* cannot happen: <= 127 '/' fit */
			return 1;
		}
		t->stk[FRC_BOUND(t->sp, 127)] = (__u8)(tc + 1);
		t->sp++;
	}
	return 0;
}

/* reads the path param once: fills the prefix key, the reversed key and the features;
 * fd.name too when an fd.name atom needs it and the path is absolute but not canonical */
static __always_inline void kf_scan(struct kf_cx *cx)
{
	struct frc_kf_tmp *t = cx->t;
	struct frc_scratch *s = cx->s;
	__u32 len, off, tc;

	t->scanned = 1;
	t->plen = 0;
	t->nlen = 0;
	if (cx->p->path_p >= t->np)
		return;
	off = t->off[FRC_BOUND(cx->p->path_p, FRC_MAX_NPARAMS - 1)];
	len = t->len[FRC_BOUND(cx->p->path_p, FRC_MAX_NPARAMS - 1)];
	if (len < 2 || len > FRC_KF_PATH_MAX)
		return;
	t->poff = off;
	t->plen = len;
	t->prev = 0;
	t->dslash = 0;
	t->noncanon = 0;
	t->win = 0;
	t->pass2 = 0;
	t->subs[0] = t->subs[1] = 0;
	t->nsubs[0] = t->nsubs[1] = 0;
	if (bpf_probe_read_kernel(&t->pk.data[2], FRC_BOUND(len, 0xff), &s->data[FRC_OFF(off)])) {
		t->plen = 0;
		return;
	}
	t->pk.data[2 + FRC_BOUND(len - 1, 0xff)] = 0;
	if (t->pk.data[2] != '/')
		t->noncanon = 1;	/* relative: fd.name depends on the cwd or dirfd */
	bpf_loop(FRC_KF_PATH_MAX, kf_scan_byte, cx, 0);
	if (len > 2 && t->pk.data[2 + FRC_BOUND(len - 2, 0xff)] == '/')
		t->noncanon = 1;
	t->name_raw = !t->noncanon;
	if (!t->noncanon) {
		t->nlen = len;
		return;
	}
	if (t->pk.data[2] != '/' || !(cx->scan & FRC_KF_SCAN_NAME))
		return;		/* fd.name unknown (relative) or not needed */
	t->tc = 0;
	t->sp = 0;
	t->skip = 0;
	bpf_loop(FRC_KF_PATH_MAX, kf_norm_byte, cx, 0);
	tc = t->tc;
	if (!tc || tc >= FRC_KF_PATH_MAX - 1)
		return;		/* fd.name stays unknown */
	if (tc > 1 && t->npk.data[2 + FRC_BOUND(tc - 1, 0xff)] == '/')
		tc--;
	t->npk.data[2 + FRC_BOUND(tc, 0xff)] = 0;
	t->nlen = tc + 1;
	if (cx->scan & (FRC_KF_SCAN_SFX | FRC_KF_SCAN_SUB)) {
		t->pass2 = 1;
		t->win = 0;
		bpf_loop(FRC_KF_PATH_MAX, kf_scan_byte, cx, 0);
		t->pass2 = 0;
	}
}

/* may atom @a be true for this event */
static __always_inline int kf_atom(struct kf_cx *cx, const struct frc_kf_atom *a)
{
	struct frc_kf_tmp *t = cx->t;
	__u8 kind = a->kind;
	__u32 bank = cx->bank & 1;
	int r;

	switch (kind) {
	case FRC_KFA_NAME_PFX:
	case FRC_KFA_NAME_SFX:
	case FRC_KFA_NAME_SUB:
	case FRC_KFA_RAW_PFX:
	case FRC_KFA_RAW_SFX:
	case FRC_KFA_RAW_SUB: {
		int raw = kind >= FRC_KFA_RAW_PFX;
		int nm = !raw && !t->name_raw;	/* fd.name: the normalised copy */
		__u32 len = nm ? t->nlen : t->plen;

		if (!t->plen)
			return 1;
		/* fd.name is known for absolute paths (normalised like user space does);
		 * fd.nameraw is the argument unless it has "//" (and, for open/creat, unless
		 * it is not canonical) */
		if (raw ? t->dslash || (t->noncanon && !t->raw_rel) : !t->nlen)
			return 1;
		if (kind == FRC_KFA_NAME_SUB || kind == FRC_KFA_RAW_SUB)
			return ((nm ? t->nsubs[bank] : t->subs[bank]) >> (a->arg & 31)) & 1;
		if (kind == FRC_KFA_NAME_PFX || kind == FRC_KFA_RAW_PFX) {
			struct frc_kf_lpm_key *k = nm ? &t->npk : &t->pk;

			k->data[0] = (__u8)((bank << 7) | ((a->arg >> 8) & 0x7f));
			k->data[1] = (__u8)a->arg;
			k->prefixlen = (2 + len) * 8;
			return bpf_map_lookup_elem(&frc_kf_pfx, k) != NULL;
		}
		{
			struct frc_kf_lpm_key *k = nm ? &t->nsk : &t->sk;

			k->data[0] = (__u8)((bank << 7) | ((a->arg >> 8) & 0x7f));
			k->data[1] = (__u8)a->arg;
			k->prefixlen = (2 + len - 1) * 8;
			return bpf_map_lookup_elem(&frc_kf_sfx, k) != NULL;
		}
	}
	case FRC_KFA_FLAGS:
		r = (t->flags & (__u32)a->val) != 0;
		return r ^ a->neg;
	case FRC_KFA_RES:
		switch (a->cmp) {
		case FRC_KF_EQ: r = t->res == a->val; break;
		case FRC_KF_NE: r = t->res != a->val; break;
		case FRC_KF_LT: r = t->res < a->val; break;
		case FRC_KF_LE: r = t->res <= a->val; break;
		case FRC_KF_GT: r = t->res > a->val; break;
		default: r = t->res >= a->val; break;
		}
		return r ^ a->neg;
	case FRC_KFA_COMM:
		if (!t->comm_state) {
			__u8 *rn = bpf_task_storage_get(&frc_kf_renamed, bpf_get_current_task_btf(),
							0, 0);

			t->comm_state = rn && *rn ? 2 : 1;
			__builtin_memset(t->ck.comm, 0, sizeof(t->ck.comm));
			bpf_get_current_comm(t->ck.comm, sizeof(t->ck.comm));
		}
		if (t->comm_state == 2)
			return 1;
		t->ck.set = (bank << 16) | (a->arg & 0xffff);
		return bpf_map_lookup_elem(&frc_kf_comm, &t->ck) != NULL;
	default:
		return 1;
	}
}

/* one clause of the program being evaluated; stops the loop when it may be true */
static long kf_clause(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	struct frc_kf_prog *p = cx->p;
	const struct frc_kf_clause *c;
	__u32 n;

	if (!p || !cx->t || i >= p->nclauses || i >= FRC_KF_CLAUSES)
		return 1;
	c = &p->c[FRC_BOUND(i, FRC_KF_CLAUSES - 1)];
	n = c->n;
	for (int k = 0; k < FRC_KF_ATOMS; k++) {
		if ((__u32)k >= n)
			break;
		if (!kf_atom(cx, &c->a[k]))
			return 0;	/* this clause is false: next one */
	}
	cx->pass = 1;
	return 1;
}

/* ---------------------------------------------------------------- shadowed fds */

static __always_inline __u64 kf_start_ns(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return BPF_CORE_READ(t, group_leader, start_time);
}

/* the start time of the current process, read once per decision (only shadows need it) */
static __always_inline __u64 kf_start(struct frc_kf_tmp *t)
{
	if (!t->start_ns)
		t->start_ns = kf_start_ns();
	return t->start_ns;
}

/* emits the kept open of fd @fd (state only) and forgets it */
static __always_inline void kf_replay(struct frc_kf_tmp *t, __s64 fd)
{
	struct frc_kf_shadow_key k = { .tgid = t->tgid, .fd = (__u32)fd };
	struct frc_kf_shadow *v;
	struct frc_kf_stats *st;
	struct frc_probe_counters *c;
	__u32 n;

	if (fd < 0 || fd >= FRC_KF_SHADOW_FD_MAX)
		return;
	v = bpf_map_lookup_elem(&frc_kf_shadow, &k);
	if (!v)
		return;
	if (v->start_ns == kf_start(t)) {
		st = kf_stats();
		c = counters_get();
		n = v->len + 8;
		/* the fd now belongs to this thread's process table */
		*(__u64 *)&v->ev[8] = (__u32)bpf_get_current_pid_tgid();
		if (n < FRC_KF_STORE_BUF) {
			n = FRC_BOUND(n, FRC_KF_STORE_BUF - 1);
			if (c)
				c->n_evts++;
			if (bpf_ringbuf_output(&frc_rb, v->ev, n, BPF_RB_NO_WAKEUP)) {
				if (st)
					st->replay_lost++;
				if (c) {
					c->n_drops_buffer++;
					c->n_drops_buffer_class[FRC_DC_OPEN]++;
				}
			} else {
				if (st)
					st->replayed++;
				kf_why(*(__u16 *)&v->ev[20], FRC_KFW_REPLAY);
			}
		}
	}
	bpf_map_delete_elem(&frc_kf_shadow, &k);
}

static __always_inline void kf_forget(struct frc_kf_tmp *t, __s64 fd)
{
	struct frc_kf_shadow_key k = { .tgid = t->tgid, .fd = (__u32)fd };

	if (fd >= 0 && fd < FRC_KF_SHADOW_FD_MAX)
		bpf_map_delete_elem(&frc_kf_shadow, &k);
}

/* keeps the successful open being built; 0 if it is kept (the event may go) */
static __always_inline int kf_keep_open(struct frc_kf_tmp *t, struct frc_scratch *s)
{
	struct frc_kf_shadow_key k = { .tgid = t->tgid, .fd = (__u32)t->res };
	__u32 len;

	if (t->res < 0 || t->res >= FRC_KF_SHADOW_FD_MAX)
		return -1;
	len = s->pos;
	if (len > FRC_KF_STORE_MAX)
		return -1;
	len = FRC_BOUND(len, FRC_KF_STORE_BUF - 1);
	t->sv.start_ns = kf_start(t);
	t->sv.len = len;
	if (bpf_probe_read_kernel(t->sv.ev, len, s->data))
		return -1;
	*(__u32 *)&t->sv.ev[16] = len;
	if (len > FRC_KF_STORE_BUF - 8)
		return -1;
	*(__u64 *)&t->sv.ev[len] = FRC_KF_MARKER;
	return bpf_map_update_elem(&frc_kf_shadow, &k, &t->sv, BPF_ANY) ? -1 : 0;
}

struct kf_inherit {
	struct frc_kf_tmp *t;
	unsigned long *open_fds;
	unsigned long bits;
	__u32 ptgid;
	__u32 n;
	__u64 pstart;
};

/* fd @fd of the child: copy the parent's shadow of it, if any */
static long kf_inherit_fd(__u32 fd, void *ctx)
{
	struct kf_inherit *in = ctx;
	struct frc_kf_tmp *t = in->t;
	struct frc_kf_shadow_key pk, ck;
	struct frc_kf_shadow *pv;

	if (!t || fd >= FRC_KF_SHADOW_FD_MAX)
		return 1;
	if ((fd & 63) == 0) {
		in->bits = 0;
		if (bpf_probe_read_kernel(&in->bits, sizeof(in->bits), &in->open_fds[fd / 64]))
			return 1;
	}
	if (!(in->bits & (1ul << (fd & 63))))
		return 0;
	pk.tgid = in->ptgid;
	pk.fd = fd;
	pv = bpf_map_lookup_elem(&frc_kf_shadow, &pk);
	if (!pv || pv->start_ns != in->pstart)
		return 0;
	if (bpf_probe_read_kernel(&t->sv, sizeof(t->sv), pv))
		return 0;
	t->sv.start_ns = kf_start(t);
	ck.tgid = t->tgid;
	ck.fd = fd;
	if (!bpf_map_update_elem(&frc_kf_shadow, &ck, &t->sv, BPF_ANY))
		in->n++;
	return 0;
}

static long kf_used_cb(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	__s64 fd;
	__u8 pi;

	if (!cx->t || !cx->s || !cx->p || i >= 3)
		return 1;
	pi = cx->p->used_fd[FRC_BOUND(i, 3)];
	if (pi == FRC_KF_NOPARAM)
		return 1;
	if (!kf_param_int(cx->t, cx->s, pi, &fd))
		kf_replay(cx->t, fd);
	return 0;
}

static long kf_new_cb(__u32 i, void *ctx)
{
	struct kf_cx *cx = ctx;
	__s64 fd;
	__u8 pi;

	if (!cx->t || !cx->s || !cx->p || i >= 3)
		return 1;
	pi = cx->p->new_fd[FRC_BOUND(i, 3)];
	if (pi == FRC_KF_NOPARAM)
		return 1;
	if (!kf_param_int(cx->t, cx->s, pi, &fd))
		kf_forget(cx->t, fd);
	return 0;
}

/* a forked child (its own fd table, a copy of the parent's) inherits the shadows */
static __always_inline void kf_inherit(struct frc_kf_tmp *t)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct task_struct *par = BPF_CORE_READ(cur, real_parent);
	struct kf_inherit in = { .t = t };
	struct frc_kf_stats *st;

	if (!par || BPF_CORE_READ(par, tgid) == t->tgid ||
	    BPF_CORE_READ(cur, files) == BPF_CORE_READ(par, files))
		return;
	in.ptgid = BPF_CORE_READ(par, tgid);
	in.pstart = BPF_CORE_READ(par, group_leader, start_time);
	in.open_fds = BPF_CORE_READ(cur, files, fdt, open_fds);
	if (!in.open_fds)
		return;
	bpf_loop(FRC_KF_SHADOW_FD_MAX, kf_inherit_fd, &in, 0);
	st = kf_stats();
	if (st && in.n)
		st->inherited += in.n;
}

/* ---------------------------------------------------------------- the decision */

static __always_inline __u32 kf_need1(__u32 need, __u8 p)
{
	return p != FRC_KF_NOPARAM && p + 1u > need ? p + 1u : need;
}

/* how many leading params the decision about an event of program @p reads (@eval: some
 * live bank evaluates the code): 0 when it never drops the event and has no fds to look
 * after */
static __always_inline __u32 kf_need(const struct frc_kf_prog *p, int eval)
{
	__u32 n = 0;

	if (eval && p->state != FRC_KF_ST_KEEP && p->state != FRC_KF_ST_CLONE) {
		n = kf_need1(n, p->path_p);
		n = kf_need1(n, p->flags_p);
		n = kf_need1(n, p->res_p);
	}
	if (p->state == FRC_KF_ST_CLONE || p->used_fd[0] != FRC_KF_NOPARAM ||
	    p->new_fd[0] != FRC_KF_NOPARAM)
		n = kf_need1(n, p->res_p);
	for (int i = 0; i < 3; i++) {
		n = kf_need1(n, p->used_fd[i]);
		n = kf_need1(n, p->new_fd[i]);
	}
	if (p->state == FRC_KF_ST_COND)
		n = kf_need1(n, p->state_p);
	return n > FRC_MAX_NPARAMS ? FRC_MAX_NPARAMS : n;
}

/* 1: drop the event being submitted */
static __always_inline int frc_kf_submit(struct frc_scratch *s)
{
	__u32 live = frc_kf_live, zero = 0, code, key;
	struct frc_kf_prog *pr0 = NULL, *pr1 = NULL, *meta;
	struct kf_cx cx = { 0 };
	struct frc_kf_stats *st;
	struct frc_kf_tmp *t;
	int drop = 1, shadow = 1, eval = 0;
	__u32 why = FRC_KFW_KEEP_PASS, need;

	if (!live || !s)
		return 0;
	code = s->type & (FRC_KF_NCODES - 1);
	if (live & 1) {
		key = code;
		pr0 = bpf_map_lookup_elem(&frc_kf_progs, &key);
		if (!pr0)
			return 0;
	}
	if (live & 2) {
		key = FRC_KF_NCODES + code;
		pr1 = bpf_map_lookup_elem(&frc_kf_progs, &key);
		if (!pr1)
			return 0;
	}
	meta = pr0 ? pr0 : pr1;
	t = bpf_map_lookup_elem(&frc_kf_tmp_map, &zero);
	st = kf_stats();
	if (!meta || !t || !st)
		return 0;
	if (pr0) {
		shadow &= pr0->shadow;
		eval |= pr0->mode == FRC_KF_EVAL;
		cx.scan |= pr0->scan;
	}
	if (pr1) {
		shadow &= pr1->shadow;
		eval |= pr1->mode == FRC_KF_EVAL;
		cx.scan |= pr1->scan;
	}
	cx.live = live;
	cx.t = t;
	cx.s = s;
	cx.p = meta;
	t->scanned = 0;
	t->plen = 0;
	t->nlen = 0;
	t->name_raw = 0;
	t->comm_state = 0;
	t->raw_rel = meta->raw_rel;
	t->res = 0;
	t->flags = 0;
	t->tgid = bpf_get_current_pid_tgid() >> 32;
	t->start_ns = 0;
	t->np = *(__u32 *)&s->data[22];
	if (t->np > FRC_MAX_NPARAMS)
		t->np = FRC_MAX_NPARAMS;
	cx.acc = FRC_HDR_LEN + 2 * t->np;
	need = kf_need(meta, eval);
	if (!need && meta->state != FRC_KF_ST_CLONE) {
		/* nothing to read: a state event without fds (the common kept case) */
		st->seen++;
		kf_why(code, meta->state == FRC_KF_ST_KEEP ? FRC_KFW_KEEP_STATE : FRC_KFW_KEEP_PASS);
		return 0;
	}
	bpf_loop(need, kf_offsets_cb, &cx, 0);
	if (meta->res_p != FRC_KF_NOPARAM)
		kf_param_int(t, s, meta->res_p, &t->res);
	if (meta->flags_p != FRC_KF_NOPARAM) {
		__s64 f = 0;

		kf_param_int(t, s, meta->flags_p, &f);
		t->flags = (__u32)f;
	}
	st->seen++;

	if (meta->state == FRC_KF_ST_KEEP || meta->state == FRC_KF_ST_CLONE) {
		drop = 0;
		why = meta->state == FRC_KF_ST_KEEP ? FRC_KFW_KEEP_STATE : FRC_KFW_KEEP_CLONE;
	} else if (meta->state == FRC_KF_ST_COND) {
		__s64 v = -1;

		/* an unreadable param feeds state, to be safe */
		if (kf_param_int(t, s, meta->state_p, &v) || (__u64)v >= 64 ||
		    ((meta->state_mask >> v) & 1)) {
			drop = 0;
			why = FRC_KFW_KEEP_STATE;
		}
	}
	if (drop && eval && (cx.scan & FRC_KF_SCAN_PATH))
		kf_scan(&cx);
	if (drop && pr0) {
		if (pr0->mode != FRC_KF_EVAL) {
			drop = 0;
			why = FRC_KFW_KEEP_PASS;
		} else {
			cx.p = pr0;
			cx.bank = 0;
			cx.pass = 0;
			bpf_loop(FRC_KF_CLAUSES, kf_clause, &cx, 0);
			if (cx.pass) {
				drop = 0;
				why = FRC_KFW_KEEP_CLAUSE;
			}
		}
	}
	if (drop && pr1) {
		if (pr1->mode != FRC_KF_EVAL) {
			drop = 0;
			why = FRC_KFW_KEEP_PASS;
		} else {
			cx.p = pr1;
			cx.bank = 1;
			cx.pass = 0;
			bpf_loop(FRC_KF_CLAUSES, kf_clause, &cx, 0);
			if (cx.pass) {
				drop = 0;
				why = FRC_KFW_KEEP_CLAUSE;
			}
		}
	}

	if (drop) {
		switch (meta->state) {
		case FRC_KF_ST_NONE:
		case FRC_KF_ST_COND:
			st->dropped++;
			kf_why(code, FRC_KFW_DROP);
			return 1;
		case FRC_KF_ST_OPEN:
			if (t->res < 0) {
				st->dropped++;
				kf_why(code, FRC_KFW_DROP_FAILED);
				return 1;
			}
			if (shadow && !kf_keep_open(t, s)) {
				st->dropped++;
				st->shadowed++;
				kf_why(code, FRC_KFW_DROP_SHADOW);
				return 1;
			}
			if (shadow)
				st->shadow_full++;
			why = FRC_KFW_KEEP_OPEN;
			break;
		case FRC_KF_ST_CLOSE: {
			__s64 fd = -1;
			struct frc_kf_shadow_key k;
			struct frc_kf_shadow *v;

			why = FRC_KFW_KEEP_CLOSE;
			if (meta->used_fd[0] == FRC_KF_NOPARAM ||
			    kf_param_int(t, s, meta->used_fd[0], &fd) || fd < 0 ||
			    fd >= FRC_KF_SHADOW_FD_MAX)
				break;
			k.tgid = t->tgid;
			k.fd = (__u32)fd;
			v = bpf_map_lookup_elem(&frc_kf_shadow, &k);
			if (!v)
				break;
			if (v->start_ns != kf_start(t)) {
				bpf_map_delete_elem(&frc_kf_shadow, &k);
				break;
			}
			bpf_map_delete_elem(&frc_kf_shadow, &k);
			st->dropped++;
			st->closes_dropped++;
			kf_why(code, FRC_KFW_DROP_CLOSE);
			return 1;
		}
		default:
			break;
		}
	}
	kf_why(code, why);

	/* the event goes: user space must know the fds it uses */
	cx.p = meta;
	if (meta->used_fd[0] != FRC_KF_NOPARAM)
		bpf_loop(3, kf_used_cb, &cx, 0);
	/* and the fds it creates replace whatever was shadowed under their numbers */
	if (meta->new_fd[0] != FRC_KF_NOPARAM && (meta->res_p == FRC_KF_NOPARAM || t->res >= 0))
		bpf_loop(3, kf_new_cb, &cx, 0);
	if (meta->state == FRC_KF_ST_CLONE && t->res == 0)
		kf_inherit(t);
	return 0;
}

/* ---------------------------------------------------------------- the filter program */

int frc_kf_exit(unsigned long long *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} frc_kf_jump SEC(".maps") = {
	.values = { [0] = (void *)&frc_kf_exit },
};

/* one program holds the filter (verified once, not in every handler); the handlers jump to
 * it instead of submitting, and it submits what it keeps */
SEC("tp_btf/sys_exit")
int BPF_PROG(frc_kf_exit, struct pt_regs *regs, long ret)
{
	struct frc_scratch *s = scratch_get();

	if (!s) {
		count_bug();
		return 0;
	}
	if (!frc_kf_submit(s))
		ev_submit_direct(s);
	return 0;
}

/* an event of a program the filter does not see: counted only */
static __always_inline void frc_kf_direct(struct frc_scratch *s)
{
	if (frc_kf_live)
		kf_why(s->type, FRC_KFW_DIRECT);
}

static __always_inline void frc_kf_tail(void *ctx)
{
	if (frc_kf_live)
		bpf_tail_call(ctx, &frc_kf_jump, 0);
}

/* ---------------------------------------------------------------- renames */

SEC("tp_btf/task_rename")
int BPF_PROG(frc_kf_task_rename, struct task_struct *task, const char *comm)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u8 *v = bpf_task_storage_get(&frc_kf_renamed, task, 0,
				       BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (v)
		*v = BPF_CORE_READ_BITFIELD_PROBED(cur, in_execve) ? 0 : 1;
	return 0;
}

#endif
