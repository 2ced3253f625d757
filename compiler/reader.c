/* SPDX-License-Identifier: Apache-2.0
 *
 * The rule reader (see reader.h): Falco's item decoding, key by key, in Falco's order, so
 * the first error and every warning match what `falco -V` reports.
 */
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expand.h"
#include "load_yaml.h"
#include "loader.h"
#include "runtime/version.h"

#define WARNING_APPEND                                                                         \
	"'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under "   \
	"'override' instead."
#define WARNING_ENABLED                                                                        \
	"The standalone 'enabled' key usage is deprecated. The correct approach requires also a " \
	"'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERROR_OVERRIDE_APPEND                                                                  \
	"Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry "   \
	"(e.g. 'condition: append') under 'override' instead."

struct rd {
	struct fe *fe;
	const struct yfile *f;
};

static int yfail(struct rd *r, const char *msg, const struct diag_loc *ctx,
		 const struct ynode *node)
{
	return fe_fail(r->fe, DIAG_E_YAML_VALIDATE, msg, ctx, r->f, node);
}

static struct diag_loc *loc(struct rd *r, const struct diag_loc *parent, enum diag_item t,
			    const char *name, const struct ynode *node)
{
	return fe_loc(r->fe, parent, t, name, r->f, node);
}

static char *printf_a(struct rd *r, const char *fmt, const char *s)
{
	/* every format here has exactly one %s */
	size_t n = strlen(fmt) + strlen(s);
	char *m = arena_alloc(r->fe->a, n + 1);
	if (!m)
		return (char *)"out of memory";
	const char *p = strstr(fmt, "%s");
	size_t pre = p ? (size_t)(p - fmt) : strlen(fmt);
	memcpy(m, fmt, pre);
	if (p) {
		strcpy(m + pre, s);
		strcat(m, p + 2);
	} else {
		m[pre] = 0;
	}
	return m;
}

static bool is_scalar(const struct ynode *n)
{
	return n && n->kind == YN_SCALAR;
}

enum vkind { V_STR, V_BOOL, V_U32 };

/**
 * decode() - Falco's decode_val_generic for one key of @item.
 * @optional: absent is fine; @can_be_empty: null or "" is fine (value left untouched)
 * *@present is set when a value was decoded.
 */
static int decode(struct rd *r, const struct ynode *item, const char *key, bool optional,
		  bool can_be_empty, enum vkind k, void *out, bool *present,
		  const struct diag_loc *ctx)
{
	const struct ynode *v = ynode_get(item, key);
	if (present)
		*present = false;
	if (!v && optional)
		return 0;
	if (!v)
		return yfail(r, printf_a(r, "Item has no mapping for key '%s'", key), ctx, item);
	if (v->kind == YN_NULL && can_be_empty)
		return 0;
	if (v->kind == YN_NULL)
		return yfail(r, printf_a(r, "Mapping for key '%s' is empty", key), ctx, item);
	struct diag_loc *vctx = loc(r, ctx, DI_VALUE_FOR, key, v);
	if (!is_scalar(v))
		return yfail(r, "Value is not a scalar value", vctx, v);
	if (!v->len && can_be_empty)
		return 0;
	if (!v->len)
		return yfail(r, "Value must be non-empty", vctx, v);
	switch (k) {
	case V_STR:
		*(const char **)out = v->str;
		break;
	case V_BOOL:
		if (!ynode_bool(v, out))
			return yfail(r, "Can't decode YAML scalar value", vctx, v);
		break;
	case V_U32:
		if (!ynode_u32(v, out))
			return yfail(r, "Can't decode YAML scalar value", vctx, v);
		break;
	}
	if (present)
		*present = true;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Falco's decode_seq (items / tags): @set sorts and deduplicates. */
static int decode_seq(struct rd *r, const struct ynode *item, const char *key, bool optional,
		      bool set, const char ***out, uint32_t *nout, const struct diag_loc *ctx)
{
	const struct ynode *v = ynode_get(item, key);
	*out = NULL;
	*nout = 0;
	if (!v && optional)
		return 0;
	if (!v)
		return yfail(r, printf_a(r, "Item has no mapping for key '%s'", key), ctx, item);
	struct diag_loc *vctx = loc(r, ctx, DI_VALUE_FOR, key, v);
	if (v->kind != YN_SEQ)
		return yfail(r, "Value is not a sequence", vctx, v);
	uint32_t max = r->fe->o->limits.max_items;
	if (max && v->n > max)
		return yfail(r, "Too many sequence values (limit reached)", vctx, v);
	const char **items = arena_alloc(r->fe->a, (v->n + 1) * sizeof(*items));
	if (!items)
		return yfail(r, "out of memory", vctx, v);
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *e = v->items[i];
		if (!is_scalar(e))
			return yfail(r, "sequence value is not scalar",
				     loc(r, vctx, DI_LIST_ITEM, "", e), e);
		items[i] = e->str;
	}
	uint32_t n = v->n;
	if (set && n > 1) {
		qsort(items, n, sizeof(*items), cmp_str);
		uint32_t w = 1;
		for (uint32_t i = 1; i < n; i++)
			if (strcmp(items[i], items[w - 1]))
				items[w++] = items[i];
		n = w;
	}
	*out = items;
	*nout = n;
	return 0;
}

static bool in_set(const char *k, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(k, *set))
			return true;
	return false;
}

static void warn_unknown_keys(struct rd *r, const struct ynode *item, const char *const *expected,
			      const struct diag_loc *ctx)
{
	for (uint32_t i = 0; i < item->n; i++) {
		const struct ynode *k = item->items[2 * i];
		if (k->kind != YN_SCALAR && k->kind != YN_NULL)
			continue;
		if (in_set(k->str, expected))
			continue;
		char *m = arena_printf(r->fe->a, "Unknown key '%s'. The key will be ignored.", k->str);
		fe_warn(r->fe, DIAG_W_UNKNOWN_KEY, m, ctx, r->f, k);
	}
}

/* ---------------------------------------------------------------- override: */

struct overrides {
	const char *append[16], *replace[16];
	uint32_t nappend, nreplace;
};

static bool ov_has(const char *const *v, uint32_t n, const char *k)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(v[i], k))
			return true;
	return false;
}

static int decode_overrides(struct rd *r, const struct ynode *item, const char *const *can_append,
			    const char *const *can_replace, struct overrides *ov,
			    const struct diag_loc *ctx)
{
	const struct ynode *v = ynode_get(item, "override");
	memset(ov, 0, sizeof(*ov));
	if (!v)
		return 0;
	struct diag_loc *octx = loc(r, ctx, DI_OVERRIDE, "", item);
	if (v->kind == YN_SEQ && v->n) {	/* yaml-cpp: iterating pairs of a sequence throws */
		char m[128];
		snprintf(m, sizeof(m), "yaml-cpp: error at line %u, column %u: bad conversion",
			 v->line + 1, v->col + 1);
		return fe_fail(r->fe, DIAG_E_VALIDATE, m, ctx, r->f, v);
	}
	if (v->kind != YN_MAP)
		return 0;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *kn = v->items[2 * i], *on = v->items[2 * i + 1];
		if ((kn->kind != YN_SCALAR && kn->kind != YN_NULL) ||
		    (on->kind != YN_SCALAR && on->kind != YN_NULL)) {
			const struct ynode *bad = kn->kind == YN_SCALAR || kn->kind == YN_NULL ? on : kn;
			char m[128];
			snprintf(m, sizeof(m), "yaml-cpp: error at line %u, column %u: bad conversion",
				 bad->line + 1, bad->col + 1);
			return fe_fail(r->fe, DIAG_E_VALIDATE, m, ctx, r->f, bad);
		}
		const char *key = kn->kind == YN_NULL ? "null" : kn->str;
		const char *op = on->kind == YN_NULL ? "null" : on->str;
		bool app = in_set(key, can_append), rep = in_set(key, can_replace);
		if (!strcmp(op, "append")) {
			if (!app)
				return yfail(r,
					     printf_a(r, "Key '%s' cannot be appended to, use 'replace' "
							 "instead", key),
					     loc(r, octx, DI_OVERRIDE, key, kn), kn);
			if (ov->nappend < 16 && !ov_has(ov->append, ov->nappend, key))
				ov->append[ov->nappend++] = key;
		} else if (!strcmp(op, "replace")) {
			if (!rep)
				return yfail(r, printf_a(r, "Key '%s' cannot be replaced", key),
					     loc(r, octx, DI_OVERRIDE, key, kn), kn);
			if (ov->nreplace < 16 && !ov_has(ov->replace, ov->nreplace, key))
				ov->replace[ov->nreplace++] = key;
		} else {
			char *m = arena_printf(r->fe->a,
					       "Invalid override operation for key '%s': '%s'. Allowed "
					       "values are: %s%s",
					       key, op, app ? "append " : "", rep ? "replace " : "");
			return yfail(r, m ? m : "out of memory",
				     loc(r, octx, DI_VALUE_FOR, key, on), on);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- exceptions */

static int decode_exc_entry(struct rd *r, const struct ynode *v, const char *key,
			    struct exc_entry *out, const struct diag_loc *ctx, uint32_t depth)
{
	struct diag_loc *vctx = loc(r, ctx, DI_VALUE_FOR, key ? key : "", v);
	memset(out, 0, sizeof(*out));
	out->item = "";
	out->node = v;
	if (depth > 32)
		return yfail(r, "Exception values nested too deeply (limit reached)", vctx, v);
	if (v->kind == YN_SCALAR) {
		if (!v->len)
			return yfail(r, "Value must be non-empty", vctx, v);
		out->item = v->str;
	} else if (v->kind == YN_SEQ) {
		out->is_list = true;
		out->nitems = v->n;
		out->items = arena_alloc(r->fe->a, (v->n + 1) * sizeof(*out->items));
		if (!out->items)
			return yfail(r, "out of memory", vctx, v);
		for (uint32_t i = 0; i < v->n; i++) {
			const struct ynode *e = v->items[i];
			if (decode_exc_entry(r, e, NULL, &out->items[i],
					     loc(r, vctx, DI_EXCEPTION, "", e), depth + 1))
				return -1;
		}
	}
	return 0;
}

static int read_exceptions(struct rd *r, const struct ynode *item, bool append,
			   struct col_exception **out, uint32_t *nout, const struct diag_loc *parent)
{
	const struct ynode *exs = ynode_get(item, "exceptions");
	*out = NULL;
	*nout = 0;
	if (!exs || exs->kind == YN_NULL)
		return 0;
	struct diag_loc *ectx = loc(r, parent, DI_EXCEPTIONS, "", exs);
	if (exs->kind != YN_SEQ)
		return yfail(r, "Rule exceptions must be a sequence", ectx, exs);
	if (exs->n > 4096)	/* names are compared pairwise */
		return yfail(r, "Rule has too many exceptions (limit reached)", ectx, exs);
	struct col_exception *v = arena_alloc(r->fe->a, (exs->n + 1) * sizeof(*v));
	if (!v)
		return yfail(r, "out of memory", ectx, exs);
	uint32_t n = 0;
	for (uint32_t i = 0; i < exs->n; i++) {
		const struct ynode *ex = exs->items[i];
		struct diag_loc *tmp = loc(r, ectx, DI_EXCEPTION, "", ex);
		if (ex->kind != YN_MAP)
			return yfail(r, "Rule exception must be a mapping", tmp, ex);
		const char *name = NULL;
		if (decode(r, ex, "name", false, false, V_STR, &name, NULL, tmp))
			return -1;
		struct col_exception *e = &v[n];
		e->name = name;
		e->ctx = loc(r, parent, DI_EXCEPTION, name, ex);
		e->file = r->f;
		e->node = ex;
		for (uint32_t j = 0; j < n; j++) {
			if (strcmp(v[j].name, name))
				continue;
			char *m = arena_printf(r->fe->a,
					       "Multiple definitions of exception '%s' in the same rule",
					       name);
			fe_warn(r->fe, DIAG_W_EXCEPTION_NAME_NOT_UNIQUE, m, e->ctx, r->f, ex);
		}
		const struct ynode *fields = ynode_get(ex, "fields");
		e->fields.item = e->comps.item = "";
		if (!fields && !append)
			return yfail(r, "Item has no mapping for key 'fields'", e->ctx, ex);
		if (fields && decode_exc_entry(r, fields, "fields", &e->fields, e->ctx, 0))
			return -1;
		const struct ynode *comps = ynode_get(ex, "comps");
		if (comps && decode_exc_entry(r, comps, "comps", &e->comps, e->ctx, 0))
			return -1;
		const struct ynode *vals = ynode_get(ex, "values");
		if (vals) {
			struct diag_loc *vsctx = loc(r, e->ctx, DI_EXCEPTION_VALUES, "", vals);
			if (vals->kind != YN_SEQ)
				return yfail(r, "Rule exception values must be a sequence", vsctx,
					     vals);
			uint32_t max = r->fe->o->limits.max_items;
			if (max && vals->n > max)
				return yfail(r, "Too many exception values (limit reached)", vsctx,
					     vals);
			e->values = arena_alloc(r->fe->a, (vals->n + 1) * sizeof(*e->values));
			if (!e->values)
				return yfail(r, "out of memory", vsctx, vals);
			for (uint32_t j = 0; j < vals->n; j++) {
				const struct ynode *val = vals->items[j];
				struct diag_loc *vctx = loc(r, vsctx, DI_EXCEPTION_VALUE, "", val);
				if (decode_exc_entry(r, val, NULL, &e->values[j], vctx, 0))
					return -1;
			}
			e->nvalues = vals->n;
		} else if (append) {
			fe_warn(r->fe, DIAG_W_APPEND_NO_VALUES,
				"Overriding/appending exception with no values", e->ctx, r->f, ex);
		}
		n++;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* ---------------------------------------------------------------- items */

static bool full_match_class(const char *s, bool identifier)
{
	if (!*s)
		return false;
	if (identifier) {
		size_t i = 0;
		while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
			i++;
		if (!i)
			return false;
		for (; s[i]; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
				return false;
		return true;
	}
	for (; *s; s++)
		if (strchr("()\"' \t\n\v\f\r=,", *s))
			return false;
	return true;
}

static int parse_semver(const char *s, uint32_t v[3])
{
	return sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]) == 3 ? 0 : -1;
}

static int read_engine_version(struct rd *r, const struct ynode *item, const struct diag_loc *parent)
{
	struct diag_loc *ctx = loc(r, parent, DI_REQUIRED_ENGINE_VERSION, "", item);
	const struct ynode *v = ynode_get(item, "required_engine_version");
	uint32_t ver[3], u;
	if (v && v->kind == YN_SCALAR && v->len && ynode_u32(v, &u)) {
		ver[0] = FRC_ENGINE_VERSION_MAJOR;
		ver[1] = u;
		ver[2] = FRC_ENGINE_VERSION_PATCH;
	} else {
		const char *s = NULL;
		if (decode(r, item, "required_engine_version", false, false, V_STR, &s, NULL, ctx))
			return -1;
		if (parse_semver(s, ver))
			return yfail(r,
				     printf_a(r, "Unable to parse engine version '%s' as a semver "
						 "string. Expected \"x.y.z\" semver format.", s),
				     ctx, item);
	}
	if (col_define_engine_version(r->fe, ver, ctx, r->f, item))
		return -1;
	static const char *const keys[] = { "required_engine_version", NULL };
	warn_unknown_keys(r, item, keys, ctx);
	return 0;
}

static int read_plugin_alt(struct rd *r, const struct ynode *p, enum diag_item t,
			   const struct diag_loc *parent, struct plugin_alt *out,
			   const struct diag_loc **pctx, const char *notmap)
{
	struct diag_loc *tmp = loc(r, parent, t, "", p);
	if (p->kind != YN_MAP)
		return yfail(r, notmap, tmp, p);
	if (decode(r, p, "name", false, false, V_STR, &out->name, NULL, tmp))
		return -1;
	*pctx = loc(r, parent, t, out->name, p);
	return decode(r, p, "version", false, false, V_STR, &out->version, NULL, *pctx);
}

static int read_plugin_versions(struct rd *r, const struct ynode *item,
				const struct diag_loc *parent)
{
	const struct ynode *v = ynode_get(item, "required_plugin_versions");
	struct diag_loc *ctx = loc(r, parent, DI_REQUIRED_PLUGIN_VERSIONS, "", v);
	if (v->kind != YN_SEQ)
		return yfail(r, "Value of required_plugin_versions must be a sequence", ctx, v);
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *p = v->items[i];
		const struct diag_loc *pctx = NULL, *actx = NULL;
		struct plugin_req req = { 0 };
		const struct ynode *alts = p->kind == YN_MAP ? ynode_get(p, "alternatives") : NULL;
		uint32_t nalts = alts && alts->kind == YN_SEQ ? alts->n : 0;
		req.alts = arena_alloc(r->fe->a, (nalts + 1) * sizeof(*req.alts));
		if (!req.alts)
			return yfail(r, "out of memory", ctx, p);
		if (read_plugin_alt(r, p, DI_REQUIRED_PLUGIN_VERSIONS_ENTRY, ctx, &req.alts[0], &pctx,
				    "Plugin version must be a mapping"))
			return -1;
		req.nalts = 1;
		if (alts) {
			if (alts->kind != YN_SEQ)
				return yfail(r, "Value of plugin version alternatives must be a sequence",
					     pctx, p);
			for (uint32_t j = 0; j < alts->n; j++) {
				if (read_plugin_alt(r, alts->items[j],
						    DI_REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE, pctx,
						    &req.alts[req.nalts], &actx,
						    "Plugin version alternative must be a mapping"))
					return -1;
				req.nalts++;
			}
		}
		if (col_define_plugin_req(r->fe, &req, pctx, r->f, p))
			return -1;
	}
	static const char *const keys[] = { "required_plugin_versions", NULL };
	warn_unknown_keys(r, item, keys, loc(r, parent, DI_REQUIRED_PLUGIN_VERSIONS, "", item));
	return 0;
}

static int read_list(struct rd *r, const struct ynode *item, const struct diag_loc *parent)
{
	const char *name = NULL;
	if (decode(r, item, "list", false, false, V_STR, &name, NULL,
		   loc(r, parent, DI_LIST, "", item)))
		return -1;
	struct diag_loc *ctx = loc(r, parent, DI_LIST, name, item);
	if (!full_match_class(name, false))
		fe_warn(r->fe, DIAG_W_INVALID_LIST_NAME,
			"List has an invalid name. List names should match a regular expression: "
			"([^()\"'[:space:]=,]+)",
			ctx, r->f, item);
	struct col_list *l = arena_alloc(r->fe->a, sizeof(*l));
	if (!l)
		return yfail(r, "out of memory", ctx, item);
	l->name = name;
	l->ctx = ctx;
	l->file = r->f;
	if (decode_seq(r, item, "items", false, false, &l->items, &l->nitems, ctx))
		return -1;
	bool append = false;
	if (decode(r, item, "append", true, false, V_BOOL, &append, NULL, ctx))
		return -1;
	if (append)
		fe_warn(r->fe, DIAG_W_DEPRECATED_ITEM, WARNING_APPEND, ctx, r->f, item);
	static const char *const ovk[] = { "items", NULL };
	struct overrides ov;
	if (decode_overrides(r, item, ovk, ovk, &ov, ctx))
		return -1;
	if (append && (ov.nappend || ov.nreplace))
		return yfail(r, ERROR_OVERRIDE_APPEND, ctx, item);
	append |= ov_has(ov.append, ov.nappend, "items");
	if (append ? col_append_list(r->fe, l) : col_define_list(r->fe, l))
		return -1;
	static const char *const keys[] = { "list", "items", "append", "override", NULL };
	warn_unknown_keys(r, item, keys, ctx);
	return 0;
}

static int read_macro(struct rd *r, const struct ynode *item, const struct diag_loc *parent)
{
	const char *name = NULL;
	if (decode(r, item, "macro", false, false, V_STR, &name, NULL,
		   loc(r, parent, DI_MACRO, "", item)))
		return -1;
	struct diag_loc *ctx = loc(r, parent, DI_MACRO, name, item);
	if (!full_match_class(name, true))
		fe_warn(r->fe, DIAG_W_INVALID_MACRO_NAME,
			"Macro has an invalid name. Macro names should match a regular expression: "
			"([a-zA-Z]+[a-zA-Z0-9_]*)",
			ctx, r->f, item);
	struct col_macro *m = arena_alloc(r->fe->a, sizeof(*m));
	if (!m)
		return yfail(r, "out of memory", ctx, item);
	m->name = name;
	m->ctx = ctx;
	m->file = r->f;
	const char *cond = NULL;
	if (decode(r, item, "condition", false, false, V_STR, &cond, NULL, ctx))
		return -1;
	const struct ynode *cn = ynode_get(item, "condition");
	m->cond = lstr_from_node(r->fe, r->f, cn);
	m->cond_ctx = loc(r, ctx, DI_MACRO_CONDITION, "", cn);
	bool append = false;
	if (decode(r, item, "append", true, false, V_BOOL, &append, NULL, ctx))
		return -1;
	if (append)
		fe_warn(r->fe, DIAG_W_DEPRECATED_ITEM, WARNING_APPEND, ctx, r->f, item);
	static const char *const ovk[] = { "condition", NULL };
	struct overrides ov;
	if (decode_overrides(r, item, ovk, ovk, &ov, ctx))
		return -1;
	if (append && (ov.nappend || ov.nreplace))
		return yfail(r, ERROR_OVERRIDE_APPEND, ctx, item);
	append |= ov_has(ov.append, ov.nappend, "condition");
	if (append ? col_append_macro(r->fe, m) : col_define_macro(r->fe, m))
		return -1;
	static const char *const keys[] = { "macro", "condition", "append", "override", NULL };
	warn_unknown_keys(r, item, keys, ctx);
	return 0;
}

static int parse_prio(struct rd *r, const struct ynode *item, const char *s, enum frc_priority *p,
		      const struct diag_loc *ctx)
{
	if (loader_parse_priority(s, p))
		return 0;
	const struct ynode *pn = ynode_get(item, "priority");
	return yfail(r, "Invalid priority", loc(r, ctx, DI_RULE_PRIORITY, "", pn), pn);
}

static const char *const rule_appendable[] = { "condition", "output", "desc", "tags", "exceptions",
					       NULL };
static const char *const rule_replaceable[] = { "condition", "output", "desc", "priority",
						"capture", "capture_duration", "tags", "exceptions",
						"enabled", "warn_evttypes", "skip-if-unknown-filter",
						NULL };

/* Falco's check_update_expected: @key listed under override with @op must be present. */
static int expect_key(struct rd *r, const struct ynode *item, const char **expected,
		      uint32_t *nexp, const char *const *listed, uint32_t nlisted, const char *op,
		      const char *key, bool *take, const struct diag_loc *ctx)
{
	*take = false;
	if (!ov_has(listed, nlisted, key))
		return 0;
	bool found = false;
	for (uint32_t i = 0; i < *nexp; i++) {
		if (strcmp(expected[i], key))
			continue;
		found = true;
		expected[i] = expected[--*nexp];
		break;
	}
	if (!found) {
		char *m = arena_printf(r->fe->a, "An %s override for '%s' was specified but '%s' is "
						 "not defined", op, key, key);
		return yfail(r, m ? m : "out of memory", ctx, item);
	}
	*take = true;
	return 0;
}

static int read_update(struct rd *r, const struct ynode *item, const char *name,
		       const char *source, const struct overrides *ov, bool replace,
		       const char **expected, uint32_t *nexp, const struct diag_loc *ctx)
{
	struct col_rule_update *u = arena_alloc(r->fe->a, sizeof(*u));
	if (!u)
		return yfail(r, "out of memory", ctx, item);
	u->name = name;
	u->ctx = ctx;
	u->file = r->f;
	u->source = "";
	const char *const *listed = replace ? ov->replace : ov->append;
	uint32_t nl = replace ? ov->nreplace : ov->nappend;
	const char *op = replace ? "replace" : "append";
	bool take;
	const char *s = NULL;
#define EXPECT(key) expect_key(r, item, expected, nexp, listed, nl, op, key, &take, ctx)
	if (EXPECT("condition"))
		return -1;
	if (take) {
		u->source = source;
		if (decode(r, item, "condition", false, false, V_STR, &s, NULL, ctx))
			return -1;
		u->cond = lstr_from_node(r->fe, r->f, ynode_get(item, "condition"));
		u->has_cond = true;
	}
	if (EXPECT("exceptions"))
		return -1;
	if (take) {
		if (read_exceptions(r, item, !replace, &u->exceptions, &u->nexceptions, ctx))
			return -1;
		u->has_exceptions = true;
	}
	if (EXPECT("output"))
		return -1;
	if (take && decode(r, item, "output", false, false, V_STR, &u->output, &u->has_output, ctx))
		return -1;
	if (EXPECT("desc"))
		return -1;
	if (take && decode(r, item, "desc", false, false, V_STR, &u->desc, &u->has_desc, ctx))
		return -1;
	if (EXPECT("tags"))
		return -1;
	if (take) {
		if (decode_seq(r, item, "tags", true, true, &u->tags, &u->ntags, ctx))
			return -1;
		u->has_tags = true;
	}
	if (replace) {
		if (EXPECT("priority"))
			return -1;
		if (take) {
			if (decode(r, item, "priority", false, false, V_STR, &s, NULL, ctx) ||
			    parse_prio(r, item, s, &u->priority, ctx))
				return -1;
			u->has_priority = true;
		}
		if (EXPECT("capture"))
			return -1;
		if (take && decode(r, item, "capture", false, false, V_BOOL, &u->capture,
				   &u->has_capture, ctx))
			return -1;
		if (EXPECT("capture_duration"))
			return -1;
		if (take && decode(r, item, "capture_duration", false, false, V_U32,
				   &u->capture_duration, &u->has_capture_duration, ctx))
			return -1;
		if (EXPECT("enabled"))
			return -1;
		if (take && decode(r, item, "enabled", false, false, V_BOOL, &u->enabled,
				   &u->has_enabled, ctx))
			return -1;
		if (EXPECT("warn_evttypes"))
			return -1;
		if (take && decode(r, item, "warn_evttypes", false, false, V_BOOL, &u->warn_evttypes,
				   &u->has_warn_evttypes, ctx))
			return -1;
		if (EXPECT("skip-if-unknown-filter"))
			return -1;
		if (take && decode(r, item, "skip-if-unknown-filter", false, false, V_BOOL,
				   &u->skip_if_unknown_filter, &u->has_skip, ctx))
			return -1;
	}
#undef EXPECT
	return replace ? col_replace_rule(r->fe, u) : col_append_rule(r->fe, u);
}

static int read_rule_override(struct rd *r, const struct ynode *item, const char *name,
			      const char *source, const struct overrides *ov,
			      const struct diag_loc *ctx)
{
	const char *expected[32];
	uint32_t nexp = 0;
	for (const char *const *k = rule_replaceable; *k; k++)
		if (ynode_get(item, *k))
			expected[nexp++] = *k;
	if (ov->nappend && read_update(r, item, name, source, ov, false, expected, &nexp, ctx))
		return -1;
	if (ov->nreplace && read_update(r, item, name, source, ov, true, expected, &nexp, ctx))
		return -1;
	if (nexp) {
		/* std::set order: the alphabetically first leftover key */
		qsort(expected, nexp, sizeof(*expected), cmp_str);
		const struct ynode *kn = ynode_get_key(item, expected[0]);
		char *m = arena_printf(r->fe->a, "Unexpected key '%s': no corresponding entry under "
						 "'override' is defined.", expected[0]);
		return yfail(r, m ? m : "out of memory",
			     loc(r, ctx, DI_OVERRIDE, expected[0], ynode_get(item, expected[0])),
			     kn ? kn : item);
	}
	return 0;
}

static char *trim(struct rd *r, const char *s)
{
	const char *ws = " \t\n\r\f\v";
	while (*s && strchr(ws, *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(ws, s[n - 1]))
		n--;
	return arena_strndup(r->fe->a, s, n);
}

static int read_rule_definition(struct rd *r, const struct ynode *item, const char *name,
				const struct diag_loc *ctx)
{
	struct col_rule *v = arena_alloc(r->fe->a, sizeof(*v));
	if (!v)
		return yfail(r, "out of memory", ctx, item);
	v->name = name;
	v->ctx = v->cond_ctx = v->output_ctx = ctx;
	v->file = r->f;
	v->enabled = true;
	v->warn_evttypes = true;
	v->line = item->line + 1;
	v->col = item->col + 1;
	const char *cond = NULL, *prio = NULL;
	if (decode(r, item, "condition", false, false, V_STR, &cond, NULL, ctx))
		return -1;
	const struct ynode *cn = ynode_get(item, "condition");
	v->cond = lstr_from_node(r->fe, r->f, cn);
	v->cond_ctx = loc(r, ctx, DI_RULE_CONDITION, "", cn);
	if (decode(r, item, "output", false, false, V_STR, &v->output, NULL, ctx))
		return -1;
	v->output_node = ynode_get(item, "output");
	v->output_ctx = loc(r, ctx, DI_RULE_OUTPUT, "", v->output_node);
	if (decode(r, item, "desc", false, false, V_STR, &v->desc, NULL, ctx) ||
	    decode(r, item, "priority", false, false, V_STR, &prio, NULL, ctx))
		return -1;
	v->output = trim(r, v->output);
	if (!v->output)
		return yfail(r, "out of memory", ctx, item);
	v->source = "syscall";
	if (parse_prio(r, item, prio, &v->priority, ctx))
		return -1;
	if (decode(r, item, "source", true, false, V_STR, &v->source, NULL, ctx) ||
	    decode(r, item, "enabled", true, false, V_BOOL, &v->enabled, NULL, ctx) ||
	    decode(r, item, "capture", true, false, V_BOOL, &v->capture, NULL, ctx) ||
	    decode(r, item, "capture_duration", true, false, V_U32, &v->capture_duration, NULL,
		   ctx) ||
	    decode(r, item, "warn_evttypes", true, false, V_BOOL, &v->warn_evttypes, NULL, ctx) ||
	    decode(r, item, "skip-if-unknown-filter", true, false, V_BOOL,
		   &v->skip_if_unknown_filter, NULL, ctx) ||
	    decode_seq(r, item, "tags", true, true, &v->tags, &v->ntags, ctx) ||
	    read_exceptions(r, item, false, &v->exceptions, &v->nexceptions, ctx))
		return -1;
	return col_define_rule(r->fe, v);
}

static int read_rule(struct rd *r, const struct ynode *item, const struct diag_loc *parent)
{
	const char *name = NULL;
	if (decode(r, item, "rule", false, false, V_STR, &name, NULL,
		   loc(r, parent, DI_RULE, "", item)))
		return -1;
	struct diag_loc *ctx = loc(r, parent, DI_RULE, name, item);
	const char *source = "";
	if (decode(r, item, "source", true, true, V_STR, &source, NULL, ctx))
		return -1;
	bool append = false;
	if (decode(r, item, "append", true, false, V_BOOL, &append, NULL, ctx))
		return -1;
	if (append)
		fe_warn(r->fe, DIAG_W_DEPRECATED_ITEM, WARNING_APPEND, ctx, r->f, item);
	struct overrides ov;
	if (decode_overrides(r, item, rule_appendable, rule_replaceable, &ov, ctx))
		return -1;
	bool has_ov = ov.nappend || ov.nreplace;
	if (append && has_ov)
		return yfail(r, ERROR_OVERRIDE_APPEND, ctx, item);
	int rc;
	if (has_ov) {
		rc = read_rule_override(r, item, name, source, &ov, ctx);
	} else if (append) {
		struct col_rule_update *u = arena_alloc(r->fe->a, sizeof(*u));
		if (!u)
			return yfail(r, "out of memory", ctx, item);
		u->name = name;
		u->ctx = ctx;
		u->file = r->f;
		u->source = source;
		const char *s;
		if (ynode_get(item, "condition")) {
			if (decode(r, item, "condition", false, false, V_STR, &s, NULL, ctx))
				return -1;
			u->cond = lstr_from_node(r->fe, r->f, ynode_get(item, "condition"));
			u->has_cond = true;
		}
		if (ynode_get(item, "exceptions")) {
			if (read_exceptions(r, item, true, &u->exceptions, &u->nexceptions, ctx))
				return -1;
			u->has_exceptions = true;
		}
		rc = col_append_rule(r->fe, u);
	} else if (!ynode_get(item, "condition") && !ynode_get(item, "output") &&
		   !ynode_get(item, "desc") && !ynode_get(item, "priority")) {
		bool enabled = true;
		if (decode(r, item, "enabled", false, false, V_BOOL, &enabled, NULL, ctx))
			return -1;
		fe_warn(r->fe, DIAG_W_DEPRECATED_ITEM, WARNING_ENABLED, ctx, r->f, item);
		rc = col_enable_rule(r->fe, name, enabled, ctx, r->f, item);
	} else {
		rc = read_rule_definition(r, item, name, ctx);
	}
	if (rc)
		return rc;
	static const char *const keys[] = { "rule", "condition", "output", "desc", "priority",
					    "source", "enabled", "capture", "capture_duration",
					    "warn_evttypes", "skip-if-unknown-filter", "tags",
					    "exceptions", "override", "append", NULL };
	warn_unknown_keys(r, item, keys, ctx);
	return 0;
}

static int read_item(struct rd *r, const struct ynode *item, const struct diag_loc *parent)
{
	if (item->kind != YN_MAP)
		return yfail(r, "Unexpected element type. Each element should be a yaml associative "
				"array.",
			     loc(r, parent, DI_RULES_CONTENT_ITEM, "", item), item);
	if (ynode_get_key(item, "required_engine_version"))
		return read_engine_version(r, item, parent);
	if (ynode_get_key(item, "required_plugin_versions"))
		return read_plugin_versions(r, item, parent);
	if (ynode_get_key(item, "list"))
		return read_list(r, item, parent);
	if (ynode_get_key(item, "macro"))
		return read_macro(r, item, parent);
	if (ynode_get_key(item, "rule"))
		return read_rule(r, item, parent);
	fe_warn(r->fe, DIAG_W_UNKNOWN_ITEM, "Unknown top level item",
		loc(r, parent, DI_RULES_CONTENT_ITEM, "", item), r->f, item);
	return 0;
}

int reader_read(struct fe *fe, const struct yfile *f, const struct diag_loc *root)
{
	struct rd r = { fe, f };
	for (uint32_t d = 0; d < f->ndocs; d++) {
		const struct ynode *doc = f->docs[d];
		if (!doc || doc->kind == YN_NULL)
			continue;
		if (doc->kind == YN_SCALAR)
			return yfail(&r, "Rules content is not yaml", root, NULL);
		if (doc->kind != YN_SEQ)
			return yfail(&r, "Rules content is not yaml array of objects", root, NULL);
		for (uint32_t i = 0; i < doc->n; i++) {
			const struct ynode *item = doc->items[i];
			if (item->kind == YN_NULL)
				continue;
			if (read_item(&r, item, root))
				return -1;
		}
	}
	return 0;
}
