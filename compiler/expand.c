/* SPDX-License-Identifier: Apache-2.0
 *
 * The collector and the textual compiler (see expand.h): definitions with Falco's
 * index/visibility, append/override, exceptions → condition text, textual list
 * substitution, parsing, macro resolution with visibility and loop detection, and the
 * per-rule compile steps in Falco's order (rules-language.md §7.7).
 */
#include "expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "load_yaml.h"
#include "loader.h"
#include "parse.h"
#include "runtime/version.h"
#include "warn.h"

#define ERROR_NO_PREVIOUS_MACRO                                                                \
	"Macro uses 'append' or 'override.condition: append' but no macro by that name already " \
	"exists"
#define ERROR_NO_PREVIOUS_LIST                                                                 \
	"List uses 'append' or 'override.items: append' but no list by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_APPEND                                                          \
	"Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_REPLACE                                                         \
	"An 'override.<key>: replace' to a rule was requested but no rule by that name already " \
	"exists"

/* cloned nodes per compile round before macro expansion is declared too large */
#define FE_MAX_EXPANDED_NODES 8000000u
#define DEF_MAX_ITEMS 1000000u
#define DEF_MAX_COND (16u << 20)
#define DEF_MAX_MACRO_DEPTH 512u
/* bytes appends may copy in total (each append copies what it extends): a hostile file
 * appending to the same item over and over fails with a clear error instead of taking
 * quadratic time */
#define FE_MAX_APPEND_WORK ((uint64_t)256 << 20)
/* exceptions of one rule (name lookups are linear) */
#define FE_MAX_EXCEPTIONS 4096u

/* ---------------------------------------------------------------- diagnostics helpers */

struct diag_loc *fe_loc(struct fe *fe, const struct diag_loc *parent, enum diag_item type,
			const char *item_name, const struct yfile *file, const struct ynode *node)
{
	struct diag_loc *l = diag_loc_new(fe->a, parent, type, item_name, file ? file->name : "",
					  node ? node->line : 0, node ? node->col : 0,
					  node ? node->offset : 0);
	if (!l) {	/* out of memory: reuse the parent so callers never see NULL */
		static const struct diag_loc oom = { NULL, DI_RULES_CONTENT, "", "", 0, 0, 0 };
		return (struct diag_loc *)(parent ? parent : &oom);
	}
	return l;
}

/* text position of byte @off of @f (fast: line table) */
static void file_pos(struct diag *d, const struct yfile *f, size_t off, size_t len)
{
	uint32_t line, col;
	size_t ls;
	if (!d || !f)
		return;
	yfile_linecol(f, off, &line, &col, &ls);
	diag_set_pos_lc(d, f->name, f->text, f->len, off, len, line, col, ls);
}

static void set_file_pos(struct diag *d, struct arena *a, const struct yfile *f, size_t off,
			 size_t len, bool with_snippet)
{
	if (!d || !f)
		return;
	if (with_snippet)
		d->snippet = diag_snippet(a, f->text, f->len, off);
	file_pos(d, f, off, len);
}

void fe_warn(struct fe *fe, enum diag_code code, const char *msg, const struct diag_loc *ctx,
	     const struct yfile *file, const struct ynode *node)
{
	struct diag *d = diag_add(fe->a, &fe->res->warnings, code, msg ? msg : "out of memory", ctx);
	if (!d || !file)
		return;
	/* Falco's snippet is at the context; the text form points at @node when given */
	d->snippet = diag_snippet(fe->a, file->text, file->len, ctx ? ctx->offset : 0);
	file_pos(d, file, node ? node->offset : ctx ? ctx->offset : 0, 1);
}

int fe_fail(struct fe *fe, enum diag_code code, const char *msg, const struct diag_loc *ctx,
	    const struct yfile *file, const struct ynode *node)
{
	(void)node;
	if (fe->has_err)
		return -1;
	memset(&fe->err, 0, sizeof(fe->err));
	fe->has_err = true;
	fe->err.code = code;
	fe->err.msg = msg ? msg : "out of memory";
	fe->err.ctx = ctx;
	fe->err.file = file;
	if (file && ctx) {
		fe->err.offset = node ? node->offset : ctx->offset;
		fe->err.snip_off = ctx->offset;
		fe->err.has_offset = true;
		fe->err.len = 1;
	}
	return -1;
}

void fe_flush_error(struct fe *fe)
{
	if (!fe->has_err)
		return;
	struct fe_error *e = &fe->err;
	struct diag *d = diag_add(fe->a, &fe->res->errors, e->code, e->msg, e->ctx);
	fe->res->successful = false;
	fe->has_err = false;
	if (!d)
		return;
	if (e->alt_text)
		d->snippet = diag_snippet(fe->a, e->alt_text, e->alt_len, e->alt_pos);
	else if (e->file && e->has_offset)
		d->snippet = diag_snippet(fe->a, e->file->text, e->file->len, e->snip_off);
	if (e->file && e->has_offset)
		file_pos(d, e->file, e->offset, e->len);
	d->col_note = e->col_note;
	d->notes = e->notes;
}

/* ---------------------------------------------------------------- located strings */

struct lb {
	char *s;
	size_t n, cap;
	struct lpiece *p;
	size_t np, capp;
	bool oom;
};

static void lb_grow(struct lb *b, size_t add)
{
	if (b->oom || b->n + add + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + add + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return;
	}
	b->s = s;
	b->cap = cap;
}

static void lb_piece(struct lb *b, const struct lpiece *src, uint32_t off, uint32_t len)
{
	if (b->oom || !len)
		return;
	if (b->np == b->capp) {
		size_t cap = b->capp ? b->capp * 2 : 16;
		struct lpiece *p = realloc(b->p, cap * sizeof(*p));
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->capp = cap;
	}
	struct lpiece *p = &b->p[b->np++];
	if (src)
		*p = *src;
	else
		memset(p, 0, sizeof(*p));
	p->off = off;
	p->len = len;
}

/* append literal text; its bytes map to @origin's start (or nowhere) */
static void lb_text(struct lb *b, const char *s, size_t n, const struct lpiece *origin)
{
	lb_grow(b, n);
	if (b->oom)
		return;
	struct lpiece o;
	if (origin) {
		o = *origin;
		o.exact = false;
	}
	lb_piece(b, origin ? &o : NULL, (uint32_t)b->n, (uint32_t)n);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

/* drop the last @n bytes (and their origins) */
static void lb_pop(struct lb *b, size_t n)
{
	if (b->oom || n > b->n)
		return;
	b->n -= n;
	b->s[b->n] = 0;
	while (b->np && b->p[b->np - 1].off >= b->n)
		b->np--;
	if (b->np && b->p[b->np - 1].off + b->p[b->np - 1].len > b->n)
		b->p[b->np - 1].len = (uint32_t)(b->n - b->p[b->np - 1].off);
}

/* append bytes [from, to) of @src with their origins */
static void lb_range(struct lb *b, const struct lstr *src, size_t from, size_t to)
{
	if (to <= from)
		return;
	lb_grow(b, to - from);
	if (b->oom)
		return;
	size_t base = b->n;
	memcpy(b->s + b->n, src->s + from, to - from);
	b->n += to - from;
	b->s[b->n] = 0;
	size_t covered = from;
	for (uint32_t i = 0; i < src->npieces; i++) {
		const struct lpiece *p = &src->pieces[i];
		size_t ps = p->off, pe = (size_t)p->off + p->len;
		if (pe <= from || ps >= to)
			continue;
		size_t s = ps < from ? from : ps, e = pe > to ? to : pe;
		if (s > covered)
			lb_piece(b, NULL, (uint32_t)(base + covered - from), (uint32_t)(s - covered));
		struct lpiece q = *p;
		if (p->exact)
			q.voff = p->voff + (uint32_t)(s - ps);
		lb_piece(b, &q, (uint32_t)(base + s - from), (uint32_t)(e - s));
		covered = e;
	}
	if (covered < to)
		lb_piece(b, NULL, (uint32_t)(base + covered - from), (uint32_t)(to - covered));
}

static struct lstr lb_finish(struct arena *a, struct lb *b, bool *oom)
{
	struct lstr r = { "", 0, NULL, 0 };
	if (!b->oom) {
		char *s = arena_strndup(a, b->s ? b->s : "", b->n);
		struct lpiece *p = b->np ? arena_alloc(a, b->np * sizeof(*p)) : NULL;
		if (s && (p || !b->np)) {
			if (b->np)
				memcpy(p, b->p, b->np * sizeof(*p));
			r.s = s;
			r.len = (uint32_t)b->n;
			r.pieces = p;
			r.npieces = (uint32_t)b->np;
		} else {
			b->oom = true;
		}
	}
	if (b->oom && oom)
		*oom = true;
	free(b->s);
	free(b->p);
	memset(b, 0, sizeof(*b));
	return r;
}

struct lstr lstr_from_node(struct fe *fe, const struct yfile *file, const struct ynode *node)
{
	struct lstr r = { "", 0, NULL, 0 };
	if (!node || node->kind != YN_SCALAR)
		return r;
	struct lpiece *p = arena_alloc(fe->a, sizeof(*p));
	if (!p)
		return r;
	p->off = 0;
	p->len = node->len;
	p->file = file;
	p->node = node;
	p->voff = 0;
	p->exact = true;
	r.s = node->str;
	r.len = node->len;
	r.pieces = p;
	r.npieces = 1;
	return r;
}

struct lstr lstr_join(struct fe *fe, const struct lstr *a, const struct lstr *b)
{
	struct lb bld = { 0 };
	lb_range(&bld, a, 0, a->len);
	lb_text(&bld, " ", 1, NULL);
	lb_range(&bld, b, 0, b->len);
	return lb_finish(fe->a, &bld, NULL);
}

bool lstr_file_offset(const struct lstr *s, uint32_t off, const struct yfile **file,
		      size_t *foff, bool *exact)
{
	*exact = false;
	if (!s->npieces)
		return false;
	/* binary search the piece holding @off (or the last one, for the end offset) */
	uint32_t lo = 0, hi = s->npieces;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (s->pieces[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	const struct lpiece *p = &s->pieces[lo];
	if (!p->node) {	/* synthetic: use the nearest real piece before it */
		while (lo > 0 && !s->pieces[lo].node)
			lo--;
		p = &s->pieces[lo];
		if (!p->node)
			return false;
		*file = p->file;
		yaml_value_offset(p->file, p->node, p->voff, foff);
		return true;
	}
	*file = p->file;
	if (!p->exact) {
		yaml_value_offset(p->file, p->node, p->voff, foff);
		return true;
	}
	uint32_t rel = off >= p->off ? off - p->off : 0;
	*exact = yaml_value_offset(p->file, p->node, p->voff + rel, foff);
	return true;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---------------------------------------------------------------- name index */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int idx_find(const struct name_index *ix, const char *name)
{
	if (!ix->cap)
		return -1;
	uint32_t m = ix->cap - 1, j = (uint32_t)hash_name(name) & m;
	while (ix->keys[j]) {
		if (!strcmp(ix->keys[j], name))
			return (int)ix->vals[j];
		j = (j + 1) & m;
	}
	return -1;
}

static int idx_put(struct arena *a, struct name_index *ix, const char *name, uint32_t val)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		uint32_t ncap = ix->cap ? ix->cap * 2 : 64;
		const char **nk = arena_alloc(a, ncap * sizeof(*nk));
		uint32_t *nv = arena_alloc(a, ncap * sizeof(*nv));
		if (!nk || !nv)
			return -1;
		for (uint32_t i = 0; i < ix->cap; i++) {
			if (!ix->keys[i])
				continue;
			uint32_t j = (uint32_t)hash_name(ix->keys[i]) & (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = ix->keys[i];
			nv[j] = ix->vals[i];
		}
		ix->keys = nk;
		ix->vals = nv;
		ix->cap = ncap;
	}
	uint32_t m = ix->cap - 1, j = (uint32_t)hash_name(name) & m;
	while (ix->keys[j]) {
		if (!strcmp(ix->keys[j], name)) {
			ix->vals[j] = val;
			return 0;
		}
		j = (j + 1) & m;
	}
	ix->keys[j] = name;
	ix->vals[j] = val;
	ix->n++;
	return 0;
}

/* grow an arena array of pointers */
static int grow_ptrs(struct arena *a, void ***arr, uint32_t n, uint32_t *cap)
{
	if (n < *cap)
		return 0;
	uint32_t ncap = *cap ? *cap * 2 : 64;
	void **na = arena_alloc(a, ncap * sizeof(*na));
	if (!na)
		return -1;
	if (n)
		memcpy(na, *arr, n * sizeof(*na));
	*arr = na;
	*cap = ncap;
	return 0;
}

const struct col_list *col_find_list(const struct collector *c, const char *name)
{
	int i = idx_find(&c->list_idx, name);
	return i < 0 ? NULL : c->lists[i];
}

const struct col_macro *col_find_macro(const struct collector *c, const char *name)
{
	int i = idx_find(&c->macro_idx, name);
	return i < 0 ? NULL : c->macros[i];
}

const struct col_rule *col_find_rule(const struct collector *c, const char *name)
{
	int i = idx_find(&c->rule_idx, name);
	return i < 0 ? NULL : c->rules[i];
}

/* ---------------------------------------------------------------- collector */

static int oom(struct fe *fe, const struct diag_loc *ctx)
{
	return fe_fail(fe, DIAG_E_VALIDATE, "out of memory", ctx, NULL, NULL);
}

static int version_cmp(const uint32_t a[3], const uint32_t b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int col_define_engine_version(struct fe *fe, const uint32_t v[3], const struct diag_loc *ctx,
			      const struct yfile *file, const struct ynode *node)
{
	static const uint32_t eng[3] = { FRC_ENGINE_VERSION_MAJOR, FRC_ENGINE_VERSION_MINOR,
					 FRC_ENGINE_VERSION_PATCH };
	if (v[0] != eng[0] || version_cmp(eng, v) < 0) {
		char *m = arena_printf(fe->a, "Rules require engine version %u.%u.%u, but engine "
					      "version is %u.%u.%u",
				       v[0], v[1], v[2], eng[0], eng[1], eng[2]);
		return fe_fail(fe, DIAG_E_VALIDATE, m, ctx, file, node);
	}
	struct collector *c = &fe->col;
	if (!c->has_engine_version || version_cmp(c->engine_version, v) < 0)
		memcpy(c->engine_version, v, sizeof(c->engine_version));
	c->has_engine_version = true;
	return 0;
}

static bool semver_ok(const char *s)
{
	unsigned a, b, d;
	return s && sscanf(s, "%u.%u.%u", &a, &b, &d) == 3;
}

int col_define_plugin_req(struct fe *fe, struct plugin_req *r, const struct diag_loc *ctx,
			  const struct yfile *file, const struct ynode *node)
{
	for (uint32_t i = 0; i < r->nalts; i++) {
		if (!semver_ok(r->alts[i].version)) {
			char *m = arena_printf(fe->a, "Invalid required version '%s' for plugin '%s'",
					       r->alts[i].version, r->alts[i].name);
			return fe_fail(fe, DIAG_E_VALIDATE, m, ctx, file, node);
		}
		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(r->alts[i].name, r->alts[j].name))
				continue;
			char *m = arena_printf(fe->a, "Defined multiple alternative version "
						      "requirements for plugin '%s'",
					       r->alts[i].name);
			return fe_fail(fe, DIAG_E_VALIDATE, m, ctx, file, node);
		}
	}
	struct collector *c = &fe->col;
	if (c->nplugin_reqs == c->capplugin_reqs) {
		uint32_t ncap = c->capplugin_reqs ? c->capplugin_reqs * 2 : 8;
		struct plugin_req *n = arena_alloc(fe->a, ncap * sizeof(*n));
		if (!n)
			return oom(fe, ctx);
		if (c->nplugin_reqs)
			memcpy(n, c->plugin_reqs, c->nplugin_reqs * sizeof(*n));
		c->plugin_reqs = n;
		c->capplugin_reqs = ncap;
	}
	c->plugin_reqs[c->nplugin_reqs++] = *r;
	return 0;
}

/*
 * Falco's define_info(): find the slot of @name in @arr or append a new one. *@existing tells
 * which; the caller copies index/visibility and stores its definition in the slot.
 */
static int define_slot(struct fe *fe, void ***arr, uint32_t *n, uint32_t *cap,
		       struct name_index *ix, const char *name, bool *existing)
{
	int i = idx_find(ix, name);
	*existing = i >= 0;
	if (i >= 0)
		return i;
	if (grow_ptrs(fe->a, arr, *n, cap) || idx_put(fe->a, ix, name, *n))
		return -1;
	return (int)(*n)++;
}

int col_define_list(struct fe *fe, struct col_list *l)
{
	struct collector *c = &fe->col;
	bool ex;
	int i = define_slot(fe, (void ***)&c->lists, &c->nlists, &c->caplists, &c->list_idx, l->name,
			    &ex);
	if (i < 0)
		return oom(fe, l->ctx);
	l->visibility = c->cur_index++;
	l->index = ex ? c->lists[i]->index : l->visibility;
	c->lists[i] = l;
	return 0;
}

static uint32_t max_items(const struct fe *fe)
{
	return fe->o->limits.max_items ? fe->o->limits.max_items : DEF_MAX_ITEMS;
}

static int charge_append(struct fe *fe, uint64_t bytes, const struct diag_loc *ctx,
			 const struct yfile *file)
{
	fe->col.append_work += bytes;
	if (fe->col.append_work <= FE_MAX_APPEND_WORK)
		return 0;
	return fe_fail(fe, DIAG_E_VALIDATE,
		       "appends copied more than 256 MiB of definitions (limit); too many appends "
		       "to the same item",
		       ctx, file, NULL);
}

int col_append_list(struct fe *fe, struct col_list *l)
{
	int i = idx_find(&fe->col.list_idx, l->name);
	if (i < 0)
		return fe_fail(fe, DIAG_E_VALIDATE, ERROR_NO_PREVIOUS_LIST, l->ctx, l->file, NULL);
	struct col_list *prev = fe->col.lists[i];
	uint64_t n = (uint64_t)prev->nitems + l->nitems;
	if (n > max_items(fe))
		return fe_fail(fe, DIAG_E_VALIDATE, "List has too many items (limit reached)", l->ctx,
			       l->file, NULL);
	if (charge_append(fe, n * sizeof(char *), l->ctx, l->file))
		return -1;
	const char **items = arena_alloc(fe->a, (n + 1) * sizeof(*items));
	if (!items)
		return oom(fe, l->ctx);
	if (prev->nitems)
		memcpy(items, prev->items, prev->nitems * sizeof(*items));
	if (l->nitems)
		memcpy(items + prev->nitems, l->items, l->nitems * sizeof(*items));
	prev->items = items;
	prev->nitems = (uint32_t)n;
	prev->visibility = fe->col.cur_index++;
	return 0;
}

int col_define_macro(struct fe *fe, struct col_macro *m)
{
	struct collector *c = &fe->col;
	bool ex;
	int i = define_slot(fe, (void ***)&c->macros, &c->nmacros, &c->capmacros, &c->macro_idx,
			    m->name, &ex);
	if (i < 0)
		return oom(fe, m->ctx);
	m->visibility = c->cur_index++;
	m->index = ex ? c->macros[i]->index : m->visibility;
	c->macros[i] = m;
	return 0;
}

int col_append_macro(struct fe *fe, struct col_macro *m)
{
	int i = idx_find(&fe->col.macro_idx, m->name);
	if (i < 0)
		return fe_fail(fe, DIAG_E_VALIDATE, ERROR_NO_PREVIOUS_MACRO, m->ctx, m->file, NULL);
	struct col_macro *prev = fe->col.macros[i];
	if (charge_append(fe, (uint64_t)prev->cond.len + m->cond.len +
				      (uint64_t)(prev->cond.npieces + m->cond.npieces + 1) *
					      sizeof(struct lpiece),
			  m->ctx, m->file))
		return -1;
	prev->cond = lstr_join(fe, &prev->cond, &m->cond);
	prev->visibility = fe->col.cur_index++;
	return 0;
}

static bool source_known(const struct fe *fe, const char *s)
{
	const struct loader_opts *o = fe->o;
	if (!o->sources || !o->nsources)
		return !strcmp(s, "syscall");
	for (size_t i = 0; i < o->nsources; i++)
		if (o->sources[i] && !strcmp(o->sources[i], s))
			return true;
	return false;
}

static bool is_operator(const char *s)
{
	static const char *const ops[] = { "exists", "<=", "<", ">=", ">", "==", "=", "!=",
					   "glob", "iglob", "contains", "icontains", "bcontains",
					   "startswith", "bstartswith", "endswith", "regex",
					   "intersects", "in", "pmatch", NULL };
	for (const char *const *p = ops; *p; p++)
		if (!strcmp(*p, s))
			return true;
	return false;
}

/* libsinsp's str_to_cmpop_with_modifier + cmpop_supports_modifier */
static bool is_modifier_op(const char *s)
{
	const char *sp = strchr(s, ' ');
	if (!sp)
		return false;
	static const char *const base[] = { "=", "==", "!=", "contains", "icontains", "bcontains",
					    "startswith", "bstartswith", "endswith", "glob",
					    "iglob", "regex", NULL };
	size_t bl = (size_t)(sp - s);
	bool ok = false;
	for (const char *const *p = base; *p && !ok; p++)
		ok = strlen(*p) == bl && !memcmp(*p, s, bl);
	const char *m = sp + 1;
	return ok && (!strcmp(m, "oneof") || !strcmp(m, "anyof") || !strcmp(m, "allof"));
}

static bool list_op(const char *s)
{
	return !strcmp(s, "in") || !strcmp(s, "intersects") || !strcmp(s, "pmatch") ||
	       is_modifier_op(s);
}

static const char *normalize_comp(struct fe *fe, const char *s)
{
	const char *ws = " \t\r\n";
	while (*s && strchr(ws, *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(ws, s[n - 1]))
		n--;
	const char *r = arena_strndup(fe->a, s, n);
	return r ? r : "";
}

static bool entry_valid(const struct exc_entry *e)
{
	return e->is_list ? e->nitems > 0 : e->item && *e->item;
}

static int exc_fail(struct fe *fe, const struct col_exception *ex, const char *msg)
{
	return fe_fail(fe, DIAG_E_VALIDATE, msg, ex->ctx, ex->file, ex->node);
}

static int validate_exception(struct fe *fe, bool source_ok, struct col_exception *ex)
{
	struct check_env env = { fe->o->container_plugin };
	struct arena tmp;
	int rc = 0;
	if (ex->fields.is_list) {
		if (!entry_valid(&ex->comps)) {
			ex->comps.is_list = true;
			ex->comps.nitems = ex->fields.nitems;
			ex->comps.items = arena_alloc(fe->a, (ex->fields.nitems + 1) *
								  sizeof(*ex->comps.items));
			if (!ex->comps.items)
				return oom(fe, ex->ctx);
			for (uint32_t i = 0; i < ex->fields.nitems; i++)
				ex->comps.items[i].item = "=";
		}
		if (ex->fields.nitems != ex->comps.nitems)
			return exc_fail(fe, ex, "Fields and comps lists must have equal length");
		for (uint32_t i = 0; i < ex->comps.nitems; i++) {
			struct exc_entry *ce = &ex->comps.items[i];
			ce->item = normalize_comp(fe, ce->item ? ce->item : "");
			if (!is_operator(ce->item) && !is_modifier_op(ce->item))
				return exc_fail(fe, ex, arena_printf(fe->a, "'%s' is not a supported "
									    "comparison operator",
								     ce->item));
		}
		if (source_ok) {
			arena_init(&tmp);
			for (uint32_t i = 0; i < ex->fields.nitems && !rc; i++) {
				const char *f = ex->fields.items[i].item ? ex->fields.items[i].item : "";
				if (!check_lhs_field(&tmp, &env, f))
					rc = exc_fail(fe, ex, arena_printf(fe->a, "'%s' is not a supported "
										  "filter field", f));
			}
			arena_free_all(&tmp);
		}
		return rc;
	}
	if (!entry_valid(&ex->comps)) {
		ex->comps.is_list = false;
		ex->comps.item = "in";
	}
	if (ex->comps.is_list)
		return exc_fail(fe, ex, "Fields and comps must both be strings");
	ex->comps.item = normalize_comp(fe, ex->comps.item);
	const char *cp = ex->comps.item;
	if (strcmp(cp, "in") && strcmp(cp, "pmatch") && strcmp(cp, "intersects") &&
	    !is_modifier_op(cp))
		return exc_fail(fe, ex, "When fields is a single value, comps must be one of (in, "
					"pmatch, intersects) or a modifier operator (e.g. startswith "
					"oneof)");
	if (source_ok) {
		arena_init(&tmp);
		if (!check_lhs_field(&tmp, &env, ex->fields.item))
			rc = exc_fail(fe, ex, arena_printf(fe->a, "'%s' is not a supported filter field",
							   ex->fields.item));
		arena_free_all(&tmp);
	}
	return rc;
}

static int find_prev_rule(struct fe *fe, const char *name, const char *source,
			  const struct diag_loc *ctx, const struct yfile *file,
			  struct col_rule **out)
{
	int i = idx_find(&fe->col.rule_idx, name);
	*out = i < 0 ? NULL : fe->col.rules[i];
	if (*out && (*out)->source[0] && source && source[0] && strcmp((*out)->source, source))
		return fe_fail(fe, DIAG_E_VALIDATE, "Rule has been re-defined with a different source",
			       ctx, file, NULL);
	return 0;
}

int col_define_rule(struct fe *fe, struct col_rule *r)
{
	struct col_rule *prev;
	if (find_prev_rule(fe, r->name, r->source, r->ctx, r->file, &prev))
		return -1;
	bool known = source_known(fe, r->source);
	if (!known) {
		r->unknown_source = true;
		fe_warn(fe, DIAG_W_UNKNOWN_SOURCE,
			arena_printf(fe->a, "Unknown source %s, skipping", r->source), r->ctx, r->file,
			NULL);
	}
	for (uint32_t i = 0; i < r->nexceptions; i++) {
		struct col_exception *ex = &r->exceptions[i];
		if (!entry_valid(&ex->fields))
			return exc_fail(fe, ex, "Rule exception item must have fields property with a "
						"list of fields");
		if (validate_exception(fe, known, ex))
			return -1;
	}
	struct collector *c = &fe->col;
	bool ex;
	int i = define_slot(fe, (void ***)&c->rules, &c->nrules, &c->caprules, &c->rule_idx, r->name,
			    &ex);
	if (i < 0)
		return oom(fe, r->ctx);
	r->visibility = c->cur_index++;
	r->index = ex ? c->rules[i]->index : r->visibility;
	if (ex) {	/* the position reported for the rule stays the first definition's */
		r->line = c->rules[i]->line;
		r->col = c->rules[i]->col;
	}
	c->rules[i] = r;
	return 0;
}

static bool update_has_any(const struct col_rule_update *u)
{
	return u->has_cond || u->has_output || u->has_desc || u->has_tags || u->has_exceptions ||
	       u->has_priority || u->has_enabled || u->has_capture || u->has_capture_duration ||
	       u->has_warn_evttypes || u->has_skip;
}

static const char *join_text(struct fe *fe, const char *a, const char *b)
{
	const char *r = arena_printf(fe->a, "%s %s", a, b);
	return r ? r : a;
}

static int merge_tags(struct fe *fe, struct col_rule *prev, const char **tags, uint32_t n)
{
	const char **t = arena_alloc(fe->a, (prev->ntags + n + 1) * sizeof(*t));
	if (!t)
		return -1;
	uint32_t i = 0, j = 0, k = 0;
	while (i < prev->ntags || j < n) {
		int c = i >= prev->ntags ? 1 : j >= n ? -1 : strcmp(prev->tags[i], tags[j]);
		if (c < 0)
			t[k++] = prev->tags[i++];
		else if (c > 0)
			t[k++] = tags[j++];
		else {
			t[k++] = prev->tags[i++];
			j++;
		}
	}
	prev->tags = t;
	prev->ntags = k;
	return 0;
}

static int append_exceptions(struct fe *fe, struct col_rule *prev, bool known,
			     struct col_rule_update *u)
{
	for (uint32_t i = 0; i < u->nexceptions; i++) {
		struct col_exception *ex = &u->exceptions[i];
		struct col_exception *pe = NULL;
		for (uint32_t j = 0; j < prev->nexceptions && !pe; j++)
			if (!strcmp(prev->exceptions[j].name, ex->name))
				pe = &prev->exceptions[j];
		if (!pe) {
			if (prev->nexceptions >= FE_MAX_EXCEPTIONS)
				return exc_fail(fe, ex, "Rule has too many exceptions (limit reached)");
			if (!entry_valid(&ex->fields))
				return exc_fail(fe, ex, "Rule exception must have fields property with a "
							"list of fields");
			if (!ex->nvalues)
				return exc_fail(fe, ex, "Rule exception must have values property with a "
							"list of values");
			if (validate_exception(fe, known, ex))
				return -1;
			struct col_exception *n =
				arena_alloc(fe->a, (prev->nexceptions + 1) * sizeof(*n));
			if (!n)
				return oom(fe, ex->ctx);
			if (prev->nexceptions)
				memcpy(n, prev->exceptions, prev->nexceptions * sizeof(*n));
			n[prev->nexceptions++] = *ex;
			prev->exceptions = n;
			continue;
		}
		if (entry_valid(&ex->fields))
			return exc_fail(fe, ex, "Can not append exception fields to existing exception, "
						"only values");
		if (entry_valid(&ex->comps))
			return exc_fail(fe, ex, "Can not append exception comps to existing exception, "
						"only values");
		uint64_t nv = (uint64_t)pe->nvalues + ex->nvalues;
		if (nv > max_items(fe))
			return exc_fail(fe, ex, "Exception has too many values (limit reached)");
		if (charge_append(fe, nv * sizeof(struct exc_entry), ex->ctx, ex->file))
			return -1;
		struct exc_entry *v = arena_alloc(fe->a, (nv + 1) * sizeof(*v));
		if (!v)
			return oom(fe, ex->ctx);
		if (pe->nvalues)
			memcpy(v, pe->values, pe->nvalues * sizeof(*v));
		if (ex->nvalues)
			memcpy(v + pe->nvalues, ex->values, ex->nvalues * sizeof(*v));
		pe->values = v;
		pe->nvalues = (uint32_t)nv;
	}
	return 0;
}

int col_append_rule(struct fe *fe, struct col_rule_update *u)
{
	struct col_rule *prev;
	if (find_prev_rule(fe, u->name, u->source, u->ctx, u->file, &prev))
		return -1;
	if (!prev)
		return fe_fail(fe, DIAG_E_VALIDATE, ERROR_NO_PREVIOUS_RULE_APPEND, u->ctx, u->file,
			       NULL);
	if (!update_has_any(u))
		return fe_fail(fe, DIAG_E_VALIDATE,
			       "Appended rule must have exceptions or condition property", u->ctx,
			       u->file, NULL);
	bool known = !prev->unknown_source;
	uint64_t work = (u->has_cond ? (uint64_t)prev->cond.len + u->cond.len +
					       (uint64_t)(prev->cond.npieces + u->cond.npieces + 1) *
						       sizeof(struct lpiece)
				     : 0) +
			(u->has_output && prev->output ? strlen(prev->output) : 0) +
			(u->has_desc && prev->desc ? strlen(prev->desc) : 0) +
			(u->has_tags ? (uint64_t)(prev->ntags + u->ntags) * sizeof(char *) : 0) +
			(u->has_exceptions ? (uint64_t)(prev->nexceptions + u->nexceptions) *
						     sizeof(struct col_exception)
					   : 0);
	if (charge_append(fe, work, u->ctx, u->file))
		return -1;
	if (u->has_cond && u->cond.len)
		prev->cond = lstr_join(fe, &prev->cond, &u->cond);
	if (u->has_output && u->output && *u->output)
		prev->output = join_text(fe, prev->output, u->output);
	if (u->has_desc && u->desc && *u->desc)
		prev->desc = join_text(fe, prev->desc, u->desc);
	if (u->has_tags && merge_tags(fe, prev, u->tags, u->ntags))
		return oom(fe, u->ctx);
	if (u->has_exceptions && append_exceptions(fe, prev, known, u))
		return -1;
	prev->visibility = fe->col.cur_index++;
	return 0;
}

int col_replace_rule(struct fe *fe, struct col_rule_update *u)
{
	struct col_rule *prev;
	if (find_prev_rule(fe, u->name, u->source, u->ctx, u->file, &prev))
		return -1;
	if (!prev)
		return fe_fail(fe, DIAG_E_VALIDATE, ERROR_NO_PREVIOUS_RULE_REPLACE, u->ctx, u->file,
			       NULL);
	if (!update_has_any(u))
		return fe_fail(fe, DIAG_E_VALIDATE,
			       "The rule must have at least one field that can be replaced", u->ctx,
			       u->file, NULL);
	if (u->has_cond)
		prev->cond = u->cond;
	if (u->has_output)
		prev->output = u->output;
	if (u->has_desc)
		prev->desc = u->desc;
	if (u->has_tags) {
		prev->tags = u->tags;
		prev->ntags = u->ntags;
	}
	if (u->has_exceptions) {
		prev->exceptions = u->exceptions;
		prev->nexceptions = u->nexceptions;
	}
	if (u->has_priority)
		prev->priority = u->priority;
	if (u->has_capture)
		prev->capture = u->capture;
	if (u->has_capture_duration)
		prev->capture_duration = u->capture_duration;
	if (u->has_enabled)
		prev->enabled = u->enabled;
	if (u->has_warn_evttypes)
		prev->warn_evttypes = u->warn_evttypes;
	if (u->has_skip)
		prev->skip_if_unknown_filter = u->skip_if_unknown_filter;
	prev->visibility = fe->col.cur_index++;
	return 0;
}

int col_enable_rule(struct fe *fe, const char *name, bool enabled, const struct diag_loc *ctx,
		    const struct yfile *file, const struct ynode *node)
{
	int i = idx_find(&fe->col.rule_idx, name);
	if (i < 0)
		return fe_fail(fe, DIAG_E_VALIDATE,
			       "Rule has 'enabled' key but no rule by that name already exists", ctx,
			       file, node);
	fe->col.rules[i]->enabled = enabled;
	return 0;
}

/* ---------------------------------------------------------------- compile: state */

/*
 * struct src_ent - a condition text handed to the parser: node spans (src_span.src) index
 * this table, so a node's offset maps back through @text to the rules file.
 * @pre: the condition before list substitution (Falco names condition contexts after it)
 */
struct src_ent {
	struct lstr text;
	const char *pre;
};

struct comp {
	struct fe *fe;
	struct arena *oa;
	struct expand_output *out;
	struct src_ent *srcs;
	uint32_t nsrcs, capsrcs;
	uint64_t cloned;
	struct check_env env;
	uint32_t max_cond, max_macro_depth;
	const char **subs;	/* per compiled list: its items quoted and joined */
	uint32_t *sublens;
	bool *mused;		/* per macro: resolved somewhere */
};

static int add_src(struct comp *cp, const struct lstr *text, const char *pre, uint32_t *id)
{
	if (cp->nsrcs == cp->capsrcs) {
		uint32_t ncap = cp->capsrcs ? cp->capsrcs * 2 : 64;
		struct src_ent *n = realloc(cp->srcs, ncap * sizeof(*n));
		if (!n)
			return -1;
		cp->srcs = n;
		cp->capsrcs = ncap;
	}
	cp->srcs[cp->nsrcs].text = *text;
	cp->srcs[cp->nsrcs].pre = pre;
	*id = cp->nsrcs++;
	return 0;
}

/* Falco's condition context name: the quoted first 20 characters of the condition */
static const char *cond_ctx_name(struct fe *fe, const char *cond)
{
	size_t n = strlen(cond);
	char *r = n > 20 ? arena_printf(fe->a, "\"%.17s...\"", cond) : arena_printf(fe->a, "\"%s\"", cond);
	if (!r)
		return "\"\"";
	for (char *p = r; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return r;
}

struct cpos {
	const struct yfile *file;
	size_t off;
	bool mapped, exact;
};

static struct cpos src_pos(const struct comp *cp, uint32_t src, uint32_t off)
{
	struct cpos p = { 0 };
	if (src < cp->nsrcs)
		p.mapped = lstr_file_offset(&cp->srcs[src].text, off, &p.file, &p.off, &p.exact);
	return p;
}

static struct diag_note *expansion_notes(struct comp *cp, const struct ast *node)
{
	struct fe *fe = cp->fe;
	struct diag_note *head = NULL, **tail = &head;
	uint32_t guard = 0;
	for (const struct ast *r = node ? node->expanded_from : NULL; r && guard < 256;
	     r = r->expanded_from, guard++) {
		struct diag_note *n = arena_alloc(fe->a, sizeof(*n));
		if (!n)
			break;
		struct cpos p = src_pos(cp, r->span.src, r->span.start);
		if (p.mapped) {
			uint32_t line, col;
			size_t ls;
			yfile_linecol(p.file, p.off, &line, &col, &ls);
			n->file = p.file->name;
			n->line = line + 1;
			n->col = col + 1;
		}
		n->msg = arena_printf(fe->a, "in expansion of macro '%s'",
				      r->kind == AST_REF ? r->u.ref.name : "?");
		if (!n->msg)
			break;
		*tail = n;
		tail = &n->next;
	}
	return head;
}

/* the "condition expression" location of an offset in source @src under @parent */
static struct diag_loc *cond_loc(struct comp *cp, const struct diag_loc *parent, uint32_t src,
				 uint32_t off, const char *pre, struct cpos *pos)
{
	*pos = src_pos(cp, src, off);
	uint32_t line = parent ? parent->line : 0, col = parent ? parent->col : 0;
	uint32_t foff = parent ? parent->offset : 0;
	if (pos->mapped) {
		size_t ls;
		yfile_linecol(pos->file, pos->off, &line, &col, &ls);
		foff = (uint32_t)pos->off;
	}
	return diag_loc_new(cp->fe->a, parent, DI_CONDITION_EXPRESSION, "",
			    cond_ctx_name(cp->fe, pre ? pre : ""), line, col, foff);
}

/*
 * An error inside a condition: @ctxsrc/@pre name the condition Falco reports (the rule's
 * or macro's), @node (or @src/@off when no node) says where it is.
 */
static int cond_fail(struct comp *cp, enum diag_code code, const char *msg,
		     const struct diag_loc *parent, uint32_t src, uint32_t off,
		     const struct ast *node, const char *pre)
{
	struct fe *fe = cp->fe;
	if (fe->has_err)
		return -1;
	if (node) {
		src = node->span.src;
		off = node->span.start;
	}
	struct cpos pos;
	struct diag_loc *l = cond_loc(cp, parent, src, off, pre, &pos);
	fe_fail(fe, code, msg, l ? l : parent, NULL, NULL);
	struct fe_error *e = &fe->err;
	if (src < cp->nsrcs) {
		e->alt_text = cp->srcs[src].text.s;
		e->alt_len = cp->srcs[src].text.len;
		e->alt_pos = off;
	}
	if (pos.mapped) {
		e->file = pos.file;
		e->offset = pos.off;
		e->has_offset = true;
		e->len = node && node->span.end > node->span.start && pos.exact
				 ? node->span.end - node->span.start
				 : 1;
		if (!pos.exact)
			e->col_note = arena_printf(fe->a, "(condition column %u)", off + 1);
	}
	e->notes = expansion_notes(cp, node);
	return -1;
}

static void cond_warn(struct comp *cp, enum diag_code code, const char *msg,
		      const struct diag_loc *parent, uint32_t src, uint32_t off,
		      const struct ast *node, const char *pre, const char *deprecated_field)
{
	struct fe *fe = cp->fe;
	if (fe->res->warnings.n >= DIAG_MAX_PER_LIST) {
		fe->res->warnings.dropped++;
		return;
	}
	if (node) {
		src = node->span.src;
		off = node->span.start;
	}
	struct cpos pos;
	struct diag_loc *l = cond_loc(cp, parent, src, off, pre, &pos);
	struct diag *d = diag_add(fe->a, &fe->res->warnings, code, msg, l ? l : parent);
	if (!d)
		return;
	d->deprecated_field = deprecated_field;
	if (src < cp->nsrcs)
		d->snippet = diag_snippet(fe->a, cp->srcs[src].text.s, cp->srcs[src].text.len, off);
	if (pos.mapped) {
		size_t len = node && node->span.end > node->span.start && pos.exact
				     ? node->span.end - node->span.start
				     : 1;
		file_pos(d, pos.file, pos.off, len);
		if (!pos.exact)
			d->col_note = arena_printf(fe->a, "(condition column %u)", off + 1);
	}
	d->notes = expansion_notes(cp, node);
}

/* a warning at the YAML location @ctx (e.g. the rule item) */
static void item_warn(struct comp *cp, enum diag_code code, const char *msg,
		      const struct diag_loc *ctx, const struct yfile *file, const char *dfield)
{
	struct fe *fe = cp->fe;
	struct diag *d = diag_add(fe->a, &fe->res->warnings, code, msg, ctx);
	if (!d)
		return;
	d->deprecated_field = dfield;
	set_file_pos(d, fe->a, file, ctx ? ctx->offset : 0, 1, true);
}

/* ---------------------------------------------------------------- compile: lists */

/* Falco's quote_item(): double quotes around a value with a space not already quoted */
static bool needs_quotes(const char *v)
{
	return strchr(v, ' ') && v[0] != '"' && v[0] != '\'';
}

static int compile_lists(struct comp *cp)
{
	struct fe *fe = cp->fe;
	struct collector *c = &fe->col;
	struct expand_output *out = cp->out;
	out->nlists = c->nlists;
	out->lists = arena_alloc(cp->oa, (c->nlists + 1) * sizeof(*out->lists));
	cp->subs = arena_alloc(cp->oa, (c->nlists + 1) * sizeof(*cp->subs));
	cp->sublens = arena_alloc(cp->oa, (c->nlists + 1) * sizeof(*cp->sublens));
	bool *used = calloc(c->nlists + 1, sizeof(*used));
	if (!out->lists || !cp->subs || !cp->sublens || !used) {
		free(used);
		return oom(fe, NULL);
	}
	for (uint32_t i = 0; i < c->nlists; i++) {
		const struct col_list *l = c->lists[i];
		uint64_t n = 0;
		for (uint32_t k = 0; k < l->nitems; k++) {
			int j = idx_find(&c->list_idx, l->items[k]);
			n += j >= 0 && c->lists[j]->index < l->visibility ? c->lists[j]->nitems : 1;
		}
		if (n > max_items(fe)) {
			free(used);
			return fe_fail(fe, DIAG_E_VALIDATE, "List has too many items (limit reached)",
				       l->ctx, l->file, NULL);
		}
		const char **items = arena_alloc(cp->oa, (n + 1) * sizeof(*items));
		if (!items) {
			free(used);
			return oom(fe, l->ctx);
		}
		uint32_t w = 0;
		for (uint32_t k = 0; k < l->nitems; k++) {
			int j = idx_find(&c->list_idx, l->items[k]);
			if (j >= 0 && c->lists[j]->index < l->visibility) {
				used[j] = true;
				for (uint32_t q = 0; q < c->lists[j]->nitems; q++)
					items[w++] = c->lists[j]->items[q];
			} else {
				items[w++] = l->items[k];
			}
		}
		out->lists[i].info = l;
		out->lists[i].items = items;
		out->lists[i].nitems = w;
		out->lists[i].used = false;
		/* substitution text: items (quoted when needed) joined with ", " */
		size_t len = 0;
		for (uint32_t k = 0; k < w; k++)
			len += strlen(items[k]) + 2 + (k ? 2 : 0);
		char *sub = arena_alloc(cp->oa, len + 1);
		if (!sub) {
			free(used);
			return oom(fe, l->ctx);
		}
		size_t o = 0;
		for (uint32_t k = 0; k < w; k++) {
			if (k) {
				memcpy(sub + o, ", ", 2);
				o += 2;
			}
			bool q = needs_quotes(items[k]);
			if (q)
				sub[o++] = '"';
			size_t il = strlen(items[k]);
			memcpy(sub + o, items[k], il);
			o += il;
			if (q)
				sub[o++] = '"';
		}
		sub[o] = 0;
		cp->subs[i] = sub;
		cp->sublens[i] = (uint32_t)o;
	}
	for (uint32_t i = 0; i < c->nlists; i++)
		if (used[i])
			out->lists[i].used = true;
	free(used);
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool is_delim(char ch)
{
	return is_blank(ch) || ch == '(' || ch == ')' || ch == ',' || ch == '=';
}

static size_t find_from(const struct lstr *s, const char *name, size_t nl, size_t from)
{
	if (from > s->len || nl > s->len - from)
		return SIZE_MAX;
	const char *p = memmem(s->s + from, s->len - from, name, nl);
	return p ? (size_t)(p - s->s) : SIZE_MAX;
}

/*
 * Falco's resolve_list() on a located string: one list, every delimited occurrence.
 * Falco rebuilds the string after each replacement and resumes its search right after the
 * inserted text (one byte further when the replacement started the string, which skips
 * the byte after it). This does the same in one left-to-right pass: text before a match is
 * copied to the output, whose tail takes Falco's backward blank and comma trimming.
 */
static int subst_list(struct comp *cp, struct lstr *cur, uint32_t li, bool *used)
{
	const char *name = cp->out->lists[li].info->name;
	size_t nl = strlen(name);
	const char *sub = cp->subs[li];
	size_t sl = cp->sublens[li];
	if (!nl)
		return 0;
	size_t m = find_from(cur, name, nl, 0);
	if (m == SIZE_MAX)
		return 0;
	const char *s = cur->s;
	size_t len = cur->len, pos = 0;
	struct lb b = { 0 };
	bool changed = false;
	while (m != SIZE_MAX) {
		lb_range(&b, cur, pos, m);
		pos = m;
		size_t end = m + nl;
		char prev = b.n ? b.s[b.n - 1] : 0;
		size_t from = m + 1;
		if ((!b.n || is_delim(prev)) && (end >= len || is_delim(s[end]))) {
			/* where the substituted items come from: the list name in the text */
			struct lpiece origin = { 0 };
			bool have = false;
			for (uint32_t k = 0; k < cur->npieces && !have; k++) {
				const struct lpiece *p = &cur->pieces[k];
				if (p->node && m >= p->off && m < (size_t)p->off + p->len) {
					origin = *p;
					if (p->exact)
						origin.voff = p->voff + (uint32_t)(m - p->off);
					have = true;
				}
			}
			while (b.n && is_blank(b.s[b.n - 1]))
				lb_pop(&b, 1);
			while (end < len && is_blank(s[end]))
				end++;
			if (!sl) {
				if (b.n && b.s[b.n - 1] == ',')
					lb_pop(&b, 1);
				else if (end < len && s[end] == ',')
					end++;
			}
			bool at_start = !b.n;
			if (!at_start)
				lb_text(&b, " ", 1, NULL);
			lb_text(&b, sub, sl, have ? &origin : NULL);
			lb_text(&b, " ", 1, NULL);
			if (b.n > cp->max_cond) {
				lb_finish(cp->oa, &b, NULL);
				return -2;
			}
			pos = end;
			from = at_start ? end + 1 : end;
			changed = true;
			*used = true;
		}
		m = find_from(cur, name, nl, from);
	}
	if (!changed) {
		lb_finish(cp->oa, &b, NULL);
		return 0;
	}
	lb_range(&b, cur, pos, len);
	bool failed = false;
	struct lstr n = lb_finish(cp->oa, &b, &failed);
	if (failed)
		return oom(cp->fe, NULL);
	*cur = n;
	return 0;
}

/* all lists, in index order (Falco's parse_condition preamble) */
static int subst_lists(struct comp *cp, const struct lstr *in, struct lstr *outs)
{
	*outs = *in;
	for (uint32_t i = 0; i < cp->out->nlists; i++) {
		bool used = false;
		int rc = subst_list(cp, outs, i, &used);
		if (rc)
			return rc;
		if (used)
			cp->out->lists[i].used = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- compile: exceptions */

struct sb {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_quoted(struct sb *b, const char *v)
{
	bool q = needs_quotes(v);
	if (q)
		sb_put(b, "\"", 1);
	sb_str(b, v);
	if (q)
		sb_put(b, "\"", 1);
}

static int add_exc_field(struct comp *cp, const char ***f, uint32_t *n, uint32_t *cap,
			 const char *name)
{
	for (uint32_t i = 0; i < *n; i++)
		if (!strcmp((*f)[i], name))
			return 0;
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 8;
		const char **nf = arena_alloc(cp->oa, nc * sizeof(*nf));
		if (!nf)
			return -1;
		if (*n)
			memcpy(nf, *f, *n * sizeof(*nf));
		*f = nf;
		*cap = nc;
	}
	(*f)[(*n)++] = name;
	return 0;
}

/* Falco's build_rule_exception_infos(): "(cond) and not E1 and not E2 ..." */
static int build_exceptions(struct comp *cp, const struct col_rule *r, struct lstr *cond,
			    struct cl_rule_extra *x)
{
	struct fe *fe = cp->fe;
	struct lb b = { 0 };
	uint32_t capf = 0;
	lb_text(&b, "(", 1, NULL);
	lb_range(&b, &r->cond, 0, r->cond.len);
	lb_text(&b, ")", 1, NULL);
	for (uint32_t e = 0; e < r->nexceptions; e++) {
		const struct col_exception *ex = &r->exceptions[e];
		struct sb ic = { 0 };
		if (!ex->fields.is_list) {
			for (uint32_t v = 0; v < ex->nvalues; v++) {
				const struct exc_entry *val = &ex->values[v];
				if (val->is_list) {
					free(ic.p);
					lb_finish(cp->oa, &b, NULL);
					return exc_fail(fe, ex, "Expected values array to contain a list of "
								"strings");
				}
				if (!ic.n) {
					sb_str(&ic, "(");
					sb_str(&ic, ex->fields.item);
					sb_str(&ic, " ");
					sb_str(&ic, ex->comps.item);
					sb_str(&ic, " (");
				} else {
					sb_str(&ic, ", ");
				}
				if (add_exc_field(cp, &x->exception_fields, &x->nexception_fields, &capf,
						  ex->fields.item))
					ic.oom = true;
				sb_quoted(&ic, val->item ? val->item : "");
			}
			if (ic.n)
				sb_str(&ic, "))");
		} else {
			sb_str(&ic, "(");
			for (uint32_t v = 0; v < ex->nvalues; v++) {
				const struct exc_entry *vals = &ex->values[v];
				uint32_t nv = vals->is_list ? vals->nitems : 0;
				if (nv != ex->fields.nitems) {
					free(ic.p);
					lb_finish(cp->oa, &b, NULL);
					return exc_fail(fe, ex, "Fields and values lists must have equal "
								"length");
				}
				if (ic.n > 1)
					sb_str(&ic, " or ");
				sb_str(&ic, "(");
				for (uint32_t k = 0; k < ex->fields.nitems; k++) {
					const struct exc_entry *vk = &vals->items[k];
					const char *comp = k < ex->comps.nitems && ex->comps.items[k].item
								   ? ex->comps.items[k].item
								   : "";
					const char *field = ex->fields.items[k].item
								    ? ex->fields.items[k].item
								    : "";
					if (k)
						sb_str(&ic, " and ");
					sb_str(&ic, " ");
					sb_str(&ic, field);
					sb_str(&ic, " ");
					sb_str(&ic, comp);
					sb_str(&ic, " ");
					if (vk->is_list) {
						sb_str(&ic, "(");
						for (uint32_t q = 0; q < vk->nitems; q++) {
							if (q)
								sb_str(&ic, ", ");
							sb_quoted(&ic, vk->items[q].item
									       ? vk->items[q].item
									       : "");
						}
						sb_str(&ic, ")");
					} else {
						const char *it = vk->item ? vk->item : "";
						if (list_op(comp)) {
							bool p = it[0] != '(';
							if (p)
								sb_str(&ic, "(");
							sb_str(&ic, it);
							if (p)
								sb_str(&ic, ")");
						} else {
							sb_quoted(&ic, it);
						}
					}
					if (add_exc_field(cp, &x->exception_fields, &x->nexception_fields,
							  &capf, field))
						ic.oom = true;
				}
				sb_str(&ic, ")");
			}
			sb_str(&ic, ")");
			if (ic.n == 2 && !ic.oom)
				ic.n = 0;
		}
		if (ic.oom) {
			free(ic.p);
			lb_finish(cp->oa, &b, NULL);
			return oom(fe, ex->ctx);
		}
		if (ic.n) {
			struct lpiece origin = { 0, 0, ex->file, ex->node, 0, false };
			lb_text(&b, " and not ", 9, &origin);
			lb_text(&b, ic.p, ic.n, &origin);
		}
		free(ic.p);
	}
	bool failed = false;
	*cond = lb_finish(cp->oa, &b, &failed);
	if (failed)
		return oom(fe, r->ctx);
	if (x->nexception_fields > 1)
		qsort(x->exception_fields, x->nexception_fields, sizeof(*x->exception_fields),
		      strcmp_ptr);
	return 0;
}

/* ---------------------------------------------------------------- compile: macros */

/*
 * Copy of an AST for one macro reference @ref: every copied node gets @ref as the end of
 * its expansion chain (nodes that already came from deeper macros keep their chain, with
 * a copy of each link pointing on to @ref).
 */
struct cloner {
	struct comp *cp;
	const struct ast *ref;
	const struct ast *memo_old[32];
	struct ast *memo_new[32];
	uint32_t nmemo;
	bool fail;
};

static const struct ast *clone_chain(struct cloner *cl, const struct ast *ef, uint32_t depth)
{
	if (!ef)
		return cl->ref;
	for (uint32_t i = 0; i < cl->nmemo; i++)
		if (cl->memo_old[i] == ef)
			return cl->memo_new[i];
	if (depth > 1024) {
		cl->fail = true;
		return cl->ref;
	}
	struct ast *c = arena_alloc(cl->cp->oa, sizeof(*c));
	if (!c) {
		cl->fail = true;
		return cl->ref;
	}
	*c = *ef;
	c->expanded_from = clone_chain(cl, ef->expanded_from, depth + 1);
	if (cl->nmemo < 32) {
		cl->memo_old[cl->nmemo] = ef;
		cl->memo_new[cl->nmemo++] = c;
	}
	return c;
}

static struct ast *clone_node(struct cloner *cl, const struct ast *n);

static struct ast **clone_items(struct cloner *cl, struct ast *const *items, uint32_t n)
{
	if (!n)
		return NULL;
	struct ast **v = arena_alloc(cl->cp->oa, n * sizeof(*v));
	if (!v) {
		cl->fail = true;
		return NULL;
	}
	for (uint32_t i = 0; i < n && !cl->fail; i++)
		v[i] = clone_node(cl, items[i]);
	return v;
}

static struct ast *clone_node(struct cloner *cl, const struct ast *n)
{
	if (cl->fail || !n)
		return NULL;
	if (++cl->cp->cloned > FE_MAX_EXPANDED_NODES) {
		cl->fail = true;
		return NULL;
	}
	struct ast *c = arena_alloc(cl->cp->oa, sizeof(*c));
	if (!c) {
		cl->fail = true;
		return NULL;
	}
	*c = *n;
	c->expanded_from = clone_chain(cl, n->expanded_from, 0);
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
	case AST_LIST:
		c->u.nary.items = clone_items(cl, n->u.nary.items, n->u.nary.n);
		break;
	case AST_NOT:
		c->u.not_.child = clone_node(cl, n->u.not_.child);
		break;
	case AST_CHECK:
		c->u.check.lhs = clone_node(cl, n->u.check.lhs);
		c->u.check.rhs = n->u.check.rhs ? clone_node(cl, n->u.check.rhs) : NULL;
		break;
	case AST_XFORM:
		c->u.xform.args = clone_items(cl, n->u.xform.args, n->u.xform.nargs);
		break;
	case AST_REF:
	case AST_FIELD:
	case AST_VALUE:
	case AST_BOOL:
	case AST__COUNT:
		break;
	}
	return cl->fail ? NULL : c;
}

/* Falco's filter_macro_resolver over one condition */
struct mres {
	struct comp *cp;
	uint32_t visibility;
	const char **path;	/* macros being expanded, outermost first */
	uint32_t depth;
	const char *loop_name, *unk_name, *fatal;
	const struct ast *loop_node, *unk_node, *fatal_node;
};

static struct ast *mres_visit(struct mres *r, struct ast *n);

static struct ast *mres_ref(struct mres *r, struct ast *n)
{
	struct comp *cp = r->cp;
	struct collector *c = &cp->fe->col;
	int j = idx_find(&c->macro_idx, n->u.ref.name);
	if (j < 0 || c->macros[j]->index >= r->visibility || !cp->out->macros[j].cond) {
		if (!r->unk_name) {
			r->unk_name = n->u.ref.name;
			r->unk_node = n;
		}
		return n;
	}
	for (uint32_t i = 0; i < r->depth; i++) {
		if (strcmp(r->path[i], n->u.ref.name))
			continue;
		if (!r->loop_name) {
			r->loop_name = n->u.ref.name;
			r->loop_node = n;
		}
		if (!r->unk_name) {
			r->unk_name = n->u.ref.name;
			r->unk_node = n;
		}
		return n;
	}
	if (r->depth >= cp->max_macro_depth) {
		r->fatal = arena_printf(cp->fe->a, "macro expansion deeper than %u (limit)",
					cp->max_macro_depth);
		r->fatal_node = n;
		return n;
	}
	struct cloner cl = { .cp = cp, .ref = n };
	struct ast *copy = clone_node(&cl, cp->out->macros[j].cond);
	if (!copy) {
		r->fatal = cp->cloned > FE_MAX_EXPANDED_NODES
				   ? "condition too large after macro expansion (limit)"
				   : "out of memory";
		r->fatal_node = n;
		return n;
	}
	r->path[r->depth++] = n->u.ref.name;
	struct ast *res = mres_visit(r, copy);
	r->depth--;
	cp->mused[j] = true;
	return res;
}

static struct ast *mres_visit(struct mres *r, struct ast *n)
{
	if (r->fatal)
		return n;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			n->u.nary.items[i] = mres_visit(r, n->u.nary.items[i]);
		return n;
	case AST_NOT:
		n->u.not_.child = mres_visit(r, n->u.not_.child);
		return n;
	case AST_REF:
		return mres_ref(r, n);
	case AST_CHECK:
	case AST_FIELD:
	case AST_XFORM:
	case AST_VALUE:
	case AST_LIST:
	case AST_BOOL:
	case AST__COUNT:
		break;
	}
	return n;
}

/*
 * resolve_macros(): replace macro references in *@root; macros with index < @visibility
 * are visible. Errors (first loop, else first undefined name) under @parent.
 */
static int resolve_macros(struct comp *cp, struct ast **root, uint32_t visibility,
			  const struct diag_loc *parent, const char *pre)
{
	struct mres r = { .cp = cp, .visibility = visibility };
	r.path = malloc((cp->max_macro_depth + 1) * sizeof(*r.path));
	if (!r.path)
		return oom(cp->fe, parent);
	*root = mres_visit(&r, *root);
	free(r.path);
	char *m = NULL;
	const struct ast *node = NULL;
	if (r.fatal) {
		m = (char *)r.fatal;
		node = r.fatal_node;
	} else if (r.loop_name) {
		m = arena_printf(cp->fe->a, "reference loop in macro '%s'", r.loop_name);
		node = r.loop_node;
	} else if (r.unk_name) {
		m = arena_printf(cp->fe->a, "Undefined macro '%s' used in filter.", r.unk_name);
		node = r.unk_node;
	}
	if (!node)
		return 0;
	return cond_fail(cp, DIAG_E_VALIDATE, m ? m : "out of memory", parent, 0, 0, node, pre);
}

static int parse_text(struct comp *cp, const struct lstr *cond, const struct diag_loc *parent,
		      struct ast **out, uint32_t *src)
{
	struct lstr text;
	int rc = subst_lists(cp, cond, &text);
	if (rc == -2)
		return fe_fail(cp->fe, DIAG_E_COMPILE_CONDITION,
			       arena_printf(cp->fe->a, "condition longer than %u bytes after list "
						       "substitution (limit)", cp->max_cond),
			       parent, NULL, NULL);
	if (rc)
		return -1;
	if (add_src(cp, &text, cond->s, src))
		return oom(cp->fe, parent);
	struct parse_error pe = { 0 };
	*out = parse_condition(cp->oa, text.s, text.len, *src, &pe);
	if (!*out)
		return cond_fail(cp, DIAG_E_COMPILE_CONDITION, pe.msg ? pe.msg : "out of memory",
				 parent, *src, pe.offset, NULL, cond->s);
	return 0;
}

static int compile_macros(struct comp *cp)
{
	struct collector *c = &cp->fe->col;
	struct expand_output *out = cp->out;
	out->nmacros = c->nmacros;
	out->macros = arena_alloc(cp->oa, (c->nmacros + 1) * sizeof(*out->macros));
	if (!out->macros)
		return oom(cp->fe, NULL);
	for (uint32_t i = 0; i < c->nmacros; i++) {
		const struct col_macro *m = c->macros[i];
		uint32_t src;
		out->macros[i].info = m;
		if (parse_text(cp, &m->cond, m->cond_ctx, &out->macros[i].cond, &src))
			return -1;
	}
	for (uint32_t i = 0; i < c->nmacros; i++) {
		const struct col_macro *m = c->macros[i];
		if (resolve_macros(cp, &out->macros[i].cond, m->visibility, m->ctx, m->cond.s))
			return -1;
	}
	for (uint32_t i = 0; i < c->nmacros; i++)
		out->macros[i].cond_text = ast_canonical(cp->oa, out->macros[i].cond);
	return 0;
}

/* ---------------------------------------------------------------- compile: rules */

static bool tags_include(const struct col_rule *r, const char *const *tags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (uint32_t j = 0; j < r->ntags && !found; j++)
			found = !strcmp(r->tags[j], tags[i]);
		if (!found)
			return false;
	}
	return true;
}

static bool extra_applies(const struct loader_extra *e, const struct col_rule *r)
{
	if (e->source && e->source[0] && strcmp(e->source, r->source))
		return false;
	if (!tags_include(r, e->tags, e->ntags))
		return false;
	return !(e->rule && e->rule[0] && strcmp(e->rule, r->name));
}

static char *replace_all(struct arena *a, const char *s, const char *what)
{
	size_t wl = strlen(what), n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (const char *p = s; *p;) {
		if (!strncmp(p, what, wl)) {
			p += wl;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = 0;
	return out;
}

static const char *const deprecated_fields[] = { "evt.dir", "evt.latency", "evt.latency.s",
						 "evt.latency.ns", "evt.latency.human",
						 "evt.wait_latency" };

static void deprecated_in_output(struct comp *cp, const struct col_rule *r, const char *fmt)
{
	for (size_t i = 0; i < sizeof(deprecated_fields) / sizeof(deprecated_fields[0]); i++) {
		if (!strstr(fmt, deprecated_fields[i]))
			continue;
		char *m = arena_printf(cp->fe->a, "usage of deprecated field '%s' has been detected "
						  "in the rule output", deprecated_fields[i]);
		item_warn(cp, DIAG_W_DEPRECATED_ITEM, m ? m : "out of memory", r->output_ctx, r->file,
			  deprecated_fields[i]);
	}
}

/* put the pending output error at the failing %token when it lies in the YAML value */
static void output_error_pos(struct fe *fe, const struct col_rule *r, size_t eoff)
{
	const struct ynode *n = r->output_node;
	if (!fe->has_err || !n || n->kind != YN_SCALAR || !r->file)
		return;
	size_t lead = strspn(n->str, " \t\n\r\f\v");
	if (lead + eoff >= n->len || strncmp(n->str + lead, r->output, eoff + 1))
		return;
	size_t off;
	if (yaml_value_offset(r->file, n, lead + eoff, &off)) {
		fe->err.offset = off;
		fe->err.has_offset = true;
	}
	/* Falco's message names no field: say which token did not resolve */
	const char *t = r->output + eoff + 1;
	size_t tl = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
	if (tl && !strncmp(fe->err.msg, "unknown filter:", 15)) {
		struct diag_note *note = arena_alloc(fe->a, sizeof(*note));
		if (note) {
			note->msg = arena_printf(fe->a, "'%%%.*s' is not a known field or transformer",
						 (int)tl, t);
			if (note->msg)
				fe->err.notes = note;
		}
	}
}

/* steps 2-5 of a rule: output with extra formats, %container.info, validation */
static int compile_output(struct comp *cp, const struct col_rule *r, struct frc_rule *fr,
			  bool *skip)
{
	struct fe *fe = cp->fe;
	const struct loader_opts *o = fe->o;
	const char *out = r->output;
	for (size_t i = 0; i < o->nextra_formats; i++) {
		const struct loader_extra *e = &o->extra_formats[i];
		if (extra_applies(e, r))
			out = arena_printf(cp->oa, "%s %s", out, e->format ? e->format : "");
		if (!out)
			return oom(fe, r->ctx);
	}
	if (strstr(out, "%container.info")) {
		item_warn(cp, DIAG_W_DEPRECATED_ITEM,
			  "%container.info is deprecated and no more useful, and will be dropped by "
			  "Falco 1.0.0. The container plugin will automatically add required fields "
			  "to the output message.",
			  r->ctx, r->file, NULL);
		out = replace_all(cp->oa, out, "%container.info");
		if (!out)
			return oom(fe, r->ctx);
	}
	/* extra fields: a map by key (a later entry replaces an earlier one) */
	struct frc_extra_field *xf = NULL;
	uint32_t nxf = 0;
	if (o->nextra_fields) {
		xf = arena_alloc(cp->oa, o->nextra_fields * sizeof(*xf));
		if (!xf)
			return oom(fe, r->ctx);
	}
	for (size_t i = 0; i < o->nextra_fields; i++) {
		const struct loader_extra *e = &o->extra_fields[i];
		if (!extra_applies(e, r) || !e->key)
			continue;
		const char *fmt = e->raw || !e->format ? arena_printf(cp->oa, "%%%s", e->key)
						       : e->format;
		uint32_t k = 0;
		while (k < nxf && strcmp(xf[k].key, e->key))
			k++;
		xf[k].key = e->key;
		xf[k].format = fmt;
		xf[k].raw = e->raw;
		if (k == nxf)
			nxf++;
	}
	const char *err = NULL;
	size_t eoff = 0;
	if (check_output(cp->oa, &cp->env, out, &err, NULL, NULL, &eoff)) {
		if (check_is_unknown_filter_error(err) && r->skip_if_unknown_filter) {
			item_warn(cp, DIAG_W_UNKNOWN_FILTER, err, r->output_ctx, r->file, NULL);
			*skip = true;
			return 0;
		}
		fe_fail(fe, DIAG_E_COMPILE_OUTPUT, err, r->output_ctx, r->file, NULL);
		output_error_pos(fe, r, eoff);
		return -1;
	}
	deprecated_in_output(cp, r, out);
	for (uint32_t i = 0; i < nxf; i++) {
		if (xf[i].format &&
		    check_output(cp->oa, &cp->env, xf[i].format, &err, NULL, NULL, NULL))
			return fe_fail(fe, DIAG_E_COMPILE_OUTPUT, err, r->output_ctx, r->file, NULL);
		if (xf[i].format)
			deprecated_in_output(cp, r, xf[i].format);
	}
	fr->output = out;
	fr->extra_fields = xf;
	fr->nextra_fields = nxf;
	return 0;
}

struct wctx {
	struct comp *cp;
	const struct col_rule *r;
	uint32_t src;
	const char *pre;
};

static void on_cond_warning(void *ctx, const struct cond_warning *w)
{
	struct wctx *x = ctx;
	enum diag_code code = w->code == WARN_UNSAFE_NA_CHECK ? DIAG_W_UNSAFE_NA_CHECK
			      : w->code == WARN_DEPRECATED_ITEM ? DIAG_W_DEPRECATED_ITEM
								: DIAG_W_COMPILE_CONDITION;
	/* Falco reports the resolver's warnings at the start of the rule condition */
	cond_warn(x->cp, code, w->msg ? w->msg : "", x->r->cond_ctx, x->src, 0, NULL, x->pre,
		  w->field);
}

/* steps 6-10: lists, parse, macros, warnings, checking, event types */
static int compile_condition(struct comp *cp, const struct col_rule *r, const struct lstr *cond,
			     struct frc_rule *fr, bool *skip)
{
	struct fe *fe = cp->fe;
	struct ast *root;
	uint32_t src;
	if (parse_text(cp, cond, r->cond_ctx, &root, &src))
		return -1;
	if (resolve_macros(cp, &root, UINT32_MAX, r->ctx, cond->s))
		return -1;
	fr->cond_text = ast_canonical(cp->oa, root);
	if (!fr->cond_text)
		return oom(fe, r->ctx);
	struct wctx wx = { cp, r, src, cond->s };
	warn_resolve(root, on_cond_warning, &wx);
	struct check_result res;
	if (check_condition(cp->oa, &cp->env, root, &res)) {
		if (check_is_unknown_filter_error(res.err) && r->skip_if_unknown_filter) {
			cond_warn(cp, DIAG_W_UNKNOWN_FILTER, res.err, r->cond_ctx, src, 0,
				  res.err_node, cond->s, NULL);
			*skip = true;
			return 0;
		}
		return cond_fail(cp, DIAG_E_COMPILE_CONDITION, res.err, r->cond_ctx, src, 0,
				 res.err_node, cond->s);
	}
	for (uint32_t i = 0; i < res.nwarnings; i++)
		cond_warn(cp, DIAG_W_COMPILE_CONDITION, res.warnings[i].msg, r->cond_ctx, src, 0,
			  res.warnings[i].node, cond->s, NULL);
	fr->cond = root;
	if (!strcmp(r->source, "syscall")) {
		const char *err = NULL;
		if (check_evttypes(root, &fr->evttypes, &err))
			return cond_fail(cp, DIAG_E_COMPILE_CONDITION, err, r->cond_ctx, src, 0, NULL,
					 cond->s);
		if (check_evtset_count(&fr->evttypes) > 100 && r->warn_evttypes)
			item_warn(cp, DIAG_W_NO_EVTTYPE,
				  "Rule matches too many evt.type values. This has a significant "
				  "performance penalty.",
				  r->ctx, r->file, NULL);
	} else {
		fr->evttypes.all = true;
	}
	return 0;
}

static int compile_rules(struct comp *cp)
{
	struct fe *fe = cp->fe;
	struct collector *c = &fe->col;
	struct expand_output *out = cp->out;
	out->rules.rules = arena_alloc(cp->oa, (c->nrules + 1) * sizeof(*out->rules.rules));
	out->extra = arena_alloc(cp->oa, (c->nrules + 1) * sizeof(*out->extra));
	if (!out->rules.rules || !out->extra)
		return oom(fe, NULL);
	for (uint32_t i = 0; i < c->nrules; i++) {
		const struct col_rule *r = c->rules[i];
		if (r->unknown_source)
			continue;
		uint32_t k = out->rules.nrules;
		struct frc_rule *fr = &out->rules.rules[k];
		struct cl_rule_extra *x = &out->extra[k];
		memset(fr, 0, sizeof(*fr));
		memset(x, 0, sizeof(*x));
		x->info = r;
		struct lstr cond = r->cond;
		if (r->nexceptions && build_exceptions(cp, r, &cond, x))
			return -1;
		bool skip = false;
		if (compile_output(cp, r, fr, &skip))
			return -1;
		if (skip)
			continue;
		if (compile_condition(cp, r, &cond, fr, &skip))
			return -1;
		if (skip)
			continue;
		fr->id = k;
		fr->name = r->name;
		fr->desc = r->desc;
		fr->priority = r->priority;
		fr->tags = r->tags;
		fr->ntags = r->ntags;
		fr->source = r->source;
		fr->enabled = r->enabled && r->priority <= fe->o->min_priority;
		fr->warn_evttypes = r->warn_evttypes;
		fr->skip_if_unknown_filter = r->skip_if_unknown_filter;
		fr->capture = r->capture;
		fr->capture_duration = r->capture_duration;
		fr->file = r->file ? r->file->name : "";
		fr->line = r->line;
		fr->col = r->col;
		out->rules.nrules++;
	}
	return 0;
}

int expand_compile(struct fe *fe, struct arena *oa, struct expand_output *out)
{
	memset(out, 0, sizeof(*out));
	const struct loader_limits *lim = &fe->o->limits;
	struct comp cp = {
		.fe = fe,
		.oa = oa,
		.out = out,
		.env = { fe->o->container_plugin },
		.max_cond = lim->max_cond ? lim->max_cond : DEF_MAX_COND,
		.max_macro_depth = lim->max_macro_depth ? lim->max_macro_depth : DEF_MAX_MACRO_DEPTH,
	};
	cp.mused = calloc(fe->col.nmacros + 1, sizeof(*cp.mused));
	int rc = cp.mused ? 0 : oom(fe, NULL);
	if (!rc)
		rc = compile_lists(&cp);
	if (!rc)
		rc = compile_macros(&cp);
	if (!rc)
		rc = compile_rules(&cp);
	if (!rc) {
		for (uint32_t i = 0; i < out->nmacros; i++) {
			out->macros[i].used = cp.mused[i];
			if (!cp.mused[i])
				item_warn(&cp, DIAG_W_UNUSED_MACRO,
					  "Macro not referred to by any other rule/macro",
					  out->macros[i].info->ctx, out->macros[i].info->file, NULL);
		}
		for (uint32_t i = 0; i < out->nlists; i++)
			if (!out->lists[i].used)
				item_warn(&cp, DIAG_W_UNUSED_LIST,
					  "List not referred to by any other rule/macro",
					  out->lists[i].info->ctx, out->lists[i].info->file, NULL);
	}
	free(cp.mused);
	free(cp.srcs);
	if (rc) {
		fe_flush_error(fe);
		return -1;
	}
	return 0;
}

char *expand_resolve_list_text(struct arena *a, const char *in, const char *name,
			       const char *const *items, uint32_t nitems, bool *used)
{
	struct col_list l = { .name = name, .items = (const char **)items, .nitems = nitems };
	struct cl_list cl = { .info = &l, .items = (const char **)items, .nitems = nitems };
	struct expand_output out = { .lists = &cl, .nlists = 1 };
	struct loader_opts o;
	loader_opts_init(&o);
	struct fe fe = { .a = a, .o = &o };
	struct comp cp = { .fe = &fe, .oa = a, .out = &out, .max_cond = DEF_MAX_COND };
	/* the substitution text, built as compile_lists() does */
	size_t len = 0;
	for (uint32_t k = 0; k < nitems; k++)
		len += strlen(items[k]) + 4;
	char *sub = arena_alloc(a, len + 1);
	if (!sub)
		return NULL;
	size_t o2 = 0;
	for (uint32_t k = 0; k < nitems; k++) {
		o2 += (size_t)sprintf(sub + o2, needs_quotes(items[k]) ? "%s\"%s\"" : "%s%s",
				      k ? ", " : "", items[k]);
	}
	const char *subs[1] = { sub };
	uint32_t sublens[1] = { (uint32_t)o2 };
	cp.subs = subs;
	cp.sublens = sublens;
	struct lstr cur = { in, (uint32_t)strlen(in), NULL, 0 };
	*used = false;
	if (subst_list(&cp, &cur, 0, used))
		return NULL;
	return (char *)cur.s;
}
