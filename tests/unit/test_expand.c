/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of compiler/expand.c: Falco's textual list substitution, one-level list
 * nesting, macro visibility and loops, append/override of lists, macros and rules,
 * exceptions rendered as condition text, unused items, and the source mapping of
 * condition errors (through list substitution and macro expansion).
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
#include "expand.h"
#include "loader.h"

static const char *subst(struct arena *a, const char *in, const char *name,
			 const char *const *items, uint32_t n, bool *used)
{
	char *r = expand_resolve_list_text(a, in, name, items, n, used);
	assert_non_null(r);
	return r;
}

static void test_list_text_substitution(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	bool used;
	const char *ab[] = { "a", "b" };
	assert_string_equal(subst(&a, "proc.name in (l)", "l", ab, 2, &used),
			    "proc.name in ( a, b )");
	assert_true(used);
	/* any position inside a list literal, and around '=' */
	assert_string_equal(subst(&a, "proc.name in (x, l, y)", "l", ab, 2, &used),
			    "proc.name in (x, a, b , y)");
	const char *one[] = { "cat" };
	assert_string_equal(subst(&a, "proc.name=l", "l", one, 1, &used), "proc.name= cat ");
	/* '_' is not a delimiter: extra_shells is left alone */
	assert_string_equal(subst(&a, "proc.name in (extra_shells)", "shells", ab, 2, &used),
			    "proc.name in (extra_shells)");
	assert_false(used);
	/* items with a space are quoted */
	const char *sp[] = { "a b", "c" };
	assert_string_equal(subst(&a, "x in (l)", "l", sp, 2, &used), "x in ( \"a b\", c )");
	/* an empty list takes one adjacent comma with it */
	assert_string_equal(subst(&a, "x in (y, l)", "l", NULL, 0, &used), "x in (y  )");
	assert_string_equal(subst(&a, "x in (l, y)", "l", NULL, 0, &used), "x in (   y)");
	/* Falco's scan restarts past the substitution: the second "a" is skipped */
	const char *x[] = { "x" };
	assert_string_equal(subst(&a, "a a", "a", x, 1, &used), "x a");
	arena_free_all(&a);
}

struct loaded {
	struct arena a;
	struct frc_rules rules;
	struct loader_results res;
	int rc;
};

static void load(struct loaded *l, const char *yaml)
{
	arena_init(&l->a);
	struct loader_opts o;
	loader_opts_init(&o);
	o.container_plugin = false;
	struct loader_input in = { "t.yaml", yaml, strlen(yaml) };
	l->rc = loader_load_inputs(&l->a, &in, 1, &o, &l->rules, &l->res);
}

static const char *cond_of(struct loaded *l, const char *rule)
{
	for (uint32_t i = 0; i < l->rules.nrules; i++)
		if (!strcmp(l->rules.rules[i].name, rule))
			return l->rules.rules[i].cond_text;
	return NULL;
}

static const struct diag *first(const struct diag_list *d, enum diag_code code)
{
	for (const struct diag *x = d->head; x; x = x->next)
		if (x->code == code)
			return x;
	return NULL;
}

#define RULE(name, cond)                                                                   \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: INFO\n"

static void test_nested_lists_one_level(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "- list: c\n  items: [x]\n- list: b\n  items: [c, y]\n- list: a\n  items: [b, z]\n"
		 RULE("r", "evt.type=open and proc.name in (a)"));
	assert_int_equal(l.rc, 0);
	assert_string_equal(cond_of(&l, "r"), "(evt.type = open and proc.name in (c, y, z))");
	assert_int_equal(l.res.files[0].warnings.n, 0); /* c and b count as used */
	arena_free_all(&l.a);
}

static void test_macro_visibility(void **state)
{
	(void)state;
	struct loaded l;
	/* a rule may use a macro defined later; a macro may not */
	load(&l, RULE("r", "m1") "- macro: m1\n  condition: evt.type = open\n");
	assert_int_equal(l.rc, 0);
	assert_string_equal(cond_of(&l, "r"), "evt.type = open");
	arena_free_all(&l.a);
	load(&l, "- macro: m1\n  condition: m2\n- macro: m2\n  condition: evt.type = open\n"
		 RULE("r", "m1"));
	assert_int_equal(l.rc, 1);
	const struct diag *e = first(&l.res.files[0].errors, DIAG_E_VALIDATE);
	assert_non_null(e);
	assert_string_equal(e->msg, "Undefined macro 'm2' used in filter.");
	arena_free_all(&l.a);
	/* redefining m1 later moves its visibility past m2 */
	load(&l, "- macro: m1\n  condition: m2\n- macro: m2\n  condition: evt.type = open\n"
		 "- macro: m1\n  condition: m2 and proc.name = x\n" RULE("r", "m1"));
	assert_int_equal(l.rc, 0);
	assert_string_equal(cond_of(&l, "r"), "(evt.type = open and proc.name = x)");
	arena_free_all(&l.a);
}

static void test_macro_loop(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "- macro: a\n  condition: b\n- macro: b\n  condition: a\n"
		 "- macro: a\n  condition: b\n" RULE("r", "a"));
	assert_int_equal(l.rc, 1);
	const struct diag *e = l.res.files[0].errors.head;
	assert_non_null(e);
	assert_int_equal(e->code, DIAG_E_VALIDATE);
	assert_non_null(strstr(e->msg, "reference loop in macro"));
	arena_free_all(&l.a);
}

static void test_overrides(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, RULE("r", "evt.type = execve and proc.cwd startswith /tmp")
		 "- rule: r\n  condition: and proc.name in (bash, sh)\n  output: (parent %proc.pname)\n"
		 "  priority: ERROR\n  override: {condition: append, output: append, priority: replace}\n"
		 "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: append\n"
		 RULE("r2", "evt.type = open and proc.name in (l)"));
	assert_int_equal(l.rc, 0);
	assert_string_equal(cond_of(&l, "r"), "(evt.type = execve and proc.cwd startswith /tmp and "
					      "proc.name in (bash, sh))");
	assert_string_equal(l.rules.rules[0].output, "o (parent %proc.pname)");
	assert_int_equal(l.rules.rules[0].priority, PRIO_ERROR);
	assert_string_equal(cond_of(&l, "r2"), "(evt.type = open and proc.name in (a, b))");
	arena_free_all(&l.a);
	/* override keys must be consistent with the item */
	load(&l, RULE("r", "evt.type = open")
		 "- rule: r\n  condition: and proc.name = x\n  priority: ERROR\n"
		 "  override: {condition: append}\n");
	assert_int_equal(l.rc, 1);
	assert_string_equal(l.res.files[0].errors.head->msg,
			    "Unexpected key 'priority': no corresponding entry under 'override' is "
			    "defined.");
	arena_free_all(&l.a);
	load(&l, RULE("r", "evt.type = open") "- rule: r\n  priority: ERROR\n"
						 "  override: {priority: append}\n");
	assert_string_equal(l.res.files[0].errors.head->msg,
			    "Key 'priority' cannot be appended to, use 'replace' instead");
	arena_free_all(&l.a);
}

static void test_exceptions_text(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
		 "  exceptions:\n"
		 "    - name: single\n      fields: proc.name\n      values: [cat, \"my app\"]\n"
		 "    - name: tuple\n      fields: [proc.name, fd.name]\n"
		 "      comps: [in, startswith]\n      values:\n        - [ls, /etc]\n"
		 "        - [[a, b], /tmp]\n"
		 "    - name: empty\n      fields: [proc.name]\n");
	assert_int_equal(l.rc, 0);
	assert_string_equal(cond_of(&l, "r"),
			    "(evt.type = open and not proc.name in (cat, \"my app\") and not "
			    "((proc.name in (ls) and fd.name startswith /etc) or (proc.name in (a, b) "
			    "and fd.name startswith /tmp)))");
	arena_free_all(&l.a);
	load(&l, "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
		 "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
		 "      values: [[a]]\n");
	assert_int_equal(l.rc, 1);
	assert_string_equal(l.res.files[0].errors.head->msg,
			    "Fields and values lists must have equal length");
	arena_free_all(&l.a);
	load(&l, "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
		 "  exceptions:\n    - name: e\n      fields: [proc.nome]\n      values: [[a]]\n");
	assert_int_equal(l.rc, 1);
	assert_string_equal(l.res.files[0].errors.head->msg,
			    "'proc.nome' is not a supported filter field");
	arena_free_all(&l.a);
}

static void test_unused(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "- list: l\n  items: [a]\n- macro: m\n  condition: proc.name in (l)\n"
		 "- macro: unused_m\n  condition: evt.type = open\n" RULE("r", "evt.type = open"));
	assert_int_equal(l.rc, 0);
	const struct diag *w = first(&l.res.files[0].warnings, DIAG_W_UNUSED_MACRO);
	assert_non_null(w);
	/* m is unused too, but l counts as used because m uses it */
	assert_null(first(&l.res.files[0].warnings, DIAG_W_UNUSED_LIST));
	int n = 0;
	for (const struct diag *d = l.res.files[0].warnings.head; d; d = d->next)
		n += d->code == DIAG_W_UNUSED_MACRO;
	assert_int_equal(n, 2);
	arena_free_all(&l.a);
}

static void test_error_positions(void **state)
{
	(void)state;
	struct loaded l;
	/* the bad value comes after a substituted list: still mapped to its own place */
	load(&l, "- list: l\n  items: [a, b, c]\n"
		 "- macro: m\n  condition: >\n    evt.type = open and\n    proc.name in (l) and fd.num = x\n"
		 RULE("r", "proc.name = y and m"));
	assert_int_equal(l.rc, 1);
	const struct diag *e = l.res.files[0].errors.head;
	assert_non_null(e);
	assert_string_equal(e->msg, "x is not a valid number");
	assert_int_equal(e->line, 6);
	assert_int_equal(e->col, 35);
	assert_null(e->col_note);
	assert_non_null(e->notes);
	assert_string_equal(e->notes->msg, "in expansion of macro 'm'");
	assert_int_equal(e->notes->line, 9);
	arena_free_all(&l.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_text_substitution),
		cmocka_unit_test(test_nested_lists_one_level),
		cmocka_unit_test(test_macro_visibility),
		cmocka_unit_test(test_macro_loop),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_exceptions_text),
		cmocka_unit_test(test_unused),
		cmocka_unit_test(test_error_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
