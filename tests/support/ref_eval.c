/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only reference evaluator (see ref_eval.h). Written for clarity, not speed.
 */
#include "ref_eval.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fnmatch.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"

/* ------------------------------------------------------------------ fake events */

const struct frc_val *fake_get(const struct fake_evt *e, uint32_t field, const char *arg,
			       uint32_t arg_len, int64_t arg_index)
{
	if (!arg)
		arg_len = 0;
	for (uint32_t i = 0; i < e->n; i++) {
		const struct fake_field *f = &e->f[i];
		uint32_t flen = f->arg ? f->arg_len : 0;
		if (f->field == field && f->arg_index == arg_index && flen == arg_len &&
		    (!arg_len || !memcmp(f->arg, arg, arg_len)))
			return &f->v;
	}
	return NULL;
}

const struct frc_val *fake_ref_get(void *ctx, const struct ast *field)
{
	const struct fake_evt *e = ctx;
	return fake_get(e, field->u.field.id, field->u.field.arg, field->u.field.arg_len,
			field->u.field.arg ? field->u.field.arg_index : -1);
}

/* ------------------------------------------------------------------ values */

/* an owned value (transformer results); items and bytes malloc'd */
struct rval {
	const struct frc_val *v;	/* what to compare */
	struct frc_val own;
	struct frc_val *items;
	uint8_t *buf;
	bool list;			/* a list value (in = all items, intersects = any) */
};

static void rval_free(struct rval *r)
{
	if (r->items) {
		for (uint32_t i = 0; i < r->own.nitems; i++)
			free((void *)r->items[i].s);
		free(r->items);
	}
	free(r->buf);
}

static unsigned char lc(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool bytes_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool find(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn, bool icase)
{
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t j = 0;
		while (j < nn && (icase ? lc(h[i + j]) == lc(n[j]) : h[i + j] == n[j]))
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

static char *cstr(const void *s, size_t n)
{
	char *c = malloc(n + 1);
	memcpy(c, s, n);
	c[n] = 0;
	return c;
}

static struct frc_val strval(uint8_t *s, size_t n)
{
	struct frc_val v;
	memset(&v, 0, sizeof(v));
	v.s = s;
	v.len = (uint32_t)n;
	return v;
}

/* transform one string */
static bool xf_one(enum xform_kind k, const struct frc_val *in, struct frc_val *out)
{
	uint8_t *o = malloc((size_t)in->len + 1);
	size_t n = 0;
	if (k == XF_TOLOWER || k == XF_TOUPPER) {
		for (uint32_t i = 0; i < in->len; i++) {
			unsigned char c = in->s[i];
			o[n++] = k == XF_TOLOWER ? lc(c) : (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
		}
	} else if (k == XF_BASENAME) {
		const uint8_t *p = in->s, *st = in->s;
		for (uint32_t i = 0; i < in->len; i++)
			if (p[i] == '/')
				st = p + i + 1;
		n = in->len - (size_t)(st - p);
		memcpy(o, st, n);
	} else { /* b64 */
		static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		uint32_t len = in->len, bits = 0, acc = 0;
		while (len && in->s[len - 1] == '=')
			len--;
		if (len % 4 == 1) {
			free(o);
			return false;
		}
		for (uint32_t i = 0; i < len; i++) {
			const char *p = in->s[i] ? strchr(al, in->s[i]) : NULL;
			if (!p) {
				free(o);
				return false;
			}
			acc = acc << 6 | (uint32_t)(p - al);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				o[n++] = (uint8_t)(acc >> bits);
			}
		}
	}
	o[n] = 0;
	*out = strval(o, n);
	return true;
}

static bool eval_value(const struct ast *n, ref_get_fn get, void *ctx, struct rval *out);

static bool xform_value(const struct ast *n, ref_get_fn get, void *ctx, struct rval *out)
{
	struct rval a[16];
	uint32_t na = n->u.xform.nargs;
	bool ok = true;
	memset(a, 0, sizeof(a));
	for (uint32_t i = 0; i < na && ok; i++)
		ok = eval_value(n->u.xform.args[i], get, ctx, &a[i]);
	enum xform_kind k = n->u.xform.kind;
	if (ok && k == XF_LEN) {
		memset(&out->own, 0, sizeof(out->own));
		out->own.n.u = a[0].v->multi ? a[0].v->nitems : a[0].v->len;
		out->v = &out->own;
	} else if (ok && k <= XF_BASENAME) {
		const struct frc_val *in = a[0].v;
		if (in->multi) {
			out->items = calloc(in->nitems + 1, sizeof(*out->items));
			uint32_t m = 0;
			for (uint32_t i = 0; i < in->nitems; i++)
				if (xf_one(k, &in->items[i], &out->items[m]))
					m++;
			memset(&out->own, 0, sizeof(out->own));
			out->own.multi = 1;
			out->own.items = out->items;
			out->own.nitems = m;
			out->list = a[0].list;
		} else {
			ok = xf_one(k, in, &out->own);
			out->buf = (uint8_t *)out->own.s;
		}
		out->v = &out->own;
	} else if (ok && (k == XF_CONCAT || k == XF_JOIN)) {
		size_t total = 0;
		const struct frc_val *sep = k == XF_JOIN ? a[0].v : NULL;
		const struct frc_val *list = k == XF_JOIN ? a[1].v : NULL;
		uint32_t cnt = k == XF_JOIN ? (list->multi ? list->nitems : 1) : na;
		for (uint32_t i = 0; i < cnt; i++) {
			const struct frc_val *it = k == XF_JOIN ? (list->multi ? &list->items[i] : list)
								: a[i].v;
			if (it->multi)
				ok = false;
			total += it->len + (sep ? sep->len : 0);
		}
		if (ok && sep && sep->multi)
			ok = false;
		if (ok) {
			uint8_t *b = malloc(total + 1);
			size_t o = 0;
			for (uint32_t i = 0; i < cnt; i++) {
				const struct frc_val *it = k == XF_JOIN
					? (list->multi ? &list->items[i] : list) : a[i].v;
				if (sep && i && list->multi) {
					memcpy(b + o, sep->s, sep->len);
					o += sep->len;
				}
				memcpy(b + o, it->s, it->len);
				o += it->len;
			}
			b[o] = 0;
			out->own = strval(b, o);
			out->buf = b;
			out->v = &out->own;
		}
	} else if (ok) {
		ok = false; /* getopt: exercised by the runtime unit tests only */
	}
	for (uint32_t i = 0; i < na; i++)
		rval_free(&a[i]);
	return ok;
}

static bool eval_value(const struct ast *n, ref_get_fn get, void *ctx, struct rval *out)
{
	memset(out, 0, sizeof(*out));
	if (n->kind == AST_FIELD) {
		out->v = get(ctx, n);
		out->list = field_table[n->u.field.id].flags & FF_LIST;
		return out->v != NULL;
	}
	if (n->kind == AST_VALUE) {
		out->own = strval((uint8_t *)n->u.value.str, n->u.value.len);
		out->v = &out->own;
		return true;
	}
	if (n->kind == AST_XFORM)
		return xform_value(n, get, ctx, out);
	return false;
}

/* ------------------------------------------------------------------ comparisons */

static bool glob_match(const uint8_t *pat, size_t pn, const uint8_t *s, size_t sn, bool icase)
{
	char *p = cstr(pat, pn), *v = cstr(s, sn);
	bool m = fnmatch(p, v, icase ? FNM_CASEFOLD : 0) == 0;
	free(p);
	free(v);
	return m;
}

/* Falco replaces each maximal invalid UTF-8 subpart with U+FFFD before matching */
static size_t sanitize(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t need = c < 0x80 ? 0 : (c >= 0xc2 && c <= 0xdf) ? 1
			    : (c >= 0xe0 && c <= 0xef) ? 2 : (c >= 0xf0 && c <= 0xf4) ? 3 : 99;
		size_t ok = 1;
		if (need == 99) {
			ok = 0;
		} else {
			for (size_t k = 1; k <= need; k++) {
				uint8_t lo = 0x80, hi = 0xbf;
				if (k == 1 && c == 0xe0) lo = 0xa0;
				if (k == 1 && c == 0xed) hi = 0x9f;
				if (k == 1 && c == 0xf0) lo = 0x90;
				if (k == 1 && c == 0xf4) hi = 0x8f;
				if (i + k >= n || s[i + k] < lo || s[i + k] > hi) {
					ok = 0;
					need = k - 1;
					break;
				}
			}
		}
		if (ok) {
			memcpy(out + o, s + i, need + 1);
			o += need + 1;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
		i += need + 1;
	}
	return o;
}

static bool regex_match(const uint8_t *pat, size_t pn, const uint8_t *s, size_t sn)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile(pat, pn, PCRE2_UTF, &ec, &eo, NULL);
	if (!re)
		return false;
	uint8_t *clean = malloc(3 * sn + 1);
	size_t cn = sanitize(s, sn, clean);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, clean, cn, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	free(clean);
	return rc >= 0;
}

/* split on '/', skipping empty components */
static uint32_t split(const uint8_t *s, size_t n, const uint8_t **c, size_t *cl, uint32_t max)
{
	uint32_t k = 0;
	size_t i = 0;
	while (i < n && k < max) {
		while (i < n && s[i] == '/')
			i++;
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && s[i] != '/')
			i++;
		c[k] = s + st;
		cl[k++] = i - st;
	}
	return k;
}

static bool pmatch_one(const uint8_t *pat, size_t pn, const uint8_t *s, size_t sn)
{
	const uint8_t *pc[1100], *vc[1100];
	size_t pl[1100], vl[1100];
	uint32_t np = split(pat, pn, pc, pl, 1100), nv = split(s, sn, vc, vl, 1100);
	if (np > nv)
		return false;
	for (uint32_t i = 0; i < np; i++) {
		bool glob = memchr(pc[i], '*', pl[i]) || memchr(pc[i], '?', pl[i]) ||
			    memchr(pc[i], '[', pl[i]);
		if (glob ? !glob_match(pc[i], pl[i], vc[i], vl[i], false)
			 : !bytes_eq(pc[i], pl[i], vc[i], vl[i]))
			return false;
	}
	return true;
}

static bool is_str(enum ft_type t)
{
	return t == FT_CHARBUF || t == FT_FSPATH || t == FT_BYTEBUF;
}

static bool ip_same(const struct frc_val *x, const uint8_t *ip, uint8_t fam)
{
	return x->family == fam && !memcmp(x->ip, ip, fam == 4 ? 4 : 16);
}

static bool in_net(const struct frc_val *x, const struct ast_const *c)
{
	if (x->family != c->family)
		return false;
	for (unsigned b = 0; b < c->prefix; b++) {
		unsigned bit = 7 - b % 8;
		if (((x->ip[b / 8] >> bit) & 1) != ((c->ip[b / 8] >> bit) & 1))
			return false;
	}
	return true;
}

/* one scalar value item against one constant */
static bool cmp_const(const struct frc_val *x, enum cmp_op op, enum ft_type t,
		      const struct ast *k)
{
	const uint8_t *s = (const uint8_t *)k->u.value.str;
	size_t n = k->u.value.len;
	const struct ast_const *c = &k->u.value.c;
	if (is_str(t)) {
		int cmp = memcmp(x->s, s, x->len < n ? x->len : n);
		if (!cmp)
			cmp = x->len < n ? -1 : x->len > n;
		switch (op) {
		case OP_EQ: case OP_IN: case OP_INTERSECTS: return bytes_eq(x->s, x->len, s, n);
		case OP_NE: return !bytes_eq(x->s, x->len, s, n);
		case OP_LT: return cmp < 0;
		case OP_LE: return cmp <= 0;
		case OP_GT: return cmp > 0;
		case OP_GE: return cmp >= 0;
		case OP_CONTAINS: return find(x->s, x->len, s, n, false);
		case OP_ICONTAINS: return find(x->s, x->len, s, n, true);
		case OP_STARTSWITH: return x->len >= n && !memcmp(x->s, s, n);
		case OP_ENDSWITH: return x->len >= n && !memcmp(x->s + x->len - n, s, n);
		case OP_BCONTAINS: return find(x->s, x->len, s, n, false); /* bytes, decoded */
		case OP_BSTARTSWITH: return x->len >= n && !memcmp(x->s, s, n);
		case OP_GLOB: return glob_match(s, n, x->s, x->len, false);
		case OP_IGLOB: return glob_match(s, n, x->s, x->len, true);
		case OP_REGEX: return regex_match(s, n, x->s, x->len);
		case OP_PMATCH: return pmatch_one(s, n, x->s, x->len);
		default: return false;
		}
	}
	if (t == FT_IPADDR) {
		bool eq = ip_same(x, c->ip, c->family);
		return op == OP_NE ? !eq : eq;
	}
	if (t == FT_IPNET) {
		bool in = in_net(x, c);
		return op == OP_NE ? !in : in;
	}
	bool sg = t == FT_INT64;
	switch (op) {
	case OP_EQ: case OP_IN: case OP_INTERSECTS: return x->n.u == c->n.u;
	case OP_NE: return x->n.u != c->n.u;
	case OP_LT: return sg ? x->n.i < c->n.i : x->n.u < c->n.u;
	case OP_LE: return sg ? x->n.i <= c->n.i : x->n.u <= c->n.u;
	case OP_GT: return sg ? x->n.i > c->n.i : x->n.u > c->n.u;
	case OP_GE: return sg ? x->n.i >= c->n.i : x->n.u >= c->n.u;
	default: return false;
	}
}

/* one item against the right-hand side (constant, list or pmatch list) */
static bool cmp_item(const struct frc_val *x, enum cmp_op op, enum ft_type t,
		     const struct ast *rhs)
{
	if (rhs->kind == AST_LIST) {
		for (uint32_t i = 0; i < rhs->u.nary.n; i++)
			if (cmp_const(x, op, t, rhs->u.nary.items[i]))
				return true;
		return false;
	}
	return cmp_const(x, op, t, rhs);
}

static bool cmp_field_item(const struct frc_val *x, enum cmp_op op, enum ft_type t,
			   const struct frc_val *y)
{
	if (y->multi) {
		if (op == OP_IN || op == OP_INTERSECTS) {
			for (uint32_t i = 0; i < y->nitems; i++)
				if (cmp_field_item(x, op, t, &y->items[i]))
					return true;
			return false;
		}
		return y->nitems && cmp_field_item(x, op, t, &y->items[0]);
	}
	struct ast k;
	memset(&k, 0, sizeof(k));
	k.kind = AST_VALUE;
	k.u.value.str = (const char *)y->s;
	k.u.value.len = y->len;
	k.u.value.c.type = t;
	k.u.value.c.n.u = y->n.u;
	k.u.value.c.family = y->family;
	memcpy(k.u.value.c.ip, y->ip, 16);
	if (op == OP_GLOB || op == OP_IGLOB)
		return glob_match(y->s, y->len, x->s, x->len, op == OP_IGLOB);
	return cmp_const(x, op, t, &k);
}

enum quant { Q_ONE, Q_ANY, Q_ALL };

static enum quant quant_of(const struct ast *lhs, const struct rval *v, enum cmp_op op)
{
	if (lhs->kind == AST_FIELD) {
		uint32_t fl = field_table[lhs->u.field.id].flags;
		if ((fl & FF_ANCESTOR) && !lhs->u.field.arg)
			return Q_ANY; /* some ancestor, also for != */
		if (fl & FF_EITHER_END)
			return op == OP_NE ? Q_ALL : Q_ANY; /* != : both ends differ */
	}
	if (v->list)
		return op == OP_IN ? Q_ALL : Q_ANY;
	return v->v->multi ? Q_ANY : Q_ONE;
}

static enum ft_type lhs_type(const struct ast *lhs, const struct ast *rhs)
{
	enum ft_type t = lhs->kind == AST_FIELD ? field_table[lhs->u.field.id].type
			 : lhs->kind == AST_XFORM ? lhs->u.xform.type : FT_CHARBUF;
	if (t == FT_DYN && rhs && rhs->kind == AST_VALUE)
		t = rhs->u.value.c.type;
	return t == FT_DYN || t == FT_NONE ? FT_CHARBUF : t;
}

static bool check(const struct ast *n, const struct ast *rhs, ref_get_fn get, void *ctx)
{
	const struct ast *lhs = n->u.check.lhs;
	enum cmp_op op = n->u.check.op;
	struct rval v, w;
	bool ok = eval_value(lhs, get, ctx, &v), res = false;
	if (!ok || op == OP_EXISTS) {
		rval_free(&v);
		return ok && op == OP_EXISTS;
	}
	enum ft_type t = lhs_type(lhs, rhs);
	bool fieldrhs = n->u.check.rhs_is_field;
	if (fieldrhs && !eval_value(rhs, get, ctx, &w)) {
		rval_free(&v);
		return false;
	}
	enum quant q = quant_of(lhs, &v, op);
	const struct frc_val *x = v.v;
	uint32_t cnt = x->multi ? x->nitems : 1;
	if (x->multi && cnt == 0)
		res = false;
	else
		for (uint32_t i = 0; i < cnt; i++) {
			const struct frc_val *it = x->multi ? &x->items[i] : x;
			bool r = fieldrhs ? cmp_field_item(it, op, t, w.v) : cmp_item(it, op, t, rhs);
			if (q == Q_ALL && !r) {
				res = false;
				break;
			}
			res = r;
			if (q != Q_ALL && r)
				break;
		}
	rval_free(&v);
	if (fieldrhs)
		rval_free(&w);
	return res;
}

bool ref_eval(const struct ast *n, ref_get_fn get, void *ctx)
{
	switch (n->kind) {
	case AST_AND:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			if (!ref_eval(n->u.nary.items[i], get, ctx))
				return false;
		return true;
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			if (ref_eval(n->u.nary.items[i], get, ctx))
				return true;
		return false;
	case AST_NOT:
		return !ref_eval(n->u.not_.child, get, ctx);
	case AST_BOOL:
		return n->u.boolean;
	case AST_CHECK: {
		const struct ast *rhs = n->u.check.rhs;
		if (n->u.check.mod == MOD_NONE || n->u.check.op == OP_EXISTS)
			return check(n, rhs, get, ctx);
		/* anyof / allof / oneof: count the items that satisfy the operator */
		uint32_t cnt = rhs->kind == AST_LIST ? rhs->u.nary.n : 1, hits = 0;
		for (uint32_t i = 0; i < cnt; i++)
			hits += check(n, rhs->kind == AST_LIST ? rhs->u.nary.items[i] : rhs, get, ctx);
		return n->u.check.mod == MOD_ANYOF ? hits > 0
		     : n->u.check.mod == MOD_ALLOF ? hits == cnt : hits == 1;
	}
	default:
		return false;
	}
}
