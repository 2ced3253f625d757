/* SPDX-License-Identifier: Apache-2.0
 *
 * Internals of the metrics registry shared by its files: metrics.c (registry, rule tables,
 * health), metrics_prom.c (Prometheus text), metrics_snap.c (Falco's metrics snapshot),
 * metrics_host.c (process and host figures read from /proc). Not for other modules.
 */
#ifndef FRC_RUNTIME_METRICS_PRIV_H
#define FRC_RUNTIME_METRICS_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "metrics.h"

enum mtype { COUNTER, GAUGE };
enum mcat { MC_ALWAYS, MC_KERNEL, MC_STATE };

/* one line of metrics.def */
struct mdesc {
	const char *name;
	const char *labels;
	enum mtype type;
	enum mcat cat;
	const char *help;
	const char *snap;
};

extern const struct mdesc metrics_desc[MET__COUNT];

struct rmeta {
	char *name;
	char *source;
	int priority;
	bool enabled;
	char **tags;	/* label names "tag_<sanitized>", sorted, unique */
	uint32_t ntags;
};

struct ruletab {
	struct metrics_ruletab pub;	/* first: handed to the event thread */
	struct rmeta *meta;
};

struct mfile {
	char *name;
	char sha256[65];
};

struct moutput {
	char name[32];
	metrics_output_fn fn;
	void *ctx;
};

struct metrics {
	struct metrics_counters c;
	struct metrics_options opt;
	unsigned ncpus;
	uint64_t *cpu_evts, *cpu_drops;	/* atomics, written by the loop */
	uint64_t heartbeat_ns;		/* atomic, CLOCK_MONOTONIC */
	int probe;			/* atomic enum metrics_probe_state */
	uint64_t start_ns;		/* CLOCK_REALTIME at creation */
	char hostname[256];
	char kernel_release[128];

	pthread_mutex_t lock;		/* protects everything below */
	char engine[32];
	char probe_detail[128];
	struct ruletab *rules;
	bool rules_loaded;
	char rules_error[256];
	struct mfile *files[2];		/* [0] rules, [1] config */
	size_t nfiles[2];
	struct moutput *outputs;
	size_t noutputs;
	/* the previous snapshot (metrics_snap.c), for rates */
	uint64_t snap_samples, snap_last_ns, snap_num_evts, snap_n_evts, snap_n_drops;
};

/**
 * struct host_usage - figures of this process and of the host, as Falco's libs read them.
 * @cpu_ratio: CPU time of the process over its lifetime (0..ncpus)
 * @rss_kb, @vsz_kb, @pss_kb: memory of the process
 * @container_mem_b: memory of the process's cgroup (bytes), 0 if unknown
 * @host_cpu_ratio: busy share of all CPUs since boot
 * @host_mem_used_kb: MemTotal - MemFree - Buffers - Cached
 * @procs_running, @open_fds: host-wide
 */
struct host_usage {
	double cpu_ratio;
	uint64_t rss_kb, vsz_kb, pss_kb;
	uint64_t container_mem_b;
	double host_cpu_ratio;
	uint64_t host_mem_used_kb;
	uint64_t procs_running, open_fds;
};

void metrics_host_usage(struct host_usage *u);
uint64_t metrics_boot_ts_ns(void);
uint64_t metrics_clock_ns(clockid_t id);
/* the outputs' statistics into @st (noutputs entries); returns their drops (lock held) */
uint64_t metrics_outputs_drops(const struct metrics *m, struct metrics_output_stats *st);

#endif
