/* SPDX-License-Identifier: Apache-2.0
 *
 * IR passes (see opt.h): fold, evttype, share — an ordered table of named functions.
 * Passes never modify nodes in place; they build new roots through the hash-consing
 * constructors, so unchanged sub-trees stay shared.
 */
#include "opt.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "frc_rt_abi.h"
#include "evtab.h"
#include "rt_helpers.h"

struct pass_ctx {
	struct ir *ir;
	const struct opt_opts *o;
	uint32_t limit;		/* nodes that existed when the pass started */
	uint32_t *map;		/* [limit] memoised result per input node */
	uint32_t *stamp;	/* [limit] which round @map belongs to */
	uint32_t round;
	uint8_t *dep;		/* evttype: node depends on evt.type / evt.dir */
	const char *name;	/* evttype: evt.type of the current code */
	const char *dir;	/* evttype: evt.dir of the current code */
};

static bool ctx_init(struct pass_ctx *c, struct ir *ir, const struct opt_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->ir = ir;
	c->o = o;
	c->limit = ir->nnodes;
	c->map = calloc(c->limit ? c->limit : 1, sizeof(*c->map));
	c->stamp = calloc(c->limit ? c->limit : 1, sizeof(*c->stamp));
	c->round = 1;
	if (!c->map || !c->stamp) {
		free(c->map);
		free(c->stamp);
		ir->oom = true;
		return false;
	}
	return true;
}

static void ctx_fini(struct pass_ctx *c)
{
	free(c->map);
	free(c->stamp);
	free(c->dep);
}

/* ------------------------------------------------------------------ leaf facts */

static const struct ir_slot *test_slot(const struct ir *ir, const struct ir_node *t)
{
	const struct ir_node *v = &ir->nodes[t->a];
	return v->kind == IR_VFIELD ? &ir->slots[v->a] : NULL;
}

/* evt.num is always present and >= 1; evt.type is always present */
static uint32_t fold_test(struct ir *ir, uint32_t id)
{
	const struct ir_node *t = &ir->nodes[id];
	const struct ir_slot *s = test_slot(ir, t);
	if (!s || s->arg || t->rhs_val)
		return id;
	if (t->op == OP_EXISTS && (s->field == FLD_EVT_NUM || s->field == FLD_EVT_TYPE))
		return ir_true(ir);
	if (s->field != FLD_EVT_NUM || t->op == OP_EXISTS)
		return id;
	const struct ir_const *c = &ir->consts[t->b];
	if (c->kind == IRC_NUMSET) {
		for (uint32_t i = 0; i < c->nitems; i++)
			if (ir->consts[ir->citems[c->items + i]].u != 0)
				return id;
		return ir_false(ir); /* in (0) or in () */
	}
	if (c->kind != IRC_NUM)
		return id;
	switch (t->op) {
	case OP_EQ: return c->u == 0 ? ir_false(ir) : id;
	case OP_NE: return c->u == 0 ? ir_true(ir) : id;
	case OP_LT: return c->u <= 1 ? ir_false(ir) : id;
	case OP_LE: return c->u == 0 ? ir_false(ir) : id;
	case OP_GT: return c->u == 0 ? ir_true(ir) : id;
	case OP_GE: return c->u <= 1 ? ir_true(ir) : id;
	default: return id;
	}
}

/* ------------------------------------------------------------------ rebuild */

typedef uint32_t (*leaf_fn)(struct pass_ctx *c, uint32_t id);

/* rebuild @id normalised, mapping tests through @leaf; memoised per round */
static uint32_t rebuild(struct pass_ctx *c, uint32_t id, leaf_fn leaf, unsigned depth)
{
	struct ir *ir = c->ir;
	if (id >= c->limit || depth > IR_MAX_DEPTH)
		return id;
	if (c->stamp[id] == c->round)
		return c->map[id];
	if (c->dep && !c->dep[id])
		return id;
	const struct ir_node n = ir->nodes[id];
	uint32_t res = id;
	switch ((enum ir_kind)n.kind) {
	case IR_TRUE: case IR_FALSE: case IR_VFIELD: case IR_VXFORM: case IR_VCONST:
	case IR__COUNT:
		break;
	case IR_TEST:
		res = leaf(c, id);
		break;
	case IR_NOT:
		res = ir_not(ir, rebuild(c, n.a, leaf, depth + 1));
		break;
	case IR_AND:
	case IR_OR: {
		uint32_t *k = malloc(n.nkids * sizeof(*k));
		if (!k) {
			ir->oom = true;
			return UINT32_MAX;
		}
		for (uint32_t i = 0; i < n.nkids; i++)
			k[i] = rebuild(c, ir_kids(ir, id)[i], leaf, depth + 1);
		res = n.kind == IR_AND ? ir_and(ir, k, n.nkids) : ir_or(ir, k, n.nkids);
		free(k);
		break;
	}
	}
	c->stamp[id] = c->round;
	c->map[id] = res;
	return res;
}

static uint32_t fold_leaf(struct pass_ctx *c, uint32_t id)
{
	return fold_test(c->ir, id);
}

static void pass_fold(struct pass_ctx *c)
{
	struct ir *ir = c->ir;
	ir->normalize = true;
	for (uint32_t r = 0; r < ir->nrules; r++)
		ir->rules[r].root = rebuild(c, ir->rules[r].root, fold_leaf, 0);
	for (uint32_t g = 0; g < ir->ngroups; g++)
		for (uint32_t i = 0; i < ir->groups[g].n; i++)
			ir->groups[g].roots[i] = rebuild(c, ir->groups[g].roots[i], fold_leaf, 0);
}

/* ------------------------------------------------------------------ evttype */

/* compile-time value of a string test on a known value, or -1 when not decided here */
static int eval_str(const struct ir *ir, const struct ir_node *t, const char *v)
{
	size_t n = strlen(v);
	const struct ir_const *k = &ir->consts[t->b];
	if (t->op == OP_IN || t->op == OP_INTERSECTS) {
		if (k->kind != IRC_STRSET)
			return -1;
		for (uint32_t i = 0; i < k->nitems; i++) {
			const struct ir_const *it = &ir->consts[ir->citems[k->items + i]];
			if (it->len == n && !memcmp(it->s, v, n))
				return 1;
		}
		return 0;
	}
	if (k->kind == IRC_GLOB) {
		char *pat = strndup((const char *)k->s, k->len);
		if (!pat || memchr(k->s, 0, k->len)) {
			free(pat);
			return -1;
		}
		int m = fnmatch(pat, v, k->icase ? FNM_CASEFOLD : 0) == 0;
		free(pat);
		return m;
	}
	if (k->kind != IRC_STR)
		return -1;
	bool eq = k->len == n && !memcmp(k->s, v, n);
	switch (t->op) {
	case OP_EQ: return eq;
	case OP_NE: return !eq;
	case OP_STARTSWITH: return n >= k->len && !memcmp(v, k->s, k->len);
	case OP_ENDSWITH: return n >= k->len && !memcmp(v + n - k->len, k->s, k->len);
	case OP_CONTAINS: return k->len == 0 || memmem(v, n, k->s, k->len) != NULL;
	case OP_ICONTAINS: return rt_helpers_icontains((const uint8_t *)v, n, k->s, k->len);
	default: return -1;
	}
}

static uint32_t evt_leaf(struct pass_ctx *c, uint32_t id)
{
	struct ir *ir = c->ir;
	const struct ir_node *t = &ir->nodes[id];
	const struct ir_slot *s = test_slot(ir, t);
	const char *v = NULL;
	if (s && !s->arg && !t->rhs_val && t->op != OP_EXISTS)
		v = s->field == FLD_EVT_TYPE ? c->name : s->field == FLD_EVT_DIR ? c->dir : NULL;
	int r = v ? eval_str(ir, t, v) : -1;
	return r < 0 ? id : r ? ir_true(ir) : ir_false(ir);
}

/* dep[id]: the node's value can change with the event code (evt.type/evt.dir inside) */
static bool mark_dep(struct pass_ctx *c)
{
	struct ir *ir = c->ir;
	c->dep = calloc(c->limit ? c->limit : 1, 1);
	if (!c->dep) {
		ir->oom = true;
		return false;
	}
	for (uint32_t id = 0; id < c->limit; id++) { /* children always precede parents */
		const struct ir_node *n = &ir->nodes[id];
		if (n->kind == IR_TEST) {
			const struct ir_slot *s = test_slot(ir, n);
			c->dep[id] = s && (s->field == FLD_EVT_TYPE || s->field == FLD_EVT_DIR);
		} else if (n->kind == IR_NOT) {
			c->dep[id] = c->dep[n->a];
		} else if (n->kind == IR_AND || n->kind == IR_OR) {
			for (uint32_t i = 0; i < n->nkids && !c->dep[id]; i++)
				c->dep[id] = c->dep[ir_kids(ir, id)[i]];
		}
	}
	return true;
}

/* the group of rules for one code, specialised; returns group index + 1 or 0 */
static uint32_t specialise_group(struct pass_ctx *c, const struct ir_group *g, uint32_t *rules,
				 uint32_t *roots)
{
	struct ir *ir = c->ir;
	uint32_t n = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		uint32_t r = rebuild(c, g->roots[i], evt_leaf, 0);
		if (r == UINT32_MAX)
			return 0;
		if (ir->nodes[r].kind == IR_FALSE)
			continue;
		rules[n] = g->rules[i];
		roots[n++] = r;
	}
	if (!n)
		return 0;
	uint32_t idx = ir_group_get(ir, rules, roots, n);
	return idx == UINT32_MAX ? 0 : idx + 1;
}

static void pass_evttype(struct pass_ctx *c)
{
	struct ir *ir = c->ir;
	const struct opt_evtinfo *ev = c->o->evt;
	if (!ev || !ev->type_name || !mark_dep(c))
		return;
	uint32_t max = 1;
	for (uint32_t g = 0; g < ir->ngroups; g++)
		max = ir->groups[g].n > max ? ir->groups[g].n : max;
	uint32_t *rules = malloc(max * sizeof(*rules)), *roots = malloc(max * sizeof(*roots));
	uint32_t old_groups = ir->ngroups;
	uint32_t *orig = malloc(FRC_EVT_CODES * sizeof(*orig));
	if (!rules || !roots || !orig) {
		ir->oom = true;
		goto out;
	}
	memcpy(orig, ir->code_group, FRC_EVT_CODES * sizeof(*orig));
	/* codes sharing (name, direction, group) share the result: compute each once */
	for (uint32_t code = 0; code < FRC_EVT_CODES; code++) {
		if (!orig[code] || orig[code] > old_groups)
			continue;
		const char *name = ev->type_name(ev->ctx, code);
		if (!name)
			continue;
		uint32_t prev = FRC_EVT_CODES;
		for (uint32_t p = code & 1; p < code && prev == FRC_EVT_CODES; p += 2) {
			const char *pn = orig[p] == orig[code] ? ev->type_name(ev->ctx, p) : NULL;
			if (pn && !strcmp(pn, name))
				prev = p;
		}
		if (prev < FRC_EVT_CODES) {
			ir->code_group[code] = ir->code_group[prev];
			continue;
		}
		c->name = name;
		c->dir = code & 1 ? "<" : ">";
		c->round++;
		ir->code_group[code] =
			specialise_group(c, &ir->groups[orig[code] - 1], rules, roots);
	}
out:
	free(rules);
	free(roots);
	free(orig);
}

/* ------------------------------------------------------------------ share */

/* worth memoising: a composite condition, or an expensive test */
static bool memo_worthy(const struct ir_node *n)
{
	if (n->kind == IR_AND || n->kind == IR_OR || n->kind == IR_NOT)
		return n->cost >= 4;
	return n->kind == IR_TEST && n->cost >= 8;
}

struct share_walk {
	struct ir *ir;
	uint32_t *refs;		/* references within the current group */
	uint32_t *seen;		/* group stamp: sub-DAG already walked */
	uint32_t stamp;
	uint32_t *touched;	/* nodes whose refs were set in this group */
	uint32_t ntouched;
};

static void share_visit(struct share_walk *w, uint32_t id, unsigned depth)
{
	struct ir *ir = w->ir;
	if (w->refs[id] == 0)
		w->touched[w->ntouched++] = id;
	w->refs[id]++;
	if (w->seen[id] == w->stamp || depth > IR_MAX_DEPTH)
		return;
	w->seen[id] = w->stamp;
	const struct ir_node *n = &ir->nodes[id];
	if (n->kind == IR_NOT)
		share_visit(w, n->a, depth + 1);
	else if (n->kind == IR_AND || n->kind == IR_OR)
		for (uint32_t i = 0; i < n->nkids; i++)
			share_visit(w, ir_kids(ir, id)[i], depth + 1);
}

static bool group_used(const struct ir *ir, uint32_t g)
{
	if (ir->other_group == g + 1)
		return true;
	for (uint32_t c = 0; c < FRC_EVT_CODES; c++)
		if (ir->code_group[c] == g + 1)
			return true;
	return false;
}

static void pass_share(struct pass_ctx *c)
{
	struct ir *ir = c->ir;
	uint32_t nn = ir->nnodes;
	struct share_walk w = { .ir = ir };
	free(ir->memo);
	ir->memo = calloc(nn ? nn : 1, sizeof(*ir->memo));
	ir->nmemo_nodes = nn;
	ir->nmemo = 0;
	w.refs = calloc(nn ? nn : 1, sizeof(*w.refs));
	w.seen = calloc(nn ? nn : 1, sizeof(*w.seen));
	w.touched = malloc((nn ? nn : 1) * sizeof(*w.touched));
	if (!ir->memo || !w.refs || !w.seen || !w.touched) {
		ir->oom = true;
		goto out;
	}
	for (uint32_t g = 0; g < ir->ngroups; g++) {
		if (!group_used(ir, g))
			continue;
		w.stamp = g + 1;
		w.ntouched = 0;
		for (uint32_t i = 0; i < ir->groups[g].n; i++)
			share_visit(&w, ir->groups[g].roots[i], 0);
		for (uint32_t i = 0; i < w.ntouched; i++) {
			uint32_t id = w.touched[i];
			if (w.refs[id] >= 2 && !ir->memo[id] && memo_worthy(&ir->nodes[id]))
				ir->memo[id] = ++ir->nmemo;
			w.refs[id] = 0;
		}
	}
out:
	free(w.refs);
	free(w.seen);
	free(w.touched);
}

/* ------------------------------------------------------------------ driver */

struct opt_pass {
	const char *name;
	void (*run)(struct pass_ctx *c);
};

static const struct opt_pass passes[] = {
	{ "fold", pass_fold },
	{ "evttype", pass_evttype },
	{ "share", pass_share },
};

const char *const opt_pass_names[] = { "fold", "evttype", "share", NULL };

uint32_t opt_run(struct ir *ir, const struct opt_opts *o, struct ir_diag *d)
{
	if (o->level == 0) {
		free(ir->memo);
		ir->memo = NULL;
		ir->nmemo = ir->nmemo_nodes = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(passes) / sizeof(passes[0]) && !ir->oom; i++) {
		struct pass_ctx c;
		if (!ctx_init(&c, ir, o))
			break;
		passes[i].run(&c);
		ctx_fini(&c);
		if (o->after && !ir->oom)
			o->after(o->after_ctx, passes[i].name, ir);
	}
	if (ir->oom) {
		ir_diag_error(d, NULL, "out of memory while optimising");
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ event table */

static const char *evtab_type_name(void *ctx, unsigned code)
{
	(void)ctx;
	if (code == 0 || code == 1 || code == 402 || code >= evtab_ncodes)
		return NULL;
	const struct evt_schema *s = evtab_schema((uint16_t)code);
	if (!s || !s->name || (s->flags & EVF_UNUSED))
		return NULL;
	return s->name;
}

const struct opt_evtinfo *opt_evtinfo_evtab(void)
{
	static const struct opt_evtinfo info = { evtab_type_name, NULL };
	return &info;
}
