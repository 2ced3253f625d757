/* SPDX-License-Identifier: Apache-2.0
 *
 * The loaded ruleset: what the front end (load_yaml → expand → check) hands to the back end
 * (lower → emit_c / emit_bpf), to `frc describe`, and to the runtime (outputs, selection).
 *
 * Ownership: everything reachable from struct frc_rules lives in the arena passed to the
 * loader (compiler/arena.h) and dies with it.
 */
#ifndef FRC_COMPILER_FRC_H
#define FRC_COMPILER_FRC_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"

/* Falco priorities, most severe first (the numeric order Falco uses). */
enum frc_priority {
	PRIO_EMERGENCY, PRIO_ALERT, PRIO_CRITICAL, PRIO_ERROR,
	PRIO_WARNING, PRIO_NOTICE, PRIO_INFORMATIONAL, PRIO_DEBUG,
	PRIO__COUNT
};

/* Event codes are ppm event codes (runtime/evtab.h); a set of them as a bitmap. */
#define FRC_EVT_CODES 512
struct frc_evtset {
	uint64_t bits[FRC_EVT_CODES / 64];
	bool all;	/* the rule does not restrict evt.type (LOAD_NO_EVTTYPE) */
};

static inline bool frc_evtset_has(const struct frc_evtset *s, unsigned code)
{
	return s->all || (code < FRC_EVT_CODES && (s->bits[code / 64] >> (code % 64)) & 1);
}

/**
 * struct frc_extra_field - an engine extra output field attached to a rule (Falco's
 * extra_output_fields): @key is the JSON output_fields key, @format its format string
 * (for @raw fields "%<key>").
 */
struct frc_extra_field {
	const char *key;
	const char *format;
	bool raw;
};

/**
 * struct frc_rule - one rule after loading, appends/overrides, exceptions and expansion.
 * @id: ordinal in definition order, 0-based; the compiled code reports matches by it
 * @cond: the expanded, type-checked condition (exceptions already folded in)
 * @cond_text: canonical text of @cond (Falco's "condition_compiled")
 * @output: the output template after extra formats were applied (Falco's compiled output)
 * @evttypes: the event codes the rule can match (Falco's algorithm)
 * @file, @line, @col: where the rule was (first) defined, 1-based
 * @extra_fields, @nextra_fields: engine extra output fields that apply to this rule
 */
struct frc_rule {
	uint32_t id;
	const char *name;
	const char *desc;
	const char *output;
	const char *cond_text;
	struct ast *cond;
	enum frc_priority priority;
	const char **tags;
	uint32_t ntags;
	const char *source;
	bool enabled;
	bool warn_evttypes;
	bool skip_if_unknown_filter;
	bool capture;
	uint32_t capture_duration;
	struct frc_evtset evttypes;
	const char *file;
	uint32_t line, col;
	const struct frc_extra_field *extra_fields;
	uint32_t nextra_fields;
};

/**
 * struct frc_rules - the whole loaded ruleset (every file, in load order).
 * Rules that failed to load are not here; disabled rules are (enabled = false).
 */
struct frc_rules {
	struct frc_rule *rules;
	uint32_t nrules;
};

#endif
