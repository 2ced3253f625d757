/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the condition front end: parse_condition() on arbitrary bytes,
 * then, on success, the canonical text and the warning passes. Besides memory safety
 * (ASan/UBSan) it checks invariants: every error carries a message and an offset inside the
 * text, a syntax error always comes from the lexer in Falco's words (never bison's own
 * "syntax error"), every node span lies inside the text, and the arena is the only memory.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "parse.h"
#include "warn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_spans(const struct ast *n, size_t len, int depth)
{
	if (n->span.start > n->span.end || n->span.end > len || n->span.src != 3 || depth > 2000)
		abort();
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
	case AST_LIST:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			check_spans(n->u.nary.items[i], len, depth + 1);
		return;
	case AST_NOT:
		check_spans(n->u.not_.child, len, depth + 1);
		return;
	case AST_CHECK:
		check_spans(n->u.check.lhs, len, depth + 1);
		if (n->u.check.rhs)
			check_spans(n->u.check.rhs, len, depth + 1);
		else if (n->u.check.op != OP_EXISTS)
			abort();
		return;
	case AST_XFORM:
		if (!n->u.xform.nargs)
			abort();
		for (uint32_t i = 0; i < n->u.xform.nargs; i++)
			check_spans(n->u.xform.args[i], len, depth + 1);
		return;
	case AST_REF:
	case AST_FIELD:
	case AST_VALUE:
	case AST_BOOL:
	case AST__COUNT:
		return;
	}
}

static bool plain_text(const char *s, size_t len, bool arg)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || strchr("(),=\"'\\", c) || (arg && strchr("[]", c)))
			return false;
	}
	return true;
}

/*
 * Does the canonical text of @n parse back to the same tree? Not always in Falco either:
 * "not not X" folds, values holding ( ) , = quotes, backslashes or control bytes and
 * string arguments of transformers are printed in ways that parse differently. True when
 * none of that occurs.
 */
static bool plain(const struct ast *n)
{
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
	case AST_LIST:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			if (!plain(n->u.nary.items[i]))
				return false;
		return true;
	case AST_NOT:
		return n->u.not_.child->kind != AST_NOT && plain(n->u.not_.child);
	case AST_CHECK:
		return plain(n->u.check.lhs) && (!n->u.check.rhs || plain(n->u.check.rhs));
	case AST_XFORM: /* string arguments print bare but must be quoted to parse */
		for (uint32_t i = 0; i < n->u.xform.nargs; i++)
			if (n->u.xform.args[i]->kind == AST_VALUE ||
			    n->u.xform.args[i]->kind == AST_LIST || !plain(n->u.xform.args[i]))
				return false;
		return !n->u.xform.arg || plain_text(n->u.xform.arg, n->u.xform.arg_len, true);
	case AST_FIELD:
		return (!n->u.field.arg || plain_text(n->u.field.arg, n->u.field.arg_len, true)) &&
		       (!n->u.field.val_arg ||
			plain_text(n->u.field.val_arg, n->u.field.val_arg_len, true));
	case AST_VALUE:
		return plain_text(n->u.value.str, n->u.value.len, false);
	case AST_REF: /* "(not and b)" reads back as not(and) followed by junk */
		return strcmp(n->u.ref.name, "not") && strcmp(n->u.ref.name, "and") &&
		       strcmp(n->u.ref.name, "or");
	case AST_BOOL:
	case AST__COUNT:
		return true;
	}
	return false;
}

static void on_warning(void *ctx, const struct cond_warning *w)
{
	size_t *n = ctx;
	if (!w->msg || !w->code_name)
		abort();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct parse_error e;
	arena_init(&a);
	a.limit = 64u << 20;
	struct ast *n = parse_condition(&a, (const char *)data, size, 3, &e);
	if (!n) {
		if (!e.msg || e.offset > size || !strcmp(e.msg, "syntax error"))
			abort();
	} else {
		check_spans(n, size, 0);
		char *c = ast_canonical(&a, n);
		if (!c)
			abort();
		size_t w = 0;
		warn_condition(&a, n, on_warning, &w);
		/* the canonical text of a plain tree parses back to the same text */
		if (plain(n)) {
			struct parse_error e2;
			struct ast *n2 = parse_condition(&a, c, strlen(c), 3, &e2);
			char *c2 = n2 ? ast_canonical(&a, n2) : NULL;
			if (!c2 || strcmp(c, c2)) {
				fprintf(stderr, "canonical [%s] -> [%s]\n", c, c2 ? c2 : e2.msg);
				abort();
			}
		}
	}
	arena_free_all(&a);
	return 0;
}
