/* SPDX-License-Identifier: Apache-2.0
 *
 * Syscall event drop monitoring as Falco does it (syscall_event_drops in falco.yaml): once
 * per second of event time the capture counters are compared with the previous check; if
 * drops happened (or simulate_drops is set) and the drop ratio exceeds the threshold, the
 * configured actions run, rate-limited by a token bucket: log a message, emit the
 * "Falco internal: syscall event drop" alert, or ask the caller to exit.
 * Used by the daemon (probe counters) and by frc replay (capture counters, simulate_drops).
 */
#ifndef FRC_RUNTIME_DROPS_H
#define FRC_RUNTIME_DROPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler/frc.h"

struct frc_config;

/* Counters of the event source (Falco's scap_stats subset). */
struct drop_counters {
	uint64_t n_evts;
	uint64_t n_drops;
	uint64_t n_drops_buffer;
	uint64_t n_drops_buffer_clone_fork_exit, n_drops_buffer_execve_exit,
		n_drops_buffer_connect_exit, n_drops_buffer_open_exit,
		n_drops_buffer_dir_file_exit, n_drops_buffer_other_interest_exit,
		n_drops_buffer_close_exit, n_drops_buffer_proc_exit;
	uint64_t n_drops_scratch_map, n_drops_pf, n_drops_bug;
};

/* Falco's token bucket (libsinsp token_bucket), driven by event timestamps. */
struct token_bucket {
	double rate, max_tokens, tokens;
	uint64_t last_seen;
};

void token_bucket_init(struct token_bucket *b, double rate, double max_tokens, uint64_t now);
bool token_bucket_claim(struct token_bucket *b, double tokens, uint64_t now);

/**
 * struct drop_alert - how the manager emits its internal alert.
 * @emit: called with the message, rule name and the output fields (all strings)
 */
struct drop_alert {
	void (*emit)(void *ctx, uint64_t ts, enum frc_priority prio, const char *rule,
		     const char *msg, const char *const *keys, const char *const *values,
		     uint32_t n);
	void *ctx;
};

struct drop_mgr {
	uint32_t actions;	/* DROP_ACT_* of config.h */
	double threshold;
	bool simulate;
	bool ebpf;		/* reported as ebpf_enabled */
	struct token_bucket bucket;
	uint64_t next_check_ts;
	struct drop_counters last;
	uint64_t num_drops_detected, num_actions;
	struct drop_alert alert;
};

/* @initial: the counters at start. @ebpf: the source is the eBPF probe. */
void drop_mgr_init(struct drop_mgr *m, const struct frc_config *cfg,
		   const struct drop_counters *initial, bool ebpf, const struct drop_alert *alert);

/**
 * drop_mgr_event() - called for every event with its timestamp and the current counters.
 * Return: true to continue, false when the "exit" action fired (Falco then stops with
 * "Drop manager internal error").
 */
bool drop_mgr_event(struct drop_mgr *m, uint64_t ts, const struct drop_counters *now);

/* Falco's end-of-run lines ("Syscall event drop monitoring:" ...). */
void drop_mgr_print_stats(const struct drop_mgr *m, FILE *f);

#endif
