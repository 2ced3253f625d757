/* SPDX-License-Identifier: Apache-2.0
 *
 * Interface between the condition lexer (lexer.re: the shapes of tokens), the token source
 * and driver (parse.c: which shapes are tried at which position, as Falco's parser does)
 * and the grammar (parser.y: the tree). Private to those three files.
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

/*
 * Token classes (lexer.re). Each returns the length of the class matched at @s, 0 if none;
 * @lim is the end of the text, which has a NUL byte at @lim (a NUL before @lim is an
 * ordinary byte). Shapes are Falco's regular expressions (rules-language.md §6.1).
 */
/* word("."word)+, word = [a-zA-Z]+[a-zA-Z0-9_]* */
size_t lex_field_name(const unsigned char *s, const unsigned char *lim);
/* word */
size_t lex_ident(const unsigned char *s, const unsigned char *lim);
/* 0[xX][0-9a-fA-F]+ or [+-]?[0-9]+.?[0-9]*([eE][+-][0-9]+)? */
size_t lex_number(const unsigned char *s, const unsigned char *lim);
/* bare string: bytes other than space \t \n \v \f \r ( ) , = " ' */
size_t lex_bare(const unsigned char *s, const unsigned char *lim);
/* bare field argument: bytes other than space \t \n \v \f \r [ ] " ' */
size_t lex_arg_bare(const unsigned char *s, const unsigned char *lim);
/* "tolower(" ... "getopt(": sets *@k (enum xform_kind) */
size_t lex_xform(const unsigned char *s, const unsigned char *lim, int *k);
/* check operator, word operators with their following blanks: sets *@k (enum cmp_op) */
size_t lex_op(const unsigned char *s, const unsigned char *lim, int *k, bool *eqeq);
/* oneof/anyof/allof with their following blanks: sets *@k (enum cmp_mod) */
size_t lex_mod(const unsigned char *s, const unsigned char *lim, int *k);
/* "not" followed by POSIX space */
size_t lex_not(const unsigned char *s, const unsigned char *lim);

/**
 * struct lex_str - a quoted string found by lex_quoted().
 * @s, @len: decoded bytes in the arena (NULL when out of memory)
 * @end: just past the closing quote
 * @err: on an escape error, Falco's message (static or in the arena)
 */
struct lex_str {
	const char *s;
	uint32_t len;
	const unsigned char *end;
	const char *err;
};

/*
 * lex_quoted() - a quoted string at @s, Falco style: it ends at the first matching quote
 * not preceded by a backslash; a NUL byte or the end before it means no string. Escapes
 * are decoded (\b \f \n \r \t \\ "\ " \/ \" \' \xHH).
 * Return: 1 (string), 0 (no string), -1 (escape error: @out->err and @out->end set).
 */
int lex_quoted(struct arena *a, const unsigned char *s, const unsigned char *lim,
	       struct lex_str *out);

#endif
