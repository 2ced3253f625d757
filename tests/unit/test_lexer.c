/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the condition lexer (compiler/lexer.re) at token level: which token class
 * is recognised at which position, token texts, decoded strings, spans, and the errors the
 * lexer reports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "ast.h"
#include "lexer.h"
#include "parser.h"

static const char *tok_name(int t)
{
	switch (t) {
	case T_NOT: return "NOT";
	case T_AND: return "AND";
	case T_OR: return "OR";
	case T_LP: return "(";
	case T_RP: return ")";
	case T_COMMA: return ",";
	case T_IDENT: return "IDENT";
	case T_FIELD: return "FIELD";
	case T_VALUE: return "VALUE";
	case T_XF: return "XF";
	case T_XFEND: return "XFEND";
	case T_VAL: return "VAL";
	case T_CMP: return "CMP";
	case T_EXISTS: return "EXISTS";
	case T_MOD: return "MOD";
	case T_ERROR: return "ERROR";
	default: return "?";
	}
}

/* lexes @in completely; returns the tokens as "NAME(text[arg]) ..." */
static const char *lex_all(struct arena *a, const char *in, size_t len)
{
	static char out[4096];
	struct parser p;
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.buf = p.cur = (const unsigned char *)arena_strndup(a, in, len);
	p.lim = p.buf + len;
	p.base = 1;
	p.frames = arena_alloc(a, LEX_MAX_DEPTH * sizeof(*p.frames));
	out[0] = '\0';
	for (int i = 0; i < 200; i++) {
		FRC_YYSTYPE v;
		FRC_YYLTYPE l;
		int t = frc_yylex(&v, &l, &p);
		char one[512];
		size_t n = strlen(out);
		if (t == 0) {
			snprintf(out + n, sizeof(out) - n, "END");
			break;
		}
		if (t == T_ERROR) {
			snprintf(out + n, sizeof(out) - n, "ERROR@%u(%s)", p.err_off, p.err);
			break;
		}
		one[0] = '\0';
		if (t == T_CMP || t == T_EXISTS)
			snprintf(one, sizeof(one), "%s", v.t.eqeq ? "==" : ast_op_name(v.t.k));
		else if (t == T_XF)
			snprintf(one, sizeof(one), "%s", ast_xform_name(v.t.k));
		else if (t == T_MOD)
			snprintf(one, sizeof(one), "%d", v.t.k);
		else if (v.t.s)
			snprintf(one, sizeof(one), "%s%.*s", v.t.quoted ? "q:" : "", (int)v.t.len, v.t.s);
		if (v.t.arg)
			snprintf(one + strlen(one), sizeof(one) - strlen(one), "[%.*s]", (int)v.t.arg_len,
				 v.t.arg);
		snprintf(out + n, sizeof(out) - n, "%s%s%s ", tok_name(t), one[0] ? ":" : "", one);
	}
	return out;
}

static void expect(const char *in, const char *want)
{
	struct arena a;
	arena_init(&a);
	const char *got = lex_all(&a, in, strlen(in));
	if (strcmp(got, want)) {
		print_error("input [%s]\n  want [%s]\n  got  [%s]\n", in, want, got);
		arena_free_all(&a);
		fail();
	}
	arena_free_all(&a);
}

static void test_check_tokens(void **state)
{
	(void)state;
	expect("proc.name = bash", "FIELD:proc.name CMP:= VALUE:bash END");
	expect("proc.name==bash", "FIELD:proc.name CMP:== VALUE:bash END");
	expect("fd.num>=0x1f", "FIELD:fd.num CMP:>= VALUE:0x1f END");
	expect("fd.num < -1.5e+10", "FIELD:fd.num CMP:< VALUE:-1.5e+10 END");
	expect("proc.name exists", "FIELD:proc.name EXISTS:exists END");
	expect("proc.aname[2] in (a, 'b c')",
	       "FIELD:proc.aname[2] CMP:in ( VALUE:a , VALUE:q:b c ) END");
	expect("proc.name inx", "FIELD:proc.name CMP:in VALUE:x END");
	expect("proc.name intersects(a)", "FIELD:proc.name CMP:intersects ( VALUE:a ) END");
	expect("evt.arg.flags contains O_RDWR", "FIELD:evt.arg.flags CMP:contains VALUE:O_RDWR END");
	expect("proc.env[\"A B\"] = 1", "FIELD:proc.env[A B] CMP:= VALUE:1 END");
	expect("m", "IDENT:m END");
	expect("m1_x and not n", "IDENT:m1_x AND NOT IDENT:n END");
	expect("not(a)or(b)", "NOT ( IDENT:a ) OR ( IDENT:b ) END");
	expect("a and(b)", "IDENT:a AND ( IDENT:b ) END");
	/* bare strings stop at blanks ( ) , = " ' and accept anything else */
	expect("proc.name = a\bb", "FIELD:proc.name CMP:= VALUE:a\bb END");
	expect("proc.name = [x]*{y}/z:1", "FIELD:proc.name CMP:= VALUE:[x]*{y}/z:1 END");
	expect("proc.name = 5", "FIELD:proc.name CMP:= VALUE:5 END");
	/* numbers only after numeric operators */
	expect("fd.num > 1x", "FIELD:fd.num CMP:> VALUE:1 ERROR@10(unexpected token after '1', "
			      "expecting 'or', 'and')");
}

static void test_modifier_tokens(void **state)
{
	(void)state;
	expect("proc.name startswith oneof (a)", "FIELD:proc.name CMP:startswith MOD:1 ( VALUE:a ) END");
	expect("proc.name = anyof x", "FIELD:proc.name CMP:= MOD:2 VALUE:x END");
	expect("proc.name = allof\t(x)", "FIELD:proc.name CMP:= MOD:3 ( VALUE:x ) END");
	expect("proc.name = oneof and x", "FIELD:proc.name CMP:= VALUE:oneof AND IDENT:x END");
	expect("proc.name = oneof not", "FIELD:proc.name CMP:= VALUE:oneof "
					"ERROR@18(unexpected token after 'oneof', expecting 'or', 'and')");
	expect("proc.name = oneof notx", "FIELD:proc.name CMP:= MOD:1 VALUE:notx END");
	expect("proc.name =oneof x", "FIELD:proc.name CMP:= VALUE:oneof "
				     "ERROR@17(unexpected token after 'oneof', expecting 'or', 'and')");
	expect("proc.name in oneof (x)", "FIELD:proc.name CMP:in VALUE:oneof "
					 "ERROR@19(unexpected token after 'oneof', expecting 'or', 'and')");
}

static void test_transformer_tokens(void **state)
{
	(void)state;
	expect("tolower(proc.name) = x", "XF:tolower FIELD:proc.name XFEND CMP:= VALUE:x END");
	expect("toupper( basename( fd.name ) )[1] exists",
	       "XF:toupper XF:basename FIELD:fd.name XFEND XFEND:[1] EXISTS:exists END");
	expect("join(\",\", (a.b, 1, \"s\", len(c.d))) = x",
	       "XF:join VALUE:q:, , ( FIELD:a.b , VALUE:1 , VALUE:q:s , XF:len FIELD:c.d XFEND ) "
	       "XFEND CMP:= VALUE:x END");
	expect("proc.name = val(proc.pname)[x]", "FIELD:proc.name CMP:= VAL FIELD:proc.pname XFEND:[x] END");
	expect("proc.name = b64(proc.pname)", "FIELD:proc.name CMP:= XF:b64 FIELD:proc.pname XFEND END");
	expect("fd.num > len(proc.pname)", "FIELD:fd.num CMP:> XF:len FIELD:proc.pname XFEND END");
	expect("proc.name in concat(a.b, c.d)", "FIELD:proc.name CMP:in XF:concat FIELD:a.b , "
						 "FIELD:c.d XFEND END");
	expect("getopt(proc.args, \"c:\")[c] = x",
	       "XF:getopt FIELD:proc.args , VALUE:q:c: XFEND:[c] CMP:= VALUE:x END");
	/* "tolower(" only with the parenthesis right after the name */
	expect("proc.name = tolower (x)", "FIELD:proc.name CMP:= VALUE:tolower "
					  "ERROR@20(unexpected token after 'tolower', expecting 'or', 'and')");
}

static void test_strings(void **state)
{
	(void)state;
	expect("a.b = \"\\b\\f\\n\\r\\t\\\\\\/\\x41\\ \"", "FIELD:a.b CMP:= VALUE:q:\b\f\n\r\t\\/A\\ END");
	expect("a.b = '\\''", "FIELD:a.b CMP:= VALUE:q:' END");
	expect("a.b = \"\\\"\"", "FIELD:a.b CMP:= VALUE:q:\" END");
	expect("a.b = \"\"", "FIELD:a.b CMP:= VALUE:q: END");
	expect("a.b = ''", "FIELD:a.b CMP:= VALUE:q: END");
	expect("a.b = \"x\\xfF\"", "FIELD:a.b CMP:= VALUE:q:x\xff END");
	expect("a.b = \"\\x4\"", "FIELD:a.b CMP:= ERROR@11(truncated hex char escape sequence)");
	expect("a.b = \"\\xzz\"", "FIELD:a.b CMP:= ERROR@12(invalid hex char escape sequence: zz)");
	expect("a.b = \"\\a\"", "FIELD:a.b CMP:= ERROR@10(unsupported string escape sequence: \\a)");
	expect("a.b = '\\\"'", "FIELD:a.b CMP:= ERROR@10(invalid \\\" escape in '-quoted string)");
	expect("a.b = \"\\'\"", "FIELD:a.b CMP:= ERROR@10(invalid \\' escape in \"-quoted string)");
	/* the string ends at the first quote not preceded by a backslash */
	expect("a.b = \"x\\\\\" or \"y\"", "FIELD:a.b CMP:= VALUE:q:x\\\" or  "
					     "ERROR@16(unexpected token after 'x\\\" or ', expecting 'or', 'and')");
}

static void test_spans(void **state)
{
	(void)state;
	struct arena a;
	struct parser p;
	arena_init(&a);
	memset(&p, 0, sizeof(p));
	const char *in = "  proc.name  =\t\"x y\" and (m)";
	p.a = &a;
	p.src = 9;
	p.buf = p.cur = (const unsigned char *)arena_strdup(&a, in);
	p.lim = p.buf + strlen(in);
	p.base = 1;
	p.frames = arena_alloc(&a, LEX_MAX_DEPTH * sizeof(*p.frames));
	static const struct { int tok; uint32_t s, e; } want[] = {
		{ T_FIELD, 2, 11 }, { T_CMP, 13, 14 }, { T_VALUE, 15, 20 }, { T_AND, 21, 24 },
		{ T_LP, 25, 26 },   { T_IDENT, 26, 27 }, { T_RP, 27, 28 },	{ 0, 28, 28 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		FRC_YYSTYPE v;
		FRC_YYLTYPE l;
		int t = frc_yylex(&v, &l, &p);
		assert_int_equal(t, want[i].tok);
		assert_int_equal(l.src, 9);
		assert_int_equal(l.start, want[i].s);
		assert_int_equal(l.end, want[i].e);
	}
	arena_free_all(&a);
}

static void test_lexer_errors(void **state)
{
	(void)state;
	expect("", "ERROR@0(expected a '(' token, a field check, or an identifier)");
	expect("1", "ERROR@0(expected a '(' token, a field check, or an identifier)");
	expect("a.b", "FIELD:a.b ERROR@3(expected a valid check operator: one of 'exists', '<=', "
		      "'<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', "
		      "'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', "
		      "'in', 'pmatch')");
	expect("a.b[", "ERROR@4(expected a valid field argument: a quoted string or a bare string)");
	expect("a.b[x", "ERROR@5(expected a ']' token)");
	expect("a.b = x oor y", "FIELD:a.b CMP:= VALUE:x ERROR@8(unexpected token after 'x', "
				"expecting 'or', 'and')");
	expect("(a.b = x", "( FIELD:a.b CMP:= VALUE:x ERROR@8(expected a ')' token)");
	expect("a ) b", "IDENT:a ERROR@2(unexpected token after 'a', expecting 'or', 'and')");
	expect("a.b = val(1)", "FIELD:a.b CMP:= VAL ERROR@10(expected a field within 'val' transformer)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_tokens),
		cmocka_unit_test(test_modifier_tokens),
		cmocka_unit_test(test_transformer_tokens),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_lexer_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
