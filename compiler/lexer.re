/* SPDX-License-Identifier: Apache-2.0
 *
 * Condition lexer (re2c): the shapes of the tokens of a Falco condition (rules-language.md
 * §6.1) as functions that measure one token class at a position: field names, identifiers,
 * numbers, bare strings, field arguments, operators, transformer openings, and quoted
 * strings with Falco's escapes. Which class is tried where is decided by parse.c, which
 * follows the positions of Falco's parser (see lexer.h).
 */
#include "lexer.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"

typedef unsigned char uch;

/*!re2c
	re2c:define:YYCTYPE = uch;
	re2c:yyfill:enable = 0;
	re2c:eof = 0;
	word    = [a-zA-Z]+ [a-zA-Z0-9_]*;
	space   = [ \t\n\v\f\r];
	blank   = [ \t\b\r\n];
*/

size_t lex_field_name(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	/*!re2c
	word ("." word)+	{ return (size_t)(YYCURSOR - s); }
	*			{ return 0; }
	$			{ return 0; }
	*/
}

size_t lex_ident(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim;
	/*!re2c
	word	{ return (size_t)(YYCURSOR - s); }
	*	{ return 0; }
	$	{ return 0; }
	*/
}

/* hex first, as Falco tries it first: 0[xX][0-9a-fA-F]+ | [+-]?[0-9]+.?[0-9]*([eE][+-][0-9]+)? */
size_t lex_number(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	/*!re2c
	"0" [xX] [0-9a-fA-F]+					{ return (size_t)(YYCURSOR - s); }
	[+-]? [0-9]+ "."? [0-9]* ([eE] [+-] [0-9]+)?		{ return (size_t)(YYCURSOR - s); }
	*							{ return 0; }
	$							{ return 0; }
	*/
}

size_t lex_bare(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim;
	/*!re2c
	([^()"'=,] \ space)+	{ return (size_t)(YYCURSOR - s); }
	*			{ return 0; }
	$			{ return 0; }
	*/
}

size_t lex_arg_bare(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim;
	/*!re2c
	([^\]["'] \ space)+	{ return (size_t)(YYCURSOR - s); }
	*			{ return 0; }
	$			{ return 0; }
	*/
}

/* "tolower(" ... : returns the length, sets @k */
size_t lex_xform(const unsigned char *s, const unsigned char *lim, int *k)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	/*!re2c
	"tolower("	{ *k = XF_TOLOWER; return 8; }
	"toupper("	{ *k = XF_TOUPPER; return 8; }
	"b64("		{ *k = XF_B64; return 4; }
	"basename("	{ *k = XF_BASENAME; return 9; }
	"len("		{ *k = XF_LEN; return 4; }
	"join("		{ *k = XF_JOIN; return 5; }
	"concat("	{ *k = XF_CONCAT; return 7; }
	"getopt("	{ *k = XF_GETOPT; return 7; }
	*		{ return 0; }
	$		{ return 0; }
	*/
}

/* a check operator; word operators need a blank after them (included in the length) */
size_t lex_op(const unsigned char *s, const unsigned char *lim, int *k, bool *eqeq)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	*eqeq = false;
#define R(op) do { *k = op; return (size_t)(YYCURSOR - s); } while (0)
	/*!re2c
	"exists"			{ R(OP_EXISTS); }
	"<="				{ R(OP_LE); }
	"<"				{ R(OP_LT); }
	">="				{ R(OP_GE); }
	">"				{ R(OP_GT); }
	"=="				{ *eqeq = true; R(OP_EQ); }
	"="				{ R(OP_EQ); }
	"!="				{ R(OP_NE); }
	"glob" blank+			{ R(OP_GLOB); }
	"iglob" blank+			{ R(OP_IGLOB); }
	"contains" blank+		{ R(OP_CONTAINS); }
	"icontains" blank+		{ R(OP_ICONTAINS); }
	"bcontains" blank+		{ R(OP_BCONTAINS); }
	"startswith" blank+		{ R(OP_STARTSWITH); }
	"bstartswith" blank+		{ R(OP_BSTARTSWITH); }
	"endswith" blank+		{ R(OP_ENDSWITH); }
	"regex" blank+			{ R(OP_REGEX); }
	"intersects"			{ R(OP_INTERSECTS); }
	"in"				{ R(OP_IN); }
	"pmatch"			{ R(OP_PMATCH); }
	*				{ return 0; }
	$				{ return 0; }
	*/
#undef R
}

size_t lex_mod(const unsigned char *s, const unsigned char *lim, int *k)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	/*!re2c
	"oneof" blank+	{ *k = MOD_ONEOF; return (size_t)(YYCURSOR - s); }
	"anyof" blank+	{ *k = MOD_ANYOF; return (size_t)(YYCURSOR - s); }
	"allof" blank+	{ *k = MOD_ALLOF; return (size_t)(YYCURSOR - s); }
	*		{ return 0; }
	$		{ return 0; }
	*/
}

/* "not" followed by POSIX space (Falco's `not[[:space:]]+`) */
size_t lex_not(const unsigned char *s, const unsigned char *lim)
{
	const uch *YYCURSOR = s, *YYLIMIT = lim, *YYMARKER = s;
	/*!re2c
	"not" space+	{ return (size_t)(YYCURSOR - s); }
	*		{ return 0; }
	$		{ return 0; }
	*/
}

static const char *oom(const char *msg)
{
	return msg ? msg : "out of memory";
}

/* Falco's decoding of the text between the quotes (its unescape_str()); NULL or an error */
static const char *unescape(struct arena *a, const uch *s, const uch *e, char *d, uint32_t *len)
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	uch q = *s;
	size_t n = 0;
	for (const uch *c = s + 1; c < e; c++) {
		if (*c != '\\') {
			d[n++] = (char)*c;
			continue;
		}
		switch (*++c) {
		case 'b': d[n++] = '\b'; break;
		case 'f': d[n++] = '\f'; break;
		case 'n': d[n++] = '\n'; break;
		case 'r': d[n++] = '\r'; break;
		case 't': d[n++] = '\t'; break;
		case ' ': /* Falco keeps "\ " as a backslash, for an old rule */
		case '\\': d[n++] = '\\'; break;
		case '/': d[n++] = '/'; break;
		case '"':
		case '\'':
			if (*c != q)
				return q == '"' ? "invalid \\' escape in \"-quoted string"
						: "invalid \\\" escape in '-quoted string";
			d[n++] = (char)*c;
			break;
		case 'x': {
			if (c + 2 >= e)
				return "truncated hex char escape sequence";
			const char *h1 = c[1] ? strchr(hex, c[1]) : NULL;
			const char *h2 = c[2] ? strchr(hex, c[2]) : NULL;
			if (!h1 || !h2)
				return oom(arena_printf(a, "invalid hex char escape sequence: %c%c",
							c[1], c[2]));
			d[n++] = (char)((((h1 - hex) & 15) << 4) | ((h2 - hex) & 15));
			c += 2;
			break;
		}
		default:
			return oom(arena_printf(a, "unsupported string escape sequence: \\%c", *c));
		}
	}
	*len = (uint32_t)n;
	return NULL;
}

int lex_quoted(struct arena *a, const unsigned char *s, const unsigned char *lim,
	       struct lex_str *out)
{
	const uch *e;
	memset(out, 0, sizeof(*out));
	if (*s != '"' && *s != '\'')
		return 0;
	for (e = s + 1; e < lim && *e; e++)
		if (*e == *s && e[-1] != '\\')
			break;
	if (e >= lim || !*e)
		return 0;
	out->end = e + 1;
	char *d = arena_alloc(a, (size_t)(e - s));
	if (!d) {
		out->err = "out of memory";
		return -1;
	}
	out->err = unescape(a, s, e, d, &out->len);
	if (out->err) {
		out->s = d;
		return -1;
	}
	out->s = d;
	return 1;
}
