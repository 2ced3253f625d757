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
 * The rule files and rule folders are watched (inotify): a change, after a short settle
 * delay (timerfd), or SIGHUP reloads them without a gap (runtime/reload.h: the new rules are
 * compiled on a worker thread while events keep flowing, then swapped in between two
 * events together with the kernel filter; probe, state tables and outputs stay). A reload
 * that fails keeps the old rules, logs the errors with file:line:col and emits Falco's
 * "Falco internal: hot restart failure" alert.
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
#include <math.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compiler/arena.h"
#include "compiler/kfilter.h"
#include "compiler/loader.h"
#include "cfgtree.h"
#include "config.h"
#include "drops.h"
#include "engine.h"
#include "extract.h"
#include "kfilter_load.h"
#include "logger.h"
#include "loop.h"
#include "metrics.h"
#include "ops.h"
#include "output.h"
#include "outputs_sink.h"
#include "probe_load.h"
#include "proc_scan.h"
#include "reload.h"
#include "ruleset.h"
#include "state.h"
#include "strv.h"
#include "version.h"

#define DEFAULT_LOCK_FILE "/run/frc.lock"
#define POLL_MS 2		/* ring buffer poll period when the kernel does not wake us */
#define STATS_MS 1000		/* drop statistics, metrics, heartbeat */


struct run_opts {
	const char *config;
	struct strv rules;
	struct strv overrides;
	bool unbuffered, dry_run, verbose, dump_config, no_kernel_filter;
	double duration_s;
	const char *pidfile;
};

/* alert counts of rules that left the ruleset in a reload (for the summary) */
struct retired {
	char *name;
	uint64_t n;
};

/* the reload machinery: watches, settle timer, the worker that builds a generation */
struct reloader {
	int ino;			/* inotify fd, -1 if not watching */
	struct strv wdirs;		/* watched directories, by watch descriptor order */
	int *wd;
	struct strv wnames;		/* paths that matter: rule files, and rule folders */
	int timer;			/* settle timer id */
	uint64_t settle_ms;
	bool use_thread;
	int efd;			/* eventfd: the worker is done */
	pthread_t th;
	bool building;			/* a build is under way */
	bool pending;			/* a trigger came in during the build */
	bool armed;			/* the settle timer runs */
	uint64_t trigger_ns;		/* when the first trigger of this reload was seen */
	/* the worker's result, read after efd */
	struct rl_gen *result;
	char *errtext, *summary;
	struct reload_src src;
	uint64_t ok, failed;
	uint64_t last_latency_ns, last_build_ns, last_swap_ns;
};

/* ---------------------------------------------------------------- the daemon state */

struct daemon {
	struct run_opts *o;
	struct frc_config cfg;
	struct rl_gen *gen;		/* the running rules (runtime/reload.h) */
	struct reload_target tgt;
	struct reloader rl;
	struct kfilter *kf;		/* NULL: kernel filter disabled */
	struct kfilter_stats kstats;	/* its counters when it was closed */
	bool have_kstats;
	struct probe_counters pstats;	/* the probe's counters when it was closed */
	bool have_pstats;
	struct frc_engine *eng;
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
	uint64_t *by_rule;		/* indexed by rule id of the running generation */
	struct retired *retired;
	uint32_t nretired;
	uint64_t by_prio[PRIO__COUNT];
	uint64_t alerts, events, raw_events;
	uint64_t drain_left;		/* events this turn of the loop may still take */
	/* per event */
	struct frc_evt *cur;
	int stop_rc;		/* non-zero: the loop stops with this outcome */
	uint64_t purge_interval_ns, purge_timeout_ns, last_purge_ns;
	int lock_fd;
};

static void reload_trigger(struct daemon *D, const char *why, bool now);

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
	const struct rl_gen *g = D->gen;
	const struct out_rule *r;
	const char *line;
	size_t len;

	if (rule_id >= g->norules || !g->orules[rule_id].name)
		return;
	r = &g->orules[rule_id];
	D->alerts++;
	D->by_rule[rule_id]++;
	D->by_prio[r->priority]++;
	if (D->mrules)
		metrics_rule_match(D->mrules, rule_id);
	line = out_format_alert(&D->writer, r, &g->pool, &ev, &len);
	if (line)
		sinks_emit(D->sinks, r->priority, line, len);
	else
		flog(LOGL_ERR, "out of memory while formatting an alert of rule '%s'", r->name);
}

static void read_counters(struct daemon *D);

/* every event the rules may see */
static int on_event(void *ctx, struct frc_evt *e)
{
	struct daemon *D = ctx;

	D->events++;
	/* the drop manager looks at the kernel counters once a second: read them fresh for
	 * that check (an overloaded loop may not have run its statistics tick meanwhile) */
	if (D->drops.next_check_ts && D->drops.next_check_ts < e->ts)
		read_counters(D);
	if (!drop_mgr_event(&D->drops, e->ts, &D->dc)) {
		D->stop_rc = 2;	/* the "exit" action of syscall_event_drops */
		loop_stop(D->loop);
		return 1;
	}
	D->cur = e;
	ruleset_eval(D->gen->rs, e, e->type, on_match, D);
	D->cur = NULL;
	return 0;
}

/* every event of the ring buffer */
static int on_raw(void *arg, const void *evt, size_t len)
{
	struct daemon *D = arg;

	uint32_t flags = kfilter_event_flags(evt, &len);	/* replayed opens: state only */

	D->raw_events++;
	engine_process(D->eng, evt, len, 0, flags);
	if (D->stop_rc)
		return -1;
	/* this event is handled; past the budget the rest waits for the next turn */
	return --D->drain_left ? 0 : -EAGAIN;
}

/* ---------------------------------------------------------------- rules */

/* an frc.* key of the configuration (frc's own settings live in the merged document) */
static bool cfg_frc_bool(const struct frc_config *cfg, const char *key, bool dflt)
{
	const struct cnode *n = cfg->doc ? cn_lookup(cfg->doc, key) : NULL;
	bool v;

	return n && cn_as_bool(n, &v) ? v : dflt;
}

static uint64_t cfg_frc_u64(const struct frc_config *cfg, const char *key, uint64_t dflt)
{
	const struct cnode *n = cfg->doc ? cn_lookup(cfg->doc, key) : NULL;
	uint64_t v;

	return n && cn_as_u64(n, &v) ? v : dflt;
}

static void log_warnings(const struct rl_gen *g)
{
	if (g->warnings && flog_enabled(LOGL_WARNING))
		flog(LOGL_WARNING, "%s", g->warnings);
}

/* Loads and compiles the first generation; prints the errors. 0 or -1. */
static int load_rules(struct daemon *D)
{
	char *errtext = NULL;
	struct reload_src *src = &D->rl.src;

	src->cfg = &D->cfg;
	src->paths = (const char *const *)D->o->rules.v;
	src->npaths = D->o->rules.n;
	src->kernel_filter = !D->o->no_kernel_filter &&
			     cfg_frc_bool(&D->cfg, "frc.kernel_filter", true);
	src->falco_errors = true;
	if (src->npaths || D->cfg.nrules_files) {
		flog(LOGL_INFO, "Loading rules from:");
		for (uint32_t i = 0; i < (src->npaths ? src->npaths : D->cfg.nrules_files); i++)
			flog(LOGL_INFO, "   %s", src->npaths ? src->paths[i] : D->cfg.rules_files[i]);
	}
	D->gen = reload_build(src, 1, &errtext, NULL);
	src->falco_errors = false;
	if (!D->gen) {
		fprintf(stderr, "Error: %s%s", errtext ? errtext : "the rules could not be loaded",
			errtext && *errtext && errtext[strlen(errtext) - 1] == '\n' ? "" : "\n");
		free(errtext);
		return -1;
	}
	if (D->gen->builtin)
		flog(LOGL_INFO, "Using the default rules compiled into frc (%u rules)",
		     ruleset_nrules(D->gen->rs));
	for (uint32_t i = 0; i < D->cfg.nrules_sel; i++) {
		const struct cfg_rule_sel *s = &D->cfg.rules_sel[i];

		flog(LOGL_INFO, "%s rules with %s: %s", s->enable ? "Enabling" : "Disabling",
		     s->kind == SEL_TAG ? "tag" : "name", s->pattern);
	}
	log_warnings(D->gen);
	D->by_rule = calloc(D->gen->norules ? D->gen->norules : 1, sizeof(*D->by_rule));
	if (!D->by_rule) {
		fprintf(stderr, "Error: out of memory\n");
		return -1;
	}
	return 0;
}

/* The syscall selection: the rules' interest set plus base_syscalls (Falco's custom_set,
 * all). Names of custom_set starting with '!' are not supported by the kernel side: the
 * state base set is always traced. */
static void init_target(struct daemon *D)
{
	struct reload_target *t = &D->tgt;

	t->cur = &D->gen;
	for (uint32_t i = 0; i < D->cfg.nbase_syscalls_custom_set; i++) {
		const char *n = D->cfg.base_syscalls_custom_set[i];

		if (n[0] == '!')
			continue;
		if (!evtab_codes_by_name(n, strlen(n), t->extra_codes))
			flog(LOGL_WARNING, "base_syscalls.custom_set: unknown syscall '%s'", n);
	}
	t->all_syscalls = D->cfg.base_syscalls_all;
}

static void apply_interest(struct daemon *D)
{
	reload_apply_interest(&D->tgt, D->gen);
	if (D->gen->all || D->cfg.base_syscalls_all)
		flog(LOGL_INFO, "Tracing every syscall (%s)",
		     D->gen->all ? "a rule does not restrict evt.type" : "base_syscalls.all");
}

/* alert counts follow the rules by name across a reload */
static int carry_counts(struct daemon *D, const struct rl_gen *old, const struct rl_gen *ng)
{
	uint64_t *nb = calloc(ng->norules ? ng->norules : 1, sizeof(*nb));

	if (!nb)
		return -1;
	for (uint32_t i = 0; old && i < old->norules; i++) {
		const char *name = old->orules[i].name;
		bool found = false;

		if (!D->by_rule[i] || !name)
			continue;
		for (uint32_t k = 0; k < ng->norules && !found; k++)
			if (ng->orules[k].name && !strcmp(ng->orules[k].name, name)) {
				nb[k] += D->by_rule[i];
				found = true;
			}
		for (uint32_t k = 0; k < D->nretired && !found; k++)
			if (!strcmp(D->retired[k].name, name)) {
				D->retired[k].n += D->by_rule[i];
				found = true;
			}
		if (!found) {
			struct retired *nr = realloc(D->retired, (D->nretired + 1) * sizeof(*nr));
			char *nm = strdup(name);

			if (!nr || !nm) {
				free(nm);
				if (nr)
					D->retired = nr;
				continue;
			}
			D->retired = nr;
			D->retired[D->nretired].name = nm;
			D->retired[D->nretired++].n = D->by_rule[i];
		}
	}
	free(D->by_rule);
	D->by_rule = nb;
	return 0;
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

/* Falco's n_fds: the entries of every fd table (threads sharing their files with the main
 * thread keep an empty table of their own) */
static bool count_fds(struct frc_thread *t, void *ctx)
{
	*(uint64_t *)ctx += t->fdt.n;
	return true;
}

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
		uint64_t nfds = 0;

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
		state_foreach_thread(engine_state(D->eng), count_fds, &nfds);
		mc_set(m, MET_SCAP_N_THREADS, state_nthreads(engine_state(D->eng)));
		mc_set(m, MET_SCAP_N_FDS, nfds);
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

/* Events taken from the ring buffer per turn of the event loop. Under a sustained overload
 * the ring never empties (libbpf's consume loops while the producer keeps up); the timers
 * (statistics, drop reporting, reload) and the stop signals must still get their turn. */
#define DRAIN_BUDGET 32768

static void drain(struct daemon *D);
static void drain_some(struct daemon *D, uint64_t budget);

static bool pid_alive(void *ctx, uint32_t tgid)
{
	(void)ctx;
	return kill((pid_t)tgid, 0) == 0 || errno == EPERM;
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
	if (D->kf) {
		struct kfilter_stats ks;

		/* shadowed fds of processes that exited without closing them */
		kfilter_gc(D->kf, pid_alive, NULL, 4096);
		kfilter_read_stats(D->kf, &ks);
		if (D->met)
			mc_set(metrics_counters(D->met), MET_FRC_KFILTER_DROPS, ks.dropped);
	}
}

/* the reload transaction: everything queued happened under the old rules */
static void drain_cb(void *ctx)
{
	drain_some(ctx, UINT64_MAX);
}

static void drain(struct daemon *D)
{
	drain_some(D, DRAIN_BUDGET);
}

static void drain_some(struct daemon *D, uint64_t budget)
{
	long n;

	D->drain_left = budget;
	do
		n = probe_consume(D->probe);
	while (n > 0 && !D->stop_rc && D->drain_left);
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
		reload_trigger(D, "SIGHUP received", true);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- hot reload */

#define RELOAD_RULE "Falco internal: hot restart failure"

static void reload_trigger(struct daemon *D, const char *why, bool now);

static void watch_close(struct daemon *D)
{
	struct reloader *rl = &D->rl;

	if (rl->ino >= 0) {
		if (D->loop)
			loop_del_fd(D->loop, rl->ino);
		close(rl->ino);
	}
	rl->ino = -1;
	strv_free(&rl->wdirs);
	strv_free(&rl->wnames);
	free(rl->wd);
	rl->wd = NULL;
}

/* dirname and basename of @path (the directory "." for a bare name) */
static void split_path(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *sl = strrchr(path, '/');

	if (!sl) {
		snprintf(dir, dlen, ".");
		*base = path;
	} else if (sl == path) {
		snprintf(dir, dlen, "/");
		*base = sl + 1;
	} else {
		snprintf(dir, dlen, "%.*s", (int)(sl - path), path);
		*base = sl + 1;
	}
}

static int watch_dir(struct daemon *D, const char *dir)
{
	struct reloader *rl = &D->rl;
	int *nwd;
	int wd;

	for (uint32_t i = 0; i < rl->wdirs.n; i++)
		if (!strcmp(rl->wdirs.v[i], dir))
			return 0;
	/* the directory, not the file: editors and ConfigMaps replace files by renaming */
	wd = inotify_add_watch(rl->ino, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
				       IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
				       IN_MOVE_SELF);
	if (wd < 0) {
		flog(LOGL_WARNING, "cannot watch %s for rule changes: %s", dir, strerror(errno));
		return 0;
	}
	nwd = realloc(rl->wd, (rl->wdirs.n + 1) * sizeof(*nwd));
	if (nwd)
		rl->wd = nwd;
	if (!nwd || strv_push(&rl->wdirs, dir)) {
		inotify_rm_watch(rl->ino, wd);
		return -1;
	}
	rl->wd[rl->wdirs.n - 1] = wd;
	flog(LOGL_DEBUG, "Watching directory '%s'", dir);
	return 0;
}

static void on_inotify(struct loop *l, int fd, uint32_t events, void *arg);

/* watches the rule files and folders of the running generation (Falco's
 * watch_config_files); SIGHUP works either way */
static void watch_setup(struct daemon *D)
{
	struct reloader *rl = &D->rl;
	const struct rl_gen *g = D->gen;
	char dir[PATH_MAX], full[PATH_MAX + 256];
	const char *base;

	watch_close(D);
	if (!D->cfg.watch_config_files || !D->loop || (!g->nfiles && !g->ndirs))
		return;
	rl->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (rl->ino < 0) {
		flog(LOGL_WARNING, "cannot watch the rule files (inotify: %s); SIGHUP reloads them",
		     strerror(errno));
		return;
	}
	for (uint32_t i = 0; i < g->nfiles; i++) {
		split_path(g->files[i], dir, sizeof(dir), &base);
		snprintf(full, sizeof(full), "%s/%s", dir, base);
		if (watch_dir(D, dir) || strv_push(&rl->wnames, full))
			goto fail;
	}
	for (uint32_t i = 0; i < g->ndirs; i++) {
		/* a folder: any file in it; and the folder itself, seen from its parent */
		snprintf(full, sizeof(full), "%s/", g->dirs[i]);
		if (watch_dir(D, g->dirs[i]) || strv_push(&rl->wnames, full))
			goto fail;
		split_path(g->dirs[i], dir, sizeof(dir), &base);
		snprintf(full, sizeof(full), "%s/%s", dir, base);
		if (watch_dir(D, dir) || strv_push(&rl->wnames, full))
			goto fail;
	}
	if (loop_add_fd(D->loop, rl->ino, on_inotify, D) < 0)
		goto fail;
	return;
fail:
	flog(LOGL_WARNING, "cannot watch the rule files; SIGHUP reloads them");
	watch_close(D);
}

/* does a change of @name in watched directory @dir concern the rules */
static bool watched(const struct reloader *rl, const char *dir, const char *name)
{
	char full[PATH_MAX + 256];

	snprintf(full, sizeof(full), "%s/%s", dir, name);
	for (uint32_t i = 0; i < rl->wnames.n; i++) {
		const char *w = rl->wnames.v[i];
		size_t n = strlen(w);

		if (!strcmp(w, full))
			return true;
		/* a rule folder ("dir/"): its .yaml/.yml files, including new ones */
		if (n && w[n - 1] == '/' && !strncmp(w, full, n) && !strchr(full + n, '/')) {
			size_t fl = strlen(full);

			if ((fl > 5 && !strcmp(full + fl - 5, ".yaml")) ||
			    (fl > 4 && !strcmp(full + fl - 4, ".yml")))
				return true;
		}
	}
	return false;
}

static void on_inotify(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *D = arg;
	struct reloader *rl = &D->rl;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	(void)l;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			for (uint32_t i = 0; i < rl->wdirs.n && !hit; i++) {
				if (rl->wd[i] != ev->wd)
					continue;
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
					hit = true;	/* a watched folder went away */
				else if (ev->len && watched(rl, rl->wdirs.v[i], ev->name))
					hit = true;
			}
		}
	}
	if (hit)
		reload_trigger(D, "rule files changed", false);
}

static void *reload_worker(void *arg)
{
	struct daemon *D = arg;
	struct reloader *rl = &D->rl;
	uint64_t one = 1;

	rl->result = reload_build(&rl->src, D->gen->generation + 1, &rl->errtext, &rl->summary);
	if (write(rl->efd, &one, sizeof(one)) != sizeof(one))
		flog(LOGL_ERR, "reload: cannot wake up the event loop");
	return NULL;
}

static void reload_failed(struct daemon *D, char *errtext, char *summary)
{
	struct reloader *rl = &D->rl;
	char msg[2048], gen[32];
	const char *keys[1] = { "frc.ruleset_generation" }, *vals[1] = { gen };

	rl->failed++;
	flog(LOGL_ERR, "Reload failed, the rules of generation %" PRIu64 " keep running:\n%s",
	     D->gen->generation, errtext ? errtext : "unknown error");
	snprintf(msg, sizeof(msg), "%s: %s", RELOAD_RULE, summary ? summary : "unknown error");
	/* the text may hold anything a rule file holds: one line, no control bytes */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	snprintf(gen, sizeof(gen), "%" PRIu64, D->gen->generation);
	emit_internal(D, now_epoch_ns(), PRIO_CRITICAL, RELOAD_RULE, msg, keys, vals, 1);
	if (D->met) {
		metrics_reload_failed(D->met, summary);
		mc_add(metrics_counters(D->met), MET_FRC_ALERTS, 1);
	}
	free(errtext);
	free(summary);
}

static void on_swapped(void *ctx, struct rl_gen *old, struct rl_gen *ng)
{
	struct daemon *D = ctx;

	if (carry_counts(D, old, ng))
		flog(LOGL_WARNING, "out of memory: alert counts of the previous rules are lost");
	D->writer.generation = D->writer.generation ? ng->generation : 0;
}

/* the build finished (worker or inline): install its result */
static void reload_complete(struct daemon *D)
{
	struct reloader *rl = &D->rl;
	struct rl_gen *ng = rl->result;
	char err[512];
	uint64_t t0;

	rl->building = false;
	rl->result = NULL;
	if (rl->pending) {
		/* the files changed again while building: build what is there now */
		rl->pending = false;
		reload_gen_free(ng);
		free(rl->errtext);
		free(rl->summary);
		rl->errtext = rl->summary = NULL;
		reload_trigger(D, NULL, false);
		return;
	}
	if (!ng) {
		reload_failed(D, rl->errtext, rl->summary);
		rl->errtext = rl->summary = NULL;
		rl->trigger_ns = 0;
		return;
	}
	t0 = reload_now_ns();
	if (reload_swap(&D->tgt, ng, err, sizeof(err))) {
		reload_failed(D, strdup(err), strdup(err));
		rl->trigger_ns = 0;
		return;
	}
	rl->ok++;
	rl->last_swap_ns = reload_now_ns() - t0;
	rl->last_build_ns = D->gen->build_ns;
	rl->last_latency_ns = rl->trigger_ns ? reload_now_ns() - rl->trigger_ns : 0;
	rl->trigger_ns = 0;
	log_warnings(D->gen);
	flog(LOGL_INFO, "Reloaded rules: generation %" PRIu64 ", %u rules (%u enabled), kernel "
	     "filter %s; built in %.1f ms, swapped in %.2f ms, %.1f ms after the trigger",
	     D->gen->generation, ruleset_nrules(D->gen->rs),
	     D->gen->kimg ? D->gen->kimg->nrules : 0,
	     D->kf && D->gen->kimg ? "on" : "off", rl->last_build_ns / 1e6,
	     rl->last_swap_ns / 1e6, rl->last_latency_ns / 1e6);
	watch_setup(D);
}

static void on_reload_done(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct daemon *D = arg;
	uint64_t v;

	(void)l;
	(void)events;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return;
	pthread_join(D->rl.th, NULL);
	reload_complete(D);
}

static void reload_start(struct daemon *D)
{
	struct reloader *rl = &D->rl;

	rl->building = true;
	flog(LOGL_INFO, "Reloading rules (generation %" PRIu64 " keeps running meanwhile)",
	     D->gen->generation);
	if (rl->use_thread && pthread_create(&rl->th, NULL, reload_worker, D) == 0)
		return;
	/* inline: the event loop waits for the build */
	rl->result = reload_build(&rl->src, D->gen->generation + 1, &rl->errtext, &rl->summary);
	reload_complete(D);
}

static void on_settle(struct loop *l, uint64_t n, void *arg)
{
	struct daemon *D = arg;

	(void)l;
	(void)n;
	D->rl.armed = false;
	if (D->rl.building)
		D->rl.pending = true;
	else
		reload_start(D);
}

/* a change or SIGHUP: (re)start the settle delay, so that a burst of writes (or a file
 * written in several steps) gives one reload of the final content */
static void reload_trigger(struct daemon *D, const char *why, bool now)
{
	struct reloader *rl = &D->rl;

	if (why)
		flog(LOGL_INFO, "%s: reloading the rules", why);
	if (!rl->trigger_ns)
		rl->trigger_ns = reload_now_ns();
	if (rl->building) {
		rl->pending = true;
		return;
	}
	rl->armed = true;
	loop_timer_set(D->loop, rl->timer, now || !rl->settle_ms ? 1 : rl->settle_ms, 0);
}

static void reload_init(struct daemon *D)
{
	struct reloader *rl = &D->rl;

	rl->settle_ms = cfg_frc_u64(&D->cfg, "frc.reload_settle_ms", 25);
	rl->use_thread = cfg_frc_bool(&D->cfg, "frc.reload_thread", true);
	rl->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rl->timer = loop_add_timer(D->loop, 0, 0, on_settle, D);
	if (rl->efd < 0 || rl->timer < 0 || loop_add_fd(D->loop, rl->efd, on_reload_done, D) < 0) {
		flog(LOGL_WARNING, "hot reload unavailable: %s", strerror(errno));
		return;
	}
	watch_setup(D);
}

static void reload_fini(struct daemon *D)
{
	struct reloader *rl = &D->rl;

	if (rl->building && rl->use_thread) {
		pthread_join(rl->th, NULL);
		rl->building = false;
	}
	reload_gen_free(rl->result);
	rl->result = NULL;
	free(rl->errtext);
	free(rl->summary);
	rl->errtext = rl->summary = NULL;
	watch_close(D);
	if (rl->efd >= 0)
		close(rl->efd);
	rl->efd = -1;
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
	for (uint32_t i = 0; D->gen && D->by_rule && i < D->gen->norules; i++)
		if (D->by_rule[i])
			fprintf(f, "   %s: %" PRIu64 "\n", D->gen->orules[i].name, D->by_rule[i]);
	for (uint32_t i = 0; i < D->nretired; i++)
		fprintf(f, "   %s: %" PRIu64 " (no longer loaded)\n", D->retired[i].name,
			D->retired[i].n);
	if (D->probe) {
		probe_read_counters(D->probe, &c, NULL);
	} else if (D->have_pstats) {
		c = D->pstats;	/* read just before the probe was closed */
	} else {
		c.n_evts = D->dc.n_evts;
		c.n_drops_buffer = D->dc.n_drops_buffer;
		c.n_drops_scratch = D->dc.n_drops_scratch_map;
		c.n_drops_bug = D->dc.n_drops_bug;
	}
	fprintf(f, "Kernel events: %" PRIu64 " seen by the probe, %" PRIu64 " received, %" PRIu64
		   " dropped (ring buffer full %" PRIu64 ", too large %" PRIu64 ", probe errors %"
		   PRIu64 "), %" PRIu64 " truncated\n",
		c.n_evts, D->raw_events, probe_counters_drops(&c), c.n_drops_buffer,
		c.n_drops_scratch, c.n_drops_bug + c.n_recursion_misses, c.n_truncated);
	if (es)
		fprintf(f, "Events processed: %" PRIu64 " (%" PRIu64 " given to the rules, %" PRIu64
			   " invalid)\n", es->read, D->events, es->invalid);
	if (es && D->o->verbose) {
		/* the event types user space received, most frequent first */
		uint32_t order[PPM_EVENT_MAX], n = 0;

		for (uint32_t k = 0; k < PPM_EVENT_MAX; k++)
			if (es->by_type[k])
				order[n++] = k;
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = i; j > 0 && es->by_type[order[j - 1]] < es->by_type[order[j]];
			     j--) {
				uint32_t t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		fprintf(f, "Events by type:\n");
		for (uint32_t i = 0; i < n; i++) {
			const struct evt_schema *sc = evtab_schema((uint16_t)order[i]);

			fprintf(f, "   %s (%u): %" PRIu64 "\n", sc && sc->name ? sc->name : "?",
				order[i], es->by_type[order[i]]);
		}
	}
	if (D->have_kstats) {
		const struct kfilter_stats ks = D->kstats;

		fprintf(f, "Kernel filter: %" PRIu64 " events looked at, %" PRIu64 " dropped (%" PRIu64
			   " opens shadowed, %" PRIu64 " closes of shadowed fds), %" PRIu64
			   " shadowed opens replayed (%" PRIu64 " lost), %" PRIu64 " kept for lack of "
			   "room, %" PRIu64 " inherited by forks\n", ks.seen, ks.dropped, ks.shadowed,
			ks.closes_dropped, ks.replayed, ks.replay_lost, ks.shadow_full, ks.inherited);
	}
	if (D->gen)
		fprintf(f, "Rules: generation %" PRIu64 ", %" PRIu64 " reloads, %" PRIu64 " failed\n",
			D->gen->generation, D->rl.ok, D->rl.failed);
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
		"  --no-kernel-filter  emit every event of the syscall interest set (same as\n"
		"                   -o frc.kernel_filter=false)\n"
		"  -v               verbose statistics at exit\n"
		"\n"
		"Needs root (the eBPF probe) and kernel BTF. SIGINT/SIGTERM stop it, SIGUSR1\n"
		"reopens the output files, SIGHUP reloads the rules (so does a change of a rule\n"
		"file or folder, with watch_config_files). Exit status: 0 ok, 1 rule or\n"
		"configuration error, 2 usage, 3 environment (not root, no BTF, another instance\n"
		"running).\n");
}

static int run_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "unbuffered", no_argument, NULL, 'U' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "dry-run", no_argument, NULL, 1 },
		{ "dump-config", no_argument, NULL, 2 },
		{ "no-kernel-filter", no_argument, NULL, 3 },
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
			if (end == optarg || *end || !isfinite(o->duration_s) ||
			    o->duration_s <= 0) {
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
		case 3:
			o->no_kernel_filter = true;
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
	int ret = 1;

	memset(&D, 0, sizeof(D));
	D.o = o;
	D.lock_fd = -1;
	D.rl.ino = -1;
	D.rl.efd = -1;
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
		/* the warnings (unknown keys, ...) still go to the log, the JSON to stdout */
		for (uint32_t i = 0; i < cfg_warnings.n; i++)
			flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
		config_dump(&D.cfg, stdout);
		ret = 0;
		goto out;
	}
	flog(LOGL_INFO, "frc version: %s", FRC_VERSION);
	for (uint32_t i = 0; i < cfg_warnings.n; i++)
		flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
	if (D.cfg.nloaded_config_files) {
		flog(LOGL_INFO, "Loaded configuration files:");
		for (uint32_t i = 0; i < D.cfg.nloaded_config_files; i++)
			flog(LOGL_INFO, "   %s", D.cfg.loaded_config_files[i]);
	}
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
	if (load_rules(&D))
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
		if (cfg_frc_bool(&D.cfg, "frc.json_include_ruleset_generation", true))
			D.writer.generation = D.gen->generation;
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
		if (!D.gen->builtin)
			D.mrules = metrics_set_rules(D.met, &D.gen->rules, D.gen->generation);
		if (D.gen->nfiles)
			metrics_set_files(D.met, false, (const char *const *)D.gen->files,
					  D.gen->nfiles);
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
		D.eng = engine_new(&scfg);
		if (!D.eng) {
			fprintf(stderr, "Error: out of memory\n");
			goto out;
		}
		engine_set_slots(D.eng, D.gen->slots);
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
		init_target(&D);
		D.tgt.probe = D.probe;
		D.tgt.eng = D.eng;
		D.tgt.met = D.met;
		D.tgt.mrules = &D.mrules;
		D.tgt.drain = drain_cb;
		D.tgt.swapped = on_swapped;
		D.tgt.ctx = &D;
		apply_interest(&D);
		/* the kernel filter: what the compiled rules let the kernel drop */
		if (D.rl.src.kernel_filter && D.gen->kimg) {
			D.kf = kfilter_new(D.probe);
			if (!D.kf || kfilter_stage(D.kf, D.gen->kimg, err, sizeof(err))) {
				flog(LOGL_WARNING, "kernel filter disabled: %s",
				     D.kf ? err : "out of memory");
				kfilter_free(D.kf);
				D.kf = NULL;
			} else {
				kfilter_commit(D.kf);
			}
		} else {
			flog(LOGL_INFO, "Kernel filter disabled%s", D.rl.src.kernel_filter ?
			     " (the built-in rules have no filter fragment)" : "");
		}
		D.tgt.kf = D.kf;
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
	reload_init(&D);
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
		drain_some(&D, UINT64_MAX);
	read_counters(&D);
	ret = D.stop_rc == 2 ? 1 : 0;
	if (D.stop_rc == 2)
		fprintf(stderr, "Error: Drop manager internal error\n");
out:
	reload_fini(&D);
	if (D.kf) {
		kfilter_read_stats(D.kf, &D.kstats);
		D.have_kstats = true;
		kfilter_free(D.kf);
		D.kf = NULL;
	}
	if (D.probe) {
		struct probe_counters c;

		probe_read_counters(D.probe, &c, NULL);
		probe_close(D.probe);
		D.probe = NULL;
		D.pstats = c;
		D.have_pstats = true;
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
	reload_gen_free(D.gen);
	free(D.by_rule);
	for (uint32_t i = 0; i < D.nretired; i++)
		free(D.retired[i].name);
	free(D.retired);
	out_writer_free(&D.writer);
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
