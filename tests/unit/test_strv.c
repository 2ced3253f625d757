/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of runtime/strv.c: string vectors and the expansion of a rules path
 * (a directory's .yaml/.yml regular files in name order; any other path as given; an
 * unreadable directory given as a file for the loader to report).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "strv.h"

static char dir[256];

static void touch(const char *name)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("- list: x\n  items: []\n", f);
	fclose(f);
}

static void test_push_free(void **st)
{
	struct strv v = { 0 };
	char buf[16];

	(void)st;
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "s%d", i);
		assert_int_equal(strv_push(&v, buf), 0);
	}
	assert_int_equal(v.n, 100);
	assert_string_equal(v.v[0], "s0");
	assert_string_equal(v.v[99], "s99");
	strv_free(&v);
	assert_null(v.v);
	assert_int_equal(v.n, 0);
	strv_free(&v);	/* freeing an empty vector is fine */
}

static void test_expand_dir(void **st)
{
	struct strv files = { 0 }, dirs = { 0 };
	char sub[512], p[512];

	(void)st;
	touch("b.yaml");
	touch("a.yml");
	touch("c.txt");
	touch("yaml");		/* no extension: not a rules file */
	touch("Z.yaml");	/* byte order: upper case first */
	snprintf(sub, sizeof(sub), "%s/d.yaml", dir);
	assert_int_equal(mkdir(sub, 0700), 0);	/* a directory named like a file: skipped */
	assert_int_equal(rules_path_expand(dir, &files, &dirs), 0);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(dirs.v[0], dir);
	assert_int_equal(files.n, 3);
	snprintf(p, sizeof(p), "%s/Z.yaml", dir);
	assert_string_equal(files.v[0], p);
	snprintf(p, sizeof(p), "%s/a.yml", dir);
	assert_string_equal(files.v[1], p);
	snprintf(p, sizeof(p), "%s/b.yaml", dir);
	assert_string_equal(files.v[2], p);
	rmdir(sub);
	strv_free(&files);
	strv_free(&dirs);
}

static void test_expand_file(void **st)
{
	struct strv files = { 0 };
	char p[512];

	(void)st;
	/* a file is taken whatever its name (Falco since 0.41 silently skips a named file
	 * that is not .yaml/.yml; frc loads what it is told to); a missing one too (the
	 * loader reports it) */
	snprintf(p, sizeof(p), "%s/c.txt", dir);
	assert_int_equal(rules_path_expand(p, &files, NULL), 0);
	assert_int_equal(rules_path_expand("/nonexistent/rules.yaml", &files, NULL), 0);
	assert_int_equal(files.n, 2);
	assert_string_equal(files.v[0], p);
	assert_string_equal(files.v[1], "/nonexistent/rules.yaml");
	strv_free(&files);
}

/* DIR/ gives DIR/NAME (one slash); a symbolic link to a rules file counts, one to a
 * directory does not; the order does not depend on the locale's collation */
static void test_expand_slash_links(void **st)
{
	struct strv files = { 0 };
	char d[300], p[400], t[400];

	(void)st;
	snprintf(d, sizeof(d), "%s/sub", dir);
	assert_int_equal(mkdir(d, 0700), 0);
	snprintf(p, sizeof(p), "%s/b.yaml", d);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(t, sizeof(t), "%s/a.yaml", d);
	assert_int_equal(symlink(p, t), 0);	/* a link to a regular file: taken */
	snprintf(t, sizeof(t), "%s/c.yaml", d);
	assert_int_equal(symlink(dir, t), 0);	/* a link to a directory: skipped */
	snprintf(t, sizeof(t), "%s/", d);
	assert_int_equal(rules_path_expand(t, &files, NULL), 0);
	assert_int_equal(files.n, 2);
	snprintf(p, sizeof(p), "%s/a.yaml", d);
	assert_string_equal(files.v[0], p);
	snprintf(p, sizeof(p), "%s/b.yaml", d);
	assert_string_equal(files.v[1], p);
	strv_free(&files);
}

/* a directory that cannot be read (here: no file descriptor left) is given as a file, so
 * that the loader reports it instead of loading no rules from it */
static void test_expand_unreadable(void **st)
{
	struct strv files = { 0 }, dirs = { 0 };
	struct rlimit old, low;
	int fd;

	(void)st;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	fd = dup(0);			/* the lowest free descriptor */
	assert_true(fd >= 0);
	close(fd);
	low = old;
	low.rlim_cur = (rlim_t)fd;	/* no descriptor can be opened now */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int rc = rules_path_expand(dir, &files, &dirs);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(files.n, 1);
	assert_string_equal(files.v[0], dir);
	assert_int_equal(dirs.n, 1);
	strv_free(&files);
	strv_free(&dirs);
}

static int setup(void **st)
{
	(void)st;
	snprintf(dir, sizeof(dir), "/tmp/frc-strv-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char cmd[300];

	(void)st;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_free),
		cmocka_unit_test(test_expand_dir),
		cmocka_unit_test(test_expand_file),
		cmocka_unit_test(test_expand_slash_links),
		cmocka_unit_test(test_expand_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
