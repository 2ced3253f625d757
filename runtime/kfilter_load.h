/* SPDX-License-Identifier: Apache-2.0
 *
 * The kernel filter's maps (probe/frc_kfilter.h) seen from user space: writes a compiled
 * image (compiler/kfilter.h) into the idle bank, and switches banks the way a reload
 * needs it: stage (the idle bank is written, then both banks are live: the union of the
 * old and the new filter), commit (only the new bank stays live) or abort (only the old
 * one). Also: the filter's counters, the garbage collection of shadowed fds of processes
 * that are gone, and the recognition of replayed (state-only) events in the ring buffer.
 *
 * Owner: reload. Single-threaded: called from the event loop.
 */
#ifndef FRC_RUNTIME_KFILTER_LOAD_H
#define FRC_RUNTIME_KFILTER_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe;
struct kf_image;
struct kfilter;

/**
 * struct kfilter_stats - the probe's filter counters summed over CPUs (frc_kf_stats).
 */
struct kfilter_stats {
	uint64_t seen, dropped, shadowed, closes_dropped, replayed, replay_lost, shadow_full,
		inherited;
};

/* The filter of @p; nothing is live until the first kfilter_stage/commit. NULL: memory. */
struct kfilter *kfilter_new(struct probe *p);
void kfilter_free(struct kfilter *kf);

/**
 * kfilter_stage() - write @img into the idle bank and make it live together with the
 * current one (if any). On failure (a map update failed) the idle bank is not live and
 * the current filter is unchanged; a message is in @err. Return 0 or -errno.
 */
int kfilter_stage(struct kfilter *kf, const struct kf_image *img, char *err, size_t errlen);
/* Only the staged bank stays live. */
void kfilter_commit(struct kfilter *kf);
/* Only the previous bank stays live (or none, if there was none). */
void kfilter_abort(struct kfilter *kf);
/* No bank live: every event the interest set lets through is emitted. */
void kfilter_disable(struct kfilter *kf);

void kfilter_read_stats(struct kfilter *kf, struct kfilter_stats *st);

/**
 * kfilter_gc() - forget the shadowed fds of processes @alive says are gone (at most
 * @budget entries looked at per call). Returns the number of entries removed.
 */
uint32_t kfilter_gc(struct kfilter *kf, bool (*alive)(void *ctx, uint32_t tgid), void *ctx,
		    uint32_t budget);

/**
 * kfilter_event_flags() - for a ring buffer record of @*len bytes: SCAP_DF_STATE_ONLY if it
 * is a replayed open (the record carries the filter's marker after the event; *@len is
 * set to the event's own length), else 0.
 */
uint32_t kfilter_event_flags(const void *rec, size_t *len);

#endif
