/* SPDX-License-Identifier: Apache-2.0
 *
 * A loaded, compiled ruleset: the code (libtcc JIT, a gcc-built shared object, or
 * objects linked into the binary), its descriptor, the compiled regexes, the per-rule
 * enable mask, memo and scratch storage, and counters. The three ways of building one
 * give the same interface, so they can be compared in tests.
 *
 * Evaluation (ruleset_eval) looks up the event code in the dispatch table and runs only
 * the rules whose event-type set contains it, in rule order, honouring Falco's
 * rule_matching (first: stop at the first match; all). It allocates nothing, takes no
 * lock and calls frc_field() for field values: the caller binds the event to this
 * ruleset's field slots (ruleset_fields) before evaluating.
 *
 * A ruleset is used by one thread at a time. Ownership: everything a ruleset holds is
 * freed by ruleset_free(); it keeps no pointer into the struct frc_rules it came from.
 */
#ifndef FRC_RUNTIME_RULESET_H
#define FRC_RUNTIME_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frc_rt_abi.h"

struct frc_rules;
struct ruleset;
struct ir_diag;
struct opt_evtinfo;

enum ruleset_matching { RULESET_MATCH_FIRST, RULESET_MATCH_ALL };

/**
 * struct ruleset_opts - how to build a ruleset (zero-initialised = defaults).
 * @no_opt: no IR optimisation (-O0); the default runs every pass
 * @evt: event-code knowledge for the optimiser (NULL: evt.type tests stay dynamic)
 * @field_fn: the field accessor of the compiled code (NULL: the process's frc_field)
 * @cc: AOT compiler command (NULL: "gcc")
 * @cc_args: extra AOT compiler arguments (NULL-terminated, e.g. warnings), or NULL
 * @tmpdir: AOT working directory parent (NULL: $TMPDIR or /tmp)
 * @scratch_bytes: per-event transformer scratch (0: 256 KiB)
 * @diag: where errors go (NULL: stderr)
 */
struct ruleset_opts {
	bool no_opt;
	const struct opt_evtinfo *evt;
	const struct frc_val *(*field_fn)(struct frc_evt *e, frc_u32 slot);
	const char *cc;
	const char *const *cc_args;
	const char *tmpdir;
	uint32_t scratch_bytes;
	struct ir_diag *diag;
};

/* Compile @rules to C and JIT it with libtcc. NULL on error (reported to opts->diag). */
struct ruleset *ruleset_jit(const struct frc_rules *rules, const struct ruleset_opts *o);
/* Compile @rules to C, build a shared object with gcc -O2 and dlopen it. */
struct ruleset *ruleset_aot(const struct frc_rules *rules, const struct ruleset_opts *o);
/* JIT already emitted C text (emit_c output). */
struct ruleset *ruleset_jit_text(const char *c_text, const struct ruleset_opts *o);
/* Build and load a shared object from already emitted C text. */
struct ruleset *ruleset_aot_text(const char *c_text, const struct ruleset_opts *o);
/* A ruleset over code linked into the binary (@desc is its frc_g_ruleset). */
struct ruleset *ruleset_from_desc(const struct frc_ruleset_desc *desc, const struct ruleset_opts *o);
/* The default rules compiled into the frc binary at build time, or NULL if there are none. */
struct ruleset *ruleset_builtin(const struct ruleset_opts *o);

void ruleset_free(struct ruleset *rs);

/* Emit C for @rules (lower, optimise, emit). Returns malloc'd text, NULL on error. */
char *ruleset_emit_c(const struct frc_rules *rules, const struct ruleset_opts *o, size_t *len);

typedef void (*ruleset_match_fn)(void *ctx, uint32_t rule_id);

/**
 * ruleset_eval() - evaluate the rules for event @e with event code @code.
 * @on_match: called for each matching rule, in rule order (may be NULL)
 * Return: the number of matching rules reported.
 */
uint32_t ruleset_eval(struct ruleset *rs, struct frc_evt *e, uint32_t code,
		      ruleset_match_fn on_match, void *ctx);

void ruleset_set_matching(struct ruleset *rs, enum ruleset_matching m);

/* Rule selection (Falco's rules: enable/disable by name pattern or tag, min priority). */
void ruleset_enable_rule(struct ruleset *rs, uint32_t rule_id, bool on);
/* @pattern: '*' matches any run of characters; without '*' the name must be equal. */
uint32_t ruleset_enable_name(struct ruleset *rs, const char *pattern, bool on);
uint32_t ruleset_enable_tag(struct ruleset *rs, const char *tag, bool on);
/* Rules less severe than @prio (enum frc_priority) are not evaluated. */
void ruleset_set_min_priority(struct ruleset *rs, uint32_t prio);
bool ruleset_rule_enabled(const struct ruleset *rs, uint32_t rule_id);

uint32_t ruleset_nrules(const struct ruleset *rs);
const struct frc_rule_info *ruleset_rule(const struct ruleset *rs, uint32_t rule_id);
/* The field slots frc_field() is asked about (index = slot). */
const struct frc_field_ref *ruleset_fields(const struct ruleset *rs, uint32_t *n);
/**
 * ruleset_interest() - the kernel interest set of the enabled rules: event codes (512
 * bits, for probe_set_interest), @generic_all when generic syscall events are wanted,
 * @all when some enabled rule matches any event type.
 */
void ruleset_interest(const struct ruleset *rs, uint64_t codes[8], bool *generic_all, bool *all);

/* Number of times @rule_id matched, and of evaluated events. */
uint64_t ruleset_matches(const struct ruleset *rs, uint32_t rule_id);
uint64_t ruleset_events(const struct ruleset *rs);

#endif
