/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the Falco configuration reader (runtime/config.c, runtime/cfgtree.c):
 * stock falco.yaml, -o overrides with Falco's key syntax, ${ENV}, config_files merging
 * strategies, Falco's validation errors, unknown-key warnings, rule selection wildcards,
 * source locations of errors in entries, index paths past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfgtree.h"
#include "config.h"

static char tmpdir[256];
static char warnings[8192];

static void collect_warn(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static const char *write_file(const char *name, const char *content)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static int load(struct frc_config *cfg, const char *path, const char **ov, uint32_t nov,
		char *err, size_t errlen)
{
	struct config_opts o = { .path = path, .overrides = ov, .noverrides = nov,
				 .warn = collect_warn };

	warnings[0] = 0;
	return config_load(cfg, &o, err, errlen);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/frc-test-config-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void test_defaults(void **state)
{
	struct frc_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	/* Falco's built-in defaults, not the stock file's */
	assert_false(cfg.stdout_output.enabled);
	assert_false(cfg.json_output);
	assert_true(cfg.json_include_output_property);
	assert_true(cfg.json_include_tags_property);
	assert_false(cfg.json_include_message_property);
	assert_int_equal(cfg.min_priority, PRIO_DEBUG);
	assert_int_equal(cfg.drop_actions, DROP_ACT_IGNORE);
	assert_true(cfg.drop_threshold > 0.09 && cfg.drop_threshold < 0.11);
	assert_int_equal(cfg.output_timeout_ms, 2000);
	assert_int_equal(cfg.engine_kind, ENGINE_KMOD);
	assert_int_equal(cfg.nappend_output, 0);
	config_free(&cfg);
}

static void test_stock_falco_yaml(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *stock = "../shared/compat/config/falco.yaml";

	(void)state;
	if (access(stock, R_OK)) {
		skip();
		return;
	}
	assert_int_equal(load(&cfg, stock, NULL, 0, err, sizeof(err)), 0);
	assert_true(cfg.stdout_output.enabled);
	assert_true(cfg.syslog_output.enabled);
	assert_false(cfg.file_output.enabled);
	assert_string_equal(cfg.file_output.filename, "./events.txt");
	assert_int_equal(cfg.engine_kind, ENGINE_MODERN_EBPF);
	assert_int_equal(cfg.nappend_output, 1);
	assert_true(cfg.append_output[0].suggested_output);
	assert_int_equal(cfg.drop_actions, DROP_ACT_LOG | DROP_ACT_ALERT);
	assert_true(cfg.webserver.enabled);
	assert_int_equal(cfg.webserver.listen_port, 8765);
	assert_string_equal(cfg.http_output.user_agent, "falcosecurity/falco");
	assert_int_equal(cfg.http_output.max_consecutive_timeouts, 5);
	assert_false(cfg.base_syscalls_all);
	assert_int_equal(cfg.snaplen, 80);
	assert_int_equal(cfg.metrics.interval_ms, 3600000);
	assert_int_equal(cfg.log_level, LOGL_INFO);
	/* a stock file produces no unknown-key warning; the container plugin note is fine */
	assert_null(strstr(warnings, "unknown configuration key"));
	config_free(&cfg);

	/* the older configs of the regression suites load, unknown/legacy keys only warn */
	const char *old[] = { "../shared/compat/falco_regression/confs/falco.yaml",
			      "../shared/compat/testing_legacy/confs/program_output.yaml" };
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(load(&cfg, old[i], NULL, 0, err, sizeof(err)), 0);
		config_free(&cfg);
	}
}

static void test_overrides(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *path = write_file("a.yaml", "json_output: false\n"
						"append_output:\n  - suggested_output: true\n"
						"rules_files: [/nonexistent/x.yaml]\n"
						"list: [a, b]\n");
	const char *ov[] = {
		"json_output=true",
		"rules[].disable.rule=*",
		"rules[].enable.tag=network",
		"append_output[]={\"extra_fields\": [\"proc.env\"]}",
		"file_output.enabled=true",
		"file_output.filename=/tmp/x.txt",
		"list[1]=c",
		"list[]=d",
		"my\\.dotted\\.key=v",
		"priority=warning",
	};

	(void)state;
	assert_int_equal(load(&cfg, path, ov, 10, err, sizeof(err)), 0);
	assert_true(cfg.json_output);
	assert_int_equal(cfg.nrules_sel, 2);
	assert_false(cfg.rules_sel[0].enable);
	assert_int_equal(cfg.rules_sel[0].kind, SEL_RULE_WILDCARD);
	assert_string_equal(cfg.rules_sel[0].pattern, "*");
	assert_true(cfg.rules_sel[1].enable);
	assert_int_equal(cfg.rules_sel[1].kind, SEL_TAG);
	assert_int_equal(cfg.nappend_output, 2);
	assert_int_equal(cfg.append_output[1].nfields, 1);
	assert_true(cfg.append_output[1].field_raw[0]);
	assert_string_equal(cfg.append_output[1].field_keys[0], "proc.env");
	assert_true(cfg.file_output.enabled);
	assert_string_equal(cfg.file_output.filename, "/tmp/x.txt");
	assert_int_equal(cfg.min_priority, PRIO_WARNING);
	assert_int_equal(cfg.nrules_files, 0); /* missing files are dropped, like Falco */
	struct cnode *l = cn_lookup(cfg.doc, "list");
	assert_non_null(l);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->items[1]->str, "c");
	assert_string_equal(l->items[2]->str, "d");
	assert_non_null(cn_map_get(cfg.doc, "my.dotted.key"));
	/* unknown keys warn */
	assert_non_null(strstr(warnings, "unknown configuration key 'list'"));
	assert_non_null(strstr(warnings, "unknown configuration key 'my.dotted.key'"));
	config_free(&cfg);

	/* a dotted path into a list turns it into a map (yaml-cpp): Falco then appends nothing */
	const char *ov2[] = { "append_output.suggested_output=false" };
	assert_int_equal(load(&cfg, path, ov2, 1, err, sizeof(err)), 0);
	assert_int_equal(cfg.nappend_output, 0);
	config_free(&cfg);

	/* malformed options */
	const char *bad1[] = { "json_output" };
	assert_int_equal(load(&cfg, path, bad1, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "Error parsing config option \"json_output\". Must be of the form "
				 "key=val or key.subkey=val");
	const char *bad2[] = { "list[x]=1" };
	assert_int_equal(load(&cfg, path, bad2, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Config error at key \"list[x]\": expected a numeric index"));
	const char *bad3[] = { "json_output.x=1" };
	assert_int_equal(load(&cfg, path, bad3, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Config error at key \"json_output.x\""));
	const char *bad4[] = { "a..b=1" };
	assert_int_equal(load(&cfg, path, bad4, 1, err, sizeof(err)), -1);
	const char *bad5[] = { "x=\\" , "y={unterminated: [}" };
	assert_int_equal(load(&cfg, path, bad5 + 1, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Error parsing config option"));
}

static void test_env_and_merge(void **state)
{
	struct frc_config cfg;
	char err[512];
	char dir[300], inc[700], main_yaml[1200];

	(void)state;
	setenv("FRC_TEST_FILE", "/tmp/from-env.txt", 1);
	unsetenv("FRC_TEST_UNSET");
	snprintf(dir, sizeof(dir), "%s/conf.d", tmpdir);
	mkdir(dir, 0755);
	snprintf(inc, sizeof(inc), "%s/conf.d/10-a.yaml", tmpdir);
	FILE *f = fopen(inc, "w");
	fputs("stdout_output:\n  enabled: false\nbase_syscalls:\n  custom_set: [open]\n"
	      "rules_files: [/y.yaml]\n", f);
	fclose(f);
	snprintf(inc, sizeof(inc), "%s/conf.d/20-b.yaml", tmpdir);
	f = fopen(inc, "w");
	fputs("rules_files: [/z.yaml]\npriority: error\n", f);
	fclose(f);
	snprintf(main_yaml, sizeof(main_yaml),
		 "config_files:\n  - %s\n  - /nonexistent/dir\n"
		 "file_output:\n  enabled: true\n  filename: ${FRC_TEST_FILE}\n"
		 "program_output:\n  program: \"a${FRC_TEST_UNSET}b $${LIT} c\"\n"
		 "stdout_output:\n  enabled: true\n"
		 "rules_files: [/x.yaml]\n", dir);
	const char *path = write_file("main.yaml", main_yaml);
	assert_int_equal(load(&cfg, path, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(cfg.file_output.filename, "/tmp/from-env.txt");
	assert_string_equal(cfg.program_output.program, "ab ${LIT} c");
	assert_false(cfg.stdout_output.enabled); /* scalar keys overridden by later files */
	assert_int_equal(cfg.min_priority, PRIO_ERROR);
	struct cnode *rf = cn_lookup(cfg.doc, "rules_files");
	assert_int_equal(rf->n, 3); /* sequences appended (default strategy) */
	assert_string_equal(rf->items[2]->str, "/z.yaml");
	assert_int_equal(cfg.nloaded_config_files, 3);
	config_free(&cfg);

	/* override and add-only strategies */
	snprintf(main_yaml, sizeof(main_yaml),
		 "config_files:\n  - path: %s/conf.d/20-b.yaml\n    strategy: override\n"
		 "  - path: %s/conf.d/10-a.yaml\n    strategy: add-only\n"
		 "rules_files: [/x.yaml]\npriority: debug\n", tmpdir, tmpdir);
	path = write_file("main2.yaml", main_yaml);
	assert_int_equal(load(&cfg, path, NULL, 0, err, sizeof(err)), 0);
	rf = cn_lookup(cfg.doc, "rules_files");
	assert_int_equal(rf->n, 1);
	assert_string_equal(rf->items[0]->str, "/z.yaml");
	assert_int_equal(cfg.min_priority, PRIO_ERROR);
	assert_non_null(cn_lookup(cfg.doc, "base_syscalls.custom_set"));	/* added */
	assert_non_null(cn_lookup(cfg.doc, "stdout_output"));		/* added */
	assert_int_equal(cn_lookup(cfg.doc, "rules_files")->n, 1);	/* kept, not appended */
	config_free(&cfg);

	/* a directory without regular files includes nothing (UBSan found qsort(NULL, 0)) */
	snprintf(inc, sizeof(inc), "%s/empty.d", tmpdir);
	mkdir(inc, 0755);
	snprintf(main_yaml, sizeof(main_yaml), "config_files: [%s]\npriority: error\n", inc);
	assert_int_equal(load(&cfg, write_file("main5.yaml", main_yaml), NULL, 0, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.min_priority, PRIO_ERROR);
	assert_int_equal(cfg.nloaded_config_files, 1);
	config_free(&cfg);
	rmdir(inc);

	/* an included file may not include others; the main file may not include itself */
	write_file("conf.d/30-c.yaml", "config_files: [/etc]\n");
	assert_int_equal(load(&cfg, write_file("main3.yaml", "config_files: [x]\n"), NULL, 0, err,
			      sizeof(err)), 0);
	config_free(&cfg);
	snprintf(main_yaml, sizeof(main_yaml), "config_files: [%s]\n", dir);
	assert_int_equal(load(&cfg, write_file("main4.yaml", main_yaml), NULL, 0, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "'config_files' directive in included config file"));
	snprintf(inc, sizeof(inc), "%s/conf.d/30-c.yaml", tmpdir);
	unlink(inc);
	snprintf(main_yaml, sizeof(main_yaml), "config_files: [%s/self.yaml]\n", tmpdir);
	path = write_file("self.yaml", main_yaml);
	assert_int_equal(load(&cfg, path, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tried to recursively include main config file"));
}

static void test_falco_errors(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *p;

	(void)state;
	p = write_file("t1.yaml", "syscall_event_drops:\n  threshold: 1.1\n  actions: [ignore]\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "syscall event drops threshold must be a double in the range "
				    "[0, 1]"));
	p = write_file("t2.yaml", "syscall_event_drops:\n  actions: [ignore, log]\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "syscall event drop action \"log\" does not make sense with "
				    "the \"ignore\" action"));
	p = write_file("t3.yaml", "syscall_event_drops:\n  actions: [alert, exit]\n"
				  "  simulate_drops: true\n  max_burst: 10\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.drop_actions, DROP_ACT_ALERT | DROP_ACT_EXIT);
	assert_true(cfg.drop_simulate);
	assert_true(cfg.drop_max_burst > 9.9);
	config_free(&cfg);
	p = write_file("t4.yaml", "priority: bogus\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Unknown priority \"bogus\""));
	p = write_file("t5.yaml", "file_output:\n  enabled: true\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "file output enabled but no filename"));
	p = write_file("t6.yaml", "engine:\n  kind: replay\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no engine.replay.capture_file specified"));
	p = write_file("t7.yaml", "rules_file: [a]\nrules_files: [b]\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "both 'rules_files' and 'rules_file' keys set"));
	p = write_file("t8.yaml", "a: [b\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t8.yaml:2:1"));
	assert_int_equal(load(&cfg, "/nonexistent.yaml", NULL, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "Could not find configuration file at /nonexistent.yaml");
	p = write_file("t9.yaml", "rule_matching: all\nlog_level: debug\nmetrics:\n  enabled: true\n"
				  "  interval: 1m30s\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.rule_matching, RULE_MATCHING_ALL);
	assert_int_equal(cfg.metrics.interval_ms, 90000);
	config_free(&cfg);
	p = write_file("t10.yaml", "rules:\n  - enable: {}\n");
	assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
}

/* Errors in append_output and rules entries name where the entry is: file:line:col for a
 * file, the -o option for the command line; legacy and unknown keys set by -o name the
 * option too. */
static void test_entry_locations(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *p;

	static const struct {
		const char *name, *text, *at, *msg;
	} cases[] = {
		{ "e1.yaml", "json_output: true\nappend_output:\n  - extra_output: x\n  - 5\n",
		  "e1.yaml:4:5: ", "append_output entry 1 is not a map" },
		{ "e2.yaml", "append_output:\n  - match:\n      tags: [a, [b]]\n",
		  "e2.yaml:3:17: ", "match tags must be strings" },
		{ "e3.yaml", "append_output:\n  - extra_fields:\n      - proc.pid\n      - {a: [b]}\n",
		  "e3.yaml:4:9: ", "invalid append_output extra_fields entry" },
		{ "e4.yaml", "append_output:\n  - extra_fields: [proc.pid, proc.pid]\n",
		  "e4.yaml:2:30: ", "key 'proc.pid' defined twice" },
		{ "e5.yaml", "append_output:\n  - suggested_output: perhaps\n",
		  "e5.yaml:2:23: ", "suggested_output must be a boolean" },
		{ "e6.yaml", "rules:\n  - disable:\n      rule: a\n  - enable: 3\n",
		  "e6.yaml:4:13: ", "rules entry 1 must be" },
		{ "e7.yaml", "rules:\n  - enable:\n      other: x\n",
		  "e7.yaml:2:5: ", "rules entry 0 names neither a rule nor a tag" },
		{ "e8.yaml", "rules: 7\n", "e8.yaml:1:8: ", "'rules' must be a list" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = write_file(cases[i].name, cases[i].text);
		assert_int_equal(load(&cfg, p, NULL, 0, err, sizeof(err)), -1);
		assert_non_null(strstr(err, cases[i].at));
		assert_non_null(strstr(err, cases[i].msg));
	}

	/* the same from -o: the option is named, no file position */
	const char *o1[] = { "append_output[]={\"extra_fields\": 3}" };
	assert_int_equal(load(&cfg, NULL, o1, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "-o append_output[0].extra_fields=3: append_output extra_fields "
				 "must be a list");
	const char *o2[] = { "rules[]=3" };
	assert_int_equal(load(&cfg, NULL, o2, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-o rules[0]=3: rules entry 0 must be"));

	/* legacy and unknown keys set by -o */
	const char *o3[] = { "outputs.rate=1", "bogus=2" };
	assert_int_equal(load(&cfg, NULL, o3, 2, err, sizeof(err)), 0);
	assert_non_null(strstr(warnings, "-o outputs=...: configuration key 'outputs' is not used"));
	assert_non_null(strstr(warnings, "-o bogus=2: unknown configuration key 'bogus'"));
	assert_null(strstr(warnings, "(command line)"));
	config_free(&cfg);
}

/* Falco's set_scalar with an index (yaml-cpp's operator[]): the next index appends, one
 * past the end or negative turns the sequence into a map keyed by the indexes, and the
 * index is read like std::stoi. */
static void test_index_paths(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *p = write_file("i.yaml", "list: [a, b]\nrules_files: [/nonexistent/r.yaml]\n");
	const char *ov[] = { "list[2]=c", "rules_files[5]=/x.yaml", "fresh[3]=q", "neg[-1]=n",
			     "loose[ 1x]=l" };
	struct cnode *n;

	(void)state;
	assert_int_equal(load(&cfg, p, ov, 5, err, sizeof(err)), 0);
	n = cn_lookup(cfg.doc, "list");
	assert_int_equal(n->kind, CN_SEQ);
	assert_int_equal(n->n, 3);
	assert_string_equal(n->items[2]->str, "c");
	n = cn_lookup(cfg.doc, "rules_files");
	assert_int_equal(n->kind, CN_MAP);
	assert_string_equal(cn_map_get(n, "0")->str, "/nonexistent/r.yaml");
	assert_string_equal(cn_map_get(n, "5")->str, "/x.yaml");
	assert_int_equal(cfg.nrules_files, 0); /* a map is no list of rules files */
	n = cn_lookup(cfg.doc, "fresh");
	assert_int_equal(n->kind, CN_MAP);
	assert_string_equal(cn_map_get(n, "3")->str, "q");
	assert_string_equal(cn_map_get(cn_lookup(cfg.doc, "neg"), "-1")->str, "n");
	assert_string_equal(cn_map_get(cn_lookup(cfg.doc, "loose"), "1")->str, "l");
	config_free(&cfg);
	const char *bad[] = { "list[99999999999]=x" };
	assert_int_equal(load(&cfg, p, bad, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected a numeric index"));
}

static void test_wildcards_and_priorities(void **state)
{
	enum frc_priority p;

	(void)state;
	assert_true(config_wildcard_match("*", "anything"));
	assert_true(config_wildcard_match("open_*", "open_1"));
	assert_false(config_wildcard_match("open_*", "xopen_1"));
	assert_true(config_wildcard_match("*_1", "open_1"));
	assert_true(config_wildcard_match("a*c*e", "abcde"));
	assert_false(config_wildcard_match("open", "open_1"));
	assert_true(config_wildcard_match("open_1", "open_1"));
	/* Falco's matcher does not backtrack */
	assert_false(config_wildcard_match("*ab", "abab"));
	assert_true(config_parse_priority("INFO", &p));
	assert_int_equal(p, PRIO_INFORMATIONAL);
	assert_true(config_parse_priority("warning", &p));
	assert_int_equal(p, PRIO_WARNING);
	assert_false(config_parse_priority("warn", &p));
	assert_string_equal(config_priority_name(PRIO_INFORMATIONAL), "Informational");
}

static void test_dump(void **state)
{
	struct frc_config cfg;
	char err[512];
	const char *ov[] = { "a.b[]=1", "a.c=\"q\"", "a.d=true" };
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(load(&cfg, NULL, ov, 3, err, sizeof(err)), 0);
	FILE *f = open_memstream(&buf, &len);
	config_dump(&cfg, f);
	fclose(f);
	assert_string_equal(buf, "{\"a\":{\"b\":[1],\"c\":\"\\\"q\\\"\",\"d\":true}}\n");
	free(buf);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_stock_falco_yaml),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_env_and_merge),
		cmocka_unit_test(test_falco_errors),
		cmocka_unit_test(test_entry_locations),
		cmocka_unit_test(test_index_paths),
		cmocka_unit_test(test_wildcards_and_priorities),
		cmocka_unit_test(test_dump),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
