/* SPDX-License-Identifier: Apache-2.0
 *
 * The front-end driver: load Falco rule files exactly as Falco does and hand back the
 * compiled ruleset (compiler/frc.h) plus one load result per file (errors and warnings
 * with Falco's codes), and print those results (text, Falco JSON) or a `falco -L`-like
 * description.
 *
 * Loading follows Falco: one collector across all files, files read in the given order;
 * after each file everything collected so far is compiled and that file gets its result.
 * With keep_going (falco -V) every file is loaded even after a failure; without it
 * (falco -r) loading stops at the first failed file.
 *
 * Typical use:
 *
 *	struct arena a; arena_init(&a);
 *	struct loader_opts o; loader_opts_init(&o);
 *	struct frc_rules rules; struct loader_results res;
 *	int rc = loader_load(&a, files, nfiles, &o, &rules, &res);
 *	if (rc) loader_print_text(stderr, &res, false);
 *	...
 *	arena_free_all(&a);
 *
 * Ownership: everything returned (rules, results, messages) lives in the arena passed to
 * loader_load() and dies with it. loader_load() copies the paths and @names it is given into
 * the arena; other input strings in the options, and the inputs of loader_load_inputs(),
 * are not copied and must outlive the results.
 */
#ifndef FRC_COMPILER_LOADER_H
#define FRC_COMPILER_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "frc.h"

struct arena;

/* Version frc claims for the container plugin it provides (container.*, k8s.* fields). */
#define LOADER_CONTAINER_PLUGIN_VERSION "0.4.0"

/* A loaded plugin, for required_plugin_versions checks. */
struct loader_plugin {
	const char *name;
	const char *version;
};

/**
 * struct loader_extra - an engine extra output format or field (rules-language.md §8.5),
 * applied to rules whose source is @source (NULL/"" = any), whose tags include all of
 * @tags and whose name is @rule (NULL/"" = any).
 * @key: extra field name (fields only)
 * @format: text appended to the output (formats) or the field's format (fields)
 * @raw: (fields) the value is the raw field %<key>
 */
struct loader_extra {
	const char *key;
	const char *format;
	const char *source;
	const char *const *tags;
	size_t ntags;
	const char *rule;
	bool raw;
};

/**
 * struct loader_limits - limits against hostile rule files (0 = default).
 * @max_file_size: bytes per file (default 64 MiB)
 * @max_depth: YAML nesting (default 64)
 * @max_nodes: YAML nodes per file, aliases included (default 2,000,000)
 * @max_scalar: bytes per YAML scalar (default 1 MiB)
 * @max_items: list items after appends, exception values (default 1,000,000)
 * @max_cond: bytes of a condition after exceptions and list substitution (default 16 MiB)
 * @max_macro_depth: nested macro expansion (default 512)
 */
struct loader_limits {
	size_t max_file_size;
	uint32_t max_depth;
	uint32_t max_nodes;
	uint32_t max_scalar;
	uint32_t max_items;
	uint32_t max_cond;
	uint32_t max_macro_depth;
};

/**
 * struct loader_opts - how to load.
 * @sources: event sources known to the engine (NULL = just "syscall")
 * @plugins: loaded plugins checked against required_plugin_versions
 * @container_plugin: frc's built-in container plugin is present: container.* and k8s.*
 *                    fields exist and it satisfies `container` plugin requirements
 *                    (default true; Falco's engine unit tests run without it)
 * @check_plugin_requirements: verify required_plugin_versions after each file (default true)
 * @extra_formats, @extra_fields: engine extra output formats / fields
 * @min_priority: rules less severe are loaded but not enabled (default PRIO_DEBUG)
 * @names: optional per-file display names (Falco's load name), else the path
 * @keep_going: load every file even after one failed (falco -V); default false
 * @limits: see struct loader_limits
 */
struct loader_opts {
	const char *const *sources;
	size_t nsources;
	const struct loader_plugin *plugins;
	size_t nplugins;
	bool container_plugin;
	bool check_plugin_requirements;
	const struct loader_extra *extra_formats;
	size_t nextra_formats;
	const struct loader_extra *extra_fields;
	size_t nextra_fields;
	enum frc_priority min_priority;
	const char *const *names;
	bool keep_going;
	struct loader_limits limits;
};

/* Defaults described above. */
void loader_opts_init(struct loader_opts *o);

enum loader_schema { LOADER_SCHEMA_NONE, LOADER_SCHEMA_OK, LOADER_SCHEMA_FAILED };

/**
 * struct loader_file_result - Falco's load result for one file.
 * @name: file name as reported
 * @loaded: false if the file was not attempted (an earlier file failed, !keep_going)
 * @successful: no error
 * @errors, @warnings: diagnostics in the order Falco emits them
 * @schema: informational schema validation status of the first document
 * @schema_msgs: messages (one per document that failed), @nschema_msgs
 * @text, @text_len: the file content (for printing source lines)
 */
struct loader_file_result {
	const char *name;
	bool loaded;
	bool successful;
	struct diag_list errors;
	struct diag_list warnings;
	enum loader_schema schema;
	const char **schema_msgs;
	uint32_t nschema_msgs;
	const char *text;
	size_t text_len;
};

struct loader_catalog;

/**
 * struct loader_results - all results of one loader_load() call.
 * @files, @nfiles: one result per input file, in order
 * @ok: every file loaded successfully and the plugin requirements are satisfied
 * @plugin_error: Falco's application error for unmet required_plugin_versions, or NULL
 * @catalog: what was compiled last (for loader_print_describe_json), or NULL
 */
struct loader_results {
	struct loader_file_result *files;
	size_t nfiles;
	bool ok;
	const char *plugin_error;
	struct loader_catalog *catalog;
};

/**
 * loader_load() - load @files (paths) in order into one engine. A directory stands for its
 * regular *.yaml and *.yml files in sorted order (Falco's rules-path rule).
 * @out: the compiled rules of the last successful compile (empty if none)
 * Return: 0 if every file loaded and plugin requirements hold, 1 otherwise; -1 only on
 * out of memory (results may then be partial).
 */
int loader_load(struct arena *a, const char *const *files, size_t nfiles,
		const struct loader_opts *o, struct frc_rules *out, struct loader_results *res);

/* One in-memory rules file. */
struct loader_input {
	const char *name;
	const char *data;
	size_t len;
};

/* Like loader_load() but from memory (tests, fuzzing, reload from a buffer). */
int loader_load_inputs(struct arena *a, const struct loader_input *in, size_t n,
		       const struct loader_opts *o, struct frc_rules *out,
		       struct loader_results *res);

/* Number of errors / warnings over all files. */
size_t loader_error_count(const struct loader_results *r);
size_t loader_warning_count(const struct loader_results *r);

/**
 * loader_print_text() - compiler-style diagnostics: for each file, its errors and warnings
 * sorted by position (`file:line:col: error: msg [CODE]`, source line, caret, expansion
 * notes; a warning already printed for an earlier file is not repeated), then one Falco
 * summary line per file (`<file>: Ok`, `Ok, with warnings`, `Invalid`), then the plugin
 * requirement error if any.
 */
void loader_print_text(FILE *f, const struct loader_results *r, bool color);

/* Falco's `falco -V ... -o json_output=true` output: {"falco_load_results":[...]}\n */
void loader_print_json(FILE *f, const struct loader_results *r);

/* Falco's verbose text of `falco -V` (In rules content: ... snippet ... CODE (...): msg). */
void loader_print_falco(FILE *f, const struct loader_results *r);

/* Both at once, like `falco -V ... -L -o json_output=true`:
 * {"falco_describe_results":{...},"falco_load_results":[...]}\n */
void loader_print_json_describe(FILE *f, const struct loader_results *r,
				const struct frc_rules *rules);

/**
 * loader_print_describe_json() - like `falco -L -o json_output=true`:
 * {"required_engine_version","required_plugin_versions","rules","macros","lists"}.
 */
void loader_print_describe_json(FILE *f, const struct loader_results *r,
				const struct frc_rules *rules);

/* Priority names: "Warning", "Informational" ...; parse is case-insensitive, accepts "info". */
const char *loader_priority_name(enum frc_priority p);
bool loader_parse_priority(const char *s, enum frc_priority *out);

#endif
