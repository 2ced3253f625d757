/* SPDX-License-Identifier: Apache-2.0
 *
 * parse_condition(): runs the condition lexer (lexer.re) and grammar (parser.y) over one
 * condition and returns the AST or Falco's error message with its byte offset.
 */
#include "parse.h"

#include <string.h>

#include "arena.h"
#include "lexer.h"
#include "parser.h"

int frc_yyparse(struct parser *p);

struct ast *parse_condition(struct arena *a, const char *text, size_t len, uint32_t src,
			    struct parse_error *err)
{
	struct parser p;
	memset(&p, 0, sizeof(p));
	err->msg = NULL;
	err->offset = 0;
	if (len == 0) {
		err->msg = "filter input string is empty";
		return NULL;
	}
	if (len >= UINT32_MAX) {
		err->msg = "condition too long";
		return NULL;
	}
	/* a NUL-terminated copy: the lexer reads one sentinel byte past the end */
	char *buf = arena_strndup(a, text, len);
	p.frames = arena_alloc(a, LEX_MAX_DEPTH * sizeof(*p.frames));
	if (!buf || !p.frames) {
		err->msg = "out of memory";
		return NULL;
	}
	p.a = a;
	p.buf = p.cur = (const unsigned char *)buf;
	p.lim = p.buf + len;
	p.src = src;
	p.base = 1; /* Falco's parse() calls parse_or() at depth 1 */
	if (frc_yyparse(&p) != 0 || !p.root) {
		err->msg = p.err ? p.err : "out of memory";
		err->offset = p.err ? p.err_off : 0;
		return NULL;
	}
	return p.root;
}
