/* SPDX-License-Identifier: Apache-2.0
 *
 * AST constructors, operator/transformer spellings and Falco's canonical condition text
 * (rules-language.md §11). Nodes live in the caller's arena.
 */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parse.h"

const char *ast_op_name(enum cmp_op op)
{
	static const char *const names[OP__COUNT] = {
		[OP_EQ] = "=",		     [OP_NE] = "!=",
		[OP_LT] = "<",		     [OP_LE] = "<=",
		[OP_GT] = ">",		     [OP_GE] = ">=",
		[OP_CONTAINS] = "contains",  [OP_ICONTAINS] = "icontains",
		[OP_BCONTAINS] = "bcontains", [OP_STARTSWITH] = "startswith",
		[OP_BSTARTSWITH] = "bstartswith", [OP_ENDSWITH] = "endswith",
		[OP_GLOB] = "glob",	     [OP_IGLOB] = "iglob",
		[OP_REGEX] = "regex",	     [OP_IN] = "in",
		[OP_INTERSECTS] = "intersects", [OP_PMATCH] = "pmatch",
		[OP_EXISTS] = "exists",
	};
	return (unsigned)op < OP__COUNT ? names[op] : "?";
}

const char *ast_xform_name(enum xform_kind k)
{
	static const char *const names[XF__COUNT] = {
		[XF_TOLOWER] = "tolower", [XF_TOUPPER] = "toupper", [XF_B64] = "b64",
		[XF_BASENAME] = "basename", [XF_LEN] = "len",	    [XF_JOIN] = "join",
		[XF_CONCAT] = "concat",	  [XF_GETOPT] = "getopt",
	};
	return (unsigned)k < XF__COUNT ? names[k] : "?";
}

/* ------------------------------------------------------------------ constructors */

struct ast *ast_new(struct arena *a, enum ast_kind kind, struct src_span span)
{
	struct ast *n = arena_alloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->span = span;
	return n;
}

struct ast *ast_new_ref(struct arena *a, const char *name, size_t len, struct src_span span)
{
	struct ast *n = ast_new(a, AST_REF, span);
	if (!n || !(n->u.ref.name = arena_strndup(a, name, len)))
		return NULL;
	return n;
}

/* copies @s unless it is NULL (no argument) */
static bool dup_opt(struct arena *a, const char *s, size_t len, const char **out)
{
	*out = NULL;
	if (!s)
		return true;
	*out = arena_strndup(a, s, len);
	return *out != NULL;
}

struct ast *ast_new_field(struct arena *a, const char *name, size_t len, const char *arg,
			  size_t arg_len, struct src_span span)
{
	struct ast *n = ast_new(a, AST_FIELD, span);
	if (!n || !(n->u.field.name = arena_strndup(a, name, len)) ||
	    !dup_opt(a, arg, arg_len, &n->u.field.arg))
		return NULL;
	n->u.field.arg_len = arg ? (uint32_t)arg_len : 0;
	n->u.field.arg_index = -1;
	n->u.field.id = FLD__COUNT;
	return n;
}

struct ast *ast_new_val(struct arena *a, const char *name, size_t len, const char *arg,
			size_t arg_len, const char *val_arg, size_t val_arg_len,
			struct src_span span)
{
	struct ast *n = ast_new_field(a, name, len, arg, arg_len, span);
	if (!n || !dup_opt(a, val_arg, val_arg_len, &n->u.field.val_arg))
		return NULL;
	n->u.field.val_arg_len = val_arg ? (uint32_t)val_arg_len : 0;
	return n;
}

struct ast *ast_new_value(struct arena *a, const char *s, size_t len, bool quoted,
			  struct src_span span)
{
	struct ast *n = ast_new(a, AST_VALUE, span);
	if (!n || !(n->u.value.str = arena_strndup(a, s, len)))
		return NULL;
	n->u.value.len = (uint32_t)len;
	n->u.value.quoted = quoted;
	return n;
}

struct ast *ast_new_check(struct arena *a, struct ast *lhs, enum cmp_op op, bool eqeq,
			  enum cmp_mod mod, struct ast *rhs, struct src_span span)
{
	if (!lhs || (op != OP_EXISTS && !rhs))
		return NULL;
	struct ast *n = ast_new(a, AST_CHECK, span);
	if (!n)
		return NULL;
	n->u.check.lhs = lhs;
	n->u.check.op = op;
	n->u.check.eqeq = eqeq && op == OP_EQ;
	n->u.check.mod = mod;
	n->u.check.rhs = rhs;
	n->u.check.rhs_is_field = rhs && (rhs->kind == AST_FIELD || rhs->kind == AST_XFORM);
	return n;
}

struct ast *ast_new_xform(struct arena *a, enum xform_kind kind, struct ast *args,
			  const char *arg, size_t arg_len, struct src_span span)
{
	if (!args)
		return NULL;
	struct ast *n = ast_new(a, AST_XFORM, span);
	if (!n || !dup_opt(a, arg, arg_len, &n->u.xform.arg))
		return NULL;
	n->u.xform.kind = kind;
	n->u.xform.args = args->u.nary.items;
	n->u.xform.nargs = args->u.nary.n;
	n->u.xform.arg_len = arg ? (uint32_t)arg_len : 0;
	return n;
}

/* capacity of an items array is the smallest power of two >= n (0 for none) */
struct ast *ast_list_add(struct arena *a, struct ast *n, struct ast *item)
{
	if (!n || !item)
		return NULL;
	uint32_t cnt = n->u.nary.n;
	if ((cnt & (cnt - 1)) == 0) { /* 0 or a power of two: full */
		uint32_t cap = cnt ? cnt * 2 : 2;
		if (cap < cnt)
			return NULL;
		struct ast **items = arena_alloc(a, cap * sizeof(*items));
		if (!items)
			return NULL;
		if (cnt)
			memcpy(items, n->u.nary.items, cnt * sizeof(*items));
		n->u.nary.items = items;
	}
	n->u.nary.items[cnt] = item;
	n->u.nary.n = cnt + 1;
	if (item->span.end > n->span.end)
		n->span.end = item->span.end;
	return n;
}

struct ast *ast_new_logic(struct arena *a, enum ast_kind kind, struct ast *l,
			  struct src_span lloc, struct ast *r, struct src_span span)
{
	if (!l || !r)
		return NULL;
	if (l->kind == kind && l->span.start == lloc.start && l->span.end == lloc.end) {
		l->span = span;
		return ast_list_add(a, l, r);
	}
	struct ast *n = ast_new(a, kind, span);
	if (!ast_list_add(a, n, l) || !ast_list_add(a, n, r))
		return NULL;
	n->span = span;
	return n;
}

struct ast *ast_new_not(struct arena *a, struct ast *c, struct src_span cloc,
			struct src_span span)
{
	if (!c)
		return NULL;
	if (c->kind == AST_NOT && c->span.start == cloc.start)
		return c->u.not_.child;
	struct ast *n = ast_new(a, AST_NOT, span);
	if (!n)
		return NULL;
	n->u.not_.child = c;
	return n;
}

/* ------------------------------------------------------------------ canonical text */

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/*
 * Falco's escape_str(): bare unless the value holds a blank, '=', a quote, a backslash, a
 * control character among \b \f \n \r \t, or NUL; then double-quoted with \\ \" \b \f \n
 * \r \t escaped (single quotes, '=' and NUL are written as they are).
 */
static void put_str(struct sbuf *b, const char *s, size_t len)
{
	bool q = false;
	for (size_t i = 0; i < len && !q; i++)
		q = strchr("\b\f\n\r\t =\\\"'", s[i]) != NULL; /* includes NUL */
	if (!q) {
		put(b, s, len);
		return;
	}
	put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\\': e = "\\\\"; break;
		case '"': e = "\\\""; break;
		default: break;
		}
		if (e)
			puts_(b, e);
		else
			put(b, s + i, 1);
	}
	put(b, "\"", 1);
}

static void put_arg(struct sbuf *b, const char *arg, size_t len)
{
	if (!arg)
		return;
	put(b, "[", 1);
	if (len == 0)
		put(b, "\"\"", 2);
	else
		put_str(b, arg, len);
	put(b, "]", 1);
}

static void canon(struct sbuf *b, const struct ast *n, bool in_xform);

static void canon_items(struct sbuf *b, const struct ast *const *items, uint32_t cnt,
			const char *sep, bool in_xform)
{
	for (uint32_t i = 0; i < cnt; i++) {
		if (i)
			puts_(b, sep);
		canon(b, items[i], in_xform);
	}
}

static void canon_check(struct sbuf *b, const struct ast *n)
{
	canon(b, n->u.check.lhs, false);
	put(b, " ", 1);
	puts_(b, n->u.check.eqeq ? "==" : ast_op_name(n->u.check.op));
	if (n->u.check.op == OP_EXISTS || !n->u.check.rhs)
		return;
	static const char *const mods[] = { "", " oneof", " anyof", " allof" };
	if ((unsigned)n->u.check.mod < 4)
		puts_(b, mods[n->u.check.mod]);
	put(b, " ", 1);
	const struct ast *r = n->u.check.rhs;
	if (r->kind == AST_FIELD) { /* val(field) */
		puts_(b, "val(");
		canon(b, r, false);
		put(b, ")", 1);
		put_arg(b, r->u.field.val_arg, r->u.field.val_arg_len);
	} else {
		canon(b, r, false);
	}
}

/* @in_xform: lists print as transformer argument lists "(a,b)", else as "(a, b)" */
static void canon(struct sbuf *b, const struct ast *n, bool in_xform)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		put(b, "(", 1);
		canon_items(b, (const struct ast *const *)n->u.nary.items, n->u.nary.n,
			    n->kind == AST_AND ? " and " : " or ", false);
		put(b, ")", 1);
		return;
	case AST_NOT:
		puts_(b, "not ");
		canon(b, n->u.not_.child, false);
		return;
	case AST_CHECK:
		canon_check(b, n);
		return;
	case AST_REF:
		puts_(b, n->u.ref.name);
		return;
	case AST_FIELD:
		puts_(b, n->u.field.name);
		put_arg(b, n->u.field.arg, n->u.field.arg_len);
		return;
	case AST_XFORM:
		puts_(b, ast_xform_name(n->u.xform.kind));
		put(b, "(", 1);
		canon_items(b, (const struct ast *const *)n->u.xform.args, n->u.xform.nargs, ",",
			    true);
		put(b, ")", 1);
		put_arg(b, n->u.xform.arg, n->u.xform.arg_len);
		return;
	case AST_VALUE:
		put_str(b, n->u.value.str, n->u.value.len);
		return;
	case AST_LIST:
		put(b, "(", 1);
		canon_items(b, (const struct ast *const *)n->u.nary.items, n->u.nary.n,
			    in_xform ? "," : ", ", in_xform);
		put(b, ")", 1);
		return;
	case AST_BOOL:
		puts_(b, n->u.boolean ? "true" : "false");
		return;
	case AST__COUNT:
		break;
	}
	puts_(b, "?");
}

char *ast_canonical(struct arena *a, const struct ast *n)
{
	struct sbuf b = { 0 };
	if (n)
		canon(&b, n, false);
	char *out = b.oom ? NULL : arena_strndup(a, b.p ? b.p : "", b.n);
	free(b.p);
	return out;
}
