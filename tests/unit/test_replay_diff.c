/* SPDX-License-Identifier: Apache-2.0
 *
 * Differential test over recorded events: the three upstream rule files (stable,
 * incubating, sandbox, loaded together) evaluated on every event of the compat captures
 * (../shared/compat/traces) through the real runtime (scap reader, state tables,
 * extractors behind frc_field) by the libtcc JIT (optimised and -O0), the gcc AOT build,
 * and the reference evaluator over the same extracted values. All must agree on every
 * rule for every event. Skipped when ../shared is absent.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "engine.h"
#include "extract.h"
#include "loader.h"
#include "opt.h"
#include "ref_eval.h"
#include "ruleset.h"
#include "scap.h"
#include "ast_build.h"

#define SHARED "../shared/compat"

enum { NRS = 3 };

struct run {
	const struct frc_rules *rules;
	struct ruleset *rs[NRS];
	struct frc_slots *slots[NRS];
	uint64_t events, matches, disagreements;
	uint8_t got[NRS][4096];
};

static void on_match(void *ctx, uint32_t id)
{
	uint8_t *got = ctx;
	got[id] = 1;
}

static const struct frc_val *ref_get(void *ctx, const struct ast *f)
{
	struct frc_evt *e = ctx;
	return extract_filter_value(e, f->u.field.id, f->u.field.arg, f->u.field.arg_len,
				    f->u.field.arg ? f->u.field.arg_index : -1);
}

static void dump_leaves(const struct ast *n, struct frc_evt *e)
{
	if (n->kind == AST_AND || n->kind == AST_OR) {
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			dump_leaves(n->u.nary.items[i], e);
	} else if (n->kind == AST_NOT) {
		dump_leaves(n->u.not_.child, e);
	} else if (n->kind == AST_CHECK) {
		char *t = ab_dump(n);
		const struct frc_val *v = n->u.check.lhs->kind == AST_FIELD ? ref_get(e, n->u.check.lhs) : NULL;
		print_error("    %d: %.120s  [val %s multi %d n %u u %llu]\n", ref_eval(n, ref_get, e), t,
			    v ? (v->s ? (const char *)v->s : "(nos)") : "(absent)", v ? v->multi : 0,
			    v ? v->nitems : 0, v ? (unsigned long long)v->n.u : 0ull);
		if (v && v->multi)
			for (uint32_t i = 0; i < v->nitems; i++)
				print_error("       item %u: u %llu fam %u\n", i, (unsigned long long)v->items[i].n.u, v->items[i].family);
		free(t);
	}
}

static int on_event(void *ctx, struct frc_evt *e)
{
	struct run *r = ctx;
	struct frc_slots *saved = e->slots;
	uint32_t n = r->rules->nrules;
	r->events++;
	for (int k = 0; k < NRS; k++) {
		memset(r->got[k], 0, n);
		e->slots = r->slots[k];
		ruleset_eval(r->rs[k], e, e->type, on_match, r->got[k]);
	}
	e->slots = saved;
	for (uint32_t i = 0; i < n; i++) {
		const struct frc_rule *rule = &r->rules->rules[i];
		bool ref = rule->enabled && frc_evtset_has(&rule->evttypes, e->type) &&
			   ref_eval(rule->cond, ref_get, e);
		r->matches += ref;
		for (int k = 0; k < NRS; k++)
			if (r->got[k][i] != ref) {
				print_error("ruleset %d disagrees with the reference: rule %u (%s), "
					    "event %llu type %u: %d vs %d\n", k, i, rule->name,
					    (unsigned long long)e->num, e->type, r->got[k][i], ref);
				r->disagreements++;
				print_error("  enabled %d evttype %d cond %d\n", rule->enabled,
					    frc_evtset_has(&rule->evttypes, e->type),
					    ref_eval(rule->cond, ref_get, e));
				char *t = ab_dump(rule->cond);
				print_error("  %s\n", t);
				free(t);
				dump_leaves(rule->cond, e);
			}
	}
	return 0;
}

static void test_traces(void **state)
{
	(void)state;
	static const char *const files[] = {
		SHARED "/rules/falco_rules.yaml",
		SHARED "/rules/falco-incubating_rules.yaml",
		SHARED "/rules/falco-sandbox_rules.yaml",
	};
	DIR *d = opendir(SHARED "/traces");
	if (!d) {
		print_message("../shared not found: trace differential test skipped\n");
		skip();
	}
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	assert_int_equal(loader_load(&a, files, 3, &lo, &rules, &res), 0);
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() }, o0 = { .no_opt = true };
	static struct run r;
	memset(&r, 0, sizeof(r));
	r.rules = &rules;
	char *text = ruleset_emit_c(&rules, &o, NULL);
	assert_non_null(text);
	r.rs[0] = ruleset_jit_text(text, &o);
	r.rs[1] = ruleset_aot_text(text, &o);
	r.rs[2] = ruleset_jit(&rules, &o0);
	free(text);
	for (int k = 0; k < NRS; k++) {
		assert_non_null(r.rs[k]);
		ruleset_set_matching(r.rs[k], RULESET_MATCH_ALL);
	}
	struct dirent *de;
	unsigned ntraces = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".scap"))
			continue;
		char path[512], err[256];
		snprintf(path, sizeof(path), SHARED "/traces/%s", de->d_name);
		struct scap_reader *sr = scap_open(path, err, sizeof(err));
		if (!sr) {
			print_error("%s: %s\n", path, err);
			fail();
		}
		struct frc_engine *eng = engine_new(NULL);
		assert_non_null(eng);
		/* slot caches are keyed by the engine's event generation: fresh ones per engine */
		for (int k = 0; k < NRS; k++) {
			uint32_t nf;
			const struct frc_field_ref *refs = ruleset_fields(r.rs[k], &nf);
			r.slots[k] = extract_slots_new(refs, nf, err, sizeof(err));
			if (!r.slots[k])
				print_error("slots: %s\n", err);
			assert_non_null(r.slots[k]);
		}
		engine_set_slots(eng, r.slots[0]);
		engine_set_callback(eng, on_event, &r);
		assert_true(engine_run_scap(eng, sr, err, sizeof(err)) >= 0);
		engine_free(eng);
		scap_close(sr);
		for (int k = 0; k < NRS; k++)
			extract_slots_free(r.slots[k]);
		ntraces++;
	}
	closedir(d);
	print_message("%u captures, %llu events, %llu rule matches, %llu disagreements\n", ntraces,
		      (unsigned long long)r.events, (unsigned long long)r.matches,
		      (unsigned long long)r.disagreements);
	assert_true(ntraces > 0 && r.events > 0);
	assert_int_equal(r.disagreements, 0);
	for (int k = 0; k < NRS; k++)
		ruleset_free(r.rs[k]);
	arena_free_all(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
