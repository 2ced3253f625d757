/* SPDX-License-Identifier: Apache-2.0
 *
 * The predicate IR (see ir.h): hash-consed node construction, and/or normalisation
 * (flattening, constant folding, deduplication, complement detection, cheap-first
 * ordering), interned constants and field slots, dispatch groups and the IR dump.
 */
#include "ir.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cstr.h"
#include "frc_rt_abi.h"
#include "rt_helpers.h"

void ir_init(struct ir *ir)
{
	memset(ir, 0, sizeof(*ir));
	arena_init(&ir->arena);
	ir->normalize = true;
}

void ir_fini(struct ir *ir)
{
	for (uint32_t i = 0; i < ir->ngroups; i++) {
		free(ir->groups[i].rules);
		free(ir->groups[i].roots);
	}
	free(ir->groups);
	free(ir->memo);
	free(ir->nodes);
	free(ir->kids);
	free(ir->consts);
	free(ir->citems);
	free(ir->slots);
	free(ir->rules);
	free(ir->nhash);
	free(ir->chash);
	free(ir->shash);
	arena_free_all(&ir->arena);
	memset(ir, 0, sizeof(*ir));
}

/* grow *arr (element size @sz) to hold @need elements */
static bool grow(struct ir *ir, void **arr, uint32_t *cap, uint32_t need, size_t sz)
{
	if (need <= *cap)
		return true;
	uint64_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	if (nc > UINT32_MAX || nc * sz > SIZE_MAX / 2) {
		ir->oom = true;
		return false;
	}
	void *p = realloc(*arr, (size_t)nc * sz);
	if (!p) {
		ir->oom = true;
		return false;
	}
	*arr = p;
	*cap = (uint32_t)nc;
	return true;
}

static uint32_t mix(uint32_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (uint32_t)(v & 0xff);
		h *= 16777619u;
		v >>= 8;
	}
	return h;
}

/* ------------------------------------------------------------------ hash tables */

/*
 * Open-addressing table of indexes + 1. @eq compares a candidate index with the key;
 * returns the slot where the key is or should go.
 */
typedef bool (*eq_fn)(const struct ir *ir, uint32_t idx, const void *key);

static uint32_t *tab_find(const struct ir *ir, uint32_t *tab, uint32_t cap, uint32_t h,
			  eq_fn eq, const void *key)
{
	uint32_t m = cap - 1, i = h & m;
	while (tab[i] && !eq(ir, tab[i] - 1, key))
		i = (i + 1) & m;
	return &tab[i];
}

/* rehash when more than half full; @hash_of recomputes the hash of an existing index */
static bool tab_reserve(struct ir *ir, uint32_t **tab, uint32_t *cap, uint32_t count,
			uint32_t (*hash_of)(const struct ir *, uint32_t))
{
	if (*cap && (uint64_t)(count + 1) * 2 <= *cap)
		return true;
	uint64_t nc = *cap ? (uint64_t)*cap * 2 : 1024;
	while ((uint64_t)(count + 1) * 2 > nc)
		nc *= 2;
	if (nc > (1u << 30)) {
		ir->oom = true;
		return false;
	}
	uint32_t *nt = calloc(nc, sizeof(*nt));
	if (!nt) {
		ir->oom = true;
		return false;
	}
	for (uint32_t i = 0; i < *cap; i++) {
		if (!(*tab)[i])
			continue;
		uint32_t j = hash_of(ir, (*tab)[i] - 1) & (uint32_t)(nc - 1);
		while (nt[j])
			j = (j + 1) & (uint32_t)(nc - 1);
		nt[j] = (*tab)[i];
	}
	free(*tab);
	*tab = nt;
	*cap = (uint32_t)nc;
	return true;
}

/* ------------------------------------------------------------------ nodes */

struct node_key {
	const struct ir_node *t;
	const uint32_t *kids;
	uint32_t nkids;
};

static uint32_t node_hash_parts(const struct ir_node *t, const uint32_t *kids, uint32_t n)
{
	uint32_t h = 2166136261u;
	h = mix(h, (uint64_t)t->kind | (uint64_t)t->op << 8 | (uint64_t)t->quant << 16 |
			   (uint64_t)t->rhs_val << 24 | (uint64_t)t->type << 32);
	h = mix(h, (uint64_t)t->a << 32 | t->b);
	h = mix(h, n);
	for (uint32_t i = 0; i < n; i++)
		h = mix(h, kids[i]);
	return h;
}

static uint32_t node_hash_idx(const struct ir *ir, uint32_t id)
{
	return node_hash_parts(&ir->nodes[id], ir_kids(ir, id), ir->nodes[id].nkids);
}

static bool node_eq(const struct ir *ir, uint32_t id, const void *key)
{
	const struct node_key *k = key;
	const struct ir_node *n = &ir->nodes[id];
	if (n->kind != k->t->kind || n->op != k->t->op || n->quant != k->t->quant ||
	    n->rhs_val != k->t->rhs_val || n->type != k->t->type || n->a != k->t->a ||
	    n->b != k->t->b || n->nkids != k->nkids)
		return false;
	return !k->nkids || !memcmp(ir_kids(ir, id), k->kids, k->nkids * sizeof(uint32_t));
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* cost of extracting a field (rough: where the value comes from) */
static uint32_t field_cost(const struct ir_slot *s)
{
	uint32_t fl = field_table[s->field].flags;
	const char *name = field_table[s->field].name;
	if ((fl & FF_ANCESTOR) && s->arg_index < 0)
		return 12;
	if (fl & FF_ANCESTOR)
		return 3 + (uint32_t)(s->arg_index > 8 ? 8 : s->arg_index);
	if (strstr(name, ".name") && (fl & FF_FD) && strncmp(name, "fd.name", 7))
		return 40; /* DNS-backed fd.*ip.name */
	if (!strncmp(name, "evt.", 4))
		return s->field == FLD_EVT_ARGS || s->field == FLD_EVT_ARG ? 4 : 1;
	if (fl & FF_FD)
		return 3;
	if (s->field == FLD_PROC_ENV)
		return 6;
	return 2;
}

static uint32_t op_cost(const struct ir *ir, const struct ir_node *t)
{
	if (t->rhs_val)
		return 4;
	const struct ir_const *c = t->op == OP_EXISTS ? NULL : &ir->consts[t->b];
	switch ((enum cmp_op)t->op) {
	case OP_EXISTS:
		return 0;
	case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
	case OP_STARTSWITH: case OP_BSTARTSWITH: case OP_ENDSWITH:
		return 1;
	case OP_IN: case OP_INTERSECTS:
		return c->nitems > 8 ? 3 : 2;
	case OP_CONTAINS: case OP_BCONTAINS:
		return 3;
	case OP_ICONTAINS:
		return 4;
	case OP_GLOB: case OP_IGLOB: {
		size_t o, l;
		return rt_helpers_glob_kind(c->s, c->len, &o, &l) == FRC_GLOB_FNMATCH ? 6 : 2;
	}
	case OP_PMATCH:
		return 6;
	case OP_REGEX:
		return 12;
	case OP__COUNT:
		break;
	}
	return 4;
}

static uint32_t value_cost(const struct ir *ir, uint32_t id)
{
	const struct ir_node *n = &ir->nodes[id];
	switch ((enum ir_kind)n->kind) {
	case IR_VFIELD:
		return field_cost(&ir->slots[n->a]);
	case IR_VXFORM:
	case IR_VCONST:
	case IR_TRUE: case IR_FALSE: case IR_AND: case IR_OR: case IR_NOT: case IR_TEST:
	case IR__COUNT:
		return n->cost;
	}
	return n->cost;
}

static uint32_t node_cost(const struct ir *ir, const struct ir_node *t, const uint32_t *kids,
			  uint32_t n)
{
	uint32_t c = 0;
	switch ((enum ir_kind)t->kind) {
	case IR_TRUE: case IR_FALSE: case IR_VCONST: case IR_VFIELD:
		return 0;
	case IR_NOT:
		return ir->nodes[t->a].cost;
	case IR_TEST:
		c = sat_add(value_cost(ir, t->a), op_cost(ir, t));
		if (t->rhs_val)
			c = sat_add(c, value_cost(ir, t->b));
		return c;
	case IR_AND: case IR_OR:
		for (uint32_t i = 0; i < n; i++)
			c = sat_add(c, ir->nodes[kids[i]].cost);
		return c;
	case IR_VXFORM:
		c = 5;
		for (uint32_t i = 0; i < n; i++)
			c = sat_add(c, value_cost(ir, kids[i]));
		return c;
	case IR__COUNT:
		break;
	}
	return c;
}

/* estimated probability (per mille) that a test is true, from its operator alone: equality
 * and matching tests are usually false, their negations and existence usually true */
static uint32_t op_ptrue(const struct ir *ir, const struct ir_node *t)
{
	if (t->rhs_val)
		return t->op == OP_NE ? 700 : t->op == OP_EQ ? 300 : 500;
	switch ((enum cmp_op)t->op) {
	case OP_EXISTS:
		return 900;
	case OP_NE:
		return 950;
	case OP_EQ:
		return 50;
	case OP_IN: case OP_INTERSECTS: {
		uint32_t n = ir->consts[t->b].nitems;
		return 50 + 10 * (n > 30 ? 30 : n);
	}
	case OP_STARTSWITH: case OP_BSTARTSWITH: case OP_ENDSWITH: case OP_CONTAINS:
	case OP_BCONTAINS: case OP_ICONTAINS: case OP_GLOB: case OP_IGLOB: case OP_REGEX:
		return 100;
	case OP_PMATCH:
		return 200;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP__COUNT:
		break;
	}
	return 500;
}

static uint32_t clamp_p(double p)
{
	long v = (long)(p + 0.5);
	return v < 1 ? 1 : v > 999 ? 999 : (uint32_t)v;
}

static uint32_t clamp_e(double e)
{
	return e < 1 ? 1 : e >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

/* @n->ptrue and @n->ecost from the children in their evaluation order */
static void node_estimate(const struct ir *ir, struct ir_node *n, const uint32_t *kids,
			  uint32_t nkids)
{
	double reach = 1, e = 0;
	switch ((enum ir_kind)n->kind) {
	case IR_TRUE:
		n->ptrue = 999;
		n->ecost = 1;
		return;
	case IR_FALSE:
		n->ptrue = 1;
		n->ecost = 1;
		return;
	case IR_NOT:
		n->ptrue = (uint16_t)(1000 - ir->nodes[n->a].ptrue);
		n->ecost = ir->nodes[n->a].ecost;
		return;
	case IR_TEST:
		n->ptrue = (uint16_t)op_ptrue(ir, n);
		n->ecost = clamp_e(16.0 * n->cost);
		return;
	case IR_AND: case IR_OR:
		for (uint32_t i = 0; i < nkids; i++) {
			const struct ir_node *k = &ir->nodes[kids[i]];
			double p = k->ptrue / 1000.0;
			e += reach * k->ecost;
			reach *= n->kind == IR_AND ? p : 1 - p;
		}
		n->ptrue = (uint16_t)clamp_p(1000 * (n->kind == IR_AND ? reach : 1 - reach));
		n->ecost = clamp_e(e);
		return;
	case IR_VFIELD: case IR_VXFORM: case IR_VCONST: case IR__COUNT:
		break;
	}
	n->ptrue = 500;
	n->ecost = clamp_e(16.0 * n->cost);
}

uint32_t ir_node_get(struct ir *ir, const struct ir_node *tmpl, const uint32_t *kids,
		     uint32_t nkids)
{
	if (ir->oom)
		return UINT32_MAX;
	struct node_key key = { tmpl, kids, nkids };
	uint32_t h = node_hash_parts(tmpl, kids, nkids);
	if (!tab_reserve(ir, &ir->nhash, &ir->nhash_cap, ir->nnodes, node_hash_idx))
		return UINT32_MAX;
	uint32_t *slot = tab_find(ir, ir->nhash, ir->nhash_cap, h, node_eq, &key);
	if (*slot)
		return *slot - 1;
	if (ir->nnodes >= IR_MAX_NODES || (uint64_t)ir->nkids + nkids > UINT32_MAX ||
	    !grow(ir, (void **)&ir->nodes, &ir->cap_nodes, ir->nnodes + 1, sizeof(*ir->nodes)) ||
	    !grow(ir, (void **)&ir->kids, &ir->cap_kids, ir->nkids + nkids, sizeof(*ir->kids))) {
		ir->oom = true;
		return UINT32_MAX;
	}
	struct ir_node *n = &ir->nodes[ir->nnodes];
	*n = *tmpl;
	n->kids = ir->nkids;
	n->nkids = nkids;
	if (nkids)
		memcpy(ir->kids + ir->nkids, kids, nkids * sizeof(uint32_t));
	ir->nkids += nkids;
	n->cost = node_cost(ir, n, kids, nkids);
	node_estimate(ir, n, kids, nkids);
	*slot = ++ir->nnodes;
	return ir->nnodes - 1;
}

static uint32_t leaf(struct ir *ir, enum ir_kind k)
{
	struct ir_node t = { .kind = (uint8_t)k };
	return ir_node_get(ir, &t, NULL, 0);
}

uint32_t ir_true(struct ir *ir)
{
	return leaf(ir, IR_TRUE);
}

uint32_t ir_false(struct ir *ir)
{
	return leaf(ir, IR_FALSE);
}

uint32_t ir_not(struct ir *ir, uint32_t child)
{
	if (child == UINT32_MAX)
		return UINT32_MAX;
	if (ir->normalize) {
		const struct ir_node *c = &ir->nodes[child];
		if (c->kind == IR_TRUE)
			return ir_false(ir);
		if (c->kind == IR_FALSE)
			return ir_true(ir);
		if (c->kind == IR_NOT)
			return c->a;
	}
	struct ir_node t = { .kind = IR_NOT, .a = child };
	return ir_node_get(ir, &t, NULL, 0);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct order_ctx {
	const struct ir *ir;
	enum ir_kind kind;
};

/* P(child decides the and/or), per mille: false for and, true for or */
static uint64_t decides(const struct order_ctx *o, uint32_t id)
{
	uint32_t p = o->ir->nodes[id].ptrue;
	return o->kind == IR_AND ? 1000 - p : p;
}

/* Sort key for children: expected cost over the probability that the child decides the
 * result (the order that minimises the expected cost of independent children), then id:
 * tests that are cheap and likely to end the evaluation first, deterministic. */
static int cmp_cost(const void *a, const void *b, void *ctx)
{
	const struct order_ctx *o = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t kx = (uint64_t)o->ir->nodes[x].ecost * decides(o, y);
	uint64_t ky = (uint64_t)o->ir->nodes[y].ecost * decides(o, x);
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* append @id to the flattened child list of an and/or, absorbing nested same-kind nodes */
static bool flat_add(struct ir *ir, enum ir_kind k, uint32_t id, uint32_t **buf, uint32_t *n,
		     uint32_t *cap, bool *absorbed, unsigned depth)
{
	const struct ir_node *c = &ir->nodes[id];
	enum ir_kind unit = k == IR_AND ? IR_TRUE : IR_FALSE;
	enum ir_kind zero = k == IR_AND ? IR_FALSE : IR_TRUE;
	if (c->kind == unit)
		return true;
	if (c->kind == zero) {
		*absorbed = true;
		return true;
	}
	if (c->kind == k && depth < IR_MAX_DEPTH) {
		for (uint32_t i = 0; i < c->nkids; i++)
			if (!flat_add(ir, k, ir_kids(ir, id)[i], buf, n, cap, absorbed, depth + 1))
				return false;
		return true;
	}
	if (!grow(ir, (void **)buf, cap, *n + 1, sizeof(**buf)))
		return false;
	(*buf)[(*n)++] = id;
	return true;
}

static bool has_kid(const uint32_t *sorted, uint32_t n, uint32_t id)
{
	return bsearch(&id, sorted, n, sizeof(*sorted), cmp_u32) != NULL;
}

#define IR_MAX_FACTOR_DEPTH 32

struct conj {
	uint32_t id;	/* conjunct */
	uint32_t kid;	/* index of the or's child it belongs to */
};

static int cmp_conj(const void *a, const void *b)
{
	const struct conj *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->kid < y->kid ? -1 : x->kid > y->kid;
}

/*
 * Factoring of an or (children @kids, sorted by id and unique): the conjunct K found in
 * most and-children, with every other conjunct all of those children share (C), gives
 *     (K and C and A) or (K and C and B) or R   ->   (K and C and (A or B)) or R
 * so K and C are tested once. Before that, and-children with a conjunct that is itself a
 * child of the or are absorbed: K or (K and A) -> K. Returns the new node, or UINT32_MAX
 * when nothing applies (or on allocation failure, with @ir->oom set).
 */
static uint32_t factor_or(struct ir *ir, const uint32_t *kids, uint32_t n)
{
	struct conj *cj = NULL;
	uint32_t ncj = 0, total = 0, res = UINT32_MAX;
	uint32_t *sel = NULL, *common = NULL, *tmp = NULL, *rest = NULL;
	uint8_t *in = NULL;
	/* absorption first: k or (k and a) -> k */
	bool absorb = false;
	for (uint32_t i = 0; i < n && !absorb; i++) {
		const struct ir_node *c = &ir->nodes[kids[i]];
		if (c->kind != IR_AND)
			continue;
		for (uint32_t j = 0; j < c->nkids && !absorb; j++)
			absorb = has_kid(kids, n, ir_kids(ir, kids[i])[j]);
	}
	if (absorb) {
		rest = malloc(n * sizeof(*rest));
		if (!rest)
			goto oom;
		uint32_t m = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct ir_node *c = &ir->nodes[kids[i]];
			bool drop = false;
			for (uint32_t j = 0; c->kind == IR_AND && j < c->nkids && !drop; j++)
				drop = has_kid(kids, n, ir_kids(ir, kids[i])[j]);
			if (!drop)
				rest[m++] = kids[i];
		}
		res = ir_or(ir, rest, m);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		if (ir->nodes[kids[i]].kind == IR_AND)
			total = sat_add(total, ir->nodes[kids[i]].nkids);
	if (total < 4 || total == UINT32_MAX)
		return UINT32_MAX;
	cj = malloc(total * sizeof(*cj));
	if (!cj)
		goto oom;
	for (uint32_t i = 0; i < n; i++) {
		const struct ir_node *c = &ir->nodes[kids[i]];
		if (c->kind != IR_AND)
			continue;
		for (uint32_t j = 0; j < c->nkids; j++)
			cj[ncj++] = (struct conj){ ir_kids(ir, kids[i])[j], i };
	}
	qsort(cj, ncj, sizeof(*cj), cmp_conj);
	/* K: the conjunct of most children (first by id on ties) */
	uint32_t best = 0, bestn = 0;
	for (uint32_t i = 0; i < ncj;) {
		uint32_t j = i;
		while (j < ncj && cj[j].id == cj[i].id)
			j++;
		if (j - i > bestn) {
			bestn = j - i;
			best = i;
		}
		i = j;
	}
	if (bestn < 2) {
		free(cj);
		return UINT32_MAX;
	}
	in = calloc(n, 1);
	sel = malloc(n * sizeof(*sel));
	rest = malloc(n * sizeof(*rest));
	common = malloc(ncj * sizeof(*common));
	tmp = malloc(ncj * sizeof(*tmp));
	if (!in || !sel || !rest || !common || !tmp)
		goto oom;
	for (uint32_t i = best; i < best + bestn; i++)
		in[cj[i].kid] = 1;
	uint32_t nrest = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!in[i])
			rest[nrest++] = kids[i];
	/* C: conjuncts present in every selected child (cj is sorted by conjunct) */
	uint32_t ncommon = 0;
	for (uint32_t i = 0; i < ncj;) {
		uint32_t j = i, cnt = 0;
		while (j < ncj && cj[j].id == cj[i].id)
			cnt += in[cj[j++].kid];
		if (cnt == bestn)
			common[ncommon++] = cj[i].id;
		i = j;
	}
	/* the remainders of the selected children */
	uint32_t nsel = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		uint32_t m = 0;
		const uint32_t *ck = ir_kids(ir, kids[i]);
		for (uint32_t j = 0; j < ir->nodes[kids[i]].nkids; j++)
			if (!has_kid(common, ncommon, ck[j]))
				tmp[m++] = ck[j];
		sel[nsel++] = ir_and(ir, tmp, m);
	}
	uint32_t inner = ir_or(ir, sel, nsel);
	if (inner == UINT32_MAX)
		goto out;
	common[ncommon++] = inner;
	rest[nrest++] = ir_and(ir, common, ncommon);
	res = ir_or(ir, rest, nrest);
	goto out;
oom:
	ir->oom = true;
out:
	free(cj);
	free(in);
	free(sel);
	free(rest);
	free(common);
	free(tmp);
	return res;
}

static uint32_t build_nary(struct ir *ir, enum ir_kind k, const uint32_t *kids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (kids[i] == UINT32_MAX)
			return UINT32_MAX;
	if (!ir->normalize) {
		if (n == 0)
			return k == IR_AND ? ir_true(ir) : ir_false(ir);
		struct ir_node t = { .kind = (uint8_t)k };
		return ir_node_get(ir, &t, kids, n);
	}
	uint32_t *buf = NULL, m = 0, cap = 0, res;
	bool absorbed = false;
	for (uint32_t i = 0; i < n && !absorbed; i++)
		if (!flat_add(ir, k, kids[i], &buf, &m, &cap, &absorbed, 0)) {
			free(buf);
			return UINT32_MAX;
		}
	if (absorbed) {
		free(buf);
		return k == IR_AND ? ir_false(ir) : ir_true(ir);
	}
	if (m)
		qsort(buf, m, sizeof(*buf), cmp_u32);
	uint32_t u = 0;
	for (uint32_t i = 0; i < m; i++)
		if (!u || buf[u - 1] != buf[i])
			buf[u++] = buf[i];
	for (uint32_t i = 0; i < u; i++) {
		const struct ir_node *c = &ir->nodes[buf[i]];
		if (c->kind == IR_NOT && has_kid(buf, u, c->a)) {
			free(buf);
			return k == IR_AND ? ir_false(ir) : ir_true(ir);
		}
	}
	if (k == IR_OR && u > 1 && ir->factor_depth < IR_MAX_FACTOR_DEPTH) {
		ir->factor_depth++;
		res = factor_or(ir, buf, u);
		ir->factor_depth--;
		if (res != UINT32_MAX || ir->oom) {
			free(buf);
			return ir->oom ? UINT32_MAX : res;
		}
	}
	if (u == 0)
		res = k == IR_AND ? ir_true(ir) : ir_false(ir);
	else if (u == 1)
		res = buf[0];
	else {
		struct order_ctx oc = { ir, k };
		qsort_r(buf, u, sizeof(*buf), cmp_cost, &oc);
		struct ir_node t = { .kind = (uint8_t)k };
		res = ir_node_get(ir, &t, buf, u);
	}
	free(buf);
	return res;
}

uint32_t ir_and(struct ir *ir, const uint32_t *kids, uint32_t n)
{
	return build_nary(ir, IR_AND, kids, n);
}

uint32_t ir_or(struct ir *ir, const uint32_t *kids, uint32_t n)
{
	return build_nary(ir, IR_OR, kids, n);
}

/* ------------------------------------------------------------------ constants */

static uint32_t const_hash_parts(const struct ir_const *c, const uint32_t *items, uint32_t n)
{
	uint32_t h = 2166136261u;
	h = mix(h, (uint64_t)c->kind | (uint64_t)c->sgn << 8 | (uint64_t)c->icase << 16);
	h = mix(h, c->len);
	if (c->len)
		h ^= rt_helpers_hash(c->s, c->len);
	h = mix(h, c->u);
	h = mix(h, (uint64_t)c->ip.family << 8 | c->ip.prefix);
	for (int i = 0; i < 16; i++)
		h = mix(h, c->ip.b[i]);
	h = mix(h, n);
	for (uint32_t i = 0; i < n; i++)
		h = mix(h, items[i]);
	return h;
}

static uint32_t const_hash_idx(const struct ir *ir, uint32_t id)
{
	const struct ir_const *c = &ir->consts[id];
	return const_hash_parts(c, ir->citems + c->items, c->nitems);
}

struct const_key {
	const struct ir_const *c;
	const uint32_t *items;
	uint32_t n;
};

static bool const_eq(const struct ir *ir, uint32_t id, const void *key)
{
	const struct const_key *k = key;
	const struct ir_const *a = &ir->consts[id], *b = k->c;
	if (a->kind != b->kind || a->sgn != b->sgn || a->icase != b->icase || a->len != b->len ||
	    a->u != b->u || memcmp(&a->ip, &b->ip, sizeof(a->ip)) || a->nitems != k->n)
		return false;
	if (a->len && memcmp(a->s, b->s, a->len))
		return false;
	return !k->n || !memcmp(ir->citems + a->items, k->items, k->n * sizeof(uint32_t));
}

uint32_t ir_const_get(struct ir *ir, const struct ir_const *c, const uint32_t *items,
		      uint32_t nitems)
{
	if (ir->oom)
		return UINT32_MAX;
	struct ir_const t = *c;
	t.items = 0;
	t.nitems = nitems;
	if (!t.len)
		t.s = (const uint8_t *)"";
	struct const_key key = { &t, items, nitems };
	if (!tab_reserve(ir, &ir->chash, &ir->chash_cap, ir->nconsts, const_hash_idx))
		return UINT32_MAX;
	uint32_t *slot = tab_find(ir, ir->chash, ir->chash_cap, const_hash_parts(&t, items, nitems),
				  const_eq, &key);
	if (*slot)
		return *slot - 1;
	if ((uint64_t)ir->ncitems + nitems > UINT32_MAX ||
	    !grow(ir, (void **)&ir->consts, &ir->cap_consts, ir->nconsts + 1, sizeof(t)) ||
	    !grow(ir, (void **)&ir->citems, &ir->cap_citems, ir->ncitems + nitems, sizeof(uint32_t)))
		return UINT32_MAX;
	t.items = ir->ncitems;
	if (nitems)
		memcpy(ir->citems + ir->ncitems, items, nitems * sizeof(uint32_t));
	ir->ncitems += nitems;
	ir->consts[ir->nconsts] = t;
	*slot = ++ir->nconsts;
	return ir->nconsts - 1;
}

/* ------------------------------------------------------------------ slots */

struct slot_key {
	enum field_id field;
	const char *arg;
	uint32_t arg_len;
	int64_t arg_index;
};

static uint32_t slot_hash_parts(enum field_id f, const char *arg, uint32_t len, int64_t idx)
{
	uint32_t h = mix(2166136261u, (uint64_t)f);
	h = mix(h, (uint64_t)idx);
	if (arg && len)
		h ^= rt_helpers_hash(arg, len);
	return mix(h, len);
}

static uint32_t slot_hash_idx(const struct ir *ir, uint32_t id)
{
	const struct ir_slot *s = &ir->slots[id];
	return slot_hash_parts(s->field, s->arg, s->arg_len, s->arg_index);
}

static bool slot_eq(const struct ir *ir, uint32_t id, const void *key)
{
	const struct slot_key *k = key;
	const struct ir_slot *s = &ir->slots[id];
	return s->field == k->field && s->arg_index == k->arg_index && s->arg_len == k->arg_len &&
	       (!k->arg_len || !memcmp(s->arg, k->arg, k->arg_len));
}

uint32_t ir_slot_get(struct ir *ir, enum field_id field, const char *arg, uint32_t arg_len,
		     int64_t arg_index)
{
	if (ir->oom)
		return UINT32_MAX;
	if (!arg)
		arg_len = 0;
	struct slot_key key = { field, arg, arg_len, arg_index };
	if (!tab_reserve(ir, &ir->shash, &ir->shash_cap, ir->nslots, slot_hash_idx))
		return UINT32_MAX;
	uint32_t *slot = tab_find(ir, ir->shash, ir->shash_cap,
				  slot_hash_parts(field, arg, arg_len, arg_index), slot_eq, &key);
	if (*slot)
		return *slot - 1;
	if (!grow(ir, (void **)&ir->slots, &ir->cap_slots, ir->nslots + 1, sizeof(*ir->slots)))
		return UINT32_MAX;
	struct ir_slot *s = &ir->slots[ir->nslots];
	s->field = field;
	s->arg = arg_len ? arena_strndup(&ir->arena, arg, arg_len) : NULL;
	s->arg_len = arg_len;
	s->arg_index = arg_index;
	if (arg_len && !s->arg) {
		ir->oom = true;
		return UINT32_MAX;
	}
	*slot = ++ir->nslots;
	return ir->nslots - 1;
}

/* ------------------------------------------------------------------ groups */

uint32_t ir_group_get(struct ir *ir, const uint32_t *rules, const uint32_t *roots, uint32_t n)
{
	for (uint32_t i = 0; i < ir->ngroups; i++) {
		const struct ir_group *g = &ir->groups[i];
		if (g->n == n && (!n || (!memcmp(g->rules, rules, n * sizeof(*rules)) &&
					 !memcmp(g->roots, roots, n * sizeof(*roots)))))
			return i;
	}
	if (!grow(ir, (void **)&ir->groups, &ir->cap_groups, ir->ngroups + 1, sizeof(*ir->groups)))
		return UINT32_MAX;
	struct ir_group *g = &ir->groups[ir->ngroups];
	g->n = n;
	g->rules = malloc((n ? n : 1) * sizeof(uint32_t));
	g->roots = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!g->rules || !g->roots) {
		free(g->rules);
		free(g->roots);
		ir->oom = true;
		return UINT32_MAX;
	}
	if (n) {
		memcpy(g->rules, rules, n * sizeof(uint32_t));
		memcpy(g->roots, roots, n * sizeof(uint32_t));
	}
	return ir->ngroups++;
}

/* ------------------------------------------------------------------ names */

const char *ir_op_name(unsigned op)
{
	static const char *const names[OP__COUNT] = {
		[OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">",
		[OP_GE] = ">=", [OP_CONTAINS] = "contains", [OP_ICONTAINS] = "icontains",
		[OP_BCONTAINS] = "bcontains", [OP_STARTSWITH] = "startswith",
		[OP_BSTARTSWITH] = "bstartswith", [OP_ENDSWITH] = "endswith", [OP_GLOB] = "glob",
		[OP_IGLOB] = "iglob", [OP_REGEX] = "regex", [OP_IN] = "in",
		[OP_INTERSECTS] = "intersects", [OP_PMATCH] = "pmatch", [OP_EXISTS] = "exists",
	};
	return op < OP__COUNT ? names[op] : "?op";
}

const char *ir_xform_name(unsigned k)
{
	static const char *const names[XF__COUNT] = {
		[XF_TOLOWER] = "tolower", [XF_TOUPPER] = "toupper", [XF_B64] = "b64",
		[XF_BASENAME] = "basename", [XF_LEN] = "len", [XF_JOIN] = "join",
		[XF_CONCAT] = "concat", [XF_GETOPT] = "getopt",
	};
	return k < XF__COUNT ? names[k] : "?xform";
}

/* ------------------------------------------------------------------ dump */

static void dump_bytes(struct cw *w, const uint8_t *s, uint32_t len)
{
	uint32_t n = len > 200 ? 200 : len;
	char *tmp = malloc(4 * (size_t)n + 1);
	if (!tmp) {
		w->oom = true;
		return;
	}
	cstr_escape(tmp, s, n);
	cw_put(w, "\"%s\"%s", tmp, n < len ? "..." : "");
	free(tmp);
}

static void dump_ip(struct cw *w, const struct ir_ip *ip, bool net)
{
	if (ip->family == 4)
		cw_put(w, "%u.%u.%u.%u", ip->b[0], ip->b[1], ip->b[2], ip->b[3]);
	else
		for (int i = 0; i < 16; i += 2)
			cw_put(w, "%s%x", i ? ":" : "", (unsigned)(ip->b[i] << 8 | ip->b[i + 1]));
	if (net)
		cw_put(w, "/%u", ip->prefix);
}

static void dump_const(struct cw *w, const struct ir *ir, uint32_t id)
{
	static const char *const kn[IRC__COUNT] = {
		[IRC_STR] = "str", [IRC_NUM] = "num", [IRC_IP] = "ip", [IRC_NET] = "net",
		[IRC_STRSET] = "strset", [IRC_NUMSET] = "numset", [IRC_IPSET] = "ipset",
		[IRC_NETSET] = "netset", [IRC_GLOB] = "glob", [IRC_REGEX] = "regex",
		[IRC_PMATCH] = "pmatch",
	};
	const struct ir_const *c = &ir->consts[id];
	cw_put(w, "#%" PRIu32 " %s%s ", id, kn[c->kind], c->icase ? " icase" : "");
	switch ((enum ir_ckind)c->kind) {
	case IRC_STR: case IRC_GLOB: case IRC_REGEX:
		dump_bytes(w, c->s, c->len);
		break;
	case IRC_NUM:
		if (c->sgn)
			cw_put(w, "%" PRId64, (int64_t)c->u);
		else
			cw_put(w, "%" PRIu64, c->u);
		break;
	case IRC_IP: case IRC_NET:
		dump_ip(w, &c->ip, c->kind == IRC_NET);
		break;
	case IRC_STRSET: case IRC_NUMSET: case IRC_IPSET: case IRC_NETSET: case IRC_PMATCH:
		cw_put(w, "{");
		for (uint32_t i = 0; i < c->nitems; i++)
			cw_put(w, "%s#%" PRIu32, i ? " " : "", ir->citems[c->items + i]);
		cw_put(w, "}");
		break;
	case IRC__COUNT:
		break;
	}
}

static void dump_slot(struct cw *w, const struct ir *ir, uint32_t id)
{
	const struct ir_slot *s = &ir->slots[id];
	cw_put(w, "%s", field_table[s->field].name);
	if (s->arg_index >= 0 && !s->arg)
		cw_put(w, "[%" PRId64 "]", s->arg_index);
	else if (s->arg) {
		cw_put(w, "[");
		dump_bytes(w, (const uint8_t *)s->arg, s->arg_len);
		cw_put(w, "]");
	}
}

static void dump_value(struct cw *w, const struct ir *ir, uint32_t id)
{
	const struct ir_node *n = &ir->nodes[id];
	if (n->kind == IR_VFIELD) {
		cw_put(w, "$%" PRIu32, n->a);
	} else if (n->kind == IR_VCONST) {
		cw_put(w, "#%" PRIu32, n->a);
	} else {
		cw_put(w, "%s(", ir_xform_name(n->op));
		for (uint32_t i = 0; i < n->nkids; i++) {
			if (i)
				cw_put(w, ", ");
			dump_value(w, ir, ir_kids(ir, id)[i]);
		}
		cw_put(w, ")");
		if (n->b != UINT32_MAX)
			cw_put(w, "[#%" PRIu32 "]", n->b);
	}
}

static void dump_cond(struct cw *w, const struct ir *ir, uint32_t id, uint8_t *seen,
		      unsigned depth)
{
	const struct ir_node *n = &ir->nodes[id];
	cw_tabs(w);
	if (depth > IR_MAX_DEPTH) {
		cw_put(w, "@%" PRIu32 " ...\n", id);
		return;
	}
	if (seen[id] && n->nkids) {
		cw_put(w, "@%" PRIu32 " (above)\n", id);
		return;
	}
	seen[id] = 1;
	cw_put(w, "@%" PRIu32 " ", id);
	switch ((enum ir_kind)n->kind) {
	case IR_TRUE: cw_put(w, "true\n"); return;
	case IR_FALSE: cw_put(w, "false\n"); return;
	case IR_NOT:
		cw_put(w, "not\n");
		w->indent++;
		dump_cond(w, ir, n->a, seen, depth + 1);
		w->indent--;
		return;
	case IR_AND: case IR_OR:
		cw_put(w, "%s\n", n->kind == IR_AND ? "and" : "or");
		w->indent++;
		for (uint32_t i = 0; i < n->nkids; i++)
			dump_cond(w, ir, ir_kids(ir, id)[i], seen, depth + 1);
		w->indent--;
		return;
	case IR_TEST:
		dump_value(w, ir, n->a);
		cw_put(w, " %s%s", ir_op_name(n->op), n->quant == FRC_Q_ALL ? " (all)" : "");
		if (n->op != OP_EXISTS) {
			cw_put(w, " ");
			if (n->rhs_val)
				dump_value(w, ir, n->b);
			else
				cw_put(w, "#%" PRIu32, n->b);
		}
		cw_put(w, "\n");
		return;
	case IR_VFIELD: case IR_VXFORM: case IR_VCONST: case IR__COUNT:
		break;
	}
	dump_value(w, ir, id);
	cw_put(w, "\n");
}

static void dump_groups(struct cw *w, const struct ir *ir, uint8_t *seen)
{
	for (uint32_t g = 0; g < ir->ngroups; g++) {
		const struct ir_group *gr = &ir->groups[g];
		bool used = ir->other_group == g + 1;
		for (uint32_t c = 0; c < FRC_EVT_CODES && !used; c++)
			used = ir->code_group[c] == g + 1;
		if (!used)
			continue;
		cw_line(w, "group %" PRIu32 ":", g);
		w->indent++;
		cw_tabs(w);
		cw_put(w, "codes:");
		for (uint32_t c = 0; c < FRC_EVT_CODES; c++)
			if (ir->code_group[c] == g + 1)
				cw_put(w, " %" PRIu32, c);
		if (ir->other_group == g + 1)
			cw_put(w, " other");
		cw_put(w, "\n");
		for (uint32_t i = 0; i < gr->n; i++) {
			cw_line(w, "rule %" PRIu32 ":", gr->rules[i]);
			w->indent++;
			dump_cond(w, ir, gr->roots[i], seen, 0);
			w->indent--;
		}
		w->indent--;
	}
}

char *ir_dump(const struct ir *ir)
{
	struct cw w;
	cw_init(&w);
	uint8_t *seen = calloc(ir->nnodes ? ir->nnodes : 1, 1);
	if (!seen)
		return NULL;
	cw_line(&w, "slots:");
	for (uint32_t i = 0; i < ir->nslots; i++) {
		cw_put(&w, "\t$%" PRIu32 " ", i);
		dump_slot(&w, ir, i);
		cw_put(&w, "\n");
	}
	cw_line(&w, "constants:");
	for (uint32_t i = 0; i < ir->nconsts; i++) {
		cw_put(&w, "\t");
		dump_const(&w, ir, i);
		cw_put(&w, "\n");
	}
	cw_line(&w, "rules:");
	w.indent = 1;
	for (uint32_t r = 0; r < ir->nrules; r++) {
		cw_line(&w, "rule %" PRIu32 ":", r);
		w.indent++;
		dump_cond(&w, ir, ir->rules[r].root, seen, 0);
		w.indent--;
	}
	w.indent = 0;
	cw_line(&w, "dispatch:");
	w.indent = 1;
	memset(seen, 0, ir->nnodes ? ir->nnodes : 1);
	dump_groups(&w, ir, seen);
	free(seen);
	return cw_take(&w, NULL);
}
