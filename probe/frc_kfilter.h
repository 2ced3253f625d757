/* SPDX-License-Identifier: Apache-2.0
 *
 * The kernel filter fragment: the layout of the data the probe's fixed filter interpreter
 * (probe/frc_kfilter.bpf.h) reads and user space (compiler/kfilter.c builds it,
 * runtime/kfilter_load.c writes it into the maps) fills. Included by BPF code (after
 * vmlinux.h) and by user space (after <linux/types.h>), so it uses only __u/__s types.
 *
 * Per event code the filter holds a small program: a disjunction of up to FRC_KF_CLAUSES
 * clauses, each a conjunction of up to FRC_KF_ATOMS atoms over what the probe sees when it
 * emits the event (the path argument of opens, their flags, the return value, the task's
 * comm). An event is dropped in the kernel only when every clause is false for it. Each
 * atom answers "may be true": an atom the kernel cannot decide for this event (a relative
 * or non-canonical path, a renamed task) counts as true, so the program over-approximates
 * the rules.
 *
 * Two banks of programs and sets exist; a bitmask says which are live. A reload writes the
 * idle bank, makes both live (union of old and new), swaps the user-space ruleset, then
 * leaves only the new bank live.
 */
#ifndef FRC_KFILTER_H
#define FRC_KFILTER_H

#define FRC_KF_ATOMS 4		/* atoms per clause */
#define FRC_KF_CLAUSES 16	/* clauses per event code */
#define FRC_KF_NEEDLES 4	/* "contains" needles per bank (each <= 8 bytes) */
#define FRC_KF_BANKS 2
#define FRC_KF_NCODES 512	/* event codes (FRC_EVT_CODES) */

/* the path bytes the filter looks at: paths longer than this (NUL included) are "unknown" */
#define FRC_KF_PATH_MAX 254
/* LPM trie key data: 2 bytes of set id, then the path bytes */
#define FRC_KF_LPM_DATA (2 + FRC_KF_PATH_MAX)
#define FRC_KF_LPM_ENTRIES 8192
#define FRC_KF_COMM_ENTRIES 4096

/* shadowed fds: an open the filter dropped is kept here until its fd is closed or used */
#define FRC_KF_SHADOW_FD_MAX 1024	/* fds >= this are never shadowed */
#define FRC_KF_SHADOW_ENTRIES 8192
#define FRC_KF_STORE_MAX 440		/* event bytes kept per shadowed fd */
#define FRC_KF_STORE_BUF 512		/* buffer: event + marker, power of two */
/* the 8 bytes after a replayed event in its ring buffer record: "state only" */
#define FRC_KF_MARKER 0x54535446524b4621ull	/* "!FKRFTST" little-endian */

/* atom kinds */
enum frc_kf_kind {
	FRC_KFA_NONE,
	FRC_KFA_NAME_PFX,	/* fd.name view of the path starts with an item of set @arg */
	FRC_KFA_NAME_SFX,	/* ... ends with an item of set @arg */
	FRC_KFA_NAME_SUB,	/* ... contains needle @arg */
	FRC_KFA_RAW_PFX,	/* the raw path (fd.nameraw view) starts with ... */
	FRC_KFA_RAW_SFX,
	FRC_KFA_RAW_SUB,
	FRC_KFA_FLAGS,		/* (flags param & @val) != 0 */
	FRC_KFA_RES,		/* return value <@cmp> @val */
	FRC_KFA_COMM,		/* task comm is an item of set @arg */
	FRC_KFA__COUNT
};

enum frc_kf_cmp { FRC_KF_EQ, FRC_KF_NE, FRC_KF_LT, FRC_KF_LE, FRC_KF_GT, FRC_KF_GE };

/* state classes of an event code: what dropping it means for the user-space tables */
enum frc_kf_state {
	FRC_KF_ST_KEEP,		/* feeds state: never dropped */
	FRC_KF_ST_NONE,		/* no state effect: dropped when the program is false */
	FRC_KF_ST_OPEN,		/* creates an fd from a path: dropped with its fd shadowed */
	FRC_KF_ST_CLOSE,	/* closes an fd: dropped when that fd is shadowed */
	FRC_KF_ST_CLONE,	/* new process: inherits the parent's shadowed fds */
	FRC_KF_ST_COND,		/* feeds state only when param @state_p is one of the values
				 * in @state_mask (< 64), otherwise like FRC_KF_ST_NONE */
};

enum frc_kf_mode { FRC_KF_PASS, FRC_KF_EVAL };

/* what the path scan computes: the path itself, its reversed copy, the needles; for
 * fd.name atoms (_NAME) also the lexically normalised path (state_concat_paths) */
enum { FRC_KF_SCAN_PATH = 1, FRC_KF_SCAN_SFX = 2, FRC_KF_SCAN_SUB = 4, FRC_KF_SCAN_NAME = 8 };

#define FRC_KF_NOPARAM 0xff

struct frc_kf_atom {
	__u8 kind;
	__u8 neg;		/* exact atoms only (flags, return value) */
	__u8 cmp;
	__u8 pad;
	__u32 arg;		/* set id or needle index */
	__s64 val;
};

struct frc_kf_clause {
	__u32 n;
	__u32 pad;
	struct frc_kf_atom a[FRC_KF_ATOMS];
};

/**
 * struct frc_kf_prog - one event code in one bank.
 * @mode: FRC_KF_PASS (emit everything) or FRC_KF_EVAL
 * @state: enum frc_kf_state
 * @shadow: successful opens may be shadowed (no rule reads whole fd tables)
 * @path_p, @flags_p, @res_p: param indexes (FRC_KF_NOPARAM: none)
 * @raw_rel: fd.nameraw is the raw argument also for relative paths (openat family)
 * @used_fd: params naming fds the event uses (a shadowed one is replayed first)
 * @new_fd: params naming fds the event creates (their shadows are forgotten)
 * @scan: the atoms need the path (FRC_KF_SCAN_PATH), its reversed copy (_SFX), needles (_SUB)
 * @state_p, @state_mask: FRC_KF_ST_COND: the param and the values that feed state
 */
struct frc_kf_prog {
	__u8 mode;
	__u8 state;
	__u8 shadow;
	__u8 nclauses;
	__u8 path_p, flags_p, res_p;
	__u8 raw_rel;		/* nameraw is the raw argument even when relative */
	__u8 used_fd[3];
	__u8 new_fd[3];
	__u8 scan;		/* FRC_KF_SCAN_*: what the path scan must compute */
	__u8 state_p;
	__u32 pad3;
	__u64 state_mask;
	struct frc_kf_clause c[FRC_KF_CLAUSES];
};

/* LPM trie key (prefix sets; suffix sets hold reversed strings) */
struct frc_kf_lpm_key {
	__u32 prefixlen;	/* in bits */
	__u8 data[FRC_KF_LPM_DATA];
};

struct frc_kf_comm_key {
	__u32 set;
	char comm[16];
};

/* per-bank needles: a path contains needle i if some 8-byte window w has
 * (w & mask[i]) == val[i] (the needle right-aligned in the window) */
struct frc_kf_needles {
	__u64 val[FRC_KF_NEEDLES];
	__u64 mask[FRC_KF_NEEDLES];
	__u32 n;
	__u8 len[FRC_KF_NEEDLES];
};

struct frc_kf_shadow_key {
	__u32 tgid;
	__u32 fd;
};

struct frc_kf_shadow {
	__u64 start_ns;		/* start time of the process (pid reuse) */
	__u32 len;		/* event bytes; the marker follows them */
	__u32 pad;
	__u8 ev[FRC_KF_STORE_BUF];
};

/* what the filter did with an event, counted per event code in frc_kf_why (key: code *
 * FRC_KF_NWHY + why; bench/kfilter_bench.py reads it) */
enum frc_kf_why {
	FRC_KFW_DROP,		/* no clause may be true, no state effect */
	FRC_KFW_DROP_FAILED,	/* a failed open no clause may match */
	FRC_KFW_DROP_SHADOW,	/* a successful open, its fd shadowed */
	FRC_KFW_DROP_CLOSE,	/* a close of a shadowed fd */
	FRC_KFW_KEEP_STATE,	/* state class "state": never dropped */
	FRC_KFW_KEEP_CLONE,	/* process creation: never dropped */
	FRC_KFW_KEEP_PASS,	/* some rule needs what the kernel cannot see */
	FRC_KFW_KEEP_CLAUSE,	/* a clause may be true */
	FRC_KFW_KEEP_OPEN,	/* an open not shadowed (shadowing off, table full, fd too high) */
	FRC_KFW_KEEP_CLOSE,	/* a close of an fd user space knows */
	FRC_KFW_REPLAY,		/* a shadowed open replayed (state only) before a use */
	FRC_KFW_DIRECT,		/* emitted by a program the filter does not see (exec, exit) */
	FRC_KFW__COUNT
};
#define FRC_KF_NWHY 16
/* frc_kf_why has two halves: [0] events of tasks outside the cgroup frc_kf_diag names (all
 * events when it names none), [1] events of tasks inside it (a benchmark's workload) */
#define FRC_KF_WHY_ENTRIES (2 * FRC_KF_NCODES * FRC_KF_NWHY)

/* per-CPU counters */
struct frc_kf_stats {
	__u64 seen;		/* events the filter looked at (a program was live) */
	__u64 dropped;		/* dropped by the programs */
	__u64 shadowed;		/* successful opens dropped, fd shadowed */
	__u64 closes_dropped;	/* closes of shadowed fds dropped */
	__u64 replayed;		/* shadowed opens emitted (state only) before a use */
	__u64 replay_lost;	/* replays the ring buffer had no room for */
	__u64 shadow_full;	/* opens kept because the shadow table was full */
	__u64 inherited;	/* shadowed fds copied to a forked child */
};

#endif
