/* SPDX-License-Identifier: Apache-2.0
 *
 * Falco alert formatting. An output template ("Shell spawned (user=%user.name ...)") is
 * parsed once, at ruleset setup, into segments: literal text, field references
 * (%field, %field[arg], %field.dotted_arg, %Nfield with a width) and transformer calls
 * (%toupper(proc.name), ...), with Falco's "longest prefix that names a field" rule. At alert
 * time the segments are rendered from the event's field values exactly as Falco renders them
 * (`<NA>` for absent values), and the alert is written either as Falco's text line
 *
 *     <evt.time | evt.time.iso8601>: <Priority> <message>
 *
 * escaped like Falco (JSON string escaping without the quotes, invalid UTF-8 → U+FFFD), or as
 * Falco's JSON object (keys sorted: hostname, message, output, output_fields, priority, rule,
 * source, tags, time; output_fields typed: numbers, booleans, strings, null when absent).
 * Field values come from the monitored processes: nothing in them can break a line or the
 * JSON structure.
 *
 * Field values are obtained through a callback (struct out_event), so this module does not
 * depend on how events are decoded; each distinct field reference of a ruleset has a slot
 * number (out_pool) that the caller maps to its extractor cache.
 *
 * Ownership: templates and prepared rules live in the struct out_pool that created them
 * (malloc, freed by out_pool_free). A struct out_writer owns reusable buffers; formatting an
 * alert allocates nothing once the buffers have grown.
 */
#ifndef FRC_RUNTIME_OUTPUT_H
#define FRC_RUNTIME_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/frc.h"
#include "compiler/types.h"
#include "frc_rt_abi.h"
#include "jsonw.h"

struct frc_config;
struct out_fmt;

/**
 * struct out_pool - the distinct field references used by a set of templates.
 * @refs, @nrefs: one entry per distinct (field, argument); the slot of a reference is its
 *     index. @refs[i].arg points into pool-owned memory.
 */
struct out_pool {
	struct frc_field_ref *refs;
	uint32_t nrefs, cap;
	struct out_fmt **fmts;		/* every template parsed with this pool, for freeing */
	uint32_t nfmts, fmtcap;
};

void out_pool_init(struct out_pool *p);
void out_pool_free(struct out_pool *p);

/**
 * out_fmt_parse() - parse one output template.
 * @pool: receives the template's field references (deduplicated)
 * @text: the template; a leading '*' (Falco's "print even if values are missing") is accepted
 * @err, @errlen: on failure, Falco's message ("invalid formatting syntax: formatting cannot
 *     end with a %", "unknown filter: ...", ...)
 * Return: the template (owned by @pool), or NULL on error.
 */
struct out_fmt *out_fmt_parse(struct out_pool *pool, const char *text, char *err, size_t errlen);

/**
 * struct out_event - where field values come from for one alert.
 * @ts: event timestamp, ns since the epoch (for evt.time* and the JSON "time")
 * @get: value of slot @slot (@ref = &pool->refs[slot]) for the current event, or NULL when
 *     the field has no value on this event
 */
struct out_event {
	uint64_t ts;
	const struct frc_val *(*get)(void *ctx, uint32_t slot, const struct frc_field_ref *ref);
	void *ctx;
};

/* Renders @f into @b as plain text (no escaping), `<NA>` for absent values. */
void out_fmt_render(const struct out_fmt *f, const struct out_pool *pool,
		    const struct out_event *ev, struct jw_buf *b);

/* Same, returning false when some token had no value (sysdig skips such events unless the
 * format starts with '*'). */
bool out_fmt_render_checked(const struct out_fmt *f, const struct out_pool *pool,
			    const struct out_event *ev, struct jw_buf *b);

/**
 * struct out_opts - output settings from the configuration.
 */
struct out_opts {
	bool json_output;
	bool json_include_output_property;
	bool json_include_tags_property;
	bool json_include_message_property;
	bool json_include_output_fields_property;
	bool time_format_iso_8601;
	bool buffer_format_base64;
	const char *hostname;	/* FALCO_HOSTNAME or gethostname(); copied */
};

/* Fills @o from a configuration; the hostname from FALCO_HOSTNAME or gethostname(). */
void out_opts_from_config(struct out_opts *o, const struct frc_config *cfg);

/**
 * struct out_rule - a rule prepared for alerting.
 * @output: the final output template text (after append_output / suggested fields)
 * @tags: sorted, without duplicates
 */
struct out_rule {
	const char *name;
	const char *source;
	enum frc_priority priority;
	const char *output;
	const char **tags;
	uint32_t ntags;
	struct out_fmt *msg;
	/* JSON output_fields plan: sorted keys, each with the part that provides its value */
	struct out_key *keys;
	uint32_t nkeys;
	/* extra fields of append_output (JSON only) */
	struct out_fmt **extra_fmts;
	bool *extra_raw;
	uint32_t nextra;
	char *owned;		/* allocations of this struct, freed by out_rule_free */
};

/**
 * out_rule_prepare() - build the alert plan of @rule: apply the configuration's
 * append_output entries that match it (extra_output text, suggested container/k8s fields,
 * extra_fields), parse the templates into @pool.
 * @apply_extra_output: false when @rule->output already carries the appended text (the rule
 *     loader applied it), true to append it here
 * Return: 0, or -1 with @err set (a template that does not parse).
 */
int out_rule_prepare(struct out_rule *r, struct out_pool *pool, const struct frc_rule *rule,
		     const struct frc_config *cfg, bool apply_extra_output, char *err,
		     size_t errlen);
void out_rule_free(struct out_rule *r);

/**
 * out_append_text() - the text Falco appends to @rule's output for @cfg's append_output
 * entries (each matching entry: " " + extra_output, then " name=%field" for every suggested
 * field), malloc'ed; "" when nothing matches. NULL on allocation failure.
 */
char *out_append_text(const struct frc_rule *rule, const struct frc_config *cfg);

/* Names of the suggested output fields frc provides (the container plugin's set). */
extern const char *const out_suggested_fields[];

struct arena;
struct loader_opts;
struct loader_extra;

/**
 * out_loader_extras() - the loader's engine-wide extra output formats and fields for @cfg's
 * append_output entries (Falco's configure_output_format): each entry's extra_output, its
 * suggested fields one by one as "name=%field", its extra_fields; then @last (a caller's
 * own format, e.g. replay's -p) when not NULL. Arrays are allocated from @a; sets the four
 * extra_* members of @lo. Returns 0, or -1 when out of memory.
 */
int out_loader_extras(struct arena *a, const struct frc_config *cfg,
		      const struct loader_extra *last, struct loader_opts *lo);

/**
 * struct out_writer - reusable buffers for formatting alerts.
 */
struct out_writer {
	struct out_opts opts;
	char *hostname;
	struct jw_buf line, msg, tmp, val;
	/* frc: when non-zero, JSON alerts carry "frc_ruleset_generation" (a top-level key
	 * Falco does not have; consumers such as Falcosidekick ignore unknown keys) */
	uint64_t generation;
};

void out_writer_init(struct out_writer *w, const struct out_opts *o);
void out_writer_free(struct out_writer *w);

/**
 * out_format_alert() - format one alert as configured (text line or JSON object), without a
 * trailing newline.
 * Return: the formatted line (valid until the next call on @w), or NULL on allocation failure.
 */
const char *out_format_alert(struct out_writer *w, const struct out_rule *r,
			     const struct out_pool *pool, const struct out_event *ev, size_t *len);

/**
 * out_format_internal() - an engine-generated alert (rule "Falco internal: ..."), as Falco's
 * falco_outputs::handle_msg formats it: text `HH:MM:SS.nnnnnnnnn: <Priority> <msg> (k=v ...)`
 * with the keys sorted, or JSON with source "internal", no tags, string output_fields.
 */
const char *out_format_internal(struct out_writer *w, uint64_t ts, enum frc_priority prio,
				const char *rule, const char *msg, const char *const *keys,
				const char *const *values, uint32_t nfields, size_t *len);

/* Time helpers (Falco's renderings of an event timestamp). */
void out_time_local(uint64_t ts, char buf[32]);	/* HH:MM:SS.nnnnnnnnn, local zone */
void out_time_iso8601(uint64_t ts, char buf[48]); /* 2016-08-04T16:17:57.881781397+0000 */
void out_time_json(uint64_t ts, char buf[48]);	/* 2016-08-04T16:17:57.881781397Z */

/* Appends the plain-text rendering of value @v of a field of type @t (with @flags) to @b. */
void out_render_value(struct jw_buf *b, const struct frc_val *v, enum ft_type t, uint32_t flags,
		      bool base64);

#endif
