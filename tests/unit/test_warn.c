/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the condition warning pass (compiler/warn.c): Falco's filter warning
 * resolver cases (also read from the compat manifest's condition_warnings cases when
 * ../shared is present) and the filter compiler's value warnings.
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
#include "parse.h"
#include "warn.h"

struct collected {
	int n;
	char text[16][512];
	enum warn_code code[16];
};

static void collect(void *ctx, const struct cond_warning *w)
{
	struct collected *c = ctx;
	if (c->n < 16) {
		snprintf(c->text[c->n], sizeof(c->text[0]), "%s: %s%s%s", w->code_name, w->msg,
			 w->field ? " | " : "", w->field ? w->field : "");
		c->code[c->n] = w->code;
	}
	c->n++;
}

/* runs the requested pass(es) over @cond; returns the warnings joined by newlines */
static const char *warnings_of(struct arena *a, const char *cond, int which)
{
	static char out[4096];
	struct parse_error e;
	struct collected c;
	memset(&c, 0, sizeof(c));
	struct ast *n = parse_condition(a, cond, strlen(cond), 0, &e);
	if (!n) {
		print_error("parse error in [%s]: %s\n", cond, e.msg);
		fail();
	}
	int cnt = which == 0 ? warn_resolve(n, collect, &c)
		  : which == 1 ? warn_values(a, n, collect, &c)
			       : warn_condition(a, n, collect, &c);
	assert_int_equal(cnt, c.n);
	out[0] = '\0';
	for (int i = 0; i < c.n && i < 16; i++) {
		strcat(out, i ? "\n" : "");
		strcat(out, c.text[i]);
	}
	return out;
}

static bool warns(const char *cond)
{
	struct arena a;
	arena_init(&a);
	bool r = warnings_of(&a, cond, 0)[0] != '\0';
	arena_free_all(&a);
	return r;
}

/* falco unit_tests/engine/test_filter_warning_resolver.cpp */
static void test_resolver_upstream(void **state)
{
	(void)state;
	assert_false(warns("ka.field exists"));
	assert_false(warns("some.field = <NA>"));
	assert_true(warns("jevt.field = <NA>"));
	assert_true(warns("ka.field = <NA>"));
	assert_true(warns("ka.field == <NA>"));
	assert_true(warns("ka.field != <NA>"));
	assert_true(warns("ka.field in (<NA>)"));
	assert_true(warns("ka.field in (otherval, <NA>)"));
	assert_true(warns("ka.field intersects (<NA>)"));
	assert_true(warns("ka.field intersects (otherval, <NA>)"));
	assert_true(warns("ka.field pmatch (<NA>)"));
	assert_true(warns("ka.field pmatch (otherval, <NA>)"));
	assert_true(warns("evt.dir = <"));
	assert_true(warns("evt.dir = >"));
	assert_true(warns("proc.name=test and evt.dir = <"));
	assert_true(warns("evt.dir = < and proc.name=test"));
	/* transformers: the last field visited among the arguments decides */
	assert_true(warns("tolower(ka.field) = <NA>"));
	assert_false(warns("tolower(safe.field) = <NA>"));
	assert_true(warns("concat(safe.field, ka.field) = <NA>"));
	assert_false(warns("concat(ka.field, safe.field) = <NA>"));
}

static void test_resolver_details(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	/* not equality, modifiers, other constants */
	assert_false(warns("ka.field contains <NA>"));
	assert_false(warns("ka.field startswith <NA>"));
	assert_false(warns("ka.field = oneof (<NA>)"));
	assert_false(warns("ka.field = \"<NA> \""));
	assert_false(warns("ka.field in (a, b)"));
	assert_true(warns("ka.field = '<NA>'"));
	assert_true(warns("not (a and ka.user.name != <NA>)"));
	assert_false(warns("kafield.x = <NA>"));
	/* one NA warning however many, deprecated fields once each, in Falco's order */
	assert_string_equal(warnings_of(&a, "ka.a = <NA> and ka.b in (<NA>) and evt.wait_latency > 1 "
					    "and evt.dir = < and evt.dir = > and evt.latency exists", 0),
			    "LOAD_UNSAFE_NA_CHECK: \n"
			    "LOAD_DEPRECATED_ITEM: due to the drop of enter events, 'evt.dir = <' always "
			    "evaluates to true, and 'evt.dir = >' always evaluates to false. The rule "
			    "expression can be simplified by removing the condition on 'evt.dir' | evt.dir\n"
			    "LOAD_DEPRECATED_ITEM: field is not available due to the drop of enter "
			    "events. | evt.latency\n"
			    "LOAD_DEPRECATED_ITEM: field is not available due to the drop of enter "
			    "events. | evt.wait_latency");
	assert_string_equal(warnings_of(&a, "evt.latency.s > 1 or evt.latency.ns > 1 or "
					    "evt.latency.human exists", 0),
			    "LOAD_DEPRECATED_ITEM: field is not available due to the drop of enter "
			    "events. | evt.latency.s\n"
			    "LOAD_DEPRECATED_ITEM: field is not available due to the drop of enter "
			    "events. | evt.latency.ns\n"
			    "LOAD_DEPRECATED_ITEM: field is not available due to the drop of enter "
			    "events. | evt.latency.human");
	/* the right side is only visited for unsafe equality checks */
	assert_false(warns("proc.name = val(evt.dir)"));
	assert_true(warns("ka.x = val(evt.dir)"));
	assert_true(warns("tolower(evt.dir) = x"));
	/* Falco does not look into transformer argument lists */
	assert_false(warns("join(\",\", (evt.dir, proc.name)) = x"));
	assert_false(warns("evt.dirx = <"));
	assert_true(warns("evt.dir[1] = <"));
	arena_free_all(&a);
}

static void test_value_warnings(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	assert_string_equal(warnings_of(&a, "proc.name = proc.pname", 1),
			    "LOAD_COMPILE_CONDITION: 'proc.pname' may be a valid field misused as a "
			    "const string value");
	assert_string_equal(warnings_of(&a, "proc.name = \"proc. pname\"", 1),
			    "LOAD_COMPILE_CONDITION: 'proc. pname' may be a valid field misused as a "
			    "const string value");
	assert_string_equal(warnings_of(&a, "proc.name in (a, proc.aname[2], evt.arg.flags)", 1),
			    "LOAD_COMPILE_CONDITION: 'proc.aname[2]' may be a valid field misused as "
			    "a const string value\n"
			    "LOAD_COMPILE_CONDITION: 'evt.arg.flags' may be a valid field misused as "
			    "a const string value");
	assert_string_equal(warnings_of(&a, "proc.name = proc.pnamex", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name = evt.arg", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name = val(proc.pname)", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name = \"toupper( proc.pname)\"", 1),
			    "LOAD_COMPILE_CONDITION: 'toupper( proc.pname)' may be a valid field "
			    "transformer misused as a const string value");
	assert_string_equal(warnings_of(&a, "proc.name = \"val(x)\"", 1),
			    "LOAD_COMPILE_CONDITION: 'val(x)' may be a valid field transformer "
			    "misused as a const string value");
	assert_string_equal(warnings_of(&a, "proc.name = \"len()\"", 1),
			    "LOAD_COMPILE_CONDITION: 'len()' may be a valid field transformer "
			    "misused as a const string value");
	assert_string_equal(warnings_of(&a, "proc.name = \"len(\"", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name = \"lenx(a)\"", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name regex bash", 1),
			    "LOAD_COMPILE_CONDITION: regex check with 'bash' may be optimized with "
			    "simpler operators such as '=', 'contains', 'startswith', 'endswith'");
	assert_string_equal(warnings_of(&a, "proc.name regex '.*bash.+'", 1),
			    "LOAD_COMPILE_CONDITION: regex check with '.*bash.+' may be optimized "
			    "with simpler operators such as '=', 'contains', 'startswith', 'endswith'");
	assert_string_equal(warnings_of(&a, "proc.name regex '^bash$'", 1),
			    "LOAD_COMPILE_CONDITION: regex check with '^bash$' may be optimized "
			    "with simpler operators such as '=', 'contains', 'startswith', 'endswith'");
	/* Falco only skips ".*" at the very start: after "^" it counts as a metacharacter */
	assert_string_equal(warnings_of(&a, "proc.name regex '^.*bash'", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name regex 'ba.sh'", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name regex 'ba[sh]'", 1), "");
	assert_string_equal(warnings_of(&a, "proc.name regex '.*'", 1),
			    "LOAD_COMPILE_CONDITION: regex check with '.*' may be optimized with "
			    "simpler operators such as '=', 'contains', 'startswith', 'endswith'");
	assert_string_equal(warnings_of(&a, "proc.name = bash and not fd.name exists", 1), "");
	/* both passes, resolver first */
	assert_string_equal(warnings_of(&a, "proc.name = proc.pname and evt.dir = <", 2),
			    "LOAD_DEPRECATED_ITEM: due to the drop of enter events, 'evt.dir = <' "
			    "always evaluates to true, and 'evt.dir = >' always evaluates to false. The "
			    "rule expression can be simplified by removing the condition on 'evt.dir' "
			    "| evt.dir\n"
			    "LOAD_COMPILE_CONDITION: 'proc.pname' may be a valid field misused as a "
			    "const string value");
	arena_free_all(&a);
}

/* minimal JSON string reader for the manifest lines */
static const char *json_str(const char *line, const char *key, char *out, size_t cap)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	const char *p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	size_t n = 0;
	for (; *p && *p != '"' && n + 1 < cap; p++) {
		if (*p == '\\') {
			p++;
			out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return out;
}

static void test_manifest_cases(void **state)
{
	(void)state;
	FILE *f = fopen("../shared/compat/manifest.jsonl", "r");
	if (!f) {
		printf("manifest not found (../shared absent): skipped\n");
		skip();
	}
	static char line[1 << 16];
	int cases = 0;
	while (fgets(line, sizeof(line), f)) {
		char cond[1024], id[256];
		if (!strstr(line, "\"mode\": \"condition_warnings\""))
			continue;
		assert_non_null(json_str(line, "condition", cond, sizeof(cond)));
		json_str(line, "id", id, sizeof(id));
		bool want = strstr(line, "\"has_warnings\": true") != NULL;
		if (warns(cond) != want) {
			print_error("%s: [%s] want has_warnings=%d\n", id, cond, want);
			fclose(f);
			fail();
		}
		cases++;
	}
	fclose(f);
	assert_true(cases >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolver_upstream),
		cmocka_unit_test(test_resolver_details),
		cmocka_unit_test(test_value_warnings),
		cmocka_unit_test(test_manifest_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
