/* SPDX-License-Identifier: Apache-2.0
 *
 * The live event source: loads the CO-RE eBPF probe (probe/frc.bpf.c), tells it which
 * syscalls to trace, attaches it, and hands each event of its ring buffer (a scap event:
 * header, parameter lengths, data) to a callback. Per-CPU counters say how many events the
 * kernel side emitted and lost, and why.
 */
#ifndef FRC_RUNTIME_PROBE_LOAD_H
#define FRC_RUNTIME_PROBE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe;

/**
 * struct probe_opts - load-time settings; zero fields take the defaults.
 * @ringbuf_bytes: ring buffer size (power of two; default 16 MiB, Falco's 8 MiB per 2 CPUs)
 * @snaplen: bytes of I/O data kept in send/recv events (default 80)
 * @own_pid: process whose syscalls are never traced (default: this process)
 * @wakeup_bytes: pending data past which the kernel wakes the reader at once; below it the
 *                reader polls (default: an eighth of the ring)
 */
struct probe_opts {
	uint32_t ringbuf_bytes;
	uint32_t snaplen;
	int own_pid;
	uint32_t wakeup_bytes;
};

/**
 * struct probe_counters - kernel-side counters, summed over CPUs or for one CPU.
 * @n_evts: events the probe tried to emit
 * @n_drops_buffer: lost because the ring buffer was full
 * @n_drops_buffer_class: the same by family: clone_fork, execve, connect, open, dir_file,
 *                        other_interest, close, proc (Falco's n_drops_buffer_*_exit)
 * @n_drops_scratch: lost because the event was larger than the probe's limit
 * @n_drops_bug: lost because of a probe inconsistency (should stay 0)
 * @n_truncated: emitted with an argument left empty because it was too large
 * @n_recursion_misses: program runs the kernel skipped (re-entry on one CPU), all CPUs
 */
struct probe_counters {
	uint64_t n_evts;
	uint64_t n_drops_buffer;
	uint64_t n_drops_buffer_class[8];
	uint64_t n_drops_scratch;
	uint64_t n_drops_bug;
	uint64_t n_truncated;
	uint64_t n_recursion_misses;
};

static inline uint64_t probe_counters_drops(const struct probe_counters *c)
{
	return c->n_drops_buffer + c->n_drops_scratch + c->n_drops_bug + c->n_recursion_misses;
}

/* Called for each event, in ring buffer order; @evt stays valid during the call only.
 * A non-zero return stops the current probe_consume() and is returned by it. */
typedef int (*probe_event_fn)(void *arg, const void *evt, size_t len);

/**
 * probe_open() - open and load the probe (not attached yet). Needs root (CAP_BPF,
 * CAP_PERFMON, CAP_SYS_RESOURCE) and kernel BTF.
 * Return: the probe, or NULL with a message in @err (errno set: EPERM, ENOENT for no BTF,
 * other for load failures).
 */
struct probe *probe_open(const struct probe_opts *opts, probe_event_fn fn, void *arg,
			 char *err, size_t errlen);

/**
 * probe_set_interest() - trace the syscalls whose events are in @codes (bit N = ppm event
 * code N, 512 bits: an frc_evtset's bits), always plus the state base set of events.md §6.
 * Bits 0/1 (generic events) enable every syscall without a dedicated event only when
 * @generic_all is true. May be called while attached (the kernel sees the change at once).
 */
void probe_set_interest(struct probe *p, const uint64_t codes[8], bool generic_all);

/* Trace exactly the syscalls (x86_64 numbers) of the 512-bit @nr_bits, without the base
 * set: for benchmarks and diagnostics; the state tables go wrong without the base set. */
void probe_set_syscalls(struct probe *p, const uint64_t nr_bits[8]);

/* Trace every syscall (Falco's base_syscalls.all). */
void probe_set_interest_all(struct probe *p);

/* Is syscall @nr (x86_64 numbering) traced now? */
bool probe_traces_syscall(const struct probe *p, unsigned nr);

/* Attach the programs. Return 0 or -errno with a message in @err. */
int probe_attach(struct probe *p, char *err, size_t errlen);

/* Detach the programs (no new events); what is in the ring buffer can still be consumed. */
void probe_detach(struct probe *p);

/* The file descriptor that becomes readable when the kernel wakes the reader. */
int probe_fd(const struct probe *p);

/**
 * probe_consume() - hand every pending event to the callback.
 * Return: the number of events consumed, or the callback's non-zero return (negative).
 */
long probe_consume(struct probe *p);

/* Kernel counters, summed over CPUs (@per_cpu may be NULL, else gets probe_ncpus()). */
void probe_read_counters(const struct probe *p, struct probe_counters *sum,
			 struct probe_counters *per_cpu);
int probe_ncpus(const struct probe *p);

/* The loaded skeleton (runtime/kfilter_load.c writes the kernel filter maps through it). */
struct frc_bpf;
struct frc_bpf *probe_skeleton(struct probe *p);

/* Detach and free. NULL is fine. */
void probe_close(struct probe *p);

#endif
