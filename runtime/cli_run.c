/* SPDX-License-Identifier: Apache-2.0
 *
 * `frc run`: the daemon. Loads a Falco configuration (-c, -o) and the rules (-r, the
 * configuration's rules_files, or the default rules compiled into the binary), compiles
 * them (runtime/ruleset.h), attaches the eBPF probe with the kernel interest set of the
 * enabled rules plus the state base set, seeds the state tables from /proc, then runs an
 * epoll loop (runtime/loop.h) over the ring buffer, a short poll timer, a statistics timer
 * and a signalfd: every event goes through the same engine, state tables, extractors,
 * compiled rules and alert formatting as `frc replay`.
 *
 * SIGINT/SIGTERM stop it cleanly: the ring buffer is drained, the probe detached, the output
 * channels flushed, then Falco's summary and the drop statistics are printed (stderr), exit
 * status 0. SIGUSR1 reopens the output files. Kernel-side drops are never silent: they are
 * counted per CPU by the probe, reported by Falco's syscall_event_drops manager (rate-limited
 * log and "Falco internal: syscall event drop" alert) and in the final statistics.
 * Exit status: 0 ok, 1 rule or configuration errors, 2 usage, 3 environment (not root, no
 * BTF, another instance running, probe load failure).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compiler/arena.h"
#include "compiler/loader.h"
#include "config.h"
#include "drops.h"
#include "engine.h"
#include "extract.h"
#include "logger.h"
#include "loop.h"
#include "metrics.h"
#include "ops.h"
#include "output.h"
#include "outputs_sink.h"
#include "probe_load.h"
#include "proc_scan.h"
#include "ruleset.h"
#include "state.h"
#include "version.h"

#define DEFAULT_LOCK_FILE "/run/frc.lock"
#define POLL_MS 2		/* ring buffer poll period when the kernel does not wake us */
#define STATS_MS 1000		/* drop statistics, metrics, heartbeat */

struct strv {
	char **v;
	uint32_t n, cap;
};

static int strv_push(struct strv *s, const char *x)
{
	if (s->n == s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 8;
		char **nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n] = strdup(x);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

static void strv_free(struct strv *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct run_opts {
	const char *config;
	struct strv rules;
	struct strv overrides;
	bool unbuffered, dry_run, verbose, dump_config;
	double duration_s;
	const char *pidfile;
};

/* ---------------------------------------------------------------- the daemon state */

struct daemon {
	struct run_opts *o;
	struct frc_config cfg;
	struct arena arena;
	struct frc_rules rules;
	struct loader_results lres;
	bool builtin;			/* the default rules compiled into the binary */
	struct ruleset *rs;
	struct frc_engine *eng;
	struct frc_slots *slots;
	struct out_pool pool;
	struct out_rule *orules;	/* indexed by rule id */
	uint32_t norules;
	struct out_writer writer;
	struct sinks *sinks;
	struct ops *ops;
	struct metrics *met;
	struct metrics_ruletab *mrules;
	struct drop_mgr drops;
	struct drop_counters dc;	/* the probe's counters at the last statistics tick */
	struct probe *probe;
	struct loop *loop;
	const char *procfs;
	char procfs_buf[4096];
	/* counters */
	uint64_t *by_rule;
	uint64_t by_prio[PRIO__COUNT];
	uint64_t alerts, events, raw_events;
	/* per event */
	struct frc_evt *cur;
	int stop_rc;		/* non-zero: the loop stops with this outcome */
	uint64_t purge_interval_ns, purge_timeout_ns, last_purge_ns;
	int lock_fd;
};

static uint64_t now_epoch_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- alerts */

static const struct frc_val *out_get(void *ctx, uint32_t slot, const struct frc_field_ref *ref)
{
	struct daemon *D = ctx;

	(void)slot;
	return extract_value(D->cur, ref->field, ref->arg, ref->arg_len, ref->arg_index);
}

static void emit_internal(void *ctx, uint64_t ts, enum frc_priority prio, const char *rule,
			  const char *msg, const char *const *keys, const char *const *values,
			  uint32_t n)
{
	struct daemon *D = ctx;
	size_t len;
	const char *line = out_format_internal(&D->writer, ts, prio, rule, msg, keys, values, n,
					       &len);

	if (line)
		sinks_emit(D->sinks, prio, line, len);
}

static void on_match(void *ctx, uint32_t rule_id)
{
	struct daemon *D = ctx;
	struct out_event ev = { .ts = D->cur->ts, .get = out_get, .ctx = D };
	const struct out_rule *r;
	const char *line;
	size_t len;

	if (rule_id >= D->norules || !D->orules[rule_id].name)
		return;
	r = &D->orules[rule_id];
	D->alerts++;
	D->by_rule[rule_id]++;
	D->by_prio[r->priority]++;
	if (D->mrules)
		metrics_rule_match(D->mrules, rule_id);
	line = out_format_alert(&D->writer, r, &D->pool, &ev, &len);
	if (line)
		sinks_emit(D->sinks, r->priority, line, len);
	else
		flog(LOGL_ERR, "out of memory while formatting an alert of rule '%s'", r->name);
}

/* every event the rules may see */
static int on_event(void *ctx, struct frc_evt *e)
{
	struct daemon *D = ctx;

	D->events++;
	if (!drop_mgr_event(&D->drops, e->ts, &D->dc)) {
		D->stop_rc = 2;	/* the "exit" action of syscall_event_drops */
		loop_stop(D->loop);
		return 1;
	}
	D->cur = e;
	ruleset_eval(D->rs, e, e->type, on_match, D);
	D->cur = NULL;
	return 0;
}

/* every event of the ring buffer */
static int on_raw(void *arg, const void *evt, size_t len)
{
	struct daemon *D = arg;

	D->raw_events++;
	engine_process(D->eng, evt, len, 0, 0);
	return D->stop_rc ? -1 : 0;
}

/* ---------------------------------------------------------------- rules */

static bool yaml_name(const char *p)
{
	size_t n = strlen(p);

	return (n > 5 && !strcmp(p + n - 5, ".yaml")) || (n > 4 && !strcmp(p + n - 4, ".yml"));
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a rules path: a file, or a directory whose .yaml and .yml files are read in name order */
static int expand_rules_path(const char *path, struct strv *out)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct strv names = { 0 };
		char full[4096];
		struct dirent **list;
		int n = scandir(path, &list, NULL, alphasort);

		for (int i = 0; i < n; i++) {
			snprintf(full, sizeof(full), "%s/%s", path, list[i]->d_name);
			if (yaml_name(list[i]->d_name) && stat(full, &st) == 0 &&
			    S_ISREG(st.st_mode))
				strv_push(&names, full);
			free(list[i]);
		}
		if (n >= 0)
			free(list);
		qsort(names.v, names.n, sizeof(*names.v), cmp_cstr);
		for (uint32_t i = 0; i < names.n; i++)
			if (strv_push(out, names.v[i])) {
				strv_free(&names);
				return -1;
			}
		strv_free(&names);
		return 0;
	}
	return strv_push(out, path);
}

static int build_extras(struct daemon *D, struct loader_opts *lo)
{
	const struct frc_config *cfg = &D->cfg;
	struct loader_extra *fmts, *flds;
	size_t nf = 0, nx = 0, cap = 1;

	for (uint32_t i = 0; i < cfg->nappend_output; i++)
		cap += 1 + 8 + cfg->append_output[i].nfields;
	fmts = arena_alloc(&D->arena, cap * sizeof(*fmts));
	flds = arena_alloc(&D->arena, cap * sizeof(*flds));
	if (!fmts || !flds)
		return -1;
	for (uint32_t i = 0; i < cfg->nappend_output; i++) {
		const struct cfg_append_output *a = &cfg->append_output[i];
		struct loader_extra base = {
			.source = a->source, .tags = (const char *const *)a->tags,
			.ntags = a->ntags, .rule = a->rule,
		};

		if (a->extra_output && *a->extra_output) {
			fmts[nf] = base;
			fmts[nf++].format = a->extra_output;
		}
		if (a->suggested_output) {
			for (const char *const *f = out_suggested_fields; *f; f++) {
				char buf[128];
				size_t k = 0;

				for (const char *p = *f; *p && k < 60; p++)
					buf[k++] = *p == '.' ? '_' : *p;
				snprintf(buf + k, sizeof(buf) - k, "=%%%s", *f);
				fmts[nf] = base;
				fmts[nf++].format = arena_strdup(&D->arena, buf);
			}
		}
		for (uint32_t k = 0; k < a->nfields; k++) {
			flds[nx] = base;
			flds[nx].key = a->field_keys[k];
			flds[nx].format = a->field_formats[k];
			flds[nx++].raw = a->field_raw[k];
		}
	}
	lo->extra_formats = fmts;
	lo->nextra_formats = nf;
	lo->extra_fields = flds;
	lo->nextra_fields = nx;
	return 0;
}

/* Loads the rule files; 0, 1 when there are none to load (use the built-in rules), -1 on
 * error (printed). */
static int load_rules(struct daemon *D)
{
	struct strv files = { 0 };
	struct loader_opts lo;
	int rc;

	if (D->o->rules.n) {
		for (uint32_t i = 0; i < D->o->rules.n; i++)
			if (expand_rules_path(D->o->rules.v[i], &files))
				goto oom;
	} else {
		for (uint32_t i = 0; i < D->cfg.nrules_files; i++)
			if (expand_rules_path(D->cfg.rules_files[i], &files))
				goto oom;
	}
	if (!files.n) {
		strv_free(&files);
		return 1;
	}
	loader_opts_init(&lo);
	lo.min_priority = D->cfg.min_priority;
	lo.container_plugin = true;
	if (build_extras(D, &lo))
		goto oom;
	flog(LOGL_INFO, "Loading rules from:");
	for (uint32_t i = 0; i < files.n; i++)
		flog(LOGL_INFO, "   %s", files.v[i]);
	rc = loader_load(&D->arena, (const char *const *)files.v, files.n, &lo, &D->rules,
			 &D->lres);
	if (rc < 0)
		goto oom;
	if (rc > 0 || !D->lres.ok) {
		fprintf(stderr, "Error: ");
		loader_print_falco(stderr, &D->lres);
		strv_free(&files);
		return -1;
	}
	if (loader_warning_count(&D->lres) && flog_enabled(LOGL_WARNING)) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			loader_print_text(m, &D->lres, false);
			fclose(m);
			flog(LOGL_WARNING, "%s", buf);
			free(buf);
		}
	}
	if (D->met)
		metrics_set_files(D->met, false, (const char *const *)files.v, files.n);
	strv_free(&files);
	return 0;
oom:
	strv_free(&files);
	fprintf(stderr, "Error: out of memory while loading rules\n");
	return -1;
}

/* A struct frc_rule for the alert plan of a compiled-in rule. */
static void rule_from_info(struct frc_rule *r, uint32_t id, const struct frc_rule_info *ri)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->name = ri->name;
	r->output = ri->output;
	r->source = ri->source ? ri->source : "syscall";
	r->priority = (enum frc_priority)ri->priority;
	r->tags = (const char **)ri->tags;
	r->ntags = ri->ntags;
	r->enabled = ri->enabled;
	r->file = ri->file;
	r->line = ri->line;
}

static int compile_rules(struct daemon *D, int loaded)
{
	struct ruleset_opts ro;
	char err[1024];
	uint32_t maxid;

	memset(&ro, 0, sizeof(ro));
	if (loaded == 1) {
		D->builtin = true;
		D->rs = ruleset_builtin(&ro);
		if (!D->rs) {
			fprintf(stderr, "Error: no rules: give -r FILE or rules_files in the "
					"configuration (this frc binary has no built-in rules)\n");
			return -1;
		}
		flog(LOGL_INFO, "Using the default rules compiled into frc (%u rules)",
		     ruleset_nrules(D->rs));
	} else {
		D->rs = ruleset_jit(&D->rules, &ro);
		if (!D->rs) {
			fprintf(stderr, "Error: the rules could not be compiled\n");
			return -1;
		}
	}
	ruleset_set_matching(D->rs, D->cfg.rule_matching == RULE_MATCHING_ALL ?
				    RULESET_MATCH_ALL : RULESET_MATCH_FIRST);
	ruleset_set_min_priority(D->rs, D->cfg.min_priority);
	for (uint32_t i = 0; i < D->cfg.nrules_sel; i++) {
		const struct cfg_rule_sel *s = &D->cfg.rules_sel[i];

		flog(LOGL_INFO, "%s rules with %s: %s", s->enable ? "Enabling" : "Disabling",
		     s->kind == SEL_TAG ? "tag" : "name", s->pattern);
		if (s->kind == SEL_TAG)
			ruleset_enable_tag(D->rs, s->pattern, s->enable);
		else
			ruleset_enable_name(D->rs, s->pattern, s->enable);
	}

	/* alert plans, indexed by rule id */
	maxid = ruleset_nrules(D->rs);
	if (!D->builtin)
		for (uint32_t k = 0; k < D->rules.nrules; k++)
			if (D->rules.rules[k].id + 1 > maxid)
				maxid = D->rules.rules[k].id + 1;
	D->norules = maxid;
	D->orules = calloc(maxid ? maxid : 1, sizeof(*D->orules));
	D->by_rule = calloc(maxid ? maxid : 1, sizeof(*D->by_rule));
	if (!D->orules || !D->by_rule) {
		fprintf(stderr, "Error: out of memory\n");
		return -1;
	}
	if (D->builtin) {
		for (uint32_t k = 0; k < maxid; k++) {
			const struct frc_rule_info *ri = ruleset_rule(D->rs, k);
			struct frc_rule fr;

			if (!ri)
				continue;
			rule_from_info(&fr, k, ri);
			if (out_rule_prepare(&D->orules[k], &D->pool, &fr, &D->cfg, true, err,
					     sizeof(err))) {
				fprintf(stderr, "Error: %s\n", err);
				return -1;
			}
		}
	} else {
		for (uint32_t k = 0; k < D->rules.nrules; k++) {
			const struct frc_rule *fr = &D->rules.rules[k];

			if (out_rule_prepare(&D->orules[fr->id], &D->pool, fr, &D->cfg, false, err,
					     sizeof(err))) {
				fprintf(stderr, "Error: %s\n", err);
				return -1;
			}
		}
		if (D->met)
			D->mrules = metrics_set_rules(D->met, &D->rules, 1);
	}
	return 0;
}

/* The syscall selection: the rules' interest set plus base_syscalls (Falco's custom_set,
 * all). Names of custom_set starting with '!' are not supported by the kernel side: the
 * state base set is always traced. */
static void apply_interest(struct daemon *D)
{
	uint64_t codes[8] = { 0 };
	bool generic_all = false, all = false;

	ruleset_interest(D->rs, codes, &generic_all, &all);
	for (uint32_t i = 0; i < D->cfg.nbase_syscalls_custom_set; i++) {
		const char *n = D->cfg.base_syscalls_custom_set[i];

		if (n[0] == '!')
			continue;
		if (!evtab_codes_by_name(n, strlen(n), codes))
			flog(LOGL_WARNING, "base_syscalls.custom_set: unknown syscall '%s'", n);
	}
	if (all || D->cfg.base_syscalls_all) {
		probe_set_interest_all(D->probe);
		flog(LOGL_INFO, "Tracing every syscall (%s)",
		     all ? "a rule does not restrict evt.type" : "base_syscalls.all");
	} else {
		probe_set_interest(D->probe, codes, generic_all);
	}
}

/* ---------------------------------------------------------------- /proc seeding */

struct seed_ctx {
	struct frc_state *st;
	bool only_new;		/* a lookup of one thread: keep what the tables already have */
	bool main_added;
};

static void seed_thread(void *ctx, const struct scap_thread_rec *t)
{
	struct seed_ctx *s = ctx;

	if (s->only_new && state_find_thread(s->st, t->tid))
		return;
	state_add_thread(s->st, t);
	if (t->tid == t->pid)
		s->main_added = true;
}

static void seed_fd(void *ctx, const struct scap_fd_rec *f)
{
	struct seed_ctx *s = ctx;

	if (s->only_new && !s->main_added)
		return;
	state_add_fd(s->st, f);
}

/* the state tables met a thread they do not know: read it from /proc */
static bool lookup_tid(void *ctx, struct frc_state *st, int64_t tid)
{
	static const struct proc_scan_ops ops = { seed_thread, seed_fd };
	struct daemon *D = ctx;
	struct seed_ctx s = { .st = st, .only_new = true };

	return proc_scan_tid(D->procfs, tid, true, &ops, &s) && state_find_thread(st, tid);
}

static void seed_iface(void *ctx, const struct scap_iface *ifc)
{
	state_add_iface(ctx, ifc);
}

static int seed_state(struct daemon *D)
{
	static const struct proc_scan_ops ops = { seed_thread, seed_fd };
	struct frc_state *st = engine_state(D->eng);
	struct seed_ctx s = { .st = st };
	struct proc_scan_stats ps;
	struct scap_machine mi;
	int rc;

	proc_scan_machine(D->procfs, &mi);
	state_set_machine(st, &mi);
	proc_scan_ifaces(seed_iface, st);
	rc = proc_scan_all(D->procfs, &ops, &s, &ps);
	if (rc) {
		fprintf(stderr, "Error: cannot read %s: %s\n", D->procfs, strerror(-rc));
		return -1;
	}
	state_finish_load(st);
	flog(LOGL_INFO, "Read %" PRIu64 " processes, %" PRIu64 " threads and %" PRIu64
	     " file descriptors from %s", ps.processes, ps.threads, ps.fds, D->procfs);
	return 0;
}

/* ---------------------------------------------------------------- statistics */

static void read_counters(struct daemon *D)
{
	struct probe_counters c;
	struct drop_counters *d = &D->dc;

	probe_read_counters(D->probe, &c, NULL);
	d->n_evts = c.n_evts;
	d->n_drops_buffer = c.n_drops_buffer;
	d->n_drops_buffer_clone_fork_exit = c.n_drops_buffer_class[0];
	d->n_drops_buffer_execve_exit = c.n_drops_buffer_class[1];
	d->n_drops_buffer_connect_exit = c.n_drops_buffer_class[2];
	d->n_drops_buffer_open_exit = c.n_drops_buffer_class[3];
	d->n_drops_buffer_dir_file_exit = c.n_drops_buffer_class[4];
	d->n_drops_buffer_other_interest_exit = c.n_drops_buffer_class[5];
	d->n_drops_buffer_close_exit = c.n_drops_buffer_class[6];
	d->n_drops_buffer_proc_exit = c.n_drops_buffer_class[7];
	d->n_drops_scratch_map = c.n_drops_scratch;
	d->n_drops_bug = c.n_drops_bug + c.n_recursion_misses;
	d->n_drops = probe_counters_drops(&c);
	if (D->met) {
		struct metrics_counters *m = metrics_counters(D->met);
		const struct frc_engine_stats *es = engine_stats(D->eng);
		const struct frc_state_stats *ss = state_get_stats(engine_state(D->eng));

		if (c.n_evts > mc_get(m, MET_SCAP_N_EVTS))
			mc_set(m, MET_SCAP_N_EVTS, c.n_evts);
		mc_set(m, MET_SCAP_N_DROPS, d->n_drops);
		mc_set(m, MET_SCAP_DROPS_BUF_CLONE_FORK_EXIT, c.n_drops_buffer_class[0]);
		mc_set(m, MET_SCAP_DROPS_BUF_EXECVE_EXIT, c.n_drops_buffer_class[1]);
		mc_set(m, MET_SCAP_DROPS_BUF_CONNECT_EXIT, c.n_drops_buffer_class[2]);
		mc_set(m, MET_SCAP_DROPS_BUF_OPEN_EXIT, c.n_drops_buffer_class[3]);
		mc_set(m, MET_SCAP_DROPS_BUF_DIR_FILE_EXIT, c.n_drops_buffer_class[4]);
		mc_set(m, MET_SCAP_DROPS_BUF_OTHER_INTEREST_EXIT, c.n_drops_buffer_class[5]);
		mc_set(m, MET_SCAP_DROPS_BUF_CLOSE_EXIT, c.n_drops_buffer_class[6]);
		mc_set(m, MET_SCAP_DROPS_BUF_PROC_EXIT, c.n_drops_buffer_class[7]);
		mc_set(m, MET_SCAP_N_DROPS_SCRATCH_MAP, c.n_drops_scratch);
		mc_set(m, MET_SCAP_N_DROPS_BUG, d->n_drops_bug);
		mc_set(m, MET_SCAP_N_THREADS, state_nthreads(engine_state(D->eng)));
		mc_set(m, MET_SCAP_N_ADDED_THREADS, ss->threads_added);
		mc_set(m, MET_SCAP_N_REMOVED_THREADS, ss->threads_removed);
		mc_set(m, MET_SCAP_N_ADDED_FDS, ss->fds_added);
		mc_set(m, MET_SCAP_N_REMOVED_FDS, ss->fds_removed);
		mc_set(m, MET_SCAP_N_DROPS_FULL_THREADTABLE, ss->threads_dropped_full);
		mc_set(m, MET_FRC_EVTS_PROCESSED, es->read);
		mc_set(m, MET_FRC_DROPS_DECODE, es->invalid);
		mc_set(m, MET_FRC_ALERTS, D->alerts);
		if (D->cfg.metrics.kernel_event_counters_per_cpu) {	/* ops: per-CPU counters */
			int ncpu = probe_ncpus(D->probe);
			struct probe_counters *pc = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*pc)) : NULL;

			if (pc) {
				probe_read_counters(D->probe, &c, pc);
				for (int i = 0; i < ncpu; i++)
					metrics_set_cpu(D->met, (unsigned)i, pc[i].n_evts,
							probe_counters_drops(&pc[i]));
			}
			free(pc);
		}
	}
}

/* ops: Falco's metrics snapshot (metrics.interval, output_rule, output_file) */
static void on_snapshot(struct loop *l, uint64_t n, void *arg)
{
	struct daemon *D = arg;

	(void)l;
	(void)n;
	read_counters(D);
	ops_metrics_snapshot(D->ops, &D->writer);
}

static void on_stats(struct loop *l, uint64_t n, void *arg)
{
	struct daemon *D = arg;
	uint64_t now = now_epoch_ns();

	(void)n;
	read_counters(D);
	if (D->met)
		metrics_heartbeat(D->met);
	/* without events the drop manager still has to look at the counters */
	if (!drop_mgr_event(&D->drops, now, &D->dc)) {
		D->stop_rc = 2;
		loop_stop(l);
		return;
	}
	if (D->purge_interval_ns && now - D->last_purge_ns >= D->purge_interval_ns) {
		uint32_t k = state_purge_inactive(engine_state(D->eng), now, D->purge_timeout_ns);

		if (k)
			flog(LOGL_DEBUG, "purged %u inactive threads", k);
		D->last_purge_ns = now;
	}
}

static void drain(struct daemon *D)
{
	long n;

	do
		n = probe_consume(D->probe);
	while (n > 0 && !D->stop_rc);
	/* keep the event counters of /metrics current between statistics ticks without a
	 * syscall: what was received plus what the kernel reported dropped so far */
	if (D->met) {
		struct metrics_counters *m = metrics_counters(D->met);
		uint64_t seen = D->raw_events + D->dc.n_drops;

		if (seen > D->dc.n_evts)
			mc_set(m, MET_SCAP_N_EVTS, seen);
		mc_set(m, MET_FRC_EVTS_PROCESSED, engine_stats(D->eng)->read);
		mc_set(m, MET_FRC_ALERTS, D->alerts);
	}
}

static void on_ring(struct loop *l, int fd, uint32_t events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	drain(arg);
}

static void on_poll(struct loop *l, uint64_t n, void *arg)
{
	(void)l;
	(void)n;
	drain(arg);
}

static void on_deadline(struct loop *l, uint64_t n, void *arg)
{
	(void)n;
	(void)arg;
	flog(LOGL_INFO, "-M duration reached, stopping");
	loop_stop(l);
}

static void on_signal(struct loop *l, int signo, void *arg)
{
	struct daemon *D = arg;

	switch (signo) {
	case SIGINT:
	case SIGTERM:
		flog(LOGL_INFO, "%s received, stopping", signo == SIGINT ? "SIGINT" : "SIGTERM");
		loop_stop(l);
		break;
	case SIGUSR1:
		flog(LOGL_INFO, "SIGUSR1 received, reopening outputs");
		sinks_reopen(D->sinks);
		break;
	case SIGHUP:
		flog(LOGL_WARNING, "SIGHUP received: reloading is not supported by this frc run; "
				   "restart it to load new rules");
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- summary */

static void print_summary(struct daemon *D, FILE *f)
{
	struct probe_counters c = { 0 };
	const struct frc_engine_stats *es = D->eng ? engine_stats(D->eng) : NULL;

	fprintf(f, "Events detected: %" PRIu64 "\n", D->alerts);
	fprintf(f, "Rule counts by severity:\n");
	for (int p = 0; p < PRIO__COUNT; p++) {
		char up[32];
		const char *nm = p == PRIO_INFORMATIONAL ? "Info" : config_priority_name(p);
		size_t k = 0;

		if (!D->by_prio[p])
			continue;
		for (; nm[k] && k < sizeof(up) - 1; k++)
			up[k] = (char)(nm[k] >= 'a' && nm[k] <= 'z' ? nm[k] - 32 : nm[k]);
		up[k] = 0;
		fprintf(f, "   %s: %" PRIu64 "\n", up, D->by_prio[p]);
	}
	fprintf(f, "Triggered rules by rule name:\n");
	for (uint32_t i = 0; i < D->norules; i++)
		if (D->by_rule[i])
			fprintf(f, "   %s: %" PRIu64 "\n", D->orules[i].name, D->by_rule[i]);
	if (D->probe)
		probe_read_counters(D->probe, &c, NULL);
	else
		c.n_evts = D->dc.n_evts;
	fprintf(f, "Kernel events: %" PRIu64 " seen by the probe, %" PRIu64 " received, %" PRIu64
		   " dropped (ring buffer full %" PRIu64 ", too large %" PRIu64 ", probe errors %"
		   PRIu64 "), %" PRIu64 " truncated\n",
		c.n_evts ? c.n_evts : D->dc.n_evts, D->raw_events,
		c.n_evts ? probe_counters_drops(&c) : D->dc.n_drops,
		c.n_evts ? c.n_drops_buffer : D->dc.n_drops_buffer,
		c.n_evts ? c.n_drops_scratch : D->dc.n_drops_scratch_map,
		c.n_evts ? c.n_drops_bug + c.n_recursion_misses : D->dc.n_drops_bug, c.n_truncated);
	if (es)
		fprintf(f, "Events processed: %" PRIu64 " (%" PRIu64 " given to the rules, %" PRIu64
			   " invalid)\n", es->read, D->events, es->invalid);
	for (uint32_t i = 0; D->sinks && i < sinks_count(D->sinks); i++) {
		struct sink_stats st;

		sinks_get_stats(D->sinks, i, &st);
		if (st.dropped || st.write_errors)
			fprintf(f, "Output channel %s: %" PRIu64 " alerts dropped, %" PRIu64
				   " write errors\n", st.name, st.dropped, st.write_errors);
	}
}

/* ---------------------------------------------------------------- single instance */

static int take_lock(struct daemon *D)
{
	const char *path = getenv("FRC_LOCK_FILE") ? getenv("FRC_LOCK_FILE") : DEFAULT_LOCK_FILE;
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "Error: cannot open the lock file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		fprintf(stderr, "Error: another frc run is already running (pid %s, lock %s); "
				"stop it first\n", buf[0] ? buf : "unknown", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (pwrite(fd, buf, (size_t)n, 0) != n)
			flog(LOGL_WARNING, "cannot write the lock file %s", path);
	}
	D->lock_fd = fd;
	return 0;
}

/* ---------------------------------------------------------------- arguments */

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: frc run [-c CONFIG] [-r RULES]... [-o KEY=VALUE]... [-U] [-M SECONDS]\n"
		"               [-P PIDFILE] [--dry-run] [-v]\n"
		"\n"
		"The daemon: attaches the eBPF probe, evaluates the rules on every event and writes\n"
		"Falco-compatible alerts to the configured outputs (stdout, file, program, syslog,\n"
		"http). Without -r and without rules_files it uses the default rules compiled in.\n"
		"\n"
		"  -c FILE          Falco configuration file (falco.yaml)\n"
		"  -r FILE|DIR      rules file or directory (repeatable; replaces rules_files)\n"
		"  -o KEY=VALUE     override a configuration key (Falco's dotted paths)\n"
		"  -U, --unbuffered flush every alert\n"
		"  -M SECONDS       stop after this many seconds\n"
		"  -P, --pidfile F  write the pid to F\n"
		"  --dry-run        load the configuration and the rules, then exit\n"
		"  -v               verbose statistics at exit\n"
		"\n"
		"Needs root (the eBPF probe) and kernel BTF. SIGINT/SIGTERM stop it, SIGUSR1\n"
		"reopens the output files. Exit status: 0 ok, 1 rule or configuration error,\n"
		"2 usage, 3 environment (not root, no BTF, another instance running).\n");
}

static int run_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "unbuffered", no_argument, NULL, 'U' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "dry-run", no_argument, NULL, 1 },
		{ "dump-config", no_argument, NULL, 2 },
		{ "option", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:r:o:UM:P:vhA", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'r':
			if (strv_push(&o->rules, optarg))
				return 1;
			break;
		case 'o':
			if (strv_push(&o->overrides, optarg))
				return 1;
			break;
		case 'U':
			o->unbuffered = true;
			break;
		case 'M': {
			char *end;

			o->duration_s = strtod(optarg, &end);
			if (*end || o->duration_s <= 0) {
				fprintf(stderr, "frc run: -M needs a positive number of seconds\n");
				return 2;
			}
			break;
		}
		case 'P':
			o->pidfile = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'A':
			fprintf(stderr, "frc run: -A was removed from Falco; use -o "
					"base_syscalls.all=true\n");
			if (strv_push(&o->overrides, "base_syscalls.all=true"))
				return 1;
			break;
		case 1:
			o->dry_run = true;
			break;
		case 2:
			o->dump_config = true;
			break;
		case 'h':
			run_usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "frc run: option -%c needs an argument\n", optopt);
			run_usage(stderr);
			return 2;
		default:
			fprintf(stderr, "frc run: unknown option '%s'\n", argv[optind - 1]);
			run_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "frc run: unexpected argument '%s'\n", argv[optind]);
		run_usage(stderr);
		return 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static void keep_warn_cb(void *ctx, const char *msg)
{
	strv_push(ctx, msg);
}

/* ring size from engine.modern_ebpf.buf_size_preset (Falco: 8 MiB at preset 4) shared by
 * cpus_for_each_buffer CPUs: one ring here, scaled to the number of CPUs */
static uint32_t ring_bytes(const struct frc_config *cfg, int ncpus)
{
	int preset = cfg->buf_size_preset > 0 ? cfg->buf_size_preset : 4;
	uint64_t per = 1ull << (20 + (preset > 10 ? 10 : preset) - 1);	/* 1 MiB at preset 1 */
	uint32_t share = cfg->cpus_for_each_buffer ? cfg->cpus_for_each_buffer : 2;
	uint64_t rings = ((uint64_t)ncpus + share - 1) / share;
	uint64_t total = per * (rings ? rings : 1);

	if (total < (8u << 20))
		total = 8u << 20;
	if (total > (1u << 30))
		total = 1u << 30;
	/* a power of two */
	while (total & (total - 1))
		total &= total - 1;
	return (uint32_t)total;
}

static int run_main(struct run_opts *o)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, 0 };
	struct strv cfg_warnings = { 0 }, all_ovr = { 0 };
	struct config_opts co = { 0 };
	struct daemon D;
	char err[2048];
	int ret = 1, loaded;

	memset(&D, 0, sizeof(D));
	D.o = o;
	D.lock_fd = -1;
	arena_init(&D.arena);
	out_pool_init(&D.pool);
	signal(SIGPIPE, SIG_IGN);

	/* configuration: without -c, Falco's defaults plus stdout alerts and stderr logs */
	if (!o->config) {
		static const char *const dflt[] = { "stdout_output.enabled=true", "log_stderr=true",
						    "log_syslog=false" };

		for (size_t i = 0; i < 3; i++)
			strv_push(&all_ovr, dflt[i]);
	}
	for (uint32_t i = 0; i < o->overrides.n; i++)
		strv_push(&all_ovr, o->overrides.v[i]);
	co.path = o->config;
	co.overrides = (const char *const *)all_ovr.v;
	co.noverrides = all_ovr.n;
	co.warn = keep_warn_cb;
	co.warn_ctx = &cfg_warnings;
	flog_configure(true, false, LOGL_WARNING, false);
	if (config_load(&D.cfg, &co, err, sizeof(err))) {
		for (uint32_t i = 0; i < cfg_warnings.n; i++)
			flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
		fprintf(stderr, "Error: %s\n", err);
		goto out;
	}
	if (o->unbuffered)
		D.cfg.buffered_outputs = false;
	flog_configure(D.cfg.log_stderr, D.cfg.log_syslog, D.cfg.log_level,
		       D.cfg.time_format_iso_8601);
	if (o->dump_config) {
		config_dump(&D.cfg, stdout);
		ret = 0;
		goto out;
	}
	flog(LOGL_INFO, "frc version: %s", FRC_VERSION);
	for (uint32_t i = 0; i < cfg_warnings.n; i++)
		flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
	if (D.cfg.engine_kind == ENGINE_REPLAY) {
		fprintf(stderr, "Error: engine.kind is replay: use `frc replay` for captures\n");
		goto out;
	}
	D.procfs = "/proc";
	if (getenv("HOST_ROOT") && *getenv("HOST_ROOT")) {
		snprintf(D.procfs_buf, sizeof(D.procfs_buf), "%s/proc", getenv("HOST_ROOT"));
		D.procfs = D.procfs_buf;
	}

	/* rules (a dry run stops after them, and needs no privilege) */
	loaded = load_rules(&D);
	if (loaded < 0 || compile_rules(&D, loaded))
		goto out;
	if (o->dry_run) {
		flog(LOGL_INFO, "Dry run: configuration and rules are valid");
		ret = 0;
		goto out;
	}

	/* environment */
	if (geteuid() != 0) {
		fprintf(stderr, "Error: frc run needs root: loading the eBPF probe needs CAP_BPF, "
				"CAP_PERFMON and CAP_SYS_RESOURCE\n");
		ret = 3;
		goto out;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fprintf(stderr, "Error: kernel BTF (/sys/kernel/btf/vmlinux) is not available: the "
				"probe needs a kernel built with CONFIG_DEBUG_INFO_BTF\n");
		ret = 3;
		goto out;
	}
	if (take_lock(&D)) {
		ret = 3;
		goto out;
	}
	if (o->pidfile) {
		FILE *pf = fopen(o->pidfile, "w");

		if (!pf || fprintf(pf, "%d\n", (int)getpid()) < 0 || fclose(pf)) {
			fprintf(stderr, "Error: cannot write the pid file %s\n", o->pidfile);
			goto out;
		}
	}

	/* the loop and its signals first: the signals must be blocked before any thread (the
	 * output workers, the web server) starts, or one of them would take SIGINT */
	D.loop = loop_new();
	if (!D.loop || loop_signals(D.loop, sigs, on_signal, &D)) {
		fprintf(stderr, "Error: cannot set up the event loop: %s\n", strerror(errno));
		goto out;
	}

	/* outputs, operations (metrics, http output, web server) */
	{
		struct out_opts oo;

		out_opts_from_config(&oo, &D.cfg);
		out_writer_init(&D.writer, &oo);
	}
	D.sinks = sinks_create(&D.cfg);
	if (!D.sinks) {
		fprintf(stderr, "Error: out of memory\n");
		goto out;
	}
	D.ops = ops_create(&D.cfg, D.sinks, (unsigned)sysconf(_SC_NPROCESSORS_CONF), err,
			   sizeof(err));
	if (!D.ops) {
		fprintf(stderr, "Error: %s\n", err);
		goto out;
	}
	D.met = ops_metrics(D.ops);
	if (!sinks_count(D.sinks)) {
		fprintf(stderr, "Error: No output configured, please make sure at least one output "
				"is configured and enabled.\n");
		goto out;
	}
	if (sinks_start(D.sinks, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		goto out;
	}
	if (D.met) {
		metrics_set_engine(D.met, "modern_bpf");
		if (!D.builtin)
			D.mrules = metrics_set_rules(D.met, &D.rules, 1);
		if (D.cfg.nloaded_config_files)
			metrics_set_files(D.met, true,
					  (const char *const *)D.cfg.loaded_config_files,
					  D.cfg.nloaded_config_files);
	}

	/* the engine and the state tables */
	{
		struct frc_state_cfg scfg = {
			.max_threads = D.cfg.thread_table_size,
			.host_user_lookup = true,
			.live = true,
			.proc_lookup = lookup_tid,
			.proc_lookup_ctx = &D,
		};
		uint32_t nref;
		const struct frc_field_ref *refs = ruleset_fields(D.rs, &nref);

		D.eng = engine_new(&scfg);
		D.slots = D.eng ? extract_slots_new(refs, nref, err, sizeof(err)) : NULL;
		if (!D.eng || !D.slots) {
			fprintf(stderr, "Error: %s\n", D.eng ? err : "out of memory");
			goto out;
		}
		engine_set_slots(D.eng, D.slots);
		engine_set_callback(D.eng, on_event, &D);
	}

	/* the probe: attached before the /proc scan so nothing falls between the two; what
	 * happens during the scan waits in the ring buffer */
	{
		struct probe_opts po = {
			.snaplen = (uint32_t)(D.cfg.snaplen ? D.cfg.snaplen : 80),
		};

		po.ringbuf_bytes = ring_bytes(&D.cfg, (int)sysconf(_SC_NPROCESSORS_CONF));
		flog(LOGL_INFO, "Opening 'syscall' source with the frc eBPF probe (ring buffer %u "
		     "MiB)", po.ringbuf_bytes >> 20);
		D.probe = probe_open(&po, on_raw, &D, err, sizeof(err));
		if (!D.probe) {
			fprintf(stderr, "Error: %s\n", err);
			ret = 3;
			goto out;
		}
		apply_interest(&D);
		if (probe_attach(D.probe, err, sizeof(err))) {
			fprintf(stderr, "Error: %s\n", err);
			ret = 3;
			goto out;
		}
		if (D.met)
			metrics_set_probe(D.met, PROBE_ATTACHED, "modern_bpf");
	}
	if (seed_state(&D))
		goto out;
	{
		struct drop_alert da = { .emit = emit_internal, .ctx = &D };

		read_counters(&D);
		drop_mgr_init(&D.drops, &D.cfg, &D.dc, true, &da);
	}
	D.purge_interval_ns = (uint64_t)D.cfg.thread_table_auto_purging_interval_s * 1000000000ull;
	D.purge_timeout_ns = (uint64_t)D.cfg.thread_table_auto_purging_thread_timeout_s *
			     1000000000ull;
	D.last_purge_ns = now_epoch_ns();
	if (loop_add_fd(D.loop, probe_fd(D.probe), on_ring, &D) < 0 ||
	    loop_add_timer(D.loop, POLL_MS, POLL_MS, on_poll, &D) < 0 ||
	    loop_add_timer(D.loop, STATS_MS, STATS_MS, on_stats, &D) < 0 ||
	    (o->duration_s > 0 &&
	     loop_add_timer(D.loop, (uint64_t)(o->duration_s * 1000), 0, on_deadline, &D) < 0) ||
	    (ops_snapshot_interval_ms(D.ops) &&	/* ops: first snapshot at start, as Falco */
	     loop_add_timer(D.loop, 1, ops_snapshot_interval_ms(D.ops), on_snapshot, &D) < 0)) {
		fprintf(stderr, "Error: cannot set up the event loop\n");
		goto out;
	}
	if (ops_start_web(D.ops, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		goto out;
	}
	if (D.met)
		metrics_heartbeat(D.met);
	flog(LOGL_INFO, "Events processing started (pid %d)", (int)getpid());

	if (loop_run(D.loop, 1000) < 0) {
		fprintf(stderr, "Error: event loop: %s\n", strerror(errno));
		goto out;
	}

	/* stop: detach, then process what is already in the ring buffer, so that the final
	 * counts add up: seen by the probe = received + dropped */
	probe_detach(D.probe);
	if (D.met)
		metrics_set_probe(D.met, PROBE_DETACHED, "stopping");
	if (!D.stop_rc)
		drain(&D);
	read_counters(&D);
	ret = D.stop_rc == 2 ? 1 : 0;
	if (D.stop_rc == 2)
		fprintf(stderr, "Error: Drop manager internal error\n");
out:
	if (D.probe) {
		struct probe_counters c;

		probe_read_counters(D.probe, &c, NULL);
		probe_close(D.probe);
		D.probe = NULL;
		D.dc.n_evts = c.n_evts;
		D.dc.n_drops = probe_counters_drops(&c);
		D.dc.n_drops_buffer = c.n_drops_buffer;
		D.dc.n_drops_scratch_map = c.n_drops_scratch;
		D.dc.n_drops_bug = c.n_drops_bug + c.n_recursion_misses;
		if (D.met)
			metrics_set_probe(D.met, PROBE_DETACHED, "stopped");
	}
	if (D.sinks)
		sinks_stop(D.sinks);
	if (D.eng && D.loop) {
		print_summary(&D, stderr);
		drop_mgr_print_stats(&D.drops, stderr);
	}
	if (D.ops)
		ops_free(D.ops);
	if (D.sinks)
		sinks_free(D.sinks);
	loop_free(D.loop);
	if (D.eng)
		engine_free(D.eng);
	if (D.slots)
		extract_slots_free(D.slots);
	for (uint32_t i = 0; i < D.norules; i++)
		out_rule_free(&D.orules[i]);
	free(D.orules);
	free(D.by_rule);
	out_writer_free(&D.writer);
	out_pool_free(&D.pool);
	if (D.rs)
		ruleset_free(D.rs);
	arena_free_all(&D.arena);
	config_free(&D.cfg);
	if (o->pidfile && ret != 3)
		unlink(o->pidfile);
	if (D.lock_fd >= 0)
		close(D.lock_fd);
	strv_free(&cfg_warnings);
	strv_free(&all_ovr);
	return ret;
}

int cli_run(int argc, char **argv)
{
	struct run_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = run_args(argc, argv, &o);
	if (rc == 0)
		rc = run_main(&o);
	else if (rc < 0)
		rc = 0;	/* --help */
	strv_free(&o.rules);
	strv_free(&o.overrides);
	return rc;
}
