/* SPDX-License-Identifier: Apache-2.0
 *
 * Falco alert formatting (see output.h): template parsing with libsinsp's token rules, value
 * rendering as libsinsp renders field values, Falco's text line and JSON object.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/arena.h"
#include "compiler/ast.h"
#include "compiler/loader.h"
#include "config.h"
#include "output.h"

/* ---------------------------------------------------------------- template model */

enum out_node_kind {
	ON_LIT,		/* literal text */
	ON_FIELD,	/* a field reference: @slot in the pool */
	ON_XFORM,	/* transformer applied to @args */
	ON_STR,		/* string constant (transformer argument) */
	ON_LIST,	/* (a, b, ...) list (transformer argument) */
};

struct out_node {
	enum out_node_kind kind;
	uint32_t width;		/* %N width of a top-level token, 0 = none */
	char *text;		/* ON_LIT/ON_STR bytes; ON_FIELD/ON_XFORM: the token as written */
	size_t len;
	uint32_t slot;		/* ON_FIELD */
	enum field_id fid;	/* ON_FIELD */
	enum xform_kind xf;	/* ON_XFORM */
	struct out_node **args;	/* ON_XFORM, ON_LIST */
	uint32_t nargs;
};

struct out_fmt {
	struct out_node **nodes;
	uint32_t n;
	/* distinct plain fields of the template (JSON output_fields), in token order */
	struct out_node **fields;
	uint32_t nfields;
};

static void node_free(struct out_node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n->text);
	free(n);
}

static void fmt_free(struct out_fmt *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->n; i++)
		node_free(f->nodes[i]);
	free(f->nodes);
	free(f->fields);
	free(f);
}

void out_pool_init(struct out_pool *p)
{
	memset(p, 0, sizeof(*p));
}

void out_pool_free(struct out_pool *p)
{
	for (uint32_t i = 0; i < p->nrefs; i++)
		free((char *)p->refs[i].arg);
	free(p->refs);
	for (uint32_t i = 0; i < p->nfmts; i++)
		fmt_free(p->fmts[i]);
	free(p->fmts);
	memset(p, 0, sizeof(*p));
}

static int pool_slot(struct out_pool *p, enum field_id id, const char *arg, uint32_t arg_len,
		     int64_t idx, uint32_t *slot)
{
	for (uint32_t i = 0; i < p->nrefs; i++) {
		const struct frc_field_ref *r = &p->refs[i];
		if (r->field == (frc_u32)id && r->arg_len == arg_len && r->arg_index == idx &&
		    (!arg_len || !memcmp(r->arg, arg, arg_len))) {
			*slot = i;
			return 0;
		}
	}
	if (p->nrefs == p->cap) {
		uint32_t nc = p->cap ? p->cap * 2 : 16;
		struct frc_field_ref *nr = realloc(p->refs, nc * sizeof(*nr));
		if (!nr)
			return -1;
		p->refs = nr;
		p->cap = nc;
	}
	char *a = NULL;
	if (arg_len) {
		a = malloc(arg_len + 1);
		if (!a)
			return -1;
		memcpy(a, arg, arg_len);
		a[arg_len] = 0;
	}
	p->refs[p->nrefs] = (struct frc_field_ref){ .field = (frc_u32)id, .arg_len = arg_len,
						   .arg = a, .arg_index = idx };
	*slot = p->nrefs++;
	return 0;
}

/* ---------------------------------------------------------------- token parser */

struct tparse {
	struct out_pool *pool;
	const char *s;		/* whole template */
	size_t end;		/* parse limit (exclusive) for the current attempt */
	size_t pos;
	char *err;
	size_t errlen;
};

static void tp_err(struct tparse *t, const char *msg)
{
	snprintf(t->err, t->errlen, "%s", msg);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum_(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static bool tp_blank(struct tparse *t)
{
	size_t p0 = t->pos;

	while (t->pos < t->end && (t->s[t->pos] == ' ' || t->s[t->pos] == '\t' ||
				   t->s[t->pos] == '\n' || t->s[t->pos] == '\r' ||
				   t->s[t->pos] == '\v' || t->s[t->pos] == '\f'))
		t->pos++;
	return t->pos > p0;
}

static bool tp_char(struct tparse *t, char c)
{
	if (t->pos < t->end && t->s[t->pos] == c) {
		t->pos++;
		return true;
	}
	return false;
}

/* libsinsp's field-name regex: [a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+ */
static size_t lex_field_name(const struct tparse *t)
{
	size_t p = t->pos, last_ok = 0;
	int segs = 0;

	for (;;) {
		if (p >= t->end || !is_alpha(t->s[p]))
			break;
		while (p < t->end && is_alnum_(t->s[p]))
			p++;
		segs++;
		if (segs >= 2)
			last_ok = p;
		if (p < t->end && t->s[p] == '.' && p + 1 < t->end && is_alpha(t->s[p + 1]))
			p++;
		else
			break;
	}
	return last_ok ? last_ok - t->pos : 0;
}

static const struct {
	const char *name;
	enum xform_kind kind;
} xforms[] = {
	{ "tolower(", XF_TOLOWER }, { "toupper(", XF_TOUPPER }, { "b64(", XF_B64 },
	{ "basename(", XF_BASENAME }, { "len(", XF_LEN }, { "join(", XF_JOIN },
	{ "concat(", XF_CONCAT }, { "getopt(", XF_GETOPT },
};

static int lex_xform(struct tparse *t, enum xform_kind *k)
{
	for (size_t i = 0; i < sizeof(xforms) / sizeof(xforms[0]); i++) {
		size_t l = strlen(xforms[i].name);
		if (t->pos + l <= t->end && !strncmp(t->s + t->pos, xforms[i].name, l)) {
			t->pos += l;
			*k = xforms[i].kind;
			return 1;
		}
	}
	return 0;
}

/* quoted string with backslash escapes; returns the decoded bytes (malloc) */
static char *lex_quoted(struct tparse *t, size_t *len)
{
	if (t->pos >= t->end || (t->s[t->pos] != '"' && t->s[t->pos] != '\''))
		return NULL;
	char q = t->s[t->pos];
	size_t p = t->pos + 1;
	char *out = malloc(t->end - t->pos + 1);
	size_t n = 0;
	if (!out)
		return NULL;
	while (p < t->end && t->s[p] != q) {
		if (t->s[p] == '\\' && p + 1 < t->end)
			p++;
		out[n++] = t->s[p++];
	}
	if (p >= t->end) {
		free(out);
		return NULL;
	}
	out[n] = 0;
	*len = n;
	t->pos = p + 1;
	return out;
}

static struct out_node *new_node(enum out_node_kind k)
{
	struct out_node *n = calloc(1, sizeof(struct out_node));

	if (n)
		n->kind = k;
	return n;
}

static int add_arg(struct out_node *n, struct out_node *a)
{
	struct out_node **na = realloc(n->args, (n->nargs + 1) * sizeof(*na));

	if (!na) {
		node_free(a);
		return -1;
	}
	n->args = na;
	n->args[n->nargs++] = a;
	return 0;
}

/* optional [arg]: quoted string or bare string [^][\"' \t...]+ */
static int parse_opt_arg(struct tparse *t, char **arg, size_t *alen, bool *has)
{
	*has = false;
	if (!tp_char(t, '['))
		return 0;
	size_t l;
	char *q = lex_quoted(t, &l);
	if (q) {
		*arg = q;
		*alen = l;
	} else {
		size_t p = t->pos;
		while (p < t->end && !strchr("[]\"' \t\n\r\v\f", t->s[p]))
			p++;
		if (p == t->pos) {
			tp_err(t, "expected a valid field argument: a quoted string or a bare string");
			return -1;
		}
		*arg = strndup(t->s + t->pos, p - t->pos);
		*alen = p - t->pos;
		t->pos = p;
		if (!*arg)
			return -1;
	}
	if (!tp_char(t, ']')) {
		free(*arg);
		*arg = NULL;
		tp_err(t, "expected a ']' token");
		return -1;
	}
	*has = true;
	return 0;
}

/* Resolves a field name (+ optional bracket argument) against the field table. */
static struct out_node *compile_field(struct tparse *t, size_t name_start, size_t name_len,
				      char *barg, size_t barg_len, bool has_barg)
{
	const char *nm = t->s + name_start;
	int best = -1;
	size_t best_len = 0;
	char msg[512];

	for (int i = 0; i < FLD__COUNT; i++) {
		size_t fl = strlen(field_table[i].name);
		if (fl > best_len && fl <= name_len && !strncmp(nm, field_table[i].name, fl)) {
			best = i;
			best_len = fl;
		}
	}
	const struct field_info *fi = best >= 0 ? &field_table[best] : NULL;
	const char *arg = NULL;
	size_t arg_len = 0;
	if (fi && best_len < name_len) {
		/* a dotted argument: evt.arg.flags */
		if (nm[best_len] == '.' && (fi->flags & FF_ARG_DOTTED) && !has_barg) {
			arg = nm + best_len + 1;
			arg_len = name_len - best_len - 1;
		} else {
			fi = NULL;
		}
	}
	if (!fi) {
		snprintf(msg, sizeof(msg), "filter_check called with nonexistent field %.*s",
			 (int)name_len, nm);
		tp_err(t, msg);
		free(barg);
		return NULL;
	}
	if (has_barg) {
		if (!(fi->flags & (FF_ARG_REQ | FF_ARG_OPT))) {
			snprintf(msg, sizeof(msg), "filter %s does not support arguments", fi->name);
			tp_err(t, msg);
			free(barg);
			return NULL;
		}
		arg = barg;
		arg_len = barg_len;
	}
	if ((fi->flags & FF_ARG_REQ) && !arg) {
		snprintf(msg, sizeof(msg), "filter %s requires an argument", fi->name);
		tp_err(t, msg);
		free(barg);
		return NULL;
	}
	int64_t idx = -1;
	if (arg && (fi->flags & FF_ARG_INDEX)) {
		char *e;
		char tmp[32];
		if (arg_len == 0 || arg_len >= sizeof(tmp)) {
			idx = -2;
		} else {
			memcpy(tmp, arg, arg_len);
			tmp[arg_len] = 0;
			long long v = strtoll(tmp, &e, 10);
			idx = (*e || v < 0) ? -2 : v;
		}
		if (idx == -2 && best != FLD_EVT_ARG) {
			snprintf(msg, sizeof(msg), "filter %s needs a numeric argument, got '%.*s'",
				 fi->name, (int)arg_len, arg);
			tp_err(t, msg);
			free(barg);
			return NULL;
		}
	}
	if (best == FLD_EVT_ARG && arg && !(arg_len && arg[0] >= '0' && arg[0] <= '9')) {
		idx = -1;
	} else if (best == FLD_EVT_ARG && arg) {
		char tmp[32];
		char *e;
		if (arg_len < sizeof(tmp)) {
			memcpy(tmp, arg, arg_len);
			tmp[arg_len] = 0;
			long long v = strtoll(tmp, &e, 10);
			idx = *e ? -1 : v;
		}
	}
	struct out_node *n = new_node(ON_FIELD);
	if (!n) {
		free(barg);
		return NULL;
	}
	n->kind = ON_FIELD;
	n->fid = (enum field_id)best;
	/* the token as Falco names it in output_fields */
	size_t kl = name_len + (has_barg ? barg_len + 2 : 0);
	n->text = malloc(kl + 1);
	if (!n->text || pool_slot(t->pool, n->fid, arg, (uint32_t)arg_len, idx, &n->slot)) {
		free(barg);
		node_free(n);
		return NULL;
	}
	memcpy(n->text, nm, name_len);
	if (has_barg) {
		n->text[name_len] = '[';
		memcpy(n->text + name_len + 1, barg, barg_len);
		n->text[kl - 1] = ']';
	}
	n->text[kl] = 0;
	n->len = kl;
	free(barg);
	return n;
}

static struct out_node *parse_xform_rest(struct tparse *t, enum xform_kind k, size_t start);

static struct out_node *parse_field_at(struct tparse *t)
{
	size_t nl = lex_field_name(t);
	size_t start = t->pos;
	char *barg = NULL;
	size_t blen = 0;
	bool has = false;

	if (!nl)
		return NULL;
	t->pos += nl;
	if (parse_opt_arg(t, &barg, &blen, &has))
		return NULL;
	return compile_field(t, start, nl, barg, blen, has);
}

/* FieldTransformerArg ::= FieldTransformer | Field | QuotedStr | NumValue | '(' list ')' */
static struct out_node *parse_xarg(struct tparse *t, bool in_list)
{
	enum xform_kind k;
	size_t start;

	tp_blank(t);
	start = t->pos;
	/* number (hex or decimal) */
	if (t->pos < t->end && (isdigit((unsigned char)t->s[t->pos]) || t->s[t->pos] == '+' ||
				t->s[t->pos] == '-')) {
		size_t p = t->pos + 1;
		while (p < t->end && (isalnum((unsigned char)t->s[p]) || t->s[p] == '.'))
			p++;
		struct out_node *n = new_node(ON_STR);
		if (!n)
			return NULL;
		n->kind = ON_STR;
		n->text = strndup(t->s + t->pos, p - t->pos);
		n->len = p - t->pos;
		t->pos = p;
		if (!n->text) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	size_t ql;
	char *q = lex_quoted(t, &ql);
	if (q) {
		struct out_node *n = new_node(ON_STR);
		if (!n) {
			free(q);
			return NULL;
		}
		n->kind = ON_STR;
		n->text = q;
		n->len = ql;
		return n;
	}
	if (!in_list && tp_char(t, '(')) {
		struct out_node *l = new_node(ON_LIST);
		if (!l)
			return NULL;
		l->kind = ON_LIST;
		tp_blank(t);
		if (tp_char(t, ')'))
			return l;
		do {
			struct out_node *a = parse_xarg(t, true);
			if (!a || add_arg(l, a)) {
				node_free(l);
				return NULL;
			}
			tp_blank(t);
		} while (tp_char(t, ','));
		if (!tp_char(t, ')')) {
			tp_err(t, "expected ')'");
			node_free(l);
			return NULL;
		}
		return l;
	}
	if (lex_xform(t, &k))
		return parse_xform_rest(t, k, start);
	struct out_node *f = parse_field_at(t);
	if (!f && !t->err[0])
		tp_err(t, "expected field transformer argument: field, transformer, quoted string, "
			  "number, or transformer list");
	return f;
}

static bool xarg_is_value(const struct out_node *a)
{
	return a->kind == ON_FIELD || a->kind == ON_XFORM;
}

static struct out_node *parse_xform_rest(struct tparse *t, enum xform_kind k, size_t start)
{
	struct out_node *n = new_node(ON_XFORM);
	char msg[256];

	if (!n)
		return NULL;
	n->kind = ON_XFORM;
	n->xf = k;
	tp_blank(t);
	do {
		struct out_node *a = parse_xarg(t, false);
		if (!a || add_arg(n, a)) {
			node_free(n);
			return NULL;
		}
		tp_blank(t);
	} while (tp_char(t, ','));
	tp_blank(t);
	if (!tp_char(t, ')')) {
		tp_err(t, "expected a ')' token closing the transformer");
		node_free(n);
		return NULL;
	}
	char *barg = NULL;
	size_t blen;
	bool has;
	if (parse_opt_arg(t, &barg, &blen, &has)) {
		node_free(n);
		return NULL;
	}
	const char *tname = xforms[k].name;
	if (has) {
		free(barg);
		snprintf(msg, sizeof(msg), "filter error: transformer '%.*s' does not support field "
			 "arguments", (int)strlen(tname) - 1, tname);
		tp_err(t, msg);
		node_free(n);
		return NULL;
	}
	/* arity and argument kinds */
	bool ok = true;
	switch (k) {
	case XF_TOLOWER:
	case XF_TOUPPER:
	case XF_B64:
	case XF_BASENAME:
	case XF_LEN:
		ok = n->nargs == 1 && xarg_is_value(n->args[0]);
		break;
	case XF_CONCAT:
		ok = n->nargs >= 1;
		for (uint32_t i = 0; i < n->nargs; i++)
			ok = ok && n->args[i]->kind != ON_LIST;
		break;
	case XF_JOIN:
		ok = n->nargs == 2 && n->args[0]->kind == ON_STR &&
		     (xarg_is_value(n->args[1]) || n->args[1]->kind == ON_LIST);
		break;
	case XF_GETOPT:
		snprintf(msg, sizeof(msg), "transformer 'getopt' is not supported in outputs by frc");
		tp_err(t, msg);
		node_free(n);
		return NULL;
	case XF__COUNT:
		ok = false;
	}
	if (!ok) {
		snprintf(msg, sizeof(msg), "invalid arguments for transformer '%.*s'",
			 (int)strlen(tname) - 1, tname);
		tp_err(t, msg);
		node_free(n);
		return NULL;
	}
	n->text = strndup(t->s + start, t->pos - start);
	n->len = t->pos - start;
	if (!n->text) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* parse_field_or_transformer() on s[pos, end): a node, or NULL with t->err set */
static struct out_node *parse_token(struct tparse *t)
{
	enum xform_kind k;
	size_t start = t->pos;
	size_t nl = lex_field_name(t);

	t->err[0] = 0;
	if (nl)
		return parse_field_at(t);
	if (lex_xform(t, &k)) {
		tp_blank(t);
		return parse_xform_rest(t, k, start);
	}
	char msg[512];
	snprintf(msg, sizeof(msg), "unexpected token after '%.*s'",
		 (int)(t->end - start > 64 ? 64 : t->end - start), t->s + start);
	tp_err(t, msg);
	return NULL;
}

static int fmt_add(struct out_fmt *f, struct out_node *n)
{
	struct out_node **nn = realloc(f->nodes, (f->n + 1) * sizeof(*nn));

	if (!nn) {
		node_free(n);
		return -1;
	}
	f->nodes = nn;
	f->nodes[f->n++] = n;
	return 0;
}

static int add_lit(struct out_fmt *f, const char *s, size_t len)
{
	struct out_node *n;

	if (!len)
		return 0;
	n = new_node(ON_LIT);
	if (!n)
		return -1;
	n->kind = ON_LIT;
	n->text = strndup(s, len);
	n->len = len;
	if (!n->text) {
		node_free(n);
		return -1;
	}
	return fmt_add(f, n);
}

static int collect_fields(struct out_fmt *f, struct out_node *n)
{
	if (n->kind == ON_FIELD) {
		for (uint32_t i = 0; i < f->nfields; i++)
			if (!strcmp(f->fields[i]->text, n->text))
				return 0;
		struct out_node **nf = realloc(f->fields, (f->nfields + 1) * sizeof(*nf));
		if (!nf)
			return -1;
		f->fields = nf;
		f->fields[f->nfields++] = n;
		return 0;
	}
	for (uint32_t i = 0; i < n->nargs; i++)
		if (collect_fields(f, n->args[i]))
			return -1;
	return 0;
}

struct out_fmt *out_fmt_parse(struct out_pool *pool, const char *text, char *err, size_t errlen)
{
	struct out_fmt *f = calloc(1, sizeof(*f));
	size_t len = strlen(text);
	size_t lit = 0, j;
	char tokerr[512];
	struct tparse t = { .pool = pool, .s = text, .err = tokerr, .errlen = sizeof(tokerr) };

	if (!f)
		goto oom;
	if (len == 0) {
		snprintf(err, errlen, "empty formatting token");
		goto fail;
	}
	if (text[0] == '*')
		lit = 1;
	for (j = lit; j < len; j++) {
		if (text[j] != '%')
			continue;
		if (add_lit(f, text + lit, j - lit))
			goto oom;
		if (j == len - 1) {
			snprintf(err, errlen, "invalid formatting syntax: formatting cannot end with a %%");
			goto fail;
		}
		uint32_t width = 0;
		if (isdigit((unsigned char)text[j + 1])) {
			long w = 0;
			while (j + 1 < len && isdigit((unsigned char)text[j + 1])) {
				if (w < 100000)
					w = w * 10 + (text[j + 1] - '0');
				j++;
			}
			if (j == len - 1) {
				snprintf(err, errlen, "invalid formatting syntax: formatting cannot end "
					 "with a number");
				goto fail;
			}
			width = (uint32_t)w;
		}
		/* the longest prefix of the rest that parses as a field or transformer */
		size_t fsize = len - (j + 1);
		struct out_node *n = NULL;
		while (!n) {
			t.pos = j + 1;
			t.end = j + 1 + fsize;
			n = parse_token(&t);
			if (n)
				break;
			if (!tokerr[0]) /* out of memory */
				goto oom;
			if (--fsize == 0) {
				snprintf(err, errlen, "unknown filter: %s", tokerr);
				goto fail;
			}
		}
		n->width = width;
		if (fmt_add(f, n) || collect_fields(f, n))
			goto oom;
		j = t.pos - 1;
		lit = t.pos;
	}
	if (add_lit(f, text + lit, len - lit))
		goto oom;
	if (pool->nfmts == pool->fmtcap) {
		uint32_t nc = pool->fmtcap ? pool->fmtcap * 2 : 16;
		struct out_fmt **nf = realloc(pool->fmts, nc * sizeof(*nf));
		if (!nf)
			goto oom;
		pool->fmts = nf;
		pool->fmtcap = nc;
	}
	pool->fmts[pool->nfmts++] = f;
	return f;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	fmt_free(f);
	return NULL;
}

/* ---------------------------------------------------------------- time */

void out_time_local(uint64_t ts, char buf[32])
{
	time_t s = (time_t)(ts / 1000000000ull);
	struct tm tm;

	localtime_r(&s, &tm);
	snprintf(buf, 32, "%02d:%02d:%02d.%09llu", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long long)(ts % 1000000000ull));
}

void out_time_iso8601(uint64_t ts, char buf[48])
{
	time_t s = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char d[32];

	gmtime_r(&s, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 48, "%s.%09llu+0000", d, (unsigned long long)(ts % 1000000000ull));
}

void out_time_json(uint64_t ts, char buf[48])
{
	time_t s = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char d[32];

	gmtime_r(&s, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 48, "%s.%09lluZ", d, (unsigned long long)(ts % 1000000000ull));
}

/* ---------------------------------------------------------------- value rendering */

static void render_bytebuf(struct jw_buf *b, const frc_u8 *s, size_t len, bool base64)
{
	if (base64) {
		static const char tbl[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		for (size_t i = 0; i < len; i += 3) {
			uint32_t v = (uint32_t)s[i] << 16;
			if (i + 1 < len)
				v |= (uint32_t)s[i + 1] << 8;
			if (i + 2 < len)
				v |= s[i + 2];
			char q[4] = { tbl[(v >> 18) & 63], tbl[(v >> 12) & 63],
				      i + 1 < len ? tbl[(v >> 6) & 63] : '=',
				      i + 2 < len ? tbl[v & 63] : '=' };
			jw_put(b, q, 4);
		}
		return;
	}
	/* libsinsp's normal buffer format: printable bytes as is, others as '.' */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		jw_putc(b, (c >= 0x20 && c < 0x7f) ? (char)c : '.');
	}
}

/* an evt.rawarg value, rendered as libsinsp's rawval_to_string does (enum frc_raw_render) */
static void render_dyn(struct jw_buf *b, const struct frc_val *v, bool base64)
{
	char n[32];

	switch (v->family) {
	case FRC_RAW_BYTEBUF:
		/* into a 1023-byte property buffer: at most 1022 bytes, 1021 when cut */
		if (v->s)
			render_bytebuf(b, v->s, v->len <= 1022 ? v->len : 1021, base64);
		return;
	case FRC_RAW_NONE:
		jw_puts(b, "<NA>");
		return;
	case FRC_RAW_UDEC:
		jw_u64(b, v->n.u);
		return;
	case FRC_RAW_HEX:
		snprintf(n, sizeof(n), "%" PRIX64, (uint64_t)v->n.u);
		jw_puts(b, n);
		return;
	case FRC_RAW_OCT:
		snprintf(n, sizeof(n), "%" PRIo64, (uint64_t)v->n.u);
		jw_puts(b, n);
		return;
	case FRC_RAW_PAD9:
		snprintf(n, sizeof(n), "%09" PRId64, (int64_t)v->n.i);
		jw_puts(b, n);
		return;
	default:
		if (v->s)
			jw_put(b, v->s, v->len);
		else
			jw_i64(b, v->n.i);
		return;
	}
}

static void render_scalar(struct jw_buf *b, const struct frc_val *v, enum ft_type t, bool base64)
{
	char ip[INET6_ADDRSTRLEN];

	switch (t) {
	case FT_CHARBUF:
	case FT_FSPATH:
		if (v->s)
			jw_put(b, v->s, v->len);
		break;
	case FT_BYTEBUF:
		if (v->s)
			render_bytebuf(b, v->s, v->len, base64);
		break;
	case FT_INT64:
		jw_i64(b, v->n.i);
		break;
	case FT_UINT64:
	case FT_RELTIME:
	case FT_ABSTIME:
		jw_u64(b, v->n.u);
		break;
	case FT_UINT32:
		jw_u64(b, (uint32_t)v->n.u);
		break;
	case FT_PORT:
		jw_u64(b, (uint16_t)v->n.u);
		break;
	case FT_BOOL:
		jw_puts(b, v->n.u ? "true" : "false");
		break;
	case FT_IPADDR:
	case FT_IPNET:
		if (v->family == 4 && inet_ntop(AF_INET, v->ip, ip, sizeof(ip)))
			jw_puts(b, ip);
		else if (v->family == 6 && inet_ntop(AF_INET6, v->ip, ip, sizeof(ip)))
			jw_puts(b, ip);
		else if (v->s)
			jw_put(b, v->s, v->len);
		break;
	case FT_DYN:
	case FT_NONE:
	case FT__COUNT:
		render_dyn(b, v, base64);
		break;
	}
}

void out_render_value(struct jw_buf *b, const struct frc_val *v, enum ft_type t, uint32_t flags,
		      bool base64)
{
	if (v->multi || v->items) {
		bool list = flags & FF_LIST;
		if (list)
			jw_putc(b, '(');
		for (uint32_t i = 0; i < v->nitems; i++) {
			if (i)
				jw_putc(b, list ? ',' : ' ');
			render_scalar(b, &v->items[i], t, base64);
		}
		if (list)
			jw_putc(b, ')');
		return;
	}
	render_scalar(b, v, t, base64);
}

/* JSON value of a field, libsinsp's tojson(): typed numbers, bools, strings, arrays. */
static void json_scalar(struct jw_buf *b, struct jw_buf *tmp, const struct frc_val *v,
			enum ft_type t, bool base64)
{
	switch (t) {
	case FT_INT64:
		jw_i64(b, v->n.i);
		return;
	case FT_UINT64:
	case FT_RELTIME:
	case FT_ABSTIME:
		jw_u64(b, v->n.u);
		return;
	case FT_UINT32:
		jw_u64(b, (uint32_t)v->n.u);
		return;
	case FT_PORT:
		jw_u64(b, (uint16_t)v->n.u);
		return;
	case FT_BOOL:
		jw_puts(b, v->n.u ? "true" : "false");
		return;
	case FT_DYN:
		if (v->family == FRC_RAW_NONE) {
			jw_puts(b, "null");
			return;
		}
		if (!v->s && (v->family == FRC_RAW_UDEC || v->family == FRC_RAW_HEX ||
			      v->family == FRC_RAW_OCT)) {
			jw_u64(b, v->n.u);
			return;
		}
		if (!v->s) {
			jw_i64(b, v->n.i);
			return;
		}
		break;
	default:
		break;
	}
	jw_reset(tmp);
	render_scalar(tmp, v, t, base64);
	jw_str(b, tmp->p ? tmp->p : "", tmp->len);
}

/* ---------------------------------------------------------------- template rendering */

static const struct frc_val *node_value(const struct out_node *n, const struct out_pool *pool,
					const struct out_event *ev)
{
	if (field_table[n->fid].flags & FF_FILTER_ONLY)
		return NULL;
	return ev->get(ev->ctx, n->slot, &pool->refs[n->slot]);
}

/* Fields libsinsp prints with PF_10_PADDED_DEC (nine digits, zero-padded): as text and,
 * being rendered through rawval_to_string, as JSON strings. */
static bool padded_ns(enum field_id id)
{
	return id == FLD_EVT_RAWTIME_NS || id == FLD_EVT_RELTIME_NS || id == FLD_EVT_LATENCY_NS ||
	       id == FLD_EVT_DELTATIME_NS;
}

/* text of one field into @b; false when absent */
static bool field_text(struct jw_buf *b, const struct out_node *n, const struct out_pool *pool,
		       const struct out_event *ev, bool base64)
{
	char tb[48];

	if (n->fid == FLD_EVT_TIME) {
		out_time_local(ev->ts, tb);
		jw_puts(b, tb);
		return true;
	}
	if (n->fid == FLD_EVT_TIME_ISO8601) {
		out_time_iso8601(ev->ts, tb);
		jw_puts(b, tb);
		return true;
	}
	const struct frc_val *v = node_value(n, pool, ev);
	if (!v)
		return false;
	if (padded_ns(n->fid) && !v->items) {
		jw_printf(b, "%09llu", (unsigned long long)v->n.u);
		return true;
	}
	if (n->fid == FLD_FD_DEV && !v->items) {
		/* libsinsp's fd.dev prints in hex (PF_HEX: upper case, no 0x), as extract_format */
		jw_printf(b, "%" PRIX32, (uint32_t)v->n.i);
		return true;
	}
	out_render_value(b, v, field_table[n->fid].type, field_table[n->fid].flags, base64);
	return true;
}

static const char b64_dec_tbl[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
	['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
	['/'] = 64,
};

/* base64 decode; false when the input is not valid base64 (libsinsp: no value) */
static bool b64_decode(struct jw_buf *out, const char *s, size_t len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i = 0;

	for (; i < len && s[i] != '='; i++) {
		int d = b64_dec_tbl[(unsigned char)s[i]];
		if (!d)
			return false;
		acc = (acc << 6) | (uint32_t)(d - 1);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			jw_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	for (; i < len; i++)
		if (s[i] != '=')
			return false;
	return true;
}

static bool node_text(struct jw_buf *b, const struct out_node *n, const struct out_pool *pool,
		      const struct out_event *ev, bool base64);

/* Evaluates a transformer into @b as text. false = no value. */
static bool xform_text(struct jw_buf *b, const struct out_node *n, const struct out_pool *pool,
		       const struct out_event *ev, bool base64)
{
	struct jw_buf in;
	bool ok = true;

	jw_init(&in);
	switch (n->xf) {
	case XF_TOLOWER:
	case XF_TOUPPER:
		if ((ok = node_text(&in, n->args[0], pool, ev, base64)))
			for (size_t i = 0; i < in.len; i++)
				jw_putc(b, (char)(n->xf == XF_TOLOWER ? tolower((unsigned char)in.p[i])
								      : toupper((unsigned char)in.p[i])));
		break;
	case XF_B64:
		if ((ok = node_text(&in, n->args[0], pool, ev, base64)))
			ok = b64_decode(b, in.p ? in.p : "", in.len);
		break;
	case XF_BASENAME:
		if ((ok = node_text(&in, n->args[0], pool, ev, base64))) {
			const char *s = in.p ? in.p : "";
			const char *slash = strrchr(s, '/');
			jw_puts(b, slash ? slash + 1 : s);
		}
		break;
	case XF_LEN: {
		const struct out_node *a = n->args[0];
		if (a->kind == ON_FIELD && (field_table[a->fid].flags & FF_LIST)) {
			const struct frc_val *v = node_value(a, pool, ev);
			if (!v)
				ok = false;
			else
				jw_u64(b, v->items ? v->nitems : 1);
		} else if ((ok = node_text(&in, a, pool, ev, base64))) {
			jw_u64(b, in.len);
		}
		break;
	}
	case XF_CONCAT:
		for (uint32_t i = 0; i < n->nargs && ok; i++)
			ok = node_text(b, n->args[i], pool, ev, base64);
		break;
	case XF_JOIN: {
		const struct out_node *sep = n->args[0], *l = n->args[1];
		if (l->kind == ON_LIST) {
			for (uint32_t i = 0; i < l->nargs && ok; i++) {
				if (i)
					jw_put(b, sep->text, sep->len);
				ok = node_text(b, l->args[i], pool, ev, base64);
			}
		} else if (l->kind == ON_FIELD) {
			const struct frc_val *v = node_value(l, pool, ev);
			if (!v) {
				ok = false;
				break;
			}
			const struct frc_val *items = v->items ? v->items : v;
			uint32_t ni = v->items ? v->nitems : 1;
			for (uint32_t i = 0; i < ni; i++) {
				if (i)
					jw_put(b, sep->text, sep->len);
				render_scalar(b, &items[i], field_table[l->fid].type, base64);
			}
		} else {
			ok = node_text(b, l, pool, ev, base64);
		}
		break;
	}
	case XF_GETOPT:
	case XF__COUNT:
		ok = false;
		break;
	}
	jw_free(&in);
	return ok;
}

static bool node_text(struct jw_buf *b, const struct out_node *n, const struct out_pool *pool,
		      const struct out_event *ev, bool base64)
{
	switch (n->kind) {
	case ON_LIT:
	case ON_STR:
		jw_put(b, n->text, n->len);
		return true;
	case ON_FIELD:
		return field_text(b, n, pool, ev, base64);
	case ON_XFORM:
		return xform_text(b, n, pool, ev, base64);
	case ON_LIST:
		return false;
	}
	return false;
}

/* Renders @f; returns the number of tokens that had no value (printed as <NA>). */
static uint32_t render_fmt(const struct out_fmt *f, const struct out_pool *pool,
			   const struct out_event *ev, struct jw_buf *b, bool base64)
{
	uint32_t missing = 0;

	for (uint32_t i = 0; i < f->n; i++) {
		const struct out_node *n = f->nodes[i];
		size_t at = b->len;
		if (!node_text(b, n, pool, ev, base64)) {
			missing++;
			b->len = at;
			if (b->p)
				b->p[at] = 0;
			jw_puts(b, "<NA>");
		}
		if (n->width && !b->oom) {
			size_t got = b->len - at;
			if (got > n->width) {
				b->len = at + n->width;
				b->p[b->len] = 0;
			} else {
				while (got++ < n->width)
					jw_putc(b, ' ');
			}
		}
	}
	return missing;
}

bool out_fmt_render_checked(const struct out_fmt *f, const struct out_pool *pool,
			    const struct out_event *ev, struct jw_buf *b)
{
	return render_fmt(f, pool, ev, b, false) == 0;
}

void out_fmt_render(const struct out_fmt *f, const struct out_pool *pool,
		    const struct out_event *ev, struct jw_buf *b)
{
	render_fmt(f, pool, ev, b, false);
}

/* ---------------------------------------------------------------- options */

void out_opts_from_config(struct out_opts *o, const struct frc_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->json_output = cfg->json_output;
	o->json_include_output_property = cfg->json_include_output_property;
	o->json_include_tags_property = cfg->json_include_tags_property;
	o->json_include_message_property = cfg->json_include_message_property;
	o->json_include_output_fields_property = cfg->json_include_output_fields_property;
	o->time_format_iso_8601 = cfg->time_format_iso_8601;
	o->buffer_format_base64 = cfg->buffer_format_base64;
	o->hostname = NULL;
}

/* ---------------------------------------------------------------- rule preparation */

/* The container plugin's "suggested" fields, in its definition order. */
const char *const out_suggested_fields[] = {
	"container.id", "container.name", "container.image.repository", "container.image.tag",
	"k8s.pod.name", "k8s.ns.name", NULL,
};

/* KS_PFX_LOCAL / KS_PFX_ISO: the time prefix field, present only when the writer uses
 * that time format (evt.time / evt.time.iso8601) */
enum out_key_src { KS_FIELD, KS_TIME, KS_TIME_ISO, KS_EXTRA, KS_PFX_LOCAL, KS_PFX_ISO };

struct out_key {
	const char *key;
	enum out_key_src src;
	const struct out_node *field;	/* KS_FIELD */
	uint32_t extra;			/* KS_EXTRA */
};

static bool entry_matches(const struct cfg_append_output *a, const struct frc_rule *rule)
{
	const char *src = rule->source ? rule->source : "syscall";

	if (a->source && *a->source && strcmp(a->source, src))
		return false;
	if (a->rule && *a->rule && strcmp(a->rule, rule->name))
		return false;
	for (uint32_t i = 0; i < a->ntags; i++) {
		bool found = false;
		for (uint32_t j = 0; j < rule->ntags && !found; j++)
			found = !strcmp(a->tags[i], rule->tags[j]);
		if (!found)
			return false;
	}
	return true;
}

char *out_append_text(const struct frc_rule *rule, const struct frc_config *cfg)
{
	struct jw_buf b;

	jw_init(&b);
	jw_puts(&b, "");
	for (uint32_t i = 0; cfg && i < cfg->nappend_output; i++) {
		const struct cfg_append_output *a = &cfg->append_output[i];
		if (!entry_matches(a, rule))
			continue;
		if (a->extra_output && *a->extra_output) {
			jw_putc(&b, ' ');
			jw_puts(&b, a->extra_output);
		}
		if (a->suggested_output) {
			for (const char *const *f = out_suggested_fields; *f; f++) {
				jw_putc(&b, ' ');
				for (const char *p = *f; *p; p++)
					jw_putc(&b, *p == '.' ? '_' : *p);
				jw_putc(&b, '=');
				jw_putc(&b, '%');
				jw_puts(&b, *f);
			}
		}
	}
	if (b.oom) {
		jw_free(&b);
		return NULL;
	}
	return b.p;
}

int out_loader_extras(struct arena *a, const struct frc_config *cfg,
		      const struct loader_extra *last, struct loader_opts *lo)
{
	struct loader_extra *fmts, *flds;
	size_t nf = 0, nx = 0, cap = 2;

	for (uint32_t i = 0; i < cfg->nappend_output; i++)
		cap += 1 + 8 + cfg->append_output[i].nfields;
	fmts = arena_alloc(a, cap * sizeof(*fmts));
	flds = arena_alloc(a, cap * sizeof(*flds));
	if (!fmts || !flds)
		return -1;
	for (uint32_t i = 0; i < cfg->nappend_output; i++) {
		const struct cfg_append_output *ao = &cfg->append_output[i];
		struct loader_extra base = {
			.source = ao->source, .tags = (const char *const *)ao->tags,
			.ntags = ao->ntags, .rule = ao->rule,
		};

		if (ao->extra_output && *ao->extra_output) {
			fmts[nf] = base;
			fmts[nf++].format = ao->extra_output;
		}
		if (ao->suggested_output) {
			for (const char *const *f = out_suggested_fields; *f; f++) {
				char buf[128];
				size_t k = 0;

				for (const char *p = *f; *p && k < 60; p++)
					buf[k++] = *p == '.' ? '_' : *p;
				snprintf(buf + k, sizeof(buf) - k, "=%%%s", *f);
				fmts[nf] = base;
				fmts[nf].format = arena_strdup(a, buf);
				if (!fmts[nf++].format)
					return -1;
			}
		}
		for (uint32_t k = 0; k < ao->nfields; k++) {
			flds[nx] = base;
			flds[nx].key = ao->field_keys[k];
			flds[nx].format = ao->field_formats[k];
			flds[nx++].raw = ao->field_raw[k];
		}
	}
	if (last)
		fmts[nf++] = *last;
	lo->extra_formats = fmts;
	lo->nextra_formats = nf;
	lo->extra_fields = flds;
	lo->nextra_fields = nx;
	return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct out_key *)a)->key, ((const struct out_key *)b)->key);
}

/* Sets (or overrides) the source of @key in the plan. */
static int plan_set(struct out_rule *r, uint32_t *cap, const char *key, enum out_key_src src,
		    const struct out_node *field, uint32_t extra)
{
	for (uint32_t i = 0; i < r->nkeys; i++) {
		if (!strcmp(r->keys[i].key, key)) {
			r->keys[i].src = src;
			r->keys[i].field = field;
			r->keys[i].extra = extra;
			return 0;
		}
	}
	if (r->nkeys == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 16;
		struct out_key *nk = realloc(r->keys, nc * sizeof(*nk));
		if (!nk)
			return -1;
		r->keys = nk;
		*cap = nc;
	}
	r->keys[r->nkeys++] = (struct out_key){ key, src, field, extra };
	return 0;
}

/* Adds one extra output field (JSON only) to the plan; frees @r on failure. */
static int add_extra(struct out_rule *r, struct out_pool *pool, uint32_t *kcap, const char *key,
		     const char *format, bool raw, char *err, size_t errlen)
{
	char perr[512];
	struct out_fmt **nf = realloc(r->extra_fmts, (r->nextra + 1) * sizeof(*nf));
	bool *nr;

	if (nf)
		r->extra_fmts = nf;
	nr = realloc(r->extra_raw, (r->nextra + 1) * sizeof(*nr));
	if (nr)
		r->extra_raw = nr;
	if (!nf || !nr) {
		snprintf(err, errlen, "out of memory");
		out_rule_free(r);
		return -1;
	}
	/* a raw field is written as the bare field name; its format is "%name" */
	char fbuf[1024];
	const char *fmt = format;
	if (raw && format[0] != '%' && format[0] != '*') {
		snprintf(fbuf, sizeof(fbuf), "%%%s", format);
		fmt = fbuf;
	}
	struct out_fmt *ef = out_fmt_parse(pool, fmt, perr, sizeof(perr));
	if (!ef) {
		snprintf(err, errlen, "extra output field '%s': invalid format '%s': %s", key, fmt,
			 perr);
		out_rule_free(r);
		return -1;
	}
	r->extra_fmts[r->nextra] = ef;
	r->extra_raw[r->nextra] = raw;
	if (plan_set(r, kcap, key, KS_EXTRA, NULL, r->nextra)) {
		snprintf(err, errlen, "out of memory");
		out_rule_free(r);
		return -1;
	}
	r->nextra++;
	return 0;
}

int out_rule_prepare(struct out_rule *r, struct out_pool *pool, const struct frc_rule *rule,
		     const struct frc_config *cfg, bool apply_extra_output, char *err,
		     size_t errlen)
{
	char perr[512];
	char *text = NULL;
	uint32_t kcap = 0;

	memset(r, 0, sizeof(*r));
	r->name = rule->name;
	r->source = rule->source ? rule->source : "syscall";
	r->priority = rule->priority;
	if (apply_extra_output) {
		char *extra = out_append_text(rule, cfg);
		if (!extra)
			goto oom;
		size_t ol = strlen(rule->output ? rule->output : ""), el = strlen(extra);
		text = malloc(ol + el + 1);
		if (!text) {
			free(extra);
			goto oom;
		}
		memcpy(text, rule->output ? rule->output : "", ol);
		memcpy(text + ol, extra, el + 1);
		free(extra);
	} else {
		text = strdup(rule->output ? rule->output : "");
		if (!text)
			goto oom;
	}
	r->owned = text;
	r->output = text;

	/* tags: a sorted set */
	r->tags = calloc(rule->ntags ? rule->ntags : 1, sizeof(*r->tags));
	if (!r->tags)
		goto oom;
	for (uint32_t i = 0; i < rule->ntags; i++)
		r->tags[i] = rule->tags[i];
	qsort(r->tags, rule->ntags, sizeof(*r->tags), cmp_cstr);
	for (uint32_t i = 0; i < rule->ntags; i++)
		if (!r->ntags || strcmp(r->tags[r->ntags - 1], r->tags[i]))
			r->tags[r->ntags++] = r->tags[i];

	r->msg = out_fmt_parse(pool, text[0] ? text : "*", perr, sizeof(perr));
	if (!r->msg) {
		snprintf(err, errlen, "rule '%s': invalid output format '%s': %s", rule->name, text,
			 perr);
		out_rule_free(r);
		return -1;
	}

	/* extra fields: those the loader attached to the rule, or (apply_extra_output) those
	 * of the matching append_output entries, in configuration order */
	if (!apply_extra_output) {
		for (uint32_t k = 0; k < rule->nextra_fields; k++) {
			const struct frc_extra_field *xf = &rule->extra_fields[k];
			if (add_extra(r, pool, &kcap, xf->key, xf->format, xf->raw, err, errlen))
				return -1;
		}
	}
	for (uint32_t i = 0; apply_extra_output && cfg && i < cfg->nappend_output; i++) {
		const struct cfg_append_output *a = &cfg->append_output[i];
		if (!entry_matches(a, rule))
			continue;
		for (uint32_t k = 0; k < a->nfields; k++)
			if (add_extra(r, pool, &kcap, a->field_keys[k], a->field_formats[k],
				      a->field_raw[k], err, errlen))
				return -1;
	}
	/* the plan in Falco's assignment order: message fields, the time prefix, extra fields
	 * (already recorded; they must win, so re-apply them after) */
	{
		struct out_key *extras = r->keys;
		uint32_t nextras = r->nkeys;
		r->keys = NULL;
		r->nkeys = 0;
		kcap = 0;
		for (uint32_t i = 0; i < r->msg->nfields; i++) {
			const struct out_node *fn = r->msg->fields[i];
			enum out_key_src s = fn->fid == FLD_EVT_TIME ? KS_TIME :
					     fn->fid == FLD_EVT_TIME_ISO8601 ? KS_TIME_ISO : KS_FIELD;
			if (plan_set(r, &kcap, fn->text, s, fn, 0)) {
				free(extras);
				goto oom;
			}
		}
		/* the prefix's time field: keep a key the message already has (same value) */
		bool have_t = false, have_iso = false;
		for (uint32_t i = 0; i < r->nkeys; i++) {
			have_t |= !strcmp(r->keys[i].key, "evt.time");
			have_iso |= !strcmp(r->keys[i].key, "evt.time.iso8601");
		}
		if ((!have_t && plan_set(r, &kcap, "evt.time", KS_PFX_LOCAL, NULL, 0)) ||
		    (!have_iso && plan_set(r, &kcap, "evt.time.iso8601", KS_PFX_ISO, NULL, 0))) {
			free(extras);
			goto oom;
		}
		for (uint32_t i = 0; i < nextras; i++) {
			if (plan_set(r, &kcap, extras[i].key, KS_EXTRA, NULL, extras[i].extra)) {
				free(extras);
				goto oom;
			}
		}
		free(extras);
	}
	if (r->nkeys)	/* no keys: r->keys is NULL, and qsort(NULL, 0) is undefined */
		qsort(r->keys, r->nkeys, sizeof(*r->keys), cmp_key);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	out_rule_free(r);
	return -1;
}

void out_rule_free(struct out_rule *r)
{
	/* templates belong to the pool */
	free(r->owned);
	free(r->tags);
	free(r->keys);
	free(r->extra_fmts);
	free(r->extra_raw);
	memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------- alerts */

void out_writer_init(struct out_writer *w, const struct out_opts *o)
{
	char hn[256];
	const char *env = getenv("FALCO_HOSTNAME");

	memset(w, 0, sizeof(*w));
	w->opts = *o;
	if (o->hostname) {
		w->hostname = strdup(o->hostname);
	} else if (env && *env) {
		w->hostname = strdup(env);
	} else {
		if (gethostname(hn, sizeof(hn)) != 0)
			hn[0] = 0;
		hn[sizeof(hn) - 1] = 0;
		w->hostname = strdup(hn);
	}
	w->opts.hostname = w->hostname;
	jw_init(&w->line);
	jw_init(&w->msg);
	jw_init(&w->tmp);
	jw_init(&w->val);
}

void out_writer_free(struct out_writer *w)
{
	free(w->hostname);
	jw_free(&w->line);
	jw_free(&w->msg);
	jw_free(&w->tmp);
	jw_free(&w->val);
	memset(w, 0, sizeof(*w));
}

/* JSON value of one output_fields key */
static void key_json(struct out_writer *w, const struct out_rule *r, const struct out_key *k,
		     const struct out_pool *pool, const struct out_event *ev)
{
	struct jw_buf *b = &w->line;
	bool b64 = w->opts.buffer_format_base64;

	switch (k->src) {
	case KS_TIME:
	case KS_TIME_ISO:
	case KS_PFX_LOCAL:
	case KS_PFX_ISO:
		jw_u64(b, ev->ts);
		return;
	case KS_FIELD: {
		const struct out_node *n = k->field;
		const struct frc_val *v = node_value(n, pool, ev);
		const struct field_info *fi = &field_table[n->fid];
		if (!v) {
			jw_puts(b, "null");
			return;
		}
		if (fi->flags & FF_LIST) {
			const struct frc_val *items = v->items ? v->items : v;
			uint32_t ni = v->items ? v->nitems : 1;
			jw_putc(b, '[');
			for (uint32_t i = 0; i < ni; i++) {
				if (i)
					jw_putc(b, ',');
				json_scalar(b, &w->tmp, &items[i], fi->type, b64);
			}
			jw_putc(b, ']');
			return;
		}
		if (padded_ns(n->fid) && !v->items) {
			jw_printf(b, "\"%09llu\"", (unsigned long long)v->n.u);
			return;
		}
		if (v->items || v->multi) {
			jw_reset(&w->val);
			out_render_value(&w->val, v, fi->type, fi->flags, b64);
			jw_str(b, w->val.p ? w->val.p : "", w->val.len);
			return;
		}
		json_scalar(b, &w->tmp, v, fi->type, b64);
		return;
	}
	case KS_EXTRA: {
		const struct out_fmt *f = r->extra_fmts[k->extra];
		if (r->extra_raw[k->extra] && f->n == 1 && f->nodes[0]->kind == ON_FIELD) {
			struct out_key fk = { k->key, KS_FIELD, f->nodes[0], 0 };
			if (f->nodes[0]->fid == FLD_EVT_TIME || f->nodes[0]->fid == FLD_EVT_TIME_ISO8601)
				fk.src = KS_TIME;
			key_json(w, r, &fk, pool, ev);
			return;
		}
		jw_reset(&w->val);
		render_fmt(f, pool, ev, &w->val, b64);
		jw_str(b, w->val.p ? w->val.p : "", w->val.len);
		return;
	}
	}
}

const char *out_format_alert(struct out_writer *w, const struct out_rule *r,
			     const struct out_pool *pool, const struct out_event *ev, size_t *len)
{
	const struct out_opts *o = &w->opts;
	const char *prio = config_priority_name(r->priority);
	char tb[48];

	/* the text output: "<time>: <Priority> <message>" */
	jw_reset(&w->msg);
	if (o->time_format_iso_8601)
		out_time_iso8601(ev->ts, tb);
	else
		out_time_local(ev->ts, tb);
	jw_puts(&w->msg, tb);
	jw_puts(&w->msg, ": ");
	jw_puts(&w->msg, prio);
	jw_putc(&w->msg, ' ');
	size_t msg_at = w->msg.len;
	render_fmt(r->msg, pool, ev, &w->msg, o->buffer_format_base64);

	jw_reset(&w->line);
	if (!o->json_output) {
		jw_escape(&w->line, w->msg.p, w->msg.len);
	} else {
		jw_putc(&w->line, '{');
		if (w->generation) {	/* keys stay sorted: it comes before "hostname" */
			char gb[32];
			snprintf(gb, sizeof(gb), "%" PRIu64, w->generation);
			jw_puts(&w->line, "\"frc_ruleset_generation\":");
			jw_puts(&w->line, gb);
			jw_putc(&w->line, ',');
		}
		jw_puts(&w->line, "\"hostname\":");
		jw_cstr(&w->line, w->hostname);
		if (o->json_include_message_property) {
			jw_puts(&w->line, ",\"message\":");
			jw_str(&w->line, w->msg.p + msg_at, w->msg.len - msg_at);
		}
		if (o->json_include_output_property) {
			jw_puts(&w->line, ",\"output\":");
			jw_str(&w->line, w->msg.p, w->msg.len);
		}
		if (o->json_include_output_fields_property) {
			jw_puts(&w->line, ",\"output_fields\":{");
			bool first = true;
			for (uint32_t i = 0; i < r->nkeys; i++) {
				enum out_key_src ks = r->keys[i].src;
				if ((ks == KS_PFX_LOCAL && o->time_format_iso_8601) ||
				    (ks == KS_PFX_ISO && !o->time_format_iso_8601))
					continue;
				if (!first)
					jw_putc(&w->line, ',');
				first = false;
				jw_cstr(&w->line, r->keys[i].key);
				jw_putc(&w->line, ':');
				key_json(w, r, &r->keys[i], pool, ev);
			}
			jw_putc(&w->line, '}');
		}
		jw_puts(&w->line, ",\"priority\":");
		jw_cstr(&w->line, prio);
		jw_puts(&w->line, ",\"rule\":");
		jw_cstr(&w->line, r->name);
		jw_puts(&w->line, ",\"source\":");
		jw_cstr(&w->line, r->source);
		if (o->json_include_tags_property) {
			jw_puts(&w->line, ",\"tags\":[");
			for (uint32_t i = 0; i < r->ntags; i++) {
				if (i)
					jw_putc(&w->line, ',');
				jw_cstr(&w->line, r->tags[i]);
			}
			jw_putc(&w->line, ']');
		}
		out_time_json(ev->ts, tb);
		jw_puts(&w->line, ",\"time\":");
		jw_cstr(&w->line, tb);
		jw_putc(&w->line, '}');
	}
	if (w->line.oom || w->msg.oom || !w->line.p)
		return NULL;
	*len = w->line.len;
	return w->line.p;
}

const char *out_format_internal(struct out_writer *w, uint64_t ts, enum frc_priority prio,
				const char *rule, const char *msg, const char *const *keys,
				const char *const *values, uint32_t nfields, size_t *len)
{
	uint32_t order[64];
	char tb[48];

	if (nfields > 64)
		nfields = 64;
	for (uint32_t i = 0; i < nfields; i++)
		order[i] = i;
	/* keys sorted like a JSON object's */
	for (uint32_t i = 1; i < nfields; i++)
		for (uint32_t j = i; j > 0 && strcmp(keys[order[j - 1]], keys[order[j]]) > 0; j--) {
			uint32_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	jw_reset(&w->line);
	if (!w->opts.json_output) {
		out_time_local(ts, tb);
		jw_puts(&w->line, tb);
		jw_puts(&w->line, ": ");
		jw_puts(&w->line, config_priority_name(prio));
		jw_putc(&w->line, ' ');
		jw_puts(&w->line, msg);
		jw_puts(&w->line, " (");
		for (uint32_t i = 0; i < nfields; i++) {
			if (i)
				jw_putc(&w->line, ' ');
			jw_puts(&w->line, keys[order[i]]);
			jw_putc(&w->line, '=');
			jw_cstr(&w->line, values[order[i]]);
		}
		jw_putc(&w->line, ')');
	} else {
		jw_puts(&w->line, "{\"hostname\":");
		jw_cstr(&w->line, w->hostname);
		jw_puts(&w->line, ",\"output\":");
		jw_cstr(&w->line, msg);
		jw_puts(&w->line, ",\"output_fields\":{");
		for (uint32_t i = 0; i < nfields; i++) {
			if (i)
				jw_putc(&w->line, ',');
			jw_cstr(&w->line, keys[order[i]]);
			jw_putc(&w->line, ':');
			jw_cstr(&w->line, values[order[i]]);
		}
		jw_puts(&w->line, "},\"priority\":");
		jw_cstr(&w->line, config_priority_name(prio));
		jw_puts(&w->line, ",\"rule\":");
		jw_cstr(&w->line, rule);
		jw_puts(&w->line, ",\"source\":\"internal\",\"time\":");
		out_time_json(ts, tb);
		jw_cstr(&w->line, tb);
		jw_putc(&w->line, '}');
	}
	if (w->line.oom || !w->line.p)
		return NULL;
	*len = w->line.len;
	return w->line.p;
}
