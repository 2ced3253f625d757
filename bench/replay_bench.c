/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule evaluation on recorded events (not a test): the compat captures replayed through
 * the real runtime (scap reader, state tables, extractors), with the upstream rules
 * evaluated by the libtcc JIT, by the gcc -O2 AOT build (both read fields through
 * frc_field and its per-event cache) or by the reference evaluator (a tree walk that
 * extracts each field at each check, as an interpreter without a cache does). The
 * evaluation cost is the run time minus that of the same replay with no evaluation
 * (perf notes §6: R_eval), best of ROUNDS, as CPU time per visible event.
 *
 * usage: replay_bench [ROUNDS] [MODES]   (MODES bits: 1 JIT, 2 AOT, 4 reference)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "engine.h"
#include "extract.h"
#include "loader.h"
#include "opt.h"
#include "ref_eval.h"
#include "ruleset.h"
#include "scap.h"

#define SHARED "../shared/compat"

struct ctx {
	int mode;	/* 0 none, 1 JIT, 2 AOT, 3 reference */
	struct ruleset *rs;
	const struct frc_rules *rules;
	uint64_t matches, visible;
};

static const struct frc_val *ref_get(void *c, const struct ast *f)
{
	return extract_filter_value(c, f->u.field.id, f->u.field.arg, f->u.field.arg_len,
				    f->u.field.arg ? f->u.field.arg_index : -1);
}

__attribute__((noinline)) static uint64_t eval_ref(const struct frc_rules *rules, struct frc_evt *e)
{
	for (uint32_t r = 0; r < rules->nrules; r++) {
		const struct frc_rule *rule = &rules->rules[r];
		if (rule->enabled && frc_evtset_has(&rule->evttypes, e->type) &&
		    ref_eval(rule->cond, ref_get, e))
			return 1; /* rule_matching: first */
	}
	return 0;
}

__attribute__((noinline)) static uint64_t eval_compiled(struct ruleset *rs, struct frc_evt *e)
{
	return ruleset_eval(rs, e, e->type, NULL, NULL);
}

static int on_event(void *p, struct frc_evt *e)
{
	struct ctx *c = p;
	c->visible++;
	if (c->mode == 3)
		c->matches += eval_ref(c->rules, e);
	else if (c->mode)
		c->matches += eval_compiled(c->rs, e);
	return 0;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* one replay of every capture; returns CPU seconds */
static double replay_all(struct ctx *c, char paths[][512], int npaths)
{
	double total = 0;
	for (int i = 0; i < npaths; i++) {
		char err[256];
		struct scap_reader *sr = scap_open(paths[i], err, sizeof(err));
		struct frc_engine *eng = engine_new(NULL);
		struct frc_slots *slots = NULL;
		if (!sr || !eng) {
			fprintf(stderr, "%s: %s\n", paths[i], err);
			exit(1);
		}
		if (c->rs) {
			uint32_t nf;
			const struct frc_field_ref *refs = ruleset_fields(c->rs, &nf);
			slots = extract_slots_new(refs, nf, err, sizeof(err));
			engine_set_slots(eng, slots);
		}
		engine_set_callback(eng, on_event, c);
		double t0 = cpu_now();
		engine_run_scap(eng, sr, err, sizeof(err));
		total += cpu_now() - t0;
		engine_free(eng);
		scap_close(sr);
		extract_slots_free(slots);
	}
	return total;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	unsigned modes = argc > 2 ? (unsigned)atoi(argv[2]) : 7;
	static const char *const files[] = {
		SHARED "/rules/falco_rules.yaml",
		SHARED "/rules/falco-incubating_rules.yaml",
		SHARED "/rules/falco-sandbox_rules.yaml",
	};
	static char paths[64][512];
	int np = 0;
	DIR *d = opendir(SHARED "/traces");
	struct dirent *de;
	while (d && (de = readdir(d)) && np < 64) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".scap"))
			snprintf(paths[np++], sizeof(paths[0]), SHARED "/traces/%s", de->d_name);
	}
	if (d)
		closedir(d);
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	if (!np || loader_load(&a, files, 3, &lo, &rules, &res)) {
		fprintf(stderr, "needs ../shared/compat (rules and traces)\n");
		return 1;
	}
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
	char *text = ruleset_emit_c(&rules, &o, NULL);
	struct ruleset *jit = ruleset_jit_text(text, &o), *aot = ruleset_aot_text(text, &o);
	free(text);
	if (!jit || !aot)
		return 1;
	struct ctx cx[4] = { { 0, NULL, &rules, 0, 0 }, { 1, jit, &rules, 0, 0 },
			     { 2, aot, &rules, 0, 0 }, { 3, NULL, &rules, 0, 0 } };
	double best[4] = { 1e30, 1e30, 1e30, 1e30 };
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < 4; m++) {
			if (m && !(modes & (1u << (m - 1))))
				continue;
			cx[m].matches = cx[m].visible = 0;
			double t = replay_all(&cx[m], paths, np);
			best[m] = t < best[m] ? t : best[m];
		}
	double ev = (double)cx[0].visible;
	printf("captures: %d files, %.0f visible events; best of %d rounds, CPU time (a difference "
	       "of two noisy figures: below ~50 ns it is noise)\n", np, ev, rounds);
	printf("  replay without rules       %8.1f ns/event\n", best[0] * 1e9 / ev);
	const char *names[4] = { "", "JIT (libtcc)", "AOT (gcc -O2)", "reference (tree)" };
	double ev_cost[4] = { 0 };
	for (int m = 1; m < 4; m++) {
		if (!(modes & (1u << (m - 1))))
			continue;
		ev_cost[m] = (best[m] - best[0]) * 1e9 / ev;
		printf("  + %-22s %8.1f ns/event evaluation (%llu matches)\n", names[m], ev_cost[m],
		       (unsigned long long)cx[m].matches);
	}
	if (modes == 7 && ev_cost[1] > 0 && ev_cost[2] > 0)
		printf("evaluation ratios: reference/JIT %.1fx, reference/AOT %.1fx, JIT/AOT %.2fx\n",
		       ev_cost[3] / ev_cost[1], ev_cost[3] / ev_cost[2], ev_cost[1] / ev_cost[2]);
	ruleset_free(jit);
	ruleset_free(aot);
	arena_free_all(&a);
	return 0;
}
