/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule generations and the reload transaction (see reload.h).
 */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/emit_c.h"
#include "compiler/ir.h"
#include "compiler/kfilter.h"
#include "compiler/lower.h"
#include "compiler/opt.h"
#include "config.h"
#include "engine.h"
#include "evtab.h"
#include "extract.h"
#include "kfilter_load.h"
#include "logger.h"
#include "metrics.h"
#include "probe_load.h"
#include "ruleset.h"
#include "strv.h"
#include "version.h"

uint64_t reload_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- errors */

struct errs {
	char *text;
	size_t len;
	FILE *f;
	char *first;
};

static void errs_open(struct errs *e)
{
	memset(e, 0, sizeof(*e));
	e->f = open_memstream(&e->text, &e->len);
}

/* the first error, "@a: @b" (or "@a" when @b is empty), for the one-line summary */
static void errs_first(struct errs *e, const char *a, const char *b)
{
	char buf[1024];

	if (e->first)
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", a, b && *b ? ": " : "", b ? b : "");
	e->first = strdup(buf);
}

/* hands the texts to the caller */
static void errs_close(struct errs *e, char **text, char **summary)
{
	if (e->f)
		fclose(e->f);
	e->f = NULL;
	if (text) {
		*text = e->text ? e->text : strdup("unknown error");
		e->text = NULL;
	}
	if (summary) {
		*summary = e->first ? e->first : strdup(*text ? *text : "unknown error");
		e->first = NULL;
	}
	free(e->text);
	free(e->first);
}

static void ir_report(void *ctx, const struct frc_rule *rule, const char *msg)
{
	struct errs *e = ctx;
	char pos[512];

	if (rule && rule->file)
		snprintf(pos, sizeof(pos), "%s:%u:%u: rule '%s'", rule->file, rule->line, rule->col,
			 rule->name ? rule->name : "");
	else
		snprintf(pos, sizeof(pos), "rules");
	if (e->f)
		fprintf(e->f, "%s: error: %s\n", pos, msg);
	errs_first(e, pos, msg);
}

/* the first loader error as "file:line:col: message" */
static void loader_first_error(struct errs *e, const struct loader_results *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct diag *d = r->files[i].errors.head;
		char pos[600];

		if (!d)
			continue;
		if (d->file)
			snprintf(pos, sizeof(pos), "%s:%u:%u", d->file, d->line, d->col);
		else
			snprintf(pos, sizeof(pos), "%s", r->files[i].name ? r->files[i].name : "rules");
		errs_first(e, pos, d->msg ? d->msg : "error");
		return;
	}
	if (r->plugin_error)
		errs_first(e, r->plugin_error, "");
}

/* ---------------------------------------------------------------- build */

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

/* Falco's rule selection from the configuration */
static void select_rules(struct ruleset *rs, const struct frc_config *cfg)
{
	ruleset_set_matching(rs, cfg->rule_matching == RULE_MATCHING_ALL ? RULESET_MATCH_ALL :
									  RULESET_MATCH_FIRST);
	ruleset_set_min_priority(rs, cfg->min_priority);
	for (uint32_t i = 0; i < cfg->nrules_sel; i++) {
		const struct cfg_rule_sel *s = &cfg->rules_sel[i];

		if (s->kind == SEL_TAG)
			ruleset_enable_tag(rs, s->pattern, s->enable);
		else
			ruleset_enable_name(rs, s->pattern, s->enable);
	}
}

/* lower, optimise, emit C, JIT; and the kernel filter of the enabled rules */
static int compile_gen(struct rl_gen *g, const struct reload_src *src, struct errs *e)
{
	struct ir_diag d = { .report = ir_report, .ctx = e };
	struct ruleset_opts ro = { .diag = &d };
	struct opt_opts oo = { .level = 1, .evt = opt_evtinfo_evtab() };
	struct kf_rules *kr = NULL;
	struct ir ir;
	char *text = NULL;
	int rc = -1;

	ir_init(&ir);
	ir.normalize = false;
	if (lower_rules(&ir, &g->rules, &d) || opt_run(&ir, &oo, &d))
		goto out;
	text = emit_c_ruleset(&ir, FRC_VERSION, &d, NULL);
	if (!text || d.nerrors)
		goto out;
	g->rs = ruleset_jit_text(text, &ro);
	if (!g->rs)
		goto out;
	select_rules(g->rs, src->cfg);
	if (src->kernel_filter) {
		uint8_t *en = calloc(ir.nrules + 1, 1);

		kr = kf_build(&ir);
		if (!en || !kr) {
			free(en);
			ir_report(e, NULL, "out of memory building the kernel filter");
			goto out;
		}
		for (uint32_t r = 0; r < ir.nrules; r++)
			en[r] = ruleset_rule_enabled(g->rs, ir.rules[r].src->id);
		g->kimg = kf_link(kr, en);
		free(en);
		if (!g->kimg) {
			ir_report(e, NULL, "out of memory building the kernel filter");
			goto out;
		}
	}
	rc = 0;
out:
	if (!rc && d.nerrors)
		rc = -1;
	kf_rules_free(kr);
	free(text);
	ir_fini(&ir);
	return rc;
}

static int prepare_outputs(struct rl_gen *g, const struct frc_config *cfg, struct errs *e)
{
	uint32_t maxid = ruleset_nrules(g->rs);
	char err[1024];

	if (!g->builtin)
		for (uint32_t k = 0; k < g->rules.nrules; k++)
			if (g->rules.rules[k].id + 1 > maxid)
				maxid = g->rules.rules[k].id + 1;
	g->norules = maxid;
	g->orules = calloc(maxid ? maxid : 1, sizeof(*g->orules));
	if (!g->orules) {
		ir_report(e, NULL, "out of memory");
		return -1;
	}
	if (g->builtin) {
		for (uint32_t k = 0; k < maxid; k++) {
			const struct frc_rule_info *ri = ruleset_rule(g->rs, k);
			struct frc_rule fr;

			if (!ri)
				continue;
			rule_from_info(&fr, k, ri);
			if (out_rule_prepare(&g->orules[k], &g->pool, &fr, cfg, true, err,
					     sizeof(err))) {
				ir_report(e, &fr, err);
				return -1;
			}
		}
		return 0;
	}
	for (uint32_t k = 0; k < g->rules.nrules; k++) {
		const struct frc_rule *fr = &g->rules.rules[k];

		if (out_rule_prepare(&g->orules[fr->id], &g->pool, fr, cfg, false, err,
				     sizeof(err))) {
			ir_report(e, fr, err);
			return -1;
		}
	}
	return 0;
}

struct rl_gen *reload_build(const struct reload_src *src, uint64_t generation, char **errtext,
			    char **summary)
{
	struct rl_gen *g = calloc(1, sizeof(*g));
	struct strv files = { 0 }, dirs = { 0 };
	const struct frc_config *cfg = src->cfg;
	uint64_t t0 = reload_now_ns();
	struct loader_opts lo;
	struct errs e;
	char err[1024];

	errs_open(&e);
	if (!g) {
		ir_report(&e, NULL, "out of memory");
		goto fail;
	}
	g->generation = generation;
	arena_init(&g->arena);
	out_pool_init(&g->pool);
	if (src->npaths) {
		for (uint32_t i = 0; i < src->npaths; i++)
			if (rules_path_expand(src->paths[i], &files, &dirs))
				goto oom;
	} else {
		for (uint32_t i = 0; i < cfg->nrules_files; i++)
			if (rules_path_expand(cfg->rules_files[i], &files, &dirs))
				goto oom;
	}
	if (!files.n) {
		struct ruleset_opts ro = { 0 };

		g->builtin = true;
		g->rs = ruleset_builtin(&ro);
		if (!g->rs) {
			ir_report(&e, NULL, "no rules: give -r FILE or rules_files in the configuration "
				  "(this frc binary has no built-in rules)");
			goto fail;
		}
		select_rules(g->rs, cfg);
	} else {
		int rc;

		loader_opts_init(&lo);
		lo.min_priority = cfg->min_priority;
		lo.container_plugin = true;
		if (out_loader_extras(&g->arena, cfg, NULL, &lo))
			goto oom;
		rc = loader_load(&g->arena, (const char *const *)files.v, files.n, &lo, &g->rules,
				 &g->lres);
		if (rc < 0)
			goto oom;
		if (rc > 0 || !g->lres.ok) {
			if (e.f && src->falco_errors)
				loader_print_falco(e.f, &g->lres);
			else if (e.f)
				loader_print_text(e.f, &g->lres, false);
			loader_first_error(&e, &g->lres);
			goto fail;
		}
		if (loader_warning_count(&g->lres)) {
			size_t len = 0;
			FILE *m = open_memstream(&g->warnings, &len);

			if (m) {
				loader_print_text(m, &g->lres, false);
				fclose(m);
			}
		}
		if (compile_gen(g, src, &e))
			goto fail;
	}
	if (prepare_outputs(g, cfg, &e))
		goto fail;
	{
		uint32_t nref;
		const struct frc_field_ref *refs = ruleset_fields(g->rs, &nref);

		g->slots = extract_slots_new(refs, nref, err, sizeof(err));
		if (!g->slots) {
			ir_report(&e, NULL, err);
			goto fail;
		}
	}
	ruleset_interest(g->rs, g->codes, &g->generic_all, &g->all);
	g->files = files.v;
	g->nfiles = files.n;
	g->dirs = dirs.v;
	g->ndirs = dirs.n;
	g->build_ns = reload_now_ns() - t0;
	errs_close(&e, NULL, NULL);
	if (errtext)
		*errtext = NULL;
	if (summary)
		*summary = NULL;
	return g;
oom:
	ir_report(&e, NULL, "out of memory while loading rules");
fail:
	strv_free(&files);
	strv_free(&dirs);
	reload_gen_free(g);
	{
		char *t = NULL, *s = NULL;

		errs_close(&e, &t, &s);
		if (errtext)
			*errtext = t;
		else
			free(t);
		if (summary)
			*summary = s;
		else
			free(s);
	}
	return NULL;
}

void reload_gen_free(struct rl_gen *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; g->orules && i < g->norules; i++)
		out_rule_free(&g->orules[i]);
	free(g->orules);
	if (g->slots)
		extract_slots_free(g->slots);
	if (g->rs)
		ruleset_free(g->rs);
	kf_image_free(g->kimg);
	free(g->warnings);
	out_pool_free(&g->pool);
	strv_free(&(struct strv){ g->files, g->nfiles, g->nfiles });
	strv_free(&(struct strv){ g->dirs, g->ndirs, g->ndirs });
	arena_free_all(&g->arena);
	free(g);
}

/* ---------------------------------------------------------------- the transaction */

static void interest_of(const struct reload_target *t, const struct rl_gen *g, uint64_t codes[8],
			bool *generic_all, bool *all)
{
	for (int w = 0; w < 8; w++)
		codes[w] |= g->codes[w] | t->extra_codes[w];
	*generic_all |= g->generic_all;
	*all |= g->all || t->all_syscalls;
}

static void set_interest(const struct reload_target *t, const uint64_t codes[8], bool generic_all,
			 bool all)
{
	if (!t->probe)
		return;
	if (all)
		probe_set_interest_all(t->probe);
	else
		probe_set_interest(t->probe, codes, generic_all);
}

void reload_apply_interest(const struct reload_target *t, const struct rl_gen *g)
{
	uint64_t codes[8] = { 0 };
	bool generic_all = false, all = false;

	interest_of(t, g, codes, &generic_all, &all);
	set_interest(t, codes, generic_all, all);
}

int reload_swap(struct reload_target *t, struct rl_gen *ng, char *err, size_t errlen)
{
	struct rl_gen *old = *t->cur;
	uint64_t codes[8] = { 0 };
	bool generic_all = false, all = false;
	bool staged = false;

	/* 1. widen: the kernel emits what either generation wants */
	if (old)
		interest_of(t, old, codes, &generic_all, &all);
	interest_of(t, ng, codes, &generic_all, &all);
	set_interest(t, codes, generic_all, all);
	if (t->kf) {
		if (ng->kimg) {
			if (kfilter_stage(t->kf, ng->kimg, err, errlen)) {
				if (old)
					reload_apply_interest(t, old);
				reload_gen_free(ng);
				return -1;
			}
			staged = true;
		} else {
			/* no image (built-in rules): nothing may be filtered any more */
			kfilter_disable(t->kf);
		}
	}
	/* 2. what is in the ring buffer happened under the old rules */
	if (t->drain)
		t->drain(t->ctx);
	/* 3. swap */
	*t->cur = ng;
	if (t->eng)
		engine_set_slots(t->eng, ng->slots);
	if (t->met && t->mrules) {
		struct metrics_ruletab *mt = NULL;

		if (!ng->builtin)
			mt = metrics_set_rules(t->met, &ng->rules, ng->generation);
		/* NULL (no memory, or built-in rules): no per-rule counters this generation */
		*t->mrules = mt;
		if (ng->nfiles)
			metrics_set_files(t->met, false, (const char *const *)ng->files, ng->nfiles);
	}
	if (t->swapped)
		t->swapped(t->ctx, old, ng);
	/* 4. narrow */
	reload_apply_interest(t, ng);
	if (staged)
		kfilter_commit(t->kf);
	/* 5. the old generation: nothing refers to it any more */
	reload_gen_free(old);
	return 0;
}
