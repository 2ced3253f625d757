/* SPDX-License-Identifier: Apache-2.0
 *
 * Expansion: Falco's rule "collector" and the textual half of its "compiler".
 *
 *  - the collector keeps every list, macro and rule definition across all loaded files,
 *    with Falco's index (first definition) / visibility (latest definition or append)
 *    bookkeeping, and applies redefinition, `append: true` and `override:` (append/replace);
 *  - expand_compile() then turns everything collected so far into a compiled ruleset:
 *    lists (one level of nesting), exceptions rendered as condition text, list names
 *    substituted textually, conditions parsed (parse.h), macro references replaced by the
 *    macros' parsed conditions with Falco's visibility rules, each rule checked (check.h),
 *    unused lists/macros reported.
 *
 * Strings built from YAML pieces (struct lstr) remember where every byte came from, so an
 * error at an offset of the final condition text can be shown at file:line:col.
 *
 * Ownership: definitions and diagnostics live in fe->a (they outlive one compile round);
 * compiled output lives in the arena given to expand_compile().
 */
#ifndef FRC_COMPILER_EXPAND_H
#define FRC_COMPILER_EXPAND_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "frc.h"

struct arena;
struct ynode;
struct yfile;
struct ast;
struct loader_opts;
struct loader_file_result;

/**
 * struct lpiece - bytes [@off, @off+@len) of an lstr come from the value of scalar @node
 * (in @file) starting at value byte @voff; when !@exact every byte maps to that start.
 * @node NULL: synthetic text with no position.
 */
struct lpiece {
	uint32_t off, len;
	const struct yfile *file;
	const struct ynode *node;
	uint32_t voff;
	bool exact;
};

/* A string with the origin of its bytes. */
struct lstr {
	const char *s;
	uint32_t len;
	const struct lpiece *pieces;
	uint32_t npieces;
};

/**
 * struct exc_entry - `fields`, `comps` or one `values` element of an exception: a scalar
 * (@item) or a sequence (@items), possibly nested.
 */
struct exc_entry {
	bool is_list;
	const char *item;
	struct exc_entry *items;
	uint32_t nitems;
	const struct ynode *node;
};

struct col_exception {
	const char *name;
	const struct diag_loc *ctx;
	const struct yfile *file;
	const struct ynode *node;
	struct exc_entry fields, comps;
	struct exc_entry *values;
	uint32_t nvalues;
};

struct col_list {
	const char *name;
	const struct diag_loc *ctx;
	const struct yfile *file;
	uint32_t index, visibility;
	const char **items;
	uint32_t nitems;
};

struct col_macro {
	const char *name;
	const struct diag_loc *ctx, *cond_ctx;
	const struct yfile *file;
	uint32_t index, visibility;
	struct lstr cond;
};

struct col_rule {
	const char *name;
	const struct diag_loc *ctx, *cond_ctx, *output_ctx;
	const struct yfile *file;
	const struct ynode *output_node;
	uint32_t index, visibility;
	bool unknown_source;
	struct lstr cond;
	const char *source;
	const char *desc;
	const char *output;
	const char **tags;	/* sorted, unique */
	uint32_t ntags;
	struct col_exception *exceptions;
	uint32_t nexceptions;
	enum frc_priority priority;
	bool capture;
	uint32_t capture_duration;
	bool enabled, warn_evttypes, skip_if_unknown_filter;
	uint32_t line, col;	/* 1-based position of the first definition */
};

/**
 * struct col_rule_update - an append or replace request; the has_* flags say which keys
 * the item carried.
 */
struct col_rule_update {
	const char *name;
	const struct diag_loc *ctx;
	const struct yfile *file;
	const char *source;
	bool has_cond, has_output, has_desc, has_tags, has_exceptions, has_priority;
	bool has_capture, has_capture_duration, has_enabled, has_warn_evttypes, has_skip;
	struct lstr cond;
	const char *output, *desc;
	const char **tags;
	uint32_t ntags;
	struct col_exception *exceptions;
	uint32_t nexceptions;
	enum frc_priority priority;
	bool capture, enabled, warn_evttypes, skip_if_unknown_filter;
	uint32_t capture_duration;
};

struct plugin_alt {
	const char *name, *version;
};

struct plugin_req {
	struct plugin_alt *alts;	/* [0] is the main requirement */
	uint32_t nalts;
};

struct name_index {
	const char **keys;
	uint32_t *vals;
	uint32_t cap, n;
};

/**
 * struct collector - everything read so far, in index (first definition) order.
 */
struct collector {
	struct col_list **lists;
	uint32_t nlists, caplists;
	struct name_index list_idx;
	struct col_macro **macros;
	uint32_t nmacros, capmacros;
	struct name_index macro_idx;
	struct col_rule **rules;
	uint32_t nrules, caprules;
	struct name_index rule_idx;
	uint32_t cur_index;
	bool has_engine_version;
	uint32_t engine_version[3];
	struct plugin_req *plugin_reqs;
	uint32_t nplugin_reqs, capplugin_reqs;
	uint64_t append_work;	/* bytes copied by appends so far (bounded, see expand.c) */
};

/**
 * struct fe_error - the first error of a read or compile step (Falco throws it).
 */
struct fe_error {
	enum diag_code code;
	const char *msg;
	const struct diag_loc *ctx;
	const struct yfile *file;	/* for the snippet and text position */
	size_t offset, len;		/* file offset of the problem (text form) */
	bool has_offset;
	size_t snip_off;		/* Falco's snippet position (the context's) */
	const char *alt_text;		/* condition text for the snippet (Falco's alt content) */
	size_t alt_len, alt_pos;
	const char *col_note;
	struct diag_note *notes;	/* macro expansion chain */
};

/**
 * struct fe - front-end state shared by the reader, the collector and the compiler.
 * @a: persistent arena (definitions, diagnostics)
 * @o: load options
 * @col: the collector
 * @res: result of the file being loaded (warnings and errors go here)
 * @err: the pending error (set by a failing step)
 * @nsrc: counter for condition source ids
 */
struct fe {
	struct arena *a;
	const struct loader_opts *o;
	struct collector col;
	struct loader_file_result *res;
	struct fe_error err;
	bool has_err;
	uint32_t nsrc;
};

/* ---- helpers shared by reader.c and expand.c ---- */

/* Record a warning in fe->res with the snippet at @node of @file (or none). */
void fe_warn(struct fe *fe, enum diag_code code, const char *msg, const struct diag_loc *ctx,
	     const struct yfile *file, const struct ynode *node);

/* Set the pending error (first one wins); always returns -1. */
int fe_fail(struct fe *fe, enum diag_code code, const char *msg, const struct diag_loc *ctx,
	    const struct yfile *file, const struct ynode *node);

/* Move the pending error into fe->res->errors. */
void fe_flush_error(struct fe *fe);

/* A location for @node of @file below @parent. */
struct diag_loc *fe_loc(struct fe *fe, const struct diag_loc *parent, enum diag_item type,
			const char *item_name, const struct yfile *file, const struct ynode *node);

/* An lstr for the whole value of scalar @node. */
struct lstr lstr_from_node(struct fe *fe, const struct yfile *file, const struct ynode *node);

/* @a + " " + @b (Falco's append), NULL-safe on pieces. */
struct lstr lstr_join(struct fe *fe, const struct lstr *a, const struct lstr *b);

/* File offset of byte @off of @s; false if unknown or approximate. */
bool lstr_file_offset(const struct lstr *s, uint32_t off, const struct yfile **file,
		      size_t *foff, bool *exact);

/* ---- the collector (Falco's collector: define / append / selective replace / enable) ---- */

int col_define_engine_version(struct fe *fe, const uint32_t v[3], const struct diag_loc *ctx,
			      const struct yfile *file, const struct ynode *node);
int col_define_plugin_req(struct fe *fe, struct plugin_req *r, const struct diag_loc *ctx,
			  const struct yfile *file, const struct ynode *node);
int col_define_list(struct fe *fe, struct col_list *l);
int col_append_list(struct fe *fe, struct col_list *l);
int col_define_macro(struct fe *fe, struct col_macro *m);
int col_append_macro(struct fe *fe, struct col_macro *m);
int col_define_rule(struct fe *fe, struct col_rule *r);
int col_append_rule(struct fe *fe, struct col_rule_update *u);
int col_replace_rule(struct fe *fe, struct col_rule_update *u);
int col_enable_rule(struct fe *fe, const char *name, bool enabled, const struct diag_loc *ctx,
		    const struct yfile *file, const struct ynode *node);

const struct col_list *col_find_list(const struct collector *c, const char *name);
const struct col_macro *col_find_macro(const struct collector *c, const char *name);
const struct col_rule *col_find_rule(const struct collector *c, const char *name);

/* ---- compile ---- */

/**
 * struct cl_list / cl_macro / cl_rule_extra - compiled items (what `frc describe` prints).
 */
struct cl_list {
	const struct col_list *info;
	const char **items;	/* one level of references expanded */
	uint32_t nitems;
	bool used;
};

struct cl_macro {
	const struct col_macro *info;
	struct ast *cond;	/* parsed; macro references resolved */
	const char *cond_text;	/* canonical text */
	bool used;
};

struct cl_rule_extra {
	const struct col_rule *info;
	const char **exception_fields;	/* sorted, unique */
	uint32_t nexception_fields;
};

/**
 * struct expand_output - one compile round.
 * @rules: compiled rules in index order (rules of unknown sources and rules dropped by
 *         skip-if-unknown-filter are absent)
 * @extra: per-rule describe data, parallel to @rules
 */
struct expand_output {
	struct cl_list *lists;
	uint32_t nlists;
	struct cl_macro *macros;
	uint32_t nmacros;
	struct frc_rules rules;
	struct cl_rule_extra *extra;
};

/**
 * expand_compile() - compile everything collected in @fe (Falco's compiler::compile):
 * errors (the first one stops) and warnings go to fe->res.
 * @out_arena: where the compiled output lives.
 * Return: 0 on success, -1 if an error was recorded.
 */
int expand_compile(struct fe *fe, struct arena *out_arena, struct expand_output *out);

/**
 * expand_resolve_list_text() - Falco's textual list substitution of @name → @items in
 * @in (exported for tests). Returns the new string in @a, *@used set when replaced.
 */
char *expand_resolve_list_text(struct arena *a, const char *in, const char *name,
			       const char *const *items, uint32_t nitems, bool *used);

#endif
