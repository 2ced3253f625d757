/* SPDX-License-Identifier: Apache-2.0
 *
 * What the eBPF probe (probe/frc.bpf.c) and its loader (runtime/probe_load.c) share: the
 * limits of the event builder, the layout of the per-CPU counters and the configuration the
 * loader writes into the skeleton's read-only data before load. Included by BPF code (after
 * vmlinux.h) and by user space (after <linux/types.h>), so it uses only __u* types.
 */
#ifndef FRC_PROBE_H
#define FRC_PROBE_H

/* scap event header (scap-format.md §9.2): u64 ts, u64 tid, u32 len, u16 type, u32 nparams */
#define FRC_HDR_LEN 26

/* the largest event the probe builds; also the largest param it stores */
#define FRC_EVT_MAX (64 * 1024)
/* the per-CPU scratch area: one event, a second half for path assembly, and slack so that
 * every bounded write the verifier checks stays inside the map value */
#define FRC_SCRATCH_DATA (2 * FRC_EVT_MAX + 1024)

#define FRC_MAX_PATH 4096	/* a path or a NUL-terminated string argument */
#define FRC_MAX_ARGENV 4096	/* exe + args, env (Falco's MAX_PROC_ARG_ENV) */
#define FRC_MAX_COMPONENT 256	/* one path component, NUL included */
#define FRC_PATH_COMPONENTS 48	/* directory levels walked when building a path */
#define FRC_CGROUP_COMPONENTS 8	/* levels of a cgroup path */
#define FRC_SNAPLEN_MAX 1024	/* upper bound of the configurable snaplen */
#define FRC_MAX_NPARAMS 32

/* syscall numbers are looked up in bitmaps of this many bits */
#define FRC_NR_SYSCALLS 512

/**
 * enum frc_drop_class - why the ring buffer was full, by event family (Falco's
 * n_drops_buffer_*_exit counters).
 */
enum frc_drop_class {
	FRC_DC_CLONE_FORK,
	FRC_DC_EXECVE,
	FRC_DC_CONNECT,
	FRC_DC_OPEN,
	FRC_DC_DIR_FILE,
	FRC_DC_OTHER,
	FRC_DC_CLOSE,
	FRC_DC_PROC,
	FRC_DC__COUNT
};

/**
 * struct frc_probe_counters - per-CPU counters (a PERCPU_ARRAY map with one entry).
 * @n_evts: events the probe tried to emit (emitted + dropped)
 * @n_drops_buffer: events lost because the ring buffer was full
 * @n_drops_buffer_class: the same, by family
 * @n_drops_scratch: events lost because they did not fit the scratch area
 * @n_truncated: events emitted with one or more params left empty because of size limits
 * @n_drops_bug: events lost because of an internal inconsistency (missing scratch area,
 *               failed continuation tail call)
 */
struct frc_probe_counters {
	__u64 n_evts;
	__u64 n_drops_buffer;
	__u64 n_drops_buffer_class[FRC_DC__COUNT];
	__u64 n_drops_scratch;
	__u64 n_truncated;
	__u64 n_drops_bug;
};

/* continuation programs of events too large for one BPF program */
enum frc_cont {
	FRC_CONT_EXEC_1,	/* sched_process_exec: second part */
	FRC_CONT_EXEC_2,	/* sched_process_exec: third part */
	FRC_CONT_EXECX_1,	/* failed execve/execveat: second part */
	FRC_CONT_EXECX_2,	/* failed execve/execveat: third part */
	FRC_CONT_CLONE_1,	/* clone family: second part */
	FRC_CONT_GENERIC,	/* a syscall without a dedicated event */
	FRC_CONT__COUNT
};

#endif
