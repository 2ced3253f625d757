/* SPDX-License-Identifier: Apache-2.0
 *
 * IR passes, run in table order (each has a name, so `--dump=ir:after=NAME` can show the
 * IR between passes):
 *
 *   fold     rebuild every condition normalised: and/or flattened, constants folded, dead
 *            branches dropped, duplicates merged, `x and not x` folded, facts about
 *            always-present fields (evt.num >= 1, evt.type exists) applied, conjuncts
 *            shared by several branches of an or factored out ((K and A) or (K and B)
 *            -> K and (A or B)), children ordered by expected cost over the estimated
 *            chance that they decide the result, so that cheap tests that usually end
 *            the evaluation come first (evaluation has no side effects, so any order
 *            gives the same result)
 *   evttype  specialise each dispatch group to its event codes: evt.type and evt.dir
 *            tests are decided per code (when the code fixes the event name), rules that
 *            become false are dropped, codes with identical results share a group
 *   share    choose the shared sub-conditions worth evaluating once per event (memoised)
 *
 * At level 0 no pass runs: the emitted code evaluates each rule's condition as written
 * (dispatch on event type still applies), which must give the same alerts.
 */
#ifndef FRC_COMPILER_OPT_H
#define FRC_COMPILER_OPT_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"
#include "lower.h"

/**
 * struct opt_evtinfo - what the optimiser may assume about event codes.
 * @type_name: the evt.type of every event with code @code, or NULL when it is not fixed
 *             by the code (generic syscall events, async events, unknown codes)
 */
struct opt_evtinfo {
	const char *(*type_name)(void *ctx, unsigned code);
	void *ctx;
};

/**
 * struct opt_opts - optimiser settings.
 * @level: 0 = no pass, 1 = all passes
 * @evt: event-code knowledge for the evttype pass (NULL: the pass only regroups)
 * @after: if set, called after each pass with its name (for dumps)
 */
struct opt_opts {
	unsigned level;
	const struct opt_evtinfo *evt;
	void (*after)(void *ctx, const char *pass, const struct ir *ir);
	void *after_ctx;
};

/* Names of the passes, in order, NULL-terminated (for --dump validation). */
extern const char *const opt_pass_names[];

/**
 * opt_run() - run the passes on @ir. Return: the number of errors added to @d (only
 * allocation failures).
 */
uint32_t opt_run(struct ir *ir, const struct opt_opts *o, struct ir_diag *d);

/**
 * opt_memo_index() - memo index + 1 of node @id chosen by the share pass, 0 if the node
 * is not memoised.
 */
static inline uint32_t opt_memo_index(const struct ir *ir, uint32_t id)
{
	return ir->memo && id < ir->nmemo_nodes ? ir->memo[id] : 0;
}

/**
 * opt_evtinfo_evtab() - event knowledge from the event table (runtime/evtab.h): evt.type
 * is the schema name, except for generic syscall events (codes 0, 1: the syscall's own
 * name), async events (402: their name parameter) and unused codes.
 */
const struct opt_evtinfo *opt_evtinfo_evtab(void);

#endif
