/* SPDX-License-Identifier: Apache-2.0
 *
 * A Falco configuration (falco.yaml) for frc: the main file, `config_files` merged in
 * (append / override / add-only), `-o key=value` overrides with Falco's dotted paths, ${ENV}
 * expansion, then the typed view the runtime uses. Keys frc does not know produce a warning,
 * never a failure; invalid values of known keys fail with Falco's message.
 * Defaults are Falco's built-in defaults for keys absent from the file (not the values of the
 * stock falco.yaml), as Falco applies them.
 *
 * Ownership: struct frc_config owns everything it points to (malloc); config_free() frees it.
 */
#ifndef FRC_RUNTIME_CONFIG_H
#define FRC_RUNTIME_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler/frc.h"

struct cnode;

enum cfg_engine_kind { ENGINE_KMOD, ENGINE_MODERN_EBPF, ENGINE_REPLAY, ENGINE_NODRIVER };
enum cfg_rule_matching { RULE_MATCHING_FIRST, RULE_MATCHING_ALL };

/* syscall_event_drops.actions bits */
enum {
	DROP_ACT_IGNORE = 1u << 0,
	DROP_ACT_LOG = 1u << 1,
	DROP_ACT_ALERT = 1u << 2,
	DROP_ACT_EXIT = 1u << 3,
};

/* logger levels, syslog numbering (falco_logger) */
enum cfg_log_level {
	LOGL_EMERG, LOGL_ALERT, LOGL_CRIT, LOGL_ERR, LOGL_WARNING, LOGL_NOTICE, LOGL_INFO, LOGL_DEBUG
};

/**
 * struct cfg_append_output - one `append_output` entry.
 * @source, @rule: match conditions ("" = any); @tags: all must be on the rule
 * @extra_output: text appended (" " + text) to matching rule outputs, or NULL
 * @field_keys/@field_formats: `extra_fields` entries `{key: format}`; for a bare field name
 *     the key is the field and @field_raw[i] is true (value typed like output_fields)
 * @suggested_output: append the suggested container/k8s fields
 */
struct cfg_append_output {
	char *source;
	char *rule;
	char **tags;
	uint32_t ntags;
	char *extra_output;
	char **field_keys;
	char **field_formats;
	bool *field_raw;
	uint32_t nfields;
	bool suggested_output;
};

/* One `rules:` selection entry, or one of the legacy -D/-T/-t flags. */
enum cfg_sel_kind { SEL_RULE_WILDCARD, SEL_TAG, SEL_RULE_SUBSTRING, SEL_ALL };
struct cfg_rule_sel {
	bool enable;
	enum cfg_sel_kind kind;
	char *pattern;
};

struct cfg_http_output {
	bool enabled, insecure, echo, mtls, compress_uploads, keep_alive;
	char *url, *user_agent, *ca_cert, *ca_bundle, *ca_path, *client_cert, *client_key;
	uint32_t max_consecutive_timeouts;
	uint32_t queue_capacity, timeout_ms;	/* frc additions (http_out.h) */
	int32_t max_retries;
};

struct frc_config {
	/* files */
	char *config_file;		/* main file read, or NULL when built-in defaults */
	char **loaded_config_files;	/* main + merged config_files, in order */
	uint32_t nloaded_config_files;
	char **rules_files;		/* rules_files / rules_file entries that exist */
	uint32_t nrules_files;
	bool watch_config_files;

	/* engine */
	enum cfg_engine_kind engine_kind;
	char *replay_capture_file;
	int32_t buf_size_preset;
	uint32_t cpus_for_each_buffer;
	bool drop_failed_exit, disable_iterators;

	/* rules */
	enum frc_priority min_priority;
	enum cfg_rule_matching rule_matching;
	struct cfg_rule_sel *rules_sel;
	uint32_t nrules_sel;

	/* outputs */
	bool json_output;
	bool json_include_output_property;
	bool json_include_tags_property;
	bool json_include_message_property;
	bool json_include_output_fields_property;
	bool time_format_iso_8601;
	bool buffer_format_base64;
	bool buffered_outputs;
	uint64_t outputs_queue_capacity;	/* 0 = unbounded */
	uint32_t output_timeout_ms;
	struct cfg_append_output *append_output;
	uint32_t nappend_output;
	struct { bool enabled; } stdout_output, syslog_output;
	struct { bool enabled, keep_alive; char *filename; } file_output;
	struct { bool enabled, keep_alive; char *program; } program_output;
	struct cfg_http_output http_output;

	/* logging */
	bool log_stderr, log_syslog;
	enum cfg_log_level log_level;
	bool libs_logger_enabled;
	char *libs_logger_severity;

	/* drops and timeouts */
	uint32_t drop_actions;		/* DROP_ACT_* */
	double drop_threshold, drop_rate, drop_max_burst;
	bool drop_simulate;
	uint32_t timeouts_max_consecutives;

	/* syscall selection */
	char **base_syscalls_custom_set;
	uint32_t nbase_syscalls_custom_set;
	bool base_syscalls_repair, base_syscalls_all;

	/* falco_libs */
	uint32_t thread_table_size;
	uint32_t thread_table_auto_purging_interval_s;
	uint32_t thread_table_auto_purging_thread_timeout_s;
	uint64_t snaplen;

	/* metrics */
	struct {
		bool enabled, output_rule, convert_memory_to_mb, include_empty_values;
		uint64_t interval_ms;
		char *interval_str;
		char *output_file;
		bool rules_counters, resource_utilization, state_counters, kernel_event_counters,
			kernel_event_counters_per_cpu, libbpf_stats, plugins_metrics,
			kernel_iter_event_counters, jemalloc_stats;
	} metrics;

	/* webserver */
	struct {
		bool enabled, ssl_enabled, prometheus_metrics_enabled;
		uint32_t threadiness, listen_port;
		uint32_t healthz_stall_timeout_ms;	/* frc addition (webserver.h) */
		char *listen_address, *k8s_healthz_endpoint, *ssl_certificate;
	} webserver;

	/* capture (sandbox) */
	struct {
		bool enabled;
		char *path_prefix;
		bool all_rules;
		uint64_t default_duration_ns;
		uint64_t max_file_size_mb;
	} capture;

	/* plugins: frc has no plugin loader; names are kept for messages */
	char **plugins;
	uint32_t nplugins;

	/* the merged document after overrides (for --dump-config) */
	struct cnode *doc;
};

/**
 * struct config_opts - how to build the configuration.
 * @path: the -c file, or NULL for built-in defaults
 * @overrides, @noverrides: the -o "key=value" strings, in command-line order
 * @warn: receives each warning (unknown keys, deprecated keys); may be NULL
 */
struct config_opts {
	const char *path;
	const char *const *overrides;
	uint32_t noverrides;
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/**
 * config_load() - read, merge, override and check a configuration.
 * @cfg: filled on success (config_free() it); zeroed on failure
 * @err, @errlen: Falco's error text on failure (e.g. "Error reading config file
 *     (x.yaml): syscall event drops threshold must be a double in the range [0, 1]")
 * Return: 0 on success, -1 on error.
 */
int config_load(struct frc_config *cfg, const struct config_opts *o, char *err, size_t errlen);
void config_free(struct frc_config *cfg);

/* Writes the effective (merged + overridden) document as one JSON object line. */
void config_dump(const struct frc_config *cfg, FILE *f);

/* Parses a Falco priority name (case-insensitive, "info" accepted). */
bool config_parse_priority(const char *s, enum frc_priority *out);
/* Full priority name: "Warning", "Informational", ... */
const char *config_priority_name(enum frc_priority p);

/* `rules:` wildcard match: '*' matches any run of characters, everything else literally. */
bool config_wildcard_match(const char *pattern, const char *name);

#endif
