/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of compiler/diag.c: Falco snippets, positions, the text and JSON printers,
 * JSON string escaping (control bytes, invalid UTF-8).
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
#include "diag.h"

/* capture what @fn prints */
#define CAPTURE(buf, call)                                                                  \
	do {                                                                                \
		char *p_ = NULL;                                                            \
		size_t n_ = 0;                                                              \
		FILE *f_ = open_memstream(&p_, &n_);                                        \
		assert_non_null(f_);                                                        \
		call;                                                                       \
		fclose(f_);                                                                 \
		snprintf(buf, sizeof(buf), "%s", p_);                                       \
		free(p_);                                                                   \
	} while (0)

static void test_codes_table(void **state)
{
	(void)state;
	assert_string_equal(diag_code_name(DIAG_E_VALIDATE), "LOAD_ERR_VALIDATE");
	assert_string_equal(diag_code_name(DIAG_W_UNKNOWN_KEY), "LOAD_UNKNOWN_KEY");
	assert_int_equal(diag_code_sev(DIAG_E_YAML_PARSE), DIAG_SEV_ERROR);
	assert_int_equal(diag_code_sev(DIAG_W_NO_EVTTYPE), DIAG_SEV_WARNING);
	assert_string_equal(diag_code_short(DIAG_W_UNUSED_MACRO), "Unused macro");
	assert_string_equal(diag_item_name(DI_RULES_CONTENT_ITEM), "rules content item");
	assert_string_equal(diag_item_name(DI_OVERRIDE), "overrides");
	assert_string_equal(diag_item_name(DI_CONDITION_EXPRESSION), "condition expression");
}

static void test_snippet(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	const char *t = "- rule: x\n  condition: foo bar\n";
	/* caret under 'b' of bar (offset 27) */
	assert_string_equal(diag_snippet(&a, t, strlen(t), 27),
			    "  condition: foo bar\n                 ^\n");
	/* a position past the end or on a newline moves back onto the line */
	assert_string_equal(diag_snippet(&a, t, strlen(t), 999),
			    "  condition: foo bar\n                   ^\n");
	assert_string_equal(diag_snippet(&a, "", 0, 0), "<No context available>\n");
	/* long lines are elided with "..." */
	char longl[400];
	memset(longl, 'x', sizeof(longl) - 1);
	longl[sizeof(longl) - 1] = 0;
	char *s = diag_snippet(&a, longl, strlen(longl), 200);
	assert_memory_equal(s, "...", 3);
	assert_non_null(strstr(s, "...\n"));
	arena_free_all(&a);
}

static void test_linecol_utf8(void **state)
{
	(void)state;
	const char *t = "ab\n\xc3\xa9x\n";
	uint32_t line, col;
	diag_offset_to_linecol(t, strlen(t), 5, &line, &col); /* 'x' after a 2-byte char */
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
}

static void test_text_form(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct diag_list l = { 0 };
	const char *t = "- macro: m\n  condition: proc.nmae = x\n";
	struct diag_loc *root = diag_loc_new(&a, NULL, DI_RULES_CONTENT, "", "r.yaml", 0, 0, 0);
	struct diag *d = diag_add(&a, &l, DIAG_E_COMPILE_CONDITION,
				  "filter_check called with nonexistent field proc.nmae", root);
	diag_set_pos(d, "r.yaml", t, strlen(t), 24, 9);
	diag_add_note(&a, d, "r.yaml", 5, 3, "in expansion of macro 'm'");
	char buf[1024];
	CAPTURE(buf, diag_print_text(f_, d, false));
	assert_string_equal(buf,
			    "r.yaml:2:14: error: filter_check called with nonexistent field "
			    "proc.nmae [LOAD_ERR_COMPILE_CONDITION]\n"
			    "      condition: proc.nmae = x\n"
			    "                 ^~~~~~~~~\n"
			    "r.yaml:5:3: note: in expansion of macro 'm'\n");
	assert_int_equal(l.n, 1);
	arena_free_all(&a);
}

static void test_json_form(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct diag_list l = { 0 };
	struct diag_loc *root = diag_loc_new(&a, NULL, DI_RULES_CONTENT, "", "r.yaml", 0, 0, 0);
	struct diag_loc *it = diag_loc_new(&a, root, DI_RULE, "my \"rule\"", "r.yaml", 3, 2, 40);
	struct diag *d = diag_add(&a, &l, DIAG_W_DEPRECATED_ITEM, "msg", it);
	d->snippet = "line\n^\n";
	d->deprecated_field = "evt.dir";
	char buf[2048];
	CAPTURE(buf, diag_print_json(f_, d));
	assert_string_equal(
		buf,
		"{\"code\":\"LOAD_DEPRECATED_ITEM\",\"codedesc\":\"A deprecated item is employed by "
		"lists, macros, or rules.\",\"context\":{\"locations\":[{\"item_name\":\"\","
		"\"item_type\":\"rules content\",\"position\":{\"column\":0,\"line\":0,\"name\":"
		"\"r.yaml\",\"offset\":0}},{\"item_name\":\"my \\\"rule\\\"\",\"item_type\":\"rule\","
		"\"position\":{\"column\":2,\"line\":3,\"name\":\"r.yaml\",\"offset\":40}}],"
		"\"snippet\":\"line\\n^\\n\"},\"deprecated_field\":\"evt.dir\",\"message\":\"msg\"}");
	arena_free_all(&a);
}

static void test_json_string(void **state)
{
	(void)state;
	char buf[256];
	const char s[] = "a\"\\\n\x01\xc3\xa9\xff\xe2\x82";
	CAPTURE(buf, diag_json_string(f_, s, sizeof(s) - 1));
	/* control bytes escaped, valid UTF-8 kept, invalid bytes replaced by U+FFFD */
	assert_string_equal(buf, "\"a\\\"\\\\\\n\\u0001\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_table), cmocka_unit_test(test_snippet),
		cmocka_unit_test(test_linecol_utf8), cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_json_form),   cmocka_unit_test(test_json_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
