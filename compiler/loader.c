/* SPDX-License-Identifier: Apache-2.0
 *
 * The front-end driver (see loader.h): read files, parse YAML, check the schema, read items
 * into one collector, compile after each file, check plugin requirements; then print the
 * per-file results (text, Falco JSON, Falco text) or a description of what was loaded.
 */
#include "loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "expand.h"
#include "load_yaml.h"
#include "parse.h"
#include "reader.h"
#include "runtime/evtab.h"
#include "runtime/strv.h"
#include "runtime/version.h"

#define DEF_MAX_FILE_SIZE ((size_t)64 << 20)

/**
 * struct loader_catalog - what the last compile produced, for describe.
 */
struct loader_catalog {
	struct expand_output eo;
	struct collector col;
	struct check_env env;
};

static const char *const prio_names[PRIO__COUNT] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *loader_priority_name(enum frc_priority p)
{
	return (unsigned)p < PRIO__COUNT ? prio_names[p] : "Unknown";
}

bool loader_parse_priority(const char *s, enum frc_priority *out)
{
	for (int i = 0; i < PRIO__COUNT; i++) {
		if (!strcasecmp(s, prio_names[i]) ||
		    (i == PRIO_INFORMATIONAL && !strcasecmp(s, "info"))) {
			*out = (enum frc_priority)i;
			return true;
		}
	}
	return false;
}

void loader_opts_init(struct loader_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->container_plugin = true;
	o->check_plugin_requirements = true;
	o->min_priority = PRIO_DEBUG;
}

size_t loader_error_count(const struct loader_results *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfiles; i++)
		n += r->files[i].errors.n;
	return n + (r->plugin_error != NULL);
}

size_t loader_warning_count(const struct loader_results *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfiles; i++)
		n += r->files[i].warnings.n + r->files[i].warnings.dropped;
	return n;
}

/* ---------------------------------------------------------------- plugin requirements */

static bool semver(const char *s, unsigned v[3])
{
	return s && sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]) == 3;
}

static bool compatible(const unsigned have[3], const unsigned req[3])
{
	if (have[0] != req[0])
		return false;
	for (int i = 0; i < 3; i++)
		if (have[i] != req[i])
			return have[i] > req[i];
	return true;
}

/* Falco's check_plugin_requirements(); NULL when satisfied, else the message */
static const char *check_plugins(struct arena *a, const struct collector *c,
				 const struct loader_opts *o)
{
	for (uint32_t i = 0; i < c->nplugin_reqs; i++) {
		const struct plugin_req *r = &c->plugin_reqs[i];
		bool matched = false;
		for (uint32_t k = 0; k < r->nalts && !matched; k++) {
			const struct plugin_alt *alt = &r->alts[k];
			const char *have = NULL, *pname = alt->name;
			for (size_t p = 0; p < o->nplugins && !have; p++)
				if (o->plugins[p].name && !strcmp(o->plugins[p].name, alt->name))
					have = o->plugins[p].version ? o->plugins[p].version : "";
			if (!have && o->container_plugin && !strcmp(alt->name, "container"))
				have = LOADER_CONTAINER_PLUGIN_VERSION;
			if (!have)
				continue;
			matched = true;
			unsigned hv[3], rv[3];
			if (!semver(have, hv))
				return arena_printf(a, "Plugin '%s' has invalid version string '%s'", pname,
						    have);
			if (!semver(alt->version, rv) || !compatible(hv, rv))
				return arena_printf(a, "Plugin '%s' version '%s' is not compatible with "
						       "required plugin version '%s'",
						    pname, have, alt->version);
		}
		if (matched)
			continue;
		size_t len = 64;
		for (uint32_t k = 0; k < r->nalts; k++)
			len += strlen(r->alts[k].name) + strlen(r->alts[k].version) + 16;
		char *m = arena_alloc(a, len);
		if (!m)
			return "out of memory";
		strcpy(m, "Plugin requirement not satisfied, must load one of: ");
		for (uint32_t k = 0; k < r->nalts; k++)
			sprintf(m + strlen(m), "%s%s (>= %s)", k ? ", " : "", r->alts[k].name,
				r->alts[k].version);
		return m;
	}
	return NULL;
}

/* ---------------------------------------------------------------- loading */

static void file_error(struct arena *a, struct loader_file_result *fr, enum diag_code code,
		       const char *msg, const struct diag_loc *ctx, size_t off)
{
	struct diag *d = diag_add(a, &fr->errors, code, msg, ctx);
	fr->successful = false;
	if (d && fr->text) {
		d->snippet = diag_snippet(a, fr->text, fr->text_len, off);
		diag_set_pos(d, fr->name, fr->text, fr->text_len, off, 1);
	}
}

static void schema_results(struct arena *a, struct loader_file_result *fr, const struct yfile *yf)
{
	fr->schema = LOADER_SCHEMA_NONE;
	if (!yf->ndocs)
		return;
	fr->schema_msgs = arena_alloc(a, yf->ndocs * sizeof(*fr->schema_msgs));
	for (uint32_t d = 0; d < yf->ndocs; d++) {
		const char *msg = NULL;
		bool ok = yaml_schema_check(a, yf->docs[d], &msg);
		if (d == 0)
			fr->schema = ok ? LOADER_SCHEMA_OK : LOADER_SCHEMA_FAILED;
		if (!ok && fr->schema_msgs && msg)
			fr->schema_msgs[fr->nschema_msgs++] = msg;
	}
}

static int load_one(struct fe *fe, struct arena *a, const struct loader_input *in,
		    struct loader_file_result *fr, bool last, struct expand_output *eo,
		    bool *compiled_in_a)
{
	const struct loader_opts *o = fe->o;
	struct diag_loc *root = diag_loc_new(a, NULL, DI_RULES_CONTENT, "", fr->name, 0, 0, 0);
	if (!root)
		return -1;
	*compiled_in_a = false;
	if (!in->data) {
		file_error(a, fr, DIAG_E_FILE_READ, in->len ? (const char *)in->name : "", root, 0);
		return 0;
	}
	fr->text = in->data;
	fr->text_len = in->len;
	struct yaml_limits yl = { o->limits.max_depth, o->limits.max_nodes, o->limits.max_scalar };
	struct yfile *yf = arena_alloc(a, sizeof(*yf));
	if (!yf)
		return -1;
	struct yaml_error ye;
	if (yaml_load(a, fr->name, in->data, in->len, &yl, yf, &ye)) {
		struct diag_loc *l = diag_loc_new(a, root, DI_VALUE_FOR, "", fr->name, ye.line, ye.col,
						  ye.offset);
		file_error(a, fr, DIAG_E_YAML_PARSE, ye.msg, l ? l : root, ye.offset);
		return 0;
	}
	schema_results(a, fr, yf);
	fe->res = fr;
	if (reader_read(fe, yf, root)) {
		fe_flush_error(fe);
		fr->successful = false;
		return 0;
	}
	struct arena tmp;
	arena_init(&tmp);
	struct arena *oa = last ? a : &tmp;
	int rc = expand_compile(fe, oa, eo);
	if (rc)
		fr->successful = false;
	if (!last)
		arena_free_all(&tmp);
	else
		*compiled_in_a = rc == 0;
	return 0;
}

int loader_load_inputs(struct arena *a, const struct loader_input *in, size_t n,
		       const struct loader_opts *o, struct frc_rules *out,
		       struct loader_results *res)
{
	memset(res, 0, sizeof(*res));
	memset(out, 0, sizeof(*out));
	res->files = arena_alloc(a, (n + 1) * sizeof(*res->files));
	if (!res->files)
		return -1;
	res->nfiles = n;
	struct fe *fe = arena_alloc(a, sizeof(*fe));
	struct loader_catalog *cat = arena_alloc(a, sizeof(*cat));
	if (!fe || !cat)
		return -1;
	fe->a = a;
	fe->o = o;
	bool stop = false, all_ok = true;
	for (size_t k = 0; k < n; k++) {
		struct loader_file_result *fr = &res->files[k];
		fr->name = o->names && o->names[k] ? o->names[k] : in[k].name;
		if (stop)
			continue;
		fr->loaded = true;
		fr->successful = true;
		bool in_a = false;
		struct expand_output eo;
		if (load_one(fe, a, &in[k], fr, k + 1 == n, &eo, &in_a))
			return -1;
		if (in_a) {
			*out = eo.rules;
			cat->eo = eo;
			cat->col = fe->col;
			cat->env.container_plugin = o->container_plugin;
			res->catalog = cat;
		}
		if (!fr->successful)
			all_ok = false;
		if (o->check_plugin_requirements) {
			const char *perr = check_plugins(a, &fe->col, o);
			if (perr) {
				res->plugin_error = perr;
				all_ok = false;
				stop = true;	/* Falco stops with a fatal error */
			}
		}
		if (!fr->successful && !o->keep_going)
			stop = true;
	}
	res->ok = all_ok;
	return all_ok ? 0 : 1;
}

/*
 * Falco's rules-path expansion (runtime/strv.h): copies in the arena, since rules and
 * results refer to them after the caller's strings are gone. *expanded: a path was a
 * directory.
 */
static const char **expand_paths(struct arena *a, const char *const *files, size_t n, size_t *out_n,
				 bool *expanded)
{
	struct strv sv = { 0 }, dirs = { 0 };
	const char **r = NULL;

	for (size_t i = 0; i < n; i++)
		if (rules_path_expand(files[i], &sv, &dirs))
			goto out;
	r = arena_alloc(a, (sv.n + 1) * sizeof(*r));
	for (uint32_t i = 0; r && i < sv.n; i++)
		if (!(r[i] = arena_strdup(a, sv.v[i])))
			r = NULL;
	*expanded = dirs.n > 0;
	*out_n = sv.n;
out:
	strv_free(&sv);
	strv_free(&dirs);
	return r;
}

int loader_load(struct arena *a, const char *const *paths, size_t npaths,
		const struct loader_opts *o, struct frc_rules *out, struct loader_results *res)
{
	bool expanded;
	size_t nfiles;
	const char *const *files = expand_paths(a, paths, npaths, &nfiles, &expanded);
	if (!files)
		return -1;
	struct loader_input *in = arena_alloc(a, (nfiles + 1) * sizeof(*in));
	if (!in)
		return -1;
	size_t max = o->limits.max_file_size ? o->limits.max_file_size : DEF_MAX_FILE_SIZE;
	for (size_t i = 0; i < nfiles; i++) {
		in[i].name = files[i];
		FILE *f = fopen(files[i], "rb");
		char *buf = NULL;
		size_t len = 0, cap = 0;
		const char *err = NULL;
		if (!f) {
			err = strerror(errno);
		} else {
			for (;;) {
				if (len == cap) {
					cap = cap ? cap * 2 : 65536;
					char *nb = realloc(buf, cap + 1);
					if (!nb) {
						err = "out of memory";
						break;
					}
					buf = nb;
				}
				size_t r = fread(buf + len, 1, cap - len, f);
				len += r;
				if (len > max) {
					err = "file larger than the limit";
					break;
				}
				if (r == 0) {
					if (ferror(f))
						err = strerror(errno ? errno : EIO);
					break;
				}
			}
			fclose(f);
		}
		if (err) {
			free(buf);
			in[i].data = NULL;
			in[i].len = 1;
			in[i].name = arena_printf(a, "Could not read file %s: %s", files[i], err);
			if (!in[i].name)
				return -1;
			/* the result keeps the path as its name */
			continue;
		}
		char *data = arena_alloc(a, len + 1);
		if (!data) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(data, buf, len);
		data[len] = 0;
		free(buf);
		in[i].data = data;
		in[i].len = len;
	}
	/* names: the paths (read errors carried their message in .name) */
	const char **names = arena_alloc(a, (nfiles + 1) * sizeof(*names));
	if (!names)
		return -1;
	for (size_t i = 0; i < nfiles; i++)
		names[i] = !expanded && o->names && o->names[i] ? arena_strdup(a, o->names[i]) : files[i];
	for (size_t i = 0; i < nfiles; i++)
		if (!names[i])
			return -1;
	struct loader_opts o2 = *o;
	o2.names = names;
	return loader_load_inputs(a, in, nfiles, &o2, out, res);
}

/* ---------------------------------------------------------------- text printing */

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = *(const struct diag *const *)pa, *b = *(const struct diag *const *)pb;
	if (!a->file != !b->file)
		return a->file ? 1 : -1;	/* file-level records first */
	if (a->file && b->file) {
		int c = strcmp(a->file, b->file);
		if (c)
			return c;
		if (a->line != b->line)
			return a->line < b->line ? -1 : 1;
		if (a->col != b->col)
			return a->col < b->col ? -1 : 1;
	}
	bool ea = diag_code_sev(a->code) == DIAG_SEV_ERROR, eb = diag_code_sev(b->code) == DIAG_SEV_ERROR;
	if (ea != eb)
		return ea ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_diag(const struct diag *a, const struct diag *b)
{
	return a->code == b->code && !strcmp(a->msg, b->msg) && a->line == b->line &&
	       a->col == b->col && (a->file == b->file || (a->file && b->file && !strcmp(a->file, b->file)));
}

void loader_print_text(FILE *f, const struct loader_results *r, bool color)
{
	const struct diag **printed = NULL;
	size_t nprinted = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct loader_file_result *fr = &r->files[i];
		size_t n = fr->errors.n + fr->warnings.n;
		const struct diag **v = malloc((n + 1) * sizeof(*v));
		const struct diag **np = realloc(printed, (nprinted + n + 1) * sizeof(*np));
		if (!v || !np) {
			free(v);
			free(np ? np : printed);
			return;
		}
		printed = np;
		size_t k = 0;
		for (const struct diag *d = fr->errors.head; d; d = d->next)
			v[k++] = d;
		for (const struct diag *d = fr->warnings.head; d; d = d->next)
			v[k++] = d;
		qsort(v, k, sizeof(*v), diag_cmp);
		for (size_t j = 0; j < k; j++) {
			bool dup = false;
			for (size_t p = 0; p < nprinted && !dup; p++)
				dup = same_diag(printed[p], v[j]);
			if (dup)
				continue;
			diag_print_text(f, v[j], color);
			printed[nprinted++] = v[j];
		}
		free(v);
	}
	free(printed);
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct loader_file_result *fr = &r->files[i];
		if (fr->warnings.dropped || fr->errors.dropped)
			fprintf(f, "%s: %u more diagnostics not shown (at most %u per file are kept)\n",
				fr->name, fr->warnings.dropped + fr->errors.dropped, DIAG_MAX_PER_LIST);
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct loader_file_result *fr = &r->files[i];
		if (!fr->loaded)
			fprintf(f, "%s: not loaded (an earlier file failed)\n", fr->name);
		else if (!fr->successful)
			fprintf(f, "%s: Invalid (%u errors, %u warnings)\n", fr->name,
				fr->errors.n + fr->errors.dropped, fr->warnings.n + fr->warnings.dropped);
		else if (fr->warnings.n)
			fprintf(f, "%s: Ok, with warnings (%u warnings)\n", fr->name,
				fr->warnings.n + fr->warnings.dropped);
		else
			fprintf(f, "%s: Ok\n", fr->name);
	}
	if (r->plugin_error)
		fprintf(f, "error: %s\n", r->plugin_error);
}

void loader_print_falco(FILE *f, const struct loader_results *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct loader_file_result *fr = &r->files[i];
		if (!fr->loaded)
			continue;
		if (i)
			fputc('\n', f);
		if (fr->successful && fr->warnings.n) {
			fprintf(f, "%s: Ok, with warnings", fr->name);
			continue;
		}
		fprintf(f, "%s: %s", fr->name, fr->successful ? "Ok" : "Invalid");
		if (fr->schema == LOADER_SCHEMA_FAILED) {
			fprintf(f, "\n%u Schema warnings:\n", fr->nschema_msgs);
			for (uint32_t k = 0; k < fr->nschema_msgs; k++)
				fprintf(f, "------\n%s\n", fr->schema_msgs[k]);
			fputs("------\n", f);
		}
		if (fr->errors.n) {
			fprintf(f, "\n%u Errors:\n", fr->errors.n);
			for (const struct diag *d = fr->errors.head; d; d = d->next)
				diag_print_falco(f, d);
		}
		if (fr->warnings.n) {
			fprintf(f, "\n%u Warnings:\n", fr->warnings.n);
			for (const struct diag *d = fr->warnings.head; d; d = d->next)
				diag_print_falco(f, d);
		}
	}
	fputc('\n', f);
	if (r->plugin_error)
		fprintf(f, "Error: %s\n", r->plugin_error);
}

/* ---------------------------------------------------------------- JSON */

static void jstr(FILE *f, const char *s)
{
	diag_json_string(f, s ? s : "", s ? strlen(s) : 0);
}

static void print_diag_list(FILE *f, const struct diag_list *l)
{
	fputc('[', f);
	for (const struct diag *d = l->head; d; d = d->next) {
		diag_print_json(f, d);
		if (d->next)
			fputc(',', f);
	}
	fputc(']', f);
}

static void print_results_array(FILE *f, const struct loader_results *r)
{
	fputc('[', f);
	bool first = true;
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct loader_file_result *fr = &r->files[i];
		if (!fr->loaded)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		fputs("{\"errors\":", f);
		print_diag_list(f, &fr->errors);
		fputs(",\"name\":", f);
		jstr(f, fr->name);
		if (fr->schema != LOADER_SCHEMA_NONE) {
			fprintf(f, ",\"schema_valid\":%s,\"schema_warnings\":[",
				fr->schema == LOADER_SCHEMA_OK ? "true" : "false");
			for (uint32_t k = 0; fr->schema == LOADER_SCHEMA_FAILED && k < fr->nschema_msgs;
			     k++) {
				if (k)
					fputc(',', f);
				jstr(f, fr->schema_msgs[k]);
			}
			fputc(']', f);
		}
		fprintf(f, ",\"successful\":%s,\"warnings\":", fr->successful ? "true" : "false");
		print_diag_list(f, &fr->warnings);
		fputc('}', f);
	}
	fputc(']', f);
}

void loader_print_json(FILE *f, const struct loader_results *r)
{
	fputs("{\"falco_load_results\":", f);
	print_results_array(f, r);
	fputs("}\n", f);
}

static void describe_body(FILE *f, const struct loader_results *r, const struct frc_rules *rules);

void loader_print_json_describe(FILE *f, const struct loader_results *r,
				const struct frc_rules *rules)
{
	fputs("{\"falco_describe_results\":", f);
	describe_body(f, r, rules);
	fputs(",\"falco_load_results\":", f);
	print_results_array(f, r);
	fputs("}\n", f);
}

/* ---------------------------------------------------------------- describe */

struct strset {
	const char **v;
	size_t n, cap;
};

static void ss_add(struct strset *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		const char **nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n++] = x;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void ss_print(FILE *f, struct strset *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_cstr);
	fputc('[', f);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			fputc(',', f);
		jstr(f, s->v[i]);
	}
	fputc(']', f);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct details {
	struct strset fields, ops, macros, lists;
	const struct collector *col;
};

/* names of macros and lists referenced by a condition as written (no substitution) */
static void raw_refs(struct details *d, const struct ast *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
	case AST_LIST:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			raw_refs(d, n->u.nary.items[i]);
		return;
	case AST_NOT:
		raw_refs(d, n->u.not_.child);
		return;
	case AST_CHECK:
		raw_refs(d, n->u.check.rhs);
		return;
	case AST_REF:
		if (col_find_macro(d->col, n->u.ref.name))
			ss_add(&d->macros, n->u.ref.name);
		return;
	case AST_VALUE:
		if (col_find_list(d->col, n->u.value.str))
			ss_add(&d->lists, n->u.value.str);
		return;
	case AST_FIELD:
	case AST_XFORM:
	case AST_BOOL:
	case AST__COUNT:
		return;
	}
}

static void compiled_refs(struct details *d, const struct ast *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			compiled_refs(d, n->u.nary.items[i]);
		return;
	case AST_NOT:
		compiled_refs(d, n->u.not_.child);
		return;
	case AST_CHECK:
		ss_add(&d->ops, n->u.check.eqeq ? "==" : ast_op_name(n->u.check.op));
		compiled_refs(d, n->u.check.lhs);
		if (n->u.check.rhs_is_field)
			compiled_refs(d, n->u.check.rhs);
		return;
	case AST_FIELD:
		ss_add(&d->fields, n->u.field.name);
		return;
	case AST_XFORM:
		for (uint32_t i = 0; i < n->u.xform.nargs; i++)
			compiled_refs(d, n->u.xform.args[i]);
		return;
	case AST_REF:
	case AST_VALUE:
	case AST_LIST:
	case AST_BOOL:
	case AST__COUNT:
		return;
	}
}

static void print_events(FILE *f, const struct frc_evtset *s)
{
	struct strset names = { 0 };
	for (uint32_t c = 0; c < evtab_ncodes && c < FRC_EVT_CODES; c++) {
		if (!frc_evtset_has(s, c))
			continue;
		const struct evt_schema *sc = evtab_schema((uint16_t)c);
		if (sc && sc->name)
			ss_add(&names, sc->name);
	}
	ss_print(f, &names);
}

static void describe_raw(struct arena *a, struct details *d, const char *cond)
{
	struct parse_error pe;
	struct ast *raw = parse_condition(a, cond, strlen(cond), 0, &pe);
	raw_refs(d, raw);
}

static void print_rule(FILE *f, struct arena *a, const struct loader_catalog *cat,
		       const struct frc_rule *r, const struct cl_rule_extra *x)
{
	const struct col_rule *ri = x->info;
	struct details d = { .col = &cat->col };
	fputs("{\"details\":{\"condition_compiled\":", f);
	jstr(f, r->cond_text);
	compiled_refs(&d, r->cond);
	fputs(",\"condition_fields\":", f);
	ss_print(f, &d.fields);
	fputs(",\"condition_operators\":", f);
	ss_print(f, &d.ops);
	fputs(",\"events\":", f);
	print_events(f, &r->evttypes);
	fputs(",\"exception_fields\":[", f);
	for (uint32_t i = 0; i < x->nexception_fields; i++) {
		if (i)
			fputc(',', f);
		jstr(f, x->exception_fields[i]);
	}
	struct strset names = { 0 }, ops = { 0 };
	for (uint32_t i = 0; i < ri->nexceptions; i++) {
		const struct col_exception *e = &ri->exceptions[i];
		ss_add(&names, e->name);
		if (!e->comps.is_list && e->comps.item)
			ss_add(&ops, e->comps.item);
		for (uint32_t k = 0; e->comps.is_list && k < e->comps.nitems; k++) {
			const struct exc_entry *c = &e->comps.items[k];
			if (!c->is_list && c->item)
				ss_add(&ops, c->item);
			for (uint32_t q = 0; c->is_list && q < c->nitems; q++)
				if (c->items[q].item)
					ss_add(&ops, c->items[q].item);
		}
	}
	fputs("],\"exception_names\":", f);
	ss_print(f, &names);
	fputs(",\"exception_operators\":", f);
	ss_print(f, &ops);
	bool anyfmt = false;
	for (uint32_t i = 0; i < r->nextra_fields; i++) {
		if (r->extra_fields[i].raw)
			continue;
		fputs(anyfmt ? "," : ",\"extra_output_formatted_fields\":{", f);
		anyfmt = true;
		jstr(f, r->extra_fields[i].key);
		fputc(':', f);
		jstr(f, r->extra_fields[i].format);
	}
	if (anyfmt)
		fputc('}', f);
	describe_raw(a, &d, ri->cond.s);
	fputs(",\"lists\":", f);
	ss_print(f, &d.lists);
	fputs(",\"macros\":", f);
	ss_print(f, &d.macros);
	fputs(",\"output_compiled\":", f);
	jstr(f, r->output);
	const char **toks = NULL;
	uint32_t ntoks = 0;
	const char *err;
	struct strset of = { 0 };
	for (uint32_t i = 0; i < r->nextra_fields; i++)
		ss_add(&of, r->extra_fields[i].format);
	if (!check_output(a, &cat->env, r->output, &err, &toks, &ntoks, NULL))
		for (uint32_t i = 0; i < ntoks; i++)
			ss_add(&of, toks[i]);
	fputs(",\"output_fields\":", f);
	ss_print(f, &of);
	fputs(",\"plugins\":[]},\"info\":{", f);
	fprintf(f, "\"capture\":%s,\"capture_duration\":%u,\"condition\":",
		r->capture ? "true" : "false", r->capture_duration);
	jstr(f, ri->cond.s);
	fputs(",\"description\":", f);
	jstr(f, r->desc);
	fprintf(f, ",\"enabled\":%s,\"name\":", ri->enabled ? "true" : "false");
	jstr(f, r->name);
	fputs(",\"output\":", f);
	jstr(f, ri->output);
	fputs(",\"priority\":", f);
	jstr(f, loader_priority_name(r->priority));
	fputs(",\"source\":", f);
	jstr(f, r->source);
	fputs(",\"tags\":[", f);
	for (uint32_t i = 0; i < r->ntags; i++) {
		if (i)
			fputc(',', f);
		jstr(f, r->tags[i]);
	}
	fputs("]}}", f);
}

static void print_macro(FILE *f, struct arena *a, const struct loader_catalog *cat,
			const struct cl_macro *m)
{
	struct details d = { .col = &cat->col };
	fputs("{\"details\":{\"condition_compiled\":", f);
	jstr(f, m->cond_text);
	compiled_refs(&d, m->cond);
	fputs(",\"condition_fields\":", f);
	ss_print(f, &d.fields);
	fputs(",\"condition_operators\":", f);
	ss_print(f, &d.ops);
	struct frc_evtset ev;
	const char *err;
	fputs(",\"events\":", f);
	if (m->cond && !check_evttypes(m->cond, &ev, &err))
		print_events(f, &ev);
	else
		fputs("[]", f);
	describe_raw(a, &d, m->info->cond.s);
	fputs(",\"lists\":", f);
	ss_print(f, &d.lists);
	fputs(",\"macros\":", f);
	ss_print(f, &d.macros);
	fprintf(f, ",\"plugins\":[],\"used\":%s},\"info\":{\"condition\":",
		m->used ? "true" : "false");
	jstr(f, m->info->cond.s);
	fputs(",\"name\":", f);
	jstr(f, m->info->name);
	fputs("}}", f);
}

static void print_list(FILE *f, const struct loader_catalog *cat, const struct cl_list *l)
{
	struct strset refs = { 0 };
	fputs("{\"details\":{\"items_compiled\":[", f);
	for (uint32_t i = 0; i < l->nitems; i++) {
		if (i)
			fputc(',', f);
		jstr(f, l->items[i]);
	}
	fputs("],\"lists\":", f);
	/* an item of the definition absent from the compiled items was a list reference */
	bool first = true;
	struct strset items = { 0 };
	for (uint32_t i = 0; i < l->info->nitems; i++) {
		const char *it = l->info->items[i];
		bool found = false;
		for (uint32_t k = 0; k < l->nitems && !found; k++)
			found = !strcmp(l->items[k], it);
		if (!found)
			ss_add(&refs, it);
		else
			ss_add(&items, it);
	}
	(void)cat;
	ss_print(f, &refs);
	fprintf(f, ",\"plugins\":[],\"used\":%s},\"info\":{\"items\":[", l->used ? "true" : "false");
	for (uint32_t i = 0; i < l->info->nitems; i++) {
		const char *it = l->info->items[i];
		bool found = false;
		for (uint32_t k = 0; k < l->nitems && !found; k++)
			found = !strcmp(l->items[k], it);
		if (!found)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		jstr(f, it);
	}
	free(items.v);
	fputs("],\"name\":", f);
	jstr(f, l->info->name);
	fputs("}}", f);
}

void loader_print_describe_json(FILE *f, const struct loader_results *r,
				const struct frc_rules *rules)
{
	describe_body(f, r, rules);
	fputc('\n', f);
}

static void describe_body(FILE *f, const struct loader_results *r, const struct frc_rules *rules)
{
	const struct loader_catalog *cat = r->catalog;
	struct arena a;
	arena_init(&a);
	fputs("{\"lists\":[", f);
	for (uint32_t i = 0; cat && i < cat->eo.nlists; i++) {
		if (i)
			fputc(',', f);
		print_list(f, cat, &cat->eo.lists[i]);
	}
	fputs("],\"macros\":[", f);
	for (uint32_t i = 0; cat && i < cat->eo.nmacros; i++) {
		if (i)
			fputc(',', f);
		print_macro(f, &a, cat, &cat->eo.macros[i]);
	}
	fputs("],\"required_engine_version\":", f);
	char ver[48] = "0.0.0";
	if (cat && cat->col.has_engine_version)
		snprintf(ver, sizeof(ver), "%u.%u.%u", cat->col.engine_version[0],
			 cat->col.engine_version[1], cat->col.engine_version[2]);
	jstr(f, ver);
	fputs(",\"required_plugin_versions\":[", f);
	for (uint32_t i = 0; cat && i < cat->col.nplugin_reqs; i++) {
		const struct plugin_req *p = &cat->col.plugin_reqs[i];
		if (i)
			fputc(',', f);
		fputs("{\"alternatives\":[", f);
		for (uint32_t k = 1; k < p->nalts; k++) {
			if (k > 1)
				fputc(',', f);
			fputs("{\"name\":", f);
			jstr(f, p->alts[k].name);
			fputs(",\"version\":", f);
			jstr(f, p->alts[k].version);
			fputc('}', f);
		}
		fputs("],\"name\":", f);
		jstr(f, p->alts[0].name);
		fputs(",\"version\":", f);
		jstr(f, p->alts[0].version);
		fputc('}', f);
	}
	fputs("],\"rules\":[", f);
	for (uint32_t i = 0; cat && rules && i < rules->nrules; i++) {
		if (i)
			fputc(',', f);
		print_rule(f, &a, cat, &rules->rules[i], &cat->eo.extra[i]);
	}
	fputs("]}", f);
	arena_free_all(&a);
}
