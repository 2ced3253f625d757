/* SPDX-License-Identifier: Apache-2.0
 *
 * Grammar of Falco conditions: tokens (parse.c, lexer.re) -> AST (ast.h). Builds the tree only.
 * The token source already enforces Falco's position-dependent token rules and gives Falco's
 * error messages; this grammar adds the tree shape: `not` binds tighter than `and`, which
 * binds tighter than `or`; and/or chains are n-ary and a parenthesised group stays a nested
 * node (ast_new_logic() tells a group from a chain by its location); repeated `not` toggles.
 */
%define api.pure full
%define api.prefix {frc_yy}
%define api.location.type {struct src_span}
%locations
%expect 0
%param {struct parser *p}

%code requires {
#include "lexer.h"
}

%code provides {
int frc_yylex(FRC_YYSTYPE *lval, FRC_YYLTYPE *lloc, struct parser *p);
void frc_yyerror(FRC_YYLTYPE *lloc, struct parser *p, const char *msg);
}

%code {
/* span of a rule: from its first symbol to its last (empty rule: where the previous ended) */
#define YYLLOC_DEFAULT(cur, rhs, n)						\
	do {									\
		if (n) {							\
			(cur).src = YYRHSLOC(rhs, 1).src;			\
			(cur).start = YYRHSLOC(rhs, 1).start;			\
			(cur).end = YYRHSLOC(rhs, n).end;			\
		} else {							\
			(cur).src = YYRHSLOC(rhs, 0).src;			\
			(cur).start = (cur).end = YYRHSLOC(rhs, 0).end;		\
		}								\
	} while (0)

#define A (p->a)
/* every constructor returns NULL only when the arena is exhausted */
#define NN(x) do { if (!(x)) YYNOMEM; } while (0)
}

%union {
	struct ast *n;
	struct tok t;
}

%token T_ERROR T_LP T_RP T_COMMA
%token <t> T_IDENT T_FIELD T_VALUE T_XF T_XFEND T_VAL T_CMP T_EXISTS T_MOD
%left T_OR
%left T_AND
%precedence T_NOT

%type <n> expr check lhs rhs xform xargs xarg tlargs tlarg list values listval

%%

condition
	: expr				{ p->root = $1; }
	;

expr
	: expr T_OR expr		{ NN($$ = ast_new_logic(A, AST_OR, $1, @1, $3, @$)); }
	| expr T_AND expr		{ NN($$ = ast_new_logic(A, AST_AND, $1, @1, $3, @$)); }
	| T_NOT expr			{ NN($$ = ast_new_not(A, $2, @2, @$)); }
	| T_LP expr T_RP		{ $$ = $2; }
	| check
	;

check
	: T_IDENT			{ NN($$ = ast_new_ref(A, $1.s, $1.len, @$)); }
	| lhs T_EXISTS			{ NN($$ = ast_new_check(A, $1, OP_EXISTS, false, MOD_NONE, NULL, @$)); }
	| lhs T_CMP rhs			{ NN($$ = ast_new_check(A, $1, $2.k, $2.eqeq, MOD_NONE, $3, @$)); }
	| lhs T_CMP T_MOD listval	{ NN($$ = ast_new_check(A, $1, $2.k, $2.eqeq, $3.k, $4, @$)); }
	;

lhs
	: T_FIELD			{ NN($$ = ast_new_field(A, $1.s, $1.len, $1.arg, $1.arg_len, @$)); }
	| xform
	;

xform
	: T_XF xargs T_XFEND		{ NN($$ = ast_new_xform(A, $1.k, $2, $3.arg, $3.arg_len, @$)); }
	;

xargs
	: xarg				{ NN($$ = ast_list_add(A, ast_new(A, AST_LIST, @$), $1)); }
	| xargs T_COMMA xarg		{ NN($$ = ast_list_add(A, $1, $3)); }
	;

xarg
	: tlarg
	| T_LP T_RP			{ NN($$ = ast_new(A, AST_LIST, @$)); }
	| T_LP tlargs T_RP		{ $$ = $2; }
	;

tlargs
	: tlarg				{ NN($$ = ast_list_add(A, ast_new(A, AST_LIST, @$), $1)); }
	| tlargs T_COMMA tlarg		{ NN($$ = ast_list_add(A, $1, $3)); }
	;

tlarg
	: T_FIELD			{ NN($$ = ast_new_field(A, $1.s, $1.len, $1.arg, $1.arg_len, @$)); }
	| T_VALUE			{ NN($$ = ast_new_value(A, $1.s, $1.len, $1.quoted, @$)); }
	| xform
	;

rhs
	: T_VALUE			{ NN($$ = ast_new_value(A, $1.s, $1.len, $1.quoted, @$)); }
	| list
	| xform
	| T_VAL T_FIELD T_XFEND		{ NN($$ = ast_new_val(A, $2.s, $2.len, $2.arg, $2.arg_len, $3.arg, $3.arg_len, @$)); }
	;

listval
	: list
	| T_VALUE			{ NN($$ = ast_new_value(A, $1.s, $1.len, $1.quoted, @$)); }
	;

list
	: T_LP T_RP			{ NN($$ = ast_new(A, AST_LIST, @$)); }
	| T_LP values T_RP		{ $$ = $2; }
	;

values
	: T_VALUE			{ NN($$ = ast_list_add(A, ast_new(A, AST_LIST, @$), ast_new_value(A, $1.s, $1.len, $1.quoted, @1))); }
	| values T_COMMA T_VALUE	{ NN($$ = ast_list_add(A, $1, ast_new_value(A, $3.s, $3.len, $3.quoted, @3))); }
	;

%%

void frc_yyerror(FRC_YYLTYPE *lloc, struct parser *p, const char *msg)
{
	/* the token source reports every malformed input in Falco's words before the grammar can
	 * fail; what reaches here is an arena failure or a lexer/grammar mismatch (a bug) */
	if (!p->err) {
		p->err = msg;
		p->err_off = lloc->start;
	}
}
