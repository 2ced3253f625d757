/* SPDX-License-Identifier: Apache-2.0
 *
 * `frc replay`: Falco's replay engine. Loads a Falco configuration (-c, -o), the rule
 * files (-r, or rules_files), compiles them through the same compiled path as the daemon
 * (compiler/loader.h → runtime/ruleset.h JIT), runs a .scap capture through the engine
 * (state tables, extractors) and prints the alerts exactly as Falco does (output.h) on the
 * configured channels (outputs_sink.h). Ends with Falco's summary on stderr. Exit status
 * like Falco's: 0 on success, 1 on any error ("Error: ..." on stderr).
 *
 * Also a sysdig-like mode for differential testing: `frc replay --filter COND
 * [--format FMT] CAPTURE` prints FMT for every event matching COND (COND is compiled as a
 * one-rule ruleset through the same path).
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "compiler/arena.h"
#include "compiler/loader.h"
#include "config.h"
#include "drops.h"
#include "engine.h"
#include "extract.h"
#include "logger.h"
#include "output.h"
#include "outputs_sink.h"
#include "ruleset.h"
#include "scap.h"
#include "strv.h"
#include "version.h"

/* ---------------------------------------------------------------- options */

struct replay_opts {
	const char *config;
	struct strv rules;
	struct strv overrides;
	struct strv disable_substr;	/* -D */
	struct strv disable_tags;	/* -T */
	struct strv enable_tags;	/* -t */
	const char *capture;
	const char *print_extra;	/* -p (Falco's deprecated print option) */
	struct strv filters, formats;	/* sysdig-like mode: the k-th --format goes with the
					 * k-th --filter */
	double duration_s;		/* -M */
	bool unbuffered, verbose, dump_config, all_events;
};

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: frc replay [-c CONFIG] [-r RULES]... [-o KEY=VALUE]... CAPTURE\n"
		"       frc replay --filter COND [--format FMT] [--filter COND [--format FMT]]... CAPTURE\n"
		"\n"
		"Runs Falco rules over a .scap capture (gzip or plain) and prints the alerts as\n"
		"Falco does, then a summary on stderr. Exit status 0 on success, 1 on error.\n"
		"\n"
		"  -c FILE          Falco configuration file (default: built-in defaults with\n"
		"                   stdout output and stderr logging)\n"
		"  -r FILE|DIR      rules file or directory (*.yaml/*.yml, sorted); repeatable;\n"
		"                   replaces rules_files of the configuration\n"
		"  -o KEY=VALUE     override a configuration key (Falco syntax: a.b=v, list[1]=v,\n"
		"                   list[]=v appends, {..} values are YAML objects); repeatable\n"
		"  -e FILE          the capture (as older Falco's -e); also\n"
		"                   -o engine.kind=replay -o engine.replay.capture_file=FILE\n"
		"  -D SUBSTRING     disable rules whose name contains SUBSTRING (Falco <= 0.38)\n"
		"  -T TAG           disable rules with TAG (Falco <= 0.38)\n"
		"  -t TAG           run only rules with TAG (Falco <= 0.38; not with -D/-T)\n"
		"  -A               process all events (base_syscalls.all=true; replay always does)\n"
		"  -M SECONDS       stop after SECONDS of event time\n"
		"  -U, --unbuffered flush each alert (buffered_outputs=false)\n"
		"  -p FORMAT        append FORMAT to every rule output (deprecated in Falco);\n"
		"                   in --filter mode, the output format (like sysdig -p)\n"
		"  -v               verbose: elapsed time and events per second at the end\n"
		"  --dump-config    print the effective configuration as JSON and exit\n"
		"  --filter COND    sysdig-like mode: print --format for every event matching COND\n"
		"  --format FMT     output format of --filter mode (fields as %%field; a leading\n"
		"                   '*' prints <NA> for missing values instead of skipping the event)\n"
		"                   --filter/--format pairs may be repeated: each pair is a rule of\n"
		"                   its own, all evaluated on every event (rule_matching: all), an\n"
		"                   event printed once per matching pair, in the order given\n"
		"  -h, --help       this text\n");
}

/* Falco flags that were removed: the replacement users must type now. */
static const struct {
	const char *flag;
	const char *hint;
} removed_flags[] = {
	{ "--modern-bpf", "use -o engine.kind=modern_ebpf" },
	{ "--nodriver", "use -o engine.kind=nodriver" },
	{ "-k", "the Kubernetes API client was removed: the container.* and k8s.* fields are built in" },
	{ "-K", "the Kubernetes API client was removed: the container.* and k8s.* fields are built in" },
	{ "--cri", "container runtime sockets are configured in the container plugin's init_config" },
	{ "-s", "statistics moved to the metrics: block of falco.yaml" },
	{ "--stats-interval", "statistics moved to the metrics: block of falco.yaml" },
	{ "-d", "run frc under systemd instead of daemonizing" },
	{ "--daemon", "run frc under systemd instead of daemonizing" },
	{ "-g", "the gVisor engine was removed in Falco 0.44" },
	{ "--gvisor-config", "the gVisor engine was removed in Falco 0.44" },
};

static int replay_args(int argc, char **argv, struct replay_opts *o)
{
	enum { OPT_DUMP = 1000, OPT_FILTER, OPT_FORMAT };
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "unbuffered", no_argument, NULL, 'U' },
		{ "option", required_argument, NULL, 'o' },
		{ "dump-config", no_argument, NULL, OPT_DUMP },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "print", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < sizeof(removed_flags) / sizeof(removed_flags[0]); k++)
			if (!strcmp(argv[i], removed_flags[k].flag)) {
				fprintf(stderr, "Error: option %s is no longer supported by Falco: %s\n",
					argv[i], removed_flags[k].hint);
				return 1;
			}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:r:o:e:D:T:t:AM:Up:vbS:h", lopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'r':
			rc = strv_push(&o->rules, optarg);
			break;
		case 'o':
			rc = strv_push(&o->overrides, optarg);
			break;
		case 'e':
			o->capture = optarg;
			break;
		case 'D':
			rc = strv_push(&o->disable_substr, optarg);
			break;
		case 'T':
			rc = strv_push(&o->disable_tags, optarg);
			break;
		case 't':
			rc = strv_push(&o->enable_tags, optarg);
			break;
		case 'A':
			o->all_events = true;
			rc = strv_push(&o->overrides, "base_syscalls.all=true");
			break;
		case 'M': {
			char *end;
			o->duration_s = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(o->duration_s) || o->duration_s < 0) {
				fprintf(stderr, "Error: -M needs a number of seconds, got '%s'\n", optarg);
				return 1;
			}
			break;
		}
		case 'U':
			o->unbuffered = true;
			break;
		case 'p':
			o->print_extra = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'b':	/* removed in Falco 0.41 */
			rc = strv_push(&o->overrides, "buffer_format_base64=true");
			break;
		case 'S': {	/* removed in Falco 0.41 */
			char kv[64];
			snprintf(kv, sizeof(kv), "falco_libs.snaplen=%s", optarg);
			rc = strv_push(&o->overrides, kv);
			break;
		}
		case OPT_DUMP:
			o->dump_config = true;
			break;
		case OPT_FILTER:
			rc = strv_push(&o->filters, optarg);
			break;
		case OPT_FORMAT:
			if (o->formats.n >= o->filters.n) {
				fprintf(stderr, "Error: --format '%s' follows no --filter of its own "
						"(each --format belongs to the --filter before it)\n",
					optarg);
				return 1;
			}
			/* a --filter given without --format keeps the default format */
			while (!rc && o->formats.n + 1 < o->filters.n)
				rc = strv_push(&o->formats, "");
			if (!rc)
				rc = strv_push(&o->formats, optarg);
			break;
		case 'h':
			replay_usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, "Error: option '%s' requires an argument\n", argv[optind - 1]);
			return 1;
		default:
			fprintf(stderr, "Error: unknown option '%s' (frc replay --help)\n",
				argv[optind - 1]);
			return 1;
		}
		if (rc) {
			fprintf(stderr, "Error: out of memory\n");
			return 1;
		}
	}
	if (optind < argc) {
		if (o->capture || optind + 1 < argc) {
			fprintf(stderr, "Error: more than one capture file given ('%s')\n",
				argv[optind + (o->capture ? 0 : 1)]);
			return 1;
		}
		o->capture = argv[optind];
	}
	if ((o->disable_substr.n || o->disable_tags.n) && o->enable_tags.n) {
		fprintf(stderr, "Error: You can not specify both disabled (-D/-T) and enabled (-t) "
				"rules\n");
		return 1;
	}
	while (o->formats.n < o->filters.n)
		if (strv_push(&o->formats, "")) {
			fprintf(stderr, "Error: out of memory\n");
			return 1;
		}
	return 0;
}

/* ---------------------------------------------------------------- the replay */

struct replay {
	struct replay_opts *o;
	struct frc_config cfg;
	struct arena arena;
	struct frc_rules rules;
	struct loader_results lres;
	struct ruleset *rs;
	struct frc_engine *eng;
	struct frc_slots *slots;
	uint64_t limit_ns, first_ts;
	int stop_rc;
	struct out_pool pool;
	struct out_rule *orules;	/* indexed by rule id */
	uint32_t norules;
	struct out_writer writer;
	struct sinks *sinks;
	struct drop_mgr drops;
	/* counters */
	uint64_t *by_rule;
	uint64_t by_prio[PRIO__COUNT];
	uint64_t alerts;
	uint64_t events;		/* events given to the rules */
	/* per-event */
	struct frc_evt *cur;
	bool filter_mode;
	struct jw_buf line;
	bool out_failed;
};

/* configuration warnings are kept until the logger is configured (its time format and
 * destinations come from the same configuration) */
static void keep_warn_cb(void *ctx, const char *msg)
{
	strv_push(ctx, msg);
}

static const struct frc_val *out_get(void *ctx, uint32_t slot, const struct frc_field_ref *ref)
{
	struct replay *R = ctx;

	(void)slot;
	return extract_value(R->cur, ref->field, ref->arg, ref->arg_len, ref->arg_index);
}

static void emit_internal(void *ctx, uint64_t ts, enum frc_priority prio, const char *rule,
			  const char *msg, const char *const *keys, const char *const *values,
			  uint32_t n)
{
	struct replay *R = ctx;
	size_t len;
	const char *line = out_format_internal(&R->writer, ts, prio, rule, msg, keys, values, n,
					       &len);

	if (line)
		sinks_emit(R->sinks, prio, line, len);
}

static void on_match(void *ctx, uint32_t rule_id)
{
	struct replay *R = ctx;
	struct out_event ev = { .ts = R->cur->ts, .get = out_get, .ctx = R };

	if (rule_id >= R->norules || !R->orules[rule_id].name)
		return;
	const struct out_rule *r = &R->orules[rule_id];
	if (R->filter_mode) {
		jw_reset(&R->line);
		/* like sysdig -p: without a leading '*', an event missing a value is not printed */
		if (!out_fmt_render_checked(r->msg, &R->pool, &ev, &R->line) && r->output[0] != '*')
			return;
		jw_putc(&R->line, '\n');
		if (!R->line.oom && fwrite(R->line.p, 1, R->line.len, stdout) != R->line.len)
			R->out_failed = true;
		R->alerts++;
		return;
	}
	R->alerts++;
	R->by_rule[rule_id]++;
	R->by_prio[r->priority]++;
	size_t len;
	const char *line = out_format_alert(&R->writer, r, &R->pool, &ev, &len);
	if (line)
		sinks_emit(R->sinks, r->priority, line, len);
	else
		flog(LOGL_ERR, "out of memory while formatting an alert of rule '%s'", r->name);
}

/* The loader's extra output formats/fields: append_output, then the deprecated -p. */
static int build_extras(struct replay *R, struct loader_opts *lo)
{
	struct loader_extra pe = { 0 };
	const char *p = R->o->print_extra;

	if (p) {
		flog(LOGL_WARNING, "The -p/--print option is deprecated and will be removed. Use -o "
				   "append_output=... instead.");
		if (!strcmp(p, "c") || !strcmp(p, "container") || !strcmp(p, "k") ||
		    !strcmp(p, "kubernetes"))
			p = NULL;
	}
	pe.format = p;
	return out_loader_extras(&R->arena, &R->cfg, p ? &pe : NULL, lo);
}

/* YAML double-quoted scalar */
static char *yaml_quote(struct arena *a, const char *s)
{
	struct jw_buf b;
	char *r;

	jw_init(&b);
	jw_putc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			jw_printf(&b, "\\%c", *p);
		else if (*p < 0x20)
			jw_printf(&b, "\\x%02x", *p);
		else
			jw_putc(&b, (char)*p);
	}
	jw_putc(&b, '"');
	r = b.oom ? NULL : arena_strdup(a, b.p);
	jw_free(&b);
	return r;
}

static int load_rules(struct replay *R)
{
	struct loader_opts lo;
	struct strv files = { 0 };
	int rc;

	loader_opts_init(&lo);
	lo.min_priority = R->cfg.min_priority;
	lo.container_plugin = true;
	if (!R->filter_mode && build_extras(R, &lo))
		goto oom;
	if (R->filter_mode) {
		/* one rule per --filter/--format pair, in the order given */
		char *text = arena_strdup(&R->arena, "");
		for (uint32_t k = 0; text && k < R->o->filters.n; k++) {
			const char *fmt = R->o->formats.v[k][0] ? R->o->formats.v[k] :
					  "%evt.time %proc.name (%thread.tid) %evt.dir %evt.type %evt.args";
			const char *qc = yaml_quote(&R->arena, R->o->filters.v[k]);
			const char *qf = yaml_quote(&R->arena, fmt);
			text = qc && qf ? arena_printf(&R->arena,
						       "%s- rule: frc_filter_%u\n"
						       "  desc: frc replay --filter\n"
						       "  condition: %s\n  output: %s\n"
						       "  priority: DEBUG\n",
						       text, k, qc, qf) : NULL;
		}
		if (!text)
			goto oom;
		struct loader_input in = { .name = "--filter", .data = text, .len = strlen(text) };
		rc = loader_load_inputs(&R->arena, &in, 1, &lo, &R->rules, &R->lres);
	} else {
		const struct strv *src = NULL;
		struct strv cfgfiles = { 0 };
		if (R->o->rules.n) {
			src = &R->o->rules;
		} else {
			for (uint32_t i = 0; i < R->cfg.nrules_files; i++)
				if (strv_push(&cfgfiles, R->cfg.rules_files[i]))
					goto oom;
			src = &cfgfiles;
		}
		/* (tested before cfgfiles is freed: src may point to it) */
		if (!src->n) {
			fprintf(stderr, "Error: You must specify at least one rules file/directory via "
					"-r or a rules_file entry in falco.yaml\n");
			strv_free(&cfgfiles);
			strv_free(&files);
			return -1;
		}
		for (uint32_t i = 0; i < src->n; i++)
			if (rules_path_expand(src->v[i], &files, NULL)) {
				strv_free(&cfgfiles);
				goto oom;
			}
		strv_free(&cfgfiles);
		flog(LOGL_INFO, "Loading rules from:");
		for (uint32_t i = 0; i < files.n; i++)
			flog(LOGL_INFO, "   %s", files.v[i]);
		rc = loader_load(&R->arena, (const char *const *)files.v, files.n, &lo, &R->rules,
				 &R->lres);
	}
	strv_free(&files);
	if (rc < 0)
		goto oom;
	if (rc > 0 || !R->lres.ok) {
		fprintf(stderr, "Error: ");
		loader_print_falco(stderr, &R->lres);
		return -1;
	}
	if (loader_warning_count(&R->lres) && flog_enabled(LOGL_WARNING)) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (m) {
			loader_print_text(m, &R->lres, false);
			fclose(m);
			flog(LOGL_WARNING, "%s", buf);
			free(buf);
		}
	}
	return 0;
oom:
	strv_free(&files);
	fprintf(stderr, "Error: out of memory while loading rules\n");
	return -1;
}

static int compile_rules(struct replay *R)
{
	struct ruleset_opts ro;
	char err[1024];

	memset(&ro, 0, sizeof(ro));
	R->rs = ruleset_jit(&R->rules, &ro);
	if (!R->rs) {
		fprintf(stderr, "Error: the rules could not be compiled\n");
		return -1;
	}
	/* --filter mode: every pair prints its own lines, as if sysdig ran once per pair */
	ruleset_set_matching(R->rs, R->cfg.rule_matching == RULE_MATCHING_ALL || R->filter_mode ?
					    RULESET_MATCH_ALL : RULESET_MATCH_FIRST);
	ruleset_set_min_priority(R->rs, R->cfg.min_priority);

	/* rules: selection, then Falco <= 0.38's -D/-T/-t */
	for (uint32_t i = 0; i < R->cfg.nrules_sel; i++) {
		const struct cfg_rule_sel *s = &R->cfg.rules_sel[i];
		flog(LOGL_INFO, "%s rules with %s: %s", s->enable ? "Enabling" : "Disabling",
		     s->kind == SEL_TAG ? "tag" : "name", s->pattern);
		if (s->kind == SEL_TAG)
			ruleset_enable_tag(R->rs, s->pattern, s->enable);
		else
			ruleset_enable_name(R->rs, s->pattern, s->enable);
	}
	for (uint32_t i = 0; i < R->o->disable_substr.n; i++)
		for (uint32_t k = 0; k < R->rules.nrules; k++)
			if (strstr(R->rules.rules[k].name, R->o->disable_substr.v[i]))
				ruleset_enable_rule(R->rs, R->rules.rules[k].id, false);
	for (uint32_t i = 0; i < R->o->disable_tags.n; i++)
		ruleset_enable_tag(R->rs, R->o->disable_tags.v[i], false);
	if (R->o->enable_tags.n) {
		ruleset_enable_name(R->rs, "*", false);
		for (uint32_t i = 0; i < R->o->enable_tags.n; i++)
			ruleset_enable_tag(R->rs, R->o->enable_tags.v[i], true);
	}

	/* alert plans */
	uint32_t maxid = 0;
	for (uint32_t k = 0; k < R->rules.nrules; k++)
		if (R->rules.rules[k].id + 1 > maxid)
			maxid = R->rules.rules[k].id + 1;
	R->norules = maxid;
	R->orules = calloc(maxid ? maxid : 1, sizeof(*R->orules));
	R->by_rule = calloc(maxid ? maxid : 1, sizeof(*R->by_rule));
	if (!R->orules || !R->by_rule) {
		fprintf(stderr, "Error: out of memory\n");
		return -1;
	}
	for (uint32_t k = 0; k < R->rules.nrules; k++) {
		const struct frc_rule *fr = &R->rules.rules[k];
		if (out_rule_prepare(&R->orules[fr->id], &R->pool, fr, &R->cfg, false, err,
				     sizeof(err))) {
			fprintf(stderr, "Error: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static void print_summary(struct replay *R, double elapsed, FILE *f)
{
	fprintf(f, "Events detected: %" PRIu64 "\n", R->alerts);
	fprintf(f, "Rule counts by severity:\n");
	for (int p = 0; p < PRIO__COUNT; p++) {
		if (!R->by_prio[p])
			continue;
		char up[32];
		const char *nm = p == PRIO_INFORMATIONAL ? "Info" : config_priority_name(p);
		size_t k = 0;
		for (; nm[k] && k < sizeof(up) - 1; k++)
			up[k] = (char)(nm[k] >= 'a' && nm[k] <= 'z' ? nm[k] - 32 : nm[k]);
		up[k] = 0;
		fprintf(f, "   %s: %" PRIu64 "\n", up, R->by_prio[p]);
	}
	fprintf(f, "Triggered rules by rule name:\n");
	for (uint32_t i = 0; i < R->norules; i++)
		if (R->by_rule[i])
			fprintf(f, "   %s: %" PRIu64 "\n", R->orules[i].name, R->by_rule[i]);
	fprintf(f, "Events read: %" PRIu64 "\n", R->events);
	for (uint32_t i = 0; i < sinks_count(R->sinks); i++) {
		struct sink_stats st;
		sinks_get_stats(R->sinks, i, &st);
		if (st.dropped || st.write_errors)
			fprintf(f, "Output channel %s: %" PRIu64 " alerts dropped, %" PRIu64
				   " write errors\n", st.name, st.dropped, st.write_errors);
	}
	if (R->o->verbose)
		fprintf(f, "Elapsed time: %.3f, Captured Events: %" PRIu64 ", %.2f eps\n", elapsed,
			R->events, elapsed > 0 ? (double)R->events / elapsed : 0.0);
}

static double cpu_seconds(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/* Called by the engine for every event rules can see. */
static int on_event(void *ctx, struct frc_evt *e)
{
	struct replay *R = ctx;

	if (!R->first_ts)
		R->first_ts = e->ts;
	else if (R->limit_ns && (int64_t)(e->ts - R->first_ts) >= (int64_t)R->limit_ns)
		return 1;	/* -M reached */
	R->events++;
	/* the drop manager acts once a second of event time (drop_mgr_event): the counters
	   are only built when it is due */
	if (!R->filter_mode && (R->drops.next_check_ts == 0 || R->drops.next_check_ts < e->ts)) {
		struct drop_counters now = { .n_evts = R->events };
		if (!drop_mgr_event(&R->drops, e->ts, &now))
			return 2;
	}
	R->cur = e;
	ruleset_eval(R->rs, e, e->type, on_match, R);
	R->cur = NULL;
	return R->out_failed ? 3 : 0;
}

/* The event loop. Return 0, or -1 after printing "Error: ...". */
static int run_capture(struct replay *R, const char *capture)
{
	char err[512];
	struct scap_reader *sr = scap_open(capture, err, sizeof(err));
	int rc;

	if (!sr) {
		fprintf(stderr, "Error: %s\n", err);
		return -1;
	}
	flog(LOGL_INFO, "Opening 'syscall' source with capture file %s", capture);
	R->limit_ns = (uint64_t)(R->o->duration_s * 1e9);
	if (!R->filter_mode) {
		struct drop_alert da = { .emit = emit_internal, .ctx = R };
		struct drop_counters zero = { 0 };
		drop_mgr_init(&R->drops, &R->cfg, &zero, false, &da);
	}
	engine_set_callback(R->eng, on_event, R);
	rc = engine_run_scap(R->eng, sr, err, sizeof(err));
	scap_close(sr);
	switch (rc) {
	case 0:
	case 1:
		return 0;
	case 2:
		fprintf(stderr, "Error: Drop manager internal error\n");
		return -1;
	case 3:
		fprintf(stderr, "Error: writing to stdout: %s\n", strerror(errno));
		return -1;
	default:
		fprintf(stderr, "Error: %s: %s\n", capture, err);
		return -1;
	}
}

static int replay_main(struct replay_opts *o)
{
	struct replay R;
	struct config_opts co = { 0 };
	char err[2048];
	const char *cfgpath = o->config;
	int ret = 1;

	memset(&R, 0, sizeof(R));
	R.o = o;
	R.filter_mode = o->filters.n > 0;
	arena_init(&R.arena);
	out_pool_init(&R.pool);
	jw_init(&R.line);

	co.path = cfgpath;
	co.overrides = (const char *const *)o->overrides.v;
	co.noverrides = o->overrides.n;
	struct strv cfg_warnings = { 0 };
	co.warn = keep_warn_cb;
	co.warn_ctx = &cfg_warnings;
	/* until the configuration sets the logger up, messages go to stderr */
	flog_configure(true, false, LOGL_WARNING, false);
	if (!cfgpath) {
		/* no configuration file: Falco's defaults, plus the stdout channel and stderr
		 * logs so that a bare `frc replay -r r.yaml cap.scap` shows something */
		static const char *const dflt[] = { "stdout_output.enabled=true", "log_stderr=true",
						    "log_syslog=false" };
		struct strv all = { 0 };
		for (size_t i = 0; i < 3; i++)
			strv_push(&all, dflt[i]);
		for (uint32_t i = 0; i < o->overrides.n; i++)
			strv_push(&all, o->overrides.v[i]);
		co.overrides = (const char *const *)all.v;
		co.noverrides = all.n;
		int rc = config_load(&R.cfg, &co, err, sizeof(err));
		strv_free(&all);
		if (rc)
			goto cfg_error;
	} else if (config_load(&R.cfg, &co, err, sizeof(err))) {
		goto cfg_error;
	}
	if (o->unbuffered)
		R.cfg.buffered_outputs = false;
	flog_configure(R.cfg.log_stderr, R.cfg.log_syslog, R.cfg.log_level,
		       R.cfg.time_format_iso_8601);
	if (o->dump_config) {
		/* the warnings (unknown keys, ...) still go to the log, the JSON to stdout */
		for (uint32_t i = 0; i < cfg_warnings.n; i++)
			flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
		config_dump(&R.cfg, stdout);
		ret = 0;
		goto out;
	}
	flog(LOGL_INFO, "frc version: %s (replay)", FRC_VERSION);
	for (uint32_t i = 0; i < cfg_warnings.n; i++)
		flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
	if (cfgpath) {
		flog(LOGL_INFO, "Loaded configuration files:");
		for (uint32_t i = 0; i < R.cfg.nloaded_config_files; i++)
			flog(LOGL_INFO, "   %s", R.cfg.loaded_config_files[i]);
	} else {
		flog(LOGL_INFO, "No configuration file (-c): using built-in defaults");
	}

	const char *capture = o->capture;
	if (!capture && R.cfg.engine_kind == ENGINE_REPLAY)
		capture = R.cfg.replay_capture_file;
	if (!capture) {
		fprintf(stderr, "Error: no capture file: give CAPTURE (or -e FILE, or -o "
				"engine.kind=replay -o engine.replay.capture_file=FILE)\n");
		goto out;
	}

	if (load_rules(&R) || compile_rules(&R))
		goto out;

	{
		struct frc_state_cfg scfg = { .max_threads = R.cfg.thread_table_size,
					      .host_user_lookup = true };
		uint32_t nref;
		const struct frc_field_ref *refs = ruleset_fields(R.rs, &nref);
		R.eng = engine_new(&scfg);
		R.slots = extract_slots_new(refs, nref, err, sizeof(err));
		if (!R.eng || !R.slots) {
			fprintf(stderr, "Error: %s\n", R.eng ? err : "out of memory");
			goto out;
		}
		engine_set_slots(R.eng, R.slots);
	}
	if (!R.filter_mode) {
		struct out_opts oo;
		out_opts_from_config(&oo, &R.cfg);
		out_writer_init(&R.writer, &oo);
		R.sinks = sinks_create(&R.cfg);
		if (!R.sinks) {
			fprintf(stderr, "Error: out of memory\n");
			goto out;
		}
		if (!sinks_count(R.sinks) && !R.cfg.http_output.enabled) {
			fprintf(stderr, "Error: No output configured, please make sure at least one "
					"output is configured and enabled.\n");
			goto out;
		}
		if (R.cfg.http_output.enabled)
			flog(LOGL_WARNING, "http_output is not used by frc replay; alerts go to the "
					   "other enabled channels");
		if (sinks_start(R.sinks, err, sizeof(err))) {
			fprintf(stderr, "Error: %s\n", err);
			goto out;
		}
	}

	double t0 = cpu_seconds();
	int rc = run_capture(&R, capture);
	double elapsed = cpu_seconds() - t0;
	if (R.filter_mode) {
		if (fflush(stdout) == EOF && !rc) {
			fprintf(stderr, "Error: writing to stdout: %s\n", strerror(errno));
			rc = -1;
		}
		ret = rc ? 1 : 0;
		goto out;
	}
	sinks_stop(R.sinks);
	print_summary(&R, elapsed, stderr);
	drop_mgr_print_stats(&R.drops, stderr);
	ret = rc ? 1 : 0;
	goto out;
cfg_error:
	for (uint32_t i = 0; i < cfg_warnings.n; i++)
		flog(LOGL_WARNING, "%s", cfg_warnings.v[i]);
	fprintf(stderr, "Error: %s\n", err);
out:
	strv_free(&cfg_warnings);
	if (R.sinks)
		sinks_free(R.sinks);
	if (R.eng)
		engine_free(R.eng);
	if (R.slots)
		extract_slots_free(R.slots);
	for (uint32_t i = 0; i < R.norules; i++)
		out_rule_free(&R.orules[i]);
	free(R.orules);
	free(R.by_rule);
	out_writer_free(&R.writer);
	out_pool_free(&R.pool);
	if (R.rs)
		ruleset_free(R.rs);
	jw_free(&R.line);
	arena_free_all(&R.arena);
	config_free(&R.cfg);
	return ret;
}

int cli_replay(int argc, char **argv)
{
	struct replay_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = replay_args(argc, argv, &o);
	if (rc == 0)
		rc = replay_main(&o);
	else if (rc < 0)
		rc = 0;	/* --help */
	strv_free(&o.rules);
	strv_free(&o.overrides);
	strv_free(&o.disable_substr);
	strv_free(&o.disable_tags);
	strv_free(&o.enable_tags);
	strv_free(&o.filters);
	strv_free(&o.formats);
	return rc;
}
