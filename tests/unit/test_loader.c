/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of compiler/loader.c: Falco's multi-file loading (one collector, compile after
 * each file, a result per file), keep-going vs stop-at-first-failure, required engine and
 * plugin versions, the container plugin provided by frc, priorities, extra outputs, the
 * Falco JSON / text printers, describe, unreadable files and hostile inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "arena.h"
#include "loader.h"

#define RULE(name, cond)                                                                   \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o %proc.name\n"       \
	"  priority: WARNING\n"

struct ld {
	struct arena a;
	struct loader_opts o;
	struct frc_rules rules;
	struct loader_results res;
	int rc;
};

static void run(struct ld *l, const char *const *texts, size_t n)
{
	struct loader_input in[8];
	static const char *const names[] = { "a.yaml", "b.yaml", "c.yaml", "d.yaml" };
	for (size_t i = 0; i < n; i++) {
		in[i].name = names[i];
		in[i].data = texts[i];
		in[i].len = strlen(texts[i]);
	}
	l->rc = loader_load_inputs(&l->a, in, n, &l->o, &l->rules, &l->res);
}

static void init(struct ld *l)
{
	arena_init(&l->a);
	loader_opts_init(&l->o);
}

static char *capture_json(const struct loader_results *r)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	loader_print_json(f, r);
	fclose(f);
	return p;
}

static void test_files_in_order(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	l.o.keep_going = true;
	/* b uses a macro defined only in c: b fails, c compiles everything */
	const char *t[] = { RULE("r1", "evt.type = open"), RULE("r2", "m"),
			    "- macro: m\n  condition: evt.type = close\n" };
	run(&l, t, 3);
	assert_int_equal(l.rc, 1);
	assert_true(l.res.files[0].successful);
	assert_false(l.res.files[1].successful);
	assert_string_equal(l.res.files[1].errors.head->msg, "Undefined macro 'm' used in filter.");
	assert_true(l.res.files[2].successful);
	assert_int_equal(l.rules.nrules, 2);	/* the last compile succeeded */
	assert_false(l.res.ok);
	arena_free_all(&l.a);

	init(&l);	/* without keep_going loading stops at the failed file */
	run(&l, t, 3);
	assert_false(l.res.files[2].loaded);
	assert_int_equal(l.rules.nrules, 0);
	arena_free_all(&l.a);
}

static void test_engine_and_plugin_versions(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	const char *t[] = { "- required_engine_version: 0.57.0\n"
			    "- required_plugin_versions:\n    - name: container\n"
			    "      version: 0.4.0\n" RULE("r", "container.id != host") };
	run(&l, t, 1);
	assert_int_equal(l.rc, 0);	/* the container plugin is provided by frc */
	assert_null(l.res.plugin_error);
	arena_free_all(&l.a);

	init(&l);
	l.o.container_plugin = false;
	run(&l, t, 1);
	assert_int_equal(l.rc, 1);
	assert_false(l.res.files[0].successful);	/* container.id does not exist */
	assert_non_null(l.res.plugin_error);
	assert_string_equal(l.res.plugin_error, "Plugin requirement not satisfied, must load one "
						"of: container (>= 0.4.0)");
	arena_free_all(&l.a);

	init(&l);
	struct loader_plugin p[] = { { "k8saudit", "0.1.0" } };
	l.o.plugins = p;
	l.o.nplugins = 1;
	const char *t2[] = { "- required_plugin_versions:\n    - name: k8saudit\n"
			     "      version: 0.2.0\n" };
	run(&l, t2, 1);
	assert_string_equal(l.res.plugin_error, "Plugin 'k8saudit' version '0.1.0' is not "
						"compatible with required plugin version '0.2.0'");
	arena_free_all(&l.a);

	init(&l);
	const char *t3[] = { "- required_engine_version: 9999999\n" };
	run(&l, t3, 1);
	assert_string_equal(l.res.files[0].errors.head->msg,
			    "Rules require engine version 0.9999999.0, but engine version is 0.63.0");
	arena_free_all(&l.a);
}

static void test_rule_properties(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	l.o.min_priority = PRIO_ERROR;
	static const char *const tags[] = { "net" };
	struct loader_extra xf[] = { { .format = "extra=%evt.type", .tags = tags, .ntags = 1 } };
	l.o.extra_formats = xf;
	l.o.nextra_formats = 1;
	const char *t[] = { "- rule: r\n  desc: d\n  condition: evt.type = open\n"
			    "  output: '  out %container.info '\n  priority: informational\n"
			    "  tags: [net, b, net, a]\n  capture: yes\n  capture_duration: 0x10\n"
			    "- rule: r2\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			    "  priority: CRITICAL\n  enabled: false\n" };
	run(&l, t, 1);
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.rules.nrules, 2);
	const struct frc_rule *r = &l.rules.rules[0];
	assert_int_equal(r->priority, PRIO_INFORMATIONAL);
	assert_false(r->enabled);	/* less severe than the minimum */
	assert_false(l.rules.rules[1].enabled);	/* enabled: false */
	assert_int_equal(r->ntags, 3);
	assert_string_equal(r->tags[0], "a");
	assert_true(r->capture);
	assert_int_equal(r->capture_duration, 16);
	assert_string_equal(r->output, "out  extra=%evt.type");
	assert_int_equal(r->line, 1);
	assert_string_equal(r->file, "a.yaml");
	enum frc_priority p;
	assert_true(loader_parse_priority("INFO", &p));
	assert_int_equal(p, PRIO_INFORMATIONAL);
	assert_false(loader_parse_priority("severe", &p));
	assert_string_equal(loader_priority_name(PRIO_WARNING), "Warning");
	arena_free_all(&l.a);
}

static void test_json_shape(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	const char *t[] = { "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			    "  priority: INFO\n  typo: x\n" };
	run(&l, t, 1);
	char *j = capture_json(&l.res);
	assert_non_null(strstr(j, "{\"falco_load_results\":[{\"errors\":[],\"name\":\"a.yaml\","
				  "\"schema_valid\":false,\"schema_warnings\":[\""));
	assert_non_null(strstr(j, "\"successful\":true,\"warnings\":[{\"code\":\"LOAD_UNKNOWN_KEY\""));
	assert_non_null(strstr(j, "\"message\":\"Unknown key 'typo'. The key will be ignored.\""));
	free(j);
	arena_free_all(&l.a);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	l.o.keep_going = true;
	const char *t[] = { "this : is : not : yaml", "rule: map", "- just text\n", "42",
			    "\x01\x02\xff" };
	run(&l, t, 4);
	assert_int_equal(l.rc, 1);
	assert_int_equal(l.res.files[0].errors.head->code, DIAG_E_YAML_PARSE);
	assert_string_equal(l.res.files[1].errors.head->msg,
			    "Rules content is not yaml array of objects");
	assert_string_equal(l.res.files[2].errors.head->msg,
			    "Unexpected element type. Each element should be a yaml associative "
			    "array.");
	assert_string_equal(l.res.files[3].errors.head->msg, "Rules content is not yaml");
	arena_free_all(&l.a);
	init(&l);
	run(&l, t + 4, 1);
	assert_int_equal(l.rc, 1);
	arena_free_all(&l.a);

	/* an unreadable file is an error of its own result */
	init(&l);
	const char *files[] = { "/nonexistent/dir/rules.yaml" };
	assert_int_equal(loader_load(&l.a, files, 1, &l.o, &l.rules, &l.res), 1);
	assert_int_equal(l.res.files[0].errors.head->code, DIAG_E_FILE_READ);
	assert_string_equal(l.res.files[0].name, files[0]);
	arena_free_all(&l.a);

	/* limits: nested macros deeper than the limit */
	init(&l);
	l.o.limits.max_macro_depth = 8;
	char buf[4096];
	/* every macro is defined, then redefined to use the next one: resolving m0 walks the
	 * whole chain at once (later definitions see every earlier index) */
	size_t n = 0;
	for (int i = 0; i < 12; i++)
		n += (size_t)sprintf(buf + n, "- macro: m%d\n  condition: evt.type = open\n", i);
	for (int i = 0; i < 11; i++)
		n += (size_t)sprintf(buf + n, "- macro: m%d\n  condition: m%d\n", i, i + 1);
	sprintf(buf + n, "%s", RULE("r", "m0"));
	const char *t2[] = { buf };
	run(&l, t2, 1);
	assert_int_equal(l.rc, 1);
	assert_non_null(strstr(l.res.files[0].errors.head->msg, "deeper than 8 (limit)"));
	arena_free_all(&l.a);
}

/* the results and rules name their files after the caller's path strings are gone */
static void test_paths_copied(void **state)
{
	(void)state;
	struct ld l;
	char dir[] = "/tmp/frc-loader-XXXXXX", want[64];
	assert_non_null(mkdtemp(dir));
	snprintf(want, sizeof(want), "%s/r.rules", dir);
	FILE *f = fopen(want, "w");
	assert_non_null(f);
	fputs(RULE("r1", "evt.type = open and evt.dir = <"), f);
	fclose(f);
	char *path = strdup(want);
	const char *files[] = { path };
	init(&l);
	assert_int_equal(loader_load(&l.a, files, 1, &l.o, &l.rules, &l.res), 0);
	memset(path, 'X', strlen(path));	/* the caller reuses its buffer... */
	free(path);			/* ...or frees it */
	assert_string_equal(l.res.files[0].name, want);
	assert_non_null(l.res.files[0].warnings.head);	/* the evt.dir warning names the file */
	assert_int_equal(l.rules.nrules, 1);
	assert_string_equal(l.rules.rules[0].file, want);
	arena_free_all(&l.a);
	unlink(want);
	rmdir(dir);
}

static void test_text_and_describe(void **state)
{
	(void)state;
	struct ld l;
	init(&l);
	const char *t[] = { "- list: l\n  items: [bash]\n"
			    "- macro: m\n  condition: evt.type = execve\n" RULE("r",
										"m and proc.name in (l)") };
	run(&l, t, 1);
	assert_int_equal(l.rc, 0);
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	loader_print_describe_json(f, &l.res, &l.rules);
	fclose(f);
	assert_non_null(strstr(p, "\"condition_compiled\":\"(evt.type = execve and proc.name in "
				  "(bash))\""));
	assert_non_null(strstr(p, "\"events\":[\"execve\"]"));
	assert_non_null(strstr(p, "\"lists\":[\"l\"],\"macros\":[\"m\"]"));
	assert_non_null(strstr(p, "\"required_engine_version\":\"0.0.0\""));
	free(p);
	f = open_memstream(&p, &n);
	loader_print_text(f, &l.res, false);
	fclose(f);
	assert_string_equal(p, "a.yaml: Ok\n");
	free(p);
	arena_free_all(&l.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_in_order), cmocka_unit_test(test_engine_and_plugin_versions),
		cmocka_unit_test(test_rule_properties), cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_bad_inputs), cmocka_unit_test(test_paths_copied),	cmocka_unit_test(test_text_and_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
