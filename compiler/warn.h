/* SPDX-License-Identifier: Apache-2.0
 *
 * Condition warnings (rules-language.md §7.9), in Falco's codes and words:
 *  - warn_resolve(): Falco's filter warning resolver, run on the macro-expanded AST before
 *    compiling: LOAD_UNSAFE_NA_CHECK (a ka. or jevt. field compared for equality with <NA>) and
 *    LOAD_DEPRECATED_ITEM (one per deprecated field: evt.dir, evt.latency*, evt.wait_latency);
 *  - warn_values(): the filter compiler's LOAD_COMPILE_CONDITION warnings about constant
 *    right-hand values (a field name or a transformer call written as a string, a regex that
 *    simpler operators could replace), run on the expanded AST once it compiled.
 * Neither needs field ids or types, so both work on a parsed or expanded AST.
 */
#ifndef FRC_COMPILER_WARN_H
#define FRC_COMPILER_WARN_H

#include <stdint.h>

#include "ast.h"

struct arena;

enum warn_code {
	WARN_UNSAFE_NA_CHECK,	/* LOAD_UNSAFE_NA_CHECK */
	WARN_DEPRECATED_ITEM,	/* LOAD_DEPRECATED_ITEM */
	WARN_COMPILE_CONDITION, /* LOAD_COMPILE_CONDITION */
};

/**
 * struct cond_warning - one warning.
 * @code: the warning code; @code_name its Falco name ("LOAD_UNSAFE_NA_CHECK", ...)
 * @msg: Falco's message ("" for LOAD_UNSAFE_NA_CHECK, as in Falco)
 * @field: for WARN_DEPRECATED_ITEM the deprecated field ("evt.dir"), else NULL
 * @span: the node the warning is about (Falco reports the resolver's warnings at the start
 *        of the condition; the value warnings at the right-hand side)
 * Strings are static or in the arena passed to the pass; valid while it lives.
 */
struct cond_warning {
	enum warn_code code;
	const char *code_name;
	const char *msg;
	const char *field;
	struct src_span span;
};

/* Called once per warning, in Falco's order. */
typedef void (*warn_fn)(void *ctx, const struct cond_warning *w);

/* Falco's filter warning resolver. Return: number of warnings reported. */
int warn_resolve(const struct ast *n, warn_fn fn, void *ctx);

/* Falco's filter-compiler value warnings; messages allocated in @a. Return: count. */
int warn_values(struct arena *a, const struct ast *n, warn_fn fn, void *ctx);

/* Both passes, resolver first (Falco's order). Return: count. */
int warn_condition(struct arena *a, const struct ast *n, warn_fn fn, void *ctx);

/* Falco's name of a code ("LOAD_COMPILE_CONDITION"). */
const char *warn_code_name(enum warn_code c);

#endif
