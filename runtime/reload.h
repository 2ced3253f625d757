/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule generations and the reload transaction (STYLE.md B.10).
 *
 * A generation is everything the daemon derives from the rule files: the loaded rules,
 * the compiled ruleset (libtcc), the alert plans, the field slot table, the kernel
 * interest set and the kernel filter image. reload_build() makes one beside the running
 * one; it touches nothing the event loop uses, so it may run on a worker thread (one at
 * a time: libtcc is not reentrant). reload_swap() installs it between two events:
 *
 *   1. widen   the kernel interest set to old | new and stage the new filter bank next to
 *              the old one (the kernel now emits what either generation needs);
 *   2. drain   the ring buffer through the old generation (everything emitted before the
 *              switch is judged by the rules that were active when it happened);
 *   3. swap    the generation pointer, the engine's slot table, the metrics rule table;
 *   4. narrow  the interest set and the filter to the new generation;
 *   5. free    the old generation.
 *
 * The probe, the state tables and the outputs are never touched. Any failure before step 3
 * undoes 1 and keeps the old generation running, untouched.
 */
#ifndef FRC_RUNTIME_RELOAD_H
#define FRC_RUNTIME_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/arena.h"
#include "compiler/frc.h"
#include "compiler/loader.h"
#include "output.h"

struct frc_config;
struct ruleset;
struct frc_slots;
struct kf_image;
struct probe;
struct kfilter;
struct frc_engine;
struct metrics;
struct metrics_ruletab;

/**
 * struct reload_src - what a generation is built from (nothing is copied: it must
 * outlive the build).
 * @cfg: the daemon's configuration (read only)
 * @paths, @npaths: -r arguments, or the configuration's rules_files when @npaths is 0
 * @kernel_filter: build the kernel filter image
 * @falco_errors: rule errors in Falco's text (the start-up message); else compiler style
 */
struct reload_src {
	const struct frc_config *cfg;
	const char *const *paths;
	uint32_t npaths;
	bool kernel_filter;
	bool falco_errors;
};

/**
 * struct rl_gen - one generation of rules.
 * @generation: 1 for the rules loaded at start, +1 for each successful reload
 * @builtin: the default rules compiled into the binary (no files)
 * @orules, @norules: alert plans indexed by rule id
 * @codes, @generic_all, @all: the kernel interest set (before base_syscalls)
 * @kimg: the kernel filter image, NULL when disabled
 * @files, @nfiles: the rule files read, in load order
 * @dirs, @ndirs: the rule directories named by the sources
 * @build_ns: time reload_build() took
 * @warnings: the loader's warnings (compiler style), or NULL
 * Ownership: everything is freed by reload_gen_free().
 */
struct rl_gen {
	uint64_t generation;
	struct arena arena;
	struct frc_rules rules;
	struct loader_results lres;
	bool builtin;
	struct ruleset *rs;
	struct out_pool pool;
	struct out_rule *orules;
	uint32_t norules;
	struct frc_slots *slots;
	uint64_t codes[8];
	bool generic_all, all;
	struct kf_image *kimg;
	char **files;
	uint32_t nfiles;
	char **dirs;
	uint32_t ndirs;
	uint64_t build_ns;
	char *warnings;
};

/**
 * reload_build() - load, compile and validate a generation from @src.
 * @errtext: on failure, a malloc'd description (every diagnostic, compiler style with
 *           file:line:col); the caller frees it
 * @summary: on failure, a malloc'd one-line summary (the first error) for the alert
 * Return: the generation, or NULL. Thread-safe against the event loop; not against
 * another reload_build().
 */
struct rl_gen *reload_build(const struct reload_src *src, uint64_t generation, char **errtext,
			    char **summary);
void reload_gen_free(struct rl_gen *g);

/**
 * struct reload_target - what a swap touches.
 * @cur: the running generation (replaced by a successful swap)
 * @drain: process every event already in the ring buffer (with *@cur); may be NULL
 * @swapped: called right after the switch, before @old is freed; may be NULL
 * @extra_codes: base_syscalls.custom_set codes added to every interest set
 * @all_syscalls: base_syscalls.all
 */
struct reload_target {
	struct rl_gen **cur;
	struct probe *probe;		/* NULL: no kernel side (tests) */
	struct kfilter *kf;		/* NULL: no kernel filter */
	struct frc_engine *eng;
	struct metrics *met;
	struct metrics_ruletab **mrules;
	void (*drain)(void *ctx);
	void (*swapped)(void *ctx, struct rl_gen *old, struct rl_gen *ng);
	void *ctx;
	uint64_t extra_codes[8];
	bool all_syscalls;
};

/* Applies @g's interest set (plus the target's extras) to the probe. */
void reload_apply_interest(const struct reload_target *t, const struct rl_gen *g);

/**
 * reload_swap() - install @ng (see above). On success *t->cur is @ng and the previous
 * generation is freed; on failure @ng is freed, nothing else changed, and @err says why.
 * Return: 0 or -1.
 */
int reload_swap(struct reload_target *t, struct rl_gen *ng, char *err, size_t errlen);

/* Monotonic nanoseconds. */
uint64_t reload_now_ns(void);

#endif
