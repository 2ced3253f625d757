/* SPDX-License-Identifier: Apache-2.0
 *
 * frc lint / frc describe: load rule files exactly as Falco does (compiler/loader.h) and
 * report errors and warnings with Falco's codes, or describe what was loaded like
 * `falco -L -o json_output=true`.
 *
 *   frc lint [--format text|json|falco] [--strict] [--color|--no-color]
 *            [--plugin NAME=VERSION]... [--source NAME]... [--no-container-plugin]
 *            [--min-priority P] [--describe]
 *            [--extra-format FMT | --extra-field KEY=FMT | --extra-raw-field KEY
 *             [--extra-source S] [--extra-tags T1,T2] [--extra-rule R]]... FILE...
 *   frc lint --condition TEXT          (one condition: syntax and Falco's condition warnings)
 *   frc describe [--format json] [same load options] FILE...
 *
 * Exit status: 0 every file loads (with --strict: and no warning), 1 otherwise, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "loader.h"
#include "parse.h"
#include "warn.h"

#define MAX_ARGS 256

struct lint_args {
	const char *format;
	bool strict;
	int color;	/* -1 auto */
	const char *condition;
	const char *files[MAX_ARGS];
	size_t nfiles;
	struct loader_plugin plugins[MAX_ARGS];
	size_t nplugins;
	const char *sources[MAX_ARGS];
	size_t nsources;
	bool no_container;
	bool describe;
	enum frc_priority min_priority;
	struct loader_extra formats[MAX_ARGS], fields[MAX_ARGS];
	size_t nformats, nfields;
	struct loader_extra *last_extra;	/* what --extra-source/tags/rule qualify */
	char *allocs[MAX_ARGS * 2];
	size_t nallocs;
};

static char *keep(struct lint_args *la, char *p)
{
	if (p && la->nallocs < sizeof(la->allocs) / sizeof(la->allocs[0]))
		la->allocs[la->nallocs++] = p;
	else if (p) {
		free(p);
		p = NULL;
	}
	return p;
}

/* "a,b,c" → NULL-terminated array (malloc'd, kept in la) */
static const char *const *split_tags(struct lint_args *la, const char *v, size_t *n)
{
	size_t cnt = 1;
	for (const char *p = v; *p; p++)
		cnt += *p == ',';
	const char **t = (const char **)keep(la, (char *)calloc(cnt + 1, sizeof(*t)));
	char *copy = keep(la, strdup(v));
	*n = 0;
	if (!t || !copy)
		return NULL;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
		t[(*n)++] = tok;
	return t;
}

static void usage(FILE *f, bool describe)
{
	if (describe) {
		fprintf(f, "usage: frc describe [--format json] [--plugin NAME=VERSION]... "
			   "[--source NAME]... [--no-container-plugin] FILE...\n");
		return;
	}
	fprintf(f,
		"usage: frc lint [--format text|json|falco] [--strict] [--no-color] "
		"[--plugin NAME=VERSION]...\n"
		"                [--source NAME]... [--no-container-plugin] [--min-priority P] "
		"FILE...\n"
		"       frc lint --condition TEXT\n\n"
		"Loads the files in order into one engine, as Falco does, and reports every error\n"
		"and warning with Falco's codes. --format json prints Falco's "
		"{\"falco_load_results\":[...]};\n"
		"--format falco prints `falco -V`'s text. --strict makes warnings fail.\n"
		"--describe adds Falco's \"falco_describe_results\" to the JSON when every file "
		"loads.\n"
		"--extra-format/--extra-field/--extra-raw-field add engine extra outputs (Falco's\n"
		"append_output), qualified by the --extra-source/--extra-tags/--extra-rule that "
		"follow.\n"
		"Exit status: 0 all files load, 1 errors (or warnings with --strict), 2 usage.\n");
}

static const char *optval(int argc, char **argv, int *i, const char *name)
{
	size_t nl = strlen(name);
	if (!strncmp(argv[*i], name, nl) && argv[*i][nl] == '=')
		return argv[*i] + nl + 1;
	if (!strcmp(argv[*i], name)) {
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	return NULL;
}

static bool is_opt(const char *arg, const char *name)
{
	size_t nl = strlen(name);
	return !strncmp(arg, name, nl) && (arg[nl] == 0 || arg[nl] == '=');
}

static int parse_args(int argc, char **argv, struct lint_args *la, bool describe)
{
	memset(la, 0, sizeof(*la));
	la->format = describe ? "json" : "text";
	la->color = -1;
	la->min_priority = PRIO_DEBUG;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, describe);
			return 1;
		}
		if (is_opt(a, "--format")) {
			if (!(v = optval(argc, argv, &i, "--format")))
				goto missing;
			if (strcmp(v, "json") && (describe || (strcmp(v, "text") && strcmp(v, "falco")))) {
				fprintf(stderr, "frc: unknown format '%s'\n", v);
				return 2;
			}
			la->format = v;
		} else if (!describe && !strcmp(a, "--strict")) {
			la->strict = true;
		} else if (!describe && !strcmp(a, "--color")) {
			la->color = 1;
		} else if (!describe && !strcmp(a, "--no-color")) {
			la->color = 0;
		} else if (!describe && is_opt(a, "--condition")) {
			if (!(v = optval(argc, argv, &i, "--condition")))
				goto missing;
			la->condition = v;
		} else if (is_opt(a, "--plugin")) {
			if (!(v = optval(argc, argv, &i, "--plugin")))
				goto missing;
			const char *eq = strchr(v, '=');
			if (!eq || la->nplugins >= MAX_ARGS) {
				fprintf(stderr, "frc: --plugin takes NAME=VERSION\n");
				return 2;
			}
			char *name = strndup(v, (size_t)(eq - v));
			if (!name)
				return 2;
			la->plugins[la->nplugins].name = name;
			la->plugins[la->nplugins++].version = eq + 1;
		} else if (is_opt(a, "--source")) {
			if (!(v = optval(argc, argv, &i, "--source")))
				goto missing;
			if (la->nsources >= MAX_ARGS)
				return 2;
			la->sources[la->nsources++] = v;
		} else if (!describe && !strcmp(a, "--describe")) {
			la->describe = true;
		} else if (is_opt(a, "--extra-format")) {
			if (!(v = optval(argc, argv, &i, "--extra-format")))
				goto missing;
			if (la->nformats >= MAX_ARGS)
				return 2;
			la->last_extra = &la->formats[la->nformats++];
			la->last_extra->format = v;
		} else if (is_opt(a, "--extra-field") || is_opt(a, "--extra-raw-field")) {
			bool raw = is_opt(a, "--extra-raw-field");
			if (!(v = optval(argc, argv, &i, raw ? "--extra-raw-field" : "--extra-field")))
				goto missing;
			const char *eq = strchr(v, '=');
			if ((!raw && !eq) || la->nfields >= MAX_ARGS) {
				fprintf(stderr, "frc: --extra-field takes KEY=FORMAT\n");
				return 2;
			}
			la->last_extra = &la->fields[la->nfields++];
			la->last_extra->raw = raw;
			la->last_extra->key = raw ? v : keep(la, strndup(v, (size_t)(eq - v)));
			la->last_extra->format = raw ? NULL : eq + 1;
		} else if (is_opt(a, "--extra-source") || is_opt(a, "--extra-tags") ||
			   is_opt(a, "--extra-rule")) {
			const char *nm = is_opt(a, "--extra-source") ? "--extra-source"
					 : is_opt(a, "--extra-tags") ? "--extra-tags" : "--extra-rule";
			if (!(v = optval(argc, argv, &i, nm)))
				goto missing;
			if (!la->last_extra) {
				fprintf(stderr, "frc: %s must follow --extra-format or --extra-field\n", nm);
				return 2;
			}
			if (nm[8] == 's')
				la->last_extra->source = v;
			else if (nm[8] == 'r')
				la->last_extra->rule = v;
			else
				la->last_extra->tags = split_tags(la, v, &la->last_extra->ntags);
		} else if (!strcmp(a, "--no-container-plugin")) {
			la->no_container = true;
		} else if (is_opt(a, "--min-priority")) {
			if (!(v = optval(argc, argv, &i, "--min-priority")))
				goto missing;
			if (!loader_parse_priority(v, &la->min_priority)) {
				fprintf(stderr, "frc: unknown priority '%s'\n", v);
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "frc: unknown option '%s'\n", a);
			usage(stderr, describe);
			return 2;
		} else {
			if (la->nfiles >= MAX_ARGS) {
				fprintf(stderr, "frc: too many files\n");
				return 2;
			}
			la->files[la->nfiles++] = a;
		}
	}
	if (!la->nfiles && !la->condition) {
		usage(stderr, describe);
		return 2;
	}
	return 0;
missing:
	fprintf(stderr, "frc: option '%s' needs a value\n", argv[argc - 1]);
	return 2;
}

static void free_args(struct lint_args *la)
{
	for (size_t i = 0; i < la->nplugins; i++)
		free((char *)la->plugins[i].name);
	for (size_t i = 0; i < la->nallocs; i++)
		free(la->allocs[i]);
}

struct cw {
	size_t n;
};

static void on_warning(void *ctx, const struct cond_warning *w)
{
	struct cw *c = ctx;
	c->n++;
	printf("condition:%u: warning: %s%s%s [%s]\n", w->span.start + 1,
	       w->msg && *w->msg ? w->msg : "", w->field && (!w->msg || !*w->msg) ? "field " : "",
	       w->field && (!w->msg || !*w->msg) ? w->field : "", w->code_name);
}

/* --condition: Falco's filter warning resolver on one condition (no fields, no macros) */
static int lint_condition(const struct lint_args *la)
{
	struct arena a;
	arena_init(&a);
	struct parse_error pe;
	int rc = 0;
	struct ast *root = parse_condition(&a, la->condition, strlen(la->condition), 0, &pe);
	if (!root) {
		printf("condition:%u: error: %s [LOAD_ERR_COMPILE_CONDITION]\n", pe.offset + 1,
		       pe.msg ? pe.msg : "out of memory");
		rc = 1;
	} else {
		struct cw c = { 0 };
		warn_resolve(root, on_warning, &c);
		printf("condition: %zu warnings\n", c.n);
		rc = la->strict && c.n ? 1 : 0;
	}
	arena_free_all(&a);
	return rc;
}

static void setup_opts(const struct lint_args *la, struct loader_opts *o)
{
	loader_opts_init(o);
	o->keep_going = true;
	o->container_plugin = !la->no_container;
	o->plugins = la->plugins;
	o->nplugins = la->nplugins;
	o->min_priority = la->min_priority;
	if (la->nsources) {
		o->sources = la->sources;
		o->nsources = la->nsources;
	}
	o->extra_formats = la->formats;
	o->nextra_formats = la->nformats;
	o->extra_fields = la->fields;
	o->nextra_fields = la->nfields;
}

int cli_lint(int argc, char **argv)
{
	struct lint_args la;
	int rc = parse_args(argc, argv, &la, false);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (la.condition && !la.nfiles) {
		rc = lint_condition(&la);
		free_args(&la);
		return rc;
	}
	struct arena a;
	arena_init(&a);
	struct loader_opts o;
	setup_opts(&la, &o);
	struct frc_rules rules;
	struct loader_results res;
	int lrc = loader_load(&a, la.files, la.nfiles, &o, &rules, &res);
	if (lrc < 0) {
		fprintf(stderr, "frc lint: out of memory\n");
		rc = 70;
		goto out;
	}
	if (!strcmp(la.format, "json") && la.describe && !lrc) {
		loader_print_json_describe(stdout, &res, &rules);
	} else if (!strcmp(la.format, "json")) {
		loader_print_json(stdout, &res);
		if (res.plugin_error)
			fprintf(stderr, "Error: %s\n", res.plugin_error);
	} else if (!strcmp(la.format, "falco")) {
		loader_print_falco(stdout, &res);
	} else {
		bool color = la.color < 0 ? isatty(STDOUT_FILENO) : la.color;
		loader_print_text(stdout, &res, color);
	}
	rc = lrc ? 1 : 0;
	if (la.strict && loader_warning_count(&res))
		rc = 1;
out:
	arena_free_all(&a);
	free_args(&la);
	return rc;
}

int cli_describe(int argc, char **argv)
{
	struct lint_args la;
	int rc = parse_args(argc, argv, &la, true);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct arena a;
	arena_init(&a);
	struct loader_opts o;
	setup_opts(&la, &o);
	struct frc_rules rules;
	struct loader_results res;
	int lrc = loader_load(&a, la.files, la.nfiles, &o, &rules, &res);
	if (lrc < 0) {
		fprintf(stderr, "frc describe: out of memory\n");
		rc = 70;
	} else if (lrc) {
		/* like falco -L: nothing is described when loading fails */
		loader_print_text(stderr, &res, false);
		rc = 1;
	} else {
		loader_print_describe_json(stdout, &res, &rules);
		rc = 0;
	}
	arena_free_all(&a);
	free_args(&la);
	return rc;
}
