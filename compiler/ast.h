/* SPDX-License-Identifier: Apache-2.0
 *
 * The condition AST: one kind enum, one tagged union, a span on every node.
 * Produced by the parser (compiler/parser.y), rewritten by expansion (macros spliced in),
 * annotated by the checker (field ids, typed constants), consumed by lowering/emitters
 * and by the reference evaluator used in tests.
 *
 * Ownership: every node and every string hanging off a node lives in the arena of the
 * compilation that built it (struct arena, compiler/arena.h). Nothing is freed alone.
 */
#ifndef FRC_COMPILER_AST_H
#define FRC_COMPILER_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

/**
 * struct src_span - a range of bytes in one source.
 * @src: index of the source (diag.h: a rules file, a condition scalar, a macro body...)
 * @start: first byte offset, inclusive
 * @end: last byte offset, exclusive
 */
struct src_span {
	uint32_t src;
	uint32_t start, end;
};

/* Comparison operators, in Falco's spelling (canonical text uses these strings). */
enum cmp_op {
	OP_EQ,		/* "=" (also "==": check.eqeq; printed as written, like Falco) */
	OP_NE,		/* "!=" */
	OP_LT,		/* "<" */
	OP_LE,		/* "<=" */
	OP_GT,		/* ">" */
	OP_GE,		/* ">=" */
	OP_CONTAINS,	/* "contains" */
	OP_ICONTAINS,	/* "icontains" */
	OP_BCONTAINS,	/* "bcontains" */
	OP_STARTSWITH,	/* "startswith" */
	OP_BSTARTSWITH, /* "bstartswith" */
	OP_ENDSWITH,	/* "endswith" */
	OP_GLOB,	/* "glob" */
	OP_IGLOB,	/* "iglob" */
	OP_REGEX,	/* "regex" */
	OP_IN,		/* "in" */
	OP_INTERSECTS,	/* "intersects" */
	OP_PMATCH,	/* "pmatch" */
	OP_EXISTS,	/* "exists" (unary) */
	OP__COUNT
};

/* oneof/anyof/allof modifier of a string operator applied to a list. */
enum cmp_mod { MOD_NONE, MOD_ONEOF, MOD_ANYOF, MOD_ALLOF };

/* Transformers. */
enum xform_kind {
	XF_TOLOWER, XF_TOUPPER, XF_B64, XF_BASENAME, XF_LEN, XF_JOIN, XF_CONCAT, XF_GETOPT,
	XF__COUNT
};

enum ast_kind {
	AST_AND,	/* n-ary: u.nary */
	AST_OR,		/* n-ary: u.nary */
	AST_NOT,	/* u.not */
	AST_CHECK,	/* u.check: lhs op rhs */
	AST_REF,	/* u.ref: identifier (macro reference, or a lone identifier operand) */
	AST_FIELD,	/* u.field: field with optional argument */
	AST_XFORM,	/* u.xform: transformer applied to arguments */
	AST_VALUE,	/* u.value: a constant (string as written; typed after checking) */
	AST_LIST,	/* u.nary: list of AST_VALUE */
	AST_BOOL,	/* u.boolean: constant produced by folding (never by the parser) */
	AST__COUNT
};

/**
 * struct ast_const - a constant converted to the type of the field it is compared with.
 * Filled by the checker; @type FT_NONE until then.
 * @type: the field type it was parsed for
 * @u: integer (all integer-like types and BOOL); @ip: 4 or 16 address bytes and, for
 *     IPNET, @prefix bits; strings and byte buffers keep using ast.u.value.str/len.
 */
struct ast_const {
	enum ft_type type;
	uint8_t family;		/* 4 or 6 for IPADDR/IPNET, else 0 */
	uint8_t prefix;		/* IPNET prefix length */
	uint8_t ip[16];
	union {
		int64_t i;
		uint64_t u;
	} n;
};

struct ast {
	enum ast_kind kind;
	struct src_span span;
	/* set when the node was copied from a macro body: the span of the macro reference */
	const struct ast *expanded_from;
	union {
		/* AST_AND, AST_OR, AST_LIST */
		struct {
			struct ast **items;
			uint32_t n;
		} nary;
		/* AST_NOT */
		struct {
			struct ast *child;
		} not_;
		/* AST_CHECK: @rhs NULL for exists; AST_VALUE, AST_LIST, AST_REF (identifier used
		 * as a single value or list name), AST_FIELD (val(...)) or AST_XFORM. The parser
		 * gives an identifier after in/intersects/pmatch as an unquoted AST_VALUE, as
		 * Falco does; an AST_LIST among transformer arguments may also hold AST_FIELD
		 * and AST_XFORM items. */
		struct {
			struct ast *lhs;
			enum cmp_op op;
			enum cmp_mod mod;
			bool rhs_is_field; /* rhs came from val()/a transformer */
			bool eqeq;	   /* OP_EQ written "==" (Falco's canonical text keeps it) */
			struct ast *rhs;
		} check;
		/* AST_REF */
		struct {
			const char *name;
		} ref;
		/* AST_FIELD: @name as written without the argument; @id FLD__COUNT until
		 * checked; @arg raw argument text (NULL if none), @arg_len its length,
		 * @arg_index parsed index for FF_ARG_INDEX fields (-1 if none) */
		struct {
			const char *name;
			const char *arg;
			uint32_t arg_len;
			int64_t arg_index;
			enum field_id id;
			bool arg_dotted; /* written evt.arg.NAME rather than evt.arg[NAME] */
			/* right-hand val(f)[x]: x (Falco rejects it when compiling:
			 * "filter error: transformer 'val' does not support field arguments");
			 * NULL if none */
			const char *val_arg;
			uint32_t val_arg_len;
		} field;
		/* AST_XFORM: @args are AST_FIELD, AST_XFORM, AST_VALUE or AST_LIST */
		struct {
			enum xform_kind kind;
			struct ast **args;
			uint32_t nargs;
			const char *arg;	/* optional [arg] after the transformer */
			uint32_t arg_len;
			enum ft_type type;	/* result type, after checking */
		} xform;
		/* AST_VALUE: bytes as decoded from the source (may hold any byte but NUL),
		 * @quoted if written with quotes; @c filled by the checker */
		struct {
			const char *str;
			uint32_t len;
			bool quoted;
			struct ast_const c;
		} value;
		/* AST_BOOL */
		bool boolean;
	} u;
};

struct arena;

/*
 * Constructors (compiler/ast.c), used by the grammar and by passes that build nodes.
 * Every node and string is allocated in @a; strings are copied (NUL added). Each returns
 * NULL when the arena fails, and also when an argument node is NULL (so nested calls need
 * one check).
 */
struct ast *ast_new(struct arena *a, enum ast_kind kind, struct src_span span);
struct ast *ast_new_ref(struct arena *a, const char *name, size_t len, struct src_span span);
/* @arg NULL: no argument */
struct ast *ast_new_field(struct arena *a, const char *name, size_t len, const char *arg,
			  size_t arg_len, struct src_span span);
/* right-hand val(name[arg])[val_arg] */
struct ast *ast_new_val(struct arena *a, const char *name, size_t len, const char *arg,
			size_t arg_len, const char *val_arg, size_t val_arg_len,
			struct src_span span);
struct ast *ast_new_value(struct arena *a, const char *s, size_t len, bool quoted,
			  struct src_span span);
/* @rhs NULL for exists; rhs_is_field is set when @rhs is AST_FIELD or AST_XFORM */
struct ast *ast_new_check(struct arena *a, struct ast *lhs, enum cmp_op op, bool eqeq,
			  enum cmp_mod mod, struct ast *rhs, struct src_span span);
/* @args: an AST_LIST whose items become the arguments */
struct ast *ast_new_xform(struct arena *a, enum xform_kind kind, struct ast *args, const char *arg,
			  size_t arg_len, struct src_span span);
/* append @item to the AST_AND/AST_OR/AST_LIST @n (items grow by doubling); returns @n */
struct ast *ast_list_add(struct arena *a, struct ast *n, struct ast *item);
/*
 * @l @kind @r with @l's location @lloc: appends to @l when it is an unparenthesised chain of
 * the same kind (its span equals @lloc; a group's location starts at its parenthesis).
 */
struct ast *ast_new_logic(struct arena *a, enum ast_kind kind, struct ast *l,
			  struct src_span lloc, struct ast *r, struct src_span span);
/* not @c (location @cloc): `not not X` gives X, as in Falco; `not (not X)` stays nested */
struct ast *ast_new_not(struct arena *a, struct ast *c, struct src_span cloc,
			struct src_span span);

/* Spelling of an operator as Falco prints it ("=", "startswith", ...). */
const char *ast_op_name(enum cmp_op op);

/* Spelling of a transformer ("tolower", ...). */
const char *ast_xform_name(enum xform_kind k);

#endif
