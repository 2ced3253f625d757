/* SPDX-License-Identifier: Apache-2.0
 *
 * The metrics registry: counters the daemon updates and the web server renders in the
 * Prometheus text format, under Falco's metric names (falcosecurity_falco_*,
 * falcosecurity_scap_*) so Falco's dashboards work, plus frc's own (frc_*): per-rule
 * evaluation cost, kernel prefilter drops, reload generation, per-output delivery.
 * It also holds the daemon's health (heartbeat, probe, rules) that /healthz reports.
 *
 * Cost on the event path: the event thread is the single writer of the scalar counters
 * (metrics.def) and of the per-rule counters; an increment is a plain load, add and store
 * (relaxed atomics, no lock prefix, no fence); readers on other threads see values that
 * may be a few events old, never torn. Counters written from several threads use
 * mc_add_shared() (an atomic add). Everything else (rule table, files, outputs) is
 * changed rarely, under a mutex that the renderer also takes.
 */
#ifndef FRC_RUNTIME_METRICS_H
#define FRC_RUNTIME_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frc_rules;

enum metric_id {
#define MET(id, snap, name, labels, type, cat, help) MET_##id,
#include "metrics.def"
#undef MET
	MET__COUNT
};

/* the scalar counters, indexed by enum metric_id */
struct metrics_counters {
	uint64_t v[MET__COUNT];
};

/* single writer: the thread that owns the counter (the event loop for most of them) */
static inline void mc_add(struct metrics_counters *c, enum metric_id id, uint64_t n)
{
	__atomic_store_n(&c->v[id], __atomic_load_n(&c->v[id], __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

static inline void mc_set(struct metrics_counters *c, enum metric_id id, uint64_t v)
{
	__atomic_store_n(&c->v[id], v, __ATOMIC_RELAXED);
}

/* for counters several threads update (output threads, reload thread) */
static inline void mc_add_shared(struct metrics_counters *c, enum metric_id id, uint64_t n)
{
	__atomic_fetch_add(&c->v[id], n, __ATOMIC_RELAXED);
}

static inline uint64_t mc_get(const struct metrics_counters *c, enum metric_id id)
{
	return __atomic_load_n(&c->v[id], __ATOMIC_RELAXED);
}

/* per-rule counters, indexed by frc_rule.id; written by the event thread only */
struct metrics_rule_ctr {
	uint64_t matches;	/* falcosecurity_falco_rules_matches_total */
	uint64_t evals;		/* frc_rule_evaluations_total */
	uint64_t timed;		/* frc_rule_timed_evaluations_total */
	uint64_t eval_ns;	/* frc_rule_evaluation_seconds_total, over the timed ones */
};

static inline void mc_inc_(uint64_t *p, uint64_t n)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/**
 * struct metrics_ruletab - the counters of one loaded ruleset.
 * The event thread gets it from metrics_set_rules() (or metrics_rules()) and may keep the
 * pointer until its next call to metrics_set_rules(), which frees the previous table.
 */
struct metrics_ruletab {
	uint32_t n;
	uint64_t generation;
	struct metrics_rule_ctr *ctr;
};

/* rule @id matched an event (an alert was raised for it) */
static inline void metrics_rule_match(struct metrics_ruletab *t, uint32_t id)
{
	if (t && id < t->n)
		mc_inc_(&t->ctr[id].matches, 1);
}

/* rule @id's condition was evaluated @n more times */
static inline void metrics_rule_evaluated(struct metrics_ruletab *t, uint32_t id, uint64_t n)
{
	if (t && id < t->n)
		mc_inc_(&t->ctr[id].evals, n);
}

/* one evaluation of rule @id took @ns nanoseconds. The loop may time only a sample of the
 * evaluations (clock reads cost more than most conditions): the mean cost is
 * eval_ns / timed either way. */
static inline void metrics_rule_timed(struct metrics_ruletab *t, uint32_t id, uint64_t ns)
{
	if (t && id < t->n) {
		mc_inc_(&t->ctr[id].timed, 1);
		mc_inc_(&t->ctr[id].eval_ns, ns);
	}
}

/* Which groups are rendered (Falco's metrics.*_enabled keys). */
struct metrics_options {
	bool rules_counters;		/* metrics.rules_counters_enabled (default true) */
	bool resource_utilization;	/* metrics.resource_utilization_enabled (true) */
	bool state_counters;		/* metrics.state_counters_enabled (true) */
	bool kernel_event_counters;	/* metrics.kernel_event_counters_enabled (true) */
	bool kernel_event_counters_per_cpu; /* ..._per_cpu_enabled (false) */
};

void metrics_default_options(struct metrics_options *o);

struct metrics;

/* @ncpus: number of possible CPUs (per-CPU kernel counters); @opt NULL gives defaults.
 * Records the start time, host name (FALCO_HOSTNAME or gethostname), kernel release. */
struct metrics *metrics_create(unsigned ncpus, const struct metrics_options *opt);
void metrics_destroy(struct metrics *m);

struct metrics_counters *metrics_counters(struct metrics *m);

/* Per-CPU kernel counters (absolute values), set by the loop on its statistics tick. */
void metrics_set_cpu(struct metrics *m, unsigned cpu, uint64_t n_evts, uint64_t n_drops);

/* Engine label of falcosecurity_scap_engine_name_info (modern_bpf, replay, nodriver). */
void metrics_set_engine(struct metrics *m, const char *engine_name);

/**
 * metrics_set_rules() - install the counters for a newly loaded ruleset.
 * Copies what it needs from @rules (names, priority, source, tags). Counts of rules that
 * keep their name and source across a reload are carried over, so counters stay
 * monotonic. Marks rules as loaded for /healthz, sets the generation and, for a
 * reload (generation > first one), falcosecurity_falco_reload_timestamp_nanoseconds.
 * Call from the event thread (between events); returns the table to increment, or NULL
 * on allocation failure (then the previous table stays in place).
 */
struct metrics_ruletab *metrics_set_rules(struct metrics *m, const struct frc_rules *rules,
					  uint64_t generation);
struct metrics_ruletab *metrics_rules(struct metrics *m);

/* A reload failed; the previous rules keep running (counted in frc_reloads_total). */
void metrics_reload_failed(struct metrics *m, const char *error);

/* Loaded rules and configuration files: SHA-256 of each, as Falco's
 * falcosecurity_falco_sha256_{rules,config}_files_info. Reads the files now. */
void metrics_set_files(struct metrics *m, bool config, const char *const *paths, size_t n);

/* Outputs report their queues and deliveries through a callback the renderer calls. */
struct metrics_output_stats {
	uint64_t delivered, failed, dropped, retries;
	uint32_t queued, capacity;
};
typedef void (*metrics_output_fn)(void *ctx, struct metrics_output_stats *st);
int metrics_add_output(struct metrics *m, const char *name, metrics_output_fn fn, void *ctx);
/* must be called before the output named @name is destroyed */
void metrics_remove_output(struct metrics *m, const char *name);

/* ---- health ---- */

enum metrics_probe_state {
	PROBE_NOT_USED,		/* replay, or no kernel capture: not part of the health */
	PROBE_ATTACHED,
	PROBE_DETACHED,
};

/* The event loop calls this on every wake-up (it must wake up at least every second or
 * so even without events, e.g. from its statistics timer). One clock read and a store. */
void metrics_heartbeat(struct metrics *m);
void metrics_set_probe(struct metrics *m, enum metrics_probe_state st, const char *detail);
/* no usable ruleset (initial load failed); metrics_set_rules() clears it */
void metrics_set_rules_failed(struct metrics *m, const char *error);

/**
 * struct metrics_health - what /healthz reports.
 * @ok: all checks pass
 * @loop_started: the heartbeat was set at least once
 * @heartbeat_age_ns: time since the last heartbeat (0 if never)
 * @loop_stalled: started, and the heartbeat is older than the stall threshold
 * @probe, @probe_detail: as set by metrics_set_probe()
 * @rules_loaded: a ruleset is installed; @rules_error: why not
 */
struct metrics_health {
	bool ok;
	bool loop_started;
	bool loop_stalled;
	uint64_t heartbeat_age_ns;
	enum metrics_probe_state probe;
	char probe_detail[128];
	bool rules_loaded;
	char rules_error[256];
};

void metrics_get_health(struct metrics *m, uint64_t stall_ns, struct metrics_health *h);

/* Renders every enabled metric in the Prometheus text exposition format (version 0.0.4).
 * Returns a malloc'd NUL-terminated text (length in *@len if non-NULL), or NULL. */
char *metrics_render_prometheus(struct metrics *m, size_t *len);

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4"

/* ---- Falco's metrics snapshot (metrics.interval) ---- */

#define METRICS_SNAPSHOT_RULE "Falco internal: metrics snapshot"
#define METRICS_SNAPSHOT_MSG "Falco metrics snapshot"

/**
 * struct metrics_snapshot - the output_fields of Falco's internal alert
 * "Falco internal: metrics snapshot" (priority Informational), also written as one line
 * {"sample":N,"output_fields":{...}} to metrics.output_file. Falco's dotted names
 * (evt.*, falco.*, scap.*; rates over the time since the previous snapshot) plus frc's
 * (frc.*); keys sorted.
 * @keys, @values: @n pairs; a value is the text of a number, or a string if @is_str[i]
 * @sample: 1 for the first snapshot, +1 for each one after
 */
struct metrics_snapshot {
	uint32_t n;
	char **keys;
	char **values;
	bool *is_str;
	uint64_t sample;
};

/* metrics.include_empty_values and metrics.convert_memory_to_mb */
struct metrics_snapshot_options {
	bool include_empty_values;
	bool convert_memory_to_mb;
};

/* Takes a snapshot (any thread; the event loop's metrics timer usually). 0 or -1 (memory). */
int metrics_snapshot_take(struct metrics *m, const struct metrics_snapshot_options *o,
			  struct metrics_snapshot *s);
/* {"sample":N,"output_fields":{...}} without newline; malloc'd, length in *@len */
char *metrics_snapshot_jsonl(const struct metrics_snapshot *s, size_t *len);
void metrics_snapshot_free(struct metrics_snapshot *s);

#endif
