/* SPDX-License-Identifier: Apache-2.0
 *
 * The Prometheus text exposition (format 0.0.4) of the metrics registry, with Falco's
 * metric names and labels, HELP and TYPE once per family.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "metrics_priv.h"
#include "version.h"

/* ---------------------------------------------------------------- rendering */

static void put_help_type(FILE *f, const char *name, const char *help, enum mtype t)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		t == COUNTER ? "counter" : "gauge");
}

/* label value escaping of the text format: \\, \" and \n; other control bytes, which
 * could confuse line-based readers, become spaces */
static void put_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == '"')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fputc(' ', f);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_info(FILE *f, const char *name, const char *l1, const char *v1, const char *l2,
		     const char *v2)
{
	put_help_type(f, name, FALCO_HELP, GAUGE);
	fprintf(f, "%s{%s=", name, l1);
	put_label_value(f, v1);
	if (l2) {
		fprintf(f, ",%s=", l2);
		put_label_value(f, v2);
	}
	fputs("} 1\n", f);
}

static void put_u64(FILE *f, const char *name, const char *help, enum mtype t, uint64_t v)
{
	put_help_type(f, name, help, t);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void put_double(FILE *f, const char *name, const char *help, enum mtype t, double v)
{
	put_help_type(f, name, help, t);
	fprintf(f, "%s %.6f\n", name, v);
}

static bool cat_enabled(const struct metrics *m, enum mcat c)
{
	switch (c) {
	case MC_ALWAYS:
		return true;
	case MC_KERNEL:
		return m->opt.kernel_event_counters;
	case MC_STATE:
		return m->opt.state_counters;
	}
	return false;
}

uint64_t metrics_outputs_drops(const struct metrics *m, struct metrics_output_stats *st)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->noutputs; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		m->outputs[i].fn(m->outputs[i].ctx, &st[i]);
		sum += st[i].dropped;
	}
	return sum;
}

static void render_table(FILE *f, const struct metrics *m, uint64_t extra_output_drops)
{
	const char *family = NULL;
	/* read once: the event loop updates it meanwhile, and its alias below must agree */
	uint64_t n_evts = mc_get(&m->c, MET_SCAP_N_EVTS);

	for (int i = 0; i < MET__COUNT; i++) {
		const struct mdesc *d = &metrics_desc[i];
		uint64_t v = i == MET_SCAP_N_EVTS ? n_evts : mc_get(&m->c, (enum metric_id)i);

		if (!cat_enabled(m, d->cat))
			continue;
		if (i == MET_FALCO_OUTPUTS_QUEUE_DROPS)
			v += extra_output_drops;
		if (!family || strcmp(family, d->name))
			put_help_type(f, d->name, d->help, d->type);
		family = d->name;
		if (d->labels)
			fprintf(f, "%s{%s} %" PRIu64 "\n", d->name, d->labels, v);
		else
			fprintf(f, "%s %" PRIu64 "\n", d->name, v);
	}
	/* the stale dashboard panel's name, as an alias (falco_n_evts_total) */
	if (m->opt.kernel_event_counters)
		put_u64(f, "falcosecurity_falco_n_evts_total", FALCO_HELP, COUNTER, n_evts);
}

static void render_per_cpu(FILE *f, const struct metrics *m)
{
	if (!m->opt.kernel_event_counters_per_cpu)
		return;
	put_help_type(f, "falcosecurity_scap_n_evts_cpu_total", FALCO_HELP, COUNTER);
	for (unsigned i = 0; i < m->ncpus; i++)
		fprintf(f, "falcosecurity_scap_n_evts_cpu_total{cpu=\"%u\"} %" PRIu64 "\n", i,
			__atomic_load_n(&m->cpu_evts[i], __ATOMIC_RELAXED));
	put_help_type(f, "falcosecurity_scap_n_drops_cpu_total", FALCO_HELP, COUNTER);
	for (unsigned i = 0; i < m->ncpus; i++)
		fprintf(f, "falcosecurity_scap_n_drops_cpu_total{cpu=\"%u\"} %" PRIu64 "\n", i,
			__atomic_load_n(&m->cpu_drops[i], __ATOMIC_RELAXED));
}

/* labels of one rule: priority, rule_name, source, tag_* (sorted, as Falco sorts them) */
static void put_rule_labels(FILE *f, const struct rmeta *rm, bool with_tags)
{
	fprintf(f, "{priority=\"%d\",rule_name=", rm->priority);
	put_label_value(f, rm->name);
	fputs(",source=", f);
	put_label_value(f, rm->source);
	for (uint32_t j = 0; with_tags && j < rm->ntags; j++)
		fprintf(f, ",%s=\"true\"", rm->tags[j]);
	fputs("}", f);
}

static void render_rules(FILE *f, const struct metrics *m)
{
	const struct ruletab *t = m->rules;
	uint64_t any_match = 0, any_eval = 0, any_timed = 0;
	uint32_t enabled = 0;

	for (uint32_t i = 0; t && i < t->pub.n; i++) {
		any_match |= __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);
		any_eval |= __atomic_load_n(&t->pub.ctr[i].evals, __ATOMIC_RELAXED);
		any_timed |= __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);
		enabled += t->meta[i].name && t->meta[i].enabled;
	}
	/* Falco lists only the rules that matched at least once */
	if (m->opt.rules_counters && any_match) {
		put_help_type(f, "falcosecurity_falco_rules_matches_total", FALCO_HELP, COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("falcosecurity_falco_rules_matches_total", f);
			put_rule_labels(f, &t->meta[i], true);
			fprintf(f, " %" PRIu64 "\n", v);
		}
	}
	if (m->opt.rules_counters && any_eval) {
		put_help_type(f, "frc_rule_evaluations_total",
			      "Times a rule's condition was evaluated (events of its types).", COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].evals, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("frc_rule_evaluations_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %" PRIu64 "\n", v);
		}
	}
	if (m->opt.rules_counters && any_timed) {
		put_help_type(f, "frc_rule_timed_evaluations_total",
			      "Evaluations of a rule whose duration was measured (a sample).", COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("frc_rule_timed_evaluations_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %" PRIu64 "\n", v);
		}
		put_help_type(f, "frc_rule_evaluation_seconds_total",
			      "Time spent evaluating a rule's condition, over the timed evaluations "
			      "(divide by frc_rule_timed_evaluations_total for the mean cost).",
			      COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t n = __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);
			uint64_t ns = __atomic_load_n(&t->pub.ctr[i].eval_ns, __ATOMIC_RELAXED);

			if (!n || !t->meta[i].name)
				continue;
			fputs("frc_rule_evaluation_seconds_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %.9f\n", (double)ns / 1e9);
		}
	}
	put_u64(f, "frc_rules_enabled", "Rules of the running ruleset that are enabled.", GAUGE,
		enabled);
	put_u64(f, "frc_ruleset_generation",
		"Generation of the running ruleset: 1 at start, +1 for each successful reload.",
		GAUGE, t ? t->pub.generation : 0);
}

static void render_files(FILE *f, const struct metrics *m)
{
	static const char *const names[2] = { "falcosecurity_falco_sha256_rules_files_info",
					      "falcosecurity_falco_sha256_config_files_info" };

	for (int k = 0; k < 2; k++) {
		if (!m->nfiles[k])
			continue;
		put_help_type(f, names[k], FALCO_HELP, GAUGE);
		for (size_t i = 0; i < m->nfiles[k]; i++) {
			fprintf(f, "%s{file_name=", names[k]);
			put_label_value(f, m->files[k][i].name);
			fprintf(f, ",sha256=\"%s\"} 1\n", m->files[k][i].sha256);
		}
	}
}

static void render_outputs(FILE *f, const struct metrics *m, const struct metrics_output_stats *st)
{
	static const struct {
		const char *name, *help;
		enum mtype type;
	} fam[] = {
		{ "frc_output_queue_length", "Alerts waiting in an output's queue.", GAUGE },
		{ "frc_output_queue_capacity", "Capacity of an output's queue.", GAUGE },
		{ "frc_output_delivered_total", "Alerts an output delivered.", COUNTER },
		{ "frc_output_failed_total", "Alerts an output gave up (rejected, or retries exhausted).", COUNTER },
		{ "frc_output_dropped_total", "Alerts an output dropped because its queue was full.", COUNTER },
		{ "frc_output_retries_total", "Failed delivery attempts an output retried.", COUNTER },
	};

	if (!m->noutputs)
		return;
	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		put_help_type(f, fam[k].name, fam[k].help, fam[k].type);
		for (size_t i = 0; i < m->noutputs; i++) {
			uint64_t v = k == 0 ? st[i].queued : k == 1 ? st[i].capacity :
				     k == 2 ? st[i].delivered : k == 3 ? st[i].failed :
				     k == 4 ? st[i].dropped : st[i].retries;

			fprintf(f, "%s{output=", fam[k].name);
			put_label_value(f, m->outputs[i].name);
			fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
}

static void render_resources(FILE *f)
{
	struct host_usage u;

	metrics_host_usage(&u);
	put_double(f, "falcosecurity_falco_cpu_usage_ratio", FALCO_HELP, GAUGE, u.cpu_ratio);
	put_double(f, "falcosecurity_falco_memory_rss_bytes", FALCO_HELP, GAUGE,
		   (double)u.rss_kb * 1024);
	put_double(f, "falcosecurity_falco_memory_vsz_bytes", FALCO_HELP, GAUGE,
		   (double)u.vsz_kb * 1024);
	put_double(f, "falcosecurity_falco_memory_pss_bytes", FALCO_HELP, GAUGE,
		   (double)u.pss_kb * 1024);
	put_double(f, "falcosecurity_falco_container_memory_used_bytes", FALCO_HELP, GAUGE,
		   (double)u.container_mem_b);
	put_double(f, "falcosecurity_falco_host_cpu_usage_ratio", FALCO_HELP, GAUGE,
		   u.host_cpu_ratio);
	put_double(f, "falcosecurity_falco_host_memory_used_bytes", FALCO_HELP, GAUGE,
		   (double)u.host_mem_used_kb * 1024);
	put_u64(f, "falcosecurity_falco_host_procs_running_total", FALCO_HELP, GAUGE,
		u.procs_running);
	put_u64(f, "falcosecurity_falco_host_open_fds_total", FALCO_HELP, GAUGE, u.open_fds);
}

static void render_health(FILE *f, struct metrics *m)
{
	uint64_t hb = __atomic_load_n(&m->heartbeat_ns, __ATOMIC_RELAXED);
	uint64_t now = metrics_clock_ns(CLOCK_MONOTONIC);
	int probe = __atomic_load_n(&m->probe, __ATOMIC_RELAXED);

	if (hb)
		put_double(f, "frc_event_loop_heartbeat_age_seconds",
			   "Seconds since the event loop last showed it is running.", GAUGE,
			   now > hb ? (double)(now - hb) / 1e9 : 0);
	if (probe != PROBE_NOT_USED)
		put_u64(f, "frc_probe_attached", "1 while the eBPF probe is attached.", GAUGE,
			probe == PROBE_ATTACHED);
	put_u64(f, "frc_rules_loaded", "1 while a ruleset is installed.", GAUGE, m->rules_loaded);
}

static void render(FILE *f, struct metrics *m)
{
	struct metrics_output_stats *st = calloc(m->noutputs ? m->noutputs : 1, sizeof(*st));
	uint64_t now = metrics_clock_ns(CLOCK_REALTIME);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t out_drops = st ? metrics_outputs_drops(m, st) : 0;

	put_info(f, "falcosecurity_falco_version_info", "version", FRC_VERSION, NULL, NULL);
	render_files(f, m);
	put_info(f, "falcosecurity_scap_engine_name_info", "engine_name", m->engine, "evt_source",
		 "syscall");
	put_info(f, "falcosecurity_falco_kernel_release_info", "kernel_release", m->kernel_release,
		 NULL, NULL);
	put_info(f, "falcosecurity_evt_hostname_info", "hostname", m->hostname, NULL, NULL);
	put_u64(f, "falcosecurity_falco_start_timestamp_nanoseconds", FALCO_HELP, GAUGE, m->start_ns);
	put_u64(f, "falcosecurity_falco_duration_seconds_total", FALCO_HELP, COUNTER,
		now > m->start_ns ? (now - m->start_ns) / 1000000000u : 0);
	put_u64(f, "falcosecurity_falco_host_boot_timestamp_nanoseconds", FALCO_HELP, GAUGE,
		metrics_boot_ts_ns());
	put_u64(f, "falcosecurity_falco_host_num_cpus_total", FALCO_HELP, GAUGE,
		ncpu > 0 ? (uint64_t)ncpu : 0);
	render_table(f, m, out_drops);
	render_per_cpu(f, m);
	render_rules(f, m);
	if (st)
		render_outputs(f, m, st);
	if (m->opt.resource_utilization)
		render_resources(f);
	render_health(f, m);
	free(st);
}

char *metrics_render_prometheus(struct metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	pthread_mutex_lock(&m->lock);
	render(f, m);
	pthread_mutex_unlock(&m->lock);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
