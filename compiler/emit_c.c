/* SPDX-License-Identifier: Apache-2.0
 *
 * IR → C (see emit_c.h). Bodies are generated first (discovering the functions and
 * constants they need), then the unit is assembled in its fixed order.
 */
#include "emit_c.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cstr.h"
#include "emit_bpf.h"
#include "frc_rt_abi.h"
#include "opt.h"
#include "rt_helpers.h"

/*
 * A merged string set: up to 64 of the sets that `in` tests compare one field slot with
 * (set j of the map is bit j of a row); see struct frc_strmap.
 */
#define SMAP_MAX_SETS 64

struct smap {
	uint32_t slot;
	uint32_t nsets;
	uint32_t sets[SMAP_MAX_SETS];	/* IRC_STRSET constants, ascending */
};

/*
 * A needle set: the constants of an `or` of contains tests (or of icontains tests) on one
 * value with one quantifier, tested in one pass (frc_s_needles, struct frc_needles).
 */
struct nset {
	uint8_t icase;
	uint32_t n;
	uint32_t *items;	/* IRC_STR constants, ascending, unique */
};

/* kinds of condition functions */
enum fn_kind { FN_RULE, FN_COND, FN_MEMO };

struct fn {
	enum fn_kind kind;
	uint32_t node;
	uint32_t num;	/* rule id, condition number or memo index */
	uint32_t skip;	/* FN_RULE/FN_COND: leading conjuncts of @node that the group tests
			 * inline (the rule's gate, see gate_len) */
	uint64_t *eager; /* FN_RULE/FN_COND: the slots (then per map, a byte: the rows) that
			  * every group calling it has loaded on entry (group_eager) */
	char *text;	/* the definition, once generated */
};

struct emit {
	const struct ir *ir;
	struct ir_diag *d;
	struct cw *w;		/* where expressions go */
	uint8_t *cused;		/* per constant: referenced */
	uint8_t *vused;		/* per constant: used as a transformer argument value */
	uint32_t *regex_idx;	/* per constant: regex index + 1 */
	uint32_t nregex;
	uint32_t *cond_num;	/* per node: condition function number + 1 */
	uint32_t ncond;
	uint8_t *memo_seen;	/* per node: memo function queued */
	uint8_t *rule_seen;	/* per rule: rule function queued */
	uint32_t *gnum;		/* per group: its number in the output (used groups only) */
	struct fn *fns;		/* queued functions */
	uint32_t nfns, capfns;
	struct smap *maps;	/* merged string sets (collect_maps) */
	uint32_t nmaps;
	uint32_t *tmap;		/* per node: map index + 1 of an `in` test it serves, or 0 */
	uint8_t *tbit;		/* ... and the test's set (bit of the row) */
	struct nset *nsets;	/* needle sets, numbered in order of use */
	uint32_t nnsets, capnsets;
	uint64_t *loaded;	/* per slot: surely in the field cache at this point of the body */
	uint32_t *undo;		/* slots marked in @loaded, in order (unmarked on leaving and/or) */
	uint32_t nundo, capundo;
	bool in_group;		/* generating a group function (its gates) */
	bool uses_match;	/* some group calls frc_g_match */
	bool uses_ebit;		/* some group tests a row it loaded on entry (FRC_G_EBIT) */
	uint8_t *grow;		/* per map: a group tests its row with FRC_G_RBIT (frc_g_rowNNNN) */
	uint8_t *erow;		/* per map: the group being generated loads its row on entry
				 * (in a rule's function: every group that calls it does) */
	uint64_t *gslots;	/* the slots that the group being generated loads on entry */
	bool uses_e;		/* the body being generated reads `e` */
	bool uses_r;		/* ... or `r` */
	bool uses_fc;		/* ... or the field cache `fc` */
	bool failed;
};

static void *xcalloc(struct emit *em, size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		em->failed = true;
	return p;
}

static void queue_fn(struct emit *em, enum fn_kind k, uint32_t node, uint32_t num,
		     uint32_t skip)
{
	if (em->nfns == em->capfns) {
		uint32_t nc = em->capfns ? em->capfns * 2 : 64;
		struct fn *p = realloc(em->fns, nc * sizeof(*p));
		if (!p) {
			em->failed = true;
			return;
		}
		em->fns = p;
		em->capfns = nc;
	}
	em->fns[em->nfns++] = (struct fn){ k, node, num, skip, NULL, NULL };
}

/* ------------------------------------------------------------------ references */

/* 64-bit words of the field cache's "loaded" bitmap */
static unsigned fc_words(const struct ir *ir)
{
	return (unsigned)((ir->nslots ? ir->nslots : 1) + 63) / 64;
}


/* set items are written inside their set, so only the set itself is marked */
static void use_const(struct emit *em, uint32_t id)
{
	const struct ir_const *c = &em->ir->consts[id];
	em->cused[id] = 1;
	if (c->kind == IRC_REGEX && !em->regex_idx[id])
		em->regex_idx[id] = ++em->nregex;
}

/* a string constant as "frc_g_sNNNN, LENu" */
static void put_str(struct emit *em, uint32_t id)
{
	use_const(em, id);
	cw_ident(em->w, "s", id);
	cw_put(em->w, ", %" PRIu32 "u", em->ir->consts[id].len);
}

static void put_i64(struct cw *w, uint64_t u)
{
	int64_t v = (int64_t)u;
	if (v == INT64_MIN)
		cw_put(w, "(-9223372036854775807LL - 1)");
	else if (v < 0)
		cw_put(w, "(%" PRId64 "LL)", v);
	else
		cw_put(w, "%" PRId64 "LL", v);
}

static void emit_value(struct emit *em, uint32_t id, unsigned depth);
static int u32_cmp(const void *a, const void *b);

static void emit_xform(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[id];
	const uint32_t *k = ir_kids(ir, id);
	em->uses_r = true;
	if (n->op == XF_CONCAT) { /* concat(a, b, c) = concat2(concat2(a, b), c) */
		for (uint32_t i = 1; i < n->nkids; i++)
			cw_put(em->w, "frc_x_concat2(r, ");
		emit_value(em, k[0], depth + 1);
		for (uint32_t i = 1; i < n->nkids; i++) {
			cw_put(em->w, ", ");
			emit_value(em, k[i], depth + 1);
			cw_put(em->w, ")");
		}
		return;
	}
	cw_put(em->w, "frc_x_%s(r", ir_xform_name(n->op));
	for (uint32_t i = 0; i < n->nkids; i++) {
		cw_put(em->w, ", ");
		emit_value(em, k[i], depth + 1);
	}
	if (n->op == XF_GETOPT) {
		cw_put(em->w, ", ");
		if (n->b != UINT32_MAX)
			put_str(em, n->b);
		else
			cw_put(em->w, "0, 0u");
	}
	cw_put(em->w, ")");
}

/* a value expression: const struct frc_val * */
static void emit_value(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir_node *n = &em->ir->nodes[id];
	if (n->kind == IR_VFIELD) {
		em->uses_fc = true;
		if (em->loaded[n->a / 64] >> (n->a % 64) & 1) {	/* read by an earlier test */
			cw_put(em->w, "fc->v[%" PRIu32 "u]", n->a);
		} else {
			em->uses_e = true;
			cw_put(em->w, "FRC_FV(e, fc, %" PRIu32 "u)", n->a);
		}
	} else if (n->kind == IR_VCONST) {
		use_const(em, n->a);
		em->vused[n->a] = 1;
		cw_put(em->w, "&");
		cw_ident(em->w, "v", n->a);
	} else if (n->kind == IR_VXFORM && depth <= IR_MAX_DEPTH) {
		emit_xform(em, id, depth);
	} else {
		em->failed = true;
	}
}

static const char *num_helper(enum cmp_op op, bool sgn)
{
	switch (op) {
	case OP_EQ: return "frc_n_eq";
	case OP_NE: return "frc_n_ne";
	case OP_LT: return sgn ? "frc_i_lt" : "frc_u_lt";
	case OP_LE: return sgn ? "frc_i_le" : "frc_u_le";
	case OP_GT: return sgn ? "frc_i_gt" : "frc_u_gt";
	case OP_GE: return sgn ? "frc_i_ge" : "frc_u_ge";
	default: return NULL;
	}
}

static const char *str_helper(enum cmp_op op)
{
	switch (op) {
	case OP_EQ: return "frc_s_eq";
	case OP_NE: return "frc_s_ne";
	case OP_LT: return "frc_s_lt";
	case OP_LE: return "frc_s_le";
	case OP_GT: return "frc_s_gt";
	case OP_GE: return "frc_s_ge";
	case OP_CONTAINS: case OP_BCONTAINS: return "frc_s_contains";
	case OP_ICONTAINS: return "frc_s_icontains";
	case OP_STARTSWITH: case OP_BSTARTSWITH: return "frc_s_startswith";
	case OP_ENDSWITH: return "frc_s_endswith";
	default: return NULL;
	}
}

/* the constant operand of a test; returns the helper name */
static const char *test_helper(struct emit *em, const struct ir_node *t, const struct ir_const *c)
{
	switch ((enum ir_ckind)c->kind) {
	case IRC_STR: return str_helper((enum cmp_op)t->op);
	case IRC_NUM: return num_helper((enum cmp_op)t->op, c->sgn);
	case IRC_IP: return t->op == OP_EQ ? "frc_ip_eq" : t->op == OP_NE ? "frc_ip_ne" : NULL;
	case IRC_NET: return t->op == OP_EQ ? "frc_net_eq" : t->op == OP_NE ? "frc_net_ne" : NULL;
	case IRC_STRSET: return "frc_s_in";
	case IRC_NUMSET: return "frc_n_in";
	case IRC_IPSET: return "frc_ip_in";
	case IRC_NETSET: return "frc_net_in";
	case IRC_GLOB: return c->icase ? "frc_s_iglob" : "frc_s_glob";
	case IRC_REGEX: em->uses_r = true; return "frc_s_regex";
	case IRC_PMATCH: em->uses_r = true; return "frc_s_pmatch";
	case IRC__COUNT: break;
	}
	return NULL;
}

/* the inline helper for frequent tests with the "any" quantifier, or NULL */
static const char *fast_helper(const struct ir_node *t, const struct ir_const *c)
{
	if (t->quant != FRC_Q_ANY)
		return NULL;
	if (c->kind == IRC_NUM && t->op == OP_EQ)
		return "frc_neq";
	if (c->kind == IRC_STRSET && t->op == OP_IN)
		return "frc_sin";
	if (c->kind != IRC_STR)
		return NULL;
	switch (t->op) {
	case OP_EQ: return "frc_seq";
	case OP_NE: return "frc_sne";
	case OP_STARTSWITH: case OP_BSTARTSWITH: return "frc_sstarts";
	case OP_ENDSWITH: return "frc_sends";
	default: return NULL;
	}
}

/* bit (length % 64) set for the length of every item of string set @c */
static uint64_t set_lenmask(const struct ir *ir, const struct ir_const *c)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < c->nitems; i++)
		m |= 1ull << (ir->consts[ir->citems[c->items + i]].len & 63);
	return m;
}

static void emit_test(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir_node *t = &em->ir->nodes[id];
	if (t->op == OP_EXISTS) { /* frc_exists() inline: the value is present */
		cw_put(em->w, "(");
		emit_value(em, t->a, depth);
		cw_put(em->w, " != 0)");
		return;
	}
	if (t->rhs_val) {
		cw_put(em->w, "frc_vv(");
		emit_value(em, t->a, depth);
		cw_put(em->w, ", %uu, %uu, %uu, ", t->quant, t->op, t->type);
		emit_value(em, t->b, depth);
		cw_put(em->w, ")");
		return;
	}
	const struct ir_const *c = &em->ir->consts[t->b];
	if (em->tmap[id] && em->erow[em->tmap[id] - 1]) {
		/* a bit of the row that the group loaded on entry (group_eager) */
		uint32_t m = em->tmap[id] - 1;
		em->uses_fc = true;
		cw_put(em->w, "FRC_G_EBIT(fc, %" PRIu32 "u, %uu)", m, em->tbit[id]);
		return;
	}
	if (em->tmap[id] && em->in_group) { /* a bit of the row, the row loaded out of line */
		uint32_t m = em->tmap[id] - 1;
		em->uses_fc = true;
		em->grow[m] = 1;
		em->uses_e = true;
		cw_put(em->w, "FRC_G_RBIT(e, fc, %" PRIu32 "u, %uu, ", m, em->tbit[id]);
		cw_ident(em->w, "row", m);
		cw_put(em->w, ")");
		return;
	}
	if (em->tmap[id]) { /* a bit of the row of the slot's merged sets */
		uint32_t m = em->tmap[id] - 1;
		em->uses_fc = true;
		cw_put(em->w, "FRC_SINM(fc, ");
		emit_value(em, t->a, depth);
		cw_put(em->w, ", %" PRIu32 "u, &", m);
		cw_ident(em->w, "m", m);
		cw_put(em->w, ", %uu, ", em->tbit[id]);
		cw_u64(em->w, set_lenmask(em->ir, c));
		cw_put(em->w, ")");
		return;
	}
	const char *fast = fast_helper(t, c);
	if (fast) { /* inline path of the ABI header: no quantifier argument */
		cw_put(em->w, "%s(", fast);
		emit_value(em, t->a, depth);
		cw_put(em->w, ", ");
		if (c->kind == IRC_STR) {
			put_str(em, t->b);
		} else if (c->kind == IRC_STRSET) {
			use_const(em, t->b);
			cw_put(em->w, "&");
			cw_ident(em->w, "l", t->b);
		} else {
			cw_u64(em->w, c->u);
		}
		cw_put(em->w, ")");
		return;
	}
	const char *h = test_helper(em, t, c);
	if (!h) {
		em->failed = true;
		return;
	}
	cw_put(em->w, "%s(", h);
	emit_value(em, t->a, depth);
	cw_put(em->w, ", %uu, ", t->quant);
	use_const(em, t->b);
	switch ((enum ir_ckind)c->kind) {
	case IRC_STR:
		put_str(em, t->b);
		break;
	case IRC_NUM:
		if (c->sgn && t->op != OP_EQ && t->op != OP_NE)
			put_i64(em->w, c->u);
		else
			cw_u64(em->w, c->u);
		break;
	case IRC_IP: case IRC_NET:
		cw_put(em->w, "&");
		cw_ident(em->w, "a", t->b);
		break;
	case IRC_REGEX:
		cw_put(em->w, "r, %" PRIu32 "u", em->regex_idx[t->b] - 1);
		break;
	case IRC_PMATCH:
		cw_put(em->w, "r, &");
		cw_ident(em->w, "t", t->b);
		break;
	case IRC_GLOB:
		cw_put(em->w, "&");
		cw_ident(em->w, "g", t->b);
		break;
	case IRC_STRSET: case IRC_NUMSET: case IRC_IPSET: case IRC_NETSET:
		cw_put(em->w, "&");
		cw_ident(em->w, "l", t->b);
		break;
	case IRC__COUNT:
		break;
	}
	cw_put(em->w, ")");
}

static void emit_cond(struct emit *em, uint32_t id, unsigned depth);

static void mark_loaded(struct emit *em, uint32_t k)
{
	if (em->loaded[k / 64] >> (k % 64) & 1)
		return;
	if (em->nundo == em->capundo) {
		uint32_t nc = em->capundo ? em->capundo * 2 : 64;
		uint32_t *p = realloc(em->undo, nc * sizeof(*p));
		if (!p) {
			em->failed = true;
			return;
		}
		em->undo = p;
		em->capundo = nc;
	}
	em->undo[em->nundo++] = k;
	em->loaded[k / 64] |= 1ULL << (k % 64);
}

/* marks the field slots that value @id reads (all of them: C evaluates every argument) */
static void value_slots(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir_node *n = &em->ir->nodes[id];
	if (n->kind == IR_VFIELD) {
		mark_loaded(em, n->a);
	} else if (n->kind == IR_VXFORM && depth <= IR_MAX_DEPTH) {
		for (uint32_t i = 0; i < n->nkids; i++)
			value_slots(em, ir_kids(em->ir, id)[i], depth + 1);
	}
}

/*
 * Marks the field slots that every evaluation of condition @id (referenced through
 * emit_ref) reads: those of a test, and of the first child of and/or, which always runs.
 * A memoised condition may not run at all (its value is already known), so it adds none.
 * Within an and/or, the later children then read these slots from the field cache
 * directly (fc->v[k]) instead of through FRC_FV's test.
 */
static void must_slots(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[id];
	if (opt_memo_index(ir, id) || depth > IR_MAX_DEPTH + 8)
		return;
	switch ((enum ir_kind)n->kind) {
	case IR_TEST:
		value_slots(em, n->a, depth);
		if (n->rhs_val)
			value_slots(em, n->b, depth);
		return;
	case IR_NOT:
		must_slots(em, n->a, depth + 1);
		return;
	case IR_AND: case IR_OR:
		if (n->nkids)
			must_slots(em, ir_kids(ir, id)[0], depth + 1);
		return;
	default:
		return;
	}
}

/* a reference to condition @id from inside another: memoised nodes become FRC_MEMO calls */
static void emit_ref(struct emit *em, uint32_t id, unsigned depth)
{
	uint32_t m = opt_memo_index(em->ir, id);
	if (!m) {
		emit_cond(em, id, depth);
		return;
	}
	if (!em->memo_seen[id]) {
		em->memo_seen[id] = 1;
		queue_fn(em, FN_MEMO, id, m - 1, 0);
	}
	em->uses_e = true;
	em->uses_r = true;
	em->uses_fc = true;
	cw_put(em->w, "FRC_MEMO(r, %" PRIu32 "u, ", m - 1);
	cw_ident(em->w, "n", m - 1);
	cw_put(em->w, "(e, r, fc))");
}

/* ------------------------------------------------------------------ needle sets */

/*
 * 1 for a contains/bcontains test, 2 for an icontains test, that a needle set can serve:
 * a string constant, not memoised (nor, in an `and`, its `not`); 0 otherwise. @id is a
 * child of an or, or (@neg) of an and, where it must be the `not` of such a test:
 * `not A and not B` is `not (A or B)`. *@test is the test.
 */
static int needle_class(const struct ir *ir, uint32_t id, bool neg, uint32_t *test)
{
	const struct ir_node *t = &ir->nodes[id];
	if (neg) {
		if (t->kind != IR_NOT || opt_memo_index(ir, id))
			return 0;
		id = t->a;
		t = &ir->nodes[id];
	}
	*test = id;
	if (t->kind != IR_TEST || t->rhs_val || opt_memo_index(ir, id) ||
	    ir->consts[t->b].kind != IRC_STR)
		return 0;
	if (t->op == OP_CONTAINS || t->op == OP_BCONTAINS)
		return 1;
	return t->op == OP_ICONTAINS ? 2 : 0;
}

/* a candidate child of an and/or: class, value node, quantifier, then position */
struct ncand {
	uint32_t cls, val, quant, pos, cid;
};

static int ncand_cmp(const void *a, const void *b)
{
	const struct ncand *x = a, *y = b;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	if (x->quant != y->quant)
		return x->quant < y->quant ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* the index of the needle set of @items (sorted, unique), added if new; UINT32_MAX on
 * failure */
static uint32_t nset_get(struct emit *em, bool icase, const uint32_t *items, uint32_t n)
{
	for (uint32_t s = 0; s < em->nnsets; s++) {
		const struct nset *x = &em->nsets[s];
		if (x->icase == icase && x->n == n && !memcmp(x->items, items, n * sizeof(*items)))
			return s;
	}
	if (em->nnsets == em->capnsets) {
		uint32_t nc = em->capnsets ? em->capnsets * 2 : 16;
		struct nset *p = realloc(em->nsets, nc * sizeof(*p));
		if (!p)
			return UINT32_MAX;
		em->nsets = p;
		em->capnsets = nc;
	}
	uint32_t *copy = malloc(n * sizeof(*copy));
	if (!copy)
		return UINT32_MAX;
	memcpy(copy, items, n * sizeof(*copy));
	em->nsets[em->nnsets] = (struct nset){ (uint8_t)icase, n, copy };
	return em->nnsets++;
}

/*
 * Needle sets of the and/or @id when optimising (ir->normalize: not at -O0, whose code
 * evaluates each test as written): the children that are contains tests (icontains tests)
 * of one value with one quantifier, two or more, are one frc_s_needles test at the place
 * of the first of them (children have no side effects: the result is the same). Returns
 * NULL when there is none, else per child: set index + 1 for the first of a set's
 * children, UINT32_MAX for the others, 0 for the rest (malloc'd).
 */
static uint32_t *needle_groups(struct emit *em, uint32_t id)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[id];
	bool neg = n->kind == IR_AND;
	uint32_t nc = 0, *grp = NULL, *items = NULL;
	if (!ir->normalize || n->nkids < 2)
		return NULL;
	struct ncand *c = malloc(n->nkids * sizeof(*c));
	if (!c)
		goto oom;
	for (uint32_t i = 0; i < n->nkids; i++) {
		uint32_t t, cls = (uint32_t)needle_class(ir, ir_kids(ir, id)[i], neg, &t);
		if (cls)
			c[nc++] = (struct ncand){ cls, ir->nodes[t].a, ir->nodes[t].quant, i,
						  ir->nodes[t].b };
	}
	if (nc < 2) {
		free(c);
		return NULL;
	}
	qsort(c, nc, sizeof(*c), ncand_cmp);
	for (uint32_t i = 0; i < nc;) {
		uint32_t e = i + 1;
		while (e < nc && c[e].cls == c[i].cls && c[e].val == c[i].val &&
		       c[e].quant == c[i].quant)
			e++;
		if (e - i >= 2) {
			if (!grp && !(grp = calloc(n->nkids, sizeof(*grp))))
				goto oom;
			if (!items && !(items = malloc(nc * sizeof(*items))))
				goto oom;
			for (uint32_t k = i; k < e; k++)
				items[k - i] = c[k].cid;
			qsort(items, e - i, sizeof(*items), u32_cmp);
			uint32_t u = 0;
			for (uint32_t k = 0; k < e - i; k++)
				if (!u || items[u - 1] != items[k])
					items[u++] = items[k];
			uint32_t s = nset_get(em, c[i].cls == 2, items, u);
			if (s == UINT32_MAX)
				goto oom;
			grp[c[i].pos] = s + 1;	/* sorted by position within the run */
			for (uint32_t k = i + 1; k < e; k++)
				grp[c[k].pos] = UINT32_MAX;
		}
		i = e;
	}
	free(c);
	free(items);
	return grp;
oom:
	free(c);
	free(grp);
	free(items);
	em->failed = true;
	return NULL;
}

/* child @kid of an or (of an and, @neg: its `not`) tested with needle set @s */
static void emit_needles(struct emit *em, uint32_t kid, bool neg, uint32_t s, unsigned depth)
{
	const struct ir_node *t = &em->ir->nodes[kid];
	if (neg) {
		cw_put(em->w, "!");
		t = &em->ir->nodes[t->a];
	}
	cw_put(em->w, "frc_s_needles(");
	emit_value(em, t->a, depth);
	cw_put(em->w, ", %uu, &", t->quant);
	cw_ident(em->w, "nd", s);
	cw_put(em->w, ")");
}

/*
 * The and/or @id from its child @from on (children before @from were tested true, for an
 * and, by the caller: their slots are loaded), as "(a && b ...)", or the child alone when
 * one is left.
 */
static void emit_junction(struct emit *em, uint32_t id, uint32_t from, unsigned depth)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[id];
	/* a child runs only after every earlier one: their slots are loaded */
	uint32_t mark = em->nundo, prev = 0, nout = 0;
	uint32_t *grp = needle_groups(em, id);
	if (em->failed)
		return;
	for (uint32_t i = 0; i < from; i++)
		must_slots(em, ir_kids(ir, id)[i], depth + 1);
	bool paren = !from || n->nkids - from > 1;
	if (paren) {
		cw_put(em->w, "(");
		em->w->indent++;
	}
	for (uint32_t i = from; i < n->nkids; i++) {
		if (grp && grp[i] == UINT32_MAX)
			continue;	/* tested by its needle set, at the set's first test */
		if (nout++) {
			cw_nl(em->w);
			cw_tabs(em->w);
			cw_put(em->w, "%s ", n->kind == IR_AND ? "&&" : "||");
			must_slots(em, ir_kids(ir, id)[prev], depth + 1);
		}
		prev = i;
		if (grp && grp[i])
			emit_needles(em, ir_kids(ir, id)[i], n->kind == IR_AND, grp[i] - 1,
				     depth + 1);
		else
			emit_ref(em, ir_kids(ir, id)[i], depth + 1);
	}
	free(grp);
	if (paren) {
		em->w->indent--;
		cw_put(em->w, ")");
	}
	while (em->nundo > mark) {
		uint32_t k = em->undo[--em->nundo];
		em->loaded[k / 64] &= ~(1ULL << (k % 64));
	}
}

/* the expression of condition @id itself (its children through emit_ref) */
static void emit_cond(struct emit *em, uint32_t id, unsigned depth)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[id];
	if (depth > IR_MAX_DEPTH + 8) {
		em->failed = true;
		return;
	}
	switch ((enum ir_kind)n->kind) {
	case IR_TRUE: cw_put(em->w, "1"); return;
	case IR_FALSE: cw_put(em->w, "0"); return;
	case IR_TEST: emit_test(em, id, depth); return;
	case IR_NOT:
		cw_put(em->w, "!");
		emit_ref(em, n->a, depth + 1);
		return;
	case IR_AND:
	case IR_OR:
		emit_junction(em, id, 0, depth);
		return;
	case IR_VFIELD: case IR_VXFORM: case IR_VCONST: case IR__COUNT:
		break;
	}
	em->failed = true;
}

/* ------------------------------------------------------------------ functions */

static void fn_name(struct cw *w, const struct fn *f)
{
	cw_ident(w, f->kind == FN_RULE ? "rule_" : f->kind == FN_COND ? "c" : "n", f->num);
}

static void emit_fn(struct emit *em, struct cw *out, const struct fn *f)
{
	struct cw body;
	cw_init(&body);
	body.indent = 1;
	struct cw *saved = em->w;
	em->w = &body;
	em->uses_e = false;
	em->uses_r = false;
	em->uses_fc = false;
	unsigned nw = fc_words(em->ir);
	if (f->eager) {	/* what every group calling it has loaded (fn_eager) */
		for (unsigned i = 0; i < nw; i++)
			em->loaded[i] |= f->eager[i];
		memcpy(em->erow, f->eager + nw, em->nmaps);
	}
	cw_tabs(&body);
	if (f->kind == FN_MEMO) {
		em->uses_r = true;
		cw_put(&body, "return frc_memo_set(r, %" PRIu32 "u, ", f->num);
		emit_cond(em, f->node, 0);
		cw_put(&body, ");\n");
	} else {
		cw_put(&body, "return ");
		if (f->skip)	/* after the gate */
			emit_junction(em, f->node, f->skip, 0);
		else
			emit_cond(em, f->node, 0);
		cw_put(&body, ";\n");
	}
	em->w = saved;
	if (f->eager) {
		for (unsigned i = 0; i < nw; i++)
			em->loaded[i] &= ~f->eager[i];
		memset(em->erow, 0, em->nmaps);
	}
	if (f->kind == FN_RULE)
		cw_line(out, "/* rule %" PRIu32 " */", f->num);
	if (f->skip)
		cw_line(out, "/* conjuncts %" PRIu32 ".. (0..%" PRIu32 ": the gate, in the group) */",
			f->skip, f->skip - 1);
	cw_put(out, "static int ");
	fn_name(out, f);
	cw_put(out, "(struct frc_evt *e, struct frc_run *r, struct frc_g_fc *fc)\n{\n");
	if (!em->uses_e)
		cw_line(out, "\t(void)e;");
	if (!em->uses_r)
		cw_line(out, "\t(void)r;");
	if (!em->uses_fc)
		cw_line(out, "\t(void)fc;");
	if (body.oom)
		out->oom = true;
	else if (body.len)
		cw_put(out, "%s", body.buf);
	cw_put(out, "}\n\n");
	cw_fini(&body);
}

/*
 * A conjunct that a group may test inline, before calling the rule's function for the
 * rest (a gate): a few instructions, no side effects and no call in the usual case. A
 * shared condition (FRC_MEMO, computed once per event), a test of one field slot with a
 * constant through an inline fast path or a bit of a merged set's row (FRC_SINM), an
 * `exists`, or the `not` of one of these. Every test keeps its exact semantics (it is
 * the same expression as in the rule's function): an absent value makes a comparison
 * false, a multi-valued one goes to the quantified helper.
 */
static bool gate_conjunct(const struct emit *em, uint32_t id, bool neg)
{
	const struct ir *ir = em->ir;
	const struct ir_node *t = &ir->nodes[id];
	if (opt_memo_index(ir, id))
		return true;
	if (t->kind == IR_NOT)
		return !neg && gate_conjunct(em, t->a, true);
	if (t->kind != IR_TEST || t->rhs_val || ir->nodes[t->a].kind != IR_VFIELD)
		return false;
	if (t->op == OP_EXISTS || em->tmap[id])
		return true;
	return fast_helper(t, &ir->consts[t->b]) != NULL;
}

/* most conjuncts of a gate: each one is inline code in the group */
#define GATE_MAX 3

/*
 * The number of leading conjuncts of condition @root that the group tests inline (its
 * gate; the rule's function then tests the rest): 0 unless @root is an `and`, not
 * memoised, and its first conjuncts are gate_conjunct()s. Not at -O0 (ir->normalize off),
 * whose code evaluates each rule as written.
 */
static uint32_t gate_len(const struct emit *em, uint32_t root)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[root];
	if (!ir->normalize || n->kind != IR_AND || opt_memo_index(ir, root))
		return 0;
	uint32_t g = 0;
	while (g < n->nkids && g < GATE_MAX && gate_conjunct(em, ir_kids(ir, root)[g], false))
		g++;
	return g;
}

/*
 * Function @num of kind @kind is called by the group being generated: what it may read
 * without a test of the field cache is what every group calling it loads on entry.
 */
static void fn_eager(struct emit *em, enum fn_kind kind, uint32_t num)
{
	unsigned nw = fc_words(em->ir);
	struct fn *f = NULL;
	for (uint32_t i = 0; i < em->nfns && !f; i++)
		if (em->fns[i].kind == kind && em->fns[i].num == num)
			f = &em->fns[i];
	if (!f || em->failed)
		return;
	if (!f->eager) {	/* the first group to call it */
		f->eager = xcalloc(em, nw + (em->nmaps + 7) / 8, sizeof(uint64_t));
		if (!f->eager)
			return;
		memcpy(f->eager, em->gslots, nw * sizeof(uint64_t));
		memcpy(f->eager + nw, em->erow, em->nmaps);
		return;
	}
	uint8_t *rows = (uint8_t *)(f->eager + nw);
	for (unsigned i = 0; i < nw; i++)
		f->eager[i] &= em->gslots[i];
	for (uint32_t m = 0; m < em->nmaps; m++)
		rows[m] &= em->erow[m];
}

/* how a group evaluates rule @rule with condition @root */
static void emit_entry(struct emit *em, uint32_t rule, uint32_t root)
{
	const struct ir *ir = em->ir;
	const struct ir_node *n = &ir->nodes[root];
	if (opt_memo_index(ir, root) || n->kind == IR_TRUE || n->kind == IR_TEST ||
	    (ir->normalize && gate_conjunct(em, root, false))) {
		emit_ref(em, root, 0);
		return;
	}
	uint32_t gate = gate_len(em, root);
	if (gate && gate == n->nkids) {	/* the whole condition is its gate */
		emit_cond(em, root, 0);
		return;
	}
	uint32_t mark = em->nundo;
	if (gate) {
		cw_put(em->w, "(");
		em->w->indent++;
	}
	for (uint32_t i = 0; i < gate; i++) {
		if (i) {
			must_slots(em, ir_kids(ir, root)[i - 1], 1);
			cw_nl(em->w);
			cw_tabs(em->w);
			cw_put(em->w, "&& ");
		}
		emit_ref(em, ir_kids(ir, root)[i], 1);
	}
	while (em->nundo > mark) {
		uint32_t k = em->undo[--em->nundo];
		em->loaded[k / 64] &= ~(1ULL << (k % 64));
	}
	if (gate) {
		cw_nl(em->w);
		cw_tabs(em->w);
		cw_put(em->w, "&& ");
	}
	struct fn f = { FN_COND, root, 0, gate, NULL, NULL };
	if (root == ir->rules[rule].root) {
		f.kind = FN_RULE;
		f.num = rule;
		if (!em->rule_seen[rule]) {
			em->rule_seen[rule] = 1;
			queue_fn(em, FN_RULE, root, rule, gate);
		}
	} else {
		if (!em->cond_num[root]) {
			em->cond_num[root] = ++em->ncond;
			queue_fn(em, FN_COND, root, em->ncond - 1, gate);
		}
		f.num = em->cond_num[root] - 1;
	}
	fn_eager(em, f.kind, f.num);
	fn_name(em->w, &f);
	cw_put(em->w, "(e, r, fc)");
	if (gate) {
		em->w->indent--;
		cw_put(em->w, ")");
	}
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

/* the event codes of group @g as ranges: " 2-3 12 20-25" */
static void put_codes(struct cw *w, const struct ir *ir, uint32_t g)
{
	for (uint32_t c = 0; c < FRC_EVT_CODES; c++) {
		if (ir->code_group[c] != g + 1)
			continue;
		uint32_t e = c;
		while (e + 1 < FRC_EVT_CODES && ir->code_group[e + 1] == g + 1)
			e++;
		if (e > c)
			cw_put(w, " %" PRIu32 "-%" PRIu32, c, e);
		else
			cw_put(w, " %" PRIu32, c);
		c = e;
	}
}

/*
 * The test that every evaluation of condition @id runs first (through the first child of
 * each and/or), or UINT32_MAX when that is a shared condition (memoised: it may not run)
 * or no test.
 */
static uint32_t first_test(const struct ir *ir, uint32_t id)
{
	for (unsigned depth = 0; depth <= IR_MAX_DEPTH + 8; depth++) {
		const struct ir_node *n = &ir->nodes[id];
		if (opt_memo_index(ir, id))
			return UINT32_MAX;
		switch ((enum ir_kind)n->kind) {
		case IR_TEST:
			return id;
		case IR_NOT:
			id = n->a;
			break;
		case IR_AND: case IR_OR:
			if (!n->nkids)
				return UINT32_MAX;
			id = ir_kids(ir, id)[0];
			break;
		default:
			return UINT32_MAX;
		}
	}
	return UINT32_MAX;
}

/* the group tests the first conjunct of condition @root inline (as emit_entry does) */
static bool entry_inline(const struct emit *em, uint32_t root)
{
	const struct ir *ir = em->ir;
	if (opt_memo_index(ir, root))
		return false;
	if (ir->nodes[root].kind == IR_TEST || (ir->normalize && gate_conjunct(em, root, false)))
		return true;
	return gate_len(em, root) > 0;
}

/*
 * What group @g reads on every event: the field slot of the first test of each of its
 * rules that is enabled (@slots, a bitmap) and, when the group tests that inline as a
 * bit of a merged set's row (FRC_G_RBIT), the row (@rows, per map). The group loads
 * them on entry, in a fixed order, and its tests then read them without a test of the
 * field cache: the same values (a slot is extracted once per event, whenever that is) and
 * the same work while those rules are enabled, and fewer branches whose direction depends
 * on which earlier tests ran.
 */
static void group_eager(struct emit *em, uint32_t g, uint64_t *slots, uint8_t *rows)
{
	const struct ir *ir = em->ir;
	const struct ir_group *gr = &ir->groups[g];
	if (!ir->normalize)	/* -O0: each rule as written */
		return;
	for (uint32_t i = 0; i < gr->n; i++) {
		const struct frc_rule *src = ir->rules[gr->rules[i]].src;
		if (src && !src->enabled)
			continue;
		uint32_t t = first_test(ir, gr->roots[i]);
		if (t == UINT32_MAX)
			continue;
		const struct ir_node *n = &ir->nodes[t];
		if (ir->nodes[n->a].kind != IR_VFIELD)
			continue;
		uint32_t k = ir->nodes[n->a].a;
		slots[k / 64] |= 1ULL << (k % 64);
		if (!n->rhs_val && em->tmap[t] && entry_inline(em, gr->roots[i]))
			rows[em->tmap[t] - 1] = 1;
	}
}

static void emit_group(struct emit *em, uint32_t g)
{
	const struct ir *ir = em->ir;
	const struct ir_group *gr = &ir->groups[g];
	struct cw *w = em->w;
	cw_put(w, "/* group %" PRIu32 ": event codes", em->gnum[g]);
	put_codes(w, ir, g);
	if (ir->other_group == g + 1)
		cw_put(w, " and codes >= %u", FRC_EVT_CODES);
	cw_put(w, " */\nstatic void ");
	cw_ident(w, "grp", em->gnum[g]);
	cw_put(w, "(struct frc_evt *e, struct frc_run *r)\n{\n");
	w->indent = 1;
	em->in_group = true;
	cw_line(w, "struct frc_g_fc fc_, *fc = &fc_;");
	cw_line(w, "const frc_u8 *en = r->enabled;");
	cw_line(w, "fc->get = r->field;");
	cw_line(w, "for (frc_u32 i = 0; i < %uu; i++)", fc_words(ir));
	cw_line(w, "\tfc->have[i] = 0;");
	if (em->nmaps) {
		cw_line(w, "for (frc_u32 i = 0; i < %" PRIu32 "u; i++)", (em->nmaps + 63) / 64);
		cw_line(w, "\tfc->rhave[i] = 0;");
	}
	/* what the group reads on every event, loaded on entry */
	unsigned nw = fc_words(ir);
	uint64_t *eslots = xcalloc(em, nw, sizeof(uint64_t));
	if (em->failed)
		return;
	group_eager(em, g, eslots, em->erow);
	em->gslots = eslots;
	bool any = false;
	for (uint32_t k = 0; k < ir->nslots; k++) {
		if (!(eslots[k / 64] >> (k % 64) & 1))
			continue;
		if (!any)
			cw_line(w, "/* read first by an enabled rule on every event: loaded here */");
		any = true;
		cw_line(w, "(void)FRC_FV(e, fc, %" PRIu32 "u);", k);
		em->loaded[k / 64] |= 1ULL << (k % 64);
	}
	for (uint32_t m = 0; m < em->nmaps; m++) {
		if (!em->erow[m])
			continue;
		em->grow[m] = 1;
		em->uses_ebit = true;
		cw_tabs(w);
		cw_put(w, "(void)");
		cw_ident(w, "row", m);
		cw_put(w, "(e, fc);\n");
	}
	/* rules are mostly enabled and mostly do not match: the compiler lays out the
	 * evaluation of every rule as the straight path and the reports out of it */
	for (uint32_t i = 0; i < gr->n; i++) {
		cw_line(w, "/* rule %" PRIu32 " */", gr->rules[i]);
		cw_tabs(w);
		cw_put(w, "if (FRC_LIKELY(en[%" PRIu32 "]) && FRC_UNLIKELY(", gr->rules[i]);
		w->indent = 2;
		emit_entry(em, gr->rules[i], gr->roots[i]);
		w->indent = 1;
		cw_put(w, ")\n");
		cw_line(w, "    && frc_g_match(r, %" PRIu32 "u))", gr->rules[i]);
		em->uses_match = true;
		cw_line(w, "\treturn;");
	}
	for (unsigned i = 0; i < nw; i++)
		em->loaded[i] &= ~eslots[i];
	memset(em->erow, 0, em->nmaps);
	free(eslots);
	em->gslots = NULL;
	em->in_group = false;
	w->indent = 0;
	cw_put(w, "}\n\n");
}

/* ------------------------------------------------------------------ constants */

/* "static const frc_u8 NAME[] = <literal or byte list>;" */
static void emit_bytes_def(struct cw *w, const char *type, const char *kind, uint32_t id,
			   const uint8_t *s, size_t len)
{
	cw_put(w, "static const %s ", type);
	cw_ident(w, kind, id);
	cw_put(w, "[] = ");
	if (len > CSTR_MAX_LITERAL)
		cstr_emit_bytes(w, s, len);
	else
		cstr_emit_lit(w, s, len);
	cw_put(w, ";\n");
}

static void emit_ip_init(struct cw *w, const struct ir_ip *ip)
{
	cw_put(w, "{ .family = %uu, .prefix = %uu, .b = {", ip->family, ip->prefix);
	for (int i = 0; i < 16; i++)
		cw_put(w, "%s%u", i ? ", " : " ", ip->b[i]);
	cw_put(w, " } }");
}

/* numbers, 16 per line, as the body of an array initializer */
static void put_u32_list(struct cw *w, const uint32_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		cw_put(w, "%s%" PRIu32 "u%s", i % 16 ? " " : "\n\t", v[i], i + 1 < n ? "," : "");
	cw_put(w, "\n");
}

/* what the initializer of a struct frc_strset needs, once its arrays are written */
struct strset_hdr {
	uint32_t n, mask, minlen, maxlen;
	uint64_t lenmask;
};

/*
 * The blob of the IRC_STR constants @items[0 .. @n): each item's bytes followed by a NUL,
 * item i at @off[i] (@off: @n + 1 entries, the last the blob's size), and the lengths
 * the struct's quick rejects read (@hdr: all but @mask, 0). NULL when out of memory.
 */
static uint8_t *items_blob(const struct ir *ir, const uint32_t *items, uint32_t n,
			   uint32_t *off, struct strset_hdr *hdr)
{
	uint32_t minlen = UINT32_MAX, maxlen = 0;
	uint64_t lenmask = 0;
	size_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += ir->consts[items[i]].len + 1;
	uint8_t *blob = total > UINT32_MAX ? NULL : malloc(total + 1);
	if (!blob)
		return NULL;
	blob[0] = 0;
	total = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct ir_const *it = &ir->consts[items[i]];
		off[i] = (uint32_t)total;
		if (it->len)
			memcpy(blob + total, it->s, it->len);
		blob[total + it->len] = 0;
		total += it->len + 1;
		minlen = it->len < minlen ? it->len : minlen;
		maxlen = it->len > maxlen ? it->len : maxlen;
		lenmask |= 1ull << (it->len & 63);
	}
	off[n] = (uint32_t)total;
	*hdr = (struct strset_hdr){ n, 0, n ? minlen : 0, maxlen, lenmask };
	return blob;
}

/*
 * The arrays of a string set of the IRC_STR constants @items[0 .. @n): one blob of
 * NUL-terminated items (named @kb), their offsets (@ko) and hash buckets (@kbk).
 */
static bool emit_strset_arrays(struct emit *em, struct cw *w, const char *kb, const char *ko,
			       const char *kbk, uint32_t id, const uint32_t *items, uint32_t n,
			       struct strset_hdr *hdr)
{
	const struct ir *ir = em->ir;
	uint32_t mask = rt_helpers_strmap_mask(n), cap = mask + 1;
	uint32_t *off = malloc((n + 1) * sizeof(*off));
	uint8_t *blob = off ? items_blob(ir, items, n, off, hdr) : NULL;
	uint64_t *b = NULL;
	if (!blob)
		goto oom;
	emit_bytes_def(w, "frc_u8", kb, id, blob, off[n] ? off[n] - 1 : 0);
	cw_put(w, "static const frc_u32 ");
	cw_ident(w, ko, id);
	cw_put(w, "[] = {");
	put_u32_list(w, off, n + 1);
	cw_put(w, "};\n");
	if (mask) { /* open addressing, load <= 1/2 (the value's hash is cached: sets of
		       two items already probe faster than they compare) */
		b = calloc(cap, sizeof(*b));
		if (!b)
			goto oom;
		for (uint32_t i = 0; i < n; i++) {
			const struct ir_const *it = &ir->consts[items[i]];
			uint32_t hash = rt_helpers_set_hash(it->s, it->len), h = hash & mask;
			while (b[h])
				h = (h + 1) & mask;
			b[h] = (uint64_t)hash << 32 | (i + 1);
		}
		cw_put(w, "static const frc_u64 ");
		cw_ident(w, kbk, id);
		cw_put(w, "[] = {");
		for (uint32_t i = 0; i < cap; i++) {
			cw_put(w, "%s", i % 4 ? " " : "\n\t");
			if (b[i])
				cw_put(w, "0x%016" PRIx64 "ULL", b[i]);
			else
				cw_put(w, "0");
			cw_put(w, "%s", i + 1 < cap ? "," : "");
		}
		cw_put(w, "\n};\n");
	}
	hdr->mask = mask;
	free(blob);
	free(off);
	free(b);
	return true;
oom:
	free(blob);
	free(off);
	free(b);
	em->failed = true;
	return false;
}

/* the initializer of a struct frc_strset whose arrays emit_strset_arrays wrote */
static void put_strset_init(struct cw *w, const struct strset_hdr *h, const char *kb,
			    const char *ko, const char *kbk, uint32_t id)
{
	cw_put(w, "{ .n = %" PRIu32 "u, .mask = %" PRIu32 "u, .minlen = %" PRIu32
		  "u, .maxlen = %" PRIu32 "u, .lenmask = ", h->n, h->mask, h->minlen, h->maxlen);
	cw_u64(w, h->lenmask);
	cw_put(w, ", .blob = ");
	cw_ident(w, kb, id);
	cw_put(w, ", .off = ");
	cw_ident(w, ko, id);
	cw_put(w, ", .buckets = ");
	if (h->mask)
		cw_ident(w, kbk, id);
	else
		cw_put(w, "0");
	cw_put(w, " }");
}

/* a string set: one blob of NUL-terminated items, their offsets, and hash buckets */
static void emit_strset(struct emit *em, struct cw *w, uint32_t id)
{
	const struct ir_const *c = &em->ir->consts[id];
	struct strset_hdr h;
	if (!emit_strset_arrays(em, w, "k", "o", "b", id, em->ir->citems + c->items, c->nitems,
				&h))
		return;
	cw_put(w, "static const struct frc_strset ");
	cw_ident(w, "l", id);
	cw_put(w, " = ");
	put_strset_init(w, &h, "k", "o", "b", id);
	cw_put(w, ";\n");
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Merged string set @m: every distinct item of its sets (constants are interned: equal
 * items are one constant), in constant order, and per item the row of the sets it is in.
 */
static void emit_smap(struct emit *em, struct cw *w, uint32_t m)
{
	const struct ir *ir = em->ir;
	const struct smap *sm = &em->maps[m];
	size_t total = 0;
	for (uint32_t j = 0; j < sm->nsets; j++)
		total += ir->consts[sm->sets[j]].nitems;
	uint32_t *items = malloc((total ? total : 1) * sizeof(*items));
	uint64_t *rows = NULL;
	if (!items) {
		em->failed = true;
		return;
	}
	uint32_t n = 0;
	for (uint32_t j = 0; j < sm->nsets; j++) {
		const struct ir_const *c = &ir->consts[sm->sets[j]];
		memcpy(items + n, ir->citems + c->items, c->nitems * sizeof(*items));
		n += c->nitems;
	}
	if (n)
		qsort(items, n, sizeof(*items), u32_cmp);
	uint32_t u = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!u || items[u - 1] != items[i])
			items[u++] = items[i];
	n = u;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(items);
		em->failed = true;
		return;
	}
	for (uint32_t j = 0; j < sm->nsets; j++) { /* set items are sorted and unique */
		const struct ir_const *c = &ir->consts[sm->sets[j]];
		for (uint32_t k = 0; k < c->nitems; k++) {
			uint32_t it = ir->citems[c->items + k];
			const uint32_t *p = bsearch(&it, items, n, sizeof(*items), u32_cmp);
			if (p)
				rows[p - items] |= 1ull << j;
		}
	}
	const char *fname = field_table[ir->slots[sm->slot].field].name;
	cw_put(w, "/* map %" PRIu32 ": field slot %" PRIu32 " (", m, sm->slot);
	cstr_comment(w, fname, strlen(fname), 64);
	cw_put(w, "), %" PRIu32 " sets, %" PRIu32 " items */\n", sm->nsets, n);
	/* the items' bytes (each followed by a NUL), then the slots (struct frc_strmap) and
	   per slot its item's offset in the blob, if some item has more than 16 bytes */
	uint32_t mask = rt_helpers_strmap_mask(n);
	struct strset_hdr h;
	uint32_t *ioff = malloc(((size_t)n + 1) * sizeof(*ioff));
	uint8_t *blob = ioff ? items_blob(ir, items, n, ioff, &h) : NULL;
	struct frc_strent *slots = calloc((size_t)mask + 1, sizeof(*slots));
	uint32_t *off = calloc((size_t)mask + 1, sizeof(*off));
	uint8_t *tags = calloc((size_t)mask + 1, 1);
	uint32_t *item = calloc((size_t)mask + 1, sizeof(*item));
	if (!blob || !slots || !off || !tags || !item) {
		em->failed = true;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ir_const *it = &ir->consts[items[i]];
		struct frc_strent e;
		rt_helpers_strent(&e, it->s, it->len, rows[i]);
		uint32_t b = rt_helpers_strmap_put(slots, tags, mask, &e);
		off[b] = ioff[i];
		item[b] = i;
	}
	uint32_t maxlen = h.maxlen;
	emit_bytes_def(w, "frc_u8", "mk", m, blob, ioff[n] ? ioff[n] - 1 : 0);
	if (maxlen > 16) {
		cw_put(w, "static const frc_u32 ");
		cw_ident(w, "mo", m);
		cw_put(w, "[] = {");
		put_u32_list(w, off, mask + 1);
		cw_put(w, "};\n");
	}
	if (mask) { /* per slot its tag (struct frc_strmap), 16 a line */
		cw_put(w, "static const frc_u8 ");
		cw_ident(w, "mt", m);
		cw_put(w, "[] = {");
		for (uint32_t b = 0; b <= mask; b++)
			cw_put(w, "%s0x%02x%s", b % 16 ? " " : "\n\t", tags[b], b < mask ? "," : "");
		cw_put(w, "\n};\n");
	}
	/* per slot: row, hash, length, first 16 bytes; { 0 } when empty. The comment names
	   the item by its place in the blob: no rule text in comments */
	cw_put(w, "static const struct frc_strent ");
	cw_ident(w, "me", m);
	cw_put(w, "[] = {");
	for (uint32_t b = 0; b <= mask; b++) {
		const struct frc_strent *e = &slots[b];
		const char *sep = b < mask ? "," : "";
		if (!e->row) {
			cw_put(w, "\n\t{ 0 }%s", sep);
			continue;
		}
		cw_put(w, "\n\t{ 0x%016" PRIx64 "ULL, 0x%08" PRIx32 "u, %" PRIu32
			  "u, { 0x%016" PRIx64 "ULL, 0x%016" PRIx64 "ULL } }%s /* item %" PRIu32 " */",
		       (uint64_t)e->row, e->hash, e->len, (uint64_t)e->head[0], (uint64_t)e->head[1],
		       sep, item[b]);
	}
	cw_put(w, "\n};\nstatic const struct frc_strmap ");
	cw_ident(w, "m", m);
	cw_put(w, " = { .n = %" PRIu32 "u, .mask = %" PRIu32 "u, .minlen = %" PRIu32
		  "u, .maxlen = %" PRIu32 "u,\n\t.lenmask = ", n, mask, h.minlen, maxlen);
	cw_u64(w, h.lenmask);
	cw_put(w, ", .blob = ");
	cw_ident(w, "mk", m);
	cw_put(w, ", .off = ");
	if (maxlen > 16)
		cw_ident(w, "mo", m);
	else
		cw_put(w, "0");
	cw_put(w, ", .tags = ");
	if (mask)
		cw_ident(w, "mt", m);
	else
		cw_put(w, "0");
	cw_put(w, ", .slots = ");
	cw_ident(w, "me", m);
	cw_put(w, " };\n");
out:
	free(blob);
	free(slots);
	free(off);
	free(tags);
	free(item);
	free(ioff);
	free(items);
	free(rows);
}

/* needle set @s: the needles (one blob), their offsets, buckets and nibble tables */
static void emit_nset(struct emit *em, struct cw *w, uint32_t s)
{
	const struct ir *ir = em->ir;
	const struct nset *ns = &em->nsets[s];
	struct rt_needle *nd = malloc(ns->n * sizeof(*nd));
	uint32_t *order = malloc(ns->n * sizeof(*order)), *off = malloc((ns->n + 1) * sizeof(*off));
	uint8_t *blob = NULL, nib[96];
	uint32_t bucket[9], minlen = UINT32_MAX;
	size_t total = 0;
	if (!nd || !order || !off)
		goto oom;
	for (uint32_t k = 0; k < ns->n; k++) {
		const struct ir_const *c = &ir->consts[ns->items[k]];
		nd[k] = (struct rt_needle){ c->s, c->len };
		total += c->len;
		minlen = c->len < minlen ? c->len : minlen;
	}
	if (total > UINT32_MAX || !(blob = malloc(total + 1)) ||
	    !rt_helpers_needles_layout(nd, ns->n, ns->icase, order, bucket, nib))
		goto oom;
	total = 0;
	for (uint32_t k = 0; k < ns->n; k++) {
		const struct rt_needle *x = &nd[order[k]];
		off[k] = (uint32_t)total;
		if (x->len)
			memcpy(blob + total, x->s, x->len);
		total += x->len;
	}
	off[ns->n] = (uint32_t)total;
	cw_put(w, "/* needle set %" PRIu32 ": %" PRIu32 " needles (%s) */\n", s, ns->n,
	       ns->icase ? "icontains" : "contains");
	emit_bytes_def(w, "frc_u8", "ndk", s, blob, total);
	cw_put(w, "static const frc_u32 ");
	cw_ident(w, "ndo", s);
	cw_put(w, "[] = {");
	put_u32_list(w, off, ns->n + 1);
	cw_put(w, "};\nstatic const frc_u32 ");
	cw_ident(w, "ndb", s);
	cw_put(w, "[] = {");
	put_u32_list(w, bucket, 9);
	cw_put(w, "};\nstatic const frc_u8 ");
	cw_ident(w, "ndt", s);
	cw_put(w, "[] = {");
	for (uint32_t i = 0; i < 96; i++)
		cw_put(w, "%s%u%s", i % 16 ? " " : "\n\t", nib[i], i + 1 < 96 ? "," : "");
	cw_put(w, "\n};\nstatic const struct frc_needles ");
	cw_ident(w, "nd", s);
	cw_put(w, " = { .n = %" PRIu32 "u, .minlen = %" PRIu32 "u, .icase = %uu, .blob = ", ns->n,
	       ns->n ? minlen : 0, ns->icase);
	cw_ident(w, "ndk", s);
	cw_put(w, ", .off = ");
	cw_ident(w, "ndo", s);
	cw_put(w, ", .bucket = ");
	cw_ident(w, "ndb", s);
	cw_put(w, ", .nib = ");
	cw_ident(w, "ndt", s);
	cw_put(w, " };\n");
	free(nd);
	free(order);
	free(off);
	free(blob);
	return;
oom:
	free(nd);
	free(order);
	free(off);
	free(blob);
	em->failed = true;
}

static void emit_numset(const struct ir *ir, struct cw *w, uint32_t id)
{
	const struct ir_const *c = &ir->consts[id];
	cw_put(w, "static const frc_u64 ");
	cw_ident(w, "i", id);
	cw_put(w, "[] = {");
	for (uint32_t i = 0; i < c->nitems; i++) {
		cw_put(w, "%s", i % 4 ? " " : "\n\t");
		cw_u64(w, ir->consts[ir->citems[c->items + i]].u);
		cw_put(w, "%s", i + 1 < c->nitems ? "," : "");
	}
	if (!c->nitems)
		cw_put(w, " 0");
	cw_put(w, "\n};\nstatic const struct frc_numset ");
	cw_ident(w, "l", id);
	cw_put(w, " = { .n = %" PRIu32 "u, .items = ", c->nitems);
	cw_ident(w, "i", id);
	cw_put(w, " };\n");
}

static void emit_ipset(const struct ir *ir, struct cw *w, uint32_t id)
{
	const struct ir_const *c = &ir->consts[id];
	cw_put(w, "static const struct frc_ip ");
	cw_ident(w, "i", id);
	cw_put(w, "[] = {\n");
	for (uint32_t i = 0; i < c->nitems; i++) {
		cw_put(w, "\t");
		emit_ip_init(w, &ir->consts[ir->citems[c->items + i]].ip);
		cw_put(w, ",\n");
	}
	if (!c->nitems)
		cw_put(w, "\t{ .family = 0u },\n");
	cw_put(w, "};\nstatic const struct frc_ipset ");
	cw_ident(w, "l", id);
	cw_put(w, " = { .n = %" PRIu32 "u, .items = ", c->nitems);
	cw_ident(w, "i", id);
	cw_put(w, " };\n");
}

static void emit_glob(const struct ir *ir, struct cw *w, uint32_t id)
{
	const struct ir_const *c = &ir->consts[id];
	size_t off = 0, len = 0;
	uint32_t kind = rt_helpers_glob_kind(c->s, c->len, &off, &len);
	emit_bytes_def(w, "frc_u8", "p", id, c->s, c->len);
	if (c->icase && kind != FRC_GLOB_FNMATCH && len) { /* lower-case literal for iglob */
		uint8_t *low = malloc(len);
		if (!low) {
			w->oom = true;
			return;
		}
		for (size_t i = 0; i < len; i++) {
			uint8_t b = c->s[off + i];
			low[i] = (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32) : b;
		}
		emit_bytes_def(w, "frc_u8", "q", id, low, len);
		free(low);
	}
	cw_put(w, "static const struct frc_glob ");
	cw_ident(w, "g", id);
	cw_put(w, " = { .kind = %" PRIu32 "u, .len = %zuu, .lit = ", kind, len);
	if (c->icase && kind != FRC_GLOB_FNMATCH && len) {
		cw_ident(w, "q", id);
	} else {
		cw_ident(w, "p", id);
		cw_put(w, " + %zu", off);
	}
	cw_put(w, ", .pat = ");
	cw_ident(w, "p", id);
	cw_put(w, " };\n");
}

/* ---- pmatch trie ---- */

struct tnode {
	const uint8_t *c;
	uint32_t len;
	bool glob, terminal;
	struct tnode **kids;
	uint32_t nkids, cap;
	uint32_t index, first, nexact, nglob, off;
};

static void tfree(struct tnode *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nkids; i++)
		tfree(t->kids[i]);
	free(t->kids);
	free(t);
}

static struct tnode *tchild(struct tnode *t, const uint8_t *c, uint32_t len)
{
	for (uint32_t i = 0; i < t->nkids; i++)
		if (t->kids[i]->len == len && !memcmp(t->kids[i]->c, c, len))
			return t->kids[i];
	if (t->nkids == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 4;
		struct tnode **p = realloc(t->kids, nc * sizeof(*p));
		if (!p)
			return NULL;
		t->kids = p;
		t->cap = nc;
	}
	struct tnode *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->c = c;
	k->len = len;
	for (uint32_t i = 0; i < len; i++)
		k->glob |= c[i] == '*' || c[i] == '?' || c[i] == '[';
	t->kids[t->nkids++] = k;
	return k;
}

/* insert one pattern; a terminal node makes everything below it irrelevant */
static bool tinsert(struct tnode *root, const uint8_t *s, uint32_t n, uint32_t *depth)
{
	struct tnode *t = root;
	uint32_t p = 0;
	*depth = 0;
	while (!t->terminal) {
		while (p < n && s[p] == '/')
			p++;
		if (p >= n) {
			t->terminal = true;
			for (uint32_t i = 0; i < t->nkids; i++)
				tfree(t->kids[i]);
			t->nkids = 0;
			return true;
		}
		uint32_t e = p;
		while (e < n && s[e] != '/')
			e++;
		if (++*depth > IR_MAX_PM_DEPTH)
			return true;
		t = tchild(t, s + p, e - p);
		if (!t)
			return false;
		p = e;
	}
	return true;
}

static int tcmp(const void *a, const void *b)
{
	const struct tnode *x = *(struct tnode *const *)a, *y = *(struct tnode *const *)b;
	if (x->glob != y->glob)
		return x->glob ? 1 : -1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->len ? memcmp(x->c, y->c, x->len) : 0;
}

/* breadth-first layout: children of each node contiguous, exact ones first */
static uint32_t tlayout(struct tnode *root, struct tnode ***order)
{
	uint32_t n = 1, cap = 16;
	struct tnode **q = malloc(cap * sizeof(*q));
	if (!q)
		return 0;
	q[0] = root;
	for (uint32_t i = 0; i < n; i++) {
		struct tnode *t = q[i];
		t->index = i;
		if (t->nkids)
			qsort(t->kids, t->nkids, sizeof(*t->kids), tcmp);
		t->first = n;
		for (uint32_t k = 0; k < t->nkids; k++) {
			if (n == cap) {
				struct tnode **p = realloc(q, cap * 2 * sizeof(*q));
				if (!p) {
					free(q);
					return 0;
				}
				q = p;
				cap *= 2;
			}
			q[n++] = t->kids[k];
			if (t->kids[k]->glob)
				t->nglob++;
			else
				t->nexact++;
		}
	}
	*order = q;
	return n;
}

static void emit_pmatch(struct emit *em, struct cw *w, uint32_t id)
{
	const struct ir *ir = em->ir;
	const struct ir_const *c = &ir->consts[id];
	struct tnode *root = calloc(1, sizeof(*root)), **order = NULL;
	if (!root)
		goto oom;
	for (uint32_t i = 0; i < c->nitems; i++) {
		const struct ir_const *p = &ir->consts[ir->citems[c->items + i]];
		uint32_t depth;
		if (!tinsert(root, p->s, p->len, &depth))
			goto oom;
		if (depth > IR_MAX_PM_DEPTH) {
			ir_diag_error(em->d, NULL, "pmatch pattern with more than %u path components "
				      "(limit)", IR_MAX_PM_DEPTH);
			em->failed = true;
			tfree(root);
			return;
		}
	}
	uint32_t n = tlayout(root, &order);
	if (!n)
		goto oom;
	/* one byte array holds every component, NUL-separated */
	size_t total = 0;
	for (uint32_t i = 1; i < n; i++) {
		order[i]->off = (uint32_t)total;
		total += order[i]->len + 1;
	}
	uint8_t *all = malloc(total + 1);
	if (!all)
		goto oom;
	for (uint32_t i = 1; i < n; i++) {
		memcpy(all + order[i]->off, order[i]->c, order[i]->len);
		all[order[i]->off + order[i]->len] = 0;
	}
	emit_bytes_def(w, "frc_u8", "k", id, all, total);
	free(all);
	cw_put(w, "static const struct frc_pm_node ");
	cw_ident(w, "pm", id);
	cw_put(w, "[] = {\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct tnode *t = order[i];
		cw_put(w, "\t{ .c = ");
		cw_ident(w, "k", id);
		cw_put(w, " + %" PRIu32 ", .len = %" PRIu32 "u, .glob = %u, .terminal = %u, "
			  ".first = %" PRIu32 "u, .nexact = %" PRIu32 "u, .nglob = %" PRIu32 "u },\n",
		       t->off, t->len, t->glob, t->terminal, t->first, t->nexact, t->nglob);
	}
	cw_put(w, "};\nstatic const struct frc_pmatch ");
	cw_ident(w, "t", id);
	cw_put(w, " = { .nnodes = %" PRIu32 "u, .nodes = ", n);
	cw_ident(w, "pm", id);
	cw_put(w, " };\n");
	free(order);
	tfree(root);
	return;
oom:
	free(order);
	tfree(root);
	em->failed = true;
}

static void emit_const(struct emit *em, struct cw *w, uint32_t id)
{
	const struct ir *ir = em->ir;
	const struct ir_const *c = &ir->consts[id];
	switch ((enum ir_ckind)c->kind) {
	case IRC_STR:
		emit_bytes_def(w, "frc_u8", "s", id, c->s, c->len);
		return;
	case IRC_NUM:
		return; /* written inline */
	case IRC_IP: case IRC_NET:
		cw_put(w, "static const struct frc_ip ");
		cw_ident(w, "a", id);
		cw_put(w, " = ");
		emit_ip_init(w, &c->ip);
		cw_put(w, ";\n");
		return;
	case IRC_STRSET: emit_strset(em, w, id); return;
	case IRC_NUMSET: emit_numset(ir, w, id); return;
	case IRC_IPSET: case IRC_NETSET: emit_ipset(ir, w, id); return;
	case IRC_GLOB: emit_glob(ir, w, id); return;
	case IRC_REGEX:
		emit_bytes_def(w, "frc_u8", "r", id, c->s, c->len);
		return;
	case IRC_PMATCH: emit_pmatch(em, w, id); return;
	case IRC__COUNT: break;
	}
}

/* transformer constant arguments as values */
static void emit_const_value(const struct ir *ir, struct cw *w, uint32_t id)
{
	/* not const: helpers may fill in a value's hash cache (frc_rt_abi.h) */
	cw_put(w, "static struct frc_val ");
	cw_ident(w, "v", id);
	cw_put(w, " = { .s = ");
	cw_ident(w, "s", id);
	cw_put(w, ", .len = %" PRIu32 "u };\n", ir->consts[id].len);
}

/* ------------------------------------------------------------------ tables */

static void emit_fields(const struct ir *ir, struct cw *w)
{
	if (!ir->nslots)
		return;
	for (uint32_t i = 0; i < ir->nslots; i++)
		if (ir->slots[i].arg)
			emit_bytes_def(w, "char", "fa", i, (const uint8_t *)ir->slots[i].arg,
				       ir->slots[i].arg_len);
	cw_put(w, "/* field slots: frc_field(e, N) */\n");
	cw_put(w, "static const struct frc_field_ref frc_g_fields[] = {\n");
	for (uint32_t i = 0; i < ir->nslots; i++) {
		const struct ir_slot *s = &ir->slots[i];
		const char *fname = field_table[s->field].name;
		cw_put(w, "\t/* %" PRIu32 ": ", i);
		cstr_comment(w, fname, strlen(fname), 64);
		cw_put(w, " */\n\t{ .field = %uu, .arg_len = %" PRIu32 "u, .arg = ", (unsigned)s->field,
		       s->arg_len);
		if (s->arg) {
			cw_ident(w, "fa", i);
		} else {
			cw_put(w, "0");
		}
		cw_put(w, ", .arg_index = ");
		put_i64(w, (uint64_t)s->arg_index);
		cw_put(w, " },\n");
	}
	cw_put(w, "};\n\n");
}

static void emit_text(struct cw *w, const char *kind, uint32_t id, const char *s)
{
	if (s)
		emit_bytes_def(w, "char", kind, id, (const uint8_t *)s, strlen(s));
}

/* a rule's file as written, but only the last component of an absolute path, so that the
 * output does not depend on where the sources live */
static const char *file_name(const char *f)
{
	if (!f || f[0] != '/')
		return f;
	const char *s = strrchr(f, '/');
	return s[1] ? s + 1 : f;
}

static void emit_rules(const struct ir *ir, struct cw *w)
{
	if (!ir->nrules)
		return;
	cw_put(w, "/* rules: names, outputs, sources, files and tags (escaped) */\n");
	uint32_t ntag = 0;
	for (uint32_t i = 0; i < ir->nrules; i++) {
		const struct frc_rule *r = ir->rules[i].src;
		emit_text(w, "name", i, r->name);
		emit_text(w, "out", i, r->output);
		emit_text(w, "src", i, r->source);
		emit_text(w, "file", i, file_name(r->file));
		if (!r->ntags)
			continue;
		uint32_t first = ntag;
		for (uint32_t t = 0; t < r->ntags; t++)
			emit_text(w, "tag", ntag++, r->tags[t]);
		cw_put(w, "static const char *const ");
		cw_ident(w, "tags", i);
		cw_put(w, "[] = {\n");
		for (uint32_t t = 0; t < r->ntags; t++) {
			cw_put(w, "\t");
			cw_ident(w, "tag", first + t);
			cw_put(w, ",\n");
		}
		cw_put(w, "};\n");
	}
	cw_put(w, "static const struct frc_rule_info frc_g_rules[] = {\n");
	for (uint32_t i = 0; i < ir->nrules; i++) {
		const struct frc_rule *r = ir->rules[i].src;
		cw_put(w, "\t{ /* rule %" PRIu32 " */\n", i);
		static const char *const names[] = { "name", "out", "src", "file" };
		static const char *const members[] = { "name", "output", "source", "file" };
		const char *vals[] = { r->name, r->output, r->source, file_name(r->file) };
		for (int k = 0; k < 4; k++) {
			cw_put(w, "\t\t.%s = ", members[k]);
			if (vals[k])
				cw_ident(w, names[k], i);
			else
				cw_put(w, "0");
			cw_put(w, ",\n");
		}
		cw_put(w, "\t\t.tags = ");
		if (r->ntags)
			cw_ident(w, "tags", i);
		else
			cw_put(w, "0");
		cw_put(w, ",\n\t\t.ntags = %" PRIu32 "u,\n\t\t.line = %" PRIu32 "u,\n\t\t.priority = %uu,\n"
			  "\t\t.enabled = %uu,\n", r->ntags, r->line, (unsigned)r->priority,
		       r->enabled ? 1u : 0u);
		uint64_t codes[FRC_EVT_CODES / 64];
		bool all;
		emit_bpf_rule_codes(ir, i, codes, &all);
		cw_put(w, "\t\t.codes = {");
		for (int k = 0; k < FRC_EVT_CODES / 64; k++)
			cw_put(w, " 0x%016" PRIx64 "ULL%s", codes[k], k + 1 < FRC_EVT_CODES / 64 ? "," : "");
		cw_put(w, " },\n\t\t.all_codes = %uu,\n\t},\n", all ? 1u : 0u);
	}
	cw_put(w, "};\n\n");
}

static void emit_regex_table(struct emit *em, struct cw *w)
{
	if (!em->nregex)
		return;
	uint32_t *by = calloc(em->nregex, sizeof(*by));
	if (!by) {
		em->failed = true;
		return;
	}
	for (uint32_t i = 0; i < em->ir->nconsts; i++)
		if (em->regex_idx[i])
			by[em->regex_idx[i] - 1] = i;
	cw_put(w, "/* regular expressions, compiled by the runtime at load */\n");
	cw_put(w, "static const struct frc_lit frc_g_regex[] = {\n");
	for (uint32_t k = 0; k < em->nregex; k++) {
		cw_put(w, "\t{ .s = ");
		cw_ident(w, "r", by[k]);
		cw_put(w, ", .len = %" PRIu32 "u },\n", em->ir->consts[by[k]].len);
	}
	cw_put(w, "};\n\n");
	free(by);
}

static void emit_dispatch(const struct emit *em, const struct ir *ir, struct cw *w)
{
	cw_put(w, "/* dispatch: event code -> group */\n");
	cw_put(w, "static const frc_group_fn frc_g_dispatch[%u] = {\n", FRC_EVT_CODES);
	bool any = false;
	for (uint32_t c = 0; c < FRC_EVT_CODES; c++) {
		if (!ir->code_group[c])
			continue;
		cw_put(w, "\t[%" PRIu32 "] = ", c);
		cw_ident(w, "grp", em->gnum[ir->code_group[c] - 1]);
		cw_put(w, ",\n");
		any = true;
	}
	if (!any)
		cw_put(w, "\t0\n");
	cw_put(w, "};\n\n");
}

static void emit_desc(struct emit *em, struct cw *w, uint32_t ngroups)
{
	const struct ir *ir = em->ir;
	cw_put(w, "const struct frc_ruleset_desc frc_g_ruleset = {\n");
	cw_put(w, "\t.abi_version = %uu,\n", FRC_ABI_VERSION);
	cw_put(w, "\t.desc_size = sizeof(struct frc_ruleset_desc),\n");
	cw_put(w, "\t.nrules = %" PRIu32 "u,\n", ir->nrules);
	cw_put(w, "\t.nfields = %" PRIu32 "u,\n", ir->nslots);
	cw_put(w, "\t.ncodes = %uu,\n", FRC_EVT_CODES);
	cw_put(w, "\t.nmemo = %" PRIu32 "u,\n", ir->nmemo);
	cw_put(w, "\t.nregex = %" PRIu32 "u,\n", em->nregex);
	cw_put(w, "\t.ngroups = %" PRIu32 "u,\n", ngroups);
	cw_put(w, "\t.rules = %s,\n", ir->nrules ? "frc_g_rules" : "0");
	cw_put(w, "\t.fields = %s,\n", ir->nslots ? "frc_g_fields" : "0");
	cw_put(w, "\t.dispatch = frc_g_dispatch,\n");
	cw_put(w, "\t.other = ");
	if (ir->other_group)
		cw_ident(w, "grp", em->gnum[ir->other_group - 1]);
	else
		cw_put(w, "0");
	cw_put(w, ",\n\t.regex = %s,\n};\n", em->nregex ? "frc_g_regex" : "0");
}

/* ------------------------------------------------------------------ merged sets */

/* an `in` test that a merged set can serve: a field slot, "any", a string set */
static bool map_candidate(const struct ir *ir, const struct ir_node *t)
{
	return t->kind == IR_TEST && !t->rhs_val && t->op == OP_IN && t->quant == FRC_Q_ANY &&
	       ir->consts[t->b].kind == IRC_STRSET && ir->nodes[t->a].kind == IR_VFIELD;
}

/* (slot, set) of a candidate test, ordered by slot then set */
static int pair_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/*
 * Finds, among the tests reachable from the used groups, the field slots that `in` tests
 * compare with two sets or more, and makes their merged sets: em->maps, and per test node
 * its map (em->tmap) and set (em->tbit). A slot with more than 64 sets has several maps;
 * a last one that would hold one set is left out (its test stays frc_sin).
 */
static void collect_maps(struct emit *em)
{
	const struct ir *ir = em->ir;
	uint8_t *seen = calloc(ir->nnodes ? ir->nnodes : 1, 1);
	uint32_t *stack = malloc((ir->nnodes ? ir->nnodes : 1) * sizeof(*stack));
	uint32_t *pairs = NULL, np = 0, sp = 0;
	if (!seen || !stack)
		goto oom;
	for (uint32_t g = 0; g < ir->ngroups; g++) {
		if (!group_used(ir, g))
			continue;
		for (uint32_t i = 0; i < ir->groups[g].n; i++) {
			uint32_t r = ir->groups[g].roots[i];
			if (!seen[r]) {
				seen[r] = 1;
				stack[sp++] = r;
			}
		}
	}
	uint32_t ncand = 0;
	while (sp) { /* each node is pushed once: the stack holds at most nnodes */
		uint32_t id = stack[--sp];
		const struct ir_node *n = &ir->nodes[id];
		if (n->kind == IR_AND || n->kind == IR_OR || n->kind == IR_NOT) {
			uint32_t nk = n->kind == IR_NOT ? 1 : n->nkids;
			const uint32_t *k = n->kind == IR_NOT ? &n->a : ir_kids(ir, id);
			for (uint32_t i = 0; i < nk; i++)
				if (!seen[k[i]]) {
					seen[k[i]] = 1;
					stack[sp++] = k[i];
				}
		} else if (map_candidate(ir, n)) {
			ncand++;
		}
	}
	if (ncand < 2)
		goto done;
	pairs = malloc(ncand * 2 * sizeof(*pairs));
	if (!pairs)
		goto oom;
	for (uint32_t id = 0; id < ir->nnodes; id++)
		if (seen[id] && map_candidate(ir, &ir->nodes[id])) {
			pairs[2 * np] = ir->nodes[ir->nodes[id].a].a;
			pairs[2 * np + 1] = ir->nodes[id].b;
			np++;
		}
	qsort(pairs, np, 2 * sizeof(*pairs), pair_cmp);
	uint32_t u = 0;
	for (uint32_t i = 0; i < np; i++)
		if (!u || pair_cmp(&pairs[2 * (u - 1)], &pairs[2 * i])) {
			pairs[2 * u] = pairs[2 * i];
			pairs[2 * u + 1] = pairs[2 * i + 1];
			u++;
		}
	np = u;
	/* maps, in slot order; a slot's sets in constant order, 64 to a map */
	uint32_t cap = 0;
	for (uint32_t i = 0; i < np;) {
		uint32_t e = i;
		while (e < np && pairs[2 * e] == pairs[2 * i])
			e++;
		for (uint32_t f = i; f + 1 < e; f += SMAP_MAX_SETS) {
			uint32_t k = e - f < SMAP_MAX_SETS ? e - f : SMAP_MAX_SETS;
			if (em->nmaps == cap) {
				uint32_t nc = cap ? cap * 2 : 8;
				struct smap *p = realloc(em->maps, nc * sizeof(*p));
				if (!p)
					goto oom;
				em->maps = p;
				cap = nc;
			}
			struct smap *sm = &em->maps[em->nmaps++];
			sm->slot = pairs[2 * i];
			sm->nsets = k;
			for (uint32_t j = 0; j < k; j++)
				sm->sets[j] = pairs[2 * (f + j) + 1];
		}
		i = e;
	}
	/* each candidate test: its map and bit (maps and their sets are sorted) */
	for (uint32_t id = 0; id < ir->nnodes; id++) {
		if (!seen[id] || !map_candidate(ir, &ir->nodes[id]))
			continue;
		uint32_t slot = ir->nodes[ir->nodes[id].a].a, set = ir->nodes[id].b;
		for (uint32_t m = 0; m < em->nmaps; m++) {
			const struct smap *sm = &em->maps[m];
			if (sm->slot != slot)
				continue;
			const uint32_t *p = bsearch(&set, sm->sets, sm->nsets, sizeof(*p), u32_cmp);
			if (p) {
				em->tmap[id] = m + 1;
				em->tbit[id] = (uint8_t)(p - sm->sets);
				break;
			}
		}
	}
done:
	free(seen);
	free(stack);
	free(pairs);
	return;
oom:
	em->failed = true;
	goto done;
}

/* ------------------------------------------------------------------ driver */

/* the unit's helpers of the group functions (emit_group) */
static void emit_group_helpers(const struct emit *em, struct cw *w)
{
	if (em->uses_match)
		cw_put(w, "/* a match: out of the straight path of the groups */\n"
			  "static FRC_G_COLD int frc_g_match(struct frc_run *r, frc_u32 rule)\n{\n"
			  "\treturn frc_rt_match(r, rule);\n}\n\n");
	if (em->uses_ebit)
		cw_put(w, "/* FRC_G_EBIT: in set j of map m as FRC_SINM, the row loaded on the group's "
			  "entry */\n"
			  "#define FRC_G_EBIT(c, m, j) ((int)(((c)->row[(m)] >> (j)) & 1))\n\n");
	bool any = false;
	for (uint32_t m = 0; m < em->nmaps; m++) {
		if (!em->grow[m])
			continue;
		if (!any)
			cw_put(w, "/* FRC_G_RBIT: in set j of map m as FRC_SINM, the row loaded once per "
				  "event by f */\n"
				  "#define FRC_G_RBIT(e, c, m, j, f) \\\n"
				  "\t((int)((((((c)->rhave[(m) >> 6] >> ((m) & 63)) & 1) ? (c)->row[(m)] \\\n"
				  "\t\t: f((e), (c))) >> (j)) & 1))\n\n");
		any = true;
		uint32_t k = em->maps[m].slot;
		cw_put(w, "static FRC_G_NOINLINE frc_u64 ");
		cw_ident(w, "row", m);
		cw_put(w, "(struct frc_evt *e, struct frc_g_fc *fc)\n{\n"
			  "\tconst struct frc_val *v = FRC_FV(e, fc, %" PRIu32 "u);\n"
			  "\tfc->rhave[%" PRIu32 "u] |= 1ULL << %" PRIu32 "u;\n"
			  "\tif (!v || (!v->multi && !((", k, m / 64, m % 64);
		cw_ident(w, "m", m);
		cw_put(w, ".lenmask >> (v->len & 63)) & 1)))\n"
			  "\t\treturn fc->row[%" PRIu32 "u] = 0;\n"
			  "\treturn fc->row[%" PRIu32 "u] = frc_s_row(v, &", m, m);
		cw_ident(w, "m", m);
		cw_put(w, ");\n}\n\n");
	}
}

static int fn_cmp(const void *a, const void *b)
{
	const struct fn *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/* bodies of the groups and every function they need, in their final order */
static void gen_bodies(struct emit *em, struct cw *groups, struct cw *fns, uint32_t *ngroups)
{
	const struct ir *ir = em->ir;
	em->w = groups;
	*ngroups = 0;
	for (uint32_t g = 0; g < ir->ngroups; g++)
		if (group_used(ir, g)) {
			em->gnum[g] = (*ngroups)++;
			emit_group(em, g);
		}
	/* functions discovered while generating; generating them may queue more */
	for (uint32_t i = 0; i < em->nfns && !em->failed; i++) {
		struct cw t;
		cw_init(&t);
		struct fn f = em->fns[i];
		emit_fn(em, &t, &f);
		em->fns[i].text = cw_take(&t, NULL);
		if (!em->fns[i].text)
			em->failed = true;
	}
	if (em->nfns)	/* qsort(NULL, 0, ...) is undefined */
		qsort(em->fns, em->nfns, sizeof(*em->fns), fn_cmp);
	for (uint32_t i = 0; i < em->nfns; i++) {
		cw_put(fns, "static FRC_G_NOINLINE int ");
		fn_name(fns, &em->fns[i]);
		cw_put(fns, "(struct frc_evt *e, struct frc_run *r, struct frc_g_fc *fc);\n");
	}
	cw_put(fns, "\n");
	for (uint32_t i = 0; i < em->nfns; i++)
		if (em->fns[i].text)
			cw_put(fns, "%s", em->fns[i].text);
}

char *emit_c_ruleset(const struct ir *ir, const char *version, struct ir_diag *d, size_t *len)
{
	struct emit em = { .ir = ir, .d = d };
	struct cw out, groups, fns;
	char *res = NULL;
	uint32_t ngroups = 0;
	cw_init(&out);
	cw_init(&groups);
	cw_init(&fns);
	em.cused = xcalloc(&em, ir->nconsts, 1);
	em.vused = xcalloc(&em, ir->nconsts, 1);
	em.regex_idx = xcalloc(&em, ir->nconsts, sizeof(uint32_t));
	em.cond_num = xcalloc(&em, ir->nnodes, sizeof(uint32_t));
	em.memo_seen = xcalloc(&em, ir->nnodes, 1);
	em.rule_seen = xcalloc(&em, ir->nrules, 1);
	em.gnum = xcalloc(&em, ir->ngroups, sizeof(uint32_t));
	em.tmap = xcalloc(&em, ir->nnodes, sizeof(uint32_t));
	em.tbit = xcalloc(&em, ir->nnodes, 1);
	if (em.failed)
		goto out;
	collect_maps(&em);
	em.grow = xcalloc(&em, em.nmaps, 1);
	em.erow = xcalloc(&em, em.nmaps, 1);
	em.loaded = xcalloc(&em, fc_words(ir), sizeof(uint64_t));
	if (em.failed)
		goto out;
	gen_bodies(&em, &groups, &fns, &ngroups);

	cw_put(&out, "/* Generated by frc %s -- DO NOT EDIT. */\n", version);
	cw_put(&out, "/* frc ABI %u: %" PRIu32 " rules, %" PRIu32 " field slots, %" PRIu32
		     " groups, %" PRIu32 " shared conditions */\n", FRC_ABI_VERSION, ir->nrules,
	       ir->nslots, ngroups, ir->nmemo);
	cw_put(&out, "#include \"frc_rt_abi.h\"\n\n");
	emit_fields(ir, &out);
	/* gcc cannot see that FRC_FV reads v[k] only once bit k of have[] is set */
	cw_put(&out, "#if defined(__GNUC__) && !defined(__clang__) && !defined(__TINYC__)\n"
		     "#pragma GCC diagnostic ignored \"-Wmaybe-uninitialized\"\n#endif\n");
	/* a rule's function stays out of its group, which tests the rule's gate inline and
	 * calls it when the gate passes: the group's code stays compact */
	cw_put(&out, "#if defined(__GNUC__) && !defined(__TINYC__)\n"
		     "#define FRC_G_NOINLINE __attribute__((noinline))\n"
		     "#define FRC_G_COLD __attribute__((noinline, cold))\n#else\n"
		     "#define FRC_G_NOINLINE\n#define FRC_G_COLD\n#endif\n");
	cw_put(&out, "/* the values of the field slots read so far for this event (FRC_FV) */\n");
	cw_put(&out, "struct frc_g_fc {\n\tconst frc_field_fn *get;\n\tfrc_u64 have[%uu];\n"
		     "\tconst struct frc_val *v[%" PRIu32 "u];\n", fc_words(ir),
	       ir->nslots ? ir->nslots : 1);
	if (em.nmaps) /* ... and the rows of their values in the merged sets (FRC_SINM) */
		cw_put(&out, "\tfrc_u64 rhave[%" PRIu32 "u];\n\tfrc_u64 row[%" PRIu32 "u];\n",
		       (em.nmaps + 63) / 64, em.nmaps);
	cw_put(&out, "};\n\n");
	cw_put(&out, "/* constants */\n");
	for (uint32_t i = 0; i < ir->nconsts; i++)
		if (em.cused[i])
			emit_const(&em, &out, i);
	for (uint32_t i = 0; i < ir->nconsts; i++) /* transformer constant arguments */
		if (em.vused[i])
			emit_const_value(ir, &out, i);
	if (em.nmaps)
		cw_put(&out, "/* merged string sets: per field slot, the sets of its in tests */\n");
	for (uint32_t m = 0; m < em.nmaps; m++)
		emit_smap(&em, &out, m);
	if (em.nnsets)
		cw_put(&out, "/* needle sets: or-ed contains tests of one value, one pass */\n");
	for (uint32_t s = 0; s < em.nnsets; s++)
		emit_nset(&em, &out, s);
	cw_put(&out, "\n");
	emit_group_helpers(&em, &out);
	emit_regex_table(&em, &out);
	emit_rules(ir, &out);
	if (fns.len)
		cw_put(&out, "%s", fns.buf);
	if (groups.len)
		cw_put(&out, "%s", groups.buf);
	emit_dispatch(&em, ir, &out);
	emit_desc(&em, &out, ngroups);
	if (groups.oom || fns.oom)
		out.oom = true;
	if (out.len > EMIT_C_MAX_OUTPUT) {
		ir_diag_error(d, NULL, "emitted C larger than %u bytes (limit)", EMIT_C_MAX_OUTPUT);
		goto out;
	}
	if (em.failed || out.oom) {
		ir_diag_error(d, NULL, "cannot emit C: %s", out.oom || em.failed ? "out of memory or "
							     "unsupported construct" : "");
		goto out;
	}
	res = cw_take(&out, len);
out:
	cw_fini(&out);
	cw_fini(&groups);
	cw_fini(&fns);
	free(em.cused);
	free(em.vused);
	for (uint32_t i = 0; i < em.nfns; i++) {
		free(em.fns[i].text);
		free(em.fns[i].eager);
	}
	free(em.regex_idx);
	free(em.cond_num);
	free(em.memo_seen);
	free(em.rule_seen);
	free(em.gnum);
	free(em.tmap);
	free(em.tbit);
	free(em.erow);
	free(em.grow);
	free(em.maps);
	for (uint32_t s = 0; s < em.nnsets; s++)
		free(em.nsets[s].items);
	free(em.nsets);
	free(em.loaded);
	free(em.undo);
	free(em.fns);
	return res;
}
