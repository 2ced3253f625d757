/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of compiler/load_yaml.c: marks, yaml-cpp scalar semantics (null, bool,
 * unsigned), syntax errors in yaml-cpp's words, limits (depth, alias bombs), the
 * informational schema check and value-offset → file-offset mapping.
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
#include "load_yaml.h"

static const struct ynode *load1(struct arena *a, const char *text, struct yfile *f)
{
	struct yaml_error e;
	assert_int_equal(yaml_load(a, "t.yaml", text, strlen(text), NULL, f, &e), 0);
	assert_int_equal(f->ndocs, 1);
	return f->docs[0];
}

static void test_marks(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct yfile f;
	const char *t = "- rule: my rule\n  condition: evt.type = open\n";
	const struct ynode *doc = load1(&a, t, &f);
	assert_int_equal(doc->kind, YN_SEQ);
	assert_int_equal(doc->n, 1);
	const struct ynode *item = doc->items[0];
	assert_int_equal(item->kind, YN_MAP);
	assert_int_equal(item->line, 0);
	assert_int_equal(item->col, 2);
	const struct ynode *c = ynode_get(item, "condition");
	assert_non_null(c);
	assert_string_equal(c->str, "evt.type = open");
	assert_int_equal(c->line, 1);
	assert_int_equal(c->col, 13);
	assert_int_equal(c->offset, 29);
	assert_null(ynode_get(item, "output"));
	assert_string_equal(ynode_get_key(item, "rule")->str, "rule");
	arena_free_all(&a);
}

static void test_scalars(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct yfile f;
	const struct ynode *m = load1(&a,
				      "a:\nb: ~\nc: null\nd: \"null\"\ne: 'x'\nf: [1, 2]\ng: yes\n"
				      "h: OFF\ni: Nope\nj: 0x1A\nk: 010\nl: \"5 \"\nn: -1\n"
				      "o: 4294967296\np: '\"(systemd)\"'\n",
				      &f);
	assert_int_equal(ynode_get(m, "a")->kind, YN_NULL);
	assert_int_equal(ynode_get(m, "b")->kind, YN_NULL);
	assert_int_equal(ynode_get(m, "c")->kind, YN_NULL);
	assert_int_equal(ynode_get(m, "d")->kind, YN_SCALAR);
	assert_int_equal(ynode_get(m, "f")->kind, YN_SEQ);
	assert_string_equal(ynode_get(m, "f")->items[1]->str, "2");
	assert_string_equal(ynode_get(m, "p")->str, "\"(systemd)\"");
	bool b = false;
	assert_true(ynode_bool(ynode_get(m, "g"), &b) && b);
	assert_true(ynode_bool(ynode_get(m, "h"), &b) && !b);
	assert_false(ynode_bool(ynode_get(m, "i"), &b));
	uint32_t u;
	assert_true(ynode_u32(ynode_get(m, "j"), &u));
	assert_int_equal(u, 26);
	assert_true(ynode_u32(ynode_get(m, "k"), &u));
	assert_int_equal(u, 8);
	assert_true(ynode_u32(ynode_get(m, "l"), &u)); /* trailing blanks are allowed */
	assert_int_equal(u, 5);
	assert_false(ynode_u32(ynode_get(m, "n"), &u));
	assert_false(ynode_u32(ynode_get(m, "o"), &u));
	assert_false(ynode_u32(ynode_get(m, "e"), &u));
	arena_free_all(&a);
}

static void test_syntax_error(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct yfile f;
	struct yaml_error e;
	const char *t = "this : is : not : yaml\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), NULL, &f, &e), -1);
	assert_string_equal(e.msg, "yaml-cpp: error at line 1, column 11: illegal map value");
	assert_int_equal(e.line, 0);
	assert_int_equal(e.col, 10);
	/* nothing is returned on a syntax error, even for earlier documents */
	t = "- list: a\n  items: []\n---\n- [unclosed\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), NULL, &f, &e), -1);
	assert_int_equal(f.ndocs, 0);
	arena_free_all(&a);
}

static void test_limits(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct yfile f;
	struct yaml_error e;
	char deep[512];
	size_t n = 0;
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n] = 0;
	assert_int_equal(yaml_load(&a, "t.yaml", deep, n, NULL, &f, &e), -1);
	assert_non_null(strstr(e.msg, "nesting deeper than the limit"));
	/* billion laughs: every level doubles the node count */
	char bomb[4096];
	n = (size_t)sprintf(bomb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 12; i++)
		n += (size_t)sprintf(bomb + n, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i,
				     i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_int_equal(yaml_load(&a, "t.yaml", bomb, n, NULL, &f, &e), -1);
	assert_non_null(strstr(e.msg, "too many YAML nodes"));
	/* an undefined alias */
	const char *t = "- *nope\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), NULL, &f, &e), -1);
	assert_non_null(strstr(e.msg, "the referenced anchor is not defined: nope"));
	/* a small explicit limit on scalars */
	struct yaml_limits lim = { .max_scalar = 4 };
	t = "- abcdefgh\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), &lim, &f, &e), -1);
	arena_free_all(&a);
}

static void test_empty_documents(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct yfile f;
	struct yaml_error e;
	assert_int_equal(yaml_load(&a, "t.yaml", "", 0, NULL, &f, &e), 0);
	assert_int_equal(f.ndocs, 0);
	const char *t = "# only a comment\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), NULL, &f, &e), 0);
	assert_int_equal(f.ndocs, 0);
	t = "---\n---\n- a\n";
	assert_int_equal(yaml_load(&a, "t.yaml", t, strlen(t), NULL, &f, &e), 0);
	assert_int_equal(f.ndocs, 2);
	assert_int_equal(f.docs[0]->kind, YN_NULL);
	arena_free_all(&a);
}

static bool schema_ok(struct arena *a, const char *text)
{
	struct yfile f;
	const struct ynode *doc = load1(a, text, &f);
	const char *msg = NULL;
	bool ok = yaml_schema_check(a, doc, &msg);
	assert_true(ok || msg != NULL);
	return ok;
}

static void test_schema(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_true(schema_ok(&a, "- rule: r\n  desc: d\n  condition: c\n  output: o\n"
				  "  priority: WARNING\n  enabled: false\n  tags: [a]\n"));
	assert_true(schema_ok(&a, "- list: l\n  items: [1, a]\n  override: {items: append}\n"));
	assert_true(schema_ok(&a, "- required_engine_version: 13\n"));
	assert_false(schema_ok(&a, "- rule: r\n  typo_field: x\n"));
	assert_false(schema_ok(&a, "- rule: r\n  priority: Warning\n"));	/* enum is upper case */
	assert_false(schema_ok(&a, "- rule: r\n  capture: \"yes\"\n"));
	assert_false(schema_ok(&a, "- rule: r\n  capture_duration: soon\n"));
	assert_false(schema_ok(&a, "- rule: r\n  override: {}\n"));
	assert_false(schema_ok(&a, "- rule: r\n  exceptions:\n    - value: x\n"));
	assert_false(schema_ok(&a, "- required_plugin_versions:\n    - name: x\n"));
	assert_false(schema_ok(&a, "a: map\n"));
	arena_free_all(&a);
}

static size_t voff(struct arena *a, const char *text, const char *key, size_t value_off,
		   bool *exact)
{
	struct yfile f;
	const struct ynode *m = load1(a, text, &f);
	const struct ynode *v = ynode_get(m, key);
	assert_non_null(v);
	size_t off;
	*exact = yaml_value_offset(&f, v, value_off, &off);
	return off;
}

static void test_value_offsets(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	bool ex;
	/* plain: value byte k is file byte start + k */
	const char *t = "c: evt.type = open\n";
	assert_int_equal(voff(&a, t, "c", 5, &ex), 8);
	assert_true(ex);
	/* double-quoted with escapes */
	t = "c: \"a \\\"b\\\" x\"\n";
	size_t o = voff(&a, t, "c", 6, &ex); /* value: a "b" x ; byte 6 is x */
	assert_true(ex);
	assert_int_equal(t[o], 'x');
	/* single-quoted with a doubled quote */
	t = "c: 'it''s here'\n";
	o = voff(&a, t, "c", 5, &ex);
	assert_true(ex);
	assert_int_equal(t[o], 'h');
	/* folded block: the second line keeps its own position */
	t = "c: >\n  evt.type = open and\n  proc.name = x\n";
	o = voff(&a, t, "c", 20, &ex); /* "evt.type = open and proc..." byte 20 = 'p' */
	assert_true(ex);
	assert_int_equal(t[o], 'p');
	assert_int_equal(o, 29);
	/* literal block with deeper indentation */
	t = "c: |\n  a and\n    bb\n";
	o = voff(&a, t, "c", 8, &ex); /* "a and\n  bb\n": byte 8 = 'b' */
	assert_true(ex);
	assert_int_equal(o, 17);
	/* multi-line plain scalar (folded into spaces) */
	t = "c: a and\n   b\n";
	o = voff(&a, t, "c", 6, &ex);
	assert_true(ex);
	assert_int_equal(t[o], 'b');
	arena_free_all(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),	    cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_syntax_error), cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty_documents), cmocka_unit_test(test_schema),
		cmocka_unit_test(test_value_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
