/* SPDX-License-Identifier: Apache-2.0
 *
 * Condition warnings (see warn.h): Falco's filter warning resolver and the filter
 * compiler's warnings about constant values, reproduced node for node.
 */
#include "warn.h"

#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "types.h"

const char *warn_code_name(enum warn_code c)
{
	switch (c) {
	case WARN_UNSAFE_NA_CHECK:
		return "LOAD_UNSAFE_NA_CHECK";
	case WARN_DEPRECATED_ITEM:
		return "LOAD_DEPRECATED_ITEM";
	case WARN_COMPILE_CONDITION:
		return "LOAD_COMPILE_CONDITION";
	}
	return "LOAD_COMPILE_CONDITION";
}

/* ------------------------------------------------------------------ resolver */

/* Falco's deprecated fields, in the order its warnings come out */
static const char *const deprecated[] = {
	"evt.dir", "evt.latency", "evt.latency.s", "evt.latency.ns", "evt.latency.human",
	"evt.wait_latency",
};
#define NDEPRECATED (sizeof(deprecated) / sizeof(deprecated[0]))

static const char dir_msg[] =
	"due to the drop of enter events, 'evt.dir = <' always evaluates to true, and "
	"'evt.dir = >' always evaluates to false. The rule expression can be simplified by "
	"removing the condition on 'evt.dir'";
static const char latency_msg[] = "field is not available due to the drop of enter events.";

struct resolver {
	bool equality;	  /* visiting the right side of an equality check on ka./jevt. */
	bool unsafe;	  /* the last field visited is ka.* or jevt.* */
	bool na;	  /* an unsafe <NA> comparison was seen */
	struct src_span na_span;
	bool dep[NDEPRECATED];
	struct src_span dep_span[NDEPRECATED];
};

static bool is_na(const struct ast *v)
{
	return v->kind == AST_VALUE && v->u.value.len == 4 && !memcmp(v->u.value.str, "<NA>", 4);
}

static void resolve(struct resolver *r, const struct ast *n);

static void resolve_field(struct resolver *r, const struct ast *n)
{
	const char *f = n->u.field.name;
	r->unsafe = !strncmp(f, "ka.", 3) || !strncmp(f, "jevt.", 5);
	for (size_t i = 0; i < NDEPRECATED; i++)
		if (!strcmp(f, deprecated[i]) && !r->dep[i]) {
			r->dep[i] = true;
			r->dep_span[i] = n->span;
		}
}

static void resolve_check(struct resolver *r, const struct ast *n)
{
	enum cmp_op op = n->u.check.op;
	r->unsafe = false;
	resolve(r, n->u.check.lhs);
	if (!n->u.check.rhs || !r->unsafe || n->u.check.mod != MOD_NONE)
		return;
	if (op != OP_EQ && op != OP_NE && op != OP_IN && op != OP_INTERSECTS && op != OP_PMATCH)
		return;
	r->equality = true;
	resolve(r, n->u.check.rhs);
	r->equality = false;
}

static void resolve(struct resolver *r, const struct ast *n)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			resolve(r, n->u.nary.items[i]);
		return;
	case AST_NOT:
		resolve(r, n->u.not_.child);
		return;
	case AST_CHECK:
		resolve_check(r, n);
		return;
	case AST_FIELD:
		resolve_field(r, n);
		return;
	case AST_XFORM: /* its arguments; Falco does not look inside argument lists */
		for (uint32_t i = 0; i < n->u.xform.nargs; i++)
			if (n->u.xform.args[i]->kind != AST_LIST)
				resolve(r, n->u.xform.args[i]);
		return;
	case AST_VALUE:
		if (r->equality && is_na(n) && !r->na) {
			r->na = true;
			r->na_span = n->span;
		}
		return;
	case AST_LIST:
		if (!r->equality)
			return;
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			if (is_na(n->u.nary.items[i]) && !r->na) {
				r->na = true;
				r->na_span = n->span;
			}
		return;
	case AST_REF:
	case AST_BOOL:
	case AST__COUNT:
		return;
	}
}

int warn_resolve(const struct ast *n, warn_fn fn, void *ctx)
{
	struct resolver r;
	int count = 0;
	memset(&r, 0, sizeof(r));
	if (!n)
		return 0;
	resolve(&r, n);
	if (r.na) {
		struct cond_warning w = { WARN_UNSAFE_NA_CHECK, "LOAD_UNSAFE_NA_CHECK", "", NULL,
					  r.na_span };
		fn(ctx, &w);
		count++;
	}
	for (size_t i = 0; i < NDEPRECATED; i++) {
		if (!r.dep[i])
			continue;
		struct cond_warning w = { WARN_DEPRECATED_ITEM, "LOAD_DEPRECATED_ITEM",
					  i == 0 ? dir_msg : latency_msg, deprecated[i],
					  r.dep_span[i] };
		fn(ctx, &w);
		count++;
	}
	return count;
}

/* ------------------------------------------------------------------ value warnings */

struct valwarn {
	struct arena *a;
	warn_fn fn;
	void *ctx;
	int count;
};

static void emit(struct valwarn *v, struct src_span span, const char *msg)
{
	struct cond_warning w = { WARN_COMPILE_CONDITION, "LOAD_COMPILE_CONDITION",
				  msg ? msg : "out of memory", NULL, span };
	v->fn(v->ctx, &w);
	v->count++;
}

/*
 * Would Falco's field factory accept @s as a field? The longest field name that prefixes
 * @s must cover all of it, or be followed by its [argument] or .argument.
 */
static bool is_field_name(const char *s)
{
	size_t len = strlen(s), best = 0;
	int id = -1;
	for (int i = 0; i < FLD__COUNT; i++) {
		size_t l = strlen(field_table[i].name);
		if (l > best && l <= len && !memcmp(s, field_table[i].name, l)) {
			best = l;
			id = i;
		}
	}
	if (id < 0)
		return false;
	uint32_t fl = field_table[id].flags;
	if (best == len)
		return !(fl & FF_ARG_REQ);
	if (s[best] == '[')
		return (fl & (FF_ARG_REQ | FF_ARG_OPT)) && s[len - 1] == ']' && len > best + 2;
	if (s[best] == '.')
		return (fl & FF_ARG_DOTTED) && len > best + 1;
	return false;
}

/* regex values without metacharacters in the middle could use =, contains, ... */
static bool regex_is_simple(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((i == 0 && s[i] == '^') || (i == len - 1 && s[i] == '$'))
			continue;
		if (((i == 0 && len > 1) || i + 2 == len) && s[i] == '.' &&
		    (s[i + 1] == '+' || s[i + 1] == '*' || s[i + 1] == '?')) {
			i++;
			continue;
		}
		if (!s[i] || strchr(".+*?^$()[]{}|\\", s[i])) /* NUL: as Falco's strchr */
			return false;
	}
	return true;
}

static void value_warnings(struct valwarn *v, const struct ast *val, enum cmp_op op,
			   struct src_span span)
{
	const char *s = val->u.value.str;
	size_t len = val->u.value.len;
	char *ns = arena_alloc(v->a, len + 1);
	if (!ns) {
		emit(v, span, NULL);
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < len && s[i]; i++) /* Falco's C string ends at a NUL */
		if (!strchr(" \t\n\v\f\r", s[i]))
			ns[n++] = s[i];
	ns[n] = '\0';
	if (op == OP_REGEX && regex_is_simple(s, len))
		emit(v, span, arena_printf(v->a, "regex check with '%s' may be optimized with "
					   "simpler operators such as '=', 'contains', "
					   "'startswith', 'endswith'", s));
	if (is_field_name(ns))
		emit(v, span, arena_printf(v->a, "'%s' may be a valid field misused as a const "
					   "string value", s));
	static const char *const xf[] = { "val", "tolower", "toupper", "b64", "basename",
					  "len", "join", "concat", "getopt" };
	for (size_t i = 0; i < sizeof(xf) / sizeof(xf[0]); i++) {
		size_t l = strlen(xf[i]);
		if (n >= l + 2 && !memcmp(ns, xf[i], l) && ns[l] == '(' && ns[n - 1] == ')')
			emit(v, span, arena_printf(v->a, "'%s' may be a valid field transformer "
						   "misused as a const string value", s));
	}
}

static void values(struct valwarn *v, const struct ast *n)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			values(v, n->u.nary.items[i]);
		return;
	case AST_NOT:
		values(v, n->u.not_.child);
		return;
	case AST_CHECK: {
		const struct ast *r = n->u.check.rhs;
		if (!r || n->u.check.rhs_is_field)
			return;
		if (r->kind == AST_VALUE)
			value_warnings(v, r, n->u.check.op, r->span);
		else if (r->kind == AST_LIST)
			for (uint32_t i = 0; i < r->u.nary.n; i++)
				value_warnings(v, r->u.nary.items[i], n->u.check.op, r->span);
		return;
	}
	case AST_REF:
	case AST_FIELD:
	case AST_XFORM:
	case AST_VALUE:
	case AST_LIST:
	case AST_BOOL:
	case AST__COUNT:
		return;
	}
}

int warn_values(struct arena *a, const struct ast *n, warn_fn fn, void *ctx)
{
	struct valwarn v = { a, fn, ctx, 0 };
	if (n)
		values(&v, n);
	return v.count;
}

int warn_condition(struct arena *a, const struct ast *n, warn_fn fn, void *ctx)
{
	int c = warn_resolve(n, fn, ctx);
	return c + warn_values(a, n, fn, ctx);
}
