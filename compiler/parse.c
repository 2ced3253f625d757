/* SPDX-License-Identifier: Apache-2.0
 *
 * parse_condition(): condition text -> AST, with Falco's error messages and offsets.
 *
 * Falco's parser lexes on demand and tries different token classes at different positions
 * (a bare word is a macro name at the start of a check, a string value after "=", an
 * identifier value after "in"; "contains" needs a blank after it, "in" does not; ...).
 * This file is the token source of the bison grammar (parser.y): a state machine whose
 * states are the positions of Falco's recursive-descent parser. Each state tries the token
 * classes of lexer.re in Falco's order, emits the token, and moves to the next position; a
 * stack of frames remembers what each open parenthesis closes. It also keeps Falco's
 * recursion-depth count (limit 1000, the value Falco's rule loader sets) and its "last
 * token" text, both part of Falco's error messages. Every malformed input is reported here
 * in Falco's words, so the grammar only ever sees well-formed token sequences.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "lexer.h"
#include "parser.h"

typedef unsigned char uch;

enum state {
	S_EXPR, S_OP, S_STRVAL, S_NUMVAL, S_LISTVAL, S_MODLIST, S_LIST_FIRST, S_LIST_SEP,
	S_LIST_NEXT, S_LIST_CLOSE, S_XARG, S_XARG_SEP, S_TL_FIRST, S_TL_SEP, S_TL_NEXT,
	S_VAL_FIELD, S_VAL_CLOSE, S_AFTER,
};

enum frame_kind { F_GROUP, F_GROUP_OR, F_LIST, F_TLIST, F_XF };

#define XFORMS "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'"

/* ------------------------------------------------------------------ helpers */

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	if (p->err)
		return T_ERROR;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *m = n >= 0 ? arena_alloc(p->a, (size_t)n + 1) : NULL;
	if (m) {
		va_start(ap, fmt);
		vsnprintf(m, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	p->err = m ? m : "out of memory";
	p->err_off = (uint32_t)(p->cur - p->buf);
	return T_ERROR;
}

/* Falco's depth guard: entering a parser function at depth @d */
static bool depth_ok(struct parser *p, uint32_t d)
{
	if (d < LEX_MAX_DEPTH)
		return true;
	fail(p, "exceeded max depth limit of %u", LEX_MAX_DEPTH);
	return false;
}

static bool skip_blank(struct parser *p)
{
	const uch *s = p->cur;
	while (*p->cur == ' ' || *p->cur == '\t' || *p->cur == '\b' || *p->cur == '\r' ||
	       *p->cur == '\n')
		p->cur++;
	return p->cur != s;
}

static bool at(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(p->lim - p->cur) >= n && memcmp(p->cur, lit, n) == 0;
}

static void set_last(struct parser *p, const void *s, size_t len)
{
	p->last = s;
	p->last_len = len;
}

/* consume @n bytes as the token; its text becomes Falco's last token */
static const uch *take(struct parser *p, size_t n)
{
	const uch *s = p->cur;
	if (!p->tstart)
		p->tstart = s;
	p->cur += n;
	set_last(p, s, n);
	return s;
}

static bool push(struct parser *p, int kind, int ret, uint32_t depth)
{
	if (p->nframes >= LEX_MAX_DEPTH) /* unreachable: every frame costs depth */
		return false;
	p->frames[p->nframes++] = (struct lex_frame){ (uint8_t)kind, (uint8_t)ret, depth };
	return true;
}

static struct lex_frame *top(struct parser *p)
{
	return p->nframes ? &p->frames[p->nframes - 1] : NULL;
}

/* a quoted string at the cursor (lex_quoted()); @report false: errors are not reported */
static int quoted(struct parser *p, const char **out, uint32_t *olen, bool report)
{
	struct lex_str q;
	int r = lex_quoted(p->a, p->cur, p->lim, &q);
	if (r == 0)
		return 0;
	if (!p->tstart)
		p->tstart = p->cur;
	p->cur = q.end;
	if (r < 0) {
		if (report || !q.s) /* q.s NULL: out of memory, always reported */
			fail(p, "%s", q.err);
		return -1;
	}
	*out = q.s;
	*olen = q.len;
	set_last(p, q.s, q.len);
	return 1;
}

/* a quoted or bare string value; 0 if neither */
static int str_value(struct parser *p, struct tok *t, bool report)
{
	int r = quoted(p, &t->s, &t->len, report);
	if (r) {
		t->quoted = true;
		return r;
	}
	size_t n = lex_bare(p->cur, p->lim);
	if (!n)
		return 0;
	t->s = (const char *)take(p, n);
	t->len = (uint32_t)n;
	return 1;
}

/* the optional "[arg]" right after a field name or a closing transformer */
static int field_arg(struct parser *p, struct tok *t)
{
	if (*p->cur != '[' || p->cur >= p->lim)
		return 0;
	take(p, 1);
	int r = quoted(p, &t->arg, &t->arg_len, true);
	if (r < 0)
		return T_ERROR;
	if (r == 0) {
		size_t n = lex_arg_bare(p->cur, p->lim);
		if (!n)
			return fail(p, "expected a valid field argument: a quoted string or a bare string");
		t->arg = (const char *)take(p, n);
		t->arg_len = (uint32_t)n;
	}
	if (*p->cur != ']' || p->cur >= p->lim)
		return fail(p, "expected a ']' token");
	take(p, 1);
	return 0;
}

/* a field name (at depth @d) with its optional argument; next state @next */
static int field(struct parser *p, struct tok *t, size_t n, uint32_t d, int next)
{
	if (!depth_ok(p, d))
		return T_ERROR;
	t->s = (const char *)take(p, n);
	t->len = (uint32_t)n;
	if (field_arg(p, t))
		return T_ERROR;
	p->state = next;
	return T_FIELD;
}

/* a transformer opening "name(" whose argument parser runs at depth @d */
static int xform_open(struct parser *p, struct tok *t, size_t n, int k, uint32_t d, int ret)
{
	if (!depth_ok(p, d))
		return T_ERROR;
	take(p, n);
	t->k = k;
	if (!push(p, F_XF, ret, d))
		return fail(p, "exceeded max depth limit of %u", LEX_MAX_DEPTH);
	p->state = S_XARG;
	return T_XF;
}

/* open a group "(": the nested parse_or() runs at depth @nb */
static int group_open(struct parser *p, int kind, uint32_t nb)
{
	if (!depth_ok(p, nb + 2))
		return T_ERROR;
	if (!push(p, kind, S_EXPR, p->base))
		return fail(p, "exceeded max depth limit of %u", LEX_MAX_DEPTH);
	take(p, 1);
	p->base = nb;
	p->state = S_EXPR;
	return T_LP;
}

/* Falco's try_parse_transformer_or_val() on a right-hand side (at depth chk + 3) */
static int rhs_xform(struct parser *p, struct tok *t)
{
	int k;
	size_t n;
	if (at(p, "val(")) {
		take(p, 4);
		p->state = S_VAL_FIELD;
		return T_VAL;
	}
	if ((n = lex_xform(p->cur, p->lim, &k)))
		return xform_open(p, t, n, k, p->chk + 4, S_AFTER);
	return 0;
}

/* ------------------------------------------------------------------ states */

/*
 * Falco's parse_not() / parse_check(). A run of "not " (and a final "not(") toggles without
 * nesting, so a run gives one NOT token when odd and none when even: "not not a" is a.
 */
static int st_expr(struct parser *p, struct tok *t)
{
	size_t n;
	int k;
	bool neg = false;
	skip_blank(p);
	while ((n = lex_not(p->cur, p->lim))) {
		take(p, n);
		neg = !neg;
	}
	if (at(p, "not(")) {
		take(p, 3);
		if (!depth_ok(p, p->base + 3))
			return T_ERROR;
		if (!neg) {
			p->pending = F_GROUP + 1;
			p->pending_base = p->base + 4;
			return T_NOT;
		}
		p->tstart = NULL;
		return group_open(p, F_GROUP, p->base + 4);
	}
	if (neg)
		return T_NOT;
	p->tstart = NULL;
	if (!depth_ok(p, p->base + 3))
		return T_ERROR;
	p->chk = p->base + 3;
	if (*p->cur == '(' && p->cur < p->lim)
		return depth_ok(p, p->base + 4) ? group_open(p, F_GROUP, p->base + 5) : T_ERROR;
	if ((n = lex_field_name(p->cur, p->lim)))
		return field(p, t, n, p->chk + 1, S_OP);
	if ((n = lex_xform(p->cur, p->lim, &k)))
		return xform_open(p, t, n, k, p->chk + 1, S_OP);
	if ((n = lex_ident(p->cur, p->lim))) {
		t->s = (const char *)take(p, n);
		t->len = (uint32_t)n;
		p->state = S_AFTER;
		return T_IDENT;
	}
	return fail(p, "expected a '(' token, a field check, or an identifier");
}

/* Falco's parse_condition(): the operator */
static int st_op(struct parser *p, struct tok *t)
{
	static const int next[OP__COUNT] = {
		[OP_LT] = S_NUMVAL, [OP_LE] = S_NUMVAL, [OP_GT] = S_NUMVAL, [OP_GE] = S_NUMVAL,
		[OP_IN] = S_LISTVAL, [OP_INTERSECTS] = S_LISTVAL, [OP_PMATCH] = S_LISTVAL,
		[OP_EXISTS] = S_AFTER,
	};
	size_t n;
	skip_blank(p);
	if (!(n = lex_op(p->cur, p->lim, &t->k, &t->eqeq)))
		return fail(p, "expected a valid check operator: one of 'exists', '<=', '<', '>=', "
			    "'>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', "
			    "'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', "
			    "'intersects', 'in', 'pmatch'");
	const uch *s = take(p, n);
	p->state = next[t->k] ? next[t->k] : S_STRVAL;
	p->had_blank = s[0] >= 'a'; /* word operators swallowed their blanks */
	if (p->state == S_STRVAL && !p->had_blank)
		p->had_blank = skip_blank(p);
	return t->k == OP_EXISTS ? T_EXISTS : T_CMP;
}

/* and / or must be followed by a blank or "(" */
static int logic_op(struct parser *p, const char *kw, int tok, int kind, uint32_t nb)
{
	take(p, strlen(kw));
	p->no_and = false;
	if (skip_blank(p)) {
		p->state = S_EXPR;
		return tok;
	}
	if (*p->cur == '(' && p->cur < p->lim) {
		p->pending = (uint8_t)(kind + 1);
		p->pending_base = nb;
		return tok;
	}
	return fail(p, "expected blank or '(' after '%s'", kw);
}

/* after a complete check: and, or, ")" or the end */
static int st_after(struct parser *p)
{
	skip_blank(p);
	if (!p->no_and && at(p, "and"))
		return logic_op(p, "and", T_AND, F_GROUP, p->base + 3);
	if (at(p, "or"))
		return logic_op(p, "or", T_OR, F_GROUP_OR, p->base + 2);
	struct lex_frame *f = top(p);
	if (p->cur < p->lim && *p->cur == ')' && f) {
		take(p, 1);
		p->nframes--;
		p->base = f->depth;
		p->no_and = f->kind == F_GROUP_OR;
		return T_RP;
	}
	if (f)
		return fail(p, "expected a ')' token");
	if (p->cur >= p->lim)
		return 0;
	return fail(p, "unexpected token after '%.*s', expecting 'or', 'and'", (int)p->last_len,
		    p->last ? p->last : "");
}

/* and/or/not at @v, followed by the end or a character that is not alphanumeric */
static bool bool_keyword(const uch *v, const uch *lim)
{
	static const char *const kw[] = { "and", "or", "not" };
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(kw[i]);
		if ((size_t)(lim - v) < l || memcmp(v, kw[i], l))
			continue;
		if (v + l >= lim || !(((v[l] | 0x20) >= 'a' && (v[l] | 0x20) <= 'z') ||
				      (v[l] >= '0' && v[l] <= '9')))
			return true;
	}
	return false;
}

/* Falco's parse_str_value_or_transformer() and the modifier form */
static int st_strval(struct parser *p, struct tok *t)
{
	size_t n;
	int r;
	if (!depth_ok(p, p->chk + 2))
		return T_ERROR;
	if (p->had_blank && (n = lex_mod(p->cur, p->lim, &t->k))) {
		const uch *v = p->cur + n;
		bool list = (*v == '(' && v < p->lim) || lex_ident(v, p->lim);
		if (list && !bool_keyword(v, p->lim)) {
			take(p, n);
			p->state = S_MODLIST;
			return T_MOD;
		}
	}
	skip_blank(p);
	if (!depth_ok(p, p->chk + 3))
		return T_ERROR;
	if ((r = rhs_xform(p, t)))
		return r;
	if ((r = str_value(p, t, true)) > 0) {
		p->state = S_AFTER;
		return T_VALUE;
	}
	if (r < 0)
		return T_ERROR;
	return fail(p, "expected a string value or a field with a valid transformer: " XFORMS);
}

static int st_numval(struct parser *p, struct tok *t)
{
	size_t n;
	int r;
	skip_blank(p);
	if (!depth_ok(p, p->chk + 2) || !depth_ok(p, p->chk + 3))
		return T_ERROR;
	if ((r = rhs_xform(p, t)))
		return r;
	if ((n = lex_number(p->cur, p->lim))) {
		t->s = (const char *)take(p, n);
		t->len = (uint32_t)n;
		p->state = S_AFTER;
		return T_VALUE;
	}
	return fail(p, "expected a number value or a field with a valid transformer: " XFORMS);
}

/* Falco's parse_list_value_or_transformer() (@mod false) and parse_list_value() */
static int st_listval(struct parser *p, struct tok *t, bool mod)
{
	size_t n;
	int r;
	skip_blank(p);
	if (!depth_ok(p, p->chk + 2))
		return T_ERROR;
	if (*p->cur == '(' && p->cur < p->lim) {
		take(p, 1);
		if (!push(p, F_LIST, S_AFTER, p->chk + 3))
			return fail(p, "exceeded max depth limit of %u", LEX_MAX_DEPTH);
		p->state = S_LIST_FIRST;
		return T_LP;
	}
	if (!mod) {
		if (!depth_ok(p, p->chk + 3))
			return T_ERROR;
		if ((r = rhs_xform(p, t)))
			return r;
	}
	if ((n = lex_ident(p->cur, p->lim))) {
		t->s = (const char *)take(p, n);
		t->len = (uint32_t)n;
		p->state = S_AFTER;
		return T_VALUE;
	}
	if (mod)
		return fail(p, "expected a list or an identifier");
	return fail(p, "expected a list, an identifier, or a field with a valid transformer: " XFORMS);
}

/* closing ")" of the top frame, then its optional [arg] for transformers */
static int close_frame(struct parser *p, struct tok *t)
{
	struct lex_frame f = p->frames[--p->nframes];
	take(p, 1);
	p->state = f.ret;
	if (f.kind != F_XF)
		return T_RP;
	return field_arg(p, t) ? T_ERROR : T_XFEND;
}

/* list elements: Falco's try_parse_list_expr() */
static int st_list(struct parser *p, struct tok *t)
{
	int r;
	if (p->state != S_LIST_CLOSE)
		skip_blank(p);
	switch (p->state) {
	case S_LIST_FIRST:
		/* Falco swallows any error of the first element and then wants ")" */
		if (top(p)->depth < LEX_MAX_DEPTH) {
			const uch *s = p->cur;
			r = str_value(p, t, false);
			if (r > 0) {
				p->state = S_LIST_SEP;
				return T_VALUE;
			}
			if (r < 0)
				set_last(p, s, (size_t)(p->cur - s));
		}
		break;
	case S_LIST_NEXT:
		if (!depth_ok(p, top(p)->depth))
			return T_ERROR;
		if ((r = str_value(p, t, true)) > 0) {
			p->state = S_LIST_SEP;
			return T_VALUE;
		}
		return r < 0 ? T_ERROR : fail(p, "expected a string value");
	case S_LIST_SEP:
		if (*p->cur == ',' && p->cur < p->lim) {
			take(p, 1);
			p->state = S_LIST_NEXT;
			return T_COMMA;
		}
		break;
	default:
		break;
	}
	if (*p->cur == ')' && p->cur < p->lim)
		return close_frame(p, t);
	return fail(p, "expected a ')' token");
}

/* one transformer argument at depth @d; Falco's parse_field_transformer_arg() (@tl false)
 * and parse_transformer_list_arg() (@tl true) try the classes in different orders */
static int xarg(struct parser *p, struct tok *t, uint32_t d, bool tl)
{
	size_t n;
	int k, r;
	if (!tl && (n = lex_number(p->cur, p->lim)))
		goto number;
	if ((r = quoted(p, &t->s, &t->len, true))) {
		t->quoted = true;
		p->state = tl ? S_TL_SEP : S_XARG_SEP;
		return r > 0 ? T_VALUE : T_ERROR;
	}
	if (!tl && *p->cur == '(' && p->cur < p->lim) {
		take(p, 1);
		if (!push(p, F_TLIST, S_XARG_SEP, d))
			return fail(p, "exceeded max depth limit of %u", LEX_MAX_DEPTH);
		p->state = S_TL_FIRST;
		return T_LP;
	}
	if ((n = lex_xform(p->cur, p->lim, &k)))
		return xform_open(p, t, n, k, d + 1, tl ? S_TL_SEP : S_XARG_SEP);
	if ((n = lex_field_name(p->cur, p->lim)))
		return field(p, t, n, d + 1, tl ? S_TL_SEP : S_XARG_SEP);
	if (tl && (n = lex_number(p->cur, p->lim)))
		goto number;
	if (tl)
		return fail(p, "expected transformer list argument: field, transformer, quoted "
			    "string, or number");
	return fail(p, "expected field transformer argument: field, transformer, quoted string, "
		    "number, or transformer list");
number:
	t->s = (const char *)take(p, n);
	t->len = (uint32_t)n;
	p->state = tl ? S_TL_SEP : S_XARG_SEP;
	return T_VALUE;
}

/* inside a transformer's parentheses */
static int st_xform(struct parser *p, struct tok *t)
{
	struct lex_frame *f = top(p);
	skip_blank(p);
	switch (p->state) {
	case S_XARG:
		return depth_ok(p, f->depth + 1) ? xarg(p, t, f->depth + 1, false) : T_ERROR;
	case S_TL_FIRST:
		if (*p->cur == ')' && p->cur < p->lim)
			return close_frame(p, t);
		return xarg(p, t, f->depth, true);
	case S_TL_NEXT:
		return xarg(p, t, f->depth, true);
	default:
		break;
	}
	bool sep = *p->cur == ',' && p->cur < p->lim;
	if (sep) {
		take(p, 1);
		p->state = p->state == S_TL_SEP ? S_TL_NEXT : S_XARG;
		return T_COMMA;
	}
	if (*p->cur == ')' && p->cur < p->lim)
		return close_frame(p, t);
	if (p->state == S_TL_SEP)
		return fail(p, "expected ')'");
	return fail(p, "expected a ')' token closing the transformer");
}

/* val( field ) */
static int st_val(struct parser *p, struct tok *t)
{
	size_t n;
	skip_blank(p);
	if (p->state == S_VAL_FIELD) {
		if (!(n = lex_field_name(p->cur, p->lim)))
			return fail(p, "expected a field within 'val' transformer");
		return field(p, t, n, p->chk + 4, S_VAL_CLOSE);
	}
	if (*p->cur != ')' || p->cur >= p->lim)
		return fail(p, "expected a ')' token closing the transformer");
	take(p, 1);
	p->state = S_AFTER;
	return field_arg(p, t) ? T_ERROR : T_XFEND;
}

static int next_token(struct parser *p, struct tok *t)
{
	if (p->pending) {
		int kind = p->pending - 1;
		p->pending = 0;
		return group_open(p, kind, p->pending_base);
	}
	switch ((enum state)p->state) {
	case S_EXPR: return st_expr(p, t);
	case S_OP: return st_op(p, t);
	case S_STRVAL: return st_strval(p, t);
	case S_NUMVAL: return st_numval(p, t);
	case S_LISTVAL: return st_listval(p, t, false);
	case S_MODLIST: return st_listval(p, t, true);
	case S_LIST_FIRST:
	case S_LIST_SEP:
	case S_LIST_NEXT:
	case S_LIST_CLOSE: return st_list(p, t);
	case S_XARG:
	case S_XARG_SEP:
	case S_TL_FIRST:
	case S_TL_SEP:
	case S_TL_NEXT: return st_xform(p, t);
	case S_VAL_FIELD:
	case S_VAL_CLOSE: return st_val(p, t);
	case S_AFTER: return st_after(p);
	}
	return fail(p, "internal lexer state error");
}

int frc_yylex(FRC_YYSTYPE *lval, FRC_YYLTYPE *lloc, struct parser *p)
{
	struct tok *t = &lval->t;
	memset(t, 0, sizeof(*t));
	p->tstart = NULL;
	int r = p->err ? T_ERROR : next_token(p, t);
	/* the span starts at the first consumed byte (blanks before it are not part of it) */
	const uch *s = p->tstart ? p->tstart : p->cur, *e = p->cur;
	while (e > s && e[-1] && strchr(" \t\n\v\f\r\b", e[-1])) /* blanks after "contains", "=" ... */
		e--;
	lloc->src = p->src;
	lloc->start = (uint32_t)(s - p->buf);
	lloc->end = (uint32_t)(e - p->buf);
	return r;
}

/* ------------------------------------------------------------------ driver */

int frc_yyparse(struct parser *p);

struct ast *parse_condition(struct arena *a, const char *text, size_t len, uint32_t src,
			    struct parse_error *err)
{
	struct parser p;
	memset(&p, 0, sizeof(p));
	err->msg = NULL;
	err->offset = 0;
	if (len == 0) {
		err->msg = "filter input string is empty";
		return NULL;
	}
	if (len >= UINT32_MAX) {
		err->msg = "condition too long";
		return NULL;
	}
	/* a NUL-terminated copy: the lexer reads one sentinel byte past the end */
	char *buf = arena_strndup(a, text, len);
	p.frames = arena_alloc(a, LEX_MAX_DEPTH * sizeof(*p.frames));
	if (!buf || !p.frames) {
		err->msg = "out of memory";
		return NULL;
	}
	p.a = a;
	p.buf = p.cur = (const unsigned char *)buf;
	p.lim = p.buf + len;
	p.src = src;
	p.base = 1; /* Falco's parse() calls parse_or() at depth 1 */
	if (frc_yyparse(&p) != 0 || !p.root) {
		err->msg = p.err ? p.err : "out of memory";
		err->offset = p.err ? p.err_off : 0;
		return NULL;
	}
	return p.root;
}
