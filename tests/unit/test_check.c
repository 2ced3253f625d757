/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of compiler/check.c: field lookup and arguments, operator/type rules, constant
 * conversion, evt.type validation, right-hand fields, compiler warnings, event-type sets
 * (negation, evt.num invariants) and output templates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "parse.h"
#include "runtime/evtab.h"

static const struct check_env env = { .container_plugin = true };

static struct ast *parse(struct arena *a, const char *c)
{
	struct parse_error pe;
	struct ast *n = parse_condition(a, c, strlen(c), 0, &pe);
	if (!n)
		fail_msg("parse error in %s: %s", c, pe.msg);
	return n;
}

/* the first error of checking @c, or NULL */
static const char *err_of(struct arena *a, const char *c)
{
	struct check_result r;
	struct ast *n = parse(a, c);
	return check_condition(a, &env, n, &r) ? r.err : NULL;
}

static void test_ok_and_annotated(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct check_result r;
	struct ast *n = parse(&a, "evt.arg.flags contains O_RDWR and proc.aname[2] = bash");
	assert_int_equal(check_condition(&a, &env, n, &r), 0);
	struct ast *c1 = n->u.nary.items[0]->u.check.lhs, *c2 = n->u.nary.items[1]->u.check.lhs;
	assert_int_equal(c1->u.field.id, FLD_EVT_ARG);
	assert_string_equal(c1->u.field.name, "evt.arg");
	assert_string_equal(c1->u.field.arg, "flags");
	assert_true(c1->u.field.arg_dotted);
	assert_int_equal(c2->u.field.id, FLD_PROC_ANAME);
	assert_int_equal(c2->u.field.arg_index, 2);
	/* typed constants */
	n = parse(&a, "fd.num >= -1 and fd.sip = 10.0.0.1 and fd.net = 192.168.0.0/16 and "
		      "evt.is_open_read = true and fd.sport in (80, https)");
	assert_int_equal(check_condition(&a, &env, n, &r), 0);
	struct ast *v = n->u.nary.items[0]->u.check.rhs;
	assert_int_equal(v->u.value.c.type, FT_INT64);
	assert_int_equal(v->u.value.c.n.i, -1);
	v = n->u.nary.items[1]->u.check.rhs;
	assert_int_equal(v->u.value.c.family, 4);
	assert_int_equal(v->u.value.c.ip[0], 10);
	v = n->u.nary.items[2]->u.check.rhs;
	assert_int_equal(v->u.value.c.prefix, 16);
	v = n->u.nary.items[3]->u.check.rhs;
	assert_int_equal(v->u.value.c.n.u, 1);
	v = n->u.nary.items[4]->u.check.rhs->u.nary.items[1];
	assert_int_equal(v->u.value.c.n.u, 443);
	/* bcontains constants become bytes */
	n = parse(&a, "evt.buffer bcontains 4142");
	assert_int_equal(check_condition(&a, &env, n, &r), 0);
	assert_int_equal(n->u.check.rhs->u.value.len, 2);
	assert_memory_equal(n->u.check.rhs->u.value.str, "AB", 2);
	arena_free_all(&a);
}

static void test_errors(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(err_of(&a, "proc.nobody = x"),
			    "filter_check called with nonexistent field proc.nobody");
	assert_string_equal(err_of(&a, "proc.name[1] = x"),
			    "filter_check called with nonexistent field proc.name[1]");
	assert_string_equal(err_of(&a, "proc.aname[x] = y"),
			    "filter_check called with nonexistent field proc.aname[x]");
	assert_string_equal(err_of(&a, "evt.arg.nosuchparam = 1"),
			    "unknown event argument nosuchparam");
	assert_string_equal(err_of(&a, "fd.num contains 3"),
			    "filter error: 'contains' operator not supported for numeric filters");
	assert_string_equal(err_of(&a, "proc.name bcontains 41"),
			    "filter error: 'bcontains' operator not supported for string filters");
	assert_string_equal(err_of(&a, "fd.num = abc"), "abc is not a valid number");
	assert_string_equal(err_of(&a, "fd.num = 0x10"), "0x10 is not a valid number");
	assert_string_equal(err_of(&a, "evt.is_open_read = yes"),
			    "filter error: unrecognized boolean value yes");
	assert_string_equal(err_of(&a, "fd.net = 10.0.0.1"), "unrecognized IP network 10.0.0.1");
	assert_string_equal(err_of(&a, "evt.type = nosuchevent"),
			    "unknown event type nosuchevent");
	assert_string_equal(err_of(&a, "evt.buffer bcontains xyz"),
			    "filter error: bcontains and bstartswith operator support hex strings only");
	assert_string_equal(err_of(&a, "proc.name = val(proc.pid)"),
			    "field 'proc.name' has type 'CHARBUF' while the right-hand side field "
			    "'proc.pid' has incompatible type 'INT64'");
	assert_string_equal(err_of(&a, "proc.name pmatch val(proc.pname)"),
			    "operator 'PMATCH' doesn't support right-hand side fields");
	assert_string_equal(err_of(&a, "fd.types = x"),
			    "filter error: '=' operator not supported list filters");
	assert_string_equal(err_of(&a, "tolower(proc.pid) = 1"),
			    "can't add field transformer: type 'INT64' is not supported by 'tolower' "
			    "transformer applied on field 'proc.pid'");
	assert_null(err_of(&a, "len(proc.name) > 3 and tolower(proc.name) = val(proc.pname)"));
	assert_true(check_is_unknown_filter_error("filter_check called with nonexistent field x"));
	assert_false(check_is_unknown_filter_error("abc is not a valid number"));
	arena_free_all(&a);
}

static void test_container_fields(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct check_env none = { .container_plugin = false };
	struct check_result r;
	assert_int_equal(check_condition(&a, &env, parse(&a, "container.id = host"), &r), 0);
	assert_int_equal(check_condition(&a, &none, parse(&a, "container.id = host"), &r), -1);
	assert_true(check_field_exists(&env, "proc.aname[2]", 13));
	assert_false(check_field_exists(&env, "proc.aname[2", 12));
	assert_true(check_lhs_field(&a, &env, "tolower(proc.name)"));
	assert_false(check_lhs_field(&a, &env, "tolower(proc.pid)"));
	arena_free_all(&a);
}

static void test_warnings(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct check_result r;
	struct ast *n = parse(&a, "proc.name = proc.pname and proc.name regex foo and "
				  "proc.name = \"toupper( proc.pname)\" and proc.name regex 'a.*b'");
	assert_int_equal(check_condition(&a, &env, n, &r), 0);
	assert_int_equal(r.nwarnings, 3);
	assert_string_equal(r.warnings[0].msg,
			    "'proc.pname' may be a valid field misused as a const string value");
	assert_string_equal(r.warnings[1].msg,
			    "regex check with 'foo' may be optimized with simpler operators such as "
			    "'=', 'contains', 'startswith', 'endswith'");
	assert_string_equal(r.warnings[2].msg, "'toupper( proc.pname)' may be a valid field "
					       "transformer misused as a const string value");
	arena_free_all(&a);
}

static uint32_t count_of(struct arena *a, const char *c, const char **err)
{
	struct frc_evtset s;
	*err = NULL;
	if (check_evttypes(parse(a, c), &s, err))
		return UINT32_MAX;
	return check_evtset_count(&s);
}

static void test_evttypes(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *err;
	uint64_t bits[8] = { 0 };
	assert_true(evtab_codes_by_name("open", 4, bits));
	uint32_t nopen = 0;
	for (int i = 0; i < 8; i++)
		nopen += (uint32_t)__builtin_popcountll(bits[i]);
	assert_int_equal(count_of(&a, "evt.type = open and proc.name = x", &err), nopen);
	assert_int_equal(count_of(&a, "evt.type != open", &err), evtab_ncodes - nopen);
	assert_int_equal(count_of(&a, "not evt.type = open", &err), evtab_ncodes - nopen);
	assert_int_equal(count_of(&a, "not (evt.type != open)", &err), nopen);
	assert_int_equal(count_of(&a, "proc.name = x", &err), evtab_ncodes);
	assert_int_equal(count_of(&a, "evt.type = open or proc.name = x", &err), evtab_ncodes);
	assert_int_equal(count_of(&a, "not proc.name = x", &err), evtab_ncodes);
	assert_int_equal(count_of(&a, "evt.num = 0", &err), 0);
	assert_int_equal(count_of(&a, "evt.num in (0)", &err), 0);
	assert_int_equal(count_of(&a, "evt.num < 1 or evt.type = open", &err), nopen);
	assert_int_equal(count_of(&a, "not evt.num != 0", &err), 0);
	assert_int_equal(count_of(&a, "evt.type = open and evt.type = close", &err), 0);
	assert_int_equal(count_of(&a, "tolower(evt.type) = open", &err), UINT32_MAX);
	assert_non_null(strstr(err, "does not support `evt.type` checks with transformers"));
	assert_int_equal(count_of(&a, "evt.type = val(proc.name)", &err), UINT32_MAX);
	assert_non_null(strstr(err, "right-hand field comparisons"));
	struct frc_evtset s;
	assert_int_equal(check_evttypes(parse(&a, "proc.name = x"), &s, &err), 0);
	assert_true(s.all);
	arena_free_all(&a);
}

static const char *out_err(struct arena *a, const char *fmt, uint32_t *ntok, const char ***tok)
{
	const char *err = NULL;
	return check_output(a, &env, fmt, &err, tok, ntok, NULL) ? err : NULL;
}

static void test_outputs(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char **tok;
	uint32_t n;
	assert_null(out_err(&a, "cmd=%proc.cmdline) %20proc.name %proc.aname[2] %toupper(proc.name) "
				"%evt.arg.flags %proc.cmdline.x", &n, &tok));
	assert_int_equal(n, 6);
	assert_string_equal(tok[0], "proc.cmdline");
	assert_string_equal(tok[1], "proc.name");
	assert_string_equal(tok[2], "proc.aname[2]");
	assert_string_equal(tok[3], "toupper(proc.name)");
	assert_string_equal(tok[4], "evt.arg.flags");
	assert_string_equal(tok[5], "proc.cmdline");
	assert_string_equal(out_err(&a, "x %not_a_real_field", &n, &tok),
			    "unknown filter: unexpected token after '");
	assert_string_equal(out_err(&a, "x %", &n, &tok),
			    "invalid formatting syntax: formatting cannot end with a %");
	assert_string_equal(out_err(&a, "x %12", &n, &tok),
			    "invalid formatting syntax: formatting cannot end with a number");
	assert_string_equal(out_err(&a, "", &n, &tok), "empty formatting token");
	/* the longest valid prefix: proc.namex is not a field, proc.name is */
	assert_null(out_err(&a, "%proc.namex", &n, &tok));
	assert_string_equal(tok[0], "proc.name");
	arena_free_all(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_and_annotated), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_container_fields), cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_evttypes),	 cmocka_unit_test(test_outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
