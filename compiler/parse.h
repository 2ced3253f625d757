/* SPDX-License-Identifier: Apache-2.0
 *
 * Condition parsing: text → AST (lexer.re + parser.y). No lookups, no typing: macro names
 * stay AST_REF nodes, fields stay unresolved AST_FIELD nodes.
 */
#ifndef FRC_COMPILER_PARSE_H
#define FRC_COMPILER_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

struct arena;

/**
 * struct parse_error - the first syntax error of a condition.
 * @msg: Falco's message text (e.g. "unexpected token after 'x', expecting 'or', 'and'"),
 *       in the arena
 * @offset: byte offset of the error in the condition text
 */
struct parse_error {
	const char *msg;
	uint32_t offset;
};

/**
 * parse_condition() - parse one condition (after list substitution).
 * @a: arena for the nodes and strings
 * @text, @len: the condition; need not be NUL-terminated
 * @src: source index stored in every node's span (offsets are relative to @text)
 * @err: filled on failure
 *
 * Return: the AST, or NULL on a syntax error (then @err is set).
 */
struct ast *parse_condition(struct arena *a, const char *text, size_t len, uint32_t src,
			    struct parse_error *err);

/**
 * ast_canonical() - Falco's canonical text of a (possibly expanded) condition
 * (rules-language.md §11), allocated in @a.
 */
char *ast_canonical(struct arena *a, const struct ast *n);

#endif
