/* SPDX-License-Identifier: Apache-2.0
 *
 * Type checking of expanded conditions, as libsinsp's filter compiler does it:
 * field lookup in compiler/fields.def (arguments, evt.arg.NAME / evt.rawarg.NAME against
 * the event table), transformers and their types, operator/type compatibility, conversion
 * of every constant to the field type (struct ast_const), evt.type value validation,
 * right-hand-side field rules, and the compiler's warnings ("may be a valid field misused
 * as a const string value", regex hints). Also: Falco's event-type set of a condition
 * (incl. negation and the evt.num invariants) and output-template validation.
 *
 * Messages are libsinsp's wording ("filter_check called with nonexistent field x",
 * "filter error: 'contains' operator not supported for numeric filters", ...).
 *
 * After a successful check every AST_FIELD has .field.id set, its argument normalised
 * (evt.arg.flags → name "evt.arg", arg "flags", arg_dotted; index arguments parsed into
 * .arg_index), every AST_XFORM has .xform.type, and every constant AST_VALUE has .value.c
 * typed (bcontains/bstartswith constants are replaced by their decoded bytes).
 *
 * Ownership: messages and any new strings live in the arena passed in.
 */
#ifndef FRC_COMPILER_CHECK_H
#define FRC_COMPILER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frc.h"

struct arena;
struct ast;

/**
 * struct check_env - what the checked source provides.
 * @container_plugin: container.* and k8s.* fields exist
 */
struct check_env {
	bool container_plugin;
};

struct check_warning {
	const char *msg;
	const struct ast *node;
};

/**
 * struct check_result - outcome of check_condition().
 * @err: the first error (libsinsp's message), NULL if none
 * @err_node: the node the error is about (for its position)
 * @warnings: compiler warnings (Falco's LOAD_COMPILE_CONDITION), only when @err is NULL
 */
struct check_result {
	const char *err;
	const struct ast *err_node;
	struct check_warning *warnings;
	uint32_t nwarnings, capwarnings;
};

/* Check and annotate @root (see above). Return: 0, or -1 with res->err set. */
int check_condition(struct arena *a, const struct check_env *env, struct ast *root,
		    struct check_result *res);

/* Falco's err_is_unknown_type_or_field(): errors that skip-if-unknown-filter downgrades. */
bool check_is_unknown_filter_error(const char *msg);

/**
 * check_evttypes() - Falco's ppm_event_codes(): the event codes @root can match.
 * out->all is set when the set is every known code.
 * Return: 0, or -1 with *@err set (evt.type with a transformer or a right-hand field).
 */
int check_evttypes(const struct ast *root, struct frc_evtset *out, const char **err);

/* Number of codes in @s (all known codes when s->all). */
uint32_t check_evtset_count(const struct frc_evtset *s);

/* libsinsp's filter factory test: is @s (e.g. "proc.aname[2]") exactly one known field? */
bool check_field_exists(const struct check_env *env, const char *s, size_t len);

/* Falco's is_valid_lhs_field(): a field, or with '(' a transformer expression that compiles. */
bool check_lhs_field(struct arena *a, const struct check_env *env, const char *field);

/**
 * check_output() - validate an output template like libsinsp's formatter: every %token
 * must be the longest prefix naming a valid field or transformer expression.
 * @tokens, @ntokens: if not NULL, receive the field tokens in order (arena strings)
 * @err_off: if not NULL, receives the byte offset in @fmt of the failing '%'
 * Return: 0, or -1 with *@err set ("unknown filter: ...", "invalid formatting syntax: ...").
 */
int check_output(struct arena *a, const struct check_env *env, const char *fmt, const char **err,
		 const char ***tokens, uint32_t *ntokens, size_t *err_off);

#endif
