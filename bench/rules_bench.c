/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule-evaluation benchmark (not a test): the three upstream rule files loaded together,
 * evaluated on one synthetic event stream by
 *   - the libtcc JIT,
 *   - the gcc -O2 AOT build (shared object),
 *   - the reference evaluator (tests/support/ref_eval.c: a tree walk over the AST with
 *     the same event-type dispatch, i.e. an interpreter like Falco's),
 * with rule_matching: first, printing ns/event for each and the ratios; plus the time to
 * compile the ruleset (lower + optimise + emit C, then libtcc compile and relocate), as
 * CPU time and wall time, median of 15 runs. Field values come from a table prepared per
 * event (O(1) per access for all three), so the figures compare evaluation, not
 * extraction. Events are drawn from the rules' own constants so that evaluation goes deep.
 *
 * usage: rules_bench [EVENTS] [ROUNDS]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "emit_c.h"
#include "ir.h"
#include "jit.h"
#include "loader.h"
#include "lower.h"
#include "opt.h"
#include "ref_eval.h"
#include "ruleset.h"
#include "types.h"

/* ------------------------------------------------------------------ events */

#define MAXF 1024

struct vf {
	uint32_t field;
	const char *arg;
	uint32_t arg_len;
	int64_t idx;
	const struct ast *vals[256];
	uint32_t nvals;
};

static struct vf vocab[MAXF];
static uint32_t nvocab;

struct bev {
	uint32_t code;
	const struct frc_val **v;	/* [nvocab] */
};

static uint32_t vocab_id(uint32_t field, const char *arg, uint32_t al, int64_t idx)
{
	if (!arg)
		al = 0;
	for (uint32_t i = 0; i < nvocab; i++)
		if (vocab[i].field == field && vocab[i].idx == idx && vocab[i].arg_len == al &&
		    (!al || !memcmp(vocab[i].arg, arg, al)))
			return i;
	if (nvocab == MAXF) {
		fprintf(stderr, "too many fields\n");
		exit(1);
	}
	struct vf *f = &vocab[nvocab];
	memset(f, 0, sizeof(*f));
	f->field = field;
	f->arg = arg;
	f->arg_len = al;
	f->idx = idx;
	return nvocab++;
}

static uint32_t node_vocab(const struct ast *f)
{
	return vocab_id(f->u.field.id, f->u.field.arg, f->u.field.arg_len,
			f->u.field.arg ? f->u.field.arg_index : -1);
}

static void harvest(const struct ast *n)
{
	if (n->kind == AST_AND || n->kind == AST_OR) {
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			harvest(n->u.nary.items[i]);
	} else if (n->kind == AST_NOT) {
		harvest(n->u.not_.child);
	} else if (n->kind == AST_CHECK && n->u.check.lhs->kind == AST_FIELD) {
		struct vf *f = &vocab[node_vocab(n->u.check.lhs)];
		const struct ast *r = n->u.check.rhs;
		if (r && r->kind == AST_VALUE && !n->u.check.rhs_is_field && f->nvals < 256)
			f->vals[f->nvals++] = r;
		else if (r && r->kind == AST_LIST)
			for (uint32_t i = 0; i < r->u.nary.n && f->nvals < 256; i++)
				f->vals[f->nvals++] = r->u.nary.items[i];
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void value(struct arena *a, uint64_t *seed, const struct vf *f, struct frc_val *out)
{
	static const char *const junk[] = { "", "x", "/tmp/x", "bash", "/etc/shadow", "root",
					    "python3", "/usr/bin/", "host" };
	memset(out, 0, sizeof(*out));
	enum ft_type t = field_table[f->field].type;
	const struct ast *k = f->nvals && rnd(seed) % 4 ? f->vals[rnd(seed) % f->nvals] : NULL;
	if (k && k->u.value.c.type != FT_NONE && k->u.value.c.type != FT_CHARBUF &&
	    k->u.value.c.type != FT_FSPATH && k->u.value.c.type != FT_BYTEBUF)
		t = k->u.value.c.type;
	if (t == FT_IPADDR || t == FT_IPNET) {
		out->family = k && k->u.value.c.family ? k->u.value.c.family : 4;
		if (k)
			memcpy(out->ip, k->u.value.c.ip, 16);
		return;
	}
	if (t != FT_CHARBUF && t != FT_FSPATH && t != FT_BYTEBUF && t != FT_DYN) {
		out->n.u = k ? k->u.value.c.n.u : rnd(seed) % 3;
		return;
	}
	const char *s = k ? k->u.value.str : junk[rnd(seed) % 9];
	size_t len = k ? k->u.value.len : strlen(s);
	char *buf = arena_alloc(a, len + 8);
	size_t o = 0;
	if (rnd(seed) % 5 == 0) {
		memcpy(buf, "/x", 2);
		o = 2;
	}
	memcpy(buf + o, s, len);
	o += len;
	if (rnd(seed) % 5 == 0) {
		memcpy(buf + o, "/y.z", 4);
		o += 4;
	}
	buf[o] = 0;
	out->s = (const frc_u8 *)buf;
	out->len = (uint32_t)o;
}

static void make_event(struct arena *a, uint64_t *seed, const struct frc_rules *rules,
		       struct bev *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->v = arena_alloc(a, nvocab * sizeof(*ev->v));
	const char *tn = NULL;
	while (!tn) {
		const struct frc_rule *r = &rules->rules[rnd(seed) % rules->nrules];
		uint32_t c = (uint32_t)(rnd(seed) % FRC_EVT_CODES);
		for (uint32_t k = 0; k < FRC_EVT_CODES && !tn; k++, c = (c + 1) % FRC_EVT_CODES)
			if (frc_evtset_has(&r->evttypes, c) &&
			    (tn = opt_evtinfo_evtab()->type_name(NULL, c)))
				ev->code = c;
	}
	for (uint32_t i = 0; i < nvocab; i++) {
		const struct vf *f = &vocab[i];
		struct frc_val *v = arena_alloc(a, sizeof(*v));
		if (f->field == FLD_EVT_TYPE || f->field == FLD_EVT_DIR) {
			const char *s = f->field == FLD_EVT_TYPE ? tn : ev->code & 1 ? "<" : ">";
			v->s = (const frc_u8 *)s;
			v->len = (uint32_t)strlen(s);
		} else if (f->field == FLD_EVT_NUM) {
			v->n.u = 1 + rnd(seed) % 100000;
		} else if (rnd(seed) % 4 == 0) {
			continue;
		} else {
			uint32_t fl = field_table[f->field].flags;
			bool multi = ((fl & FF_ANCESTOR) && f->idx < 0 && !f->arg) ||
				     (fl & FF_EITHER_END) || (fl & FF_LIST);
			if (multi) {
				uint32_t n = (uint32_t)(rnd(seed) % 4);
				struct frc_val *it = arena_alloc(a, (n ? n : 1) * sizeof(*it));
				for (uint32_t k = 0; k < n; k++)
					value(a, seed, f, &it[k]);
				v->multi = 1;
				v->items = it;
				v->nitems = n;
			} else {
				value(a, seed, f, v);
			}
		}
		ev->v[i] = v;
	}
}

/* ------------------------------------------------------------------ field access */

static uint32_t *slot_map;	/* slot -> vocab id, for the ruleset being timed */

const struct frc_val *frc_field(struct frc_evt *e, frc_u32 slot)
{
	const struct bev *ev = (const void *)e;
	return ev->v[slot_map[slot]];
}

/* AST field node -> vocab id, by pointer (open addressing) */
static const struct ast **nkeys;
static uint32_t *nvals, ncap;

static void node_put(const struct ast *f, uint32_t id)
{
	uint32_t h = (uint32_t)(((uintptr_t)f >> 4) * 2654435761u) & (ncap - 1);
	while (nkeys[h] && nkeys[h] != f)
		h = (h + 1) & (ncap - 1);
	nkeys[h] = f;
	nvals[h] = id;
}

static const struct frc_val *ref_get(void *ctx, const struct ast *f)
{
	const struct bev *ev = ctx;
	uint32_t h = (uint32_t)(((uintptr_t)f >> 4) * 2654435761u) & (ncap - 1);
	while (nkeys[h] != f)
		h = (h + 1) & (ncap - 1);
	return ev->v[nvals[h]];
}

static void index_nodes(const struct ast *n)
{
	if (n->kind == AST_AND || n->kind == AST_OR || n->kind == AST_LIST) {
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			index_nodes(n->u.nary.items[i]);
	} else if (n->kind == AST_NOT) {
		index_nodes(n->u.not_.child);
	} else if (n->kind == AST_CHECK) {
		index_nodes(n->u.check.lhs);
		if (n->u.check.rhs)
			index_nodes(n->u.check.rhs);
	} else if (n->kind == AST_XFORM) {
		for (uint32_t i = 0; i < n->u.xform.nargs; i++)
			index_nodes(n->u.xform.args[i]);
	} else if (n->kind == AST_FIELD) {
		node_put(n, node_vocab(n));
	}
}

/* ------------------------------------------------------------------ timing */

static double now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

__attribute__((noinline)) static uint64_t run_compiled(struct ruleset *rs, struct bev *evs, uint32_t n)
{
	uint32_t nf;
	const struct frc_field_ref *refs = ruleset_fields(rs, &nf);
	free(slot_map);
	slot_map = malloc((nf ? nf : 1) * sizeof(*slot_map));
	for (uint32_t i = 0; i < nf; i++)
		slot_map[i] = vocab_id(refs[i].field, refs[i].arg, refs[i].arg_len, refs[i].arg_index);
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		m += ruleset_eval(rs, (struct frc_evt *)(void *)&evs[i], evs[i].code, NULL, NULL);
	return m;
}

__attribute__((noinline)) static uint64_t run_ref(const struct frc_rules *rules, struct bev *evs, uint32_t n)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t r = 0; r < rules->nrules; r++) {
			const struct frc_rule *rule = &rules->rules[r];
			if (rule->enabled && frc_evtset_has(&rule->evttypes, evs[i].code) &&
			    ref_eval(rule->cond, ref_get, &evs[i])) {
				m++;
				break; /* rule_matching: first */
			}
		}
	return m;
}

static void compile_times(const struct frc_rules *rules)
{
	enum { N = 15 };
	double ccpu[N], cwall[N], tcpu[N], twall[N];
	for (int i = 0; i < N; i++) {
		double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
		char *text = ruleset_emit_c(rules, &o, NULL);
		double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
		const struct frc_ruleset_desc *d;
		char err[256];
		struct jit *j = jit_compile(text, NULL, 0, &d, err, sizeof(err));
		double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
		if (!j) {
			fprintf(stderr, "jit: %s\n", err);
			exit(1);
		}
		jit_free(j);
		free(text);
		ccpu[i] = (c1 - c0) * 1e3;
		cwall[i] = (w1 - w0) * 1e3;
		tcpu[i] = (c2 - c1) * 1e3;
		twall[i] = (w2 - w1) * 1e3;
	}
	qsort(ccpu, N, sizeof(double), cmpd);
	qsort(cwall, N, sizeof(double), cmpd);
	qsort(tcpu, N, sizeof(double), cmpd);
	qsort(twall, N, sizeof(double), cmpd);
	printf("compile (median of %d): lower+opt+emit %.1f ms CPU (%.1f ms wall), "
	       "libtcc compile+relocate %.1f ms CPU (%.1f ms wall), total %.1f ms CPU "
	       "(%.1f ms wall)\n", N, ccpu[N / 2], cwall[N / 2], tcpu[N / 2], twall[N / 2],
	       ccpu[N / 2] + tcpu[N / 2], cwall[N / 2] + twall[N / 2]);
}

int main(int argc, char **argv)
{
	uint32_t nev = argc > 1 ? (uint32_t)atoi(argv[1]) : 50000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	unsigned modes = argc > 3 ? (unsigned)atoi(argv[3]) : 7; /* bits: JIT, AOT, reference */
	bool timing = argc <= 4;	/* a 5th argument skips the compile-time measurement */
	static const char *const files[] = {
		"../shared/compat/rules/falco_rules.yaml",
		"../shared/compat/rules/falco-incubating_rules.yaml",
		"../shared/compat/rules/falco-sandbox_rules.yaml",
	};
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	if (loader_load(&a, files, 3, &lo, &rules, &res)) {
		loader_print_text(stderr, &res, false);
		return 1;
	}
	printf("ruleset: %u upstream rules (stable + incubating + sandbox)\n", rules.nrules);
	if (timing)
		compile_times(&rules);

	for (uint32_t r = 0; r < rules.nrules; r++)
		harvest(rules.rules[r].cond);
	ncap = 1u << 16;
	nkeys = calloc(ncap, sizeof(*nkeys));
	nvals = calloc(ncap, sizeof(*nvals));
	for (uint32_t r = 0; r < rules.nrules; r++)
		index_nodes(rules.rules[r].cond);
	struct arena ea;
	arena_init(&ea);
	struct bev *evs = malloc(nev * sizeof(*evs));
	uint64_t seed = 0x5eed;
	for (uint32_t i = 0; i < nev; i++)
		make_event(&ea, &seed, &rules, &evs[i]);

	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
	char *text = ruleset_emit_c(&rules, &o, NULL);
	double g0 = now(CLOCK_MONOTONIC);
	struct ruleset *aot = ruleset_aot_text(text, &o);
	double g1 = now(CLOCK_MONOTONIC);
	struct ruleset *jit = ruleset_jit_text(text, &o);
	free(text);
	if (!jit || !aot)
		return 1;
	printf("gcc -O2 AOT build of the same C: %.0f ms wall\n", (g1 - g0) * 1e3);

	double best[3] = { 1e30, 1e30, 1e30 };
	uint64_t m[3] = { 0 };
	for (int rd = 0; rd < rounds; rd++)
		for (int k = 0; k < 3; k++) {
			if (!(modes & (1u << k)))
				continue;
			double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
			m[k] = k == 0 ? run_compiled(jit, evs, nev) : k == 1 ? run_compiled(aot, evs, nev)
									: run_ref(&rules, evs, nev);
			double t = (now(CLOCK_PROCESS_CPUTIME_ID) - t0) * 1e9 / nev;
			best[k] = t < best[k] ? t : best[k];
		}
	printf("events: %u synthetic (from the rules' constants), rounds: %d, best CPU time per "
	       "event:\n", nev, rounds);
	printf("  JIT (libtcc)      %8.1f ns/event  (%llu matches)\n", best[0],
	       (unsigned long long)m[0]);
	printf("  AOT (gcc -O2)     %8.1f ns/event  (%llu matches)\n", best[1],
	       (unsigned long long)m[1]);
	printf("  reference (tree)  %8.1f ns/event  (%llu matches)\n", best[2],
	       (unsigned long long)m[2]);
	printf("ratios: reference/JIT %.1fx, reference/AOT %.1fx, JIT/AOT %.2fx%s\n",
	       best[2] / best[0], best[2] / best[1], best[0] / best[1],
	       m[0] == m[1] && m[1] == m[2] ? "" : "  (MATCH COUNTS DIFFER)");
	ruleset_free(jit);
	ruleset_free(aot);
	free(evs);
	arena_free_all(&ea);
	arena_free_all(&a);
	return 0;
}
