/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only builders of checked ASTs (see ast_build.h).
 */
#include "ast_build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cstr.h"
#include "ir.h"
#include "types.h"

static struct ast *node(struct arena *a, enum ast_kind k)
{
	struct ast *n = arena_alloc(a, sizeof(*n));
	if (n)
		n->kind = k;
	return n;
}

struct ast *ab_field(struct arena *a, const char *name, const char *arg)
{
	for (int i = 0; i < FLD__COUNT; i++) {
		if (strcmp(field_table[i].name, name))
			continue;
		struct ast *n = node(a, AST_FIELD);
		n->u.field.name = field_table[i].name;
		n->u.field.id = (enum field_id)i;
		n->u.field.arg_index = -1;
		if (arg) {
			n->u.field.arg = arena_strdup(a, arg);
			n->u.field.arg_len = (uint32_t)strlen(arg);
			if (field_table[i].flags & FF_ARG_INDEX)
				n->u.field.arg_index = strtoll(arg, NULL, 10);
		}
		return n;
	}
	return NULL;
}

static bool parse_u(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s)
		return false;
	if (*s == '-') {
		long long v = strtoll(s, &end, 10);
		*out = (uint64_t)v;
	} else {
		*out = strtoull(s, &end, 10);
	}
	return !*end && !errno;
}

bool ab_convert(struct ast_const *c, enum ft_type t, const char *s0, uint32_t len)
{
	char s[256];
	memset(c, 0, sizeof(*c));
	c->type = t;
	switch (t) {
	case FT_CHARBUF: case FT_FSPATH: case FT_BYTEBUF: case FT_DYN:
		return true;
	case FT_NONE: case FT__COUNT:
		return false;
	default:
		break;
	}
	if (len >= sizeof(s))
		return false;
	memcpy(s, s0, len);
	s[len] = 0;
	uint64_t u;
	switch (t) {
	case FT_INT64: case FT_UINT64: case FT_PORT: case FT_RELTIME: case FT_ABSTIME:
		if (!parse_u(s, &u))
			return false;
		c->n.u = u;
		return true;
	case FT_UINT32:
		if (!parse_u(s, &u))
			return false;
		c->n.u = (uint32_t)u;
		return true;
	case FT_BOOL:
		if (!strcmp(s, "true"))
			c->n.u = 1;
		else if (strcmp(s, "false"))
			return false;
		return true;
	case FT_IPADDR:
		c->family = strchr(s, '.') ? 4 : 6;
		return inet_pton(c->family == 4 ? AF_INET : AF_INET6, s, c->ip) == 1;
	case FT_IPNET: {
		char *sl = strchr(s, '/');
		if (!sl)
			return false;
		*sl = 0;
		c->family = strchr(s, '.') ? 4 : 6;
		c->prefix = (uint8_t)atoi(sl + 1);
		if (c->prefix > (c->family == 4 ? 32 : 128))
			return false;
		return inet_pton(c->family == 4 ? AF_INET : AF_INET6, s, c->ip) == 1;
	}
	default:
		return false;
	}
}

static enum ft_type type_of(const struct ast *lhs)
{
	if (lhs->kind == AST_FIELD)
		return field_table[lhs->u.field.id].type;
	if (lhs->kind == AST_XFORM)
		return lhs->u.xform.type;
	return FT_CHARBUF;
}

struct ast *ab_value(struct arena *a, const struct ast *field, const char *s, uint32_t len)
{
	struct ast *n = node(a, AST_VALUE);
	char *copy = arena_alloc(a, (size_t)len + 1);
	memcpy(copy, s, len);
	n->u.value.str = copy;
	n->u.value.len = len;
	n->u.value.quoted = true;
	if (!ab_convert(&n->u.value.c, type_of(field), s, len))
		return NULL;
	return n;
}

struct ast *ab_list(struct arena *a, const struct ast *field, const char *const *items,
		    const uint32_t *lens, uint32_t n)
{
	struct ast *l = node(a, AST_LIST);
	l->u.nary.items = arena_alloc(a, (n ? n : 1) * sizeof(struct ast *));
	l->u.nary.n = n;
	for (uint32_t i = 0; i < n; i++) {
		l->u.nary.items[i] = ab_value(a, field, items[i],
					      lens ? lens[i] : (uint32_t)strlen(items[i]));
		if (!l->u.nary.items[i])
			return NULL;
	}
	return l;
}

static int hexdig(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

struct ast *ab_check(struct arena *a, struct ast *lhs, enum cmp_op op, struct ast *rhs)
{
	struct ast *n = node(a, AST_CHECK);
	if ((op == OP_BCONTAINS || op == OP_BSTARTSWITH) && rhs && rhs->kind == AST_VALUE) {
		/* like the checker: the hex text becomes bytes */
		const char *s = rhs->u.value.str;
		uint32_t len = rhs->u.value.len;
		char *b = arena_alloc(a, len / 2 + 1);
		if (len % 2)
			return NULL;
		for (uint32_t i = 0; i < len; i += 2) {
			if (hexdig(s[i]) < 0 || hexdig(s[i + 1]) < 0)
				return NULL;
			b[i / 2] = (char)(hexdig(s[i]) * 16 + hexdig(s[i + 1]));
		}
		rhs->u.value.str = b;
		rhs->u.value.len = len / 2;
		rhs->u.value.c.type = FT_BYTEBUF;
	}
	n->u.check.lhs = lhs;
	n->u.check.op = op;
	n->u.check.rhs = rhs;
	return n;
}

struct ast *ab_check_field(struct arena *a, struct ast *lhs, enum cmp_op op, struct ast *rhs)
{
	struct ast *n = ab_check(a, lhs, op, rhs);
	n->u.check.rhs_is_field = true;
	return n;
}

struct ast *ab_xform(struct arena *a, enum xform_kind k, struct ast **args, uint32_t n,
		     const char *arg)
{
	struct ast *x = node(a, AST_XFORM);
	x->u.xform.kind = k;
	x->u.xform.args = arena_alloc(a, (n ? n : 1) * sizeof(struct ast *));
	memcpy(x->u.xform.args, args, n * sizeof(struct ast *));
	x->u.xform.nargs = n;
	if (arg) {
		x->u.xform.arg = arena_strdup(a, arg);
		x->u.xform.arg_len = (uint32_t)strlen(arg);
	}
	x->u.xform.type = k == XF_LEN ? FT_UINT64 : FT_CHARBUF;
	return x;
}

static struct ast *nary(struct arena *a, enum ast_kind k, struct ast **items, uint32_t n)
{
	struct ast *x = node(a, k);
	x->u.nary.items = arena_alloc(a, (n ? n : 1) * sizeof(struct ast *));
	memcpy(x->u.nary.items, items, n * sizeof(struct ast *));
	x->u.nary.n = n;
	return x;
}

struct ast *ab_and(struct arena *a, struct ast **items, uint32_t n)
{
	return nary(a, AST_AND, items, n);
}

struct ast *ab_or(struct arena *a, struct ast **items, uint32_t n)
{
	return nary(a, AST_OR, items, n);
}

struct ast *ab_not(struct arena *a, struct ast *c)
{
	struct ast *x = node(a, AST_NOT);
	x->u.not_.child = c;
	return x;
}

struct ast *ab_cmp(struct arena *a, const char *field, const char *arg, enum cmp_op op,
		   const char *value)
{
	struct ast *f = ab_field(a, field, arg);
	if (!f)
		return NULL;
	if (op == OP_EXISTS)
		return ab_check(a, f, op, NULL);
	if (op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH) {
		const char *items[64];
		uint32_t lens[64], n = 0;
		const char *p = value;
		while (n < 64) {
			const char *c = strchr(p, ',');
			items[n] = p;
			lens[n++] = (uint32_t)(c ? (size_t)(c - p) : strlen(p));
			if (!c)
				break;
			p = c + 1;
		}
		struct ast *l = ab_list(a, f, items, lens, n);
		return l ? ab_check(a, f, op, l) : NULL;
	}
	struct ast *v = ab_value(a, f, value, (uint32_t)strlen(value));
	return v ? ab_check(a, f, op, v) : NULL;
}

/* ------------------------------------------------------------------ event types */

struct cset {
	uint64_t b[FRC_EVT_CODES / 64];
};

static void cset_fill(struct cset *s, bool v)
{
	memset(s->b, v ? 0xff : 0, sizeof(s->b));
}

static void evt_codes(const struct ast *n, bool neg, struct cset *out,
		      bool (*name_codes)(const char *, size_t, uint64_t[8]))
{
	struct cset k;
	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		bool inter = (n->kind == AST_AND) != neg;
		cset_fill(out, inter);
		for (uint32_t i = 0; i < n->u.nary.n; i++) {
			evt_codes(n->u.nary.items[i], neg, &k, name_codes);
			for (int w = 0; w < FRC_EVT_CODES / 64; w++)
				out->b[w] = inter ? out->b[w] & k.b[w] : out->b[w] | k.b[w];
		}
		return;
	}
	case AST_NOT:
		evt_codes(n->u.not_.child, !neg, out, name_codes);
		return;
	case AST_BOOL:
		cset_fill(out, n->u.boolean != neg);
		return;
	case AST_CHECK: {
		const struct ast *l = n->u.check.lhs;
		enum cmp_op op = n->u.check.op;
		bool et = l->kind == AST_FIELD && l->u.field.id == FLD_EVT_TYPE && !l->u.field.arg &&
			  !n->u.check.rhs_is_field &&
			  (op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS);
		if (!et) {
			cset_fill(out, true);
			return;
		}
		cset_fill(out, false);
		const struct ast *r = n->u.check.rhs;
		const struct ast *const *items = r->kind == AST_LIST
			? (const struct ast *const *)r->u.nary.items : &r;
		uint32_t cnt = r->kind == AST_LIST ? r->u.nary.n : 1;
		for (uint32_t i = 0; i < cnt; i++)
			name_codes(items[i]->u.value.str, items[i]->u.value.len, out->b);
		if ((op == OP_NE) != neg)
			for (int w = 0; w < FRC_EVT_CODES / 64; w++)
				out->b[w] = ~out->b[w];
		return;
	}
	default:
		cset_fill(out, true);
		return;
	}
}

void ab_evttypes(const struct ast *cond, struct frc_evtset *out,
		 bool (*name_codes)(const char *name, size_t len, uint64_t bits[8]))
{
	struct cset s;
	evt_codes(cond, false, &s, name_codes);
	memcpy(out->bits, s.b, sizeof(s.b));
	out->all = true;
	for (int w = 0; w < FRC_EVT_CODES / 64; w++)
		out->all &= s.b[w] == ~0ull;
}

/* ------------------------------------------------------------------ rulesets */

void ab_rules_init(struct ab_rules *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
}

struct frc_rule *ab_rule(struct ab_rules *r, const char *name, struct ast *cond)
{
	if (r->rules.nrules == r->cap) {
		uint32_t nc = r->cap ? r->cap * 2 : 16;
		struct frc_rule *n = arena_alloc(r->a, nc * sizeof(*n));
		if (r->rules.nrules)
			memcpy(n, r->rules.rules, r->rules.nrules * sizeof(*n));
		r->rules.rules = n;
		r->cap = nc;
	}
	struct frc_rule *x = &r->rules.rules[r->rules.nrules];
	memset(x, 0, sizeof(*x));
	x->id = r->rules.nrules++;
	x->name = arena_strdup(r->a, name);
	x->output = "output";
	x->cond = cond;
	x->priority = PRIO_WARNING;
	x->source = "syscall";
	x->enabled = true;
	x->file = "test.yaml";
	x->line = x->id + 1;
	x->evttypes.all = true;
	memset(x->evttypes.bits, 0xff, sizeof(x->evttypes.bits));
	return x;
}

/* ------------------------------------------------------------------ dump */

static void dump(struct cw *w, const struct ast *n)
{
	char tmp[1024];
	switch (n->kind) {
	case AST_AND: case AST_OR:
		cw_put(w, "(");
		for (uint32_t i = 0; i < n->u.nary.n; i++) {
			if (i)
				cw_put(w, " %s ", n->kind == AST_AND ? "and" : "or");
			dump(w, n->u.nary.items[i]);
		}
		cw_put(w, ")");
		return;
	case AST_NOT:
		cw_put(w, "not ");
		dump(w, n->u.not_.child);
		return;
	case AST_CHECK:
		dump(w, n->u.check.lhs);
		cw_put(w, " %s%s", ir_op_name(n->u.check.op),
		       n->u.check.mod ? (n->u.check.mod == MOD_ANYOF ? " anyof" :
					 n->u.check.mod == MOD_ALLOF ? " allof" : " oneof") : "");
		if (n->u.check.rhs) {
			cw_put(w, " ");
			dump(w, n->u.check.rhs);
		}
		return;
	case AST_FIELD:
		cw_put(w, "%s", n->u.field.name);
		if (n->u.field.arg)
			cw_put(w, "[%s]", n->u.field.arg);
		return;
	case AST_XFORM:
		cw_put(w, "%s(", ir_xform_name(n->u.xform.kind));
		for (uint32_t i = 0; i < n->u.xform.nargs; i++) {
			if (i)
				cw_put(w, ", ");
			dump(w, n->u.xform.args[i]);
		}
		cw_put(w, ")");
		return;
	case AST_VALUE:
		cstr_escape(tmp, n->u.value.str, n->u.value.len > 200 ? 200 : n->u.value.len);
		cw_put(w, "\"%s\"", tmp);
		return;
	case AST_LIST:
		cw_put(w, "(");
		for (uint32_t i = 0; i < n->u.nary.n; i++) {
			if (i)
				cw_put(w, ", ");
			dump(w, n->u.nary.items[i]);
		}
		cw_put(w, ")");
		return;
	case AST_BOOL:
		cw_put(w, "%s", n->u.boolean ? "true" : "false");
		return;
	default:
		cw_put(w, "?");
	}
}

char *ab_dump(const struct ast *n)
{
	struct cw w;
	cw_init(&w);
	dump(&w, n);
	return cw_take(&w, NULL);
}
