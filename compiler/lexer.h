/* SPDX-License-Identifier: Apache-2.0
 *
 * Interface between the condition lexer (lexer.re), the grammar (parser.y) and the driver
 * (parse.c). Private to those three files.
 *
 * Falco's condition syntax is position dependent (a bare word is a macro name, a string value
 * or an operator depending on where it stands), so the lexer runs a small state machine that
 * mirrors the grammar position: each state tries the token classes Falco's recursive-descent
 * parser tries at that point, in Falco's order, and emits tokens that the bison grammar turns
 * into the AST. A stack of frames remembers what every open parenthesis closes (a group, a
 * list, a transformer, a transformer argument list). The lexer also keeps Falco's
 * recursion-depth count and its "last token" text, both of which appear in error messages.
 */
#ifndef FRC_COMPILER_LEXER_H
#define FRC_COMPILER_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"

struct arena;

/* Falco's maximum recursion depth for rule and macro conditions. */
#define LEX_MAX_DEPTH 1000u

/**
 * struct tok - semantic value of a token.
 * @s, @len: identifier, field name or value bytes (decoded for quoted strings)
 * @arg, @arg_len: field argument of a field or of a closing transformer, NULL if none
 * @k: operator (enum cmp_op), modifier (enum cmp_mod) or transformer (enum xform_kind)
 * @quoted: value written in quotes
 * @eqeq: operator written "=="
 */
struct tok {
	const char *s;
	uint32_t len;
	const char *arg;
	uint32_t arg_len;
	int k;
	bool quoted;
	bool eqeq;
};

/* One open parenthesis. */
struct lex_frame {
	uint8_t kind;	/* enum in lexer.re */
	uint8_t ret;	/* lexer state after the closing parenthesis */
	uint32_t depth; /* group: base depth to restore; transformer/list: its depth */
};

/**
 * struct parser - state shared by lexer and grammar for one parse_condition() call.
 * Everything it points to lives in @a.
 */
struct parser {
	struct arena *a;
	const unsigned char *buf, *cur, *lim; /* NUL-terminated copy of the text */
	const unsigned char *tstart;	/* first byte of the token being lexed */
	uint32_t src;
	int state;
	bool had_blank;		/* a blank followed the string operator */
	bool no_and;		/* the last operand was `or(...)`: Falco accepts no `and` here */
	uint8_t pending;	/* 1 + frame kind of a "(" still to emit after not( and( or( */
	uint32_t pending_base;
	uint32_t base;		/* Falco's depth of the current parse_or() */
	uint32_t chk;		/* Falco's depth of the current parse_check() */
	const char *last;	/* Falco's last token text (for "unexpected token after") */
	size_t last_len;
	struct lex_frame *frames;
	uint32_t nframes;
	struct ast *root;
	const char *err;	/* first error (Falco wording), in @a */
	uint32_t err_off;
};

#endif
