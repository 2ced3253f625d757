/* SPDX-License-Identifier: Apache-2.0
 *
 * libyaml events → struct ynode tree with marks (see load_yaml.h). The composer keeps an
 * explicit stack of open collections (bounded by the depth limit), resolves aliases to
 * shared nodes and charges their weight against the node budget, so alias bombs fail fast.
 */
#include "load_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"

#define DEF_MAX_DEPTH 64
#define DEF_MAX_NODES 2000000u
#define DEF_MAX_SCALAR (1u << 20)

/* ---------------------------------------------------------------- positions */

/*
 * libyaml marks count characters, not bytes: a cursor walks from the last converted mark
 * (marks arrive nearly in order, so the total walk is linear in the file size); pure
 * ASCII files need no walk at all.
 */
struct offmap {
	const char *t;
	size_t len;
	bool ascii;
	size_t idx, off;	/* cursor: character index → byte offset */
};

static void offmap_init(struct offmap *m, const char *t, size_t len)
{
	m->t = t;
	m->len = len;
	m->ascii = true;
	for (size_t i = 0; i < len && m->ascii; i++)
		m->ascii = !((unsigned char)t[i] & 0x80);
	m->idx = m->off = 0;
}

static size_t mark_to_offset(struct offmap *m, const yaml_mark_t *mk)
{
	size_t target = mk->index;
	if (m->ascii)
		return target < m->len ? target : m->len;
	while (m->idx < target && m->off < m->len) {
		m->off++;
		while (m->off < m->len && ((unsigned char)m->t[m->off] & 0xc0) == 0x80)
			m->off++;
		m->idx++;
	}
	while (m->idx > target && m->off > 0) {
		m->off--;
		while (m->off > 0 && ((unsigned char)m->t[m->off] & 0xc0) == 0x80)
			m->off--;
		m->idx--;
	}
	return m->off;
}

/* ---------------------------------------------------------------- composer */

struct open_coll {
	struct ynode *node;
	struct ynode **buf;
	size_t n, cap;
	char *anchor;	/* malloc'd, registered when the collection closes */
};

struct anchor_ent {
	char *name;
	struct ynode *node;
};

struct composer {
	struct arena *a;
	const char *text;
	size_t len;
	struct offmap om;
	struct open_coll *stack;
	size_t depth, max_depth;
	uint64_t nodes, max_nodes;
	uint32_t max_scalar;
	struct anchor_ent *anchors;	/* open addressing, power-of-two size */
	size_t nanchors, anchor_cap;
	struct ynode **docs;
	size_t ndocs, docs_cap;
	struct ynode *doc_root;
	bool in_doc;
	char errbuf[256];
	yaml_mark_t errmark;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void anchors_clear(struct composer *c)
{
	for (size_t i = 0; i < c->anchor_cap; i++)
		free(c->anchors[i].name);
	free(c->anchors);
	c->anchors = NULL;
	c->anchor_cap = c->nanchors = 0;
}

static int anchor_put(struct composer *c, const char *name, struct ynode *n)
{
	if ((c->nanchors + 1) * 2 > c->anchor_cap) {
		size_t ncap = c->anchor_cap ? c->anchor_cap * 2 : 64;
		struct anchor_ent *na = calloc(ncap, sizeof(*na));
		if (!na)
			return -1;
		for (size_t i = 0; i < c->anchor_cap; i++) {
			if (!c->anchors[i].name)
				continue;
			size_t j = hash_str(c->anchors[i].name) & (ncap - 1);
			while (na[j].name)
				j = (j + 1) & (ncap - 1);
			na[j] = c->anchors[i];
		}
		free(c->anchors);
		c->anchors = na;
		c->anchor_cap = ncap;
	}
	size_t j = hash_str(name) & (c->anchor_cap - 1);
	while (c->anchors[j].name && strcmp(c->anchors[j].name, name))
		j = (j + 1) & (c->anchor_cap - 1);
	if (c->anchors[j].name) {	/* redefinition: the latest wins */
		c->anchors[j].node = n;
		return 0;
	}
	c->anchors[j].name = strdup(name);
	if (!c->anchors[j].name)
		return -1;
	c->anchors[j].node = n;
	c->nanchors++;
	return 0;
}

static struct ynode *anchor_get(struct composer *c, const char *name)
{
	if (!c->anchor_cap)
		return NULL;
	size_t j = hash_str(name) & (c->anchor_cap - 1);
	while (c->anchors[j].name) {
		if (!strcmp(c->anchors[j].name, name))
			return c->anchors[j].node;
		j = (j + 1) & (c->anchor_cap - 1);
	}
	return NULL;
}

/* a YAML syntax error, in yaml-cpp's words (what Falco reports) */
static int fail(struct composer *c, const yaml_mark_t *mk, const char *problem)
{
	snprintf(c->errbuf, sizeof(c->errbuf), "yaml-cpp: error at line %zu, column %zu: %s",
		 mk->line + 1, mk->column + 1, problem);
	c->errmark = *mk;
	return -1;
}

/* one of frc's own limits (or out of memory) */
static int fail_limit(struct composer *c, const yaml_mark_t *mk, const char *problem)
{
	snprintf(c->errbuf, sizeof(c->errbuf), "%s (at line %zu, column %zu)", problem,
		 mk->line + 1, mk->column + 1);
	c->errmark = *mk;
	return -1;
}

static void set_mark(struct composer *c, struct ynode *n, const yaml_mark_t *start,
		     const yaml_mark_t *end)
{
	n->line = (uint32_t)start->line;
	n->col = (uint32_t)start->column;
	n->offset = (uint32_t)mark_to_offset(&c->om, start);
	n->end = (uint32_t)mark_to_offset(&c->om, end);
}

/* Attach a finished node to its parent (or make it the document root). */
static int attach(struct composer *c, struct ynode *n, const yaml_mark_t *mk)
{
	if (!c->depth) {
		c->doc_root = n;
		return 0;
	}
	struct open_coll *o = &c->stack[c->depth - 1];
	if (o->n == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 8;
		struct ynode **p = realloc(o->buf, ncap * sizeof(*p));
		if (!p)
			return fail_limit(c, mk, "out of memory");
		o->buf = p;
		o->cap = ncap;
	}
	o->buf[o->n++] = n;
	o->node->weight += n->weight;
	return 0;
}

static int charge(struct composer *c, uint64_t w, const yaml_mark_t *mk)
{
	c->nodes += w;
	if (c->nodes > c->max_nodes)
		return fail_limit(c, mk, "too many YAML nodes, aliases included (limit reached)");
	return 0;
}

static bool is_null_text(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int on_scalar(struct composer *c, yaml_event_t *ev)
{
	yaml_mark_t *mk = &ev->start_mark;
	size_t len = ev->data.scalar.length;
	if (len > c->max_scalar)
		return fail_limit(c, mk, "YAML scalar longer than the limit");
	if (charge(c, 1, mk))
		return -1;
	struct ynode *n = arena_alloc(c->a, sizeof(*n));
	char *s = n ? arena_strndup(c->a, (const char *)ev->data.scalar.value, len) : NULL;
	if (!s)
		return fail_limit(c, mk, "out of memory");
	set_mark(c, n, &ev->start_mark, &ev->end_mark);
	n->str = s;
	n->len = (uint32_t)len;
	n->weight = 1;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = YS_SINGLE; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = YS_DOUBLE; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = YS_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = YS_FOLDED; break;
	default: n->style = YS_PLAIN; break;
	}
	n->kind = YN_SCALAR;
	if (n->style == YS_PLAIN && !ev->data.scalar.tag && is_null_text(s, len))
		n->kind = YN_NULL;
	if (ev->data.scalar.anchor && anchor_put(c, (const char *)ev->data.scalar.anchor, n))
		return fail_limit(c, mk, "out of memory");
	return attach(c, n, mk);
}

static int on_open(struct composer *c, yaml_event_t *ev, enum ynode_kind kind)
{
	yaml_mark_t *mk = &ev->start_mark;
	if (c->depth >= c->max_depth)
		return fail_limit(c, mk, "YAML nesting deeper than the limit");
	if (charge(c, 1, mk))
		return -1;
	struct ynode *n = arena_alloc(c->a, sizeof(*n));
	if (!n)
		return fail_limit(c, mk, "out of memory");
	set_mark(c, n, &ev->start_mark, &ev->end_mark);
	n->kind = kind;
	n->style = YS_NONE;
	n->weight = 1;
	const yaml_char_t *anchor = kind == YN_SEQ ? ev->data.sequence_start.anchor
						   : ev->data.mapping_start.anchor;
	struct open_coll *o = &c->stack[c->depth++];
	memset(o, 0, sizeof(*o));
	o->node = n;
	if (anchor) {
		o->anchor = strdup((const char *)anchor);
		if (!o->anchor)
			return fail_limit(c, mk, "out of memory");
	}
	return 0;
}

static int on_close(struct composer *c, yaml_event_t *ev)
{
	yaml_mark_t *mk = &ev->end_mark;
	struct open_coll *o = &c->stack[--c->depth];
	struct ynode *n = o->node;
	int rc = 0;
	n->end = (uint32_t)mark_to_offset(&c->om, mk);
	if (n->kind == YN_MAP && (o->n & 1))	/* cannot happen with libyaml */
		o->n--;
	if (o->n) {
		n->items = arena_alloc(c->a, o->n * sizeof(*n->items));
		if (!n->items)
			rc = fail(c, mk, "out of memory");
		else
			memcpy(n->items, o->buf, o->n * sizeof(*n->items));
	}
	n->n = (uint32_t)(n->kind == YN_MAP ? o->n / 2 : o->n);
	if (!rc && o->anchor && anchor_put(c, o->anchor, n))
		rc = fail(c, mk, "out of memory");
	free(o->buf);
	free(o->anchor);
	o->buf = NULL;
	o->anchor = NULL;
	if (rc)
		return rc;
	return attach(c, n, mk);
}

static int on_alias(struct composer *c, yaml_event_t *ev)
{
	yaml_mark_t *mk = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	struct ynode *n = anchor_get(c, name);
	if (!n) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the referenced anchor is not defined: %.100s", name);
		return fail(c, mk, msg);
	}
	if (charge(c, n->weight, mk))
		return -1;
	return attach(c, n, mk);
}

static int push_doc(struct composer *c, const yaml_mark_t *mk)
{
	if (c->ndocs == c->docs_cap) {
		size_t ncap = c->docs_cap ? c->docs_cap * 2 : 4;
		struct ynode **p = realloc(c->docs, ncap * sizeof(*p));
		if (!p)
			return fail_limit(c, mk, "out of memory");
		c->docs = p;
		c->docs_cap = ncap;
	}
	c->docs[c->ndocs++] = c->doc_root;
	return 0;
}

/* libyaml's problem text → yaml-cpp's (ErrorMsg) wording where there is an equivalent. */
static const char *map_problem(const char *p)
{
	static const struct {
		const char *libyaml, *yamlcpp;
	} tab[] = {
		{ "mapping values are not allowed in this context", "illegal map value" },
		{ "did not find expected key", "end of map not found" },
		{ "did not find expected '-' indicator", "end of sequence not found" },
		{ "did not find expected ',' or ']'", "end of sequence flow not found" },
		{ "did not find expected ',' or '}'", "end of map flow not found" },
		{ "found character that cannot start any token", "unknown token" },
		{ "block sequence entries are not allowed in this context", "illegal block entry" },
		{ "found a tab character that violates indentation",
		  "illegal tab when looking for indentation" },
		{ "found unknown escape character", "unknown escape character" },
		{ "found unexpected end of stream", "illegal EOF in scalar" },
		{ "could not find expected ':'", "end of map not found" },
	};
	if (!p)
		return "unknown YAML parsing error";
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(p, tab[i].libyaml))
			return tab[i].yamlcpp;
	return p;
}

/* libyaml gives the byte offset (not the mark) of an encoding error: its line and column */
static yaml_mark_t reader_mark(const struct composer *c, size_t off)
{
	yaml_mark_t mk = { 0 };

	if (off > c->len)
		off = c->len;
	for (size_t i = 0; i < off; i++) {
		unsigned char b = (unsigned char)c->text[i];
		if ((b & 0xc0) == 0x80)
			continue;	/* a UTF-8 continuation byte: same character */
		mk.index++;
		if (b == '\n') {
			mk.line++;
			mk.column = 0;
		} else {
			mk.column++;
		}
	}
	return mk;
}

static int run_events(struct composer *c, yaml_parser_t *p)
{
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(p, &ev)) {
			yaml_mark_t mk = p->problem_mark;
			if (p->error == YAML_READER_ERROR)
				mk = reader_mark(c, p->problem_offset);
			return fail(c, &mk, map_problem(p->problem));
		}
		int rc = 0;
		bool done = false;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			c->doc_root = NULL;
			c->in_doc = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			rc = push_doc(c, &ev.end_mark);
			c->in_doc = false;
			anchors_clear(c);	/* anchors are per document */
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(c, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_open(c, &ev, YN_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_open(c, &ev, YN_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_close(c, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(c, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			return rc;
		if (done)
			return 0;
	}
}

int yaml_load(struct arena *a, const char *name, const char *text, size_t len,
	      const struct yaml_limits *lim, struct yfile *out, struct yaml_error *err)
{
	struct composer c;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.text = text;
	c.len = len;
	c.max_depth = lim && lim->max_depth ? lim->max_depth : DEF_MAX_DEPTH;
	c.max_nodes = lim && lim->max_nodes ? lim->max_nodes : DEF_MAX_NODES;
	c.max_scalar = lim && lim->max_scalar ? lim->max_scalar : DEF_MAX_SCALAR;
	memset(out, 0, sizeof(*out));
	out->name = name;
	out->text = text;
	out->len = len;

	int rc = -1;
	yaml_parser_t p;
	bool parser_ok = false;
	c.stack = calloc(c.max_depth, sizeof(*c.stack));
	offmap_init(&c.om, text, len);
	if (!c.stack) {
		snprintf(c.errbuf, sizeof(c.errbuf), "out of memory");
		goto out;
	}
	if (!yaml_parser_initialize(&p)) {
		snprintf(c.errbuf, sizeof(c.errbuf), "out of memory");
		goto out;
	}
	parser_ok = true;
	out->ascii = c.om.ascii;
	/* line starts, for positions of diagnostics */
	uint32_t nl = 1;
	for (const char *q = memchr(text, '\n', len); q; q = memchr(q + 1, '\n', len - (size_t)(q + 1 - text)))
		nl++;
	uint32_t *lines = arena_alloc(a, nl * sizeof(*lines));
	if (!lines) {
		snprintf(c.errbuf, sizeof(c.errbuf), "out of memory");
		goto out;
	}
	lines[0] = 0;
	nl = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			lines[nl++] = (uint32_t)(i + 1);
	out->lines = lines;
	out->nlines = nl;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	rc = run_events(&c, &p);
	if (!rc && c.ndocs) {
		out->docs = arena_alloc(a, c.ndocs * sizeof(*out->docs));
		if (!out->docs) {
			snprintf(c.errbuf, sizeof(c.errbuf), "out of memory");
			rc = -1;
		} else {
			memcpy(out->docs, c.docs, c.ndocs * sizeof(*out->docs));
			out->ndocs = (uint32_t)c.ndocs;
		}
	}
out:
	if (rc) {
		err->msg = arena_strdup(a, c.errbuf);
		if (!err->msg)
			err->msg = "out of memory";
		err->line = (uint32_t)c.errmark.line;
		err->col = (uint32_t)c.errmark.column;
		err->offset = (uint32_t)mark_to_offset(&c.om, &c.errmark);
	}
	if (parser_ok)
		yaml_parser_delete(&p);
	while (c.stack && c.depth) {
		c.depth--;
		free(c.stack[c.depth].buf);
		free(c.stack[c.depth].anchor);
	}
	free(c.stack);
	free(c.docs);
	anchors_clear(&c);
	return rc;
}

void yfile_linecol(const struct yfile *f, size_t off, uint32_t *line, uint32_t *col,
		   size_t *line_start)
{
	if (off > f->len)
		off = f->len;
	uint32_t lo = 0, hi = f->nlines;
	if (!f->lines || !hi) {
		*line = *col = 0;
		*line_start = 0;
		return;
	}
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (f->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	size_t ls = f->lines[lo];
	*line = lo;
	*line_start = ls;
	if (f->ascii) {
		*col = (uint32_t)(off - ls);
		return;
	}
	uint32_t c = 0;
	for (size_t i = ls; i < off; i++)
		c += ((unsigned char)f->text[i] & 0xc0) != 0x80;
	*col = c;
}

/* ---------------------------------------------------------------- access helpers */

const struct ynode *ynode_get_key(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	size_t kl = strlen(key);
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if ((k->kind == YN_SCALAR || k->kind == YN_NULL) && k->len == kl &&
		    !memcmp(k->str, key, kl))
			return k;
	}
	return NULL;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	size_t kl = strlen(key);
	for (uint32_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		if ((k->kind == YN_SCALAR || k->kind == YN_NULL) && k->len == kl &&
		    !memcmp(k->str, key, kl))
			return map->items[2 * i + 1];
	}
	return NULL;
}

/* lower, UPPER or Capitalised spelling of @word (lower case) */
static bool flex_eq(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);
	if (n != wl)
		return false;
	bool lower = true, upper = true, cap = true;
	for (size_t i = 0; i < n; i++) {
		char w = word[i], W = (char)(w - 'a' + 'A');
		if (s[i] != w)
			lower = false;
		if (s[i] != W)
			upper = false;
		if (s[i] != (i == 0 ? W : w))
			cap = false;
	}
	return lower || upper || cap;
}

bool ynode_bool(const struct ynode *n, bool *out)
{
	static const char *const t[] = { "y", "yes", "true", "on" };
	static const char *const f[] = { "n", "no", "false", "off" };
	if (!n || n->kind != YN_SCALAR)
		return false;
	for (size_t i = 0; i < 4; i++) {
		if (flex_eq(n->str, n->len, t[i])) {
			*out = true;
			return true;
		}
		if (flex_eq(n->str, n->len, f[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool ynode_u32(const struct ynode *n, uint32_t *out)
{
	if (!n || n->kind != YN_SCALAR || !n->len)
		return false;
	const char *s = n->str;
	/* no leading blank (noskipws), no sign, then a C++-stream number with base prefix */
	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '-')
		return false;
	if (s[0] == '+')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || v > UINT32_MAX)
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r' || *end == '\f' ||
	       *end == '\v')
		end++;
	if (end != n->str + n->len)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* ---------------------------------------------------------------- schema (weak types) */

static bool scalar_is(const struct ynode *n, const char *s)
{
	return n && n->kind == YN_SCALAR && strlen(s) == n->len && !memcmp(n->str, s, n->len);
}

static bool maybe_array(const struct ynode *n)
{
	return n->kind == YN_SEQ || (n->kind == YN_MAP && n->n == 0);
}

static bool maybe_object(const struct ynode *n)
{
	return n->kind == YN_MAP || (n->kind == YN_SEQ && n->n == 0);
}

static bool maybe_bool(const struct ynode *n)
{
	return scalar_is(n, "true") || scalar_is(n, "false");
}

static bool maybe_integer(const struct ynode *n)
{
	if (n->kind != YN_SCALAR)
		return false;
	const char *s = n->str;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
		s++;
	if (*s == '+' || *s == '-')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	char *end;
	(void)strtoll(n->str, &end, 10);
	return !errno && end == n->str + n->len;
}

static const char *key_text(const struct ynode *k)
{
	return k->kind == YN_SCALAR || k->kind == YN_NULL ? k->str : "";
}

static bool in_set(const char *k, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(k, *set))
			return true;
	return false;
}

static bool schema_fail(struct arena *a, const char **msg, const char *path, const char *what)
{
	if (msg && !*msg)
		*msg = arena_printf(a, "failed for %s: %s", path, what);
	return false;
}

static bool check_object_keys(struct arena *a, const struct ynode *n, const char *const *allowed,
			      const char *const *required, const char *path, const char **msg)
{
	if (!maybe_object(n))
		return schema_fail(a, msg, path, "Value type not permitted by 'type' constraint.");
	if (n->kind != YN_MAP)
		return required && *required ? schema_fail(a, msg, path, "Missing required property.")
					     : true;
	for (uint32_t i = 0; i < n->n; i++)
		if (!in_set(key_text(n->items[2 * i]), allowed))
			return schema_fail(a, msg, path, "Object contains a property that could not be "
							 "validated using 'properties' or "
							 "'additionalProperties' constraints");
	for (; required && *required; required++)
		if (!ynode_get(n, *required))
			return schema_fail(a, msg, path, "Missing required property.");
	return true;
}

static bool check_plugin_req(struct arena *a, const struct ynode *n, bool alternative,
			     const char **msg)
{
	static const char *const keys[] = { "name", "version", "alternatives", NULL };
	static const char *const alt_keys[] = { "name", "version", NULL };
	static const char *const req[] = { "name", "version", NULL };
	if (!check_object_keys(a, n, alternative ? alt_keys : keys, req, "[required_plugin_versions]",
			       msg))
		return false;
	const struct ynode *alts = alternative ? NULL : ynode_get(n, "alternatives");
	if (alts) {
		if (!maybe_array(alts))
			return schema_fail(a, msg, "[alternatives]",
					   "Value type not permitted by 'type' constraint.");
		for (uint32_t i = 0; alts->kind == YN_SEQ && i < alts->n; i++)
			if (!check_plugin_req(a, alts->items[i], true, msg))
				return false;
	}
	return true;
}

static bool check_rule_item(struct arena *a, const struct ynode *it, const char **msg)
{
	static const char *const keys[] = {
		"required_engine_version", "required_plugin_versions", "macro", "condition", "list",
		"items", "rule", "desc", "enabled", "output", "append", "priority", "capture",
		"capture_duration", "source", "exceptions", "override", "tags", "warn_evttypes",
		"skip-if-unknown-filter", NULL
	};
	static const char *const bools[] = { "enabled", "append", "capture", "warn_evttypes",
					     "skip-if-unknown-filter", NULL };
	static const char *const arrays[] = { "items", "tags", "exceptions",
					      "required_plugin_versions", NULL };
	static const char *const prios[] = { "EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING",
					     "NOTICE", "INFO", "INFORMATIONAL", "DEBUG", NULL };
	static const char *const ovr_keys[] = { "items", "desc", "condition", "output", "priority",
						"enabled", "exceptions", "capture",
						"capture_duration", "tags", "warn_evttypes",
						"skip-if-unknown-filter", NULL };
	static const char *const ex_keys[] = { "name", "fields", "comps", "values", NULL };
	static const char *const ex_req[] = { "name", NULL };

	if (!check_object_keys(a, it, keys, NULL, "[FalcoRule]", msg))
		return false;
	if (it->kind != YN_MAP)
		return true;
	for (uint32_t i = 0; i < it->n; i++) {
		const char *k = key_text(it->items[2 * i]);
		const struct ynode *v = it->items[2 * i + 1];
		if (in_set(k, bools) && !maybe_bool(v))
			return schema_fail(a, msg, k, "Value type not permitted by 'type' constraint.");
		if (in_set(k, arrays) && !maybe_array(v))
			return schema_fail(a, msg, k, "Value type not permitted by 'type' constraint.");
		if (!strcmp(k, "capture_duration") && !maybe_integer(v))
			return schema_fail(a, msg, k, "Value type not permitted by 'type' constraint.");
		if (!strcmp(k, "priority")) {
			bool ok = false;
			for (const char *const *p = prios; *p && !ok; p++)
				ok = scalar_is(v, *p);
			if (!ok)
				return schema_fail(a, msg, k, "Failed to match against any enum values.");
		}
		if (!strcmp(k, "override")) {
			if (!check_object_keys(a, v, ovr_keys, NULL, k, msg))
				return false;
			if (v->kind != YN_MAP || v->n < 1)
				return schema_fail(a, msg, k, "Object should have at least 1 properties");
			for (uint32_t j = 0; j < v->n; j++) {
				const struct ynode *op = v->items[2 * j + 1];
				if (!scalar_is(op, "append") && !scalar_is(op, "replace"))
					return schema_fail(a, msg, k,
							   "Failed to match against any enum values.");
			}
		}
		if (!strcmp(k, "exceptions") && v->kind == YN_SEQ) {
			for (uint32_t j = 0; j < v->n; j++)
				if (!check_object_keys(a, v->items[j], ex_keys, ex_req, "[exceptions]",
						       msg))
					return false;
		}
		if (!strcmp(k, "required_plugin_versions") && v->kind == YN_SEQ) {
			for (uint32_t j = 0; j < v->n; j++)
				if (!check_plugin_req(a, v->items[j], false, msg))
					return false;
		}
	}
	return true;
}

bool yaml_schema_check(struct arena *a, const struct ynode *doc, const char **msg)
{
	if (msg)
		*msg = NULL;
	if (!doc || !maybe_array(doc))
		return schema_fail(a, msg, "<root>", "Value type not permitted by 'type' constraint.");
	for (uint32_t i = 0; doc->kind == YN_SEQ && i < doc->n; i++)
		if (!check_rule_item(a, doc->items[i], msg))
			return false;
	return true;
}

/* ---------------------------------------------------------------- value → file offsets */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* bytes produced in the value by the escape at raw[p] (raw[p] == '\\'); 0 = line join */
static size_t escape_width(const char *raw, size_t p, size_t end, size_t *rawlen)
{
	if (p + 1 >= end) {
		*rawlen = 1;
		return 1;
	}
	char e = raw[p + 1];
	size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
	if (e == '\n' || e == '\r') {
		*rawlen = 2;
		return 0;
	}
	if (!digits) {
		*rawlen = 2;
		/* \N, \_, \L, \P are multi-byte code points */
		return e == 'N' || e == '_' ? 2 : e == 'L' || e == 'P' ? 3 : 1;
	}
	unsigned long cp = 0;
	size_t i = 0;
	for (; i < digits && p + 2 + i < end && hexval(raw[p + 2 + i]) >= 0; i++)
		cp = cp * 16 + (unsigned long)hexval(raw[p + 2 + i]);
	*rawlen = 2 + i;
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

bool yaml_value_offset(const struct yfile *f, const struct ynode *n, size_t voff, size_t *off)
{
	const char *raw = f->text;
	size_t p = n->offset, end = n->end > f->len ? f->len : n->end;
	*off = n->offset;
	if (n->kind != YN_SCALAR || p >= end)
		return voff == 0;
	if (voff > n->len)
		voff = n->len;
	/* no folding and no escapes: the value is the raw text (inside the quotes) */
	if (n->style == YS_PLAIN && end - p == n->len) {
		*off = p + voff;
		return true;
	}
	if ((n->style == YS_SINGLE || n->style == YS_DOUBLE) && end - p == (size_t)n->len + 2) {
		*off = p + 1 + voff;
		return true;
	}
	/* the walk below is linear in @voff: far into a huge folded scalar, stay approximate */
	if (voff > 65536)
		return false;
	bool block = n->style == YS_LITERAL || n->style == YS_FOLDED;
	size_t indent = 0;
	if (n->style == YS_SINGLE || n->style == YS_DOUBLE) {
		p++;
	} else if (block) {
		while (p < end && raw[p] != '\n')	/* header line: | or > and indicators */
			p++;
		if (p < end)
			p++;
		size_t q = p;	/* indentation of the first non-empty line */
		for (;;) {
			size_t s = q;
			while (q < end && raw[q] == ' ')
				q++;
			if (q < end && raw[q] == '\n') {
				q++;
				continue;
			}
			indent = q - s;
			break;
		}
	}
	bool line_start = block;
	for (size_t vi = 0; vi <= voff && vi <= n->len; vi++) {
		if (line_start) {	/* skip the indentation of a block line */
			for (size_t k = 0; k < indent && p < end && raw[p] == ' '; k++)
				p++;
			line_start = false;
		}
		if (p >= end)
			return false;
		if (vi == voff || vi == n->len) {
			*off = p;
			return true;
		}
		char c = n->str[vi];
		if (n->style == YS_DOUBLE && raw[p] == '\\') {
			size_t rl, w = escape_width(raw, p, end, &rl);
			p += rl;
			if (w == 0) {	/* escaped line break: skip the next line's indentation */
				while (p < end && (raw[p] == ' ' || raw[p] == '\t'))
					p++;
				vi--;
				continue;
			}
			vi += w - 1;
			continue;
		}
		if (n->style == YS_SINGLE && c == '\'' && raw[p] == '\'' && p + 1 < end &&
		    raw[p + 1] == '\'') {
			p += 2;
			continue;
		}
		if (raw[p] == c && c != '\n') {
			p++;
			continue;
		}
		if (raw[p] == '\r')
			p++;
		if (p < end && raw[p] == '\n' && (c == ' ' || c == '\n')) {
			/* a line break in the value or folded into a space */
			p++;
			if (block) {
				line_start = true;
			} else {
				while (p < end && (raw[p] == ' ' || raw[p] == '\t'))
					p++;
			}
			continue;
		}
		if (!block && (raw[p] == '\n' || raw[p] == ' ' || raw[p] == '\t')) {
			/* flow folding: blank lines become '\n'; retry this value byte */
			while (p < end && (raw[p] == ' ' || raw[p] == '\t' || raw[p] == '\n' ||
					   raw[p] == '\r'))
				p++;
			vi--;
			continue;
		}
		if (block && raw[p] == '\n') {
			p++;
			line_start = true;
			vi--;
			continue;
		}
		*off = n->offset;
		return false;
	}
	return false;
}
