/* SPDX-License-Identifier: Apache-2.0
 *
 * AST → IR (see lower.h). Constants arrive typed in struct ast_const (the checker parsed
 * numbers, addresses and networks); here they are interned into pools shaped for the
 * operator: sets for in/intersects, lower-cased text for icontains, validated patterns for
 * regex, path lists for pmatch (bcontains/bstartswith bytes arrive hex-decoded).
 */
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frc_rt_abi.h"
#include "rt_helpers.h"

void ir_diag_error(struct ir_diag *d, const struct frc_rule *rule, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->nerrors++;
	if (d->report) {
		d->report(d->ctx, rule, msg);
		return;
	}
	if (rule && rule->file)
		fprintf(stderr, "%s:%u: error: %s\n", rule->file, rule->line, msg);
	else
		fprintf(stderr, "error: %s\n", msg);
}

struct lower {
	struct ir *ir;
	struct ir_diag *d;
	const struct frc_rule *rule;
	bool failed;	/* an error was reported for the current rule */
};

static uint32_t fail(struct lower *l, const char *what)
{
	if (!l->failed) {
		if (l->ir->oom)
			ir_diag_error(l->d, l->rule, "rule '%s': out of memory", l->rule->name);
		else
			ir_diag_error(l->d, l->rule, "rule '%s': %s", l->rule->name, what);
	}
	l->failed = true;
	return UINT32_MAX;
}

static bool is_string_type(enum ft_type t)
{
	return t == FT_CHARBUF || t == FT_FSPATH || t == FT_BYTEBUF;
}

static bool is_num_type(enum ft_type t)
{
	switch (t) {
	case FT_INT64: case FT_UINT64: case FT_UINT32: case FT_PORT: case FT_BOOL:
	case FT_RELTIME: case FT_ABSTIME:
		return true;
	case FT_NONE: case FT_CHARBUF: case FT_FSPATH: case FT_BYTEBUF: case FT_IPADDR:
	case FT_IPNET: case FT_DYN: case FT__COUNT:
		return false;
	}
	return false;
}

/* ------------------------------------------------------------------ values */

static uint32_t lower_value(struct lower *l, const struct ast *n, unsigned depth);

static uint32_t str_const(struct lower *l, const uint8_t *s, uint32_t len)
{
	if (len > IR_MAX_STRLEN)
		return fail(l, "string constant longer than 16777216 bytes (limit)");
	struct ir_const c = { .kind = IRC_STR, .s = s, .len = len };
	uint32_t id = ir_const_get(l->ir, &c, NULL, 0);
	return id == UINT32_MAX ? fail(l, "out of memory") : id;
}

/* field -> value node (a slot) */
static uint32_t lower_field(struct lower *l, const struct ast *n)
{
	enum field_id f = n->u.field.id;
	if ((unsigned)f >= FLD__COUNT)
		return fail(l, "field not resolved (condition was not type-checked)");
	uint32_t slot = ir_slot_get(l->ir, f, n->u.field.arg, n->u.field.arg_len,
				    n->u.field.arg ? n->u.field.arg_index : -1);
	if (slot == UINT32_MAX)
		return fail(l, "out of memory");
	struct ir_node t = { .kind = IR_VFIELD, .a = slot, .type = (uint8_t)field_table[f].type };
	return ir_node_get(l->ir, &t, NULL, 0);
}

/* transformer(args)[arg] -> value node */
static uint32_t lower_xform(struct lower *l, const struct ast *n, unsigned depth)
{
	uint32_t nargs = n->u.xform.nargs, kids[16];
	if (nargs > 16)
		return fail(l, "transformer with more than 16 arguments (limit)");
	for (uint32_t i = 0; i < nargs; i++) {
		kids[i] = lower_value(l, n->u.xform.args[i], depth + 1);
		if (kids[i] == UINT32_MAX)
			return UINT32_MAX;
	}
	struct ir_node t = { .kind = IR_VXFORM, .op = (uint8_t)n->u.xform.kind, .b = UINT32_MAX };
	t.type = (uint8_t)n->u.xform.type;
	if (t.type == FT_NONE)
		t.type = n->u.xform.kind == XF_LEN ? FT_UINT64 : FT_CHARBUF;
	if (n->u.xform.arg) {
		t.b = str_const(l, (const uint8_t *)n->u.xform.arg, n->u.xform.arg_len);
		if (t.b == UINT32_MAX)
			return UINT32_MAX;
	}
	if (n->u.xform.kind == XF_CONCAT && nargs < 2)
		return fail(l, "concat() needs at least 2 arguments");
	if ((n->u.xform.kind == XF_JOIN || n->u.xform.kind == XF_GETOPT) && nargs != 2)
		return fail(l, "join() and getopt() take exactly 2 arguments");
	if (n->u.xform.kind < XF_JOIN && nargs != 1)
		return fail(l, "this transformer takes exactly 1 argument");
	return ir_node_get(l->ir, &t, kids, nargs);
}

static uint32_t lower_value(struct lower *l, const struct ast *n, unsigned depth)
{
	if (depth > IR_MAX_DEPTH)
		return fail(l, "transformers nested deeper than 500 levels (limit)");
	switch (n->kind) {
	case AST_FIELD:
		return lower_field(l, n);
	case AST_XFORM:
		return lower_xform(l, n, depth);
	case AST_VALUE: {
		uint32_t c = str_const(l, (const uint8_t *)n->u.value.str, n->u.value.len);
		if (c == UINT32_MAX)
			return c;
		struct ir_node t = { .kind = IR_VCONST, .a = c, .type = FT_CHARBUF };
		return ir_node_get(l->ir, &t, NULL, 0);
	}
	case AST_AND: case AST_OR: case AST_NOT: case AST_CHECK: case AST_REF: case AST_LIST:
	case AST_BOOL: case AST__COUNT:
		break;
	}
	return fail(l, "unsupported operand in a value position");
}

/* Is the value of node @id a list (several items compared with in/intersects)? */
static bool value_is_list(const struct ir *ir, uint32_t id)
{
	const struct ir_node *n = &ir->nodes[id];
	if (n->kind == IR_VFIELD)
		return field_table[ir->slots[n->a].field].flags & FF_LIST;
	if (n->kind != IR_VXFORM)
		return false;
	switch ((enum xform_kind)n->op) {
	case XF_LEN: case XF_JOIN: case XF_CONCAT:
		return false;
	case XF_GETOPT:
		return n->b == UINT32_MAX;
	case XF_TOLOWER: case XF_TOUPPER: case XF_B64: case XF_BASENAME:
		return n->nkids && value_is_list(ir, ir_kids(ir, id)[0]);
	case XF__COUNT:
		break;
	}
	return false;
}

/* quantifier of a test: any ancestor / either end / list membership (fields.md §3) */
static uint8_t quantifier(const struct ir *ir, uint32_t lhs, enum cmp_op op)
{
	const struct ir_node *n = &ir->nodes[lhs];
	if (n->kind == IR_VFIELD) {
		uint32_t fl = field_table[ir->slots[n->a].field].flags;
		if ((fl & FF_EITHER_END) && op == OP_NE)
			return FRC_Q_ALL;
	}
	if (value_is_list(ir, lhs) && op == OP_IN)
		return FRC_Q_ALL;
	return FRC_Q_ANY;
}

/* ------------------------------------------------------------------ constants */

static bool typed(const struct ast *v)
{
	return v->kind == AST_VALUE && v->u.value.c.type != FT_NONE;
}

/* one literal for a string operator */
static uint32_t str_operand(struct lower *l, const struct ast *v, enum cmp_op op)
{
	const uint8_t *s = (const uint8_t *)v->u.value.str;
	uint32_t len = v->u.value.len;
	if (v->u.value.c.type == FT_NONE)
		return fail(l, "constant not converted to the field type (condition was not "
			       "type-checked)");
	/* bcontains/bstartswith: the checker already decoded the hex text into bytes */
	if (op == OP_ICONTAINS) {
		uint8_t *b = arena_alloc(&l->ir->arena, (size_t)len + 1);
		if (!b)
			return fail(l, "out of memory");
		for (uint32_t i = 0; i < len; i++)
			b[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (uint8_t)(s[i] + 32) : s[i];
		return str_const(l, b, len);
	}
	if (op == OP_GLOB || op == OP_IGLOB || op == OP_REGEX) {
		if (len > IR_MAX_STRLEN)
			return fail(l, "pattern longer than 16777216 bytes (limit)");
		if (op == OP_REGEX) {
			char err[256];
			void *re = rt_helpers_regex_compile(s, len, err, sizeof(err));
			if (!re) {
				char msg[300];
				snprintf(msg, sizeof(msg), "invalid regex pattern: %s", err);
				return fail(l, msg);
			}
			rt_helpers_regex_free(re);
		}
		struct ir_const c = { .kind = op == OP_REGEX ? IRC_REGEX : IRC_GLOB, .s = s,
				      .len = len, .icase = op == OP_IGLOB };
		uint32_t id = ir_const_get(l->ir, &c, NULL, 0);
		return id == UINT32_MAX ? fail(l, "out of memory") : id;
	}
	return str_const(l, s, len);
}

/* one scalar constant for a numeric/address operator */
static uint32_t scalar_operand(struct lower *l, const struct ast *v, enum ft_type t)
{
	if (!typed(v))
		return fail(l, "constant not converted to the field type (condition was not "
			       "type-checked)");
	const struct ast_const *k = &v->u.value.c;
	struct ir_const c = { 0 };
	if (is_num_type(t)) {
		c.kind = IRC_NUM;
		c.sgn = t == FT_INT64;
		c.u = k->n.u;
	} else if (t == FT_IPADDR || t == FT_IPNET) {
		if (k->family != 4 && k->family != 6)
			return fail(l, "address constant without a family");
		c.kind = t == FT_IPNET ? IRC_NET : IRC_IP;
		c.ip.family = k->family;
		memcpy(c.ip.b, k->ip, k->family == 4 ? 4 : 16);
		if (t == FT_IPNET) {
			if (k->prefix > (k->family == 4 ? 32 : 128))
				return fail(l, "network prefix out of range");
			c.ip.prefix = k->prefix;
		}
	} else {
		return fail(l, "operator not supported for this field type");
	}
	uint32_t id = ir_const_get(l->ir, &c, NULL, 0);
	return id == UINT32_MAX ? fail(l, "out of memory") : id;
}

static int cmp_str_const(const void *a, const void *b, void *ctx)
{
	const struct ir *ir = ctx;
	const struct ir_const *x = &ir->consts[*(const uint32_t *)a];
	const struct ir_const *y = &ir->consts[*(const uint32_t *)b];
	if (x->kind == IRC_NUM)
		return x->u < y->u ? -1 : x->u > y->u;
	if (x->kind == IRC_IP || x->kind == IRC_NET) {
		int c = memcmp(&x->ip, &y->ip, sizeof(x->ip));
		return c;
	}
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->len ? memcmp(x->s, y->s, x->len) : 0;
}

/* the items of a list operand (a single value counts as a one-item list) */
static const struct ast *const *list_items(const struct ast *const *rhs, uint32_t *n)
{
	if ((*rhs)->kind == AST_LIST) {
		*n = (*rhs)->u.nary.n;
		return (const struct ast *const *)(*rhs)->u.nary.items;
	}
	*n = 1;
	return rhs;
}

/* in/intersects/pmatch list -> a sorted, deduplicated set constant */
static uint32_t set_operand(struct lower *l, const struct ast *rhs, enum cmp_op op, enum ft_type t)
{
	uint32_t n;
	const struct ast *const *items = list_items(&rhs, &n);
	if (n > IR_MAX_LIST)
		return fail(l, "list with more than 1048576 items (limit)");
	uint32_t *ids = malloc((n ? n : 1) * sizeof(*ids)), m = 0;
	if (!ids)
		return fail(l, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		if (items[i]->kind != AST_VALUE) {
			free(ids);
			return fail(l, "list item is not a constant");
		}
		ids[i] = is_string_type(t) ? str_operand(l, items[i], OP_EQ)
					   : scalar_operand(l, items[i], t);
		if (ids[i] == UINT32_MAX) {
			free(ids);
			return UINT32_MAX;
		}
	}
	qsort_r(ids, n, sizeof(*ids), cmp_str_const, l->ir);
	for (uint32_t i = 0; i < n; i++)
		if (!m || ids[m - 1] != ids[i])
			ids[m++] = ids[i];
	struct ir_const c = { 0 };
	if (op == OP_PMATCH)
		c.kind = IRC_PMATCH;
	else if (is_string_type(t))
		c.kind = IRC_STRSET;
	else if (t == FT_IPADDR)
		c.kind = IRC_IPSET;
	else if (t == FT_IPNET)
		c.kind = IRC_NETSET;
	else
		c.kind = IRC_NUMSET;
	uint32_t id = ir_const_get(l->ir, &c, ids, m);
	free(ids);
	return id == UINT32_MAX ? fail(l, "out of memory") : id;
}

/* ------------------------------------------------------------------ checks */

static bool op_allowed(enum cmp_op op, enum ft_type t)
{
	if (op == OP_EXISTS || op == OP_IN || op == OP_INTERSECTS)
		return true;
	if (is_string_type(t))
		return true;
	if (is_num_type(t))
		return op <= OP_GE && (t != FT_BOOL || op == OP_EQ || op == OP_NE);
	if (t == FT_IPADDR || t == FT_IPNET)
		return op == OP_EQ || op == OP_NE;
	return false;
}

/* lhs op constant-or-list -> IR_TEST */
static uint32_t test_node(struct lower *l, uint32_t lhs, enum cmp_op op, const struct ast *rhs)
{
	struct ir_node t = { .kind = IR_TEST, .a = lhs, .op = (uint8_t)op };
	enum ft_type ty = (enum ft_type)l->ir->nodes[lhs].type;
	if (ty == FT_DYN) /* evt.rawarg: the constant was parsed for the argument's type */
		ty = rhs && rhs->kind == AST_VALUE ? rhs->u.value.c.type
		     : rhs && rhs->kind == AST_LIST && rhs->u.nary.n ?
			   rhs->u.nary.items[0]->u.value.c.type : FT_CHARBUF;
	if (ty == FT_NONE || ty == FT_DYN)
		ty = FT_CHARBUF;
	t.type = (uint8_t)ty;
	t.quant = quantifier(l->ir, lhs, op);
	if (!op_allowed(op, ty))
		return fail(l, "operator not supported for this field type");
	if (op == OP_EXISTS) {
		t.b = 0;
		t.quant = 0;
	} else if (!rhs) {
		return fail(l, "comparison without a right-hand side");
	} else if (op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH) {
		t.b = set_operand(l, rhs, op, ty);
	} else if (rhs->kind != AST_VALUE) {
		return fail(l, "right-hand side is not a single constant");
	} else if (is_string_type(ty)) {
		t.b = str_operand(l, rhs, op);
	} else {
		t.b = scalar_operand(l, rhs, ty);
	}
	if (t.b == UINT32_MAX)
		return UINT32_MAX;
	return ir_node_get(l->ir, &t, NULL, 0);
}

/* `lhs op anyof/allof/oneof (c1, ...)`: one test per item combined with or/and/exactly-one */
static uint32_t modifier_node(struct lower *l, uint32_t lhs, const struct ast *c)
{
	uint32_t n;
	const struct ast *const *items =
		list_items((const struct ast *const *)&c->u.check.rhs, &n);
	if (c->u.check.mod == MOD_ONEOF && n > 64)
		return fail(l, "oneof with more than 64 items (limit)");
	if (n > IR_MAX_LIST)
		return fail(l, "list with more than 1048576 items (limit)");
	uint32_t *t = malloc((n ? n : 1) * sizeof(*t) * 2), res = UINT32_MAX;
	if (!t)
		return fail(l, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		if ((t[i] = test_node(l, lhs, c->u.check.op, items[i])) == UINT32_MAX)
			goto out;
	if (c->u.check.mod == MOD_ANYOF) {
		res = ir_or(l->ir, t, n);
	} else if (c->u.check.mod == MOD_ALLOF) {
		res = ir_and(l->ir, t, n);
	} else { /* exactly one: or_i (t_i and not t_j for j != i) */
		uint32_t *alt = t + n, *conj = malloc((n ? n : 1) * sizeof(*conj));
		if (!conj)
			goto out;
		for (uint32_t i = 0; i < n; i++) {
			for (uint32_t j = 0; j < n; j++)
				conj[j] = j == i ? t[j] : ir_not(l->ir, t[j]);
			alt[i] = ir_and(l->ir, conj, n);
		}
		free(conj);
		res = ir_or(l->ir, alt, n);
	}
out:
	free(t);
	return res == UINT32_MAX ? fail(l, "out of memory") : res;
}

static uint32_t lower_check(struct lower *l, const struct ast *c, unsigned depth)
{
	uint32_t lhs = lower_value(l, c->u.check.lhs, depth + 1);
	if (lhs == UINT32_MAX)
		return lhs;
	enum cmp_op op = c->u.check.op;
	if ((unsigned)op >= OP__COUNT)
		return fail(l, "unknown operator");
	if (c->u.check.mod != MOD_NONE && op != OP_EXISTS)
		return modifier_node(l, lhs, c);
	if (!c->u.check.rhs_is_field || op == OP_EXISTS)
		return test_node(l, lhs, op, c->u.check.rhs);
	if (op == OP_REGEX || op == OP_PMATCH)
		return fail(l, "operator does not support a field on the right-hand side");
	uint32_t rhs = lower_value(l, c->u.check.rhs, depth + 1);
	if (rhs == UINT32_MAX)
		return rhs;
	struct ir_node t = { .kind = IR_TEST, .a = lhs, .b = rhs, .op = (uint8_t)op,
			     .rhs_val = 1 };
	t.type = l->ir->nodes[lhs].type;
	t.quant = quantifier(l->ir, lhs, op);
	if (!op_allowed(op, (enum ft_type)t.type) || t.type == FT_IPNET)
		return fail(l, "operator not supported for these field types");
	return ir_node_get(l->ir, &t, NULL, 0);
}

static uint32_t lower_cond(struct lower *l, const struct ast *n, unsigned depth)
{
	if (depth > IR_MAX_DEPTH)
		return fail(l, "condition nested deeper than 500 levels (limit)");
	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		uint32_t k = n->u.nary.n, *kids = malloc((k ? k : 1) * sizeof(*kids)), r;
		if (!kids)
			return fail(l, "out of memory");
		for (uint32_t i = 0; i < k; i++)
			if ((kids[i] = lower_cond(l, n->u.nary.items[i], depth + 1)) == UINT32_MAX) {
				free(kids);
				return UINT32_MAX;
			}
		r = n->kind == AST_AND ? ir_and(l->ir, kids, k) : ir_or(l->ir, kids, k);
		free(kids);
		return r == UINT32_MAX ? fail(l, "out of memory") : r;
	}
	case AST_NOT: {
		uint32_t c = lower_cond(l, n->u.not_.child, depth + 1);
		return c == UINT32_MAX ? c : ir_not(l->ir, c);
	}
	case AST_BOOL:
		return n->u.boolean ? ir_true(l->ir) : ir_false(l->ir);
	case AST_CHECK:
		return lower_check(l, n, depth);
	case AST_REF:
		return fail(l, "unresolved macro reference (condition was not expanded)");
	case AST_FIELD: case AST_XFORM: case AST_VALUE: case AST_LIST: case AST__COUNT:
		break;
	}
	return fail(l, "a value where a condition is expected");
}

static bool is_syscall_source(const struct frc_rule *r)
{
	return !r->source || !strcmp(r->source, "syscall");
}

/* the initial groups: per event code, the rules whose event-type set has it */
static void build_groups(struct ir *ir)
{
	uint32_t *rules = malloc((ir->nrules ? ir->nrules : 1) * sizeof(uint32_t));
	uint32_t *roots = malloc((ir->nrules ? ir->nrules : 1) * sizeof(uint32_t));
	if (!rules || !roots) {
		ir->oom = true;
		goto out;
	}
	for (uint32_t code = 0; code <= FRC_EVT_CODES; code++) {
		uint32_t n = 0;
		for (uint32_t i = 0; i < ir->nrules; i++) {
			const struct frc_rule *r = ir->rules[i].src;
			if (!is_syscall_source(r) || ir->nodes[ir->rules[i].root].kind == IR_FALSE)
				continue;
			if (code == FRC_EVT_CODES ? r->evttypes.all
						  : frc_evtset_has(&r->evttypes, code)) {
				rules[n] = i;
				roots[n++] = ir->rules[i].root;
			}
		}
		uint32_t g = n ? ir_group_get(ir, rules, roots, n) : UINT32_MAX;
		uint32_t v = n && g != UINT32_MAX ? g + 1 : 0;
		if (code == FRC_EVT_CODES)
			ir->other_group = v;
		else
			ir->code_group[code] = v;
	}
out:
	free(rules);
	free(roots);
}

uint32_t lower_rules(struct ir *ir, const struct frc_rules *rules, struct ir_diag *d)
{
	uint32_t before = d->nerrors;
	if (rules->nrules > IR_MAX_RULES) {
		ir_diag_error(d, NULL, "more than 1048576 rules (limit)");
		return d->nerrors - before;
	}
	ir->rules = calloc(rules->nrules ? rules->nrules : 1, sizeof(*ir->rules));
	if (!ir->rules) {
		ir_diag_error(d, NULL, "out of memory");
		return d->nerrors - before;
	}
	ir->nrules = rules->nrules;
	struct lower l = { .ir = ir, .d = d };
	for (uint32_t i = 0; i < rules->nrules; i++) {
		const struct frc_rule *r = &rules->rules[i];
		l.rule = r;
		l.failed = false;
		ir->rules[i].src = r;
		uint32_t root;
		if (!is_syscall_source(r))
			root = ir_false(ir);
		else if (!r->cond)
			root = fail(&l, "rule has no condition");
		else
			root = lower_cond(&l, r->cond, 0);
		if (root == UINT32_MAX)
			root = ir_false(ir);
		if (root == UINT32_MAX) {
			ir_diag_error(d, r, "out of memory");
			return d->nerrors - before;
		}
		ir->rules[i].root = root;
	}
	build_groups(ir);
	if (ir->oom)
		ir_diag_error(d, NULL, "out of memory");
	return d->nerrors - before;
}
