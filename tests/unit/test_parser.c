/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of parse_condition() and ast_canonical(): tree shape (precedence, n-ary
 * chains, groups, not toggling), every operator, right-hand sides, transformers, field
 * arguments, quoting/escapes, Falco's error messages and offsets, the depth limit, and the
 * canonical text expected by the compat manifest.
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
#include "load_yaml.h"
#include "parse.h"

struct ok_case {
	const char *in, *canon;
};

struct err_case {
	const char *in, *msg;
	int off; /* -1: not checked */
};

static char *canon_of(struct arena *a, const char *in, size_t len, struct parse_error *e)
{
	struct ast *n = parse_condition(a, in, len, 7, e);
	if (!n) {
		print_error("unexpected error for [%s]: @%u %s\n", in, e->offset, e->msg);
		return NULL;
	}
	return ast_canonical(a, n);
}

static void check_ok_fix(const struct ok_case *c, size_t n, bool fixpoint)
{
	for (size_t i = 0; i < n; i++) {
		struct arena a;
		struct parse_error e;
		arena_init(&a);
		char *s = canon_of(&a, c[i].in, strlen(c[i].in), &e);
		if (!s || strcmp(s, c[i].canon)) {
			print_error("input [%s]\n  want [%s]\n  got  [%s]\n", c[i].in, c[i].canon,
				    s ? s : "(error)");
			arena_free_all(&a);
			fail();
		}
		/* canonical text that parses again is a fixed point (Falco's text does not
		 * always parse again: "join(,,(...))", "proc.name = ") */
		struct ast *t2 = parse_condition(&a, s, strlen(s), 0, &e);
		char *s2 = t2 ? ast_canonical(&a, t2) : NULL;
		if (fixpoint && t2 && (!s2 || strcmp(s, s2))) {
			print_error("not a fixed point: [%s] -> [%s]\n", s, s2 ? s2 : "(error)");
			arena_free_all(&a);
			fail();
		}
		arena_free_all(&a);
	}
}

static void check_ok(const struct ok_case *c, size_t n)
{
	check_ok_fix(c, n, true);
}

static void check_err(const struct err_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct arena a;
		struct parse_error e;
		arena_init(&a);
		struct ast *t = parse_condition(&a, c[i].in, strlen(c[i].in), 0, &e);
		if (t || strcmp(e.msg, c[i].msg) || (c[i].off >= 0 && e.offset != (uint32_t)c[i].off)) {
			print_error("input [%s]\n  want @%d [%s]\n  got  @%u [%s]\n", c[i].in, c[i].off,
				    c[i].msg, t ? 0 : e.offset, t ? ast_canonical(&a, t) : e.msg);
			arena_free_all(&a);
			fail();
		}
		arena_free_all(&a);
	}
}

#define N(x) (sizeof(x) / sizeof((x)[0]))

/* rules-language.md §6.3 */
static void test_precedence(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "a or b and c", "(a or (b and c))" },
		{ "not a and b or c", "((not a and b) or c)" },
		{ "(a and b) and c", "((a and b) and c)" },
		{ "a and not(b or c)", "(a and not (b or c))" },
		{ "a and b and c and d", "(a and b and c and d)" },
		{ "a or b or c", "(a or b or c)" },
		{ "a and (b and c)", "(a and (b and c))" },
		{ "(a)", "a" },
		{ "((((a))))", "a" },
		{ "(a) and (b)", "(a and b)" },
		{ "not not a", "a" },
		{ "not not not a", "not a" },
		{ "not not not not a", "a" },
		{ "not (not a)", "not not a" },
		{ "not(not a)", "not not a" },
		{ "not not (not a)", "not a" },
		{ "not not(a)", "a" },
		{ "not proc.name=x and y", "(not proc.name = x and y)" },
		{ "a and(b) or c", "((a and b) or c)" },
		{ "a and(b and c)", "(a and (b and c))" },
		{ "a or(b) or c", "(a or b or c)" },
		{ "x and (a or(b)) and d", "(x and (a or b) and d)" },
		{ "not(a) and b", "(not a and b)" },
		{ "not\ta", "not a" },
		{ "not\va", "not a" },
		{ "not", "not" },
		{ "a and not", "(a and not)" },
		{ "not not", "not not" },
		{ "notx", "notx" },
		{ "and", "and" },
		{ "a or and", "(a or and)" },
		{ " \t\r\n\ba\n", "a" },
		{ "(a or b) and (c or d) and not (e and f)",
		  "((a or b) and (c or d) and not (e and f))" },
	};
	/* not a fixed point in Falco either: "not not a" is printed for not(not(a)) */
	check_ok_fix(c, N(c), false);
}

static void test_operators(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.name=x", "proc.name = x" },
		{ "proc.name==x", "proc.name == x" },
		{ "proc.name!=x", "proc.name != x" },
		{ "fd.num<1", "fd.num < 1" },
		{ "fd.num<=1", "fd.num <= 1" },
		{ "fd.num>1", "fd.num > 1" },
		{ "fd.num>=0", "fd.num >= 0" },
		{ "fd.num >= -1", "fd.num >= -1" },
		{ "fd.num > +1.5e+3", "fd.num > +1.5e+3" },
		{ "fd.num > 0x1F", "fd.num > 0x1F" },
		{ "fd.num > 12.", "fd.num > 12." },
		{ "proc.name contains x", "proc.name contains x" },
		{ "proc.name icontains x", "proc.name icontains x" },
		{ "evt.buffer bcontains cafe", "evt.buffer bcontains cafe" },
		{ "proc.name startswith x", "proc.name startswith x" },
		{ "evt.buffer bstartswith cafe", "evt.buffer bstartswith cafe" },
		{ "proc.name endswith x", "proc.name endswith x" },
		{ "fd.name glob /tmp/*", "fd.name glob /tmp/*" },
		{ "fd.name iglob /TMP/*", "fd.name iglob /TMP/*" },
		{ "proc.name regex a.*b", "proc.name regex a.*b" },
		{ "proc.name in (a, b)", "proc.name in (a, b)" },
		{ "proc.name in(a,b)", "proc.name in (a, b)" },
		{ "fd.types intersects (ipv4, ipv6)", "fd.types intersects (ipv4, ipv6)" },
		{ "fd.name pmatch (/var/run, /etc)", "fd.name pmatch (/var/run, /etc)" },
		{ "proc.name exists", "proc.name exists" },
		{ "proc.name exists and a", "(proc.name exists and a)" },
		{ "proc.name inx", "proc.name in x" },
		{ "proc.name intersectsx", "proc.name intersects x" },
		{ "proc.name in shell_binaries", "proc.name in shell_binaries" },
		{ "proc.name pmatchx", "proc.name pmatch x" },
		{ "proc.name in ()", "proc.name in ()" },
		{ "proc.name in ( )", "proc.name in ()" },
		{ "proc.name contains\ta", "proc.name contains a" },
		{ "proc.name contains\ba", "proc.name contains a" },
		{ "evt.type=execve", "evt.type = execve" },
		{ "proc.name\t=\nx", "proc.name = x" },
	};
	check_ok(c, N(c));
}

static void test_modifiers(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.name startswith oneof (ssh, sudo)", "proc.name startswith oneof (ssh, sudo)" },
		{ "fd.name glob anyof (\"/tmp/*.sh\", \"/dev/shm/*\")",
		  "fd.name glob anyof (/tmp/*.sh, /dev/shm/*)" },
		{ "proc.cmdline contains allof (curl, ci.internal)",
		  "proc.cmdline contains allof (curl, ci.internal)" },
		{ "proc.name = oneof (a)", "proc.name = oneof (a)" },
		{ "proc.name = oneof x", "proc.name = oneof x" },
		{ "proc.name = oneof and x", "(proc.name = oneof and x)" },
		{ "proc.name = oneof or x", "(proc.name = oneof or x)" },
		{ "proc.name = oneof andy", "proc.name = oneof andy" },
		{ "proc.name = oneof", "proc.name = oneof" },
		{ "proc.name = oneof\t(a)", "proc.name = oneof (a)" },
		{ "proc.name in oneof", "proc.name in oneof" },
	};
	check_ok(c, N(c));
	static const struct err_case e[] = {
		/* no blank after '=': "oneof" is a value, then "(a)" is junk */
		{ "proc.name =oneof (a)", "unexpected token after 'oneof', expecting 'or', 'and'", 17 },
		{ "proc.name = oneof()", "unexpected token after 'oneof', expecting 'or', 'and'", 17 },
		{ "proc.name = oneof 1", "unexpected token after 'oneof', expecting 'or', 'and'", 18 },
		{ "proc.name = oneof and_x", "expected blank or '(' after 'and'", 21 },
	};
	check_err(e, N(e));
}

static void test_rhs_fields(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.name = val(proc.pname)", "proc.name = val(proc.pname)" },
		{ "proc.name = val( proc.pname )", "proc.name = val(proc.pname)" },
		{ "proc.name = val(proc.aname[2])", "proc.name = val(proc.aname[2])" },
		{ "proc.name = val(proc.pname)[1]", "proc.name = val(proc.pname)[1]" },
		{ "tolower(proc.name) = toupper(proc.pname)", "tolower(proc.name) = toupper(proc.pname)" },
		{ "proc.pid > val(proc.ppid)", "proc.pid > val(proc.ppid)" },
		{ "proc.name in val(proc.pname)", "proc.name in val(proc.pname)" },
		{ "proc.name in tolower(proc.pname)", "proc.name in tolower(proc.pname)" },
		{ "len(proc.name) > 3", "len(proc.name) > 3" },
		{ "proc.name = proc.pname", "proc.name = proc.pname" },
		{ "proc.name = valx", "proc.name = valx" },
		{ "proc.name = \"toupper( proc.pname)\"", "proc.name = \"toupper( proc.pname)\"" },
	};
	check_ok(c, N(c));
	struct arena a;
	struct parse_error e;
	arena_init(&a);
	const char *in = "proc.name = val(proc.pname)[x]";
	struct ast *n = parse_condition(&a, in, strlen(in), 3, &e);
	assert_non_null(n);
	assert_int_equal(n->kind, AST_CHECK);
	assert_true(n->u.check.rhs_is_field);
	assert_int_equal(n->u.check.rhs->kind, AST_FIELD);
	assert_string_equal(n->u.check.rhs->u.field.name, "proc.pname");
	assert_null(n->u.check.rhs->u.field.arg);
	assert_string_equal(n->u.check.rhs->u.field.val_arg, "x");
	in = "tolower(proc.name) = x";
	n = parse_condition(&a, in, strlen(in), 3, &e);
	assert_int_equal(n->u.check.lhs->kind, AST_XFORM);
	assert_int_equal(n->u.check.lhs->u.xform.kind, XF_TOLOWER);
	assert_false(n->u.check.rhs_is_field);
	arena_free_all(&a);
}

static void test_transformers(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "tolower(proc.name) = bash", "tolower(proc.name) = bash" },
		{ "toupper( proc.name ) = BASH", "toupper(proc.name) = BASH" },
		{ "b64(evt.arg.data) contains x", "b64(evt.arg.data) contains x" },
		{ "basename(fd.name) = passwd", "basename(fd.name) = passwd" },
		{ "toupper(basename(fd.name)) = PASSWD", "toupper(basename(fd.name)) = PASSWD" },
		{ "len(proc.args) >= 10", "len(proc.args) >= 10" },
		{ "join(\",\", (proc.name, proc.pname)) = x", "join(,,(proc.name,proc.pname)) = x" },
		{ "join(\" \", (proc.name, \"a b\", 3)) = x", "join(\" \",(proc.name,\"a b\",3)) = x" },
		{ "concat(proc.name, \"-\", proc.pname) = a-b", "concat(proc.name,-,proc.pname) = a-b" },
		{ "concat(proc.name, 12, 0x10) = a", "concat(proc.name,12,0x10) = a" },
		{ "getopt(proc.args, \"c:\")[c] = x", "getopt(proc.args,c:)[c] = x" },
		{ "join(\",\", ()) = x", "join(,,()) = x" },
		{ "concat((proc.name, tolower(proc.pname)), proc.exe) = x",
		  "concat((proc.name,tolower(proc.pname)),proc.exe) = x" },
		{ "tolower(proc.name)[1] = x", "tolower(proc.name)[1] = x" },
		{ "len(proc.aname[2]) > 1", "len(proc.aname[2]) > 1" },
	};
	check_ok(c, N(c));
	static const struct err_case e[] = {
		{ "tolower(x) = a",
		  "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
		  8 },
		{ "tolower(proc.name = a", "expected a ')' token closing the transformer", 18 },
		{ "tolower(proc.name", "expected a ')' token closing the transformer", 17 },
		{ "join(\",\", (proc.name x)) = a", "expected ')'", 21 },
		{ "join(\",\", (x)) = a",
		  "expected transformer list argument: field, transformer, quoted string, or number", 11 },
		{ "join(\",\", (proc.name,)) = a",
		  "expected transformer list argument: field, transformer, quoted string, or number", 21 },
		{ "proc.name = val(x)", "expected a field within 'val' transformer", 16 },
		{ "proc.name = val(proc.pname", "expected a ')' token closing the transformer", 26 },
		{ "proc.name = tolower(x)",
		  "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
		  20 },
		{ "tolowerx(proc.name) = a", "unexpected token after 'tolowerx', expecting 'or', 'and'", 8 },
		{ "tolower (proc.name) = a", "unexpected token after 'tolower', expecting 'or', 'and'", 8 },
	};
	check_err(e, N(e));
}

static void test_field_args(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.aname[2] = sshd", "proc.aname[2] = sshd" },
		{ "evt.arg[1] = x", "evt.arg[1] = x" },
		{ "proc.env[HOME] = /root", "proc.env[HOME] = /root" },
		{ "container.mount.dest[/var/run/docker.sock] exists",
		  "container.mount.dest[/var/run/docker.sock] exists" },
		{ "proc.env[\"HOME\"] = x", "proc.env[HOME] = x" },
		{ "proc.env['a b'] = x", "proc.env[\"a b\"] = x" },
		{ "proc.env[\"\"] exists", "proc.env[\"\"] exists" },
		{ "k8s.pod.label[app.kubernetes.io/name] = x", "k8s.pod.label[app.kubernetes.io/name] = x" },
		{ "evt.arg.flags contains O_RDWR", "evt.arg.flags contains O_RDWR" },
		{ "proc.exe_ino.ctime_duration_proc_start > 0", "proc.exe_ino.ctime_duration_proc_start > 0" },
		{ "a.b1_c.d2 exists", "a.b1_c.d2 exists" },
	};
	check_ok(c, N(c));
	static const struct err_case e[] = {
		{ "proc.aname[] = x", "expected a valid field argument: a quoted string or a bare string", 11 },
		{ "proc.aname[2 = x", "expected a ']' token", 12 },
		{ "proc.aname[a[b] = x", "expected a ']' token", 12 },
		{ "proc.aname[\"a] = x", "expected a valid field argument: a quoted string or a bare string", 11 },
	};
	check_err(e, N(e));
	struct arena a;
	struct parse_error pe;
	arena_init(&a);
	struct ast *n = parse_condition(&a, "evt.arg.flags = x", 17, 0, &pe);
	assert_string_equal(n->u.check.lhs->u.field.name, "evt.arg.flags");
	assert_null(n->u.check.lhs->u.field.arg);
	assert_int_equal(n->u.check.lhs->u.field.id, FLD__COUNT);
	assert_int_equal(n->u.check.lhs->u.field.arg_index, -1);
	n = parse_condition(&a, "proc.env[] = x", 14, 0, &pe);
	assert_null(n);
	n = parse_condition(&a, "proc.env[\"\"] = x", 16, 0, &pe);
	assert_non_null(n->u.check.lhs->u.field.arg);
	assert_int_equal(n->u.check.lhs->u.field.arg_len, 0);
	arena_free_all(&a);
}

static void test_values_and_quoting(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.name = \"a b\"", "proc.name = \"a b\"" },
		{ "proc.name = 'a b'", "proc.name = \"a b\"" },
		{ "proc.name = \"ab\"", "proc.name = ab" },
		{ "proc.name = \"\"", "proc.name = " },
		{ "proc.name = \"a=b\"", "proc.name = \"a=b\"" },
		{ "proc.name = \"it's\"", "proc.name = \"it's\"" },
		{ "proc.name = 'say \"hi\"'", "proc.name = \"say \\\"hi\\\"\"" },
		{ "proc.name = \"\\b\\f\\n\\r\\t\"", "proc.name = \"\\b\\f\\n\\r\\t\"" },
		{ "proc.name = \"a\\\\b\"", "proc.name = \"a\\\\b\"" },
		{ "proc.name = \"a\\ b\"", "proc.name = \"a\\\\b\"" },
		{ "proc.name = \"\\/etc\"", "proc.name = /etc" },
		{ "proc.name = \"\\x41\\x62\"", "proc.name = Ab" },
		{ "proc.name = \"a\\\"b\"", "proc.name = \"a\\\"b\"" },
		{ "proc.name = 'a\\'b'", "proc.name = \"a'b\"" },
		/* ends only at a quote not preceded by a backslash */
		{ "proc.name = \"a\\\\\"b\"", "proc.name = \"a\\\\\\\"b\"" },
		{ "proc.name in (\"a b\", c, 'd')", "proc.name in (\"a b\", c, d)" },
		{ "proc.name in (a\\b)", "proc.name in (\"a\\\\b\")" },
		{ "proc.name = /usr/bin/x*y", "proc.name = /usr/bin/x*y" },
		{ "proc.name=a[0]", "proc.name = a[0]" },
	};
	check_ok(c, N(c));
	static const struct err_case e[] = {
		{ "proc.name = (a,b)", "expected a string value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 12 },
		{ "proc.name = a(b", "unexpected token after 'a', expecting 'or', 'and'", 13 },
		{ "proc.cmdline contains a=b", "unexpected token after 'a', expecting 'or', 'and'", 23 },
		{ "proc.cmdline = a\vb", "unexpected token after 'a', expecting 'or', 'and'", 16 },
		{ "proc.name = \"abc", "expected a string value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 12 },
		{ "proc.name = 'a\\\"b'", "invalid \\\" escape in '-quoted string", 18 },
		{ "proc.name = \"a\\'b\"", "invalid \\' escape in \"-quoted string", 18 },
		{ "proc.name = \"\\q\"", "unsupported string escape sequence: \\q", 16 },
		{ "proc.name = \"\\x4\"", "truncated hex char escape sequence", 17 },
		{ "proc.name = \"\\x\"", "truncated hex char escape sequence", 16 },
		{ "proc.name = \"\\x4g\"", "invalid hex char escape sequence: 4g", 18 },
		{ "proc.name = \"\\x+1\"", "invalid hex char escape sequence: +1", 18 },
		{ "proc.name = \"a\\\\\"", "expected a string value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 12 },
		{ "proc.name in (a, \"\\q\")", "unsupported string escape sequence: \\q", 21 },
		{ "proc.env[\"\\q\"] = x", "unsupported string escape sequence: \\q", 13 },
		/* "a\\" does not end at its last quote (preceded by a backslash) */
		{ "proc.args contains \"\\\\\"", "expected a string value or a field with a valid "
		  "transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', "
		  "'getopt'", 19 },
	};
	check_err(e, N(e));
}

static void test_lists(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "proc.name in (a)", "proc.name in (a)" },
		{ "proc.name in ( a , b ,c )", "proc.name in (a, b, c)" },
		{ "proc.name in (\n  ash, bash,\n  sh\n)", "proc.name in (ash, bash, sh)" },
		{ "proc.name in (a:b, /x/y, *)", "proc.name in (a:b, /x/y, *)" },
		/* Falco swallows an escape error in the first element and expects ")" */
		{ "proc.name in (\"\\q\")", "proc.name in ()" },
	};
	check_ok(c, N(c));
	static const struct err_case e[] = {
		{ "proc.name in (a,)", "expected a string value", 16 },
		{ "proc.name in (a b)", "expected a ')' token", 16 },
		{ "proc.name in (a", "expected a ')' token", 15 },
		{ "proc.name in (", "expected a ')' token", 14 },
		{ "proc.name in (,a)", "expected a ')' token", 14 },
		{ "proc.name in (\"\\q\" )", "expected a ')' token", 18 },
		{ "proc.name in (\"\\q\", a)", "expected a ')' token", 18 },
		{ "proc.name in (a=b)", "expected a ')' token", 15 },
		{ "proc.name in", "expected a list, an identifier, or a field with a valid transformer: "
		  "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 12 },
		{ "proc.name in /etc", "expected a list, an identifier, or a field with a valid transformer: "
		  "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 13 },
		{ "proc.name in x.y", "unexpected token after 'x', expecting 'or', 'and'", 14 },
		{ "proc.name in (a) b", "unexpected token after ')', expecting 'or', 'and'", 17 },
	};
	check_err(e, N(e));
}

static void test_errors(void **state)
{
	(void)state;
	static const struct err_case e[] = {
		{ "", "filter input string is empty", 0 },
		{ "   ", "expected a '(' token, a field check, or an identifier", 3 },
		{ "()", "expected a '(' token, a field check, or an identifier", 1 },
		{ "1 = 2", "expected a '(' token, a field check, or an identifier", 0 },
		{ "proc.name=a b", "unexpected token after 'a', expecting 'or', 'and'", 12 },
		{ "evt.type=execve foo", "unexpected token after 'execve', expecting 'or', 'and'", 16 },
		{ "proc.name = \"a b\" x", "unexpected token after 'a b', expecting 'or', 'and'", 18 },
		{ "a)", "unexpected token after 'a', expecting 'or', 'and'", 1 },
		{ "(a", "expected a ')' token", 2 },
		{ "(a b)", "expected a ')' token", 3 },
		{ "((a)", "expected a ')' token", 4 },
		{ "a and", "expected blank or '(' after 'and'", 5 },
		{ "a andb", "expected blank or '(' after 'and'", 5 },
		{ "a orb", "expected blank or '(' after 'or'", 4 },
		{ "a or", "expected blank or '(' after 'or'", 4 },
		{ "a and ", "expected a '(' token, a field check, or an identifier", 6 },
		{ "a or(b) and c", "unexpected token after ')', expecting 'or', 'and'", 8 },
		{ "(a or(b) and c)", "expected a ')' token", 9 },
		{ "a and\vb", "expected blank or '(' after 'and'", 5 },
		{ "proc.name", "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', "
		  "'==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', "
		  "'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'", 9 },
		{ "proc.name containsx", "expected a valid check operator: one of 'exists', '<=', '<', "
		  "'>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', "
		  "'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'", 10 },
		{ "proc.name existsfoo", "unexpected token after 'exists', expecting 'or', 'and'", 16 },
		{ "proc.name =", "expected a string value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 11 },
		{ "fd.num > x", "expected a number value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 9 },
		{ "fd.num > 1e5", "unexpected token after '1', expecting 'or', 'and'", 10 },
		{ "fd.num > 0x", "unexpected token after '0', expecting 'or', 'and'", 10 },
		{ "fd.num>1 and", "expected blank or '(' after 'and'", 12 },
	};
	check_err(e, N(e));
	/* NUL inside the text: a bare string may hold it (Falco rejects it when compiling) */
	struct arena a;
	struct parse_error pe;
	arena_init(&a);
	struct ast *n = parse_condition(&a, "proc.name = a\0b", 15, 0, &pe);
	assert_non_null(n);
	assert_int_equal(n->u.check.rhs->u.value.len, 3);
	assert_memory_equal(n->u.check.rhs->u.value.str, "a\0b", 3);
	n = parse_condition(&a, "proc.name = \"a\0b\"", 17, 0, &pe);
	assert_null(n);
	n = parse_condition(&a, "a and\0", 6, 0, &pe);
	assert_null(n);
	assert_string_equal(pe.msg, "expected blank or '(' after 'and'");
	/* the text need not be NUL-terminated */
	n = parse_condition(&a, "a and bXXXX", 7, 0, &pe);
	assert_non_null(n);
	assert_string_equal(ast_canonical(&a, n), "(a and b)");
	arena_free_all(&a);
}

/* depth: Falco counts recursive calls (five per parenthesis level) up to 1000 */
static void test_depth_limit(void **state)
{
	(void)state;
	static char buf[4096];
	struct arena a;
	struct parse_error e;
	arena_init(&a);
	/* k groups around a check: the innermost parse_check runs at depth 4 + 5k, the value
	 * parser beneath it at most 4 more levels deeper */
	for (int k = 190; k <= 200; k++) {
		size_t n = 0;
		for (int i = 0; i < k; i++)
			buf[n++] = '(';
		n += (size_t)sprintf(buf + n, "proc.name = x");
		for (int i = 0; i < k; i++)
			buf[n++] = ')';
		struct ast *t = parse_condition(&a, buf, n, 0, &e);
		/* parse_str_value_or_transformer's try_parse_transformer_or_val at 4+5k+3 */
		bool ok = 4 + 5 * k + 3 < 1000;
		if (ok != (t != NULL)) {
			print_error("k=%d: %s\n", k, t ? "parsed" : e.msg);
			fail();
		}
		if (!t)
			assert_string_equal(e.msg, "exceeded max depth limit of 1000");
	}
	/* nothing crashes far beyond the limit */
	size_t n = 0;
	for (int i = 0; i < 4000; i++)
		buf[n++] = '(';
	assert_null(parse_condition(&a, buf, n, 0, &e));
	assert_string_equal(e.msg, "exceeded max depth limit of 1000");
	/* "not " toggles without recursion, however many there are */
	static char big[1 << 20];
	n = 0;
	for (int i = 0; i < 100000; i++)
		n += (size_t)sprintf(big + n, i % 2 ? "not\t" : "not ");
	n += (size_t)sprintf(big + n, "a");
	struct ast *t = parse_condition(&a, big, n, 0, &e);
	assert_non_null(t);
	assert_int_equal(t->kind, AST_REF);
	n = (size_t)sprintf(big, "not ");
	for (int i = 0; i < 100000; i++)
		n += (size_t)sprintf(big + n, "not ");
	n += (size_t)sprintf(big + n, "not(a) and b");
	t = parse_condition(&a, big, n, 0, &e);
	assert_non_null(t);
	assert_string_equal(ast_canonical(&a, t), "(a and b)"); /* 100002 toggles */
	/* long flat chains and lists do not recurse either */
	n = (size_t)sprintf(big, "proc.name in (x");
	for (int i = 0; i < 50000; i++)
		n += (size_t)sprintf(big + n, ", v%d", i);
	n += (size_t)sprintf(big + n, ") and a");
	for (int i = 0; i < 50000; i++)
		n += (size_t)sprintf(big + n, i % 3 ? " and m%d" : " or m%d", i);
	t = parse_condition(&a, big, n, 0, &e);
	assert_non_null(t);
	assert_int_equal(t->kind, AST_OR);
	arena_free_all(&a);
}

static void test_spans(void **state)
{
	(void)state;
	struct arena a;
	struct parse_error e;
	arena_init(&a);
	const char *in = "  evt.type = open and (proc.name in (a, b) or m)";
	struct ast *n = parse_condition(&a, in, strlen(in), 5, &e);
	assert_non_null(n);
	assert_int_equal(n->kind, AST_AND);
	assert_int_equal(n->span.src, 5);
	assert_int_equal(n->span.start, 2);
	assert_int_equal(n->span.end, strlen(in));
	struct ast *c = n->u.nary.items[0];
	assert_int_equal(c->span.start, 2);
	assert_int_equal(c->span.end, 17);
	assert_int_equal(c->u.check.lhs->span.start, 2);
	assert_int_equal(c->u.check.lhs->span.end, 10);
	assert_int_equal(c->u.check.rhs->span.start, 13);
	struct ast *o = n->u.nary.items[1];
	assert_int_equal(o->kind, AST_OR);
	struct ast *m = o->u.nary.items[1];
	assert_int_equal(m->kind, AST_REF);
	assert_string_equal(m->u.ref.name, "m");
	assert_int_equal(m->span.start, strlen(in) - 2);
	assert_int_equal(m->span.end, strlen(in) - 1);
	struct ast *l = o->u.nary.items[0]->u.check.rhs;
	assert_int_equal(l->kind, AST_LIST);
	assert_int_equal(l->u.nary.n, 2);
	assert_string_equal(l->u.nary.items[1]->u.value.str, "b");
	assert_int_equal(l->u.nary.items[1]->span.start, 40);
	arena_free_all(&a);
}

/* conditions of the compat manifest (expect.compiled_conditions), written pre-expanded */
static void test_manifest_canonical(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "evt.type = open and (((proc.aname = sshd and proc.name != sshd) or "
		  "proc.name = systemd-logind or proc.name = login) or proc.name = ssh)",
		  "(evt.type = open and (((proc.aname = sshd and proc.name != sshd) or "
		  "proc.name = systemd-logind or proc.name = login) or proc.name = ssh))" },
		{ "(proc.cmdline contains curl or proc.cmdline contains wget) and not "
		  "proc.cmdline contains \"curl 127.0.0.1\"",
		  "((proc.cmdline contains curl or proc.cmdline contains wget) and not "
		  "proc.cmdline contains \"curl 127.0.0.1\")" },
		{ "evt.type = open and not tolower(proc.name) = test",
		  "(evt.type = open and not tolower(proc.name) = test)" },
		{ "evt.type = execve and not proc.name startswith oneof (ssh, su) and not "
		  "proc.name startswith anyof (ssh, su) and not proc.cmdline contains allof "
		  "(curl, ci.internal)",
		  "(evt.type = execve and not proc.name startswith oneof (ssh, su) and not "
		  "proc.name startswith anyof (ssh, su) and not proc.cmdline contains allof "
		  "(curl, ci.internal))" },
		{ "evt.type = open and not fd.name endswith anyof (.sh, .py, .pl)",
		  "(evt.type = open and not fd.name endswith anyof (.sh, .py, .pl))" },
		{ "evt.type = open and not (proc.name contains agent and fd.name startswith "
		  "/var/log/ and proc.exepath = /usr/bin/prometheus)",
		  "(evt.type = open and not (proc.name contains agent and fd.name startswith "
		  "/var/log/ and proc.exepath = /usr/bin/prometheus))" },
		{ "evt.type = open and not proc.name = proc.pname",
		  "(evt.type = open and not proc.name = proc.pname)" },
		{ "evt.type = open and not proc.name = toupper(proc.pname)",
		  "(evt.type = open and not proc.name = toupper(proc.pname))" },
		{ "evt.type = open and not proc.name = \"toupper( proc.pname)\"",
		  "(evt.type = open and not proc.name = \"toupper( proc.pname)\")" },
		{ "evt.type=execve and proc.name in ( blkid, csi-provisioner, csi-attacher )",
		  "(evt.type = execve and proc.name in (blkid, csi-provisioner, csi-attacher))" },
		{ "(evt.type in (open, openat)) or evt.type = openat2",
		  "(evt.type in (open, openat) or evt.type = openat2)" },
		{ "proc.name = cat", "proc.name = cat" },
		{ "evt.type=openat and (fd.name startswith /etc or fd.name startswith /usr) and "
		  "proc.name in ( \"a b\", c )",
		  "(evt.type = openat and (fd.name startswith /etc or fd.name startswith /usr) and "
		  "proc.name in (\"a b\", c))" },
		{ "not evt.type in (read,write)", "not evt.type in (read, write)" },
	};
	check_ok(c, N(c));
}

/* hard conditions from the upstream default rules (after list substitution) */
static void test_upstream_samples(void **state)
{
	(void)state;
	static const struct ok_case c[] = {
		{ "spawned_process and proc.name in ( ash, bash ) and proc.pname exists and not "
		  "proc.pname in ( ash, bash ,  gitlab-shell, git ,   \n needrestart, 10-dpkg )",
		  "(spawned_process and proc.name in (ash, bash) and proc.pname exists and not "
		  "proc.pname in (ash, bash, gitlab-shell, git, needrestart, 10-dpkg))" },
		{ "(evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar='f' "
		  "and fd.num>=0)",
		  "(evt.type in (open, openat, openat2) and evt.is_open_write = true and "
		  "fd.typechar = f and fd.num >= 0)" },
		{ "(proc.cmdline contains \"pip install\" or proc.cmdline contains \"pip3 install\")",
		  "(proc.cmdline contains \"pip install\" or proc.cmdline contains \"pip3 install\")" },
		{ "(fd.snet in (\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\"))",
		  "fd.snet in (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)" },
		{ "proc.args icontains \"/etc/shadow\" and proc.aname[2] in (sshd, sudo)",
		  "(proc.args icontains /etc/shadow and proc.aname[2] in (sshd, sudo))" },
		{ "(user.name=root and proc.cwd=/) or proc.env icontains \"LD_PRELOAD=\"",
		  "((user.name = root and proc.cwd = /) or proc.env icontains \"LD_PRELOAD=\")" },
		{ "evt.type = ptrace and evt.rawres >= 0 and evt.arg.request in (5, 6, 11, 20, 27)",
		  "(evt.type = ptrace and evt.rawres >= 0 and evt.arg.request in (5, 6, 11, 20, 27))" },
		{ "(proc.cmdline startswith \"sh -c /usr/bin/scl\" or (proc.name = java and "
		  "proc.args contains \"-jar\" and proc.args contains \"\\\\x\"))",
		  "(proc.cmdline startswith \"sh -c /usr/bin/scl\" or (proc.name = java and "
		  "proc.args contains -jar and proc.args contains \"\\\\x\"))" },
		{ "fd.name glob '/proc/*/environ' and not proc.pname in (ps)",
		  "(fd.name glob /proc/*/environ and not proc.pname in (ps))" },
		{ "evt.type in (open,openat,openat2) and evt.arg.flags contains O_TRUNC and "
		  "container.mount.dest[/var/run/docker.sock] != \"\"",
		  "(evt.type in (open, openat, openat2) and evt.arg.flags contains O_TRUNC and "
		  "container.mount.dest[/var/run/docker.sock] != )" },
		{ "proc.exepath endswith ld.so and not proc.args startswith \"--list\"\n",
		  "(proc.exepath endswith ld.so and not proc.args startswith --list)" },
		{ "evt.buffer bcontains 7f454c46", "evt.buffer bcontains 7f454c46" },
		{ "(evt.type=connect and evt.dir=< and (fd.typechar=4 or fd.typechar=6))",
		  "(evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6))" },
		{ "proc.name=sh and proc.cmdline contains \"/usr/bin/tail -f\"",
		  "(proc.name = sh and proc.cmdline contains \"/usr/bin/tail -f\")" },
	};
	check_ok(c, N(c));
}

/* every rule and macro condition of the upstream default rule files parses (as written:
 * list names are plain values until the expander substitutes them) */
static void test_upstream_rule_files(void **state)
{
	(void)state;
	static const char *const files[] = {
		"../shared/compat/rules/falco_rules.yaml",
		"../shared/compat/rules/falco-incubating_rules.yaml",
		"../shared/compat/rules/falco-sandbox_rules.yaml",
	};
	int conds = 0;
	for (size_t i = 0; i < N(files); i++) {
		FILE *f = fopen(files[i], "rb");
		if (!f) {
			printf("%s not found (../shared absent): skipped\n", files[i]);
			skip();
		}
		static char text[1 << 20];
		size_t len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		struct arena a;
		struct yfile yf;
		struct yaml_error ye;
		arena_init(&a);
		assert_int_equal(yaml_load(&a, files[i], text, len, NULL, &yf, &ye), 0);
		assert_int_equal(yf.ndocs, 1);
		const struct ynode *doc = yf.docs[0];
		for (uint32_t k = 0; k < doc->n; k++) {
			const struct ynode *c = ynode_get(doc->items[k], "condition");
			if (!c || c->kind != YN_SCALAR)
				continue;
			struct parse_error e;
			struct ast *n = parse_condition(&a, c->str, c->len, 0, &e);
			if (!n) {
				print_error("%s line %u: @%u %s\n", files[i], c->line + 1, e.offset, e.msg);
				fail();
			}
			assert_non_null(ast_canonical(&a, n));
			conds++;
		}
		arena_free_all(&a);
	}
	assert_true(conds > 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_rhs_fields),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_field_args),
		cmocka_unit_test(test_values_and_quoting),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_manifest_canonical),
		cmocka_unit_test(test_upstream_samples),
		cmocka_unit_test(test_upstream_rule_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
